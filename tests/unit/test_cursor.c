/*
 * test_cursor.c — signed pagination cursors (src/api/cursor.c): keys of every shape round-trip
 * (ids, time:transaction keys, 255-character UTF-8 group keys, the longest key, empty); a cursor
 * is refused by another scope (another list, other filters), another secret, and after any one
 * character or bit is changed; strings we did not make (garbage, padding, non-canonical spelling,
 * unsigned plain texts, the old "k1:" format) are refused; too long keys cannot be encoded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/cursor.h"
#include "test_util.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char SECRET[] = "0123456789abcdef0123456789abcdef-test";

static cursor_ctx_t ctx(const char *scope)
{
    return (cursor_ctx_t){SECRET, strlen(SECRET), scope, strlen(scope)};
}

/* The test's own URL-safe base64 without padding, to build hostile cursors independently. */
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
static int decode(const cursor_ctx_t *c, const char *s, size_t len, char *key)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, s, len);
    int rc = cursor_decode(c, copy, len, key);
    free(copy);
    return rc;
}

static void round_trip(const cursor_ctx_t *c, const char *key, size_t key_len)
{
    char text[CURSOR_TEXT_MAX + 1], back[CURSOR_KEY_MAX + 1];
    int n = cursor_encode(c, key, key_len, text);
    assert_true(n > 0 && n <= CURSOR_TEXT_MAX);
    assert_int_equal(strlen(text), (size_t)n);
    assert_int_equal(strspn(text, ALPHABET), (size_t)n); /* URL-safe, no padding */
    assert_int_equal(decode(c, text, (size_t)n, back), (int)key_len);
    assert_memory_equal(back, key, key_len);
    assert_int_equal(back[key_len], '\0');
}

static void test_cursor_keys_of_every_shape_round_trip(void **state)
{
    (void)state;
    cursor_ctx_t c = ctx("9:/v1/offers|6:status=6:active");
    const char *keys[] = {"1", "50", "9223372036854775807", "1764028800123456:0123456789abcdef0123456789abcdef", ""};
    for (size_t i = 0; i < N_ELEMS(keys); i++)
        round_trip(&c, keys[i], strlen(keys[i]));
    /* a report group: 255 four-byte characters of sub1 and a separator */
    char group[4 * 255 + 4];
    for (int i = 0; i < 255; i++)
        memcpy(group + 4 * i, "\xf0\x9f\x98\x80", 4);
    memcpy(group + 4 * 255, "|42", 4);
    round_trip(&c, group, strlen(group));
    /* the longest key, with every byte value */
    char longest[CURSOR_KEY_MAX];
    for (size_t i = 0; i < sizeof longest; i++)
        longest[i] = (char)(i * 7);
    round_trip(&c, longest, sizeof longest);
}

static void test_cursor_longer_key_cannot_be_encoded(void **state)
{
    (void)state;
    cursor_ctx_t c = ctx("x");
    static char key[CURSOR_KEY_MAX + 1];
    memset(key, 'a', sizeof key);
    char text[CURSOR_TEXT_MAX + 1];
    assert_int_equal(cursor_encode(&c, key, sizeof key, text), -1);
}

static void test_cursor_is_refused_by_another_scope_or_secret(void **state)
{
    (void)state;
    const char *scopes[] = {
        "9:/v1/offers",
        "9:/v1/offers|6:status=6:active",
        "9:/v1/offers|6:status=6:paused",
        "11:/v1/hits",
        "19:/v1/offers/1/urls",
        "19:/v1/offers/2/urls",
        "",
        /* a scope longer than the MAC's stack buffer */
        "9:/v1/"
        "offers|1:q=600:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "9:/v1/"
        "offers|1:q=600:"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxy",
    };
    for (size_t i = 0; i < N_ELEMS(scopes); i++) {
        cursor_ctx_t a = ctx(scopes[i]);
        char text[CURSOR_TEXT_MAX + 1], key[CURSOR_KEY_MAX + 1];
        int n = cursor_encode(&a, "17", 2, text);
        assert_int_equal(decode(&a, text, (size_t)n, key), 2);
        for (size_t j = 0; j < N_ELEMS(scopes); j++) {
            cursor_ctx_t b = ctx(scopes[j]);
            int got = decode(&b, text, (size_t)n, key);
            if (i != j && got != -1)
                fail_msg("a cursor of scope %zu was accepted by scope %zu", i, j);
        }
        cursor_ctx_t other = a;
        other.secret = "another secret, also long enough for us";
        other.secret_len = strlen(other.secret);
        assert_int_equal(decode(&other, text, (size_t)n, key), -1);
    }
}

