/*
 * pipelines.c - loading processing pipelines named on the command line.
 */
#include "cli.h"

#include <stdio.h>

int cli_load_pipelines(sigcc_ctx *ctx, const char **paths, int n)
{
    (void)ctx;
    if (n == 0)
        return 0;
    fprintf(stderr, "sigcc: -p %s: processing pipelines are not wired into this build yet\n",
            paths[0]);
    return 2;
}
