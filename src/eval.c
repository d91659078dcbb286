/*
 * eval.c - running rules over event inputs (sigcc_eval_*).
 *
 * Each rule becomes one or more units: its condition (with the filters
 * that tune it) for one Windows source of its logsource, with that
 * source's field names. Units are indexed by channel and Event ID, so an
 * event only meets the rules of its own logsource. Matches of rules that
 * correlations reference feed those correlations.
 */
#include "eval_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SOURCES 16
#define EXPIRE_EVERY 4096
#define MAX_OUTPUT_FIELDS 32

/* ------------------------------------------------------------ preparing */

static bucket *bucket_get(sigcc_eval *ev, const char *key, bool create)
{
    size_t b = sc_hash64(key, strlen(key)) % ev->n_buckets;
    for (bucket *k = ev->buckets[b]; k; k = k->next)
        if (strcmp(k->key, key) == 0)
            return k;
    if (!create)
        return NULL;
    bucket *k = sc_arena_alloc(ev->arena, sizeof *k);
    if (!k || !(k->key = sc_arena_strdup(ev->arena, key)))
        return NULL;
    k->next = ev->buckets[b];
    ev->buckets[b] = k;
    return k;
}

static void lower_into(char *dst, size_t cap, const char *s, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)sc_ascii_lower[(unsigned char)s[i]];
    dst[n] = '\0';
}

static bool index_unit(sigcc_eval *ev, eval_unit *u)
{
    u->id = (uint32_t)ev->all_units.n;
    if (!sc_vec_push(ev->arena, &ev->all_units, u))
        return false;
    if (!u->source)
        return sc_vec_push(ev->arena, &ev->any_units, u);
    for (const char *ch = u->source->channels; *ch; ch += strlen(ch) + 1) {
        char key[300], chan[256];
        lower_into(chan, sizeof chan, ch, strlen(ch));
        size_t n_ids = 0;
        while (n_ids < SC_LOGSOURCE_MAX_IDS && u->source->event_ids[n_ids])
            n_ids++;
        for (size_t i = 0; i < (n_ids ? n_ids : 1); i++) {
            if (n_ids)
                snprintf(key, sizeof key, "%s\x1f%d", chan, u->source->event_ids[i]);
            else
                snprintf(key, sizeof key, "%s\x1f*", chan);
            bucket *k = bucket_get(ev, key, true);
            if (!k || !sc_vec_push(ev->arena, &k->units, u))
                return false;
        }
    }
    return true;
}

static const char *map_field(const char *fieldmap, const char *field)
{
    for (const char *p = fieldmap; *p; p += strlen(p) + 1) {
        const char *to = p + strlen(p) + 1;
        if (strcmp(p, field) == 0)
            return to;
        p = to;
    }
    return field;
}

static void rename_fields(sc_node *n, const char *fieldmap)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            rename_fields(n->u.list.items[i], fieldmap);
        break;
    case SC_NODE_NOT: rename_fields(n->u.child, fieldmap); break;
    case SC_NODE_SEL: rename_fields(n->u.sel.child, fieldmap); break;
    case SC_NODE_MATCH:
        if (n->u.match.field)
            n->u.match.field = map_field(fieldmap, n->u.match.field);
        break;
    default: break;
    }
}

/* The fields a rule reads, in order of first use, for the match report. */
static void collect_fields(const sc_node *n, eval_rule *r, sc_arena *a)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            collect_fields(n->u.list.items[i], r, a);
        break;
    case SC_NODE_NOT: collect_fields(n->u.child, r, a); break;
    case SC_NODE_SEL: collect_fields(n->u.sel.child, r, a); break;
    case SC_NODE_MATCH: {
        const char *f = n->u.match.field;
        if (!f || r->n_fields >= MAX_OUTPUT_FIELDS)
            break;
        for (size_t i = 0; i < r->n_fields; i++)
            if (strcmp(r->fields[i], f) == 0)
                return;
        if (!r->fields)
            r->fields = sc_arena_alloc(a, MAX_OUTPUT_FIELDS * sizeof *r->fields);
        if (r->fields)
            r->fields[r->n_fields++] = f;
        break;
    }
    default: break;
    }
}

