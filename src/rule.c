/*
 * rule.c - one YAML document to one rule: metadata, lint, detection,
 * condition, correlation and filter.
 *
 * A document is a correlation if it has a 'correlation' key, a filter if
 * it has a 'filter' key, otherwise a detection rule (spec, section 5).
 * Every problem is a diagnostic; the rule is kept only if it has none of
 * severity error.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct rctx {
    sigcc_rule *rule;
    sc_arena *a;
    sc_diag_list *diags;
    const sc_source *src;
    const sc_ynode *doc;
    size_t errors_before;
} rctx;

static void error(const rctx *r, const char *code, sc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warning(const rctx *r, const char *code, sc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void error(const rctx *r, const char *code, sc_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(r->diags, r->src, SIGCC_ERROR, code, loc, fmt, ap);
    va_end(ap);
}

static void warning(const rctx *r, const char *code, sc_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_vdiag(r->diags, r->src, SIGCC_WARNING, code, loc, fmt, ap);
    va_end(ap);
}

static const char *ykind_name(const sc_ynode *n)
{
    return n->kind == SC_Y_MAP ? "a map" : n->kind == SC_Y_SEQ ? "a list" : "a value";
}

/* ----------------------------------------------------------- metadata */
static const char *get_string(const rctx *r, const sc_ynode *map, const char *key,
                              bool required, const char *what)
{
    const sc_ynode *v = sc_ymap_get(map, key);
    if (!v) {
        if (required)
            error(r, "missing-field", map->loc, "%s has no '%s' (required by the Sigma spec)",
                  what, key);
        return NULL;
    }
    if (v->kind != SC_Y_SCALAR || sc_yaml_scalar_type(v, NULL, NULL, NULL) == SC_YT_NULL) {
        error(r, "field-type", v->loc, "'%s' must be a string, not %s", key,
              v->kind == SC_Y_SCALAR ? "null" : ykind_name(v));
        return NULL;
    }
    if (memchr(v->text, '\0', v->len)) {
        error(r, "field-type", v->loc, "'%s' contains a NUL byte", key);
        return NULL;
    }
    return sc_arena_strndup(r->a, v->text, v->len);
}

static bool get_strlist(const rctx *r, const sc_ynode *map, const char *key, sc_strlist *out,
                        bool allow_scalar)
{
    const sc_ynode *v = sc_ymap_get(map, key);
    if (!v)
        return true;
    if (v->kind == SC_Y_SCALAR && allow_scalar) {
        out->items = sc_arena_alloc(r->a, sizeof *out->items);
        if (!out->items)
            return false;
        out->items[0] = sc_arena_strndup(r->a, v->text, v->len);
        out->n = 1;
        return true;
    }
    if (v->kind != SC_Y_SEQ) {
        error(r, "field-type", v->loc, "'%s' must be a list of strings, not %s", key,
              ykind_name(v));
        return false;
    }
    out->items = sc_arena_alloc(r->a, (v->n_items ? v->n_items : 1) * sizeof *out->items);
    if (!out->items)
        return false;
    for (size_t i = 0; i < v->n_items; i++) {
        const sc_ynode *it = v->items[i];
        if (it->kind != SC_Y_SCALAR || sc_yaml_scalar_type(it, NULL, NULL, NULL) == SC_YT_NULL) {
            error(r, "field-type", it->loc, "each entry of '%s' must be a string", key);
            return false;
        }
        out->items[out->n++] = sc_arena_strndup(r->a, it->text, it->len);
    }
    return true;
}

static bool is_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    int day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static bool is_tag(const char *s)
{
    /* ^[a-z0-9_-]+\.[a-z0-9._-]+$ */
    const char *dot = strchr(s, '.');
    if (!dot || dot == s || !dot[1])
        return false;
    for (const char *p = s; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                  *p == '-' || (p > dot && *p == '.') || p == dot;
        if (!ok)
            return false;
    }
    return true;
}

static bool one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static const sc_ynode *loc_of(const sc_ynode *map, const char *key)
{
    const sc_ynode *v = sc_ymap_get(map, key);
    return v ? v : map;
}

static void lint_enum(const rctx *r, const char *key, const char *value,
                      const char *const *allowed, const char *list)
{
    if (value && !one_of(value, allowed))
        error(r, "invalid-value", loc_of(r->doc, key)->loc, "'%s: %s' is not one of %s", key,
              value, list);
}

