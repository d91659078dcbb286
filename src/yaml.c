/*
 * yaml.c - bytes to a YAML tree, with the guards libyaml lacks.
 *
 * libyaml's event parser checks syntax and UTF-8; this file builds a tree
 * of sc_ynode from the events and enforces the limits of sc_limits.h:
 * nesting depth, scalar size, list length and alias expansion. An alias
 * points at the anchored node (no copy), and every node records how many
 * nodes it would expand to, so a "billion laughs" file is refused at the
 * alias that crosses the limit instead of being expanded later.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "internal.h"

typedef struct anchor {
    const char *name;
    sc_ynode *node;
} anchor;

typedef struct frame {
    sc_ynode *node;
    sc_vec children; /* sc_ynode * ; for maps: key, value, key, value... */
    const char *anchor_name;
} frame;

typedef struct builder {
    sc_arena *arena;
    sc_diag_list *diags;
    const sc_source *src;
    frame stack[SC_MAX_YAML_DEPTH + 1];
    size_t depth;
    sc_vec anchors; /* anchor * */
    sc_ynode *root;
    bool failed;
} builder;

static sc_loc mark_loc(yaml_mark_t start, yaml_mark_t end)
{
    sc_loc l = {(uint32_t)start.line + 1, (uint32_t)start.column + 1, 1};
    if (end.line == start.line && end.column > start.column)
        l.len = (uint32_t)(end.column - start.column);
    return l;
}

