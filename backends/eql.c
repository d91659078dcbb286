/*
 * eql.c - Elastic Event Query Language.
 *
 * Case-insensitive equality sets are `in~`, wildcard patterns `like~`, the
 * case-sensitive forms `in` / `like`, networks `cidrmatch`, regular
 * expressions `regex` / `regex~` (Lucene syntax, anchored: translated, or
 * refused when the pattern uses what Lucene lacks). Keyword searches,
 * time-part modifiers and case-insensitive field references have no EQL
 * form and are refused. Mapping table: docs/backends/eql.md.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- literals */
static void put_string(sc_buf *b, const char *s, size_t n)
{
    sc_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': sc_buf_puts(b, "\\\""); break;
        case '\\': sc_buf_puts(b, "\\\\"); break;
        case '\n': sc_buf_puts(b, "\\n"); break;
        case '\r': sc_buf_puts(b, "\\r"); break;
        case '\t': sc_buf_puts(b, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                sc_buf_printf(b, "\\u{%x}", c);
            else
                sc_buf_putc(b, (char)c);
        }
    }
    sc_buf_putc(b, '"');
}

static bool plain_field_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@' ||
           (!first && ((c >= '0' && c <= '9') || c == '.'));
}

/* Plain: dotted parts, each starting with a letter, _ or @. */
static bool plain_field(const char *f)
{
    bool part_start = true;
    for (const char *p = f; *p; p++) {
        if (*p == '.') {
            if (part_start)
                return false; /* empty part */
            part_start = true;
            continue;
        }
        if (!plain_field_char(*p, part_start))
            return false;
        part_start = false;
    }
    return !part_start;
}

/* A field name, quoted with backticks unless it is a plain dotted name. */
static void put_field(sc_buf *b, const char *f)
{
    bool plain = plain_field(f);
    if (plain) {
        sc_buf_puts(b, f);
        return;
    }
    sc_buf_putc(b, '`');
    for (const char *p = f; *p; p++) {
        if (*p == '`')
            sc_buf_putc(b, '`');
        sc_buf_putc(b, *p);
    }
    sc_buf_putc(b, '`');
}

static bool refuse_placeholder(sc_emit *e, const sc_value *v, const sc_part *p)
{
    sc_emit_error(e, v->loc, "the placeholder %%%.*s%% (fill it with a pipeline)", (int)p->len,
                  p->text);
    return false;
}

/* A string value as EQL text: literal parts as they are, `*` and `?` as
 * wildcards. A pattern whose literal parts hold * or ? never comes here:
 * like cannot write it, so put_equality makes it a regex. */
static bool put_pattern(sc_emit *e, const sc_value *v)
{
    sc_buf text = {0};
    bool ok = true;
    for (size_t i = 0; i < v->n_parts && ok; i++) {
        const sc_part *p = &v->parts[i];
        switch (p->kind) {
        case SC_PART_LIT: sc_buf_put(&text, p->text, p->len); break;
        case SC_PART_STAR: sc_buf_putc(&text, '*'); break;
        case SC_PART_ONE: sc_buf_putc(&text, '?'); break;
        case SC_PART_PLACEHOLDER: ok = refuse_placeholder(e, v, p); break;
        }
    }
    if (ok)
        put_string(e->out, text.data ? text.data : "", text.len);
    sc_buf_free(&text);
    return ok;
}

/* ------------------------------------------------------------- regexes */
/* PCRE as Sigma writes it -> Lucene regex, which matches the whole value
 * and has no escapes for shorthand classes, anchors or control characters.
 * Translated exactly, or refused:
 *   unanchored          -> .*( ... ).*
 *   \t \n \r \f \e \a \xHH -> the character itself
 *   . (without |s)      -> [^<newline>]   (Lucene's . also matches a newline)
 *   (?:                 -> (
 *   \d \s \w (ASCII, as the evaluator's PCRE2 without UCP) -> [0-9],
 *                          [ \t\n\v\f\r], [0-9A-Za-z_]; \D \S \W their negations
 *                          (inside a class only the positive ones)
 *   \b, (?=, back-references, inner anchors, |m -> refused                  */
typedef struct regex_tx {
    sc_emit *e;
    const sc_value *v;
    sc_buf *out;
    bool dotall;
    bool nocase; /* |i: regex~, whose case folding skips character classes */
} regex_tx;

