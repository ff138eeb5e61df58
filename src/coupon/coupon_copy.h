/*
 * coupon_copy.h — rows in PostgreSQL's COPY text format, for the bulk writes of coupons (import,
 * generate): fields separated by tabs, a row ended by LF, NULL as \N, and backslash, tab, LF and CR
 * inside a value escaped so that any text reaches its column unchanged. Appends to a capped buf_t.
 * Pure.
 */
#ifndef TRACKGEN_COUPON_COPY_H
#define TRACKGEN_COUPON_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends one field (s NULL = SQL NULL; len bytes), preceded by a tab unless first. Returns BUF_OK
 * or the buffer's error. */
int coupon_copy_field(buf_t *out, const char *s, size_t len, bool first);
/* Ends the row. */
int coupon_copy_end_row(buf_t *out);

#endif
