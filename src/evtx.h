/*
 * evtx.h - a reader for Windows XML Event Log (EVTX) files.
 *
 * Each event record is rendered as one line of JSON in the shape that
 * `evtx_dump -o jsonl` (omerbenamram/evtx) prints, the shape the Sigma tools
 * built on that crate (Chainsaw, Hayabusa) match rules against. docs/evtx.md
 * describes the format, the JSON shape and the limits.
 *
 * The input is untrusted: any bytes may be given. Nothing is read outside
 * the buffer, recursion and work per record are bounded, and a damaged
 * record or chunk is reported and skipped, never fatal.
 */
#ifndef SC_EVTX_H
#define SC_EVTX_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* Limits per record. Real records stay far below all of them: over the
 * 1,946 records of the sample logs (../shared/events) the largest are depth
 * 4, nesting 3, 156 nodes, 248 tokens and 6.4 KB of JSON. */
#define SC_EVTX_MAX_DEPTH      64u      /* nested XML elements */
#define SC_EVTX_MAX_NESTING    32u      /* templates and nested BinXML inside each other */
#define SC_EVTX_MAX_NODES      262144u  /* elements, attributes and values built */
#define SC_EVTX_MAX_TOKENS     1048576u /* BinXML tokens read, templates re-read included */
#define SC_EVTX_MAX_JSON_BYTES (16u * 1024u * 1024u) /* JSON text of one record */

typedef struct sc_evtx sc_evtx;

/* Opens an EVTX image held in memory (the caller keeps data alive until close).
 * NULL with a message in err when the file header is not EVTX (or on OOM).
 * Never crashes on any bytes. */
sc_evtx *sc_evtx_open(const unsigned char *data, size_t len, char *err, size_t errlen);

/* Renders the next event record as ONE line of JSON (no newline) into out (appending).
 * Returns 1 = a record, 0 = no more records, -1 = a corrupt record or chunk (err says
 * what, with chunk number and record number/offset); after -1 the caller calls again
 * and reading continues with the next record/chunk. On -1, out is left as it was.
 * record_id (may be NULL) receives the record's identifier on 1 and, when known, on -1. */
int sc_evtx_next(sc_evtx *r, sc_buf *out, uint64_t *record_id, char *err, size_t errlen);

void sc_evtx_close(sc_evtx *r);

/* Chunks read so far whose header or record-data CRC32 did not match. Such chunks
 * are still read: a stale checksum is common in logs copied from live systems. */
size_t sc_evtx_checksum_errors(const sc_evtx *r);

#endif
