/*
 * test_evtx.c - the EVTX reader (evtx.c).
 *
 * - File and chunk framing: what is refused, what is skipped, what is
 *   reported and read past.
 * - The JSON shapes of evtx_dump, on records assembled here byte by byte
 *   (templates, value types, arrays, nested BinXML, Data with and without
 *   Name, repeated elements) and on the limits (self-referencing templates,
 *   deep nesting).
 * - Every EVTX file of the shared sample logs (../shared/events) against its
 *   JSON twin: record counts, and field by field.
 * - Damaged input: real files with flipped and truncated bytes must give
 *   errors and valid JSON, never a crash or a loop.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <sys/stat.h>

#include "test_util.h"

#include "evtx.h"

#ifndef SIGCC_SOURCE_DIR
#define SIGCC_SOURCE_DIR "."
#endif
#define EVENTS_DIR SIGCC_SOURCE_DIR "/../shared/events"

/* ------------------------------------------------------------ helpers */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *data = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)size + 1);
        if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    if (data) {
        data[size] = '\0';
        *len = (size_t)size;
    }
    return data;
}

static bool events_present(void)
{
    struct stat st;
    return stat(EVENTS_DIR, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Every record of an image, one JSON line each. */
typedef struct drained {
    bool opened;
    size_t records, errors, calls, checksum_errors;
    sc_buf lines;
    char first_error[512];
    char last_error[512];
} drained;

#define DRAIN_MAX_CALLS 1000000u

static void drain(const unsigned char *data, size_t len, drained *d)
{
    memset(d, 0, sizeof *d);
    char err[512];
    sc_evtx *r = sc_evtx_open(data, len, err, sizeof err);
    d->opened = r != NULL;
    if (!r)
        return;
    sc_buf out = {0};
    int rc;
    while (d->calls++ < DRAIN_MAX_CALLS &&
           (rc = sc_evtx_next(r, &out, NULL, err, sizeof err)) != 0) {
        if (rc < 0) {
            if (!d->errors++)
                snprintf(d->first_error, sizeof d->first_error, "%s", err);
            snprintf(d->last_error, sizeof d->last_error, "%s", err);
            assert_int_equal(out.len, 0); /* nothing half-written */
            continue;
        }
        assert_int_equal(rc, 1);
        assert_non_null(out.data);
        assert_null(memchr(out.data, '\n', out.len)); /* one line */
        sc_buf_put(&d->lines, out.data, out.len);
        sc_buf_putc(&d->lines, '\n');
        d->records++;
        out.len = 0;
    }
    assert_true(d->calls <= DRAIN_MAX_CALLS); /* terminated */
    d->checksum_errors = sc_evtx_checksum_errors(r);
    sc_buf_free(&out);
    sc_evtx_close(r);
}

/* ------------------------------------------------- a small JSON reader
 * Enough to compare the reader's output with the twins: the whole value
 * tree, strings unescaped to UTF-8, numbers as doubles. */
typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jkind;

typedef struct jval jval;
struct jval {
    jkind kind;
    bool b;
    double num;
    const char *str; /* J_STR: UTF-8; J_NUM: the number's text */
    size_t len;
    jval **items;
    const char **keys; /* J_OBJ */
    size_t n, cap;
};

typedef struct jparser {
    const char *p, *end;
    sc_arena *arena;
    int depth;
} jparser;

static void j_ws(jparser *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static jval *j_value(jparser *j);

static bool j_hex4(jparser *j, uint32_t *out)
{
    if (j->end - j->p < 4)
        return false;
    *out = 0;
    for (int i = 0; i < 4; i++) {
        char c = *j->p++;
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0)
            return false;
        *out = *out << 4 | (uint32_t)v;
    }
    return true;
}

static size_t j_put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool j_escape(jparser *j, char *o, size_t *n)
{
    char c = *j->p++;
    const char *simple = strchr("\"\\/bfnrt", c);
    if (simple && c) {
        static const char to[] = "\"\\/\b\f\n\r\t";
        o[(*n)++] = to[simple - "\"\\/bfnrt"];
        return true;
    }
    uint32_t cp, low;
    if (c != 'u' || !j_hex4(j, &cp))
        return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
            return false;
        j->p += 2;
        if (!j_hex4(j, &low) || low < 0xDC00 || low > 0xDFFF)
            return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return false;
    }
    *n += j_put_utf8(o + *n, cp);
    return true;
}

static const char *j_string(jparser *j, size_t *len)
{
    j->p++; /* opening quote */
    const char *close = j->p;
    while (close < j->end && *close != '"')
        close += *close == '\\' ? 2 : 1;
    if (close > j->end)
        return NULL;
    /* Unescaping never makes a string longer. */
    char *o = sc_arena_alloc(j->arena, (size_t)(close - j->p) + 1);
    size_t n = 0;
    while (j->p < j->end && *j->p != '"') {
        if ((unsigned char)*j->p < 0x20)
            return NULL;
        if (*j->p == '\\') {
            j->p++;
            if (j->p >= j->end || !j_escape(j, o, &n))
                return NULL;
        } else {
            o[n++] = *j->p++;
        }
    }
    if (j->p >= j->end)
        return NULL;
    j->p++;
    o[n] = '\0';
    *len = n;
    return sc_utf8_valid(o, n) ? o : NULL;
}

static bool j_push(jparser *j, jval *v, const char *key, jval *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        jval **items = sc_arena_alloc(j->arena, cap * sizeof *items);
        const char **keys = sc_arena_alloc(j->arena, cap * sizeof *keys);
        if (!items || !keys)
            return false;
        if (v->n) {
            memcpy(items, v->items, v->n * sizeof *items);
            memcpy(keys, v->keys, v->n * sizeof *keys);
        }
        v->items = items;
        v->keys = keys;
        v->cap = cap;
    }
    v->keys[v->n] = key;
    v->items[v->n++] = item;
    return true;
}

static jval *j_container(jparser *j, jval *v, char close)
{
    j->p++;
    j_ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return v;
    }
    for (;;) {
        const char *key = NULL;
        size_t key_len;
        j_ws(j);
        if (v->kind == J_OBJ) {
            if (j->p >= j->end || *j->p != '"' || !(key = j_string(j, &key_len)))
                return NULL;
            j_ws(j);
            if (j->p >= j->end || *j->p++ != ':')
                return NULL;
        }
        jval *item = j_value(j);
        if (!item || !j_push(j, v, key, item))
            return NULL;
        j_ws(j);
        if (j->p >= j->end)
            return NULL;
        char c = *j->p++;
        if (c == close)
            return v;
        if (c != ',')
            return NULL;
    }
}

