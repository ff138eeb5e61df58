/*
 * test_arena.c — the per-request arena (src/util/arena.c): pointers aligned for any type, growth
 * across chunks, allocations bigger than a chunk, string helpers on non-terminated slices,
 * cleanups that run exactly once newest first (on reset and on destroy), reuse after reset,
 * arena_used, and aborting rather than wrapping on absurd sizes.
 */
#include <signal.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"
#include "util/arena.h"

static bool is_max_aligned(const void *p)
{
    return (uintptr_t)p % alignof(max_align_t) == 0;
}

static void test_arena_every_pointer_is_aligned_for_max_align_t(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 100, 255, 256, 257, 1000, 5000};
    arena_t *a = arena_create(256);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < N_ELEMS(sizes); i++) {
            void *p = arena_alloc(a, sizes[i]);
            if (!is_max_aligned(p))
                fail_msg("arena_alloc(%zu) returned %p, not aligned to %zu", sizes[i], p, alignof(max_align_t));
            assert_true(is_max_aligned(arena_calloc(a, 3, sizes[i] + 1)));
            assert_true(is_max_aligned(arena_strndup(a, "abcdefg", sizes[i] % 8)));
            assert_true(is_max_aligned(arena_printf(a, "%zu", sizes[i])));
        }
    }
    arena_destroy(a);
}

/* 2000 blocks in an arena of 256-byte chunks: every block keeps its own bytes (no overlap). */
static void test_arena_many_allocations_span_chunks_without_overlap(void **state)
{
    (void)state;
    enum { N = 2000 };
    static unsigned char *blocks[N];
    arena_t *a = arena_create(256);
    size_t total = 0;
    for (size_t i = 0; i < N; i++) {
        size_t size = i % 97 + 1;
        blocks[i] = arena_alloc(a, size);
        memset(blocks[i], (int)(i & 0xff), size);
        total += size;
    }
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < i % 97 + 1; k++)
            if (blocks[i][k] != (unsigned char)(i & 0xff))
                fail_msg("block %zu byte %zu was overwritten", i, k);
    assert_true(arena_used(a) >= total);
    assert_true(arena_used(a) > 256 * 10); /* far more than one chunk */
    arena_destroy(a);
}

static void test_arena_allocation_larger_than_a_chunk_is_whole_and_usable(void **state)
{
    (void)state;
    arena_t *a = arena_create(256);
    char *small1 = arena_strdup(a, "before");
    unsigned char *big = arena_alloc(a, 100000);
    memset(big, 0x5a, 100000); /* ASan: the whole block is ours */
    char *small2 = arena_strdup(a, "after");
    unsigned char *big2 = arena_calloc(a, 1, 70000);
    for (size_t i = 0; i < 70000; i++)
        assert_int_equal(big2[i], 0);
    assert_int_equal(big[0], 0x5a);
    assert_int_equal(big[99999], 0x5a);
    assert_string_equal(small1, "before");
    assert_string_equal(small2, "after");
    assert_true(is_max_aligned(big));
    assert_true(is_max_aligned(big2));
    assert_true(arena_used(a) >= 170000);
    arena_destroy(a);
}

/* arena_strndup reads exactly len bytes: the source is a heap slice with no NUL after it, so
 * ASan would flag any read past its end. */
static void test_arena_strndup_copies_non_terminated_slices(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *want;
    } cases[] = {{0, ""}, {1, "s"}, {5, "slice"}, {9, "slice/abc"}};
    char *src = malloc(9);
    memcpy(src, "slice/abc", 9); /* no NUL */
    arena_t *a = arena_create(256);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char *copy = arena_strndup(a, src, cases[i].len);
        assert_ptr_not_equal(copy, src);
        assert_int_equal(strlen(copy), cases[i].len);
        assert_string_equal(copy, cases[i].want);
    }
    char *dup = arena_strdup(a, "whole string");
    assert_string_equal(dup, "whole string");
    /* An embedded NUL is copied as a byte: the copy holds exactly len bytes plus a NUL. */
    char *with_nul = arena_strndup(a, "a\0b", 3);
    assert_memory_equal(with_nul, "a\0b\0", 4);
    free(src);
    arena_destroy(a);
}

