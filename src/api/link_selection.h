/*
 * link_selection.h — which offers and links a link-generation request selects, shared by
 * POST /v1/tracking-links (api/tracking_links.c) and asset packages (api/asset_package*.c): the
 * "offers" field ("all" or ids), the partner whose links they are, the 404 for offers the partner
 * may not run (one answer for "no such offer" and "not yours"), a page of the partner's offers with
 * their active URLs, and one offer's links as POST /v1/tracking-links returns them.
 */
#ifndef TRACKGEN_LINK_SELECTION_H
#define TRACKGEN_LINK_SELECTION_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/tracking_links.h"
#include "api/validate.h"
#include "http/request.h"

/* The most offer ids one request may name. */
#define LINK_SELECTION_MAX_OFFERS 1000

/* The "offers" field j: "all" (*ids_param NULL, *count 0) or 1..LINK_SELECTION_MAX_OFFERS positive
 * ids, duplicates merged, as an SQL array literal of the distinct ids in the order first given (arena).
 * Returns 0, or -1 with every bad entry named (offers, offers[i]). */
int link_selection_parse_offers(request_t *r, const json_t *j, const char **ids_param, size_t *count);
/* 404 naming (offers[i], the first index of each) every id of ids (SQL array literal) that partner
 * (SQL parameter) may not run, whether or not it exists. offers is the request's array. 0 or -1. */
int link_selection_check_available(request_t *r, const json_t *offers, const char *partner, const char *ids);
/* Whose links: a partner key's own partner (another partner_id named: 404), or for an admin key the
 * partner_id it must name, an active partner (422 naming partner_id otherwise). 0 or -1. */
int link_selection_partner(request_t *r, const field_value_t *v, int64_t *partner);
/* The offers partner (SQL parameter) may run now, only those of ids (SQL array, NULL: all), with
 * id > after, in id order, at most fetch rows (SQL parameters). Columns: id, name, destination_url,
 * urls (JSON array of {id, name, destination_url} of the active URLs, by id). In arena a; NULL with
 * the problem recorded. */
PGresult *link_selection_offers(request_t *r, arena_t *a, const char *partner, const char *ids, const char *after,
                                const char *fetch);
/* Appends to links the links of row `row` of a link_selection_offers result, as POST
 * /v1/tracking-links makes them: the offer's main link and, with include_urls, one per active URL;
 * or with only_url (nonzero) just that URL's (422 naming offer_url_id when it is not an active URL
 * of the offer). Returns 0, or -1 with the problem recorded. */
int link_selection_add_links(request_t *r, const link_request_t *lp, const PGresult *res, int row, int64_t only_url,
                             bool include_urls, json_t *links);

#endif
