/*
 * cursor.c — encoding and strict decoding of pagination cursors (see cursor.h).
 * Uses OpenSSL's base64 block coder and maps it to the URL-safe alphabet.
 */
#include "api/cursor.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void encode_plain(const char *plain, int n, char *out)
{
    unsigned char b64[CURSOR_TEXT_MAX_LEN + 8];
    int m = EVP_EncodeBlock(b64, (const unsigned char *)plain, n);
    while (m > 0 && b64[m - 1] == '=')
        m--;
    for (int i = 0; i < m; i++)
        out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : (char)b64[i];
    out[m] = '\0';
}

void cursor_encode(int64_t last_id, char *out)
{
    char plain[32];
    encode_plain(plain, snprintf(plain, sizeof plain, "k1:%" PRId64, last_id), out);
}

void cursor_encode_text(const char *key, char *out)
{
    char plain[CURSOR_KEY_MAX + 4];
    encode_plain(plain, snprintf(plain, sizeof plain, "k2:%.*s", CURSOR_KEY_MAX, key), out);
}

/* Decodes URL-safe base64 into plain (size >= CURSOR_KEY_MAX + 4); returns its length or -1. */
static int decode_plain(const char *s, size_t len, unsigned char *plain)
{
    if (len == 0 || len > CURSOR_TEXT_MAX_LEN || len % 4 == 1)
        return -1;
    unsigned char b64[CURSOR_TEXT_MAX_LEN + 4];
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return -1;
        b64[i] = (unsigned char)c;
    }
    size_t padded = len;
    while (padded % 4)
        b64[padded++] = '=';
    int n = EVP_DecodeBlock(plain, b64, (int)padded);
    if (n < 0)
        return -1;
    return n - (int)(padded - len); /* EVP_DecodeBlock counts padding as zero bytes */
}

int cursor_decode_text(const char *s, size_t len, char *key)
{
    unsigned char plain[CURSOR_TEXT_MAX_LEN];
    int n = decode_plain(s, len, plain);
    if (n < 4 || n > CURSOR_KEY_MAX + 3 || memcmp(plain, "k2:", 3) != 0)
        return -1;
    for (int i = 3; i < n; i++)
        if (plain[i] < 0x20 || plain[i] > 0x7e)
            return -1;
    memcpy(key, plain + 3, (size_t)n - 3);
    key[n - 3] = '\0';
    return 0;
}

int cursor_decode(const char *s, size_t len, int64_t *last_id)
{
    unsigned char plain[CURSOR_TEXT_MAX_LEN];
    int n = decode_plain(s, len, plain);
    if (n < 4 || n > 22 || memcmp(plain, "k1:", 3) != 0)
        return -1;
    int64_t v = 0;
    if (plain[3] == '0')
        return -1;
    for (int i = 3; i < n; i++) {
        if (plain[i] < '0' || plain[i] > '9')
            return -1;
        int d = plain[i] - '0';
        if (v > (INT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *last_id = v;
    return 0;
}
