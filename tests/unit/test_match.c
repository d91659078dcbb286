/*
 * test_match.c - Sigma matching semantics of the evaluator core (match.c):
 * one detection against one event, for every modifier and the edge cases
 * the spec and real tools disagree on (null vs absent, numbers as strings,
 * case-insensitive equality, keywords).
 */
#include "test_util.h"

#include "match.h"

/* ------------------------------------------------------- a fake event
 * Fields are "name=value" strings; a value prefix gives the JSON type:
 * "#25" a number, "!true" a boolean, "~" null, "{}" an object; anything
 * else is a string. The same name twice makes an array. */
typedef struct fake_event {
    const char *const *fields;
} fake_event;

/* When set, string and number values also carry their ASCII-folded text,
 * as real events do, so the matcher takes its folded fast path. */
static bool fold_mode;
static char fold_pool[1 << 16];
static size_t fold_used;

static const char *fold_copy(const char *s, size_t len)
{
    if (fold_used + len + 1 > sizeof fold_pool)
        return NULL;
    char *f = fold_pool + fold_used;
    for (size_t i = 0; i < len; i++)
        f[i] = (char)sc_ascii_lower[(unsigned char)s[i]];
    fold_used += len + 1;
    return f;
}

static sc_fieldval parse_field(const char *eq)
{
    const char *v = eq + 1;
    sc_fieldval f = {SC_FV_STRING, v, strlen(v), 0, false, NULL};
    if (v[0] == '#') {
        f.kind = SC_FV_NUMBER;
        f.s = v + 1;
        f.len = strlen(v + 1);
        f.num = strtod(v + 1, NULL);
    } else if (v[0] == '!') {
        f.kind = SC_FV_BOOL;
        f.b = strcmp(v + 1, "true") == 0;
    } else if (strcmp(v, "~") == 0) {
        f.kind = SC_FV_NULL;
    } else if (strcmp(v, "{}") == 0) {
        f.kind = SC_FV_OBJECT;
    }
    if (fold_mode && (f.kind == SC_FV_STRING || f.kind == SC_FV_NUMBER))
        f.folded = fold_copy(f.s, f.len);
    return f;
}

static size_t fake_get(const sc_event *ev, const char *field, sc_fieldval *out, size_t max)
{
    const fake_event *fe = ev->data;
    size_t n = 0, flen = strlen(field);
    for (size_t i = 0; fe->fields[i] && n < max; i++) {
        const char *eq = strchr(fe->fields[i], '=');
        if ((size_t)(eq - fe->fields[i]) == flen && strncmp(fe->fields[i], field, flen) == 0)
            out[n++] = parse_field(eq);
    }
    return n;
}

static void fake_each(const sc_event *ev, bool (*visit)(void *, const sc_fieldval *), void *ud)
{
    const fake_event *fe = ev->data;
    for (size_t i = 0; fe->fields[i]; i++) {
        sc_fieldval f = parse_field(strchr(fe->fields[i], '='));
        if (!visit(ud, &f))
            return;
    }
}

/* Loads a rule whose detection is `detection` (indented by 4) plus
 * `condition`, and evaluates it against the event. */
static bool eval(const char *detection, const char *condition, const char *const *fields)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "title: t\nlogsource:\n    product: windows\ndetection:\n%s\n    condition: %s\n",
             detection, condition);
    sigcc_ctx *ctx = tu_load(yaml);
    tu_expect_clean(ctx, 1);
    fake_event fe = {fields};
    sc_event ev = {fake_get, fake_each, &fe};
    sc_eval_state st = {0};
    sigcc_rule *rule = (sigcc_rule *)tu_rule(ctx, 0);
    fold_mode = false;
    bool r = sc_eval_node(rule->condition, &ev, &st);
    /* The folded fast path must agree with the general one. */
    assert_true(sc_fold_parts(rule->arena, rule->condition));
    fold_mode = true;
    fold_used = 0;
    bool folded = sc_eval_node(rule->condition, &ev, &st);
    fold_mode = false;
    assert_int_equal(r, folded);
    sc_eval_state_fini(&st);
    tu_release(ctx);
    return r;
}

#define EV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define SEL(body) "    sel:\n        " body
#define MATCHES(body, ...) assert_true(eval(SEL(body), "sel", EV(__VA_ARGS__)))
#define MISSES(body, ...) assert_false(eval(SEL(body), "sel", EV(__VA_ARGS__)))

