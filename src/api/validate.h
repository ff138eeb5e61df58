/*
 * validate.h — validates a JSON request object against a table of field specs.
 *
 * Each resource declares its writable fields once as a field_spec_t table indexed by an enum;
 * validate_object() checks types, required/nullable, lengths (in code points), ranges, enums,
 * URLs, e-mail and currency codes, rejects unknown fields, records EVERY bad field in the
 * problem (in = "body") and fills one field_value_t per spec. Values borrow from the json_t,
 * which must outlive them.
 */
#ifndef TRACKGEN_VALIDATE_H
#define TRACKGEN_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/problem.h"

typedef enum {
    VF_STRING,   /* single line, no control characters */
    VF_TEXT,     /* may contain newlines and tabs */
    VF_URL,      /* url_check() rules */
    VF_ENUM,     /* one of spec.values */
    VF_EMAIL,    /* local@domain, 3..254 chars */
    VF_CURRENCY, /* ISO 4217 style: three uppercase ASCII letters */
    VF_INT,      /* integer in [min, max] */
    VF_BOOL,
    VF_STRING_LIST, /* an array of at most spec.max VF_STRINGs, each min_len..max_len; as SQL text: the JSON array */
    VF_ANY,         /* any JSON value; the caller checks it (value in field_value_t.json) */
} vf_kind_t;

typedef struct {
    const char *name;
    vf_kind_t kind;
    bool required;             /* must be present and not null */
    bool nullable;             /* null is accepted (means "none") */
    size_t min_len, max_len;   /* strings, in code points; max_len 0 = no limit beyond the kind's own */
    bool not_blank;            /* strings: at least one character that is not white space (text_is_blank) */
    int64_t min, max;          /* VF_INT; VF_STRING_LIST: max = most items */
    const char *const *values; /* VF_ENUM, NULL-terminated */
} field_spec_t;

typedef struct {
    bool present; /* the key was in the object */
    bool is_null;
    const char *s; /* strings: borrowed from the json_t, NUL-terminated */
    size_t len;
    int64_t i;
    bool b;
    const json_t *json; /* the value as given (borrowed) */
} field_value_t;

/* obj must be a JSON object. out has n entries. Returns 0, or -1 with every problem recorded. */
int validate_object(const json_t *obj, const field_spec_t *specs, size_t n, field_value_t *out, problem_t *p);

/* Convenience for SQL parameters: the value as text, or NULL when absent or null. Integers and
 * booleans are printed into the arena. */
const char *field_text(arena_t *a, const field_value_t *v, const field_spec_t *spec);

#endif
