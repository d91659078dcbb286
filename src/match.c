/*
 * match.c - Sigma semantics for one event: does a detection tree match?
 *
 * The event is reached through a small interface (sc_event), so the same
 * code serves JSON lines, EVTX records and unit tests. A field may hold
 * several values (a JSON array): an item matches if any value does.
 *
 *   match Image|endswith: '*\outlook.exe'   Image = C:\...\OUTLOOK.EXE  -> true
 *   match DestinationPort: 25               DestinationPort = "25"      -> true
 *   match Details: null                     no Details field            -> true
 *
 * Decisions (docs/evaluator.md): strings compare case-insensitively unless
 * |cased, folding ASCII letters; '?' is one UTF-8 character; numbers
 * compare by value when both sides are numeric, else by text; null matches
 * an absent or JSON-null field; a keyword matches when it occurs in any
 * string value of the event (as full-text search does).
 */
#define _GNU_SOURCE /* memmem */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

/* ------------------------------------------------------------ strings */
static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
}

#define L(c) [c] = (unsigned char)(c - 'A' + 'a')
const unsigned char sc_ascii_lower[256] = {
#define R(i) [i] = i
    R(0), R(1), R(2), R(3), R(4), R(5), R(6), R(7), R(8), R(9), R(10), R(11), R(12), R(13),
    R(14), R(15), R(16), R(17), R(18), R(19), R(20), R(21), R(22), R(23), R(24), R(25), R(26),
    R(27), R(28), R(29), R(30), R(31), R(32), R(33), R(34), R(35), R(36), R(37), R(38), R(39),
    R(40), R(41), R(42), R(43), R(44), R(45), R(46), R(47), R(48), R(49), R(50), R(51), R(52),
    R(53), R(54), R(55), R(56), R(57), R(58), R(59), R(60), R(61), R(62), R(63), R(64),
    L('A'), L('B'), L('C'), L('D'), L('E'), L('F'), L('G'), L('H'), L('I'), L('J'), L('K'),
    L('L'), L('M'), L('N'), L('O'), L('P'), L('Q'), L('R'), L('S'), L('T'), L('U'), L('V'),
    L('W'), L('X'), L('Y'), L('Z'),
    R(91), R(92), R(93), R(94), R(95), R(96), R(97), R(98), R(99), R(100), R(101), R(102),
    R(103), R(104), R(105), R(106), R(107), R(108), R(109), R(110), R(111), R(112), R(113),
    R(114), R(115), R(116), R(117), R(118), R(119), R(120), R(121), R(122), R(123), R(124),
    R(125), R(126), R(127), R(128), R(129), R(130), R(131), R(132), R(133), R(134), R(135),
    R(136), R(137), R(138), R(139), R(140), R(141), R(142), R(143), R(144), R(145), R(146),
    R(147), R(148), R(149), R(150), R(151), R(152), R(153), R(154), R(155), R(156), R(157),
    R(158), R(159), R(160), R(161), R(162), R(163), R(164), R(165), R(166), R(167), R(168),
    R(169), R(170), R(171), R(172), R(173), R(174), R(175), R(176), R(177), R(178), R(179),
    R(180), R(181), R(182), R(183), R(184), R(185), R(186), R(187), R(188), R(189), R(190),
    R(191), R(192), R(193), R(194), R(195), R(196), R(197), R(198), R(199), R(200), R(201),
    R(202), R(203), R(204), R(205), R(206), R(207), R(208), R(209), R(210), R(211), R(212),
    R(213), R(214), R(215), R(216), R(217), R(218), R(219), R(220), R(221), R(222), R(223),
    R(224), R(225), R(226), R(227), R(228), R(229), R(230), R(231), R(232), R(233), R(234),
    R(235), R(236), R(237), R(238), R(239), R(240), R(241), R(242), R(243), R(244), R(245),
    R(246), R(247), R(248), R(249), R(250), R(251), R(252), R(253), R(254), R(255),
#undef R
};
#undef L

static bool bytes_equal(const char *a, const char *b, size_t n, bool cased)
{
    if (cased)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y && sc_ascii_lower[x] != sc_ascii_lower[y])
            return false;
    }
    return true;
}

/* Glob match over parts; backtracks to the last star only, which is
 * enough for '*' and '?' and keeps the cost at O(len * parts). Literals
 * compare with the parts' folded text when the subject is folded too. */