static void test_arena_printf_formats_even_past_a_chunk(void **state)
{
    (void)state;
    arena_t *a = arena_create(256);
    assert_string_equal(arena_printf(a, "%d-%s-%c", 42, "x", 'y'), "42-x-y");
    assert_string_equal(arena_printf(a, "%s", ""), "");
    char *wide = arena_printf(a, "%01000d|%s", 7, "end");
    assert_int_equal(strlen(wide), 1004);
    assert_int_equal(wide[0], '0');
    assert_string_equal(wide + 999, "7|end");
    arena_destroy(a);
}

static void test_arena_calloc_zeroes_reused_memory(void **state)
{
    (void)state;
    arena_t *a = arena_create(4096);
    memset(arena_alloc(a, 1024), 0xff, 1024);
    arena_reset(a);
    unsigned char *z = arena_calloc(a, 256, 4); /* lands on the dirty bytes of the kept chunk */
    for (size_t i = 0; i < 1024; i++)
        if (z[i] != 0)
            fail_msg("byte %zu not zeroed", i);
    arena_destroy(a);
}

/* Cleanup bookkeeping: which ids ran, in which order, how often. */
static int ran[16];
static int nran;
static int times[16];

static void record_cleanup(void *p)
{
    int id = *(int *)p;
    ran[nran++] = id;
    times[id]++;
}

static void reset_record(void)
{
    memset(ran, 0, sizeof ran);
    memset(times, 0, sizeof times);
    nran = 0;
}

