/*
 * apikey_format.c — API key generation, parsing and hashing (see apikey_format.h).
 */
#include "api/apikey_format.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

#include "util/rand.h"
#include "util/text.h"

static bool is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static void hash_key(apikey_t *k)
{
    SHA256((const unsigned char *)k->key, APIKEY_LEN, k->hash);
    text_hex(k->hash, APIKEY_HASH_LEN, k->hash_hex);
}

void apikey_generate(apikey_t *k)
{
    char id[13], secret[65];
    rand_hex(id, 6);
    rand_hex(secret, 32);
    memcpy(k->key, "tg_", 3);
    memcpy(k->key + 3, id, 12);
    k->key[15] = '_';
    memcpy(k->key + 16, secret, 64);
    k->key[APIKEY_LEN] = '\0';
    memcpy(k->prefix, k->key, APIKEY_PREFIX_LEN);
    k->prefix[APIKEY_PREFIX_LEN] = '\0';
    hash_key(k);
}

bool apikey_parse(const char *s, size_t len, apikey_t *k)
{
    if (len != APIKEY_LEN || memcmp(s, "tg_", 3) != 0 || s[15] != '_' || !is_lower_hex(s + 3, 12) ||
        !is_lower_hex(s + 16, 64))
        return false;
    memcpy(k->key, s, APIKEY_LEN);
    k->key[APIKEY_LEN] = '\0';
    memcpy(k->prefix, s, APIKEY_PREFIX_LEN);
    k->prefix[APIKEY_PREFIX_LEN] = '\0';
    hash_key(k);
    return true;
}

bool apikey_hash_matches(const apikey_t *k, const char *stored_hex, size_t len)
{
    return len == 2 * APIKEY_HASH_LEN && CRYPTO_memcmp(k->hash_hex, stored_hex, len) == 0;
}
