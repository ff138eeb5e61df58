/*
 * test_key_snapshot.c — the API keys in memory (src/api/key_snapshot.c): lookups by prefix after
 * sorting (duplicates refused), and the uses of keys recorded by requests: one time per key, taken
 * once, carried into the next snapshot without replacing a later time.
 */
#include <stdio.h>
#include <stdlib.h>

#include "api/key_snapshot.h"
#include "test_util.h"

static key_snapshot_t *snapshot_of(const char *const *prefixes, size_t n)
{
    key_snapshot_t *s = calloc(1, sizeof *s);
    s->keys = calloc(n + 1, sizeof *s->keys);
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(s->keys[i].prefix, sizeof s->keys[i].prefix, "%s", prefixes[i]);
        s->keys[i].id = (int64_t)i + 1;
    }
    return s;
}

static const char *const PREFIXES[] = {"tg_00000000000f", "tg_000000000001", "tg_ffffffffffff", "tg_00000000000a"};

static void test_key_snapshot_finds_every_prefix_and_nothing_else(void **state)
{
    (void)state;
    key_snapshot_t *s = snapshot_of(PREFIXES, N_ELEMS(PREFIXES));
    assert_true(key_snapshot_sort(s));
    for (size_t i = 0; i < N_ELEMS(PREFIXES); i++) {
        key_entry_t *k = key_snapshot_find(s, PREFIXES[i]);
        assert_non_null(k);
        assert_int_equal(k->id, (int64_t)i + 1);
    }
    assert_null(key_snapshot_find(s, "tg_000000000000"));
    assert_null(key_snapshot_find(s, "tg_00000000000"));
    assert_null(key_snapshot_find(s, ""));
    key_snapshot_free(s);
    key_snapshot_t empty = {0};
    assert_null(key_snapshot_find(&empty, "tg_000000000001"));
    key_snapshot_free(NULL);
}

static void test_key_snapshot_duplicate_prefix_is_refused(void **state)
{
    (void)state;
    const char *const dup[] = {"tg_000000000002", "tg_000000000001", "tg_000000000002"};
    key_snapshot_t *s = snapshot_of(dup, N_ELEMS(dup));
    assert_false(key_snapshot_sort(s));
    key_snapshot_free(s);
}

static void test_key_snapshot_uses_are_taken_once_and_carried_over(void **state)
{
    (void)state;
    key_snapshot_t *old = snapshot_of(PREFIXES, N_ELEMS(PREFIXES));
    assert_true(key_snapshot_sort(old));
    key_snapshot_mark_used(key_snapshot_find(old, "tg_000000000001"), 100);
    key_snapshot_mark_used(key_snapshot_find(old, "tg_000000000001"), 105); /* the last time counts */
    key_snapshot_mark_used(key_snapshot_find(old, "tg_ffffffffffff"), 101);

    /* The next snapshot: one key gone, one used there already later, one used there earlier. */
    const char *const next[] = {"tg_000000000001", "tg_ffffffffffff", "tg_00000000000a"};
    key_snapshot_t *cur = snapshot_of(next, N_ELEMS(next));
    assert_true(key_snapshot_sort(cur));
    key_snapshot_mark_used(key_snapshot_find(cur, "tg_000000000001"), 200);
    key_snapshot_mark_used(key_snapshot_find(cur, "tg_ffffffffffff"), 50);
    key_snapshot_carry_used(old, cur);

    int64_t ids[3], times[3];
    assert_int_equal(key_snapshot_take_used(cur, ids, times), 2);
    int64_t one = key_snapshot_find(cur, "tg_000000000001")->id, last = key_snapshot_find(cur, "tg_ffffffffffff")->id;
    for (int i = 0; i < 2; i++) {
        assert_true(ids[i] == one || ids[i] == last);
        assert_int_equal(times[i], ids[i] == one ? 200 : 101); /* a later time is never replaced */
    }
    assert_int_equal(key_snapshot_take_used(cur, ids, times), 0); /* taken: written once */
    key_snapshot_free(old);
    key_snapshot_free(cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_snapshot_finds_every_prefix_and_nothing_else),
        cmocka_unit_test(test_key_snapshot_duplicate_prefix_is_refused),
        cmocka_unit_test(test_key_snapshot_uses_are_taken_once_and_carried_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
