/*
 * input.c - framing of event sources. JSON text is cut into documents here
 * (by lines, or by bracket depth outside strings) and each document is
 * parsed on its own, so a malformed record costs one record, its position
 * is known, and memory stays bounded by the largest document.
 */
#include "input.h"

#include "evtx.h"

#include <errno.h>
#include <strings.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define READ_CHUNK ((size_t)1 << 20)

struct sc_input {
    gzFile gz;
    char *buf;          /* data[start, end) unread; SC_JSON_PADDING bytes spare */
    size_t start, end, cap;
    bool eof;
    bool io_error;
    sc_input_kind kind;
    uint64_t line;      /* line of buf[start] */
    uint64_t consumed;  /* bytes before buf[start] */
    bool array_done;
    /* EVTX */
    unsigned char *evtx_data;
    size_t evtx_len;
    sc_evtx *evtx;
    sc_buf evtx_json;
};

/* Text logs are recognized by name: a line of text says nothing about
 * whether it was meant as JSON. */
static bool is_text_log(const char *path)
{
    static const char *const exts[] = {".log", ".txt", ".raw", ".syslog", NULL};
    size_t len = strlen(path);
    if (len > 3 && strcasecmp(path + len - 3, ".gz") == 0)
        len -= 3;
    for (size_t i = 0; exts[i]; i++) {
        size_t n = strlen(exts[i]);
        if (len > n && strncasecmp(path + len - n, exts[i], n) == 0)
            return true;
    }
    return false;
}

sc_input *sc_input_open(const char *path, char *err, size_t errlen)
{
    int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    sc_input *in = calloc(1, sizeof *in);
    if (in)
        in->gz = gzdopen(fd, "rb");
    if (!in || !in->gz) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        free(in);
        return NULL;
    }
    gzbuffer(in->gz, 256 * 1024);
    in->line = 1;
    if (is_text_log(path))
        in->kind = SC_INPUT_TEXT_LINES;
    return in;
}

void sc_input_close(sc_input *in)
{
    if (!in)
        return;
    if (in->gz)
        gzclose(in->gz);
    free(in->buf);
    if (in->evtx)
        sc_evtx_close(in->evtx);
    free(in->evtx_data);
    sc_buf_free(&in->evtx_json);
    free(in);
}

sc_input_kind sc_input_kind_of(const sc_input *in)
{
    return in->kind;
}

uint64_t sc_input_bytes(const sc_input *in)
{
    return in->consumed + in->start;
}

/* Reads more bytes after `end`, moving unread data to the front and
 * growing the buffer when it is full. False at end of input or on error. */
static bool refill(sc_input *in)
{
    if (in->eof)
        return false;
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->consumed += in->start;
        in->end -= in->start;
        in->start = 0;
    }
    if (in->end >= SC_INPUT_MAX_DOCUMENT)
        return false; /* one record fills the largest buffer we allow */
    if (in->cap - in->end < READ_CHUNK) {
        size_t cap = in->cap ? in->cap * 2 : 4 * READ_CHUNK;
        char *p = realloc(in->buf, cap + SC_JSON_PADDING);
        if (!p) {
            in->io_error = true;
            return false;
        }
        in->buf = p;
        in->cap = cap;
    }
    size_t want = in->cap - in->end;
    if (want > (size_t)1 << 30)
        want = (size_t)1 << 30;
    int got = gzread(in->gz, in->buf + in->end, (unsigned)want);
    if (got < 0) {
        in->io_error = true;
        in->eof = true;
        return false;
    }
    if (got == 0) {
        in->eof = true;
        return false;
    }
    in->end += (size_t)got;
    memset(in->buf + in->end, 0, SC_JSON_PADDING);
    return true;
}

