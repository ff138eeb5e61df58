/*
 * response.c — response building and writing (see response.h).
 */
#include "http/response.h"

#include <limits.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/text.h"

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

static void set_body_json(request_t *r, int status, json_t *body, const char *content_type)
{
    size_t need = json_dumpb(body, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *out = arena_alloc(r->arena, need + 1);
    json_dumpb(body, out, need, JSON_COMPACT | JSON_PRESERVE_ORDER);
    out[need] = '\0';
    json_decref(body);
    r->resp.status = status;
    r->resp.content_type = content_type;
    r->resp.body = out;
    r->resp.body_len = need;
    r->resp.etag = false;
    r->resp.etag_value = NULL; /* JSON and problems never carry a handler's cache headers */
    r->resp.cache_control = NULL;
}

int resp_json(request_t *r, int status, json_t *body)
{
    set_body_json(r, status, body, "application/json");
    return 0;
}

int resp_json_etag(request_t *r, json_t *body)
{
    set_body_json(r, 200, body, "application/json");
    r->resp.etag = true;
    return 0;
}

int resp_json_text(request_t *r, int status, const char *body, size_t len, bool etag)
{
    resp_bytes(r, status, "application/json", body, len);
    r->resp.etag = etag;
    r->resp.etag_value = NULL;
    r->resp.cache_control = NULL;
    return 0;
}

int resp_bytes(request_t *r, int status, const char *content_type, const char *body, size_t len)
{
    r->resp.status = status;
    r->resp.content_type = content_type;
    r->resp.body = body;
    r->resp.body_len = len;
    r->resp.etag = false;
    return 0;
}

int resp_empty(request_t *r, int status)
{
    r->resp.status = status;
    r->resp.content_type = NULL;
    r->resp.body = NULL;
    r->resp.body_len = 0;
    return 0;
}

int resp_header(request_t *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *value = arena_vprintf(r->arena, fmt, ap);
    va_end(ap);
    buf_t *h = &r->resp.headers;
    /* Checked first: a buffer that overflows is emptied, and the lines already in it must stay. */
    if (strlen(name) + strlen(value) + 4 > h->max - h->len || buf_printf(h, "%s: %s\r\n", name, value) != BUF_OK)
        return problem_set(&r->problem, PROBLEM_INTERNAL, "The response's %s header is too large to send.", name);
    return 0;
}

void resp_problem(request_t *r)
{
    json_t *j = problem_to_json(&r->problem, r->path, r->request_id);
    buf_clear(&r->resp.headers);
    r->resp.etag_value = r->resp.cache_control = NULL; /* a problem is never cached */
    switch (r->problem.kind) {
    case PROBLEM_UNAUTHORIZED: resp_header(r, "WWW-Authenticate", "Bearer realm=\"trackgen\""); break;
    case PROBLEM_METHOD_NOT_ALLOWED: resp_header(r, "Allow", "%s", r->match.allow); break;
    case PROBLEM_SERVICE_UNAVAILABLE: resp_header(r, "Retry-After", "1"); break;
    default: break;
    }
    set_body_json(r, problem_status(r->problem.kind), j, "application/problem+json");
}

/* True if an If-None-Match header lists etag (or is "*"). */
static bool etag_matches(const char *inm, const char *etag)
{
    if (!inm)
        return false;
    size_t elen = strlen(etag);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, elen) == 0 && (p[elen] == '\0' || p[elen] == ',' || p[elen] == ' '))
            return true;
        while (*p && *p != ',')
            p++;
    }
    return false;
}

bool resp_cache(request_t *r, const char *etag, const char *cache_control)
{
    r->resp.etag_value = etag;
    r->resp.cache_control = cache_control;
    return etag_matches(req_header(r, "HTTP_IF_NONE_MATCH"), etag);
}

/* Sent instead of a header block that could not be built (it cannot happen while the common
 * headers stay far below RESP_HEADER_BLOCK_MAX - RESP_HEADERS_MAX). */
static const char BLOCK_FAILED[] =
    "Status: 500 Internal Server Error\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n";

void resp_cache_control(request_t *r, const char *value)
{
    r->resp.cache_control = value;
}

/* The header block: status, request id, caching, the handler's headers, and the body's type and
 * (unless streamed) length. Returns BUF_OK or the buffer's error. */
