/*
 * test_condition.c - the condition grammar (spec section 4): the raw parse
 * tree of sc_condition_parse, the resolved AST of a loaded rule, and the
 * diagnostics for bad conditions with their exact positions.
 *
 * Trees are compared through a prefix description:
 *     raw parse tree:  or(a, and(b, not(c)))      one_of(sel*)  all_of(them)
 *     resolved AST:    or(a, and(b, not(c)))      (a, b, c: SEL nodes)
 *
 * Groups:
 *   condition: parse tree  - sc_condition_parse, precedence, associativity
 *   condition: resolved    - identifiers, quantifiers, n-ary flattening
 *   condition: errors      - codes and line:col
 *   condition: regressions - bugs found by these tests, fixed, kept as regressions
 */
#include "test_util.h"

/* ------------------------------------------------------------ helpers */
static void describe_cond(sc_buf *b, const sc_cond *c)
{
    switch (c->kind) {
    case SC_COND_IDENT: sc_buf_puts(b, c->name); return;
    case SC_COND_ONE_OF:
    case SC_COND_ALL_OF:
        sc_buf_printf(b, "%s(%s)", c->kind == SC_COND_ONE_OF ? "one_of" : "all_of",
                      c->name ? c->name : "them");
        return;
    case SC_COND_NOT:
        sc_buf_puts(b, "not(");
        describe_cond(b, c->left);
        sc_buf_putc(b, ')');
        return;
    case SC_COND_AND:
    case SC_COND_OR:
        sc_buf_puts(b, c->kind == SC_COND_AND ? "and(" : "or(");
        describe_cond(b, c->left);
        sc_buf_puts(b, ", ");
        describe_cond(b, c->right);
        sc_buf_putc(b, ')');
        return;
    }
}

static void describe_node(sc_buf *b, const sc_node *n)
{
    switch (n->kind) {
    case SC_NODE_SEL: sc_buf_puts(b, n->u.sel.name); return;
    case SC_NODE_MATCH: sc_buf_puts(b, "match"); return;
    case SC_NODE_TRUE: sc_buf_puts(b, "true"); return;
    case SC_NODE_FALSE: sc_buf_puts(b, "false"); return;
    case SC_NODE_NOT:
        sc_buf_puts(b, "not(");
        describe_node(b, n->u.child);
        sc_buf_putc(b, ')');
        return;
    case SC_NODE_AND:
    case SC_NODE_OR:
        sc_buf_puts(b, n->kind == SC_NODE_AND ? "and(" : "or(");
        for (size_t i = 0; i < n->u.list.n; i++) {
            if (i)
                sc_buf_puts(b, ", ");
            describe_node(b, n->u.list.items[i]);
        }
        sc_buf_putc(b, ')');
        return;
    }
}

typedef struct parsed {
    sc_arena *arena;
    sc_diag_list diags;
    sc_source src;
    sc_cond_site site;
    sc_cond *root;
} parsed;

/* Runs the grammar alone. Positions map to line 3, column 10 + offset. */
static void parsed_free(void *v)
{
    parsed *p = v;
    sc_diags_fini(&p->diags);
    sc_arena_free(p->arena);
    free(p);
}

static parsed *parse(const char *text)
{
    parsed *p = calloc(1, sizeof *p);
    assert_non_null(p);
    tu_track(p, parsed_free);
    p->arena = sc_arena_new();
    sc_diags_init(&p->diags);
    p->src = (sc_source){.name = "<cond>", .text = text, .len = strlen(text)};
    p->site = (sc_cond_site){.src = &p->src, .base = {3, 10, 1}, .exact = true};
    p->root = sc_condition_parse(p->arena, &p->diags, &p->site, text, strlen(text));
    return p;
}

static void expect_parse(const char *text, const char *want)
{
    parsed *p = parse(text);
    if (!p->root)
        for (size_t i = 0; i < p->diags.n; i++)
            print_message("  [%s] %s\n", p->diags.items[i].code, p->diags.items[i].message);
    assert_non_null(p->root);
    assert_int_equal(p->diags.errors, 0);
    sc_buf b = {0};
    describe_cond(&b, p->root);
    char *got = tu_str(sc_buf_take(&b));
    if (strcmp(got, want) != 0)
        print_message("condition [%s]\n  want: %s\n  got:  %s\n", text, want, got);
    assert_string_equal(got, want);
    tu_release(got);
    tu_release(p);
}

/* Loads a rule with the given detection body (lines indented by 4, may
 * be NULL for the default a/b/c/d) and condition line (indented by 4). */
