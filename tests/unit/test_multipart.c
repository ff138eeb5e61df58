/*
 * test_multipart.c — the streaming multipart/form-data parser (src/http/multipart.c). Every split
 * point of sample bodies (and byte-by-byte feeding) gives the same parts; near-delimiters inside a
 * body are data; the body streams through without waiting for its end; preamble and epilogue are
 * ignored; quoted boundaries, quoted-string escapes, filename* in UTF-8, folded and case-insensitive
 * headers; and every malformed shape (no closing delimiter, no name, huge headers, 17 parts, bare LF,
 * bad boundaries, a callback that stops) fails with its reason.
 */
#include <stdio.h>
#include <stdlib.h>

#include "http/multipart.h"
#include "test_util.h"
#include "util/buf.h"

/* What the callbacks saw, as one transcript: "[name|filename|type]" body bytes "[end]" per part. */
typedef struct {
    buf_t t;
    int stop_in_data; /* nonzero: part_data returns it */
} rec_t;

static int on_begin(void *ctx, const char *name, const char *filename, const char *type)
{
    rec_t *r = ctx;
    buf_printf(&r->t, "[%s|%s|%s]", name, filename ? filename : "(none)", type ? type : "(none)");
    return 0;
}

static int on_data(void *ctx, const void *p, size_t n)
{
    rec_t *r = ctx;
    assert_true(n > 0);
    buf_append(&r->t, p, n);
    return r->stop_in_data;
}

static int on_end(void *ctx)
{
    rec_t *r = ctx;
    buf_append_str(&r->t, "[end]");
    return 0;
}

static const multipart_callbacks_t cbs = {on_begin, on_data, on_end};

/* Parses body (n bytes) fed as pieces that start at the given split points; returns the feed/finish
 * result, the transcript in r (caller frees r->t) and the reason in *why. */
static int parse_split(const char *ctype, const char *body, size_t n, const size_t *splits, size_t nsplits, rec_t *r,
                       const char **why)
{
    buf_init(&r->t, 1 << 22);
    const char *w = NULL;
    multipart_t *m = multipart_new(ctype, &cbs, r, &w);
    assert_non_null(m);
    int rc = 0;
    size_t at = 0;
    for (size_t i = 0; i <= nsplits && rc == 0; i++) {
        size_t end = i < nsplits ? splits[i] : n;
        rc = multipart_feed(m, body + at, end - at, &w);
        at = end;
    }
    if (rc == 0)
        rc = multipart_finish(m, &w);
    multipart_free(m);
    *why = rc ? w : NULL;
    return rc;
}

static int parse(const char *ctype, const char *body, size_t n, rec_t *r, const char **why)
{
    return parse_split(ctype, body, n, NULL, 0, r, why);
}

#define CT "multipart/form-data; boundary=----WebKitFormBoundaryX3aZ"
#define DASH "------WebKitFormBoundaryX3aZ"

static const char sample[] = "preamble to ignore\r\n" DASH "\r\n"
                             "Content-Disposition: form-data; name=\"metadata\"\r\n"
                             "Content-Type: application/json\r\n"
                             "\r\n"
                             "{\"name\":\"Banner\",\"type\":\"image\"}\r\n" DASH "  \t\r\n"
                             "content-disposition: form-data; name=\"file\"; filename=\"banner.png\"\r\n"
                             "CONTENT-TYPE: image/png\r\n"
                             "\r\n"
                             "\x89PNG\r\n\x1a\n\r\r\n--\r\n-"
                             "\r\n------WebKitFormBoundaryX3aY-\x00\r\n"
                             "\r\n----WebKitFormBoundaryX3a\r\n\r"
                             "\r\n" DASH "\r\n"
                             "Content-Disposition: form-data; name=\"empty\"\r\n"
                             "\r\n"
                             "\r\n" DASH "--\r\n"
                             "epilogue to ignore\r\n" DASH "\r\nnot a part";

