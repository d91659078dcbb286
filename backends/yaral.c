/*
 * yaral.c - YARA-L 2.0 rules for Google Security Operations (Chronicle),
 * over events in Google's Unified Data Model (UDM).
 *
 * Every output is a complete rule: `rule NAME { meta: events: [match:
 * outcome:] condition: }`. The events section starts with the UDM event
 * type, which the pipeline sets as the rule's custom attribute
 * `udm_event_type` (pipelines/google_udm.yml); a rule without one is
 * refused. Fields must be UDM paths by then. String equality is `=` with
 * ` nocase` unless |cased; every wildcard pattern is an RE2 `re.regex`
 * (contains, startswith and endswith as unanchored, ^- and $-anchored
 * expressions, values of one kind folded into one alternation); integer
 * UDM fields (ports) compare unquoted, enumerations (event type,
 * direction, protocol) with their upper-case names. UDM keeps no "absent"
 * apart from the zero value, so null and exists compare with "".
 * Correlations become multi-event rules with placeholders, a match window
 * and a count or outcome condition. Mapping table: docs/backends/yaral.md.
 */
#include "common.h"
#include "re2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The emitter of one rule, with the event variable its fields belong to. */
typedef struct yl_emit {
    sc_emit base; /* first: the tree walk hands &base back to put_match */
    const char *var;
    char numbered[24]; /* "$e2": a temporal correlation's variable for rule 2 */
} yl_emit;

/* YARA-L's smallest and largest match windows. */
#define YL_MIN_WINDOW 60
#define YL_MAX_WINDOW (48 * 3600)

/* ---------------------------------------------------------- UDM fields */
typedef enum udm_kind { UDM_STRING, UDM_INT, UDM_ENUM } udm_kind;

static const char *const UDM_NOUNS[] = {
    "metadata", "principal", "src", "target", "intermediary", "observer", "about",
    "network", "security_result", "extensions", "additional",
};

static const char *const UDM_ENUMS[] = {
    "metadata.event_type", "network.direction", "network.ip_protocol",
    "network.application_protocol", "security_result.action", "security_result.severity",
};

static const char *const UDM_INTS[] = {
    "network.sent_bytes", "network.received_bytes", "network.sent_packets",
    "network.received_packets", "network.dns.response_code", "network.dns.questions.type",
    "network.http.response_code",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return true;
    return false;
}

static size_t map_key_at(const char *f);

static udm_kind field_kind(const char *f)
{
    if (map_key_at(f) < strlen(f)) /* map values are strings */
        return UDM_STRING;
    if (in_list(f, UDM_ENUMS, sizeof UDM_ENUMS / sizeof UDM_ENUMS[0]))
        return UDM_ENUM;
    const char *dot = strrchr(f, '.');
    if (dot && !strcmp(dot, ".port"))
        return UDM_INT;
    if (in_list(f, UDM_INTS, sizeof UDM_INTS / sizeof UDM_INTS[0]))
        return UDM_INT;
    return UDM_STRING;
}

/* The key of a map field's element, `["CallTrace"]` at the end of a path:
 * Google's parsers keep fields that UDM has no place for in the key/value
 * maps additional.fields and *.labels, which YARA-L reads by key. The key is
 * written inside a "..." literal, so it holds no quote, backslash or control
 * character. Returns the length of the path before it (all of f without). */
static size_t map_key_at(const char *f)
{
    size_t n = strlen(f);
    const char *open = strstr(f, "[\"");
    if (!open || n < 4 || strcmp(f + n - 2, "\"]"))
        return n;
    for (const char *p = open + 2; p < f + n - 2; p++)
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
            return n;
    size_t path = (size_t)(open - f);
    bool map = (path > 7 && !strncmp(open - 7, ".fields", 7)) ||
               (path > 7 && !strncmp(open - 7, ".labels", 7));
    return map && open + 2 < f + n - 2 ? path : n;
}

/* A UDM path: lower-case snake_case parts joined by dots, under one of
 * the UDM nouns, optionally ending in a map key. A Sigma name that no
 * pipeline mapped is none. */
static bool udm_path(const char *f)
{
    size_t noun = strcspn(f, "."), end = map_key_at(f);
    bool known = false;
    for (size_t i = 0; i < sizeof UDM_NOUNS / sizeof UDM_NOUNS[0] && !known; i++)
        known = strlen(UDM_NOUNS[i]) == noun && !strncmp(f, UDM_NOUNS[i], noun);
    if (!known)
        return false;
    bool part_start = true;
    for (const char *p = f; p < f + end; p++) {
        if (*p == '.') {
            if (part_start)
                return false;
            part_start = true;
        } else if ((*p >= 'a' && *p <= 'z') ||
                   (!part_start && ((*p >= '0' && *p <= '9') || *p == '_'))) {
            part_start = false;
        } else {
            return false;
        }
    }
    return !part_start;
}

static bool put_field(yl_emit *y, sc_buf *b, sc_loc loc, const char *f)
{
    if (!udm_path(f)) {
        sc_emit_error(&y->base, loc, "the field '%.200s' (not a UDM field path; a pipeline maps "
                                     "Sigma fields to UDM, google_udm by default)",
                      f);
        return false;
    }
    sc_buf_printf(b, "%s.%s", y->var, f);
    return true;
}

/* ------------------------------------------------------------ literals */
/* A YARA-L "..." literal escapes only \ and "; control characters have
 * no escape we can rely on (values holding them become regexes). */
static bool string_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static void put_string(sc_buf *b, const char *s, size_t n)
{
    sc_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            sc_buf_putc(b, '\\');
        sc_buf_putc(b, s[i]);
    }
    sc_buf_putc(b, '"');
}

