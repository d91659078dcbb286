/*
 * correlate.c - correlation windows.
 *
 * Two ways to decide, chosen from the condition (docs/evaluator.md):
 *  - sliding: when every comparison is gt/gte, a result is reported as soon
 *    as the hits inside [newest - timespan, newest] satisfy it; the group
 *    then starts afresh, so one burst gives one result;
 *  - at close: a condition with an upper bound (lt, lte, eq, neq) can only
 *    be decided once the window is over: windows open at a group's first
 *    hit and close timespan seconds later.
 */
#include "correlate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct window_entry {
    double time;
    uint32_t rule_index;
    double num;          /* value_sum / avg / percentile */
    char *value;         /* value_count: the distinct-value key */
    sc_hit_ref ref;
} window_entry;

typedef struct value_count {
    char *value;
    size_t count;
    struct value_count *next;
} value_count;

typedef struct group {
    char *key;
    char **values;       /* group-by values, for the report */
    window_entry *entries; /* sorted by time, live from `head` */
    size_t head, n, cap;
    double opened;       /* at-close mode: first hit of the window */
    value_count **distinct; /* value_count: chained hash of live values */
    size_t n_distinct_buckets, n_distinct;
    size_t *per_rule;    /* temporal: live hits per referenced rule */
    struct group *next;  /* hash chain */
} group;

struct sc_corr {
    const sigcc_rule *rule;
    const sc_correlation *c;
    bool at_close;
    double span;
    group **buckets;
    size_t n_buckets, n_groups;
};


static bool upper_bounded(const sc_correlation *c)
{
    if (c->n_conds == 0)
        return false;
    for (size_t i = 0; i < c->n_conds; i++)
        if (c->conds[i].cmp != SC_CMP_GT && c->conds[i].cmp != SC_CMP_GTE)
            return true;
    return false;
}

sc_corr *sc_corr_new(const sigcc_rule *rule)
{
    sc_corr *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->rule = rule;
    c->c = rule->corr;
    c->at_close = upper_bounded(rule->corr);
    c->span = (double)rule->corr->timespan_s;
    return c;
}

static void group_clear(group *g)
{
    for (size_t i = g->head; i < g->n; i++)
        free(g->entries[i].value);
    g->head = g->n = 0;
    for (size_t b = 0; b < g->n_distinct_buckets; b++) {
        for (value_count *v = g->distinct[b], *next; v; v = next) {
            next = v->next;
            free(v->value);
            free(v);
        }
        g->distinct[b] = NULL;
    }
    g->n_distinct = 0;
}

static void group_free(group *g, size_t n_group)
{
    group_clear(g);
    free(g->entries);
    free(g->distinct);
    free(g->per_rule);
    for (size_t i = 0; i < n_group; i++)
        free(g->values[i]);
    free(g->values);
    free(g->key);
    free(g);
}

void sc_corr_free(sc_corr *c)
{
    if (!c)
        return;
    for (size_t b = 0; b < c->n_buckets; b++)
        for (group *g = c->buckets[b], *next; g; g = next) {
            next = g->next;
            group_free(g, c->c->n_group_by);
        }
    free(c->buckets);
    free(c);
}

size_t sc_corr_groups(const sc_corr *c)
{
    return c->n_groups;
}

/* ------------------------------------------------------- distinct values */
static value_count **distinct_slot(group *g, const char *v)
{
    size_t b = sc_hash64(v, strlen(v)) % g->n_distinct_buckets;
    value_count **p = &g->distinct[b];
    while (*p && strcmp((*p)->value, v) != 0)
        p = &(*p)->next;
    return p;
}

static bool distinct_add(group *g, const char *v)
{
    if (!g->distinct) {
        g->n_distinct_buckets = 64;
        g->distinct = calloc(g->n_distinct_buckets, sizeof *g->distinct);
        if (!g->distinct)
            return false;
    }
    value_count **p = distinct_slot(g, v);
    if (*p) {
        (*p)->count++;
        return true;
    }
    value_count *fresh = calloc(1, sizeof *fresh);
    if (!fresh || !(fresh->value = strdup(v))) {
        free(fresh);
        return false;
    }
    fresh->count = 1;
    *p = fresh;
    g->n_distinct++;
    return true;
}