static const char sample_want[] = "[metadata|(none)|application/json]{\"name\":\"Banner\",\"type\":\"image\"}[end]"
                                  "[file|banner.png|image/png]"
                                  "\x89PNG\r\n\x1a\n\r\r\n--\r\n-"
                                  "\r\n------WebKitFormBoundaryX3aY-\x00\r\n"
                                  "\r\n----WebKitFormBoundaryX3a\r\n\r"
                                  "[end]"
                                  "[empty|(none)|(none)][end]";

static void expect_transcript(const rec_t *r, const char *want, size_t wlen)
{
    assert_int_equal(r->t.len, wlen);
    assert_memory_equal(buf_ptr(&r->t), want, wlen);
}

static void test_multipart_every_split_point_gives_the_same_parts(void **state)
{
    (void)state;
    size_t n = sizeof sample - 1, wlen = sizeof sample_want - 1;
    rec_t r = {0};
    const char *why;
    int rc = parse(CT, sample, n, &r, &why);
    if (rc != 0)
        fail_msg("%s; so far: %s", why, buf_ptr(&r.t));
    expect_transcript(&r, sample_want, wlen);
    buf_free(&r.t);
    for (size_t s = 0; s <= n; s++) {
        assert_int_equal(parse_split(CT, sample, n, &s, 1, &r, &why), 0);
        expect_transcript(&r, sample_want, wlen);
        buf_free(&r.t);
    }
    /* every pair of split points: three pieces */
    for (size_t a = 0; a <= n; a += 3)
        for (size_t b = a; b <= n; b += 5) {
            size_t sp[2] = {a, b};
            assert_int_equal(parse_split(CT, sample, n, sp, 2, &r, &why), 0);
            expect_transcript(&r, sample_want, wlen);
            buf_free(&r.t);
        }
    /* one byte at a time */
    size_t *all = malloc(n * sizeof *all);
    for (size_t i = 0; i < n; i++)
        all[i] = i;
    assert_int_equal(parse_split(CT, sample, n, all, n, &r, &why), 0);
    expect_transcript(&r, sample_want, wlen);
    buf_free(&r.t);
    free(all);
}

static void test_multipart_body_streams_before_its_end(void **state)
{
    (void)state;
    size_t big = 1 << 20;
    buf_t body;
    buf_init(&body, 4 << 20);
    buf_append_str(&body, "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n\r\n");
    size_t head = body.len;
    for (size_t i = 0; i < big; i++)
        buf_append_char(&body, (char)(i % 251 == 0 ? '\r' : 'a' + i % 26));
    rec_t r = {0};
    buf_init(&r.t, 4 << 20);
    const char *why;
    multipart_t *m = multipart_new("multipart/form-data; boundary=b", &cbs, &r, &why);
    assert_int_equal(multipart_feed(m, buf_ptr(&body), body.len, &why), 0);
    /* everything but a possible start of "\r\n--b" was handed over already */
    size_t got = r.t.len - strlen("[file|x.bin|(none)]");
    assert_true(got + 5 >= big);
    assert_int_equal(multipart_feed(m, "\r\n--b--", 7, &why), 0);
    assert_int_equal(multipart_finish(m, &why), 0);
    assert_memory_equal(buf_ptr(&r.t) + strlen("[file|x.bin|(none)]"), buf_ptr(&body) + head, big);
    assert_int_equal(r.t.len, strlen("[file|x.bin|(none)]") + big + strlen("[end]"));
    multipart_free(m);
    buf_free(&r.t);
    buf_free(&body);
}

typedef struct {
    const char *ctype;
    const char *body;
    const char *want; /* transcript, or NULL when it must fail */
    const char *why;  /* the reason, when it fails */
} body_case_t;

