/*
 * token.c — signing and verifying tracking-link tokens (see token.h). Pure: no I/O.
 */
#include "track/token.h"

#include <openssl/crypto.h>
#include <string.h>

#include "util/b64url.h"
#include "util/hmac.h"

#define TOKEN_VERSION 1
#define MAC_LEN 10
#define MAX_PAYLOAD (1 + 3 * 9)
#define MAX_RAW (MAX_PAYLOAD + MAC_LEN)

static const char DOMAIN[] = "trackgen-link"; /* separates these MACs from any other use of the secret */

/* Unsigned LEB128; values < 2^63 need at most 9 bytes. */
static size_t varint_put(uint64_t v, unsigned char *p)
{
    size_t n = 0;
    do {
        unsigned char b = v & 0x7f;
        v >>= 7;
        p[n++] = b | (v ? 0x80 : 0);
    } while (v);
    return n;
}

/* Reads a minimal varint; returns bytes used or 0 if malformed. */
static size_t varint_get(const unsigned char *p, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < 9; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (i > 0 && p[i] == 0) /* non-minimal encoding: one value, one token */
                return 0;
            *out = v;
            return i + 1;
        }
    }
    return 0;
}

static void mac(const unsigned char *secret, size_t secret_len, const unsigned char *payload, size_t n,
                unsigned char out[MAC_LEN])
{
    unsigned char msg[sizeof DOMAIN + MAX_PAYLOAD];
    memcpy(msg, DOMAIN, sizeof DOMAIN); /* includes the NUL separator */
    memcpy(msg + sizeof DOMAIN, payload, n);
    unsigned char full[HMAC_SHA256_LEN];
    hmac_sha256(secret, secret_len, msg, sizeof DOMAIN + n, full);
    memcpy(out, full, MAC_LEN);
}

int token_sign(const token_claims_t *c, const unsigned char *secret, size_t secret_len, char *out)
{
    if (c->partner_id < 1 || c->offer_id < 1 || c->offer_url_id < 0)
        return -1;
    unsigned char raw[MAX_RAW];
    size_t n = 0;
    raw[n++] = TOKEN_VERSION;
    n += varint_put((uint64_t)c->partner_id, raw + n);
    n += varint_put((uint64_t)c->offer_id, raw + n);
    n += varint_put((uint64_t)c->offer_url_id, raw + n);
    mac(secret, secret_len, raw, n, raw + n);
    n += MAC_LEN;
    if ((n * 4 + 2) / 3 > TOKEN_MAX_LEN)
        return -1;
    char b64[4 * ((MAX_RAW + 2) / 3) + 1];
    size_t m = b64url_encode(raw, n, b64);
    memcpy(out, b64, m + 1);
    return (int)m;
}

bool token_verify(const char *s, size_t len, const unsigned char *secret, size_t secret_len, token_claims_t *c)
{
    if (len < 4 || len > TOKEN_MAX_LEN || len % 4 == 1)
        return false;
    unsigned char raw[(TOKEN_MAX_LEN + 4) / 4 * 3];
    int n = b64url_decode(s, len, raw, sizeof raw);
    if (n < 0)
        return false;
    size_t rawlen = (size_t)n;
    if (rawlen < 1 + 3 + MAC_LEN || raw[0] != TOKEN_VERSION)
        return false;
    /* One text per token: b64url_decode takes only the canonical spelling and varint_get only
     * minimal varints, so an intact MAC over these bytes means exactly the text we issued. */
    size_t payload_len = rawlen - MAC_LEN;
    uint64_t ids[3];
    size_t off = 1;
    for (int i = 0; i < 3; i++) {
        size_t used = varint_get(raw + off, payload_len - off, &ids[i]);
        if (!used || ids[i] > INT64_MAX)
            return false;
        off += used;
    }
    if (off != payload_len)
        return false;
    unsigned char expect[MAC_LEN];
    mac(secret, secret_len, raw, payload_len, expect);
    if (CRYPTO_memcmp(expect, raw + payload_len, MAC_LEN) != 0)
        return false;
    token_claims_t got = {(int64_t)ids[0], (int64_t)ids[1], (int64_t)ids[2]};
    if (got.partner_id < 1 || got.offer_id < 1)
        return false;
    *c = got;
    return true;
}
