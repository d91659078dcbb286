/*
 * test_loader.c - YAML loading and rule building: multi-document files,
 * metadata, scalar typing, detection shapes, correlation rules (spec
 * section 7), filters (section 6) applied by sigcc_resolve, and the
 * loader's limits with their own diagnostic codes.
 *
 * Groups:
 *   loader: documents and metadata
 *   loader: values and detection shapes
 *   loader: correlations
 *   loader: filters
 *   loader: limits
 *   loader: regressions - bugs found by these tests, fixed, kept as regressions
 */
#include "test_util.h"

#define UUID_A "5d7ba1c2-93b2-4f6e-9d8f-3c1f2b0a7e44"
#define UUID_B "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#define UUID_C "11111111-2222-4333-8444-555555555555"

/* ------------------------------------------------------------ helpers */
static const sc_match *sel_match(const sigcc_rule *r, const char *sel, size_t i)
{
    const sc_node *n = tu_selection(r, sel)->node;
    if (n->kind == SC_NODE_AND) {
        assert_true(i < n->u.list.n);
        n = n->u.list.items[i];
    } else {
        assert_int_equal(i, 0);
    }
    assert_int_equal(n->kind, SC_NODE_MATCH);
    return &n->u.match;
}

static const sigcc_rule *rule_titled(const sigcc_ctx *ctx, const char *title)
{
    for (size_t i = 0; i < sigcc_rule_count(ctx); i++) {
        const sigcc_rule *r = sigcc_rule_at(ctx, i);
        if (r->title && strcmp(r->title, title) == 0)
            return r;
    }
    print_message("no rule titled '%s'\n", title);
    tu_dump_diags(ctx);
    fail();
    return NULL;
}

static bool vec_has(const sc_vec *v, const void *p)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i] == p)
            return true;
    return false;
}

/* Two detection rules (names rule_a, rule_b) that correlations reference. */
#define BASE_RULES                                                                         \
    "title: Rule A\n"                                                                      \
    "id: " UUID_A "\n"                                                                     \
    "name: rule_a\n"                                                                       \
    "logsource: {category: process_creation, product: windows}\n"                          \
    "detection:\n"                                                                         \
    "    sel: {Image: a.exe}\n"                                                            \
    "    condition: sel\n"                                                                 \
    "---\n"                                                                                \
    "title: Rule B\n"                                                                      \
    "id: " UUID_B "\n"                                                                     \
    "name: rule_b\n"                                                                       \
    "logsource: {category: process_creation, product: windows}\n"                          \
    "detection:\n"                                                                         \
    "    sel: {Image: b.exe}\n"                                                            \
    "    condition: sel\n"                                                                 \
    "---\n"

/* Loads the base rules plus one correlation document whose `correlation:`
 * map body is given (lines indented by 4). */
static sigcc_ctx *load_corr(const char *body)
{
    sc_buf b = {0};
    sc_buf_puts(&b, BASE_RULES "title: Corr\ncorrelation:\n");
    tu_put_indented(&b, body, "    ");
    return tu_load_buf(&b);
}

/* The correlation of a load_corr() that must be clean. */
static const sc_correlation *corr_of(const sigcc_ctx *ctx)
{
    tu_expect_clean(ctx, 3);
    const sigcc_rule *r = tu_rule(ctx, 2);
    assert_int_equal(sigcc_rule_get_kind(r), SIGCC_RULE_CORRELATION);
    assert_string_equal(sigcc_rule_title(r), "Corr");
    assert_non_null(r->corr);
    return r->corr;
}

/* Correlation document starts on line 17; its body (load_corr) on line 19. */
#define CORR_BODY_LINE 19

static void corr_rejected(const char *body, const char *code, uint32_t line, uint32_t col)
{
    sigcc_ctx *ctx = load_corr(body);
    assert_int_equal(sigcc_rule_count(ctx), 2);
    tu_expect_error_at(ctx, code, line, col);
    tu_release(ctx);
}

/* ============================================ documents and metadata */
static void test_multi_document(void **state)
{
    (void)state;
    sigcc_status st;
    sigcc_ctx *ctx = tu_load_status(BASE_RULES "title: Corr\n"
                                               "correlation:\n"
                                               "    type: temporal\n"
                                               "    rules: [rule_a, rule_b]\n"
                                               "    timespan: 10m\n",
                                    &st);
    assert_int_equal(st, SIGCC_OK);
    tu_expect_clean(ctx, 3);
    assert_int_equal(sigcc_document_count(ctx), 3);
    const sigcc_rule *a = tu_rule(ctx, 0), *b = tu_rule(ctx, 1), *c = tu_rule(ctx, 2);
    assert_string_equal(sigcc_rule_title(a), "Rule A");
    assert_string_equal(sigcc_rule_title(b), "Rule B");
    assert_string_equal(sigcc_rule_title(c), "Corr");
    assert_int_equal(sigcc_rule_get_kind(a), SIGCC_RULE_DETECTION);
    assert_int_equal(sigcc_rule_get_kind(c), SIGCC_RULE_CORRELATION);
    assert_int_equal(sigcc_rule_line(a), 1);
    assert_int_equal(sigcc_rule_line(b), 9);
    assert_int_equal(sigcc_rule_line(c), 17);
    assert_int_equal(a->doc_index, 0);
    assert_int_equal(b->doc_index, 1);
    assert_int_equal(c->doc_index, 2);
    assert_string_equal(sigcc_rule_file(a), "t.yml");
    assert_string_equal(sigcc_rule_id(a), UUID_A);
    tu_release(ctx);
}

static void test_multi_document_one_bad(void **state)
{
    (void)state;
    sigcc_status st;
    sigcc_ctx *ctx = tu_load_status("title: Good 1\n"
                                    "logsource: {product: windows}\n"
                                    "detection: {sel: {a: 1}, condition: sel}\n"
                                    "---\n"
                                    "title: Bad\n"
                                    "logsource: {product: windows}\n"
                                    "detection: {sel: {a|nope: 1}, condition: sel}\n"
                                    "---\n"
                                    "title: Good 2\n"
                                    "logsource: {product: windows}\n"
                                    "detection: {sel: {a: 1}, condition: sel}\n",
                                    &st);
    assert_int_equal(st, SIGCC_EINVALID);
    assert_int_equal(sigcc_document_count(ctx), 3);
    assert_int_equal(sigcc_rule_count(ctx), 2);
    assert_string_equal(sigcc_rule_title(tu_rule(ctx, 0)), "Good 1");
    assert_string_equal(sigcc_rule_title(tu_rule(ctx, 1)), "Good 2");
    assert_int_equal(tu_rule(ctx, 1)->doc_index, 2);
    tu_expect_error_at(ctx, "unknown-modifier", 7, 21);
    tu_release(ctx);
}

static void test_explicit_document_markers(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("---\n"
                             "title: One\n"
                             "logsource: {product: windows}\n"
                             "detection: {sel: {a: 1}, condition: sel}\n"
                             "...\n"
                             "---\n"
                             "title: Two\n"
                             "logsource: {product: windows}\n"
                             "detection: {sel: {a: 1}, condition: sel}\n");
    tu_expect_clean(ctx, 2);
    assert_int_equal(sigcc_document_count(ctx), 2);
    assert_int_equal(sigcc_rule_line(tu_rule(ctx, 0)), 2);
    assert_int_equal(sigcc_rule_line(tu_rule(ctx, 1)), 7);
    tu_release(ctx);
}

