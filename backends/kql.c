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

static void put_number(sc_buf *b, const sc_value *v)
{
    if (v->is_int)
        sc_buf_printf(b, "%lld", (long long)v->ival);
    else
        sc_buf_printf(b, "%.17g", v->num);
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
static bool has_placeholder(sc_emit *e, const sc_value *v)
{
    for (size_t i = 0; i < v->n_parts; i++)
        if (v->parts[i].kind == SC_PART_PLACEHOLDER) {
            sc_emit_error(e, v->loc, "the placeholder %%%.*s%% (fill it with a pipeline)",
                          (int)v->parts[i].len, v->parts[i].text);
            return true;
        }
    return false;
}

/* The literal text of a value without wildcards. */
static void plain_text(const sc_value *v, sc_buf *t)
{
    for (size_t i = 0; i < v->n_parts; i++)
        sc_buf_put(t, v->parts[i].text, v->parts[i].len);
}

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
    if (has_placeholder(e, v))
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

/* One comparison per value kind of an equality, ORed. */
static bool put_equality(sc_emit *e, const sc_match *m, const sc_value *const *vals, size_t n)
{
    sc_buf *b = e->out;
    size_t nulls = 0, nums = 0, plain = 0, pats = 0;
    for (size_t i = 0; i < n; i++) {
        const sc_value *v = vals[i];
        if (v->kind == SC_VAL_NULL)
            nulls++;
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
            if (v->kind == SC_VAL_NUMBER)
                sc_buf_puts(b, k++ ? ", " : ""), put_number(b, v);
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
            if (v->kind != SC_VAL_STRING || is_wildcard(v))
                continue;
            if (has_placeholder(e, v)) {
                ok = false;
                break;
            }
            if (k++)
                sc_buf_puts(b, ", ");
            sc_buf text = {0};
            plain_text(v, &text);
            ok = put_literal(e, v, text.data ? text.data : "", text.len);
            sc_buf_free(&text);
        }
        if (plain > 1)
            sc_buf_putc(b, ')');
    }
    for (size_t i = 0; i < n && ok; i++) {
        if (!is_wildcard(vals[i]))
            continue;
        SEP();
        ok = put_pattern(e, m, vals[i]);
    }
#undef SEP
    if (terms > 1)
        sc_buf_putc(b, ')');
    return ok;
}

static const char *compare_op(sc_op op)
{
    switch (op) {
    case SC_OP_LT: return "<";
    case SC_OP_LTE: return "<=";
    case SC_OP_GT: return ">";
    default: return ">=";
    }
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
        case SC_OP_LT:
        case SC_OP_LTE:
        case SC_OP_GT:
        case SC_OP_GTE:
            if (!put_field(e, m->field_loc, m->field))
                return false;
            sc_buf_printf(b, " %s ", compare_op(m->op));
            put_number(b, v);
            break;
        case SC_OP_CIDR:
            sc_buf_puts(b, v->family == 6 ? "ipv6_is_in_range(" : "ipv4_is_in_range(");
            if (!put_field(e, m->field_loc, m->field))
                return false;
            sc_buf_puts(b, ", ");
            if (!put_literal(e, v, v->raw, v->raw_len))
                return false;
            sc_buf_putc(b, ')');
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
                             "microsoft_xdr knows the Sysmon categories with a Defender table)",
                      r->logsource.category ? r->logsource.category : "-",
                      r->logsource.product ? r->logsource.product : "-",
                      r->logsource.service ? r->logsource.service : "-");
        return false;
    }
    if (!plain_ident(table)) {
        sc_emit_error(e, at, "the table name '%s' (kql_table must be an identifier)", table);
        return false;
    }
    sc_buf_printf(e->out, "%s\n| where ", table);
    return sc_put_rule_condition(e, &KQL_SYNTAX, r);
}

static bool put_rule_query(sc_emit *e, void *arg)
{
    (void)arg;
    return put_query(e, e->rule);
}

