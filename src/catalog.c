/*
 * catalog.c - the technique catalog: per ATT&CK technique, the events its
 * rules read, the fields they filter on (with the operators and values),
 * what they exclude, and the rules themselves (sigcc catalog,
 * docs/catalog.md).
 *
 * A rule is read once, when added. Its condition tree, with the filters
 * that tune it, becomes a set of *items* (field, operator, value) with a
 * polarity: an item under an odd number of `not` (or written with |neq)
 * is an exclusion, any other an indicator. Field names are first turned
 * back into taxonomy names through the field-name rewrites of every
 * built-in pipeline, so that `process.executable` (ECS) and `FolderPath`
 * (Defender) land on the row of `Image`. Items, fields and events are
 * interned for the whole catalog, each counting the rules that use it
 * (its corpus reach); a rule keeps pointers to its own, each once.
 *
 * Writing a page counts the items of the technique's rules, ranks them
 * and hands a cat_page to the renderers (catalog_render.c).
 *
 * Memory: everything lives in the catalog's arena; the hash tables' slot
 * arrays are malloc'ed (they are replaced as they grow). A write builds
 * its pages in an arena of its own, freed when the text is done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "catalog.h"
#include "common.h"
#include "logsource.h"
#include "pipeline.h"

#define DEFAULT_TOP 25
#define DEFAULT_SAMPLES 5
#define TOP_FIELDS_OVERALL 10
#define KEYWORD_FIELD "(keywords)"

/* ============================================================ hash map */

/* Arena-owned NUL-terminated keys (no NUL inside) to pointers. */
typedef struct cat_map {
    const char **keys;
    void **vals;
    size_t cap, n;
} cat_map;

static size_t map_slot(const cat_map *m, const char *key, size_t len)
{
    size_t i = (size_t)sc_hash64(key, len) & (m->cap - 1);
    while (m->keys[i] && !(strncmp(m->keys[i], key, len) == 0 && m->keys[i][len] == '\0'))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static bool map_grow(cat_map *m)
{
    cat_map bigger = {0};
    bigger.cap = m->cap ? m->cap * 2 : 64;
    bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
    bigger.vals = calloc(bigger.cap, sizeof *bigger.vals);
    if (!bigger.keys || !bigger.vals) {
        free(bigger.keys);
        free(bigger.vals);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t s = map_slot(&bigger, m->keys[i], strlen(m->keys[i]));
        bigger.keys[s] = m->keys[i];
        bigger.vals[s] = m->vals[i];
    }
    bigger.n = m->n;
    free(m->keys);
    free(m->vals);
    *m = bigger;
    return true;
}

static void *map_get(const cat_map *m, const char *key, size_t len)
{
    if (!m->cap)
        return NULL;
    size_t s = map_slot(m, key, len);
    return m->keys[s] ? m->vals[s] : NULL;
}

/* Adds or replaces; false on OOM. */
static bool map_put(sc_arena *a, cat_map *m, const char *key, size_t len, void *val)
{
    if ((m->n + 1) * 2 > m->cap && !map_grow(m))
        return false;
    size_t s = map_slot(m, key, len);
    if (!m->keys[s]) {
        char *copy = sc_arena_strndup(a, key, len);
        if (!copy)
            return false;
        m->keys[s] = copy;
        m->n++;
    }
    m->vals[s] = val;
    return true;
}

static void map_free(cat_map *m)
{
    free(m->keys);
    free(m->vals);
}

/* ============================================================= records */

typedef struct cat_field {
    const char *name;
    uint32_t reach;           /* rules of the corpus */
    uint32_t seen_by, here;   /* last rule that counted it; count on the page */
} cat_field;

/* One (field, operator, polarity): the How column. */
typedef struct cat_use {
    const cat_field *field;
    const char *label;        /* "eq", "not endswith" */
    uint32_t seen_by, here;
} cat_use;

typedef struct cat_item {
    const cat_field *field;
    const char *op;
    const char *value;        /* the first spelling seen */
    bool excluded;
    uint32_t reach;
    uint32_t seen_by, here, slot;
} cat_item;

typedef struct cat_spelling {
    const cat_field *field;
    const char *name;
    uint32_t seen_by, here;
} cat_spelling;

typedef struct cat_event {
    const char *provider, *channel, *title;
    int id;
    uint32_t seen_by, here;
} cat_event;

typedef struct cat_rule {
    const char *title, *id, *level, *kind, *product, *logsource, *schema, *path;
    uint32_t line, number;
    sc_vec techniques;        /* cat_technique * */
    sc_vec tactics;           /* const char * (tactic names) */
    sc_vec items, uses, fields, spellings, events;
} cat_rule;

typedef struct cat_technique {
    const char *id;
    sc_vec rules;             /* cat_rule * */
} cat_technique;

/* A vendor spelling and the taxonomy name a pipeline maps to it. */
typedef struct cat_rename {
    sc_rename_kind kind;
    const char *taxonomy, *vendor;
    size_t pipe;              /* index into the catalog's pipelines */
} cat_rename;

struct sigcc_catalog {
    sc_arena *arena;
    bool roll_up;
    size_t top, samples;
    bool oom;
    uint32_t serial;          /* rules added */
    size_t detection, correlation, tagged;
    cat_map taxonomy;         /* taxonomy names (mapping keys) */
    cat_map vendors;          /* vendor name -> sc_vec of cat_rename * */
    sc_vec affixes;           /* cat_rename * of prefixes and suffixes */
    sc_vec pipelines;         /* sc_pipeline *: the built-in ones */
    sc_vec pipeline_names;    /* const char *, same order */
    cat_map probes;           /* probe results by pipeline, logsource, names */
    cat_map strings, field_ix, use_ix, item_ix, spelling_ix, event_ix, technique_ix;
    sc_vec fields, techniques;
    sc_buf key;               /* scratch for composite keys */
};

static bool oom(sigcc_catalog *c)
{
    c->oom = true;
    return false;
}

/* An interned copy of a string, so equal strings share one pointer. */
static const char *intern(sigcc_catalog *c, const char *s, size_t len)
{
    const char *found = map_get(&c->strings, s, len);
    if (found)
        return found;
    char *copy = sc_arena_strndup(c->arena, s, len);
    if (!copy || !map_put(c->arena, &c->strings, s, len, copy)) {
        oom(c);
        return NULL;
    }
    return copy;
}

static const char *intern0(sigcc_catalog *c, const char *s)
{
    return s ? intern(c, s, strlen(s)) : NULL;
}

static void key_reset(sigcc_catalog *c)
{
    c->key.len = 0;
}

static bool key_ok(sigcc_catalog *c)
{
    return !c->key.oom || oom(c);
}

/* ========================================================= normalization */

static void take_rename(void *ud, const sc_rename *r)
{
    sigcc_catalog *c = ud;
    if (!*r->to)
        return; /* an empty prefix or suffix: nothing to strip */
    cat_rename *k = sc_arena_alloc(c->arena, sizeof *k);
    if (!k)
        return (void)oom(c);
    k->kind = r->kind;
    k->vendor = intern0(c, r->to);
    k->taxonomy = intern0(c, r->from);
    k->pipe = c->pipelines.n - 1;
    if (r->kind != SC_RENAME_FIELD) {
        if (!sc_vec_push(c->arena, &c->affixes, k))
            oom(c);
        return;
    }
    sc_vec *cands = map_get(&c->vendors, r->to, strlen(r->to));
    if (!cands && (!(cands = sc_arena_alloc(c->arena, sizeof *cands)) ||
                   !map_put(c->arena, &c->vendors, r->to, strlen(r->to), cands)))
        return (void)oom(c);
    if (!sc_vec_push(c->arena, cands, k) ||
        !map_put(c->arena, &c->taxonomy, r->from, strlen(r->from), (void *)k->taxonomy))
        oom(c);
}

/* Loads every built-in pipeline and reads its field-name rewrites. */
static void read_pipelines(sigcc_catalog *c)
{
    for (size_t i = 0; sc_builtin_pipeline_at(i) && !c->oom; i++) {
        const sc_builtin_pipeline *bp = sc_builtin_pipeline_at(i);
        sc_diag_list diags;
        sc_diags_init(&diags);
        sc_source src = {.name = bp->name, .text = bp->text, .len = bp->len};
        sc_pipeline *p = sc_pipeline_load(&diags, &src);
        sc_diags_fini(&diags);
        if (!p)
            continue; /* a broken built-in pipeline fails its own tests */
        if (!sc_vec_push(c->arena, &c->pipelines, p)) {
            sc_pipeline_free(p);
            return (void)oom(c);
        }
        if (!sc_vec_push(c->arena, &c->pipeline_names, (void *)intern0(c, bp->name)))
            return (void)oom(c);
        sc_pipeline_each_rename(p, take_rename, c);
    }
}

static bool plain_text(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '|')
            return false;
    return true;
}

