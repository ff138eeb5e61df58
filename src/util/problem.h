/*
 * problem.h — the one place that knows RFC 9457 problem details.
 *
 * A request carries one problem_t. Handlers and validators record what went wrong (a kind, a
 * detail, and for validation every bad field with where it came from and why) and return; the
 * dispatcher turns it into an application/problem+json response. Handlers never format error
 * JSON themselves. Strings recorded here are copied into the request arena.
 */
#ifndef TRACKGEN_PROBLEM_H
#define TRACKGEN_PROBLEM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

typedef enum {
    PROBLEM_NONE = 0,
    PROBLEM_VALIDATION,             /* 400, with errors[] */
    PROBLEM_MALFORMED_JSON,         /* 400 */
    PROBLEM_UNAUTHORIZED,           /* 401 */
    PROBLEM_NOT_FOUND,              /* 404 */
    PROBLEM_METHOD_NOT_ALLOWED,     /* 405 */
    PROBLEM_NOT_ACCEPTABLE,         /* 406: Accept rules out every representation */
    PROBLEM_CONFLICT,               /* 409, errors[] names the field */
    PROBLEM_EXPIRED,                /* 410: a signed URL (util/signed_url.h) past its expiry */
    PROBLEM_PAYLOAD_TOO_LARGE,      /* 413 */
    PROBLEM_UNSUPPORTED_MEDIA_TYPE, /* 415 */
    PROBLEM_UNPROCESSABLE,          /* 422: well-formed, but cannot be done (e.g. too long for a QR code) */
    PROBLEM_TOO_MANY_REQUESTS,      /* 429: over a rate limit; carries Retry-After and RateLimit */
    PROBLEM_INTERNAL,               /* 500 */
    PROBLEM_SERVICE_UNAVAILABLE,    /* 503 */
} problem_kind_t;

typedef struct {
    const char *in; /* "body", "query", "path" or "header" */
    const char *field;
    const char *reason;
    size_t line; /* a line of a CSV body the field is on (0: none) */
} problem_field_t;

/* At most this many bad fields are listed; the rest are only counted (errors_omitted), so a
 * body with 80 000 unknown keys gets a small answer. */
#define PROBLEM_ERRORS_MAX 50

typedef struct {
    arena_t *arena;
    problem_kind_t kind;
    const char *detail; /* NULL: a default detail is derived */
    problem_field_t *errors;
    size_t nerrors, cap;
    size_t omitted;    /* bad fields beyond PROBLEM_ERRORS_MAX, counted but not listed */
    size_t errors_max; /* a larger list than PROBLEM_ERRORS_MAX for this request (0: that one) */
} problem_t;

void problem_init(problem_t *p, arena_t *a);
bool problem_has(const problem_t *p);
/* Sets the kind and detail (printf-style; fmt NULL keeps the default detail). Returns -1 so
 * handlers can `return problem_set(...)`. A later call overrides an earlier one. */
int problem_set(problem_t *p, problem_kind_t kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records one bad field (only counted beyond PROBLEM_ERRORS_MAX); makes the kind VALIDATION unless
 * a kind is already set. Returns -1. */
int problem_field(problem_t *p, const char *in, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The same for a field on a line of a CSV body (errors[] item with "line"). */
int problem_line_field(problem_t *p, size_t line, const char *in, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

int problem_status(problem_kind_t kind);
const char *problem_type_uri(problem_kind_t kind);
const char *problem_title(problem_kind_t kind);
/* New JSON object (caller owns the reference). instance and request_id may be NULL. */
json_t *problem_to_json(const problem_t *p, const char *instance, const char *request_id);

#endif
