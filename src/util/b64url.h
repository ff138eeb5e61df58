/*
 * b64url.h — URL-safe base64 without padding (RFC 4648 §5), on top of OpenSSL's block coder.
 * Used by opaque cursors and tracking-link tokens. Pure.
 */
#ifndef TRACKGEN_B64URL_H
#define TRACKGEN_B64URL_H

#include <stddef.h>

/* Encodes n bytes; out needs 4 * ((n + 2) / 3) + 1 bytes. Returns the length written (NUL added). */
size_t b64url_encode(const unsigned char *in, size_t n, char *out);
/* Decodes len characters of the URL-safe alphabet into out (size max). Returns the number of
 * bytes, or -1 for a character outside the alphabet, an impossible length, a non-canonical last
 * character (spare low bits set) or too small an out. */
int b64url_decode(const char *s, size_t len, unsigned char *out, size_t max);

#endif
