/*
 * condition.c - runs the condition grammar and maps its byte offsets to
 * file positions.
 *
 * Obsolete Sigma v1 forms are recognized before parsing so the user reads
 * what replaced them rather than a bare syntax error:
 *     selection | count(User) by Computer > 10   -> correlation rule
 *     selection | near other                      -> temporal correlation
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "condition.tab.h"
#define YYSTYPE SC_COND_STYPE
#define YYLTYPE SC_COND_LTYPE
#include "condition.lex.h"

sc_loc sc_cond_site_loc(const sc_cond_site *site, const char *text, uint32_t offset,
                        uint32_t len)
{
    sc_loc l = site->base;
    if (!site->exact)
        return l;
    l.col += (uint32_t)sc_utf8_chars(text, offset);
    l.len = len ? (uint32_t)sc_utf8_chars(text + offset, len) : 1;
    return l;
}

void sc_cond_error_at(sc_cond_parser *p, uint32_t off, uint32_t len, const char *code,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_loc loc = sc_cond_site_loc(p->site, p->text, off, len);
    sc_vdiag(p->diags, p->site->src, SIGCC_ERROR, code, loc, fmt, ap);
    va_end(ap);
    p->failed = true;
}

static bool check_v1_syntax(sc_cond_parser *p)
{
    const char *bar = memchr(p->text, '|', p->len);
    if (!bar)
        return true;
    uint32_t off = (uint32_t)(bar - p->text);
    const char *rest = bar + 1;
    while (rest < p->text + p->len && isspace((unsigned char)*rest))
        rest++;
    static const char *const aggs[] = {"count", "min", "max", "avg", "sum"};
    for (size_t i = 0; i < sizeof aggs / sizeof *aggs; i++) {
        size_t n = strlen(aggs[i]);
        if ((size_t)(p->text + p->len - rest) >= n && strncmp(rest, aggs[i], n) == 0) {
            sc_cond_error_at(p, off, (uint32_t)(p->len - off), "v1-aggregation",
                             "'| %s() ...' is Sigma v1 aggregation syntax, removed in v2: "
                             "write a correlation rule (type event_count, value_count, "
                             "value_sum or value_avg) that references this rule",
                             aggs[i]);
            return false;
        }
    }
    if ((size_t)(p->text + p->len - rest) >= 4 && strncmp(rest, "near", 4) == 0) {
        sc_cond_error_at(p, off, (uint32_t)(p->len - off), "v1-near",
                         "'| near' is Sigma v1 syntax, removed in v2: write a correlation rule "
                         "of type temporal (or temporal_ordered) over the rules involved");
        return false;
    }
    sc_cond_error_at(p, off, 1, "condition-syntax",
                     "invalid condition: '|' is not an operator (Sigma v2 has no pipes in "
                     "conditions; aggregations became correlation rules)");
    return false;
}

/* Nesting depth, where a chain of one operator (a and b and c) counts as
 * one level: later stages flatten such chains into n-ary nodes. Iterative,
 * because a 64 KiB condition can hold a chain of 30,000 operands. */
static size_t nesting_depth(sc_arena *a, const sc_cond *root)
{
    typedef struct item { const sc_cond *c; size_t depth; sc_cond_kind parent; } item;
    size_t cap = 64, n = 0, best = 0;
    item *stack = malloc(cap * sizeof *stack);
    (void)a;
    if (!stack)
        return SIZE_MAX;
    stack[n++] = (item){root, 1, SC_COND_IDENT};
    while (n) {
        item it = stack[--n];
        if (!it.c)
            continue;
        size_t d = it.depth;
        bool chained = (it.c->kind == SC_COND_AND || it.c->kind == SC_COND_OR) &&
                       it.c->kind == it.parent;
        if (!chained && it.parent != SC_COND_IDENT)
            d++;
        if (d > best)
            best = d;
        if (n + 2 > cap) {
            item *bigger = realloc(stack, cap * 2 * sizeof *stack);
            if (!bigger) {
                free(stack);
                return SIZE_MAX;
            }
            stack = bigger;
            cap *= 2;
        }
        if (it.c->left)
            stack[n++] = (item){it.c->left, d, it.c->kind};
        if (it.c->right)
            stack[n++] = (item){it.c->right, d, it.c->kind};
    }
    free(stack);
    return best;
}

sc_cond *sc_condition_parse(sc_arena *a, sc_diag_list *diags, const sc_cond_site *site,
                            const char *text, size_t len)
{
    sc_cond_parser p = {.arena = a, .diags = diags, .site = site, .text = text, .len = len};
    if (len > SC_MAX_CONDITION_BYTES) {
        sc_diag(diags, site->src, SIGCC_ERROR, "limit-condition-size", site->base,
                "condition of %zu bytes is longer than the limit of %u bytes", len,
                SC_MAX_CONDITION_BYTES);
        return NULL;
    }
    if (memchr(text, '\0', len)) {
        sc_diag(diags, site->src, SIGCC_ERROR, "condition-syntax", site->base,
                "invalid condition: it contains a NUL byte");
        return NULL;
    }
    if (!check_v1_syntax(&p))
        return NULL;
    yyscan_t scanner;
    if (sc_cond_lex_init_extra(&p, &scanner) != 0)
        return NULL;
    YY_BUFFER_STATE buf = sc_cond__scan_bytes(text, (int)len, scanner);
    int rc = buf ? sc_cond_parse(scanner, &p) : 1;
    if (buf)
        sc_cond__delete_buffer(buf, scanner);
    sc_cond_lex_destroy(scanner);
    if (rc != 0 || p.failed || !p.result) {
        if (!p.failed)
            sc_diag(diags, site->src, SIGCC_ERROR, "condition-syntax", site->base,
                    "invalid condition");
        return NULL;
    }
    /* Bison's stack bounds the depth; this keeps later recursive passes
     * (resolution, optimizer, backends) within a small, known depth. */
    if (nesting_depth(a, p.result) > 2 * SC_MAX_CONDITION_DEPTH) {
        sc_diag(diags, site->src, SIGCC_ERROR, "limit-condition-depth", site->base,
                "condition is nested deeper than %u levels", 2 * SC_MAX_CONDITION_DEPTH);
        return NULL;
    }
    return p.result;
}
