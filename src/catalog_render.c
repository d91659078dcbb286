/*
 * catalog_render.c - the catalog's pages as Markdown (GitHub), one
 * self-contained HTML page (inline style and script, sortable tables) and
 * JSON (format documented in docs/catalog.md).
 *
 * Every string from a rule is escaped for its context: Markdown text and
 * code spans (a `|` would end a table cell), HTML text and attributes,
 * JSON strings. Values arrive with control bytes already written as
 * \x{hh} (catalog.c), so none reaches the output raw.
 */
#include <string.h>

#include "catalog.h"

#define MAX_TITLES_SHOWN 20   /* rule titles under an HTML value */
#define MAX_REFS_SHOWN 10     /* rule numbers in a Markdown cell */

/* Corpus reach is shown only where it says more than the page does. */
static bool reach_shown(const cat_item_row *row)
{
    return row->reach > row->rules;
}

/* How many rules from the i-th on share its product (rules are sorted by product). */
static size_t product_run(const cat_page *p, size_t i)
{
    size_t n = 0;
    while (i + n < p->n_rules && !strcmp(p->rules[i + n].product, p->rules[i].product))
        n++;
    return n;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* ============================================================ Markdown */

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* GitHub never reads `_` between two word characters as emphasis. */
static bool md_special(const char *start, const char *s)
{
    if (*s == '_')
        return s == start || !word_char(s[-1]) || !word_char(s[1]);
    return strchr("\\`*[]<>|#~", *s) != NULL;
}

static void md_text(sc_buf *b, const char *s)
{
    for (const char *start = s; *s; s++) {
        if (*s == '\n' || *s == '\r')
            sc_buf_putc(b, ' ');
        else if (*s == '&')
            sc_buf_puts(b, "&amp;");
        else if (md_special(start, s))
            sc_buf_printf(b, "\\%c", *s);
        else
            sc_buf_putc(b, *s);
    }
}

/* A code span: fenced by more backticks than the text holds, padded when
 * the text touches a backtick, `|` escaped (GitHub reads it in tables). */
static void md_code(sc_buf *b, const char *s)
{
    if (!*s) {
        sc_buf_puts(b, "*(empty)*");
        return;
    }
    size_t run = 0, longest = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    bool pad = s[0] == '`' || s[strlen(s) - 1] == '`' || s[0] == ' ';
    for (size_t i = 0; i <= longest; i++)
        sc_buf_putc(b, '`');
    if (pad)
        sc_buf_putc(b, ' ');
    for (; *s; s++) {
        if (*s == '|')
            sc_buf_puts(b, "\\|");
        else
            sc_buf_putc(b, *s);
    }
    if (pad)
        sc_buf_putc(b, ' ');
    for (size_t i = 0; i <= longest; i++)
        sc_buf_putc(b, '`');
}

/* GitHub's heading anchor: lower case, '.' dropped. */
static void md_anchor(sc_buf *b, const char *id)
{
    for (; *id; id++)
        if (*id != '.')
            sc_buf_putc(b, (char)(*id >= 'A' && *id <= 'Z' ? *id - 'A' + 'a' : *id));
}

static void md_counts(sc_buf *b, const char *label, const cat_count *c, size_t n)
{
    sc_buf_printf(b, "- %s: ", label);
    for (size_t i = 0; i < n; i++) {
        sc_buf_puts(b, i ? ", " : "");
        md_text(b, c[i].name);
        sc_buf_printf(b, " (%u)", c[i].rules);
    }
    sc_buf_puts(b, n ? "\n" : "none\n");
}

static void md_summary(sc_buf *b, const cat_summary *s)
{
    sc_buf_puts(b, "# ATT&CK technique catalog\n\n");
    sc_buf_printf(b, "%zu %s (%zu detection, %zu correlation); %zu tagged with %zu %s%s.",
                  s->rules, plural(s->rules, "rule", "rules"), s->detection, s->correlation,
                  s->tagged, s->techniques, plural(s->techniques, "technique", "techniques"),
                  s->roll_up ? " (sub-techniques counted under their parent)" : "");
    sc_buf_puts(b, " Field names are normalized to the Sigma taxonomy through the built-in "
                   "pipelines");
    for (size_t i = 0; i < s->n_pipelines; i++)
        sc_buf_printf(b, "%s%s", i ? ", " : " ", s->pipelines[i]);
    sc_buf_puts(b, ".\n\n## Fields used most across the corpus\n\n");
    if (!s->n_top_fields)
        sc_buf_puts(b, "None.\n\n");
    else
        sc_buf_puts(b, "| Field | Rules |\n|---|---:|\n");
    for (size_t i = 0; i < s->n_top_fields; i++) {
        sc_buf_puts(b, "| ");
        md_code(b, s->top_fields[i].name);
        sc_buf_printf(b, " | %u |\n", s->top_fields[i].rules);
    }
    if (s->n_top_fields)
        sc_buf_putc(b, '\n');
}

static void md_index(sc_buf *b, const cat_summary *s)
{
    sc_buf_puts(b, "## Techniques\n\n| Technique | Rules | Events | Fields | Top field |\n"
                   "|---|---:|---:|---:|---|\n");
    for (size_t i = 0; i < s->n_pages; i++) {
        const cat_page *p = &s->pages[i];
        sc_buf_printf(b, "| [%s](#", p->technique);
        md_anchor(b, p->technique);
        sc_buf_printf(b, ") | %zu | %zu | %zu | ", p->n_rules, p->n_events, p->fields_distinct);
        if (p->n_fields)
            md_code(b, p->fields[0].field);
        sc_buf_puts(b, " |\n");
    }
    sc_buf_putc(b, '\n');
}

static void md_events(sc_buf *b, const cat_page *p)
{
    sc_buf_printf(b, "### Events covered\n\n%zu %s read by at least one rule under this "
                     "technique.\n\n", p->n_events, plural(p->n_events, "event is", "events are"));
    if (!p->n_events)
        return;
    sc_buf_puts(b, "| Provider | Event ID | Title | Rules |\n|---|---:|---|---:|\n");
    for (size_t i = 0; i < p->n_events; i++) {
        const cat_event_row *e = &p->events[i];
        sc_buf_puts(b, "| ");
        md_text(b, e->provider);
        sc_buf_printf(b, " | %d | ", e->event_id);
        md_text(b, e->title);
        sc_buf_printf(b, " | %u |\n", e->rules);
    }
    sc_buf_putc(b, '\n');
}

static void md_fields(sc_buf *b, const cat_page *p)
{
    sc_buf_printf(b, "### Fields filtered most (%zu distinct)\n\n", p->fields_distinct);
    if (!p->n_fields) {
        sc_buf_puts(b, "None.\n\n");
        return;
    }
    sc_buf_puts(b, "| Field | Rules | How | Sample values | Written as |\n"
                   "|---|---:|---|---|---|\n");
    for (size_t i = 0; i < p->n_fields; i++) {
        const cat_field_row *f = &p->fields[i];
        sc_buf_puts(b, "| ");
        md_code(b, f->field);
        sc_buf_printf(b, " | %u | ", f->rules);
        for (size_t k = 0; k < f->n_ops; k++)
            sc_buf_printf(b, "%s%s %u", k ? ", " : "", f->ops[k].name, f->ops[k].rules);
        sc_buf_puts(b, " | ");
        for (size_t k = 0; k < f->n_samples; k++) {
            sc_buf_puts(b, k ? ", " : "");
            md_code(b, f->samples[k]);
        }
        sc_buf_puts(b, " | ");
        for (size_t k = 0; k < f->n_spellings; k++) {
            sc_buf_puts(b, k ? ", " : "");
            md_code(b, f->spellings[k]);
        }
        sc_buf_puts(b, " |\n");
    }
    sc_buf_putc(b, '\n');
}

static void md_items(sc_buf *b, const char *heading, const cat_items *t)
{
    sc_buf_printf(b, "### %s (%zu distinct)\n\n", heading, t->distinct);
    if (!t->n) {
        sc_buf_puts(b, "None.\n\n");
        return;
    }
    sc_buf_puts(b, "| Field | Operator | Value | Rules | Corpus reach | Rule # |\n"
                   "|---|---|---|---:|---:|---|\n");
    for (size_t i = 0; i < t->n; i++) {
        const cat_item_row *r = &t->rows[i];
        sc_buf_puts(b, "| ");
        md_code(b, r->field);
        sc_buf_printf(b, " | %s | ", r->op);
        md_code(b, r->value);
        sc_buf_printf(b, " | %u | ", r->rules);
        if (reach_shown(r))
            sc_buf_printf(b, "%u", r->reach);
        sc_buf_puts(b, " | ");
        for (size_t k = 0; k < r->n_refs && k < MAX_REFS_SHOWN; k++)
            sc_buf_printf(b, "%s%u", k ? ", " : "", r->refs[k]);
        if (r->n_refs > MAX_REFS_SHOWN)
            sc_buf_printf(b, " and %zu more", r->n_refs - MAX_REFS_SHOWN);
        sc_buf_puts(b, " |\n");
    }
    sc_buf_putc(b, '\n');
}

static void md_rule_row(sc_buf *b, const cat_rule_row *r)
{
    sc_buf_printf(b, "| %u | ", r->number);
    md_text(b, r->title);
    if (!strcmp(r->kind, "correlation"))
        sc_buf_puts(b, " (correlation)");
    sc_buf_puts(b, " | ");
    md_text(b, r->level);
    sc_buf_puts(b, " | ");
    md_text(b, r->logsource);
    sc_buf_puts(b, " | ");
    md_text(b, r->schema);
    sc_buf_puts(b, " | ");
    md_code(b, r->path);
    if (r->line > 1)
        sc_buf_printf(b, " line %u", r->line);
    sc_buf_puts(b, " |\n");
}

static void md_rules(sc_buf *b, const cat_page *p)
{
    sc_buf_printf(b, "### Rules under this technique (%zu)\n\n", p->n_rules);
    for (size_t i = 0; i < p->n_rules; i++) {
        const cat_rule_row *r = &p->rules[i];
        if (i == 0 || strcmp(r->product, p->rules[i - 1].product)) {
            size_t n = product_run(p, i);
            sc_buf_puts(b, i ? "\n#### " : "#### ");
            md_text(b, r->product);
            sc_buf_printf(b, " (%zu %s)\n\n| # | Title | Level | Logsource | Schema | Path |\n"
                             "|---:|---|---|---|---|---|\n", n, plural(n, "rule", "rules"));
        }
        md_rule_row(b, r);
    }
    sc_buf_putc(b, '\n');
}

static void md_page(sc_buf *b, const cat_page *p)
{
    sc_buf_printf(b, "## %s\n\n%zu %s tagged with this technique.\n\n", p->technique, p->n_rules,
                  plural(p->n_rules, "rule is", "rules are"));
    md_counts(b, "Tactics", p->tactics, p->n_tactics);
    md_counts(b, "By product", p->products, p->n_products);
    md_counts(b, "By logsource", p->logsources, p->n_logsources);
    sc_buf_putc(b, '\n');
    md_events(b, p);
    md_fields(b, p);
    md_items(b, "Top indicator values", &p->indicators);
    md_items(b, "Exclusions", &p->exclusions);
    md_rules(b, p);
}

void sc_catalog_markdown(sc_buf *b, const cat_summary *s)
{
    md_summary(b, s);
    if (s->n_pages > 1)
        md_index(b, s);
    for (size_t i = 0; i < s->n_pages; i++)
        md_page(b, &s->pages[i]);
}

/* ================================================================ JSON */

static void js_str(sc_buf *b, const char *s)
{
    if (s)
        sc_buf_put_json_string(b, s, strlen(s));
    else
        sc_buf_puts(b, "null");
}

static void js_key(sc_buf *b, const char *key)
{
    js_str(b, key);
    sc_buf_puts(b, ": ");
}

static void js_counts(sc_buf *b, const char *key, const cat_count *c, size_t n)
{
    sc_buf_puts(b, "      ");
    js_key(b, key);
    sc_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        sc_buf_puts(b, i ? ", {\"name\": " : "{\"name\": ");
        js_str(b, c[i].name);
        sc_buf_printf(b, ", \"rules\": %u}", c[i].rules);
    }
    sc_buf_puts(b, "],\n");
}

