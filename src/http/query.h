/*
 * query.h — the request's query string, decoded once into (name, value) pairs.
 *
 * Values are percent-decoded ('+' is a space), must be valid UTF-8 and are stored in the request
 * arena. Problems (bad escapes, bad UTF-8, unknown or repeated parameters, bad integers) are
 * recorded in the request's problem_t naming the parameter, with in = "query".
 */
#ifndef TRACKGEN_QUERY_H
#define TRACKGEN_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/problem.h"

#define QUERY_MAX_PARAMS 32

typedef struct {
    const char *name;
    const char *value;
    size_t value_len;
} query_param_t;

typedef struct {
    query_param_t params[QUERY_MAX_PARAMS];
    int n;
} query_t;

/* Parses qs (may be NULL). Returns 0, or -1 with the problem recorded. With lenient, bad pairs
 * are skipped instead (public tracking links must never fail for their parameters). */
int query_parse(arena_t *a, const char *qs, size_t len, bool lenient, query_t *q, problem_t *p);
/* The value of name, or NULL if absent. */
const char *query_get(const query_t *q, const char *name, size_t *len);
/* Records a problem for every parameter not in allowed (a NULL-terminated list) and for any
 * allowed one given twice. Returns 0 or -1. */
int query_allow_only(const query_t *q, const char *const *allowed, problem_t *p);
/* Reads an optional integer parameter in [min, max]; absent → *out = def. Returns 0 or -1. */
int query_int(const query_t *q, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out, problem_t *p);

#endif