static jval *j_number(jparser *j, jval *v)
{
    const char *start = j->p;
    while (j->p < j->end && strchr("+-0123456789.eE", *j->p))
        j->p++;
    if (j->p == start)
        return NULL;
    char *text = sc_arena_strndup(j->arena, start, (size_t)(j->p - start));
    char *end;
    v->num = strtod(text, &end);
    v->str = text;
    v->len = strlen(text);
    return *end ? NULL : v;
}

static jval *j_value(jparser *j)
{
    j_ws(j);
    if (j->p >= j->end || ++j->depth > 200)
        return NULL;
    jval *v = sc_arena_alloc(j->arena, sizeof *v);
    jval *res = NULL;
    static const struct { const char *text; jkind kind; bool b; } literals[] = {
        {"null", J_NULL, false}, {"true", J_BOOL, true}, {"false", J_BOOL, false}};
    switch (*j->p) {
    case '{': v->kind = J_OBJ; res = j_container(j, v, '}'); break;
    case '[': v->kind = J_ARR; res = j_container(j, v, ']'); break;
    case '"': v->kind = J_STR; res = (v->str = j_string(j, &v->len)) ? v : NULL; break;
    case 'n': case 't': case 'f':
        for (size_t i = 0; i < 3; i++) {
            size_t n = strlen(literals[i].text);
            if ((size_t)(j->end - j->p) >= n && memcmp(j->p, literals[i].text, n) == 0) {
                j->p += n;
                v->kind = literals[i].kind;
                v->b = literals[i].b;
                res = v;
            }
        }
        break;
    default: v->kind = J_NUM; res = j_number(j, v); break;
    }
    j->depth--;
    return res;
}

/* Parses concatenated JSON values (one a line, or pretty-printed one after
 * another). Returns their number, or -1 if the text is not JSON. */
static long j_parse_all(sc_arena *a, const char *text, size_t len, jval ***out)
{
    jparser j = {text, text + len, a, 0};
    jval *list = sc_arena_alloc(a, sizeof *list);
    for (;;) {
        j_ws(&j);
        if (j.p >= j.end)
            break;
        jval *v = j_value(&j);
        if (!v || !j_push(&j, list, NULL, v))
            return -1;
    }
    *out = list->items;
    return (long)list->n;
}

