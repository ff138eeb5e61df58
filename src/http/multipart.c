/*
 * multipart.c — streaming multipart/form-data parser (see multipart.h for the decisions).
 *
 * The body is scanned for the delimiter "\r\n--boundary" (as if the body began with "\r\n", so a
 * delimiter on its first line is found too). A boundary cannot hold CR, so the delimiter's only CR is
 * its first byte: when a partial match fails, the only shorter match that can remain is a lone CR. Data before a
 * possible delimiter is handed to part_data straight from the caller's piece; bytes that might begin a delimiter are
 * not copied anywhere — they are a prefix of the delimiter itself, so when they turn out to be data they are handed
 * over from the delimiter string. A part's header block is collected in a fixed buffer, then parsed into a second fixed
 * buffer that holds the strings part_begin sees.
 */
#include "http/multipart.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/text.h"

#define DELIM_MAX (4 + MULTIPART_BOUNDARY_MAX) /* "\r\n--" boundary */

typedef enum { MP_PREAMBLE, MP_DELIM, MP_HEADERS, MP_BODY, MP_EPILOGUE } mp_state_t;

struct multipart {
    const multipart_callbacks_t *cb;
    void *ctx;
    mp_state_t st;
    int rc;          /* 0, or the failure every later call repeats */
    const char *why; /* static text for rc */
    int parts;
    char delim[DELIM_MAX];
    size_t dlen;
    size_t k;  /* how many bytes of delim are matched so far */
    int after; /* MP_DELIM: 0 start, 1 one '-', 2 in spaces/tabs, 3 CR seen */
    size_t hlen;
    char hdr[MULTIPART_HEADERS_MAX];
    size_t slen;
    char strs[MULTIPART_HEADERS_MAX + 8]; /* name, filename, content type: at most the header's bytes + NULs */
};

static int fail(multipart_t *m, int rc, const char *why)
{
    m->rc = rc;
    m->why = why;
    return rc;
}

static int stopped(multipart_t *m, int rc)
{
    return rc ? fail(m, rc, "stopped by the caller") : 0;
}

/* ---- header values: RFC 7230 tokens and quoted-strings, RFC 2231-style parameters ---- */

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}

static size_t skip_ows(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

typedef struct {
    const char *s;
    size_t n, i;
} params_t;

/* The next `; name=value` of a header value: 1 with name (a slice of s) and the value unescaped into
 * val (cap bytes, NUL-terminated), 0 at the end, -1 when malformed or the value does not fit. */
static int param_next(params_t *ps, const char **name, size_t *nlen, char *val, size_t cap, size_t *vlen)
{
    const char *s = ps->s;
    size_t n = ps->n, i = skip_ows(s, n, ps->i), v = 0;
    if (i == n)
        return 0;
    if (s[i] != ';')
        return -1;
    i = skip_ows(s, n, i + 1);
    if (i == n) { /* a trailing ';' */
        ps->i = i;
        return 0;
    }
    size_t ns = i;
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == ns)
        return -1;
    *name = s + ns;
    *nlen = i - ns;
    i = skip_ows(s, n, i);
    if (i == n || s[i] != '=')
        return -1;
    i = skip_ows(s, n, i + 1);
    if (i < n && s[i] == '"') {
        for (i++;; i++) {
            if (i == n)
                return -1; /* unterminated */
            if (s[i] == '"')
                break;
            if (s[i] == '\\' && ++i == n)
                return -1;
            if (v + 1 >= cap)
                return -1;
            val[v++] = s[i];
        }
        i++;
    } else {
        while (i < n && is_tchar((unsigned char)s[i])) {
            if (v + 1 >= cap)
                return -1;
            val[v++] = s[i++];
        }
        if (v == 0)
            return -1;
    }
    val[v] = '\0';
    *vlen = v;
    ps->i = i;
    return 1;
}

static bool name_is(const char *name, size_t nlen, const char *want)
{
    return nlen == strlen(want) && strncasecmp(name, want, nlen) == 0;
}

