/*
 * test_query.c — query strings (src/http/query.c): %xx and '+' decoding, bad escapes, invalid
 * UTF-8 and NUL after decoding, empty pairs, values without '=', the QUERY_MAX_PARAMS limit,
 * strict versus lenient parsing, query_allow_only (unknown and repeated) and query_int.
 */
#include <stdio.h>
#include <stdlib.h>

#include "http/query.h"
#include "test_util.h"

/* Parses a copy of qs that has no NUL after it (ASan catches reads past len). */
static int parse(arena_t *a, const char *qs, bool lenient, query_t *q, problem_t *p)
{
    problem_init(p, a);
    size_t len = strlen(qs);
    char *heap = malloc(len ? len : 1);
    memcpy(heap, qs, len);
    int rc = query_parse(a, heap, len, lenient, q, p);
    free(heap); /* the parsed values live in the arena, not in the input */
    return rc;
}

static void test_query_decodes_percent_escapes_and_plus(void **state)
{
    (void)state;
    static const struct {
        const char *qs;
        const char *name;
        const char *value;
        size_t value_len;
    } cases[] = {
        {"a=%41", "a", "A", 1},
        {"a=%7e%7E", "a", "~~", 2},
        {"a=%c3%a9", "a", "\xc3\xa9", 2},
        {"a=%C3%A9t%C3%A9", "a", "\xc3\xa9t\xc3\xa9", 5},
        {"a=1+2", "a", "1 2", 3},
        {"a=%2B", "a", "+", 1},
        {"a=%25", "a", "%", 1},
        {"a=%2525", "a", "%25", 3}, /* decoded once only */
        {"a=%26b%3Dc", "a", "&b=c", 4},
        {"a=b=c", "a", "b=c", 3},
        {"a=", "a", "", 0},
        {"a", "a", "", 0},
        {"a%20b=1", "a b", "1", 1},
        {"+a+=x", " a ", "x", 1},
        {"%E2%82%AC=euro", "\xe2\x82\xac", "euro", 4},
        {"sub1=na%C3%AFve+%26+co", "sub1", "na\xc3\xafve & co", 11},
        {"q=%F0%9F%98%80", "q", "\xf0\x9f\x98\x80", 4},
    };
    arena_t *a = arena_create(4096);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        query_t q;
        problem_t p;
        if (parse(a, cases[i].qs, false, &q, &p) != 0)
            fail_msg("%s refused", cases[i].qs);
        assert_int_equal(q.n, 1);
        assert_false(problem_has(&p));
        size_t len = 99;
        const char *v = query_get(&q, cases[i].name, &len);
        if (!v)
            fail_msg("%s: no parameter '%s'", cases[i].qs, cases[i].name);
        assert_int_equal(len, cases[i].value_len);
        assert_memory_equal(v, cases[i].value, len);
        assert_int_equal(v[len], '\0');
        assert_string_equal(q.params[0].name, cases[i].name);
    }
    arena_destroy(a);
}

