/*
 * test_text.c — string helpers for bytes off the wire (src/util/text.c): UTF-8 validity and
 * length in code points, C0/C1/DEL control characters with and without newlines allowed, hex,
 * LIKE escaping of \ % _, ASCII tokens, and decimals in their one spelling.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "test_util.h"
#include "util/text.h"

/* Byte strings with an explicit length, so NUL bytes can be part of a case. */
#define BYTES(lit) lit, sizeof(lit) - 1

typedef struct {
    const char *s;
    size_t len;
    bool want;
    const char *what;
} bytes_case_t;

static void test_text_utf8_validity(void **state)
{
    (void)state;
    static const bytes_case_t cases[] = {
        {BYTES(""), true, "empty"},
        {BYTES("plain ascii ~\x7f"), true, "ASCII incl. DEL"},
        {BYTES("a\0b"), true, "NUL is a valid code point"},
        {BYTES("\xc2\x80"), true, "U+0080, smallest 2-byte"},
        {BYTES("caf\xc3\xa9"), true, "2 bytes"},
        {BYTES("\xdf\xbf"), true, "U+07FF, largest 2-byte"},
        {BYTES("\xe0\xa0\x80"), true, "U+0800, smallest 3-byte"},
        {BYTES("\xe2\x82\xac"), true, "euro sign, 3 bytes"},
        {BYTES("\xed\x9f\xbf"), true, "U+D7FF, just below the surrogates"},
        {BYTES("\xee\x80\x80"), true, "U+E000, just above the surrogates"},
        {BYTES("\xef\xbf\xbf"), true, "U+FFFF"},
        {BYTES("\xf0\x90\x80\x80"), true, "U+10000, smallest 4-byte"},
        {BYTES("\xf0\x9f\x98\x80"), true, "emoji, 4 bytes"},
        {BYTES("\xf4\x8f\xbf\xbf"), true, "U+10FFFF, the last code point"},
        {BYTES("x\xc3\xa9y\xe2\x82\xacz\xf0\x9f\x98\x80"), true, "mixed"},
        /* overlongs */
        {BYTES("\xc0\x80"), false, "overlong NUL"},
        {BYTES("\xc0\xaf"), false, "overlong '/'"},
        {BYTES("\xc1\xbf"), false, "overlong U+007F"},
        {BYTES("\xe0\x80\xaf"), false, "overlong 3-byte '/'"},
        {BYTES("\xe0\x9f\xbf"), false, "overlong U+07FF"},
        {BYTES("\xf0\x80\x80\xaf"), false, "overlong 4-byte '/'"},
        {BYTES("\xf0\x8f\xbf\xbf"), false, "overlong U+FFFF"},
        /* surrogates */
        {BYTES("\xed\xa0\x80"), false, "U+D800"},
        {BYTES("\xed\xbf\xbf"), false, "U+DFFF"},
        {BYTES("\xed\xa0\xbd\xed\xb8\x80"), false, "CESU-8 surrogate pair"},
        /* beyond U+10FFFF */
        {BYTES("\xf4\x90\x80\x80"), false, "U+110000"},
        {BYTES("\xf5\x80\x80\x80"), false, "lead byte F5"},
        {BYTES("\xf7\xbf\xbf\xbf"), false, "lead byte F7"},
        {BYTES("\xf8\x88\x80\x80\x80"), false, "5-byte form"},
        {BYTES("\xfc\x84\x80\x80\x80\x80"), false, "6-byte form"},
        {BYTES("\xfe"), false, "FE"},
        {BYTES("\xff"), false, "FF"},
        /* truncated and broken sequences */
        {BYTES("\xc3"), false, "2-byte lead alone"},
        {BYTES("ab\xc3"), false, "2-byte lead at the end"},
        {BYTES("\xe2\x82"), false, "3-byte sequence cut"},
        {BYTES("\xe2"), false, "3-byte lead alone"},
        {BYTES("\xf0\x9f\x98"), false, "4-byte sequence cut"},
        {BYTES("\xe2\x82z"), false, "ASCII where a continuation belongs"},
        {BYTES("\xc3\xc3\xa9"), false, "lead where a continuation belongs"},
        {BYTES("\xc3\0"), false, "NUL where a continuation belongs"},
        {BYTES("\x80"), false, "lone continuation"},
        {BYTES("a\xbf"), false, "continuation after ASCII"},
        {BYTES("\xc3\xa9\xa9"), false, "one continuation too many"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        /* An exact-size heap copy: ASan catches reads past the end of a truncated sequence. */
        char *copy = malloc(cases[i].len ? cases[i].len : 1);
        memcpy(copy, cases[i].s, cases[i].len);
        bool got = text_utf8_valid(copy, cases[i].len);
        free(copy);
        if (got != cases[i].want)
            fail_msg("%s: got %d, want %d", cases[i].what, got, cases[i].want);
    }
}

static void test_text_utf8_validity_reads_only_the_slice(void **state)
{
    (void)state;
    const char s[] = "ok\xc3\xa9\xff";
    assert_true(text_utf8_valid(s, 4));
    assert_false(text_utf8_valid(s, 3)); /* cuts the 2-byte sequence */
    assert_false(text_utf8_valid(s, 5));
}

static void test_text_utf8_length_counts_code_points(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        size_t want;
    } cases[] = {
        {BYTES(""), 0},
        {BYTES("abc"), 3},
        {BYTES("a\0b"), 3},
        {BYTES("caf\xc3\xa9"), 4},
        {BYTES("\xe2\x82\xac\xe2\x82\xac"), 2},
        {BYTES("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 2},
        {BYTES("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), 4},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++)
        assert_int_equal(text_utf8_length(cases[i].s, cases[i].len), cases[i].want);
    char many[800];
    for (int i = 0; i < 200; i++)
        memcpy(many + 4 * i, "\xf0\x9f\x98\x80", 4);
    assert_int_equal(text_utf8_length(many, 800), 200);
}

static void test_text_control_characters(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        bool strict;  /* text_has_control(.., false) */
        bool lenient; /* text_has_control(.., true) */
        const char *what;
    } cases[] = {
        {BYTES(""), false, false, "empty"},
        {BYTES("hello world ~!"), false, false, "printable ASCII"},
        {BYTES("a\nb"), true, false, "LF"},
        {BYTES("a\rb"), true, false, "CR"},
        {BYTES("a\tb"), true, false, "TAB"},
        {BYTES("a\r\n\tb"), true, false, "CR LF TAB"},
        {BYTES("a\0b"), true, true, "NUL"},
        {BYTES("\x01"), true, true, "SOH"},
        {BYTES("\x0b"), true, true, "vertical tab"},
        {BYTES("\x0c"), true, true, "form feed"},
        {BYTES("\x1b[31m"), true, true, "ESC"},
        {BYTES("\x1f"), true, true, "US, last C0"},
        {BYTES("a\x7f"), true, true, "DEL"},
        {BYTES("\xc2\x80"), true, true, "U+0080, first C1"},
        {BYTES("a\xc2\x85"), true, true, "U+0085 NEL"},
        {BYTES("\xc2\x9b"), true, true, "U+009B CSI"},
        {BYTES("\xc2\x9f"), true, true, "U+009F, last C1"},
        {BYTES("\xc2\xa0"), false, false, "U+00A0 no-break space"},
        {BYTES("\xc3\xa9"), false, false, "e acute"},
        {BYTES("\xe2\x80\xa8"), false, false, "U+2028 (not C0/C1)"},
        {BYTES("\xf0\x9f\x98\x80"), false, false, "emoji"},
        {BYTES("caf\xc3\xa9\n"), true, false, "text with a newline"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        bool strict = text_has_control(cases[i].s, cases[i].len, false);
        bool lenient = text_has_control(cases[i].s, cases[i].len, true);
        if (strict != cases[i].strict || lenient != cases[i].lenient)
            fail_msg("%s: got %d/%d, want %d/%d", cases[i].what, strict, lenient, cases[i].strict, cases[i].lenient);
    }
    /* A C2 lead byte as the slice's last byte does not read on. */
    assert_false(text_has_control("a\xc2\x85", 2, false));
}

static void test_text_hex_is_lowercase_and_terminated(void **state)
{
    (void)state;
    static const struct {
        const unsigned char *in;
        size_t n;
        const char *want;
    } cases[] = {
        {(const unsigned char *)"", 0, ""},
        {(const unsigned char *)"\x00", 1, "00"},
        {(const unsigned char *)"\x00\xab\x10\xff", 4, "00ab10ff"},
        {(const unsigned char *)"\x01\x23\x45\x67\x89\xab\xcd\xef", 8, "0123456789abcdef"},
        {(const unsigned char *)"\xfe\xdc\xba\x98\x76\x54\x32\x10", 8, "fedcba9876543210"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char out[40];
        memset(out, 'X', sizeof out);
        text_hex(cases[i].in, cases[i].n, out);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(out[2 * cases[i].n + 1], 'X'); /* nothing past the NUL */
    }
}

static void test_text_hex_digit_reads_both_cases_and_nothing_else(void **state)
{
    (void)state;
    for (int c = -128; c < 128; c++) {
        int want = c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
        assert_int_equal(text_hex_digit((char)c), want);
    }
}

static void test_text_like_escape_escapes_backslash_percent_underscore(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"", ""},
        {"plain", "plain"},
        {"%", "\\%"},
        {"_", "\\_"},
        {"\\", "\\\\"},
        {"50%_off\\now", "50\\%\\_off\\\\now"},
        {"%%__\\\\", "\\%\\%\\_\\_\\\\\\\\"},
        {"caf\xc3\xa9 *?[]", "caf\xc3\xa9 *?[]"}, /* only the three LIKE specials */
    };
    arena_t *a = arena_create(1024);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        size_t len = strlen(cases[i].in);
        char *src = malloc(len ? len : 1); /* not NUL-terminated */
        memcpy(src, cases[i].in, len);
        assert_string_equal(text_like_escape(a, src, len), cases[i].want);
        free(src);
    }
    /* The slice's length, not a NUL, ends the input. */
    assert_string_equal(text_like_escape(a, "a_b%c", 3), "a\\_b");
    arena_destroy(a);
}

static void test_text_is_token_accepts_only_short_ascii_tokens(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        size_t max;
        bool want;
    } cases[] = {
        {BYTES("abc-DEF_1.2"), 128, true},  {BYTES("a"), 1, true},       {BYTES("abcde"), 5, true},
        {BYTES("abcdef"), 5, false},        {BYTES(""), 128, false},     {BYTES("a b"), 128, false},
        {BYTES("a\r\n"), 128, false},       {BYTES("a\0b"), 128, false}, {BYTES("a/b"), 128, false},
        {BYTES("a+b"), 128, false},         {BYTES("a=b"), 128, false},  {BYTES("a~b"), 128, false},
        {BYTES("caf\xc3\xa9"), 128, false}, {BYTES("abc"), 0, false},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++)
        if (text_is_token(cases[i].s, cases[i].len, cases[i].max) != cases[i].want)
            fail_msg("case %zu ('%s', max %zu): want %d", i, cases[i].s, cases[i].max, cases[i].want);
}

static void test_text_parse_decimal_takes_one_spelling_up_to_max(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        int64_t max;
        bool ok;
        int64_t want;
    } cases[] = {
        {BYTES("0"), 10, true, 0},
        {BYTES("7"), 10, true, 7},
        {BYTES("10"), 10, true, 10},
        {BYTES("11"), 10, false, 0},
        {BYTES("9223372036854775807"), INT64_MAX, true, INT64_MAX},
        {BYTES("9223372036854775808"), INT64_MAX, false, 0},
        {BYTES("10000000000000000000"), INT64_MAX, false, 0},
        {BYTES("07"), 10, false, 0},
        {BYTES("00"), 10, false, 0},
        {BYTES(""), 10, false, 0},
        {BYTES("+7"), 10, false, 0},
        {BYTES("-7"), 10, false, 0},
        {BYTES(" 7"), 10, false, 0},
        {BYTES("7 "), 10, false, 0},
        {BYTES("7\0"), 10, false, 0},
        {BYTES("1e1"), 100, false, 0},
        {BYTES("0x7"), 100, false, 0},
        {BYTES("\xef\xbc\x97"), 10, false, 0}, /* FULLWIDTH DIGIT SEVEN */
        {BYTES("5"), 0, false, 0},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        int64_t v = -1;
        bool ok = text_parse_decimal(cases[i].s, cases[i].len, cases[i].max, &v);
        if (ok != cases[i].ok || (ok && v != cases[i].want) || (!ok && v != -1))
            fail_msg("case %zu ('%s', max %" PRId64 "): ok %d, value %" PRId64, i, cases[i].s, cases[i].max, ok, v);
    }
}

static void test_text_is_blank_only_for_white_space(void **state)
{
    (void)state;
    assert_true(text_is_blank("", 0));
    assert_true(text_is_blank("   ", 3));
    assert_true(text_is_blank(" \t\r\n", 4));
    assert_true(text_is_blank("\xc2\xa0", 2));                               /* U+00A0 */
    assert_true(text_is_blank("\xe3\x80\x80 \xe2\x80\x8a\xe1\x9a\x80", 10)); /* U+3000, U+200A, U+1680 */
    assert_true(text_is_blank("\xe2\x80\xaf\xe2\x81\x9f", 6));               /* U+202F, U+205F */
    assert_false(text_is_blank(" a ", 3));
    assert_false(text_is_blank("\xc3\xa9", 2));     /* é */
    assert_false(text_is_blank("\xe2\x80\x8b", 3)); /* U+200B ZERO WIDTH SPACE: not a separator */
    assert_false(text_is_blank("\xe3\x80\x81", 3)); /* U+3001 IDEOGRAPHIC COMMA */
    assert_false(text_is_blank(" \xc2", 2));        /* a truncated sequence is not white space */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_utf8_validity),
        cmocka_unit_test(test_text_utf8_validity_reads_only_the_slice),
        cmocka_unit_test(test_text_utf8_length_counts_code_points),
        cmocka_unit_test(test_text_control_characters),
        cmocka_unit_test(test_text_hex_is_lowercase_and_terminated),
        cmocka_unit_test(test_text_hex_digit_reads_both_cases_and_nothing_else),
        cmocka_unit_test(test_text_like_escape_escapes_backslash_percent_underscore),
        cmocka_unit_test(test_text_is_token_accepts_only_short_ascii_tokens),
        cmocka_unit_test(test_text_is_blank_only_for_white_space),
        cmocka_unit_test(test_text_parse_decimal_takes_one_spelling_up_to_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
