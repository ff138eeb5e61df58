/*
 * test_link_url.c — public link URLs (src/track/link_url.c): only the parameters that are set,
 * always in the same order, every reserved or non-ASCII byte percent-encoded.
 */
#include "test_util.h"

#include "track/link_url.h"

static void check(const link_params_t *lp, const char *path, const char *suffix, const char *want)
{
    buf_t b;
    buf_init(&b, 4096);
    assert_int_equal(link_url_build("https://t.example", path, "AQEBAN_4", suffix, lp, &b), BUF_OK);
    assert_string_equal(buf_ptr(&b), want);
    buf_free(&b);
}

static void test_no_parameters(void **state)
{
    (void)state;
    link_params_t lp = {{NULL}};
    check(&lp, "c", "", "https://t.example/c/AQEBAN_4");
    check(&lp, "qr", ".png", "https://t.example/qr/AQEBAN_4.png");
}

static void test_parameters_in_fixed_order_and_encoded(void **state)
{
    (void)state;
    link_params_t lp = {{"news letter", NULL, "a&b=c?d#e/f", NULL, "naïve €", "%41-_.~"}};
    check(&lp, "c", "",
          "https://t.example/c/AQEBAN_4?source_id=news%20letter&sub2=a%26b%3Dc%3Fd%23e%2Ff"
          "&sub4=na%C3%AFve%20%E2%82%AC&sub5=%2541-_.~");
    link_params_t only_sub5 = {{NULL, NULL, NULL, NULL, NULL, ""}};
    check(&only_sub5, "i", "", "https://t.example/i/AQEBAN_4?sub5=");
}

static void test_appending_to_an_existing_query(void **state)
{
    (void)state;
    link_params_t lp = {{"fb", "1", NULL, NULL, NULL, NULL}};
    buf_t b;
    buf_init(&b, 256);
    buf_append_str(&b, "https://shop.example/?x=1");
    assert_int_equal(link_params_append(&lp, '&', &b), BUF_OK);
    assert_string_equal(buf_ptr(&b), "https://shop.example/?x=1&source_id=fb&sub1=1");
    buf_free(&b);
}

static void test_buffer_cap_is_reported(void **state)
{
    (void)state;
    link_params_t lp = {{"a long source id value", NULL, NULL, NULL, NULL, NULL}};
    buf_t b;
    buf_init(&b, 30);
    assert_int_not_equal(link_url_build("https://t.example", "c", "AQEBAN_4", "", &lp, &b), BUF_OK);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_parameters),
        cmocka_unit_test(test_parameters_in_fixed_order_and_encoded),
        cmocka_unit_test(test_appending_to_an_existing_query),
        cmocka_unit_test(test_buffer_cap_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