static void test_metadata_fields(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: Suspicious Thing\n"
                             "id: " UUID_A "\n"
                             "name: suspicious_thing\n"
                             "related:\n"
                             "    - id: " UUID_B "\n"
                             "      type: derived\n"
                             "    - id: " UUID_C "\n"
                             "      type: obsolete\n"
                             "status: experimental\n"
                             "description: Detects a thing\n"
                             "references:\n"
                             "    - https://example.com/a\n"
                             "    - https://example.com/b\n"
                             "author: Alice, Bob\n"
                             "date: 2024-01-31\n"
                             "modified: 2025-02-28\n"
                             "tags:\n"
                             "    - attack.execution\n"
                             "    - attack.t1059.001\n"
                             "    - detection.threat-hunting\n"
                             "license: MIT\n"
                             "taxonomy: sigma\n"
                             "logsource:\n"
                             "    category: process_creation\n"
                             "    product: windows\n"
                             "    service: sysmon\n"
                             "    definition: needs Sysmon\n"
                             "    custom_key: v\n"
                             "detection:\n"
                             "    sel: {Image: x}\n"
                             "    condition: sel\n"
                             "fields: [Image, User]\n"
                             "falsepositives:\n"
                             "    - Admin activity\n"
                             "    - Unknown\n"
                             "level: high\n"
                             "scope: [server]\n");
    tu_expect_clean(ctx, 1);
    const sigcc_rule *r = tu_rule(ctx, 0);
    assert_string_equal(r->title, "Suspicious Thing");
    assert_string_equal(r->id, UUID_A);
    assert_string_equal(r->name, "suspicious_thing");
    assert_int_equal(r->n_related, 2);
    assert_string_equal(r->related[0].id, UUID_B);
    assert_string_equal(r->related[0].type, "derived");
    assert_string_equal(r->related[1].id, UUID_C);
    assert_string_equal(r->related[1].type, "obsolete");
    assert_string_equal(r->status, "experimental");
    assert_string_equal(r->description, "Detects a thing");
    assert_int_equal(r->references.n, 2);
    assert_string_equal(r->references.items[0], "https://example.com/a");
    assert_string_equal(r->references.items[1], "https://example.com/b");
    assert_string_equal(r->author, "Alice, Bob");
    assert_string_equal(r->date, "2024-01-31");
    assert_string_equal(r->modified, "2025-02-28");
    assert_int_equal(r->tags.n, 3);
    assert_string_equal(r->tags.items[0], "attack.execution");
    assert_string_equal(r->tags.items[1], "attack.t1059.001");
    assert_string_equal(r->tags.items[2], "detection.threat-hunting");
    assert_string_equal(r->license, "MIT");
    assert_string_equal(r->taxonomy, "sigma");
    assert_true(r->has_logsource);
    assert_string_equal(r->logsource.category, "process_creation");
    assert_string_equal(r->logsource.product, "windows");
    assert_string_equal(r->logsource.service, "sysmon");
    assert_string_equal(r->logsource.definition, "needs Sysmon");
    assert_int_equal(r->logsource.n_extra, 1);
    assert_string_equal(r->logsource.extra[0].key, "custom_key");
    assert_string_equal(r->logsource.extra[0].value, "v");
    assert_int_equal(r->fields.n, 2);
    assert_string_equal(r->fields.items[1], "User");
    assert_int_equal(r->falsepositives.n, 2);
    assert_string_equal(r->falsepositives.items[0], "Admin activity");
    assert_string_equal(r->level, "high");
    assert_int_equal(r->scope.n, 1);
    assert_string_equal(r->scope.items[0], "server");
    assert_int_equal(r->n_custom, 0);
    tu_release(ctx);
}

static void test_falsepositives_scalar(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: t\nfalsepositives: Unlikely\nlogsource: {product: x}\n"
                             "detection: {sel: {a: 1}, condition: sel}\n");
    tu_expect_clean(ctx, 1);
    const sigcc_rule *r = tu_rule(ctx, 0);
    assert_int_equal(r->falsepositives.n, 1);
    assert_string_equal(r->falsepositives.items[0], "Unlikely");
    assert_null(r->id);
    assert_null(sigcc_rule_id(r));
    tu_release(ctx);
}

static void test_custom_fields_kept(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: t\n"
                             "x-owner: blue team\n"
                             "custom_map:\n"
                             "    a: 1\n"
                             "    b: [x, y]\n"
                             "logsource: {product: x}\n"
                             "detection: {sel: {a: 1}, condition: sel}\n"
                             "custom_list: [1, 2, 3]\n");
    tu_expect_clean(ctx, 1);
    const sigcc_rule *r = tu_rule(ctx, 0);
    assert_int_equal(r->n_custom, 3);
    assert_string_equal(r->custom[0].key, "x-owner");
    assert_int_equal(r->custom[0].value->kind, SC_Y_SCALAR);
    assert_string_equal(r->custom[0].value->text, "blue team");
    assert_string_equal(r->custom[1].key, "custom_map");
    const sc_ynode *map = r->custom[1].value;
    assert_int_equal(map->kind, SC_Y_MAP);
    assert_int_equal(map->n_pairs, 2);
    assert_string_equal(map->pairs[1].key->text, "b");
    assert_int_equal(map->pairs[1].value->kind, SC_Y_SEQ);
    assert_int_equal(map->pairs[1].value->n_items, 2);
    assert_string_equal(map->pairs[1].value->items[1]->text, "y");
    assert_string_equal(r->custom[2].key, "custom_list");
    assert_int_equal(r->custom[2].value->kind, SC_Y_SEQ);
    assert_int_equal(r->custom[2].value->n_items, 3);
    tu_release(ctx);
}

static void test_metadata_lint_errors(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *code;
        uint32_t col;
    } cases[] = {
        {"id: not-a-uuid", "invalid-id", 5},
        {"date: 2024/01/31", "invalid-date", 7},
        {"modified: 2024-13-01", "invalid-date", 11},
        {"status: done", "invalid-value", 9},
        {"level: severe", "invalid-value", 8},
        {"tags: [Attack.T1059]", "invalid-tag", 8},
        {"tags: [attack]", "invalid-tag", 8},
        {"related: [{id: " UUID_B ", type: obsoletes}]", "invalid-value", 60},
        {"related: [{id: " UUID_B ", type: copy}]", "invalid-value", 60},
        {"related: [{id: 12, type: derived}]", "invalid-id", 16},
        {"references: https://x", "field-type", 13},
        {"title: [a, b]", "field-type", 8},
    };
    for (size_t i = 0; i < TU_COUNT(cases); i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "logsource: {product: x}\ndetection: {sel: {a: 1}, condition: sel}\n%s\n%s\n",
                 strncmp(cases[i].line, "title:", 6) ? "title: t" : "x-t: t", cases[i].line);
        sigcc_ctx *ctx = tu_load(yaml);
        if (sigcc_rule_count(ctx) != 0)
            print_message("case %zu [%s] accepted\n", i, cases[i].line);
        tu_expect_rejected_at(ctx, cases[i].code, 4, cases[i].col);
    }
}

static void test_required_fields(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("logsource: {product: x}\ndetection: {sel: {a: 1}, condition: sel}\n");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    assert_non_null(tu_find_diag(ctx, "missing-field"));
    assert_non_null(strstr(tu_find_diag(ctx, "missing-field")->message, "title"));
    tu_release(ctx);
    ctx = tu_load("title: t\ndetection: {sel: {a: 1}, condition: sel}\n");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    assert_non_null(strstr(tu_find_diag(ctx, "missing-field")->message, "logsource"));
    tu_release(ctx);
    ctx = tu_load("title: t\nlogsource: {product: x}\n");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    assert_non_null(strstr(tu_find_diag(ctx, "missing-field")->message, "detection"));
    tu_release(ctx);
}

