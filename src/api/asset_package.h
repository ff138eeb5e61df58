/*
 * asset_package.h — an asset package's configuration and contents, shared by its JSON answers
 * (api/asset_packages.c) and its ZIP (api/asset_package_zip.c).
 *
 * A package is a partner's request to the generator (offers, tracking link parameters, creative
 * types, coupons), kept in asset_packages.config in a normalised form that is itself a valid
 * request body (without partner_id, which is a column):
 *   {"offers": "all" | [ids], "offer_url_id": id | null,
 *    "tracking_links": {"kind", "include_additional_urls", "source_id", "sub1"…"sub5"} | false,
 *    "creatives": {"types": [types] | null} | false, "coupons": true | false}
 * Its contents are regenerated from it each time, against the data of the moment and as the
 * partner may see them then (offers it may no longer run drop out).
 */
#ifndef TRACKGEN_ASSET_PACKAGE_H
#define TRACKGEN_ASSET_PACKAGE_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/tracking_links.h"
#include "http/request.h"

typedef struct {
    const char *id;      /* SQL parameter; NULL before it is stored */
    const char *partner; /* SQL parameter of link.partner_id */
    const char *partner_name;
    const char *created_at; /* RFC 3339 */
    json_t *config;         /* the normalised configuration (owned by the arena's cleanups) */
    const json_t *offers;   /* config's "offers" (borrowed) */
    const char *ids;        /* the offers as an SQL array literal; NULL: all the partner may run */
    size_t count;           /* ids' length */
    int64_t only_url;       /* offer_url_id, 0: none */
    bool links, include_urls, creatives, coupons;
    link_request_t link; /* kind and parameters of the links (also inserted into creatives) */
    const char *types;   /* creative types as an SQL text[] literal; NULL: all */
} asset_package_t;

/* Validates a request body (POST /v1/asset-packages) into p, with the config normalised and the
 * partner decided (link_selection_partner). Every bad field is named ("tracking_links.kind", …);
 * no toggle on is a 422. Returns 0 or -1. */
int asset_package_from_body(request_t *r, asset_package_t *p);
/* Loads package id (SQL parameter) as the caller may see it: its own, or any for an admin (404
 * otherwise). Returns 0 or -1. */
int asset_package_load(request_t *r, const char *id, asset_package_t *p);
/* The package's offers the partner may run now: link_selection_offers's columns and order, id > after,
 * at most fetch rows, in arena a. NULL with the problem recorded. */
PGresult *asset_package_offers(request_t *r, arena_t *a, const asset_package_t *p, const char *after,
                               const char *fetch);
/* The creatives of offers (SQL array literal) the partner sees (active, visible, with something to
 * download) of the package's types: CREATIVE_COLUMNS, by offer then id, in arena a; NULL with the
 * problem recorded. */
PGresult *asset_package_creatives(request_t *r, arena_t *a, const asset_package_t *p, const char *offers);
/* Whether url_id is one of the active URLs of row `row` of an offers result (its urls column). */
bool asset_package_url_active(const PGresult *offers, int row, int64_t url_id);
/* Whether the links of row `row` are to be made: the package has links, and its one URL (if any)
 * is still an active URL of the offer (else the offer is shown without links). */
bool asset_package_links_of(const asset_package_t *p, const PGresult *offers, int row);
/* The ids of rows [0, n) of an offers result as an SQL array literal, in arena a. */
const char *asset_package_ids(arena_t *a, const PGresult *offers, int n);

#endif
