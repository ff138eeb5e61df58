/*
 * test_file_name.c — safe file names from hostile user input (src/util/file_name.c): path components,
 * controls and bidi overrides removed, Windows-illegal characters and device names, dots and spaces at
 * the ends, invalid UTF-8, cutting long names on a character boundary keeping the extension; and the
 * Content-Disposition value, checked byte for byte.
 */
#include <stdlib.h>

#include "test_util.h"
#include "util/file_name.h"
#include "util/text.h"

#define BYTES(lit) lit, sizeof(lit) - 1

typedef struct {
    const char *in;
    size_t len;
    const char *want;
} name_case_t;

static void test_file_name_hostile_names(void **state)
{
    (void)state;
    static const name_case_t cases[] = {
        {BYTES("banner.png"), "banner.png"},
        {BYTES("../../etc/passwd"), "passwd"},
        {BYTES("/etc/shadow"), "shadow"},
        {BYTES("C:\\x\\y.png"), "y.png"},
        {BYTES("a/b\\c/d.txt"), "d.txt"},
        {BYTES("dir/"), "fallback"},
        {BYTES("\x01"
               "bad"),
         "bad"},
        {BYTES("b\x00"
               "a\x1f"
               "d\x7f.png"),
         "bad.png"},
        {BYTES("tab\there.png"), "tabhere.png"},
        {BYTES("c1\xc2\x85.png"), "c1.png"},                     /* U+0085 NEL */
        {BYTES("invoice\xe2\x80\xaegnp.exe"), "invoicegnp.exe"}, /* U+202E RTL override */
        {BYTES("a\xe2\x81\xa6"
               "b\xe2\x80\x8f"
               "c\xef\xbb\xbf.png"),
         "abc.png"}, /* U+2066, U+200F, U+FEFF */
        {BYTES(".."), "fallback"},
        {BYTES("."), "fallback"},
        {BYTES(""), "fallback"},
        {BYTES("   "), "fallback"},
        {BYTES("\x01\x02"), "fallback"},
        {BYTES("../.."), "fallback"},
        {BYTES(".htaccess"), "htaccess"},
        {BYTES(" . name . "), "name"},
        {BYTES("name..."), "name"},
        {BYTES("a<b>c:d\"e|f?g*h.png"), "a_b_c_d_e_f_g_h.png"},
        {BYTES("CON"), "_CON"},
        {BYTES("con.txt"), "_con.txt"},
        {BYTES("LpT9.tar.gz"), "_LpT9.tar.gz"},
        {BYTES("COM0.txt"), "COM0.txt"},
        {BYTES("CONSOLE.txt"), "CONSOLE.txt"},
        {BYTES("bann\xc3\xa9r \xe6\x97\xa5\xe6\x9c\xac.png"), "bann\xc3\xa9r \xe6\x97\xa5\xe6\x9c\xac.png"},
        {BYTES("bad\xff.png"), "fallback"},
        {BYTES("overlong\xc0\xaf.png"), "fallback"},
        {BYTES("cut\xe2\x82"), "fallback"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char out[FILE_NAME_MAX + 1];
        memset(out, 'X', sizeof out);
        file_name_sanitize(cases[i].in, cases[i].len, "fallback", out);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, out, cases[i].want);
    }
}

static void test_file_name_null_fallback_is_file(void **state)
{
    (void)state;
    char out[FILE_NAME_MAX + 1];
    file_name_sanitize("..", 2, NULL, out);
    assert_string_equal(out, "file");
    file_name_sanitize(NULL, 0, "x.bin", out);
    assert_string_equal(out, "x.bin");
}

/* Builds n copies of the UTF-8 character ch (then the suffix) into a malloc'd string. */
static char *repeat(const char *ch, size_t n, const char *suffix, size_t *len)
{
    size_t cl = strlen(ch), sl = strlen(suffix);
    char *s = malloc(cl * n + sl + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * cl, ch, cl);
    memcpy(s + cl * n, suffix, sl + 1);
    *len = cl * n + sl;
    return s;
}

