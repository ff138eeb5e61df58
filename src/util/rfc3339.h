/*
 * rfc3339.h — strict RFC 3339 date-times ("2026-11-25T10:00:00.5+01:00") to microseconds since
 * the Unix epoch, so a time from a query string reaches PostgreSQL as an integer it cannot refuse.
 *
 * Accepted: YYYY-MM-DD, 'T' or 't', HH:MM:SS, optional fraction (any number of digits; beyond
 * microseconds it is truncated), then 'Z', 'z' or ±HH:MM. Every field is range-checked with the
 * real length of the month (leap years included). Seconds may be 60 (a leap second), counted as
 * the first second of the next minute, as PostgreSQL does. Years 0000–9999 (0000 = 1 BC). Pure.
 */
#ifndef TRACKGEN_RFC3339_H
#define TRACKGEN_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* Parses s (len bytes, not necessarily NUL-terminated). Returns 0 with *micros set, or -1 with a
 * static reason (e.g. "day 30 does not exist in February 2026") in *why. */
int rfc3339_parse(const char *s, size_t len, int64_t *micros, const char **why);

#endif