static const char *const default_idents = "a: {f: 1}\nb: {f: 2}\nc: {f: 3}\nd: {f: 4}";

static sigcc_ctx *load_rule(const char *idents, const char *condition_line)
{
    sc_buf b = {0};
    sc_buf_puts(&b, "title: t\nlogsource: {category: test}\ndetection:\n");
    tu_put_indented(&b, idents ? idents : default_idents, "    ");
    tu_put_indented(&b, condition_line, "    ");
    return tu_load_buf(&b);
}

/* Default rule: a, b, c, d on lines 4-7, the condition on line 8, its
 * plain value at column 16. */
static sigcc_ctx *load_cond(const char *cond)
{
    sc_buf b = {0};
    sc_buf_puts(&b, "condition: ");
    sc_buf_puts(&b, cond);
    char *line = sc_buf_take(&b);
    assert_non_null(line);
    sigcc_ctx *ctx = load_rule(NULL, line);
    free(line);
    return ctx;
}

static char *resolved(const sigcc_ctx *ctx)
{
    tu_expect_clean(ctx, 1);
    const sigcc_rule *r = tu_rule(ctx, 0);
    assert_non_null(r->condition);
    sc_buf b = {0};
    describe_node(&b, r->condition);
    return tu_str(sc_buf_take(&b));
}

static void expect_resolved_in(const char *idents, const char *cond, const char *want)
{
    char line[4096];
    snprintf(line, sizeof line, "condition: %s", cond);
    sigcc_ctx *ctx = load_rule(idents, line);
    char *got = resolved(ctx);
    if (strcmp(got, want) != 0)
        print_message("condition [%s]\n  want: %s\n  got:  %s\n", cond, want, got);
    assert_string_equal(got, want);
    tu_release(got);
    tu_release(ctx);
}

static void expect_resolved(const char *cond, const char *want)
{
    expect_resolved_in(NULL, cond, want);
}

/* A bad condition in the default rule: the rule is dropped and an error
 * with `code` is at 8:col. Returns the diagnostic (ctx stays alive). */
static const sigcc_diag *cond_error(sigcc_ctx **out, const char *cond, const char *code,
                                    uint32_t col)
{
    sigcc_ctx *ctx = load_cond(cond);
    *out = ctx;
    assert_int_equal(sigcc_rule_count(ctx), 0);
    return tu_expect_error_at(ctx, code, 8, col);
}

static void cond_rejected(const char *cond, const char *code, uint32_t col)
{
    sigcc_ctx *ctx;
    cond_error(&ctx, cond, code, col);
    tu_release(ctx);
}

/* ========================================================= parse tree */
static void test_parse_identifier(void **state)
{
    (void)state;
    parsed *p = parse("selection");
    assert_non_null(p->root);
    assert_int_equal(p->root->kind, SC_COND_IDENT);
    assert_string_equal(p->root->name, "selection");
    assert_int_equal(p->root->offset, 0);
    assert_int_equal(p->root->len, 9);
    tu_release(p);
    /* identifier characters: letters, digits, _ - and . */
    expect_parse("sel_1-x.conf", "sel_1-x.conf");
    expect_parse("  a  ", "a");
}

static void test_parse_keyword_prefixed_identifiers(void **state)
{
    (void)state;
    /* the longest token wins: these are identifiers, not keywords */
    expect_parse("android or order", "or(android, order)");
    expect_parse("notepad and not nothing", "and(notepad, not(nothing))");
    expect_parse("them1 or all_x or any_y or of_z", "or(or(or(them1, all_x), any_y), of_z)");
    expect_parse("1_sel and 12", "and(1_sel, 12)");
    expect_parse("1 of all*", "one_of(all*)");
}

static void test_parse_and_or_not(void **state)
{
    (void)state;
    expect_parse("a and b", "and(a, b)");
    expect_parse("a or b", "or(a, b)");
    expect_parse("not a", "not(a)");
    expect_parse("not not a", "not(not(a))");
}

static void test_parse_precedence(void **state)
{
    (void)state;
    /* or < and < not */
    expect_parse("a or b and not c", "or(a, and(b, not(c)))");
    expect_parse("a and b or c", "or(and(a, b), c)");
    expect_parse("not a and b", "and(not(a), b)");
    expect_parse("not a or b", "or(not(a), b)");
    expect_parse("a and not b or not c and d", "or(and(a, not(b)), and(not(c), d))");
}

