/*
 * test_pipeline_sentinel_cloud.c - the built-in pipeline sentinel_cloud with
 * the kql target: Sigma's cloud logsources on the Microsoft Sentinel tables
 * of their connectors, next to the default microsoft_xdr. Rules are loaded
 * from buffers, both pipelines applied (as `sigcc convert -t kql -p
 * sentinel_cloud` does), optimized (level 1) and converted.
 */
#include "test_util.h"

typedef tu_conv conv;

static conv convert_yaml(const char *yaml, const char *format)
{
    return tu_convert(yaml, &(tu_conv_opts){.target = "kql",
                                            .format = format,
                                            .pipelines = {"microsoft_xdr", "sentinel_cloud"},
                                            .level = 1,
                                            .kind = -1,
                                            .last = true});
}

/* A rule of product/service whose selection (line 7) is `body`. */
static conv convert_sel(const char *product, const char *service, const char *body)
{
    char yaml[4096];
    int n = snprintf(yaml, sizeof yaml,
                     "title: t\nlogsource:\n    product: %s\n    service: %s\ndetection:\n"
                     "    sel:\n        %s\n    condition: sel\n",
                     product, service, body);
    assert_true(n > 0 && (size_t)n < sizeof yaml);
    return convert_yaml(yaml, NULL);
}

/* CloudTrail record fields take the AWSCloudTrail columns documented for them. */
static void test_cloudtrail(void **state)
{
    (void)state;
    tu_expect_query(convert_sel("aws", "cloudtrail",
                                "eventSource: iam.amazonaws.com\n"
                                "        eventName: CreateAccessKey\n"
                                "        userIdentity.type: Root\n"
                                "        userIdentity.sessionContext.sessionIssuer.type: Role\n"
                                "        sourceIPAddress|cidr: '10.0.0.0/8'\n"
                                "        eventType: AwsConsoleSignIn"),
                    "AWSCloudTrail\n| where EventSource =~ \"iam.amazonaws.com\" and EventName =~ "
                    "\"CreateAccessKey\" and UserIdentityType =~ \"Root\" and SessionIssuerType =~ "
                    "\"Role\" and ipv4_is_in_range(SourceIpAddress, \"10.0.0.0/8\") and "
                    "EventTypeName =~ \"AwsConsoleSignIn\"");
    /* JSON text in the table: no exact comparison of a nested value. */
    tu_expect_refused(convert_sel("aws", "cloudtrail", "requestParameters.attribute: userData"),
                      "pipeline-item-failure", "AWSCloudTrail has no column for this field", 7);
    tu_expect_refused(convert_sel("aws", "cloudtrail", "requestParameters|contains: Suspended"),
                      "pipeline-item-failure", "AWSCloudTrail has no column for this field", 7);
}

/* Entra ID: numbers on string columns are text; dynamic columns fail. */
static void test_entra(void **state)
{
    (void)state;
    tu_expect_query(convert_sel("azure", "signinlogs",
                                "ResultType: [50053, 50126]\n        userAgent|contains: python"),
                    "SigninLogs\n| where ResultType in~ (\"50053\", \"50126\") and UserAgent "
                    "contains \"python\"");
    tu_expect_refused(convert_sel("azure", "signinlogs", "Status: Success"),
                      "pipeline-item-failure", "SigninLogs has no string column", 7);
    tu_expect_refused(convert_sel("azure", "signinlogs", "DeviceDetail.isCompliant: 'false'"),
                      "pipeline-item-failure", "SigninLogs has no string column", 7);
    tu_expect_query(convert_sel("azure", "auditlogs",
                                "operationName: 'Add service principal'\n"
                                "        LoggedByService: 'Core Directory'"),
                    "AuditLogs\n| where OperationName =~ \"Add service principal\" and "
                    "LoggedByService =~ \"Core Directory\"");
    tu_expect_refused(convert_sel("azure", "auditlogs", "properties.message: Delete user"),
                      "pipeline-item-failure", "AuditLogs has no string column", 7);
    tu_expect_query(convert_sel("azure", "riskdetection", "riskEventType: unlikelyTravel"),
                    "AADUserRiskEvents\n| where RiskEventType =~ \"unlikelyTravel\"");
    /* Privileged Identity Management alerts: no documented table. */
    tu_expect_refused(convert_sel("azure", "pim", "riskEventType: staleSignInAlertIncident"),
                      "target-cannot-express", "no table for it", 1);
}

