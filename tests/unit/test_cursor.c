/*
 * test_cursor.c — opaque pagination cursors (src/api/cursor.c).
 */
#include "test_util.h"

#include "api/cursor.h"

static void test_cursor_round_trips(void **state)
{
    (void)state;
    const int64_t ids[] = {1, 2, 37, 1000, 2147483648LL, INT64_MAX};
    for (size_t i = 0; i < N_ELEMS(ids); i++) {
        char c[CURSOR_MAX_LEN];
        cursor_encode(ids[i], c);
        for (const char *p = c; *p; p++)
            assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
        int64_t back = 0;
        assert_int_equal(cursor_decode(c, strlen(c), &back), 0);
        assert_int_equal(back, ids[i]);
    }
    char t[CURSOR_TEXT_MAX_LEN + 1], key[CURSOR_KEY_MAX + 1];
    cursor_encode_text("1795576534967000:0598c4c0021a801016e7776e98a4e988", t);
    assert_int_equal(cursor_decode_text(t, strlen(t), key), 0);
    assert_string_equal(key, "1795576534967000:0598c4c0021a801016e7776e98a4e988");
    int64_t id;
    assert_int_equal(cursor_decode(t, strlen(t), &id), -1); /* a text cursor is not an id cursor */
}

static void test_cursor_rejects_what_we_did_not_make(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "a", "zz", "!!!!", "azE6", /* "k1:" with no digits */
        "azE6MA",                      /* k1:0 */
        "azE6MDE",                     /* k1:01 */
        "azE6LTE",                     /* k1:-1 */
        "azE6MWE",                     /* k1:1a */
        "azI6MQ",                      /* k2:1 is a text cursor */
        "a2V5OjE",                     /* key:1 */
        "azE6OTIyMzM3MjAzNjg1NDc3NTgwOA", /* k1:9223372036854775808 overflows */
        "azE6MQ==", "azE6M Q",
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        int64_t id;
        if (cursor_decode(bad[i], strlen(bad[i]), &id) != -1)
            fail_msg("accepted %s", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursor_round_trips),
        cmocka_unit_test(test_cursor_rejects_what_we_did_not_make),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
