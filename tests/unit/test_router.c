/*
 * test_router.c — route matching (src/http/router.c) against a table shaped like the real one:
 * positive int64 ids only, exact segments (no trailing or doubled slashes), 405 with the exact
 * Allow value (HEAD after GET, OPTIONS last), HEAD served by GET, route_param_id/str.
 */
#include <stdio.h>
#include <stdlib.h>

#include "http/router.h"
#include "test_util.h"

static int handler(struct request *r)
{
    (void)r;
    return 0;
}

/* flags holds the row number, so a test can tell which route matched. */
static const route_t ROUTES[] = {
    {"GET", "/healthz", handler, 0, NULL},
    {"GET", "/c/{token:str}", handler, 1, ROUTER_QUERY_ANY},
    {"POST", "/v1/clicks", handler, 2, NULL},
    {"GET", "/v1/offers", handler, 3, NULL},
    {"POST", "/v1/offers", handler, 4, NULL},
    {"GET", "/v1/offers/{offer_id}", handler, 5, NULL},
    {"PATCH", "/v1/offers/{offer_id}", handler, 6, NULL},
    {"DELETE", "/v1/offers/{offer_id}", handler, 7, NULL},
    {"GET", "/v1/offers/{offer_id}/urls", handler, 8, NULL},
    {"POST", "/v1/offers/{offer_id}/urls", handler, 9, NULL},
    {"GET", "/v1/offers/{offer_id}/urls/{url_id}", handler, 10, NULL},
    {"PATCH", "/v1/offers/{offer_id}/urls/{url_id}", handler, 11, NULL},
    {"DELETE", "/v1/offers/{offer_id}/urls/{url_id}", handler, 12, NULL},
    {"PUT", "/v1/offers/{offer_id}/partners/{partner_id}", handler, 13, NULL},
    {"DELETE", "/v1/offers/{offer_id}/partners/{partner_id}", handler, 14, NULL},
};

static route_result_t match(const char *method, const char *path, route_match_t *m)
{
    size_t len = strlen(path);
    char *copy = malloc(len ? len : 1); /* exact size, no NUL: the path is a slice */
    memcpy(copy, path, len);
    route_result_t rc = router_match(ROUTES, N_ELEMS(ROUTES), method, copy, len, m);
    /* Parameters point into the path; keep them valid by pointing into the caller's string. */
    for (int i = 0; rc == ROUTE_MATCH && i < m->nparams; i++)
        m->params[i].str = path + (m->params[i].str - copy);
    free(copy);
    return rc;
}

static void test_router_ids_are_positive_int64_without_leading_zeros(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        int64_t want; /* 0: no match */
    } cases[] = {
        {"1", 1},
        {"7", 7},
        {"10", 10},
        {"1234567890", 1234567890},
        {"9223372036854775806", INT64_MAX - 1},
        {"9223372036854775807", INT64_MAX},
        {"9223372036854775808", 0},
        {"9223372036854775810", 0},
        {"18446744073709551616", 0},
        {"99999999999999999999", 0},
        {"0", 0},
        {"00", 0},
        {"01", 0},
        {"-1", 0},
        {"+1", 0},
        {" 1", 0},
        {"1 ", 0},
        {"1a", 0},
        {"abc", 0},
        {"1.0", 0},
        {"0x10", 0},
        {"%31", 0},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/offers/%s", cases[i].id);
        route_match_t m;
        route_result_t got = match("GET", path, &m);
        if (cases[i].want == 0) {
            if (got != ROUTE_NO_PATH)
                fail_msg("%s: got %d, want ROUTE_NO_PATH", path, got);
            assert_null(m.route);
            continue;
        }
        if (got != ROUTE_MATCH)
            fail_msg("%s: got %d, want ROUTE_MATCH", path, got);
        assert_int_equal(m.route->flags, 5);
        assert_int_equal(route_param_id(&m, "offer_id"), cases[i].want);
        /* The same id rules apply in a second parameter. */
        snprintf(path, sizeof path, "/v1/offers/3/urls/%s", cases[i].id);
        assert_int_equal(match("GET", path, &m), ROUTE_MATCH);
        assert_int_equal(route_param_id(&m, "url_id"), cases[i].want);
    }
}

