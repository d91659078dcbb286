/*
 * logsource.c - matching a rule's logsource against the table of Windows
 * sources.
 */
#include "logsource.h"

#include <string.h>

#include "logsource_table.h"

static bool same(const char *rule_value, const char *entry_value)
{
    return !rule_value || (entry_value && strcmp(rule_value, entry_value) == 0);
}

size_t sc_logsource_lookup(const sc_logsource *ls, const sc_logsource_entry **out, size_t max)
{
    size_t n = 0;
    if (!ls->category && !ls->service)
        return 0; /* a product alone says nothing about the events */
    for (size_t i = 0; i < sizeof SC_LOGSOURCE_TABLE / sizeof SC_LOGSOURCE_TABLE[0]; i++) {
        const sc_logsource_entry *e = &SC_LOGSOURCE_TABLE[i];
        bool category_ok = ls->category ? (e->category && strcmp(ls->category, e->category) == 0)
                                        : e->category == NULL;
        if (category_ok && same(ls->product, e->product) && same(ls->service, e->service) &&
            n < max)
            out[n++] = e;
    }
    return n;
}
