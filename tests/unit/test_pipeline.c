/*
 * test_pipeline.c - processing pipelines (pipeline.c): pySigma's YAML
 * format loaded with its errors at line:col, every transformation and
 * condition type with a case where it fires and one where it must not,
 * correlation rules, and the shipped ECS pipeline on the project's rules.
 */
#include "test_util.h"

#include "pipeline.h"

/* --------------------------------------------------------------- helpers */
static void diags_free_fn(void *p)
{
    sc_diags_fini(p);
    free(p);
}

static void pipeline_free_fn(void *p)
{
    sc_pipeline_free(p);
}

static sc_diag_list *new_diags(void)
{
    sc_diag_list *d = calloc(1, sizeof *d);
    assert_non_null(d);
    sc_diags_init(d);
    return tu_track(d, diags_free_fn);
}

static void dump(const sc_diag_list *d)
{
    for (size_t i = 0; i < d->n; i++)
        print_message("  diag: %s:%u:%u [%s] %s\n", d->items[i].file, d->items[i].line,
                      d->items[i].col, d->items[i].code, d->items[i].message);
}

static const sigcc_diag *find_diag(const sc_diag_list *d, const char *code)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->items[i].code, code))
            return &d->items[i];
    return NULL;
}

static sc_pipeline *load_pipeline(sc_diag_list *d, const char *yaml)
{
    sc_source src = {"p.yml", yaml, strlen(yaml), NULL, 0};
    sc_pipeline *p = sc_pipeline_load(d, &src);
    return p ? tu_track(p, pipeline_free_fn) : NULL;
}

static sc_pipeline *pipeline_ok(const char *yaml)
{
    sc_diag_list *d = new_diags();
    sc_pipeline *p = load_pipeline(d, yaml);
    if (!p || d->errors)
        dump(d);
    assert_non_null(p);
    assert_int_equal(d->errors, 0);
    return p;
}

/* Asserts that the pipeline is refused with `code` at line:col; returns the
 * message. */
static const char *pipeline_error_at(const char *yaml, const char *code, uint32_t line,
                                     uint32_t col)
{
    sc_diag_list *d = new_diags();
    sc_pipeline *p = load_pipeline(d, yaml);
    const sigcc_diag *g = find_diag(d, code);
    if (p || !g || g->line != line || g->col != col || g->severity != SIGCC_ERROR) {
        print_message("expected error [%s] at %u:%u\n", code, line, col);
        dump(d);
    }
    assert_null(p);
    assert_non_null(g);
    assert_int_equal(g->severity, SIGCC_ERROR);
    assert_int_equal(g->line, line);
    assert_int_equal(g->col, col);
    return g->message;
}

typedef struct run_result {
    sc_diag_list *diags;
    sigcc_ctx *ctx;
    sigcc_rule *rule;
    bool ok;
} run_result;

/* Loads and resolves `rules`, then applies the pipelines to rule `index`. */
static run_result apply_to(sc_pipeline *const *pipes, size_t n, const char *rules, size_t index)
{
    run_result r = {new_diags(), tu_load(rules), NULL, false};
    sigcc_resolve(r.ctx);
    if (sigcc_diag_count_severity(r.ctx, SIGCC_ERROR))
        tu_dump_diags(r.ctx);
    assert_int_equal(sigcc_diag_count_severity(r.ctx, SIGCC_ERROR), 0);
    r.rule = tu_rule(r.ctx, index);
    r.ok = sc_pipeline_apply(pipes, n, r.rule, r.diags);
    return r;
}

static run_result apply1(const char *pipeline, const char *rules)
{
    sc_pipeline *p = pipeline_ok(pipeline);
    return apply_to(&p, 1, rules, 0);
}

static run_result apply_ok(const char *pipeline, const char *rules)
{
    run_result r = apply1(pipeline, rules);
    if (!r.ok || r.diags->n)
        dump(r.diags);
    assert_true(r.ok);
    assert_int_equal(r.diags->errors, 0);
    return r;
}

/* The rule's condition tree as explain writes it. */
static char *tree(const sigcc_rule *r)
{
    sc_buf b = {0};
    sc_explain_node(&b, r->condition, 0);
    return tu_str(sc_buf_take(&b));
}

static char *explain(const sigcc_rule *r)
{
    sc_buf b = {0};
    sc_explain_rule(&b, r);
    return tu_str(sc_buf_take(&b));
}

static bool applied(const sigcc_rule *r, const char *id)
{
    for (size_t i = 0; i < r->pipeline_items.n; i++)
        if (!strcmp(r->pipeline_items.items[i], id))
            return true;
    return false;
}

static void expect_failure_at(const run_result *r, const char *code, uint32_t line, uint32_t col)
{
    const sigcc_diag *g = find_diag(r->diags, code);
    if (r->ok || !g || g->line != line || g->col != col) {
        print_message("expected [%s] at %u:%u\n", code, line, col);
        dump(r->diags);
    }
    assert_false(r->ok);
    assert_non_null(g);
    assert_int_equal(g->line, line);
    assert_int_equal(g->col, col);
}

#define assert_contains(hay, needle)                                                   \
    do {                                                                               \
        if (!strstr((hay), (needle)))                                                  \
            print_message("'%s' not found in:\n%s\n", (needle), (hay));                \
        assert_non_null(strstr((hay), (needle)));                                      \
    } while (0)

#define assert_lacks(hay, needle)                                                      \
    do {                                                                               \
        if (strstr((hay), (needle)))                                                   \
            print_message("'%s' unexpectedly found in:\n%s\n", (needle), (hay));       \
        assert_null(strstr((hay), (needle)));                                          \
    } while (0)

/* A process_creation rule for Windows: line 6 is the first line of `detection`. */
#define PROC_RULE(detection)                                                           \
    "title: t\nlogsource:\n    product: windows\n    category: process_creation\n"     \
    "detection:\n" detection

static const char *const rule_image_cmd = PROC_RULE(
    "    selection:\n"
    "        Image|endswith: '\\cmd.exe'\n"
    "        CommandLine|contains: whoami\n"
    "    condition: selection\n");

/* ======================================================= transformations */

static void test_field_name_mapping(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - id: m\n"
                            "    type: field_name_mapping\n"
                            "    mapping:\n"
                            "      Image: process.executable\n",
                            rule_image_cmd);
    char *t = tree(r.rule);
    assert_contains(t, "match process.executable|endswith: '*\\cmd.exe'");
    assert_contains(t, "match CommandLine|contains: '*whoami*'"); /* not in the mapping */
    assert_true(applied(r.rule, "m"));
    /* The selection points at the rewritten subtree. */
    assert_string_equal(tu_selection(r.rule, "selection")->node->u.list.items[0]->u.match.field,
                        "process.executable");
}

static void test_field_name_mapping_list_is_or(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - id: m\n"
                            "    type: field_name_mapping\n"
                            "    mapping:\n"
                            "      CommandLine: [process.command_line, process.args]\n"
                            "  - type: field_name_suffix\n"
                            "    suffix: .text\n"
                            "    detection_item_conditions:\n"
                            "      - {type: processing_item_applied, processing_item_id: m}\n",
                            PROC_RULE("    selection:\n"
                                      "        CommandLine|contains: whoami\n"
                                      "    other:\n"
                                      "        Image: x\n"
                                      "    condition: selection and other\n"));
    /* Each copy matches one of the fields; both copies remember that m applied
     * to them, so the suffix goes to them and not to Image. */
    assert_string_equal(tree(r.rule), "and\n"
                                      "  sel selection\n"
                                      "    or\n"
                                      "      match process.command_line.text|contains: '*whoami*'\n"
                                      "      match process.args.text|contains: '*whoami*'\n"
                                      "  sel other\n"
                                      "    match Image: 'x'\n");
}

static void test_field_name_mapping_keywords(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - type: field_name_mapping\n"
                            "    mapping:\n"
                            "      ~: message\n",
                            PROC_RULE("    keywords:\n"
                                      "        - evil\n"
                                      "        - 'bad*'\n"
                                      "    condition: keywords\n"));
    /* A keyword still matches inside the field it now names. */
    assert_string_equal(tree(r.rule), "sel keywords\n"
                                      "  match message (any of 2):\n"
                                      "    - '*evil*'\n"
                                      "    - '*bad*'\n");
    /* Without the null key, keywords stay keywords. */
    r = apply_ok("transformations:\n"
                 "  - type: field_name_mapping\n"
                 "    mapping: {evil: message}\n",
                 PROC_RULE("    keywords: evil\n    condition: keywords\n"));
    assert_contains(tree(r.rule), "match <keywords>: 'evil'");
}

static void test_field_name_prefix_mapping(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - type: field_name_prefix_mapping\n"
                            "    mapping:\n"
                            "      'win.': winlog.event_data.\n"
                            "      'net.': [source., destination.]\n",
                            PROC_RULE("    selection:\n"
                                      "        win.Image: x\n"
                                      "        net.ip: 1.2.3.4\n"
                                      "        Other: y\n"
                                      "    condition: selection\n"));
    char *t = tree(r.rule);
    assert_contains(t, "match winlog.event_data.Image: 'x'");
    assert_contains(t, "match source.ip: '1.2.3.4'");
    assert_contains(t, "match destination.ip: '1.2.3.4'");
    assert_contains(t, "match Other: 'y'");
}

static void test_field_name_prefix_and_suffix(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - type: field_name_prefix\n"
                            "    prefix: 'event.'\n"
                            "    field_name_conditions:\n"
                            "      - {type: include_fields, fields: [Image]}\n"
                            "  - type: field_name_suffix\n"
                            "    suffix: '.keyword'\n"
                            "    field_name_conditions:\n"
                            "      - {type: exclude_fields, mode: re, fields: ['^Comm']}\n",
                            rule_image_cmd);
    char *t = tree(r.rule);
    assert_contains(t, "match event.Image.keyword|endswith");
    assert_contains(t, "match CommandLine|contains"); /* neither condition holds for it */
}

static void test_drop_detection_item(void **state)
{
    (void)state;
    const char *pipe = "transformations:\n"
                       "  - type: drop_detection_item\n"
                       "    field_name_conditions: [{type: include_fields, fields: [EventID]}]\n";
    run_result r = apply_ok(pipe, PROC_RULE("    selection:\n"
                                            "        EventID: 1\n"
                                            "        Image: x\n"
                                            "    only_id:\n"
                                            "        EventID: 4688\n"
                                            "    condition: selection and only_id\n"));
    /* Removed from its 'and'; a selection left empty holds (true). */
    assert_string_equal(tree(r.rule), "and\n"
                                      "  sel selection\n"
                                      "    match Image: 'x'\n"
                                      "  sel only_id\n"
                                      "    true\n");
    /* Must not fire: the detection item condition does not hold. */
    r = apply_ok("transformations:\n"
                 "  - type: drop_detection_item\n"
                 "    detection_item_conditions:\n"
                 "      - {type: match_string, pattern: '^nomatch', cond: any}\n",
                 PROC_RULE("    selection:\n        EventID: 1\n        Image: x\n"
                           "    condition: selection\n"));
    assert_contains(tree(r.rule), "match EventID: 1");
}

