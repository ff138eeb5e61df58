/*
 * dispatch.h — serves one request end to end: parse, route, authenticate, run the handler,
 * turn problems into problem+json, add CORS and common headers, write, and log one access line.
 * Split in two so that a tracking hit's answer can be written after its hit is durable.
 */
#ifndef TRACKGEN_DISPATCH_H
#define TRACKGEN_DISPATCH_H

#include "http/request.h"

typedef enum { DISPATCH_SEND = 0, DISPATCH_DEFERRED } dispatch_result_t;

/* Runs the request up to a complete response. DISPATCH_SEND: call dispatch_send() now.
 * DISPATCH_DEFERRED: r->defer holds a spool line; send only once it is durable. */
dispatch_result_t dispatch_request(request_t *r);
/* Adds CORS headers, writes the response and logs the access line. */
void dispatch_send(request_t *r);

#endif
