/*
 * test_b64url.c — URL-safe base64 (src/util/b64url.c): round trips for every length, RFC 4648
 * vectors, and refusal of foreign characters, padding, impossible lengths, small buffers and
 * non-canonical spellings of the last character.
 */
#include "test_util.h"
#include "util/b64url.h"

static void test_rfc4648_vectors_without_padding(void **state)
{
    (void)state;
    static const struct {
        const char *plain, *coded;
    } cases[] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char out[16];
        size_t n = b64url_encode((const unsigned char *)cases[i].plain, strlen(cases[i].plain), out);
        assert_int_equal(n, strlen(cases[i].coded));
        assert_string_equal(out, cases[i].coded);
        unsigned char back[16];
        int m = b64url_decode(cases[i].coded, n, back, sizeof back);
        assert_int_equal(m, (int)strlen(cases[i].plain));
        assert_memory_equal(back, cases[i].plain, (size_t)m);
    }
}

static void test_url_safe_alphabet_both_ways(void **state)
{
    (void)state;
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf}; /* standard base64: "+/+/" */
    char out[8];
    assert_int_equal(b64url_encode(bytes, 3, out), 4);
    assert_string_equal(out, "-_-_");
    unsigned char back[3];
    assert_int_equal(b64url_decode("-_-_", 4, back, sizeof back), 3);
    assert_memory_equal(back, bytes, 3);
}

static void test_every_length_and_byte_round_trips(void **state)
{
    (void)state;
    unsigned char in[64];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof in; n++) {
        char coded[4 * (sizeof in + 2) / 3 + 1];
        size_t len = b64url_encode(in, n, coded);
        assert_int_not_equal(len % 4, 1);
        unsigned char back[sizeof in];
        assert_int_equal(b64url_decode(coded, len, back, sizeof back), (int)n);
        assert_memory_equal(back, in, n);
    }
}

static void test_foreign_characters_and_padding_are_refused(void **state)
{
    (void)state;
    static const char *bad[] = {"Zm9v+A", "Zm9v/A", "Zm8=", "Zg==", "Zm 9v", "Zm9v\n", "Zm.v", "Zm9v%2"};
    unsigned char out[16];
    for (size_t i = 0; i < N_ELEMS(bad); i++)
        assert_int_equal(b64url_decode(bad[i], strlen(bad[i]), out, sizeof out), -1);
    assert_int_equal(b64url_decode("Zm\0v", 4, out, sizeof out), -1);
}

static void test_impossible_lengths_and_small_buffers_are_refused(void **state)
{
    (void)state;
    unsigned char out[16];
    assert_int_equal(b64url_decode("Z", 1, out, sizeof out), -1);
    assert_int_equal(b64url_decode("Zm9vY", 5, out, sizeof out), -1);
    assert_int_equal(b64url_decode("Zm9vYmFy", 8, out, 5), -1); /* 6 bytes do not fit in 5 */
    char longer[300];
    memset(longer, 'A', sizeof longer);
    assert_int_equal(b64url_decode(longer, sizeof longer, out, sizeof out), -1);
}

static void test_only_the_canonical_spelling_is_accepted(void **state)
{
    (void)state;
    unsigned char out[16];
    /* "Zg" is "f"; "Zh".."Zv" differ only in the 4 spare bits. "Zm8" is "fo"; "Zm9" only in the 2. */
    assert_int_equal(b64url_decode("Zg", 2, out, sizeof out), 1);
    static const char *respelled[] = {"Zh", "Zi", "Zv", "Zm9", "Zm-", "azE6MR"};
    for (size_t i = 0; i < N_ELEMS(respelled); i++)
        assert_int_equal(b64url_decode(respelled[i], strlen(respelled[i]), out, sizeof out), -1);
    assert_int_equal(b64url_decode("azE6MQ", 6, out, sizeof out), 4);
    assert_memory_equal(out, "k1:1", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors_without_padding),
        cmocka_unit_test(test_url_safe_alphabet_both_ways),
        cmocka_unit_test(test_every_length_and_byte_round_trips),
        cmocka_unit_test(test_foreign_characters_and_padding_are_refused),
        cmocka_unit_test(test_impossible_lengths_and_small_buffers_are_refused),
        cmocka_unit_test(test_only_the_canonical_spelling_is_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
