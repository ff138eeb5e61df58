/*
 * dispatch.h — serves one request end to end: parse, route, authenticate, run the handler,
 * turn problems into problem+json, add CORS and common headers, write, and log one access line.
 */
#ifndef TRACKGEN_DISPATCH_H
#define TRACKGEN_DISPATCH_H

#include "http/request.h"

void dispatch_request(request_t *r);

#endif
