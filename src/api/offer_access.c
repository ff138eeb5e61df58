/*
 * offer_access.c — offer access grants (see offer_access.h), through api/grants.h.
 */
#include "api/offer_access.h"

#include "api/grants.h"
#include "api/offers.h"

GRANT_STATEMENTS("offer_partner_access", "offer_id", "offers");

static const grant_shape_t SHAPE = {"offer_id", &GRANT_LIST, &GRANT_INSERT, &GRANT_GET, &GRANT_DELETE, offers_exists};

int offer_access_list(request_t *r)
{
    return grants_list(r, &SHAPE);
}

int offer_access_grant(request_t *r)
{
    return grants_put(r, &SHAPE);
}

int offer_access_revoke(request_t *r)
{
    return grants_delete(r, &SHAPE);
}
