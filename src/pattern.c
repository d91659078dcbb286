/*
 * pattern.c - Sigma strings: escapes and wildcards, parsed once.
 *
 * A Sigma value like  C:\Users\\*\AppData\?x\\\*  becomes a list of parts:
 *   LIT "C:\Users\"  STAR  LIT "\AppData\"  ONE  LIT "x\*"
 * ('\\*' is a literal backslash, then a wildcard; '\*' is a literal star.)
 * Rules of the spec: '*' and '?' are wildcards; a backslash escapes '*',
 * '?' and itself; before any other character, or at the end, a backslash
 * is literal. Under |expand, %name% is a placeholder and '\%' a literal
 * percent sign. Consecutive stars collapse into one (same meaning).
 */
#include <string.h>

#include "internal.h"

typedef struct builder {
    sc_arena *arena;
    sc_part *parts;
    size_t n, cap;
    char *lit;     /* literal being collected */
    size_t lit_len;
    bool oom;
} builder;

static void push_part(builder *b, sc_part_kind kind, const char *text, size_t len)
{
    if (b->oom)
        return;
    if (kind == SC_PART_STAR && b->n && b->parts[b->n - 1].kind == SC_PART_STAR)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4;
        sc_part *p = sc_arena_alloc(b->arena, cap * sizeof *p);
        if (!p) {
            b->oom = true;
            return;
        }
        if (b->n)
            memcpy(p, b->parts, b->n * sizeof *p);
        b->parts = p;
        b->cap = cap;
    }
    sc_part *part = &b->parts[b->n++];
    part->kind = kind;
    part->text = text ? sc_arena_strndup(b->arena, text, len) : NULL;
    part->len = len;
    if (text && !part->text)
        b->oom = true;
}

static void flush_literal(builder *b)
{
    if (b->lit_len) {
        push_part(b, SC_PART_LIT, b->lit, b->lit_len);
        b->lit_len = 0;
    }
}

bool sc_pattern_parse(sc_arena *a, const char *s, size_t len, bool expand, sc_part **parts,
                      size_t *n_parts)
{
    builder b = {.arena = a};
    b.lit = sc_arena_alloc(a, len + 1);
    if (!b.lit)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\') {
            char next = i + 1 < len ? s[i + 1] : '\0';
            if (next == '*' || next == '?' || next == '\\' || (expand && next == '%')) {
                b.lit[b.lit_len++] = next;
                i++;
            } else {
                b.lit[b.lit_len++] = '\\';
            }
        } else if (c == '*' || c == '?') {
            flush_literal(&b);
            push_part(&b, c == '*' ? SC_PART_STAR : SC_PART_ONE, NULL, 0);
        } else if (c == '%' && expand) {
            const char *end = memchr(s + i + 1, '%', len - i - 1);
            if (end && end > s + i + 1) {
                flush_literal(&b);
                push_part(&b, SC_PART_PLACEHOLDER, s + i + 1, (size_t)(end - s - i - 1));
                i = (size_t)(end - s);
            } else {
                b.lit[b.lit_len++] = c;
            }
        } else {
            b.lit[b.lit_len++] = c;
        }
    }
    flush_literal(&b);
    if (b.oom)
        return false;
    *parts = b.parts;
    *n_parts = b.n;
    return true;
}

void sc_pattern_write(sc_buf *out, const sc_part *parts, size_t n, bool expand)
{
    for (size_t i = 0; i < n; i++) {
        const sc_part *p = &parts[i];
        switch (p->kind) {
        case SC_PART_STAR: sc_buf_putc(out, '*'); break;
        case SC_PART_ONE: sc_buf_putc(out, '?'); break;
        case SC_PART_PLACEHOLDER: sc_buf_printf(out, "%%%.*s%%", (int)p->len, p->text); break;
        case SC_PART_LIT:
            for (size_t k = 0; k < p->len; k++) {
                char c = p->text[k];
                /* A backslash needs doubling only where it would otherwise
                 * escape what follows it. */
                const char *special = expand ? "*?\\%" : "*?\\";
                bool before_special = c == '\\' &&
                    ((k + 1 < p->len && strchr(special, p->text[k + 1])) ||
                     (k + 1 == p->len && i + 1 < n && parts[i + 1].kind != SC_PART_LIT) ||
                     (k + 1 == p->len && i + 1 == n));
                if (c == '*' || c == '?' || (expand && c == '%') || before_special)
                    sc_buf_putc(out, '\\');
                sc_buf_putc(out, c);
            }
            break;
        }
    }
}

bool sc_pattern_has_wildcards(const sc_part *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (parts[i].kind == SC_PART_STAR || parts[i].kind == SC_PART_ONE)
            return true;
    return false;
}