/* --------------------------------------------------------- or-lists */
/* Terms ORed, parenthesized when there are several. */
typedef struct terms {
    sc_buf text;
    size_t n;
} terms;

static sc_buf *next_term(terms *t)
{
    if (t->n++)
        sc_buf_puts(&t->text, " or ");
    return &t->text;
}

static void put_terms(sc_buf *out, terms *t)
{
    if (t->n > 1)
        sc_buf_putc(out, '(');
    sc_buf_put(out, t->text.data ? t->text.data : "", t->text.len);
    if (t->n > 1)
        sc_buf_putc(out, ')');
    sc_buf_free(&t->text);
}

/* ------------------------------------------------------------ patterns */
/* How a string value is written: exactly, or as the regex of its kind. */
typedef enum pat_kind {
    PAT_EXACT, PAT_ANY, PAT_CONTAINS, PAT_PREFIX, PAT_SUFFIX, PAT_GENERAL, PAT__COUNT
} pat_kind;

/* The kind of a value and, for the three simple ones, its one literal. */
static pat_kind classify(const sc_value *v, const sc_part **lit)
{
    size_t n = v->n_parts, lits = 0, first = 0, last = n;
    bool ones = false, inner_star = false;
    for (size_t i = 0; i < n; i++) {
        if (v->parts[i].kind == SC_PART_LIT && v->parts[i].len) {
            lits++;
            *lit = &v->parts[i];
        }
        ones |= v->parts[i].kind == SC_PART_ONE;
    }
    while (first < n && v->parts[first].kind == SC_PART_STAR)
        first++;
    while (last > first && v->parts[last - 1].kind == SC_PART_STAR)
        last--;
    for (size_t i = first; i < last; i++)
        inner_star |= v->parts[i].kind == SC_PART_STAR;
    if (!sc_pattern_has_wildcards(v->parts, v->n_parts))
        return PAT_EXACT;
    if (!ones && lits == 0)
        return PAT_ANY;
    if (ones || inner_star || lits != 1)
        return PAT_GENERAL;
    return first > 0 && last < n ? PAT_CONTAINS : first > 0 ? PAT_SUFFIX : PAT_PREFIX;
}

/* The alternatives of one regex, one per value, by kind. */
typedef struct regex_group {
    sc_buf alts;
    size_t n;
    bool dots; /* '*' or '?' became '.': the pattern needs (?s) */
} regex_group;

static void add_alternative(regex_group *g, const sc_value *v, pat_kind k, const sc_part *lit)
{
    if (g->n++)
        sc_buf_putc(&g->alts, '|');
    if (k != PAT_GENERAL) {
        for (size_t i = 0; i < lit->len; i++)
            sc_re2_put_char(&g->alts, (unsigned char)lit->text[i], SC_RE2_NO_BACKQUOTE);
        return;
    }
    for (size_t i = 0; i < v->n_parts; i++) {
        const sc_part *p = &v->parts[i];
        if (p->kind == SC_PART_STAR || p->kind == SC_PART_ONE) {
            sc_buf_puts(&g->alts, p->kind == SC_PART_STAR ? ".*" : ".");
            g->dots = true;
            continue;
        }
        for (size_t k2 = 0; k2 < p->len; k2++)
            sc_re2_put_char(&g->alts, (unsigned char)p->text[k2], SC_RE2_NO_BACKQUOTE);
    }
}

/* re.regex(f, `(?is)^(?:a|b)$`): anchors by kind, (?i) unless cased. */
static bool put_group(yl_emit *y, sc_buf *b, const sc_match *m, pat_kind k, regex_group *g)
{
    sc_buf_puts(b, "re.regex(");
    if (!put_field(y, b, m->field_loc, m->field))
        return false;
    sc_buf_puts(b, ", `");
    if (!m->cased || g->dots)
        sc_buf_printf(b, "(?%s%s)", m->cased ? "" : "i", g->dots ? "s" : "");
    if (k == PAT_PREFIX || k == PAT_GENERAL)
        sc_buf_putc(b, '^');
    sc_buf_puts(b, g->n > 1 ? "(?:" : "");
    sc_buf_put(b, g->alts.data ? g->alts.data : "", g->alts.len);
    sc_buf_puts(b, g->n > 1 ? ")" : "");
    if (k == PAT_SUFFIX || k == PAT_GENERAL)
        sc_buf_putc(b, '$');
    sc_buf_puts(b, "`)");
    return true;
}

/* --------------------------------------------------------------- values */
/* An enumeration value: its UDM name, which is upper case, so a
 * case-insensitive value is upper-cased. */
