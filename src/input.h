/*
 * input.h - event sources: a file, a gzip file or stdin holding JSON lines,
 * a JSON array, a stream of concatenated (pretty-printed) objects, or a
 * Windows EVTX log. The shape is detected from the first bytes.
 */
#ifndef SC_INPUT_H
#define SC_INPUT_H

#include "json.h"

#define SC_INPUT_MAX_DOCUMENT ((size_t)1 << 30) /* one JSON document or line */
#define SC_INPUT_MAX_EVTX ((size_t)4 << 30)     /* EVTX files are read whole */

typedef enum sc_input_kind {
    SC_INPUT_UNKNOWN, SC_INPUT_JSON_LINES, SC_INPUT_JSON_STREAM, SC_INPUT_JSON_ARRAY,
    SC_INPUT_EVTX,
    SC_INPUT_TEXT_LINES /* plain text (syslog...): each line is an event with one field, message */
} sc_input_kind;

typedef enum sc_input_status {
    SC_INPUT_FATAL = -2, /* cannot go on with this input (I/O error, not EVTX...) */
    SC_INPUT_BAD = -1,   /* one malformed record, skipped; reading goes on */
    SC_INPUT_END = 0,
    SC_INPUT_EVENT = 1
} sc_input_status;

typedef struct sc_input sc_input;

/* "-" reads stdin. NULL with a message when the file cannot be opened.
 * Files named *.log, *.txt, *.raw or *.syslog (also gzip'd) are read as
 * plain text lines; everything else is detected from its first bytes. */
sc_input *sc_input_open(const char *path, char *err, size_t errlen);
void sc_input_close(sc_input *in);

/* Reads the next event into `ev` (which it resets). `where` is the line of
 * the record's first byte (JSON) or its EVTX record number. */
sc_input_status sc_input_next(sc_input *in, sc_json *json, sc_eventbuf *ev, uint64_t *where,
                              char *err, size_t errlen);
sc_input_kind sc_input_kind_of(const sc_input *in);
/* Uncompressed bytes consumed so far. */
uint64_t sc_input_bytes(const sc_input *in);

#endif