static bool has_placeholder(const sc_node *n)
{
    switch (n->kind) {
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            if (has_placeholder(n->u.list.items[i]))
                return true;
        return false;
    case SC_NODE_NOT: return has_placeholder(n->u.child);
    case SC_NODE_SEL: return has_placeholder(n->u.sel.child);
    case SC_NODE_MATCH:
        for (size_t i = 0; i < n->u.match.n_values; i++) {
            const sc_value *v = &n->u.match.values[i];
            for (size_t k = 0; v->kind == SC_VAL_STRING && k < v->n_parts; k++)
                if (v->parts[k].kind == SC_PART_PLACEHOLDER)
                    return true;
        }
        return false;
    default: return false;
    }
}

static void refuse(sigcc_eval *ev, const sigcc_rule *r, const char *code, const char *msg)
{
    sc_source src = {.name = r->file};
    ev->ctx->diags.file_errors = 0;
    sc_diag(&ev->ctx->diags, &src, SIGCC_ERROR, code, (sc_loc){r->line, 1, 1}, "%s", msg);
    ev->stats.rules_refused++;
}

/* The rule's condition ANDed with every filter that tunes it. */
static sc_node *rule_tree(sigcc_rule *r)
{
    if (r->applied_filters.n == 0)
        return r->condition;
    size_t n = r->applied_filters.n + 1;
    sc_node **items = sc_arena_alloc(r->arena, n * sizeof *items);
    if (!items)
        return NULL;
    items[0] = r->condition;
    for (size_t i = 0; i < r->applied_filters.n; i++)
        items[i + 1] = ((sigcc_rule *)r->applied_filters.items[i])->condition;
    return sc_node_list(r->arena, SC_NODE_AND, r->condition->loc, items, n);
}

static bool add_units(sigcc_eval *ev, eval_rule *er)
{
    sigcc_rule *r = er->rule;
    sc_node *tree = rule_tree(r);
    if (!tree || !sc_fold_parts(r->arena, tree))
        return false;
    collect_fields(tree, er, ev->arena);
    const sc_logsource_entry *sources[MAX_SOURCES];
    size_t n = ev->opts.logsources == 0 ? sc_logsource_lookup(&r->logsource, sources, MAX_SOURCES)
                                        : 0;
    const char *product = r->logsource.product;
    er->not_windows = ev->opts.logsources == 0 && n == 0 && product &&
                      strcmp(product, "windows") != 0;
    er->windows = product && strcmp(product, "windows") == 0;
    for (size_t i = 0; i < (n ? n : 1); i++) {
        eval_unit *u = sc_arena_alloc(ev->arena, sizeof *u);
        if (!u)
            return false;
        u->rule = er;
        u->source = n ? sources[i] : NULL;
        u->tree = tree;
        if (u->source && u->source->fieldmap) {
            u->tree = sc_node_copy(r->arena, tree);
            if (!u->tree)
                return false;
            rename_fields(u->tree, u->source->fieldmap);
        }
        if (!index_unit(ev, u))
            return false;
    }
    return true;
}

static eval_rule *find_eval_rule(eval_rule **by_index, sigcc_ctx *ctx, const sigcc_rule *r);

/* A correlation can be run when every rule it references is loaded and
 * evaluated (chains included). */
static bool corr_runnable(sigcc_eval *ev, eval_rule **by_index, const sigcc_rule *r, int depth)
{
    if (depth > 256)
        return false;
    for (size_t i = 0; i < r->corr->n_rules; i++) {
        const sigcc_rule *t = r->corr->rules[i].target;
        if (!t || t->dropped)
            return false;
        if (t->corr ? !corr_runnable(ev, by_index, t, depth + 1)
                    : !find_eval_rule(by_index, ev->ctx, t))
            return false;
    }
    return true;
}

