/*
 * app.h — what main hands the HTTP layer: the application's routes, how a caller is
 * authenticated, and the resources handlers reach through request_t (a per-thread handle in
 * r->db, the per-process services in r->track). With it the HTTP layer (server, dispatch,
 * exchange) knows nothing of api/, db/ or track/: every arrow points down, from the application
 * (api/app.c wires it) to the layers it uses.
 */
#ifndef TRACKGEN_APP_H
#define TRACKGEN_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"
#include "http/router.h"
#include "util/config.h"

/* A route's flags (route_t.flags): who may call it, enforced by the dispatcher. */
enum {
    ROUTE_PUBLIC = 0,  /* no API key */
    ROUTE_ANY_KEY = 1, /* admin or partner key */
    ROUTE_ADMIN = 2,   /* admin key; for a partner key the route "does not exist" (404) */
    ROUTE_AUTH_MASK = 3,
    ROUTE_CORS_ANY = 4,     /* callable from any origin (landing pages), whatever TRACKGEN_CORS_ORIGINS says */
    ROUTE_LIMIT_CLIENT = 8, /* public, but limited per client address (TRACKGEN_CLICKS_RATE_LIMIT) */
    /* The kind of body the route takes, for its size cap (http/body_limit.h); JSON when neither. */
    ROUTE_BODY_CSV = 16,    /* a CSV import (TRACKGEN_MAX_CSV_BODY) */
    ROUTE_BODY_UPLOAD = 32, /* an uploaded file (TRACKGEN_MAX_UPLOAD) */
    ROUTE_HEAVY = 64,       /* a large streamed answer: at most TRACKGEN_HEAVY_REQUESTS at once per process */
    /* With ROUTE_ANY_KEY: a signed URL (query p, exp, sig) may stand in for the key, for an <img> or
     * <a download> (api/signed_link.h); the authenticator tells them apart. */
    ROUTE_SIGNED = 128,
};

typedef void (*app_done_fn)(void *ctx, bool durable);

typedef struct app {
    const route_t *routes;
    size_t nroutes;
    /* Fills r->who from the request's credentials, or records a problem (401) and returns -1. */
    int (*authenticate)(request_t *r);
    /* One handle per worker thread (r->db), opened when the thread starts (NULL: it cannot) and
     * closed when it ends. */
    struct db *(*thread_open)(const config_t *cfg);
    void (*thread_close)(struct db *db);
    /* After every handler, before the answer is built (e.g. roll back a transaction left open). */
    void (*request_done)(request_t *r);
    /* The process's services (r->track), started before the first request is accepted (NULL:
     * they cannot start, logged) and stopped after the last one has been answered. */
    struct track *(*services_start)(const config_t *cfg);
    void (*services_stop)(struct track *t);
    /* Takes a deferred answer's line (r->defer); done(ctx, durable) runs later, exactly once, on
     * another thread (durable false: the answer must become r->defer.failed's). */
    void (*defer)(struct track *t, const char *line, size_t len, app_done_fn done, void *ctx);
} app_t;

#endif
