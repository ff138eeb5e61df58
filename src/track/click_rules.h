/*
 * click_rules.h — where a click on a signed link goes, decided from an offer snapshot alone (the
 * rules are listed in README.md beside this file): the offer's (or the chosen additional URL's)
 * destination when partner, offer, access and URL are all in order; else the offer's
 * fallback_url, with the reason as the hit's outcome. Pure: no locks, no database; the offer
 * cache calls it under its read lock.
 */
#ifndef TRACKGEN_CLICK_RULES_H
#define TRACKGEN_CLICK_RULES_H

#include "track/offer_snapshot.h"
#include "track/token.h"

typedef struct {
    const char *url;      /* the URL (with macros) to redirect to, or NULL when there is none */
    const char *outcome;  /* "redirected" or "fallback_…", as recorded in hits.outcome */
    const char *fallback; /* the offer's fallback_url (or the global one), or NULL: where a click goes
                           * whose filled url would be too long (fallback_too_long) */
} click_route_t;

typedef enum {
    CLICK_ROUTED,        /* *out is filled */
    CLICK_STALE,         /* *out is filled, but the link names a partner or URL the snapshot lacks:
                          * the snapshot is older than the link */
    CLICK_UNKNOWN_OFFER, /* the snapshot has no such offer; *out is untouched */
} click_rules_result_t;

/* Routes the link's claims in s. Strings in *out point into s. */
click_rules_result_t click_rules_route(const offer_snapshot_t *s, const token_claims_t *t, click_route_t *out);

#endif
