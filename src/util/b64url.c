/*
 * b64url.c — URL-safe base64 without padding (see b64url.h).
 */
#include "util/b64url.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 2048 /* the longest text decoded (a cursor with its longest key is 1384 characters) */

/* The 6-bit value of an alphabet character (after the URL-safe mapping), or -1. */
static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

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
        else if (c == '+' || c == '/')
            return -1;
        if (sextet(c) < 0)
            return -1;
        b64[i] = (unsigned char)c;
    }
    /* Canonical spelling only: the bits of the last character that fall past the final byte must
     * be zero, so each byte string has exactly one accepted text (4 spare bits after 2 characters
     * of a group, 2 after 3). */
    if (len % 4 && (sextet((char)b64[len - 1]) & (len % 4 == 2 ? 0x0F : 0x03)))
        return -1;
    size_t padded = len;
    while (padded % 4)
        b64[padded++] = '=';
    /* EVP_DecodeBlock writes whole groups (padding counts as zero bytes): decode into a scratch
     * buffer and copy out only the real bytes, so out needs room for exactly those. */
    unsigned char raw[CHUNK / 4 * 3 + 3];
    int n = padded ? EVP_DecodeBlock(raw, b64, (int)padded) : 0;
    if (n < 0)
        return -1;
    n -= (int)(padded - len);
    if ((size_t)n > max)
        return -1;
    memcpy(out, raw, (size_t)n);
    return n;
}