static void put_yaml_quoted(sc_buf *b, const char *s)
{
    sc_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sc_buf_putc(b, '\'');
        sc_buf_putc(b, *s);
    }
    sc_buf_putc(b, '\'');
}

/* A one-item rule `taxonomy: 'true'` with the logsource of the rule being
 * read ('true' passes the value checks of the built-in pipelines). */
static bool probe_text(sc_buf *b, const sc_logsource *ls, const char *taxonomy)
{
    const char *keys[] = {"category", "product", "service"};
    const char *vals[] = {ls->category, ls->product, ls->service};
    sc_buf_puts(b, "title: catalog probe\nlogsource:\n");
    for (size_t i = 0; i < 3; i++) {
        if (!vals[i])
            continue;
        if (!plain_text(vals[i]))
            return false;
        sc_buf_printf(b, "    %s: ", keys[i]);
        put_yaml_quoted(b, vals[i]);
        sc_buf_putc(b, '\n');
    }
    if (!ls->category && !ls->product && !ls->service)
        sc_buf_puts(b, "    product: any\n");
    sc_buf_puts(b, "detection:\n    probe:\n        ");
    put_yaml_quoted(b, taxonomy);
    sc_buf_puts(b, ": 'true'\n    condition: probe\n");
    return plain_text(taxonomy) && !b->oom;
}

static bool field_in(const sc_node *n, const char *name)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            if (field_in(n->u.list.items[i], name))
                return true;
        return false;
    case SC_NODE_NOT: return field_in(n->u.child, name);
    case SC_NODE_SEL: return field_in(n->u.sel.child, name);
    case SC_NODE_MATCH: return n->u.match.field && !strcmp(n->u.match.field, name);
    default: return false;
    }
}

/* Does the pipeline, applied to a rule of this logsource, write
 * `taxonomy` as `vendor`? Rewrites depend on the logsource and on state
 * the pipeline sets, so the pipeline itself answers. */
static bool probe(sigcc_catalog *c, size_t pipe, const sc_logsource *ls, const char *taxonomy,
                  const char *vendor)
{
    sc_buf text = {0};
    sc_arena *tmp = sc_arena_new();
    sc_diag_list diags;
    sc_diags_init(&diags);
    bool found = false;
    if (tmp && probe_text(&text, ls, taxonomy)) {
        sc_source src = {.name = "catalog probe", .text = text.data, .len = text.len};
        sc_ynode **docs;
        sigcc_rule *rule = sc_yaml_parse(tmp, &diags, &src, &docs) == 1 && docs[0]
                               ? sc_rule_build(&diags, &src, docs[0], 0) : NULL;
        sc_pipeline *p = c->pipelines.items[pipe];
        found = rule && sc_pipeline_apply(&p, 1, rule, &diags) && rule->condition &&
                field_in(rule->condition, vendor);
        sc_rule_free(rule);
    }
    c->oom |= !tmp || text.oom || diags.oom;
    sc_diags_fini(&diags);
    sc_arena_free(tmp);
    sc_buf_free(&text);
    return found;
}

/* probe(), remembered per pipeline, logsource and names. */
static bool verified(sigcc_catalog *c, size_t pipe, const sc_logsource *ls,
                     const char *taxonomy, const char *vendor)
{
    sc_buf key = {0};
    sc_buf_printf(&key, "%zu\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", pipe,
                  ls->category ? ls->category : "", ls->product ? ls->product : "",
                  ls->service ? ls->service : "", taxonomy, vendor);
    void *known = key.oom ? NULL : map_get(&c->probes, key.data, key.len);
    bool yes = known ? known == (void *)c : probe(c, pipe, ls, taxonomy, vendor);
    if (!known && !key.oom && !map_put(c->arena, &c->probes, key.data, key.len,
                                       yes ? (void *)c : (void *)&c->probes))
        oom(c);
    c->oom |= key.oom;
    sc_buf_free(&key);
    return yes;
}

typedef struct norm {
    const char *name;   /* interned */
    const char *schema; /* the pipeline whose spelling it was; NULL: taxonomy */
} norm;

static norm norm_by(sigcc_catalog *c, const cat_rename *k, const char *name)
{
    return (norm){name, c->pipeline_names.items[k->pipe]};
}

/* A prefixed or suffixed name (winlog.event_data.Image): the name inside,
 * if the pipeline would write it so. */
static norm strip_affix(sigcc_catalog *c, const char *field, size_t len, const sc_logsource *ls)
{
    for (size_t i = 0; i < c->affixes.n; i++) {
        const cat_rename *k = c->affixes.items[i];
        size_t al = strlen(k->vendor);
        bool at_end = k->kind == SC_RENAME_SUFFIX;
        if (len <= al || strncmp(at_end ? field + len - al : field, k->vendor, al) != 0)
            continue;
        key_reset(c);
        if (k->kind == SC_RENAME_PREFIX_MAP)
            sc_buf_puts(&c->key, k->taxonomy);
        sc_buf_put(&c->key, at_end ? field : field + al, len - al);
        const char *inner = key_ok(c) ? intern(c, c->key.data, c->key.len) : NULL;
        if (inner && verified(c, k->pipe, ls, inner, field))
            return norm_by(c, k, inner);
    }
    return (norm){intern(c, field, len), NULL};
}

/* The taxonomy name of a field as a rule wrote it: itself when it is one
 * (a key of some mapping), else the first name some pipeline writes this
 * way for the rule's logsource, else itself. */
