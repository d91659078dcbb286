/*
 * test_backend_kql.c - the KQL backend (backends/kql.c) for Microsoft
 * Defender XDR advanced hunting: rules loaded from buffers, resolved,
 * optimized (level 1) and converted with sigcc_convert_rule(..., "kql"...).
 * The table comes from the rule's custom attribute kql_table; the tests set
 * it in the rule itself (custom attributes are top-level rule keys) unless
 * they are about the microsoft_xdr pipeline.
 */
#include "test_util.h"

typedef tu_conv conv;

static conv convert_yaml(const char *yaml, bool xdr)
{
    return tu_convert(yaml, &(tu_conv_opts){.target = "kql",
                                            .pipelines = {xdr ? "microsoft_xdr" : NULL},
                                            .level = 1,
                                            .kind = -1});
}

/* A rule with table T whose selection `sel` (line 7) is `body`. */
static conv convert_det(const char *detection, const char *condition)
{
    char yaml[16384];
    int n = snprintf(yaml, sizeof yaml,
                     "title: t\nkql_table: T\nlogsource:\n    category: test\ndetection:\n%s\n"
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
#define KQL(body, want) expect_query(convert_det(SEL(body), "sel"), "T\n| where " want)
#define REFUSED(body, what)                                                                     \
    expect_refused(convert_det(SEL(body), "sel"), "target-cannot-express", what, 7)

/* ------------------------------------------------------------ correlations */
/* A base rule (named base, table T) and a correlation over it. */
static conv convert_corr(const char *correlation)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "title: base\nname: base\nkql_table: T\nlogsource:\n    category: test\n"
             "detection:\n    sel:\n        f: x\n    condition: sel\n---\n"
             "title: c\ncorrelation:\n%s", correlation);
    return tu_convert(yaml, &(tu_conv_opts){.target = "kql",
                                            .level = -1, /* not optimized */
                                            .kind = SIGCC_RULE_CORRELATION,
                                            .last = true});
}

static void test_correlations(void **state)
{
    (void)state;
    expect_query(convert_corr("    type: event_count\n    rules: base\n    group-by: [g, h]\n"
                              "    timespan: 24h\n    condition:\n        gt: 2\n"),
                 "T\n| where f =~ \"x\"\n| where Timestamp > ago(24h)\n"
                 "| summarize EventCount = count(), FirstSeen = min(Timestamp), "
                 "LastSeen = max(Timestamp) by g, h\n| where EventCount > 2");
    expect_query(convert_corr("    type: value_count\n    rules: base\n    group-by: g\n"
                              "    timespan: 90m\n    condition:\n        field: ip\n"
                              "        gte: 10\n"),
                 "T\n| where f =~ \"x\"\n| where Timestamp > ago(90m)\n"
                 "| summarize ValueCount = count_distinct(ip), FirstSeen = min(Timestamp), "
                 "LastSeen = max(Timestamp) by g\n| where ValueCount >= 10");
    expect_query(convert_corr("    type: value_sum\n    rules: base\n    group-by: g\n"
                              "    timespan: 30s\n    condition:\n        field: bytes\n"
                              "        gt: 100\n        lte: 200\n"),
                 "T\n| where f =~ \"x\"\n| where Timestamp > ago(30s)\n"
                 "| summarize ValueSum = sum(bytes), FirstSeen = min(Timestamp), "
                 "LastSeen = max(Timestamp) by g\n| where ValueSum > 100\n| where ValueSum <= 200");
    expect_query(convert_corr("    type: temporal\n    rules: base\n    group-by: g\n"
                              "    timespan: 1h\n"),
                 "T\n| where f =~ \"x\"\n| extend SigmaRule = \"base\"\n"
                 "| where Timestamp > ago(1h)\n"
                 "| summarize RuleCount = count_distinct(SigmaRule), FirstSeen = min(Timestamp), "
                 "LastSeen = max(Timestamp) by g\n| where RuleCount >= 1");
    conv t = convert_corr("    type: temporal_ordered\n    rules: base\n    group-by: g\n"
                          "    timespan: 1h\n");
    assert_int_equal(t.status, SIGCC_EUNSUPPORTED);
    assert_non_null(tu_find_diag(t.ctx, "target-cannot-express"));
    tu_release(t.ctx);
    conv p = convert_corr("    type: value_percentile\n    rules: base\n    group-by: g\n"
                          "    timespan: 1h\n    condition:\n        field: n\n"
                          "        gt: 5\n");
    assert_int_equal(p.status, SIGCC_EUNSUPPORTED);
    tu_release(p.ctx);
}