static void test_equality_is_case_insensitive(void **state)
{
    (void)state;
    MATCHES("Image: 'C:\\Windows\\System32\\lsass.exe'", "Image=c:\\windows\\system32\\LSASS.EXE");
    MISSES("Image: 'lsass.exe'", "Image=C:\\Windows\\lsass.exe"); /* whole value, not a part */
    MISSES("Image|cased: 'LSASS.EXE'", "Image=lsass.exe");
    MATCHES("Image|cased: 'LSASS.EXE'", "Image=LSASS.EXE");
}

static void test_wildcards_and_escapes(void **state)
{
    (void)state;
    MATCHES("a: 'x*z'", "a=xyyz");
    MATCHES("a: 'x*z'", "a=xz");
    MATCHES("a: 'x?z'", "a=xyz");
    MISSES("a: 'x?z'", "a=xz");
    MATCHES("a: 'x?z'", "a=x\xc3\xa9z"); /* ? is one character, not one byte */
    MISSES("a: 'x\\*z'", "a=xyz");
    MATCHES("a: 'x\\*z'", "a=x*z");
    MATCHES("a: 'C:\\\\*'", "a=C:\\anything");
    MATCHES("a: '*a*b*'", "a=xxaxxbxx");
    MISSES("a: '*a*b'", "a=xxbxxaxx");
}

static void test_contains_startswith_endswith(void **state)
{
    (void)state;
    MATCHES("CommandLine|contains: 'IEX'", "CommandLine=powershell iex (x)");
    MATCHES("Image|endswith: '\\outlook.exe'", "Image=C:\\Program Files\\OUTLOOK.EXE");
    MISSES("Image|endswith: '\\outlook.exe'", "Image=C:\\x\\notoutlook.exe");
    MATCHES("Image|startswith: 'C:\\Users\\'", "Image=c:\\users\\bob\\a.exe");
    MATCHES("Hash|contains: 'IMPHASH='", "Hash=SHA1=AB,MD5=CD,IMPHASH=B4C6");
}

static void test_numbers(void **state)
{
    (void)state;
    MATCHES("DestinationPort: 25", "DestinationPort=25");          /* Sysmon writes a string */
    MATCHES("DestinationPort: 25", "DestinationPort=#25");         /* ECS writes a number */
    MISSES("DestinationPort: 25", "DestinationPort=2525");
    MATCHES("DestinationPort: [465, 587]", "DestinationPort=#587");
    MATCHES("DestinationPort: '25'", "DestinationPort=#25");       /* quoted: by text */
    MATCHES("Status: 0xC0000064", "Status=0xc0000064");            /* hex plain scalar */
    MATCHES("LogonType|gt: 2", "LogonType=10");
    MISSES("LogonType|gt: 2", "LogonType=2");
    MATCHES("LogonType|lte: 2", "LogonType=#2");
    MISSES("LogonType|lt: 5", "LogonType=abc");
    MISSES("LogonType|lt: 5", "Other=1");
}

static void test_booleans(void **state)
{
    (void)state;
    MATCHES("Initiated: 'true'", "Initiated=true");
    MATCHES("Initiated: 'true'", "Initiated=!true");
    MATCHES("Signed: true", "Signed=True");
    MATCHES("Signed: false", "Signed=!false");
    MISSES("Signed: false", "Signed=!true");
}

static void test_null_absent_empty(void **state)
{
    (void)state;
    MATCHES("Details: null", "Other=x");           /* absent */
    MATCHES("Details: null", "Details=~");         /* JSON null */
    MISSES("Details: null", "Details=");           /* empty string is a value */
    MISSES("Details: null", "Details=x");
    MATCHES("Details: ''", "Details=");
    MISSES("Details: ''", "Other=x");
    /* the OTRF case: not null, i.e. present and non-null */
    assert_false(eval("    sel:\n        Details: null", "not sel", EV("Other=x")));
    assert_true(eval("    sel:\n        Details: null", "not sel", EV("Details=DWORD")));
}

static void test_exists(void **state)
{
    (void)state;
    MATCHES("a|exists: true", "a=");
    MATCHES("a|exists: true", "a=~");
    MISSES("a|exists: true", "b=x");
    MATCHES("a|exists: false", "b=x");
    MISSES("a|exists: false", "a=x");
}