static norm normalize(sigcc_catalog *c, const char *field, const sc_logsource *ls)
{
    if (!field)
        return (norm){intern0(c, KEYWORD_FIELD), NULL};
    size_t len = strlen(field);
    if (map_get(&c->taxonomy, field, len))
        return (norm){intern(c, field, len), NULL};
    const sc_vec *cands = map_get(&c->vendors, field, len);
    for (size_t i = 0; cands && i < cands->n; i++) {
        const cat_rename *k = cands->items[i];
        if (verified(c, k->pipe, ls, k->taxonomy, field))
            return norm_by(c, k, k->taxonomy);
    }
    return strip_affix(c, field, len, ls);
}

/* ============================================================ the catalog */

sigcc_catalog *sigcc_catalog_new(const sigcc_catalog_options *opts)
{
    sigcc_catalog *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->arena = sc_arena_new();
    if (!c->arena) {
        free(c);
        return NULL;
    }
    c->top = opts && opts->top ? opts->top : DEFAULT_TOP;
    c->samples = opts && opts->samples ? opts->samples : DEFAULT_SAMPLES;
    c->roll_up = opts && opts->roll_up;
    read_pipelines(c);
    if (c->oom) {
        sigcc_catalog_free(c);
        return NULL;
    }
    return c;
}

void sigcc_catalog_free(sigcc_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->pipelines.n; i++)
        sc_pipeline_free(c->pipelines.items[i]);
    cat_map *maps[] = {&c->taxonomy, &c->vendors, &c->probes, &c->strings, &c->field_ix, &c->use_ix,
                       &c->item_ix, &c->spelling_ix, &c->event_ix, &c->technique_ix};
    for (size_t i = 0; i < sizeof maps / sizeof *maps; i++)
        map_free(maps[i]);
    sc_buf_free(&c->key);
    sc_arena_free(c->arena);
    free(c);
}

/* ================================================================ reading */

/* One rule being added. */
typedef struct reader {
    sigcc_catalog *c;
    cat_rule *rule;
    const sc_logsource *logsource;
    const char *schemas[8];   /* pipelines whose spellings the rule used */
    size_t n_schemas;
    sc_vec event_ids;         /* (void *)(intptr_t) explicit EventID values */
} reader;

/* Marks a record as used by the rule being read; true the first time. */
static bool first_use(const reader *r, uint32_t *seen_by)
{
    if (*seen_by == r->c->serial)
        return false;
    *seen_by = r->c->serial;
    return true;
}

static bool note(reader *r, sc_vec *list, uint32_t *seen_by, void *record)
{
    if (!first_use(r, seen_by))
        return true;
    return sc_vec_push(r->c->arena, list, record) || oom(r->c);
}

/* The record of a composite key (built in c->key), created by `make`. */
static void *lookup(sigcc_catalog *c, cat_map *ix, size_t size, bool *created)
{
    *created = false;
    if (!key_ok(c))
        return NULL;
    void *rec = map_get(ix, c->key.data, c->key.len);
    if (rec)
        return rec;
    rec = sc_arena_alloc(c->arena, size);
    if (!rec || !map_put(c->arena, ix, c->key.data, c->key.len, rec)) {
        oom(c);
        return NULL;
    }
    *created = true;
    return rec;
}

static cat_field *field_get(sigcc_catalog *c, const char *name)
{
    bool created;
    key_reset(c);
    sc_buf_puts(&c->key, name);
    cat_field *f = lookup(c, &c->field_ix, sizeof *f, &created);
    if (f && created) {
        f->name = name;
        if (!sc_vec_push(c->arena, &c->fields, f))
            oom(c);
    }
    return f;
}

static void note_schema(reader *r, const char *schema)
{
    for (size_t i = 0; i < r->n_schemas; i++)
        if (r->schemas[i] == schema)
            return;
    if (schema && r->n_schemas < sizeof r->schemas / sizeof *r->schemas)
        r->schemas[r->n_schemas++] = schema;
}

static void note_spelling(reader *r, cat_field *f, const char *spelling)
{
    sigcc_catalog *c = r->c;
    bool created;
    key_reset(c);
    sc_buf_printf(&c->key, "%s\x1f%s", f->name, spelling);
    cat_spelling *s = lookup(c, &c->spelling_ix, sizeof *s, &created);
    if (s && created) {
        s->field = f;
        s->name = intern0(c, spelling);
    }
    if (s)
        note(r, &r->rule->spellings, &s->seen_by, s);
}

static void note_use(reader *r, cat_field *f, const char *op, bool excluded)
{
    sigcc_catalog *c = r->c;
    bool created;
    key_reset(c);
    sc_buf_printf(&c->key, "%s%s\x1f%s", excluded ? "not " : "", op, f->name);
    cat_use *u = lookup(c, &c->use_ix, sizeof *u, &created);
    if (u && created) {
        u->field = f;
        u->label = intern(c, c->key.data, strlen(op) + (excluded ? 4 : 0));
    }
    if (u)
        note(r, &r->rule->uses, &u->seen_by, u);
}

/* ---------------------------------------------------------- operators */

static bool base_modifier(sc_mod m)
{
    switch (m) {
    case SC_MOD_CONTAINS: case SC_MOD_STARTSWITH: case SC_MOD_ENDSWITH: case SC_MOD_RE:
    case SC_MOD_CIDR: case SC_MOD_LT: case SC_MOD_LTE: case SC_MOD_GT: case SC_MOD_GTE:
    case SC_MOD_EXISTS: case SC_MOD_FIELDREF: case SC_MOD_NEQ:
        return true;
    default:
        return false;
    }
}

static const char *equality_name(const sc_match *m, size_t n_written)
{
    static const sc_mod position[] = {SC_MOD_CONTAINS, SC_MOD_STARTSWITH, SC_MOD_ENDSWITH};
    for (size_t i = 0; i < sizeof position / sizeof *position; i++)
        if (m->mods & SC_MODBIT(position[i]))
            return sc_mod_name(position[i]);
    if (m->n_values && m->values[0].kind == SC_VAL_NULL)
        return "null";
    if (n_written > 1)
        return "in";
    const sc_value *v = m->n_values ? &m->values[0] : NULL;
    bool wild = v && v->kind == SC_VAL_STRING && sc_pattern_has_wildcards(v->parts, v->n_parts);
    return wild ? "wildcard" : "eq";
}

static const char *op_base(const sc_match *m, size_t n_written)
{
    if (!m->field)
        return "keyword";
    switch (m->op) {
    case SC_OP_EQ: return equality_name(m, n_written);
    case SC_OP_LT: return "lt";
    case SC_OP_LTE: return "lte";
    case SC_OP_GT: return "gt";
    case SC_OP_GTE: return "gte";
    case SC_OP_RE: return "regex";
    case SC_OP_CIDR: return "cidr";
    case SC_OP_EXISTS: return "exists";
    case SC_OP_FIELDREF: return "fieldref";
    }
    return "eq";
}

/* The operator: its base name, then the modifiers that do not pick the
 * base (|all, |cased, encodings, regex flags, time parts), as written. */
