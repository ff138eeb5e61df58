/*
 * clicks.h — the public tracking endpoints (no API key):
 *   GET|HEAD /c/{token}   record a click, 302 to the offer's destination (or its fallback)
 *   GET|HEAD /i/{token}   record an impression, answer a 43-byte transparent GIF
 *   POST /v1/clicks       direct linking: a landing page registers the click, gets its transaction_id
 * Each answers only after its hit is durable in the spool; none touches the database. A bad or
 * tampered token is a 404 (a tiny HTML page for browsers), never a redirect.
 */
#ifndef TRACKGEN_CLICKS_H
#define TRACKGEN_CLICKS_H

#include "http/request.h"

int click_redirect(request_t *r);
int click_impression(request_t *r);
int click_direct(request_t *r);

#endif
