/*
 * sigcc.c - the public entry points: context, loading, resolution,
 * accessors. Files are read whole (bounded by SC_MAX_FILE_BYTES), split
 * into YAML documents, and each document becomes a rule or a diagnostic.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pipeline.h"

sigcc_ctx *sigcc_ctx_new(void)
{
    sigcc_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    sc_diags_init(&ctx->diags);
    ctx->arena = sc_arena_new();
    if (!ctx->arena || ctx->diags.oom) {
        sigcc_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

void sigcc_ctx_free(sigcc_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->rules.n; i++)
        sc_rule_free(ctx->rules.items[i]);
    for (size_t i = 0; i < ctx->pipelines.n; i++)
        sc_pipeline_free(ctx->pipelines.items[i]);
    sc_diags_fini(&ctx->diags);
    sc_arena_free(ctx->scratch);
    sc_arena_free(ctx->arena);
    free(ctx);
}

void sigcc_free(void *p)
{
    free(p);
}

const char *sigcc_status_string(sigcc_status s)
{
    switch (s) {
    case SIGCC_OK: return "ok";
    case SIGCC_EINVALID: return "invalid input";
    case SIGCC_ENOMEM: return "out of memory";
    case SIGCC_EIO: return "cannot read input";
    case SIGCC_EUNSUPPORTED: return "not supported by the target";
    case SIGCC_EUSAGE: return "bad argument";
    }
    return "unknown status";
}

/* ------------------------------------------------------------- loading */
static bool index_lines(sc_arena *a, sc_source *src)
{
    size_t n = 1;
    for (size_t i = 0; i < src->len; i++)
        n += src->text[i] == '\n';
    size_t *starts = sc_arena_alloc(a, n * sizeof *starts);
    if (!starts)
        return false;
    size_t k = 0;
    starts[k++] = 0;
    for (size_t i = 0; i < src->len; i++)
        if (src->text[i] == '\n')
            starts[k++] = i + 1;
    src->line_starts = starts;
    src->n_lines = n;
    return true;
}

static sigcc_status load_source(sigcc_ctx *ctx, const char *name, const char *data, size_t len)
{
    sc_diag_list *d = &ctx->diags;
    d->file_errors = 0;
    if (!ctx->scratch && !(ctx->scratch = sc_arena_new()))
        return SIGCC_ENOMEM;
    sc_arena *tmp = ctx->scratch;
    sc_source src = {.name = name, .text = data, .len = len};
    if (!index_lines(tmp, &src)) {
        sc_arena_reset(tmp);
        return SIGCC_ENOMEM;
    }
    sigcc_status status = SIGCC_OK;
    size_t errors = d->errors;
    const char *nul = memchr(data, '\0', len);
    size_t blank = 0;
    while (blank < len && strchr(" \t\r\n", data[blank]) && data[blank])
        blank++;
    if (blank == len) {
        ctx->documents++;
        sc_diag(d, &src, SIGCC_ERROR, "empty-file", (sc_loc){0, 0, 0},
                "file is empty: it holds no Sigma rule");
    } else if (nul) {
        ctx->documents++;
        sc_diag(d, &src, SIGCC_ERROR, "yaml-encoding", sc_source_loc(&src, (size_t)(nul - data)),
                "file contains a NUL byte: a rule file is UTF-8 text, not binary data");
    } else {
        sc_ynode **docs;
        int n = sc_yaml_parse(tmp, d, &src, &docs);
        for (int i = 0; i < n; i++) {
            ctx->documents++;
            if (!docs[i])
                continue;
            sigcc_rule *rule = sc_rule_build(d, &src, docs[i], (size_t)i);
            if (rule && !sc_vec_push(ctx->arena, &ctx->rules, rule)) {
                sc_rule_free(rule);
                status = SIGCC_ENOMEM;
            }
        }
        if (n == 0 && d->errors == errors)
            sc_diag(d, &src, SIGCC_ERROR, "empty-file", (sc_loc){0, 0, 0},
                    "file holds no YAML document");
        if (n < 0)
            ctx->documents++; /* an unreadable file still counts as one */
    }
    sc_arena_reset(tmp);
    if (d->oom)
        return SIGCC_ENOMEM;
    if (status == SIGCC_OK && d->errors != errors)
        status = SIGCC_EINVALID;
    ctx->resolved = false;
    return status;
}

sigcc_status sigcc_load_buffer(sigcc_ctx *ctx, const char *name, const char *data, size_t len)
{
    if (!ctx || (!data && len))
        return SIGCC_EUSAGE;
    return load_source(ctx, name ? name : "<buffer>", data ? data : "", len);
}

