/*
 * backend.h - what a target language plugs into sigcc: one table of data
 * and function pointers per backend, listed in registry.c. A backend turns
 * a rule (resolved, mapped by pipelines, optimized) into query text, or
 * says why it cannot: `file:line:col: error: TARGET cannot express ...`.
 * Adding a target touches no core file but the registry.
 */
#ifndef SC_BACKEND_H
#define SC_BACKEND_H

#include "internal.h"

typedef struct sc_backend sc_backend;

/* State of one rule's conversion, shared with the emitters. */
typedef struct sc_emit {
    const sc_backend *backend;
    const sigcc_rule *rule;
    sc_buf *out;
    sc_diag_list *diags;
    bool failed;
    unsigned negated; /* how many nots enclose the match being written */
} sc_emit;

struct sc_backend {
    const char *name;             /* -t NAME */
    const char *language;         /* "Elastic EQL" */
    const char *default_pipeline; /* a built-in pipeline name, or NULL */
    const char *const *formats;   /* NULL-terminated; the first is the default */
    /* File extension per format (same order), for convert --out-dir; NULL
     * entries or a NULL table: the target's name. */
    const char *const *extensions;
    /* Writes the query for a detection rule; false (with a diagnostic) if
     * the target cannot express it. */
    bool (*detection)(sc_emit *e, const char *format);
    /* The same for a correlation rule; NULL when the backend has none. */
    bool (*correlation)(sc_emit *e, const char *format);
};

/* Reports that the target cannot express something, at `loc` in the rule. */
void sc_emit_error(sc_emit *e, sc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const sc_backend *sc_backend_find(const char *name);
const sc_backend *sc_backend_at(size_t index);

/* Built-in pipelines: the YAML files of pipelines/, compiled into the library. */
typedef struct sc_builtin_pipeline {
    const char *name;   /* file name without .yml */
    const char *text;
    size_t len;
} sc_builtin_pipeline;
const sc_builtin_pipeline *sc_builtin_pipeline_at(size_t index);
const sc_builtin_pipeline *sc_builtin_pipeline_find(const char *name);

#endif