static bool read_related(const rctx *r)
{
    static const char *const types[] = {"derived", "obsolete", "merged", "renamed", "similar",
                                        NULL};
    const sc_ynode *v = sc_ymap_get(r->doc, "related");
    if (!v)
        return true;
    if (v->kind != SC_Y_SEQ) {
        error(r, "field-type", v->loc, "'related' must be a list of {id, type} maps");
        return false;
    }
    sigcc_rule *rule = r->rule;
    rule->related = sc_arena_alloc(r->a, (v->n_items ? v->n_items : 1) * sizeof *rule->related);
    if (!rule->related)
        return false;
    for (size_t i = 0; i < v->n_items; i++) {
        const sc_ynode *it = v->items[i];
        if (it->kind != SC_Y_MAP) {
            error(r, "field-type", it->loc, "each 'related' entry must be a map with id and type");
            return false;
        }
        const char *id = get_string(r, it, "id", true, "this 'related' entry");
        const char *type = get_string(r, it, "type", true, "this 'related' entry");
        if (!id || !type)
            return false;
        if (!sc_is_uuid(id))
            error(r, "invalid-id", sc_ymap_get(it, "id")->loc,
                  "related id '%s' is not a UUID", id);
        if (strcmp(type, "obsoletes") == 0)
            error(r, "invalid-value", sc_ymap_get(it, "type")->loc,
                  "related type 'obsoletes' was renamed 'obsolete' in Sigma v2");
        else if (!one_of(type, types))
            error(r, "invalid-value", sc_ymap_get(it, "type")->loc,
                  "related type '%s' is not one of derived, obsolete, merged, renamed, similar",
                  type);
        rule->related[rule->n_related++] = (sc_related){id, type};
    }
    return true;
}

static bool read_logsource(const rctx *r, bool required)
{
    const sc_ynode *v = sc_ymap_get(r->doc, "logsource");
    if (!v) {
        if (required)
            error(r, "missing-field", r->doc->loc,
                  "rule has no 'logsource' (required by the Sigma spec)");
        return !required;
    }
    if (v->kind != SC_Y_MAP) {
        error(r, "field-type", v->loc, "'logsource' must be a map (category, product, service)");
        return false;
    }
    sc_logsource *ls = &r->rule->logsource;
    r->rule->has_logsource = true;
    ls->extra = sc_arena_alloc(r->a, (v->n_pairs ? v->n_pairs : 1) * sizeof *ls->extra);
    if (!ls->extra)
        return false;
    for (size_t i = 0; i < v->n_pairs; i++) {
        const char *key = v->pairs[i].key->text;
        const sc_ynode *val = v->pairs[i].value;
        if (val->kind != SC_Y_SCALAR) {
            error(r, "field-type", val->loc, "logsource '%s' must be a string", key);
            return false;
        }
        const char *s = sc_arena_strndup(r->a, val->text, val->len);
        if (!strcmp(key, "category"))
            ls->category = s;
        else if (!strcmp(key, "product"))
            ls->product = s;
        else if (!strcmp(key, "service"))
            ls->service = s;
        else if (!strcmp(key, "definition"))
            ls->definition = s;
        else
            ls->extra[ls->n_extra++] = (sc_kv){sc_arena_strdup(r->a, key), s};
    }
    if (!ls->category && !ls->product && !ls->service)
        warning(r, "logsource-empty", v->loc,
                "logsource names no category, product or service: the rule applies to every "
                "log");
    return true;
}

static sc_ynode *ycopy(sc_arena *a, const sc_ynode *n)
{
    sc_ynode *c = sc_arena_alloc(a, sizeof *c);
    if (!c)
        return NULL;
    *c = *n;
    if (n->kind == SC_Y_SCALAR) {
        c->text = sc_arena_strndup(a, n->text, n->len);
        return c->text ? c : NULL;
    }
    if (n->kind == SC_Y_SEQ) {
        c->items = sc_arena_alloc(a, (n->n_items ? n->n_items : 1) * sizeof *c->items);
        if (!c->items)
            return NULL;
        for (size_t i = 0; i < n->n_items; i++)
            if (!(c->items[i] = ycopy(a, n->items[i])))
                return NULL;
        return c;
    }
    c->pairs = sc_arena_alloc(a, (n->n_pairs ? n->n_pairs : 1) * sizeof *c->pairs);
    if (!c->pairs)
        return NULL;
    for (size_t i = 0; i < n->n_pairs; i++) {
        c->pairs[i].key = ycopy(a, n->pairs[i].key);
        c->pairs[i].value = ycopy(a, n->pairs[i].value);
        if (!c->pairs[i].key || !c->pairs[i].value)
            return NULL;
    }
    return c;
}

static const char *const known_keys[] = {
    "title", "id", "name", "related", "taxonomy", "status", "description", "license",
    "author", "references", "date", "modified", "logsource", "detection", "fields",
    "falsepositives", "level", "tags", "scope", "correlation", "filter", "generate", "hunting",
    NULL};

static bool read_custom(const rctx *r)
{
    sigcc_rule *rule = r->rule;
    rule->custom = sc_arena_alloc(r->a, (r->doc->n_pairs ? r->doc->n_pairs : 1) *
                                            sizeof *rule->custom);
    if (!rule->custom)
        return false;
    for (size_t i = 0; i < r->doc->n_pairs; i++) {
        const char *key = r->doc->pairs[i].key->text;
        if (one_of(key, known_keys))
            continue;
        sc_ynode *copy = ycopy(r->a, r->doc->pairs[i].value);
        if (!copy)
            return false;
        rule->custom[rule->n_custom++] = (sc_custom){sc_arena_strdup(r->a, key), copy, false};
    }
    return true;
}