static void test_activity_gcp_m365(void **state)
{
    (void)state;
    tu_expect_query(convert_sel("azure", "activitylogs",
                                "operationName: MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE"),
                    "AzureActivity\n| where OperationNameValue =~ "
                    "\"MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE\"");
    tu_expect_query(convert_sel("gcp", "gcp.audit",
                                "gcp.audit.method_name|endswith: '.firewalls.delete'"),
                    "GCPAuditLogs\n| where MethodName endswith \".firewalls.delete\"");
    tu_expect_refused(convert_sel("gcp", "gcp.audit",
                                  "data.protoPayload.authorizationInfo.granted: 'true'"),
                      "pipeline-item-failure", "GCPAuditLogs has no string column", 7);
    tu_expect_query(convert_sel("m365", "audit",
                                "Workload: Exchange\n        Operation: New-InboxRule"),
                    "OfficeActivity\n| where OfficeWorkload =~ \"Exchange\" and Operation =~ "
                    "\"New-InboxRule\"");
    /* The API's number, the table's name of it. */
    tu_expect_refused(convert_sel("m365", "audit", "Workload: Exchange\n        RecordType: 1"),
                      "pipeline-item-failure", "OfficeActivity has no string column", 8);
    /* OfficeActivity holds some workloads of the feed: the rule must name them. */
    tu_expect_refused(convert_sel("m365", "audit", "Operation: x"), "pipeline-rule-failure",
                      "needs a Workload", 1);
    tu_expect_refused(convert_sel("m365", "audit", "Workload: AzureActiveDirectory"),
                      "pipeline-item-failure", "AzureActiveDirectory", 7);
    /* A boolean: the mapped columns are text. */
    tu_expect_refused(convert_sel("aws", "cloudtrail", "errorCode: true"),
                      "pipeline-item-failure", "a boolean value", 7);
}

#define LOCKOUTS                                                                                 \
    "title: Lockout\nname: lockout\nlogsource:\n    product: azure\n    service: signinlogs\n" \
    "detection:\n    sel:\n        ResultType: 50053\n    condition: sel\n---\n"                 \
    "title: Lockouts of one user\nid: 0c3c2a51-8a8e-4f5e-9a43-6f1d2c7b9e10\n"                   \
    "correlation:\n    type: event_count\n    rules: lockout\n"                                  \
    "    group-by: [UserPrincipalName]\n    timespan: 1h\n    condition:\n        gte: 5\n"

/* TimeGenerated for correlations; the Entra ID connector in a Sentinel rule;
 * no Defender custom detection on a Sentinel table. */
static void test_time_and_formats(void **state)
{
    (void)state;
    tu_expect_query(convert_yaml(LOCKOUTS, NULL),
                    "SigninLogs\n| where ResultType =~ \"50053\"\n| where TimeGenerated > ago(1h)\n"
                    "| summarize EventCount = count(), FirstSeen = min(TimeGenerated), "
                    "LastSeen = max(TimeGenerated) by UserPrincipalName\n| where EventCount >= 5");
    conv s = convert_yaml(LOCKOUTS, "sentinel-yaml");
    assert_int_equal(s.status, SIGCC_OK);
    assert_non_null(strstr(s.query, "\nrequiredDataConnectors:\n"
                                    "  - connectorId: AzureActiveDirectory\n"
                                    "    dataTypes:\n      - SigninLogs\n"));
    tu_release(s.ctx);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "title: t\nlogsource:\n    product: aws\n    service: cloudtrail\n"
                                "detection:\n    sel:\n        eventName: ConsoleLogin\n"
                                "    condition: sel\n");
    conv y = convert_yaml(yaml, "sentinel-yaml");
    assert_int_equal(y.status, SIGCC_OK);
    assert_non_null(strstr(y.query, "  - connectorId: AWS\n    dataTypes:\n      - AWSCloudTrail\n"));
    tu_release(y.ctx);
    tu_expect_refused(convert_yaml(yaml, "defender-json"), "target-cannot-express",
                      "the table AWSCloudTrail (time column TimeGenerated)", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cloudtrail),
        cmocka_unit_test(test_entra),
        cmocka_unit_test(test_activity_gcp_m365),
        cmocka_unit_test(test_time_and_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