static bool kql_detection(sc_emit *e, const char *format)
{
    (void)format;
    sc_buf query = {0};
    bool ok = sc_emit_into(e, &query, put_rule_query, NULL);
    if (ok)
        sc_emit_line(e, &query);
    sc_buf_free(&query);
    return ok;
}

/* ---------------------------------------------------------- correlations */
/* The aggregate column of a correlation: its name, written into *name. */
static bool put_aggregate(sc_emit *e, const sc_correlation *c, const char **name)
{
    sc_loc at = sc_rule_loc(e->rule);
    sc_buf *b = e->out;
    if (c->type != SC_CORR_EVENT_COUNT && c->n_fields != 1) {
        sc_emit_error(e, at, "a %s over %zu fields in one aggregate", sc_corr_type_name(c->type),
                      c->n_fields);
        return false;
    }
    switch (c->type) {
    case SC_CORR_EVENT_COUNT:
        *name = "EventCount";
        sc_buf_puts(b, "EventCount = count()");
        return true;
    case SC_CORR_VALUE_COUNT: *name = "ValueCount"; sc_buf_puts(b, "ValueCount = count_distinct("); break;
    case SC_CORR_VALUE_SUM: *name = "ValueSum"; sc_buf_puts(b, "ValueSum = sum("); break;
    case SC_CORR_VALUE_AVG: *name = "ValueAvg"; sc_buf_puts(b, "ValueAvg = avg("); break;
    default:
        sc_emit_error(e, at, "%s correlations (%s)", sc_corr_type_name(c->type),
                      c->type == SC_CORR_VALUE_PERCENTILE
                          ? "Kusto's percentile() is an estimate, not the exact rank"
                          : "summarize counts events; it does not check the order or presence "
                            "of several rules");
        return false;
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
        if (c->n_rules > 1)
            sc_buf_putc(e->out, ')');
    }
    return ok;
}

/* summarize over the window that ends when the query runs: the events of
 * the last `timespan` (Timestamp > ago(T)), grouped, then the condition on
 * the aggregate. A scheduled rule covers every window when it runs at
 * least once per timespan. */
static bool kql_correlation(sc_emit *e, const char *format)
{
    (void)format;
    const sc_correlation *c = e->rule->corr;
    if (c->n_aliases) {
        sc_emit_error(e, sc_rule_loc(e->rule),
                      "aliases (one group-by name for differently named fields) in one summarize");
        return false;
    }
    sc_buf query = {0}, *out = e->out;
    e->out = &query;
    bool ok = put_sources(e, c);
    const char *agg = NULL;
    if (ok) {
        sc_buf_puts(&query, "\n| where Timestamp > ago(");
        sc_put_span(&query, c->timespan_s, false);
        sc_buf_puts(&query, ")\n| summarize ");
        ok = put_aggregate(e, c, &agg);
    }
    if (ok) {
        sc_buf_puts(&query, ", FirstSeen = min(Timestamp), LastSeen = max(Timestamp)");
        for (size_t g = 0; g < c->n_group_by && ok; g++) {
            sc_buf_puts(&query, g ? ", " : " by ");
            ok = put_field(e, sc_rule_loc(e->rule), c->group_by[g]);
        }
    }
    for (size_t k = 0; ok && k < c->n_conds; k++)
        sc_buf_printf(&query, "\n| where %s %s %.17g", agg, sc_cmp_text(c->conds[k].cmp, "==", "!="),
                      c->conds[k].value);
    if (ok && c->n_conds == 0) {
        sc_emit_error(e, sc_rule_loc(e->rule), "a correlation without a condition");
        ok = false;
    }
    e->out = out;
    if (ok) {
        sc_buf_put(e->out, query.data ? query.data : "", query.len);
        sc_buf_putc(e->out, '\n');
    }
    sc_buf_free(&query);
    return ok;
}

static const char *const KQL_FORMATS[] = {"default", NULL};

const sc_backend sc_backend_kql = {
    .name = "kql",
    .language = "KQL",
    .default_pipeline = "microsoft_xdr",
    .formats = KQL_FORMATS,
    .detection = kql_detection,
    .correlation = kql_correlation,
};
