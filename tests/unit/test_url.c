/*
 * test_url.c — the destination URL checker (src/util/url.c): a table of accepted and refused URLs.
 */
#include "test_util.h"

#include <stdlib.h>

#include "util/url.h"

static void test_url_table(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        url_status_t want;
    } cases[] = {
        {"https://shop.example/landing?click={transaction_id}&aff={partner_id}", URL_OK},
        {"HTTP://SHOP.EXAMPLE/", URL_OK},
        {"http://127.0.0.1:8080/x", URL_OK},
        {"http://[::1]:8080/x", URL_OK},
        {"https://a.example", URL_OK},
        {"https://a.example.:443/", URL_OK},
        {"https://a.example:1/", URL_OK},
        {"https://a.example:65535/", URL_OK},
        {"", URL_EMPTY},
        {"javascript:alert(1)", URL_BAD_SCHEME},
        {"ftp://files.example/", URL_BAD_SCHEME},
        {"//evil.com/", URL_BAD_SCHEME},
        {"http:/evil.com", URL_BAD_SCHEME},
        {"http://user@evil.com/", URL_USERINFO},
        {"http://good.com@evil.com/", URL_USERINFO},
        {"http://evil.com\\@good.com/", URL_BAD_CHAR},
        {"https://exa mple.com/", URL_BAD_CHAR},
        {"https://example.com/\tx", URL_BAD_CHAR},
        {"https://example.com/\r\nSet-Cookie:x", URL_BAD_CHAR},
        {"https://ex\xc3\xa4mple.com/", URL_BAD_CHAR},
        {"https://example.com/\"q\"", URL_BAD_CHAR},
        {"https://example.com/<script>", URL_BAD_CHAR},
        {"https://a.example:0/", URL_BAD_PORT},
        {"https://a.example:65536/", URL_BAD_PORT},
        {"https://a.example:abc/", URL_BAD_PORT},
        {"https://a.example:/", URL_BAD_PORT},
        {"https:///path", URL_BAD_HOST},
        {"https://a..example/", URL_BAD_HOST},
        {"https://{host}/", URL_BAD_HOST},
        {"https://-/", URL_OK}, /* permissive about hyphens: DNS decides */
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        url_status_t got = url_check(cases[i].url, strlen(cases[i].url));
        if (got != cases[i].want)
            fail_msg("%s: got %d, want %d", cases[i].url, got, cases[i].want);
        assert_non_null(url_status_reason(got));
    }
}

static void test_url_length_limit_is_2048(void **state)
{
    (void)state;
    char *u = malloc(2100);
    memcpy(u, "https://a.example/", 18);
    memset(u + 18, 'a', 2100 - 18);
    assert_int_equal(url_check(u, 2048), URL_OK);
    assert_int_equal(url_check(u, 2049), URL_TOO_LONG);
    free(u);
}

static void test_url_label_longer_than_63_is_refused(void **state)
{
    (void)state;
    char u[128] = "https://";
    memset(u + 8, 'a', 64);
    strcpy(u + 72, ".example/");
    assert_int_equal(url_check(u, strlen(u)), URL_BAD_HOST); /* a 64-character label */
    strcpy(u + 71, ".example/");
    assert_int_equal(url_check(u, strlen(u)), URL_OK); /* 63 is the limit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_table),
        cmocka_unit_test(test_url_length_limit_is_2048),
        cmocka_unit_test(test_url_label_longer_than_63_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
