/*
 * pipeline.h - processing pipelines: a documented subset of pySigma's
 * processing-pipeline YAML format (docs/pipelines.md).
 *
 * A pipeline rewrites resolved rules before a backend or the evaluator sees
 * them: field names (Sysmon taxonomy -> ECS), values, added conditions, the
 * logsource; or it refuses a rule that its target cannot express. Users bring
 * the pipelines they already have for pySigma; anything this subset does not
 * implement is an error with file:line:col, never silently ignored.
 *
 *     sc_pipeline *p = sc_pipeline_load(&diags, &src);       // NULL on error
 *     sc_pipeline *pipes[] = {p};
 *     if (!sc_pipeline_apply(pipes, 1, rule, &diags)) ...    // do not use rule
 *     sc_pipeline_free(p);
 *
 * Apply every rule of a context, filters included (a filter gets the same
 * field and value rewriting as the rules it tunes). A pipeline never holds a
 * pointer into a rule, and a rule never points into a pipeline: either can be
 * freed first.
 */
#ifndef SC_PIPELINE_H
#define SC_PIPELINE_H

#include "internal.h"

typedef struct sc_pipeline sc_pipeline;

/* Parses a pipeline document. `src` needs name, text and len; line_starts
 * may be NULL (computed here). The pipeline copies what it keeps. NULL on
 * error, with diagnostics added. */
sc_pipeline *sc_pipeline_load(sc_diag_list *diags, const sc_source *src);
void sc_pipeline_free(sc_pipeline *p);

int sc_pipeline_priority(const sc_pipeline *p);
const char *sc_pipeline_name(const sc_pipeline *p); /* the 'name' key, or the file name */

/* Sorts by priority, lowest first, keeping the given order among equal
 * priorities (as pySigma does when it chains pipelines). */
void sc_pipeline_sort(sc_pipeline **pipes, size_t n);

/* Applies pipelines in order (as one chained pipeline: shared state and
 * variables, later ones overriding earlier ones' variables) to one resolved
 * rule, rewriting it in its own arena. The ids of the processing items that
 * applied are added to rule->pipeline_items.
 * Returns false if the rule must not be used: a rule_failure or
 * detection_item_failure fired, or the rewrite failed. The diagnostics say
 * why, at the rule's location; the rule may then be partly rewritten. */
bool sc_pipeline_apply(sc_pipeline *const *pipes, size_t n, sigcc_rule *rule,
                       sc_diag_list *diags);

/* The field-name rewrites of a pipeline, for reading names backwards (the
 * catalog turns vendor spellings into taxonomy names with them, then
 * checks each candidate by applying the pipeline to a probe rule). */
typedef enum sc_rename_kind {
    SC_RENAME_FIELD,      /* field_name_mapping: from -> to */
    SC_RENAME_PREFIX_MAP, /* field_name_prefix_mapping: prefix from -> prefix to */
    SC_RENAME_PREFIX,     /* field_name_prefix: `to` put before names */
    SC_RENAME_SUFFIX      /* field_name_suffix: `to` put after names */
} sc_rename_kind;

typedef struct sc_rename {
    sc_rename_kind kind;
    const char *from;     /* FIELD, PREFIX_MAP (keyword keys are skipped); else NULL */
    const char *to;
} sc_rename;

/* Calls fn once per rewrite, in the pipeline's order, whatever the
 * conditions of its item. */
void sc_pipeline_each_rename(const sc_pipeline *p, void (*fn)(void *ud, const sc_rename *r),
                             void *ud);

#endif
