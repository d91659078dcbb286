/*
 * test_catalog.c - the technique catalog (src/catalog.c, catalog_render.c):
 * rules loaded from buffers and resolved, added with
 * sigcc_catalog_add_ctx, written as JSON (figures) or Markdown and HTML
 * (escaping). The full page layout is covered by tests/golden/catalog.
 */
#include "test_util.h"

static void tu_catalog_free_fn(void *p)
{
    sigcc_catalog_free(p);
}

/* A rule document: title, tags (comma-separated YAML flow list items),
 * logsource lines and detection lines, each indented by the caller. */
static void put_rule(sc_buf *b, const char *title, const char *tags, const char *logsource,
                     const char *detection)
{
    if (b->len)
        sc_buf_puts(b, "---\n");
    sc_buf_printf(b, "title: %s\ntags: [%s]\nlogsource:\n%s\ndetection:\n%s\n", title, tags,
                  logsource, detection);
}

/* The catalog of the documents in b (consumed), written for `techniques`. */
static char *catalog_of(sc_buf *b, sigcc_catalog_format format, const sigcc_catalog_options *o,
                        const char *const *techniques, size_t n)
{
    sigcc_ctx *ctx = tu_load_buf(b);
    assert_int_equal(sigcc_resolve(ctx), SIGCC_OK);
    if (sigcc_diag_count_severity(ctx, SIGCC_ERROR))
        tu_dump_diags(ctx);
    assert_int_equal(sigcc_diag_count_severity(ctx, SIGCC_ERROR), 0);
    sigcc_catalog *cat = tu_track(sigcc_catalog_new(o), tu_catalog_free_fn);
    assert_non_null(cat);
    assert_int_equal(sigcc_catalog_add_ctx(cat, ctx), SIGCC_OK);
    char *out = NULL;
    assert_int_equal(sigcc_catalog_write(cat, format, techniques, n, &out), SIGCC_OK);
    tu_track(out, tu_out_free_fn);
    tu_release(cat);
    tu_release(ctx);
    return out;
}

static char *json_of(sc_buf *b)
{
    return catalog_of(b, SIGCC_CATALOG_JSON, NULL, NULL, 0);
}

static void expect_in(const char *text, const char *want)
{
    if (!strstr(text, want))
        print_message("missing: %s\nin:\n%s\n", want, text);
    assert_non_null(strstr(text, want));
}

static void expect_not_in(const char *text, const char *unwanted)
{
    if (strstr(text, unwanted))
        print_message("unexpected: %s\nin:\n%s\n", unwanted, text);
    assert_null(strstr(text, unwanted));
}

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static const char NET[] = "    category: network_connection\n    product: windows";
static const char PROC[] = "    category: process_creation\n    product: windows";

#define ITEM(field, op, value) \
    "{\"field\": \"" field "\", \"operator\": \"" op "\", \"value\": \"" value "\""

static void test_operators(void **state)
{
    (void)state;
    sc_buf b = {0};
    put_rule(&b, "ops", "attack.t1059", PROC,
             "    a:\n        Image: 'C:\\x.exe'\n        User: ['a', 'b']\n"
             "        CommandLine: '*x*'\n        ParentImage|contains: p\n"
             "        Product|startswith: s\n        Company|endswith: e\n"
             "        Description|re: '^d+$'\n        IntegrityLevel|cidr: 10.0.0.0/8\n"
             "        ProcessId|lt: 5\n        CurrentDirectory|exists: true\n"
             "        FileVersion: null\n        ParentCommandLine|fieldref: CommandLine\n"
             "        OriginalFileName|contains|all: ['m', 'n']\n        Hashes|cased: Q\n"
             "    k:\n        - kw\n    condition: a and k");
    char *out = json_of(&b);
    expect_in(out, ITEM("Image", "eq", "C:\\\\x.exe"));
    expect_in(out, ITEM("User", "in", "a"));
    expect_in(out, ITEM("CommandLine", "wildcard", "*x*"));
    expect_in(out, ITEM("ParentImage", "contains", "p"));
    expect_in(out, ITEM("Product", "startswith", "s"));
    expect_in(out, ITEM("Company", "endswith", "e"));
    expect_in(out, ITEM("Description", "regex", "^d+$"));
    expect_in(out, ITEM("IntegrityLevel", "cidr", "10.0.0.0/8"));
    expect_in(out, ITEM("ProcessId", "lt", "5"));
    expect_in(out, ITEM("CurrentDirectory", "exists", "true"));
    expect_in(out, ITEM("FileVersion", "null", "null"));
    expect_in(out, ITEM("ParentCommandLine", "fieldref", "CommandLine"));
    expect_in(out, ITEM("OriginalFileName", "contains|all", "m"));
    expect_in(out, ITEM("Hashes", "eq|cased", "Q"));
    expect_in(out, ITEM("(keywords)", "keyword", "kw"));
    expect_in(out, "\"indicators\": {\"distinct\": 17,");
    tu_release(out);
}