static size_t add_stats(sigcc_eval *ev, const sigcc_rule *r)
{
    ev->rstats[ev->n_rstats].rule = r;
    return ev->n_rstats++;
}

static bool prepare_detection(sigcc_eval *ev, sigcc_rule *r, eval_rule **slot)
{
    if (!r->condition)
        return true;
    if (has_placeholder(r->condition)) {
        refuse(ev, r, "eval-placeholder",
               "rule uses %placeholder% values, which only a pipeline can fill in; "
               "not evaluated");
        return true;
    }
    eval_rule *er = sc_arena_alloc(ev->arena, sizeof *er);
    if (!er)
        return false;
    er->rule = r;
    er->stats_index = add_stats(ev, r);
    er->report = true;
    er->seen_event = UINT64_MAX;
    *slot = er;
    ev->stats.rules_used++;
    return add_units(ev, er);
}

static eval_rule *find_eval_rule(eval_rule **by_index, sigcc_ctx *ctx, const sigcc_rule *r)
{
    for (size_t i = 0; i < ctx->rules.n; i++)
        if (ctx->rules.items[i] == r)
            return by_index[i];
    return NULL;
}

static eval_corr *find_eval_corr(sigcc_eval *ev, const sigcc_rule *r)
{
    for (size_t i = 0; i < ev->corrs.n; i++)
        if (((eval_corr *)ev->corrs.items[i])->rule == r)
            return ev->corrs.items[i];
    return NULL;
}

static bool prepare_correlation(sigcc_eval *ev, sigcc_rule *r, eval_rule **by_index)
{
    if (!corr_runnable(ev, by_index, r, 0)) {
        refuse(ev, r, "eval-missing-rule",
               "correlation references a rule that is not loaded or cannot be evaluated; "
               "load it with -r");
        return true;
    }
    eval_corr *ec = sc_arena_alloc(ev->arena, sizeof *ec);
    if (!ec || !(ec->state = sc_corr_new(r)))
        return false;
    ec->rule = r;
    ec->report = true;
    ec->stats_index = add_stats(ev, r);
    ev->stats.rules_used++;
    return sc_vec_push(ev->arena, &ev->corrs, ec);
}

/* Links each correlation to the rules it references; a referenced rule
 * reports on its own only when the correlation says `generate: true`. */
static bool link_correlations(sigcc_eval *ev, eval_rule **by_index)
{
    for (size_t i = 0; i < ev->corrs.n; i++) {
        eval_corr *ec = ev->corrs.items[i];
        const sc_correlation *c = ec->rule->corr;
        for (size_t k = 0; k < c->n_rules; k++) {
            const sigcc_rule *t = c->rules[k].target;
            eval_rule *er = find_eval_rule(by_index, ev->ctx, t);
            eval_corr *inner = er ? NULL : find_eval_corr(ev, t);
            sc_vec *consumers = er ? &er->consumers : inner ? &inner->consumers : NULL;
            if (!consumers)
                continue;
            if (!sc_vec_push(ev->arena, consumers, ec))
                return false;
            if (!c->generate) {
                if (er)
                    er->report = false;
                else
                    inner->report = false;
            }
        }
    }
    return true;
}

static void eval_free_parts(sigcc_eval *ev)
{
    for (size_t i = 0; i < ev->corrs.n; i++)
        sc_corr_free(((eval_corr *)ev->corrs.items[i])->state);
    ev->corrs.n = 0;
}

/* Without the prefilter every unit still runs: it only saves time. */
static bool build_prefilter(sigcc_eval *ev)
{
    ev->marks = calloc(ev->all_units.n + 1, sizeof *ev->marks);
    ev->prefilter = sc_prefilter_new();
    if (!ev->marks || !ev->prefilter)
        return false;
    for (size_t i = 0; i < ev->all_units.n && !ev->opts.no_prefilter; i++) {
        eval_unit *u = ev->all_units.items[i];
        u->prefiltered = sc_prefilter_add(ev->prefilter, u->id, u->tree);
    }
    char err[256];
    if (!sc_prefilter_compile(ev->prefilter, err, sizeof err)) {
        if (ev->opts.report)
            ev->opts.report(ev->opts.ud, err);
        for (size_t i = 0; i < ev->all_units.n; i++)
            ((eval_unit *)ev->all_units.items[i])->prefiltered = false;
    }
    return true;
}

