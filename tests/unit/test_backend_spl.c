/*
 * test_backend_spl.c - the Splunk SPL backend (backends/spl.c): rules
 * loaded from buffers, resolved, optimized (level 1) and converted with
 * sigcc_convert_rule(..., "spl", ...). Without a pipeline the fields keep
 * their names and no source is added; the splunk_windows tests load it.
 */
#include "test_util.h"

typedef tu_conv conv;

/* Loads, resolves, applies splunk_windows when asked, optimizes and
 * converts the first rule of `kind` (a detection rule or a correlation);
 * SIGCC_EINVALID when the pipeline refused every rule. */
static conv convert_kind(const char *yaml, bool pipeline, sigcc_rule_kind kind,
                         const char *format)
{
    return tu_convert(yaml, &(tu_conv_opts){.target = "spl",
                                            .format = format,
                                            .pipelines = {pipeline ? "splunk_windows" : NULL},
                                            .level = 1,
                                            .kind = (int)kind,
                                            .missing_ok = true});
}

static conv convert_yaml(const char *yaml, bool pipeline)
{
    return convert_kind(yaml, pipeline, SIGCC_RULE_DETECTION, NULL);
}

/* A rule whose selections are `detection` (from line 5 on). */
static conv convert_det(const char *detection, const char *condition)
{
    char yaml[16384];
    int n = snprintf(yaml, sizeof yaml,
                     "title: t\nlogsource:\n    category: test\ndetection:\n%s\n"
                     "    condition: %s\n",
                     detection, condition);
    assert_true(n > 0 && (size_t)n < sizeof yaml);
    return convert_yaml(yaml, false);
}

static void expect_query(conv c, const char *want)
{
    tu_expect_query(c, want);
}

static void expect_refused(conv c, const char *code, const char *what, uint32_t line)
{
    tu_expect_refused(c, code, what, line);
}

#define SEL(body) "    sel:\n        " body
#define SPL(body, want) expect_query(convert_det(SEL(body), "sel"), want)
#define REFUSED(body, what)                                                                     \
    expect_refused(convert_det(SEL(body), "sel"), "target-cannot-express", what, 6)

/* -------------------------------------------------------- search terms */
static void test_equality(void **state)
{
    (void)state;
    SPL("f: v", "f=\"v\"");
    SPL("f: ''", "f=\"\"");
    SPL("f: [a, b]", "f IN (\"a\", \"b\")");
    SPL("f: 25", "f=25");
    SPL("f: [25, 465]", "f IN (25, 465)");
    SPL("f: -3", "f=\"-3\"");
    SPL("f: 1.5", "f=1.5");
    SPL("f: '25'", "f=\"25\"");
    SPL("f: true", "f=\"true\"");
    SPL("f: [25, x, 'y*']", "f IN (25, \"x\", \"y*\")");
    SPL("f: null", "NOT f=*");
    expect_query(convert_det("    a:\n        f: null\n    b:\n        f: a", "a or b"),
                 "(NOT f=* OR f=\"a\")");
    SPL("f|exists: true", "f=*");
    SPL("f|exists: false", "NOT f=*");
    SPL("f: a\n        g: 25", "f=\"a\" g=25");
    SPL("Processes.process_name: x", "Processes.process_name=\"x\"");
    /* |cased matters only for letters */
    SPL("f|cased: '1.2'", "f=\"1.2\"");
}

static void test_wildcards(void **state)
{
    (void)state;
    SPL("f|contains: x", "f=\"*x*\"");
    SPL("f|startswith: x", "f=\"x*\"");
    SPL("f|endswith: '\\x.exe'", "f=\"*\\\\x.exe\"");
    SPL("f: '*'", "f=*");
    SPL("f|contains: ['a', 'b']", "f IN (\"*a*\", \"*b*\")");
    SPL("f|contains|all: [a, b]", "(f=\"*a*\" f=\"*b*\")");
    SPL("f: 'a?b'", "*\n| where match(f, \"(?is)^a.b\\\\z\")"); /* no ? in search */
    SPL("f: 'a*b'", "*\n| where match(f, \"(?is)^a.*b\\\\z\")");
    SPL("f: 'a\\*b*'", "*\n| where match(f, \"(?is)^a\\\\*b.*\\\\z\")"); /* a literal star */
    SPL("f: 'C:\\Win*\\x.exe'", "*\n| where match(f, \"(?is)^C:\\\\\\\\Win.*\\\\\\\\x\\\\.exe\\\\z\")");
    SPL("f|cased: V", "*\n| where match(f, \"(?s)^V\\\\z\")");
    SPL("f|contains|cased: V", "*\n| where match(f, \"(?s)^.*V.*\\\\z\")");
    SPL("f|cased: [A, 'b*']", "*\n| where match(f, \"(?s)^(?:A|b.*)\\\\z\")");
    SPL("f: 'a?b'\n        g: c", "g=\"c\"\n| where match(f, \"(?is)^a.b\\\\z\")");
}

/* Both spellings of the same search: a query beginning with `| where`
 * would not run, so the search part is `*` when nothing else is there. */
static void test_search_part_never_empty(void **state)
{
    (void)state;
    conv c = convert_det(SEL("f: 'a?b'"), "sel");
    assert_int_equal(c.status, SIGCC_OK);
    assert_memory_equal(c.query, "*\n| where ", 10);
    tu_release(c.ctx);
}

