/*
 * b64url.c — URL-safe base64 without padding (see b64url.h).
 */
#include "util/b64url.h"

#include <openssl/evp.h>
#include <stdlib.h>

#define CHUNK 256 /* characters decoded per call of the block coder */

size_t b64url_encode(const unsigned char *in, size_t n, char *out)
{
    int m = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    while (m > 0 && out[m - 1] == '=')
        m--;
    for (int i = 0; i < m; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    out[m] = '\0';
    return (size_t)m;
}

int b64url_decode(const char *s, size_t len, unsigned char *out, size_t max)
{
    if (len % 4 == 1 || len > CHUNK)
        return -1;
    unsigned char b64[CHUNK + 4];
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
    if (padded / 4 * 3 > max)
        return -1;
    int n = padded ? EVP_DecodeBlock(out, b64, (int)padded) : 0;
    if (n < 0)
        return -1;
    return n - (int)(padded - len); /* EVP_DecodeBlock counts padding as zero bytes */
}