/* RFC 2046 bchars, 1..70 of them, the last not a space. */
static bool boundary_valid(const char *b, size_t n)
{
    if (n < 1 || n > MULTIPART_BOUNDARY_MAX || b[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c != 0 && strchr("'()+_,-./:=? ", c));
        if (!ok)
            return false;
    }
    return true;
}

multipart_t *multipart_new(const char *content_type, const multipart_callbacks_t *cb, void *ctx, const char **why)
{
    static const char form[] = "multipart/form-data";
    const char *s = content_type ? content_type : "";
    size_t n = strlen(s), i = skip_ows(s, n, 0);
    size_t fl = sizeof form - 1;
    if (n - i < fl || strncasecmp(s + i, form, fl) != 0 ||
        (i + fl < n && s[i + fl] != ';' && s[i + fl] != ' ' && s[i + fl] != '\t')) {
        *why = "the Content-Type is not multipart/form-data";
        return NULL;
    }
    params_t ps = {s, n, i + fl};
    char val[256], boundary[MULTIPART_BOUNDARY_MAX + 1];
    const char *name;
    size_t nlen, vlen, blen = 0;
    bool seen = false;
    int r;
    while ((r = param_next(&ps, &name, &nlen, val, sizeof val, &vlen)) == 1) {
        if (!name_is(name, nlen, "boundary"))
            continue;
        if (seen || !boundary_valid(val, vlen)) {
            *why = "the multipart boundary is invalid (1 to 70 characters, RFC 2046)";
            return NULL;
        }
        seen = true;
        memcpy(boundary, val, vlen);
        blen = vlen;
    }
    if (r < 0) {
        *why = "the Content-Type's parameters are malformed";
        return NULL;
    }
    if (!seen) {
        *why = "the Content-Type has no boundary parameter";
        return NULL;
    }
    multipart_t *m = calloc(1, sizeof *m);
    if (!m) {
        *why = "out of memory";
        return NULL;
    }
    m->cb = cb;
    m->ctx = ctx;
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, boundary, blen);
    m->dlen = 4 + blen;
    m->st = MP_PREAMBLE;
    m->k = 2; /* the body is read as if it began with CRLF */
    return m;
}

void multipart_free(multipart_t *m)
{
    free(m);
}

/* ---- a part's header block ---- */

/* Copies s (n bytes) into the string area; returns it. Fits: the strings come from distinct header bytes. */
static const char *keep(multipart_t *m, const char *s, size_t n)
{
    char *d = m->strs + m->slen;
    memmove(d, s, n);
    d[n] = '\0';
    m->slen += n + 1;
    return d;
}

/* Decodes an RFC 8187 ext-value (UTF-8'lang'percent-encoded) in place; its new length, or -1. */
static long ext_value_decode(char *v, size_t n)
{
    static const char charset[] = "UTF-8'";
    if (n < sizeof charset - 1 || strncasecmp(v, charset, sizeof charset - 1) != 0)
        return -1;
    const char *lang_end = memchr(v + 6, '\'', n - 6);
    if (!lang_end)
        return -1;
    size_t o = 0;
    for (size_t i = (size_t)(lang_end - v) + 1; i < n; i++) {
        if (v[i] != '%') {
            v[o++] = v[i];
            continue;
        }
        int hi = i + 2 < n ? text_hex_digit(v[i + 1]) : -1, lo = hi >= 0 ? text_hex_digit(v[i + 2]) : -1;
        if (lo < 0)
            return -1;
        v[o++] = (char)(hi << 4 | lo);
        i += 2;
    }
    return (long)o;
}

static bool utf8_text(const char *s, size_t n)
{
    return text_utf8_valid(s, n) && !text_has_control(s, n, false);
}