static void test_operators(void **state)
{
    (void)state;
    SPL("f|neq: v", "NOT (f=\"v\")");
    SPL("f|lt: 5", "*\n| where tonumber(f) < 5");
    SPL("f|lte: 5", "*\n| where tonumber(f) <= 5");
    SPL("f|gt: 5", "*\n| where tonumber(f) > 5");
    SPL("f|gte: 1.5", "*\n| where tonumber(f) >= 1.5");
    SPL("f|gt: [5, 9]", "*\n| where (tonumber(f) > 5 OR tonumber(f) > 9)");
    SPL("f|cidr: 10.0.0.0/8", "f=\"10.0.0.0/8\"");
    SPL("f|cidr: 'fe80::/10'", "f=\"fe80::/10\"");
    SPL("f|cidr: ['10.0.0.0/8', '192.168.0.0/16']",
        "(f=\"10.0.0.0/8\" OR f=\"192.168.0.0/16\")");
    SPL("f|re: 'a.*b'", "*\n| regex f=\"a.*b\"");
    SPL("f|re: '^C:\\\\x\\d+$'", "*\n| regex f=\"^C:\\\\\\\\x\\\\d+$\"");
    SPL("f|re|i: 'ab'", "*\n| regex f=\"(?i)ab\"");
    SPL("f|re|i|m|s: 'ab'", "*\n| regex f=\"(?ims)ab\"");
    SPL("f|re: 'a\"b'", "*\n| regex f=\"a\\\\x22b\"");
    SPL("f|re: 'a\\\"b'", "*\n| regex f=\"a\\\\x22b\""); /* an escaped quote is the quote */
    SPL("f|re: \"a\\tb\"", "*\n| regex f=\"a\\\\x09b\"");
    SPL("f|re|all: [a, b]", "*\n| regex f=\"a\"\n| regex f=\"b\"");
    SPL("f|re: [a, b]", "*\n| where (match(f, \"a\") OR match(f, \"b\"))");
    SPL("f|fieldref: g", "*\n| where lower(f)==lower(g)");
    SPL("f|fieldref|cased: g", "*\n| where f==g");
    SPL("f|windash: '-x'", "f IN (\"-x\", \"/x\", \"\xe2\x80\x93x\", \"\xe2\x80\x94x\", "
                           "\"\xe2\x80\x95x\")");
    SPL("f|base64: 'ab'", "f=\"YWI=\"");
    /* |all of expanded values: the optimizer splits it into and-operands */
    SPL("f|contains|all|windash: ['-a', '-b']",
        "f IN (\"*-a*\", \"*/a*\", \"*\xe2\x80\x93" "a*\", \"*\xe2\x80\x94" "a*\", "
        "\"*\xe2\x80\x95" "a*\") f IN (\"*-b*\", \"*/b*\", \"*\xe2\x80\x93" "b*\", "
        "\"*\xe2\x80\x94" "b*\", \"*\xe2\x80\x95" "b*\")");
}

/* Every test of a where operand that is more than one positive test is
 * made total: an absent field gives false, not null (NOT would keep null,
 * and eval's null logic under OR is not documented). */
static void test_where_guards(void **state)
{
    (void)state;
    SPL("f|re: 'a'\n        g: x", "g=\"x\"\n| regex f=\"a\"");
    expect_query(convert_det("    a:\n        f|re: 'a'\n    b:\n        g: x", "not a and b"),
                 "g=\"x\"\n| where NOT ((isnotnull(f) AND match(f, \"a\")))");
    expect_query(convert_det("    a:\n        f|gt: 5", "not a"),
                 "*\n| where NOT ((isnotnull(tonumber(f)) AND tonumber(f) > 5))");
    expect_query(convert_det("    a:\n        f|cidr: '10.0.0.0/8'\n    b:\n        g: 'x?'",
                             "not (a or b)"),
                 "*\n| where NOT ((isnotnull(f) AND cidrmatch(\"10.0.0.0/8\", f)) OR "
                 "(isnotnull(g) AND match(g, \"(?is)^x.\\\\z\")))");
    expect_query(convert_det("    a:\n        f: null\n    b:\n        f: 'x?'", "not (a or b)"),
                 "*\n| where NOT (isnull(f) OR (isnotnull(f) AND match(f, \"(?is)^x.\\\\z\")))");
    expect_query(convert_det("    a:\n        f|fieldref: g", "not a"),
                 "*\n| where NOT ((isnotnull(f) AND isnotnull(g) AND lower(f)==lower(g)))");
    expect_query(convert_det("    a:\n        f|exists: true\n    b:\n        g|re: x",
                             "not (a and b)"),
                 "*\n| where NOT (isnotnull(f) AND (isnotnull(g) AND match(g, \"x\")))");
    SPL("f|neq: 'a?'", "*\n| where NOT ((isnotnull(f) AND match(f, \"(?is)^a.\\\\z\")))");
}

static void test_refusals(void **state)
{
    (void)state;
    REFUSED("f|fieldref|contains: g", "field reference other than equality");
    REFUSED("f|fieldref|startswith: g", "field reference other than equality");
    REFUSED("f|minute: 5", "time-part");
    REFUSED("'it''s|re': x", "field name with a quote");
    expect_refused(convert_det("    keywords:\n        - evil", "keywords"),
                   "target-cannot-express", "keyword", 6);
    expect_refused(convert_det("    sel:\n        f|expand: '%var%'", "sel"),
                   "target-cannot-express", "placeholder %var%", 6);
}

