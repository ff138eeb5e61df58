/*
 * routes.c — the service's route table (see routes.h). Literal routes before parameterised
 * ones; the allowed query parameters of each route are listed here, so the dispatcher rejects
 * unknown ones for every handler alike.
 */
#include "api/routes.h"

#include "api/api_keys.h"
#include "api/asset_package_zip.h"
#include "api/asset_packages.h"
#include "api/clicks.h"
#include "api/coupon_import.h"
#include "api/coupon_pool.h"
#include "api/coupons.h"
#include "api/creative_files.h"
#include "api/creative_upload.h"
#include "api/creatives.h"
#include "api/health.h"
#include "api/hit_quarantine.h"
#include "api/hits.h"
#include "api/me.h"
#include "api/offer_access.h"
#include "api/offer_urls.h"
#include "api/offers.h"
#include "api/partners.h"
#include "api/qr.h"
#include "api/report.h"
#include "api/tracking_links.h"

static const char *const PAGE[] = {"limit", "cursor", NULL};
static const char *const OFFER_LIST[] = {"limit", "cursor", "status", "q", NULL};
static const char *const PARTNER_LIST[] = {"limit", "cursor", "status", NULL};
static const char *const KEY_LIST[] = {"limit", "cursor", "partner_id", NULL};
static const char *const HIT_LIST[] = {"limit", "cursor", "kind", "offer_id", "partner_id", "from", "to", NULL};
static const char *const HIT_EXPORT[] = {"kind", "offer_id", "partner_id", "from", "to", NULL};