static const jval *j_get(const jval *obj, const char *key)
{
    if (!obj || obj->kind != J_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}

static const jval *j_path(const jval *v, const char *const *keys)
{
    for (; *keys && v; keys++)
        v = j_get(v, *keys);
    return v;
}

/* ------------------------------------------- assembling EVTX in memory */
typedef struct bx {
    unsigned char *chunk; /* 64 KiB */
    size_t pos;           /* chunk offset */
    bool in_template;     /* element starts carry a dependency identifier */
} bx;

static void bx_u8(bx *b, unsigned v)
{
    assert_true(b->pos < 65536);
    b->chunk[b->pos++] = (unsigned char)v;
}

static void bx_u16(bx *b, unsigned v)
{
    bx_u8(b, v & 0xff);
    bx_u8(b, (v >> 8) & 0xff);
}

static void bx_u32(bx *b, uint32_t v)
{
    bx_u16(b, v & 0xffff);
    bx_u16(b, v >> 16);
}

static void bx_u64(bx *b, uint64_t v)
{
    bx_u32(b, (uint32_t)v);
    bx_u32(b, (uint32_t)(v >> 32));
}

static void put32_at(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void bx_fragment(bx *b)
{
    bx_u8(b, 0x0f);
    bx_u8(b, 1);
    bx_u8(b, 1);
    bx_u8(b, 0);
}

/* A name defined right where it is used (offset = just past the offset). */
static void bx_name(bx *b, const char *name)
{
    bx_u32(b, (uint32_t)b->pos + 4);
    bx_u32(b, 0); /* next name in the hash chain */
    bx_u16(b, 0); /* hash: not checked */
    bx_u16(b, (unsigned)strlen(name));
    for (const char *c = name; *c; c++)
        bx_u16(b, (unsigned char)*c);
    bx_u16(b, 0);
}

static void bx_open(bx *b, const char *name, bool has_attrs)
{
    bx_u8(b, has_attrs ? 0x41 : 0x01);
    if (b->in_template)
        bx_u16(b, 0xffff);
    bx_u32(b, 0); /* element size: not needed by the reader */
    bx_name(b, name);
    if (has_attrs)
        bx_u32(b, 0);
}

static void bx_attr(bx *b, const char *name)
{
    bx_u8(b, 0x06);
    bx_name(b, name);
}

static void bx_text(bx *b, const char *ascii)
{
    bx_u8(b, 0x05);
    bx_u8(b, 0x01);
    bx_u16(b, (unsigned)strlen(ascii));
    for (const char *c = ascii; *c; c++)
        bx_u16(b, (unsigned char)*c);
}

static void bx_subst(bx *b, unsigned index, unsigned type, bool optional)
{
    bx_u8(b, optional ? 0x0e : 0x0d);
    bx_u16(b, index);
    bx_u8(b, type);
}

static void bx_close_start(bx *b) { bx_u8(b, 0x02); }
static void bx_close_empty(bx *b) { bx_u8(b, 0x03); }
static void bx_end(bx *b) { bx_u8(b, 0x04); }

/* <name>text</name> */
static void bx_text_element(bx *b, const char *name, const char *text)
{
    bx_open(b, name, false);
    bx_close_start(b);
    bx_text(b, text);
    bx_end(b);
}

/* <name>%index</name> */
static void bx_subst_element(bx *b, const char *name, unsigned index, unsigned type)
{
    bx_open(b, name, false);
    bx_close_start(b);
    bx_subst(b, index, type, false);
    bx_end(b);
}

/* <Data Name="name">%index</Data> */
static void bx_named_data(bx *b, const char *name, unsigned index, unsigned type)
{
    bx_open(b, "Data", true);
    bx_attr(b, "Name");
    bx_text(b, name);
    bx_close_start(b);
    bx_subst(b, index, type, false);
    bx_end(b);
}

/* A template instance whose definition follows inline; returns where the
 * definition starts (for later references) and leaves the body open. */
static size_t bx_template_begin(bx *b, size_t *size_at)
{
    bx_u8(b, 0x0c);
    bx_u8(b, 0x01);
    bx_u32(b, 0x1234);
    size_t def = b->pos + 4;
    bx_u32(b, (uint32_t)def);
    bx_u32(b, 0); /* next definition */
    for (int i = 0; i < 16; i++)
        bx_u8(b, 0);
    *size_at = b->pos;
    bx_u32(b, 0);
    b->in_template = true;
    bx_fragment(b);
    return def;
}

static void bx_template_end(bx *b, size_t size_at)
{
    bx_u8(b, 0x00);
    put32_at(b->chunk + size_at, (uint32_t)(b->pos - size_at - 4));
    b->in_template = false;
}

/* A template instance that refers to a definition earlier in the chunk. */
static void bx_template_ref(bx *b, size_t def)
{
    bx_u8(b, 0x0c);
    bx_u8(b, 0x01);
    bx_u32(b, 0x1234);
    bx_u32(b, (uint32_t)def);
}

/* Template values: the count and descriptors, then each value written with
 * bx_value_* and its descriptor patched. */
static size_t bx_values_begin(bx *b, unsigned count)
{
    bx_u32(b, count);
    size_t desc = b->pos;
    for (unsigned i = 0; i < count; i++)
        bx_u32(b, 0);
    return desc;
}

static void bx_value_done(bx *b, size_t desc, unsigned index, unsigned type, size_t start)
{
    unsigned char *d = b->chunk + desc + 4 * index;
    size_t size = b->pos - start;
    d[0] = (unsigned char)size;
    d[1] = (unsigned char)(size >> 8);
    d[2] = (unsigned char)type;
}

static void bx_value_bytes(bx *b, size_t desc, unsigned index, unsigned type, const void *data,
                           size_t n)
{
    size_t start = b->pos;
    for (size_t i = 0; i < n; i++)
        bx_u8(b, ((const unsigned char *)data)[i]);
    bx_value_done(b, desc, index, type, start);
}

static void bx_value_u64(bx *b, size_t desc, unsigned index, unsigned type, uint64_t v,
                         size_t size)
{
    unsigned char bytes[8];
    for (size_t i = 0; i < 8; i++)
        bytes[i] = (unsigned char)(v >> (8 * i));
    bx_value_bytes(b, desc, index, type, bytes, size);
}

/* A UTF-16 string value of ASCII text; `nul` adds the terminator. Embedded
 * "\0" in `ascii` (with its length given) separates array items. */
static void bx_value_utf16(bx *b, size_t desc, unsigned index, unsigned type, const char *ascii,
                           size_t n, bool nul)
{
    size_t start = b->pos;
    for (size_t i = 0; i < n; i++)
        bx_u16(b, (unsigned char)ascii[i]);
    if (nul)
        bx_u16(b, 0);
    bx_value_done(b, desc, index, type, start);
}

static size_t rec_begin(bx *b, uint64_t id)
{
    size_t start = b->pos;
    bx_u8(b, 0x2a);
    bx_u8(b, 0x2a);
    bx_u16(b, 0);
    bx_u32(b, 0); /* size, patched */
    bx_u64(b, id);
    bx_u64(b, 132080209714462815ull);
    bx_fragment(b);
    return start;
}

static void rec_end(bx *b, size_t start)
{
    bx_u8(b, 0x00); /* end of stream */
    uint32_t size = (uint32_t)(b->pos + 4 - start);
    bx_u32(b, size);
    put32_at(b->chunk + start + 4, size);
}

/* A file image: header, then chunks given as 64 KiB blocks, then `tail`
 * bytes of a further chunk. */
static unsigned char *make_file(const unsigned char *const *chunks, size_t n_chunks,
                                size_t tail, size_t *len)
{
    *len = 4096 + n_chunks * 65536 + tail;
    unsigned char *f = calloc(1, *len);
    assert_non_null(f);
    memcpy(f, "ElfFile", 8);
    f[32] = 128;
    f[36] = 1;
    f[38] = 3;
    f[41] = 0x10; /* header block size 4096 */
    f[42] = (unsigned char)n_chunks;
    for (size_t i = 0; i < n_chunks; i++)
        memcpy(f + 4096 + i * 65536, chunks[i], 65536);
    if (tail)
        memcpy(f + 4096 + n_chunks * 65536, "ElfChnk", 8);
    return f;
}

static void chunk_init(bx *b, unsigned char *chunk)
{
    memset(chunk, 0, 65536);
    memcpy(chunk, "ElfChnk", 8);
    chunk[40] = 128;
    b->chunk = chunk;
    b->pos = 512;
    b->in_template = false;
}

static void chunk_finish(bx *b)
{
    put32_at(b->chunk + 48, (uint32_t)b->pos); /* free space offset */
}

/* Reads the next record and compares its JSON with `expected`. */
static void expect_record(sc_evtx *r, const char *expected)
{
    sc_buf out = {0};
    char err[512] = "";
    int rc = sc_evtx_next(r, &out, NULL, err, sizeof err);
    if (rc != 1)
        print_message("rc %d: %s\n", rc, err);
    assert_int_equal(rc, 1);
    if (strcmp(out.data, expected) != 0)
        print_message("got:      %s\nexpected: %s\n", out.data, expected);
    assert_string_equal(out.data, expected);
    sc_buf_free(&out);
}

static void expect_error(sc_evtx *r, const char *needle)
{
    sc_buf out = {0};
    char err[512] = "";
    int rc = sc_evtx_next(r, &out, NULL, err, sizeof err);
    if (rc != -1 || !strstr(err, needle))
        print_message("rc %d, err \"%s\", expected \"%s\"\n", rc, err, needle);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, needle));
    assert_int_equal(out.len, 0);
    sc_buf_free(&out);
}

/* ---------------------------------------------------------- framing */
static void test_rejects_non_evtx(void **state)
{
    (void)state;
    char err[256];
    static const unsigned char text[] = "hello, world";
    err[0] = '\0';
    assert_null(sc_evtx_open(NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "not an EVTX file"));
    assert_null(sc_evtx_open(text, sizeof text, err, sizeof err));
    assert_non_null(strstr(err, "not an EVTX file"));
    assert_null(sc_evtx_open((const unsigned char *)"ElfFil", 6, err, sizeof err));
    assert_null(sc_evtx_open((const unsigned char *)"ElfChnk", 8, err, sizeof err));

    /* The signature, but less than the 4096-byte header. */
    size_t len;
    unsigned char *f = tu_track(make_file(NULL, 0, 0, &len), tu_free_fn);
    for (size_t n = 8; n < 4096; n += 509) {
        assert_null(sc_evtx_open(f, n, err, sizeof err));
        assert_non_null(strstr(err, "truncated EVTX file header"));
    }
    assert_null(sc_evtx_open(f, 8, NULL, 0)); /* no room for a message: fine */

    /* A header alone is an empty log. */
    sc_evtx *r = sc_evtx_open(f, len, err, sizeof err);
    assert_non_null(r);
    sc_buf out = {0};
    assert_int_equal(sc_evtx_next(r, &out, NULL, err, sizeof err), 0);
    assert_int_equal(sc_evtx_next(r, &out, NULL, err, sizeof err), 0);
    sc_evtx_close(r);
    sc_evtx_close(NULL);
    tu_release(f);
}

/* Zero chunks are skipped, a chunk without signature and a truncated last
 * chunk are reported once each, and reading goes on past them. */
