/*
 * coupons.h — /v1/coupons: coupon codes of offers (issue 12).
 *
 * Admins create, read, merge-patch, archive (DELETE) and unassign codes, and list them with
 * filters (offer_id, partner_id, state, q, assigned). A partner key lists and reads only its own
 * codes, of offers it may run (api/offers.h OFFER_VISIBLE_TO_SCOPE; anything else is 404), each
 * with its tracking link for the coupon's offer (api/tracking_links.h) and key-less signed URLs of
 * the code's QR image (GET /v1/qr, api/signed_link.h). GET /v1/coupons/export.csv streams the same
 * rows as CSV (also through a signed URL from GET /v1/coupons/export-url). Bulk writes are in
 * api/coupon_import.h (CSV import) and api/coupon_pool.h (generate, assign).
 */
#ifndef TRACKGEN_COUPONS_H
#define TRACKGEN_COUPONS_H

#include <jansson.h>
#include <stddef.h>

#include "api/csv_export.h"
#include "http/request.h"

extern const char *const COUPON_LIST_QUERY[];   /* limit, cursor and the filters */
extern const char *const COUPON_EXPORT_QUERY[]; /* the filters */

int coupons_list(request_t *r);
int coupons_get(request_t *r);
int coupons_create(request_t *r);
int coupons_update(request_t *r);
int coupons_archive(request_t *r);
int coupons_unassign(request_t *r);
int coupons_export(request_t *r);
int coupons_export_url(request_t *r);

/* Shared by the coupon writers. */

/* Checks that offer (SQL parameter text) exists and that partner (or NULL: the pool) is active and
 * may run it. Returns 0, or -1 with 422 naming offer_id or partner_id (in the body). */
int coupons_check_owner(request_t *r, const char *offer, const char *partner);
/* An optional RFC 3339 body field as microseconds since the epoch (an SQL parameter, NULL when
 * absent or null); *micros gets the value (INT64_MIN when none). Returns 0 or -1 (field named). */
int coupons_time_field(request_t *r, const char *name, const char *value, size_t len, const char **param,
                       int64_t *micros);
/* Records the problem of ends_at not after starts_at (both given). Returns -1. */
int coupons_dates_problem(request_t *r, size_t line);

/* After a bulk write of n rows, in its transaction: when n is large, refresh the planner's
 * statistics of coupons at once (autovacuum would, a minute later), so that the lists and exports
 * that follow keep their index plans (with the statistics of a small table, an export of the new
 * rows became a sequential scan per batch: 14 s instead of 2 s for 100 000 rows). Returns 0 or -1. */
int coupons_analyze_after(request_t *r, long n);

/* For asset packages: the codes partner (SQL parameter) sees in GET /v1/coupons, of the offers
 * offers (SQL array literal, NULL: every offer it may run). */
/* Writes them as GET /v1/coupons/export.csv does (header, then rows by id) to write(ctx),
 * batch by batch (memory bounded). Returns 0 or -1 (problem recorded on a database error). */
int coupons_export_of_offers(request_t *r, const char *partner, const char *offers, csv_export_write_fn write,
                             void *ctx);
/* Appends each, as GET /v1/coupons shows it, to the array by_offer["<offer_id>"] (codes of offers
 * without an array there are skipped). Returns 0 or -1 with the problem recorded. */
int coupons_of_offers(request_t *r, const char *partner, const char *offers, json_t *by_offer);

/* SQL: microseconds since the epoch (bigint parameter or column) as a timestamptz. */
#define COUPON_MICROS_TS(x) "(timestamptz 'epoch' + (" x ")::bigint * interval '1 microsecond')"

#endif