static void js_strings(sc_buf *b, const char *const *s, size_t n)
{
    sc_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        sc_buf_puts(b, i ? ", " : "");
        js_str(b, s[i]);
    }
    sc_buf_putc(b, ']');
}

static void js_events(sc_buf *b, const cat_page *p)
{
    sc_buf_puts(b, "      \"events\": [");
    for (size_t i = 0; i < p->n_events; i++) {
        const cat_event_row *e = &p->events[i];
        sc_buf_puts(b, i ? ",\n        {\"provider\": " : "\n        {\"provider\": ");
        js_str(b, e->provider);
        sc_buf_puts(b, ", \"channel\": ");
        js_str(b, e->channel);
        sc_buf_printf(b, ", \"event_id\": %d, \"title\": ", e->event_id);
        js_str(b, e->title);
        sc_buf_printf(b, ", \"rules\": %u}", e->rules);
    }
    sc_buf_puts(b, p->n_events ? "\n      ],\n" : "],\n");
}

static void js_field(sc_buf *b, const cat_field_row *f)
{
    sc_buf_puts(b, "{\"field\": ");
    js_str(b, f->field);
    sc_buf_printf(b, ", \"rules\": %u, \"operators\": [", f->rules);
    for (size_t k = 0; k < f->n_ops; k++) {
        sc_buf_puts(b, k ? ", {\"name\": " : "{\"name\": ");
        js_str(b, f->ops[k].name);
        sc_buf_printf(b, ", \"rules\": %u}", f->ops[k].rules);
    }
    sc_buf_puts(b, "], \"samples\": ");
    js_strings(b, f->samples, f->n_samples);
    sc_buf_puts(b, ", \"written_as\": ");
    js_strings(b, f->spellings, f->n_spellings);
    sc_buf_putc(b, '}');
}

