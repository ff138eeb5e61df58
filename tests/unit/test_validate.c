/*
 * test_validate.c — table-driven validation of JSON bodies (src/api/validate.c) against a spec
 * table with every kind: required, null and nullable, wrong JSON types, lengths in code points,
 * control characters (VF_STRING vs VF_TEXT), enum/URL/e-mail/currency/int rules, unknown
 * fields, several errors listed at once, and field_text.
 */
#include <stdio.h>
#include <stdlib.h>

#include "api/validate.h"
#include "test_util.h"
#include "util/url.h"

static const char *const COLORS[] = {"red", "green", "blue", NULL};

enum { F_NAME, F_NOTE, F_URL, F_COLOR, F_EMAIL, F_CURRENCY, F_COUNT, F_FLAG, F_OPT, F_META, F_CODE, N_FIELDS };

static const field_spec_t SPECS[N_FIELDS] = {
    [F_NAME] = {"name", VF_STRING, .required = true, .min_len = 1, .max_len = 200, .not_blank = true},
    [F_NOTE] = {"note", VF_TEXT, .max_len = 10},
    [F_URL] = {"url", VF_URL, .nullable = true},
    [F_COLOR] = {"color", VF_ENUM, .values = COLORS},
    [F_EMAIL] = {"email", VF_EMAIL, .nullable = true},
    [F_CURRENCY] = {"currency", VF_CURRENCY},
    [F_COUNT] = {"count", VF_INT, .min = -5, .max = 10},
    [F_FLAG] = {"flag", VF_BOOL},
    [F_OPT] = {"opt", VF_STRING, .nullable = true, .min_len = 1, .max_len = 5},
    [F_META] = {"meta", VF_ANY, .nullable = true},
    [F_CODE] = {"code", VF_STRING, .min_len = 4, .max_len = 4},
};

typedef struct {
    arena_t *arena;
    problem_t p;
    field_value_t v[N_FIELDS];
    json_t *json;
    int rc;
} run_t;

static void run_free(run_t *r)
{
    json_decref(r->json);
    r->json = NULL;
}

/* Validates JSON text (decoded with NUL allowed in strings) against SPECS. */
static void run_specs(run_t *r, const char *text, const field_spec_t *specs, size_t n)
{
    json_error_t err;
    r->json = json_loads(text, JSON_ALLOW_NUL, &err);
    if (!r->json)
        fail_msg("test JSON does not parse: %s: %s", text, err.text);
    problem_init(&r->p, r->arena);
    memset(r->v, 0x5a, sizeof r->v); /* validate_object must fill every entry */
    r->rc = validate_object(r->json, specs, n, r->v, &r->p);
    if ((r->rc == 0) != (r->p.nerrors == 0))
        fail_msg("%s: rc %d with %zu errors", text, r->rc, r->p.nerrors);
    if (r->rc != 0 && r->rc != -1)
        fail_msg("%s: rc %d", text, r->rc);
}

static void run(run_t *r, const char *text)
{
    run_specs(r, text, SPECS, N_FIELDS);
}

static int setup(void **state)
{
    run_t *r = calloc(1, sizeof *r);
    r->arena = arena_create(65536);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    run_t *r = *state;
    run_free(r);
    arena_destroy(r->arena);
    free(r);
    return 0;
}

static void test_validate_full_valid_object_fills_every_value(void **state)
{
    run_t *r = *state;
    run(r, "{\"name\":\"\u00e9t\u00e9\",\"note\":\"a\\nb\\tc\",\"url\":\"https://x.example/{sub1}\","
           "\"color\":\"green\",\"email\":\"a@b.example\",\"currency\":\"EUR\",\"count\":-5,\"flag\":false,"
           "\"opt\":null,\"meta\":[1,{\"k\":2}],\"code\":\"ab\u00e9d\"}");
    assert_int_equal(r->rc, 0);
    for (int i = 0; i < N_FIELDS; i++)
        assert_true(r->v[i].present);
    assert_string_equal(r->v[F_NAME].s, "\xc3\xa9t\xc3\xa9");
    assert_int_equal(r->v[F_NAME].len, 5); /* bytes */
    assert_false(r->v[F_NAME].is_null);
    assert_string_equal(r->v[F_NOTE].s, "a\nb\tc");
    assert_string_equal(r->v[F_URL].s, "https://x.example/{sub1}");
    assert_string_equal(r->v[F_COLOR].s, "green");
    assert_string_equal(r->v[F_CURRENCY].s, "EUR");
    assert_int_equal(r->v[F_COUNT].i, -5);
    assert_false(r->v[F_FLAG].b);
    assert_true(r->v[F_OPT].is_null);
    assert_null(r->v[F_OPT].s);
    assert_true(json_is_array(r->v[F_META].json));
    assert_ptr_equal(r->v[F_META].json, json_object_get(r->json, "meta"));
    assert_ptr_equal(r->v[F_NAME].s, json_string_value(json_object_get(r->json, "name"))); /* borrowed */
}

