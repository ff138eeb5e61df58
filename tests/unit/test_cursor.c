/*
 * test_cursor.c — opaque pagination cursors (src/api/cursor.c): id cursors round-trip for many
 * ids (1, 2^31, INT64_MAX, …); anything we did not make is refused — tampered, garbage, empty,
 * too long, zero, leading zero, negative, overflowing, non-base64 characters, padding, other
 * prefixes. Text cursors round-trip and refuse control characters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/cursor.h"
#include "test_util.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The test's own URL-safe base64 without padding (RFC 4648 §5), to build hostile cursors
 * independently of the code under test. */
static void b64url(const char *plain, size_t n, char *out)
{
    const unsigned char *p = (const unsigned char *)plain;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = ALPHABET[v >> 18 & 63];
        out[o++] = ALPHABET[v >> 12 & 63];
        if (i + 1 < n)
            out[o++] = ALPHABET[v >> 6 & 63];
        if (i + 2 < n)
            out[o++] = ALPHABET[v & 63];
    }
    out[o] = '\0';
}

/* Decodes a cursor given as an exact-size heap slice (ASan catches reads past len). */
static int decode(const char *s, size_t len, int64_t *id)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, s, len);
    int rc = cursor_decode(copy, len, id);
    free(copy);
    return rc;
}

static void test_cursor_ids_round_trip(void **state)
{
    (void)state;
    int64_t ids[200];
    size_t n = 0;
    for (int64_t i = 1; i <= 100; i++)
        ids[n++] = i;
    for (int bit = 7; bit < 63; bit++) {
        ids[n++] = (int64_t)1 << bit;
        if (bit % 2)
            ids[n++] = ((int64_t)1 << bit) - 1;
    }
    ids[n++] = 2147483648LL; /* 2^31 */
    ids[n++] = 1000000000000LL;
    ids[n++] = INT64_MAX - 1;
    ids[n++] = INT64_MAX;
    assert_true(n <= N_ELEMS(ids));
    for (size_t i = 0; i < n; i++) {
        char c[CURSOR_MAX_LEN];
        memset(c, 'X', sizeof c);
        cursor_encode(ids[i], c);
        size_t len = strlen(c);
        assert_true(len > 0 && len < CURSOR_MAX_LEN);
        assert_int_equal(strspn(c, ALPHABET), len); /* URL-safe, no padding */
        /* It is exactly base64url("k1:<id>"). */
        char plain[32], want[64];
        snprintf(plain, sizeof plain, "k1:%" PRId64, ids[i]);
        b64url(plain, strlen(plain), want);
        assert_string_equal(c, want);
        int64_t back = 0;
        if (decode(c, len, &back) != 0 || back != ids[i])
            fail_msg("id %" PRId64 " -> %s -> %" PRId64, ids[i], c, back);
    }
}

/* Cursors built from chosen plain texts: none of them is one we made. */
static void test_cursor_refuses_plain_texts_we_did_not_make(void **state)
{
    (void)state;
    static const char *const plains[] = {
        "k1:",   /* no digits */
        "k1:0",  /* zero */
        "k1:00", /* zero */
        "k1:01", /* leading zero */
        "k1:-1", /* negative */
        "k1:+1",
        "k1: 1",
        "k1:1 ",
        "k1:1a",
        "k1:1.5",
        "k1:0x1f",
        "k1:9223372036854775808", /* INT64_MAX + 1 */
        "k1:18446744073709551616",
        "k1:99999999999999999999999",
        "k2:1", /* a text cursor */
        "K1:1",
        "k0:1",
        "k11",
        "key:1",
        "1",
        "k1:1\n",
        "\xff\xfe\xfd",
    };
    for (size_t i = 0; i < N_ELEMS(plains); i++) {
        char c[128];
        b64url(plains[i], strlen(plains[i]), c);
        int64_t id = -7;
        if (decode(c, strlen(c), &id) != -1)
            fail_msg("accepted %s (plain \"%s\") as id %" PRId64, c, plains[i], id);
    }
    /* An embedded NUL after the digits. */
    char c[64];
    b64url("k1:12\0", 6, c);
    int64_t id;
    assert_int_equal(decode(c, strlen(c), &id), -1);
}

static void test_cursor_refuses_garbage_strings(void **state)
{
    (void)state;
    char good[CURSOR_MAX_LEN];
    cursor_encode(12345, good); /* "azE6MTIzNDU" */
    static const char *const bad[] = {
        "",
        "a",
        "zz",
        "!!!!",
        "azE6MR",      /* "k1:1" spelled with non-zero unused bits: not our spelling */
        "azE6MTIzNDV", /* the same for "k1:12345" */
        "azE6MQ==",    /* padding is not ours */
        "azE6MQ=",
        "azE6M Q",
        " azE6MQ",
        "azE6MQ ",
        "azE6MQ\n",
        "azE6M+Q", /* standard alphabet, not URL-safe */
        "azE6M/Q",
        "azE6M.Q",
        "azE6M%51",
        "azE6MQ\xc3\xa9",
        "azE6M", /* a length no base64 has (5 = 4k + 1) */
        "azE6MTIzNDUx"
        "A", /* 13 characters */
        "null",
        "undefined",
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        int64_t id;
        if (decode(bad[i], strlen(bad[i]), &id) != -1)
            fail_msg("accepted \"%s\" as id %" PRId64, bad[i], id);
    }
    /* A NUL byte inside the slice. */
    char with_nul[16];
    memcpy(with_nul, good, 4);
    with_nul[4] = '\0';
    memcpy(with_nul + 5, good + 5, strlen(good) - 5);
    int64_t id;
    assert_int_equal(decode(with_nul, strlen(good), &id), -1);
}

