/*
 * sigcc.h - the public interface of libsigcc, the Sigma Compiler Collection.
 *
 * A caller creates a context, loads rule files or buffers into it, asks for
 * the rules and the diagnostics, and frees the context. The library never
 * prints, never exits and never aborts on bad input: every problem becomes a
 * diagnostic with a file, a line and a column.
 *
 *     sigcc_ctx *ctx = sigcc_ctx_new();
 *     sigcc_load_path(ctx, "rules/");
 *     sigcc_resolve(ctx);                 // correlation and filter links
 *     for (size_t i = 0; i < sigcc_diag_count(ctx); i++) ...
 *     sigcc_ctx_free(ctx);
 *
 * Ownership: strings returned as `const char *` are borrowed from the context
 * and live until sigcc_ctx_free(); `char **out` results are owned by the
 * caller and released with sigcc_free().
 */
#ifndef SIGCC_H
#define SIGCC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SIGCC_API __attribute__((visibility("default")))
#else
#define SIGCC_API
#endif

#define SIGCC_VERSION "0.1.0"

typedef enum sigcc_status {
    SIGCC_OK = 0,
    SIGCC_EINVALID,     /* the input has errors; see the diagnostics */
    SIGCC_ENOMEM,       /* an allocation failed */
    SIGCC_EIO,          /* a file could not be read */
    SIGCC_EUNSUPPORTED, /* a target cannot express the rule */
    SIGCC_EUSAGE        /* the caller passed a bad argument */
} sigcc_status;

typedef enum sigcc_severity {
    SIGCC_NOTE = 0,
    SIGCC_WARNING,
    SIGCC_ERROR
} sigcc_severity;

typedef enum sigcc_rule_kind {
    SIGCC_RULE_DETECTION = 0,
    SIGCC_RULE_CORRELATION,
    SIGCC_RULE_FILTER
} sigcc_rule_kind;

typedef struct sigcc_ctx sigcc_ctx;
typedef struct sigcc_rule sigcc_rule;

/* One diagnostic. Line and column are 1-based; 0 means "whole file". */
typedef struct sigcc_diag {
    sigcc_severity severity;
    const char *code;        /* stable identifier, e.g. "unknown-modifier" */
    const char *file;        /* path as given to the loader, or "<buffer>" */
    uint32_t line;
    uint32_t col;
    uint32_t len;            /* columns to underline, at least 1 */
    const char *message;
    const char *source_line; /* the line of the file the diagnostic points at, or NULL */
} sigcc_diag;

typedef enum sigcc_diag_format {
    SIGCC_DIAG_TEXT = 0, /* file:line:col: error: message + source line + caret */
    SIGCC_DIAG_JSON      /* one JSON object per line */
} sigcc_diag_format;

/* Context ---------------------------------------------------------------- */
SIGCC_API sigcc_ctx *sigcc_ctx_new(void);
SIGCC_API void sigcc_ctx_free(sigcc_ctx *ctx);
SIGCC_API void sigcc_free(void *p);
SIGCC_API const char *sigcc_status_string(sigcc_status status);

/* Loading ---------------------------------------------------------------- */
/* A file, or a directory walked recursively for *.yml and *.yaml files. */
SIGCC_API sigcc_status sigcc_load_path(sigcc_ctx *ctx, const char *path);
/* A buffer; `name` is what diagnostics call it. The buffer is copied. */
SIGCC_API sigcc_status sigcc_load_buffer(sigcc_ctx *ctx, const char *name,
                                         const char *data, size_t len);
/* Links correlations to the rules they reference and filters to the rules
 * they tune. Call once after the last load; reports missing references. */
SIGCC_API sigcc_status sigcc_resolve(sigcc_ctx *ctx);

/* Processing pipelines --------------------------------------------------- */
/* Field-name and value mappings in pySigma's pipeline format (see
 * docs/pipelines.md). Load them, then apply after sigcc_resolve: rules are
 * rewritten in place; a rule a pipeline refuses is left out (with a
 * diagnostic) and SIGCC_EINVALID is returned. */
SIGCC_API sigcc_status sigcc_pipeline_load_path(sigcc_ctx *ctx, const char *path);
SIGCC_API sigcc_status sigcc_pipeline_load_buffer(sigcc_ctx *ctx, const char *name,
                                                  const char *data, size_t len);
SIGCC_API sigcc_status sigcc_apply_pipelines(sigcc_ctx *ctx);

/* Optimizer -------------------------------------------------------------- */
/* Rewrites every rule's detection tree into a smaller one with the same
 * meaning (docs/optimizer.md). Call after sigcc_resolve (and pipelines). */
