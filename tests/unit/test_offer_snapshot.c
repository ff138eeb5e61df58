/*
 * test_offer_snapshot.c — offer snapshots (src/track/offer_snapshot.c): a saved snapshot reads
 * back equal (NULLs, every code, empty tables, thousands of rows); damaged or foreign files —
 * cut short anywhere, a bad version line, unknown records, bad ids or codes, keys out of order —
 * are refused whole rather than half-read; lookups find exactly what is there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_util.h"
#include "track/offer_snapshot.h"

static offer_entry_t OFFERS[] = {
    {1, 'a', 'u', "https://one.example/?s={sub1}", NULL},
    {7, 'p', 'r', "https://seven.example/", "https://f7.example/"},
    {9000000000, 'r', 'p', "https://big.example/", NULL},
};
static url_entry_t URLS[] = {{3, 1, 'a', "https://one.example/a"}, {4, 7, 'r', "https://seven.example/b"}};
static grant_entry_t GRANTS[] = {{7, 2}, {7, 5}, {9000000000, 2}};
static partner_entry_t PARTNERS[] = {{2, true}, {5, false}};
static const offer_snapshot_t SNAP = {.offers = OFFERS,
                                      .n_offers = 3,
                                      .urls = URLS,
                                      .n_urls = 2,
                                      .grants = GRANTS,
                                      .n_grants = 3,
                                      .partners = PARTNERS,
                                      .n_partners = 2};

static char *temp_path(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/test_offer_snapshot.%ld", (long)getpid());
    return path;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void assert_same(const offer_snapshot_t *a, const offer_snapshot_t *b)
{
    assert_int_equal(a->n_offers, b->n_offers);
    for (size_t i = 0; i < a->n_offers; i++) {
        assert_int_equal(a->offers[i].id, b->offers[i].id);
        assert_int_equal(a->offers[i].status, b->offers[i].status);
        assert_int_equal(a->offers[i].visibility, b->offers[i].visibility);
        assert_string_equal(a->offers[i].destination_url, b->offers[i].destination_url);
        if (a->offers[i].fallback_url)
            assert_string_equal(a->offers[i].fallback_url, b->offers[i].fallback_url);
        else
            assert_null(b->offers[i].fallback_url);
    }
    assert_int_equal(a->n_urls, b->n_urls);
    for (size_t i = 0; i < a->n_urls; i++) {
        assert_int_equal(a->urls[i].id, b->urls[i].id);
        assert_int_equal(a->urls[i].offer_id, b->urls[i].offer_id);
        assert_int_equal(a->urls[i].status, b->urls[i].status);
        assert_string_equal(a->urls[i].destination_url, b->urls[i].destination_url);
    }
    assert_int_equal(a->n_grants, b->n_grants);
    assert_memory_equal(a->grants, b->grants, a->n_grants * sizeof *a->grants);
    assert_int_equal(a->n_partners, b->n_partners);
    for (size_t i = 0; i < a->n_partners; i++) {
        assert_int_equal(a->partners[i].id, b->partners[i].id);
        assert_int_equal(a->partners[i].active, b->partners[i].active);
    }
}

static void test_offer_snapshot_saved_reads_back_equal(void **state)
{
    (void)state;
    const char *path = temp_path();
    assert_int_equal(offer_snapshot_save(&SNAP, path), 0);
    offer_snapshot_t *back = offer_snapshot_read(path);
    assert_non_null(back);
    assert_same(&SNAP, back);
    assert_non_null(offer_snapshot_offer(back, 9000000000));
    assert_null(offer_snapshot_offer(back, 8));
    assert_int_equal(offer_snapshot_url(back, 4)->offer_id, 7);
    assert_true(offer_snapshot_granted(back, 7, 5));
    assert_false(offer_snapshot_granted(back, 7, 3));
    assert_false(offer_snapshot_partner(back, 5)->active);
    offer_snapshot_free(back);

    offer_snapshot_t empty = {0};
    assert_int_equal(offer_snapshot_save(&empty, path), 0);
    back = offer_snapshot_read(path);
    assert_non_null(back);
    assert_int_equal(back->n_offers + back->n_urls + back->n_grants + back->n_partners, 0);
    assert_null(offer_snapshot_offer(back, 1));
    assert_false(offer_snapshot_granted(back, 1, 1));
    offer_snapshot_free(back);
    unlink(path);
}

static void test_offer_snapshot_many_rows_read_back(void **state)
{
    (void)state;
    enum { N = 5000 };
    offer_snapshot_t s = {0};
    s.offers = calloc(N, sizeof *s.offers);
    s.partners = calloc(N, sizeof *s.partners);
    char url[64];
    for (int i = 0; i < N; i++) {
        snprintf(url, sizeof url, "https://o%d.example/", i);
        s.offers[i] = (offer_entry_t){i + 1, "apr"[i % 3], "urp"[i % 3], strdup(url), i % 2 ? strdup(url) : NULL};
        s.partners[i] = (partner_entry_t){2 * i + 1, i % 2};
    }
    s.n_offers = s.n_partners = N;
    const char *path = temp_path();
    assert_int_equal(offer_snapshot_save(&s, path), 0);
    offer_snapshot_t *back = offer_snapshot_read(path);
    assert_non_null(back);
    assert_same(&s, back);
    for (int i = 0; i < N; i += 97)
        assert_int_equal(offer_snapshot_partner(back, 2 * i + 1)->active, i % 2);
    offer_snapshot_free(back);
    for (int i = 0; i < N; i++) {
        free(s.offers[i].destination_url);
        free(s.offers[i].fallback_url);
    }
    free(s.offers);
    free(s.partners);
    unlink(path);
}

static void test_offer_snapshot_damaged_files_are_refused(void **state)
{
    (void)state;
    const char *path = temp_path();
    static const char *const bad[] = {
        "",
        "trackgen-offer-cache 2\n",
        "trackgen-offer-cache 1",                                      /* no newline */
        "trackgen-offer-cache 1\nO\t1\ta\tu\thttps://x.example/\t\\N", /* last record cut short */
        "trackgen-offer-cache 1\nO\t1\ta\tu\thttps://x.example/\n",    /* a field missing */
        "trackgen-offer-cache 1\nO\t1\ta\tu\thttps://x.example/\t\\N\textra\n",
        "trackgen-offer-cache 1\nO\t0\ta\tu\thttps://x.example/\t\\N\n",
        "trackgen-offer-cache 1\nO\t-1\ta\tu\thttps://x.example/\t\\N\n",
        "trackgen-offer-cache 1\nO\t1x\ta\tu\thttps://x.example/\t\\N\n",
        "trackgen-offer-cache 1\nO\t1\tz\tu\thttps://x.example/\t\\N\n",
        "trackgen-offer-cache 1\nO\t1\ta\tuu\thttps://x.example/\t\\N\n",
        "trackgen-offer-cache 1\nO\t2\ta\tu\thttps://x.example/\t\\N\nO\t1\ta\tu\thttps://x.example/\t\\N\n",
        "trackgen-offer-cache 1\nO\t1\ta\tu\thttps://x.example/\t\\N\nO\t1\ta\tu\thttps://x.example/\t\\N\n",
        "trackgen-offer-cache 1\nG\t1\t2\nG\t1\t1\n",
        "trackgen-offer-cache 1\nP\t1\t2\n",
        "trackgen-offer-cache 1\nU\t1\t1\ta\n",
        "trackgen-offer-cache 1\nX\t1\n",
        "trackgen-offer-cache 1\n\n",
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        write_file(path, bad[i]);
        offer_snapshot_t *s = offer_snapshot_read(path);
        if (s) {
            offer_snapshot_free(s);
            fail_msg("damaged file %zu was read", i);
        }
    }
    /* every prefix of a good file that cuts a record is refused */
    assert_int_equal(offer_snapshot_save(&SNAP, path), 0);
    FILE *f = fopen(path, "r");
    static char good[4096];
    size_t len = fread(good, 1, sizeof good - 1, f);
    fclose(f);
    for (size_t cut = 0; cut < len; cut++) {
        if (cut > 0 && good[cut - 1] == '\n')
            continue; /* a prefix of whole lines is a smaller, valid snapshot */
        good[len] = '\0';
        char saved = good[cut];
        good[cut] = '\0';
        write_file(path, good);
        good[cut] = saved;
        offer_snapshot_t *s = offer_snapshot_read(path);
        if (s) {
            offer_snapshot_free(s);
            fail_msg("the file cut at byte %zu was read", cut);
        }
    }
    unlink(path);
    assert_null(offer_snapshot_read("/nonexistent/trackgen-snapshot"));
}

