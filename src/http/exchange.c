/*
 * exchange.c — exchanges and their pool (see exchange.h).
 */
#include "http/exchange.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http/dispatch.h"
#include "http/response.h"
#include "util/log.h"

#define ARENA_CHUNK (64 * 1024)

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static exchange_t *pool; /* free exchanges */

static void pool_put(exchange_t *x)
{
    pthread_mutex_lock(&pool_mu);
    x->next = pool;
    pool = x;
    pthread_mutex_unlock(&pool_mu);
}

exchange_t *exchange_get(int listen_fd)
{
    pthread_mutex_lock(&pool_mu);
    exchange_t *x = pool;
    if (x)
        pool = x->next;
    pthread_mutex_unlock(&pool_mu);
    if (x)
        return x;
    x = calloc(1, sizeof *x);
    if (!x || !(x->arena = arena_create(ARENA_CHUNK)) || FCGX_InitRequest(&x->fcgx, listen_fd, 0) != 0) {
        log_msg(LOG_ERROR, "out of memory for a new exchange");
        abort();
    }
    return x;
}

void exchange_begin(exchange_t *x, const config_t *cfg, struct db *db, struct track *track)
{
    request_t *r = &x->req;
    memset(r, 0, sizeof *r);
    r->fcgx = &x->fcgx;
    r->arena = x->arena;
    r->cfg = cfg;
    r->db = db;
    r->track = track;
    problem_init(&r->problem, x->arena);
    buf_init(&r->resp.headers, RESP_HEADERS_MAX);
}

/* Reads what is left of the request body, so that closing leaves nothing unread (on a unix
 * socket, unread data would reset the connection under nginx's feet), then closes without
 * libfcgi's lingering close, which would wait for nginx to close first: one round trip per
 * request, paid serially by the thread that answers deferred requests. */
static void finish_fast(FCGX_Request *req)
{
    char drain[4096];
    while (FCGX_GetStr(drain, sizeof drain, req->in) > 0)
        ;
    FCGX_Detach(req);
    FCGX_Finish_r(req);
}

void exchange_complete(exchange_t *x)
{
    dispatch_send(&x->req);
    if (x->req.resp.aborted)
        shutdown(x->fcgx.ipcFd, SHUT_RDWR); /* no end record: nginx cuts the client's connection */
    buf_free(&x->req.resp.headers);
    finish_fast(&x->fcgx);
    arena_reset(x->arena);
    pool_put(x);
}

void exchange_complete_unused(exchange_t *x)
{
    pool_put(x);
}

void exchange_pool_free(void)
{
    pthread_mutex_lock(&pool_mu);
    while (pool) {
        exchange_t *x = pool;
        pool = x->next;
        FCGX_Free(&x->fcgx, 1);
        arena_destroy(x->arena);
        free(x);
    }
    pthread_mutex_unlock(&pool_mu);
}
