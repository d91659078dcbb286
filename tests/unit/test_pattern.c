/*
 * test_pattern.c - Sigma string escapes and wildcards (spec section 2,
 * "Wildcards", "Escaping", "Placeholders"): sc_pattern_parse and the
 * writer sc_pattern_write, which must give back text that parses to the
 * same parts.
 *
 * Parts are compared through a readable description:
 *     lit'C:\x' star one ph'name'
 *
 * Groups:
 *   pattern: parse         - the escaping rules of the spec
 *   pattern: write         - writer output and round trips
 *   pattern: regressions - bugs found by these tests, fixed, kept as regressions
 */
#include "test_util.h"

/* ------------------------------------------------------------ helpers */
static char *describe(const sc_part *parts, size_t n)
{
    sc_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i)
            sc_buf_putc(&b, ' ');
        switch (parts[i].kind) {
        case SC_PART_LIT:
            sc_buf_puts(&b, "lit'");
            sc_buf_put(&b, parts[i].text, parts[i].len);
            sc_buf_putc(&b, '\'');
            break;
        case SC_PART_STAR: sc_buf_puts(&b, "star"); break;
        case SC_PART_ONE: sc_buf_puts(&b, "one"); break;
        case SC_PART_PLACEHOLDER:
            sc_buf_puts(&b, "ph'");
            sc_buf_put(&b, parts[i].text, parts[i].len);
            sc_buf_putc(&b, '\'');
            break;
        }
    }
    return tu_str(sc_buf_take(&b));
}

/* Parses `in` and compares the parts with the description `want`. */
static void expect_parts(const char *in, bool expand, const char *want)
{
    sc_arena *a = tu_arena();
    sc_part *parts = NULL;
    size_t n = 99;
    assert_true(sc_pattern_parse(a, in, strlen(in), expand, &parts, &n));
    char *got = describe(parts, n);
    if (strcmp(got, want) != 0)
        print_message("input [%s]%s\n  want: %s\n  got:  %s\n", in, expand ? " (expand)" : "",
                      want, got);
    assert_string_equal(got, want);
    /* Literal parts carry their length; text is NUL-terminated too. */
    for (size_t i = 0; i < n; i++)
        if (parts[i].kind == SC_PART_LIT) {
            assert_true(parts[i].len > 0);
            assert_int_equal(strlen(parts[i].text), parts[i].len);
        }
    tu_release(got);
    tu_release(a);
}

static char *write_parts_mode(const sc_part *parts, size_t n, bool expand)
{
    sc_buf b = {0};
    sc_pattern_write(&b, parts, n, expand);
    return tu_str(sc_buf_take(&b));
}

#define write_parts(p, n) write_parts_mode((p), (n), false)

/* Parses `in`, writes it back: the text must be `want_text` (NULL: don't
 * care) and parse again (same expand flag) to the very same parts. */
static void expect_round_trip(const char *in, bool expand, const char *want_text)
{
    sc_arena *a = tu_arena();
    sc_part *p1 = NULL, *p2 = NULL;
    size_t n1 = 0, n2 = 0;
    assert_true(sc_pattern_parse(a, in, strlen(in), expand, &p1, &n1));
    char *text = write_parts_mode(p1, n1, expand);
    assert_true(sc_pattern_parse(a, text, strlen(text), expand, &p2, &n2));
    char *d1 = describe(p1, n1), *d2 = describe(p2, n2);
    if (strcmp(d1, d2) != 0 || (want_text && strcmp(text, want_text) != 0))
        print_message("input [%s]%s written as [%s]\n  parts:    %s\n  reparsed: %s\n", in,
                      expand ? " (expand)" : "", text, d1, d2);
    if (want_text)
        assert_string_equal(text, want_text);
    assert_string_equal(d1, d2);
    tu_release(d1);
    tu_release(d2);
    tu_release(text);
    tu_release(a);
}

/* --------------------------------------------------- parse: wildcards */
static void test_star(void **state)
{
    (void)state;
    expect_parts("*", false, "star");
    expect_parts("a*", false, "lit'a' star");
    expect_parts("*a*", false, "star lit'a' star");
}

static void test_question_mark(void **state)
{
    (void)state;
    expect_parts("?", false, "one");
    expect_parts("a?c", false, "lit'a' one lit'c'");
    expect_parts("??", false, "one one"); /* two characters: no collapsing */
}