static void test_v1_action_rejected(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("action: global\ntitle: t\n");
    tu_expect_rejected_at(ctx, "v1-action", 1, 9);
}

static void test_not_a_map_and_empty(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("- a\n- b\n");
    tu_expect_rejected_at(ctx, "document-type", 1, 1);
    sigcc_status st;
    ctx = tu_load_status("  \n\n", &st);
    assert_int_equal(st, SIGCC_EINVALID);
    assert_non_null(tu_find_diag(ctx, "empty-file"));
    tu_release(ctx);
    ctx = tu_load("title: t\nlogsource: [\n");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    assert_non_null(tu_find_diag(ctx, "yaml-syntax"));
    tu_release(ctx);
}

static void test_yaml_aliases_and_tags(void **state)
{
    (void)state;
    /* an alias to a complete anchor is the anchored value */
    sigcc_ctx *ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                             "    a: {f: &v 'x'}\n    b: {g: *v}\n    condition: a and b\n");
    tu_expect_clean(ctx, 1);
    tu_expect_string_value(&sel_match(tu_rule(ctx, 0), "b", 0)->values[0], "x");
    tu_release(ctx);
    /* undefined, or not yet complete (self-reference) */
    ctx = tu_load("title: t\nx: *nope\n");
    tu_expect_rejected_at(ctx, "yaml-alias", 2, 4);
    ctx = tu_load("title: t\nx: &a [*a]\n");
    tu_expect_rejected_at(ctx, "yaml-alias", 2, 8);
    /* anchors do not cross documents */
    ctx = tu_load("title: t\nx: &a 1\n---\ntitle: u\ny: *a\n");
    tu_expect_error_at(ctx, "yaml-alias", 5, 4);
    tu_release(ctx);
    /* application tags are refused; !!str is fine */
    ctx = tu_load("title: !!binary aGVsbG8=\n");
    tu_expect_rejected_at(ctx, "yaml-tag", 1, 8);
    ctx = tu_load("title: !custom x\n");
    tu_expect_error_at(ctx, "yaml-tag", 1, 8);
    tu_release(ctx);
}

static void test_duplicate_top_level_key(void **state)
{
    (void)state;
    /* YAML keys are unique; a second 'title' must not silently win or lose */
    sigcc_ctx *ctx = tu_load("title: one\nlogsource: {product: x}\n"
                             "detection: {sel: {a: 1}, condition: sel}\ntitle: two\n");
    tu_expect_rejected_at(ctx, "duplicate-key", 4, 1);
}

/* ===================================== values and detection shapes */
static void test_scalar_typing_in_detection(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                             "    sel:\n"
                             "        a: 123\n"          /* 0 */
                             "        b: '123'\n"        /* 1 */
                             "        c: 1.5\n"          /* 2 */
                             "        d: true\n"         /* 3 */
                             "        e: 'true'\n"       /* 4 */
                             "        f: null\n"         /* 5 */
                             "        g: ~\n"            /* 6 */
                             "        h:\n"              /* 7 */
                             "        i: \"123\"\n"      /* 8 */
                             "        j: 0x1F\n"         /* 9 */
                             "        k: no\n"           /* 10 */
                             "        l: -7\n"           /* 11 */
                             "        m: !!str 5\n"      /* 12 */
                             "        n: 1.0.0\n"        /* 13 */
                             "        o: 'null'\n"       /* 14 */
                             "        p: False\n"        /* 15 */
                             "    condition: sel\n");
    tu_expect_clean(ctx, 1);
    const sigcc_rule *r = tu_rule(ctx, 0);
    const sc_value *v;
    v = &sel_match(r, "sel", 0)->values[0];
    assert_int_equal(v->kind, SC_VAL_NUMBER);
    assert_true(v->is_int);
    assert_int_equal(v->ival, 123);
    tu_expect_string_value(&sel_match(r, "sel", 1)->values[0], "123");
    v = &sel_match(r, "sel", 2)->values[0];
    assert_int_equal(v->kind, SC_VAL_NUMBER);
    assert_false(v->is_int);
    assert_true(v->num == 1.5);
    v = &sel_match(r, "sel", 3)->values[0];
    assert_int_equal(v->kind, SC_VAL_BOOL);
    assert_true(v->bval);
    tu_expect_string_value(&sel_match(r, "sel", 4)->values[0], "true");
    assert_int_equal(sel_match(r, "sel", 5)->values[0].kind, SC_VAL_NULL);
    assert_int_equal(sel_match(r, "sel", 6)->values[0].kind, SC_VAL_NULL);
    assert_int_equal(sel_match(r, "sel", 7)->values[0].kind, SC_VAL_NULL);
    tu_expect_string_value(&sel_match(r, "sel", 8)->values[0], "123");
    v = &sel_match(r, "sel", 9)->values[0];
    assert_int_equal(v->kind, SC_VAL_NUMBER);
    assert_int_equal(v->ival, 31);
    v = &sel_match(r, "sel", 10)->values[0];
    assert_int_equal(v->kind, SC_VAL_BOOL); /* YAML 1.1, as PyYAML/pySigma read it */
    assert_false(v->bval);
    v = &sel_match(r, "sel", 11)->values[0];
    assert_int_equal(v->kind, SC_VAL_NUMBER);
    assert_int_equal(v->ival, -7);
    tu_expect_string_value(&sel_match(r, "sel", 12)->values[0], "5");
    tu_expect_string_value(&sel_match(r, "sel", 13)->values[0], "1.0.0");
    tu_expect_string_value(&sel_match(r, "sel", 14)->values[0], "null");
    v = &sel_match(r, "sel", 15)->values[0];
    assert_int_equal(v->kind, SC_VAL_BOOL);
    assert_false(v->bval);
    tu_release(ctx);
}

static sc_ytype type_of(const char *text, sc_ystyle style, int64_t *iv, double *fv, bool *bv)
{
    sc_ynode n = {.kind = SC_Y_SCALAR, .style = style, .text = text, .len = strlen(text)};
    return sc_yaml_scalar_type(&n, iv, fv, bv);
}