typedef struct sigcc_optimize_options {
    int level;                            /* 0: no passes; 1: every pass */
    const char *const *disabled_passes;   /* pass names left out */
    size_t n_disabled;
    /* Called after each pass that changed a rule, with its tree as text. */
    void (*trace)(void *ud, const sigcc_rule *rule, const char *pass, const char *tree);
    void *ud;
} sigcc_optimize_options;

/* SIGCC_EUSAGE for an unknown pass name (nothing is changed then). */
SIGCC_API sigcc_status sigcc_optimize(sigcc_ctx *ctx, const sigcc_optimize_options *opts);
/* Pass names in the order they run; NULL past the last. */
SIGCC_API const char *sigcc_pass_at(size_t index);

/* Conversion to query languages (backends/) -------------------------------- */
/* Target names (eql, ...), their formats and default pipelines; built-in
 * pipelines by name. Each returns NULL past the end / when unknown. */
SIGCC_API const char *sigcc_target_at(size_t index);
SIGCC_API const char *sigcc_target_format_at(const char *target, size_t index);
SIGCC_API const char *sigcc_target_default_pipeline(const char *target);
/* The file name extension (without the dot) for a target's format, NULL
 * (or the default format): the target's own ("kql"). */
SIGCC_API const char *sigcc_target_format_extension(const char *target, const char *format);
SIGCC_API const char *sigcc_builtin_pipeline_at(size_t index);
/* A built-in pipeline by name, else a file. */
SIGCC_API sigcc_status sigcc_pipeline_load(sigcc_ctx *ctx, const char *name_or_path);
/* The query for one rule (resolved, pipelines applied, optimized), in
 * `*out` (free with sigcc_free). SIGCC_EUNSUPPORTED when the target cannot
 * express the rule: the diagnostics say what, at the rule's position. */
SIGCC_API sigcc_status sigcc_convert_rule(sigcc_ctx *ctx, const sigcc_rule *rule,
                                          const char *target, const char *format, char **out);
/* False for filters and for rules that only feed correlations without
 * `generate: true` (they are part of the correlation's query). */
SIGCC_API int sigcc_rule_emitted_alone(const sigcc_rule *rule);

/* Technique catalog ---------------------------------------------------------- */
/* Per ATT&CK technique (attack.tNNNN[.NNN] tags): the rules, the events
 * they read, the fields and values they filter on, their exclusions, with
 * field names normalized to the Sigma taxonomy through the built-in
 * pipelines (docs/catalog.md). Add resolved rules (pipelines not applied),
 * then write one or more pages. */
typedef struct sigcc_catalog sigcc_catalog;

typedef enum sigcc_catalog_format {
    SIGCC_CATALOG_MARKDOWN = 0,
    SIGCC_CATALOG_HTML,       /* one self-contained page */
    SIGCC_CATALOG_JSON
} sigcc_catalog_format;

#define SIGCC_CATALOG_ALL ((size_t)-1)

typedef struct sigcc_catalog_options {
    int roll_up;      /* count sub-techniques under their parent (T1071.003 -> T1071) */
    size_t top;       /* rows of each ranked table; 0: 25, SIGCC_CATALOG_ALL: every row */
    size_t samples;   /* sample values per field; 0: 5 */
} sigcc_catalog_options;

/* NULL on OOM. `opts` may be NULL (defaults). */
SIGCC_API sigcc_catalog *sigcc_catalog_new(const sigcc_catalog_options *opts);
/* Detection and correlation rules are counted; filters only through the
 * rules they tune. The rule may be freed afterwards. */
SIGCC_API sigcc_status sigcc_catalog_add_rule(sigcc_catalog *cat, const sigcc_rule *rule);
/* Every rule of a context, in load order. */
SIGCC_API sigcc_status sigcc_catalog_add_ctx(sigcc_catalog *cat, const sigcc_ctx *ctx);
/* The pages of `techniques` (IDs such as T1071.003), or of every technique
 * when n_techniques is 0, in `*out` (free with sigcc_free). */
SIGCC_API sigcc_status sigcc_catalog_write(sigcc_catalog *cat, sigcc_catalog_format format,
                                           const char *const *techniques, size_t n_techniques,
                                           char **out);
SIGCC_API void sigcc_catalog_free(sigcc_catalog *cat);