/* The API's helpers: visibility as the database's OFFER_VISIBLE_TO_SCOPE says, the first offer
 * after a cursor, and each offer's URLs in id order. */
static void test_offer_snapshot_visibility_cursor_and_url_ranges(void **state)
{
    (void)state;
    offer_entry_t offers[] = {
        {1, 'a', 'u', "https://a.example/", NULL}, /* public */
        {2, 'p', 'p', "https://b.example/", NULL}, /* private, paused, granted to 5 */
        {3, 'r', 'u', "https://c.example/", NULL}, /* public but archived */
        {4, 'a', 'r', "https://d.example/", NULL}, /* require_approval, no grant */
    };
    url_entry_t urls[] = {
        {10, 2, 'a', "u"}, {11, 1, 'r', "u"}, {12, 2, 'p', "u"}, {13, 4, 'a', "u"}, {14, 1, 'a', "u"}};
    grant_entry_t grants[] = {{2, 5}};
    offer_view_t views[4] = {{0}};
    offer_snapshot_t s = {.offers = offers,
                          .n_offers = 4,
                          .urls = urls,
                          .n_urls = 5,
                          .grants = grants,
                          .n_grants = 1,
                          .offer_views = views};
    const struct {
        int64_t partner;
        bool visible[4];
    } cases[] = {{0, {true, true, true, true}}, {5, {true, true, false, false}}, {6, {true, false, false, false}}};
    for (size_t c = 0; c < N_ELEMS(cases); c++)
        for (int i = 0; i < 4; i++)
            assert_int_equal(offer_snapshot_visible(&s, &offers[i], cases[c].partner), cases[c].visible[i]);
    assert_int_equal(offer_snapshot_after(&s, 0), 0);
    assert_int_equal(offer_snapshot_after(&s, 1), 1);
    assert_int_equal(offer_snapshot_after(&s, 3), 3);
    assert_int_equal(offer_snapshot_after(&s, 4), 4);
    assert_int_equal(offer_snapshot_after(&s, INT64_MAX), 4);
    offer_snapshot_index_urls(&s);
    const int64_t want[4][3] = {{11, 14}, {10, 12}, {0}, {13}};
    const size_t counts[4] = {2, 2, 0, 1};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(views[i].n_urls, counts[i]);
        for (size_t k = 0; k < counts[i]; k++)
            assert_int_equal(urls[s.url_order[views[i].first_url + k]].id, want[i][k]);
    }
    free(s.url_order);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offer_snapshot_saved_reads_back_equal),
        cmocka_unit_test(test_offer_snapshot_many_rows_read_back),
        cmocka_unit_test(test_offer_snapshot_damaged_files_are_refused),
        cmocka_unit_test(test_offer_snapshot_visibility_cursor_and_url_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
