/*
 * test_slot.c — the supervisor's pure rules (src/http/slot.c): slot socket addresses and pid file
 * names, the restart back-off schedule, and fd numbers read from the environment.
 */
#include "http/slot.h"
#include "test_util.h"

static void test_slot_path_puts_the_number_before_the_extension(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int k;
        const char *out;
    } cases[] = {
        {"/run/trackgen.sock", 1, "/run/trackgen-1.sock"},
        {"/run/trackgen.sock", 2, "/run/trackgen-2.sock"},
        {"run/trackgen.pid", 12, "run/trackgen-12.pid"},
        {"/run/trackgen", 3, "/run/trackgen-3"},
        {"/srv/v1.2/sock", 1, "/srv/v1.2/sock-1"}, /* a dot in a directory is no extension */
        {"/run/.sock", 1, "/run/.sock-1"},         /* nor is a leading dot */
        {"/run/a.b.sock", 2, "/run/a.b-2.sock"},
        {"trackgen.pid", 1, "trackgen-1.pid"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char out[64];
        assert_int_equal(slot_path(cases[i].in, cases[i].k, out, sizeof out), 0);
        assert_string_equal(out, cases[i].out);
    }
}

static void test_slot_listen_unix_paths_and_ports(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(slot_listen("/tmp/x/trackgen.sock", 2, out, sizeof out), 0);
    assert_string_equal(out, "/tmp/x/trackgen-2.sock");
    assert_int_equal(slot_listen("127.0.0.1:9000", 1, out, sizeof out), 0);
    assert_string_equal(out, "127.0.0.1:9000");
    assert_int_equal(slot_listen("127.0.0.1:9000", 3, out, sizeof out), 0);
    assert_string_equal(out, "127.0.0.1:9002");
    assert_int_equal(slot_listen(":9000", 2, out, sizeof out), 0);
    assert_string_equal(out, ":9001");
    assert_int_equal(slot_listen("[::1]:65535", 1, out, sizeof out), 0);
    assert_string_equal(out, "[::1]:65535");
}

static void test_slot_listen_refuses_ports_past_65535_and_short_buffers(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(slot_listen("0.0.0.0:65535", 2, out, sizeof out), -1);
    assert_int_equal(slot_listen("0.0.0.0:65534", 2, out, sizeof out), 0);
    assert_string_equal(out, "0.0.0.0:65535");
    char tiny[12];
    assert_int_equal(slot_listen("/run/trackgen.sock", 1, tiny, sizeof tiny), -1);
    assert_int_equal(slot_path("/run/a.sock", 1, tiny, sizeof tiny), -1);
    char exact[14]; /* "/run/a-1.sock" is 13 characters */
    assert_int_equal(slot_path("/run/a.sock", 1, exact, sizeof exact), 0);
    assert_string_equal(exact, "/run/a-1.sock");
}

static void test_slot_restart_delay_is_at_once_then_doubling_and_capped(void **state)
{
    (void)state;
    static const int expected[] = {0, 0, 250, 500, 1000, 2000, 4000, 5000, 5000};
    for (int n = 0; n < (int)N_ELEMS(expected); n++)
        assert_int_equal(slot_restart_delay_ms(n), expected[n]);
    assert_int_equal(slot_restart_delay_ms(1000), SLOT_RESTART_DELAY_MAX_MS);
}

static void test_slot_quick_deaths_count_only_consecutive_quick_ones(void **state)
{
    (void)state;
    assert_int_equal(slot_quick_deaths(0, 5), 1);
    assert_int_equal(slot_quick_deaths(1, 5), 2);
    assert_int_equal(slot_quick_deaths(4, SLOT_QUICK_DEATH_MS - 1), 5);
    assert_int_equal(slot_quick_deaths(4, SLOT_QUICK_DEATH_MS), 1); /* it had run a while */
    assert_int_equal(slot_quick_deaths(0, 3600000), 1);
}

static void test_slot_env_fd_takes_digits_only(void **state)
{
    (void)state;
    assert_int_equal(slot_env_fd(NULL), -1);
    assert_int_equal(slot_env_fd("3"), 3);
    assert_int_equal(slot_env_fd("0"), 0);
    assert_int_equal(slot_env_fd("65535"), 65535);
    static const char *const bad[] = {"", "-1", "+3", " 3", "3 ", "3x", "65536", "123456", "0x3"};
    for (size_t i = 0; i < N_ELEMS(bad); i++)
        assert_int_equal(slot_env_fd(bad[i]), -2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slot_path_puts_the_number_before_the_extension),
        cmocka_unit_test(test_slot_listen_unix_paths_and_ports),
        cmocka_unit_test(test_slot_listen_refuses_ports_past_65535_and_short_buffers),
        cmocka_unit_test(test_slot_restart_delay_is_at_once_then_doubling_and_capped),
        cmocka_unit_test(test_slot_quick_deaths_count_only_consecutive_quick_ones),
        cmocka_unit_test(test_slot_env_fd_takes_digits_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