/* Rules ------------------------------------------------------------------ */
/* Documents seen (valid or not), and the valid rules kept. */
SIGCC_API size_t sigcc_document_count(const sigcc_ctx *ctx);
SIGCC_API size_t sigcc_rule_count(const sigcc_ctx *ctx);
SIGCC_API const sigcc_rule *sigcc_rule_at(const sigcc_ctx *ctx, size_t index);
SIGCC_API sigcc_rule_kind sigcc_rule_get_kind(const sigcc_rule *rule);
SIGCC_API const char *sigcc_rule_title(const sigcc_rule *rule);
SIGCC_API const char *sigcc_rule_id(const sigcc_rule *rule);   /* may be NULL */
SIGCC_API const char *sigcc_rule_file(const sigcc_rule *rule);
SIGCC_API uint32_t sigcc_rule_line(const sigcc_rule *rule);
/* The rule's parsed form as stable, readable text (see docs/explain.md). */
SIGCC_API sigcc_status sigcc_rule_explain(const sigcc_rule *rule, char **out);

/* Diagnostics ------------------------------------------------------------ */
SIGCC_API size_t sigcc_diag_count(const sigcc_ctx *ctx);
SIGCC_API const sigcc_diag *sigcc_diag_at(const sigcc_ctx *ctx, size_t index);
SIGCC_API size_t sigcc_diag_count_severity(const sigcc_ctx *ctx, sigcc_severity sev);
/* Renders one diagnostic; the result ends with a newline. */
SIGCC_API sigcc_status sigcc_diag_render(const sigcc_diag *diag, sigcc_diag_format format,
                                         char **out);

/* Evaluation ------------------------------------------------------------- */
/* Runs the loaded (and resolved) rules over event files. Matches are
 * written through `emit` as text lines (JSON or table rows, with the
 * newline); the counters below tell what happened. See docs/evaluator.md. */
typedef struct sigcc_eval sigcc_eval;

typedef enum sigcc_eval_format {
    SIGCC_EVAL_JSONL = 0,
    SIGCC_EVAL_TABLE
} sigcc_eval_format;

typedef struct sigcc_eval_options {
    sigcc_eval_format format;
    const char *time_field;  /* NULL: the known timestamp fields of each shape */
    int logsources;          /* 0: Windows logsource table; 1: off (every rule sees every event) */
    void (*emit)(void *ud, const char *text, size_t len);
    /* Problems with the input (malformed record, ...), one line each, no newline. */
    void (*report)(void *ud, const char *text);
    void *ud;
    int no_prefilter;        /* 1: evaluate every rule on every event of its logsource */
} sigcc_eval_options;

typedef struct sigcc_eval_rule_stats {
    const sigcc_rule *rule;
    uint64_t matches;
} sigcc_eval_rule_stats;

typedef struct sigcc_eval_stats {
    uint64_t events;         /* records read and parsed */
    uint64_t bad_records;    /* malformed records skipped */
    uint64_t bytes;          /* uncompressed input bytes */
    uint64_t matched_events; /* events matched by at least one rule */
    uint64_t matches;        /* detection and correlation results emitted */
    uint64_t no_timestamp;   /* events without a readable timestamp */
    uint64_t regex_limit_hits;
    size_t rules_used;       /* rules evaluated */
    size_t rules_refused;    /* rules that cannot be evaluated (diagnostics say why) */
    size_t files_failed;     /* inputs that could not be read at all */
} sigcc_eval_stats;

/* Prepares every rule of the context; rules that cannot be evaluated get a
 * diagnostic in the context and are left out. */
SIGCC_API sigcc_status sigcc_eval_new(sigcc_ctx *ctx, const sigcc_eval_options *opts,
                                      sigcc_eval **out);
/* One input: a path, or "-" for stdin (JSON lines, JSON array, concatenated
 * objects, gzip of those, or EVTX). SIGCC_EIO if it could not be read. */
SIGCC_API sigcc_status sigcc_eval_path(sigcc_eval *ev, const char *path);
/* Closes the correlation windows still open. Call after the last input. */
SIGCC_API void sigcc_eval_finish(sigcc_eval *ev);
SIGCC_API const sigcc_eval_stats *sigcc_eval_get_stats(const sigcc_eval *ev);
/* Per-rule match counts: detection rules in load order, then correlations. */
SIGCC_API size_t sigcc_eval_rule_stats_count(const sigcc_eval *ev);
SIGCC_API const sigcc_eval_rule_stats *sigcc_eval_rule_stats_at(const sigcc_eval *ev, size_t i);
SIGCC_API void sigcc_eval_free(sigcc_eval *ev);

#ifdef __cplusplus
}
#endif
#endif /* SIGCC_H */
