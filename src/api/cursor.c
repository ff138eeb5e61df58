/*
 * cursor.c — encoding and strict decoding of pagination cursors (see cursor.h).
 * Uses OpenSSL's base64 block coder and maps it to the URL-safe alphabet.
 */
#include "api/cursor.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

void cursor_encode(int64_t last_id, char *out)
{
    char plain[32];
    int n = snprintf(plain, sizeof plain, "k1:%" PRId64, last_id);
    unsigned char b64[CURSOR_MAX_LEN + 8];
    int m = EVP_EncodeBlock(b64, (const unsigned char *)plain, n);
    while (m > 0 && b64[m - 1] == '=')
        m--;
    for (int i = 0; i < m; i++)
        out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : (char)b64[i];
    out[m] = '\0';
}

int cursor_decode(const char *s, size_t len, int64_t *last_id)
{
    if (len == 0 || len > CURSOR_MAX_LEN || len % 4 == 1)
        return -1;
    unsigned char b64[CURSOR_MAX_LEN + 4];
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
    unsigned char plain[CURSOR_MAX_LEN];
    int n = EVP_DecodeBlock(plain, b64, (int)padded);
    if (n < 0)
        return -1;
    n -= (int)(padded - len); /* EVP_DecodeBlock counts padding as zero bytes */
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