static void test_parse_parentheses(void **state)
{
    (void)state;
    expect_parse("(a or b) and c", "and(or(a, b), c)");
    expect_parse("a and (b or c)", "and(a, or(b, c))");
    expect_parse("not (a and b)", "not(and(a, b))");
    expect_parse("((a))", "a");
    parsed *p = parse("(a)");
    assert_int_equal(p->root->offset, 1); /* parentheses make no node */
    tu_release(p);
}

static void test_parse_left_associative(void **state)
{
    (void)state;
    expect_parse("a and b and c", "and(and(a, b), c)");
    expect_parse("a or b or c", "or(or(a, b), c)");
}

static void test_parse_quantifiers(void **state)
{
    (void)state;
    expect_parse("1 of sel*", "one_of(sel*)");
    expect_parse("any of sel*", "one_of(sel*)");
    expect_parse("all of sel*", "all_of(sel*)");
    expect_parse("1 of them", "one_of(them)");
    expect_parse("all of them", "all_of(them)");
    expect_parse("1 of selection", "one_of(selection)");
    expect_parse("1 of *_main", "one_of(*_main)");
    expect_parse("all of sel*x*", "all_of(sel*x*)");
    parsed *p = parse("all of them");
    assert_int_equal(p->root->kind, SC_COND_ALL_OF);
    assert_null(p->root->name);
    tu_release(p);
}

static void test_parse_quantifier_binds_tighter(void **state)
{
    (void)state;
    expect_parse("not 1 of filter*", "not(one_of(filter*))");
    expect_parse("1 of sel* and not 1 of filter*", "and(one_of(sel*), not(one_of(filter*)))");
    expect_parse("all of a* or 1 of b*", "or(all_of(a*), one_of(b*))");
}

static void test_parse_offsets(void **state)
{
    (void)state;
    /*          0123456789012345 */
    parsed *p = parse("a or b and not c");
    const sc_cond *r = p->root;
    assert_int_equal(r->kind, SC_COND_OR);
    assert_int_equal(r->offset, 0);
    assert_int_equal(r->len, 16);
    const sc_cond *and = r->right;
    assert_int_equal(and->kind, SC_COND_AND);
    assert_int_equal(and->offset, 5);
    assert_int_equal(and->len, 11);
    const sc_cond *not = and->right;
    assert_int_equal(not->kind, SC_COND_NOT);
    assert_int_equal(not->offset, 11);
    assert_int_equal(not->len, 5);
    assert_int_equal(not->left->offset, 15);
    assert_int_equal(not->left->len, 1);
    tu_release(p);
    p = parse("x and 1 of sel*");
    assert_int_equal(p->root->right->kind, SC_COND_ONE_OF);
    assert_int_equal(p->root->right->offset, 6);
    assert_int_equal(p->root->right->len, 9);
    tu_release(p);
}

static void test_parse_error_positions(void **state)
{
    (void)state;
    /* exact site: offset maps to column 10 + offset on line 3 */
    parsed *p = parse("a ) b");
    assert_null(p->root);
    assert_int_equal(p->diags.n, 1);
    assert_string_equal(p->diags.items[0].code, "condition-syntax");
    assert_int_equal(p->diags.items[0].line, 3);
    assert_int_equal(p->diags.items[0].col, 12);
    tu_release(p);
    p = parse("a AND b");
    assert_null(p->root);
    assert_int_equal(p->diags.items[0].col, 12);
    assert_int_equal(p->diags.items[0].len, 3);
    tu_release(p);
}

/* =========================================================== resolved */
static void test_resolved_identifier(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_cond("a");
    tu_expect_clean(ctx, 1);
    const sigcc_rule *r = tu_rule(ctx, 0);
    const sc_node *n = r->condition;
    assert_int_equal(n->kind, SC_NODE_SEL);
    assert_string_equal(n->u.sel.name, "a");
    assert_int_equal(n->loc.line, 8);
    assert_int_equal(n->loc.col, 16);
    /* the selection's detection is under the SEL node */
    assert_int_equal(n->u.sel.child->kind, SC_NODE_MATCH);
    assert_string_equal(n->u.sel.child->u.match.field, "f");
    assert_int_equal(r->n_conditions, 1);
    assert_string_equal(r->condition_texts[0], "a");
    tu_release(ctx);
}

