/*
 * test_text.c — UTF-8, control characters, hex, LIKE escaping and tokens (src/util/text.c).
 */
#include "test_util.h"

#include "util/text.h"

static void test_text_utf8_validity_table(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool valid;
    } cases[] = {
        {"plain ascii", true},
        {"caf\xc3\xa9", true},             /* 2 bytes */
        {"\xe2\x82\xac", true},            /* euro, 3 bytes */
        {"\xf0\x9f\x98\x80", true},        /* emoji, 4 bytes */
        {"\xc0\xaf", false},               /* overlong '/' */
        {"\xe0\x80\xaf", false},           /* overlong */
        {"\xed\xa0\x80", false},           /* surrogate */
        {"\xf4\x90\x80\x80", false},       /* > U+10FFFF */
        {"\xc3", false},                   /* truncated */
        {"\xe2\x82", false},               /* truncated */
        {"\x80", false},                   /* lone continuation */
        {"\xff", false},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++)
        assert_int_equal(text_utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].valid);
}

static void test_text_length_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(text_utf8_length("caf\xc3\xa9", 5), 4);
    assert_int_equal(text_utf8_length("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 8), 2);
    assert_int_equal(text_utf8_length("", 0), 0);
}

static void test_text_control_characters(void **state)
{
    (void)state;
    assert_false(text_has_control("hello", 5, false));
    assert_true(text_has_control("a\nb", 3, false));
    assert_false(text_has_control("a\nb\tc\r", 6, true));
    assert_true(text_has_control("a\x01", 2, true));
    assert_true(text_has_control("a\x7f", 2, true));
    assert_true(text_has_control("a\xc2\x85", 3, true)); /* U+0085 NEL, a C1 control */
    assert_false(text_has_control("\xc2\xa0", 2, false)); /* U+00A0 is not a control */
}

static void test_text_hex_and_like_escape_and_token(void **state)
{
    (void)state;
    char out[9];
    const unsigned char in[] = {0x00, 0xab, 0x10, 0xff};
    text_hex(in, 4, out);
    assert_string_equal(out, "00ab10ff");
    arena_t *a = arena_create(1024);
    assert_string_equal(text_like_escape(a, "50%_off\\now", 11), "50\\%\\_off\\\\now");
    arena_destroy(a);
    assert_true(text_is_token("abc-DEF_1.2", 11, 128));
    assert_false(text_is_token("", 0, 128));
    assert_false(text_is_token("a b", 3, 128));
    assert_false(text_is_token("a\r\n", 3, 128));
    assert_false(text_is_token("abcdef", 6, 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_utf8_validity_table),
        cmocka_unit_test(test_text_length_counts_code_points),
        cmocka_unit_test(test_text_control_characters),
        cmocka_unit_test(test_text_hex_and_like_escape_and_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