static bool refuse_regex(regex_tx *t, const char *what)
{
    sc_emit_error(t->e, t->v->loc, "the regex construct %s (Lucene regex has no equivalent)",
                  what);
    return false;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A literal character in Lucene syntax (escaped if Lucene reserves it). */
static void put_regex_char(sc_buf *out, char c, bool in_class)
{
    if (!in_class && strchr(".?+*|{}[]()\"\\<>@#&~^$", c))
        sc_buf_putc(out, '\\');
    else if (in_class && strchr("]\\^-", c))
        sc_buf_putc(out, '\\');
    sc_buf_putc(out, c);
}

/* PCRE's shorthand classes, ASCII: the members as class text. */
static const char *shorthand_members(char x)
{
    switch (x) {
    case 'd': case 'D': return "0-9";
    case 's': case 'S': return " \t\n\v\f\r";
    case 'w': case 'W': return "0-9A-Za-z_";
    default: return NULL;
    }
}

/* \d \s \w and their negations: a class of their own, or their members
 * inside an enclosing class (where a negation has no Lucene form). */
static bool translate_shorthand(regex_tx *t, char x, const char *members, bool in_class)
{
    bool negated = x >= 'A' && x <= 'Z';
    if (in_class && negated) {
        char what[32];
        snprintf(what, sizeof what, "'\\%c' inside a class", x);
        return refuse_regex(t, what);
    }
    if (!in_class)
        sc_buf_puts(t->out, negated ? "[^" : "[");
    sc_buf_puts(t->out, members);
    if (!in_class)
        sc_buf_putc(t->out, ']');
    return true;
}

/* An escape sequence at r[*i] (the backslash); advances *i past it. */
static bool translate_escape(regex_tx *t, const char *r, size_t end, size_t *i, bool in_class)
{
    if (*i + 1 >= end)
        return refuse_regex(t, "'\\' at the end");
    char x = r[*i + 1];
    *i += 2;
    const char *members = shorthand_members(x);
    if (members)
        return translate_shorthand(t, x, members, in_class);
    static const char controls[][2] = {{'t', '\t'}, {'n', '\n'}, {'r', '\r'},
                                       {'f', '\f'}, {'e', 0x1b}, {'a', 0x07}};
    for (size_t k = 0; k < sizeof controls / sizeof controls[0]; k++)
        if (x == controls[k][0]) {
            put_regex_char(t->out, controls[k][1], in_class);
            return true;
        }
    if (x == 'x' && *i + 1 < end && hex_digit(r[*i]) >= 0 && hex_digit(r[*i + 1]) >= 0) {
        char c = (char)(hex_digit(r[*i]) * 16 + hex_digit(r[*i + 1]));
        *i += 2;
        if (c == 0)
            return refuse_regex(t, "'\\x00'");
        put_regex_char(t->out, c, in_class);
        return true;
    }
    if ((x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || (x >= '0' && x <= '9')) {
        char what[8] = {'\'', '\\', x, '\'', 0};
        return refuse_regex(t, what);
    }
    put_regex_char(t->out, x, in_class); /* an escaped punctuation character */
    return true;
}

static bool is_ascii_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char other_case(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : (char)(c - 'A' + 'a');
}

/* One member of a translated class body at b[*k]: an escaped or plain
 * character. */
static char class_member(const char *b, size_t *k)
{
    if (b[*k] == '\\') {
        *k += 2;
        return b[*k - 1];
    }
    return b[(*k)++];
}

/* Lucene's case-insensitive flag does not reach character classes, so
 * under |i every letter and letter range of the class body (from `body`)
 * gets its other case added; a range that mixes letters with other
 * characters has no such counterpart and is refused. */
static bool add_other_case(regex_tx *t, size_t body)
{
    sc_buf extra = {0};
    const char *b = t->out->data;
    size_t n = t->out->len, k = body;
    while (k < n) {
        char lo = class_member(b, &k);
        if (k + 1 < n && b[k] == '-') {
            k++;
            char hi = class_member(b, &k);
            bool lower = lo >= 'a' && hi <= 'z', upper = lo >= 'A' && hi <= 'Z';
            if (is_ascii_letter(lo) && is_ascii_letter(hi) && (lower || upper)) {
                sc_buf_putc(&extra, other_case(lo));
                sc_buf_putc(&extra, '-');
                sc_buf_putc(&extra, other_case(hi));
            } else if (!(hi < 'A' || lo > 'z' || (lo > 'Z' && hi < 'a'))) {
                sc_buf_free(&extra);
                return refuse_regex(t, "a class range mixing letters and other characters "
                                       "under |i");
            }
        } else if (is_ascii_letter(lo)) {
            sc_buf_putc(&extra, other_case(lo));
        }
    }
    if (extra.len)
        sc_buf_put(t->out, extra.data, extra.len);
    sc_buf_free(&extra);
    return true;
}

/* A character class [...] from r[*i]; advances *i past it. */
static bool translate_class(regex_tx *t, const char *r, size_t end, size_t *i)
{
    sc_buf_putc(t->out, '[');
    (*i)++;
    if (*i < end && r[*i] == '^') {
        sc_buf_putc(t->out, '^');
        (*i)++;
    }
    size_t body = t->out->len;
    bool first = true;
    while (*i < end && (r[*i] != ']' || first)) {
        first = false;
        if (r[*i] == '[' && *i + 1 < end && r[*i + 1] == ':')
            return refuse_regex(t, "'[:class:]'");
        if (r[*i] == '\\') {
            if (!translate_escape(t, r, end, i, true))
                return false;
            continue;
        }
        if (r[*i] == '-' && !(*i + 1 < end && r[*i + 1] == ']') && t->out->len &&
            t->out->data[t->out->len - 1] != '[') {
            sc_buf_putc(t->out, '-'); /* a range */
            (*i)++;
            continue;
        }
        put_regex_char(t->out, r[*i], true);
        (*i)++;
    }
    if (*i >= end)
        return refuse_regex(t, "'[' without ']'");
    if (t->nocase && !add_other_case(t, body))
        return false;
    sc_buf_putc(t->out, ']');
    (*i)++;
    return true;
}

/* Is there a '|' outside groups and classes? */
static bool top_level_alternation(const char *r, size_t n)
{
    int depth = 0;
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        char c = r[i];
        if (c == '\\') {
            i++;
        } else if (in_class) {
            in_class = c != ']';
        } else if (c == '[') {
            in_class = true;
            if (i + 1 < n && r[i + 1] == ']')
                i++;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            depth--;
        } else if (c == '|' && depth == 0) {
            return true;
        }
    }
    return false;
}

static bool translate_body(regex_tx *t, const char *r, size_t start, size_t end)
{
    for (size_t i = start; i < end;) {
        char c = r[i];
        if (c == '\\') {
            if (!translate_escape(t, r, end, &i, false))
                return false;
        } else if (c == '[') {
            if (!translate_class(t, r, end, &i))
                return false;
        } else if (c == '(' && i + 1 < end && r[i + 1] == '?') {
            if (!(i + 2 < end && r[i + 2] == ':'))
                return refuse_regex(t, "'(?' (flags, lookaround, named groups)");
            sc_buf_putc(t->out, '(');
            i += 3;
        } else if (c == '^' || c == '$') {
            return refuse_regex(t, c == '^' ? "'^' inside the pattern" : "'$' inside the pattern");
        } else if (c == '.') {
            if (t->dotall)
                sc_buf_putc(t->out, '.');
            else
                sc_buf_puts(t->out, "[^\n]");
            i++;
        } else if (strchr("\"<>@#&~", c)) {
            put_regex_char(t->out, c, false); /* literal in PCRE, reserved in Lucene */
            i++;
        } else {
            sc_buf_putc(t->out, c);
            i++;
        }
    }
    return true;
}

static bool translate_regex(sc_emit *e, const sc_match *m, const sc_value *v, sc_buf *out)
{
    regex_tx t = {e, v, out, (m->mods & SC_MODBIT(SC_MOD_RE_S)) != 0,
                  (m->mods & SC_MODBIT(SC_MOD_RE_I)) != 0};
    const char *r = v->raw;
    size_t n = v->raw_len, start = 0, end = n;
    bool start_anchor = n && r[0] == '^';
    bool end_anchor = n > 1 && r[n - 1] == '$';
    if (end_anchor) { /* an escaped '$' is a literal, not an anchor */
        size_t backslashes = 0;
        for (size_t k = n - 1; k > 0 && r[k - 1] == '\\'; k--)
            backslashes++;
        end_anchor = backslashes % 2 == 0;
    }
    bool alternation = top_level_alternation(r, n);
    if ((m->mods & SC_MODBIT(SC_MOD_RE_M)) && (memchr(r, '^', n) || memchr(r, '$', n)))
        return refuse_regex(&t, "'^'/'$' with |m (anchors at every line)");
    if (alternation && (start_anchor || end_anchor))
        return refuse_regex(&t, "anchors with a top-level '|'");
    if (start_anchor)
        start = 1;
    if (end_anchor)
        end = n - 1;
    if (!start_anchor)
        sc_buf_puts(out, ".*");
    if (alternation)
        sc_buf_putc(out, '(');
    if (!translate_body(&t, r, start, end))
        return false;
    if (alternation)
        sc_buf_putc(out, ')');
    if (!end_anchor)
        sc_buf_puts(out, ".*");
    return true;
}

/* --------------------------------------------------------------- leaves */
typedef struct value_group {
    const sc_value **items;
    size_t n;
} value_group;

static bool is_wildcard(const sc_value *v)
{
    return v->kind == SC_VAL_STRING && sc_pattern_has_wildcards(v->parts, v->n_parts);
}

/* A pattern with a literal '*' or '?' beside its wildcards: like cannot
 * write it, a Lucene regex can (whole value, so no anchors needed). */
static bool needs_regex(const sc_value *v)
{
    for (size_t i = 0; i < v->n_parts; i++) {
        const sc_part *p = &v->parts[i];
        if (p->kind == SC_PART_LIT && (memchr(p->text, '*', p->len) || memchr(p->text, '?', p->len)))
            return true;
    }
    return false;
}

static bool pattern_to_regex(sc_emit *e, const sc_value *v, sc_buf *re)
{
    for (size_t i = 0; i < v->n_parts; i++) {
        const sc_part *p = &v->parts[i];
        switch (p->kind) {
        case SC_PART_LIT:
            if (memchr(p->text, '\0', p->len)) {
                sc_emit_error(e, v->loc, "a NUL character in a pattern");
                return false;
            }
            for (size_t k = 0; k < p->len; k++)
                put_regex_char(re, p->text[k], false);
            break;
        case SC_PART_STAR: sc_buf_puts(re, ".*"); break;
        case SC_PART_ONE: sc_buf_putc(re, '.'); break;
        case SC_PART_PLACEHOLDER: return refuse_placeholder(e, v, p);
        }
    }
    return true;
}

/* Each pattern as `field regex~ "..."`, ORed. */
static bool put_pattern_regexes(sc_emit *e, const sc_match *m, const value_group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        sc_buf re = {0};
        bool ok = pattern_to_regex(e, g->items[i], &re);
        if (ok) {
            if (i)
                sc_buf_puts(e->out, " or ");
            put_field(e->out, m->field);
            sc_buf_puts(e->out, m->cased ? " regex " : " regex~ ");
            put_string(e->out, re.data ? re.data : "", re.len);
        }
        sc_buf_free(&re);
        if (!ok)
            return false;
    }
    return true;
}


