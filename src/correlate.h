/*
 * correlate.h - the state of one correlation rule while events stream by:
 * groups (by the group-by values), each with a sliding window of the hits
 * of its referenced rules over the events' own timestamps.
 */
#ifndef SC_CORRELATE_H
#define SC_CORRELATE_H

#include "internal.h"

#define SC_CORR_MAX_WINDOW 100000  /* hits kept per group; older ones are dropped */
#define SC_CORR_MAX_GROUPS 1000000 /* groups kept per correlation */
#define SC_CORR_MAX_REPORTED 100   /* events listed in one result */

/* A referenced rule matched: where, when, and how to read its fields. */
typedef struct sc_hit {
    const sigcc_rule *rule;
    double time;
    const char *file;
    uint64_t where;   /* line or record number */
    bool is_record;   /* where is an EVTX record number */
    /* Text of a field of the matching event (or of the group of a chained
     * correlation); false when absent. */
    bool (*field)(const void *src, const char *name, const char **s, size_t *len);
    const void *src;
} sc_hit;

typedef struct sc_hit_ref {
    const sigcc_rule *rule;
    double time;
    const char *file;
    uint64_t where;
    bool is_record;
} sc_hit_ref;

typedef struct sc_corr_result {
    const sigcc_rule *rule;
    const char *const *group_names;
    const char *const *group_values;
    size_t n_group;
    double value;          /* count, distinct count, sum, average or percentile */
    double first, last;
    const sc_hit_ref *events;
    size_t n_events;       /* listed (at most SC_CORR_MAX_REPORTED) */
    size_t total_events;
} sc_corr_result;

typedef void (*sc_corr_sink)(void *ud, const sc_corr_result *res);

typedef struct sc_corr sc_corr;

sc_corr *sc_corr_new(const sigcc_rule *rule);
void sc_corr_free(sc_corr *c);
/* Feeds one hit; results go to the sink. False on allocation failure. */
bool sc_corr_feed(sc_corr *c, const sc_hit *hit, sc_corr_sink sink, void *ud);
/* Closes windows that ended before `now` (and at the end of input, all of
 * them: now = INFINITY), reporting conditions decided at window close. */
void sc_corr_expire(sc_corr *c, double now, sc_corr_sink sink, void *ud);
size_t sc_corr_groups(const sc_corr *c);

#endif
