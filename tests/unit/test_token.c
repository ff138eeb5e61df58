/*
 * test_token.c — tracking-link tokens (src/track/token.c): round trips, stability, length, and
 * that every altered, truncated, extended or re-spelled token is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "track/token.h"

static const unsigned char SECRET[] = "0123456789abcdef0123456789abcdef";
static const unsigned char OTHER_SECRET[] = "fedcba9876543210fedcba9876543210";
#define SLEN (sizeof SECRET - 1)

static void test_token_round_trips_for_many_ids(void **state)
{
    (void)state;
    const int64_t ids[] = {1, 2, 127, 128, 300, 16383, 16384, 1000000, 268435455};
    size_t n = sizeof ids / sizeof ids[0];
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            token_claims_t in = {ids[a], ids[b], (int64_t)(a * b) % 3 == 0 ? 0 : ids[(a + b) % n]};
            char tok[TOKEN_MAX_LEN + 1];
            int len = token_sign(&in, SECRET, SLEN, tok);
            assert_true(len > 0 && len <= TOKEN_MAX_LEN);
            assert_int_equal((size_t)len, strlen(tok));
            token_claims_t out;
            assert_true(token_verify(tok, (size_t)len, SECRET, SLEN, &out));
            assert_int_equal(out.partner_id, in.partner_id);
            assert_int_equal(out.offer_id, in.offer_id);
            assert_int_equal(out.offer_url_id, in.offer_url_id);
        }
}

static void test_token_is_stable_and_url_safe(void **state)
{
    (void)state;
    token_claims_t c = {42, 7, 3};
    char a[TOKEN_MAX_LEN + 1], b[TOKEN_MAX_LEN + 1];
    token_sign(&c, SECRET, SLEN, a);
    token_sign(&c, SECRET, SLEN, b);
    assert_string_equal(a, b);
    for (const char *p = a; *p; p++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
    assert_true(strlen(a) <= 24);
}

static void test_token_differs_per_claims_and_secret(void **state)
{
    (void)state;
    token_claims_t c1 = {1, 1, 0}, c2 = {1, 1, 1}, c3 = {2, 1, 0};
    char t1[TOKEN_MAX_LEN + 1], t2[TOKEN_MAX_LEN + 1], t3[TOKEN_MAX_LEN + 1], t4[TOKEN_MAX_LEN + 1];
    token_sign(&c1, SECRET, SLEN, t1);
    token_sign(&c2, SECRET, SLEN, t2);
    token_sign(&c3, SECRET, SLEN, t3);
    token_sign(&c1, OTHER_SECRET, SLEN, t4);
    assert_string_not_equal(t1, t2);
    assert_string_not_equal(t1, t3);
    assert_string_not_equal(t1, t4);
    token_claims_t out;
    assert_false(token_verify(t4, strlen(t4), SECRET, SLEN, &out));
}

static void test_token_every_changed_character_is_refused(void **state)
{
    (void)state;
    token_claims_t c = {123, 456, 789};
    char tok[TOKEN_MAX_LEN + 1];
    int len = token_sign(&c, SECRET, SLEN, tok);
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < len; i++) {
        for (const char *a = alphabet; *a; a++) {
            if (*a == tok[i])
                continue;
            char bad[TOKEN_MAX_LEN + 1];
            memcpy(bad, tok, (size_t)len + 1);
            bad[i] = *a;
            token_claims_t out;
            assert_false(token_verify(bad, (size_t)len, SECRET, SLEN, &out));
        }
    }
}

static void test_token_truncated_extended_and_garbage_are_refused(void **state)
{
    (void)state;
    token_claims_t c = {5, 6, 0};
    char tok[TOKEN_MAX_LEN + 1];
    int len = token_sign(&c, SECRET, SLEN, tok);
    token_claims_t out;
    for (int cut = 0; cut < len; cut++)
        assert_false(token_verify(tok, (size_t)cut, SECRET, SLEN, &out));
    char longer[TOKEN_MAX_LEN + 8];
    memcpy(longer, tok, (size_t)len);
    memcpy(longer + len, "AAAA", 4);
    assert_false(token_verify(longer, (size_t)len + 4, SECRET, SLEN, &out));
    const char *garbage[] = {"",
                             "====",
                             "../../etc/passwd",
                             "%2F%2Fevil.com",
                             "AAAAAAAAAAAAAAAAAAAAAAAA",
                             "abc def ghi jkl mno pqr",
                             "\xff\xfe\xfd\xfc"};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
        assert_false(token_verify(garbage[i], strlen(garbage[i]), SECRET, SLEN, &out));
}

static void test_token_rejects_ids_out_of_range(void **state)
{
    (void)state;
    char tok[TOKEN_MAX_LEN + 1];
    token_claims_t zero_partner = {0, 1, 0}, neg_url = {1, 1, -1}, huge = {INT64_MAX, INT64_MAX, INT64_MAX};
    assert_int_equal(token_sign(&zero_partner, SECRET, SLEN, tok), -1);
    assert_int_equal(token_sign(&neg_url, SECRET, SLEN, tok), -1);
    assert_int_equal(token_sign(&huge, SECRET, SLEN, tok), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_round_trips_for_many_ids),
        cmocka_unit_test(test_token_is_stable_and_url_safe),
        cmocka_unit_test(test_token_differs_per_claims_and_secret),
        cmocka_unit_test(test_token_every_changed_character_is_refused),
        cmocka_unit_test(test_token_truncated_extended_and_garbage_are_refused),
        cmocka_unit_test(test_token_rejects_ids_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
