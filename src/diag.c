/*
 * diag.c - diagnostics: recorded by every stage, rendered by the caller.
 *
 * A diagnostic copies the source line it points at, so it stays readable
 * after the file's buffer is gone. Rendering follows the compiler
 * convention that editors and CI annotators understand:
 *
 *     rules/x.yml:14:19: error: unknown modifier 'endwith' (did you mean 'endswith'?)
 *        14 |     Image|endwith: '\cmd.exe'
 *           |           ^~~~~~~
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_SOURCE_LINE 240u

void sc_diags_init(sc_diag_list *d)
{
    memset(d, 0, sizeof *d);
    d->arena = sc_arena_new();
    if (!d->arena)
        d->oom = true;
}

void sc_diags_fini(sc_diag_list *d)
{
    free(d->items);
    sc_arena_free(d->arena);
    memset(d, 0, sizeof *d);
}

sc_loc sc_source_loc(const sc_source *src, size_t off)
{
    if (!src->line_starts || src->n_lines == 0)
        return (sc_loc){0, 0, 0};
    size_t lo = 0, hi = src->n_lines - 1;
    while (lo < hi) { /* last line starting at or before off */
        size_t mid = lo + (hi - lo + 1) / 2;
        if (src->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    size_t start = src->line_starts[lo];
    if (off > src->len)
        off = src->len;
    return (sc_loc){(uint32_t)lo + 1, (uint32_t)sc_utf8_chars(src->text + start, off - start) + 1,
                    1};
}

static const char *copy_source_line(sc_arena *a, const sc_source *src, uint32_t line)
{
    if (!src || !src->line_starts || line == 0 || line > src->n_lines)
        return NULL;
    size_t start = src->line_starts[line - 1];
    size_t end = start;
    while (end < src->len && src->text[end] != '\n' && src->text[end] != '\r')
        end++;
    size_t n = end - start;
    if (n > MAX_SOURCE_LINE)
        n = MAX_SOURCE_LINE;
    /* Never copy half a UTF-8 sequence or a control byte into a message. */
    char *out = sc_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src->text[start + i];
        out[k++] = (c < 0x20 && c != '\t') || c == 0x7f ? '?' : (char)c;
    }
    while (k > 0 && ((unsigned char)out[k - 1] & 0xc0) == 0x80)
        k--;
    if (k > 0 && ((unsigned char)out[k - 1] & 0xc0) == 0xc0)
        k--;
    out[k] = '\0';
    if (!sc_utf8_valid(out, k)) {
        for (size_t i = 0; i < k; i++)
            if ((unsigned char)out[i] >= 0x80)
                out[i] = '?';
    }
    return out;
}

void sc_vdiag(sc_diag_list *d, const sc_source *src, sigcc_severity sev, const char *code,
              sc_loc loc, const char *fmt, va_list ap)
{
    if (d->oom)
        return;
    bool too_many = false;
    if (sev == SIGCC_ERROR) {
        d->errors++;
        d->file_errors++;
        if (d->file_errors == SC_MAX_DIAGS_PER_FILE + 1) {
            too_many = true;
            code = "too-many-errors";
            loc = (sc_loc){0, 0, 0};
        } else if (d->file_errors > SC_MAX_DIAGS_PER_FILE + 1) {
            return;
        }
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        sigcc_diag *items = realloc(d->items, cap * sizeof *items);
        if (!items) {
            d->oom = true;
            return;
        }
        d->items = items;
        d->cap = cap;
    }
    char msg[1024];
    if (too_many)
        snprintf(msg, sizeof msg, "too many errors in this file; the rest are not reported");
    else
        vsnprintf(msg, sizeof msg, fmt, ap);
    sigcc_diag *g = &d->items[d->n];
    g->severity = sev;
    g->code = code;
    g->file = src && src->name ? sc_arena_strdup(d->arena, src->name) : "<input>";
    g->line = loc.line;
    g->col = loc.col;
    g->len = loc.len ? loc.len : 1;
    g->message = sc_arena_strdup(d->arena, msg);
    g->source_line = copy_source_line(d->arena, src, loc.line);
    if (!g->file || !g->message) {
        d->oom = true;
        return;
    }
    d->n++;
}

void sc_diag(sc_diag_list *d, const sc_source *src, sigcc_severity sev, const char *code,
             sc_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(d, src, sev, code, loc, fmt, ap);
    va_end(ap);
}

static const char *severity_name(sigcc_severity s)
{
    switch (s) {
    case SIGCC_ERROR: return "error";
    case SIGCC_WARNING: return "warning";
    default: return "note";
    }
}

static void render_text(sc_buf *b, const sigcc_diag *g)
{
    if (g->line)
        sc_buf_printf(b, "%s:%u:%u: ", g->file, g->line, g->col);
    else
        sc_buf_printf(b, "%s: ", g->file);
    sc_buf_printf(b, "%s: %s [%s]\n", severity_name(g->severity), g->message, g->code);
    if (!g->line || !g->source_line)
        return;
    sc_buf_printf(b, "%5u | %s\n      | ", g->line, g->source_line);
    /* Walk the line by characters so the caret lands under multi-byte text. */
    const char *s = g->source_line;
    uint32_t col = 1;
    for (size_t i = 0; s[i] && col < g->col; i++) {
        if (((unsigned char)s[i] & 0xc0) == 0x80)
            continue;
        sc_buf_putc(b, s[i] == '\t' ? '\t' : ' ');
        col++;
    }
    sc_buf_putc(b, '^');
    uint32_t width = g->len > 200 ? 200 : g->len;
    for (uint32_t i = 1; i < width; i++)
        sc_buf_putc(b, '~');
    sc_buf_putc(b, '\n');
}

static void render_json(sc_buf *b, const sigcc_diag *g)
{
    sc_buf_puts(b, "{\"file\":");
    sc_buf_put_json_string(b, g->file, strlen(g->file));
    sc_buf_printf(b, ",\"line\":%u,\"col\":%u,\"len\":%u,\"severity\":\"%s\",\"code\":", g->line,
                  g->col, g->len, severity_name(g->severity));
    sc_buf_put_json_string(b, g->code, strlen(g->code));
    sc_buf_puts(b, ",\"message\":");
    sc_buf_put_json_string(b, g->message, strlen(g->message));
    sc_buf_puts(b, "}\n");
}

sigcc_status sigcc_diag_render(const sigcc_diag *g, sigcc_diag_format format, char **out)
{
    if (!g || !out)
        return SIGCC_EUSAGE;
    sc_buf b = {0};
    if (format == SIGCC_DIAG_JSON)
        render_json(&b, g);
    else
        render_text(&b, g);
    *out = sc_buf_take(&b);
    return *out ? SIGCC_OK : SIGCC_ENOMEM;
}
