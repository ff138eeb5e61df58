/*
 * server.c — FastCGI accept loop, worker threads and signal handling (see server.h).
 *
 * Signals are blocked in every thread; a dedicated thread waits for them with sigwait().
 * (libfcgi's own SIGTERM handling only sets a flag that threads blocked in FCGX_Accept_r never
 * see.) The listening socket is non-blocking and idle threads sleep in one epoll set, which holds
 * the socket, the connections nginx keeps open between requests (parked exchanges, one-shot: see
 * http/exchange.h) and an eventfd that the signal thread makes readable to stop. epoll_wait
 * wakes one waiting thread per event, so a new connection or request wakes one idle thread, not
 * all; stopping wakes every thread without touching the socket, which a successor worker may be
 * accepting from at the same time (no shutdown(), and no signals into threads, which would
 * interrupt requests in flight).
 */
#include "http/server.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/dispatch.h"
#include "http/exchange.h"
#include "http/response.h"
#include "util/arena.h"
#include "util/log.h"

#define LISTEN_BACKLOG 1024
/* An idle thread also retries accept() this often: a connection whose wake-up went to a thread
 * of a worker that was stopping at that moment is picked up within this time. */
#define IDLE_RECHECK_MS 250
/* After an accept error other than "nothing to accept" (e.g. out of file descriptors). */
#define ACCEPT_ERROR_PAUSE_MS 100

typedef struct {
    const config_t *cfg;
    const app_t *app;
    struct track *track; /* the app's services */
    int listen_fd;
    int stop_fd; /* eventfd, readable once the worker stops */
    int ep;      /* the idle threads' epoll set */
    atomic_bool stopping;
    atomic_llong last_error_log_s; /* accept errors are logged at most once a second */
    sigset_t signals;
} server_t;

/* The idle threads' epoll set: the listening socket and the stop eventfd (level-triggered, their
 * data NULL), and the parked exchanges (their pointers). */
static int accept_poller(server_t *s)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return -1;
    struct epoll_event conn = {.events = EPOLLIN, .data.ptr = NULL};
    struct epoll_event stop = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, s->listen_fd, &conn) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s->stop_fd, &stop) < 0) {
        close(ep);
        return -1;
    }
    return ep;
}

static void accept_error(server_t *s, int rc)
{
    long long now = (long long)time(NULL);
    if (atomic_exchange(&s->last_error_log_s, now) != now)
        log_msg(LOG_WARN, "accept failed: %s", rc > -4096 ? strerror(-rc) : "unknown error");
    nanosleep(&(struct timespec){.tv_nsec = ACCEPT_ERROR_PAUSE_MS * 1000000L}, NULL);
}

/* Accepts the next request: a new connection's, into *x, or the next one on a kept connection,
 * into that connection's parked exchange, which then replaces *x (the spare goes back to the
 * pool). Returns false once the worker stops. */
static bool accept_next(server_t *s, exchange_t **x)
{
    while (!atomic_load(&s->stopping)) {
        int rc = FCGX_Accept_r(&(*x)->fcgx);
        if (rc == 0)
            return true;
        if (rc != -EAGAIN && rc != -EWOULDBLOCK && rc != -EINTR) {
            accept_error(s, rc);
            continue;
        }
        struct epoll_event ev;
        if (epoll_wait(s->ep, &ev, 1, IDLE_RECHECK_MS) != 1 || !ev.data.ptr)
            continue;
        exchange_t *kept = ev.data.ptr;
        exchange_unpark(kept);
        /* Reads the request; if nginx closed the connection instead, libfcgi closes it too and
         * tries the (non-blocking) listening socket. */
        rc = FCGX_Accept_r(&kept->fcgx);
        if (rc == 0) {
            exchange_complete_unused(*x);
            *x = kept;
            return true;
        }
        exchange_complete_unused(kept);
    }
    return false;
}

/* A deferred exchange's line is durable (or could not be made so): answer it now. */
static void deferred_done(void *ctx, bool durable)
{
    exchange_t *x = ctx;
    if (!durable)
        x->req.defer.failed(&x->req);
    exchange_complete(x);
}

static void *worker_main(void *arg)
{
    pthread_setname_np(pthread_self(), "tg-request"); /* for top -H, perf and gdb */
    server_t *s = arg;
    /* The thread's handle (a database connection), for its whole life; closed when the loop ends. */
    struct db *db = s->app->thread_open(s->cfg);
    if (!db) {
        log_msg(LOG_ERROR, "worker thread could not start");
        abort();
    }
    exchange_t *x = exchange_get(s->listen_fd);
    while (accept_next(s, &x)) {
        exchange_begin(x, s->cfg, db, s->track);
        if (dispatch_request(&x->req) ==
            DISPATCH_DEFERRED) /* answered once durable (by whichever thread writes its batch) */
            s->app->defer(s->track, x->req.defer.line, x->req.defer.len, deferred_done, x);
        else
            exchange_complete(x);
        x = exchange_get(s->listen_fd);
    }
    exchange_complete_unused(x);
    s->app->thread_close(db);
    return NULL;
}

