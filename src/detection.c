/*
 * detection.c - one search identifier's YAML value to an AST subtree.
 *
 *   selection:                       AND
 *       Image|endswith: '\x.exe'  ->   match Image|endswith '*\x.exe'
 *       DestinationPort: [25, 587]     match DestinationPort any: 25, 587
 *
 * A list of maps is an OR of ANDs; a list of plain values is a keyword
 * search; '|all' with no field name makes the keywords ANDed.
 */
#include <string.h>

#include "internal.h"

sc_node *sc_node_new(sc_arena *a, sc_node_kind kind, sc_loc loc)
{
    sc_node *n = sc_arena_alloc(a, sizeof *n);
    if (n) {
        n->kind = kind;
        n->loc = loc;
    }
    return n;
}

sc_node *sc_node_list(sc_arena *a, sc_node_kind kind, sc_loc loc, sc_node **items, size_t n)
{
    sc_node *node = sc_node_new(a, kind, loc);
    if (!node)
        return NULL;
    node->u.list.items = sc_arena_alloc(a, (n ? n : 1) * sizeof *items);
    if (!node->u.list.items)
        return NULL;
    if (n)
        memcpy(node->u.list.items, items, n * sizeof *items);
    node->u.list.n = n;
    return node;
}

sc_node *sc_node_copy(sc_arena *a, const sc_node *n)
{
    sc_node *c = sc_node_new(a, n->kind, n->loc);
    if (!c)
        return NULL;
    *c = *n;
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        c->u.list.items = sc_arena_alloc(a, (n->u.list.n ? n->u.list.n : 1) * sizeof(sc_node *));
        if (!c->u.list.items)
            return NULL;
        for (size_t i = 0; i < n->u.list.n; i++)
            if (!(c->u.list.items[i] = sc_node_copy(a, n->u.list.items[i])))
                return NULL;
        break;
    case SC_NODE_NOT:
        if (!(c->u.child = sc_node_copy(a, n->u.child)))
            return NULL;
        break;
    case SC_NODE_SEL:
        if (!(c->u.sel.child = sc_node_copy(a, n->u.sel.child)))
            return NULL;
        break;
    default:
        break; /* leaves share their immutable values */
    }
    return c;
}

/* windash and base64offset turn one value into alternatives. */
static bool expands_values(const sc_match *m)
{
    return m->mods & (SC_MODBIT(SC_MOD_WINDASH) | SC_MODBIT(SC_MOD_BASE64OFFSET));
}

/* '|all' ANDs the values as written; the alternatives one value expands
 * into stay ORed:  x|windash|contains|all: [' -a', ' -b']  is
 * (any form of -a) and (any form of -b), one leaf per written value.
 * With |neq the whole item is negated: not (leaf and leaf). */
static sc_node *build_all_of_expanded(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                                      const sc_ynode *key, const sc_ynode *const *vals,
                                      size_t count, const sc_node *skeleton)
{
    sc_node **items = sc_arena_alloc(a, count * sizeof *items);
    if (!items)
        return NULL;
    bool ok = true;
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        sc_node *leaf = sc_node_new(a, SC_NODE_MATCH, skeleton->loc);
        if (!leaf)
            return NULL;
        leaf->u.match = skeleton->u.match;
        leaf->u.match.all = false;
        leaf->u.match.negated = false; /* neq negates the whole item, below */
        if (!sc_values_build(a, diags, src, key, &vals[i], 1, &leaf->u.match)) {
            ok = false;
        } else if ((total += leaf->u.match.n_values) > SC_MAX_EXPANDED_VALUES) {
            sc_diag(diags, src, SIGCC_ERROR, "limit-expanded-values", key->loc,
                    "this field expands to more than %u values", SC_MAX_EXPANDED_VALUES);
            return NULL;
        }
        items[i] = leaf;
    }
    if (!ok)
        return NULL;
    sc_node *all = sc_node_list(a, SC_NODE_AND, skeleton->loc, items, count);
    if (!all || !skeleton->u.match.negated)
        return all;
    sc_node *not = sc_node_new(a, SC_NODE_NOT, skeleton->loc);
    if (not)
        not->u.child = all;
    return not;
}

