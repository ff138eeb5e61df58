/*
 * request.h — one HTTP request as the handlers see it.
 *
 * Built by the dispatcher from the FastCGI parameters; everything in it lives in the request
 * arena (freed when the response has been sent). Handlers read the request, do their work and
 * either set a response (response.h) and return 0, or record a problem and return -1.
 */
#ifndef TRACKGEN_REQUEST_H
#define TRACKGEN_REQUEST_H

#include <fcgiapp.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "http/body_limit.h"
#include "http/query.h"
#include "http/router.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/problem.h"

struct db;
struct track;

typedef enum { ROLE_NONE = 0, ROLE_ADMIN, ROLE_PARTNER } role_t;

/* Who is calling: filled by authentication. */
typedef struct {
    role_t role;
    int64_t key_id;
    int64_t partner_id; /* 0 for admins */
    char key_prefix[16];
    int rate_limit;      /* the key's own limit (requests per minute, 0 = none); -1: the server's */
    int64_t url_expires; /* authorised by a signed URL (api/signed_link.h): its expiry; 0 for a key */
} principal_t;

typedef struct {
    int status;
    const char *content_type; /* NULL: no body */
    const char *body;         /* arena memory */
    size_t body_len;
    bool etag;                 /* compute a strong ETag over the body and honour If-None-Match */
    const char *etag_value;    /* or: the handler's own ETag of its inputs (resp_cache), quoted */
    const char *cache_control; /* with etag_value, or alone (resp_cache_control): the Cache-Control value */
    buf_t headers;             /* extra "Name: value\r\n" lines */
    bool streaming;            /* the headers have left (resp_stream_begin); the body follows in pieces */
    bool aborted;              /* a streamed answer failed after its headers: it ends without FastCGI's end
                                * record, so nginx cuts the client's connection (never a short body that looks whole) */
} response_t;

/* A response that may only be sent once a spool line is durable (see http/exchange.h). */
typedef struct request request_t;
typedef struct {
    const char *line; /* the spool line (arena); NULL: the response is not deferred */
    size_t len;
    void (*failed)(request_t *r); /* replaces the response when the line could not be made durable */
} deferral_t;

typedef struct request {
    FCGX_Request *fcgx;
    arena_t *arena;
    const config_t *cfg;
    struct db *db;
    struct track *track; /* the process's tracking services (spool, offer cache) */

    const char *method;
    const char *path; /* raw path, NUL-terminated copy without the query */
    size_t path_len;
    const char *query_string;
    query_t query;
    const char *request_id;
    route_match_t match;
    principal_t who;
    problem_t problem;
    response_t resp;
    deferral_t defer;
    body_limit_t body; /* the route's body cap (req_body_limit) */
    size_t body_len;   /* Content-Length, within body.cap */
    size_t body_read;  /* bytes of it read so far */
    struct timespec started;
    /* Set by the dispatcher: adds the headers every answer carries (CORS, rate limits) right before
     * the header block leaves, whether whole (resp_send) or streamed (resp_stream_begin). */
    void (*final_headers)(request_t *r);
    void *dispatch_state; /* the dispatcher's, in the arena */
} request_t;

/* The value of an HTTP request header given by its CGI name (e.g. "HTTP_ORIGIN"), or NULL. */
const char *req_header(const request_t *r, const char *cgi_name);
/* Chooses the body cap for the route's kind of body and checks Content-Length against it (the
 * dispatcher calls it before the handler). Returns 0, or -1 with 413 (naming the cap and its
 * setting) or 400 recorded. */
int req_body_limit(request_t *r, body_kind_t kind);
/* Reads up to n more bytes of the body (never past Content-Length) into buf, for bodies handled
 * in pieces. Returns the count, 0 at the end, or -1 (problem recorded) if the body ends early. */
long req_body_read(request_t *r, void *buf, size_t n);
/* Reads the body as a JSON object into *out (a new reference, released with the arena).
 * Checks Content-Type (application/json; for PATCH also application/merge-patch+json), the size
 * cap, JSON syntax and that the top level is an object. Returns 0, or -1 with the problem set. */
int req_json_body(request_t *r, json_t **out);
/* Fills method, path, query_string and request_id from the FastCGI parameters. */
void req_init_from_fcgi(request_t *r);

#endif
