/*
 * test_backend_yaral.c - the YARA-L backend (backends/yaral.c) for Google
 * SecOps: rules loaded from buffers, resolved, optimized (level 1) and
 * converted with sigcc_convert_rule(..., "yaral"...). The UDM event type
 * comes from the rule's custom attribute udm_event_type; the tests set it
 * in the rule itself (custom attributes are top-level rule keys) and use
 * UDM field names, unless they are about the google_udm pipeline.
 */
#include "test_util.h"

typedef tu_conv conv;

/* Converts the last rule of `kind` (or the first that is no filter). */
static conv convert_kind(const char *yaml, bool udm, int kind)
{
    return tu_convert(yaml, &(tu_conv_opts){.target = "yaral",
                                            .pipelines = {udm ? "google_udm" : NULL},
                                            .level = 1,
                                            .kind = kind,
                                            .last = kind >= 0});
}

static conv convert_yaml(const char *yaml, bool udm)
{
    return convert_kind(yaml, udm, -1);
}

/* A rule of event type T whose selection `sel` starts at line 7. */
static conv convert_det(const char *detection, const char *condition)
{
    char yaml[16384];
    int n = snprintf(yaml, sizeof yaml,
                     "title: t\nudm_event_type: T\nlogsource:\n    category: test\ndetection:\n"
                     "%s\n    condition: %s\n",
                     detection, condition);
    assert_true(n > 0 && (size_t)n < sizeof yaml);
    return convert_yaml(yaml, false);
}

/* The rule around the events of convert_det's rules. */
#define HEAD "rule t {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n" \
             "    $e.metadata.event_type = \"T\"\n"
#define TAIL "\n  condition:\n    $e\n}"

static void expect_query(conv c, const char *want)
{
    tu_expect_query(c, want);
}

static void expect_refused(conv c, const char *code, const char *what, uint32_t line)
{
    tu_expect_refused(c, code, what, line);
}

#define SEL(body) "    sel:\n        " body
/* One events line for `sel` (after the event type line). */
#define YL(body, want) expect_query(convert_det(SEL(body), "sel"), HEAD "    " want TAIL)
#define REFUSED(body, what)                                                                     \
    expect_refused(convert_det(SEL(body), "sel"), "target-cannot-express", what, 7)

/* ------------------------------------------------------------ rule shape */
static void test_rule_shape(void **state)
{
    (void)state;
    expect_query(
        convert_yaml("title: 'Evil \"Rule\" 2: C:\\Temp\\x'\n"
                     "id: 0e4e6f5e-2b7c-4d3e-9a1f-1b2c3d4e5f60\n"
                     "status: test\n"
                     "description: |\n    Line one \"quoted\"\n    line\ttwo \\ end\n"
                     "references:\n    - https://example.org/a\n    - https://example.org/b\n"
                     "author: 'A. \"B\" C'\n"
                     "date: 2024-01-02\nmodified: 2024-03-04\n"
                     "tags:\n    - attack.execution\n    - attack.t1059.001\n"
                     "    - attack.defense-evasion\n    - attack.t1027\n    - cve.2024-1\n"
                     "udm_event_type: PROCESS_LAUNCH\n"
                     "logsource:\n    category: test\n"
                     "detection:\n    sel:\n        target.process.command_line|contains: x\n"
                     "    condition: sel\n"
                     "falsepositives:\n    - Admins\n    - Backups\n"
                     "level: informational\n",
                     false),
        "rule evil_rule_2_c_temp_x {\n"
        "  meta:\n"
        "    title = \"Evil \\\"Rule\\\" 2: C:\\\\Temp\\\\x\"\n"
        "    description = \"Line one \\\"quoted\\\" line two \\\\ end\"\n"
        "    author = \"A. \\\"B\\\" C\"\n"
        "    rule_id = \"0e4e6f5e-2b7c-4d3e-9a1f-1b2c3d4e5f60\"\n"
        "    severity = \"INFORMATIONAL\"\n"
        "    status = \"test\"\n"
        "    reference = \"https://example.org/a, https://example.org/b\"\n"
        "    mitre_attack_tactic = \"Execution, Defense Evasion\"\n"
        "    mitre_attack_technique = \"T1059.001, T1027\"\n"
        "    false_positives = \"Admins; Backups\"\n"
        "    created = \"2024-01-02\"\n"
        "    version = \"2024-03-04\"\n"
        "  events:\n"
        "    $e.metadata.event_type = \"PROCESS_LAUNCH\"\n"
        "    re.regex($e.target.process.command_line, `(?i)x`)\n"
        "  condition:\n"
        "    $e\n"
        "}");
    /* identifiers: the name before the title; a leading digit gets a prefix */
    conv c = convert_yaml("title: '1st rule'\nudm_event_type: T\nlogsource:\n    category: x\n"
                          "detection:\n    sel:\n        target.port: 1\n    condition: sel\n",
                          false);
    assert_int_equal(c.status, SIGCC_OK);
    assert_memory_equal(c.query, "rule sigma_1st_rule {\n", 22);
    tu_release(c.ctx);
    c = convert_yaml("title: Some Title\nname: my_Rule-name\nudm_event_type: T\nlogsource:\n"
                     "    category: x\ndetection:\n    sel:\n        target.port: 1\n"
                     "    condition: sel\n",
                     false);
    assert_int_equal(c.status, SIGCC_OK);
    assert_memory_equal(c.query, "rule my_rule_name {\n", 20);
    tu_release(c.ctx);
    c = convert_yaml("title: '!!!'\nudm_event_type: T\nlogsource:\n    category: x\n"
                     "detection:\n    sel:\n        target.port: 1\n    condition: sel\n",
                     false);
    assert_int_equal(c.status, SIGCC_OK);
    assert_memory_equal(c.query, "rule sigma_rule {\n", 18);
    tu_release(c.ctx);
    /* several event types; filters are lines of their own */
    expect_query(convert_yaml("title: t\nname: base\nudm_event_type: 'A_B,C'\nlogsource:\n"
                              "    category: x\ndetection:\n    sel:\n        target.port: 1\n"
                              "    condition: sel\n---\ntitle: f\nlogsource:\n    category: x\n"
                              "filter:\n    rules: base\n"
                              "    selection:\n        target.hostname: h\n"
                              "    condition: not selection\n",
                              false),
                 "rule base {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n"
                 "    ($e.metadata.event_type = \"A_B\" or $e.metadata.event_type = \"C\")\n"
                 "    $e.target.port = 1\n    not $e.target.hostname = \"h\" nocase" TAIL);
}

