/*
 * internal.h - the types shared by the stages of libsigcc.
 *
 * Stages: yaml.c (bytes -> YAML tree) -> rule.c (YAML tree -> rule + AST,
 * with modifiers.c, pattern.c and the condition grammar) -> resolve.c
 * (cross-rule links) -> explain.c / optimizer / backends / evaluator.
 *
 * Memory: each rule owns one arena; everything reachable from a rule lives
 * in it and is freed at once with the rule. Nothing here is exported.
 */
#ifndef SC_INTERNAL_H
#define SC_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sigcc.h"
#include "sc_limits.h"

/* Source positions: 1-based line and column (in characters), and a width. */
typedef struct sc_loc {
    uint32_t line;
    uint32_t col;
    uint32_t len;
} sc_loc;

/* ---------------------------------------------------------------- arena */
typedef struct sc_arena sc_arena;
sc_arena *sc_arena_new(void);
void sc_arena_free(sc_arena *arena);
/* Frees everything allocated but keeps the largest chunk for reuse (a
 * scratch arena used once per file). */
void sc_arena_reset(sc_arena *arena);
/* Returns the unused end of the newest chunk to the allocator, when it can:
 * for an arena that is done growing for now (a loaded rule). */
void sc_arena_trim(sc_arena *arena);
void *sc_arena_alloc(sc_arena *arena, size_t size); /* zeroed, NULL on OOM */
char *sc_arena_strndup(sc_arena *arena, const char *s, size_t len);
char *sc_arena_strdup(sc_arena *arena, const char *s);
char *sc_arena_printf(sc_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t sc_arena_bytes(const sc_arena *arena);
/* Registers fn(ptr) to run when the arena is freed (for objects of other
 * libraries, e.g. compiled regexes); false on OOM (fn not registered). */
bool sc_arena_defer(sc_arena *arena, void (*fn)(void *), void *ptr);

/* A growable array of pointers whose storage lives in an arena. */
typedef struct sc_vec {
    void **items;
    size_t n;
    size_t cap;
} sc_vec;
bool sc_vec_push(sc_arena *arena, sc_vec *vec, void *item);

/* ------------------------------------------------------- string buffer */
typedef struct sc_buf {
    char *data;
    size_t len;
    size_t cap;
    bool oom;
} sc_buf;
void sc_buf_put(sc_buf *b, const char *s, size_t n);
void sc_buf_puts(sc_buf *b, const char *s);
void sc_buf_putc(sc_buf *b, char c);
void sc_buf_printf(sc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sc_buf_put_json_string(sc_buf *b, const char *s, size_t n);
char *sc_buf_take(sc_buf *b); /* NUL-terminated, caller frees; NULL on OOM */
void sc_buf_free(sc_buf *b);

/* --------------------------------------------------------- diagnostics */
typedef struct sc_source {
    const char *name;
    const char *text;
    size_t len;
    const size_t *line_starts; /* byte offset of each line start */
    size_t n_lines;
} sc_source;

typedef struct sc_diag_list {
    sigcc_diag *items;
    size_t n;
    size_t cap;
    sc_arena *arena; /* messages and copied source lines */
    size_t file_errors; /* errors in the file being loaded */
    size_t errors;      /* all errors, including ones not recorded past the limit */
    size_t rule_values; /* values built for the rule being loaded (SC_MAX_RULE_VALUES) */
    bool oom;
} sc_diag_list;

void sc_diags_init(sc_diag_list *d);
void sc_diags_fini(sc_diag_list *d);
sc_loc sc_source_loc(const sc_source *src, size_t offset); /* byte offset -> line:col */
void sc_diag(sc_diag_list *d, const sc_source *src, sigcc_severity sev, const char *code,
             sc_loc loc, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void sc_vdiag(sc_diag_list *d, const sc_source *src, sigcc_severity sev, const char *code,
              sc_loc loc, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* ------------------------------------------------------------ YAML tree */
typedef enum sc_ykind { SC_Y_SCALAR, SC_Y_SEQ, SC_Y_MAP } sc_ykind;
typedef enum sc_ystyle { SC_YS_PLAIN, SC_YS_SINGLE, SC_YS_DOUBLE, SC_YS_LITERAL, SC_YS_FOLDED } sc_ystyle;
typedef enum sc_ytype { SC_YT_STR, SC_YT_NULL, SC_YT_BOOL, SC_YT_INT, SC_YT_FLOAT } sc_ytype;

typedef struct sc_ynode sc_ynode;
typedef struct sc_ypair {
    sc_ynode *key;
    sc_ynode *value;
} sc_ypair;

struct sc_ynode {
    sc_ykind kind;
    sc_ystyle style;
    sc_loc loc;
    uint32_t expanded; /* nodes below, counting each alias use (saturating) */
    bool single_line;  /* scalar starts and ends on one source line */
    const char *text;  /* scalar: NUL-terminated, may contain NULs before len */
    size_t len;
    sc_ynode **items; /* sequence */
    size_t n_items;
    sc_ypair *pairs;  /* mapping */
    size_t n_pairs;
};

/* Parses every document of a buffer. Returns the number of documents
 * (possibly 0), or -1 if the stream is unusable (diagnostics given). A
 * document with a YAML-level error is a NULL entry. */
int sc_yaml_parse(sc_arena *arena, sc_diag_list *diags, const sc_source *src,
                  sc_ynode ***docs_out);
sc_ytype sc_yaml_scalar_type(const sc_ynode *n, int64_t *ival, double *fval, bool *bval);
const sc_ynode *sc_ymap_get(const sc_ynode *map, const char *key);

/* ------------------------------------------------------------ modifiers */
typedef enum sc_mod {
#define MOD(e, s, c) SC_MOD_##e,
#include "modifiers.def"
#undef MOD
    SC_MOD__COUNT
} sc_mod;
#define SC_MODBIT(m) (UINT64_C(1) << (m))

const char *sc_mod_name(sc_mod m);

/* --------------------------------------------------------------- values */
typedef enum sc_part_kind {
    SC_PART_LIT,         /* literal text */
    SC_PART_STAR,        /* '*' : any sequence */
    SC_PART_ONE,         /* '?' : one character */
    SC_PART_PLACEHOLDER  /* %name% under |expand */
} sc_part_kind;

typedef struct sc_part {
    sc_part_kind kind;
    const char *text; /* LIT / PLACEHOLDER */
    size_t len;
    const char *folded; /* LIT: text with ASCII letters lowered, set before evaluation */
} sc_part;

typedef enum sc_value_kind {
    SC_VAL_STRING,  /* a pattern (parts) */
    SC_VAL_NUMBER,
    SC_VAL_BOOL,
    SC_VAL_NULL,
    SC_VAL_REGEX,   /* raw is the PCRE2 pattern */
    SC_VAL_CIDR,
    SC_VAL_FIELD    /* |fieldref: raw is the other field's name */
} sc_value_kind;

typedef struct sc_value {
    sc_value_kind kind;
    sc_loc loc;
    const char *raw; /* the YAML scalar text */
    size_t raw_len;
    sc_part *parts;  /* STRING */
    size_t n_parts;
    bool is_int;     /* NUMBER */
    int64_t ival;
    double num;
    bool bval;       /* BOOL */
    uint8_t family;  /* CIDR: 4 or 6 */
    uint8_t prefix;
    uint8_t addr[16];
    void *regex;     /* REGEX: compiled pcre2_code (JIT where available), owned by the arena */
} sc_value;

typedef enum sc_op {
    SC_OP_EQ,      /* pattern / number / bool / null equality */
    SC_OP_LT,
    SC_OP_LTE,
    SC_OP_GT,
    SC_OP_GTE,
    SC_OP_RE,
    SC_OP_CIDR,
    SC_OP_EXISTS,  /* values: one BOOL */
    SC_OP_FIELDREF
} sc_op;

typedef enum sc_timepart {
    SC_TIME_NONE, SC_TIME_MINUTE, SC_TIME_HOUR, SC_TIME_DAY,
    SC_TIME_WEEK, SC_TIME_MONTH, SC_TIME_YEAR
} sc_timepart;

#define SC_MAX_MOD_CHAIN 16

typedef struct sc_match {
    const char *field;   /* NULL: keyword search over the whole event */
    sc_loc field_loc;
    uint64_t mods;       /* SC_MODBIT set */
    uint8_t chain[SC_MAX_MOD_CHAIN];
    uint8_t n_chain;
    sc_op op;
    sc_timepart timepart;
    bool all;            /* values ANDed (|all) instead of ORed */
    bool negated;        /* |neq: the whole item is negated */
    bool cased;          /* case-sensitive (|cased; regexes are cased unless |i) */
    sc_value *values;
    size_t n_values;
} sc_match;

/* ------------------------------------------------------------------ AST */
typedef enum sc_node_kind {
    SC_NODE_AND,
    SC_NODE_OR,
    SC_NODE_NOT,
    SC_NODE_SEL,   /* a named search identifier wrapping its detection */
    SC_NODE_MATCH,
    SC_NODE_TRUE,
    SC_NODE_FALSE
} sc_node_kind;

typedef struct sc_node sc_node;
struct sc_node {
    sc_node_kind kind;
    sc_loc loc;
    union {
        struct { sc_node **items; size_t n; } list; /* AND, OR */
        sc_node *child;                              /* NOT */
        struct { const char *name; sc_node *child; } sel;
        sc_match match;
    } u;
};

sc_node *sc_node_new(sc_arena *a, sc_node_kind kind, sc_loc loc);
sc_node *sc_node_list(sc_arena *a, sc_node_kind kind, sc_loc loc, sc_node **items, size_t n);
sc_node *sc_node_copy(sc_arena *a, const sc_node *n);

/* ------------------------------------------------------ condition parse */
/* Parse tree of a condition string, before identifiers are resolved. */
typedef enum sc_cond_kind {
    SC_COND_AND, SC_COND_OR, SC_COND_NOT, SC_COND_IDENT,
    SC_COND_ONE_OF, SC_COND_ALL_OF /* pattern NULL = them */
} sc_cond_kind;

typedef struct sc_cond sc_cond;
struct sc_cond {
    sc_cond_kind kind;
    uint32_t offset; /* byte span in the condition string */
    uint32_t len;
    const char *name; /* IDENT name or pattern (NULL for "them") */
    sc_cond *left, *right;
};

/* Positions reported by the grammar are byte offsets into `text`;
 * `at` maps them to file positions. */
typedef struct sc_cond_site {
    const sc_source *src;
    sc_loc base;          /* where text[0] sits in the file */
    bool exact;           /* single-line scalar: offsets map to columns */
} sc_cond_site;

sc_cond *sc_condition_parse(sc_arena *a, sc_diag_list *diags, const sc_cond_site *site,
                            const char *text, size_t len);
sc_loc sc_cond_site_loc(const sc_cond_site *site, const char *text, uint32_t offset,
                        uint32_t len);

/* ----------------------------------------------------------------- rule */
typedef struct sc_selection {
    const char *name;
    sc_loc loc;
    sc_node *node;
    bool used;
} sc_selection;

typedef struct sc_related {
    const char *id;
    const char *type;
} sc_related;

typedef struct sc_kv {
    const char *key;
    const char *value;
} sc_kv;

typedef struct sc_custom {
    const char *key;
    sc_ynode *value; /* copied into the rule arena */
    bool by_pipeline; /* set by a pipeline (trusted configuration), not by the rule */
} sc_custom;

typedef struct sc_logsource {
    const char *category, *product, *service, *definition;
    sc_kv *extra;
    size_t n_extra;
} sc_logsource;

typedef enum sc_corr_type {
    SC_CORR_EVENT_COUNT, SC_CORR_VALUE_COUNT, SC_CORR_TEMPORAL, SC_CORR_TEMPORAL_ORDERED,
    SC_CORR_VALUE_SUM, SC_CORR_VALUE_AVG, SC_CORR_VALUE_PERCENTILE
} sc_corr_type;
const char *sc_corr_type_name(sc_corr_type t);

typedef enum sc_cmp { SC_CMP_GT, SC_CMP_GTE, SC_CMP_LT, SC_CMP_LTE, SC_CMP_EQ, SC_CMP_NEQ } sc_cmp;
const char *sc_cmp_name(sc_cmp c);

typedef struct sc_rule_ref {
    const char *ref;     /* id or name as written */
    sc_loc loc;
    sigcc_rule *target;  /* set by sigcc_resolve */
} sc_rule_ref;

typedef struct sc_alias_entry {
    const char *rule;
    const char *field;
} sc_alias_entry;

typedef struct sc_alias {
    const char *name;
    sc_alias_entry *entries;
    size_t n_entries;
} sc_alias;

typedef struct sc_corr_cond {
    sc_cmp cmp;
    double value;
} sc_corr_cond;

typedef struct sc_correlation {
    sc_corr_type type;
    sc_rule_ref *rules;
    size_t n_rules;
    const char **group_by;
    size_t n_group_by;
    const char *timespan_text;
    uint64_t timespan_s;
    sc_corr_cond conds[2]; /* one comparison, or a range of two */
    size_t n_conds;
    const char **fields;   /* condition.field for value_* types */
    size_t n_fields;
    bool has_percentile;
    double percentile;
    sc_alias *aliases;
    size_t n_aliases;
    bool generate;
} sc_correlation;

typedef struct sc_filter {
    sc_rule_ref *rules;
    size_t n_rules;
    bool any;
} sc_filter;

typedef struct sc_strlist {
    const char **items;
    size_t n;
} sc_strlist;

/* Hunting columns (src/hunting.c, docs/hunting.md): what a query reports
 * besides matching. They never change which events or groups match. */
typedef enum sc_hunt_fn {
    SC_HUNT_COUNT_DISTINCT, SC_HUNT_SUM, SC_HUNT_AVG, SC_HUNT_MIN, SC_HUNT_MAX, SC_HUNT_VALUES
} sc_hunt_fn;
const char *sc_hunt_fn_name(sc_hunt_fn f);

typedef struct sc_hunt_literal {
    const char *text;
    bool is_number;
    double num;
} sc_hunt_literal;

typedef struct sc_hunt_case {   /* label when the field equals one of values */
    const char *label;
    sc_hunt_literal *values;
    size_t n_values;
} sc_hunt_case;

typedef struct sc_hunt_column { /* a per-event column: cases over one field */
    const char *name, *field;
    sc_hunt_case *cases;
    size_t n_cases;
    const char *otherwise;
    sc_loc loc;
} sc_hunt_column;

typedef struct sc_hunt_aggregate { /* a correlation's extra aggregate */
    const char *name;
    sc_hunt_fn fn;
    const char *field;
    bool of_column;             /* field names a hunting column, not an event field */
    sc_loc loc;
} sc_hunt_aggregate;

typedef struct sc_hunt_test {   /* name equals one of values, or compares to values[0] */
    const char *name;
    sc_cmp cmp;
    sc_hunt_literal *values;
    size_t n_values;
    sc_loc loc;
} sc_hunt_test;

typedef struct sc_hunt_severity { /* level when every test holds (none: always) */
    const char *level;
    sc_hunt_test *tests;
    size_t n_tests;
} sc_hunt_severity;

typedef struct sc_hunting {
    sc_hunt_column *columns;
    size_t n_columns;
    sc_hunt_aggregate *aggregates;
    size_t n_aggregates;
    sc_hunt_severity *severity;
    size_t n_severity;
    const char *sort_by;        /* NULL: no order */
    bool sort_descending;
} sc_hunting;

/* The name a correlation's own aggregate has in queries and hunting
 * tests: EventCount, ValueCount, ValueSum, ValueAvg, ValuePercentile,
 * RuleCount (temporal: how many of the rules matched). */
const char *sc_corr_value_name(sc_corr_type t);

struct sigcc_rule {
    sc_arena *arena;
    sigcc_rule_kind kind;
    const char *file;
    uint32_t line;           /* first line of the document */
    size_t doc_index;        /* 0-based document number in the file */
    const char *title, *id, *name, *status, *description, *author, *license;
    const char *date, *modified, *level, *taxonomy;
    sc_strlist references, tags, falsepositives, fields, scope;
    sc_related *related;
    size_t n_related;
    sc_logsource logsource;
    bool has_logsource;
    sc_custom *custom;
    size_t n_custom;
    sc_selection *selections; /* detection rules and filters */
    size_t n_selections;
    const char **condition_texts;
    size_t n_conditions;
    sc_node *condition;       /* resolved: selections substituted */
    sc_correlation *corr;
    sc_hunting *hunting;      /* NULL without a hunting: block */
    sc_filter *filter;
    sc_vec applied_filters;   /* filters (sigcc_rule *) that tune this rule */
    sc_vec used_by;           /* correlations (sigcc_rule *) referencing this rule */
    bool dropped;             /* set by sigcc_resolve before freeing a broken rule */
    uint8_t visit;            /* sigcc_resolve's cycle search: 0 new, 1 on path, 2 done */
    bool in_cycle;
    sc_vec pipeline_items;    /* ids (const char *) of processing items applied (pipeline.c) */
};

/* Builds one rule from one YAML document. NULL if the document is not a
 * usable rule (diagnostics given). */
sigcc_rule *sc_rule_build(sc_diag_list *diags, const sc_source *src, const sc_ynode *doc,
                          size_t doc_index);
void sc_rule_free(sigcc_rule *rule);

/* Reads a rule's `hunting:` block; false with diagnostics on an error. */
bool sc_hunting_read(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                     const sc_ynode *block, sigcc_rule *rule);

/* Parses one detection map entry's value into a node (modifiers applied). */
sc_node *sc_detection_build(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                            const char *name, const sc_ynode *value);

/* Modifier chain "field|a|b" -> match skeleton; false on error. */
bool sc_modifiers_parse(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                        const sc_ynode *key, sc_match *out);
/* Converts YAML values to typed, transformed values for a parsed match. */
bool sc_values_build(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                     const sc_ynode *key, const sc_ynode *const *vals, size_t n, sc_match *m);

/* Sigma string escapes and wildcards -> parts. `expand` recognizes %name%. */
bool sc_pattern_parse(sc_arena *a, const char *s, size_t len, bool expand, sc_part **parts,
                      size_t *n_parts);
/* Writes parts back in Sigma notation (escaping literal * ? \ as needed). */
void sc_pattern_write(sc_buf *b, const sc_part *parts, size_t n, bool expand);
bool sc_pattern_has_wildcards(const sc_part *parts, size_t n);

/* ---------------------------------------------------------------- context */
struct sigcc_ctx {
    sc_diag_list diags;
    sc_vec rules;     /* sigcc_rule *, valid rules in load order */
    sc_arena *arena;  /* the context's own bookkeeping */
    sc_arena *scratch; /* one file's YAML tree while its rules are built */
    size_t documents;
    bool resolved;
    sc_vec pipelines;  /* sc_pipeline *, in load order */
    bool pipelines_applied;
};

/* Text form of a rule (explain). */
void sc_explain_rule(sc_buf *b, const sigcc_rule *rule);
void sc_explain_node(sc_buf *b, const sc_node *n, int indent);

/* Small helpers */
bool sc_utf8_valid(const char *s, size_t len);
size_t sc_utf8_chars(const char *s, size_t len);
bool sc_is_uuid(const char *s);
size_t sc_edit_distance(const char *a, size_t la, const char *b);
/* FNV-1a. Event slots and the prefilter's field table must agree on
 * sc_hash32, so both call it. */
uint32_t sc_hash32(const char *s, size_t n);
uint64_t sc_hash64(const char *s, size_t n);

#endif
