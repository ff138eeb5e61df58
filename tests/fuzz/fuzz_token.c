/*
 * fuzz_token.c — libFuzzer harness for tracking-link tokens (src/track/token.c): any text is
 * verified; whatever verifies must be exactly the token signed for its claims (one spelling).
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "track/token.h"

static const unsigned char SECRET[] = "fuzzing-secret-0123456789abcdef0123";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    token_claims_t c;
    if (!token_verify((const char *)data, size, SECRET, sizeof SECRET - 1, &c))
        return 0;
    char again[TOKEN_MAX_LEN + 1];
    assert(token_sign(&c, SECRET, sizeof SECRET - 1, again) == (int)size);
    assert(memcmp(again, data, size) == 0);
    return 0;
}