/* ------------------------------------------------------------ equality */
static void test_equality(void **state)
{
    (void)state;
    YL("target.hostname: v", "$e.target.hostname = \"v\" nocase");
    YL("target.hostname|cased: V", "$e.target.hostname = \"V\"");
    YL("target.hostname: [a, b]",
       "($e.target.hostname = \"a\" nocase or $e.target.hostname = \"b\" nocase)");
    YL("target.hostname: '25'", "$e.target.hostname = \"25\""); /* no letters, no case */
    YL("target.hostname: 25", "$e.target.hostname = \"25\"");
    YL("target.hostname: true", "$e.target.hostname = \"true\" nocase");
    YL("target.hostname: null", "$e.target.hostname = \"\"");
    YL("target.hostname: ''", "$e.target.hostname = \"\"");
    YL("target.hostname: 'caf\xc3\xa9'", "$e.target.hostname = \"caf\xc3\xa9\" nocase");
    YL("target.port: 25", "$e.target.port = 25");
    YL("target.port: -1", "$e.target.port = -1");
    YL("target.port: '25'", "$e.target.port = 25");
    YL("target.port: [25, 465]", "($e.target.port = 25 or $e.target.port = 465)");
    YL("network.sent_bytes: 0", "$e.network.sent_bytes = 0");
    YL("network.direction: outbound", "$e.network.direction = \"OUTBOUND\"");
    YL("network.ip_protocol|cased: TCP", "$e.network.ip_protocol = \"TCP\"");
    YL("metadata.event_type: process_launch", "$e.metadata.event_type = \"PROCESS_LAUNCH\"");
    YL("target.process.command_line: a\n        target.port: 1",
       "$e.target.process.command_line = \"a\" nocase\n    $e.target.port = 1");
    REFUSED("target.port: '025'", "no decimal integer on the UDM integer field target.port");
    REFUSED("target.port: 1.5", "no decimal integer");
    REFUSED("target.port: true", "no decimal integer");
    REFUSED("target.port: null", "null (UDM stores an unset integer");
    REFUSED("target.port|contains: 2", "a wildcard pattern on the UDM integer field");
    REFUSED("network.direction: 'out*'", "wildcard pattern on the UDM enumeration field");
    REFUSED("network.direction: 'out bound'", "this value of the UDM enumeration");
    REFUSED("network.direction|cased: outbound", "this value of the UDM enumeration");
    REFUSED("network.direction: 1", "a number or boolean on the UDM enumeration");
}

/* ------------------------------------------------------------ wildcards */
static void test_wildcards(void **state)
{
    (void)state;
    YL("target.hostname|contains: x", "re.regex($e.target.hostname, `(?i)x`)");
    YL("target.hostname|startswith: x", "re.regex($e.target.hostname, `(?i)^x`)");
    YL("target.hostname|endswith: x", "re.regex($e.target.hostname, `(?i)x$`)");
    YL("target.hostname|contains|cased: X", "re.regex($e.target.hostname, `X`)");
    YL("target.hostname|startswith|cased: X", "re.regex($e.target.hostname, `^X`)");
    YL("target.hostname|endswith|cased: X", "re.regex($e.target.hostname, `X$`)");
    YL("target.hostname: '*'", "$e.target.hostname != \"\"");
    YL("target.hostname: 'a*b'", "re.regex($e.target.hostname, `(?is)^a.*b$`)");
    YL("target.hostname: 'a?b'", "re.regex($e.target.hostname, `(?is)^a.b$`)");
    YL("target.hostname|cased: 'a?b'", "re.regex($e.target.hostname, `(?s)^a.b$`)");
    YL("target.hostname: '*a*b*'", "re.regex($e.target.hostname, `(?is)^.*a.*b.*$`)");
    YL("target.hostname: 'a\\*b*'", "re.regex($e.target.hostname, `(?i)^a\\*b`)");
    YL("target.hostname: 'a\\?b'", "$e.target.hostname = \"a?b\" nocase");
    YL("target.hostname: 'C:\\Win*\\x.exe'",
       "re.regex($e.target.hostname, `(?is)^C\\:\\\\Win.*\\\\x\\.exe$`)");
    YL("target.hostname|endswith: ['\\a.exe', '\\b.exe']",
       "re.regex($e.target.hostname, `(?i)(?:\\\\a\\.exe|\\\\b\\.exe)$`)");
    YL("target.hostname|contains: ['a', 'b']", "re.regex($e.target.hostname, `(?i)(?:a|b)`)");
    YL("target.hostname: [x, 'y*', '*z', 'w*v', '*u*', 'q']",
       "($e.target.hostname = \"x\" nocase or $e.target.hostname = \"q\" nocase or "
       "re.regex($e.target.hostname, `(?i)u`) or re.regex($e.target.hostname, `(?i)^y`) or "
       "re.regex($e.target.hostname, `(?i)z$`) or re.regex($e.target.hostname, `(?is)^w.*v$`))");
    /* a control character cannot be written in "...": an anchored regex */
    YL("target.hostname|cased: \"a\\x01b\"", "re.regex($e.target.hostname, `^a\\x{01}b$`)");
    YL("target.hostname: \"a\\nb\"", "re.regex($e.target.hostname, `(?i)^a\\x{0a}b$`)");
    YL("target.hostname|contains: '`'", "re.regex($e.target.hostname, `(?i)\\x{60}`)");
}

/* ------------------------------------------------------------ operators */
static void test_operators(void **state)
{
    (void)state;
    YL("target.hostname|contains|all: [a, b]",
       "(re.regex($e.target.hostname, `(?i)a`) and re.regex($e.target.hostname, `(?i)b`))");
    YL("target.hostname|neq: v", "not ($e.target.hostname = \"v\" nocase)");
    YL("target.port|lt: 5", "$e.target.port < 5");
    YL("target.port|lte: 5", "$e.target.port <= 5");
    YL("target.port|gt: 5", "$e.target.port > 5");
    YL("target.port|gte: 5", "$e.target.port >= 5");
    YL("target.port|gt: [5, 10]", "($e.target.port > 5 or $e.target.port > 10)");
    YL("target.ip|cidr: 10.0.0.0/8", "net.ip_in_range_cidr($e.target.ip, \"10.0.0.0/8\")");
    YL("target.ip|cidr: 'fe80::/10'", "net.ip_in_range_cidr($e.target.ip, \"fe80::/10\")");
    YL("target.ip|cidr: ['10.0.0.0/8', '::1/128']",
       "(net.ip_in_range_cidr($e.target.ip, \"10.0.0.0/8\") or "
       "net.ip_in_range_cidr($e.target.ip, \"::1/128\"))");
    YL("target.hostname|re: 'a.*b'", "re.regex($e.target.hostname, `a.*b`)");
    YL("target.hostname|re: '^C:\\\\x\\d+$'", "re.regex($e.target.hostname, `^C:\\\\x\\d+$`)");
    YL("target.hostname|re|i: 'ab'", "re.regex($e.target.hostname, `(?i)ab`)");
    YL("target.hostname|re|i|m|s: 'ab'", "re.regex($e.target.hostname, `(?ims)ab`)");
    YL("target.hostname|re: '(?i)a(?:b|c)[^x]'",
       "re.regex($e.target.hostname, `(?i)a(?:b|c)[^x]`)");
    YL("target.hostname|re: \"a\\tb\"", "re.regex($e.target.hostname, `a\\x{09}b`)");
    YL("target.hostname|re: 'a`b'", "re.regex($e.target.hostname, `a\\x{60}b`)");
    YL("target.hostname|re: 'a\\`b[`]'", "re.regex($e.target.hostname, `a\\x{60}b[\\x{60}]`)");
    YL("target.hostname|re: '\\Qa`b\\E'",
       "re.regex($e.target.hostname, `\\Qa\\E\\x{60}\\Qb\\E`)");
    YL("target.hostname|fieldref: target.user.userid",
       "($e.target.hostname = $e.target.user.userid nocase and $e.target.user.userid != \"\")");
    YL("target.hostname|fieldref|cased: target.user.userid",
       "($e.target.hostname = $e.target.user.userid and $e.target.user.userid != \"\")");
    YL("target.hostname|exists: true", "$e.target.hostname != \"\"");
    /* a map field's element by key, always a string (a '.port' in the key is text) */
    YL("'additional.fields[\"CallTrace\"]|contains': dbghelp.dll",
       "re.regex($e.additional.fields[\"CallTrace\"], `(?i)dbghelp\\.dll`)");
    YL("'target.resource.attribute.labels[\"a.port\"]': 25",
       "$e.target.resource.attribute.labels[\"a.port\"] = \"25\"");
    YL("target.hostname|exists: false", "$e.target.hostname = \"\"");
    YL("target.process.command_line|windash|contains: '-x'",
       "re.regex($e.target.process.command_line, `(?i)(?:\\-x|\\/x|\xe2\x80\x93x|"
       "\xe2\x80\x94x|\xe2\x80\x95x)`)");
}

