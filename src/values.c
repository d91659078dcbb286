/*
 * values.c - YAML values to typed values, with the transforming modifiers.
 *
 * The transforming modifiers run left to right over a list of working
 * values; one input may become several (windash permutations, the three
 * base64offset shifts), all ORed in the leaf (or ANDed under |all).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct work {
    sc_part *parts;
    size_t n_parts;
    unsigned char *bytes; /* after a charset modifier */
    size_t n_bytes;
    bool is_bytes;
} work;

typedef struct work_list {
    work *items;
    size_t n, cap;
} work_list;

/* A rule keeps only the values it ends with: the work lists and the parts
 * arrays that modifiers rewrite step by step live in `tmp`, freed once the
 * field is built (they were most of a loaded rule's memory). */
typedef struct vctx {
    sc_arena *a;
    sc_arena *tmp;
    sc_diag_list *diags;
    const sc_source *src;
    const sc_ynode *yval;
    const sc_match *m;
} vctx;

static void verror(const vctx *v, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void verror(const vctx *v, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(v->diags, v->src, SIGCC_ERROR, code, v->yval->loc, fmt, ap);
    va_end(ap);
}

static bool over_rule_budget(const vctx *v, size_t adding)
{
    if (v->diags->rule_values + adding <= SC_MAX_RULE_VALUES)
        return false;
    if (v->diags->rule_values > SC_MAX_RULE_VALUES)
        return true; /* reported once per rule */
    v->diags->rule_values = SC_MAX_RULE_VALUES + 1;
    verror(v, "limit-expanded-values",
           "the rule expands to more than %u values in all (modifiers such as windash multiply "
           "them)", SC_MAX_RULE_VALUES);
    return true;
}

static bool wl_push(const vctx *v, work_list *wl, work w)
{
    if (wl->n >= SC_MAX_EXPANDED_VALUES) {
        verror(v, "limit-expanded-values", "modifiers expand this value to more than %u values",
               SC_MAX_EXPANDED_VALUES);
        return false;
    }
    if (over_rule_budget(v, wl->n + 1))
        return false;
    if (wl->n == wl->cap) {
        size_t cap = wl->cap ? wl->cap * 2 : 4;
        work *items = sc_arena_alloc(v->tmp, cap * sizeof *items);
        if (!items)
            return false;
        if (wl->n)
            memcpy(items, wl->items, wl->n * sizeof *items);
        wl->items = items;
        wl->cap = cap;
    }
    wl->items[wl->n++] = w;
    return true;
}

/* ------------------------------------------------------------- windash */
static bool is_word_byte(unsigned char c)
{
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static const char *const dash_variants[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94",
                                            "\xe2\x80\x95"};
#define N_DASHES 5

/* Flattens parts to one literal stream with wildcard markers, so a flag
 * position can look at its neighbours across part boundaries. */
static bool windash_expand(const vctx *v, const work *in, work_list *out)
{
    /* Collect flag positions: (part index, byte offset) where a '-' or '/'
     * starts a word, i.e. regex \B[-/]\b with wildcards as non-word. */
    size_t positions[64][2];
    size_t k = 0;
    for (size_t i = 0; i < in->n_parts; i++) {
        const sc_part *p = &in->parts[i];
        if (p->kind != SC_PART_LIT)
            continue;
        for (size_t j = 0; j < p->len; j++) {
            if (p->text[j] != '-' && p->text[j] != '/')
                continue;
            bool prev_word = j > 0 && is_word_byte((unsigned char)p->text[j - 1]);
            bool next_word = j + 1 < p->len && is_word_byte((unsigned char)p->text[j + 1]);
            if (!prev_word && next_word) {
                if (k == 64) {
                    verror(v, "limit-expanded-values", "too many flags for 'windash' in one value");
                    return false;
                }
                positions[k][0] = i;
                positions[k][1] = j;
                k++;
            }
        }
    }
    size_t total = 1;
    for (size_t i = 0; i < k; i++) {
        if (total > SC_MAX_EXPANDED_VALUES / N_DASHES) {
            verror(v, "limit-expanded-values",
                   "'windash' expands this value to more than %u values", SC_MAX_EXPANDED_VALUES);
            return false;
        }
        total *= N_DASHES;
    }
    if (over_rule_budget(v, total + out->n))
        return false;
    /* Combination `combo` picks, for flag q, the variant (combo / 5^q) % 5.
     * Each literal part is rebuilt in one pass over its text. */
    for (size_t combo = 0; combo < total; combo++) {
        work w = {.n_parts = in->n_parts};
        w.parts = sc_arena_alloc(v->tmp, (in->n_parts ? in->n_parts : 1) * sizeof *w.parts);
        if (!w.parts)
            return false;
        if (in->n_parts)
            memcpy(w.parts, in->parts, in->n_parts * sizeof *w.parts);
        size_t q = 0, digits = combo;
        while (q < k) {
            size_t part = positions[q][0];
            const sc_part *p = &in->parts[part];
            char *text = sc_arena_alloc(v->tmp, p->len + 2 * k + 1);
            if (!text)
                return false;
            size_t o = 0, from = 0;
            for (; q < k && positions[q][0] == part; q++, digits /= N_DASHES) {
                size_t at = positions[q][1];
                memcpy(text + o, p->text + from, at - from);
                o += at - from;
                const char *dash = dash_variants[digits % N_DASHES];
                size_t dl = strlen(dash);
                memcpy(text + o, dash, dl);
                o += dl;
                from = at + 1;
            }
            memcpy(text + o, p->text + from, p->len - from);
            o += p->len - from;
            text[o] = '\0';
            w.parts[part].text = text;
            w.parts[part].len = o;
        }
        if (!wl_push(v, out, w))
            return false;
    }
    return true;
}

/* ----------------------------------------------------------- wildcards */
static bool wrap_stars(const vctx *v, work *w, bool front, bool back)
{
    sc_part *parts = sc_arena_alloc(v->tmp, (w->n_parts + 2) * sizeof *parts);
    if (!parts)
        return false;
    size_t n = 0;
    if (front && !(w->n_parts && w->parts[0].kind == SC_PART_STAR))
        parts[n++] = (sc_part){SC_PART_STAR, NULL, 0, NULL};
    if (w->n_parts)
        memcpy(parts + n, w->parts, w->n_parts * sizeof *parts);
    n += w->n_parts;
    if (back && !(n && parts[n - 1].kind == SC_PART_STAR))
        parts[n++] = (sc_part){SC_PART_STAR, NULL, 0, NULL};
    w->parts = parts;
    w->n_parts = n;
    return true;
}

/* ------------------------------------------------------------ encoding */
static bool literal_text(const vctx *v, const work *w, const char *what, sc_buf *out)
{
    for (size_t i = 0; i < w->n_parts; i++) {
        if (w->parts[i].kind != SC_PART_LIT) {
            verror(v, "modifier-wildcard",
                   "'%s' cannot encode a value with wildcards or placeholders; escape '*' and "
                   "'?' as '\\*' and '\\?' or move 'contains'/'startswith'/'endswith' after it",
                   what);
            return false;
        }
        sc_buf_put(out, w->parts[i].text, w->parts[i].len);
    }
    return !out->oom;
}

static bool to_utf16(const vctx *v, work *w, sc_mod charset)
{
    sc_buf text = {0};
    if (!literal_text(v, w, sc_mod_name(charset), &text)) {
        sc_buf_free(&text);
        return false;
    }
    const unsigned char *s = (const unsigned char *)(text.data ? text.data : "");
    size_t n = text.len;
    unsigned char *out = sc_arena_alloc(v->tmp, 2 + n * 4);
    size_t o = 0;
    if (!out) {
        sc_buf_free(&text);
        return false;
    }
    bool be = charset == SC_MOD_UTF16BE;
    if (charset == SC_MOD_UTF16) {
        out[o++] = 0xff; /* BOM, then little-endian */
        out[o++] = 0xfe;
    }
    for (size_t i = 0; i < n;) {
        uint32_t cp = s[i];
        size_t len = 1;
        if (cp >= 0xf0 && i + 3 < n) {
            cp = ((cp & 0x07) << 18) | ((s[i + 1] & 0x3fu) << 12) | ((s[i + 2] & 0x3fu) << 6) |
                 (s[i + 3] & 0x3fu);
            len = 4;
        } else if (cp >= 0xe0 && i + 2 < n) {
            cp = ((cp & 0x0f) << 12) | ((s[i + 1] & 0x3fu) << 6) | (s[i + 2] & 0x3fu);
            len = 3;
        } else if (cp >= 0xc0 && i + 1 < n) {
            cp = ((cp & 0x1f) << 6) | (s[i + 1] & 0x3fu);
            len = 2;
        }
        i += len;
        uint16_t units[2];
        int nu = 1;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            units[0] = (uint16_t)(0xd800 + (cp >> 10));
            units[1] = (uint16_t)(0xdc00 + (cp & 0x3ff));
            nu = 2;
        } else {
            units[0] = (uint16_t)cp;
        }
        for (int u = 0; u < nu; u++) {
            out[o++] = be ? (unsigned char)(units[u] >> 8) : (unsigned char)(units[u] & 0xff);
            out[o++] = be ? (unsigned char)(units[u] & 0xff) : (unsigned char)(units[u] >> 8);
        }
    }
    sc_buf_free(&text);
    w->bytes = out;
    w->n_bytes = o;
    w->is_bytes = true;
    return true;
}

static bool ensure_bytes(const vctx *v, work *w, const char *what)
{
    if (w->is_bytes)
        return true;
    sc_buf text = {0};
    if (!literal_text(v, w, what, &text)) {
        sc_buf_free(&text);
        return false;
    }
    w->bytes = (unsigned char *)sc_arena_strndup(v->tmp, text.data ? text.data : "", text.len);
    w->n_bytes = text.len;
    w->is_bytes = true;
    sc_buf_free(&text);
    return w->bytes != NULL;
}

static char *base64(sc_arena *a, const unsigned char *in, size_t n, size_t *out_len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = 4 * ((n + 2) / 3);
    char *out = sc_arena_alloc(a, len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static work literal_work(sc_arena *a, const char *text, size_t len)
{
    work w = {0};
    w.parts = sc_arena_alloc(a, sizeof *w.parts);
    if (w.parts) {
        w.parts[0] = (sc_part){SC_PART_LIT, text, len, NULL};
        w.n_parts = len ? 1 : 0;
    }
    return w;
}

static bool encode_base64(const vctx *v, const work *in, work_list *out)
{
    work w = *in;
    if (!ensure_bytes(v, &w, "base64"))
        return false;
    size_t len;
    char *enc = base64(v->tmp, w.bytes, w.n_bytes, &len);
    return enc && wl_push(v, out, literal_work(v->tmp, enc, len));
}

/* The three encodings of a value preceded by 0, 1 or 2 unknown bytes,
 * trimmed to the characters that do not depend on those bytes. */
static bool encode_base64offset(const vctx *v, const work *in, work_list *out)
{
    static const size_t start_trim[3] = {0, 2, 3};
    static const size_t end_trim[3] = {0, 3, 2};
    work w = *in;
    if (!ensure_bytes(v, &w, "base64offset"))
        return false;
    for (size_t shift = 0; shift < 3; shift++) {
        unsigned char *buf = sc_arena_alloc(v->tmp, w.n_bytes + 3);
        if (!buf)
            return false;
        memset(buf, ' ', shift);
        if (w.n_bytes)
            memcpy(buf + shift, w.bytes, w.n_bytes);
        size_t len;
        char *enc = base64(v->tmp, buf, w.n_bytes + shift, &len);
        if (!enc)
            return false;
        size_t s = start_trim[shift];
        size_t e = end_trim[(w.n_bytes + shift) % 3];
        if (s + e >= len)
            continue; /* too short to leave a stable middle */
        if (!wl_push(v, out, literal_work(v->tmp, enc + s, len - s - e)))
            return false;
    }
    if (out->n == 0) {
        verror(v, "modifier-value", "value is too short for 'base64offset'");
        return false;
    }
    return true;
}

/* Runs the chain's transforming modifiers over one string value. */
static bool transform_string(const vctx *v, const char *text, size_t len, work_list *result)
{
    const sc_match *m = v->m;
    work_list cur = {0};
    work first = {0};
    if (!sc_pattern_parse(v->tmp, text, len, m->mods & SC_MODBIT(SC_MOD_EXPAND), &first.parts,
                          &first.n_parts))
        return false;
    if (!wl_push(v, &cur, first))
        return false;
    for (int c = 0; c < m->n_chain; c++) {
        sc_mod mod = m->chain[c];
        work_list next = {0};
        for (size_t i = 0; i < cur.n; i++) {
            work *w = &cur.items[i];
            bool ok = true;
            switch (mod) {
            case SC_MOD_WINDASH:
                if (!windash_expand(v, w, &next))
                    return false;
                continue;
            case SC_MOD_CONTAINS: ok = wrap_stars(v, w, true, true); break;
            case SC_MOD_STARTSWITH: ok = wrap_stars(v, w, false, true); break;
            case SC_MOD_ENDSWITH: ok = wrap_stars(v, w, true, false); break;
            case SC_MOD_UTF16LE: case SC_MOD_UTF16BE: case SC_MOD_UTF16:
                ok = to_utf16(v, w, mod);
                break;
            case SC_MOD_BASE64:
                if (!encode_base64(v, w, &next))
                    return false;
                continue;
            case SC_MOD_BASE64OFFSET:
                if (!encode_base64offset(v, w, &next))
                    return false;
                continue;
            default: break;
            }
            if (!ok || !wl_push(v, &next, *w))
                return false;
        }
        cur = next;
    }
    *result = cur;
    return true;
}

/* ------------------------------------------------------------ typed */
static bool parse_cidr(const char *s, sc_value *out)
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    if (alen == 0 || alen >= sizeof addr)
        return false;
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    unsigned max;
    if (inet_pton(AF_INET, addr, out->addr) == 1) {
        out->family = 4;
        max = 32;
    } else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
        out->family = 6;
        max = 128;
    } else {
        return false;
    }
    unsigned prefix = max;
    if (slash) {
        const char *p = slash + 1;
        if (!*p || strlen(p) > 3)
            return false;
        prefix = 0;
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return false;
            prefix = prefix * 10 + (unsigned)(*p - '0');
        }
        if (prefix > max)
            return false;
    }
    out->prefix = (uint8_t)prefix;
    /* Host bits after the prefix are a typo (10.1.2.3/8); the reference
     * implementation refuses them too. */
    for (unsigned bit = prefix; bit < max; bit++)
        if (out->addr[bit / 8] & (0x80u >> (bit % 8)))
            return false;
    return true;
}

