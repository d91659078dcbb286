/*
 * common.c - the parts of query text every backend writes alike; see
 * common.h.
 */
#include "common.h"

#include <stdio.h>
#include <string.h>

static int precedence(const sc_bool_syntax *s, const sc_node *n)
{
    switch (n->kind) {
    case SC_NODE_OR: return SC_PREC_OR;
    case SC_NODE_AND: return SC_PREC_AND;
    case SC_NODE_NOT: return s->not_is_call ? SC_PREC_LEAF : SC_PREC_NOT;
    case SC_NODE_SEL: return precedence(s, n->u.sel.child);
    default: return SC_PREC_LEAF;
    }
}

static bool is_list(const sc_node *n)
{
    while (n->kind == SC_NODE_SEL)
        n = n->u.sel.child;
    return n->kind == SC_NODE_AND || n->kind == SC_NODE_OR;
}

static bool put_list(sc_emit *e, const sc_bool_syntax *s, const sc_node *n)
{
    bool ok = true;
    /* An or-operand binds like something just above or, so that a nested
     * or (flattened away by the optimizer, present at -O0) keeps its
     * parentheses only where needed. */
    int child_parent = precedence(s, n) + (n->kind == SC_NODE_OR);
    for (size_t i = 0; i < n->u.list.n && ok; i++) {
        const sc_node *c = n->u.list.items[i];
        if (i)
            sc_buf_puts(e->out, n->kind == SC_NODE_AND ? s->and_op : s->or_op);
        if (s->paren_nested && is_list(c)) {
            sc_buf_putc(e->out, '(');
            ok = sc_put_tree(e, s, c, 0);
            sc_buf_putc(e->out, ')');
        } else {
            ok = sc_put_tree(e, s, c, child_parent);
        }
    }
    return ok;
}

bool sc_put_tree(sc_emit *e, const sc_bool_syntax *s, const sc_node *n, int parent)
{
    if (n->kind == SC_NODE_SEL)
        return sc_put_tree(e, s, n->u.sel.child, parent);
    sc_buf *b = e->out;
    bool paren = precedence(s, n) < parent;
    bool ok = true;
    if (paren)
        sc_buf_putc(b, '(');
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR: ok = put_list(e, s, n); break;
    case SC_NODE_NOT:
        sc_buf_puts(b, s->not_open);
        e->negated++;
        ok = sc_put_tree(e, s, n->u.child, s->not_is_call ? 0 : SC_PREC_NOT);
        e->negated--;
        sc_buf_puts(b, s->not_close);
        break;
    case SC_NODE_MATCH: ok = s->put_match(e, &n->u.match); break;
    case SC_NODE_TRUE: sc_buf_puts(b, s->true_lit); break;
    case SC_NODE_FALSE: sc_buf_puts(b, s->false_lit); break;
    case SC_NODE_SEL: break; /* handled above */
    }
    if (paren)
        sc_buf_putc(b, ')');
    return ok;
}

bool sc_put_rule_condition(sc_emit *e, const sc_bool_syntax *s, const sigcc_rule *r)
{
    bool filtered = r->applied_filters.n > 0;
    if (filtered && s->paren_nested && is_list(r->condition)) {
        sc_buf_putc(e->out, '(');
        if (!sc_put_tree(e, s, r->condition, 0))
            return false;
        sc_buf_putc(e->out, ')');
    } else if (!sc_put_tree(e, s, r->condition, filtered ? SC_PREC_AND : 0)) {
        return false;
    }
    for (size_t i = 0; i < r->applied_filters.n; i++) {
        const sigcc_rule *filter = r->applied_filters.items[i];
        /* A filter the pipeline refused still holds its unmapped fields, and
         * leaving it out would widen the rule. */
        if (filter->dropped) {
            sc_emit_error(e, sc_rule_loc(r), "this rule with its filter '%s' (the pipeline "
                                             "refused the filter: see its error)",
                          filter->title ? filter->title : "-");
            return false;
        }
        sc_buf_puts(e->out, s->and_op);
        /* A filter is negated by the loader: a NOT node, an and-operand. */
        if (!sc_put_tree(e, s, filter->condition, SC_PREC_NOT))
            return false;
    }
    return true;
}

bool sc_emit_into(sc_emit *e, sc_buf *into, bool (*fn)(sc_emit *e, void *arg), void *arg)
{
    sc_buf *out = e->out;
    e->out = into;
    bool ok = fn(e, arg);
    e->out = out;
    return ok;
}

void sc_emit_line(sc_emit *e, const sc_buf *query)
{
    sc_buf_put(e->out, query->data ? query->data : "", query->len);
    sc_buf_putc(e->out, '\n');
}

void sc_put_span(sc_buf *b, uint64_t s, bool use_days)
{
    unsigned long long v = (unsigned long long)s;
    if (use_days && s % 86400 == 0 && s > 2 * 86400)
        sc_buf_printf(b, "%llud", v / 86400);
    else if (s % 3600 == 0 && s)
        sc_buf_printf(b, "%lluh", v / 3600);
    else if (s % 60 == 0 && s)
        sc_buf_printf(b, "%llum", v / 60);
    else
        sc_buf_printf(b, "%llus", v);
}

