/*
 * test_apikey_format.c — API key shape, parsing and hashing (src/api/apikey_format.c): generated
 * keys are distinct and shaped tg_<12 hex>_<64 hex>, parse accepts our keys and refuses any
 * other shape, the prefix is the first 15 characters, hash_hex is the SHA-256 of the key, and
 * apikey_hash_matches compares whole 64-character hashes only.
 */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/apikey_format.h"
#include "test_util.h"

#define ZERO_KEY "tg_0123456789ab_0000000000000000000000000000000000000000000000000000000000000000"
#define MIXED_KEY "tg_a1b2c3d4e5f6_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static bool all_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdef", s[i]) || s[i] == '\0')
            return false;
    return true;
}

static void assert_key_shape(const apikey_t *k)
{
    assert_int_equal(strlen(k->key), APIKEY_LEN);
    assert_memory_equal(k->key, "tg_", 3);
    assert_true(all_lower_hex(k->key + 3, 12));
    assert_int_equal(k->key[15], '_');
    assert_true(all_lower_hex(k->key + 16, 64));
    assert_int_equal(strlen(k->prefix), APIKEY_PREFIX_LEN);
    assert_memory_equal(k->prefix, k->key, APIKEY_PREFIX_LEN);
    assert_int_equal(strlen(k->hash_hex), 64);
    assert_true(all_lower_hex(k->hash_hex, 64));
}

/* SHA-256 of the key computed here, independently, as lowercase hex. */
static void sha256_hex(const char *s, size_t n, char out[65])
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)s, n, d);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_apikey_generated_keys_are_distinct_and_well_formed(void **state)
{
    (void)state;
    enum { N = 64 };
    static apikey_t keys[N];
    for (int i = 0; i < N; i++) {
        apikey_generate(&keys[i]);
        assert_key_shape(&keys[i]);
        char want[65];
        sha256_hex(keys[i].key, APIKEY_LEN, want);
        assert_string_equal(keys[i].hash_hex, want);
        for (int k = 0; k < APIKEY_HASH_LEN; k++) {
            char two[3];
            snprintf(two, sizeof two, "%02x", keys[i].hash[k]);
            assert_memory_equal(keys[i].hash_hex + 2 * k, two, 2); /* hash and hash_hex agree */
        }
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(keys[i].key, keys[j].key);
            assert_string_not_equal(keys[i].prefix, keys[j].prefix); /* 48 random bits each */
            assert_string_not_equal(keys[i].key + 16, keys[j].key + 16);
        }
    }
}

static void test_apikey_parse_accepts_our_own_keys(void **state)
{
    (void)state;
    for (int i = 0; i < 32; i++) {
        apikey_t made, parsed;
        apikey_generate(&made);
        memset(&parsed, 0x5a, sizeof parsed);
        assert_true(apikey_parse(made.key, APIKEY_LEN, &parsed));
        assert_string_equal(parsed.key, made.key);
        assert_string_equal(parsed.prefix, made.prefix);
        assert_memory_equal(parsed.hash, made.hash, APIKEY_HASH_LEN);
        assert_string_equal(parsed.hash_hex, made.hash_hex);
    }
}

/* Known vectors: printf %s KEY | sha256sum */
static void test_apikey_hash_hex_is_sha256_of_the_whole_key(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        const char *prefix;
        const char *sha256;
    } cases[] = {
        {ZERO_KEY, "tg_0123456789ab", "4ad27569c18f5dbaae7b83a607ff93dd895ab3b796b1e25699e318056fd0eda4"},
        {MIXED_KEY, "tg_a1b2c3d4e5f6", "810beb6086981ba55cd683d4f5d4a26ac4be35481af6381ddb91b1bd207efb74"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        apikey_t k;
        assert_true(apikey_parse(cases[i].key, strlen(cases[i].key), &k));
        assert_key_shape(&k);
        assert_string_equal(k.prefix, cases[i].prefix);
        assert_string_equal(k.hash_hex, cases[i].sha256);
        assert_true(apikey_hash_matches(&k, cases[i].sha256, 64));
    }
}

/* The key is a slice: a header value with more bytes after the key is parsed by length. */
static void test_apikey_parse_reads_only_the_slice(void **state)
{
    (void)state;
    char *exact = malloc(APIKEY_LEN); /* no NUL after the key */
    memcpy(exact, ZERO_KEY, APIKEY_LEN);
    apikey_t k;
    assert_true(apikey_parse(exact, APIKEY_LEN, &k));
    assert_string_equal(k.key, ZERO_KEY);
    free(exact);
    const char longer[] = ZERO_KEY "ff trailing";
    assert_true(apikey_parse(longer, APIKEY_LEN, &k));
    assert_string_equal(k.key, ZERO_KEY);
    assert_false(apikey_parse(longer, APIKEY_LEN + 2, &k));
}

