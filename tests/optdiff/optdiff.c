/*
 * optdiff.c - differential test of the optimizer (src/optimize.c).
 *
 *   optdiff [--seed N] [--events N] [--verbose] [--coverage] PATH...
 *
 * Loads every rule under the paths, builds the optimized tree of each rule
 * with a condition (sc_optimize_tree, every pass) and evaluates both trees
 * on a set of events generated from the rule's own fields and values:
 *
 *   - one event per value of the rule's fields, all other fields missing;
 *   - an event with no field at all;
 *   - for k = 0..3: every field from its k-th value; the same with one
 *     value of each match on a field joined into one text (for `and`s of
 *     several matches on one field: startswith x and endswith y); both
 *     again with the fields looked at only under a `not` left out;
 *   - random events (--events, default 64): each field missing, JSON null,
 *     an object, or one or two values derived from the rule's values for
 *     it, mutated (case flips, prefixes, suffixes, truncation, another
 *     field's value, empty); fields linked by |fieldref copied from one
 *     another.
 *
 * Derived values: a string pattern's literal text with its wildcards
 * filled ('*' -> "", "x" or "ABC"; '?' -> "q"); numbers as numbers and as
 * strings, and +-1; booleans as booleans and strings; a text a regex
 * plausibly matches; an address inside / outside a CIDR network; dates
 * for time-part modifiers; all the values of an |all match, joined.
 * Keywords go to the field "msg".
 *
 * Every event is evaluated twice: with plain event values, and with their
 * ASCII-folded copies (the fast path real events take). Both trees must
 * give the same verdict each time. The summary gives the counts, the AST
 * sizes before and after optimization, and the time taken; the exit
 * status is 1 when any verdict differs, 2 on a usage or load failure.
 * tests/optimizer_diff.sh runs it over the Sigma corpus and rules/.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match.h"
#include "optimize.h"

#define POOL_BYTES (16u << 20)  /* text of one event */
#define MAX_ENTRIES 4096        /* values of one event */
#define MAX_PRINTED_PER_RULE 3  /* --verbose: disagreements shown per rule */
#define KEYWORD_FIELD "msg"

/* ----------------------------------------------------------------- PRNG */
typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned rng_below(rng *r, unsigned n)
{
    return n ? (unsigned)(rng_next(r) % n) : 0;
}

/* ----------------------------------------------------------------- text */
typedef struct text {
    char *d;
    size_t n, cap;
} text;

static void die_oom(void)
{
    fprintf(stderr, "optdiff: out of memory\n");
    exit(2);
}

static void t_put(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (t->n + n + 1 > cap)
            cap *= 2;
        char *d = realloc(t->d, cap);
        if (!d)
            die_oom();
        t->d = d;
        t->cap = cap;
    }
    if (n)
        memcpy(t->d + t->n, s, n);
    t->n += n;
    t->d[t->n] = '\0';
}

static void t_puts(text *t, const char *s)
{
    t_put(t, s, strlen(s));
}

static void t_putc(text *t, char c)
{
    t_put(t, &c, 1);
}

/* Appends a copy of t->d[start, start + len). */
static void t_repeat(text *t, size_t start, size_t len)
{
    for (size_t i = 0; i < len; i++)
        t_putc(t, t->d[start + i]); /* t->d may move: index, not pointer */
}

static void t_prepend(text *t, const char *s)
{
    size_t n = strlen(s), old = t->n;
    t_put(t, s, n); /* grow */
    memmove(t->d + n, t->d, old);
    memcpy(t->d, s, n);
}

/* --------------------------------------------------------------- events */
typedef struct entry {
    const char *field;
    sc_fieldval v;          /* v.folded unset: see `folded` */
    const char *folded;     /* folded copy of v.s (strings and numbers) */
} entry;

typedef struct event {
    entry *e;
    size_t n;
    char *pool;
    size_t used;
    bool folded_mode;       /* get/each_value hand out folded copies */
} event;

static char *pool_put(event *ev, const char *s, size_t n)
{
    if (ev->used + n + 1 > POOL_BYTES)
        return NULL;
    char *p = ev->pool + ev->used;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    ev->used += n + 1;
    return p;
}

static void event_reset(event *ev)
{
    ev->n = 0;
    ev->used = 0;
}

/* Adds one value; strings and numbers are copied into the event's pool. */
static void event_add(event *ev, const char *field, sc_fieldval v)
{
    if (ev->n >= MAX_ENTRIES)
        return;
    entry *e = &ev->e[ev->n];
    e->field = field;
    e->folded = NULL;
    v.folded = NULL;
    if ((v.kind == SC_FV_STRING || v.kind == SC_FV_NUMBER) && v.s) {
        char *s = pool_put(ev, v.s, v.len);
        char *f = pool_put(ev, v.s, v.len);
        if (!s || !f)
            return;
        for (size_t i = 0; i < v.len; i++)
            f[i] = (char)sc_ascii_lower[(unsigned char)f[i]];
        v.s = s;
        e->folded = f;
    }
    e->v = v;
    ev->n++;
}

static bool event_has(const event *ev, const char *field)
{
    for (size_t i = 0; i < ev->n; i++)
        if (strcmp(ev->e[i].field, field) == 0)
            return true;
    return false;
}

