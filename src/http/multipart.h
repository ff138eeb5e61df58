/*
 * multipart.h — a streaming multipart/form-data parser (RFC 7578 over RFC 2046): the upload path
 * feeds it the request body in pieces of any size and gets each part's name, file name and content
 * type, then its bytes, through callbacks. Memory is bounded whatever the input (one allocation of
 * about 17 KiB per parser): a part's header block is capped, the body is passed through as it comes,
 * holding back at most a possible delimiter (the boundary's length + 4 bytes). Pure: no I/O.
 *
 * Decisions: line ends are CRLF, as RFC 2046 and every browser send them; a bare LF or CR in a part's
 * header block is malformed, and in a body it is data. The preamble and epilogue are ignored. After a
 * delimiter only spaces/tabs then CRLF (or "--" for the closing one) may follow. Header names are
 * case-insensitive; folded header lines (obs-fold) are unfolded. Content-Disposition must be form-data
 * with a non-empty name; its parameters are tokens or quoted-strings with backslash escapes (browsers
 * do not escape '\' in file names: "a\b.png" arrives as "ab.png" — the base name is what counts);
 * filename*=UTF-8''… (RFC 8187, charset UTF-8 only) takes precedence over filename="…". Names and
 * file names must be UTF-8 without control characters. Other headers (Content-Transfer-Encoding …)
 * are ignored. Packaged C parsers: Debian 12 has none for C (only Perl, Python, Ruby, Node, Haskell).
 */
#ifndef TRACKGEN_MULTIPART_H
#define TRACKGEN_MULTIPART_H

#include <stddef.h>

#define MULTIPART_HEADERS_MAX 8192 /* bytes of one part's header block, its final empty line included */
#define MULTIPART_PARTS_MAX 16
#define MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */

typedef struct multipart multipart_t;

typedef struct {
    /* A part starts: its name (form field), filename (NULL if none; from filename*=UTF-8''… (RFC 5987/8187)
     * when present, else filename="…"), content_type (NULL if none; the header's value, trimmed). The strings
     * belong to the parser and stay valid until this part's part_end. Return 0, or nonzero to stop. */
    int (*part_begin)(void *ctx, const char *name, const char *filename, const char *content_type);
    /* The part's body, in pieces (never empty; p lent for the call only); 0, or nonzero to stop. */
    int (*part_data)(void *ctx, const void *p, size_t n);
    /* The part's closing delimiter was seen. Not called for a part cut short by an error, a callback's
     * stop or the body's end: the caller cleans up after a failing feed/finish. 0, or nonzero to stop. */
    int (*part_end)(void *ctx);
} multipart_callbacks_t;

/* From the request's Content-Type header value: a parser calling cb (the caller's, all three set, must
 * outlive the parser) with ctx; or NULL with *why set (static text) when it is not multipart/form-data,
 * the boundary parameter is missing/invalid (RFC 2046: 1..70 chars of bchars, not ending in a space;
 * quoted or token), or memory runs out. Free with multipart_free. */
multipart_t *multipart_new(const char *content_type, const multipart_callbacks_t *cb, void *ctx, const char **why);

/* Feeds the next piece of the body (p, n: any size, any split, including splits inside the boundary or
 * headers). Returns 0; -1 when malformed (*why: static text naming what, e.g. "a part has no
 * Content-Disposition name", "a part's headers are longer than 8 KiB", "more than 16 parts"); or the
 * callback's nonzero value (*why "stopped by the caller"). Once it failed, every later feed and finish
 * returns the same. */
int multipart_feed(multipart_t *m, const void *p, size_t n, const char **why);

/* At the end of the body: 0 if the closing delimiter was seen, else -1 with *why (or the earlier failure). */
int multipart_finish(multipart_t *m, const char **why);

/* Frees the parser; NULL-safe. */
void multipart_free(multipart_t *m);

#endif