static void test_field_names(void **state)
{
    (void)state;
    /* not a plain search name: the eval form quotes it */
    SPL("'my field': v", "*\n| where match('my field', \"(?is)^v\\\\z\")");
    SPL("'a-b': v", "*\n| where match('a-b', \"(?is)^v\\\\z\")");
    SPL("'a.b|re': x", "*\n| regex a.b=\"x\"");
    expect_query(convert_det("    a:\n        a.b|re: x\n    b:\n        c: y", "a or b"),
                 "*\n| where (isnotnull('a.b') AND match('a.b', \"x\")) OR "
                 "(isnotnull(c) AND match(c, \"(?is)^y\\\\z\"))");
    /* search modifiers and operators are not fields there */
    SPL("earliest: x", "*\n| where match(earliest, \"(?is)^x\\\\z\")");
    SPL("OR: x", "*\n| where match('OR', \"(?is)^x\\\\z\")");
    SPL("tag: x", "*\n| where match(tag, \"(?is)^x\\\\z\")");
}

static void test_precedence(void **state)
{
    (void)state;
    /* search ranks OR above AND: every nested list is parenthesized */
    expect_query(convert_det("    a:\n        f: 1\n    b:\n        g: 2\n    c:\n        h: 3",
                             "a and (b or c)"),
                 "f=1 (g=2 OR h=3)");
    expect_query(convert_det("    a:\n        f: 1\n    b:\n        g: 2\n    c:\n        h: 3",
                             "a or b and c"),
                 "(f=1 OR (g=2 h=3))");
    expect_query(convert_det("    a:\n        f: 1\n    b:\n        g: 2\n    c:\n        h: 3",
                             "not (a or b) and c"),
                 "h=3 NOT (f=1 OR g=2)");
    expect_query(convert_det("    a:\n        f: 1\n    b:\n        g: 2", "not a or not b"),
                 "(NOT (f=1) OR NOT (g=2))");
    /* eval ranks AND above OR */
    expect_query(convert_det("    a:\n        f: 'x?'\n    b:\n        g: 2\n    c:\n        h: 3",
                             "a or b and c"),
                 "*\n| where (isnotnull(f) AND match(f, \"(?is)^x.\\\\z\")) OR "
                 "(isnotnull(g) AND match(g, \"(?is)^2\\\\z\")) AND "
                 "(isnotnull(h) AND match(h, \"(?is)^3\\\\z\"))");
    expect_query(convert_det("    a:\n        f: 'x?'\n    b:\n        g: 2\n    c:\n        h: 3",
                             "(a or b) and c"),
                 "h=3\n| where (isnotnull(f) AND match(f, \"(?is)^x.\\\\z\")) OR "
                 "(isnotnull(g) AND match(g, \"(?is)^2\\\\z\"))");
}

/* Filters (Sigma filter rules) are and-operands like the rule's own. */
static void test_filters(void **state)
{
    (void)state;
    conv c = convert_yaml("title: t\nname: base\nlogsource:\n    category: test\n"
                          "detection:\n    sel:\n        f: x\n    condition: sel\n---\n"
                          "title: flt\nlogsource:\n    category: test\nfilter:\n"
                          "    rules: [base]\n    selection:\n        g|re: 'y'\n"
                          "    condition: not selection\n",
                          false);
    expect_query(c, "f=\"x\"\n| where NOT ((isnotnull(g) AND match(g, \"y\")))");
}

/* ----------------------------------------------------------- escaping */
/* Reads one SPL "..." literal at q (\\ and \" only); the position after
 * it, or NULL. */
static const char *read_literal(const char *q, char *out, size_t *len)
{
    if (*q != '"')
        return NULL;
    size_t n = 0;
    for (q++; *q && *q != '"'; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 || c == 0x7f || c == '`')
            return NULL; /* never written raw */
        if (c == '\\') {
            q++;
            if (*q != '\\' && *q != '"')
                return NULL;
        }
        out[n++] = *q;
    }
    if (*q != '"')
        return NULL;
    *len = n;
    return q + 1;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A regex written by put_re_pattern for a value without wildcards back to
 * its text: \xHH and \c escapes only. */
static bool unregex(const char *re, size_t n, char *out, size_t *len)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (re[i] != '\\') {
            if (strchr("^$.|?*+()[]{}", re[i]))
                return false; /* an unescaped metacharacter */
            out[k++] = re[i];
            continue;
        }
        if (i + 1 >= n)
            return false;
        if (re[i + 1] == 'x' && i + 3 < n && hex(re[i + 2]) >= 0 && hex(re[i + 3]) >= 0) {
            out[k++] = (char)(hex(re[i + 2]) * 16 + hex(re[i + 3]));
            i += 3;
        } else {
            out[k++] = re[++i];
        }
    }
    *len = k;
    return true;
}

/* raw (no NUL) as an equality, uncased and cased: the search term f="..."
 * or `* | where match(f, "(?s)^...\z")` holds exactly one literal that
 * decodes to raw, and nothing after it. */
