/*
 * evtx.c - Windows XML Event Log (EVTX) records as evtx_dump-shaped JSON.
 *
 * Format (libevtx's format documentation and [MS-EVEN6]): a 4096-byte file
 * header, then 64 KiB chunks. A chunk has a 512-byte header and event
 * records; a record holds Binary XML (BinXML): a token stream whose element
 * names, templates and template values are found through offsets relative
 * to the start of the chunk.
 *
 * A record is read in two passes. The parser walks the token stream
 * (instantiating templates, descending into nested BinXML values) and
 * builds a small tree whose strings are views into the chunk; nothing is
 * copied. The renderer then writes the tree as JSON. Keeping them apart
 * keeps the evtx_dump shape rules (which look at all children of an element
 * before writing it) out of the byte-level code.
 *
 * Safety: all input is untrusted. Every read goes through take(), which
 * checks it against the current bound (record, template or value, all
 * inside the chunk). Element depth, template/BinXML nesting, tokens, nodes
 * and JSON bytes per record are limited (evtx.h), so hostile templates that
 * refer to themselves or expand exponentially end in an error, not a hang.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx.h"

#define FILE_HEADER_SIZE   4096u
#define CHUNK_SIZE         65536u
#define CHUNK_HEADER_SIZE  512u
#define RECORD_HEADER_SIZE 24u
#define RECORD_MIN_SIZE    (RECORD_HEADER_SIZE + 4u) /* + the trailing copy of the size */

static const unsigned char FILE_SIGNATURE[8] = "ElfFile";
static const unsigned char CHUNK_SIGNATURE[8] = "ElfChnk";
static const unsigned char RECORD_SIGNATURE[4] = {0x2a, 0x2a, 0x00, 0x00};

/* BinXML tokens; TOK_MORE marks "more data follows" on some of them. */
enum {
    TOK_EOF = 0x00, TOK_OPEN_START = 0x01, TOK_CLOSE_START = 0x02, TOK_CLOSE_EMPTY = 0x03,
    TOK_END_ELEMENT = 0x04, TOK_VALUE = 0x05, TOK_ATTRIBUTE = 0x06, TOK_CDATA = 0x07,
    TOK_CHARREF = 0x08, TOK_ENTITYREF = 0x09, TOK_PI_TARGET = 0x0a, TOK_PI_DATA = 0x0b,
    TOK_TEMPLATE = 0x0c, TOK_SUBST = 0x0d, TOK_OPT_SUBST = 0x0e, TOK_FRAGMENT = 0x0f,
    TOK_MORE = 0x40
};

/* Value types; VT_ARRAY is a flag on the scalar types. */
enum {
    VT_NULL = 0x00, VT_STRING = 0x01, VT_ANSI = 0x02, VT_INT8 = 0x03, VT_UINT8 = 0x04,
    VT_INT16 = 0x05, VT_UINT16 = 0x06, VT_INT32 = 0x07, VT_UINT32 = 0x08, VT_INT64 = 0x09,
    VT_UINT64 = 0x0a, VT_REAL32 = 0x0b, VT_REAL64 = 0x0c, VT_BOOL = 0x0d, VT_BINARY = 0x0e,
    VT_GUID = 0x0f, VT_SIZET = 0x10, VT_FILETIME = 0x11, VT_SYSTIME = 0x12, VT_SID = 0x13,
    VT_HEX32 = 0x14, VT_HEX64 = 0x15, VT_BINXML = 0x21, VT_ARRAY = 0x80
};

/* ------------------------------------------------------------ the tree */
enum { N_DOC, N_ELEM, N_ATTR, N_TEXT, N_VALUE, N_CHARREF, N_ENTITY };

/* One node; links are indices into sc_evtx.nodes, 0 = none. Strings are
 * UTF-16LE views into the chunk. */
typedef struct ev_node {
    uint8_t kind;
    uint8_t vtype;          /* N_VALUE */
    uint16_t name_len;      /* ELEM, ATTR, ENTITY: characters */
    const uint8_t *name;
    const uint8_t *data;    /* TEXT: UTF-16LE; VALUE: raw bytes */
    uint32_t len;           /* TEXT: characters; VALUE: bytes; CHARREF: code point */
    uint32_t first, last;   /* children (ELEM, ATTR, DOC) */
    uint32_t attrs, last_attr;
    uint32_t next;
} ev_node;

/* One template value (substitution) of the instance being expanded. */
typedef struct ev_value {
    const uint8_t *data;
    uint16_t size;
    uint8_t type;
} ev_value;

struct sc_evtx {
    const uint8_t *data;
    size_t len;
    size_t n_chunks;        /* whole chunks in the file */
    size_t chunk;           /* chunk being read */
    bool chunk_open;
    bool tail_reported;     /* a truncated last chunk was reported */
    size_t rec_off;         /* next record, relative to the chunk */
    size_t rec_end;         /* end of the record area (free space offset) */
    size_t checksum_errors;
    ev_node *nodes;
    size_t n_nodes, cap_nodes;
    ev_value *values;       /* a stack: one frame per template being expanded */
    size_t n_values, cap_values;
    sc_buf text;            /* scratch for one string being rendered */
};

/* --------------------------------------------------------- byte access
 * Callers check bounds before these. */
static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* CRC-32 as RFC 1952 (the checksums of chunk headers and record data), four
 * bits a step: a bit-at-a-time loop was half the reading time. */
static uint32_t crc32_of(const uint8_t *p, size_t n, uint32_t crc)
{
    static const uint32_t nibble[16] = {
        0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
        0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
        0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C};
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nibble[crc & 15];
        crc = (crc >> 4) ^ nibble[crc & 15];
    }
    return ~crc;
}

/* ------------------------------------------------------------ parsing */
typedef struct ev_subs {
    size_t base, count; /* a frame of sc_evtx.values */
} ev_subs;

typedef struct ev_parse {
    sc_evtx *r;
    const uint8_t *chunk;
    uint32_t stack[SC_EVTX_MAX_DEPTH + 1]; /* open elements; stack[0] is the document */
    unsigned depth;
    uint32_t attr;          /* attribute receiving values, 0 = element content */
    bool in_start_tag;      /* between an element's name and its '>' or '/>' */
    size_t tokens;
    unsigned nesting;
    char msg[256];
    bool failed;
} ev_parse;

/* A bounded window of the chunk: pos and end are chunk offsets. */
typedef struct cursor {
    size_t pos, end;
} cursor;

static bool fail(ev_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(ev_parse *p, const char *fmt, ...)
{
    if (!p->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->msg, sizeof p->msg, fmt, ap);
        va_end(ap);
        p->failed = true;
    }
    return false;
}

/* Takes n bytes at the cursor, or fails naming what was being read. */
static bool take(ev_parse *p, cursor *c, size_t n, const uint8_t **out, const char *what)
{
    *out = NULL;
    if (c->pos > c->end || c->end - c->pos < n)
        return fail(p, "truncated %s at chunk offset 0x%zx", what, c->pos);
    *out = p->chunk + c->pos;
    c->pos += n;
    return true;
}

