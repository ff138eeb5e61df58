/*
 * test_buf.c — the capped growable buffer (src/util/buf.c): growth by append and printf, the
 * cap (exactly max is fine, max + 1 is BUF_TOO_BIG and frees the content), buf_take handing
 * the bytes out, and buf_ptr of an empty buffer.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"
#include "util/buf.h"

static void assert_empty_and_freed(const buf_t *b, size_t max)
{
    assert_null(b->data);
    assert_int_equal(b->len, 0);
    assert_int_equal(b->alloc, 0);
    assert_int_equal(b->max, max);
    assert_string_equal(buf_ptr(b), "");
}

static void test_buf_ptr_of_an_empty_buffer_is_an_empty_string(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 16);
    assert_empty_and_freed(&b, 16);
    assert_int_equal(buf_append(&b, "", 0), BUF_OK); /* an empty append still yields a string */
    assert_string_equal(buf_ptr(&b), "");
    assert_int_equal(b.len, 0);
    buf_free(&b);
    assert_empty_and_freed(&b, 16);
}

static void test_buf_append_grows_and_keeps_every_byte(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 1 << 20);
    char want[20000];
    size_t n = 0;
    for (int i = 0; n + 7 < sizeof want; i++) {
        char piece[8];
        size_t k = (size_t)(i % 7) + 1;
        memset(piece, 'a' + i % 26, k);
        assert_int_equal(buf_append(&b, piece, k), BUF_OK);
        memcpy(want + n, piece, k);
        n += k;
        assert_int_equal(b.len, n);
        assert_true(b.alloc > b.len); /* room for the NUL */
    }
    assert_memory_equal(buf_ptr(&b), want, n);
    assert_int_equal(buf_ptr(&b)[n], '\0');
    assert_int_equal(strlen(buf_ptr(&b)), n);
    buf_free(&b);
}

static void test_buf_printf_grows_and_appends(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 1 << 20);
    char want[64 * 1024] = "";
    size_t n = 0;
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(buf_printf(&b, "%d:%s,", i, i % 2 ? "odd" : "even"), BUF_OK);
        n += (size_t)snprintf(want + n, sizeof want - n, "%d:%s,", i, i % 2 ? "odd" : "even");
    }
    assert_int_equal(b.len, n);
    assert_string_equal(buf_ptr(&b), want);
    assert_int_equal(buf_printf(&b, "%s", ""), BUF_OK);
    assert_int_equal(b.len, n);
    buf_free(&b);
}

static void test_buf_mixed_appends_keep_order_and_embedded_nul(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 64);
    assert_int_equal(buf_append_str(&b, "ab"), BUF_OK);
    assert_int_equal(buf_append_char(&b, '\0'), BUF_OK);
    assert_int_equal(buf_append_char(&b, 'c'), BUF_OK);
    assert_int_equal(buf_printf(&b, "%03d", 7), BUF_OK);
    assert_int_equal(b.len, 7);
    assert_memory_equal(buf_ptr(&b), "ab\0c007", 8);
    buf_free(&b);
}

typedef enum { OP_APPEND, OP_STR, OP_CHAR, OP_PRINTF } op_t;

static buf_status_t apply(buf_t *b, op_t op, size_t n)
{
    static char xs[128];
    memset(xs, 'x', sizeof xs - 1);
    switch (op) {
    case OP_APPEND: return buf_append(b, xs, n);
    case OP_STR: xs[n] = '\0'; return buf_append_str(b, xs);
    case OP_CHAR: return n == 1 ? buf_append_char(b, 'x') : BUF_NOMEM;
    case OP_PRINTF: return buf_printf(b, "%.*s", (int)n, xs);
    }
    return BUF_NOMEM;
}

/* For every way of appending: filling to exactly max is fine, one byte more is BUF_TOO_BIG and
 * the buffer is freed (a half-built value is never used). */
