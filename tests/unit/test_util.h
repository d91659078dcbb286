/*
 * test_util.h - helpers shared by the unit test programs (header only).
 *
 * Rules are loaded from string buffers through the public API; the AST and
 * the rule structures are then inspected through internal.h.
 */
#ifndef SIGCC_TEST_UTIL_H
#define SIGCC_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define TU_UNUSED __attribute__((unused))

/* ---------------------------------------------------------- resources
 * A failed assertion leaves the test by longjmp, past its free() calls.
 * Everything a test allocates is therefore registered here and released
 * by tu_release() (normal path) or by the group teardown tu_cleanup()
 * (after failures), so LeakSanitizer reports only the library's leaks. */
typedef struct tu_res {
    void *p;
    void (*fn)(void *);
} tu_res;

static tu_res *tu_res_items;
static size_t tu_res_n, tu_res_cap;

static TU_UNUSED void *tu_track(void *p, void (*fn)(void *))
{
    if (!p)
        return p;
    if (tu_res_n == tu_res_cap) {
        size_t cap = tu_res_cap ? tu_res_cap * 2 : 64;
        tu_res *items = realloc(tu_res_items, cap * sizeof *items);
        if (!items)
            abort();
        tu_res_items = items;
        tu_res_cap = cap;
    }
    tu_res_items[tu_res_n++] = (tu_res){p, fn};
    return p;
}

/* Frees a tracked pointer now. */
static TU_UNUSED void tu_release(void *p)
{
    if (!p)
        return;
    for (size_t i = tu_res_n; i-- > 0;)
        if (tu_res_items[i].p == p) {
            tu_res r = tu_res_items[i];
            memmove(&tu_res_items[i], &tu_res_items[i + 1], (tu_res_n - i - 1) * sizeof r);
            tu_res_n--;
            r.fn(r.p);
            return;
        }
    abort(); /* not tracked: a bug in the test */
}

/* Group teardown: frees whatever failed tests left behind. */
static TU_UNUSED int tu_cleanup(void **state)
{
    (void)state;
    while (tu_res_n) {
        tu_res r = tu_res_items[--tu_res_n];
        r.fn(r.p);
    }
    free(tu_res_items);
    tu_res_items = NULL;
    tu_res_cap = 0;
    return 0;
}

static TU_UNUSED void tu_free_fn(void *p)
{
    free(p);
}

static TU_UNUSED void tu_ctx_free_fn(void *p)
{
    sigcc_ctx_free(p);
}

static TU_UNUSED void tu_arena_free_fn(void *p)
{
    sc_arena_free(p);
}

/* Frees what the library hands out (queries, catalogs): sigcc_free(). */
static TU_UNUSED void tu_out_free_fn(void *p)
{
    sigcc_free(p);
}

/* A tracked malloc'ed string / sc_buf result (freed with tu_release). */
static TU_UNUSED char *tu_str(char *s)
{
    assert_non_null(s);
    return tu_track(s, tu_free_fn);
}

static TU_UNUSED sc_arena *tu_arena(void)
{
    sc_arena *a = sc_arena_new();
    assert_non_null(a);
    return tu_track(a, tu_arena_free_fn);
}

/* Loads one buffer (named "t.yml") into a fresh context. */
static TU_UNUSED sigcc_ctx *tu_load_status(const char *yaml, sigcc_status *status)
{
    sigcc_ctx *ctx = sigcc_ctx_new();
    assert_non_null(ctx);
    tu_track(ctx, tu_ctx_free_fn);
    sigcc_status s = sigcc_load_buffer(ctx, "t.yml", yaml, strlen(yaml));
    if (status)
        *status = s;
    return ctx;
}

static TU_UNUSED sigcc_ctx *tu_load(const char *yaml)
{
    return tu_load_status(yaml, NULL);
}

/* Appends `text` with every line prefixed by `indent`. */
static TU_UNUSED void tu_put_indented(sc_buf *b, const char *text, const char *indent)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        sc_buf_puts(b, indent);
        sc_buf_put(b, p, n);
        sc_buf_putc(b, '\n');
        p += n + (nl ? 1 : 0);
    }
}

