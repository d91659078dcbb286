/*
 * spl.c - Splunk Search Processing Language (Splunk Enterprise, Splunk
 * Cloud).
 *
 * A detection rule is one search. The and-operands of its condition that
 * the `search` command decides exactly come first (`f="v"`, `f IN (...)`,
 * a `*` at either end of a value, `f=*`, CIDR ranges); an and-operand with
 * anything `search` cannot say goes, as a whole, into `| where <eval
 * expression>` (PCRE match(), cidrmatch(), tonumber(), lower()), or, when
 * it is one regular expression, into `| regex f="..."`. `search` matches
 * values case-insensitively and has no `?` wildcard, no escape for a
 * literal `*`, and is unreliable with a `*` inside a value (Splunk's
 * documentation warns of it): those values, and |cased ones, go to match().
 * Keywords, time parts, placeholders and field references other than
 * equality are refused. Correlations: `stats` over the events of the last
 * timespan (`earliest=-T`), one row per group. Mapping table and the
 * reasons: docs/backends/spl.md.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One conversion: the shared state and what the eval writer must know. */
typedef struct spl_emit {
    sc_emit e; /* first: the tree walk hands &e back to the leaf writers */
    /* Every eval test must be false, never null, on an absent field
     * (needs_guard says where). */
    bool guard;
} spl_emit;

static spl_emit *spl_of(sc_emit *e)
{
    return (spl_emit *)e;
}

static bool refuse(sc_emit *e, sc_loc loc, const char *what)
{
    sc_emit_error(e, loc, "%s", what);
    return false;
}

/* ------------------------------------------------------------- strings */
static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Bytes never written raw into SPL text: control characters have no
 * escape in a quoted string, and a backtick starts a macro. */
static bool raw_unsafe(unsigned char c)
{
    return c < 0x20 || c == 0x7f || c == '`';
}

static bool text_safe(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (raw_unsafe((unsigned char)s[i]))
            return false;
    return true;
}

/* "..." with SPL's two escapes, \\ and \" (search, eval and regex strings
 * alike; a regex then reads the unescaped text). */
static void put_spl_string(sc_buf *b, const char *s, size_t n)
{
    sc_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' || s[i] == '"')
            sc_buf_putc(b, '\\');
        sc_buf_putc(b, s[i]);
    }
    sc_buf_putc(b, '"');
}

static bool word_in(const char *w, const char *const *list, bool any_case)
{
    for (size_t i = 0; list[i]; i++)
        if (any_case ? !strcasecmp(w, list[i]) : !strcmp(w, list[i]))
            return true;
    return false;
}

/* What `search` reads as an operator (in capitals only), a time modifier
 * (any case, to be safe) or a modifier that is a field of its own (as
 * written: field names are case-sensitive, EventType is Sysmon's). */
static const char *const SEARCH_OPERATORS[] = {"AND", "OR", "NOT", "XOR", "IN", "TERM", "CASE",
                                               NULL};
static const char *const SEARCH_TIME[] = {
    "earliest", "latest", "_index_earliest", "_index_latest", "starttime", "endtime",
    "startdays", "enddays", "startminutes", "endminutes", "starthoursago", "endhoursago",
    "startmonthsago", "endmonthsago", "daysago", "hoursago", "minutesago", "monthsago",
    "timeformat", NULL};
static const char *const SEARCH_MODIFIERS[] = {"savedsearch", "savedsplunk", "eventtype",
                                               "eventtypetag", "tag", "hosttag",
                                               "splunk_server", "splunk_server_group", NULL};

/* A name written as it is in `search`, `stats` and `regex`: a letter or _
 * first, then letters, digits, _ and dots. */
static bool search_field_ok(const char *f)
{
    if (!is_alpha((unsigned char)*f) && *f != '_')
        return false;
    for (const char *p = f; *p; p++)
        if (!is_alpha((unsigned char)*p) && !is_digit((unsigned char)*p) && *p != '_' &&
            *p != '.')
            return false;
    return !word_in(f, SEARCH_OPERATORS, false) && !word_in(f, SEARCH_TIME, true) &&
           !word_in(f, SEARCH_MODIFIERS, false);
}

static const char *const EVAL_WORDS[] = {"AND", "OR", "NOT", "XOR", "LIKE", "IN",
                                         "TRUE", "FALSE", "NULL", NULL};

/* A field in an eval expression: as it is when it is an identifier, else
 * in single quotes (a dot would be the concatenation operator). */
static bool put_eval_field(sc_emit *e, sc_loc loc, const char *f, sc_buf *b)
{
    bool plain = is_alpha((unsigned char)*f) || *f == '_';
    for (const char *p = f; *p && plain; p++)
        plain = is_alpha((unsigned char)*p) || is_digit((unsigned char)*p) || *p == '_';
    if (plain && !word_in(f, EVAL_WORDS, true)) {
        sc_buf_puts(b, f);
        return true;
    }
    if (!*f || !text_safe(f, strlen(f)) || strchr(f, '\'') || strchr(f, '\\'))
        return refuse(e, loc, "a field name with a quote, backslash, backtick or control "
                              "character in an eval expression (no quoting for it)");
    sc_buf_printf(b, "'%s'", f);
    return true;
}

/* ------------------------------------------------------------- numbers */
/* The shortest text that reads back as the same number. */
static void number_text(const sc_value *v, char *buf, size_t cap)
{
    if (v->is_int) {
        snprintf(buf, cap, "%lld", (long long)v->ival);
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, cap, "%.*g", digits, v->num);
        if (strtod(buf, NULL) == v->num)
            return;
    }
}

