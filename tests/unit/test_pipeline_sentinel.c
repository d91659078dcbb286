/*
 * test_pipeline_sentinel.c - the built-in pipeline sentinel_windows with the
 * kql target: Windows channel rules on Microsoft Sentinel's SecurityEvent and
 * WindowsEvent tables, next to the default microsoft_xdr. Rules are loaded
 * from buffers, both pipelines applied (as `sigcc convert -t kql -p
 * sentinel_windows` does), optimized (level 1) and converted.
 */
#include "test_util.h"

typedef tu_conv conv;

/* Converts the last non-filter rule of yaml (a correlation when there is
 * one) in the given format (NULL: the query). */
static conv convert_yaml(const char *yaml, const char *format)
{
    return tu_convert(yaml, &(tu_conv_opts){.target = "kql",
                                            .format = format,
                                            .pipelines = {"microsoft_xdr", "sentinel_windows"},
                                            .level = 1,
                                            .kind = -1,
                                            .last = true});
}

/* A rule of the logsource `logsource` (YAML lines) whose selection (line 7)
 * is `body`. */
static conv convert_sel(const char *logsource, const char *body)
{
    char yaml[4096];
    int n = snprintf(yaml, sizeof yaml,
                     "title: t\nlogsource:\n%sdetection:\n    sel:\n        %s\n"
                     "    condition: sel\n",
                     logsource, body);
    assert_true(n > 0 && (size_t)n < sizeof yaml);
    return convert_yaml(yaml, NULL);
}

#define SECURITY "    product: windows\n    service: security\n"
#define SYSTEM "    product: windows\n    service: system\n"

static void expect_query(conv c, const char *want)
{
    tu_expect_query(c, want);
}

static void expect_refused(conv c, const char *code, const char *what, uint32_t line)
{
    tu_expect_refused(c, code, what, line);
}

/* Security channel: SecurityEvent, its typed columns name for name. */
static void test_security_process_creation(void **state)
{
    (void)state;
    expect_query(convert_sel(SECURITY, "EventID: 4688\n"
                                       "        NewProcessName|endswith: '\\whoami.exe'\n"
                                       "        CommandLine|contains: ' /all'"),
                 "SecurityEvent\n| where Channel =~ \"Security\" and EventID == 4688 and "
                 "NewProcessName endswith \"\\\\whoami.exe\" and CommandLine contains \" /all\"");
    /* The provider is EventSourceName; a number on a text column is text. */
    expect_query(convert_sel(SECURITY, "EventID: 4657\n"
                                       "        Provider_Name: Microsoft-Windows-Security-Auditing\n"
                                       "        NewValue: 1"),
                 "SecurityEvent\n| where Channel =~ \"Security\" and EventID == 4657 and "
                 "EventSourceName =~ \"Microsoft-Windows-Security-Auditing\" and "
                 "NewValue =~ \"1\"");
}

/* LogonType is an int column: numbers stay numbers, a string is refused. */
static void test_security_logon_type(void **state)
{
    (void)state;
    expect_query(convert_sel(SECURITY, "EventID: 4624\n"
                                       "        LogonType: [3, 10]\n"
                                       "        IpAddress|cidr: 10.0.0.0/8"),
                 "SecurityEvent\n| where Channel =~ \"Security\" and EventID == 4624 and "
                 "LogonType in (3, 10) and ipv4_is_in_range(IpAddress, \"10.0.0.0/8\")");
    expect_refused(convert_sel(SECURITY, "LogonType: '10'"), "pipeline-item-failure",
                   "SecurityEvent column is an int", 7);
    /* Sigma's true matches the text 'true': no column holds a boolean. */
    expect_refused(convert_sel(SECURITY, "ElevatedToken: true"), "pipeline-item-failure",
                   "a boolean value", 7);
}

/* Other channels: WindowsEvent, the fields extracted from its dynamic
 * EventData under their names, compared as text. */
static void test_system_service_install(void **state)
{
    (void)state;
    expect_query(
        convert_sel(SYSTEM, "Provider_Name: Service Control Manager\n"
                            "        EventID: 7045\n"
                            "        ImagePath|contains: '\\AppData\\'\n"
                            "        StartType: 3"),
        "WindowsEvent\n"
        "| extend AccountName = tostring(EventData.AccountName), Caption = "
        "tostring(EventData.Caption), Description = tostring(EventData.Description), DeviceName = "
        "tostring(EventData.DeviceName), HiveName = tostring(EventData.HiveName), ImagePath = "
        "tostring(EventData.ImagePath), IsatapRouter = tostring(EventData.IsatapRouter), Origin = "
        "tostring(EventData.Origin), ProcessId = tostring(EventData.ProcessId), ServiceName = "
        "tostring(EventData.ServiceName), ServiceType = tostring(EventData.ServiceType), "
        "StartType = tostring(EventData.StartType), param1 = tostring(EventData.param1), param2 = "
        "tostring(EventData.param2), param3 = tostring(EventData.param3), param4 = "
        "tostring(EventData.param4)\n"
        "| where Channel =~ \"System\" and Provider =~ \"Service Control Manager\" and "
        "EventID == 7045 and ImagePath contains \"\\\\AppData\\\\\" and StartType =~ \"3\"");
    /* A category: its channels and event ID. */
    expect_query(convert_sel("    product: windows\n    category: ps_script\n",
                             "ScriptBlockText|contains: FromBase64String"),
                 "WindowsEvent\n| extend MessageNumber = tostring(EventData.MessageNumber), "
                 "MessageTotal = tostring(EventData.MessageTotal), ScriptBlockText = "
                 "tostring(EventData.ScriptBlockText), ScriptBlockId = "
                 "tostring(EventData.ScriptBlockId), Path = tostring(EventData.Path)\n"
                 "| where Channel in~ (\"Microsoft-Windows-PowerShell/Operational\", "
                 "\"PowerShellCore/Operational\") and EventID == 4104 and ScriptBlockText "
                 "contains \"FromBase64String\"");
}

