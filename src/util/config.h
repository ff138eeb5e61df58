/*
 * config.h — trackgen's configuration, read once from environment variables at start.
 *
 * Every value is validated here with a message naming the variable; the rest of the program
 * trusts the struct. The table of variables and defaults is in README.md. The config is owned by
 * main() for the life of the process (config_free at exit).
 */
#ifndef TRACKGEN_CONFIG_H
#define TRACKGEN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/log.h"

typedef struct {
    char *database_url; /* libpq conninfo string or URI */
    char *listen;       /* unix socket path (contains '/') or host:port / :port */
    int threads;        /* worker threads, each with its own database connection */
    char *public_url;   /* base for generated links, no trailing slash */
    log_level_t log_level;
    char *secret;          /* signing secret, >= 32 bytes; NULL if not required and not set */
    size_t max_body;       /* cap in bytes of a JSON request body */
    size_t max_csv_body;   /* cap in bytes of a CSV import */
    size_t max_upload;     /* cap in bytes of an uploaded file */
    char *cors_origins;    /* "*" or comma-separated list of exact origins */
    char *spool_dir;       /* directory of the durable hit spool */
    char *blob_dir;        /* root of the blob store (store/blob_store.h), shared with nginx */
    char *fallback_url;    /* where clicks go when an offer has no fallback of its own; NULL = none */
    int rate_limit;        /* requests per minute per API key on /v1 (burst the same); 0 = off */
    int clicks_rate_limit; /* requests per minute per client address on POST /v1/clicks; 0 = off */
    int heavy_requests;    /* heavy answers (exports, archives) produced at once per process */
    int download_ttl;      /* seconds a signed download URL (util/signed_url.h) stays valid */

    /* days hit partitions are kept (track/partitions.h); the reports keep their numbers */
    int hits_retention_days;
} config_t;

typedef const char *(*config_getenv_fn)(const char *name);

/* Fills cfg from get(name) (pass getenv in production). require_secret: TRACKGEN_SECRET must be set.
 * Returns 0, or -1 with a one-line message in err naming the variable. On error cfg holds nothing
 * to free. */
int config_load(config_t *cfg, config_getenv_fn get, bool require_secret, char *err, size_t errlen);
void config_free(config_t *cfg);

/* True if origin (length len) is allowed by the cors_origins list. */
bool config_origin_allowed(const config_t *cfg, const char *origin, size_t len);

#endif
