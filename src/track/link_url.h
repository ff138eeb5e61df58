/*
 * link_url.h — the public URLs of a tracking link: {public_url}/{c|i|qr}/{token}{suffix} plus
 * the parameters that are set, in a fixed order (source_id, sub1..sub5), percent-encoded.
 * One builder for link generation and for the QR endpoint, so a QR code encodes exactly the
 * redirect_url that link generation returns. Pure.
 */
#ifndef TRACKGEN_LINK_URL_H
#define TRACKGEN_LINK_URL_H

#include <stdint.h>

#include "util/buf.h"
#include "util/problem.h"

/* The longest URL trackgen hands out or redirects to, in bytes: a click's Location (the
 * destination with its macros filled) and every URL link generation returns (redirect_url,
 * impression_url, direct_url, qr_png_url, qr_svg_url), which is also what a link's QR code
 * encodes. Link generation refuses a link that would exceed it (422 naming the fields); a click
 * whose own parameters would make its Location longer goes to the fallback (outcome
 * fallback_too_long). deploy/nginx.conf.template carries it: fastcgi_buffer_size holds a response
 * header block with such a Location, large_client_header_buffers a request line with such a link. */
#define LINK_URL_MAX_BYTES 8192

#define LINK_PARAM_COUNT 6
/* The longest source_id / sub value, in characters, wherever links are made or clicked. */
#define LINK_PARAM_MAX_CHARS 255

/* The six parameters as JSON body fields (api/validate.h's field_spec_t), in LINK_PARAM_NAMES
 * order, for a field table that has them as consecutive entries: `[F_SOURCE_ID] = LINK_PARAM_FIELDS`. */
#define LINK_PARAM_FIELDS                                                                                              \
    {"source_id", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},                                       \
        {"sub1", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},                                        \
        {"sub2", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},                                        \
        {"sub3", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},                                        \
        {"sub4", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},                                        \
    {                                                                                                                  \
        "sub5", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS                                           \
    }

/* The query names, in URL order: source_id, sub1, …, sub5. */
extern const char *const LINK_PARAM_NAMES[LINK_PARAM_COUNT];

typedef struct {
    const char *values[LINK_PARAM_COUNT]; /* NULL = not set; index as LINK_PARAM_NAMES */
} link_params_t;

/* Appends the set parameters as "<first>name=value&name=value…" (nothing when none is set).
 * Returns BUF_OK or the buffer's error. */
int link_params_append(const link_params_t *lp, char first, buf_t *out);
/* Appends {public_url}/{path}/{token}{suffix}?{params}. Returns BUF_OK or the buffer's error. */
int link_url_build(const char *public_url, const char *path, const char *token, const char *suffix,
                   const link_params_t *lp, buf_t *out);

/* What a destination's macros are filled with (macro names as in the OpenAPI description of
 * /c/{token}). */
typedef struct {
    int64_t partner_id, offer_id;
    int64_t offer_url_id;       /* 0: none, {offer_url_id} stays empty */
    const char *transaction_id; /* NULL: empty */
    int64_t timestamp;          /* seconds since the epoch; < 0: empty */
    link_params_t params;
} link_fill_t;

/* Appends the destination template with its macros filled from f (percent-encoded, macro.h).
 * Returns BUF_OK or the buffer's error: with a buffer capped at LINK_URL_MAX_BYTES, an error
 * means the filled URL is too long to redirect to. */
int link_destination_fill(const char *tmpl, const link_fill_t *f, buf_t *out);

/* Records in p, for each parameter of lp that is set and not empty, that it is part of a URL (what, e.g.
 * "redirect_url") longer than LINK_URL_MAX_BYTES; in is where the parameters came from ("body"
 * or "query"). Returns -1. */
int link_params_too_long(const link_params_t *lp, const char *in, const char *what, problem_t *p);

#endif