static void file_error(sigcc_ctx *ctx, const char *path, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void file_error(sigcc_ctx *ctx, const char *path, const char *code, const char *fmt, ...)
{
    sc_source src = {.name = path};
    va_list ap;
    va_start(ap, fmt);
    ctx->diags.file_errors = 0;
    sc_vdiag(&ctx->diags, &src, SIGCC_ERROR, code, (sc_loc){0, 0, 0}, fmt, ap);
    va_end(ap);
}

/* Reads a whole file with one read when it does not change under us: the
 * corpus is thousands of small files, and stdio's extra fstat and reads
 * were a tenth of the load time. */
static sigcc_status read_whole(int fd, size_t size, char **out, size_t *len)
{
    char *data = malloc(size + 1);
    if (!data)
        return SIGCC_ENOMEM;
    size_t n = 0;
    while (n <= size) {
        ssize_t r = read(fd, data + n, size + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r < 0)
                n = size + 1;
            break;
        }
        n += (size_t)r;
    }
    if (n > size) { /* a read error, or the file grew */
        free(data);
        return SIGCC_EIO;
    }
    data[n] = '\0';
    *out = data;
    *len = n;
    return SIGCC_OK;
}

static sigcc_status load_file(sigcc_ctx *ctx, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        file_error(ctx, path, "io", "cannot open: %s", strerror(errno));
        return SIGCC_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size > (off_t)SC_MAX_FILE_BYTES) {
        bool big = st.st_size > (off_t)SC_MAX_FILE_BYTES;
        close(fd);
        if (big) {
            ctx->documents++;
            file_error(ctx, path, "limit-file-size",
                       "file of %lld bytes is larger than the limit of %u bytes",
                       (long long)st.st_size, SC_MAX_FILE_BYTES);
        } else {
            file_error(ctx, path, "io", "cannot read: %s", strerror(errno));
        }
        return big ? SIGCC_EINVALID : SIGCC_EIO;
    }
    char *data;
    size_t n;
    sigcc_status s = read_whole(fd, (size_t)st.st_size, &data, &n);
    close(fd);
    if (s == SIGCC_EIO)
        file_error(ctx, path, "io", "cannot read (file changed while reading?)");
    if (s != SIGCC_OK)
        return s;
    s = load_source(ctx, path, data, n);
    free(data);
    return s;
}

