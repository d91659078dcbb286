/*
 * pipeline.c - processing pipelines (pySigma's YAML format, the subset of
 * docs/pipelines.md): loading, then rewriting resolved rules.
 *
 *   transformations:
 *     - id: sysmon_to_ecs                      item: conditions + transformation
 *       type: field_name_mapping
 *       mapping: {Image: process.executable}
 *       rule_conditions: [{type: logsource, product: windows}]
 *
 * Loading turns each item into a pitem (parameters checked, regexes
 * compiled, added conditions test-built), so that applying can only fail
 * for reasons that depend on the rule. Applying walks the rule's resolved
 * condition tree: a "detection item" of pySigma is one match leaf here.
 *
 * Memory: a pipeline owns one arena (its YAML tree, items, compiled
 * regexes and a copy of its source for later diagnostics). Everything a
 * rewritten rule keeps is allocated in the rule's arena; what applying needs
 * only meanwhile (marks, state) lives in a scratch arena freed at the end.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match.h"
#include "pipeline.h"

/* ================================================================ types */

/* A typed YAML scalar (YAML 1.1 typing, as the loader does it). */
typedef struct pval {
    sc_ytype type;
    const char *text;
    size_t len;
    int64_t ival;
    double num;
    bool bval;
    sc_loc loc;
} pval;

typedef enum cond_class { CLASS_RULE, CLASS_ITEM, CLASS_FIELD } cond_class;

typedef enum cond_kind {
    C_LOGSOURCE, C_CONTAINS_ITEM, C_CONTAINS_FIELD, C_APPLIED, C_STATE, C_IS_RULE,
    C_IS_CORRELATION, C_RULE_ATTRIBUTE, C_TAG,
    C_MATCH_STRING, C_MATCH_VALUE, C_CONTAINS_WILDCARD, C_IS_NULL,
    C_INCLUDE_FIELDS, C_EXCLUDE_FIELDS
} cond_kind;

typedef enum cmp_op { OP_EQ, OP_NE, OP_GTE, OP_GT, OP_LTE, OP_LT, OP_IN, OP_NOT_IN } cmp_op;
static const char *const op_names[] = {"eq", "ne", "gte", "gt", "lte", "lt", "in", "not_in", NULL};

typedef struct pcond {
    cond_kind kind;
    sc_loc loc;
    const char *name;                      /* key in a map of conditions (expressions) */
    const char *category, *product, *service;
    const char *text;                      /* field, item id, state key, attribute, tag */
    pval value;
    cmp_op op;
    bool all;                              /* cond: all (else any) */
    bool negate;                           /* match_string */
    pcre2_code *re;                        /* match_string */
    const char **fields;                   /* include/exclude_fields */
    pcre2_code **field_res;                /* mode re */
    size_t n_fields;
} pcond;

typedef enum expr_kind { X_ID, X_AND, X_OR, X_NOT } expr_kind;
typedef struct cexpr {
    expr_kind kind;
    size_t cond;             /* X_ID: index into the set */
    struct cexpr *l, *r;     /* X_NOT uses l */
} cexpr;

typedef struct cond_set {
    pcond *items;
    size_t n;
    bool any;                /* *_cond_op: or */
    bool negate;             /* *_cond_not */
    cexpr *expr;             /* *_cond_expr */
} cond_set;

typedef enum trans_kind {
    T_FIELD_MAPPING, T_PREFIX_MAPPING, T_FIELD_PREFIX, T_FIELD_SUFFIX, T_DROP_ITEM,
    T_ADD_CONDITION, T_CHANGE_LOGSOURCE, T_REPLACE_STRING, T_MAP_STRING, T_RULE_FAILURE,
    T_ITEM_FAILURE, T_SET_STATE, T_VALUE_PLACEHOLDERS, T_WILDCARD_PLACEHOLDERS, T_ADD_FIELD,
    T_REMOVE_FIELD, T_SET_FIELD, T_SET_CUSTOM_ATTRIBUTE, T_SYSMON_HASHES
} trans_kind;

/* One mapping entry: key -> one or more strings. */
typedef struct name_map {
    const char *key;         /* NULL: the null key (keyword detection items) */
    const char **to;
    size_t n_to;
} name_map;

/* A replacement template in Python's re.sub syntax, parsed at load. */
typedef struct repl_part {
    const char *text;        /* literal, or NULL for a group */
    size_t len;
    uint32_t group;
} repl_part;

typedef struct pitem {
    const char *id;
    const char *type_name;
    size_t index;            /* 1-based position in 'transformations' */
    sc_loc loc;
    trans_kind kind;
    cond_set rule_conds, item_conds, field_conds;
    name_map *map;           /* field_name_mapping, prefix mapping, map_string */
    size_t n_map;
    const char *text;        /* prefix, suffix, message, add_condition name, attribute, state key */
    pcre2_code *re;          /* replace_string */
    repl_part *repl;
    size_t n_repl;
    bool skip_special, interpret_special, template_, negated;
    const sc_ynode *conditions;  /* add_condition */
    const sc_ynode *scalar;      /* set_custom_attribute value */
    const char *category, *product, *service;
    pval value;              /* set_state val, set_custom_attribute value */
    const char **names;      /* placeholders include/exclude, add/remove/set field */
    size_t n_names;
    bool has_filter, exclude;
} pitem;

typedef struct pvar {
    const char *name;
    const sc_ynode *value;
} pvar;

struct sc_pipeline {
    sc_arena *arena;
    const char *name;
    int priority;
    pitem *items;
    size_t n_items;
    pvar *vars;
    size_t n_vars;
    sc_source src;           /* a copy, for diagnostics while applying */
};

/* ======================================================= small helpers */

static void free_code(void *code)
{
    pcre2_code_free(code);
}

static bool one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static pval pval_of(const sc_ynode *n)
{
    pval v = {0};
    v.type = sc_yaml_scalar_type(n, &v.ival, &v.num, &v.bval);
    v.text = n->text;
    v.len = n->len;
    v.loc = n->loc;
    return v;
}

static bool pval_numeric(const pval *v)
{
    return v->type == SC_YT_INT || v->type == SC_YT_FLOAT;
}

/* Orders two scalars of the same kind; false if they are not comparable
 * (a string against a number), where pySigma would raise a TypeError. */
static bool pval_order(const pval *a, const pval *b, int *order)
{
    if (pval_numeric(a) && pval_numeric(b)) {
        if (a->type == SC_YT_INT && b->type == SC_YT_INT)
            *order = (a->ival > b->ival) - (a->ival < b->ival);
        else
            *order = (a->num > b->num) - (a->num < b->num);
        return true;
    }
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case SC_YT_STR: {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->text, b->text, n);
        *order = c ? (c > 0) - (c < 0) : (a->len > b->len) - (a->len < b->len);
        return true;
    }
    case SC_YT_BOOL: *order = (int)a->bval - (int)b->bval; return true;
    case SC_YT_NULL: *order = 0; return true;
    default: return false;
    }
}

static bool compare(cmp_op op, int order)
{
    switch (op) {
    case OP_EQ: return order == 0;
    case OP_NE: return order != 0;
    case OP_GTE: return order >= 0;
    case OP_GT: return order > 0;
    case OP_LTE: return order <= 0;
    case OP_LT: return order < 0;
    default: return false;
    }
}

/* Python's re.match: anchored at the start only. */
static bool regex_match_start(const pcre2_code *re, const char *s, size_t len)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md)
        return false;
    int rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, PCRE2_ANCHORED, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

/* ------------------------------------------------------- pattern parts
 * Values rewritten here are rebuilt through this builder, so literals stay
 * merged and consecutive stars collapse, as pattern.c produces them. */
typedef struct parts_out {
    sc_arena *a;
    sc_part *items;
    size_t n, cap;
    sc_buf lit;
    bool oom;
} parts_out;

static void po_push(parts_out *o, sc_part_kind kind, const char *text, size_t len)
{
    if (kind == SC_PART_STAR && o->n && o->items[o->n - 1].kind == SC_PART_STAR)
        return;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4;
        sc_part *items = sc_arena_alloc(o->a, cap * sizeof *items);
        if (!items) {
            o->oom = true;
            return;
        }
        if (o->n)
            memcpy(items, o->items, o->n * sizeof *items);
        o->items = items;
        o->cap = cap;
    }
    sc_part *p = &o->items[o->n++];
    p->kind = kind;
    p->len = len;
    p->text = text ? sc_arena_strndup(o->a, text, len) : NULL;
    if (text && !p->text)
        o->oom = true;
}

static void po_flush(parts_out *o)
{
    if (o->lit.len)
        po_push(o, SC_PART_LIT, o->lit.data, o->lit.len);
    o->lit.len = 0;
}

static void po_lit(parts_out *o, const char *s, size_t n)
{
    sc_buf_put(&o->lit, s, n);
}

static void po_special(parts_out *o, sc_part_kind kind, const char *name, size_t len)
{
    po_flush(o);
    po_push(o, kind, name, len);
}

static void po_part(parts_out *o, const sc_part *p)
{
    if (p->kind == SC_PART_LIT)
        po_lit(o, p->text, p->len);
    else
        po_special(o, p->kind, p->text, p->len);
}

static bool po_finish(parts_out *o, sc_part **parts, size_t *n)
{
    po_flush(o);
    bool ok = !o->oom && !o->lit.oom;
    sc_buf_free(&o->lit);
    *parts = o->items;
    *n = o->n;
    return ok;
}

/* --------------------------------------------------- value text form
 * pySigma's transformations see a string value as text: wildcards '*' '?',
 * a literal '*' or '?' as '\*' '\?', placeholders %name%, other
 * backslashes as they are. pySigma cannot tell a literal backslash before a
 * wildcard from an escape (C:\Windows\ + '*' reads back as a literal star);
 * here a run of backslashes right before a wildcard is written doubled, so
 * the text reads back to the same value:
 *   run of k backslashes before '*' '?' (or '%' under expand):
 *     k even: k/2 literal backslashes, then the wildcard
 *     k odd:  (k-1)/2 literal backslashes, then the literal character
 *   any other run: k literal backslashes. */
static bool is_special_char(char c, bool expand)
{
    return c == '*' || c == '?' || (expand && c == '%');
}

static void text_write(sc_buf *b, const sc_part *parts, size_t n, bool expand)
{
    for (size_t i = 0; i < n; i++) {
        const sc_part *p = &parts[i];
        if (p->kind == SC_PART_STAR || p->kind == SC_PART_ONE) {
            sc_buf_putc(b, p->kind == SC_PART_STAR ? '*' : '?');
            continue;
        }
        if (p->kind == SC_PART_PLACEHOLDER) {
            sc_buf_putc(b, '%');
            sc_buf_put(b, p->text, p->len);
            sc_buf_putc(b, '%');
            continue;
        }
        for (size_t k = 0; k < p->len;) {
            if (p->text[k] != '\\') {
                if (is_special_char(p->text[k], expand))
                    sc_buf_putc(b, '\\');
                sc_buf_putc(b, p->text[k++]);
                continue;
            }
            size_t run = 0;
            while (k + run < p->len && p->text[k + run] == '\\')
                run++;
            bool before_special = k + run < p->len ? is_special_char(p->text[k + run], expand)
                                                   : i + 1 < n;
            for (size_t r = 0; r < (before_special ? 2 * run : run); r++)
                sc_buf_putc(b, '\\');
            k += run;
        }
    }
}

static bool text_parse(sc_arena *a, const char *s, size_t len, bool expand, sc_part **parts,
                       size_t *n)
{
    parts_out o = {.a = a};
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == '\\') {
            size_t run = 0;
            while (i + run < len && s[i + run] == '\\')
                run++;
            size_t j = i + run;
            if (j < len && is_special_char(s[j], expand)) {
                for (size_t r = 0; r < run / 2; r++)
                    po_lit(&o, "\\", 1);
                if (run % 2) {
                    po_lit(&o, &s[j], 1);
                    j++;
                }
            } else {
                po_lit(&o, s + i, run);
            }
            i = j;
        } else if (c == '*' || c == '?') {
            po_special(&o, c == '*' ? SC_PART_STAR : SC_PART_ONE, NULL, 0);
            i++;
        } else if (c == '%' && expand) {
            const char *end = memchr(s + i + 1, '%', len - i - 1);
            if (end && end > s + i + 1) {
                po_special(&o, SC_PART_PLACEHOLDER, s + i + 1, (size_t)(end - s - i - 1));
                i = (size_t)(end - s) + 1;
            } else {
                po_lit(&o, "%", 1);
                i++;
            }
        } else {
            po_lit(&o, &s[i++], 1);
        }
    }
    return po_finish(&o, parts, n);
}

static bool parts_equal(const sc_part *a, size_t na, const sc_part *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (a[i].kind != b[i].kind || a[i].len != b[i].len ||
            (a[i].len && memcmp(a[i].text, b[i].text, a[i].len) != 0))
            return false;
    return true;
}

static bool match_expands(const sc_match *m)
{
    return m->mods & SC_MODBIT(SC_MOD_EXPAND);
}

/* Python's str() of a number, for replace_string on numbers. */
static void number_text(const sc_value *v, char *out, size_t size)
{
    if (v->is_int) {
        snprintf(out, size, "%lld", (long long)v->ival);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) { /* the shortest text that reads back */
        snprintf(out, size, "%.*g", prec, v->num);
        if (strtod(out, NULL) == v->num)
            break;
    }
    if (!strpbrk(out, ".eEn")) /* 2.0 stays a float in Python's text */
        strncat(out, ".0", size - strlen(out) - 1);
}

/* ============================================================= loading */

typedef struct lctx {
    sc_pipeline *p;
    sc_arena *a;
    sc_diag_list *diags;
    const sc_source *src;
    bool ok;
} lctx;

static void lerror(lctx *l, const char *code, sc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void lwarn(lctx *l, const char *code, sc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void lerror(lctx *l, const char *code, sc_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(l->diags, l->src, SIGCC_ERROR, code, loc, fmt, ap);
    va_end(ap);
    l->ok = false;
}

static void lwarn(lctx *l, const char *code, sc_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(l->diags, l->src, SIGCC_WARNING, code, loc, fmt, ap);
    va_end(ap);
}

static void *lalloc(lctx *l, size_t size)
{
    void *p = sc_arena_alloc(l->a, size ? size : 1);
    if (!p)
        lerror(l, "out-of-memory", (sc_loc){0, 0, 0}, "out of memory");
    return p;
}

static const char *ydesc(const sc_ynode *n)
{
    if (n->kind == SC_Y_MAP)
        return "a map";
    if (n->kind == SC_Y_SEQ)
        return "a list";
    switch (sc_yaml_scalar_type(n, NULL, NULL, NULL)) {
    case SC_YT_NULL: return "null";
    case SC_YT_BOOL: return "a boolean";
    case SC_YT_INT:
    case SC_YT_FLOAT: return "a number";
    default: return "a string";
    }
}

static bool yis_null(const sc_ynode *n)
{
    return n->kind == SC_Y_SCALAR && sc_yaml_scalar_type(n, NULL, NULL, NULL) == SC_YT_NULL;
}

/* A non-null scalar, taken as text (pySigma would take `prefix: 12` too). */
static bool want_string(lctx *l, const sc_ynode *v, const char *key, const char **out)
{
    if (v->kind != SC_Y_SCALAR || yis_null(v)) {
        lerror(l, "pipeline-type", v->loc, "'%s' must be a string, not %s", key, ydesc(v));
        return false;
    }
    if (memchr(v->text, '\0', v->len)) {
        lerror(l, "pipeline-type", v->loc, "'%s' contains a NUL byte", key);
        return false;
    }
    *out = v->text;
    return true;
}

static bool want_bool(lctx *l, const sc_ynode *v, const char *key, bool *out)
{
    if (sc_yaml_scalar_type(v, NULL, NULL, out) != SC_YT_BOOL || v->kind != SC_Y_SCALAR) {
        lerror(l, "pipeline-type", v->loc, "'%s' must be true or false, not %s", key, ydesc(v));
        return false;
    }
    return true;
}

static bool want_scalar(lctx *l, const sc_ynode *v, const char *key, bool allow_null,
                        pval *out)
{
    if (v->kind != SC_Y_SCALAR || (!allow_null && yis_null(v))) {
        lerror(l, "pipeline-type", v->loc, "'%s' must be a string, number or boolean, not %s",
               key, ydesc(v));
        return false;
    }
    *out = pval_of(v);
    return true;
}

/* A list of strings; with allow_scalar, one string is a list of one. */
static bool want_string_list(lctx *l, const sc_ynode *v, const char *key, bool allow_scalar,
                             const char ***out, size_t *n)
{
    const sc_ynode *const *items = (const sc_ynode *const *)v->items;
    size_t count = v->n_items;
    if (v->kind == SC_Y_SCALAR && allow_scalar && !yis_null(v)) {
        items = &v;
        count = 1;
    } else if (v->kind != SC_Y_SEQ) {
        lerror(l, "pipeline-type", v->loc, "'%s' must be a list of strings%s, not %s", key,
               allow_scalar ? " or a string" : "", ydesc(v));
        return false;
    }
    *out = lalloc(l, count * sizeof **out);
    if (!*out)
        return false;
    for (size_t i = 0; i < count; i++)
        if (!want_string(l, items[i], key, &(*out)[i]))
            return false;
    *n = count;
    return true;
}

/* category / product / service, each optional (null counts as absent). */
static bool want_logsource(lctx *l, const sc_ynode *map, const char **category,
                           const char **product, const char **service)
{
    static const char *const keys[] = {"category", "product", "service"};
    const char **dest[] = {category, product, service};
    for (int i = 0; i < 3; i++) {
        const sc_ynode *v = sc_ymap_get(map, keys[i]);
        if (v && !yis_null(v) && !want_string(l, v, keys[i], dest[i]))
            return false;
    }
    return true;
}

static bool want_op(lctx *l, const sc_ynode *v, bool allow_lists, cmp_op *out)
{
    const char *s;
    if (!want_string(l, v, "op", &s))
        return false;
    for (int i = 0; op_names[i]; i++)
        if (!strcmp(s, op_names[i]) && (allow_lists || i < OP_IN)) {
            *out = (cmp_op)i;
            return true;
        }
    lerror(l, "pipeline-value", v->loc, "'op: %s' is not one of eq, ne, gte, gt, lte, lt%s", s,
           allow_lists ? ", in, not_in" : "");
    return false;
}

/* Rejects keys a map may not hold; pySigma refuses them too (unexpected
 * keyword argument), and a misspelt parameter must not be ignored. */
static bool check_keys(lctx *l, const sc_ynode *map, const char *const *common,
                       const char *const *specific, const char *what)
{
    bool ok = true;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const char *k = map->pairs[i].key->text;
        if ((common && one_of(k, common)) || (specific && one_of(k, specific)))
            continue;
        char list[256] = "";
        for (const char *const *s = specific; s && *s; s++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     s == specific ? "" : ", ", *s);
        lerror(l, "pipeline-key", map->pairs[i].key->loc, "unknown key '%s' for %s%s%s%s", k,
               what, list[0] ? " (it takes: " : " (it takes no parameters", list,
               list[0] ? ")" : ")");
        ok = false;
    }
    return ok;
}

static bool compile_regex(lctx *l, const sc_ynode *at, const char *re, pcre2_code **out)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, strlen(re), PCRE2_UTF, &err, &off, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        lerror(l, "pipeline-regex", at->loc, "invalid regular expression at offset %zu: %s",
               (size_t)off, (const char *)msg);
        return false;
    }
    if (!sc_arena_defer(l->a, free_code, code)) {
        pcre2_code_free(code);
        lerror(l, "out-of-memory", at->loc, "out of memory");
        return false;
    }
    *out = code;
    return true;
}