static void read_meta(const rctx *r)
{
    static const char *const statuses[] = {"stable", "test", "experimental", "deprecated",
                                           "unsupported", NULL};
    static const char *const levels[] = {"informational", "low", "medium", "high", "critical",
                                         NULL};
    sigcc_rule *rule = r->rule;
    const sc_ynode *doc = r->doc;
    rule->title = get_string(r, doc, "title", true, "rule");
    rule->id = get_string(r, doc, "id", false, "rule");
    rule->name = get_string(r, doc, "name", false, "rule");
    rule->status = get_string(r, doc, "status", false, "rule");
    rule->description = get_string(r, doc, "description", false, "rule");
    rule->author = get_string(r, doc, "author", false, "rule");
    rule->license = get_string(r, doc, "license", false, "rule");
    rule->date = get_string(r, doc, "date", false, "rule");
    rule->modified = get_string(r, doc, "modified", false, "rule");
    rule->level = get_string(r, doc, "level", false, "rule");
    rule->taxonomy = get_string(r, doc, "taxonomy", false, "rule");
    get_strlist(r, doc, "references", &rule->references, false);
    get_strlist(r, doc, "tags", &rule->tags, false);
    get_strlist(r, doc, "falsepositives", &rule->falsepositives, true);
    get_strlist(r, doc, "fields", &rule->fields, false);
    get_strlist(r, doc, "scope", &rule->scope, false);
    read_related(r);
    read_custom(r);

    if (rule->title && sc_utf8_chars(rule->title, strlen(rule->title)) > 256)
        warning(r, "title-length", loc_of(doc, "title")->loc,
                "title is longer than 256 characters (Sigma spec)");
    if (rule->id && !sc_is_uuid(rule->id))
        error(r, "invalid-id", loc_of(doc, "id")->loc,
              "id '%s' is not a UUID (e.g. 5d7ba1c2-93b2-4f6e-9d8f-3c1f2b0a7e44)", rule->id);
    if (rule->date && !is_date(rule->date))
        error(r, "invalid-date", loc_of(doc, "date")->loc,
              "date '%s' is not YYYY-MM-DD (Sigma v2 dropped YYYY/MM/DD)", rule->date);
    if (rule->modified && !is_date(rule->modified))
        error(r, "invalid-date", loc_of(doc, "modified")->loc,
              "modified '%s' is not YYYY-MM-DD (Sigma v2 dropped YYYY/MM/DD)", rule->modified);
    lint_enum(r, "status", rule->status, statuses,
              "stable, test, experimental, deprecated, unsupported");
    lint_enum(r, "level", rule->level, levels, "informational, low, medium, high, critical");
    const sc_ynode *tags = sc_ymap_get(doc, "tags");
    for (size_t i = 0; i < rule->tags.n; i++)
        if (!is_tag(rule->tags.items[i]))
            error(r, "invalid-tag", tags->items[i]->loc,
                  "tag '%s' is not namespace.name in lowercase (e.g. attack.t1071.003, "
                  "attack.command-and-control)", rule->tags.items[i]);
}

/* ---------------------------------------------------------- detection */
static bool read_selections(const rctx *r, const sc_ynode *map, const char *skip1,
                            const char *skip2)
{
    sigcc_rule *rule = r->rule;
    rule->selections = sc_arena_alloc(r->a, (map->n_pairs ? map->n_pairs : 1) *
                                                sizeof *rule->selections);
    if (!rule->selections)
        return false;
    bool ok = true;
    for (size_t i = 0; i < map->n_pairs; i++) {
        const sc_ynode *key = map->pairs[i].key;
        if (!strcmp(key->text, skip1) || (skip2 && !strcmp(key->text, skip2)))
            continue;
        if (!strcmp(key->text, "timeframe")) {
            error(r, "v1-timeframe", key->loc,
                  "'detection.timeframe' is Sigma v1: write a correlation rule with a "
                  "'timespan' instead");
            ok = false;
            continue;
        }
        bool duplicate = false;
        for (size_t k = 0; k < rule->n_selections; k++)
            duplicate |= !strcmp(rule->selections[k].name, key->text);
        if (duplicate)
            continue; /* reported by the YAML loader */
        sc_node *node = sc_detection_build(r->a, r->diags, r->src, key->text,
                                           map->pairs[i].value);
        /* A broken selection stays known by name (node NULL), so the
         * condition does not add a second, false "unknown identifier". */
        if (!node)
            ok = false;
        sc_selection *s = &rule->selections[rule->n_selections++];
        s->name = sc_arena_strndup(r->a, key->text, key->len);
        s->loc = key->loc;
        s->node = node;
    }
    return ok;
}