static void test_router_paths_match_segment_by_segment(void **state)
{
    (void)state;
    static const struct {
        const char *method;
        const char *path;
        int route; /* flags of the matched route; -1: ROUTE_NO_PATH */
    } cases[] = {
        {"GET", "/healthz", 0},
        {"GET", "/v1/offers", 3},
        {"POST", "/v1/offers", 4},
        {"GET", "/v1/offers/5", 5},
        {"PATCH", "/v1/offers/5", 6},
        {"DELETE", "/v1/offers/5", 7},
        {"GET", "/v1/offers/5/urls", 8},
        {"POST", "/v1/offers/5/urls", 9},
        {"GET", "/v1/offers/5/urls/6", 10},
        {"DELETE", "/v1/offers/5/urls/6", 12},
        {"PUT", "/v1/offers/5/partners/9", 13},
        {"GET", "/c/AbC-_9", 1},
        {"GET", "/c/%41%2F", 1}, /* raw, not decoded */
        /* trailing slashes */
        {"GET", "/healthz/", -1},
        {"GET", "/v1/offers/", -1},
        {"GET", "/v1/offers/5/", -1},
        {"GET", "/v1/offers/5/urls/6/", -1},
        {"GET", "/c/abc/", -1},
        /* doubled slashes */
        {"GET", "//v1/offers", -1},
        {"GET", "/v1//offers", -1},
        {"GET", "/v1/offers//5", -1},
        {"GET", "/v1/offers/5//urls/6", -1},
        {"GET", "/c//abc", -1},
        /* empty and missing segments */
        {"GET", "", -1},
        {"GET", "/", -1},
        {"GET", "/c/", -1},
        {"GET", "/c", -1},
        {"GET", "/v1", -1},
        {"GET", "/v1/offers/5/urls/", -1},
        {"GET", "/v1/offers/5/partners", -1},
        /* near misses */
        {"GET", "v1/offers", -1},
        {"GET", "/V1/offers", -1},
        {"GET", "/v1/Offers", -1},
        {"GET", "/v1/offer", -1},
        {"GET", "/v1/offerss", -1},
        {"GET", "/v1/offers?limit=5", -1},
        {"GET", "/v1/offers/5/urls/6/x", -1},
        {"GET", "/c/a/b", -1},
        {"GET", "/healthzz", -1},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        route_match_t m;
        route_result_t got = match(cases[i].method, cases[i].path, &m);
        if (cases[i].route < 0) {
            if (got != ROUTE_NO_PATH)
                fail_msg("%s %s: got %d, want ROUTE_NO_PATH", cases[i].method, cases[i].path, got);
            continue;
        }
        if (got != ROUTE_MATCH || m.route->flags != cases[i].route)
            fail_msg("%s %s: got %d (route %d), want route %d", cases[i].method, cases[i].path, got,
                     got == ROUTE_MATCH ? m.route->flags : -1, cases[i].route);
    }
}

/* A known path with a method it does not have: 405 with the exact Allow value. */
static void test_router_wrong_method_gives_the_exact_allow_list(void **state)
{
    (void)state;
    static const struct {
        const char *method;
        const char *path;
        const char *allow;
    } cases[] = {
        {"PUT", "/v1/offers", "GET, HEAD, POST, OPTIONS"},
        {"DELETE", "/v1/offers", "GET, HEAD, POST, OPTIONS"},
        {"OPTIONS", "/v1/offers", "GET, HEAD, POST, OPTIONS"},
        {"POST", "/v1/offers/5", "GET, HEAD, PATCH, DELETE, OPTIONS"},
        {"PUT", "/v1/offers/5", "GET, HEAD, PATCH, DELETE, OPTIONS"},
        {"PUT", "/v1/offers/5/urls/6", "GET, HEAD, PATCH, DELETE, OPTIONS"},
        {"DELETE", "/v1/offers/5/urls", "GET, HEAD, POST, OPTIONS"},
        {"GET", "/v1/offers/5/partners/9", "PUT, DELETE, OPTIONS"},
        {"HEAD", "/v1/offers/5/partners/9", "PUT, DELETE, OPTIONS"},
        {"GET", "/v1/clicks", "POST, OPTIONS"},
        {"HEAD", "/v1/clicks", "POST, OPTIONS"},
        {"POST", "/c/abc", "GET, HEAD, OPTIONS"},
        {"POST", "/healthz", "GET, HEAD, OPTIONS"},
        {"get", "/healthz", "GET, HEAD, OPTIONS"}, /* methods are case-sensitive */
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        route_match_t m;
        route_result_t got = match(cases[i].method, cases[i].path, &m);
        if (got != ROUTE_NO_METHOD)
            fail_msg("%s %s: got %d, want ROUTE_NO_METHOD", cases[i].method, cases[i].path, got);
        assert_null(m.route);
        if (strcmp(m.allow, cases[i].allow) != 0)
            fail_msg("%s %s: Allow \"%s\", want \"%s\"", cases[i].method, cases[i].path, m.allow, cases[i].allow);
    }
}

