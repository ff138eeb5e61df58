/*
 * routes.h — the route table of the whole service: which method and path go to which handler,
 * and who may call it (the ROUTE_* flags of http/app.h).
 */
#ifndef TRACKGEN_ROUTES_H
#define TRACKGEN_ROUTES_H

#include <stddef.h>

#include "http/app.h"
#include "http/router.h"

const route_t *routes_table(size_t *n);

#endif