static void test_add_condition(void **state)
{
    (void)state;
    const char *pipe = "transformations:\n"
                       "  - id: chan\n"
                       "    type: add_condition\n"
                       "    conditions:\n"
                       "      winlog.channel: Security\n"
                       "    rule_conditions: [{type: logsource, product: windows}]\n";
    run_result r = apply_ok(pipe, rule_image_cmd);
    assert_string_equal(r.rule->condition_texts[0], "_cond_1 and (selection)");
    assert_string_equal(tree(r.rule), "and\n"
                                      "  sel _cond_1\n"
                                      "    match winlog.channel: 'Security'\n"
                                      "  sel selection\n"
                                      "    and\n"
                                      "      match Image|endswith: '*\\cmd.exe'\n"
                                      "      match CommandLine|contains: '*whoami*'\n");
    assert_int_equal(r.rule->n_selections, 2);
    assert_string_equal(r.rule->selections[1].name, "_cond_1");
    /* The added item counts as processed by the item (pySigma marks it). */
    r = apply_ok("transformations:\n"
                 "  - id: chan\n"
                 "    type: add_condition\n"
                 "    conditions: {winlog.channel: Security}\n"
                 "  - type: field_name_prefix\n"
                 "    prefix: x.\n"
                 "    detection_item_conditions:\n"
                 "      - {type: processing_item_applied, processing_item_id: chan}\n",
                 rule_image_cmd);
    assert_contains(tree(r.rule), "match x.winlog.channel: 'Security'");
    assert_contains(tree(r.rule), "match Image|endswith");
    /* Must not fire: another product. */
    r = apply_ok("transformations:\n"
                 "  - id: chan\n"
                 "    type: add_condition\n"
                 "    conditions: {winlog.channel: Security}\n"
                 "    rule_conditions: [{type: logsource, product: linux}]\n",
                 rule_image_cmd);
    assert_string_equal(r.rule->condition_texts[0], "selection");
    assert_false(applied(r.rule, "chan"));
}

static void test_add_condition_negated_named_template(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - type: add_condition\n"
                            "    name: scope\n"
                            "    negated: true\n"
                            "    template: true\n"
                            "    conditions:\n"
                            "      index: '$product-${category}'\n"
                            "      price: '$$5 $unknown'\n",
                            rule_image_cmd);
    assert_string_equal(r.rule->condition_texts[0], "not scope and (selection)");
    char *t = tree(r.rule);
    assert_contains(t, "and\n  not\n    sel scope\n      and\n");
    assert_contains(t, "match index: 'windows-process_creation'");
    assert_contains(t, "match price: '$5 $unknown'");
}

static void test_add_condition_errors_when_applied(void **state)
{
    (void)state;
    /* The rule has no service for the template: an error at the template. */
    run_result r = apply1("transformations:\n"
                          "  - type: add_condition\n"
                          "    template: true\n"
                          "    conditions:\n"
                          "      index: 'win-$service'\n",
                          rule_image_cmd);
    expect_failure_at(&r, "pipeline-error", 5, 14);
    assert_string_equal(find_diag(r.diags, "pipeline-error")->file, "p.yml");
    /* A name the rule already uses. */
    r = apply1("transformations:\n"
               "  - type: add_condition\n"
               "    name: selection\n"
               "    conditions: {a: b}\n",
               rule_image_cmd);
    expect_failure_at(&r, "pipeline-error", 1, 1);
}

static void test_change_logsource(void **state)
{
    (void)state;
    const char *pipe = "transformations:\n"
                       "  - type: change_logsource\n"
                       "    product: windows\n"
                       "    service: sysmon\n"
                       "    rule_conditions: [{type: logsource, category: process_creation}]\n";
    run_result r = apply_ok(pipe, rule_image_cmd);
    /* The whole logsource is replaced: what is not given is unset. */
    assert_contains(explain(r.rule), "  logsource: product=windows service=sysmon\n");
    r = apply_ok(pipe, "title: t\nlogsource: {product: windows, category: image_load}\n"
                       "detection: {s: {Image: x}, condition: s}\n");
    assert_contains(explain(r.rule), "  logsource: category=image_load product=windows\n");
}

static void test_replace_string(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - type: replace_string\n"
                            "    regex: '(\\w+)\\.exe$'\n"
                            "    replacement: '\\1.com'\n",
                            rule_image_cmd);
    assert_contains(tree(r.rule), "match Image|endswith: '*\\cmd.com'");
    assert_contains(tree(r.rule), "match CommandLine|contains: '*whoami*'"); /* no match */
}

static void test_replace_string_keeps_wildcards(void **state)
{
    (void)state;
    /* 'C:\Windows\' + '*': the backslash before the wildcard stays a
     * backslash and the wildcard a wildcard (pySigma turns it into a
     * literal star). */
    run_result r = apply_ok("transformations:\n"
                            "  - type: replace_string\n"
                            "    regex: Windows\n"
                            "    replacement: System32\n",
                            PROC_RULE("    selection:\n"
                                      "        Image|startswith: 'C:\\Windows\\'\n"
                                      "        CommandLine: 'a\\*b?c'\n"
                                      "    condition: selection\n"));
    char *t = tree(r.rule);
    assert_contains(t, "match Image|startswith: 'C:\\System32\\\\*'");
    assert_contains(t, "match CommandLine: 'a\\*b?c'");
    const sc_match *m = &r.rule->condition->u.sel.child->u.list.items[0]->u.match;
    assert_int_equal(m->values[0].n_parts, 2);
    assert_int_equal(m->values[0].parts[1].kind, SC_PART_STAR);
}

static void test_replace_string_skip_and_interpret_special(void **state)
{
    (void)state;
    const char *rule = PROC_RULE("    selection:\n"
                                 "        CommandLine|contains: 'foo*bar'\n"
                                 "    condition: selection\n");
    run_result r = apply_ok("transformations:\n"
                            "  - type: replace_string\n"
                            "    regex: 'o|\\*'\n"
                            "    replacement: '0'\n"
                            "    skip_special: true\n",
                            rule);
    /* Only the literal parts are searched: the wildcards stay. */
    assert_contains(tree(r.rule), "'*f00*bar*'");
    r = apply_ok("transformations:\n"
                 "  - type: replace_string\n"
                 "    regex: bar\n"
                 "    replacement: 'b*r'\n"
                 "    skip_special: true\n",
                 rule);
    assert_contains(tree(r.rule), "'*foo*b\\*r*'");
    r = apply_ok("transformations:\n"
                 "  - type: replace_string\n"
                 "    regex: bar\n"
                 "    replacement: 'b*r'\n"
                 "    skip_special: true\n"
                 "    interpret_special: true\n",
                 rule);
    assert_contains(tree(r.rule), "'*foo*b*r*'");
}

static void test_replace_string_numbers(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - id: r\n"
                            "    type: replace_string\n"
                            "    regex: '^'\n"
                            "    replacement: ''\n",
                            PROC_RULE("    selection:\n"
                                      "        DestinationPort: 25\n"
                                      "        Flag: true\n"
                                      "    condition: selection\n"));
    /* A number becomes its text, as pySigma does; a boolean stays. */
    assert_contains(tree(r.rule), "match DestinationPort: '25'\n");
    assert_contains(tree(r.rule), "match Flag: true\n");
}

static void test_map_string(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - id: ms\n"
                            "    type: map_string\n"
                            "    mapping:\n"
                            "      'true': egress\n"
                            "      x: [a, 'b*']\n",
                            PROC_RULE("    selection:\n"
                                      "        Initiated: 'true'\n"
                                      "        Other: x\n"
                                      "        Kept: y\n"
                                      "        Number: 1\n"
                                      "    condition: selection\n"));
    char *t = tree(r.rule);
    assert_contains(t, "match Initiated: 'egress'");
    assert_contains(t, "match Other (any of 2):\n      - 'a'\n      - 'b*'\n");
    assert_contains(t, "match Kept: 'y'");
    assert_contains(t, "match Number: 1");
}

static void test_rule_failure(void **state)
{
    (void)state;
    const char *pipe = "transformations:\n"
                       "  - id: nope\n"
                       "    type: rule_failure\n"
                       "    message: this backend has no process events\n"
                       "    rule_conditions: [{type: logsource, category: process_creation}]\n";
    run_result r = apply1(pipe, rule_image_cmd);
    expect_failure_at(&r, "pipeline-rule-failure", 1, 1);
    const sigcc_diag *g = find_diag(r.diags, "pipeline-rule-failure");
    assert_string_equal(g->file, "t.yml");
    assert_contains(g->message, "this backend has no process events");
    assert_contains(g->message, "item 'nope'");
    /* Must not fire: another category. */
    apply_ok(pipe, "title: t\nlogsource: {product: windows, category: image_load}\n"
                   "detection: {s: {Image: x}, condition: s}\n");
}

static void test_detection_item_failure(void **state)
{
    (void)state;
    const char *pipe = "transformations:\n"
                       "  - type: detection_item_failure\n"
                       "    message: no command lines here\n"
                       "    field_name_conditions:\n"
                       "      - {type: include_fields, fields: [CommandLine]}\n";
    run_result r = apply1(pipe, rule_image_cmd);
    /* At the item, in the rule's file (line 8: '        CommandLine|contains'). */
    expect_failure_at(&r, "pipeline-item-failure", 8, 9);
    assert_contains(find_diag(r.diags, "pipeline-item-failure")->message, "no command lines here");
    /* Must not fire: no such field. */
    apply_ok(pipe, PROC_RULE("    selection:\n        Image: x\n    condition: selection\n"));
}

/* ------------------------------------------------------------ sysmon_hashes */

static const char *const hashes_pipe = "transformations:\n"
                                       "  - id: split\n"
                                       "    type: sysmon_hashes\n"
                                       "    mapping: {md5: h.md5, SHA256: h.sha256, "
                                       "IMPHASH: pe.imphash}\n";

/* A rule whose one selection is `field` (line 5) with `item` as its value (line 6). */
static char *hashes_rule(const char *field, const char *item)
{
#define HASHES_RULE "title: t\nlogsource: {product: windows, category: process_creation}\n" \
                    "detection:\n    selection:\n        %s:\n            %s\n"            \
                    "    condition: selection\n"
    size_t n = sizeof HASHES_RULE + strlen(field) + strlen(item);
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, HASHES_RULE, field, item);
#undef HASHES_RULE
    return tu_str(s);
}

