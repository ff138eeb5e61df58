/*
 * test_csv_write.c — CSV writing (src/util/csv_write.c): plain fields stay as they are; commas,
 * quotes, CR and LF are quoted with quotes doubled; formula-like fields are kept as text; NULL and
 * empty are empty; rows end in CRLF; and every row written reads back to its fields with an
 * independent RFC 4180 reader, over many random fields.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"
#include "util/csv_write.h"

static void test_csv_write_fields(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {NULL, ""},
        {"", ""},
        {"abc", "abc"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"line\nbreak", "\"line\nbreak\""},
        {"cr\r", "\"cr\r\""},
        {"=1+1", "\"'=1+1\""},
        {"+33 1", "\"'+33 1\""},
        {"-5", "\"'-5\""},
        {"@SUM(A1)", "\"'@SUM(A1)\""},
        {"\tx", "\"'\tx\""},
        {"=\"a\",", "\"'=\"\"a\"\",\""},
        {"a=b", "a=b"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        buf_t b;
        buf_init(&b, 1024);
        assert_int_equal(csv_write_field(&b, cases[i].in, true), BUF_OK);
        if (strcmp(buf_ptr(&b), cases[i].out) != 0)
            fail_msg("case %zu: got [%s], want [%s]", i, buf_ptr(&b), cases[i].out);
        buf_free(&b);
    }
    buf_t row;
    buf_init(&row, 1024);
    assert_int_equal(csv_write_field(&row, "a", true), BUF_OK);
    assert_int_equal(csv_write_field(&row, NULL, false), BUF_OK);
    assert_int_equal(csv_write_field(&row, "b,c", false), BUF_OK);
    assert_int_equal(csv_write_end_row(&row), BUF_OK);
    assert_string_equal(buf_ptr(&row), "a,,\"b,c\"\r\n");
    buf_free(&row);
}

/* An independent RFC 4180 reader of one row: fields into out[], returns how many. */
static int read_row(const char *s, char out[][64], int max)
{
    int n = 0;
    size_t o = 0;
    bool quoted = false;
    for (const char *p = s;; p++) {
        if (quoted) {
            if (*p == '"' && p[1] == '"') {
                out[n][o++] = '"';
                p++;
            } else if (*p == '"') {
                quoted = false;
            } else {
                out[n][o++] = *p;
            }
            continue;
        }
        if (*p == '"') {
            quoted = true;
        } else if (*p == ',' || (*p == '\r' && p[1] == '\n')) {
            out[n][o] = '\0';
            n++;
            o = 0;
            if (*p == '\r' || n == max)
                return n;
        } else {
            out[n][o++] = *p;
        }
    }
}

static void test_csv_write_random_rows_read_back(void **state)
{
    (void)state;
    static const char alphabet[] = "ab,\"\r\n=+-@\t 1";
    srand(42);
    for (int round = 0; round < 2000; round++) {
        char fields[5][32];
        buf_t b;
        buf_init(&b, 4096);
        for (int f = 0; f < 5; f++) {
            int len = rand() % 12;
            for (int i = 0; i < len; i++)
                fields[f][i] = alphabet[rand() % (sizeof alphabet - 1)];
            fields[f][len] = '\0';
            assert_int_equal(csv_write_field(&b, fields[f], f == 0), BUF_OK);
        }
        assert_int_equal(csv_write_end_row(&b), BUF_OK);
        char back[5][64];
        assert_int_equal(read_row(buf_ptr(&b), back, 5), 5);
        for (int f = 0; f < 5; f++) {
            const char *want = fields[f];
            const char *got = back[f];
            if (*want && strchr("=+-@\t\r", *want)) {
                assert_int_equal(*got, '\''); /* kept as text */
                got++;
            }
            if (strcmp(got, want) != 0)
                fail_msg("round %d field %d: [%s] read back as [%s] from [%s]", round, f, want, back[f], buf_ptr(&b));
        }
        buf_free(&b);
    }
}

static void test_csv_write_respects_the_cap(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 8);
    assert_int_equal(csv_write_field(&b, "12345678", true), BUF_OK);
    assert_int_equal(csv_write_field(&b, "x", false), BUF_TOO_BIG);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_write_fields),
        cmocka_unit_test(test_csv_write_random_rows_read_back),
        cmocka_unit_test(test_csv_write_respects_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