static void put_or(sc_buf *b, bool *first)
{
    if (!*first)
        sc_buf_puts(b, " or ");
    *first = false;
}

static bool has_glob_chars(const sc_value *v)
{
    for (size_t i = 0; v->kind == SC_VAL_STRING && i < v->n_parts; i++)
        if (v->parts[i].kind == SC_PART_LIT &&
            (memchr(v->parts[i].text, '*', v->parts[i].len) ||
             memchr(v->parts[i].text, '?', v->parts[i].len)))
            return true;
    return false;
}

/* field OP (v1, v2...) or field OP1 v for a single value. */
static bool put_set(sc_emit *e, const char *field, const char *one, const char *many,
                    const value_group *g)
{
    sc_buf *b = e->out;
    /* ':' reads * and ? as wildcards: a value holding them literally needs in~. */
    if (g->n == 1 && !strcmp(one, ":") && has_glob_chars(g->items[0]))
        one = "in~";
    put_field(b, field);
    sc_buf_printf(b, " %s ", g->n == 1 ? one : many);
    bool paren = g->n > 1 || !strcmp(one, "in~") || !strcmp(one, "in");
    if (paren)
        sc_buf_putc(b, '(');
    for (size_t i = 0; i < g->n; i++) {
        if (i)
            sc_buf_puts(b, ", ");
        const sc_value *v = g->items[i];
        if (v->kind == SC_VAL_NUMBER)
            sc_put_number(b, v);
        else if (v->kind == SC_VAL_BOOL)
            sc_buf_puts(b, v->bval ? "true" : "false");
        else if (!put_pattern(e, v))
            return false;
    }
    if (paren)
        sc_buf_putc(b, ')');
    return true;
}

