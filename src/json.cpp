/*
 * json.cpp - the only C++ in the library: walks a simdjson DOM into the
 * event builder. Numbers keep a text form because Sigma compares '25' (a
 * string pattern) with the text of a number.
 */
#include "json.h"

#include <climits> /* simdjson 3.0 uses LONG_MAX without including it */
#include <simdjson.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <new>

struct sc_json {
    simdjson::dom::parser parser;
};

extern "C" sc_json *sc_json_new(void)
{
    sc_json *p = new (std::nothrow) sc_json;
    if (p && p->parser.allocate(1 << 16, SC_JSON_MAX_DEPTH) != simdjson::SUCCESS) {
        delete p;
        return nullptr;
    }
    return p;
}

extern "C" void sc_json_free(sc_json *p)
{
    delete p;
}

static void put_number_text(sc_eventbuf *ev, const char *text, double num)
{
    size_t len = strlen(text);
    char *copy = sc_event_scratch(ev, len);
    if (!copy)
        return;
    memcpy(copy, text, len);
    sc_fieldval v = {SC_FV_NUMBER, copy, len, num, false, nullptr};
    sc_evb_scalar(ev, &v);
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void put_double(sc_eventbuf *ev, double d)
{
    char text[40];
    snprintf(text, sizeof text, "%.15g", d);
    if (strtod(text, nullptr) != d)
        snprintf(text, sizeof text, "%.17g", d);
    put_number_text(ev, text, d);
}

static void walk(const simdjson::dom::element &el, sc_eventbuf *ev)
{
    using simdjson::dom::element_type;
    switch (el.type()) {
    case element_type::OBJECT:
        sc_evb_enter(ev, false);
        for (auto field : simdjson::dom::object(el)) {
            sc_evb_key(ev, field.key.data(), field.key.size());
            walk(field.value, ev);
        }
        sc_evb_leave(ev);
        break;
    case element_type::ARRAY:
        sc_evb_enter(ev, true);
        for (auto item : simdjson::dom::array(el))
            walk(item, ev);
        sc_evb_leave(ev);
        break;
    case element_type::STRING: {
        std::string_view s = el.get_string().value_unsafe();
        sc_fieldval v = {SC_FV_STRING, s.data(), s.size(), 0, false, nullptr};
        sc_evb_scalar(ev, &v);
        break;
    }
    case element_type::INT64: {
        char text[24];
        int64_t i = el.get_int64().value_unsafe();
        snprintf(text, sizeof text, "%" PRId64, i);
        put_number_text(ev, text, (double)i);
        break;
    }
    case element_type::UINT64: {
        char text[24];
        uint64_t u = el.get_uint64().value_unsafe();
        snprintf(text, sizeof text, "%" PRIu64, u);
        put_number_text(ev, text, (double)u);
        break;
    }
    case element_type::DOUBLE:
        put_double(ev, el.get_double().value_unsafe());
        break;
    case element_type::BOOL: {
        bool b = el.get_bool().value_unsafe();
        sc_fieldval v = {SC_FV_BOOL, b ? "true" : "false", b ? 4u : 5u, 0, b, nullptr};
        sc_evb_scalar(ev, &v);
        break;
    }
    case element_type::NULL_VALUE: {
        sc_fieldval v = {SC_FV_NULL, nullptr, 0, 0, false, nullptr};
        sc_evb_scalar(ev, &v);
        break;
    }
    }
}

extern "C" bool sc_json_parse(sc_json *p, const char *data, size_t len, sc_eventbuf *ev,
                              char *err, size_t errlen)
{
    try {
        simdjson::dom::element root;
        auto error = p->parser.parse(data, len, false).get(root);
        if (error) {
            snprintf(err, errlen, "invalid JSON: %s", simdjson::error_message(error));
            return false;
        }
        if (root.type() != simdjson::dom::element_type::OBJECT) {
            snprintf(err, errlen, "a JSON value that is not an object");
            return false;
        }
        walk(root, ev);
        return true;
    } catch (...) {
        snprintf(err, errlen, "out of memory while parsing JSON");
        return false;
    }
}
