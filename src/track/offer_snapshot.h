/*
 * offer_snapshot.h — one immutable copy of what the click path knows about offers: offers, their
 * additional URLs, access grants and partner statuses, each array sorted by its key for binary
 * search. Built by the loader (offer_snapshot_load.h) or read back from the file every loaded
 * snapshot is saved to, so a worker that starts while PostgreSQL is down can still route clicks.
 * Used by the click rules (click_rules.h) and the API's offer reads (api/offers.c), owned by the
 * offer cache (offer_cache.h). A snapshot loaded from the database also holds each offer and URL
 * as the API shows it (the views below); the file keeps only what clicks need. Pure: memory and
 * files only, no database.
 */
#ifndef TRACKGEN_OFFER_SNAPSHOT_H
#define TRACKGEN_OFFER_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t id;
    char status;     /* 'a'ctive, 'p'aused, 'r' archived */
    char visibility; /* 'u' public, 'r' require_approval, 'p' private */
    char *destination_url;
    char *fallback_url; /* NULL if none */
} offer_entry_t;

typedef struct {
    int64_t id;
    int64_t offer_id;
    char status; /* as offers */
    char *destination_url;
} url_entry_t;

typedef struct {
    int64_t offer_id;
    int64_t partner_id;
} grant_entry_t;

typedef struct {
    int64_t id;
    bool active;
} partner_entry_t;

/* An offer as the API shows it, rendered once per load exactly as a database-built answer is
 * (the columns OFFER_VIEW_COLUMNS of offer_snapshot_load.h, as compact JSON). */
typedef struct {
    char *json; /* the offer without its URLs: an item of GET /v1/offers */
    size_t json_len;
    char *name_lower;         /* the database's lower(name), which `q` matches as ILIKE does */
    size_t first_url, n_urls; /* its URLs, by id: url_order[first_url .. first_url + n_urls) */
} offer_view_t;

/* Every array is sorted by its key (grants by offer, then partner); the snapshot owns the strings. */
typedef struct {
    offer_entry_t *offers;
    size_t n_offers;
    url_entry_t *urls;
    size_t n_urls;
    grant_entry_t *grants;
    size_t n_grants;
    partner_entry_t *partners;
    size_t n_partners;
    /* The API's views, parallel to offers and urls; NULL in a snapshot read from the file. */
    offer_view_t *offer_views;
    char **url_json;   /* each URL as the API shows it (OFFER_URL_VIEW_COLUMNS, compact JSON) */
    size_t *url_order; /* indices into urls, by offer, then id (offer_snapshot_index_urls) */
    bool ascii_lower;  /* the database's lower() maps A-Z to a-z and nothing else to ASCII letters */
} offer_snapshot_t;

/* The status and visibility codes of the database's words ("active", "public", …). */
char offer_snapshot_status_code(const char *status);
char offer_snapshot_visibility_code(const char *visibility);

/* Frees the snapshot and everything in it. Accepts NULL. */
void offer_snapshot_free(offer_snapshot_t *s);
/* Writes s to path atomically (temporary file, fsync, rename). Returns 0 or -1. */
int offer_snapshot_save(const offer_snapshot_t *s, const char *path);
/* Reads a file written by offer_snapshot_save; NULL if it is missing, of another format or
 * damaged (any line that is not a complete record, or keys out of order). The caller frees it. */
offer_snapshot_t *offer_snapshot_read(const char *path);

/* Binary searches; NULL when absent. */
const offer_entry_t *offer_snapshot_offer(const offer_snapshot_t *s, int64_t id);
const url_entry_t *offer_snapshot_url(const offer_snapshot_t *s, int64_t id);
const partner_entry_t *offer_snapshot_partner(const offer_snapshot_t *s, int64_t id);
bool offer_snapshot_granted(const offer_snapshot_t *s, int64_t offer_id, int64_t partner_id);

/* Fills url_order and each view's URL range (offer_views must be there). */
void offer_snapshot_index_urls(offer_snapshot_t *s);
/* Whether partner partner_id may see offer o (0: an admin, who sees everything): not archived,
 * and public or granted to it. */
bool offer_snapshot_visible(const offer_snapshot_t *s, const offer_entry_t *o, int64_t partner_id);
/* The index of the first offer whose id is greater than after (n_offers if none). */
size_t offer_snapshot_after(const offer_snapshot_t *s, int64_t after);

#endif
