/*
 * test_modifiers.c - every value modifier of Sigma v2.1 (spec section 3):
 * the accepted form and the values it produces, and the rejected chains
 * with their diagnostic code and position.
 *
 * Rules are loaded from buffers with sigcc_load_buffer; the resulting
 * match leaves are read through internal.h. Each test rule has the shape
 *
 *     1  title: t
 *     2  logsource: {category: test}
 *     3  detection:
 *     4      sel:
 *     5          <first body line>      <- keys start at column 9
 *     .          ...
 *     n      condition: sel
 *
 * Expected encodings were computed outside the library, with the shell:
 *     printf 'ping' | base64                  -> cGluZw==
 *     printf ' ping' | base64                 -> IHBpbmc=    ([2:-2]  Bpbm)
 *     printf '  ping' | base64                -> ICBwaW5n    ([3:]    waW5n)
 *     printf 'c\0m\0d\0' | base64             -> YwBtAGQA
 *     printf '\0c\0m\0d' | base64             -> AGMAbQBk
 *     printf '\xff\xfec\0m\0d\0' | base64     -> //5jAG0AZAA=
 *     printf 'p\0i\0n\0g\0' | base64          -> cABpAG4AZwA=      ([:-2]  cABpAG4AZw)
 *     printf ' p\0i\0n\0g\0' | base64         -> IHAAaQBuAGcA      ([2:]   AAaQBuAGcA)
 *     printf '  p\0i\0n\0g\0' | base64        -> ICBwAGkAbgBnAA==  ([3:-3] wAGkAbgBnA)
 *     printf 'é😀' | iconv -t utf-16le | base64 -> 6QA92ADe
 *     printf 'é😀' | iconv -t utf-16be | base64 -> AOnYPd4A
 *
 * Groups:
 *   modifiers: accepted    - each modifier and its resulting values
 *   modifiers: rejected    - forbidden chains and values, code + line:col
 *   modifiers: regressions - bugs found by these tests, fixed, kept as regressions
 */
#include "test_util.h"

/* ------------------------------------------------------------ helpers */
static sigcc_ctx *load_sel(const char *body)
{
    sc_buf b = {0};
    sc_buf_puts(&b, "title: t\nlogsource: {category: test}\ndetection:\n    sel:\n");
    tu_put_indented(&b, body, "        ");
    sc_buf_puts(&b, "    condition: sel\n");
    return tu_load_buf(&b);
}

/* The i-th match of the selection (the selection is one match, or an AND
 * of one match per map entry). */
static const sc_match *match_at(const sigcc_ctx *ctx, size_t i)
{
    tu_expect_clean(ctx, 1);
    const sc_node *n = tu_selection(tu_rule(ctx, 0), "sel")->node;
    if (n->kind == SC_NODE_AND) {
        assert_true(i < n->u.list.n);
        n = n->u.list.items[i];
    } else {
        assert_int_equal(i, 0);
    }
    assert_int_equal(n->kind, SC_NODE_MATCH);
    return &n->u.match;
}

static bool has_mod(const sc_match *m, sc_mod mod)
{
    return (m->mods & SC_MODBIT(mod)) != 0;
}

/* Loads a one-line selection that must be rejected with `code` at
 * line:col; returns the context for more checks. */
static sigcc_ctx *expect_rejected(const char *body, const char *code, uint32_t line,
                                  uint32_t col)
{
    sigcc_ctx *ctx = load_sel(body);
    assert_int_equal(sigcc_rule_count(ctx), 0);
    tu_expect_error_at(ctx, code, line, col);
    return ctx;
}

static void rejected(const char *body, const char *code, uint32_t line, uint32_t col)
{
    sigcc_ctx *ctx = expect_rejected(body, code, line, col);
    tu_release(ctx);
}

static void expect_number(const sc_value *v, bool is_int, int64_t ival, double num)
{
    assert_int_equal(v->kind, SC_VAL_NUMBER);
    assert_int_equal(v->is_int, is_int);
    if (is_int)
        assert_int_equal(v->ival, ival);
    assert_true(v->num == num);
}

/* A small reference evaluator for string matches, to test what a tree
 * means independently of how the library chooses to shape it. An event is
 * a NULL-terminated list of "Field", "value" pairs. */
static bool tu_glob(const sc_part *p, size_t n, const char *s, bool cased)
{
    if (n == 0)
        return *s == '\0';
    switch (p->kind) {
    case SC_PART_LIT:
        for (size_t i = 0; i < p->len; i++) {
            char a = s[i], b = p->text[i];
            if (!a)
                return false;
            if (!cased && a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (!cased && b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != b)
                return false;
        }
        return tu_glob(p + 1, n - 1, s + p->len, cased);
    case SC_PART_ONE:
        if (!*s)
            return false;
        s++;
        while ((*s & 0xc0) == 0x80) /* one UTF-8 character */
            s++;
        return tu_glob(p + 1, n - 1, s, cased);
    case SC_PART_STAR:
        for (;; s++) {
            if (tu_glob(p + 1, n - 1, s, cased))
                return true;
            if (!*s)
                return false;
        }
    case SC_PART_PLACEHOLDER:
        break;
    }
    fail_msg("placeholder in evaluated value");
    return false;
}

static bool tu_eval(const sc_node *n, const char *const *event)
{
    switch (n->kind) {
    case SC_NODE_TRUE: return true;
    case SC_NODE_FALSE: return false;
    case SC_NODE_NOT: return !tu_eval(n->u.child, event);
    case SC_NODE_SEL: return tu_eval(n->u.sel.child, event);
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++) {
            bool r = tu_eval(n->u.list.items[i], event);
            if (n->kind == SC_NODE_AND && !r)
                return false;
            if (n->kind == SC_NODE_OR && r)
                return true;
        }
        return n->kind == SC_NODE_AND;
    case SC_NODE_MATCH: break;
    }
    const sc_match *m = &n->u.match;
    assert_int_equal(m->op, SC_OP_EQ);
    bool result = m->all;
    for (size_t v = 0; v < m->n_values; v++) {
        assert_int_equal(m->values[v].kind, SC_VAL_STRING);
        bool hit = false;
        for (size_t k = 0; event[k]; k += 2)
            if (!m->field || strcmp(m->field, event[k]) == 0)
                hit |= tu_glob(m->values[v].parts, m->values[v].n_parts, event[k + 1], m->cased);
        if (m->all && !hit)
            result = false;
        if (!m->all && hit)
            result = true;
    }
    return m->negated ? !result : result;
}