static void test_validate_only_the_required_field_is_needed(void **state)
{
    run_t *r = *state;
    run(r, "{\"name\":\"x\"}");
    assert_int_equal(r->rc, 0);
    assert_true(r->v[F_NAME].present);
    for (int i = 0; i < N_FIELDS; i++) {
        if (i == F_NAME)
            continue;
        assert_false(r->v[i].present);
        assert_false(r->v[i].is_null);
        assert_null(r->v[i].s);
        assert_null(r->v[i].json);
    }
}

/* One bad field per case: exactly one error, naming it, with the expected reason. */
static void test_validate_each_bad_value_is_one_named_error(void **state)
{
    run_t *r = *state;
    static const struct {
        const char *json;
        const char *field;
        const char *reason;
    } cases[] = {
        /* required and null */
        {"{}", "name", "is required"},
        {"{\"note\":\"x\"}", "name", "is required"},
        {"{\"name\":null}", "name", "must not be null"},
        /* a name of white space only (spaces, a no-break space, an ideographic space) */
        {"{\"name\":\"   \"}", "name", "must not be only white space"},
        {"{\"name\":\" \u00a0 \\u3000\"}", "name", "must not be only white space"},
        {"{\"name\":\"x\",\"note\":null}", "note", "must not be null"},
        {"{\"name\":\"x\",\"color\":null}", "color", "must not be null"},
        {"{\"name\":\"x\",\"currency\":null}", "currency", "must not be null"},
        {"{\"name\":\"x\",\"count\":null}", "count", "must not be null"},
        {"{\"name\":\"x\",\"flag\":null}", "flag", "must not be null"},
        /* wrong JSON types, for every kind */
        {"{\"name\":5}", "name", "must be a string"},
        {"{\"name\":true}", "name", "must be a string"},
        {"{\"name\":[\"x\"]}", "name", "must be a string"},
        {"{\"name\":{\"x\":1}}", "name", "must be a string"},
        {"{\"name\":\"x\",\"note\":1.5}", "note", "must be a string"},
        {"{\"name\":\"x\",\"url\":7}", "url", "must be a string"},
        {"{\"name\":\"x\",\"color\":1}", "color", "must be a string"},
        {"{\"name\":\"x\",\"email\":false}", "email", "must be a string"},
        {"{\"name\":\"x\",\"currency\":[]}", "currency", "must be a string"},
        {"{\"name\":\"x\",\"count\":\"3\"}", "count", "must be an integer"},
        {"{\"name\":\"x\",\"count\":1.5}", "count", "must be an integer"},
        {"{\"name\":\"x\",\"count\":1.0}", "count", "must be an integer"},
        {"{\"name\":\"x\",\"count\":1e1}", "count", "must be an integer"},
        {"{\"name\":\"x\",\"count\":true}", "count", "must be an integer"},
        {"{\"name\":\"x\",\"count\":[1]}", "count", "must be an integer"},
        {"{\"name\":\"x\",\"flag\":\"true\"}", "flag", "must be true or false"},
        {"{\"name\":\"x\",\"flag\":1}", "flag", "must be true or false"},
        {"{\"name\":\"x\",\"flag\":0}", "flag", "must be true or false"},
        /* lengths, in code points */
        {"{\"name\":\"\"}", "name", "must be 1 to 200 characters long"},
        {"{\"name\":\"x\",\"note\":\"01234567890\"}", "note", "must be 0 to 10 characters long"},
        {"{\"name\":\"x\",\"opt\":\"\"}", "opt", "must be 1 to 5 characters long"},
        {"{\"name\":\"x\",\"opt\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}", "opt", "must be 1 to 5 characters long"},
        {"{\"name\":\"x\",\"code\":\"abc\"}", "code", "must be exactly 4 characters"},
        {"{\"name\":\"x\",\"code\":\"abcde\"}", "code", "must be exactly 4 characters"},
        /* control characters: none in VF_STRING, newlines and tabs only in VF_TEXT */
        {"{\"name\":\"a\\nb\"}", "name", "must not contain control characters or line breaks"},
        {"{\"name\":\"a\\rb\"}", "name", "must not contain control characters or line breaks"},
        {"{\"name\":\"a\\tb\"}", "name", "must not contain control characters or line breaks"},
        {"{\"name\":\"a\\u0001\"}", "name", "must not contain control characters or line breaks"},
        {"{\"name\":\"a\\u007f\"}", "name", "must not contain control characters or line breaks"},
        {"{\"name\":\"a\\u0085\"}", "name", "must not contain control characters or line breaks"},
        {"{\"name\":\"\\u001b[2J\"}", "name", "must not contain control characters or line breaks"},
        {"{\"name\":\"x\",\"note\":\"a\\u0001\"}", "note", "must not contain control characters"},
        {"{\"name\":\"x\",\"note\":\"a\\u007f\"}", "note", "must not contain control characters"},
        {"{\"name\":\"x\",\"note\":\"a\\u0085\"}", "note", "must not contain control characters"},
        {"{\"name\":\"x\",\"note\":\"\\f\"}", "note", "must not contain control characters"},
        {"{\"name\":\"a\\u0000b\"}", "name", "must not contain NUL characters"},
        {"{\"name\":\"x\",\"note\":\"\\u0000\"}", "note", "must not contain NUL characters"},
        /* enum */
        {"{\"name\":\"x\",\"color\":\"purple\"}", "color", "must be one of: red, green, blue"},
        {"{\"name\":\"x\",\"color\":\"Red\"}", "color", "must be one of: red, green, blue"},
        {"{\"name\":\"x\",\"color\":\"red \"}", "color", "must be one of: red, green, blue"},
        {"{\"name\":\"x\",\"color\":\"\"}", "color", "must be one of: red, green, blue"},
        /* e-mail */
        {"{\"name\":\"x\",\"email\":\"nope\"}", "email", "must be an e-mail address"},
        {"{\"name\":\"x\",\"email\":\"@b.example\"}", "email", "must be an e-mail address"},
        {"{\"name\":\"x\",\"email\":\"a@\"}", "email", "must be an e-mail address"},
        {"{\"name\":\"x\",\"email\":\"a@@b\"}", "email", "must be an e-mail address"},
        {"{\"name\":\"x\",\"email\":\"a@b@c\"}", "email", "must be an e-mail address"},
        {"{\"name\":\"x\",\"email\":\"a b@c.example\"}", "email", "must be an e-mail address"},
        {"{\"name\":\"x\",\"email\":\"a@c.example\\n\"}", "email", "must be an e-mail address"},
        {"{\"name\":\"x\",\"email\":\"\"}", "email", "must be an e-mail address"},
        /* currency */
        {"{\"name\":\"x\",\"currency\":\"usd\"}", "currency",
         "must be a three-letter uppercase currency code (e.g. USD)"},
        {"{\"name\":\"x\",\"currency\":\"USDX\"}", "currency",
         "must be a three-letter uppercase currency code (e.g. USD)"},
        {"{\"name\":\"x\",\"currency\":\"US\"}", "currency",
         "must be a three-letter uppercase currency code (e.g. USD)"},
        {"{\"name\":\"x\",\"currency\":\"U$D\"}", "currency",
         "must be a three-letter uppercase currency code (e.g. USD)"},
        {"{\"name\":\"x\",\"currency\":\"\u00c9UR\"}", "currency",
         "must be a three-letter uppercase currency code (e.g. USD)"},
        /* int range */
        {"{\"name\":\"x\",\"count\":-6}", "count", "must be from -5 to 10"},
        {"{\"name\":\"x\",\"count\":11}", "count", "must be from -5 to 10"},
        {"{\"name\":\"x\",\"count\":9223372036854775807}", "count", "must be from -5 to 10"},
        {"{\"name\":\"x\",\"count\":-9223372036854775808}", "count", "must be from -5 to 10"},
        /* unknown fields */
        {"{\"name\":\"x\",\"unknown\":1}", "unknown", "is not a known field"},
        {"{\"name\":\"x\",\"Name\":\"y\"}", "Name", "is not a known field"},
        {"{\"name\":\"x\",\"\":null}", "", "is not a known field"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        run(r, cases[i].json);
        if (r->p.nerrors != 1)
            fail_msg("%s: %zu errors, want 1", cases[i].json, r->p.nerrors);
        assert_int_equal(r->rc, -1);
        assert_int_equal(r->p.kind, PROBLEM_VALIDATION);
        assert_string_equal(r->p.errors[0].in, "body");
        if (strcmp(r->p.errors[0].field, cases[i].field) != 0 || strcmp(r->p.errors[0].reason, cases[i].reason) != 0)
            fail_msg("%s: got %s '%s', want %s '%s'", cases[i].json, r->p.errors[0].field, r->p.errors[0].reason,
                     cases[i].field, cases[i].reason);
        run_free(r);
    }
}

static void test_validate_accepted_edge_values(void **state)
{
    run_t *r = *state;
    static const char *const cases[] = {
        "{\"name\":\"x\",\"url\":null,\"email\":null,\"opt\":null,\"meta\":null}", /* nullable */
        "{\"name\":\"x\",\"note\":\"a\\r\\nb\\tc\"}",
        "{\"name\":\"x\",\"note\":\"\"}",
        "{\"name\":\"x\",\"note\":\"0123456789\"}",
        "{\"name\":\"\u00a0\u2028\"}", /* not C0/C1 controls */
        "{\"name\":\"x\",\"opt\":\"\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\"}",
        "{\"name\":\"x\",\"code\":\"\\ud83d\\ude00\\ud83d\\ude00\\u00e9a\"}",
        "{\"name\":\"x\",\"color\":\"blue\"}",
        "{\"name\":\"x\",\"email\":\"a@b\"}",
        "{\"name\":\"x\",\"email\":\"first.last+tag@sub.example.co\"}",
        "{\"name\":\"x\",\"currency\":\"JPY\"}",
        "{\"name\":\"x\",\"count\":10}",
        "{\"name\":\"x\",\"count\":0}",
        "{\"name\":\"x\",\"flag\":true}",
        "{\"name\":\"x\",\"meta\":\"anything\"}",
        "{\"name\":\"x\",\"meta\":{\"deep\":[null]}}",
        "{\"name\":\"x\",\"url\":\"http://[::1]:8080/p?q={sub1}\"}",
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        run(r, cases[i]);
        if (r->rc != 0)
            fail_msg("%s: refused: %s %s", cases[i], r->p.errors[0].field, r->p.errors[0].reason);
        run_free(r);
    }
}

/* Lengths are counted in code points: 200 two-, three- or four-byte characters fit a 200
 * limit, 201 do not. */
static void test_validate_lengths_are_code_points_not_bytes(void **state)
{
    run_t *r = *state;
    static const struct {
        const char *ch; /* one character, as JSON */
        int count;
        bool ok;
    } cases[] = {
        {"a", 200, true},
        {"a", 201, false},
        {"\\u00e9", 200, true},
        {"\\u00e9", 201, false},
        {"\\u20ac", 200, true},
        {"\\ud83d\\ude00", 200, true},
        {"\\ud83d\\ude00", 201, false},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char json[4096] = "{\"name\":\"";
        for (int k = 0; k < cases[i].count; k++)
            strcat(json, cases[i].ch);
        strcat(json, "\"}");
        run(r, json);
        if ((r->rc == 0) != cases[i].ok)
            fail_msg("%d x %s: rc %d", cases[i].count, cases[i].ch, r->rc);
        if (!cases[i].ok)
            assert_string_equal(r->p.errors[0].reason, "must be 1 to 200 characters long");
        run_free(r);
    }
}

/* min_len holds even when there is no max_len ("max_len 0 = no limit" is about the maximum). */
static void test_validate_min_len_without_max_len_is_enforced(void **state)
{
    run_t *r = *state;
    static const field_spec_t specs[] = {
        {"nick", VF_STRING, .min_len = 3},
        {"bio", VF_TEXT, .min_len = 2},
    };
    static const struct {
        const char *json;
        size_t nerrors;
    } cases[] = {
        {"{\"nick\":\"abc\",\"bio\":\"hi\"}", 0},
        {"{\"nick\":\"\u00e9\u00e9\u00e9\"}", 0},
        {"{\"nick\":\"ab\"}", 1},
        {"{\"nick\":\"\"}", 1},
        {"{\"bio\":\"x\"}", 1},
        {"{\"nick\":\"a\",\"bio\":\"\"}", 2},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        run_specs(r, cases[i].json, specs, N_ELEMS(specs));
        if (r->p.nerrors != cases[i].nerrors)
            fail_msg("%s: %zu errors, want %zu", cases[i].json, r->p.nerrors, cases[i].nerrors);
        run_free(r);
    }
    run_specs(r, "{\"nick\":\"ab\"}", specs, N_ELEMS(specs));
    assert_string_equal(r->p.errors[0].reason, "must be at least 3 characters long");
}

static void test_validate_url_reason_is_the_checkers_reason(void **state)
{
    run_t *r = *state;
    static const char *const urls[] = {
        "javascript:alert(1)",  "", "http://user@evil.com/", "https://a.example:0/", "https://{host}/",
        "https://a.example/ x",
    };
    for (size_t i = 0; i < N_ELEMS(urls); i++) {
        char json[256];
        snprintf(json, sizeof json, "{\"name\":\"x\",\"url\":\"%s\"}", urls[i]);
        run(r, json);
        assert_int_equal(r->p.nerrors, 1);
        assert_string_equal(r->p.errors[0].field, "url");
        assert_string_equal(r->p.errors[0].reason, url_status_reason(url_check(urls[i], strlen(urls[i]))));
        assert_string_not_equal(r->p.errors[0].reason, url_status_reason(URL_OK));
        run_free(r);
    }
}

/* Several bad fields: every one is listed, unknown fields first, then in spec order. */
static void test_validate_lists_every_error_at_once(void **state)
{
    run_t *r = *state;
    run(r, "{\"zzz\":1,\"note\":\"\\u0001\",\"color\":\"purple\",\"count\":99,\"flag\":\"no\","
           "\"currency\":\"eur\",\"email\":\"x\",\"url\":\"ftp://x\",\"opt\":\"toolong\",\"code\":7}");
    static const struct {
        const char *field;
        const char *reason;
    } want[] = {
        {"zzz", "is not a known field"},
        {"name", "is required"},
        {"note", "must not contain control characters"},
        {"url", "must be an absolute http or https URL"},
        {"color", "must be one of: red, green, blue"},
        {"email", "must be an e-mail address"},
        {"currency", "must be a three-letter uppercase currency code (e.g. USD)"},
        {"count", "must be from -5 to 10"},
        {"flag", "must be true or false"},
        {"opt", "must be 1 to 5 characters long"},
        {"code", "must be a string"},
    };
    assert_int_equal(r->rc, -1);
    assert_int_equal(r->p.nerrors, N_ELEMS(want));
    for (size_t i = 0; i < N_ELEMS(want); i++) {
        assert_string_equal(r->p.errors[i].field, want[i].field);
        assert_string_equal(r->p.errors[i].reason, want[i].reason);
    }
    json_t *doc = problem_to_json(&r->p, NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "detail")), "11 fields are invalid");
    json_decref(doc);
}

