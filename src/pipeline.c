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
    T_REMOVE_FIELD, T_SET_FIELD, T_SET_CUSTOM_ATTRIBUTE
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

static bool parse_cond_params(lctx *l, const sc_ynode *map, pcond *c)
{
    const sc_ynode *v;
    switch (c->kind) {
    case C_LOGSOURCE: {
        const char **dest[] = {&c->category, &c->product, &c->service};
        static const char *const keys[] = {"category", "product", "service"};
        for (int i = 0; i < 3; i++)
            if ((v = sc_ymap_get(map, keys[i])) && !yis_null(v) &&
                !want_string(l, v, keys[i], dest[i]))
                return false;
        return true;
    }
    case C_CONTAINS_ITEM:
        if (!require(l, map, "value", "contains_detection_item", &v) ||
            !want_scalar(l, v, "value", false, &c->value))
            return false;
        /* fall through: a field as contains_field */
    case C_CONTAINS_FIELD:
        return require(l, map, "field", "this condition", &v) &&
               want_string(l, v, "field", &c->text);
    case C_APPLIED:
        return require(l, map, "processing_item_id", "processing_item_applied", &v) &&
               want_string(l, v, "processing_item_id", &c->text);
    case C_STATE:
        if (!require(l, map, "key", "processing_state", &v) || !want_string(l, v, "key", &c->text))
            return false;
        if (!require(l, map, "val", "processing_state", &v) ||
            !want_scalar(l, v, "val", false, &c->value))
            return false;
        return !(v = sc_ymap_get(map, "op")) || want_op(l, v, false, &c->op);
    case C_RULE_ATTRIBUTE: {
        const sc_ynode *value;
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