static void test_resolved_precedence_shape(void **state)
{
    (void)state;
    expect_resolved("a or b and not c", "or(a, and(b, not(c)))");
    expect_resolved("a and b or c and d", "or(and(a, b), and(c, d))");
    expect_resolved("not a and b", "and(not(a), b)");
    expect_resolved("a and (b or c)", "and(a, or(b, c))");
    expect_resolved("not (a or b)", "not(or(a, b))");
    expect_resolved("not not a", "not(not(a))");
    /* operand positions survive resolution */
    sigcc_ctx *ctx = load_cond("a or b and not c");
    const sc_node *n = tu_rule(ctx, 0)->condition;
    assert_int_equal(n->kind, SC_NODE_OR);
    assert_int_equal(n->u.list.n, 2);
    const sc_node *and = n->u.list.items[1];
    assert_int_equal(and->kind, SC_NODE_AND);
    assert_int_equal(and->u.list.items[0]->loc.col, 21); /* b */
    assert_int_equal(and->u.list.items[1]->kind, SC_NODE_NOT);
    assert_int_equal(and->u.list.items[1]->u.child->loc.col, 31); /* c */
    tu_release(ctx);
}

static void test_resolved_chains_flatten(void **state)
{
    (void)state;
    expect_resolved("a and b and c and d", "and(a, b, c, d)");
    expect_resolved("a or b or c", "or(a, b, c)");
    expect_resolved("a and b and c or d", "or(and(a, b, c), d)");
    expect_resolved("a or b and c or d", "or(a, and(b, c), d)");
    sigcc_ctx *ctx = load_cond("a and b and c and d");
    const sc_node *n = tu_rule(ctx, 0)->condition;
    assert_int_equal(n->kind, SC_NODE_AND);
    assert_int_equal(n->u.list.n, 4); /* one n-ary node, operands in order */
    tu_release(ctx);
}

static const char *const quant_idents = "sel_one: {f: 1}\n"
                                        "sel_two: {f: 2}\n"
                                        "other: {f: 3}\n"
                                        "filter_x: {f: 4}\n"
                                        "_private: {f: 5}";

static void test_resolved_one_of(void **state)
{
    (void)state;
    expect_resolved_in(quant_idents, "1 of sel*", "or(sel_one, sel_two)");
    expect_resolved_in(quant_idents, "any of sel*", "or(sel_one, sel_two)");
    expect_resolved_in(quant_idents, "1 of *_*", "or(sel_one, sel_two, filter_x)");
    /* one match: the selection itself, no one-element OR */
    expect_resolved_in(quant_idents, "1 of filter*", "filter_x");
    expect_resolved_in(quant_idents, "1 of other", "other");
}

static void test_resolved_all_of(void **state)
{
    (void)state;
    expect_resolved_in(quant_idents, "all of sel*", "and(sel_one, sel_two)");
    expect_resolved_in(quant_idents, "all of *o*", "and(sel_one, sel_two, other)");
}

static void test_resolved_them_skips_underscore(void **state)
{
    (void)state;
    expect_resolved_in(quant_idents, "1 of them", "or(sel_one, sel_two, other, filter_x)");
    expect_resolved_in(quant_idents, "all of them", "and(sel_one, sel_two, other, filter_x)");
    /* a pattern that is not _-prefixed skips them too; one that is doesn't */
    expect_resolved_in(quant_idents, "1 of *", "or(sel_one, sel_two, other, filter_x)");
    expect_resolved_in(quant_idents, "1 of _*", "_private");
    expect_resolved_in(quant_idents, "1 of sel* and not _private",
                       "and(or(sel_one, sel_two), not(_private))");
}

static void test_resolved_quantifier_in_expression(void **state)
{
    (void)state;
    expect_resolved_in(quant_idents, "1 of sel* and not 1 of filter*",
                       "and(or(sel_one, sel_two), not(filter_x))");
    expect_resolved_in(quant_idents, "all of sel* or other", "or(and(sel_one, sel_two), other)");
}

static void test_resolved_pattern_reaches_pipe_and_dot(void **state)
{
    (void)state;
    /* identifiers seen in the SigmaHQ corpus, reached through patterns */
    static const char *const idents = "select_tree_execution|endswith: {f: 1}\n"
                                      "select_other: {f: 2}\n"
                                      "filter_main_mdadm.conf: {f: 3}";
    expect_resolved_in(idents, "1 of select* and not 1 of filter_main*",
                       "and(or(select_tree_execution|endswith, select_other), "
                       "not(filter_main_mdadm.conf))");
    /* a dotted identifier can also be named directly */
    expect_resolved_in(idents, "select_other and not filter_main_mdadm.conf",
                       "and(select_other, not(filter_main_mdadm.conf))");
}

