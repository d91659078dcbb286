/*
 * convert.c - `sigcc convert` and `sigcc list`.
 *
 *   sigcc convert -t TARGET [-p PIPELINE]... [--no-default-pipeline]
 *                 [-f FORMAT] [-O0|-O1] [-o FILE | --out-dir DIR] PATH...
 *   sigcc list targets|formats|pipelines
 *
 * Queries go to stdout (or -o FILE), one per rule separated by a blank
 * line, or with --out-dir to one file per rule file, mirroring the input
 * tree (DIR/windows/x.yml -> DIR/windows/x.kql), so compiled queries can
 * be kept in git and diffed. A rule the target cannot express is an error
 * on stderr and the others are still converted; its stale output file, if
 * any, is removed. Exit: 0 all converted, 1 some rule failed, 2 usage or
 * I/O error.
 */
#include "cli.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct convert_args {
    const char *target, *format, *output, *out_dir;
    const char **pipelines, **paths;
    int n_pipelines, n_paths;
    int no_default_pipeline;
    cli_opt opt;
} convert_args;

static void convert_usage(FILE *out)
{
    fputs("usage: sigcc convert -t TARGET [-p PIPELINE]... [-f FORMAT] [-o FILE | --out-dir DIR] PATH...\n"
          "\n"
          "  -t, --target NAME       query language (sigcc list targets)\n"
          "  -p, --pipeline P        a built-in pipeline name or a pipeline file (repeatable)\n"
          "  --no-default-pipeline   do not apply the target's default field mapping\n"
          "  -f, --format NAME       output format (sigcc list formats)\n"
          "  -o, --output FILE       write the queries to FILE\n"
          "  --out-dir DIR           one file per rule file under DIR, mirroring the input tree\n"
          "  -O0, -O1, --no-pass=N   optimizer (default -O1)\n",
          out);
}

static int parse(int argc, char **argv, convert_args *a)
{
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if ((!strcmp(s, "-t") || !strcmp(s, "--target")) && next)
            a->target = argv[++i];
        else if ((!strcmp(s, "-p") || !strcmp(s, "--pipeline")) && next)
            a->pipelines[a->n_pipelines++] = argv[++i];
        else if ((!strcmp(s, "-f") || !strcmp(s, "--format")) && next)
            a->format = argv[++i];
        else if ((!strcmp(s, "-o") || !strcmp(s, "--output")) && next)
            a->output = argv[++i];
        else if (!strcmp(s, "--out-dir") && next)
            a->out_dir = argv[++i];
        else if (!strcmp(s, "--no-default-pipeline"))
            a->no_default_pipeline = 1;
        else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            convert_usage(stdout);
            return -1; /* done: exit 0 without converting */
        }
        else if (strcmp(s, "--passes") != 0 && cli_parse_opt_flag(s, &a->opt))
            continue;
        else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "sigcc convert: unknown option or missing argument '%s'\n", s);
            convert_usage(stderr);
            return 2;
        } else
            a->paths[a->n_paths++] = s;
    }
    if (!a->target || a->n_paths == 0) {
        fprintf(stderr, "sigcc convert: a target (-t) and at least one rule path are needed\n");
        convert_usage(stderr);
        return 2;
    }
    if (a->output && a->out_dir) {
        fprintf(stderr, "sigcc convert: -o and --out-dir exclude each other\n");
        return 2;
    }
    if (!sigcc_target_default_pipeline(a->target) && !sigcc_target_format_at(a->target, 0)) {
        fprintf(stderr, "sigcc convert: unknown target '%s' (sigcc list targets)\n", a->target);
        return 2;
    }
    return 0;
}

static int load_pipelines(sigcc_ctx *ctx, const convert_args *a)
{
    const char *def = sigcc_target_default_pipeline(a->target);
    if (def && !a->no_default_pipeline && sigcc_pipeline_load(ctx, def) != SIGCC_OK)
        return 2;
    for (int i = 0; i < a->n_pipelines; i++)
        if (sigcc_pipeline_load(ctx, a->pipelines[i]) != SIGCC_OK)
            return 2;
    return 0;
}

/* Where the queries go: one stream, or one file per rule file. */
typedef struct sink {
    FILE *out;          /* the stream, or the open per-file output */
    const char *dir;    /* --out-dir, or NULL */
    char *path;         /* the per-file output being written */
    const char *source; /* its rule file */
    int written;        /* queries in `out` so far */
    int io_error;
} sink;

/* The rule file's path under the PATH argument it was found in: the part
 * after a directory argument, or the file's own name. */
static const char *relative_path(const convert_args *a, const char *file)
{
    for (int i = 0; i < a->n_paths; i++) {
        size_t n = strlen(a->paths[i]);
        while (n > 1 && a->paths[i][n - 1] == '/')
            n--;
        if (!strncmp(file, a->paths[i], n) && file[n] == '/')
            return file + n + 1;
    }
    const char *slash = strrchr(file, '/');
    return slash ? slash + 1 : file;
}

/* DIR/relative path with the .yml/.yaml extension replaced. */
static char *output_path(const convert_args *a, const char *file)
{
    const char *rel = relative_path(a, file);
    const char *ext = sigcc_target_format_extension(a->target, a->format);
    size_t stem = strlen(rel);
    const char *dot = strrchr(rel, '.');
    if (dot && (!strcmp(dot, ".yml") || !strcmp(dot, ".yaml")))
        stem = (size_t)(dot - rel);
    size_t n = strlen(a->out_dir) + stem + strlen(ext) + 3;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%.*s.%s", a->out_dir, (int)stem, rel, ext);
    return p;
}

/* mkdir -p of the directories above `path`. */
static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* Ends the current per-file output; a rule file none of whose rules
 * converted leaves no (stale) output behind. */