static void test_cursor_refuses_too_long_input(void **state)
{
    (void)state;
    static const size_t lens[] = {
        CURSOR_MAX_LEN, CURSOR_TEXT_MAX_LEN, CURSOR_TEXT_MAX_LEN + 1, CURSOR_TEXT_MAX_LEN + 4, 256, 257, 4096};
    for (size_t i = 0; i < N_ELEMS(lens); i++) {
        /* "k1:" followed by many '1's: only the length is wrong. */
        char *plain = malloc(lens[i] + 4);
        memcpy(plain, "k1:", 3);
        memset(plain + 3, '1', lens[i]);
        char *c = malloc(2 * lens[i] + 8);
        b64url(plain, lens[i], c);
        int64_t id;
        if (decode(c, strlen(c), &id) != -1)
            fail_msg("accepted a %zu-character cursor", strlen(c));
        /* and the same number of 'A's */
        memset(c, 'A', lens[i]);
        assert_int_equal(decode(c, lens[i], &id), -1);
        free(c);
        free(plain);
    }
}

/* Changing any one character of a cursor either makes it invalid or makes it the canonical
 * cursor of another id: a cursor we made is the only spelling of its id. */
static void test_cursor_tampered_characters_never_alias_another_cursor(void **state)
{
    (void)state;
    static const int64_t ids[] = {1, 7, 42, 12345, 2147483648LL, INT64_MAX};
    for (size_t k = 0; k < N_ELEMS(ids); k++) {
        char c[CURSOR_MAX_LEN];
        cursor_encode(ids[k], c);
        size_t len = strlen(c);
        for (size_t pos = 0; pos < len; pos++) {
            for (const char *a = ALPHABET; *a; a++) {
                if (*a == c[pos])
                    continue;
                char t[CURSOR_MAX_LEN];
                memcpy(t, c, len + 1);
                t[pos] = *a;
                int64_t id;
                if (decode(t, len, &id) != 0)
                    continue;
                assert_true(id > 0);
                assert_true(id != ids[k]);
                char canonical[CURSOR_MAX_LEN];
                cursor_encode(id, canonical);
                if (strcmp(canonical, t) != 0)
                    fail_msg("%s (tampered from %s) accepted as id %" PRId64 ", whose cursor is %s", t, c, id,
                             canonical);
            }
        }
    }
}

static void test_cursor_text_keys_round_trip(void **state)
{
    (void)state;
    char sixty[CURSOR_KEY_MAX + 1];
    memset(sixty, '~', CURSOR_KEY_MAX);
    sixty[CURSOR_KEY_MAX] = '\0';
    const char *keys[] = {"a", "1795576534967000:0598c4c0021a801016e7776e98a4e988",
                          " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", sixty};
    for (size_t i = 0; i < N_ELEMS(keys); i++) {
        char t[CURSOR_TEXT_MAX_LEN + 1];
        cursor_encode_text(keys[i], t);
        assert_true(strlen(t) <= CURSOR_TEXT_MAX_LEN);
        assert_int_equal(strspn(t, ALPHABET), strlen(t));
        char key[CURSOR_KEY_MAX + 1];
        assert_int_equal(cursor_decode_text(t, strlen(t), key), 0);
        assert_string_equal(key, keys[i]);
        int64_t id;
        assert_int_equal(decode(t, strlen(t), &id), -1); /* a text cursor is not an id cursor */
    }
    char c[CURSOR_MAX_LEN], key[CURSOR_KEY_MAX + 1];
    cursor_encode(5, c);
    assert_int_equal(cursor_decode_text(c, strlen(c), key), -1); /* nor the other way round */
}

static void test_cursor_text_refuses_what_we_did_not_make(void **state)
{
    (void)state;
    char sixty_one[CURSOR_KEY_MAX + 8] = "k2:";
    memset(sixty_one + 3, 'a', CURSOR_KEY_MAX + 1);
    sixty_one[3 + CURSOR_KEY_MAX + 1] = '\0';
    const char *plains[] = {"k2:", "k2:a\nb", "k2:\x01", "k2:\x7f", "k2:caf\xc3\xa9", "k1:1", "k3:a", sixty_one};
    for (size_t i = 0; i < N_ELEMS(plains); i++) {
        char c[128], key[CURSOR_KEY_MAX + 1];
        b64url(plains[i], strlen(plains[i]), c);
        if (cursor_decode_text(c, strlen(c), key) != -1)
            fail_msg("text cursor for \"%s\" accepted", plains[i]);
    }
    char key[CURSOR_KEY_MAX + 1];
    assert_int_equal(cursor_decode_text("", 0, key), -1);
    assert_int_equal(cursor_decode_text("azI6YQ==", 8, key), -1);
    assert_int_equal(cursor_decode_text("azI6Y+", 6, key), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursor_ids_round_trip),
        cmocka_unit_test(test_cursor_refuses_plain_texts_we_did_not_make),
        cmocka_unit_test(test_cursor_refuses_garbage_strings),
        cmocka_unit_test(test_cursor_refuses_too_long_input),
        cmocka_unit_test(test_cursor_tampered_characters_never_alias_another_cursor),
        cmocka_unit_test(test_cursor_text_keys_round_trip),
        cmocka_unit_test(test_cursor_text_refuses_what_we_did_not_make),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