static void test_resolved_condition_list_is_or(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_rule(NULL, "condition:\n    - a and b\n    - c\n    - not d");
    char *got = resolved(ctx);
    assert_string_equal(got, "or(and(a, b), c, not(d))");
    tu_release(got);
    const sigcc_rule *r = tu_rule(ctx, 0);
    assert_int_equal(r->n_conditions, 3);
    assert_string_equal(r->condition_texts[0], "a and b");
    assert_string_equal(r->condition_texts[1], "c");
    assert_string_equal(r->condition_texts[2], "not d");
    tu_release(ctx);
    /* a one-element list is just that condition */
    ctx = load_rule(NULL, "condition:\n    - a or b");
    got = resolved(ctx);
    assert_string_equal(got, "or(a, b)");
    tu_release(got);
    tu_release(ctx);
}

static void test_resolved_quoted_conditions(void **state)
{
    (void)state;
    expect_resolved("'a and not b'", "and(a, not(b))");
    expect_resolved("\"1 of them\"", "or(a, b, c, d)");
}

static void test_unused_identifier_warning(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_cond("a or c");
    tu_expect_clean(ctx, 1);
    assert_int_equal(tu_count_code(ctx, "unused-identifier"), 2);
    const sigcc_diag *d = tu_find_diag(ctx, "unused-identifier");
    assert_int_equal(d->severity, SIGCC_WARNING);
    assert_int_equal(d->line, 5); /* b */
    assert_int_equal(d->col, 5);
    tu_release(ctx);
}

/* ============================================================= errors */
static void test_unknown_identifier(void **state)
{
    (void)state;
    sigcc_ctx *ctx;
    const sigcc_diag *d = cond_error(&ctx, "a and zz", "unknown-identifier", 22);
    assert_int_equal(d->len, 2);
    assert_non_null(strstr(d->message, "'zz'"));
    tu_release(ctx);
    /* quoted: the opening quote shifts the columns by one */
    cond_rejected("'a and zz'", "unknown-identifier", 23);
    cond_rejected("\"a and zz\"", "unknown-identifier", 23);
    /* in a list element */
    ctx = load_rule(NULL, "condition:\n    - a\n    - c and zz");
    tu_expect_rejected_at(ctx, "unknown-identifier", 10, 17);
    /* identifiers are case-sensitive */
    cond_rejected("A", "unknown-identifier", 16);
}

static void test_unknown_identifier_hint(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_rule("selection: {f: 1}", "condition: selections");
    const sigcc_diag *d = tu_expect_error_at(ctx, "unknown-identifier", 5, 16);
    assert_int_equal(d->len, 10);
    assert_non_null(strstr(d->message, "did you mean 'selection'"));
    tu_release(ctx);
}

static void test_quantifier_matches_nothing(void **state)
{
    (void)state;
    sigcc_ctx *ctx;
    const sigcc_diag *d = cond_error(&ctx, "a or 1 of nomatch*", "unknown-identifier", 21);
    assert_non_null(strstr(d->message, "nomatch*"));
    tu_release(ctx);
    /* 'them' with only _-prefixed identifiers matches nothing */
    ctx = load_rule("_x: {f: 1}", "condition: all of them");
    tu_expect_rejected_at(ctx, "unknown-identifier", 5, 16);
}

static void test_unbalanced_parentheses(void **state)
{
    (void)state;
    sigcc_ctx *ctx;
    const sigcc_diag *d = cond_error(&ctx, "a)", "condition-syntax", 17);
    assert_non_null(strstr(d->message, ")"));
    tu_release(ctx);
    cond_rejected("(a or b))", "condition-syntax", 24);
    cond_rejected("()", "condition-syntax", 17);
    /* an unclosed '(': reported on the condition line */
    ctx = load_cond("(a and b");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    d = tu_find_diag(ctx, "condition-syntax");
    assert_non_null(d);
    assert_int_equal(d->line, 8);
    assert_non_null(strstr(d->message, "end of condition"));
    tu_release(ctx);
}

static void test_trailing_and_missing_operands(void **state)
{
    (void)state;
    static const char *const bad[] = {"a and", "a or", "not", "a and not", "and a", "or",
                                      "a b", "1 of", "of a", "all them"};
    for (size_t i = 0; i < TU_COUNT(bad); i++) {
        sigcc_ctx *ctx = load_cond(bad[i]);
        if (sigcc_rule_count(ctx) != 0 || !tu_find_diag(ctx, "condition-syntax"))
            print_message("condition [%s] was not rejected as condition-syntax\n", bad[i]);
        assert_int_equal(sigcc_rule_count(ctx), 0);
        const sigcc_diag *d = tu_find_diag(ctx, "condition-syntax");
        assert_non_null(d);
        assert_int_equal(d->line, 8);
        /* within the condition text or just past it */
        assert_true(d->col >= 16 && d->col <= 16 + strlen(bad[i]));
        tu_release(ctx);
    }
    cond_rejected("a b", "condition-syntax", 18);
    cond_rejected("and a", "condition-syntax", 16);
}

