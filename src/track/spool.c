/*
 * spool.c — group-committed, append-only segments of hit lines (see spool.h and README.md).
 *
 * A batch that cannot be made durable is answered "not recorded", so none of its bytes may ever
 * be shipped: a failed write or sync truncates the segment back to where the batch began (and
 * syncs that); if even that fails the segment is renamed "<name>.valid-<bytes>", which tells the
 * shipper where the acknowledged lines end, and failing that it stays locked by this process.
 */
#include "track/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/deadline.h"
#include "util/log.h"

#define SEGMENT_MAX_BYTES (8 * 1024 * 1024)
#define SEGMENT_MAX_AGE_MS 200
#define PENDING_MAX (64 * 1024 * 1024) /* back-pressure: appenders wait beyond this */
#define GATHER_NS (600 * 1000)         /* how long a sync waits for more lines to join it */
#define GATHER_BYTES (256 * 1024)      /* a batch this large is synced at once */
#define PROBE_INTERVAL_MS 1000         /* a readiness probe writes at most this often */
#define PROBE_BYTES 512
#define SLOW_SYNC_MS 50 /* a batch that takes this long to make durable is logged */
#define HELD_MAX 16     /* segments kept locked because their tail could not be cut */

typedef struct {
    spool_done_fn fn;
    void *ctx;
} completion_t;