static void test_mixed_wildcards(void **state)
{
    (void)state;
    /* '\*' and '\?' are escapes even inside a path: all literal */
    expect_parts("C:\\Users\\*\\AppData\\?x", false, "lit'C:\\Users*\\AppData?x'");
    /* a path separator before a wildcard has to be doubled */
    expect_parts("C:\\Users\\\\*\\AppData\\\\?x", false,
                 "lit'C:\\Users\\' star lit'\\AppData\\' one lit'x'");
    expect_parts("?*", false, "one star");
    expect_parts("*?", false, "star one");
}

static void test_plain_literal_and_empty(void **state)
{
    (void)state;
    expect_parts("cmd.exe", false, "lit'cmd.exe'");
    expect_parts("", false, "");
    expect_parts("%", false, "lit'%'");
}

static void test_consecutive_stars_collapse(void **state)
{
    (void)state;
    expect_parts("**", false, "star");
    expect_parts("a***b", false, "lit'a' star lit'b'");
    /* an escaped star between two wildcards is a literal, not a wildcard */
    expect_parts("*\\**", false, "star lit'*' star");
    /* '?' between stars keeps both stars: '*?*' means "at least one char" */
    expect_parts("*?*", false, "star one star");
}

/* ----------------------------------------------------- parse: escapes */
static void test_escaped_star(void **state)
{
    (void)state;
    expect_parts("\\*", false, "lit'*'");
    expect_parts("a\\*b", false, "lit'a*b'");
}

static void test_escaped_question_mark(void **state)
{
    (void)state;
    expect_parts("\\?", false, "lit'?'");
    expect_parts("what\\?", false, "lit'what?'");
}

static void test_backslash_backslash_star(void **state)
{
    (void)state;
    /* \\* : a literal backslash followed by a wildcard */
    expect_parts("\\\\*", false, "lit'\\' star");
    expect_parts("C:\\\\*", false, "lit'C:\\' star");
}

static void test_three_backslashes_star(void **state)
{
    (void)state;
    /* \\\* : a literal backslash followed by a literal star */
    expect_parts("\\\\\\*", false, "lit'\\*'");
    /* \\\? likewise */
    expect_parts("\\\\\\?", false, "lit'\\?'");
}

static void test_four_backslashes(void **state)
{
    (void)state;
    /* \\\\ : two literal backslashes */
    expect_parts("\\\\\\\\", false, "lit'\\\\'");
    expect_parts("\\\\\\\\*", false, "lit'\\\\' star");
}

static void test_three_backslashes_not_before_wildcard(void **state)
{
    (void)state;
    /* three backslashes not before a wildcard: also two backslashes */
    expect_parts("a\\\\\\b", false, "lit'a\\\\b'");
    expect_parts("a\\\\\\", false, "lit'a\\\\'"); /* at the end */
}

static void test_backslash_before_other_char_kept(void **state)
{
    (void)state;
    expect_parts("C:\\Windows\\x", false, "lit'C:\\Windows\\x'");
    expect_parts("\\n\\t", false, "lit'\\n\\t'");
    expect_parts("\\\\server\\share", false, "lit'\\server\\share'");
}

static void test_trailing_backslash(void **state)
{
    (void)state;
    expect_parts("abc\\", false, "lit'abc\\'");
    expect_parts("\\", false, "lit'\\'");
    expect_parts("*\\", false, "star lit'\\'");
}

/* -------------------------------------------------- parse: placeholders */
static void test_placeholder_only_with_expand(void **state)
{
    (void)state;
    expect_parts("%Administrators%", true, "ph'Administrators'");
    expect_parts("%Administrators%", false, "lit'%Administrators%'");
    expect_parts("C:\\%APPDATA%\\x", false, "lit'C:\\%APPDATA%\\x'");
}

static void test_placeholder_inside_text(void **state)
{
    (void)state;
    expect_parts("pre%Servers%post", true, "lit'pre' ph'Servers' lit'post'");
    expect_parts("%a%%b%", true, "ph'a' ph'b'");
    expect_parts("*%JumpServers%*", true, "star ph'JumpServers' star");
}

static void test_lone_percent_under_expand(void **state)
{
    (void)state;
    expect_parts("100%", true, "lit'100%'");
    expect_parts("%%", true, "lit'%%'"); /* no name between: not a placeholder */
}

