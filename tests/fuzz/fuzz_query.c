/*
 * fuzz_query.c — libFuzzer harness for the query-string parser (src/http/query.c), strict and
 * lenient, then the allow-list and integer readers over whatever it accepted. Checks that every
 * accepted value is valid UTF-8 within the input's length and that a failure records a problem.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "http/query.h"
#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {"limit", "cursor", "q", "status", NULL};
    for (int lenient = 0; lenient < 2; lenient++) {
        arena_t *a = arena_create(4096);
        problem_t p;
        problem_init(&p, a);
        query_t q;
        int rc = query_parse(a, (const char *)data, size, lenient, &q, &p);
        assert(rc == 0 || problem_has(&p));
        if (rc == 0) {
            assert(q.n >= 0 && q.n <= QUERY_MAX_PARAMS);
            for (int i = 0; i < q.n; i++) {
                assert(q.params[i].value_len <= size);
                assert(text_utf8_valid(q.params[i].value, q.params[i].value_len));
            }
            int64_t v;
            if (query_int(&q, "limit", 1, 200, 50, &v, &p) == 0)
                assert(v >= 1 && v <= 200);
            query_allow_only(&q, allowed, &p);
        }
        arena_destroy(a);
    }
    return 0;
}
