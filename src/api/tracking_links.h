/*
 * tracking_links.h — POST /v1/tracking-links: the seed's "Get Tracking Link(s)". For one offer,
 * several, or all the partner may run, returns the redirect, direct, impression and QR links,
 * per offer and per additional URL when asked. Generation writes nothing: links are signed
 * tokens, the same inputs always give the same links.
 */
#ifndef TRACKGEN_TRACKING_LINKS_H
#define TRACKGEN_TRACKING_LINKS_H

#include <jansson.h>
#include <stdint.h>

#include "http/request.h"
#include "track/link_url.h"

/* What one link-generation request asks for. */
typedef struct {
    link_params_t params; /* source_id, sub1..sub5 (borrowed) */
    const char *kind;     /* "click" or "impression" */
    int64_t partner_id;
} link_request_t;

int tracking_links_create(request_t *r);

/* One link exactly as POST /v1/tracking-links returns it (offer_id, offer_url_id, offer_name,
 * url_name, kind, token, redirect_url, direct_url or impression_url, qr_png_url, qr_svg_url) for
 * the partner lp->partner_id, offer offer_id (url_id 0: its main destination) whose destination
 * template is dest; for other features that hand a partner its link (creatives, coupons). The
 * caller has checked that the partner may run the offer. A new reference, or NULL with the
 * problem recorded (422 when a URL would exceed LINK_URL_MAX_BYTES, naming the parameters). */
json_t *tracking_link_json(request_t *r, const link_request_t *lp, int64_t offer_id, const char *offer_name,
                           int64_t url_id, const char *url_name, const char *dest);

#endif