static void test_uppercase_keyword_hint(void **state)
{
    (void)state;
    sigcc_ctx *ctx;
    const sigcc_diag *d = cond_error(&ctx, "a AND b", "condition-syntax", 18);
    assert_int_equal(d->len, 3);
    assert_non_null(strstr(d->message, "write 'and'"));
    tu_release(ctx);
    d = cond_error(&ctx, "a Or b", "condition-syntax", 18);
    assert_non_null(strstr(d->message, "write 'or'"));
    tu_release(ctx);
    d = cond_error(&ctx, "1 OF a", "condition-syntax", 18);
    assert_non_null(strstr(d->message, "write 'of'"));
    tu_release(ctx);
    d = cond_error(&ctx, "a and NOT b", "condition-syntax", 26);
    tu_release(ctx);
}

static void test_quantifier_two_of(void **state)
{
    (void)state;
    sigcc_ctx *ctx;
    const sigcc_diag *d = cond_error(&ctx, "2 of a*", "condition-quantifier", 16);
    assert_int_equal(d->len, 1);
    assert_non_null(strstr(d->message, "'2 of'"));
    tu_release(ctx);
    cond_rejected("a or 10 of b*", "condition-quantifier", 21);
    cond_rejected("0 of them", "condition-quantifier", 16);
}

static void test_v1_count(void **state)
{
    (void)state;
    sigcc_ctx *ctx;
    const sigcc_diag *d = cond_error(&ctx, "a | count() > 5", "v1-aggregation", 18);
    assert_int_equal(d->len, 13);
    assert_non_null(strstr(d->message, "correlation"));
    tu_release(ctx);
    cond_rejected("a | count(User) by Computer > 10", "v1-aggregation", 18);
    cond_rejected("1 of a* |sum(x) > 3", "v1-aggregation", 24);
    cond_rejected("a | max(x) > 1", "v1-aggregation", 18);
    cond_rejected("a | min(x) < 1", "v1-aggregation", 18);
    cond_rejected("a | avg(x) > 1", "v1-aggregation", 18);
}

static void test_v1_near(void **state)
{
    (void)state;
    sigcc_ctx *ctx;
    const sigcc_diag *d = cond_error(&ctx, "a | near b and not c", "v1-near", 18);
    assert_int_equal(d->len, 18);
    assert_non_null(strstr(d->message, "temporal"));
    tu_release(ctx);
}

static void test_v1_timeframe(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_rule("a: {f: 1}\ntimeframe: 5m", "condition: a");
    tu_expect_rejected_at(ctx, "v1-timeframe", 5, 5);
}

static void test_other_pipes_and_characters(void **state)
{
    (void)state;
    sigcc_ctx *ctx;
    const sigcc_diag *d = cond_error(&ctx, "a | b", "condition-syntax", 18);
    assert_int_equal(d->len, 1);
    tu_release(ctx);
    /* an identifier holding '|' cannot be named directly, only by pattern */
    ctx = load_rule("sel|x: {f: 1}", "condition: sel|x");
    tu_expect_rejected_at(ctx, "condition-syntax", 5, 19);
    cond_rejected("a & b", "condition-syntax", 18);
    cond_rejected("a && b", "condition-syntax", 18);
    cond_rejected("'!a'", "condition-syntax", 17);
}

