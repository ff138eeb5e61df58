/*
 * exchange.c — exchanges and their pool (see exchange.h).
 */
#include "http/exchange.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "http/dispatch.h"
#include "http/response.h"
#include "util/log.h"

#define ARENA_CHUNK (64 * 1024)

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static exchange_t *pool;   /* free exchanges */
static exchange_t *parked; /* exchanges waiting for their kept connection's next request */
static int park_ep = -1;

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
 * socket, unread data would reset the connection under nginx's feet), then finishes the request;
 * a connection that closes does so without libfcgi's lingering close, which would wait for nginx
 * to close first: one round trip per request, paid serially by the thread that answers deferred
 * requests. A connection nginx asked to keep stays open. */
static void finish_fast(FCGX_Request *req)
{
    char drain[4096];
    while (FCGX_GetStr(drain, sizeof drain, req->in) > 0)
        ;
    FCGX_Detach(req);
    FCGX_Finish_r(req);
}

/* Closes x's connection and returns it to the pool (pool_mu held). */
static void close_into_pool(exchange_t *x)
{
    FCGX_Free(&x->fcgx, 1);
    x->next = pool;
    pool = x;
}

void exchange_park_in(int ep)
{
    pthread_mutex_lock(&pool_mu);
    park_ep = ep;
    while (ep < 0 && parked) {
        exchange_t *x = parked;
        parked = x->next;
        x->parked = false;
        close_into_pool(x);
    }
    pthread_mutex_unlock(&pool_mu);
}

/* The connection stays open (nginx keeps it): wait in the epoll set for its next request. All
 * under the lock, so a thread that sees the event at once (exchange_unpark) finds it listed. */
static void park(exchange_t *x)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = x};
    pthread_mutex_lock(&pool_mu);
    if (park_ep < 0 || epoll_ctl(park_ep, EPOLL_CTL_ADD, x->fcgx.ipcFd, &ev) < 0) {
        if (park_ep >= 0)
            log_msg(LOG_WARN, "cannot wait for a kept connection's next request: %s", strerror(errno));
        close_into_pool(x); /* nginx opens a new connection */
    } else {
        x->parked = true;
        x->prev = NULL;
        x->next = parked;
        if (parked)
            parked->prev = x;
        parked = x;
    }
    pthread_mutex_unlock(&pool_mu);
}

void exchange_unpark(exchange_t *x)
{
    pthread_mutex_lock(&pool_mu);
    epoll_ctl(park_ep, EPOLL_CTL_DEL, x->fcgx.ipcFd, NULL);
    if (x->parked) {
        if (x->prev)
            x->prev->next = x->next;
        else
            parked = x->next;
        if (x->next)
            x->next->prev = x->prev;
        x->parked = false;
    }
    x->next = x->prev = NULL;
    pthread_mutex_unlock(&pool_mu);
}

void exchange_complete(exchange_t *x)
{
    dispatch_send(&x->req);
    if (x->req.resp.aborted)
        shutdown(x->fcgx.ipcFd, SHUT_RDWR); /* no end record: nginx cuts the client's connection */
    buf_free(&x->req.resp.headers);
    finish_fast(&x->fcgx);
    arena_reset(x->arena);
    if (x->fcgx.ipcFd < 0) /* closed: libfcgi keeps a connection only when nginx asked to */
        pool_put(x);
    else
        park(x);
}

void exchange_complete_unused(exchange_t *x)
{
    pool_put(x);
}

void exchange_pool_free(void)
{
    exchange_park_in(-1);
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