/* Digits with an optional fraction: safe unquoted in `search`. */
static bool plain_number(const char *s)
{
    bool dot = false;
    if (!is_digit((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (*s == '.' && !dot)
            dot = true;
        else if (!is_digit((unsigned char)*s))
            return false;
    return s[-1] != '.';
}

/* ------------------------------------------------------------- patterns */
/* A literal byte of a PCRE pattern: control characters, the backtick and
 * the double quote as \xHH so that no SPL string holds them, PCRE's
 * metacharacters escaped, everything else (UTF-8 too) as it is. */
static void put_re_literal(sc_buf *re, unsigned char c)
{
    if (raw_unsafe(c) || c == '"')
        sc_buf_printf(re, "\\x%02x", c);
    else if (strchr("\\^$.|?*+()[]{}", c))
        sc_buf_printf(re, "\\%c", c);
    else
        sc_buf_putc(re, (char)c);
}

static void put_re_text(sc_buf *re, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_re_literal(re, (unsigned char)s[i]);
}

/* A Sigma wildcard pattern as PCRE (the caller anchors it and sets (?s)). */
static void put_re_pattern(sc_buf *re, const sc_value *v)
{
    for (size_t i = 0; i < v->n_parts; i++) {
        const sc_part *p = &v->parts[i];
        if (p->kind == SC_PART_STAR)
            sc_buf_puts(re, ".*");
        else if (p->kind == SC_PART_ONE)
            sc_buf_putc(re, '.');
        else
            put_re_text(re, p->text, p->len);
    }
}

/* A Sigma regex for match() or the regex command: the flags of |i |m |s
 * in front, control characters, backticks and double quotes (alone or
 * escaped) as \xHH; everything else as written (PCRE on both sides). */
static void put_user_regex(const sc_match *m, const sc_value *v, sc_buf *re)
{
    char flags[4];
    size_t nf = 0;
    if (m->mods & SC_MODBIT(SC_MOD_RE_I))
        flags[nf++] = 'i';
    if (m->mods & SC_MODBIT(SC_MOD_RE_M))
        flags[nf++] = 'm';
    if (m->mods & SC_MODBIT(SC_MOD_RE_S))
        flags[nf++] = 's';
    if (nf)
        sc_buf_printf(re, "(?%.*s)", (int)nf, flags);
    for (size_t i = 0; i < v->raw_len; i++) {
        unsigned char c = (unsigned char)v->raw[i];
        if (c == '\\' && i + 1 < v->raw_len) {
            unsigned char x = (unsigned char)v->raw[++i];
            if (raw_unsafe(x) || x == '"')
                sc_buf_printf(re, "\\x%02x", x);
            else
                sc_buf_printf(re, "\\%c", x);
        } else if (raw_unsafe(c) || c == '"') {
            sc_buf_printf(re, "\\x%02x", c);
        } else {
            sc_buf_putc(re, (char)c);
        }
    }
}

static const sc_node *unwrap(const sc_node *n)
{
    while (n->kind == SC_NODE_SEL)
        n = n->u.sel.child;
    return n;
}

/* ------------------------------------------------ what `search` can say */
/* A star only at the ends, a literal without *, control characters or
 * backticks; no ?. */
static bool search_pattern_ok(const sc_value *v)
{
    size_t first = 0, last = v->n_parts;
    while (first < last && v->parts[first].kind == SC_PART_STAR)
        first++;
    while (last > first && v->parts[last - 1].kind == SC_PART_STAR)
        last--;
    for (size_t i = first; i < last; i++) {
        const sc_part *p = &v->parts[i];
        if (p->kind == SC_PART_STAR || p->kind == SC_PART_ONE)
            return false;
        if (p->kind == SC_PART_LIT &&
            (!text_safe(p->text, p->len) || memchr(p->text, '*', p->len)))
            return false;
    }
    return true;
}

/* |cased makes no difference to a value without letters. */
static bool caseless(const sc_value *v)
{
    for (size_t i = 0; i < v->n_parts; i++)
        for (size_t k = 0; v->parts[i].kind == SC_PART_LIT && k < v->parts[i].len; k++) {
            unsigned char c = (unsigned char)v->parts[i].text[k];
            if (is_alpha(c) || c >= 0x80)
                return false;
        }
    return true;
}

static bool search_value_ok(const sc_match *m, const sc_value *v)
{
    if (v->kind != SC_VAL_STRING)
        return true;
    return search_pattern_ok(v) && (!m->cased || caseless(v));
}

static bool search_match_ok(const sc_match *m)
{
    if (!m->field || m->timepart != SC_TIME_NONE)
        return true; /* refused whichever way it is written */
    if (!search_field_ok(m->field))
        return false;
    switch (m->op) {
    case SC_OP_EXISTS:
    case SC_OP_CIDR: return true;
    case SC_OP_EQ:
        for (size_t i = 0; i < m->n_values; i++)
            if (!search_value_ok(m, &m->values[i]))
                return false;
        return true;
    default: return false;
    }
}

static bool search_tree_ok(const sc_node *n)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            if (!search_tree_ok(n->u.list.items[i]))
                return false;
        return true;
    case SC_NODE_NOT: return search_tree_ok(n->u.child);
    case SC_NODE_SEL: return search_tree_ok(n->u.sel.child);
    case SC_NODE_MATCH: return search_match_ok(&n->u.match);
    default: return true;
    }
}


/* One positive regex (or |all of several) on a plain field: `| regex`. */
static bool regex_command_ok(const sc_node *n)
{
    n = unwrap(n);
    if (n->kind != SC_NODE_MATCH)
        return false;
    const sc_match *m = &n->u.match;
    return m->field && m->op == SC_OP_RE && !m->negated && m->timepart == SC_TIME_NONE &&
           search_field_ok(m->field) && (m->n_values == 1 || m->all);
}

/* ------------------------------------------------------- search leaves */
static bool put_search_value(sc_emit *e, const sc_value *v)
{
    char num[64];
    switch (v->kind) {
    case SC_VAL_NUMBER:
        number_text(v, num, sizeof num);
        if (plain_number(num))
            sc_buf_puts(e->out, num);
        else
            put_spl_string(e->out, num, strlen(num));
        return true;
    case SC_VAL_BOOL: sc_buf_puts(e->out, v->bval ? "\"true\"" : "\"false\""); return true;
    case SC_VAL_STRING: break;
    default: return refuse(e, v->loc, "this value in a search term");
    }
    if (sc_has_placeholder(e, v))
        return false;
    sc_buf text = {0};
    for (size_t i = 0; i < v->n_parts; i++)
        if (v->parts[i].kind == SC_PART_STAR)
            sc_buf_putc(&text, '*');
        else
            sc_buf_put(&text, v->parts[i].text, v->parts[i].len);
    put_spl_string(e->out, text.data ? text.data : "", text.len);
    sc_buf_free(&text);
    return true;
}

static bool lone_star(const sc_value *v)
{
    return v->kind == SC_VAL_STRING && v->n_parts > 0 && v->parts[0].kind == SC_PART_STAR &&
           v->n_parts == 1;
}

/* f=v or f IN (v, ...); NOT f=* for null; ORed when both. */
static bool put_search_eq(sc_emit *e, const sc_match *m, const sc_value *const *vals, size_t n)
{
    sc_buf *b = e->out;
    size_t nulls = 0;
    for (size_t i = 0; i < n; i++)
        nulls += vals[i]->kind == SC_VAL_NULL;
    size_t others = n - nulls;
    bool both = nulls && others;
    if (both)
        sc_buf_putc(b, '(');
    if (nulls)
        sc_buf_printf(b, "NOT %s=*%s", m->field, both ? " OR " : "");
    if (others == 1) {
        for (size_t i = 0; i < n; i++) {
            if (vals[i]->kind == SC_VAL_NULL)
                continue;
            sc_buf_printf(b, "%s=", m->field);
            if (lone_star(vals[i]))
                sc_buf_putc(b, '*');
            else if (!put_search_value(e, vals[i]))
                return false;
        }
    } else if (others) {
        sc_buf_printf(b, "%s IN (", m->field);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (vals[i]->kind == SC_VAL_NULL)
                continue;
            sc_buf_puts(b, k++ ? ", " : "");
            if (!put_search_value(e, vals[i]))
                return false;
        }
        sc_buf_putc(b, ')');
    }
    if (both)
        sc_buf_putc(b, ')');
    return true;
}