static void test_escaped_percent(void **state)
{
    (void)state;
    /* under expand '\%' is a literal percent sign */
    expect_parts("\\%", true, "lit'%'");
    expect_parts("\\%name%", true, "lit'%name%'");
    /* without expand '%' is not special: the backslash stays (spec: a
     * backslash before any other character is kept) */
    expect_parts("\\%", false, "lit'\\%'");
    /* an escaped backslash before a placeholder */
    expect_parts("\\\\%a%", true, "lit'\\' ph'a'");
}

static void test_has_wildcards(void **state)
{
    (void)state;
    sc_arena *a = tu_arena();
    sc_part *p;
    size_t n;
    assert_true(sc_pattern_parse(a, "a\\*b", 4, false, &p, &n));
    assert_false(sc_pattern_has_wildcards(p, n));
    assert_true(sc_pattern_parse(a, "a?b", 3, false, &p, &n));
    assert_true(sc_pattern_has_wildcards(p, n));
    assert_true(sc_pattern_parse(a, "a*", 2, false, &p, &n));
    assert_true(sc_pattern_has_wildcards(p, n));
    assert_true(sc_pattern_parse(a, "%x%", 3, true, &p, &n));
    assert_false(sc_pattern_has_wildcards(p, n)); /* a placeholder is not a wildcard */
    tu_release(a);
}

/* ------------------------------------------------------------- writer */
static void test_write_canonical(void **state)
{
    (void)state;
    expect_round_trip("*", false, "*");
    expect_round_trip("?", false, "?");
    expect_round_trip("\\*", false, "\\*");
    expect_round_trip("\\?", false, "\\?");
    expect_round_trip("\\\\*", false, "\\\\*");
    expect_round_trip("\\\\\\*", false, "\\\\\\*");
    expect_round_trip("\\\\\\\\", false, "\\\\\\\\");
    expect_round_trip("C:\\Windows\\x", false, "C:\\Windows\\x");
    expect_round_trip("a\\\\\\b", false, "a\\\\\\b");
    expect_round_trip("a**b", false, "a*b");
    expect_round_trip("%APPDATA%", false, "%APPDATA%");
    expect_round_trip("%APPDATA%", true, "%APPDATA%");
}

static void test_write_trailing_backslash(void **state)
{
    (void)state;
    /* A trailing backslash is written doubled (unambiguous); both forms
     * parse to the same single backslash. */
    expect_round_trip("abc\\", false, "abc\\\\");
    expect_round_trip("abc\\\\", false, "abc\\\\");
}

static void test_write_constructed_parts(void **state)
{
    (void)state;
    /* literal star, question mark: escaped */
    sc_part lit_special[] = {{SC_PART_LIT, "a*b?", 4, NULL}};
    char *s = write_parts(lit_special, 1);
    assert_string_equal(s, "a\\*b\\?");
    tu_release(s);
    /* a backslash before a wildcard part must be doubled */
    sc_part before_star[] = {{SC_PART_LIT, "x\\", 2, NULL}, {SC_PART_STAR, NULL, 0, NULL}};
    s = write_parts(before_star, 2);
    assert_string_equal(s, "x\\\\*");
    tu_release(s);
    sc_part before_one[] = {{SC_PART_LIT, "\\", 1, NULL}, {SC_PART_ONE, NULL, 0, NULL}};
    s = write_parts(before_one, 2);
    assert_string_equal(s, "\\\\?");
    tu_release(s);
    /* a backslash before a literal backslash must be doubled */
    sc_part two[] = {{SC_PART_LIT, "\\\\", 2, NULL}};
    s = write_parts(two, 1);
    assert_string_equal(s, "\\\\\\\\");
    tu_release(s);
    /* a backslash before an ordinary character stays single */
    sc_part plain[] = {{SC_PART_LIT, "C:\\x", 4, NULL}};
    s = write_parts(plain, 1);
    assert_string_equal(s, "C:\\x");
    tu_release(s);
    /* placeholders (|expand): a backslash before one is doubled */
    sc_part ph[] = {{SC_PART_STAR, NULL, 0, NULL}, {SC_PART_PLACEHOLDER, "Servers", 7, NULL},
                    {SC_PART_LIT, "\\", 1, NULL}, {SC_PART_PLACEHOLDER, "x", 1, NULL}};
    s = write_parts_mode(ph, 4, true);
    assert_string_equal(s, "*%Servers%\\\\%x%");
    tu_release(s);
}