static uint32_t new_node(ev_parse *p, uint8_t kind)
{
    sc_evtx *r = p->r;
    if (r->n_nodes >= SC_EVTX_MAX_NODES + 1u) {
        fail(p, "more than %u XML nodes", SC_EVTX_MAX_NODES);
        return 0;
    }
    if (r->n_nodes >= r->cap_nodes) {
        size_t cap = r->cap_nodes ? r->cap_nodes * 2 : 256;
        ev_node *nodes = realloc(r->nodes, cap * sizeof *nodes);
        if (!nodes) {
            fail(p, "out of memory");
            return 0;
        }
        r->nodes = nodes;
        r->cap_nodes = cap;
    }
    uint32_t id = (uint32_t)r->n_nodes++;
    memset(&r->nodes[id], 0, sizeof r->nodes[id]);
    r->nodes[id].kind = kind;
    return id;
}

static void link_child(sc_evtx *r, uint32_t parent, uint32_t child)
{
    ev_node *pn = &r->nodes[parent];
    if (pn->last)
        r->nodes[pn->last].next = child;
    else
        pn->first = child;
    pn->last = child;
}

static void link_attr(sc_evtx *r, uint32_t elem, uint32_t attr)
{
    ev_node *en = &r->nodes[elem];
    if (en->last_attr)
        r->nodes[en->last_attr].next = attr;
    else
        en->attrs = attr;
    en->last_attr = attr;
}

/* Where character data goes: the open attribute, or the current element. */
static bool content_target(ev_parse *p, uint32_t *target, size_t at)
{
    *target = 0;
    if (p->in_start_tag) {
        if (!p->attr)
            return fail(p, "value outside an attribute in a start tag at chunk offset 0x%zx", at);
        *target = p->attr;
    } else {
        *target = p->stack[p->depth];
    }
    return true;
}

static bool add_content(ev_parse *p, uint8_t kind, size_t at, uint32_t *id)
{
    uint32_t target;
    if (!content_target(p, &target, at))
        return false;
    *id = new_node(p, kind);
    if (!*id)
        return false;
    link_child(p->r, target, *id);
    return true;
}

/* A name: a chunk offset, and the name itself right here when it points just
 * past itself (the first use in a chunk). Layout at the offset: 4 bytes
 * (next name in the hash chain), hash (2), characters (2), UTF-16, NUL. */
static bool read_name(ev_parse *p, cursor *c, const uint8_t **name, uint16_t *len)
{
    const uint8_t *q;
    if (!take(p, c, 4, &q, "name offset"))
        return false;
    uint32_t off = le32(q);
    if (off == c->pos) {
        if (!take(p, c, 8, &q, "name header"))
            return false;
        *len = le16(q + 6);
        return take(p, c, (size_t)*len * 2 + 2, name, "name");
    }
    cursor at = {off, CHUNK_SIZE};
    if (!take(p, &at, 8, &q, "name header"))
        return false;
    *len = le16(q + 6);
    return take(p, &at, (size_t)*len * 2, name, "name");
}

/* A string prefixed by its length in characters (value text, CDATA, PI data). */
static bool read_counted_utf16(ev_parse *p, cursor *c, const uint8_t **s, uint32_t *units)
{
    const uint8_t *q;
    if (!take(p, c, 2, &q, "string length"))
        return false;
    *units = le16(q);
    return take(p, c, (size_t)*units * 2, s, "string");
}

/* Bytes a scalar of this type needs; 0 when variable. */
static size_t scalar_size(uint8_t type)
{
    switch (type) {
    case VT_INT8: case VT_UINT8: return 1;
    case VT_INT16: case VT_UINT16: return 2;
    case VT_INT32: case VT_UINT32: case VT_REAL32: case VT_BOOL: case VT_HEX32: return 4;
    case VT_INT64: case VT_UINT64: case VT_REAL64: case VT_FILETIME: case VT_HEX64: return 8;
    case VT_GUID: case VT_SYSTIME: return 16;
    default: return 0;
    }
}

static bool parse_stream(ev_parse *p, cursor c, bool has_dep_id, const ev_subs *subs,
                         const char *what);

static bool open_element(ev_parse *p, cursor *c, uint8_t token, bool has_dep_id, size_t at)
{
    const uint8_t *q;
    if (p->in_start_tag)
        return fail(p, "element starts inside a start tag at chunk offset 0x%zx", at);
    if (p->depth >= SC_EVTX_MAX_DEPTH)
        return fail(p, "elements nested deeper than %u at chunk offset 0x%zx",
                    SC_EVTX_MAX_DEPTH, at);
    /* The dependency identifier exists only inside template definitions. */
    if (has_dep_id && !take(p, c, 2, &q, "dependency identifier"))
        return false;
    if (!take(p, c, 4, &q, "element size"))
        return false;
    const uint8_t *name;
    uint16_t name_len;
    if (!read_name(p, c, &name, &name_len))
        return false;
    if ((token & TOK_MORE) && !take(p, c, 4, &q, "attribute list size"))
        return false;
    uint32_t id = new_node(p, N_ELEM);
    if (!id)
        return false;
    p->r->nodes[id].name = name;
    p->r->nodes[id].name_len = name_len;
    link_child(p->r, p->stack[p->depth], id);
    p->stack[++p->depth] = id;
    p->in_start_tag = true;
    p->attr = 0;
    return true;
}

static bool add_attribute(ev_parse *p, cursor *c, size_t at)
{
    if (!p->in_start_tag)
        return fail(p, "attribute outside a start tag at chunk offset 0x%zx", at);
    const uint8_t *name;
    uint16_t name_len;
    if (!read_name(p, c, &name, &name_len))
        return false;
    uint32_t id = new_node(p, N_ATTR);
    if (!id)
        return false;
    p->r->nodes[id].name = name;
    p->r->nodes[id].name_len = name_len;
    link_attr(p->r, p->stack[p->depth], id);
    p->attr = id;
    return true;
}

static bool close_element(ev_parse *p, unsigned base_depth, bool empty, size_t at)
{
    if (p->in_start_tag != empty || p->depth <= base_depth)
        return fail(p, "unbalanced element end (token 0x%02x) at chunk offset 0x%zx",
                    empty ? TOK_CLOSE_EMPTY : TOK_END_ELEMENT, at);
    p->depth--;
    p->in_start_tag = false;
    p->attr = 0;
    return true;
}

static bool add_text(ev_parse *p, cursor *c, size_t at)
{
    const uint8_t *s;
    uint32_t units, id;
    if (!read_counted_utf16(p, c, &s, &units) || !add_content(p, N_TEXT, at, &id))
        return false;
    p->r->nodes[id].data = s;
    p->r->nodes[id].len = units;
    return true;
}

static bool add_value_token(ev_parse *p, cursor *c, size_t at)
{
    const uint8_t *q;
    if (!take(p, c, 1, &q, "value type"))
        return false;
    uint8_t type = q[0];
    if (type == VT_STRING)
        return add_text(p, c, at);
    size_t size = scalar_size(type);
    if (!size)
        return fail(p, "value token of type 0x%02x at chunk offset 0x%zx", type, at);
    uint32_t id;
    if (!take(p, c, size, &q, "value") || !add_content(p, N_VALUE, at, &id))
        return false;
    p->r->nodes[id].vtype = type;
    p->r->nodes[id].data = q;
    p->r->nodes[id].len = (uint32_t)size;
    return true;
}