static const route_t ROUTES[] = {
    {"GET", "/healthz", health_live, ROUTE_PUBLIC, NULL},
    {"GET", "/readyz", health_ready, ROUTE_PUBLIC, NULL},

    {"GET", "/c/{token:str}", click_redirect, ROUTE_PUBLIC, ROUTER_QUERY_ANY},
    {"GET", "/i/{token:str}", click_impression, ROUTE_PUBLIC, ROUTER_QUERY_ANY},
    {"POST", "/v1/clicks", click_direct, ROUTE_PUBLIC | ROUTE_CORS_ANY | ROUTE_LIMIT_CLIENT, NULL},
    {"GET", "/qr/{file:str}", qr_link_image, ROUTE_PUBLIC, QR_LINK_QUERY},

    {"GET", "/v1/me", me_get, ROUTE_ANY_KEY, NULL},

    {"GET", "/v1/offers", offers_list, ROUTE_ANY_KEY, OFFER_LIST},
    {"POST", "/v1/offers", offers_create, ROUTE_ADMIN, NULL},
    {"GET", "/v1/offers/{offer_id}", offers_get, ROUTE_ANY_KEY, NULL},
    {"PATCH", "/v1/offers/{offer_id}", offers_update, ROUTE_ADMIN, NULL},
    {"DELETE", "/v1/offers/{offer_id}", offers_archive, ROUTE_ADMIN, NULL},

    {"GET", "/v1/offers/{offer_id}/urls", offer_urls_list, ROUTE_ADMIN, PAGE},
    {"POST", "/v1/offers/{offer_id}/urls", offer_urls_create, ROUTE_ADMIN, NULL},
    {"GET", "/v1/offers/{offer_id}/urls/{url_id}", offer_urls_get, ROUTE_ADMIN, NULL},
    {"PATCH", "/v1/offers/{offer_id}/urls/{url_id}", offer_urls_update, ROUTE_ADMIN, NULL},
    {"DELETE", "/v1/offers/{offer_id}/urls/{url_id}", offer_urls_archive, ROUTE_ADMIN, NULL},

    {"GET", "/v1/offers/{offer_id}/partners", offer_access_list, ROUTE_ADMIN, PAGE},
    {"PUT", "/v1/offers/{offer_id}/partners/{partner_id}", offer_access_grant, ROUTE_ADMIN, NULL},
    {"DELETE", "/v1/offers/{offer_id}/partners/{partner_id}", offer_access_revoke, ROUTE_ADMIN, NULL},

    {"POST", "/v1/tracking-links", tracking_links_create, ROUTE_ANY_KEY, PAGE},

    {"GET", "/v1/hits", hits_list, ROUTE_ANY_KEY, HIT_LIST},
    {"GET", "/v1/hits/export", hits_export, ROUTE_ANY_KEY | ROUTE_HEAVY | ROUTE_SIGNED, HIT_EXPORT},
    {"GET", "/v1/hits/export-url", hits_export_url, ROUTE_ANY_KEY, HIT_EXPORT},
    {"GET", "/v1/hit-quarantine", hit_quarantine_list, ROUTE_ADMIN, PAGE},

    /* reports */
    {"GET", "/v1/reports/hits", report_hits, ROUTE_ANY_KEY, REPORT_QUERY},
    {"GET", "/v1/reports/hits/export", report_hits_export, ROUTE_ANY_KEY | ROUTE_HEAVY | ROUTE_SIGNED,
     REPORT_EXPORT_QUERY},
    {"GET", "/v1/reports/hits/export-url", report_hits_export_url, ROUTE_ANY_KEY, REPORT_EXPORT_QUERY},

    {"GET", "/v1/qr", qr_data_image, ROUTE_ANY_KEY | ROUTE_SIGNED, QR_DATA_QUERY},

    /* coupons */
    {"GET", "/v1/coupons", coupons_list, ROUTE_ANY_KEY, COUPON_LIST_QUERY},
    {"POST", "/v1/coupons", coupons_create, ROUTE_ADMIN, NULL},
    {"POST", "/v1/coupons/import", coupon_import, ROUTE_ADMIN | ROUTE_BODY_CSV, COUPON_IMPORT_QUERY},
    {"POST", "/v1/coupons/generate", coupon_pool_generate, ROUTE_ADMIN, NULL},
    {"POST", "/v1/coupons/assign", coupon_pool_assign, ROUTE_ADMIN, NULL},
    {"GET", "/v1/coupons/export.csv", coupons_export, ROUTE_ANY_KEY | ROUTE_HEAVY | ROUTE_SIGNED, COUPON_EXPORT_QUERY},
    {"GET", "/v1/coupons/export-url", coupons_export_url, ROUTE_ANY_KEY, COUPON_EXPORT_QUERY},
    {"GET", "/v1/coupons/{coupon_id}", coupons_get, ROUTE_ANY_KEY, NULL},
    {"PATCH", "/v1/coupons/{coupon_id}", coupons_update, ROUTE_ADMIN, NULL},
    {"DELETE", "/v1/coupons/{coupon_id}", coupons_archive, ROUTE_ADMIN, NULL},
    {"POST", "/v1/coupons/{coupon_id}/unassign", coupons_unassign, ROUTE_ADMIN, NULL},

    /* creatives */
    {"GET", "/v1/creatives", creatives_list, ROUTE_ANY_KEY, CREATIVE_LIST_QUERY},
    {"POST", "/v1/creatives", creatives_create, ROUTE_ADMIN | ROUTE_BODY_UPLOAD, NULL},
    {"GET", "/v1/creatives/download", creatives_download, ROUTE_ANY_KEY | ROUTE_SIGNED | ROUTE_HEAVY,
     CREATIVE_DOWNLOAD_QUERY},
    {"GET", "/v1/creatives/download-url", creatives_download_url, ROUTE_ANY_KEY, CREATIVE_DOWNLOAD_QUERY},
    {"GET", "/v1/creatives/{creative_id}", creatives_get, ROUTE_ANY_KEY, CREATIVE_GET_QUERY},
    {"GET", "/v1/creatives/{creative_id}/file", creative_file_get, ROUTE_ANY_KEY | ROUTE_SIGNED, CREATIVE_GET_QUERY},
    {"PUT", "/v1/creatives/{creative_id}/file", creative_file_put, ROUTE_ADMIN | ROUTE_BODY_UPLOAD,
     CREATIVE_FILE_PUT_QUERY},
    {"GET", "/v1/creatives/{creative_id}/thumbnail", creative_thumbnail_get, ROUTE_ANY_KEY | ROUTE_SIGNED, NULL},
    {"PATCH", "/v1/creatives/{creative_id}", creatives_update, ROUTE_ADMIN, NULL},
    {"DELETE", "/v1/creatives/{creative_id}", creatives_archive, ROUTE_ADMIN, NULL},
    {"GET", "/v1/creatives/{creative_id}/partners", creative_access_list, ROUTE_ADMIN, PAGE},
    {"PUT", "/v1/creatives/{creative_id}/partners/{partner_id}", creative_access_grant, ROUTE_ADMIN, NULL},
    {"DELETE", "/v1/creatives/{creative_id}/partners/{partner_id}", creative_access_revoke, ROUTE_ADMIN, NULL},

    /* asset packages */
    {"GET", "/v1/asset-packages", asset_packages_list, ROUTE_ANY_KEY, PAGE},
    {"POST", "/v1/asset-packages", asset_packages_create, ROUTE_ANY_KEY, ASSET_PACKAGE_CREATE_QUERY},
    {"GET", "/v1/asset-packages/{package_id}", asset_packages_get, ROUTE_ANY_KEY, PAGE},
    {"GET", "/v1/asset-packages/{package_id}/download", asset_package_download,
     ROUTE_ANY_KEY | ROUTE_SIGNED | ROUTE_HEAVY, NULL},
    {"GET", "/v1/asset-packages/{package_id}/download-url", asset_package_download_url, ROUTE_ANY_KEY, NULL},

    {"GET", "/v1/partners", partners_list, ROUTE_ADMIN, PARTNER_LIST},
    {"POST", "/v1/partners", partners_create, ROUTE_ADMIN, NULL},
    {"GET", "/v1/partners/{partner_id}", partners_get, ROUTE_ADMIN, NULL},
    {"PATCH", "/v1/partners/{partner_id}", partners_update, ROUTE_ADMIN, NULL},
    {"DELETE", "/v1/partners/{partner_id}", partners_suspend, ROUTE_ADMIN, NULL},

    {"GET", "/v1/api-keys", api_keys_list, ROUTE_ADMIN, KEY_LIST},
    {"POST", "/v1/api-keys", api_keys_create, ROUTE_ADMIN, NULL},
    {"GET", "/v1/api-keys/{key_id}", api_keys_get, ROUTE_ADMIN, NULL},
    {"DELETE", "/v1/api-keys/{key_id}", api_keys_revoke, ROUTE_ADMIN, NULL},
};

const route_t *routes_table(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