static const char *suggest_ident(const sigcc_rule *rule, const char *name)
{
    /* The closest identifier within two edits: a typo, not a guess. */
    const char *best = NULL;
    size_t best_d = strlen(name) <= 3 ? 2 : 3; /* 1 edit in short names, 2 otherwise */
    for (size_t i = 0; i < rule->n_selections; i++) {
        size_t d = sc_edit_distance(name, strlen(name), rule->selections[i].name);
        if (d < best_d) {
            best_d = d;
            best = rule->selections[i].name;
        }
    }
    return best;
}

static sc_node *resolve(const rctx *r, const sc_cond_site *site, const char *text,
                        const sc_cond *c);

static sc_node *sel_node(const rctx *r, sc_selection *s, sc_loc loc)
{
    s->used = true;
    if (!s->node) /* already reported; the rule is dropped */
        return sc_node_new(r->a, SC_NODE_TRUE, loc);
    sc_node *n = sc_node_new(r->a, SC_NODE_SEL, loc);
    if (!n)
        return NULL;
    n->u.sel.name = s->name;
    n->u.sel.child = sc_node_copy(r->a, s->node);
    return n->u.sel.child ? n : NULL;
}

static bool pattern_matches(const char *pattern, const char *name)
{
    /* '*' is the only wildcard; identifiers may hold '|' '.' '[' that
     * fnmatch would treat specially, so match by hand. */
    const char *p = pattern, *s = name, *star = NULL, *back = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            back = s;
        } else if (*p == *s) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++back;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static sc_node *resolve_quantified(const rctx *r, const sc_cond_site *site, const char *text,
                                   const sc_cond *c)
{
    sigcc_rule *rule = r->rule;
    sc_loc loc = sc_cond_site_loc(site, text, c->offset, c->len);
    sc_node **items = sc_arena_alloc(r->a, (rule->n_selections ? rule->n_selections : 1) *
                                               sizeof *items);
    if (!items)
        return NULL;
    size_t n = 0;
    const char *pat = c->name;
    for (size_t i = 0; i < rule->n_selections; i++) {
        sc_selection *s = &rule->selections[i];
        bool hidden = s->name[0] == '_' && (!pat || pat[0] != '_');
        if (hidden || (pat && !pattern_matches(pat, s->name)))
            continue;
        if (!(items[n++] = sel_node(r, s, loc)))
            return NULL;
    }
    if (n == 0) {
        error(r, "unknown-identifier", loc, "'%s of %s' matches no search identifier",
              c->kind == SC_COND_ALL_OF ? "all" : "1", pat ? pat : "them");
        return NULL;
    }
    if (n == 1)
        return items[0];
    return sc_node_list(r->a, c->kind == SC_COND_ALL_OF ? SC_NODE_AND : SC_NODE_OR, loc, items,
                        n);
}

/* Flattens a chain of one operator without recursion (a chain can be long). */
static sc_node *resolve_chain(const rctx *r, const sc_cond_site *site, const char *text,
                              const sc_cond *c)
{
    sc_vec operands = {0}, stack = {0};
    if (!sc_vec_push(r->a, &stack, (void *)c))
        return NULL;
    while (stack.n) {
        const sc_cond *top = stack.items[--stack.n];
        if (top->kind == c->kind) {
            if (!sc_vec_push(r->a, &stack, top->right) || !sc_vec_push(r->a, &stack, top->left))
                return NULL;
            continue;
        }
        sc_node *n = resolve(r, site, text, top);
        if (!n || !sc_vec_push(r->a, &operands, n))
            return NULL;
    }
    return sc_node_list(r->a, c->kind == SC_COND_AND ? SC_NODE_AND : SC_NODE_OR,
                        sc_cond_site_loc(site, text, c->offset, c->len),
                        (sc_node **)operands.items, operands.n);
}

