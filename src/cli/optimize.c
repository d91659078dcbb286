/*
 * optimize.c - the optimizer options shared by the commands:
 * -O0 / -O1 (default), --no-pass=NAME, and explain's --passes.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_parse_opt_flag(const char *arg, cli_opt *o)
{
    if (!strcmp(arg, "-O0") || !strcmp(arg, "-O1")) {
        o->level = arg[2] - '0';
        return 1;
    }
    if (!strncmp(arg, "--no-pass=", 10)) {
        if (o->n_disabled < CLI_MAX_DISABLED)
            o->disabled[o->n_disabled++] = arg + 10;
        return 1;
    }
    if (!strcmp(arg, "--passes")) {
        o->passes = 1;
        return 1;
    }
    return 0;
}

static void print_pass(void *ud, const sigcc_rule *rule, const char *pass, const char *tree)
{
    (void)ud;
    printf("# %s: after %s\n%s", sigcc_rule_title(rule), pass, tree);
}

int cli_optimize(sigcc_ctx *ctx, const cli_opt *o)
{
    sigcc_optimize_options opts = {0};
    opts.level = o->level;
    opts.disabled_passes = o->disabled;
    opts.n_disabled = o->n_disabled;
    if (o->passes)
        opts.trace = print_pass;
    sigcc_status s = sigcc_optimize(ctx, &opts);
    if (s == SIGCC_EUSAGE) {
        fprintf(stderr, "sigcc: unknown pass in --no-pass; the passes are:");
        for (size_t i = 0; sigcc_pass_at(i); i++)
            fprintf(stderr, " %s", sigcc_pass_at(i));
        fputc('\n', stderr);
        return 2;
    }
    if (s != SIGCC_OK) {
        fprintf(stderr, "sigcc: out of memory\n");
        return 2;
    }
    return 0;
}
