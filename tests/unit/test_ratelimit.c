/*
 * test_ratelimit.c — the GCRA decision and the RateLimit header values (src/http/ratelimit.c):
 * table-driven request sequences (bursts, refill, denial with Retry-After, time going backwards),
 * the rounding of seconds, and the header strings.
 */
#include <inttypes.h>
#include <stdio.h>

#include "http/ratelimit.h"
#include "test_util.h"

#define S RATELIMIT_NS_PER_S

typedef struct {
    int64_t now; /* ns */
    bool allowed;
    int64_t remaining;
    int64_t reset; /* ns */
    int64_t retry; /* ns */
} step_t;

static void run_steps(const ratelimit_policy_t *p, const step_t *steps, size_t n)
{
    int64_t tat = 0;
    for (size_t i = 0; i < n; i++) {
        ratelimit_decision_t d = ratelimit_decide(p, tat, steps[i].now);
        if (d.allowed != steps[i].allowed || d.remaining != steps[i].remaining || d.reset != steps[i].reset ||
            d.retry_after != steps[i].retry)
            fail_msg("step %zu (now %" PRId64 " s): allowed %d remaining %" PRId64 " reset %" PRId64 " retry %" PRId64,
                     i, steps[i].now / S, d.allowed, d.remaining, d.reset, d.retry_after);
        if (!d.allowed)
            assert_int_equal(d.tat, tat); /* a denied request costs nothing */
        tat = d.tat;
    }
}

/* 3 per minute: one every 20 s, 3 at once. */
static void test_ratelimit_burst_then_one_per_interval(void **state)
{
    (void)state;
    const ratelimit_policy_t p = {"key", 3, 60 * S};
    const step_t steps[] = {
        {100 * S, true, 2, 20 * S, 0},       {100 * S, true, 1, 40 * S, 0},
        {100 * S, true, 0, 60 * S, 0},       {100 * S, false, 0, 60 * S, 20 * S}, /* over the burst: next one in 20 s */
        {119 * S, false, 0, 41 * S, 1 * S},  {120 * S, true, 0, 60 * S, 0},       /* exactly one interval later */
        {120 * S, false, 0, 60 * S, 20 * S}, {300 * S, true, 2, 20 * S, 0}, /* idle for long: the whole quota is back */
    };
    run_steps(&p, steps, N_ELEMS(steps));
}

/* A clock that goes backwards a little keeps the state; one that jumps back by more than a
 * window (or a table from before a reboot) cannot lock a key out. */
static void test_ratelimit_time_going_backwards(void **state)
{
    (void)state;
    const ratelimit_policy_t p = {"key", 3, 60 * S};
    const step_t steps[] = {
        {1000 * S, true, 2, 20 * S, 0},
        {1000 * S, true, 1, 40 * S, 0},
        {1000 * S, true, 0, 60 * S, 0},      /* tat = 1060 s */
        {995 * S, false, 0, 65 * S, 25 * S}, /* 5 s back: still limited, and for longer */
        {999 * S, false, 0, 61 * S, 21 * S},
        {941 * S, false, 0, 119 * S, 79 * S}, /* 59 s back: still within two windows */
        {10 * S, true, 2, 20 * S, 0},         /* far back: the stored TAT is not from this clock */
        {10 * S, true, 1, 40 * S, 0},
    };
    run_steps(&p, steps, N_ELEMS(steps));
}

/* Large quotas: exactly `limit` requests fit at once, whatever the rounding of window/limit. */
static void test_ratelimit_bursts_of_every_size(void **state)
{
    (void)state;
    static const int64_t limits[] = {1, 2, 7, 60, 100, 600, 6000, 7001, 99999, RATELIMIT_MAX_LIMIT};
    for (size_t i = 0; i < N_ELEMS(limits); i++) {
        const ratelimit_policy_t p = {"client", limits[i], 60 * S};
        int64_t tat = 0, now = 5 * S;
        for (int64_t k = 0; k < limits[i]; k++) {
            ratelimit_decision_t d = ratelimit_decide(&p, tat, now);
            if (!d.allowed || d.remaining != limits[i] - 1 - k)
                fail_msg("limit %" PRId64 ": request %" PRId64 " allowed %d remaining %" PRId64, limits[i], k,
                         d.allowed, d.remaining);
            tat = d.tat;
        }
        ratelimit_decision_t d = ratelimit_decide(&p, tat, now);
        assert_false(d.allowed);
        assert_int_equal(d.retry_after, tat + 60 * S / limits[i] - (now + 60 * S));
        assert_true(d.retry_after > 0 && d.retry_after <= 60 * S / limits[i]);
        /* After one interval, exactly one more. */
        now += 60 * S / limits[i];
        d = ratelimit_decide(&p, tat, now);
        assert_true(d.allowed);
        assert_int_equal(d.remaining, 0);
    }
}

static void test_ratelimit_stale_only_beyond_two_windows(void **state)
{
    (void)state;
    assert_false(ratelimit_tat_stale(0, 100 * S, 60 * S));
    assert_false(ratelimit_tat_stale(220 * S, 100 * S, 60 * S));
    assert_true(ratelimit_tat_stale(220 * S + 1, 100 * S, 60 * S));
}

static void test_ratelimit_seconds_round_up(void **state)
{
    (void)state;
    static const int64_t cases[][2] = {
        {0, 0}, {-5, 0}, {1, 1}, {S - 1, 1}, {S, 1}, {S + 1, 2}, {60 * S, 60}, {600000000, 1},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++)
        assert_int_equal(ratelimit_seconds(cases[i][0]), cases[i][1]);
}

static void test_ratelimit_header_values(void **state)
{
    (void)state;
    const ratelimit_policy_t p = {"key", 100, 60 * S};
    char out[128];
    ratelimit_policy_value(&p, out, sizeof out);
    assert_string_equal(out, "\"key\";q=100;w=60");

    ratelimit_decision_t ok = {.allowed = true, .remaining = 42, .reset = 34 * S + 1};
    ratelimit_value(&p, &ok, out, sizeof out);
    assert_string_equal(out, "\"key\";r=42;t=35");

    ratelimit_decision_t no = {.allowed = false, .remaining = 0, .reset = 60 * S, .retry_after = 600000000};
    ratelimit_value(&p, &no, out, sizeof out);
    assert_string_equal(out, "\"key\";r=0;t=1"); /* when denied, t says when to come back */

    char tiny[8];
    ratelimit_policy_value(&p, tiny, sizeof tiny);
    assert_string_equal(tiny, "\"key\";q"); /* truncated, still terminated */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratelimit_burst_then_one_per_interval),
        cmocka_unit_test(test_ratelimit_time_going_backwards),
        cmocka_unit_test(test_ratelimit_bursts_of_every_size),
        cmocka_unit_test(test_ratelimit_stale_only_beyond_two_windows),
        cmocka_unit_test(test_ratelimit_seconds_round_up),
        cmocka_unit_test(test_ratelimit_header_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