static sc_node *resolve(const rctx *r, const sc_cond_site *site, const char *text,
                        const sc_cond *c)
{
    sc_loc loc = sc_cond_site_loc(site, text, c->offset, c->len);
    switch (c->kind) {
    case SC_COND_AND:
    case SC_COND_OR:
        return resolve_chain(r, site, text, c);
    case SC_COND_NOT: {
        sc_node *child = resolve(r, site, text, c->left);
        sc_node *n = child ? sc_node_new(r->a, SC_NODE_NOT, loc) : NULL;
        if (n)
            n->u.child = child;
        return n;
    }
    case SC_COND_IDENT:
        for (size_t i = 0; i < r->rule->n_selections; i++)
            if (!strcmp(r->rule->selections[i].name, c->name))
                return sel_node(r, &r->rule->selections[i], loc);
        {
            const char *hint = suggest_ident(r->rule, c->name);
            error(r, "unknown-identifier", loc, "unknown search identifier '%s'%s%s%s", c->name,
                  hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
        }
        return NULL;
    case SC_COND_ONE_OF:
    case SC_COND_ALL_OF:
        return resolve_quantified(r, site, text, c);
    }
    return NULL;
}

static sc_node *parse_one_condition(const rctx *r, const sc_ynode *cond)
{
    if (cond->kind != SC_Y_SCALAR || sc_yaml_scalar_type(cond, NULL, NULL, NULL) == SC_YT_NULL) {
        error(r, "condition-type", cond->loc, "a condition must be a string (or a list of them)");
        return NULL;
    }
    size_t blank = 0;
    while (blank < cond->len && strchr(" \t\r\n", cond->text[blank]) && cond->text[blank])
        blank++;
    if (blank == cond->len) {
        error(r, "condition-syntax", cond->loc,
              "the condition is empty: name the search identifiers to combine, e.g. "
              "'selection and not filter'");
        return NULL;
    }
    sc_cond_site site = {.src = r->src, .base = cond->loc};
    site.exact = (cond->style == SC_YS_PLAIN || cond->style == SC_YS_SINGLE ||
                  cond->style == SC_YS_DOUBLE) && cond->single_line &&
                 !memchr(cond->text, '\n', cond->len);
    if (cond->style == SC_YS_SINGLE || cond->style == SC_YS_DOUBLE)
        site.base.col += 1;
    if (cond->style == SC_YS_DOUBLE && memchr(cond->text, '\\', cond->len))
        site.exact = false;
    sc_cond *c = sc_condition_parse(r->a, r->diags, &site, cond->text, cond->len);
    if (!c)
        return NULL;
    return resolve(r, &site, cond->text, c);
}

static bool read_condition(const rctx *r, const sc_ynode *holder, const char *what)
{
    sigcc_rule *rule = r->rule;
    const sc_ynode *cond = sc_ymap_get(holder, "condition");
    if (!cond) {
        error(r, "missing-field", holder->loc, "'%s' has no 'condition'", what);
        return false;
    }
    const sc_ynode *const *conds = (const sc_ynode *const *)&cond;
    size_t n = 1;
    if (cond->kind == SC_Y_SEQ) {
        conds = (const sc_ynode *const *)cond->items;
        n = cond->n_items;
        if (n == 0) {
            error(r, "condition-type", cond->loc, "the condition list is empty");
            return false;
        }
    }
    sc_node **items = sc_arena_alloc(r->a, n * sizeof *items);
    rule->condition_texts = sc_arena_alloc(r->a, n * sizeof *rule->condition_texts);
    if (!items || !rule->condition_texts)
        return false;
    for (size_t i = 0; i < n; i++) {
        items[i] = parse_one_condition(r, conds[i]);
        if (!items[i])
            return false;
        rule->condition_texts[i] = sc_arena_strndup(r->a, conds[i]->text, conds[i]->len);
    }
    rule->n_conditions = n;
    rule->condition = n == 1 ? items[0] : sc_node_list(r->a, SC_NODE_OR, cond->loc, items, n);
    if (!rule->condition)
        return false;
    for (size_t i = 0; i < rule->n_selections; i++)
        if (!rule->selections[i].used)
            warning(r, "unused-identifier", rule->selections[i].loc,
                    "search identifier '%s' is not used by the condition",
                    rule->selections[i].name);
    return true;
}

static bool read_detection(const rctx *r)
{
    const sc_ynode *det = sc_ymap_get(r->doc, "detection");
    if (!det) {
        error(r, "missing-field", r->doc->loc,
              "rule has no 'detection' (required by the Sigma spec)");
        return false;
    }
    if (det->kind != SC_Y_MAP) {
        error(r, "field-type", det->loc, "'detection' must be a map of search identifiers and a "
              "condition");
        return false;
    }
    bool ok = read_selections(r, det, "condition", NULL);
    return read_condition(r, det, "detection") && ok;
}

/* -------------------------------------------------------- correlation */
const char *sc_corr_type_name(sc_corr_type t)
{
    static const char *const names[] = {"event_count", "value_count", "temporal",
                                        "temporal_ordered", "value_sum", "value_avg",
                                        "value_percentile"};
    return t <= SC_CORR_VALUE_PERCENTILE ? names[t] : "?";
}

const char *sc_cmp_name(sc_cmp c)
{
    static const char *const names[] = {"gt", "gte", "lt", "lte", "eq", "neq"};
    return c <= SC_CMP_NEQ ? names[c] : "?";
}

/* A scalar or a list of scalars, as a list: 'rules: a' and 'rules: [a, b]'
 * are both accepted (the reference implementation does so). */
static bool scalar_items(const rctx *r, const sc_ynode *const *v, const char *key,
                         const char *what, const sc_ynode *const **items, size_t *n)
{
    const sc_ynode *node = *v;
    *items = v;
    *n = 1;
    if (node->kind == SC_Y_SEQ) {
        *items = (const sc_ynode *const *)node->items;
        *n = node->n_items;
    } else if (node->kind != SC_Y_SCALAR) {
        error(r, "field-type", node->loc, "'%s' must be a %s or a list of them", key, what);
        return false;
    }
    for (size_t i = 0; i < *n; i++)
        if ((*items)[i]->kind != SC_Y_SCALAR) {
            error(r, "field-type", (*items)[i]->loc, "each entry of '%s' must be a %s", key,
                  what);
            return false;
        }
    return true;
}

static bool read_refs(const rctx *r, const sc_ynode *v, sc_rule_ref **out, size_t *n_out,
                      const char *key)
{
    const sc_ynode *const *items;
    size_t n;
    if (!scalar_items(r, &v, key, "rule id or name", &items, &n))
        return false;
    if (n == 0) {
        error(r, "field-type", v->loc, "'%s' is empty: name at least one rule", key);
        return false;
    }
    *out = sc_arena_alloc(r->a, n * sizeof **out);
    if (!*out)
        return false;
    for (size_t i = 0; i < n; i++) {
        (*out)[i].ref = sc_arena_strndup(r->a, items[i]->text, items[i]->len);
        (*out)[i].loc = items[i]->loc;
    }
    *n_out = n;
    return true;
}

static bool read_names(const rctx *r, const sc_ynode *v, const char ***out, size_t *n_out,
                       const char *key)
{
    const sc_ynode *const *items;
    size_t n;
    if (!scalar_items(r, &v, key, "field name", &items, &n))
        return false;
    *out = sc_arena_alloc(r->a, (n ? n : 1) * sizeof **out);
    if (!*out)
        return false;
    for (size_t i = 0; i < n; i++)
        (*out)[i] = sc_arena_strndup(r->a, items[i]->text, items[i]->len);
    *n_out = n;
    return true;
}

static bool parse_timespan(const char *s, uint64_t *seconds)
{
    /* <integer><unit>, units s m h d (spec) and w M y (reference tool) */
    uint64_t v = 0;
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (uint64_t)(*p++ - '0');
        if (v > UINT64_C(1) << 40)
            return false;
    }
    uint64_t unit;
    switch (*p) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    case 'M': unit = 2629746; break;
    case 'y': unit = 31556952; break;
    default: return false;
    }
    if (p[1] || v == 0 || v > UINT64_MAX / unit || p - s > 10)
        return false;
    *seconds = v * unit;
    return true;
}

