/*
 * optimize.c - the optimizer passes (see optimize.h, docs/optimizer.md).
 *
 * Every pass is a local rewrite applied bottom-up: children first, then the
 * node itself. Nodes are never changed in place once built: a rewrite makes
 * a new node, so trees that share leaves (filters, selections) stay intact.
 */
#include "optimize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 16

typedef bool (*local_rewrite)(sc_arena *a, sc_node **np);

/* -------------------------------------------------------------- helpers */
static bool value_equal(const sc_value *x, const sc_value *y)
{
    if (x->kind != y->kind)
        return false;
    switch (x->kind) {
    case SC_VAL_STRING:
        if (x->n_parts != y->n_parts)
            return false;
        for (size_t i = 0; i < x->n_parts; i++) {
            const sc_part *p = &x->parts[i], *q = &y->parts[i];
            if (p->kind != q->kind || p->len != q->len ||
                (p->len && memcmp(p->text, q->text, p->len) != 0))
                return false;
        }
        return true;
    case SC_VAL_NUMBER:
        /* The text matters too: an event value that is not a number is
         * compared with the rule's text (1_000 and 1000 differ there). */
        return x->num == y->num && x->is_int == y->is_int && x->raw_len == y->raw_len &&
               memcmp(x->raw, y->raw, x->raw_len) == 0;
    case SC_VAL_BOOL: return x->bval == y->bval;
    case SC_VAL_NULL: return true;
    default: /* regex, cidr, fieldref: as written */
        return x->raw_len == y->raw_len && memcmp(x->raw, y->raw, x->raw_len) == 0;
    }
}

static bool same_field(const char *x, const char *y)
{
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Same field, operation and modifiers: the values are read the same way. */
static bool match_same_kind(const sc_match *x, const sc_match *y)
{
    return same_field(x->field, y->field) && x->op == y->op && x->mods == y->mods &&
           x->timepart == y->timepart && x->all == y->all && x->negated == y->negated &&
           x->cased == y->cased;
}

static bool match_equal(const sc_match *x, const sc_match *y)
{
    if (!match_same_kind(x, y) || x->n_values != y->n_values)
        return false;
    for (size_t i = 0; i < x->n_values; i++)
        if (!value_equal(&x->values[i], &y->values[i]))
            return false;
    return true;
}

bool sc_node_equal(const sc_node *x, const sc_node *y)
{
    if (x->kind != y->kind)
        return false;
    switch (x->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        if (x->u.list.n != y->u.list.n)
            return false;
        for (size_t i = 0; i < x->u.list.n; i++)
            if (!sc_node_equal(x->u.list.items[i], y->u.list.items[i]))
                return false;
        return true;
    case SC_NODE_NOT: return sc_node_equal(x->u.child, y->u.child);
    case SC_NODE_SEL: return sc_node_equal(x->u.sel.child, y->u.sel.child);
    case SC_NODE_MATCH: return match_equal(&x->u.match, &y->u.match);
    default: return true;
    }
}

size_t sc_node_count(const sc_node *n)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR: {
        size_t c = 1;
        for (size_t i = 0; i < n->u.list.n; i++)
            c += sc_node_count(n->u.list.items[i]);
        return c;
    }
    case SC_NODE_NOT: return 1 + sc_node_count(n->u.child);
    case SC_NODE_SEL: return 1 + sc_node_count(n->u.sel.child);
    default: return 1;
    }
}

static sc_node *constant(sc_arena *a, bool value, sc_loc loc)
{
    return sc_node_new(a, value ? SC_NODE_TRUE : SC_NODE_FALSE, loc);
}

static sc_node *negate(sc_arena *a, sc_node *child)
{
    sc_node *n = sc_node_new(a, SC_NODE_NOT, child->loc);
    if (n)
        n->u.child = child;
    return n;
}

