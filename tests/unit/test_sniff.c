/*
 * test_sniff.c — file types from magic bytes and dimensions (src/creative/sniff.c). Real images come
 * from real encoders (libvips writes PNG, JPEG baseline and progressive, GIF, WebP lossy, lossless and
 * with alpha) at test time; the rest are built byte by byte. Disguised files (the bytes decide, never a
 * name), SVG and HTML as active content, every prefix of every sample (never a crash, never a wrong
 * size), and which creative types may hold which files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <vips/vips.h>

#include "creative/sniff.h"
#include "test_util.h"

#define BYTES(lit) (const unsigned char *)(lit), sizeof(lit) - 1

static bool detect(const unsigned char *p, size_t n, sniff_result_t *r)
{
    return sniff_detect(p, n, true, r);
}

static void expect_format(const unsigned char *p, size_t n, const char *ctype, const char *ext, const char *ctype2,
                          int w, int h, bool active)
{
    sniff_result_t r;
    assert_true(detect(p, n, &r));
    assert_string_equal(r.content_type, ctype);
    assert_string_equal(r.extension, ext);
    assert_string_equal(r.creative_type, ctype2);
    assert_int_equal(r.width, w);
    assert_int_equal(r.height, h);
    assert_int_equal(r.active_content, active);
}

static void expect_unrecognised(const unsigned char *p, size_t n, bool complete)
{
    sniff_result_t r;
    memset(&r, 0x5a, sizeof r);
    assert_false(sniff_detect(p, n, complete, &r));
    assert_null(r.content_type);
    assert_null(r.extension);
    assert_int_equal(r.width, 0);
}

/* Every prefix of a sample: never a crash or an over-read (ASan), and a size is right or 0. */
static void every_prefix(const unsigned char *p, size_t n, int w, int h)
{
    for (size_t len = 0; len <= n; len++) {
        unsigned char *copy = malloc(len ? len : 1); /* exactly len bytes: ASan sees any over-read */
        memcpy(copy, p, len);
        sniff_result_t r;
        if (sniff_detect(copy, len, false, &r) && r.width != 0) {
            assert_int_equal(r.width, w);
            assert_int_equal(r.height, h);
        }
        free(copy);
    }
}

typedef struct {
    const char *suffix;
    int bands;
    const char *ctype, *ext;
} encoded_t;

static void test_sniff_real_images_from_libvips(void **state)
{
    (void)state;
    static const encoded_t formats[] = {
        {".png", 3, "image/png", "png"},
        {".png", 4, "image/png", "png"},
        {".jpg", 3, "image/jpeg", "jpg"},
        {".jpg[interlace]", 3, "image/jpeg", "jpg"}, /* progressive: SOF2 */
        {".jpg", 1, "image/jpeg", "jpg"},
        {".gif", 3, "image/gif", "gif"},
        {".webp", 3, "image/webp", "webp"},           /* VP8 */
        {".webp[lossless]", 3, "image/webp", "webp"}, /* VP8L */
        {".webp", 4, "image/webp", "webp"},           /* VP8X + ALPH + VP8 */
    };
    static const int sizes[][2] = {{123, 45}, {1, 1}, {640, 480}, {3000, 17}};
    for (size_t s = 0; s < N_ELEMS(sizes); s++) {
        for (size_t f = 0; f < N_ELEMS(formats); f++) {
            VipsImage *im;
            assert_int_equal(vips_black(&im, sizes[s][0], sizes[s][1], "bands", formats[f].bands, NULL), 0);
            void *buf;
            size_t n;
            assert_int_equal(vips_image_write_to_buffer(im, formats[f].suffix, &buf, &n, NULL), 0);
            g_object_unref(im);
            expect_format(buf, n, formats[f].ctype, formats[f].ext, "image", sizes[s][0], sizes[s][1], false);
            if (s == 0)
                every_prefix(buf, n, sizes[s][0], sizes[s][1]);
            g_free(buf);
        }
    }
}

