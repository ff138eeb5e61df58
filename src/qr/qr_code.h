/*
 * qr_code.h — a QR symbol as a square of modules, encoded by libqrencode. No I/O.
 *
 * Encoding is the one the `qrencode` command line uses by default (QRcode_encodeString with
 * 8-bit hint, case-sensitive: numeric and alphanumeric runs are packed tighter), with the
 * smallest version that holds the data, so our image and the CLI's are the same symbol.
 */
#ifndef TRACKGEN_QR_CODE_H
#define TRACKGEN_QR_CODE_H

#include <stdbool.h>
#include <stddef.h>

#include "qr/qr_options.h"
#include "util/arena.h"

typedef struct {
    int width;                 /* modules per side, without the quiet zone (21..177) */
    const unsigned char *dark; /* width * width bytes, row by row: 1 = dark module, 0 = light */
} qr_matrix_t;

typedef enum { QR_ENCODED = 0, QR_TOO_LONG, QR_BAD_INPUT } qr_encode_result_t;

/* Encodes len bytes of data (no NUL inside) at ECC level ecc ('L','M','Q','H') into m; the
 * modules live in arena a. QR_TOO_LONG when no version holds the data at that level. */
qr_encode_result_t qr_encode(arena_t *a, const char *data, size_t len, char ecc, qr_matrix_t *m);
/* Bytes a version-40 symbol holds in 8-bit mode at level ecc (2953, 2331, 1663, 1273). */
size_t qr_capacity_bytes(char ecc);
/* Pixels per module in an image of exactly o->size pixels with o->margin modules of quiet zone on
 * each side: floor(size / (width + 2 × margin)), the largest that fits; 0 when not even one pixel
 * per module fits. */
int qr_module_pixels(const qr_matrix_t *m, const qr_options_t *o);
/* The pixels left over at that module size (size - (width + 2 × margin) × px) widen the quiet zone:
 * this many go to the left and top, the rest (one more when odd) to the right and bottom. */
int qr_image_offset(const qr_matrix_t *m, const qr_options_t *o, int px);
/* The smallest size that gives one pixel per module. */
int qr_min_size(const qr_matrix_t *m, const qr_options_t *o);

#endif