static void js_fields(sc_buf *b, const cat_page *p)
{
    sc_buf_printf(b, "      \"fields\": {\"distinct\": %zu, \"rows\": [", p->fields_distinct);
    for (size_t i = 0; i < p->n_fields; i++) {
        sc_buf_puts(b, i ? ",\n        " : "\n        ");
        js_field(b, &p->fields[i]);
    }
    sc_buf_puts(b, p->n_fields ? "\n      ]},\n" : "]},\n");
}

static void js_items(sc_buf *b, const char *key, const cat_items *t)
{
    sc_buf_puts(b, "      ");
    js_key(b, key);
    sc_buf_printf(b, "{\"distinct\": %zu, \"rows\": [", t->distinct);
    for (size_t i = 0; i < t->n; i++) {
        const cat_item_row *r = &t->rows[i];
        sc_buf_puts(b, i ? ",\n        {\"field\": " : "\n        {\"field\": ");
        js_str(b, r->field);
        sc_buf_puts(b, ", \"operator\": ");
        js_str(b, r->op);
        sc_buf_puts(b, ", \"value\": ");
        js_str(b, r->value);
        sc_buf_printf(b, ", \"rules\": %u, \"corpus_reach\": %u, \"rule_numbers\": [", r->rules,
                      r->reach);
        for (size_t k = 0; k < r->n_refs; k++)
            sc_buf_printf(b, "%s%u", k ? ", " : "", r->refs[k]);
        sc_buf_puts(b, "]}");
    }
    sc_buf_puts(b, t->n ? "\n      ]},\n" : "]},\n");
}

