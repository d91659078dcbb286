/*
 * catalog.c - `sigcc catalog`: the technique catalog of a rule corpus.
 *
 *   sigcc catalog [-t|--technique ID]... [--roll-up] [-f|--format md|html|json]
 *                 [--top N] [--samples N] [-o FILE] [-q] PATH...
 *
 * Rules are loaded and resolved (filters attached), never mapped by a
 * pipeline: the catalog reads field names back to the taxonomy itself.
 * Exit: 0 written, 1 written but some rule has errors (left out), 2 usage
 * or I/O error.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct catalog_args {
    const char **techniques, **paths;
    int n_techniques, n_paths;
    const char *output;
    sigcc_catalog_format format;
    sigcc_catalog_options opts;
    int quiet;
} catalog_args;

static void catalog_usage(FILE *out)
{
    fputs("usage: sigcc catalog [--technique ID]... [--format md|html|json] [-o FILE] PATH...\n"
          "\n"
          "  -t, --technique ID   only this technique's page (repeatable), e.g. T1071.003\n"
          "  --roll-up            count sub-techniques under their parent (T1071.003 -> T1071)\n"
          "  -f, --format NAME    md (default), html (one self-contained page) or json\n"
          "  --top N              rows of each ranked table (default 25, 0: all)\n"
          "  --samples N          sample values per field (default 5)\n"
          "  -o, --output FILE    write the catalog to FILE\n"
          "  -q, --quiet          print only errors of the rules loaded\n"
          "\n"
          "Figures and formats: docs/catalog.md\n",
          out);
}

static int parse_format(const char *s, sigcc_catalog_format *out)
{
    if (!strcmp(s, "md") || !strcmp(s, "markdown"))
        *out = SIGCC_CATALOG_MARKDOWN;
    else if (!strcmp(s, "html"))
        *out = SIGCC_CATALOG_HTML;
    else if (!strcmp(s, "json"))
        *out = SIGCC_CATALOG_JSON;
    else
        return 0;
    return 1;
}

static int parse_count(const char *s, size_t *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0)
        return 0;
    *out = (size_t)v;
    return 1;
}

static int parse_value(catalog_args *a, const char *opt, const char *value)
{
    if (!strcmp(opt, "-t") || !strcmp(opt, "--technique")) {
        a->techniques[a->n_techniques++] = value;
        return 1;
    }
    if (!strcmp(opt, "-f") || !strcmp(opt, "--format"))
        return parse_format(value, &a->format);
    if (!strcmp(opt, "-o") || !strcmp(opt, "--output")) {
        a->output = value;
        return 1;
    }
    if (!strcmp(opt, "--top")) {
        if (!parse_count(value, &a->opts.top))
            return 0;
        if (a->opts.top == 0)
            a->opts.top = SIGCC_CATALOG_ALL;
        return 1;
    }
    if (!strcmp(opt, "--samples"))
        return parse_count(value, &a->opts.samples) && a->opts.samples > 0;
    return -1; /* not an option with a value */
}

static int parse(int argc, char **argv, catalog_args *a)
{
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        int r = next ? parse_value(a, s, next) : -1;
        if (r == 1) {
            i++;
        } else if (r == 0) {
            fprintf(stderr, "sigcc catalog: bad value '%s' for %s\n", next, s);
            return 2;
        } else if (!strcmp(s, "--roll-up")) {
            a->opts.roll_up = 1;
        } else if (!strcmp(s, "-q") || !strcmp(s, "--quiet")) {
            a->quiet = 1;
        } else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            catalog_usage(stdout);
            return -1; /* done: exit 0 */
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "sigcc catalog: unknown option or missing argument '%s'\n", s);
            catalog_usage(stderr);
            return 2;
        } else {
            a->paths[a->n_paths++] = s;
        }
    }
    if (a->n_paths == 0) {
        fprintf(stderr, "sigcc catalog: no rule file or directory given\n");
        catalog_usage(stderr);
        return 2;
    }
    return 0;
}

static int write_text(const char *text, const char *output)
{
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "sigcc catalog: cannot write %s\n", output);
        return 2;
    }
    int rc = fputs(text, out) < 0 ? 2 : 0;
    if (out != stdout && fclose(out) != 0)
        rc = 2;
    if (rc)
        fprintf(stderr, "sigcc catalog: cannot write %s\n", output ? output : "stdout");
    return rc;
}

static int build_and_write(sigcc_ctx *ctx, const catalog_args *a)
{
    sigcc_catalog *cat = sigcc_catalog_new(&a->opts);
    char *text = NULL;
    sigcc_status s = cat ? sigcc_catalog_add_ctx(cat, ctx) : SIGCC_ENOMEM;
    if (s == SIGCC_OK)
        s = sigcc_catalog_write(cat, a->format, a->techniques, (size_t)a->n_techniques, &text);
    sigcc_catalog_free(cat);
    if (s != SIGCC_OK) {
        fprintf(stderr, "sigcc catalog: %s\n", sigcc_status_string(s));
        return 2;
    }
    int rc = write_text(text, a->output);
    sigcc_free(text);
    return rc;
}

static int run(const catalog_args *a)
{
    sigcc_ctx *ctx = sigcc_ctx_new();
    if (!ctx)
        return 2;
    int io = 0;
    for (int i = 0; i < a->n_paths; i++)
        if (sigcc_load_path(ctx, a->paths[i]) == SIGCC_EIO)
            io = 1;
    sigcc_resolve(ctx);
    cli_print_diags(ctx, SIGCC_DIAG_TEXT, a->quiet);
    int rc = build_and_write(ctx, a);
    if (rc == 0 && (io || sigcc_diag_count_severity(ctx, SIGCC_ERROR)))
        rc = io ? 2 : 1;
    sigcc_ctx_free(ctx);
    return rc;
}

int cli_catalog(int argc, char **argv)
{
    catalog_args a = {0};
    a.techniques = calloc((size_t)argc + 1, sizeof *a.techniques);
    a.paths = calloc((size_t)argc + 1, sizeof *a.paths);
    int rc = 2;
    if (a.techniques && a.paths && (rc = parse(argc, argv, &a)) == 0)
        rc = run(&a);
    if (rc < 0)
        rc = 0;
    free(a.techniques);
    free(a.paths);
    return rc;
}
