/*
 * log.c — JSON-lines logger (see log.h). Each line is built with jansson (so every string is
 * escaped correctly) and written with a single write(2), which keeps lines whole across threads.
 */
#include "util/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static void line_write(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return;
    size_t len = strlen(s);
    s[len] = '\n'; /* replaces the NUL: write exactly len + 1 bytes */
    ssize_t w = write(STDERR_FILENO, s, len + 1);
    (void)w;
    free(s);
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
    line_write(o);
}