static inline bool glob_walk(const sc_part *parts, size_t n, const char *s, size_t len,
                             bool cased, bool folded)
{
    size_t p = 0, i = 0;
    size_t star_p = SIZE_MAX, star_i = 0;
    for (;;) {
        if (p < n) {
            const sc_part *part = &parts[p];
            if (part->kind == SC_PART_STAR) {
                star_p = p++;
                star_i = i;
                continue;
            }
            if (part->kind == SC_PART_ONE && i < len) {
                i += utf8_len((unsigned char)s[i]);
                if (i > len)
                    i = len;
                p++;
                continue;
            }
            if (part->kind == SC_PART_LIT && part->len <= len - i &&
                (folded ? memcmp(s + i, part->folded, part->len) == 0
                        : bytes_equal(s + i, part->text, part->len, cased))) {
                i += part->len;
                p++;
                continue;
            }
        } else if (i == len) {
            return true;
        }
        if (star_p == SIZE_MAX || star_i >= len)
            return false;
        star_i += utf8_len((unsigned char)s[star_i]);
        if (star_i > len)
            star_i = len;
        i = star_i;
        p = star_p + 1;
    }
}

bool sc_glob_match(const sc_part *parts, size_t n, const char *s, size_t len, bool cased)
{
    return glob_walk(parts, n, s, len, cased, false);
}

/* The shapes rules use most, on folded text, with memcmp and memmem. */
static int glob_fast_path(const sc_part *p, size_t n, const char *s, size_t len)
{
    if (n == 1 && p[0].kind == SC_PART_LIT)
        return len == p[0].len && memcmp(s, p[0].folded, len) == 0;
    if (n == 2 && p[0].kind == SC_PART_STAR && p[1].kind == SC_PART_LIT)
        return len >= p[1].len && memcmp(s + len - p[1].len, p[1].folded, p[1].len) == 0;
    if (n == 2 && p[0].kind == SC_PART_LIT && p[1].kind == SC_PART_STAR)
        return len >= p[0].len && memcmp(s, p[0].folded, p[0].len) == 0;
    if (n == 3 && p[0].kind == SC_PART_STAR && p[1].kind == SC_PART_LIT &&
        p[2].kind == SC_PART_STAR)
        return p[1].len == 0 || memmem(s, len, p[1].folded, p[1].len) != NULL;
    return -1;
}

bool sc_glob_match_folded(const sc_part *parts, size_t n, const char *s, size_t len)
{
    int fast = glob_fast_path(parts, n, s, len);
    return fast >= 0 ? fast : glob_walk(parts, n, s, len, false, true);
}

static bool parts_folded(const sc_part *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (parts[i].kind == SC_PART_LIT && !parts[i].folded)
            return false;
    return true;
}

static bool fold_value(sc_arena *a, sc_value *v)
{
    for (size_t k = 0; v->kind == SC_VAL_STRING && k < v->n_parts; k++) {
        sc_part *part = &v->parts[k];
        if (part->kind != SC_PART_LIT || part->folded)
            continue;
        char *f = sc_arena_alloc(a, part->len + 1);
        if (!f)
            return false;
        for (size_t i = 0; i < part->len; i++)
            f[i] = (char)sc_ascii_lower[(unsigned char)part->text[i]];
        part->folded = f;
    }
    return true;
}

bool sc_fold_parts(sc_arena *a, sc_node *node)
{
    switch (node->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < node->u.list.n; i++)
            if (!sc_fold_parts(a, node->u.list.items[i]))
                return false;
        return true;
    case SC_NODE_NOT: return sc_fold_parts(a, node->u.child);
    case SC_NODE_SEL: return sc_fold_parts(a, node->u.sel.child);
    case SC_NODE_MATCH:
        for (size_t i = 0; i < node->u.match.n_values; i++)
            if (!fold_value(a, &node->u.match.values[i]))
                return false;
        return true;
    default: return true;
    }
}