/* Evaluates the rule's condition on one event. */
static bool matches(const sigcc_ctx *ctx, const char *const *event)
{
    tu_expect_clean(ctx, 1);
    return tu_eval(tu_rule(ctx, 0)->condition, event);
}

/* =================================================== accepted: generic */
static void test_no_modifier(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("Image: 'C:\\Windows\\x.exe'");
    const sc_match *m = match_at(ctx, 0);
    assert_string_equal(m->field, "Image");
    assert_int_equal(m->mods, 0);
    assert_int_equal(m->n_chain, 0);
    assert_int_equal(m->op, SC_OP_EQ);
    assert_false(m->cased);
    assert_false(m->all);
    assert_false(m->negated);
    assert_int_equal(m->n_values, 1);
    tu_expect_string_value(&m->values[0], "C:\\Windows\\x.exe");
    tu_release(ctx);
}

static void test_contains(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("CommandLine|contains: 'whoami'");
    const sc_match *m = match_at(ctx, 0);
    assert_string_equal(m->field, "CommandLine");
    assert_true(has_mod(m, SC_MOD_CONTAINS));
    assert_int_equal(m->n_chain, 1);
    assert_int_equal(m->chain[0], SC_MOD_CONTAINS);
    assert_int_equal(m->op, SC_OP_EQ);
    assert_int_equal(m->n_values, 1);
    const sc_value *v = &m->values[0];
    assert_int_equal(v->kind, SC_VAL_STRING);
    assert_int_equal(v->n_parts, 3);
    assert_int_equal(v->parts[0].kind, SC_PART_STAR);
    assert_int_equal(v->parts[1].kind, SC_PART_LIT);
    assert_int_equal(v->parts[1].len, 6);
    assert_memory_equal(v->parts[1].text, "whoami", 6);
    assert_int_equal(v->parts[2].kind, SC_PART_STAR);
    /* the value keeps the text as written in the YAML */
    assert_int_equal(v->raw_len, 6);
    assert_memory_equal(v->raw, "whoami", 6);
    tu_release(ctx);
}

static void test_contains_keeps_inner_wildcards_no_double_star(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|contains: 'Send-MailMessage*-Attachments'\n"
                              "b|contains: '*x'\n"
                              "c|contains: 'x*'\n"
                              "d|contains: '\\*'\n"
                              "e|contains: 5");
    tu_expect_string_value(&match_at(ctx, 0)->values[0], "*Send-MailMessage*-Attachments*");
    /* a star already at an end is not doubled */
    assert_int_equal(match_at(ctx, 1)->values[0].n_parts, 3);
    tu_expect_string_value(&match_at(ctx, 1)->values[0], "*x*");
    assert_int_equal(match_at(ctx, 2)->values[0].n_parts, 3);
    tu_expect_string_value(&match_at(ctx, 2)->values[0], "*x*");
    /* an escaped star is a literal: it gets wrapped */
    tu_expect_string_value(&match_at(ctx, 3)->values[0], "*\\**");
    /* a number under a string modifier becomes a string */
    tu_expect_string_value(&match_at(ctx, 4)->values[0], "*5*");
    tu_release(ctx);
}

static void test_contains_list_is_or(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("CommandLine|contains:\n    - ' -a'\n    - ' -b'");
    const sc_match *m = match_at(ctx, 0);
    assert_false(m->all);
    static const char *const want[] = {"* -a*", "* -b*"};
    tu_expect_value_set(m, want, 2);
    tu_release(ctx);
}

static void test_startswith(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("Image|startswith: 'C:\\Windows\\'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_STARTSWITH));
    const sc_value *v = &m->values[0];
    /* the trailing backslash stays a literal backslash, then the wildcard */
    assert_int_equal(v->n_parts, 2);
    assert_int_equal(v->parts[0].kind, SC_PART_LIT);
    assert_int_equal(v->parts[0].len, 11);
    assert_memory_equal(v->parts[0].text, "C:\\Windows\\", 11);
    assert_int_equal(v->parts[1].kind, SC_PART_STAR);
    tu_release(ctx);
}

static void test_endswith(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("Image|endswith: '\\cmd.exe'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_ENDSWITH));
    const sc_value *v = &m->values[0];
    assert_int_equal(v->n_parts, 2);
    assert_int_equal(v->parts[0].kind, SC_PART_STAR);
    assert_int_equal(v->parts[1].kind, SC_PART_LIT);
    assert_memory_equal(v->parts[1].text, "\\cmd.exe", 8);
    tu_release(ctx);
}

static void test_all(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("CommandLine|contains|all:\n    - 'net'\n    - 'user'\n"
                              "Tags|all: [a, b]");
    const sc_match *m = match_at(ctx, 0);
    assert_true(m->all);
    assert_true(has_mod(m, SC_MOD_ALL));
    static const char *const want[] = {"*net*", "*user*"};
    tu_expect_value_set(m, want, 2);
    const sc_match *m2 = match_at(ctx, 1);
    assert_true(m2->all);
    static const char *const want2[] = {"a", "b"};
    tu_expect_value_set(m2, want2, 2);
    tu_release(ctx);
}

static void test_exists(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|exists: true\nb|exists: false");
    const sc_match *m = match_at(ctx, 0);
    assert_int_equal(m->op, SC_OP_EXISTS);
    assert_int_equal(m->n_values, 1);
    assert_int_equal(m->values[0].kind, SC_VAL_BOOL);
    assert_true(m->values[0].bval);
    m = match_at(ctx, 1);
    assert_int_equal(m->op, SC_OP_EXISTS);
    assert_int_equal(m->values[0].kind, SC_VAL_BOOL);
    assert_false(m->values[0].bval);
    tu_release(ctx);
}

static void test_cased(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|cased: 'AbC'\nb: 'AbC'\nc|contains|cased: 'Xy'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(m->cased);
    assert_true(has_mod(m, SC_MOD_CASED));
    tu_expect_string_value(&m->values[0], "AbC");
    assert_false(match_at(ctx, 1)->cased); /* default: case-insensitive */
    m = match_at(ctx, 2);
    assert_true(m->cased);
    tu_expect_string_value(&m->values[0], "*Xy*");
    tu_release(ctx);
}

static void test_neq(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|neq: 'x'\nb|neq:\n    - 1\n    - 2\nc|neq|contains: 'y'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(m->negated);
    assert_true(has_mod(m, SC_MOD_NEQ));
    assert_int_equal(m->op, SC_OP_EQ);
    tu_expect_string_value(&m->values[0], "x");
    m = match_at(ctx, 1);
    assert_true(m->negated);
    assert_int_equal(m->n_values, 2);
    expect_number(&m->values[0], true, 1, 1.0);
    expect_number(&m->values[1], true, 2, 2.0);
    m = match_at(ctx, 2);
    assert_true(m->negated);
    tu_expect_string_value(&m->values[0], "*y*");
    assert_false(match_at(ctx, 0)->all);
    tu_release(ctx);
}

/* ==================================================== accepted: string */
#define EN "\xe2\x80\x93" /* U+2013 en dash */
#define EM "\xe2\x80\x94" /* U+2014 em dash */
#define HB "\xe2\x80\x95" /* U+2015 horizontal bar */

static void test_windash_one_flag(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|windash: '-enc'\nb|windash: '/c'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_WINDASH));
    static const char *const want[] = {"-enc", "/enc", EN "enc", EM "enc", HB "enc"};
    tu_expect_value_set(m, want, 5);
    static const char *const want_c[] = {"-c", "/c", EN "c", EM "c", HB "c"};
    tu_expect_value_set(match_at(ctx, 1), want_c, 5);
    tu_release(ctx);
}