static bool put_enum(yl_emit *y, sc_buf *b, const sc_match *m, const sc_value *v)
{
    sc_buf text = {0};
    sc_put_plain_text(v, &text);
    bool ok = text.len > 0;
    for (size_t i = 0; i < text.len && ok; i++) {
        char c = text.data[i];
        if (!m->cased && c >= 'a' && c <= 'z')
            text.data[i] = c = (char)(c - 'a' + 'A');
        ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    if (!ok)
        sc_emit_error(&y->base, v->loc, "this value of the UDM enumeration %s (its values are "
                                        "upper-case names)",
                      m->field);
    else if (put_field(y, b, m->field_loc, m->field))
        sc_buf_printf(b, " = \"%.*s\"", (int)text.len, text.data);
    else
        ok = false;
    sc_buf_free(&text);
    return ok;
}

/* Decimal integer text as UDM stores an integer: no sign other than
 * '-', no leading zero, no wildcard. */
static bool canonical_int(const char *s, size_t n)
{
    size_t i = n && s[0] == '-';
    if (i >= n || n - i > 18 || (s[i] == '0' && n - i > 1) || (i && s[i] == '0'))
        return false;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool refuse_kind(yl_emit *y, const sc_match *m, const sc_value *v, const char *what)
{
    sc_emit_error(&y->base, v->loc, "%s on the UDM %s field %s", what,
                  field_kind(m->field) == UDM_INT ? "integer" : "enumeration", m->field);
    return false;
}

/* Text with a letter (a byte above ASCII may be part of one): the only
 * text whose comparison depends on case. */
static bool has_letters(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            return true;
        if (c >= 0x80)
            return true;
    }
    return false;
}

/* One exact value (not a regex), as a term of the equality. */
static bool put_exact(yl_emit *y, sc_buf *b, const sc_match *m, const sc_value *v)
{
    udm_kind kind = field_kind(m->field);
    sc_buf text = {0};
    bool ok = true;
    if (v->kind == SC_VAL_NUMBER || v->kind == SC_VAL_BOOL)
        sc_buf_put(&text, v->kind == SC_VAL_NUMBER ? v->raw : v->bval ? "true" : "false",
                   v->kind == SC_VAL_NUMBER ? v->raw_len : strlen(v->bval ? "true" : "false"));
    else
        sc_put_plain_text(v, &text);
    const char *s = text.data ? text.data : "";
    if (kind == UDM_ENUM && v->kind == SC_VAL_STRING) {
        ok = put_enum(y, b, m, v);
    } else if (kind == UDM_INT) {
        ok = v->kind != SC_VAL_BOOL && canonical_int(s, text.len);
        if (!ok)
            refuse_kind(y, m, v, "a value that is no decimal integer");
        else if ((ok = put_field(y, b, m->field_loc, m->field)))
            sc_buf_printf(b, " = %s", s);
    } else if (kind == UDM_ENUM) {
        ok = refuse_kind(y, m, v, "a number or boolean");
    } else if ((ok = put_field(y, b, m->field_loc, m->field))) {
        sc_buf_puts(b, " = ");
        put_string(b, s, text.len);
        if (!m->cased && has_letters(s, text.len))
            sc_buf_puts(b, " nocase");
    }
    sc_buf_free(&text);
    return ok;
}

/* A string value: exact, any value, or into the regex of its kind. */
static bool add_string(yl_emit *y, terms *t, regex_group *groups, const sc_match *m,
                       const sc_value *v)
{
    if (sc_has_placeholder(&y->base, v))
        return false;
    const sc_part *lit = NULL;
    pat_kind k = classify(v, &lit);
    if (k == PAT_EXACT) {
        sc_buf text = {0};
        sc_put_plain_text(v, &text);
        bool printable = string_ok(text.data ? text.data : "", text.len);
        sc_buf_free(&text);
        if (printable || field_kind(m->field) != UDM_STRING)
            return put_exact(y, next_term(t), m, v);
        k = PAT_GENERAL; /* ^...$ with \x{HH} escapes */
    }
    if (field_kind(m->field) != UDM_STRING)
        return refuse_kind(y, m, v, "a wildcard pattern");
    if (k == PAT_ANY) {
        if (!put_field(y, next_term(t), m->field_loc, m->field))
            return false;
        sc_buf_puts(&t->text, " != \"\"");
        return true;
    }
    add_alternative(&groups[k], v, k, lit);
    return true;
}

/* Equality of one field with values of any kind, ORed. UDM keeps no
 * "absent" apart from "", so null and '' are the same comparison. */
static bool put_equality(yl_emit *y, sc_buf *b, const sc_match *m, const sc_value *const *vals,
                         size_t n)
{
    terms t = {{0}, 0};
    regex_group groups[PAT__COUNT] = {{{0}, 0, false}};
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        const sc_value *v = vals[i];
        if (v->kind == SC_VAL_NULL && field_kind(m->field) != UDM_STRING) {
            ok = refuse_kind(y, m, v, "null (UDM stores an unset integer or enumeration as 0, "
                                      "which is also a value)");
        } else if (v->kind == SC_VAL_NULL) {
            if ((ok = put_field(y, next_term(&t), m->field_loc, m->field)))
                sc_buf_puts(&t.text, " = \"\"");
        } else if (v->kind == SC_VAL_STRING) {
            ok = add_string(y, &t, groups, m, v);
        } else {
            ok = put_exact(y, next_term(&t), m, v);
        }
    }
    for (int k = PAT_CONTAINS; k < PAT__COUNT && ok; k++)
        if (groups[k].n)
            ok = put_group(y, next_term(&t), m, (pat_kind)k, &groups[k]);
    for (int k = 0; k < PAT__COUNT; k++)
        sc_buf_free(&groups[k].alts);
    if (ok)
        put_terms(b, &t);
    else
        sc_buf_free(&t.text);
    return ok;
}

/* ------------------------------------------------------------ operators */
static bool put_compare(yl_emit *y, sc_buf *b, const sc_match *m, const sc_value *v)
{
    if (field_kind(m->field) != UDM_INT) {
        sc_emit_error(&y->base, m->field_loc, "a numeric comparison on the UDM field %s (not "
                                              "an integer field)",
                      m->field);
        return false;
    }
    if (!put_field(y, b, m->field_loc, m->field))
        return false;
    const char *op = sc_op_compare_text(m->op);
    if (v->is_int)
        sc_buf_printf(b, " %s %lld", op, (long long)v->ival);
    else
        sc_buf_printf(b, " %s %.17g", op, v->num);
    return true;
}

static bool put_cidr(yl_emit *y, sc_buf *b, const sc_match *m, const sc_value *v)
{
    sc_buf_puts(b, "net.ip_in_range_cidr(");
    if (!put_field(y, b, m->field_loc, m->field))
        return false;
    sc_buf_puts(b, ", ");
    put_string(b, v->raw, v->raw_len); /* a parsed network: digits, dots, colons, '/' */
    sc_buf_putc(b, ')');
    return true;
}

