/*
 * test_url.c — the destination URL checker (src/util/url.c): a table of accepted and refused
 * URLs with the exact status, the 2048-character limit, host label and name lengths, and
 * (pointer, length) slices that are not NUL-terminated.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"
#include "util/url.h"

typedef struct {
    const char *url;
    url_status_t want;
} url_case_t;

static void check_table(const url_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(cases[i].url);
        /* An exact-size heap copy without a NUL: ASan catches any read past len. */
        char *copy = malloc(len ? len : 1);
        memcpy(copy, cases[i].url, len);
        url_status_t got = url_check(copy, len);
        free(copy);
        if (got != cases[i].want)
            fail_msg("\"%s\": got %d (%s), want %d (%s)", cases[i].url, got, url_status_reason(got), cases[i].want,
                     url_status_reason(cases[i].want));
    }
}

static void test_url_accepted_urls(void **state)
{
    (void)state;
    static const url_case_t cases[] = {
        {"https://shop.example/landing?click={transaction_id}&aff={partner_id}", URL_OK},
        {"https://shop.example/{offer_id}/{sub1}#{sub2}", URL_OK},
        {"http://a.example", URL_OK},
        {"https://a.example", URL_OK},
        {"https://a.example/", URL_OK},
        {"https://a.example?x=1", URL_OK},
        {"https://a.example#frag", URL_OK},
        {"HTTP://SHOP.EXAMPLE/", URL_OK},
        {"HTTPS://shop.example/", URL_OK},
        {"hTtPs://shop.example/", URL_OK},
        {"http://127.0.0.1:8080/x", URL_OK},
        {"http://localhost/", URL_OK},
        {"http://[::1]/", URL_OK},
        {"http://[::1]:8080/x", URL_OK},
        {"http://[2001:db8::a:b]:443/", URL_OK},
        {"https://a.example:1/", URL_OK},
        {"https://a.example:65535/", URL_OK},
        {"https://a.example.", URL_OK}, /* trailing root dot */
        {"https://a.example.:443/", URL_OK},
        {"https://sub_domain.a-b.example/", URL_OK},
        {"https://a.example/p%20q?x=%2F&y=a+b", URL_OK},
        {"https://a.example/a:b@c", URL_OK}, /* '@' after the authority is only a path */
        {"https://a.example/?next=http://b.example", URL_OK},
    };
    check_table(cases, N_ELEMS(cases));
}

