/*
 * resolve.c - links between rules, once every file is loaded:
 * correlations to the rules they count (by id or name, chains allowed,
 * cycles refused), filters to the rules they tune (logsource must match),
 * and duplicate ids reported. A correlation whose references cannot be
 * resolved is dropped from the set with an error.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Rules by id and by name, sorted for binary search: a corpus of thousands
 * of rules is resolved in n log n. */
typedef struct keyed {
    const char *key;
    size_t order; /* load order, to report the later duplicate */
    sigcc_rule *rule;
} keyed;

typedef struct rule_index {
    keyed *items;
    size_t n;
} rule_index;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static bool index_build(sigcc_ctx *ctx, rule_index *ix)
{
    ix->n = 0;
    ix->items = sc_arena_alloc(ctx->arena, (2 * ctx->rules.n + 1) * sizeof *ix->items);
    if (!ix->items)
        return false;
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->kind == SIGCC_RULE_FILTER)
            continue;
        if (r->id)
            ix->items[ix->n++] = (keyed){r->id, i, r};
        if (r->name && (!r->id || strcmp(r->name, r->id)))
            ix->items[ix->n++] = (keyed){r->name, i, r};
    }
    qsort(ix->items, ix->n, sizeof *ix->items, keyed_cmp);
    return true;
}

static sigcc_rule *index_find(const rule_index *ix, const char *key)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->items[mid].key, key);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->n && !strcmp(ix->items[lo].key, key) ? ix->items[lo].rule : NULL;
}

static void rule_diag(sigcc_ctx *ctx, const sigcc_rule *r, sigcc_severity sev, const char *code,
                      sc_loc loc, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void rule_diag(sigcc_ctx *ctx, const sigcc_rule *r, sigcc_severity sev, const char *code,
                      sc_loc loc, const char *fmt, ...)
{
    sc_source src = {.name = r->file};
    va_list ap;
    va_start(ap, fmt);
    ctx->diags.file_errors = 0;
    sc_vdiag(&ctx->diags, &src, sev, code, loc, fmt, ap);
    va_end(ap);
}

/* Depth-first search over correlation references, each rule visited once
 * (a fan of correlations over one another must not explode): a reference
 * back to a rule on the current path marks every rule of that loop. */
static void find_cycles(sigcc_ctx *ctx, sigcc_rule *r, sc_vec *path)
{
    if (path->n >= SC_MAX_CORRELATION_CHAIN) {
        rule_diag(ctx, r, SIGCC_ERROR, "limit-correlation-chain", (sc_loc){r->line, 1, 1},
                  "correlations are chained deeper than %u levels", SC_MAX_CORRELATION_CHAIN);
        r->dropped = true;
        r->visit = 2;
        return;
    }
    r->visit = 1;
    if (!sc_vec_push(ctx->arena, path, r)) {
        r->visit = 2;
        return;
    }
    for (size_t i = 0; i < r->corr->n_rules; i++) {
        sigcc_rule *t = r->corr->rules[i].target;
        if (!t || !t->corr || t == r)
            continue;
        if (t->visit == 1) {
            for (size_t k = path->n; k-- > 0;) {
                sigcc_rule *member = path->items[k];
                member->in_cycle = true;
                if (member == t)
                    break;
            }
        } else if (t->visit == 0) {
            find_cycles(ctx, t, path);
        }
    }
    path->n--;
    r->visit = 2;
}

static bool resolve_correlation(sigcc_ctx *ctx, const rule_index *ix, sigcc_rule *r)
{
    sc_correlation *c = r->corr;
    bool ok = true;
    for (size_t i = 0; i < c->n_rules; i++) {
        sc_rule_ref *ref = &c->rules[i];
        ref->target = index_find(ix, ref->ref);
        if (!ref->target) {
            /* The rule may live in a file not loaded now: a backend or the
             * evaluator refuses the correlation then; check only warns. */
            rule_diag(ctx, r, SIGCC_WARNING, "unknown-rule", ref->loc,
                      "correlation references '%s', which is the id or name of no loaded rule "
                      "(load the file that defines it too)", ref->ref);
        } else if (ref->target == r) {
            rule_diag(ctx, r, SIGCC_ERROR, "correlation-cycle", ref->loc,
                      "correlation references itself");
            ok = false;
        }
    }
    for (size_t i = 0; ok && i < c->n_aliases; i++)
        for (size_t k = 0; k < c->aliases[i].n_entries; k++) {
            const char *rule = c->aliases[i].entries[k].rule;
            bool found = false;
            for (size_t j = 0; j < c->n_rules; j++)
                if (!strcmp(c->rules[j].ref, rule) ||
                    (c->rules[j].target && c->rules[j].target->name &&
                     !strcmp(c->rules[j].target->name, rule)))
                    found = true;
            if (!found)
                rule_diag(ctx, r, SIGCC_WARNING, "alias-rule", (sc_loc){r->line, 1, 1},
                          "alias '%s' names rule '%s', which this correlation does not "
                          "reference", c->aliases[i].name, rule);
        }
    return ok;
}

static bool logsource_covers(const sc_logsource *filter, const sc_logsource *rule)
{
    return (!filter->category || (rule->category && !strcmp(filter->category, rule->category))) &&
           (!filter->product || (rule->product && !strcmp(filter->product, rule->product))) &&
           (!filter->service || (rule->service && !strcmp(filter->service, rule->service)));
}

static bool filter_names(const sc_filter *f, const sigcc_rule *r)
{
    if (f->any)
        return true;
    for (size_t i = 0; i < f->n_rules; i++)
        if ((r->id && !strcmp(r->id, f->rules[i].ref)) ||
            (r->name && !strcmp(r->name, f->rules[i].ref)))
            return true;
    return false;
}

static void apply_filter(sigcc_ctx *ctx, const rule_index *ix, sigcc_rule *f)
{
    for (size_t i = 0; i < f->filter->n_rules; i++)
        f->filter->rules[i].target = index_find(ix, f->filter->rules[i].ref);
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->kind != SIGCC_RULE_DETECTION || !filter_names(f->filter, r) ||
            !logsource_covers(&f->logsource, &r->logsource))
            continue;
        bool seen = false;
        for (size_t k = 0; k < r->applied_filters.n; k++)
            seen |= r->applied_filters.items[k] == f;
        if (!seen)
            sc_vec_push(r->arena, &r->applied_filters, f);
    }
}