static bool put_regex(yl_emit *y, sc_buf *b, const sc_match *m, const sc_value *v)
{
    sc_buf re = {0};
    bool ok = sc_re2_from_pcre(&y->base, m, v, &re, SC_RE2_NO_BACKQUOTE);
    if (ok) {
        sc_buf_puts(b, "re.regex(");
        ok = put_field(y, b, m->field_loc, m->field);
        sc_buf_puts(b, ", `");
        sc_buf_put(b, re.data ? re.data : "", re.len);
        sc_buf_puts(b, "`)");
    }
    sc_buf_free(&re);
    return ok;
}

/* f|fieldref: g is f = g; a field UDM leaves unset reads "", so g must
 * not be empty (the evaluator needs both fields present). */
static bool put_fieldref(yl_emit *y, sc_buf *b, const sc_match *m, const sc_value *v)
{
    if (m->mods & (SC_MODBIT(SC_MOD_CONTAINS) | SC_MODBIT(SC_MOD_STARTSWITH) |
                   SC_MODBIT(SC_MOD_ENDSWITH))) {
        sc_emit_error(&y->base, m->field_loc, "a field reference other than equality "
                                              "(YARA-L compares fields only whole)");
        return false;
    }
    if (field_kind(m->field) != UDM_STRING || field_kind(v->raw) != UDM_STRING) {
        sc_emit_error(&y->base, m->field_loc, "a field reference between integer or "
                                              "enumeration fields (UDM cannot tell unset from 0)");
        return false;
    }
    sc_buf_putc(b, '(');
    bool ok = put_field(y, b, m->field_loc, m->field);
    sc_buf_puts(b, " = ");
    ok = ok && put_field(y, b, v->loc, v->raw);
    sc_buf_puts(b, m->cased ? " and " : " nocase and ");
    ok = ok && put_field(y, b, v->loc, v->raw);
    sc_buf_puts(b, " != \"\")");
    return ok;
}

/* The values of a match, ORed (one value when |all splits them). */
static bool put_values(yl_emit *y, sc_buf *b, const sc_match *m, const sc_value *const *vals,
                       size_t n)
{
    if (m->op == SC_OP_EQ)
        return put_equality(y, b, m, vals, n);
    if ((m->op == SC_OP_RE || m->op == SC_OP_CIDR) && field_kind(m->field) != UDM_STRING)
        return refuse_kind(y, m, vals[0], m->op == SC_OP_RE ? "a regular expression"
                                                            : "a network range");
    terms t = {{0}, 0};
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        sc_buf *term = next_term(&t);
        switch (m->op) {
        case SC_OP_LT:
        case SC_OP_LTE:
        case SC_OP_GT:
        case SC_OP_GTE: ok = put_compare(y, term, m, vals[i]); break;
        case SC_OP_CIDR: ok = put_cidr(y, term, m, vals[i]); break;
        case SC_OP_RE: ok = put_regex(y, term, m, vals[i]); break;
        case SC_OP_FIELDREF: ok = put_fieldref(y, term, m, vals[i]); break;
        default: ok = false; break;
        }
    }
    if (ok)
        put_terms(b, &t);
    else
        sc_buf_free(&t.text);
    return ok;
}

static bool put_exists(yl_emit *y, sc_buf *b, const sc_match *m)
{
    if (field_kind(m->field) != UDM_STRING)
        return refuse_kind(y, m, &m->values[0], "exists (UDM stores an unset integer or "
                                                 "enumeration as 0, which is also a value)");
    if (!put_field(y, b, m->field_loc, m->field))
        return false;
    sc_buf_puts(b, m->values[0].bval ? " != \"\"" : " = \"\"");
    return true;
}

static bool put_all(yl_emit *y, sc_buf *b, const sc_match *m)
{
    sc_buf_putc(b, '(');
    for (size_t i = 0; i < m->n_values; i++) {
        if (i)
            sc_buf_puts(b, " and ");
        const sc_value *v = &m->values[i];
        if (!put_values(y, b, m, &v, 1))
            return false;
    }
    sc_buf_putc(b, ')');
    return true;
}

static bool put_match(sc_emit *e, const sc_match *m)
{
    yl_emit *y = (yl_emit *)e;
    sc_buf *b = e->out;
    if (!m->field) {
        sc_emit_error(e, m->field_loc, "keyword (full-text) searches (a UDM event has no field "
                                       "holding the whole original event)");
        return false;
    }
    if (m->timepart != SC_TIME_NONE) {
        sc_emit_error(e, m->field_loc, "time-part modifiers (minute, hour, day, ...)");
        return false;
    }
    if (m->negated)
        sc_buf_puts(b, "not (");
    bool ok;
    if (m->op == SC_OP_EXISTS) {
        ok = put_exists(y, b, m);
    } else if (m->all && m->n_values > 1) {
        ok = put_all(y, b, m);
    } else {
        const sc_value **vals = malloc((m->n_values ? m->n_values : 1) * sizeof *vals);
        if (!vals) {
            b->oom = true;
            return false;
        }
        for (size_t i = 0; i < m->n_values; i++)
            vals[i] = &m->values[i];
        ok = put_values(y, b, m, vals, m->n_values);
        free(vals);
    }
    if (m->negated)
        sc_buf_putc(b, ')');
    return ok;
}

/* ---------------------------------------------------------------- events */
static const sc_bool_syntax YARAL_SYNTAX = {
    .and_op = " and ", .or_op = " or ", .not_open = "not ", .not_close = "",
    .true_lit = "", .false_lit = "", .put_match = put_match,
};

/* Conjuncts written either one per line (a rule's events section, where
 * lines are ANDed) or joined by " and " into one expression. */
