/*
 * eval_output.c - results of sigcc eval as JSON lines or table rows.
 */
#include "eval_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void put_json_str(sc_buf *b, const char *s)
{
    if (s)
        sc_buf_put_json_string(b, s, strlen(s));
    else
        sc_buf_puts(b, "null");
}

static void put_rule(sc_buf *b, const sigcc_rule *r)
{
    sc_buf_puts(b, "\"rule\":{\"id\":");
    put_json_str(b, r->id);
    sc_buf_puts(b, ",\"title\":");
    put_json_str(b, r->title);
    sc_buf_puts(b, ",\"level\":");
    put_json_str(b, r->level);
    sc_buf_puts(b, ",\"tags\":[");
    for (size_t i = 0; i < r->tags.n; i++) {
        if (i)
            sc_buf_putc(b, ',');
        put_json_str(b, r->tags.items[i]);
    }
    sc_buf_puts(b, "],\"file\":");
    put_json_str(b, r->file);
    sc_buf_putc(b, '}');
}

static void put_value(sc_buf *b, const sc_fieldval *v)
{
    switch (v->kind) {
    case SC_FV_STRING: sc_buf_put_json_string(b, v->s, v->len); break;
    case SC_FV_NUMBER: sc_buf_put(b, v->s, v->len); break;
    case SC_FV_BOOL: sc_buf_puts(b, v->b ? "true" : "false"); break;
    case SC_FV_NULL: sc_buf_puts(b, "null"); break;
    case SC_FV_OBJECT: sc_buf_puts(b, "{}"); break;
    }
}

