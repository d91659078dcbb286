/*
 * fuzz_rule.c - libFuzzer harness: any bytes as a rule file, through
 * loading, resolution and explain. Build with -DSIGCC_FUZZ=ON (clang).
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
    for (size_t i = 0; i < sigcc_diag_count(ctx); i++) {
        char *text = NULL;
        if (sigcc_diag_render(sigcc_diag_at(ctx, i), SIGCC_DIAG_JSON, &text) == SIGCC_OK)
            sigcc_free(text);
    }
    sigcc_ctx_free(ctx);
    return 0;
}
