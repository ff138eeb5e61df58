/*
 * dispatch.c — the life of one request (see dispatch.h). The only place that decides 404/405,
 * answers OPTIONS, checks query parameters against the route, enforces the route's auth
 * requirement and rate limits, and makes sure a failed handler leaves no open transaction behind.
 */
#include "http/dispatch.h"

#include <errno.h>
#include <inttypes.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#include "http/cors.h"
#include "http/ratelimit_table.h"
#include "http/response.h"
#include "util/log.h"

/* The rate limiters' table, shared with the host's other worker processes; NULL when every limit
 * is off. Opened by dispatch_start, closed by dispatch_stop; used by every thread in between. */
static ratelimit_table_t *limits;
/* The application: set by dispatch_start, read by every thread after. */
static const app_t *app;

/* One request's rate-limit outcome, for its response headers. */
typedef struct {
    bool applied;
    ratelimit_policy_t policy;
    ratelimit_decision_t decision;
} rate_state_t;

/* What the dispatcher keeps per request (r->dispatch_state, in the arena). */
typedef struct {
    rate_state_t rate;
    bool heavy; /* holds one of the process's heavy slots until its answer has been sent */
} dispatch_state_t;

/* Heavy answers (ROUTE_HEAVY: exports, archives) each hold a worker thread while they are
 * produced, so at most cfg->heavy_requests run at once per process and the other threads stay
 * free for clicks and the API; one more waits up to HEAVY_WAIT_S for a slot, then gets a 503. */
#define HEAVY_WAIT_S 5
static sem_t heavy_slots;