static bool put_search_values(sc_emit *e, const sc_match *m, const sc_value *const *vals,
                              size_t n)
{
    if (m->op == SC_OP_EQ)
        return put_search_eq(e, m, vals, n);
    if (m->op != SC_OP_CIDR)
        return refuse(e, m->field_loc, "this comparison in a search term");
    if (n > 1)
        sc_buf_putc(e->out, '(');
    for (size_t i = 0; i < n; i++) {
        if (!text_safe(vals[i]->raw, vals[i]->raw_len))
            return refuse(e, vals[i]->loc, "a control character in a network");
        sc_buf_printf(e->out, "%s%s=", i ? " OR " : "", m->field);
        put_spl_string(e->out, vals[i]->raw, vals[i]->raw_len);
    }
    if (n > 1)
        sc_buf_putc(e->out, ')');
    return true;
}

static bool refuse_common(sc_emit *e, const sc_match *m)
{
    if (!m->field)
        return refuse(e, m->field_loc, "keyword (full-text) searches (a bare term in a search "
                                       "matches whole indexed terms of the raw event, not "
                                       "substrings of field values)");
    if (m->timepart != SC_TIME_NONE)
        return refuse(e, m->field_loc, "time-part modifiers (minute, hour, day, ...)");
    return true;
}

/* Runs `put` over the values of a match: all at once, or one by one
 * ANDed (|all), with `and_op` between them. */
static bool put_value_sets(sc_emit *e, const sc_match *m, const char *and_op,
                           bool (*put)(sc_emit *, const sc_match *, const sc_value *const *,
                                       size_t))
{
    bool split = m->all && m->n_values > 1;
    const sc_value **vals = malloc((m->n_values ? m->n_values : 1) * sizeof *vals);
    if (!vals) {
        e->out->oom = true;
        return false;
    }
    for (size_t i = 0; i < m->n_values; i++)
        vals[i] = &m->values[i];
    bool ok = true;
    if (split)
        sc_buf_putc(e->out, '(');
    for (size_t i = 0; ok && i < (split ? m->n_values : 1); i++) {
        sc_buf_puts(e->out, i ? and_op : "");
        ok = split ? put(e, m, vals + i, 1) : put(e, m, vals, m->n_values);
    }
    if (split)
        sc_buf_putc(e->out, ')');
    free(vals);
    return ok;
}

static bool put_search_match(sc_emit *e, const sc_match *m)
{
    if (!refuse_common(e, m))
        return false;
    bool ok = true;
    if (m->negated)
        sc_buf_puts(e->out, "NOT (");
    if (m->op == SC_OP_EXISTS)
        sc_buf_printf(e->out, "%s%s=*", m->values[0].bval ? "" : "NOT ", m->field);
    else
        ok = put_value_sets(e, m, " ", put_search_values);
    if (m->negated)
        sc_buf_putc(e->out, ')');
    return ok;
}

/* -------------------------------------------------------- eval leaves */
/* `test`, or `(guard AND test)` where an absent field must give false. */
static void put_guarded(sc_emit *e, const sc_buf *guard, const sc_buf *test, size_t terms)
{
    bool g = spl_of(e)->guard && guard->len;
    if (g)
        sc_buf_printf(e->out, "(%.*s AND ", (int)guard->len, guard->data);
    if (terms > 1)
        sc_buf_putc(e->out, '(');
    sc_buf_put(e->out, test->data ? test->data : "", test->len);
    if (terms > 1)
        sc_buf_putc(e->out, ')');
    if (g)
        sc_buf_putc(e->out, ')');
}

/* One alternative of an equality regex. */
static bool put_re_alternative(sc_emit *e, const sc_match *m, const sc_value *v, sc_buf *re)
{
    char num[64];
    switch (v->kind) {
    case SC_VAL_NUMBER:
        number_text(v, num, sizeof num);
        put_re_text(re, num, strlen(num));
        return true;
    case SC_VAL_BOOL: /* booleans match true/false in any case, even under |cased */
        sc_buf_puts(re, m->cased ? (v->bval ? "(?i:true)" : "(?i:false)")
                                 : (v->bval ? "true" : "false"));
        return true;
    case SC_VAL_STRING:
        if (sc_has_placeholder(e, v))
            return false;
        put_re_pattern(re, v);
        return true;
    default: return refuse(e, v->loc, "this value in a match() pattern");
    }
}

/* match(f, "(?is)^(?:a|b.*)\z") for strings, numbers and booleans (as
 * `search` compares them: as text); isnull(f) for null. */
static bool put_where_eq(sc_emit *e, const sc_match *m, const sc_value *const *vals, size_t n,
                         const sc_buf *f)
{
    sc_buf re = {0}, test = {0}, guard = {0};
    size_t nulls = 0, others = 0;
    sc_buf_puts(&re, m->cased ? "(?s)^" : "(?is)^");
    for (size_t i = 0; i < n; i++)
        nulls += vals[i]->kind == SC_VAL_NULL;
    if (n - nulls > 1)
        sc_buf_puts(&re, "(?:");
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        if (vals[i]->kind == SC_VAL_NULL)
            continue;
        sc_buf_puts(&re, others++ ? "|" : "");
        ok = put_re_alternative(e, m, vals[i], &re);
    }
    sc_buf_puts(&re, others > 1 ? ")\\z" : "\\z");
    if (nulls)
        sc_buf_printf(&test, "isnull(%.*s)%s", (int)f->len, f->data, others ? " OR " : "");
    if (others) {
        sc_buf_printf(&test, "match(%.*s, ", (int)f->len, f->data);
        put_spl_string(&test, re.data, re.len);
        sc_buf_putc(&test, ')');
    }
    if (!nulls)
        sc_buf_printf(&guard, "isnotnull(%.*s)", (int)f->len, f->data);
    if (ok)
        put_guarded(e, &guard, &test, (nulls > 0) + (others > 0));
    sc_buf_free(&re);
    sc_buf_free(&test);
    sc_buf_free(&guard);
    return ok;
}

