/*
 * cli.h - pieces shared by the commands of the sigcc command line.
 */
#ifndef SIGCC_CLI_H
#define SIGCC_CLI_H

#include "sigcc.h"

/* Prints the context's diagnostics to stderr (errors only when quiet). */
int cli_print_diags(const sigcc_ctx *ctx, sigcc_diag_format format, int quiet);
/* Loads processing pipelines into the context; 0 on success, else 2 with
 * the reason printed. */
int cli_load_pipelines(sigcc_ctx *ctx, const char **paths, int n);
int cli_eval(int argc, char **argv);

#endif