/* Loads what a buffer holds and frees the buffer. */
static TU_UNUSED sigcc_ctx *tu_load_buf(sc_buf *b)
{
    char *yaml = sc_buf_take(b);
    assert_non_null(yaml);
    sigcc_ctx *ctx = tu_load(yaml);
    free(yaml);
    return ctx;
}

/* Prints every diagnostic: shown by cmocka when an assertion fails. */
static TU_UNUSED void tu_dump_diags(const sigcc_ctx *ctx)
{
    for (size_t i = 0; i < sigcc_diag_count(ctx); i++) {
        const sigcc_diag *d = sigcc_diag_at(ctx, i);
        print_message("  diag %zu: %s:%u:%u len %u [%s] %s\n", i, d->file, d->line, d->col,
                      d->len, d->code, d->message);
    }
}

/* The first diagnostic with `code`, or NULL. */
static TU_UNUSED const sigcc_diag *tu_find_diag(const sigcc_ctx *ctx, const char *code)
{
    for (size_t i = 0; i < sigcc_diag_count(ctx); i++) {
        const sigcc_diag *d = sigcc_diag_at(ctx, i);
        if (strcmp(d->code, code) == 0)
            return d;
    }
    return NULL;
}

static TU_UNUSED size_t tu_count_code(const sigcc_ctx *ctx, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < sigcc_diag_count(ctx); i++)
        n += strcmp(sigcc_diag_at(ctx, i)->code, code) == 0;
    return n;
}

/* Asserts that a diagnostic with `code` exists, is an error, and sits at
 * line:col; returns it. */
static TU_UNUSED const sigcc_diag *tu_expect_error_at(const sigcc_ctx *ctx, const char *code,
                                                      uint32_t line, uint32_t col)
{
    const sigcc_diag *d = tu_find_diag(ctx, code);
    if (!d || d->line != line || d->col != col || d->severity != SIGCC_ERROR) {
        print_message("expected error [%s] at %u:%u\n", code, line, col);
        tu_dump_diags(ctx);
    }
    assert_non_null(d);
    assert_int_equal(d->severity, SIGCC_ERROR);
    assert_int_equal(d->line, line);
    assert_int_equal(d->col, col);
    return d;
}

/* Asserts the buffer gave no rule and this error, then releases ctx. */
static TU_UNUSED void tu_expect_rejected_at(sigcc_ctx *ctx, const char *code, uint32_t line,
                                            uint32_t col)
{
    assert_int_equal(sigcc_rule_count(ctx), 0);
    tu_expect_error_at(ctx, code, line, col);
    tu_release(ctx);
}

/* Asserts that loading produced no error and exactly `n` rules. */
static TU_UNUSED void tu_expect_clean(const sigcc_ctx *ctx, size_t n_rules)
{
    if (sigcc_diag_count_severity(ctx, SIGCC_ERROR) != 0 || sigcc_rule_count(ctx) != n_rules)
        tu_dump_diags(ctx);
    assert_int_equal(sigcc_diag_count_severity(ctx, SIGCC_ERROR), 0);
    assert_int_equal(sigcc_rule_count(ctx), n_rules);
}

static TU_UNUSED sigcc_rule *tu_rule(const sigcc_ctx *ctx, size_t i)
{
    const sigcc_rule *r = sigcc_rule_at(ctx, i);
    assert_non_null(r);
    return (sigcc_rule *)r;
}

/* The selection called `name` of a rule. */
static TU_UNUSED const sc_selection *tu_selection(const sigcc_rule *r, const char *name)
{
    for (size_t i = 0; i < r->n_selections; i++)
        if (strcmp(r->selections[i].name, name) == 0)
            return &r->selections[i];
    print_message("no selection '%s'\n", name);
    fail();
    return NULL;
}

/* Pattern parts in Sigma notation (via sc_pattern_write), malloc'ed. */
static TU_UNUSED char *tu_parts_text(const sc_part *parts, size_t n)
{
    sc_buf b = {0};
    sc_pattern_write(&b, parts, n, false);
    return tu_str(sc_buf_take(&b));
}

