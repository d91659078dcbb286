/*
 * eval.c - `sigcc eval`: run rules over event files.
 *
 *   sigcc eval -r RULE_OR_DIR... [-p PIPELINE]... [--format jsonl|table]
 *              [--time-field NAME] [--no-logsource] [EVENTS...|-]
 *
 * Results go to stdout, problems and the summary to stderr.
 * Exit status: 0 something matched, 1 nothing matched, 2 error.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#define _DEFAULT_SOURCE   /* strcasecmp, strdup */
#include "cli.h"

#include <stdbool.h>
#include <strings.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct eval_args {
    const char **rules, **pipelines, **inputs;
    int n_rules, n_pipelines, n_inputs;
    sigcc_eval_options opts;
    sigcc_diag_format diag_format;
    int quiet;
    cli_opt opt;
} eval_args;

static void eval_usage(FILE *out)
{
    fputs("usage: sigcc eval -r RULE_OR_DIR... [-p PIPELINE]... [options] [EVENTS...|-]\n"
          "\n"
          "Runs Sigma rules over events: JSON lines, a JSON array, concatenated JSON\n"
          "objects (plain or gzip), or Windows EVTX files; a directory is read as every\n"
          "*.json, *.jsonl, *.ndjson, *.gz, *.evtx file under it, and text logs\n"
          "(*.log, *.txt, *.raw, *.syslog: one event per line, field 'message');\n"
          "'-' or nothing reads stdin.\n"
          "\n"
          "options:\n"
          "  -r, --rules PATH        rule file or directory (repeatable)\n"
          "  -p, --pipeline FILE     processing pipeline applied to the rules (repeatable)\n"
          "  --format jsonl|table    output format (default jsonl)\n"
          "  --time-field NAME       event timestamp field (default: by event shape)\n"
          "  --no-logsource          every rule sees every event (no channel/Event ID filter)\n"
          "  --no-prefilter          evaluate every rule, without the shared literal scan\n"
          "  -O0, -O1                rules as written / optimized (default -O1, same results)\n"
          "  --no-pass=NAME          leave one optimizer pass out\n"
          "  --diag-format=text|json how rule diagnostics are printed\n"
          "  -q, --quiet             no per-rule summary\n"
          "\n"
          "exit status: 0 something matched, 1 nothing matched, 2 error\n",
          out);
}

static void write_out(void *ud, const char *text, size_t len)
{
    (void)ud;
    fwrite(text, 1, len, stdout);
}

static void write_report(void *ud, const char *text)
{
    (void)ud;
    fprintf(stderr, "sigcc eval: %s\n", text);
}

static int parse_args(int argc, char **argv, eval_args *a)
{
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if ((!strcmp(s, "-r") || !strcmp(s, "--rules")) && next) {
            a->rules[a->n_rules++] = argv[++i];
        } else if ((!strcmp(s, "-p") || !strcmp(s, "--pipeline")) && next) {
            a->pipelines[a->n_pipelines++] = argv[++i];
        } else if (!strcmp(s, "--format") && next) {
            i++;
            if (!strcmp(next, "jsonl") || !strcmp(next, "json"))
                a->opts.format = SIGCC_EVAL_JSONL;
            else if (!strcmp(next, "table"))
                a->opts.format = SIGCC_EVAL_TABLE;
            else {
                fprintf(stderr, "sigcc eval: unknown format '%s' (jsonl or table)\n", next);
                return 2;
            }
        } else if (!strcmp(s, "--time-field") && next) {
            a->opts.time_field = argv[++i];
        } else if (!strcmp(s, "--no-logsource")) {
            a->opts.logsources = 1;
        } else if (!strcmp(s, "--no-prefilter")) {
            a->opts.no_prefilter = 1;
        } else if (!strcmp(s, "--diag-format=json")) {
            a->diag_format = SIGCC_DIAG_JSON;
        } else if (!strcmp(s, "--diag-format=text")) {
            a->diag_format = SIGCC_DIAG_TEXT;
        } else if (!strcmp(s, "-q") || !strcmp(s, "--quiet")) {
            a->quiet = 1;
        } else if (strcmp(s, "--passes") != 0 && cli_parse_opt_flag(s, &a->opt)) {
            continue;
        } else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            eval_usage(stdout);
            return 3;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "sigcc eval: unknown option or missing argument '%s'\n", s);
            eval_usage(stderr);
            return 2;
        } else {
            a->inputs[a->n_inputs++] = s;
        }
    }
    if (a->n_rules == 0) {
        fprintf(stderr, "sigcc eval: no rules given (-r RULE_OR_DIR)\n");
        return 2;
    }
    return 0;
}

