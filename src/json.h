/*
 * json.h - JSON documents into events, through simdjson (see docs/decisions.md
 * for why that parser). One parser per thread; its strings stay valid until
 * the next parse, as long as the event that points at them.
 */
#ifndef SC_JSON_H
#define SC_JSON_H

#ifdef __cplusplus
extern "C" {
#endif

#include "event.h"

/* Bytes that must be readable (any value) after a document handed to
 * sc_json_parse. */
#define SC_JSON_PADDING 64
#define SC_JSON_MAX_DEPTH 512

typedef struct sc_json sc_json;

sc_json *sc_json_new(void);
void sc_json_free(sc_json *p);
/* Parses one document that must be an object into `ev` (reset first by the
 * caller). False with a message when the text is not valid JSON. */
bool sc_json_parse(sc_json *p, const char *data, size_t len, sc_eventbuf *ev, char *err,
                   size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
