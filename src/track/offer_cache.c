/*
 * offer_cache.c — in-memory snapshot of offer data for the click path (see offer_cache.h).
 *
 * A snapshot is immutable once built; the loader swaps the pointer under a write lock and frees
 * the old one, readers hold the read lock only while they copy what they need into their arena.
 */
#include "track/offer_cache.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>

#include "util/log.h"

#define REFRESH_WAIT_MS 1000 /* how long a click on a just-created link waits for fresh offer data */

typedef struct {
    int64_t id;
    char status;     /* 'a'ctive, 'p'aused, 'r' archived */
    char visibility; /* 'u' public, 'r' require_approval, 'p' private */
    char *destination_url;
    char *fallback_url; /* NULL if none */
} offer_entry_t;

typedef struct {
    int64_t id;
    int64_t offer_id;
    char status;
    char *destination_url;
} url_entry_t;

typedef struct {
    int64_t offer_id;
    int64_t partner_id;
} grant_entry_t;

typedef struct {
    int64_t id;
    bool active;
} partner_entry_t;

typedef struct {
    offer_entry_t *offers;
    size_t n_offers;
    url_entry_t *urls;
    size_t n_urls;
    grant_entry_t *grants;
    size_t n_grants;
    partner_entry_t *partners;
    size_t n_partners;
} snapshot_t;

struct offer_cache {
    char *conninfo;
    char *save_path; /* NULL: snapshots are not saved */
    pthread_t thread;
    pthread_rwlock_t lock;
    snapshot_t *snap; /* NULL until the first load */
    pthread_mutex_t mu;
    pthread_cond_t loaded;
    bool stopping;
    /* Refreshes asked for by the click path (a signed link names something the snapshot does not
     * know yet: created a moment ago). Under mu: `asked` counts the requests, `covered` is the
     * count a load had seen when it started, so a load covers every request made before it. */
    int wake_fd; /* eventfd: wakes the loader out of its wait for notifications */
    uint64_t asked, covered;
};

/* Each query is ordered by its key so lookups can binary-search. */
static const char Q_OFFERS[] = "SELECT id, status, visibility, destination_url, fallback_url FROM offers ORDER BY id";
static const char Q_URLS[] = "SELECT id, offer_id, status, destination_url FROM offer_urls ORDER BY id";
static const char Q_GRANTS[] = "SELECT offer_id, partner_id FROM offer_partner_access ORDER BY offer_id, partner_id";
static const char Q_PARTNERS[] = "SELECT id, status = 'active' FROM partners ORDER BY id";

static char status_code(const char *s)
{
    return s[0] == 'a' && s[1] == 'r' ? 'r' : s[0]; /* active / paused / archived */
}

static char visibility_code(const char *s)
{
    return s[0] == 'p' && s[1] == 'u' ? 'u' : s[0] == 'r' ? 'r' : 'p';
}

static void snapshot_free(snapshot_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_offers; i++) {
        free(s->offers[i].destination_url);
        free(s->offers[i].fallback_url);
    }
    for (size_t i = 0; i < s->n_urls; i++)
        free(s->urls[i].destination_url);
    free(s->offers);
    free(s->urls);
    free(s->grants);
    free(s->partners);
    free(s);
}

static char *dup_or_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

static int64_t int_at(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static PGresult *query(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        log_msg(LOG_WARN, "offer cache: %s", PQerrorMessage(conn));
        PQclear(r);
        return NULL;
    }
    return r;
}

/* Loads a consistent snapshot (one REPEATABLE READ transaction). NULL on failure. */
static snapshot_t *snapshot_load(PGconn *conn)
{
    PGresult *begin = PQexec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    bool began = PQresultStatus(begin) == PGRES_COMMAND_OK;
    PQclear(begin);
    if (!began)
        return NULL;
    PGresult *ro = query(conn, Q_OFFERS), *ru = query(conn, Q_URLS), *rg = query(conn, Q_GRANTS),
             *rp = query(conn, Q_PARTNERS);
    PQclear(PQexec(conn, "COMMIT"));
    snapshot_t *s = NULL;
    if (!ro || !ru || !rg || !rp)
        goto out;
    s = calloc(1, sizeof *s);
    s->n_offers = (size_t)PQntuples(ro);
    s->offers = calloc(s->n_offers + 1, sizeof *s->offers);
    for (size_t i = 0; i < s->n_offers; i++) {
        offer_entry_t *o = &s->offers[i];
        o->id = int_at(ro, (int)i, 0);
        o->status = status_code(PQgetvalue(ro, (int)i, 1));
        o->visibility = visibility_code(PQgetvalue(ro, (int)i, 2));
        o->destination_url = dup_or_null(ro, (int)i, 3);
        o->fallback_url = dup_or_null(ro, (int)i, 4);
    }
    s->n_urls = (size_t)PQntuples(ru);
    s->urls = calloc(s->n_urls + 1, sizeof *s->urls);
    for (size_t i = 0; i < s->n_urls; i++) {
        url_entry_t *u = &s->urls[i];
        u->id = int_at(ru, (int)i, 0);
        u->offer_id = int_at(ru, (int)i, 1);
        u->status = status_code(PQgetvalue(ru, (int)i, 2));
        u->destination_url = dup_or_null(ru, (int)i, 3);
    }
    s->n_grants = (size_t)PQntuples(rg);
    s->grants = calloc(s->n_grants + 1, sizeof *s->grants);
    for (size_t i = 0; i < s->n_grants; i++)
        s->grants[i] = (grant_entry_t){int_at(rg, (int)i, 0), int_at(rg, (int)i, 1)};
    s->n_partners = (size_t)PQntuples(rp);
    s->partners = calloc(s->n_partners + 1, sizeof *s->partners);
    for (size_t i = 0; i < s->n_partners; i++)
        s->partners[i] = (partner_entry_t){int_at(rp, (int)i, 0), PQgetvalue(rp, (int)i, 1)[0] == 't'};
out:
    PQclear(ro);
    PQclear(ru);
    PQclear(rg);
    PQclear(rp);
    return s;
}

