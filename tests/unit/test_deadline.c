/*
 * test_deadline.c — deadlines for timed waits (src/util/deadline.c): carried into seconds,
 * always normalised, and later than the clock's now by the delay asked for.
 */
#include "test_util.h"
#include "util/deadline.h"

static void test_deadline_plus_ns_carries_into_seconds(void **state)
{
    (void)state;
    struct timespec t = deadline_plus_ns((struct timespec){10, 999999999L}, 1);
    assert_int_equal(t.tv_sec, 11);
    assert_int_equal(t.tv_nsec, 0);
    t = deadline_plus_ns((struct timespec){10, 600000000L}, 600000000LL);
    assert_int_equal(t.tv_sec, 11);
    assert_int_equal(t.tv_nsec, 200000000L);
    t = deadline_plus_ns((struct timespec){3, 5}, 2500000000LL); /* more than a second */
    assert_int_equal(t.tv_sec, 5);
    assert_int_equal(t.tv_nsec, 500000005L);
    t = deadline_plus_ns((struct timespec){7, 123}, 0);
    assert_int_equal(t.tv_sec, 7);
    assert_int_equal(t.tv_nsec, 123);
}

static long long ns_of(struct timespec t)
{
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void test_deadline_in_ms_is_now_plus_the_delay_on_that_clock(void **state)
{
    (void)state;
    const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC};
    for (size_t i = 0; i < 2; i++) {
        struct timespec before, after;
        clock_gettime(clocks[i], &before);
        struct timespec d = deadline_in_ms(clocks[i], 1500);
        clock_gettime(clocks[i], &after);
        assert_true(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
        assert_true(ns_of(d) >= ns_of(before) + 1500000000LL);
        assert_true(ns_of(d) <= ns_of(after) + 1500000000LL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadline_plus_ns_carries_into_seconds),
        cmocka_unit_test(test_deadline_in_ms_is_now_plus_the_delay_on_that_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
