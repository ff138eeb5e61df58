/*
 * test_qr_image.c — QR symbols and their images (src/qr/qr_code.c, qr_png.c, qr_svg.c): the PNG
 * is read back with libpng and must be exactly `size` pixels square and show every module as a
 * px-by-px block of the right colour inside the quiet zone (which takes the leftover pixels, the odd
 * one right and bottom), in the smallest pixel format; the SVG path is parsed back into the same
 * matrix; too-long data, bad input and too-small buffers fail cleanly.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>

#include "qr/qr_code.h"
#include "qr/qr_image.h"
#include "test_util.h"

static arena_t *arena;

static int setup(void **state)
{
    (void)state;
    arena = arena_create(64 * 1024);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(arena);
    return 0;
}

static qr_options_t options(int size, int margin, char ecc)
{
    qr_options_t o = {.size = size, .margin = margin, .ecc = ecc, .fg = {0, 0, 0}, .bg = {255, 255, 255}};
    return o;
}

static qr_matrix_t encode(const char *text, char ecc)
{
    qr_matrix_t m;
    assert_int_equal(qr_encode(arena, text, strlen(text), ecc, &m), QR_ENCODED);
    return m;
}

/* The module column (or row) that image pixel p shows, < 0 or >= width in the quiet zone. */
static int module_at(int p, int left, int px, int margin)
{
    return p < left ? -1 : (p - left) / px - margin;
}

/* Reads a PNG back as RGB and checks it pixel by pixel against the matrix: o->size pixels square,
 * the symbol and its margin centred (the odd leftover pixel right and bottom). */
static void check_png(const buf_t *png, const qr_matrix_t *m, const qr_options_t *o, int px)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_memory(&img, buf_ptr(png), png->len));
    const int edge = o->size;
    const int left = (o->size - (m->width + 2 * o->margin) * px) / 2;
    assert_int_equal(img.width, edge);
    assert_int_equal(img.height, edge);
    img.format = PNG_FORMAT_RGB;
    unsigned char *rgb = malloc(PNG_IMAGE_SIZE(img));
    assert_true(png_image_finish_read(&img, NULL, rgb, 0, NULL));
    for (int y = 0; y < edge; y++)
        for (int x = 0; x < edge; x++) {
            int mx = module_at(x, left, px, o->margin), my = module_at(y, left, px, o->margin);
            bool dark = mx >= 0 && my >= 0 && mx < m->width && my < m->width && m->dark[my * m->width + mx];
            qr_rgb_t want = dark ? o->fg : o->bg;
            const unsigned char *p = rgb + 3 * ((size_t)y * (size_t)edge + (size_t)x);
            if (p[0] != want.r || p[1] != want.g || p[2] != want.b) {
                fprintf(stderr, "pixel (%d,%d): %02x%02x%02x\n", x, y, p[0], p[1], p[2]);
                free(rgb);
                fail();
            }
        }
    free(rgb);
}

/* Bit depth and colour type straight from IHDR (bytes 24 and 25 of the file). */
static void check_png_format(const buf_t *png, int colour_type)
{
    const unsigned char *b = (const unsigned char *)buf_ptr(png);
    assert_true(png->len > 33);
    assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
    assert_int_equal(b[24], 1); /* 1 bit per pixel */
    assert_int_equal(b[25], colour_type);
}

static void test_symbol_versions_and_capacity(void **state)
{
    (void)state;
    assert_int_equal(encode("hello", 'M').width, 21); /* version 1 */
    char long_text[2332];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    qr_matrix_t m;
    assert_int_equal(qr_encode(arena, long_text, 2331, 'M', &m), QR_ENCODED);
    assert_int_equal(m.width, 177); /* version 40 */
    assert_int_equal(qr_encode(arena, long_text, 2331, 'H', &m), QR_TOO_LONG);
    assert_int_equal(qr_encode(arena, "", 0, 'M', &m), QR_BAD_INPUT);
    assert_int_equal(qr_encode(arena, "a\0b", 3, 'M', &m), QR_BAD_INPUT);
    assert_int_equal(qr_capacity_bytes('L'), 2953);
    assert_int_equal(qr_capacity_bytes('H'), 1273);
    /* Higher ECC never makes a smaller symbol. */
    const char *url = "https://track.example/c/AQEBAN_4if8ZIU1NyMg?source_id=fb&sub1=na%C3%AFve";
    assert_true(encode(url, 'L').width <= encode(url, 'M').width);
    assert_true(encode(url, 'M').width <= encode(url, 'Q').width);
    assert_true(encode(url, 'Q').width <= encode(url, 'H').width);
}