/* ---------------------------------------------------------- conditions */

typedef struct cond_spec {
    const char *name;
    cond_kind kind;
    cond_class cls;
    const char *params[4];
} cond_spec;

static const cond_spec cond_specs[] = {
    {"logsource", C_LOGSOURCE, CLASS_RULE, {"category", "product", "service", NULL}},
    {"contains_detection_item", C_CONTAINS_ITEM, CLASS_RULE, {"field", "value", NULL}},
    {"contains_field", C_CONTAINS_FIELD, CLASS_RULE, {"field", NULL}},
    {"processing_item_applied", C_APPLIED, CLASS_RULE, {"processing_item_id", NULL}},
    {"processing_state", C_STATE, CLASS_RULE, {"key", "val", "op", NULL}},
    {"is_sigma_rule", C_IS_RULE, CLASS_RULE, {NULL}},
    {"is_sigma_correlation_rule", C_IS_CORRELATION, CLASS_RULE, {NULL}},
    {"rule_attribute", C_RULE_ATTRIBUTE, CLASS_RULE, {"attribute", "value", "op", NULL}},
    {"tag", C_TAG, CLASS_RULE, {"tag", NULL}},
    {"match_string", C_MATCH_STRING, CLASS_ITEM, {"pattern", "cond", "negate", NULL}},
    {"match_value", C_MATCH_VALUE, CLASS_ITEM, {"value", "cond", NULL}},
    {"contains_wildcard", C_CONTAINS_WILDCARD, CLASS_ITEM, {"cond", NULL}},
    {"is_null", C_IS_NULL, CLASS_ITEM, {"cond", NULL}},
    {"processing_item_applied", C_APPLIED, CLASS_ITEM, {"processing_item_id", NULL}},
    {"processing_state", C_STATE, CLASS_ITEM, {"key", "val", "op", NULL}},
    {"include_fields", C_INCLUDE_FIELDS, CLASS_FIELD, {"fields", "mode", NULL}},
    {"exclude_fields", C_EXCLUDE_FIELDS, CLASS_FIELD, {"fields", "mode", NULL}},
    {"processing_item_applied", C_APPLIED, CLASS_FIELD, {"processing_item_id", NULL}},
    {"processing_state", C_STATE, CLASS_FIELD, {"key", "val", "op", NULL}},
};
#define N_COND_SPECS (sizeof cond_specs / sizeof *cond_specs)

static const char *const class_names[] = {"rule", "detection item", "field name"};
static const char *const class_keys[] = {"rule_conditions", "detection_item_conditions",
                                         "field_name_conditions"};

/* Rule attributes pySigma compares with a type of their own. */
typedef enum attr_type { ATTR_STRING, ATTR_LIST, ATTR_LEVEL, ATTR_STATUS, ATTR_DATE,
                         ATTR_CUSTOM } attr_type;
static const char *const level_order[] = {"informational", "low", "medium", "high", "critical",
                                          NULL};
static const char *const status_order[] = {"unsupported", "deprecated", "experimental", "test",
                                           "stable", NULL};

static attr_type attribute_type(const char *name)
{
    static const char *const strings[] = {"title", "id", "name", "description", "author",
                                          "license", "taxonomy", NULL};
    static const char *const lists[] = {"references", "tags", "falsepositives", "fields", "scope",
                                        NULL};
    if (one_of(name, strings))
        return ATTR_STRING;
    if (one_of(name, lists))
        return ATTR_LIST;
    if (!strcmp(name, "level"))
        return ATTR_LEVEL;
    if (!strcmp(name, "status"))
        return ATTR_STATUS;
    if (!strcmp(name, "date") || !strcmp(name, "modified"))
        return ATTR_DATE;
    return ATTR_CUSTOM;
}

/* Index of a case-insensitive name in an order table, or -1. */
static int rank_of(const char *s, size_t len, const char *const *order)
{
    for (int i = 0; order[i]; i++)
        if (strlen(order[i]) == len && !strncasecmp(s, order[i], len))
            return i;
    return -1;
}

static bool is_iso_date(const char *s, size_t len)
{
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

static bool check_rule_attribute(lctx *l, pcond *c, const sc_ynode *value_node)
{
    attr_type t = attribute_type(c->text);
    const char *what = NULL;
    if (t != ATTR_LIST && t != ATTR_CUSTOM && c->op >= OP_IN)
        what = "'in' and 'not_in' need a list attribute (references, tags, falsepositives, "
               "fields, scope)";
    else if (t == ATTR_STRING && c->op != OP_EQ && c->op != OP_NE)
        what = "a text attribute compares with eq or ne only";
    else if (t == ATTR_LEVEL && rank_of(c->value.text, c->value.len, level_order) < 0)
        what = "the value must be a level (informational, low, medium, high, critical)";
    else if (t == ATTR_STATUS && rank_of(c->value.text, c->value.len, status_order) < 0)
        what = "the value must be a status (unsupported, deprecated, experimental, test, "
               "stable)";
    else if (t == ATTR_DATE && !is_iso_date(c->value.text, c->value.len))
        what = "the value must be a date written YYYY-MM-DD";
    if (what)
        lerror(l, "pipeline-value", value_node->loc, "rule_attribute '%s': %s", c->text, what);
    return !what;
}

static bool parse_match_cond(lctx *l, const sc_ynode *map, pcond *c)
{
    const sc_ynode *v = sc_ymap_get(map, "cond");
    const char *s;
    if (!v) {
        lerror(l, "pipeline-missing", map->loc, "this condition needs 'cond: any' or 'cond: all'");
        return false;
    }
    if (!want_string(l, v, "cond", &s))
        return false;
    if (strcmp(s, "any") && strcmp(s, "all")) {
        lerror(l, "pipeline-value", v->loc, "'cond' must be 'any' or 'all', not '%s'", s);
        return false;
    }
    c->all = !strcmp(s, "all");
    return true;
}

static bool parse_fields_cond(lctx *l, const sc_ynode *map, pcond *c)
{
    const sc_ynode *v = sc_ymap_get(map, "fields");
    if (!v) {
        lerror(l, "pipeline-missing", map->loc, "this condition needs 'fields'");
        return false;
    }
    if (!want_string_list(l, v, "fields", false, &c->fields, &c->n_fields))
        return false;
    /* 'mode' in YAML: the condition's own 'type' key names the condition. */
    const sc_ynode *m = sc_ymap_get(map, "mode");
    if (!m)
        return true;
    const char *s;
    if (!want_string(l, m, "mode", &s))
        return false;
    if (strcmp(s, "plain") && strcmp(s, "re")) {
        lerror(l, "pipeline-value", m->loc, "field matching mode must be 'plain' or 're', not "
               "'%s'", s);
        return false;
    }
    if (!strcmp(s, "plain"))
        return true;
    c->field_res = lalloc(l, c->n_fields * sizeof *c->field_res);
    if (!c->field_res)
        return false;
    for (size_t i = 0; i < c->n_fields; i++)
        if (!compile_regex(l, v->kind == SC_Y_SEQ ? v->items[i] : v, c->fields[i],
                           &c->field_res[i]))
            return false;
    return true;
}

static bool require(lctx *l, const sc_ynode *map, const char *key, const char *what,
                    const sc_ynode **out)
{
    *out = sc_ymap_get(map, key);
    if (!*out)
        lerror(l, "pipeline-missing", map->loc, "%s needs '%s'", what, key);
    return *out != NULL;
}

static bool parse_state_cond(lctx *l, const sc_ynode *map, pcond *c)
{
    const sc_ynode *v;
    if (!require(l, map, "key", "processing_state", &v) || !want_string(l, v, "key", &c->text))
        return false;
    if (!require(l, map, "val", "processing_state", &v) ||
        !want_scalar(l, v, "val", false, &c->value))
        return false;
    return !(v = sc_ymap_get(map, "op")) || want_op(l, v, false, &c->op);
}

static bool parse_rule_attribute(lctx *l, const sc_ynode *map, pcond *c)
{
    const sc_ynode *v, *value;
    if (!require(l, map, "attribute", "rule_attribute", &v) ||
        !want_string(l, v, "attribute", &c->text))
        return false;
    if (!require(l, map, "value", "rule_attribute", &value) ||
        !want_scalar(l, value, "value", false, &c->value))
        return false;
    if ((v = sc_ymap_get(map, "op")) && !want_op(l, v, true, &c->op))
        return false;
    return check_rule_attribute(l, c, value);
}

static bool parse_cond_params(lctx *l, const sc_ynode *map, pcond *c)
{
    const sc_ynode *v;
    switch (c->kind) {
    case C_LOGSOURCE:
        return want_logsource(l, map, &c->category, &c->product, &c->service);
    case C_CONTAINS_ITEM:
        if (!require(l, map, "value", "contains_detection_item", &v) ||
            !want_scalar(l, v, "value", false, &c->value))
            return false;
        return require(l, map, "field", "contains_detection_item", &v) &&
               want_string(l, v, "field", &c->text);
    case C_CONTAINS_FIELD:
        return require(l, map, "field", "contains_field", &v) &&
               want_string(l, v, "field", &c->text);
    case C_APPLIED:
        return require(l, map, "processing_item_id", "processing_item_applied", &v) &&
               want_string(l, v, "processing_item_id", &c->text);
    case C_STATE:
        return parse_state_cond(l, map, c);
    case C_RULE_ATTRIBUTE:
        return parse_rule_attribute(l, map, c);
    case C_TAG:
        return require(l, map, "tag", "tag", &v) && want_string(l, v, "tag", &c->text);
    case C_MATCH_STRING:
        if (!require(l, map, "pattern", "match_string", &v) ||
            !want_string(l, v, "pattern", &c->text) || !compile_regex(l, v, c->text, &c->re))
            return false;
        if ((v = sc_ymap_get(map, "negate")) && !want_bool(l, v, "negate", &c->negate))
            return false;
        return parse_match_cond(l, map, c);
    case C_MATCH_VALUE:
        return require(l, map, "value", "match_value", &v) &&
               want_scalar(l, v, "value", false, &c->value) && parse_match_cond(l, map, c);
    case C_CONTAINS_WILDCARD:
    case C_IS_NULL:
        return parse_match_cond(l, map, c);
    case C_INCLUDE_FIELDS:
    case C_EXCLUDE_FIELDS:
        return parse_fields_cond(l, map, c);
    case C_IS_RULE:
    case C_IS_CORRELATION:
        return true;
    }
    return true;
}

static bool parse_cond(lctx *l, const sc_ynode *node, cond_class cls, const char *name,
                       pcond *c)
{
    if (node->kind != SC_Y_MAP) {
        lerror(l, "pipeline-type", node->loc, "a condition must be a map with a 'type', not %s",
               ydesc(node));
        return false;
    }
    const sc_ynode *tnode = sc_ymap_get(node, "type");
    const char *type;
    if (!tnode) {
        lerror(l, "pipeline-missing", node->loc, "this condition has no 'type'");
        return false;
    }
    if (!want_string(l, tnode, "type", &type))
        return false;
    const cond_spec *spec = NULL, *elsewhere = NULL;
    for (size_t i = 0; i < N_COND_SPECS; i++)
        if (!strcmp(cond_specs[i].name, type)) {
            if (cond_specs[i].cls == cls)
                spec = &cond_specs[i];
            else if (!elsewhere)
                elsewhere = &cond_specs[i];
        }
    if (!spec && elsewhere) {
        lerror(l, "pipeline-unknown-condition", tnode->loc,
               "'%s' is a %s condition: put it under '%s', not among the %s conditions", type,
               class_names[elsewhere->cls], class_keys[elsewhere->cls], class_names[cls]);
        return false;
    }
    if (!spec) {
        char known[512] = "";
        for (size_t i = 0; i < N_COND_SPECS; i++)
            if (cond_specs[i].cls == cls)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                         known[0] ? ", " : "", cond_specs[i].name);
        lerror(l, "pipeline-unknown-condition", tnode->loc,
               "unknown %s condition type '%s' (known: %s)", class_names[cls], type, known);
        return false;
    }
    static const char *const common[] = {"type", NULL};
    char what[96];
    snprintf(what, sizeof what, "condition '%s'", type);
    if (!check_keys(l, node, common, spec->params, what))
        return false;
    c->kind = spec->kind;
    c->loc = node->loc;
    c->name = name;
    return parse_cond_params(l, node, c);
}

/* ------------------------------------------------ condition expressions
 * rule_cond_expr and friends: identifiers of the named conditions with
 * not / and / or (loosest) and parentheses, as pySigma's grammar. */
typedef struct xparse {
    lctx *l;
    const sc_ynode *at;
    const char *s;
    size_t len, pos;
    cond_set *set;
    bool *used;
    unsigned depth;
    bool failed;
} xparse;

static sc_loc xloc(const xparse *x, size_t offset)
{
    sc_loc loc = x->at->loc;
    if (x->at->single_line && (x->at->style == SC_YS_PLAIN || x->at->style == SC_YS_SINGLE) &&
        !memchr(x->s, '\'', x->len)) {
        loc.col += (uint32_t)sc_utf8_chars(x->s, offset) + (x->at->style == SC_YS_SINGLE);
        loc.len = 1;
    }
    return loc;
}

static void xerror(xparse *x, size_t offset, const char *msg, const char *arg)
{
    if (!x->failed)
        lerror(x->l, "pipeline-expression", xloc(x, offset), "%s%s%s", msg, arg ? arg : "",
               arg ? "'" : "");
    x->failed = true;
}

static bool xident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

static void xskip(xparse *x)
{
    while (x->pos < x->len && (x->s[x->pos] == ' ' || x->s[x->pos] == '\t'))
        x->pos++;
}

/* The next word (identifier or keyword) without consuming it. */
static size_t xword(xparse *x)
{
    xskip(x);
    size_t n = 0;
    while (x->pos + n < x->len && xident_char(x->s[x->pos + n]))
        n++;
    return n;
}

static bool xkeyword(xparse *x, const char *kw)
{
    size_t n = xword(x);
    if (n == strlen(kw) && !memcmp(x->s + x->pos, kw, n)) {
        x->pos += n;
        return true;
    }
    return false;
}

static cexpr *xnode(xparse *x, expr_kind kind, cexpr *left, cexpr *right)
{
    cexpr *e = lalloc(x->l, sizeof *e);
    if (!e) {
        x->failed = true;
        return NULL;
    }
    e->kind = kind;
    e->l = left;
    e->r = right;
    return e;
}

static cexpr *xparse_or(xparse *x);

