/*
 * signed_link.h — the API's key-less URLs (util/signed_url.h), issued and honoured.
 *
 * Issuing: a handler that answers an authenticated caller with a file or export URL calls
 * signed_link_issue with the path the URL serves and its resource parameters; it gets the whole
 * URL (TRACKGEN_PUBLIC_URL + path + "?" + parameters + "&p=…&exp=…&sig=…"), bound to the caller's
 * partner (0 for an admin), expiring after TRACKGEN_DOWNLOAD_TTL (rounded up to a whole minute, so a
 * resource's URL, and the ETag of an answer holding it, changes once a minute, not every second).
 *
 * Honouring: a route flagged ROUTE_SIGNED (with ROUTE_ANY_KEY) accepts p, exp and sig besides its
 * own query parameters; when sig is present the authenticator calls signed_link_authenticate
 * instead of reading a key. A valid URL makes the caller the partner it was issued to (an admin
 * for partner 0), checked live: a suspended partner's URLs stop working at once, and the handler
 * scopes its query by r->who as for a key, so an offer the partner lost is a 404. Tampered → 404
 * not-found, expired → 410 expired. The handler itself needs nothing special, but must answer
 * with Cache-Control: private (signed_link_cache_control gives the value).
 */
#ifndef TRACKGEN_SIGNED_LINK_H
#define TRACKGEN_SIGNED_LINK_H

#include <stdint.h>

#include "http/request.h"
#include "util/signed_url.h"

/* The URL for path (raw, as request_t.path will be, e.g. "/v1/coupons/export.csv") with the
 * resource parameters params[0..n-1] (values NUL-terminated or value_len long; names unique),
 * signed for the caller. *expires (may be NULL) receives its expiry in Unix seconds. Returns the
 * URL in the arena, or NULL with a 500 recorded (the claims cannot be signed: a bug). */
const char *signed_link_issue(request_t *r, const char *path, const signed_url_param_t *params, size_t n,
                              int64_t *expires);
/* Answers 200 {"url", "expires_at"}: a signed URL for path with this request's own query
 * parameters (already validated by the caller as the target route validates them), for
 * "…/export-url" endpoints that hand a browser a link to an export. Returns 0 or -1. */
int signed_link_respond(request_t *r, const char *path);
/* The same expiry as RFC 3339 ("2026-11-30T01:00:00Z"), in the arena. */
const char *signed_link_time(request_t *r, int64_t unix_seconds);
/* Fills r->who from the request's p, exp and sig. Returns 0, or -1 with 404 or 410 recorded. */
int signed_link_authenticate(request_t *r);
/* "private, max-age=<seconds left>" for a signed request (or "private, no-store" for a key's). */
const char *signed_link_cache_control(request_t *r);
/* True when the request was authorised by a signed URL rather than a key. */
bool signed_link_used(const request_t *r);

#endif
