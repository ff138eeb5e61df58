/*
 * track.c — starting and stopping the tracking services (see track.h).
 */
#include "track/track.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/log.h"

#define CACHE_FIRST_LOAD_WAIT_MS 5000

track_t *track_start(const config_t *cfg)
{
    track_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cfg = cfg;
    t->spool = spool_start(cfg->spool_dir);
    if (!t->spool) {
        log_msg(LOG_ERROR, "cannot open the hit spool %s: %s", cfg->spool_dir, strerror(errno));
        free(t);
        return NULL;
    }
    t->shipper = shipper_start(cfg->spool_dir, cfg->database_url, cfg->hits_retention_days);
    char path[4096];
    snprintf(path, sizeof path, "%s/cache.generation", cfg->spool_dir); /* shared by the host's processes */
    t->generation = shared_counter_open(path);
    if (!t->generation)
        log_msg(LOG_ERROR, "cannot open the cache generation %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/db.connects", cfg->spool_dir); /* shared by the host's processes */
    t->db_connects = shared_counter_open(path);
    if (!t->db_connects) /* then each thread retries on its own, once a second */
        log_msg(LOG_WARN, "cannot open the shared connect count %s: %s", path, strerror(errno));
    db_share_reconnects(t->db_connects);
    snprintf(path, sizeof path, "%s/offer-cache.snapshot", cfg->spool_dir);
    t->cache =
        t->generation ? offer_cache_start(cfg->database_url, path, t->generation, CACHE_FIRST_LOAD_WAIT_MS) : NULL;
    if (!t->shipper || !t->cache) {
        track_stop(t);
        return NULL;
    }
    if (!offer_cache_ready(t->cache))
        log_msg(LOG_WARN, "offer cache not loaded yet (database unreachable?); clicks answer 503 until it is");
    return t;
}

void track_defer(track_t *t, const char *line, size_t len, spool_done_fn done, void *ctx)
{
    spool_append_async(t->spool, line, len, done, ctx);
}

void track_stop(track_t *t)
{
    if (!t)
        return;
    spool_stop(t->spool);     /* syncs what is pending */
    shipper_stop(t->shipper); /* then ships it, if the database is there */
    offer_cache_stop(t->cache);
    shared_counter_close(t->generation);
    db_share_reconnects(NULL); /* the request threads have stopped */
    shared_counter_close(t->db_connects);
    free(t);
}