static cexpr *xparse_primary(xparse *x)
{
    if (x->failed)
        return NULL;
    if (++x->depth > SC_MAX_CONDITION_DEPTH) {
        xerror(x, x->pos, "expression nested too deeply", NULL);
        return NULL;
    }
    cexpr *e = NULL;
    xskip(x);
    if (xkeyword(x, "not")) {
        cexpr *inner = xparse_primary(x);
        e = inner ? xnode(x, X_NOT, inner, NULL) : NULL;
    } else if (x->pos < x->len && x->s[x->pos] == '(') {
        x->pos++;
        e = xparse_or(x);
        xskip(x);
        if (e && (x->pos >= x->len || x->s[x->pos] != ')')) {
            xerror(x, x->pos, "missing ')' in the expression", NULL);
            e = NULL;
        } else if (e) {
            x->pos++;
        }
    } else {
        size_t n = xword(x);
        if (n == 0) {
            xerror(x, x->pos, x->pos < x->len ? "unexpected character in the expression"
                                              : "the expression ends too early", NULL);
            x->depth--;
            return NULL;
        }
        size_t k = 0;
        while (k < x->set->n && (strlen(x->set->items[k].name) != n ||
                                 memcmp(x->set->items[k].name, x->s + x->pos, n)))
            k++;
        if (k == x->set->n) {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(n < 100 ? n : 100), x->s + x->pos);
            xerror(x, x->pos, "the expression names no condition '", name);
            x->depth--;
            return NULL;
        }
        x->used[k] = true;
        x->pos += n;
        e = xnode(x, X_ID, NULL, NULL);
        if (e)
            e->cond = k;
    }
    x->depth--;
    return e;
}

static cexpr *xparse_and(xparse *x)
{
    cexpr *left = xparse_primary(x);
    while (left && xkeyword(x, "and")) {
        cexpr *right = xparse_primary(x);
        left = right ? xnode(x, X_AND, left, right) : NULL;
    }
    return left;
}

static cexpr *xparse_or(xparse *x)
{
    cexpr *left = xparse_and(x);
    while (left && xkeyword(x, "or")) {
        cexpr *right = xparse_and(x);
        left = right ? xnode(x, X_OR, left, right) : NULL;
    }
    return left;
}

static bool parse_expression(lctx *l, const sc_ynode *at, cond_set *set)
{
    const char *s;
    if (!want_string(l, at, "expression", &s))
        return false;
    if (at->len > SC_MAX_CONDITION_BYTES) {
        lerror(l, "limit-condition-size", at->loc, "expression longer than %u bytes",
               SC_MAX_CONDITION_BYTES);
        return false;
    }
    xparse x = {.l = l, .at = at, .s = s, .len = at->len, .set = set};
    x.used = lalloc(l, set->n * sizeof *x.used);
    if (!x.used)
        return false;
    set->expr = xparse_or(&x);
    xskip(&x);
    if (set->expr && x.pos < x.len)
        xerror(&x, x.pos, "unexpected text after the expression", NULL);
    if (x.failed || !set->expr)
        return false;
    for (size_t i = 0; i < set->n; i++)
        if (!x.used[i]) {
            lerror(l, "pipeline-expression", at->loc,
                   "condition '%s' is defined but the expression does not use it",
                   set->items[i].name);
            return false;
        }
    return true;
}

/* One of rule_conditions / detection_item_conditions / field_name_conditions
 * with its _cond_op, _cond_not and _cond_expr. */
static bool parse_cond_set(lctx *l, const sc_ynode *item, cond_class cls, cond_set *set)
{
    static const char *const ops[] = {"rule_cond_op", "detection_item_cond_op",
                                      "field_name_cond_op"};
    static const char *const nots[] = {"rule_cond_not", "detection_item_cond_not",
                                       "field_name_cond_not"};
    static const char *const exprs[] = {"rule_cond_expr", "detection_item_cond_expr",
                                        "field_name_cond_expr"};
    const sc_ynode *list = sc_ymap_get(item, class_keys[cls]);
    const sc_ynode *op = sc_ymap_get(item, ops[cls]);
    const sc_ynode *neg = sc_ymap_get(item, nots[cls]);
    const sc_ynode *expr = sc_ymap_get(item, exprs[cls]);
    if (list && !yis_null(list)) {
        if (list->kind == SC_Y_SCALAR) {
            lerror(l, "pipeline-type", list->loc, "'%s' must be a list of conditions or a map "
                   "of named conditions, not %s", class_keys[cls], ydesc(list));
            return false;
        }
        size_t n = list->kind == SC_Y_SEQ ? list->n_items : list->n_pairs;
        set->items = lalloc(l, n * sizeof *set->items);
        if (!set->items)
            return false;
        for (size_t i = 0; i < n; i++) {
            bool named = list->kind == SC_Y_MAP;
            const sc_ynode *c = named ? list->pairs[i].value : list->items[i];
            if (!parse_cond(l, c, cls, named ? list->pairs[i].key->text : NULL, &set->items[i]))
                return false;
        }
        set->n = n;
    }
    if (op) {
        const char *s;
        if (!want_string(l, op, ops[cls], &s))
            return false;
        if (strcmp(s, "and") && strcmp(s, "or")) {
            lerror(l, "pipeline-value", op->loc, "'%s' must be 'and' or 'or', not '%s'", ops[cls],
                   s);
            return false;
        }
        set->any = !strcmp(s, "or");
    }
    if (neg && !want_bool(l, neg, nots[cls], &set->negate))
        return false;
    if (neg && set->n == 0)
        lwarn(l, "pipeline-ignored", neg->loc, "'%s' has no effect without %s", nots[cls],
              class_keys[cls]);
    if (!expr)
        return true;
    if (op) {
        lerror(l, "pipeline-expression", expr->loc, "'%s' and '%s' exclude each other: the "
               "expression says how the conditions combine", exprs[cls], ops[cls]);
        return false;
    }
    if (!list || list->kind != SC_Y_MAP) {
        lerror(l, "pipeline-expression", expr->loc, "'%s' needs '%s' as a map from names to "
               "conditions", exprs[cls], class_keys[cls]);
        return false;
    }
    return parse_expression(l, expr, set);
}

/* ------------------------------------------------------ transformations */

typedef struct trans_spec {
    const char *name;
    trans_kind kind;
    bool per_item;          /* detection item and field name conditions apply */
    const char *params[5];
} trans_spec;

static const trans_spec trans_specs[] = {
    {"field_name_mapping", T_FIELD_MAPPING, true, {"mapping", NULL}},
    {"field_name_prefix_mapping", T_PREFIX_MAPPING, true, {"mapping", NULL}},
    {"field_name_prefix", T_FIELD_PREFIX, true, {"prefix", NULL}},
    {"field_name_suffix", T_FIELD_SUFFIX, true, {"suffix", NULL}},
    {"drop_detection_item", T_DROP_ITEM, true, {NULL}},
    {"add_condition", T_ADD_CONDITION, false, {"conditions", "name", "template", "negated", NULL}},
    {"change_logsource", T_CHANGE_LOGSOURCE, false, {"category", "product", "service", NULL}},
    {"replace_string", T_REPLACE_STRING, true,
     {"regex", "replacement", "skip_special", "interpret_special", NULL}},
    {"map_string", T_MAP_STRING, true, {"mapping", NULL}},
    {"rule_failure", T_RULE_FAILURE, false, {"message", NULL}},
    {"detection_item_failure", T_ITEM_FAILURE, true, {"message", NULL}},
    {"set_state", T_SET_STATE, false, {"key", "val", NULL}},
    {"value_placeholders", T_VALUE_PLACEHOLDERS, true, {"include", "exclude", NULL}},
    {"wildcard_placeholders", T_WILDCARD_PLACEHOLDERS, true, {"include", "exclude", NULL}},
    {"add_field", T_ADD_FIELD, false, {"field", NULL}},
    {"remove_field", T_REMOVE_FIELD, false, {"field", NULL}},
    {"set_field", T_SET_FIELD, false, {"fields", NULL}},
    {"set_custom_attribute", T_SET_CUSTOM_ATTRIBUTE, false, {"attribute", "value", NULL}},
    {"sysmon_hashes", T_SYSMON_HASHES, true, {"fields", "mapping", NULL}},
};
#define N_TRANS_SPECS (sizeof trans_specs / sizeof *trans_specs)

/* pySigma transformations this subset does not implement: named as such,
 * so a user knows the pipeline is valid pySigma but not portable here. */
static const char *const unsupported_transformations[] = {
    "field_name_transform", "hashes_fields", "query_expression_placeholders", "regex",
    "set_value", "convert_type", "strict_field_mapping_failure", "nest", "case", NULL};

static const char *const item_keys[] = {
    "id", "type", "rule_conditions", "rule_cond_op", "rule_cond_not", "rule_cond_expr",
    "detection_item_conditions", "detection_item_cond_op", "detection_item_cond_not",
    "detection_item_cond_expr", "field_name_conditions", "field_name_cond_op",
    "field_name_cond_not", "field_name_cond_expr", NULL};

/* mapping: {key: name} or {key: [name, ...]}; a null key only where pySigma
 * gives it a meaning (keyword detection items in field_name_mapping). */
static bool parse_name_map(lctx *l, const sc_ynode *v, bool null_key, pitem *it)
{
    if (v->kind != SC_Y_MAP) {
        lerror(l, "pipeline-type", v->loc, "'mapping' must be a map, not %s", ydesc(v));
        return false;
    }
    it->map = lalloc(l, v->n_pairs * sizeof *it->map);
    if (!it->map)
        return false;
    for (size_t i = 0; i < v->n_pairs; i++) {
        const sc_ynode *key = v->pairs[i].key, *to = v->pairs[i].value;
        name_map *e = &it->map[i];
        if (yis_null(key) && null_key)
            e->key = NULL;
        else if (!want_string(l, key, "a mapping key", &e->key))
            return false;
        if (to->kind == SC_Y_SEQ && to->n_items == 0) {
            lerror(l, "pipeline-value", to->loc, "'%s' maps to an empty list: give at least one "
                   "name", key->text);
            return false;
        }
        if (!want_string_list(l, to, "a mapping value", true, &e->to, &e->n_to))
            return false;
    }
    it->n_map = v->n_pairs;
    return true;
}

/* A replacement template being split into literal runs and groups. */
typedef struct repl_builder {
    pitem *it;
    char *lit;               /* literal text, unescaped */
    size_t n_lit, lit_start;
} repl_builder;

static void repl_flush(repl_builder *b)
{
    b->it->repl[b->it->n_repl++] = (repl_part){b->lit + b->lit_start, b->n_lit - b->lit_start, 0};
    b->lit_start = b->n_lit;
}

static void repl_group(repl_builder *b, uint32_t group)
{
    repl_flush(b);
    b->it->repl[b->it->n_repl++] = (repl_part){NULL, 0, group};
}

/* \g<1> or \g<name>, with s[i] at the 'g': the group number, or a
 * negative number after an error; *end is set to the closing '>'. */
static long replacement_group_ref(lctx *l, const sc_ynode *at, const pcre2_code *re, size_t i,
                                  size_t *end)
{
    const char *s = at->text;
    const char *close = i + 1 < at->len && s[i + 1] == '<' ? memchr(s + i, '>', at->len - i)
                                                            : NULL;
    if (!close || close == s + i + 2) {
        lerror(l, "pipeline-value", at->loc, "'\\g' needs a group in angle brackets, like "
               "\\g<1> or \\g<name>");
        return -1;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(close - s - i - 2), s + i + 2);
    char *rest;
    long g = strtol(name, &rest, 10);
    if (*rest)
        g = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);
    if (g < 0)
        lerror(l, "pipeline-value", at->loc, "the replacement refers to group '%s', which the "
               "regex does not have", name);
    *end = (size_t)(close - s);
    return g;
}

/* Python's re.sub replacement syntax: \1 \g<1> \g<name>, \n \t \\ ...; an
 * unknown escape of a letter is an error there too, of another character
 * it is kept as written. */
static bool parse_replacement(lctx *l, const sc_ynode *at, pitem *it)
{
    static const char controls[] = "n\nt\tr\rf\fv\va\ab\b\\\\";
    const char *s = at->text;
    uint32_t groups = 0;
    pcre2_pattern_info(it->re, PCRE2_INFO_CAPTURECOUNT, &groups);
    repl_builder b = {it, lalloc(l, at->len + 1), 0, 0};
    it->repl = lalloc(l, (at->len + 1) * sizeof *it->repl);
    if (!it->repl || !b.lit)
        return false;
    for (size_t i = 0; i < at->len; i++) {
        if (s[i] != '\\') {
            b.lit[b.n_lit++] = s[i];
            continue;
        }
        if (i + 1 == at->len) {
            lerror(l, "pipeline-value", at->loc, "the replacement ends with a lone backslash "
                   "(write \\\\ for a backslash)");
            return false;
        }
        char d = s[++i];
        const char *ctl = strchr(controls, d);
        long g = -1;
        if (d >= '1' && d <= '9') {
            g = d - '0';
            if (i + 1 < at->len && s[i + 1] >= '0' && s[i + 1] <= '9')
                g = g * 10 + (s[++i] - '0');
        } else if (d == 'g') {
            if ((g = replacement_group_ref(l, at, it->re, i, &i)) < 0)
                return false;
        } else if (ctl && (ctl - controls) % 2 == 0) {
            b.lit[b.n_lit++] = ctl[1];
            continue;
        } else if ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || d == '0') {
            lerror(l, "pipeline-value", at->loc, "bad escape '\\%c' in the replacement", d);
            return false;
        } else {
            b.lit[b.n_lit++] = '\\';
            b.lit[b.n_lit++] = d;
            continue;
        }
        if (g < 0 || (uint32_t)g > groups) {
            lerror(l, "pipeline-value", at->loc, "the replacement refers to group %ld, which the "
                   "regex does not have (it has %u)", g, groups);
            return false;
        }
        repl_group(&b, (uint32_t)g);
    }
    repl_flush(&b);
    return true;
}

/* The add_condition map is built once now, into a scratch arena, so that a
 * bad field or modifier is reported at the pipeline's line, not per rule. */
static bool check_conditions(lctx *l, pitem *it)
{
    const sc_ynode *c = it->conditions;
    if (c->kind != SC_Y_MAP || c->n_pairs == 0) {
        lerror(l, "pipeline-type", c->loc, "'conditions' must be a map of fields to values, "
               "like a selection");
        return false;
    }
    sc_arena *scratch = sc_arena_new();
    if (!scratch) {
        lerror(l, "out-of-memory", c->loc, "out of memory");
        return false;
    }
    size_t values = l->diags->rule_values;
    l->diags->rule_values = 0;
    sc_node *n = sc_detection_build(scratch, l->diags, l->src, "conditions", c);
    l->diags->rule_values = values;
    sc_arena_free(scratch);
    if (!n)
        l->ok = false;
    return n != NULL;
}

static bool parse_placeholder_filter(lctx *l, const sc_ynode *item, pitem *it)
{
    const sc_ynode *inc = sc_ymap_get(item, "include"), *exc = sc_ymap_get(item, "exclude");
    if (inc && exc) {
        lerror(l, "pipeline-value", exc->loc, "'include' and 'exclude' exclude each other");
        return false;
    }
    const sc_ynode *v = inc ? inc : exc;
    if (!v || yis_null(v))
        return true;
    it->has_filter = true;
    it->exclude = v == exc;
    return want_string_list(l, v, inc ? "include" : "exclude", false, &it->names, &it->n_names);
}

static bool parse_add_condition(lctx *l, const sc_ynode *map, pitem *it)
{
    const sc_ynode *v;
    if (!require(l, map, "conditions", it->type_name, &it->conditions) ||
        !check_conditions(l, it))
        return false;
    if ((v = sc_ymap_get(map, "name")) && !want_string(l, v, "name", &it->text))
        return false;
    if ((v = sc_ymap_get(map, "template")) && !want_bool(l, v, "template", &it->template_))
        return false;
    return !(v = sc_ymap_get(map, "negated")) || want_bool(l, v, "negated", &it->negated);
}

static bool parse_replace_string(lctx *l, const sc_ynode *map, pitem *it)
{
    const sc_ynode *v;
    const char *regex, *replacement;
    if (!require(l, map, "regex", it->type_name, &v) || !want_string(l, v, "regex", &regex) ||
        !compile_regex(l, v, regex, &it->re))
        return false;
    if (!require(l, map, "replacement", it->type_name, &v) ||
        !want_string(l, v, "replacement", &replacement) || !parse_replacement(l, v, it))
        return false;
    if ((v = sc_ymap_get(map, "skip_special")) &&
        !want_bool(l, v, "skip_special", &it->skip_special))
        return false;
    return !(v = sc_ymap_get(map, "interpret_special")) ||
           want_bool(l, v, "interpret_special", &it->interpret_special);
}

/* The algorithms Sysmon writes into Hashes, with the length of their hex
 * digest (Sysmon's HashAlgorithms: MD5, SHA1, SHA256, IMPHASH). */
static const struct hash_algo {
    const char *name;
    size_t hex_len;
} hash_algos[] = {{"MD5", 32}, {"SHA1", 40}, {"SHA256", 64}, {"IMPHASH", 32}};
#define N_HASH_ALGOS (sizeof hash_algos / sizeof *hash_algos)

static const struct hash_algo *find_hash_algo(const char *s, size_t len)
{
    for (size_t i = 0; i < N_HASH_ALGOS; i++)
        if (strlen(hash_algos[i].name) == len && !strncasecmp(hash_algos[i].name, s, len))
            return &hash_algos[i];
    return NULL;
}

