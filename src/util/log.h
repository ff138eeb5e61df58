/*
 * log.h — structured logging: one JSON object per line on stderr.
 *
 * Thread-safe (one write(2) per line). Messages never contain API keys: callers log key prefixes
 * at most. The access log (one line per request) is written by the HTTP layer through log_access();
 * once log_start_batching() has run, access lines are collected and written by a logger thread
 * every 50 ms (or 64 KiB), which saves a system call per request; other messages are written at
 * once. log_stop_batching() writes what is left.
 */
#ifndef TRACKGEN_LOG_H
#define TRACKGEN_LOG_H

#include <stdbool.h>

typedef enum { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 } log_level_t;

/* Parses "debug|info|warn|error"; returns false on anything else. */
bool log_level_parse(const char *s, log_level_t *out);
void log_set_level(log_level_t level);
bool log_enabled(log_level_t level);

void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef struct {
    const char *method;
    const char *path;
    int status;
    double duration_ms;
    const char *request_id;
    long long partner_id;   /* 0 when none */
    const char *key_prefix; /* NULL when unauthenticated */
} access_entry_t;

void log_access(const access_entry_t *e);

/* Starts the logger thread (the server calls it once). Returns 0 or -1. */
int log_start_batching(void);
/* Flushes and stops the logger thread. */
void log_stop_batching(void);

#endif