/* Content-Disposition: form-data; name="…"; filename="…"; filename*=UTF-8''… */
static int parse_disposition(multipart_t *m, const char *v, size_t n, const char **name, const char **filename)
{
    size_t t = 0;
    while (t < n && is_tchar((unsigned char)v[t]))
        t++;
    if (!name_is(v, t, "form-data"))
        return fail(m, -1, "a part's Content-Disposition is not form-data");
    params_t ps = {v, n, t};
    const char *pname, *plain = NULL, *ext = NULL;
    size_t nlen, vlen, plain_len = 0;
    int r;
    for (;;) {
        char *val = m->strs + m->slen;
        r = param_next(&ps, &pname, &nlen, val, sizeof m->strs - m->slen, &vlen);
        if (r <= 0)
            break;
        const char **dst = name_is(pname, nlen, "name")        ? name
                           : name_is(pname, nlen, "filename")  ? &plain
                           : name_is(pname, nlen, "filename*") ? &ext
                                                               : NULL;
        if (!dst)
            continue; /* another parameter: its value is overwritten by the next one */
        if (*dst)
            return fail(m, -1, "a part's Content-Disposition repeats a parameter");
        if (dst == &ext) {
            long d = ext_value_decode(val, vlen);
            if (d < 0 || !utf8_text(val, (size_t)d))
                return fail(m, -1, "a part's filename* is not UTF-8''-encoded UTF-8 text (RFC 8187)");
            vlen = (size_t)d;
            val[vlen] = '\0';
        } else if (dst == &plain)
            plain_len = vlen;
        *dst = val;
        m->slen += vlen + 1;
    }
    if (r < 0)
        return fail(m, -1, "a part's Content-Disposition is malformed");
    if (!*name || !**name)
        return fail(m, -1, "a part has no Content-Disposition name");
    if (!utf8_text(*name, strlen(*name)))
        return fail(m, -1, "a part's name is not UTF-8 text");
    if (plain && !ext && !utf8_text(plain, plain_len))
        return fail(m, -1, "a part's filename is not UTF-8 text");
    *filename = ext ? ext : plain;
    return 0;
}

static int begin_part(multipart_t *m)
{
    char *h = m->hdr;
    size_t n = m->hlen;
    for (size_t i = 0; i + 2 < n; i++) /* unfold obs-fold continuation lines */
        if (h[i] == '\r' && h[i + 1] == '\n' && (h[i + 2] == ' ' || h[i + 2] == '\t'))
            h[i] = h[i + 1] = ' ';
    const char *name = NULL, *filename = NULL, *type = NULL;
    bool disposition = false;
    m->slen = 0;
    for (size_t pos = 0; pos < n;) {
        const char *eol = memmem(h + pos, n - pos, "\r\n", 2); /* the block ends in CRLF */
        size_t end = (size_t)(eol - h);
        if (end == pos)
            break; /* the empty line */
        size_t c = pos;
        while (c < end && is_tchar((unsigned char)h[c]))
            c++;
        if (c == pos || c == end || h[c] != ':')
            return fail(m, -1, "a part has a malformed header line");
        size_t vs = skip_ows(h, end, c + 1), ve = end;
        while (ve > vs && (h[ve - 1] == ' ' || h[ve - 1] == '\t'))
            ve--;
        if (name_is(h + pos, c - pos, "Content-Disposition")) {
            if (disposition)
                return fail(m, -1, "a part has more than one Content-Disposition");
            disposition = true;
            if (parse_disposition(m, h + vs, ve - vs, &name, &filename) != 0)
                return m->rc;
        } else if (name_is(h + pos, c - pos, "Content-Type")) {
            if (type)
                return fail(m, -1, "a part has more than one Content-Type");
            type = keep(m, h + vs, ve - vs);
        }
        pos = end + 2;
    }
    if (!disposition)
        return fail(m, -1, "a part has no Content-Disposition name");
    m->st = MP_BODY;
    m->k = 0;
    return stopped(m, m->cb->part_begin(m->ctx, name, filename, type));
}

static void header_byte(multipart_t *m, unsigned char c)
{
    char prev = m->hlen ? m->hdr[m->hlen - 1] : 0;
    if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f) {
        fail(m, -1, "a part's headers contain a control character");
        return;
    }
    if ((prev == '\r') != (c == '\n')) {
        fail(m, -1, "a part's header lines do not end with CRLF");
        return;
    }
    if (m->hlen == MULTIPART_HEADERS_MAX) {
        fail(m, -1, "a part's headers are longer than 8 KiB");
        return;
    }
    m->hdr[m->hlen++] = (char)c;
    if (c == '\n' && (m->hlen == 2 || (m->hlen >= 4 && memcmp(m->hdr + m->hlen - 4, "\r\n\r\n", 4) == 0)))
        begin_part(m);
}