/* sysmon_hashes: mapping {algorithm: field}, each to exactly one field;
 * fields: the Sysmon fields holding the 'ALG=hex,...' list. */
static bool parse_sysmon_hashes(lctx *l, const sc_ynode *map, pitem *it)
{
    static const char *const default_fields[] = {"Hashes", "Hash"};
    const sc_ynode *v;
    if (!require(l, map, "mapping", it->type_name, &v) || !parse_name_map(l, v, false, it))
        return false;
    for (size_t i = 0; i < it->n_map; i++) {
        const sc_ynode *key = v->pairs[i].key;
        const struct hash_algo *a = find_hash_algo(it->map[i].key, strlen(it->map[i].key));
        if (!a) {
            lerror(l, "pipeline-value", key->loc, "'%s' is not a hash algorithm Sysmon writes "
                   "(MD5, SHA1, SHA256, IMPHASH)", it->map[i].key);
            return false;
        }
        if (it->map[i].n_to != 1) {
            lerror(l, "pipeline-value", v->pairs[i].value->loc, "'%s' must map to one field",
                   it->map[i].key);
            return false;
        }
        it->map[i].key = a->name;
        for (size_t k = 0; k < i; k++)
            if (it->map[k].key == a->name) {
                lerror(l, "pipeline-value", key->loc, "algorithm '%s' is mapped twice", a->name);
                return false;
            }
    }
    if ((v = sc_ymap_get(map, "fields")))
        return want_string_list(l, v, "fields", true, &it->names, &it->n_names);
    it->names = (const char **)default_fields;
    it->n_names = 2;
    return true;
}

static bool parse_params(lctx *l, const sc_ynode *map, pitem *it)
{
    const sc_ynode *v;
    const char *what = it->type_name;
    switch (it->kind) {
    case T_FIELD_MAPPING:
    case T_PREFIX_MAPPING:
    case T_MAP_STRING:
        return require(l, map, "mapping", what, &v) &&
               parse_name_map(l, v, it->kind == T_FIELD_MAPPING, it);
    case T_FIELD_PREFIX:
        return require(l, map, "prefix", what, &v) && want_string(l, v, "prefix", &it->text);
    case T_FIELD_SUFFIX:
        return require(l, map, "suffix", what, &v) && want_string(l, v, "suffix", &it->text);
    case T_RULE_FAILURE:
    case T_ITEM_FAILURE:
        return require(l, map, "message", what, &v) && want_string(l, v, "message", &it->text);
    case T_ADD_CONDITION:
        return parse_add_condition(l, map, it);
    case T_CHANGE_LOGSOURCE:
        return want_logsource(l, map, &it->category, &it->product, &it->service);
    case T_REPLACE_STRING:
        return parse_replace_string(l, map, it);
    case T_SET_STATE:
        return require(l, map, "key", what, &v) && want_string(l, v, "key", &it->text) &&
               require(l, map, "val", what, &v) && want_scalar(l, v, "val", true, &it->value);
    case T_SET_CUSTOM_ATTRIBUTE:
        return require(l, map, "attribute", what, &v) &&
               want_string(l, v, "attribute", &it->text) &&
               require(l, map, "value", what, &it->scalar) &&
               want_scalar(l, it->scalar, "value", true, &it->value);
    case T_VALUE_PLACEHOLDERS:
    case T_WILDCARD_PLACEHOLDERS:
        return parse_placeholder_filter(l, map, it);
    case T_ADD_FIELD:
    case T_REMOVE_FIELD:
        return require(l, map, "field", what, &v) &&
               want_string_list(l, v, "field", true, &it->names, &it->n_names);
    case T_SET_FIELD:
        return require(l, map, "fields", what, &v) &&
               want_string_list(l, v, "fields", false, &it->names, &it->n_names);
    case T_SYSMON_HASHES:
        return parse_sysmon_hashes(l, map, it);
    case T_DROP_ITEM:
        return true;
    }
    return true;
}

static const trans_spec *find_transformation(lctx *l, const sc_ynode *tnode, const char *type)
{
    for (size_t i = 0; i < N_TRANS_SPECS; i++)
        if (!strcmp(trans_specs[i].name, type))
            return &trans_specs[i];
    if (one_of(type, unsupported_transformations)) {
        lerror(l, "pipeline-unsupported", tnode->loc, "transformation type '%s' exists in "
               "pySigma but sigcc does not implement it (see docs/pipelines.md)", type);
        return NULL;
    }
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < N_TRANS_SPECS; i++) {
        size_t d = sc_edit_distance(type, strlen(type), trans_specs[i].name);
        if (d < best_d) {
            best_d = d;
            best = trans_specs[i].name;
        }
    }
    if (best)
        lerror(l, "pipeline-unknown-transformation", tnode->loc,
               "unknown transformation type '%s' (did you mean '%s'?)", type, best);
    else
        lerror(l, "pipeline-unknown-transformation", tnode->loc,
               "unknown transformation type '%s' (see docs/pipelines.md for the supported ones)",
               type);
    return NULL;
}

static bool parse_item(lctx *l, const sc_ynode *node, size_t index, pitem *it)
{
    if (node->kind != SC_Y_MAP) {
        lerror(l, "pipeline-type", node->loc, "each transformation must be a map with a 'type', "
               "not %s", ydesc(node));
        return false;
    }
    const sc_ynode *tnode = sc_ymap_get(node, "type"), *v;
    if (!tnode) {
        lerror(l, "pipeline-missing", node->loc, "transformation %zu has no 'type'", index);
        return false;
    }
    if (!want_string(l, tnode, "type", &it->type_name))
        return false;
    const trans_spec *spec = find_transformation(l, tnode, it->type_name);
    if (!spec)
        return false;
    char what[96];
    snprintf(what, sizeof what, "transformation '%s'", spec->name);
    if (!check_keys(l, node, item_keys, spec->params, what))
        return false;
    it->kind = spec->kind;
    it->index = index;
    it->loc = node->loc;
    if ((v = sc_ymap_get(node, "id")) && !want_string(l, v, "id", &it->id))
        return false;
    if (!parse_cond_set(l, node, CLASS_RULE, &it->rule_conds) ||
        !parse_cond_set(l, node, CLASS_ITEM, &it->item_conds) ||
        !parse_cond_set(l, node, CLASS_FIELD, &it->field_conds))
        return false;
    if (!spec->per_item && (it->item_conds.n || it->field_conds.n))
        lwarn(l, "pipeline-ignored", tnode->loc, "'%s' applies to the whole rule: its detection "
              "item and field name conditions have no effect", spec->name);
    return parse_params(l, node, it);
}

/* -------------------------------------------------------- the document */

static bool parse_vars(lctx *l, const sc_ynode *v)
{
    if (yis_null(v))
        return true;
    if (v->kind != SC_Y_MAP) {
        lerror(l, "pipeline-type", v->loc, "'vars' must be a map of names to values, not %s",
               ydesc(v));
        return false;
    }
    l->p->vars = lalloc(l, v->n_pairs * sizeof *l->p->vars);
    if (!l->p->vars)
        return false;
    for (size_t i = 0; i < v->n_pairs; i++)
        l->p->vars[i] = (pvar){v->pairs[i].key->text, v->pairs[i].value};
    l->p->n_vars = v->n_pairs;
    return true;
}

/* Query postprocessing and finalizers shape a backend's output text; a
 * pipeline that relies on them would give different queries here, so a
 * non-empty list is refused rather than skipped. */
static bool refuse_output_stage(lctx *l, const sc_ynode *doc, const char *key, const char *what)
{
    const sc_ynode *v = sc_ymap_get(doc, key);
    if (!v || yis_null(v) || (v->kind == SC_Y_SEQ && v->n_items == 0))
        return true;
    lerror(l, "pipeline-unsupported", v->loc, "'%s' (%s) is not supported: sigcc's backends "
           "would silently produce different output than pySigma; remove it and apply it to "
           "the output yourself", key, what);
    return false;
}

static bool parse_document(lctx *l, const sc_ynode *doc)
{
    static const char *const top_keys[] = {"name", "priority", "transformations", "vars",
                                           "postprocessing", "finalizers", "allowed_backends",
                                           NULL};
    if (doc->kind != SC_Y_MAP) {
        lerror(l, "pipeline-type", doc->loc, "a processing pipeline must be a map (name, "
               "priority, transformations, ...), not %s", ydesc(doc));
        return false;
    }
    bool ok = check_keys(l, doc, NULL, top_keys, "a processing pipeline");
    ok &= refuse_output_stage(l, doc, "postprocessing", "query postprocessing");
    ok &= refuse_output_stage(l, doc, "finalizers", "output finalizers");
    const sc_ynode *v;
    if ((v = sc_ymap_get(doc, "name")) && !want_string(l, v, "name", &l->p->name))
        ok = false;
    if ((v = sc_ymap_get(doc, "priority"))) {
        int64_t prio;
        if (sc_yaml_scalar_type(v, &prio, NULL, NULL) != SC_YT_INT || prio < -1000000000 ||
            prio > 1000000000) {
            lerror(l, "pipeline-type", v->loc, "'priority' must be an integer, not %s", ydesc(v));
            ok = false;
        } else {
            l->p->priority = (int)prio;
        }
    }
    const char **backends;
    size_t n_backends;
    if ((v = sc_ymap_get(doc, "allowed_backends")) && !yis_null(v) &&
        !want_string_list(l, v, "allowed_backends", false, &backends, &n_backends))
        ok = false;
    if ((v = sc_ymap_get(doc, "vars")) && !parse_vars(l, v))
        ok = false;
    v = sc_ymap_get(doc, "transformations");
    if (!v || yis_null(v))
        return ok;
    if (v->kind != SC_Y_SEQ) {
        lerror(l, "pipeline-type", v->loc, "'transformations' must be a list, not %s", ydesc(v));
        return false;
    }
    l->p->items = lalloc(l, v->n_items * sizeof *l->p->items);
    if (!l->p->items)
        return false;
    for (size_t i = 0; i < v->n_items; i++)
        ok &= parse_item(l, v->items[i], i + 1, &l->p->items[i]);
    l->p->n_items = v->n_items;
    return ok;
}

/* Keeps the source text and line index so that diagnostics given while
 * applying (an add_condition template) can still show the pipeline line. */
static bool copy_source(sc_pipeline *p, const sc_source *src)
{
    char *text = sc_arena_alloc(p->arena, src->len + 1);
    const char *name = sc_arena_strdup(p->arena, src->name ? src->name : "<pipeline>");
    if (!text || !name)
        return false;
    memcpy(text, src->text, src->len);
    const char *end = text + src->len;
    size_t n = 1;
    for (const char *nl = text; (nl = memchr(nl, '\n', (size_t)(end - nl))); nl++)
        n++;
    size_t *starts = sc_arena_alloc(p->arena, n * sizeof *starts);
    if (!starts)
        return false;
    starts[0] = 0;
    n = 1;
    for (const char *nl = text; (nl = memchr(nl, '\n', (size_t)(end - nl))); nl++)
        starts[n++] = (size_t)(nl - text) + 1;
    p->src = (sc_source){name, text, src->len, starts, n};
    return true;
}

sc_pipeline *sc_pipeline_load(sc_diag_list *diags, const sc_source *src)
{
    if (!diags || !src || (!src->text && src->len))
        return NULL;
    diags->file_errors = 0;
    sc_source named = {src->name ? src->name : "<pipeline>", src->text ? src->text : "",
                       src->len, NULL, 0};
    if (src->len > SC_MAX_FILE_BYTES) {
        sc_diag(diags, &named, SIGCC_ERROR, "limit-file-size",
                (sc_loc){0, 0, 0}, "pipeline of %zu bytes is larger than the limit of %u bytes",
                src->len, SC_MAX_FILE_BYTES);
        return NULL;
    }
    sc_arena *a = sc_arena_new();
    sc_pipeline *p = a ? sc_arena_alloc(a, sizeof *p) : NULL;
    if (!p || (p->arena = a, !copy_source(p, &named))) {
        sc_arena_free(a);
        sc_diag(diags, &named, SIGCC_ERROR, "out-of-memory", (sc_loc){0, 0, 0}, "out of memory");
        return NULL;
    }
    lctx l = {.p = p, .a = a, .diags = diags, .src = &p->src, .ok = true};
    size_t errors = diags->errors;
    const char *nul = memchr(p->src.text, '\0', p->src.len);
    size_t blank = 0;
    while (blank < p->src.len && strchr(" \t\r\n", p->src.text[blank]))
        blank++;
    sc_ynode **docs = NULL;
    int n = -1;
    if (nul)
        lerror(&l, "yaml-encoding", sc_source_loc(&p->src, (size_t)(nul - p->src.text)),
               "file contains a NUL byte: a pipeline is UTF-8 text");
    else if (blank == p->src.len)
        lerror(&l, "empty-file", (sc_loc){0, 0, 0}, "pipeline file is empty");
    else
        n = sc_yaml_parse(a, diags, &p->src, &docs);
    if (n > 1)
        lerror(&l, "pipeline-type", docs[1] ? docs[1]->loc : (sc_loc){0, 0, 0},
               "a pipeline file holds one YAML document; this one has %d", n);
    else if (n == 0)
        lerror(&l, "empty-file", (sc_loc){0, 0, 0}, "pipeline file holds no YAML document");
    else if (n == 1 && docs[0] && diags->errors == errors && !parse_document(&l, docs[0]) &&
             diags->errors == errors)
        lerror(&l, "pipeline-error", docs[0]->loc, "the pipeline could not be loaded");
    if (!l.ok || diags->errors != errors || diags->oom) {
        sc_arena_free(a);
        return NULL;
    }
    return p;
}

void sc_pipeline_free(sc_pipeline *p)
{
    if (p)
        sc_arena_free(p->arena);
}

int sc_pipeline_priority(const sc_pipeline *p)
{
    return p ? p->priority : 0;
}

const char *sc_pipeline_name(const sc_pipeline *p)
{
    return !p ? NULL : p->name ? p->name : p->src.name;
}

void sc_pipeline_sort(sc_pipeline **pipes, size_t n)
{
    for (size_t i = 1; i < n; i++) { /* insertion sort: stable, and n is tiny */
        sc_pipeline *cur = pipes[i];
        size_t k = i;
        while (k > 0 && pipes[k - 1]->priority > cur->priority) {
            pipes[k] = pipes[k - 1];
            k--;
        }
        pipes[k] = cur;
    }
}

/* ============================================================ applying */

/* The processing items applied to one match leaf (pySigma's
 * detection_item.applied_processing_items), keyed by the node. */
typedef struct mark {
    const sc_node *node;
    const char **ids;
    size_t n, cap;
} mark;

/* The items applied to a field name of the fields list or a correlation
 * (pySigma's field_name_applied_ids), moved along when a name is mapped. */
typedef struct field_track {
    const char *name;
    const char **ids;
    size_t n;
} field_track;

typedef struct state_entry {
    const char *key;
    pval val;
} state_entry;

typedef struct apply_state {
    sigcc_rule *rule;
    sc_arena *ra;             /* the rule's arena: what the rule keeps */
    sc_arena *tmp;            /* marks, state, intermediate text */
    sc_diag_list *diags;
    sc_source rule_src;       /* the rule's file, for diagnostics */
    const sc_pipeline *pipe;  /* the one being applied */
    const pitem *item;
    mark *marks;              /* open addressing on the node pointer */
    size_t marks_cap, marks_n;
    sc_vec fields;            /* field_track * */
    sc_vec state;             /* state_entry * */
    sc_vec vars;              /* const pvar *, the last definition wins */
    size_t growth;            /* leaves and values added (SC_MAX_PIPELINE_GROWTH) */
    unsigned added;           /* add_condition selections added */
    bool failed;
} apply_state;

static void afail(apply_state *st, const char *code, sc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void afail(apply_state *st, const char *code, sc_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(st->diags, &st->rule_src, SIGCC_ERROR, code, loc, fmt, ap);
    va_end(ap);
    st->failed = true;
}

static sc_loc rule_loc(const apply_state *st)
{
    return (sc_loc){st->rule->line, 1, 1};
}

static bool out_of_memory(apply_state *st, sc_loc loc)
{
    if (!st->failed)
        afail(st, "out-of-memory", loc, "out of memory");
    return false;
}

/* "pipeline 'ECS' item 'id'" or "pipeline 'ECS' transformation 3". */
static const char *item_label(apply_state *st)
{
    const char *name = sc_pipeline_name(st->pipe);
    const char *s = st->item->id
        ? sc_arena_printf(st->tmp, "pipeline '%s', item '%s'", name, st->item->id)
        : sc_arena_printf(st->tmp, "pipeline '%s', transformation %zu (%s)", name,
                          st->item->index, st->item->type_name);
    return s ? s : "pipeline";
}

static void *aalloc(apply_state *st, sc_arena *a, size_t size)
{
    void *p = sc_arena_alloc(a, size ? size : 1);
    if (!p && !st->failed)
        out_of_memory(st, rule_loc(st));
    return p;
}

static char *astrdup(apply_state *st, const char *s)
{
    char *c = sc_arena_strdup(st->ra, s);
    if (!c)
        out_of_memory(st, rule_loc(st));
    return c;
}

static bool grow(apply_state *st, size_t added, sc_loc loc)
{
    st->growth += added;
    if (st->growth <= SC_MAX_PIPELINE_GROWTH)
        return true;
    afail(st, "limit-pipeline-growth", loc, "the pipelines add more than %u match leaves and "
          "values to this rule (%s)", SC_MAX_PIPELINE_GROWTH, item_label(st));
    return false;
}

/* ------------------------------------------------------------- marks */
static size_t mark_slot(const apply_state *st, const sc_node *node)
{
    uintptr_t h = (uintptr_t)node;
    h ^= h >> 17;
    h *= (uintptr_t)0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h ^ (h >> 29)) & (st->marks_cap - 1);
    while (st->marks[i].node && st->marks[i].node != node)
        i = (i + 1) & (st->marks_cap - 1);
    return i;
}