static void test_windash_two_flags_all_permutations(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|windash: 'x -e /w'");
    static const char *const dashes[] = {"-", "/", EN, EM, HB};
    char buf[25][32];
    const char *want[25];
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 5; k++) {
            snprintf(buf[i * 5 + k], sizeof buf[0], "x %se %sw", dashes[i], dashes[k]);
            want[i * 5 + k] = buf[i * 5 + k];
        }
    tu_expect_value_set(match_at(ctx, 0), want, 25);
    tu_release(ctx);
}

static void test_windash_only_flag_positions(void **state)
{
    (void)state;
    /* a dash inside a word (a-b) or before a non-word character is kept */
    sigcc_ctx *ctx = load_sel("a|windash: 'a-b'\nb|windash: 'x - y'\nc|windash: 'dir/sub'");
    static const char *const want_a[] = {"a-b"};
    tu_expect_value_set(match_at(ctx, 0), want_a, 1);
    static const char *const want_b[] = {"x - y"};
    tu_expect_value_set(match_at(ctx, 1), want_b, 1);
    static const char *const want_c[] = {"dir/sub"};
    tu_expect_value_set(match_at(ctx, 2), want_c, 1);
    tu_release(ctx);
}

static void test_windash_contains(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("CommandLine|windash|contains: ' -enc '");
    static const char *const want[] = {"* -enc *", "* /enc *", "* " EN "enc *", "* " EM "enc *",
                                       "* " HB "enc *"};
    tu_expect_value_set(match_at(ctx, 0), want, 5);
    tu_release(ctx);
}

static void test_re(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|re: '\\s-e\\s+x\\*'");
    const sc_match *m = match_at(ctx, 0);
    assert_int_equal(m->op, SC_OP_RE);
    assert_true(has_mod(m, SC_MOD_RE));
    assert_true(m->cased); /* regexes are case-sensitive by default */
    assert_int_equal(m->n_values, 1);
    assert_int_equal(m->values[0].kind, SC_VAL_REGEX);
    /* Sigma escapes and wildcards do not apply: the pattern is kept verbatim */
    assert_int_equal(m->values[0].raw_len, strlen("\\s-e\\s+x\\*"));
    assert_memory_equal(m->values[0].raw, "\\s-e\\s+x\\*", m->values[0].raw_len);
    tu_release(ctx);
}

static void test_re_flags_and_aliases(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|re|i: 'x'\n"
                              "b|re|ignorecase: 'x'\n"
                              "c|re|m: '^x$'\n"
                              "d|re|multiline: '^x$'\n"
                              "e|re|s: 'a.b'\n"
                              "f|re|dotall: 'a.b'\n"
                              "g|re|i|m|s: 'x'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_RE_I));
    assert_false(m->cased);
    m = match_at(ctx, 1);
    assert_true(has_mod(m, SC_MOD_RE_I));
    assert_int_equal(m->chain[1], SC_MOD_RE_I); /* the alias maps to the same modifier */
    assert_false(m->cased);
    m = match_at(ctx, 2);
    assert_true(has_mod(m, SC_MOD_RE_M));
    assert_true(m->cased);
    m = match_at(ctx, 3);
    assert_true(has_mod(m, SC_MOD_RE_M));
    assert_int_equal(m->chain[1], SC_MOD_RE_M);
    m = match_at(ctx, 4);
    assert_true(has_mod(m, SC_MOD_RE_S));
    m = match_at(ctx, 5);
    assert_true(has_mod(m, SC_MOD_RE_S));
    assert_int_equal(m->chain[1], SC_MOD_RE_S);
    m = match_at(ctx, 6);
    assert_int_equal(m->mods, SC_MODBIT(SC_MOD_RE) | SC_MODBIT(SC_MOD_RE_I) |
                                  SC_MODBIT(SC_MOD_RE_M) | SC_MODBIT(SC_MOD_RE_S));
    assert_int_equal(m->n_chain, 4);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(match_at(ctx, i)->op, SC_OP_RE);
    tu_release(ctx);
}

static void test_re_list_and_all(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|re|all:\n    - 'x'\n    - 'y'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(m->all);
    assert_int_equal(m->n_values, 2);
    assert_int_equal(m->values[0].kind, SC_VAL_REGEX);
    assert_int_equal(m->values[1].kind, SC_VAL_REGEX);
    tu_release(ctx);
}

static void test_base64(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|base64: 'ping'\nb|base64|contains: 'ping'\n"
                              "c|base64: 'cmd'\nd|base64: 'a\\*'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_BASE64));
    static const char *const want[] = {"cGluZw=="};
    tu_expect_value_set(m, want, 1);
    static const char *const want_b[] = {"*cGluZw==*"};
    tu_expect_value_set(match_at(ctx, 1), want_b, 1);
    static const char *const want_c[] = {"Y21k"};
    tu_expect_value_set(match_at(ctx, 2), want_c, 1);
    /* an escaped star is a literal '*' byte: printf 'a*' | base64 -> YSo= */
    static const char *const want_d[] = {"YSo="};
    tu_expect_value_set(match_at(ctx, 3), want_d, 1);
    tu_release(ctx);
}