static int ids[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

static void test_arena_cleanups_run_once_newest_first_on_reset(void **state)
{
    (void)state;
    reset_record();
    arena_t *a = arena_create(256);
    for (int i = 1; i <= 4; i++)
        arena_cleanup_add(a, record_cleanup, &ids[i]);
    assert_int_equal(nran, 0); /* nothing runs early */
    arena_reset(a);
    assert_int_equal(nran, 4);
    static const int want[] = {4, 3, 2, 1};
    for (int i = 0; i < 4; i++)
        assert_int_equal(ran[i], want[i]);
    arena_reset(a); /* already run: not again */
    assert_int_equal(nran, 4);
    arena_destroy(a);
    assert_int_equal(nran, 4);
    for (int i = 1; i <= 4; i++)
        assert_int_equal(times[i], 1);
}

static void test_arena_cleanups_run_once_newest_first_on_destroy(void **state)
{
    (void)state;
    reset_record();
    arena_t *a = arena_create(256);
    arena_cleanup_add(a, record_cleanup, &ids[7]);
    for (int i = 0; i < 100; i++) /* cleanups recorded across chunk boundaries */
        arena_alloc(a, 64);
    arena_cleanup_add(a, record_cleanup, &ids[8]);
    arena_cleanup_add(a, record_cleanup, &ids[9]);
    arena_destroy(a);
    assert_int_equal(nran, 3);
    assert_int_equal(ran[0], 9);
    assert_int_equal(ran[1], 8);
    assert_int_equal(ran[2], 7);
    assert_int_equal(times[7], 1);
    assert_int_equal(times[8], 1);
    assert_int_equal(times[9], 1);
}

static void test_arena_cleanup_with_null_pointer_is_ignored(void **state)
{
    (void)state;
    reset_record();
    arena_t *a = arena_create(256);
    arena_cleanup_add(a, record_cleanup, NULL); /* would crash if ever called */
    arena_cleanup_add(a, record_cleanup, &ids[2]);
    arena_destroy(a);
    assert_int_equal(nran, 1);
    assert_int_equal(ran[0], 2);
}

static void test_arena_cleanups_added_after_reset_run_on_destroy(void **state)
{
    (void)state;
    reset_record();
    arena_t *a = arena_create(256);
    arena_cleanup_add(a, record_cleanup, &ids[1]);
    arena_reset(a);
    arena_cleanup_add(a, record_cleanup, &ids[2]);
    arena_destroy(a);
    assert_int_equal(nran, 2);
    assert_int_equal(ran[0], 1);
    assert_int_equal(ran[1], 2);
}

static void test_arena_reset_reuses_the_first_chunk(void **state)
{
    (void)state;
    arena_t *a = arena_create(1024);
    void *first = arena_alloc(a, 16);
    for (int i = 0; i < 100; i++)
        arena_alloc(a, 200); /* many more chunks */
    arena_alloc(a, 50000);
    for (int round = 0; round < 20; round++) {
        arena_reset(a);
        assert_int_equal(arena_used(a), 0);
        assert_ptr_equal(arena_alloc(a, 16), first);
        for (int i = 0; i < 40; i++)
            memset(arena_alloc(a, 100), round, 100);
        memset(arena_alloc(a, 3000), round, 3000);
    }
    arena_destroy(a);
}

static void test_arena_used_counts_bytes_since_the_last_reset(void **state)
{
    (void)state;
    arena_t *a = arena_create(256);
    assert_int_equal(arena_used(a), 0);
    arena_alloc(a, 10);
    size_t after_one = arena_used(a);
    assert_true(after_one >= 10);
    assert_true(after_one < 10 + alignof(max_align_t)); /* only alignment padding on top */
    arena_alloc(a, 1000);
    assert_true(arena_used(a) >= after_one + 1000);
    arena_strndup(a, "abc", 3);
    assert_true(arena_used(a) >= after_one + 1004);
    arena_reset(a);
    assert_int_equal(arena_used(a), 0);
    arena_destroy(a);
}

static void test_arena_null_is_accepted_by_reset_and_destroy(void **state)
{
    (void)state;
    arena_reset(NULL);
    arena_destroy(NULL);
}

/* Runs fn in a child process and returns the signal that ended it (0 if it exited normally). */
static int signal_of_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void alloc_size_that_would_wrap(void)
{
    (void)!freopen("/dev/null", "w", stderr); /* keep the "out of memory" line out of the output */
    arena_t *a = arena_create(256);
    /* Aligned up this is still <= SIZE_MAX, but header + size wraps around. */
    unsigned char *p = arena_alloc(a, SIZE_MAX - 40);
    p[0] = 1;
    p[4096] = 1;
}

static void alloc_size_max(void)
{
    (void)!freopen("/dev/null", "w", stderr);
    arena_t *a = arena_create(256);
    arena_alloc(a, SIZE_MAX);
}

static void test_arena_absurd_sizes_abort_instead_of_returning_short_memory(void **state)
{
    (void)state;
    assert_int_equal(signal_of_child(alloc_size_max), SIGABRT);
    assert_int_equal(signal_of_child(alloc_size_that_would_wrap), SIGABRT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_every_pointer_is_aligned_for_max_align_t),
        cmocka_unit_test(test_arena_many_allocations_span_chunks_without_overlap),
        cmocka_unit_test(test_arena_allocation_larger_than_a_chunk_is_whole_and_usable),
        cmocka_unit_test(test_arena_strndup_copies_non_terminated_slices),
        cmocka_unit_test(test_arena_printf_formats_even_past_a_chunk),
        cmocka_unit_test(test_arena_calloc_zeroes_reused_memory),
        cmocka_unit_test(test_arena_cleanups_run_once_newest_first_on_reset),
        cmocka_unit_test(test_arena_cleanups_run_once_newest_first_on_destroy),
        cmocka_unit_test(test_arena_cleanup_with_null_pointer_is_ignored),
        cmocka_unit_test(test_arena_cleanups_added_after_reset_run_on_destroy),
        cmocka_unit_test(test_arena_reset_reuses_the_first_chunk),
        cmocka_unit_test(test_arena_used_counts_bytes_since_the_last_reset),
        cmocka_unit_test(test_arena_null_is_accepted_by_reset_and_destroy),
        cmocka_unit_test(test_arena_absurd_sizes_abort_instead_of_returning_short_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
