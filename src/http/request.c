/*
 * request.c — reading a request from FastCGI: parameters, request id, and the JSON body
 * with its Content-Type and size checks (see request.h).
 */
#include "http/request.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/rand.h"
#include "util/text.h"

#define REQUEST_ID_MAX 128

const char *req_header(const request_t *r, const char *cgi_name)
{
    return FCGX_GetParam(cgi_name, r->fcgx->envp);
}

static const char *param_or_empty(const request_t *r, const char *name)
{
    const char *v = FCGX_GetParam(name, r->fcgx->envp);
    return v ? v : "";
}

void req_init_from_fcgi(request_t *r)
{
    r->method = param_or_empty(r, "REQUEST_METHOD");
    const char *uri = param_or_empty(r, "REQUEST_URI");
    const char *q = strchr(uri, '?');
    r->path_len = q ? (size_t)(q - uri) : strlen(uri);
    r->path = arena_strndup(r->arena, uri, r->path_len);
    r->query_string = q ? q + 1 : "";

    const char *rid = req_header(r, "HTTP_X_REQUEST_ID");
    if (rid && text_is_token(rid, strlen(rid), REQUEST_ID_MAX)) {
        r->request_id = rid;
    } else {
        char *gen = arena_alloc(r->arena, 33);
        rand_hex(gen, 16);
        r->request_id = gen;
    }
}

/* Compares the media type of a Content-Type header (parameters after ';' ignored). */
static bool media_type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    if (strncasecmp(ct, want, n) != 0)
        return false;
    const char *rest = ct + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    return *rest == '\0' || *rest == ';';
}

static int check_content_type(request_t *r)
{
    const char *ct = req_header(r, "CONTENT_TYPE");
    if (!ct || !*ct)
        return problem_set(&r->problem, PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                           "A request body needs Content-Type: application/json.");
    if (media_type_is(ct, "application/json"))
        return 0;
    if (strcmp(r->method, "PATCH") == 0 && media_type_is(ct, "application/merge-patch+json"))
        return 0;
    return problem_set(&r->problem, PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                       "Content-Type '%.100s' is not supported; send application/json%s.", ct,
                       strcmp(r->method, "PATCH") == 0 ? " or application/merge-patch+json" : "");
}

int req_body_limit(request_t *r, body_kind_t kind)
{
    r->body = body_limit(r->cfg, kind);
    r->body_read = 0;
    return body_limit_check(&r->body, req_header(r, "CONTENT_LENGTH"), &r->body_len, &r->problem);
}

long req_body_read(request_t *r, void *buf, size_t n)
{
    size_t left = r->body_len - r->body_read;
    if (n > left)
        n = left;
    if (n > INT_MAX)
        n = INT_MAX;
    if (n == 0)
        return 0;
    int k = FCGX_GetStr(buf, (int)n, r->fcgx->in);
    if (k <= 0)
        return problem_set(&r->problem, PROBLEM_VALIDATION, "The request body ended after %zu of %zu bytes.",
                           r->body_read, r->body_len);
    r->body_read += (size_t)k;
    return k;
}

/* Reads the whole body (at most the route's cap, checked by req_body_limit) into arena memory. */
static int read_body(request_t *r, char **body, size_t *len)
{
    char *b = arena_alloc(r->arena, r->body_len + 1);
    size_t got = 0;
    long k;
    while ((k = req_body_read(r, b + got, r->body_len - got)) > 0)
        got += (size_t)k;
    if (k < 0)
        return -1;
    b[got] = '\0';
    *body = b;
    *len = got;
    return 0;
}

static void json_release(void *p)
{
    json_decref(p);
}

int req_json_body(request_t *r, json_t **out)
{
    char *body = NULL;
    size_t len = 0;
    if (read_body(r, &body, &len) < 0 || check_content_type(r) < 0)
        return -1;
    if (len == 0)
        return problem_set(&r->problem, PROBLEM_MALFORMED_JSON,
                           "The request body is empty; a JSON object is expected.");
    json_error_t err;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        return problem_set(&r->problem, PROBLEM_MALFORMED_JSON, "Invalid JSON at line %d, column %d: %s", err.line,
                           err.column, err.text);
    arena_cleanup_add(r->arena, json_release, j); /* the arena owns the reference */
    if (!json_is_object(j))
        return problem_set(&r->problem, PROBLEM_MALFORMED_JSON, "The request body must be a JSON object.");
    *out = j;
    return 0;
}
