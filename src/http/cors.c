/*
 * cors.c — CORS headers for allowed origins (see cors.h).
 */
#include "http/cors.h"

#include <string.h>

#include "http/response.h"

static const char *allowed_origin(const request_t *r, bool any_origin)
{
    const char *origin = req_header(r, "HTTP_ORIGIN");
    if (!origin || !*origin || strlen(origin) > 256 || strpbrk(origin, "\r\n"))
        return NULL;
    return any_origin || config_origin_allowed(r->cfg, origin, strlen(origin)) ? origin : NULL;
}

bool cors_is_preflight(const request_t *r)
{
    const char *m = req_header(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD");
    return strcmp(r->method, "OPTIONS") == 0 && m && *m;
}

void cors_preflight_headers(request_t *r, const char *allow, bool any_origin)
{
    const char *origin = allowed_origin(r, any_origin);
    if (!origin)
        return;
    resp_header(r, "Access-Control-Allow-Origin", "%s", origin);
    resp_header(r, "Access-Control-Allow-Methods", "%s", allow);
    resp_header(r, "Access-Control-Allow-Headers",
                "Authorization, Content-Type, If-None-Match, X-Api-Key, X-Request-Id");
    resp_header(r, "Access-Control-Max-Age", "600");
    resp_header(r, "Vary", "Origin");
}

void cors_response_headers(request_t *r, bool any_origin)
{
    const char *origin = allowed_origin(r, any_origin);
    if (!origin)
        return;
    resp_header(r, "Access-Control-Allow-Origin", "%s", origin);
    resp_header(r, "Access-Control-Expose-Headers",
                "ETag, Location, RateLimit, RateLimit-Policy, Retry-After, X-Request-Id");
    resp_header(r, "Vary", "Origin");
}
