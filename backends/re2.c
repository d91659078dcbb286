/*
 * re2.c - RE2 text for the backends whose target runs Google's RE2; see
 * re2.h. Sigma writes PCRE; what RE2 reads the same way is passed on as
 * written, what it lacks is refused, and control characters (and, inside
 * a backquoted literal, the backquote) become hex escapes so that the
 * pattern stays on one line and inside its literal.
 */
#include "re2.h"

#include <stdio.h>
#include <string.h>

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A character that cannot stand as itself: a control character, or a
 * backquote that would end the literal around the pattern. */
static bool needs_hex(unsigned char c, unsigned flags)
{
    return c < 0x20 || c == 0x7f || (c == '`' && (flags & SC_RE2_NO_BACKQUOTE));
}

void sc_re2_put_char(sc_buf *out, unsigned char c, unsigned flags)
{
    if (needs_hex(c, flags))
        sc_buf_printf(out, "\\x{%02x}", c);
    else if (c < 0x80 && !is_alnum(c) && c != ' ')
        sc_buf_printf(out, "\\%c", c);
    else
        sc_buf_putc(out, (char)c);
}

static bool refuse(sc_emit *e, const sc_value *v, const char *what)
{
    sc_emit_error(e, v->loc, "the regex construct %s (RE2 has no equivalent)", what);
    return false;
}

/* The state of one translation. */
typedef struct re2_tx {
    sc_emit *e;
    const sc_value *v;
    sc_buf *out;
    unsigned flags;
    bool in_class, in_quote, after_quant;
} re2_tx;

/* A character that needs a hex escape, also inside \Q...\E (where an
 * escape is literal text, so the quote is closed around it). */
static void put_hex(re2_tx *t, unsigned char c)
{
    if (t->in_quote)
        sc_buf_puts(t->out, "\\E");
    sc_buf_printf(t->out, "\\x{%02x}", c);
    if (t->in_quote)
        sc_buf_puts(t->out, "\\Q");
}

/* The escape at r[*i] (the backslash); advances *i to its last character. */
static bool translate_escape(re2_tx *t, const char *r, size_t n, size_t *i)
{
    if (*i + 1 >= n)
        return refuse(t->e, t->v, "'\\' at the end");
    unsigned char x = (unsigned char)r[++*i];
    if (needs_hex(x, t->flags)) {
        put_hex(t, x);
        return true;
    }
    if (is_alnum(x) && !strchr("dDsSwWbBAzpPQExaftnrv", x)) {
        char what[16];
        snprintf(what, sizeof what, "'\\%c'", x);
        return refuse(t->e, t->v, what);
    }
    t->in_quote = x == 'Q';
    sc_buf_putc(t->out, '\\');
    sc_buf_putc(t->out, (char)x);
    return true;
}

/* '[' opening a class: a leading '^' and a leading ']' belong to it. */
static void open_class(re2_tx *t, const char *r, size_t n, size_t *i)
{
    t->in_class = true;
    sc_buf_putc(t->out, '[');
    if (*i + 1 < n && r[*i + 1] == '^') {
        sc_buf_putc(t->out, '^');
        ++*i;
    }
    if (*i + 1 < n && r[*i + 1] == ']') { /* a leading ']' is literal */
        sc_buf_puts(t->out, "\\]");
        ++*i;
    }
}

/* A character inside [...]: a POSIX class [:name:] is copied whole. */
static bool class_char(re2_tx *t, const char *r, size_t n, size_t *i)
{
    if (r[*i] == '[' && *i + 1 < n && r[*i + 1] == ':') {
        const char *end = NULL;
        for (size_t k = *i + 2; k + 1 < n && !end; k++)
            if (r[k] == ':' && r[k + 1] == ']')
                end = r + k;
        if (!end)
            return refuse(t->e, t->v, "'[:' without ':]'");
        sc_buf_put(t->out, r + *i, (size_t)(end - (r + *i)) + 2);
        *i = (size_t)(end - r) + 1;
        return true;
    }
    if (r[*i] == ']')
        t->in_class = false;
    sc_buf_putc(t->out, r[*i]);
    return true;
}

/* "(?" at r[*i]: flags, (?: and (?P< pass; lookaround and the rest do not. */
static bool group_flags(re2_tx *t, const char *r, size_t n, size_t *i)
{
    size_t k = *i + 2;
    if (k + 1 < n && r[k] == 'P' && r[k + 1] == '<') {
        sc_buf_puts(t->out, "(?P<");
        *i = k + 1;
        return true;
    }
    while (k < n && strchr("imsU-", r[k]))
        k++;
    if (k >= n || (r[k] != ':' && r[k] != ')'))
        return refuse(t->e, t->v, "'(?' other than flags, (?: and (?P< (lookaround, "
                                  "atomic groups, recursion, named groups)");
    sc_buf_put(t->out, r + *i, k + 1 - *i);
    *i = k;
    return true;
}

static bool translate_char(re2_tx *t, const char *r, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)r[*i];
    bool after_quant = t->after_quant;
    t->after_quant = false;
    if (t->in_quote && !(c == '\\' && *i + 1 < n && r[*i + 1] == 'E')) {
        if (needs_hex(c, t->flags))
            put_hex(t, c);
        else
            sc_buf_putc(t->out, (char)c);
        return true;
    }
    if (c == '\\')
        return translate_escape(t, r, n, i);
    if (needs_hex(c, t->flags)) {
        put_hex(t, c);
        return true;
    }
    if (t->in_class)
        return class_char(t, r, n, i);
    if (c == '[') {
        open_class(t, r, n, i);
        return true;
    }
    if (c == '(' && *i + 1 < n && r[*i + 1] == '?')
        return group_flags(t, r, n, i);
    if (c == '+' && after_quant)
        return refuse(t->e, t->v, "a possessive quantifier");
    t->after_quant = c == '*' || c == '+' || c == '?' || c == '}';
    sc_buf_putc(t->out, (char)c);
    return true;
}

bool sc_re2_from_pcre(sc_emit *e, const sc_match *m, const sc_value *v, sc_buf *out,
                      unsigned flags)
{
    char prefix[8];
    size_t nf = 0;
    if (m->mods & SC_MODBIT(SC_MOD_RE_I))
        prefix[nf++] = 'i';
    if (m->mods & SC_MODBIT(SC_MOD_RE_M))
        prefix[nf++] = 'm';
    if (m->mods & SC_MODBIT(SC_MOD_RE_S))
        prefix[nf++] = 's';
    if (nf)
        sc_buf_printf(out, "(?%.*s)", (int)nf, prefix);
    re2_tx t = {.e = e, .v = v, .out = out, .flags = flags};
    for (size_t i = 0; i < v->raw_len; i++)
        if (!translate_char(&t, v->raw, v->raw_len, &i))
            return false;
    if (t.in_class)
        return refuse(e, v, "'[' without ']'");
    return true;
}