static void test_sniff_jpeg_walks_past_large_segments_and_fill_bytes(void **state)
{
    (void)state;
    size_t n = 2 + 4 + 60000 + 3 + 4 + 4 + 19 + 2;
    unsigned char *p = calloc(1, n), *q = p;
    *q++ = 0xff, *q++ = 0xd8;
    *q++ = 0xff, *q++ = 0xe1, *q++ = (60002 >> 8) & 0xff, *q++ = 60002 & 0xff; /* APP1 of 60000 bytes */
    memset(q, 0xff, 60000);                                                    /* markers inside don't count */
    q += 60000;
    *q++ = 0xff, *q++ = 0xff, *q++ = 0xff;                      /* fill bytes */
    *q++ = 0xc4, *q++ = 0x00, *q++ = 0x02;                      /* an empty DHT: not a frame */
    *q++ = 0xff, *q++ = 0xcc, *q++ = 0x00, *q++ = 0x02;         /* DAC: not a frame */
    *q++ = 0xff, *q++ = 0xc1, *q++ = 0x00, *q++ = 17, *q++ = 8; /* SOF1 */
    *q++ = 0x02, *q++ = 0x9a, *q++ = 0x01, *q++ = 0xc8;         /* height 666, width 456 */
    (void)q;
    expect_format(p, n, "image/jpeg", "jpg", "image", 456, 666, false);
    sniff_result_t r;
    assert_true(sniff_detect(p, 60010, false, &r)); /* the head ends before the frame: a JPEG, size unknown */
    assert_int_equal(r.width, 0);
    free(p);
    /* a JPEG whose scan starts before any frame header: recognised, no size */
    expect_format(BYTES("\xff\xd8\xff\xda\x00\x02"), "image/jpeg", "jpg", "image", 0, 0, false);
}

static void test_sniff_webp_chunks_built_by_hand(void **state)
{
    (void)state;
    /* VP8X: canvas 1000 x 2 (stored minus one, 24-bit little-endian) */
    expect_format(BYTES("RIFF\x24\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00\xe7\x03\x00\x01\x00\x00"),
                  "image/webp", "webp", "image", 1000, 2, false);
    /* VP8L: 14-bit width-1 and height-1: 16384 x 16384 */
    expect_format(BYTES("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\xff\xff\xff\x0f"), "image/webp", "webp",
                  "image", 16384, 16384, false);
    /* a RIFF that is not WEBP (a WAV) and a WEBP with an unknown first chunk */
    expect_unrecognised(BYTES("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00"), true);
    expect_unrecognised(BYTES("RIFF\x24\x00\x00\x00WEBPABCD\x10\x00\x00\x00\x01\x00\x02\x00"), true);
}

static void test_sniff_png_and_gif_built_by_hand(void **state)
{
    (void)state;
    expect_format(BYTES("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x01\x2c\x00\x00\x00\xfa\x08\x06\x00\x00\x00"),
                  "image/png", "png", "image", 300, 250, false);
    /* a width beyond belief is not reported */
    expect_format(BYTES("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x7f\xff\xff\xff\x00\x00\x00\xfa\x08\x06\x00\x00\x00"),
                  "image/png", "png", "image", 0, 0, false);
    expect_format(BYTES("GIF87a\x40\x01\xc8\x00\x00\x00\x00;"), "image/gif", "gif", "image", 320, 200, false);
}

static void test_sniff_disguised_files_are_what_their_bytes_say(void **state)
{
    (void)state;
    /* sniff_detect never sees a name: a PNG uploaded as banner.jpg, an HTML page uploaded as banner.png
     * and a script uploaded as image/png are decided by their bytes alone. */
    expect_format(BYTES("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"),
                  "image/png", "png", "image", 16, 16, false);
    expect_format(BYTES("<html><body><script>alert(1)</script></body></html>"), "text/html; charset=utf-8", "html",
                  "html", 0, 0, true);
    expect_format(BYTES("<script>alert(document.cookie)</script>"), "text/html; charset=utf-8", "html", "html", 0, 0,
                  true);
    /* a GIF header followed by HTML (a GIFAR-like polyglot) is a GIF, served as one */
    expect_format(BYTES("GIF89a\x01\x00\x01\x00<html><script>alert(1)</script>"), "image/gif", "gif", "image", 1, 1,
                  false);
}