static void check_value(const char *raw)
{
    char yaml[8192], scalar[4096];
    size_t k = 0;
    for (const char *p = raw; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\\' || c == '*' || c == '?')
            k += (size_t)sprintf(scalar + k, "\\x5c");
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            scalar[k++] = (char)c;
        else
            k += (size_t)sprintf(scalar + k, "\\x%02x", c);
    }
    scalar[k] = 0;
    bool search_ok = !strchr(raw, '*');
    for (const char *p = raw; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '`')
            search_ok = false;
    for (int cased = 0; cased < 2; cased++) {
        snprintf(yaml, sizeof yaml,
                 "title: t\nlogsource:\n    category: test\ndetection:\n"
                 "    sel:\n        f%s: \"%s\"\n    condition: sel\n",
                 cased ? "|cased" : "", scalar);
        conv c = convert_yaml(yaml, false);
        if (c.status != SIGCC_OK)
            tu_dump_diags(c.ctx);
        assert_int_equal(c.status, SIGCC_OK);
        char lit[4096], text[4096];
        size_t len = 0, tlen = 0;
        bool has_letters = false;
        for (const char *p = raw; *p; p++)
            has_letters |= ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || (unsigned char)*p >= 0x80;
        if (search_ok && (!cased || !has_letters)) {
            assert_memory_equal(c.query, "f=\"", 2);
            const char *end = read_literal(c.query + 2, lit, &len);
            if (!end || *end || len != strlen(raw) || memcmp(lit, raw, len))
                print_message("raw '%s' gave %s\n", raw, c.query);
            assert_non_null(end);
            assert_int_equal(*end, '\0');
            assert_int_equal(len, strlen(raw));
            assert_memory_equal(lit, raw, len);
        } else {
            const char *head = "*\n| where match(f, ";
            const char *pre = cased ? "(?s)^" : "(?is)^";
            assert_memory_equal(c.query, head, strlen(head));
            const char *end = read_literal(c.query + strlen(head), lit, &len);
            assert_non_null(end);
            assert_string_equal(end, ")");
            assert_true(len >= strlen(pre) + 2);
            assert_memory_equal(lit, pre, strlen(pre));
            assert_memory_equal(lit + len - 2, "\\z", 2);
            bool ok = unregex(lit + strlen(pre), len - strlen(pre) - 2, text, &tlen);
            if (!ok || tlen != strlen(raw) || memcmp(text, raw, tlen))
                print_message("raw '%s' gave %s\n", raw, c.query);
            assert_true(ok);
            assert_int_equal(tlen, strlen(raw));
            assert_memory_equal(text, raw, tlen);
        }
        tu_release(c.ctx);
    }
}

static void test_escaping_property(void **state)
{
    (void)state;
    static const char *const fixed[] = {
        "say \"hi\"", "\"", "\"\"", "\\", "\\\\", "a\\b", "end\\", "\\\"", "a\\\"b",
        "line1\nline2", "\n", "cr\rx", "tab\tx", "C:\\Windows\\System32\\",
        "\xc3\xa9t\xc3\xa9", "star*lit", "q?", "*", "?", "\" OR 1=1 OR \"",
        "\") | delete", "x\" | eval x=\"1", "`macro`", "```comment", "$token$",
        "[search index=*]", "a|b", "x\\", "\\\\\\", "  spaced  ", "", "NOT", "\" OR *",
        "'single'", "a=b", "(x)", "\x01\x02", "\x7f",
    };
    static const tu_around around[] = {{"", ""}, {"x", "y"}, {"\\", "\\"}};
    size_t checked = tu_hostile_values(fixed, TU_COUNT(fixed), around, TU_COUNT(around),
                                       "\"\\*?ab \n\t'`|()[]=", 12345u, 300, check_value);
    assert_true(checked > 600);
}

/* A regex with hostile text stays inside its string. */
static void test_regex_escaping(void **state)
{
    (void)state;
    SPL("f|re: '\\\\\"'", "*\n| regex f=\"\\\\\\\\\\\\x22\"");
    SPL("f|re: 'a`b'", "*\n| regex f=\"a\\\\x60b\"");
    SPL("f|re: 'a\\`b'", "*\n| regex f=\"a\\\\x60b\"");
    SPL("f|re: \"x\\x01\"", "*\n| regex f=\"x\\\\x01\"");
    SPL("f|re: '[\"]'", "*\n| regex f=\"[\\\\x22]\"");
    SPL("f|re: 'a|b'", "*\n| regex f=\"a|b\"");
}

/* ------------------------------------------------------------ correlations */
/* A base rule (named base) and a correlation over it. */
static conv convert_corr(const char *base, const char *correlation, const char *format)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "title: base\nname: base\nlogsource:\n    category: test\n"
             "detection:\n    sel:\n        %s\n    condition: sel\n---\n"
             "title: c\nid: 0b1e8a3e-4c2f-4d4e-9f7a-1a2b3c4d5e6f\nlevel: high\n"
             "tags: [attack.t1071.003, attack.command-and-control]\ncorrelation:\n%s",
             base, correlation);
    return convert_kind(yaml, false, SIGCC_RULE_CORRELATION, format);
}

