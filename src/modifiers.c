/*
 * modifiers.c - "field|mod|mod: values" to a typed match leaf.
 *
 * Two steps. sc_modifiers_parse() reads the chain and rejects what the spec
 * forbids or what cannot mean anything (contains|startswith, i without re,
 * utf16 without base64, wildcards before an encoding...). sc_values_build()
 * then types each YAML value and applies the transforming modifiers left to
 * right, as the spec orders them:
 *
 *   CommandLine|wide|base64offset|contains: 'ping'
 *     'ping' -> UTF-16LE bytes -> 3 base64 shifts -> *cABpAG4AZwA*, ...
 *
 * The leaf keeps the chain as written (for explain and the backends) and
 * the values in their final form (patterns, numbers, regexes, networks).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum mod_class {
    SC_MODC_WILDCARD, SC_MODC_LIST, SC_MODC_TYPE, SC_MODC_FLAG, SC_MODC_TRANSFORM,
    SC_MODC_REFLAG, SC_MODC_ENCODE, SC_MODC_CHARSET, SC_MODC_COMPARE, SC_MODC_TIME
};

typedef struct mod_info {
    const char *name;
    enum mod_class cls;
} mod_info;

static const mod_info mod_table[SC_MOD__COUNT] = {
#define MOD(e, s, c) [SC_MOD_##e] = {s, c},
#include "modifiers.def"
#undef MOD
};

/* Other spellings accepted by the reference implementation. */
static const struct { const char *alias; sc_mod mod; } mod_aliases[] = {
    {"wide", SC_MOD_UTF16LE},
    {"ignorecase", SC_MOD_RE_I},
    {"multiline", SC_MOD_RE_M},
    {"dotall", SC_MOD_RE_S},
};

const char *sc_mod_name(sc_mod m)
{
    return m < SC_MOD__COUNT ? mod_table[m].name : "?";
}

static bool lookup_mod(const char *s, size_t len, sc_mod *out)
{
    for (int m = 0; m < SC_MOD__COUNT; m++)
        if (strlen(mod_table[m].name) == len && memcmp(mod_table[m].name, s, len) == 0) {
            *out = (sc_mod)m;
            return true;
        }
    for (size_t i = 0; i < sizeof mod_aliases / sizeof *mod_aliases; i++)
        if (strlen(mod_aliases[i].alias) == len && memcmp(mod_aliases[i].alias, s, len) == 0) {
            *out = mod_aliases[i].mod;
            return true;
        }
    return false;
}

static const char *suggest_mod(const char *s, size_t len)
{
    const char *best = NULL;
    size_t best_d = len <= 3 ? 2 : 3; /* a typo: 1 edit in short words, 2 otherwise */
    for (int m = 0; m < SC_MOD__COUNT; m++) {
        if (strlen(mod_table[m].name) < 3)
            continue;
        size_t d = sc_edit_distance(s, len, mod_table[m].name);
        if (d < best_d) {
            best_d = d;
            best = mod_table[m].name;
        }
    }
    return best;
}

/* Column of byte `offset` inside a key scalar. Exact for plain keys and
 * for single-quoted ones ('' stands for one quote); a double-quoted key
 * with escapes points at the key itself. */
static sc_loc key_loc(const sc_ynode *key, size_t offset, size_t len)
{
    sc_loc l = key->loc;
    if (!key->single_line)
        return l;
    bool escapes = key->style == SC_YS_DOUBLE && memchr(key->text, '\\', key->len);
    if (key->style == SC_YS_PLAIN || key->style == SC_YS_SINGLE ||
        (key->style == SC_YS_DOUBLE && !escapes)) {
        uint32_t extra = key->style == SC_YS_PLAIN ? 0 : 1;
        if (key->style == SC_YS_SINGLE)
            for (size_t i = 0; i < offset && i < key->len; i++)
                extra += key->text[i] == '\'';
        l.col += (uint32_t)sc_utf8_chars(key->text, offset) + extra;
        l.len = (uint32_t)(len ? sc_utf8_chars(key->text + offset, len) : 1);
    }
    return l;
}

