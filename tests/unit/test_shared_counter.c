/*
 * test_shared_counter.c — the host's shared counter (src/util/shared_counter.c): starts at 0, two
 * openings of one file (as two processes) see each other's bumps at once, the value survives a
 * reopening, and a path that cannot be opened is NULL while a NULL counter reads 0.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_tmpdir.h"
#include "test_util.h"
#include "util/shared_counter.h"

static void test_shared_counter_is_shared_between_processes(void **state)
{
    (void)state;
    char dir[256], path[300];
    tmpdir_make(dir, sizeof dir, "counter");
    snprintf(path, sizeof path, "%s/cache.generation", dir);
    shared_counter_t *a = shared_counter_open(path);
    assert_non_null(a);
    assert_int_equal(shared_counter_get(a), 0);
    pid_t child = fork();
    if (child == 0) { /* another process bumps it 1000 times */
        shared_counter_t *b = shared_counter_open(path);
        for (int i = 0; i < 1000; i++)
            shared_counter_bump(b);
        shared_counter_close(b);
        _exit(0);
    }
    for (int i = 0; i < 1000; i++)
        shared_counter_bump(a);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(shared_counter_get(a), 2000);
    shared_counter_close(a);
    shared_counter_t *again = shared_counter_open(path);
    assert_int_equal(shared_counter_get(again), 2000);
    assert_int_equal(shared_counter_bump(again), 2001);
    shared_counter_close(again);
    tmpdir_remove(dir);
}

static void test_shared_counter_unopenable_and_null(void **state)
{
    (void)state;
    assert_null(shared_counter_open("/nonexistent/trackgen/cache.generation"));
    assert_int_equal(shared_counter_get(NULL), 0);
    assert_int_equal(shared_counter_bump(NULL), 0);
    shared_counter_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_counter_is_shared_between_processes),
        cmocka_unit_test(test_shared_counter_unopenable_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
