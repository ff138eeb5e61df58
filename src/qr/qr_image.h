/*
 * qr_image.h — a QR matrix drawn as PNG or SVG bytes. Pure: output goes into a buf_t.
 *
 * Both are exactly o->size pixels square: every module is exactly `px` pixels, so edges stay
 * sharp, and the pixels left over widen the quiet zone (qr_image_offset()).
 * PNG: the smallest correct encoding — 1 bit per pixel, grayscale for black on white, otherwise a
 * two-entry palette.
 * SVG: one <path> for all dark modules (one subpath per horizontal run, in modules, scaled and
 * placed by its transform), a background <rect>, a viewBox in pixels and crispEdges rendering;
 * width/height are the PNG's pixel size.
 */
#ifndef TRACKGEN_QR_IMAGE_H
#define TRACKGEN_QR_IMAGE_H

#include "qr/qr_code.h"
#include "qr/qr_options.h"
#include "util/buf.h"

/* Renders m into an o->size-pixel image at px pixels per module (1 <= px <= qr_module_pixels(m, o)),
 * with at least o->margin modules of quiet zone, into out.
 * Returns 0, or -1 if out's cap is too small or memory ran out (out is then partial). */
int qr_png_write(const qr_matrix_t *m, const qr_options_t *o, int px, buf_t *out);
int qr_svg_write(const qr_matrix_t *m, const qr_options_t *o, int px, buf_t *out);

#endif
