/*
 * explain.c - a rule as stable, readable text (sigcc explain, goldens).
 *
 *   rule: Mail client impersonation
 *     kind: detection
 *     logsource: category=network_connection product=windows
 *     condition: selection and not filter
 *     tree:
 *       and
 *         sel selection
 *           match DestinationPort (any of 2): 25, 587
 *         not
 *           sel filter
 *             match Image|endswith: '*\outlook.exe'
 *
 * Strings are shown in Sigma notation inside single quotes: '*' and '?'
 * are wildcards, '\*' '\?' literal; a quote is doubled; a control byte is
 * written \x{hh}. The format is documented in docs/explain.md.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void indent(sc_buf *b, int n)
{
    for (int i = 0; i < n; i++)
        sc_buf_puts(b, "  ");
}

static void put_quoted(sc_buf *b, const char *s, size_t n)
{
    sc_buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'')
            sc_buf_puts(b, "''");
        else if (c < 0x20 || c == 0x7f)
            sc_buf_printf(b, "\\x{%02x}", c);
        else
            sc_buf_putc(b, (char)c);
    }
    sc_buf_putc(b, '\'');
}

static void put_value(sc_buf *b, const sc_value *v, bool expand)
{
    switch (v->kind) {
    case SC_VAL_STRING: {
        sc_buf tmp = {0};
        sc_pattern_write(&tmp, v->parts, v->n_parts, expand);
        put_quoted(b, tmp.data ? tmp.data : "", tmp.len);
        if (tmp.oom)
            b->oom = true;
        sc_buf_free(&tmp);
        break;
    }
    case SC_VAL_NUMBER:
        if (v->is_int)
            sc_buf_printf(b, "%lld", (long long)v->ival);
        else
            sc_buf_printf(b, "%.17g", v->num);
        break;
    case SC_VAL_BOOL: sc_buf_puts(b, v->bval ? "true" : "false"); break;
    case SC_VAL_NULL: sc_buf_puts(b, "null"); break;
    case SC_VAL_REGEX:
        sc_buf_puts(b, "re:");
        put_quoted(b, v->raw, v->raw_len);
        break;
    case SC_VAL_CIDR:
        sc_buf_puts(b, "cidr:");
        put_quoted(b, v->raw, v->raw_len);
        break;
    case SC_VAL_FIELD:
        sc_buf_puts(b, "field:");
        put_quoted(b, v->raw, v->raw_len);
        break;
    }
}

static void put_match(sc_buf *b, const sc_match *m, int depth)
{
    bool expand = m->mods & SC_MODBIT(SC_MOD_EXPAND);
    sc_buf_puts(b, "match ");
    sc_buf_puts(b, m->field ? m->field : "<keywords>");
    for (int i = 0; i < m->n_chain; i++)
        sc_buf_printf(b, "|%s", sc_mod_name((sc_mod)m->chain[i]));
    if (m->n_values == 1) {
        sc_buf_puts(b, ": ");
        put_value(b, &m->values[0], expand);
        sc_buf_putc(b, '\n');
        return;
    }
    sc_buf_printf(b, " (%s of %zu):\n", m->all ? "all" : "any", m->n_values);
    for (size_t i = 0; i < m->n_values; i++) {
        indent(b, depth + 1);
        sc_buf_puts(b, "- ");
        put_value(b, &m->values[i], expand);
        sc_buf_putc(b, '\n');
    }
}

void sc_explain_node(sc_buf *b, const sc_node *n, int depth)
{
    indent(b, depth);
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        sc_buf_puts(b, n->kind == SC_NODE_AND ? "and\n" : "or\n");
        for (size_t i = 0; i < n->u.list.n; i++)
            sc_explain_node(b, n->u.list.items[i], depth + 1);
        break;
    case SC_NODE_NOT:
        sc_buf_puts(b, "not\n");
        sc_explain_node(b, n->u.child, depth + 1);
        break;
    case SC_NODE_SEL:
        sc_buf_printf(b, "sel %s\n", n->u.sel.name);
        sc_explain_node(b, n->u.sel.child, depth + 1);
        break;
    case SC_NODE_MATCH: put_match(b, &n->u.match, depth); break;
    case SC_NODE_TRUE: sc_buf_puts(b, "true\n"); break;
    case SC_NODE_FALSE: sc_buf_puts(b, "false\n"); break;
    }
}

static void put_strlist(sc_buf *b, const char *key, const sc_strlist *l)
{
    if (!l->n)
        return;
    sc_buf_printf(b, "  %s:", key);
    for (size_t i = 0; i < l->n; i++)
        sc_buf_printf(b, "%s %s", i ? "," : "", l->items[i]);
    sc_buf_putc(b, '\n');
}

static const char *kind_name(sigcc_rule_kind k)
{
    return k == SIGCC_RULE_CORRELATION ? "correlation"
           : k == SIGCC_RULE_FILTER    ? "filter"
                                       : "detection";
}

static void put_ref(sc_buf *b, const sc_rule_ref *ref)
{
    sc_buf_printf(b, "    - %s", ref->ref);
    if (ref->target)
        sc_buf_printf(b, " -> %s", ref->target->title ? ref->target->title : "(untitled)");
    sc_buf_putc(b, '\n');
}

static void put_correlation(sc_buf *b, const sc_correlation *c)
{
    sc_buf_printf(b, "  correlation: %s\n", sc_corr_type_name(c->type));
    sc_buf_puts(b, "    rules:\n");
    for (size_t i = 0; i < c->n_rules; i++) {
        sc_buf_puts(b, "  ");
        put_ref(b, &c->rules[i]);
    }
    if (c->n_group_by) {
        sc_buf_puts(b, "    group-by:");
        for (size_t i = 0; i < c->n_group_by; i++)
            sc_buf_printf(b, "%s %s", i ? "," : "", c->group_by[i]);
        sc_buf_putc(b, '\n');
    }
    sc_buf_printf(b, "    timespan: %s (%llu s)\n", c->timespan_text,
                  (unsigned long long)c->timespan_s);
    sc_buf_puts(b, "    condition:");
    for (size_t i = 0; i < c->n_conds; i++)
        sc_buf_printf(b, "%s %s %g", i ? " and" : "", sc_cmp_name(c->conds[i].cmp),
                      c->conds[i].value);
    for (size_t i = 0; i < c->n_fields; i++)
        sc_buf_printf(b, "%s%s", i ? ", " : " of field ", c->fields[i]);
    if (c->has_percentile)
        sc_buf_printf(b, " (percentile %g)", c->percentile);
    sc_buf_putc(b, '\n');
    for (size_t i = 0; i < c->n_aliases; i++) {
        sc_buf_printf(b, "    alias %s:", c->aliases[i].name);
        for (size_t k = 0; k < c->aliases[i].n_entries; k++)
            sc_buf_printf(b, "%s %s=%s", k ? "," : "", c->aliases[i].entries[k].rule,
                          c->aliases[i].entries[k].field);
        sc_buf_putc(b, '\n');
    }
    sc_buf_printf(b, "    generate: %s\n", c->generate ? "true" : "false");
}

static void put_literals(sc_buf *b, const sc_hunt_literal *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sc_buf_printf(b, v[i].is_number ? "%s%s" : "%s'%s'", i ? ", " : "", v[i].text);
}

static void put_hunting(sc_buf *b, const sc_hunting *h)
{
    sc_buf_puts(b, "  hunting:\n");
    for (size_t i = 0; i < h->n_columns; i++) {
        const sc_hunt_column *c = &h->columns[i];
        sc_buf_printf(b, "    column %s of %s:", c->name, c->field);
        for (size_t k = 0; k < c->n_cases; k++) {
            sc_buf_printf(b, "%s '%s' if ", k ? ";" : "", c->cases[k].label);
            put_literals(b, c->cases[k].values, c->cases[k].n_values);
        }
        sc_buf_printf(b, "; else '%s'\n", c->otherwise);
    }
    for (size_t i = 0; i < h->n_aggregates; i++)
        sc_buf_printf(b, "    aggregate %s = %s(%s)\n", h->aggregates[i].name,
                      sc_hunt_fn_name(h->aggregates[i].fn), h->aggregates[i].field);
    for (size_t i = 0; i < h->n_severity; i++) {
        const sc_hunt_severity *s = &h->severity[i];
        sc_buf_printf(b, "    severity %s%s", s->level, s->n_tests ? " if" : "");
        for (size_t k = 0; k < s->n_tests; k++) {
            const sc_hunt_test *t = &s->tests[k];
            sc_buf_printf(b, "%s %s %s ", k ? " and" : "", t->name,
                          t->cmp == SC_CMP_EQ ? "in" : sc_cmp_name(t->cmp));
            put_literals(b, t->values, t->n_values);
        }
        sc_buf_putc(b, '\n');
    }
    if (h->sort_by)
        sc_buf_printf(b, "    sort: %s %s\n", h->sort_by, h->sort_descending ? "desc" : "asc");
}

void sc_explain_rule(sc_buf *b, const sigcc_rule *r)
{
    sc_buf_printf(b, "rule: %s\n", r->title ? r->title : "(untitled)");
    sc_buf_printf(b, "  kind: %s\n", kind_name(r->kind));
    if (r->id)
        sc_buf_printf(b, "  id: %s\n", r->id);
    if (r->name)
        sc_buf_printf(b, "  name: %s\n", r->name);
    if (r->status)
        sc_buf_printf(b, "  status: %s\n", r->status);
    if (r->level)
        sc_buf_printf(b, "  level: %s\n", r->level);
    put_strlist(b, "tags", &r->tags);
    if (r->has_logsource) {
        const sc_logsource *ls = &r->logsource;
        sc_buf_puts(b, "  logsource:");
        if (ls->category)
            sc_buf_printf(b, " category=%s", ls->category);
        if (ls->product)
            sc_buf_printf(b, " product=%s", ls->product);
        if (ls->service)
            sc_buf_printf(b, " service=%s", ls->service);
        for (size_t i = 0; i < ls->n_extra; i++)
            sc_buf_printf(b, " %s=%s", ls->extra[i].key, ls->extra[i].value);
        sc_buf_putc(b, '\n');
    }
    if (r->corr)
        put_correlation(b, r->corr);
    if (r->hunting)
        put_hunting(b, r->hunting);
    if (r->filter) {
        sc_buf_puts(b, "  filter rules:");
        if (r->filter->any)
            sc_buf_puts(b, " any");
        sc_buf_putc(b, '\n');
        for (size_t i = 0; i < r->filter->n_rules; i++)
            put_ref(b, &r->filter->rules[i]);
    }
    for (size_t i = 0; i < r->n_conditions; i++)
        sc_buf_printf(b, "  condition: %s\n", r->condition_texts[i]);
    for (size_t i = 0; i < r->applied_filters.n; i++) {
        const sigcc_rule *f = r->applied_filters.items[i];
        sc_buf_printf(b, "  tuned by filter: %s\n", f->title ? f->title : "(untitled)");
    }
    if (r->condition) {
        sc_buf_puts(b, "  tree:\n");
        sc_explain_node(b, r->condition, 2);
    }
}