/* A list node with `items`, or its only item, or the empty constant. */
static sc_node *list_or_single(sc_arena *a, sc_node_kind kind, sc_loc loc, sc_node **items,
                               size_t n)
{
    if (n == 1)
        return items[0];
    if (n == 0)
        return constant(a, kind == SC_NODE_AND, loc);
    return sc_node_list(a, kind, loc, items, n);
}

static bool is_list(const sc_node *n)
{
    return n->kind == SC_NODE_AND || n->kind == SC_NODE_OR;
}

/* Children first, then the node itself. `*failed` on allocation failure. */
static bool visit(sc_arena *a, sc_node **np, local_rewrite rewrite, bool *failed)
{
    sc_node *n = *np;
    bool changed = false;
    if (is_list(n)) {
        sc_node **items = NULL;
        for (size_t i = 0; i < n->u.list.n; i++) {
            sc_node *child = n->u.list.items[i];
            if (!visit(a, &child, rewrite, failed))
                continue;
            if (!items) {
                items = sc_arena_alloc(a, n->u.list.n * sizeof *items);
                if (!items) {
                    *failed = true;
                    return false;
                }
                memcpy(items, n->u.list.items, n->u.list.n * sizeof *items);
            }
            items[i] = child;
        }
        if (items) {
            n = sc_node_list(a, n->kind, n->loc, items, n->u.list.n);
            if (!n) {
                *failed = true;
                return false;
            }
            changed = true;
        }
    } else if (n->kind == SC_NODE_NOT || n->kind == SC_NODE_SEL) {
        sc_node *child = n->kind == SC_NODE_NOT ? n->u.child : n->u.sel.child;
        if (visit(a, &child, rewrite, failed)) {
            sc_node *copy = sc_node_new(a, n->kind, n->loc);
            if (!copy) {
                *failed = true;
                return false;
            }
            *copy = *n;
            if (n->kind == SC_NODE_NOT)
                copy->u.child = child;
            else
                copy->u.sel.child = child;
            n = copy;
            changed = true;
        }
    }
    *np = n;
    if (rewrite(a, np))
        changed = true;
    if (!*np) {
        *failed = true;
        return false;
    }
    return changed;
}

/* -------------------------------------------------------------- flatten */
/* sel wrappers go, nested and/or of the same kind merge, not-not cancels,
 * one-item lists become their item. */
static bool rewrite_flatten(sc_arena *a, sc_node **np)
{
    sc_node *n = *np;
    if (n->kind == SC_NODE_SEL) {
        *np = n->u.sel.child;
        return true;
    }
    if (n->kind == SC_NODE_NOT && n->u.child->kind == SC_NODE_NOT) {
        *np = n->u.child->u.child;
        return true;
    }
    if (!is_list(n))
        return false;
    size_t total = 0;
    bool nested = false;
    for (size_t i = 0; i < n->u.list.n; i++) {
        const sc_node *c = n->u.list.items[i];
        nested |= c->kind == n->kind;
        total += c->kind == n->kind ? c->u.list.n : 1;
    }
    if (!nested && n->u.list.n > 1)
        return false;
    sc_node **items = sc_arena_alloc(a, (total ? total : 1) * sizeof *items);
    if (!items) {
        *np = NULL;
        return true;
    }
    size_t k = 0;
    for (size_t i = 0; i < n->u.list.n; i++) {
        sc_node *c = n->u.list.items[i];
        if (c->kind == n->kind)
            for (size_t j = 0; j < c->u.list.n; j++)
                items[k++] = c->u.list.items[j];
        else
            items[k++] = c;
    }
    *np = list_or_single(a, n->kind, n->loc, items, k);
    return true;
}