sigcc_status sigcc_eval_new(sigcc_ctx *ctx, const sigcc_eval_options *opts, sigcc_eval **out)
{
    *out = NULL;
    if (!ctx || !opts || !opts->emit)
        return SIGCC_EUSAGE;
    if (!ctx->resolved)
        sigcc_resolve(ctx);
    sigcc_eval *ev = calloc(1, sizeof *ev);
    if (!ev)
        return SIGCC_ENOMEM;
    ev->ctx = ctx;
    ev->opts = *opts;
    ev->arena = sc_arena_new();
    ev->n_buckets = 1024;
    ev->buckets = calloc(ev->n_buckets, sizeof *ev->buckets);
    ev->rstats = calloc(ctx->rules.n + 1, sizeof *ev->rstats);
    eval_rule **by_index = calloc(ctx->rules.n + 1, sizeof *by_index);
    ev->json = sc_json_new();
    sc_eventbuf_init(&ev->ev);
    bool ok = ev->arena && ev->buckets && ev->rstats && by_index && ev->json;
    /* Detection rules first: a correlation needs to know which of its
     * rules can run. */
    for (size_t i = 0; ok && i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (!r->dropped && r->kind == SIGCC_RULE_DETECTION)
            ok = prepare_detection(ev, r, &by_index[i]);
    }
    for (size_t i = 0; ok && i < ctx->rules.n; i++) {
        sigcc_rule *r = ctx->rules.items[i];
        if (!r->dropped && r->kind == SIGCC_RULE_CORRELATION)
            ok = prepare_correlation(ev, r, by_index);
    }
    ok = ok && link_correlations(ev, by_index);
    free(by_index);
    ok = ok && build_prefilter(ev);
    if (!ok) {
        sigcc_eval_free(ev);
        return SIGCC_ENOMEM;
    }
    ev->now = -INFINITY;
    *out = ev;
    return SIGCC_OK;
}

void sigcc_eval_free(sigcc_eval *ev)
{
    if (!ev)
        return;
    eval_free_parts(ev);
    sc_prefilter_free(ev->prefilter);
    free(ev->marks);
    sc_eval_state_fini(&ev->st);
    sc_json_free(ev->json);
    sc_eventbuf_fini(&ev->ev);
    sc_buf_free(&ev->out);
    free(ev->buckets);
    free(ev->rstats);
    sc_arena_free(ev->arena);
    free(ev);
}

const sigcc_eval_stats *sigcc_eval_get_stats(const sigcc_eval *ev)
{
    return &ev->stats;
}

size_t sigcc_eval_rule_stats_count(const sigcc_eval *ev)
{
    return ev->n_rstats;
}

const sigcc_eval_rule_stats *sigcc_eval_rule_stats_at(const sigcc_eval *ev, size_t i)
{
    return i < ev->n_rstats ? &ev->rstats[i] : NULL;
}

/* ---------------------------------------------------------- correlations */
static bool event_field(const void *src, const char *name, const char **s, size_t *len)
{
    const sigcc_eval *ev = src;
    sc_fieldval v;
    if (sc_event_get(&ev->ev, name, strlen(name), &v, 1) != 1)
        return false;
    if (v.kind == SC_FV_BOOL) {
        *s = v.b ? "true" : "false";
        *len = strlen(*s);
        return true;
    }
    if (v.kind != SC_FV_STRING && v.kind != SC_FV_NUMBER)
        return false;
    *s = v.s;
    *len = v.len;
    return true;
}

static bool group_field(const void *src, const char *name, const char **s, size_t *len)
{
    const sc_corr_result *res = src;
    for (size_t i = 0; i < res->n_group; i++)
        if (strcmp(res->group_names[i], name) == 0) {
            *s = res->group_values[i];
            *len = strlen(*s);
            return true;
        }
    return false;
}

