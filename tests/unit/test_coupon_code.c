/*
 * test_coupon_code.c — coupon codes (src/coupon/coupon_code.c) and COPY rows
 * (src/coupon/coupon_copy.c): the code rules; random codes use only the alphabet, which has no
 * look-alikes, keep their prefix and length, do not repeat, and draw every character equally often
 * (no modulo bias); the room rule; COPY fields escape what the text format needs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "coupon/coupon_code.h"
#include "coupon/coupon_copy.h"
#include "test_util.h"

static void test_coupon_code_check(void **state)
{
    (void)state;
    assert_null(coupon_code_check("SUMMER20", 8));
    assert_null(coupon_code_check("été 20", strlen("été 20")));
    assert_null(coupon_code_check("x", 1));
    assert_string_equal(coupon_code_check("", 0), "must not be empty");
    assert_string_equal(coupon_code_check(" A", 2), "must not begin or end with a space");
    assert_string_equal(coupon_code_check("A ", 2), "must not begin or end with a space");
    assert_string_equal(coupon_code_check("A\tB", 3), "must not contain control characters");
    assert_string_equal(coupon_code_check("A\nB", 3), "must not contain control characters");
    char long_code[66];
    memset(long_code, 'A', 65);
    assert_null(coupon_code_check(long_code, 64));
    assert_string_equal(coupon_code_check(long_code, 65), "must be at most 64 characters long");
}

static void test_coupon_code_alphabet_has_no_look_alikes(void **state)
{
    (void)state;
    assert_int_equal(strlen(COUPON_CODE_ALPHABET), COUPON_CODE_ALPHABET_SIZE);
    for (const char *c = "0O1IL"; *c; c++)
        assert_null(strchr(COUPON_CODE_ALPHABET, *c));
    for (int i = 0; i < COUPON_CODE_ALPHABET_SIZE; i++)
        assert_null(strchr(COUPON_CODE_ALPHABET + i + 1, COUPON_CODE_ALPHABET[i])); /* no repeats */
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_coupon_code_random_shape_and_uniqueness(void **state)
{
    (void)state;
    enum { N = 20000 };
    char **codes = malloc(N * sizeof *codes);
    for (int i = 0; i < N; i++) {
        codes[i] = malloc(4 + 12 + 1);
        coupon_code_random("VIP-", 4, 12, codes[i]);
        assert_int_equal(strlen(codes[i]), 16);
        assert_memory_equal(codes[i], "VIP-", 4);
        assert_int_equal(strspn(codes[i] + 4, COUPON_CODE_ALPHABET), 12);
        assert_null(coupon_code_check(codes[i], 16));
    }
    qsort(codes, N, sizeof *codes, by_string);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(codes[i - 1], codes[i]);
    for (int i = 0; i < N; i++)
        free(codes[i]);
    free(codes);
}

static void test_coupon_code_random_is_uniform(void **state)
{
    (void)state;
    /* 310 000 characters: each of the 31 expected 10 000 times. Modulo bias (256 % 31 = 8) would
     * make the first 8 about 1/32 more likely, i.e. ~10 300 against ~9 970: far outside chance. */
    enum { LEN = 31, CODES = 10000 };
    long counts[COUPON_CODE_ALPHABET_SIZE] = {0};
    char code[LEN + 1];
    for (int i = 0; i < CODES; i++) {
        coupon_code_random("", 0, LEN, code);
        for (int k = 0; k < LEN; k++)
            counts[strchr(COUPON_CODE_ALPHABET, code[k]) - COUPON_CODE_ALPHABET]++;
    }
    double expected = (double)LEN * CODES / COUPON_CODE_ALPHABET_SIZE, chi2 = 0;
    for (int i = 0; i < COUPON_CODE_ALPHABET_SIZE; i++)
        chi2 += pow((double)counts[i] - expected, 2) / expected;
    /* 30 degrees of freedom: p = 0.0001 at chi2 ~ 67.6; a biased draw gives ~ 100 or more */
    if (chi2 > 67.6)
        fail_msg("chi-square %.1f: the characters are not drawn uniformly", chi2);
}

static void test_coupon_code_room(void **state)
{
    (void)state;
    assert_true(coupon_code_room(4, 923)); /* 31^4 = 923 521 */
    assert_false(coupon_code_room(4, 924));
    assert_true(coupon_code_room(8, 100000));
    assert_true(coupon_code_room(32, 100000));
    assert_true(coupon_code_space(32) <= 1e18);
}

static void test_coupon_copy_escapes_the_text_format(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 1024);
    assert_int_equal(coupon_copy_field(&b, "plain", 5, true), BUF_OK);
    assert_int_equal(coupon_copy_field(&b, NULL, 0, false), BUF_OK);
    assert_int_equal(coupon_copy_field(&b, "a\\b\tc\nd\re", 9, false), BUF_OK);
    assert_int_equal(coupon_copy_field(&b, "", 0, false), BUF_OK);
    assert_int_equal(coupon_copy_field(&b, "\\N", 2, false), BUF_OK);
    assert_int_equal(coupon_copy_end_row(&b), BUF_OK);
    assert_string_equal(buf_ptr(&b), "plain\t\\N\ta\\\\b\\tc\\nd\\re\t\t\\\\N\n");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coupon_code_check),
        cmocka_unit_test(test_coupon_code_alphabet_has_no_look_alikes),
        cmocka_unit_test(test_coupon_code_random_shape_and_uniqueness),
        cmocka_unit_test(test_coupon_code_random_is_uniform),
        cmocka_unit_test(test_coupon_code_room),
        cmocka_unit_test(test_coupon_copy_escapes_the_text_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
