/*
 * logsource.h - which Windows events a rule's logsource stands for:
 * channels, Event IDs, an extra field condition, and the field names that
 * differ for that source (Security 4688 writes Image as NewProcessName).
 */
#ifndef SC_LOGSOURCE_H
#define SC_LOGSOURCE_H

#include "internal.h"

#define SC_LOGSOURCE_MAX_IDS 13

typedef struct sc_logsource_entry {
    const char *category, *product, *service;
    const char *channels;  /* NUL-separated, ends with an empty string */
    int event_ids[SC_LOGSOURCE_MAX_IDS]; /* 0-terminated; none: any event of the channel */
    struct { const char *field, *value; } extra;
    const char *fieldmap;  /* NUL-separated pairs rule-name, event-name; NULL: none */
} sc_logsource_entry;

/* The entries covering a rule's logsource (a rule's unset attribute
 * matches any). Returns how many were written; 0 when the logsource is not
 * a Windows one we know. */
size_t sc_logsource_lookup(const sc_logsource *ls, const sc_logsource_entry **out, size_t max);

#endif