/* Polarity: odd number of `not` (or |neq) is an exclusion; a filter too. */
static void test_polarity(void **state)
{
    (void)state;
    sc_buf b = {0};
    put_rule(&b, "polarity", "attack.t1059", PROC,
             "    a:\n        Image: a\n    b:\n        Image: b\n    c:\n        Image: c\n"
             "    d:\n        Image|neq: d\n"
             "    condition: a and not (b and not c) and d");
    char *out = json_of(&b);
    expect_in(out, "\"exclusions\": {\"distinct\": 2,");
    expect_in(out, "\"indicators\": {\"distinct\": 2,");
    expect_in(out, ITEM("Image", "eq", "b") ", \"rules\": 1");
    expect_in(out, ITEM("Image", "eq", "d"));
    expect_in(out, "{\"name\": \"eq\", \"rules\": 1}, {\"name\": \"not eq\", \"rules\": 1}");
    tu_release(out);
}

/* One rule counts once per item, however often it writes it; values as
 * written (windash expansions are one); case folded unless |cased. */
static void test_counting(void **state)
{
    (void)state;
    sc_buf b = {0};
    put_rule(&b, "one", "attack.t1059", PROC,
             "    a:\n        CommandLine|windash|contains: '-enc'\n    b:\n"
             "        CommandLine|windash|contains: '-ENC'\n    condition: a or b");
    put_rule(&b, "two", "attack.t1059", PROC,
             "    a:\n        CommandLine|contains|cased: '-ENC'\n    condition: a");
    char *out = json_of(&b);
    expect_in(out, ITEM("CommandLine", "contains|windash", "-enc") ", \"rules\": 1, "
                   "\"corpus_reach\": 1");
    expect_in(out, ITEM("CommandLine", "contains|cased", "-ENC"));
    expect_in(out, "\"fields\": {\"distinct\": 1, \"rows\": [\n        {\"field\": "
                   "\"CommandLine\", \"rules\": 2,");
    tu_release(out);
}

/* Reach counts every rule of the corpus, tagged or not, with the same
 * field, operator, value and polarity. */
static void test_reach(void **state)
{
    (void)state;
    sc_buf b = {0};
    put_rule(&b, "a", "attack.t1071.003", NET, "    s:\n        DestinationPort: 25\n"
                                               "    condition: s");
    put_rule(&b, "b", "attack.t1048.003", NET, "    s:\n        DestinationPort: 25\n"
                                               "    condition: s");
    put_rule(&b, "c", "attack.execution", NET, "    s:\n        DestinationPort: 25\n"
                                               "    condition: s");
    put_rule(&b, "d", "attack.t1048.003", NET, "    s:\n        DestinationPort: 25\n"
                                               "    condition: not s");
    const char *only[] = {"T1071.003"};
    char *out = catalog_of(&b, SIGCC_CATALOG_JSON, NULL, only, 1);
    expect_in(out, ITEM("DestinationPort", "eq", "25") ", \"rules\": 1, \"corpus_reach\": 3");
    expect_in(out, "\"tagged\": 3,");
    expect_in(out, "\"techniques\": 2,");
    expect_not_in(out, "T1048.003");
    tu_release(out);
}

/* Vendor spellings land on the taxonomy name only where the pipeline
 * itself would write them so for the rule's logsource. */
