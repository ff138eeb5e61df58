/*
 * signed_url.c — signing and strict verification of key-less download URLs (see signed_url.h).
 */
#include "util/signed_url.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/b64url.h"
#include "util/hmac.h"
#include "util/text.h"

#define VERSION 1
#define SIG_TEXT_LEN 22 /* base64url of SIGNED_URL_MAC_LEN bytes, unpadded */

static const char DOMAIN[] = "trackgen-signed-url"; /* with its NUL: apart from every other MAC of the secret */

/* The message being encoded: a fixed buffer (on the stack), and whether everything fitted. */
typedef struct {
    unsigned char b[SIGNED_URL_MSG_MAX];
    size_t len;
    bool overflow;
} msg_t;

static void put(msg_t *m, const void *p, size_t n)
{
    if (n > sizeof m->b - m->len) {
        m->overflow = true;
        return;
    }
    if (n)
        memcpy(m->b + m->len, p, n);
    m->len += n;
}

static void put_be(msg_t *m, uint64_t v, size_t width)
{
    unsigned char b[8];
    for (size_t i = 0; i < width; i++)
        b[i] = (unsigned char)(v >> (8 * (width - 1 - i)));
    put(m, b, width);
}

/* A length, then the bytes. Lengths never reach 2^32 (the buffer is smaller), so 4 bytes are exact. */
static void put_bytes(msg_t *m, const void *p, size_t n)
{
    if (n > SIGNED_URL_MSG_MAX) {
        m->overflow = true;
        return;
    }
    put_be(m, n, 4);
    put(m, p, n);
}

static bool is_reserved(const char *name)
{
    return strcmp(name, "p") == 0 || strcmp(name, "exp") == 0 || strcmp(name, "sig") == 0;
}

/* Sorts the parameters by name (strcmp: bytes, unsigned) in place; false if a name is empty or
 * repeats. n is at most SIGNED_URL_MAX_PARAMS, so insertion sort is plenty. */
static bool sort_unique(const signed_url_param_t **ps, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const signed_url_param_t *x = ps[i];
        size_t j = i;
        while (j > 0 && strcmp(ps[j - 1]->name, x->name) > 0) {
            ps[j] = ps[j - 1];
            j--;
        }
        ps[j] = x;
    }
    for (size_t i = 0; i < n; i++)
        if (ps[i]->name[0] == '\0' || (i > 0 && strcmp(ps[i - 1]->name, ps[i]->name) == 0))
            return false;
    return true;
}

/* The MAC of the canonical message (see signed_url.h); false if the parameters are not a set of
 * distinct non-empty names or the message would exceed SIGNED_URL_MSG_MAX. Sorts ps. */
static bool mac(const char *secret, size_t secret_len, int64_t partner_id, int64_t expires, const char *path,
                size_t path_len, const signed_url_param_t **ps, size_t n, unsigned char out[SIGNED_URL_MAC_LEN])
{
    if (!sort_unique(ps, n))
        return false;
    msg_t m;
    m.len = 0;
    m.overflow = false;
    put(&m, DOMAIN, sizeof DOMAIN);
    put_be(&m, VERSION, 1);
    put_be(&m, (uint64_t)partner_id, 8);
    put_be(&m, (uint64_t)expires, 8);
    put_bytes(&m, path, path_len);
    put_be(&m, n, 4);
    for (size_t i = 0; i < n; i++) {
        put_bytes(&m, ps[i]->name, strlen(ps[i]->name));
        put_bytes(&m, ps[i]->value, ps[i]->value_len);
    }
    if (m.overflow)
        return false;
    unsigned char full[HMAC_SHA256_LEN];
    hmac_sha256(secret, secret_len, m.b, m.len, full);
    memcpy(out, full, SIGNED_URL_MAC_LEN);
    return true;
}

int signed_url_sign(const char *secret, size_t secret_len, const signed_url_claims_t *c, char *out)
{
    if (c->partner_id < 0 || c->expires < 1 || c->expires > SIGNED_URL_EXPIRES_MAX ||
        c->nparams > SIGNED_URL_MAX_PARAMS)
        return -1;
    const signed_url_param_t *ps[SIGNED_URL_MAX_PARAMS];
    for (size_t i = 0; i < c->nparams; i++) {
        if (!c->params[i].name || is_reserved(c->params[i].name))
            return -1;
        ps[i] = &c->params[i];
    }
    unsigned char md[SIGNED_URL_MAC_LEN];
    if (!mac(secret, secret_len, c->partner_id, c->expires, c->path, c->path_len, ps, c->nparams, md))
        return -1;
    char sig[4 * ((SIGNED_URL_MAC_LEN + 2) / 3) + 1];
    b64url_encode(md, sizeof md, sig);
    int n =
        snprintf(out, SIGNED_URL_SUFFIX_MAX, "p=%" PRId64 "&exp=%" PRId64 "&sig=%s", c->partner_id, c->expires, sig);
    return n > 0 && n < SIGNED_URL_SUFFIX_MAX ? n : -1;
}

signed_url_status_t signed_url_verify(const char *secret, size_t secret_len, const char *path, size_t path_len,
                                      const signed_url_param_t *query, size_t n, int64_t now, int64_t *partner_id,
                                      int64_t *expires)
{
    const signed_url_param_t *p = NULL, *e = NULL, *s = NULL;
    const signed_url_param_t *res[SIGNED_URL_MAX_PARAMS];
    size_t nres = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = query[i].name;
        if (!name)
            return SIGNED_URL_TAMPERED;
        const signed_url_param_t **slot = strcmp(name, "p") == 0     ? &p
                                          : strcmp(name, "exp") == 0 ? &e
                                          : strcmp(name, "sig") == 0 ? &s
                                                                     : NULL;
        if (slot) {
            if (*slot) /* given twice: which one was signed? */
                return SIGNED_URL_TAMPERED;
            *slot = &query[i];
        } else if (nres == SIGNED_URL_MAX_PARAMS) {
            return SIGNED_URL_TAMPERED;
        } else {
            res[nres++] = &query[i];
        }
    }
    int64_t pid, exp;
    unsigned char got[SIGNED_URL_MAC_LEN];
    if (!p || !e || !s || !text_parse_decimal(p->value, p->value_len, INT64_MAX, &pid) ||
        !text_parse_decimal(e->value, e->value_len, SIGNED_URL_EXPIRES_MAX, &exp) || exp < 1 ||
        s->value_len != SIG_TEXT_LEN || b64url_decode(s->value, s->value_len, got, sizeof got) != SIGNED_URL_MAC_LEN)
        return SIGNED_URL_TAMPERED;
    unsigned char want[SIGNED_URL_MAC_LEN];
    if (!mac(secret, secret_len, pid, exp, path, path_len, res, nres, want) ||
        CRYPTO_memcmp(want, got, SIGNED_URL_MAC_LEN) != 0)
        return SIGNED_URL_TAMPERED;
    /* From here on the URL is ours, exactly as issued. */
    if (now >= exp)
        return SIGNED_URL_EXPIRED;
    if ((uint64_t)exp - (uint64_t)now > SIGNED_URL_TTL_MAX + SIGNED_URL_CLOCK_SKEW)
        return SIGNED_URL_TAMPERED; /* further ahead than any TTL we issue: not a URL to honour */
    if (partner_id)
        *partner_id = pid;
    if (expires)
        *expires = exp;
    return SIGNED_URL_VALID;
}