/* Equality of one field against values of several kinds: one comparison
 * per kind, ORed. */
static bool put_equality(sc_emit *e, const sc_match *m, const sc_value *const *vals, size_t n)
{
    const sc_value **buf = malloc(5 * n * sizeof *buf);
    if (!buf) {
        e->out->oom = true;
        return false;
    }
    value_group nulls = {buf, 0}, numbers = {buf + n, 0}, plain = {buf + 2 * n, 0},
                patterns = {buf + 3 * n, 0}, regexes = {buf + 4 * n, 0};
    for (size_t i = 0; i < n; i++) {
        const sc_value *v = vals[i];
        value_group *g = v->kind == SC_VAL_NULL                               ? &nulls
                         : v->kind == SC_VAL_NUMBER || v->kind == SC_VAL_BOOL ? &numbers
                         : !is_wildcard(v)                                    ? &plain
                         : needs_regex(v)                                     ? &regexes
                                                                              : &patterns;
        g->items[g->n++] = v;
    }
    size_t groups = (nulls.n > 0) + (numbers.n > 0) + (plain.n > 0) + (patterns.n > 0) +
                    regexes.n;
    sc_buf *b = e->out;
    bool first = true, ok = true;
    if (groups > 1)
        sc_buf_putc(b, '(');
    if (nulls.n) {
        put_or(b, &first);
        put_field(b, m->field);
        sc_buf_puts(b, " == null");
    }
    if (numbers.n) {
        put_or(b, &first);
        ok = ok && put_set(e, m->field, "==", "in", &numbers);
    }
    if (plain.n) {
        put_or(b, &first);
        ok = ok && put_set(e, m->field, m->cased ? "==" : ":", m->cased ? "in" : "in~", &plain);
    }
    if (patterns.n) {
        put_or(b, &first);
        ok = ok && put_set(e, m->field, m->cased ? "like" : "like~", m->cased ? "like" : "like~",
                           &patterns);
    }
    if (regexes.n) {
        put_or(b, &first);
        ok = ok && put_pattern_regexes(e, m, &regexes);
    }
    if (groups > 1)
        sc_buf_putc(b, ')');
    free(buf);
    return ok;
}