static void test_normalization(void **state)
{
    (void)state;
    sc_buf b = {0};
    put_rule(&b, "ecs", "attack.t1105", PROC,
             "    s:\n        process.executable|endswith: '\\certutil.exe'\n"
             "        process.command_line|contains: urlcache\n"
             "        winlog.event_data.LogonId: '0x3e7'\n    condition: s");
    put_rule(&b, "xdr", "attack.t1105", PROC,
             "    s:\n        FolderPath|endswith: '\\certutil.exe'\n"
             "        InitiatingProcessFolderPath|endswith: '\\cmd.exe'\n    condition: s");
    put_rule(&b, "ntfs", "attack.t1105", "    product: windows\n    service: ntfs",
             "    s:\n        DeviceName|contains: Shadow\n    condition: s");
    char *out = json_of(&b);
    expect_in(out, ITEM("Image", "endswith", "\\\\certutil.exe") ", \"rules\": 2");
    expect_in(out, ITEM("CommandLine", "contains", "urlcache"));
    expect_in(out, ITEM("LogonId", "eq", "0x3e7"));
    expect_in(out, ITEM("ParentImage", "endswith", "\\\\cmd.exe"));
    expect_in(out, ITEM("DeviceName", "contains", "Shadow"));
    expect_in(out, "\"written_as\": [\"FolderPath\", \"process.executable\"]");
    expect_in(out, "\"schema\": \"ecs_windows\"");
    expect_in(out, "\"schema\": \"microsoft_xdr\"");
    expect_in(out, "\"title\": \"ntfs\", \"id\": null, \"kind\": \"detection\", \"level\": \"\", "
                   "\"product\": \"windows\", \"logsource\": \"windows/ntfs\", \"schema\": "
                   "\"sigma\"");
    tu_release(out);
}

static void test_events(void **state)
{
    (void)state;
    sc_buf b = {0};
    put_rule(&b, "sec", "attack.t1059", PROC, "    s:\n        EventID: 4688\n"
                                              "        Image: x\n    condition: s");
    put_rule(&b, "sys", "attack.t1059", "    product: windows\n    service: system",
             "    s:\n        EventID: [7045, '7036']\n    condition: s");
    put_rule(&b, "all", "attack.t1059", PROC, "    s:\n        Image: y\n    condition: s");
    char *out = json_of(&b);
    expect_in(out, "{\"provider\": \"Security\", \"channel\": \"Security\", \"event_id\": 4688, "
                   "\"title\": \"A new process has been created\", \"rules\": 2}");
    expect_in(out, "{\"provider\": \"Sysmon\", \"channel\": "
                   "\"Microsoft-Windows-Sysmon/Operational\", \"event_id\": 1, \"title\": "
                   "\"Process creation\", \"rules\": 1}");
    expect_in(out, "\"event_id\": 7036, \"title\": \"\", \"rules\": 1}");
    expect_in(out, "\"event_id\": 7045, \"title\": \"A service was installed in the system\"");
    tu_release(out);
}

static void test_roll_up_and_choice(void **state)
{
    (void)state;
    sc_buf b = {0};
    put_rule(&b, "sub", "attack.t1071.003, attack.t1071", NET,
             "    s:\n        DestinationPort: 25\n    condition: s");
    put_rule(&b, "parent", "attack.t1071", NET,
             "    s:\n        DestinationPort: 80\n    condition: s");
    sigcc_catalog_options o = {.roll_up = 1};
    char *out = catalog_of(&b, SIGCC_CATALOG_JSON, &o, NULL, 0);
    expect_in(out, "\"techniques\": 1,");
    expect_in(out, "\"id\": \"T1071\",\n      \"rules\": 2,");
    tu_release(out);

    put_rule(&b, "sub", "attack.t1071.003", NET,
             "    s:\n        DestinationPort: 25\n    condition: s");
    const char *ids[] = {"t1071.003", "T9999", "T1071.003", "not-a-technique"};
    out = catalog_of(&b, SIGCC_CATALOG_JSON, NULL, ids, 4);
    expect_in(out, "\"id\": \"T1071.003\",\n      \"rules\": 1,");
    expect_in(out, "\"id\": \"T9999\",\n      \"rules\": 0,");
    assert_int_equal(count_of(out, "\"id\": \"T1071.003\""), 1);
    assert_int_equal(count_of(out, "\n      \"id\": "), 2);
    tu_release(out);
}

