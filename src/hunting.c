/*
 * hunting.c - a rule's `hunting:` block: the columns a query reports
 * besides matching, as hand-written hunting queries do (a protocol label
 * per port, distinct values per group, a severity ladder, an order). The
 * backends spell them (KQL extend/summarize, SPL eval/stats, YARA-L
 * outcome); they never change which events or groups match. Format and
 * meaning: docs/hunting.md.
 *
 *   hunting:
 *     columns:
 *       Protocol: {field: DestinationPort, cases: {SMTP: [25, 587]}, default: Unknown}
 *     aggregates:               # correlation rules only
 *       Ports: values(DestinationPort)
 *     severity:
 *       - {level: critical, when: {Protocols: [IMAP, POP3]}}
 *       - {level: high, when: {EventCount|gt: 10}}
 *       - {level: medium}
 *     sort: EventCount desc
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct hctx {
    sc_arena *a;
    sc_diag_list *diags;
    const sc_source *src;
    sigcc_rule *rule;
    bool failed;
} hctx;

static void herror(hctx *h, sc_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void herror(hctx *h, sc_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(h->diags, h->src, SIGCC_ERROR, "bad-hunting", loc, fmt, ap);
    va_end(ap);
    h->failed = true;
}

static const char *const FN_NAMES[] = {"count_distinct", "sum", "avg", "min", "max", "values"};

const char *sc_hunt_fn_name(sc_hunt_fn f)
{
    return (size_t)f < sizeof FN_NAMES / sizeof FN_NAMES[0] ? FN_NAMES[f] : "?";
}

const char *sc_corr_value_name(sc_corr_type t)
{
    switch (t) {
    case SC_CORR_EVENT_COUNT: return "EventCount";
    case SC_CORR_VALUE_COUNT: return "ValueCount";
    case SC_CORR_VALUE_SUM: return "ValueSum";
    case SC_CORR_VALUE_AVG: return "ValueAvg";
    case SC_CORR_VALUE_PERCENTILE: return "ValuePercentile";
    case SC_CORR_TEMPORAL:
    case SC_CORR_TEMPORAL_ORDERED: return "RuleCount";
    }
    return NULL;
}

/* Column names become identifiers in every target language. */
static bool is_ident(const char *s)
{
    if (!s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

static const char *scalar_text(hctx *h, const sc_ynode *n, const char *what)
{
    if (n->kind != SC_Y_SCALAR || strlen(n->text) != n->len) {
        herror(h, n->loc, "%s must be a single value", what);
        return NULL;
    }
    return sc_arena_strdup(h->a, n->text);
}

static const char *ident(hctx *h, const sc_ynode *n, const char *what)
{
    const char *s = scalar_text(h, n, what);
    if (s && !is_ident(s)) {
        herror(h, n->loc, "%s '%s' must be a name of letters, digits and '_' starting with a "
                          "letter (it becomes a column in every target)", what, s);
        return NULL;
    }
    return s;
}

static bool read_literal(hctx *h, const sc_ynode *n, sc_hunt_literal *out)
{
    if (!(out->text = scalar_text(h, n, "a hunting value")))
        return false;
    int64_t iv;
    double fv;
    bool bv;
    sc_ytype t = sc_yaml_scalar_type(n, &iv, &fv, &bv);
    out->is_number = t == SC_YT_INT || t == SC_YT_FLOAT;
    out->num = t == SC_YT_INT ? (double)iv : fv;
    return true;
}

/* A value or a list of values. */
static sc_hunt_literal *read_literals(hctx *h, const sc_ynode *n, size_t *count)
{
    const sc_ynode *const *items = n->kind == SC_Y_SEQ ? (const sc_ynode *const *)n->items
                                                       : (const sc_ynode *const *)&n;
    size_t k = n->kind == SC_Y_SEQ ? n->n_items : 1;
    if (k == 0 || n->kind == SC_Y_MAP) {
        herror(h, n->loc, "expected a value or a non-empty list of values");
        return NULL;
    }
    sc_hunt_literal *v = sc_arena_alloc(h->a, k * sizeof *v);
    for (size_t i = 0; v && i < k; i++)
        if (!read_literal(h, items[i], &v[i]))
            return NULL;
    *count = k;
    return v;
}

static bool read_column(hctx *h, const sc_ypair *p, sc_hunt_column *c)
{
    c->loc = p->key->loc;
    if (!(c->name = ident(h, p->key, "a hunting column name")))
        return false;
    const sc_ynode *m = p->value;
    const sc_ynode *field = sc_ymap_get(m, "field"), *cases = sc_ymap_get(m, "cases");
    if (m->kind != SC_Y_MAP || !field || !cases || cases->kind != SC_Y_MAP || !cases->n_pairs) {
        herror(h, m->loc, "hunting column '%s' needs 'field' and a non-empty map 'cases' "
                          "(label: value or list)", c->name);
        return false;
    }
    for (size_t i = 0; i < m->n_pairs; i++) {
        const char *k = m->pairs[i].key->text;
        if (strcmp(k, "field") && strcmp(k, "cases") && strcmp(k, "default"))
            herror(h, m->pairs[i].key->loc, "unknown key '%s' in hunting column '%s' (field, "
                                            "cases, default)", k, c->name);
    }
    const sc_ynode *otherwise = sc_ymap_get(m, "default");
    c->field = scalar_text(h, field, "a hunting column's field");
    c->otherwise = otherwise ? scalar_text(h, otherwise, "a hunting column's default") : "";
    c->cases = sc_arena_alloc(h->a, cases->n_pairs * sizeof *c->cases);
    if (!c->cases || !c->field || !c->otherwise)
        return false;
    c->n_cases = cases->n_pairs;
    for (size_t i = 0; i < cases->n_pairs; i++) {
        sc_hunt_case *k = &c->cases[i];
        k->label = scalar_text(h, cases->pairs[i].key, "a case label");
        k->values = read_literals(h, cases->pairs[i].value, &k->n_values);
        if (!k->label || !k->values)
            return false;
    }
    return true;
}

static bool has_column(const sc_hunting *hu, const char *name)
{
    for (size_t i = 0; i < hu->n_columns; i++)
        if (!strcmp(hu->columns[i].name, name))
            return true;
    return false;
}

/* "fn(field)" */
static bool read_aggregate(hctx *h, const sc_ypair *p, const sc_hunting *hu, sc_hunt_aggregate *g)
{
    g->loc = p->key->loc;
    const char *expr = scalar_text(h, p->value, "a hunting aggregate");
    if (!(g->name = ident(h, p->key, "a hunting aggregate name")) || !expr)
        return false;
    const char *open = strchr(expr, '('), *close = strrchr(expr, ')');
    bool known = false;
    for (size_t f = 0; open && f < sizeof FN_NAMES / sizeof FN_NAMES[0] && !known; f++)
        if (strlen(FN_NAMES[f]) == (size_t)(open - expr) &&
            !strncmp(expr, FN_NAMES[f], (size_t)(open - expr))) {
            g->fn = (sc_hunt_fn)f;
            known = true;
        }
    if (!known || !close || close[1] || close <= open + 1) {
        herror(h, p->value->loc, "hunting aggregate '%s' must be FUNCTION(field) with FUNCTION one "
                                 "of count_distinct, sum, avg, min, max, values", g->name);
        return false;
    }
    char *field = sc_arena_alloc(h->a, (size_t)(close - open));
    if (!field)
        return false;
    memcpy(field, open + 1, (size_t)(close - open - 1));
    g->field = field;
    g->of_column = has_column(hu, field);
    return true;
}

static const struct {
    const char *suffix;
    sc_cmp cmp;
} TEST_OPS[] = {{"", SC_CMP_EQ}, {"|gt", SC_CMP_GT}, {"|gte", SC_CMP_GTE}, {"|lt", SC_CMP_LT},
                {"|lte", SC_CMP_LTE}};

static bool read_test(hctx *h, const sc_ypair *p, sc_hunt_test *t)
{
    const char *key = scalar_text(h, p->key, "a severity test");
    if (!key)
        return false;
    t->loc = p->key->loc;
    const char *bar = strchr(key, '|');
    size_t n = bar ? (size_t)(bar - key) : strlen(key);
    bool known = false;
    for (size_t i = 0; i < sizeof TEST_OPS / sizeof TEST_OPS[0] && !known; i++)
        if (!strcmp(bar ? bar : "", TEST_OPS[i].suffix)) {
            t->cmp = TEST_OPS[i].cmp;
            known = true;
        }
    char *name = sc_arena_alloc(h->a, n + 1);
    if (!name)
        return false;
    memcpy(name, key, n);
    t->name = name;
    if (!known || !n) {
        herror(h, p->key->loc, "severity test '%s': a name, optionally with |gt, |gte, |lt or "
                               "|lte", key);
        return false;
    }
    if (!(t->values = read_literals(h, p->value, &t->n_values)))
        return false;
    if (t->cmp != SC_CMP_EQ && (t->n_values != 1 || !t->values[0].is_number)) {
        herror(h, p->value->loc, "severity test '%s' compares with one number", key);
        return false;
    }
    return true;
}

static bool read_severity(hctx *h, const sc_ynode *n, sc_hunt_severity *s)
{
    static const char *const levels[] = {"informational", "low", "medium", "high", "critical"};
    const sc_ynode *level = n->kind == SC_Y_MAP ? sc_ymap_get(n, "level") : NULL;
    const sc_ynode *when = n->kind == SC_Y_MAP ? sc_ymap_get(n, "when") : NULL;
    if (!level || n->n_pairs != 1u + (when != NULL) || (when && when->kind != SC_Y_MAP)) {
        herror(h, n->loc, "a severity step is {level: LEVEL, when: {test: value, ...}}; the last "
                          "may omit 'when'");
        return false;
    }
    s->level = scalar_text(h, level, "a severity level");
    bool known = false;
    for (size_t i = 0; s->level && i < 5; i++)
        known |= !strcmp(s->level, levels[i]);
    if (s->level && !known)
        herror(h, level->loc, "unknown level '%s' (informational, low, medium, high, critical)",
               s->level);
    if (!s->level || !known || !when)
        return s->level && known;
    s->tests = sc_arena_alloc(h->a, (when->n_pairs ? when->n_pairs : 1) * sizeof *s->tests);
    if (!s->tests)
        return false;
    s->n_tests = when->n_pairs;
    for (size_t i = 0; i < when->n_pairs; i++)
        if (!read_test(h, &when->pairs[i], &s->tests[i]))
            return false;
    return true;
}

static bool read_sort(hctx *h, const sc_ynode *n, sc_hunting *hu)
{
    const char *s = scalar_text(h, n, "hunting sort");
    if (!s)
        return false;
    char name[128], dir[16] = "asc";
    int k = sscanf(s, "%127s %15s", name, dir);
    if (k < 1 || !is_ident(name) || (strcmp(dir, "asc") && strcmp(dir, "desc")) ||
        strlen(s) > 140) {
        herror(h, n->loc, "hunting sort is 'COLUMN' or 'COLUMN asc|desc'");
        return false;
    }
    hu->sort_by = sc_arena_strdup(h->a, name);
    hu->sort_descending = !strcmp(dir, "desc");
    return hu->sort_by != NULL;
}

static bool read_map_section(hctx *h, const sc_ynode *block, const char *key, size_t size,
                             void **items, size_t *n)
{
    const sc_ynode *m = sc_ymap_get(block, key);
    if (!m)
        return true;
    if (m->kind != SC_Y_MAP || !m->n_pairs) {
        herror(h, m->loc, "hunting '%s' must be a non-empty map of NAME: definition", key);
        return false;
    }
    *items = sc_arena_alloc(h->a, m->n_pairs * size);
    *n = m->n_pairs;
    return *items != NULL;
}

static bool read_block(hctx *h, const sc_ynode *block, sc_hunting *hu)
{
    static const char *const keys[] = {"columns", "aggregates", "severity", "sort"};
    for (size_t i = 0; i < block->n_pairs; i++) {
        bool known = false;
        for (size_t k = 0; k < 4; k++)
            known |= !strcmp(block->pairs[i].key->text, keys[k]);
        if (!known)
            herror(h, block->pairs[i].key->loc, "unknown key '%s' in hunting (columns, "
                   "aggregates, severity, sort)", block->pairs[i].key->text);
    }
    if (!read_map_section(h, block, "columns", sizeof *hu->columns, (void **)&hu->columns,
                          &hu->n_columns))
        return false;
    for (size_t i = 0; i < hu->n_columns; i++)
        if (!read_column(h, &sc_ymap_get(block, "columns")->pairs[i], &hu->columns[i]))
            return false;
    if (!read_map_section(h, block, "aggregates", sizeof *hu->aggregates,
                          (void **)&hu->aggregates, &hu->n_aggregates))
        return false;
    if (hu->n_aggregates && h->rule->kind != SIGCC_RULE_CORRELATION) {
        herror(h, sc_ymap_get(block, "aggregates")->loc,
               "hunting aggregates need a correlation rule (a detection rule has no groups)");
        return false;
    }
    for (size_t i = 0; i < hu->n_aggregates; i++)
        if (!read_aggregate(h, &sc_ymap_get(block, "aggregates")->pairs[i], hu,
                            &hu->aggregates[i]))
            return false;
    const sc_ynode *sev = sc_ymap_get(block, "severity");
    if (sev && (sev->kind != SC_Y_SEQ || !sev->n_items)) {
        herror(h, sev->loc, "hunting severity must be a non-empty list of steps");
        return false;
    }
    if (sev && !(hu->severity = sc_arena_alloc(h->a, sev->n_items * sizeof *hu->severity)))
        return false;
    for (size_t i = 0; sev && i < sev->n_items; i++) {
        if (!read_severity(h, sev->items[i], &hu->severity[i]))
            return false;
        if (!hu->severity[i].n_tests && i + 1 < sev->n_items) {
            herror(h, sev->items[i]->loc, "only the last severity step may omit 'when'");
            return false;
        }
        hu->n_severity++;
    }
    const sc_ynode *sort = sc_ymap_get(block, "sort");
    return !sort || read_sort(h, sort, hu);
}

bool sc_hunting_read(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                     const sc_ynode *block, sigcc_rule *rule)
{
    hctx h = {a, diags, src, rule, false};
    if (rule->kind == SIGCC_RULE_FILTER) {
        herror(&h, block->loc, "hunting columns belong to a detection or correlation rule, not "
                               "to a filter");
        return false;
    }
    if (block->kind != SC_Y_MAP) {
        herror(&h, block->loc, "hunting must be a map (columns, aggregates, severity, sort)");
        return false;
    }
    sc_hunting *hu = sc_arena_alloc(a, sizeof *hu);
    if (!hu)
        return false;
    bool ok = read_block(&h, block, hu) && !h.failed;
    if (ok)
        rule->hunting = hu;
    return ok;
}