static void test_query_empty_pairs_are_skipped_and_order_is_kept(void **state)
{
    (void)state;
    static const struct {
        const char *qs;
        int n;
    } cases[] = {{"", 0},     {"&", 0},    {"&&&", 0},           {"a=1", 1},
                 {"&a=1", 1}, {"a=1&", 1}, {"&&a=1&&&b=2&&", 2}, {"a&b&c", 3}};
    arena_t *a = arena_create(4096);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        query_t q;
        problem_t p;
        assert_int_equal(parse(a, cases[i].qs, false, &q, &p), 0);
        if (q.n != cases[i].n)
            fail_msg("%s: %d parameters, want %d", cases[i].qs, q.n, cases[i].n);
    }
    query_t q;
    problem_t p;
    assert_int_equal(parse(a, "&&x=1&&y&z=3&x=4", false, &q, &p), 0);
    assert_int_equal(q.n, 4);
    assert_string_equal(q.params[0].name, "x");
    assert_string_equal(q.params[1].name, "y");
    assert_string_equal(q.params[1].value, "");
    assert_string_equal(q.params[2].name, "z");
    assert_string_equal(q.params[3].value, "4");
    assert_string_equal(query_get(&q, "x", NULL), "1"); /* the first of a repeated name */
    assert_null(query_get(&q, "missing", NULL));
    assert_null(query_get(&q, "X", NULL));
    /* The query string is a slice: bytes after len are not part of the last value. */
    const char raw[] = "a=%41&b=2";
    problem_init(&p, a);
    assert_int_equal(query_parse(a, raw, 5, false, &q, &p), 0);
    assert_int_equal(q.n, 1);
    assert_string_equal(query_get(&q, "a", NULL), "A");
    problem_init(&p, a);
    assert_int_equal(query_parse(a, raw, 4, false, &q, &p), -1); /* "a=%4" */
    assert_string_equal(p.errors[0].reason, "has an invalid percent-encoding");
    problem_init(&p, a);
    assert_int_equal(query_parse(a, raw, 3, false, &q, &p), -1); /* "a=%" */
    /* A NULL query string is an empty one. */
    problem_init(&p, a);
    assert_int_equal(query_parse(a, NULL, 0, false, &q, &p), 0);
    assert_int_equal(q.n, 0);
    arena_destroy(a);
}

/* Hostile pairs: refused naming the parameter in strict mode; dropped (and the rest kept) in
 * lenient mode, with no problem recorded. */
static void test_query_hostile_pairs_strict_and_lenient(void **state)
{
    (void)state;
    static const struct {
        const char *qs;
        const char *field; /* NULL: not checked */
        const char *reason;
    } cases[] = {
        {"a=%", "a", "has an invalid percent-encoding"},
        {"a=%4", "a", "has an invalid percent-encoding"},
        {"a=%zz", "a", "has an invalid percent-encoding"},
        {"a=%g1", "a", "has an invalid percent-encoding"},
        {"a=%1g", "a", "has an invalid percent-encoding"},
        {"a=x%", "a", "has an invalid percent-encoding"},
        {"a=%%41", "a", "has an invalid percent-encoding"},
        {"a=%+1", "a", "has an invalid percent-encoding"},
        {"a=%FF", "a", "must be valid UTF-8 text"},
        {"a=%C3", "a", "must be valid UTF-8 text"},
        {"a=%C3%28", "a", "must be valid UTF-8 text"},
        {"a=%C0%AF", "a", "must be valid UTF-8 text"},       /* overlong '/' */
        {"a=%ED%A0%80", "a", "must be valid UTF-8 text"},    /* surrogate */
        {"a=%F4%90%80%80", "a", "must be valid UTF-8 text"}, /* > U+10FFFF */
        {"a=\xff", "a", "must be valid UTF-8 text"},         /* raw byte, not escaped */
        {"a=%00", "a", "must be valid UTF-8 text"},
        {"a=x%00y", "a", "must be valid UTF-8 text"},
        {"%zz=1", "%zz", "has an invalid name encoding"},
        {"a%=1", "a%", "has an invalid name encoding"},
        {"%FF=1", "?", "has an invalid name encoding"},
        {"%00=1", NULL, "has an invalid name encoding"},
        {"a%00b=1", NULL, "has an invalid name encoding"},
        {"=1", "=1", "has an empty parameter name"},
        {"=", "=", "has an empty parameter name"},
        {"==x", "==x", "has an empty parameter name"},
    };
    arena_t *a = arena_create(4096);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        query_t q;
        problem_t p;
        if (parse(a, cases[i].qs, false, &q, &p) != -1)
            fail_msg("%s accepted", cases[i].qs);
        assert_int_equal(p.kind, PROBLEM_VALIDATION);
        assert_int_equal(p.nerrors, 1);
        assert_string_equal(p.errors[0].in, "query");
        assert_string_equal(p.errors[0].reason, cases[i].reason);
        if (cases[i].field && strcmp(p.errors[0].field, cases[i].field) != 0)
            fail_msg("%s: field '%s', want '%s'", cases[i].qs, p.errors[0].field, cases[i].field);

        char both[64];
        snprintf(both, sizeof both, "ok=1&%s&also=2", cases[i].qs);
        assert_int_equal(parse(a, both, true, &q, &p), 0);
        assert_false(problem_has(&p));
        assert_int_equal(q.n, 2);
        assert_string_equal(query_get(&q, "ok", NULL), "1");
        assert_string_equal(query_get(&q, "also", NULL), "2");
    }
    arena_destroy(a);
}