static void test_sniff_svg_dimensions_and_active_content(void **state)
{
    (void)state;
    static const struct {
        const char *doc;
        int w, h;
    } cases[] = {
        {"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300\" height=\"250\"/>", 300, 250},
        {"<svg width='300px' height=' 250.4px ' viewBox='0 0 1 1'>", 300, 250},
        {"<svg width=\"10.5\" height=\"2e2\">", 11, 200},
        {"<svg width=\"100%\" height=\"100%\" viewBox=\"0 0 728 90\">", 728, 90},
        {"<svg viewBox=\"-10,-20,160.6,600\">", 161, 600},
        {"<svg width=\"5em\" height=\"5em\">", 0, 0},
        {"<svg viewBox=\"0 0 0 90\">", 0, 0},
        {"<svg width=\"-3\" height=\"4\" viewBox=\"0 0 8 9\">", 8, 9},
        {"<svg width=\"inf\" height=\"nan\">", 0, 0},
        {"<svg width=\"0x10\" height=\"0x10\">", 0, 0},
        {"<svg>", 0, 0},
        {"\xef\xbb\xbf  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- made by hand -->\n"
         "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" "
         "[ <!ENTITY x \"<svg width='1' height='1'>\"> ]>\n"
         "<svg\n  version=\"1.1\"\n  height=\"90\" data-x=\"width='1'\" width=\"728\"><script>alert(1)</script></svg>",
         728, 90},
        {"<SVG width=\"7\" height=\"8\">", 7, 8},
        {"<svg disabled width=\"7\" height=\"8\">", 7, 8},
        {"<?xml version=\"1.0\"?><s:svg xmlns:s=\"http://www.w3.org/2000/svg\" width=\"3\" height=\"4\">", 3, 4},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        sniff_result_t r;
        const char *d = cases[i].doc;
        if (!detect((const unsigned char *)d, strlen(d), &r))
            fail_msg("case %zu not recognised", i);
        assert_string_equal(r.content_type, "image/svg+xml");
        assert_string_equal(r.extension, "svg");
        assert_string_equal(r.creative_type, "image");
        assert_true(r.active_content);
        if (r.width != cases[i].w || r.height != cases[i].h)
            fail_msg("case %zu: %d x %d, want %d x %d", i, r.width, r.height, cases[i].w, cases[i].h);
        every_prefix((const unsigned char *)d, strlen(d), cases[i].w, cases[i].h);
    }
    /* a root tag cut by the end of the head: an SVG, size unknown */
    sniff_result_t r;
    assert_true(sniff_detect(BYTES("<svg width=\"300\" height=\"25"), false, &r));
    assert_string_equal(r.extension, "svg");
    assert_int_equal(r.height, 0);
    /* <svga> is not <svg */
    expect_unrecognised(BYTES("<svga width=\"1\" height=\"1\">\x01"), true);
    expect_unrecognised(BYTES("<s:svga width=\"1\" height=\"1\">\x01"), true);
    expect_unrecognised(BYTES("<:svg width=\"1\" height=\"1\">\x01"), true);
}