/* One term of a cidr, re, comparison or field reference test. */
static bool put_where_term(sc_emit *e, const sc_match *m, const sc_value *v, const sc_buf *f,
                           sc_buf *test)
{
    char num[64];
    sc_buf re = {0};
    switch (m->op) {
    case SC_OP_CIDR:
        if (!text_safe(v->raw, v->raw_len))
            return refuse(e, v->loc, "a control character in a network");
        sc_buf_puts(test, "cidrmatch(");
        put_spl_string(test, v->raw, v->raw_len);
        sc_buf_printf(test, ", %.*s)", (int)f->len, f->data);
        return true;
    case SC_OP_RE:
        put_user_regex(m, v, &re);
        sc_buf_printf(test, "match(%.*s, ", (int)f->len, f->data);
        put_spl_string(test, re.data ? re.data : "", re.len);
        sc_buf_putc(test, ')');
        sc_buf_free(&re);
        return true;
    case SC_OP_FIELDREF: {
        sc_buf g = {0};
        bool ok = put_eval_field(e, v->loc, v->raw, &g);
        if (ok && spl_of(e)->guard)
            sc_buf_printf(test, "isnotnull(%.*s) AND ", (int)g.len, g.data);
        if (ok && m->cased)
            sc_buf_printf(test, "%.*s==%.*s", (int)f->len, f->data, (int)g.len, g.data);
        else if (ok)
            sc_buf_printf(test, "lower(%.*s)==lower(%.*s)", (int)f->len, f->data, (int)g.len,
                          g.data);
        sc_buf_free(&g);
        return ok;
    }
    default:
        number_text(v, num, sizeof num);
        sc_buf_printf(test, "tonumber(%.*s) %s %s", (int)f->len, f->data,
                      sc_op_compare_text(m->op), num);
        return true;
    }
}

static bool refuse_fieldref(sc_emit *e, const sc_match *m)
{
    if (m->op == SC_OP_FIELDREF &&
        m->mods & (SC_MODBIT(SC_MOD_CONTAINS) | SC_MODBIT(SC_MOD_STARTSWITH) |
                   SC_MODBIT(SC_MOD_ENDSWITH)))
        return refuse(e, m->field_loc, "a field reference other than equality (eval has no "
                                       "substring test that takes a field's value literally)");
    return true;
}

static bool put_where_values(sc_emit *e, const sc_match *m, const sc_value *const *vals,
                             size_t n)
{
    sc_buf f = {0}, test = {0}, guard = {0};
    bool ok = put_eval_field(e, m->field_loc, m->field, &f) && refuse_fieldref(e, m);
    if (ok && m->op == SC_OP_EQ) {
        ok = put_where_eq(e, m, vals, n, &f);
    } else if (ok) {
        for (size_t i = 0; ok && i < n; i++) {
            sc_buf_puts(&test, i ? " OR " : "");
            bool paren = m->op == SC_OP_FIELDREF && spl_of(e)->guard && n > 1;
            sc_buf_puts(&test, paren ? "(" : "");
            ok = put_where_term(e, m, vals[i], &f, &test);
            sc_buf_puts(&test, paren ? ")" : "");
        }
        if (m->op == SC_OP_LT || m->op == SC_OP_LTE || m->op == SC_OP_GT || m->op == SC_OP_GTE)
            sc_buf_printf(&guard, "isnotnull(tonumber(%.*s))", (int)f.len, f.data);
        else
            sc_buf_printf(&guard, "isnotnull(%.*s)", (int)f.len, f.data);
        if (ok)
            put_guarded(e, &guard, &test, n);
    }
    sc_buf_free(&f);
    sc_buf_free(&test);
    sc_buf_free(&guard);
    return ok;
}

static bool put_where_match(sc_emit *e, const sc_match *m)
{
    if (!refuse_common(e, m))
        return false;
    bool ok = true;
    if (m->negated)
        sc_buf_puts(e->out, "NOT (");
    if (m->op == SC_OP_EXISTS) {
        sc_buf_puts(e->out, m->values[0].bval ? "isnotnull(" : "isnull(");
        ok = put_eval_field(e, m->field_loc, m->field, e->out);
        sc_buf_putc(e->out, ')');
    } else {
        ok = put_value_sets(e, m, " AND ", put_where_values);
    }
    if (m->negated)
        sc_buf_putc(e->out, ')');
    return ok;
}

/* ---------------------------------------------------------------- trees */
/* The search command ranks OR above AND and reads a space as AND. */
static const sc_bool_syntax SEARCH_SYNTAX = {
    .and_op = " ", .or_op = " OR ", .not_open = "NOT (", .not_close = ")",
    .not_is_call = true, .paren_nested = true, .true_lit = "*", .false_lit = "NOT *",
    .put_match = put_search_match,
};

static const sc_bool_syntax EVAL_SYNTAX = {
    .and_op = " AND ", .or_op = " OR ", .not_open = "NOT (", .not_close = ")",
    .not_is_call = true, .true_lit = "true()", .false_lit = "false()",
    .put_match = put_where_match,
};

/* The and-operands of a rule: its condition's, then each filter's. */
typedef struct conjuncts {
    const sc_node **items;
    size_t n, cap;
    bool oom;
} conjuncts;

static void conjuncts_push(conjuncts *c, const sc_node *n)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        const sc_node **items = realloc(c->items, cap * sizeof *items);
        if (!items) {
            c->oom = true;
            return;
        }
        c->items = items;
        c->cap = cap;
    }
    c->items[c->n++] = n;
}

static void collect(conjuncts *c, const sc_node *n)
{
    n = unwrap(n);
    if (n->kind == SC_NODE_AND)
        for (size_t i = 0; i < n->u.list.n; i++)
            collect(c, n->u.list.items[i]);
    else if (n->kind != SC_NODE_TRUE)
        conjuncts_push(c, n);
}

static void collect_rule(conjuncts *c, const sigcc_rule *r)
{
    collect(c, r->condition);
    for (size_t i = 0; i < r->applied_filters.n; i++)
        collect(c, ((const sigcc_rule *)r->applied_filters.items[i])->condition);
}

