/*
 * test_csv_read.c — streaming CSV reading (src/util/csv_read.c): records and their line numbers,
 * BOM, CRLF and LF, quoting with commas, quotes and line breaks, blank lines and empty rows, field
 * counts against the header, UTF-8 and NUL checks, structural errors with their line, caps, and the
 * same records whatever the input's split into pieces.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"
#include "util/buf.h"
#include "util/csv_read.h"

/* Every record as "line:field|field|…" (with "!problem@field" when it has one), one per line. */
static int collect(void *ctx, const csv_record_t *rec)
{
    buf_t *out = ctx;
    buf_printf(out, "%zu:", rec->line);
    for (size_t i = 0; i < rec->nfields; i++) {
        buf_append_str(out, i ? "|" : "");
        buf_append(out, rec->fields[i].s, rec->fields[i].len);
    }
    if (rec->problem)
        buf_printf(out, "!%s@%d", rec->problem, rec->problem_field == SIZE_MAX ? -1 : (int)rec->problem_field);
    buf_append_char(out, '\n');
    return 0;
}

/* Reads input (n bytes) in pieces of at most step bytes; returns the records, or "ERR line: why". */
static char *read_all(const char *input, size_t n, size_t step)
{
    buf_t out;
    buf_init(&out, 1 << 24);
    csv_reader_t *r = csv_read_new(collect, &out);
    assert_non_null(r);
    int rc = 0;
    for (size_t at = 0; at < n && rc == 0; at += step)
        rc = csv_read_feed(r, input + at, n - at < step ? n - at : step);
    if (rc == 0)
        rc = csv_read_finish(r);
    if (rc == -1) {
        size_t line;
        const char *why = csv_read_error(r, &line);
        buf_printf(&out, "ERR %zu: %s\n", line, why);
    }
    csv_read_free(r);
    size_t len;
    char *s = buf_take(&out, &len);
    return s ? s : calloc(1, 1);
}

static void expect(const char *input, size_t n, const char *want)
{
    /* whole, byte by byte, and in odd pieces: always the same */
    size_t steps[] = {n ? n : 1, 1, 2, 3, 7};
    for (size_t i = 0; i < N_ELEMS(steps); i++) {
        char *got = read_all(input, n, steps[i]);
        if (strcmp(got, want) != 0)
            fail_msg("pieces of %zu: got\n%s\nwant\n%s", steps[i], got, want);
        free(got);
    }
}
#define EXPECT(lit, want) expect(lit, sizeof(lit) - 1, want)

static void test_csv_read_records_with_lines_crlf_lf_and_bom(void **state)
{
    (void)state;
    EXPECT("code,offer_id\r\nA1,7\r\nB2,8\r\n", "1:code|offer_id\n2:A1|7\n3:B2|8\n");
    EXPECT("code,offer_id\nA1,7\nB2,8", "1:code|offer_id\n2:A1|7\n3:B2|8\n");
    EXPECT("\xEF\xBB\xBF"
           "code,offer_id\nA1,7\n",
           "1:code|offer_id\n2:A1|7\n");
    EXPECT("\xEF\xBBx,y\n1,2\n", "1:\xEF\xBBx|y!is not valid UTF-8@0\n2:1|2\n"); /* almost a BOM: data */
    EXPECT("\xEF\xBB", "1:\xEF\xBB!is not valid UTF-8@0\n");
    EXPECT("", "");
    EXPECT("\xEF\xBB\xBF", "");
}

static void test_csv_read_quoting_keeps_commas_quotes_and_line_breaks(void **state)
{
    (void)state;
    EXPECT("a,b\n\"x,1\",\"say \"\"hi\"\"\"\n\"two\r\nlines\",z\nlast,one\n",
           "1:a|b\n2:x,1|say \"hi\"\n3:two\r\nlines|z\n5:last|one\n");
    EXPECT("a,b\n\"\",x\n", "1:a|b\n2:|x\n");
    EXPECT("a,b\n  spaced  ,\" q \"\n", "1:a|b\n2:  spaced  | q \n"); /* verbatim: nothing trimmed */
}

