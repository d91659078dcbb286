/*
 * main.c - the sigcc command line: a thin client of include/sigcc.h.
 *
 *   sigcc check PATH...     load and lint rules; exit 0 clean, 1 errors, 2 usage
 *   sigcc explain PATH...   print each rule's parsed tree
 *   sigcc eval ...          run rules over events (eval.c)
 *   sigcc convert ...       rules to queries (convert.c)
 *   sigcc catalog ...       the technique catalog of a corpus (catalog.c)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct options {
    sigcc_diag_format diag_format;
    int quiet;
    int werror;
    cli_opt opt;
} options;

static void usage(FILE *out)
{
    fputs("usage: sigcc <command> [options] PATH...\n"
          "\n"
          "commands:\n"
          "  check PATH...     load Sigma rules (files or directories), report problems\n"
          "  explain PATH...   print the parsed form of each rule\n"
          "  eval -r RULES... [EVENTS...]  run rules over events (sigcc eval --help)\n"
          "  convert -t TARGET PATH...     rules to queries (eql; sigcc list targets)\n"
          "  catalog [-t ID] [-f md|html|json] PATH...  the ATT&CK technique catalog\n"
          "  list targets|formats|pipelines\n"
          "  version           print the version\n"
          "\n"
          "options:\n"
          "  --diag-format=text|json   how diagnostics are printed (default text)\n"
          "  -q, --quiet               print only errors and the summary\n"
          "  --werror                  treat warnings as errors (exit status 1)\n"
          "  -O0, -O1                  explain: no optimization / every pass (default -O1)\n"
          "  --no-pass=NAME            explain: leave one optimizer pass out\n"
          "  --passes                  explain: print the tree after each pass that changed it\n"
          "\n"
          "exit status: 0 clean, 1 a rule has errors, 2 usage or I/O error\n",
          out);
}

int cli_print_diags(const sigcc_ctx *ctx, sigcc_diag_format format, int quiet)
{
    for (size_t i = 0; i < sigcc_diag_count(ctx); i++) {
        const sigcc_diag *d = sigcc_diag_at(ctx, i);
        if (quiet && d->severity != SIGCC_ERROR)
            continue;
        char *text = NULL;
        if (sigcc_diag_render(d, format, &text) != SIGCC_OK)
            return -1;
        fputs(text, stderr);
        sigcc_free(text);
    }
    return 0;
}

static int load_all(sigcc_ctx *ctx, int argc, char **argv, int *io_error)
{
    int paths = 0;
    for (int i = 0; i < argc; i++) {
        sigcc_status s = sigcc_load_path(ctx, argv[i]);
        if (s == SIGCC_ENOMEM) {
            fprintf(stderr, "sigcc: out of memory\n");
            return -1;
        }
        if (s == SIGCC_EIO)
            *io_error = 1;
        paths++;
    }
    if (sigcc_resolve(ctx) == SIGCC_ENOMEM) {
        fprintf(stderr, "sigcc: out of memory\n");
        return -1;
    }
    return paths;
}

/* Loads every path into a new context and prints its diagnostics.
 * Returns 0, or 2 with *ctx_out NULL on a fatal error. */
static int load_and_report(int argc, char **argv, const options *o, sigcc_ctx **ctx_out,
                           int *io_error)
{
    *ctx_out = NULL;
    sigcc_ctx *ctx = sigcc_ctx_new();
    if (!ctx) {
        fprintf(stderr, "sigcc: out of memory\n");
        return 2;
    }
    if (load_all(ctx, argc, argv, io_error) < 0 || cli_print_diags(ctx, o->diag_format, o->quiet) < 0) {
        sigcc_ctx_free(ctx);
        return 2;
    }
    *ctx_out = ctx;
    return 0;
}

static int cmd_check(int argc, char **argv, const options *o)
{
    sigcc_ctx *ctx;
    int io_error = 0;
    if (load_and_report(argc, argv, o, &ctx, &io_error) != 0)
        return 2;
    size_t errors = sigcc_diag_count_severity(ctx, SIGCC_ERROR);
    size_t warnings = sigcc_diag_count_severity(ctx, SIGCC_WARNING);
    printf("%zu rules, %zu errors, %zu warnings\n", sigcc_document_count(ctx), errors, warnings);
    int rc = io_error ? 2 : (errors || (o->werror && warnings)) ? 1 : 0;
    sigcc_ctx_free(ctx);
    return rc;
}

static int cmd_explain(int argc, char **argv, const options *o)
{
    sigcc_ctx *ctx;
    int io_error = 0;
    if (load_and_report(argc, argv, o, &ctx, &io_error) != 0)
        return 2;
    if (cli_optimize(ctx, &o->opt) != 0) {
        sigcc_ctx_free(ctx);
        return 2;
    }
    if (o->opt.passes)
        printf("# final\n");
    int rc = 0;
    for (size_t i = 0; i < sigcc_rule_count(ctx); i++) {
        char *text = NULL;
        if (sigcc_rule_explain(sigcc_rule_at(ctx, i), &text) != SIGCC_OK) {
            rc = 2;
            break;
        }
        printf("%s%s", i ? "\n" : "", text);
        sigcc_free(text);
    }
    if (rc == 0)
        rc = io_error ? 2 : sigcc_diag_count_severity(ctx, SIGCC_ERROR) ? 1 : 0;
    sigcc_ctx_free(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("sigcc %s\n", SIGCC_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "eval"))
        return cli_eval(argc - 2, argv + 2);
    if (!strcmp(cmd, "convert"))
        return cli_convert(argc - 2, argv + 2);
    if (!strcmp(cmd, "catalog"))
        return cli_catalog(argc - 2, argv + 2);
    if (!strcmp(cmd, "list"))
        return cli_list(argc - 2, argv + 2);
    options o = {SIGCC_DIAG_TEXT, 0, 0, {.level = 1}};
    char **paths = calloc((size_t)argc, sizeof *paths);
    if (!paths)
        return 2;
    int n = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--diag-format=json"))
            o.diag_format = SIGCC_DIAG_JSON;
        else if (!strcmp(a, "--diag-format=text"))
            o.diag_format = SIGCC_DIAG_TEXT;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            o.quiet = 1;
        else if (!strcmp(a, "--werror"))
            o.werror = 1;
        else if (cli_parse_opt_flag(a, &o.opt))
            continue;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "sigcc: unknown option '%s'\n", a);
            usage(stderr);
            free(paths);
            return 2;
        } else
            paths[n++] = argv[i];
    }
    int rc;
    if (n == 0 && (!strcmp(cmd, "check") || !strcmp(cmd, "explain"))) {
        fprintf(stderr, "sigcc %s: no rule file or directory given\n", cmd);
        rc = 2;
    } else if (!strcmp(cmd, "check")) {
        rc = cmd_check(n, paths, &o);
    } else if (!strcmp(cmd, "explain")) {
        rc = cmd_explain(n, paths, &o);
    } else {
        fprintf(stderr, "sigcc: unknown command '%s'\n", cmd);
        usage(stderr);
        rc = 2;
    }
    free(paths);
    return rc;
}
