/*
 * offer_cache.c — in-memory snapshot of offer data for the click path (see offer_cache.h).
 *
 * A snapshot is immutable once built; the loader swaps the pointer under a write lock and frees
 * the old one, readers hold the read lock only while they copy what they need into their arena.
 */
#include "track/offer_cache.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "track/offer_snapshot_load.h"
#include "util/log.h"

#define REFRESH_WAIT_MS 1000 /* how long a click on a just-created link waits for fresh offer data */

struct offer_cache {
    char *conninfo;
    char *save_path; /* NULL: snapshots are not saved */
    pthread_t thread;
    pthread_rwlock_t lock;
    offer_snapshot_t *snap; /* NULL until the first load */
    pthread_mutex_t mu;
    pthread_cond_t loaded;
    bool stopping;
    /* Refreshes asked for by the click path (a signed link names something the snapshot does not
     * know yet: created a moment ago). Under mu: `asked` counts the requests, `covered` is the
     * count a load had seen when it started, so a load covers every request made before it. */
    int wake_fd; /* eventfd: wakes the loader out of its wait for notifications */
    uint64_t asked, covered;
};

static void snapshot_install(offer_cache_t *c, offer_snapshot_t *s, uint64_t covers)
{
    pthread_rwlock_wrlock(&c->lock);
    offer_snapshot_t *old = c->snap;
    c->snap = s;
    pthread_rwlock_unlock(&c->lock);
    offer_snapshot_free(old); /* no reader can hold it: they only use it under the read lock */
    pthread_mutex_lock(&c->mu);
    if (covers > c->covered)
        c->covered = covers;
    pthread_cond_broadcast(&c->loaded);
    pthread_mutex_unlock(&c->mu);
}

/* The number of refresh requests made so far: a load that starts now covers all of them. */
static uint64_t requests_so_far(offer_cache_t *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t n = c->asked;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static bool stopping(offer_cache_t *c)
{
    pthread_mutex_lock(&c->mu);
    bool s = c->stopping;
    pthread_mutex_unlock(&c->mu);
    return s;
}

/* Waits up to 1 s for notifications or a refresh request; returns 1 if a reload is due, 0 if
 * not, -1 if the connection failed. */
static int wait_notified(offer_cache_t *c, PGconn *conn)
{
    struct pollfd p[2] = {{.fd = PQsocket(conn), .events = POLLIN}, {.fd = c->wake_fd, .events = POLLIN}};
    int rc = poll(p, 2, 1000);
    if (rc < 0)
        return errno == EINTR ? 0 : -1;
    if (rc == 0)
        return 0;
    int got = 0;
    uint64_t asks;
    if ((p[1].revents & POLLIN) && read(c->wake_fd, &asks, sizeof asks) == sizeof asks)
        got = 1;
    if (!p[0].revents) /* POLLIN, or POLLHUP/POLLERR that PQconsumeInput reports */
        return got;
    if (!PQconsumeInput(conn))
        return -1;
    PGnotify *n;
    while ((n = PQnotifies(conn)) != NULL) {
        got = 1;
        PQfreemem(n);
    }
    return got;
}

/* Keeps the snapshot for a start without the database. */
static void save(offer_cache_t *c, const offer_snapshot_t *s)
{
    if (c->save_path && offer_snapshot_save(s, c->save_path) < 0)
        log_msg(LOG_WARN, "offer cache: cannot save the snapshot to %s: %s", c->save_path, strerror(errno));
}

static void *loader_main(void *arg)
{
    offer_cache_t *c = arg;
    PGconn *conn = NULL;
    while (!stopping(c)) {
        if (!conn || PQstatus(conn) != CONNECTION_OK) {
            if (conn)
                PQfinish(conn);
            /* A read-write primary only, as the shipper: a standby's snapshot may lag behind. */
            const char *keys[] = {"dbname", "connect_timeout", "application_name", "target_session_attrs", NULL};
            const char *vals[] = {c->conninfo, "3", "trackgen-offer-cache", "read-write", NULL};
            conn = PQconnectdbParams(keys, vals, 1);
            uint64_t covers = requests_so_far(c);
            PGresult *l = PQstatus(conn) == CONNECTION_OK ? PQexec(conn, "LISTEN trackgen_offer_cache") : NULL;
            bool ok = l && PQresultStatus(l) == PGRES_COMMAND_OK;
            PQclear(l);
            offer_snapshot_t *s = ok ? offer_snapshot_load(conn) : NULL;
            if (!s) {
                PQfinish(conn);
                conn = NULL;
                if (!offer_cache_ready(c) && c->save_path && (s = offer_snapshot_read(c->save_path)) != NULL) {
                    snapshot_install(c, s, 0); /* covers no request: it may be older than any */
                    log_msg(LOG_WARN, "offer cache: database unreachable; serving the snapshot saved in %s",
                            c->save_path);
                }
                struct timespec pause = {1, 0};
                nanosleep(&pause, NULL);
                continue;
            }
            save(c, s);
            snapshot_install(c, s, covers); /* changes made while disconnected are included */
            log_msg(LOG_INFO, "offer cache loaded: %zu offers, %zu urls, %zu grants, %zu partners", s->n_offers,
                    s->n_urls, s->n_grants, s->n_partners);
        }
        int w = wait_notified(c, conn);
        if (w < 0) {
            log_msg(LOG_WARN, "offer cache: lost the database connection; serving the last snapshot");
            PQfinish(conn);
            conn = NULL;
        } else if (w > 0) {
            uint64_t covers = requests_so_far(c);
            offer_snapshot_t *s = offer_snapshot_load(conn);
            if (s) {
                save(c, s);
                snapshot_install(c, s, covers);
            }
        }
    }
    if (conn)
        PQfinish(conn);
    return NULL;
}

/* A CLOCK_REALTIME deadline ms from now, for pthread_cond_timedwait. */
static struct timespec deadline_after_ms(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

offer_cache_t *offer_cache_start(const char *conninfo, const char *save_path, int wait_ms)
{
    offer_cache_t *c = calloc(1, sizeof *c);
    if (!c || !(c->conninfo = strdup(conninfo)) || (save_path && !(c->save_path = strdup(save_path)))) {
        if (c)
            free(c->conninfo);
        free(c);
        return NULL;
    }
    pthread_rwlock_init(&c->lock, NULL);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->loaded, NULL);
    c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->wake_fd < 0 || pthread_create(&c->thread, NULL, loader_main, c) != 0) {
        if (c->wake_fd >= 0)
            close(c->wake_fd);
        free(c->conninfo);
        free(c->save_path);
        free(c);
        return NULL;
    }
    struct timespec until = deadline_after_ms(wait_ms);
    pthread_mutex_lock(&c->mu);
    while (!offer_cache_ready(c))
        if (pthread_cond_timedwait(&c->loaded, &c->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&c->mu);
    return c;
}

void offer_cache_stop(offer_cache_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    offer_snapshot_free(c->snap);
    pthread_rwlock_destroy(&c->lock);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->loaded);
    close(c->wake_fd);
    free(c->conninfo);
    free(c->save_path);
    free(c);
}

