/*
 * token.h — the signed token inside every tracking link (/c/{token}, /i/{token}, /qr/{token}).
 *
 * A token names (partner, offer, offer URL) and cannot be forged or altered: it is
 * version byte 1 | varint partner_id | varint offer_id | varint offer_url_id (0 = the offer's own
 * destination) | the first 10 bytes (80 bits) of HMAC-SHA256(secret, "trackgen-link\0" | those bytes),
 * in URL-safe base64 without padding — at most 32 characters, usually about 24. The same inputs
 * always give the same token, so generating links writes nothing, and verifying one needs no
 * database. Any changed character makes verification fail.
 */
#ifndef TRACKGEN_TOKEN_H
#define TRACKGEN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_MAX_LEN 32

typedef struct {
    int64_t partner_id;   /* >= 1 */
    int64_t offer_id;     /* >= 1 */
    int64_t offer_url_id; /* >= 0; 0 = the offer's own destination URL */
} token_claims_t;

/* Writes the token and a NUL into out (size >= TOKEN_MAX_LEN + 1). Returns its length, or -1 if
 * the ids are out of range (the encoding then cannot fit in TOKEN_MAX_LEN). */
int token_sign(const token_claims_t *c, const unsigned char *secret, size_t secret_len, char *out);
/* Verifies a presented token (length len); fills c and returns true only if it is intact. */
bool token_verify(const char *s, size_t len, const unsigned char *secret, size_t secret_len, token_claims_t *c);

#endif