static void test_equality(void **state)
{
    (void)state;
    KQL("f: v", "f =~ \"v\"");
    KQL("f: ''", "f =~ \"\"");
    KQL("f: [a, b]", "f in~ (\"a\", \"b\")");
    KQL("f|cased: V", "f == \"V\"");
    KQL("f|cased: [A, b]", "f in (\"A\", \"b\")");
    KQL("f: 25", "f == 25");
    KQL("f: -3", "f == -3");
    KQL("f: 1.5", "f == 1.5");
    KQL("f: [25, 465]", "f in (25, 465)");
    KQL("f: '25'", "f =~ \"25\"");
    KQL("f: true", "f == true");
    KQL("f: null", "isempty(f)");
    KQL("f|exists: true", "isnotempty(f)");
    KQL("f|exists: false", "isempty(f)");
    KQL("f: [25, 465, x, z]", "(f in (25, 465) or f in~ (\"x\", \"z\"))");
    KQL("f: a\n        g: 25", "f =~ \"a\" and g == 25");
    KQL("'my field': v", "[\"my field\"] =~ \"v\"");
    KQL("'a\"b': v", "[\"a\\\"b\"] =~ \"v\"");
}

static void test_wildcards(void **state)
{
    (void)state;
    KQL("f|contains: x", "f contains \"x\"");
    KQL("f|startswith: x", "f startswith \"x\"");
    KQL("f|endswith: x", "f endswith \"x\"");
    KQL("f|contains|cased: X", "f contains_cs \"X\"");
    KQL("f|startswith|cased: X", "f startswith_cs \"X\"");
    KQL("f|endswith|cased: X", "f endswith_cs \"X\"");
    KQL("f: '*'", "isnotempty(f)");
    KQL("f: 'a*b'", "f matches regex \"(?is)^a.*b$\"");
    KQL("f: 'a?b'", "f matches regex \"(?is)^a.b$\"");
    KQL("f|cased: 'a?b'", "f matches regex \"(?s)^a.b$\"");
    KQL("f: '*a*b*'", "f matches regex \"(?is)^.*a.*b.*$\"");
    KQL("f: 'C:\\Win*\\x.exe'", "f matches regex \"(?is)^C\\\\:\\\\\\\\Win.*\\\\\\\\x\\\\.exe$\"");
    KQL("f: 'a.b(c)*'", "f startswith \"a.b(c)\"");
    KQL("f: 'a\\*b*'", "f startswith \"a*b\""); /* a literal star */
    KQL("f|contains: ['a', 'b']", "(f contains \"a\" or f contains \"b\")");
    KQL("f: [x, 'y*']", "(f =~ \"x\" or f startswith \"y\")");
}

