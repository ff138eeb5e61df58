/*
 * macro.h — fills `{name}` macros in a destination URL with URL-encoded values.
 *
 * Every value is percent-encoded (only RFC 3986 unreserved characters stay as they are), so no
 * value can add a character that changes the URL's structure or a header: `/`, `?`, `#`, `&`, `@`,
 * `\`, CR and LF all arrive encoded. A known macro without a value becomes empty; an unknown
 * `{name}` stays as it is. Pure.
 */
#ifndef TRACKGEN_MACRO_H
#define TRACKGEN_MACRO_H

#include <stddef.h>

#include "util/buf.h"

typedef struct {
    const char *name;  /* without braces */
    const char *value; /* NULL = empty */
} macro_t;

/* Appends tmpl with its macros filled to out. Returns BUF_OK, or the buffer's error (BUF_TOO_BIG
 * when out's cap is exceeded: out is then emptied, never left holding a cut URL). */
int macro_expand(const char *tmpl, const macro_t *macros, size_t n, buf_t *out);
/* Appends s percent-encoded (unreserved characters kept). Returns BUF_OK or the buffer's error. */
int macro_url_encode(const char *s, buf_t *out);

#endif