/* One value (or, for set-capable operations, all of them) of a match. */
static bool put_values(sc_emit *e, const sc_match *m, const sc_value *const *vals, size_t n)
{
    sc_buf *b = e->out;
    switch (m->op) {
    case SC_OP_EQ: return put_equality(e, m, vals, n);
    case SC_OP_LT:
    case SC_OP_LTE:
    case SC_OP_GT:
    case SC_OP_GTE:
        for (size_t i = 0; i < n; i++) {
            if (i)
                sc_buf_puts(b, " or ");
            put_field(b, m->field);
            sc_buf_printf(b, " %s ", sc_op_compare_text(m->op));
            sc_put_number(b, vals[i]);
        }
        return true;
    case SC_OP_CIDR:
        sc_buf_puts(b, "cidrmatch(");
        put_field(b, m->field);
        for (size_t i = 0; i < n; i++) {
            sc_buf_puts(b, ", ");
            put_string(b, vals[i]->raw, vals[i]->raw_len);
        }
        sc_buf_putc(b, ')');
        return true;
    case SC_OP_RE: {
        for (size_t i = 0; i < n; i++) {
            sc_buf re = {0};
            bool ok = translate_regex(e, m, vals[i], &re);
            if (ok) {
                if (i)
                    sc_buf_puts(b, " or ");
                put_field(b, m->field);
                sc_buf_puts(b, m->mods & SC_MODBIT(SC_MOD_RE_I) ? " regex~ " : " regex ");
                put_string(b, re.data ? re.data : "", re.len);
            }
            sc_buf_free(&re);
            if (!ok)
                return false;
        }
        return true;
    }
    case SC_OP_FIELDREF:
        if (!m->cased || n != 1 || m->mods & (SC_MODBIT(SC_MOD_CONTAINS) |
                                              SC_MODBIT(SC_MOD_STARTSWITH) |
                                              SC_MODBIT(SC_MOD_ENDSWITH))) {
            sc_emit_error(e, m->field_loc, "a field reference other than case-sensitive "
                                           "equality (use |fieldref|cased)");
            return false;
        }
        put_field(b, m->field);
        sc_buf_puts(b, " == ");
        put_field(b, vals[0]->raw);
        return true;
    default: return false;
    }
}