static void test_operators(void **state)
{
    (void)state;
    KQL("f|contains|all: [a, b]", "(f contains \"a\" and f contains \"b\")");
    KQL("f|neq: v", "not(f =~ \"v\")");
    KQL("f|lt: 5", "f < 5");
    KQL("f|lte: 5", "f <= 5");
    KQL("f|gt: 5", "f > 5");
    KQL("f|gte: 5", "f >= 5");
    KQL("f|cidr: 10.0.0.0/8", "ipv4_is_in_range(f, \"10.0.0.0/8\")");
    KQL("f|cidr: ['10.0.0.0/8', '192.168.0.0/16']",
        "(ipv4_is_in_range(f, \"10.0.0.0/8\") or ipv4_is_in_range(f, \"192.168.0.0/16\"))");
    KQL("f|cidr: 'fe80::/10'", "ipv6_is_in_range(f, \"fe80::/10\")");
    /* Under a not, a null comparison or range test (a null column, text that is no address)
     * counts as false, as Sigma's absent value does; not(null) would drop the row. */
    expect_query(convert_det(SEL("f|cidr: 10.0.0.0/8") "\n    n:\n        g|gt: 5",
                             "not sel and not n"),
                 "T\n| where not(coalesce(ipv4_is_in_range(f, \"10.0.0.0/8\"), false)) and "
                 "not(coalesce(g > 5, false))");
    KQL("f|re: 'a.*b'", "f matches regex \"a.*b\"");
    KQL("f|re: '^C:\\\\x\\d+$'", "f matches regex \"^C:\\\\\\\\x\\\\d+$\"");
    KQL("f|re|i: 'ab'", "f matches regex \"(?i)ab\"");
    KQL("f|re|i|m|s: 'ab'", "f matches regex \"(?ims)ab\"");
    KQL("f|re: '(?i)a(?:b|c)[^x]'", "f matches regex \"(?i)a(?:b|c)[^x]\"");
    KQL("f|re: '(?P<n>a)'", "f matches regex \"(?P<n>a)\"");
    KQL("f|re: \"a\\tb\"", "f matches regex \"a\\\\x{09}b\"");
    KQL("f|fieldref: g", "f =~ g");
    KQL("f|fieldref|cased: g", "f == g");
    KQL("f|windash: '-x'", "f in~ (\"-x\", \"/x\", \"\xe2\x80\x93x\", \"\xe2\x80\x94x\", "
                           "\"\xe2\x80\x95x\")");
}

static void test_refusals(void **state)
{
    (void)state;
    REFUSED("f|re: '(a)\\1'", "'\\1'");
    REFUSED("f|re: 'a(?=b)'", "'(?' other than flags");
    REFUSED("f|re: 'a(?!b)'", "lookaround");
    REFUSED("f|re: '(?<=a)b'", "lookaround");
    REFUSED("f|re: 'a++'", "possessive");
    REFUSED("f|re: 'a\\Z'", "'\\Z'");
    REFUSED("f|fieldref|contains: g", "field reference");
    REFUSED("f|minute: 5", "time-part");
    REFUSED("f: \"a\\x01b\"", "control character");
    expect_refused(convert_det("    keywords:\n        - evil", "keywords"),
                   "target-cannot-express", "keyword", 7);
    /* no table */
    expect_refused(convert_yaml("title: t\nlogsource:\n    category: test\ndetection:\n"
                                "    sel:\n        f: v\n    condition: sel\n",
                                false),
                   "target-cannot-express", "no table", 1);
    expect_refused(convert_yaml("title: t\nkql_table: 'a b'\nlogsource:\n    category: test\n"
                                "detection:\n    sel:\n        f: v\n    condition: sel\n",
                                false),
                   "target-cannot-express", "identifier", 1);
}

static void test_precedence(void **state)
{
    (void)state;
    expect_query(convert_det("    a:\n        f: 1\n    b:\n        g: 2\n    c:\n        h: 3",
                             "a and (b or c)"),
                 "T\n| where f == 1 and (g == 2 or h == 3)");
    expect_query(convert_det("    a:\n        f: 1\n    b:\n        g: 2\n    c:\n        h: 3",
                             "a or b and c"),
                 "T\n| where f == 1 or g == 2 and h == 3");
    expect_query(convert_det("    a:\n        f: 1\n    b:\n        g: 2\n    c:\n        h: 3",
                             "not (a or b) and c"),
                 "T\n| where h == 3 and not(f == 1 or g == 2)"); /* optimizer order */
    expect_query(convert_det("    a:\n        f: 1\n    b:\n        g: 2",
                             "not a or not b"),
                 "T\n| where not(f == 1) or not(g == 2)");
}

/* ----------------------------------------------------------- escaping */
/* Reads one KQL "..." literal at q (\\ \" \n \r \t only); returns the
 * position after it or NULL. */
