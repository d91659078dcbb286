/*
 * test_hunting.c - a rule's hunting: block (src/hunting.c): what the
 * loader reads, the errors it reports, how pipelines map its fields, and
 * the KQL spelling (extend / summarize / case / sort).
 */
#include "test_util.h"

static sigcc_ctx *load(const char *yaml, const char *pipeline)
{
    return tu_conv_ctx(yaml, &(tu_conv_opts){.file = "h.yml", .pipelines = {pipeline}, .level = 1});
}

/* The query of the last rule of the context (the correlation, when there
 * is one) in `target`, without its final newline. */
static const char *query_of_last(sigcc_ctx *ctx, const char *target)
{
    size_t n = sigcc_rule_count(ctx);
    assert_true(n > 0);
    tu_conv c = {.ctx = ctx};
    tu_conv_rule(&c, sigcc_rule_at(ctx, n - 1), target, NULL);
    if (c.status != SIGCC_OK)
        tu_dump_diags(ctx);
    assert_int_equal(c.status, SIGCC_OK);
    return c.query;
}

static const char *kql_of_last(sigcc_ctx *ctx)
{
    return query_of_last(ctx, "kql");
}

static const char DETECTION[] = "title: d\n"
                                "name: conn\n"
                                "logsource:\n"
                                "    category: network_connection\n"
                                "    product: windows\n"
                                "detection:\n"
                                "    sel:\n"
                                "        DestinationPort: [25, 143]\n"
                                "    condition: sel\n"
                                "level: low\n";

static void test_detection_columns_severity_sort(void **state)
{
    (void)state;
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "%shunting:\n"
             "    columns:\n"
             "        Protocol:\n"
             "            field: DestinationPort\n"
             "            cases: {SMTP: 25, IMAP: [143, 993], Web: [http, HTTPS]}\n"
             "    severity:\n"
             "        - {level: high, when: {Protocol: IMAP}}\n"
             "    sort: DestinationPort\n",
             DETECTION);
    sigcc_ctx *ctx = load(yaml, "microsoft_xdr");
    assert_string_equal(
        kql_of_last(ctx),
        "DeviceNetworkEvents\n| where RemotePort in (25, 143)\n"
        "| extend Protocol = case(RemotePort in (25), \"SMTP\", RemotePort in (143, 993), "
        "\"IMAP\", RemotePort in~ (\"http\", \"HTTPS\"), \"Web\", \"\")\n"
        "| extend Severity = case(Protocol in (\"IMAP\"), \"high\", \"low\")\n"
        "| sort by RemotePort asc");
    tu_release(ctx);
}

static void test_correlation_aggregates_and_ladder(void **state)
{
    (void)state;
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "%s---\n"
             "title: c\n"
             "correlation:\n"
             "    type: event_count\n"
             "    rules: conn\n"
             "    group-by: [Computer]\n"
             "    timespan: 1h\n"
             "    condition: {gt: 2}\n"
             "level: high\n"
             "hunting:\n"
             "    columns:\n"
             "        Protocol: {field: DestinationPort, cases: {SMTP: 25}, default: Other}\n"
             "    aggregates:\n"
             "        Protocols: values(Protocol)\n"
             "        Destinations: count_distinct(DestinationIp)\n"
             "        Lowest: min(DestinationPort)\n"
             "    severity:\n"
             "        - {level: critical, when: {Protocols: [SMTP, x], EventCount|gte: 5}}\n"
             "        - {level: medium, when: {Destinations|gt: 1}}\n"
             "        - {level: low}\n"
             "    sort: EventCount desc\n",
             DETECTION);
    sigcc_ctx *ctx = load(yaml, "microsoft_xdr");
    assert_string_equal(
        kql_of_last(ctx),
        "DeviceNetworkEvents\n| where RemotePort in (25, 143)\n| where Timestamp > ago(1h)\n"
        "| extend Protocol = case(RemotePort in (25), \"SMTP\", \"Other\")\n"
        "| summarize EventCount = count(), FirstSeen = min(Timestamp), LastSeen = "
        "max(Timestamp), Protocols = make_set(Protocol), Destinations = "
        "count_distinct(RemoteIP), Lowest = min(RemotePort) by DeviceName\n"
        "| where EventCount > 2\n"
        "| extend Severity = case((set_has_element(Protocols, \"SMTP\") or "
        "set_has_element(Protocols, \"x\")) and EventCount >= 5, \"critical\", "
        "Destinations > 1, \"medium\", \"low\")\n"
        "| sort by EventCount desc");
    tu_release(ctx);
}

/* The same block in SPL: eval before stats, values() in it, the ladder
 * with mvfind over the multivalue aggregate, then sort. */