static mark *mark_find(const apply_state *st, const sc_node *node)
{
    if (!st->marks_cap)
        return NULL;
    mark *m = &st->marks[mark_slot(st, node)];
    return m->node ? m : NULL;
}

static mark *mark_get(apply_state *st, const sc_node *node)
{
    if (st->marks_n * 10 >= st->marks_cap * 7) {
        size_t cap = st->marks_cap ? st->marks_cap * 2 : 64;
        mark *old = st->marks;
        size_t old_cap = st->marks_cap;
        mark *grown = aalloc(st, st->tmp, cap * sizeof *grown);
        if (!grown)
            return NULL;
        st->marks = grown;
        st->marks_cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].node)
                st->marks[mark_slot(st, old[i].node)] = old[i];
    }
    mark *m = &st->marks[mark_slot(st, node)];
    if (!m->node) {
        m->node = node;
        st->marks_n++;
    }
    return m;
}

static bool ids_contain(const char *const *ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ids[i], id))
            return true;
    return false;
}

static void mark_add(apply_state *st, const sc_node *node, const char *id)
{
    if (!id)
        return; /* pySigma's generated ids cannot be named by a condition */
    mark *m = mark_get(st, node);
    if (!m || ids_contain(m->ids, m->n, id))
        return;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4;
        const char **ids = aalloc(st, st->tmp, cap * sizeof *ids);
        if (!ids)
            return;
        if (m->n)
            memcpy(ids, m->ids, m->n * sizeof *ids);
        m->ids = ids;
        m->cap = cap;
    }
    m->ids[m->n++] = id;
}

static bool mark_has(const apply_state *st, const sc_node *node, const char *id)
{
    const mark *m = mark_find(st, node);
    return m && ids_contain(m->ids, m->n, id);
}

/* A copy made by a list mapping keeps the history of its original. */
static void mark_inherit(apply_state *st, const sc_node *from, const sc_node *to)
{
    const mark *m = mark_find(st, from);
    size_t n = m ? m->n : 0;
    for (size_t i = 0; i < n; i++)
        mark_add(st, to, mark_find(st, from)->ids[i]); /* the table may move */
}

static void mark_leaves(apply_state *st, const sc_node *n, const char *id)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            mark_leaves(st, n->u.list.items[i], id);
        break;
    case SC_NODE_NOT: mark_leaves(st, n->u.child, id); break;
    case SC_NODE_SEL: mark_leaves(st, n->u.sel.child, id); break;
    case SC_NODE_MATCH: mark_add(st, n, id); break;
    default: break;
    }
}

/* --------------------------------------------------- field name history */
static field_track *field_find(const apply_state *st, const char *name)
{
    for (size_t i = 0; name && i < st->fields.n; i++) {
        field_track *f = st->fields.items[i];
        if (f->name && !strcmp(f->name, name))
            return f;
    }
    return NULL;
}

/* pySigma's track_field_processing_items: the source name's history plus
 * this item moves to each destination name. */
static void field_moved(apply_state *st, const char *from, const char *const *to, size_t n_to)
{
    if (n_to == 1 && !strcmp(from, to[0]))
        return;
    field_track *src = field_find(st, from);
    size_t n_ids = (src ? src->n : 0) + 1;
    const char **ids = aalloc(st, st->tmp, n_ids * sizeof *ids);
    if (!ids)
        return;
    size_t k = 0;
    for (size_t i = 0; src && i < src->n; i++)
        ids[k++] = src->ids[i];
    if (st->item->id && !ids_contain(ids, k, st->item->id))
        ids[k++] = st->item->id;
    if (src)
        src->name = NULL;
    for (size_t i = 0; i < n_to; i++) {
        field_track *f = field_find(st, to[i]);
        if (!f) {
            f = aalloc(st, st->tmp, sizeof *f);
            if (!f || !sc_vec_push(st->tmp, &st->fields, f)) {
                out_of_memory(st, rule_loc(st));
                return;
            }
            f->name = to[i];
        }
        f->ids = ids;
        f->n = k;
    }
}

/* ----------------------------------------------------------- state */
static state_entry *state_find(const apply_state *st, const char *key)
{
    for (size_t i = 0; i < st->state.n; i++) {
        state_entry *e = st->state.items[i];
        if (!strcmp(e->key, key))
            return e;
    }
    return NULL;
}

static bool state_matches(const apply_state *st, const pcond *c)
{
    const state_entry *e = state_find(st, c->text);
    int order;
    if (!e)
        return false;
    if (!pval_order(&e->val, &c->value, &order))
        return c->op == OP_NE; /* different kinds: never equal */
    return compare(c->op, order);
}

/* ------------------------------------------------- evaluating conditions */
typedef bool (*leaf_eval)(apply_state *st, const pcond *c, const void *subject);

static bool eval_expr(apply_state *st, const cond_set *set, const cexpr *e, leaf_eval leaf,
                      const void *subject)
{
    switch (e->kind) {
    case X_ID: return leaf(st, &set->items[e->cond], subject);
    case X_NOT: return !eval_expr(st, set, e->l, leaf, subject);
    case X_AND:
        return eval_expr(st, set, e->l, leaf, subject) && eval_expr(st, set, e->r, leaf, subject);
    case X_OR:
        return eval_expr(st, set, e->l, leaf, subject) || eval_expr(st, set, e->r, leaf, subject);
    }
    return false;
}

/* An empty set always holds, whatever its _cond_op or _cond_not (pySigma
 * treats an empty rule condition list so; for the other two it depends on
 * the linking, which makes no sense to rely on). */
static bool eval_set(apply_state *st, const cond_set *set, leaf_eval leaf, const void *subject)
{
    if (set->n == 0)
        return true;
    bool r;
    if (set->expr) {
        r = eval_expr(st, set, set->expr, leaf, subject);
    } else {
        r = !set->any;
        for (size_t i = 0; i < set->n; i++)
            if (leaf(st, &set->items[i], subject) == set->any) {
                r = set->any;
                break;
            }
    }
    return set->negate ? !r : r;
}

static bool value_is_string(const sc_value *v)
{
    return v->kind == SC_VAL_STRING;
}

/* pySigma's `value == sigma_type(x)`: a string is read as a Sigma string
 * (wildcards and escapes), numbers compare by value. */
static bool value_equals(apply_state *st, const sc_value *v, const pval *want)
{
    switch (want->type) {
    case SC_YT_STR: {
        if (!value_is_string(v))
            return false;
        sc_part *parts;
        size_t n;
        if (!sc_pattern_parse(st->tmp, want->text, want->len, false, &parts, &n))
            return false;
        return parts_equal(v->parts, v->n_parts, parts, n);
    }
    case SC_YT_INT:
    case SC_YT_FLOAT:
        return v->kind == SC_VAL_NUMBER && v->num == want->num &&
               (!v->is_int || want->type != SC_YT_INT || v->ival == want->ival);
    case SC_YT_BOOL: return v->kind == SC_VAL_BOOL && v->bval == want->bval;
    case SC_YT_NULL: return v->kind == SC_VAL_NULL;
    }
    return false;
}

static bool tree_has_item(apply_state *st, const sc_node *n, const pcond *c)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            if (tree_has_item(st, n->u.list.items[i], c))
                return true;
        return false;
    case SC_NODE_NOT: return tree_has_item(st, n->u.child, c);
    case SC_NODE_SEL: return tree_has_item(st, n->u.sel.child, c);
    case SC_NODE_MATCH: {
        const sc_match *m = &n->u.match;
        if (!m->field || strcmp(m->field, c->text))
            return false;
        if (c->kind == C_CONTAINS_FIELD)
            return true;
        for (size_t i = 0; i < m->n_values; i++)
            if (value_equals(st, &m->values[i], &c->value))
                return true;
        return false;
    }
    default: return false;
    }
}

static bool logsource_matches(const pcond *c, const sigcc_rule *r, unsigned depth)
{
    if (r->kind == SIGCC_RULE_CORRELATION) {
        /* pySigma: true if a referenced rule matches (once they are resolved). */
        if (!r->corr || depth >= SC_MAX_CORRELATION_CHAIN)
            return false;
        for (size_t i = 0; i < r->corr->n_rules; i++)
            if (r->corr->rules[i].target &&
                logsource_matches(c, r->corr->rules[i].target, depth + 1))
                return true;
        return false;
    }
    const sc_logsource *ls = &r->logsource;
    return (!c->category || (ls->category && !strcmp(c->category, ls->category))) &&
           (!c->product || (ls->product && !strcmp(c->product, ls->product))) &&
           (!c->service || (ls->service && !strcmp(c->service, ls->service)));
}

static bool text_equals_value(const char *s, const pval *v)
{
    return s && strlen(s) == v->len && !memcmp(s, v->text, v->len);
}

static bool list_attribute(const sigcc_rule *r, const char *name, const sc_strlist **out)
{
    static const char *const names[] = {"references", "tags", "falsepositives", "fields", "scope",
                                        NULL};
    const sc_strlist *lists[] = {&r->references, &r->tags, &r->falsepositives, &r->fields,
                                 &r->scope};
    for (int i = 0; names[i]; i++)
        if (!strcmp(name, names[i])) {
            *out = lists[i];
            return true;
        }
    return false;
}

static const char *string_attribute(const sigcc_rule *r, const char *name)
{
    static const char *const names[] = {"title", "id", "name", "description", "author", "license",
                                        "taxonomy", "level", "status", "date", "modified", NULL};
    const char *values[] = {r->title, r->id, r->name, r->description, r->author, r->license,
                            r->taxonomy, r->level, r->status, r->date, r->modified};
    for (int i = 0; names[i]; i++)
        if (!strcmp(name, names[i]))
            return values[i];
    return NULL;
}

static bool membership(const pcond *c, const char *const *items, size_t n)
{
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= text_equals_value(items[i], &c->value);
    switch (c->op) {
    case OP_IN: return found;
    case OP_NOT_IN: return !found;
    case OP_NE: return true;   /* a list never equals one value */
    default: return false;
    }
}

static bool custom_attribute_matches(apply_state *st, const pcond *c, const sc_ynode *v)
{
    if (v->kind == SC_Y_SEQ) {
        const char **items = aalloc(st, st->tmp, v->n_items * sizeof *items);
        if (!items)
            return false;
        for (size_t i = 0; i < v->n_items; i++)
            items[i] = v->items[i]->kind == SC_Y_SCALAR ? v->items[i]->text : "";
        return membership(c, items, v->n_items);
    }
    pval have = v->kind == SC_Y_SCALAR ? pval_of(v) : (pval){.type = SC_YT_NULL};
    const char *problem = NULL;
    if (v->kind == SC_Y_MAP || have.type == SC_YT_NULL || have.type == SC_YT_BOOL)
        problem = "has a value rule_attribute cannot compare (a map, null or a boolean)";
    else if (c->op >= OP_IN)
        problem = "is not a list ('in' and 'not_in' need one)";
    if (!problem && have.type == SC_YT_STR) {
        if (c->op == OP_EQ || c->op == OP_NE)
            return compare(c->op, text_equals_value(have.text, &c->value) ? 0 : 1);
        problem = "is text, which compares with eq or ne only";
    }
    if (!problem) {
        char *end;
        double want = strtod(c->value.text, &end);
        if (end == c->value.text || *end)
            problem = "is a number, and the condition's value is not";
        else
            return compare(c->op, (have.num > want) - (have.num < want));
    }
    afail(st, "pipeline-condition", c->loc, "rule_attribute: the rule's custom attribute '%s' "
          "%s (%s)", c->text, problem, item_label(st));
    return false;
}

static bool rule_attribute_matches(apply_state *st, const pcond *c, const sigcc_rule *r)
{
    const sc_strlist *list;
    if (list_attribute(r, c->text, &list))
        return membership(c, list->items, list->n);
    attr_type t = attribute_type(c->text);
    if (t == ATTR_CUSTOM) {
        for (size_t i = 0; i < r->n_custom; i++)
            if (!strcmp(r->custom[i].key, c->text))
                return custom_attribute_matches(st, c, r->custom[i].value);
        return false;
    }
    const char *have = string_attribute(r, c->text);
    if (!have)
        return false;
    int order;
    if (t == ATTR_LEVEL || t == ATTR_STATUS) {
        const char *const *table = t == ATTR_LEVEL ? level_order : status_order;
        int a = rank_of(have, strlen(have), table), b = rank_of(c->value.text, c->value.len, table);
        if (a < 0)
            return false;
        order = (a > b) - (a < b);
    } else {
        pval h = {.type = SC_YT_STR, .text = have, .len = strlen(have)};
        pval w = c->value;
        w.type = SC_YT_STR; /* dates YYYY-MM-DD order as text */
        pval_order(&h, &w, &order);
    }
    return compare(c->op, order);
}

static bool rule_leaf(apply_state *st, const pcond *c, const void *subject)
{
    const sigcc_rule *r = subject;
    switch (c->kind) {
    case C_LOGSOURCE: return logsource_matches(c, r, 0);
    case C_CONTAINS_ITEM:
    case C_CONTAINS_FIELD: return r->condition && tree_has_item(st, r->condition, c);
    case C_APPLIED:
        return ids_contain((const char *const *)r->pipeline_items.items, r->pipeline_items.n,
                           c->text);
    case C_STATE: return state_matches(st, c);
    case C_IS_RULE: return r->kind != SIGCC_RULE_CORRELATION;
    case C_IS_CORRELATION: return r->kind == SIGCC_RULE_CORRELATION;
    case C_RULE_ATTRIBUTE: return rule_attribute_matches(st, c, r);
    case C_TAG:
        for (size_t i = 0; i < r->tags.n; i++)
            if (!strcmp(r->tags.items[i], c->text))
                return true;
        return false;
    default: return false;
    }
}

/* A value as the text pySigma's str() gives (see text_write). */
static const char *value_text(apply_state *st, const sc_value *v, bool expand, size_t *len)
{
    sc_buf b = {0};
    text_write(&b, v->parts, v->n_parts, expand);
    char *s = sc_arena_strndup(st->tmp, b.data ? b.data : "", b.len);
    *len = b.len;
    if (b.oom || !s)
        out_of_memory(st, v->loc);
    sc_buf_free(&b);
    return s;
}

static bool value_leaf_matches(apply_state *st, const pcond *c, const sc_match *m,
                               const sc_value *v)
{
    switch (c->kind) {
    case C_MATCH_STRING: {
        bool r = false;
        size_t len;
        const char *s = value_is_string(v) ? value_text(st, v, match_expands(m), &len) : NULL;
        if (s)
            r = regex_match_start(c->re, s, len);
        return c->negate ? !r : r;
    }
    /* An |exists item holds no value to equal: pySigma's SigmaExists is not
     * the boolean its `true` or `false` reads as. */
    case C_MATCH_VALUE: return m->op != SC_OP_EXISTS && value_equals(st, v, &c->value);
    case C_CONTAINS_WILDCARD:
        return value_is_string(v) && sc_pattern_has_wildcards(v->parts, v->n_parts);
    case C_IS_NULL: return v->kind == SC_VAL_NULL;
    default: return false;
    }
}

static bool item_leaf(apply_state *st, const pcond *c, const void *subject)
{
    const sc_node *n = subject;
    const sc_match *m = &n->u.match;
    switch (c->kind) {
    case C_APPLIED: return mark_has(st, n, c->text);
    case C_STATE: return state_matches(st, c);
    default:
        for (size_t i = 0; i < m->n_values; i++)
            if (value_leaf_matches(st, c, m, &m->values[i]) != c->all)
                return !c->all;
        return c->all;
    }
}

static bool field_included(const pcond *c, const char *name)
{
    if (!name)
        return false;
    for (size_t i = 0; i < c->n_fields; i++)
        if (c->field_res ? regex_match_start(c->field_res[i], name, strlen(name))
                         : !strcmp(c->fields[i], name))
            return true;
    return false;
}

/* A field name condition on a bare name (fields list, correlation fields,
 * field references). */
static bool name_leaf(apply_state *st, const pcond *c, const void *subject)
{
    const char *name = subject;
    switch (c->kind) {
    case C_INCLUDE_FIELDS: return field_included(c, name);
    case C_EXCLUDE_FIELDS: return !field_included(c, name);
    case C_APPLIED: {
        const field_track *f = field_find(st, name);
        return f && ids_contain(f->ids, f->n, c->text);
    }
    case C_STATE: return state_matches(st, c);
    default: return false;
    }
}

/* A field name condition on a match leaf: its field, or a field it
 * references (|fieldref), as pySigma's match_detection_item. */
