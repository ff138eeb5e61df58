/*
 * live_cache.h — a snapshot of some PostgreSQL tables kept in memory and fresh: the machinery the
 * offer cache (track/offer_cache.h) and the API key cache (api/key_cache.h) share.
 *
 * A loader thread with its own connection (to a read-write primary only: a standby may lag) loads
 * a snapshot at start, LISTENs on the cache's channels (notified by triggers on its tables) and
 * loads a new one after every notification; while PostgreSQL is down the last snapshot keeps
 * serving, after a reconnect it is reloaded. A snapshot is immutable: the loader swaps the pointer
 * under a writer-preferring rwlock (a stream of readers cannot hold a new snapshot back) and frees
 * the old one once no reader holds it. Readers hold the read lock only while they use it.
 *
 * Read-your-writes on a host: a request that changed the tables bumps the host's generation
 * (util/shared_counter.h, shared by the worker processes of the host) after its commit, before
 * it answers; live_cache_acquire_fresh finds its snapshot older than the generation and waits for
 * a load that started after the bump, so what a 2xx write changed is visible to every later read
 * in every process of the host. Without the bump (another host, or SQL by hand) a change is seen
 * once its notification arrives and the load finishes: a few milliseconds.
 */
#ifndef TRACKGEN_LIVE_CACHE_H
#define TRACKGEN_LIVE_CACHE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "util/shared_counter.h"

typedef struct live_cache live_cache_t;

typedef struct {
    const char *name;            /* in logs, and the connection's application_name */
    const char *const *channels; /* LISTEN on each (NULL-terminated) */
    void *ctx;                   /* passed to every callback */
    /* A new snapshot from the database (NULL on failure, logged). Runs on the loader thread. */
    void *(*load)(PGconn *conn, void *ctx);
    void (*free)(void *snap);
    /* Optional. After each load from the database (e.g. keep it in a file); snap is installed next. */
    void (*loaded)(void *ctx, const void *snap);
    /* Optional. A first snapshot when the database cannot be reached at start (e.g. from that file). */
    void *(*fallback)(void *ctx);
    /* Optional. old was just replaced by cur and nobody reads it any more; called before old is freed. */
    void (*retire)(void *ctx, void *old, void *cur);
    /* Optional. About once a second on the loader thread with its connection (NULL while the
     * database is unreachable) and the current snapshot (NULL before the first), and once more
     * when the cache stops (final). */
    void (*tick)(void *ctx, PGconn *conn, void *cur, bool final);
} live_cache_ops_t;

/* Starts the loader and waits up to wait_ms for the first snapshot. ops is copied; generation may
 * be NULL (no read-your-writes across processes). NULL on failure. */
live_cache_t *live_cache_start(const char *conninfo, const live_cache_ops_t *ops, shared_counter_t *generation,
                               int wait_ms);
/* Stops the loader (after its final tick) and frees the snapshot. Accepts NULL. */
void live_cache_stop(live_cache_t *c);
/* True once a snapshot is installed. */
bool live_cache_ready(live_cache_t *c);

/* The current snapshot, read-locked until live_cache_release; NULL (nothing locked) before the
 * first one. Never acquire twice on one thread without releasing first. */
const void *live_cache_acquire(live_cache_t *c);
/* The same, once the snapshot covers every write acknowledged on this host (the generation):
 * waits up to wait_ms for a fresh load when it does not (a disconnected loader tries to reconnect
 * at once). NULL (nothing locked) when that load failed or did not come in time (the database is
 * unreachable): a write acknowledged just before an outage is never hidden by an older snapshot. */
const void *live_cache_acquire_fresh(live_cache_t *c, int wait_ms);
void live_cache_release(live_cache_t *c);
/* Asks for a load that starts after this call and waits up to wait_ms for it (waiters share one
 * load). False if it failed or did not come in time (database unreachable). */
bool live_cache_refresh(live_cache_t *c, int wait_ms);

#endif
