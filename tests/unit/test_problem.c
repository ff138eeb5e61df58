/*
 * test_problem.c — RFC 9457 problem documents (src/util/problem.c): status, type, title and
 * default detail of every kind, custom details, errors[] in order with field/in/reason, the
 * validation detail that counts fields, errors[] capped at PROBLEM_ERRORS_MAX with the rest
 * counted, problem_field keeping an earlier kind, optional
 * instance/request_id, and bytes that are not UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"
#include "util/problem.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void test_problem_every_kind_has_its_status_type_title_and_default_detail(void **state)
{
    (void)state;
    static const struct {
        problem_kind_t kind;
        int status;
        const char *slug;
        const char *title;
        const char *detail;
    } cases[] = {
        {PROBLEM_VALIDATION, 400, "validation", "Invalid request", "The request has invalid fields."},
        {PROBLEM_MALFORMED_JSON, 400, "malformed-json", "Malformed JSON", "The request body is not valid JSON."},
        {PROBLEM_UNAUTHORIZED, 401, "unauthorized", "Unauthorized",
         "A valid API key is required (Authorization: Bearer <key> or X-Api-Key)."},
        {PROBLEM_NOT_FOUND, 404, "not-found", "Not found", "No such resource."},
        {PROBLEM_METHOD_NOT_ALLOWED, 405, "method-not-allowed", "Method not allowed",
         "This resource does not support that method."},
        {PROBLEM_CONFLICT, 409, "conflict", "Conflict", "The request conflicts with an existing resource."},
        {PROBLEM_EXPIRED, 410, "expired", "Expired", "This signed URL has expired; ask the API for a new one."},
        {PROBLEM_PAYLOAD_TOO_LARGE, 413, "payload-too-large", "Payload too large",
         "The request body is larger than allowed."},
        {PROBLEM_UNSUPPORTED_MEDIA_TYPE, 415, "unsupported-media-type", "Unsupported media type",
         "The request body must be application/json."},
        {PROBLEM_TOO_MANY_REQUESTS, 429, "too-many-requests", "Too many requests",
         "The rate limit is exhausted; retry after Retry-After seconds."},
        {PROBLEM_INTERNAL, 500, "internal", "Internal error", "An unexpected error occurred."},
        {PROBLEM_SERVICE_UNAVAILABLE, 503, "service-unavailable", "Service unavailable",
         "The database is unavailable; retry shortly."},
    };
    arena_t *a = arena_create(1024);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        problem_t p;
        problem_init(&p, a);
        assert_false(problem_has(&p));
        assert_int_equal(problem_set(&p, cases[i].kind, NULL), -1);
        assert_true(problem_has(&p));
        char type[128];
        snprintf(type, sizeof type, "https://trackgen.dev/problems/%s", cases[i].slug);
        assert_int_equal(problem_status(cases[i].kind), cases[i].status);
        assert_string_equal(problem_type_uri(cases[i].kind), type);
        assert_string_equal(problem_title(cases[i].kind), cases[i].title);

        json_t *j = problem_to_json(&p, NULL, NULL);
        assert_int_equal(json_integer_value(json_object_get(j, "status")), cases[i].status);
        assert_string_equal(str(j, "type"), type);
        assert_string_equal(str(j, "title"), cases[i].title);
        assert_string_equal(str(j, "detail"), cases[i].detail);
        assert_int_equal(json_object_size(j), 4); /* type, title, status, detail: nothing else */
        json_decref(j);
    }
    arena_destroy(a);
}

static void test_problem_custom_detail_is_formatted_and_copied(void **state)
{
    (void)state;
    arena_t *a = arena_create(1024);
    problem_t p;
    problem_init(&p, a);
    char arg[16] = "42";
    problem_set(&p, PROBLEM_NOT_FOUND, "offer %s does not exist (%d%%)", arg, 7);
    strcpy(arg, "XX"); /* the detail is a copy, not a borrowed pointer */
    json_t *j = problem_to_json(&p, NULL, NULL);
    assert_string_equal(str(j, "detail"), "offer 42 does not exist (7%)");
    json_decref(j);
    arena_destroy(a);
}

static void test_problem_later_set_overrides_and_null_fmt_restores_default(void **state)
{
    (void)state;
    arena_t *a = arena_create(1024);
    problem_t p;
    problem_init(&p, a);
    problem_set(&p, PROBLEM_CONFLICT, "first");
    problem_set(&p, PROBLEM_INTERNAL, NULL);
    json_t *j = problem_to_json(&p, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 500);
    assert_string_equal(str(j, "detail"), "An unexpected error occurred.");
    json_decref(j);
    arena_destroy(a);
}