static sc_fieldval entry_value(const event *ev, const entry *e)
{
    sc_fieldval v = e->v;
    v.folded = ev->folded_mode ? e->folded : NULL;
    return v;
}

static size_t ev_get(const sc_event *sev, const char *field, sc_fieldval *out, size_t max)
{
    const event *ev = sev->data;
    size_t n = 0;
    for (size_t i = 0; i < ev->n && n < max; i++)
        if (strcmp(ev->e[i].field, field) == 0)
            out[n++] = entry_value(ev, &ev->e[i]);
    return n;
}

static void ev_each(const sc_event *sev, bool (*visit)(void *, const sc_fieldval *), void *ud)
{
    const event *ev = sev->data;
    for (size_t i = 0; i < ev->n; i++) {
        sc_fieldval v = entry_value(ev, &ev->e[i]);
        if (!visit(ud, &v))
            return;
    }
}

static void print_quoted(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* field="string" field=#number field=!bool field=~ (null) field={} */
static void print_event(FILE *f, const event *ev)
{
    if (ev->n == 0)
        fprintf(f, "    (no fields)\n");
    for (size_t i = 0; i < ev->n; i++) {
        const sc_fieldval *v = &ev->e[i].v;
        fprintf(f, "    %s=", ev->e[i].field);
        switch (v->kind) {
        case SC_FV_NULL: fputs("~ (null)", f); break;
        case SC_FV_STRING: print_quoted(f, v->s, v->len); break;
        case SC_FV_NUMBER:
            fputc('#', f);
            fwrite(v->s, 1, v->len, f);
            fputs(" (number)", f);
            break;
        case SC_FV_BOOL: fputs(v->b ? "!true (bool)" : "!false (bool)", f); break;
        case SC_FV_OBJECT: fputs("{} (object)", f); break;
        }
        fputc('\n', f);
    }
}

/* ------------------------------------------------------- rule's values */
/* One value of a match; v NULL: every value of an |all match at once. */
typedef struct seed {
    const sc_match *m;
    const sc_value *v;
} seed;

typedef struct field_info {
    const char *name;
    seed *seeds;        /* grouped by match, in the order of the tree */
    size_t n, cap;
    size_t *groups;     /* where each match's seeds start */
    bool *group_positive; /* the match is outside any `not` */
    size_t n_groups, cap_groups;
    bool positive;      /* looked at outside any `not` (or |neq) */
} field_info;

typedef struct fieldref {
    size_t from, to; /* field indexes: `from|fieldref: to` */
} fieldref;

typedef struct rule_fields {
    field_info *f;
    size_t n, cap;
    fieldref *refs;
    size_t n_refs, cap_refs;
    size_t n_seeds;
} rule_fields;

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap * 2 : 8;
    while (c < need)
        c *= 2;
    void *q = realloc(p, c * size);
    if (!q)
        die_oom();
    *cap = c;
    return q;
}

static size_t field_index(rule_fields *rf, const char *name)
{
    for (size_t i = 0; i < rf->n; i++)
        if (strcmp(rf->f[i].name, name) == 0)
            return i;
    rf->f = grow(rf->f, &rf->cap, rf->n + 1, sizeof *rf->f);
    rf->f[rf->n] = (field_info){name, NULL, 0, 0, NULL, NULL, 0, 0, false};
    return rf->n++;
}

/* `negated`: under an odd number of `not`. */
static void collect(rule_fields *rf, const sc_node *n, bool negated)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            collect(rf, n->u.list.items[i], negated);
        return;
    case SC_NODE_NOT: collect(rf, n->u.child, !negated); return;
    case SC_NODE_SEL: collect(rf, n->u.sel.child, negated); return;
    case SC_NODE_MATCH: break;
    default: return;
    }
    const sc_match *m = &n->u.match;
    size_t fi = field_index(rf, m->field ? m->field : KEYWORD_FIELD);
    rf->f[fi].positive |= negated == m->negated;
    if (m->n_values) {
        field_info *f = &rf->f[fi];
        size_t cap = f->cap_groups; /* the two arrays grow together */
        f->groups = grow(f->groups, &f->cap_groups, f->n_groups + 1, sizeof *f->groups);
        f->group_positive = grow(f->group_positive, &cap, f->n_groups + 1,
                                 sizeof *f->group_positive);
        f->group_positive[f->n_groups] = negated == m->negated;
        f->groups[f->n_groups++] = f->n;
    }
    if (m->all && m->n_values > 1) {
        field_info *f = &rf->f[fi];
        f->seeds = grow(f->seeds, &f->cap, f->n + 1, sizeof *f->seeds);
        f->seeds[f->n++] = (seed){m, NULL};
        rf->n_seeds++;
    }
    for (size_t i = 0; i < m->n_values; i++) {
        const sc_value *v = &m->values[i];
        field_info *f = &rf->f[fi];
        f->seeds = grow(f->seeds, &f->cap, f->n + 1, sizeof *f->seeds);
        f->seeds[f->n++] = (seed){m, v};
        rf->n_seeds++;
        if (m->op == SC_OP_FIELDREF && v->kind == SC_VAL_FIELD && v->raw) {
            size_t to = field_index(rf, v->raw); /* may move rf->f */
            rf->refs = grow(rf->refs, &rf->cap_refs, rf->n_refs + 1, sizeof *rf->refs);
            rf->refs[rf->n_refs++] = (fieldref){fi, to};
        }
    }
}

