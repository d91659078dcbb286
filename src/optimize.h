/*
 * optimize.h - rewriting detection trees into smaller ones with the same
 * meaning: set matches instead of chains of `or`, one negated set per field
 * instead of chains of `and not`, no duplicates, no constants.
 *
 * Passes run in a fixed order until none changes the tree (docs/optimizer.md).
 * Each pass either proves a rewrite exact under Sigma's semantics (case,
 * wildcards, null and absent fields, |all, |neq) or leaves the tree alone.
 */
#ifndef SC_OPTIMIZE_H
#define SC_OPTIMIZE_H

#include "internal.h"

typedef enum sc_pass_id {
    SC_PASS_FLATTEN,
    SC_PASS_CONSTANTS,
    SC_PASS_DEDUPE,
    SC_PASS_FOLD_SETS,
    SC_PASS_FOLD_EXCLUSIONS,
    SC_PASS_ABSORB,
    SC_PASS_FACTOR,
    SC_PASS_PUSH_NOT,
    SC_PASS_ORDER,
    SC_PASS_COUNT
} sc_pass_id;

typedef struct sc_opt_config {
    bool disabled[SC_PASS_COUNT];
    /* Called after each pass that changed the tree. */
    void (*trace)(void *ud, const char *pass, const sc_node *tree);
    void *ud;
} sc_opt_config;

const char *sc_pass_name(sc_pass_id id);
/* The pass named `name`, or SC_PASS_COUNT. */
sc_pass_id sc_pass_find(const char *name);

/* Returns the optimized tree, built in `a` from a copy: `root` itself and
 * anything it shares with other trees stay untouched. NULL when out of
 * memory. */
sc_node *sc_optimize_tree(sc_arena *a, const sc_node *root, const sc_opt_config *cfg);

/* Structural equality (same kinds, fields, modifiers and values). */
bool sc_node_equal(const sc_node *x, const sc_node *y);
size_t sc_node_count(const sc_node *n);

#endif