static void test_correlations(void **state)
{
    (void)state;
    expect_query(convert_corr("f: x", "    type: event_count\n    rules: base\n"
                                      "    group-by: [g, h]\n    timespan: 24h\n"
                                      "    condition:\n        gt: 2\n", NULL),
                 "f=\"x\" earliest=-24h\n"
                 "| stats count as EventCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by g, h\n| where EventCount > 2");
    expect_query(convert_corr("f: x", "    type: value_count\n    rules: base\n"
                                      "    group-by: g\n    timespan: 90m\n"
                                      "    condition:\n        field: ip\n        gte: 10\n",
                              NULL),
                 "f=\"x\" earliest=-90m\n"
                 "| stats dc(ip) as ValueCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by g\n| where ValueCount >= 10");
    expect_query(convert_corr("f: x", "    type: value_sum\n    rules: base\n"
                                      "    group-by: g\n    timespan: 30s\n"
                                      "    condition:\n        field: bytes\n        gt: 100\n"
                                      "        lte: 200\n", NULL),
                 "f=\"x\" earliest=-30s\n"
                 "| stats sum(bytes) as ValueSum, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by g\n| where ValueSum > 100 AND ValueSum <= 200");
    expect_query(convert_corr("f: x", "    type: value_avg\n    rules: base\n"
                                      "    group-by: g\n    timespan: 7d\n"
                                      "    condition:\n        field: n\n        lt: 1.5\n",
                              NULL),
                 "f=\"x\" earliest=-7d\n"
                 "| stats avg(n) as ValueAvg, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by g\n| where ValueAvg < 1.5");
    /* no group-by: one row for the whole window */
    expect_query(convert_corr("f: x", "    type: event_count\n    rules: base\n"
                                      "    timespan: 1h\n    condition:\n        eq: 3\n",
                              NULL),
                 "f=\"x\" earliest=-1h\n"
                 "| stats count as EventCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen\n| where EventCount == 3");
    /* the base rule's where clause comes before stats */
    expect_query(convert_corr("f|re: 'x'", "    type: event_count\n    rules: base\n"
                                           "    group-by: g\n    timespan: 5m\n"
                                           "    condition:\n        gte: 5\n", NULL),
                 "* earliest=-5m\n| regex f=\"x\"\n"
                 "| stats count as EventCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by g\n| where EventCount >= 5");
    expect_query(convert_corr("f: x", "    type: event_count\n    rules: base\n"
                                      "    group-by: g\n    timespan: 1h\n"
                                      "    aliases:\n        g:\n            base: src\n"
                                      "    condition:\n        gt: 1\n", NULL),
                 "f=\"x\" earliest=-1h\n| eval g=src\n"
                 "| stats count as EventCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by g\n| where EventCount > 1");
}

static void test_correlation_refusals(void **state)
{
    (void)state;
    expect_refused(convert_corr("f: x", "    type: temporal_ordered\n    rules: base\n"
                                        "    group-by: g\n    timespan: 1h\n", NULL),
                   "target-cannot-express", "temporal_ordered correlations (stats sees which "
                                            "rules occurred in the window, not their order)",
                   10);
    expect_refused(convert_corr("f: x", "    type: value_percentile\n    rules: base\n"
                                        "    group-by: g\n    timespan: 1h\n    condition:\n"
                                        "        field: n\n        gt: 5\n", NULL),
                   "target-cannot-express", "perc() estimates", 10);
    expect_refused(convert_corr("f: x", "    type: value_count\n    rules: base\n"
                                        "    group-by: g\n    timespan: 1h\n    condition:\n"
                                        "        field: [a, b]\n        gt: 5\n", NULL),
                   "target-cannot-express", "value_count over 2 fields", 10);
    expect_refused(convert_corr("f: x", "    type: event_count\n    rules: base\n"
                                        "    group-by: 'a b'\n    timespan: 1h\n"
                                        "    condition:\n        gt: 5\n", NULL),
                   "target-cannot-express", "group-by field name", 10);
    /* the referenced rule's own refusal points at it */
    expect_refused(convert_corr("f|minute: 3", "    type: event_count\n    rules: base\n"
                                               "    group-by: g\n    timespan: 1h\n"
                                               "    condition:\n        gt: 5\n", NULL),
                   "target-cannot-express", "time-part", 7);
}

/* Several rules: events tagged with the rules they match (one row per
 * rule, as the evaluator counts one hit per rule), aliases per rule. */
static void test_correlation_several_rules(void **state)
{
    (void)state;
    const char *yaml =
        "title: a\nname: rule_a\nlogsource:\n    category: test\n"
        "detection:\n    sel:\n        f: x\n    condition: sel\n---\n"
        "title: b\nname: rule_b\nlogsource:\n    category: test\n"
        "detection:\n    sel:\n        g|re: 'y'\n    condition: sel\n---\n"
        "title: c\ncorrelation:\n    type: temporal\n    rules: [rule_a, rule_b]\n"
        "    group-by: [host]\n    timespan: 10m\n"
        "    aliases:\n        host:\n            rule_a: src_host\n            rule_b: dest_host\n";
    expect_query(convert_kind(yaml, false, SIGCC_RULE_CORRELATION, NULL),
                 "* earliest=-10m\n"
                 "| eval sigma_rule=mvappend(if((isnotnull(f) AND match(f, \"(?is)^x\\\\z\")), "
                 "\"rule_a\", null()), if((isnotnull(g) AND match(g, \"y\")), \"rule_b\", "
                 "null()))\n| where isnotnull(sigma_rule)\n| mvexpand sigma_rule\n"
                 "| eval host=case(sigma_rule==\"rule_a\", src_host, sigma_rule==\"rule_b\", "
                 "dest_host)\n"
                 "| stats dc(sigma_rule) as RuleCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by host\n| where RuleCount >= 2");
    const char *counted =
        "title: a\nname: rule_a\nlogsource:\n    category: test\n"
        "detection:\n    sel:\n        f: x\n    condition: sel\n---\n"
        "title: b\nname: rule_b\nlogsource:\n    category: test\n"
        "detection:\n    sel:\n        g: y\n    condition: sel\n---\n"
        "title: c\ncorrelation:\n    type: event_count\n    rules: [rule_a, rule_b]\n"
        "    group-by: [host]\n    timespan: 1h\n    condition:\n        gte: 10\n";
    expect_query(convert_kind(counted, false, SIGCC_RULE_CORRELATION, NULL),
                 "(f=\"x\") OR (g=\"y\") earliest=-1h\n"
                 "| eval sigma_rule=mvappend(if((isnotnull(f) AND match(f, \"(?is)^x\\\\z\")), "
                 "\"rule_a\", null()), if((isnotnull(g) AND match(g, \"(?is)^y\\\\z\")), "
                 "\"rule_b\", null()))\n| where isnotnull(sigma_rule)\n| mvexpand sigma_rule\n"
                 "| stats count as EventCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by host\n| where EventCount >= 10");
    /* temporal over one rule: the rule occurred */
    expect_query(convert_corr("f: x", "    type: temporal\n    rules: base\n"
                                      "    group-by: g\n    timespan: 1h\n", NULL),
                 "f=\"x\" earliest=-1h\n"
                 "| eval sigma_rule=mvappend(if((isnotnull(f) AND match(f, \"(?is)^x\\\\z\")), "
                 "\"base\", null()))\n| where isnotnull(sigma_rule)\n"
                 "| stats dc(sigma_rule) as RuleCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by g\n| where RuleCount >= 1");
}