static const char *read_literal(const char *q, char *out, size_t *len)
{
    if (*q != '"')
        return NULL;
    size_t n = 0;
    for (q++; *q && *q != '"'; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 || c == 0x7f)
            return NULL; /* raw control character */
        if (c == '\\') {
            q++;
            switch (*q) {
            case '\\': out[n++] = '\\'; break;
            case '"': out[n++] = '"'; break;
            case 'n': out[n++] = '\n'; break;
            case 'r': out[n++] = '\r'; break;
            case 't': out[n++] = '\t'; break;
            default: return NULL;
            }
        } else {
            out[n++] = (char)c;
        }
    }
    if (*q != '"')
        return NULL;
    *len = n;
    return q + 1;
}

/* raw (no NUL) as a |cased equality and as |contains|cased: the query
 * holds exactly one literal that decodes to raw, and nothing after it. */
static void check_value(const char *raw)
{
    char yaml[8192], scalar[4096];
    size_t k = 0;
    for (const char *p = raw; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool sigma_special = c == '\\' || c == '*' || c == '?';
        if (sigma_special)
            k += (size_t)sprintf(scalar + k, "\\x5c");
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            scalar[k++] = (char)c;
        else
            k += (size_t)sprintf(scalar + k, "\\x%02x", c);
    }
    scalar[k] = 0;
    bool ok_text = true;
    for (const char *p = raw; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
            ok_text = false;
    static const char *const mods[] = {"|cased", "|contains|cased"};
    static const char *const heads[] = {"T\n| where f == ", "T\n| where f contains_cs "};
    for (size_t m = 0; m < 2; m++) {
        snprintf(yaml, sizeof yaml,
                 "title: t\nkql_table: T\nlogsource:\n    category: test\ndetection:\n"
                 "    sel:\n        f%s: \"%s\"\n    condition: sel\n",
                 mods[m], scalar);
        conv c = convert_yaml(yaml, false);
        if (!ok_text && m == 1) { /* a control character: RE2 \x{HH} */
            assert_int_equal(c.status, SIGCC_OK);
            assert_non_null(strstr(c.query, "T\n| where f matches regex \"(?s)^.*"));
            assert_non_null(strstr(c.query, "\\x{"));
            tu_release(c.ctx);
            continue;
        }
        if (!ok_text) {
            assert_int_equal(c.status, SIGCC_EUNSUPPORTED);
            tu_release(c.ctx);
            continue;
        }
        if (c.status != SIGCC_OK)
            tu_dump_diags(c.ctx);
        assert_int_equal(c.status, SIGCC_OK);
        if (!*raw && m == 1) { /* contains '' is '**': any value */
            assert_string_equal(c.query, "T\n| where isnotempty(f)");
            tu_release(c.ctx);
            continue;
        }
        size_t hl = strlen(heads[m]);
        assert_memory_equal(c.query, heads[m], hl);
        char lit[4096];
        size_t len = 0;
        const char *end = read_literal(c.query + hl, lit, &len);
        if (!end || len != strlen(raw) || memcmp(lit, raw, len) != 0 || *end)
            print_message("raw '%s' gave %s\n", raw, c.query);
        assert_non_null(end);
        assert_int_equal(*end, '\0');
        assert_int_equal(len, strlen(raw));
        assert_memory_equal(lit, raw, len);
        tu_release(c.ctx);
    }
}

static void test_escaping_property(void **state)
{
    (void)state;
    static const char *const fixed[] = {
        "say \"hi\"", "\"", "\"\"", "\\", "\\\\", "a\\b", "end\\", "\\\"", "a\\\"b",
        "line1\nline2", "\n", "cr\rx", "tab\tx", "\t\r\n", "C:\\Windows\\System32\\",
        "\xc3\xa9t\xc3\xa9", "emoji \xf0\x9f\x98\x80", "star*lit", "q?", "*", "?",
        "\" or 1 == 1 or \"", "\") or true or (\"", "'single'", "@\"verbatim\"", "a|b",
        "x\\", "\\\\\\", "  spaced  ", "",
    };
    static const tu_around around[] = {{"", ""}, {"x", "y"}, {"\\", "\\"}, {"\"", "\""}};
    size_t checked = tu_hostile_values(fixed, TU_COUNT(fixed), around, TU_COUNT(around),
                                       "\"\\*?ab \n\t'@|()", 12345u, 300, check_value);
    assert_true(checked > 800);
}

/* ------------------------------------------------ with the pipeline */
#define T1071_003 "rules/T1071.003/net_connection_mail_protocol_non_mail_client.yml"

static void test_t1071_003_with_microsoft_xdr(void **state)
{
    (void)state;
    sigcc_ctx *ctx = sigcc_ctx_new();
    assert_non_null(ctx);
    tu_track(ctx, tu_ctx_free_fn);
    assert_int_equal(sigcc_load_path(ctx, SIGCC_SOURCE_DIR "/" T1071_003), SIGCC_OK);
    assert_int_equal(sigcc_resolve(ctx), SIGCC_OK);
    assert_string_equal(sigcc_target_default_pipeline("kql"), "microsoft_xdr");
    assert_int_equal(sigcc_pipeline_load(ctx, "microsoft_xdr"), SIGCC_OK);
    assert_int_equal(sigcc_apply_pipelines(ctx), SIGCC_OK);
    sigcc_optimize_options opts = {.level = 1};
    assert_int_equal(sigcc_optimize(ctx, &opts), SIGCC_OK);
    char *q = NULL;
    assert_int_equal(sigcc_convert_rule(ctx, tu_rule(ctx, 0), "kql", NULL, &q), SIGCC_OK);
    tu_track(q, tu_out_free_fn);
    assert_string_equal(
        q, "DeviceNetworkEvents\n"
           "| where ActionType in~ (\"ConnectionSuccess\", \"ConnectionAttempt\", "
           "\"ConnectionFailed\") and RemotePort in (25, 465, 587, 110, 995, 143, 993) and "
           "not((InitiatingProcessFolderPath endswith \"\\\\outlook.exe\" or "
           "InitiatingProcessFolderPath endswith \"\\\\thunderbird.exe\" or "
           "InitiatingProcessFolderPath endswith \"\\\\mailclient.exe\" or "
           "InitiatingProcessFolderPath endswith \"\\\\em client.exe\" or "
           "InitiatingProcessFolderPath endswith \"\\\\msedge.exe\" or "
           "InitiatingProcessFolderPath endswith \"\\\\chrome.exe\" or "
           "InitiatingProcessFolderPath endswith \"\\\\firefox.exe\" or "
           "InitiatingProcessFolderPath endswith \"\\\\safari.exe\"))\n");
    char *q2 = NULL;
    assert_int_equal(sigcc_convert_rule(ctx, tu_rule(ctx, 0), "kql", "nope", &q2), SIGCC_EUSAGE);
    assert_null(q2);
    tu_release(ctx);
}

/* n `contains` values of f: the selection, and the query sigcc should write
 * (groups of 64 from 65 values on, so that Kusto's analyzer does not stop
 * at its depth limit of 500). */
static void expect_pattern_list(size_t n)
{
    char body[8192], want[16384];
    size_t b = 0, w = 0;
    b += (size_t)snprintf(body + b, sizeof body - b, "f|contains:");
    w += (size_t)snprintf(want + w, sizeof want - w, "T\n| where %s", n > 1 ? "(" : "");
    for (size_t i = 0; i < n; i++) {
        bool opens = n > 64 && i % 64 == 0;
        b += (size_t)snprintf(body + b, sizeof body - b, "\n            - v%zu", i);
        w += (size_t)snprintf(want + w, sizeof want - w, "%s%s%sf contains \"v%zu\"",
                              opens && i ? ")" : "", i ? " or " : "", opens ? "(" : "", i);
        assert_true(b < sizeof body && w < sizeof want);
    }
    snprintf(want + w, sizeof want - w, "%s%s", n > 64 ? ")" : "", n > 1 ? ")" : "");
    char detection[8300];
    snprintf(detection, sizeof detection, "    sel:\n        %s", body);
    expect_query(convert_det(detection, "sel"), want);
}

static void test_long_pattern_lists(void **state)
{
    (void)state;
    expect_pattern_list(64);
    expect_pattern_list(65);
    expect_pattern_list(130);
}

/* A process_creation rule and a filter of it whose selection is filter_item,
 * through microsoft_xdr. */
static conv convert_filtered(const char *filter_item)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "title: Whoami\nid: 1b4f0a8e-3c55-4f0e-9b0a-2f4a8f7d6c11\n"
             "logsource:\n    category: process_creation\n    product: windows\n"
             "detection:\n    sel:\n        Image|endswith: '\\whoami.exe'\n"
             "    condition: sel\n---\ntitle: Exclusion\n"
             "logsource:\n    category: process_creation\n    product: windows\n"
             "filter:\n    rules:\n        - 1b4f0a8e-3c55-4f0e-9b0a-2f4a8f7d6c11\n"
             "    selection:\n        %s\n    condition: not selection\n",
             filter_item);
    return convert_yaml(yaml, true);
}