static void test_refusals(void **state)
{
    (void)state;
    REFUSED("target.hostname|re: '(a)\\1'", "'\\1'");
    REFUSED("target.hostname|re: 'a(?=b)'", "lookaround");
    REFUSED("target.hostname|re: '(?<=a)b'", "lookaround");
    REFUSED("target.hostname|re: 'a++'", "possessive");
    REFUSED("target.hostname|re: 'a\\Z'", "'\\Z'");
    REFUSED("target.port|re: '2.'", "a regular expression on the UDM integer field");
    REFUSED("target.port|cidr: 10.0.0.0/8", "a network range on the UDM integer field");
    REFUSED("target.hostname|lt: 5", "a numeric comparison on the UDM field target.hostname");
    REFUSED("target.hostname|fieldref|contains: target.user.userid", "field reference");
    REFUSED("target.port|fieldref: principal.port", "between integer or enumeration");
    REFUSED("target.port|exists: true", "exists (UDM stores an unset integer");
    REFUSED("target.hostname|minute: 5", "time-part");
    REFUSED("Image: x", "the field 'Image' (not a UDM field path");
    REFUSED("target..x: x", "not a UDM field path");
    REFUSED("target.Host: x", "not a UDM field path");
    /* a map key only on a map field, non-empty, without quote or backslash */
    REFUSED("'target.hostname[\"x\"]': x", "not a UDM field path");
    REFUSED("'additional.fields[\"\"]': x", "not a UDM field path");
    REFUSED("'additional.fields[\"a\\\\b\"]': x", "not a UDM field path");
    REFUSED("'additional.fields[\"a\"b\"]': x", "not a UDM field path");
    REFUSED("'additional.fields[\"a\"].x': x", "not a UDM field path");
    REFUSED("'additional.Fields[\"a\"]': x", "not a UDM field path");
    REFUSED("target.hostname|expand: '%x%'", "placeholder %x%");
    expect_refused(convert_det("    keywords:\n        - evil", "keywords"),
                   "target-cannot-express", "keyword", 7);
    /* no event type, a bad event type */
    expect_refused(convert_yaml("title: t\nlogsource:\n    category: test\n    product: p\n"
                                "detection:\n    sel:\n        target.port: 1\n"
                                "    condition: sel\n",
                                false),
                   "target-cannot-express", "logsource (category test, product p, service -): "
                                            "no UDM event type",
                   1);
    expect_refused(convert_yaml("title: t\nudm_event_type: 'A\" or x'\nlogsource:\n"
                                "    category: test\ndetection:\n    sel:\n        target.port: 1\n"
                                "    condition: sel\n",
                                false),
                   "target-cannot-express", "must be upper-case UDM names", 1);
}

/* A pipeline that drops detection items leaves constants: true needs no
 * line, false never matches. */
static conv convert_dropping(const char *detection, const char *condition)
{
    static const char pipeline[] = "name: drop\ntransformations:\n"
                                   "  - type: drop_detection_item\n"
                                   "    field_name_conditions:\n"
                                   "      - {type: include_fields, fields: [dropped]}\n";
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "title: t\nudm_event_type: T\nlogsource:\n    category: test\ndetection:\n%s\n"
             "    condition: %s\n",
             detection, condition);
    conv c = {0};
    c.ctx = sigcc_ctx_new();
    assert_non_null(c.ctx);
    tu_track(c.ctx, tu_ctx_free_fn);
    sigcc_load_buffer(c.ctx, "t.yml", yaml, strlen(yaml));
    sigcc_resolve(c.ctx);
    assert_int_equal(sigcc_pipeline_load_buffer(c.ctx, "drop", pipeline, strlen(pipeline)),
                     SIGCC_OK);
    sigcc_apply_pipelines(c.ctx);
    sigcc_optimize_options opts = {.level = 1};
    assert_int_equal(sigcc_optimize(c.ctx, &opts), SIGCC_OK);
    tu_conv_rule(&c, tu_rule(c.ctx, 0), "yaral", NULL);
    return c;
}

static void test_constants(void **state)
{
    (void)state;
    expect_query(convert_dropping("    sel:\n        dropped: 1", "sel"),
                 HEAD "  condition:\n    $e\n}");
    expect_query(convert_dropping("    sel:\n        dropped: 1\n    b:\n        target.port: 2",
                                  "sel and b"),
                 HEAD "    $e.target.port = 2" TAIL);
    expect_refused(convert_dropping("    sel:\n        dropped: 1", "not sel"),
                   "target-cannot-express", "a condition that never matches", 8);
}

static void test_precedence(void **state)
{
    (void)state;
    const char *abc = "    a:\n        target.port: 1\n    b:\n        principal.port: 2\n"
                      "    c:\n        src.port: 3";
    expect_query(convert_det(abc, "a and (b or c)"),
                 HEAD "    $e.target.port = 1\n    ($e.principal.port = 2 or $e.src.port = 3)" TAIL);
    expect_query(convert_det(abc, "a or b and c"),
                 HEAD "    ($e.target.port = 1 or $e.principal.port = 2 and $e.src.port = 3)" TAIL);
    expect_query(convert_det(abc, "not (a or b) and c"),
                 HEAD "    $e.src.port = 3\n    not ($e.target.port = 1 or $e.principal.port = 2)"
                      TAIL);
    expect_query(convert_det(abc, "not a or not b"),
                 HEAD "    (not $e.target.port = 1 or not $e.principal.port = 2)" TAIL);
}