static void test_router_head_is_served_by_the_get_route(void **state)
{
    (void)state;
    route_match_t m;
    assert_int_equal(match("HEAD", "/v1/offers/5", &m), ROUTE_MATCH);
    assert_string_equal(m.route->method, "GET");
    assert_int_equal(m.route->flags, 5);
    assert_int_equal(route_param_id(&m, "offer_id"), 5);
    assert_int_equal(match("HEAD", "/c/tok", &m), ROUTE_MATCH);
    assert_int_equal(m.route->flags, 1);
    assert_ptr_equal(m.route->query, ROUTER_QUERY_ANY);
    assert_int_equal(match("HEAD", "/v1/offers/0", &m), ROUTE_NO_PATH);
}

static void test_router_params_by_name(void **state)
{
    (void)state;
    route_match_t m;
    assert_int_equal(match("DELETE", "/v1/offers/12/partners/34", &m), ROUTE_MATCH);
    assert_int_equal(m.nparams, 2);
    assert_int_equal(route_param_id(&m, "offer_id"), 12);
    assert_int_equal(route_param_id(&m, "partner_id"), 34);
    assert_int_equal(route_param_id(&m, "url_id"), 0);
    assert_int_equal(route_param_id(&m, "offer"), 0);      /* a prefix of a name is not the name */
    assert_int_equal(route_param_id(&m, "offer_id_x"), 0); /* nor a longer one */
    assert_int_equal(route_param_id(&m, ""), 0);

    assert_int_equal(match("GET", "/c/AbC-_9.x%20", &m), ROUTE_MATCH);
    size_t len = 0;
    const char *tok = route_param_str(&m, "token", &len);
    assert_non_null(tok);
    assert_int_equal(len, 11);
    assert_memory_equal(tok, "AbC-_9.x%20", 11);
    assert_int_equal(route_param_id(&m, "token"), 0); /* a str parameter has no id */
    assert_null(route_param_str(&m, "token:str", &len));
    assert_null(route_param_str(&m, "tok", &len));

    assert_int_equal(match("GET", "/v1/offers", &m), ROUTE_MATCH);
    assert_int_equal(m.nparams, 0);
    assert_int_equal(route_param_id(&m, "offer_id"), 0);
    assert_null(route_param_str(&m, "offer_id", &len));
}

/* The path is a slice: bytes after path_len (a query string, say) are not part of it. */
static void test_router_path_is_a_slice(void **state)
{
    (void)state;
    const char raw[] = "/v1/offers/42?limit=5";
    route_match_t m;
    assert_int_equal(router_match(ROUTES, N_ELEMS(ROUTES), "GET", raw, 13, &m), ROUTE_MATCH);
    assert_int_equal(route_param_id(&m, "offer_id"), 42);
    assert_int_equal(router_match(ROUTES, N_ELEMS(ROUTES), "GET", raw, 12, &m), ROUTE_MATCH);
    assert_int_equal(route_param_id(&m, "offer_id"), 4);
    assert_int_equal(router_match(ROUTES, N_ELEMS(ROUTES), "GET", raw, strlen(raw), &m), ROUTE_NO_PATH);
    assert_int_equal(router_match(ROUTES, 0, "GET", raw, 13, &m), ROUTE_NO_PATH); /* empty table */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_ids_are_positive_int64_without_leading_zeros),
        cmocka_unit_test(test_router_paths_match_segment_by_segment),
        cmocka_unit_test(test_router_wrong_method_gives_the_exact_allow_list),
        cmocka_unit_test(test_router_head_is_served_by_the_get_route),
        cmocka_unit_test(test_router_params_by_name),
        cmocka_unit_test(test_router_path_is_a_slice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