static bool add_charref(ev_parse *p, cursor *c, size_t at)
{
    const uint8_t *q;
    uint32_t id;
    if (!take(p, c, 2, &q, "character reference") || !add_content(p, N_CHARREF, at, &id))
        return false;
    p->r->nodes[id].len = le16(q);
    return true;
}

static bool add_entityref(ev_parse *p, cursor *c, size_t at)
{
    const uint8_t *name;
    uint16_t name_len;
    uint32_t id;
    if (!read_name(p, c, &name, &name_len) || !add_content(p, N_ENTITY, at, &id))
        return false;
    p->r->nodes[id].name = name;
    p->r->nodes[id].name_len = name_len;
    return true;
}

/* Processing instructions carry nothing the JSON shape shows: skipped. */
static bool skip_pi(ev_parse *p, cursor *c, uint8_t token)
{
    const uint8_t *s;
    uint32_t units;
    uint16_t len;
    if (token == TOK_PI_TARGET)
        return read_name(p, c, &s, &len);
    return read_counted_utf16(p, c, &s, &units);
}

static bool enter_nested(ev_parse *p, size_t at)
{
    if (p->nesting >= SC_EVTX_MAX_NESTING)
        return fail(p, "templates or nested BinXML deeper than %u at chunk offset 0x%zx",
                    SC_EVTX_MAX_NESTING, at);
    p->nesting++;
    return true;
}

static bool substitute(ev_parse *p, cursor *c, const ev_subs *subs, size_t at)
{
    const uint8_t *q;
    if (!take(p, c, 3, &q, "substitution"))
        return false;
    uint16_t index = le16(q);
    if (!subs)
        return fail(p, "substitution outside a template at chunk offset 0x%zx", at);
    if (index >= subs->count)
        return fail(p, "substitution %u of %zu values at chunk offset 0x%zx", index,
                    subs->count, at);
    ev_value v = p->r->values[subs->base + index];
    if (v.type == VT_BINXML) {
        if (p->in_start_tag)
            return fail(p, "BinXML value in an attribute at chunk offset 0x%zx", at);
        if (!v.size)
            return true;
        if (!enter_nested(p, at))
            return false;
        size_t start = (size_t)(v.data - p->chunk);
        bool ok = parse_stream(p, (cursor){start, start + v.size}, false, NULL, "BinXML value");
        p->nesting--;
        return ok;
    }
    uint32_t id;
    if (!add_content(p, N_VALUE, at, &id))
        return false;
    p->r->nodes[id].vtype = v.type;
    p->r->nodes[id].data = v.data;
    p->r->nodes[id].len = v.size;
    return true;
}

/* The values of a template instance: a count, (size, type, 0) descriptors,
 * then the values back to back. Pushed as a new frame of r->values. */
static bool read_template_values(ev_parse *p, cursor *c, ev_subs *subs)
{
    const uint8_t *q, *desc;
    if (!take(p, c, 4, &q, "template value count"))
        return false;
    uint32_t count = le32(q);
    if (count > (c->end - c->pos) / 4)
        return fail(p, "template value count %u exceeds the data at chunk offset 0x%zx", count,
                    c->pos - 4);
    if (!take(p, c, (size_t)count * 4, &desc, "template value descriptors"))
        return false;
    sc_evtx *r = p->r;
    if (r->n_values + count > r->cap_values) {
        size_t cap = r->cap_values ? r->cap_values : 64;
        while (cap < r->n_values + count)
            cap *= 2;
        ev_value *values = realloc(r->values, cap * sizeof *values);
        if (!values)
            return fail(p, "out of memory");
        r->values = values;
        r->cap_values = cap;
    }
    subs->base = r->n_values;
    subs->count = count;
    for (uint32_t i = 0; i < count; i++) {
        ev_value *v = &r->values[subs->base + i];
        v->size = le16(desc + 4 * i);
        v->type = desc[4 * i + 2];
        size_t need = scalar_size(v->type);
        if (v->size && v->size < need)
            return fail(p, "template value %u of type 0x%02x has %u bytes, needs %zu", i,
                        v->type, v->size, need);
        if (!take(p, c, v->size, &v->data, "template value"))
            return false;
    }
    r->n_values += count;
    return true;
}

/* A template instance: the definition (here, or earlier in the chunk), then
 * the values; the definition's body is parsed with those values. */
static bool instantiate_template(ev_parse *p, cursor *c, size_t at)
{
    const uint8_t *q;
    if (!take(p, c, 9, &q, "template instance"))
        return false;
    uint32_t def_off = le32(q + 5);
    /* Definition header: next definition (4), GUID (16), body size (4). */
    cursor def = {def_off, CHUNK_SIZE};
    if (def_off == c->pos)
        def.end = c->end;
    if (!take(p, &def, 24, &q, "template definition"))
        return false;
    uint32_t body_size = le32(q + 20);
    if (body_size > def.end - def.pos)
        return fail(p, "template body of %u bytes exceeds the chunk at chunk offset 0x%x",
                    body_size, def_off);
    cursor body = {def.pos, def.pos + body_size};
    if (def_off == c->pos)
        c->pos = body.end; /* the values follow the definition */
    ev_subs subs;
    size_t frame = p->r->n_values;
    if (!read_template_values(p, c, &subs) || !enter_nested(p, at)) {
        p->r->n_values = frame;
        return false;
    }
    bool ok = parse_stream(p, body, true, &subs, "template");
    p->nesting--;
    p->r->n_values = frame;
    return ok;
}

/* Decodes a token's base type; tokens with the "more" flag are accepted only
 * where the format defines one. */
static bool token_type(uint8_t raw, uint8_t *type)
{
    uint8_t base = raw & (uint8_t)~TOK_MORE;
    if (base > TOK_FRAGMENT)
        return false;
    if (raw & TOK_MORE) {
        switch (base) {
        case TOK_OPEN_START: case TOK_VALUE: case TOK_ATTRIBUTE: case TOK_CDATA:
        case TOK_CHARREF: case TOK_ENTITYREF:
            break;
        default:
            return false;
        }
    }
    *type = base;
    return true;
}

