/*
 * fuzz_evtx.c - libFuzzer harness for the EVTX reader: any bytes, every
 * record drained. Build with -DSIGCC_FUZZ=ON (clang).
 *
 * Input forms, so that mutations reach the BinXML parser without having to
 * keep 64 KiB chunks intact:
 *   "ElfFile..."      a whole EVTX image, as is;
 *   odd first byte    the rest is a chunk's record area (from offset 512);
 *   even first byte   the rest is the BinXML of one record at offset 512.
 * Chunk offsets in the payload mean the same as in a real chunk, so the first
 * record of a real chunk is a valid seed for both wrapped forms.
 *
 * Besides the sanitizers, every record returned must be one line of valid
 * UTF-8 JSON; anything else aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { HEADER = 4096, CHUNK = 65536, RECORDS = 512 };

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A one-chunk image holding the payload, as records or as one record. */
static uint8_t *wrap(const uint8_t *payload, size_t n, bool as_records, size_t *len)
{
    size_t room = CHUNK - RECORDS - (as_records ? 0 : 28);
    if (n > room)
        n = room;
    uint8_t *f = calloc(1, HEADER + CHUNK);
    if (!f)
        return NULL;
    memcpy(f, "ElfFile", 8);
    uint8_t *c = f + HEADER;
    memcpy(c, "ElfChnk", 8);
    size_t at = RECORDS;
    if (!as_records) {
        uint32_t rec = (uint32_t)(n + 28);
        memcpy(c + at, "\x2a\x2a\0\0", 4);
        put32(c + at + 4, rec);
        c[at + 8] = 1; /* record id 1 */
        put32(c + at + rec - 4, rec);
        at += 24;
    }
    memcpy(c + at, payload, n);
    put32(c + 48, (uint32_t)(RECORDS + n + (as_records ? 0 : 28))); /* free space */
    *len = HEADER + CHUNK;
    return f;
}

/* ------------------------------------------------ a JSON syntax check */
typedef struct jcheck {
    const char *p, *end;
    int depth;
} jcheck;

static bool jc_value(jcheck *j);

static bool jc_string(jcheck *j)
{
    if (j->p >= j->end || *j->p++ != '"')
        return false;
    while (j->p < j->end && *j->p != '"') {
        unsigned char c = (unsigned char)*j->p++;
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (j->p >= j->end)
                return false;
            char e = *j->p++;
            if (e == 'u') {
                for (int i = 0; i < 4; i++, j->p++)
                    if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
                        return false;
            } else if (!e || !strchr("\"\\/bfnrt", e)) {
                return false;
            }
        }
    }
    return j->p++ < j->end;
}

static bool jc_number(jcheck *j)
{
    const char *start = j->p;
    if (j->p < j->end && *j->p == '-')
        j->p++;
    size_t digits = 0;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++, digits++;
    if (!digits || (start[*start == '-'] == '0' && digits > 1))
        return false;
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        for (digits = 0; j->p < j->end && *j->p >= '0' && *j->p <= '9'; j->p++)
            digits++;
        if (!digits)
            return false;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        for (digits = 0; j->p < j->end && *j->p >= '0' && *j->p <= '9'; j->p++)
            digits++;
        if (!digits)
            return false;
    }
    return true;
}

static bool jc_container(jcheck *j, char close, bool object)
{
    j->p++;
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return true;
    }
    for (;;) {
        if (object && (!jc_string(j) || j->p >= j->end || *j->p++ != ':'))
            return false;
        if (!jc_value(j) || j->p >= j->end)
            return false;
        char c = *j->p++;
        if (c == close)
            return true;
        if (c != ',')
            return false;
    }
}

static bool jc_literal(jcheck *j, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
        return false;
    j->p += n;
    return true;
}

static bool jc_value(jcheck *j)
{
    if (j->p >= j->end || ++j->depth > 1000)
        return false;
    bool ok;
    switch (*j->p) {
    case '{': ok = jc_container(j, '}', true); break;
    case '[': ok = jc_container(j, ']', false); break;
    case '"': ok = jc_string(j); break;
    case 'n': ok = jc_literal(j, "null"); break;
    case 't': ok = jc_literal(j, "true"); break;
    case 'f': ok = jc_literal(j, "false"); break;
    default: ok = jc_number(j); break;
    }
    j->depth--;
    return ok;
}

static void check_record(const sc_buf *out)
{
    jcheck j = {out->data, out->data + out->len, 0};
    if (!out->data || !sc_utf8_valid(out->data, out->len) || !jc_value(&j) || j.p != j.end)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *image = data;
    uint8_t *wrapped = NULL;
    size_t len = size;
    if (size && !(size >= 7 && memcmp(data, "ElfFile", 7) == 0)) {
        wrapped = wrap(data + 1, size - 1, data[0] & 1, &len);
        if (!wrapped)
            return 0;
        image = wrapped;
    }
    char err[512];
    sc_evtx *r = sc_evtx_open(image, len, err, sizeof err);
    if (r) {
        sc_buf out = {0};
        int rc;
        while ((rc = sc_evtx_next(r, &out, NULL, err, sizeof err)) != 0) {
            if (rc > 0)
                check_record(&out);
            else if (out.len)
                abort(); /* a failed record must leave nothing behind */
            out.len = 0;
        }
        sc_buf_free(&out);
        sc_evtx_close(r);
    }
    free(wrapped);
    return 0;
}
