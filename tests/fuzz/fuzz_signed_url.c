/*
 * fuzz_signed_url.c — libFuzzer harness for signed download URLs (src/util/signed_url.c).
 *
 * Input: one byte choosing the clock (FUZZ_NOW + (byte - 128) minutes), then "path?query" as a
 * request would bring them; the query goes through the real parser (http/query.c). Checks:
 *  - whatever verifies (valid or expired) is exactly what sign produces for the claims it carries:
 *    the same p, exp and sig texts, byte for byte (one spelling per URL), and valid/expired agrees
 *    with the clock;
 *  - the resource parameters of any input, signed afresh, verify with their partner and expiry,
 *    are expired at the expiry, and are tampered with one value, the path or the partner changed,
 *    or with the same partner, expiry or signature spelled another way.
 * The seeds in corpus/signed_url/ are URLs signed with SECRET for FUZZ_NOW (tests/fuzz/run.sh).
 */
#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/query.h"
#include "util/signed_url.h"

static const char SECRET[] = "fuzzing-secret-0123456789abcdef0123";
#define FUZZ_NOW INT64_C(1764028800)

static bool reserved(const char *name)
{
    return strcmp(name, "p") == 0 || strcmp(name, "exp") == 0 || strcmp(name, "sig") == 0;
}

static signed_url_status_t verify(const char *path, size_t path_len, const signed_url_param_t *q, size_t n, int64_t now,
                                  int64_t *pid, int64_t *exp)
{
    return signed_url_verify(SECRET, sizeof SECRET - 1, path, path_len, q, n, now, pid, exp);
}

/* A URL that verified (valid or expired): signing its claims again gives the same texts. */
static void check_is_what_sign_made(const char *path, size_t path_len, const query_t *q, signed_url_status_t st,
                                    int64_t now, int64_t pid_out, int64_t exp_out)
{
    signed_url_param_t res[QUERY_MAX_PARAMS];
    size_t nres = 0;
    for (int i = 0; i < q->n; i++)
        if (!reserved(q->params[i].name))
            res[nres++] = (signed_url_param_t){q->params[i].name, q->params[i].value, q->params[i].value_len};
    const char *p = query_get(q, "p", NULL), *e = query_get(q, "exp", NULL), *s = query_get(q, "sig", NULL);
    assert(p && e && s);
    int64_t pid = strtoll(p, NULL, 10), exp = strtoll(e, NULL, 10);
    if (st == SIGNED_URL_VALID)
        assert(pid == pid_out && exp == exp_out && now < exp);
    else
        assert(now >= exp);
    signed_url_claims_t c = {pid, path, path_len, res, nres, exp};
    char suffix[SIGNED_URL_SUFFIX_MAX], want[SIGNED_URL_SUFFIX_MAX + 64];
    assert(signed_url_sign(SECRET, sizeof SECRET - 1, &c, suffix) > 0);
    snprintf(want, sizeof want, "p=%s&exp=%s&sig=%s", p, e, s);
    assert(strcmp(suffix, want) == 0);
}

