/*
 * live_cache.c — snapshots of database tables kept fresh by LISTEN/NOTIFY (see live_cache.h).
 */
#include "db/live_cache.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util/deadline.h"
#include "util/log.h"

#define RETRY_MIN_MS 100 /* between two connection attempts while the database is unreachable */

struct live_cache {
    live_cache_ops_t ops;
    char *conninfo;
    shared_counter_t *generation; /* the host's, or NULL */
    pthread_t thread;
    pthread_rwlock_t lock;    /* writer-preferring: see live_cache.h */
    void *snap;               /* NULL until the first load */
    uint64_t snap_generation; /* the host generation read before snap's load began */
    pthread_mutex_t mu;
    pthread_cond_t loaded;
    bool stopping;
    /* Refreshes asked for by readers. Under mu: `asked` counts the requests, `covered` is the
     * count a load had seen when it started, so a load covers every request made before it;
     * `tried` is the same for the last attempt, failed or not (a waiter stops waiting then). */
    int wake_fd; /* eventfd: wakes the loader out of its wait for notifications or a reconnect */
    uint64_t asked, covered, tried;
};

static void install(live_cache_t *c, void *s, uint64_t covers, uint64_t generation)
{
    pthread_rwlock_wrlock(&c->lock);
    void *old = c->snap;
    c->snap = s;
    c->snap_generation = generation;
    pthread_rwlock_unlock(&c->lock);
    /* No reader can hold old: they only use it under the read lock. */
    if (old && c->ops.retire)
        c->ops.retire(c->ops.ctx, old, s);
    if (old)
        c->ops.free(old);
    pthread_mutex_lock(&c->mu);
    if (covers > c->covered)
        c->covered = covers;
    if (covers > c->tried)
        c->tried = covers;
    pthread_cond_broadcast(&c->loaded);
    pthread_mutex_unlock(&c->mu);
}

/* An attempt that began when `covers` refreshes had been asked for failed: they wait no more. */
static void attempt_failed(live_cache_t *c, uint64_t covers)
{
    pthread_mutex_lock(&c->mu);
    if (covers > c->tried)
        c->tried = covers;
    pthread_cond_broadcast(&c->loaded);
    pthread_mutex_unlock(&c->mu);
}