static void test_multipart_cases(void **state)
{
    (void)state;
    static const body_case_t cases[] = {
        /* quoted boundary with characters a token cannot hold */
        {"multipart/form-data; boundary=\"a b:c/d=e?\"",
         "--a b:c/d=e?\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a b:c/d=e?--", "[x|(none)|(none)]1[end]",
         NULL},
        /* parameters in any case and order, spaces around ';' and '=' */
        {"Multipart/Form-Data ; charset=utf-8;BOUNDARY = q ;",
         "--q\r\nContent-Disposition: FORM-DATA ; filename = \"a.txt\" ; NAME = \"f\"\r\n\r\nA\r\n--q--",
         "[f|a.txt|(none)]A[end]", NULL},
        /* backslash escapes in quoted-strings */
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=\"a\\\"b\\\\c\"; filename=\"x\\\"y.png\"\r\n\r\n\r\n--q--",
         "[a\"b\\c|x\"y.png|(none)][end]", NULL},
        /* filename* (RFC 8187) wins over filename; its charset is case-insensitive, a language is allowed */
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=\"file\"; filename=\"caf_.png\"; "
         "filename*=utf-8'fr'caf%C3%a9%20%E2%82%AC.png\r\n\r\nz\r\n--q--",
         "[file|caf\xc3\xa9 \xe2\x82\xac.png|(none)]z[end]", NULL},
        /* raw UTF-8 in filename, as browsers send it */
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xe6\x97\xa5.png\"\r\n\r\n\r\n--q--",
         "[f|\xe6\x97\xa5.png|(none)][end]", NULL},
        /* an empty filename (a file input left empty) */
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=f; filename=\"\"\r\n\r\n\r\n--q--", "[f||(none)][end]", NULL},
        /* folded header line, unknown headers ignored, transport padding after the closing delimiter */
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data;\r\n name=\"folded\"\r\nX-Other: 1\r\nContent-Transfer-Encoding: "
         "binary\r\n"
         "\r\nv\r\n--q-- trailing\r\n",
         "[folded|(none)|(none)]v[end]", NULL},
        /* no parts at all is a well-formed (empty) form */
        {"multipart/form-data; boundary=q", "--q--", "", NULL},
        /* a body starting with CRLF before the first delimiter */
        {"multipart/form-data; boundary=q", "\r\n--q\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--q--",
         "[a|(none)|(none)]x[end]", NULL},
        /* failures */
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--q\r\n", NULL,
         "the body ends before the closing boundary delimiter"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=a\r\n\r\nno end", NULL,
         "the body ends before the closing boundary delimiter"},
        {"multipart/form-data; boundary=q", "just text, no delimiter", NULL,
         "the body has no multipart boundary delimiter"},
        {"multipart/form-data; boundary=q", "", NULL, "the body has no multipart boundary delimiter"},
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; filename=\"a.png\"\r\n\r\nx\r\n--q--", NULL,
         "a part has no Content-Disposition name"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--q--", NULL,
         "a part has no Content-Disposition name"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Type: text/plain\r\n\r\nx\r\n--q--", NULL,
         "a part has no Content-Disposition name"},
        {"multipart/form-data; boundary=q", "--q\r\n\r\nx\r\n--q--", NULL, "a part has no Content-Disposition name"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--q--", NULL,
         "a part's Content-Disposition is not form-data"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--q--",
         NULL, "a part's Content-Disposition repeats a parameter"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--q--", NULL,
         "a part's Content-Disposition is malformed"},
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\nx\r\n--q--",
         NULL, "a part has more than one Content-Disposition"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition form-data\r\n\r\nx\r\n--q--", NULL,
         "a part has a malformed header line"},
        {"multipart/form-data; boundary=q", "--q\nContent-Disposition: form-data; name=a\n\nx\n--q--", NULL,
         "a boundary delimiter line does not end with CRLF"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=a\n\nx\r\n--q--", NULL,
         "a part's header lines do not end with CRLF"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=a\r\r\n\r\nx\r\n--q--", NULL,
         "a part's header lines do not end with CRLF"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=\"a\x01\"\r\n\r\nx\r\n--q--",
         NULL, "a part's headers contain a control character"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=\"a\xff\"\r\n\r\nx\r\n--q--",
         NULL, "a part's name is not UTF-8 text"},
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=a; filename=\"\xc0\xaf.png\"\r\n\r\nx\r\n--q--", NULL,
         "a part's filename is not UTF-8 text"},
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=a; filename*=UTF-8''%C3\r\n\r\nx\r\n--q--", NULL,
         "a part's filename* is not UTF-8''-encoded UTF-8 text (RFC 8187)"},
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=a; filename*=UTF-8''%zz\r\n\r\nx\r\n--q--", NULL,
         "a part's filename* is not UTF-8''-encoded UTF-8 text (RFC 8187)"},
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=a; filename*=ISO-8859-1''caf%E9\r\n\r\nx\r\n--q--", NULL,
         "a part's filename* is not UTF-8''-encoded UTF-8 text (RFC 8187)"},
        {"multipart/form-data; boundary=q",
         "--q\r\nContent-Disposition: form-data; name=a; filename*=UTF-8''a%0Ab\r\n\r\nx\r\n--q--", NULL,
         "a part's filename* is not UTF-8''-encoded UTF-8 text (RFC 8187)"},
        {"multipart/form-data; boundary=q", "--qx\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--q--", NULL,
         "a boundary delimiter line has other text after the boundary"},
        {"multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--q-x", NULL,
         "a boundary delimiter line has other text after the boundary"},
        {"multipart/form-data; boundary=q", "--q \r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--q -", NULL,
         "a boundary delimiter line has other text after the boundary"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        rec_t r = {0};
        const char *why;
        int rc = parse(cases[i].ctype, cases[i].body, strlen(cases[i].body), &r, &why);
        if (cases[i].want) {
            if (rc != 0)
                fail_msg("case %zu: failed: %s", i, why);
            if (strcmp(buf_ptr(&r.t), cases[i].want) != 0)
                fail_msg("case %zu: got %s", i, buf_ptr(&r.t));
        } else {
            if (rc != -1)
                fail_msg("case %zu: rc %d, want -1", i, rc);
            if (strcmp(why, cases[i].why) != 0)
                fail_msg("case %zu: why \"%s\", want \"%s\"", i, why, cases[i].why);
        }
        buf_free(&r.t);
    }
}