static void distinct_remove(group *g, const char *v)
{
    if (!g->distinct)
        return;
    value_count **p = distinct_slot(g, v);
    if (*p && --(*p)->count == 0) {
        value_count *dead = *p;
        *p = dead->next;
        free(dead->value);
        free(dead);
        g->n_distinct--;
    }
}

/* ---------------------------------------------------------------- window */
static void entry_drop(group *g, size_t i)
{
    window_entry *e = &g->entries[i];
    if (e->value)
        distinct_remove(g, e->value);
    if (g->per_rule)
        g->per_rule[e->rule_index]--;
    free(e->value);
    e->value = NULL;
}

static void evict_before(sc_corr *c, group *g, double limit)
{
    while (g->head < g->n && g->entries[g->head].time < limit)
        entry_drop(g, g->head++);
    if (g->head == g->n)
        g->head = g->n = 0;
}

static bool window_insert(sc_corr *c, group *g, const window_entry *e)
{
    if (g->n - g->head >= SC_CORR_MAX_WINDOW)
        entry_drop(g, g->head++);
    if (g->n == g->cap) {
        if (g->head > 0) {
            memmove(g->entries, g->entries + g->head, (g->n - g->head) * sizeof *g->entries);
            g->n -= g->head;
            g->head = 0;
        }
        if (g->n == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 8;
            window_entry *p = realloc(g->entries, cap * sizeof *p);
            if (!p)
                return false;
            g->entries = p;
            g->cap = cap;
        }
    }
    /* Keep time order; input is mostly sorted, so this rarely moves. */
    size_t i = g->n;
    while (i > g->head && g->entries[i - 1].time > e->time) {
        g->entries[i] = g->entries[i - 1];
        i--;
    }
    g->entries[i] = *e;
    g->n++;
    if (e->value && !distinct_add(g, e->value))
        return false;
    if (g->per_rule)
        g->per_rule[e->rule_index]++;
    return true;
}

/* ------------------------------------------------------------- measuring */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of the numeric values in the window. */
static double window_percentile(const group *g, double pct)
{
    size_t n = g->n - g->head;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return NAN;
    for (size_t i = 0; i < n; i++)
        v[i] = g->entries[g->head + i].num;
    qsort(v, n, sizeof *v, cmp_double);
    size_t rank = (size_t)ceil(pct / 100.0 * (double)n);
    double r = v[rank ? rank - 1 : 0];
    free(v);
    return r;
}

/* temporal_ordered: do the live hits contain the referenced rules in
 * their listed order? Greedy earliest matching decides a subsequence. */
static bool in_order(const sc_corr *c, const group *g)
{
    size_t step = 0;
    for (size_t i = g->head; i < g->n && step < c->c->n_rules; i++)
        if (g->entries[i].rule_index == step)
            step++;
    return step == c->c->n_rules;
}

static double measure(const sc_corr *c, const group *g)
{
    size_t n = g->n - g->head;
    switch (c->c->type) {
    case SC_CORR_EVENT_COUNT: return (double)n;
    case SC_CORR_VALUE_COUNT: return (double)g->n_distinct;
    case SC_CORR_TEMPORAL:
    case SC_CORR_TEMPORAL_ORDERED: {
        size_t rules = 0;
        for (size_t i = 0; i < c->c->n_rules; i++)
            rules += g->per_rule[i] > 0;
        return (double)rules;
    }
    case SC_CORR_VALUE_SUM:
    case SC_CORR_VALUE_AVG: {
        double sum = 0;
        for (size_t i = g->head; i < g->n; i++)
            sum += g->entries[i].num;
        return c->c->type == SC_CORR_VALUE_SUM ? sum : (n ? sum / (double)n : 0);
    }
    case SC_CORR_VALUE_PERCENTILE:
        return n ? window_percentile(g, c->c->has_percentile ? c->c->percentile : 50) : NAN;
    }
    return 0;
}

static bool compare(double v, const sc_corr_cond *k)
{
    switch (k->cmp) {
    case SC_CMP_GT: return v > k->value;
    case SC_CMP_GTE: return v >= k->value;
    case SC_CMP_LT: return v < k->value;
    case SC_CMP_LTE: return v <= k->value;
    case SC_CMP_EQ: return v == k->value;
    case SC_CMP_NEQ: return v != k->value;
    }
    return false;
}