static void test_regex(void **state)
{
    (void)state;
    MATCHES("c|re: '\\s-e\\s'", "c=powershell -e abc");               /* unanchored */
    MISSES("c|re: 'POWERSHELL'", "c=powershell");                      /* cased by default */
    MATCHES("c|re|i: 'POWERSHELL'", "c=powershell");
    MISSES("c|re: '^abc$'", "c=x\nabc");
    MATCHES("c|re|m: '^abc$'", "c=x\nabc");
    MISSES("c|re: 'a.b'", "c=a\nb");
    MATCHES("c|re|s: 'a.b'", "c=a\nb");
}

static void test_catastrophic_regex_is_bounded(void **state)
{
    (void)state;
    /* (a+)+$ on a long run of a's then b backtracks exponentially; the
     * match limit makes it a non-match instead of a hang. */
    MISSES("c|re: '^(a+)+$'", "c=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
}

static void test_cidr(void **state)
{
    (void)state;
    MATCHES("ip|cidr: '10.0.0.0/8'", "ip=10.20.30.40");
    MISSES("ip|cidr: '10.0.0.0/8'", "ip=11.0.0.1");
    MATCHES("ip|cidr: '192.168.1.0/25'", "ip=192.168.1.127");
    MISSES("ip|cidr: '192.168.1.0/25'", "ip=192.168.1.128");
    MATCHES("ip|cidr: 'fe80::/10'", "ip=fe80::1%eth0");
    MISSES("ip|cidr: 'fe80::/10'", "ip=10.0.0.1");
    MISSES("ip|cidr: '10.0.0.0/8'", "ip=not an address");
}

static void test_fieldref(void **state)
{
    (void)state;
    MATCHES("Image|fieldref: ParentImage", "Image=C:\\a.exe", "ParentImage=c:\\A.EXE");
    MISSES("Image|fieldref: ParentImage", "Image=C:\\a.exe", "ParentImage=C:\\b.exe");
    MISSES("Image|fieldref: ParentImage", "Image=C:\\a.exe");
    MATCHES("Target|fieldref|endswith: User", "Target=CORP\\bob", "User=bob");
    MATCHES("Image|fieldref|neq: ParentImage", "Image=a", "ParentImage=b");
}

static void test_keywords(void **state)
{
    (void)state;
    assert_true(eval("    kw:\n        - 'Failed password'", "kw",
                     EV("msg=Nov 22 sshd: failed PASSWORD for root")));
    assert_false(eval("    kw:\n        - 'Failed password'", "kw", EV("msg=accepted")));
    assert_true(eval("    kw:\n        '|all':\n            - sshd\n            - root", "kw",
                     EV("prog=sshd", "msg=for root")));
    assert_false(eval("    kw:\n        '|all':\n            - sshd\n            - root", "kw",
                      EV("prog=sshd", "msg=for bob")));
}

static void test_all_and_lists(void **state)
{
    (void)state;
    MATCHES("c|contains|all: ['net', 'user']", "c=NET USER bob");
    MISSES("c|contains|all: ['net', 'user']", "c=net view");
    MATCHES("c|contains: ['net', 'user']", "c=net view");
    /* arrays: any element */
    MATCHES("tag: 'b'", "tag=a", "tag=b");
    MATCHES("tag|all: ['a', 'b']", "tag=a", "tag=b");
}

static void test_windash_and_base64offset(void **state)
{
    (void)state;
    MATCHES("c|windash|contains: ' -enc '", "c=powershell /enc abc");
    MATCHES("c|windash|contains: ' -enc '", "c=powershell \xe2\x80\x93" "enc abc");
    MATCHES("c|windash|contains|all: [' -a ', ' -b ']", "c=x /a y -b z");
    /* 'http://' base64-encoded at offset 1 inside a longer value */
    MATCHES("c|base64offset|contains: 'http://'", "c=powershell -e eGh0dHA6Ly9ldmls");
    MISSES("c|base64offset|contains: 'http://'", "c=powershell -e aGVsbG8=");
}

static void test_encodings(void **state)
{
    (void)state;
    MATCHES("c|base64: 'http'", "c=aHR0cA==");
    /* an encoded value is a value like any other: case-insensitive unless
     * |cased (as the reference implementation renders it) */
    MATCHES("c|base64: 'http'", "c=AHR0CA==");
    MISSES("c|base64|cased: 'http'", "c=AHR0CA==");
    MATCHES("c|base64|contains: 'http'", "c=x aHR0cA== y");
    MATCHES("c|utf16le|base64offset|contains: 'cmd'", "c=-e YwBtAGQA");
    MATCHES("c|wide|base64offset|contains: 'cmd'", "c=-e YwBtAGQA");
    MATCHES("c|utf16be|base64offset|contains: 'cmd'", "c=-e AGMAbQBk");
    MISSES("c|utf16le|base64offset|contains: 'cmd'", "c=-e Y21k");   /* plain base64 of cmd */
}

static void test_cased_wildcards(void **state)
{
    (void)state;
    MATCHES("c|contains|cased: 'IEX'", "c=powershell IEX (x)");
    MISSES("c|contains|cased: 'IEX'", "c=powershell iex (x)");
    MATCHES("c|endswith|cased: '.EXE'", "c=A.EXE");
    MISSES("c|startswith|cased: 'C:'", "c=c:\\x");
    MATCHES("c|cased: 'A?C*'", "c=ABCdef");
    MISSES("c|cased: 'A?C*'", "c=abcdef");
}

static void test_neq(void **state)
{
    (void)state;
    MATCHES("Level|neq: 'Low'", "Level=High");
    MISSES("Level|neq: 'Low'", "Level=low");
    MATCHES("Port|neq: [80, 443]", "Port=25");
    MISSES("Port|neq: [80, 443]", "Port=443");
}

static void test_time_parts(void **state)
{
    (void)state;
    MATCHES("t|hour: 22", "t=2024-03-05T22:15:00.000Z");
    MATCHES("t|hour|gte: 22", "t=2024-03-05 23:59:59");
    MISSES("t|hour|gte: 22", "t=2024-03-05 21:59:59");
    MATCHES("t|minute: 15", "t=2024-03-05T22:15:00Z");
    MATCHES("t|day: 5", "t=2024-03-05T22:15:00Z");
    MATCHES("t|month: 3", "t=2024-03-05");
    MATCHES("t|year|gte: 2024", "t=2024-03-05");
    MATCHES("t|week: 1", "t=2024-01-01T00:00:00Z");  /* a Monday: ISO week 1 */
    MATCHES("t|week: 52", "t=2023-12-31T00:00:00Z"); /* a Sunday: ISO week 52 */
    MATCHES("t|week: 1", "t=2025-12-29T00:00:00Z");  /* belongs to 2026-W01 */
    MATCHES("t|week: 53", "t=2021-01-03T10:00:00Z"); /* belongs to 2020-W53 */
    MISSES("t|hour: 1", "t=not a time");
}

static void test_t1071_003_base_rule(void **state)
{
    (void)state;
    static const char det[] =
        "    selection:\n"
        "        Initiated: 'true'\n"
        "        DestinationPort: [25, 465, 587, 110, 995, 143, 993]\n"
        "    filter_main_mail_clients:\n"
        "        Image|endswith: ['\\outlook.exe', '\\thunderbird.exe', '\\em client.exe']";
    static const char cond[] = "selection and not filter_main_mail_clients";
    assert_true(eval(det, cond, EV("Image=C:\\Windows\\System32\\powershell.exe",
                                   "Initiated=true", "DestinationPort=25")));
    assert_true(eval(det, cond, EV("Image=/usr/bin/curl", "Initiated=true",
                                   "DestinationPort=143")));
    assert_false(eval(det, cond, EV("Image=C:\\Program Files\\Microsoft Office\\OUTLOOK.EXE",
                                    "Initiated=true", "DestinationPort=587")));
    assert_false(eval(det, cond, EV("Image=C:\\Mozilla\\THUNDERBIRD.EXE", "Initiated=true",
                                    "DestinationPort=993")));
    assert_false(eval(det, cond, EV("Image=C:\\x\\nc.exe", "Initiated=true",
                                    "DestinationPort=2525")));
    assert_false(eval(det, cond, EV("Image=C:\\x\\nc.exe", "Initiated=false",
                                    "DestinationPort=25")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equality_is_case_insensitive),
        cmocka_unit_test(test_wildcards_and_escapes),
        cmocka_unit_test(test_contains_startswith_endswith),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_null_absent_empty),
        cmocka_unit_test(test_exists),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_catastrophic_regex_is_bounded),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_fieldref),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_all_and_lists),
        cmocka_unit_test(test_windash_and_base64offset),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_cased_wildcards),
        cmocka_unit_test(test_neq),
        cmocka_unit_test(test_time_parts),
        cmocka_unit_test(test_t1071_003_base_rule),
    };
    return cmocka_run_group_tests_name("match", tests, NULL, tu_cleanup);
}