static void fail(builder *b, const char *code, sc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(builder *b, const char *code, sc_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(b->diags, b->src, SIGCC_ERROR, code, loc, fmt, ap);
    va_end(ap);
    b->failed = true;
}

static void report_duplicate_keys(builder *b, const sc_ynode *map);

static uint32_t add_sat(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* Attaches a finished node to its parent, or makes it the document root. */
static void attach(builder *b, sc_ynode *node, const char *anchor_name)
{
    if (anchor_name) {
        anchor *an = sc_arena_alloc(b->arena, sizeof *an);
        if (!an || !sc_vec_push(b->arena, &b->anchors, an)) {
            fail(b, "out-of-memory", node->loc, "out of memory");
            return;
        }
        an->name = anchor_name;
        an->node = node;
    }
    if (b->depth == 0) {
        b->root = node;
        return;
    }
    frame *parent = &b->stack[b->depth - 1];
    size_t limit = parent->node->kind == SC_Y_MAP ? 2 * SC_MAX_LIST_ITEMS : SC_MAX_LIST_ITEMS;
    if (parent->children.n >= limit) {
        fail(b, "limit-list-length", node->loc,
             "more than %u entries in one YAML list or map (limit of the loader)",
             SC_MAX_LIST_ITEMS);
        return;
    }
    if (!sc_vec_push(b->arena, &parent->children, node))
        fail(b, "out-of-memory", node->loc, "out of memory");
}

static const char *copy_anchor(builder *b, const yaml_char_t *a)
{
    return a ? sc_arena_strdup(b->arena, (const char *)a) : NULL;
}

static bool check_tag(builder *b, const yaml_char_t *tag, sc_loc loc, bool *force_str)
{
    *force_str = false;
    if (!tag)
        return true;
    const char *t = (const char *)tag;
    if (strcmp(t, "tag:yaml.org,2002:str") == 0) {
        *force_str = true;
        return true;
    }
    if (strncmp(t, "tag:yaml.org,2002:", 18) == 0 &&
        (strcmp(t + 18, "map") == 0 || strcmp(t + 18, "seq") == 0 ||
         strcmp(t + 18, "int") == 0 || strcmp(t + 18, "bool") == 0 ||
         strcmp(t + 18, "null") == 0 || strcmp(t + 18, "float") == 0))
        return true;
    fail(b, "yaml-tag", loc, "YAML tag '%s' is not allowed in a Sigma rule", t);
    return false;
}

static void on_scalar(builder *b, const yaml_event_t *ev)
{
    sc_loc loc = mark_loc(ev->start_mark, ev->end_mark);
    bool force_str;
    if (!check_tag(b, ev->data.scalar.tag, loc, &force_str))
        return;
    if (ev->data.scalar.length > SC_MAX_SCALAR_BYTES) {
        fail(b, "limit-scalar-size", loc,
             "YAML value of %zu bytes is larger than the limit of %u bytes",
             (size_t)ev->data.scalar.length, SC_MAX_SCALAR_BYTES);
        return;
    }
    sc_ynode *n = sc_arena_alloc(b->arena, sizeof *n);
    if (!n) {
        fail(b, "out-of-memory", loc, "out of memory");
        return;
    }
    n->kind = SC_Y_SCALAR;
    n->loc = loc;
    n->single_line = ev->start_mark.line == ev->end_mark.line;
    n->expanded = 1;
    n->len = ev->data.scalar.length;
    n->text = sc_arena_strndup(b->arena, (const char *)ev->data.scalar.value, n->len);
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = SC_YS_SINGLE; break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = SC_YS_DOUBLE; break;
    case YAML_LITERAL_SCALAR_STYLE: n->style = SC_YS_LITERAL; break;
    case YAML_FOLDED_SCALAR_STYLE: n->style = SC_YS_FOLDED; break;
    default: n->style = force_str ? SC_YS_SINGLE : SC_YS_PLAIN; break;
    }
    if (!n->text) {
        fail(b, "out-of-memory", loc, "out of memory");
        return;
    }
    attach(b, n, copy_anchor(b, ev->data.scalar.anchor));
}

static void on_alias(builder *b, const yaml_event_t *ev)
{
    sc_loc loc = mark_loc(ev->start_mark, ev->end_mark);
    const char *name = (const char *)ev->data.alias.anchor;
    for (size_t i = b->anchors.n; i-- > 0;) {
        anchor *an = b->anchors.items[i];
        if (strcmp(an->name, name) == 0) {
            attach(b, an->node, NULL);
            return;
        }
    }
    fail(b, "yaml-alias", loc, "YAML alias '*%s' refers to no complete anchor before it", name);
}

static void on_start(builder *b, const yaml_event_t *ev, sc_ykind kind)
{
    sc_loc loc = mark_loc(ev->start_mark, ev->end_mark);
    const yaml_char_t *tag =
        kind == SC_Y_MAP ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    const yaml_char_t *an =
        kind == SC_Y_MAP ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    bool force_str;
    if (!check_tag(b, tag, loc, &force_str))
        return;
    if (b->depth >= SC_MAX_YAML_DEPTH) {
        fail(b, "limit-nesting", loc, "YAML nesting deeper than %u levels", SC_MAX_YAML_DEPTH);
        return;
    }
    sc_ynode *n = sc_arena_alloc(b->arena, sizeof *n);
    if (!n) {
        fail(b, "out-of-memory", loc, "out of memory");
        return;
    }
    n->kind = kind;
    n->loc = loc;
    frame *f = &b->stack[b->depth++];
    memset(f, 0, sizeof *f);
    f->node = n;
    f->anchor_name = copy_anchor(b, an);
}

static void on_end(builder *b, const yaml_event_t *ev)
{
    frame *f = &b->stack[--b->depth];
    sc_ynode *n = f->node;
    uint32_t total = 1;
    for (size_t i = 0; i < f->children.n; i++)
        total = add_sat(total, ((sc_ynode *)f->children.items[i])->expanded);
    n->expanded = total;
    if (total > SC_MAX_YAML_EXPANSION) {
        fail(b, "limit-alias-expansion", mark_loc(ev->start_mark, ev->end_mark),
             "YAML aliases expand this node to more than %u nodes (an alias bomb?)",
             SC_MAX_YAML_EXPANSION);
        return;
    }
    if (n->kind == SC_Y_SEQ) {
        n->items = (sc_ynode **)f->children.items;
        n->n_items = f->children.n;
    } else {
        n->n_pairs = f->children.n / 2;
        n->pairs = sc_arena_alloc(b->arena, (n->n_pairs ? n->n_pairs : 1) * sizeof *n->pairs);
        if (!n->pairs) {
            fail(b, "out-of-memory", n->loc, "out of memory");
            return;
        }
        for (size_t i = 0; i < n->n_pairs; i++) {
            n->pairs[i].key = f->children.items[2 * i];
            n->pairs[i].value = f->children.items[2 * i + 1];
            if (n->pairs[i].key->kind != SC_Y_SCALAR) {
                fail(b, "yaml-complex-key", n->pairs[i].key->loc,
                     "a map key must be a plain string, not a list or map");
                return;
            }
        }
        report_duplicate_keys(b, n);
    }
    attach(b, n, f->anchor_name);
}

static int pair_cmp(const void *a, const void *b)
{
    const sc_ypair *x = *(const sc_ypair *const *)a, *y = *(const sc_ypair *const *)b;
    size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
    int c = memcmp(x->key->text, y->key->text, n);
    if (c == 0)
        c = (x->key->len > y->key->len) - (x->key->len < y->key->len);
    /* equal keys: by position, so the later one is reported */
    return c ? c : (x > y) - (x < y);
}

static bool same_key(const sc_ypair *x, const sc_ypair *y)
{
    return x->key->len == y->key->len && memcmp(x->key->text, y->key->text, x->key->len) == 0;
}

/* YAML requires unique keys; PyYAML keeps the last value and libyaml says
 * nothing, so a repeated 'detection' or field silently changes a rule.
 * Reported as an error, without stopping the parse. */
static void report_duplicate_keys(builder *b, const sc_ynode *map)
{
    size_t n = map->n_pairs;
    if (n < 2)
        return;
    const sc_ypair **sorted = sc_arena_alloc(b->arena, n * sizeof *sorted);
    if (!sorted)
        return;
    for (size_t i = 0; i < n; i++)
        sorted[i] = &map->pairs[i];
    qsort(sorted, n, sizeof *sorted, pair_cmp);
    for (size_t i = 1; i < n; i++)
        if (same_key(sorted[i - 1], sorted[i]))
            sc_diag(b->diags, b->src, SIGCC_ERROR, "duplicate-key", sorted[i]->key->loc,
                    "key '%s' appears twice in this map (first at line %u); YAML keeps only one "
                    "value, so one of them would be silently lost", sorted[i]->key->text,
                    sorted[i - 1]->key->loc.line);
}

static void report_parser_error(builder *b, const yaml_parser_t *p)
{
    yaml_mark_t m = p->problem_mark;
    sc_loc loc = {(uint32_t)m.line + 1, (uint32_t)m.column + 1, 1};
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a mark. */
        loc = sc_source_loc(b->src, p->problem_offset);
        fail(b, "yaml-encoding", loc, "invalid text: %s (byte 0x%02x); a rule file must be UTF-8",
             problem, (unsigned)(p->problem_value & 0xff));
        return;
    }
    if (p->context && strstr(problem, "end of stream")) {
        /* "unexpected end of stream": the useful place is where the
         * unfinished construct began. */
        yaml_mark_t c = p->context_mark;
        loc = (sc_loc){(uint32_t)c.line + 1, (uint32_t)c.column + 1, 1};
        fail(b, "yaml-syntax", loc, "invalid YAML: %s %s that starts here", problem, p->context);
        return;
    }
    if (strstr(problem, "cannot start any token") && m.index < b->src->len &&
        b->src->text[m.index] == '\t') {
        fail(b, "yaml-syntax", loc, "invalid YAML: a tab cannot indent YAML; use spaces");
        return;
    }
    const char *code = "yaml-syntax";
    if (strstr(problem, "UTF-8") || strstr(problem, "control characters") ||
        strstr(problem, "invalid Unicode") || strstr(problem, "UTF-16"))
        code = "yaml-encoding";
    if (p->context)
        fail(b, code, loc, "invalid YAML: %s %s", problem, p->context);
    else
        fail(b, code, loc, "invalid YAML: %s", problem);
}