static void test_top_and_correlation(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, "title: base\nname: base\ntags: [attack.t1071.003]\nlogsource:\n"
                    "    category: network_connection\ndetection:\n    s:\n"
                    "        DestinationPort: [25, 587, 465]\n    condition: s\n---\n"
                    "title: repeated\ntags: [attack.t1071.003]\ncorrelation:\n"
                    "    type: event_count\n    rules: [base]\n    group-by: [Image]\n"
                    "    timespan: 1h\n    condition:\n        gte: 3\nlevel: high\n");
    sigcc_catalog_options o = {.top = 1, .samples = 2};
    char *out = catalog_of(&b, SIGCC_CATALOG_JSON, &o, NULL, 0);
    expect_in(out, "\"correlation\": 1,");
    expect_in(out, "\"indicators\": {\"distinct\": 3, \"rows\": [\n        "
                   ITEM("DestinationPort", "in", "25") ", \"rules\": 1, \"corpus_reach\": 1, "
                   "\"rule_numbers\": [1]}\n      ]},");
    expect_in(out, "\"samples\": [\"25\", \"465\"]");
    expect_in(out, "\"title\": \"repeated\", \"id\": null, \"kind\": \"correlation\", "
                   "\"level\": \"high\", \"product\": \"any\", \"logsource\": "
                   "\"any/network_connection\"");
    tu_release(out);
}

/* Nothing a rule writes escapes its context in any format. */
static void test_escaping(void **state)
{
    (void)state;
    static const char title[] = "'a|b <script>x</script> `c` *d* \\e [f](g) \"h\"'";
    for (int f = SIGCC_CATALOG_MARKDOWN; f <= SIGCC_CATALOG_JSON; f++) {
        sc_buf b = {0};
        put_rule(&b, title, "attack.t1059", PROC,
                 "    s:\n        Image|contains: \"a|b`\\n<i>\\\"\\x01\"\n    condition: s");
        char *out = catalog_of(&b, (sigcc_catalog_format)f, NULL, NULL, 0);
        expect_not_in(out, "\x01");
        if (f != SIGCC_CATALOG_JSON)
            expect_not_in(out, "<script>x");
        if (f == SIGCC_CATALOG_MARKDOWN) {
            expect_in(out, "a\\|b \\<script\\>x\\</script\\> \\`c\\` \\*d\\* \\\\e \\[f\\](g)");
            expect_in(out, "``a\\|b`\\x{0a}<i>\"\\x{01}``");
        } else if (f == SIGCC_CATALOG_HTML) {
            expect_in(out, "a|b &lt;script&gt;x&lt;/script&gt;");
            expect_in(out, "<code class=\"v\">a|b`\\x{0a}&lt;i&gt;&quot;\\x{01}</code>");
            expect_not_in(out, "<i>");
        } else {
            expect_in(out, "\"value\": \"a|b`\\\\x{0a}<i>\\\"\\\\x{01}\"");
        }
        tu_release(out);
    }
}

static void test_usage(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(sigcc_catalog_add_rule(NULL, NULL), SIGCC_EUSAGE);
    assert_int_equal(sigcc_catalog_write(NULL, SIGCC_CATALOG_JSON, NULL, 0, &out), SIGCC_EUSAGE);
    sigcc_catalog *cat = tu_track(sigcc_catalog_new(NULL), tu_catalog_free_fn);
    assert_non_null(cat);
    assert_int_equal(sigcc_catalog_write(cat, (sigcc_catalog_format)7, NULL, 0, &out),
                     SIGCC_EUSAGE);
    assert_int_equal(sigcc_catalog_write(cat, SIGCC_CATALOG_MARKDOWN, NULL, 1, &out),
                     SIGCC_EUSAGE);
    assert_int_equal(sigcc_catalog_write(cat, SIGCC_CATALOG_HTML, NULL, 0, &out), SIGCC_OK);
    expect_in(out, "<!DOCTYPE html>");
    expect_not_in(out, "http");
    sigcc_free(out);
    tu_release(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_polarity),
        cmocka_unit_test(test_counting),
        cmocka_unit_test(test_reach),
        cmocka_unit_test(test_normalization),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_roll_up_and_choice),
        cmocka_unit_test(test_top_and_correlation),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, NULL, tu_cleanup);
}