static void test_problem_errors_are_listed_in_order_with_field_in_and_reason(void **state)
{
    (void)state;
    static const char *const ins[] = {"body", "query", "path", "header"};
    arena_t *a = arena_create(1024);
    problem_t p;
    problem_init(&p, a);
    for (int i = 0; i < 21; i++) { /* past the first capacity, twice */
        char field[16];
        snprintf(field, sizeof field, "f%d", i);
        assert_int_equal(problem_field(&p, ins[i % 4], field, "reason %d", i), -1);
        strcpy(field, "clobbered"); /* field names are copied */
    }
    assert_int_equal(p.kind, PROBLEM_VALIDATION);
    assert_int_equal(p.nerrors, 21);
    json_t *j = problem_to_json(&p, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 400);
    json_t *errs = json_object_get(j, "errors");
    assert_true(json_is_array(errs));
    assert_int_equal(json_array_size(errs), 21);
    for (size_t i = 0; i < 21; i++) {
        json_t *e = json_array_get(errs, i);
        char want[32];
        snprintf(want, sizeof want, "f%zu", i);
        assert_string_equal(str(e, "field"), want);
        assert_string_equal(str(e, "in"), ins[i % 4]);
        snprintf(want, sizeof want, "reason %zu", i);
        assert_string_equal(str(e, "reason"), want);
        assert_int_equal(json_object_size(e), 3);
    }
    json_decref(j);
    arena_destroy(a);
}

static void test_problem_validation_detail_counts_the_fields(void **state)
{
    (void)state;
    static const struct {
        int nfields;
        const char *detail;
    } cases[] = {
        {0, "The request has invalid fields."}, /* VALIDATION set without fields: the default */
        {1, "1 field is invalid"},
        {2, "2 fields are invalid"},
        {9, "9 fields are invalid"},
    };
    arena_t *a = arena_create(1024);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        problem_t p;
        problem_init(&p, a);
        problem_set(&p, PROBLEM_VALIDATION, NULL);
        for (int k = 0; k < cases[i].nfields; k++)
            problem_field(&p, "body", "x", "bad");
        json_t *j = problem_to_json(&p, NULL, NULL);
        assert_string_equal(str(j, "detail"), cases[i].detail);
        if (cases[i].nfields == 0)
            assert_null(json_object_get(j, "errors"));
        else
            assert_int_equal(json_array_size(json_object_get(j, "errors")), (size_t)cases[i].nfields);
        json_decref(j);
    }
    /* A custom detail wins over the count. */
    problem_t p;
    problem_init(&p, a);
    problem_field(&p, "query", "limit", "too big");
    problem_set(&p, PROBLEM_VALIDATION, "check %s", "limit");
    json_t *j = problem_to_json(&p, NULL, NULL);
    assert_string_equal(str(j, "detail"), "check limit");
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 1);
    json_decref(j);
    arena_destroy(a);
}

/* 80 000 bad fields: the first PROBLEM_ERRORS_MAX are listed in order, the rest only counted. */
static void test_problem_errors_are_capped_and_the_rest_counted(void **state)
{
    (void)state;
    static const size_t counts[] = {1, PROBLEM_ERRORS_MAX - 1, PROBLEM_ERRORS_MAX, PROBLEM_ERRORS_MAX + 1, 80000};
    for (size_t c = 0; c < N_ELEMS(counts); c++) {
        arena_t *a = arena_create(1024);
        problem_t p;
        problem_init(&p, a);
        for (size_t i = 0; i < counts[c]; i++) {
            char name[32];
            snprintf(name, sizeof name, "k%zu", i);
            assert_int_equal(problem_field(&p, "body", name, "is not a known field"), -1);
        }
        json_t *j = problem_to_json(&p, "/v1/clicks", NULL);
        size_t listed = counts[c] < PROBLEM_ERRORS_MAX ? counts[c] : PROBLEM_ERRORS_MAX;
        json_t *errs = json_object_get(j, "errors");
        assert_int_equal(json_array_size(errs), listed);
        assert_string_equal(str(json_array_get(errs, 0), "field"), "k0");
        char last[32];
        snprintf(last, sizeof last, "k%zu", listed - 1);
        assert_string_equal(str(json_array_get(errs, listed - 1), "field"), last);
        json_t *omitted = json_object_get(j, "errors_omitted");
        char want[96];
        if (counts[c] > PROBLEM_ERRORS_MAX) {
            assert_int_equal(json_integer_value(omitted), counts[c] - PROBLEM_ERRORS_MAX);
            snprintf(want, sizeof want, "%zu fields are invalid; the first %d are listed", counts[c],
                     PROBLEM_ERRORS_MAX);
        } else {
            assert_null(omitted);
            snprintf(want, sizeof want, "%zu field%s invalid", counts[c], counts[c] == 1 ? " is" : "s are");
        }
        assert_string_equal(str(j, "detail"), want);
        char *text = json_dumps(j, JSON_COMPACT);
        assert_true(strlen(text) < 8192); /* small whatever the count */
        free(text);
        json_decref(j);
        arena_destroy(a);
    }
}