static void test_scalar_type_function(void **state)
{
    (void)state;
    int64_t iv = 0;
    double fv = 0;
    bool bv = false;
    assert_int_equal(type_of("42", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_INT);
    assert_int_equal(iv, 42);
    assert_true(fv == 42.0);
    assert_int_equal(type_of("42", SC_YS_SINGLE, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("42", SC_YS_DOUBLE, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("42", SC_YS_LITERAL, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("+5", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_INT);
    assert_int_equal(iv, 5);
    assert_int_equal(type_of("1_000", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_INT);
    assert_int_equal(iv, 1000);
    assert_int_equal(type_of("017", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_INT); /* 1.1 octal */
    assert_int_equal(iv, 15);
    assert_int_equal(type_of("0xff", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_INT);
    assert_int_equal(iv, 255);
    assert_int_equal(type_of("089", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("-2.5", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_FLOAT);
    assert_true(fv == -2.5);
    assert_int_equal(type_of("1.5e+3", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_FLOAT);
    assert_true(fv == 1500.0);
    assert_int_equal(type_of("1e5", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_STR); /* no dot */
    assert_int_equal(type_of("1.2.3.4", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("TRUE", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_BOOL);
    assert_true(bv);
    assert_int_equal(type_of("on", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_BOOL);
    assert_true(bv);
    assert_int_equal(type_of("Off", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_BOOL);
    assert_false(bv);
    assert_int_equal(type_of("tRue", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("NULL", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_NULL);
    assert_int_equal(type_of("", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_NULL);
    assert_int_equal(type_of("", SC_YS_SINGLE, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("-", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("cmd.exe", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_STR);
}

static void test_keyword_list(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                             "    keywords:\n"
                             "        - 'evil.exe'\n"
                             "        - 4624\n"
                             "        - '*mimikatz*'\n"
                             "    condition: keywords\n");
    tu_expect_clean(ctx, 1);
    const sigcc_rule *r = tu_rule(ctx, 0);
    const sc_node *n = tu_selection(r, "keywords")->node;
    assert_int_equal(n->kind, SC_NODE_MATCH);
    const sc_match *m = &n->u.match;
    assert_null(m->field);
    assert_false(m->all);
    assert_int_equal(m->n_values, 3);
    tu_expect_string_value(&m->values[0], "evil.exe");
    assert_int_equal(m->values[1].kind, SC_VAL_NUMBER);
    assert_int_equal(m->values[1].ival, 4624);
    tu_expect_string_value(&m->values[2], "*mimikatz*");
    tu_release(ctx);
}

static void test_keyword_all(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                             "    keywords:\n"
                             "        '|all':\n"
                             "            - 'a'\n"
                             "            - 'b'\n"
                             "    condition: keywords\n");
    tu_expect_clean(ctx, 1);
    const sc_match *m = sel_match(tu_rule(ctx, 0), "keywords", 0);
    assert_null(m->field);
    assert_true(m->all);
    assert_int_equal(m->n_values, 2);
    tu_expect_string_value(&m->values[0], "a");
    tu_expect_string_value(&m->values[1], "b");
    tu_release(ctx);
}

static void test_single_scalar_keyword(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                             "    kw: 'evil'\n    condition: kw\n");
    tu_expect_clean(ctx, 1);
    const sc_match *m = sel_match(tu_rule(ctx, 0), "kw", 0);
    assert_null(m->field);
    assert_int_equal(m->n_values, 1);
    tu_expect_string_value(&m->values[0], "evil");
    tu_release(ctx);
}

static void test_list_of_maps_is_or(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                             "    sel:\n"
                             "        - Image|endswith: '\\a.exe'\n"
                             "          User: admin\n"
                             "        - Image|endswith: '\\b.exe'\n"
                             "        - 'keyword'\n"
                             "    condition: sel\n");
    tu_expect_clean(ctx, 1);
    const sc_node *n = tu_selection(tu_rule(ctx, 0), "sel")->node;
    assert_int_equal(n->kind, SC_NODE_OR);
    assert_int_equal(n->u.list.n, 3);
    const sc_node *first = n->u.list.items[0];
    assert_int_equal(first->kind, SC_NODE_AND); /* a map is an AND */
    assert_int_equal(first->u.list.n, 2);
    assert_string_equal(first->u.list.items[0]->u.match.field, "Image");
    assert_string_equal(first->u.list.items[1]->u.match.field, "User");
    assert_int_equal(n->u.list.items[1]->kind, SC_NODE_MATCH); /* one field: the match */
    assert_int_equal(n->u.list.items[2]->kind, SC_NODE_MATCH);
    assert_null(n->u.list.items[2]->u.match.field);
    tu_release(ctx);
}

static void test_map_is_and_list_value_is_or(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                             "    sel:\n"
                             "        EventID: [4624, 4625]\n"
                             "        LogonType: 3\n"
                             "        TargetUserName: 'adm'\n"
                             "    condition: sel\n");
    tu_expect_clean(ctx, 1);
    const sc_node *n = tu_selection(tu_rule(ctx, 0), "sel")->node;
    assert_int_equal(n->kind, SC_NODE_AND);
    assert_int_equal(n->u.list.n, 3);
    const sc_match *m = &n->u.list.items[0]->u.match;
    assert_string_equal(m->field, "EventID");
    assert_false(m->all);
    assert_int_equal(m->n_values, 2);
    assert_int_equal(m->values[0].ival, 4624);
    assert_int_equal(m->values[1].ival, 4625);
    assert_int_equal(m->values[0].loc.line, 5);
    assert_int_equal(m->values[0].loc.col, 19);
    assert_int_equal(m->values[1].loc.col, 25);
    tu_release(ctx);
}

static void test_detection_shape_errors(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                             "    sel: []\n    condition: sel\n");
    tu_expect_rejected_at(ctx, "detection-empty", 4, 10);
    ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                  "    sel: {}\n    condition: sel\n");
    tu_expect_rejected_at(ctx, "detection-empty", 4, 10);
    ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                  "    sel:\n    condition: sel\n");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    assert_non_null(tu_find_diag(ctx, "detection-empty"));
    tu_release(ctx);
    ctx = tu_load("title: t\nlogsource: {product: x}\ndetection:\n"
                  "    sel: [a, null]\n    condition: sel\n");
    tu_expect_rejected_at(ctx, "detection-value", 4, 14);
    ctx = tu_load("title: t\nlogsource: {product: x}\ndetection: [a]\n");
    tu_expect_rejected_at(ctx, "field-type", 3, 12);
}

/* ======================================================= correlations */
static void test_corr_event_count(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: event_count\n"
                               "rules:\n"
                               "    - rule_a\n"
                               "group-by:\n"
                               "    - User\n"
                               "    - Computer\n"
                               "timespan: 5m\n"
                               "condition:\n"
                               "    gte: 10\n");
    const sc_correlation *c = corr_of(ctx);
    assert_int_equal(c->type, SC_CORR_EVENT_COUNT);
    assert_int_equal(c->n_rules, 1);
    assert_string_equal(c->rules[0].ref, "rule_a");
    assert_int_equal(c->rules[0].loc.line, CORR_BODY_LINE + 2);
    assert_int_equal(c->n_group_by, 2);
    assert_string_equal(c->group_by[0], "User");
    assert_string_equal(c->group_by[1], "Computer");
    assert_string_equal(c->timespan_text, "5m");
    assert_int_equal(c->timespan_s, 300);
    assert_int_equal(c->n_conds, 1);
    assert_int_equal(c->conds[0].cmp, SC_CMP_GTE);
    assert_true(c->conds[0].value == 10.0);
    assert_int_equal(c->n_fields, 0);
    assert_false(c->generate);
    tu_release(ctx);
}

static void test_corr_value_count(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: value_count\n"
                               "rules: [rule_a]\n"
                               "group-by: [SourceIp]\n"
                               "timespan: 1h\n"
                               "condition: {lt: 3, field: TargetUserName}\n");
    const sc_correlation *c = corr_of(ctx);
    assert_int_equal(c->type, SC_CORR_VALUE_COUNT);
    assert_int_equal(c->timespan_s, 3600);
    assert_int_equal(c->conds[0].cmp, SC_CMP_LT);
    assert_true(c->conds[0].value == 3.0);
    assert_int_equal(c->n_fields, 1);
    assert_string_equal(c->fields[0], "TargetUserName");
    tu_release(ctx);
}

static void test_corr_temporal_default_condition(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: temporal\n"
                               "rules: [rule_a, rule_b]\n"
                               "group-by: [User]\n"
                               "timespan: 30s\n");
    const sc_correlation *c = corr_of(ctx);
    assert_int_equal(c->type, SC_CORR_TEMPORAL);
    assert_int_equal(c->n_rules, 2);
    assert_string_equal(c->rules[1].ref, "rule_b");
    assert_int_equal(c->timespan_s, 30);
    /* no condition: all referenced rules must match (gte: number of rules) */
    assert_int_equal(c->n_conds, 1);
    assert_int_equal(c->conds[0].cmp, SC_CMP_GTE);
    assert_true(c->conds[0].value == 2.0);
    tu_release(ctx);
}

static void test_corr_temporal_ordered(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: temporal_ordered\n"
                               "rules: [rule_b, rule_a]\n"
                               "group-by: [Host]\n"
                               "timespan: 2d\n"
                               "condition: {eq: 2}\n");
    const sc_correlation *c = corr_of(ctx);
    assert_int_equal(c->type, SC_CORR_TEMPORAL_ORDERED);
    assert_string_equal(c->rules[0].ref, "rule_b"); /* order kept */
    assert_string_equal(c->rules[1].ref, "rule_a");
    assert_int_equal(c->timespan_s, 2 * 86400);
    assert_int_equal(c->conds[0].cmp, SC_CMP_EQ);
    tu_release(ctx);
}

static void test_corr_value_sum_avg_percentile(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: value_sum\nrules: [rule_a]\ngroup-by: [User]\n"
                               "timespan: 10m\ncondition: {gt: 1000000, field: BytesSent}\n");
    const sc_correlation *c = corr_of(ctx);
    assert_int_equal(c->type, SC_CORR_VALUE_SUM);
    assert_int_equal(c->conds[0].cmp, SC_CMP_GT);
    assert_true(c->conds[0].value == 1000000.0);
    assert_string_equal(c->fields[0], "BytesSent");
    tu_release(ctx);

    ctx = load_corr("type: value_avg\nrules: [rule_a]\ngroup-by: [User]\n"
                    "timespan: 10m\ncondition: {neq: 2.5, field: Duration}\n");
    c = corr_of(ctx);
    assert_int_equal(c->type, SC_CORR_VALUE_AVG);
    assert_int_equal(c->conds[0].cmp, SC_CMP_NEQ);
    assert_true(c->conds[0].value == 2.5);
    assert_string_equal(c->fields[0], "Duration");
    tu_release(ctx);

    ctx = load_corr("type: value_percentile\nrules: [rule_a]\ngroup-by: [ComputerName]\n"
                    "timespan: 1d\ncondition: {lte: 1, field: Image, percentile: 95}\n");
    c = corr_of(ctx);
    assert_int_equal(c->type, SC_CORR_VALUE_PERCENTILE);
    assert_int_equal(c->conds[0].cmp, SC_CMP_LTE);
    assert_string_equal(c->fields[0], "Image");
    assert_true(c->has_percentile);
    assert_true(c->percentile == 95.0);
    tu_release(ctx);
}

static void test_corr_range_condition(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: event_count\nrules: [rule_a]\ngroup-by: [User]\n"
                               "timespan: 1h\ncondition: {gt: 100, lte: 200}\n");
    const sc_correlation *c = corr_of(ctx);
    assert_int_equal(c->n_conds, 2);
    assert_int_equal(c->conds[0].cmp, SC_CMP_GT);
    assert_true(c->conds[0].value == 100.0);
    assert_int_equal(c->conds[1].cmp, SC_CMP_LTE);
    assert_true(c->conds[1].value == 200.0);
    tu_release(ctx);
}

static void test_corr_group_by_string_and_single_rule(void **state)
{
    (void)state;
    /* the reference implementation accepts a string for both */
    sigcc_ctx *ctx = load_corr("type: event_count\nrules: rule_a\ngroup-by: User\n"
                               "timespan: 1h\ncondition: {gte: 5}\n");
    const sc_correlation *c = corr_of(ctx);
    assert_int_equal(c->n_rules, 1);
    assert_string_equal(c->rules[0].ref, "rule_a");
    assert_int_equal(c->n_group_by, 1);
    assert_string_equal(c->group_by[0], "User");
    tu_release(ctx);
}

static void test_corr_aliases(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: temporal\n"
                               "rules: [rule_a, rule_b]\n"
                               "aliases:\n"
                               "    ip:\n"
                               "        rule_a: SourceIp\n"
                               "        rule_b: DestinationIp\n"
                               "    user:\n"
                               "        rule_a: User\n"
                               "        rule_b: TargetUserName\n"
                               "group-by: [ip, user]\n"
                               "timespan: 15m\n");
    const sc_correlation *c = corr_of(ctx);
    assert_int_equal(c->n_aliases, 2);
    assert_string_equal(c->aliases[0].name, "ip");
    assert_int_equal(c->aliases[0].n_entries, 2);
    assert_string_equal(c->aliases[0].entries[0].rule, "rule_a");
    assert_string_equal(c->aliases[0].entries[0].field, "SourceIp");
    assert_string_equal(c->aliases[0].entries[1].rule, "rule_b");
    assert_string_equal(c->aliases[0].entries[1].field, "DestinationIp");
    assert_string_equal(c->aliases[1].name, "user");
    assert_string_equal(c->aliases[1].entries[1].field, "TargetUserName");
    assert_string_equal(c->group_by[0], "ip");
    tu_release(ctx);
}

static void test_corr_generate(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: temporal\nrules: [rule_a, rule_b]\ntimespan: 1m\n"
                               "generate: true\n");
    assert_true(corr_of(ctx)->generate);
    tu_release(ctx);
    /* the spec puts 'generate' at the top level of the correlation rule */
    ctx = tu_load(BASE_RULES "title: Corr\ngenerate: true\ncorrelation:\n"
                             "    type: temporal\n    rules: [rule_a, rule_b]\n"
                             "    timespan: 1m\n");
    assert_true(corr_of(ctx)->generate);
    tu_release(ctx);
    ctx = load_corr("type: temporal\nrules: [rule_a, rule_b]\ntimespan: 1m\ngenerate: false\n");
    assert_false(corr_of(ctx)->generate);
    tu_release(ctx);
    corr_rejected("type: temporal\nrules: [rule_a]\ntimespan: 1m\ngenerate: maybe\n",
                  "field-type", CORR_BODY_LINE + 3, 15);
}

static void test_corr_timespan_seconds(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t seconds;
    } ok[] = {
        {"1s", 1},           {"45s", 45},          {"1m", 60},       {"90m", 5400},
        {"1h", 3600},        {"24h", 86400},       {"1d", 86400},    {"7d", 604800},
        {"1w", 604800},      {"1M", 2629746},      {"1y", 31556952},
    };
    for (size_t i = 0; i < TU_COUNT(ok); i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "type: event_count\nrules: [rule_a]\ngroup-by: [U]\ntimespan: %s\n"
                 "condition: {gte: 1}\n",
                 ok[i].text);
        sigcc_ctx *ctx = load_corr(body);
        const sc_correlation *c = corr_of(ctx);
        if (c->timespan_s != ok[i].seconds)
            print_message("timespan %s\n", ok[i].text);
        assert_int_equal(c->timespan_s, ok[i].seconds);
        tu_release(ctx);
    }
    static const char *const bad[] = {"5", "5x", "m", "0m", "1.5h", "-5m", "5 m", "5mm", "''"};
    for (size_t i = 0; i < TU_COUNT(bad); i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "type: event_count\nrules: [rule_a]\ngroup-by: [U]\ntimespan: %s\n"
                 "condition: {gte: 1}\n",
                 bad[i]);
        sigcc_ctx *ctx = load_corr(body);
        if (sigcc_rule_count(ctx) != 2)
            print_message("timespan [%s] accepted\n", bad[i]);
        assert_int_equal(sigcc_rule_count(ctx), 2);
        tu_expect_error_at(ctx, "correlation-timespan", CORR_BODY_LINE + 3, 15);
        tu_release(ctx);
    }
}

static void test_corr_errors(void **state)
{
    (void)state;
    corr_rejected("type: event_sum\nrules: [rule_a]\ntimespan: 1m\ncondition: {gte: 1}",
                  "correlation-type", CORR_BODY_LINE, 11);
    corr_rejected("type: value_count\nrules: [rule_a]\ntimespan: 1m\ncondition: {gte: 1}",
                  "correlation-condition", CORR_BODY_LINE + 3, 16);
    corr_rejected("type: event_count\nrules: [rule_a]\ntimespan: 1m\ncondition: {over: 1}",
                  "correlation-condition", CORR_BODY_LINE + 3, 17);
    corr_rejected("type: event_count\nrules: [rule_a]\ntimespan: 1m\n"
                  "condition: {gt: 1, gte: 2}",
                  "correlation-condition", CORR_BODY_LINE + 3, 16);
    corr_rejected("type: event_count\nrules: [rule_a]\ntimespan: 1m\ncondition: {gte: many}",
                  "field-type", CORR_BODY_LINE + 3, 22);
    corr_rejected("type: event_count\nrules: [rule_a]\ntimespan: 1m\ncondition: {gte: 1}\n"
                  "window: 5",
                  "correlation-key", CORR_BODY_LINE + 4, 5);
    corr_rejected("type: event_count\nrules: []\ntimespan: 1m\ncondition: {gte: 1}",
                  "field-type", CORR_BODY_LINE + 1, 12);
    /* event_count needs a condition; rules and timespan are required */
    sigcc_ctx *ctx = load_corr("type: event_count\nrules: [rule_a]\ntimespan: 1m");
    assert_int_equal(sigcc_rule_count(ctx), 2);
    assert_non_null(tu_find_diag(ctx, "missing-field"));
    tu_release(ctx);
    ctx = load_corr("type: temporal\ntimespan: 1m");
    assert_int_equal(sigcc_rule_count(ctx), 2);
    assert_non_null(strstr(tu_find_diag(ctx, "missing-field")->message, "rules"));
    tu_release(ctx);
    ctx = load_corr("type: temporal\nrules: [rule_a, rule_b]");
    assert_int_equal(sigcc_rule_count(ctx), 2);
    assert_non_null(strstr(tu_find_diag(ctx, "missing-field")->message, "timespan"));
    tu_release(ctx);
}

static void test_corr_resolve_links(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: temporal\nrules: [rule_a, " UUID_B "]\ntimespan: 1m");
    tu_expect_clean(ctx, 3);
    const sigcc_rule *a = tu_rule(ctx, 0), *b = tu_rule(ctx, 1), *c = tu_rule(ctx, 2);
    assert_null(c->corr->rules[0].target); /* not before sigcc_resolve */
    assert_int_equal(sigcc_resolve(ctx), SIGCC_OK);
    assert_ptr_equal(c->corr->rules[0].target, a); /* by name */
    assert_ptr_equal(c->corr->rules[1].target, b); /* by id */
    assert_true(vec_has(&a->used_by, c));
    assert_true(vec_has(&b->used_by, c));
    tu_release(ctx);
}

static void test_corr_resolve_unknown_and_cycle(void **state)
{
    (void)state;
    sigcc_ctx *ctx = load_corr("type: temporal\nrules: [rule_a, nowhere]\ntimespan: 1m");
    assert_int_equal(sigcc_resolve(ctx), SIGCC_OK); /* only a warning: maybe another file */
    const sigcc_diag *d = tu_find_diag(ctx, "unknown-rule");
    assert_non_null(d);
    assert_int_equal(d->severity, SIGCC_WARNING);
    assert_int_equal(d->line, CORR_BODY_LINE + 1);
    assert_int_equal(d->col, 21);
    tu_release(ctx);

    ctx = tu_load("title: C1\nname: c1\ncorrelation:\n    type: event_count\n"
                  "    rules: [c2]\n    timespan: 1m\n    condition: {gte: 1}\n"
                  "---\n"
                  "title: C2\nname: c2\ncorrelation:\n    type: event_count\n"
                  "    rules: [c1]\n    timespan: 1m\n    condition: {gte: 1}\n");
    tu_expect_clean(ctx, 2);
    assert_int_equal(sigcc_resolve(ctx), SIGCC_EINVALID);
    assert_non_null(tu_find_diag(ctx, "correlation-cycle"));
    assert_true(sigcc_rule_count(ctx) < 2);
    tu_release(ctx);
}

static void test_corr_has_no_detection(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: C\ncorrelation:\n    type: temporal\n    rules: [x]\n"
                             "    timespan: 1m\ndetection: {sel: {a: 1}, condition: sel}\n");
    tu_expect_rejected_at(ctx, "correlation-key", 6, 12);
}

/* ============================================================ filters */
#define FILTER_SET                                                                         \
    BASE_RULES                                                                             \
    "title: Rule Linux\n"                                                                  \
    "id: " UUID_C "\n"                                                                     \
    "logsource: {category: process_creation, product: linux}\n"                            \
    "detection:\n"                                                                         \
    "    sel: {Image: c}\n"                                                                \
    "    condition: sel\n"                                                                 \
    "---\n"                                                                                \
    "title: Corr\n"                                                                        \
    "correlation: {type: temporal, rules: [rule_a, rule_b], timespan: 1m}\n"               \
    "---\n"

static void test_filter_applied_after_resolve(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load(FILTER_SET "title: Filter admin\n"
                                        "logsource: {category: process_creation, product: windows}\n"
                                        "filter:\n"
                                        "    rules:\n"
                                        "        - " UUID_A "\n"
                                        "        - rule_linux_absent\n"
                                        "    admin: {User: admin}\n"
                                        "    condition: not admin\n");
    tu_expect_clean(ctx, 5);
    const sigcc_rule *a = rule_titled(ctx, "Rule A"), *b = rule_titled(ctx, "Rule B");
    const sigcc_rule *f = rule_titled(ctx, "Filter admin");
    assert_int_equal(sigcc_rule_get_kind(f), SIGCC_RULE_FILTER);
    assert_non_null(f->filter);
    assert_false(f->filter->any);
    assert_int_equal(f->filter->n_rules, 2);
    assert_string_equal(f->filter->rules[0].ref, UUID_A);
    /* the filter's own detection and condition */
    assert_int_equal(f->n_selections, 1);
    assert_string_equal(f->selections[0].name, "admin");
    assert_int_equal(f->condition->kind, SC_NODE_NOT);
    /* nothing applied before resolve */
    assert_int_equal(a->applied_filters.n, 0);
    assert_int_equal(sigcc_resolve(ctx), SIGCC_OK);
    assert_int_equal(a->applied_filters.n, 1);
    assert_ptr_equal(a->applied_filters.items[0], f);
    assert_int_equal(b->applied_filters.n, 0); /* not named */
    /* resolving again does not apply twice */
    assert_int_equal(sigcc_resolve(ctx), SIGCC_OK);
    assert_int_equal(a->applied_filters.n, 1);
    tu_release(ctx);
}

static void test_filter_any_matches_logsource_only(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load(FILTER_SET "title: Filter any\n"
                                        "logsource: {product: windows}\n"
                                        "filter:\n"
                                        "    rules: any\n"
                                        "    sel: {User: admin}\n"
                                        "    condition: not sel\n");
    tu_expect_clean(ctx, 5);
    const sigcc_rule *f = rule_titled(ctx, "Filter any");
    assert_true(f->filter->any);
    assert_int_equal(sigcc_resolve(ctx), SIGCC_OK);
    assert_true(vec_has(&rule_titled(ctx, "Rule A")->applied_filters, f));
    assert_true(vec_has(&rule_titled(ctx, "Rule B")->applied_filters, f));
    /* other product: not tuned */
    assert_int_equal(rule_titled(ctx, "Rule Linux")->applied_filters.n, 0);
    /* filters are not applied to correlation rules */
    assert_int_equal(rule_titled(ctx, "Corr")->applied_filters.n, 0);
    tu_release(ctx);
}

static void test_filter_by_name_and_empty_list(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load(FILTER_SET "title: Filter by name\n"
                                        "logsource: {category: process_creation}\n"
                                        "filter:\n"
                                        "    rules: [rule_b]\n"
                                        "    sel: {User: admin}\n"
                                        "    condition: not sel\n"
                                        "---\n"
                                        "title: Filter empty\n"
                                        "logsource: {category: process_creation}\n"
                                        "filter:\n"
                                        "    rules: []\n"
                                        "    sel: {User: svc}\n"
                                        "    condition: not sel\n");
    tu_expect_clean(ctx, 6);
    const sigcc_rule *byname = rule_titled(ctx, "Filter by name");
    const sigcc_rule *empty = rule_titled(ctx, "Filter empty");
    assert_true(empty->filter->any); /* an empty list means every rule */
    assert_int_equal(sigcc_resolve(ctx), SIGCC_OK);
    const sigcc_rule *a = rule_titled(ctx, "Rule A"), *b = rule_titled(ctx, "Rule B");
    const sigcc_rule *lin = rule_titled(ctx, "Rule Linux");
    assert_false(vec_has(&a->applied_filters, byname));
    assert_true(vec_has(&b->applied_filters, byname));
    assert_true(vec_has(&a->applied_filters, empty));
    assert_true(vec_has(&b->applied_filters, empty));
    assert_true(vec_has(&lin->applied_filters, empty)); /* category only */
    tu_release(ctx);
}

static void test_filter_errors(void **state)
{
    (void)state;
    sigcc_ctx *ctx = tu_load("title: F\nlogsource: {product: windows}\n"
                             "filter:\n    sel: {User: a}\n    condition: not sel\n");
    tu_expect_rejected_at(ctx, "missing-field", 4, 5);
    ctx = tu_load("title: F\nfilter:\n    rules: any\n    sel: {User: a}\n"
                  "    condition: not sel\n");
    assert_int_equal(sigcc_rule_count(ctx), 0);
    assert_non_null(strstr(tu_find_diag(ctx, "missing-field")->message, "logsource"));
    tu_release(ctx);
    ctx = tu_load("title: F\nlogsource: {product: windows}\n"
                  "filter:\n    rules: any\n    sel: {User: a}\n    condition: not other\n");
    tu_expect_rejected_at(ctx, "unknown-identifier", 6, 20);
}

/* ============================================================= limits */
#define RULE_HEAD                                                                          \
    "title: t\nlogsource: {category: test}\ndetection:\n    sel:\n        a: x\n"          \
    "    condition: sel\n"

static void test_limit_nesting(void **state)
{
    (void)state;
    /* 64 levels (the top map + 63 lists) load; the 64th list is level 65 */
    sc_buf b = {0};
    sc_buf_puts(&b, RULE_HEAD "extra: ");
    for (int i = 0; i < 63; i++)
        sc_buf_putc(&b, '[');
    for (int i = 0; i < 63; i++)
        sc_buf_putc(&b, ']');
    sc_buf_putc(&b, '\n');
    char *yaml = tu_str(sc_buf_take(&b));
    sigcc_ctx *ctx = tu_load(yaml);
    tu_expect_clean(ctx, 1);
    tu_release(ctx);
    tu_release(yaml);

    b = (sc_buf){0};
    sc_buf_puts(&b, RULE_HEAD "extra: ");
    for (int i = 0; i < 200; i++)
        sc_buf_putc(&b, '[');
    for (int i = 0; i < 200; i++)
        sc_buf_putc(&b, ']');
    sc_buf_putc(&b, '\n');
    yaml = tu_str(sc_buf_take(&b));
    sigcc_status st;
    ctx = tu_load_status(yaml, &st);
    assert_int_equal(st, SIGCC_EINVALID);
    assert_int_equal(sigcc_rule_count(ctx), 0);
    /* the 64th '[' (column 8 + 63) opens level 65 */
    tu_expect_error_at(ctx, "limit-nesting", 7, 71);
    tu_release(ctx);
    tu_release(yaml);
}

static void test_limit_alias_bomb(void **state)
{
    (void)state;
    /* each level holds ten aliases of the previous: 10^6 nodes expanded */
    sc_buf b = {0};
    sc_buf_puts(&b, RULE_HEAD "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 6; i++) {
        sc_buf_printf(&b, "l%d: &l%d [", i, i);
        for (int k = 0; k < 10; k++)
            sc_buf_printf(&b, "%s*l%d", k ? ", " : "", i - 1);
        sc_buf_puts(&b, "]\n");
    }
    char *yaml = tu_str(sc_buf_take(&b));
    sigcc_status st;
    sigcc_ctx *ctx = tu_load_status(yaml, &st);
    assert_int_equal(st, SIGCC_EINVALID);
    assert_int_equal(sigcc_rule_count(ctx), 0);
    const sigcc_diag *d = tu_find_diag(ctx, "limit-alias-expansion");
    if (!d)
        tu_dump_diags(ctx);
    assert_non_null(d);
    /* l4 expands to 111,111 nodes (fine), l5 to 1,111,111: refused there */
    assert_int_equal(d->line, 12);
    tu_release(ctx);
    tu_release(yaml);
}

static void test_limit_scalar_size(void **state)
{
    (void)state;
    size_t limit = SC_MAX_SCALAR_BYTES;
    char *yaml = tu_str(malloc(limit + 256));
    /* exactly at the limit: fine */
    int n = snprintf(yaml, 256, RULE_HEAD "extra: '");
    memset(yaml + n, 'x', limit);
    strcpy(yaml + n + limit, "'\n");
    sigcc_ctx *ctx = tu_load(yaml);
    tu_expect_clean(ctx, 1);
    tu_release(ctx);
    /* one byte more: refused, at the scalar */
    memset(yaml + n, 'x', limit + 1);
    strcpy(yaml + n + limit + 1, "'\n");
    sigcc_status st;
    ctx = tu_load_status(yaml, &st);
    assert_int_equal(st, SIGCC_EINVALID);
    tu_expect_rejected_at(ctx, "limit-scalar-size", 7, 8);
    tu_release(yaml);
}

static void test_limit_list_length(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, RULE_HEAD "extra: [");
    for (unsigned i = 0; i <= SC_MAX_LIST_ITEMS; i++)
        sc_buf_puts(&b, i ? ",1" : "1");
    sc_buf_puts(&b, "]\n");
    char *yaml = tu_str(sc_buf_take(&b));
    sigcc_ctx *ctx = tu_load(yaml);
    assert_int_equal(sigcc_rule_count(ctx), 0);
    const sigcc_diag *d = tu_find_diag(ctx, "limit-list-length");
    assert_non_null(d);
    assert_int_equal(d->line, 7);
    /* the entry past the limit: column 9 + 2 * 100000 */
    assert_int_equal(d->col, 9 + 2 * SC_MAX_LIST_ITEMS);
    tu_release(ctx);
    tu_release(yaml);
}

static void test_limit_documents(void **state)
{
    (void)state;
    sc_buf b = {0};
    for (unsigned i = 0; i <= SC_MAX_DOCUMENTS; i++)
        sc_buf_puts(&b, "--- {}\n");
    char *yaml = tu_str(sc_buf_take(&b));
    sigcc_ctx *ctx = tu_load(yaml);
    assert_int_equal(sigcc_rule_count(ctx), 0);
    const sigcc_diag *d = tu_find_diag(ctx, "limit-documents");
    if (!d)
        tu_dump_diags(ctx);
    assert_non_null(d);
    assert_int_equal(d->severity, SIGCC_ERROR);
    tu_release(ctx);
    tu_release(yaml);
}

static void test_limits_have_distinct_codes(void **state)
{
    (void)state;
    /* each limit names itself: a deep file is not an alias bomb, etc. */
    sc_buf b = {0};
    sc_buf_puts(&b, RULE_HEAD "extra: ");
    for (int i = 0; i < 100; i++)
        sc_buf_putc(&b, '[');
    for (int i = 0; i < 100; i++)
        sc_buf_putc(&b, ']');
    sc_buf_putc(&b, '\n');
    char *yaml = tu_str(sc_buf_take(&b));
    sigcc_ctx *ctx = tu_load(yaml);
    assert_int_equal(tu_count_code(ctx, "limit-alias-expansion"), 0);
    assert_int_equal(tu_count_code(ctx, "limit-scalar-size"), 0);
    assert_int_equal(tu_count_code(ctx, "limit-nesting"), 1);
    tu_release(ctx);
    tu_release(yaml);
}

/* =============================================================== REGRESSIONS */
/* Regression: a huge timespan overflows the seconds silently:
 * '1000000000000y' (10^12 years; also longer than the schema's maxLength
 * of 10) is accepted with timespan_s = 13110207926290448384, the product
 * 10^12 * 31556952 wrapped modulo 2^64. It must be rejected. */
static void test_bug_timespan_overflow(void **state)
{
    (void)state;
    static const char *const bad[] = {"1000000000000y", "99999999999999w", "584942417356y"};
    for (size_t i = 0; i < TU_COUNT(bad); i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "type: event_count\nrules: [rule_a]\ngroup-by: [U]\ntimespan: %s\n"
                 "condition: {gte: 1}\n",
                 bad[i]);
        sigcc_ctx *ctx = load_corr(body);
        if (sigcc_rule_count(ctx) != 2) {
            const sigcc_rule *c = sigcc_rule_at(ctx, 2);
            print_message("timespan %s accepted as %llu s\n", bad[i],
                          c && c->corr ? (unsigned long long)c->corr->timespan_s : 0ULL);
        }
        assert_int_equal(sigcc_rule_count(ctx), 2);
        tu_expect_error_at(ctx, "correlation-timespan", CORR_BODY_LINE + 3, 15);
        tu_release(ctx);
    }
}