static void test_query_more_than_max_params_is_refused_strictly(void **state)
{
    (void)state;
    arena_t *a = arena_create(8192);
    char qs[1024] = "";
    for (int i = 0; i < QUERY_MAX_PARAMS; i++)
        snprintf(qs + strlen(qs), sizeof qs - strlen(qs), "p%d=%d&", i, i);
    query_t q;
    problem_t p;
    assert_int_equal(parse(a, qs, false, &q, &p), 0); /* exactly the maximum */
    assert_int_equal(q.n, QUERY_MAX_PARAMS);
    assert_string_equal(query_get(&q, "p31", NULL), "31");

    strcat(qs, "extra=1&more=2");
    assert_int_equal(parse(a, qs, false, &q, &p), -1);
    assert_int_equal(p.nerrors, 1);
    assert_string_equal(p.errors[0].field, "extra");
    assert_string_equal(p.errors[0].in, "query");
    assert_non_null(strstr(p.errors[0].reason, "too many"));

    assert_int_equal(parse(a, qs, true, &q, &p), 0); /* lenient: the first 32 are kept */
    assert_int_equal(q.n, QUERY_MAX_PARAMS);
    assert_null(query_get(&q, "extra", NULL));
    assert_false(problem_has(&p));

    /* Empty pairs do not count towards the limit. */
    char sparse[2048] = "";
    for (int i = 0; i < QUERY_MAX_PARAMS; i++)
        snprintf(sparse + strlen(sparse), sizeof sparse - strlen(sparse), "&&p%d=%d", i, i);
    assert_int_equal(parse(a, sparse, false, &q, &p), 0);
    assert_int_equal(q.n, QUERY_MAX_PARAMS);
    arena_destroy(a);
}

static void test_query_allow_only_reports_unknown_and_repeated(void **state)
{
    (void)state;
    static const char *const allowed[] = {"limit", "cursor", NULL};
    static const struct {
        const char *qs;
        int nerrors;
        const char *fields[3];
        const char *reasons[3];
    } cases[] = {
        {"", 0, {NULL}, {NULL}},
        {"limit=5&cursor=abc", 0, {NULL}, {NULL}},
        {"limit=5&bogus=1", 1, {"bogus"}, {"is not a known parameter"}},
        {"limit=5&limit=6", 1, {"limit"}, {"must be given at most once"}},
        {"limit=5&bogus=1&limit=6", 2, {"bogus", "limit"}, {"is not a known parameter", "must be given at most once"}},
        {"cursor=a&cursor=b&cursor=c",
         2,
         {"cursor", "cursor"},
         {"must be given at most once", "must be given at most once"}},
        {"Limit=1", 1, {"Limit"}, {"is not a known parameter"}},
        {"x=1&y=2&x=3",
         3,
         {"x", "y", "x"},
         {"is not a known parameter", "is not a known parameter", "is not a known parameter"}},
    };
    arena_t *a = arena_create(4096);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        query_t q;
        problem_t p;
        assert_int_equal(parse(a, cases[i].qs, false, &q, &p), 0);
        int rc = query_allow_only(&q, allowed, &p);
        assert_int_equal(rc, cases[i].nerrors ? -1 : 0);
        if ((int)p.nerrors != cases[i].nerrors)
            fail_msg("%s: %zu errors, want %d", cases[i].qs, p.nerrors, cases[i].nerrors);
        for (int k = 0; k < cases[i].nerrors; k++) {
            assert_string_equal(p.errors[k].field, cases[i].fields[k]);
            assert_string_equal(p.errors[k].reason, cases[i].reasons[k]);
            assert_string_equal(p.errors[k].in, "query");
        }
    }
    /* An empty allow list refuses everything. */
    static const char *const none[] = {NULL};
    query_t q;
    problem_t p;
    parse(a, "a=1", false, &q, &p);
    assert_int_equal(query_allow_only(&q, none, &p), -1);
    arena_destroy(a);
}

