/*
 * test_router.c — route matching, ids, 405 Allow lists (src/http/router.c).
 */
#include "test_util.h"

#include "http/router.h"

static int h(struct request *r)
{
    (void)r;
    return 0;
}

static const route_t ROUTES[] = {
    {"GET", "/v1/offers", h, 0, NULL},
    {"POST", "/v1/offers", h, 0, NULL},
    {"GET", "/v1/offers/{offer_id}", h, 1, NULL},
    {"PATCH", "/v1/offers/{offer_id}", h, 2, NULL},
    {"DELETE", "/v1/offers/{offer_id}", h, 3, NULL},
    {"GET", "/v1/offers/{offer_id}/urls/{url_id}", h, 4, NULL},
    {"GET", "/c/{token:str}", h, 5, NULL},
};

static route_result_t match(const char *method, const char *path, route_match_t *m)
{
    return router_match(ROUTES, N_ELEMS(ROUTES), method, path, strlen(path), m);
}

static void test_router_ids_must_be_positive_int64(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        route_result_t want;
        int64_t id;
    } cases[] = {
        {"/v1/offers/1", ROUTE_MATCH, 1},
        {"/v1/offers/9223372036854775807", ROUTE_MATCH, INT64_MAX},
        {"/v1/offers/9223372036854775808", ROUTE_NO_PATH, 0},
        {"/v1/offers/0", ROUTE_NO_PATH, 0},
        {"/v1/offers/01", ROUTE_NO_PATH, 0},
        {"/v1/offers/-1", ROUTE_NO_PATH, 0},
        {"/v1/offers/abc", ROUTE_NO_PATH, 0},
        {"/v1/offers/1/", ROUTE_NO_PATH, 0},
        {"/v1/offers//1", ROUTE_NO_PATH, 0},
        {"/v1/offers/", ROUTE_NO_PATH, 0},
        {"/v1/offerss", ROUTE_NO_PATH, 0},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        route_match_t m;
        route_result_t got = match("GET", cases[i].path, &m);
        if (got != cases[i].want)
            fail_msg("%s: got %d, want %d", cases[i].path, got, cases[i].want);
        if (got == ROUTE_MATCH)
            assert_int_equal(route_param_id(&m, "offer_id"), cases[i].id);
    }
}

static void test_router_two_params_and_string_params(void **state)
{
    (void)state;
    route_match_t m;
    assert_int_equal(match("GET", "/v1/offers/12/urls/34", &m), ROUTE_MATCH);
    assert_int_equal(route_param_id(&m, "offer_id"), 12);
    assert_int_equal(route_param_id(&m, "url_id"), 34);
    assert_int_equal(route_param_id(&m, "nope"), 0);
    assert_int_equal(match("GET", "/c/AbC-_9", &m), ROUTE_MATCH);
    size_t len;
    const char *tok = route_param_str(&m, "token", &len);
    assert_int_equal(len, 6);
    assert_memory_equal(tok, "AbC-_9", 6);
    assert_int_equal(match("GET", "/c/", &m), ROUTE_NO_PATH);
}

static void test_router_wrong_method_lists_allow(void **state)
{
    (void)state;
    route_match_t m;
    assert_int_equal(match("PUT", "/v1/offers", &m), ROUTE_NO_METHOD);
    assert_string_equal(m.allow, "GET, HEAD, POST, OPTIONS");
    assert_int_equal(match("POST", "/v1/offers/5", &m), ROUTE_NO_METHOD);
    assert_string_equal(m.allow, "GET, HEAD, PATCH, DELETE, OPTIONS");
    assert_int_equal(match("HEAD", "/v1/offers/5", &m), ROUTE_MATCH); /* HEAD is served by GET */
    assert_string_equal(m.route->method, "GET");
    assert_int_equal(match("DELETE", "/v1/offers/5", &m), ROUTE_MATCH);
    assert_int_equal(m.route->flags, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_ids_must_be_positive_int64),
        cmocka_unit_test(test_router_two_params_and_string_params),
        cmocka_unit_test(test_router_wrong_method_lists_allow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