static void test_base64offset(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|base64offset: 'ping'\nb|base64offset|contains: 'ping'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_BASE64OFFSET));
    static const char *const want[] = {"cGluZ", "Bpbm", "waW5n"};
    tu_expect_value_set(m, want, 3);
    static const char *const want_c[] = {"*cGluZ*", "*Bpbm*", "*waW5n*"};
    tu_expect_value_set(match_at(ctx, 1), want_c, 3);
    tu_release(ctx);
}

static void test_utf16le_and_wide(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|utf16le|base64: 'cmd'\nb|wide|base64: 'cmd'\n"
                              "c|utf16le|base64: 'é😀'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_UTF16LE));
    static const char *const want[] = {"YwBtAGQA"};
    tu_expect_value_set(m, want, 1);
    m = match_at(ctx, 1);
    assert_true(has_mod(m, SC_MOD_UTF16LE)); /* 'wide' is an alias of utf16le */
    tu_expect_value_set(m, want, 1);
    static const char *const want_c[] = {"6QA92ADe"};
    tu_expect_value_set(match_at(ctx, 2), want_c, 1);
    tu_release(ctx);
}

static void test_utf16be(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|utf16be|base64: 'cmd'\nb|utf16be|base64: 'é😀'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_UTF16BE));
    static const char *const want[] = {"AGMAbQBk"};
    tu_expect_value_set(m, want, 1);
    static const char *const want_b[] = {"AOnYPd4A"};
    tu_expect_value_set(match_at(ctx, 1), want_b, 1);
    tu_release(ctx);
}

static void test_utf16_bom(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|utf16|base64: 'cmd'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_UTF16));
    static const char *const want[] = {"//5jAG0AZAA="};
    tu_expect_value_set(m, want, 1);
    tu_release(ctx);
}

static void test_wide_base64offset_contains(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("CommandLine|wide|base64offset|contains: 'ping'");
    const sc_match *m = match_at(ctx, 0);
    assert_int_equal(m->n_chain, 3);
    assert_int_equal(m->chain[0], SC_MOD_UTF16LE);
    assert_int_equal(m->chain[1], SC_MOD_BASE64OFFSET);
    assert_int_equal(m->chain[2], SC_MOD_CONTAINS);
    static const char *const want[] = {"*cABpAG4AZw*", "*AAaQBuAGcA*", "*wAGkAbgBnA*"};
    tu_expect_value_set(m, want, 3);
    tu_release(ctx);
}

/* =================================================== accepted: numeric */
static void test_compare_modifiers(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|lt: 10\nb|lte: 10\nc|gt: 1.5\nd|gte: '7'\ne|gt: -3\n"
                              "f|lt:\n    - 1\n    - 2");
    const sc_match *m = match_at(ctx, 0);
    assert_int_equal(m->op, SC_OP_LT);
    expect_number(&m->values[0], true, 10, 10.0);
    m = match_at(ctx, 1);
    assert_int_equal(m->op, SC_OP_LTE);
    expect_number(&m->values[0], true, 10, 10.0);
    m = match_at(ctx, 2);
    assert_int_equal(m->op, SC_OP_GT);
    expect_number(&m->values[0], false, 0, 1.5);
    m = match_at(ctx, 3);
    assert_int_equal(m->op, SC_OP_GTE);
    expect_number(&m->values[0], true, 7, 7.0); /* a quoted number still compares */
    m = match_at(ctx, 4);
    expect_number(&m->values[0], true, -3, -3.0);
    m = match_at(ctx, 5);
    assert_int_equal(m->n_values, 2);
    assert_false(m->all);
    tu_release(ctx);
}

static void test_time_modifiers(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("t1|minute: 30\nt2|hour: 12\nt3|day: 1\nt4|week: 52\n"
                              "t5|month: 12\nt6|year: 2024\nt7|hour|gte: 22\nt8|lt|day: 5");
    static const sc_timepart parts[] = {SC_TIME_MINUTE, SC_TIME_HOUR, SC_TIME_DAY,
                                        SC_TIME_WEEK,   SC_TIME_MONTH, SC_TIME_YEAR};
    static const int64_t vals[] = {30, 12, 1, 52, 12, 2024};
    for (size_t i = 0; i < 6; i++) {
        const sc_match *m = match_at(ctx, i);
        assert_int_equal(m->timepart, parts[i]);
        assert_int_equal(m->op, SC_OP_EQ);
        assert_int_equal(m->n_values, 1);
        expect_number(&m->values[0], true, vals[i], (double)vals[i]);
    }
    const sc_match *m = match_at(ctx, 6);
    assert_int_equal(m->timepart, SC_TIME_HOUR);
    assert_int_equal(m->op, SC_OP_GTE);
    expect_number(&m->values[0], true, 22, 22.0);
    m = match_at(ctx, 7);
    assert_int_equal(m->timepart, SC_TIME_DAY);
    assert_int_equal(m->op, SC_OP_LT);
    tu_release(ctx);
}

/* ======================================================== accepted: ip */
static void test_cidr_v4(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|cidr: '10.0.0.0/8'\nb|cidr:\n    - '192.168.1.0/24'\n"
                              "    - '172.16.0.0/12'\nc|cidr: '1.2.3.4'");
    const sc_match *m = match_at(ctx, 0);
    assert_int_equal(m->op, SC_OP_CIDR);
    assert_int_equal(m->values[0].kind, SC_VAL_CIDR);
    assert_int_equal(m->values[0].family, 4);
    assert_int_equal(m->values[0].prefix, 8);
    static const uint8_t ten[4] = {10, 0, 0, 0};
    assert_memory_equal(m->values[0].addr, ten, 4);
    m = match_at(ctx, 1);
    assert_int_equal(m->n_values, 2);
    static const uint8_t net192[4] = {192, 168, 1, 0}, net172[4] = {172, 16, 0, 0};
    assert_int_equal(m->values[0].prefix, 24);
    assert_memory_equal(m->values[0].addr, net192, 4);
    assert_int_equal(m->values[1].prefix, 12);
    assert_memory_equal(m->values[1].addr, net172, 4);
    m = match_at(ctx, 2); /* a bare address is a /32 */
    assert_int_equal(m->values[0].prefix, 32);
    static const uint8_t host[4] = {1, 2, 3, 4};
    assert_memory_equal(m->values[0].addr, host, 4);
    tu_release(ctx);
}