static bool condition_holds(const sc_corr *c, const group *g, double v)
{
    if (isnan(v) || g->n == g->head)
        return false;
    if (c->c->type == SC_CORR_TEMPORAL_ORDERED && !in_order(c, g))
        return false;
    if (c->c->n_conds == 0) /* temporal: every referenced rule */
        return v >= (double)c->c->n_rules;
    for (size_t i = 0; i < c->c->n_conds; i++)
        if (!compare(v, &c->c->conds[i]))
            return false;
    return true;
}

static void report(const sc_corr *c, const group *g, double v, sc_corr_sink sink, void *ud)
{
    sc_hit_ref refs[SC_CORR_MAX_REPORTED];
    size_t n = 0;
    for (size_t i = g->head; i < g->n && n < SC_CORR_MAX_REPORTED; i++)
        refs[n++] = g->entries[i].ref;
    sc_corr_result res = {
        .rule = c->rule,
        .group_names = c->c->group_by,
        .group_values = (const char *const *)g->values,
        .n_group = c->c->n_group_by,
        .value = v,
        .first = g->entries[g->head].time,
        .last = g->entries[g->n - 1].time,
        .events = refs,
        .n_events = n,
        .total_events = g->n - g->head,
    };
    sink(ud, &res);
}

/* --------------------------------------------------------------- groups */
static const char *field_for(const sc_corr *c, const sigcc_rule *rule, const char *name)
{
    for (size_t a = 0; a < c->c->n_aliases; a++) {
        const sc_alias *al = &c->c->aliases[a];
        if (strcmp(al->name, name) != 0)
            continue;
        for (size_t i = 0; i < al->n_entries; i++)
            if ((rule->name && strcmp(al->entries[i].rule, rule->name) == 0) ||
                (rule->id && strcmp(al->entries[i].rule, rule->id) == 0))
                return al->entries[i].field;
        return NULL; /* an alias without a field for this rule */
    }
    return name;
}

/* The group key: each value with its length, so no separator can collide. */
static bool group_key(const sc_corr *c, const sc_hit *hit, sc_buf *key, const char **vals,
                      size_t *lens)
{
    for (size_t i = 0; i < c->c->n_group_by; i++) {
        const char *field = field_for(c, hit->rule, c->c->group_by[i]);
        if (!field || !hit->field(hit->src, field, &vals[i], &lens[i]))
            return false; /* events without a group-by value are not grouped */
        sc_buf_printf(key, "%zu:", lens[i]);
        sc_buf_put(key, vals[i], lens[i]);
    }
    return !key->oom;
}

static bool grow_buckets(sc_corr *c)
{
    size_t n = c->n_buckets ? c->n_buckets * 2 : 256;
    group **fresh = calloc(n, sizeof *fresh);
    if (!fresh)
        return false;
    for (size_t b = 0; b < c->n_buckets; b++)
        for (group *g = c->buckets[b], *next; g; g = next) {
            next = g->next;
            size_t nb = sc_hash64(g->key, strlen(g->key)) % n;
            g->next = fresh[nb];
            fresh[nb] = g;
        }
    free(c->buckets);
    c->buckets = fresh;
    c->n_buckets = n;
    return true;
}

static group *group_new(sc_corr *c, const sc_buf *key, const char **vals, const size_t *lens)
{
    group *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->key = strndup(key->data ? key->data : "", key->len);
    g->values = calloc(c->c->n_group_by ? c->c->n_group_by : 1, sizeof *g->values);
    if (c->c->type == SC_CORR_TEMPORAL || c->c->type == SC_CORR_TEMPORAL_ORDERED)
        g->per_rule = calloc(c->c->n_rules, sizeof *g->per_rule);
    bool ok = g->key && g->values &&
              (g->per_rule || !(c->c->type == SC_CORR_TEMPORAL ||
                                c->c->type == SC_CORR_TEMPORAL_ORDERED));
    for (size_t i = 0; ok && i < c->c->n_group_by; i++)
        ok = (g->values[i] = strndup(vals[i], lens[i])) != NULL;
    if (!ok) {
        group_free(g, c->c->n_group_by);
        return NULL;
    }
    return g;
}

static group *group_find(sc_corr *c, const sc_buf *key, const char **vals, const size_t *lens)
{
    const char *k = key->data ? key->data : "";
    if (!c->n_buckets && !grow_buckets(c))
        return NULL;
    size_t b = sc_hash64(k, key->len) % c->n_buckets;
    for (group *g = c->buckets[b]; g; g = g->next)
        if (strlen(g->key) == key->len && memcmp(g->key, k, key->len) == 0)
            return g;
    if (c->n_groups >= SC_CORR_MAX_GROUPS)
        return NULL;
    if (c->n_groups >= c->n_buckets && grow_buckets(c))
        b = sc_hash64(k, key->len) % c->n_buckets;
    group *g = group_new(c, key, vals, lens);
    if (!g)
        return NULL;
    g->next = c->buckets[b];
    c->buckets[b] = g;
    c->n_groups++;
    return g;
}

