/*
 * kql.c - Kusto Query Language for Microsoft Defender XDR advanced hunting
 * (and Microsoft Sentinel, which holds the same Device* tables).
 *
 * A detection rule becomes `Table\n| where condition`. The table is the
 * rule's custom attribute `kql_table`, which the pipeline sets per
 * logsource category (pipelines/microsoft_xdr.yml); a rule without one is
 * refused. KQL string operators are case-insensitive unless `_cs` / `==`:
 * equality `=~` / `==`, sets `in~` / `in`, `contains`, `startswith`,
 * `endswith` (and `_cs`); any other wildcard pattern is an anchored RE2
 * `matches regex`. null and exists read an empty string as absent (KQL
 * string columns hold "" where a value is missing). Keywords, time parts
 * and field references other than equality are refused. Mapping table:
 * docs/backends/kql.md.
 */
#include "common.h"
#include "re2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- literals */
/* A KQL string literal: "..." with \\ \" \n \r \t. Other control
 * characters have no escape we rely on: false (the caller refuses). */
static bool string_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

static void put_string(sc_buf *b, const char *s, size_t n)
{
    sc_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        switch (c) {
        case '"': sc_buf_puts(b, "\\\""); break;
        case '\\': sc_buf_puts(b, "\\\\"); break;
        case '\n': sc_buf_puts(b, "\\n"); break;
        case '\r': sc_buf_puts(b, "\\r"); break;
        case '\t': sc_buf_puts(b, "\\t"); break;
        default: sc_buf_putc(b, c);
        }
    }
    sc_buf_putc(b, '"');
}