static void free_regex(void *code)
{
    pcre2_code_free(code);
}

/* Compiles the regex once, at load: a syntax error is a diagnostic here,
 * and the evaluator reuses the (JIT-compiled) code. */
static pcre2_code *compile_regex(const vctx *v, const char *re, size_t len)
{
    uint32_t opts = PCRE2_UTF;
    if (!v->m->cased)
        opts |= PCRE2_CASELESS;
    if (v->m->mods & SC_MODBIT(SC_MOD_RE_M))
        opts |= PCRE2_MULTILINE;
    if (v->m->mods & SC_MODBIT(SC_MOD_RE_S))
        opts |= PCRE2_DOTALL;
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, len, opts, &err, &off, NULL);
    if (code) {
        if (!sc_arena_defer(v->a, free_regex, code)) {
            pcre2_code_free(code);
            return NULL;
        }
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* the interpreter is the fallback */
        return code;
    }
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    sc_loc loc = v->yval->loc;
    if (v->yval->style == SC_YS_PLAIN && v->yval->single_line && off <= len &&
        sc_utf8_valid(re, off)) {
        loc.col += (uint32_t)sc_utf8_chars(re, off);
        loc.len = 1;
    }
    sc_diag(v->diags, v->src, SIGCC_ERROR, "regex-syntax", loc,
            "invalid regular expression at offset %zu: %s", (size_t)off, (const char *)msg);
    return NULL;
}