static void feed_consumers(sigcc_eval *ev, const sc_vec *consumers, const sc_hit *hit);

static void correlation_fired(void *ud, const sc_corr_result *res)
{
    sigcc_eval *ev = ud;
    eval_corr *ec = find_eval_corr(ev, res->rule);
    if (!ec)
        return;
    ev->rstats[ec->stats_index].matches++;
    if (ec->report)
        sc_eval_emit_correlation(ev, res);
    if (ec->consumers.n) {
        sc_hit hit = {res->rule, res->last, res->events[0].file, res->events[0].where,
                      res->events[0].is_record, group_field, res};
        feed_consumers(ev, &ec->consumers, &hit);
    }
}

static void feed_consumers(sigcc_eval *ev, const sc_vec *consumers, const sc_hit *hit)
{
    for (size_t i = 0; i < consumers->n; i++) {
        eval_corr *ec = consumers->items[i];
        if (!sc_corr_feed(ec->state, hit, correlation_fired, ev) && ev->opts.report)
            ev->opts.report(ev->opts.ud, "correlation state: out of memory or too many groups");
    }
}

static void expire_all(sigcc_eval *ev, double now)
{
    for (size_t i = 0; i < ev->corrs.n; i++)
        sc_corr_expire(((eval_corr *)ev->corrs.items[i])->state, now, correlation_fired, ev);
}

void sigcc_eval_finish(sigcc_eval *ev)
{
    expire_all(ev, INFINITY);
    ev->stats.regex_limit_hits = ev->st.regex_limit_hits;
}

/* ----------------------------------------------------------- evaluating */
static void rule_matched(sigcc_eval *ev, eval_rule *er)
{
    ev->rstats[er->stats_index].matches++;
    ev->matched_this_event = true;
    if (er->report)
        sc_eval_emit_match(ev, er);
    if (er->consumers.n) {
        sc_hit hit = {er->rule, ev->time, ev->file, ev->where, ev->is_record, event_field, ev};
        feed_consumers(ev, &er->consumers, &hit);
    }
}

static bool extra_condition_holds(const sigcc_eval *ev, const sc_logsource_entry *src)
{
    const char *s;
    size_t len;
    if (!src->extra.field)
        return true;
    if (!sc_event_text(&ev->ev, src->extra.field, &s, &len))
        return false;
    return strlen(src->extra.value) == len && strncasecmp(s, src->extra.value, len) == 0;
}

static void run_unit(sigcc_eval *ev, eval_unit *u, bool is_windows)
{
    eval_rule *er = u->rule;
    if (er->seen_event == ev->event_no || (u->prefiltered && ev->marks[u->id] != ev->mark))
        return;
    if ((er->not_windows && is_windows) || (u->source && !extra_condition_holds(ev, u->source)))
        return;
    if (!u->source && er->windows && !is_windows && ev->opts.logsources == 0)
        return;
    if (sc_eval_node(u->tree, &ev->ev.iface, &ev->st)) {
        er->seen_event = ev->event_no;
        rule_matched(ev, er);
    }
}

static void run_bucket(sigcc_eval *ev, const char *key, bool is_windows)
{
    bucket *k = bucket_get(ev, key, false);
    for (size_t i = 0; k && i < k->units.n; i++)
        run_unit(ev, k->units.items[i], is_windows);
}

