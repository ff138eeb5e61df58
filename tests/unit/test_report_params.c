/*
 * test_report_params.c — the flex report's parameters (src/report/report_params.c): group_by in
 * order, unknown and repeated names, sort by metrics and grouped dimensions only, id and word
 * lists, text filters ("" = absent), partner_id for admins only, dates versus RFC 3339 times,
 * time zone names, format, and that every problem names its parameter.
 */
#include <stdio.h>
#include <stdlib.h>

#include "report/report_params.h"
#include "test_util.h"

typedef struct {
    arena_t *a;
    query_t q;
    problem_t p;
    report_params_t rp;
} fixture_t;

/* Parses qs as the report would (admin or not). Returns report_params_parse's result. */
static int parse(fixture_t *f, const char *qs, bool admin)
{
    problem_init(&f->p, f->a);
    assert_int_equal(query_parse(f->a, qs, strlen(qs), false, &f->q, &f->p), 0);
    return report_params_parse(&f->q, f->a, admin, &f->rp, &f->p);
}

/* The field the first problem names. */
static const char *bad_field(const fixture_t *f)
{
    assert_true(f->p.nerrors > 0);
    return f->p.errors[0].field;
}

static void test_report_params_defaults(void **state)
{
    (void)state;
    fixture_t f = {.a = arena_create(4096)};
    assert_int_equal(parse(&f, "", false), 0);
    assert_int_equal(f.rp.ngroup, 1);
    assert_string_equal(f.rp.group[0], "date");
    assert_string_equal(f.rp.tz, "UTC");
    assert_false(f.rp.csv);
    assert_null(f.rp.from.date);
    assert_false(f.rp.from.has_micros);
    assert_int_equal(json_array_size(f.rp.sort), 0);
    assert_int_equal(json_object_size(f.rp.filters), 0);
    report_params_free(&f.rp);
    arena_destroy(f.a);
}