static sc_value base_value(const vctx *v)
{
    sc_value val = {0};
    val.loc = v->yval->loc;
    /* The YAML tree is freed after loading; the rule keeps its own copy. */
    val.raw = sc_arena_strndup(v->a, v->yval->text, v->yval->len);
    val.raw_len = val.raw ? v->yval->len : 0;
    return val;
}

/* The final parts, copied out of the temporary arena. */
static sc_part *keep_parts(sc_arena *a, const sc_part *parts, size_t n)
{
    sc_part *kept = sc_arena_alloc(a, (n ? n : 1) * sizeof *kept);
    for (size_t i = 0; kept && i < n; i++) {
        kept[i] = parts[i];
        if (parts[i].text && !(kept[i].text = sc_arena_strndup(a, parts[i].text, parts[i].len)))
            return NULL;
    }
    return kept;
}

static bool push_value(sc_arena *a, sc_vec *out, sc_value val)
{
    sc_value *p = sc_arena_alloc(a, sizeof *p);
    if (!p)
        return false;
    *p = val;
    return sc_vec_push(a, out, p);
}

static bool is_string_op(const sc_match *m)
{
    return m->op == SC_OP_EQ && !m->timepart;
}

static bool has_string_mods(const sc_match *m)
{
    const uint64_t string_mods =
        SC_MODBIT(SC_MOD_CONTAINS) | SC_MODBIT(SC_MOD_STARTSWITH) | SC_MODBIT(SC_MOD_ENDSWITH) |
        SC_MODBIT(SC_MOD_WINDASH) | SC_MODBIT(SC_MOD_BASE64) | SC_MODBIT(SC_MOD_BASE64OFFSET) |
        SC_MODBIT(SC_MOD_UTF16LE) | SC_MODBIT(SC_MOD_UTF16BE) | SC_MODBIT(SC_MOD_UTF16) |
        SC_MODBIT(SC_MOD_EXPAND) | SC_MODBIT(SC_MOD_CASED);
    return m->mods & string_mods;
}

