/*
 * qr_png.c — QR matrices as 1-bit PNG images through libpng (see qr_image.h).
 */
#include <png.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "qr/qr_image.h"

static void on_write(png_structp png, png_bytep data, size_t len)
{
    buf_t *out = png_get_io_ptr(png);
    if (buf_append(out, data, len) != BUF_OK)
        png_error(png, "output too large");
}

static void on_flush(png_structp png)
{
    (void)png;
}

/* libpng reports errors by longjmp to the setjmp in qr_png_write; warnings are not errors. */
static void on_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* One image row across module row y (y may be in the quiet zone), the symbol's first module
 * column (quiet zone included) starting at pixel left: bit set = background, since gray 1 is
 * white and palette index 1 is bg. */
static void fill_row(const qr_matrix_t *m, int margin, int px, int left, int y, unsigned char *row, size_t row_bytes)
{
    memset(row, 0xff, row_bytes);
    if (y < 0 || y >= m->width)
        return;
    const unsigned char *mod = m->dark + (size_t)y * (size_t)m->width;
    for (int x = 0; x < m->width; x++) {
        if (!mod[x])
            continue;
        size_t first = (size_t)left + (size_t)(margin + x) * (size_t)px;
        for (size_t p = first; p < first + (size_t)px; p++)
            row[p >> 3] &= (unsigned char)~(0x80u >> (p & 7));
    }
}

int qr_png_write(const qr_matrix_t *m, const qr_options_t *o, int px, buf_t *out)
{
    const int left = qr_image_offset(m, o, px);
    const png_uint_32 pixels = (png_uint_32)o->size;
    const size_t row_bytes = (pixels + 7) / 8;
    const bool gray =
        o->fg.r == 0 && o->fg.g == 0 && o->fg.b == 0 && o->bg.r == 255 && o->bg.g == 255 && o->bg.b == 255;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *volatile row = malloc(row_bytes); /* freed below on both paths */
    if (!png || !info || !row) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return -1;
    }
    png_set_write_fn(png, out, on_write, on_flush);
    png_set_IHDR(png, info, pixels, pixels, 1, gray ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (!gray) {
        png_color palette[2] = {{o->fg.r, o->fg.g, o->fg.b}, {o->bg.r, o->bg.g, o->bg.b}};
        png_set_PLTE(png, info, palette, 2);
    }
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE); /* bilevel rows gain nothing from filters */
    png_write_info(png, info);
    int filled = -1; /* the module row in row, or -1 */
    for (int y = 0; y < o->size; y++) {
        int my = y < left ? -1 : (y - left) / px - o->margin; /* < 0 or >= width: quiet zone */
        if (my < 0 || my >= m->width)
            my = -1;
        if (y == 0 || my != filled)
            fill_row(m, o->margin, px, left, my, row, row_bytes);
        filled = my;
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    return 0;
}
