/*
 * test_validate.c — table-driven JSON body validation (src/api/validate.c).
 */
#include "test_util.h"

#include "api/validate.h"

static const char *const COLORS[] = {"red", "green", NULL};

enum { F_NAME, F_NOTE, F_URL, F_COLOR, F_EMAIL, F_CURRENCY, F_COUNT_, F_FLAG, F_OPT, N_FIELDS };

static const field_spec_t SPECS[N_FIELDS] = {
    [F_NAME] = {"name", VF_STRING, .required = true, .min_len = 1, .max_len = 200},
    [F_NOTE] = {"note", VF_TEXT, .max_len = 10},
    [F_URL] = {"url", VF_URL, .nullable = true},
    [F_COLOR] = {"color", VF_ENUM, .values = COLORS},
    [F_EMAIL] = {"email", VF_EMAIL, .nullable = true},
    [F_CURRENCY] = {"currency", VF_CURRENCY},
    [F_COUNT_] = {"count", VF_INT, .min = 1, .max = 10},
    [F_FLAG] = {"flag", VF_BOOL},
    [F_OPT] = {"opt", VF_STRING, .nullable = true, .min_len = 1, .max_len = 5},
};

/* Validates json text; returns the number of field errors (0 = valid). */
static size_t errors_for(const char *text, problem_t *p, field_value_t *v, arena_t *a, json_t **keep)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    problem_init(p, a);
    int rc = validate_object(j, SPECS, N_FIELDS, v, p);
    assert_int_equal(rc == 0, p->nerrors == 0);
    *keep = j;
    return p->nerrors;
}

static void test_validate_accepts_a_full_valid_object(void **state)
{
    (void)state;
    arena_t *a = arena_create(4096);
    problem_t p;
    field_value_t v[N_FIELDS];
    json_t *j;
    assert_int_equal(errors_for("{\"name\":\"\u00e9t\u00e9\",\"note\":\"a\\nb\",\"url\":null,\"color\":\"red\","
                                "\"email\":\"a@b.example\",\"currency\":\"EUR\",\"count\":10,\"flag\":true,\"opt\":null}",
                                &p, v, a, &j),
                     0);
    assert_true(v[F_NAME].present);
    assert_string_equal(v[F_NAME].s, "\xc3\xa9t\xc3\xa9");
    assert_true(v[F_URL].is_null);
    assert_int_equal(v[F_COUNT_].i, 10);
    assert_true(v[F_FLAG].b);
    assert_string_equal(field_text(a, &v[F_COUNT_], &SPECS[F_COUNT_]), "10");
    assert_string_equal(field_text(a, &v[F_FLAG], &SPECS[F_FLAG]), "true");
    assert_null(field_text(a, &v[F_URL], &SPECS[F_URL]));
    json_decref(j);
    arena_destroy(a);
}

static void test_validate_each_bad_field_is_named(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *field;
    } cases[] = {
        {"{}", "name"},
        {"{\"name\":null}", "name"},
        {"{\"name\":5}", "name"},
        {"{\"name\":\"\"}", "name"},
        {"{\"name\":\"a\\nb\"}", "name"},
        {"{\"name\":\"x\",\"note\":\"01234567890\"}", "note"},
        {"{\"name\":\"x\",\"note\":\"a\\u0001\"}", "note"},
        {"{\"name\":\"x\",\"url\":\"javascript:alert(1)\"}", "url"},
        {"{\"name\":\"x\",\"url\":7}", "url"},
        {"{\"name\":\"x\",\"color\":\"blue\"}", "color"},
        {"{\"name\":\"x\",\"color\":null}", "color"},
        {"{\"name\":\"x\",\"email\":\"nope\"}", "email"},
        {"{\"name\":\"x\",\"email\":\"a@@b\"}", "email"},
        {"{\"name\":\"x\",\"currency\":\"usd\"}", "currency"},
        {"{\"name\":\"x\",\"currency\":\"USDX\"}", "currency"},
        {"{\"name\":\"x\",\"count\":0}", "count"},
        {"{\"name\":\"x\",\"count\":11}", "count"},
        {"{\"name\":\"x\",\"count\":1.5}", "count"},
        {"{\"name\":\"x\",\"count\":\"3\"}", "count"},
        {"{\"name\":\"x\",\"flag\":\"true\"}", "flag"},
        {"{\"name\":\"x\",\"opt\":\"\"}", "opt"},
        {"{\"name\":\"x\",\"unknown\":1}", "unknown"},
    };
    arena_t *a = arena_create(4096);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        problem_t p;
        field_value_t v[N_FIELDS];
        json_t *j;
        if (errors_for(cases[i].json, &p, v, a, &j) != 1)
            fail_msg("%s: expected exactly one error", cases[i].json);
        assert_string_equal(p.errors[0].field, cases[i].field);
        assert_string_equal(p.errors[0].in, "body");
        json_decref(j);
    }
    arena_destroy(a);
}

static void test_validate_lengths_count_code_points_and_list_all_errors(void **state)
{
    (void)state;
    arena_t *a = arena_create(65536);
    /* 200 two-byte characters: 400 bytes, but 200 characters: valid */
    char json[1024] = "{\"name\":\"";
    for (int i = 0; i < 200; i++)
        strcat(json, "\xc3\xa9");
    strcat(json, "\"}");
    problem_t p;
    field_value_t v[N_FIELDS];
    json_t *j;
    assert_int_equal(errors_for(json, &p, v, a, &j), 0);
    json_decref(j);
    assert_int_equal(errors_for("{\"color\":\"blue\",\"count\":99,\"x\":1}", &p, v, a, &j), 4);
    assert_string_equal(p.errors[0].field, "x");
    assert_string_equal(p.errors[1].field, "name");
    assert_string_equal(p.errors[2].field, "color");
    assert_non_null(strstr(p.errors[2].reason, "red, green")); /* the enum reason lists the values */
    json_decref(j);
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_accepts_a_full_valid_object),
        cmocka_unit_test(test_validate_each_bad_field_is_named),
        cmocka_unit_test(test_validate_lengths_count_code_points_and_list_all_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
