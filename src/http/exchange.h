/*
 * exchange.h — one request/response in flight: its FastCGI request, its arena and its
 * request_t, in one heap object that can outlive the worker thread's turn.
 *
 * Most requests are answered by the thread that accepted them. A tracking hit is different: its
 * answer may only leave once the hit is durable, and the accepting thread should not sleep until
 * then. So the thread defers the exchange to the spool and accepts the next request with a fresh
 * exchange; the thread that writes the group commit's batch finishes the deferred one after it. Free
 * exchanges are pooled. The pool is owned by the server (exchange_pool_free at exit).
 *
 * Kept connections (nginx `fastcgi_keep_conn on` with upstream keep-alive) pin no thread: when a
 * finished exchange's connection stays open, the exchange is parked in the server's epoll set
 * (one-shot, its pointer as the event's data) until nginx sends the next request on it, and the
 * thread that sees that event reads the request with the parked exchange (exchange_unpark).
 */
#ifndef TRACKGEN_EXCHANGE_H
#define TRACKGEN_EXCHANGE_H

#include <fcgiapp.h>
#include <stdbool.h>

#include "http/request.h"

typedef struct exchange {
    FCGX_Request fcgx;
    arena_t *arena;
    request_t req;
    struct exchange *next, *prev; /* pool link (next), or parked list links */
    bool parked;                  /* under the pool's lock */
} exchange_t;

/* Parks exchanges whose connection nginx keeps open in epoll set ep (the server's). Until this is
 * called, and after it is called with -1 (which also closes every parked connection), a kept
 * connection is closed when its request is finished. */
void exchange_park_in(int ep);
/* Takes back a parked exchange whose connection became readable (ev.data.ptr of the epoll
 * event); the caller then accepts the next request on it with FCGX_Accept_r. */
void exchange_unpark(exchange_t *x);

/* A ready exchange for accepting on listen_fd (from the pool, or new). Aborts on OOM. */
exchange_t *exchange_get(int listen_fd);
/* Prepares req for a freshly accepted request. */
void exchange_begin(exchange_t *x, const config_t *cfg, struct db *db, struct track *track);
/* Sends the response as set, logs it, finishes the FastCGI request, resets the arena and
 * returns the exchange to the pool. After this the exchange belongs to nobody. */
void exchange_complete(exchange_t *x);
/* Returns an exchange that was got but never accepted a request to the pool. */
void exchange_complete_unused(exchange_t *x);
/* Frees every pooled exchange and closes every parked one (at shutdown, when none is in flight). */
void exchange_pool_free(void);

#endif