/* -------------------------------------------------- savedsearches format */
static void test_savedsearches(void **state)
{
    (void)state;
    conv d = convert_kind("title: 'A [bracketed]\n  title'\nid: 8a1b2c3d-0000-4000-8000-000000000001\n"
                          "description: |\n    line one\n    line two \\\nlevel: critical\n"
                          "tags: [attack.execution, attack.t1059.001, attack.s0001]\n"
                          "logsource:\n    category: test\ndetection:\n    sel:\n"
                          "        f: 'a?'\n        g: v\n    condition: sel\n",
                          false, SIGCC_RULE_DETECTION, "savedsearches");
    expect_query(d, "[A bracketed title]\n"
                    "# Sigma rule 8a1b2c3d-0000-4000-8000-000000000001\n"
                    "description = line one line two\n"
                    "search = g=\"v\" \\\n| where match(f, \"(?is)^a.\\\\z\")\n"
                    "disabled = 1\nenableSched = 1\ncron_schedule = */10 * * * *\n"
                    "dispatch.earliest_time = -10m\ndispatch.latest_time = now\n"
                    "counttype = number of events\nrelation = greater than\nquantity = 0\n"
                    "alert.track = 1\nalert.severity = 6\n"
                    "action.correlationsearch.enabled = 1\n"
                    "action.correlationsearch.label = A [bracketed] title\n"
                    "action.correlationsearch.annotations = {\"mitre_attack\": [\"T1059.001\"]}");
    expect_query(convert_corr("f: x", "    type: event_count\n    rules: base\n"
                                      "    group-by: g\n    timespan: 5m\n"
                                      "    condition:\n        gt: 2\n", "savedsearches"),
                 "[c]\n# Sigma rule 0b1e8a3e-4c2f-4d4e-9f7a-1a2b3c4d5e6f\ndescription = c\n"
                 "search = f=\"x\" earliest=-5m \\\n"
                 "| stats count as EventCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen by g \\\n| where EventCount > 2\n"
                 "disabled = 1\nenableSched = 1\ncron_schedule = * * * * *\n"
                 "dispatch.earliest_time = -5m\ndispatch.latest_time = now\n"
                 "counttype = number of events\nrelation = greater than\nquantity = 0\n"
                 "alert.track = 1\nalert.severity = 5\n"
                 "action.correlationsearch.enabled = 1\naction.correlationsearch.label = c\n"
                 "action.correlationsearch.annotations = {\"mitre_attack\": [\"T1071.003\"]}");
    conv bad = convert_kind("title: t\nlogsource:\n    category: test\ndetection:\n    sel:\n"
                            "        f: v\n    condition: sel\n",
                            false, SIGCC_RULE_DETECTION, "kibana-ndjson");
    assert_int_equal(bad.status, SIGCC_EUSAGE);
    tu_release(bad.ctx);
}

/* ------------------------------------------------ with the pipeline */
#define T1071_003 SIGCC_SOURCE_DIR "/rules/T1071.003/"

static conv convert_files(const char *const *files, size_t n, sigcc_rule_kind kind,
                          const char *want_title)
{
    conv c = {0};
    c.ctx = sigcc_ctx_new();
    assert_non_null(c.ctx);
    tu_track(c.ctx, tu_ctx_free_fn);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sigcc_load_path(c.ctx, files[i]), SIGCC_OK);
    assert_int_equal(sigcc_resolve(c.ctx), SIGCC_OK);
    assert_string_equal(sigcc_target_default_pipeline("spl"), "splunk_windows");
    assert_int_equal(sigcc_pipeline_load(c.ctx, "splunk_windows"), SIGCC_OK);
    assert_int_equal(sigcc_apply_pipelines(c.ctx), SIGCC_OK);
    sigcc_optimize_options opts = {.level = 1};
    assert_int_equal(sigcc_optimize(c.ctx, &opts), SIGCC_OK);
    const sigcc_rule *rule = NULL;
    for (size_t i = 0; i < sigcc_rule_count(c.ctx) && !rule; i++)
        if (sigcc_rule_get_kind(sigcc_rule_at(c.ctx, i)) == kind &&
            !strcmp(sigcc_rule_title(sigcc_rule_at(c.ctx, i)), want_title))
            rule = sigcc_rule_at(c.ctx, i);
    assert_non_null(rule);
    tu_conv_rule(&c, rule, "spl", NULL);
    return c;
}