/* ------------------------------------------------------------ constants */
static bool rewrite_constants(sc_arena *a, sc_node **np)
{
    sc_node *n = *np;
    if (n->kind == SC_NODE_NOT &&
        (n->u.child->kind == SC_NODE_TRUE || n->u.child->kind == SC_NODE_FALSE)) {
        *np = constant(a, n->u.child->kind == SC_NODE_FALSE, n->loc);
        return true;
    }
    if (!is_list(n))
        return false;
    /* and: false absorbs, true is neutral; or: the other way round */
    sc_node_kind absorbing = n->kind == SC_NODE_AND ? SC_NODE_FALSE : SC_NODE_TRUE;
    sc_node_kind neutral = n->kind == SC_NODE_AND ? SC_NODE_TRUE : SC_NODE_FALSE;
    size_t keep = 0;
    for (size_t i = 0; i < n->u.list.n; i++) {
        sc_node_kind k = n->u.list.items[i]->kind;
        if (k == absorbing) {
            *np = constant(a, absorbing == SC_NODE_TRUE, n->loc);
            return true;
        }
        keep += k != neutral;
    }
    if (keep == n->u.list.n)
        return false;
    sc_node **items = sc_arena_alloc(a, (keep ? keep : 1) * sizeof *items);
    if (!items) {
        *np = NULL;
        return true;
    }
    size_t k = 0;
    for (size_t i = 0; i < n->u.list.n; i++)
        if (n->u.list.items[i]->kind != neutral)
            items[k++] = n->u.list.items[i];
    *np = list_or_single(a, n->kind, n->loc, items, k);
    return true;
}

/* --------------------------------------------------------------- dedupe */
static sc_node *match_with_values(sc_arena *a, const sc_node *n, sc_value *values, size_t nv)
{
    sc_node *m = sc_node_new(a, SC_NODE_MATCH, n->loc);
    if (!m)
        return NULL;
    *m = *n;
    m->u.match.values = values;
    m->u.match.n_values = nv;
    return m;
}

/* Hashes what value_equal compares, so equal values hash alike. */
static uint64_t value_hash(const sc_value *v)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)v->kind;
    const unsigned char *bytes = (const unsigned char *)v->raw;
    size_t len = v->raw_len;
    if (v->kind == SC_VAL_STRING) {
        for (size_t i = 0; i < v->n_parts; i++) {
            h = (h ^ (uint64_t)v->parts[i].kind) * 1099511628211u;
            for (size_t j = 0; j < v->parts[i].len; j++)
                h = (h ^ (unsigned char)v->parts[i].text[j]) * 1099511628211u;
        }
        return h;
    }
    if (v->kind == SC_VAL_BOOL)
        return h ^ (uint64_t)v->bval;
    if (v->kind == SC_VAL_NULL)
        return h;
    for (size_t j = 0; j < len; j++)
        h = (h ^ bytes[j]) * 1099511628211u;
    return h;
}

/* Marks in dup[] every value equal to an earlier one; returns how many are
 * left. Long lists (IOC lists run to thousands of values) go through a hash
 * table so the pass stays linear. */
static size_t mark_duplicates(const sc_value *vals, size_t n, bool *dup)
{
    size_t keep = 0;
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    size_t *slots = n > 16 ? malloc(cap * sizeof *slots) : NULL;
    if (slots)
        memset(slots, 0xff, cap * sizeof *slots);
    for (size_t i = 0; i < n; i++) {
        dup[i] = false;
        if (!slots) {
            for (size_t j = 0; j < i && !dup[i]; j++)
                dup[i] = value_equal(&vals[i], &vals[j]);
        } else {
            size_t s = (size_t)value_hash(&vals[i]) & (cap - 1);
            for (; slots[s] != SIZE_MAX && !dup[i]; s = (s + 1) & (cap - 1))
                dup[i] = value_equal(&vals[i], &vals[slots[s]]);
            if (!dup[i])
                slots[s] = i;
        }
        keep += !dup[i];
    }
    free(slots);
    return keep;
}