static bool rule_conjuncts(sc_emit *e, const sigcc_rule *r, conjuncts *c)
{
    collect_rule(c, r);
    if (c->oom)
        e->out->oom = true;
    return !c->oom;
}

typedef enum part { PART_SEARCH, PART_REGEX, PART_WHERE } part;

static part part_of(const sc_node *n)
{
    return search_tree_ok(n) ? PART_SEARCH : regex_command_ok(n) ? PART_REGEX : PART_WHERE;
}

/* The and-operands `search` decides, space-separated; `*` when none. */
static bool put_search_part(spl_emit *s, const conjuncts *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (part_of(c->items[i]) != PART_SEARCH)
            continue;
        sc_buf_puts(s->e.out, k++ ? " " : "");
        if (!sc_put_tree(&s->e, &SEARCH_SYNTAX, c->items[i], SC_PREC_AND))
            return false;
    }
    if (!k)
        sc_buf_putc(s->e.out, '*');
    return true;
}

static bool put_regex_commands(spl_emit *s, const sc_node *n)
{
    const sc_match *m = &unwrap(n)->u.match;
    for (size_t i = 0; i < m->n_values; i++) {
        sc_buf re = {0};
        put_user_regex(m, &m->values[i], &re);
        sc_buf_printf(s->e.out, "\n| regex %s=", m->field);
        put_spl_string(s->e.out, re.data ? re.data : "", re.len);
        sc_buf_free(&re);
    }
    return true;
}

/* A where operand that is one positive test needs no guard: null drops
 * the event as false would. Under an or or a not, a null operand could
 * turn the result (eval's null logic is not documented), so every test
 * there is total. */
static bool needs_guard(const sc_node *n)
{
    n = unwrap(n);
    return n->kind != SC_NODE_MATCH || n->u.match.negated;
}

/* The where operands as one eval expression, or with `all_parts` every
 * operand (a whole rule, inside an if()). */
static bool put_eval_conjuncts(spl_emit *s, const conjuncts *c, bool all_parts)
{
    size_t k = 0, n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += all_parts || part_of(c->items[i]) == PART_WHERE;
    for (size_t i = 0; i < c->n; i++) {
        if (!all_parts && part_of(c->items[i]) != PART_WHERE)
            continue;
        sc_buf_puts(s->e.out, k++ ? " AND " : "");
        s->guard = all_parts || needs_guard(c->items[i]);
        if (!sc_put_tree(&s->e, &EVAL_SYNTAX, c->items[i], n > 1 ? SC_PREC_AND : 0))
            return false;
    }
    if (!k)
        sc_buf_puts(s->e.out, "true()");
    return true;
}

/* search part [time], then | regex ..., then | where ... */
static bool put_rule_query(spl_emit *s, const sigcc_rule *r, const char *time)
{
    conjuncts c = {0};
    bool ok = rule_conjuncts(&s->e, r, &c) && put_search_part(s, &c);
    if (ok && time)
        sc_buf_printf(s->e.out, " %s", time);
    size_t wheres = 0;
    for (size_t i = 0; ok && i < c.n; i++) {
        part p = part_of(c.items[i]);
        if (p == PART_REGEX)
            ok = put_regex_commands(s, c.items[i]);
        wheres += p == PART_WHERE;
    }
    if (ok && wheres) {
        sc_buf_puts(s->e.out, "\n| where ");
        ok = put_eval_conjuncts(s, &c, false);
    }
    free(c.items);
    return ok;
}

/* A whole rule as one eval expression (which rule an event matched). */
static bool put_rule_eval(spl_emit *s, const sigcc_rule *r)
{
    conjuncts c = {0};
    bool ok = rule_conjuncts(&s->e, r, &c) && put_eval_conjuncts(s, &c, true);
    free(c.items);
    return ok;
}

/* The search part alone, for the prefilter of several rules. */
static bool put_rule_search_part(spl_emit *s, const sigcc_rule *r)
{
    conjuncts c = {0};
    bool ok = rule_conjuncts(&s->e, r, &c) && put_search_part(s, &c);
    free(c.items);
    return ok;
}

/* -------------------------------------------------------- correlations */
/* Several rules, or temporal: each event is tagged with the rules it
 * matched (sigma_rule), one row per rule, as the evaluator counts one hit
 * per rule. */
static bool tagged(const sc_correlation *c)
{
    return c->n_rules > 1 || c->type == SC_CORR_TEMPORAL;
}

/* The rule's name or id as a tag; "ruleN" when it has characters a
 * string should not carry. */
static const char *rule_label(const sigcc_rule *r, size_t i, char *buf, size_t cap)
{
    const char *l = r->name ? r->name : r->id;
    bool ok = l && *l;
    for (const char *p = l; ok && *p; p++)
        ok = !raw_unsafe((unsigned char)*p) && *p != '"' && *p != '\\';
    if (ok)
        return l;
    snprintf(buf, cap, "rule%zu", i + 1);
    return buf;
}

static bool has_search_part(const sigcc_rule *r)
{
    conjuncts c = {0};
    collect_rule(&c, r);
    bool found = false;
    for (size_t i = 0; i < c.n && !found; i++)
        found = part_of(c.items[i]) == PART_SEARCH;
    free(c.items);
    return found && !c.oom;
}

/* (search A) OR (search B) [time] | eval sigma_rule=mvappend(if(A, "a",
 * null()), ...) | where isnotnull(sigma_rule) | mvexpand sigma_rule */
static bool put_tagged_sources(spl_emit *s, const sc_correlation *c, const char *time)
{
    sc_emit *e = &s->e;
    const sigcc_rule *outer = e->rule;
    bool prefilter = true, ok = true;
    for (size_t i = 0; i < c->n_rules && prefilter; i++)
        prefilter = has_search_part(c->rules[i].target);
    for (size_t i = 0; ok && prefilter && i < c->n_rules; i++) {
        sc_buf_puts(e->out, i ? " OR " : "");
        sc_buf_puts(e->out, c->n_rules > 1 ? "(" : "");
        e->rule = c->rules[i].target; /* errors inside point at the referenced rule */
        ok = put_rule_search_part(s, c->rules[i].target);
        sc_buf_puts(e->out, c->n_rules > 1 ? ")" : "");
    }
    if (!prefilter)
        sc_buf_putc(e->out, '*');
    sc_buf_printf(e->out, " %s\n| eval sigma_rule=mvappend(", time);
    for (size_t i = 0; ok && i < c->n_rules; i++) {
        char buf[32];
        sc_buf_puts(e->out, i ? ", if(" : "if(");
        e->rule = c->rules[i].target;
        ok = put_rule_eval(s, c->rules[i].target);
        const char *label = rule_label(c->rules[i].target, i, buf, sizeof buf);
        sc_buf_puts(e->out, ", ");
        put_spl_string(e->out, label, strlen(label));
        sc_buf_puts(e->out, ", null())");
    }
    e->rule = outer;
    sc_buf_puts(e->out, ")\n| where isnotnull(sigma_rule)");
    if (c->n_rules > 1)
        sc_buf_puts(e->out, "\n| mvexpand sigma_rule");
    return ok;
}