static const char *op_name(sigcc_catalog *c, const sc_match *m, size_t n_written)
{
    key_reset(c);
    sc_buf_puts(&c->key, op_base(m, n_written));
    for (int i = 0; i < m->n_chain; i++)
        if (!base_modifier((sc_mod)m->chain[i]))
            sc_buf_printf(&c->key, "|%s", sc_mod_name((sc_mod)m->chain[i]));
    return key_ok(c) ? intern(c, c->key.data, c->key.len) : NULL;
}

/* ------------------------------------------------------------- values */

static bool same_written(const sc_value *a, const sc_value *b)
{
    return a->raw_len == b->raw_len && (a->raw == b->raw || !memcmp(a->raw, b->raw, a->raw_len));
}

/* Values as written in YAML: the expansions of one value (windash,
 * base64offset, ...) share its text and count once. */
static size_t written_values(const sc_match *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_values; i++)
        n += i == 0 || !same_written(&m->values[i], &m->values[i - 1]);
    return n;
}

/* The text shown for a value: as written, control bytes as \x{hh}. */
static void put_display(sc_buf *b, const sc_value *v)
{
    for (size_t i = 0; i < v->raw_len; i++) {
        unsigned char ch = (unsigned char)v->raw[i];
        if (ch < 0x20 || ch == 0x7f)
            sc_buf_printf(b, "\\x{%02x}", ch);
        else
            sc_buf_putc(b, (char)ch);
    }
}

/* Sigma strings match without case unless |cased: one item for both. */
static void put_key_value(sc_buf *b, const sc_match *m, const sc_value *v)
{
    size_t start = b->len;
    put_display(b, v);
    if (v->kind != SC_VAL_STRING || m->cased || b->oom)
        return;
    for (size_t i = start; i < b->len; i++)
        if (b->data[i] >= 'A' && b->data[i] <= 'Z')
            b->data[i] = (char)(b->data[i] - 'A' + 'a');
}

static bool numeric_id(const sc_value *v, int *id)
{
    if (v->kind == SC_VAL_NUMBER && v->is_int && v->ival > 0 && v->ival < 100000) {
        *id = (int)v->ival;
        return true;
    }
    if (v->kind != SC_VAL_STRING || v->raw_len == 0 || v->raw_len > 5)
        return false;
    int n = 0;
    for (size_t i = 0; i < v->raw_len; i++) {
        if (v->raw[i] < '0' || v->raw[i] > '9')
            return false;
        n = n * 10 + (v->raw[i] - '0');
    }
    *id = n;
    return n > 0;
}

static void note_event_id(reader *r, const cat_field *f, const char *op, const sc_value *v)
{
    int id;
    if (strcmp(f->name, "EventID") || (strcmp(op, "eq") && strcmp(op, "in")) ||
        !numeric_id(v, &id))
        return;
    for (size_t i = 0; i < r->event_ids.n; i++)
        if ((intptr_t)r->event_ids.items[i] == id)
            return;
    if (!sc_vec_push(r->c->arena, &r->event_ids, (void *)(intptr_t)id))
        oom(r->c);
}

static void note_item(reader *r, cat_field *f, const char *op, bool excluded, const sc_match *m,
                      const sc_value *v)
{
    sigcc_catalog *c = r->c;
    bool created;
    key_reset(c);
    sc_buf_printf(&c->key, "%c\x1f%s\x1f%s\x1f", excluded ? '-' : '+', f->name, op);
    put_key_value(&c->key, m, v);
    cat_item *it = lookup(c, &c->item_ix, sizeof *it, &created);
    if (!it)
        return;
    if (created) {
        it->field = f;
        it->op = op;
        it->excluded = excluded;
        key_reset(c);
        put_display(&c->key, v);
        it->value = key_ok(c) ? intern(c, c->key.data, c->key.len) : NULL;
    }
    if (first_use(r, &it->seen_by)) {
        it->reach++;
        if (!sc_vec_push(c->arena, &r->rule->items, it))
            oom(c);
    }
    if (!excluded)
        note_event_id(r, f, op, v);
}

static void read_match(reader *r, const sc_match *m, bool excluded)
{
    sigcc_catalog *c = r->c;
    norm n = normalize(c, m->field, r->logsource);
    cat_field *f = n.name ? field_get(c, n.name) : NULL;
    size_t n_written = written_values(m);
    const char *op = op_name(c, m, n_written);
    if (!f || !op)
        return;
    excluded ^= m->negated;
    note_schema(r, n.schema);
    if (m->field)
        note_spelling(r, f, m->field);
    if (first_use(r, &f->seen_by)) {
        f->reach++;
        if (!sc_vec_push(c->arena, &r->rule->fields, f))
            oom(c);
    }
    note_use(r, f, op, excluded);
    for (size_t i = 0; i < m->n_values && !c->oom; i++)
        if (i == 0 || !same_written(&m->values[i], &m->values[i - 1]))
            note_item(r, f, op, excluded, m, &m->values[i]);
}

/* Every match leaf with its polarity: under an odd number of `not` it is
 * an exclusion. The loader bounds the depth of the tree. */
static void read_tree(reader *r, const sc_node *n, bool excluded)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            read_tree(r, n->u.list.items[i], excluded);
        break;
    case SC_NODE_NOT: read_tree(r, n->u.child, !excluded); break;
    case SC_NODE_SEL: read_tree(r, n->u.sel.child, excluded); break;
    case SC_NODE_MATCH: read_match(r, &n->u.match, excluded); break;
    case SC_NODE_TRUE:
    case SC_NODE_FALSE: break;
    }
}

/* ------------------------------------------------------------- events */

typedef struct event_title {
    const char *provider;
    int id;
    const char *title;
} event_title;