static bool dedupe_values(sc_arena *a, sc_node **np)
{
    const sc_match *m = &(*np)->u.match;
    if (m->n_values < 2)
        return false;
    bool *dup = malloc(m->n_values * sizeof *dup);
    size_t keep = dup ? mark_duplicates(m->values, m->n_values, dup) : 0;
    sc_value *vals = keep && keep < m->n_values ? sc_arena_alloc(a, keep * sizeof *vals) : NULL;
    if (!dup || (keep < m->n_values && !vals)) {
        free(dup);
        *np = NULL; /* out of memory */
        return true;
    }
    if (keep == m->n_values) {
        free(dup);
        return false;
    }
    size_t k = 0;
    for (size_t i = 0; i < m->n_values; i++)
        if (!dup[i])
            vals[k++] = m->values[i];
    free(dup);
    *np = match_with_values(a, *np, vals, k);
    return true;
}

/* Duplicate values of a match and duplicate branches of and/or (both are
 * idempotent: x or x = x, x and x = x). */
static bool rewrite_dedupe(sc_arena *a, sc_node **np)
{
    sc_node *n = *np;
    if (n->kind == SC_NODE_MATCH)
        return dedupe_values(a, np);
    if (!is_list(n))
        return false;
    sc_node **items = sc_arena_alloc(a, n->u.list.n * sizeof *items);
    if (!items) {
        *np = NULL;
        return true;
    }
    size_t k = 0;
    for (size_t i = 0; i < n->u.list.n; i++) {
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = sc_node_equal(items[j], n->u.list.items[i]);
        if (!dup)
            items[k++] = n->u.list.items[i];
    }
    if (k == n->u.list.n)
        return false;
    *np = list_or_single(a, n->kind, n->loc, items, k);
    return true;
}

/* ------------------------------------------------------------ fold sets */
static bool has_wildcards(const sc_value *v)
{
    return v->kind == SC_VAL_STRING && sc_pattern_has_wildcards(v->parts, v->n_parts);
}

/* A match whose values are plain alternatives: f = a or f = b or ... */
static bool foldable(const sc_node *n)
{
    if (n->kind != SC_NODE_MATCH)
        return false;
    const sc_match *m = &n->u.match;
    if (m->all || m->negated || m->op == SC_OP_EXISTS || m->op == SC_OP_FIELDREF ||
        m->n_values == 0)
        return false;
    for (size_t i = 0; i < m->n_values; i++)
        if (m->values[i].kind == SC_VAL_NULL)
            return false; /* null means "absent": rendered apart by every target */
    return true;
}

static bool all_plain(const sc_match *m)
{
    for (size_t i = 0; i < m->n_values; i++)
        if (has_wildcards(&m->values[i]))
            return false;
    return true;
}

/* Two foldable matches that can become one set: same field and modifiers,
 * and for plain equality, values of one kind (an equality set stays free
 * of wildcard patterns). */
static bool can_fold(const sc_node *x, const sc_node *y)
{
    const sc_match *a = &x->u.match, *b = &y->u.match;
    if (!match_same_kind(a, b))
        return false;
    uint64_t wildcard_mods = SC_MODBIT(SC_MOD_CONTAINS) | SC_MODBIT(SC_MOD_STARTSWITH) |
                             SC_MODBIT(SC_MOD_ENDSWITH);
    if (a->op == SC_OP_EQ && !(a->mods & wildcard_mods))
        return all_plain(a) == all_plain(b);
    return true;
}

static sc_node *merge_matches(sc_arena *a, sc_node *const *ms, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += ms[i]->u.match.n_values;
    sc_value *vals = sc_arena_alloc(a, total * sizeof *vals);
    if (!vals)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const sc_match *m = &ms[i]->u.match;
        memcpy(vals + k, m->values, m->n_values * sizeof *vals);
        k += m->n_values;
    }
    return match_with_values(a, ms[0], vals, k);
}

/* Groups the foldable items of `items` (in order of first appearance) and
 * merges each group; other items keep their place. Returns the new count. */