static bool read_corr_condition(const rctx *r, sc_correlation *c, const sc_ynode *v)
{
    static const char *const ops[] = {"gt", "gte", "lt", "lte", "eq", "neq"};
    if (v->kind != SC_Y_MAP) {
        error(r, "field-type", v->loc, "correlation 'condition' must be a map such as {gte: 10}");
        return false;
    }
    for (size_t i = 0; i < v->n_pairs; i++) {
        const sc_ynode *key = v->pairs[i].key, *val = v->pairs[i].value;
        if (!strcmp(key->text, "field")) {
            if (!read_names(r, val, &c->fields, &c->n_fields, "condition.field"))
                return false;
            continue;
        }
        double num;
        int64_t iv;
        sc_ytype t = sc_yaml_scalar_type(val, &iv, &num, NULL);
        if (!strcmp(key->text, "percentile")) {
            if (t != SC_YT_INT && t != SC_YT_FLOAT) {
                error(r, "field-type", val->loc, "'percentile' must be a number");
                return false;
            }
            c->has_percentile = true;
            c->percentile = num;
            continue;
        }
        size_t op = 0;
        while (op < 6 && strcmp(key->text, ops[op]))
            op++;
        if (op == 6) {
            error(r, "correlation-condition", key->loc,
                  "unknown correlation condition '%s': use gt, gte, lt, lte, eq or neq",
                  key->text);
            return false;
        }
        if (t != SC_YT_INT && t != SC_YT_FLOAT) {
            error(r, "field-type", val->loc, "'%s' needs a number, not '%s'", key->text,
                  val->text ? val->text : "");
            return false;
        }
        if (c->n_conds == 2) {
            error(r, "correlation-condition", key->loc,
                  "a correlation condition holds one comparison or a range of two");
            return false;
        }
        c->conds[c->n_conds++] = (sc_corr_cond){(sc_cmp)op, num};
    }
    if (c->n_conds == 0) {
        error(r, "correlation-condition", v->loc,
              "correlation condition has no comparison (gt, gte, lt, lte, eq, neq)");
        return false;
    }
    if (c->n_conds == 2) {
        bool lower = c->conds[0].cmp == SC_CMP_GT || c->conds[0].cmp == SC_CMP_GTE;
        bool upper = c->conds[1].cmp == SC_CMP_LT || c->conds[1].cmp == SC_CMP_LTE;
        bool lower2 = c->conds[1].cmp == SC_CMP_GT || c->conds[1].cmp == SC_CMP_GTE;
        bool upper2 = c->conds[0].cmp == SC_CMP_LT || c->conds[0].cmp == SC_CMP_LTE;
        if (!((lower && upper) || (lower2 && upper2))) {
            error(r, "correlation-condition", v->loc,
                  "two comparisons must form a range: one of gt/gte and one of lt/lte");
            return false;
        }
    }
    return true;
}

