/*
 * test_click_rules.c — the click routing rules (src/track/click_rules.c), table-driven over one
 * hand-built snapshot: every outcome (redirected, paused, archived, no access, partner inactive
 * or unknown, URL inactive, of another offer or unknown), which URL and fallback each gives,
 * public vs granted vs private offers, and when the snapshot is older than the link (stale) or
 * lacks the offer.
 */
#include <stdio.h>

#include "test_util.h"
#include "track/click_rules.h"

/* Offers: 1 public active (fallback F1), 2 private active (granted to partner 10 only, no
 * fallback), 3 paused, 4 archived, 5 require_approval active (no grants). */
static offer_entry_t OFFERS[] = {
    {1, 'a', 'u', "https://one.example/", "https://f1.example/"},
    {2, 'a', 'p', "https://two.example/", NULL},
    {3, 'p', 'u', "https://three.example/", "https://f3.example/"},
    {4, 'r', 'u', "https://four.example/", "https://f4.example/"},
    {5, 'a', 'r', "https://five.example/", "https://f5.example/"},
};
/* URLs: 100 active of offer 1, 101 paused of offer 1, 102 archived of offer 1, 200 active of offer 2. */
static url_entry_t URLS[] = {
    {100, 1, 'a', "https://one.example/a"},
    {101, 1, 'p', "https://one.example/b"},
    {102, 1, 'r', "https://one.example/c"},
    {200, 2, 'a', "https://two.example/a"},
};
static grant_entry_t GRANTS[] = {{2, 10}};
static partner_entry_t PARTNERS[] = {{10, true}, {11, true}, {12, false}};
static const offer_snapshot_t SNAP = {.offers = OFFERS,
                                      .n_offers = 5,
                                      .urls = URLS,
                                      .n_urls = 4,
                                      .grants = GRANTS,
                                      .n_grants = 1,
                                      .partners = PARTNERS,
                                      .n_partners = 3};

static void test_click_rules_every_outcome(void **state)
{
    (void)state;
    static const struct {
        int64_t partner, offer, url;
        click_rules_result_t rc;
        const char *outcome, *to, *fallback;
    } cases[] = {
        /* in order */
        {10, 1, 0, CLICK_ROUTED, "redirected", "https://one.example/", "https://f1.example/"},
        {11, 1, 0, CLICK_ROUTED, "redirected", "https://one.example/", "https://f1.example/"},
        {10, 1, 100, CLICK_ROUTED, "redirected", "https://one.example/a", "https://f1.example/"},
        {10, 2, 0, CLICK_ROUTED, "redirected", "https://two.example/", NULL},
        {10, 2, 200, CLICK_ROUTED, "redirected", "https://two.example/a", NULL},
        /* access */
        {11, 2, 0, CLICK_ROUTED, "fallback_no_access", NULL, NULL},
        {11, 5, 0, CLICK_ROUTED, "fallback_no_access", "https://f5.example/", "https://f5.example/"},
        /* offer state, before access */
        {10, 3, 0, CLICK_ROUTED, "fallback_paused", "https://f3.example/", "https://f3.example/"},
        {10, 4, 0, CLICK_ROUTED, "fallback_archived", "https://f4.example/", "https://f4.example/"},
        /* partner state comes first */
        {12, 1, 0, CLICK_ROUTED, "fallback_partner_inactive", "https://f1.example/", "https://f1.example/"},
        {12, 4, 0, CLICK_ROUTED, "fallback_partner_inactive", "https://f4.example/", "https://f4.example/"},
        /* additional URLs that cannot be used: the offer's own landing page */
        {10, 1, 101, CLICK_ROUTED, "fallback_url_inactive", "https://one.example/", "https://f1.example/"},
        {10, 1, 102, CLICK_ROUTED, "fallback_url_inactive", "https://one.example/", "https://f1.example/"},
        {10, 1, 200, CLICK_ROUTED, "fallback_url_inactive", "https://one.example/", "https://f1.example/"},
        /* the link names what this snapshot does not know: routed, but stale */
        {99, 1, 0, CLICK_STALE, "fallback_partner_inactive", "https://f1.example/", "https://f1.example/"},
        {10, 1, 999, CLICK_STALE, "fallback_url_inactive", "https://one.example/", "https://f1.example/"},
        {99, 1, 999, CLICK_STALE, "fallback_partner_inactive", "https://f1.example/", "https://f1.example/"},
        /* no such offer */
        {10, 6, 0, CLICK_UNKNOWN_OFFER, NULL, NULL, NULL},
        {10, 0, 0, CLICK_UNKNOWN_OFFER, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        token_claims_t t = {cases[i].partner, cases[i].offer, cases[i].url};
        click_route_t r = {"untouched", "untouched", "untouched"};
        click_rules_result_t rc = click_rules_route(&SNAP, &t, &r);
        if (rc != cases[i].rc)
            fail_msg("case %zu: result %d, want %d", i, rc, cases[i].rc);
        if (rc == CLICK_UNKNOWN_OFFER) {
            assert_string_equal(r.url, "untouched");
            continue;
        }
        if (strcmp(r.outcome, cases[i].outcome) != 0)
            fail_msg("case %zu: outcome %s, want %s", i, r.outcome, cases[i].outcome);
        if (cases[i].to ? !r.url || strcmp(r.url, cases[i].to) != 0 : r.url != NULL)
            fail_msg("case %zu: url %s, want %s", i, r.url ? r.url : "NULL", cases[i].to ? cases[i].to : "NULL");
        if (cases[i].fallback ? !r.fallback || strcmp(r.fallback, cases[i].fallback) != 0 : r.fallback != NULL)
            fail_msg("case %zu: fallback %s", i, r.fallback ? r.fallback : "NULL");
    }
}

static void test_click_rules_empty_snapshot_knows_no_offer(void **state)
{
    (void)state;
    offer_snapshot_t empty = {0};
    token_claims_t t = {1, 1, 0};
    click_route_t r;
    assert_int_equal(click_rules_route(&empty, &t, &r), CLICK_UNKNOWN_OFFER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_click_rules_every_outcome),
        cmocka_unit_test(test_click_rules_empty_snapshot_knows_no_offer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