static bool plain_ident(const char *f)
{
    if (!*f || (*f >= '0' && *f <= '9'))
        return false;
    for (const char *p = f; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
              (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* A column: as it is when it is an identifier, else ["name"]. */
static bool put_field(sc_emit *e, sc_loc loc, const char *f)
{
    if (plain_ident(f)) {
        sc_buf_puts(e->out, f);
        return true;
    }
    if (!string_ok(f, strlen(f))) {
        sc_emit_error(e, loc, "a control character in a field name");
        return false;
    }
    sc_buf_putc(e->out, '[');
    put_string(e->out, f, strlen(f));
    sc_buf_putc(e->out, ']');
    return true;
}

static bool put_literal(sc_emit *e, const sc_value *v, const char *s, size_t n)
{
    if (!string_ok(s, n)) {
        sc_emit_error(e, v->loc, "a control character other than tab, newline and carriage "
                                 "return in a string");
        return false;
    }
    put_string(e->out, s, n);
    return true;
}

/* ------------------------------------------------------------- patterns */
/* f matches regex "(?is)^...$" for a wildcard pattern. */
static void put_pattern_regex(sc_emit *e, const sc_match *m, const sc_value *v)
{
    sc_buf re = {0};
    sc_buf_puts(&re, m->cased ? "(?s)^" : "(?is)^");
    for (size_t i = 0; i < v->n_parts; i++) {
        const sc_part *p = &v->parts[i];
        if (p->kind == SC_PART_STAR)
            sc_buf_puts(&re, ".*");
        else if (p->kind == SC_PART_ONE)
            sc_buf_putc(&re, '.');
        else
            for (size_t k = 0; k < p->len; k++)
                sc_re2_put_char(&re, (unsigned char)p->text[k], 0);
    }
    sc_buf_putc(&re, '$');
    put_field(e, m->field_loc, m->field);
    sc_buf_puts(e->out, " matches regex ");
    put_string(e->out, re.data ? re.data : "", re.len);
    sc_buf_free(&re);
}

/* One wildcard pattern: contains / startswith / endswith when it is one
 * literal with stars at its ends, isnotempty for stars alone, else a
 * regex. */
static bool put_pattern(sc_emit *e, const sc_match *m, const sc_value *v)
{
    if (sc_has_placeholder(e, v))
        return false;
    size_t n = v->n_parts, lits = 0, lit = 0, first = 0, last = n;
    bool ones = false, inner_star = false;
    for (size_t i = 0; i < n; i++) {
        if (v->parts[i].kind == SC_PART_LIT && v->parts[i].len) {
            lits++;
            lit = i;
        } else if (v->parts[i].kind == SC_PART_ONE) {
            ones = true;
        }
    }
    while (first < n && v->parts[first].kind == SC_PART_STAR)
        first++;
    while (last > first && v->parts[last - 1].kind == SC_PART_STAR)
        last--;
    for (size_t i = first; i < last; i++)
        if (v->parts[i].kind == SC_PART_STAR)
            inner_star = true;
    if (!ones && lits == 0) { /* only stars: any value */
        sc_buf_puts(e->out, "isnotempty(");
        if (!put_field(e, m->field_loc, m->field))
            return false;
        sc_buf_putc(e->out, ')');
        return true;
    }
    if (ones || inner_star || lits != 1 || !string_ok(v->parts[lit].text, v->parts[lit].len)) {
        put_pattern_regex(e, m, v);
        return true;
    }
    const char *op = first > 0 && last < n ? "contains" : first > 0 ? "endswith" : "startswith";
    if (!put_field(e, m->field_loc, m->field))
        return false;
    sc_buf_printf(e->out, " %s%s ", op, m->cased ? "_cs" : "");
    put_string(e->out, v->parts[lit].text, v->parts[lit].len);
    return true;
}

/* --------------------------------------------------------------- leaves */
static bool is_wildcard(const sc_value *v)
{
    return v->kind == SC_VAL_STRING && sc_pattern_has_wildcards(v->parts, v->n_parts);
}

/* Kusto parses `a or b or c` into a left-deep tree, and its analyzer gives up
 * on a query nested deeper than 500 (KS245, "semantic analysis not
 * performed"): a list of patterns longer than this is written as
 * parenthesised groups of this many, one level per group. */
#define PATTERN_GROUP 64

/* One comparison per value kind of an equality, ORed. */
/* Is `field` a string column that a Sigma number must be compared with as
 * text? Kusto does not convert between the two. The pipeline lists such
 * columns (kql_text_columns, for example those it computes itself). */
static bool is_text_column(const sc_emit *e, const char *field)
{
    const char *list = sc_pipeline_attribute(e->rule, "kql_text_columns");
    size_t n = strlen(field);
    for (const char *p = list; p && *p;) {
        p += strspn(p, ", ");
        size_t k = strcspn(p, ", ");
        if (k == n && !strncmp(p, field, n))
            return true;
        p += k;
    }
    return false;
}

/* A plain (wildcard-free) value as text: a number as written in the rule. */
static bool is_plain_text(const sc_value *v, bool numbers_as_text)
{
    return (v->kind == SC_VAL_STRING && !is_wildcard(v)) ||
           (numbers_as_text && v->kind == SC_VAL_NUMBER);
}

static bool put_equality(sc_emit *e, const sc_match *m, const sc_value *const *vals, size_t n)
{
    sc_buf *b = e->out;
    size_t nulls = 0, nums = 0, plain = 0, pats = 0;
    bool text_column = is_text_column(e, m->field);
    for (size_t i = 0; i < n; i++) {
        const sc_value *v = vals[i];
        if (v->kind == SC_VAL_NULL)
            nulls++;
        else if (is_plain_text(v, text_column))
            plain++;
        else if (v->kind == SC_VAL_NUMBER || v->kind == SC_VAL_BOOL)
            nums++;
        else if (is_wildcard(v))
            pats++;
        else
            plain++;
    }
    size_t terms = (nulls > 0) + (nums > 0) + (plain > 0) + pats;
    bool ok = true, first = true;
    if (terms > 1)
        sc_buf_putc(b, '(');
#define SEP()                                                                                    \
    do {                                                                                         \
        if (!first)                                                                              \
            sc_buf_puts(b, " or ");                                                              \
        first = false;                                                                           \
    } while (0)
    if (nulls) {
        SEP();
        sc_buf_puts(b, "isempty(");
        ok = put_field(e, m->field_loc, m->field);
        sc_buf_putc(b, ')');
    }
    if (nums && ok) {
        SEP();
        ok = put_field(e, m->field_loc, m->field);
        sc_buf_puts(b, nums > 1 ? " in (" : " == ");
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const sc_value *v = vals[i];
            if (v->kind == SC_VAL_NUMBER && !text_column)
                sc_buf_puts(b, k++ ? ", " : ""), sc_put_number(b, v);
            else if (v->kind == SC_VAL_BOOL)
                sc_buf_puts(b, k++ ? ", " : ""), sc_buf_puts(b, v->bval ? "true" : "false");
        }
        if (nums > 1)
            sc_buf_putc(b, ')');
    }
    if (plain && ok) {
        SEP();
        ok = put_field(e, m->field_loc, m->field);
        if (plain > 1)
            sc_buf_puts(b, m->cased ? " in (" : " in~ (");
        else
            sc_buf_puts(b, m->cased ? " == " : " =~ ");
        size_t k = 0;
        for (size_t i = 0; i < n && ok; i++) {
            const sc_value *v = vals[i];
            if (!is_plain_text(v, text_column))
                continue;
            if (v->kind == SC_VAL_NUMBER) {
                sc_buf_puts(b, k++ ? ", " : "");
                ok = put_literal(e, v, v->raw, v->raw_len);
                continue;
            }
            if (sc_has_placeholder(e, v)) {
                ok = false;
                break;
            }
            if (k++)
                sc_buf_puts(b, ", ");
            sc_buf text = {0};
            sc_put_plain_text(v, &text);
            ok = put_literal(e, v, text.data ? text.data : "", text.len);
            sc_buf_free(&text);
        }
        if (plain > 1)
            sc_buf_putc(b, ')');
    }
    bool grouped = pats > PATTERN_GROUP;
    for (size_t i = 0, k = 0; i < n && ok; i++) {
        if (!is_wildcard(vals[i]))
            continue;
        bool opens = grouped && k % PATTERN_GROUP == 0;
        if (opens && k)
            sc_buf_putc(b, ')');
        SEP();
        if (opens)
            sc_buf_putc(b, '(');
        k++;
        ok = put_pattern(e, m, vals[i]);
    }
    if (grouped)
        sc_buf_putc(b, ')');
#undef SEP
    if (terms > 1)
        sc_buf_putc(b, ')');
    return ok;
}

/* The values of a match, ORed (one value when |all splits them). */
static bool put_values(sc_emit *e, const sc_match *m, const sc_value *const *vals, size_t n)
{
    sc_buf *b = e->out;
    if (m->op == SC_OP_EQ)
        return put_equality(e, m, vals, n);
    if (m->op == SC_OP_FIELDREF) {
        if (n != 1 || m->mods & (SC_MODBIT(SC_MOD_CONTAINS) | SC_MODBIT(SC_MOD_STARTSWITH) |
                                 SC_MODBIT(SC_MOD_ENDSWITH))) {
            sc_emit_error(e, m->field_loc, "a field reference other than equality with one "
                                           "field");
            return false;
        }
        if (!put_field(e, m->field_loc, m->field))
            return false;
        sc_buf_puts(b, m->cased ? " == " : " =~ ");
        return put_field(e, vals[0]->loc, vals[0]->raw);
    }
    if (n > 1)
        sc_buf_putc(b, '(');
    for (size_t i = 0; i < n; i++) {
        const sc_value *v = vals[i];
        if (i)
            sc_buf_puts(b, " or ");
        switch (m->op) {
        /* A comparison on a null column, or a range test on text that is no
         * address, is null in Kusto, and not(null) drops the row where
         * Sigma's not is true: under a not, null counts as false. */
        case SC_OP_LT:
        case SC_OP_LTE:
        case SC_OP_GT:
        case SC_OP_GTE:
            sc_buf_puts(b, e->negated ? "coalesce(" : "");
            if (!put_field(e, m->field_loc, m->field))
                return false;
            sc_buf_printf(b, " %s ", sc_op_compare_text(m->op));
            sc_put_number(b, v);
            sc_buf_puts(b, e->negated ? ", false)" : "");
            break;
        case SC_OP_CIDR:
            sc_buf_puts(b, e->negated ? "coalesce(" : "");
            sc_buf_puts(b, v->family == 6 ? "ipv6_is_in_range(" : "ipv4_is_in_range(");
            if (!put_field(e, m->field_loc, m->field))
                return false;
            sc_buf_puts(b, ", ");
            if (!put_literal(e, v, v->raw, v->raw_len))
                return false;
            sc_buf_puts(b, e->negated ? "), false)" : ")");
            break;
        case SC_OP_RE: {
            sc_buf re = {0};
            bool ok = sc_re2_from_pcre(e, m, v, &re, 0);
            if (ok) {
                ok = put_field(e, m->field_loc, m->field);
                sc_buf_puts(b, " matches regex ");
                put_string(b, re.data ? re.data : "", re.len);
            }
            sc_buf_free(&re);
            if (!ok)
                return false;
            break;
        }
        default: return false;
        }
    }
    if (n > 1)
        sc_buf_putc(b, ')');
    return true;
}

static bool put_match(sc_emit *e, const sc_match *m)
{
    sc_buf *b = e->out;
    if (!m->field) {
        sc_emit_error(e, m->field_loc, "keyword (full-text) searches (`has` matches terms, "
                                       "not substrings)");
        return false;
    }
    if (m->timepart != SC_TIME_NONE) {
        sc_emit_error(e, m->field_loc, "time-part modifiers (minute, hour, day, ...)");
        return false;
    }
    if (m->negated)
        sc_buf_puts(b, "not(");
    bool ok = true;
    if (m->op == SC_OP_EXISTS) {
        sc_buf_puts(b, m->values[0].bval ? "isnotempty(" : "isempty(");
        ok = put_field(e, m->field_loc, m->field);
        sc_buf_putc(b, ')');
    } else if (m->all && m->n_values > 1) {
        sc_buf_putc(b, '(');
        for (size_t i = 0; i < m->n_values && ok; i++) {
            if (i)
                sc_buf_puts(b, " and ");
            const sc_value *v = &m->values[i];
            ok = put_values(e, m, &v, 1);
        }
        sc_buf_putc(b, ')');
    } else {
        const sc_value **vals = malloc((m->n_values ? m->n_values : 1) * sizeof *vals);
        if (!vals) {
            e->out->oom = true;
            return false;
        }
        for (size_t i = 0; i < m->n_values; i++)
            vals[i] = &m->values[i];
        ok = put_values(e, m, vals, m->n_values);
        free(vals);
    }
    if (m->negated)
        sc_buf_putc(b, ')');
    return ok;
}

/* ---------------------------------------------------------------- trees */
static const sc_bool_syntax KQL_SYNTAX = {
    .and_op = " and ", .or_op = " or ", .not_open = "not(", .not_close = ")",
    .not_is_call = true, .true_lit = "true", .false_lit = "false", .put_match = put_match,
};

static bool put_query(sc_emit *e, const sigcc_rule *r)
{
    const char *table = sc_custom_attribute(r, "kql_table");
    sc_loc at = sc_rule_loc(r);
    if (!table) {
        sc_emit_error(e, at, "logsource (category %s, product %s, service %s): no table for it "
                             "(the pipeline sets the rule's kql_table attribute; "
                             "microsoft_xdr knows the Sysmon categories with a Defender table, "
                             "-p sentinel_windows adds Windows event logs and -p sentinel_cloud "
                             "CloudTrail, Entra ID, Azure activity, GCP audit and Microsoft 365 audit "
                             "logs on Sentinel's tables)",
                      r->logsource.category ? r->logsource.category : "-",
                      r->logsource.product ? r->logsource.product : "-",
                      r->logsource.service ? r->logsource.service : "-");
        return false;
    }
    if (!plain_ident(table)) {
        sc_emit_error(e, at, "the table name '%s' (kql_table must be an identifier)", table);
        return false;
    }
    sc_buf_printf(e->out, "%s\n", table);
    /* Columns the pipeline computes from the table's own (for example
     * Sysmon's TargetObject from RegistryKey and RegistryValueName). */
    const char *extend = sc_pipeline_attribute(r, "kql_extend");
    if (extend)
        sc_buf_printf(e->out, "| extend %s\n", extend);
    sc_buf_puts(e->out, "| where ");
    return sc_put_rule_condition(e, &KQL_SYNTAX, r);
}

static bool put_rule_query(sc_emit *e, void *arg)
{
    (void)arg;
    return put_query(e, e->rule);
}

/* ------------------------------------------------------ hunting columns */
/* docs/hunting.md: extend before summarize, extra aggregates in it,
 * Severity and the order after it. */
static bool put_hunt_string(sc_emit *e, sc_loc loc, const char *s)
{
    if (!string_ok(s, strlen(s))) {
        sc_emit_error(e, loc, "a control character in a hunting label or value");
        return false;
    }
    put_string(e->out, s, strlen(s));
    return true;
}

/* field in (numbers) / field in~ (strings): Sigma's case-insensitive
 * equality for the labels' values. */
static bool put_hunt_membership(sc_emit *e, sc_loc loc, const char *field,
                                const sc_hunt_literal *v, size_t n, bool fold)
{
    size_t numbers = 0;
    for (size_t i = 0; i < n; i++)
        numbers += v[i].is_number;
    bool ok = true, both = numbers && numbers < n;
    if (both)
        sc_buf_putc(e->out, '(');
    for (int pass = 0; pass < 2 && ok; pass++) {
        bool want_number = pass == 0;
        if (want_number ? !numbers : numbers == n)
            continue;
        if (pass == 1 && numbers)
            sc_buf_puts(e->out, " or ");
        ok = put_field(e, loc, field);
        sc_buf_puts(e->out, want_number || !fold ? " in (" : " in~ (");
        bool first = true;
        for (size_t i = 0; i < n && ok; i++) {
            if (v[i].is_number != want_number)
                continue;
            sc_buf_puts(e->out, first ? "" : ", ");
            first = false;
            if (want_number)
                sc_buf_printf(e->out, "%.17g", v[i].num);
            else
                ok = put_hunt_string(e, loc, v[i].text);
        }
        sc_buf_putc(e->out, ')');
    }
    if (both)
        sc_buf_putc(e->out, ')');
    return ok;
}

static bool put_hunt_columns(sc_emit *e, const sc_hunting *h)
{
    bool ok = true;
    for (size_t i = 0; i < h->n_columns && ok; i++) {
        const sc_hunt_column *c = &h->columns[i];
        sc_buf_printf(e->out, "\n| extend %s = case(", c->name);
        for (size_t k = 0; k < c->n_cases && ok; k++) {
            ok = put_hunt_membership(e, c->loc, c->field, c->cases[k].values,
                                     c->cases[k].n_values, true);
            sc_buf_puts(e->out, ", ");
            ok = ok && put_hunt_string(e, c->loc, c->cases[k].label);
            sc_buf_puts(e->out, ", ");
        }
        ok = ok && put_hunt_string(e, c->loc, c->otherwise);
        sc_buf_putc(e->out, ')');
    }
    return ok;
}

static bool put_hunt_aggregates(sc_emit *e, const sc_hunting *h)
{
    static const char *const fns[] = {"count_distinct", "sum", "avg", "min", "max", "make_set"};
    bool ok = true;
    for (size_t i = 0; h && i < h->n_aggregates && ok; i++) {
        const sc_hunt_aggregate *g = &h->aggregates[i];
        sc_buf_printf(e->out, ", %s = %s(", g->name, fns[g->fn]);
        ok = put_field(e, g->loc, g->field);
        sc_buf_putc(e->out, ')');
    }
    return ok;
}

static bool is_set_aggregate(const sc_hunting *h, const char *name)
{
    for (size_t i = 0; i < h->n_aggregates; i++)
        if (!strcmp(h->aggregates[i].name, name))
            return h->aggregates[i].fn == SC_HUNT_VALUES;
    return false;
}

static bool put_hunt_test(sc_emit *e, const sc_hunting *h, const sc_hunt_test *t)
{
    if (t->cmp != SC_CMP_EQ) {
        bool ok = put_field(e, t->loc, t->name);
        sc_buf_printf(e->out, " %s %.17g", sc_cmp_text(t->cmp, "==", "!="), t->values[0].num);
        return ok;
    }
    if (!is_set_aggregate(h, t->name))
        return put_hunt_membership(e, t->loc, t->name, t->values, t->n_values, false);
    bool ok = true;
    sc_buf_putc(e->out, '(');
    for (size_t i = 0; i < t->n_values && ok; i++) {
        sc_buf_puts(e->out, i ? " or set_has_element(" : "set_has_element(");
        ok = put_field(e, t->loc, t->name);
        sc_buf_puts(e->out, ", ");
        if (t->values[i].is_number)
            sc_buf_printf(e->out, "%.17g", t->values[i].num);
        else
            ok = ok && put_hunt_string(e, t->loc, t->values[i].text);
        sc_buf_putc(e->out, ')');
    }
    sc_buf_putc(e->out, ')');
    return ok;
}

/* Severity from the first step whose tests all hold, then the order. */
static bool put_hunt_result(sc_emit *e, const sc_hunting *h)
{
    bool ok = true;
    if (h->n_severity) {
        const sc_hunt_severity *last = &h->severity[h->n_severity - 1];
        sc_buf_puts(e->out, "\n| extend Severity = case(");
        for (size_t i = 0; i < h->n_severity && ok; i++) {
            const sc_hunt_severity *s = &h->severity[i];
            for (size_t k = 0; k < s->n_tests && ok; k++) {
                sc_buf_puts(e->out, k ? " and " : "");
                ok = put_hunt_test(e, h, &s->tests[k]);
            }
            if (s->n_tests)
                sc_buf_printf(e->out, ", \"%s\", ", s->level);
        }
        sc_buf_printf(e->out, "\"%s\")",
                      last->n_tests ? sc_level_or(e->rule->level, "informational") : last->level);
    }
    if (ok && h->sort_by) {
        sc_buf_puts(e->out, "\n| sort by ");
        ok = put_field(e, sc_rule_loc(e->rule), h->sort_by);
        sc_buf_puts(e->out, h->sort_descending ? " desc" : " asc");
    }
    return ok;
}

/* --------------------------------------------------------- rule formats */
/* Sentinel analytics rules and Defender custom detections wrap the query
 * with the rule's metadata and a schedule. A detection runs every hour over
 * the last hour. A correlation's query looks back its own timespan T
 * (Timestamp > ago(T)); it must run at least once per T, or events between
 * two runs would never be counted, and the more often it runs the longer
 * the bursts it sees whole (up to T minus the run interval). */
static void put_yaml_string(sc_buf *b, const char *s)
{
    sc_buf_putc(b, '"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sc_buf_printf(b, "\\%c", c);
        else if (c == '\n')
            sc_buf_puts(b, "\\n");
        else if (c < 0x20 || c == 0x7f)
            sc_buf_printf(b, "\\x%02x", c);
        else
            sc_buf_putc(b, (char)c);
    }
    sc_buf_putc(b, '"');
}

/* "command-and-control" -> "CommandAndControl", the spelling of Sentinel
 * and Defender. */
static void put_camel_tactic(sc_buf *b, const sc_tactic *t)
{
    bool word_start = true;
    for (const char *p = t->name; *p; p++) {
        if (*p == ' ' || *p == '-') {
            word_start = true;
            continue;
        }
        sc_buf_putc(b, word_start && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
        word_start = false;
    }
}

/* The techniques of the rule's tags, as "T1071.003". */
static size_t techniques(const sigcc_rule *r, char ids[][32], size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < r->tags.n && n < cap; i++)
        if (sc_technique_id(r->tags.items[i], ids[n], sizeof ids[n]))
            n++;
    return n;
}

/* Sentinel identifies rules by GUID: the Sigma id, or one derived from the
 * file and title so that it is stable across runs. */
static void put_rule_guid(sc_buf *b, const sigcc_rule *r)
{
    if (r->id) {
        sc_buf_puts(b, r->id);
        return;
    }
    uint64_t h1 = sc_hash64(r->file, strlen(r->file));
    uint64_t h2 = sc_hash64(r->title ? r->title : "", r->title ? strlen(r->title) : 0) ^
                  (uint64_t)r->doc_index;
    sc_buf_printf(b, "%08x-%04x-8%03x-%04x-%012llx", (unsigned)(h1 >> 32),
                  (unsigned)(h1 >> 16) & 0xffff, (unsigned)h1 & 0xfff,
                  0x8000 | ((unsigned)(h2 >> 48) & 0x3fff),
                  (unsigned long long)(h2 & 0xffffffffffffULL));
}

static const char *sentinel_severity(const char *level)
{
    if (!level || !strcmp(level, "informational"))
        return "Informational";
    if (!strcmp(level, "low"))
        return "Low";
    return !strcmp(level, "medium") ? "Medium" : "High";
}

/* The tables a rule's query reads. */
static size_t query_tables(const sigcc_rule *r, const char **tables, size_t cap)
{
    size_t n = 0;
    size_t sources = r->corr ? r->corr->n_rules : 1;
    for (size_t i = 0; i < sources; i++) {
        const sigcc_rule *src = r->corr ? r->corr->rules[i].target : r;
        const char *t = src ? sc_custom_attribute(src, "kql_table") : NULL;
        bool seen = !t;
        for (size_t k = 0; k < n && !seen; k++)
            seen = !strcmp(tables[k], t);
        if (!seen && n < cap)
            tables[n++] = t;
    }
    return n;
}

/* The Sentinel data connector that fills a table, by its id in Sentinel's
 * content (the connectorId of Microsoft's analytics rules): Windows Security
 * Events for SecurityEvent, Windows Forwarded Events for WindowsEvent, the
 * cloud connectors for the tables of sentinel_cloud, Microsoft Defender XDR
 * for the others (the Device* tables). */
static const char *table_connector(const char *table)
{
    static const char *const map[][2] = {
        {"SecurityEvent", "WindowsSecurityEvents"},
        {"WindowsEvent", "WindowsForwardedEvents"},
        {"AWSCloudTrail", "AWS"},
        {"SigninLogs", "AzureActiveDirectory"},
        {"AuditLogs", "AzureActiveDirectory"},
        {"AADUserRiskEvents", "AzureActiveDirectory"},
        {"AzureActivity", "AzureActivity"},
        {"GCPAuditLogs", "GCPAuditLogsDefinition"},
        {"OfficeActivity", "Office365"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(table, map[i][0]))
            return map[i][1];
    return "MicrosoftThreatProtection";
}

/* requiredDataConnectors: each connector once, with the tables it fills. */
static void put_data_connectors(sc_buf *b, const char *const *tables, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *connector = table_connector(tables[i]);
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(table_connector(tables[k]), connector);
        if (seen)
            continue;
        sc_buf_printf(b, "  - connectorId: %s\n    dataTypes:\n", connector);
        for (size_t k = i; k < n; k++)
            if (!strcmp(table_connector(tables[k]), connector))
                sc_buf_printf(b, "      - %s\n", tables[k]);
    }
}

static bool put_sentinel_rule(sc_emit *e, const sc_buf *query)
{
    const sigcc_rule *r = e->rule;
    sc_buf *b = e->out;
    uint64_t period = r->corr ? r->corr->timespan_s : 3600;
    /* Sentinel schedules from 5 minutes to 14 days. */
    if (period < 300 || period > 14 * 86400) {
        sc_emit_error(e, sc_rule_loc(r), "a correlation window of %llus as a Sentinel rule "
                      "(queries run every 5 minutes to 14 days; a shorter window leaves events "
                      "between runs unexamined, a longer one is beyond the look-back limit)",
                      (unsigned long long)period);
        return false;
    }
    uint64_t frequency = r->corr ? period / 4 : period;
    frequency = frequency < 300 ? 300 : frequency > 3600 ? 3600 : frequency - frequency % 60;
    sc_buf_puts(b, "id: ");
    put_rule_guid(b, r);
    sc_buf_puts(b, "\nname: ");
    put_yaml_string(b, r->title);
    sc_buf_puts(b, "\ndescription: ");
    put_yaml_string(b, r->description ? r->description : r->title);
    sc_buf_printf(b, "\nseverity: %s\nrequiredDataConnectors:\n", sentinel_severity(r->level));
    const char *tables[8];
    put_data_connectors(b, tables, query_tables(r, tables, 8));
    sc_buf_puts(b, "queryFrequency: ");
    sc_put_span(b, frequency, true);
    sc_buf_puts(b, "\nqueryPeriod: ");
    sc_put_span(b, period, true);
    sc_buf_puts(b, "\ntriggerOperator: gt\ntriggerThreshold: 0\ntactics:");
    bool any = false;
    for (size_t i = 0; i < r->tags.n; i++) {
        const sc_tactic *t = sc_tactic_for_tag(r->tags.items[i]);
        if (t) {
            sc_buf_puts(b, "\n  - ");
            put_camel_tactic(b, t);
            any = true;
        }
    }
    sc_buf_puts(b, any ? "\nrelevantTechniques:" : " []\nrelevantTechniques:");
    char ids[32][32];
    size_t n = techniques(r, ids, 32);
    for (size_t i = 0; i < n; i++)
        sc_buf_printf(b, "\n  - %s", ids[i]);
    /* A literal block keeps the query readable; our KQL never starts a
     * line with a space or holds a raw line break inside a literal. */
    sc_buf_puts(b, n ? "\nquery: |\n  " : " []\nquery: |\n  ");
    for (size_t i = 0; i < query->len; i++) {
        sc_buf_putc(b, query->data[i]);
        if (query->data[i] == '\n' && i + 1 < query->len)
            sc_buf_puts(b, "  ");
    }
    sc_buf_puts(b, "\nversion: 1.0.0\nkind: Scheduled\n");
    return true;
}

static void put_json_str(sc_buf *b, const char *s)
{
    sc_buf_put_json_string(b, s ? s : "", s ? strlen(s) : 0);
}

static const char *defender_severity(const char *level)
{
    return !level || !strcmp(level, "critical") ? (level ? "high" : "medium") : level;
}

/* Defender runs custom detections every 1, 3, 12 or 24 hours over the last
 * 4, 12, 48 hours or 30 days: the most frequent schedule whose look-back
 * holds the correlation's window. */
static const char *defender_period(sc_emit *e)
{
    static const struct {
        const char *period;
        uint64_t lookback;
    } schedules[] = {{"1H", 4 * 3600}, {"3H", 12 * 3600}, {"12H", 48 * 3600},
                     {"24H", 30 * 86400}};
    const sc_correlation *c = e->rule->corr;
    if (!c)
        return "1H";
    for (size_t i = 0; c->timespan_s >= 3600 && i < 4; i++)
        if (c->timespan_s <= schedules[i].lookback)
            return schedules[i].period;
    sc_emit_error(e, sc_rule_loc(e->rule), "a correlation window of %llus as a Defender custom "
                  "detection (it runs at most hourly and looks back at most 30 days: a window "
                  "under 1h leaves events between runs unexamined)",
                  (unsigned long long)c->timespan_s);
    return NULL;
}

/* Custom detections query Defender XDR's advanced hunting tables, whose
 * events carry Timestamp, ReportId and DeviceId (the alert names its event
 * and device by them). A source whose pipeline gave it another time column
 * (kql_time_column TimeGenerated: a Log Analytics table of Sentinel such as
 * SecurityEvent) is not one of them. */
static bool defender_tables(sc_emit *e)
{
    const sigcc_rule *r = e->rule;
    size_t sources = r->corr ? r->corr->n_rules : 1;
    for (size_t i = 0; i < sources; i++) {
        const sigcc_rule *src = r->corr ? r->corr->rules[i].target : r;
        const char *time = src ? sc_pipeline_attribute(src, "kql_time_column") : NULL;
        if (time && strcmp(time, "Timestamp") != 0) {
            const char *table = sc_custom_attribute(src, "kql_table");
            sc_emit_error(e, sc_rule_loc(r), "the table %s (time column %s) as a Defender "
                          "custom detection (custom detections query Defender XDR's advanced "
                          "hunting tables, whose events carry Timestamp, ReportId and DeviceId; "
                          "-f sentinel-yaml writes a Sentinel rule)",
                          table ? table : "-", time);
            return false;
        }
    }
    return true;
}

/* A Microsoft Graph detectionRule (custom detection) object. */
static bool put_defender_rule(sc_emit *e, const sc_buf *query)
{
    const sigcc_rule *r = e->rule;
    sc_buf *b = e->out;
    if (!defender_tables(e))
        return false;
    const char *period = defender_period(e);
    if (!period)
        return false;
    sc_buf_puts(b, "{\"displayName\":");
    put_json_str(b, r->title);
    sc_buf_puts(b, ",\"isEnabled\":true,\"queryCondition\":{\"queryText\":");
    sc_buf_put_json_string(b, query->data, query->len);
    sc_buf_printf(b, "},\"schedule\":{\"period\":\"%s\"},\"detectionAction\":"
                     "{\"alertTemplate\":{\"title\":", period);
    put_json_str(b, r->title);
    sc_buf_puts(b, ",\"description\":");
    put_json_str(b, r->description ? r->description : r->title);
    sc_buf_printf(b, ",\"severity\":\"%s\",\"category\":\"", defender_severity(r->level));
    const sc_tactic *tactic = NULL;
    for (size_t i = 0; i < r->tags.n && !tactic; i++)
        tactic = sc_tactic_for_tag(r->tags.items[i]);
    if (tactic)
        put_camel_tactic(b, tactic);
    else
        sc_buf_puts(b, "SuspiciousActivity");
    sc_buf_puts(b, "\",\"recommendedActions\":null,\"mitreTechniques\":[");
    char ids[32][32];
    size_t n = techniques(r, ids, 32);
    for (size_t i = 0; i < n; i++)
        sc_buf_printf(b, "%s\"%s\"", i ? "," : "", ids[i]);
    sc_buf_puts(b, "],\"impactedAssets\":[{\"@odata.type\":"
                   "\"#microsoft.graph.security.impactedDeviceAsset\",\"identifier\":"
                   "\"deviceId\"}]},\"responseActions\":[]}}\n");
    return true;
}

/* The query as it is, or in the rule format asked for. */
static bool finish(sc_emit *e, const char *format, const sc_buf *query)
{
    if (!strcmp(format, "sentinel-yaml"))
        return put_sentinel_rule(e, query);
    if (!strcmp(format, "defender-json"))
        return put_defender_rule(e, query);
    sc_emit_line(e, query);
    return true;
}

static bool kql_detection(sc_emit *e, const char *format)
{
    sc_buf query = {0};
    bool ok = sc_emit_into(e, &query, put_rule_query, NULL);
    const sc_hunting *h = e->rule->hunting;
    if (ok && h) {
        sc_buf *out = e->out;
        e->out = &query;
        ok = put_hunt_columns(e, h) && put_hunt_result(e, h);
        e->out = out;
    }
    if (ok)
        ok = finish(e, format, &query);
    sc_buf_free(&query);
    return ok;
}

/* ---------------------------------------------------------- correlations */
static bool refuse_aggregate(sc_emit *e, const sc_correlation *c)
{
    sc_emit_error(e, sc_rule_loc(e->rule), "%s correlations (%s)", sc_corr_type_name(c->type),
                  c->type == SC_CORR_VALUE_PERCENTILE
                      ? "Kusto's percentile() is an estimate, not the exact rank"
                      : "summarize does not see the order of events: one query cannot tell "
                        "whether the rules matched in sequence");
    return false;
}

/* The aggregate column of a correlation: its name, written into *name. */
static bool put_aggregate(sc_emit *e, const sc_correlation *c, const char **name)
{
    sc_loc at = sc_rule_loc(e->rule);
    sc_buf *b = e->out;
    *name = sc_corr_value_name(c->type);
    if (c->type == SC_CORR_TEMPORAL) {
        sc_buf_printf(b, "%s = count_distinct(SigmaRule)", *name);
        return true;
    }
    if (c->type == SC_CORR_TEMPORAL_ORDERED || c->type == SC_CORR_VALUE_PERCENTILE)
        return refuse_aggregate(e, c);
    if (c->type != SC_CORR_EVENT_COUNT && c->n_fields != 1) {
        sc_emit_error(e, at, "a %s over %zu fields in one aggregate", sc_corr_type_name(c->type),
                      c->n_fields);
        return false;
    }
    *name = sc_corr_value_name(c->type);
    switch (c->type) {
    case SC_CORR_EVENT_COUNT:
        sc_buf_printf(b, "%s = count()", *name);
        return true;
    case SC_CORR_VALUE_COUNT: sc_buf_printf(b, "%s = count_distinct(", *name); break;
    case SC_CORR_VALUE_SUM: sc_buf_printf(b, "%s = sum(", *name); break;
    case SC_CORR_VALUE_AVG: sc_buf_printf(b, "%s = avg(", *name); break;
    default: return refuse_aggregate(e, c);
    }
    if (!put_field(e, at, c->fields[0]))
        return false;
    sc_buf_putc(b, ')');
    return true;
}

/* The events of the referenced rules: one rule's query, or a union. */
static bool put_sources(sc_emit *e, const sc_correlation *c)
{
    const sigcc_rule *outer = e->rule;
    bool ok = true;
    if (c->n_rules > 1)
        sc_buf_puts(e->out, "union ");
    for (size_t i = 0; i < c->n_rules && ok; i++) {
        const sigcc_rule *r = sc_corr_source(e, c, i);
        if (!r)
            return false;
        if (c->n_rules > 1)
            sc_buf_puts(e->out, i ? ",\n  (" : "(");
        e->rule = r; /* errors inside point at the referenced rule */
        ok = put_query(e, r);
        e->rule = outer;
        /* temporal counts which rules matched: each source says its name. */
        if (ok && c->type == SC_CORR_TEMPORAL) {
            sc_buf_puts(e->out, "\n| extend SigmaRule = ");
            ok = put_hunt_string(e, c->rules[i].loc, c->rules[i].ref);
        }
        if (c->n_rules > 1)
            sc_buf_putc(e->out, ')');
    }
    return ok;
}

/* The event time column of the sources: Timestamp in Defender's tables,
 * or what the pipeline says (kql_time_column, e.g. TimeGenerated in Log
 * Analytics tables); one name for all sources of a union. */
static const char *time_column(sc_emit *e, const sc_correlation *c)
{
    const char *column = NULL;
    for (size_t i = 0; i < c->n_rules; i++) {
        const sigcc_rule *r = c->rules[i].target;
        const char *t = r ? sc_pipeline_attribute(r, "kql_time_column") : NULL;
        t = t ? t : "Timestamp";
        if (column && strcmp(column, t) != 0) {
            sc_emit_error(e, sc_rule_loc(e->rule), "a union of tables with different time "
                          "columns (%s, %s) in one summarize", column, t);
            return NULL;
        }
        column = t;
    }
    if (column && !plain_ident(column)) {
        sc_emit_error(e, sc_rule_loc(e->rule), "the time column '%s' (kql_time_column must be an "
                      "identifier)", column);
        return NULL;
    }
    return column;
}

/* summarize over the window that ends when the query runs: the events of
 * the last `timespan` (T > ago(span)), grouped, then the condition on the
 * aggregate. A query scheduled every F sees whole the bursts that span at
 * most timespan - F (docs/backends/kql.md). */
static bool kql_correlation(sc_emit *e, const char *format)
{
    const sc_correlation *c = e->rule->corr;
    if (c->n_aliases) {
        sc_emit_error(e, sc_rule_loc(e->rule),
                      "aliases (one group-by name for differently named fields) in one summarize");
        return false;
    }
    const sc_hunting *h = e->rule->hunting;
    sc_buf query = {0}, *out = e->out;
    e->out = &query;
    const char *time = time_column(e, c);
    bool ok = time && put_sources(e, c);
    const char *agg = NULL;
    if (ok) {
        sc_buf_printf(&query, "\n| where %s > ago(", time);
        sc_put_span(&query, c->timespan_s, false);
        sc_buf_putc(&query, ')');
        ok = !h || put_hunt_columns(e, h);
    }
    if (ok) {
        sc_buf_puts(&query, "\n| summarize ");
        ok = put_aggregate(e, c, &agg);
    }
    if (ok) {
        sc_buf_printf(&query, ", FirstSeen = min(%s), LastSeen = max(%s)", time, time);
        /* A custom detection's results must name an event: the latest one. */
        if (!strcmp(format, "defender-json"))
            sc_buf_puts(&query, ", arg_max(Timestamp, ReportId, DeviceId)");
        ok = put_hunt_aggregates(e, h);
        for (size_t g = 0; g < c->n_group_by && ok; g++) {
            sc_buf_puts(&query, g ? ", " : " by ");
            ok = put_field(e, sc_rule_loc(e->rule), c->group_by[g]);
        }
    }
    for (size_t k = 0; ok && k < c->n_conds; k++)
        sc_buf_printf(&query, "\n| where %s %s %.17g", agg,
                      sc_cmp_text(c->conds[k].cmp, "==", "!="), c->conds[k].value);
    if (ok && c->n_conds == 0) {
        sc_emit_error(e, sc_rule_loc(e->rule), "a correlation without a condition");
        ok = false;
    }
    if (ok && h)
        ok = put_hunt_result(e, h);
    e->out = out;
    if (ok)
        ok = finish(e, format, &query);
    sc_buf_free(&query);
    return ok;
}

static const char *const KQL_FORMATS[] = {"default", "sentinel-yaml", "defender-json", NULL};
static const char *const KQL_EXTENSIONS[] = {"kql", "yaml", "json", NULL};

const sc_backend sc_backend_kql = {
    .name = "kql",
    .language = "KQL",
    .default_pipeline = "microsoft_xdr",
    .formats = KQL_FORMATS,
    .extensions = KQL_EXTENSIONS,
    .detection = kql_detection,
    .correlation = kql_correlation,
};
