/*
 * test_qr_options.c — QR image options (src/qr/qr_options.c): defaults, every parameter's
 * accepted and refused values named in the problem, colours and contrast, Accept negotiation,
 * and random input that must never crash.
 */
#include <stdio.h>
#include <stdlib.h>

#include "qr/qr_options.h"
#include "test_util.h"

typedef struct {
    arena_t *arena;
    problem_t problem;
    query_t query;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->arena = arena_create(4096);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    arena_destroy(f->arena);
    free(f);
    return 0;
}

/* Parses qs as a request's query string and then the options; returns the parse result. */
static int parse(fixture_t *f, const char *qs, qr_options_t *o)
{
    arena_reset(f->arena);
    problem_init(&f->problem, f->arena);
    assert_int_equal(query_parse(f->arena, qs, strlen(qs), false, &f->query, &f->problem), 0);
    int rc = qr_options_parse(&f->query, o, &f->problem);
    int rc2 = qr_options_parse_format(&f->query, o, &f->problem);
    return rc < 0 || rc2 < 0 ? -1 : 0;
}

static bool names(const fixture_t *f, const char *field)
{
    for (size_t i = 0; i < f->problem.nerrors; i++)
        if (strcmp(f->problem.errors[i].field, field) == 0 && strcmp(f->problem.errors[i].in, "query") == 0)
            return true;
    return false;
}

static void test_defaults(void **state)
{
    fixture_t *f = *state;
    qr_options_t o;
    assert_int_equal(parse(f, "", &o), 0);
    assert_int_equal(o.size, 300);
    assert_int_equal(o.margin, 4);
    assert_int_equal(o.ecc, 'M');
    assert_true(o.fg.r == 0 && o.fg.g == 0 && o.fg.b == 0);
    assert_true(o.bg.r == 255 && o.bg.g == 255 && o.bg.b == 255);
    assert_false(o.download);
    assert_int_equal(o.format, QR_FORMAT_NONE);
}

static void test_accepted_values(void **state)
{
    fixture_t *f = *state;
    qr_options_t o;
    assert_int_equal(parse(f, "size=64&margin=0&ecc=l&download=1&format=svg", &o), 0);
    assert_int_equal(o.size, 64);
    assert_int_equal(o.margin, 0);
    assert_int_equal(o.ecc, 'L');
    assert_true(o.download);
    assert_int_equal(o.format, QR_FORMAT_SVG);
    assert_int_equal(parse(f, "size=2048&margin=16&ecc=H&download=false&format=png&fg=%231a237e&bg=FFF8E1", &o), 0);
    assert_int_equal(o.size, 2048);
    assert_int_equal(o.margin, 16);
    assert_int_equal(o.ecc, 'H');
    assert_false(o.download);
    assert_int_equal(o.format, QR_FORMAT_PNG);
    assert_true(o.fg.r == 0x1a && o.fg.g == 0x23 && o.fg.b == 0x7e);
    assert_true(o.bg.r == 0xff && o.bg.g == 0xf8 && o.bg.b == 0xe1);
    static const char *eccs[] = {"ecc=L", "ecc=m", "ecc=q", "ecc=H"};
    for (size_t i = 0; i < N_ELEMS(eccs); i++)
        assert_int_equal(parse(f, eccs[i], &o), 0);
}

static void test_refused_values_name_their_parameter(void **state)
{
    fixture_t *f = *state;
    static const struct {
        const char *qs, *field;
    } cases[] = {
        {"size=63", "size"},       {"size=2049", "size"},
        {"size=300px", "size"},    {"size=", "size"},
        {"size=-1", "size"},       {"size=99999999999999999999", "size"},
        {"margin=17", "margin"},   {"margin=-1", "margin"},
        {"margin=1.5", "margin"},  {"ecc=X", "ecc"},
        {"ecc=", "ecc"},           {"ecc=MM", "ecc"},
        {"ecc=%C3%A9", "ecc"},     {"fg=zzz", "fg"},
        {"fg=12345", "fg"},        {"fg=%23%23000000", "fg"},
        {"fg=1234567", "fg"},      {"bg=", "bg"},
        {"bg=ggg", "bg"},          {"download=yes", "download"},
        {"download=", "download"}, {"format=gif", "format"},
        {"format=PNG", "format"},  {"fg=ffffff&bg=000000", "fg"},
        {"fg=777&bg=888", "fg"},   {"fg=ffff00", "fg"},
        {"fg=000&bg=000", "fg"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        qr_options_t o;
        if (parse(f, cases[i].qs, &o) != -1 || !names(f, cases[i].field)) {
            fprintf(stderr, "case %s: not refused naming %s\n", cases[i].qs, cases[i].field);
            fail();
        }
    }
}

static void test_every_bad_parameter_is_reported_at_once(void **state)
{
    fixture_t *f = *state;
    qr_options_t o;
    assert_int_equal(parse(f, "size=1&margin=99&ecc=Z&fg=nope&download=2&format=bmp", &o), -1);
    static const char *const fields[] = {"size", "margin", "ecc", "fg", "download", "format"};
    for (size_t i = 0; i < N_ELEMS(fields); i++)
        assert_true(names(f, fields[i]));
}

static void test_colours(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool ok;
        uint8_t r, g, b;
    } cases[] = {
        {"000000", true, 0, 0, 0},    {"#FFFFFF", true, 255, 255, 255},
        {"f80", true, 0xff, 0x88, 0}, {"#a1B2c3", true, 0xa1, 0xb2, 0xc3},
        {"", false, 0, 0, 0},         {"#", false, 0, 0, 0},
        {"ff", false, 0, 0, 0},       {"ffff", false, 0, 0, 0},
        {"fffffff", false, 0, 0, 0},  {"#ggg", false, 0, 0, 0},
        {" fff", false, 0, 0, 0},     {"fff ", false, 0, 0, 0},
        {"0x0000", false, 0, 0, 0},   {"##fff", false, 0, 0, 0},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        qr_rgb_t c = {1, 2, 3};
        assert_int_equal(qr_parse_colour(cases[i].in, &c), cases[i].ok);
        if (cases[i].ok)
            assert_true(c.r == cases[i].r && c.g == cases[i].g && c.b == cases[i].b);
    }
}