typedef struct joiner {
    const char *before, *between, *after;
    size_t n;
} joiner;

static const joiner LINES = {"    ", "", "\n", 0};
static const joiner INLINE = {"", " and ", "", 0};

static sc_buf *next_conjunct(yl_emit *y, joiner *j)
{
    sc_buf_puts(y->base.out, j->n++ ? j->between : "");
    sc_buf_puts(y->base.out, j->before);
    return y->base.out;
}

/* YARA-L has no boolean literals. Constants come from pipelines that
 * drop detection items; the optimizer folds them into the whole
 * condition. */
static bool find_constant(const sc_node *n)
{
    switch (n->kind) {
    case SC_NODE_TRUE:
    case SC_NODE_FALSE: return true;
    case SC_NODE_SEL: return find_constant(n->u.sel.child);
    case SC_NODE_NOT: return find_constant(n->u.child);
    case SC_NODE_AND:
    case SC_NODE_OR:
        for (size_t i = 0; i < n->u.list.n; i++)
            if (find_constant(n->u.list.items[i]))
                return true;
        return false;
    default: return false;
    }
}

/* The and-operands of a condition, one conjunct each; an or is
 * parenthesized (lines are ANDed without it, and YARA-L groups an or
 * with its neighbouring lines). A true operand needs no line. */
static bool put_conjuncts(yl_emit *y, joiner *j, const sc_node *n)
{
    if (n->kind == SC_NODE_SEL)
        return put_conjuncts(y, j, n->u.sel.child);
    if (n->kind == SC_NODE_AND) {
        for (size_t i = 0; i < n->u.list.n; i++)
            if (!put_conjuncts(y, j, n->u.list.items[i]))
                return false;
        return true;
    }
    if (n->kind == SC_NODE_TRUE)
        return true; /* holds for every event of the type: no line */
    if (find_constant(n)) {
        sc_emit_error(&y->base, n->loc, "a condition that never matches, or a constant inside "
                                        "it (YARA-L has no boolean constants)");
        return false;
    }
    next_conjunct(y, j);
    bool ok = sc_put_tree(&y->base, &YARAL_SYNTAX, n, SC_PREC_AND);
    sc_buf_puts(y->base.out, j->after);
    return ok;
}

/* A pipeline attribute that must be upper-case UDM names (letters, digits
 * and `_`), comma-separated. */
static bool udm_names(const char *list)
{
    for (const char *p = list;; p++) {
        size_t len = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        if (len == 0 || (p[len] != ',' && p[len] != '\0'))
            return false;
        p += len;
        if (!*p)
            return true;
    }
}

/* One line `$e.<field> = "A"` (or an `or` of several) per name of a list. */
static void put_names(yl_emit *y, joiner *j, const char *field, const char *list)
{
    terms t = {{0}, 0};
    for (const char *p = list; *p; p += *p == ',') {
        size_t len = strcspn(p, ",");
        sc_buf_printf(next_term(&t), "%s.%s = \"%.*s\"", y->var, field, (int)len, p);
        p += len;
    }
    put_terms(next_conjunct(y, j), &t);
    sc_buf_puts(y->base.out, j->after);
}

/* The rule's scope, set by the pipeline: the UDM event type(s)
 * (`udm_event_type`), and the log type (`udm_log_type`) where a parser's
 * mapping holds for its own log type only. One of them is required. */
static bool put_event_type(yl_emit *y, joiner *j, const sigcc_rule *r)
{
    const char *types = sc_custom_attribute(r, "udm_event_type");
    const char *log = sc_custom_attribute(r, "udm_log_type");
    if (!types && !log) {
        sc_emit_error(&y->base, sc_rule_loc(r),
                      "logsource (category %s, product %s, service %s): no UDM event type for "
                      "it (the pipeline sets the rule's udm_event_type or udm_log_type "
                      "attribute; google_udm maps the Sysmon categories process_creation, "
                      "process_termination, network_connection, dns_query, file_event, "
                      "file_delete, image_load, process_access and registry_*, Windows event "
                      "log sources, AWS CloudTrail, GCP Cloud Audit and Okta)",
                      r->logsource.category ? r->logsource.category : "-",
                      r->logsource.product ? r->logsource.product : "-",
                      r->logsource.service ? r->logsource.service : "-");
        return false;
    }
    const char *bad = types && !udm_names(types) ? types : log && !udm_names(log) ? log : NULL;
    if (bad) {
        sc_emit_error(&y->base, sc_rule_loc(r), "the event or log type '%.100s' (udm_event_type "
                                                "and udm_log_type must be upper-case UDM names, "
                                                "comma-separated)",
                      bad);
        return false;
    }
    if (types)
        put_names(y, j, "metadata.event_type", types);
    if (log)
        put_names(y, j, "metadata.log_type", log);
    return true;
}

/* The event type, the condition and each filter tuning the rule. */
static bool put_rule_events(yl_emit *y, joiner *j, const sigcc_rule *r)
{
    const sigcc_rule *outer = y->base.rule;
    y->base.rule = r; /* errors inside point at the rule itself */
    bool ok = put_event_type(y, j, r);
    for (size_t i = 0; ok && i <= r->applied_filters.n; i++) {
        const sc_node *n = i ? ((const sigcc_rule *)r->applied_filters.items[i - 1])->condition
                             : r->condition;
        ok = put_conjuncts(y, j, n);
    }
    y->base.rule = outer;
    return ok;
}

/* ------------------------------------------------------------------ meta */
/* A meta value on one line: whitespace and control characters folded
 * into single spaces (meta only describes; nothing matches on it). */