static void test_chunk_framing(void **state)
{
    (void)state;
    unsigned char *zero = tu_track(calloc(1, 65536), tu_free_fn);
    unsigned char *garbage = tu_track(malloc(65536), tu_free_fn);
    unsigned char *good = tu_track(malloc(65536), tu_free_fn);
    memset(garbage, 0x5a, 65536);
    bx b;
    chunk_init(&b, good);
    size_t rec = rec_begin(&b, 7);
    bx_text_element(&b, "Plain", "ok");
    rec_end(&b, rec);
    chunk_finish(&b);

    const unsigned char *chunks[] = {zero, garbage, good};
    size_t len;
    unsigned char *f = tu_track(make_file(chunks, 3, 1000, &len), tu_free_fn);
    char err[512];
    sc_evtx *r = sc_evtx_open(f, len, err, sizeof err);
    assert_non_null(r);
    expect_error(r, "chunk 1 (file offset 0x11000): no chunk signature");
    uint64_t id = 0;
    sc_buf out = {0};
    assert_int_equal(sc_evtx_next(r, &out, &id, err, sizeof err), 1);
    assert_string_equal(out.data, "{\"Plain\":\"ok\"}");
    assert_int_equal(id, 7);
    out.len = 0;
    expect_error(r, "chunk 3 (file offset 0x31000): truncated, 1000 of 65536 bytes");
    assert_int_equal(sc_evtx_next(r, &out, NULL, err, sizeof err), 0);
    /* The synthetic chunk has no CRCs: counted, not refused. */
    assert_int_equal(sc_evtx_checksum_errors(r), 1);
    sc_buf_free(&out);
    sc_evtx_close(r);
    tu_release(f);
    tu_release(good);
    tu_release(garbage);
    tu_release(zero);
}

/* ----------------------------------------------------- shapes and types */
enum { T_NULL = 0x00, T_STRING = 0x01, T_ANSI = 0x02, T_UINT16 = 0x06, T_REAL64 = 0x0c,
       T_BOOL = 0x0d, T_BINARY = 0x0e, T_GUID = 0x0f, T_FILETIME = 0x11, T_SID = 0x13,
       T_HEX64 = 0x15, T_BINXML = 0x21, T_ARRAY = 0x80 };

