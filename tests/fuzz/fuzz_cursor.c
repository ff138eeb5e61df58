/*
 * fuzz_cursor.c — libFuzzer harness for pagination cursors (src/api/cursor.c): the first byte
 * picks a scope, the rest is decoded; whatever decodes must re-encode to exactly the same text.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "api/cursor.h"

static const char SECRET[] = "fuzzing-secret-0123456789abcdef0123";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const char *const scopes[] = {"9:/v1/offers", "11:/v1/hits|4:kind=5:click", ""};
    const char *scope = scopes[data[0] % 3];
    cursor_ctx_t c = {SECRET, sizeof SECRET - 1, scope, strlen(scope)};
    char key[CURSOR_KEY_MAX + 1];
    int n = cursor_decode(&c, (const char *)data + 1, size - 1, key);
    if (n < 0)
        return 0;
    char text[CURSOR_TEXT_MAX + 1];
    int m = cursor_encode(&c, key, (size_t)n, text);
    assert(m >= 0 && (size_t)m == size - 1 && memcmp(text, data + 1, size - 1) == 0);
    return 0;
}