static size_t fold_items(sc_arena *a, sc_node **items, size_t n, bool *failed)
{
    bool *used = sc_arena_alloc(a, n ? n : 1);
    sc_node **group = sc_arena_alloc(a, (n ? n : 1) * sizeof *group);
    if (!used || !group) {
        *failed = true;
        return n;
    }
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (used[i])
            continue;
        sc_node *item = items[i];
        if (foldable(item)) {
            size_t g = 0;
            group[g++] = item;
            for (size_t j = i + 1; j < n; j++)
                if (!used[j] && foldable(items[j]) && can_fold(item, items[j])) {
                    group[g++] = items[j];
                    used[j] = true;
                }
            if (g > 1 && !(item = merge_matches(a, group, g))) {
                *failed = true;
                return n;
            }
        }
        items[out++] = item;
    }
    return out;
}

/* f = a or f = b  ->  f in (a, b), also across selections. */
static bool rewrite_fold_sets(sc_arena *a, sc_node **np)
{
    sc_node *n = *np;
    if (n->kind != SC_NODE_OR)
        return false;
    sc_node **items = sc_arena_alloc(a, n->u.list.n * sizeof *items);
    if (!items) {
        *np = NULL;
        return true;
    }
    memcpy(items, n->u.list.items, n->u.list.n * sizeof *items);
    bool failed = false;
    size_t k = fold_items(a, items, n->u.list.n, &failed);
    if (failed) {
        *np = NULL;
        return true;
    }
    if (k == n->u.list.n)
        return false;
    *np = list_or_single(a, SC_NODE_OR, n->loc, items, k);
    return true;
}

/* ----------------------------------------------------- fold exclusions */
/* The matches under a `not` that can join a negated set: not m, or
 * not (m1 or m2 ...) with every mi foldable. */
static size_t exclusion_matches(const sc_node *n, sc_node **out)
{
    if (n->kind != SC_NODE_NOT)
        return 0;
    const sc_node *c = n->u.child;
    if (foldable(c)) {
        out[0] = (sc_node *)c;
        return 1;
    }
    if (c->kind != SC_NODE_OR)
        return 0;
    for (size_t i = 0; i < c->u.list.n; i++)
        if (!foldable(c->u.list.items[i]))
            return 0;
    memcpy(out, c->u.list.items, c->u.list.n * sizeof *out);
    return c->u.list.n;
}

/* not a and not b  ->  not (a or b), one negated set per field:
 * (not x) and (not y) = not (x or y), and x or y folds as a set. */
static bool rewrite_fold_exclusions(sc_arena *a, sc_node **np)
{
    sc_node *n = *np;
    if (n->kind != SC_NODE_AND)
        return false;
    size_t total = 0, negs = 0;
    for (size_t i = 0; i < n->u.list.n; i++) {
        const sc_node *c = n->u.list.items[i];
        if (c->kind == SC_NODE_NOT && (foldable(c->u.child) || c->u.child->kind == SC_NODE_OR)) {
            total += c->u.child->kind == SC_NODE_OR ? c->u.child->u.list.n : 1;
            negs++;
        }
    }
    if (negs < 2)
        return false;
    sc_node **matches = sc_arena_alloc(a, total * sizeof *matches);
    sc_node **rest = sc_arena_alloc(a, n->u.list.n * sizeof *rest);
    if (!matches || !rest) {
        *np = NULL;
        return true;
    }
    size_t nm = 0, nr = 0, consumed = 0;
    for (size_t i = 0; i < n->u.list.n; i++) {
        size_t got = exclusion_matches(n->u.list.items[i], matches + nm);
        if (got) {
            nm += got;
            consumed++;
        } else {
            rest[nr++] = n->u.list.items[i];
        }
    }
    bool failed = false;
    size_t groups = consumed >= 2 ? fold_items(a, matches, nm, &failed) : nm;
    if (failed) {
        *np = NULL;
        return true;
    }
    if (consumed < 2 || groups >= consumed)
        return false; /* nothing merges: the tree would not get smaller */
    sc_node **items = sc_arena_alloc(a, (nr + groups) * sizeof *items);
    if (!items) {
        *np = NULL;
        return true;
    }
    memcpy(items, rest, nr * sizeof *items);
    for (size_t g = 0; g < groups; g++)
        if (!(items[nr + g] = negate(a, matches[g]))) {
            *np = NULL;
            return true;
        }
    *np = list_or_single(a, SC_NODE_AND, n->loc, items, nr + groups);
    return true;
}

