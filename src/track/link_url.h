/*
 * link_url.h — the public URLs of a tracking link: {public_url}/{c|i|qr}/{token}{suffix} plus
 * the parameters that are set, in a fixed order (source_id, sub1..sub5), percent-encoded.
 * One builder for link generation and for the QR endpoint, so a QR code encodes exactly the
 * redirect_url that link generation returns. Pure.
 */
#ifndef TRACKGEN_LINK_URL_H
#define TRACKGEN_LINK_URL_H

#include "util/buf.h"

#define LINK_PARAM_COUNT 6
#define LINK_PARAM_MAX_CHARS 255 /* longest source_id / sub value, in characters, wherever links are made or clicked */

/* The six parameters as JSON body fields (api/validate.h's field_spec_t), in LINK_PARAM_NAMES
 * order, for a field table that has them as consecutive entries: `[F_SOURCE_ID] = LINK_PARAM_FIELDS`. */
#define LINK_PARAM_FIELDS                                                                   \
    {"source_id", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},            \
        {"sub1", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},             \
        {"sub2", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},             \
        {"sub3", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},             \
        {"sub4", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS},             \
        {"sub5", VF_STRING, .nullable = true, .max_len = LINK_PARAM_MAX_CHARS}

/* The query names, in URL order: source_id, sub1, …, sub5. */
extern const char *const LINK_PARAM_NAMES[LINK_PARAM_COUNT];

typedef struct {
    const char *values[LINK_PARAM_COUNT]; /* NULL = not set; index as LINK_PARAM_NAMES */
} link_params_t;

/* Appends the set parameters as "<first>name=value&name=value…" (nothing when none is set).
 * Returns BUF_OK or the buffer's error. */
int link_params_append(const link_params_t *lp, char first, buf_t *out);
/* Appends {public_url}/{path}/{token}{suffix}?{params}. Returns BUF_OK or the buffer's error. */
int link_url_build(const char *public_url, const char *path, const char *token, const char *suffix,
                   const link_params_t *lp, buf_t *out);

#endif