static void test_cidr_v6(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|cidr: 'fe80::/10'\nb|cidr: '2001:db8::/32'\nc|cidr: '::1'");
    const sc_match *m = match_at(ctx, 0);
    assert_int_equal(m->values[0].kind, SC_VAL_CIDR);
    assert_int_equal(m->values[0].family, 6);
    assert_int_equal(m->values[0].prefix, 10);
    static const uint8_t fe80[16] = {0xfe, 0x80};
    assert_memory_equal(m->values[0].addr, fe80, 16);
    m = match_at(ctx, 1);
    assert_int_equal(m->values[0].family, 6);
    assert_int_equal(m->values[0].prefix, 32);
    static const uint8_t doc[16] = {0x20, 0x01, 0x0d, 0xb8};
    assert_memory_equal(m->values[0].addr, doc, 16);
    m = match_at(ctx, 2);
    assert_int_equal(m->values[0].prefix, 128);
    static const uint8_t lo[16] = {[15] = 1};
    assert_memory_equal(m->values[0].addr, lo, 16);
    tu_release(ctx);
}

/* ================================================== accepted: specific */
static void test_expand(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|expand: '%Administrators%'\nb|expand|contains: 'x%Servers%'\n"
                              "c: '%APPDATA%'");
    const sc_match *m = match_at(ctx, 0);
    assert_true(has_mod(m, SC_MOD_EXPAND));
    const sc_value *v = &m->values[0];
    assert_int_equal(v->n_parts, 1);
    assert_int_equal(v->parts[0].kind, SC_PART_PLACEHOLDER);
    assert_int_equal(v->parts[0].len, 14);
    assert_memory_equal(v->parts[0].text, "Administrators", 14);
    v = &match_at(ctx, 1)->values[0];
    assert_int_equal(v->n_parts, 4);
    assert_int_equal(v->parts[0].kind, SC_PART_STAR);
    assert_int_equal(v->parts[1].kind, SC_PART_LIT);
    assert_int_equal(v->parts[2].kind, SC_PART_PLACEHOLDER);
    assert_memory_equal(v->parts[2].text, "Servers", 7);
    assert_int_equal(v->parts[3].kind, SC_PART_STAR);
    /* without expand, %...% is literal text */
    v = &match_at(ctx, 2)->values[0];
    assert_int_equal(v->n_parts, 1);
    assert_int_equal(v->parts[0].kind, SC_PART_LIT);
    tu_release(ctx);
}

static void test_fieldref(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("Image|fieldref: ParentImage\nUser|fieldref|neq: TargetUser");
    const sc_match *m = match_at(ctx, 0);
    assert_int_equal(m->op, SC_OP_FIELDREF);
    assert_int_equal(m->n_values, 1);
    assert_int_equal(m->values[0].kind, SC_VAL_FIELD);
    assert_int_equal(m->values[0].raw_len, 11);
    assert_memory_equal(m->values[0].raw, "ParentImage", 11);
    m = match_at(ctx, 1);
    assert_int_equal(m->op, SC_OP_FIELDREF);
    assert_true(m->negated);
    assert_memory_equal(m->values[0].raw, "TargetUser", 10);
    tu_release(ctx);
}

static void test_keyword_string_modifiers(void **state)
{
    (void)state;
    /* a keyword search may carry string modifiers: '|contains' with no field */
    sigcc_ctx *ctx = load_sel("'|contains':\n    - 'a'\n    - 'b'");
    const sc_match *m = match_at(ctx, 0);
    assert_null(m->field);
    static const char *const want[] = {"*a*", "*b*"};
    tu_expect_value_set(m, want, 2);
    tu_release(ctx);
}

static void test_long_chain_accepted(void **state)
{
    (void)state;
    /* all + an expanding modifier: one leaf per written value, each ORing
     * its 3 shifts; neq negates the whole item: not (leaf_x and leaf_y). */
    sigcc_ctx *ctx = load_sel("a|wide|base64offset|contains|all|cased|neq:\n    - 'x'\n    - 'y'");
    tu_expect_clean(ctx, 1);
    const sc_node *n = tu_selection(tu_rule(ctx, 0), "sel")->node;
    assert_int_equal(n->kind, SC_NODE_NOT);
    n = n->u.child;
    assert_int_equal(n->kind, SC_NODE_AND);
    assert_int_equal(n->u.list.n, 2);
    for (size_t i = 0; i < 2; i++) {
        const sc_node *leaf = n->u.list.items[i];
        assert_int_equal(leaf->kind, SC_NODE_MATCH);
        const sc_match *m = &leaf->u.match;
        assert_int_equal(m->n_chain, 6);
        assert_false(m->all);
        assert_false(m->negated);
        assert_true(m->cased);
        assert_int_equal(m->n_values, 3); /* 3 shifts of one value */
    }
    tu_release(ctx);
}

static void test_semantics_all_and_expansions(void **state)
{
    (void)state;
    /* the evaluator agrees with the plain cases */
    sigcc_ctx *ctx = load_sel("CommandLine|contains|all:\n    - 'net'\n    - 'user'");
    assert_true(matches(ctx, (const char *const[]){"CommandLine", "NET USER x", NULL}));
    assert_false(matches(ctx, (const char *const[]){"CommandLine", "net view", NULL}));
    tu_release(ctx);
    ctx = load_sel("CommandLine|windash|contains: ' -a '");
    assert_true(matches(ctx, (const char *const[]){"CommandLine", "x /a y", NULL}));
    assert_true(matches(ctx, (const char *const[]){"CommandLine", "x " EN "a y", NULL}));
    assert_false(matches(ctx, (const char *const[]){"CommandLine", "x a y", NULL}));
    tu_release(ctx);
    ctx = load_sel("CommandLine|base64offset|contains: 'ab'");
    assert_true(matches(ctx, (const char *const[]){"CommandLine", "..Fi..", NULL}));
    tu_release(ctx);
    ctx = load_sel("a|neq:\n    - 'x'\n    - 'y'");
    assert_true(matches(ctx, (const char *const[]){"a", "z", NULL}));
    assert_false(matches(ctx, (const char *const[]){"a", "Y", NULL}));
    tu_release(ctx);
}

/* ========================================================== rejected */
static void test_unknown_modifier(void **state)
{
    (void)state;
    sigcc_ctx *ctx = expect_rejected("a|conatins: x", "unknown-modifier", 5, 11);
    const sigcc_diag *d = tu_find_diag(ctx, "unknown-modifier");
    assert_int_equal(d->len, 8);
    assert_non_null(strstr(d->message, "'contains'")); /* did-you-mean hint */
    tu_release(ctx);
    rejected("a|contains|bogus: x", "unknown-modifier", 5, 20);
    /* in a quoted key, columns count the opening quote */
    rejected("'a|conatins': x", "unknown-modifier", 5, 12);
    /* modifiers are case-sensitive, like the reference implementation */
    rejected("a|Contains: x", "unknown-modifier", 5, 11);
    /* columns count characters, not bytes: 'Imäge|' is 6 characters */
    rejected("Imäge|conatins: x", "unknown-modifier", 5, 15);
}