/* ----------------------------------------------------------- escaping */
/* Reads one YARA-L "..." literal at q (\\ and \" only). */
static const char *read_string(const char *q, char *out, size_t *len)
{
    if (*q != '"')
        return NULL;
    size_t n = 0;
    for (q++; *q && *q != '"'; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 || c == 0x7f)
            return NULL;
        if (c == '\\') {
            q++;
            if (*q != '\\' && *q != '"')
                return NULL;
        }
        out[n++] = *q;
    }
    *len = n;
    return *q == '"' ? q + 1 : NULL;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads one `...` RE2 literal of literal characters only (\punct, \x{HH},
 * plain characters); no backquote or control character inside. */
static const char *read_regex(const char *q, bool anchored, char *out, size_t *len)
{
    if (*q != '`' || (anchored && q[1] != '^'))
        return NULL;
    size_t n = 0;
    for (q += 1 + anchored; *q && *q != '`'; q++) {
        if (anchored && q[0] == '$' && q[1] == '`')
            break;
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 || c == 0x7f)
            return NULL;
        if (c != '\\') {
            if (strchr(".*+?()[]{}|^$", c))
                return NULL; /* a regex operator: not a literal */
            out[n++] = (char)c;
            continue;
        }
        q++;
        if (*q == 'x' && q[1] == '{' && hex(q[2]) >= 0 && hex(q[3]) >= 0 && q[4] == '}') {
            out[n++] = (char)(hex(q[2]) * 16 + hex(q[3]));
            q += 4;
        } else if (*q && !((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                           (*q >= '0' && *q <= '9'))) {
            out[n++] = *q;
        } else {
            return NULL;
        }
    }
    *len = n;
    if (anchored && *q == '$')
        q++;
    return *q == '`' ? q + 1 : NULL;
}

/* regex: 0 a "..." string, 1 an unanchored regex, 2 an anchored one */
static void check_decoded(const char *q, const char *head, const char *raw, int regex)
{
    size_t hl = strlen(head);
    if (strncmp(q, head, hl) != 0)
        print_message("raw '%s' gave\n%s\n", raw, q);
    assert_memory_equal(q, head, hl);
    char lit[4096];
    size_t len = 0;
    const char *end = regex ? read_regex(q + hl, regex == 2, lit, &len)
                            : read_string(q + hl, lit, &len);
    if (!end || len != strlen(raw) || memcmp(lit, raw, len) != 0)
        print_message("raw '%s' gave\n%s\n", raw, q);
    assert_non_null(end);
    assert_int_equal(len, strlen(raw));
    assert_memory_equal(lit, raw, len);
    const char *want_end = regex ? ")" TAIL : TAIL;
    if (strcmp(end, want_end) != 0)
        print_message("raw '%s' gave\n%s\n", raw, q);
    assert_string_equal(end, want_end);
}

/* raw (no NUL) as a |cased equality and as |contains|cased: the events
 * line holds exactly one literal that decodes to raw, and nothing after
 * it but the rule's end. */
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
    bool printable = true;
    for (const char *p = raw; *p; p++)
        printable &= (unsigned char)*p >= 0x20 && *p != 0x7f;
    static const char *const mods[] = {"|cased", "|contains|cased"};
    for (size_t m = 0; m < 2; m++) {
        snprintf(yaml, sizeof yaml,
                 "title: t\nudm_event_type: T\nlogsource:\n    category: test\ndetection:\n"
                 "    sel:\n        target.hostname%s: \"%s\"\n    condition: sel\n",
                 mods[m], scalar);
        conv c = convert_yaml(yaml, false);
        if (c.status != SIGCC_OK)
            tu_dump_diags(c.ctx);
        assert_int_equal(c.status, SIGCC_OK);
        if (!*raw) {
            assert_string_equal(c.query, m ? HEAD "    $e.target.hostname != \"\"" TAIL
                                           : HEAD "    $e.target.hostname = \"\"" TAIL);
        } else if (m == 0 && printable) {
            check_decoded(c.query, HEAD "    $e.target.hostname = ", raw, 0);
        } else {
            check_decoded(c.query, HEAD "    re.regex($e.target.hostname, ", raw, m ? 1 : 2);
        }
        tu_release(c.ctx);
    }
}

static void test_escaping_property(void **state)
{
    (void)state;
    static const char *const fixed[] = {
        "say \"hi\"", "\"", "\"\"", "\\", "\\\\", "a\\b", "end\\", "\\\"", "a\\\"b",
        "line1\nline2", "\n", "cr\rx", "tab\tx", "\t\r\n", "C:\\Windows\\System32\\",
        "\xc3\xa9t\xc3\xa9", "emoji \xf0\x9f\x98\x80", "star*lit", "q?", "*", "?", "`", "a`b`",
        "\" nocase or $e.x = \"", "\") or true or (\"", "`) or re.regex($e.x, `", "}\n}\nrule x {",
        "a|b", "x\\", "\\\\\\", "  spaced  ", "", "$e", "#e > 0", "\x7f", "\x01\x1f",
    };
    static const tu_around around[] = {{"", ""}, {"x", "y"}, {"\\", "\\"}, {"\"", "`"}};
    size_t checked = tu_hostile_values(fixed, TU_COUNT(fixed), around, TU_COUNT(around),
                                       "\"\\*?ab \n\t'`|(){}$#", 4321u, 300, check_value);
    assert_true(checked > 800);
}

/* Hostile metadata stays inside its one-line meta strings, and braces
 * outside literals balance. */
static void test_meta_hostile(void **state)
{
    (void)state;
    conv c = convert_yaml("title: \"x\\\" }\\n}\\nrule y {\\\\\"\n"
                          "description: \"a\\x01b\\tc\\r\\nd\\\\\\\"\"\n"
                          "author: \"\\\\\"\n"
                          "udm_event_type: T\nlogsource:\n    category: test\n"
                          "detection:\n    sel:\n        target.port: 1\n    condition: sel\n",
                          false);
    assert_int_equal(c.status, SIGCC_OK);
    assert_string_equal(c.query,
                        "rule x_rule_y {\n  meta:\n"
                        "    title = \"x\\\" } } rule y {\\\\\"\n"
                        "    description = \"a b c d\\\\\\\"\"\n"
                        "    author = \"\\\\\"\n"
                        "  events:\n    $e.metadata.event_type = \"T\"\n    $e.target.port = 1"
                        TAIL);
    /* braces outside "..." and `...` */
    int depth = 0, min_depth = 0;
    char in = 0;
    for (const char *p = c.query; *p; p++) {
        if (in == '"' && *p == '\\') {
            p++;
            continue;
        }
        if (in && *p == in)
            in = 0;
        else if (!in && (*p == '"' || *p == '`'))
            in = *p;
        else if (!in && *p == '{')
            depth++;
        else if (!in && *p == '}')
            min_depth = --depth < min_depth ? depth : min_depth;
    }
    assert_int_equal(in, 0);
    assert_int_equal(depth, 0);
    assert_int_equal(min_depth, 0);
    tu_release(c.ctx);
}