static void test_condition_not_a_string(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_rule(NULL, "condition: {a: b}");
    tu_expect_rejected_at(ctx, "condition-type", 8, 16);
    ctx = load_rule(NULL, "condition: []");
    tu_expect_rejected_at(ctx, "condition-type", 8, 16);
    ctx = load_rule(NULL, "x: {f: 1}");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    assert_non_null(tu_find_diag(ctx, "missing-field"));
    tu_release(ctx);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    /* 64 levels of parentheses are fine, the 65th '(' is refused */
    char cond[256];
    size_t k = 0;
    for (int i = 0; i < 64; i++)
        cond[k++] = '(';
    cond[k++] = 'a';
    for (int i = 0; i < 64; i++)
        cond[k++] = ')';
    cond[k] = '\0';
    sigcc_ctx *ctx = load_cond(cond);
    tu_expect_clean(ctx, 1);
    tu_release(ctx);
    k = 0;
    for (int i = 0; i < 65; i++)
        cond[k++] = '(';
    cond[k++] = 'a';
    for (int i = 0; i < 65; i++)
        cond[k++] = ')';
    cond[k] = '\0';
    cond_rejected(cond, "limit-condition-depth", 16 + 64);
    /* a long prefix of 'not' is depth too, and refused, not a crash */
    sc_buf b = {0};
    for (int i = 0; i < 300; i++)
        sc_buf_puts(&b, "not ");
    sc_buf_puts(&b, "a");
    char *nots = tu_str(sc_buf_take(&b));
    cond_rejected(nots, "limit-condition-depth", 16);
    tu_release(nots);
    /* 100 of them are fine: not(not(...(a)...)) under the and */
    sc_buf in = {0}, want = {0};
    sc_buf_puts(&want, "and(");
    for (int i = 0; i < 100; i++) {
        sc_buf_puts(&in, "not ");
        sc_buf_puts(&want, "not(");
    }
    sc_buf_puts(&in, "a and b");
    sc_buf_puts(&want, "a");
    for (int i = 0; i < 100; i++)
        sc_buf_putc(&want, ')');
    sc_buf_puts(&want, ", b)");
    char *in_s = tu_str(sc_buf_take(&in)), *want_s = tu_str(sc_buf_take(&want));
    expect_resolved(in_s, want_s);
    tu_release(in_s);
    tu_release(want_s);
}

static void test_long_chain_is_fine(void **state)
{
    (void)state;
    /* a chain of 5000 operands is flat, not deep */
    sc_buf b = {0};
    for (int i = 0; i < 5000; i++)
        sc_buf_puts(&b, i ? " or a" : "a");
    char *cond = tu_str(sc_buf_take(&b));
    sigcc_ctx *ctx = load_cond(cond);
    tu_expect_clean(ctx, 1);
    const sc_node *n = tu_rule(ctx, 0)->condition;
    assert_int_equal(n->kind, SC_NODE_OR);
    assert_int_equal(n->u.list.n, 5000);
    tu_release(ctx);
    tu_release(cond);
}

/* =============================================================== REGRESSIONS */
/* Regression: "unexpected end of condition" after an unclosed '(' points at the
 * last identifier ('b', column 23) instead of the end of the condition
 * (column 24) or the unclosed '(' (column 16). */
static void test_bug_unclosed_paren_position(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_cond("(a and b");
    const sigcc_diag *d = tu_find_diag(ctx, "condition-syntax");
    assert_non_null(d);
    if (d->col != 24 && d->col != 16)
        tu_dump_diags(ctx);
    assert_true(d->col == 24 || d->col == 16);
    tu_release(ctx);
}

/* Regression: a trailing lowercase operator ("a and") gets the hint "keywords are
 * lowercase: write 'and'", which it already is; likewise the correct 'of'
 * in "All of a". The hint belongs only to a keyword written in capitals. */
static void test_bug_no_lowercase_hint_for_lowercase_keyword(void **state)
{
    (void)state;
    static const char *const conds[] = {"a and", "a or", "a or not", "1 of", "All of a*"};
    for (size_t i = 0; i < TU_COUNT(conds); i++) {
        sigcc_ctx *ctx = load_cond(conds[i]);
        const sigcc_diag *d = tu_find_diag(ctx, "condition-syntax");
        assert_non_null(d);
        if (strstr(d->message, "keywords are lowercase: write 'and'") ||
            strstr(d->message, "keywords are lowercase: write 'or'") ||
            strstr(d->message, "keywords are lowercase: write 'not'") ||
            strstr(d->message, "keywords are lowercase: write 'of'")) {
            print_message("condition [%s]: %s\n", conds[i], d->message);
            fail();
        }
        tu_release(ctx);
    }
}

/* Regression: an empty condition ('' ) is reported one column past the opening
 * quote + 1 (column 18); the condition's first character is column 17. */
static void test_bug_empty_condition_position(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_cond("''");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    const sigcc_diag *d = tu_find_diag(ctx, "condition-syntax");
    assert_non_null(d);
    assert_int_equal(d->line, 8);
    if (d->col != 16 && d->col != 17)
        tu_dump_diags(ctx);
    assert_true(d->col == 16 || d->col == 17); /* the quote or the text after it */
    tu_release(ctx);
}

/* Regression: a condition folded over two lines (plain or quoted multi-line
 * scalar) is mapped as if it were on one line: for
 *     8      condition: a and
 *     9          zz
 * the unknown identifier is reported at 8:22 (past the end of line 8)
 * instead of 9:9, or at least the condition start 8:16. */
