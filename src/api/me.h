/*
 * me.h — GET /v1/me: who the caller is (role, key, partner), for SPAs to set themselves up.
 */
#ifndef TRACKGEN_ME_H
#define TRACKGEN_ME_H

#include "http/request.h"

int me_get(request_t *r);

#endif