static bool put_sources(spl_emit *s, const sc_correlation *c, const char *time)
{
    for (size_t i = 0; i < c->n_rules; i++)
        if (!sc_corr_source(&s->e, c, i))
            return false;
    if (tagged(c))
        return put_tagged_sources(s, c, time);
    const sigcc_rule *outer = s->e.rule;
    s->e.rule = c->rules[0].target;
    bool ok = put_rule_query(s, c->rules[0].target, time);
    s->e.rule = outer;
    return ok;
}

static bool is_alias(const sc_correlation *c, const char *name)
{
    for (size_t a = 0; a < c->n_aliases; a++)
        if (!strcmp(c->aliases[a].name, name))
            return true;
    return false;
}

/* | eval g='field of this rule' (or case() over the tagged rules) for
 * each group-by name that is an alias; null where a rule has no entry,
 * so that its events are not grouped (as the evaluator does). */
static bool put_aliases(spl_emit *s, const sc_correlation *c)
{
    sc_emit *e = &s->e;
    sc_loc at = sc_rule_loc(e->rule);
    for (size_t g = 0; g < c->n_group_by; g++) {
        const char *name = c->group_by[g];
        if (!is_alias(c, name))
            continue;
        sc_buf target = {0};
        bool ok = put_eval_field(e, at, name, &target) && !strchr(target.data, '\'');
        sc_buf_free(&target);
        if (!ok)
            return refuse(e, at, "an alias name that is not an identifier (eval assigns "
                                 "plain names only)");
        sc_buf_printf(e->out, "\n| eval %s=%s", name, tagged(c) ? "case(" : "");
        size_t k = 0;
        for (size_t i = 0; i < c->n_rules; i++) {
            const char *field = sc_group_field(c, g, c->rules[i].target);
            char buf[32];
            const char *label = rule_label(c->rules[i].target, i, buf, sizeof buf);
            if (!tagged(c) && !field)
                sc_buf_puts(e->out, "null()");
            if (!field)
                continue;
            if (tagged(c)) {
                sc_buf_puts(e->out, k++ ? ", sigma_rule==" : "sigma_rule==");
                put_spl_string(e->out, label, strlen(label));
                sc_buf_puts(e->out, ", ");
            }
            if (!put_eval_field(e, at, field, e->out))
                return false;
        }
        if (tagged(c))
            sc_buf_puts(e->out, k ? ")" : "1==1, null())");
    }
    return true;
}

/* The aggregate of a correlation; its column name into *name. */
static bool put_aggregate(sc_emit *e, const sc_correlation *c, const char **name)
{
    sc_loc at = sc_rule_loc(e->rule);
    static const struct {
        sc_corr_type type;
        const char *fn, *col;
    } AGG[] = {{SC_CORR_VALUE_COUNT, "dc", "ValueCount"},
               {SC_CORR_VALUE_SUM, "sum", "ValueSum"},
               {SC_CORR_VALUE_AVG, "avg", "ValueAvg"}};
    if (c->type == SC_CORR_EVENT_COUNT || c->type == SC_CORR_TEMPORAL) {
        bool count = c->type == SC_CORR_EVENT_COUNT;
        *name = count ? "EventCount" : "RuleCount";
        sc_buf_printf(e->out, count ? "count as %s" : "dc(sigma_rule) as %s", *name);
        return true;
    }
    for (size_t i = 0; i < sizeof AGG / sizeof AGG[0]; i++) {
        if (AGG[i].type != c->type)
            continue;
        if (c->n_fields != 1) {
            sc_emit_error(e, at, "a %s over %zu fields in one aggregate",
                          sc_corr_type_name(c->type), c->n_fields);
            return false;
        }
        if (!search_field_ok(c->fields[0]))
            return refuse(e, at, "an aggregated field name that is not a plain name");
        *name = AGG[i].col;
        sc_buf_printf(e->out, "%s(%s) as %s", AGG[i].fn, c->fields[0], *name);
        return true;
    }
    sc_emit_error(e, at, "%s correlations (%s)", sc_corr_type_name(c->type),
                  c->type == SC_CORR_VALUE_PERCENTILE
                      ? "Splunk's perc() estimates, and exactperc() is not documented to "
                        "take the nearest rank"
                      : "stats sees which rules occurred in the window, not their order");
    return false;
}

/* | stats AGG, earliest(_time) as FirstSeen, latest(_time) as LastSeen by
 * g1, g2 | where AGG > N */
/* ------------------------------------------------------ hunting columns */
/* docs/hunting.md: `| eval N=case(...)` before stats, extra aggregates in
 * it, `| eval Severity=case(...)` and `| sort` after the threshold. */
static bool put_hunt_text(sc_emit *e, sc_loc loc, const char *s)
{
    if (!text_safe(s, strlen(s)))
        return refuse(e, loc, "a control character or backtick in a hunting label or value");
    put_spl_string(e->out, s, strlen(s));
    return true;
}

/* f equals one of the values: numbers as numbers, text without case. */
static bool put_hunt_membership(sc_emit *e, sc_loc loc, const char *field,
                                const sc_hunt_literal *v, size_t n, bool fold)
{
    bool ok = true;
    sc_buf_putc(e->out, '(');
    for (size_t i = 0; i < n && ok; i++) {
        sc_buf_puts(e->out, i ? " OR " : "");
        if (v[i].is_number) {
            sc_buf_puts(e->out, "tonumber(");
            ok = put_eval_field(e, loc, field, e->out);
            sc_buf_printf(e->out, ")==%.17g", v[i].num);
            continue;
        }
        sc_buf_puts(e->out, fold ? "lower(" : "");
        ok = put_eval_field(e, loc, field, e->out);
        sc_buf_puts(e->out, fold ? ")==lower(" : "==");
        ok = ok && put_hunt_text(e, loc, v[i].text);
        sc_buf_puts(e->out, fold ? ")" : "");
    }
    sc_buf_putc(e->out, ')');
    return ok;
}

