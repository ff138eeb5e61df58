/*
 * coupon_code.h — coupon codes: the rules every code follows, and random codes for networks that
 * have none of their own.
 *
 * A code is 1..COUPON_CODE_MAX characters of UTF-8 without control characters and without a space
 * at either end (the database checks the same, migration 0007). Random codes are a prefix followed
 * by `length` characters of COUPON_CODE_ALPHABET — digits and capitals without the look-alikes 0/O,
 * 1/I/L — each drawn uniformly from the CSPRNG by rejection sampling (no modulo bias). Pure.
 */
#ifndef TRACKGEN_COUPON_CODE_H
#define TRACKGEN_COUPON_CODE_H

#include <stdbool.h>
#include <stddef.h>

#define COUPON_CODE_MAX 64 /* characters */
#define COUPON_CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define COUPON_CODE_ALPHABET_SIZE 31
#define COUPON_RANDOM_MIN 4 /* random characters of a generated code */
#define COUPON_RANDOM_MAX 32
#define COUPON_PREFIX_MAX 32 /* characters */

/* NULL if s (len bytes, valid UTF-8) is a valid code, else why not (static text). */
const char *coupon_code_check(const char *s, size_t len);
/* Writes prefix (prefix_len bytes) then `length` random alphabet characters and a NUL into out,
 * which has room for prefix_len + length + 1 bytes. */
void coupon_code_random(const char *prefix, size_t prefix_len, int length, char *out);
/* How many distinct random parts of `length` characters there are, capped at 1e18. */
double coupon_code_space(int length);
/* Whether a random part of `length` characters leaves room for `count` codes: at least 1000
 * times as many possible codes as wanted, so that collisions stay rare. */
bool coupon_code_room(int length, long count);

#endif