/* Asks the loader for a fresh snapshot and waits up to wait_ms for one that was loaded after
 * this call. Returns false on timeout (database unreachable). Waiters share one load. */
static bool refresh(offer_cache_t *c, int wait_ms)
{
    struct timespec until = deadline_after_ms(wait_ms);
    pthread_mutex_lock(&c->mu);
    uint64_t mine = ++c->asked;
    uint64_t one = 1;
    if (write(c->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        log_msg(LOG_WARN, "offer cache: cannot wake the loader: %s", strerror(errno));
    while (c->covered < mine)
        if (pthread_cond_timedwait(&c->loaded, &c->mu, &until) == ETIMEDOUT)
            break;
    bool fresh = c->covered >= mine;
    pthread_mutex_unlock(&c->mu);
    return fresh;
}

bool offer_cache_ready(offer_cache_t *c)
{
    pthread_rwlock_rdlock(&c->lock);
    bool ready = c->snap != NULL;
    pthread_rwlock_unlock(&c->lock);
    return ready;
}

/* One lookup in the current snapshot, strings copied into the arena before the lock is released.
 * *known: everything the link names was found. Returns false when the offer is unknown. */
static bool lookup(offer_cache_t *c, const token_claims_t *claims, arena_t *a, click_route_t *out, bool *known)
{
    pthread_rwlock_rdlock(&c->lock);
    click_rules_result_t rc = c->snap ? click_rules_route(c->snap, claims, out) : CLICK_UNKNOWN_OFFER;
    if (rc != CLICK_UNKNOWN_OFFER) {
        out->url = out->url ? arena_strdup(a, out->url) : NULL;
        out->fallback = out->fallback ? arena_strdup(a, out->fallback) : NULL;
    }
    pthread_rwlock_unlock(&c->lock);
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
    if (!known && offer_cache_ready(c) && refresh(c, REFRESH_WAIT_MS))
        found = lookup(c, claims, a, out, &known);
    if (found && !out->url && global_fallback)
        out->url = global_fallback;
    if (found && !out->fallback)
        out->fallback = global_fallback;
    return found;
}