static bool build_one(const vctx *v, sc_vec *out)
{
    const sc_match *m = v->m;
    const sc_ynode *y = v->yval;
    int64_t ival = 0;
    double fval = 0;
    bool bval = false;
    sc_ytype t = sc_yaml_scalar_type(y, &ival, &fval, &bval);
    sc_value val = base_value(v);
    switch (m->op) {
    case SC_OP_EXISTS:
        if (t == SC_YT_BOOL || (t == SC_YT_STR && (!strcmp(y->text, "true") ||
                                                   !strcmp(y->text, "false")))) {
            val.kind = SC_VAL_BOOL;
            val.bval = t == SC_YT_BOOL ? bval : !strcmp(y->text, "true");
            return push_value(v->tmp, out, val);
        }
        verror(v, "modifier-value", "'exists' takes true or false, not '%s'", y->text);
        return false;
    case SC_OP_LT: case SC_OP_LTE: case SC_OP_GT: case SC_OP_GTE:
        break;
    case SC_OP_RE:
        if (t == SC_YT_NULL) {
            verror(v, "modifier-value", "'re' needs a regular expression, not null");
            return false;
        }
        val.regex = compile_regex(v, y->text, y->len);
        if (!val.regex)
            return false;
        val.kind = SC_VAL_REGEX;
        return push_value(v->tmp, out, val);
    case SC_OP_CIDR:
        if (!parse_cidr(y->text, &val)) {
            verror(v, "modifier-value",
                   "'cidr' needs an IPv4 or IPv6 network with no host bits after the prefix, "
                   "such as 10.0.0.0/8 or fe80::/10, not '%s'",
                   y->text);
            return false;
        }
        val.kind = SC_VAL_CIDR;
        return push_value(v->tmp, out, val);
    case SC_OP_FIELDREF:
        if (t == SC_YT_NULL || y->len == 0) {
            verror(v, "modifier-value", "'fieldref' needs the name of another field");
            return false;
        }
        val.kind = SC_VAL_FIELD;
        return push_value(v->tmp, out, val);
    case SC_OP_EQ:
        break;
    }
    if (!is_string_op(m)) { /* numeric comparison or a time part */
        if (t == SC_YT_STR) {
            sc_ynode copy = *y;
            copy.style = SC_YS_PLAIN;
            t = sc_yaml_scalar_type(&copy, &ival, &fval, &bval);
        }
        if (t != SC_YT_INT && t != SC_YT_FLOAT) {
            verror(v, "modifier-value", "'%s' compares numbers; '%s' is not a number",
                   sc_mod_name(m->chain[m->n_chain - 1]), y->text);
            return false;
        }
        val.kind = SC_VAL_NUMBER;
        val.is_int = t == SC_YT_INT;
        val.ival = ival;
        val.num = fval;
        return push_value(v->tmp, out, val);
    }
    if (t == SC_YT_NULL) {
        if (m->mods & ~(SC_MODBIT(SC_MOD_NEQ))) {
            verror(v, "modifier-value",
                   "null cannot be combined with modifiers; use 'field|exists: false' or "
                   "'field: null' alone");
            return false;
        }
        val.kind = SC_VAL_NULL;
        return push_value(v->tmp, out, val);
    }
    if ((t == SC_YT_INT || t == SC_YT_FLOAT) && !has_string_mods(m)) {
        val.kind = SC_VAL_NUMBER;
        val.is_int = t == SC_YT_INT;
        val.ival = ival;
        val.num = fval;
        return push_value(v->tmp, out, val);
    }
    if (t == SC_YT_BOOL && !has_string_mods(m)) {
        val.kind = SC_VAL_BOOL;
        val.bval = bval;
        return push_value(v->tmp, out, val);
    }
    work_list wl;
    if (!transform_string(v, y->text, y->len, &wl))
        return false;
    for (size_t i = 0; i < wl.n; i++) {
        sc_value s = val;
        s.kind = SC_VAL_STRING;
        s.parts = keep_parts(v->a, wl.items[i].parts, wl.items[i].n_parts);
        s.n_parts = wl.items[i].n_parts;
        if (!s.parts || !push_value(v->tmp, out, s))
            return false;
    }
    return true;
}