static bool put_hunt_columns(sc_emit *e, const sc_hunting *h)
{
    bool ok = true;
    for (size_t i = 0; h && i < h->n_columns && ok; i++) {
        const sc_hunt_column *c = &h->columns[i];
        sc_buf_printf(e->out, "\n| eval %s=case(", c->name);
        for (size_t k = 0; k < c->n_cases && ok; k++) {
            ok = put_hunt_membership(e, c->loc, c->field, c->cases[k].values,
                                     c->cases[k].n_values, true);
            sc_buf_puts(e->out, ", ");
            ok = ok && put_hunt_text(e, c->loc, c->cases[k].label);
            sc_buf_puts(e->out, ", ");
        }
        sc_buf_puts(e->out, "true(), ");
        ok = ok && put_hunt_text(e, c->loc, c->otherwise);
        sc_buf_putc(e->out, ')');
    }
    return ok;
}

static bool put_hunt_aggregates(sc_emit *e, const sc_hunting *h)
{
    static const char *const fns[] = {"dc", "sum", "avg", "min", "max", "values"};
    bool ok = true;
    for (size_t i = 0; h && i < h->n_aggregates && ok; i++) {
        const sc_hunt_aggregate *g = &h->aggregates[i];
        if (!search_field_ok(g->field))
            return refuse(e, g->loc, "a hunting aggregate over a field name that is not a "
                                     "plain name");
        sc_buf_printf(e->out, ", %s(%s) as %s", fns[g->fn], g->field, g->name);
    }
    return ok;
}

static bool is_values_aggregate(const sc_hunting *h, const char *name)
{
    for (size_t i = 0; i < h->n_aggregates; i++)
        if (!strcmp(h->aggregates[i].name, name))
            return h->aggregates[i].fn == SC_HUNT_VALUES;
    return false;
}

/* A test on a multivalue aggregate holds when one of its values equals
 * one of the test's (mvfind with an anchored, escaped pattern). */
static bool put_hunt_test(sc_emit *e, const sc_hunting *h, const sc_hunt_test *t)
{
    if (t->cmp != SC_CMP_EQ) {
        sc_buf_puts(e->out, "tonumber(");
        bool ok = put_eval_field(e, t->loc, t->name, e->out);
        sc_buf_printf(e->out, ")%s%.17g", sc_cmp_text(t->cmp, "==", "!="), t->values[0].num);
        return ok;
    }
    if (!is_values_aggregate(h, t->name))
        return put_hunt_membership(e, t->loc, t->name, t->values, t->n_values, false);
    sc_buf re = {0};
    sc_buf_puts(&re, "^(?:");
    for (size_t i = 0; i < t->n_values; i++) {
        sc_buf_puts(&re, i ? "|" : "");
        put_re_text(&re, t->values[i].text, strlen(t->values[i].text));
    }
    sc_buf_puts(&re, ")$");
    sc_buf_puts(e->out, "isnotnull(mvfind(");
    bool ok = put_eval_field(e, t->loc, t->name, e->out);
    sc_buf_puts(e->out, ", ");
    put_spl_string(e->out, re.data, re.len);
    sc_buf_puts(e->out, "))");
    sc_buf_free(&re);
    return ok;
}

static bool put_hunt_result(sc_emit *e, const sc_hunting *h)
{
    bool ok = true;
    if (h && h->n_severity) {
        const sc_hunt_severity *last = &h->severity[h->n_severity - 1];
        sc_buf_puts(e->out, "\n| eval Severity=case(");
        for (size_t i = 0; i < h->n_severity && ok; i++) {
            const sc_hunt_severity *sv = &h->severity[i];
            for (size_t k = 0; k < sv->n_tests && ok; k++) {
                sc_buf_puts(e->out, k ? " AND " : "");
                ok = put_hunt_test(e, h, &sv->tests[k]);
            }
            if (sv->n_tests)
                sc_buf_printf(e->out, ", \"%s\", ", sv->level);
        }
        sc_buf_printf(e->out, "true(), \"%s\")",
                      last->n_tests ? sc_level_or(e->rule->level, "informational") : last->level);
    }
    if (ok && h && h->sort_by) {
        if (!search_field_ok(h->sort_by))
            return refuse(e, sc_rule_loc(e->rule), "a hunting sort column that is not a plain "
                                                   "name");
        sc_buf_printf(e->out, "\n| sort 0 %s%s", h->sort_descending ? "-" : "+", h->sort_by);
    }
    return ok;
}

static bool put_stats(sc_emit *e, const sc_correlation *c)
{
    const char *agg = NULL;
    const sc_hunting *h = e->rule->hunting;
    if (!put_hunt_columns(e, h))
        return false;
    sc_buf_puts(e->out, "\n| stats ");
    if (!put_aggregate(e, c, &agg))
        return false;
    sc_buf_puts(e->out, ", earliest(_time) as FirstSeen, latest(_time) as LastSeen");
    if (!put_hunt_aggregates(e, h))
        return false;
    for (size_t g = 0; g < c->n_group_by; g++) {
        if (!search_field_ok(c->group_by[g]))
            return refuse(e, sc_rule_loc(e->rule), "a group-by field name that is not a "
                                                   "plain name");
        sc_buf_printf(e->out, "%s%s", g ? ", " : " by ", c->group_by[g]);
    }
    sc_buf_printf(e->out, "\n| where ");
    if (c->n_conds == 0 && c->type == SC_CORR_TEMPORAL)
        sc_buf_printf(e->out, "%s >= %zu", agg, c->n_rules);
    else if (c->n_conds == 0)
        return refuse(e, sc_rule_loc(e->rule), "a correlation without a condition");
    for (size_t k = 0; k < c->n_conds; k++)
        sc_buf_printf(e->out, "%s%s %s %.17g", k ? " AND " : "", agg,
                      sc_cmp_text(c->conds[k].cmp, "==", "!="), c->conds[k].value);
    return put_hunt_result(e, h);
}

/* The events of the last timespan (earliest=-T), grouped, then the
 * condition on the aggregate. A search over a fixed look-back decides the
 * window that ends when it runs; docs/backends/spl.md says what that
 * means for a schedule. */