#define SYSMON "source=\"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational\" "
#define MAIL_FILTER                                                                             \
    "dest_port IN (25, 465, 587, 110, 995, 143, 993) NOT (process_path IN "                     \
    "(\"*\\\\outlook.exe\", \"*\\\\thunderbird.exe\", \"*\\\\mailclient.exe\", "                \
    "\"*\\\\em client.exe\", \"*\\\\msedge.exe\", \"*\\\\chrome.exe\", \"*\\\\firefox.exe\", "  \
    "\"*\\\\safari.exe\"))"

static void test_t1071_003_with_splunk_windows(void **state)
{
    (void)state;
    const char *det[] = {T1071_003 "net_connection_mail_protocol_non_mail_client.yml"};
    expect_query(convert_files(det, 1, SIGCC_RULE_DETECTION,
                               "Mail Protocol Connection From Non-Mail-Client Process"),
                 SYSMON "EventCode=3 Initiated=\"true\" " MAIL_FILTER);
    const char *both[] = {T1071_003 "net_connection_mail_protocol_non_mail_client.yml",
                          T1071_003 "net_connection_mail_protocol_repeated_correlation.yml"};
    expect_query(convert_files(both, 2, SIGCC_RULE_CORRELATION,
                               "Repeated Mail Protocol Connections From Non-Mail-Client Process"),
                 SYSMON "EventCode=3 Initiated=\"true\" " MAIL_FILTER " earliest=-24h\n"
                 /* the rule's hunting block: the documented query's columns */
                 "| eval Protocol=case((tonumber(dest_port)==25 OR tonumber(dest_port)==465 OR "
                 "tonumber(dest_port)==587), \"SMTP\", (tonumber(dest_port)==110 OR "
                 "tonumber(dest_port)==995), \"POP3\", (tonumber(dest_port)==143 OR "
                 "tonumber(dest_port)==993), \"IMAP\", true(), \"Unknown\")\n"
                 "| stats count as EventCount, earliest(_time) as FirstSeen, "
                 "latest(_time) as LastSeen, values(Protocol) as Protocols, values(dest_port) "
                 "as Ports by dvc, process_path, dest_ip\n"
                 "| where EventCount > 2\n"
                 "| eval Severity=case(isnotnull(mvfind(Protocols, \"^(?:IMAP|POP3)$\")), "
                 "\"critical\", tonumber(EventCount)>10, \"high\", true(), \"medium\")\n"
                 "| sort 0 -EventCount");
    const char *dns[] = {T1071_003 "dns_query_tor_domains.yml"};
    expect_query(convert_files(dns, 1, SIGCC_RULE_DETECTION, "DNS Query For Tor Project Domains"),
                 SYSMON "EventCode=22 QueryName IN (\"*.torproject.org\", "
                 "\"www.theonionrouter.com\")");
    const char *ftp[] = {T1071_003 "net_connection_ftp_port_21.yml"};
    expect_query(convert_files(ftp, 1, SIGCC_RULE_DETECTION, "Outbound FTP Connection On Port 21"),
                 SYSMON "EventCode=3 Initiated=\"true\" transport=\"tcp\" dest_port=21");
}

static conv convert_windows(const char *logsource, const char *body)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "title: t\nlogsource:\n%sdetection:\n    sel:\n        %s\n    condition: sel\n",
             logsource, body);
    return convert_yaml(yaml, true);
}

#define PC "    category: process_creation\n    product: windows\n"