static void js_rule(sc_buf *b, const cat_rule_row *r)
{
    sc_buf_printf(b, "{\"number\": %u, \"title\": ", r->number);
    js_str(b, r->title);
    sc_buf_puts(b, ", \"id\": ");
    js_str(b, r->id);
    sc_buf_puts(b, ", \"kind\": ");
    js_str(b, r->kind);
    sc_buf_puts(b, ", \"level\": ");
    js_str(b, r->level);
    sc_buf_puts(b, ", \"product\": ");
    js_str(b, r->product);
    sc_buf_puts(b, ", \"logsource\": ");
    js_str(b, r->logsource);
    sc_buf_puts(b, ", \"schema\": ");
    js_str(b, r->schema);
    sc_buf_puts(b, ", \"path\": ");
    js_str(b, r->path);
    sc_buf_printf(b, ", \"line\": %u}", r->line);
}

static void js_page(sc_buf *b, const cat_page *p)
{
    sc_buf_puts(b, "    {\n      \"id\": ");
    js_str(b, p->technique);
    sc_buf_printf(b, ",\n      \"rules\": %zu,\n", p->n_rules);
    js_counts(b, "tactics", p->tactics, p->n_tactics);
    js_counts(b, "products", p->products, p->n_products);
    js_counts(b, "logsources", p->logsources, p->n_logsources);
    js_events(b, p);
    js_fields(b, p);
    js_items(b, "indicators", &p->indicators);
    js_items(b, "exclusions", &p->exclusions);
    sc_buf_puts(b, "      \"rule_list\": [");
    for (size_t i = 0; i < p->n_rules; i++) {
        sc_buf_puts(b, i ? ",\n        " : "\n        ");
        js_rule(b, &p->rules[i]);
    }
    sc_buf_puts(b, p->n_rules ? "\n      ]\n    }" : "]\n    }");
}

void sc_catalog_json(sc_buf *b, const cat_summary *s)
{
    sc_buf_printf(b, "{\n  \"format\": \"sigcc-catalog\",\n  \"version\": 1,\n  \"corpus\": {\n"
                     "    \"rules\": %zu,\n    \"detection\": %zu,\n    \"correlation\": %zu,\n"
                     "    \"tagged\": %zu,\n    \"techniques\": %zu,\n"
                     "    \"subtechniques_under_parent\": %s,\n    \"pipelines\": ",
                  s->rules, s->detection, s->correlation, s->tagged, s->techniques,
                  s->roll_up ? "true" : "false");
    js_strings(b, s->pipelines, s->n_pipelines);
    sc_buf_puts(b, ",\n    \"top_fields\": [");
    for (size_t i = 0; i < s->n_top_fields; i++) {
        sc_buf_puts(b, i ? ", {\"field\": " : "{\"field\": ");
        js_str(b, s->top_fields[i].name);
        sc_buf_printf(b, ", \"rules\": %u}", s->top_fields[i].rules);
    }
    sc_buf_puts(b, "]\n  },\n  \"techniques\": [");
    for (size_t i = 0; i < s->n_pages; i++) {
        sc_buf_puts(b, i ? ",\n" : "\n");
        js_page(b, &s->pages[i]);
    }
    sc_buf_puts(b, s->n_pages ? "\n  ]\n}\n" : "]\n}\n");
}

