/*
 * test_signed_url.c — signed download URLs (src/util/signed_url.c): round trips, the documented
 * MAC encoding, every single-character change refused, any parameter order accepted, added,
 * removed and repeated parameters refused, sets a naive encoding would confuse, the expiry
 * boundary and expired-vs-tampered precedence, the TTL cap, non-canonical spellings of the same
 * partner, expiry or signature, other secrets, and MACs of tokens and cursors.
 */
#include <inttypes.h>
#include <stdio.h>

#include "api/cursor.h"
#include "test_util.h"
#include "track/token.h"
#include "util/b64url.h"
#include "util/hmac.h"
#include "util/signed_url.h"

static const char SECRET[] = "test-secret-0123456789abcdef0123456789";
#define SECRET_LEN (sizeof SECRET - 1)
#define NOW INT64_C(1764028800)
#define EXP (NOW + 3600)
#define PATH "/v1/creatives/42/file"
#define P(n, v)                                                                                                        \
    {                                                                                                                  \
        n, v, sizeof v - 1                                                                                             \
    }

static const signed_url_param_t BASE[] = {P("offer_id", "3"), P("ids", "1,2")};

/* A URL as the server will see it: its path and its query pairs, each in its own storage so a
 * test can edit any character. */
#define MAXQ 40
typedef struct {
    char path[SIGNED_URL_MSG_MAX + 16];
    size_t path_len;
    char names[MAXQ][64];
    char values[MAXQ][SIGNED_URL_MSG_MAX];
    size_t value_lens[MAXQ];
    size_t n;
} url_t;

static void url_add(url_t *u, const char *name, const char *value, size_t value_len)
{
    assert_true(u->n < MAXQ && strlen(name) < sizeof u->names[0] && value_len < sizeof u->values[0]);
    strcpy(u->names[u->n], name);
    memcpy(u->values[u->n], value, value_len);
    u->value_lens[u->n++] = value_len;
}

/* Signs the claims and fills u with the resource parameters followed by p, exp and sig. */
static void url_issue(url_t *u, int64_t partner, const char *path, size_t path_len, const signed_url_param_t *ps,
                      size_t n, int64_t exp)
{
    memset(u, 0, sizeof *u);
    signed_url_claims_t c = {partner, path, path_len, ps, n, exp};
    char suffix[SIGNED_URL_SUFFIX_MAX];
    int len = signed_url_sign(SECRET, SECRET_LEN, &c, suffix);
    assert_true(len > 0);
    assert_int_equal(strlen(suffix), (size_t)len);
    memcpy(u->path, path, path_len);
    u->path_len = path_len;
    for (size_t i = 0; i < n; i++)
        url_add(u, ps[i].name, ps[i].value, ps[i].value_len);
    char *save, *pair = strtok_r(suffix, "&", &save);
    for (; pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        assert_non_null(eq);
        *eq = '\0';
        url_add(u, pair, eq + 1, strlen(eq + 1));
    }
}

static void url_issue_base(url_t *u)
{
    url_issue(u, 7, PATH, strlen(PATH), BASE, N_ELEMS(BASE), EXP);
}

static int url_find(const url_t *u, const char *name)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->names[i], name) == 0)
            return (int)i;
    fail_msg("no parameter %s", name);
    return -1;
}

static void url_set(url_t *u, const char *name, const char *value)
{
    int i = url_find(u, name);
    u->value_lens[i] = strlen(value);
    memcpy(u->values[i], value, u->value_lens[i] + 1);
}

static signed_url_status_t url_verify_with(const url_t *u, const char *secret, size_t secret_len, int64_t now,
                                           int64_t *pid, int64_t *exp)
{
    signed_url_param_t q[MAXQ];
    for (size_t i = 0; i < u->n; i++)
        q[i] = (signed_url_param_t){u->names[i], u->values[i], u->value_lens[i]};
    return signed_url_verify(secret, secret_len, u->path, u->path_len, q, u->n, now, pid, exp);
}

static signed_url_status_t url_verify(const url_t *u, int64_t now)
{
    return url_verify_with(u, SECRET, SECRET_LEN, now, NULL, NULL);
}

static url_t U, V; /* large: static, not on the stack */

