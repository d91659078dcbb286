/*
 * match.h - evaluating a detection tree against one event.
 *
 * An event is anything that can answer two questions: the values of a
 * field (arrays flattened; none when the field is absent), and every value
 * it holds (for keyword searches). JSON and EVTX readers implement it.
 */
#ifndef SC_MATCH_H
#define SC_MATCH_H

#include "internal.h"

#define SC_EVAL_MAX_VALUES 64          /* values of one field looked at (array elements) */
#define SC_EVAL_MAX_KEYWORD_PARTS 62   /* longer keyword patterns are matched as written */
#define SC_REGEX_MATCH_LIMIT 1000000u  /* pcre2 backtracking budget per match */
#define SC_REGEX_DEPTH_LIMIT 10000u

typedef enum sc_fv_kind {
    SC_FV_NULL,   /* present, JSON null */
    SC_FV_STRING,
    SC_FV_NUMBER, /* s/len hold the number as the event wrote it */
    SC_FV_BOOL,
    SC_FV_OBJECT  /* a nested object: present, but no scalar value */
} sc_fv_kind;

typedef struct sc_fieldval {
    sc_fv_kind kind;
    const char *s;
    size_t len;
    double num;
    bool b;
    const char *folded; /* optional: s with ASCII letters lowered (same length) */
} sc_fieldval;

typedef struct sc_event sc_event;
struct sc_event {
    /* Writes up to `max` values of `field` to `out`; returns how many
     * (0: the field is absent). */
    size_t (*get)(const sc_event *ev, const char *field, sc_fieldval *out, size_t max);
    /* Calls `visit` for every scalar value of the event until it returns
     * false. */
    void (*each_value)(const sc_event *ev, bool (*visit)(void *ud, const sc_fieldval *v),
                       void *ud);
    void *data;
};

/* Per-thread scratch (pcre2 match data) and counters. Zero-initialize;
 * release with sc_eval_state_fini. */
typedef struct sc_eval_state {
    void *match_data;    /* pcre2_match_data * */
    void *match_context; /* pcre2_match_context * */
    size_t regex_limit_hits;
} sc_eval_state;

bool sc_eval_node(const sc_node *node, const sc_event *ev, sc_eval_state *st);
void sc_eval_state_fini(sc_eval_state *st);

bool sc_glob_match(const sc_part *parts, size_t n, const char *s, size_t len, bool cased);
/* Case-insensitive glob over texts already folded: every LIT part's
 * `folded` and the subject. */
bool sc_glob_match_folded(const sc_part *parts, size_t n, const char *s, size_t len);
/* Sets `folded` on the LIT parts of every string value under `node`. */
bool sc_fold_parts(sc_arena *a, sc_node *node);
extern const unsigned char sc_ascii_lower[256];
bool sc_parse_number(const char *s, size_t len, double *out);
bool sc_time_part(const char *s, size_t len, sc_timepart part, double *out);

#endif
