/*
 * router.h — matches (method, path) against a static route table. Pure: no I/O, no allocation.
 *
 * Patterns are literal segments and parameters: `{name}` matches a positive int64 id (anything
 * else in that segment means the route does not match, so `/v1/offers/abc` is a 404), and
 * `{name:str}` matches any non-empty segment. The path is the raw request path (no query, not
 * percent-decoded). HEAD is served by GET routes. When the path matches but the method does not,
 * the match carries the `Allow` header value.
 */
#ifndef TRACKGEN_ROUTER_H
#define TRACKGEN_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#define ROUTE_MAX_PARAMS 4

/* For route_t.query: any parameters are accepted (public tracking links). */
extern const char *const ROUTER_QUERY_ANY[];

struct request;
typedef int (*route_handler_fn)(struct request *r);

typedef struct {
    const char *method;       /* "GET", "POST", … */
    const char *pattern;      /* e.g. "/v1/offers/{offer_id}/urls/{url_id}" */
    route_handler_fn handler; /* called by the dispatcher; the router never calls it */
    int flags;                /* opaque to the router (auth requirements) */
    const char *const *query; /* allowed query parameters, NULL-terminated; NULL = none;
                                 ROUTER_QUERY_ANY = any, parsed leniently */
} route_t;

typedef struct {
    const char *name; /* points into the pattern; not NUL-terminated at the name's end */
    size_t name_len;
    int64_t id;      /* for `{name}` */
    const char *str; /* the raw segment (points into the path) */
    size_t len;
} route_param_t;

typedef struct {
    const route_t *route;
    route_param_t params[ROUTE_MAX_PARAMS];
    int nparams;
    char allow[96]; /* for ROUTE_NO_METHOD: "GET, HEAD, POST, OPTIONS" */
} route_match_t;

typedef enum { ROUTE_MATCH = 0, ROUTE_NO_PATH, ROUTE_NO_METHOD } route_result_t;

route_result_t router_match(const route_t *routes, size_t nroutes, const char *method, const char *path,
                            size_t path_len, route_match_t *m);
/* The id of the parameter called name (NUL-terminated), or 0 if the match has none. */
int64_t route_param_id(const route_match_t *m, const char *name);
/* The raw segment of a `{name:str}` parameter, or NULL. */
const char *route_param_str(const route_match_t *m, const char *name, size_t *len);

#endif
