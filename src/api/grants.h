/*
 * grants.h — partner grants below a resource (offer access, private creatives), written once:
 * list the partners granted, grant one (PUT, idempotent: 201 when new, 200 when it existed, 404
 * when the resource or the partner does not exist), revoke one (DELETE, 204 or 404). Admins only.
 */
#ifndef TRACKGEN_GRANTS_H
#define TRACKGEN_GRANTS_H

#include "db/db.h"
#include "http/request.h"

/* One kind of grant. The statements take ($1 resource id, $2 partner id) — list: ($1, after, fetch)
 * — and return the grant's columns with a partner_id column. */
typedef struct {
    const char *resource_param; /* the route parameter naming the resource, e.g. "offer_id" */
    db_stmt_t *list;
    db_stmt_t *insert; /* returns the row only when it was inserted (ON CONFLICT DO NOTHING) */
    db_stmt_t *get;
    db_stmt_t *delete;
    /* 0 if the resource (id as SQL text) exists, else -1 with 404 (or 503) recorded. */
    int (*resource_exists)(request_t *r, const char *id);
} grant_shape_t;

int grants_list(request_t *r, const grant_shape_t *g);
int grants_put(request_t *r, const grant_shape_t *g);
int grants_delete(request_t *r, const grant_shape_t *g);

#endif
