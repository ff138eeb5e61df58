/*
 * test_rfc3339.c — RFC 3339 date-times (src/util/rfc3339.c): valid times of every form become
 * the right microseconds since the epoch (checked against timegm() and known values); dates that
 * do not exist, out-of-range fields, bad zones and malformed strings are refused with a reason;
 * the string is read only within its length.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "test_util.h"
#include "util/rfc3339.h"

static int parse(const char *s, int64_t *micros, const char **why)
{
    size_t len = strlen(s);
    char *copy = malloc(len ? len : 1); /* exact size: ASan catches reads past len */
    memcpy(copy, s, len);
    int rc = rfc3339_parse(copy, len, micros, why);
    free(copy);
    return rc;
}

static void test_rfc3339_valid_times(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t micros;
    } cases[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01t00:00:00z", 0},
        {"1970-01-01T00:00:00.000001Z", 1},
        {"1970-01-01T00:00:00.1Z", 100000},
        {"1970-01-01T00:00:00.123456789Z", 123456}, /* beyond microseconds: truncated */
        {"1970-01-01T00:00:00.99999999999999999999999Z", 999999},
        {"1970-01-01T01:00:00+01:00", 0},
        {"1969-12-31T23:00:00-01:00", 0},
        {"1969-12-31T23:59:59Z", -1000000},
        {"2026-11-25T10:00:00Z", 1795600800000000},
        {"2024-02-29T00:00:00Z", 1709164800000000}, /* leap year */
        {"2000-02-29T12:00:00Z", 951825600000000},  /* divisible by 400 */
        {"2016-12-31T23:59:60Z", 1483228800000000}, /* leap second = next minute's first */
        {"0000-01-01T00:00:00Z", -62167219200000000},
        {"0001-01-01T00:00:00Z", -62135596800000000},
        {"9999-12-31T23:59:59.999999Z", 253402300799999999},
        {"9999-12-31T23:59:60-23:59", 253402300800000000 + 86340000000},
        {"2026-06-15T12:30:45.5+05:45", 1781526645500000 - 20700000000},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        int64_t m = 42;
        const char *why = NULL;
        if (parse(cases[i].s, &m, &why) != 0)
            fail_msg("%s refused: %s", cases[i].s, why);
        if (m != cases[i].micros)
            fail_msg("%s -> %" PRId64 ", want %" PRId64, cases[i].s, m, cases[i].micros);
    }
}

/* Every day of 1900..2100 at one time of day agrees with timegm(). */
static void test_rfc3339_agrees_with_timegm(void **state)
{
    (void)state;
    for (int y = 1900; y <= 2100; y++) {
        for (int mo = 1; mo <= 12; mo++) {
            for (int d = 1; d <= 31; d++) {
                struct tm tm = {
                    .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = 7, .tm_min = 8, .tm_sec = 9};
                time_t t = timegm(&tm);
                bool exists = tm.tm_mday == d; /* timegm normalises a day that does not exist */
                char s[40];
                snprintf(s, sizeof s, "%04d-%02d-%02dT07:08:09Z", y, mo, d);
                int64_t m;
                const char *why;
                int rc = parse(s, &m, &why);
                if (exists && (rc != 0 || m != (int64_t)t * 1000000))
                    fail_msg("%s: rc %d, %" PRId64 " != %lld", s, rc, m, (long long)t * 1000000);
                if (!exists && rc != -1)
                    fail_msg("%s does not exist but was accepted", s);
            }
        }
    }
}

static void test_rfc3339_refuses_what_is_not_a_time(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2026-11-25",
        "2026-11-25T10:00:00",  /* no zone */
        "2026-11-25 10:00:00Z", /* space instead of T */
        "2026-11-25T10:00Z",    /* no seconds */
        "2026-02-30T00:00:00Z", /* no such day */
        "2025-02-29T00:00:00Z", /* not a leap year */
        "1900-02-29T00:00:00Z", /* divisible by 100, not 400 */
        "2026-04-31T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-13-10T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-25T24:00:00Z",
        "2026-11-25T23:60:00Z",
        "2026-11-25T23:59:61Z",
        "2026-11-25T10:00:00.Z", /* a dot without digits */
        "2026-11-25T10:00:00+24:00",
        "2026-11-25T10:00:00+01:60",
        "2026-11-25T10:00:00+0100",
        "2026-11-25T10:00:00+01",
        "2026-11-25T10:00:00ZZ",
        "2026-11-25T10:00:00Z ",
        " 2026-11-25T10:00:00Z",
        "+2026-11-25T10:00:00Z",
        "20261-11-25T10:00:00Z",
        "2026-1-25T10:00:00Z",
        "2026-11-25T1:00:00Z",
        "2026-11-25T10:0a:00Z",
        "-001-01-01T00:00:00Z",
        "2026-11-25T10:00:00-0:000",
        "2026-11-25T10:00:00.5.5Z",
        "2026-11-25T10:00:00\xef\xbc\xba", /* a fullwidth Z */
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        int64_t m = 7;
        const char *why = NULL;
        if (parse(bad[i], &m, &why) != -1)
            fail_msg("\"%s\" accepted as %" PRId64, bad[i], m);
        assert_non_null(why);
        assert_true(strlen(why) > 10);
        assert_int_equal(m, 7); /* nothing written on failure */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339_valid_times),
        cmocka_unit_test(test_rfc3339_agrees_with_timegm),
        cmocka_unit_test(test_rfc3339_refuses_what_is_not_a_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