/* The number of refresh requests made so far: a load that starts now covers all of them. */
static uint64_t requests_so_far(live_cache_t *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t n = c->asked;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static bool stopping(live_cache_t *c)
{
    pthread_mutex_lock(&c->mu);
    bool s = c->stopping;
    pthread_mutex_unlock(&c->mu);
    return s;
}

/* Waits up to 1 s for notifications or a refresh request; returns 1 if a load is due, 0 if not,
 * -1 if the connection failed. */
static int wait_notified(live_cache_t *c, PGconn *conn)
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

/* Loads and installs a snapshot covering the first `covers` refresh requests; false if the load
 * failed. */
static bool load(live_cache_t *c, PGconn *conn, uint64_t covers)
{
    uint64_t generation = shared_counter_get(c->generation); /* before the load's transaction begins */
    void *s = c->ops.load(conn, c->ops.ctx);
    if (!s) {
        attempt_failed(c, covers);
        return false;
    }
    if (c->ops.loaded)
        c->ops.loaded(c->ops.ctx, s);
    install(c, s, covers, generation);
    return true;
}

/* Disconnected: the next attempt comes after a second, or sooner when a reader asks for a fresh
 * snapshot (the database may be back), but never sooner than RETRY_MIN_MS after the last one. */
static void wait_woken(live_cache_t *c)
{
    struct timespec pause = {0, RETRY_MIN_MS * 1000000L};
    nanosleep(&pause, NULL);
    struct pollfd p = {.fd = c->wake_fd, .events = POLLIN};
    uint64_t asks;
    if (poll(&p, 1, 1000 - RETRY_MIN_MS) > 0 && read(c->wake_fd, &asks, sizeof asks) < 0)
        return; /* EAGAIN: another wake was consumed meanwhile */
}

/* A connection that LISTENs on every channel, or NULL. */
static PGconn *connect_listening(live_cache_t *c)
{
    const char *keys[] = {"dbname", "connect_timeout", "application_name", "target_session_attrs", NULL};
    char app[64];
    snprintf(app, sizeof app, "trackgen %s", c->ops.name);
    const char *vals[] = {c->conninfo, "3", app, "read-write", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    bool ok = PQstatus(conn) == CONNECTION_OK;
    for (const char *const *ch = c->ops.channels; ok && *ch; ch++) {
        char sql[128];
        snprintf(sql, sizeof sql, "LISTEN %s", *ch);
        PGresult *l = PQexec(conn, sql);
        ok = PQresultStatus(l) == PGRES_COMMAND_OK;
        PQclear(l);
    }
    if (!ok) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

static void *loader_main(void *arg)
{
    pthread_setname_np(pthread_self(), "tg-cache"); /* for top -H, perf and gdb */
    live_cache_t *c = arg;
    PGconn *conn = NULL;
    while (!stopping(c)) {
        if (!conn) {
            uint64_t covers = requests_so_far(c);
            conn = connect_listening(c);
            if (!conn)
                attempt_failed(c, covers);
            if (!conn || !load(c, conn, covers)) { /* changes made while disconnected are included once it succeeds */
                PQfinish(conn);
                conn = NULL;
                void *s;
                if (!live_cache_ready(c) && c->ops.fallback && (s = c->ops.fallback(c->ops.ctx)) != NULL) {
                    install(c, s, 0, 0); /* covers no request and no write: it may be older than any */
                    log_msg(LOG_WARN, "%s: database unreachable; serving a saved snapshot", c->ops.name);
                }
                if (c->ops.tick)
                    c->ops.tick(c->ops.ctx, NULL, c->snap, false);
                wait_woken(c);
                continue;
            }
        }
        int w = wait_notified(c, conn);
        if (w < 0) {
            log_msg(LOG_WARN, "%s: lost the database connection; serving the last snapshot", c->ops.name);
            PQfinish(conn);
            conn = NULL;
        } else if (w > 0) {
            load(c, conn, requests_so_far(c));
        }
        if (c->ops.tick)
            c->ops.tick(c->ops.ctx, conn, c->snap, false); /* the loader is the only writer of c->snap */
    }
    if (c->ops.tick)
        c->ops.tick(c->ops.ctx, conn, c->snap, true);
    PQfinish(conn);
    return NULL;
}

static void destroy(live_cache_t *c)
{
    pthread_rwlock_destroy(&c->lock);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->loaded);
    if (c->wake_fd >= 0)
        close(c->wake_fd);
    free(c->conninfo);
    free(c);
}

live_cache_t *live_cache_start(const char *conninfo, const live_cache_ops_t *ops, shared_counter_t *generation,
                               int wait_ms)
{
    live_cache_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ops = *ops;
    c->generation = generation;
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&c->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->loaded, NULL);
    c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    c->conninfo = strdup(conninfo);
    if (!c->conninfo || c->wake_fd < 0 || pthread_create(&c->thread, NULL, loader_main, c) != 0) {
        destroy(c);
        return NULL;
    }
    struct timespec until = deadline_in_ms(CLOCK_REALTIME, wait_ms);
    pthread_mutex_lock(&c->mu);
    while (!live_cache_ready(c))
        if (pthread_cond_timedwait(&c->loaded, &c->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&c->mu);
    return c;
}

void live_cache_stop(live_cache_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    if (c->snap)
        c->ops.free(c->snap);
    destroy(c);
}

bool live_cache_ready(live_cache_t *c)
{
    pthread_rwlock_rdlock(&c->lock);
    bool ready = c->snap != NULL;
    pthread_rwlock_unlock(&c->lock);
    return ready;
}

const void *live_cache_acquire(live_cache_t *c)
{
    pthread_rwlock_rdlock(&c->lock);
    if (!c->snap) {
        pthread_rwlock_unlock(&c->lock);
        return NULL;
    }
    return c->snap;
}

/* Wakes the loader out of its wait. */
static void wake(live_cache_t *c)
{
    uint64_t one = 1;
    if (write(c->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        log_msg(LOG_WARN, "%s: cannot wake the loader: %s", c->ops.name, strerror(errno));
}

const void *live_cache_acquire_fresh(live_cache_t *c, int wait_ms)
{
    uint64_t want = shared_counter_get(c->generation);
    pthread_rwlock_rdlock(&c->lock);
    if (c->snap && c->snap_generation >= want)
        return c->snap;
    pthread_rwlock_unlock(&c->lock);
    /* A load that starts after this call reads a generation >= want, so it sees the write. While
     * the database is unreachable the attempt fails at once (connection refused), and so does this. */
    if (!live_cache_refresh(c, wait_ms))
        return NULL;
    return live_cache_acquire(c);
}

void live_cache_release(live_cache_t *c)
{
    pthread_rwlock_unlock(&c->lock);
}

bool live_cache_refresh(live_cache_t *c, int wait_ms)
{
    struct timespec until = deadline_in_ms(CLOCK_REALTIME, wait_ms);
    pthread_mutex_lock(&c->mu);
    uint64_t mine = ++c->asked;
    wake(c);
    while (c->covered < mine && c->tried < mine)
        if (pthread_cond_timedwait(&c->loaded, &c->mu, &until) == ETIMEDOUT)
            break;
    bool fresh = c->covered >= mine;
    pthread_mutex_unlock(&c->mu);
    return fresh;
}