/* microsoft_xdr keeps its Sysmon categories; the others go to WindowsEvent. */
static void test_xdr_tables_first(void **state)
{
    (void)state;
    expect_query(convert_sel("    product: windows\n    category: process_creation\n",
                             "Image|endswith: '\\cmd.exe'"),
                 "DeviceProcessEvents\n| where FolderPath endswith \"\\\\cmd.exe\"");
    conv c = convert_sel("    product: windows\n    category: process_access\n",
                         "TargetImage|endswith: '\\lsass.exe'");
    assert_int_equal(c.status, SIGCC_OK);
    assert_non_null(strstr(c.query, "WindowsEvent\n| extend RuleName = "));
    assert_non_null(strstr(c.query, "\n| where Channel =~ \"Microsoft-Windows-Sysmon/Operational\" "
                                    "and EventID == 10 and TargetImage endswith "
                                    "\"\\\\lsass.exe\""));
    tu_release(c.ctx);
}

static void test_field_without_home(void **state)
{
    (void)state;
    /* Only in SecurityEvent's EventData XML text. */
    expect_refused(convert_sel(SECURITY, "AccessList|contains: '%%4417'"),
                   "pipeline-item-failure", "SecurityEvent has no column for this field", 7);
    /* Unnamed event data: no documented form in WindowsEvent. */
    expect_refused(convert_sel("    product: windows\n    service: application\n",
                               "Data|contains: xp_cmdshell"),
                   "pipeline-item-failure", "not one that sentinel_windows extracts", 7);
    /* A logsource without extracted fields: the header only. */
    expect_refused(convert_sel("    product: windows\n    service: capi2\n", "Foo: x"),
                   "pipeline-item-failure", "not one that sentinel_windows extracts", 7);
    /* Not a field of Sysmon's process access event. */
    expect_refused(convert_sel("    product: windows\n    category: process_access\n",
                               "SourceCommandLine|contains: x"),
                   "pipeline-item-failure", "not one that sentinel_windows extracts", 7);
}

#define FAILED_LOGONS                                                                            \
    "title: Failed logon\nname: failed_logon\nlogsource:\n" SECURITY "detection:\n"             \
    "    sel:\n        EventID: 4625\n    condition: sel\n---\n"                                  \
    "title: Failed logons from one address\nid: 7a4f5d2c-1e3b-4c9a-8d6e-2b5f0c9e1a33\n"          \
    "correlation:\n    type: event_count\n    rules: failed_logon\n    group-by: [IpAddress]\n" \
    "    timespan: 10m\n    condition:\n        gte: 20\n"

/* Log Analytics tables: the correlation window is on TimeGenerated. */
static void test_correlation_time_generated(void **state)
{
    (void)state;
    expect_query(convert_yaml(FAILED_LOGONS, NULL),
                 "SecurityEvent\n| where Channel =~ \"Security\" and EventID == 4625\n"
                 "| where TimeGenerated > ago(10m)\n"
                 "| summarize EventCount = count(), FirstSeen = min(TimeGenerated), "
                 "LastSeen = max(TimeGenerated) by IpAddress\n| where EventCount >= 20");
}

/* A Sentinel analytics rule names the connector of SecurityEvent; a Defender
 * custom detection cannot read a Sentinel table. */
static void test_rule_formats(void **state)
{
    (void)state;
    conv s = convert_yaml(FAILED_LOGONS, "sentinel-yaml");
    assert_int_equal(s.status, SIGCC_OK);
    assert_non_null(strstr(s.query, "\nrequiredDataConnectors:\n"
                                    "  - connectorId: WindowsSecurityEvents\n"
                                    "    dataTypes:\n      - SecurityEvent\nqueryFrequency: 5m\n"
                                    "queryPeriod: 10m\n"));
    tu_release(s.ctx);
    expect_refused(convert_yaml(FAILED_LOGONS, "defender-json"), "target-cannot-express",
                   "the table SecurityEvent (time column TimeGenerated) as a Defender custom "
                   "detection",
                   11);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "title: t\nlogsource:\n%sdetection:\n    sel:\n"
                                "        EventID: 7045\n    condition: sel\n", SYSTEM);
    expect_refused(convert_yaml(yaml, "defender-json"), "target-cannot-express",
                   "the table WindowsEvent", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_security_process_creation),
        cmocka_unit_test(test_security_logon_type),
        cmocka_unit_test(test_system_service_install),
        cmocka_unit_test(test_xdr_tables_first),
        cmocka_unit_test(test_field_without_home),
        cmocka_unit_test(test_correlation_time_generated),
        cmocka_unit_test(test_rule_formats),
    };
    return cmocka_run_group_tests_name("pipeline_sentinel", tests, NULL, tu_cleanup);
}
