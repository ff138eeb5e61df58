/*
 * dispatch.h — serves one request end to end: parse, route, authenticate, run the handler,
 * turn problems into problem+json, add CORS and common headers, write, and log one access line.
 * Split in two so that a tracking hit's answer can be written after its hit is durable.
 */
#ifndef TRACKGEN_DISPATCH_H
#define TRACKGEN_DISPATCH_H

#include "http/app.h"
#include "http/request.h"

typedef enum { DISPATCH_SEND = 0, DISPATCH_DEFERRED } dispatch_result_t;

/* Takes the application whose routes requests are dispatched to (borrowed until dispatch_stop)
 * and opens what every request shares across the host's worker processes (the rate limiters'
 * table in cfg->spool_dir, unless every limit is off). Call once at start, after the spool
 * directory exists; returns -1 (logged) on failure. dispatch_stop releases it at exit. */
int dispatch_start(const config_t *cfg, const app_t *app);
void dispatch_stop(void);

/* Runs the request up to a complete response. DISPATCH_SEND: call dispatch_send() now.
 * DISPATCH_DEFERRED: r->defer holds a spool line; send only once it is durable. */
dispatch_result_t dispatch_request(request_t *r);
/* Adds CORS headers, writes the response and logs the access line. */
void dispatch_send(request_t *r);

#endif