static void test_empty_modifier(void **state)
{
    (void)state;
    rejected("a||contains: x", "unknown-modifier", 5, 10);
    rejected("a|: x", "unknown-modifier", 5, 10);
}

static void test_duplicate_modifier(void **state)
{
    (void)state;
    rejected("a|contains|contains: x", "modifier-duplicate", 5, 20);
    /* an alias and its modifier are the same modifier */
    rejected("a|re|i|ignorecase: x", "modifier-duplicate", 5, 16);
}

static void test_chain_too_long(void **state)
{
    (void)state;
    /* 16 distinct modifiers (contains ... lt), then a 17th, 'gt', at column 103 */
    rejected("a|contains|all|exists|cased|neq|windash|re|i|m|s|base64|base64offset|utf16le|"
             "utf16be|utf16|lt|gt: x",
             "modifier-chain-length", 5, 103);
}

static void test_wildcard_modifiers_exclusive(void **state)
{
    (void)state;
    rejected("a|contains|startswith: x", "modifier-combination", 5, 20);
    rejected("a|startswith|endswith: x", "modifier-combination", 5, 22);
    rejected("a|endswith|contains: x", "modifier-combination", 5, 20);
}

static void test_re_combinations(void **state)
{
    (void)state;
    rejected("a|re|contains: x", "modifier-combination", 5, 14);
    rejected("a|startswith|re: x", "modifier-combination", 5, 22);
    rejected("a|re|cased: x", "modifier-combination", 5, 14);
    rejected("a|re|base64: x", "modifier-combination", 5, 14);
    rejected("a|re|windash: x", "modifier-combination", 5, 14);
    rejected("a|re|cidr: x", "modifier-combination", 5, 14);
}

static void test_re_flags_need_re(void **state)
{
    (void)state;
    rejected("a|i: x", "modifier-order", 5, 11);
    rejected("a|ignorecase: x", "modifier-order", 5, 11);
    rejected("a|contains|m: x", "modifier-order", 5, 20);
    rejected("a|s: x", "modifier-order", 5, 11);
    rejected("a|i|re: x", "modifier-order", 5, 11); /* flags follow 're' */
}

static void test_exists_alone(void **state)
{
    (void)state;
    rejected("a|exists|neq: true", "modifier-combination", 5, 18);
    rejected("a|contains|exists: true", "modifier-combination", 5, 20);
    rejected("a|exists|all: [true, false]", "modifier-combination", 5, 18);
    /* the value: one boolean */
    rejected("a|exists: 'yes'", "modifier-value", 5, 19);
    rejected("a|exists: 1", "modifier-value", 5, 19);
    rejected("a|exists: [true, false]", "modifier-value", 5, 9);
}

static void test_compare_rejected(void **state)
{
    (void)state;
    rejected("a|gt|lt: 5", "modifier-combination", 5, 14);
    rejected("a|gte|contains: 5", "modifier-combination", 5, 15);
    rejected("a|lt: abc", "modifier-value", 5, 15);
    rejected("a|gte: true", "modifier-value", 5, 16);
    rejected("a|lte: null", "modifier-value", 5, 16);
    rejected("'|gt': [1, 2]", "modifier-keyword", 5, 9);
}

static void test_time_rejected(void **state)
{
    (void)state;
    rejected("a|hour|minute: 9", "modifier-combination", 5, 16);
    rejected("a|day|contains: 9", "modifier-combination", 5, 15);
    rejected("a|month: 'may'", "modifier-value", 5, 18);
    rejected("'|year': [2024, 2025]", "modifier-keyword", 5, 9);
}

static void test_cidr_rejected(void **state)
{
    (void)state;
    rejected("a|cidr: '10.0.0.0/33'", "modifier-value", 5, 17);
    rejected("a|cidr: 'fe80::/129'", "modifier-value", 5, 17);
    rejected("a|cidr: '10.0.0/8'", "modifier-value", 5, 17);
    rejected("a|cidr: '10.0.0.0/'", "modifier-value", 5, 17);
    rejected("a|cidr: 'example.com'", "modifier-value", 5, 17);
    rejected("a|cidr|contains: '10.0.0.0/8'", "modifier-combination", 5, 16);
    rejected("'|cidr': ['10.0.0.0/8', '::1']", "modifier-keyword", 5, 9);
}

static void test_charset_needs_base64(void **state)
{
    (void)state;
    rejected("a|utf16le: x", "modifier-order", 5, 11);
    rejected("a|wide: x", "modifier-order", 5, 11);
    rejected("a|utf16be|contains: x", "modifier-order", 5, 11);
    rejected("a|base64|utf16: x", "modifier-order", 5, 18); /* charset after base64 */
    rejected("a|utf16le|utf16be|base64: x", "modifier-combination", 5, 19);
}

static void test_encoding_order_and_wildcards(void **state)
{
    (void)state;
    rejected("a|contains|base64: x", "modifier-order", 5, 11);
    rejected("a|endswith|base64offset: x", "modifier-order", 5, 11);
    rejected("a|expand|base64: x", "modifier-order", 5, 11);
    rejected("a|base64|base64offset: x", "modifier-combination", 5, 18);
    /* wildcards cannot be encoded (spec: "Wildcards are not allowed") */
    sigcc_ctx *ctx = expect_rejected("a|base64: 'a*b'", "modifier-wildcard", 5, 19);
    assert_int_equal(tu_find_diag(ctx, "modifier-wildcard")->len, 5);
    tu_release(ctx);
    rejected("a|base64offset|contains: 'x?'", "modifier-wildcard", 5, 34);
    rejected("a|expand|wide|base64: '%x%'", "modifier-order", 5, 11);
}

static void test_windash_expansion_limit(void **state)
{
    (void)state;
    /* 6 flags: 5^6 = 15625 values, under the field limit of 20000 */
    sigcc_ctx *ctx = load_sel("a|windash: '-a -b -c -d -e -f'");
    assert_int_equal(match_at(ctx, 0)->n_values, 15625);
    tu_release(ctx);
    /* 7 flags: 78125 values, refused at the value */
    rejected("a|windash: '-a -b -c -d -e -f -g'", "limit-expanded-values", 5, 20);
}

