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
    assert_string_equal(expand("https://s.example/{source_id}", m, N_ELEMS(m), &b),
                        "https://s.example/%2F%2Fevil.com");
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

static void test_macro_output_cap_is_an_error(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 16);
    const macro_t m[] = {{"sub1", "a very long value that does not fit"}};
    assert_int_equal(macro_expand("https://s/{sub1}", m, 1, &b), -1);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_macro_fills_and_encodes),
        cmocka_unit_test(test_macro_odd_braces_are_copied),
        cmocka_unit_test(test_macro_output_cap_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
