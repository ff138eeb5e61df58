/*
 * cursor.c — encoding and strict decoding of pagination cursors (see cursor.h).
 */
#include "api/cursor.h"

#include "util/b64url.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void encode_plain(const char *plain, int n, char *out)
{
    b64url_encode((const unsigned char *)plain, (size_t)n, out);
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

/* Decodes a cursor into plain (size >= CURSOR_TEXT_MAX_LEN); returns its length or -1. */
static int decode_plain(const char *s, size_t len, unsigned char *plain)
{
    if (len == 0 || len > CURSOR_TEXT_MAX_LEN)
        return -1;
    return b64url_decode(s, len, plain, CURSOR_TEXT_MAX_LEN); /* strict: one spelling per cursor */
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