static bool field_item_leaf(apply_state *st, const pcond *c, const void *subject)
{
    const sc_node *n = subject;
    const sc_match *m = &n->u.match;
    if (c->kind == C_APPLIED)
        return mark_has(st, n, c->text);
    if (name_leaf(st, c, m->field))
        return true;
    for (size_t i = 0; i < m->n_values; i++)
        if (m->values[i].kind == SC_VAL_FIELD && name_leaf(st, c, m->values[i].raw))
            return true;
    return false;
}

/* The field of a match leaf as a name; its history is the leaf's own (a
 * fields list renamed earlier must not hide it, as it does in pySigma). */
static bool leaf_field_leaf(apply_state *st, const pcond *c, const void *subject)
{
    const sc_node *n = subject;
    if (c->kind == C_APPLIED)
        return mark_has(st, n, c->text) || name_leaf(st, c, n->u.match.field);
    return name_leaf(st, c, n->u.match.field);
}

static bool item_selected(apply_state *st, const sc_node *leaf)
{
    return eval_set(st, &st->item->item_conds, item_leaf, leaf) &&
           eval_set(st, &st->item->field_conds, field_item_leaf, leaf);
}

static bool name_selected(apply_state *st, const char *name)
{
    return eval_set(st, &st->item->field_conds, name_leaf, name);
}

/* ------------------------------------------------------- the tree walk
 * Visits every match leaf of the rule's condition tree; a leaf function
 * may replace its slot (a list mapping gives an 'or' of copies) or empty it
 * (drop_detection_item). An item dropped is removed from its and/or, as
 * pySigma removes it from its detection; a group left with no item is
 * `true` (what remains of the rule must still hold). */
typedef void (*leaf_fn)(apply_state *st, sc_node **slot);

static sc_node *true_node(apply_state *st, sc_loc loc)
{
    sc_node *t = sc_node_new(st->ra, SC_NODE_TRUE, loc);
    if (!t)
        out_of_memory(st, loc);
    return t;
}

static void walk(apply_state *st, sc_node **slot, leaf_fn fn)
{
    sc_node *n = *slot;
    if (st->failed)
        return;
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR: {
        size_t kept = 0, before = n->u.list.n;
        for (size_t i = 0; i < before; i++) {
            walk(st, &n->u.list.items[i], fn);
            if (n->u.list.items[i])
                n->u.list.items[kept++] = n->u.list.items[i];
        }
        n->u.list.n = kept;
        if (kept == 0)
            *slot = true_node(st, n->loc);
        else if (kept == 1 && kept < before)
            *slot = n->u.list.items[0];
        break;
    }
    case SC_NODE_NOT:
        walk(st, &n->u.child, fn);
        if (!n->u.child)
            n->u.child = true_node(st, n->loc);
        break;
    case SC_NODE_SEL:
        walk(st, &n->u.sel.child, fn);
        if (!n->u.sel.child)
            n->u.sel.child = true_node(st, n->loc);
        break;
    case SC_NODE_MATCH: fn(st, slot); break;
    default: break;
    }
}

static void walk_rule(apply_state *st, leaf_fn fn)
{
    if (st->rule->condition)
        walk(st, &st->rule->condition, fn);
}

/* ------------------------------------------------------- field names */

/* The names `field` maps to under the current item, or false if the item
 * does not map it (pySigma's apply_field_name returning None). */
static bool map_name(apply_state *st, const char *field, const char ***out, size_t *n)
{
    const pitem *it = st->item;
    *n = 0;
    switch (it->kind) {
    case T_FIELD_MAPPING:
        for (size_t i = 0; i < it->n_map; i++) {
            const char *key = it->map[i].key;
            if ((!key && !field) || (key && field && !strcmp(key, field))) {
                *out = it->map[i].to;
                *n = it->map[i].n_to;
                return true;
            }
        }
        return false;
    case T_PREFIX_MAPPING:
        for (size_t i = 0; field && i < it->n_map; i++) {
            size_t plen = strlen(it->map[i].key);
            if (strncmp(field, it->map[i].key, plen))
                continue;
            *out = aalloc(st, st->tmp, it->map[i].n_to * sizeof **out);
            for (size_t k = 0; *out && k < it->map[i].n_to; k++)
                (*out)[k] = sc_arena_printf(st->tmp, "%s%s", it->map[i].to[k], field + plen);
            *n = *out ? it->map[i].n_to : 0;
            return *out != NULL;
        }
        return false;
    case T_FIELD_PREFIX:
    case T_FIELD_SUFFIX:
        if (!field)
            return false;
        *out = aalloc(st, st->tmp, sizeof **out);
        if (!*out)
            return false;
        (*out)[0] = it->kind == T_FIELD_PREFIX ? sc_arena_printf(st->tmp, "%s%s", it->text, field)
                                               : sc_arena_printf(st->tmp, "%s%s", field, it->text);
        *n = 1;
        return (*out)[0] != NULL;
    default: return false;
    }
}

/* pySigma's _apply_field_name, for the fields list and correlation fields:
 * the mapped names if the item maps this name and its field name
 * conditions hold, else the name itself. */
static const char **apply_field_name(apply_state *st, const char *field, size_t *n)
{
    const char **names;
    if (map_name(st, field, &names, n) && name_selected(st, field)) {
        field_moved(st, field, names, *n);
        return names;
    }
    names = aalloc(st, st->tmp, sizeof *names);
    if (names)
        names[0] = field;
    *n = names ? 1 : 0;
    return names;
}

static bool is_field_mapping(trans_kind k)
{
    return k == T_FIELD_MAPPING || k == T_PREFIX_MAPPING || k == T_FIELD_PREFIX ||
           k == T_FIELD_SUFFIX;
}

/* One correlation field that must stay one field (an alias entry, the
 * aggregated field). */
static const char *map_single(apply_state *st, const char *field, const char *where)
{
    size_t n;
    const char **names = apply_field_name(st, field, &n);
    if (!names || st->failed)
        return NULL;
    if (n != 1) {
        afail(st, "pipeline-error", rule_loc(st), "'%s' maps to %zu fields, but %s needs exactly "
              "one (%s)", field, n, where, item_label(st));
        return NULL;
    }
    return names[0] == field ? field : astrdup(st, names[0]);
}

/* A list of names where one name may become several (fields, group-by);
 * names in `keep` (alias names) are left as they are. */
static bool map_name_list(apply_state *st, const char ***items, size_t *n_items,
                          const sc_alias *keep, size_t n_keep)
{
    sc_vec out = {0};
    for (size_t i = 0; i < *n_items; i++) {
        const char *name = (*items)[i];
        bool alias = false;
        for (size_t k = 0; k < n_keep; k++)
            alias |= !strcmp(keep[k].name, name);
        size_t n = 1;
        const char **names = alias ? &(*items)[i] : apply_field_name(st, name, &n);
        for (size_t k = 0; names && k < n; k++) {
            const char *copy = names[k] == name ? name : astrdup(st, names[k]);
            if (!copy || !sc_vec_push(st->ra, &out, (void *)copy))
                return out_of_memory(st, rule_loc(st));
        }
        if (!names)
            return false;
    }
    if (out.n > *n_items && !grow(st, out.n - *n_items, rule_loc(st)))
        return false;
    *items = (const char **)out.items;
    *n_items = out.n;
    return true;
}

/* Is `name` a column the hunting block or the correlation defines (not an
 * event field, so not mapped)? */
static bool hunting_defines(const sigcc_rule *r, const char *name)
{
    const sc_hunting *h = r->hunting;
    for (size_t i = 0; i < h->n_columns; i++)
        if (!strcmp(h->columns[i].name, name))
            return true;
    for (size_t i = 0; i < h->n_aggregates; i++)
        if (!strcmp(h->aggregates[i].name, name))
            return true;
    const char *value = r->corr ? sc_corr_value_name(r->corr->type) : NULL;
    return value && !strcmp(value, name);
}

static void map_event_name(apply_state *st, const char **name, const char *where)
{
    if (st->failed || hunting_defines(st->rule, *name))
        return;
    const char *f = map_single(st, *name, where);
    if (f)
        *name = f;
}

static void map_hunting_fields(apply_state *st)
{
    sc_hunting *h = st->rule->hunting;
    for (size_t i = 0; i < h->n_columns; i++)
        map_event_name(st, &h->columns[i].field, "a hunting column's field");
    for (size_t i = 0; i < h->n_aggregates; i++)
        map_event_name(st, &h->aggregates[i].field, "a hunting aggregate's field");
    for (size_t i = 0; i < h->n_severity; i++)
        for (size_t k = 0; k < h->severity[i].n_tests; k++)
            map_event_name(st, &h->severity[i].tests[k].name, "a severity test");
    if (h->sort_by)
        map_event_name(st, &h->sort_by, "the hunting sort column");
}

static void map_rule_fields(apply_state *st)
{
    sigcc_rule *r = st->rule;
    map_name_list(st, &r->fields.items, &r->fields.n, NULL, 0);
    if (r->hunting)
        map_hunting_fields(st);
    sc_correlation *c = r->corr;
    if (!c || st->failed)
        return;
    /* pySigma maps alias fields only where the rule groups (aliases are only
     * used in group-by), and never renames an alias name itself. */
    for (size_t a = 0; c->n_group_by && a < c->n_aliases; a++)
        for (size_t e = 0; e < c->aliases[a].n_entries && !st->failed; e++) {
            const char *f = map_single(st, c->aliases[a].entries[e].field, "an alias entry");
            if (f)
                c->aliases[a].entries[e].field = f;
        }
    if (!st->failed)
        map_name_list(st, &c->group_by, &c->n_group_by, c->aliases, c->n_aliases);
    for (size_t i = 0; i < c->n_fields && !st->failed; i++) {
        const char *f = map_single(st, c->fields[i], "the correlation condition's field");
        if (f)
            c->fields[i] = f;
    }
}

static sc_value *copy_values(apply_state *st, const sc_match *m, size_t n)
{
    sc_value *v = aalloc(st, st->ra, n * sizeof *v);
    if (v && m->n_values)
        memcpy(v, m->values, (m->n_values < n ? m->n_values : n) * sizeof *v);
    return v;
}

/* |fieldref values name fields too; each mapped reference is rewritten. */
static bool map_field_references(apply_state *st, sc_match *m)
{
    sc_vec out = {0};
    bool changed = false;
    for (size_t i = 0; i < m->n_values; i++) {
        const sc_value *v = &m->values[i];
        size_t n = 1;
        const char **names = NULL;
        if (v->kind == SC_VAL_FIELD && name_selected(st, v->raw))
            names = apply_field_name(st, v->raw, &n);
        for (size_t k = 0; k < n; k++) {
            sc_value *nv = aalloc(st, st->ra, sizeof *nv);
            if (!nv || !sc_vec_push(st->ra, &out, nv))
                return out_of_memory(st, v->loc);
            *nv = *v;
            if (names && names[k] != v->raw) {
                nv->raw = astrdup(st, names[k]);
                nv->raw_len = nv->raw ? strlen(nv->raw) : 0;
                changed = true;
            }
        }
    }
    if (!changed)
        return false;
    sc_value *values = aalloc(st, st->ra, out.n * sizeof *values);
    if (!values || (out.n > m->n_values && !grow(st, out.n - m->n_values, m->field_loc)))
        return false;
    for (size_t i = 0; i < out.n; i++)
        values[i] = *(sc_value *)out.items[i];
    m->values = values;
    m->n_values = out.n;
    return true;
}

/* A keyword searched anywhere becomes a field match: pySigma wraps string
 * values in '*' so that the keyword still matches inside the field. */
static void keyword_to_field(apply_state *st, sc_match *m)
{
    sc_value *values = copy_values(st, m, m->n_values);
    if (!values)
        return;
    for (size_t i = 0; i < m->n_values; i++) {
        sc_value *v = &values[i];
        if (!value_is_string(v))
            continue;
        parts_out o = {.a = st->ra};
        po_special(&o, SC_PART_STAR, NULL, 0); /* stars next to stars collapse */
        for (size_t k = 0; k < v->n_parts; k++)
            po_part(&o, &v->parts[k]);
        po_special(&o, SC_PART_STAR, NULL, 0);
        if (!po_finish(&o, &v->parts, &v->n_parts))
            out_of_memory(st, v->loc);
    }
    m->values = values;
}

static void leaf_map_field(apply_state *st, sc_node **slot)
{
    sc_node *n = *slot;
    sc_match *m = &n->u.match;
    if (!item_selected(st, n))
        return;
    bool changed = map_field_references(st, m);
    const char **names;
    size_t k;
    if (!st->failed && map_name(st, m->field, &names, &k) &&
        eval_set(st, &st->item->field_conds, leaf_field_leaf, n)) {
        if (!m->field)
            keyword_to_field(st, m);
        if (k == 1) {
            m->field = astrdup(st, names[0]);
            changed = true;
        } else if (grow(st, k - 1, m->field_loc)) {
            sc_node **copies = aalloc(st, st->tmp, k * sizeof *copies);
            for (size_t i = 0; copies && i < k; i++) {
                copies[i] = aalloc(st, st->ra, sizeof *copies[i]);
                if (!copies[i])
                    return;
                *copies[i] = *n;
                if (!(copies[i]->u.match.field = astrdup(st, names[i])))
                    return;
                mark_inherit(st, n, copies[i]);
                mark_add(st, copies[i], st->item->id);
            }
            sc_node *or = copies ? sc_node_list(st->ra, SC_NODE_OR, n->loc, copies, k) : NULL;
            if (!or)
                out_of_memory(st, n->loc);
            else
                *slot = or;
            return;
        }
    }
    if (changed)
        mark_add(st, n, st->item->id);
}

static void apply_field_mapping(apply_state *st)
{
    map_rule_fields(st);
    if (!st->failed)
        walk_rule(st, leaf_map_field);
}

/* ------------------------------------------------------------- values */

/* Rewrites the values of one selected leaf. A value function appends the
 * value's replacements (or the value itself) to `out`, and sets `touched`
 * when pySigma would count the item as processed. */
typedef bool (*value_fn)(apply_state *st, const sc_match *m, const sc_value *v, sc_vec *out,
                         bool *touched);

static bool push_value(apply_state *st, sc_vec *out, const sc_value *v)
{
    sc_value *c = aalloc(st, st->tmp, sizeof *c);
    if (!c || !sc_vec_push(st->tmp, out, c))
        return out_of_memory(st, v->loc);
    *c = *v;
    return true;
}

/* A string value made from text in Sigma notation or in pySigma's text form. */
static bool push_string(apply_state *st, sc_vec *out, const sc_value *like, const char *text,
                        size_t len, bool text_form, bool expand)
{
    sc_value v = *like;
    v.kind = SC_VAL_STRING;
    v.raw = sc_arena_strndup(st->ra, text, len);
    v.raw_len = len;
    bool ok = v.raw && (text_form ? text_parse(st->ra, text, len, expand, &v.parts, &v.n_parts)
                                  : sc_pattern_parse(st->ra, text, len, false, &v.parts,
                                                     &v.n_parts));
    if (!ok)
        return out_of_memory(st, like->loc);
    return push_value(st, out, &v);
}

static void rewrite_values(apply_state *st, sc_node *n, value_fn fn)
{
    sc_match *m = &n->u.match;
    if (!item_selected(st, n))
        return;
    sc_vec out = {0};
    bool touched = false;
    for (size_t i = 0; i < m->n_values && !st->failed; i++)
        if (!fn(st, m, &m->values[i], &out, &touched))
            return;
    if (!touched || st->failed)
        return;
    if (out.n > SC_MAX_EXPANDED_VALUES) {
        afail(st, "limit-expanded-values", m->field_loc, "%s expands this item to more than %u "
              "values", item_label(st), SC_MAX_EXPANDED_VALUES);
        return;
    }
    if (out.n > m->n_values && !grow(st, out.n - m->n_values, m->field_loc))
        return;
    sc_value *values = aalloc(st, st->ra, out.n * sizeof *values);
    if (!values)
        return;
    for (size_t i = 0; i < out.n; i++)
        values[i] = *(sc_value *)out.items[i];
    m->values = values;
    m->n_values = out.n;
    mark_add(st, n, st->item->id);
}