static void test_sysmon_hashes_split(void **state)
{
    (void)state;
    run_result r = apply_ok(hashes_pipe, hashes_rule("Hashes|contains",
        "['IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744', 'MD5=987B65CD9B9F4E9A1AFD8F8B48CF64A7', "
        "'imphash=a0b1']"));
    char *t = tree(r.rule);
    /* Full-length digests are equalities, a shorter hex a prefix; one leaf per
     * field, in the order of their first value, joined by or. */
    assert_contains(t, "or\n");
    assert_contains(t, "match pe.imphash (any of 2):\n      - 'F34D5F2D4577ED6D9CEEC516C1F5A744'\n"
                       "      - 'a0b1*'");
    assert_contains(t, "match h.md5: '987B65CD9B9F4E9A1AFD8F8B48CF64A7'");
    assert_true(strstr(t, "pe.imphash") < strstr(t, "h.md5"));
    assert_lacks(t, "Hashes");
    assert_lacks(t, "IMPHASH=");
    assert_true(applied(r.rule, "split"));
    /* One algorithm: the item itself becomes the match, no or around it. */
    r = apply_ok(hashes_pipe, hashes_rule("Hash|contains", "'MD5=987B65CD9B9F4E9A1AFD8F8B48CF64A7'"));
    assert_contains(tree(r.rule), "match h.md5: '987B65CD9B9F4E9A1AFD8F8B48CF64A7'");
    assert_lacks(tree(r.rule), "or\n");
}

static void test_sysmon_hashes_all(void **state)
{
    (void)state;
    run_result r = apply_ok(hashes_pipe, hashes_rule("Hashes|contains|all",
        "['MD5=AB', 'SHA256=CD', 'MD5=EF']"));
    char *t = tree(r.rule);
    assert_contains(t, "and\n");
    assert_lacks(t, "or\n");
    assert_contains(t, "match h.md5 (all of 2):\n      - 'AB*'\n      - 'EF*'");
    assert_contains(t, "match h.sha256: 'CD*'");
}

static void test_sysmon_hashes_selects(void **state)
{
    (void)state;
    /* Other fields stay; `fields` replaces Hashes and Hash; conditions apply. */
    run_result r = apply_ok(hashes_pipe, hashes_rule("FileHash|contains", "'MD5=AB'"));
    assert_contains(tree(r.rule), "match FileHash|contains: '*MD5=AB*'");
    r = apply_ok("transformations:\n"
                 "  - type: sysmon_hashes\n"
                 "    fields: FileHash\n"
                 "    mapping: {MD5: h.md5}\n",
                 hashes_rule("FileHash|contains", "'MD5=AB'"));
    assert_contains(tree(r.rule), "match h.md5: 'AB*'");
    r = apply_ok("transformations:\n"
                 "  - type: sysmon_hashes\n"
                 "    fields: [FileHash]\n"
                 "    mapping: {MD5: h.md5}\n",
                 hashes_rule("Hashes|contains", "'MD5=AB'"));
    assert_contains(tree(r.rule), "match Hashes|contains: '*MD5=AB*'");
    r = apply_ok("transformations:\n"
                 "  - type: sysmon_hashes\n"
                 "    mapping: {MD5: h.md5}\n"
                 "    rule_conditions: [{type: logsource, category: image_load}]\n",
                 hashes_rule("Hashes|contains", "'MD5=AB'"));
    assert_contains(tree(r.rule), "match Hashes|contains: '*MD5=AB*'");
    r = apply_ok("transformations:\n"
                 "  - type: sysmon_hashes\n"
                 "    mapping: {MD5: h.md5}\n"
                 "    field_name_conditions: [{type: include_fields, fields: [Hash]}]\n",
                 hashes_rule("Hashes|contains", "'MD5=AB'"));
    assert_contains(tree(r.rule), "match Hashes|contains: '*MD5=AB*'");
}

/* Every form that is not exact is refused at the value (or the item), with
 * its reason. */
static void test_sysmon_hashes_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *field, *value, *reason;
        uint32_t line, col;
    } cases[] = {
        {"Hashes|contains", "'987B65CD'", "does not name its algorithm", 6, 13},
        {"Hashes|contains", "'SHA1=AB'", "no field for SHA1", 6, 13},
        {"Hashes|contains", "'XYZ=AB'", "'XYZ' is not a hash algorithm", 6, 13},
        {"Hashes|contains", "'MD5=AB*CD'", "wildcard or placeholder inside", 6, 13},
        {"Hashes|contains", "'MD5=AB,'", "only hexadecimal digits", 6, 13},
        {"Hashes|contains", "'MD5=AB,SHA256=CD'", "only hexadecimal digits", 6, 13},
        {"Hashes|contains", "'IMPHASH='", "with no digest", 6, 13},
        {"Hashes|contains", "'IMPHASH=0000'", "all-zero digest", 6, 13},
        {"Hashes|contains", "'MD5=987B65CD9B9F4E9A1AFD8F8B48CF64A7A'", "longer than the MD5",
         6, 13},
        {"Hashes", "'MD5=987B65CD9B9F4E9A1AFD8F8B48CF64A7'", "only |contains is exact", 6, 13},
        {"Hashes|startswith", "'MD5=AB'", "only |contains is exact", 6, 13},
        {"Hashes|endswith", "'IMPHASH=AB'", "only |contains is exact", 6, 13},
        {"Hashes|contains|cased", "'MD5=AB'", "|cased", 5, 9},
        {"Hashes|re", "'MD5=AB'", "only string values", 5, 9},
        {"Hashes|exists", "true", "only string values", 5, 9},
        {"Hashes", "5", "only string values", 6, 13},
        {"Hashes|neq", "'MD5=AB'", "|neq", 5, 9},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run_result r = apply1(hashes_pipe, hashes_rule(cases[i].field, cases[i].value));
        expect_failure_at(&r, "pipeline-hashes", cases[i].line, cases[i].col);
        const char *msg = find_diag(r.diags, "pipeline-hashes")->message;
        assert_contains(msg, cases[i].reason);
        assert_contains(msg, "'Hashes'");
    }
    /* One bad alternative refuses the whole item: none is dropped. */
    run_result r = apply1(hashes_pipe, hashes_rule("Hashes|contains", "['MD5=AB', 'SHA1=CD']"));
    expect_failure_at(&r, "pipeline-hashes", 6, 24);
}

static void test_sysmon_hashes_load_errors(void **state)
{
    (void)state;
    assert_contains(pipeline_error_at("transformations:\n"
                                      "  - type: sysmon_hashes\n"
                                      "    mapping: {SHA512: h.sha512}\n",
                                      "pipeline-value", 3, 15),
                    "'SHA512' is not a hash algorithm");
    assert_contains(pipeline_error_at("transformations:\n"
                                      "  - type: sysmon_hashes\n"
                                      "    mapping: {MD5: [a, b]}\n",
                                      "pipeline-value", 3, 20),
                    "must map to one field");
    assert_contains(pipeline_error_at("transformations:\n"
                                      "  - type: sysmon_hashes\n"
                                      "    mapping: {MD5: a, md5: b}\n",
                                      "pipeline-value", 3, 23),
                    "mapped twice");
    assert_contains(pipeline_error_at("transformations:\n"
                                      "  - type: sysmon_hashes\n"
                                      "    mapping: {MD5: a}\n"
                                      "    field_prefix: File\n",
                                      "pipeline-key", 4, 5),
                    "field_prefix");
    pipeline_error_at("transformations:\n  - type: sysmon_hashes\n    fields: [Hashes]\n",
                      "pipeline-missing", 2, 5);
    pipeline_error_at("transformations:\n  - type: sysmon_hashes\n    mapping: {MD5: a}\n"
                      "    fields: {a: b}\n",
                      "pipeline-type", 4, 13);
}


static void test_set_state_and_processing_state(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - {type: set_state, key: backend, val: splunk}\n"
                            "  - {type: set_state, key: level, val: 3}\n"
                            "  - type: field_name_prefix\n"
                            "    prefix: a.\n"
                            "    rule_conditions:\n"
                            "      - {type: processing_state, key: backend, val: splunk}\n"
                            "      - {type: processing_state, key: level, val: 2, op: gt}\n"
                            "  - type: field_name_prefix\n"
                            "    prefix: b.\n"
                            "    rule_cond_op: or\n"
                            "    rule_conditions:\n"
                            "      - {type: processing_state, key: backend, val: other}\n"
                            "      - {type: processing_state, key: level, val: 3, op: lt}\n"
                            "      - {type: processing_state, key: missing, val: 1, op: ne}\n"
                            "      - {type: processing_state, key: level, val: '3'}\n"
                            "  - type: field_name_prefix\n"
                            "    prefix: c.\n"
                            "    detection_item_conditions:\n"
                            "      - {type: processing_state, key: backend, val: splunk}\n"
                            "    field_name_conditions:\n"
                            "      - {type: processing_state, key: level, val: 3, op: gte}\n",
                            rule_image_cmd);
    char *t = tree(r.rule);
    assert_contains(t, "match c.a.Image|endswith");
    assert_lacks(t, "b.");
}

static void test_value_placeholders(void **state)
{
    (void)state;
    const char *rule = PROC_RULE("    selection:\n"
                                 "        User|expand: '%admins%'\n"
                                 "        Port|expand: 'x%port%y'\n"
                                 "    condition: selection\n");
    run_result r = apply_ok("vars:\n"
                            "  admins: [root, 'adm*']\n"
                            "  port: 8080\n"
                            "transformations:\n"
                            "  - type: value_placeholders\n",
                            rule);
    char *t = tree(r.rule);
    assert_contains(t, "match User|expand (any of 2):\n      - 'root'\n      - 'adm*'\n");
    assert_contains(t, "match Port|expand: 'x8080y'");
    /* include: only the named placeholders are filled in. */
    r = apply_ok("vars: {admins: root, port: 1}\n"
                 "transformations:\n"
                 "  - type: value_placeholders\n"
                 "    include: [admins]\n",
                 rule);
    assert_contains(tree(r.rule), "match Port|expand: 'x%port%y'");
    assert_contains(tree(r.rule), "match User|expand: 'root'");
    /* A later pipeline's variable wins, as in pySigma's chaining. */
    sc_pipeline *pipes[2] = {pipeline_ok("vars: {admins: a, port: 1}\n"),
                             pipeline_ok("vars: {admins: b}\n"
                                         "transformations: [{type: value_placeholders}]\n")};
    r = apply_to(pipes, 2, rule, 0);
    assert_true(r.ok);
    assert_contains(tree(r.rule), "match User|expand: 'b'");
    assert_contains(tree(r.rule), "match Port|expand: 'x1y'");
}

