/*
 * clicks.c — the click, impression and direct-click handlers (see clicks.h, and src/track/README.md
 * for why a hit is never lost): verify the signed token, route with the offer cache, record the hit
 * in the spool, answer once it is durable.
 */
#include "api/clicks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/resource.h"
#include "api/validate.h"
#include "http/response.h"
#include "track/bot.h"
#include "track/hitlog.h"
#include "track/link_url.h"
#include "track/token.h"
#include "track/track.h"
#include "util/hmac.h"
#include "util/rand.h"
#include "util/text.h"

#define UA_MAX_BYTES 1024
#define REFERER_MAX_BYTES 2048

_Static_assert(LINK_URL_MAX_BYTES + 1024 <= RESP_HEADERS_MAX,
               "a Location of the longest link fits the response headers");

static const char NOT_FOUND_HTML[] =
    "<!doctype html><title>Link not found</title><h1>Link not found</h1><p>This tracking link is not valid.</p>\n";
static const char UNAVAILABLE_HTML[] =
    "<!doctype html><title>Offer unavailable</title><h1>Offer unavailable</h1><p>This offer is not available.</p>\n";
static const char BUSY_HTML[] =
    "<!doctype html><title>Try again</title><h1>Please try again</h1><p>The link could not be recorded.</p>\n";

/* The 43-byte transparent 1x1 GIF. */
static const unsigned char PIXEL_GIF[43] = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
                                            0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
                                            0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
                                            0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

static int html(request_t *r, int status, const char *page, size_t len)
{
    return resp_bytes(r, status, "text/html; charset=utf-8", page, len);
}

/* Cuts s to at most max code points / max_bytes at a character boundary and drops control characters. */
static const char *clean_text(request_t *r, const char *s, size_t max_chars, size_t max_bytes)
{
    if (!s || !*s)
        return NULL;
    size_t len = strlen(s);
    char *out = arena_alloc(r->arena, len + 1);
    size_t o = 0, chars = 0;
    for (size_t i = 0; i < len && chars < max_chars;) {
        size_t n = 1;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0xf0)
            n = 4;
        else if (c >= 0xe0)
            n = 3;
        else if (c >= 0xc0)
            n = 2;
        if (i + n > len || o + n > max_bytes)
            break;
        if (!text_has_control(s + i, n, false)) {
            memcpy(out + o, s + i, n);
            o += n;
            chars++;
        }
        i += n;
    }
    out[o] = '\0';
    return o ? out : NULL;
}