static void rule_fields_free(rule_fields *rf)
{
    for (size_t i = 0; i < rf->n; i++) {
        free(rf->f[i].seeds);
        free(rf->f[i].groups);
        free(rf->f[i].group_positive);
    }
    free(rf->f);
    free(rf->refs);
    *rf = (rule_fields){0};
}

/* --------------------------------------------------- value generation */
typedef struct gen {
    rng r;
    rule_fields *rf;
    event *ev;
    text t;       /* the value being built */
    text part;    /* one piece of a combined value */
} gen;

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char flip_case(char c)
{
    if (c >= 'a' && c <= 'z')
        return (char)(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    return c;
}

static void put_number(text *t, const sc_value *v, double delta)
{
    char buf[64];
    if (v->is_int)
        snprintf(buf, sizeof buf, "%lld", (long long)v->ival + (long long)delta);
    else
        snprintf(buf, sizeof buf, "%.17g", v->num + delta);
    t_puts(t, buf);
}

/* Escape sequences of a regex that stand for one character (or none). */
static size_t regex_escape(const char *re, size_t n, size_t i, text *t)
{
    /* re[i] is the character after the backslash */
    char c = re[i];
    switch (c) {
    case 'd': t_putc(t, '1'); return 1;
    case 'D': case 'S': case 'w': t_putc(t, 'a'); return 1;
    case 's': t_putc(t, ' '); return 1;
    case 'W': t_putc(t, ' '); return 1;
    case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G': return 1;
    case 'n': t_putc(t, '\n'); return 1;
    case 't': t_putc(t, '\t'); return 1;
    case 'r': t_putc(t, '\r'); return 1;
    case 'x':
        if (i + 2 < n && strchr("0123456789abcdefABCDEF", re[i + 1]) && re[i + 1] &&
            strchr("0123456789abcdefABCDEF", re[i + 2]) && re[i + 2]) {
            char hex[3] = {re[i + 1], re[i + 2], 0};
            t_putc(t, (char)strtol(hex, NULL, 16));
            return 3;
        }
        t_putc(t, 'x');
        return 1;
    default: t_putc(t, c); return 1;
    }
}

/* Index just past the group that starts before `i` (i is inside it), or n. */
static size_t skip_to_group_end(const char *re, size_t n, size_t i)
{
    int depth = 0;
    bool in_class = false;
    for (; i < n; i++) {
        char c = re[i];
        if (c == '\\') {
            i++;
            continue;
        }
        if (in_class) {
            in_class = c != ']';
            continue;
        }
        if (c == '[')
            in_class = true;
        else if (c == '(')
            depth++;
        else if (c == ')' && depth-- == 0)
            return i; /* the ')' is handled by the caller */
    }
    return n;
}

/* A text the regex plausibly matches: literals kept, one character per
 * class or dot, the first branch of each alternation, quantifiers {n}
 * repeated, anchors and lookarounds left out. */
static void regex_sample(const char *re, size_t n, text *t)
{
    size_t stack[64];
    size_t depth = 0, atom = t->n;
    for (size_t i = 0; i < n;) {
        char c = re[i];
        switch (c) {
        case '\\':
            atom = t->n;
            i += 1 + (i + 1 < n ? regex_escape(re, n, i + 1, t) : 0);
            break;
        case '^': case '$': i++; break;
        case '.': atom = t->n; t_putc(t, 'a'); i++; break;
        case '*': case '+': case '?': i++; break;
        case '{': {
            size_t j = i + 1;
            unsigned long count = 0;
            bool digits = false;
            while (j < n && re[j] >= '0' && re[j] <= '9') {
                count = count * 10 + (unsigned long)(re[j++] - '0');
                digits = true;
            }
            while (j < n && (re[j] == ',' || (re[j] >= '0' && re[j] <= '9')))
                j++;
            if (!digits || j >= n || re[j] != '}') {
                atom = t->n;
                t_putc(t, '{');
                i++;
                break;
            }
            size_t start = atom, len = t->n - atom;
            for (unsigned long k = 1; k < count && k < 64 && len; k++)
                t_repeat(t, start, len);
            i = j + 1;
            break;
        }
        case '[': {
            atom = t->n;
            size_t j = i + 1;
            bool negated = j < n && re[j] == '^';
            if (negated)
                j++;
            bool first = true, emitted = false;
            for (; j < n && (first || re[j] != ']'); j++, first = false) {
                if (emitted)
                    continue;
                if (re[j] == '\\' && j + 1 < n) {
                    if (!negated)
                        j += regex_escape(re, n, j + 1, t);
                    else
                        j++;
                    emitted = true;
                } else if (!negated) {
                    t_putc(t, re[j]);
                    emitted = true;
                }
            }
            if (negated)
                t_putc(t, '#');
            i = j < n ? j + 1 : n;
            break;
        }
        case '(':
            if (i + 2 < n && re[i + 1] == '?') {
                char k = re[i + 2];
                if (k == '=' || k == '!' || (k == '<' && i + 3 < n && (re[i + 3] == '=' || re[i + 3] == '!'))) {
                    size_t end = skip_to_group_end(re, n, i + 1);
                    i = end < n ? end + 1 : n; /* lookaround: no text */
                    break;
                }
                size_t j = i + 2;
                while (j < n && re[j] != ')' && re[j] != ':' && re[j] != '>')
                    j++;
                if (j < n && re[j] == ')') { /* (?i) and similar flags */
                    i = j + 1;
                    break;
                }
                if (depth < 64)
                    stack[depth++] = t->n;
                i = j < n ? j + 1 : n;
                break;
            }
            if (depth < 64)
                stack[depth++] = t->n;
            i++;
            break;
        case ')':
            atom = depth ? stack[--depth] : t->n;
            i++;
            break;
        case '|':
            i = skip_to_group_end(re, n, i + 1);
            break;
        default:
            atom = t->n;
            t_putc(t, c);
            i++;
        }
    }
}

/* A time stamp whose `part` is `value`. */
static void time_sample(text *t, sc_timepart part, long value)
{
    int y = 2024, mo = 3, d = 14, h = 10, mi = 30;
    switch (part) {
    case SC_TIME_YEAR: y = (int)(value < 1 ? 1 : value > 9999 ? 9999 : value); break;
    case SC_TIME_MONTH: mo = (int)(value < 1 ? 1 : value > 12 ? 12 : value); break;
    case SC_TIME_DAY: d = (int)(value < 1 ? 1 : value > 31 ? 31 : value); break;
    case SC_TIME_HOUR: h = (int)(value < 0 ? 0 : value > 23 ? 23 : value); break;
    case SC_TIME_MINUTE: mi = (int)(value < 0 ? 0 : value > 59 ? 59 : value); break;
    case SC_TIME_WEEK: /* 2024-01-01 is a Monday, in ISO week 1 */
        if (value >= 1 && value <= 52) {
            long day = (value - 1) * 7 + 2; /* a Wednesday of that week */
            static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            mo = 1;
            for (int k = 0; k < 12 && day > mdays[k]; k++) {
                day -= mdays[k];
                mo++;
            }
            d = (int)day;
        }
        break;
    default: break;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:00.000Z", y, mo, d, h, mi);
    t_puts(t, buf);
}

/* An address inside (or outside) a network. */
static void cidr_sample(text *t, const sc_value *v, bool inside)
{
    unsigned char a[16];
    size_t bytes = v->family == 4 ? 4 : 16;
    memcpy(a, v->addr, bytes);
    unsigned p = v->prefix;
    if (inside) {
        if (p < bytes * 8)
            a[bytes - 1] ^= 1; /* a host bit */
    } else {
        if (p == 0) {
            t_puts(t, "not-an-address");
            return;
        }
        a[(p - 1) / 8] ^= (unsigned char)(0x80 >> ((p - 1) % 8)); /* last network bit */
    }
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(v->family == 4 ? AF_INET : AF_INET6, a, buf, sizeof buf))
        snprintf(buf, sizeof buf, "?");
    t_puts(t, buf);
}

/* The text of a string pattern, wildcards filled ('*' with "" unless
 * `fill`: then "", "x" or "ABC"). */
static void pattern_text(gen *g, text *t, const sc_value *v, bool fill)
{
    static const char *const fills[] = {"", "x", "ABC"};
    for (size_t i = 0; i < v->n_parts; i++) {
        const sc_part *p = &v->parts[i];
        switch (p->kind) {
        case SC_PART_LIT: t_put(t, p->text, p->len); break;
        case SC_PART_STAR: t_puts(t, fills[fill ? rng_below(&g->r, 3) : 0]); break;
        case SC_PART_ONE: t_putc(t, 'q'); break;
        case SC_PART_PLACEHOLDER:
            t_putc(t, '%');
            t_put(t, p->text, p->len);
            t_putc(t, '%');
            break;
        }
    }
}

/* The text of a seed's value (any value kind). `fill`: vary the wildcard
 * fills; `off`: a near miss (number +-1, address outside the network). */
static void seed_text(gen *g, text *t, const seed *sd, bool fill, bool off)
{
    const sc_match *m = sd->m;
    const sc_value *v = sd->v;
    if (!v) { /* |all: every value, one after the other */
        for (size_t i = 0; i < m->n_values; i++) {
            if (i)
                t_putc(t, ' ');
            seed_text(g, t, &(seed){m, &m->values[i]}, fill, false);
        }
        return;
    }
    long delta = off ? (rng_below(&g->r, 2) ? 1 : -1) : 0;
    if (m->timepart != SC_TIME_NONE) {
        time_sample(t, m->timepart, (long)v->num + delta);
        return;
    }
    if (m->op == SC_OP_EXISTS) {
        t_puts(t, "present");
        return;
    }
    switch (v->kind) {
    case SC_VAL_STRING: pattern_text(g, t, v, fill); break;
    case SC_VAL_NUMBER: put_number(t, v, (double)delta); break;
    case SC_VAL_BOOL: t_puts(t, v->bval != off ? "true" : "false"); break;
    case SC_VAL_NULL: t_puts(t, off ? "null" : ""); break;
    case SC_VAL_REGEX: regex_sample(v->raw, v->raw_len, t); break;
    case SC_VAL_CIDR: cidr_sample(t, v, !off); break;
    case SC_VAL_FIELD: t_puts(t, "refval"); break;
    }
}

static const seed *random_seed(gen *g)
{
    rule_fields *rf = g->rf;
    if (rf->n_seeds == 0)
        return NULL;
    unsigned k = rng_below(&g->r, (unsigned)rf->n_seeds);
    for (size_t i = 0; i < rf->n; i++) {
        if (k < rf->f[i].n)
            return &rf->f[i].seeds[k];
        k -= (unsigned)rf->f[i].n;
    }
    return NULL;
}

static void mutate_text(gen *g, text *t)
{
    static const char *const prefixes[] = {"x", "\\", " ", "A", "C:\\Windows\\"};
    static const char *const suffixes[] = {"x", ".exe", " ", "\\", "Z"};
    switch (rng_below(&g->r, 9)) {
    case 0: /* every letter flipped */
        for (size_t i = 0; i < t->n; i++)
            t->d[i] = flip_case(t->d[i]);
        break;
    case 1: { /* one letter flipped */
        size_t letters = 0;
        for (size_t i = 0; i < t->n; i++)
            letters += is_letter(t->d[i]);
        if (!letters)
            break;
        size_t pick = rng_below(&g->r, (unsigned)letters);
        for (size_t i = 0; i < t->n; i++)
            if (is_letter(t->d[i]) && pick-- == 0) {
                t->d[i] = flip_case(t->d[i]);
                break;
            }
        break;
    }
    case 2: t_prepend(t, prefixes[rng_below(&g->r, 5)]); break;
    case 3: t_puts(t, suffixes[rng_below(&g->r, 5)]); break;
    case 4: /* one character less at the end */
        if (t->n)
            t->d[--t->n] = '\0';
        break;
    case 5: /* one character less at the start */
        if (t->n) {
            memmove(t->d, t->d + 1, t->n);
            t->n--;
        }
        break;
    case 6: { /* another value of the rule (often another field's) */
        const seed *o = random_seed(g);
        t->n = 0;
        t_put(t, "", 0);
        if (o)
            seed_text(g, t, o, true, false);
        break;
    }
    case 7: /* empty */
        t->n = 0;
        t_put(t, "", 0);
        break;
    default: /* prefix and suffix: the contains shape */
        t_prepend(t, prefixes[rng_below(&g->r, 5)]);
        t_puts(t, suffixes[rng_below(&g->r, 5)]);
        break;
    }
}

static sc_fieldval fv_string(const text *t)
{
    return (sc_fieldval){SC_FV_STRING, t->d ? t->d : "", t->n, 0, false, NULL};
}

static void text_reset(text *t)
{
    t->n = 0;
    t_put(t, "", 0);
}

/* A string that reads as a number goes in as a JSON number half the time. */
static sc_fieldval maybe_number(gen *g, const text *t)
{
    sc_fieldval f = fv_string(t);
    double num;
    if (rng_below(&g->r, 2) && sc_parse_number(t->d, t->n, &num)) {
        f.kind = SC_FV_NUMBER;
        f.num = num;
    }
    return f;
}

/* One value derived from `sd`, added to the event as `field`. `vary`:
 * random representation (number or string, wildcard fills) and, for
 * `mutate_pct` percent of the values, a mutation; otherwise the value in
 * its canonical form. */
static void add_derived(gen *g, const char *field, const seed *sd, bool vary, unsigned mutate_pct)
{
    text *t = &g->t;
    text_reset(t);
    if (!sd) {
        t_puts(t, vary && rng_below(&g->r, 2) ? "other" : "value");
        event_add(g->ev, field, fv_string(t));
        return;
    }
    const sc_value *v = sd->v;
    const sc_match *m = sd->m;
    bool mutate = vary && rng_below(&g->r, 100) < mutate_pct;
    bool typed = v && m->timepart == SC_TIME_NONE && m->op != SC_OP_EXISTS;
    if (typed && v->kind == SC_VAL_BOOL) {
        sc_fieldval f = {SC_FV_BOOL, NULL, 0, 0, v->bval != mutate, NULL};
        if (vary && rng_below(&g->r, 3) == 0) {
            static const char *const yes[] = {"true", "True", "1"}, *const no[] = {"false", "FALSE", "0"};
            t_puts(t, (f.b ? yes : no)[rng_below(&g->r, 3)]);
            f = fv_string(t);
        }
        event_add(g->ev, field, f);
        return;
    }
    if (typed && v->kind == SC_VAL_NULL && !mutate) {
        event_add(g->ev, field, (sc_fieldval){SC_FV_NULL, NULL, 0, 0, false, NULL});
        return;
    }
    if (typed && v->kind == SC_VAL_NUMBER && !mutate) {
        /* as the rule wrote it: a number or a string */
        sc_fieldval f = {SC_FV_NUMBER, v->raw, v->raw_len, v->num, false, NULL};
        if (vary && rng_below(&g->r, 2))
            f.kind = SC_FV_STRING;
        event_add(g->ev, field, f);
        return;
    }
    /* a near miss for numbers, booleans, dates and networks half the time;
     * a text mutation otherwise */
    bool off = mutate && rng_below(&g->r, 2);
    seed_text(g, t, sd, vary, off);
    if (mutate && !off) {
        mutate_text(g, t);
        if (rng_below(&g->r, 4) == 0)
            mutate_text(g, t);
    }
    event_add(g->ev, field, vary ? maybe_number(g, t) : fv_string(t));
}

/* One value of each of the field's matches, joined: what an `and` of
 * several matches on one field (startswith x and endswith y, contains a
 * and contains b) needs. Seed k of each match, or random ones (k < 0). */
static void add_combo(gen *g, const field_info *f, long k, bool positive, unsigned mutate_pct)
{
    text *t = &g->t, *part = &g->part;
    text_reset(t);
    const char *sep = k >= 0 || rng_below(&g->r, 2) ? "" : " ";
    for (size_t j = 0; j < f->n_groups; j++) {
        if (positive && !f->group_positive[j])
            continue;
        size_t start = f->groups[j], end = j + 1 < f->n_groups ? f->groups[j + 1] : f->n;
        size_t size = end - start;
        size_t pick = start + (k >= 0 ? (size_t)k % size : rng_below(&g->r, (unsigned)size));
        text_reset(part);
        seed_text(g, part, &f->seeds[pick], k < 0, false);
        if (t->n)
            t_puts(t, sep);
        t_put(t, part->d, part->n);
    }
    if (k < 0 && rng_below(&g->r, 100) < mutate_pct)
        mutate_text(g, t);
    event_add(g->ev, f->name, k >= 0 ? fv_string(t) : maybe_number(g, t));
}

static const seed *field_seed(const field_info *f, size_t k)
{
    return f->n ? &f->seeds[k % f->n] : NULL;
}

/* Every field from its k-th value, canonical; `combo`: every field from
 * the k-th value of each of its matches; `positive`: only the fields
 * looked at outside a `not` (exclusions left out). */
static void event_kth(gen *g, size_t k, bool combo, bool positive)
{
    event_reset(g->ev);
    for (size_t i = 0; i < g->rf->n; i++) {
        const field_info *f = &g->rf->f[i];
        if (positive && !f->positive)
            continue;
        if (combo && f->n_groups > 1)
            add_combo(g, f, (long)k, positive, 0);
        else
            add_derived(g, f->name, field_seed(f, k), false, 0);
    }
}

/* One field from one value, the others missing. */
static void event_single(gen *g, size_t field, size_t k)
{
    event_reset(g->ev);
    add_derived(g, g->rf->f[field].name, &g->rf->f[field].seeds[k], false, 0);
}

/* The event's `from` values copied to `to` (replacing them): fieldref. */
static void copy_field(gen *g, const char *from, const char *to)
{
    event *ev = g->ev;
    size_t keep = 0;
    for (size_t k = 0; k < ev->n; k++)
        if (strcmp(ev->e[k].field, to) != 0)
            ev->e[keep++] = ev->e[k];
    ev->n = keep;
    for (size_t i = 0; i < keep; i++) {
        sc_fieldval v = ev->e[i].v;
        if (strcmp(ev->e[i].field, from) != 0)
            continue;
        if ((v.kind == SC_FV_STRING || v.kind == SC_FV_NUMBER) && rng_below(&g->r, 3) == 0) {
            text_reset(&g->t);
            t_put(&g->t, v.s, v.len);
            mutate_text(g, &g->t);
            v = fv_string(&g->t);
        }
        event_add(ev, to, v);
    }
}

/* `missing_pct` of the fields left out, `mutate_pct` of the values mutated. */
static void event_random(gen *g, unsigned missing_pct, unsigned mutate_pct)
{
    event_reset(g->ev);
    rule_fields *rf = g->rf;
    for (size_t i = 0; i < rf->n; i++) {
        const field_info *f = &rf->f[i];
        if (rng_below(&g->r, 100) < missing_pct)
            continue;
        unsigned roll = rng_below(&g->r, 100);
        if (roll < 5) {
            event_add(g->ev, f->name, (sc_fieldval){SC_FV_NULL, NULL, 0, 0, false, NULL});
            continue;
        }
        if (roll < 7) {
            event_add(g->ev, f->name, (sc_fieldval){SC_FV_OBJECT, NULL, 0, 0, false, NULL});
            continue;
        }
        size_t values = roll < 17 ? 2 : 1; /* an array */
        for (size_t k = 0; k < values; k++) {
            if (f->n_groups > 1 && rng_below(&g->r, 3) == 0)
                add_combo(g, f, -1, rng_below(&g->r, 2), mutate_pct);
            else
                add_derived(g, f->name,
                            f->n ? &f->seeds[rng_below(&g->r, (unsigned)f->n)] : NULL, true,
                            mutate_pct);
        }
    }
    for (size_t i = 0; i < rf->n_refs; i++) {
        const fieldref *r = &rf->refs[i];
        if (rng_below(&g->r, 2) == 0)
            continue;
        const char *from = rf->f[r->from].name, *to = rf->f[r->to].name;
        if (rng_below(&g->r, 2)) { /* this field takes the referenced one's value */
            const char *tmp = from;
            from = to;
            to = tmp;
        }
        copy_field(g, from, to);
    }
    /* a field no rule value looks at (keywords see it) */
    if (rng_below(&g->r, 4) == 0 && !event_has(g->ev, "Unrelated")) {
        text_reset(&g->t);
        t_puts(&g->t, "unrelated value");
        event_add(g->ev, "Unrelated", fv_string(&g->t));
    }
}

/* --------------------------------------------------------------- driver */
typedef struct stats {
    size_t rules, filters, skipped_no_condition, events, evaluations, disagreements;
    size_t rules_disagreeing, fastpath_mismatches, matched_events;
    size_t rules_both_outcomes;
    size_t nodes_before, nodes_after;
} stats;

typedef struct options {
    uint64_t seed;
    unsigned events;
    bool verbose;  /* each disagreement in full */
    bool coverage; /* the rules whose events all get the same verdict */
} options;

static char *explain(const sc_node *n)
{
    sc_buf b = {0};
    sc_explain_node(&b, n, 2);
    return sc_buf_take(&b);
}

static const char *verdict(bool v)
{
    return v ? "match" : "no match";
}

/* v_orig[mode], v_opt[mode]: verdicts on plain (0) and folded (1) values. */
static void report(const sigcc_rule *r, const sc_node *orig, const sc_node *opt,
                   const event *ev, const bool v_orig[2], const bool v_opt[2])
{
    printf("DISAGREEMENT %s (line %u): %s\n", r->file ? r->file : "?", (unsigned)r->line,
           r->title ? r->title : "?");
    printf("  event:\n");
    print_event(stdout, ev);
    if (v_orig[0] == v_orig[1] && v_opt[0] == v_opt[1])
        printf("  original: %s   optimized: %s\n", verdict(v_orig[0]), verdict(v_opt[0]));
    else
        printf("  original: %s (plain values), %s (folded values)   optimized: %s (plain), "
               "%s (folded)\n",
               verdict(v_orig[0]), verdict(v_orig[1]), verdict(v_opt[0]), verdict(v_opt[1]));
    char *a = explain(orig), *b = explain(opt);
    printf("  original tree:\n%s  optimized tree:\n%s", a ? a : "(oom)\n", b ? b : "(oom)\n");
    free(a);
    free(b);
}

/* Evaluates both trees on the current event, with plain values and with
 * folded ones. */
static void check_event(const options *o, stats *s, const sigcc_rule *r, const sc_node *orig,
                        const sc_node *opt, event *ev, sc_eval_state *st, size_t *rule_bad,
                        bool *seen_true, bool *seen_false)
{
    sc_event sev = {ev_get, ev_each, ev};
    bool a[2], b[2];
    for (int mode = 0; mode < 2; mode++) {
        ev->folded_mode = mode == 1;
        a[mode] = sc_eval_node(orig, &sev, st);
        b[mode] = sc_eval_node(opt, &sev, st);
        s->evaluations += 2;
    }
    ev->folded_mode = false;
    s->events++;
    s->matched_events += a[0];
    *seen_true |= a[0];
    *seen_false |= !a[0];
    if (a[0] != a[1]) {
        s->fastpath_mismatches++;
        if (o->verbose) {
            printf("NOTE %s: the original tree gives %s on plain values, %s on folded ones:\n",
                   r->file, verdict(a[0]), verdict(a[1]));
            print_event(stdout, ev);
        }
    }
    if (a[0] != b[0] || a[1] != b[1]) {
        if (o->verbose && *rule_bad < MAX_PRINTED_PER_RULE)
            report(r, orig, opt, ev, a, b);
        s->disagreements++;
        (*rule_bad)++;
    }
}

static bool check_rule(const options *o, stats *s, sigcc_rule *r, size_t index, event *ev,
                       sc_eval_state *st, gen *g)
{
    sc_node *opt = sc_optimize_tree(r->arena, r->condition, NULL);
    if (!opt)
        return false;
    /* Real evaluation folds the rule's literals once; both paths are
     * checked here (values with and without folded copies). */
    if (!sc_fold_parts(r->arena, r->condition) || !sc_fold_parts(r->arena, opt))
        return false;
    s->rules++;
    s->filters += r->kind == SIGCC_RULE_FILTER;
    s->nodes_before += sc_node_count(r->condition);
    s->nodes_after += sc_node_count(opt);

    rule_fields rf = {0};
    collect(&rf, r->condition, false);
    g->rf = &rf;
    g->r.s = o->seed * UINT64_C(0x100000001b3) + index;

    size_t bad = 0;
    bool seen_true = false, seen_false = false;
    size_t kth = 1;
    for (size_t i = 0; i < rf.n; i++)
        if (rf.f[i].n > kth)
            kth = rf.f[i].n;
    if (kth > 4)
        kth = 4;
    for (size_t k = 0; k < kth; k++)
        for (int variant = 0; variant < 4; variant++) {
            event_kth(g, k, variant & 1, variant & 2);
            check_event(o, s, r, r->condition, opt, ev, st, &bad, &seen_true, &seen_false);
        }
    for (size_t i = 0; i < rf.n; i++)
        for (size_t k = 0; k < rf.f[i].n; k++) {
            event_single(g, i, k);
            check_event(o, s, r, r->condition, opt, ev, st, &bad, &seen_true, &seen_false);
        }
    event_reset(ev); /* no fields at all */
    check_event(o, s, r, r->condition, opt, ev, st, &bad, &seen_true, &seen_false);
    static const unsigned missing[] = {10, 30, 55};
    for (unsigned e = 0; e < o->events; e++) {
        event_random(g, missing[(e / 2) % 3], e % 2 ? 60 : 15);
        check_event(o, s, r, r->condition, opt, ev, st, &bad, &seen_true, &seen_false);
    }
    if (bad) {
        s->rules_disagreeing++;
        fflush(stdout);
        fprintf(stderr, "optdiff: %s: %zu event(s) disagree\n", r->file, bad);
    }
    s->rules_both_outcomes += seen_true && seen_false;
    if (o->coverage && !(seen_true && seen_false))
        printf("NOTE %s: every event %s\n", r->file,
               seen_true ? "matches" : "misses");
    rule_fields_free(&rf);
    g->rf = NULL;
    return true;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: optdiff [--seed N] [--events N] [--verbose] [--coverage] PATH...\n"
               "  --seed N     seed of the event generator (default 1)\n"
               "  --events N   random events per rule (default 64)\n"
               "  --verbose    print each disagreement: rule, event, verdicts, both trees\n"
               "  --coverage   list the rules none of whose events flips the verdict\n");
}