static bool put_match(sc_emit *e, const sc_match *m)
{
    sc_buf *b = e->out;
    if (!m->field) {
        sc_emit_error(e, m->field_loc, "keyword (full-text) searches");
        return false;
    }
    if (m->timepart != SC_TIME_NONE) {
        sc_emit_error(e, m->field_loc, "time-part modifiers (minute, hour, day, ...)");
        return false;
    }
    if (m->negated)
        sc_buf_puts(b, "not (");
    bool ok = true;
    if (m->op == SC_OP_EXISTS) {
        put_field(b, m->field);
        sc_buf_puts(b, m->values[0].bval ? " != null" : " == null");
    } else if (m->all && m->n_values > 1) {
        sc_buf_putc(b, '(');
        for (size_t i = 0; i < m->n_values && ok; i++) {
            if (i)
                sc_buf_puts(b, " and ");
            const sc_value *v = &m->values[i];
            ok = put_values(e, m, &v, 1);
        }
        sc_buf_putc(b, ')');
    } else {
        const sc_value **vals = malloc((m->n_values ? m->n_values : 1) * sizeof *vals);
        if (!vals) {
            e->out->oom = true;
            return false;
        }
        for (size_t i = 0; i < m->n_values; i++)
            vals[i] = &m->values[i];
        bool several = m->n_values > 1 && (m->op != SC_OP_EQ && m->op != SC_OP_CIDR);
        if (several)
            sc_buf_putc(b, '(');
        ok = put_values(e, m, vals, m->n_values);
        free(vals);
        if (several)
            sc_buf_putc(b, ')');
    }
    if (m->negated)
        sc_buf_putc(b, ')');
    return ok;
}

/* ---------------------------------------------------------------- trees */
static const sc_bool_syntax EQL_SYNTAX = {
    .and_op = " and ", .or_op = " or ", .not_open = "not ", .not_close = "",
    .true_lit = "true", .false_lit = "false", .put_match = put_match,
};

/* The EQL event category of a Sigma logsource category, for ECS data whose
 * shipper does not say otherwise (Elastic Defend's categories). */
static const char *default_category(const sc_logsource *ls)
{
    static const char *const map[][2] = {
        {"process_creation", "process"}, {"process_termination", "process"},
        {"process_access", "process"},   {"network_connection", "network"},
        {"dns_query", "dns"},            {"file_event", "file"},
        {"file_change", "file"},         {"file_delete", "file"},
        {"file_rename", "file"},         {"file_access", "file"},
        {"registry_event", "registry"},  {"registry_add", "registry"},
        {"registry_set", "registry"},    {"registry_delete", "registry"},
        {"registry_rename", "registry"}, {"image_load", "library"},
        {"driver_load", "driver"},
    };
    for (size_t i = 0; ls->category && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(ls->category, map[i][0]) == 0)
            return map[i][1];
    return "any";
}

static bool plain_category(const char *c)
{
    if (!*c)
        return false;
    for (; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
            return false;
    return true;
}

/* The pipeline's eql_category (the shipper's event.category for the rule's
 * events: Winlogbeat files Sysmon image loads under process, DNS queries
 * under network), else the default. */
static const char *event_category(sc_emit *e, const sigcc_rule *r)
{
    const char *c = sc_pipeline_attribute(r, "eql_category");
    if (!c)
        return default_category(&r->logsource);
    if (!plain_category(c)) {
        sc_emit_error(e, sc_rule_loc(r), "the event category '%s' set by the pipeline "
                                         "(eql_category: lower-case letters and '_')", c);
        return NULL;
    }
    return c;
}

/* "category where condition [and filters]" of a detection rule. */
static bool put_query(sc_emit *e, const sigcc_rule *r)
{
    const char *category = event_category(e, r);
    if (!category)
        return false;
    sc_buf_printf(e->out, "%s where ", category);
    return sc_put_rule_condition(e, &EQL_SYNTAX, r);
}

/* ------------------------------------------------ Kibana detection rule */
static void put_json(sc_buf *b, const char *s)
{
    if (s)
        sc_buf_put_json_string(b, s, strlen(s));
    else
        sc_buf_puts(b, "null");
}

static void put_json_list(sc_buf *b, const sc_strlist *l)
{
    sc_buf_putc(b, '[');
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            sc_buf_putc(b, ',');
        put_json(b, l->items[i]);
    }
    sc_buf_putc(b, ']');
}

#define MAX_TECHNIQUES 64

/* The techniques of a rule, each parent once with its sub-techniques
 * under it. Sigma carries no ATT&CK names, so the id stands in for the
 * name. */