static int64_t request_time_ms(const request_t *r)
{
    /* nginx's $msec ("1764028800.123"): the same on a retry of this request on another worker */
    const char *msec = req_header(r, "TRACKGEN_REQUEST_TIME");
    if (msec) {
        char *end;
        double v = strtod(msec, &end);
        if (end != msec && *end == '\0' && v > 1e9 && v < 1e11)
            return (int64_t)(v * 1000.0 + 0.5);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 128 bits: HMAC(secret, nginx's per-request nonce) so that a retried request keeps its id, or
 * CSPRNG bytes when there is no nonce (direct FastCGI use). */
static void transaction_id(const request_t *r, char out[33])
{
    const char *nonce = req_header(r, "TRACKGEN_REQUEST_NONCE");
    unsigned char md[HMAC_SHA256_LEN];
    if (nonce && text_is_token(nonce, strlen(nonce), 64)) {
        char msg[80];
        int n = snprintf(msg, sizeof msg, "txn:%s", nonce);
        hmac_sha256(r->cfg->secret, strlen(r->cfg->secret), msg, (size_t)n, md);
    } else {
        rand_bytes(md, 16);
    }
    text_hex(md, 16, out);
}

/* Fills the parts of a hit that come from the request and the token. */
static void hit_from_request(request_t *r, const token_claims_t *t, const char *kind, const link_params_t *lp, hit_t *h)
{
    memset(h, 0, sizeof *h);
    transaction_id(r, h->transaction_id);
    h->kind = kind;
    h->hit_at_ms = request_time_ms(r);
    h->partner_id = t->partner_id;
    h->offer_id = t->offer_id;
    h->offer_url_id = t->offer_url_id;
    h->params = *lp;
    h->ip = req_header(r, "REMOTE_ADDR");
    const char *ua = req_header(r, "HTTP_USER_AGENT");
    h->user_agent = clean_text(r, ua, UA_MAX_BYTES, UA_MAX_BYTES);
    h->referer = clean_text(r, req_header(r, "HTTP_REFERER"), REFERER_MAX_BYTES, REFERER_MAX_BYTES);
    h->is_bot = bot_detect(r->method, ua);
}

/* Query values source_id and sub1..sub5, cleaned: a click is never refused for its parameters. */
static const char *query_text(request_t *r, const char *name)
{
    return clean_text(r, query_get(&r->query, name, NULL), LINK_PARAM_MAX_CHARS, 4 * LINK_PARAM_MAX_CHARS);
}

/* Writes the hit to the spool; returns 0 once it is durable, -1 if it could not be. */
static int spool_hit(request_t *r, const hit_t *h)
{
    buf_t line;
    buf_init(&line, HITLOG_LINE_MAX);
    int rc = hitlog_format(h, &line);
    if (rc == 0)
        rc = spool_append(r->track->spool, buf_ptr(&line), line.len);
    buf_free(&line);
    return rc;
}

static void answer_busy(request_t *r)
{
    buf_clear(&r->resp.headers);
    resp_header(r, "Retry-After", "1");
    html(r, 503, BUSY_HTML, sizeof BUSY_HTML - 1);
}

/* For browser endpoints: the answer the handler sets is sent only once the hit is durable (the
 * exchange is deferred, see http/exchange.h); if it cannot be made durable the answer is a 503. */
static int record(request_t *r, const hit_t *h)
{
    buf_t line;
    buf_init(&line, HITLOG_LINE_MAX);
    if (hitlog_format(h, &line) < 0) {
        buf_free(&line);
        answer_busy(r);
        return -1;
    }
    r->defer.line = arena_strndup(r->arena, buf_ptr(&line), line.len);
    r->defer.len = line.len;
    r->defer.failed = answer_busy;
    buf_free(&line);
    return 0;
}

static bool verify(request_t *r, token_claims_t *t)
{
    size_t len;
    const char *tok = route_param_str(&r->match, "token", &len);
    const char *secret = r->cfg->secret;
    return tok && token_verify(tok, len, (const unsigned char *)secret, strlen(secret), t);
}

/* The destination tmpl with its macros filled for this hit (arena), or NULL when the result
 * would be longer than LINK_URL_MAX_BYTES. */
static const char *destination(request_t *r, const char *tmpl, const hit_t *h)
{
    link_fill_t f = {
        .partner_id = h->partner_id,
        .offer_id = h->offer_id,
        .offer_url_id = h->offer_url_id,
        .transaction_id = h->transaction_id,
        .timestamp = h->hit_at_ms / 1000,
        .params = h->params,
    };
    buf_t b;
    buf_init(&b, LINK_URL_MAX_BYTES);
    const char *out = NULL;
    if (link_destination_fill(tmpl, &f, &b) == BUF_OK)
        out = arena_strndup(r->arena, buf_ptr(&b), b.len);
    buf_free(&b);
    return out;
}

/* Where the click goes: the routed URL filled for this hit; when that would be too long for a
 * redirect, the offer's fallback_url, then the global fallback (the hit's outcome then says
 * fallback_too_long if it was meant for a destination). NULL: nowhere (the unavailable page). */
static const char *click_location(request_t *r, const click_route_t *route, hit_t *h)
{
    const char *candidates[] = {route->url, route->fallback, r->cfg->fallback_url};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        const char *location = candidates[i] ? destination(r, candidates[i], h) : NULL;
        if (i == 0 && route->url && !location &&
            (strcmp(h->outcome, "redirected") == 0 || strcmp(h->outcome, "fallback_url_inactive") == 0))
            h->outcome = "fallback_too_long";
        if (location)
            return location;
    }
    return NULL;
}

/* Shared by clicks and impressions: verify, route, and fill the hit (outcome: the route's for a
 * click, "recorded" for an impression). Returns 0 with *route filled, or -1 with the answer
 * already set (404 or 503). The caller records the hit once its outcome is final. */
static int track_hit(request_t *r, const char *kind, hit_t *h, click_route_t *route)
{
    token_claims_t t;
    if (!verify(r, &t))
        return html(r, 404, NOT_FOUND_HTML, sizeof NOT_FOUND_HTML - 1), -1;
    if (!offer_cache_route(r->track->cache, &t, r->cfg->fallback_url, r->arena, route)) {
        if (!offer_cache_ready(r->track->cache))
            return answer_busy(r), -1;
        return html(r, 404, NOT_FOUND_HTML, sizeof NOT_FOUND_HTML - 1), -1;
    }
    link_params_t lp;
    for (int i = 0; i < LINK_PARAM_COUNT; i++)
        lp.values[i] = query_text(r, LINK_PARAM_NAMES[i]);
    hit_from_request(r, &t, kind, &lp, h);
    h->outcome = strcmp(kind, "click") == 0 ? route->outcome : "recorded";
    return 0;
}

int click_redirect(request_t *r)
{
    hit_t h;
    click_route_t route;
    if (track_hit(r, "click", &h, &route) < 0)
        return 0;
    const char *location = click_location(r, &route, &h);
    if (record(r, &h) < 0)
        return 0;
    if (!location)
        return html(r, 404, UNAVAILABLE_HTML, sizeof UNAVAILABLE_HTML - 1);
    if (resp_header(r, "Location", "%s", location) < 0 ||
        resp_header(r, "Referrer-Policy", "no-referrer-when-downgrade") < 0)
        return -1;
    return resp_bytes(r, 302, NULL, NULL, 0);
}

int click_impression(request_t *r)
{
    hit_t h;
    click_route_t route;
    if (track_hit(r, "impression", &h, &route) < 0 || record(r, &h) < 0)
        return 0;
    return resp_bytes(r, 200, "image/gif", (const char *)PIXEL_GIF, sizeof PIXEL_GIF);
}

enum { F_TOKEN, F_SOURCE_ID, F_SUB1, F_SUB2, F_SUB3, F_SUB4, F_SUB5, F_COUNT };

static const field_spec_t DIRECT_FIELDS[F_COUNT] = {
    [F_TOKEN] = {"token", VF_STRING, .required = true, .min_len = 1, .max_len = TOKEN_MAX_LEN},
    [F_SOURCE_ID] = LINK_PARAM_FIELDS, /* through F_SUB5 */
};

int click_direct(request_t *r)
{
    json_t *body;
    field_value_t v[F_COUNT];
    if (req_json_body(r, &body) < 0 || validate_object(body, DIRECT_FIELDS, F_COUNT, v, &r->problem) < 0)
        return -1;
    token_claims_t t;
    const char *secret = r->cfg->secret;
    if (!token_verify(v[F_TOKEN].s, v[F_TOKEN].len, (const unsigned char *)secret, strlen(secret), &t))
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, "No tracking link has this token.");
    click_route_t route;
    if (!offer_cache_route(r->track->cache, &t, NULL, r->arena, &route))
        return problem_set(&r->problem,
                           offer_cache_ready(r->track->cache) ? PROBLEM_NOT_FOUND : PROBLEM_SERVICE_UNAVAILABLE, NULL);
    link_params_t lp;
    link_params_from_body(r, &v[F_SOURCE_ID], &DIRECT_FIELDS[F_SOURCE_ID], &lp);
    hit_t h;
    hit_from_request(r, &t, "click", &lp, &h);
    h.outcome = route.outcome;
    if (spool_hit(r, &h) < 0)
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, "The click could not be recorded; retry.");
    return resp_json(r, 201, json_pack("{s:s, s:s}", "transaction_id", h.transaction_id, "outcome", h.outcome));
}
