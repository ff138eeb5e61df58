/*
 * test_problem.c — RFC 9457 problem documents (src/http/problem.c).
 */
#include "test_util.h"

#include <stdio.h>

#include "http/problem.h"

static void test_problem_kinds_have_status_type_and_title(void **state)
{
    (void)state;
    static const struct {
        problem_kind_t kind;
        int status;
        const char *slug;
    } cases[] = {
        {PROBLEM_VALIDATION, 400, "validation"},
        {PROBLEM_MALFORMED_JSON, 400, "malformed-json"},
        {PROBLEM_UNAUTHORIZED, 401, "unauthorized"},
        {PROBLEM_NOT_FOUND, 404, "not-found"},
        {PROBLEM_METHOD_NOT_ALLOWED, 405, "method-not-allowed"},
        {PROBLEM_CONFLICT, 409, "conflict"},
        {PROBLEM_PAYLOAD_TOO_LARGE, 413, "payload-too-large"},
        {PROBLEM_UNSUPPORTED_MEDIA_TYPE, 415, "unsupported-media-type"},
        {PROBLEM_INTERNAL, 500, "internal"},
        {PROBLEM_SERVICE_UNAVAILABLE, 503, "service-unavailable"},
    };
    arena_t *a = arena_create(1024);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        problem_t p;
        problem_init(&p, a);
        assert_int_equal(problem_set(&p, cases[i].kind, NULL), -1);
        json_t *j = problem_to_json(&p, "/v1/x", "rid");
        assert_int_equal(json_integer_value(json_object_get(j, "status")), cases[i].status);
        char want[128];
        snprintf(want, sizeof want, "https://trackgen.dev/problems/%s", cases[i].slug);
        assert_string_equal(json_string_value(json_object_get(j, "type")), want);
        assert_non_null(json_string_value(json_object_get(j, "title")));
        assert_non_null(json_string_value(json_object_get(j, "detail")));
        assert_string_equal(json_string_value(json_object_get(j, "instance")), "/v1/x");
        assert_string_equal(json_string_value(json_object_get(j, "request_id")), "rid");
        assert_null(json_object_get(j, "errors"));
        json_decref(j);
    }
    arena_destroy(a);
}

static void test_problem_fields_are_listed_in_order(void **state)
{
    (void)state;
    arena_t *a = arena_create(1024);
    problem_t p;
    problem_init(&p, a);
    assert_false(problem_has(&p));
    for (int i = 0; i < 20; i++) /* beyond the first capacity */
        problem_field(&p, "body", i % 2 ? "name" : "url", "reason %d", i);
    assert_true(problem_has(&p));
    json_t *j = problem_to_json(&p, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 400);
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "20 fields are invalid");
    json_t *errs = json_object_get(j, "errors");
    assert_int_equal(json_array_size(errs), 20);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 3), "field")), "name");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 3), "reason")), "reason 3");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 3), "in")), "body");
    assert_null(json_object_get(j, "instance"));
    json_decref(j);
    arena_destroy(a);
}

static void test_problem_field_keeps_an_earlier_kind_and_custom_detail(void **state)
{
    (void)state;
    arena_t *a = arena_create(1024);
    problem_t p;
    problem_init(&p, a);
    problem_set(&p, PROBLEM_CONFLICT, "taken: %s", "x");
    problem_field(&p, "body", "name", "already exists");
    json_t *j = problem_to_json(&p, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 409);
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "taken: x");
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 1);
    json_decref(j);
    /* A detail that is not UTF-8 must not break the document. */
    problem_set(&p, PROBLEM_NOT_FOUND, "bad \xff bytes");
    j = problem_to_json(&p, NULL, NULL);
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(j, "detail")));
    json_decref(j);
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_problem_kinds_have_status_type_and_title),
        cmocka_unit_test(test_problem_fields_are_listed_in_order),
        cmocka_unit_test(test_problem_field_keeps_an_earlier_kind_and_custom_detail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
