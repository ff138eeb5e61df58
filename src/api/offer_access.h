/*
 * offer_access.h — /v1/offers/{offer_id}/partners: which partners may run a non-public offer
 * (admins). A grant makes a private or require_approval offer visible to that partner.
 */
#ifndef TRACKGEN_OFFER_ACCESS_H
#define TRACKGEN_OFFER_ACCESS_H

#include "http/request.h"

int offer_access_list(request_t *r);
int offer_access_grant(request_t *r);
int offer_access_revoke(request_t *r);

#endif