static void test_url_refused_urls_have_the_right_status(void **state)
{
    (void)state;
    static const url_case_t cases[] = {
        {"", URL_EMPTY},
        /* schemes */
        {"javascript:alert(1)", URL_BAD_SCHEME},
        {"JAVASCRIPT:alert(1)", URL_BAD_SCHEME},
        {"data:text/html,x", URL_BAD_SCHEME},
        {"ftp://files.example/", URL_BAD_SCHEME},
        {"//evil.com/", URL_BAD_SCHEME},
        {"/relative/path", URL_BAD_SCHEME},
        {"http:/evil.com", URL_BAD_SCHEME},
        {"http:evil.com", URL_BAD_SCHEME},
        {"https:", URL_BAD_SCHEME},
        {"http://", URL_BAD_SCHEME},
        {"https://", URL_BAD_SCHEME},
        {"httpx://a.example/", URL_BAD_SCHEME},
        {"evil.com", URL_BAD_SCHEME},
        /* userinfo */
        {"http://user@evil.com/", URL_USERINFO},
        {"http://user:pass@evil.com/", URL_USERINFO},
        {"http://good.com@evil.com/", URL_USERINFO},
        {"http://@evil.com/", URL_USERINFO},
        /* characters */
        {"http://evil.com\\@good.com/", URL_BAD_CHAR},
        {"http:\\\\evil.com/", URL_BAD_CHAR},
        {"https://exa mple.com/", URL_BAD_CHAR},
        {"https://example.com/a b", URL_BAD_CHAR},
        {" https://example.com/", URL_BAD_CHAR},
        {"https://example.com/ ", URL_BAD_CHAR},
        {"https://example.com/\tx", URL_BAD_CHAR},
        {"https://example.com/\r\nSet-Cookie:x=1", URL_BAD_CHAR},
        {"https://example.com/\n", URL_BAD_CHAR},
        {"https://example.com/\x01", URL_BAD_CHAR},
        {"https://example.com/\x7f", URL_BAD_CHAR},
        {"https://ex\xc3\xa4mple.com/", URL_BAD_CHAR}, /* non-ASCII in the host */
        {"https://example.com/caf\xc3\xa9", URL_BAD_CHAR},
        {"https://example.com/\xff", URL_BAD_CHAR},
        {"https://example.com/\"q\"", URL_BAD_CHAR},
        {"https://example.com/<script>", URL_BAD_CHAR},
        {"https://example.com/a>b", URL_BAD_CHAR},
        {"https://example.com/a^b", URL_BAD_CHAR},
        {"https://example.com/a`b", URL_BAD_CHAR},
        {"https://example.com/a|b", URL_BAD_CHAR},
        {"javascript:\"<x>\"", URL_BAD_CHAR}, /* characters are checked first */
        /* ports */
        {"https://a.example:0/", URL_BAD_PORT},
        {"https://a.example:00/", URL_BAD_PORT},
        {"https://a.example:65536/", URL_BAD_PORT},
        {"https://a.example:99999/", URL_BAD_PORT},
        {"https://a.example:123456/", URL_BAD_PORT},
        {"https://a.example:abc/", URL_BAD_PORT},
        {"https://a.example:+80/", URL_BAD_PORT},
        {"https://a.example:-1/", URL_BAD_PORT},
        {"https://a.example:/", URL_BAD_PORT},
        {"https://a.example:", URL_BAD_PORT},
        {"https://a.example:{port}/", URL_BAD_PORT},
        {"http://[::1]:0/", URL_BAD_PORT},
        {"http://[::1]:65536/", URL_BAD_PORT},
        /* hosts */
        {"https:///path", URL_BAD_HOST},
        {"https://?q=1", URL_BAD_HOST},
        {"https://#f", URL_BAD_HOST},
        {"https://:80/", URL_BAD_HOST},
        {"https://./", URL_BAD_HOST},
        {"https://.a.example/", URL_BAD_HOST},
        {"https://a..example/", URL_BAD_HOST},
        {"https://a.example../", URL_BAD_HOST},
        {"https://{host}/", URL_BAD_HOST},
        {"https://{host}.example.com/", URL_BAD_HOST},
        {"https://a.{sub}.example/", URL_BAD_HOST},
        {"https://a%2eexample/", URL_BAD_HOST},
        {"https://a.example:80:90/", URL_BAD_HOST},
        {"https://a,example/", URL_BAD_HOST},
        {"http://[]/", URL_BAD_HOST},
        {"http://[::g]/", URL_BAD_HOST},
        {"http://[::1/", URL_BAD_HOST},
        {"http://[::1]x/", URL_BAD_HOST},
        {"http://::1/", URL_BAD_HOST},
    };
    check_table(cases, N_ELEMS(cases));
}

static void test_url_every_status_has_a_distinct_reason(void **state)
{
    (void)state;
    static const url_status_t all[] = {URL_OK,       URL_EMPTY,    URL_TOO_LONG, URL_BAD_SCHEME,
                                       URL_USERINFO, URL_BAD_HOST, URL_BAD_PORT, URL_BAD_CHAR};
    for (size_t i = 0; i < N_ELEMS(all); i++) {
        const char *r = url_status_reason(all[i]);
        assert_non_null(r);
        assert_true(strlen(r) > 0);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(r, url_status_reason(all[k]));
    }
    assert_string_equal(url_status_reason(URL_TOO_LONG), "must be at most 2048 characters");
    assert_string_equal(url_status_reason(URL_BAD_SCHEME), "must be an absolute http or https URL");
}

