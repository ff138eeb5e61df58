/*
 * grants.c — partner grants below a resource (see grants.h).
 */
#include "api/grants.h"

#include "api/resource.h"

static void keys(request_t *r, const grant_shape_t *g, const char **params)
{
    params[0] = id_param(r, route_param_id(&r->match, g->resource_param));
    params[1] = id_param(r, route_param_id(&r->match, "partner_id"));
}

int grants_list(request_t *r, const grant_shape_t *g)
{
    page_t pg;
    const char *id = id_param(r, route_param_id(&r->match, g->resource_param));
    if (page_parse(r, &pg) < 0 || g->resource_exists(r, id) < 0)
        return -1;
    const char *params[] = {id, pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, g->list, params, &r->problem);
    return res ? page_respond(r, res, &pg, "partner_id") : -1;
}

int grants_put(request_t *r, const grant_shape_t *g)
{
    const char *params[2];
    keys(r, g, params);
    PGresult *res = db_exec(r->db, r->arena, g->insert, params, &r->problem);
    if (!res)
        return -1;
    if (PQntuples(res) == 1)
        return respond_row(r, res, 201);
    /* Nothing inserted: it existed already (200), or the resource or partner does not exist (404). */
    res = db_exec(r->db, r->arena, g->get, params, &r->problem);
    return res ? respond_row(r, res, 200) : -1;
}

int grants_delete(request_t *r, const grant_shape_t *g)
{
    const char *params[2];
    keys(r, g, params);
    PGresult *res = db_exec(r->db, r->arena, g->delete, params, &r->problem);
    return res ? respond_done(r, res) : -1;
}