/* Asserts a string value's parts, written in Sigma notation, equal `want`. */
static TU_UNUSED void tu_expect_string_value(const sc_value *v, const char *want)
{
    assert_int_equal(v->kind, SC_VAL_STRING);
    char *s = tu_parts_text(v->parts, v->n_parts);
    assert_string_equal(s, want);
    tu_release(s);
}

/* Asserts that the string values of a match are exactly the set `want`
 * (written in Sigma notation), in any order, each once. */
static TU_UNUSED void tu_expect_value_set(const sc_match *m, const char *const *want, size_t n)
{
    if (m->n_values != n) {
        print_message("expected %zu values, got %zu:\n", n, m->n_values);
        for (size_t i = 0; i < m->n_values; i++) {
            if (m->values[i].kind == SC_VAL_STRING) {
                char *s = tu_parts_text(m->values[i].parts, m->values[i].n_parts);
                print_message("  '%s'\n", s);
                tu_release(s);
            }
        }
    }
    assert_int_equal(m->n_values, n);
    bool used[64] = {false};
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(m->values[i].kind, SC_VAL_STRING);
        char *s = tu_parts_text(m->values[i].parts, m->values[i].n_parts);
        size_t k = 0;
        while (k < n && (used[k] || strcmp(want[k], s) != 0))
            k++;
        if (k == n)
            print_message("unexpected value '%s'\n", s);
        tu_release(s);
        assert_true(k < n);
        used[k] = true;
    }
}

#define TU_COUNT(a) (sizeof(a) / sizeof *(a))

/* ------------------------------------------------------------ conversions
 * The backend tests load a buffer, resolve it, apply built-in pipelines,
 * optimize, and convert one rule; the query is kept without its final
 * newline. */
typedef struct tu_conv {
    sigcc_ctx *ctx; /* tracked */
    sigcc_status status;
    char *query; /* tracked; the final newline removed; NULL unless converted */
} tu_conv;

typedef struct tu_conv_opts {
    const char *target;
    const char *format;       /* NULL: the target's default */
    const char *file;         /* the buffer's name; NULL: "t.yml" */
    const char *pipelines[2]; /* built-in pipelines loaded in order, then applied */
    int level;                /* the optimization level; < 0: no optimization */
    int kind;                 /* a sigcc_rule_kind, or -1: any rule but a filter */
    bool last;                /* the last rule of `kind` rather than the first */
    bool missing_ok;          /* no rule of `kind`: status SIGCC_EINVALID, no query */
    bool clean;               /* assert the pipelines apply and the load has no errors */
} tu_conv_opts;

/* A tracked context holding `yaml`, resolved, with the pipelines of `o`
 * applied, optimized at o->level. */
static TU_UNUSED sigcc_ctx *tu_conv_ctx(const char *yaml, const tu_conv_opts *o)
{
    sigcc_ctx *ctx = sigcc_ctx_new();
    assert_non_null(ctx);
    tu_track(ctx, tu_ctx_free_fn);
    sigcc_load_buffer(ctx, o->file ? o->file : "t.yml", yaml, strlen(yaml));
    sigcc_resolve(ctx);
    if (o->pipelines[0]) {
        for (size_t i = 0; i < TU_COUNT(o->pipelines) && o->pipelines[i]; i++)
            assert_int_equal(sigcc_pipeline_load(ctx, o->pipelines[i]), SIGCC_OK);
        sigcc_status applied = sigcc_apply_pipelines(ctx);
        if (o->clean)
            assert_int_equal(applied, SIGCC_OK);
    }
    if (o->level >= 0) {
        sigcc_optimize_options opts = {.level = o->level};
        assert_int_equal(sigcc_optimize(ctx, &opts), SIGCC_OK);
    }
    if (o->clean) {
        if (sigcc_diag_count_severity(ctx, SIGCC_ERROR) != 0) {
            print_message("rule does not load cleanly:\n%s\n", yaml);
            tu_dump_diags(ctx);
        }
        assert_int_equal(sigcc_diag_count_severity(ctx, SIGCC_ERROR), 0);
    }
    return ctx;
}

