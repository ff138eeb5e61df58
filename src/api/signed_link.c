/*
 * signed_link.c — issuing and honouring the API's key-less URLs (see signed_link.h).
 */
#include "api/signed_link.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "http/response.h"
#include "track/macro.h"
#include "util/buf.h"

static db_stmt_t PARTNER_ACTIVE = DB_STMT("SELECT status = 'active' FROM partners WHERE id = $1", 1, true);

static size_t secret_len(const request_t *r)
{
    return strlen(r->cfg->secret);
}

/* The request's query pairs as signed_url's parameters (arena). */
static signed_url_param_t *query_params(request_t *r)
{
    signed_url_param_t *q = arena_calloc(r->arena, (size_t)r->query.n + 1, sizeof *q);
    for (int i = 0; i < r->query.n; i++)
        q[i] = (signed_url_param_t){r->query.params[i].name, r->query.params[i].value, r->query.params[i].value_len};
    return q;
}

/* Expiries are whole minutes (rounded up): the URL of a resource, and with it the ETag of an answer
 * that contains it (a coupon's QR image, a creative's file), stays the same for a minute instead of
 * changing every second, so conditional GETs and browser caches work. A URL lives TTL to TTL + 59 s. */
#define EXPIRY_STEP_S 60

const char *signed_link_issue(request_t *r, const char *path, const signed_url_param_t *params, size_t n,
                              int64_t *expires)
{
    int64_t exp = (int64_t)time(NULL) + r->cfg->download_ttl;
    exp += (EXPIRY_STEP_S - exp % EXPIRY_STEP_S) % EXPIRY_STEP_S;
    signed_url_claims_t c = {r->who.partner_id, path, strlen(path), params, n, exp};
    char suffix[SIGNED_URL_SUFFIX_MAX];
    buf_t url;
    buf_init(&url, SIGNED_URL_MSG_MAX * 3 + 1024); /* percent-encoding triples a value at most */
    bool ok = signed_url_sign(r->cfg->secret, secret_len(r), &c, suffix) > 0 &&
              buf_append_str(&url, r->cfg->public_url) == BUF_OK && buf_append_str(&url, path) == BUF_OK;
    for (size_t i = 0; ok && i < n; i++) {
        /* the value may be a slice: encode a NUL-terminated copy */
        const char *v = arena_strndup(r->arena, params[i].value, params[i].value_len);
        ok = buf_append_char(&url, i == 0 ? '?' : '&') == BUF_OK && macro_url_encode(params[i].name, &url) == 0 &&
             buf_append_char(&url, '=') == BUF_OK && macro_url_encode(v, &url) == 0;
    }
    ok = ok && buf_append_char(&url, n == 0 ? '?' : '&') == BUF_OK && buf_append_str(&url, suffix) == BUF_OK;
    if (!ok) {
        buf_free(&url);
        problem_set(&r->problem, PROBLEM_INTERNAL, "A download URL could not be signed.");
        return NULL;
    }
    const char *out = arena_strndup(r->arena, buf_ptr(&url), url.len);
    buf_free(&url);
    if (expires)
        *expires = exp;
    return out;
}

int signed_link_respond(request_t *r, const char *path)
{
    signed_url_param_t *q = query_params(r);
    int64_t expires;
    const char *url = signed_link_issue(r, path, q, (size_t)r->query.n, &expires);
    if (!url)
        return -1;
    return resp_json(r, 200, json_pack("{s:s, s:s}", "url", url, "expires_at", signed_link_time(r, expires)));
}

const char *signed_link_time(request_t *r, int64_t unix_seconds)
{
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    char s[32];
    gmtime_r(&t, &tm);
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return arena_strdup(r->arena, s);
}

int signed_link_authenticate(request_t *r)
{
    signed_url_param_t *q = query_params(r);
    int64_t partner = 0, expires = 0;
    switch (signed_url_verify(r->cfg->secret, secret_len(r), r->path, r->path_len, q, (size_t)r->query.n,
                              (int64_t)time(NULL), &partner, &expires)) {
    case SIGNED_URL_TAMPERED: return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    case SIGNED_URL_EXPIRED:
        return problem_set(&r->problem, PROBLEM_EXPIRED, "This signed URL has expired; ask the API for a new one.");
    case SIGNED_URL_VALID: break;
    }
    if (partner > 0) { /* live: a partner suspended since the URL was issued may not use it */
        char id[24];
        snprintf(id, sizeof id, "%" PRId64, partner);
        const char *params[] = {id};
        PGresult *res = db_exec(r->db, r->arena, &PARTNER_ACTIVE, params, &r->problem);
        if (!res)
            return -1;
        if (PQntuples(res) != 1 || PQgetvalue(res, 0, 0)[0] != 't')
            return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    }
    r->who.role = partner > 0 ? ROLE_PARTNER : ROLE_ADMIN;
    r->who.partner_id = partner;
    r->who.key_id = 0;
    r->who.rate_limit = -1;
    r->who.url_expires = expires;
    return 0;
}

bool signed_link_used(const request_t *r)
{
    return r->who.url_expires > 0;
}

const char *signed_link_cache_control(request_t *r)
{
    if (!signed_link_used(r))
        return "private, no-store";
    int64_t left = r->who.url_expires - (int64_t)time(NULL);
    return arena_printf(r->arena, "private, max-age=%" PRId64, left > 0 ? left : 0);
}
