/*
 * routes.h — the route table of the whole service: which method and path go to which handler,
 * and who may call it.
 */
#ifndef TRACKGEN_ROUTES_H
#define TRACKGEN_ROUTES_H

#include <stddef.h>

#include "http/router.h"

enum {
    ROUTE_PUBLIC = 0,   /* no API key */
    ROUTE_ANY_KEY = 1,  /* admin or partner key */
    ROUTE_ADMIN = 2,    /* admin key; for a partner key the route "does not exist" (404) */
    ROUTE_AUTH_MASK = 3,
    ROUTE_CORS_ANY = 4, /* callable from any origin (landing pages), whatever TRACKGEN_CORS_ORIGINS says */
    ROUTE_LIMIT_CLIENT = 8, /* public, but limited per client address (TRACKGEN_CLICKS_RATE_LIMIT) */
};

const route_t *routes_table(size_t *n);

#endif