static void sink_close_file(sink *k)
{
    if (!k->path)
        return;
    if (k->out && fclose(k->out) != 0)
        k->io_error = 1;
    if (!k->out)
        unlink(k->path);
    k->out = NULL;
    free(k->path);
    k->path = NULL;
    k->source = NULL;
}

/* Switches the per-file output to `file`'s (not opened until a query
 * comes). */
static int sink_select(sink *k, const convert_args *a, const char *file)
{
    if (!k->dir || (k->source && !strcmp(k->source, file)))
        return 0;
    sink_close_file(k);
    k->path = output_path(a, file);
    k->source = file;
    k->written = 0;
    return k->path ? 0 : -1;
}

/* What separates two outputs in one stream: nothing between one-line JSON
 * objects, a document marker between YAML documents, else a blank line. */
static const char *separator(const char *format)
{
    if (format && strstr(format, "json"))
        return "";
    return format && strstr(format, "yaml") ? "---\n" : "\n";
}

static int sink_write(sink *k, const char *query, const char *sep)
{
    if (k->dir && !k->out) {
        if (make_parents(k->path) != 0 || !(k->out = fopen(k->path, "w"))) {
            fprintf(stderr, "sigcc convert: cannot write %s: %s\n", k->path, strerror(errno));
            k->io_error = 1;
            return -1;
        }
    }
    fprintf(k->out, "%s%s", k->written++ ? sep : "", query);
    return 0;
}

static int convert_all(sigcc_ctx *ctx, const convert_args *a, sink *k)
{
    int failed = 0;
    const char *sep = separator(a->format);
    for (size_t i = 0; i < sigcc_rule_count(ctx); i++) {
        const sigcc_rule *r = sigcc_rule_at(ctx, i);
        if (!sigcc_rule_emitted_alone(r))
            continue;
        if (sink_select(k, a, sigcc_rule_file(r)) != 0)
            return 2;
        char *q = NULL;
        sigcc_status s = sigcc_convert_rule(ctx, r, a->target, a->format, &q);
        if (s == SIGCC_ENOMEM || s == SIGCC_EUSAGE)
            return s == SIGCC_EUSAGE ? 3 : 2;
        if (s != SIGCC_OK) {
            failed = 1;
            continue;
        }
        int w = sink_write(k, q, sep);
        sigcc_free(q);
        if (w != 0)
            return 2;
    }
    sink_close_file(k);
    return k->io_error ? 2 : failed;
}

static int run(convert_args *a)
{
    sigcc_ctx *ctx = sigcc_ctx_new();
    if (!ctx)
        return 2;
    int rc = 2, io = 0;
    for (int i = 0; i < a->n_paths; i++)
        if (sigcc_load_path(ctx, a->paths[i]) == SIGCC_EIO)
            io = 1;
    sigcc_resolve(ctx);
    sink k = {.out = stdout, .dir = a->out_dir};
    if (a->out_dir)
        k.out = NULL;
    if (load_pipelines(ctx, a) == 0 && sigcc_apply_pipelines(ctx) != SIGCC_ENOMEM &&
        cli_optimize(ctx, &a->opt) == 0) {
        if (a->output && !(k.out = fopen(a->output, "w"))) {
            fprintf(stderr, "sigcc convert: cannot write %s\n", a->output);
        } else {
            rc = convert_all(ctx, a, &k);
            if (rc == 3) {
                fprintf(stderr, "sigcc convert: target '%s' has no format '%s'\n", a->target,
                        a->format);
                rc = 2;
            }
        }
    }
    sink_close_file(&k);
    if (a->output && k.out && fclose(k.out) != 0)
        rc = 2;
    fflush(stdout); /* queries before the diagnostics about the others */
    size_t errors_before_print = sigcc_diag_count_severity(ctx, SIGCC_ERROR);
    cli_print_diags(ctx, SIGCC_DIAG_TEXT, 0);
    if (rc == 0 && (io || errors_before_print))
        rc = io ? 2 : 1;
    sigcc_ctx_free(ctx);
    return rc;
}

int cli_convert(int argc, char **argv)
{
    convert_args a = {0};
    a.opt.level = 1;
    a.pipelines = calloc((size_t)argc + 1, sizeof *a.pipelines);
    a.paths = calloc((size_t)argc + 1, sizeof *a.paths);
    int rc = 2;
    if (a.pipelines && a.paths && (rc = parse(argc, argv, &a)) == 0)
        rc = run(&a);
    if (rc < 0)
        rc = 0;
    free(a.pipelines);
    free(a.paths);
    return rc;
}

int cli_list(int argc, char **argv)
{
    const char *what = argc > 0 ? argv[0] : "";
    if (!strcmp(what, "targets")) {
        for (size_t i = 0; sigcc_target_at(i); i++) {
            const char *p = sigcc_target_default_pipeline(sigcc_target_at(i));
            printf("%s\t(default pipeline: %s)\n", sigcc_target_at(i), p ? p : "none");
        }
    } else if (!strcmp(what, "formats")) {
        for (size_t i = 0; sigcc_target_at(i); i++)
            for (size_t k = 0; sigcc_target_format_at(sigcc_target_at(i), k); k++)
                printf("%s\t%s\n", sigcc_target_at(i), sigcc_target_format_at(sigcc_target_at(i), k));
    } else if (!strcmp(what, "pipelines")) {
        for (size_t i = 0; sigcc_builtin_pipeline_at(i); i++)
            printf("%s\n", sigcc_builtin_pipeline_at(i));
    } else {
        fprintf(stderr, "usage: sigcc list targets|formats|pipelines\n");
        return 2;
    }
    return 0;
}