static void test_value_placeholders_missing_variable(void **state)
{
    (void)state;
    run_result r = apply1("transformations:\n  - type: value_placeholders\n",
                          PROC_RULE("    selection:\n"
                                    "        User|expand: '%admins%'\n"
                                    "    condition: selection\n"));
    expect_failure_at(&r, "pipeline-error", 7, 22);
    assert_contains(find_diag(r.diags, "pipeline-error")->message, "'admins'");
}

static void test_wildcard_placeholders(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - type: wildcard_placeholders\n"
                            "    exclude: [keep]\n",
                            PROC_RULE("    selection:\n"
                                      "        User|expand: 'a%admins%b'\n"
                                      "        Other|expand: '%keep%'\n"
                                      "    condition: selection\n"));
    assert_contains(tree(r.rule), "match User|expand: 'a*b'");
    assert_contains(tree(r.rule), "match Other|expand: '%keep%'");
}

static void test_fields_list_transformations(void **state)
{
    (void)state;
    const char *rule = PROC_RULE("    selection:\n        Image: x\n    condition: selection\n"
                                 "fields: [Image, CommandLine, User]\n");
    run_result r = apply_ok("transformations:\n"
                            "  - {type: add_field, field: [a, b]}\n"
                            "  - {type: remove_field, field: CommandLine}\n"
                            "  - type: field_name_mapping\n"
                            "    mapping: {Image: [process.executable, process.name]}\n",
                            rule);
    const sc_strlist *f = &r.rule->fields;
    assert_int_equal(f->n, 5);
    assert_string_equal(f->items[0], "process.executable");
    assert_string_equal(f->items[1], "process.name");
    assert_string_equal(f->items[2], "User");
    assert_string_equal(f->items[3], "a");
    assert_string_equal(f->items[4], "b");
    r = apply_ok("transformations: [{type: set_field, fields: [only]}]\n", rule);
    assert_int_equal(r.rule->fields.n, 1);
    assert_string_equal(r.rule->fields.items[0], "only");
    /* Must not fire: the rule is not a correlation. */
    r = apply_ok("transformations:\n"
                 "  - {type: add_field, field: z, rule_conditions: [{type: "
                 "is_sigma_correlation_rule}]}\n",
                 rule);
    assert_int_equal(r.rule->fields.n, 3);
}

static void test_filters_are_rewritten_too(void **state)
{
    (void)state;
    const char *rules = PROC_RULE("    selection:\n        Image: x\n    condition: selection\n")
        "name: base\n"
        "---\n"
        "title: f\n"
        "logsource: {product: windows, category: process_creation}\n"
        "filter:\n"
        "    rules: [base]\n"
        "    sel: {Image: y}\n"
        "    condition: not sel\n";
    sc_pipeline *p = pipeline_ok("transformations:\n"
                                 "  - {type: field_name_mapping, mapping: {Image: proc}}\n"
                                 "  - {type: add_condition, conditions: {chan: a}}\n");
    run_result r = apply_to(&p, 1, rules, 1);
    assert_true(r.ok);
    /* The filter's own selections are mapped; the condition is added to the
     * rule it tunes, not to the filter. */
    assert_string_equal(tree(r.rule), "not\n  sel sel\n    match proc: 'y'\n");
}

static void test_set_custom_attribute(void **state)
{
    (void)state;
    run_result r = apply_ok("transformations:\n"
                            "  - {type: set_custom_attribute, attribute: index, value: main}\n"
                            "  - type: field_name_prefix\n"
                            "    prefix: x.\n"
                            "    rule_conditions:\n"
                            "      - {type: rule_attribute, attribute: index, value: main}\n"
                            "  - type: field_name_prefix\n"
                            "    prefix: y.\n"
                            "    rule_conditions:\n"
                            "      - {type: rule_attribute, attribute: index, value: other}\n",
                            rule_image_cmd);
    assert_contains(tree(r.rule), "match x.Image");
    assert_lacks(tree(r.rule), "y.");
    bool found = false;
    for (size_t i = 0; i < r.rule->n_custom; i++)
        found |= !strcmp(r.rule->custom[i].key, "index") &&
                 !strcmp(r.rule->custom[i].value->text, "main");
    assert_true(found);
}

/* ========================================================== conditions */

/* Applies a pipeline whose only item prefixes field names with "x." under
 * the given conditions (YAML lines at the item's indentation), and says
 * whether it fired. */
static bool fires(const char *conditions, const char *rules, size_t index)
{
    char pipe[4096];
    snprintf(pipe, sizeof pipe,
             "transformations:\n"
             "  - id: probe\n"
             "    type: field_name_prefix\n"
             "    prefix: x.\n"
             "%s",
             conditions);
    sc_pipeline *p = pipeline_ok(pipe);
    run_result r = apply_to(&p, 1, rules, index);
    if (!r.ok)
        dump(r.diags);
    assert_true(r.ok);
    return r.rule->condition ? strstr(tree(r.rule), " x.") != NULL : applied(r.rule, "probe");
}

static const char *const rich_rule =
    "title: Rich\n"
    "id: 5d7ba1c2-93b2-4f6e-9d8f-3c1f2b0a7e44\n"
    "status: experimental\n"
    "level: high\n"
    "date: 2024-05-01\n"
    "tags: [attack.execution, attack.t1059]\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n"
    "    selection:\n"
    "        EventID: 1\n"
    "        Image|endswith: '\\x.exe'\n"
    "        Parent: null\n"
    "    condition: selection\n";

static void test_rule_condition_logsource(void **state)
{
    (void)state;
    assert_true(fires("    rule_conditions: [{type: logsource, product: windows}]\n", rich_rule,
                      0));
    assert_true(fires("    rule_conditions: [{type: logsource, category: process_creation, "
                      "product: windows}]\n", rich_rule, 0));
    assert_false(fires("    rule_conditions: [{type: logsource, product: linux}]\n", rich_rule, 0));
    /* The rule has no service: a condition on it does not hold. */
    assert_false(fires("    rule_conditions: [{type: logsource, service: security}]\n", rich_rule,
                       0));
}

static void test_rule_condition_contains(void **state)
{
    (void)state;
    assert_true(fires("    rule_conditions: [{type: contains_detection_item, field: EventID, "
                      "value: 1}]\n", rich_rule, 0));
    assert_false(fires("    rule_conditions: [{type: contains_detection_item, field: EventID, "
                       "value: 2}]\n", rich_rule, 0));
    /* Typed as pySigma: the string '1' is not the number 1. */
    assert_false(fires("    rule_conditions: [{type: contains_detection_item, field: EventID, "
                       "value: '1'}]\n", rich_rule, 0));
    assert_true(fires("    rule_conditions: [{type: contains_detection_item, field: Image, "
                      "value: '*\\x.exe'}]\n", rich_rule, 0));
    assert_true(fires("    rule_conditions: [{type: contains_field, field: Parent}]\n", rich_rule,
                      0));
    assert_false(fires("    rule_conditions: [{type: contains_field, field: Nope}]\n", rich_rule,
                       0));
}

static void test_rule_condition_processing_item_applied(void **state)
{
    (void)state;
#define TWO_ITEMS(product)                                                             \
    "transformations:\n"                                                               \
    "  - id: first\n"                                                                  \
    "    type: set_state\n"                                                            \
    "    key: k\n"                                                                     \
    "    val: v\n"                                                                     \
    "    rule_conditions: [{type: logsource, product: " product "}]\n"                 \
    "  - id: second\n"                                                                 \
    "    type: field_name_prefix\n"                                                    \
    "    prefix: x.\n"                                                                 \
    "    rule_conditions: [{type: processing_item_applied, processing_item_id: first}]\n"
    run_result r = apply_ok(TWO_ITEMS("windows"), rich_rule);
    assert_true(applied(r.rule, "first") && applied(r.rule, "second"));
    assert_contains(tree(r.rule), "x.EventID");
    r = apply_ok(TWO_ITEMS("linux"), rich_rule);
    assert_false(applied(r.rule, "first") || applied(r.rule, "second"));
    assert_lacks(tree(r.rule), "match x.");
}

static const char *const rule_and_correlation =
    "title: base\nname: base\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection: {selection: {Image: x}, condition: selection}\n"
    "---\n"
    "title: corr\n"
    "correlation:\n"
    "    type: event_count\n"
    "    rules: base\n"
    "    group-by: [Image]\n"
    "    timespan: 1h\n"
    "    condition: {gte: 3}\n";

static void test_rule_condition_rule_kinds(void **state)
{
    (void)state;
    const char *sigma = "    rule_conditions: [{type: is_sigma_rule}]\n";
    const char *corr = "    rule_conditions: [{type: is_sigma_correlation_rule}]\n";
    assert_true(fires(sigma, rule_and_correlation, 0));
    assert_false(fires(corr, rule_and_correlation, 0));
    assert_true(fires(corr, rule_and_correlation, 1));
    assert_false(fires(sigma, rule_and_correlation, 1));
    /* A correlation matches a logsource through the rules it references. */
    assert_true(fires("    rule_conditions: [{type: logsource, category: process_creation}]\n",
                      rule_and_correlation, 1));
    assert_false(fires("    rule_conditions: [{type: logsource, category: image_load}]\n",
                       rule_and_correlation, 1));
}

static void test_rule_condition_rule_attribute_and_tag(void **state)
{
    (void)state;
    const char *cases_true[] = {
        "{type: rule_attribute, attribute: level, value: medium, op: gte}",
        "{type: rule_attribute, attribute: level, value: HIGH}",
        "{type: rule_attribute, attribute: status, value: test, op: lt}",
        "{type: rule_attribute, attribute: tags, value: attack.t1059, op: in}",
        "{type: rule_attribute, attribute: tags, value: attack.t1000, op: not_in}",
        "{type: rule_attribute, attribute: date, value: 2025-01-01, op: lt}",
        "{type: rule_attribute, attribute: title, value: Rich}",
        "{type: rule_attribute, attribute: id, value: 5d7ba1c2-93b2-4f6e-9d8f-3c1f2b0a7e44}",
        "{type: tag, tag: attack.execution}",
    };
    const char *cases_false[] = {
        "{type: rule_attribute, attribute: level, value: critical, op: gte}",
        "{type: rule_attribute, attribute: tags, value: attack.t1059, op: eq}",
        "{type: rule_attribute, attribute: title, value: Poor, op: eq}",
        "{type: rule_attribute, attribute: author, value: x}", /* the rule has none */
        "{type: rule_attribute, attribute: custom_x, value: 1}",
        "{type: tag, tag: attack.persistence}",
    };
    char conds[512];
    for (size_t i = 0; i < TU_COUNT(cases_true); i++) {
        snprintf(conds, sizeof conds, "    rule_conditions: [%s]\n", cases_true[i]);
        if (!fires(conds, rich_rule, 0))
            print_message("should fire: %s\n", cases_true[i]);
        assert_true(fires(conds, rich_rule, 0));
    }
    for (size_t i = 0; i < TU_COUNT(cases_false); i++) {
        snprintf(conds, sizeof conds, "    rule_conditions: [%s]\n", cases_false[i]);
        if (fires(conds, rich_rule, 0))
            print_message("should not fire: %s\n", cases_false[i]);
        assert_false(fires(conds, rich_rule, 0));
    }
}