/* re.sub with the item's regex and Python replacement template. */
static bool substitute(apply_state *st, const char *s, size_t len, sc_loc loc, sc_buf *out)
{
    const pitem *it = st->item;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(it->re, NULL);
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    bool ok = md && mc;
    if (ok) {
        pcre2_set_match_limit(mc, SC_REGEX_MATCH_LIMIT);
        pcre2_set_depth_limit(mc, SC_REGEX_DEPTH_LIMIT);
    }
    size_t pos = 0, copied = 0;
    uint32_t flags = 0;
    while (ok && pos <= len) {
        int rc = pcre2_match(it->re, (PCRE2_SPTR)s, len, pos, flags, md, mc);
        if (rc == PCRE2_ERROR_NOMATCH) {
            if (!flags || pos >= len)
                break;
            /* No non-empty match where an empty one was: step one character. */
            do
                pos++;
            while (pos < len && ((unsigned char)s[pos] & 0xc0) == 0x80);
            flags = 0;
            continue;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (rc < 0 || ov[1] < ov[0]) {
            PCRE2_UCHAR msg[256] = "match start after its end";
            if (rc < 0)
                pcre2_get_error_message(rc, msg, sizeof msg);
            afail(st, "pipeline-error", loc, "replace_string could not match its regex: %s (%s)",
                  (const char *)msg, item_label(st));
            ok = false;
            break;
        }
        sc_buf_put(out, s + copied, ov[0] - copied);
        for (size_t i = 0; i < it->n_repl; i++) {
            const repl_part *p = &it->repl[i];
            uint32_t g = p->group;
            if (p->text)
                sc_buf_put(out, p->text, p->len);
            else if ((int)g < rc && ov[2 * g] != PCRE2_UNSET)
                sc_buf_put(out, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        }
        copied = pos = ov[1];
        flags = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
    }
    if (ok)
        sc_buf_put(out, s + copied, len - copied);
    if (!md || !mc || out->oom) {
        out_of_memory(st, loc);
        ok = false;
    }
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    return ok;
}

/* skip_special: the regex runs on each literal part alone; wildcards and
 * placeholders stay. With interpret_special, '*' '?' in a result are
 * wildcards again. */
static bool replace_literal_parts(apply_state *st, const sc_value *v, sc_vec *out)
{
    parts_out o = {.a = st->ra};
    for (size_t i = 0; i < v->n_parts; i++) {
        const sc_part *p = &v->parts[i];
        if (p->kind != SC_PART_LIT) {
            po_part(&o, p);
            continue;
        }
        sc_buf b = {0};
        bool ok = substitute(st, p->text, p->len, v->loc, &b);
        sc_part *parts = NULL;
        size_t n = 0;
        if (ok && st->item->interpret_special)
            ok = sc_pattern_parse(st->tmp, b.data ? b.data : "", b.len, false, &parts, &n);
        else if (ok)
            po_lit(&o, b.data ? b.data : "", b.len);
        for (size_t k = 0; k < n; k++)
            po_part(&o, &parts[k]);
        sc_buf_free(&b);
        if (!ok)
            return out_of_memory(st, v->loc); /* no-op if substitute reported */
    }
    sc_value nv = *v;
    if (!po_finish(&o, &nv.parts, &nv.n_parts))
        return out_of_memory(st, v->loc);
    return push_value(st, out, &nv);
}

static bool replace_value(apply_state *st, const sc_match *m, const sc_value *v, sc_vec *out,
                          bool *touched)
{
    bool number = v->kind == SC_VAL_NUMBER && m->op == SC_OP_EQ && !m->timepart;
    if (!value_is_string(v) && !number)
        return push_value(st, out, v);
    *touched = true; /* pySigma rewrites every string (and number) it sees */
    if (value_is_string(v) && st->item->skip_special)
        return replace_literal_parts(st, v, out);
    char num[64];
    size_t len;
    const char *text = number ? num : value_text(st, v, match_expands(m), &len);
    if (number) {
        number_text(v, num, sizeof num);
        len = strlen(num);
    }
    sc_buf b = {0};
    bool ok = text && substitute(st, text, len, v->loc, &b) &&
              push_string(st, out, v, b.data ? b.data : "", b.len, true,
                          !number && match_expands(m));
    sc_buf_free(&b);
    return ok;
}

static bool map_value(apply_state *st, const sc_match *m, const sc_value *v, sc_vec *out,
                      bool *touched)
{
    size_t len;
    const char *text = value_is_string(v) ? value_text(st, v, match_expands(m), &len) : NULL;
    const name_map *e = NULL;
    for (size_t i = 0; text && i < st->item->n_map && !e; i++)
        if (strlen(st->item->map[i].key) == len && !memcmp(st->item->map[i].key, text, len))
            e = &st->item->map[i];
    if (!e)
        return st->failed ? false : push_value(st, out, v);
    *touched = true;
    for (size_t i = 0; i < e->n_to; i++)
        if (!push_string(st, out, v, e->to[i], strlen(e->to[i]), false, false))
            return false;
    return true;
}

static bool placeholder_handled(const pitem *it, const sc_part *p)
{
    if (p->kind != SC_PART_PLACEHOLDER)
        return false;
    if (!it->has_filter)
        return true;
    bool listed = false;
    for (size_t i = 0; i < it->n_names; i++)
        listed |= strlen(it->names[i]) == p->len && !memcmp(it->names[i], p->text, p->len);
    return it->exclude ? !listed : listed;
}

static const sc_ynode *find_var(const apply_state *st, const char *name, size_t len)
{
    for (size_t i = st->vars.n; i-- > 0;) {
        const pvar *v = st->vars.items[i];
        if (strlen(v->name) == len && !memcmp(v->name, name, len))
            return v->value;
    }
    return NULL;
}

/* The alternatives a variable gives a placeholder: each value read as a
 * Sigma string (pySigma: SigmaString(str(value))). */
static bool var_alternatives(apply_state *st, const sc_value *at, const sc_part *p,
                             sc_vec *alts)
{
    const sc_ynode *var = find_var(st, p->text, p->len);
    if (!var) {
        afail(st, "pipeline-error", at->loc, "placeholder %%%.*s%% has no value: no pipeline "
              "defines the variable '%.*s' under 'vars' (%s)", (int)p->len, p->text,
              (int)p->len, p->text, item_label(st));
        return false;
    }
    const sc_ynode *const *items = var->kind == SC_Y_SEQ
        ? (const sc_ynode *const *)var->items : &var;
    size_t n = var->kind == SC_Y_SEQ ? var->n_items : 1;
    for (size_t i = 0; i < n; i++) {
        pval v = items[i]->kind == SC_Y_SCALAR ? pval_of(items[i]) : (pval){.type = SC_YT_NULL};
        if (v.type == SC_YT_NULL || v.type == SC_YT_BOOL) {
            afail(st, "pipeline-error", at->loc, "variable '%.*s' holds a value that is not a "
                  "string or number (%s)", (int)p->len, p->text, item_label(st));
            return false;
        }
        char num[64];
        const char *text = v.text;
        size_t len = v.len;
        if (pval_numeric(&v)) {
            sc_value nv = {.kind = SC_VAL_NUMBER, .is_int = v.type == SC_YT_INT,
                           .ival = v.ival, .num = v.num};
            number_text(&nv, num, sizeof num);
            text = num;
            len = strlen(num);
        }
        sc_value *alt = aalloc(st, st->tmp, sizeof *alt);
        if (!alt || !sc_pattern_parse(st->tmp, text, len, false, &alt->parts, &alt->n_parts) ||
            !sc_vec_push(st->tmp, alts, alt))
            return out_of_memory(st, at->loc);
    }
    return true;
}

/* Appends to `combos` a copy of `base` (parts so far) followed by `alt`. */
static bool extend_combo(apply_state *st, sc_vec *combos, const sc_vec *base,
                         const sc_value *alt)
{
    sc_vec *combo = sc_arena_alloc(st->tmp, sizeof *combo);
    if (!combo || !sc_vec_push(st->tmp, combos, combo))
        return false;
    for (size_t k = 0; k < base->n; k++)
        if (!sc_vec_push(st->tmp, combo, base->items[k]))
            return false;
    for (size_t k = 0; k < alt->n_parts; k++)
        if (!sc_vec_push(st->tmp, combo, (void *)&alt->parts[k]))
            return false;
    return true;
}

/* Every combination of the alternatives of the placeholders, in order. */
static bool expand_placeholders(apply_state *st, const sc_value *v, sc_vec *out)
{
    sc_vec combos = {0}; /* sc_vec * of const sc_part * */
    sc_vec *first = aalloc(st, st->tmp, sizeof *first);
    if (!first || !sc_vec_push(st->tmp, &combos, first))
        return out_of_memory(st, v->loc);
    for (size_t i = 0; i < v->n_parts; i++) {
        const sc_part *p = &v->parts[i];
        sc_vec alts = {0};
        if (placeholder_handled(st->item, p) && !var_alternatives(st, v, p, &alts))
            return false;
        if (!alts.n) {
            for (size_t c = 0; c < combos.n; c++)
                if (!sc_vec_push(st->tmp, combos.items[c], (void *)p))
                    return out_of_memory(st, v->loc);
            continue;
        }
        if (combos.n * alts.n > SC_MAX_EXPANDED_VALUES) {
            afail(st, "limit-expanded-values", v->loc, "placeholders expand this value to more "
                  "than %u values (%s)", SC_MAX_EXPANDED_VALUES, item_label(st));
            return false;
        }
        sc_vec next = {0};
        for (size_t c = 0; c < combos.n; c++)
            for (size_t a = 0; a < alts.n; a++)
                if (!extend_combo(st, &next, combos.items[c], alts.items[a]))
                    return out_of_memory(st, v->loc);
        combos = next;
    }
    for (size_t c = 0; c < combos.n; c++) {
        const sc_vec *combo = combos.items[c];
        parts_out o = {.a = st->ra};
        for (size_t k = 0; k < combo->n; k++)
            po_part(&o, combo->items[k]);
        sc_value nv = *v;
        if (!po_finish(&o, &nv.parts, &nv.n_parts))
            return out_of_memory(st, v->loc);
        if (!push_value(st, out, &nv))
            return false;
    }
    return true;
}

static bool has_handled_placeholder(const pitem *it, const sc_value *v)
{
    for (size_t i = 0; value_is_string(v) && i < v->n_parts; i++)
        if (placeholder_handled(it, &v->parts[i]))
            return true;
    return false;
}

static bool placeholder_value(apply_state *st, const sc_match *m, const sc_value *v,
                              sc_vec *out, bool *touched)
{
    (void)m;
    if (!has_handled_placeholder(st->item, v))
        return push_value(st, out, v);
    *touched = true;
    if (st->item->kind == T_VALUE_PLACEHOLDERS)
        return expand_placeholders(st, v, out);
    parts_out o = {.a = st->ra};
    for (size_t i = 0; i < v->n_parts; i++) {
        if (placeholder_handled(st->item, &v->parts[i]))
            po_special(&o, SC_PART_STAR, NULL, 0);
        else
            po_part(&o, &v->parts[i]);
    }
    sc_value nv = *v;
    if (!po_finish(&o, &nv.parts, &nv.n_parts))
        return out_of_memory(st, v->loc);
    return push_value(st, out, &nv);
}

static void leaf_replace(apply_state *st, sc_node **slot)
{
    rewrite_values(st, *slot, replace_value);
}

static void leaf_map_string(apply_state *st, sc_node **slot)
{
    rewrite_values(st, *slot, map_value);
}

static void leaf_placeholders(apply_state *st, sc_node **slot)
{
    rewrite_values(st, *slot, placeholder_value);
}

static void leaf_drop(apply_state *st, sc_node **slot)
{
    if (item_selected(st, *slot))
        *slot = NULL;
}

static void leaf_fail(apply_state *st, sc_node **slot)
{
    const sc_match *m = &(*slot)->u.match;
    if (item_selected(st, *slot))
        afail(st, "pipeline-item-failure", m->field_loc, "%s (detection_item_failure for '%s', "
              "%s)", st->item->text, m->field ? m->field : "keywords", item_label(st));
}

/* ---------------------------------------------------------- sysmon_hashes
 * Sysmon's Hashes is 'ALG=hex,ALG=hex,...' with the algorithms the Sysmon
 * configuration enables, each name followed by '=' and its full digest.
 * So containing 'ALG=<hex>' means: that algorithm's digest starts with the
 * hex, and equals it when the hex is of full length. Nothing else about
 * the string is known without the configuration (which algorithms come
 * first, last, or at all), so every other form is refused. */

typedef struct hash_term {
    const char *field;       /* the target field of the algorithm */
    const char *hex;
    size_t len;
    bool prefix;             /* shorter than a full digest: starts with */
} hash_term;

static bool refuse_hashes(apply_state *st, const sc_match *m, sc_loc loc, const char *why)
{
    afail(st, "pipeline-hashes", loc, "'%s' cannot be matched exactly on the per-algorithm hash "
          "fields: %s (%s)", m->field, why, item_label(st));
    return false;
}

static const char *hash_field(const pitem *it, const char *algo)
{
    for (size_t i = 0; i < it->n_map; i++)
        if (!strcmp(it->map[i].key, algo))
            return it->map[i].to[0];
    return NULL;
}

static bool all_zero(const char *s, size_t n)
{
    while (n && *s == '0')
        s++, n--;
    return n == 0;
}

/* One value, which must read *ALG=hex* (|contains with one 'ALG=hex'). */
static bool hash_term_of(apply_state *st, const sc_match *m, const sc_value *v, hash_term *t)
{
    const sc_part *p = v->parts;
    if (v->kind != SC_VAL_STRING)
        return refuse_hashes(st, m, v->loc, "only string values of the form 'ALG=<hex>' can be "
                             "split");
    if (v->n_parts != 3 || p[0].kind != SC_PART_STAR || p[2].kind != SC_PART_STAR ||
        p[1].kind != SC_PART_LIT) {
        bool inner = false;
        for (size_t i = 1; i + 1 < v->n_parts; i++)
            inner |= p[i].kind != SC_PART_LIT;
        return refuse_hashes(st, m, v->loc, inner
            ? "a wildcard or placeholder inside the value has no per-algorithm equivalent"
            : "only |contains is exact: where one algorithm's entry starts or ends the whole "
              "string, and what else it holds, depends on the algorithms the Sysmon "
              "configuration enables");
    }
    const char *s = p[1].text, *eq = memchr(s, '=', p[1].len);
    if (!eq)
        return refuse_hashes(st, m, v->loc, "the value does not name its algorithm ('ALG=<hex>', "
                             "ALG one of MD5, SHA1, SHA256, IMPHASH)");
    const struct hash_algo *a = find_hash_algo(s, (size_t)(eq - s));
    t->hex = eq + 1;
    t->len = p[1].len - (size_t)(eq + 1 - s);
    t->field = a ? hash_field(st->item, a->name) : NULL;
    size_t bad = 0;
    while (bad < t->len && strchr("0123456789abcdefABCDEF", t->hex[bad]) && t->hex[bad])
        bad++;
    const char *why = "out of memory";
    if (!a)
        why = sc_arena_printf(st->tmp, "'%.*s' is not a hash algorithm Sysmon writes (MD5, SHA1, "
                              "SHA256, IMPHASH)", (int)(eq - s), s);
    else if (!t->field)
        why = sc_arena_printf(st->tmp, "the target has no field for %s", a->name);
    else if (t->len == 0)
        why = "'ALG=' with no digest only tells whether the Sysmon configuration enables the "
              "algorithm";
    else if (bad < t->len)
        why = "only hexadecimal digits may follow 'ALG=' (a ',' or the next entry depends on the "
              "Sysmon configuration)";
    else if (t->len > a->hex_len)
        why = sc_arena_printf(st->tmp, "the hex is longer than the %s digest (%zu digits): it can "
                              "never match", a->name, a->hex_len);
    else if (all_zero(t->hex, t->len))
        why = "an all-zero digest is Sysmon's placeholder for no digest (an IMPHASH of a file "
              "that is not a PE image), which data models drop";
    else
        why = NULL;
    if (why || !a || !t->field)
        return refuse_hashes(st, m, v->loc, why ? why : "out of memory");
    t->prefix = t->len < a->hex_len;
    return true;
}

/* Refuses (and says so) an item whose matcher, not its values, rules a split out. */
static bool hashes_item_refused(apply_state *st, const sc_match *m)
{
    if (m->negated)
        return !refuse_hashes(st, m, m->field_loc, "|neq is not supported here");
    if (m->op != SC_OP_EQ)
        return !refuse_hashes(st, m, m->field_loc, "only string values of the form "
                              "'ALG=<hex>' (|contains) can be split");
    if (m->cased)
        return !refuse_hashes(st, m, m->field_loc, "|cased: Sysmon writes the hex upper-case, "
                              "the per-algorithm fields may hold it in another case");
    return false;
}

/* The leaf for one target field: the terms of that field, as values. */
static sc_node *hash_leaf(apply_state *st, const sc_node *n, const hash_term *terms, size_t nt,
                          const char *field)
{
    size_t k = 0;
    for (size_t i = 0; i < nt; i++)
        k += terms[i].field == field;
    sc_node *c = aalloc(st, st->ra, sizeof *c);
    sc_value *vals = aalloc(st, st->ra, k * sizeof *vals);
    if (!c || !vals)
        return NULL;
    *c = *n;
    sc_match *m = &c->u.match;
    m->field = field;
    m->mods = m->all ? SC_MODBIT(SC_MOD_ALL) : 0;
    m->n_chain = 0;
    m->values = vals;
    m->n_values = 0;
    for (size_t i = 0; i < nt; i++) {
        if (terms[i].field != field)
            continue;
        sc_value *v = &vals[m->n_values++];
        *v = n->u.match.values[i];
        v->raw = sc_arena_printf(st->ra, "%.*s%s", (int)terms[i].len, terms[i].hex,
                                 terms[i].prefix ? "*" : "");
        v->raw_len = v->raw ? strlen(v->raw) : 0;
        if (!v->raw || !sc_pattern_parse(st->ra, v->raw, v->raw_len, false, &v->parts,
                                         &v->n_parts)) {
            out_of_memory(st, v->loc);
            return NULL;
        }
    }
    mark_inherit(st, n, c);
    mark_add(st, c, st->item->id);
    return c;
}

static void leaf_hashes(apply_state *st, sc_node **slot)
{
    const sc_node *n = *slot;
    const sc_match *m = &n->u.match;
    if (!m->field || !ids_contain(st->item->names, st->item->n_names, m->field) ||
        !item_selected(st, n) ||
        hashes_item_refused(st, m))
        return;
    hash_term *terms = aalloc(st, st->tmp, m->n_values * sizeof *terms);
    sc_node **leaves = aalloc(st, st->tmp, m->n_values * sizeof *leaves);
    size_t nl = 0;
    for (size_t i = 0; terms && leaves && i < m->n_values; i++)
        if (!hash_term_of(st, m, &m->values[i], &terms[i]))
            return;
    /* One leaf per target field, in the order of their first value. */
    for (size_t i = 0; terms && leaves && i < m->n_values; i++) {
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen |= terms[k].field == terms[i].field;
        if (!seen && !(leaves[nl++] = hash_leaf(st, n, terms, m->n_values, terms[i].field)))
            return;
    }
    if (!terms || !leaves || !nl || (nl > 1 && !grow(st, nl - 1, m->field_loc)))
        return;
    sc_node *r = nl == 1 ? leaves[0]
                         : sc_node_list(st->ra, m->all ? SC_NODE_AND : SC_NODE_OR, n->loc,
                                        leaves, nl);
    if (!r)
        out_of_memory(st, n->loc);
    else
        *slot = r;
}

/* ---------------------------------------------------------- add_condition */

static bool template_ident_char(char c, bool first)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

/* string.Template's $name / ${name} for the rule's logsource; $$ is '$'.
 * pySigma would write "None" for a missing attribute; here it is an error. */
static char *template_text(apply_state *st, const sc_ynode *n)
{
    const sc_logsource *ls = &st->rule->logsource;
    const char *names[] = {"category", "product", "service"};
    const char *values[] = {ls->category, ls->product, ls->service};
    sc_buf b = {0};
    for (size_t i = 0; i < n->len; i++) {
        if (n->text[i] != '$' || i + 1 == n->len) {
            sc_buf_putc(&b, n->text[i]);
            continue;
        }
        if (n->text[i + 1] == '$') {
            sc_buf_putc(&b, '$');
            i++;
            continue;
        }
        bool braced = n->text[i + 1] == '{';
        size_t start = i + 1 + braced, end = start;
        while (end < n->len && template_ident_char(n->text[end], end == start))
            end++;
        int k = 0;
        while (k < 3 && !(strlen(names[k]) == end - start &&
                          !memcmp(names[k], n->text + start, end - start)))
            k++;
        bool closed = !braced || (end < n->len && n->text[end] == '}');
        if (k == 3 || !closed) { /* safe_substitute leaves what it does not know */
            sc_buf_putc(&b, '$');
            continue;
        }
        if (!values[k]) {
            sc_buf_free(&b);
            sc_diag(st->diags, &st->pipe->src, SIGCC_ERROR, "pipeline-error", n->loc,
                    "add_condition template uses $%s, but rule '%s' (%s:%u) has no logsource %s",
                    names[k], st->rule->title ? st->rule->title : "", st->rule->file,
                    st->rule->line, names[k]);
            st->failed = true;
            return NULL;
        }
        sc_buf_puts(&b, values[k]);
        i = end - 1 + braced;
    }
    char *s = b.oom ? NULL : sc_arena_strndup(st->tmp, b.data ? b.data : "", b.len);
    sc_buf_free(&b);
    if (!s && !st->failed)
        out_of_memory(st, rule_loc(st));
    return s;
}

/* A copy of the conditions map with templates filled in; a filled-in
 * string stays a string (quoted), whatever it now looks like. */
static sc_ynode *template_copy(apply_state *st, const sc_ynode *n)
{
    sc_ynode *c = aalloc(st, st->tmp, sizeof *c);
    if (!c)
        return NULL;
    *c = *n;
    if (n->kind == SC_Y_SCALAR) {
        if (sc_yaml_scalar_type(n, NULL, NULL, NULL) != SC_YT_STR)
            return c;
        if (!(c->text = template_text(st, n)))
            return NULL;
        c->len = strlen(c->text);
        c->style = SC_YS_SINGLE;
        return c;
    }
    size_t count = n->kind == SC_Y_SEQ ? n->n_items : n->n_pairs;
    if (n->kind == SC_Y_SEQ && !(c->items = aalloc(st, st->tmp, count * sizeof *c->items)))
        return NULL;
    if (n->kind == SC_Y_MAP && !(c->pairs = aalloc(st, st->tmp, count * sizeof *c->pairs)))
        return NULL;
    for (size_t i = 0; i < count; i++) {
        if (n->kind == SC_Y_SEQ && !(c->items[i] = template_copy(st, n->items[i])))
            return NULL;
        if (n->kind == SC_Y_MAP) {
            c->pairs[i].key = n->pairs[i].key;
            if (!(c->pairs[i].value = template_copy(st, n->pairs[i].value)))
                return NULL;
        }
    }
    return c;
}

/* Nodes built from the pipeline file carry its positions; they become the
 * rule's own position, since every later diagnostic names the rule's file. */
static void relocate(sc_node *n, sc_loc loc)
{
    n->loc = loc;
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            relocate(n->u.list.items[i], loc);
        break;
    case SC_NODE_NOT: relocate(n->u.child, loc); break;
    case SC_NODE_SEL: relocate(n->u.sel.child, loc); break;
    case SC_NODE_MATCH:
        n->u.match.field_loc = loc;
        for (size_t i = 0; i < n->u.match.n_values; i++)
            n->u.match.values[i].loc = loc;
        break;
    default: break;
    }
}

static bool has_selection(const sigcc_rule *r, const char *name)
{
    for (size_t i = 0; i < r->n_selections; i++)
        if (!strcmp(r->selections[i].name, name))
            return true;
    return false;
}

static const char *condition_name(apply_state *st)
{
    if (st->item->text) {
        if (has_selection(st->rule, st->item->text)) {
            afail(st, "pipeline-error", rule_loc(st), "add_condition name '%s' is already a "
                  "search identifier of this rule (%s)", st->item->text, item_label(st));
            return NULL;
        }
        return astrdup(st, st->item->text);
    }
    for (;;) { /* pySigma picks a random name; a counter is stable */
        char *name = sc_arena_printf(st->ra, "_cond_%u", ++st->added);
        if (!name || !has_selection(st->rule, name))
            return name;
    }
}

static bool add_selection(apply_state *st, const char *name, sc_node *node)
{
    sigcc_rule *r = st->rule;
    sc_selection *sels = aalloc(st, st->ra, (r->n_selections + 1) * sizeof *sels);
    if (!sels)
        return false;
    if (r->n_selections)
        memcpy(sels, r->selections, r->n_selections * sizeof *sels);
    sels[r->n_selections] = (sc_selection){name, rule_loc(st), node, true};
    r->selections = sels;
    r->n_selections++;
    return true;
}

/* pySigma: condition becomes "[not ]name and (condition)". */
static void apply_add_condition(apply_state *st)
{
    sigcc_rule *r = st->rule;
    if (r->kind != SIGCC_RULE_DETECTION || !r->condition)
        return; /* filters get the condition through the rule they tune */
    const char *name = condition_name(st);
    const sc_ynode *map = st->item->template_ ? template_copy(st, st->item->conditions)
                                              : st->item->conditions;
    if (!name || !map)
        return;
    size_t values = st->diags->rule_values;
    st->diags->rule_values = 0;
    sc_node *node = sc_detection_build(st->ra, st->diags, &st->pipe->src, name, map);
    st->diags->rule_values = values;
    if (!node) { /* reported against the pipeline's line */
        st->failed = true;
        return;
    }
    sc_node *sel = sc_node_new(st->ra, SC_NODE_SEL, rule_loc(st));
    if (!sel) {
        out_of_memory(st, rule_loc(st));
        return;
    }
    relocate(node, rule_loc(st));
    sel->u.sel.name = name;
    sel->u.sel.child = sc_node_copy(st->ra, node);
    sc_node *added = sel;
    if (sel->u.sel.child && st->item->negated && (added = sc_node_new(st->ra, SC_NODE_NOT,
                                                                      rule_loc(st))))
        added->u.child = sel;
    sc_node *both[2] = {added, r->condition};
    sc_node *root = added && sel->u.sel.child
        ? sc_node_list(st->ra, SC_NODE_AND, r->condition->loc, both, 2) : NULL;
    if (!root || !add_selection(st, name, node)) {
        out_of_memory(st, rule_loc(st));
        return;
    }
    mark_leaves(st, sel, st->item->id);
    r->condition = root;
    for (size_t i = 0; i < r->n_conditions; i++) {
        const char *text = sc_arena_printf(st->ra, "%s%s and (%s)", st->item->negated ? "not " : "",
                                           name, r->condition_texts[i]);
        if (!text) {
            out_of_memory(st, rule_loc(st));
            return;
        }
        r->condition_texts[i] = text;
    }
}

/* ------------------------------------------------- rule-level changes */

static const char *copy_or_null(apply_state *st, const char *s)
{
    return s ? astrdup(st, s) : NULL;
}

/* pySigma replaces the whole logsource: what is not given becomes unset. */
static void apply_change_logsource(apply_state *st)
{
    sc_logsource *ls = &st->rule->logsource;
    ls->category = copy_or_null(st, st->item->category);
    ls->product = copy_or_null(st, st->item->product);
    ls->service = copy_or_null(st, st->item->service);
    ls->definition = NULL;
    ls->n_extra = 0;
    st->rule->has_logsource = true;
}

static void apply_set_state(apply_state *st)
{
    state_entry *e = state_find(st, st->item->text);
    if (!e) {
        e = aalloc(st, st->tmp, sizeof *e);
        if (!e || !sc_vec_push(st->tmp, &st->state, e)) {
            out_of_memory(st, rule_loc(st));
            return;
        }
        e->key = st->item->text;
    }
    e->val = st->item->value;
}

/* remove_field: pySigma's list.remove, the first occurrence of each name. */
static size_t remove_fields(const sc_strlist *f, const pitem *it, bool *gone, const char **out)
{
    for (size_t k = 0; k < it->n_names; k++)
        for (size_t i = 0; i < f->n; i++)
            if (!gone[i] && !strcmp(f->items[i], it->names[k])) {
                gone[i] = true;
                break;
            }
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (!gone[i])
            out[n++] = f->items[i];
    return n;
}

/* add_field appends, set_field replaces, remove_field removes. */
static void apply_fields_list(apply_state *st)
{
    sc_strlist *f = &st->rule->fields;
    const pitem *it = st->item;
    size_t kept = it->kind == T_SET_FIELD ? 0 : f->n;
    const char **items = aalloc(st, st->ra, (kept + it->n_names) * sizeof *items);
    if (!items)
        return;
    size_t n = 0;
    if (it->kind == T_REMOVE_FIELD) {
        bool *gone = aalloc(st, st->tmp, f->n * sizeof *gone);
        if (!gone)
            return;
        n = remove_fields(f, it, gone, items);
    } else {
        for (size_t i = 0; i < kept; i++)
            items[n++] = f->items[i];
        for (size_t k = 0; k < it->n_names; k++)
            if (!(items[n++] = astrdup(st, it->names[k])))
                return;
    }
    f->items = items;
    f->n = n;
}

static void apply_custom_attribute(apply_state *st)
{
    sigcc_rule *r = st->rule;
    sc_ynode *v = aalloc(st, st->ra, sizeof *v);
    if (!v)
        return;
    *v = *st->item->scalar;
    if (!(v->text = sc_arena_strndup(st->ra, v->text, v->len))) {
        out_of_memory(st, rule_loc(st));
        return;
    }
    for (size_t i = 0; i < r->n_custom; i++)
        if (!strcmp(r->custom[i].key, st->item->text)) {
            r->custom[i].value = v;
            r->custom[i].by_pipeline = true;
            return;
        }
    sc_custom *custom = aalloc(st, st->ra, (r->n_custom + 1) * sizeof *custom);
    const char *key = astrdup(st, st->item->text);
    if (!custom || !key)
        return;
    if (r->n_custom)
        memcpy(custom, r->custom, r->n_custom * sizeof *custom);
    custom[r->n_custom] = (sc_custom){key, v, true};
    r->custom = custom;
    r->n_custom++;
}

static void record_applied(apply_state *st)
{
    sc_vec *ids = &st->rule->pipeline_items;
    const char *id = st->item->id;
    if (!id || ids_contain((const char *const *)ids->items, ids->n, id))
        return;
    const char *copy = astrdup(st, id);
    if (copy && !sc_vec_push(st->ra, ids, (void *)copy))
        out_of_memory(st, rule_loc(st));
}

static void apply_item(apply_state *st)
{
    const pitem *it = st->item;
    if (!eval_set(st, &it->rule_conds, rule_leaf, st->rule) || st->failed)
        return;
    record_applied(st);
    if (is_field_mapping(it->kind)) {
        apply_field_mapping(st);
        return;
    }
    switch (it->kind) {
    case T_DROP_ITEM: walk_rule(st, leaf_drop); break;
    case T_REPLACE_STRING: walk_rule(st, leaf_replace); break;
    case T_MAP_STRING: walk_rule(st, leaf_map_string); break;
    case T_VALUE_PLACEHOLDERS:
    case T_WILDCARD_PLACEHOLDERS: walk_rule(st, leaf_placeholders); break;
    case T_ITEM_FAILURE: walk_rule(st, leaf_fail); break;
    case T_SYSMON_HASHES: walk_rule(st, leaf_hashes); break;
    case T_RULE_FAILURE:
        afail(st, "pipeline-rule-failure", rule_loc(st), "%s (rule_failure, %s)", it->text,
              item_label(st));
        break;
    case T_ADD_CONDITION: apply_add_condition(st); break;
    case T_CHANGE_LOGSOURCE: apply_change_logsource(st); break;
    case T_SET_STATE: apply_set_state(st); break;
    case T_ADD_FIELD:
    case T_REMOVE_FIELD:
    case T_SET_FIELD: apply_fields_list(st); break;
    case T_SET_CUSTOM_ATTRIBUTE: apply_custom_attribute(st); break;
    default: break;
    }
}

/* The selections keep pointing at what the condition tree now holds, so
 * that a stage reading a selection by name sees the rewritten form. */
static void resync_selections(sigcc_rule *r, const sc_node *n, bool *done)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            resync_selections(r, n->u.list.items[i], done);
        break;
    case SC_NODE_NOT: resync_selections(r, n->u.child, done); break;
    case SC_NODE_SEL:
        for (size_t i = 0; i < r->n_selections; i++)
            if (!done[i] && !strcmp(r->selections[i].name, n->u.sel.name)) {
                r->selections[i].node = n->u.sel.child;
                done[i] = true;
            }
        break;
    default: break;
    }
}

