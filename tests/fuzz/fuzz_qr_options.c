/*
 * fuzz_qr_options.c — libFuzzer harness for QR image options (src/qr/qr_options.c): any query
 * string through the lenient parser, then the options and format readers, then Accept
 * negotiation and colour parsing on the raw bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qr/qr_options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a = arena_create(4096);
    problem_t p;
    problem_init(&p, a);
    query_t q;
    if (query_parse(a, (const char *)data, size, true, &q, &p) == 0) {
        qr_options_t o;
        if (qr_options_parse(&q, &o, &p) != 0)
            assert(problem_has(&p));
        problem_init(&p, a);
        qr_options_parse_format(&q, &o, &p);
    }
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    qr_format_from_accept(s);
    qr_rgb_t rgb;
    qr_parse_colour(s, &rgb);
    free(s);
    arena_destroy(a);
    return 0;
}
