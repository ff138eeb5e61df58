/*
 * key_cache.c — API keys from memory, kept fresh by LISTEN/NOTIFY (see key_cache.h).
 */
#include "api/key_cache.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/key_snapshot.h"
#include "util/buf.h"
#include "util/log.h"

#define FRESH_WAIT_MS 1000 /* how long a request waits for a snapshot that has the host's last write */

static const char Q_KEYS[] = "SELECT k.id, k.prefix, encode(k.key_hash, 'hex'), k.role = 'admin', k.partner_id,\n"
                             "       k.revoked_at IS NOT NULL, coalesce(p.status <> 'active', false), k.rate_limit\n"
                             "  FROM api_keys k\n"
                             "  LEFT JOIN partners p ON p.id = k.partner_id";

/* The uses taken from the snapshot: the later time of each key wins. Setting only last_used_at,
 * it fires no key-cache trigger (0012 lists the columns that matter). */
static const char Q_TOUCH[] = "UPDATE api_keys k\n"
                              "   SET last_used_at = u.at\n"
                              "  FROM (SELECT id, max(at) AS at\n"
                              "          FROM unnest($1::bigint[], $2::float8[]) AS t(id, s)\n"
                              "         CROSS JOIN LATERAL to_timestamp(t.s) AS at\n"
                              "         GROUP BY id) u\n"
                              " WHERE k.id = u.id\n"
                              "   AND (k.last_used_at IS NULL OR k.last_used_at < u.at)";

struct key_cache {
    live_cache_t *live;
    time_t last_flush;
    /* Uses taken but not written yet (the database was unreachable); the loader's alone. */
    int64_t *pending_ids, *pending_times;
    size_t n_pending;
};

static const char *const CHANNELS[] = {"trackgen_key_cache", NULL};

static void *load(PGconn *conn, void *ctx)
{
    (void)ctx;
    PGresult *r = PQexec(conn, Q_KEYS);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        log_msg(LOG_WARN, "key cache: %s", PQerrorMessage(conn));
        PQclear(r);
        return NULL;
    }
    key_snapshot_t *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->n = (size_t)PQntuples(r);
    s->keys = calloc(s->n + 1, sizeof *s->keys);
    if (!s->keys)
        abort();
    for (size_t i = 0; i < s->n; i++) {
        key_entry_t *k = &s->keys[i];
        int row = (int)i;
        k->id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
        snprintf(k->prefix, sizeof k->prefix, "%s", PQgetvalue(r, row, 1));
        snprintf(k->hash_hex, sizeof k->hash_hex, "%s", PQgetvalue(r, row, 2));
        k->admin = PQgetvalue(r, row, 3)[0] == 't';
        k->partner_id = PQgetisnull(r, row, 4) ? 0 : strtoll(PQgetvalue(r, row, 4), NULL, 10);
        k->revoked = PQgetvalue(r, row, 5)[0] == 't';
        k->partner_suspended = PQgetvalue(r, row, 6)[0] == 't';
        k->rate_limit = PQgetisnull(r, row, 7) ? -1 : atoi(PQgetvalue(r, row, 7));
    }
    PQclear(r);
    if (!key_snapshot_sort(s)) {
        log_msg(LOG_ERROR, "key cache: two keys share a prefix; keeping the last snapshot");
        key_snapshot_free(s);
        return NULL;
    }
    return s;
}

static void free_snapshot(void *s)
{
    key_snapshot_free(s);
}

static void retire(void *ctx, void *old, void *cur)
{
    (void)ctx;
    key_snapshot_carry_used(old, cur);
}

/* "{1,2,3}": an array parameter. */
static char *array_text(const int64_t *v, size_t n)
{
    buf_t b;
    buf_init(&b, SIZE_MAX / 2);
    buf_append(&b, "{", 1);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%" PRId64, i ? "," : "", v[i]);
    buf_append(&b, "}", 1);
    char *s = strndup(buf_ptr(&b), b.len);
    buf_free(&b);
    return s;
}

/* Writes the pending uses plus those recorded in cur; keeps them pending if it cannot. */
static void flush(key_cache_t *c, PGconn *conn, key_snapshot_t *cur)
{
    size_t room = c->n_pending + (cur ? cur->n : 0);
    if (room == 0)
        return;
    int64_t *ids = realloc(c->pending_ids, room * sizeof *ids),
            *times = ids ? realloc(c->pending_times, room * sizeof *times) : NULL;
    if (!ids || !times)
        abort();
    c->pending_ids = ids;
    c->pending_times = times;
    if (cur)
        c->n_pending += key_snapshot_take_used(cur, ids + c->n_pending, times + c->n_pending);
    if (c->n_pending == 0 || !conn)
        return;
    char *p_ids = array_text(ids, c->n_pending), *p_times = array_text(times, c->n_pending);
    const char *params[] = {p_ids, p_times};
    PGresult *r = PQexecParams(conn, Q_TOUCH, 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_COMMAND_OK)
        c->n_pending = 0;
    else
        log_msg(LOG_WARN, "key cache: cannot write last_used_at (retried later): %s", PQerrorMessage(conn));
    PQclear(r);
    free(p_ids);
    free(p_times);
}

static void tick(void *ctx, PGconn *conn, void *cur, bool final)
{
    key_cache_t *c = ctx;
    time_t now = time(NULL);
    if (!final && now / KEY_CACHE_FLUSH_S == c->last_flush / KEY_CACHE_FLUSH_S)
        return; /* once per minute of the clock */
    c->last_flush = now;
    flush(c, conn, cur);
}

key_cache_t *key_cache_start(const char *conninfo, shared_counter_t *generation, int wait_ms)
{
    key_cache_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->last_flush = time(NULL);
    live_cache_ops_t ops = {
        .name = "key cache",
        .channels = CHANNELS,
        .ctx = c,
        .load = load,
        .free = free_snapshot,
        .retire = retire,
        .tick = tick,
    };
    c->live = live_cache_start(conninfo, &ops, generation, wait_ms);
    if (!c->live) {
        free(c);
        return NULL;
    }
    return c;
}

void key_cache_stop(key_cache_t *c)
{
    if (!c)
        return;
    live_cache_stop(c->live); /* its final tick writes the uses */
    free(c->pending_ids);
    free(c->pending_times);
    free(c);
}

key_verdict_t key_cache_check(key_cache_t *c, const apikey_t *k, key_info_t *out)
{
    key_snapshot_t *s = (key_snapshot_t *)live_cache_acquire_fresh(c->live, FRESH_WAIT_MS);
    if (!s)
        return KEY_UNAVAILABLE;
    key_entry_t *e = key_snapshot_find(s, k->prefix);
    key_verdict_t v = !e || !apikey_hash_matches(k, e->hash_hex, strlen(e->hash_hex)) ? KEY_UNKNOWN
                      : e->revoked                                                    ? KEY_REVOKED
                      : e->partner_suspended                                          ? KEY_PARTNER_SUSPENDED
                                                                                      : KEY_OK;
    if (v == KEY_OK) {
        *out = (key_info_t){e->id, e->partner_id, e->rate_limit, e->admin};
        key_snapshot_mark_used(e, (int64_t)time(NULL));
    }
    live_cache_release(c->live);
    return v;
}

bool key_cache_ready(key_cache_t *c)
{
    return live_cache_ready(c->live);
}