static bool parse_token(ev_parse *p, cursor *c, uint8_t raw, bool has_dep_id,
                        const ev_subs *subs, unsigned base_depth, size_t at)
{
    uint8_t type;
    const uint8_t *q;
    if (!token_type(raw, &type))
        return fail(p, "unknown BinXML token 0x%02x at chunk offset 0x%zx", raw, at);
    switch (type) {
    case TOK_FRAGMENT: return take(p, c, 3, &q, "fragment header");
    case TOK_OPEN_START: return open_element(p, c, raw, has_dep_id, at);
    case TOK_CLOSE_START:
        if (!p->in_start_tag)
            return fail(p, "'>' outside a start tag at chunk offset 0x%zx", at);
        p->in_start_tag = false;
        p->attr = 0;
        return true;
    case TOK_CLOSE_EMPTY: return close_element(p, base_depth, true, at);
    case TOK_END_ELEMENT: return close_element(p, base_depth, false, at);
    case TOK_VALUE: return add_value_token(p, c, at);
    case TOK_ATTRIBUTE: return add_attribute(p, c, at);
    case TOK_CDATA: return add_text(p, c, at);
    case TOK_CHARREF: return add_charref(p, c, at);
    case TOK_ENTITYREF: return add_entityref(p, c, at);
    case TOK_PI_TARGET: case TOK_PI_DATA: return skip_pi(p, c, type);
    case TOK_TEMPLATE: return instantiate_template(p, c, at);
    case TOK_SUBST: case TOK_OPT_SUBST: return substitute(p, c, subs, at);
    default: return fail(p, "unexpected BinXML token 0x%02x at chunk offset 0x%zx", raw, at);
    }
}

/* Reads tokens until end-of-stream or the end of the window. The elements
 * opened inside must all be closed inside (templates and values are whole
 * subtrees). */
static bool parse_stream(ev_parse *p, cursor c, bool has_dep_id, const ev_subs *subs,
                         const char *what)
{
    unsigned base_depth = p->depth;
    bool base_in_start_tag = p->in_start_tag;
    while (c.pos < c.end) {
        if (++p->tokens > SC_EVTX_MAX_TOKENS)
            return fail(p, "more than %u BinXML tokens", SC_EVTX_MAX_TOKENS);
        size_t at = c.pos;
        uint8_t raw = p->chunk[c.pos++];
        if (raw == TOK_EOF)
            break;
        if (!parse_token(p, &c, raw, has_dep_id, subs, base_depth, at))
            return false;
    }
    if (p->depth != base_depth || p->in_start_tag != base_in_start_tag)
        return fail(p, "%s ends inside an element (chunk offset 0x%zx)", what, c.pos);
    return true;
}

/* ------------------------------------------------------- value to text */
static void put_utf8(sc_buf *b, uint32_t cp)
{
    char s[4];
    size_t n;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        s[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        s[0] = (char)(0xC0 | cp >> 6);
        s[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        s[0] = (char)(0xE0 | cp >> 12);
        s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        s[0] = (char)(0xF0 | cp >> 18);
        s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sc_buf_put(b, s, n);
}

/* UTF-16LE to UTF-8, up to the first NUL (strings in substitutions carry
 * their terminator); an unpaired surrogate becomes U+FFFD. */
static void put_utf16(sc_buf *b, const uint8_t *s, size_t units)
{
    for (size_t i = 0; i < units; i++) {
        uint32_t cp = le16(s + 2 * i);
        if (cp == 0)
            return;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < units) {
            uint32_t low = le16(s + 2 * (i + 1));
            if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                i++;
            }
        }
        put_utf8(b, cp);
    }
}

static bool is_unicode_space(uint32_t u)
{
    return (u >= 0x09 && u <= 0x0D) || u == 0x20 || u == 0x85 || u == 0xA0 || u == 0x1680 ||
           (u >= 0x2000 && u <= 0x200A) || u == 0x2028 || u == 0x2029 || u == 0x202F ||
           u == 0x205F || u == 0x3000;
}

/* Characters of a string value as evtx_dump shows them: up to the first NUL,
 * trailing white space removed (evtx trims sized strings since 0.8.5, and the
 * SigmaHQ regression data, e.g. Sysmon command lines that end in a space, shows
 * it). */
static size_t string_value_units(const uint8_t *s, size_t units)
{
    size_t n = 0;
    while (n < units && le16(s + 2 * n) != 0)
        n++;
    while (n > 0 && is_unicode_space(le16(s + 2 * (n - 1))))
        n--;
    return n;
}

/* Windows-1252, the default ANSI code page (as evtx_dump and libevtx). */
static void put_ansi(sc_buf *b, const uint8_t *s, size_t n)
{
    static const uint16_t c1[32] = {
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
    for (size_t i = 0; i < n && s[i]; i++)
        put_utf8(b, s[i] >= 0x80 && s[i] < 0xA0 ? c1[s[i] - 0x80] : s[i]);
}

static void put_hex_bytes(sc_buf *b, const uint8_t *d, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        char two[2] = {digits[d[i] >> 4], digits[d[i] & 15]};
        sc_buf_put(b, two, 2);
    }
}

/* Shortest text that reads back as the same number (as evtx_dump prints). */
static void put_real(sc_buf *b, double v, bool single)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        double back = strtod(tmp, NULL);
        if (single ? (float)back == (float)v : back == v)
            break;
    }
    sc_buf_puts(b, tmp);
}

static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    /* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm). */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* FILETIME (100 ns ticks since 1601) as ISO 8601 UTC with microseconds. */
static void put_filetime(sc_buf *b, uint64_t ticks)
{
    const int64_t days_1601_to_1970 = 134774;
    uint64_t micros = ticks / 10;
    uint64_t secs = micros / 1000000;
    int64_t y;
    unsigned m, d;
    civil_from_days((int64_t)(secs / 86400) - days_1601_to_1970, &y, &m, &d);
    unsigned sod = (unsigned)(secs % 86400);
    sc_buf_printf(b, "%04lld-%02u-%02uT%02u:%02u:%02u.%06uZ", (long long)y, m, d, sod / 3600,
                  sod / 60 % 60, sod % 60, (unsigned)(micros % 1000000));
}

static void put_systime(sc_buf *b, const uint8_t *d)
{
    sc_buf_printf(b, "%04u-%02u-%02uT%02u:%02u:%02u.%06luZ", le16(d), le16(d + 2), le16(d + 6),
                  le16(d + 8), le16(d + 10), le16(d + 12), (unsigned long)le16(d + 14) * 1000ul);
}

