/*
 * test_query.c — query strings (src/http/query.c): decoding, hostile input, strict and lenient.
 */
#include "test_util.h"

#include <stdio.h>

#include "http/query.h"

static int parse(arena_t *a, const char *qs, bool lenient, query_t *q, problem_t *p)
{
    problem_init(p, a);
    return query_parse(a, qs, strlen(qs), lenient, q, p);
}

static void test_query_decodes_percent_and_plus(void **state)
{
    (void)state;
    arena_t *a = arena_create(4096);
    query_t q;
    problem_t p;
    assert_int_equal(parse(a, "sub1=na%C3%AFve+%26+co&&empty=&flag&x%20y=1", false, &q, &p), 0);
    assert_string_equal(query_get(&q, "sub1", NULL), "na\xc3\xafve & co");
    size_t len = 99;
    assert_string_equal(query_get(&q, "empty", &len), "");
    assert_int_equal(len, 0);
    assert_string_equal(query_get(&q, "flag", NULL), "");
    assert_string_equal(query_get(&q, "x y", NULL), "1");
    assert_null(query_get(&q, "missing", NULL));
    arena_destroy(a);
}

static void test_query_hostile_inputs_are_refused_naming_the_parameter(void **state)
{
    (void)state;
    static const char *const bad[] = {"a=%", "a=%4", "a=%zz", "a=%FF", "a=%00", "a=%C3%28"};
    arena_t *a = arena_create(4096);
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        query_t q;
        problem_t p;
        assert_int_equal(parse(a, bad[i], false, &q, &p), -1);
        assert_int_equal(p.kind, PROBLEM_VALIDATION);
        assert_string_equal(p.errors[0].field, "a");
        assert_string_equal(p.errors[0].in, "query");
        /* lenient: the bad pair is dropped, the rest kept */
        char both[64];
        snprintf(both, sizeof both, "%s&ok=1", bad[i]);
        assert_int_equal(parse(a, both, true, &q, &p), 0);
        assert_null(query_get(&q, "a", NULL));
        assert_string_equal(query_get(&q, "ok", NULL), "1");
    }
    arena_destroy(a);
}

static void test_query_too_many_parameters(void **state)
{
    (void)state;
    arena_t *a = arena_create(4096);
    char qs[1024] = "";
    for (int i = 0; i <= QUERY_MAX_PARAMS; i++)
        snprintf(qs + strlen(qs), sizeof qs - strlen(qs), "p%d=1&", i);
    query_t q;
    problem_t p;
    assert_int_equal(parse(a, qs, false, &q, &p), -1);
    arena_destroy(a);
}

static void test_query_allow_only_and_integers(void **state)
{
    (void)state;
    arena_t *a = arena_create(4096);
    query_t q;
    problem_t p;
    static const char *const allowed[] = {"limit", "cursor", NULL};
    assert_int_equal(parse(a, "limit=5&bogus=1&limit=6", false, &q, &p), 0);
    assert_int_equal(query_allow_only(&q, allowed, &p), -1);
    assert_int_equal(p.nerrors, 2);
    assert_string_equal(p.errors[0].field, "bogus");
    assert_string_equal(p.errors[1].field, "limit");
    static const struct {
        const char *qs;
        int rc;
        int64_t v;
    } ints[] = {{"limit=1", 0, 1}, {"limit=200", 0, 200}, {"limit=0", -1, 0},  {"limit=201", -1, 0},
                {"limit=abc", -1, 0}, {"limit=", -1, 0},    {"limit=-5", -1, 0}, {"limit=1e3", -1, 0},
                {"", 0, 50}};
    for (size_t i = 0; i < N_ELEMS(ints); i++) {
        parse(a, ints[i].qs, false, &q, &p);
        int64_t v;
        assert_int_equal(query_int(&q, "limit", 1, 200, 50, &v, &p), ints[i].rc);
        if (ints[i].rc == 0)
            assert_int_equal(v, ints[i].v);
    }
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_decodes_percent_and_plus),
        cmocka_unit_test(test_query_hostile_inputs_are_refused_naming_the_parameter),
        cmocka_unit_test(test_query_too_many_parameters),
        cmocka_unit_test(test_query_allow_only_and_integers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
