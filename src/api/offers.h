/*
 * offers.h — /v1/offers: list and read (admins and partners, partners only what they may run),
 * create, merge-patch and archive (admins).
 */
#ifndef TRACKGEN_OFFERS_H
#define TRACKGEN_OFFERS_H

#include "http/request.h"

int offers_list(request_t *r);
int offers_get(request_t *r);
int offers_create(request_t *r);
int offers_update(request_t *r);
int offers_archive(request_t *r);
/* 0 if offer id (SQL parameter text) exists, else -1 with 404 (or 503) recorded. For admin routes below an offer. */
int offers_exists(request_t *r, const char *id);

/* The predicate "the caller may see offer o", with $1 = scope_param() (NULL for admins).
 * Shared by every query that shows offers to partners. */
#define OFFER_VISIBLE_TO_SCOPE                                                                                         \
    "($1::bigint IS NULL OR (o.status <> 'archived' AND (o.visibility = 'public' OR EXISTS (\n"                        \
    "     SELECT 1 FROM offer_partner_access a WHERE a.offer_id = o.id AND a.partner_id = $1))))"

#endif