/* ------------------------------------------------------------ numbers */
/* A whole string as a number: decimal (with sign and fraction) or 0x hex. */
bool sc_parse_number(const char *s, size_t len, double *out)
{
    char buf[64];
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    if (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
        unsigned long long v = strtoull(buf + 2, &end, 16);
        if (*end || end == buf + 2)
            return false;
        *out = (double)v;
        return true;
    }
    for (size_t i = 0; i < len; i++)
        if (!(isdigit((unsigned char)buf[i]) || strchr("+-.eE", buf[i])))
            return false; /* no inf, nan, or hex floats */
    double v = strtod(buf, &end);
    if (*end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool value_number(const sc_fieldval *v, double *out)
{
    if (v->kind == SC_FV_NUMBER) {
        *out = v->num;
        return true;
    }
    return v->kind == SC_FV_STRING && sc_parse_number(v->s, v->len, out);
}

/* The text a value is compared as: strings as they are, numbers as the
 * event wrote them, booleans as true/false. */
static bool value_text(const sc_fieldval *v, const char **s, size_t *len)
{
    switch (v->kind) {
    case SC_FV_STRING:
    case SC_FV_NUMBER:
        *s = v->s;
        *len = v->len;
        return v->s != NULL;
    case SC_FV_BOOL:
        *s = v->b ? "true" : "false";
        *len = strlen(*s);
        return true;
    default:
        return false;
    }
}

static bool compare(double a, sc_op op, double b)
{
    switch (op) {
    case SC_OP_LT: return a < b;
    case SC_OP_LTE: return a <= b;
    case SC_OP_GT: return a > b;
    case SC_OP_GTE: return a >= b;
    default: return a == b;
    }
}

/* ---------------------------------------------------------- time parts */
static int days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int iso_week(int y, int m, int d)
{
    int days = days_from_civil(y, m, d);
    int wday = ((days % 7) + 10) % 7; /* Monday = 0 (1970-01-01 was a Thursday) */
    int thursday = days - wday + 3;
    int ty = y + (m == 12 && thursday > days_from_civil(y, 12, 31) ? 1 : 0);
    if (thursday < days_from_civil(y, 1, 1))
        ty = y - 1;
    return (thursday - days_from_civil(ty, 1, 1)) / 7 + 1;
}

/* "YYYY-MM-DD[T ]HH:MM[:SS...]" -> the requested part; no time zone
 * handling (the spec's time modifiers do none). */
bool sc_time_part(const char *s, size_t len, sc_timepart part, double *out)
{
    int f[5] = {0};
    static const int at[5] = {0, 5, 8, 11, 14};
    static const int width[5] = {4, 2, 2, 2, 2};
    if (len < 10 || s[4] != '-' || s[7] != '-')
        return false;
    size_t fields = len >= 16 && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' ? 5 : 3;
    for (size_t k = 0; k < fields; k++)
        for (int c = 0; c < width[k]; c++) {
            char ch = s[at[k] + c];
            if (!isdigit((unsigned char)ch))
                return false;
            f[k] = f[k] * 10 + (ch - '0');
        }
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31)
        return false;
    switch (part) {
    case SC_TIME_YEAR: *out = f[0]; return true;
    case SC_TIME_MONTH: *out = f[1]; return true;
    case SC_TIME_DAY: *out = f[2]; return true;
    case SC_TIME_WEEK: *out = iso_week(f[0], f[1], f[2]); return true;
    case SC_TIME_HOUR: *out = f[3]; return fields == 5;
    case SC_TIME_MINUTE: *out = f[4]; return fields == 5;
    default: return false;
    }
}

/* ------------------------------------------------------------ network */
static bool in_cidr(const sc_value *net, const char *s, size_t len)
{
    char buf[64];
    unsigned char addr[16];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *pct = strchr(buf, '%'); /* IPv6 zone id */
    if (pct)
        *pct = '\0';
    if (inet_pton(net->family == 4 ? AF_INET : AF_INET6, buf, addr) != 1)
        return false;
    unsigned full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(addr, net->addr, full) != 0)
        return false;
    if (rest) {
        unsigned char mask = (unsigned char)(0xff << (8 - rest));
        if ((addr[full] & mask) != (net->addr[full] & mask))
            return false;
    }
    return true;
}