static const unsigned char GUID_BYTES[16] = {0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
                                             0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
#define GUID_TEXT "00112233-4455-6677-8899-AABBCCDDEEFF"

/* The System-like template of records 1 and 2:
 * <Event xmlns="http://x"><System>
 *   <EventID Qualifiers="%?0">%1</EventID> <Keywords>%2</Keywords>
 *   <TimeCreated SystemTime="%3"/> <Security UserID="%?4"/>
 *   <Correlation ActivityID="%?5"/> <Flag>%6</Flag> <Ratio>%7</Ratio>
 * </System><EventData><Data>%8</Data><Data>%9</Data><Data/></EventData></Event> */
static void bx_system_template_body(bx *b)
{
    bx_open(b, "Event", true);
    bx_attr(b, "xmlns");
    bx_text(b, "http://x");
    bx_close_start(b);
    bx_open(b, "System", false);
    bx_close_start(b);
    bx_open(b, "EventID", true);
    bx_attr(b, "Qualifiers");
    bx_subst(b, 0, T_UINT16, true);
    bx_close_start(b);
    bx_subst(b, 1, T_UINT16, false);
    bx_end(b);
    bx_subst_element(b, "Keywords", 2, T_HEX64);
    static const struct { const char *element, *attr; unsigned type; } empty_elements[] = {
        {"TimeCreated", "SystemTime", T_FILETIME}, {"Security", "UserID", T_SID},
        {"Correlation", "ActivityID", T_GUID}};
    for (unsigned i = 0; i < 3; i++) {
        bx_open(b, empty_elements[i].element, true);
        bx_attr(b, empty_elements[i].attr);
        bx_subst(b, 3 + i, empty_elements[i].type, i > 0);
        bx_close_empty(b);
    }
    bx_subst_element(b, "Flag", 6, T_BOOL);
    bx_subst_element(b, "Ratio", 7, T_REAL64);
    bx_end(b);
    bx_open(b, "EventData", false);
    bx_close_start(b);
    bx_subst_element(b, "Data", 8, T_STRING);
    bx_subst_element(b, "Data", 9, T_STRING);
    bx_open(b, "Data", false);
    bx_close_empty(b);
    bx_end(b);
    bx_end(b);
}

static const unsigned char SID_LOCAL_SYSTEM[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};

static size_t record_1(bx *b)
{
    size_t rec = rec_begin(b, 1), size_at;
    size_t def = bx_template_begin(b, &size_at);
    bx_system_template_body(b);
    bx_template_end(b, size_at);
    size_t d = bx_values_begin(b, 10);
    bx_value_u64(b, d, 0, T_UINT16, 16384, 2);
    bx_value_u64(b, d, 1, T_UINT16, 7036, 2);
    bx_value_u64(b, d, 2, T_HEX64, 0x8000000000000000ull, 8);
    bx_value_u64(b, d, 3, T_FILETIME, 132080209714462815ull, 8);
    bx_value_bytes(b, d, 4, T_SID, SID_LOCAL_SYSTEM, sizeof SID_LOCAL_SYSTEM);
    bx_value_bytes(b, d, 5, T_NULL, NULL, 0);
    bx_value_u64(b, d, 6, T_BOOL, 1, 4);
    bx_value_u64(b, d, 7, T_REAL64, 0x3FE0000000000000ull, 8); /* 0.5 */
    bx_value_utf16(b, d, 8, T_STRING, "a", 1, true);
    bx_value_utf16(b, d, 9, T_STRING, "b \t", 3, false); /* trailing blanks go */
    rec_end(b, rec);
    return def;
}

/* The same template by reference, other values: absent Qualifiers, null
 * SID, a GUID, an ANSI string. */
static void record_2(bx *b, size_t def)
{
    size_t rec = rec_begin(b, 2);
    bx_template_ref(b, def);
    size_t d = bx_values_begin(b, 10);
    bx_value_bytes(b, d, 0, T_NULL, NULL, 0);
    bx_value_u64(b, d, 1, T_UINT16, 4624, 2);
    bx_value_u64(b, d, 2, T_HEX64, 0, 8);
    bx_value_u64(b, d, 3, T_FILETIME, 0, 8);
    bx_value_bytes(b, d, 4, T_NULL, NULL, 0);
    bx_value_bytes(b, d, 5, T_GUID, GUID_BYTES, 16);
    bx_value_u64(b, d, 6, T_BOOL, 0, 4);
    bx_value_u64(b, d, 7, T_REAL64, 0xC002000000000000ull, 8); /* -2.25 */
    bx_value_bytes(b, d, 8, T_STRING, NULL, 0);
    bx_value_bytes(b, d, 9, T_ANSI, "caf\xe9\0", 5);
    rec_end(b, rec);
}

/* Named Data, arrays, nested BinXML, references, repeated elements:
 * <Event><EventData>
 *   <Data Name="Strings">%0</Data> <Data Name="Nums">%1</Data>
 *   <Data Name="Nested">%2</Data> <Data Name="Guid">%3</Data>
 *   <Data Name="Bin">%4</Data> <Data Name="Ref">&lt;&#65;</Data>
 *   <Data Name="Empty">%5</Data> <Data Name="Dup">1</Data> <Data Name="Dup">2</Data>
 *   <Data>unnamed</Data>
 * </EventData><UserData><Op xmlns="u"><Header>h1</Header><Header>h2</Header>
 *   <One>z</One></Op></UserData></Event> */
static void record_3(bx *b)
{
    size_t rec = rec_begin(b, 3), size_at;
    bx_template_begin(b, &size_at);
    bx_open(b, "Event", false);
    bx_close_start(b);
    bx_open(b, "EventData", false);
    bx_close_start(b);
    bx_named_data(b, "Strings", 0, T_STRING | T_ARRAY);
    bx_named_data(b, "Nums", 1, T_UINT16 | T_ARRAY);
    bx_named_data(b, "Nested", 2, T_BINXML);
    bx_named_data(b, "Guid", 3, T_GUID);
    bx_named_data(b, "Bin", 4, T_BINARY);
    bx_open(b, "Data", true);
    bx_attr(b, "Name");
    bx_text(b, "Ref");
    bx_close_start(b);
    bx_u8(b, 0x49); /* entity reference &lt; */
    bx_name(b, "lt");
    bx_u8(b, 0x08); /* character reference &#65; */
    bx_u16(b, 65);
    bx_end(b);
    bx_named_data(b, "Empty", 5, T_STRING);
    for (int i = 1; i <= 2; i++) {
        bx_open(b, "Data", true);
        bx_attr(b, "Name");
        bx_text(b, "Dup");
        bx_close_start(b);
        bx_text(b, i == 1 ? "1" : "2");
        bx_end(b);
    }
    bx_text_element(b, "Data", "unnamed");
    bx_end(b);
    bx_open(b, "UserData", false);
    bx_close_start(b);
    bx_open(b, "Op", true);
    bx_attr(b, "xmlns");
    bx_text(b, "u");
    bx_close_start(b);
    bx_text_element(b, "Header", "h1");
    bx_text_element(b, "Header", "h2");
    bx_text_element(b, "One", "z");
    bx_end(b);
    bx_end(b);
    bx_end(b);
    bx_template_end(b, size_at);

    size_t d = bx_values_begin(b, 6);
    bx_value_utf16(b, d, 0, T_STRING | T_ARRAY, "x\0y", 3, true);
    static const unsigned char nums[] = {1, 0, 2, 0};
    bx_value_bytes(b, d, 1, T_UINT16 | T_ARRAY, nums, sizeof nums);
    size_t nested = b->pos; /* <Inner a="1">t</Inner>, outside a template */
    bx_fragment(b);
    bx_open(b, "Inner", true);
    bx_attr(b, "a");
    bx_text(b, "1");
    bx_close_start(b);
    bx_text(b, "t");
    bx_end(b);
    bx_u8(b, 0x00);
    bx_value_done(b, d, 2, T_BINXML, nested);
    bx_value_bytes(b, d, 3, T_GUID, GUID_BYTES, 16);
    bx_value_bytes(b, d, 4, T_BINARY, "\x0a\x0b", 2);
    bx_value_utf16(b, d, 5, T_STRING, "", 0, true);
    rec_end(b, rec);
}

/* A template whose body instantiates itself: must end at the nesting limit. */
static void record_self_referencing(bx *b)
{
    size_t rec = rec_begin(b, 4), size_at;
    size_t def = bx_template_begin(b, &size_at);
    bx_open(b, "Loop", false);
    bx_close_start(b);
    bx_template_ref(b, def);
    bx_values_begin(b, 0);
    bx_end(b);
    bx_template_end(b, size_at);
    bx_values_begin(b, 0);
    rec_end(b, rec);
}

static void record_deep(bx *b, unsigned depth)
{
    size_t rec = rec_begin(b, 6);
    for (unsigned i = 0; i < depth; i++) {
        bx_open(b, "D", false);
        bx_close_start(b);
    }
    for (unsigned i = 0; i < depth; i++)
        bx_end(b);
    rec_end(b, rec);
}

static void test_json_shapes(void **state)
{
    (void)state;
    unsigned char *chunk = tu_track(malloc(65536), tu_free_fn);
    bx b;
    chunk_init(&b, chunk);
    size_t def = record_1(&b);
    record_2(&b, def);
    record_3(&b);
    record_self_referencing(&b);
    size_t rec = rec_begin(&b, 5);
    bx_text_element(&b, "Plain", "ok");
    rec_end(&b, rec);
    record_deep(&b, SC_EVTX_MAX_DEPTH);
    record_deep(&b, SC_EVTX_MAX_DEPTH + 1);
    rec = rec_begin(&b, 7);
    bx_open(&b, "Tail", false);
    bx_close_empty(&b);
    rec_end(&b, rec);
    bx_u8(&b, 0x2a); /* a record header with an impossible size */
    bx_u8(&b, 0x2a);
    bx_u16(&b, 0);
    bx_u32(&b, 5);
    for (int i = 0; i < 32; i++)
        bx_u8(&b, 0xee);
    chunk_finish(&b);

    const unsigned char *chunks[] = {chunk};
    size_t len;
    unsigned char *f = tu_track(make_file(chunks, 1, 0, &len), tu_free_fn);
    char err[512];
    sc_evtx *r = sc_evtx_open(f, len, err, sizeof err);
    assert_non_null(r);
    expect_record(r,
        "{\"Event\":{\"#attributes\":{\"xmlns\":\"http://x\"},\"System\":{"
        "\"EventID\":{\"#attributes\":{\"Qualifiers\":16384},\"#text\":7036},"
        "\"Keywords\":\"0x8000000000000000\","
        "\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2019-07-19T14:42:51.446281Z\"}},"
        "\"Security\":{\"#attributes\":{\"UserID\":\"S-1-5-18\"}},\"Correlation\":null,"
        "\"Flag\":true,\"Ratio\":0.5},"
        "\"EventData\":{\"Data\":{\"#text\":[\"a\",\"b\",null]}}}}");
    expect_record(r,
        "{\"Event\":{\"#attributes\":{\"xmlns\":\"http://x\"},\"System\":{"
        "\"EventID\":4624,\"Keywords\":\"0x0\","
        "\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"1601-01-01T00:00:00.000000Z\"}},"
        "\"Security\":null,"
        "\"Correlation\":{\"#attributes\":{\"ActivityID\":\"" GUID_TEXT "\"}},"
        "\"Flag\":false,\"Ratio\":-2.25},"
        "\"EventData\":{\"Data\":{\"#text\":[null,\"caf\xc3\xa9\",null]}}}}");
    expect_record(r,
        "{\"Event\":{\"EventData\":{\"Strings\":[\"x\",\"y\"],\"Nums\":[1,2],"
        "\"Nested\":{\"#attributes\":{\"Name\":\"Nested\"},"
        "\"Inner\":{\"#attributes\":{\"a\":\"1\"},\"#text\":\"t\"}},"
        "\"Guid\":\"" GUID_TEXT "\",\"Bin\":\"0A0B\",\"Ref\":\"<A\",\"Empty\":null,"
        "\"Dup\":[\"1\",\"2\"]},"
        "\"UserData\":{\"Op\":{\"#attributes\":{\"xmlns\":\"u\"},"
        "\"Header\":[\"h1\",\"h2\"],\"One\":\"z\"}}}}");
    expect_error(r, "chunk 0, record 4 at offset 0x");
    expect_record(r, "{\"Plain\":\"ok\"}"); /* reading goes on after an error */
    sc_buf deep = {0};
    for (unsigned i = 0; i < SC_EVTX_MAX_DEPTH; i++)
        sc_buf_puts(&deep, "{\"D\":");
    sc_buf_puts(&deep, "null");
    for (unsigned i = 0; i < SC_EVTX_MAX_DEPTH; i++)
        sc_buf_putc(&deep, '}');
    expect_record(r, deep.data);
    sc_buf_free(&deep);
    expect_error(r, "elements nested deeper than 64");
    expect_record(r, "{\"Tail\":null}");
    expect_error(r, "bad record size 5");
    sc_buf out = {0};
    assert_int_equal(sc_evtx_next(r, &out, NULL, err, sizeof err), 0);
    sc_buf_free(&out);
    sc_evtx_close(r);
    tu_release(f);
    tu_release(chunk);
}

static void test_self_reference_message(void **state)
{
    (void)state;
    unsigned char *chunk = tu_track(malloc(65536), tu_free_fn);
    bx b;
    chunk_init(&b, chunk);
    record_self_referencing(&b);
    chunk_finish(&b);
    const unsigned char *chunks[] = {chunk};
    size_t len;
    unsigned char *f = tu_track(make_file(chunks, 1, 0, &len), tu_free_fn);
    sc_evtx *r = sc_evtx_open(f, len, NULL, 0);
    assert_non_null(r);
    expect_error(r, "templates or nested BinXML deeper than 32");
    sc_evtx_close(r);
    tu_release(f);
    tu_release(chunk);
}

/* One 20,000-character value substituted 300 times into one element: 18 MB
 * of text from 41 KB of record, refused before it is built. */
static void test_text_budget(void **state)
{
    (void)state;
    unsigned char *chunk = tu_track(malloc(65536), tu_free_fn);
    bx b;
    chunk_init(&b, chunk);
    size_t rec = rec_begin(&b, 1), size_at;
    bx_template_begin(&b, &size_at);
    bx_open(&b, "Big", false);
    bx_close_start(&b);
    for (int i = 0; i < 300; i++)
        bx_subst(&b, 0, T_STRING, false);
    bx_end(&b);
    bx_template_end(&b, size_at);
    size_t d = bx_values_begin(&b, 1), start = b.pos;
    for (int i = 0; i < 20000; i++)
        bx_u16(&b, 0x4E00); /* three bytes in UTF-8 */
    bx_value_done(&b, d, 0, T_STRING, start);
    rec_end(&b, rec);
    rec = rec_begin(&b, 2);
    bx_text_element(&b, "Next", "ok");
    rec_end(&b, rec);
    chunk_finish(&b);

    const unsigned char *chunks[] = {chunk};
    size_t len;
    unsigned char *f = tu_track(make_file(chunks, 1, 0, &len), tu_free_fn);
    sc_evtx *r = sc_evtx_open(f, len, NULL, 0);
    assert_non_null(r);
    expect_error(r, "text of one value exceeds 16 MiB");
    expect_record(r, "{\"Next\":\"ok\"}");
    sc_evtx_close(r);
    tu_release(f);
    tu_release(chunk);
}

/* ---------------------------------------------------- a real log file */
#define SAMPLE_SMALL \
    EVENTS_DIR "/evtx-attack-samples/evtx/Execution/exec_sysmon_lobin_regsvr32_sct.evtx"

static void test_reads_real_file(void **state)
{
    (void)state;
    if (!events_present())
        skip();
    size_t len;
    unsigned char *data = tu_track(read_file(SAMPLE_SMALL, &len), tu_free_fn);
    assert_non_null(data);
    drained d;
    drain(data, len, &d);
    tu_track(d.lines.data, tu_free_fn);
    assert_true(d.opened);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.records, 3);

    sc_arena *a = tu_arena();
    jval **recs;
    assert_int_equal(j_parse_all(a, d.lines.data, d.lines.len, &recs), 3);
    const jval *ev = recs[0];
    static const char *const event_id[] = {"Event", "System", "EventID", NULL};
    static const char *const record_id[] = {"Event", "System", "EventRecordID", NULL};
    static const char *const time[] = {"Event", "System", "TimeCreated", "#attributes",
                                       "SystemTime", NULL};
    static const char *const image[] = {"Event", "EventData", "Image", NULL};
    static const char *const pid[] = {"Event", "EventData", "ProcessId", NULL};
    static const char *const guid[] = {"Event", "EventData", "ProcessGuid", NULL};
    static const char *const logon[] = {"Event", "EventData", "LogonId", NULL};
    static const char *const rule[] = {"Event", "EventData", "RuleName", NULL};
    static const char *const user[] = {"Event", "System", "Security", "#attributes", "UserID",
                                       NULL};
    assert_int_equal(j_path(ev, event_id)->kind, J_NUM);
    assert_true(j_path(ev, event_id)->num == 1);
    assert_true(j_path(ev, record_id)->num == 16792);
    assert_string_equal(j_path(ev, time)->str, "2019-05-12T18:35:05.155949Z");
    assert_string_equal(j_path(ev, image)->str, "C:\\Windows\\System32\\regsvr32.exe");
    assert_true(j_path(ev, pid)->kind == J_NUM && j_path(ev, pid)->num == 1420);
    assert_string_equal(j_path(ev, guid)->str, "365ABB72-6759-5CD8-0000-0010E2D50F00");
    assert_string_equal(j_path(ev, logon)->str, "0x13eee");
    assert_int_equal(j_path(ev, rule)->kind, J_NULL);
    assert_string_equal(j_path(ev, user)->str, "S-1-5-18");
    tu_release(a);
    tu_release(d.lines.data);
    tu_release(data);
}

