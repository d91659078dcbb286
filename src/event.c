/*
 * event.c - the flattened event: values under dotted paths, Sigma names for
 * the Windows shapes, and lookup by name.
 */
#include "event.h"

#include <stdlib.h>
#include <string.h>

struct sc_evchunk {
    sc_evchunk *next;
    size_t used, cap;
    char data[];
};

#define CHUNK_MIN 16384
#define SLOTS_MIN 128
#define EMPTY UINT32_MAX


static char *chunk_alloc(sc_eventbuf *e, size_t n)
{
    sc_evchunk *c = e->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (c && c->cap * 2 > cap)
            cap = c->cap * 2;
        sc_evchunk *fresh = malloc(sizeof *fresh + cap);
        if (!fresh) {
            e->oom = true;
            return NULL;
        }
        fresh->next = c;
        fresh->used = 0;
        fresh->cap = cap;
        e->chunks = c = fresh;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

char *sc_event_scratch(sc_eventbuf *e, size_t n)
{
    return chunk_alloc(e, n ? n : 1);
}

/* Case-insensitive matching compares folded texts; fold each value once
 * per event, when a rule first asks for it. */
static void fold_value(sc_eventbuf *e, sc_fieldval *v)
{
    if (v->folded || (v->kind != SC_FV_STRING && v->kind != SC_FV_NUMBER) || !v->s)
        return;
    char *f = chunk_alloc(e, v->len ? v->len : 1);
    if (!f)
        return;
    for (size_t i = 0; i < v->len; i++)
        f[i] = (char)sc_ascii_lower[(unsigned char)v->s[i]];
    v->folded = f;
}

const sc_fieldval *sc_event_value(const sc_eventbuf *ce, uint32_t index)
{
    sc_eventbuf *e = (sc_eventbuf *)ce;
    fold_value(e, &e->values[index].val);
    return &e->values[index].val;
}

static size_t event_get_iface(const sc_event *ev, const char *field, sc_fieldval *out, size_t max)
{
    return sc_event_get(ev->data, field, strlen(field), out, max);
}

static void event_each_value(const sc_event *ev, bool (*visit)(void *, const sc_fieldval *),
                             void *ud)
{
    sc_eventbuf *e = ev->data;
    for (size_t i = 0; i < e->n_values; i++) {
        if (e->values[i].val.kind == SC_FV_OBJECT)
            continue;
        fold_value(e, &e->values[i].val);
        if (!visit(ud, &e->values[i].val))
            return;
    }
}

void sc_eventbuf_init(sc_eventbuf *e)
{
    memset(e, 0, sizeof *e);
    e->iface.get = event_get_iface;
    e->iface.each_value = event_each_value;
    e->iface.data = e;
}

static void free_chunks(sc_evchunk *c)
{
    while (c) {
        sc_evchunk *next = c->next;
        free(c);
        c = next;
    }
}

void sc_eventbuf_fini(sc_eventbuf *e)
{
    free(e->values);
    free(e->slots);
    free(e->path);
    free_chunks(e->chunks);
    memset(e, 0, sizeof *e);
}

void sc_eventbuf_reset(sc_eventbuf *e)
{
    e->n_values = 0;
    if (e->slots && e->used_slots) {
        for (size_t i = 0; i < e->n_slots; i++)
            e->slots[i].value = EMPTY;
    }
    e->used_slots = 0;
    /* Keep one chunk big enough for the largest event seen so far. */
    if (e->chunks && e->chunks->next) {
        size_t total = 0;
        for (sc_evchunk *c = e->chunks; c; c = c->next)
            total += c->cap;
        free_chunks(e->chunks);
        e->chunks = NULL;
        if (chunk_alloc(e, total))
            e->chunks->used = 0;
    } else if (e->chunks) {
        e->chunks->used = 0;
    }
    e->path_len = 0;
    e->has_key = false;
    e->depth = 0;
    e->skip_depth = 0;
    e->truncated = false;
    e->oom = false;
}

/* ------------------------------------------------------------ hash table */
static bool slots_grow(sc_eventbuf *e)
{
    size_t n = e->n_slots ? e->n_slots * 2 : SLOTS_MIN;
    sc_evslot *fresh = malloc(n * sizeof *fresh);
    if (!fresh)
        return false;
    for (size_t i = 0; i < n; i++)
        fresh[i].value = EMPTY;
    for (size_t i = 0; i < e->n_slots; i++) {
        if (e->slots[i].value == EMPTY)
            continue;
        size_t j = e->slots[i].hash & (n - 1);
        while (fresh[j].value != EMPTY)
            j = (j + 1) & (n - 1);
        fresh[j] = e->slots[i];
    }
    free(e->slots);
    e->slots = fresh;
    e->n_slots = n;
    return true;
}

static void slot_add(sc_eventbuf *e, const char *name, size_t len, uint32_t value)
{
    if ((e->used_slots + 1) * 2 > e->n_slots && !slots_grow(e)) {
        e->oom = true;
        return;
    }
    uint32_t h = sc_hash32(name, len);
    size_t mask = e->n_slots - 1, j = h & mask;
    while (e->slots[j].value != EMPTY)
        j = (j + 1) & mask;
    e->slots[j] = (sc_evslot){name, (uint32_t)len, h, value};
    e->used_slots++;
}

size_t sc_event_get(const sc_eventbuf *ce, const char *name, size_t len, sc_fieldval *out,
                    size_t max)
{
    sc_eventbuf *e = (sc_eventbuf *)ce; /* lookups fill the fold cache */
    if (!e->n_slots)
        return 0;
    uint32_t h = sc_hash32(name, len);
    size_t mask = e->n_slots - 1, n = 0;
    for (size_t j = h & mask; e->slots[j].value != EMPTY && n < max; j = (j + 1) & mask) {
        const sc_evslot *s = &e->slots[j];
        if (s->hash == h && s->name_len == len && memcmp(s->name, name, len) == 0) {
            fold_value(e, &e->values[s->value].val);
            out[n++] = e->values[s->value].val;
        }
    }
    return n;
}

bool sc_event_text(const sc_eventbuf *e, const char *name, const char **s, size_t *len)
{
    sc_fieldval v;
    if (sc_event_get(e, name, strlen(name), &v, 1) != 1)
        return false;
    if (v.kind != SC_FV_STRING && v.kind != SC_FV_NUMBER)
        return false;
    *s = v.s;
    *len = v.len;
    return true;
}

/* --------------------------------------------------------------- builder */
static bool path_reserve(sc_eventbuf *e, size_t extra)
{
    if (e->path_len + extra + 1 <= e->path_cap)
        return true;
    size_t cap = e->path_cap ? e->path_cap : 256;
    while (cap < e->path_len + extra + 1)
        cap *= 2;
    char *p = realloc(e->path, cap);
    if (!p) {
        e->oom = true;
        return false;
    }
    e->path = p;
    e->path_cap = cap;
    return true;
}

/* Appends ".key" (or "key" at the top) to the current path. */
static bool path_push_key(sc_eventbuf *e)
{
    if (!path_reserve(e, e->key_len + 1))
        return false;
    if (e->path_len)
        e->path[e->path_len++] = '.';
    memcpy(e->path + e->path_len, e->key, e->key_len);
    e->path_len += e->key_len;
    return true;
}

static bool in_array(const sc_eventbuf *e)
{
    return e->depth > 0 && e->frames[e->depth].is_array;
}

void sc_evb_key(sc_eventbuf *e, const char *key, size_t len)
{
    e->key = key;
    e->key_len = len;
    e->has_key = true;
}

static bool name_is(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n == l && memcmp(s, lit, l) == 0;
}

typedef struct path_comp {
    const char *s;
    size_t n;
} path_comp;

/* The components of a copied path: the keys of the containers that pushed
 * one, then the value's own key (keys may themselves contain dots). */
static size_t path_components(const sc_eventbuf *e, const char *copy, bool leaf_key,
                              size_t leaf_start, size_t len, path_comp *out)
{
    size_t n = 0;
    for (int d = 1; d <= e->depth; d++)
        if (e->frames[d].key_len)
            out[n++] = (path_comp){copy + e->frames[d].key_start, e->frames[d].key_len};
    if (leaf_key)
        out[n++] = (path_comp){copy + leaf_start, len - leaf_start};
    return n;
}

static void alias_add(sc_eventbuf *e, const char *name, size_t len, uint32_t value)
{
    slot_add(e, name, len, value);
}

static void alias_joined(sc_eventbuf *e, path_comp a, path_comp b, uint32_t value)
{
    char *p = chunk_alloc(e, a.n + b.n + 1);
    if (!p)
        return;
    memcpy(p, a.s, a.n);
    p[a.n] = '_';
    memcpy(p + a.n + 1, b.s, b.n);
    alias_add(e, p, a.n + b.n + 1, value);
}

/* Sigma names for the EVTX-as-JSON shape (evtx_dump, Chainsaw, Hayabusa):
 * Event.System.X -> X, Event.System.X.#attributes.Y -> X_Y,
 * Event.EventData.X / Event.UserData.*.X -> X. */
static void alias_evtx(sc_eventbuf *e, const path_comp *c, size_t n, uint32_t value)
{
    if (name_is(c[1].s, c[1].n, "System")) {
        if (n == 3)
            alias_add(e, c[2].s, c[2].n, value);
        else if (n == 4 && name_is(c[3].s, c[3].n, "#text"))
            alias_add(e, c[2].s, c[2].n, value);
        else if (n == 5 && name_is(c[3].s, c[3].n, "#attributes")) {
            alias_joined(e, c[2], c[4], value);
            /* The event time, under the name flat Windows JSON gives it. */
            if (name_is(c[2].s, c[2].n, "TimeCreated") && name_is(c[4].s, c[4].n, "SystemTime"))
                alias_add(e, c[2].s, c[2].n, value);
        }
        return;
    }
    if (!name_is(c[1].s, c[1].n, "EventData") && !name_is(c[1].s, c[1].n, "UserData"))
        return;
    path_comp leaf = c[n - 1];
    if (name_is(leaf.s, leaf.n, "#text") && n >= 4)
        leaf = c[n - 2];
    else if (n >= 4 && name_is(c[n - 2].s, c[n - 2].n, "#attributes"))
        return;
    alias_add(e, leaf.s, leaf.n, value);
}

/* Winlogbeat: winlog.event_data.X -> X, and the system fields. */
static void alias_winlog(sc_eventbuf *e, const path_comp *c, size_t n, uint32_t value)
{
    static const char *const system[][2] = {
        {"event_id", "EventID"},        {"channel", "Channel"},
        {"computer_name", "Computer"},  {"provider_name", "Provider_Name"},
        {"record_id", "EventRecordID"},
    };
    if (n == 3 && (name_is(c[1].s, c[1].n, "event_data") || name_is(c[1].s, c[1].n, "user_data"))) {
        alias_add(e, c[2].s, c[2].n, value);
        return;
    }
    if (n != 2)
        return;
    for (size_t i = 0; i < sizeof system / sizeof system[0]; i++)
        if (name_is(c[1].s, c[1].n, system[i][0]))
            alias_add(e, system[i][1], strlen(system[i][1]), value);
}

/* Flat Windows JSON (Winlogbeat -> Logstash, as in the OTRF datasets) names
 * the provider and computer differently. */
static void alias_flat(sc_eventbuf *e, const path_comp *c, uint32_t value)
{
    if (name_is(c[0].s, c[0].n, "SourceName"))
        alias_add(e, "Provider_Name", 13, value);
    else if (name_is(c[0].s, c[0].n, "Hostname"))
        alias_add(e, "Computer", 8, value);
}

static void add_aliases(sc_eventbuf *e, const char *path, bool leaf_key, size_t leaf_start,
                        size_t len, uint32_t value)
{
    path_comp c[SC_EVENT_MAX_DEPTH + 2];
    size_t n = path_components(e, path, leaf_key, leaf_start, len, c);
    if (n == 0)
        return;
    if (n == 1)
        alias_flat(e, c, value);
    else if (n >= 3 && name_is(c[0].s, c[0].n, "Event"))
        alias_evtx(e, c, n, value);
    else if (name_is(c[0].s, c[0].n, "winlog"))
        alias_winlog(e, c, n, value);
}

static void add_value(sc_eventbuf *e, const sc_fieldval *v, bool with_key, bool aliases)
{
    if (e->n_values >= SC_EVENT_MAX_FIELDS) {
        e->truncated = true;
        return;
    }
    if (e->n_values == e->cap_values) {
        size_t cap = e->cap_values ? e->cap_values * 2 : 64;
        sc_evvalue *p = realloc(e->values, cap * sizeof *p);
        if (!p) {
            e->oom = true;
            return;
        }
        e->values = p;
        e->cap_values = cap;
    }
    size_t saved = e->path_len;
    size_t leaf_start = saved ? saved + 1 : 0;
    if (with_key && !path_push_key(e))
        return;
    char *copy = chunk_alloc(e, e->path_len ? e->path_len : 1);
    if (!copy) {
        e->path_len = saved;
        return;
    }
    memcpy(copy, e->path, e->path_len);
    size_t len = e->path_len;
    e->path_len = saved;
    uint32_t index = (uint32_t)e->n_values++;
    e->values[index] = (sc_evvalue){copy, (uint32_t)len, *v};
    slot_add(e, copy, len, index);
    if (aliases)
        add_aliases(e, copy, with_key, leaf_start, len, index);
}

void sc_evb_scalar(sc_eventbuf *e, const sc_fieldval *v)
{
    bool with_key = e->has_key && !in_array(e);
    e->has_key = false;
    if (e->skip_depth)
        return;
    if (with_key || e->depth > 0)
        add_value(e, v, with_key, true);
}

void sc_evb_enter(sc_eventbuf *e, bool is_array)
{
    bool with_key = e->has_key && !in_array(e);
    e->has_key = false;
    if (e->skip_depth || e->depth >= SC_EVENT_MAX_DEPTH) {
        /* Containers past the limit are counted, not stored. */
        e->skip_depth++;
        e->truncated = true;
        return;
    }
    if (with_key && !is_array) {
        sc_fieldval obj = {SC_FV_OBJECT, NULL, 0, 0, false, NULL};
        e->has_key = true;
        add_value(e, &obj, true, false);
        e->has_key = false;
    }
    sc_evframe *f = &e->frames[++e->depth];
    f->path_len = (uint32_t)e->path_len;
    f->is_array = is_array;
    f->key_start = 0;
    f->key_len = 0;
    if (with_key && path_push_key(e)) {
        f->key_start = (uint32_t)(e->path_len - e->key_len);
        f->key_len = (uint32_t)e->key_len;
    }
}

void sc_evb_leave(sc_eventbuf *e)
{
    if (e->skip_depth) {
        e->skip_depth--;
        return;
    }
    if (e->depth <= 0)
        return;
    e->path_len = e->frames[e->depth].path_len;
    e->depth--;
}

/* -------------------------------------------------------------- timestamps */
static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool sc_parse_timestamp(const char *s, size_t len, double *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (len < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    size_t i = 10;
    double frac = 0;
    if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        if (len < i + 9 || !digits(s + i + 1, 2, &h) || s[i + 3] != ':' ||
            !digits(s + i + 4, 2, &mi) || s[i + 6] != ':' || !digits(s + i + 7, 2, &sec))
            return false;
        i += 9;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            double scale = 0.1;
            for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
                frac += (s[i] - '0') * scale;
        }
    }
    int64_t offset = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1, oh = 0, om = 0;
        if (len >= i + 6 && s[i + 3] == ':' && digits(s + i + 1, 2, &oh) && digits(s + i + 4, 2, &om))
            i += 6;
        else if (len >= i + 5 && digits(s + i + 1, 2, &oh) && digits(s + i + 3, 2, &om))
            i += 5;
        else if (len >= i + 3 && digits(s + i + 1, 2, &oh))
            i += 3;
        else
            return false;
        offset = sign * (int64_t)(oh * 3600 + om * 60);
    }
    int64_t days = days_from_civil(y, mo, d);
    double t = (double)(days * 86400 + h * 3600 + mi * 60 + sec) + frac - (double)offset;
    *out = t;
    return true;
}