/* ------------------------------------------------------------ correlations */
#define BASE_RULE                                                                               \
    "title: base\nname: base\nudm_event_type: NETWORK_CONNECTION\nlogsource:\n"                  \
    "    category: test\ndetection:\n    sel:\n        target.port: 25\n    condition: sel\n---\n"
#define OTHER_RULE                                                                              \
    "title: other\nname: other\nudm_event_type: PROCESS_LAUNCH\nlogsource:\n"                    \
    "    category: test\ndetection:\n    sel:\n        target.process.command_line: x\n"         \
    "    condition: sel\n---\n"
#define CORR_HEAD "rule c {\n  meta:\n    title = \"c\"\n    description = \"c\"\n  events:\n"
#define BASE_EVENTS                                                                             \
    "    $e.metadata.event_type = \"NETWORK_CONNECTION\"\n    $e.target.port = 25\n"

static conv convert_corr(const char *rules, const char *correlation)
{
    char yaml[8192];
    snprintf(yaml, sizeof yaml, "%stitle: c\ncorrelation:\n%s", rules, correlation);
    return convert_kind(yaml, false, SIGCC_RULE_CORRELATION);
}

static void test_correlations(void **state)
{
    (void)state;
    expect_query(convert_corr(BASE_RULE, "    type: event_count\n    rules: base\n"
                                         "    group-by: [principal.hostname, target.ip]\n"
                                         "    timespan: 24h\n    condition:\n        gt: 2\n"),
                 CORR_HEAD BASE_EVENTS
                 "    $principal_hostname = $e.principal.hostname\n    $target_ip = $e.target.ip\n"
                 "  match:\n    $principal_hostname, $target_ip over 24h\n"
                 "  condition:\n    #e > 2\n}");
    expect_query(convert_corr(BASE_RULE, "    type: event_count\n    rules: base\n"
                                         "    group-by: target.ip\n    timespan: 90m\n"
                                         "    condition:\n        gte: 3\n        lt: 10\n"),
                 CORR_HEAD BASE_EVENTS "    $target_ip = $e.target.ip\n"
                 "  match:\n    $target_ip over 90m\n"
                 "  condition:\n    $e and #e >= 3 and #e < 10\n}");
    expect_query(convert_corr(BASE_RULE, "    type: value_count\n    rules: base\n"
                                         "    group-by: principal.hostname\n    timespan: 1h\n"
                                         "    condition:\n        field: target.ip\n"
                                         "        gte: 10\n"),
                 CORR_HEAD BASE_EVENTS "    $principal_hostname = $e.principal.hostname\n"
                 "  match:\n    $principal_hostname over 1h\n"
                 "  outcome:\n    $value_count = count_distinct($e.target.ip)\n"
                 "  condition:\n    $e and $value_count >= 10\n}");
    expect_query(convert_corr(BASE_RULE, "    type: value_sum\n    rules: base\n"
                                         "    group-by: principal.hostname\n    timespan: 2d\n"
                                         "    condition:\n        field: network.sent_bytes\n"
                                         "        gt: 100\n        lte: 200\n"),
                 CORR_HEAD BASE_EVENTS "    $principal_hostname = $e.principal.hostname\n"
                 "  match:\n    $principal_hostname over 48h\n"
                 "  outcome:\n    $value_sum = sum($e.network.sent_bytes)\n"
                 "  condition:\n    $e and $value_sum > 100 and $value_sum <= 200\n}");
    expect_query(convert_corr(BASE_RULE, "    type: value_avg\n    rules: base\n"
                                         "    group-by: principal.hostname\n    timespan: 5m\n"
                                         "    condition:\n        field: network.sent_bytes\n"
                                         "        gt: 1.5\n"),
                 CORR_HEAD BASE_EVENTS "    $principal_hostname = $e.principal.hostname\n"
                 "  match:\n    $principal_hostname over 5m\n"
                 "  outcome:\n    $value_avg = avg($e.network.sent_bytes)\n"
                 "  condition:\n    $e and $value_avg > 1.5\n}");
    /* two rules grouped by the same field: one event variable, their events ORed */
    expect_query(convert_corr(BASE_RULE OTHER_RULE,
                              "    type: event_count\n    rules: [base, other]\n"
                              "    group-by: principal.hostname\n    timespan: 1h\n"
                              "    condition:\n        gte: 5\n"),
                 CORR_HEAD "    (($e.metadata.event_type = \"NETWORK_CONNECTION\" and "
                           "$e.target.port = 25) or ($e.metadata.event_type = \"PROCESS_LAUNCH\" "
                           "and $e.target.process.command_line = \"x\" nocase))\n"
                           "    $principal_hostname = $e.principal.hostname\n"
                           "  match:\n    $principal_hostname over 1h\n"
                           "  condition:\n    #e >= 5\n}");
    /* temporal: one variable per rule, aliases bind each rule's own field */
    expect_query(convert_corr(BASE_RULE OTHER_RULE,
                              "    type: temporal\n    rules: [base, other]\n"
                              "    group-by: host\n    timespan: 10m\n"
                              "    aliases:\n        host:\n            base: principal.hostname\n"
                              "            other: target.hostname\n"),
                 CORR_HEAD "    $e1.metadata.event_type = \"NETWORK_CONNECTION\"\n"
                 "    $e1.target.port = 25\n    $host = $e1.principal.hostname\n"
                 "    $e2.metadata.event_type = \"PROCESS_LAUNCH\"\n"
                 "    $e2.target.process.command_line = \"x\" nocase\n"
                 "    $host = $e2.target.hostname\n"
                 "  match:\n    $host over 10m\n  condition:\n    $e1 and $e2\n}");
    expect_query(convert_corr(BASE_RULE OTHER_RULE,
                              "    type: temporal_ordered\n    rules: [base, other]\n"
                              "    group-by: principal.hostname\n    timespan: 10m\n"),
                 CORR_HEAD "    $e1.metadata.event_type = \"NETWORK_CONNECTION\"\n"
                 "    $e1.target.port = 25\n    $principal_hostname = $e1.principal.hostname\n"
                 "    $e2.metadata.event_type = \"PROCESS_LAUNCH\"\n"
                 "    $e2.target.process.command_line = \"x\" nocase\n"
                 "    $principal_hostname = $e2.principal.hostname\n"
                 "    ($e1.metadata.event_timestamp.seconds < $e2.metadata.event_timestamp.seconds"
                 " or ($e1.metadata.event_timestamp.seconds = "
                 "$e2.metadata.event_timestamp.seconds and $e1.metadata.event_timestamp.nanos <= "
                 "$e2.metadata.event_timestamp.nanos))\n"
                 "  match:\n    $principal_hostname over 10m\n  condition:\n    $e1 and $e2\n}");
}

