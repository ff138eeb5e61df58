/*
 * test_hmac.c — HMAC-SHA256 with per-thread keyed contexts (src/util/hmac.c): RFC 4231 vectors,
 * switching keys back and forth on one thread, keys longer than the cache, and many threads
 * with different keys at once.
 */
#include <pthread.h>
#include <stdio.h>

#include "test_util.h"
#include "util/hmac.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void check(const void *key, size_t key_len, const void *msg, size_t msg_len, const char *want)
{
    unsigned char mac[HMAC_SHA256_LEN];
    char got[2 * HMAC_SHA256_LEN + 1];
    hmac_sha256(key, key_len, msg, msg_len, mac);
    hex(mac, sizeof mac, got);
    assert_string_equal(got, want);
}

/* RFC 4231 test cases 1, 2, 4 and 6 (6: a 131-byte key, longer than the block and the cache). */
#define RFC1 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
#define RFC2 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
#define RFC4 "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
#define RFC6 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"

static unsigned char key1[20], key4[25], key6[131];
static unsigned char msg4[50];
static const char MSG6[] = "Test Using Larger Than Block-Size Key - Hash Key First";

static void set_up_keys(void)
{
    memset(key1, 0x0b, sizeof key1);
    for (size_t i = 0; i < sizeof key4; i++)
        key4[i] = (unsigned char)(i + 1);
    memset(msg4, 0xcd, sizeof msg4);
    memset(key6, 0xaa, sizeof key6);
}

static void test_rfc4231_vectors(void **state)
{
    (void)state;
    set_up_keys();
    check(key1, sizeof key1, "Hi There", 8, RFC1);
    check("Jefe", 4, "what do ya want for nothing?", 28, RFC2);
    check(key4, sizeof key4, msg4, sizeof msg4, RFC4);
    check(key6, sizeof key6, MSG6, strlen(MSG6), RFC6);
}

static void test_switching_keys_never_reuses_the_wrong_one(void **state)
{
    (void)state;
    set_up_keys();
    for (int round = 0; round < 3; round++) {
        check("Jefe", 4, "what do ya want for nothing?", 28, RFC2);
        check("Jefe", 4, "what do ya want for nothing?", 28, RFC2); /* the cached key */
        check(key1, sizeof key1, "Hi There", 8, RFC1);
        check(key6, sizeof key6, MSG6, strlen(MSG6), RFC6);
        check(key6, sizeof key6, MSG6, strlen(MSG6), RFC6); /* too long to cache: keyed each time */
        check(key4, sizeof key4, msg4, sizeof msg4, RFC4);
    }
    /* Same length, one byte apart: must not be mistaken for the cached key. */
    unsigned char a[20], b[20], ma[HMAC_SHA256_LEN], mb[HMAC_SHA256_LEN];
    memset(a, 7, sizeof a);
    memcpy(b, a, sizeof b);
    b[19] ^= 1;
    hmac_sha256(a, sizeof a, "m", 1, ma);
    hmac_sha256(b, sizeof b, "m", 1, mb);
    assert_memory_not_equal(ma, mb, sizeof ma);
    hmac_sha256(a, sizeof a, "m", 1, mb);
    assert_memory_equal(ma, mb, sizeof ma);
}

static void test_empty_message_and_empty_key(void **state)
{
    (void)state;
    /* HMAC-SHA256 of "" under "" (well known). */
    check("", 0, "", 0, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void *worker(void *arg)
{
    int which = *(int *)arg;
    for (int i = 0; i < 2000; i++) {
        unsigned char mac[HMAC_SHA256_LEN];
        char got[2 * HMAC_SHA256_LEN + 1];
        if (which % 2) {
            hmac_sha256(key1, sizeof key1, "Hi There", 8, mac);
            hex(mac, sizeof mac, got);
            if (strcmp(got, RFC1) != 0)
                return (void *)1;
        } else {
            hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
            hex(mac, sizeof mac, got);
            if (strcmp(got, RFC2) != 0)
                return (void *)1;
        }
    }
    return NULL;
}

static void test_threads_keep_their_own_keys(void **state)
{
    (void)state;
    set_up_keys();
    pthread_t t[8];
    int which[8];
    for (int i = 0; i < 8; i++) {
        which[i] = i;
        assert_int_equal(pthread_create(&t[i], NULL, worker, &which[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        void *res = (void *)1;
        pthread_join(t[i], &res);
        assert_null(res);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231_vectors),
        cmocka_unit_test(test_switching_keys_never_reuses_the_wrong_one),
        cmocka_unit_test(test_empty_message_and_empty_key),
        cmocka_unit_test(test_threads_keep_their_own_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