static void test_validate_several_unknown_fields_are_all_named(void **state)
{
    run_t *r = *state;
    run(r, "{\"a\":1,\"name\":\"x\",\"b\":2,\"c\":3}");
    assert_int_equal(r->p.nerrors, 3);
    bool seen[3] = {false, false, false};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(r->p.errors[i].reason, "is not a known field");
        const char *f = r->p.errors[i].field;
        assert_int_equal(strlen(f), 1);
        assert_in_range(f[0], 'a', 'c');
        seen[f[0] - 'a'] = true;
    }
    assert_true(seen[0] && seen[1] && seen[2]);
}

static void test_validate_field_text_for_each_kind(void **state)
{
    run_t *r = *state;
    run(r, "{\"name\":\"caf\u00e9\",\"count\":-5,\"flag\":true,\"url\":null}");
    assert_int_equal(r->rc, 0);
    assert_string_equal(field_text(r->arena, &r->v[F_NAME], &SPECS[F_NAME]), "caf\xc3\xa9");
    assert_string_equal(field_text(r->arena, &r->v[F_COUNT], &SPECS[F_COUNT]), "-5");
    assert_string_equal(field_text(r->arena, &r->v[F_FLAG], &SPECS[F_FLAG]), "true");
    assert_null(field_text(r->arena, &r->v[F_URL], &SPECS[F_URL]));   /* null */
    assert_null(field_text(r->arena, &r->v[F_NOTE], &SPECS[F_NOTE])); /* absent */
    assert_null(field_text(r->arena, &r->v[F_OPT], &SPECS[F_OPT]));   /* absent */
    run_free(r);

    run(r, "{\"name\":\"x\",\"count\":10,\"flag\":false}");
    assert_string_equal(field_text(r->arena, &r->v[F_COUNT], &SPECS[F_COUNT]), "10");
    assert_string_equal(field_text(r->arena, &r->v[F_FLAG], &SPECS[F_FLAG]), "false");

    static const field_spec_t big = {"big", VF_INT, .min = INT64_MIN, .max = INT64_MAX};
    field_value_t v;
    problem_t p;
    problem_init(&p, r->arena);
    json_t *o = json_pack("{sI}", "big", (json_int_t)INT64_MIN);
    assert_int_equal(validate_object(o, &big, 1, &v, &p), 0);
    assert_string_equal(field_text(r->arena, &v, &big), "-9223372036854775808");
    json_decref(o);
}