static void test_rule_condition_linking(void **state)
{
    (void)state;
    const char *two = "      - {type: logsource, product: windows}\n"
                      "      - {type: tag, tag: attack.persistence}\n";
    char conds[1024];
    snprintf(conds, sizeof conds, "    rule_conditions:\n%s", two);
    assert_false(fires(conds, rich_rule, 0)); /* and */
    snprintf(conds, sizeof conds, "    rule_cond_op: or\n    rule_conditions:\n%s", two);
    assert_true(fires(conds, rich_rule, 0));
    snprintf(conds, sizeof conds, "    rule_cond_not: true\n    rule_conditions:\n%s", two);
    assert_true(fires(conds, rich_rule, 0));
    /* An expression over named conditions. */
    assert_true(fires("    rule_cond_expr: win and not (persist or linux)\n"
                      "    rule_conditions:\n"
                      "      win: {type: logsource, product: windows}\n"
                      "      persist: {type: tag, tag: attack.persistence}\n"
                      "      linux: {type: logsource, product: linux}\n",
                      rich_rule, 0));
    assert_false(fires("    rule_cond_expr: win and not persist and not exec\n"
                       "    rule_conditions:\n"
                       "      win: {type: logsource, product: windows}\n"
                       "      persist: {type: tag, tag: attack.persistence}\n"
                       "      exec: {type: tag, tag: attack.execution}\n",
                       rich_rule, 0));
    /* A map of conditions without an expression is ANDed, like a list. */
    assert_true(fires("    rule_conditions:\n"
                      "      a: {type: logsource, product: windows}\n"
                      "      b: {type: tag, tag: attack.execution}\n",
                      rich_rule, 0));
}

/* Which fields of rich_rule get the "x." prefix under the conditions. */
static char *prefixed(const char *conditions)
{
    char pipe[2048];
    snprintf(pipe, sizeof pipe,
             "transformations:\n"
             "  - type: field_name_prefix\n"
             "    prefix: x.\n"
             "%s",
             conditions);
    run_result r = apply_ok(pipe, rich_rule);
    return tree(r.rule);
}

static void test_detection_item_conditions(void **state)
{
    (void)state;
    char *t = prefixed("    detection_item_conditions:\n"
                       "      - {type: match_string, pattern: '\\*\\\\', cond: any}\n");
    assert_contains(t, "match x.Image");
    assert_lacks(t, "x.EventID");
    /* negate: every non-matching value (numbers and null count as such). */
    t = prefixed("    detection_item_conditions:\n"
                 "      - {type: match_string, pattern: '\\*', cond: all, negate: true}\n");
    assert_contains(t, "match x.EventID");
    assert_contains(t, "match x.Parent");
    assert_lacks(t, "x.Image");
    t = prefixed("    detection_item_conditions: [{type: is_null, cond: all}]\n");
    assert_contains(t, "match x.Parent: null");
    assert_lacks(t, "x.EventID");
    t = prefixed("    detection_item_conditions: [{type: match_value, value: 1, cond: any}]\n");
    assert_contains(t, "match x.EventID");
    assert_lacks(t, "x.Image");
    /* |exists: true is no boolean value (pySigma's SigmaExists). */
    run_result r = apply_ok("transformations:\n"
                            "  - type: field_name_prefix\n"
                            "    prefix: x.\n"
                            "    detection_item_conditions: [{type: match_value, value: true, "
                            "cond: any}]\n",
                            "title: B\nlogsource: {product: windows}\ndetection:\n"
                            "    selection:\n        Flag: true\n        Other|exists: true\n"
                            "    condition: selection\n");
    t = tree(r.rule);
    assert_contains(t, "match x.Flag");
    assert_lacks(t, "x.Other");
    t = prefixed("    detection_item_conditions: [{type: contains_wildcard, cond: any}]\n");
    assert_contains(t, "match x.Image");
    assert_lacks(t, "x.Parent");
    t = prefixed("    detection_item_conditions: [{type: is_null, cond: any}]\n"
                 "    detection_item_cond_not: true\n");
    assert_lacks(t, "x.Parent");
    assert_contains(t, "x.EventID");
}

static void test_field_name_conditions(void **state)
{
    (void)state;
    char *t = prefixed("    field_name_conditions: [{type: include_fields, fields: [Image, "
                       "Parent]}]\n");
    assert_contains(t, "x.Image");
    assert_contains(t, "x.Parent");
    assert_lacks(t, "x.EventID");
    t = prefixed("    field_name_conditions: [{type: exclude_fields, fields: [Image]}]\n");
    assert_lacks(t, "x.Image");
    assert_contains(t, "x.EventID");
    /* mode re matches at the start of the name, as Python's re.match. */
    t = prefixed("    field_name_conditions: [{type: include_fields, mode: re, fields: "
                 "['Ima', 'vent']}]\n");
    assert_contains(t, "x.Image");
    assert_lacks(t, "x.EventID");
    t = prefixed("    field_name_conditions: [{type: include_fields, fields: [Image]}, "
                 "{type: include_fields, fields: [EventID]}]\n"
                 "    field_name_cond_op: or\n");
    assert_contains(t, "x.Image");
    assert_contains(t, "x.EventID");
    assert_lacks(t, "x.Parent");
    t = prefixed("    field_name_cond_expr: a and not b\n"
                 "    field_name_conditions:\n"
                 "      a: {type: include_fields, mode: re, fields: ['.']}\n"
                 "      b: {type: include_fields, fields: [Parent]}\n");
    assert_contains(t, "x.Image");
    assert_lacks(t, "x.Parent");
}

static void test_field_name_processing_item_applied(void **state)
{
    (void)state;
    /* A name of the fields list remembers the mapping that produced it; so
     * does a detection item. The second item only touches those. */
    run_result r = apply_ok("transformations:\n"
                            "  - id: ecs\n"
                            "    type: field_name_mapping\n"
                            "    mapping: {Image: process.executable}\n"
                            "  - type: field_name_suffix\n"
                            "    suffix: .keyword\n"
                            "    field_name_conditions:\n"
                            "      - {type: processing_item_applied, processing_item_id: ecs}\n",
                            PROC_RULE("    selection:\n        Image: x\n        User: y\n"
                                      "    condition: selection\n"
                                      "fields: [Image, User]\n"));
    assert_string_equal(r.rule->fields.items[0], "process.executable.keyword");
    assert_string_equal(r.rule->fields.items[1], "User");
    assert_contains(tree(r.rule), "match process.executable.keyword: 'x'");
    assert_contains(tree(r.rule), "match User: 'y'");
}

/* ========================================================= correlations */

static const char *const value_count_rules =
    "title: base\nname: base\n"
    "logsource: {product: windows, category: network_connection}\n"
    "detection: {selection: {Image: x}, condition: selection}\n"
    "---\n"
    "title: base2\nname: base2\n"
    "logsource: {product: windows, service: security}\n"
    "detection: {selection: {EventID: 4624}, condition: selection}\n"
    "---\n"
    "title: counted\n"
    "correlation:\n"
    "    type: value_count\n"
    "    rules: [base, base2]\n"
    "    group-by: [Computer, src]\n"
    "    timespan: 1h\n"
    "    condition: {gte: 3, field: User}\n"
    "    aliases:\n"
    "        src:\n"
    "            base: SourceIp\n"
    "            base2: IpAddress\n"
    "fields: [Computer]\n";

static void test_correlation_fields_mapped(void **state)
{
    (void)state;
    sc_pipeline *p = pipeline_ok("transformations:\n"
                                 "  - type: field_name_mapping\n"
                                 "    mapping:\n"
                                 "      Computer: [host.name, winlog.computer_name]\n"
                                 "      SourceIp: source.ip\n"
                                 "      IpAddress: source.ip\n"
                                 "      User: user.name\n"
                                 "      src: never.used\n");
    run_result r = apply_to(&p, 1, value_count_rules, 2);
    assert_true(r.ok);
    const sc_correlation *c = r.rule->corr;
    /* group-by: a list mapping expands; an alias name is not a field. */
    assert_int_equal(c->n_group_by, 3);
    assert_string_equal(c->group_by[0], "host.name");
    assert_string_equal(c->group_by[1], "winlog.computer_name");
    assert_string_equal(c->group_by[2], "src");
    assert_string_equal(c->aliases[0].entries[0].field, "source.ip");
    assert_string_equal(c->aliases[0].entries[1].field, "source.ip");
    assert_string_equal(c->fields[0], "user.name");
    assert_int_equal(r.rule->fields.n, 2);
    char *e = explain(r.rule);
    assert_contains(e, "    group-by: host.name, winlog.computer_name, src\n");
    assert_contains(e, "    condition: gte 3 of field user.name\n");
    assert_contains(e, "    alias src: base=source.ip, base2=source.ip\n");
}

static void test_correlation_single_field_required(void **state)
{
    (void)state;
    /* An alias entry and the aggregated field must stay one field each. */
    run_result r;
    sc_pipeline *p = pipeline_ok("transformations:\n"
                                 "  - type: field_name_mapping\n"
                                 "    mapping: {SourceIp: [source.ip, client.ip]}\n");
    r = apply_to(&p, 1, value_count_rules, 2);
    expect_failure_at(&r, "pipeline-error", 11, 1);
    assert_contains(find_diag(r.diags, "pipeline-error")->message, "an alias entry");
    p = pipeline_ok("transformations:\n"
                    "  - type: field_name_mapping\n"
                    "    mapping: {User: [user.name, user.id]}\n");
    r = apply_to(&p, 1, value_count_rules, 2);
    expect_failure_at(&r, "pipeline-error", 11, 1);
}

/* ============================================================ load errors */

static void test_error_unknown_transformation(void **state)
{
    (void)state;
    const char *msg = pipeline_error_at("name: x\n"
                                        "transformations:\n"
                                        "  - id: a\n"
                                        "    type: field_name_maping\n",
                                        "pipeline-unknown-transformation", 4, 11);
    assert_contains(msg, "did you mean 'field_name_mapping'");
    msg = pipeline_error_at("transformations:\n"
                            "  - type: hashes_fields\n",
                            "pipeline-unsupported", 2, 11);
    assert_contains(msg, "exists in pySigma");
    pipeline_error_at("transformations:\n  - id: x\n", "pipeline-missing", 2, 5);
}

