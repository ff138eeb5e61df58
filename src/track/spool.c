/*
 * spool.c — group-committed, append-only segments of hit lines (see spool.h and README.md).
 */
#include "track/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
#include "util/log.h"

#define SEGMENT_MAX_BYTES (8 * 1024 * 1024)
#define SEGMENT_MAX_AGE_MS 200
#define PENDING_MAX (64 * 1024 * 1024) /* back-pressure: appenders wait beyond this */
#define RESULT_RING 4096               /* outcomes of recent batches, by batch number */
#define GATHER_NS (200 * 1000)          /* how long a sync waits for more lines to join it */
#define GATHER_BYTES (256 * 1024)       /* a batch this large is synced at once */

typedef struct {
    spool_done_fn fn;
    void *ctx;
} completion_t;

/* The completions of one synced batch, waiting for the responder thread. */
typedef struct done_batch {
    completion_t *items;
    size_t n;
    bool durable;
    struct done_batch *next;
} done_batch_t;

struct spool {
    char *dir;
    int dir_fd;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work;  /* writer waits for lines */
    pthread_cond_t done;  /* appenders wait for their batch */
    buf_t pending;        /* lines of batch number `open_batch` */
    uint64_t open_batch;  /* batch that new lines join */
    uint64_t done_batch;  /* every batch <= this one is finished */
    bool ok[RESULT_RING]; /* outcome of batch n at n % RESULT_RING */
    bool stopping;
    completion_t *cbs;    /* completions of the open batch */
    size_t ncbs, capcbs;
    /* responder */
    pthread_t responder;
    pthread_cond_t respond;
    done_batch_t *ready_head, *ready_tail;
    bool writer_done;
    /* writer-thread only */
    int fd;
    size_t seg_bytes;
    long long seg_opened_ms;
    unsigned seg_no;
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

/* Writes and syncs one batch; returns true when it is durable. */
static bool flush_batch(spool_t *s, const buf_t *batch)
{
    if (s->fd >= 0 && (s->seg_bytes >= SEGMENT_MAX_BYTES || now_ms() - s->seg_opened_ms >= SEGMENT_MAX_AGE_MS))
        segment_close(s);
    if (s->fd < 0 && segment_open(s) < 0) {
        log_msg(LOG_ERROR, "spool: cannot create a segment in %s: %s", s->dir, strerror(errno));
        return false;
    }
    if (write_all(s->fd, buf_ptr(batch), batch->len) < 0 || fdatasync(s->fd) < 0) {
        log_msg(LOG_ERROR, "spool: write to %s failed: %s", s->dir, strerror(errno));
        segment_close(s); /* the next batch starts a fresh segment; a torn tail fails its checksum */
        return false;
    }
    s->seg_bytes += batch->len;
    return true;
}

static void *writer_main(void *arg)
{
    spool_t *s = arg;
    buf_t batch;
    buf_init(&batch, PENDING_MAX);
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->pending.len == 0 && !s->stopping) {
            /* Wake up now and then to close an idle segment so that it can be shipped. */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += SEGMENT_MAX_AGE_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            if (pthread_cond_timedwait(&s->work, &s->mu, &until) == ETIMEDOUT && s->fd >= 0
                && now_ms() - s->seg_opened_ms >= SEGMENT_MAX_AGE_MS)
                segment_close(s);
        }
        if (s->pending.len == 0 && s->stopping)
            break;
        if (!s->stopping && s->pending.len < GATHER_BYTES) {
            /* Group commit: let the lines of requests arriving right now join this sync. Each
             * sync costs far more CPU than waiting this long (see bench/click.sh). */
            pthread_mutex_unlock(&s->mu);
            struct timespec gather = {0, GATHER_NS};
            nanosleep(&gather, NULL);
            pthread_mutex_lock(&s->mu);
        }
        buf_t tmp = s->pending; /* swap: appenders fill a fresh buffer during the sync */
        s->pending = batch;
        batch = tmp;
        done_batch_t *d = malloc(sizeof *d);
        if (!d)
            abort();
        *d = (done_batch_t){s->cbs, s->ncbs, false, NULL};
        s->cbs = NULL;
        s->ncbs = s->capcbs = 0;
        uint64_t n = s->open_batch++;
        pthread_mutex_unlock(&s->mu);

        bool ok = flush_batch(s, &batch);
        buf_clear(&batch);

        pthread_mutex_lock(&s->mu);
        s->ok[n % RESULT_RING] = ok;
        s->done_batch = n;
        pthread_cond_broadcast(&s->done);
        d->durable = ok;
        if (s->ready_tail)
            s->ready_tail->next = d;
        else
            s->ready_head = d;
        s->ready_tail = d;
        pthread_cond_signal(&s->respond);
    }
    s->writer_done = true;
    pthread_cond_signal(&s->respond);
    pthread_mutex_unlock(&s->mu);
    buf_free(&batch);
    segment_close(s);
    return NULL;
}

/* Runs the completions of synced batches, in order, outside the lock. */
static void *responder_main(void *arg)
{
    spool_t *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->ready_head && !s->writer_done)
            pthread_cond_wait(&s->respond, &s->mu);
        done_batch_t *d = s->ready_head;
        if (!d)
            break; /* the writer has finished and everything has been answered */
        s->ready_head = d->next;
        if (!s->ready_head)
            s->ready_tail = NULL;
        pthread_mutex_unlock(&s->mu);
        for (size_t i = 0; i < d->n; i++)
            d->items[i].fn(d->items[i].ctx, d->durable);
        free(d->items);
        free(d);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

spool_t *spool_start(const char *dir)
{
    if (mkdir(dir, 0750) < 0 && errno != EEXIST)
        return NULL;
    spool_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dir = strdup(dir);
    s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    s->fd = -1;
    s->open_batch = 1; /* done_batch = 0 means "none finished yet" */
    buf_init(&s->pending, PENDING_MAX);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->done, NULL);
    pthread_cond_init(&s->respond, NULL);
    if (!s->dir || s->dir_fd < 0 || pthread_create(&s->responder, NULL, responder_main, s) != 0
        || pthread_create(&s->thread, NULL, writer_main, s) != 0) {
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

int spool_append(spool_t *s, const char *line, size_t len)
{
    pthread_mutex_lock(&s->mu);
    while (s->pending.len + len > PENDING_MAX && !s->stopping)
        pthread_cond_wait(&s->done, &s->mu);
    if (s->stopping || buf_append(&s->pending, line, len) != BUF_OK) {
        pthread_mutex_unlock(&s->mu);
        return -1;
    }
    uint64_t mine = s->open_batch;
    pthread_cond_signal(&s->work);
    while (s->done_batch < mine)
        pthread_cond_wait(&s->done, &s->mu);
    bool ok = s->ok[mine % RESULT_RING];
    pthread_mutex_unlock(&s->mu);
    return ok ? 0 : -1;
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
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->mu);
}

void spool_stop(spool_t *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->work);
    pthread_cond_broadcast(&s->done);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_join(s->responder, NULL);
    free(s->cbs);
    buf_free(&s->pending);
    close(s->dir_fd);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->done);
    pthread_cond_destroy(&s->respond);
    free(s->dir);
    free(s);
}
