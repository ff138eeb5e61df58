/*
 * hmac.c — HMAC-SHA256 with a keyed context kept per thread (see hmac.h).
 */
#include "util/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 256 /* longer keys are hashed by HMAC anyway; they just skip the cache */

/* One per thread, owned by the thread-specific key below: freed by free_state at thread exit. */
typedef struct {
    EVP_MAC_CTX *ctx;
    size_t key_len;
    unsigned char key[KEY_MAX];
} hmac_state_t;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t state_key;
static EVP_MAC *mac_alg; /* fetched once, lives for the process */

static void free_state(void *p)
{
    hmac_state_t *st = p;
    EVP_MAC_CTX_free(st->ctx);
    OPENSSL_cleanse(st->key, sizeof st->key);
    free(st);
}

static void init_once(void)
{
    mac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!mac_alg || pthread_key_create(&state_key, free_state) != 0)
        abort();
}

static void keyed_init(EVP_MAC_CTX *ctx, const void *key, size_t key_len)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (!EVP_MAC_init(ctx, key, key_len, params))
        abort();
}

void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len, unsigned char out[HMAC_SHA256_LEN])
{
    pthread_once(&once, init_once);
    hmac_state_t *st = pthread_getspecific(state_key);
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st || !(st->ctx = EVP_MAC_CTX_new(mac_alg)) || pthread_setspecific(state_key, st) != 0)
            abort();
        st->key_len = SIZE_MAX; /* nothing keyed yet */
    }
    if (key_len <= KEY_MAX && key_len == st->key_len && CRYPTO_memcmp(key, st->key, key_len) == 0) {
        if (!EVP_MAC_init(st->ctx, NULL, 0, NULL)) /* same key: restart with the expanded key */
            abort();
    } else {
        keyed_init(st->ctx, key, key_len);
        st->key_len = key_len <= KEY_MAX ? key_len : SIZE_MAX;
        if (key_len <= KEY_MAX)
            memcpy(st->key, key, key_len);
    }
    size_t n = 0;
    if (!EVP_MAC_update(st->ctx, msg, msg_len) || !EVP_MAC_final(st->ctx, out, &n, HMAC_SHA256_LEN) ||
        n != HMAC_SHA256_LEN)
        abort();
}
