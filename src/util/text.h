/*
 * text.h — small pure helpers for strings off the wire: UTF-8 length and validity, control
 * characters, hex, escaping for SQL LIKE patterns, canonical decimals. Strings are (pointer, length) slices.
 */
#ifndef TRACKGEN_TEXT_H
#define TRACKGEN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

bool text_utf8_valid(const char *s, size_t len);
/* Number of code points; s must be valid UTF-8. */
size_t text_utf8_length(const char *s, size_t len);
/* True if s contains C0/C1 control characters or DEL; with allow_newlines, \n \r \t are fine. */
bool text_has_control(const char *s, size_t len, bool allow_newlines);
/* True if s (valid UTF-8) has no character but white space: empty, or only the Unicode space
 * separators (U+0020, U+00A0, U+1680, U+2000..U+200A, U+202F, U+205F, U+3000) and \t \n \r. */
bool text_is_blank(const char *s, size_t len);
/* Writes 2*n lowercase hex digits and a NUL to out (size >= 2*n + 1). */
void text_hex(const unsigned char *in, size_t n, char *out);
/* The value of one hex digit (either case), or -1. */
int text_hex_digit(char c);
/* Copy of s with \ % _ escaped by a backslash, for `LIKE … ESCAPE '\'`. Memory from the arena. */
char *text_like_escape(arena_t *a, const char *s, size_t len);
/* Exact ASCII token check: 1..max chars of [A-Za-z0-9._-]. */
bool text_is_token(const char *s, size_t len, size_t max);
/* A non-negative decimal in its one spelling (digits only: no sign, no space, no leading zero
 * except "0" itself), at most max (>= 0). False for anything else; *out is set only on success. */
bool text_parse_decimal(const char *s, size_t len, int64_t max, int64_t *out);

#endif