static void test_spl_spelling(void **state)
{
    (void)state;
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "%s---\n"
             "title: c\n"
             "correlation:\n"
             "    type: event_count\n"
             "    rules: conn\n"
             "    group-by: [Computer]\n"
             "    timespan: 1h\n"
             "    condition: {gt: 2}\n"
             "level: high\n"
             "hunting:\n"
             "    columns:\n"
             "        Protocol: {field: DestinationPort, cases: {SMTP: 25, 'a.b': [x]}}\n"
             "    aggregates:\n"
             "        Protocols: values(Protocol)\n"
             "    severity:\n"
             "        - {level: critical, when: {Protocols: ['a.b']}}\n"
             "    sort: EventCount desc\n",
             DETECTION);
    sigcc_ctx *ctx = load(yaml, "splunk_windows");
    const char *q = query_of_last(ctx, "spl");
    assert_non_null(strstr(q, "\n| eval Protocol=case((tonumber(dest_port)==25), \"SMTP\", "
                              "(lower(dest_port)==lower(\"x\")), \"a.b\", true(), \"\")\n"
                              "| stats count as EventCount, "));
    assert_non_null(strstr(q, "values(Protocol) as Protocols by dvc\n| where EventCount > 2\n"
                              "| eval Severity=case(isnotnull(mvfind(Protocols, "
                              "\"^(?:a\\\\.b)$\")), \"critical\", true(), \"high\")\n"
                              "| sort 0 -EventCount"));
    tu_release(ctx);
}

/* Without the block, and with it, the match part of the query is the same:
 * hunting columns only add to what follows. */
static void test_block_never_changes_matching(void **state)
{
    (void)state;
    sigcc_ctx *plain = load(DETECTION, "microsoft_xdr");
    char base[1024];
    snprintf(base, sizeof base, "%s", kql_of_last(plain));
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "%shunting:\n    columns:\n        P: {field: DestinationPort, cases: {a: 1}}\n",
             DETECTION);
    sigcc_ctx *hunted = load(yaml, "microsoft_xdr");
    const char *q = kql_of_last(hunted);
    assert_int_equal(strncmp(q, base, strlen(base)), 0);
    assert_non_null(strstr(q + strlen(base), "| extend P = case("));
    tu_release(plain);
    tu_release(hunted);
}

static void expect_bad(const char *block, unsigned line, unsigned col)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%shunting:\n%s", DETECTION, block);
    sigcc_ctx *ctx = sigcc_ctx_new();
    tu_track(ctx, tu_ctx_free_fn);
    sigcc_load_buffer(ctx, "h.yml", yaml, strlen(yaml));
    tu_expect_error_at(ctx, "bad-hunting", line, col);
    assert_int_equal(sigcc_rule_count(ctx), 0);
    tu_release(ctx);
}

static void test_errors(void **state)
{
    (void)state;
    /* DETECTION is 10 lines, "hunting:" the 11th. */
    expect_bad("    columns:\n        Bad-Name: {field: f, cases: {a: 1}}\n", 13, 9);
    expect_bad("    columns:\n        P: {field: f}\n", 13, 12);
    expect_bad("    columns:\n        P: {field: f, cases: {a: 1}, extra: 2}\n", 13, 38);
    expect_bad("    aggregates:\n        A: values(f)\n", 13, 9);
    expect_bad("    severity:\n        - {level: high}\n        - {level: low, when: {f: 1}}\n",
               13, 11);
    expect_bad("    severity:\n        - {level: severe}\n", 13, 19);
    expect_bad("    severity:\n        - {level: high, when: {f|gt: [1, 2]}}\n", 13, 38);
    expect_bad("    severity:\n        - {level: high, when: {f|contains: 1}}\n", 13, 32);
    expect_bad("    sort: f upward\n", 12, 11);
    expect_bad("    sorting: f\n", 12, 5);
    expect_bad("    - columns\n", 12, 5);
}

/* A filter cannot carry the block; a correlation without group-by can. */
static void test_filter_refused(void **state)
{
    (void)state;
    const char *yaml = "title: f\nlogsource:\n    category: network_connection\n"
                       "filter:\n    rules: [conn]\n    selection:\n        Image: x\n"
                       "    condition: not selection\n"
                       "hunting:\n    sort: Image\n";
    sigcc_ctx *ctx = sigcc_ctx_new();
    tu_track(ctx, tu_ctx_free_fn);
    sigcc_load_buffer(ctx, "h.yml", yaml, strlen(yaml));
    assert_non_null(tu_find_diag(ctx, "bad-hunting"));
    tu_release(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detection_columns_severity_sort),
        cmocka_unit_test(test_correlation_aggregates_and_ladder),
        cmocka_unit_test(test_spl_spelling),
        cmocka_unit_test(test_block_never_changes_matching),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_filter_refused),
    };
    return cmocka_run_group_tests(tests, NULL, tu_cleanup);
}