static void test_csv_read_skips_blank_lines_and_empty_rows(void **state)
{
    (void)state;
    EXPECT("\n\na,b\n\n1,2\r\n\r\n,\n , \n3,4\n\n", "3:a|b\n5:1|2\n9:3|4\n");
}

static void test_csv_read_field_counts_utf8_and_nul(void **state)
{
    (void)state;
    EXPECT(
        "a,b,c\n1,2\n1,2,3,4\n1,2,3\n",
        "1:a|b|c\n2:1|2!has fewer fields than the header@-1\n3:1|2|3|4!has more fields than the header@-1\n4:1|2|3\n");
    EXPECT("a,b\nok,\xff\xfe\n", "1:a|b\n2:ok|\xff\xfe!is not valid UTF-8@1\n");
}

static int first_problem(void *ctx, const csv_record_t *rec)
{
    if (!rec->header && rec->problem && !*(const char **)ctx)
        *(const char **)ctx = rec->problem;
    return 0;
}

static void test_csv_read_nul_is_a_problem(void **state)
{
    (void)state;
    static const char nul[] = "a,b\nx,\"y\0z\"\n";
    const char *problem = NULL;
    csv_reader_t *r = csv_read_new(first_problem, &problem);
    assert_int_equal(csv_read_feed(r, nul, sizeof nul - 1), 0);
    assert_int_equal(csv_read_finish(r), 0);
    assert_string_equal(problem, "contains a NUL character");
    csv_read_free(r);
}

static void test_csv_read_structural_errors_name_their_line(void **state)
{
    (void)state;
    EXPECT("a,b\n1,2\n3,\"open\n\nstill open\n", "1:a|b\n2:1|2\nERR 3: a quoted field is never closed\n");
    EXPECT("a,b\n1,2\nx\"y,2\n",
           "1:a|b\n2:1|2\nERR 3: malformed quoting: a quote inside an unquoted field, or text after a closing quote\n");
    EXPECT("a,b\n\"q\"x,2\n",
           "1:a|b\nERR 2: malformed quoting: a quote inside an unquoted field, or text after a closing quote\n");
}

static void test_csv_read_caps(void **state)
{
    (void)state;
    size_t n = CSV_READ_FIELD_MAX + 100;
    char *big = malloc(n + 16);
    memcpy(big, "a\n\"", 3);
    memset(big + 3, 'x', n);
    char *got = read_all(big, n + 3, 4096);
    assert_non_null(strstr(got, "ERR 2: a field is longer than 65536 bytes"));
    free(got);
    buf_t wide;
    buf_init(&wide, 1 << 20);
    for (int i = 0; i <= CSV_READ_COLUMNS_MAX; i++)
        buf_append_str(&wide, i ? ",c" : "c");
    buf_append_char(&wide, '\n');
    got = read_all(buf_ptr(&wide), wide.len, wide.len);
    assert_string_equal(got, "ERR 1: a record has more fields than the 64 a file may have\n");
    free(got);
    buf_free(&wide);
    free(big);
}

static int stop_at_second(void *ctx, const csv_record_t *rec)
{
    (*(int *)ctx)++;
    return rec->line == 2 ? 7 : 0;
}

static void test_csv_read_callback_stops_reading(void **state)
{
    (void)state;
    int seen = 0;
    csv_reader_t *r = csv_read_new(stop_at_second, &seen);
    assert_int_equal(csv_read_feed(r, "a\n1\n2\n3\n", 8), 7);
    assert_int_equal(csv_read_feed(r, "4\n", 2), 7);
    assert_int_equal(csv_read_finish(r), 7);
    assert_int_equal(seen, 2);
    assert_int_equal(csv_read_records(r), 2);
    csv_read_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_read_records_with_lines_crlf_lf_and_bom),
        cmocka_unit_test(test_csv_read_quoting_keeps_commas_quotes_and_line_breaks),
        cmocka_unit_test(test_csv_read_skips_blank_lines_and_empty_rows),
        cmocka_unit_test(test_csv_read_field_counts_utf8_and_nul),
        cmocka_unit_test(test_csv_read_nul_is_a_problem),
        cmocka_unit_test(test_csv_read_structural_errors_name_their_line),
        cmocka_unit_test(test_csv_read_caps),
        cmocka_unit_test(test_csv_read_callback_stops_reading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
