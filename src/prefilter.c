/*
 * prefilter.c - necessary literals per rule unit, one Hyperscan literal
 * database per field, one scan per event value.
 */
#include "prefilter.h"

#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A literal that must occur (ASCII-folded) in `field` ("" = any value,
 * for keywords). */
typedef struct pf_lit {
    const char *field;
    const char *text;
    size_t len;
} pf_lit;

typedef struct pf_req {
    pf_lit *lits;
    size_t n;
} pf_req;

typedef struct pf_field {
    const char *name;
    size_t name_len;
    uint32_t hash;
    const char **texts;  /* distinct literals */
    size_t *lens;
    uint32_t *first;     /* per literal: its first entry in the unit lists */
    size_t n, cap;
    uint32_t *unit, *next; /* unit lists: entry -> unit, next entry (UINT32_MAX ends) */
    size_t n_entries, cap_entries;
    uint32_t *index;     /* open addressing over literals, for sharing them */
    size_t index_size;
    hs_database_t *db;
    struct pf_field *next_field;
} pf_field;

#define FIELD_BUCKETS 1024

struct sc_prefilter {
    sc_arena *arena;
    pf_field *buckets[FIELD_BUCKETS];
    pf_field *any;        /* keywords: every value of the event */
    size_t n_fields, n_literals;
    hs_scratch_t *scratch;
    bool compiled;
};


sc_prefilter *sc_prefilter_new(void)
{
    sc_prefilter *pf = calloc(1, sizeof *pf);
    if (pf && !(pf->arena = sc_arena_new())) {
        free(pf);
        return NULL;
    }
    return pf;
}

static void field_free(pf_field *f)
{
    if (f->db)
        hs_free_database(f->db);
    free(f->texts);
    free(f->lens);
    free(f->first);
    free(f->unit);
    free(f->next);
    free(f->index);
}

void sc_prefilter_free(sc_prefilter *pf)
{
    if (!pf)
        return;
    for (size_t b = 0; b < FIELD_BUCKETS; b++)
        for (pf_field *f = pf->buckets[b]; f; f = f->next_field)
            field_free(f);
    if (pf->any)
        field_free(pf->any);
    if (pf->scratch)
        hs_free_scratch(pf->scratch);
    sc_arena_free(pf->arena);
    free(pf);
}

size_t sc_prefilter_literals(const sc_prefilter *pf)
{
    return pf->n_literals;
}

size_t sc_prefilter_fields(const sc_prefilter *pf)
{
    return pf->n_fields;
}

/* ----------------------------------------------------- necessary sets */
static bool req_from_match(sc_arena *a, const sc_match *m, pf_req *out);

/* The longest folded literal part of a string value. */
static bool value_literal(const sc_value *v, const char **text, size_t *len)
{
    if (v->kind != SC_VAL_STRING)
        return false;
    *len = 0;
    for (size_t k = 0; k < v->n_parts; k++) {
        const sc_part *p = &v->parts[k];
        if (p->kind == SC_PART_PLACEHOLDER)
            return false;
        if (p->kind == SC_PART_LIT && p->folded && p->len > *len) {
            *text = p->folded;
            *len = p->len;
        }
    }
    return *len > 0;
}

static bool req_from_match(sc_arena *a, const sc_match *m, pf_req *out)
{
    if (m->negated || m->op != SC_OP_EQ || m->n_values == 0)
        return false;
    const char *field = m->field ? m->field : "";
    if (m->all) {
        /* Every value must match: the best single literal is necessary. */
        const char *best = NULL;
        size_t best_len = 0;
        for (size_t i = 0; i < m->n_values; i++) {
            const char *t = NULL;
            size_t l = 0;
            if (value_literal(&m->values[i], &t, &l) && l > best_len) {
                best = t;
                best_len = l;
            }
        }
        if (!best)
            return false;
        out->lits = sc_arena_alloc(a, sizeof *out->lits);
        if (!out->lits)
            return false;
        out->lits[0] = (pf_lit){field, best, best_len};
        out->n = 1;
        return true;
    }
    out->lits = sc_arena_alloc(a, m->n_values * sizeof *out->lits);
    if (!out->lits)
        return false;
    out->n = 0;
    for (size_t i = 0; i < m->n_values; i++) {
        const char *t = NULL;
        size_t l = 0;
        if (!value_literal(&m->values[i], &t, &l))
            return false; /* one value without a literal: nothing is necessary */
        out->lits[out->n++] = (pf_lit){field, t, l};
    }
    return true;
}

/* Smaller is better: a set whose shortest literal is long, then fewer. */
static bool better(const pf_req *a, const pf_req *b)
{
    size_t min_a = SIZE_MAX, min_b = SIZE_MAX;
    for (size_t i = 0; i < a->n; i++)
        if (a->lits[i].len < min_a)
            min_a = a->lits[i].len;
    for (size_t i = 0; i < b->n; i++)
        if (b->lits[i].len < min_b)
            min_b = b->lits[i].len;
    if ((min_a >= 4) != (min_b >= 4))
        return min_a >= 4;
    return a->n < b->n || (a->n == b->n && min_a > min_b);
}