static void test_signed_url_round_trip_gives_the_partner_and_expiry(void **state)
{
    (void)state;
    static const signed_url_param_t none[] = {P("x", "")};
    static const signed_url_param_t odd[] = {P("q", "a&b=c%20d"), P("name", "Caf\xc3\xa9 \xe2\x82\xac"), P("empty", ""),
                                             P("nul", "a\0b")};
    static const struct {
        int64_t partner;
        const char *path;
        const signed_url_param_t *ps;
        size_t n;
        int64_t exp;
    } cases[] = {
        {7, PATH, BASE, N_ELEMS(BASE), EXP},
        {0, "/v1/reports/export.csv", BASE, N_ELEMS(BASE), NOW + 60},
        {INT64_MAX, "/v1/offers/3/download-all", NULL, 0, NOW + SIGNED_URL_TTL_MAX},
        {1, "/", none, N_ELEMS(none), NOW + 1},
        {12, "/v1/coupons/export", odd, N_ELEMS(odd), EXP},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        url_issue(&U, cases[i].partner, cases[i].path, strlen(cases[i].path), cases[i].ps, cases[i].n, cases[i].exp);
        char want[64];
        snprintf(want, sizeof want, "%" PRId64, cases[i].partner);
        assert_string_equal(U.values[url_find(&U, "p")], want);
        snprintf(want, sizeof want, "%" PRId64, cases[i].exp);
        assert_string_equal(U.values[url_find(&U, "exp")], want);
        assert_int_equal(U.value_lens[url_find(&U, "sig")], 22);
        int64_t pid = -1, exp = -1;
        if (url_verify_with(&U, SECRET, SECRET_LEN, NOW, &pid, &exp) != SIGNED_URL_VALID)
            fail_msg("case %zu does not verify", i);
        assert_int_equal(pid, cases[i].partner);
        assert_int_equal(exp, cases[i].exp);
    }
}

/* The MAC is exactly the one signed_url.h documents, recomputed here independently. */
static size_t be(unsigned char *p, uint64_t v, size_t width)
{
    for (size_t i = 0; i < width; i++)
        p[i] = (unsigned char)(v >> (8 * (width - 1 - i)));
    return width;
}

static size_t documented_message(const char *domain, size_t domain_len, unsigned char *m)
{
    size_t n = 0;
    memcpy(m, domain, domain_len);
    n += domain_len;
    m[n++] = 1;
    n += be(m + n, 7, 8);
    n += be(m + n, (uint64_t)EXP, 8);
    n += be(m + n, strlen(PATH), 4);
    memcpy(m + n, PATH, strlen(PATH));
    n += strlen(PATH);
    n += be(m + n, 2, 4);
    /* sorted by name: "ids" < "offer_id" */
    static const char *const kv[] = {"ids", "1,2", "offer_id", "3"};
    for (size_t i = 0; i < 4; i++) {
        n += be(m + n, strlen(kv[i]), 4);
        memcpy(m + n, kv[i], strlen(kv[i]));
        n += strlen(kv[i]);
    }
    return n;
}

static void sig_of(const unsigned char *m, size_t n, char out[32])
{
    unsigned char md[HMAC_SHA256_LEN];
    hmac_sha256(SECRET, SECRET_LEN, m, n, md);
    b64url_encode(md, SIGNED_URL_MAC_LEN, out);
}

static void test_signed_url_mac_is_the_documented_encoding(void **state)
{
    (void)state;
    url_issue_base(&U);
    unsigned char m[512];
    char sig[32];
    sig_of(m, documented_message("trackgen-signed-url", sizeof "trackgen-signed-url", m), sig);
    assert_string_equal(U.values[url_find(&U, "sig")], sig);
}

/* The same request MACed under the other uses of the secret, or with no domain at all, and the
 * texts of real tokens and cursors, are not signatures. */