static void test_report_params_group_sort_and_filters(void **state)
{
    (void)state;
    fixture_t f = {.a = arena_create(4096)};
    assert_int_equal(parse(&f,
                           "group_by=sub1,date,offer_id&sort=-clicks,sub1&offer_id=3,1&kind=click&outcome=redirected,"
                           "fallback_paused&sub2=&source_id=a%2Cb&timezone=Asia/Kolkata&from=2026-03-08&to=2026-03-09T"
                           "05:00:00Z&format=csv",
                           false),
                     0);
    assert_int_equal(f.rp.ngroup, 3);
    assert_string_equal(f.rp.group[0], "sub1");
    assert_string_equal(f.rp.group[1], "date");
    assert_string_equal(f.rp.group[2], "offer_id");
    char *sort = json_dumps(f.rp.sort, JSON_COMPACT);
    assert_string_equal(sort, "[[\"clicks\",true],[\"sub1\",false]]");
    free(sort);
    char *filters = json_dumps(f.rp.filters, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(filters, "{\"kind\":[\"click\"],\"offer_id\":[3,1],\"outcome\":[\"redirected\",\"fallback_"
                                 "paused\"],\"source_id\":\"a,b\",\"sub2\":\"\"}");
    free(filters);
    assert_string_equal(f.rp.tz, "Asia/Kolkata");
    assert_string_equal(f.rp.from.date, "2026-03-08");
    assert_null(f.rp.to.date);
    assert_true(f.rp.to.has_micros);
    assert_int_equal(f.rp.to.micros, INT64_C(1773032400000000));
    assert_true(f.rp.csv);
    report_params_free(&f.rp);
    arena_destroy(f.a);
}

/* Each bad query is refused with a problem naming the parameter. */
static void test_report_params_refusals_name_the_parameter(void **state)
{
    (void)state;
    static const struct {
        const char *qs;
        bool admin;
        const char *field;
    } cases[] = {
        {"group_by=country", true, "group_by"},
        {"group_by=date,date", true, "group_by"},
        {"group_by=date,", true, "group_by"},
        {"group_by=", true, "group_by"},
        {"group_by=partner_id", false, "group_by"},
        {"sort=sub1", true, "sort"},     /* not grouped */
        {"sort=-revenue", true, "sort"}, /* no such metric */
        {"sort=clicks,-clicks", true, "sort"},
        {"offer_id=1,x", true, "offer_id"},
        {"offer_id=0", true, "offer_id"},
        {"offer_url_id=-1", true, "offer_url_id"},
        {"partner_id=1,,2", true, "partner_id"},
        {"kind=clicks", true, "kind"},
        {"outcome=fallback", true, "outcome"},
        {"timezone=Asia/../etc/passwd", true, "timezone"},
        {"timezone=/etc/localtime", true, "timezone"},
        {"timezone=UTC%2B3,x", true, "timezone"},
        {"timezone=", true, "timezone"},
        {"from=2026-02-30", true, "from"},
        {"from=2026-13-01", true, "from"},
        {"to=yesterday", true, "to"},
        {"to=2026-03-09T25:00:00Z", true, "to"},
        {"format=xml", true, "format"},
        {"sub1=a%09b", true, "sub1"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        fixture_t f = {.a = arena_create(4096)};
        if (parse(&f, cases[i].qs, cases[i].admin) != -1)
            fail_msg("%s was accepted", cases[i].qs);
        if (strcmp(bad_field(&f), cases[i].field) != 0)
            fail_msg("%s: names %s, not %s", cases[i].qs, bad_field(&f), cases[i].field);
        assert_int_equal(f.p.kind, PROBLEM_VALIDATION);
        arena_destroy(f.a);
    }
}

static void test_report_params_sub_values_up_to_255_characters(void **state)
{
    (void)state;
    char qs[2048] = "sub1=";
    for (int i = 0; i < 255; i++)
        strcat(qs, "%C3%A9"); /* 255 two-byte characters */
    fixture_t f = {.a = arena_create(4096)};
    assert_int_equal(parse(&f, qs, false), 0);
    assert_int_equal(strlen(json_string_value(json_object_get(f.rp.filters, "sub1"))), 510);
    report_params_free(&f.rp);
    strcat(qs, "x");
    assert_int_equal(parse(&f, qs, false), -1);
    assert_string_equal(bad_field(&f), "sub1");
    arena_destroy(f.a);
}

static void test_report_params_names_and_dates(void **state)
{
    (void)state;
    static const char *const good_tz[] = {"UTC", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "Etc/GMT+5",
                                          "America/Port-au-Prince"};
    static const char *const bad_tz[] = {
        "",   "/UTC",   "UTC/",  "Asia//Kolkata", "Asia/Kol.kata",
        "..", "+05:30", "5Asia", "Asia/ Kolkata", "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < N_ELEMS(good_tz); i++)
        if (!report_tz_name_valid(good_tz[i], strlen(good_tz[i])))
            fail_msg("%s refused", good_tz[i]);
    for (size_t i = 0; i < N_ELEMS(bad_tz); i++)
        if (report_tz_name_valid(bad_tz[i], strlen(bad_tz[i])))
            fail_msg("%s accepted", bad_tz[i]);
    assert_true(report_date_valid("2024-02-29", 10));
    assert_true(report_date_valid("2000-02-29", 10));
    assert_false(report_date_valid("1900-02-29", 10));
    assert_false(report_date_valid("2026-02-29", 10));
    assert_false(report_date_valid("2026-04-31", 10));
    assert_false(report_date_valid("1969-12-31", 10));
    assert_false(report_date_valid("2026-1-011", 10));
    assert_false(report_date_valid("2026/01/01", 10));
    assert_true(report_is_dimension("sub5"));
    assert_false(report_is_dimension("clicks"));
    assert_true(report_is_metric("fallback_too_long"));
    assert_false(report_is_metric("date"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_params_defaults),
        cmocka_unit_test(test_report_params_group_sort_and_filters),
        cmocka_unit_test(test_report_params_refusals_name_the_parameter),
        cmocka_unit_test(test_report_params_sub_values_up_to_255_characters),
        cmocka_unit_test(test_report_params_names_and_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