/* --------------------------------------------------------------- items */
static bool regex_match(const sc_value *re, const char *s, size_t len, sc_eval_state *st)
{
    if (!st->match_data) {
        st->match_data = pcre2_match_data_create(1, NULL);
        st->match_context = pcre2_match_context_create(NULL);
        if (!st->match_data || !st->match_context)
            return false;
        /* A catastrophic pattern stops here instead of hanging the run. */
        pcre2_set_match_limit(st->match_context, SC_REGEX_MATCH_LIMIT);
        pcre2_set_depth_limit(st->match_context, SC_REGEX_DEPTH_LIMIT);
    }
    int rc = pcre2_match(re->regex, (PCRE2_SPTR)s, len, 0, 0, st->match_data, st->match_context);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
        st->regex_limit_hits++;
    return rc >= 0;
}

/* One rule value against one event value. */
static bool value_matches(const sc_match *m, const sc_value *want, const sc_fieldval *have,
                          sc_eval_state *st)
{
    const char *s;
    size_t len;
    double num;
    if (have->kind == SC_FV_NULL)
        return want->kind == SC_VAL_NULL;
    if (m->timepart) {
        return value_text(have, &s, &len) && sc_time_part(s, len, m->timepart, &num) &&
               compare(num, m->op, want->num);
    }
    switch (m->op) {
    case SC_OP_LT: case SC_OP_LTE: case SC_OP_GT: case SC_OP_GTE:
        return value_number(have, &num) && compare(num, m->op, want->num);
    case SC_OP_RE:
        return value_text(have, &s, &len) && regex_match(want, s, len, st);
    case SC_OP_CIDR:
        return have->kind == SC_FV_STRING && in_cidr(want, have->s, have->len);
    default:
        break;
    }
    switch (want->kind) {
    case SC_VAL_NULL:
        return false; /* a present, non-null value */
    case SC_VAL_NUMBER:
        if (value_number(have, &num))
            return num == want->num;
        return value_text(have, &s, &len) && len == want->raw_len &&
               bytes_equal(s, want->raw, len, m->cased);
    case SC_VAL_BOOL:
        if (have->kind == SC_FV_BOOL)
            return have->b == want->bval;
        return value_text(have, &s, &len) &&
               len == strlen(want->bval ? "true" : "false") &&
               bytes_equal(s, want->bval ? "true" : "false", len, false);
    case SC_VAL_STRING:
        if (!m->cased && have->folded && parts_folded(want->parts, want->n_parts))
            return sc_glob_match_folded(want->parts, want->n_parts, have->folded, have->len);
        return value_text(have, &s, &len) &&
               sc_glob_match(want->parts, want->n_parts, s, len, m->cased);
    default:
        return false;
    }
}

static bool any_value_matches(const sc_match *m, const sc_value *want, const sc_fieldval *vals,
                              size_t n, sc_eval_state *st)
{
    if (n == 0)
        return want->kind == SC_VAL_NULL;
    for (size_t i = 0; i < n; i++)
        if (value_matches(m, want, &vals[i], st))
            return true;
    return false;
}

/* fieldref: the other field's value, as a literal (with the wildcards of
 * contains/startswith/endswith around it). */
static bool fieldref_matches(const sc_match *m, const sc_value *want, const sc_fieldval *vals,
                             size_t n, const sc_event *ev)
{
    sc_fieldval other[SC_EVAL_MAX_VALUES];
    size_t k = ev->get(ev, want->raw, other, SC_EVAL_MAX_VALUES);
    bool front = m->mods & (SC_MODBIT(SC_MOD_CONTAINS) | SC_MODBIT(SC_MOD_ENDSWITH));
    bool back = m->mods & (SC_MODBIT(SC_MOD_CONTAINS) | SC_MODBIT(SC_MOD_STARTSWITH));
    for (size_t j = 0; j < k; j++) {
        const char *os;
        size_t olen;
        if (!value_text(&other[j], &os, &olen))
            continue;
        sc_part parts[3];
        size_t np = 0;
        if (front)
            parts[np++] = (sc_part){SC_PART_STAR, NULL, 0, NULL};
        parts[np++] = (sc_part){SC_PART_LIT, os, olen, NULL};
        if (back)
            parts[np++] = (sc_part){SC_PART_STAR, NULL, 0, NULL};
        for (size_t i = 0; i < n; i++) {
            const char *s;
            size_t len;
            if (value_text(&vals[i], &s, &len) && sc_glob_match(parts, np, s, len, m->cased))
                return true;
        }
    }
    return false;
}

