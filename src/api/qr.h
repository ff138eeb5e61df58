/*
 * qr.h — QR code images.
 *
 * GET /qr/{token}.png|.svg (public): the image of a tracking link's redirect_url for the given
 * source_id/sub1..sub5, so an <img> tag can show it without a key; only trackgen's own signed
 * links can be encoded (a bad token is a 404), so it is not an open QR service.
 * GET /v1/qr?data=… (API key): any text, format from `format` or Accept.
 * Both take size, margin, ecc, fg, bg and download (see qr/qr_options.h), answer with a strong
 * ETag of the inputs (304 on If-None-Match, before any encoding) and are publicly cacheable.
 */
#ifndef TRACKGEN_API_QR_H
#define TRACKGEN_API_QR_H

#include "http/request.h"
#include "qr/qr_options.h"
#include "util/buf.h"

int qr_link_image(request_t *r);
int qr_data_image(request_t *r);

/* Allowed query parameters of each. */
extern const char *const QR_LINK_QUERY[];
extern const char *const QR_DATA_QUERY[];

/* Drawing a QR image in-process, for other features (asset packages). */
typedef enum {
    QR_RENDER_OK = 0,
    QR_RENDER_TOO_LONG,  /* the data does not fit at o->ecc */
    QR_RENDER_BAD_INPUT, /* the data cannot be encoded */
    QR_RENDER_TOO_SMALL, /* o->size is below *min_size pixels */
    QR_RENDER_FAILED,    /* out's cap, or the PNG writer */
} qr_render_result_t;
/* Encodes data (len bytes; encoding memory from a) and appends its image in o->format (PNG or SVG)
 * to out, holding one of the process's drawing slots (as many as cores) while it draws. */
qr_render_result_t qr_render(arena_t *a, const char *data, size_t len, const qr_options_t *o, buf_t *out,
                             int *min_size);
/* The options GET /qr/{token}.png|.svg draws with when given none (qr/qr_options.h), in format. */
void qr_render_defaults(qr_options_t *o, qr_format_t format);

#endif