/* Regression: plain scalars are documented (yaml.c) to resolve as YAML 1.1 /
 * PyYAML does, which pySigma uses; these differ:
 *   0o17   PyYAML: string (0o is YAML 1.2)     sigcc: int 15
 *   1.5e3  PyYAML: string (1.1 floats need a signed exponent)  sigcc: float
 *   _1     PyYAML: string                       sigcc: int 1
 *   0b11   PyYAML: int 3                        sigcc: string */
static void test_bug_scalar_typing_like_pyyaml(void **state)
{
    (void)state;
    int64_t iv = 0;
    double fv = 0;
    bool bv = false;
    assert_int_equal(type_of("0o17", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("1.5e3", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("_1", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_STR);
    assert_int_equal(type_of("0b11", SC_YS_PLAIN, &iv, &fv, &bv), SC_YT_INT);
    assert_int_equal(iv, 3);
}

int main(void)
{
    const struct CMUnitTest documents[] = {
        cmocka_unit_test(test_multi_document),
        cmocka_unit_test(test_multi_document_one_bad),
        cmocka_unit_test(test_explicit_document_markers),
        cmocka_unit_test(test_metadata_fields),
        cmocka_unit_test(test_falsepositives_scalar),
        cmocka_unit_test(test_custom_fields_kept),
        cmocka_unit_test(test_metadata_lint_errors),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_v1_action_rejected),
        cmocka_unit_test(test_not_a_map_and_empty),
        cmocka_unit_test(test_duplicate_top_level_key),
        cmocka_unit_test(test_yaml_aliases_and_tags),
    };
    const struct CMUnitTest values[] = {
        cmocka_unit_test(test_scalar_typing_in_detection),
        cmocka_unit_test(test_scalar_type_function),
        cmocka_unit_test(test_keyword_list),
        cmocka_unit_test(test_keyword_all),
        cmocka_unit_test(test_single_scalar_keyword),
        cmocka_unit_test(test_list_of_maps_is_or),
        cmocka_unit_test(test_map_is_and_list_value_is_or),
        cmocka_unit_test(test_detection_shape_errors),
    };
    const struct CMUnitTest correlations[] = {
        cmocka_unit_test(test_corr_event_count),
        cmocka_unit_test(test_corr_value_count),
        cmocka_unit_test(test_corr_temporal_default_condition),
        cmocka_unit_test(test_corr_temporal_ordered),
        cmocka_unit_test(test_corr_value_sum_avg_percentile),
        cmocka_unit_test(test_corr_range_condition),
        cmocka_unit_test(test_corr_group_by_string_and_single_rule),
        cmocka_unit_test(test_corr_aliases),
        cmocka_unit_test(test_corr_generate),
        cmocka_unit_test(test_corr_timespan_seconds),
        cmocka_unit_test(test_corr_errors),
        cmocka_unit_test(test_corr_resolve_links),
        cmocka_unit_test(test_corr_resolve_unknown_and_cycle),
        cmocka_unit_test(test_corr_has_no_detection),
    };
    const struct CMUnitTest filters[] = {
        cmocka_unit_test(test_filter_applied_after_resolve),
        cmocka_unit_test(test_filter_any_matches_logsource_only),
        cmocka_unit_test(test_filter_by_name_and_empty_list),
        cmocka_unit_test(test_filter_errors),
    };
    const struct CMUnitTest limits[] = {
        cmocka_unit_test(test_limit_nesting),
        cmocka_unit_test(test_limit_alias_bomb),
        cmocka_unit_test(test_limit_scalar_size),
        cmocka_unit_test(test_limit_list_length),
        cmocka_unit_test(test_limit_documents),
        cmocka_unit_test(test_limits_have_distinct_codes),
    };
    const struct CMUnitTest bugs[] = {
        cmocka_unit_test(test_bug_timespan_overflow),
        cmocka_unit_test(test_bug_scalar_typing_like_pyyaml),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("loader: documents and metadata", documents, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("loader: values and detection shapes", values, NULL,
                                          NULL);
    failed += cmocka_run_group_tests_name("loader: correlations", correlations, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("loader: filters", filters, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("loader: limits", limits, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("loader: regressions (bugs found and fixed)",
                                          bugs, NULL, tu_cleanup);
    return failed;
}