/* ----------------------------------------------------------------- feed */
static int rule_index(const sc_corr *c, const sigcc_rule *rule)
{
    for (size_t i = 0; i < c->c->n_rules; i++)
        if (c->c->rules[i].target == rule)
            return (int)i;
    return -1;
}

/* The hit's contribution to a value_* measure; false to leave it out. */
static bool hit_value(const sc_corr *c, const sc_hit *hit, window_entry *e)
{
    if (c->c->type == SC_CORR_EVENT_COUNT || c->c->type == SC_CORR_TEMPORAL ||
        c->c->type == SC_CORR_TEMPORAL_ORDERED)
        return true;
    if (c->c->n_fields == 0)
        return false;
    if (c->c->type == SC_CORR_VALUE_COUNT) {
        sc_buf key = {0};
        for (size_t i = 0; i < c->c->n_fields; i++) {
            const char *field = field_for(c, hit->rule, c->c->fields[i]);
            const char *s;
            size_t len;
            if (!field || !hit->field(hit->src, field, &s, &len)) {
                sc_buf_free(&key);
                return false;
            }
            sc_buf_printf(&key, "%zu:", len);
            sc_buf_put(&key, s, len);
        }
        e->value = sc_buf_take(&key);
        return e->value != NULL;
    }
    const char *field = field_for(c, hit->rule, c->c->fields[0]);
    const char *s;
    size_t len;
    char text[64];
    if (!field || !hit->field(hit->src, field, &s, &len) || len == 0 || len >= sizeof text)
        return false;
    memcpy(text, s, len);
    text[len] = '\0';
    char *end;
    e->num = strtod(text, &end);
    return *end == '\0' && isfinite(e->num);
}

static void close_window(sc_corr *c, group *g, sc_corr_sink sink, void *ud)
{
    double v = measure(c, g);
    if (condition_holds(c, g, v))
        report(c, g, v, sink, ud);
    group_clear(g);
}

bool sc_corr_feed(sc_corr *c, const sc_hit *hit, sc_corr_sink sink, void *ud)
{
    int index = rule_index(c, hit->rule);
    if (index < 0)
        return true;
    const char *vals[64];
    size_t lens[64];
    if (c->c->n_group_by > 64)
        return true;
    sc_buf key = {0};
    bool grouped = group_key(c, hit, &key, vals, lens);
    group *g = grouped ? group_find(c, &key, vals, lens) : NULL;
    sc_buf_free(&key);
    if (!g)
        return !grouped ? true : false;
    window_entry e = {.time = hit->time, .rule_index = (uint32_t)index,
                      .ref = {hit->rule, hit->time, hit->file, hit->where, hit->is_record}};
    if (!hit_value(c, hit, &e))
        return true;
    if (c->at_close) {
        if (g->n > g->head && hit->time > g->opened + c->span)
            close_window(c, g, sink, ud);
        if (g->n == g->head)
            g->opened = hit->time;
        return window_insert(c, g, &e);
    }
    if (!window_insert(c, g, &e))
        return false;
    evict_before(c, g, g->entries[g->n - 1].time - c->span);
    double v = measure(c, g);
    if (condition_holds(c, g, v)) {
        report(c, g, v, sink, ud);
        group_clear(g);
    }
    return true;
}

void sc_corr_expire(sc_corr *c, double now, sc_corr_sink sink, void *ud)
{
    for (size_t b = 0; b < c->n_buckets; b++) {
        group **p = &c->buckets[b];
        while (*p) {
            group *g = *p;
            bool live = g->n > g->head;
            if (c->at_close && live && (isinf(now) || now > g->opened + c->span)) {
                close_window(c, g, sink, ud);
                live = false;
            } else if (live && g->entries[g->n - 1].time + c->span < now) {
                live = false; /* nothing in it can count any more */
            }
            if (live) {
                p = &g->next;
                continue;
            }
            *p = g->next;
            group_free(g, c->c->n_group_by);
            c->n_groups--;
        }
    }
}
