/*
 * response.h — setting a handler's response, and writing the finished response to FastCGI.
 *
 * Handlers call resp_json()/resp_empty()/resp_header(); the dispatcher calls resp_send() once,
 * which adds the common headers (X-Request-Id, CORS, ETag/304, Content-Length) and writes it all.
 */
#ifndef TRACKGEN_RESPONSE_H
#define TRACKGEN_RESPONSE_H

#include <jansson.h>

#include "http/request.h"

/* The whole header block of a response, in bytes. nginx reads it into fastcgi_buffer_size
 * (deploy/nginx.conf.template), which must be at least this large: a larger block is a 502 there. */
#define RESP_HEADER_BLOCK_MAX (16 * 1024)
/* Cap on the header lines a handler (and CORS) may add, a redirect's Location among them; the
 * rest of the block is left for the common headers resp_send() adds. */
#define RESP_HEADERS_MAX (12 * 1024)

/* Sets a JSON response. Steals the reference to body. Returns 0. */
int resp_json(request_t *r, int status, json_t *body);
/* Like resp_json with status 200, plus a strong ETag and If-None-Match handling. Returns 0. */
int resp_json_etag(request_t *r, json_t *body);
/* Like resp_json (etag: like resp_json_etag) for a body already rendered as JSON (arena memory). */
int resp_json_text(request_t *r, int status, const char *body, size_t len, bool etag);
/* A response with a body of the given media type (the body must live in the arena or be static). Returns 0. */
int resp_bytes(request_t *r, int status, const char *content_type, const char *body, size_t len);
/* Makes a 200 response cacheable under the handler's own strong ETag (quoted, a hash of every
 * input the body depends on, arena or static memory) with the given Cache-Control value; they
 * are sent with the 200 or 304. Returns true when If-None-Match already names etag: answer
 * resp_empty(r, 304) then, without producing the body. */
bool resp_cache(request_t *r, const char *etag, const char *cache_control);
/* Replaces the default Cache-Control (no-store) of an answer without an ETag (arena or static value). */
void resp_cache_control(request_t *r, const char *value);
/* A response without a body (204, 304). Returns 0. */
int resp_empty(request_t *r, int status);
/* Adds a response header line, whole. Returns 0, or -1 when it does not fit in RESP_HEADERS_MAX:
 * nothing is added and the request's problem becomes a 500, so a response is never sent with a
 * header cut or missing (the dispatcher, and resp_send() for later headers, answer the problem). */
int resp_header(request_t *r, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Replaces the response by the request's problem as application/problem+json. */
void resp_problem(request_t *r);
/* Writes the response to the FastCGI stream (nothing for a streamed one: it has left already). */
void resp_send(request_t *r);

/* Streaming, for answers too large to build whole (CSV exports, ZIPs): memory stays bounded
 * however large the answer. Once its inputs are checked, the handler calls resp_stream_begin:
 * the status and headers leave at once, without Content-Length (nginx sends the body chunked, and
 * buffers it to its temporary files, so a slow client does not hold the worker: see README,
 * "Heavy answers"). Then resp_stream_write for each piece as it is produced, and the handler
 * returns 0. A failure after the headers cannot become a problem+json any more: the handler calls
 * resp_stream_abort (or returns -1), and the request ends without FastCGI's end record, so nginx
 * cuts the client's connection — the client sees an incomplete answer, never a short one that
 * looks whole. HEAD gets the headers only. Each returns 0, or -1 once the answer is aborted. */
int resp_stream_begin(request_t *r, int status, const char *content_type);
int resp_stream_write(request_t *r, const void *p, size_t n);
/* The same as a writer callback (ctx: the request_t), for producers that write to a callback
 * (util/zip_stream.h, api/csv_export.h). */
int resp_stream_writer(void *r, const void *p, size_t n);
void resp_stream_abort(request_t *r);

#endif
