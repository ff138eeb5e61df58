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

int qr_link_image(request_t *r);
int qr_data_image(request_t *r);

/* Allowed query parameters of each. */
extern const char *const QR_LINK_QUERY[];
extern const char *const QR_DATA_QUERY[];

#endif
