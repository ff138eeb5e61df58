/*
 * rand.h — cryptographically secure random bytes (OpenSSL's CSPRNG). Used for API keys,
 * request ids and, later, transaction ids. Failure of the CSPRNG aborts: nothing may run on
 * predictable randomness.
 */
#ifndef TRACKGEN_RAND_H
#define TRACKGEN_RAND_H

#include <stddef.h>

void rand_bytes(unsigned char *out, size_t n);
/* Writes 2*n lowercase hex digits of n random bytes, plus a NUL (out size >= 2*n + 1). */
void rand_hex(char *out, size_t n);

#endif