static void put_meta(sc_buf *b, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    sc_buf_printf(b, "    %s = \"", key);
    bool space = false, any = false;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p <= ' ' || *p == 0x7f) {
            space = any;
            continue;
        }
        if (space)
            sc_buf_putc(b, ' ');
        space = false;
        any = true;
        if (*p == '"' || *p == '\\')
            sc_buf_putc(b, '\\');
        sc_buf_putc(b, (char)*p);
    }
    sc_buf_puts(b, "\"\n");
}

static void put_meta_list(sc_buf *b, const char *key, const sc_strlist *l, const char *sep)
{
    sc_buf v = {0};
    for (size_t i = 0; i < l->n; i++) {
        sc_buf_puts(&v, i ? sep : "");
        sc_buf_puts(&v, l->items[i]);
    }
    if (v.len)
        put_meta(b, key, v.data);
    sc_buf_free(&v);
}

/* ATT&CK tactics by name and techniques by id, from the rule's tags. */
static void put_attack(sc_buf *b, const sc_strlist *tags)
{
    sc_buf tactics = {0}, techniques = {0};
    for (size_t i = 0; i < tags->n; i++) {
        const sc_tactic *t = sc_tactic_for_tag(tags->items[i]);
        char id[32];
        if (t)
            sc_buf_printf(&tactics, "%s%s", tactics.len ? ", " : "", t->name);
        else if (sc_technique_id(tags->items[i], id, sizeof id))
            sc_buf_printf(&techniques, "%s%s", techniques.len ? ", " : "", id);
    }
    if (tactics.len)
        put_meta(b, "mitre_attack_tactic", tactics.data);
    if (techniques.len)
        put_meta(b, "mitre_attack_technique", techniques.data);
    sc_buf_free(&tactics);
    sc_buf_free(&techniques);
}

static void put_severity(sc_buf *b, const char *level)
{
    if (!level)
        return;
    char up[32];
    size_t n = 0;
    for (; level[n] && n + 1 < sizeof up; n++)
        up[n] = level[n] >= 'a' && level[n] <= 'z' ? (char)(level[n] - 'a' + 'A') : level[n];
    up[n] = 0;
    put_meta(b, "severity", up);
}

static void put_meta_section(sc_buf *b, const sigcc_rule *r)
{
    sc_buf_puts(b, "  meta:\n");
    put_meta(b, "title", r->title);
    put_meta(b, "description", r->description ? r->description : r->title);
    put_meta(b, "author", r->author);
    put_meta(b, "rule_id", r->id);
    put_severity(b, r->level);
    put_meta(b, "status", r->status);
    put_meta_list(b, "reference", &r->references, ", ");
    put_attack(b, &r->tags);
    put_meta_list(b, "false_positives", &r->falsepositives, "; ");
    put_meta(b, "created", r->date);
    /* Sigma rules carry no version; the last change date stands for it. */
    put_meta(b, "version", r->modified ? r->modified : r->date);
}

/* The rule's name: its Sigma name (or title) in lower-case letters,
 * digits and single underscores, starting with a letter. */
static void put_ident(sc_buf *b, const sigcc_rule *r)
{
    const char *src = r->name ? r->name : r->title ? r->title : r->id ? r->id : "";
    size_t start = b->len, n = 0;
    bool gap = false;
    for (const unsigned char *p = (const unsigned char *)src; *p && n < 120; p++) {
        unsigned char c = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p - 'A' + 'a') : *p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (gap && n)
                sc_buf_putc(b, '_'), n++;
            if (n == 0 && !(c >= 'a' && c <= 'z'))
                sc_buf_puts(b, "sigma_"), n += 6;
            sc_buf_putc(b, (char)c);
            n++;
            gap = false;
        } else {
            gap = true;
        }
    }
    if (b->len == start)
        sc_buf_puts(b, "sigma_rule");
}

static void put_rule_head(sc_buf *b, const sigcc_rule *r)
{
    sc_buf_puts(b, "rule ");
    put_ident(b, r);
    sc_buf_puts(b, " {\n");
    put_meta_section(b, r);
    sc_buf_puts(b, "  events:\n");
}

/* The hunting block's aggregates over event fields, as outcome variables
 * of an aggregating rule (docs/hunting.md). Label columns, the severity
 * ladder and the order are not written: a label needs a nested if() that
 * no YARA-L document shows, and YARA-L has no result order; the rule's
 * severity stays in meta. `open` says whether "outcome:" is written. */
static bool put_hunting_outcomes(yl_emit *y, const sigcc_rule *r, bool open)
{
    static const char *const fn[] = {"count_distinct", "sum", "avg", "min", "max",
                                     "array_distinct"};
    const sc_hunting *h = r->hunting;
    for (size_t i = 0; h && i < h->n_aggregates; i++) {
        const sc_hunt_aggregate *g = &h->aggregates[i];
        if (g->of_column)
            continue;
        if (!open)
            sc_buf_puts(y->base.out, "  outcome:\n");
        open = true;
        sc_buf_printf(y->base.out, "    $%s = %s(", g->name, fn[g->fn]);
        if (!put_field(y, y->base.out, g->loc, g->field))
            return false;
        sc_buf_puts(y->base.out, ")\n");
    }
    return true;
}

/* ------------------------------------------------------------ detection */
static bool yaral_detection(sc_emit *e, const char *format)
{
    (void)format;
    yl_emit y = {*e, "$e", ""};
    const sigcc_rule *r = e->rule;
    put_rule_head(e->out, r);
    joiner j = LINES;
    bool ok = put_rule_events(&y, &j, r);
    sc_buf_puts(e->out, "  condition:\n    $e\n}\n");
    e->failed |= y.base.failed;
    return ok && !y.base.failed;
}

