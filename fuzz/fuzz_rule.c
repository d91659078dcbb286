/*
 * fuzz_rule.c - libFuzzer harness: any bytes as a rule file, through
 * loading, resolution, explain, the catalog, the optimizer and every backend
 * in every output format.
 * Build with -DSIGCC_FUZZ=ON (clang).
 */
#include <stddef.h>
#include <stdint.h>

#include "sigcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigcc_ctx *ctx = sigcc_ctx_new();
    if (!ctx)
        return 0;
    sigcc_load_buffer(ctx, "fuzz.yml", (const char *)data, size);
    sigcc_resolve(ctx);
    for (size_t i = 0; i < sigcc_rule_count(ctx); i++) {
        char *text = NULL;
        if (sigcc_rule_explain(sigcc_rule_at(ctx, i), &text) == SIGCC_OK)
            sigcc_free(text);
    }
    /* The catalog reads the rules as loaded; it loads the built-in pipelines
     * each time, so only for a quarter of the inputs. */
    if (size > 0 && (data[0] & 0x18) == 0x18) {
        sigcc_catalog_options co = {.roll_up = data[0] >> 7, .top = 3};
        sigcc_catalog *cat = sigcc_catalog_new(&co);
        char *text = NULL;
        if (cat && sigcc_catalog_add_ctx(cat, ctx) == SIGCC_OK &&
            sigcc_catalog_write(cat, (sigcc_catalog_format)(data[0] >> 5 & 3) % 3, NULL, 0,
                                &text) == SIGCC_OK)
            sigcc_free(text);
        sigcc_catalog_free(cat);
    }
    /* The built-in pipelines rewrite rules too: one of them for a part of
     * the inputs, chosen by the first byte. */
    if (size > 0 && (data[0] & 3) != 0) {
        const char *pipe = sigcc_builtin_pipeline_at((data[0] & 3) - 1);
        if (pipe && sigcc_pipeline_load(ctx, pipe) == SIGCC_OK)
            sigcc_apply_pipelines(ctx);
    }
    sigcc_optimize_options opts = {0};
    opts.level = 1;
    sigcc_optimize(ctx, &opts);
    for (size_t i = 0; i < sigcc_rule_count(ctx); i++)
        for (size_t t = 0; sigcc_target_at(t); t++) {
            const char *target = sigcc_target_at(t);
            for (size_t f = 0; sigcc_target_format_at(target, f); f++) {
                char *query = NULL;
                if (sigcc_convert_rule(ctx, sigcc_rule_at(ctx, i), target,
                                       sigcc_target_format_at(target, f), &query) == SIGCC_OK)
                    sigcc_free(query);
            }
        }
    for (size_t i = 0; i < sigcc_diag_count(ctx); i++) {
        char *text = NULL;
        if (sigcc_diag_render(sigcc_diag_at(ctx, i), SIGCC_DIAG_JSON, &text) == SIGCC_OK)
            sigcc_free(text);
    }
    sigcc_ctx_free(ctx);
    return 0;
}
