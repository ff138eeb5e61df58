/*
 * test_link_url.c — public link URLs (src/track/link_url.c): only the parameters that are set,
 * always in the same order, every reserved or non-ASCII byte percent-encoded; destinations
 * filled for a click, capped at LINK_URL_MAX_BYTES; the fields named when a link is too long.
 */
#include <stdbool.h>
#include <stdio.h>

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

static const char *fill(const char *tmpl, const link_fill_t *f, size_t cap, int *rc)
{
    static char out[2 * LINK_URL_MAX_BYTES];
    buf_t b;
    buf_init(&b, cap);
    *rc = link_destination_fill(tmpl, f, &b);
    snprintf(out, sizeof out, "%s", buf_ptr(&b));
    buf_free(&b);
    return out;
}

static void test_destination_fill_macros(void **state)
{
    (void)state;
    static const link_fill_t click = {
        12, 34, 56, "0123456789abcdef0123456789abcdef", 1764028800, {{"fb", "na\xc3\xafve", NULL, "a&b", NULL, ""}}};
    static const link_fill_t direct = {12, 34, 0, NULL, -1, {{NULL}}};
    static const struct {
        const link_fill_t *f;
        const char *tmpl, *want;
    } cases[] = {
        {&click,
         "https://s/?t={transaction_id}&p={partner_id}&a={affiliate_id}&o={offer_id}&u={offer_url_id}&ts={timestamp}",
         "https://s/?t=0123456789abcdef0123456789abcdef&p=12&a=12&o=34&u=56&ts=1764028800"},
        {&click, "https://s/{source_id}/{sub1}?2={sub2}&3={sub3}&5={sub5}&x={other}",
         "https://s/fb/na%C3%AFve?2=&3=a%26b&5=&x={other}"},
        {&direct, "https://s/?t={transaction_id}&u={offer_url_id}&ts={timestamp}&s={sub1}&p={partner_id}",
         "https://s/?t=&u=&ts=&s=&p=12"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        int rc;
        assert_string_equal(fill(cases[i].tmpl, cases[i].f, LINK_URL_MAX_BYTES, &rc), cases[i].want);
        assert_int_equal(rc, BUF_OK);
    }
}

/* A destination filled to exactly LINK_URL_MAX_BYTES fits; one byte more, from the template or
 * from a value, is an error with nothing of the URL kept. */
static void test_destination_fill_is_capped_at_the_link_limit(void **state)
{
    (void)state;
    static const char head[] = "https://s/?t={transaction_id}&v={sub1}&pad=";
    const size_t fixed = strlen(head) - strlen("{transaction_id}") + 32 - strlen("{sub1}") + 200 * 12;
    static const struct {
        int pad_delta;    /* pad bytes beyond those that reach the limit exactly */
        bool value_extra; /* one more ASCII character in sub1 */
        int want_rc;
        size_t want_len;
    } cases[] = {
        {-1, false, BUF_OK, LINK_URL_MAX_BYTES - 1},
        {0, false, BUF_OK, LINK_URL_MAX_BYTES},
        {1, false, BUF_TOO_BIG, 0},
        {0, true, BUF_TOO_BIG, 0},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        static char tmpl[LINK_URL_MAX_BYTES + 8], value[4 * 200 + 2];
        value[0] = '\0';
        for (int k = 0; k < 200; k++)
            strcat(value, "\xf0\x9f\x98\x80"); /* 12 bytes each, encoded */
        if (cases[i].value_extra)
            strcat(value, "a");
        size_t pad = LINK_URL_MAX_BYTES - fixed + (size_t)(ptrdiff_t)cases[i].pad_delta;
        strcpy(tmpl, head);
        memset(tmpl + strlen(head), 'x', pad);
        tmpl[strlen(head) + pad] = '\0';
        const link_fill_t f = {1, 2, 0, "0123456789abcdef0123456789abcdef", -1, {{NULL, value}}};
        int rc;
        const char *out = fill(tmpl, &f, LINK_URL_MAX_BYTES, &rc);
        assert_int_equal(rc, cases[i].want_rc);
        assert_int_equal(strlen(out), cases[i].want_len);
    }
}

static void test_too_long_names_the_parameters_that_are_set(void **state)
{
    (void)state;
    arena_t *a = arena_create(4096);
    problem_t p;
    problem_init(&p, a);
    problem_set(&p, PROBLEM_UNPROCESSABLE, "too long");
    link_params_t lp = {{"fb", NULL, "x", "", NULL, "y"}};
    assert_int_equal(link_params_too_long(&lp, "query", "redirect_url", &p), -1);
    assert_int_equal(p.kind, PROBLEM_UNPROCESSABLE);
    static const char *const want[] = {"source_id", "sub2", "sub5"};
    assert_int_equal(p.nerrors, N_ELEMS(want));
    for (size_t i = 0; i < N_ELEMS(want); i++) {
        assert_string_equal(p.errors[i].field, want[i]);
        assert_string_equal(p.errors[i].in, "query");
        assert_non_null(strstr(p.errors[i].reason, "redirect_url longer than the 8192 bytes"));
    }
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_parameters),
        cmocka_unit_test(test_parameters_in_fixed_order_and_encoded),
        cmocka_unit_test(test_appending_to_an_existing_query),
        cmocka_unit_test(test_buffer_cap_is_reported),
        cmocka_unit_test(test_destination_fill_macros),
        cmocka_unit_test(test_destination_fill_is_capped_at_the_link_limit),
        cmocka_unit_test(test_too_long_names_the_parameters_that_are_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
