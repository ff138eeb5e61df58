/*
 * offer_cache.h — what the click path needs to know about offers, kept in memory.
 *
 * A snapshot of offers, their additional URLs, access grants and partner statuses is loaded at
 * start by a thread with its own connection, which then LISTENs on `trackgen_offer_cache`
 * (notified by triggers on those tables) and reloads on every change. While PostgreSQL is down
 * the last snapshot keeps serving; after a reconnect it is reloaded. Every snapshot loaded from
 * the database is also saved to a file, and a worker that starts while PostgreSQL is unreachable
 * serves from that file until the database is back. Lookups never touch the database, with one
 * exception: links are signed, so a link naming an offer, partner or offer URL the snapshot does
 * not know was made after the snapshot (created a moment ago, its notification still on the way);
 * such a click asks the loader for a fresh snapshot and waits for it (at most 1 s, shared by all
 * clicks waiting then) instead of answering from stale data. The API's offer reads
 * (api/offers.c) are answered from the same snapshot, which also holds each offer and URL as the
 * API shows it. The loading, listening and swapping are db/live_cache.h's. One cache per process,
 * owned by the server.
 */
#ifndef TRACKGEN_OFFER_CACHE_H
#define TRACKGEN_OFFER_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "track/click_rules.h"
#include "track/offer_snapshot.h"
#include "track/token.h"
#include "util/arena.h"
#include "util/shared_counter.h"

typedef struct offer_cache offer_cache_t;

/* Starts the loader thread and waits up to wait_ms for the first snapshot. save_path: where
 * snapshots are kept for a start without the database (NULL: nowhere); generation: the host's
 * (db/live_cache.h), or NULL. NULL on failure. */
offer_cache_t *offer_cache_start(const char *conninfo, const char *save_path, shared_counter_t *generation,
                                 int wait_ms);
void offer_cache_stop(offer_cache_t *c);
/* True once a snapshot has been loaded. */
bool offer_cache_ready(offer_cache_t *c);

/* The snapshot for an API read: one that has every write acknowledged on this host (waiting up to
 * a second for a load when needed), read-locked until offer_cache_release. NULL (nothing locked)
 * when there is none (database unreachable). */
const offer_snapshot_t *offer_cache_acquire_fresh(offer_cache_t *c);
void offer_cache_release(offer_cache_t *c);

/* Decides where a click on the link (partner, offer, URL) goes, by the rules of click_rules.h,
 * in the current snapshot (a fresh one when the link names what the snapshot lacks); without a
 * URL of its own the click goes to global_fallback. Strings are copied into the arena. Returns
 * false when the offer is unknown to the cache. */
bool offer_cache_route(offer_cache_t *c, const token_claims_t *claims, const char *global_fallback, arena_t *a,
                       click_route_t *out);

#endif
