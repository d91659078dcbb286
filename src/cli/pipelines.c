/*
 * pipelines.c - loading processing pipelines named on the command line.
 */
#include "cli.h"

#include <stdio.h>

int cli_load_pipelines(sigcc_ctx *ctx, const char **paths, int n)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        sigcc_status s = sigcc_pipeline_load_path(ctx, paths[i]);
        if (s == SIGCC_ENOMEM) {
            fprintf(stderr, "sigcc: out of memory\n");
            return 2;
        }
        if (s != SIGCC_OK)
            rc = 2; /* the diagnostics say why */
    }
    return rc;
}