/* ---- delimiters and bodies ---- */

static void delimiter_byte(multipart_t *m, unsigned char c)
{
    switch (m->after) {
    case 0:
        if (c == '-') {
            m->after = 1;
            return;
        }
        /* fall through */
    case 2:
        if (c == ' ' || c == '\t')
            m->after = 2;
        else if (c == '\r')
            m->after = 3;
        else if (c == '\n')
            fail(m, -1, "a boundary delimiter line does not end with CRLF");
        else
            fail(m, -1, "a boundary delimiter line has other text after the boundary");
        return;
    case 1:
        if (c == '-')
            m->st = MP_EPILOGUE;
        else
            fail(m, -1, "a boundary delimiter line has other text after the boundary");
        return;
    default:
        if (c != '\n')
            fail(m, -1, "a boundary delimiter line does not end with CRLF");
        else if (++m->parts > MULTIPART_PARTS_MAX)
            fail(m, -1, "more than 16 parts");
        else {
            m->st = MP_HEADERS;
            m->hlen = 0;
        }
    }
}

/* Hands n bytes of a part's body to part_data (nothing in the preamble); nonzero when stopped. */
static int emit(multipart_t *m, const void *p, size_t n)
{
    if (m->st != MP_BODY || n == 0)
        return 0;
    return stopped(m, m->cb->part_data(m->ctx, p, n));
}

static void delimiter_seen(multipart_t *m)
{
    bool body = m->st == MP_BODY;
    m->st = MP_DELIM;
    m->after = 0;
    m->k = 0;
    if (body)
        stopped(m, m->cb->part_end(m->ctx));
}

/* Scans s (n bytes) of a body or the preamble for the delimiter; returns how many bytes it used. */
static size_t scan(multipart_t *m, const unsigned char *s, size_t n)
{
    size_t i = 0, start = 0; /* while k == 0, s[start..i) is data not handed over yet */
    while (i < n) {
        if (m->k == 0) {
            const unsigned char *cr = memchr(s + i, '\r', n - i);
            if (!cr)
                break;
            i = (size_t)(cr - s);
            if (emit(m, s + start, i - start))
                return i;
            m->k = 1;
            i++;
            continue;
        }
        unsigned char c = s[i];
        size_t k = m->k;
        if (c == (unsigned char)m->delim[k]) {
            m->k = k + 1;
            i++;
            if (m->k == m->dlen) {
                delimiter_seen(m);
                return i;
            }
            continue;
        }
        /* The bytes held back, delim[0..k) then c, are not a delimiter's start: hand them over, but
         * for c when it is a CR, which may start one. */
        m->k = c == '\r' ? 1 : 0;
        if (m->k) {
            if (emit(m, m->delim, k))
                return i + 1;
            start = ++i;
        } else {
            if (emit(m, m->delim, k))
                return i;
            start = i++; /* c itself is data */
        }
    }
    if (m->k == 0)
        emit(m, s + start, n - start);
    return n;
}

int multipart_feed(multipart_t *m, const void *p, size_t n, const char **why)
{
    const unsigned char *s = p;
    size_t i = 0;
    while (i < n && m->rc == 0) {
        switch (m->st) {
        case MP_PREAMBLE:
        case MP_BODY: i += scan(m, s + i, n - i); break;
        case MP_DELIM: delimiter_byte(m, s[i++]); break;
        case MP_HEADERS: header_byte(m, s[i++]); break;
        case MP_EPILOGUE: i = n; break;
        }
    }
    if (m->rc)
        *why = m->why;
    return m->rc;
}

int multipart_finish(multipart_t *m, const char **why)
{
    if (m->rc == 0 && m->st != MP_EPILOGUE)
        fail(m, -1,
             m->parts == 0 && m->st == MP_PREAMBLE ? "the body has no multipart boundary delimiter"
                                                   : "the body ends before the closing boundary delimiter");
    if (m->rc)
        *why = m->why;
    return m->rc;
}