/* --------------------------------------------------------------- absorb */
static bool list_contains(const sc_node *list, const sc_node *item)
{
    for (size_t i = 0; i < list->u.list.n; i++)
        if (sc_node_equal(list->u.list.items[i], item))
            return true;
    return false;
}

/* a and (a or b) -> a;  a or (a and b) -> a. */
static bool rewrite_absorb(sc_arena *a, sc_node **np)
{
    sc_node *n = *np;
    if (!is_list(n))
        return false;
    sc_node_kind inner = n->kind == SC_NODE_AND ? SC_NODE_OR : SC_NODE_AND;
    size_t n_items = n->u.list.n;
    bool *drop = sc_arena_alloc(a, n_items);
    if (!drop) {
        *np = NULL;
        return true;
    }
    size_t dropped = 0;
    for (size_t i = 0; i < n_items; i++) {
        const sc_node *c = n->u.list.items[i];
        if (c->kind != inner)
            continue;
        for (size_t j = 0; j < n_items && !drop[i]; j++)
            if (j != i && !drop[j] && list_contains(c, n->u.list.items[j]))
                drop[i] = true;
        dropped += drop[i];
    }
    if (!dropped)
        return false;
    sc_node **items = sc_arena_alloc(a, n_items * sizeof *items);
    if (!items) {
        *np = NULL;
        return true;
    }
    size_t k = 0;
    for (size_t i = 0; i < n_items; i++)
        if (!drop[i])
            items[k++] = n->u.list.items[i];
    *np = list_or_single(a, n->kind, n->loc, items, k);
    return true;
}

/* --------------------------------------------------------------- factor */
/* (a and b) or (a and c) -> a and (b or c), when every alternative shares
 * the conjunct and the result is smaller. */
static bool rewrite_factor(sc_arena *a, sc_node **np)
{
    sc_node *n = *np;
    if (n->kind != SC_NODE_OR || n->u.list.n < 2)
        return false;
    for (size_t i = 0; i < n->u.list.n; i++)
        if (n->u.list.items[i]->kind != SC_NODE_AND)
            return false;
    const sc_node *first = n->u.list.items[0];
    sc_node **common = sc_arena_alloc(a, first->u.list.n * sizeof *common);
    if (!common) {
        *np = NULL;
        return true;
    }
    size_t nc = 0;
    for (size_t k = 0; k < first->u.list.n; k++) {
        bool everywhere = true;
        for (size_t i = 1; i < n->u.list.n && everywhere; i++)
            everywhere = list_contains(n->u.list.items[i], first->u.list.items[k]);
        if (everywhere)
            common[nc++] = first->u.list.items[k];
    }
    if (nc == 0)
        return false;
    sc_node **alts = sc_arena_alloc(a, n->u.list.n * sizeof *alts);
    if (!alts) {
        *np = NULL;
        return true;
    }
    for (size_t i = 0; i < n->u.list.n; i++) {
        const sc_node *alt = n->u.list.items[i];
        sc_node **left = sc_arena_alloc(a, alt->u.list.n * sizeof *left);
        if (!left) {
            *np = NULL;
            return true;
        }
        size_t nl = 0;
        for (size_t k = 0; k < alt->u.list.n; k++) {
            bool shared = false;
            for (size_t c = 0; c < nc && !shared; c++)
                shared = sc_node_equal(alt->u.list.items[k], common[c]);
            if (!shared)
                left[nl++] = alt->u.list.items[k];
        }
        alts[i] = list_or_single(a, SC_NODE_AND, alt->loc, left, nl);
        if (!alts[i]) {
            *np = NULL;
            return true;
        }
    }
    sc_node **items = sc_arena_alloc(a, (nc + 1) * sizeof *items);
    if (!items) {
        *np = NULL;
        return true;
    }
    memcpy(items, common, nc * sizeof *items);
    items[nc] = list_or_single(a, SC_NODE_OR, n->loc, alts, n->u.list.n);
    sc_node *result = items[nc] ? sc_node_list(a, SC_NODE_AND, n->loc, items, nc + 1) : NULL;
    if (!result) {
        *np = NULL;
        return true;
    }
    if (sc_node_count(result) >= sc_node_count(n))
        return false;
    *np = result;
    return true;
}