static void test_signed_url_macs_of_tokens_and_cursors_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *domain;
        size_t len;
    } domains[] = {
        {"trackgen-link", sizeof "trackgen-link"}, /* tracking tokens, with their NUL */
        {"cursor scope:", sizeof "cursor scope:" - 1},
        {"txn:", 4},
        {"", 0},
        {"trackgen-signed-url", sizeof "trackgen-signed-url" - 1}, /* without the NUL */
    };
    unsigned char m[512];
    char sig[32];
    for (size_t i = 0; i < N_ELEMS(domains); i++) {
        url_issue_base(&U);
        sig_of(m, documented_message(domains[i].domain, domains[i].len, m), sig);
        url_set(&U, "sig", sig);
        if (url_verify(&U, NOW) != SIGNED_URL_TAMPERED)
            fail_msg("a MAC under domain '%s' was accepted", domains[i].domain);
    }
    token_claims_t t = {7, 3, 0};
    char token[TOKEN_MAX_LEN + 1];
    assert_true(token_sign(&t, (const unsigned char *)SECRET, SECRET_LEN, token) > 0);
    cursor_ctx_t cc = {SECRET, SECRET_LEN, PATH, strlen(PATH)};
    char cursor[CURSOR_TEXT_MAX + 1];
    assert_true(cursor_encode(&cc, "3", 1, cursor) > 0);
    const char *texts[] = {token, cursor};
    for (size_t i = 0; i < N_ELEMS(texts); i++) {
        url_issue_base(&U);
        url_set(&U, "sig", texts[i]);
        assert_int_equal(url_verify(&U, NOW), SIGNED_URL_TAMPERED);
        char cut[32] = ""; /* its first 22 characters, the length of a signature */
        strncat(cut, texts[i], 22);
        url_set(&U, "sig", cut);
        assert_int_equal(url_verify(&U, NOW), SIGNED_URL_TAMPERED);
    }
}

/* Each byte of the path, of every parameter name and value (resource parameters, p, exp, sig) is
 * replaced by a few others, deleted, or doubled: every such URL is tampered — none verifies and
 * none is reported expired. Names are NUL-terminated: the memmoves carry the terminator along, and
 * len is only this function's count. Repeats of an identical pair are in the test below. */
static void check_mutations(char *s, size_t *len, size_t cap, const char *what)
{
    static const char repl[] = {'0', '1', '9', 'A', 'a', '-', '_', '/', '%', ',', '\0', (char)0xc3};
    for (size_t i = 0; i < *len; i++) {
        char orig = s[i];
        for (size_t r = 0; r < sizeof repl; r++) {
            if (repl[r] == orig)
                continue;
            s[i] = repl[r];
            signed_url_status_t st = url_verify(&V, NOW);
            if (st != SIGNED_URL_TAMPERED)
                fail_msg("%s: byte %zu set to 0x%02x gave %d", what, i, (unsigned char)repl[r], st);
        }
        s[i] = orig;
        /* delete byte i */
        memmove(s + i, s + i + 1, *len - i);
        (*len)--;
        if (url_verify(&V, NOW) != SIGNED_URL_TAMPERED)
            fail_msg("%s: deleting byte %zu was accepted", what, i);
        (*len)++;
        memmove(s + i + 1, s + i, *len - i - 1);
        s[i] = orig;
        /* double byte i */
        assert_true(*len + 1 < cap);
        memmove(s + i + 1, s + i, *len - i + 1);
        (*len)++;
        if (url_verify(&V, NOW) != SIGNED_URL_TAMPERED)
            fail_msg("%s: doubling byte %zu was accepted", what, i);
        memmove(s + i, s + i + 1, *len - i);
        (*len)--;
    }
    assert_int_equal(url_verify(&V, NOW), SIGNED_URL_VALID); /* restored */
}

static void test_signed_url_every_single_character_change_is_tampered(void **state)
{
    (void)state;
    url_issue_base(&V);
    assert_int_equal(url_verify(&V, NOW), SIGNED_URL_VALID);
    check_mutations(V.path, &V.path_len, sizeof V.path, "path");
    for (size_t k = 0; k < V.n; k++) {
        char what[96];
        snprintf(what, sizeof what, "value of %s", V.names[k]);
        check_mutations(V.values[k], &V.value_lens[k], sizeof V.values[k], what);
        size_t nlen = strlen(V.names[k]);
        snprintf(what, sizeof what, "name %s", V.names[k]);
        check_mutations(V.names[k], &nlen, sizeof V.names[k], what);
    }
    /* and every other character of the base64url alphabet at every position of sig */
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *sig = V.values[url_find(&V, "sig")];
    for (size_t i = 0; i < 22; i++) {
        char orig = sig[i];
        for (size_t a = 0; a < sizeof alphabet - 1; a++) {
            if (alphabet[a] == orig)
                continue;
            sig[i] = alphabet[a];
            if (url_verify(&V, NOW) != SIGNED_URL_TAMPERED)
                fail_msg("sig with '%c' at %zu accepted", alphabet[a], i);
        }
        sig[i] = orig;
    }
}