int sc_yaml_parse(sc_arena *arena, sc_diag_list *diags, const sc_source *src,
                  sc_ynode ***docs_out)
{
    builder b = {.arena = arena, .diags = diags, .src = src};
    sc_vec docs = {0};
    yaml_parser_t parser;
    *docs_out = NULL;
    if (!yaml_parser_initialize(&parser)) {
        fail(&b, "out-of-memory", (sc_loc){0, 0, 0}, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)src->text, src->len);
    bool done = false;
    size_t doc_errors = diags->errors;
    while (!done && !b.failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            report_parser_error(&b, &parser);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_DOCUMENT_START_EVENT:
            doc_errors = diags->errors;
            b.root = NULL;
            b.anchors.n = 0; /* anchors do not cross documents */
            break;
        case YAML_DOCUMENT_END_EVENT:
            if (docs.n >= SC_MAX_DOCUMENTS) {
                fail(&b, "limit-documents", mark_loc(ev.start_mark, ev.end_mark),
                     "more than %u YAML documents in one file", SC_MAX_DOCUMENTS);
            } else if (b.root && diags->errors != doc_errors) {
                /* reported already: a NULL entry counts the document */
                if (!sc_vec_push(arena, &docs, NULL))
                    fail(&b, "out-of-memory", (sc_loc){0, 0, 0}, "out of memory");
            } else if (b.root && !sc_vec_push(arena, &docs, b.root)) {
                fail(&b, "out-of-memory", (sc_loc){0, 0, 0}, "out of memory");
            }
            break;
        case YAML_SCALAR_EVENT: on_scalar(&b, &ev); break;
        case YAML_ALIAS_EVENT: on_alias(&b, &ev); break;
        case YAML_SEQUENCE_START_EVENT: on_start(&b, &ev, SC_Y_SEQ); break;
        case YAML_MAPPING_START_EVENT: on_start(&b, &ev, SC_Y_MAP); break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: on_end(&b, &ev); break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    *docs_out = (sc_ynode **)docs.items;
    if (b.failed && docs.n == 0)
        return -1;
    return (int)docs.n;
}

/* YAML 1.1 plain-scalar resolution, as PyYAML (and so pySigma) does it. */
static bool is_one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

/* PyYAML's YAML 1.1 int: [-+]?0b[01_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*)
 * | [-+]?0x[0-9a-fA-F_]+ (sexagesimal is not used by Sigma rules). */
static bool parse_int(const char *s, int64_t *out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (*p < '0' || *p > '9')
        return false;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'b')) {
        base = p[1] == 'x' ? 16 : 2;
        p += 2;
    } else if (p[0] == '0' && p[1]) {
        base = 8;
        p += 1;
    }
    if (!*p)
        return false;
    uint64_t v = 0;
    for (; *p; p++) {
        int d;
        if (*p == '_')
            continue;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            return false;
        if (d >= base)
            return false;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

/* PyYAML's YAML 1.1 float: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?
 * (the exponent needs a sign; infinities and NaN are not numbers here). */
static bool parse_float(const char *s, double *out)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    bool digits = false;
    if (*p >= '0' && *p <= '9') {
        while ((*p >= '0' && *p <= '9') || *p == '_')
            p++;
        digits = true;
    }
    if (*p != '.')
        return false;
    p++;
    while ((*p >= '0' && *p <= '9') || *p == '_') {
        digits = true;
        p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p != '-' && *p != '+')
            return false;
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p || !digits)
        return false;
    char clean[64];
    size_t k = 0;
    for (const char *q = s; *q && k + 1 < sizeof clean; q++)
        if (*q != '_')
            clean[k++] = *q;
    clean[k] = '\0';
    char *end;
    errno = 0;
    double v = strtod(clean, &end);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