static void test_base64offset_too_short(void **state)
{
    (void)state;
    rejected("a|base64offset: ''", "modifier-value", 5, 25);
}

static void test_all_needs_a_list(void **state)
{
    (void)state;
    sigcc_ctx *ctx = expect_rejected("a|all: x", "modifier-all-single", 5, 9);
    assert_int_equal(tu_find_diag(ctx, "modifier-all-single")->len, 5);
    tu_release(ctx);
    rejected("a|contains|all: [x]", "modifier-all-single", 5, 9);
}

static void test_null_rules(void **state)
{
    (void)state;
    rejected("a|contains: null", "modifier-value", 5, 21);
    rejected("a: [x, null]", "null-in-list", 5, 9);
    rejected("a|re: null", "modifier-value", 5, 15);
    /* plain null and neq null are fine */
    sigcc_ctx *ctx = load_sel("a: null\nb|neq: null");
    assert_int_equal(match_at(ctx, 0)->values[0].kind, SC_VAL_NULL);
    assert_int_equal(match_at(ctx, 1)->values[0].kind, SC_VAL_NULL);
    assert_true(match_at(ctx, 1)->negated);
    tu_release(ctx);
}

static void test_regex_syntax(void **state)
{
    (void)state;
    /* quoted: the whole value; plain: the offset PCRE2 reports */
    sigcc_ctx *ctx = expect_rejected("a|re: '(abc'", "regex-syntax", 5, 15);
    assert_int_equal(tu_find_diag(ctx, "regex-syntax")->len, 6);
    tu_release(ctx);
    rejected("a|re: (abc", "regex-syntax", 5, 19);
    rejected("a|re: 'a{2,1}'", "regex-syntax", 5, 15);
}

static void test_fieldref_rejected(void **state)
{
    (void)state;
    rejected("a|fieldref: ''", "modifier-value", 5, 21);
    rejected("a|fieldref: null", "modifier-value", 5, 21);
    rejected("a|fieldref|re: x", "modifier-combination", 5, 20);
    rejected("'|fieldref': [a, b]", "modifier-keyword", 5, 9);
}

static void test_keyword_type_modifiers(void **state)
{
    (void)state;
    rejected("'|re': [a, b]", "modifier-keyword", 5, 9);
    rejected("'|exists': true", "modifier-keyword", 5, 9);
}

static void test_field_value_shapes(void **state)
{
    (void)state;
    rejected("a: {b: c}", "detection-value", 5, 12);
    rejected("a: []", "detection-empty", 5, 12);
    rejected("a:\n    - [x]", "detection-value", 6, 15);
}

/* ============================================================== REGRESSIONS */
/* Regression: one mistake in a selection gives one error. sigcc dropped the
 * selection, and the condition then also reported "unknown search
 * identifier 'sel'", although 'sel' is defined (a second, false error). */
static void test_bug_single_error_for_bad_modifier(void **state)
{
    (void)state;
    sigcc_ctx *ctx = expect_rejected("a|conatins: x", "unknown-modifier", 5, 11);
    if (sigcc_diag_count_severity(ctx, SIGCC_ERROR) != 1)
        tu_dump_diags(ctx);
    assert_int_equal(tu_count_code(ctx, "unknown-identifier"), 0);
    assert_int_equal(sigcc_diag_count_severity(ctx, SIGCC_ERROR), 1);
    tu_release(ctx);
}

/* Regression: in a quoted key with an escaped quote ('' in single quotes, \\ in
 * double quotes) the modifier column is one too small: the column is
 * computed on the unescaped text. 'it''s|conatins' -> 'conatins' starts
 * at column 16 (quote at 9), reported at 15. */
static void test_bug_modifier_column_after_escape_in_quoted_key(void **state)
{
    (void)state;
    rejected("'it''s|conatins': x", "unknown-modifier", 5, 16);
    /* double-quoted with escapes: documented fallback to the key's start */
    rejected("\"a\\\\b|conatins\": x", "unknown-modifier", 5, 9);
}

/* Regression: a regex error in a multi-line plain value is placed by its offset
 * in the folded text, on the first line, past the end of that line.
 *     5         a|re: abc
 *     6             (def
 * The error (offset 8, end of the folded text "abc (def") must point into
 * the value: at the end of line 6, or at least at the value start (5:15). */
