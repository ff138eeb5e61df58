/*
 * hmac.h — HMAC-SHA256 for the hot path (tracking tokens, transaction ids).
 *
 * OpenSSL 3's one-shot HMAC() fetches the algorithm and expands the key on every call; here each
 * thread keeps one keyed context and only re-keys when the key changes, so a MAC costs about one
 * SHA-256 over the message. Thread-safe; the per-thread context is freed when its thread exits.
 */
#ifndef TRACKGEN_HMAC_H
#define TRACKGEN_HMAC_H

#include <stddef.h>

#define HMAC_SHA256_LEN 32

/* out receives the 32-byte MAC of msg under key. Aborts only if OpenSSL cannot allocate. */
void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len, unsigned char out[HMAC_SHA256_LEN]);

#endif