/* ================================================================ HTML */

static void h_text(sc_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': sc_buf_puts(b, "&amp;"); break;
        case '<': sc_buf_puts(b, "&lt;"); break;
        case '>': sc_buf_puts(b, "&gt;"); break;
        case '"': sc_buf_puts(b, "&quot;"); break;
        case '\'': sc_buf_puts(b, "&#39;"); break;
        default: sc_buf_putc(b, *s);
        }
    }
}

static void h_code_as(sc_buf *b, const char *s, const char *open)
{
    if (!*s) {
        sc_buf_puts(b, "<i>(empty)</i>");
        return;
    }
    sc_buf_puts(b, open);
    h_text(b, s);
    sc_buf_puts(b, "</code>");
}

/* A name: kept on one line. */
static void h_code(sc_buf *b, const char *s)
{
    h_code_as(b, s, "<code>");
}

/* A value or a path: spaces kept, broken anywhere when long. */
static void h_value(sc_buf *b, const char *s)
{
    h_code_as(b, s, "<code class=\"v\">");
}

/* Section anchors: "T1071.003" -> "t1071-003". */
static void h_anchor(sc_buf *b, const char *id)
{
    for (; *id; id++)
        sc_buf_putc(b, *id == '.' ? '-' : (char)(*id >= 'A' && *id <= 'Z' ? *id - 'A' + 'a' : *id));
}

static const char STYLE[] =
    "<style>\n"
    ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--head:#f6f8fa;--accent:#0969da;"
    "--ex:#cf222e}\n"
    "body{font:14px/1.5 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:var(--fg);"
    "margin:0;background:#fff}\n"
    "main{max-width:1240px;margin:0 auto;padding:24px 32px 64px}\n"
    "h1{font-size:26px;margin:0 0 8px}h2{font-size:22px;margin:40px 0 4px;padding-top:12px;"
    "border-top:3px solid var(--fg)}h3{font-size:16px;margin:28px 0 6px}\n"
    "h4{font-size:14px;margin:16px 0 6px;color:var(--muted)}\n"
    "p.note{color:var(--muted);margin:4px 0 10px;max-width:900px}\n"
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n"
    "table{border-collapse:collapse;margin:6px 0 12px;max-width:100%}\n"
    "table.wide{width:100%}\n"
    "th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}\n"
    "th{background:var(--head);font-weight:600;white-space:nowrap}\n"
    "table.sortable th{cursor:pointer;user-select:none}\n"
    "table.sortable th:after{content:' \\2195';color:#9aa4ae;font-size:11px}\n"
    "table.sortable th.asc:after{content:' \\25B2';color:var(--fg)}\n"
    "table.sortable th.desc:after{content:' \\25BC';color:var(--fg)}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "table.wide .n{width:1%}\n"
    "tbody tr:nth-child(even){background:#fbfcfd}\n"
    "code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "background:#eff2f5;border-radius:4px;padding:1px 4px;white-space:nowrap}\n"
    "code.v{white-space:pre-wrap;word-break:break-all}\n"
    ".chips span{display:inline-block;border:1px solid var(--line);border-radius:12px;"
    "padding:1px 10px;margin:2px 4px 2px 0;background:var(--head)}\n"
    ".chips b{font-weight:600}\n"
    ".facts{display:flex;gap:12px;flex-wrap:wrap;margin:10px 0}\n"
    ".facts div{border:1px solid var(--line);border-radius:6px;padding:6px 14px;min-width:90px}\n"
    ".facts div b{display:block;font-size:20px}\n"
    ".facts div span{color:var(--muted);font-size:12px}\n"
    "details summary{cursor:pointer}details ul{margin:4px 0 2px 18px;padding:0}\n"
    ".op{white-space:nowrap}.ex{color:var(--ex)}.muted{color:var(--muted)}\n"
    "nav{columns:6 120px;margin:8px 0}nav a{display:block}\n"
    "</style>\n";

/* Sorts a table by the clicked column: numbers by value (data-v when the
 * cell has one), anything else as text; a second click reverses. */