static void test_pipeline_sources(void **state)
{
    (void)state;
    expect_query(convert_windows(PC, "Image|endswith: '\\cmd.exe'"),
                 SYSMON "EventCode=1 process_path=\"*\\\\cmd.exe\"");
    expect_query(convert_windows(PC, "ParentImage|endswith: '\\x.exe'\n        User: 'NT "
                                     "AUTHORITY\\SYSTEM'"),
                 SYSMON "EventCode=1 parent_process_path=\"*\\\\x.exe\" "
                 "user=\"NT AUTHORITY\\\\SYSTEM\"");
    expect_query(convert_windows(PC, "CommandLine|contains: ' -enc '\n        Computer: h"),
                 SYSMON "EventCode=1 CommandLine=\"* -enc *\" dvc=\"h\"");
    expect_query(convert_windows("    category: registry_set\n    product: windows\n",
                                 "TargetObject|contains: '\\Run\\'"),
                 SYSMON "EventCode=13 TargetObject=\"*\\\\Run\\\\*\"");
    expect_query(convert_windows("    category: registry_delete\n    product: windows\n",
                                 "TargetObject|contains: x"),
                 SYSMON "EventCode=12 EventType IN (\"DeleteKey\", \"DeleteValue\") "
                 "TargetObject=\"*x*\"");
    expect_query(convert_windows("    category: file_event\n    product: windows\n",
                                 "TargetFilename|endswith: '.lnk'"),
                 SYSMON "EventCode=11 file_path=\"*.lnk\"");
    expect_query(convert_windows("    category: image_load\n    product: windows\n",
                                 "ImageLoaded|endswith: '\\x.dll'"),
                 SYSMON "EventCode=7 ImageLoaded=\"*\\\\x.dll\"");
    expect_query(convert_windows("    category: network_connection\n    product: windows\n",
                                 "DestinationIp|cidr: '10.0.0.0/8'"),
                 SYSMON "EventCode=3 dest_ip=\"10.0.0.0/8\"");
    /* the two non-Windows sources whose add-ons keep the rules' field names */
    expect_query(convert_windows("    product: aws\n    service: cloudtrail\n",
                                 "eventName: DeleteTrail"),
                 "sourcetype=\"aws:cloudtrail\" eventName=\"DeleteTrail\"");
    expect_query(convert_windows("    product: linux\n    service: auditd\n",
                                 "type: EXECVE\n        a0: getcap"),
                 "sourcetype=\"linux:audit\" type=\"EXECVE\" a0=\"getcap\"");
    /* Sysmon for Linux: its add-on's sourcetype, the EventCode of the category, Sysmon's names */
    expect_query(convert_windows("    category: process_creation\n    product: linux\n",
                                 "Image|endswith: '/bash'"),
                 "sourcetype=\"sysmon:linux\" EventCode=1 Image=\"*/bash\"");
    /* EventID is the event-log header's name only: a JSON source keeps its own field names */
    expect_query(convert_windows("    product: okta\n    service: okta\n", "EventID: 5"),
                 "sourcetype=\"OktaIM2:log\" EventID=5");
    /* the Azure activity log's names are its REST shape's */
    expect_query(convert_windows("    product: azure\n    service: activitylogs\n",
                                 "operationName: MICROSOFT.PORTAL/CONSOLES/WRITE"),
                 "sourcetype=\"mscs:azure:audit\" "
                 "operationName.value=\"MICROSOFT.PORTAL/CONSOLES/WRITE\"");
    expect_query(convert_windows("    category: ps_script\n    product: windows\n",
                                 "ScriptBlockText|contains: 'Invoke-Mimikatz'"),
                 "source IN (\"XmlWinEventLog:Microsoft-Windows-PowerShell/Operational\", "
                 "\"XmlWinEventLog:PowerShellCore/Operational\") EventCode=4104 "
                 "ScriptBlockText=\"*Invoke-Mimikatz*\"");
    expect_query(convert_windows("    product: windows\n    service: security\n",
                                 "EventID: 4624\n        LogonType: 3"),
                 "source=\"XmlWinEventLog:Security\" EventCode=4624 LogonType=3");
    expect_query(convert_windows("    product: windows\n    service: system\n",
                                 "EventID: 7045"),
                 "source=\"XmlWinEventLog:System\" EventCode=7045");
    /* the Windows add-on's Name holds the provider in quotes: the value is quoted to match */
    expect_query(convert_windows("    product: windows\n    service: system\n",
                                 "Provider_Name: 'Service Control Manager'\n        EventID: 7045"),
                 "source=\"XmlWinEventLog:System\" Name=\"'Service Control Manager'\" "
                 "EventCode=7045");
    expect_query(convert_windows("    product: windows\n    service: application\n",
                                 "Provider_Name|startswith: 'MSSQL'"),
                 "source=\"XmlWinEventLog:Application\"\n| where match(Name, \"(?is)^'MSSQL.*'\\\\z\")");
    expect_query(convert_windows("    product: windows\n    service: application\n",
                                 "Provider_Name|contains: 'SQL'"),
                 "source=\"XmlWinEventLog:Application\"\n| where match(Name, \"(?is)^'.*SQL.*'\\\\z\")");
    /* GitHub's action is the add-on's vendor_action (action holds its CIM verdict) */
    expect_query(convert_windows("    product: github\n    service: audit\n",
                                 "action: 'repo.destroy'"),
                 "sourcetype=\"github:cloud:audit\" vendor_action=\"repo.destroy\"");
    /* no product: the Windows Sysmon source (Linux Sysmon is another source) */
    expect_query(convert_windows("    category: dns_query\n", "QueryName: x"),
                 SYSMON "EventCode=22 QueryName=\"x\"");
}

static void test_pipeline_failures(void **state)
{
    (void)state;
    /* Provider_Name: a regex cannot be put in the add-on's quotes; Sysmon's add-on is not
       documented to extract the provider at all */
    expect_refused(convert_windows("    product: windows\n    service: system\n",
                                   "Provider_Name|re: 'Service .*'"),
                   "pipeline-item-failure", "only string values", 7);
    expect_refused(convert_windows("    category: process_access\n    product: windows\n",
                                   "Provider_Name: 'Microsoft-Windows-Sysmon'"),
                   "pipeline-item-failure", "Sysmon's", 7);
    expect_refused(convert_windows("    category: process_creation\n    product: macos\n",
                                   "Image|endswith: '/bash'"),
                   "pipeline-rule-failure", "no Splunk source for this logsource", 1);
    expect_refused(convert_windows("    category: file_access\n    product: windows\n",
                                   "FileName: x"),
                   "pipeline-rule-failure", "no Splunk source", 1);
    expect_refused(convert_windows("    product: github\n    service: audit\n",
                                   "status: success"),
                   "pipeline-item-failure", "computes this field", 7);
    expect_refused(convert_windows("    product: gcp\n    service: gcp.audit\n",
                                   "methodName: x"),
                   "pipeline-rule-failure", "no Splunk source", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_search_part_never_empty),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_where_guards),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_field_names),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_escaping_property),
        cmocka_unit_test(test_regex_escaping),
        cmocka_unit_test(test_correlations),
        cmocka_unit_test(test_correlation_refusals),
        cmocka_unit_test(test_correlation_several_rules),
        cmocka_unit_test(test_savedsearches),
        cmocka_unit_test(test_t1071_003_with_splunk_windows),
        cmocka_unit_test(test_pipeline_sources),
        cmocka_unit_test(test_pipeline_failures),
    };
    return cmocka_run_group_tests(tests, NULL, tu_cleanup);
}
