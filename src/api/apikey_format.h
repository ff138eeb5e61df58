/*
 * apikey_format.h — the shape of API keys: generation, parsing and hashing. Pure (no database).
 *
 * A key is `tg_<12 hex>_<64 hex>`. Its first 15 characters (`tg_<12 hex>`) are the prefix: stored
 * in clear, unique, used to find the key's row and to identify it in lists and logs. Only the
 * SHA-256 of the whole key is stored; the secret part has 256 bits of entropy, so a fast hash is
 * the right tool (no password stretching needed) and the comparison is constant-time.
 */
#ifndef TRACKGEN_APIKEY_FORMAT_H
#define TRACKGEN_APIKEY_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#define APIKEY_LEN 80
#define APIKEY_PREFIX_LEN 15
#define APIKEY_HASH_LEN 32

typedef struct {
    char key[APIKEY_LEN + 1];
    char prefix[APIKEY_PREFIX_LEN + 1];
    unsigned char hash[APIKEY_HASH_LEN];
    char hash_hex[2 * APIKEY_HASH_LEN + 1]; /* as stored: encode(key_hash, 'hex') */
} apikey_t;

/* Makes a new random key with its prefix and hash. */
void apikey_generate(apikey_t *k);
/* Checks the format of a presented key (length len) and fills prefix and hash. Returns false
 * if it cannot be one of ours. */
bool apikey_parse(const char *s, size_t len, apikey_t *k);
/* Constant-time comparison of k's hash with a stored hash in hex (64 chars). */
bool apikey_hash_matches(const apikey_t *k, const char *stored_hex, size_t len);

#endif