static void test_signed_url_parameters_in_any_order_are_accepted(void **state)
{
    (void)state;
    static const signed_url_param_t three[] = {P("offer_id", "3"), P("ids", "1,2"), P("format", "zip")};
    url_issue(&U, 7, PATH, strlen(PATH), three, N_ELEMS(three), EXP);
    assert_int_equal(U.n, 6);
    /* every permutation of the six pairs (Heap's algorithm) */
    size_t c[6] = {0};
    size_t perms = 1;
    V = U;
    assert_int_equal(url_verify(&V, NOW), SIGNED_URL_VALID);
    for (size_t i = 1; i < 6;) {
        if (c[i] < i) {
            size_t j = i % 2 ? c[i] : 0;
            char tn[64], tv[64];
            size_t tl = V.value_lens[j];
            strcpy(tn, V.names[j]);
            memcpy(tv, V.values[j], sizeof tv);
            strcpy(V.names[j], V.names[i]);
            memcpy(V.values[j], V.values[i], sizeof tv);
            V.value_lens[j] = V.value_lens[i];
            strcpy(V.names[i], tn);
            memcpy(V.values[i], tv, sizeof tv);
            V.value_lens[i] = tl;
            perms++;
            if (url_verify(&V, NOW) != SIGNED_URL_VALID)
                fail_msg("permutation %zu refused", perms);
            c[i]++;
            i = 1;
        } else {
            c[i++] = 0;
        }
    }
    assert_int_equal(perms, 720);
}