static bool read_aliases(const rctx *r, sc_correlation *c, const sc_ynode *v)
{
    if (v->kind != SC_Y_MAP) {
        error(r, "field-type", v->loc, "'aliases' must map alias names to {rule: field} maps");
        return false;
    }
    c->aliases = sc_arena_alloc(r->a, (v->n_pairs ? v->n_pairs : 1) * sizeof *c->aliases);
    if (!c->aliases)
        return false;
    for (size_t i = 0; i < v->n_pairs; i++) {
        const sc_ynode *map = v->pairs[i].value;
        if (map->kind != SC_Y_MAP) {
            error(r, "field-type", map->loc, "alias '%s' must map rule names to field names",
                  v->pairs[i].key->text);
            return false;
        }
        sc_alias *al = &c->aliases[c->n_aliases++];
        al->name = sc_arena_strdup(r->a, v->pairs[i].key->text);
        al->entries = sc_arena_alloc(r->a, (map->n_pairs ? map->n_pairs : 1) *
                                               sizeof *al->entries);
        if (!al->entries)
            return false;
        for (size_t k = 0; k < map->n_pairs; k++) {
            if (map->pairs[k].value->kind != SC_Y_SCALAR) {
                error(r, "field-type", map->pairs[k].value->loc, "alias field must be a name");
                return false;
            }
            al->entries[al->n_entries++] = (sc_alias_entry){
                sc_arena_strdup(r->a, map->pairs[k].key->text),
                sc_arena_strdup(r->a, map->pairs[k].value->text)};
        }
    }
    return true;
}

static bool read_correlation(const rctx *r)
{
    static const char *const keys[] = {"type", "rules", "group-by", "timespan", "condition",
                                       "aliases", "generate", NULL};
    const sc_ynode *v = sc_ymap_get(r->doc, "correlation");
    if (v->kind != SC_Y_MAP) {
        error(r, "field-type", v->loc, "'correlation' must be a map");
        return false;
    }
    sc_correlation *c = sc_arena_alloc(r->a, sizeof *c);
    if (!c)
        return false;
    r->rule->corr = c;
    bool ok = true;
    for (size_t i = 0; i < v->n_pairs; i++)
        if (!one_of(v->pairs[i].key->text, keys)) {
            error(r, "correlation-key", v->pairs[i].key->loc,
                  "unknown correlation key '%s' (type, rules, group-by, timespan, condition, "
                  "aliases, generate)", v->pairs[i].key->text);
            ok = false;
        }
    const char *type = get_string(r, v, "type", true, "correlation");
    if (type) {
        size_t t = 0;
        while (t <= SC_CORR_VALUE_PERCENTILE && strcmp(type, sc_corr_type_name((sc_corr_type)t)))
            t++;
        if (t > SC_CORR_VALUE_PERCENTILE) {
            error(r, "correlation-type", sc_ymap_get(v, "type")->loc,
                  "unknown correlation type '%s' (event_count, value_count, temporal, "
                  "temporal_ordered, value_sum, value_avg, value_percentile)", type);
            return false;
        }
        c->type = (sc_corr_type)t;
    } else {
        return false;
    }
    const sc_ynode *rules = sc_ymap_get(v, "rules");
    if (!rules) {
        error(r, "missing-field", v->loc, "correlation has no 'rules'");
        ok = false;
    } else if (!read_refs(r, rules, &c->rules, &c->n_rules, "rules")) {
        ok = false;
    }
    const sc_ynode *gb = sc_ymap_get(v, "group-by");
    if (gb && !read_names(r, gb, &c->group_by, &c->n_group_by, "group-by"))
        ok = false;
    const char *ts = get_string(r, v, "timespan", true, "correlation");
    if (ts) {
        c->timespan_text = ts;
        if (!parse_timespan(ts, &c->timespan_s)) {
            error(r, "correlation-timespan", sc_ymap_get(v, "timespan")->loc,
                  "timespan '%s' is not <number><unit> with unit s, m, h, d (e.g. 24h)", ts);
            ok = false;
        }
    } else {
        ok = false;
    }
    const sc_ynode *cond = sc_ymap_get(v, "condition");
    bool temporal = c->type == SC_CORR_TEMPORAL || c->type == SC_CORR_TEMPORAL_ORDERED;
    if (cond) {
        if (!read_corr_condition(r, c, cond))
            ok = false;
    } else if (!temporal) {
        error(r, "missing-field", v->loc, "a correlation of type %s needs a 'condition'", type);
        ok = false;
    } else {
        c->conds[0] = (sc_corr_cond){SC_CMP_GTE, (double)c->n_rules};
        c->n_conds = 1;
    }
    bool valued = c->type == SC_CORR_VALUE_COUNT || c->type == SC_CORR_VALUE_SUM ||
                  c->type == SC_CORR_VALUE_AVG || c->type == SC_CORR_VALUE_PERCENTILE;
    if (ok && valued && c->n_fields == 0) {
        error(r, "correlation-condition", cond ? cond->loc : v->loc,
              "a correlation of type %s needs 'condition.field' naming the field to aggregate",
              type);
        ok = false;
    }
    if (ok && !valued && c->n_fields) {
        warning(r, "correlation-condition", cond->loc,
                "'condition.field' has no meaning for a correlation of type %s", type);
    }
    const sc_ynode *al = sc_ymap_get(v, "aliases");
    if (al && !read_aliases(r, c, al))
        ok = false;
    const sc_ynode *gen = sc_ymap_get(v, "generate");
    if (!gen)
        gen = sc_ymap_get(r->doc, "generate");
    if (gen) {
        bool b = false;
        if (sc_yaml_scalar_type(gen, NULL, NULL, &b) != SC_YT_BOOL) {
            error(r, "field-type", gen->loc, "'generate' must be true or false");
            ok = false;
        }
        c->generate = b;
    }
    if (sc_ymap_get(r->doc, "detection")) {
        error(r, "correlation-key", sc_ymap_get(r->doc, "detection")->loc,
              "a correlation rule has no 'detection'; it references rules under "
              "'correlation.rules'");
        ok = false;
    }
    return ok;
}

