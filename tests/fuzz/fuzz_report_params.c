/*
 * fuzz_report_params.c — libFuzzer harness for the flex report's parameters
 * (src/report/report_params.c): any query string the strict query parser accepts is read as a
 * report's, as an admin and as a partner. Checks that a failure records a problem, that success
 * yields at least one known dimension, sort keys that are metrics or grouped dimensions, and a
 * time zone name of the documented shape.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "report/report_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int admin = 0; admin < 2; admin++) {
        arena_t *a = arena_create(4096);
        problem_t p;
        problem_init(&p, a);
        query_t q;
        if (query_parse(a, (const char *)data, size, false, &q, &p) == 0) {
            report_params_t rp;
            int rc = report_params_parse(&q, a, admin, &rp, &p);
            assert(rc == 0 || problem_has(&p));
            if (rc == 0) {
                assert(rp.ngroup >= 1 && rp.ngroup <= REPORT_DIMS_MAX);
                for (int i = 0; i < rp.ngroup; i++)
                    assert(report_is_dimension(rp.group[i]));
                size_t i;
                json_t *e;
                json_array_foreach(rp.sort, i, e)
                {
                    const char *k = json_string_value(json_array_get(e, 0));
                    assert(k && (report_is_metric(k) || report_is_dimension(k)));
                }
                assert(report_tz_name_valid(rp.tz, strlen(rp.tz)));
                report_params_free(&rp);
            }
        }
        arena_destroy(a);
    }
    return 0;
}
