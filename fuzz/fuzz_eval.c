/*
 * fuzz_eval.c - libFuzzer harness: any bytes as an event input (JSON lines,
 * arrays, streams, gzip, EVTX are all detected from the bytes), evaluated
 * by a fixed set of rules that covers the matcher's operators and a
 * correlation. Build with -DSIGCC_FUZZ=ON (clang).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sigcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char RULES[] =
    "title: net\n"
    "name: net\n"
    "logsource:\n    category: network_connection\n"
    "detection:\n"
    "    sel:\n        Initiated: 'true'\n        DestinationPort: [25, 110, 143]\n"
    "    cidr:\n        DestinationIp|cidr: ['10.0.0.0/8', 'fe80::/10']\n"
    "    mail:\n        Image|endswith: ['\\outlook.exe', '\\thunderbird.exe']\n"
    "    condition: (sel or cidr) and not mail\n"
    "---\n"
    "title: proc\n"
    "logsource:\n    category: process_creation\n    product: windows\n"
    "detection:\n"
    "    sel:\n        CommandLine|contains|all: ['-enc', 'powershell']\n"
    "    re:\n        CommandLine|re|i: '(a+)+b'\n"
    "    b64:\n        CommandLine|base64offset|contains: 'http'\n"
    "    wd:\n        CommandLine|windash|contains: ' -c '\n"
    "    nul:\n        ParentImage: null\n"
    "    ex:\n        User|exists: false\n"
    "    ref:\n        Image|fieldref: ParentImage\n"
    "    num:\n        ProcessId|gt: 100\n"
    "    condition: 1 of them\n"
    "---\n"
    "title: kw\n"
    "logsource:\n    product: windows\n"
    "detection:\n    keywords: ['mimikatz', 'sekurlsa*']\n    condition: keywords\n"
    "---\n"
    "title: many\n"
    "correlation:\n    type: event_count\n    rules: net\n    group-by: [Computer, Image]\n"
    "    timespan: 1h\n    condition:\n        gte: 2\n"
    "---\n"
    "title: distinct\n"
    "correlation:\n    type: value_count\n    rules: net\n    group-by: Computer\n"
    "    timespan: 10m\n    condition:\n        field: DestinationIp\n        lt: 3\n";

static sigcc_ctx *ctx;

static void discard(void *ud, const char *text, size_t len)
{
    (void)ud;
    (void)text;
    (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx) {
        ctx = sigcc_ctx_new();
        if (!ctx)
            return 0;
        sigcc_load_buffer(ctx, "fuzz-rules.yml", RULES, sizeof RULES - 1);
        sigcc_resolve(ctx);
    }
    char path[] = "/tmp/sigcc-fuzz-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    sigcc_eval_options opts = {0};
    opts.emit = discard;
    /* Building the prefilter costs milliseconds; exercise it on a quarter
     * of the inputs so the rest run fast. */
    opts.no_prefilter = size == 0 || (data[0] & 3) != 0;
    sigcc_eval *ev = NULL;
    if (sigcc_eval_new(ctx, &opts, &ev) == SIGCC_OK) {
        sigcc_eval_path(ev, path);
        sigcc_eval_finish(ev);
        sigcc_eval_free(ev);
    }
    unlink(path);
    return 0;
}
