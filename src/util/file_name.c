/*
 * file_name.c — safe file names from user input and their Content-Disposition header (see
 * file_name.h). Every name a client gives us passes through file_name_sanitize before it names a
 * download or a ZIP entry, so no name can climb directories, hide its real extension behind a
 * right-to-left override, or break a header.
 */
#include "util/file_name.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/text.h"

#define EXT_KEEP_MAX 32 /* an extension longer than this is not worth keeping when cutting */

static void copy_fallback(const char *fallback, char *out)
{
    if (!fallback)
        fallback = "file";
    size_t n = strlen(fallback);
    if (n > FILE_NAME_MAX) {
        n = FILE_NAME_MAX;
        while (n > 0 && ((unsigned char)fallback[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(out, fallback, n);
    out[n] = '\0';
}

/* The code point at p (valid UTF-8) and its length in bytes. */
static uint32_t utf8_decode(const unsigned char *p, size_t *n)
{
    if (p[0] < 0x80) {
        *n = 1;
        return p[0];
    }
    if ((p[0] & 0xe0) == 0xc0) {
        *n = 2;
        return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    }
    if ((p[0] & 0xf0) == 0xe0) {
        *n = 3;
        return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    }
    *n = 4;
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) | ((uint32_t)(p[2] & 0x3f) << 6) |
           (p[3] & 0x3f);
}

/* Control, bidirectional and invisible formatting characters: never part of a file name. */
static bool removed_code_point(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

static bool is_dot_or_space(char c)
{
    return c == '.' || c == ' ';
}

/* Whether the name (up to its first dot, trailing spaces ignored) is a Windows device name. */
static bool is_windows_device(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && s[n] != '.')
        n++;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    static const char *const devices[] = {"CON", "PRN", "AUX", "NUL"};
    if (n == 3)
        for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
            if (strncasecmp(s, devices[i], 3) == 0)
                return true;
    return n == 4 && (strncasecmp(s, "COM", 3) == 0 || strncasecmp(s, "LPT", 3) == 0) && s[3] >= '1' && s[3] <= '9';
}

/* The largest n <= max at which s (len > max bytes of UTF-8) can be cut between characters. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static size_t trim_trailing(const char *s, size_t n)
{
    while (n > 0 && is_dot_or_space(s[n - 1]))
        n--;
    return n;
}

/* Cuts s (len bytes) to at most FILE_NAME_MAX bytes into out, keeping a short extension. */
static void cut_into(const char *s, size_t len, char *out)
{
    if (len <= FILE_NAME_MAX) {
        memcpy(out, s, len);
        out[len] = '\0';
        return;
    }
    const char *dot = memrchr(s, '.', len);
    size_t ext = dot ? len - (size_t)(dot - s) : 0;
    if (dot && dot > s && ext <= EXT_KEEP_MAX) {
        size_t stem = trim_trailing(s, utf8_cut(s, FILE_NAME_MAX - ext));
        if (stem > 0) {
            memcpy(out, s, stem);
            memcpy(out + stem, dot, ext);
            out[stem + ext] = '\0';
            return;
        }
    }
    size_t n = trim_trailing(s, utf8_cut(s, FILE_NAME_MAX));
    memcpy(out, s, n); /* n > 0: s starts with neither a dot nor a space */
    out[n] = '\0';
}

void file_name_sanitize(const char *in, size_t len, const char *fallback, char *out)
{
    if (!in || !text_utf8_valid(in, len)) {
        copy_fallback(fallback, out);
        return;
    }
    size_t start = len;
    while (start > 0 && in[start - 1] != '/' && in[start - 1] != '\\')
        start--;
    const unsigned char *p = (const unsigned char *)in + start;
    size_t clen = len - start;
    char *tmp = malloc(clen + 2); /* + a '_' in front of a device name */
    if (!tmp) {
        copy_fallback(fallback, out);
        return;
    }
    size_t t = 1; /* tmp[0] is kept free for that '_' */
    for (size_t i = 0; i < clen;) {
        size_t n;
        uint32_t cp = utf8_decode(p + i, &n);
        if (!removed_code_point(cp)) {
            if (n == 1 && strchr("<>:\"|?*", (int)cp))
                tmp[t++] = '_';
            else {
                memcpy(tmp + t, p + i, n);
                t += n;
            }
        }
        i += n;
    }
    size_t b = 1;
    while (b < t && is_dot_or_space(tmp[b]))
        b++;
    t = trim_trailing(tmp, t);
    if (t <= b) {
        free(tmp);
        copy_fallback(fallback, out);
        return;
    }
    if (is_windows_device(tmp + b, t - b))
        tmp[--b] = '_';
    cut_into(tmp + b, t - b, out);
    free(tmp);
}

/* RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" */
static bool is_attr_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$&+-.^_`|~", c));
}

int file_name_disposition(const char *name, buf_t *out)
{
    int rc = buf_append_str(out, "attachment; filename=\"");
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)name; rc == BUF_OK && *p; p++) {
        unsigned char c = *p;
        if (c >= 0x80)
            ascii = false;
        if ((c & 0xc0) == 0x80) /* continuation byte: its character already has its '_' */
            continue;
        bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
        rc = buf_append_char(out, plain ? (char)c : '_');
        if (c < 0x20 || c == 0x7f)
            ascii = false;
    }
    if (rc == BUF_OK)
        rc = buf_append_char(out, '"');
    if (rc != BUF_OK || ascii)
        return rc;
    rc = buf_append_str(out, "; filename*=UTF-8''");
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)name; rc == BUF_OK && *p; p++) {
        if (is_attr_char(*p))
            rc = buf_append_char(out, (char)*p);
        else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = buf_append(out, esc, 3);
        }
    }
    return rc;
}
