/*
 * dispatch.c — the life of one request (see dispatch.h). The only place that decides 404/405,
 * answers OPTIONS, checks query parameters against the route, enforces the route's auth
 * requirement and makes sure a failed handler leaves no open transaction behind.
 */
#include "http/dispatch.h"

#include <string.h>

#include "api/auth.h"
#include "api/routes.h"
#include "db/db.h"
#include "http/cors.h"
#include "http/response.h"
#include "util/log.h"

/* True if some route of this path with the given method may be called from any origin. */
static bool path_cors_any(request_t *r, const char *method)
{
    size_t n;
    const route_t *routes = routes_table(&n);
    route_match_t m;
    return method && router_match(routes, n, method, r->path, r->path_len, &m) == ROUTE_MATCH
           && (m.route->flags & ROUTE_CORS_ANY);
}

static int answer_options(request_t *r)
{
    size_t n;
    const route_t *routes = routes_table(&n);
    if (router_match(routes, n, "OPTIONS", r->path, r->path_len, &r->match) == ROUTE_NO_PATH)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    if (cors_is_preflight(r))
        cors_preflight_headers(r, r->match.allow,
                               path_cors_any(r, req_header(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD")));
    else
        resp_header(r, "Allow", "%s", r->match.allow);
    return resp_empty(r, 204);
}

static int parse_query(request_t *r, const route_t *route)
{
    bool any = route->query == ROUTER_QUERY_ANY;
    if (query_parse(r->arena, r->query_string, strlen(r->query_string), any, &r->query, &r->problem) < 0)
        return -1;
    static const char *const none[] = {NULL};
    return any ? 0 : query_allow_only(&r->query, route->query ? route->query : none, &r->problem);
}

static int route_and_run(request_t *r)
{
    if (strcmp(r->method, "OPTIONS") == 0)
        return answer_options(r);

    size_t n;
    const route_t *routes = routes_table(&n);
    switch (router_match(routes, n, r->method, r->path, r->path_len, &r->match)) {
    case ROUTE_NO_PATH:
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    case ROUTE_NO_METHOD:
        return problem_set(&r->problem, PROBLEM_METHOD_NOT_ALLOWED, "%s is not allowed here; allowed: %s.", r->method,
                           r->match.allow);
    case ROUTE_MATCH:
        break;
    }
    const route_t *route = r->match.route;
    if (parse_query(r, route) < 0)
        return -1;
    int auth = route->flags & ROUTE_AUTH_MASK;
    if (auth != ROUTE_PUBLIC && auth_authenticate(r) < 0)
        return -1;
    if (auth == ROUTE_ADMIN && r->who.role != ROLE_ADMIN)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    return route->handler(r);
}

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

dispatch_result_t dispatch_request(request_t *r)
{
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    req_init_from_fcgi(r);
    int rc = route_and_run(r);
    db_rollback(r->db); /* no-op unless a handler left a transaction open: nothing partial is kept */
    if (rc < 0 || problem_has(&r->problem)) {
        if (!problem_has(&r->problem))
            problem_set(&r->problem, PROBLEM_INTERNAL, NULL);
        r->defer.line = NULL;
        resp_problem(r);
    }
    return r->defer.line ? DISPATCH_DEFERRED : DISPATCH_SEND;
}

void dispatch_send(request_t *r)
{
    if (!cors_is_preflight(r))
        cors_response_headers(r, r->match.route && (r->match.route->flags & ROUTE_CORS_ANY));
    resp_send(r);

    access_entry_t e = {
        .method = r->method,
        .path = r->path,
        .status = r->resp.status,
        .duration_ms = elapsed_ms(&r->started),
        .request_id = r->request_id,
        .partner_id = r->who.partner_id,
        .key_prefix = r->who.role ? r->who.key_prefix : NULL,
    };
    log_access(&e);
}