static bool req_of(sc_arena *a, const sc_node *n, pf_req *out, int depth)
{
    if (depth > 200)
        return false;
    switch (n->kind) {
    case SC_NODE_SEL: return req_of(a, n->u.sel.child, out, depth + 1);
    case SC_NODE_MATCH: return req_from_match(a, &n->u.match, out);
    case SC_NODE_AND: {
        /* Any child's set is necessary; keep the most selective one. */
        bool found = false;
        for (size_t i = 0; i < n->u.list.n; i++) {
            pf_req r;
            if (req_of(a, n->u.list.items[i], &r, depth + 1) && (!found || better(&r, out))) {
                *out = r;
                found = true;
            }
        }
        return found;
    }
    case SC_NODE_OR: {
        /* Every alternative needs a set; their union is necessary. */
        pf_req *parts = sc_arena_alloc(a, (n->u.list.n + 1) * sizeof *parts);
        size_t total = 0;
        if (!parts)
            return false;
        for (size_t i = 0; i < n->u.list.n; i++) {
            if (!req_of(a, n->u.list.items[i], &parts[i], depth + 1))
                return false;
            total += parts[i].n;
        }
        out->lits = sc_arena_alloc(a, (total + 1) * sizeof *out->lits);
        if (!out->lits)
            return false;
        out->n = 0;
        for (size_t i = 0; i < n->u.list.n; i++)
            for (size_t k = 0; k < parts[i].n; k++)
                out->lits[out->n++] = parts[i].lits[k];
        return out->n > 0;
    }
    default: return false; /* NOT, TRUE, FALSE: can match without any literal */
    }
}

/* ------------------------------------------------------------ building */
static pf_field *field_get(sc_prefilter *pf, const char *name)
{
    if (!*name) {
        if (!pf->any && (pf->any = sc_arena_alloc(pf->arena, sizeof *pf->any)))
            pf->any->name = "";
        return pf->any;
    }
    size_t len = strlen(name);
    uint32_t h = sc_hash32(name, len);
    pf_field **slot = &pf->buckets[h % FIELD_BUCKETS];
    for (pf_field *f = *slot; f; f = f->next_field)
        if (f->hash == h && f->name_len == len && memcmp(f->name, name, len) == 0)
            return f;
    pf_field *f = sc_arena_alloc(pf->arena, sizeof *f);
    if (!f)
        return NULL;
    f->name = name;
    f->name_len = len;
    f->hash = h;
    f->next_field = *slot;
    *slot = f;
    pf->n_fields++;
    return f;
}

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

static bool index_rebuild(pf_field *f, size_t size)
{
    uint32_t *index = malloc(size * sizeof *index);
    if (!index)
        return false;
    for (size_t i = 0; i < size; i++)
        index[i] = UINT32_MAX;
    for (size_t lit = 0; lit < f->n; lit++) {
        size_t j = sc_hash32(f->texts[lit], f->lens[lit]) & (size - 1);
        while (index[j] != UINT32_MAX)
            j = (j + 1) & (size - 1);
        index[j] = (uint32_t)lit;
    }
    free(f->index);
    f->index = index;
    f->index_size = size;
    return true;
}

/* The literal's number, added if new: many rules share literals (the
 * name of powershell.exe, say), and Hyperscan compiles each once. */
static bool literal_of(pf_field *f, const char *text, size_t len, uint32_t *out)
{
    if ((f->n + 1) * 2 > f->index_size && !index_rebuild(f, f->index_size ? f->index_size * 2 : 64))
        return false;
    size_t j = sc_hash32(text, len) & (f->index_size - 1);
    for (; f->index[j] != UINT32_MAX; j = (j + 1) & (f->index_size - 1)) {
        uint32_t lit = f->index[j];
        if (f->lens[lit] == len && memcmp(f->texts[lit], text, len) == 0) {
            *out = lit;
            return true;
        }
    }
    size_t cap = f->cap;
    if (!grow((void **)&f->texts, &cap, f->n + 1, sizeof *f->texts))
        return false;
    cap = f->cap;
    if (!grow((void **)&f->lens, &cap, f->n + 1, sizeof *f->lens))
        return false;
    cap = f->cap;
    if (!grow((void **)&f->first, &cap, f->n + 1, sizeof *f->first))
        return false;
    f->cap = cap;
    f->texts[f->n] = text;
    f->lens[f->n] = len;
    f->first[f->n] = UINT32_MAX;
    f->index[j] = (uint32_t)f->n;
    *out = (uint32_t)f->n++;
    return true;
}