static void advance(sc_input *in, size_t to)
{
    for (const char *p = in->buf + in->start, *e = in->buf + to;
         (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        in->line++;
    in->start = to;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skips white space (and a UTF-8 byte order mark at the very beginning);
 * false at end of input. */
static bool skip_space(sc_input *in)
{
    for (;;) {
        size_t i = in->start;
        if (in->consumed == 0 && i == 0 && in->end >= 3 &&
            memcmp(in->buf, "\xEF\xBB\xBF", 3) == 0)
            i = 3;
        while (i < in->end && is_space(in->buf[i]))
            i++;
        advance(in, i);
        if (in->start < in->end)
            return true;
        if (!refill(in))
            return false;
    }
}

/* Finds the end of the JSON value starting at buf[start]: the matching
 * bracket for objects and arrays (outside strings), or the next separator
 * for scalars. Returns 0 if more input is needed. */
static size_t value_end(const sc_input *in)
{
    const char *b = in->buf;
    size_t i = in->start, depth = 0;
    bool in_string = false;
    char first = b[i];
    if (first != '{' && first != '[') {
        while (i < in->end && !is_space(b[i]) && b[i] != ',' && b[i] != ']')
            i++;
        if (i == in->start && i < in->end)
            i++; /* a stray ',' or ']' is a record of its own: always make progress */
        return i < in->end || in->eof ? i : 0;
    }
    for (; i < in->end; i++) {
        char c = b[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

static bool fill_until(sc_input *in, size_t (*find)(const sc_input *), size_t *end)
{
    for (;;) {
        *end = find(in);
        if (*end)
            return true;
        if (!refill(in)) {
            /* The end of input may complete the record (a last line
             * without a newline). */
            *end = in->eof && !in->io_error ? find(in) : 0;
            return *end != 0;
        }
    }
}

static size_t line_end(const sc_input *in)
{
    const char *nl = memchr(in->buf + in->start, '\n', in->end - in->start);
    if (nl)
        return (size_t)(nl - in->buf);
    return in->eof ? in->end : 0;
}

/* JSON lines, when the first object ends on its own line. */
static void detect_json_kind(sc_input *in)
{
    char first = in->buf[in->start];
    if (first == '[') {
        in->kind = SC_INPUT_JSON_ARRAY;
        return;
    }
    in->kind = SC_INPUT_JSON_STREAM;
    size_t obj_end, nl;
    if (first != '{' || !fill_until(in, value_end, &obj_end))
        return;
    if (!fill_until(in, line_end, &nl))
        nl = in->end;
    if (obj_end <= nl)
        in->kind = SC_INPUT_JSON_LINES;
}

static sc_input_status parse_doc(sc_input *in, sc_json *json, sc_eventbuf *ev, size_t end,
                                 char *err, size_t errlen)
{
    /* simdjson reads (never writes) up to SC_JSON_PADDING bytes past the
     * document: the rest of the buffer, or the spare bytes after it. */
    bool ok = sc_json_parse(json, in->buf + in->start, end - in->start, ev, err, errlen);
    return ok ? SC_INPUT_EVENT : SC_INPUT_BAD;
}

static sc_input_status too_long(sc_input *in, char *err, size_t errlen)
{
    snprintf(err, errlen, "record longer than %zu bytes or not terminated; skipped to the end",
             SC_INPUT_MAX_DOCUMENT);
    in->start = in->end;
    in->eof = true;
    return SC_INPUT_BAD;
}

static sc_input_status next_line(sc_input *in, sc_json *json, sc_eventbuf *ev, char *err,
                                 size_t errlen)
{
    size_t end;
    if (!fill_until(in, line_end, &end))
        return in->io_error ? SC_INPUT_FATAL : too_long(in, err, errlen);
    size_t stop = end;
    while (stop > in->start && is_space(in->buf[stop - 1]))
        stop--;
    sc_input_status st = parse_doc(in, json, ev, stop, err, errlen);
    advance(in, end);
    return st;
}

static sc_input_status next_value(sc_input *in, sc_json *json, sc_eventbuf *ev, char *err,
                                  size_t errlen)
{
    size_t end;
    if (!fill_until(in, value_end, &end))
        return in->io_error ? SC_INPUT_FATAL : too_long(in, err, errlen);
    sc_input_status st = parse_doc(in, json, ev, end, err, errlen);
    advance(in, end);
    return st;
}

/* Inside a top-level array: elements separated by commas. */
static sc_input_status next_element(sc_input *in, sc_json *json, sc_eventbuf *ev, uint64_t *where,
                                    char *err, size_t errlen)
{
    if (in->array_done)
        return SC_INPUT_END;
    char c = in->buf[in->start];
    if (c == ']') {
        in->array_done = true;
        advance(in, in->start + 1);
        return SC_INPUT_END;
    }
    if (c == ',') {
        advance(in, in->start + 1);
        if (!skip_space(in)) {
            in->array_done = true;
            snprintf(err, errlen, "JSON array not closed");
            return SC_INPUT_BAD;
        }
        *where = in->line;
    }
    return next_value(in, json, ev, err, errlen);
}

static sc_input_status open_evtx(sc_input *in, char *err, size_t errlen)
{
    size_t cap = in->end - in->start + READ_CHUNK, len = in->end - in->start;
    unsigned char *data = malloc(cap);
    if (!data) {
        snprintf(err, errlen, "out of memory");
        return SC_INPUT_FATAL;
    }
    memcpy(data, in->buf + in->start, len);
    for (;;) {
        if (cap - len < READ_CHUNK) {
            if (cap * 2 > SC_INPUT_MAX_EVTX) {
                free(data);
                snprintf(err, errlen, "EVTX file larger than %zu bytes", SC_INPUT_MAX_EVTX);
                return SC_INPUT_FATAL;
            }
            unsigned char *p = realloc(data, cap * 2);
            if (!p) {
                free(data);
                snprintf(err, errlen, "out of memory");
                return SC_INPUT_FATAL;
            }
            data = p;
            cap *= 2;
        }
        int got = gzread(in->gz, data + len, (unsigned)(cap - len));
        if (got < 0) {
            free(data);
            snprintf(err, errlen, "read error");
            return SC_INPUT_FATAL;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    in->evtx_data = data;
    in->evtx_len = len;
    in->evtx = sc_evtx_open(data, len, err, errlen);
    return in->evtx ? SC_INPUT_EVENT : SC_INPUT_FATAL;
}

static sc_input_status next_evtx(sc_input *in, sc_json *json, sc_eventbuf *ev, uint64_t *where,
                                 char *err, size_t errlen)
{
    in->evtx_json.len = 0;
    int rc = sc_evtx_next(in->evtx, &in->evtx_json, where, err, errlen);
    if (rc <= 0)
        return rc == 0 ? SC_INPUT_END : SC_INPUT_BAD;
    for (int i = 0; i < SC_JSON_PADDING; i++)
        sc_buf_putc(&in->evtx_json, ' ');
    if (in->evtx_json.oom) {
        snprintf(err, errlen, "out of memory");
        return SC_INPUT_FATAL;
    }
    size_t len = in->evtx_json.len - SC_JSON_PADDING;
    return sc_json_parse(json, in->evtx_json.data, len, ev, err, errlen) ? SC_INPUT_EVENT
                                                                           : SC_INPUT_BAD;
}

/* Skips one empty line (only \r/\n); false when the next line has text. */
static bool skip_blank_line(sc_input *in)
{
    if (in->start >= in->end && !refill(in))
        return false;
    char c = in->buf[in->start];
    if (c != '\n' && c != '\r')
        return false;
    advance(in, in->start + 1);
    return true;
}

/* One line of a text log: the event {"message": line}. */
static sc_input_status next_text_line(sc_input *in, sc_eventbuf *ev, char *err, size_t errlen)
{
    size_t end;
    if (!fill_until(in, line_end, &end))
        return in->io_error ? SC_INPUT_FATAL : too_long(in, err, errlen);
    size_t stop = end;
    while (stop > in->start && (in->buf[stop - 1] == '\r' || in->buf[stop - 1] == '\n'))
        stop--;
    sc_evb_enter(ev, false);
    sc_evb_key(ev, "message", 7);
    sc_fieldval v = {SC_FV_STRING, in->buf + in->start, stop - in->start, 0, false, NULL};
    sc_evb_scalar(ev, &v);
    sc_evb_leave(ev);
    advance(in, end);
    return SC_INPUT_EVENT;
}

static sc_input_status start(sc_input *in, char *err, size_t errlen)
{
    while (in->end - in->start < 8 && refill(in)) {
    }
    if (in->end - in->start >= 8 && memcmp(in->buf + in->start, "ElfFile\0", 8) == 0) {
        in->kind = SC_INPUT_EVTX;
        return open_evtx(in, err, errlen);
    }
    if (!skip_space(in))
        return in->io_error ? SC_INPUT_FATAL : SC_INPUT_END;
    detect_json_kind(in);
    if (in->kind == SC_INPUT_JSON_ARRAY) {
        advance(in, in->start + 1);
        if (!skip_space(in)) {
            snprintf(err, errlen, "JSON array not closed");
            return SC_INPUT_BAD;
        }
    }
    return SC_INPUT_EVENT;
}

sc_input_status sc_input_next(sc_input *in, sc_json *json, sc_eventbuf *ev, uint64_t *where,
                              char *err, size_t errlen)
{
    sc_eventbuf_reset(ev);
    *where = 0;
    if (in->kind == SC_INPUT_UNKNOWN) {
        sc_input_status st = start(in, err, errlen);
        if (st != SC_INPUT_EVENT)
            return st;
    }
    if (in->kind == SC_INPUT_TEXT_LINES) {
        /* Blank lines are not events; every other line is. */
        while (skip_blank_line(in)) {
        }
        if (in->start >= in->end && !refill(in))
            return in->io_error ? SC_INPUT_FATAL : SC_INPUT_END;
        *where = in->line;
        return next_text_line(in, ev, err, errlen);
    }
    if (in->kind == SC_INPUT_EVTX)
        return next_evtx(in, json, ev, where, err, errlen);
    if (!skip_space(in)) {
        if (in->io_error) {
            snprintf(err, errlen, "read error (corrupt gzip?)");
            return SC_INPUT_FATAL;
        }
        if (in->kind == SC_INPUT_JSON_ARRAY && !in->array_done) {
            in->array_done = true;
            snprintf(err, errlen, "JSON array not closed at end of input");
            return SC_INPUT_BAD;
        }
        return SC_INPUT_END;
    }
    *where = in->line;
    switch (in->kind) {
    case SC_INPUT_JSON_LINES: return next_line(in, json, ev, err, errlen);
    case SC_INPUT_JSON_ARRAY: return next_element(in, json, ev, where, err, errlen);
    default:
        /* Commas between top-level objects ("{...},\n{...}") are separators. */
        while (in->buf[in->start] == ',') {
            advance(in, in->start + 1);
            if (!skip_space(in))
                return SC_INPUT_END;
            *where = in->line;
        }
        return next_value(in, json, ev, err, errlen);
    }
}
