/*
 * fuzz_body_limit.c — libFuzzer harness for request body caps (src/http/body_limit.c): any bytes
 * as a Content-Length value against each kind's cap; an accepted length is exactly the decimal
 * the value spells, within the cap, and a refusal always records a problem.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/body_limit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const config_t cfg = {.max_body = 1048576, .max_csv_body = 33554432, .max_upload = 67108864};
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    for (int kind = BODY_JSON; kind <= BODY_UPLOAD; kind++) {
        arena_t *a = arena_create(1024);
        problem_t p;
        problem_init(&p, a);
        body_limit_t l = body_limit(&cfg, (body_kind_t)kind);
        size_t len = 7;
        if (body_limit_check(&l, s, &len, &p) == 0) {
            assert(!problem_has(&p) && len <= l.cap);
            if (*s)
                assert(strtoull(s, NULL, 10) == len && (s[0] != '0' || s[1] == '\0'));
            else
                assert(len == 0);
        } else {
            assert(problem_has(&p));
        }
        arena_destroy(a);
    }
    free(s);
    return 0;
}
