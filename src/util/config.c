/*
 * config.c — environment variables to a validated config_t (see config.h).
 */
#include "util/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/signed_url.h"
#include "util/url.h"

#define DEFAULT_DATABASE_URL "dbname=trackgen"
#define DEFAULT_LISTEN "127.0.0.1:9000"
#define DEFAULT_THREADS 32
#define DEFAULT_PUBLIC_URL "http://127.0.0.1:8080"
#define DEFAULT_MAX_BODY (1024 * 1024)
#define MAX_JSON_BODY (64L * 1024 * 1024)
#define DEFAULT_MAX_CSV_BODY (32L * 1024 * 1024) /* a 100 000-row coupon file is about 10 MB */
#define MAX_CSV_BODY (1024L * 1024 * 1024)
#define DEFAULT_MAX_UPLOAD (64L * 1024 * 1024)
#define MAX_UPLOAD (4L * 1024 * 1024 * 1024)
#define MIN_SECRET_LEN 32
#define DEFAULT_SPOOL_DIR "spool"
/* the blob store's root: absolute, never relative to wherever the service happens to start */
#define DEFAULT_BLOB_DIR "/var/lib/trackgen/blobs"
#define DEFAULT_RATE_LIMIT 6000       /* per key and minute: 100/s sustained, a minute's worth at once */
#define DEFAULT_CLICKS_RATE_LIMIT 600 /* per client address and minute on POST /v1/clicks */
#define MAX_RATE_LIMIT 100000         /* RATELIMIT_MAX_LIMIT (http/ratelimit.h) */
#define DEFAULT_DOWNLOAD_TTL 3600     /* one hour */

/* Days hit partitions are kept (track/partitions.h); the reports keep their numbers. */
#define DEFAULT_HITS_RETENTION_DAYS 400

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *value_or(config_getenv_fn get, const char *name, const char *def)
{
    const char *v = get(name);
    return (v && *v) ? v : def;
}

/* Digits only (an optional '-'): strtol alone would also take " 8" and "+8". */
static bool parse_long(const char *s, long min, long max, long *out)
{
    const char *digits = *s == '-' ? s + 1 : s;
    if (*digits < '0' || *digits > '9')
        return false;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool listen_valid(const char *s)
{
    if (strchr(s, '/'))
        return strlen(s) < 108; /* sun_path */
    const char *colon = strrchr(s, ':');
    long port;
    return colon && parse_long(colon + 1, 1, 65535, &port);
}

/* An origin is scheme://host[:port]: no path, no spaces. */
static bool origin_valid(const char *p, size_t n)
{
    size_t skip = strncmp(p, "https://", 8) == 0 ? 8 : strncmp(p, "http://", 7) == 0 ? 7 : 0;
    if (skip == 0 || n <= skip)
        return false;
    for (size_t i = skip; i < n; i++)
        if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f || p[i] == '/')
            return false;
    return true;
}

static bool origins_valid(const char *s)
{
    if (strcmp(s, "*") == 0)
        return true;
    for (const char *p = s;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (!origin_valid(p, n))
            return false;
        if (!comma)
            return true;
        p = comma + 1;
    }
}

/* A rate limit in requests per minute, 0 (off) to MAX_RATE_LIMIT. */
static int rate_limit(config_getenv_fn get, const char *name, long def, int *out, char *err, size_t errlen)
{
    const char *v = value_or(get, name, NULL);
    long n = def;
    if (v && !parse_long(v, 0, MAX_RATE_LIMIT, &n))
        return fail(err, errlen, "%s: '%s' is not a number of requests per minute from 0 (off) to %d", name, v,
                    MAX_RATE_LIMIT);
    *out = (int)n;
    return 0;
}

/* A request body cap in bytes: 1024..max, default def. */
static int byte_cap(config_getenv_fn get, const char *name, long def, long max, size_t *out, char *err, size_t errlen)
{
    const char *v = value_or(get, name, NULL);
    long n = def;
    if (v && !parse_long(v, 1024, max, &n))
        return fail(err, errlen, "%s: '%s' is not a byte count from 1024 to %ld", name, v, max);
    *out = (size_t)n;
    return 0;
}