/* Converts `rule` of c->ctx into c->status and c->query. */
static TU_UNUSED void tu_conv_rule(tu_conv *c, const sigcc_rule *rule, const char *target,
                                   const char *format)
{
    char *out = NULL;
    c->status = sigcc_convert_rule(c->ctx, rule, target, format, &out);
    if (out) {
        tu_track(out, tu_out_free_fn);
        size_t n = strlen(out);
        assert_true(n > 0 && out[n - 1] == '\n');
        out[n - 1] = '\0';
    }
    c->query = out;
}

/* Loads `yaml` as tu_conv_ctx() does and converts its first (or last) rule
 * of o->kind to o->target. */
static TU_UNUSED tu_conv tu_convert(const char *yaml, const tu_conv_opts *o)
{
    tu_conv c = {.ctx = tu_conv_ctx(yaml, o)};
    const sigcc_rule *rule = NULL;
    for (size_t i = 0; i < sigcc_rule_count(c.ctx) && (o->last || !rule); i++) {
        const sigcc_rule *r = sigcc_rule_at(c.ctx, i);
        sigcc_rule_kind k = sigcc_rule_get_kind(r);
        if (o->kind < 0 ? k != SIGCC_RULE_FILTER : (int)k == o->kind)
            rule = r;
    }
    if (!rule && o->missing_ok) { /* every rule was refused by a pipeline */
        c.status = SIGCC_EINVALID;
        return c;
    }
    assert_non_null(rule);
    tu_conv_rule(&c, rule, o->target, o->format);
    return c;
}

/* Asserts the conversion gave `want`, then releases the context. */
static TU_UNUSED void tu_expect_query(tu_conv c, const char *want)
{
    if (c.status != SIGCC_OK || strcmp(c.query, want) != 0) {
        print_message("want: %s\ngot:  %s (%s)\n", want, c.query ? c.query : "(none)",
                      sigcc_status_string(c.status));
        tu_dump_diags(c.ctx);
    }
    assert_int_equal(c.status, SIGCC_OK);
    assert_string_equal(c.query, want);
    tu_release(c.ctx);
}

/* Asserts the conversion was refused, with no query and a diagnostic
 * `code` about `what` at `line`; then releases the context. */
static TU_UNUSED void tu_expect_refused(tu_conv c, const char *code, const char *what,
                                        uint32_t line)
{
    const sigcc_diag *d = tu_find_diag(c.ctx, code);
    if (c.status == SIGCC_OK || !d || !strstr(d->message, what) || d->line != line) {
        print_message("expected a refusal '%s' about '%s' at line %u, got %s: %s\n", code, what,
                      line, sigcc_status_string(c.status), c.query ? c.query : "(no query)");
        tu_dump_diags(c.ctx);
    }
    assert_true(c.status != SIGCC_OK);
    assert_null(c.query);
    assert_non_null(d);
    assert_non_null(strstr(d->message, what));
    assert_int_equal(d->line, line);
    tu_release(c.ctx);
}

/* ------------------------------------------------ hostile values
 * The values an escaping property test feeds a backend: the fixed ones;
 * every ASCII byte 1..0x7f between each `around` pair (alone, inside text,
 * between backslashes, between quotes...); then `n_random` strings of 1 to
 * 20 characters over `alphabet`, from a fixed seed. Returns the count. */
typedef struct tu_around {
    const char *before, *after;
} tu_around;

static TU_UNUSED size_t tu_hostile_values(const char *const *fixed, size_t n_fixed,
                                          const tu_around *around, size_t n_around,
                                          const char *alphabet, unsigned seed, int n_random,
                                          void (*check)(const char *raw))
{
    size_t checked = 0;
    for (size_t i = 0; i < n_fixed; i++, checked++)
        check(fixed[i]);
    for (int c = 1; c <= 0x7f; c++)
        for (size_t k = 0; k < n_around; k++, checked++) {
            char raw[32];
            snprintf(raw, sizeof raw, "%s%c%s", around[k].before, c, around[k].after);
            check(raw);
        }
    size_t letters = strlen(alphabet);
    for (int i = 0; i < n_random; i++, checked++) {
        char raw[24];
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 16) % 20;
        for (size_t k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            raw[k] = alphabet[(seed >> 16) % letters];
        }
        raw[n] = 0;
        check(raw);
    }
    return checked;
}

#endif
