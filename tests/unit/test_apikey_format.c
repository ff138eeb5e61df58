/*
 * test_apikey_format.c — API key shape, parsing and hashing (src/api/apikey_format.c).
 */
#include "test_util.h"

#include "api/apikey_format.h"

static void test_apikey_generated_keys_are_distinct_and_well_formed(void **state)
{
    (void)state;
    apikey_t a, b, parsed;
    apikey_generate(&a);
    apikey_generate(&b);
    assert_string_not_equal(a.key, b.key);
    assert_int_equal(strlen(a.key), APIKEY_LEN);
    assert_memory_equal(a.key, "tg_", 3);
    assert_int_equal(a.key[15], '_');
    assert_memory_equal(a.prefix, a.key, APIKEY_PREFIX_LEN);
    assert_int_equal(strlen(a.prefix), APIKEY_PREFIX_LEN);
    assert_true(apikey_parse(a.key, APIKEY_LEN, &parsed));
    assert_string_equal(parsed.hash_hex, a.hash_hex);
    assert_true(apikey_hash_matches(&parsed, a.hash_hex, 64));
    assert_false(apikey_hash_matches(&parsed, b.hash_hex, 64));
    assert_false(apikey_hash_matches(&parsed, a.hash_hex, 63));
}

static void test_apikey_hash_is_sha256_of_the_key(void **state)
{
    (void)state;
    /* printf %s tg_0123456789ab_0000…0000 | sha256sum */
    const char *key = "tg_0123456789ab_0000000000000000000000000000000000000000000000000000000000000000";
    apikey_t k;
    assert_true(apikey_parse(key, strlen(key), &k));
    assert_string_equal(k.prefix, "tg_0123456789ab");
    assert_string_equal(k.hash_hex, "4ad27569c18f5dbaae7b83a607ff93dd895ab3b796b1e25699e318056fd0eda4");
}

static void test_apikey_parse_rejects_malformed_keys(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "tg_0123456789ab_000000000000000000000000000000000000000000000000000000000000000",   /* 79 */
        "tg_0123456789ab_00000000000000000000000000000000000000000000000000000000000000000", /* 81 */
        "tx_0123456789ab_0000000000000000000000000000000000000000000000000000000000000000",
        "tg_0123456789AB_0000000000000000000000000000000000000000000000000000000000000000",
        "tg_0123456789ab-0000000000000000000000000000000000000000000000000000000000000000",
        "tg_0123456789ab_000000000000000000000000000000000000000000000000000000000000000g",
        "Bearer tg_0123456789ab_00000000000000000000000000000000000000000000000000000000000",
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        apikey_t k;
        assert_false(apikey_parse(bad[i], strlen(bad[i]), &k));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apikey_generated_keys_are_distinct_and_well_formed),
        cmocka_unit_test(test_apikey_hash_is_sha256_of_the_key),
        cmocka_unit_test(test_apikey_parse_rejects_malformed_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