static void test_error_unknown_condition(void **state)
{
    (void)state;
    const char *msg = pipeline_error_at("transformations:\n"
                                        "  - type: drop_detection_item\n"
                                        "    rule_conditions:\n"
                                        "      - type: logsourc\n",
                                        "pipeline-unknown-condition", 4, 15);
    assert_contains(msg, "known: logsource");
    msg = pipeline_error_at("transformations:\n"
                            "  - type: drop_detection_item\n"
                            "    rule_conditions:\n"
                            "      - {type: include_fields, fields: [a]}\n",
                            "pipeline-unknown-condition", 4, 16);
    assert_contains(msg, "field_name_conditions");
}

static void test_error_parameters(void **state)
{
    (void)state;
    pipeline_error_at("transformations:\n"
                      "  - type: field_name_prefix\n"
                      "    prefix: x.\n"
                      "    prefx: y\n",
                      "pipeline-key", 4, 5);
    pipeline_error_at("transformations:\n"
                      "  - type: field_name_prefix\n",
                      "pipeline-missing", 2, 5);
    pipeline_error_at("transformations:\n"
                      "  - type: field_name_mapping\n"
                      "    mapping: [a, b]\n",
                      "pipeline-type", 3, 14);
    pipeline_error_at("transformations:\n"
                      "  - type: drop_detection_item\n"
                      "    detection_item_conditions:\n"
                      "      - type: match_string\n"
                      "        pattern: x\n"
                      "        cond: any\n"
                      "        negate: maybe\n",
                      "pipeline-type", 7, 17);
    pipeline_error_at("transformations:\n"
                      "  - type: drop_detection_item\n"
                      "    detection_item_conditions:\n"
                      "      - {type: match_string, pattern: x, cond: some}\n",
                      "pipeline-value", 4, 48);
    pipeline_error_at("priority: high\n", "pipeline-type", 1, 11);
    pipeline_error_at("transformations:\n"
                      "  - type: drop_detection_item\n"
                      "    field_name_conditions: [{type: include_fields, fields: Image}]\n",
                      "pipeline-type", 3, 60);
    pipeline_error_at("transformations:\n"
                      "  - type: field_name_mapping\n"
                      "    mapping: {Image: []}\n",
                      "pipeline-value", 3, 22);
    pipeline_error_at("transformations:\n"
                      "  - {type: value_placeholders, include: [a], exclude: [b]}\n",
                      "pipeline-value", 2, 55);
    pipeline_error_at("transformations:\n"
                      "  - type: drop_detection_item\n"
                      "    rule_cond_op: xor\n",
                      "pipeline-value", 3, 19);
    pipeline_error_at("transformations:\n"
                      "  - type: drop_detection_item\n"
                      "    rule_conditions:\n"
                      "      - {type: rule_attribute, attribute: level, value: severe}\n",
                      "pipeline-value", 4, 57);
    pipeline_error_at("transformations:\n"
                      "  - type: drop_detection_item\n"
                      "    rule_conditions:\n"
                      "      - {type: rule_attribute, attribute: title, value: a, op: gt}\n",
                      "pipeline-value", 4, 57);
    pipeline_error_at("transformations: {a: b}\n", "pipeline-type", 1, 18);
    pipeline_error_at("colour: blue\n", "pipeline-key", 1, 1);
}

static void test_error_regexes(void **state)
{
    (void)state;
    pipeline_error_at("transformations:\n"
                      "  - type: replace_string\n"
                      "    regex: 'a('\n"
                      "    replacement: b\n",
                      "pipeline-regex", 3, 12);
    const char *msg = pipeline_error_at("transformations:\n"
                                        "  - type: replace_string\n"
                                        "    regex: '(a)'\n"
                                        "    replacement: '\\2'\n",
                                        "pipeline-value", 4, 18);
    assert_contains(msg, "group 2");
    pipeline_error_at("transformations:\n"
                      "  - type: replace_string\n"
                      "    regex: '(?P<x>a)'\n"
                      "    replacement: '\\g<y>'\n",
                      "pipeline-value", 4, 18);
    pipeline_error_at("transformations:\n"
                      "  - type: replace_string\n"
                      "    regex: a\n"
                      "    replacement: '\\q'\n",
                      "pipeline-value", 4, 18);
    pipeline_error_at("transformations:\n"
                      "  - type: drop_detection_item\n"
                      "    field_name_conditions:\n"
                      "      - {type: include_fields, mode: re, fields: ['[']}\n",
                      "pipeline-regex", 4, 51);
}

static void test_error_expressions(void **state)
{
    (void)state;
    const char *items = "    rule_conditions:\n"
                        "      a: {type: logsource, product: windows}\n"
                        "      b: {type: is_sigma_rule}\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "transformations:\n  - type: drop_detection_item\n"
             "    rule_cond_expr: a and c\n%s", items);
    const char *msg = pipeline_error_at(yaml, "pipeline-expression", 3, 27);
    assert_contains(msg, "'c'");
    snprintf(yaml, sizeof yaml, "transformations:\n  - type: drop_detection_item\n"
             "    rule_cond_expr: a\n%s", items);
    msg = pipeline_error_at(yaml, "pipeline-expression", 3, 21);
    assert_contains(msg, "'b' is defined but the expression does not use it");
    snprintf(yaml, sizeof yaml, "transformations:\n  - type: drop_detection_item\n"
             "    rule_cond_expr: (a or b\n%s", items);
    pipeline_error_at(yaml, "pipeline-expression", 3, 28);
    snprintf(yaml, sizeof yaml, "transformations:\n  - type: drop_detection_item\n"
             "    rule_cond_op: or\n    rule_cond_expr: a or b\n%s", items);
    pipeline_error_at(yaml, "pipeline-expression", 4, 21);
}

static void test_error_documents(void **state)
{
    (void)state;
    pipeline_error_at("name: x\n"
                      "transformations:\n"
                      "  - type: a\n"
                      "   bad: indentation\n",
                      "yaml-syntax", 4, 4);
    pipeline_error_at("a: 1\n---\nb: 2\n", "pipeline-type", 3, 1);
    pipeline_error_at("", "empty-file", 0, 0);
    pipeline_error_at("- a\n", "pipeline-type", 1, 1);
    pipeline_error_at("name: a\nname: b\n", "duplicate-key", 2, 1);
    const char *msg = pipeline_error_at("postprocessing:\n  - type: template\n",
                                        "pipeline-unsupported", 2, 3);
    assert_contains(msg, "not supported");
    pipeline_error_at("finalizers: [{type: concat}]\n", "pipeline-unsupported", 1, 13);
    /* Empty output stages and informational keys are accepted. */
    sc_pipeline *p = pipeline_ok("name: n\npriority: 5\npostprocessing: []\nfinalizers:\n"
                                 "allowed_backends: [eql]\n");
    assert_int_equal(sc_pipeline_priority(p), 5);
    assert_string_equal(sc_pipeline_name(p), "n");
    char nul[] = "name: a\0b\n";
    sc_diag_list *d = new_diags();
    sc_source src = {"p.yml", nul, sizeof nul - 1, NULL, 0};
    assert_null(sc_pipeline_load(d, &src));
    assert_non_null(find_diag(d, "yaml-encoding"));
}

static void test_error_add_condition_checked_at_load(void **state)
{
    (void)state;
    /* The conditions are built once while loading: a bad modifier is
     * reported at the pipeline's own line. */
    pipeline_error_at("transformations:\n"
                      "  - type: add_condition\n"
                      "    conditions:\n"
                      "      Image|endwith: x\n",
                      "unknown-modifier", 4, 13);
    pipeline_error_at("transformations:\n"
                      "  - type: add_condition\n"
                      "    conditions: [a, b]\n",
                      "pipeline-type", 3, 17);
}

static void test_warning_ignored_conditions(void **state)
{
    (void)state;
    sc_diag_list *d = new_diags();
    sc_pipeline *p = load_pipeline(d, "transformations:\n"
                                      "  - type: rule_failure\n"
                                      "    message: m\n"
                                      "    detection_item_conditions:\n"
                                      "      - {type: is_null, cond: any}\n");
    assert_non_null(p);
    const sigcc_diag *g = find_diag(d, "pipeline-ignored");
    assert_non_null(g);
    assert_int_equal(g->severity, SIGCC_WARNING);
    assert_int_equal(g->line, 2);
}

/* =============================================================== limits */

static void test_limit_growth(void **state)
{
    (void)state;
    /* Five list mappings of twenty names each would make 20^5 leaves. */
    sc_buf b = {0};
    sc_buf_puts(&b, "transformations:\n");
    for (int i = 0; i < 5; i++) {
        sc_buf_puts(&b, "  - type: field_name_prefix_mapping\n    mapping:\n      '': [");
        for (int k = 0; k < 20; k++)
            sc_buf_printf(&b, "%sp%d_%d.", k ? ", " : "", i, k);
        sc_buf_puts(&b, "]\n");
    }
    char *yaml = tu_str(sc_buf_take(&b));
    run_result r = apply1(yaml, rule_image_cmd);
    assert_false(r.ok);
    assert_non_null(find_diag(r.diags, "limit-pipeline-growth"));
}

static void test_limit_expression_depth(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, "transformations:\n  - type: drop_detection_item\n    rule_cond_expr: ");
    for (int i = 0; i < 200; i++)
        sc_buf_putc(&b, '(');
    sc_buf_puts(&b, "a\n    rule_conditions: {a: {type: is_sigma_rule}}\n");
    char *yaml = tu_str(sc_buf_take(&b));
    sc_diag_list *d = new_diags();
    assert_null(load_pipeline(d, yaml));
    assert_non_null(find_diag(d, "pipeline-expression"));
}

/* ========================================================= ECS pipeline */

static char *read_source_file(const char *relative, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SIGCC_SOURCE_DIR, relative);
    FILE *f = fopen(path, "rb");
    if (!f)
        print_message("cannot open %s\n", path);
    assert_non_null(f);
    char *data = tu_str(calloc(1, SC_MAX_FILE_BYTES + 1));
    *len = fread(data, 1, SC_MAX_FILE_BYTES, f);
    fclose(f);
    return data;
}

static sc_pipeline *ecs_pipeline(void)
{
    size_t len;
    char *text = read_source_file("pipelines/ecs_windows.yml", &len);
    sc_diag_list *d = new_diags();
    sc_source src = {"pipelines/ecs_windows.yml", text, len, NULL, 0};
    sc_pipeline *p = sc_pipeline_load(d, &src);
    if (!p || d->n)
        dump(d);
    assert_non_null(p);
    assert_int_equal(d->n, 0);
    tu_release(text);
    return tu_track(p, pipeline_free_fn);
}