static void format_time(double t, char *out, size_t cap)
{
    if (!isfinite(t)) {
        snprintf(out, cap, "-");
        return;
    }
    int64_t secs = (int64_t)floor(t);
    int micros = (int)llround((t - (double)secs) * 1e6);
    if (micros >= 1000000) {
        secs++;
        micros -= 1000000;
    }
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    /* civil from days (Howard Hinnant's algorithm) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, cap, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06dZ", (long long)y,
             (long long)m, (long long)d, (long long)(rem / 3600), (long long)(rem / 60 % 60),
             (long long)(rem % 60), micros);
}

static void put_where(sc_buf *b, const char *file, uint64_t where, bool is_record)
{
    sc_buf_puts(b, "{\"file\":");
    put_json_str(b, file);
    sc_buf_printf(b, ",\"%s\":%llu}", is_record ? "record" : "line", (unsigned long long)where);
}

static void emit(sigcc_eval *ev)
{
    if (ev->out.oom) {
        ev->out.oom = false;
        ev->out.len = 0;
        return;
    }
    ev->opts.emit(ev->opts.ud, ev->out.data, ev->out.len);
    ev->out.len = 0;
    ev->stats.matches++;
}

static void emit_match_json(sigcc_eval *ev, const eval_rule *er)
{
    sc_buf *b = &ev->out;
    sc_buf_puts(b, "{\"type\":\"match\",");
    put_rule(b, er->rule);
    sc_buf_puts(b, ",\"time\":");
    if (ev->time_text)
        sc_buf_put_json_string(b, ev->time_text, ev->time_len);
    else
        sc_buf_puts(b, "null");
    sc_buf_puts(b, ",\"source\":");
    put_where(b, ev->file, ev->where, ev->is_record);
    sc_buf_puts(b, ",\"fields\":{");
    bool first = true;
    for (size_t i = 0; i < er->n_fields; i++) {
        sc_fieldval v[4];
        size_t n = sc_event_get(&ev->ev, er->fields[i], strlen(er->fields[i]), v, 4);
        if (!n)
            continue;
        if (!first)
            sc_buf_putc(b, ',');
        first = false;
        put_json_str(b, er->fields[i]);
        sc_buf_putc(b, ':');
        if (n == 1) {
            put_value(b, &v[0]);
            continue;
        }
        sc_buf_putc(b, '[');
        for (size_t k = 0; k < n; k++) {
            if (k)
                sc_buf_putc(b, ',');
            put_value(b, &v[k]);
        }
        sc_buf_putc(b, ']');
    }
    sc_buf_puts(b, "}}\n");
}

static void put_plain(sc_buf *b, const char *s, size_t len, size_t max)
{
    for (size_t i = 0; i < len && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        sc_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
}

static void emit_match_table(sigcc_eval *ev, const eval_rule *er)
{
    sc_buf *b = &ev->out;
    char t[128];
    format_time(ev->has_time ? ev->time : NAN, t, sizeof t);
    sc_buf_printf(b, "%-27s  %-8s  ", t, er->rule->level ? er->rule->level : "-");
    put_plain(b, er->rule->title, strlen(er->rule->title), 80);
    sc_buf_printf(b, "  %s:%s%llu  ", ev->file, ev->is_record ? "#" : "",
                  (unsigned long long)ev->where);
    for (size_t i = 0; i < er->n_fields; i++) {
        sc_fieldval v;
        if (sc_event_get(&ev->ev, er->fields[i], strlen(er->fields[i]), &v, 1) != 1 ||
            (v.kind != SC_FV_STRING && v.kind != SC_FV_NUMBER))
            continue;
        sc_buf_printf(b, "%s%s=", i ? " " : "", er->fields[i]);
        put_plain(b, v.s, v.len, 120);
    }
    sc_buf_putc(b, '\n');
}

void sc_eval_emit_correlation(sigcc_eval *ev, const sc_corr_result *res)
{
    sc_buf *b = &ev->out;
    char first[128], last[128];
    format_time(res->first, first, sizeof first);
    format_time(res->last, last, sizeof last);
    if (ev->opts.format == SIGCC_EVAL_TABLE) {
        sc_buf_printf(b, "%-27s  %-8s  ", last, res->rule->level ? res->rule->level : "-");
        put_plain(b, res->rule->title, strlen(res->rule->title), 80);
        sc_buf_printf(b, "  %s=%g events=%zu since %s ", sc_corr_type_name(res->rule->corr->type),
                      res->value, res->total_events, first);
        for (size_t i = 0; i < res->n_group; i++) {
            sc_buf_printf(b, " %s=", res->group_names[i]);
            put_plain(b, res->group_values[i], strlen(res->group_values[i]), 120);
        }
        sc_buf_putc(b, '\n');
        emit(ev);
        return;
    }
    sc_buf_puts(b, "{\"type\":\"correlation\",");
    put_rule(b, res->rule);
    sc_buf_printf(b, ",\"correlation\":\"%s\",\"value\":%.17g,\"first\":\"%s\",\"last\":\"%s\"",
                  sc_corr_type_name(res->rule->corr->type), res->value, first, last);
    sc_buf_puts(b, ",\"group\":{");
    for (size_t i = 0; i < res->n_group; i++) {
        if (i)
            sc_buf_putc(b, ',');
        put_json_str(b, res->group_names[i]);
        sc_buf_putc(b, ':');
        put_json_str(b, res->group_values[i]);
    }
    sc_buf_printf(b, "},\"event_count\":%zu,\"events\":[", res->total_events);
    for (size_t i = 0; i < res->n_events; i++) {
        const sc_hit_ref *h = &res->events[i];
        char t[128];
        format_time(h->time, t, sizeof t);
        sc_buf_printf(b, "%s{\"rule\":", i ? "," : "");
        put_json_str(b, h->rule->id ? h->rule->id : h->rule->title);
        sc_buf_printf(b, ",\"time\":\"%s\",\"source\":", t);
        put_where(b, h->file, h->where, h->is_record);
        sc_buf_putc(b, '}');
    }
    sc_buf_puts(b, "]}\n");
    emit(ev);
}

void sc_eval_emit_match(sigcc_eval *ev, const eval_rule *er)
{
    if (ev->opts.format == SIGCC_EVAL_TABLE)
        emit_match_table(ev, er);
    else
        emit_match_json(ev, er);
    emit(ev);
}
