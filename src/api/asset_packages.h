/*
 * asset_packages.h — /v1/asset-packages: the seed's whole "Configure Tracking Link & Asset Package"
 * form in one request (issue 13). A package bundles, for one partner and the offers it chose (one,
 * several or all it may run), the tracking links (api/tracking_links.h), the creatives with the
 * links inserted (api/creative_view.h) and the partner's coupon codes (api/coupons.h); as JSON here
 * and as one streamed ZIP (api/asset_package_zip.h).
 *
 * POST creates one (201), GET /v1/asset-packages/{id} regenerates it from its stored configuration
 * with fresh signed URLs, GET /v1/asset-packages lists the caller's recent ones (summaries, newest
 * first). The JSON is paginated over offers (limit 1..100, default 20; next_cursor continues with
 * GET /v1/asset-packages/{id}): every offer carries its links, creatives and coupons, so "all" of
 * 1 000 offers would be megabytes in one answer; the ZIP holds the whole package. A partner key
 * sees only its own packages (404 otherwise); an admin names the partner (partner_id) and sees all.
 */
#ifndef TRACKGEN_ASSET_PACKAGES_H
#define TRACKGEN_ASSET_PACKAGES_H

#include "http/request.h"

extern const char *const ASSET_PACKAGE_CREATE_QUERY[]; /* limit */

int asset_packages_create(request_t *r);
int asset_packages_get(request_t *r);
int asset_packages_list(request_t *r);

#endif