static const char SCRIPT[] =
    "<script>\n"
    "document.querySelectorAll('table.sortable').forEach(function(t){\n"
    " t.querySelectorAll('th').forEach(function(th,col){\n"
    "  th.addEventListener('click',function(){\n"
    "   var asc=!th.classList.contains('asc');\n"
    "   t.querySelectorAll('th').forEach(function(h){h.classList.remove('asc','desc');});\n"
    "   th.classList.add(asc?'asc':'desc');\n"
    "   var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);\n"
    "   function key(r){var c=r.cells[col];var v=c.getAttribute('data-v');"
    "return v!==null?v:c.textContent.trim();}\n"
    "   var numeric=rows.every(function(r){var k=key(r);return k===''||!isNaN(k);});\n"
    "   rows.sort(function(a,b){var x=key(a),y=key(b),d;\n"
    "    if(numeric){d=(x===''?0:+x)-(y===''?0:+y);}else{d=x.localeCompare(y);}\n"
    "    return asc?d:-d;});\n"
    "   rows.forEach(function(r){body.appendChild(r);});\n"
    "  });\n"
    " });\n"
    "});\n"
    "</script>\n";

static void h_fact(sc_buf *b, size_t n, const char *label)
{
    sc_buf_printf(b, "<div><b>%zu</b><span>%s</span></div>", n, label);
}

static void h_summary(sc_buf *b, const cat_summary *s)
{
    sc_buf_puts(b, "<h1>ATT&amp;CK technique catalog</h1>\n<div class=\"facts\">");
    h_fact(b, s->rules, "rules");
    h_fact(b, s->detection, "detection");
    h_fact(b, s->correlation, "correlation");
    h_fact(b, s->tagged, "tagged with a technique");
    h_fact(b, s->techniques, s->roll_up ? "techniques (sub-techniques under parent)"
                                        : "techniques");
    sc_buf_puts(b, "</div>\n<p class=\"note\">Field names are normalized to the Sigma taxonomy "
                   "through the built-in pipelines");
    for (size_t i = 0; i < s->n_pipelines; i++) {
        sc_buf_puts(b, i ? ", " : " ");
        h_code(b, s->pipelines[i]);
    }
    sc_buf_puts(b, ", so one row gathers every vendor spelling of a field. Click a column "
                   "heading to sort a table.</p>\n<h3>Fields used most across the corpus</h3>\n"
                   "<table class=\"sortable\"><thead><tr><th>Field</th>"
                   "<th class=\"n\">Rules</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < s->n_top_fields; i++) {
        sc_buf_puts(b, "<tr><td>");
        h_code(b, s->top_fields[i].name);
        sc_buf_printf(b, "</td><td class=\"n\">%u</td></tr>\n", s->top_fields[i].rules);
    }
    sc_buf_puts(b, "</tbody></table>\n");
}

static void h_index(sc_buf *b, const cat_summary *s)
{
    sc_buf_puts(b, "<h3>Techniques</h3>\n<table class=\"sortable\"><thead><tr><th>Technique</th>"
                   "<th class=\"n\">Rules</th><th class=\"n\">Events</th><th class=\"n\">Fields"
                   "</th><th>Top field</th><th>Tactics</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < s->n_pages; i++) {
        const cat_page *p = &s->pages[i];
        sc_buf_puts(b, "<tr><td><a href=\"#");
        h_anchor(b, p->technique);
        sc_buf_printf(b, "\">%s</a></td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
                         "<td class=\"n\">%zu</td><td>", p->technique, p->n_rules, p->n_events,
                      p->fields_distinct);
        if (p->n_fields)
            h_code(b, p->fields[0].field);
        sc_buf_puts(b, "</td><td>");
        for (size_t k = 0; k < p->n_tactics; k++) {
            sc_buf_puts(b, k ? ", " : "");
            h_text(b, p->tactics[k].name);
        }
        sc_buf_puts(b, "</td></tr>\n");
    }
    sc_buf_puts(b, "</tbody></table>\n");
}

static void h_chips(sc_buf *b, const char *label, const cat_count *c, size_t n)
{
    sc_buf_printf(b, "<div class=\"chips\"><span class=\"muted\" style=\"border:0;"
                     "background:none;padding-left:0\">%s</span>", label);
    for (size_t i = 0; i < n; i++) {
        sc_buf_puts(b, "<span>");
        h_text(b, c[i].name);
        sc_buf_printf(b, " <b>%u</b></span>", c[i].rules);
    }
    if (!n)
        sc_buf_puts(b, "<span>none</span>");
    sc_buf_puts(b, "</div>\n");
}