static void print_summary(const sigcc_eval *ev, int quiet)
{
    const sigcc_eval_stats *s = sigcc_eval_get_stats(ev);
    fprintf(stderr,
            "sigcc eval: %llu events read (%llu bad records skipped, %.1f MB), "
            "%llu matched, %llu results from %zu rules",
            (unsigned long long)s->events, (unsigned long long)s->bad_records,
            (double)s->bytes / 1e6, (unsigned long long)s->matched_events,
            (unsigned long long)s->matches, s->rules_used);
    if (s->rules_refused)
        fprintf(stderr, " (%zu refused)", s->rules_refused);
    if (s->no_timestamp)
        fprintf(stderr, "; %llu events without a timestamp",
                (unsigned long long)s->no_timestamp);
    if (s->regex_limit_hits)
        fprintf(stderr, "; %llu regex matches stopped at the backtracking limit",
                (unsigned long long)s->regex_limit_hits);
    fputc('\n', stderr);
    if (quiet)
        return;
    for (size_t i = 0; i < sigcc_eval_rule_stats_count(ev); i++) {
        const sigcc_eval_rule_stats *r = sigcc_eval_rule_stats_at(ev, i);
        if (!r->matches)
            continue;
        const char *id = sigcc_rule_id(r->rule);
        fprintf(stderr, "  %8llu  %s  %s\n", (unsigned long long)r->matches,
                id ? id : "-", sigcc_rule_title(r->rule));
    }
}

/* ------------------------------------------------ directories of events */
typedef struct path_list {
    char **items;
    size_t n, cap;
} path_list;

static path_list *walk_target; /* nftw has no user pointer */

static bool is_event_file(const char *path)
{
    static const char *const exts[] = {".json", ".jsonl", ".ndjson", ".gz", ".evtx", ".log",
                                       ".txt", ".raw", ".syslog", NULL};
    size_t len = strlen(path);
    for (size_t i = 0; exts[i]; i++) {
        size_t n = strlen(exts[i]);
        if (len > n && strcasecmp(path + len - n, exts[i]) == 0)
            return true;
    }
    return false;
}

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    path_list *l = walk_target;
    if (type != FTW_F || !is_event_file(path))
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return 1;
        l->items = p;
        l->cap = cap;
    }
    return (l->items[l->n++] = strdup(path)) ? 0 : 1;
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory is read as every event file under it, in name order. */
static sigcc_status eval_input(sigcc_eval *ev, const char *path)
{
    struct stat sb;
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return sigcc_eval_path(ev, path);
    path_list l = {0};
    walk_target = &l;
    int rc = nftw(path, collect, 32, FTW_PHYS);
    walk_target = NULL;
    sigcc_status st = rc == 0 ? SIGCC_OK : SIGCC_EIO;
    if (rc != 0)
        fprintf(stderr, "sigcc eval: %s: cannot walk the directory\n", path);
    if (l.n)
        qsort(l.items, l.n, sizeof *l.items, cmp_paths);
    for (size_t i = 0; i < l.n; i++) {
        if (sigcc_eval_path(ev, l.items[i]) != SIGCC_OK)
            st = SIGCC_EIO;
        free(l.items[i]);
    }
    free(l.items);
    return st;
}

static int run(eval_args *a)
{
    sigcc_ctx *ctx = sigcc_ctx_new();
    if (!ctx)
        return 2;
    int io_error = 0;
    for (int i = 0; i < a->n_rules; i++)
        if (sigcc_load_path(ctx, a->rules[i]) == SIGCC_EIO)
            io_error = 1;
    int rc = 2;
    sigcc_eval *ev = NULL;
    if (cli_load_pipelines(ctx, a->pipelines, a->n_pipelines) != 0) {
        cli_print_diags(ctx, a->diag_format, 0);
        goto out;
    }
    sigcc_resolve(ctx);
    if (sigcc_apply_pipelines(ctx) == SIGCC_ENOMEM) {
        fprintf(stderr, "sigcc eval: out of memory\n");
        goto out;
    }
    if (cli_optimize(ctx, &a->opt) != 0)
        goto out;
    if (sigcc_eval_new(ctx, &a->opts, &ev) != SIGCC_OK) {
        fprintf(stderr, "sigcc eval: out of memory\n");
        goto out;
    }
    cli_print_diags(ctx, a->diag_format, 0);
    if (sigcc_eval_rule_stats_count(ev) == 0) {
        fprintf(stderr, "sigcc eval: no rule can be evaluated\n");
        goto out;
    }
    for (int i = 0; i < a->n_inputs; i++)
        if (eval_input(ev, a->inputs[i]) != SIGCC_OK)
            io_error = 1;
    if (a->n_inputs == 0 && sigcc_eval_path(ev, "-") != SIGCC_OK)
        io_error = 1;
    sigcc_eval_finish(ev);
    fflush(stdout);
    print_summary(ev, a->quiet);
    if (io_error || sigcc_diag_count_severity(ctx, SIGCC_ERROR))
        rc = 2;
    else
        rc = sigcc_eval_get_stats(ev)->matches ? 0 : 1;
out:
    sigcc_eval_free(ev);
    sigcc_ctx_free(ctx);
    return rc;
}

int cli_eval(int argc, char **argv)
{
    eval_args a = {0};
    a.opt.level = 1;
    a.rules = calloc((size_t)argc + 1, sizeof *a.rules);
    a.pipelines = calloc((size_t)argc + 1, sizeof *a.pipelines);
    a.inputs = calloc((size_t)argc + 1, sizeof *a.inputs);
    a.opts.emit = write_out;
    a.opts.report = write_report;
    int rc = 2;
    if (a.rules && a.pipelines && a.inputs) {
        rc = parse_args(argc, argv, &a);
        if (rc == 3)
            rc = 0;
        else if (rc == 0)
            rc = run(&a);
    }
    free(a.rules);
    free(a.pipelines);
    free(a.inputs);
    return rc;
}