static void test_sniff_html(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "<!DOCTYPE html><html><body>hi</body></html>",
        "<!doctype HTML>",
        "\xef\xbb\xbf\r\n\t <HTML lang=en>",
        "<head><title>x</title></head>",
        "<body>",
        "<div class=\"banner\"><a href=\"{tracking_link}\"><img src=\"x.png\"></a></div>",
        "<table><tr><td>x</td></tr></table>",
        "<a href=\"{tracking_link}\">Buy</a>",
        "<p>Hello</p>",
        "<img src=x>",
        "<span>x</span>",
        "<center>x</center>",
        "<style>a{}</style>",
        "<meta charset=\"utf-8\">",
        "<!-- banner 728x90 -->\n<div>x</div>",
        "<?xml version=\"1.0\"?><!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\"><html>",
        "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">",
        "<!DOCTYPE html>\n<svg width=\"1\" height=\"1\">", /* the doctype says HTML */
        "<html",                                           /* cut by the end of the file */
    };
    for (size_t i = 0; i < N_ELEMS(docs); i++) {
        sniff_result_t r;
        if (!detect((const unsigned char *)docs[i], strlen(docs[i]), &r) || strcmp(r.extension, "html") != 0)
            fail_msg("case %zu: %s", i, r.extension ? r.extension : "not recognised");
        assert_string_equal(r.content_type, "text/html; charset=utf-8");
        assert_string_equal(r.creative_type, "html");
        assert_true(r.active_content);
        every_prefix((const unsigned char *)docs[i], strlen(docs[i]), 0, 0);
    }
    /* not HTML: a tag name that only starts like one, markup after text, an unterminated comment */
    static const char *const not_html[] = {"<abbr>x</abbr>", "<pre>x</pre>", "hello <div>x</div>", "<!-- x", "<divx>"};
    for (size_t i = 0; i < N_ELEMS(not_html); i++) {
        sniff_result_t r;
        if (detect((const unsigned char *)not_html[i], strlen(not_html[i]), &r) && strcmp(r.extension, "html") == 0)
            fail_msg("not_html case %zu taken for HTML", i);
    }
}

