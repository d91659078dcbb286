/* condition.h - state shared by the condition lexer and parser. */
#ifndef SC_CONDITION_H
#define SC_CONDITION_H

#include "internal.h"

typedef struct sc_cond_parser {
    sc_arena *arena;
    sc_diag_list *diags;
    const sc_cond_site *site;
    const char *text;
    size_t len;
    uint32_t offset;  /* lexer position, in bytes */
    uint32_t parens;  /* open parentheses */
    sc_cond *result;
    bool failed;
} sc_cond_parser;

void sc_cond_error_at(sc_cond_parser *p, uint32_t off, uint32_t len, const char *code,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
