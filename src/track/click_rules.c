/*
 * click_rules.c — the click routing rules (see click_rules.h and README.md).
 */
#include "track/click_rules.h"

#include <stddef.h>

/* Why the offer cannot take this partner's click, or NULL when it can. */
static const char *refusal(const offer_entry_t *o, const partner_entry_t *p, bool granted)
{
    if (!p || !p->active)
        return "fallback_partner_inactive";
    if (o->status == 'r')
        return "fallback_archived";
    if (o->status == 'p')
        return "fallback_paused";
    if (!granted)
        return "fallback_no_access";
    return NULL;
}

click_rules_result_t click_rules_route(const offer_snapshot_t *s, const token_claims_t *t, click_route_t *out)
{
    const offer_entry_t *o = offer_snapshot_offer(s, t->offer_id);
    if (!o)
        return CLICK_UNKNOWN_OFFER;
    const partner_entry_t *p = offer_snapshot_partner(s, t->partner_id);
    const url_entry_t *u = t->offer_url_id ? offer_snapshot_url(s, t->offer_url_id) : NULL;
    bool known = p && (!t->offer_url_id || u);
    bool granted = o->visibility == 'u' || offer_snapshot_granted(s, o->id, t->partner_id);
    out->fallback = o->fallback_url;
    const char *why = refusal(o, p, granted);
    if (why) {
        out->outcome = why;
        out->url = o->fallback_url;
    } else if (t->offer_url_id && !(u && u->offer_id == o->id && u->status == 'a')) {
        out->outcome = "fallback_url_inactive"; /* the offer's own landing page */
        out->url = o->destination_url;
    } else {
        out->outcome = "redirected";
        out->url = u ? u->destination_url : o->destination_url;
    }
    return known ? CLICK_ROUTED : CLICK_STALE;
}