int dispatch_start(const config_t *cfg, const app_t *the_app)
{
    app = the_app;
    sem_init(&heavy_slots, 0, (unsigned)cfg->heavy_requests);
    if (cfg->rate_limit == 0 && cfg->clicks_rate_limit == 0)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/ratelimit.table", cfg->spool_dir);
    limits = ratelimit_table_open(path, RATELIMIT_TABLE_SLOTS);
    if (!limits) {
        log_msg(LOG_ERROR, "cannot open the rate-limit table %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

void dispatch_stop(void)
{
    sem_destroy(&heavy_slots);
    ratelimit_table_close(limits);
    limits = NULL;
}

/* Per API key on the routes that need one (after authentication: the key is known to be
 * genuine), per client address on ROUTE_LIMIT_CLIENT routes (POST /v1/clicks); never on the
 * other public routes (/c, /i, /qr, health), which must take every visitor. */
static int rate_limit(request_t *r, const route_t *route, rate_state_t *st)
{
    if (!limits)
        return 0;
    char id[32];
    const char *who;
    if ((route->flags & ROUTE_AUTH_MASK) != ROUTE_PUBLIC && r->who.key_id == 0) { /* a signed URL's partner */
        st->policy = (ratelimit_policy_t){"url", r->cfg->rate_limit, RATELIMIT_WINDOW_NS};
        snprintf(id, sizeof id, "%" PRId64, r->who.partner_id);
        who = id;
    } else if ((route->flags & ROUTE_AUTH_MASK) != ROUTE_PUBLIC) {
        st->policy = (ratelimit_policy_t){"key", r->who.rate_limit >= 0 ? r->who.rate_limit : r->cfg->rate_limit,
                                          RATELIMIT_WINDOW_NS};
        snprintf(id, sizeof id, "%" PRId64, r->who.key_id);
        who = id;
    } else if (route->flags & ROUTE_LIMIT_CLIENT) {
        st->policy = (ratelimit_policy_t){"client", r->cfg->clicks_rate_limit, RATELIMIT_WINDOW_NS};
        who = req_header(r, "REMOTE_ADDR"); /* after nginx's realip: see TRACKGEN_TRUSTED_PROXIES */
    } else {
        return 0;
    }
    if (st->policy.limit == 0)
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* one clock for every process of the host */
    bool full;
    st->decision = ratelimit_table_take(limits, ratelimit_key(st->policy.name, who ? who : ""), &st->policy,
                                        (int64_t)ts.tv_sec * RATELIMIT_NS_PER_S + ts.tv_nsec, &full);
    st->applied = true;
    if (full)
        log_msg(LOG_WARN, "rate-limit table full: %s %s not limited", st->policy.name, who ? who : "");
    if (!st->decision.allowed)
        return problem_set(&r->problem, PROBLEM_TOO_MANY_REQUESTS,
                           "Over the limit of %" PRId64 " requests per minute; retry in %" PRId64 " s.",
                           st->policy.limit, ratelimit_seconds(st->decision.retry_after));
    return 0;
}

/* The draft-ietf-httpapi-ratelimit-headers fields (see ratelimit.h), on every limited response. */
static void rate_limit_headers(request_t *r, const rate_state_t *st)
{
    char v[96];
    ratelimit_policy_value(&st->policy, v, sizeof v);
    resp_header(r, "RateLimit-Policy", "%s", v);
    ratelimit_value(&st->policy, &st->decision, v, sizeof v);
    resp_header(r, "RateLimit", "%s", v);
    if (!st->decision.allowed)
        resp_header(r, "Retry-After", "%" PRId64, ratelimit_seconds(st->decision.retry_after));
}

/* True if some route of this path with the given method may be called from any origin. */
static bool path_cors_any(request_t *r, const char *method)
{
    route_match_t m;
    return method && router_match(app->routes, app->nroutes, method, r->path, r->path_len, &m) == ROUTE_MATCH &&
           (m.route->flags & ROUTE_CORS_ANY);
}

static int answer_options(request_t *r)
{
    if (router_match(app->routes, app->nroutes, "OPTIONS", r->path, r->path_len, &r->match) == ROUTE_NO_PATH)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    if (cors_is_preflight(r))
        cors_preflight_headers(r, r->match.allow,
                               path_cors_any(r, req_header(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD")));
    else
        resp_header(r, "Allow", "%s", r->match.allow);
    return resp_empty(r, 204);
}

/* A signed URL's own parameters, which a ROUTE_SIGNED route takes besides its listed ones. */
static const char *const SIGNED_QUERY[] = {"p", "exp", "sig"};
#define SIGNED_QUERY_N (sizeof SIGNED_QUERY / sizeof SIGNED_QUERY[0])

static int parse_query(request_t *r, const route_t *route)
{
    bool any = route->query == ROUTER_QUERY_ANY;
    if (query_parse(r->arena, r->query_string, strlen(r->query_string), any, &r->query, &r->problem) < 0)
        return -1;
    if (any)
        return 0;
    static const char *const none[] = {NULL};
    if (!(route->flags & ROUTE_SIGNED))
        return query_allow_only(&r->query, route->query ? route->query : none, &r->problem);
    size_t n = 0; /* the route's own names, then p, exp and sig */
    while (route->query && route->query[n])
        n++;
    const char **allowed = arena_calloc(r->arena, n + SIGNED_QUERY_N + 1, sizeof *allowed);
    for (size_t i = 0; i < n; i++)
        allowed[i] = route->query[i];
    for (size_t i = 0; i < SIGNED_QUERY_N; i++)
        allowed[n++] = SIGNED_QUERY[i];
    return query_allow_only(&r->query, allowed, &r->problem);
}

/* Takes a heavy slot, waiting a little for one. Returns 0, or -1 with a 503 recorded. */
static int heavy_enter(request_t *r)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += HEAVY_WAIT_S;
    while (sem_timedwait(&heavy_slots, &until) < 0) {
        if (errno != EINTR)
            return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE,
                               "Too many exports and downloads are being produced right now; retry shortly.");
    }
    ((dispatch_state_t *)r->dispatch_state)->heavy = true;
    return 0;
}

static int route_and_run(request_t *r, rate_state_t *rate)
{
    if (strcmp(r->method, "OPTIONS") == 0)
        return answer_options(r);

    switch (router_match(app->routes, app->nroutes, r->method, r->path, r->path_len, &r->match)) {
    case ROUTE_NO_PATH: return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    case ROUTE_NO_METHOD:
        return problem_set(&r->problem, PROBLEM_METHOD_NOT_ALLOWED, "%s is not allowed here; allowed: %s.", r->method,
                           r->match.allow);
    case ROUTE_MATCH: break;
    }
    const route_t *route = r->match.route;
    /* Before anything else reads or waits: a body larger than the route's cap is refused at once. */
    body_kind_t body = route->flags & ROUTE_BODY_UPLOAD ? BODY_UPLOAD
                       : route->flags & ROUTE_BODY_CSV  ? BODY_CSV
                                                        : BODY_JSON;
    if (req_body_limit(r, body) < 0 || parse_query(r, route) < 0)
        return -1;
    int auth = route->flags & ROUTE_AUTH_MASK;
    if (auth != ROUTE_PUBLIC && app->authenticate(r) < 0)
        return -1;
    if (rate_limit(r, route, rate) < 0)
        return -1;
    if (auth == ROUTE_ADMIN && r->who.role != ROLE_ADMIN)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    if ((route->flags & ROUTE_HEAVY) && heavy_enter(r) < 0)
        return -1;
    return route->handler(r);
}

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* The headers every answer carries, added right before its header block leaves (resp_send, or
 * resp_stream_begin for a streamed one): CORS, and the rate-limit fields when a limit applied. */
static void final_headers(request_t *r)
{
    if (!cors_is_preflight(r))
        cors_response_headers(r, r->match.route && (r->match.route->flags & ROUTE_CORS_ANY));
    const dispatch_state_t *st = r->dispatch_state;
    if (st && st->rate.applied)
        rate_limit_headers(r, &st->rate);
}

dispatch_result_t dispatch_request(request_t *r)
{
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    req_init_from_fcgi(r);
    dispatch_state_t *st = arena_calloc(r->arena, 1, sizeof *st);
    r->dispatch_state = st;
    r->final_headers = final_headers;
    int rc = route_and_run(r, &st->rate);
    app->request_done(r); /* e.g. no transaction outlives its handler: nothing partial is kept */
    if (r->resp.streaming) {
        if (rc < 0 || problem_has(&r->problem)) {
            log_msg(LOG_ERROR, "%s %s: failed after its headers were sent (%s); the answer is cut off", r->method,
                    r->path, r->problem.detail ? r->problem.detail : "no detail");
            resp_stream_abort(r);
        }
        return DISPATCH_SEND;
    }
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
    resp_send(r);
    dispatch_state_t *st = r->dispatch_state;
    if (st && st->heavy) {
        FCGX_FFlush(r->fcgx->out); /* the answer is with nginx (or cut off): the slot is free */
        st->heavy = false;
        sem_post(&heavy_slots);
    }

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
