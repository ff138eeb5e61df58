/*
 * server.c — FastCGI accept loop, worker threads and signal handling (see server.h).
 *
 * libfcgi's own SIGTERM handling only sets a flag that threads blocked in FCGX_Accept_r never
 * see, so signals are blocked in every thread and a dedicated thread waits for them with
 * sigwait(), then calls FCGX_ShutdownPending() and shuts the listening socket down, which makes
 * the blocked accept() calls return.
 */
#include "http/server.h"

#include <errno.h>
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "http/dispatch.h"
#include "http/exchange.h"
#include "http/response.h"
#include "track/track.h"
#include "util/arena.h"
#include "util/log.h"

#define LISTEN_BACKLOG 1024


typedef struct {
    const config_t *cfg;
    track_t *track;
    int listen_fd;
    atomic_bool stopping;
    sigset_t signals;
} server_t;

static void *worker_main(void *arg)
{
    server_t *s = arg;
    /* The thread's connection, for its whole life; closed below when the loop ends. */
    db_t *db = db_open(s->cfg->database_url);
    if (!db) {
        log_msg(LOG_ERROR, "worker thread could not start");
        abort();
    }
    exchange_t *x = exchange_get(s->listen_fd);
    while (!atomic_load(&s->stopping)) {
        if (FCGX_Accept_r(&x->fcgx) < 0)
            break;
        exchange_begin(x, s->cfg, db, s->track);
        if (dispatch_request(&x->req) == DISPATCH_DEFERRED) {
            track_defer(s->track, x); /* answered by the spool's responder; this thread moves on */
            x = exchange_get(s->listen_fd);
            continue;
        }
        exchange_complete(x);
        x = exchange_get(s->listen_fd);
    }
    exchange_complete_unused(x);
    db_close(db);
    return NULL;
}

static void *signal_main(void *arg)
{
    server_t *s = arg;
    int sig = 0;
    while (sigwait(&s->signals, &sig) != 0 || sig == SIGPIPE)
        ;
    log_msg(LOG_INFO, "signal %d: finishing requests in flight, then stopping", sig);
    atomic_store(&s->stopping, true);
    FCGX_ShutdownPending();
    shutdown(s->listen_fd, SHUT_RDWR); /* wakes threads blocked in accept() */
    return NULL;
}

static int open_listener(const char *listen)
{
    bool is_unix = strchr(listen, '/') != NULL;
    if (is_unix)
        unlink(listen); /* a stale socket from an earlier run */
    int fd = FCGX_OpenSocket(listen, LISTEN_BACKLOG);
    if (fd < 0)
        return -1;
    if (is_unix)
        chmod(listen, 0666); /* access is controlled by the directory holding the socket */
    return fd;
}

int server_run(const config_t *cfg)
{
    if (FCGX_Init() != 0) {
        log_msg(LOG_ERROR, "FCGX_Init failed");
        return 1;
    }
    server_t s = {.cfg = cfg};
    atomic_init(&s.stopping, false);
    sigemptyset(&s.signals);
    sigaddset(&s.signals, SIGTERM);
    sigaddset(&s.signals, SIGINT);
    sigaddset(&s.signals, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &s.signals, NULL); /* inherited by every thread created below */

    /* The tracking services first: the socket appears once the offer cache can answer clicks. */
    log_start_batching(); /* access lines leave in batches; on failure each is written at once */
    s.track = track_start(cfg);
    if (!s.track)
        return 1;
    if (dispatch_start(cfg) < 0) {
        track_stop(s.track);
        return 1;
    }
    s.listen_fd = open_listener(cfg->listen);
    if (s.listen_fd < 0) {
        log_msg(LOG_ERROR, "cannot listen on %s: %s", cfg->listen, strerror(errno));
        dispatch_stop();
        track_stop(s.track);
        return 1;
    }
    pthread_t sig_thread;
    pthread_t *threads = calloc((size_t)cfg->threads, sizeof *threads);
    if (!threads || pthread_create(&sig_thread, NULL, signal_main, &s) != 0) {
        log_msg(LOG_ERROR, "cannot start threads");
        return 1;
    }
    for (int i = 0; i < cfg->threads; i++) {
        if (pthread_create(&threads[i], NULL, worker_main, &s) != 0) {
            log_msg(LOG_ERROR, "cannot start worker thread %d", i);
            abort();
        }
    }
    log_msg(LOG_INFO, "serving on %s with %d threads", cfg->listen, cfg->threads);
    for (int i = 0; i < cfg->threads; i++)
        pthread_join(threads[i], NULL);
    pthread_join(sig_thread, NULL);
    free(threads);
    track_stop(s.track); /* no append can come any more; deferred answers are sent first */
    exchange_pool_free();
    dispatch_stop();
    close(s.listen_fd);
    if (strchr(cfg->listen, '/'))
        unlink(cfg->listen);
    log_msg(LOG_INFO, "stopped");
    log_stop_batching();
    return 0;
}