/* Modules as large as fit in exactly `size` pixels; the leftover widens the quiet zone, split
 * evenly with the odd pixel right and bottom. */
static void test_module_size_and_quiet_zone_fill_the_size(void **state)
{
    (void)state;
    qr_matrix_t m = encode("hello", 'M'); /* 21 modules */
    static const struct {
        int size, margin, px, left;
    } cases[] = {
        {300, 4, 10, 5},                 /* 29 modules: 290 px, 10 left over */
        {64, 4, 2, 3},                   /* 58 px, 6 left over */
        {128, 4, 4, 6},                  /* 116 px, 12 left over */
        {1024, 4, 35, 4},                /* 1015 px, 9 left over: 4 left and top, 5 right and bottom */
        {77, 1, 3, 4},                   /* 23 modules: 69 px */
        {29, 4, 1, 0},                   /* exactly one pixel per module */
        {21, 0, 1, 0},    {20, 0, 0, 0}, /* too small: 0 pixels per module */
        {28, 4, 0, 0},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        qr_options_t o = options(cases[i].size, cases[i].margin, 'M');
        int px = qr_module_pixels(&m, &o);
        assert_int_equal(px, cases[i].px);
        assert_int_equal(qr_min_size(&m, &o), 21 + 2 * cases[i].margin);
        if (px > 0)
            assert_int_equal(qr_image_offset(&m, &o, px), cases[i].left);
    }
}

static void test_png_black_on_white_is_1_bit_gray(void **state)
{
    (void)state;
    static const struct {
        int size, margin;
        char ecc;
    } cases[] = {{64, 0, 'L'},   {64, 4, 'L'},   {128, 4, 'M'}, {300, 4, 'M'}, {1024, 16, 'Q'},
                 {1024, 4, 'M'}, {2048, 4, 'H'}, {77, 1, 'M'},  {333, 2, 'M'}};
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        qr_options_t o = options(cases[i].size, cases[i].margin, cases[i].ecc);
        qr_matrix_t m = encode("https://track.example/c/AQEBAN_4if8ZIU1NyMg?sub1=x", o.ecc);
        int px = qr_module_pixels(&m, &o);
        assert_true(px >= 1);
        buf_t png;
        buf_init(&png, 8 << 20);
        assert_int_equal(qr_png_write(&m, &o, px, &png), 0);
        check_png_format(&png, 0);
        check_png(&png, &m, &o, px);
        buf_free(&png);
    }
}

static void test_png_colours_use_a_two_entry_palette(void **state)
{
    (void)state;
    qr_options_t o = options(300, 2, 'M');
    o.fg = (qr_rgb_t){0x1a, 0x23, 0x7e};
    o.bg = (qr_rgb_t){0xff, 0xf8, 0xe1};
    qr_matrix_t m = encode("coupon SUMMER-2026", 'M');
    int px = qr_module_pixels(&m, &o);
    buf_t png;
    buf_init(&png, 1 << 20);
    assert_int_equal(qr_png_write(&m, &o, px, &png), 0);
    check_png_format(&png, 3);
    const char *plte = memmem(buf_ptr(&png), png.len, "PLTE", 4);
    assert_non_null(plte);
    assert_memory_equal(plte - 4, "\0\0\0\6", 4); /* two entries */
    check_png(&png, &m, &o, px);
    buf_free(&png);
}

/* Parses "M<x> <y>h<w>v1h-<w>z…" back into a matrix of width n (after removing the margin). */
static void svg_path_to_matrix(const char *d, int margin, int n, unsigned char *out)
{
    memset(out, 0, (size_t)n * (size_t)n);
    const char *p = d;
    while (*p == 'M') {
        int x, y, w, w2, used = 0;
        assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &w, &w2, &used), 4);
        assert_int_equal(w, w2);
        assert_true(w >= 1);
        for (int i = 0; i < w; i++) {
            int mx = x - margin + i, my = y - margin;
            assert_true(mx >= 0 && my >= 0 && mx < n && my < n);
            assert_int_equal(out[my * n + mx], 0); /* no module drawn twice */
            out[my * n + mx] = 1;
        }
        p += used;
    }
    assert_int_equal(*p, '"');
}