static void test_multipart_header_block_cap(void **state)
{
    (void)state;
    static const char start[] = "--q\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ";
    buf_t body;
    for (int over = 0; over <= 1; over++) {
        buf_init(&body, 1 << 20);
        buf_append_str(&body, start);
        size_t pad = MULTIPART_HEADERS_MAX - (strlen(start) - 5) - 4 + (size_t)over; /* block = headers + CRLFCRLF */
        for (size_t i = 0; i < pad; i++)
            buf_append_char(&body, 'p');
        buf_append_str(&body, "\r\n\r\nx\r\n--q--");
        rec_t r = {0};
        const char *why;
        int rc = parse("multipart/form-data; boundary=q", buf_ptr(&body), body.len, &r, &why);
        if (!over) {
            assert_int_equal(rc, 0);
            assert_string_equal(buf_ptr(&r.t), "[a|(none)|(none)]x[end]");
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(why, "a part's headers are longer than 8 KiB");
        }
        buf_free(&r.t);
        buf_free(&body);
    }
    /* a huge header never ends: refused as soon as the cap is passed, not at the end of the body */
    rec_t r = {0};
    buf_init(&r.t, 1024);
    const char *why;
    multipart_t *m = multipart_new("multipart/form-data; boundary=q", &cbs, &r, &why);
    assert_int_equal(multipart_feed(m, "--q\r\nX: ", 8, &why), 0);
    char junk[4096];
    memset(junk, 'j', sizeof junk);
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = multipart_feed(m, junk, sizeof junk, &why);
    assert_int_equal(rc, -1);
    assert_string_equal(why, "a part's headers are longer than 8 KiB");
    assert_int_equal(multipart_feed(m, "more", 4, &why), -1); /* sticky */
    assert_int_equal(multipart_finish(m, &why), -1);
    assert_string_equal(why, "a part's headers are longer than 8 KiB");
    multipart_free(m);
    buf_free(&r.t);
}