typedef struct keyword_search {
    const sc_match *m;
    const sc_value *want;
    const sc_part *parts; /* a string keyword with its implicit '*...*' */
    size_t n_parts;
    sc_eval_state *st;
    bool found;
} keyword_search;

static bool keyword_visit(void *ud, const sc_fieldval *v)
{
    keyword_search *k = ud;
    const char *s;
    size_t len;
    if (!value_text(v, &s, &len))
        return true;
    if (k->parts)
        k->found = !k->m->cased && v->folded && parts_folded(k->parts, k->n_parts)
                       ? sc_glob_match_folded(k->parts, k->n_parts, v->folded, len)
                       : sc_glob_match(k->parts, k->n_parts, s, len, k->m->cased);
    else
        k->found = value_matches(k->m, k->want, v, k->st);
    return !k->found; /* stop at the first hit */
}

/* A keyword is found anywhere in a value: its pattern gets '*' on both
 * sides, built once per keyword rather than per visited value. */
static bool keyword_matches(const sc_match *m, const sc_value *want, const sc_event *ev,
                            sc_eval_state *st)
{
    keyword_search k = {m, want, NULL, 0, st, false};
    sc_part wrapped[SC_EVAL_MAX_KEYWORD_PARTS + 2];
    if (want->kind == SC_VAL_STRING) {
        if (want->n_parts <= SC_EVAL_MAX_KEYWORD_PARTS) {
            wrapped[0] = (sc_part){SC_PART_STAR, NULL, 0, NULL};
            memcpy(wrapped + 1, want->parts, want->n_parts * sizeof *wrapped);
            wrapped[want->n_parts + 1] = (sc_part){SC_PART_STAR, NULL, 0, NULL};
            k.parts = wrapped;
            k.n_parts = want->n_parts + 2;
        } else {
            k.parts = want->parts;
            k.n_parts = want->n_parts;
        }
    }
    ev->each_value(ev, keyword_visit, &k);
    return k.found;
}

static bool match_one(const sc_match *m, const sc_value *want, const sc_fieldval *vals,
                      size_t n, const sc_event *ev, sc_eval_state *st)
{
    if (!m->field)
        return keyword_matches(m, want, ev, st);
    if (m->op == SC_OP_FIELDREF)
        return fieldref_matches(m, want, vals, n, ev);
    return any_value_matches(m, want, vals, n, st);
}

static bool match_leaf(const sc_match *m, const sc_event *ev, sc_eval_state *st)
{
    sc_fieldval vals[SC_EVAL_MAX_VALUES];
    size_t n = 0;
    bool result;
    if (m->field) {
        n = ev->get(ev, m->field, vals, SC_EVAL_MAX_VALUES);
        if (m->op == SC_OP_EXISTS) {
            result = (n > 0) == m->values[0].bval;
            return m->negated ? !result : result;
        }
    }
    if (m->all) {
        result = true;
        for (size_t i = 0; i < m->n_values && result; i++)
            result = match_one(m, &m->values[i], vals, n, ev, st);
    } else {
        result = false;
        for (size_t i = 0; i < m->n_values && !result; i++)
            result = match_one(m, &m->values[i], vals, n, ev, st);
    }
    return m->negated ? !result : result;
}

bool sc_eval_node(const sc_node *node, const sc_event *ev, sc_eval_state *st)
{
    switch (node->kind) {
    case SC_NODE_AND:
        for (size_t i = 0; i < node->u.list.n; i++)
            if (!sc_eval_node(node->u.list.items[i], ev, st))
                return false;
        return true;
    case SC_NODE_OR:
        for (size_t i = 0; i < node->u.list.n; i++)
            if (sc_eval_node(node->u.list.items[i], ev, st))
                return true;
        return false;
    case SC_NODE_NOT: return !sc_eval_node(node->u.child, ev, st);
    case SC_NODE_SEL: return sc_eval_node(node->u.sel.child, ev, st);
    case SC_NODE_MATCH: return match_leaf(&node->u.match, ev, st);
    case SC_NODE_TRUE: return true;
    case SC_NODE_FALSE: return false;
    }
    return false;
}

void sc_eval_state_fini(sc_eval_state *st)
{
    pcre2_match_data_free(st->match_data);
    pcre2_match_context_free(st->match_context);
    st->match_data = NULL;
    st->match_context = NULL;
}