static void test_apikey_parse_refuses_malformed_keys(void **state)
{
    (void)state;
    static const struct {
        size_t pos; /* where to change ZERO_KEY */
        char c;     /* to what */
        const char *what;
    } edits[] = {
        {0, 'T', "uppercase prefix"},
        {1, 'G', "uppercase prefix"},
        {0, 'x', "wrong prefix"},
        {2, '-', "prefix without underscore"},
        {3, 'A', "uppercase hex in the id"},
        {14, 'B', "uppercase hex in the id"},
        {5, 'g', "non-hex in the id"},
        {15, '-', "hyphen instead of the second underscore"},
        {15, '0', "hex instead of the second underscore"},
        {15, ' ', "space instead of the second underscore"},
        {16, 'F', "uppercase hex in the secret"},
        {79, 'A', "uppercase hex at the end"},
        {40, 'z', "non-hex in the secret"},
        {79, '_', "underscore in the secret"},
        {50, '\0', "NUL inside"},
        {60, '\n', "newline inside"},
        {20, '\xc3', "non-ASCII inside"},
    };
    for (size_t i = 0; i < N_ELEMS(edits); i++) {
        char key[APIKEY_LEN + 1];
        memcpy(key, ZERO_KEY, sizeof key);
        key[edits[i].pos] = edits[i].c;
        apikey_t k;
        if (apikey_parse(key, APIKEY_LEN, &k))
            fail_msg("accepted a key with %s (position %zu)", edits[i].what, edits[i].pos);
    }
    static const char *const whole[] = {
        "",
        "tg_",
        "tg_0123456789ab",
        "tg_0123456789ab_",
        "tg_0123456789ab_000000000000000000000000000000000000000000000000000000000000000",   /* 79 */
        "tg_0123456789ab_00000000000000000000000000000000000000000000000000000000000000000", /* 81 */
        "tg_0123456789a_00000000000000000000000000000000000000000000000000000000000000000",  /* id 11 */
        "tg_0123456789abc0000000000000000000000000000000000000000000000000000000000000000",  /* no '_' */
        "Bearer tg_0123456789ab_00000000000000000000000000000000000000000000000000000000000",
        " tg_0123456789ab_000000000000000000000000000000000000000000000000000000000000000",
        "tg_0123456789ab_000000000000000000000000000000000000000000000000000000000000000 ",
    };
    for (size_t i = 0; i < N_ELEMS(whole); i++) {
        apikey_t k;
        if (apikey_parse(whole[i], strlen(whole[i]), &k))
            fail_msg("accepted \"%s\"", whole[i]);
    }
}

static void test_apikey_hash_matches_only_the_whole_right_hash(void **state)
{
    (void)state;
    apikey_t a, b;
    apikey_generate(&a);
    apikey_generate(&b);
    assert_true(apikey_hash_matches(&a, a.hash_hex, 64));
    assert_false(apikey_hash_matches(&a, b.hash_hex, 64));
    char stored[80];
    static const size_t lens[] = {0, 1, 32, 63, 65, 128};
    for (size_t i = 0; i < N_ELEMS(lens); i++) {
        memset(stored, 'x', sizeof stored);
        memcpy(stored, a.hash_hex, 64); /* right prefix, wrong length */
        if (apikey_hash_matches(&a, stored, lens[i]))
            fail_msg("matched with length %zu", lens[i]);
    }
    for (size_t pos = 0; pos < 64; pos += 9) { /* any one character off */
        memcpy(stored, a.hash_hex, 65);
        stored[pos] = stored[pos] == '0' ? '1' : '0';
        assert_false(apikey_hash_matches(&a, stored, 64));
    }
    memcpy(stored, a.hash_hex, 65);
    for (int i = 0; i < 64; i++)
        if (stored[i] >= 'a' && stored[i] <= 'f')
            stored[i] = (char)(stored[i] - 'a' + 'A');
    if (strcmp(stored, a.hash_hex) != 0) /* stored hashes are lowercase hex: uppercase is another string */
        assert_false(apikey_hash_matches(&a, stored, 64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apikey_generated_keys_are_distinct_and_well_formed),
        cmocka_unit_test(test_apikey_parse_accepts_our_own_keys),
        cmocka_unit_test(test_apikey_hash_hex_is_sha256_of_the_whole_key),
        cmocka_unit_test(test_apikey_parse_reads_only_the_slice),
        cmocka_unit_test(test_apikey_parse_refuses_malformed_keys),
        cmocka_unit_test(test_apikey_hash_matches_only_the_whole_right_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