/* ------------------------------------------------ the whole sample set */
typedef struct path_list {
    char **items;
    size_t n, cap;
} path_list;

static path_list found_evtx; /* nftw has no user pointer */

static int collect_evtx(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (type != FTW_F || n < 5 || strcmp(path + n - 5, ".evtx") != 0)
        return 0;
    if (found_evtx.n == found_evtx.cap) {
        found_evtx.cap = found_evtx.cap ? found_evtx.cap * 2 : 256;
        found_evtx.items = realloc(found_evtx.items, found_evtx.cap * sizeof *found_evtx.items);
        assert_non_null(found_evtx.items);
    }
    found_evtx.items[found_evtx.n++] = strdup(path);
    return 0;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_found(void *p)
{
    (void)p;
    for (size_t i = 0; i < found_evtx.n; i++)
        free(found_evtx.items[i]);
    free(found_evtx.items);
    memset(&found_evtx, 0, sizeof found_evtx);
}

/* The twin of a sample: <id>.json beside a regression <id>.evtx, or
 * jsonl/X.jsonl for evtx/X.evtx. */
static char *twin_path(const char *evtx, bool *regression)
{
    size_t n = strlen(evtx);
    *regression = strstr(evtx, "/sigmahq-regression/") != NULL;
    char *twin = malloc(n + 8);
    assert_non_null(twin);
    if (*regression) {
        memcpy(twin, evtx, n - 5);
        strcpy(twin + n - 5, ".json");
        return twin;
    }
    const char *dir = strstr(evtx, "/evtx/");
    if (!dir) {
        free(twin);
        return NULL;
    }
    size_t head = (size_t)(dir - evtx);
    memcpy(twin, evtx, head);
    strcpy(twin + head, "/jsonl/");
    strcat(twin, dir + 6);
    strcpy(twin + strlen(twin) - 5, ".jsonl");
    return twin;
}

/* The twins' known differences from their own EVTX, checked by hand with
 * libevtx's evtxexport: this twin was made by another tool (nanosecond
 * timestamp) and has a parent command line in other case than the log. */
static bool known_twin_defect(const char *file, const char *path)
{
    static const char *const defects[][2] = {
        {"ad691d92-15f2-4181-9aa4-723c74f9ddc3", "/Event/EventData/ParentCommandLine"},
        {"ad691d92-15f2-4181-9aa4-723c74f9ddc3",
         "/Event/System/TimeCreated/#attributes/SystemTime"},
    };
    for (size_t i = 0; i < sizeof defects / sizeof defects[0]; i++)
        if (strstr(file, defects[i][0]) && strcmp(path, defects[i][1]) == 0)
            return true;
    return false;
}

typedef struct twin_report {
    const char *file;
    size_t record;
    size_t mismatches;
    size_t values_compared;
} twin_report;

static void mismatch(twin_report *rep, const char *path, const char *what)
{
    if (known_twin_defect(rep->file, path))
        return;
    rep->mismatches++;
    print_message("MISMATCH %s record %zu %s: %s\n", rep->file, rep->record, path, what);
}

static bool j_equal(const jval *a, const jval *b);

static bool j_object_equal(const jval *a, const jval *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const jval *other = j_get(b, a->keys[i]);
        if (!other || !j_equal(a->items[i], other))
            return false;
    }
    return true;
}