static void test_file_name_long_names_cut_on_a_character_boundary_keeping_the_extension(void **state)
{
    (void)state;
    char out[FILE_NAME_MAX + 1];
    size_t len;
    /* 3-byte characters: 251 bytes of room before ".png" is not a multiple of 3 -> 249 bytes of stem */
    char *s = repeat("\xe6\x97\xa5", 200, ".png", &len);
    file_name_sanitize(s, len, "f", out);
    assert_int_equal(strlen(out), 249 + 4);
    assert_true(text_utf8_valid(out, strlen(out)));
    assert_memory_equal(out, s, 249);
    assert_string_equal(out + 249, ".png");
    free(s);
    /* 4-byte characters and no extension: 252 bytes */
    s = repeat("\xf0\x9f\x98\x80", 100, "", &len);
    file_name_sanitize(s, len, "f", out);
    assert_int_equal(strlen(out), 252);
    assert_true(text_utf8_valid(out, strlen(out)));
    free(s);
    /* exactly FILE_NAME_MAX bytes: kept whole; one more: cut */
    s = repeat("a", 251, ".png", &len);
    file_name_sanitize(s, len, "f", out);
    assert_string_equal(out, s);
    free(s);
    s = repeat("a", 252, ".png", &len);
    file_name_sanitize(s, len, "f", out);
    assert_int_equal(strlen(out), FILE_NAME_MAX);
    assert_string_equal(out + 251, ".png");
    free(s);
    /* an extension longer than 32 bytes is not kept */
    s = repeat("a", 300, ".abcdefghijklmnopqrstuvwxyzabcdefghij", &len);
    file_name_sanitize(s, len, "f", out);
    assert_int_equal(strlen(out), FILE_NAME_MAX);
    assert_null(strchr(out, '.'));
    free(s);
    /* a cut that would end in spaces or dots drops them */
    s = repeat("a", 250, "   x.png", &len); /* stem cut at 251 bytes = 250 a + 1 space */
    file_name_sanitize(s, len, "f", out);
    assert_int_equal(strlen(out), 254);
    assert_string_equal(out + 250, ".png");
    free(s);
    /* a long name of mostly removed characters is not cut */
    s = repeat("\x01", 1000, "ok.png", &len);
    file_name_sanitize(s, len, "f", out);
    assert_string_equal(out, "ok.png");
    free(s);
}

static void test_file_name_long_fallback_is_cut(void **state)
{
    (void)state;
    char out[FILE_NAME_MAX + 1];
    size_t len;
    char *fb = repeat("\xc3\xa9", 200, "", &len);
    file_name_sanitize("", 0, fb, out);
    assert_int_equal(strlen(out), 254);
    free(fb);
}

static void expect_disposition(const char *name, const char *want)
{
    buf_t b;
    buf_init(&b, 4096);
    assert_int_equal(file_name_disposition(name, &b), BUF_OK);
    assert_string_equal(buf_ptr(&b), want);
    assert_int_equal(b.len, strlen(want));
    buf_free(&b);
}

static void test_file_name_disposition_byte_for_byte(void **state)
{
    (void)state;
    expect_disposition("banner.png", "attachment; filename=\"banner.png\"");
    expect_disposition("a b (1).png", "attachment; filename=\"a b (1).png\"");
    expect_disposition("q\"uo\\te.txt", "attachment; filename=\"q_uo_te.txt\"");
    expect_disposition("caf\xc3\xa9.png", "attachment; filename=\"caf_.png\"; filename*=UTF-8''caf%C3%A9.png");
    expect_disposition("\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80.jpg",
                       "attachment; filename=\"__ _.jpg\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%20%F0%9F%98%80.jpg");
    expect_disposition("\xc3\xa9%;'*=.txt",
                       "attachment; filename=\"_%;'*=.txt\"; filename*=UTF-8''%C3%A9%25%3B%27%2A%3D.txt");
    expect_disposition("!#$&+-.^_`|~\xc3\xa9",
                       "attachment; filename=\"!#$&+-.^_`|~_\"; filename*=UTF-8''!#$&+-.^_`|~%C3%A9");
}

static void test_file_name_disposition_over_the_cap_is_an_error(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 40);
    assert_int_equal(file_name_disposition("caf\xc3\xa9-a-rather-long-name.png", &b), BUF_TOO_BIG);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_name_hostile_names),
        cmocka_unit_test(test_file_name_null_fallback_is_file),
        cmocka_unit_test(test_file_name_long_names_cut_on_a_character_boundary_keeping_the_extension),
        cmocka_unit_test(test_file_name_long_fallback_is_cut),
        cmocka_unit_test(test_file_name_disposition_byte_for_byte),
        cmocka_unit_test(test_file_name_disposition_over_the_cap_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
