/*
 * common.h - what every backend spells the same way: the boolean tree
 * walk (precedence and parentheses), time spans, comparison operators,
 * correlation group-by fields with aliases, ATT&CK tags and severities.
 * A backend supplies its tokens and its leaf emitter; the walk is here.
 */
#ifndef SC_BACKEND_COMMON_H
#define SC_BACKEND_COMMON_H

#include "backend.h"

/* How a target spells and/or/not and constants. */
typedef struct sc_bool_syntax {
    const char *and_op;    /* " and " */
    const char *or_op;     /* " or " */
    const char *not_open;  /* "not " or "not(" */
    const char *not_close; /* "" or ")" */
    /* true: not is a function call, its operand needs no parentheses of
     * its own; false: a prefix operator binding tighter than and. */
    bool not_is_call;
    /* Parenthesize every and/or under another and/or, whatever the
     * precedence (Splunk's search command ranks OR above AND). */
    bool paren_nested;
    const char *true_lit, *false_lit;
    bool (*put_match)(sc_emit *e, const sc_match *m);
} sc_bool_syntax;

/* Writes a condition tree; `parent` is the binding strength of the
 * context: 0 at the top, SC_PREC_AND as an and-operand. */
enum { SC_PREC_OR = 1, SC_PREC_AND = 2, SC_PREC_NOT = 3, SC_PREC_LEAF = 4 };
bool sc_put_tree(sc_emit *e, const sc_bool_syntax *s, const sc_node *n, int parent);

/* A rule's condition ANDed with the filters applied to it. */
bool sc_put_rule_condition(sc_emit *e, const sc_bool_syntax *s, const sigcc_rule *r);

/* Runs `fn` with e->out redirected to `into` (which the caller frees), so
 * a backend can wrap or discard a query it built. */
bool sc_emit_into(sc_emit *e, sc_buf *into, bool (*fn)(sc_emit *e, void *arg), void *arg);

/* Appends `query` then a newline to e->out. */
void sc_emit_line(sc_emit *e, const sc_buf *query);

/* A span in the largest unit that divides it: 24h, 5m, 90s; with
 * `use_days`, whole days above two days as 7d. */
void sc_put_span(sc_buf *b, uint64_t seconds, bool use_days);

/* A value's %placeholder%, which only a pipeline can fill: reported as
 * what the target cannot express; true if there is one. */
bool sc_has_placeholder(sc_emit *e, const sc_value *v);

/* The literal text of a wildcard-free string value, appended to `t`. */
void sc_put_plain_text(const sc_value *v, sc_buf *t);

/* A number as the rule wrote it: an integer, or the shortest exact double. */
void sc_put_number(sc_buf *b, const sc_value *v);

/* "<", "<=", ">", ">=" for a match's lt/lte/gt/gte modifier. */
const char *sc_op_compare_text(sc_op op);

/* ">", ">=", "<", "<=", then `eq` / `neq` for the last two. */
const char *sc_cmp_text(sc_cmp c, const char *eq, const char *neq);

/* The field a group-by name stands for in one referenced rule: the alias
 * entry for that rule, or the name itself; NULL when an alias has no
 * entry for the rule. */
const char *sc_group_field(const sc_correlation *c, size_t g, const sigcc_rule *r);

/* The referenced detection rule `i` of a correlation, or NULL (with a
 * diagnostic) when it is a correlation itself, unresolved, or refused by
 * a pipeline. */
const sigcc_rule *sc_corr_source(sc_emit *e, const sc_correlation *c, size_t i);

/* The correlation's location, for diagnostics about it as a whole. */
sc_loc sc_rule_loc(const sigcc_rule *r);

/* "attack.t1071.003" -> "T1071.003"; false if the tag is no technique. */
bool sc_technique_id(const char *tag, char *id, size_t cap);

/* ATT&CK tactics by Sigma tag suffix. */
typedef struct sc_tactic {
    const char *tag;  /* "command-and-control" */
    const char *id;   /* "TA0011" */
    const char *name; /* "Command and Control" */
} sc_tactic;
const sc_tactic *sc_tactic_for_tag(const char *tag); /* "attack.command-and-control" */

/* A Sigma level, with "informational" (or none) as `low_name`. */
const char *sc_level_or(const char *level, const char *low_name);

/* The value of a custom attribute (a rule's own top-level key or one a
 * pipeline set with set_custom_attribute), or NULL. */
const char *sc_custom_attribute(const sigcc_rule *r, const char *key);
/* The same, only if a pipeline set it: for attributes that carry query
 * text, which a rule file (third-party content) must not inject. */
const char *sc_pipeline_attribute(const sigcc_rule *r, const char *key);

#endif