static void test_query_int_bounds_and_garbage(void **state)
{
    (void)state;
    static const struct {
        const char *qs;
        int rc;
        int64_t v;
    } cases[] = {
        {"", 0, 50}, /* absent: the default */
        {"other=7", 0, 50},
        {"limit=1", 0, 1},
        {"limit=7", 0, 7},
        {"limit=200", 0, 200},
        {"limit=%32%30", 0, 20},
        {"limit=0", -1, 0},
        {"limit=201", -1, 0},
        {"limit=", -1, 0},
        {"limit", -1, 0},
        {"limit=abc", -1, 0},
        {"limit=5x", -1, 0},
        {"limit=x5", -1, 0},
        {"limit=-5", -1, 0},
        {"limit=+5", -1, 0},
        {"limit=+5+", -1, 0},
        {"limit=%205", -1, 0},
        {"limit=1e3", -1, 0},
        {"limit=1.0", -1, 0},
        {"limit=0x10", -1, 0},
        {"limit=99999999999999999999", -1, 0},
        {"limit=18446744073709551617", -1, 0},
        {"limit=9223372036854775808", -1, 0},
    };
    arena_t *a = arena_create(4096);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        query_t q;
        problem_t p;
        assert_int_equal(parse(a, cases[i].qs, false, &q, &p), 0);
        int64_t v = -12345;
        int rc = query_int(&q, "limit", 1, 200, 50, &v, &p);
        if (rc != cases[i].rc)
            fail_msg("%s: rc %d, want %d", cases[i].qs, rc, cases[i].rc);
        if (rc == 0) {
            assert_int_equal(v, cases[i].v);
            assert_false(problem_has(&p));
        } else {
            assert_int_equal(p.nerrors, 1);
            assert_string_equal(p.errors[0].field, "limit");
            assert_string_equal(p.errors[0].in, "query");
            assert_string_equal(p.errors[0].reason, "must be an integer from 1 to 200");
        }
    }
    /* Large bounds (ids): the maximum itself is fine, one more is not. */
    query_t q;
    problem_t p;
    int64_t v;
    /* With 0 allowed, an empty value is still not the number 0. */
    parse(a, "offset=", false, &q, &p);
    assert_int_equal(query_int(&q, "offset", 0, 10, 3, &v, &p), -1);
    parse(a, "offset=0", false, &q, &p);
    assert_int_equal(query_int(&q, "offset", 0, 10, 3, &v, &p), 0);
    assert_int_equal(v, 0);
    parse(a, "id=922337203685477580", false, &q, &p);
    assert_int_equal(query_int(&q, "id", 1, INT64_MAX / 10, 0, &v, &p), 0);
    assert_int_equal(v, INT64_MAX / 10);
    parse(a, "id=922337203685477581", false, &q, &p);
    assert_int_equal(query_int(&q, "id", 1, INT64_MAX / 10, 0, &v, &p), -1);
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_decodes_percent_escapes_and_plus),
        cmocka_unit_test(test_query_empty_pairs_are_skipped_and_order_is_kept),
        cmocka_unit_test(test_query_hostile_pairs_strict_and_lenient),
        cmocka_unit_test(test_query_more_than_max_params_is_refused_strictly),
        cmocka_unit_test(test_query_allow_only_reports_unknown_and_repeated),
        cmocka_unit_test(test_query_int_bounds_and_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