/* ------------------------------------------------------------- push not */
static bool is_negation(const sc_node *n)
{
    return n->kind == SC_NODE_NOT || (n->kind == SC_NODE_MATCH && n->u.match.negated);
}

/* The positive form of a negation. */
static sc_node *positive(sc_arena *a, sc_node *n)
{
    if (n->kind == SC_NODE_NOT)
        return n->u.child;
    sc_node *m = sc_node_new(a, SC_NODE_MATCH, n->loc);
    if (!m)
        return NULL;
    *m = *n;
    sc_match *mm = &m->u.match;
    mm->negated = false;
    mm->mods &= ~SC_MODBIT(SC_MOD_NEQ);
    uint8_t k = 0;
    for (uint8_t i = 0; i < mm->n_chain; i++)
        if (mm->chain[i] != SC_MOD_NEQ)
            mm->chain[k++] = mm->chain[i];
    mm->n_chain = k;
    return m;
}

/* not (neq-match) -> match; not (not a and not b) -> a or b (De Morgan),
 * only where every operand is a negation, so the tree gets smaller. */
static bool rewrite_push_not(sc_arena *a, sc_node **np)
{
    sc_node *n = *np;
    if (n->kind != SC_NODE_NOT)
        return false;
    sc_node *c = n->u.child;
    if (c->kind == SC_NODE_MATCH && c->u.match.negated) {
        *np = positive(a, c);
        return true;
    }
    if (!is_list(c))
        return false;
    for (size_t i = 0; i < c->u.list.n; i++)
        if (!is_negation(c->u.list.items[i]))
            return false;
    sc_node **items = sc_arena_alloc(a, c->u.list.n * sizeof *items);
    if (!items) {
        *np = NULL;
        return true;
    }
    for (size_t i = 0; i < c->u.list.n; i++)
        if (!(items[i] = positive(a, c->u.list.items[i]))) {
            *np = NULL;
            return true;
        }
    sc_node_kind flipped = c->kind == SC_NODE_AND ? SC_NODE_OR : SC_NODE_AND;
    *np = sc_node_list(a, flipped, n->loc, items, c->u.list.n);
    return true;
}

/* ---------------------------------------------------------------- order */
/* In an `and`, what a rule looks for comes before what it excludes
 * (stable otherwise), the shape hand-written queries have. */
static bool rewrite_order(sc_arena *a, sc_node **np)
{
    sc_node *n = *np;
    if (n->kind != SC_NODE_AND)
        return false;
    bool sorted = true, seen_neg = false;
    for (size_t i = 0; i < n->u.list.n && sorted; i++) {
        bool neg = n->u.list.items[i]->kind == SC_NODE_NOT;
        sorted = !(seen_neg && !neg);
        seen_neg |= neg;
    }
    if (sorted)
        return false;
    sc_node **items = sc_arena_alloc(a, n->u.list.n * sizeof *items);
    if (!items) {
        *np = NULL;
        return true;
    }
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n->u.list.n; i++)
            if ((n->u.list.items[i]->kind == SC_NODE_NOT) == (pass == 1))
                items[k++] = n->u.list.items[i];
    *np = sc_node_list(a, SC_NODE_AND, n->loc, items, k);
    return true;
}