static void test_bug_multiline_condition_position(void **state)
{
    (void)state;
    static const char *const forms[] = {"condition: a and\n    zz", "condition: 'a and\n    zz'",
                                        "condition: \"a and\n    zz\""};
    for (size_t i = 0; i < TU_COUNT(forms); i++) {
        sigcc_ctx *ctx = load_rule(NULL, forms[i]);
        assert_int_equal(sigcc_rule_count(ctx), 0);
        const sigcc_diag *d = tu_find_diag(ctx, "unknown-identifier");
        assert_non_null(d);
        bool exact = d->line == 9 && d->col == 9;
        bool start = d->line == 8 && (d->col == 16 || d->col == 17);
        if (!exact && !start) {
            print_message("form %zu:\n", i);
            tu_dump_diags(ctx);
        }
        assert_true(exact || start);
        tu_release(ctx);
    }
}

/* Regression: a selection whose content is invalid is still a defined identifier;
 * the condition must not add "unknown search identifier". */
static void test_bug_invalid_selection_not_unknown(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_rule("a: {f|conatins: 1}\nb: {f: 2}", "condition: a and b");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    assert_non_null(tu_find_diag(ctx, "unknown-modifier"));
    if (tu_count_code(ctx, "unknown-identifier") != 0)
        tu_dump_diags(ctx);
    assert_int_equal(tu_count_code(ctx, "unknown-identifier"), 0);
    tu_release(ctx);
}

int main(void)
{
    const struct CMUnitTest parse_tests[] = {
        cmocka_unit_test(test_parse_identifier),
        cmocka_unit_test(test_parse_keyword_prefixed_identifiers),
        cmocka_unit_test(test_parse_and_or_not),
        cmocka_unit_test(test_parse_precedence),
        cmocka_unit_test(test_parse_parentheses),
        cmocka_unit_test(test_parse_left_associative),
        cmocka_unit_test(test_parse_quantifiers),
        cmocka_unit_test(test_parse_quantifier_binds_tighter),
        cmocka_unit_test(test_parse_offsets),
        cmocka_unit_test(test_parse_error_positions),
    };
    const struct CMUnitTest resolved_tests[] = {
        cmocka_unit_test(test_resolved_identifier),
        cmocka_unit_test(test_resolved_precedence_shape),
        cmocka_unit_test(test_resolved_chains_flatten),
        cmocka_unit_test(test_resolved_one_of),
        cmocka_unit_test(test_resolved_all_of),
        cmocka_unit_test(test_resolved_them_skips_underscore),
        cmocka_unit_test(test_resolved_quantifier_in_expression),
        cmocka_unit_test(test_resolved_pattern_reaches_pipe_and_dot),
        cmocka_unit_test(test_resolved_condition_list_is_or),
        cmocka_unit_test(test_resolved_quoted_conditions),
        cmocka_unit_test(test_unused_identifier_warning),
        cmocka_unit_test(test_long_chain_is_fine),
    };
    const struct CMUnitTest error_tests[] = {
        cmocka_unit_test(test_unknown_identifier),
        cmocka_unit_test(test_unknown_identifier_hint),
        cmocka_unit_test(test_quantifier_matches_nothing),
        cmocka_unit_test(test_unbalanced_parentheses),
        cmocka_unit_test(test_trailing_and_missing_operands),
        cmocka_unit_test(test_uppercase_keyword_hint),
        cmocka_unit_test(test_quantifier_two_of),
        cmocka_unit_test(test_v1_count),
        cmocka_unit_test(test_v1_near),
        cmocka_unit_test(test_v1_timeframe),
        cmocka_unit_test(test_other_pipes_and_characters),
        cmocka_unit_test(test_condition_not_a_string),
        cmocka_unit_test(test_nesting_limit),
    };
    const struct CMUnitTest bugs[] = {
        cmocka_unit_test(test_bug_unclosed_paren_position),
        cmocka_unit_test(test_bug_no_lowercase_hint_for_lowercase_keyword),
        cmocka_unit_test(test_bug_empty_condition_position),
        cmocka_unit_test(test_bug_multiline_condition_position),
        cmocka_unit_test(test_bug_invalid_selection_not_unknown),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("condition: parse tree", parse_tests, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("condition: resolved", resolved_tests, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("condition: errors", error_tests, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("condition: regressions (bugs found and fixed)",
                                          bugs, NULL, tu_cleanup);
    return failed;
}