bool sc_pipeline_apply(sc_pipeline *const *pipes, size_t n, sigcc_rule *rule,
                       sc_diag_list *diags)
{
    if (!rule || !diags || (n && !pipes))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!pipes[i])
            return false;
    apply_state st = {.rule = rule, .ra = rule->arena, .diags = diags};
    st.rule_src = (sc_source){.name = rule->file};
    st.tmp = sc_arena_new();
    if (!st.tmp) {
        sc_diag(diags, &st.rule_src, SIGCC_ERROR, "out-of-memory", rule_loc(&st), "out of memory");
        return false;
    }
    size_t errors = diags->errors;
    for (size_t i = 0; i < n && !st.failed; i++)
        for (size_t k = 0; k < pipes[i]->n_vars && !st.failed; k++)
            if (!sc_vec_push(st.tmp, &st.vars, &pipes[i]->vars[k]))
                out_of_memory(&st, rule_loc(&st));
    for (size_t i = 0; i < n && !st.failed; i++) {
        st.pipe = pipes[i];
        for (size_t k = 0; k < pipes[i]->n_items && !st.failed; k++) {
            st.item = &pipes[i]->items[k];
            apply_item(&st);
        }
    }
    if (!st.failed && rule->condition && rule->n_selections) {
        bool *done = sc_arena_alloc(st.tmp, rule->n_selections * sizeof *done);
        if (done)
            resync_selections(rule, rule->condition, done);
    }
    sc_arena_free(st.tmp);
    return !st.failed && diags->errors == errors && !diags->oom;
}

/* =================================================== reading backwards */

void sc_pipeline_each_rename(const sc_pipeline *p, void (*fn)(void *ud, const sc_rename *r),
                             void *ud)
{
    for (size_t i = 0; p && i < p->n_items; i++) {
        const pitem *it = &p->items[i];
        if (it->kind == T_FIELD_PREFIX || it->kind == T_FIELD_SUFFIX) {
            sc_rename r = {it->kind == T_FIELD_PREFIX ? SC_RENAME_PREFIX : SC_RENAME_SUFFIX,
                           NULL, it->text};
            fn(ud, &r);
            continue;
        }
        if (it->kind != T_FIELD_MAPPING && it->kind != T_PREFIX_MAPPING)
            continue;
        sc_rename r = {it->kind == T_FIELD_MAPPING ? SC_RENAME_FIELD : SC_RENAME_PREFIX_MAP,
                       NULL, NULL};
        for (size_t k = 0; k < it->n_map; k++) {
            r.from = it->map[k].key;
            for (size_t t = 0; r.from && t < it->map[k].n_to; t++) {
                r.to = it->map[k].to[t];
                fn(ud, &r);
            }
        }
    }
}
