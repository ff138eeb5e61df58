/*
 * test_creative_code.c — placeholders of creative bodies: HTML-escaped links in HTML, raw in text,
 * the pixel as an <img>, other braces untouched, never a cut body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "creative/creative_code.h"

static char *fill(const char *tmpl, const char *link, const char *pixel, bool html, buf_t *b)
{
    buf_init(b, 4096);
    assert_int_equal(creative_code_fill(tmpl, link, pixel, html, b), BUF_OK);
    return (char *)buf_ptr(b);
}

static void html_links_are_escaped(void **state)
{
    (void)state;
    buf_t b;
    const char *link = "https://t.example/c/TOK?sub1=a&sub2=\"x\"<y>'";
    assert_string_equal(
        fill("<a href=\"{tracking_link}\">Buy</a>{impression_pixel}", link, "https://t.example/i/T?s=1&b=2", true, &b),
        "<a href=\"https://t.example/c/TOK?sub1=a&amp;sub2=&quot;x&quot;&lt;y&gt;&#39;\">Buy</a>"
        "<img src=\"https://t.example/i/T?s=1&amp;b=2\" width=\"1\" height=\"1\" alt=\"\" "
        "style=\"display:none\">");
    buf_free(&b);
}

static void text_links_are_raw(void **state)
{
    (void)state;
    buf_t b;
    assert_string_equal(
        fill("Shop now: {tracking_link}\n{impression_pixel}", "https://t/c/X?a=1&b=2", "https://t/i/X", false, &b),
        "Shop now: https://t/c/X?a=1&b=2\nhttps://t/i/X");
    buf_free(&b);
}

static void other_braces_stay(void **state)
{
    (void)state;
    buf_t b;
    assert_string_equal(fill("{sub1} {tracking_link {tracking_link}} { {", "L", NULL, true, &b),
                        "{sub1} {tracking_link L} { {");
    buf_free(&b);
    assert_string_equal(fill("{impression_pixel}-{tracking_link}", NULL, NULL, true, &b), "-");
    buf_free(&b);
    assert_true(creative_code_wants_pixel("a {impression_pixel}"));
    assert_false(creative_code_wants_pixel("a {impression_pixel"));
    assert_false(creative_code_wants_pixel(NULL));
}

static void never_cut(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 16);
    buf_append_str(&b, "kept:");
    assert_int_equal(creative_code_fill("x {tracking_link} y", "https://a-long-link.example/", NULL, false, &b),
                     BUF_TOO_BIG);
    assert_int_equal(b.len, 0); /* emptied, never a cut body */
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(html_links_are_escaped),
        cmocka_unit_test(text_links_are_raw),
        cmocka_unit_test(other_braces_stay),
        cmocka_unit_test(never_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