static int header_block(request_t *r, const char *etag, bool streamed, buf_t *h)
{
    response_t *resp = &r->resp;
    int rc = buf_printf(h, "Status: %d %s\r\nX-Request-Id: %s\r\n", resp->status, reason_phrase(resp->status),
                        r->request_id);
    if (etag[0])
        rc |= buf_printf(h, "ETag: %s\r\nCache-Control: private, no-cache\r\n", etag);
    else if (resp->etag_value && (resp->status == 200 || resp->status == 304))
        rc |= buf_printf(h, "ETag: %s\r\nCache-Control: %s\r\n", resp->etag_value, resp->cache_control);
    else
        rc |= buf_printf(h, "Cache-Control: %s\r\n", resp->cache_control ? resp->cache_control : "no-store");
    rc |= buf_append(h, buf_ptr(&resp->headers), resp->headers.len);
    if (resp->content_type && streamed)
        rc |= buf_printf(h, "Content-Type: %s\r\n", resp->content_type);
    else if (resp->content_type)
        rc |= buf_printf(h, "Content-Type: %s\r\nContent-Length: %zu\r\n", resp->content_type, resp->body_len);
    else if (resp->status != 204 && resp->status != 304)
        rc |= buf_append_str(h, "Content-Length: 0\r\n");
    return rc | buf_append_str(h, "\r\n");
}

/* Writes the header block; false (after writing a bare 500 instead) when it could not be built. */
static bool write_headers(request_t *r, const char *etag, bool streamed)
{
    if (r->final_headers)
        r->final_headers(r);
    /* A header added last (CORS) that did not fit: the problem replaces the response. */
    if (!streamed && problem_has(&r->problem) && r->resp.status != problem_status(r->problem.kind))
        resp_problem(r);
    /* Built with the C library's printf (libfcgi's FCGX_FPrintF lacks %zu), written in one call. */
    buf_t h;
    buf_init(&h, RESP_HEADER_BLOCK_MAX);
    bool ok = header_block(r, etag, streamed, &h) == BUF_OK;
    if (ok)
        FCGX_PutStr(buf_ptr(&h), (int)h.len, r->fcgx->out);
    else
        FCGX_PutStr(BLOCK_FAILED, (int)sizeof BLOCK_FAILED - 1, r->fcgx->out);
    buf_free(&h);
    if (!ok)
        r->resp.status = 500;
    return ok;
}

void resp_send(request_t *r)
{
    response_t *resp = &r->resp;
    if (resp->streaming)
        return; /* sent as it was produced */
    char etag[44] = "";
    if (resp->etag && resp->status == 200) {
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256((const unsigned char *)resp->body, resp->body_len, md);
        etag[0] = '"';
        text_hex(md, 20, etag + 1);
        strcat(etag, "\"");
        if (etag_matches(req_header(r, "HTTP_IF_NONE_MATCH"), etag))
            resp_empty(r, 304);
    }
    if (!write_headers(r, etag, false))
        return;
    bool head = strcmp(r->method, "HEAD") == 0;
    if (resp->content_type && !head && resp->body_len)
        FCGX_PutStr(resp->body, (int)resp->body_len, r->fcgx->out);
}

int resp_stream_begin(request_t *r, int status, const char *content_type)
{
    r->resp.status = status;
    r->resp.content_type = content_type;
    r->resp.body = NULL;
    r->resp.body_len = 0;
    r->resp.etag = false;
    r->resp.streaming = true;
    if (!write_headers(r, "", true)) {
        r->resp.aborted = true;
        return -1;
    }
    return 0;
}

int resp_stream_writer(void *r, const void *p, size_t n)
{
    return resp_stream_write(r, p, n);
}

int resp_stream_write(request_t *r, const void *p, size_t n)
{
    if (r->resp.aborted)
        return -1;
    if (strcmp(r->method, "HEAD") == 0 || n == 0)
        return 0;
    while (n > 0) {
        int piece = n > INT_MAX ? INT_MAX : (int)n;
        if (FCGX_PutStr(p, piece, r->fcgx->out) != piece) {
            r->resp.aborted = true; /* nginx is gone */
            return -1;
        }
        p = (const char *)p + piece;
        n -= (size_t)piece;
    }
    return 0;
}

void resp_stream_abort(request_t *r)
{
    r->resp.aborted = true;
}