static void put_techniques(sc_buf *b, const sc_strlist *tags)
{
    char ids[MAX_TECHNIQUES][32];
    size_t n = 0;
    for (size_t k = 0; k < tags->n && n < MAX_TECHNIQUES; k++)
        if (sc_technique_id(tags->items[k], ids[n], sizeof ids[n]))
            n++;
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        size_t plen = strcspn(ids[i], ".");
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcspn(ids[j], ".") == plen && !strncmp(ids[j], ids[i], plen);
        if (seen)
            continue;
        sc_buf_printf(b, "%s{\"id\":\"%.*s\",\"name\":\"%.*s\",\"reference\":"
                         "\"https://attack.mitre.org/techniques/%.*s/\",\"subtechnique\":[",
                      first ? "" : ",", (int)plen, ids[i], (int)plen, ids[i], (int)plen, ids[i]);
        first = false;
        bool first_sub = true;
        for (size_t j = i; j < n; j++) {
            if (strncmp(ids[j], ids[i], plen) != 0 || ids[j][plen] != '.')
                continue;
            sc_buf_printf(b, "%s{\"id\":\"%s\",\"name\":\"%s\",\"reference\":"
                             "\"https://attack.mitre.org/techniques/%.*s/%s/\"}",
                          first_sub ? "" : ",", ids[j], ids[j], (int)plen, ids[j],
                          ids[j] + plen + 1);
            first_sub = false;
        }
        sc_buf_puts(b, "]}");
    }
}

/* MITRE ATT&CK: one entry per tactic tag, with every technique tag of the
 * rule under it (Sigma tags do not say which technique serves which
 * tactic). */
static void put_threat(sc_buf *b, const sc_strlist *tags)
{
    sc_buf_putc(b, '[');
    bool first = true;
    for (size_t i = 0; i < tags->n; i++) {
        const sc_tactic *t = sc_tactic_for_tag(tags->items[i]);
        if (!t)
            continue;
        sc_buf_printf(b, "%s{\"framework\":\"MITRE ATT&CK\",\"tactic\":{\"id\":\"%s\","
                         "\"name\":\"%s\",\"reference\":"
                         "\"https://attack.mitre.org/tactics/%s/\"},\"technique\":[",
                      first ? "" : ",", t->id, t->name, t->id);
        first = false;
        put_techniques(b, tags);
        sc_buf_puts(b, "]}");
    }
    sc_buf_putc(b, ']');
}

static int risk_score(const char *level)
{
    static const char *const names[] = {"informational", "low", "medium", "high", "critical"};
    static const int scores[] = {21, 21, 47, 73, 99};
    for (size_t i = 0; level && i < 5; i++)
        if (!strcmp(level, names[i]))
            return scores[i];
    return 21;
}

/* One line of NDJSON that Kibana's detection rules import reads. */
static bool put_kibana_rule(sc_emit *e, const sc_buf *query)
{
    const sigcc_rule *r = e->rule;
    sc_buf *b = e->out;
    sc_buf_puts(b, "{\"rule_id\":");
    put_json(b, r->id);
    sc_buf_puts(b, ",\"name\":");
    put_json(b, r->title);
    sc_buf_puts(b, ",\"description\":");
    put_json(b, r->description ? r->description : r->title);
    sc_buf_puts(b, ",\"type\":\"eql\",\"language\":\"eql\",\"query\":");
    sc_buf_put_json_string(b, query->data ? query->data : "", query->len);
    sc_buf_puts(b, ",\"index\":[\"logs-*\",\"winlogbeat-*\",\"filebeat-*\",\"auditbeat-*\"],\"severity\":");
    put_json(b, sc_level_or(r->level, "low"));
    sc_buf_printf(b, ",\"risk_score\":%d,\"author\":[", risk_score(r->level));
    if (r->author)
        put_json(b, r->author);
    sc_buf_puts(b, "],\"references\":");
    put_json_list(b, &r->references);
    sc_buf_puts(b, ",\"false_positives\":");
    put_json_list(b, &r->falsepositives);
    sc_buf_puts(b, ",\"tags\":");
    put_json_list(b, &r->tags);
    sc_buf_puts(b, ",\"threat\":");
    put_threat(b, &r->tags);
    sc_buf_puts(b, ",\"enabled\":false,\"interval\":\"5m\",\"from\":\"now-6m\","
                   "\"max_signals\":100,\"version\":1}\n");
    return true;
}

/* The query alone, or wrapped for Kibana. */
static bool finish(sc_emit *e, const char *format, sc_buf *query, bool ok)
{
    if (ok && !strcmp(format, "kibana-ndjson"))
        ok = put_kibana_rule(e, query);
    else if (ok)
        sc_emit_line(e, query);
    sc_buf_free(query);
    return ok;
}

static bool put_rule_query(sc_emit *e, void *arg)
{
    (void)arg;
    return put_query(e, e->rule);
}