static void test_validate_string_list(void **state)
{
    run_t *r = *state;
    static const field_spec_t list = {"lines", VF_STRING_LIST, .min_len = 1, .max_len = 5, .max = 3};
    run_specs(r, "{\"lines\":[\"ab\",\"caf\u00e9\"]}", &list, 1);
    assert_int_equal(r->rc, 0);
    assert_string_equal(field_text(r->arena, &r->v[0], &list), "[\"ab\",\"caf\u00e9\"]");
    run_free(r);
    run_specs(r, "{\"lines\":[]}", &list, 1);
    assert_int_equal(r->rc, 0);
    assert_string_equal(field_text(r->arena, &r->v[0], &list), "[]");
    run_free(r);
    /* each bad item is named with its index; the list's own shape by its name */
    run_specs(r, "{\"lines\":[\"ok\",\"\",7,\"toolong\",\"a\\nb\"]}", &list, 1);
    assert_int_equal(r->rc, -1);
    assert_int_equal(r->p.nerrors, 1);
    assert_string_equal(r->p.errors[0].field, "lines");
    run_free(r);
    run_specs(r, "{\"lines\":[\"ok\",\"\",7]}", &list, 1);
    assert_int_equal(r->p.nerrors, 2);
    assert_string_equal(r->p.errors[0].field, "lines[1]");
    assert_string_equal(r->p.errors[1].field, "lines[2]");
    run_free(r);
    run_specs(r, "{\"lines\":[\"a\\nb\"]}", &list, 1);
    assert_string_equal(r->p.errors[0].field, "lines[0]");
    run_free(r);
    run_specs(r, "{\"lines\":\"ab\"}", &list, 1);
    assert_string_equal(r->p.errors[0].field, "lines");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_validate_full_valid_object_fills_every_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_string_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_only_the_required_field_is_needed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_each_bad_value_is_one_named_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_accepted_edge_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_lengths_are_code_points_not_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_min_len_without_max_len_is_enforced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_url_reason_is_the_checkers_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_lists_every_error_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_several_unknown_fields_are_all_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_field_text_for_each_kind, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