sc_ytype sc_yaml_scalar_type(const sc_ynode *n, int64_t *ival, double *fval, bool *bval)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                        "on", "On", "ON", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", "no", "No", "NO",
                                         "off", "Off", "OFF", NULL};
    if (n->kind != SC_Y_SCALAR || n->style != SC_YS_PLAIN || strlen(n->text) != n->len)
        return SC_YT_STR;
    bool short_word = n->len <= 5; /* the longest null or bool word is "false" */
    if (short_word && is_one_of(n->text, nulls))
        return SC_YT_NULL;
    if (short_word && is_one_of(n->text, trues)) {
        if (bval)
            *bval = true;
        return SC_YT_BOOL;
    }
    if (short_word && is_one_of(n->text, falses)) {
        if (bval)
            *bval = false;
        return SC_YT_BOOL;
    }
    int64_t i;
    if (parse_int(n->text, &i)) {
        if (ival)
            *ival = i;
        if (fval)
            *fval = (double)i;
        return SC_YT_INT;
    }
    double f;
    if (parse_float(n->text, &f) && isfinite(f)) {
        if (fval)
            *fval = f;
        return SC_YT_FLOAT;
    }
    return SC_YT_STR;
}

const sc_ynode *sc_ymap_get(const sc_ynode *map, const char *key)
{
    if (!map || map->kind != SC_Y_MAP)
        return NULL;
    for (size_t i = 0; i < map->n_pairs; i++)
        if (strcmp(map->pairs[i].key->text, key) == 0)
            return map->pairs[i].value;
    return NULL;
}
