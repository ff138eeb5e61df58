/*
 * log.c — JSON-lines logger (see log.h). Each line is built with jansson (so every string is
 * escaped correctly) and written with a single write(2), which keeps lines whole across threads.
 */
#include "util/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/deadline.h"

static atomic_int current_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

bool log_level_parse(const char *s, log_level_t *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (log_level_t)i;
            return true;
        }
    }
    return false;
}

void log_set_level(log_level_t level)
{
    atomic_store(&current_level, (int)level);
}

bool log_enabled(log_level_t level)
{
    return (int)level >= atomic_load(&current_level);
}

static json_t *line_start(const char *level)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[40];
    size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + n, sizeof stamp - n, ".%03ldZ", ts.tv_nsec / 1000000);
    json_t *o = json_object();
    json_object_set_new(o, "ts", json_string(stamp)); /* set_new: steals the new string */
    json_object_set_new(o, "level", json_string(level));
    return o;
}

#define BATCH_MAX (64 * 1024)
#define BATCH_INTERVAL_MS 50

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_t thread;
    bool running;
    bool stopping;
    buf_t pending;
} batch = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w <= 0)
            return; /* nowhere to report a failing log */
        p += w;
        n -= (size_t)w;
    }
}

/* Writes pending lines; called with the mutex held, releases it while writing. */
static void flush_locked(buf_t *spare)
{
    buf_t out = batch.pending;
    batch.pending = *spare;
    pthread_mutex_unlock(&batch.mu);
    write_all(buf_ptr(&out), out.len);
    buf_clear(&out);
    *spare = out;
    pthread_mutex_lock(&batch.mu);
}

static void *logger_main(void *arg)
{
    pthread_setname_np(pthread_self(), "tg-log"); /* for top -H, perf and gdb */
    (void)arg;
    buf_t spare;
    buf_init(&spare, 2 * BATCH_MAX);
    pthread_mutex_lock(&batch.mu);
    while (!batch.stopping) {
        struct timespec until = deadline_in_ms(CLOCK_REALTIME, BATCH_INTERVAL_MS);
        pthread_cond_timedwait(&batch.wake, &batch.mu, &until);
        if (batch.pending.len)
            flush_locked(&spare);
    }
    if (batch.pending.len)
        flush_locked(&spare);
    pthread_mutex_unlock(&batch.mu);
    buf_free(&spare);
    return NULL;
}

int log_start_batching(void)
{
    buf_init(&batch.pending, 2 * BATCH_MAX);
    batch.stopping = false;
    if (pthread_create(&batch.thread, NULL, logger_main, NULL) != 0)
        return -1;
    batch.running = true;
    return 0;
}

void log_stop_batching(void)
{
    if (!batch.running)
        return;
    pthread_mutex_lock(&batch.mu);
    batch.stopping = true;
    pthread_cond_signal(&batch.wake);
    pthread_mutex_unlock(&batch.mu);
    pthread_join(batch.thread, NULL);
    batch.running = false;
    buf_free(&batch.pending);
}

/* Writes one line now, or (batched) hands it to the logger thread. Takes ownership of o. */
static void line_emit(json_t *o, bool batched)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return;
    size_t len = strlen(s);
    s[len] = '\n'; /* replaces the NUL: exactly len + 1 bytes */
    bool queued = false;
    if (batched) {
        pthread_mutex_lock(&batch.mu);
        if (batch.running && buf_append(&batch.pending, s, len + 1) == BUF_OK) {
            queued = true;
            if (batch.pending.len >= BATCH_MAX)
                pthread_cond_signal(&batch.wake);
        }
        pthread_mutex_unlock(&batch.mu);
    }
    if (!queued)
        write_all(s, len + 1);
    free(s);
}

static void line_write(json_t *o)
{
    line_emit(o, false);
}

void log_msg(log_level_t level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = line_start(level_names[level]);
    /* Invalid UTF-8 from a library message must not lose the line. */
    json_t *m = json_string(msg);
    json_object_set_new(o, "msg", m ? m : json_string("(message not valid UTF-8)"));
    line_write(o);
}

static json_t *str_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

void log_access(const access_entry_t *e)
{
    if (!log_enabled(LOG_INFO))
        return;
    json_t *o = line_start("info");
    json_object_set_new(o, "msg", json_string("request"));
    json_object_set_new(o, "method", str_or_null(e->method));
    json_object_set_new(o, "path", str_or_null(e->path));
    json_object_set_new(o, "status", json_integer(e->status));
    json_object_set_new(o, "duration_ms", json_real(e->duration_ms));
    json_object_set_new(o, "request_id", str_or_null(e->request_id));
    if (e->key_prefix)
        json_object_set_new(o, "key_prefix", json_string(e->key_prefix));
    if (e->partner_id)
        json_object_set_new(o, "partner_id", json_integer(e->partner_id));
    line_emit(o, true);
}