static void test_correlation_refusals(void **state)
{
    (void)state;
    const char *head = "target-cannot-express";
    expect_refused(convert_corr(BASE_RULE, "    type: value_percentile\n    rules: base\n"
                                           "    group-by: target.ip\n    timespan: 1h\n"
                                           "    condition:\n        field: target.port\n"
                                           "        gt: 5\n"),
                   head, "value_percentile correlations (YARA-L outcomes have no percentile", 11);
    expect_refused(convert_corr(BASE_RULE, "    type: event_count\n    rules: base\n"
                                           "    timespan: 1h\n    condition:\n        gt: 5\n"),
                   head, "a correlation without group-by", 11);
    expect_refused(convert_corr(BASE_RULE, "    type: event_count\n    rules: base\n"
                                           "    group-by: target.ip\n    timespan: 3d\n"
                                           "    condition:\n        gt: 5\n"),
                   head, "the timespan 3d (a match window is whole minutes from 1m to 48h)", 11);
    expect_refused(convert_corr(BASE_RULE, "    type: event_count\n    rules: base\n"
                                           "    group-by: target.ip\n    timespan: 30s\n"
                                           "    condition:\n        gt: 5\n"),
                   head, "the timespan 30s", 11);
    expect_refused(convert_corr(BASE_RULE, "    type: event_count\n    rules: base\n"
                                           "    group-by: target.ip\n    timespan: 90s\n"
                                           "    condition:\n        gt: 5\n"),
                   head, "whole minutes", 11);
    expect_refused(convert_corr(BASE_RULE OTHER_RULE,
                                "    type: event_count\n    rules: [base, other]\n"
                                "    group-by: host\n    timespan: 1h\n"
                                "    aliases:\n        host:\n"
                                "            base: principal.hostname\n"
                                "            other: target.hostname\n"
                                "    condition:\n        gt: 5\n"),
                   head, "event_count correlations over rules grouped by different fields", 21);
    expect_refused(convert_corr(BASE_RULE OTHER_RULE,
                                "    type: temporal\n    rules: [base, other]\n"
                                "    group-by: principal.hostname\n    timespan: 1h\n"
                                "    condition:\n        gte: 1\n"),
                   head, "a temporal condition other than all referenced rules", 21);
    expect_refused(convert_corr(BASE_RULE, "    type: event_count\n    rules: base\n"
                                           "    group-by: User\n    timespan: 1h\n"
                                           "    condition:\n        gt: 5\n"),
                   head, "the field 'User' (not a UDM field path", 11);
    expect_refused(convert_corr(BASE_RULE "title: inner\nname: inner\ncorrelation:\n"
                                          "    type: event_count\n    rules: base\n"
                                          "    group-by: target.ip\n    timespan: 1h\n"
                                          "    condition:\n        gt: 1\n---\n",
                                "    type: event_count\n    rules: inner\n"
                                "    group-by: target.ip\n    timespan: 1h\n"
                                "    condition:\n        gt: 5\n"),
                   head, "a correlation over another correlation", 24);
    expect_refused(convert_corr("", "    type: event_count\n    rules: missing\n"
                                    "    group-by: target.ip\n    timespan: 1h\n"
                                    "    condition:\n        gt: 5\n"),
                   head, "a correlation over the rule 'missing', which is not loaded", 4);
    /* the pipeline refused the referenced rule: so is the correlation */
    expect_refused(convert_kind("title: base\nname: base\nlogsource:\n"
                                "    category: process_creation\n    product: windows\n"
                                "detection:\n    sel:\n        User: x\n    condition: sel\n"
                                "---\ntitle: c\ncorrelation:\n    type: event_count\n"
                                "    rules: base\n    group-by: Computer\n    timespan: 1h\n"
                                "    condition:\n        gt: 2\n",
                                true, SIGCC_RULE_CORRELATION),
                   head, "a correlation over the rule 'base', which was refused", 14);
}

/* ------------------------------------------------ with the pipeline */
#define T1071_003 "rules/T1071.003/net_connection_mail_protocol_non_mail_client.yml"
#define T1071_003_CORR "rules/T1071.003/net_connection_mail_protocol_repeated_correlation.yml"

#define T1071_EVENTS                                                                            \
    "    $e.metadata.event_type = \"NETWORK_CONNECTION\"\n"                                    \
    "    $e.network.direction = \"OUTBOUND\"\n"                                                \
    "    ($e.target.port = 25 or $e.target.port = 465 or $e.target.port = 587 or "             \
    "$e.target.port = 110 or $e.target.port = 995 or $e.target.port = 143 or "                 \
    "$e.target.port = 993)\n"                                                                  \
    "    not re.regex($e.principal.process.file.full_path, `(?i)(?:\\\\outlook\\.exe|"         \
    "\\\\thunderbird\\.exe|\\\\mailclient\\.exe|\\\\em client\\.exe|\\\\msedge\\.exe|"         \
    "\\\\chrome\\.exe|\\\\firefox\\.exe|\\\\safari\\.exe)$`)\n"

/* The correlation of rules/T1071.003 against the documented rule
 * (seeds/004): NETWORK_CONNECTION, OUTBOUND, the seven ports, the
 * mail-client exclusion (case-insensitive), the host/process/destination
 * placeholders over 24h, more than two events. */
static void test_t1071_003_with_google_udm(void **state)
{
    (void)state;
    sigcc_ctx *ctx = sigcc_ctx_new();
    assert_non_null(ctx);
    tu_track(ctx, tu_ctx_free_fn);
    assert_int_equal(sigcc_load_path(ctx, SIGCC_SOURCE_DIR "/" T1071_003), SIGCC_OK);
    assert_int_equal(sigcc_load_path(ctx, SIGCC_SOURCE_DIR "/" T1071_003_CORR), SIGCC_OK);
    assert_int_equal(sigcc_resolve(ctx), SIGCC_OK);
    assert_string_equal(sigcc_target_default_pipeline("yaral"), "google_udm");
    assert_int_equal(sigcc_pipeline_load(ctx, "google_udm"), SIGCC_OK);
    assert_int_equal(sigcc_apply_pipelines(ctx), SIGCC_OK);
    sigcc_optimize_options opts = {.level = 1};
    assert_int_equal(sigcc_optimize(ctx, &opts), SIGCC_OK);
    char *q = NULL;
    assert_int_equal(sigcc_convert_rule(ctx, tu_rule(ctx, 1), "yaral", NULL, &q), SIGCC_OK);
    tu_track(q, tu_out_free_fn);
    assert_non_null(strstr(q, "rule repeated_mail_protocol_connections_from_non_mail_client_"
                              "process {\n  meta:\n"));
    assert_non_null(strstr(q, "    severity = \"HIGH\"\n"));
    assert_non_null(strstr(q, "    mitre_attack_tactic = \"Command and Control\"\n"
                              "    mitre_attack_technique = \"T1071.003\"\n"));
    assert_non_null(strstr(
        q, "  events:\n" T1071_EVENTS
           "    $principal_hostname = $e.principal.hostname\n"
           "    $principal_process_file_full_path = $e.principal.process.file.full_path\n"
           "    $target_ip = $e.target.ip\n"
           "  match:\n"
           "    $principal_hostname, $principal_process_file_full_path, $target_ip over 24h\n"
           /* the correlation's hunting block: its aggregate over an event field */
           "  outcome:\n"
           "    $Ports = array_distinct($e.target.port)\n"
           "  condition:\n"
           "    #e > 2\n"
           "}\n"));
    char *d = NULL;
    assert_int_equal(sigcc_convert_rule(ctx, tu_rule(ctx, 0), "yaral", NULL, &d), SIGCC_OK);
    tu_track(d, tu_out_free_fn);
    assert_non_null(strstr(d, "rule mail_protocol_connection_non_mail_client {\n"));
    assert_non_null(strstr(d, "  events:\n" T1071_EVENTS "  condition:\n    $e\n}\n"));
    char *q2 = NULL;
    assert_int_equal(sigcc_convert_rule(ctx, tu_rule(ctx, 0), "yaral", "nope", &q2),
                     SIGCC_EUSAGE);
    assert_null(q2);
    tu_release(ctx);
}