static bool values_build(sc_arena *a, sc_arena *tmp, sc_diag_list *diags, const sc_source *src,
                         const sc_ynode *key, const sc_ynode *const *vals, size_t n,
                         sc_match *m)
{
    sc_vec out = {0};
    if (m->all && n < 2) {
        sc_diag(diags, src, SIGCC_ERROR, "modifier-all-single", key->loc,
                "'all' needs a list of two or more values; with %s it means nothing",
                n ? "one value" : "no value");
        return false;
    }
    if (m->op == SC_OP_EXISTS && n != 1) {
        sc_diag(diags, src, SIGCC_ERROR, "modifier-value", key->loc,
                "'exists' takes a single true or false");
        return false;
    }
    bool has_null = false;
    for (size_t i = 0; i < n; i++) {
        vctx v = {.a = a, .tmp = tmp, .diags = diags, .src = src, .yval = vals[i], .m = m};
        if (vals[i]->kind != SC_Y_SCALAR) {
            sc_diag(diags, src, SIGCC_ERROR, "detection-value", vals[i]->loc,
                    "a field's value must be a string, number, boolean or null, or a list of "
                    "them; found a %s", vals[i]->kind == SC_Y_MAP ? "map" : "nested list");
            return false;
        }
        size_t before = out.n;
        if (!build_one(&v, &out))
            return false;
        if (out.n > before && ((sc_value *)out.items[before])->kind == SC_VAL_NULL)
            has_null = true;
        if (out.n > SC_MAX_EXPANDED_VALUES) {
            sc_diag(diags, src, SIGCC_ERROR, "limit-expanded-values", key->loc,
                    "this field expands to more than %u values", SC_MAX_EXPANDED_VALUES);
            return false;
        }
    }
    if (has_null && n > 1) {
        sc_diag(diags, src, SIGCC_ERROR, "null-in-list", key->loc,
                "null cannot be one value of a list (Sigma spec); put 'field: null' in its own "
                "selection and combine the selections in the condition");
        return false;
    }
    diags->rule_values += out.n; /* wl_push keeps this within SC_MAX_RULE_VALUES */
    m->n_values = out.n;
    m->values = sc_arena_alloc(a, (out.n ? out.n : 1) * sizeof *m->values);
    if (!m->values)
        return false;
    for (size_t i = 0; i < out.n; i++)
        m->values[i] = *(sc_value *)out.items[i];
    return true;
}

bool sc_values_build(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                     const sc_ynode *key, const sc_ynode *const *vals, size_t n, sc_match *m)
{
    sc_arena *tmp = sc_arena_new();
    if (!tmp) {
        diags->oom = true;
        return false;
    }
    bool ok = values_build(a, tmp, diags, src, key, vals, n, m);
    sc_arena_free(tmp);
    return ok;
}
