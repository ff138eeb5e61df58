/*
 * app.c — wires trackgen's pieces into the HTTP layer's app_t (see app.h).
 */
#include "api/app.h"

#include <string.h>

#include "api/auth.h"
#include "api/key_cache.h"
#include "api/routes.h"
#include "db/db.h"
#include "track/track.h"
#include "util/log.h"

#define KEY_CACHE_FIRST_LOAD_WAIT_MS 5000

static struct db *thread_open(const config_t *cfg)
{
    return db_open(cfg->database_url);
}

/* The resources whose writes change what the caches hold (offers, their URLs and grants,
 * partners, API keys: every statement writing those tables is below these paths). */
static const char *const CACHED_RESOURCES[] = {"/v1/offers", "/v1/partners", "/v1/api-keys", NULL};

/* An admin write below them that may have committed something: anything but a refusal (4xx) or
 * a database that could not be reached (503). */
static bool writes_cached(const request_t *r)
{
    if (r->who.role != ROLE_ADMIN || strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0 ||
        strcmp(r->method, "OPTIONS") == 0)
        return false;
    int status = problem_has(&r->problem) ? problem_status(r->problem.kind) : r->resp.status;
    if ((status >= 400 && status < 500) || status == 503)
        return false;
    for (const char *const *p = CACHED_RESOURCES; *p; p++)
        if (strncmp(r->path, *p, strlen(*p)) == 0)
            return true;
    return false;
}

/* No transaction outlives its request: a handler that failed half-way keeps nothing partial.
 * After an admin write to what the caches hold (committed by now), the host's generation moves
 * on before the answer leaves, so every later read in every process sees it (db/live_cache.h). */
static void request_done(request_t *r)
{
    db_rollback(r->db);
    if (r->track && writes_cached(r))
        shared_counter_bump(r->track->generation);
}

static struct track *services_start(const config_t *cfg)
{
    track_t *t = track_start(cfg);
    if (!t)
        return NULL;
    t->keys = key_cache_start(cfg->database_url, t->generation, KEY_CACHE_FIRST_LOAD_WAIT_MS);
    if (!t->keys) {
        log_msg(LOG_ERROR, "cannot start the API key cache");
        track_stop(t);
        return NULL;
    }
    return t;
}

static void services_stop(struct track *t)
{
    if (t)
        key_cache_stop(t->keys);
    track_stop(t);
}

static void defer(struct track *t, const char *line, size_t len, app_done_fn done, void *ctx)
{
    track_defer(t, line, len, done, ctx);
}

const app_t *trackgen_app(void)
{
    static app_t app = {
        .authenticate = auth_authenticate,
        .thread_open = thread_open,
        .thread_close = db_close,
        .request_done = request_done,
        .services_start = services_start,
        .services_stop = services_stop,
        .defer = defer,
    };
    if (!app.routes)
        app.routes = routes_table(&app.nroutes);
    return &app;
}