static void test_ecs_mail_rule(void **state)
{
    (void)state;
    sc_pipeline *ecs = ecs_pipeline();
    assert_int_equal(sc_pipeline_priority(ecs), 20);
    size_t len;
    char *rule = read_source_file(
        "rules/T1071.003/net_connection_mail_protocol_non_mail_client.yml", &len);
    run_result r = apply_to(&ecs, 1, rule, 0);
    if (!r.ok)
        dump(r.diags);
    assert_true(r.ok);
    char *t = tree(r.rule);
    assert_contains(t, "match process.executable|endswith (any of 8):");
    assert_contains(t, "match destination.port (any of 7):");
    assert_contains(t, "match network.direction: 'egress'");
    assert_lacks(t, "Initiated");
    assert_string_equal(r.rule->fields.items[0], "winlog.computer_name");
    assert_string_equal(r.rule->fields.items[2], "process.executable");
    assert_true(applied(r.rule, "ecs_windows_field_mapping"));
    /* No product: the Windows-only prefix does not apply. */
    assert_false(applied(r.rule, "ecs_windows_winlog_eventdata_prefix"));
}

static void test_ecs_explain_of_rewritten_rule(void **state)
{
    (void)state;
    sc_pipeline *ecs = ecs_pipeline();
    size_t len;
    char *rule = read_source_file("rules/T1071.003/net_connection_smtp_alternate_port_26.yml",
                                  &len);
    run_result r = apply_to(&ecs, 1, rule, 0);
    assert_true(r.ok);
    assert_string_equal(explain(r.rule),
                        "rule: Outbound Connection To Alternate SMTP Port 26\n"
                        "  kind: detection\n"
                        "  id: 1a46a4d7-00c1-482e-9c83-eed16f52ce16\n"
                        "  status: experimental\n"
                        "  level: medium\n"
                        "  tags: attack.command-and-control, attack.exfiltration, "
                        "attack.t1071.003\n"
                        "  logsource: category=network_connection product=windows\n"
                        "  condition: _cond_1 and (selection)\n"
                        "  tree:\n"
                        "    and\n"
                        "      sel _cond_1\n"
                        "        and\n"
                        "          match winlog.channel: 'Microsoft-Windows-Sysmon/Operational'\n"
                        "          match event.code: '3'\n"
                        "      sel selection\n"
                        "        and\n"
                        "          match network.direction: 'egress'\n"
                        "          match destination.port: 26\n");
}

static void test_ecs_correlation_of_the_folder(void **state)
{
    (void)state;
    sc_pipeline *ecs = ecs_pipeline();
    size_t len1, len2;
    char *base = read_source_file(
        "rules/T1071.003/net_connection_mail_protocol_non_mail_client.yml", &len1);
    char *corr = read_source_file(
        "rules/T1071.003/net_connection_mail_protocol_repeated_correlation.yml", &len2);
    sc_buf b = {0};
    sc_buf_puts(&b, base);
    sc_buf_puts(&b, "---\n");
    sc_buf_puts(&b, corr);
    char *both = tu_str(sc_buf_take(&b));
    run_result r = apply_to(&ecs, 1, both, 1);
    assert_true(r.ok);
    assert_contains(explain(r.rule),
                    "    group-by: winlog.computer_name, process.executable, destination.ip\n");
}

static void test_ecs_windows_service_rule(void **state)
{
    (void)state;
    sc_pipeline *ecs = ecs_pipeline();
    run_result r = apply_to(&ecs, 1,
                            "title: t\nlogsource: {product: windows, service: security}\n"
                            "detection:\n"
                            "    selection:\n"
                            "        EventID: 4624\n"
                            "        LogonType: 10\n"
                            "        Image: x\n"
                            "    condition: selection\n",
                            0);
    assert_true(r.ok);
    /* Channel added, header mapped, the rest under winlog.event_data: a
     * Security event is not a Sysmon one, so Image is not renamed. */
    assert_string_equal(tree(r.rule), "and\n"
                                      "  sel _cond_1\n"
                                      "    match winlog.channel: 'Security'\n"
                                      "  sel selection\n"
                                      "    and\n"
                                      "      match winlog.event_id: 4624\n"
                                      "      match winlog.event_data.LogonType: 10\n"
                                      "      match winlog.event_data.Image: 'x'\n");
}

/* A Windows rule of `category` whose one detection item (line 5) the ECS
 * pipeline must refuse. */
static void expect_ecs_refusal_product(sc_pipeline *ecs, const char *product,
                                       const char *category, const char *item)
{
    char rule[512];
    snprintf(rule, sizeof rule,
             "title: t\nlogsource: {product: %s, category: %s}\n"
             "detection:\n    selection:\n        %s\n    condition: selection\n",
             product, category, item);
    run_result r = apply_to(&ecs, 1, rule, 0);
    expect_failure_at(&r, "pipeline-item-failure", 5, 9);
}

static void expect_ecs_refusal(sc_pipeline *ecs, const char *category, const char *item)
{
    expect_ecs_refusal_product(ecs, "windows", category, item);
}

static void test_ecs_value_translations(void **state)
{
    (void)state;
    sc_pipeline *ecs = ecs_pipeline();
    run_result r = apply_to(&ecs, 1,
                            "title: t\nlogsource: {product: windows, category: registry_set}\n"
                            "detection:\n"
                            "    selection:\n"
                            "        TargetObject|endswith: '\\Run\\x'\n"
                            "        Details: 'DWORD (0x00000001)'\n"
                            "    condition: selection\n",
                            0);
    assert_true(r.ok);
    assert_contains(tree(r.rule), "match registry.path|endswith: '*\\Run\\x'");
    assert_contains(tree(r.rule), "match registry.data.strings: '1'");
    r = apply_to(&ecs, 1,
                 "title: t\nlogsource: {product: windows, category: dns_query}\n"
                 "detection: {selection: {QueryStatus: 9003}, condition: selection}\n",
                 0);
    assert_true(r.ok);
    assert_contains(tree(r.rule), "match sysmon.dns.status: 'DNS_ERROR_RCODE_NAME_ERROR'");
    /* Values without an exact ECS form stop the rule, at the item. */
    expect_ecs_refusal(ecs, "registry_set", "Details|contains: 'DWORD (0x0000'");
    expect_ecs_refusal(ecs, "process_creation", "User: 'NT AUTHORITY\\SYSTEM'");
    expect_ecs_refusal(ecs, "file_block_executable", "Hashes|contains: 'SHA256=AB'");
    expect_ecs_refusal(ecs, "network_connection", "Initiated: true");
    /* Linux process creation takes the generic ECS process fields (not the Windows ones). */
    r = apply_to(&ecs, 1,
                 "title: t\nlogsource: {product: linux, category: process_creation}\n"
                 "detection: {selection: {Image: /bin/sh}, condition: selection}\n",
                 0);
    assert_true(r.ok);
    assert_contains(tree(r.rule), "match process.executable: '/bin/sh'");
    assert_contains(tree(r.rule), "match event.type: 'start'");
    /* Another Linux field, or a logsource with no ECS mapping, stops the rule. */
    expect_ecs_refusal_product(ecs, "linux", "process_creation", "LogonId: 4");
    r = apply_to(&ecs, 1,
                 "title: t\nlogsource: {product: zeek, service: http}\n"
                 "detection: {selection: {method: PUT}, condition: selection}\n",
                 0);
    assert_false(r.ok);
}

/* A rule of an integration's logsource (line 2), one detection item on line 5. */
static run_result ecs_integration_rule(sc_pipeline **ecs, const char *logsource,
                                       const char *item)
{
    char rule[512];
    snprintf(rule, sizeof rule,
             "title: t\nlogsource: {%s}\n"
             "detection:\n    selection:\n        %s\n    condition: selection\n",
             logsource, item);
    return apply_to(ecs, 1, rule, 0);
}

static void expect_ecs_integration(sc_pipeline **ecs, const char *logsource, const char *item,
                                   const char *dataset, const char *match)
{
    run_result r = ecs_integration_rule(ecs, logsource, item);
    assert_true(r.ok);
    assert_contains(tree(r.rule), dataset);
    assert_contains(tree(r.rule), match);
}