/* ---------------------------------------------------------- correlations */
/* A placeholder for a group-by name (a UDM path, or an alias name):
 * lower-case snake case, starting with a letter, never an event variable
 * ($e, $e1...) and never an earlier placeholder. */
static char *placeholder(const sc_correlation *c, size_t g, char *const *earlier)
{
    sc_buf b = {0};
    sc_buf_putc(&b, '$');
    bool gap = false;
    for (const unsigned char *p = (const unsigned char *)c->group_by[g]; *p && b.len < 100; p++) {
        unsigned char ch = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p - 'A' + 'a') : *p;
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (alnum && gap && b.len > 1)
            sc_buf_putc(&b, '_');
        if (alnum && b.len == 1 && !(ch >= 'a' && ch <= 'z'))
            sc_buf_puts(&b, "g_");
        if (alnum)
            sc_buf_putc(&b, (char)ch);
        gap = !alnum;
    }
    const char *s = b.data ? b.data + 1 : "";
    size_t n = b.len ? b.len - 1 : 0;
    if (n == 0)
        sc_buf_puts(&b, "group");
    else if (s[0] == 'e' && strspn(s + 1, "0123456789") == n - 1)
        sc_buf_puts(&b, "_group");
    for (size_t i = 0; i < g; i++)
        if (earlier[i] && !strcmp(earlier[i], b.data ? b.data : ""))
            sc_buf_printf(&b, "_%zu", g + 1);
    return sc_buf_take(&b);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

static char **placeholders(yl_emit *y, const sc_correlation *c)
{
    char **names = calloc(c->n_group_by ? c->n_group_by : 1, sizeof *names);
    for (size_t g = 0; names && g < c->n_group_by; g++)
        if (!(names[g] = placeholder(c, g, names))) {
            free_names(names, g);
            names = NULL;
        }
    if (!names)
        y->base.out->oom = true;
    return names;
}

/* `$name = $e.field` for each group-by name, with this rule's field. */
static bool put_bindings(yl_emit *y, const sc_correlation *c, const sigcc_rule *r,
                         char *const *names)
{
    for (size_t g = 0; g < c->n_group_by; g++) {
        const char *field = sc_group_field(c, g, r);
        if (!field) {
            sc_emit_error(&y->base, sc_rule_loc(y->base.rule),
                          "an alias without a field for one of its rules");
            return false;
        }
        sc_buf_printf(y->base.out, "    %s = ", names[g]);
        if (!put_field(y, y->base.out, sc_rule_loc(y->base.rule), field))
            return false;
        sc_buf_putc(y->base.out, '\n');
    }
    return true;
}

/* A window YARA-L accepts: whole minutes from 1m to 48h. */
static bool check_window(yl_emit *y, const sc_correlation *c)
{
    uint64_t s = c->timespan_s;
    if (s >= YL_MIN_WINDOW && s <= YL_MAX_WINDOW && s % 60 == 0)
        return true;
    sc_emit_error(&y->base, sc_rule_loc(y->base.rule),
                  "the timespan %s (a match window is whole minutes from 1m to 48h)",
                  c->timespan_text ? c->timespan_text : "?");
    return false;
}

/* One event variable $e for all referenced rules: their events ORed.
 * Several rules must group by the same fields (one placeholder binds
 * one field of $e). */
static bool put_shared_events(yl_emit *y, const sc_correlation *c, char *const *names)
{
    const sigcc_rule *first = sc_corr_source(&y->base, c, 0);
    if (!first)
        return false;
    if (c->n_rules == 1) {
        joiner j = LINES;
        return put_rule_events(y, &j, first) && put_bindings(y, c, first, names);
    }
    sc_buf_puts(y->base.out, "    (");
    for (size_t i = 0; i < c->n_rules; i++) {
        const sigcc_rule *r = sc_corr_source(&y->base, c, i);
        if (!r)
            return false;
        for (size_t g = 0; g < c->n_group_by; g++) {
            const char *a = sc_group_field(c, g, first), *b = sc_group_field(c, g, r);
            if (a && b && strcmp(a, b) != 0) {
                sc_emit_error(&y->base, sc_rule_loc(y->base.rule),
                              "%s correlations over rules grouped by different fields (aliases "
                              "need one event variable per rule, and counts over several "
                              "variables)",
                              sc_corr_type_name(c->type));
                return false;
            }
        }
        joiner j = INLINE;
        sc_buf_puts(y->base.out, i ? " or (" : "(");
        if (!put_rule_events(y, &j, r))
            return false;
        sc_buf_putc(y->base.out, ')');
    }
    sc_buf_puts(y->base.out, ")\n");
    return put_bindings(y, c, first, names);
}

/* The aggregate of a value_* correlation as an outcome variable. */
static bool put_aggregate(yl_emit *y, const sc_correlation *c, const char **var)
{
    static const char *const fn[] = {
        [SC_CORR_VALUE_COUNT] = "count_distinct", [SC_CORR_VALUE_SUM] = "sum",
        [SC_CORR_VALUE_AVG] = "avg",
    };
    static const char *const name[] = {
        [SC_CORR_VALUE_COUNT] = "$value_count", [SC_CORR_VALUE_SUM] = "$value_sum",
        [SC_CORR_VALUE_AVG] = "$value_avg",
    };
    if (c->n_fields != 1) {
        sc_emit_error(&y->base, sc_rule_loc(y->base.rule), "a %s over %zu fields in one "
                                                           "aggregate",
                      sc_corr_type_name(c->type), c->n_fields);
        return false;
    }
    *var = name[c->type];
    sc_buf_printf(y->base.out, "  outcome:\n    %s = %s(", *var, fn[c->type]);
    if (!put_field(y, y->base.out, sc_rule_loc(y->base.rule), c->fields[0]))
        return false;
    sc_buf_puts(y->base.out, ")\n");
    return true;
}

