/*
 * auth.h — API key authentication: `Authorization: Bearer <key>` or `X-Api-Key: <key>`.
 *
 * The key's prefix finds its entry in the key cache (api/key_cache.h: every key, in memory, fresh);
 * the SHA-256 of the presented key is compared in constant time with the stored hash (the key
 * itself is never stored or logged). Revoked keys and keys of suspended partners are refused.
 * last_used_at is written by the cache once a minute, never on the request path.
 * On ROUTE_SIGNED routes a request carrying `sig` is authorised by its signed URL instead
 * (api/signed_link.h).
 */
#ifndef TRACKGEN_AUTH_H
#define TRACKGEN_AUTH_H

#include "http/request.h"

/* Fills r->who, or records a 401 problem and returns -1. */
int auth_authenticate(request_t *r);

#endif