static void test_url_length_limit_is_2048_characters(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        url_status_t want;
    } cases[] = {{2047, URL_OK}, {2048, URL_OK}, {2049, URL_TOO_LONG}, {5000, URL_TOO_LONG}};
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char *u = malloc(cases[i].len); /* exact size, no NUL */
        memcpy(u, "https://a.example/", 18);
        memset(u + 18, 'a', cases[i].len - 18);
        url_status_t got = url_check(u, cases[i].len);
        free(u);
        if (got != cases[i].want)
            fail_msg("length %zu: got %d, want %d", cases[i].len, got, cases[i].want);
    }
    /* Length is checked before anything else. */
    char *junk = malloc(2049);
    memset(junk, ' ', 2049);
    assert_int_equal(url_check(junk, 2049), URL_TOO_LONG);
    free(junk);
}

/* Builds "https://<host>/" and checks it. */
static url_status_t check_host(const char *host)
{
    char u[700];
    snprintf(u, sizeof u, "https://%.600s/", host);
    return url_check(u, strlen(u));
}

static char *repeat(char *out, char c, size_t n)
{
    memset(out, c, n);
    out[n] = '\0';
    return out;
}

static void test_url_host_labels_are_at_most_63_and_names_at_most_253(void **state)
{
    (void)state;
    char label[100], host[600];
    snprintf(host, sizeof host, "%s.example", repeat(label, 'a', 63));
    assert_int_equal(check_host(host), URL_OK);
    snprintf(host, sizeof host, "%s.example", repeat(label, 'a', 64));
    assert_int_equal(check_host(host), URL_BAD_HOST);
    snprintf(host, sizeof host, "example.%s", repeat(label, 'b', 64)); /* the last label too */
    assert_int_equal(check_host(host), URL_BAD_HOST);
    snprintf(host, sizeof host, "%s", repeat(label, 'c', 63));
    assert_int_equal(check_host(host), URL_OK);

    /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters */
    char l63[64], l61[62], l62[63];
    repeat(l63, 'a', 63);
    repeat(l61, 'b', 61);
    repeat(l62, 'b', 62);
    snprintf(host, sizeof host, "%s.%s.%s.%s", l63, l63, l63, l61);
    assert_int_equal(strlen(host), 253);
    assert_int_equal(check_host(host), URL_OK);
    snprintf(host, sizeof host, "%s.%s.%s.%s.", l63, l63, l63, l61); /* the same, fully qualified */
    assert_int_equal(check_host(host), URL_OK);
    snprintf(host, sizeof host, "%s.%s.%s.%s.", l63, l63, l63, l62);
    assert_int_equal(check_host(host), URL_BAD_HOST);
    snprintf(host, sizeof host, "%s.%s.%s.%s", l63, l63, l63, l62);
    assert_int_equal(strlen(host), 254);
    assert_int_equal(check_host(host), URL_BAD_HOST);
}

/* Only len bytes count: what follows in memory (a space, a quote, another host) is ignored. */
static void test_url_reads_only_its_slice(void **state)
{
    (void)state;
    const char s[] = "https://a.example/path \"<evil>\"";
    assert_int_equal(url_check(s, 22), URL_OK);
    assert_int_equal(url_check(s, 23), URL_BAD_CHAR);
    const char t[] = "https://a.example@evil.com/";
    assert_int_equal(url_check(t, 17), URL_OK);
    assert_int_equal(url_check(t, strlen(t)), URL_USERINFO);
    const char p[] = "https://a.example:80123";
    assert_int_equal(url_check(p, 20), URL_OK); /* ":80" */
    assert_int_equal(url_check(p, strlen(p)), URL_BAD_PORT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_accepted_urls),
        cmocka_unit_test(test_url_refused_urls_have_the_right_status),
        cmocka_unit_test(test_url_every_status_has_a_distinct_reason),
        cmocka_unit_test(test_url_length_limit_is_2048_characters),
        cmocka_unit_test(test_url_host_labels_are_at_most_63_and_names_at_most_253),
        cmocka_unit_test(test_url_reads_only_its_slice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