/* `subject > 2 and subject <= 5`; an upper bound or equality also needs
 * the event variable itself, which a count alone would not require. */
static void put_comparisons(sc_buf *b, const sc_correlation *c, const char *subject)
{
    bool lower_only = true;
    for (size_t k = 0; k < c->n_conds; k++)
        lower_only &= c->conds[k].cmp == SC_CMP_GT || c->conds[k].cmp == SC_CMP_GTE;
    if (!lower_only || subject[0] == '$')
        sc_buf_puts(b, "$e and ");
    for (size_t k = 0; k < c->n_conds; k++)
        sc_buf_printf(b, "%s%s %s %.17g", k ? " and " : "", subject,
                      sc_cmp_text(c->conds[k].cmp, "=", "!="), c->conds[k].value);
}

static void put_match_section(sc_buf *b, const sc_correlation *c, char *const *names)
{
    sc_buf_puts(b, "  match:\n    ");
    for (size_t g = 0; g < c->n_group_by; g++)
        sc_buf_printf(b, "%s%s", g ? ", " : "", names[g]);
    sc_buf_puts(b, " over ");
    sc_put_span(b, c->timespan_s, false);
    sc_buf_putc(b, '\n');
}

/* event_count and value_*: one event variable, counted or aggregated. */
static bool put_aggregation(yl_emit *y, const sc_correlation *c, char *const *names)
{
    if (!put_shared_events(y, c, names))
        return false;
    put_match_section(y->base.out, c, names);
    const char *subject = "#e";
    if (c->type != SC_CORR_EVENT_COUNT && !put_aggregate(y, c, &subject))
        return false;
    if (!put_hunting_outcomes(y, y->base.rule, c->type != SC_CORR_EVENT_COUNT))
        return false;
    sc_buf_puts(y->base.out, "  condition:\n    ");
    put_comparisons(y->base.out, c, subject);
    sc_buf_putc(y->base.out, '\n');
    return true;
}

/* $e1 before $e2: seconds, then nanoseconds within the same second. */
static void put_order(sc_buf *b, size_t i)
{
    const char *ts = "metadata.event_timestamp";
    sc_buf_printf(b, "    ($e%zu.%s.seconds < $e%zu.%s.seconds or ($e%zu.%s.seconds = "
                     "$e%zu.%s.seconds and $e%zu.%s.nanos <= $e%zu.%s.nanos))\n",
                  i, ts, i + 1, ts, i, ts, i + 1, ts, i, ts, i + 1, ts);
}

/* temporal and temporal_ordered: one event variable per rule, joined by
 * the placeholders, all present within the window. */
static bool put_temporal(yl_emit *y, const sc_correlation *c, char *const *names)
{
    double n = (double)c->n_rules;
    const sc_corr_cond *k = &c->conds[0];
    if (c->n_conds != 1 || !((k->cmp == SC_CMP_GTE && k->value == n) ||
                             (k->cmp == SC_CMP_GT && k->value == n - 1))) {
        sc_emit_error(&y->base, sc_rule_loc(y->base.rule),
                      "a temporal condition other than all referenced rules (YARA-L needs "
                      "each event variable of the rule)");
        return false;
    }
    for (size_t i = 0; i < c->n_rules; i++) {
        const sigcc_rule *r = sc_corr_source(&y->base, c, i);
        snprintf(y->numbered, sizeof y->numbered, "$e%zu", i + 1);
        y->var = y->numbered;
        joiner j = LINES;
        if (!r || !put_rule_events(y, &j, r) || !put_bindings(y, c, r, names))
            return false;
    }
    for (size_t i = 1; c->type == SC_CORR_TEMPORAL_ORDERED && i < c->n_rules; i++)
        put_order(y->base.out, i);
    put_match_section(y->base.out, c, names);
    sc_buf_puts(y->base.out, "  condition:\n    ");
    for (size_t i = 0; i < c->n_rules; i++)
        sc_buf_printf(y->base.out, "%s$e%zu", i ? " and " : "", i + 1);
    sc_buf_putc(y->base.out, '\n');
    return true;
}

static bool put_correlation(yl_emit *y, const sc_correlation *c)
{
    sc_loc at = sc_rule_loc(y->base.rule);
    if (c->type == SC_CORR_VALUE_PERCENTILE) {
        sc_emit_error(&y->base, at, "value_percentile correlations (YARA-L outcomes have no "
                                    "percentile aggregate)");
        return false;
    }
    if (c->n_group_by == 0) {
        sc_emit_error(&y->base, at, "a correlation without group-by (a YARA-L match section "
                                    "needs at least one placeholder)");
        return false;
    }
    if (!check_window(y, c))
        return false;
    char **names = placeholders(y, c);
    if (!names)
        return false;
    put_rule_head(y->base.out, y->base.rule);
    bool ok = c->type == SC_CORR_TEMPORAL || c->type == SC_CORR_TEMPORAL_ORDERED
                  ? put_temporal(y, c, names)
                  : put_aggregation(y, c, names);
    sc_buf_puts(y->base.out, "}\n");
    free_names(names, c->n_group_by);
    return ok;
}

static bool yaral_correlation(sc_emit *e, const char *format)
{
    (void)format;
    yl_emit y = {*e, "$e", ""};
    bool ok = put_correlation(&y, e->rule->corr);
    e->failed |= y.base.failed;
    return ok && !y.base.failed;
}

static const char *const YARAL_FORMATS[] = {"default", NULL};

const sc_backend sc_backend_yaral = {
    .name = "yaral",
    .language = "YARA-L",
    .default_pipeline = "google_udm",
    .formats = YARAL_FORMATS,
    .detection = yaral_detection,
    .correlation = yaral_correlation,
};
