/*
 * test_body_limit.c — request body caps by kind (src/http/body_limit.c): each kind gets its own
 * cap and setting; Content-Length at the cap passes, one byte more is a 413 naming the cap and the
 * setting; absent or empty means no body; anything that is not a plain byte count is a 400 naming
 * Content-Length, and a number too long for 64 bits is still a 413.
 */
#include <stdio.h>

#include "http/body_limit.h"
#include "test_util.h"

static const config_t CFG = {.max_body = 1048576, .max_csv_body = 33554432, .max_upload = 67108864};

static void test_body_limit_each_kind_has_its_cap_and_setting(void **state)
{
    (void)state;
    static const struct {
        body_kind_t kind;
        size_t cap;
        const char *setting;
    } cases[] = {
        {BODY_JSON, 1048576, "TRACKGEN_MAX_BODY"},
        {BODY_CSV, 33554432, "TRACKGEN_MAX_CSV_BODY"},
        {BODY_UPLOAD, 67108864, "TRACKGEN_MAX_UPLOAD"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        body_limit_t l = body_limit(&CFG, cases[i].kind);
        assert_int_equal(l.cap, cases[i].cap);
        assert_string_equal(l.setting, cases[i].setting);
        assert_non_null(l.what);
    }
}

static void test_body_limit_lengths_at_and_over_the_cap(void **state)
{
    (void)state;
    static const struct {
        body_kind_t kind;
        const char *content_length;
        int rc;
        size_t len;
        problem_kind_t problem;
    } cases[] = {
        {BODY_JSON, NULL, 0, 0, PROBLEM_NONE},
        {BODY_JSON, "", 0, 0, PROBLEM_NONE},
        {BODY_JSON, "0", 0, 0, PROBLEM_NONE},
        {BODY_JSON, "1048576", 0, 1048576, PROBLEM_NONE},
        {BODY_JSON, "1048577", -1, 0, PROBLEM_PAYLOAD_TOO_LARGE},
        {BODY_CSV, "1048577", 0, 1048577, PROBLEM_NONE},
        {BODY_CSV, "33554432", 0, 33554432, PROBLEM_NONE},
        {BODY_CSV, "33554433", -1, 0, PROBLEM_PAYLOAD_TOO_LARGE},
        {BODY_UPLOAD, "67108864", 0, 67108864, PROBLEM_NONE},
        {BODY_UPLOAD, "67108865", -1, 0, PROBLEM_PAYLOAD_TOO_LARGE},
        {BODY_UPLOAD, "9223372036854775807", -1, 0, PROBLEM_PAYLOAD_TOO_LARGE},
        {BODY_UPLOAD, "99999999999999999999999", -1, 0, PROBLEM_PAYLOAD_TOO_LARGE},
        {BODY_JSON, "-1", -1, 0, PROBLEM_VALIDATION},
        {BODY_JSON, "+5", -1, 0, PROBLEM_VALIDATION},
        {BODY_JSON, " 5", -1, 0, PROBLEM_VALIDATION},
        {BODY_JSON, "5 ", -1, 0, PROBLEM_VALIDATION},
        {BODY_JSON, "05", -1, 0, PROBLEM_VALIDATION},
        {BODY_JSON, "0x10", -1, 0, PROBLEM_VALIDATION},
        {BODY_JSON, "1e3", -1, 0, PROBLEM_VALIDATION},
        {BODY_JSON, "12,5", -1, 0, PROBLEM_VALIDATION},
        {BODY_JSON, "000000000000000000000001", -1, 0, PROBLEM_VALIDATION},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        arena_t *a = arena_create(1024);
        problem_t p;
        problem_init(&p, a);
        body_limit_t l = body_limit(&CFG, cases[i].kind);
        size_t len = 12345;
        int rc = body_limit_check(&l, cases[i].content_length, &len, &p);
        const char *cl = cases[i].content_length ? cases[i].content_length : "(none)";
        if (rc != cases[i].rc || p.kind != cases[i].problem)
            fail_msg("%s: rc %d, problem %d", cl, rc, p.kind);
        if (rc == 0 && len != cases[i].len)
            fail_msg("%s: length %zu", cl, len);
        if (p.kind == PROBLEM_PAYLOAD_TOO_LARGE) {
            char cap[32];
            snprintf(cap, sizeof cap, "%zu bytes", l.cap);
            assert_non_null(strstr(p.detail, cap));
            assert_non_null(strstr(p.detail, l.setting));
        }
        if (p.kind == PROBLEM_VALIDATION) {
            assert_int_equal(p.nerrors, 1);
            assert_string_equal(p.errors[0].field, "Content-Length");
            assert_string_equal(p.errors[0].in, "header");
        }
        arena_destroy(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_limit_each_kind_has_its_cap_and_setting),
        cmocka_unit_test(test_body_limit_lengths_at_and_over_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