static bool eql_detection(sc_emit *e, const char *format)
{
    sc_buf query = {0};
    return finish(e, format, &query, sc_emit_into(e, &query, put_rule_query, NULL));
}

/* ---------------------------------------------------------- correlations */
/* The group-by fields of one referenced rule, aliases resolved. */
static bool put_join_keys(sc_emit *e, const sc_correlation *c, const sigcc_rule *r)
{
    for (size_t g = 0; g < c->n_group_by; g++) {
        const char *field = sc_group_field(c, g, r);
        if (!field) {
            sc_emit_error(e, sc_rule_loc(e->rule),
                          "an alias without a field for one of its rules");
            return false;
        }
        sc_buf_puts(e->out, g ? ", " : "");
        put_field(e->out, field);
    }
    return true;
}

/* One [query] by keys step of a sequence, for a detection rule. */
static bool put_step(sc_emit *e, const sc_correlation *c, size_t i, bool per_step_keys)
{
    const sigcc_rule *r = sc_corr_source(e, c, i);
    if (!r)
        return false;
    const sigcc_rule *outer = e->rule;
    sc_buf_puts(e->out, "\n  [");
    e->rule = r; /* errors inside point at the referenced rule */
    bool ok = put_query(e, r);
    e->rule = outer;
    sc_buf_putc(e->out, ']');
    if (ok && per_step_keys && c->n_group_by) {
        sc_buf_puts(e->out, " by ");
        ok = put_join_keys(e, c, r);
    }
    return ok;
}

/* event_count "more than N within T" is a sequence of one step repeated:
 * [query] with runs=N+1; temporal_ordered is a sequence of the rules in
 * order. Everything else (counts with an upper bound, distinct values,
 * sums, unordered temporal) has no EQL form. */
static bool eql_sequence(sc_emit *e)
{
    const sc_correlation *c = e->rule->corr;
    sc_loc at = sc_rule_loc(e->rule);
    uint64_t runs = 0;
    if (c->type == SC_CORR_EVENT_COUNT) {
        if (c->n_conds != 1 || (c->conds[0].cmp != SC_CMP_GT && c->conds[0].cmp != SC_CMP_GTE)) {
            sc_emit_error(e, at, "an event count with an upper bound (only gt/gte map to "
                                 "sequence runs)");
            return false;
        }
        double n = c->conds[0].value + (c->conds[0].cmp == SC_CMP_GT ? 1 : 0);
        if (n < 1 || n > 100 || n != (double)(uint64_t)n) {
            sc_emit_error(e, at, "an event count threshold of %g (sequence runs are 1 to 100)",
                          n);
            return false;
        }
        runs = (uint64_t)n;
    } else if (c->type != SC_CORR_TEMPORAL_ORDERED) {
        sc_emit_error(e, at, "%s correlations (EQL sequences count ordered steps; they do "
                             "not aggregate or reorder)",
                      sc_corr_type_name(c->type));
        return false;
    }
    bool per_step_keys = c->n_aliases > 0;
    sc_buf_puts(e->out, "sequence");
    if (c->n_group_by && !per_step_keys) {
        sc_buf_puts(e->out, " by ");
        if (!put_join_keys(e, c, c->rules[0].target))
            return false;
    }
    sc_buf_puts(e->out, " with maxspan=");
    sc_put_span(e->out, c->timespan_s, true);
    if (runs) {
        if (c->n_rules != 1) {
            sc_emit_error(e, at, "an event count over several rules as one sequence step");
            return false;
        }
        if (!put_step(e, c, 0, per_step_keys))
            return false;
        if (runs > 1)
            sc_buf_printf(e->out, " with runs=%llu", (unsigned long long)runs);
    } else {
        for (size_t i = 0; i < c->n_rules; i++)
            if (!put_step(e, c, i, per_step_keys))
                return false;
    }
    return true;
}

static bool put_sequence(sc_emit *e, void *arg)
{
    (void)arg;
    return eql_sequence(e);
}

static bool eql_correlation(sc_emit *e, const char *format)
{
    sc_buf query = {0};
    return finish(e, format, &query, sc_emit_into(e, &query, put_sequence, NULL));
}

static const char *const EQL_FORMATS[] = {"default", "kibana-ndjson", NULL};
static const char *const EQL_EXTENSIONS[] = {"eql", "ndjson", NULL};

const sc_backend sc_backend_eql = {
    .name = "eql",
    .language = "EQL",
    .default_pipeline = "ecs_windows",
    .formats = EQL_FORMATS,
    .extensions = EQL_EXTENSIONS,
    .detection = eql_detection,
    .correlation = eql_correlation,
};