/* Sysmon's event names, and a few Windows events rules often name. */
static const event_title EVENT_TITLES[] = {
    {"Sysmon", 1, "Process creation"}, {"Sysmon", 2, "File creation time changed"},
    {"Sysmon", 3, "Network connection"}, {"Sysmon", 4, "Sysmon service state changed"},
    {"Sysmon", 5, "Process terminated"}, {"Sysmon", 6, "Driver loaded"},
    {"Sysmon", 7, "Image loaded"}, {"Sysmon", 8, "CreateRemoteThread"},
    {"Sysmon", 9, "RawAccessRead"}, {"Sysmon", 10, "ProcessAccess"},
    {"Sysmon", 11, "FileCreate"}, {"Sysmon", 12, "RegistryEvent (Object create and delete)"},
    {"Sysmon", 13, "RegistryEvent (Value Set)"},
    {"Sysmon", 14, "RegistryEvent (Key and Value Rename)"},
    {"Sysmon", 15, "FileCreateStreamHash"}, {"Sysmon", 16, "ServiceConfigurationChange"},
    {"Sysmon", 17, "PipeEvent (Pipe Created)"}, {"Sysmon", 18, "PipeEvent (Pipe Connected)"},
    {"Sysmon", 19, "WmiEvent (WmiEventFilter activity detected)"},
    {"Sysmon", 20, "WmiEvent (WmiEventConsumer activity detected)"},
    {"Sysmon", 21, "WmiEvent (WmiEventConsumerToFilter activity detected)"},
    {"Sysmon", 22, "DNSEvent (DNS query)"}, {"Sysmon", 23, "FileDelete (File Delete archived)"},
    {"Sysmon", 24, "ClipboardChange"}, {"Sysmon", 25, "ProcessTampering"},
    {"Sysmon", 26, "FileDeleteDetected"}, {"Sysmon", 27, "FileBlockExecutable"},
    {"Sysmon", 28, "FileBlockShredding"}, {"Sysmon", 29, "FileExecutableDetected"},
    {"Sysmon", 255, "Error"},
    {"Security", 4624, "An account was successfully logged on"},
    {"Security", 4625, "An account failed to log on"},
    {"Security", 4688, "A new process has been created"},
    {"Security", 4697, "A service was installed in the system"},
    {"Security", 4698, "A scheduled task was created"},
    {"Security", 4663, "An attempt was made to access an object"},
    {"Security", 4656, "A handle to an object was requested"},
    {"Security", 4662, "An operation was performed on an object"},
    {"Security", 4720, "A user account was created"},
    {"Security", 4768, "A Kerberos authentication ticket (TGT) was requested"},
    {"Security", 4769, "A Kerberos service ticket was requested"},
    {"Security", 5145, "A network share object was checked"},
    {"System", 7045, "A service was installed in the system"},
    {"PowerShell", 4103, "Module logging"}, {"PowerShell", 4104, "Script block logging"},
    {"Windows PowerShell", 400, "Engine state changed"},
    {"Windows PowerShell", 600, "Provider started"},
    {"Windows PowerShell", 800, "Pipeline execution details"},
};

static const char *event_title_of(const char *provider, int id, const char *category)
{
    for (size_t i = 0; i < sizeof EVENT_TITLES / sizeof *EVENT_TITLES; i++)
        if (EVENT_TITLES[i].id == id && !strcmp(EVENT_TITLES[i].provider, provider))
            return EVENT_TITLES[i].title;
    return category ? category : "";
}

/* "Microsoft-Windows-Sysmon/Operational" -> "Sysmon". */
static const char *provider_of(sigcc_catalog *c, const char *channel)
{
    static const char prefix[] = "Microsoft-Windows-", suffix[] = "/Operational";
    size_t len = strlen(channel), pl = sizeof prefix - 1, sl = sizeof suffix - 1;
    if (len > pl && !strncmp(channel, prefix, pl)) {
        channel += pl;
        len -= pl;
    }
    if (len > sl && !strcmp(channel + len - sl, suffix))
        len -= sl;
    return intern(c, channel, len);
}

static void note_event(reader *r, const char *provider, const char *channel, int id,
                       const char *category)
{
    sigcc_catalog *c = r->c;
    bool created;
    key_reset(c);
    sc_buf_printf(&c->key, "%s\x1f%d", channel, id);
    cat_event *e = lookup(c, &c->event_ix, sizeof *e, &created);
    if (e && created) {
        e->provider = provider;
        e->channel = intern0(c, channel);
        e->id = id;
        e->title = intern0(c, event_title_of(provider, id, category));
    }
    if (e)
        note(r, &r->rule->events, &e->seen_by, e);
}

static bool entry_has_id(const sc_logsource_entry *e, int id)
{
    for (size_t i = 0; i < SC_LOGSOURCE_MAX_IDS && e->event_ids[i]; i++)
        if (e->event_ids[i] == id)
            return true;
    return false;
}

/* The events of one logsource table entry: its Event IDs, narrowed to the
 * rule's own EventID values when it has some. */
static void entry_events(reader *r, const sc_logsource_entry *e)
{
    const char *provider = provider_of(r->c, e->channels);
    if (!provider)
        return;
    if (r->event_ids.n) {
        for (size_t i = 0; i < r->event_ids.n; i++) {
            int id = (int)(intptr_t)r->event_ids.items[i];
            if (!e->event_ids[0] || entry_has_id(e, id))
                note_event(r, provider, e->channels, id, e->category);
        }
        return;
    }
    for (size_t i = 0; i < SC_LOGSOURCE_MAX_IDS && e->event_ids[i]; i++)
        note_event(r, provider, e->channels, e->event_ids[i], e->category);
}

#define MAX_SOURCES 16

static void read_events(reader *r, const sigcc_rule *rule)
{
    const sc_logsource_entry *sources[MAX_SOURCES];
    size_t n = sc_logsource_lookup(&rule->logsource, sources, MAX_SOURCES);
    for (size_t i = 0; i < n; i++)
        entry_events(r, sources[i]);
    if (n || !r->event_ids.n)
        return;
    const sc_logsource *ls = &rule->logsource;
    const char *where = ls->service ? ls->service : ls->product ? ls->product : "(unknown)";
    for (size_t i = 0; i < r->event_ids.n; i++)
        note_event(r, intern0(r->c, where), where, (int)(intptr_t)r->event_ids.items[i],
                   ls->category);
}

/* ------------------------------------------------------------ metadata */

/* "attack.t1071.003" -> "T1071.003" (or "T1071" rolled up); false if the
 * tag names no technique. */
static bool technique_of(const char *tag, bool roll_up, char out[16])
{
    if (strncasecmp(tag, "attack.t", 8) != 0)
        return false;
    const char *d = tag + 8;
    for (int i = 0; i < 4; i++)
        if (d[i] < '0' || d[i] > '9')
            return false;
    size_t len = 4;
    if (d[4] == '.') {
        for (int i = 5; i < 8; i++)
            if (d[i] < '0' || d[i] > '9')
                return false;
        len = 8;
    }
    if (d[len] != '\0')
        return false;
    if (roll_up)
        len = 4;
    out[0] = 'T';
    memcpy(out + 1, d, len);
    out[len + 1] = '\0';
    return true;
}

static cat_technique *technique_get(sigcc_catalog *c, const char *id)
{
    bool created;
    key_reset(c);
    sc_buf_puts(&c->key, id);
    cat_technique *t = lookup(c, &c->technique_ix, sizeof *t, &created);
    if (t && created) {
        t->id = intern0(c, id);
        if (!sc_vec_push(c->arena, &c->techniques, t))
            oom(c);
    }
    return t;
}

static void read_tags(reader *r, const sigcc_rule *rule)
{
    sigcc_catalog *c = r->c;
    for (size_t i = 0; i < rule->tags.n; i++) {
        const char *tag = rule->tags.items[i];
        char id[16];
        const sc_tactic *tactic = sc_tactic_for_tag(tag);
        cat_technique *t = technique_of(tag, c->roll_up, id) ? technique_get(c, id) : NULL;
        bool seen = false;
        for (size_t k = 0; t && k < r->rule->techniques.n; k++)
            seen |= r->rule->techniques.items[k] == t;
        if (t && !seen && (!sc_vec_push(c->arena, &r->rule->techniques, t) ||
                           !sc_vec_push(c->arena, &t->rules, r->rule)))
            oom(c);
        for (size_t k = 0; tactic && k < r->rule->tactics.n; k++)
            if (r->rule->tactics.items[k] == tactic->name)
                tactic = NULL;
        if (tactic && !sc_vec_push(c->arena, &r->rule->tactics, (void *)tactic->name))
            oom(c);
    }
}

