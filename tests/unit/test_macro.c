/*
 * test_macro.c — macro filling and URL encoding of destination URLs (src/track/macro.c):
 * values can never change the structure of the URL or inject a header.
 */
#include "test_util.h"
#include "track/macro.h"

static const char *expand(const char *tmpl, const macro_t *m, size_t n, buf_t *b)
{
    buf_clear(b);
    assert_int_equal(macro_expand(tmpl, m, n, b), 0);
    return buf_ptr(b);
}

static void test_macro_fills_and_encodes(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 4096);
    const macro_t m[] = {{"transaction_id", "abc123"},
                         {"sub1", "na\xc3\xafve & co/?#=@\\"},
                         {"sub2", "\r\nSet-Cookie: x=1"},
                         {"sub3", NULL},
                         {"source_id", "//evil.com"}};
    assert_string_equal(expand("https://s.example/p?t={transaction_id}&s={sub1}", m, N_ELEMS(m), &b),
                        "https://s.example/p?t=abc123&s=na%C3%AFve%20%26%20co%2F%3F%23%3D%40%5C");
    assert_string_equal(expand("https://s.example/?h={sub2}", m, N_ELEMS(m), &b),
                        "https://s.example/?h=%0D%0ASet-Cookie%3A%20x%3D1");
    assert_string_equal(expand("https://s.example/?e={sub3}&u={unknown}", m, N_ELEMS(m), &b),
                        "https://s.example/?e=&u={unknown}");
    assert_string_equal(expand("https://s.example/{source_id}", m, N_ELEMS(m), &b), "https://s.example/%2F%2Fevil.com");
    buf_free(&b);
}

static void test_macro_odd_braces_are_copied(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 4096);
    const macro_t m[] = {{"sub1", "x"}};
    assert_string_equal(expand("https://s.example/{{sub1}}", m, 1, &b), "https://s.example/{x}");
    assert_string_equal(expand("https://s.example/{sub1", m, 1, &b), "https://s.example/{sub1");
    assert_string_equal(expand("https://s.example/}{", m, 1, &b), "https://s.example/}{");
    assert_string_equal(expand("https://s.example/{}", m, 1, &b), "https://s.example/{}");
    buf_free(&b);
}

/* Every cap below the filled length is BUF_TOO_BIG with nothing left in the buffer, wherever the
 * cut would fall (a literal, a value, the middle of a %XX escape); the exact length fits. */
static void test_macro_output_cap_is_an_error_never_a_cut_url(void **state)
{
    (void)state;
    const macro_t m[] = {{"sub1", "a very long value"}, {"sub2", "\xe2\x82\xac\xf0\x9f\x98\x80"}, {"sub3", NULL}};
    static const struct {
        const char *tmpl, *want;
    } cases[] = {
        {"https://s/{sub1}", "https://s/a%20very%20long%20value"},
        {"https://s/?e={sub2}&x={sub3}&u={unknown}", "https://s/?e=%E2%82%AC%F0%9F%98%80&x=&u={unknown}"},
        {"{sub2}{sub2}", "%E2%82%AC%F0%9F%98%80%E2%82%AC%F0%9F%98%80"},
        {"https://s/{{sub1}", "https://s/{a%20very%20long%20value"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        const size_t len = strlen(cases[i].want);
        for (size_t cap = 0; cap <= len; cap++) {
            buf_t b;
            buf_init(&b, cap);
            int rc = macro_expand(cases[i].tmpl, m, N_ELEMS(m), &b);
            if (cap < len) {
                assert_int_equal(rc, BUF_TOO_BIG);
                assert_int_equal(b.len, 0);
                assert_string_equal(buf_ptr(&b), "");
            } else {
                assert_int_equal(rc, BUF_OK);
                assert_string_equal(buf_ptr(&b), cases[i].want);
            }
            buf_free(&b);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_macro_fills_and_encodes),
        cmocka_unit_test(test_macro_odd_braces_are_copied),
        cmocka_unit_test(test_macro_output_cap_is_an_error_never_a_cut_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