int config_load(config_t *cfg, config_getenv_fn get, bool require_secret, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    long n;

    const char *listen = value_or(get, "TRACKGEN_LISTEN", DEFAULT_LISTEN);
    if (!listen_valid(listen))
        return fail(err, errlen, "TRACKGEN_LISTEN: '%s' is neither a unix socket path nor host:port", listen);

    const char *threads = value_or(get, "TRACKGEN_THREADS", NULL);
    n = DEFAULT_THREADS;
    if (threads && !parse_long(threads, 1, 1024, &n))
        return fail(err, errlen, "TRACKGEN_THREADS: '%s' is not a whole number from 1 to 1024", threads);
    cfg->threads = (int)n;

    const char *public_url = value_or(get, "TRACKGEN_PUBLIC_URL", DEFAULT_PUBLIC_URL);
    size_t pulen = strlen(public_url);
    while (pulen > 0 && public_url[pulen - 1] == '/')
        pulen--;
    if (url_check(public_url, pulen) != URL_OK || memchr(public_url, '?', pulen) || memchr(public_url, '#', pulen) ||
        memchr(public_url, '{', pulen))
        return fail(err, errlen, "TRACKGEN_PUBLIC_URL: '%s' is not an absolute http(s) URL without query", public_url);

    const char *level = value_or(get, "TRACKGEN_LOG_LEVEL", "info");
    if (!log_level_parse(level, &cfg->log_level))
        return fail(err, errlen, "TRACKGEN_LOG_LEVEL: '%s' is not one of debug, info, warn, error", level);

    const char *secret = value_or(get, "TRACKGEN_SECRET", NULL);
    if (secret && strlen(secret) < MIN_SECRET_LEN)
        return fail(err, errlen, "TRACKGEN_SECRET: must be at least %d characters (got %zu)", MIN_SECRET_LEN,
                    strlen(secret));
    if (!secret && require_secret)
        return fail(err, errlen, "TRACKGEN_SECRET: is required (at least %d random characters)", MIN_SECRET_LEN);

    if (byte_cap(get, "TRACKGEN_MAX_BODY", DEFAULT_MAX_BODY, MAX_JSON_BODY, &cfg->max_body, err, errlen) < 0 ||
        byte_cap(get, "TRACKGEN_MAX_CSV_BODY", DEFAULT_MAX_CSV_BODY, MAX_CSV_BODY, &cfg->max_csv_body, err, errlen) <
            0 ||
        byte_cap(get, "TRACKGEN_MAX_UPLOAD", DEFAULT_MAX_UPLOAD, MAX_UPLOAD, &cfg->max_upload, err, errlen) < 0)
        return -1;

    const char *origins = value_or(get, "TRACKGEN_CORS_ORIGINS", "*");
    if (!origins_valid(origins))
        return fail(err, errlen, "TRACKGEN_CORS_ORIGINS: '%s' is not '*' or a comma-separated list of http(s) origins",
                    origins);

    if (rate_limit(get, "TRACKGEN_RATE_LIMIT", DEFAULT_RATE_LIMIT, &cfg->rate_limit, err, errlen) < 0 ||
        rate_limit(get, "TRACKGEN_CLICKS_RATE_LIMIT", DEFAULT_CLICKS_RATE_LIMIT, &cfg->clicks_rate_limit, err, errlen) <
            0)
        return -1;

    const char *heavy = value_or(get, "TRACKGEN_HEAVY_REQUESTS", NULL);
    n = cfg->threads / 4 > 1 ? cfg->threads / 4 : 1;
    if (heavy && !parse_long(heavy, 1, 1024, &n))
        return fail(err, errlen, "TRACKGEN_HEAVY_REQUESTS: '%s' is not a whole number from 1 to 1024", heavy);
    if (n >= cfg->threads && cfg->threads > 1)
        return fail(err, errlen, "TRACKGEN_HEAVY_REQUESTS: %ld would leave no thread of %d for clicks and the API", n,
                    cfg->threads);
    cfg->heavy_requests = (int)n;

    const char *ttl = value_or(get, "TRACKGEN_DOWNLOAD_TTL", NULL);
    n = DEFAULT_DOWNLOAD_TTL;
    if (ttl && !parse_long(ttl, SIGNED_URL_TTL_MIN, SIGNED_URL_TTL_MAX, &n))
        return fail(err, errlen, "TRACKGEN_DOWNLOAD_TTL: '%s' is not a number of seconds from %d to %d", ttl,
                    SIGNED_URL_TTL_MIN, SIGNED_URL_TTL_MAX);
    cfg->download_ttl = (int)n;

    const char *retention = value_or(get, "TRACKGEN_HITS_RETENTION_DAYS", NULL);
    n = DEFAULT_HITS_RETENTION_DAYS;
    if (retention && !parse_long(retention, 1, 36500, &n))
        return fail(err, errlen, "TRACKGEN_HITS_RETENTION_DAYS: '%s' is not a number of days from 1 to 36500",
                    retention);
    cfg->hits_retention_days = (int)n;

    const char *fallback = value_or(get, "TRACKGEN_FALLBACK_URL", NULL);
    if (fallback && (url_check(fallback, strlen(fallback)) != URL_OK || strchr(fallback, '{')))
        return fail(err, errlen, "TRACKGEN_FALLBACK_URL: '%s' is not an absolute http(s) URL", fallback);

    cfg->spool_dir = strdup(value_or(get, "TRACKGEN_SPOOL_DIR", DEFAULT_SPOOL_DIR));
    cfg->blob_dir = strdup(value_or(get, "TRACKGEN_BLOB_DIR", DEFAULT_BLOB_DIR));
    cfg->fallback_url = fallback ? strdup(fallback) : NULL;
    cfg->database_url = strdup(value_or(get, "TRACKGEN_DATABASE_URL", DEFAULT_DATABASE_URL));
    cfg->listen = strdup(listen);
    cfg->public_url = strndup(public_url, pulen);
    cfg->secret = secret ? strdup(secret) : NULL;
    cfg->cors_origins = strdup(origins);
    if (!cfg->database_url || !cfg->listen || !cfg->public_url || (secret && !cfg->secret) || !cfg->cors_origins ||
        !cfg->spool_dir || !cfg->blob_dir || (fallback && !cfg->fallback_url)) {
        config_free(cfg);
        return fail(err, errlen, "out of memory");
    }
    return 0;
}

void config_free(config_t *cfg)
{
    if (!cfg)
        return;
    free(cfg->database_url);
    free(cfg->listen);
    free(cfg->public_url);
    free(cfg->secret);
    free(cfg->cors_origins);
    free(cfg->spool_dir);
    free(cfg->blob_dir);
    free(cfg->fallback_url);
    memset(cfg, 0, sizeof *cfg);
}

bool config_origin_allowed(const config_t *cfg, const char *origin, size_t len)
{
    const char *p = cfg->cors_origins;
    if (strcmp(p, "*") == 0)
        return true;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == len && memcmp(p, origin, len) == 0)
            return true;
        p += n + (comma ? 1 : 0);
    }
    return false;
}