/* A filter the pipeline refuses (User has no Defender column) refuses the
 * rule it tunes: without it the rule would match more. */
static void test_refused_filter(void **state)
{
    (void)state;
    expect_query(convert_filtered("CommandLine|contains: ' /all'"),
                 "DeviceProcessEvents\n| where FolderPath endswith \"\\\\whoami.exe\" and "
                 "not(ProcessCommandLine contains \" /all\")");
    expect_refused(convert_filtered("User|startswith: 'adm_'"), "target-cannot-express",
                   "filter 'Exclusion'", 1);
}

static conv convert_xdr(const char *category, const char *body)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "title: t\nlogsource:\n    category: %s\n    product: windows\ndetection:\n"
             "    sel:\n        %s\n    condition: sel\n",
             category, body);
    return convert_yaml(yaml, true);
}

static void test_pipeline_tables(void **state)
{
    (void)state;
    expect_query(convert_xdr("process_creation", "Image|endswith: '\\cmd.exe'"),
                 "DeviceProcessEvents\n| where FolderPath endswith \"\\\\cmd.exe\"");
    expect_query(convert_xdr("process_creation", "ParentCommandLine|contains: x"),
                 "DeviceProcessEvents\n| where InitiatingProcessCommandLine contains \"x\"");
    expect_query(convert_xdr("process_creation", "OriginalFileName: a.exe"),
                 "DeviceProcessEvents\n| where ProcessVersionInfoOriginalFileName =~ \"a.exe\"");
    expect_query(convert_xdr("network_connection", "DestinationIp|cidr: 10.0.0.0/8"),
                 "DeviceNetworkEvents\n| where ipv4_is_in_range(RemoteIP, \"10.0.0.0/8\")");
    expect_query(convert_xdr("network_connection", "Initiated: 'false'"),
                 "DeviceNetworkEvents\n| where ActionType =~ \"InboundConnectionAccepted\"");
    expect_query(convert_xdr("file_event", "TargetFilename|endswith: '.lnk'"),
                 /* only creations: the table also holds changes and deletions */
                 "DeviceFileEvents\n| where ActionType =~ \"FileCreated\" and "
                 "FolderPath endswith \".lnk\"");
    expect_query(convert_xdr("image_load", "ImageLoaded|endswith: '\\x.dll'"),
                 "DeviceImageLoadEvents\n| where FolderPath endswith \"\\\\x.dll\"");
    /* Registry rules see TargetObject and Details rebuilt in Sysmon's form. */
    conv reg = convert_xdr("registry_set", "TargetObject|endswith: '\\Run\\x'\n"
                                           "        Details: 'DWORD (0x00000001)'");
    assert_int_equal(reg.status, SIGCC_OK);
    assert_non_null(strstr(reg.query, "DeviceRegistryEvents\n| extend TargetObject = strcat("
                                      "replace_regex(replace_regex(replace_regex(RegistryKey, "
                                      "@\"^HKEY_LOCAL_MACHINE(\\\\|$)\", @\"HKLM\\1\")"));
    assert_non_null(strstr(reg.query, "Details = case(RegistryValueType =~ \"Dword\", "
                                      "strcat(\"DWORD (0x\", tohex(tolong(RegistryValueData), 8)"));
    /* registry_set is Sysmon's SetValue: Defender's RegistryValueSet only */
    assert_non_null(strstr(reg.query, "\n| where ActionType =~ \"RegistryValueSet\" and "
                                      "TargetObject endswith \"\\\\Run\\\\x\" "
                                      "and Details =~ \"DWORD (0x00000001)\""));
    tu_release(reg.ctx);
    /* Sysmon's EventType is the ActionType, value by value; anything else fails. */
    conv et = convert_xdr("registry_event", "EventType: [SetValue, RenameKey]");
    assert_int_equal(et.status, SIGCC_OK);
    assert_non_null(strstr(et.query, "ActionType in~ (\"RegistryValueSet\", "
                                     "\"RegistryKeyRenamed\")"));
    tu_release(et.ctx);
    expect_refused(convert_xdr("registry_event", "EventType: 'Set*'"), "pipeline-item-failure",
                   "EventType", 7);
    conv del = convert_xdr("registry_delete", "Image|endswith: '\\x.exe'");
    assert_int_equal(del.status, SIGCC_OK);
    assert_non_null(strstr(del.query, "ActionType in~ (\"RegistryKeyDeleted\", "
                                      "\"RegistryValueDeleted\")"));
    tu_release(del.ctx);
    /* Details is text: Kusto would reject a number compared with it. */
    conv num = convert_xdr("registry_set", "Details: 0");
    assert_int_equal(num.status, SIGCC_OK);
    assert_non_null(strstr(num.query, " and Details =~ \"0\""));
    tu_release(num.ctx);
    /* Hashes: a digest on its column; an imphash (no column) or a bare 'MD5=' is refused. */
    conv h = convert_xdr("process_creation", "Hashes|contains: 'MD5=5C3E5E6E2B1A0F9D8C7B6A5F4E3D2C1B'");
    assert_int_equal(h.status, SIGCC_OK);
    assert_non_null(strstr(h.query, "\n| where MD5 =~ \"5C3E5E6E2B1A0F9D8C7B6A5F4E3D2C1B\""));
    tu_release(h.ctx);
    expect_refused(convert_xdr("process_creation", "Hashes|contains: 'IMPHASH=AB'"),
                   "pipeline-hashes", "IMPHASH", 7);
    expect_refused(convert_xdr("process_creation", "Hashes|contains: 'MD5='"),
                   "pipeline-hashes", "Hashes", 7);
    expect_refused(convert_xdr("file_event", "Hashes|contains: 'MD5=AB'"),
                   "pipeline-item-failure", "Hashes", 7);
    expect_refused(convert_xdr("process_creation", "User: x"), "pipeline-item-failure",
                   "User", 7);
    expect_refused(convert_xdr("registry_set", "NewName: x"), "pipeline-item-failure",
                   "DeviceRegistryEvents", 7);
    expect_refused(convert_xdr("process_creation", "EventID: 1"), "pipeline-item-failure",
                   "DeviceProcessEvents", 7);
    expect_refused(convert_xdr("network_connection", "Initiated: 'yes'"),
                   "pipeline-item-failure", "Initiated", 7);
    expect_query(convert_xdr("dns_query", "QueryName|endswith: '.onion'"),
                 "DeviceEvents\n| extend QueryName = tostring(parse_json(AdditionalFields)."
                 "DnsQueryString)\n| where ActionType =~ \"DnsQueryResponse\" and QueryName "
                 "endswith \".onion\"");
    expect_refused(convert_xdr("dns_query", "QueryResults: x"), "pipeline-item-failure",
                   "QueryResults", 7);
    expect_refused(convert_xdr("driver_load", "ImageLoaded: x"), "target-cannot-express",
                   "no table", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_correlations),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_escaping_property),
        cmocka_unit_test(test_t1071_003_with_microsoft_xdr),
        cmocka_unit_test(test_pipeline_tables),
        cmocka_unit_test(test_long_pattern_lists),
        cmocka_unit_test(test_refused_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