static void test_signed_url_added_removed_or_repeated_parameters_are_tampered(void **state)
{
    (void)state;
    static const struct {
        const char *name;  /* added, or (with remove) removed */
        const char *value; /* NULL: remove name */
    } cases[] = {
        {"offer_id", NULL}, {"ids", NULL},
        {"p", NULL},        {"exp", NULL},
        {"sig", NULL},      {"extra", "1"},
        {"extra", ""},      {"offer_id", "3"},
        {"ids", "1,2"},     {"offer_id", "4"},
        {"p", "7"},         {"p", "8"},
        {"exp", "1"},       {"sig", "AAAAAAAAAAAAAAAAAAAAAA"},
        {"Offer_id", "3"},  {"offer_id ", "3"},
        {"download", "1"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        url_issue_base(&U);
        if (cases[i].value) {
            url_add(&U, cases[i].name, cases[i].value, strlen(cases[i].value));
        } else {
            int k = url_find(&U, cases[i].name);
            U.n--;
            memmove(U.names[k], U.names[k + 1], (U.n - (size_t)k) * sizeof U.names[0]);
            memmove(U.values[k], U.values[k + 1], (U.n - (size_t)k) * sizeof U.values[0]);
            memmove(&U.value_lens[k], &U.value_lens[k + 1], (U.n - (size_t)k) * sizeof U.value_lens[0]);
        }
        if (url_verify(&U, NOW) != SIGNED_URL_TAMPERED)
            fail_msg("case %zu (%s %s) was not refused", i, cases[i].value ? "adding" : "removing", cases[i].name);
    }
}

/* Sets a concatenating encoding would confuse: the signature of one never verifies the other. */
static void test_signed_url_distinct_sets_never_encode_alike(void **state)
{
    (void)state;
    static const signed_url_param_t a1[] = {P("a", "b&c=d")}, a2[] = {P("a", "b"), P("c", "d")};
    static const signed_url_param_t b1[] = {P("a", "bc")}, b2[] = {P("ab", "c")};
    static const signed_url_param_t c1[] = {P("a", "")};
    static const signed_url_param_t d1[] = {P("a", "x\0")}, d2[] = {P("a", "x")};
    static const struct {
        const char *path1, *path2;
        const signed_url_param_t *s1, *s2;
        size_t n1, n2;
    } cases[] = {
        {PATH, PATH, a1, a2, 1, 2},      {PATH, PATH, a2, a1, 2, 1},
        {PATH, PATH, b1, b2, 1, 1},      {PATH, PATH, c1, NULL, 1, 0},
        {PATH, PATH, NULL, c1, 0, 1},    {PATH, PATH, d1, d2, 1, 1},
        {"/x/1", "/x/1a", b2, c1, 1, 1}, {"/v1/creatives/42", "/v1/creatives/42/file", NULL, NULL, 0, 0},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        url_issue(&U, 7, cases[i].path1, strlen(cases[i].path1), cases[i].s1, cases[i].n1, EXP);
        /* V: the second request, carrying the first one's p, exp and sig */
        memset(&V, 0, sizeof V);
        V.path_len = strlen(cases[i].path2);
        memcpy(V.path, cases[i].path2, V.path_len);
        for (size_t k = 0; k < cases[i].n2; k++)
            url_add(&V, cases[i].s2[k].name, cases[i].s2[k].value, cases[i].s2[k].value_len);
        static const char *const reserved[] = {"p", "exp", "sig"};
        for (size_t k = 0; k < 3; k++) {
            int j = url_find(&U, reserved[k]);
            url_add(&V, reserved[k], U.values[j], U.value_lens[j]);
        }
        if (url_verify(&V, NOW) != SIGNED_URL_TAMPERED)
            fail_msg("case %zu: one set's signature verified the other", i);
    }
}

static void test_signed_url_expiry_boundary_and_precedence(void **state)
{
    (void)state;
    url_issue_base(&U);
    assert_int_equal(url_verify(&U, EXP - 3600), SIGNED_URL_VALID);
    assert_int_equal(url_verify(&U, EXP - 1), SIGNED_URL_VALID);
    assert_int_equal(url_verify(&U, EXP), SIGNED_URL_EXPIRED); /* exp is the first second it no longer works */
    assert_int_equal(url_verify(&U, EXP + 1), SIGNED_URL_EXPIRED);
    assert_int_equal(url_verify(&U, INT64_MAX), SIGNED_URL_EXPIRED);
    /* an expired URL whose MAC is wrong is tampered: a forger learns nothing */
    url_set(&U, "ids", "1,3");
    assert_int_equal(url_verify(&U, EXP + 1), SIGNED_URL_TAMPERED);
    /* an expiry moved forward to revive the URL is tampered */
    url_issue_base(&U);
    char later[32];
    snprintf(later, sizeof later, "%" PRId64, EXP + 3600);
    url_set(&U, "exp", later);
    assert_int_equal(url_verify(&U, EXP + 1), SIGNED_URL_TAMPERED);
    /* nothing is reported about a URL from another secret, expired or not */
    url_issue_base(&U);
    static const char other[] = "another-secret-0123456789abcdef012345";
    assert_int_equal(url_verify_with(&U, other, sizeof other - 1, NOW, NULL, NULL), SIGNED_URL_TAMPERED);
    assert_int_equal(url_verify_with(&U, other, sizeof other - 1, EXP + 1, NULL, NULL), SIGNED_URL_TAMPERED);
}

/* An expiry further ahead than the longest TTL (plus the clock skew allowance) is refused, even
 * with a valid MAC: it can only come from a leaked secret or an old configuration. */
static void test_signed_url_expiry_beyond_the_ttl_cap_is_tampered(void **state)
{
    (void)state;
    int64_t cap = SIGNED_URL_TTL_MAX + SIGNED_URL_CLOCK_SKEW;
    url_issue(&U, 7, PATH, strlen(PATH), BASE, N_ELEMS(BASE), NOW + cap);
    assert_int_equal(url_verify(&U, NOW), SIGNED_URL_VALID);
    assert_int_equal(url_verify(&U, NOW - 1), SIGNED_URL_TAMPERED);
    url_issue(&U, 7, PATH, strlen(PATH), BASE, N_ELEMS(BASE), SIGNED_URL_EXPIRES_MAX);
    assert_int_equal(url_verify(&U, NOW), SIGNED_URL_TAMPERED);
    assert_int_equal(url_verify(&U, INT64_MIN), SIGNED_URL_TAMPERED); /* no overflow on a strange clock */
    assert_int_equal(url_verify(&U, SIGNED_URL_EXPIRES_MAX - 1), SIGNED_URL_VALID);
}

/* Other spellings of the same partner, expiry or signature would carry a valid MAC; each is
 * refused, so every URL has one text. Values that are no number at all are refused too. */
static void test_signed_url_non_canonical_or_bad_fields_are_tampered(void **state)
{
    (void)state;
    char exp_zero[32], exp_plus[32], exp_space[32];
    snprintf(exp_zero, sizeof exp_zero, "0%" PRId64, EXP);
    snprintf(exp_plus, sizeof exp_plus, "+%" PRId64, EXP);
    snprintf(exp_space, sizeof exp_space, "%" PRId64 " ", EXP);
    url_issue_base(&U);
    char sig[32];
    strcpy(sig, U.values[url_find(&U, "sig")]);
    /* the last character of a 16-byte base64url text carries 4 spare bits: flipping one is the
     * same bytes in another spelling */
    char sig_spare[32];
    strcpy(sig_spare, sig);
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    sig_spare[21] = alphabet[(strchr(alphabet, sig[21]) - alphabet) ^ 1];
    char sig_padded[40], sig_std[32];
    snprintf(sig_padded, sizeof sig_padded, "%s==", sig);
    strcpy(sig_std, sig);
    for (char *c = sig_std; *c; c++)
        *c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
    static const char *const bad_p[] = {
        "07",          "+7", " 7", "7 ", "-7", "", "7.0", "0x7", "1e1", "9223372036854775808", "99999999999999999999",
        "\xef\xbc\x97"};
    const char *const bad_exp[] = {exp_zero,
                                   exp_plus,
                                   exp_space,
                                   "0",
                                   "-1",
                                   "",
                                   "abc",
                                   "253402300800",
                                   "9223372036854775807",
                                   "9223372036854775808"};
    const char *const bad_sig[] = {sig_spare, sig_padded, "", "AAAA", "AAAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < N_ELEMS(bad_p); i++) {
        url_issue_base(&U);
        url_set(&U, "p", bad_p[i]);
        if (url_verify(&U, NOW) != SIGNED_URL_TAMPERED)
            fail_msg("p=%s accepted", bad_p[i]);
    }
    for (size_t i = 0; i < N_ELEMS(bad_exp); i++) {
        url_issue_base(&U);
        url_set(&U, "exp", bad_exp[i]);
        if (url_verify(&U, NOW) != SIGNED_URL_TAMPERED)
            fail_msg("exp=%s accepted", bad_exp[i]);
    }
    for (size_t i = 0; i < N_ELEMS(bad_sig); i++) {
        url_issue_base(&U);
        url_set(&U, "sig", bad_sig[i]);
        if (url_verify(&U, NOW) != SIGNED_URL_TAMPERED)
            fail_msg("sig=%s accepted", bad_sig[i]);
    }
    if (strcmp(sig_std, sig) != 0) { /* only when the signature has a - or _ to respell */
        url_issue_base(&U);
        url_set(&U, "sig", sig_std);
        assert_int_equal(url_verify(&U, NOW), SIGNED_URL_TAMPERED);
    }
    /* partner 0 (an admin's URL) is "0", never "00" */
    url_issue(&U, 0, PATH, strlen(PATH), BASE, N_ELEMS(BASE), EXP);
    assert_int_equal(url_verify(&U, NOW), SIGNED_URL_VALID);
    url_set(&U, "p", "00");
    assert_int_equal(url_verify(&U, NOW), SIGNED_URL_TAMPERED);
}

/* A signature made with one secret does not verify under another, not even a prefix or an
 * extension of it. */
static void test_signed_url_other_secrets_are_tampered(void **state)
{
    (void)state;
    url_issue_base(&U);
    static const char *const others[] = {"test-secret-0123456789abcdef012345678", /* one shorter */
                                         "test-secret-0123456789abcdef0123456789x",
                                         "Test-secret-0123456789abcdef0123456789", ""};
    for (size_t i = 0; i < N_ELEMS(others); i++)
        assert_int_equal(url_verify_with(&U, others[i], strlen(others[i]), NOW, NULL, NULL), SIGNED_URL_TAMPERED);
    assert_int_equal(url_verify_with(&U, SECRET, SECRET_LEN, NOW, NULL, NULL), SIGNED_URL_VALID);
}

static void test_signed_url_sign_refuses_what_it_cannot_sign(void **state)
{
    (void)state;
    static const signed_url_param_t reserved_p[] = {P("p", "1")}, reserved_exp[] = {P("exp", "1")},
                                    reserved_sig[] = {P("sig", "x")}, twice[] = {P("a", "1"), P("a", "2")},
                                    twice_same[] = {P("a", "1"), P("a", "1")}, empty[] = {P("", "1")},
                                    null_name[] = {{NULL, "1", 1}};
    static const struct {
        int64_t partner;
        const signed_url_param_t *ps;
        size_t n;
        int64_t exp;
    } cases[] = {
        {-1, BASE, 2, EXP},
        {INT64_MIN, BASE, 2, EXP},
        {7, BASE, 2, 0},
        {7, BASE, 2, -1},
        {7, BASE, 2, SIGNED_URL_EXPIRES_MAX + 1},
        {7, reserved_p, 1, EXP},
        {7, reserved_exp, 1, EXP},
        {7, reserved_sig, 1, EXP},
        {7, twice, 2, EXP},
        {7, twice_same, 2, EXP},
        {7, empty, 1, EXP},
        {7, null_name, 1, EXP},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        signed_url_claims_t c = {cases[i].partner, PATH, strlen(PATH), cases[i].ps, cases[i].n, cases[i].exp};
        char out[SIGNED_URL_SUFFIX_MAX];
        if (signed_url_sign(SECRET, SECRET_LEN, &c, out) != -1)
            fail_msg("case %zu was signed", i);
    }
}

/* At most SIGNED_URL_MAX_PARAMS resource parameters and SIGNED_URL_MSG_MAX bytes of message:
 * one more is refused by sign, and a URL with more is refused by verify. */
static void test_signed_url_limits_on_parameters_and_length(void **state)
{
    (void)state;
    static char names[SIGNED_URL_MAX_PARAMS + 1][8];
    signed_url_param_t ps[SIGNED_URL_MAX_PARAMS + 1];
    for (size_t i = 0; i <= SIGNED_URL_MAX_PARAMS; i++) {
        snprintf(names[i], sizeof names[i], "k%zu", i);
        ps[i] = (signed_url_param_t){names[i], "v", 1};
    }
    url_issue(&U, 7, PATH, strlen(PATH), ps, SIGNED_URL_MAX_PARAMS, EXP);
    assert_int_equal(url_verify(&U, NOW), SIGNED_URL_VALID);
    url_add(&U, names[SIGNED_URL_MAX_PARAMS], "v", 1);
    assert_int_equal(url_verify(&U, NOW), SIGNED_URL_TAMPERED);
    signed_url_claims_t c = {7, PATH, strlen(PATH), ps, SIGNED_URL_MAX_PARAMS + 1, EXP};
    char out[SIGNED_URL_SUFFIX_MAX];
    assert_int_equal(signed_url_sign(SECRET, SECRET_LEN, &c, out), -1);

    /* the message: domain 20 + version 1 + partner 8 + expiry 8 + path (4 + len) + count 4 + one
     * parameter (4 + 1 + 4 + value) = 54 + path + value */
    static char big[SIGNED_URL_MSG_MAX];
    memset(big, 'v', sizeof big);
    size_t fits = SIGNED_URL_MSG_MAX - 54 - strlen(PATH);
    signed_url_param_t one = {"a", big, fits};
    c = (signed_url_claims_t){7, PATH, strlen(PATH), &one, 1, EXP};
    assert_true(signed_url_sign(SECRET, SECRET_LEN, &c, out) > 0);
    url_issue(&U, 7, PATH, strlen(PATH), &one, 1, EXP);
    assert_int_equal(url_verify(&U, NOW), SIGNED_URL_VALID);
    one.value_len = fits + 1;
    assert_int_equal(signed_url_sign(SECRET, SECRET_LEN, &c, out), -1);
    U.value_lens[url_find(&U, "a")] = fits + 1;
    assert_int_equal(url_verify(&U, NOW), SIGNED_URL_TAMPERED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_url_round_trip_gives_the_partner_and_expiry),
        cmocka_unit_test(test_signed_url_mac_is_the_documented_encoding),
        cmocka_unit_test(test_signed_url_macs_of_tokens_and_cursors_are_refused),
        cmocka_unit_test(test_signed_url_every_single_character_change_is_tampered),
        cmocka_unit_test(test_signed_url_parameters_in_any_order_are_accepted),
        cmocka_unit_test(test_signed_url_added_removed_or_repeated_parameters_are_tampered),
        cmocka_unit_test(test_signed_url_distinct_sets_never_encode_alike),
        cmocka_unit_test(test_signed_url_expiry_boundary_and_precedence),
        cmocka_unit_test(test_signed_url_expiry_beyond_the_ttl_cap_is_tampered),
        cmocka_unit_test(test_signed_url_non_canonical_or_bad_fields_are_tampered),
        cmocka_unit_test(test_signed_url_other_secrets_are_tampered),
        cmocka_unit_test(test_signed_url_sign_refuses_what_it_cannot_sign),
        cmocka_unit_test(test_signed_url_limits_on_parameters_and_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
