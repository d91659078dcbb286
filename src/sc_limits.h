/*
 * sc_limits.h - every hard limit of the loader in one place.
 *
 * Each limit guards against a hostile or broken file and has its own
 * diagnostic code, so a user learns which limit was hit and by how much.
 * Real rules stay far below all of them (the SigmaHQ corpus: depth <= 6,
 * lists <= 4,432 values, files <= 60 KiB).
 */
#ifndef SC_LIMITS_H
#define SC_LIMITS_H

#define SC_MAX_FILE_BYTES        (16u * 1024u * 1024u) /* one rule file */
#define SC_MAX_SCALAR_BYTES      (1u * 1024u * 1024u)  /* one YAML string */
#define SC_MAX_YAML_DEPTH        64u                   /* nested maps/lists */
#define SC_MAX_YAML_EXPANSION    200000u               /* nodes after aliases */
#define SC_MAX_LIST_ITEMS        100000u               /* values in one list */
#define SC_MAX_CONDITION_BYTES   65536u                /* one condition string */
#define SC_MAX_CONDITION_DEPTH   64u                   /* nested parentheses / not */
#define SC_MAX_EXPANDED_VALUES   20000u                /* values of one field after windash etc. */
#define SC_MAX_RULE_VALUES       100000u               /* values of one rule, all fields */
#define SC_MAX_DOCUMENTS         10000u                /* documents in one file */
#define SC_MAX_DIAGS_PER_FILE    100u                  /* then one "too many errors" */
#define SC_MAX_CORRELATION_CHAIN 256u                  /* correlations built on correlations */
#define SC_MAX_DIR_DEPTH         64u                   /* directory recursion */
#define SC_MAX_PIPELINE_GROWTH  100000u               /* match leaves and values pipelines add to one rule */

#endif
