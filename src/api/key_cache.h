/*
 * key_cache.h — the API keys of api/auth.c, from memory: every key (api/key_snapshot.h) loaded by
 * a db/live_cache.h loader that LISTENs on `trackgen_key_cache` (triggers on api_keys and on the
 * status of partners, sql/migrations/0012) and reloads on every change; a write through the API
 * also bumps the host's generation, so a revoked key or a suspended partner is refused by the very
 * next request in every process of the host, and a new key works at once. No request asks the
 * database about a key: an unknown prefix is refused from memory, so a flood of made-up keys
 * costs PostgreSQL nothing. The times keys were used are written to last_used_at by the loader
 * once a minute (and when the process stops). One cache per process, owned by api/app.c.
 */
#ifndef TRACKGEN_KEY_CACHE_H
#define TRACKGEN_KEY_CACHE_H

#include <stdbool.h>

#include "api/apikey_format.h"
#include "db/live_cache.h"

#define KEY_CACHE_FLUSH_S 60 /* the uses of keys are written to last_used_at at each minute of the clock */

typedef struct key_cache key_cache_t;

/* What authentication learns about a presented key. */
typedef enum { KEY_OK, KEY_UNKNOWN, KEY_REVOKED, KEY_PARTNER_SUSPENDED, KEY_UNAVAILABLE } key_verdict_t;

typedef struct {
    int64_t id;
    int64_t partner_id; /* 0 for admin keys */
    int rate_limit;     /* -1: the server's */
    bool admin;
} key_info_t;

/* Starts the loader and waits up to wait_ms for the first load. NULL on failure. */
key_cache_t *key_cache_start(const char *conninfo, shared_counter_t *generation, int wait_ms);
/* Writes the uses not yet written, then stops. Accepts NULL. */
void key_cache_stop(key_cache_t *c);
/* Checks k (parsed) against the snapshot, fresh with respect to the host's writes: its hash in
 * constant time (an unknown prefix and a wrong secret are both KEY_UNKNOWN), revocation, the
 * partner's status; fills *out and records the use when KEY_OK. KEY_UNAVAILABLE: no snapshot
 * (the database has not been reachable since the start). */
key_verdict_t key_cache_check(key_cache_t *c, const apikey_t *k, key_info_t *out);
/* True once the keys have been loaded (from then on a snapshot always exists). */
bool key_cache_ready(key_cache_t *c);

#endif
