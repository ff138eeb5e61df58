/*
 * cors.h — Cross-Origin Resource Sharing for single-page apps calling /v1 from a browser.
 *
 * Allowed origins come from TRACKGEN_CORS_ORIGINS. Preflights (OPTIONS with
 * Access-Control-Request-Method) are answered without an API key.
 */
#ifndef TRACKGEN_CORS_H
#define TRACKGEN_CORS_H

#include <stdbool.h>

#include "http/request.h"

/* True if the request is a CORS preflight. */
bool cors_is_preflight(const request_t *r);
/* Adds Access-Control-Allow-* headers for a preflight of a path whose methods are allow.
 * any_origin: the route accepts every origin (public endpoints for landing pages). */
void cors_preflight_headers(request_t *r, const char *allow, bool any_origin);
/* Adds Access-Control-Allow-Origin/Expose-Headers/Vary to an ordinary response when the origin is allowed. */
void cors_response_headers(request_t *r, bool any_origin);

#endif
