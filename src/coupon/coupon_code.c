/*
 * coupon_code.c — coupon code rules and random codes (see coupon_code.h).
 */
#include "coupon/coupon_code.h"

#include <math.h>
#include <string.h>

#include "util/rand.h"
#include "util/text.h"

/* The largest multiple of the alphabet's size that fits in a byte: bytes at or above it are
 * drawn again, so every character is exactly as likely. */
#define ACCEPT_BELOW (256 / COUPON_CODE_ALPHABET_SIZE * COUPON_CODE_ALPHABET_SIZE)

const char *coupon_code_check(const char *s, size_t len)
{
    if (len == 0)
        return "must not be empty";
    if (text_utf8_length(s, len) > COUPON_CODE_MAX)
        return "must be at most 64 characters long";
    if (memchr(s, '\0', len) || text_has_control(s, len, false))
        return "must not contain control characters";
    if (s[0] == ' ' || s[len - 1] == ' ')
        return "must not begin or end with a space";
    return NULL;
}

void coupon_code_random(const char *prefix, size_t prefix_len, int length, char *out)
{
    memcpy(out, prefix, prefix_len);
    unsigned char pool[64];
    size_t avail = 0, used = 0;
    for (int i = 0; i < length;) {
        if (used == avail) {
            rand_bytes(pool, sizeof pool);
            avail = sizeof pool;
            used = 0;
        }
        unsigned char b = pool[used++];
        if (b < ACCEPT_BELOW)
            out[prefix_len + (size_t)i++] = COUPON_CODE_ALPHABET[b % COUPON_CODE_ALPHABET_SIZE];
    }
    out[prefix_len + (size_t)length] = '\0';
}

double coupon_code_space(int length)
{
    double n = pow(COUPON_CODE_ALPHABET_SIZE, length);
    return n > 1e18 ? 1e18 : n;
}

bool coupon_code_room(int length, long count)
{
    return coupon_code_space(length) >= 1000.0 * (double)count;
}