/* -------------------------------------------------------------- filter */
static bool read_filter(const rctx *r)
{
    const sc_ynode *v = sc_ymap_get(r->doc, "filter");
    if (v->kind != SC_Y_MAP) {
        error(r, "field-type", v->loc, "'filter' must be a map with rules, selections and a "
              "condition");
        return false;
    }
    sc_filter *f = sc_arena_alloc(r->a, sizeof *f);
    if (!f)
        return false;
    r->rule->filter = f;
    const sc_ynode *rules = sc_ymap_get(v, "rules");
    bool ok = true;
    if (!rules) {
        error(r, "missing-field", v->loc, "filter has no 'rules' (use 'rules: any' for all)");
        ok = false;
    } else if (rules->kind == SC_Y_SCALAR && !strcmp(rules->text, "any")) {
        f->any = true;
    } else if (rules->kind == SC_Y_SEQ && rules->n_items == 0) {
        f->any = true;
    } else if (!read_refs(r, rules, &f->rules, &f->n_rules, "filter.rules")) {
        ok = false;
    }
    if (!read_selections(r, v, "rules", "condition"))
        ok = false;
    if (!read_condition(r, v, "filter"))
        ok = false;
    if (sc_ymap_get(r->doc, "level") || sc_ymap_get(r->doc, "status"))
        warning(r, "filter-meta", r->doc->loc,
                "a filter has no level or status (Sigma filters spec); they are ignored");
    return ok;
}

/* ----------------------------------------------------------------- api */
static bool check_action(const rctx *r)
{
    const sc_ynode *action = sc_ymap_get(r->doc, "action");
    if (!action)
        return true;
    error(r, "v1-action", action->loc,
          "'action: %s' (Sigma v1 rule collections) is not part of Sigma v2: write every "
          "rule as a complete document; shared conditions across documents are expressed "
          "with correlation rules or filters",
          action->kind == SC_Y_SCALAR ? action->text : "...");
    return false;
}

sigcc_rule *sc_rule_build(sc_diag_list *diags, const sc_source *src, const sc_ynode *doc,
                          size_t doc_index)
{
    if (doc->kind != SC_Y_MAP) {
        sc_diag(diags, src, SIGCC_ERROR, "document-type", doc->loc,
                "a Sigma document must be a map of fields (title, logsource, detection, ...), "
                "not %s", ykind_name(doc));
        return NULL;
    }
    sigcc_rule *rule = NULL;
    sc_arena *a = sc_arena_new();
    if (!a || !(rule = sc_arena_alloc(a, sizeof *rule))) {
        sc_arena_free(a);
        return NULL;
    }
    rule->arena = a;
    rule->file = sc_arena_strdup(a, src->name);
    rule->line = doc->loc.line;
    rule->doc_index = doc_index;
    rctx r = {.rule = rule, .a = a, .diags = diags, .src = src, .doc = doc};
    diags->rule_values = 0;
    size_t errors_before = diags->errors;
    bool ok = check_action(&r);
    if (ok) {
        read_meta(&r);
        if (sc_ymap_get(doc, "correlation")) {
            rule->kind = SIGCC_RULE_CORRELATION;
            ok = read_correlation(&r);
        } else if (sc_ymap_get(doc, "filter")) {
            rule->kind = SIGCC_RULE_FILTER;
            ok = read_logsource(&r, true) && read_filter(&r);
        } else {
            rule->kind = SIGCC_RULE_DETECTION;
            bool ls = read_logsource(&r, true);
            ok = read_detection(&r) && ls;
        }
        const sc_ynode *hunting = sc_ymap_get(doc, "hunting");
        if (ok && hunting)
            ok = sc_hunting_read(a, diags, src, hunting, rule);
    }
    if (!ok || diags->errors != errors_before || diags->oom) {
        sc_arena_free(a);
        return NULL;
    }
    sc_arena_trim(a); /* thousands of rules stay loaded together */
    return rule;
}

void sc_rule_free(sigcc_rule *rule)
{
    if (rule)
        sc_arena_free(rule->arena);
}
