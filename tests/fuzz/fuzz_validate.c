/*
 * fuzz_validate.c — libFuzzer harness for JSON body validation (src/api/validate.c): any bytes
 * through jansson as the worker reads a body, then validate_object() against a table with every
 * kind of field. An accepted object's strings must respect their specs' lengths.
 */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "api/validate.h"
#include "track/link_url.h"
#include "util/text.h"

static const char *const KINDS[] = {"click", "impression", NULL};

enum {
    F_NAME,
    F_TEXT,
    F_URL,
    F_KIND,
    F_EMAIL,
    F_CUR,
    F_INT,
    F_BOOL,
    F_ANY,
    F_SOURCE_ID,
    F_SUB1,
    F_SUB2,
    F_SUB3,
    F_SUB4,
    F_SUB5,
    F_COUNT
};

static const field_spec_t SPECS[F_COUNT] = {
    [F_NAME] = {"name", VF_STRING, .required = true, .min_len = 1, .max_len = 200},
    [F_TEXT] = {"description", VF_TEXT, .max_len = 5000},
    [F_URL] = {"destination_url", VF_URL, .nullable = true},
    [F_KIND] = {"kind", VF_ENUM, .values = KINDS},
    [F_EMAIL] = {"email", VF_EMAIL, .nullable = true},
    [F_CUR] = {"currency", VF_CURRENCY},
    [F_INT] = {"partner_id", VF_INT, .nullable = true, .min = 1, .max = INT64_MAX},
    [F_BOOL] = {"include_additional_urls", VF_BOOL},
    [F_ANY] = {"offers", VF_ANY},
    [F_SOURCE_ID] = LINK_PARAM_FIELDS, /* through F_SUB5 */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        return 0;
    if (json_is_object(j)) {
        arena_t *a = arena_create(4096);
        problem_t p;
        problem_init(&p, a);
        field_value_t v[F_COUNT];
        int rc = validate_object(j, SPECS, F_COUNT, v, &p);
        assert(rc == 0 ? !problem_has(&p) : problem_has(&p));
        assert(p.nerrors <= PROBLEM_ERRORS_MAX);
        if (rc == 0) {
            assert(v[F_NAME].present);
            size_t chars = text_utf8_length(v[F_NAME].s, v[F_NAME].len);
            assert(chars >= 1 && chars <= 200);
            if (v[F_INT].present && !v[F_INT].is_null)
                assert(v[F_INT].i >= 1);
            for (int i = F_SOURCE_ID; i <= F_SUB5; i++)
                if (v[i].present && !v[i].is_null)
                    assert(text_utf8_length(v[i].s, v[i].len) <= LINK_PARAM_MAX_CHARS);
        }
        json_t *pj = problem_to_json(&p, "/fuzz", NULL);
        json_decref(pj);
        arena_destroy(a);
    }
    json_decref(j);
    return 0;
}