static void h_events(sc_buf *b, const cat_page *p)
{
    sc_buf_printf(b, "<h3>Events covered</h3>\n<p class=\"note\">%zu %s read by at least one "
                     "rule under this technique, from the rules' logsources and their EventID "
                     "conditions.</p>\n", p->n_events,
                  plural(p->n_events, "event is", "events are"));
    if (!p->n_events)
        return;
    sc_buf_puts(b, "<table class=\"sortable\"><thead><tr><th>Provider</th><th class=\"n\">"
                   "Event ID</th><th>Title</th><th>Channel</th><th class=\"n\">Rules</th></tr>"
                   "</thead><tbody>\n");
    for (size_t i = 0; i < p->n_events; i++) {
        const cat_event_row *e = &p->events[i];
        sc_buf_puts(b, "<tr><td>");
        h_text(b, e->provider);
        sc_buf_printf(b, "</td><td class=\"n\">%d</td><td>", e->event_id);
        h_text(b, e->title);
        sc_buf_puts(b, "</td><td class=\"muted\">");
        h_text(b, e->channel);
        sc_buf_printf(b, "</td><td class=\"n\">%u</td></tr>\n", e->rules);
    }
    sc_buf_puts(b, "</tbody></table>\n");
}

static void h_op(sc_buf *b, const char *op)
{
    bool ex = !strncmp(op, "not ", 4);
    sc_buf_printf(b, "<span class=\"op%s\">", ex ? " ex" : "");
    h_text(b, op);
    sc_buf_puts(b, "</span>");
}

static void h_field_row(sc_buf *b, const cat_field_row *f)
{
    sc_buf_puts(b, "<tr><td>");
    h_code(b, f->field);
    sc_buf_printf(b, "</td><td class=\"n\">%u</td><td>", f->rules);
    for (size_t k = 0; k < f->n_ops; k++) {
        sc_buf_puts(b, k ? ", " : "");
        h_op(b, f->ops[k].name);
        sc_buf_printf(b, " %u", f->ops[k].rules);
    }
    sc_buf_puts(b, "</td><td>");
    for (size_t k = 0; k < f->n_samples; k++) {
        sc_buf_puts(b, k ? " " : "");
        h_value(b, f->samples[k]);
    }
    sc_buf_puts(b, "</td><td>");
    for (size_t k = 0; k < f->n_spellings; k++) {
        sc_buf_puts(b, k ? " " : "");
        h_code(b, f->spellings[k]);
    }
    sc_buf_puts(b, "</td></tr>\n");
}

static void h_fields(sc_buf *b, const cat_page *p)
{
    sc_buf_printf(b, "<h3>Fields filtered most (%zu distinct)</h3>\n<p class=\"note\">The "
                     "fields the rules filter on, each rule counted once per row. How: the "
                     "operators and the rules using each (<span class=\"ex\">not …</span> in an "
                     "exclusion). Written as: the spellings of the field in the rules.</p>\n",
                  p->fields_distinct);
    if (!p->n_fields)
        return;
    sc_buf_puts(b, "<table class=\"sortable wide\"><thead><tr><th>Field</th><th class=\"n\">Rules"
                   "</th><th>How</th><th>Sample values</th><th>Written as</th></tr></thead>"
                   "<tbody>\n");
    for (size_t i = 0; i < p->n_fields; i++)
        h_field_row(b, &p->fields[i]);
    sc_buf_puts(b, "</tbody></table>\n");
}

static void h_rule_link(sc_buf *b, const cat_page *p, uint32_t number)
{
    sc_buf_puts(b, "<li><a href=\"#");
    h_anchor(b, p->technique);
    sc_buf_printf(b, "-r%u\">#%u</a> ", number, number);
    if (number >= 1 && number <= p->n_rules)
        h_text(b, p->rules[number - 1].title);
    sc_buf_puts(b, "</li>");
}

static void h_item_row(sc_buf *b, const cat_page *p, const cat_item_row *r)
{
    sc_buf_puts(b, "<tr><td>");
    h_code(b, r->field);
    sc_buf_puts(b, "</td><td>");
    h_op(b, r->op);
    sc_buf_puts(b, "</td><td data-v=\"");
    h_text(b, r->value);
    sc_buf_puts(b, "\"><details><summary>");
    h_value(b, r->value);
    sc_buf_puts(b, "</summary><ul>");
    for (size_t k = 0; k < r->n_refs && k < MAX_TITLES_SHOWN; k++)
        h_rule_link(b, p, r->refs[k]);
    if (r->n_refs > MAX_TITLES_SHOWN)
        sc_buf_printf(b, "<li class=\"muted\">and %zu more</li>", r->n_refs - MAX_TITLES_SHOWN);
    sc_buf_printf(b, "</ul></details></td><td class=\"n\">%u</td><td class=\"n\" data-v=\"%u\">",
                  r->rules, r->reach);
    if (reach_shown(r))
        sc_buf_printf(b, "%u", r->reach);
    sc_buf_puts(b, "</td></tr>\n");
}

