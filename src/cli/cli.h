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
int cli_convert(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_catalog(int argc, char **argv);

#define CLI_MAX_DISABLED 32

typedef struct cli_opt {
    int level;      /* -O0 / -O1 */
    const char *disabled[CLI_MAX_DISABLED];
    size_t n_disabled;
    int passes;     /* explain --passes: print the tree after each pass */
} cli_opt;

/* 1 if `arg` is an optimizer option (recorded in o), else 0. */
int cli_parse_opt_flag(const char *arg, cli_opt *o);
/* Runs the optimizer over the context; 0, or 2 with the reason printed. */
int cli_optimize(sigcc_ctx *ctx, const cli_opt *o);

#endif