static sc_node *build_field(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                            const sc_ynode *key, const sc_ynode *value)
{
    sc_node *n = sc_node_new(a, SC_NODE_MATCH, key->loc);
    if (!n || !sc_modifiers_parse(a, diags, src, key, &n->u.match))
        return NULL;
    const sc_ynode *const *vals;
    size_t count;
    if (value->kind == SC_Y_SEQ) {
        vals = (const sc_ynode *const *)value->items;
        count = value->n_items;
        if (count == 0) {
            sc_diag(diags, src, SIGCC_ERROR, "detection-empty", value->loc,
                    "empty value list for '%s': it would match nothing", key->text);
            return NULL;
        }
    } else if (value->kind == SC_Y_MAP) {
        sc_diag(diags, src, SIGCC_ERROR, "detection-value", value->loc,
                "the value of '%s' is a map; a field takes a value or a list of values",
                key->text);
        return NULL;
    } else {
        vals = &value;
        count = 1;
    }
    if (n->u.match.all && count >= 2 && expands_values(&n->u.match))
        return build_all_of_expanded(a, diags, src, key, vals, count, n);
    if (!sc_values_build(a, diags, src, key, vals, count, &n->u.match))
        return NULL;
    return n;
}

static sc_node *build_map(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                          const sc_ynode *map)
{
    if (map->n_pairs == 0) {
        sc_diag(diags, src, SIGCC_ERROR, "detection-empty", map->loc,
                "empty map in a detection: it has no field to match");
        return NULL;
    }
    sc_node **items = sc_arena_alloc(a, map->n_pairs * sizeof *items);
    if (!items)
        return NULL;
    bool ok = true;
    for (size_t i = 0; i < map->n_pairs; i++) {
        for (size_t k = 0; k < i; k++)
            if (strcmp(map->pairs[k].key->text, map->pairs[i].key->text) == 0) {
                sc_diag(diags, src, SIGCC_ERROR, "duplicate-key", map->pairs[i].key->loc,
                        "'%s' appears twice in this map; YAML keeps only one of them — put "
                        "both conditions in a list of maps or use '|all'",
                        map->pairs[i].key->text);
                ok = false;
            }
        items[i] = build_field(a, diags, src, map->pairs[i].key, map->pairs[i].value);
        if (!items[i])
            ok = false;
    }
    if (!ok)
        return NULL;
    if (map->n_pairs == 1)
        return items[0];
    return sc_node_list(a, SC_NODE_AND, map->loc, items, map->n_pairs);
}

static sc_node *build_keywords(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                               const sc_ynode *at, const sc_ynode *const *vals, size_t n)
{
    sc_node *node = sc_node_new(a, SC_NODE_MATCH, at->loc);
    if (!node)
        return NULL;
    node->u.match.op = SC_OP_EQ;
    node->u.match.field_loc = at->loc;
    for (size_t i = 0; i < n; i++)
        if (sc_yaml_scalar_type(vals[i], NULL, NULL, NULL) == SC_YT_NULL) {
            sc_diag(diags, src, SIGCC_ERROR, "detection-value", vals[i]->loc,
                    "a keyword cannot be null");
            return NULL;
        }
    if (!sc_values_build(a, diags, src, at, vals, n, &node->u.match))
        return NULL;
    return node;
}

sc_node *sc_detection_build(sc_arena *a, sc_diag_list *diags, const sc_source *src,
                            const char *name, const sc_ynode *value)
{
    (void)name;
    if (value->kind == SC_Y_MAP)
        return build_map(a, diags, src, value);
    if (value->kind == SC_Y_SCALAR) {
        if (sc_yaml_scalar_type(value, NULL, NULL, NULL) == SC_YT_NULL) {
            sc_diag(diags, src, SIGCC_ERROR, "detection-empty", value->loc,
                    "search identifier '%s' is empty", name);
            return NULL;
        }
        return build_keywords(a, diags, src, value, &value, 1);
    }
    if (value->n_items == 0) {
        sc_diag(diags, src, SIGCC_ERROR, "detection-empty", value->loc,
                "search identifier '%s' is an empty list", name);
        return NULL;
    }
    bool all_scalars = true;
    for (size_t i = 0; i < value->n_items; i++)
        if (value->items[i]->kind != SC_Y_SCALAR)
            all_scalars = false;
    if (all_scalars)
        return build_keywords(a, diags, src, value, (const sc_ynode *const *)value->items,
                              value->n_items);
    sc_node **items = sc_arena_alloc(a, value->n_items * sizeof *items);
    if (!items)
        return NULL;
    bool ok = true;
    for (size_t i = 0; i < value->n_items; i++) {
        const sc_ynode *item = value->items[i];
        if (item->kind == SC_Y_MAP)
            items[i] = build_map(a, diags, src, item);
        else if (item->kind == SC_Y_SCALAR)
            items[i] = build_keywords(a, diags, src, item, &item, 1);
        else {
            sc_diag(diags, src, SIGCC_ERROR, "detection-value", item->loc,
                    "a list inside a list is not a Sigma detection; use a list of maps or a "
                    "list of values");
            items[i] = NULL;
        }
        if (!items[i])
            ok = false;
    }
    if (!ok)
        return NULL;
    return sc_node_list(a, SC_NODE_OR, value->loc, items, value->n_items);
}
