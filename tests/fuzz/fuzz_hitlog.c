/*
 * fuzz_hitlog.c — libFuzzer harness for spool lines (src/track/hitlog.c), which the shipper reads
 * back after crashes and torn writes: any bytes are checked line by line; an accepted row lies
 * within its line and has no newline inside.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "track/hitlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *row;
        size_t row_len;
        if (hitlog_line_valid(p, len, &row, &row_len)) {
            assert(row >= p && row + row_len <= p + len);
            assert(memchr(row, '\n', row_len) == NULL);
        }
        p += len + 1;
    }
    return 0;
}