/* The input's resource parameters signed afresh: they verify, expire, and break when changed. */
static void check_round_trip(arena_t *a, const char *path, size_t path_len, const query_t *q, int64_t now,
                             int64_t partner)
{
    signed_url_param_t ps[QUERY_MAX_PARAMS + 3];
    size_t n = 0;
    for (int i = 0; i < q->n; i++)
        if (!reserved(q->params[i].name))
            ps[n++] = (signed_url_param_t){q->params[i].name, q->params[i].value, q->params[i].value_len};
    int64_t exp = now + 600;
    signed_url_claims_t c = {partner, path, path_len, ps, n, exp};
    char suffix[SIGNED_URL_SUFFIX_MAX];
    if (signed_url_sign(SECRET, sizeof SECRET - 1, &c, suffix) < 0)
        return; /* repeated names, too many or too long: nothing to serve */
    size_t nres = n;
    char *save, *pair = strtok_r(suffix, "&", &save);
    for (; pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        *eq = '\0';
        ps[n++] = (signed_url_param_t){pair, eq + 1, strlen(eq + 1)};
    }
    assert(n == nres + 3);
    int64_t pid = -1, got_exp = -1;
    assert(verify(path, path_len, ps, n, now, &pid, &got_exp) == SIGNED_URL_VALID);
    assert(pid == partner && got_exp == exp);
    assert(verify(path, path_len, ps, n, exp, NULL, NULL) == SIGNED_URL_EXPIRED);
    /* the path one byte longer */
    char *longer = arena_alloc(a, path_len + 1);
    memcpy(longer, path, path_len);
    longer[path_len] = 'x';
    assert(verify(longer, path_len + 1, ps, n, now, NULL, NULL) == SIGNED_URL_TAMPERED);
    /* the first resource value one byte longer */
    if (nres > 0) {
        signed_url_param_t keep = ps[0];
        char *v = arena_alloc(a, keep.value_len + 1);
        memcpy(v, keep.value, keep.value_len);
        v[keep.value_len] = 'x';
        ps[0].value = v;
        ps[0].value_len++;
        assert(verify(path, path_len, ps, n, now, NULL, NULL) == SIGNED_URL_TAMPERED);
        ps[0] = keep;
    }
    /* another partner's number, or the same partner or expiry spelled with a leading zero */
    for (size_t k = nres; k < nres + 2; k++) {
        signed_url_param_t keep = ps[k];
        char other[32];
        snprintf(other, sizeof other, k == nres ? "%" PRId64 : "0%" PRId64, k == nres ? partner + 1 : exp);
        ps[k].value = other;
        ps[k].value_len = strlen(other);
        assert(verify(path, path_len, ps, n, now, NULL, NULL) == SIGNED_URL_TAMPERED);
        snprintf(other, sizeof other, "0%.*s", (int)keep.value_len, keep.value);
        ps[k].value_len = strlen(other);
        assert(verify(path, path_len, ps, n, now, NULL, NULL) == SIGNED_URL_TAMPERED);
        ps[k] = keep;
    }
    /* the signature's last character with a spare bit flipped: the same bytes, spelled otherwise */
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char sig[32];
    memcpy(sig, ps[nres + 2].value, ps[nres + 2].value_len + 1);
    sig[21] = b64[(strchr(b64, sig[21]) - b64) ^ 1];
    ps[nres + 2].value = sig;
    assert(verify(path, path_len, ps, n, now, NULL, NULL) == SIGNED_URL_TAMPERED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int64_t now = FUZZ_NOW + ((int64_t)data[0] - 128) * 60;
    const char *path = (const char *)data + 1;
    const char *qmark = memchr(path, '?', size - 1);
    size_t path_len = qmark ? (size_t)(qmark - path) : size - 1;
    const char *qs = qmark ? qmark + 1 : NULL;
    size_t qs_len = qmark ? size - 1 - path_len - 1 : 0;

    arena_t *a = arena_create(4096);
    problem_t prob;
    problem_init(&prob, a);
    query_t q;
    if (query_parse(a, qs, qs_len, false, &q, &prob) == 0) {
        signed_url_param_t pairs[QUERY_MAX_PARAMS];
        for (int i = 0; i < q.n; i++)
            pairs[i] = (signed_url_param_t){q.params[i].name, q.params[i].value, q.params[i].value_len};
        int64_t pid = -1, exp = -1;
        signed_url_status_t st = verify(path, path_len, pairs, (size_t)q.n, now, &pid, &exp);
        if (st != SIGNED_URL_TAMPERED)
            check_is_what_sign_made(path, path_len, &q, st, now, pid, exp);
        else
            assert(pid == -1 && exp == -1); /* nothing is handed out for a refused URL */
        check_round_trip(a, path, path_len, &q, now, (int64_t)(size % 3 == 0 ? 0 : size));
    }
    arena_destroy(a);
    return 0;
}
