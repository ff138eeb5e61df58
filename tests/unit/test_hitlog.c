/*
 * test_hitlog.c — spool lines (src/track/hitlog.c): COPY escaping, NULLs, checksums, torn lines.
 */
#include "test_util.h"
#include "track/hitlog.h"

static hit_t sample(void)
{
    hit_t h = {.kind = "click",
               .hit_at_ms = 1764028800123LL, /* 2025-11-25T00:00:00.123Z */
               .partner_id = 7,
               .offer_id = 42,
               .offer_url_id = 0,
               .params = {{"tab\there", "line\nbreak", "back\\slash", NULL, NULL, "\xc3\xa9"}},
               .ip = "127.0.0.1",
               .user_agent = "Mozilla/5.0",
               .referer = NULL,
               .outcome = "redirected",
               .is_bot = false};
    memcpy(h.transaction_id, "0123456789abcdef0123456789abcdef", 33);
    return h;
}

static void test_hitlog_line_is_escaped_copy_text_with_checksum(void **state)
{
    (void)state;
    hit_t h = sample();
    buf_t b;
    buf_init(&b, HITLOG_LINE_MAX);
    assert_int_equal(hitlog_format(&h, &b), 0);
    const char *line = buf_ptr(&b);
    assert_int_equal(line[b.len - 1], '\n');
    assert_null(memchr(line, '\n', b.len - 1)); /* exactly one line */
    const char *row;
    size_t row_len;
    assert_true(hitlog_line_valid(line, b.len - 1, &row, &row_len));
    const char *want = "0123456789abcdef0123456789abcdef\tclick\t2025-11-25 00:00:00.123+00\t7\t42\t\\N\ttab\\there\t"
                       "line\\nbreak\tback\\\\slash\t\\N\t\\N\t\xc3\xa9\t127.0.0.1\tMozilla/5.0\t\\N\tredirected\tf";
    assert_int_equal(row_len, strlen(want));
    assert_memory_equal(row, want, row_len);
    buf_free(&b);
}

static void test_hitlog_any_changed_byte_or_torn_line_fails_the_checksum(void **state)
{
    (void)state;
    hit_t h = sample();
    buf_t b;
    buf_init(&b, HITLOG_LINE_MAX);
    hitlog_format(&h, &b);
    char *line = (char *)buf_ptr(&b);
    size_t len = b.len - 1;
    const char *row;
    size_t row_len;
    for (size_t i = 0; i < len; i += 7) {
        char saved = line[i];
        line[i] = (char)(saved ^ 0x01);
        assert_false(hitlog_line_valid(line, len, &row, &row_len));
        line[i] = saved;
    }
    for (size_t cut = 0; cut < len; cut += 5)
        assert_false(hitlog_line_valid(line, cut, &row, &row_len));
    assert_true(hitlog_line_valid(line, len, &row, &row_len));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hitlog_line_is_escaped_copy_text_with_checksum),
        cmocka_unit_test(test_hitlog_any_changed_byte_or_torn_line_fails_the_checksum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