static void test_problem_field_keeps_an_earlier_kind(void **state)
{
    (void)state;
    static const problem_kind_t kinds[] = {PROBLEM_CONFLICT, PROBLEM_NOT_FOUND, PROBLEM_UNAUTHORIZED};
    arena_t *a = arena_create(1024);
    for (size_t i = 0; i < N_ELEMS(kinds); i++) {
        problem_t p;
        problem_init(&p, a);
        problem_set(&p, kinds[i], NULL);
        problem_field(&p, "body", "name", "already exists");
        assert_int_equal(p.kind, kinds[i]);
        json_t *j = problem_to_json(&p, NULL, NULL);
        assert_int_equal(json_integer_value(json_object_get(j, "status")), problem_status(kinds[i]));
        assert_string_equal(str(j, "type"), problem_type_uri(kinds[i]));
        /* The kind's own default detail, not the validation count. */
        assert_string_not_equal(str(j, "detail"), "1 field is invalid");
        json_t *errs = json_object_get(j, "errors");
        assert_int_equal(json_array_size(errs), 1);
        assert_string_equal(str(json_array_get(errs, 0), "field"), "name");
        json_decref(j);
    }
    problem_t p;
    problem_init(&p, a);
    problem_set(&p, PROBLEM_CONFLICT, "name taken: %s", "x");
    problem_field(&p, "body", "name", "already exists");
    json_t *j = problem_to_json(&p, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 409);
    assert_string_equal(str(j, "detail"), "name taken: x");
    json_decref(j);
    arena_destroy(a);
}

static void test_problem_instance_and_request_id_are_optional(void **state)
{
    (void)state;
    static const struct {
        const char *instance, *request_id;
    } cases[] = {{NULL, NULL}, {"/v1/offers/7", NULL}, {NULL, "req-1"}, {"/v1/offers/7", "req-1"}};
    arena_t *a = arena_create(1024);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        problem_t p;
        problem_init(&p, a);
        problem_set(&p, PROBLEM_NOT_FOUND, NULL);
        json_t *j = problem_to_json(&p, cases[i].instance, cases[i].request_id);
        if (cases[i].instance)
            assert_string_equal(str(j, "instance"), cases[i].instance);
        else
            assert_null(json_object_get(j, "instance"));
        if (cases[i].request_id)
            assert_string_equal(str(j, "request_id"), cases[i].request_id);
        else
            assert_null(json_object_get(j, "request_id"));
        assert_int_equal(json_object_size(j), 4 + (cases[i].instance != NULL) + (cases[i].request_id != NULL));
        json_decref(j);
    }
    arena_destroy(a);
}

/* Bytes that are not UTF-8 (a detail built from input, a raw path) never break the document:
 * each such string becomes JSON null and the rest is intact. */
static void test_problem_strings_that_are_not_utf8_become_null(void **state)
{
    (void)state;
    arena_t *a = arena_create(1024);
    problem_t p;
    problem_init(&p, a);
    problem_set(&p, PROBLEM_NOT_FOUND, "bad \xff bytes");
    json_t *j = problem_to_json(&p, "/v1/\xc3(", "rid\xfe");
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(j, "detail")));
    assert_true(json_is_null(json_object_get(j, "instance")));
    assert_true(json_is_null(json_object_get(j, "request_id")));
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
    assert_string_equal(str(j, "title"), "Not found");
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(text);
    free(text);
    json_decref(j);

    problem_init(&p, a);
    problem_field(&p, "query", "na\xffme", "is %s", "fine");
    problem_field(&p, "query", "ok", "bad \xed\xa0\x80");
    j = problem_to_json(&p, NULL, NULL);
    json_t *errs = json_object_get(j, "errors");
    assert_int_equal(json_array_size(errs), 2);
    assert_true(json_is_null(json_object_get(json_array_get(errs, 0), "field")));
    assert_string_equal(str(json_array_get(errs, 0), "reason"), "is fine");
    assert_string_equal(str(json_array_get(errs, 1), "field"), "ok");
    assert_true(json_is_null(json_object_get(json_array_get(errs, 1), "reason")));
    assert_string_equal(str(j, "detail"), "2 fields are invalid");
    json_decref(j);
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_problem_every_kind_has_its_status_type_title_and_default_detail),
        cmocka_unit_test(test_problem_custom_detail_is_formatted_and_copied),
        cmocka_unit_test(test_problem_later_set_overrides_and_null_fmt_restores_default),
        cmocka_unit_test(test_problem_errors_are_listed_in_order_with_field_in_and_reason),
        cmocka_unit_test(test_problem_validation_detail_counts_the_fields),
        cmocka_unit_test(test_problem_errors_are_capped_and_the_rest_counted),
        cmocka_unit_test(test_problem_field_keeps_an_earlier_kind),
        cmocka_unit_test(test_problem_instance_and_request_id_are_optional),
        cmocka_unit_test(test_problem_strings_that_are_not_utf8_become_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
