/*
 * auth.c — API key authentication (see auth.h): no database round trip, the keys come from the
 * process's key cache (api/key_cache.h).
 */
#include "api/auth.h"

#include <string.h>
#include <strings.h>

#include "api/apikey_format.h"
#include "api/key_cache.h"
#include "api/signed_link.h"
#include "http/app.h"
#include "track/track.h"

/* The presented key: Bearer token first, then X-Api-Key. */
static const char *presented_key(const request_t *r)
{
    const char *authz = req_header(r, "HTTP_AUTHORIZATION");
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        const char *k = authz + 7;
        while (*k == ' ')
            k++;
        return k;
    }
    return req_header(r, "HTTP_X_API_KEY");
}

static int unauthorized(request_t *r, const char *detail)
{
    return problem_set(&r->problem, PROBLEM_UNAUTHORIZED, "%s", detail);
}

int auth_authenticate(request_t *r)
{
    if ((r->match.route->flags & ROUTE_SIGNED) && query_get(&r->query, "sig", NULL))
        return signed_link_authenticate(r);
    const char *key = presented_key(r);
    if (!key || !*key)
        return unauthorized(r, "No API key: send Authorization: Bearer <key> or X-Api-Key: <key>.");
    apikey_t k;
    if (!apikey_parse(key, strlen(key), &k))
        return unauthorized(r, "The API key is not valid.");
    key_info_t info;
    switch (key_cache_check(r->track->keys, &k, &info)) {
    case KEY_OK: break;
    /* Same answer for unknown and wrong keys: nothing to learn about which prefixes exist. */
    case KEY_UNKNOWN: return unauthorized(r, "The API key is not valid.");
    case KEY_REVOKED: return unauthorized(r, "The API key has been revoked.");
    case KEY_PARTNER_SUSPENDED: return unauthorized(r, "The partner of this API key is suspended.");
    case KEY_UNAVAILABLE:
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE,
                           "API keys cannot be checked right now (database unreachable); retry shortly.");
    }
    r->who.key_id = info.id;
    r->who.role = info.admin ? ROLE_ADMIN : ROLE_PARTNER;
    r->who.partner_id = info.partner_id;
    memcpy(r->who.key_prefix, k.prefix, sizeof k.prefix);
    r->who.rate_limit = info.rate_limit;
    return 0;
}
