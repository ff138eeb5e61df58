/*
 * test_hitbatch.c — a shipping batch's rows by partner bucket (src/track/hitbatch.c): buckets from
 * the partner column, torn lines skipped, a stable sort, transactions of whole buckets.
 */
#include "test_util.h"
#include "track/hitbatch.h"
#include "track/hitlog.h"

/* Appends the spool line of a click of partner p with transaction id number tid. */
static void add_line(buf_t *b, int64_t partner, int tid)
{
    hit_t h = {.kind = "click",
               .hit_at_ms = 1764028800123LL,
               .partner_id = partner,
               .offer_id = 42,
               .ip = "10.0.0.1",
               .user_agent = "ua",
               .outcome = "redirected"};
    snprintf(h.transaction_id, sizeof h.transaction_id, "%032x", tid);
    assert_int_equal(hitlog_format(&h, b), 0);
}

static int tid_of(const hitbatch_t *b, size_t i)
{
    unsigned tid; /* the low 8 of the 32 hex digits */
    const char *row = buf_ptr(&b->text) + b->rows[i].off;
    assert_int_equal(sscanf(row + 24, "%8x", &tid), 1);
    return (int)tid;
}

static void test_hitbatch_bucket_is_the_partner_column_modulo(void **state)
{
    (void)state;
    const struct {
        const char *row;
        unsigned bucket;
    } cases[] = {
        {"t\tclick\t2025-11-25 00:00:00+00\t7\t42\t", 7},
        {"t\tclick\t2025-11-25 00:00:00+00\t23\t42", 23 % HITBATCH_BUCKETS},
        {"t\tclick\t2025-11-25 00:00:00+00\t9223372036854775807\t1", 9223372036854775807ULL % HITBATCH_BUCKETS},
        {"t\tclick\t2025-11-25 00:00:00+00\t\\N\t42", 0}, /* refused by PostgreSQL anyway */
        {"t\tclick\t2025-11-25 00:00:00+00\t-5\t42", 0},
        {"t\tclick\t2025-11-25 00:00:00+00\t17", 0}, /* no column after it: not a row */
        {"t\tclick", 0},
        {"", 0},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++)
        assert_int_equal(hitbatch_bucket_of(cases[i].row, strlen(cases[i].row)), cases[i].bucket);
}

static void test_hitbatch_sort_is_stable_and_groups_are_whole_buckets(void **state)
{
    (void)state;
    buf_t seg0, seg1;
    buf_init(&seg0, 1 << 20);
    buf_init(&seg1, 1 << 20);
    /* partners 1, 17 (both bucket 1), 2, 3 interleaved over two segments; tid numbers in order */
    const int64_t partners[] = {3, 1, 2, 17, 1, 3, 2, 17};
    for (int i = 0; i < 8; i++)
        add_line(i < 4 ? &seg0 : &seg1, partners[i], i);
    buf_append_str(&seg1, "0badc0de\ttorn"); /* no newline: torn by a crash */
    hitbatch_t b;
    hitbatch_init(&b, 1 << 20);
    size_t bad = 0;
    assert_int_equal(hitbatch_add_segment(&b, buf_ptr(&seg0), seg0.len, 0, &bad), 0);
    buf_t corrupt;
    buf_init(&corrupt, 1 << 20);
    buf_append_str(&corrupt, "00000000\tnot the checksum\n");
    assert_int_equal(hitbatch_add_segment(&b, buf_ptr(&corrupt), corrupt.len, 1, &bad), 0);
    assert_int_equal(hitbatch_add_segment(&b, buf_ptr(&seg1), seg1.len, 2, &bad), 0);
    assert_int_equal(bad, 1); /* the corrupt line; the torn one is simply not a line */
    assert_int_equal(b.n, 8);
    assert_int_equal(hitbatch_sort(&b), 0);
    /* bucket 1: tids 1, 3, 4, 7; bucket 2: 2, 6; bucket 3: 0, 5 — each in its arrival order */
    const int want[] = {1, 3, 4, 7, 2, 6, 0, 5};
    const unsigned want_segment[] = {0, 0, 2, 2, 0, 2, 0, 2};
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(tid_of(&b, i), want[i]);
        assert_int_equal(b.rows[i].segment, want_segment[i]);
        assert_int_equal(buf_ptr(&b.text)[b.rows[i].off + b.rows[i].len - 1], '\n');
    }
    /* transactions: whole buckets, at least min_rows each unless the batch ends */
    assert_int_equal(hitbatch_group_end(&b, 0, 1), 4);
    assert_int_equal(hitbatch_group_end(&b, 4, 1), 6);
    assert_int_equal(hitbatch_group_end(&b, 6, 1), 8);
    assert_int_equal(hitbatch_group_end(&b, 0, 5), 6);
    assert_int_equal(hitbatch_group_end(&b, 0, 1000), 8);
    hitbatch_free(&b);
    buf_free(&seg0);
    buf_free(&seg1);
    buf_free(&corrupt);
}

static void test_hitbatch_over_its_cap_fails(void **state)
{
    (void)state;
    buf_t seg;
    buf_init(&seg, 1 << 20);
    for (int i = 0; i < 10; i++)
        add_line(&seg, i, i);
    hitbatch_t b;
    hitbatch_init(&b, seg.len / 2);
    size_t bad = 0;
    assert_int_equal(hitbatch_add_segment(&b, buf_ptr(&seg), seg.len, 0, &bad), -1);
    hitbatch_free(&b);
    buf_free(&seg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hitbatch_bucket_is_the_partner_column_modulo),
        cmocka_unit_test(test_hitbatch_sort_is_stable_and_groups_are_whole_buckets),
        cmocka_unit_test(test_hitbatch_over_its_cap_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