static bool field_push(pf_field *f, const char *text, size_t len, uint32_t unit)
{
    uint32_t lit;
    if (!literal_of(f, text, len, &lit))
        return false;
    size_t cap = f->cap_entries;
    if (!grow((void **)&f->unit, &cap, f->n_entries + 1, sizeof *f->unit))
        return false;
    cap = f->cap_entries;
    if (!grow((void **)&f->next, &cap, f->n_entries + 1, sizeof *f->next))
        return false;
    f->cap_entries = cap;
    f->unit[f->n_entries] = unit;
    f->next[f->n_entries] = f->first[lit];
    f->first[lit] = (uint32_t)f->n_entries++;
    return true;
}

bool sc_prefilter_add(sc_prefilter *pf, uint32_t unit, const sc_node *tree)
{
    pf_req r;
    if (pf->compiled || !req_of(pf->arena, tree, &r, 0))
        return false;
    for (size_t i = 0; i < r.n; i++) {
        pf_field *f = field_get(pf, r.lits[i].field);
        if (!f || !field_push(f, r.lits[i].text, r.lits[i].len, unit))
            return false; /* already-pushed literals only mark it more often */
        pf->n_literals++;
    }
    return true;
}

static bool compile_field(sc_prefilter *pf, pf_field *f, char *err, size_t errlen)
{
    if (f->n == 0)
        return true;
    unsigned *flags = malloc(f->n * sizeof *flags);
    unsigned *ids = malloc(f->n * sizeof *ids);
    bool ok = flags && ids;
    for (size_t i = 0; ok && i < f->n; i++) {
        flags[i] = HS_FLAG_SINGLEMATCH;
        ids[i] = (unsigned)i;
    }
    hs_compile_error_t *cerr = NULL;
    if (ok && hs_compile_lit_multi(f->texts, flags, ids, f->lens, (unsigned)f->n, HS_MODE_BLOCK,
                                   NULL, &f->db, &cerr) != HS_SUCCESS) {
        snprintf(err, errlen, "literal database for field '%s': %s", f->name,
                 cerr ? cerr->message : "failed");
        hs_free_compile_error(cerr);
        ok = false;
    }
    if (ok && hs_alloc_scratch(f->db, &pf->scratch) != HS_SUCCESS) {
        snprintf(err, errlen, "out of memory (scratch)");
        ok = false;
    }
    free(flags);
    free(ids);
    return ok;
}

bool sc_prefilter_compile(sc_prefilter *pf, char *err, size_t errlen)
{
    for (size_t b = 0; b < FIELD_BUCKETS; b++)
        for (pf_field *f = pf->buckets[b]; f; f = f->next_field)
            if (!compile_field(pf, f, err, errlen))
                return false;
    if (pf->any && !compile_field(pf, pf->any, err, errlen))
        return false;
    pf->compiled = true;
    return true;
}

/* ------------------------------------------------------------- scanning */
typedef struct scan_ctx {
    const pf_field *f;
    uint32_t *stamp;
    uint32_t mark;
} scan_ctx;

static int on_literal(unsigned id, unsigned long long from, unsigned long long to,
                      unsigned flags, void *ud)
{
    (void)from;
    (void)to;
    (void)flags;
    scan_ctx *c = ud;
    for (uint32_t e = c->f->first[id]; e != UINT32_MAX; e = c->f->next[e])
        c->stamp[c->f->unit[e]] = c->mark;
    return 0;
}

static void scan_text(sc_prefilter *pf, const pf_field *f, const sc_fieldval *v, uint32_t *stamp,
                      uint32_t mark)
{
    const char *text = v->folded;
    size_t len = v->len;
    if (v->kind == SC_FV_BOOL) {
        text = v->b ? "true" : "false";
        len = strlen(text);
    }
    if (!f->db || !text || len > UINT32_MAX)
        return;
    scan_ctx c = {f, stamp, mark};
    hs_scan(f->db, text, (unsigned)len, 0, pf->scratch, on_literal, &c);
}

static const pf_field *field_find(const sc_prefilter *pf, const sc_evslot *s)
{
    for (const pf_field *f = pf->buckets[s->hash % FIELD_BUCKETS]; f; f = f->next_field)
        if (f->hash == s->hash && f->name_len == s->name_len &&
            memcmp(f->name, s->name, s->name_len) == 0)
            return f;
    return NULL;
}

void sc_prefilter_scan(sc_prefilter *pf, const sc_eventbuf *ev, uint32_t *stamp, uint32_t mark)
{
    if (!pf->compiled)
        return;
    for (size_t i = 0; i < ev->n_slots; i++) {
        const sc_evslot *s = &ev->slots[i];
        if (s->value == UINT32_MAX)
            continue;
        const pf_field *f = field_find(pf, s);
        if (!f)
            continue;
        /* Folding here also serves the matching that follows. */
        scan_text(pf, f, sc_event_value(ev, s->value), stamp, mark);
    }
    if (pf->any && pf->any->db) {
        for (size_t i = 0; i < ev->n_values; i++) {
            sc_fv_kind kind = ev->values[i].val.kind;
            if (kind != SC_FV_OBJECT && kind != SC_FV_NULL)
                scan_text(pf, pf->any, sc_event_value(ev, (uint32_t)i), stamp, mark);
        }
    }
}
