/*
 * app.c — wires trackgen's pieces into the HTTP layer's app_t (see app.h).
 */
#include "api/app.h"

#include "api/auth.h"
#include "api/routes.h"
#include "db/db.h"
#include "track/track.h"

static struct db *thread_open(const config_t *cfg)
{
    return db_open(cfg->database_url);
}

/* No transaction outlives its request: a handler that failed half-way keeps nothing partial. */
static void request_done(request_t *r)
{
    db_rollback(r->db);
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
        .services_start = track_start,
        .services_stop = track_stop,
        .defer = defer,
    };
    if (!app.routes)
        app.routes = routes_table(&app.nroutes);
    return &app;
}