static bool put_correlation(spl_emit *s)
{
    const sc_correlation *c = s->e.rule->corr;
    sc_buf span = {0};
    sc_put_span(&span, c->timespan_s, true);
    sc_buf earliest = {0};
    sc_buf_printf(&earliest, "earliest=-%.*s", (int)span.len, span.data ? span.data : "0s");
    bool ok = !earliest.oom && put_sources(s, c, earliest.data) && put_aliases(s, c) &&
              put_stats(&s->e, c);
    sc_buf_free(&span);
    sc_buf_free(&earliest);
    return ok;
}

/* ----------------------------------------------- savedsearches.conf */
/* A .conf value on one line: whitespace runs (newlines too) become one
 * space, control characters are dropped, and no backslash ends it (that
 * would continue the value on the next line). `drop` removes characters
 * the key cannot hold (the brackets of a stanza name). */
static void put_conf_text(sc_buf *b, const char *s, const char *drop)
{
    size_t start = b->len;
    bool space = false;
    for (const char *p = s ? s : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = b->len > start;
            continue;
        }
        if (c < 0x20 || c == 0x7f || (drop && strchr(drop, c)))
            continue;
        if (space)
            sc_buf_putc(b, ' ');
        space = false;
        sc_buf_putc(b, (char)c);
    }
    while (b->len > start && (b->data[b->len - 1] == '\\' || b->data[b->len - 1] == ' '))
        b->len--;
}

/* The query, its lines continued with a backslash. */
static bool put_conf_query(sc_emit *e, const sc_buf *q)
{
    for (size_t i = 0; i < q->len; i++) {
        if (q->data[i] != '\n') {
            sc_buf_putc(e->out, q->data[i]);
            continue;
        }
        if (i && q->data[i - 1] == '\\')
            return refuse(e, sc_rule_loc(e->rule), "a query line ending in a backslash in "
                                                   "savedsearches.conf");
        sc_buf_puts(e->out, " \\\n");
    }
    return true;
}

/* alert.severity: 1 debug, 2 info, 3 warn, 4 error, 5 severe, 6 fatal. */
static int alert_severity(const char *level)
{
    static const char *const names[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; level && i < 5; i++)
        if (!strcmp(level, names[i]))
            return i + 2;
    return 3;
}

/* T1234 or T1234.567 */
static bool technique_ok(const char *id)
{
    size_t n = strlen(id);
    if ((n != 5 && n != 9) || id[0] != 'T' || (n == 9 && id[5] != '.'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (i != 5 && !is_digit((unsigned char)id[i]))
            return false;
    return true;
}

/* Enterprise Security's annotations: {"mitre_attack": ["T1071.003"]}. */
static void put_annotations(sc_buf *b, const sc_strlist *tags)
{
    size_t k = 0;
    for (size_t i = 0; i < tags->n; i++) {
        char id[32];
        if (!sc_technique_id(tags->items[i], id, sizeof id) || !technique_ok(id))
            continue;
        sc_buf_printf(b, "%s\"%s\"", k++ ? ", " : "action.correlationsearch.annotations = "
                                                  "{\"mitre_attack\": [", id);
    }
    if (k)
        sc_buf_puts(b, "]}\n");
}

/* One stanza: the search, scheduled every 10 minutes over the last 10
 * minutes (a correlation over its own timespan), alerting on any result,
 * imported disabled like the Kibana export; the Enterprise Security keys
 * carry the title and the ATT&CK techniques. */
static bool put_saved_search(sc_emit *e, const sc_buf *query, uint64_t window_s)
{
    const sigcc_rule *r = e->rule;
    sc_buf *b = e->out, span = {0};
    sc_put_span(&span, window_s, true);
    sc_buf_putc(b, '[');
    size_t name_at = b->len;
    put_conf_text(b, r->title, "[]");
    if (b->len == name_at) /* a title of brackets and blanks only */
        put_conf_text(b, r->id ? r->id : "Sigma rule", "[]");
    sc_buf_puts(b, "]\n");
    if (r->id && text_safe(r->id, strlen(r->id)))
        sc_buf_printf(b, "# Sigma rule %s\n", r->id);
    sc_buf_puts(b, "description = ");
    put_conf_text(b, r->description ? r->description : r->title, NULL);
    sc_buf_puts(b, "\nsearch = ");
    bool ok = put_conf_query(e, query);
    sc_buf_printf(b, "\ndisabled = 1\nenableSched = 1\ncron_schedule = %s\n"
                     "dispatch.earliest_time = -%.*s\ndispatch.latest_time = now\n"
                     "counttype = number of events\nrelation = greater than\nquantity = 0\n"
                     "alert.track = 1\nalert.severity = %d\n"
                     "action.correlationsearch.enabled = 1\n"
                     "action.correlationsearch.label = ",
                  window_s >= 600 ? "*/10 * * * *" : "* * * * *", (int)span.len,
                  span.data ? span.data : "", alert_severity(r->level));
    put_conf_text(b, r->title, NULL);
    sc_buf_putc(b, '\n');
    put_annotations(b, &r->tags);
    sc_buf_free(&span);
    return ok;
}

/* ------------------------------------------------------------- entries */
static const char *const SPL_FORMATS[] = {"default", "savedsearches", NULL};

typedef bool (*query_fn)(spl_emit *s);

static bool detection_query(spl_emit *s)
{
    const sc_hunting *h = s->e.rule->hunting;
    return put_rule_query(s, s->e.rule, NULL) && put_hunt_columns(&s->e, h) &&
           put_hunt_result(&s->e, h);
}

/* Builds the query, then writes it alone or as a saved search. */
static bool convert(sc_emit *e, const char *format, query_fn build, uint64_t window_s)
{
    sc_buf query = {0};
    spl_emit s = {.e = *e};
    s.e.out = &query;
    bool ok = build(&s) && !s.e.failed;
    e->failed |= s.e.failed;
    if (query.oom)
        e->out->oom = true;
    if (ok && !strcmp(format, "savedsearches"))
        ok = put_saved_search(e, &query, window_s);
    else if (ok)
        sc_emit_line(e, &query);
    sc_buf_free(&query);
    return ok && !e->failed;
}

static bool spl_detection(sc_emit *e, const char *format)
{
    return convert(e, format, detection_query, 600);
}

static bool spl_correlation(sc_emit *e, const char *format)
{
    return convert(e, format, put_correlation, e->rule->corr->timespan_s);
}

const sc_backend sc_backend_spl = {
    .name = "spl",
    .language = "SPL",
    .default_pipeline = "splunk_windows",
    .formats = SPL_FORMATS,
    .detection = spl_detection,
    .correlation = spl_correlation,
};
