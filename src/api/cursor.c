/*
 * cursor.c — signing, encoding and strict decoding of pagination cursors (see cursor.h).
 */
#include "api/cursor.h"

#include <openssl/crypto.h>
#include <string.h>

#include "util/b64url.h"
#include "util/hmac.h"

#define VERSION "c1"
#define VERSION_LEN 2
#define SCOPE_PREFIX "cursor scope:"

/* The MAC of key within the context's scope: HMAC(HMAC(secret, prefix || scope), key). Nesting
 * keeps scope and key apart without copying them into one message. */
static void mac(const cursor_ctx_t *c, const void *key, size_t key_len, unsigned char out[HMAC_SHA256_LEN])
{
    unsigned char scope_key[HMAC_SHA256_LEN];
    unsigned char msg[sizeof SCOPE_PREFIX - 1 + 512];
    size_t pre = sizeof SCOPE_PREFIX - 1;
    if (c->scope_len <= sizeof msg - pre) {
        memcpy(msg, SCOPE_PREFIX, pre);
        memcpy(msg + pre, c->scope, c->scope_len);
        hmac_sha256(c->secret, c->secret_len, msg, pre + c->scope_len, scope_key);
    } else {
        /* a long scope: MAC its hash (domain-separated by the hash's own prefix) */
        unsigned char inner[HMAC_SHA256_LEN];
        hmac_sha256(SCOPE_PREFIX, pre, c->scope, c->scope_len, inner);
        hmac_sha256(c->secret, c->secret_len, inner, sizeof inner, scope_key);
    }
    hmac_sha256(scope_key, sizeof scope_key, key, key_len, out);
}

int cursor_encode(const cursor_ctx_t *c, const void *key, size_t key_len, char *out)
{
    if (key_len > CURSOR_KEY_MAX)
        return -1;
    unsigned char plain[VERSION_LEN + CURSOR_MAC_LEN + CURSOR_KEY_MAX];
    unsigned char md[HMAC_SHA256_LEN];
    mac(c, key, key_len, md);
    memcpy(plain, VERSION, VERSION_LEN);
    memcpy(plain + VERSION_LEN, md, CURSOR_MAC_LEN);
    memcpy(plain + VERSION_LEN + CURSOR_MAC_LEN, key, key_len);
    return (int)b64url_encode(plain, VERSION_LEN + CURSOR_MAC_LEN + key_len, out);
}

int cursor_decode(const cursor_ctx_t *c, const char *s, size_t len, char *key)
{
    unsigned char plain[VERSION_LEN + CURSOR_MAC_LEN + CURSOR_KEY_MAX];
    if (len == 0 || len > CURSOR_TEXT_MAX)
        return -1;
    int n = b64url_decode(s, len, plain, sizeof plain); /* strict: one spelling per cursor */
    if (n < VERSION_LEN + CURSOR_MAC_LEN || memcmp(plain, VERSION, VERSION_LEN) != 0)
        return -1;
    size_t key_len = (size_t)n - VERSION_LEN - CURSOR_MAC_LEN;
    const unsigned char *k = plain + VERSION_LEN + CURSOR_MAC_LEN;
    unsigned char md[HMAC_SHA256_LEN];
    mac(c, k, key_len, md);
    if (CRYPTO_memcmp(md, plain + VERSION_LEN, CURSOR_MAC_LEN) != 0)
        return -1;
    memcpy(key, k, key_len);
    key[key_len] = '\0';
    return (int)key_len;
}