typedef struct chain_ctx {
    sc_diag_list *diags;
    const sc_source *src;
    const sc_ynode *key;
    size_t offsets[SC_MAX_MOD_CHAIN];
    size_t lens[SC_MAX_MOD_CHAIN];
    const sc_match *m;
} chain_ctx;

static void chain_error(const chain_ctx *c, size_t idx, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void chain_error(const chain_ctx *c, size_t idx, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(c->diags, c->src, SIGCC_ERROR, code, key_loc(c->key, c->offsets[idx], c->lens[idx]),
             fmt, ap);
    va_end(ap);
}

static int chain_index(const sc_match *m, sc_mod mod)
{
    for (int i = 0; i < m->n_chain; i++)
        if (m->chain[i] == mod)
            return i;
    return -1;
}

static int first_of_class(const sc_match *m, enum mod_class cls, int skip)
{
    for (int i = 0; i < m->n_chain; i++)
        if (i != skip && mod_table[m->chain[i]].cls == cls)
            return i;
    return -1;
}

/* Modifiers that can stand beside `mod` in one chain. */
static uint64_t compatible_with(sc_mod mod)
{
    const uint64_t wild = SC_MODBIT(SC_MOD_CONTAINS) | SC_MODBIT(SC_MOD_STARTSWITH) |
                          SC_MODBIT(SC_MOD_ENDSWITH);
    const uint64_t list = SC_MODBIT(SC_MOD_ALL) | SC_MODBIT(SC_MOD_NEQ);
    const uint64_t cmp = SC_MODBIT(SC_MOD_LT) | SC_MODBIT(SC_MOD_LTE) | SC_MODBIT(SC_MOD_GT) |
                         SC_MODBIT(SC_MOD_GTE);
    const uint64_t time = SC_MODBIT(SC_MOD_MINUTE) | SC_MODBIT(SC_MOD_HOUR) |
                          SC_MODBIT(SC_MOD_DAY) | SC_MODBIT(SC_MOD_WEEK) |
                          SC_MODBIT(SC_MOD_MONTH) | SC_MODBIT(SC_MOD_YEAR);
    const uint64_t reflags = SC_MODBIT(SC_MOD_RE_I) | SC_MODBIT(SC_MOD_RE_M) |
                             SC_MODBIT(SC_MOD_RE_S);
    switch (mod) {
    case SC_MOD_EXISTS: return 0;
    case SC_MOD_RE: return list | reflags | SC_MODBIT(SC_MOD_CASED); /* refused below, with a reason */
    case SC_MOD_CIDR: return list;
    case SC_MOD_FIELDREF: return list | wild | SC_MODBIT(SC_MOD_CASED);
    case SC_MOD_LT: case SC_MOD_LTE: case SC_MOD_GT: case SC_MOD_GTE: return list | time;
    case SC_MOD_MINUTE: case SC_MOD_HOUR: case SC_MOD_DAY: case SC_MOD_WEEK:
    case SC_MOD_MONTH: case SC_MOD_YEAR: return list | cmp;
    default: return ~UINT64_C(0);
    }
}

static bool check_chain(const chain_ctx *c)
{
    const sc_match *m = c->m;
    for (int i = 0; i < m->n_chain; i++) {
        sc_mod mod = m->chain[i];
        /* Exclusive modifiers: everything else in the chain must be allowed. */
        for (int k = 0; k < m->n_chain; k++) {
            if (k == i)
                continue;
            sc_mod other = m->chain[k];
            if (!(compatible_with(mod) & SC_MODBIT(other)) ||
                !(compatible_with(other) & SC_MODBIT(mod))) {
                if (k < i)
                    continue; /* reported once, at the later one */
                chain_error(c, (size_t)k, "modifier-combination",
                            "modifier '%s' cannot be combined with '%s'", sc_mod_name(other),
                            sc_mod_name(mod));
                return false;
            }
        }
        enum mod_class cls = mod_table[mod].cls;
        if (cls == SC_MODC_WILDCARD || cls == SC_MODC_ENCODE || cls == SC_MODC_CHARSET ||
            cls == SC_MODC_COMPARE || cls == SC_MODC_TIME) {
            int other = first_of_class(m, cls, i);
            if (other >= 0 && other < i) {
                chain_error(c, (size_t)i, "modifier-combination",
                            "modifiers '%s' and '%s' exclude each other",
                            sc_mod_name(m->chain[other]), sc_mod_name(mod));
                return false;
            }
        }
        if (cls == SC_MODC_REFLAG) {
            int re = chain_index(m, SC_MOD_RE);
            if (re < 0 || re > i) {
                chain_error(c, (size_t)i, "modifier-order",
                            "'%s' is a flag of the 're' modifier and must follow 're'",
                            sc_mod_name(mod));
                return false;
            }
        }
        if (cls == SC_MODC_CHARSET) {
            bool encoded_later = false;
            for (int k = i + 1; k < m->n_chain; k++)
                if (mod_table[m->chain[k]].cls == SC_MODC_ENCODE)
                    encoded_later = true;
            if (!encoded_later) {
                chain_error(c, (size_t)i, "modifier-order",
                            "'%s' turns the value into bytes; it must be followed by 'base64' "
                            "or 'base64offset'", sc_mod_name(mod));
                return false;
            }
        }
        if (cls == SC_MODC_WILDCARD || mod == SC_MOD_EXPAND) {
            for (int k = i + 1; k < m->n_chain; k++) {
                enum mod_class later = mod_table[m->chain[k]].cls;
                if (later != SC_MODC_ENCODE && later != SC_MODC_CHARSET)
                    continue;
                if (mod == SC_MOD_EXPAND)
                    chain_error(c, (size_t)i, "modifier-order",
                                "'expand' placeholders are resolved at query time and cannot "
                                "be encoded by '%s'", sc_mod_name(m->chain[k]));
                else
                    chain_error(c, (size_t)i, "modifier-order",
                                "'%s' before '%s' would encode its wildcards; write '%s|%s'",
                                sc_mod_name(mod), sc_mod_name(m->chain[k]),
                                sc_mod_name(m->chain[k]), sc_mod_name(mod));
                return false;
            }
        }
        if (mod == SC_MOD_WINDASH) {
            /* windash rewrites the flag characters of the text; after an
             * encoding it would rewrite '/' inside the base64 instead. */
            for (int k = 0; k < i; k++) {
                enum mod_class earlier = mod_table[m->chain[k]].cls;
                if (earlier == SC_MODC_ENCODE || earlier == SC_MODC_CHARSET) {
                    chain_error(c, (size_t)i, "modifier-order",
                                "'windash' after '%s' would rewrite the encoded text; write "
                                "'windash|%s'", sc_mod_name(m->chain[k]),
                                sc_mod_name(m->chain[k]));
                    return false;
                }
            }
        }
        if (mod == SC_MOD_CASED && chain_index(m, SC_MOD_RE) >= 0) {
            chain_error(c, (size_t)i, "modifier-combination",
                        "'cased' has no meaning with 're': regular expressions are "
                        "case-sensitive unless the 'i' flag is given");
            return false;
        }
    }
    return true;
}

bool sc_modifiers_parse(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                        const sc_ynode *key, sc_match *out)
{
    memset(out, 0, sizeof *out);
    chain_ctx c = {.diags = diags, .src = src, .key = key, .m = out};
    const char *text = key->text;
    const char *bar = memchr(text, '|', key->len);
    size_t field_len = bar ? (size_t)(bar - text) : key->len;
    if (field_len) {
        out->field = sc_arena_strndup(a, text, field_len);
        if (!out->field)
            return false;
    }
    out->field_loc = key_loc(key, 0, field_len);
    size_t pos = field_len;
    while (pos < key->len) {
        size_t start = pos + 1;
        const char *next = memchr(text + start, '|', key->len - start);
        size_t end = next ? (size_t)(next - text) : key->len;
        size_t len = end - start;
        pos = end;
        if (out->n_chain == SC_MAX_MOD_CHAIN) {
            sc_diag(diags, src, SIGCC_ERROR, "modifier-chain-length", key_loc(key, start, len),
                    "more than %u modifiers on one field", SC_MAX_MOD_CHAIN);
            return false;
        }
        c.offsets[out->n_chain] = start;
        c.lens[out->n_chain] = len;
        sc_mod mod;
        if (len == 0) {
            sc_diag(diags, src, SIGCC_ERROR, "unknown-modifier", key_loc(key, start - 1, 1),
                    "empty modifier: '||' or a trailing '|' in '%s'", text);
            return false;
        }
        if (!lookup_mod(text + start, len, &mod)) {
            const char *hint = suggest_mod(text + start, len);
            sc_diag(diags, src, SIGCC_ERROR, "unknown-modifier", key_loc(key, start, len),
                    "unknown modifier '%.*s'%s%s%s", (int)len, text + start,
                    hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
            return false;
        }
        if (out->mods & SC_MODBIT(mod)) {
            sc_diag(diags, src, SIGCC_ERROR, "modifier-duplicate", key_loc(key, start, len),
                    "modifier '%s' is given twice", sc_mod_name(mod));
            return false;
        }
        out->mods |= SC_MODBIT(mod);
        out->chain[out->n_chain++] = (uint8_t)mod;
    }
    if (!check_chain(&c))
        return false;
    uint64_t mods = out->mods;
    out->all = mods & SC_MODBIT(SC_MOD_ALL);
    out->negated = mods & SC_MODBIT(SC_MOD_NEQ);
    out->cased = mods & SC_MODBIT(SC_MOD_CASED);
    if (mods & SC_MODBIT(SC_MOD_RE)) {
        out->op = SC_OP_RE;
        out->cased = !(mods & SC_MODBIT(SC_MOD_RE_I));
    } else if (mods & SC_MODBIT(SC_MOD_CIDR)) {
        out->op = SC_OP_CIDR;
    } else if (mods & SC_MODBIT(SC_MOD_EXISTS)) {
        out->op = SC_OP_EXISTS;
    } else if (mods & SC_MODBIT(SC_MOD_FIELDREF)) {
        out->op = SC_OP_FIELDREF;
    } else if (mods & SC_MODBIT(SC_MOD_LT)) {
        out->op = SC_OP_LT;
    } else if (mods & SC_MODBIT(SC_MOD_LTE)) {
        out->op = SC_OP_LTE;
    } else if (mods & SC_MODBIT(SC_MOD_GT)) {
        out->op = SC_OP_GT;
    } else if (mods & SC_MODBIT(SC_MOD_GTE)) {
        out->op = SC_OP_GTE;
    }
    static const struct { sc_mod mod; sc_timepart part; } times[] = {
        {SC_MOD_MINUTE, SC_TIME_MINUTE}, {SC_MOD_HOUR, SC_TIME_HOUR},
        {SC_MOD_DAY, SC_TIME_DAY},       {SC_MOD_WEEK, SC_TIME_WEEK},
        {SC_MOD_MONTH, SC_TIME_MONTH},   {SC_MOD_YEAR, SC_TIME_YEAR},
    };
    for (size_t i = 0; i < sizeof times / sizeof *times; i++)
        if (mods & SC_MODBIT(times[i].mod))
            out->timepart = times[i].part;
    if (!out->field && (out->op != SC_OP_EQ || out->timepart)) {
        sc_diag(diags, src, SIGCC_ERROR, "modifier-keyword", key->loc,
                "modifier '%s' needs a field; keyword searches take only string modifiers",
                sc_mod_name(out->chain[0]));
        return false;
    }
    return true;
}
