/*
 * registry.c - the list of backends and the lookups over it. A new target
 * is one file in backends/ and one line here.
 */
#include "backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

extern const sc_backend sc_backend_eql;
extern const sc_backend sc_backend_kql;
extern const sc_backend sc_backend_spl;
extern const sc_backend sc_backend_yaral;

static const sc_backend *const BACKENDS[] = {
    &sc_backend_eql,
    &sc_backend_kql,
    &sc_backend_spl,
    &sc_backend_yaral,
};

const sc_backend *sc_backend_at(size_t index)
{
    return index < sizeof BACKENDS / sizeof BACKENDS[0] ? BACKENDS[index] : NULL;
}

const sc_backend *sc_backend_find(const char *name)
{
    for (size_t i = 0; sc_backend_at(i); i++)
        if (strcmp(BACKENDS[i]->name, name) == 0)
            return BACKENDS[i];
    return NULL;
}

const sc_builtin_pipeline *sc_builtin_pipeline_find(const char *name)
{
    for (size_t i = 0; sc_builtin_pipeline_at(i); i++)
        if (strcmp(sc_builtin_pipeline_at(i)->name, name) == 0)
            return sc_builtin_pipeline_at(i);
    return NULL;
}

void sc_emit_error(sc_emit *e, sc_loc loc, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sc_source src = {.name = e->rule->file};
    e->diags->file_errors = 0;
    sc_diag(e->diags, &src, SIGCC_ERROR, "target-cannot-express", loc, "%s cannot express %s",
            e->backend->language, msg);
    e->failed = true;
}