/* ---------------------------------------------------------------- driver */
static const struct {
    const char *name;
    local_rewrite rewrite;
} PASSES[SC_PASS_COUNT] = {
    [SC_PASS_FLATTEN] = {"flatten", rewrite_flatten},
    [SC_PASS_CONSTANTS] = {"constants", rewrite_constants},
    [SC_PASS_DEDUPE] = {"dedupe", rewrite_dedupe},
    [SC_PASS_FOLD_SETS] = {"fold-sets", rewrite_fold_sets},
    [SC_PASS_FOLD_EXCLUSIONS] = {"fold-exclusions", rewrite_fold_exclusions},
    [SC_PASS_ABSORB] = {"absorb", rewrite_absorb},
    [SC_PASS_FACTOR] = {"factor", rewrite_factor},
    [SC_PASS_PUSH_NOT] = {"push-not", rewrite_push_not},
    [SC_PASS_ORDER] = {"order", rewrite_order},
};

const char *sc_pass_name(sc_pass_id id)
{
    return id < SC_PASS_COUNT ? PASSES[id].name : "?";
}

sc_pass_id sc_pass_find(const char *name)
{
    for (int i = 0; i < SC_PASS_COUNT; i++)
        if (strcmp(PASSES[i].name, name) == 0)
            return (sc_pass_id)i;
    return SC_PASS_COUNT;
}

sc_node *sc_optimize_tree(sc_arena *a, const sc_node *root, const sc_opt_config *cfg)
{
    sc_node *tree = sc_node_copy(a, root);
    for (int round = 0; tree && round < MAX_ROUNDS; round++) {
        bool changed = false;
        for (int p = 0; p < SC_PASS_COUNT; p++) {
            if (cfg && cfg->disabled[p])
                continue;
            bool failed = false;
            bool did = visit(a, &tree, PASSES[p].rewrite, &failed);
            if (failed)
                return NULL;
            if (did) {
                changed = true;
                if (cfg && cfg->trace)
                    cfg->trace(cfg->ud, PASSES[p].name, tree);
            }
        }
        if (!changed)
            break;
    }
    return tree;
}

/* ------------------------------------------------------------ public API */
const char *sigcc_pass_at(size_t index)
{
    return index < SC_PASS_COUNT ? PASSES[index].name : NULL;
}

typedef struct trace_ctx {
    const sigcc_optimize_options *opts;
    const sigcc_rule *rule;
} trace_ctx;

static void trace_rule(void *ud, const char *pass, const sc_node *tree)
{
    trace_ctx *t = ud;
    sc_buf b = {0};
    sc_explain_node(&b, tree, 0);
    char *text = sc_buf_take(&b);
    if (text)
        t->opts->trace(t->opts->ud, t->rule, pass, text);
    free(text);
}

sigcc_status sigcc_optimize(sigcc_ctx *ctx, const sigcc_optimize_options *opts)
{
    if (!ctx || !opts)
        return SIGCC_EUSAGE;
    sc_opt_config cfg = {0};
    for (size_t i = 0; i < opts->n_disabled; i++) {
        sc_pass_id id = sc_pass_find(opts->disabled_passes[i]);
        if (id == SC_PASS_COUNT)
            return SIGCC_EUSAGE;
        cfg.disabled[id] = true;
    }
    if (opts->level <= 0)
        return SIGCC_OK;
    if (!ctx->resolved)
        sigcc_resolve(ctx);
    trace_ctx t = {opts, NULL};
    if (opts->trace) {
        cfg.trace = trace_rule;
        cfg.ud = &t;
    }
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->dropped || !r->condition)
            continue;
        t.rule = r;
        sc_node *tree = sc_optimize_tree(r->arena, r->condition, &cfg);
        if (!tree)
            return SIGCC_ENOMEM;
        r->condition = tree;
    }
    return SIGCC_OK;
}
