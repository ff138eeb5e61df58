/*
 * test_buf.c — the capped growable buffer (src/util/buf.c).
 */
#include "test_util.h"

#include <stdlib.h>

#include "util/buf.h"

static void test_buf_grows_and_stays_terminated(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 1 << 20);
    assert_string_equal(buf_ptr(&b), "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_printf(&b, "%d,", i % 10), BUF_OK);
    assert_int_equal(b.len, 2000);
    assert_int_equal(strlen(buf_ptr(&b)), 2000);
    assert_int_equal(buf_append_char(&b, 'z'), BUF_OK);
    assert_int_equal(buf_ptr(&b)[2000], 'z');
    buf_clear(&b);
    assert_string_equal(buf_ptr(&b), "");
    buf_free(&b);
}

static void test_buf_cap_is_exact_and_overflow_frees(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 8);
    assert_int_equal(buf_append_str(&b, "12345678"), BUF_OK); /* exactly at the cap */
    assert_int_equal(buf_append_char(&b, '9'), BUF_TOO_BIG);
    assert_int_equal(b.len, 0);
    assert_null(b.data);
    assert_int_equal(buf_printf(&b, "%s", "123456789"), BUF_TOO_BIG);
    buf_free(&b);
}

static void test_buf_take_hands_out_the_bytes(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 64);
    buf_append_str(&b, "hello");
    size_t len;
    char *p = buf_take(&b, &len);
    assert_int_equal(len, 5);
    assert_string_equal(p, "hello");
    assert_int_equal(b.len, 0);
    free(p);
    p = buf_take(&b, &len); /* empty: still a valid string */
    assert_int_equal(len, 0);
    assert_string_equal(p, "");
    free(p);
    buf_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows_and_stays_terminated),
        cmocka_unit_test(test_buf_cap_is_exact_and_overflow_frees),
        cmocka_unit_test(test_buf_take_hands_out_the_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