static void test_cursor_any_changed_character_or_bit_is_refused(void **state)
{
    (void)state;
    cursor_ctx_t c = ctx("9:/v1/offers");
    char text[CURSOR_TEXT_MAX + 1], key[CURSOR_KEY_MAX + 1];
    int n = cursor_encode(&c, "123456", 6, text);
    for (int i = 0; i < n; i++) {
        for (const char *a = ALPHABET; *a; a++) {
            if (*a == text[i])
                continue;
            char t[CURSOR_TEXT_MAX + 1];
            memcpy(t, text, (size_t)n + 1);
            t[i] = *a;
            if (decode(&c, t, (size_t)n, key) != -1)
                fail_msg("position %d changed to '%c' was accepted (key \"%s\")", i, *a, key);
        }
    }
    /* truncated or extended */
    for (int len = 0; len < n; len++)
        assert_int_equal(decode(&c, text, (size_t)len, key), -1);
    char longer[CURSOR_TEXT_MAX + 8];
    snprintf(longer, sizeof longer, "%sA", text);
    assert_int_equal(decode(&c, longer, strlen(longer), key), -1);
}

static void test_cursor_refuses_strings_we_did_not_make(void **state)
{
    (void)state;
    cursor_ctx_t c = ctx("9:/v1/offers");
    char key[CURSOR_KEY_MAX + 1];
    /* the unsigned formats of earlier versions, and plain texts without a valid MAC */
    const char *plains[] = {"k1:1", "k2:1764028800123456:0123456789abcdef0123456789abcdef", "c1", "c1123456789012",
                            "c1\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                            "5"};
    size_t lens[] = {4, 52, 2, 14, 15};
    for (size_t i = 0; i < N_ELEMS(plains); i++) {
        char t[256];
        b64url(plains[i], lens[i], t);
        if (decode(&c, t, strlen(t), key) != -1)
            fail_msg("plain text %zu accepted", i);
    }
    const char *garbage[] = {"", "a", "!!!!", "azE6MQ==", "azE6MQ=", " azE6MQ", "azE6M Q", "YzE\n"};
    for (size_t i = 0; i < N_ELEMS(garbage); i++)
        assert_int_equal(decode(&c, garbage[i], strlen(garbage[i]), key), -1);
    /* a valid cursor spelled with non-zero spare bits in its last character is not ours */
    char text[CURSOR_TEXT_MAX + 1];
    int n = cursor_encode(&c, "12", 2, text); /* 16 bytes: 22 characters, 4 spare bits */
    const char *pos = strchr(ALPHABET, text[n - 1]);
    text[n - 1] = ALPHABET[(pos - ALPHABET) | 1];
    assert_int_equal(decode(&c, text, (size_t)n, key), -1);
    /* longer than any cursor */
    static char huge[CURSOR_TEXT_MAX + 5];
    memset(huge, 'A', sizeof huge);
    assert_int_equal(decode(&c, huge, sizeof huge, key), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursor_keys_of_every_shape_round_trip),
        cmocka_unit_test(test_cursor_longer_key_cannot_be_encoded),
        cmocka_unit_test(test_cursor_is_refused_by_another_scope_or_secret),
        cmocka_unit_test(test_cursor_any_changed_character_or_bit_is_refused),
        cmocka_unit_test(test_cursor_refuses_strings_we_did_not_make),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