static void test_write_percent_depends_on_expand(void **state)
{
    (void)state;
    /* a literal '%' is escaped only where '%' is special, under |expand */
    sc_part pct[] = {{SC_PART_LIT, "50%", 3, NULL}};
    char *s = write_parts_mode(pct, 1, true);
    assert_string_equal(s, "50\\%");
    tu_release(s);
    s = write_parts_mode(pct, 1, false);
    assert_string_equal(s, "50%");
    tu_release(s);
    /* without expand, a backslash before '%' needs no doubling */
    sc_part bs[] = {{SC_PART_LIT, "\\%", 2, NULL}};
    s = write_parts_mode(bs, 1, false);
    assert_string_equal(s, "\\%");
    tu_release(s);
    s = write_parts_mode(bs, 1, true);
    assert_string_equal(s, "\\\\\\%");
    tu_release(s);
}

static void test_round_trip_many(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "", "a", "*", "?", "**", "*?*", "\\", "\\\\", "\\\\\\", "\\\\\\\\", "\\*", "\\?",
        "\\\\*", "\\\\?", "\\\\\\*", "\\\\\\?", "\\\\\\\\*", "a\\", "a\\\\", "a\\*", "*\\",
        "\\*\\", "C:\\Windows\\System32\\*.dll", "\\\\?\\C:\\x", "x\\y\\\\z\\\\\\w",
        "*\\**\\?*", "?\\", "\\n\\\\n", "Send-MailMessage*-Attachments", "100%", "\\%",
    };
    for (size_t i = 0; i < TU_COUNT(inputs); i++)
        expect_round_trip(inputs[i], false, NULL);
    static const char *const expand_inputs[] = {
        "%a%", "x%a%y", "*%a%*", "\\\\%a%", "%a%\\", "%a%%b%", "100%", "%%", "a\\b%c%",
    };
    for (size_t i = 0; i < TU_COUNT(expand_inputs); i++)
        expect_round_trip(expand_inputs[i], true, NULL);
}

/* --------------------------------------------------------------- REGRESSIONS */
/* Regression: a literal '%' obtained from '\%' under |expand is written back as a
 * bare '%', which reads as a placeholder when the value is parsed (or read
 * in `sigcc explain`) again with |expand. */
static void test_bug_write_escaped_percent_under_expand(void **state)
{
    (void)state;
    expect_round_trip("\\%a%", true, NULL); /* parts: lit'%a%' */
    expect_round_trip("\\%", true, NULL);   /* parts: lit'%' */
}

/* Regression: a literal backslash followed by a literal percent, under |expand
 * ('\\\%' -> lit'\%'), is written as '\%', which reads back as '%'. */
static void test_bug_write_backslash_percent_under_expand(void **state)
{
    (void)state;
    expect_round_trip("\\\\\\%", true, NULL);
}

int main(void)
{
    const struct CMUnitTest parse[] = {
        cmocka_unit_test(test_star),
        cmocka_unit_test(test_question_mark),
        cmocka_unit_test(test_mixed_wildcards),
        cmocka_unit_test(test_plain_literal_and_empty),
        cmocka_unit_test(test_consecutive_stars_collapse),
        cmocka_unit_test(test_escaped_star),
        cmocka_unit_test(test_escaped_question_mark),
        cmocka_unit_test(test_backslash_backslash_star),
        cmocka_unit_test(test_three_backslashes_star),
        cmocka_unit_test(test_four_backslashes),
        cmocka_unit_test(test_three_backslashes_not_before_wildcard),
        cmocka_unit_test(test_backslash_before_other_char_kept),
        cmocka_unit_test(test_trailing_backslash),
        cmocka_unit_test(test_placeholder_only_with_expand),
        cmocka_unit_test(test_placeholder_inside_text),
        cmocka_unit_test(test_lone_percent_under_expand),
        cmocka_unit_test(test_escaped_percent),
        cmocka_unit_test(test_has_wildcards),
    };
    const struct CMUnitTest write[] = {
        cmocka_unit_test(test_write_canonical),
        cmocka_unit_test(test_write_trailing_backslash),
        cmocka_unit_test(test_write_constructed_parts),
        cmocka_unit_test(test_write_percent_depends_on_expand),
        cmocka_unit_test(test_round_trip_many),
    };
    const struct CMUnitTest bugs[] = {
        cmocka_unit_test(test_bug_write_escaped_percent_under_expand),
        cmocka_unit_test(test_bug_write_backslash_percent_under_expand),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("pattern: parse", parse, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("pattern: write", write, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("pattern: regressions (bugs found and fixed)",
                                          bugs, NULL, tu_cleanup);
    return failed;
}
