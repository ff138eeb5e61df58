/*
 * offer_urls.h — /v1/offers/{offer_id}/urls: an offer's additional destination URLs (admins).
 * Partners see them inside the offer (GET /v1/offers/{id}), never through these routes.
 */
#ifndef TRACKGEN_OFFER_URLS_H
#define TRACKGEN_OFFER_URLS_H

#include "http/request.h"

int offer_urls_list(request_t *r);
int offer_urls_get(request_t *r);
int offer_urls_create(request_t *r);
int offer_urls_update(request_t *r);
int offer_urls_archive(request_t *r);

#endif
