/*
 * catalog.h - the technique catalog's pages, between catalog.c (reading
 * rules, counting, ranking) and catalog_render.c (Markdown, HTML, JSON).
 *
 * A page holds what one technique's figures are once ranked and cut to
 * the requested length; every string is borrowed from the catalog, every
 * array lives in the arena of the write that built the pages. The figures
 * are explained in docs/catalog.md.
 */
#ifndef SC_CATALOG_H
#define SC_CATALOG_H

#include "internal.h"

/* A name and the number of rules it stands for. */
typedef struct cat_count {
    const char *name;
    uint32_t rules;
} cat_count;

typedef struct cat_field_row {
    const char *field;        /* the taxonomy name */
    uint32_t rules;
    const char **spellings;   /* the names the rules wrote, sorted */
    size_t n_spellings;
    cat_count *ops;           /* "eq", "in", "not endswith", ... by rules */
    size_t n_ops;
    const char **samples;     /* values, most used first */
    size_t n_samples;
} cat_field_row;

typedef struct cat_item_row {
    const char *field, *op, *value;
    uint32_t rules;           /* rules of the page using it */
    uint32_t reach;           /* rules of the whole corpus using it the same way */
    uint32_t *refs;           /* their numbers in the page's rule list */
    size_t n_refs;
} cat_item_row;

typedef struct cat_event_row {
    const char *provider, *channel, *title;
    int event_id;
    uint32_t rules;
} cat_event_row;

typedef struct cat_rule_row {
    uint32_t number;          /* 1-based, in list order */
    const char *title, *id, *level, *kind, *product, *logsource, *schema, *path;
    uint32_t line;
} cat_rule_row;

typedef struct cat_items {
    cat_item_row *rows;
    size_t n;                 /* rows kept */
    size_t distinct;          /* rows before the cut */
} cat_items;

typedef struct cat_page {
    const char *technique;    /* "T1071.003" */
    size_t n_rules;
    cat_rule_row *rules;      /* by product, then title and path */
    cat_count *tactics, *products, *logsources;
    size_t n_tactics, n_products, n_logsources;
    cat_event_row *events;
    size_t n_events;
    cat_field_row *fields;
    size_t n_fields, fields_distinct;
    cat_items indicators, exclusions;
} cat_page;

typedef struct cat_summary {
    size_t rules, detection, correlation, tagged, techniques;
    bool roll_up;             /* sub-techniques counted under their parent */
    const char **pipelines;   /* built-in pipelines read backwards for field names */
    size_t n_pipelines;
    cat_count *top_fields;    /* over the whole corpus */
    size_t n_top_fields;
    cat_page *pages;
    size_t n_pages;
} cat_summary;

void sc_catalog_markdown(sc_buf *b, const cat_summary *s);
void sc_catalog_html(sc_buf *b, const cat_summary *s);
void sc_catalog_json(sc_buf *b, const cat_summary *s);

#endif