static void test_svg_is_one_path_that_redraws_the_matrix(void **state)
{
    (void)state;
    qr_options_t o = options(1000, 4, 'Q');
    o.fg = (qr_rgb_t){0x1a, 0x23, 0x7e};
    qr_matrix_t m = encode("https://track.example/c/AQEBAN_4if8ZIU1NyMg?sub1=%E2%82%AC", o.ecc);
    int px = qr_module_pixels(&m, &o);
    buf_t svg;
    buf_init(&svg, 1 << 20);
    assert_int_equal(qr_svg_write(&m, &o, px, &svg), 0);
    const char *s = buf_ptr(&svg);
    const char *first = strstr(s, "<path");
    assert_non_null(first);
    assert_null(strstr(first + 1, "<path"));
    assert_null(strstr(s, "<rect x=")); /* no rect per module */
    char want[128];
    int modules = m.width + 2 * o.margin;
    assert_int_equal(px, 1000 / modules);
    snprintf(want, sizeof want, "width=\"1000\" height=\"1000\" viewBox=\"0 0 1000 1000\"");
    assert_non_null(strstr(s, want));
    snprintf(want, sizeof want, "<path transform=\"translate(%d %d) scale(%d)\"", (1000 - modules * px) / 2,
             (1000 - modules * px) / 2, px);
    assert_non_null(strstr(s, want));
    assert_non_null(strstr(s, "shape-rendering=\"crispEdges\""));
    assert_non_null(strstr(s, "<rect width=\""));
    assert_non_null(strstr(s, "fill=\"#ffffff\""));
    assert_non_null(strstr(first, "fill=\"#1a237e\""));
    unsigned char *back = malloc((size_t)m.width * (size_t)m.width);
    svg_path_to_matrix(strstr(first, " d=\"") + 4, o.margin, m.width, back);
    assert_memory_equal(back, m.dark, (size_t)m.width * (size_t)m.width);
    free(back);
    buf_free(&svg);
}

static void test_too_small_buffers_fail_cleanly(void **state)
{
    (void)state;
    qr_options_t o = options(2048, 4, 'M');
    qr_matrix_t m = encode("https://track.example/c/AQEBAN_4if8ZIU1NyMg", 'M');
    int px = qr_module_pixels(&m, &o);
    for (size_t cap = 0; cap < 400; cap += 37) {
        buf_t b;
        buf_init(&b, cap);
        assert_int_equal(qr_png_write(&m, &o, px, &b), -1);
        buf_free(&b);
        buf_init(&b, cap);
        assert_int_equal(qr_svg_write(&m, &o, px, &b), -1);
        buf_free(&b);
    }
}

/* Random texts of every length class: each either encodes and draws, or is refused as too long. */
static void test_random_data(void **state)
{
    (void)state;
    srand(777);
    for (int round = 0; round < 60; round++) {
        size_t len = (size_t)(rand() % 3000) + 1;
        char *text = malloc(len + 1);
        for (size_t i = 0; i < len; i++)
            text[i] = (char)(rand() % 255 + 1);
        text[len] = '\0';
        static const char eccs[] = "LMQH";
        qr_options_t o = options(2048, rand() % 17, eccs[rand() % 4]);
        qr_matrix_t m;
        qr_encode_result_t res = qr_encode(arena, text, len, o.ecc, &m);
        if (res == QR_TOO_LONG) {
            assert_true(len > qr_capacity_bytes(o.ecc) / 2); /* only long texts are refused */
        } else {
            assert_int_equal(res, QR_ENCODED);
            assert_true(m.width >= 21 && m.width <= 177 && (m.width - 17) % 4 == 0);
            int px = qr_module_pixels(&m, &o);
            assert_true(px >= 1);
            buf_t b;
            buf_init(&b, 8 << 20);
            assert_int_equal(qr_svg_write(&m, &o, px, &b), 0);
            buf_free(&b);
        }
        free(text);
        arena_reset(arena);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symbol_versions_and_capacity),
        cmocka_unit_test(test_module_size_and_quiet_zone_fill_the_size),
        cmocka_unit_test(test_png_black_on_white_is_1_bit_gray),
        cmocka_unit_test(test_png_colours_use_a_two_entry_palette),
        cmocka_unit_test(test_svg_is_one_path_that_redraws_the_matrix),
        cmocka_unit_test(test_too_small_buffers_fail_cleanly),
        cmocka_unit_test(test_random_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