static void test_sniff_video_document_archive(void **state)
{
    (void)state;
    expect_format(BYTES("\x00\x00\x00\x20"
                        "ftypisom\x00\x00\x02\x00isomiso2avc1mp41"),
                  "video/mp4", "mp4", "video", 0, 0, false);
    expect_format(BYTES("\x00\x00\x00\x1c"
                        "ftypmp42\x00\x00\x00\x00mp42isom"),
                  "video/mp4", "mp4", "video", 0, 0, false);
    /* HEIF / AVIF still images share the box format: not video */
    expect_unrecognised(BYTES("\x00\x00\x00\x18"
                              "ftypheic\x00\x00\x00\x00mif1heic"),
                        true);
    expect_unrecognised(BYTES("\x00\x00\x00\x1c"
                              "ftypavif\x00\x00\x00\x00"
                              "avifmif1miaf"),
                        true);
    /* WebM: EBML header (size 0x1f) with EBMLVersion, ..., DocType "webm" */
    expect_format(BYTES("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
                        "\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02"),
                  "video/webm", "webm", "video", 0, 0, false);
    /* Matroska is not WebM */
    expect_unrecognised(BYTES("\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska\x42\x87\x81\x04"), true);
    /* a head cut before the DocType: given the benefit of the doubt */
    sniff_result_t r;
    assert_true(sniff_detect(BYTES("\x1a\x45\xdf\xa3\x9f\x42\x86"), false, &r));
    assert_string_equal(r.extension, "webm");
    expect_format(BYTES("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "application/pdf", "pdf", "document", 0, 0, false);
    expect_format(BYTES("PK\x03\x04\x14\x00\x00\x00\x08\x00"), "application/zip", "zip", "archive", 0, 0, false);
    expect_format(BYTES("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
                  "application/zip", "zip", "archive", 0, 0, false);
}

static void test_sniff_plain_text(void **state)
{
    (void)state;
    expect_format(BYTES("Buy now: {tracking_link}\r\n"), "text/plain; charset=utf-8", "txt", "text", 0, 0, false);
    expect_format(BYTES("\xef\xbb\xbf"
                        "caf\xc3\xa9\t\xe6\x97\xa5\xf0\x9f\x98\x80\f\n"),
                  "text/plain; charset=utf-8", "txt", "text", 0, 0, false);
    expect_unrecognised(BYTES(""), true);
    expect_unrecognised(BYTES("\xef\xbb\xbf"), true);
    expect_unrecognised(BYTES("a\0b"), true);
    expect_unrecognised(BYTES("a\x1b[31mred"), true);
    expect_unrecognised(BYTES("del\x7f"), true);
    expect_unrecognised(BYTES("c1 \xc2\x85"), true);
    expect_unrecognised(BYTES("latin1 caf\xe9"), true);
    expect_unrecognised(BYTES("\xed\xa0\x80 surrogate"), true);
    /* a sequence cut by the end of an incomplete head is fine; by the end of the file it is not */
    sniff_result_t r;
    assert_true(sniff_detect(BYTES("abc \xf0\x9f\x98"), false, &r));
    assert_string_equal(r.extension, "txt");
    expect_unrecognised(BYTES("abc \xf0\x9f\x98"), true);
    expect_unrecognised(BYTES("abc \xf0\x9f\x98\x80\x80"), false); /* a stray continuation is not a cut */
    /* binary junk */
    expect_unrecognised(BYTES("\x00\x01\x02\x03\x04\x05\x06\x07"), true);
    expect_unrecognised(BYTES("MZ\x90\x00\x03\x00"), true);
}

static void test_sniff_head_longer_than_the_maximum_is_read_as_incomplete(void **state)
{
    (void)state;
    size_t n = SNIFF_HEAD_MAX + 2;
    unsigned char *p = malloc(n);
    memset(p, 'a', n);
    memcpy(p + SNIFF_HEAD_MAX - 1, "\xc3\xa9", 2); /* 'é' cut by the maximum: fine, the head is incomplete */
    sniff_result_t r;
    assert_true(sniff_detect(p, n, true, &r));
    assert_string_equal(r.extension, "txt");
    p[SNIFF_HEAD_MAX + 1] = 0; /* a NUL beyond the maximum is not read */
    assert_true(sniff_detect(p, n, true, &r));
    free(p);
}

static void test_sniff_type_allows(void **state)
{
    (void)state;
    static const struct {
        const unsigned char *p;
        size_t n;
        const char *allowed; /* space-separated declared types that may hold it */
    } files[] = {
        {BYTES("GIF89a\x01\x00\x01\x00"), "image"},
        {BYTES("<svg width=\"1\" height=\"1\"/>"), "image"},
        {BYTES("<div>x</div>"), "html email"},
        {BYTES("plain words"), "text email"},
        {BYTES("\x00\x00\x00\x1c"
               "ftypmp42\x00\x00\x00\x00mp42isom"),
         "video"},
        {BYTES("%PDF-1.4"), "document"},
        {BYTES("PK\x03\x04"), "archive"},
    };
    static const char *const declared[] = {"image",    "html",    "email",  "text", "video",
                                           "document", "archive", "banner", ""};
    for (size_t f = 0; f < N_ELEMS(files); f++) {
        sniff_result_t r;
        assert_true(detect(files[f].p, files[f].n, &r));
        for (size_t d = 0; d < N_ELEMS(declared); d++) {
            char word[32];
            snprintf(word, sizeof word, " %s ", declared[d]);
            char list[64];
            snprintf(list, sizeof list, " %s ", files[f].allowed);
            bool want = *declared[d] && strstr(list, word) != NULL;
            if (sniff_type_allows(declared[d], &r) != want)
                fail_msg("file %zu declared \"%s\": want %d", f, declared[d], want);
        }
    }
    sniff_result_t none;
    assert_false(sniff_detect(BYTES("\x01"), true, &none));
    assert_false(sniff_type_allows("text", &none));
    assert_false(sniff_type_allows(NULL, &none));
}

int main(int argc, char **argv)
{
    (void)argc;
    if (VIPS_INIT(argv[0]))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff_real_images_from_libvips),
        cmocka_unit_test(test_sniff_jpeg_walks_past_large_segments_and_fill_bytes),
        cmocka_unit_test(test_sniff_webp_chunks_built_by_hand),
        cmocka_unit_test(test_sniff_png_and_gif_built_by_hand),
        cmocka_unit_test(test_sniff_disguised_files_are_what_their_bytes_say),
        cmocka_unit_test(test_sniff_svg_dimensions_and_active_content),
        cmocka_unit_test(test_sniff_html),
        cmocka_unit_test(test_sniff_video_document_archive),
        cmocka_unit_test(test_sniff_plain_text),
        cmocka_unit_test(test_sniff_head_longer_than_the_maximum_is_read_as_incomplete),
        cmocka_unit_test(test_sniff_type_allows),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    vips_shutdown();
    return rc;
}