/* GUIDs as evtx_dump prints them: upper case, no braces. */
static void put_guid(sc_buf *b, const uint8_t *d)
{
    sc_buf_printf(b, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", le32(d), le16(d + 4),
                  le16(d + 6), d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
}

/* S-revision-authority-sub-... ; the authority is 48-bit big-endian. */
static void put_sid(sc_buf *b, const uint8_t *d, size_t n)
{
    if (n < 8) {
        put_hex_bytes(b, d, n);
        return;
    }
    uint64_t authority = 0;
    for (int i = 2; i < 8; i++)
        authority = authority << 8 | d[i];
    sc_buf_printf(b, "S-%u-%llu", d[0], (unsigned long long)authority);
    for (size_t i = 0; i < d[1] && 8 + 4 * i + 4 <= n; i++)
        sc_buf_printf(b, "-%u", le32(d + 8 + 4 * i));
}

/* One scalar as text. n >= scalar_size(type) when that is not 0. */
static void put_scalar_text(sc_buf *b, uint8_t type, const uint8_t *d, size_t n)
{
    if (scalar_size(type) > n) {
        put_hex_bytes(b, d, n);
        return;
    }
    switch (type) {
    case VT_NULL: break;
    case VT_STRING: put_utf16(b, d, string_value_units(d, n / 2)); break;
    case VT_ANSI: put_ansi(b, d, n); break;
    case VT_INT8: sc_buf_printf(b, "%d", (int8_t)d[0]); break;
    case VT_UINT8: sc_buf_printf(b, "%u", d[0]); break;
    case VT_INT16: sc_buf_printf(b, "%d", (int16_t)le16(d)); break;
    case VT_UINT16: sc_buf_printf(b, "%u", le16(d)); break;
    case VT_INT32: sc_buf_printf(b, "%d", (int32_t)le32(d)); break;
    case VT_UINT32: sc_buf_printf(b, "%u", le32(d)); break;
    case VT_INT64: sc_buf_printf(b, "%lld", (long long)(int64_t)le64(d)); break;
    case VT_UINT64: sc_buf_printf(b, "%llu", (unsigned long long)le64(d)); break;
    case VT_REAL32: {
        float f;
        uint32_t bits = le32(d);
        memcpy(&f, &bits, sizeof f);
        put_real(b, f, true);
        break;
    }
    case VT_REAL64: {
        double v;
        uint64_t bits = le64(d);
        memcpy(&v, &bits, sizeof v);
        put_real(b, v, false);
        break;
    }
    case VT_BOOL: sc_buf_puts(b, le32(d) ? "true" : "false"); break;
    case VT_GUID: put_guid(b, d); break;
    case VT_SIZET:
        if (n == 4)
            sc_buf_printf(b, "0x%x", le32(d));
        else if (n == 8)
            sc_buf_printf(b, "0x%llx", (unsigned long long)le64(d));
        else
            put_hex_bytes(b, d, n);
        break;
    case VT_FILETIME: put_filetime(b, le64(d)); break;
    case VT_SYSTIME: put_systime(b, d); break;
    case VT_SID: put_sid(b, d, n); break;
    case VT_HEX32: sc_buf_printf(b, "0x%x", le32(d)); break;
    case VT_HEX64: sc_buf_printf(b, "0x%llx", (unsigned long long)le64(d)); break;
    default: put_hex_bytes(b, d, n); break; /* binary, handles, unknown types */
    }
}

/* Array items: fixed-size types back to back; strings NUL-separated. */
typedef struct array_iter {
    uint8_t type;           /* item type */
    const uint8_t *d, *end;
} array_iter;

static bool array_next(array_iter *it, const uint8_t **item, size_t *n)
{
    if (it->d >= it->end)
        return false;
    size_t left = (size_t)(it->end - it->d);
    if (it->type == VT_STRING || it->type == VT_ANSI) {
        size_t unit = it->type == VT_STRING ? 2 : 1, len = 0;
        while (len + unit <= left && !all_zero(it->d + len, unit))
            len += unit;
        *item = it->d;
        *n = len;
        it->d += len + unit <= left ? len + unit : left; /* past the separator */
        return true;
    }
    size_t size = scalar_size(it->type);
    if (it->type == VT_SID && left >= 8)
        size = 8 + 4 * (size_t)it->d[1];
    if (!size || size > left)
        return false;
    *item = it->d;
    *n = size;
    it->d += size;
    return true;
}

static bool is_array_type(uint8_t type)
{
    uint8_t base = type & (uint8_t)~VT_ARRAY;
    return (type & VT_ARRAY) && base != VT_BINARY && base != VT_BINXML &&
           (base == VT_STRING || base == VT_ANSI || base == VT_SID || scalar_size(base));
}

/* A value as text; array items comma-separated (as evtx_dump's text form). */
static void put_value_text(sc_buf *b, uint8_t type, const uint8_t *d, size_t n)
{
    if (!is_array_type(type)) {
        put_scalar_text(b, type, d, n);
        return;
    }
    array_iter it = {type & (uint8_t)~VT_ARRAY, d, d + n};
    const uint8_t *item;
    size_t len;
    for (bool first = true; array_next(&it, &item, &len); first = false) {
        if (!first)
            sc_buf_putc(b, ',');
        put_scalar_text(b, it.type, item, len);
    }
}

static bool value_is_empty(uint8_t type, const uint8_t *d, size_t n)
{
    if (type == VT_NULL || n == 0)
        return true;
    if (type == VT_STRING)
        return string_value_units(d, n / 2) == 0;
    if (type == VT_ANSI)
        return d[0] == 0;
    return false;
}

/* Types evtx_dump writes as JSON numbers or booleans rather than strings. */
static bool is_json_literal_type(uint8_t type, const uint8_t *d, size_t n)
{
    switch (type) {
    case VT_INT8: case VT_UINT8: case VT_INT16: case VT_UINT16: case VT_INT32: case VT_UINT32:
    case VT_INT64: case VT_UINT64: case VT_BOOL:
        return n >= scalar_size(type);
    case VT_REAL32:
        if (n >= 4) {
            float f;
            uint32_t bits = le32(d);
            memcpy(&f, &bits, sizeof f);
            return isfinite(f);
        }
        return false;
    case VT_REAL64:
        if (n >= 8) {
            double v;
            uint64_t bits = le64(d);
            memcpy(&v, &bits, sizeof v);
            return isfinite(v);
        }
        return false;
    default:
        return false;
    }
}

/* ----------------------------------------------------------- rendering */
typedef struct ev_render {
    sc_evtx *r;
    sc_buf *out;
    size_t start;
    unsigned depth;
    char msg[256];
    bool failed;
} ev_render;

static bool render_fail(ev_render *R, const char *msg)
{
    if (!R->failed) {
        snprintf(R->msg, sizeof R->msg, "%s", msg);
        R->failed = true;
    }
    return false;
}

static bool over_budget(ev_render *R)
{
    if (R->out->oom)
        return render_fail(R, "out of memory");
    if (R->out->len - R->start > SC_EVTX_MAX_JSON_BYTES)
        return render_fail(R, "JSON of the record exceeds 16 MiB");
    return true;
}

static void text_reset(sc_evtx *r)
{
    r->text.len = 0;
    if (r->text.data)
        r->text.data[0] = '\0';
}

static void put_json_text(ev_render *R)
{
    sc_buf *t = &R->r->text;
    sc_buf_put_json_string(R->out, t->len ? t->data : "", t->len);
}

static void put_json_utf16(ev_render *R, const uint8_t *s, size_t units)
{
    text_reset(R->r);
    put_utf16(&R->r->text, s, units);
    put_json_text(R);
}

static bool name_is(const ev_node *n, const char *ascii)
{
    size_t len = strlen(ascii);
    if (n->name_len != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (le16(n->name + 2 * i) != (unsigned char)ascii[i])
            return false;
    return true;
}

static bool is_data_container(const ev_node *n)
{
    return name_is(n, "EventData") || name_is(n, "UserData");
}

static bool node_is_empty(const ev_node *n)
{
    switch (n->kind) {
    case N_TEXT: return n->len == 0 || (n->data[0] == 0 && n->data[1] == 0);
    case N_VALUE: return value_is_empty(n->vtype, n->data, n->len);
    case N_CHARREF: case N_ENTITY: return false;
    default: return true;
    }
}

/* Non-empty character data among the nodes of a list (elements skipped). */
static bool has_text(const sc_evtx *r, uint32_t first)
{
    for (uint32_t i = first; i; i = r->nodes[i].next)
        if (r->nodes[i].kind != N_ELEM && !node_is_empty(&r->nodes[i]))
            return true;
    return false;
}

static bool has_attr_text(const sc_evtx *r, const ev_node *el)
{
    for (uint32_t a = el->attrs; a; a = r->nodes[a].next)
        if (has_text(r, r->nodes[a].first))
            return true;
    return false;
}

static bool has_elem_child(const sc_evtx *r, const ev_node *el)
{
    for (uint32_t i = el->first; i; i = r->nodes[i].next)
        if (r->nodes[i].kind == N_ELEM)
            return true;
    return false;
}

static uint32_t find_attr(const sc_evtx *r, const ev_node *el, const char *name)
{
    for (uint32_t a = el->attrs; a; a = r->nodes[a].next)
        if (name_is(&r->nodes[a], name))
            return a;
    return 0;
}

static void put_entity_text(sc_buf *b, const ev_node *n)
{
    static const struct { const char *name; char c; } predefined[] = {
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    for (size_t i = 0; i < sizeof predefined / sizeof predefined[0]; i++)
        if (name_is(n, predefined[i].name)) {
            sc_buf_putc(b, predefined[i].c);
            return;
        }
    sc_buf_putc(b, '&');
    put_utf16(b, n->name, n->name_len);
    sc_buf_putc(b, ';');
}

/* Character data of one node as UTF-8 text. */
static void put_node_text(sc_buf *b, const ev_node *n)
{
    switch (n->kind) {
    case N_TEXT: put_utf16(b, n->data, n->len); break;
    case N_VALUE: put_value_text(b, n->vtype, n->data, n->len); break;
    case N_CHARREF: put_utf8(b, n->len ? n->len : 0xFFFD); break;
    case N_ENTITY: put_entity_text(b, n); break;
    default: break;
    }
}

/* Appends the character data of a node list to b, failing once the text
 * alone outgrows the JSON budget (one value substituted many times over). */
static bool put_list_text(ev_render *R, sc_buf *b, uint32_t first)
{
    const sc_evtx *r = R->r;
    for (uint32_t i = first; i; i = r->nodes[i].next) {
        if (r->nodes[i].kind == N_ELEM)
            continue;
        put_node_text(b, &r->nodes[i]);
        if (b->len > SC_EVTX_MAX_JSON_BYTES)
            return render_fail(R, "text of one value exceeds 16 MiB");
    }
    return true;
}

/* An array value as a JSON array: numbers stay numbers, the rest strings. */
static void put_json_array(ev_render *R, uint8_t type, const uint8_t *d, size_t n)
{
    array_iter it = {type & (uint8_t)~VT_ARRAY, d, d + n};
    const uint8_t *item;
    size_t len;
    sc_buf_putc(R->out, '[');
    for (bool first = true; array_next(&it, &item, &len); first = false) {
        if (!first)
            sc_buf_putc(R->out, ',');
        if (is_json_literal_type(it.type, item, len)) {
            put_scalar_text(R->out, it.type, item, len);
        } else {
            text_reset(R->r);
            put_scalar_text(&R->r->text, it.type, item, len);
            put_json_text(R);
        }
    }
    sc_buf_putc(R->out, ']');
}

/* The character data of a node list as one JSON value: a lone typed value
 * keeps its type (number, boolean, array), anything else is one string. */
static bool put_content_value(ev_render *R, uint32_t first)
{
    const sc_evtx *r = R->r;
    const ev_node *lone = NULL;
    size_t parts = 0;
    for (uint32_t i = first; i; i = r->nodes[i].next)
        if (r->nodes[i].kind != N_ELEM && !node_is_empty(&r->nodes[i])) {
            lone = &r->nodes[i];
            parts++;
        }
    if (parts == 1 && lone->kind == N_VALUE) {
        if (is_json_literal_type(lone->vtype, lone->data, lone->len)) {
            put_scalar_text(R->out, lone->vtype, lone->data, lone->len);
            return true;
        }
        if (is_array_type(lone->vtype)) {
            put_json_array(R, lone->vtype, lone->data, lone->len);
            return true;
        }
    }
    text_reset(R->r);
    if (!put_list_text(R, &R->r->text, first))
        return false;
    put_json_text(R);
    return true;
}

static bool put_element_value(ev_render *R, uint32_t el, bool in_container);
static bool put_object_body(ev_render *R, uint32_t el, bool in_container);

/* Attributes with a value, as "#attributes"; *any says whether there were. */
static bool put_attributes(ev_render *R, const ev_node *el, bool *any)
{
    const sc_evtx *r = R->r;
    *any = false;
    for (uint32_t a = el->attrs; a; a = r->nodes[a].next) {
        const ev_node *an = &r->nodes[a];
        if (!has_text(r, an->first))
            continue;
        sc_buf_puts(R->out, *any ? "," : "\"#attributes\":{");
        *any = true;
        put_json_utf16(R, an->name, an->name_len);
        sc_buf_putc(R->out, ':');
        if (!put_content_value(R, an->first))
            return false;
    }
    if (*any)
        sc_buf_putc(R->out, '}');
    return true;
}

/* A <Data> element of EventData/UserData: its value, or null when empty. */
static bool put_data_value(ev_render *R, uint32_t el)
{
    const ev_node *n = &R->r->nodes[el];
    if (has_elem_child(R->r, n))
        return put_object_body(R, el, false);
    if (!has_text(R->r, n->first)) {
        sc_buf_puts(R->out, "null");
        return true;
    }
    return put_content_value(R, n->first);
}

/* How a child element is written into its parent's object. */
enum { CHILD_ELEMENT, CHILD_NAMED_DATA, CHILD_POSITIONAL_DATA };

typedef struct child_entry {
    uint32_t node;
    uint32_t order;         /* position among the written children */
    uint8_t how;
    const char *key;        /* UTF-8, in the keys buffer */
    size_t key_off, key_len;
    uint32_t group_size;    /* on the first entry of a group of equal keys */
    uint32_t next_in_group; /* index into entries + 1, 0 = last */
} child_entry;

/* A key's text; the buffer stays unallocated when every key is empty. */
static const char *key_text(const sc_buf *keys, size_t off)
{
    return keys->data ? keys->data + off : "";
}

static int compare_entries(const void *a, const void *b)
{
    const child_entry *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    if (x->key_len != y->key_len)
        return x->key_len < y->key_len ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Lists the children to write with their JSON keys. EventData/UserData:
 * <Data Name="X"> becomes "X" when any Data has a Name (unnamed ones are
 * dropped, as evtx_dump does); otherwise all Data form one "Data" entry. */
static bool collect_children(ev_render *R, const ev_node *el, bool in_container,
                             child_entry *entries, size_t *count, sc_buf *keys)
{
    const sc_evtx *r = R->r;
    bool flatten = false;
    if (in_container)
        for (uint32_t i = el->first; i && !flatten; i = r->nodes[i].next) {
            const ev_node *c = &r->nodes[i];
            uint32_t name = c->kind == N_ELEM && name_is(c, "Data") ? find_attr(r, c, "Name") : 0;
            flatten = name && has_text(r, r->nodes[name].first);
        }
    size_t n = 0;
    bool positional_done = false;
    for (uint32_t i = el->first; i; i = r->nodes[i].next) {
        const ev_node *c = &r->nodes[i];
        if (c->kind != N_ELEM)
            continue;
        child_entry e = {.node = i, .order = (uint32_t)n, .how = CHILD_ELEMENT,
                         .key_off = keys->len};
        if (in_container && name_is(c, "Data")) {
            uint32_t name = find_attr(r, c, "Name");
            if (flatten) {
                if (!name || !has_text(r, r->nodes[name].first))
                    continue;
                e.how = CHILD_NAMED_DATA;
                if (!put_list_text(R, keys, r->nodes[name].first))
                    return false;
            } else {
                if (positional_done)
                    continue;
                positional_done = true;
                e.how = CHILD_POSITIONAL_DATA;
                sc_buf_puts(keys, "Data");
            }
        } else {
            put_utf16(keys, c->name, c->name_len);
        }
        e.key_len = keys->len - e.key_off;
        entries[n++] = e;
    }
    *count = n;
    return true;
}

/* Repeated keys become one key with an array of the values in document
 * order: marks the first entry of each group and chains the rest. */
static bool group_entries(child_entry *entries, size_t n, const sc_buf *keys)
{
    if (n < 2)
        return true;
    child_entry *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return false;
    for (size_t i = 0; i < n; i++) {
        entries[i].key = key_text(keys, entries[i].key_off);
        sorted[i] = entries[i];
    }
    qsort(sorted, n, sizeof *sorted, compare_entries);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && sorted[j].key_len == sorted[i].key_len &&
               memcmp(sorted[j].key, sorted[i].key, sorted[i].key_len) == 0)
            j++;
        entries[sorted[i].order].group_size = (uint32_t)(j - i);
        for (size_t k = i; k + 1 < j; k++)
            entries[sorted[k].order].next_in_group = sorted[k + 1].order + 1;
        i = j;
    }
    free(sorted);
    return true;
}

static bool put_positional_data(ev_render *R, const ev_node *container)
{
    const sc_evtx *r = R->r;
    size_t count = 0;
    for (uint32_t i = container->first; i; i = r->nodes[i].next)
        count += r->nodes[i].kind == N_ELEM && name_is(&r->nodes[i], "Data");
    sc_buf_puts(R->out, "{\"#text\":");
    if (count > 1)
        sc_buf_putc(R->out, '[');
    bool first = true;
    for (uint32_t i = container->first; i; i = r->nodes[i].next) {
        if (r->nodes[i].kind != N_ELEM || !name_is(&r->nodes[i], "Data"))
            continue;
        if (!first)
            sc_buf_putc(R->out, ',');
        first = false;
        if (!put_data_value(R, i))
            return false;
    }
    if (count > 1)
        sc_buf_putc(R->out, ']');
    sc_buf_putc(R->out, '}');
    return true;
}

static bool put_entry_value(ev_render *R, const ev_node *parent, const child_entry *e)
{
    switch (e->how) {
    case CHILD_NAMED_DATA: return put_data_value(R, e->node);
    case CHILD_POSITIONAL_DATA: return put_positional_data(R, parent);
    default: return put_element_value(R, e->node, is_data_container(&R->r->nodes[e->node]));
    }
}

static bool put_children(ev_render *R, const ev_node *el, bool in_container, bool wrote_any)
{
    size_t count = 0;
    for (uint32_t i = el->first; i; i = R->r->nodes[i].next)
        count += R->r->nodes[i].kind == N_ELEM;
    if (!count)
        return true;
    sc_buf keys = {0};
    child_entry *entries = calloc(count, sizeof *entries);
    if (!entries)
        return render_fail(R, "out of memory");
    size_t n = 0;
    bool ok = collect_children(R, el, in_container, entries, &n, &keys);
    if (ok && (keys.oom || !group_entries(entries, n, &keys)))
        ok = render_fail(R, "out of memory");
    for (size_t i = 0; ok && i < n; i++) {
        const child_entry *e = &entries[i];
        if (!e->group_size && n > 1)
            continue; /* written with the first of its group */
        if (wrote_any)
            sc_buf_putc(R->out, ',');
        wrote_any = true;
        sc_buf_put_json_string(R->out, key_text(&keys, e->key_off), e->key_len);
        sc_buf_putc(R->out, ':');
        if (e->group_size > 1) {
            sc_buf_putc(R->out, '[');
            for (size_t g = i + 1; ok && g; g = entries[g - 1].next_in_group) {
                if (g != i + 1)
                    sc_buf_putc(R->out, ',');
                ok = put_entry_value(R, el, &entries[g - 1]);
            }
            sc_buf_putc(R->out, ']');
        } else {
            ok = put_entry_value(R, el, e);
        }
    }
    free(entries);
    sc_buf_free(&keys);
    return ok;
}

/* An element with element children or attribute values: a JSON object of
 * "#attributes", "#text" and the children by name. */
static bool put_object_body(ev_render *R, uint32_t el, bool in_container)
{
    if (++R->depth > SC_EVTX_MAX_DEPTH + 1)
        return render_fail(R, "elements nested too deep");
    const ev_node *n = &R->r->nodes[el];
    sc_buf_putc(R->out, '{');
    bool wrote_any;
    if (!put_attributes(R, n, &wrote_any))
        return false;
    if (has_text(R->r, n->first)) {
        sc_buf_puts(R->out, wrote_any ? ",\"#text\":" : "\"#text\":");
        wrote_any = true;
        if (!put_content_value(R, n->first))
            return false;
    }
    if (!put_children(R, n, in_container, wrote_any))
        return false;
    sc_buf_putc(R->out, '}');
    R->depth--;
    return over_budget(R);
}

/* An element's value: null when empty, its content when it has neither
 * child elements nor attribute values, an object otherwise. */
static bool put_element_value(ev_render *R, uint32_t el, bool in_container)
{
    if (!over_budget(R))
        return false;
    const ev_node *n = &R->r->nodes[el];
    bool children = has_elem_child(R->r, n);
    bool attrs = has_attr_text(R->r, n);
    if (!children && !attrs) {
        if (has_text(R->r, n->first))
            return put_content_value(R, n->first);
        sc_buf_puts(R->out, "null");
        return true;
    }
    return put_object_body(R, el, in_container);
}

static bool render_record(ev_render *R)
{
    const sc_evtx *r = R->r;
    uint32_t root = r->nodes[1].first;
    while (root && r->nodes[root].kind != N_ELEM)
        root = r->nodes[root].next;
    if (!root)
        return render_fail(R, "the record holds no XML element");
    sc_buf_putc(R->out, '{');
    put_json_utf16(R, r->nodes[root].name, r->nodes[root].name_len);
    sc_buf_putc(R->out, ':');
    if (!put_element_value(R, root, false))
        return false;
    sc_buf_putc(R->out, '}');
    return over_budget(R);
}

/* -------------------------------------------------------------- records */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const uint8_t *chunk_at(const sc_evtx *r, size_t index)
{
    return r->data + FILE_HEADER_SIZE + index * CHUNK_SIZE;
}

/* Parses and renders the record whose BinXML is [start, end) of the chunk.
 * On failure, msg says why and out is unchanged. */
static bool convert_record(sc_evtx *r, const uint8_t *chunk, size_t start, size_t end,
                           sc_buf *out, char *msg, size_t msglen)
{
    ev_parse p = {.r = r, .chunk = chunk};
    r->n_nodes = 1; /* index 0 means "none" */
    r->n_values = 0;
    p.stack[0] = new_node(&p, N_DOC);
    if (p.stack[0] && parse_stream(&p, (cursor){start, end}, false, NULL, "record")) {
        ev_render R = {.r = r, .out = out, .start = out->len};
        if (render_record(&R))
            return true;
        snprintf(msg, msglen, "%s", R.msg);
        out->len = R.start;
        if (out->data)
            out->data[out->len] = '\0';
        return false;
    }
    snprintf(msg, msglen, "%s", p.msg);
    return false;
}

/* After a damaged record: the next record signature, or the end of the area. */
static size_t resync(const uint8_t *chunk, size_t from, size_t end)
{
    for (size_t off = from; off + RECORD_MIN_SIZE <= end; off++)
        if (memcmp(chunk + off, RECORD_SIGNATURE, 4) == 0)
            return off;
    return end;
}

static void count_checksum_errors(sc_evtx *r, const uint8_t *chunk, uint32_t free_off)
{
    uint32_t header_crc = crc32_of(chunk, 120, 0);
    header_crc = crc32_of(chunk + 128, CHUNK_HEADER_SIZE - 128, header_crc);
    bool bad = header_crc != le32(chunk + 124);
    if (free_off >= CHUNK_HEADER_SIZE && free_off <= CHUNK_SIZE)
        bad |= crc32_of(chunk + CHUNK_HEADER_SIZE, free_off - CHUNK_HEADER_SIZE, 0) !=
               le32(chunk + 52);
    r->checksum_errors += bad;
}

/* Moves to the next chunk that has records: 1 opened, 0 none left, -1 bad chunk. */
static int open_next_chunk(sc_evtx *r, char *err, size_t errlen)
{
    while (r->chunk < r->n_chunks) {
        const uint8_t *chunk = chunk_at(r, r->chunk);
        if (all_zero(chunk, CHUNK_SIZE)) {
            r->chunk++; /* never used: normal at the end of a log */
            continue;
        }
        if (memcmp(chunk, CHUNK_SIGNATURE, 8) != 0) {
            set_err(err, errlen, "chunk %zu (file offset 0x%zx): no chunk signature, skipped",
                    r->chunk, (size_t)(chunk - r->data));
            r->chunk++;
            return -1;
        }
        uint32_t free_off = le32(chunk + 48);
        count_checksum_errors(r, chunk, free_off);
        /* A free-space offset out of range is damage; the records still end
         * where zeros start or the chunk ends. */
        r->rec_end = free_off >= CHUNK_HEADER_SIZE && free_off <= CHUNK_SIZE ? free_off
                                                                             : CHUNK_SIZE;
        r->rec_off = CHUNK_HEADER_SIZE;
        r->chunk_open = true;
        return 1;
    }
    size_t tail = r->len - FILE_HEADER_SIZE - r->n_chunks * CHUNK_SIZE;
    if (tail && !r->tail_reported && !all_zero(chunk_at(r, r->n_chunks), tail)) {
        r->tail_reported = true;
        set_err(err, errlen, "chunk %zu (file offset 0x%zx): truncated, %zu of %u bytes",
                r->n_chunks, (size_t)(chunk_at(r, r->n_chunks) - r->data), tail, CHUNK_SIZE);
        return -1;
    }
    return 0;
}

static void close_chunk(sc_evtx *r)
{
    r->chunk_open = false;
    r->chunk++;
}

int sc_evtx_next(sc_evtx *r, sc_buf *out, uint64_t *record_id, char *err, size_t errlen)
{
    if (!r || !out)
        return 0;
    for (;;) {
        if (!r->chunk_open) {
            int opened = open_next_chunk(r, err, errlen);
            if (opened <= 0)
                return opened;
        }
        const uint8_t *chunk = chunk_at(r, r->chunk);
        size_t off = r->rec_off;
        if (off + RECORD_MIN_SIZE > r->rec_end || all_zero(chunk + off, 4)) {
            close_chunk(r);
            continue;
        }
        if (memcmp(chunk + off, RECORD_SIGNATURE, 4) != 0) {
            set_err(err, errlen, "chunk %zu, record at offset 0x%zx: no record signature",
                    r->chunk, off);
            r->rec_off = resync(chunk, off + 1, r->rec_end);
            return -1;
        }
        uint32_t size = le32(chunk + off + 4);
        uint64_t id = le64(chunk + off + 8);
        if (record_id)
            *record_id = id;
        if (size < RECORD_MIN_SIZE || size > CHUNK_SIZE - off ||
            le32(chunk + off + size - 4) != size) {
            set_err(err, errlen,
                    "chunk %zu, record %llu at offset 0x%zx: bad record size %u", r->chunk,
                    (unsigned long long)id, off, size);
            r->rec_off = resync(chunk, off + 4, r->rec_end);
            return -1;
        }
        r->rec_off = off + size;
        char msg[256];
        if (!convert_record(r, chunk, off + RECORD_HEADER_SIZE, off + size - 4, out, msg,
                            sizeof msg)) {
            set_err(err, errlen, "chunk %zu, record %llu at offset 0x%zx: %s", r->chunk,
                    (unsigned long long)id, off, msg);
            return -1;
        }
        return 1;
    }
}

sc_evtx *sc_evtx_open(const unsigned char *data, size_t len, char *err, size_t errlen)
{
    if (!data || len < sizeof FILE_SIGNATURE || memcmp(data, FILE_SIGNATURE, 8) != 0) {
        set_err(err, errlen, "not an EVTX file (no \"ElfFile\" signature)");
        return NULL;
    }
    if (len < FILE_HEADER_SIZE) {
        set_err(err, errlen, "truncated EVTX file header: %zu of %u bytes", len,
                FILE_HEADER_SIZE);
        return NULL;
    }
    sc_evtx *r = calloc(1, sizeof *r);
    if (!r) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    r->data = data;
    r->len = len;
    /* Every whole chunk is read, whatever the header's chunk count says:
     * logs that were not closed cleanly have chunks past it. */
    r->n_chunks = (len - FILE_HEADER_SIZE) / CHUNK_SIZE;
    return r;
}

void sc_evtx_close(sc_evtx *r)
{
    if (!r)
        return;
    free(r->nodes);
    free(r->values);
    sc_buf_free(&r->text);
    free(r);
}

size_t sc_evtx_checksum_errors(const sc_evtx *r)
{
    return r ? r->checksum_errors : 0;
}