static void *signal_main(void *arg)
{
    pthread_setname_np(pthread_self(), "tg-signal"); /* for top -H, perf and gdb */
    server_t *s = arg;
    int sig = 0;
    for (;;) {
        if (sigwait(&s->signals, &sig) != 0 || sig == SIGPIPE)
            continue;
        if (sig != SIGHUP)
            break;
        log_msg(LOG_INFO, "SIGHUP ignored: a worker is replaced through its supervisor (serve --workers)");
    }
    log_msg(LOG_INFO, "signal %d: finishing requests in flight, then stopping", sig);
    atomic_store(&s->stopping, true);
    eventfd_write(s->stop_fd, 1); /* wakes every thread's epoll_wait */
    return NULL;
}

int server_listen(const char *listen)
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

/* The listening socket, non-blocking: opened, or inherited (and checked). */
static int listener(const config_t *cfg, int inherited)
{
    int fd = inherited;
    struct stat st;
    if (fd < 0) {
        fd = server_listen(cfg->listen);
        if (fd < 0) {
            log_msg(LOG_ERROR, "cannot listen on %s: %s", cfg->listen, strerror(errno));
            return -1;
        }
    } else if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        log_msg(LOG_ERROR, "TRACKGEN_LISTEN_FD %d is not a socket", fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        log_msg(LOG_ERROR, "cannot make the listening socket non-blocking: %s", strerror(errno));
        return -1;
    }
    return fd;
}

static void report_ready(int ready_fd)
{
    if (ready_fd < 0)
        return;
    if (write(ready_fd, "R", 1) != 1)
        log_msg(LOG_WARN, "cannot report readiness to the supervisor: %s", strerror(errno));
    close(ready_fd);
}

int server_run(const config_t *cfg, const app_t *app, int listen_fd, int ready_fd)
{
    if (FCGX_Init() != 0) {
        log_msg(LOG_ERROR, "FCGX_Init failed");
        return 1;
    }
    server_t s = {.cfg = cfg, .app = app};
    atomic_init(&s.stopping, false);
    atomic_init(&s.last_error_log_s, 0);
    sigemptyset(&s.signals);
    sigaddset(&s.signals, SIGTERM);
    sigaddset(&s.signals, SIGINT);
    sigaddset(&s.signals, SIGPIPE);
    sigaddset(&s.signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &s.signals, NULL); /* inherited by every thread created below */

    /* The services first: requests are accepted once they can be served (the offer cache can
     * answer clicks). */
    log_start_batching(); /* access lines leave in batches; on failure each is written at once */
    s.track = app->services_start(cfg);
    if (!s.track)
        return 1;
    if (dispatch_start(cfg, app) < 0) {
        app->services_stop(s.track);
        return 1;
    }
    s.listen_fd = listener(cfg, listen_fd);
    s.stop_fd = eventfd(0, EFD_CLOEXEC);
    s.ep = s.listen_fd >= 0 && s.stop_fd >= 0 ? accept_poller(&s) : -1;
    if (s.ep < 0) {
        if (s.listen_fd >= 0)
            log_msg(LOG_ERROR, "eventfd or epoll: %s", strerror(errno));
        dispatch_stop();
        app->services_stop(s.track);
        return 1;
    }
    exchange_park_in(s.ep);
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
    report_ready(ready_fd);
    for (int i = 0; i < cfg->threads; i++)
        pthread_join(threads[i], NULL);
    pthread_join(sig_thread, NULL);
    free(threads);
    /* Nobody reads kept connections any more: nginx, seeing them close, opens new ones to the
     * successor (a request it had just sent on one is retried there, fastcgi_next_upstream). */
    exchange_park_in(-1);
    app->services_stop(s.track); /* nothing can be deferred any more; deferred answers are sent first */
    exchange_pool_free();
    dispatch_stop();
    close(s.ep);
    close(s.stop_fd);
    close(s.listen_fd);
    if (listen_fd < 0 && strchr(cfg->listen, '/'))
        unlink(cfg->listen); /* only a socket this process opened: an inherited one is the supervisor's */
    log_msg(LOG_INFO, "stopped");
    log_stop_batching();
    return 0;
}
