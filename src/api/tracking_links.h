/*
 * tracking_links.h — POST /v1/tracking-links: the seed's "Get Tracking Link(s)". For one offer,
 * several, or all the partner may run, returns the redirect, direct, impression and QR links,
 * per offer and per additional URL when asked. Generation writes nothing: links are signed
 * tokens, the same inputs always give the same links.
 */
#ifndef TRACKGEN_TRACKING_LINKS_H
#define TRACKGEN_TRACKING_LINKS_H

#include "http/request.h"

int tracking_links_create(request_t *r);

#endif
