/*
 * body_limit.h — how large a request body may be, by the kind of body a route takes: JSON
 * (TRACKGEN_MAX_BODY, 1 MiB by default), a CSV import (TRACKGEN_MAX_CSV_BODY, 32 MiB) or an
 * uploaded file (TRACKGEN_MAX_UPLOAD, 64 MiB). The dispatcher picks the route's limit and refuses
 * a larger Content-Length with a 413 naming the cap and its setting before anything reads the
 * body; nginx enforces the same caps per location (deploy/nginx.conf.template). Pure.
 */
#ifndef TRACKGEN_BODY_LIMIT_H
#define TRACKGEN_BODY_LIMIT_H

#include <stddef.h>

#include "util/config.h"
#include "util/problem.h"

typedef enum { BODY_JSON = 0, BODY_CSV, BODY_UPLOAD } body_kind_t;

typedef struct {
    size_t cap;          /* bytes */
    const char *what;    /* "JSON bodies", for messages */
    const char *setting; /* the variable that sets it */
} body_limit_t;

body_limit_t body_limit(const config_t *cfg, body_kind_t kind);
/* Checks a CONTENT_LENGTH value (NULL or "" = no body) against l. Returns 0 with *len set, or -1
 * with the problem recorded: 400 naming Content-Length when it is not a number, 413 naming the cap
 * and its setting when it is larger. */
int body_limit_check(const body_limit_t *l, const char *content_length, size_t *len, problem_t *p);

#endif