/* The snapshot file: one record per line, tab-separated, "\N" for NULL. Stored URLs contain no
 * tabs, newlines or spaces (url_check), so no escaping is needed. */
static const char *or_null(const char *s)
{
    return s ? s : "\\N";
}

static void snapshot_save(const snapshot_t *s, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    fprintf(f, "trackgen-offer-cache 1\n");
    for (size_t i = 0; i < s->n_offers; i++)
        fprintf(f, "O\t%" PRId64 "\t%c\t%c\t%s\t%s\n", s->offers[i].id, s->offers[i].status, s->offers[i].visibility,
                or_null(s->offers[i].destination_url), or_null(s->offers[i].fallback_url));
    for (size_t i = 0; i < s->n_urls; i++)
        fprintf(f, "U\t%" PRId64 "\t%" PRId64 "\t%c\t%s\n", s->urls[i].id, s->urls[i].offer_id, s->urls[i].status,
                or_null(s->urls[i].destination_url));
    for (size_t i = 0; i < s->n_grants; i++)
        fprintf(f, "G\t%" PRId64 "\t%" PRId64 "\n", s->grants[i].offer_id, s->grants[i].partner_id);
    for (size_t i = 0; i < s->n_partners; i++)
        fprintf(f, "P\t%" PRId64 "\t%d\n", s->partners[i].id, s->partners[i].active);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

static char *field_dup(const char *s)
{
    return strcmp(s, "\\N") == 0 ? NULL : strdup(s);
}

/* Appends one parsed record to s; false if the line is not a record. */
static bool snapshot_add_line(snapshot_t *s, char *line, size_t caps[4])
{
    char *f[6] = {0};
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, "\t\n", &save); t && n < 6; t = strtok_r(NULL, "\t\n", &save))
        f[n++] = t;
    if (n == 6 && strcmp(f[0], "O") == 0) {
        if (s->n_offers == caps[0] && !(s->offers = realloc(s->offers, (caps[0] = 2 * caps[0] + 16) * sizeof *s->offers)))
            abort();
        s->offers[s->n_offers++] = (offer_entry_t){strtoll(f[1], NULL, 10), f[2][0], f[3][0], field_dup(f[4]), field_dup(f[5])};
    } else if (n == 5 && strcmp(f[0], "U") == 0) {
        if (s->n_urls == caps[1] && !(s->urls = realloc(s->urls, (caps[1] = 2 * caps[1] + 16) * sizeof *s->urls)))
            abort();
        s->urls[s->n_urls++] = (url_entry_t){strtoll(f[1], NULL, 10), strtoll(f[2], NULL, 10), f[3][0], field_dup(f[4])};
    } else if (n == 3 && strcmp(f[0], "G") == 0) {
        if (s->n_grants == caps[2] && !(s->grants = realloc(s->grants, (caps[2] = 2 * caps[2] + 16) * sizeof *s->grants)))
            abort();
        s->grants[s->n_grants++] = (grant_entry_t){strtoll(f[1], NULL, 10), strtoll(f[2], NULL, 10)};
    } else if (n == 3 && strcmp(f[0], "P") == 0) {
        if (s->n_partners == caps[3]
            && !(s->partners = realloc(s->partners, (caps[3] = 2 * caps[3] + 16) * sizeof *s->partners)))
            abort();
        s->partners[s->n_partners++] = (partner_entry_t){strtoll(f[1], NULL, 10), f[2][0] == '1'};
    } else {
        return false;
    }
    return true;
}

