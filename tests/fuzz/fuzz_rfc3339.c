/*
 * fuzz_rfc3339.c — libFuzzer harness for RFC 3339 times (src/util/rfc3339.c): any bytes; an
 * accepted time lies within years 0000-9999 (give or take a day of zone offset), and a refusal
 * always carries a reason.
 */
#include <assert.h>
#include <stdint.h>

#include "util/rfc3339.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t micros = 0;
    const char *why = NULL;
    if (rfc3339_parse((const char *)data, size, &micros, &why) == 0) {
        const int64_t day = 86400LL * 1000000;
        assert(micros >= -62167219200000000LL - day && micros <= 253402300800000000LL + 2 * day);
    } else {
        assert(why && *why);
    }
    return 0;
}
