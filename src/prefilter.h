/*
 * prefilter.h - literal matching shared across rules.
 *
 * Most rules can only match if some literal occurs in some field: the
 * `\cmd.exe` of `Image|endswith`, any of the values of a `contains` list.
 * For each rule unit we derive such a necessary set (or none, for rules
 * that can match without any literal, like `not ...`), put the literals of
 * every unit into one Hyperscan literal database per field,
 * and scan each field value of an event once. Only the units whose
 * literals were seen, and the units without a necessary set, are then
 * evaluated. The prefilter never decides a match; it only skips rules
 * that cannot match.
 */
#ifndef SC_PREFILTER_H
#define SC_PREFILTER_H

#include "event.h"

typedef struct sc_prefilter sc_prefilter;

sc_prefilter *sc_prefilter_new(void);
void sc_prefilter_free(sc_prefilter *pf);
/* Registers a unit's tree. True if the unit has a necessary literal set
 * (then it runs only when marked); false if it must always run. */
bool sc_prefilter_add(sc_prefilter *pf, uint32_t unit, const sc_node *tree);
/* Builds the databases; false with a message on failure (then callers
 * run every unit). */
bool sc_prefilter_compile(sc_prefilter *pf, char *err, size_t errlen);
/* Marks `stamp[unit] = mark` for every unit whose literal occurs in `ev`. */
void sc_prefilter_scan(sc_prefilter *pf, const sc_eventbuf *ev, uint32_t *stamp, uint32_t mark);
size_t sc_prefilter_literals(const sc_prefilter *pf);
size_t sc_prefilter_fields(const sc_prefilter *pf);

#endif