/* Reads a saved snapshot (written in key order, so it is ready for binary search). */
static snapshot_t *snapshot_read(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[8192];
    snapshot_t *s = NULL;
    if (!fgets(line, sizeof line, f) || strcmp(line, "trackgen-offer-cache 1\n") != 0)
        goto out;
    s = calloc(1, sizeof *s);
    size_t caps[4] = {0, 0, 0, 0};
    while (fgets(line, sizeof line, f)) {
        if (!snapshot_add_line(s, line, caps)) {
            snapshot_free(s);
            s = NULL;
            break;
        }
    }
out:
    fclose(f);
    return s;
}

static void snapshot_install(offer_cache_t *c, snapshot_t *s, uint64_t covers)
{
    pthread_rwlock_wrlock(&c->lock);
    snapshot_t *old = c->snap;
    c->snap = s;
    pthread_rwlock_unlock(&c->lock);
    snapshot_free(old); /* no reader can hold it: they only use it under the read lock */
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
            snapshot_t *s = ok ? snapshot_load(conn) : NULL;
            if (!s) {
                PQfinish(conn);
                conn = NULL;
                if (!offer_cache_ready(c) && c->save_path && (s = snapshot_read(c->save_path)) != NULL) {
                    snapshot_install(c, s, 0); /* covers no request: it may be older than any */
                    log_msg(LOG_WARN, "offer cache: database unreachable; serving the snapshot saved in %s",
                            c->save_path);
                }
                struct timespec pause = {1, 0};
                nanosleep(&pause, NULL);
                continue;
            }
            if (c->save_path)
                snapshot_save(s, c->save_path);
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
            snapshot_t *s = snapshot_load(conn);
            if (s && c->save_path)
                snapshot_save(s, c->save_path);
            if (s)
                snapshot_install(c, s, covers);
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
    snapshot_free(c->snap);
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

static int cmp_offer(const void *k, const void *e)
{
    int64_t a = *(const int64_t *)k, b = ((const offer_entry_t *)e)->id;
    return (a > b) - (a < b);
}

static int cmp_url(const void *k, const void *e)
{
    int64_t a = *(const int64_t *)k, b = ((const url_entry_t *)e)->id;
    return (a > b) - (a < b);
}

static int cmp_partner(const void *k, const void *e)
{
    int64_t a = *(const int64_t *)k, b = ((const partner_entry_t *)e)->id;
    return (a > b) - (a < b);
}

static int cmp_grant(const void *k, const void *e)
{
    const grant_entry_t *a = k, *b = e;
    if (a->offer_id != b->offer_id)
        return (a->offer_id > b->offer_id) - (a->offer_id < b->offer_id);
    return (a->partner_id > b->partner_id) - (a->partner_id < b->partner_id);
}

/* The routing rules; s is held under the read lock by the caller. Returns false when the link
 * names a partner or URL this snapshot does not know (it is older than they are). */
static bool route(const snapshot_t *s, const offer_entry_t *o, const token_claims_t *t, click_route_t *r)
{
    const partner_entry_t *p = bsearch(&t->partner_id, s->partners, s->n_partners, sizeof *p, cmp_partner);
    const url_entry_t *u = t->offer_url_id ? bsearch(&t->offer_url_id, s->urls, s->n_urls, sizeof *u, cmp_url) : NULL;
    bool known = p && (!t->offer_url_id || u);
    grant_entry_t key = {o->id, t->partner_id};
    bool granted = o->visibility == 'u' || bsearch(&key, s->grants, s->n_grants, sizeof key, cmp_grant);
    r->url = NULL;
    r->fallback = o->fallback_url;
    if (!p || !p->active)
        r->outcome = "fallback_partner_inactive";
    else if (o->status == 'r')
        r->outcome = "fallback_archived";
    else if (o->status == 'p')
        r->outcome = "fallback_paused";
    else if (!granted)
        r->outcome = "fallback_no_access";
    else
        r->outcome = "redirected";
    if (strcmp(r->outcome, "redirected") != 0) {
        r->url = o->fallback_url;
        return known;
    }
    r->url = o->destination_url;
    if (t->offer_url_id) {
        if (u && u->offer_id == o->id && u->status == 'a')
            r->url = u->destination_url;
        else
            r->outcome = "fallback_url_inactive"; /* the offer's own landing page */
    }
    return known;
}

/* One lookup in the current snapshot. *known: everything the link names was found. */
static bool lookup(offer_cache_t *c, const token_claims_t *claims, arena_t *a, click_route_t *out, bool *known)
{
    pthread_rwlock_rdlock(&c->lock);
    const snapshot_t *s = c->snap;
    const offer_entry_t *o = s ? bsearch(&claims->offer_id, s->offers, s->n_offers, sizeof *o, cmp_offer) : NULL;
    *known = o != NULL;
    if (o) {
        *known = route(s, o, claims, out);
        out->url = out->url ? arena_strdup(a, out->url) : NULL; /* copied before the lock is released */
        out->fallback = out->fallback ? arena_strdup(a, out->fallback) : NULL;
    }
    pthread_rwlock_unlock(&c->lock);
    return o != NULL;
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
