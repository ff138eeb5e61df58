/*
 * track.h — the services the public tracking endpoints share in one worker process: the
 * durable hit spool, the shipper that moves it into PostgreSQL, the offer cache, the host's cache
 * generation (db/live_cache.h) and its shared database connect count (db/db.h). Started and
 * stopped by the server; handlers reach them through request_t.track.
 */
#ifndef TRACKGEN_TRACK_H
#define TRACKGEN_TRACK_H

#include "track/offer_cache.h"
#include "track/shipper.h"
#include "track/spool.h"
#include "util/config.h"
#include "util/shared_counter.h"

typedef struct track {
    spool_t *spool;
    shipper_t *shipper;
    offer_cache_t *cache;
    shared_counter_t *generation;  /* bumped after a write to what the caches hold (api/app.c) */
    shared_counter_t *db_connects; /* the host's database connects (db_share_reconnects) */
    struct key_cache *keys;        /* the API keys (api/key_cache.h): started and stopped by api/app.c */
    const config_t *cfg;
} track_t;

/* Starts everything; returns NULL (and logs why) if the spool cannot be opened. */
track_t *track_start(const config_t *cfg);
/* Hands a deferred answer's spool line to the spool: done(ctx, durable) runs once the line is
 * durable (or could not be made so), on the thread that writes its batch (see track/spool.h). */
void track_defer(track_t *t, const char *line, size_t len, spool_done_fn done, void *ctx);
/* Stops in the safe order: no more appends are possible when this is called. Accepts NULL. */
void track_stop(track_t *t);

#endif