bool sc_has_placeholder(sc_emit *e, const sc_value *v)
{
    for (size_t i = 0; v->kind == SC_VAL_STRING && i < v->n_parts; i++)
        if (v->parts[i].kind == SC_PART_PLACEHOLDER) {
            sc_emit_error(e, v->loc, "the placeholder %%%.*s%% (fill it with a pipeline)",
                          (int)v->parts[i].len, v->parts[i].text);
            return true;
        }
    return false;
}

void sc_put_plain_text(const sc_value *v, sc_buf *t)
{
    for (size_t i = 0; i < v->n_parts; i++)
        sc_buf_put(t, v->parts[i].text, v->parts[i].len);
}

void sc_put_number(sc_buf *b, const sc_value *v)
{
    if (v->is_int)
        sc_buf_printf(b, "%lld", (long long)v->ival);
    else
        sc_buf_printf(b, "%.17g", v->num);
}

const char *sc_op_compare_text(sc_op op)
{
    switch (op) {
    case SC_OP_LT: return "<";
    case SC_OP_LTE: return "<=";
    case SC_OP_GT: return ">";
    default: return ">=";
    }
}

const char *sc_cmp_text(sc_cmp c, const char *eq, const char *neq)
{
    switch (c) {
    case SC_CMP_GT: return ">";
    case SC_CMP_GTE: return ">=";
    case SC_CMP_LT: return "<";
    case SC_CMP_LTE: return "<=";
    case SC_CMP_EQ: return eq;
    case SC_CMP_NEQ: return neq;
    }
    return eq;
}

static bool names_rule(const char *ref, const sigcc_rule *r)
{
    return (r->name && !strcmp(ref, r->name)) || (r->id && !strcmp(ref, r->id));
}

const char *sc_group_field(const sc_correlation *c, size_t g, const sigcc_rule *r)
{
    const char *field = c->group_by[g];
    for (size_t a = 0; a < c->n_aliases; a++) {
        if (strcmp(c->aliases[a].name, field) != 0)
            continue;
        for (size_t k = 0; k < c->aliases[a].n_entries; k++)
            if (names_rule(c->aliases[a].entries[k].rule, r))
                return c->aliases[a].entries[k].field;
        return NULL;
    }
    return field;
}

sc_loc sc_rule_loc(const sigcc_rule *r)
{
    return (sc_loc){r->line, 1, 1};
}

const sigcc_rule *sc_corr_source(sc_emit *e, const sc_correlation *c, size_t i)
{
    const sigcc_rule *r = c->rules[i].target;
    sc_loc at = c->rules[i].loc.line ? c->rules[i].loc : sc_rule_loc(e->rule);
    if (!r) {
        sc_emit_error(e, at, "a correlation over the rule '%.200s', which is not loaded (load "
                             "the files of the rules it references)",
                      c->rules[i].ref);
        return NULL;
    }
    if (r->dropped) {
        sc_emit_error(e, at, "a correlation over the rule '%.200s', which was refused (its "
                             "diagnostic says why)",
                      c->rules[i].ref);
        return NULL;
    }
    if (r->corr || r->kind != SIGCC_RULE_DETECTION) {
        sc_emit_error(e, at, "a correlation over another correlation in one query");
        return NULL;
    }
    return r;
}

bool sc_technique_id(const char *tag, char *id, size_t cap)
{
    if (strncmp(tag, "attack.t", 8) != 0 || tag[8] < '0' || tag[8] > '9' ||
        strlen(tag + 7) >= cap)
        return false;
    snprintf(id, cap, "T%s", tag + 8);
    return true;
}

static const sc_tactic TACTICS[] = {
    {"reconnaissance", "TA0043", "Reconnaissance"},
    {"resource-development", "TA0042", "Resource Development"},
    {"initial-access", "TA0001", "Initial Access"},
    {"execution", "TA0002", "Execution"},
    {"persistence", "TA0003", "Persistence"},
    {"privilege-escalation", "TA0004", "Privilege Escalation"},
    {"defense-evasion", "TA0005", "Defense Evasion"},
    {"credential-access", "TA0006", "Credential Access"},
    {"discovery", "TA0007", "Discovery"},
    {"lateral-movement", "TA0008", "Lateral Movement"},
    {"collection", "TA0009", "Collection"},
    {"command-and-control", "TA0011", "Command and Control"},
    {"exfiltration", "TA0010", "Exfiltration"},
    {"impact", "TA0040", "Impact"},
};

const sc_tactic *sc_tactic_for_tag(const char *tag)
{
    if (strncmp(tag, "attack.", 7) != 0)
        return NULL;
    for (size_t t = 0; t < sizeof TACTICS / sizeof TACTICS[0]; t++)
        if (!strcmp(tag + 7, TACTICS[t].tag))
            return &TACTICS[t];
    return NULL;
}

const char *sc_level_or(const char *level, const char *low_name)
{
    return !level || !strcmp(level, "informational") ? low_name : level;
}

const char *sc_custom_attribute(const sigcc_rule *r, const char *key)
{
    for (size_t i = 0; i < r->n_custom; i++)
        if (!strcmp(r->custom[i].key, key) && r->custom[i].value && r->custom[i].value->text)
            return r->custom[i].value->text;
    return NULL;
}

const char *sc_pipeline_attribute(const sigcc_rule *r, const char *key)
{
    for (size_t i = 0; i < r->n_custom; i++)
        if (!strcmp(r->custom[i].key, key) && r->custom[i].value && r->custom[i].value->text)
            return r->custom[i].by_pipeline ? r->custom[i].value->text : NULL;
    return NULL;
}
