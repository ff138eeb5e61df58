/*
 * test_thumbnail.c — image previews (src/creative/thumbnail.c) of real images made here with
 * libvips in a scratch directory: sizes and aspect for PNG, JPEG, GIF, WebP and SVG, PNG when the
 * source has alpha and JPEG otherwise, a small image kept at its size, and clean failures (nothing
 * stored) for a damaged file, a file that is no image, a format whose loader is blocked and a PNG
 * header claiming 100000 x 100000 pixels (refused without decoding anything).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <vips/vips.h>
#include <zlib.h>

#include "creative/thumbnail.h"
#include "test_blob_fixture.h"

static int group_setup(void **state)
{
    (void)state;
    return thumbnail_init("test_thumbnail");
}

static int group_teardown(void **state)
{
    (void)state;
    thumbnail_shutdown();
    return 0;
}

/* A w x h image with `bands` bands (4: with alpha), a gradient so encoders have something to do,
 * saved as dir/name (the suffix picks the format). */
static void make_image(const fixture_t *f, const char *name, int w, int h, int bands, char *path, size_t pathlen)
{
    VipsImage *xy, *x, *rgb, *img, *u8;
    assert_int_equal(vips_xyz(&xy, w, h, NULL), 0);
    assert_int_equal(vips_extract_band(xy, &x, 0, NULL), 0);
    VipsImage *parts[4] = {x, x, x, x};
    assert_int_equal(vips_bandjoin(parts, &rgb, bands, NULL), 0);
    double a[4] = {255.0 / w, 0.5, 1, 1}, b[4] = {0, 60, 120, 200};
    assert_int_equal(vips_linear(rgb, &img, a, b, bands, NULL), 0);
    assert_int_equal(vips_cast_uchar(img, &u8, NULL), 0);
    snprintf(path, pathlen, "%s/%s", f->dir, name);
    if (vips_image_write_to_file(u8, path, NULL) != 0)
        fail_msg("saving %s: %s", path, vips_error_buffer());
    g_object_unref(xy), g_object_unref(x), g_object_unref(rgb), g_object_unref(img), g_object_unref(u8);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* Makes the thumbnail of path and checks its size, its format (magic bytes, content type, bands
 * as decoded back) against the expectation. */
static void expect_thumbnail(fixture_t *f, const char *path, int want_w, int want_h, bool png)
{
    thumbnail_t t;
    char err[256] = "";
    if (thumbnail_make_info(f->store, path, &t, err, sizeof err) != 0)
        fail_msg("%s: %s", path, err);
    if (t.width != want_w || t.height != want_h)
        fail_msg("%s: %dx%d, want %dx%d", path, t.width, t.height, want_w, want_h);
    assert_string_equal(t.content_type, png ? "image/png" : "image/jpeg");
    uint64_t size = 0;
    assert_true(blob_stat(f->store, t.hex, &size));
    assert_int_equal(size, t.size);
    int fd = blob_open(f->store, t.hex);
    unsigned char magic[4];
    assert_int_equal(read(fd, magic, 4), 4);
    close(fd);
    if (png)
        assert_memory_equal(magic, "\x89PNG", 4);
    else
        assert_memory_equal(magic, "\xff\xd8\xff", 3);
    char rel[2 * BLOB_HEX_LEN], blob_path[600];
    assert_int_equal(blob_relative_path(t.hex, rel, sizeof rel), 0);
    snprintf(blob_path, sizeof blob_path, "%s/%s", f->root, rel);
    VipsImage *back = vips_image_new_from_file(blob_path, NULL);
    assert_non_null(back);
    assert_int_equal(vips_image_get_width(back), want_w);
    assert_int_equal(vips_image_get_height(back), want_h);
    assert_int_equal(vips_image_hasalpha(back), png);
    g_object_unref(back);
}

static void test_thumbnail_jpeg_landscape_is_320_wide_jpeg(void **state)
{
    fixture_t *f = *state;
    char path[512];
    make_image(f, "banner.jpg", 1000, 500, 3, path, sizeof path);
    expect_thumbnail(f, path, 320, 160, false);
    /* the two-function form gives the same blob */
    char hex[BLOB_HEX_LEN + 1], err[256];
    int w = 0, h = 0;
    assert_int_equal(thumbnail_make(f->store, path, hex, &w, &h, err, sizeof err), 0);
    assert_int_equal(w, 320);
    assert_int_equal(h, 160);
    assert_int_equal(count_blobs(f->store), 1);
}

static void test_thumbnail_png_with_alpha_stays_png_portrait(void **state)
{
    fixture_t *f = *state;
    char path[512];
    make_image(f, "tall.png", 400, 1200, 4, path, sizeof path);
    expect_thumbnail(f, path, 107, 320, true);
}

static void test_thumbnail_png_without_alpha_becomes_jpeg(void **state)
{
    fixture_t *f = *state;
    char path[512];
    make_image(f, "flat.png", 640, 640, 3, path, sizeof path);
    expect_thumbnail(f, path, 320, 320, false);
}

static void test_thumbnail_gif_and_webp(void **state)
{
    fixture_t *f = *state;
    char path[512];
    make_image(f, "anim.gif", 640, 480, 3, path, sizeof path);
    expect_thumbnail(f, path, 320, 240, false);
    make_image(f, "photo.webp", 800, 600, 3, path, sizeof path);
    expect_thumbnail(f, path, 320, 240, false);
    make_image(f, "sticker.webp", 300, 900, 4, path, sizeof path);
    expect_thumbnail(f, path, 107, 320, true);
}

static void test_thumbnail_svg_is_rendered_at_scale(void **state)
{
    fixture_t *f = *state;
    if (!thumbnail_svg_supported())
        skip();
    static const char svg[] = "<svg xmlns='http://www.w3.org/2000/svg' width='1280' height='640'>"
                              "<rect width='1280' height='640' fill='#3366cc'/><circle cx='640' cy='320' r='200' "
                              "fill='#ffcc00'/></svg>";
    char path[512];
    snprintf(path, sizeof path, "%s/logo.svg", f->dir);
    write_file(path, svg, sizeof svg - 1);
    expect_thumbnail(f, path, 320, 160, true); /* SVG renders with alpha */
}

static void test_thumbnail_small_image_is_not_upscaled(void **state)
{
    fixture_t *f = *state;
    char path[512];
    make_image(f, "tiny.png", 50, 30, 4, path, sizeof path);
    expect_thumbnail(f, path, 50, 30, true);
    make_image(f, "edge.jpg", 320, 100, 3, path, sizeof path);
    expect_thumbnail(f, path, 320, 100, false);
}

/* A 600 x 400 image saved as dir/name, then its first 1/part written as dir/cut_name (path). */
static void make_truncated(const fixture_t *f, const char *name, const char *cut_name, int part, char *path,
                           size_t pathlen)
{
    make_image(f, name, 600, 400, 3, path, pathlen);
    static unsigned char bytes[1 << 20];
    FILE *fp = fopen(path, "rb");
    size_t n = fread(bytes, 1, sizeof bytes, fp);
    fclose(fp);
    snprintf(path, pathlen, "%s/%s", f->dir, cut_name);
    write_file(path, bytes, n / (size_t)part);
}

/* A failure leaves nothing in the store and says why. */
static void expect_refused(fixture_t *f, const char *path, const char *why)
{
    thumbnail_t t;
    char err[256] = "";
    if (thumbnail_make_info(f->store, path, &t, err, sizeof err) != -1)
        fail_msg("%s: accepted (%dx%d)", path, t.width, t.height);
    if (!strstr(err, why))
        fail_msg("%s: '%s' does not say '%s'", path, err, why);
    assert_store_empty(f);
}

static void test_thumbnail_damaged_or_foreign_files_fail_cleanly(void **state)
{
    fixture_t *f = *state;
    char path[512];
    make_truncated(f, "whole.png", "cut.png", 2, path, sizeof path); /* header intact, pixels missing */
    expect_refused(f, path, "cannot decode");
    make_truncated(f, "whole.jpg", "cut.jpg", 3, path, sizeof path);
    expect_refused(f, path, "cannot decode");

    snprintf(path, sizeof path, "%s/notes.txt", f->dir);
    write_file(path, "just some text, not an image\n", 29);
    expect_refused(f, path, "not a PNG, JPEG, GIF, WebP or SVG image");

    snprintf(path, sizeof path, "%s/missing.png", f->dir);
    expect_refused(f, path, "not a PNG");

    make_image(f, "other.ppm", 64, 64, 3, path, sizeof path); /* libvips reads PPM, but not here */
    expect_refused(f, path, "not a PNG, JPEG, GIF, WebP or SVG image");
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static long vm_hwm_kib(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (fp && fgets(line, sizeof line, fp))
        if (strncmp(line, "VmHWM:", 6) == 0)
            v = strtol(line + 6, NULL, 10);
    if (fp)
        fclose(fp);
    return v;
}

/* A PNG whose IHDR claims 100000 x 100000 (10 gigapixels, 30 GB decoded) is refused from its
 * header: no pixel buffer is ever allocated. */
static void test_thumbnail_huge_header_is_refused_before_decoding(void **state)
{
    fixture_t *f = *state;
    unsigned char png[8 + 25 + 12 + 64 + 12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char *ihdr = png + 8;
    put_be32(ihdr, 13);
    memcpy(ihdr + 4, "IHDR", 4);
    put_be32(ihdr + 8, 100000);
    put_be32(ihdr + 12, 100000);
    ihdr[16] = 8; /* bit depth */
    ihdr[17] = 2; /* RGB */
    put_be32(ihdr + 21, (uint32_t)crc32(0, ihdr + 4, 17));
    unsigned char *idat = ihdr + 25; /* the start of a row of zeros */
    unsigned char zeros[256] = {0};
    uLongf zlen = 64;
    assert_int_equal(compress(idat + 8, &zlen, zeros, sizeof zeros), Z_OK);
    put_be32(idat, (uint32_t)zlen);
    memcpy(idat + 4, "IDAT", 4);
    put_be32(idat + 8 + zlen, (uint32_t)crc32(0, idat + 4, 4 + (uInt)zlen));
    unsigned char *iend = idat + 12 + zlen;
    memcpy(iend + 4, "IEND", 4);
    put_be32(iend + 8, (uint32_t)crc32(0, iend + 4, 4));
    char path[512];
    snprintf(path, sizeof path, "%s/bomb.png", f->dir);
    write_file(path, png, (size_t)(iend + 12 - png));
    FILE *cr = fopen("/proc/self/clear_refs", "w");
    if (cr) {
        fputs("5", cr);
        fclose(cr);
    }
    long before = vm_hwm_kib();
    expect_refused(f, path, "over the 50-megapixel limit");
    assert_true(vm_hwm_kib() - before < 64 * 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_thumbnail_jpeg_landscape_is_320_wide_jpeg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_png_with_alpha_stays_png_portrait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_png_without_alpha_becomes_jpeg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_gif_and_webp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_svg_is_rendered_at_scale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_small_image_is_not_upscaled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_damaged_or_foreign_files_fail_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_huge_header_is_refused_before_decoding, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