struct spool {
    char *dir;
    int dir_fd;
    pthread_t housekeeper; /* closes an idle segment so that it can be shipped */
    pthread_mutex_t mu;
    pthread_cond_t tick; /* the housekeeper's sleep; signalled at stop */
    pthread_cond_t done; /* appenders held back by PENDING_MAX, and spool_stop, wait for a batch */
    buf_t pending;       /* lines of the next batch */
    completion_t *cbs;   /* their completions */
    size_t ncbs, capcbs;
    bool leading; /* a thread holds the writer's part (below) and will write what is pending */
    bool stopping;
    /* health, under mu: the last batch's outcome */
    bool failing; /* the last batch could not be made durable (and none has been since) */
    int fail_errno;
    uint64_t fail_gen; /* counts failed batches, so a probe clears only failures older than itself */
    /* readiness probe, under probe_mu (never taken by the writer) */
    pthread_mutex_t probe_mu;
    long long probe_ms; /* when the last probe ran; 0 = never */
    int probe_errno;    /* its outcome: 0 = written and synced */
    uint64_t probe_gen; /* fail_gen when it started */
    /* the writer's part: only the thread that set `leading` touches these, until it clears it */
    buf_t batch; /* the lines being written (swapped with pending) */
    int fd;
    size_t seg_bytes;
    long long seg_opened_ms;
    unsigned seg_no;
    char seg_name[64];
    struct {
        int fd;
        size_t valid;
    } held[HELD_MAX]; /* segments whose unacknowledged tail could not be removed yet */
    size_t nheld;
    long long slow_logged_ms; /* the last slow-sync report */
    unsigned slow_syncs;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void segment_close(spool_t *s)
{
    if (s->fd >= 0)
        close(s->fd); /* releases the flock: the segment may now be shipped */
    s->fd = -1;
}

/* Creates a new segment under a temporary name, locks it, then gives it its final name, so a
 * shipper never sees an unlocked segment that is still being written. */
static int segment_open(spool_t *s)
{
    char tmp[64], final[64];
    snprintf(tmp, sizeof tmp, "hits-%ld-%u.tmp", (long)getpid(), s->seg_no);
    snprintf(final, sizeof final, "hits-%ld-%u.log", (long)getpid(), s->seg_no);
    snprintf(s->seg_name, sizeof s->seg_name, "%s", final);
    s->seg_no++;
    int fd = openat(s->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX) < 0 || renameat(s->dir_fd, tmp, s->dir_fd, final) < 0 || fsync(s->dir_fd) < 0) {
        int e = errno;
        close(fd);
        unlinkat(s->dir_fd, tmp, 0);
        errno = e;
        return -1;
    }
    s->fd = fd;
    s->seg_bytes = 0;
    s->seg_opened_ms = now_ms();
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Removes the bytes of a batch that failed from the open segment, which then closes: its first
 * `valid` bytes are acknowledged lines, the rest were answered "not recorded" and must never be
 * shipped. */
static void segment_cut(spool_t *s, size_t valid)
{
    if (ftruncate(s->fd, (off_t)valid) == 0 && fdatasync(s->fd) == 0) {
        segment_close(s);
        return;
    }
    int e = errno;
    char cut[96];
    snprintf(cut, sizeof cut, "%s.valid-%zu", s->seg_name, valid);
    if (renameat(s->dir_fd, s->seg_name, s->dir_fd, cut) == 0 && fsync(s->dir_fd) == 0) {
        log_msg(LOG_ERROR, "spool: cannot cut %s/%s back to %zu bytes (%s); renamed %s", s->dir, s->seg_name, valid,
                strerror(e), cut);
        segment_close(s);
        return;
    }
    if (s->nheld < HELD_MAX) { /* the lock keeps every shipper away while this process lives */
        log_msg(LOG_ERROR, "spool: cannot cut or rename %s/%s (%s); keeping it locked", s->dir, s->seg_name,
                strerror(e));
        s->held[s->nheld].fd = s->fd;
        s->held[s->nheld++].valid = valid;
        s->fd = -1;
        return;
    }
    log_msg(LOG_ERROR, "spool: cannot cut %s/%s back to %zu bytes (%s): hits answered 503 may be shipped", s->dir,
            s->seg_name, valid, strerror(e));
    segment_close(s);
}

/* Writes and syncs one batch; returns 0 when it is durable, else an errno value (nothing of the
 * batch is left to be shipped). */
/* Every click of a batch waits for its sync, so a slow one is worth knowing about: logged when it
 * takes SLOW_SYNC_MS or more, at most once a second (with how many were slow meanwhile). */
static void note_slow_sync(spool_t *s, long long started_ms, bool opened, size_t bytes)
{
    long long took = now_ms() - started_ms;
    if (took < SLOW_SYNC_MS)
        return;
    s->slow_syncs++;
    if (started_ms - s->slow_logged_ms < 1000)
        return;
    log_msg(LOG_WARN, "spool: a batch of %zu bytes took %lld ms to make durable%s (%u slow since the last report)",
            bytes, took, opened ? ", a new segment included" : "", s->slow_syncs);
    s->slow_logged_ms = started_ms;
    s->slow_syncs = 0;
}

static int flush_batch(spool_t *s, const buf_t *batch)
{
    long long started = now_ms();
    bool opened = false;
    if (s->fd >= 0 && (s->seg_bytes >= SEGMENT_MAX_BYTES || started - s->seg_opened_ms >= SEGMENT_MAX_AGE_MS))
        segment_close(s);
    if (s->fd < 0 && (opened = true) && segment_open(s) < 0) {
        int e = errno;
        log_msg(LOG_ERROR, "spool: cannot create a segment in %s: %s", s->dir, strerror(e));
        return e;
    }
    if (write_all(s->fd, buf_ptr(batch), batch->len) < 0 || fdatasync(s->fd) < 0) {
        int e = errno;
        log_msg(LOG_ERROR, "spool: write to %s failed: %s", s->dir, strerror(e));
        segment_cut(s, s->seg_bytes); /* a short write may have left whole lines of this batch */
        return e;
    }
    s->seg_bytes += batch->len;
    note_slow_sync(s, started, opened, batch->len);
    return 0;
}

/* Leader/follower group commit: the appender that finds no thread writing takes the writer's part
 * itself (no hand-off to another thread, no wake-up): it lets the lines of requests arriving
 * meanwhile join (GATHER_NS), writes and syncs them all, answers every request of the batch, and
 * goes on while lines are pending; the others only append and return. Called with mu held and
 * s->leading just set by the caller; returns with mu released and s->leading cleared. */
static void lead(spool_t *s)
{
    struct timespec gather_from;
    clock_gettime(CLOCK_MONOTONIC, &gather_from);
    for (;;) {
        if (!s->stopping && s->pending.len < GATHER_BYTES) {
            /* Group commit: let the lines of requests arriving right now join this sync. Each
             * sync costs far more CPU than waiting this long (see bench/click.sh). Answering the
             * previous batch counts as part of the wait. */
            struct timespec until = deadline_plus_ns(gather_from, GATHER_NS);
            pthread_mutex_unlock(&s->mu);
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
            pthread_mutex_lock(&s->mu);
        }
        buf_t tmp = s->pending; /* swap: appenders fill a fresh buffer during the sync */
        s->pending = s->batch;
        s->batch = tmp;
        completion_t *items = s->cbs;
        size_t n = s->ncbs;
        s->cbs = NULL;
        s->ncbs = s->capcbs = 0;
        pthread_mutex_unlock(&s->mu);

        int err = flush_batch(s, &s->batch);
        buf_clear(&s->batch);
        clock_gettime(CLOCK_MONOTONIC, &gather_from);

        pthread_mutex_lock(&s->mu);
        s->failing = err != 0;
        if (err) {
            s->fail_errno = err;
            s->fail_gen++;
        }
        pthread_cond_broadcast(&s->done); /* room in pending for appenders held back */
        pthread_mutex_unlock(&s->mu);

        for (size_t i = 0; i < n; i++) /* in order, outside the lock */
            items[i].fn(items[i].ctx, err == 0);
        free(items);

        pthread_mutex_lock(&s->mu);
        if (s->pending.len == 0) {
            s->leading = false;
            pthread_cond_broadcast(&s->done); /* spool_stop waits for the last leader */
            pthread_mutex_unlock(&s->mu);
            return;
        }
    }
}

/* Closes the open segment once it is SEGMENT_MAX_AGE_MS old and no batch is being written, so
 * that a shipper can take it even when no click arrives. */
static void *housekeeper_main(void *arg)
{
    pthread_setname_np(pthread_self(), "tg-spool"); /* for top -H, perf and gdb */
    spool_t *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        struct timespec until = deadline_in_ms(CLOCK_REALTIME, SEGMENT_MAX_AGE_MS);
        pthread_cond_timedwait(&s->tick, &s->mu, &until);
        if (!s->leading && s->fd >= 0 && now_ms() - s->seg_opened_ms >= SEGMENT_MAX_AGE_MS)
            segment_close(s); /* under mu with no leader: nobody else touches the writer's part */
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

spool_t *spool_start(const char *dir)
{
    /* A segment past RLIMIT_FSIZE must fail its write (EFBIG, answered 503), not kill the process. */
    signal(SIGXFSZ, SIG_IGN);
    if (mkdir(dir, 0750) < 0 && errno != EEXIST)
        return NULL;
    spool_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dir = strdup(dir);
    s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    s->fd = -1;
    buf_init(&s->pending, PENDING_MAX);
    buf_init(&s->batch, PENDING_MAX);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->probe_mu, NULL);
    pthread_cond_init(&s->tick, NULL);
    pthread_cond_init(&s->done, NULL);
    if (!s->dir || s->dir_fd < 0 || pthread_create(&s->housekeeper, NULL, housekeeper_main, s) != 0) {
        int e = errno;
        if (s->dir_fd >= 0)
            close(s->dir_fd);
        free(s->dir);
        free(s);
        errno = e;
        return NULL;
    }
    return s;
}

/* spool_append() waits on its own completion: the outcome it returns is its own batch's. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool finished, durable;
} sync_wait_t;

static void sync_done(void *ctx, bool durable)
{
    sync_wait_t *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->finished = true;
    w->durable = durable;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mu);
}

int spool_append(spool_t *s, const char *line, size_t len)
{
    sync_wait_t w = {.finished = false};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cond, NULL);
    spool_append_async(s, line, len, sync_done, &w);
    pthread_mutex_lock(&w.mu);
    while (!w.finished)
        pthread_cond_wait(&w.cond, &w.mu);
    pthread_mutex_unlock(&w.mu);
    pthread_mutex_destroy(&w.mu);
    pthread_cond_destroy(&w.cond);
    return w.durable ? 0 : -1;
}

void spool_append_async(spool_t *s, const char *line, size_t len, spool_done_fn done, void *ctx)
{
    pthread_mutex_lock(&s->mu);
    while (s->pending.len + len > PENDING_MAX && !s->stopping)
        pthread_cond_wait(&s->done, &s->mu);
    if (s->ncbs == s->capcbs) {
        size_t cap = s->capcbs ? 2 * s->capcbs : 64;
        completion_t *n = realloc(s->cbs, cap * sizeof *n);
        if (!n)
            abort();
        s->cbs = n;
        s->capcbs = cap;
    }
    if (s->stopping || buf_append(&s->pending, line, len) != BUF_OK) {
        pthread_mutex_unlock(&s->mu);
        done(ctx, false);
        return;
    }
    s->cbs[s->ncbs++] = (completion_t){done, ctx};
    if (s->leading) { /* the thread writing now, or about to, takes this line too */
        pthread_mutex_unlock(&s->mu);
        return;
    }
    s->leading = true;
    lead(s);
}

