/*
 * signed_url.h — key-less URLs that carry their own authority: signed, bound, expiring.
 *
 * An <img src> or <a href download> cannot send an Authorization header, so every file or export
 * URL the API hands to a browser carries a signature instead. Who uses it: the endpoints that
 * will serve creative files and thumbnails, Download All ZIPs, coupon and report CSV exports and
 * package ZIPs (today the hits export: api/signed_link.h issues and honours them). Not the public QR images
 * /qr/{token}.png|svg: those render permanent tracking links whose token is already a signature, and printed codes must
 * never expire.
 *
 * Issuing (an authenticated request): signed_url_sign(partner, path, resource parameters,
 * expiry = now + cfg->download_ttl) gives "p=<partner>&exp=<unix seconds>&sig=<22 base64url>";
 * the caller writes the URL as public_url + path + "?" + its resource parameters (any order,
 * percent-encoded, e.g. with macro_url_encode) + "&" + that suffix. The path is the one the
 * worker will see (request_t.path: raw, without TRACKGEN_PUBLIC_URL's own path).
 * Serving (no key): the route allows its resource parameters plus p, exp and sig, and passes the
 * raw request path and every query pair (query_t's pairs copied into signed_url_param_t) with
 * time(NULL) to signed_url_verify:
 *   SIGNED_URL_TAMPERED → 404 not-found (the same answer as an unknown resource: a forged URL
 *                          learns nothing, not even whether it has expired);
 *   SIGNED_URL_EXPIRED  → 410 expired (only ever for a URL this server signed);
 *   SIGNED_URL_VALID    → the module has proven "issued for partner P, for exactly this path and
 *                          these parameters, until T". The handler must still check, live, that P
 *                          may see the resource NOW (offer visible, grant not revoked, partner not
 *                          suspended) and answer 404 otherwise; partner 0 means issued to an admin.
 *                          Answer with Cache-Control: private (a shared cache would skip that
 *                          check), max-age at most expires - now.
 * The URL is bound to the partner, not to the API key: revoking a key does not revoke the URLs it
 * fetched (they lapse within the TTL); revoking the partner's access or suspending it does, through
 * the live check.
 *
 * The MAC: the first SIGNED_URL_MAC_LEN bytes of HMAC-SHA256(secret, m), where m is
 *   "trackgen-signed-url" NUL, version byte 1,
 *   partner (8 bytes big-endian), expiry (8 bytes big-endian),
 *   path length (4 bytes big-endian), path,
 *   parameter count (4 bytes big-endian), then for each resource parameter sorted by name (bytes,
 *   shortest first on a common prefix): name length (4), name, value length (4), value.
 * Fixed-width and length-prefixed, so no two requests encode alike, and sorting makes the query's
 * order irrelevant. The domain prefix keeps it apart from the other MACs of the same secret
 * (tracking tokens "trackgen-link" NUL, cursor scopes "cursor scope:", transaction ids "txn:").
 * Values are compared decoded (as query_parse yields them), so any valid percent-encoding of the
 * same value is the same URL; p, exp and sig must be in their one canonical spelling (decimal
 * without leading zeros, base64url without padding), each exactly once; resource names are unique
 * and never p, exp or sig. Pure: no I/O, no clock.
 */
#ifndef TRACKGEN_SIGNED_URL_H
#define TRACKGEN_SIGNED_URL_H

#include <stddef.h>
#include <stdint.h>

/* TRACKGEN_DOWNLOAD_TTL's range (seconds); verify refuses an expiry further than the maximum plus
 * SIGNED_URL_CLOCK_SKEW ahead of now as tampered (no URL of ours can be valid that long). */
#define SIGNED_URL_TTL_MIN 60
#define SIGNED_URL_TTL_MAX 604800
#define SIGNED_URL_CLOCK_SKEW 300
/* The latest expiry sign accepts: 9999-12-31T23:59:59Z. */
#define SIGNED_URL_EXPIRES_MAX INT64_C(253402300799)
#define SIGNED_URL_MAC_LEN 16
#define SIGNED_URL_MAX_PARAMS 29 /* resource parameters: QUERY_MAX_PARAMS less p, exp and sig */
/* The encoded message is at most this long: a longer path or longer parameters cannot be signed. */
#define SIGNED_URL_MSG_MAX 8192
/* "p=" 19 digits "&exp=" 12 digits "&sig=" 22 characters, and the NUL. */
#define SIGNED_URL_SUFFIX_MAX 64

/* One query pair: name NUL-terminated (as query_t has it), value a decoded slice. Borrowed. */
typedef struct {
    const char *name;
    const char *value;
    size_t value_len;
} signed_url_param_t;

/* What a URL is issued for. Borrowed. */
typedef struct {
    int64_t partner_id; /* 0: issued to an admin */
    const char *path;   /* the raw request path the URL will have, e.g. "/v1/creatives/42/file" */
    size_t path_len;
    const signed_url_param_t *params; /* the resource parameters (no p, exp, sig), any order */
    size_t nparams;
    int64_t expires; /* Unix seconds; the URL works while now < expires */
} signed_url_claims_t;

typedef enum {
    SIGNED_URL_VALID = 0,
    SIGNED_URL_TAMPERED, /* not a URL this secret signed, or not in canonical form: 404 */
    SIGNED_URL_EXPIRED,  /* signed by us, for this request, but now >= expires: 410 */
} signed_url_status_t;

/* Writes "p=…&exp=…&sig=…" and a NUL into out (size SIGNED_URL_SUFFIX_MAX). Returns its length,
 * or -1 if the claims cannot be signed: partner < 0, expires outside 1..SIGNED_URL_EXPIRES_MAX,
 * an empty, reserved (p, exp, sig) or repeated name, more than SIGNED_URL_MAX_PARAMS parameters,
 * or a message over SIGNED_URL_MSG_MAX. */
int signed_url_sign(const char *secret, size_t secret_len, const signed_url_claims_t *c, char *out);

/* Checks the request (its raw path and its whole query, p, exp and sig included, in any order)
 * at time now. On SIGNED_URL_VALID, *partner_id and *expires (either may be NULL) receive what the
 * URL was issued for; otherwise they are left untouched. */
signed_url_status_t signed_url_verify(const char *secret, size_t secret_len, const char *path, size_t path_len,
                                      const signed_url_param_t *query, size_t n, int64_t now, int64_t *partner_id,
                                      int64_t *expires);

#endif