/* The rule whose logsource stands for a correlation: its first source. */
static const sigcc_rule *logsource_rule(const sigcc_rule *r)
{
    for (int depth = 0; r && r->kind == SIGCC_RULE_CORRELATION && depth < 16; depth++)
        r = r->corr && r->corr->n_rules ? r->corr->rules[0].target : NULL;
    return r && r->kind != SIGCC_RULE_CORRELATION ? r : NULL;
}

static const char *logsource_text(sigcc_catalog *c, const sc_logsource *ls)
{
    key_reset(c);
    sc_buf_puts(&c->key, ls->product ? ls->product : "any");
    if (ls->category)
        sc_buf_printf(&c->key, "/%s", ls->category);
    if (ls->service)
        sc_buf_printf(&c->key, "/%s", ls->service);
    return key_ok(c) ? intern(c, c->key.data, c->key.len) : NULL;
}

static void read_metadata(reader *r, const sigcc_rule *rule)
{
    sigcc_catalog *c = r->c;
    cat_rule *cr = r->rule;
    const sigcc_rule *src = logsource_rule(rule);
    cr->title = intern0(c, rule->title ? rule->title : "(untitled)");
    cr->id = intern0(c, rule->id);
    cr->level = intern0(c, rule->level ? rule->level : "");
    cr->kind = rule->kind == SIGCC_RULE_CORRELATION ? "correlation" : "detection";
    cr->path = intern0(c, rule->file ? rule->file : "");
    cr->line = rule->line;
    cr->product = intern0(c, src && src->logsource.product ? src->logsource.product : "any");
    cr->logsource = src ? logsource_text(c, &src->logsource) : intern0(c, "(none)");
    r->logsource = &rule->logsource;
}

static const char *schema_text(reader *r)
{
    sigcc_catalog *c = r->c;
    if (!r->n_schemas)
        return "sigma";
    key_reset(c);
    for (size_t i = 0; i < r->n_schemas; i++)
        sc_buf_printf(&c->key, "%s%s", i ? "+" : "", r->schemas[i]);
    return key_ok(c) ? intern(c, c->key.data, c->key.len) : NULL;
}

sigcc_status sigcc_catalog_add_rule(sigcc_catalog *c, const sigcc_rule *rule)
{
    if (!c || !rule)
        return SIGCC_EUSAGE;
    if (rule->kind == SIGCC_RULE_FILTER || rule->dropped)
        return SIGCC_OK;
    c->serial++;
    reader r = {.c = c};
    r.rule = sc_arena_alloc(c->arena, sizeof *r.rule);
    if (!r.rule)
        return oom(c), SIGCC_ENOMEM;
    read_metadata(&r, rule);
    read_tags(&r, rule);
    if (rule->condition)
        read_tree(&r, rule->condition, false);
    for (size_t i = 0; i < rule->applied_filters.n; i++) {
        const sigcc_rule *f = rule->applied_filters.items[i];
        if (f->condition) /* already a `not` */
            read_tree(&r, f->condition, false);
    }
    read_events(&r, rule);
    r.rule->schema = schema_text(&r);
    if (rule->kind == SIGCC_RULE_CORRELATION)
        c->correlation++;
    else
        c->detection++;
    c->tagged += r.rule->techniques.n > 0;
    return c->oom ? SIGCC_ENOMEM : SIGCC_OK;
}

sigcc_status sigcc_catalog_add_ctx(sigcc_catalog *c, const sigcc_ctx *ctx)
{
    if (!c || !ctx)
        return SIGCC_EUSAGE;
    for (size_t i = 0; i < sigcc_rule_count(ctx); i++) {
        sigcc_status s = sigcc_catalog_add_rule(c, sigcc_rule_at(ctx, i));
        if (s != SIGCC_OK)
            return s;
    }
    return SIGCC_OK;
}

/* ================================================================ pages */

/* Sort helpers: most rules first, then by name, so the order is total. */
static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_count(const void *pa, const void *pb)
{
    const cat_count *a = pa, *b = pb;
    if (a->rules != b->rules)
        return a->rules > b->rules ? -1 : 1;
    return cmp_str(a->name, b->name);
}

static int cmp_rule(const void *pa, const void *pb)
{
    const cat_rule *a = *(const cat_rule *const *)pa, *b = *(const cat_rule *const *)pb;
    int d = cmp_str(a->product, b->product);
    if (!d)
        d = cmp_str(a->title, b->title);
    if (!d)
        d = cmp_str(a->path, b->path);
    return d ? d : (a->line > b->line) - (a->line < b->line);
}

static int cmp_field(const void *pa, const void *pb)
{
    const cat_field *a = *(const cat_field *const *)pa, *b = *(const cat_field *const *)pb;
    if (a->here != b->here)
        return a->here > b->here ? -1 : 1;
    return cmp_str(a->name, b->name);
}