static void test_multipart_at_most_16_parts(void **state)
{
    (void)state;
    for (int parts = 16; parts <= 17; parts++) {
        buf_t body, want;
        buf_init(&body, 1 << 16);
        buf_init(&want, 1 << 16);
        for (int i = 0; i < parts; i++) {
            buf_printf(&body, "--q\r\nContent-Disposition: form-data; name=p%d\r\n\r\n%d\r\n", i, i);
            buf_printf(&want, "[p%d|(none)|(none)]%d[end]", i, i);
        }
        buf_append_str(&body, "--q--");
        rec_t r = {0};
        const char *why;
        int rc = parse("multipart/form-data; boundary=q", buf_ptr(&body), body.len, &r, &why);
        if (parts == 16) {
            assert_int_equal(rc, 0);
            assert_string_equal(buf_ptr(&r.t), buf_ptr(&want));
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(why, "more than 16 parts");
        }
        buf_free(&r.t);
        buf_free(&body);
        buf_free(&want);
    }
}

static void test_multipart_content_type_and_boundary_checks(void **state)
{
    (void)state;
    static const struct {
        const char *ctype, *why;
    } bad[] = {
        {NULL, "the Content-Type is not multipart/form-data"},
        {"", "the Content-Type is not multipart/form-data"},
        {"application/json", "the Content-Type is not multipart/form-data"},
        {"multipart/mixed; boundary=q", "the Content-Type is not multipart/form-data"},
        {"multipart/form-datax; boundary=q", "the Content-Type is not multipart/form-data"},
        {"multipart/form-data", "the Content-Type has no boundary parameter"},
        {"multipart/form-data; charset=utf-8", "the Content-Type has no boundary parameter"},
        {"multipart/form-data; boundary=", "the Content-Type's parameters are malformed"},
        {"multipart/form-data; boundary=\"\"", "the multipart boundary is invalid (1 to 70 characters, RFC 2046)"},
        {"multipart/form-data; boundary=\"q \"", "the multipart boundary is invalid (1 to 70 characters, RFC 2046)"},
        {"multipart/form-data; boundary=a;b", "the Content-Type's parameters are malformed"},
        {"multipart/form-data; boundary=\"a\"b\"", "the Content-Type's parameters are malformed"},
        {"multipart/form-data; boundary=\"unterminated", "the Content-Type's parameters are malformed"},
        {"multipart/form-data; boundary=a*b", "the multipart boundary is invalid (1 to 70 characters, RFC 2046)"},
        {"multipart/form-data; boundary=q; boundary=r",
         "the multipart boundary is invalid (1 to 70 characters, RFC 2046)"},
        {"multipart/form-data; boundary="
         "12345678901234567890123456789012345678901234567890123456789012345678901",
         "the multipart boundary is invalid (1 to 70 characters, RFC 2046)"},
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        const char *why = NULL;
        rec_t r = {0};
        assert_null(multipart_new(bad[i].ctype, &cbs, &r, &why));
        if (!why || strcmp(why, bad[i].why) != 0)
            fail_msg("case %zu: why \"%s\", want \"%s\"", i, why ? why : "(null)", bad[i].why);
    }
    /* 70 characters is the maximum; "=" and "?" are fine quoted */
    const char *why;
    rec_t r = {0};
    multipart_t *m = multipart_new("multipart/form-data; boundary="
                                   "1234567890123456789012345678901234567890123456789012345678901234567890",
                                   &cbs, &r, &why);
    assert_non_null(m);
    multipart_free(m);
    multipart_free(NULL);
}

static void test_multipart_callback_stop_is_returned_and_sticky(void **state)
{
    (void)state;
    rec_t r = {0};
    r.stop_in_data = 7;
    const char *why;
    int rc = parse(CT, sample, sizeof sample - 1, &r, &why);
    assert_int_equal(rc, 7);
    assert_string_equal(why, "stopped by the caller");
    /* nothing after the stop: the first part's data once, no [end] */
    assert_string_equal(buf_ptr(&r.t), "[metadata|(none)|application/json]{\"name\":\"Banner\",\"type\":\"image\"}");
    buf_free(&r.t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multipart_every_split_point_gives_the_same_parts),
        cmocka_unit_test(test_multipart_body_streams_before_its_end),
        cmocka_unit_test(test_multipart_cases),
        cmocka_unit_test(test_multipart_header_block_cap),
        cmocka_unit_test(test_multipart_at_most_16_parts),
        cmocka_unit_test(test_multipart_content_type_and_boundary_checks),
        cmocka_unit_test(test_multipart_callback_stop_is_returned_and_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
