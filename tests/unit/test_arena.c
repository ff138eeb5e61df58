/*
 * test_arena.c — the per-request arena (src/util/arena.c): alignment, chunk growth, large
 * allocations, string helpers, and cleanups that run exactly once, newest first.
 */
#include "test_util.h"

#include <stdalign.h>

#include "util/arena.h"

static void test_arena_allocations_are_aligned_and_span_chunks(void **state)
{
    (void)state;
    arena_t *a = arena_create(256);
    for (int i = 1; i < 500; i++) {
        unsigned char *p = arena_alloc(a, (size_t)(i % 37) + 1);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        memset(p, 0xab, (size_t)(i % 37) + 1); /* ASan catches any overlap or overflow */
    }
    assert_true(arena_used(a) > 256);
    arena_destroy(a);
}

static void test_arena_large_allocation_gets_its_own_chunk(void **state)
{
    (void)state;
    arena_t *a = arena_create(256);
    char *big = arena_alloc(a, 100000);
    memset(big, 'x', 100000);
    char *small = arena_alloc(a, 10);
    memset(small, 'y', 10);
    assert_int_equal(big[99999], 'x');
    arena_destroy(a);
}

static void test_arena_strndup_copies_slices_and_terminates(void **state)
{
    (void)state;
    arena_t *a = arena_create(1024);
    const char slice[] = {'a', 'b', 'c', 'd'}; /* not NUL-terminated */
    assert_string_equal(arena_strndup(a, slice, 3), "abc");
    assert_string_equal(arena_strndup(a, slice, 0), "");
    assert_string_equal(arena_printf(a, "%d-%s", 42, "x"), "42-x");
    char *z = arena_calloc(a, 16, 4);
    for (int i = 0; i < 64; i++)
        assert_int_equal(z[i], 0);
    arena_destroy(a);
}

static int order[8];
static int ncalls;
static void record_call(void *p)
{
    order[ncalls++] = *(int *)p;
}

static void test_arena_cleanups_run_once_newest_first_on_reset_and_destroy(void **state)
{
    (void)state;
    static int one = 1, two = 2, three = 3;
    arena_t *a = arena_create(256);
    ncalls = 0;
    arena_cleanup_add(a, record_call, &one);
    arena_cleanup_add(a, record_call, &two);
    arena_cleanup_add(a, record_call, NULL); /* ignored */
    arena_reset(a);
    assert_int_equal(ncalls, 2);
    assert_int_equal(order[0], 2);
    assert_int_equal(order[1], 1);
    arena_reset(a); /* nothing left to run */
    assert_int_equal(ncalls, 2);
    assert_int_equal(arena_used(a), 0);
    arena_cleanup_add(a, record_call, &three);
    arena_destroy(a);
    assert_int_equal(ncalls, 3);
    assert_int_equal(order[2], 3);
    arena_destroy(NULL);
}

static void test_arena_is_reusable_after_reset(void **state)
{
    (void)state;
    arena_t *a = arena_create(256);
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 40; i++)
            memset(arena_alloc(a, 64), round, 64);
        arena_reset(a);
    }
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_allocations_are_aligned_and_span_chunks),
        cmocka_unit_test(test_arena_large_allocation_gets_its_own_chunk),
        cmocka_unit_test(test_arena_strndup_copies_slices_and_terminates),
        cmocka_unit_test(test_arena_cleanups_run_once_newest_first_on_reset_and_destroy),
        cmocka_unit_test(test_arena_is_reusable_after_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
