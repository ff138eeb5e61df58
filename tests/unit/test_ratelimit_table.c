/*
 * test_ratelimit_table.c — the shared rate-limit table (src/http/ratelimit_table.c) on a real
 * file: keys are independent, two mappings (as two processes have) share one limit, a forked
 * process counts against the same limit, a full table fails open and frees up as TATs pass, an
 * existing table keeps its size, a file that is not a table is refused, and keys of different
 * scopes differ.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/ratelimit_table.h"
#include "test_util.h"

#define S RATELIMIT_NS_PER_S

static char dir[64];
static char path[96];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tg-ratelimit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/ratelimit.table", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static const ratelimit_policy_t THREE = {"key", 3, 60 * S};

/* How many of n requests of key at time now are allowed. */
static int allowed_of(ratelimit_table_t *t, uint64_t key, int n, int64_t now)
{
    int ok = 0;
    for (int i = 0; i < n; i++) {
        bool full;
        ok += ratelimit_table_take(t, key, &THREE, now, &full).allowed;
        assert_false(full);
    }
    return ok;
}

/* Four keys, one request each at 10 s: four slots with a live TAT (30 s) until 30 s. */
static void fill_four_slots(ratelimit_table_t *t)
{
    char id[16];
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "%d", i);
        assert_int_equal(allowed_of(t, ratelimit_key("key", id), 1, 10 * S), 1);
    }
}

static void test_ratelimit_table_keys_are_independent(void **state)
{
    (void)state;
    ratelimit_table_t *t = ratelimit_table_open(path, 1024);
    assert_non_null(t);
    uint64_t a = ratelimit_key("key", "1"), b = ratelimit_key("key", "2");
    assert_int_equal(allowed_of(t, a, 5, 10 * S), 3);
    assert_int_equal(allowed_of(t, b, 5, 10 * S), 3);
    assert_int_equal(allowed_of(t, a, 1, 30 * S), 1); /* 20 s later: one more */
    ratelimit_table_close(t);
}

static void test_ratelimit_table_two_mappings_share_one_limit(void **state)
{
    (void)state;
    ratelimit_table_t *t1 = ratelimit_table_open(path, 1024);
    ratelimit_table_t *t2 = ratelimit_table_open(path, 1024);
    assert_non_null(t1);
    assert_non_null(t2);
    uint64_t k = ratelimit_key("client", "203.0.113.7");
    assert_int_equal(allowed_of(t1, k, 2, 10 * S), 2);
    assert_int_equal(allowed_of(t2, k, 2, 10 * S), 1);
    assert_int_equal(allowed_of(t1, k, 1, 10 * S), 0);
    ratelimit_table_close(t1);
    ratelimit_table_close(t2);
}

static void test_ratelimit_table_is_shared_with_a_forked_process(void **state)
{
    (void)state;
    ratelimit_table_t *t = ratelimit_table_open(path, 1024);
    assert_non_null(t);
    uint64_t k = ratelimit_key("key", "42");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ratelimit_table_t *c = ratelimit_table_open(path, 1024);
        bool full;
        int ok = 0;
        for (int i = 0; i < 2; i++)
            ok += c && ratelimit_table_take(c, k, &THREE, 10 * S, &full).allowed;
        _exit(ok == 2 ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(allowed_of(t, k, 3, 10 * S), 1); /* the child used two of three */
    ratelimit_table_close(t);
}

static void test_ratelimit_table_full_fails_open_then_frees_up(void **state)
{
    (void)state;
    ratelimit_table_t *t = ratelimit_table_open(path, 4);
    assert_non_null(t);
    fill_four_slots(t);
    /* Every slot holds a live TAT (10 s + 20 s): a fifth key gets none, and is let through. */
    uint64_t fifth = ratelimit_key("key", "fifth");
    for (int i = 0; i < 5; i++) {
        bool full = false;
        ratelimit_decision_t d = ratelimit_table_take(t, fifth, &THREE, 10 * S, &full);
        assert_true(full);
        assert_true(d.allowed);
        assert_int_equal(d.remaining, 2);
    }
    /* Once the TATs have passed, the slots are reused and the fifth key is limited again. */
    assert_int_equal(allowed_of(t, fifth, 5, 31 * S), 3);
    ratelimit_table_close(t);
}

static void test_ratelimit_table_keeps_the_size_it_was_made_with(void **state)
{
    (void)state;
    ratelimit_table_close(ratelimit_table_open(path, 4));
    ratelimit_table_t *t = ratelimit_table_open(path, 65536);
    assert_non_null(t);
    fill_four_slots(t);
    bool full = false;
    ratelimit_table_take(t, ratelimit_key("key", "x"), &THREE, 10 * S, &full);
    assert_true(full);
    ratelimit_table_close(t);
}

static void test_ratelimit_table_refuses_what_is_not_a_table(void **state)
{
    (void)state;
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a rate-limit table, but it is longer than sixteen bytes", f);
    fclose(f);
    errno = 0;
    assert_null(ratelimit_table_open(path, 1024));
    assert_int_equal(errno, EINVAL);
    assert_null(ratelimit_table_open(path, 1000)); /* not a power of two */
    assert_int_equal(errno, EINVAL);
    assert_null(ratelimit_table_open("/nonexistent-dir/ratelimit.table", 1024));
    assert_int_equal(errno, ENOENT);
    ratelimit_table_close(NULL);
}

static void test_ratelimit_key_scopes_differ(void **state)
{
    (void)state;
    assert_true(ratelimit_key("key", "1") != ratelimit_key("client", "1"));
    assert_true(ratelimit_key("key", "1") != ratelimit_key("key", "2"));
    assert_true(ratelimit_key("ke", "y1") != ratelimit_key("key", "1"));
    assert_true(ratelimit_key("key", "1") == ratelimit_key("key", "1"));
    assert_true(ratelimit_key("", "") != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ratelimit_table_keys_are_independent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_table_two_mappings_share_one_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_table_is_shared_with_a_forked_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_table_full_fails_open_then_frees_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_table_keeps_the_size_it_was_made_with, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_table_refuses_what_is_not_a_table, setup, teardown),
        cmocka_unit_test(test_ratelimit_key_scopes_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
