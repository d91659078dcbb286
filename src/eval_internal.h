/*
 * eval_internal.h - the evaluator's state, shared by eval.c (preparing and
 * running rules) and eval_output.c (formatting results).
 */
#ifndef SC_EVAL_INTERNAL_H
#define SC_EVAL_INTERNAL_H

#include "sigcc.h"

#include "correlate.h"
#include "input.h"
#include "logsource.h"
#include "prefilter.h"

typedef struct eval_rule eval_rule;

typedef struct eval_unit {
    uint32_t id;
    bool prefiltered;                 /* runs only when the prefilter marks it */
    eval_rule *rule;
    const sc_logsource_entry *source; /* NULL: not tied to a Windows source */
    sc_node *tree;
} eval_unit;

struct eval_rule {
    sigcc_rule *rule;
    const char **fields;     /* shown with a match */
    size_t n_fields;
    bool report;             /* emits its own matches */
    bool windows;            /* only Windows events (has Channel) */
    bool not_windows;        /* never Windows events */
    uint64_t seen_event;     /* dedupe: the last event that reached it */
    sc_vec consumers;        /* eval_corr * */
    size_t stats_index;
};

typedef struct eval_corr {
    sigcc_rule *rule;
    sc_corr *state;
    bool report;
    sc_vec consumers;        /* eval_corr * (chained correlations) */
    size_t stats_index;
} eval_corr;

typedef struct bucket {
    char *key;               /* "channel-lowercase\x1fEventID" ("*" any ID) */
    sc_vec units;            /* eval_unit * */
    struct bucket *next;
} bucket;

struct sigcc_eval {
    sigcc_ctx *ctx;
    sigcc_eval_options opts;
    sc_arena *arena;
    bucket **buckets;
    size_t n_buckets;
    sc_vec any_units;        /* units without a source */
    sc_vec all_units;        /* eval_unit *, by id */
    sc_prefilter *prefilter;
    uint32_t *marks;         /* per unit: the event number that marked it */
    uint32_t mark;
    sc_vec corrs;            /* eval_corr * */
    sigcc_eval_rule_stats *rstats;
    size_t n_rstats;
    sigcc_eval_stats stats;
    sc_eval_state st;
    sc_json *json;
    sc_eventbuf ev;
    uint64_t event_no;
    double now;              /* newest event time seen */
    double last_time;
    bool matched_this_event;
    /* the event being evaluated */
    const char *file;
    uint64_t where;
    bool is_record;
    double time;
    bool has_time;
    const char *time_text;
    size_t time_len;
    sc_buf out;
};

/* Writes one detection match / correlation result through opts.emit. */
void sc_eval_emit_match(sigcc_eval *ev, const eval_rule *er);
void sc_eval_emit_correlation(sigcc_eval *ev, const sc_corr_result *res);

#endif
