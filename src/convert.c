/*
 * convert.c - the public face of the backends: targets, built-in
 * pipelines, and converting one rule.
 */
#include "backend.h"

#include <stdlib.h>
#include <string.h>

const char *sigcc_target_at(size_t index)
{
    const sc_backend *b = sc_backend_at(index);
    return b ? b->name : NULL;
}

const char *sigcc_target_default_pipeline(const char *target)
{
    const sc_backend *b = target ? sc_backend_find(target) : NULL;
    return b ? b->default_pipeline : NULL;
}

const char *sigcc_target_format_at(const char *target, size_t index)
{
    const sc_backend *b = target ? sc_backend_find(target) : NULL;
    for (size_t i = 0; b && b->formats[i]; i++)
        if (i == index)
            return b->formats[i];
    return NULL;
}

const char *sigcc_target_format_extension(const char *target, const char *format)
{
    const sc_backend *b = target ? sc_backend_find(target) : NULL;
    if (!b)
        return NULL;
    for (size_t i = 0; format && b->extensions && b->formats[i]; i++)
        if (!strcmp(b->formats[i], format) && b->extensions[i])
            return b->extensions[i];
    return b->name;
}

const char *sigcc_builtin_pipeline_at(size_t index)
{
    const sc_builtin_pipeline *p = sc_builtin_pipeline_at(index);
    return p ? p->name : NULL;
}

sigcc_status sigcc_pipeline_load(sigcc_ctx *ctx, const char *name_or_path)
{
    if (!ctx || !name_or_path)
        return SIGCC_EUSAGE;
    const sc_builtin_pipeline *p = sc_builtin_pipeline_find(name_or_path);
    if (p)
        return sigcc_pipeline_load_buffer(ctx, p->name, p->text, p->len);
    return sigcc_pipeline_load_path(ctx, name_or_path);
}

static bool has_format(const sc_backend *b, const char *format)
{
    for (size_t i = 0; b->formats[i]; i++)
        if (strcmp(b->formats[i], format) == 0)
            return true;
    return false;
}

sigcc_status sigcc_convert_rule(sigcc_ctx *ctx, const sigcc_rule *rule, const char *target,
                                const char *format, char **out)
{
    if (!ctx || !rule || !target || !out)
        return SIGCC_EUSAGE;
    *out = NULL;
    const sc_backend *b = sc_backend_find(target);
    if (!b || (format && !has_format(b, format)))
        return SIGCC_EUSAGE;
    if (rule->dropped || rule->kind == SIGCC_RULE_FILTER)
        return SIGCC_EINVALID;
    sc_buf text = {0};
    sc_emit e = {b, rule, &text, &ctx->diags, false, 0};
    if (rule->kind == SIGCC_RULE_CORRELATION && !b->correlation) {
        sc_source src = {.name = rule->file};
        ctx->diags.file_errors = 0;
        sc_diag(&ctx->diags, &src, SIGCC_ERROR, "not-implemented", (sc_loc){rule->line, 1, 1},
                "the %s backend does not convert correlation rules yet", b->language);
        return SIGCC_EUNSUPPORTED;
    }
    const char *f = format ? format : b->formats[0];
    bool ok = rule->kind == SIGCC_RULE_CORRELATION ? b->correlation(&e, f) : b->detection(&e, f);
    if (text.oom) {
        sc_buf_free(&text);
        return SIGCC_ENOMEM;
    }
    if (!ok || e.failed) {
        sc_buf_free(&text);
        return SIGCC_EUNSUPPORTED;
    }
    *out = sc_buf_take(&text);
    return *out ? SIGCC_OK : SIGCC_ENOMEM;
}

int sigcc_rule_emitted_alone(const sigcc_rule *rule)
{
    if (!rule || rule->kind == SIGCC_RULE_FILTER)
        return false;
    if (rule->used_by.n == 0)
        return true;
    for (size_t i = 0; i < rule->used_by.n; i++) {
        const sigcc_rule *c = rule->used_by.items[i];
        if (c->corr && c->corr->generate)
            return true;
    }
    return false;
}