static void test_ecs_integrations(void **state)
{
    (void)state;
    sc_pipeline *ecs = ecs_pipeline();
    const char *aws = "product: aws, service: cloudtrail";
    expect_ecs_integration(&ecs, aws, "eventName: StopLogging",
                           "match event.dataset: 'aws.cloudtrail'",
                           "match event.action: 'StopLogging'");
    expect_ecs_integration(&ecs, aws, "userIdentity.arn|contains: ':root'",
                           "match event.dataset: 'aws.cloudtrail'",
                           "match aws.cloudtrail.user_identity.arn|contains: '*:root*'");
    expect_ecs_integration(&ecs, "product: azure, service: activitylogs",
                           "operationName: MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE",
                           "match event.dataset: 'azure.activitylogs'",
                           "match azure.activitylogs.operation_name: "
                           "'MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE'");
    expect_ecs_integration(&ecs, "product: azure, service: auditlogs",
                           "Category: UserManagement", "match event.dataset: 'azure.auditlogs'",
                           "match azure.auditlogs.properties.category: 'UserManagement'");
    /* The sign-in record's result type is text: a number in the rule becomes its text. */
    expect_ecs_integration(&ecs, "product: azure, service: signinlogs", "ResultType: 50126",
                           "match event.dataset: 'azure.signinlogs'",
                           "match azure.signinlogs.result_type: '50126'");
    expect_ecs_integration(&ecs, "product: azure, service: riskdetection",
                           "riskEventType: passwordSpray",
                           "match event.dataset: 'azure.identity_protection'",
                           "match azure.identityprotection.properties.risk_event_type: "
                           "'passwordSpray'");
    expect_ecs_integration(&ecs, "product: gcp, service: gcp.audit",
                           "gcp.audit.method_name: storage.buckets.delete",
                           "match event.dataset: 'gcp.audit'",
                           "match event.action: 'storage.buckets.delete'");
    expect_ecs_integration(&ecs, "product: okta, service: okta", "securityContext.isProxy: true",
                           "match event.dataset: 'okta.system'",
                           "match okta.security_context.is_proxy: true");
    expect_ecs_integration(&ecs, "product: github, service: audit", "action: org.add_member",
                           "match event.dataset: 'github.audit'",
                           "match event.action: 'org.add_member'");
    /* Kept in another shape, dropped, or not a field of the record: refused at the item. */
    const char *refused[][2] = {
        {aws, "requestParameters.bucketName: x"},
        {aws, "requestParameters|contains: x"},
        {aws, "status: success"},
        {"product: azure, service: activitylogs", "CategoryValue: Administrative"},
        {"product: azure, service: auditlogs", "TargetResources.modifiedProperties|contains: x"},
        {"product: azure, service: signinlogs", "Status: Success"},
        {"product: gcp, service: gcp.audit", "data.protoPayload.authorizationInfo.granted: 'true'"},
        {"product: gcp, service: gcp.audit", "data.protoPayload.serviceName: x"},
        {"product: okta, service: okta", "securityContext.isProxy: 'true'"},
        {"product: okta, service: okta", "debugContext.debugData.behaviors|contains: x"},
        {"product: okta, service: okta", "legacyEventType: x"},
        {"product: github, service: audit", "visibility: public"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        run_result r = ecs_integration_rule(&ecs, refused[i][0], refused[i][1]);
        expect_failure_at(&r, "pipeline-item-failure", 5, 9);
    }
}

/* Log integrations: auditd, Kubernetes and Bitbucket audit, Zeek. */
static void test_ecs_log_integrations(void **state)
{
    (void)state;
    sc_pipeline *ecs = ecs_pipeline();
    const char *auditd = "product: linux, service: auditd";
    /* The record type is lower-cased into event.action unless the type table gave one. */
    expect_ecs_integration(&ecs, auditd, "type: PATH", "match event.dataset: 'auditd.log'",
                           "match auditd.log.record_type: 'PATH'");
    expect_ecs_integration(&ecs, auditd, "type: PATH", "match event.dataset: 'auditd.log'",
                           "match event.action: 'PATH'");
    expect_ecs_integration(&ecs, auditd, "comm: insmod", "match event.dataset: 'auditd.log'",
                           "match process.name: 'insmod'");
    expect_ecs_integration(&ecs, auditd, "name|endswith: /sysrq-trigger",
                           "match event.dataset: 'auditd.log'",
                           "match auditd.log.name|endswith: '*/sysrq-trigger'");
    expect_ecs_integration(&ecs, "product: kubernetes, service: audit",
                           "objectRef.resource: secrets",
                           "match event.dataset: 'kubernetes.audit_logs'",
                           "match kubernetes.audit.objectRef.resource: 'secrets'");
    expect_ecs_integration(&ecs, "product: kubernetes, service: audit",
                           "responseStatus.code: 403",
                           "match event.dataset: 'kubernetes.audit_logs'",
                           "match kubernetes.audit.responseStatus.code: 403");
    expect_ecs_integration(&ecs, "product: bitbucket, service: audit",
                           "auditType.action: User login failed",
                           "match event.dataset: 'atlassian_bitbucket.audit'",
                           "match bitbucket.audit.type.action: 'User login failed'");
    expect_ecs_integration(&ecs, "product: zeek, service: dce_rpc", "operation: JobAdd",
                           "match event.dataset: 'zeek.dce_rpc'",
                           "match zeek.dce_rpc.operation: 'JobAdd'");
    expect_ecs_integration(&ecs, "product: zeek, service: smb_files", "name: lsass",
                           "match event.dataset: 'zeek.smb_files'",
                           "match zeek.smb_files.name: 'lsass'");
    expect_ecs_integration(&ecs, "product: zeek, service: dns", "id.resp_p: 53",
                           "match event.dataset: 'zeek.dns'", "match destination.port: 53");
    const char *refused[][2] = {
        {auditd, "a0: chattr"},
        {auditd, "a12|contains: x"},
        {auditd, "exe|endswith: /bash"},
        {auditd, "key: susp"},
        {auditd, "euid: 0"},
        {auditd, "cwd: /tmp"},
        {"product: kubernetes, service: audit", "responseStatus.code: Forbidden"},
        {"product: kubernetes, service: audit", "hostPath: /etc"},
        {"product: bitbucket, service: audit", "changedValues: x"},
        {"product: zeek, service: dns", "Z: 1"},
        {"product: zeek, service: dns", "rejected: 'true'"},
        {"product: zeek, service: dce_rpc", "name: spoolss"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        run_result r = ecs_integration_rule(&ecs, refused[i][0], refused[i][1]);
        expect_failure_at(&r, "pipeline-item-failure", 5, 9);
    }
    /* Still no integration: web proxy logs, Microsoft 365, Zeek's http.log. */
    const char *unmapped[] = {"category: proxy", "product: m365, service: audit",
                              "product: zeek, service: http"};
    for (size_t i = 0; i < sizeof unmapped / sizeof unmapped[0]; i++) {
        run_result r = ecs_integration_rule(&ecs, unmapped[i], "x: y");
        expect_failure_at(&r, "pipeline-rule-failure", 1, 1);
    }
}

static void test_ecs_hashes(void **state)
{
    (void)state;
    sc_pipeline *ecs = ecs_pipeline();
    run_result r = apply_to(&ecs, 1,
                            "title: t\nlogsource: {product: windows, category: process_creation}\n"
                            "detection:\n    selection:\n"
                            "        Hashes|contains: ['SHA256=AB', 'IMPHASH=CD']\n"
                            "    condition: selection\n",
                            0);
    assert_true(r.ok);
    assert_contains(tree(r.rule), "match process.hash.sha256: 'AB*'");
    assert_contains(tree(r.rule), "match process.pe.imphash: 'CD*'");
    r = apply_to(&ecs, 1,
                 "title: t\nlogsource: {product: windows, category: image_load}\n"
                 "detection:\n    selection:\n"
                 "        Hashes|contains: 'MD5=AB'\n"
                 "    condition: selection\n",
                 0);
    assert_true(r.ok);
    assert_contains(tree(r.rule), "match file.hash.md5: 'AB*'");
}

static void test_sort_by_priority(void **state)
{
    (void)state;
    sc_pipeline *a = pipeline_ok("name: a\npriority: 20\n");
    sc_pipeline *b = pipeline_ok("name: b\npriority: 10\n");
    sc_pipeline *c = pipeline_ok("name: c\npriority: 20\n");
    sc_pipeline *pipes[] = {a, b, c};
    sc_pipeline_sort(pipes, 3);
    assert_ptr_equal(pipes[0], b);
    assert_ptr_equal(pipes[1], a); /* stable */
    assert_ptr_equal(pipes[2], c);
    /* A pipeline without a name is called by its file. */
    assert_string_equal(sc_pipeline_name(pipeline_ok("priority: 1\n")), "p.yml");
}

int main(void)
{
    const struct CMUnitTest transformations[] = {
        cmocka_unit_test(test_field_name_mapping),
        cmocka_unit_test(test_field_name_mapping_list_is_or),
        cmocka_unit_test(test_field_name_mapping_keywords),
        cmocka_unit_test(test_field_name_prefix_mapping),
        cmocka_unit_test(test_field_name_prefix_and_suffix),
        cmocka_unit_test(test_drop_detection_item),
        cmocka_unit_test(test_add_condition),
        cmocka_unit_test(test_add_condition_negated_named_template),
        cmocka_unit_test(test_add_condition_errors_when_applied),
        cmocka_unit_test(test_change_logsource),
        cmocka_unit_test(test_replace_string),
        cmocka_unit_test(test_replace_string_keeps_wildcards),
        cmocka_unit_test(test_replace_string_skip_and_interpret_special),
        cmocka_unit_test(test_replace_string_numbers),
        cmocka_unit_test(test_map_string),
        cmocka_unit_test(test_rule_failure),
        cmocka_unit_test(test_detection_item_failure),
        cmocka_unit_test(test_sysmon_hashes_split),
        cmocka_unit_test(test_sysmon_hashes_all),
        cmocka_unit_test(test_sysmon_hashes_selects),
        cmocka_unit_test(test_sysmon_hashes_refusals),
        cmocka_unit_test(test_set_state_and_processing_state),
        cmocka_unit_test(test_value_placeholders),
        cmocka_unit_test(test_value_placeholders_missing_variable),
        cmocka_unit_test(test_wildcard_placeholders),
        cmocka_unit_test(test_fields_list_transformations),
        cmocka_unit_test(test_set_custom_attribute),
        cmocka_unit_test(test_filters_are_rewritten_too),
    };
    const struct CMUnitTest conditions[] = {
        cmocka_unit_test(test_rule_condition_logsource),
        cmocka_unit_test(test_rule_condition_contains),
        cmocka_unit_test(test_rule_condition_processing_item_applied),
        cmocka_unit_test(test_rule_condition_rule_kinds),
        cmocka_unit_test(test_rule_condition_rule_attribute_and_tag),
        cmocka_unit_test(test_rule_condition_linking),
        cmocka_unit_test(test_detection_item_conditions),
        cmocka_unit_test(test_field_name_conditions),
        cmocka_unit_test(test_field_name_processing_item_applied),
    };
    const struct CMUnitTest correlations[] = {
        cmocka_unit_test(test_correlation_fields_mapped),
        cmocka_unit_test(test_correlation_single_field_required),
    };
    const struct CMUnitTest errors[] = {
        cmocka_unit_test(test_error_unknown_transformation),
        cmocka_unit_test(test_error_unknown_condition),
        cmocka_unit_test(test_error_parameters),
        cmocka_unit_test(test_error_regexes),
        cmocka_unit_test(test_sysmon_hashes_load_errors),
        cmocka_unit_test(test_error_expressions),
        cmocka_unit_test(test_error_documents),
        cmocka_unit_test(test_error_add_condition_checked_at_load),
        cmocka_unit_test(test_warning_ignored_conditions),
        cmocka_unit_test(test_limit_growth),
        cmocka_unit_test(test_limit_expression_depth),
    };
    const struct CMUnitTest ecs[] = {
        cmocka_unit_test(test_ecs_mail_rule),
        cmocka_unit_test(test_ecs_explain_of_rewritten_rule),
        cmocka_unit_test(test_ecs_correlation_of_the_folder),
        cmocka_unit_test(test_ecs_windows_service_rule),
        cmocka_unit_test(test_ecs_integrations),
        cmocka_unit_test(test_ecs_log_integrations),
        cmocka_unit_test(test_ecs_value_translations),
        cmocka_unit_test(test_ecs_hashes),
        cmocka_unit_test(test_sort_by_priority),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("pipeline: transformations", transformations, NULL,
                                          tu_cleanup);
    failed += cmocka_run_group_tests_name("pipeline: conditions", conditions, NULL, tu_cleanup);
    failed += cmocka_run_group_tests_name("pipeline: correlations", correlations, NULL,
                                          tu_cleanup);
    failed += cmocka_run_group_tests_name("pipeline: load errors and limits", errors, NULL,
                                          tu_cleanup);
    failed += cmocka_run_group_tests_name("pipeline: the ECS pipeline", ecs, NULL, tu_cleanup);
    return failed;
}