static void test_buf_cap_exactly_max_is_ok_and_max_plus_one_frees(void **state)
{
    (void)state;
    static const struct {
        op_t op;
        size_t max;
        size_t step; /* bytes per append */
    } cases[] = {
        {OP_APPEND, 8, 1}, {OP_APPEND, 8, 4},    {OP_APPEND, 100, 10}, {OP_APPEND, 64, 64}, {OP_APPEND, 1, 1},
        {OP_STR, 8, 2},    {OP_STR, 100, 25},    {OP_CHAR, 8, 1},      {OP_CHAR, 63, 1},    {OP_CHAR, 65, 1},
        {OP_PRINTF, 8, 2}, {OP_PRINTF, 100, 50}, {OP_PRINTF, 64, 64},  {OP_PRINTF, 1, 1},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        buf_t b;
        buf_init(&b, cases[i].max);
        for (size_t filled = 0; filled < cases[i].max; filled += cases[i].step)
            assert_int_equal(apply(&b, cases[i].op, cases[i].step), BUF_OK);
        assert_int_equal(b.len, cases[i].max);
        assert_int_equal(strlen(buf_ptr(&b)), cases[i].max);
        buf_status_t st = cases[i].op == OP_CHAR ? buf_append_char(&b, 'y') : apply(&b, cases[i].op, 1);
        if (st != BUF_TOO_BIG)
            fail_msg("case %zu: got %d past the cap, want BUF_TOO_BIG", i, st);
        assert_empty_and_freed(&b, cases[i].max);
        /* The buffer is usable again, with the same cap. */
        assert_int_equal(buf_append_char(&b, 'z'), BUF_OK);
        assert_string_equal(buf_ptr(&b), "z");
        buf_free(&b);
    }
}

static void test_buf_single_append_over_the_cap_is_too_big(void **state)
{
    (void)state;
    static const size_t sizes[] = {9, 10, 100};
    char big[101];
    memset(big, 'q', 100);
    big[100] = '\0';
    for (size_t i = 0; i < N_ELEMS(sizes); i++) {
        buf_t b;
        buf_init(&b, 8);
        assert_int_equal(buf_append(&b, big, sizes[i]), BUF_TOO_BIG);
        assert_empty_and_freed(&b, 8);
        assert_int_equal(buf_append_str(&b, "1234"), BUF_OK);
        assert_int_equal(buf_printf(&b, "%.*s", (int)sizes[i], big), BUF_TOO_BIG);
        assert_empty_and_freed(&b, 8);
    }
    buf_t b;
    buf_init(&b, 0); /* a zero cap refuses any byte */
    assert_int_equal(buf_append_char(&b, 'a'), BUF_TOO_BIG);
    assert_empty_and_freed(&b, 0);
}

static void test_buf_take_hands_out_ownership_and_empties(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 64);
    assert_int_equal(buf_append_str(&b, "hello"), BUF_OK);
    const char *inside = b.data;
    size_t len = 99;
    char *p = buf_take(&b, &len);
    assert_ptr_equal(p, inside); /* the same bytes, not a copy */
    assert_int_equal(len, 5);
    assert_string_equal(p, "hello");
    assert_empty_and_freed(&b, 64);
    assert_int_equal(buf_append_str(&b, "again"), BUF_OK); /* fresh memory; p still ours */
    assert_string_equal(p, "hello");
    assert_string_equal(buf_ptr(&b), "again");
    free(p);
    buf_free(&b);

    /* An empty buffer hands out an empty, freeable string. */
    len = 99;
    p = buf_take(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 0);
    assert_string_equal(p, "");
    free(p);
    p = buf_take(&b, NULL); /* len may be NULL */
    assert_string_equal(p, "");
    free(p);
}

static void test_buf_clear_keeps_memory_and_free_accepts_null(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 64);
    buf_append_str(&b, "content");
    char *mem = b.data;
    size_t alloc = b.alloc;
    buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_ptr(&b), "");
    assert_ptr_equal(b.data, mem);
    assert_int_equal(b.alloc, alloc);
    buf_append_str(&b, "x");
    assert_string_equal(buf_ptr(&b), "x");
    buf_free(&b);
    assert_empty_and_freed(&b, 64);
    buf_free(&b); /* twice is fine */
    buf_free(NULL);
    buf_t never;
    buf_init(&never, 1);
    buf_clear(&never); /* nothing allocated yet */
    assert_string_equal(buf_ptr(&never), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_ptr_of_an_empty_buffer_is_an_empty_string),
        cmocka_unit_test(test_buf_append_grows_and_keeps_every_byte),
        cmocka_unit_test(test_buf_printf_grows_and_appends),
        cmocka_unit_test(test_buf_mixed_appends_keep_order_and_embedded_nul),
        cmocka_unit_test(test_buf_cap_exactly_max_is_ok_and_max_plus_one_frees),
        cmocka_unit_test(test_buf_single_append_over_the_cap_is_too_big),
        cmocka_unit_test(test_buf_take_hands_out_ownership_and_empties),
        cmocka_unit_test(test_buf_clear_keeps_memory_and_free_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
