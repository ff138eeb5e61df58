/*
 * offer_cache.c — in-memory snapshot of offer data for the click path and the API's offer reads
 * (see offer_cache.h), kept fresh by a db/live_cache.h loader.
 */
#include "track/offer_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/live_cache.h"
#include "track/offer_snapshot_load.h"
#include "util/log.h"

#define REFRESH_WAIT_MS 1000 /* how long a click on a just-created link waits for fresh offer data */
#define FRESH_WAIT_MS 1000   /* how long an API read waits for a snapshot with the host's last write */

struct offer_cache {
    live_cache_t *live;
    char *save_path; /* NULL: snapshots are not saved */
};

static const char *const CHANNELS[] = {"trackgen_offer_cache", NULL};

static void *load(PGconn *conn, void *ctx)
{
    (void)ctx;
    return offer_snapshot_load(conn);
}

static void free_snapshot(void *s)
{
    offer_snapshot_free(s);
}

/* Keeps the snapshot for a start without the database. */
static void loaded(void *ctx, const void *snap)
{
    const offer_cache_t *c = ctx;
    const offer_snapshot_t *s = snap;
    if (c->save_path && offer_snapshot_save(s, c->save_path) < 0)
        log_msg(LOG_WARN, "offer cache: cannot save the snapshot to %s: %s", c->save_path, strerror(errno));
    log_msg(LOG_DEBUG, "offer cache loaded: %zu offers, %zu urls, %zu grants, %zu partners", s->n_offers, s->n_urls,
            s->n_grants, s->n_partners);
}

static void *fallback(void *ctx)
{
    const offer_cache_t *c = ctx;
    return c->save_path ? offer_snapshot_read(c->save_path) : NULL;
}

offer_cache_t *offer_cache_start(const char *conninfo, const char *save_path, shared_counter_t *generation, int wait_ms)
{
    offer_cache_t *c = calloc(1, sizeof *c);
    if (!c || (save_path && !(c->save_path = strdup(save_path)))) {
        free(c);
        return NULL;
    }
    live_cache_ops_t ops = {
        .name = "offer cache",
        .channels = CHANNELS,
        .ctx = c,
        .load = load,
        .free = free_snapshot,
        .loaded = loaded,
        .fallback = fallback,
    };
    c->live = live_cache_start(conninfo, &ops, generation, wait_ms);
    if (!c->live) {
        free(c->save_path);
        free(c);
        return NULL;
    }
    return c;
}

void offer_cache_stop(offer_cache_t *c)
{
    if (!c)
        return;
    live_cache_stop(c->live);
    free(c->save_path);
    free(c);
}

bool offer_cache_ready(offer_cache_t *c)
{
    return live_cache_ready(c->live);
}

const offer_snapshot_t *offer_cache_acquire_fresh(offer_cache_t *c)
{
    return live_cache_acquire_fresh(c->live, FRESH_WAIT_MS);
}

void offer_cache_release(offer_cache_t *c)
{
    live_cache_release(c->live);
}

/* One lookup in the current snapshot, strings copied into the arena before the lock is released.
 * *known: everything the link names was found. Returns false when the offer is unknown. */
static bool lookup(offer_cache_t *c, const token_claims_t *claims, arena_t *a, click_route_t *out, bool *known)
{
    const offer_snapshot_t *s = live_cache_acquire(c->live);
    click_rules_result_t rc = s ? click_rules_route(s, claims, out) : CLICK_UNKNOWN_OFFER;
    if (rc != CLICK_UNKNOWN_OFFER) {
        out->url = out->url ? arena_strdup(a, out->url) : NULL;
        out->fallback = out->fallback ? arena_strdup(a, out->fallback) : NULL;
    }
    if (s)
        live_cache_release(c->live);
    *known = rc == CLICK_ROUTED;
    return rc != CLICK_UNKNOWN_OFFER;
}

bool offer_cache_route(offer_cache_t *c, const token_claims_t *claims, const char *global_fallback, arena_t *a,
                       click_route_t *out)
{
    bool known;
    bool found = lookup(c, claims, a, out, &known);
    /* Links are signed, so a link naming an offer, partner or URL the snapshot lacks was made
     * after the snapshot: wait (briefly) for a fresh one rather than answer from stale data. */
    if (!known && offer_cache_ready(c) && live_cache_refresh(c->live, REFRESH_WAIT_MS))
        found = lookup(c, claims, a, out, &known);
    if (found && !out->url && global_fallback)
        out->url = global_fallback;
    if (found && !out->fallback)
        out->fallback = global_fallback;
    return found;
}