/* EventID as an integer, from a number or a numeric string. */
static bool event_id(const sigcc_eval *ev, long *out)
{
    const char *s;
    size_t len;
    if (!sc_event_text(&ev->ev, "EventID", &s, &len) || len == 0 || len > 10)
        return false;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static const char *const TIME_FIELDS[] = {
    "Event.System.TimeCreated.#attributes.SystemTime", "@timestamp", "TimeCreated",
    "timestamp", "UtcTime", "event.created", "time", NULL,
};

static void read_time(sigcc_eval *ev)
{
    const char *s;
    size_t len;
    ev->has_time = false;
    ev->time_text = NULL;
    for (size_t i = 0; ev->opts.time_field ? i == 0 : TIME_FIELDS[i] != NULL; i++) {
        const char *name = ev->opts.time_field ? ev->opts.time_field : TIME_FIELDS[i];
        if (sc_event_text(&ev->ev, name, &s, &len)) {
            ev->time_text = s;
            ev->time_len = len;
            ev->has_time = sc_parse_timestamp(s, len, &ev->time);
            if (ev->has_time)
                break;
        }
    }
    if (!ev->has_time) {
        ev->stats.no_timestamp++;
        ev->time = isfinite(ev->last_time) ? ev->last_time : 0;
    }
    ev->last_time = ev->time;
    if (ev->time > ev->now)
        ev->now = ev->time;
}

static void evaluate_event(sigcc_eval *ev)
{
    ev->event_no++;
    ev->matched_this_event = false;
    read_time(ev);
    if (++ev->mark == 0) { /* wrapped: forget old marks */
        memset(ev->marks, 0, ev->all_units.n * sizeof *ev->marks);
        ev->mark = 1;
    }
    sc_prefilter_scan(ev->prefilter, &ev->ev, ev->marks, ev->mark);
    const char *channel;
    size_t len;
    bool is_windows = sc_event_text(&ev->ev, "Channel", &channel, &len);
    if (is_windows) {
        char key[300], chan[256];
        lower_into(chan, sizeof chan, channel, len);
        long id;
        if (event_id(ev, &id)) {
            snprintf(key, sizeof key, "%s\x1f%ld", chan, id);
            run_bucket(ev, key, true);
        }
        snprintf(key, sizeof key, "%s\x1f*", chan);
        run_bucket(ev, key, true);
    }
    for (size_t i = 0; i < ev->any_units.n; i++)
        run_unit(ev, ev->any_units.items[i], is_windows);
    if (ev->matched_this_event)
        ev->stats.matched_events++;
    if (ev->event_no % EXPIRE_EVERY == 0 && ev->corrs.n)
        expire_all(ev, ev->now);
}

static void report_input(sigcc_eval *ev, const char *path, uint64_t where, bool record,
                         const char *msg)
{
    if (!ev->opts.report)
        return;
    char line[1200];
    if (where)
        snprintf(line, sizeof line, "%s:%s%llu: %s", path, record ? "record " : "",
                 (unsigned long long)where, msg);
    else
        snprintf(line, sizeof line, "%s: %s", path, msg);
    ev->opts.report(ev->opts.ud, line);
}

sigcc_status sigcc_eval_path(sigcc_eval *ev, const char *path)
{
    char err[512];
    sc_input *in = sc_input_open(path, err, sizeof err);
    if (!in) {
        report_input(ev, path, 0, false, err);
        ev->stats.files_failed++;
        return SIGCC_EIO;
    }
    /* Correlation results may name this file after the call returns. */
    ev->file = sc_arena_strdup(ev->arena, strcmp(path, "-") == 0 ? "<stdin>" : path);
    if (!ev->file) {
        sc_input_close(in);
        return SIGCC_ENOMEM;
    }
    sigcc_status status = SIGCC_OK;
    for (;;) {
        uint64_t where;
        err[0] = '\0';
        sc_input_status st = sc_input_next(in, ev->json, &ev->ev, &where, err, sizeof err);
        ev->is_record = sc_input_kind_of(in) == SC_INPUT_EVTX;
        ev->where = where;
        if (st == SC_INPUT_END)
            break;
        if (st == SC_INPUT_FATAL) {
            report_input(ev, ev->file, 0, false, err);
            ev->stats.files_failed++;
            status = SIGCC_EIO;
            break;
        }
        if (st == SC_INPUT_BAD) {
            ev->stats.bad_records++;
            report_input(ev, ev->file, where, ev->is_record, err);
            continue;
        }
        ev->stats.events++;
        evaluate_event(ev);
    }
    ev->stats.bytes += sc_input_bytes(in);
    sc_input_close(in);
    return status;
}