static void h_items(sc_buf *b, const cat_page *p, const char *heading, const char *note,
                    const cat_items *t)
{
    sc_buf_printf(b, "<h3>%s (%zu distinct)</h3>\n<p class=\"note\">%s</p>\n", heading,
                  t->distinct, note);
    if (!t->n)
        return;
    sc_buf_puts(b, "<table class=\"sortable wide\"><thead><tr><th>Field</th><th>Operator</th>"
                   "<th>Value</th><th class=\"n\">Rules</th><th class=\"n\">Corpus reach</th>"
                   "</tr></thead><tbody>\n");
    for (size_t i = 0; i < t->n; i++)
        h_item_row(b, p, &t->rows[i]);
    sc_buf_puts(b, "</tbody></table>\n");
}

static void h_rule_row(sc_buf *b, const cat_page *p, const cat_rule_row *r)
{
    sc_buf_puts(b, "<tr id=\"");
    h_anchor(b, p->technique);
    sc_buf_printf(b, "-r%u\"><td class=\"n\">%u</td><td>", r->number, r->number);
    h_text(b, r->title);
    if (!strcmp(r->kind, "correlation"))
        sc_buf_puts(b, " <span class=\"muted\">(correlation)</span>");
    sc_buf_puts(b, "</td><td>");
    h_text(b, r->level);
    sc_buf_puts(b, "</td><td>");
    h_text(b, r->logsource);
    sc_buf_puts(b, "</td><td>");
    h_text(b, r->schema);
    sc_buf_puts(b, "</td><td>");
    h_value(b, r->path);
    if (r->line > 1)
        sc_buf_printf(b, " <span class=\"muted\">line %u</span>", r->line);
    sc_buf_puts(b, "</td></tr>\n");
}

static void h_rules(sc_buf *b, const cat_page *p)
{
    sc_buf_printf(b, "<h3>Rules under this technique (%zu)</h3>\n", p->n_rules);
    for (size_t i = 0; i < p->n_rules; i++) {
        const cat_rule_row *r = &p->rules[i];
        if (i == 0 || strcmp(r->product, p->rules[i - 1].product)) {
            size_t n = product_run(p, i);
            sc_buf_puts(b, i ? "</tbody></table>\n<h4>" : "<h4>");
            h_text(b, r->product);
            sc_buf_printf(b, " · %zu %s</h4>\n<table class=\"sortable wide\"><thead><tr>"
                             "<th class=\"n\">#</th><th>Title</th><th>Level</th><th>Logsource"
                             "</th><th>Schema</th><th>Path</th></tr></thead><tbody>\n",
                          n, plural(n, "rule", "rules"));
        }
        h_rule_row(b, p, r);
    }
    if (p->n_rules)
        sc_buf_puts(b, "</tbody></table>\n");
}

static void h_page(sc_buf *b, const cat_page *p)
{
    sc_buf_puts(b, "<section id=\"");
    h_anchor(b, p->technique);
    sc_buf_printf(b, "\">\n<h2>%s</h2>\n<div class=\"facts\">", p->technique);
    h_fact(b, p->n_rules, "rules");
    h_fact(b, p->n_events, "events");
    h_fact(b, p->fields_distinct, "fields");
    h_fact(b, p->indicators.distinct, "indicator values");
    h_fact(b, p->exclusions.distinct, "exclusions");
    sc_buf_puts(b, "</div>\n");
    h_chips(b, "Tactics", p->tactics, p->n_tactics);
    h_chips(b, "By product", p->products, p->n_products);
    h_chips(b, "By logsource", p->logsources, p->n_logsources);
    h_events(b, p);
    h_fields(b, p);
    h_items(b, p, "Top indicator values",
            "(field, operator, value) combinations the rules look for, ranked by the rules under "
            "this technique using each. Corpus reach: the rules of the whole corpus using the "
            "same combination, shown when it exceeds this technique's count; a high reach marks "
            "a common, noisy indicator. Click a value for the rules using it.", &p->indicators);
    h_items(b, p, "Exclusions",
            "Combinations the rules exclude (under a not, or written with |neq): the false "
            "positives authors learned to filter out. Click a value for the rules excluding it.",
            &p->exclusions);
    h_rules(b, p);
    sc_buf_puts(b, "</section>\n");
}

void sc_catalog_html(sc_buf *b, const cat_summary *s)
{
    sc_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>ATT&amp;CK technique catalog");
    if (s->n_pages == 1)
        sc_buf_printf(b, " - %s", s->pages[0].technique);
    sc_buf_puts(b, "</title>\n");
    sc_buf_puts(b, STYLE);
    sc_buf_puts(b, "</head>\n<body>\n<main>\n");
    h_summary(b, s);
    if (s->n_pages > 1)
        h_index(b, s);
    for (size_t i = 0; i < s->n_pages; i++)
        h_page(b, &s->pages[i]);
    sc_buf_puts(b, "</main>\n");
    sc_buf_puts(b, SCRIPT);
    sc_buf_puts(b, "</body>\n</html>\n");
}