static void test_contrast_ratio(void **state)
{
    (void)state;
    qr_rgb_t black = {0, 0, 0}, white = {255, 255, 255}, grey = {0x77, 0x77, 0x77};
    assert_true(qr_contrast_ratio(black, white) > 20.99 && qr_contrast_ratio(black, white) < 21.01);
    assert_true(qr_contrast_ratio(white, black) == qr_contrast_ratio(black, white));
    assert_true(qr_contrast_ratio(grey, grey) == 1.0);
    /* #777 on white is about 4.48:1 (the WCAG example of just under 4.5). */
    double r = qr_contrast_ratio(grey, white);
    assert_true(r > 4.47 && r < 4.49);
}

static void test_accept_negotiation(void **state)
{
    (void)state;
    static const struct {
        const char *accept;
        qr_format_t want;
    } cases[] = {
        {NULL, QR_FORMAT_PNG},
        {"", QR_FORMAT_PNG},
        {"  ", QR_FORMAT_PNG},
        {"*/*", QR_FORMAT_PNG},
        {"image/*", QR_FORMAT_PNG},
        {"image/png", QR_FORMAT_PNG},
        {"image/svg+xml", QR_FORMAT_SVG},
        {"IMAGE/SVG+XML", QR_FORMAT_SVG},
        {"image/png, image/svg+xml", QR_FORMAT_PNG},
        {"image/svg+xml, image/png", QR_FORMAT_PNG},
        {"image/png;q=0.5, image/svg+xml", QR_FORMAT_SVG},
        {"image/svg+xml;q=0.9, image/png;q=0.8", QR_FORMAT_SVG},
        {"image/svg+xml ; q=0.9 , image/png ; q=0.8", QR_FORMAT_SVG},
        {"image/png;q=0, */*", QR_FORMAT_SVG},
        {"image/png;q=0", QR_FORMAT_NONE},
        {"application/json", QR_FORMAT_NONE},
        {"text/html, application/xhtml+xml", QR_FORMAT_NONE},
        {"text/html, */*;q=0.1", QR_FORMAT_PNG},
        {"image/*;q=0.5, image/svg+xml", QR_FORMAT_SVG},
        {"image/webp,image/apng,image/*,*/*;q=0.8", QR_FORMAT_PNG},
        {"image/svg+xml;q=abc, image/png", QR_FORMAT_PNG},
        {"image/svg+xml;q=2", QR_FORMAT_NONE},
        {",,,", QR_FORMAT_NONE},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        qr_format_t got = qr_format_from_accept(cases[i].accept);
        if (got != cases[i].want) {
            fprintf(stderr, "Accept \"%s\": got %d, want %d\n", cases[i].accept ? cases[i].accept : "(none)", got,
                    cases[i].want);
            fail();
        }
    }
}

/* Random bytes into the free-text parsers: any answer is fine, a crash or sanitizer report is not. */
static void test_random_input_never_crashes(void **state)
{
    (void)state;
    srand(12345);
    static const char alphabet[] = "image/svg+xml*;q=0.1, #fgaAzZ09\t\x01\xff";
    for (int round = 0; round < 20000; round++) {
        char s[64];
        size_t n = (size_t)(rand() % (int)sizeof s);
        for (size_t i = 0; i < n; i++)
            s[i] = rand() % 4 ? alphabet[rand() % (int)(sizeof alphabet - 1)] : (char)(rand() % 255 + 1);
        s[n] = '\0';
        qr_format_t fmt = qr_format_from_accept(s);
        assert_true(fmt == QR_FORMAT_NONE || fmt == QR_FORMAT_PNG || fmt == QR_FORMAT_SVG);
        qr_rgb_t c;
        (void)qr_parse_colour(s, &c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accepted_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_values_name_their_parameter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_bad_parameter_is_reported_at_once, setup, teardown),
        cmocka_unit_test(test_colours),
        cmocka_unit_test(test_contrast_ratio),
        cmocka_unit_test(test_accept_negotiation),
        cmocka_unit_test(test_random_input_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