static void test_bug_regex_position_multiline_plain(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|re: abc\n    (def");
    const sigcc_diag *d = tu_find_diag(ctx, "regex-syntax");
    assert_non_null(d);
    bool exact = d->line == 6 && d->col == 17;
    bool fallback = d->line == 5 && d->col == 15;
    if (!exact && !fallback)
        tu_dump_diags(ctx);
    assert_true(exact || fallback);
    tu_release(ctx);
}

/* Regression (per the reference implementation, pySigma's ip_network(), which is
 * strict): a CIDR with host bits set is a typo, e.g. 10.1.2.3/8, and must
 * be rejected; sigcc accepts it and keeps the host bits in addr. */
static void test_bug_cidr_host_bits_rejected(void **state)
{
    (void)state;
    rejected("a|cidr: '10.1.2.3/8'", "modifier-value", 5, 17);
    rejected("a|cidr: 'fe80::1/10'", "modifier-value", 5, 17);
}

/* Regression: modifiers apply left to right (spec section 3), and an encoding
 * applies to each variant a windash expansion produced (pySigma applies a
 * modifier to every value of a SigmaExpansion). So 'windash|base64offset'
 * is meaningful - 5 dash variants, each encoded - and must be accepted;
 * sigcc refuses it (modifier-order, "write 'base64offset|windash'").
 * Expected values from python3 base64 with pySigma's trimming, e.g.
 *     printf ' -e ' | base64 -> IC1lIA==  ([:-3] IC1lI)
 *     printf '%se' - / – — ― | iconv -t utf-16le | base64 (each) */
static void test_bug_windash_then_encoding_accepted(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("a|windash|base64offset|contains: ' -e '\n"
                              "b|windash|wide|base64: '-e'");
    if (sigcc_rule_count(ctx) != 1)
        tu_dump_diags(ctx);
    assert_int_equal(sigcc_rule_count(ctx), 1);
    static const char *const want_a[] = {
        "*IC1lI*",     "*AtZS*",     "*gLWUg*",     /* - */
        "*IC9lI*",     "*AvZS*",     "*gL2Ug*",     /* / */
        "*IOKAk2Ug*",  "*DigJNlI*",  "*g4oCTZS*",   /* en dash */
        "*IOKAlGUg*",  "*DigJRlI*",  "*g4oCUZS*",   /* em dash */
        "*IOKAlWUg*",  "*DigJVlI*",  "*g4oCVZS*",   /* horizontal bar */
    };
    tu_expect_value_set(match_at(ctx, 0), want_a, 15);
    static const char *const want_b[] = {"LQBlAA==", "LwBlAA==", "EyBlAA==", "FCBlAA==",
                                         "FSBlAA=="};
    tu_expect_value_set(match_at(ctx, 1), want_b, 5);
    tu_release(ctx);
}

/* Regression (the other half): windash after an encoding rewrites base64 text,
 * whose alphabet holds '/': base64 of bytes FB FF is '+/8=', and windash
 * turns it into '+-8=', '+–8=' ... (garbage). sigcc accepts 'base64|windash'
 * (and suggests it); it must be refused. */
static void test_bug_windash_after_encoding_rejected(void **state)
{
    (void)state;
    rejected("a|base64|windash: 'x'", "modifier-order", 5, 18);
    rejected("a|base64offset|contains|windash: 'x'", "modifier-order", 5, 33);
}

/* Regression: '|all' ANDs the values of the YAML list; the variants one value
 * expands to (windash, base64offset) stay ORed (spec: windash produces
 * "OR'd values"; pySigma keeps a SigmaExpansion OR-linked under |all).
 * sigcc flattens the variants into one 'all of 10' list, so
 *     CommandLine|windash|contains|all: [' -a ', ' -b ']
 * requires all five dash forms of each flag at once and matches nothing
 * real, e.g. not "x /a y -b z". Checked by evaluating the tree.
 *     printf 'ab'|base64 -> YWI= (YW); ' ab' -> IGFi (Fi); '  ab' -> ICBhYg== (hY)
 *     printf 'cd'|base64 -> Y2Q= (Y2); ' cd' -> IGNk (Nk); '  cd' -> ICBjZA== (jZ) */
static void test_bug_all_keeps_expansions_ored(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_sel("CommandLine|windash|contains|all:\n    - ' -a '\n    - ' -b '");
    assert_true(matches(ctx, (const char *const[]){"CommandLine", "x /a y -b z", NULL}));
    assert_false(matches(ctx, (const char *const[]){"CommandLine", "x /a y", NULL}));
    tu_release(ctx);
    ctx = load_sel("CommandLine|base64offset|contains|all:\n    - 'ab'\n    - 'cd'");
    assert_true(matches(ctx, (const char *const[]){"CommandLine", "..Fi..Nk..", NULL}));
    assert_false(matches(ctx, (const char *const[]){"CommandLine", "..Fi..", NULL}));
    tu_release(ctx);
}

int main(void)
{
    const struct CMUnitTest accepted[] = {
        cmocka_unit_test(test_no_modifier),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_contains_keeps_inner_wildcards_no_double_star),
        cmocka_unit_test(test_contains_list_is_or),
        cmocka_unit_test(test_startswith),
        cmocka_unit_test(test_endswith),
        cmocka_unit_test(test_all),
        cmocka_unit_test(test_exists),
        cmocka_unit_test(test_cased),
        cmocka_unit_test(test_neq),
        cmocka_unit_test(test_windash_one_flag),
        cmocka_unit_test(test_windash_two_flags_all_permutations),
        cmocka_unit_test(test_windash_only_flag_positions),
        cmocka_unit_test(test_windash_contains),
        cmocka_unit_test(test_re),
        cmocka_unit_test(test_re_flags_and_aliases),
        cmocka_unit_test(test_re_list_and_all),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_base64offset),
        cmocka_unit_test(test_utf16le_and_wide),
        cmocka_unit_test(test_utf16be),
        cmocka_unit_test(test_utf16_bom),
        cmocka_unit_test(test_wide_base64offset_contains),
        cmocka_unit_test(test_compare_modifiers),
        cmocka_unit_test(test_time_modifiers),
        cmocka_unit_test(test_cidr_v4),
        cmocka_unit_test(test_cidr_v6),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_fieldref),
        cmocka_unit_test(test_keyword_string_modifiers),
        cmocka_unit_test(test_long_chain_accepted),
        cmocka_unit_test(test_semantics_all_and_expansions),
    };
    const struct CMUnitTest rejected_tests[] = {
        cmocka_unit_test(test_unknown_modifier),
        cmocka_unit_test(test_empty_modifier),
        cmocka_unit_test(test_duplicate_modifier),
        cmocka_unit_test(test_chain_too_long),
        cmocka_unit_test(test_wildcard_modifiers_exclusive),
        cmocka_unit_test(test_re_combinations),
        cmocka_unit_test(test_re_flags_need_re),
        cmocka_unit_test(test_exists_alone),
        cmocka_unit_test(test_compare_rejected),
        cmocka_unit_test(test_time_rejected),
        cmocka_unit_test(test_cidr_rejected),
        cmocka_unit_test(test_charset_needs_base64),
        cmocka_unit_test(test_encoding_order_and_wildcards),
        cmocka_unit_test(test_windash_expansion_limit),
        cmocka_unit_test(test_base64offset_too_short),
        cmocka_unit_test(test_all_needs_a_list),
        cmocka_unit_test(test_null_rules),
        cmocka_unit_test(test_regex_syntax),
        cmocka_unit_test(test_fieldref_rejected),
        cmocka_unit_test(test_keyword_type_modifiers),
        cmocka_unit_test(test_field_value_shapes),
    };
    const struct CMUnitTest bugs[] = {
        cmocka_unit_test(test_bug_single_error_for_bad_modifier),
        cmocka_unit_test(test_bug_modifier_column_after_escape_in_quoted_key),
        cmocka_unit_test(test_bug_regex_position_multiline_plain),
        cmocka_unit_test(test_bug_cidr_host_bits_rejected),
        cmocka_unit_test(test_bug_windash_then_encoding_accepted),
        cmocka_unit_test(test_bug_windash_after_encoding_rejected),
        cmocka_unit_test(test_bug_all_keeps_expansions_ored),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("modifiers: accepted", accepted, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("modifiers: rejected", rejected_tests, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("modifiers: regressions (bugs found and fixed)",
                                          bugs, NULL, tu_cleanup);
    return failed;
}
