/*
 * qr_code.c — QR symbols from libqrencode (see qr_code.h).
 */
#include "qr/qr_code.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

static QRecLevel level_of(char ecc)
{
    switch (ecc) {
    case 'L': return QR_ECLEVEL_L;
    case 'Q': return QR_ECLEVEL_Q;
    case 'H': return QR_ECLEVEL_H;
    default: return QR_ECLEVEL_M;
    }
}

size_t qr_capacity_bytes(char ecc)
{
    switch (ecc) {
    case 'L': return 2953;
    case 'Q': return 1663;
    case 'H': return 1273;
    default: return 2331;
    }
}

qr_encode_result_t qr_encode(arena_t *a, const char *data, size_t len, char ecc, qr_matrix_t *m)
{
    if (len == 0 || memchr(data, '\0', len))
        return QR_BAD_INPUT;
    char *text = arena_strndup(a, data, len); /* libqrencode reads a C string */
    errno = 0;
    QRcode *qr = QRcode_encodeString(text, 0, level_of(ecc), QR_MODE_8, 1);
    if (!qr)
        return errno == ERANGE ? QR_TOO_LONG : QR_BAD_INPUT;
    size_t n = (size_t)qr->width * (size_t)qr->width;
    unsigned char *dark = arena_alloc(a, n);
    for (size_t i = 0; i < n; i++)
        dark[i] = qr->data[i] & 1; /* bit 0 is the module's colour; the others describe its role */
    m->width = qr->width;
    m->dark = dark;
    QRcode_free(qr);
    return QR_ENCODED;
}

int qr_module_pixels(const qr_matrix_t *m, const qr_options_t *o)
{
    return o->size / (m->width + 2 * o->margin);
}

int qr_image_offset(const qr_matrix_t *m, const qr_options_t *o, int px)
{
    return (o->size - qr_min_size(m, o) * px) / 2;
}

int qr_min_size(const qr_matrix_t *m, const qr_options_t *o)
{
    return m->width + 2 * o->margin;
}
