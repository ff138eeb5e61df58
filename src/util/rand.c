/*
 * rand.c — CSPRNG wrapper over OpenSSL RAND_bytes (see rand.h).
 */
#include "util/rand.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/text.h"

void rand_bytes(unsigned char *out, size_t n)
{
    if (n > (size_t)__INT_MAX__ || RAND_bytes(out, (int)n) != 1) {
        fputs("trackgen: CSPRNG failure\n", stderr);
        abort();
    }
}

void rand_hex(char *out, size_t n)
{
    unsigned char tmp[64];
    while (n > 0) {
        size_t k = n > sizeof tmp ? sizeof tmp : n;
        rand_bytes(tmp, k);
        text_hex(tmp, k, out);
        out += 2 * k;
        n -= k;
    }
}