static int cmp_field_reach(const void *pa, const void *pb)
{
    const cat_field *a = *(const cat_field *const *)pa, *b = *(const cat_field *const *)pb;
    if (a->reach != b->reach)
        return a->reach > b->reach ? -1 : 1;
    return cmp_str(a->name, b->name);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Numbers by value (25 before 110), anything else as text. */
static int cmp_value(const char *a, const char *b)
{
    if (all_digits(a) && all_digits(b)) {
        while (*a == '0' && a[1])
            a++;
        while (*b == '0' && b[1])
            b++;
        size_t la = strlen(a), lb = strlen(b);
        if (la != lb)
            return la < lb ? -1 : 1;
    }
    return cmp_str(a, b);
}

static int cmp_item_use(const cat_item *a, const cat_item *b)
{
    if (a->here != b->here)
        return a->here > b->here ? -1 : 1;
    if (a->excluded != b->excluded)
        return a->excluded ? 1 : -1;
    return 0;
}

static int cmp_item(const void *pa, const void *pb)
{
    const cat_item *a = *(const cat_item *const *)pa, *b = *(const cat_item *const *)pb;
    int d = cmp_item_use(a, b);
    if (!d)
        d = cmp_str(a->field->name, b->field->name);
    if (!d)
        d = cmp_str(a->op, b->op);
    return d ? d : cmp_value(a->value, b->value);
}

/* Samples of one field: most used first, whatever the operator. */
static int cmp_sample(const void *pa, const void *pb)
{
    const cat_item *a = *(const cat_item *const *)pa, *b = *(const cat_item *const *)pb;
    int d = cmp_item_use(a, b);
    return d ? d : cmp_value(a->value, b->value);
}

static int cmp_event(const void *pa, const void *pb)
{
    const cat_event *a = *(const cat_event *const *)pa, *b = *(const cat_event *const *)pb;
    int d = cmp_str(a->provider, b->provider);
    return d ? d : (a->id > b->id) - (a->id < b->id);
}

static int cmp_text(const void *pa, const void *pb)
{
    return cmp_str(*(const char *const *)pa, *(const char *const *)pb);
}

/* The page being built: what the technique's rules touched. */
typedef struct builder {
    sigcc_catalog *c;
    sc_arena *a;
    cat_page *page;
    cat_rule **rules;
    sc_vec fields, uses, items, spellings, events;
    sc_vec tactics, products, logsources; /* cat_count * */
    bool oom;
} builder;

static void *balloc(builder *b, size_t n, size_t size)
{
    void *p = sc_arena_alloc(b->a, (n ? n : 1) * size);
    if (!p)
        b->oom = true;
    return p;
}

/* Fields, uses, items, spellings and events each keep their count on the
 * page being built in a `here` member at here_offset: counted here, listed
 * once in `touched`, and reset through that list when the page is done. */
static void touch(builder *b, sc_vec *touched, const sc_vec *list, size_t here_offset)
{
    for (size_t i = 0; i < list->n; i++) {
        uint32_t *here = (uint32_t *)((char *)list->items[i] + here_offset);
        if ((*here)++ == 0 && !sc_vec_push(b->a, touched, list->items[i]))
            b->oom = true;
    }
}

static void untouch(const sc_vec *touched, size_t here_offset)
{
    for (size_t i = 0; i < touched->n; i++)
        *(uint32_t *)((char *)touched->items[i] + here_offset) = 0;
}

static void count_name(builder *b, sc_vec *rows, const char *name)
{
    for (size_t i = 0; i < rows->n; i++) {
        cat_count *row = rows->items[i];
        if (row->name == name || !cmp_str(row->name, name)) {
            row->rules++;
            return;
        }
    }
    cat_count *row = balloc(b, 1, sizeof *row);
    if (row && !sc_vec_push(b->a, rows, row))
        b->oom = true;
    if (row)
        *row = (cat_count){name, 1};
}

static cat_count *counts_sorted(builder *b, const sc_vec *rows, size_t *n)
{
    cat_count *out = balloc(b, rows->n, sizeof *out);
    *n = out ? rows->n : 0;
    for (size_t i = 0; i < *n; i++)
        out[i] = *(const cat_count *)rows->items[i];
    if (*n)
        qsort(out, *n, sizeof *out, cmp_count);
    return out;
}

static void count_rules(builder *b)
{
    for (size_t i = 0; i < b->page->n_rules; i++) {
        cat_rule *r = b->rules[i];
        r->number = (uint32_t)i + 1;
        touch(b, &b->fields, &r->fields, offsetof(cat_field, here));
        touch(b, &b->uses, &r->uses, offsetof(cat_use, here));
        touch(b, &b->items, &r->items, offsetof(cat_item, here));
        touch(b, &b->spellings, &r->spellings, offsetof(cat_spelling, here));
        touch(b, &b->events, &r->events, offsetof(cat_event, here));
        for (size_t k = 0; k < r->tactics.n; k++)
            count_name(b, &b->tactics, r->tactics.items[k]);
        count_name(b, &b->products, r->product);
        count_name(b, &b->logsources, r->logsource);
    }
}

static void build_rule_rows(builder *b)
{
    cat_page *p = b->page;
    p->rules = balloc(b, p->n_rules, sizeof *p->rules);
    for (size_t i = 0; p->rules && i < p->n_rules; i++) {
        const cat_rule *r = b->rules[i];
        p->rules[i] = (cat_rule_row){r->number, r->title, r->id, r->level, r->kind,
                                     r->product, r->logsource, r->schema, r->path, r->line};
    }
}

static void build_events(builder *b)
{
    cat_page *p = b->page;
    size_t n = b->events.n;
    if (n)
        qsort(b->events.items, n, sizeof *b->events.items, cmp_event);
    p->events = balloc(b, n, sizeof *p->events);
    for (size_t i = 0; p->events && i < n; i++) {
        const cat_event *e = b->events.items[i];
        p->events[i] = (cat_event_row){e->provider, e->channel, e->title, e->id, e->here};
    }
    p->n_events = p->events ? n : 0;
}

static size_t cut(const sigcc_catalog *c, size_t n)
{
    return c->top == SIGCC_CATALOG_ALL || n < c->top ? n : c->top;
}

static void field_samples(builder *b, const cat_field *f, cat_field_row *row)
{
    const cat_item **mine = balloc(b, b->items.n, sizeof *mine);
    size_t n = 0;
    for (size_t i = 0; mine && i < b->items.n; i++)
        if (((const cat_item *)b->items.items[i])->field == f)
            mine[n++] = b->items.items[i];
    if (n)
        qsort(mine, n, sizeof *mine, cmp_sample);
    for (size_t i = 0; i < n && row->n_samples < b->c->samples; i++) {
        bool dup = false; /* the same value with two operators */
        for (size_t k = 0; k < row->n_samples; k++)
            dup |= row->samples[k] == mine[i]->value;
        if (!dup)
            row->samples[row->n_samples++] = mine[i]->value;
    }
}

static void field_details(builder *b, const cat_field *f, cat_field_row *row)
{
    row->spellings = balloc(b, b->spellings.n, sizeof *row->spellings);
    row->ops = balloc(b, b->uses.n, sizeof *row->ops);
    row->samples = balloc(b, b->c->samples, sizeof *row->samples);
    if (!row->spellings || !row->ops || !row->samples)
        return;
    for (size_t i = 0; i < b->spellings.n; i++) {
        const cat_spelling *s = b->spellings.items[i];
        if (s->field == f)
            row->spellings[row->n_spellings++] = s->name;
    }
    qsort(row->spellings, row->n_spellings, sizeof *row->spellings, cmp_text);
    for (size_t i = 0; i < b->uses.n; i++) {
        const cat_use *u = b->uses.items[i];
        if (u->field == f)
            row->ops[row->n_ops++] = (cat_count){u->label, u->here};
    }
    qsort(row->ops, row->n_ops, sizeof *row->ops, cmp_count);
    field_samples(b, f, row);
}

static void build_fields(builder *b)
{
    cat_page *p = b->page;
    size_t n = b->fields.n;
    if (n)
        qsort(b->fields.items, n, sizeof *b->fields.items, cmp_field);
    p->fields_distinct = n;
    p->n_fields = cut(b->c, n);
    p->fields = balloc(b, p->n_fields, sizeof *p->fields);
    for (size_t i = 0; p->fields && i < p->n_fields; i++) {
        const cat_field *f = b->fields.items[i];
        p->fields[i] = (cat_field_row){.field = f->name, .rules = f->here};
        field_details(b, f, &p->fields[i]);
    }
    if (!p->fields)
        p->n_fields = 0;
}

static void item_refs(builder *b, cat_items *t)
{
    for (size_t i = 0; i < t->n; i++)
        t->rows[i].refs = balloc(b, t->rows[i].rules, sizeof *t->rows[i].refs);
    for (size_t r = 0; r < b->page->n_rules; r++) {
        const sc_vec *items = &b->rules[r]->items;
        for (size_t k = 0; k < items->n; k++) {
            cat_item *it = items->items[k];
            cat_item_row *row = it->slot ? &t->rows[it->slot - 1] : NULL;
            if (row && row->refs && row->n_refs < row->rules)
                row->refs[row->n_refs++] = b->rules[r]->number;
        }
    }
}

static void build_items(builder *b, cat_items *t, bool excluded)
{
    for (size_t i = 0; i < b->items.n; i++)
        t->distinct += ((const cat_item *)b->items.items[i])->excluded == excluded;
    t->rows = balloc(b, cut(b->c, t->distinct), sizeof *t->rows);
    if (!t->rows)
        return;
    for (size_t i = 0; i < b->items.n && t->n < cut(b->c, t->distinct); i++) {
        cat_item *it = b->items.items[i];
        if (it->excluded != excluded)
            continue;
        t->rows[t->n] = (cat_item_row){it->field->name, it->op, it->value, it->here, it->reach,
                                       NULL, 0};
        it->slot = (uint32_t)++t->n;
    }
    item_refs(b, t);
    for (size_t i = 0; i < b->items.n; i++)
        ((cat_item *)b->items.items[i])->slot = 0;
}

static void build_page(builder *b, cat_page *p, const cat_technique *t)
{
    p->technique = t->id;
    p->n_rules = t->rules.n;
    b->page = p;
    b->rules = balloc(b, p->n_rules, sizeof *b->rules);
    if (!b->rules)
        return;
    if (p->n_rules) { /* an empty page has no items array to copy */
        memcpy(b->rules, t->rules.items, p->n_rules * sizeof *b->rules);
        qsort(b->rules, p->n_rules, sizeof *b->rules, cmp_rule);
    }
    count_rules(b);
    if (b->items.n)
        qsort(b->items.items, b->items.n, sizeof *b->items.items, cmp_item);
    build_rule_rows(b);
    build_events(b);
    build_fields(b);
    build_items(b, &p->indicators, false);
    build_items(b, &p->exclusions, true);
    p->tactics = counts_sorted(b, &b->tactics, &p->n_tactics);
    p->products = counts_sorted(b, &b->products, &p->n_products);
    p->logsources = counts_sorted(b, &b->logsources, &p->n_logsources);
    untouch(&b->fields, offsetof(cat_field, here));
    untouch(&b->uses, offsetof(cat_use, here));
    untouch(&b->items, offsetof(cat_item, here));
    untouch(&b->spellings, offsetof(cat_spelling, here));
    untouch(&b->events, offsetof(cat_event, here));
}

/* ================================================================ writing */

static int cmp_technique(const void *pa, const void *pb)
{
    const cat_technique *a = *(const cat_technique *const *)pa;
    const cat_technique *b = *(const cat_technique *const *)pb;
    return cmp_str(a->id, b->id);
}

/* The techniques to write: the requested ones (an unknown one gets an
 * empty page), or all of them, by ID. */
static const cat_technique **chosen(sigcc_catalog *c, sc_arena *a, const char *const *ids,
                                    size_t n_ids, size_t *n)
{
    size_t cap = n_ids ? n_ids : c->techniques.n;
    const cat_technique **out = sc_arena_alloc(a, (cap ? cap : 1) * sizeof *out);
    *n = 0;
    for (size_t i = 0; out && i < cap; i++) {
        char id[16], tag[32];
        if (!n_ids) {
            out[(*n)++] = c->techniques.items[i];
            continue;
        }
        if (!ids[i] || (size_t)snprintf(tag, sizeof tag, "attack.%s", ids[i]) >= sizeof tag ||
            !technique_of(tag, c->roll_up, id))
            continue;
        const cat_technique *t = map_get(&c->technique_ix, id, strlen(id));
        cat_technique *empty = t ? NULL : sc_arena_alloc(a, sizeof *empty);
        if (empty)
            empty->id = sc_arena_strdup(a, id);
        if (t || (empty && empty->id))
            out[(*n)++] = t ? t : empty;
    }
    if (out && *n)
        qsort(out, *n, sizeof *out, cmp_technique);
    size_t kept = 0; /* a technique asked for twice gets one page */
    for (size_t i = 0; out && i < *n; i++)
        if (!kept || strcmp(out[kept - 1]->id, out[i]->id))
            out[kept++] = out[i];
    *n = kept;
    return out;
}

static void summarize(sigcc_catalog *c, sc_arena *a, cat_summary *s)
{
    s->rules = c->detection + c->correlation;
    s->detection = c->detection;
    s->correlation = c->correlation;
    s->tagged = c->tagged;
    s->techniques = c->techniques.n;
    s->roll_up = c->roll_up;
    s->pipelines = (const char **)c->pipeline_names.items;
    s->n_pipelines = c->pipeline_names.n;
    const cat_field **fields = sc_arena_alloc(a, (c->fields.n + 1) * sizeof *fields);
    s->top_fields = sc_arena_alloc(a, TOP_FIELDS_OVERALL * sizeof *s->top_fields);
    if (!fields || !s->top_fields)
        return;
    if (c->fields.n) {
        memcpy(fields, c->fields.items, c->fields.n * sizeof *fields);
        qsort(fields, c->fields.n, sizeof *fields, cmp_field_reach);
    }
    for (size_t i = 0; i < c->fields.n && i < TOP_FIELDS_OVERALL; i++)
        s->top_fields[s->n_top_fields++] = (cat_count){fields[i]->name, fields[i]->reach};
}

sigcc_status sigcc_catalog_write(sigcc_catalog *c, sigcc_catalog_format format,
                                 const char *const *techniques, size_t n_techniques, char **out)
{
    if (!c || !out || (n_techniques && !techniques) || format > SIGCC_CATALOG_JSON)
        return SIGCC_EUSAGE;
    *out = NULL;
    if (c->oom)
        return SIGCC_ENOMEM;
    builder b = {.c = c, .a = sc_arena_new()};
    if (!b.a)
        return SIGCC_ENOMEM;
    cat_summary s = {0};
    summarize(c, b.a, &s);
    const cat_technique **list = chosen(c, b.a, techniques, n_techniques, &s.n_pages);
    s.pages = sc_arena_alloc(b.a, (s.n_pages + 1) * sizeof *s.pages);
    b.oom = !list || !s.pages || !s.top_fields;
    for (size_t i = 0; i < s.n_pages && !b.oom; i++) {
        sc_vec *scratch[] = {&b.fields, &b.uses, &b.items, &b.spellings, &b.events,
                             &b.tactics, &b.products, &b.logsources};
        for (size_t k = 0; k < sizeof scratch / sizeof *scratch; k++)
            scratch[k]->n = 0;
        build_page(&b, &s.pages[i], list[i]);
    }
    sc_buf text = {0};
    if (!b.oom) {
        if (format == SIGCC_CATALOG_MARKDOWN)
            sc_catalog_markdown(&text, &s);
        else if (format == SIGCC_CATALOG_HTML)
            sc_catalog_html(&text, &s);
        else
            sc_catalog_json(&text, &s);
    }
    sc_arena_free(b.a);
    c->oom |= b.oom; /* page counters may be left half reset */
    if (b.oom) {
        sc_buf_free(&text);
        return SIGCC_ENOMEM;
    }
    *out = sc_buf_take(&text);
    return *out ? SIGCC_OK : SIGCC_ENOMEM;
}
