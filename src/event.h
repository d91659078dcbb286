/*
 * event.h - one event as the evaluator sees it: every scalar of a JSON
 * document under its dotted path, plus the Sigma names that the known
 * Windows shapes give it (EVTX-as-JSON, Winlogbeat), in a small hash table.
 *
 * Parsers feed an event through a builder (key / enter / leave / scalar) so
 * that JSON and EVTX input end up in the same form. Strings given to the
 * builder must stay valid until the event is reset (parsers hand over views
 * into their own buffers); paths are copied.
 */
#ifndef SC_EVENT_H
#define SC_EVENT_H

#include "match.h"

#define SC_EVENT_MAX_DEPTH 64       /* nesting below which values are ignored */
#define SC_EVENT_MAX_FIELDS 100000  /* scalars kept per event */

typedef struct sc_evvalue {
    const char *path;  /* full dotted path */
    uint32_t path_len;
    sc_fieldval val;
} sc_evvalue;

typedef struct sc_evslot {
    const char *name;
    uint32_t name_len;
    uint32_t hash;
    uint32_t value; /* index into values, UINT32_MAX = empty slot */
} sc_evslot;

typedef struct sc_evchunk sc_evchunk;

typedef struct sc_evframe {
    uint32_t path_len;  /* path length before this container's key */
    uint32_t key_start; /* where its key sits in the path (key_len 0: none) */
    uint32_t key_len;
    bool is_array;
} sc_evframe;

typedef struct sc_eventbuf {
    sc_evvalue *values;
    size_t n_values, cap_values;
    sc_evslot *slots;  /* open addressing, power-of-two size */
    size_t n_slots, used_slots;
    sc_evchunk *chunks; /* copied paths and aliases, reused across events */
    /* builder state */
    char *path;
    size_t path_len, path_cap;
    const char *key;
    size_t key_len;
    bool has_key;
    sc_evframe frames[SC_EVENT_MAX_DEPTH + 1];
    int depth;
    size_t skip_depth;  /* containers open beyond SC_EVENT_MAX_DEPTH */
    bool truncated;     /* fields beyond SC_EVENT_MAX_FIELDS were dropped */
    bool oom;
    sc_event iface;     /* the matcher's view of this event */
} sc_eventbuf;

void sc_eventbuf_init(sc_eventbuf *e);
void sc_eventbuf_fini(sc_eventbuf *e);
void sc_eventbuf_reset(sc_eventbuf *e);

/* Builder */
void sc_evb_key(sc_eventbuf *e, const char *key, size_t len);
void sc_evb_enter(sc_eventbuf *e, bool is_array);
void sc_evb_leave(sc_eventbuf *e);
void sc_evb_scalar(sc_eventbuf *e, const sc_fieldval *v);

/* Memory that lives until the event is reset (number texts, say). */
char *sc_event_scratch(sc_eventbuf *e, size_t n);

/* Lookup: values of a field by Sigma name or dotted path. */
size_t sc_event_get(const sc_eventbuf *e, const char *name, size_t len, sc_fieldval *out,
                    size_t max);
/* Value `index` of the event, its folded text filled in. */
const sc_fieldval *sc_event_value(const sc_eventbuf *e, uint32_t index);
/* The first value of a field as text (strings and numbers), or false. */
bool sc_event_text(const sc_eventbuf *e, const char *name, const char **s, size_t *len);

/* Seconds since the epoch from an ISO 8601 / RFC 3339 timestamp
 * ("2019-07-19T14:42:51.446281Z", "2019-07-19 14:42:51.257", offsets). */
bool sc_parse_timestamp(const char *s, size_t len, double *out);

#endif