static bool j_equal(const jval *a, const jval *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case J_NULL: return true;
    case J_BOOL: return a->b == b->b;
    case J_NUM: return a->num == b->num;
    case J_STR: return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case J_ARR:
        if (a->n != b->n)
            return false;
        for (size_t i = 0; i < a->n; i++)
            if (!j_equal(a->items[i], b->items[i]))
                return false;
        return true;
    case J_OBJ: return j_object_equal(a, b);
    }
    return false;
}

/* Regression twins keep evtx_dump's types: whole records must be equal. */
static void compare_strict(twin_report *rep, const jval *ours, const jval *twin, char *path,
                           size_t path_len)
{
    if (ours->kind == J_OBJ && twin->kind == J_OBJ) {
        for (size_t i = 0; i < twin->n; i++) {
            snprintf(path + path_len, 512 - path_len, "/%s", twin->keys[i]);
            const jval *o = j_get(ours, twin->keys[i]);
            if (!o)
                mismatch(rep, path, "missing in ours");
            else
                compare_strict(rep, o, twin->items[i], path, strlen(path));
        }
        for (size_t i = 0; i < ours->n; i++)
            if (!j_get(twin, ours->keys[i])) {
                snprintf(path + path_len, 512 - path_len, "/%s", ours->keys[i]);
                mismatch(rep, path, "not in the twin");
            }
        path[path_len] = '\0';
        return;
    }
    rep->values_compared++;
    if (!j_equal(ours, twin))
        mismatch(rep, path, ours->kind == J_STR && twin->kind == J_STR ? twin->str
                                                                       : "value or type");
}

/* The evtx-attack-samples twins were converted through XML: every value is
 * a string, GUIDs have braces in lower case, hex is zero-padded, booleans
 * are "True", trailing blanks and CRs are kept. Normalizes both sides. */