static bool has_rule_extension(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

static sigcc_status worse(sigcc_status a, sigcc_status b)
{
    if (a == SIGCC_ENOMEM || b == SIGCC_ENOMEM)
        return SIGCC_ENOMEM;
    return a != SIGCC_OK ? a : b;
}

static sigcc_status load_dir(sigcc_ctx *ctx, const char *path, unsigned depth)
{
    if (depth > SC_MAX_DIR_DEPTH) {
        file_error(ctx, path, "limit-dir-depth", "directories nested deeper than %u levels",
                   SC_MAX_DIR_DEPTH);
        return SIGCC_EINVALID;
    }
    struct dirent **entries;
    int n = scandir(path, &entries, NULL, alphasort); /* sorted: stable output */
    if (n < 0) {
        file_error(ctx, path, "io", "cannot list directory: %s", strerror(errno));
        return SIGCC_EIO;
    }
    sigcc_status status = SIGCC_OK;
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        if (name[0] == '.' || status == SIGCC_ENOMEM) {
            free(entries[i]);
            continue;
        }
        size_t len = strlen(path) + strlen(name) + 2;
        char *child = malloc(len);
        if (!child) {
            status = SIGCC_ENOMEM;
            free(entries[i]);
            continue;
        }
        snprintf(child, len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", name);
        /* The entry's type saves a stat per file; links and file systems
         * that do not report it are stat'ed (a link is followed). */
        unsigned char type = entries[i]->d_type;
        struct stat st;
        if ((type == DT_UNKNOWN || type == DT_LNK) && stat(child, &st) == 0)
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
        if (type == DT_DIR)
            status = worse(status, load_dir(ctx, child, depth + 1));
        else if (type == DT_REG && has_rule_extension(name))
            status = worse(status, load_file(ctx, child));
        free(child);
        free(entries[i]);
    }
    free(entries);
    return status;
}

/* ------------------------------------------------------------ pipelines */
sigcc_status sigcc_pipeline_load_buffer(sigcc_ctx *ctx, const char *name, const char *data,
                                        size_t len)
{
    if (!ctx || !name || (!data && len))
        return SIGCC_EUSAGE;
    sc_source src = {.name = name, .text = data ? data : "", .len = len};
    ctx->diags.file_errors = 0;
    sc_pipeline *p = sc_pipeline_load(&ctx->diags, &src);
    if (!p)
        return ctx->diags.oom ? SIGCC_ENOMEM : SIGCC_EINVALID;
    if (!sc_vec_push(ctx->arena, &ctx->pipelines, p)) {
        sc_pipeline_free(p);
        return SIGCC_ENOMEM;
    }
    return SIGCC_OK;
}

sigcc_status sigcc_pipeline_load_path(sigcc_ctx *ctx, const char *path)
{
    if (!ctx || !path)
        return SIGCC_EUSAGE;
    FILE *f = fopen(path, "rb");
    if (!f) {
        file_error(ctx, path, "io", "cannot open pipeline: %s", strerror(errno));
        return SIGCC_EIO;
    }
    char *data = malloc(SC_MAX_FILE_BYTES + 1);
    size_t n = data ? fread(data, 1, SC_MAX_FILE_BYTES + 1, f) : 0;
    bool bad = !data || ferror(f);
    fclose(f);
    if (bad || n > SC_MAX_FILE_BYTES) {
        free(data);
        if (!data)
            return SIGCC_ENOMEM;
        file_error(ctx, path, bad ? "io" : "limit-file-size",
                   bad ? "cannot read pipeline" : "pipeline larger than %u bytes",
                   SC_MAX_FILE_BYTES);
        return bad ? SIGCC_EIO : SIGCC_EINVALID;
    }
    sigcc_status s = sigcc_pipeline_load_buffer(ctx, path, data, n);
    free(data);
    return s;
}

sigcc_status sigcc_apply_pipelines(sigcc_ctx *ctx)
{
    if (!ctx)
        return SIGCC_EUSAGE;
    if (ctx->pipelines_applied || ctx->pipelines.n == 0)
        return SIGCC_OK;
    if (!ctx->resolved)
        sigcc_resolve(ctx);
    ctx->pipelines_applied = true;
    sc_pipeline **pipes = (sc_pipeline **)ctx->pipelines.items;
    sc_pipeline_sort(pipes, ctx->pipelines.n);
    sigcc_status status = SIGCC_OK;
    for (size_t i = 0; i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (r->dropped)
            continue;
        ctx->diags.file_errors = 0;
        if (!sc_pipeline_apply(pipes, ctx->pipelines.n, r, &ctx->diags)) {
            r->dropped = true; /* the diagnostics say why */
            status = SIGCC_EINVALID;
        }
    }
    return ctx->diags.oom ? SIGCC_ENOMEM : status;
}

sigcc_status sigcc_load_path(sigcc_ctx *ctx, const char *path)
{
    if (!ctx || !path)
        return SIGCC_EUSAGE;
    struct stat st;
    if (stat(path, &st) != 0) {
        file_error(ctx, path, "io", "cannot open: %s", strerror(errno));
        return SIGCC_EIO;
    }
    if (S_ISDIR(st.st_mode))
        return load_dir(ctx, path, 0);
    return load_file(ctx, path);
}

/* ---------------------------------------------------------- accessors */
size_t sigcc_document_count(const sigcc_ctx *ctx)
{
    return ctx ? ctx->documents : 0;
}

size_t sigcc_rule_count(const sigcc_ctx *ctx)
{
    return ctx ? ctx->rules.n : 0;
}

const sigcc_rule *sigcc_rule_at(const sigcc_ctx *ctx, size_t i)
{
    return ctx && i < ctx->rules.n ? ctx->rules.items[i] : NULL;
}

sigcc_rule_kind sigcc_rule_get_kind(const sigcc_rule *r)
{
    return r->kind;
}

const char *sigcc_rule_title(const sigcc_rule *r)
{
    return r->title;
}

const char *sigcc_rule_id(const sigcc_rule *r)
{
    return r->id;
}

const char *sigcc_rule_file(const sigcc_rule *r)
{
    return r->file;
}

uint32_t sigcc_rule_line(const sigcc_rule *r)
{
    return r->line;
}

sigcc_status sigcc_rule_explain(const sigcc_rule *rule, char **out)
{
    if (!rule || !out)
        return SIGCC_EUSAGE;
    sc_buf b = {0};
    sc_explain_rule(&b, rule);
    *out = sc_buf_take(&b);
    return *out ? SIGCC_OK : SIGCC_ENOMEM;
}

size_t sigcc_diag_count(const sigcc_ctx *ctx)
{
    return ctx ? ctx->diags.n : 0;
}

const sigcc_diag *sigcc_diag_at(const sigcc_ctx *ctx, size_t i)
{
    return ctx && i < ctx->diags.n ? &ctx->diags.items[i] : NULL;
}

size_t sigcc_diag_count_severity(const sigcc_ctx *ctx, sigcc_severity sev)
{
    if (!ctx)
        return 0;
    if (sev == SIGCC_ERROR)
        return ctx->diags.errors;
    size_t n = 0;
    for (size_t i = 0; i < ctx->diags.n; i++)
        n += ctx->diags.items[i].severity == sev;
    return n;
}
