/*
 * condition.y - the Sigma condition grammar (v2.1).
 *
 * Precedence, loosest first: or < and < not < "x of" < parentheses.
 * Each action is one constructor call; positions are byte spans in the
 * condition string, turned into file positions by sc_cond_site_loc().
 */
%define api.pure full
%define api.prefix {sc_cond_}
%define parse.error verbose
%locations
%param {void *scanner}
%parse-param {sc_cond_parser *p}

%code requires {
#include "condition.h"
typedef struct sc_cond_tok { uint32_t off, len; } sc_cond_tok;
}

%code {
#include <string.h>
int sc_cond_lex(SC_COND_STYPE *lval, SC_COND_LTYPE *lloc, void *scanner);
static void sc_cond_error(SC_COND_LTYPE *loc, void *scanner, sc_cond_parser *p, const char *msg);
static sc_cond *make(sc_cond_parser *p, sc_cond_kind kind, uint32_t from, uint32_t to,
                     const sc_cond_tok *name, sc_cond *l, sc_cond *r);
#define SPAN(a, b) (a).first_column, (b).last_column
}

%union {
    sc_cond *node;
    sc_cond_tok tok;
    int quant;
}

%token <tok> IDENT "identifier"
%token <tok> PATTERN "identifier pattern"
%token <tok> NUMBER "number"
%token AND "'and'" OR "'or'" NOT "'not'" OF "'of'" THEM "'them'" ALL "'all'" ANY "'any'"
%token LPAREN "'('" RPAREN "')'" PIPE "'|'" BADCHAR "invalid character"
%token END 0 "end of condition"

%left OR
%left AND
%precedence NOT

%type <node> expr quantified
%type <tok> target
%type <quant> quantifier

%%

condition
    : expr                      { p->result = $1; }
    ;

expr
    : expr OR expr              { $$ = make(p, SC_COND_OR, SPAN(@1, @3), NULL, $1, $3); }
    | expr AND expr             { $$ = make(p, SC_COND_AND, SPAN(@1, @3), NULL, $1, $3); }
    | NOT expr                  { $$ = make(p, SC_COND_NOT, SPAN(@1, @2), NULL, $2, NULL); }
    | LPAREN expr RPAREN        { $$ = $2; }
    | quantified                { $$ = $1; }
    | IDENT                     { $$ = make(p, SC_COND_IDENT, SPAN(@1, @1), &$1, NULL, NULL); }
    | NUMBER                    { $$ = make(p, SC_COND_IDENT, SPAN(@1, @1), &$1, NULL, NULL); }
    ;

quantified
    : quantifier OF target      {
          sc_cond_kind k = $1 ? SC_COND_ALL_OF : SC_COND_ONE_OF;
          $$ = make(p, k, SPAN(@1, @3), $3.len ? &$3 : NULL, NULL, NULL);
      }
    ;

quantifier
    : ALL                       { $$ = 1; }
    | ANY                       { $$ = 0; }
    | NUMBER                    {
          if ($1.len != 1 || p->text[$1.off] != '1')
              sc_cond_error_at(p, $1.off, $1.len, "condition-quantifier",
                               "'%.*s of' is not Sigma: only '1 of' (or 'any of') and 'all of' "
                               "exist", (int)$1.len, p->text + $1.off);
          $$ = 0;
      }
    ;

target
    : IDENT                     { $$ = $1; }
    | PATTERN                   { $$ = $1; }
    | NUMBER                    { $$ = $1; }
    | THEM                      { $$ = (sc_cond_tok){0, 0}; }
    ;

%%

static sc_cond *make(sc_cond_parser *p, sc_cond_kind kind, uint32_t from, uint32_t to,
                     const sc_cond_tok *name, sc_cond *l, sc_cond *r)
{
    sc_cond *c = sc_arena_alloc(p->arena, sizeof *c);
    if (!c) {
        p->failed = true;
        return NULL;
    }
    c->kind = kind;
    c->offset = from;
    c->len = to > from ? to - from : 1;
    c->left = l;
    c->right = r;
    if (name) {
        c->name = sc_arena_strndup(p->arena, p->text + name->off, name->len);
        if (!c->name)
            p->failed = true;
    }
    return c;
}

static const char *const keywords[] = {"and", "or", "not", "of", "them", "all", "any", NULL};

static void sc_cond_error(SC_COND_LTYPE *loc, void *scanner, sc_cond_parser *p, const char *msg)
{
    (void)scanner;
    if (p->failed)
        return; /* the lexer already explained the problem */
    uint32_t off = (uint32_t)loc->first_column;
    uint32_t len = (uint32_t)(loc->last_column - loc->first_column);
    if (strcmp(msg, "memory exhausted") == 0) {
        sc_cond_error_at(p, off, len, "limit-condition-depth", "condition is nested too deeply");
        return;
    }
    /* Bison quotes token names ("'and'"); the quotes inside suffice. */
    char clean[512];
    size_t k = 0;
    if (strncmp(msg, "syntax error, ", 14) == 0)
        msg += 14;
    for (; *msg && k + 1 < sizeof clean; msg++)
        if (*msg != '"')
            clean[k++] = *msg;
    clean[k] = '\0';
    /* A keyword written in capitals is the most common slip. */
    for (int i = 0; keywords[i]; i++) {
        size_t kl = strlen(keywords[i]);
        if (len == kl && strncasecmp(p->text + off, keywords[i], kl) == 0 &&
            strncmp(p->text + off, keywords[i], kl) != 0) {
            sc_cond_error_at(p, off, len, "condition-syntax",
                             "invalid condition: %s (keywords are lowercase: write '%s')", clean,
                             keywords[i]);
            return;
        }
    }
    sc_cond_error_at(p, off, len ? len : 1, "condition-syntax", "invalid condition: %s", clean);
}