static void normalized_text(const jval *v, sc_buf *b)
{
    b->len = 0;
    const char *s = "";
    size_t n = 0;
    switch (v->kind) {
    case J_STR: case J_NUM: s = v->str; n = v->len; break;
    case J_BOOL: s = v->b ? "true" : "false"; n = strlen(s); break;
    default: break;
    }
    if (n > 2 && s[0] == '{' && s[n - 1] == '}') {
        s++;
        n -= 2;
    }
    bool hex = n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (hex) {
        sc_buf_puts(b, "0x");
        s += 2;
        n -= 2;
        while (n > 1 && *s == '0') {
            s++;
            n--;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r')
            sc_buf_putc(b, (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]));
    while (b->len && strchr(" \t\n", b->data[b->len - 1]))
        b->len--;
    sc_buf_putc(b, '\0');
}

static void compare_value_loose(twin_report *rep, const char *path, const jval *ours,
                                const jval *twin)
{
    sc_buf a = {0}, t = {0};
    normalized_text(ours, &a);
    normalized_text(twin, &t);
    rep->values_compared++;
    if (strcmp(a.data, t.data) != 0)
        mismatch(rep, path, t.data);
    sc_buf_free(&a);
    sc_buf_free(&t);
}

static void compare_loose(twin_report *rep, const jval *ours, const jval *twin)
{
    static const char *const system_fields[] = {"EventID", "EventRecordID", "Channel",
                                                "Computer"};
    const jval *os = j_path(ours, (const char *const[]){"Event", "System", NULL});
    const jval *ts = j_path(twin, (const char *const[]){"Event", "System", NULL});
    for (size_t i = 0; i < 4; i++) {
        const jval *o = j_get(os, system_fields[i]), *t = j_get(ts, system_fields[i]);
        char path[64];
        snprintf(path, sizeof path, "/Event/System/%s", system_fields[i]);
        if (!o || !t)
            mismatch(rep, path, "absent");
        else
            compare_value_loose(rep, path, o, t);
    }
    const jval *od = j_path(ours, (const char *const[]){"Event", "EventData", NULL});
    const jval *td = j_path(twin, (const char *const[]){"Event", "EventData", NULL});
    if (!od || !td) {
        if (od || td)
            mismatch(rep, "/Event/EventData", "present on one side only");
        return;
    }
    if (od->kind != J_OBJ || td->kind != J_OBJ)
        return;
    if (od->n != td->n)
        mismatch(rep, "/Event/EventData", "other number of keys");
    for (size_t i = 0; i < td->n; i++) {
        char path[512];
        snprintf(path, sizeof path, "/Event/EventData/%s", td->keys[i]);
        const jval *o = j_get(od, td->keys[i]);
        if (!o)
            mismatch(rep, path, "missing in ours");
        else if (o->kind != J_OBJ && o->kind != J_ARR)
            compare_value_loose(rep, path, o, td->items[i]);
    }
}

typedef struct corpus_totals {
    size_t files, records, twin_records, values, mismatches, crc_errors;
} corpus_totals;

static void check_one_file(const char *path, corpus_totals *tot)
{
    size_t len, twin_len;
    unsigned char *data = read_file(path, &len);
    assert_non_null(data);
    drained d;
    drain(data, len, &d);
    if (!d.opened || d.errors)
        print_message("FILE %s: opened %d, %zu errors, first: %s\n", path, d.opened, d.errors,
                      d.first_error);
    assert_true(d.opened);
    assert_int_equal(d.errors, 0);
    tot->files++;
    tot->records += d.records;
    tot->crc_errors += d.checksum_errors;

    bool regression;
    char *twin_file = twin_path(path, &regression);
    unsigned char *twin_text = twin_file ? read_file(twin_file, &twin_len) : NULL;
    if (twin_text) {
        sc_arena *a = sc_arena_new();
        jval **ours, **twins;
        long n_ours = j_parse_all(a, d.lines.len ? d.lines.data : "", d.lines.len, &ours);
        long n_twins = j_parse_all(a, (const char *)twin_text, twin_len, &twins);
        assert_int_equal(n_ours, (long)d.records); /* every line is JSON */
        if (n_twins != n_ours)
            print_message("COUNT %s: %ld records, twin %ld\n", path, n_ours, n_twins);
        assert_int_equal(n_twins, n_ours);
        tot->twin_records += (size_t)n_twins;
        for (long i = 0; i < n_ours; i++) {
            twin_report rep = {path, (size_t)i, 0, 0};
            char jpath[512] = "";
            if (regression)
                compare_strict(&rep, ours[i], twins[i], jpath, 0);
            else
                compare_loose(&rep, ours[i], twins[i]);
            tot->values += rep.values_compared;
            tot->mismatches += rep.mismatches;
        }
        sc_arena_free(a);
    }
    free(twin_text);
    free(twin_file);
    sc_buf_free(&d.lines);
    free(data);
}

static void test_sample_logs_match_twins(void **state)
{
    (void)state;
    if (!events_present())
        skip();
    tu_track(&found_evtx, free_found);
    assert_int_equal(nftw(EVENTS_DIR, collect_evtx, 16, FTW_PHYS), 0);
    qsort(found_evtx.items, found_evtx.n, sizeof *found_evtx.items, compare_paths);
    corpus_totals tot = {0};
    for (size_t i = 0; i < found_evtx.n; i++)
        check_one_file(found_evtx.items[i], &tot);
    print_message("evtx: %zu files, %zu records (%zu with a twin), %zu values compared, "
                  "%zu mismatches, %zu chunks with a bad CRC\n", tot.files, tot.records,
                  tot.twin_records, tot.values, tot.mismatches, tot.crc_errors);
    assert_true(tot.files > 0);
    assert_int_equal(tot.records, tot.twin_records);
    assert_int_equal(tot.mismatches, 0);
    assert_int_equal(tot.crc_errors, 0); /* the samples' checksums all hold */
    tu_release(&found_evtx);
}

/* ------------------------------------------------------- damaged input */
static uint32_t lcg(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

/* Every record the reader returns from damaged input is valid JSON. */
static void check_damaged(const unsigned char *data, size_t len, sc_arena *a)
{
    drained d;
    drain(data, len, &d);
    if (d.records) {
        jval **recs;
        assert_int_equal(j_parse_all(a, d.lines.data, d.lines.len, &recs), (long)d.records);
    }
    sc_buf_free(&d.lines);
}

static void test_damaged_input(void **state)
{
    (void)state;
    if (!events_present())
        skip();
    size_t len;
    unsigned char *orig = tu_track(read_file(SAMPLE_SMALL, &len), tu_free_fn);
    assert_non_null(orig);
    unsigned char *copy = tu_track(malloc(len), tu_free_fn);
    uint32_t free_off = (uint32_t)orig[4096 + 48] | (uint32_t)orig[4096 + 49] << 8;
    assert_true(free_off > 512 && free_off <= 65536);
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        sc_arena *a = sc_arena_new();
        memcpy(copy, orig, len);
        unsigned flips = 1 + lcg(&seed) % 8;
        for (unsigned k = 0; k < flips; k++) {
            /* Mostly in the records, where the parser works; sometimes anywhere. */
            size_t at = round % 4 == 0 ? lcg(&seed) % len
                                       : 4096 + 512 + lcg(&seed) % (free_off - 512);
            copy[at] = round % 3 == 0 ? (unsigned char)(copy[at] ^ (1u << (lcg(&seed) % 8)))
                                      : (unsigned char)lcg(&seed);
        }
        check_damaged(copy, len, a);
        sc_arena_free(a);
    }
    for (size_t cut = 0; cut < len; cut += 1 + lcg(&seed) % 613) {
        sc_arena *a = sc_arena_new();
        check_damaged(orig, cut, a);
        sc_arena_free(a);
    }
    /* The record area shifted by one byte, and filled with one value. */
    memcpy(copy, orig, len);
    memmove(copy + 4096 + 513, orig + 4096 + 512, free_off - 513);
    sc_arena *a = sc_arena_new();
    check_damaged(copy, len, a);
    for (unsigned v = 0; v < 256; v += 17) {
        memcpy(copy, orig, len);
        memset(copy + 4096 + 512 + 24, (int)v, free_off - 512 - 24);
        check_damaged(copy, len, a);
    }
    sc_arena_free(a);
    tu_release(copy);
    tu_release(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejects_non_evtx),
        cmocka_unit_test(test_chunk_framing),
        cmocka_unit_test(test_json_shapes),
        cmocka_unit_test(test_self_reference_message),
        cmocka_unit_test(test_text_budget),
        cmocka_unit_test(test_reads_real_file),
        cmocka_unit_test(test_sample_logs_match_twins),
        cmocka_unit_test(test_damaged_input),
    };
    return cmocka_run_group_tests_name("evtx", tests, NULL, tu_cleanup);
}