static conv convert_udm(const char *logsource, const char *body)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "title: t\nlogsource:\n%s\ndetection:\n    sel:\n        %s\n    condition: sel\n",
             logsource, body);
    return convert_yaml(yaml, true);
}

/* The line every process_creation rule ends with (google_udm). */
#define NOT_POWERSHELL "\n    not $e.metadata.product_name = \"Microsoft-Windows-PowerShell\""

static void expect_udm(const char *category, const char *body, const char *type,
                       const char *line)
{
    char logsource[128], want[2048];
    snprintf(logsource, sizeof logsource, "    category: %s\n    product: windows", category);
    snprintf(want, sizeof want,
             "rule t {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n"
             "    $e.metadata.event_type = \"%s\"\n    %s%s%s" TAIL,
             type,
             strcmp(category, "process_access") ? ""
                                                : "$e.metadata.log_type = \"WINDOWS_SYSMON\"\n    ",
             line, strcmp(category, "process_creation") ? "" : NOT_POWERSHELL);
    expect_query(convert_udm(logsource, body), want);
}

static void test_pipeline_mappings(void **state)
{
    (void)state;
    expect_udm("process_creation", "Image|endswith: '\\cmd.exe'", "PROCESS_LAUNCH",
               "re.regex($e.target.process.file.full_path, `(?i)\\\\cmd\\.exe$`)");
    expect_udm("process_creation", "ParentCommandLine|contains: x", "PROCESS_LAUNCH",
               "re.regex($e.principal.process.command_line, `(?i)x`)");
    expect_udm("process_creation", "ParentProcessId: 4", "PROCESS_LAUNCH",
               "$e.principal.process.pid = \"4\"");
    expect_udm("process_creation", "Computer: ws1", "PROCESS_LAUNCH",
               "$e.principal.hostname = \"ws1\" nocase");
    expect_udm("network_connection", "Initiated: 'false'", "NETWORK_CONNECTION",
               "$e.network.direction = \"INBOUND\"");
    expect_udm("network_connection", "Protocol: udp", "NETWORK_CONNECTION",
               "$e.network.ip_protocol = \"UDP\"");
    expect_udm("network_connection", "DestinationIp|cidr: '10.0.0.0/8'", "NETWORK_CONNECTION",
               "net.ip_in_range_cidr($e.target.ip, \"10.0.0.0/8\")");
    expect_udm("network_connection", "SourcePort: 4444", "NETWORK_CONNECTION",
               "$e.principal.port = 4444");
    expect_udm("dns_query", "QueryName|endswith: '.onion'", "NETWORK_DNS",
               "re.regex($e.network.dns.questions.name, `(?i)\\.onion$`)");
    expect_udm("file_event", "TargetFilename|endswith: '.lnk'", "FILE_CREATION",
               "re.regex($e.target.file.full_path, `(?i)\\.lnk$`)");
    expect_udm("file_delete", "TargetFilename: 'C:\\x'", "FILE_DELETION",
               "$e.target.file.full_path = \"C:\\\\x\" nocase");
    expect_udm("image_load", "ImageLoaded|endswith: '\\x.dll'", "PROCESS_MODULE_LOAD",
               "re.regex($e.target.process.file.full_path, `(?i)\\\\x\\.dll$`)");
    expect_udm("registry_set", "Image|endswith: '\\x.exe'", "REGISTRY_MODIFICATION",
               "re.regex($e.principal.process.file.full_path, `(?i)\\\\x\\.exe$`)");
    expect_query(convert_udm("    category: registry_event\n    product: windows", "ProcessId: 7"),
                 "rule t {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n"
                 "    ($e.metadata.event_type = \"REGISTRY_CREATION\" or "
                 "$e.metadata.event_type = \"REGISTRY_MODIFICATION\" or "
                 "$e.metadata.event_type = \"REGISTRY_DELETION\")\n"
                 "    $e.principal.process.pid = \"7\"" TAIL);
    /* linux process creation fills the same UDM fields */
    expect_query(convert_udm("    category: process_creation\n    product: linux",
                             "Image|endswith: '/curl'"),
                 "rule t {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n"
                 "    $e.metadata.event_type = \"PROCESS_LAUNCH\"\n"
                 "    re.regex($e.target.process.file.full_path, `(?i)\\/curl$`)" NOT_POWERSHELL
                 TAIL);
    const char *win_pc = "    category: process_creation\n    product: windows";
    expect_refused(convert_udm(win_pc, "Hashes|contains: 'MD5='"), "pipeline-hashes",
                   "Hashes", 7);
    expect_refused(convert_udm(win_pc, "Hashes|contains: 'IMPHASH=AB'"), "pipeline-hashes",
                   "IMPHASH", 7);
    expect_refused(convert_udm("    category: image_load\n    product: windows",
                               "Hashes|contains: 'MD5=AB'"),
                   "pipeline-item-failure", "Hashes", 7);
    expect_refused(convert_udm(win_pc, "User: x"), "pipeline-item-failure", "User", 7);
    /* a new process's OriginalFileName: src.process.file.full_path, as Google's own rules */
    expect_udm("process_creation", "OriginalFileName: finger.exe", "PROCESS_LAUNCH",
               "$e.src.process.file.full_path = \"finger.exe\" nocase");
    expect_refused(convert_udm("    category: image_load\n    product: windows",
                               "OriginalFileName: x.dll"),
                   "pipeline-item-failure", "OriginalFileName (outside process creation)", 7);
    /* the PE version information of the new process / the loaded image: target.asset.software */
    expect_udm("process_creation", "Description: 'Tor Browser'", "PROCESS_LAUNCH",
               "$e.target.asset.software.description = \"Tor Browser\" nocase");
    expect_udm("process_creation", "Product|contains: Sysinternals", "PROCESS_LAUNCH",
               "re.regex($e.target.asset.software.name, `(?i)Sysinternals`)");
    expect_udm("image_load", "Company: 'Microsoft Corporation'", "PROCESS_MODULE_LOAD",
               "$e.target.asset.software.vendor_name = \"Microsoft Corporation\" nocase");
    expect_udm("image_load", "FileVersion|startswith: '1.'", "PROCESS_MODULE_LOAD",
               "re.regex($e.target.asset.software.version, `(?i)^1\\.`)");
    expect_refused(convert_udm("    category: file_event\n    product: windows",
                               "Description: x"),
                   "pipeline-item-failure", "no mapping to a UDM field", 7);
    expect_refused(convert_udm(win_pc, "EventID: 1"), "pipeline-item-failure",
                   "no mapping to a UDM field", 7);
    /* registry: Sysmon's key path and value text, as Google's own rules compare them */
    expect_udm("registry_set", "TargetObject|endswith: '\\WDigest\\UseLogonCredential'",
               "REGISTRY_MODIFICATION",
               "re.regex($e.target.registry.registry_key, `(?i)\\\\WDigest\\\\UseLogonCredential$`)");
    expect_udm("registry_set", "Details: 'DWORD (0x00000001)'", "REGISTRY_MODIFICATION",
               "$e.target.registry.registry_value_data = \"DWORD (0x00000001)\" nocase");
    expect_refused(convert_udm("    category: registry_set\n    product: windows",
                               "TargetObject|startswith: 'HKLM\\SOFTWARE\\'"),
                   "pipeline-item-failure", "spells the hive", 7);
    expect_refused(convert_udm("    category: registry_rename\n    product: windows",
                               "NewName|contains: Run"),
                   "pipeline-item-failure", "NewName", 7);
    expect_refused(convert_udm("    category: network_connection\n    product: windows",
                               "Initiated: 'yes'"),
                   "pipeline-item-failure", "Initiated", 7);
    expect_refused(convert_udm("    category: network_connection\n    product: windows",
                               "DestinationPortName: smtp"),
                   "pipeline-item-failure", "no mapping to a UDM field", 7);
    /* script block logging: the WINEVTLOG parser's event 4104 of the PowerShell provider */
    expect_query(convert_udm("    category: ps_script\n    product: windows",
                             "ScriptBlockText|contains: x"),
                 "rule t {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n"
                 "    $e.metadata.event_type = \"PROCESS_LAUNCH\"\n"
                 "    $e.metadata.log_type = \"WINEVTLOG\"\n"
                 "    $e.metadata.product_event_type = \"4104\"\n"
                 "    $e.metadata.product_name = \"Microsoft-Windows-PowerShell\"\n"
                 "    re.regex($e.target.process.command_line, `(?i)x`)" TAIL);
    expect_refused(convert_udm("    category: ps_script\n    product: windows",
                               "ScriptBlockId: x"),
                   "pipeline-item-failure", "no mapping to a UDM field", 7);
    /* a Windows channel: the log type, the Security provider and the event ID */
    expect_query(convert_udm("    product: windows\n    service: security", "EventID: 4624"),
                 "rule t {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n"
                 "    $e.metadata.log_type = \"WINEVTLOG\"\n"
                 "    $e.metadata.product_name = \"Microsoft-Windows-Security-Auditing\"\n"
                 "    $e.metadata.product_event_type = \"4624\"" TAIL);
    expect_refused(convert_udm("    product: windows\n    service: security",
                               "EventID: 4624\n        LogonType: 3"),
                   "pipeline-item-failure", "no mapping to a UDM field", 8);
    expect_refused(convert_udm("    product: windows\n    service: system",
                               "EventID: [7045, 7036]\n        ImagePath: x"),
                   "pipeline-item-failure", "event 7045 only", 7);
    /* process access: Sysmon event 10 as Google's translations of Sigma rules compare it */
    expect_udm("process_access", "GrantedAccess: '0x1410'", "PROCESS_OPEN",
               "$e.target.resource.name = \"0x1410\" nocase");
    expect_udm("process_access", "CallTrace|contains: dbghelp.dll", "PROCESS_OPEN",
               "re.regex($e.additional.fields[\"CallTrace\"], `(?i)dbghelp\\.dll`)");
    expect_udm("process_access", "SourceImage|endswith: '\\x.exe'", "PROCESS_OPEN",
               "re.regex($e.principal.process.file.full_path, `(?i)\\\\x\\.exe$`)");
    expect_udm("process_access", "TargetImage|endswith: '\\lsass.exe'", "PROCESS_OPEN",
               "re.regex($e.target.process.file.full_path, `(?i)\\\\lsass\\.exe$`)");
    expect_refused(convert_udm("    category: process_access\n    product: windows",
                               "SourceUser|contains: AUTHORI"),
                   "pipeline-item-failure", "no mapping to a UDM field", 7);
    /* AWS CloudTrail: the log type, eventName, eventSource, userIdentity.type */
    expect_query(convert_udm("    product: aws\n    service: cloudtrail",
                             "eventSource: iam.amazonaws.com\n        eventName: CreateUser\n"
                             "        userIdentity.type: Root"),
                 "rule t {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n"
                 "    $e.metadata.log_type = \"AWS_CLOUDTRAIL\"\n"
                 "    $e.target.application = \"iam.amazonaws.com\" nocase\n"
                 "    $e.metadata.product_event_type = \"CreateUser\" nocase\n"
                 "    $e.principal.resource.type = \"Root\" nocase" TAIL);
    expect_refused(convert_udm("    product: aws\n    service: cloudtrail",
                               "eventName: ConsoleLogin\n        userAgent|contains: x"),
                   "pipeline-item-failure", "no mapping to a UDM field", 8);
    /* GCP Cloud Audit and Okta: the log type and the method or event type */
    expect_query(convert_udm("    product: gcp\n    service: gcp.audit",
                             "gcp.audit.method_name: storage.buckets.delete"),
                 "rule t {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n"
                 "    $e.metadata.log_type = \"GCP_CLOUDAUDIT\"\n"
                 "    $e.metadata.product_event_type = \"storage.buckets.delete\" nocase" TAIL);
    expect_query(convert_udm("    product: okta\n    service: okta",
                             "eventType: system.api_token.create"),
                 "rule t {\n  meta:\n    title = \"t\"\n    description = \"t\"\n  events:\n"
                 "    $e.metadata.log_type = \"OKTA\"\n"
                 "    $e.metadata.product_event_type = \"system.api_token.create\" nocase" TAIL);
    expect_refused(convert_udm("    product: okta\n    service: okta", "target.type: User"),
                   "pipeline-item-failure", "Okta's target objects", 7);
    expect_refused(convert_udm("    product: okta\n    service: okta", "displayMessage: x"),
                   "pipeline-item-failure", "no mapping to a UDM field", 7);
    expect_refused(convert_udm("    product: windows\n    service: taskscheduler", "EventID: 1"),
                   "target-cannot-express", "service taskscheduler): no UDM event type", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_shape),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_escaping_property),
        cmocka_unit_test(test_meta_hostile),
        cmocka_unit_test(test_correlations),
        cmocka_unit_test(test_correlation_refusals),
        cmocka_unit_test(test_t1071_003_with_google_udm),
        cmocka_unit_test(test_pipeline_mappings),
    };
    return cmocka_run_group_tests(tests, NULL, tu_cleanup);
}