static void report_duplicate_ids(sigcc_ctx *ctx, const rule_index *ix)
{
    for (size_t i = 1; i < ix->n; i++) {
        const keyed *prev = &ix->items[i - 1], *cur = &ix->items[i];
        sigcc_rule *r = cur->rule, *o = prev->rule;
        if (strcmp(prev->key, cur->key) || r == o || !r->id || strcmp(r->id, cur->key) ||
            !o->id || strcmp(o->id, prev->key))
            continue;
        rule_diag(ctx, r, SIGCC_WARNING, "duplicate-id", (sc_loc){r->line, 1, 1},
                  "id %s is also the id of '%s' (%s:%u)", r->id, o->title ? o->title : "",
                  o->file, o->line);
    }
}

static void drop_marked(sigcc_ctx *ctx)
{
    /* A correlation built on a dropped rule is dropped too; repeat until
     * nothing changes, so no kept rule points at one that is freed. */
    bool changed;
    do {
        changed = false;
        for (size_t i = 0; i < ctx->rules.n; i++) {
            sigcc_rule *r = ctx->rules.items[i];
            if (r->dropped || !r->corr)
                continue;
            for (size_t k = 0; k < r->corr->n_rules; k++) {
                sc_rule_ref *ref = &r->corr->rules[k];
                if (ref->target && ref->target->dropped) {
                    rule_diag(ctx, r, SIGCC_ERROR, "unknown-rule", ref->loc,
                              "correlation references '%s', which is itself invalid",
                              ref->ref);
                    ref->target = NULL;
                    r->dropped = true;
                    changed = true;
                }
            }
        }
    } while (changed);
    size_t keep = 0;
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->dropped)
            sc_rule_free(r);
        else
            ctx->rules.items[keep++] = r;
    }
    ctx->rules.n = keep;
}

sigcc_status sigcc_resolve(sigcc_ctx *ctx)
{
    if (!ctx)
        return SIGCC_EUSAGE;
    size_t errors = ctx->diags.errors;
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        r->applied_filters.n = 0;
        r->used_by.n = 0;
    }
    rule_index ix;
    if (!index_build(ctx, &ix))
        return SIGCC_ENOMEM;
    report_duplicate_ids(ctx, &ix);
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->kind == SIGCC_RULE_CORRELATION && !resolve_correlation(ctx, &ix, r))
            r->dropped = true;
    }
    sc_vec path = {0};
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        r->visit = 0;
        r->in_cycle = false;
    }
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->kind == SIGCC_RULE_CORRELATION && r->visit == 0)
            find_cycles(ctx, r, &path);
    }
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->in_cycle && !r->dropped) {
            rule_diag(ctx, r, SIGCC_ERROR, "correlation-cycle", (sc_loc){r->line, 1, 1},
                      "correlation '%s' is part of a reference cycle: a chain of correlations "
                      "leads back to it", r->title ? r->title : "");
            r->dropped = true;
        }
    }
    drop_marked(ctx);
    if (!index_build(ctx, &ix))
        return SIGCC_ENOMEM;
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->kind != SIGCC_RULE_CORRELATION)
            continue;
        for (size_t k = 0; k < r->corr->n_rules; k++) {
            sigcc_rule *t = r->corr->rules[k].target;
            if (t)
                sc_vec_push(t->arena, &t->used_by, r);
        }
    }
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->kind == SIGCC_RULE_FILTER)
            apply_filter(ctx, &ix, r);
    }
    ctx->resolved = true;
    if (ctx->diags.oom)
        return SIGCC_ENOMEM;
    return ctx->diags.errors == errors ? SIGCC_OK : SIGCC_EINVALID;
}
