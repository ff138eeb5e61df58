/*
 * coupon_pool.h — the bulk writers of coupons that need no file (admin only):
 *  - POST /v1/coupons/generate makes `count` (up to 100 000) random, unique, readable codes for an
 *    offer (coupon/coupon_code.h), optionally straight to a partner, in one transaction;
 *  - POST /v1/coupons/assign hands `count` unassigned active codes of an offer's pool to a partner,
 *    atomically: assignments of one offer are serialised and take rows with FOR UPDATE SKIP LOCKED,
 *    so two never hand out the same code, and with fewer codes left than asked nothing is assigned
 *    (409 naming how many remain).
 * Unassigning (a code back to the pool) is POST /v1/coupons/{id}/unassign (api/coupons.h).
 */
#ifndef TRACKGEN_COUPON_POOL_H
#define TRACKGEN_COUPON_POOL_H

#include "http/request.h"

#define COUPON_BULK_MAX 100000

int coupon_pool_generate(request_t *r);
int coupon_pool_assign(request_t *r);

#endif