/* Writes, syncs and removes a small file in the spool directory; 0 or an errno value. */
static int probe_write(spool_t *s)
{
    char name[64], block[PROBE_BYTES];
    snprintf(name, sizeof name, "probe-%ld.tmp", (long)getpid());
    memset(block, '\n', sizeof block);
    int fd = openat(s->dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return errno;
    int e = write_all(fd, block, sizeof block) < 0 || fdatasync(fd) < 0 ? errno : 0;
    close(fd);
    unlinkat(s->dir_fd, name, 0);
    return e;
}

bool spool_healthy(spool_t *s, char *why, size_t why_len)
{
    pthread_mutex_lock(&s->probe_mu);
    long long now = now_ms();
    if (s->probe_ms == 0 || now - s->probe_ms >= PROBE_INTERVAL_MS) {
        pthread_mutex_lock(&s->mu);
        s->probe_gen = s->fail_gen;
        pthread_mutex_unlock(&s->mu);
        s->probe_errno = probe_write(s);
        s->probe_ms = now;
    }
    int probe_errno = s->probe_errno;
    uint64_t probe_gen = s->probe_gen;
    pthread_mutex_unlock(&s->probe_mu);

    pthread_mutex_lock(&s->mu);
    if (probe_errno == 0 && s->fail_gen == probe_gen)
        s->failing = false; /* a synced write succeeded after the last failed batch */
    bool failing = s->failing;
    int fail_errno = s->fail_errno;
    pthread_mutex_unlock(&s->mu);

    if (probe_errno)
        snprintf(why, why_len, "cannot write to the hit spool %s: %s", s->dir, strerror(probe_errno));
    else if (failing)
        snprintf(why, why_len, "the last write to the hit spool %s failed: %s", s->dir, strerror(fail_errno));
    return !probe_errno && !failing;
}

void spool_stop(spool_t *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true; /* appends from now on are answered "not recorded" */
    pthread_cond_broadcast(&s->tick);
    pthread_cond_broadcast(&s->done);
    while (s->leading)
        pthread_cond_wait(&s->done, &s->mu);
    if (s->pending.len > 0) { /* lines nobody has written yet: write them, answer their requests */
        s->leading = true;
        lead(s);
    } else {
        pthread_mutex_unlock(&s->mu);
    }
    pthread_join(s->housekeeper, NULL);
    segment_close(s);
    for (size_t i = 0; i < s->nheld; i++) { /* a last try before the lock goes */
        if (ftruncate(s->held[i].fd, (off_t)s->held[i].valid) < 0 || fdatasync(s->held[i].fd) < 0)
            log_msg(LOG_ERROR, "spool: cannot cut a segment back to %zu bytes: %s", s->held[i].valid, strerror(errno));
        close(s->held[i].fd);
    }
    free(s->cbs);
    buf_free(&s->pending);
    buf_free(&s->batch);
    close(s->dir_fd);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->probe_mu);
    pthread_cond_destroy(&s->tick);
    pthread_cond_destroy(&s->done);
    free(s->dir);
    free(s);
}