static bool parse_uint(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *end || errno || *s == '-')
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    options o = {1, 64, false, false};
    const char **paths = calloc((size_t)argc, sizeof *paths);
    size_t n_paths = 0;
    if (!paths)
        die_oom();
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
            o.verbose = true;
        } else if (strcmp(argv[i], "--coverage") == 0) {
            o.coverage = true;
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc && parse_uint(argv[i + 1], &v)) {
            o.seed = v;
            i++;
        } else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc &&
                   parse_uint(argv[i + 1], &v) && v <= 1000000) {
            o.events = (unsigned)v;
            i++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            free(paths);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage(stderr);
            free(paths);
            return 2;
        } else {
            paths[n_paths++] = argv[i];
        }
    }
    if (n_paths == 0) {
        usage(stderr);
        free(paths);
        return 2;
    }

    double t0 = now();
    sigcc_ctx *ctx = sigcc_ctx_new();
    if (!ctx)
        die_oom();
    int rc = 0;
    for (size_t i = 0; i < n_paths; i++) {
        sigcc_status st = sigcc_load_path(ctx, paths[i]);
        if (st == SIGCC_EIO || st == SIGCC_ENOMEM || st == SIGCC_EUSAGE) {
            fprintf(stderr, "optdiff: %s: %s\n", paths[i], sigcc_status_string(st));
            rc = 2;
        }
    }
    if (sigcc_resolve(ctx) == SIGCC_ENOMEM)
        die_oom();
    double t1 = now();

    event ev = {0};
    ev.e = malloc(MAX_ENTRIES * sizeof *ev.e);
    ev.pool = malloc(POOL_BYTES);
    if (!ev.e || !ev.pool)
        die_oom();
    gen g = {{0}, NULL, &ev, {0}, {0}};
    sc_eval_state st = {0};
    stats s = {0};
    size_t correlations = 0;
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->dropped)
            continue;
        if (!r->condition) {
            if (r->kind == SIGCC_RULE_CORRELATION)
                correlations++;
            else
                s.skipped_no_condition++;
            continue;
        }
        if (!check_rule(&o, &s, r, i, &ev, &st, &g)) {
            fprintf(stderr, "optdiff: %s: out of memory\n", r->file);
            rc = 2;
            break;
        }
    }
    double t2 = now();

    double pct = s.nodes_before
                     ? 100.0 * ((double)s.nodes_before - (double)s.nodes_after) / (double)s.nodes_before
                     : 0;
    printf("optdiff: seed %llu, %u random events per rule\n", (unsigned long long)o.seed,
           o.events);
    printf("documents:       %zu (%zu rules loaded, %zu correlations skipped, %zu load errors)\n",
           sigcc_document_count(ctx), sigcc_rule_count(ctx), correlations,
           sigcc_diag_count_severity(ctx, SIGCC_ERROR));
    printf("rules checked:   %zu (%zu detections, %zu filters; %zu with events on both sides "
           "of the verdict)\n",
           s.rules, s.rules - s.filters, s.filters, s.rules_both_outcomes);
    printf("events:          %zu (%zu matched by the original tree), %zu evaluations\n",
           s.events, s.matched_events, s.evaluations);
    printf("disagreements:   %zu events in %zu rules\n", s.disagreements, s.rules_disagreeing);
    if (s.fastpath_mismatches)
        printf("folded/plain:    %zu events where the evaluator's folded path differs\n",
               s.fastpath_mismatches);
    printf("AST nodes:       %zu before, %zu after (-%.1f%%)\n", s.nodes_before, s.nodes_after,
           pct);
    printf("time:            %.2f s (load %.2f s, check %.2f s)\n", t2 - t0, t1 - t0, t2 - t1);

    sc_eval_state_fini(&st);
    free(g.t.d);
    free(g.part.d);
    free(ev.e);
    free(ev.pool);
    sigcc_ctx_free(ctx);
    free(paths);
    if (rc)
        return rc;
    return s.disagreements ? 1 : 0;
}
