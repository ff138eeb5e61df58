/*
 * sniff.c — file formats from magic bytes and image dimensions from their headers (see sniff.h).
 * Every reader here is bounded by the head's length and checks it before each read, so a truncated
 * or hostile head yields "not recognised" or dimensions 0, never a read past its end.
 */
#include "creative/sniff.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/text.h"

#define DIM_MAX 1000000 /* larger "dimensions" are not believed */

typedef struct {
    const char *content_type, *extension, *creative_type;
    bool active;
} format_t;

static const format_t F_PNG = {"image/png", "png", "image", false};
static const format_t F_JPEG = {"image/jpeg", "jpg", "image", false};
static const format_t F_GIF = {"image/gif", "gif", "image", false};
static const format_t F_WEBP = {"image/webp", "webp", "image", false};
static const format_t F_SVG = {"image/svg+xml", "svg", "image", true};
static const format_t F_HTML = {"text/html; charset=utf-8", "html", "html", true};
static const format_t F_ZIP = {"application/zip", "zip", "archive", false};
static const format_t F_MP4 = {"video/mp4", "mp4", "video", false};
static const format_t F_WEBM = {"video/webm", "webm", "video", false};
static const format_t F_PDF = {"application/pdf", "pdf", "document", false};
static const format_t F_TEXT = {"text/plain; charset=utf-8", "txt", "text", false};

static bool set(sniff_result_t *out, const format_t *f, long w, long h)
{
    out->content_type = f->content_type;
    out->extension = f->extension;
    out->creative_type = f->creative_type;
    out->active_content = f->active;
    if (w > 0 && h > 0 && w <= DIM_MAX && h <= DIM_MAX) {
        out->width = (int)w;
        out->height = (int)h;
    }
    return true;
}

static bool starts(const unsigned char *p, size_t len, const char *magic, size_t n)
{
    return len >= n && memcmp(p, magic, n) == 0;
}

static uint32_t be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}
static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[1] << 8 | p[0];
}
static uint32_t le24(const unsigned char *p)
{
    return (uint32_t)p[2] << 16 | le16(p);
}
static uint32_t be32(const unsigned char *p)
{
    return be16(p) << 16 | be16(p + 2);
}

/* ---- binary formats ---- */

static bool sniff_png(const unsigned char *p, size_t len, sniff_result_t *out)
{
    if (!starts(p, len, "\x89PNG\r\n\x1a\n", 8))
        return false;
    if (len >= 24 && memcmp(p + 12, "IHDR", 4) == 0)
        return set(out, &F_PNG, (long)be32(p + 16), (long)be32(p + 20));
    return set(out, &F_PNG, 0, 0);
}

static bool sniff_gif(const unsigned char *p, size_t len, sniff_result_t *out)
{
    if (!starts(p, len, "GIF87a", 6) && !starts(p, len, "GIF89a", 6))
        return false;
    return len >= 10 ? set(out, &F_GIF, (long)le16(p + 6), (long)le16(p + 8)) : set(out, &F_GIF, 0, 0);
}

/* Walks the JPEG markers up to the first frame header (SOF0..SOF15 but DHT C4, JPG C8, DAC CC). */
static bool sniff_jpeg(const unsigned char *p, size_t len, sniff_result_t *out)
{
    if (!starts(p, len, "\xff\xd8\xff", 3))
        return false;
    size_t i = 2;
    while (i + 1 < len) {
        if (p[i] != 0xff)
            break;                              /* not a marker where one must be: no dimensions */
        while (i + 1 < len && p[i + 1] == 0xff) /* fill bytes */
            i++;
        if (i + 1 >= len)
            break;
        unsigned m = p[i + 1];
        i += 2;
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd8)) /* TEM, RSTn, SOI: no length */
            continue;
        if (m == 0xd9 || m == 0xda) /* EOI, SOS: no frame header before them */
            break;
        if (i + 2 > len)
            break;
        uint32_t seg = be16(p + i);
        if (seg < 2)
            break;
        if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
            if (seg >= 7 && i + 7 <= len) /* length, precision, height, width */
                return set(out, &F_JPEG, (long)be16(p + i + 5), (long)be16(p + i + 3));
            break;
        }
        i += seg;
    }
    return set(out, &F_JPEG, 0, 0);
}

static bool sniff_webp(const unsigned char *p, size_t len, sniff_result_t *out)
{
    if (len < 16 || memcmp(p, "RIFF", 4) != 0 || memcmp(p + 8, "WEBP", 4) != 0)
        return false;
    const unsigned char *c = p + 12, *d = p + 20;
    if (memcmp(c, "VP8 ", 4) == 0) {
        if (len >= 30 && memcmp(d + 3, "\x9d\x01\x2a", 3) == 0)
            return set(out, &F_WEBP, (long)(le16(d + 6) & 0x3fff), (long)(le16(d + 8) & 0x3fff));
    } else if (memcmp(c, "VP8L", 4) == 0) {
        if (len >= 25 && d[0] == 0x2f) {
            uint32_t b = le24(d + 1) | (uint32_t)d[4] << 24;
            return set(out, &F_WEBP, (long)(b & 0x3fff) + 1, (long)((b >> 14) & 0x3fff) + 1);
        }
    } else if (memcmp(c, "VP8X", 4) == 0) {
        if (len >= 30)
            return set(out, &F_WEBP, (long)le24(d + 4) + 1, (long)le24(d + 7) + 1);
    } else if (len >= 20) {
        return false; /* a RIFF/WEBP with another first chunk: not a WebP we know */
    }
    return set(out, &F_WEBP, 0, 0);
}

static bool sniff_mp4(const unsigned char *p, size_t len, sniff_result_t *out)
{
    if (len < 12 || memcmp(p + 4, "ftyp", 4) != 0 || (be32(p) < 12 && be32(p) != 0 && be32(p) != 1))
        return false;
    static const char *const image_brands[] = {"mif1", "msf1", "heic", "heix", "hevc", "hevx", "heim",
                                               "heis", "hevm", "hevs", "avif", "avis", "avio"};
    for (size_t i = 0; i < sizeof image_brands / sizeof image_brands[0]; i++)
        if (memcmp(p + 8, image_brands[i], 4) == 0)
            return false;
    return set(out, &F_MP4, 0, 0);
}

/* An EBML variable-size integer at p[*i] (IDs keep their marker bits); false past len or if invalid. */
static bool ebml_vint(const unsigned char *p, size_t len, size_t *i, bool keep_marker, uint64_t *v)
{
    if (*i >= len || p[*i] == 0)
        return false;
    unsigned n = 1;
    while (!(p[*i] & (0x80 >> (n - 1))))
        n++;
    if (*i + n > len)
        return false;
    uint64_t x = keep_marker ? p[*i] : (p[*i] & (0xffu >> n));
    for (unsigned k = 1; k < n; k++)
        x = x << 8 | p[*i + k];
    *i += n;
    *v = x;
    return true;
}

/* WebM: an EBML header whose DocType is "webm" (a head cut before the DocType is given the benefit
 * of the doubt; another DocType, e.g. "matroska", is refused). */
static bool sniff_webm(const unsigned char *p, size_t len, sniff_result_t *out)
{
    if (!starts(p, len, "\x1a\x45\xdf\xa3", 4))
        return false;
    size_t i = 4;
    uint64_t size, id, n;
    if (ebml_vint(p, len, &i, false, &size)) {
        size_t end = size < len - i ? i + (size_t)size : len;
        while (i < end && ebml_vint(p, end, &i, true, &id) && ebml_vint(p, end, &i, false, &n)) {
            if (id == 0x4282)
                return n == 4 && i + 4 <= end && memcmp(p + i, "webm", 4) == 0 ? set(out, &F_WEBM, 0, 0) : false;
            if (n > end - i)
                break;
            i += (size_t)n;
        }
    }
    return set(out, &F_WEBM, 0, 0);
}

/* ---- markup: SVG and HTML ---- */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool ci_starts(const unsigned char *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    return len >= n && strncasecmp((const char *)p, s, n) == 0;
}

/* Whether p (len bytes) starts with the tag name s ("<div") followed by a delimiter (or the head's end). */
static bool tag_starts(const unsigned char *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    return ci_starts(p, len, s) && (len == n || is_space(p[n]) || p[n] == '>' || p[n] == '/');
}

/* Index just past the first occurrence of end at or after i, or len when there is none. */
static size_t skip_past(const unsigned char *p, size_t len, size_t i, const char *end)
{
    size_t n = strlen(end);
    const unsigned char *f = i < len ? memmem(p + i, len - i, end, n) : NULL;
    return f ? (size_t)(f - p) + n : len;
}

/* The end of a DOCTYPE starting at i: the '>' outside of quotes and of an internal subset [...]. */
static size_t skip_doctype(const unsigned char *p, size_t len, size_t i)
{
    int depth = 0;
    unsigned char quote = 0;
    for (; i < len; i++) {
        unsigned char c = p[i];
        if (quote)
            quote = c == quote ? 0 : quote;
        else if (c == '"' || c == '\'')
            quote = c;
        else if (c == '[')
            depth++;
        else if (c == ']' && depth > 0)
            depth--;
        else if (c == '>' && depth == 0)
            return i + 1;
    }
    return len;
}

/* Copies an attribute value (n bytes) into buf as a C string; false when it does not fit. */
static bool svg_value(const char *v, size_t n, char *buf, size_t size)
{
    if (n >= size)
        return false;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return true;
}

/* The next number of s at *end (an SVG number: strtod's decimal forms, finite); false if none. */
static bool svg_number(const char *s, char **end, double *x)
{
    while (is_space((unsigned char)*s))
        s++;
    if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '+'))
        return false; /* no inf, nan or hexadecimal */
    if ((*s == '0' && (s[1] == 'x' || s[1] == 'X')) ||
        ((*s == '-' || *s == '+') && s[1] == '0' && (s[2] == 'x' || s[2] == 'X')))
        return false;
    *x = strtod(s, end);
    return *end != s && isfinite(*x);
}

/* A length in an SVG width/height attribute: a number, unitless or in px; -1 otherwise. */
static double svg_length(const char *v, size_t n)
{
    char buf[64], *end;
    double x;
    if (!svg_value(v, n, buf, sizeof buf) || !svg_number(buf, &end, &x))
        return -1;
    if (strncasecmp(end, "px", 2) == 0)
        end += 2;
    while (is_space((unsigned char)*end))
        end++;
    return *end == '\0' ? x : -1;
}

/* The third and fourth numbers of a viewBox ("min-x min-y width height", space and/or comma separated). */
static bool svg_viewbox(const char *v, size_t n, double *w, double *h)
{
    char buf[128], *s = buf, *end;
    double nums[4];
    if (!svg_value(v, n, buf, sizeof buf))
        return false;
    for (int k = 0; k < 4; k++) {
        while (is_space((unsigned char)*s) || (k > 0 && *s == ','))
            s++;
        if (!svg_number(s, &end, &nums[k]))
            return false;
        s = end;
    }
    *w = nums[2];
    *h = nums[3];
    return true;
}

static long round_dim(double x)
{
    return x > 0 && x <= DIM_MAX ? (long)(x + 0.5) : 0;
}

/* The attributes of the root <svg ...> tag starting at p[i] (just past "<svg"). */
static bool sniff_svg_root(const unsigned char *p, size_t len, size_t i, sniff_result_t *out)
{
    double w = -1, h = -1, vw = -1, vh = -1;
    while (i < len) {
        while (i < len && is_space(p[i]))
            i++;
        if (i >= len || p[i] == '>' || p[i] == '/')
            break;
        size_t ns = i;
        while (i < len && !is_space(p[i]) && p[i] != '=' && p[i] != '>' && p[i] != '/')
            i++;
        size_t nlen = i - ns;
        while (i < len && is_space(p[i]))
            i++;
        if (nlen == 0 || i >= len || p[i] != '=') {
            if (nlen == 0)
                i++;  /* stray character: skip it */
            continue; /* attribute without a value */
        }
        i++;
        while (i < len && is_space(p[i]))
            i++;
        if (i >= len || (p[i] != '"' && p[i] != '\''))
            break; /* unquoted values are not XML: stop reading attributes */
        unsigned char q = p[i++];
        const unsigned char *e = memchr(p + i, q, len - i);
        if (!e)
            break; /* the tag is cut by the end of the head */
        const char *v = (const char *)p + i;
        size_t vlen = (size_t)(e - p) - i;
        const char *name = (const char *)p + ns;
        if (nlen == 5 && memcmp(name, "width", 5) == 0)
            w = svg_length(v, vlen);
        else if (nlen == 6 && memcmp(name, "height", 6) == 0)
            h = svg_length(v, vlen);
        else if (nlen == 7 && memcmp(name, "viewBox", 7) == 0 && !svg_viewbox(v, vlen, &vw, &vh))
            vw = vh = -1;
        i = (size_t)(e - p) + 1;
    }
    if (w > 0 && h > 0)
        return set(out, &F_SVG, round_dim(w), round_dim(h));
    return set(out, &F_SVG, round_dim(vw), round_dim(vh));
}

/* A namespace-prefixed SVG root, "<prefix:svg": the index just past "svg", or 0. */
static size_t svg_prefixed_root(const unsigned char *p, size_t len, size_t i)
{
    size_t j = i + 1;
    while (j < len && j - i <= 64 &&
           ((p[j] >= 'a' && p[j] <= 'z') || (p[j] >= 'A' && p[j] <= 'Z') || (p[j] >= '0' && p[j] <= '9') ||
            p[j] == '_' || p[j] == '-' || p[j] == '.'))
        j++;
    if (j == i + 1 || j >= len || p[j] != ':' || !tag_starts(p + j, len - j, ":svg"))
        return 0;
    return j + 4;
}

static bool sniff_markup(const unsigned char *p, size_t len, sniff_result_t *out)
{
    static const char *const html_tags[] = {"<html", "<head",   "<body",   "<div",   "<table", "<a",     "<p",
                                            "<img",  "<span",   "<center", "<style", "<meta",  "<title", "<script",
                                            "<link", "<iframe", "<font",   "<br",    "<b",     "<h1",    "<h2",
                                            "<h3",   "<h4",     "<h5",     "<h6",    "<ul",    "<form"};
    size_t i = starts(p, len, "\xef\xbb\xbf", 3) ? 3 : 0;
    for (;;) {
        while (i < len && is_space(p[i]))
            i++;
        if (i >= len || p[i] != '<')
            return false;
        if (ci_starts(p + i, len - i, "<!--"))
            i = skip_past(p, len, i + 4, "-->");
        else if (ci_starts(p + i, len - i, "<?"))
            i = skip_past(p, len, i + 2, "?>");
        else if (ci_starts(p + i, len - i, "<!doctype")) {
            size_t j = i + 9;
            while (j < len && is_space(p[j]))
                j++;
            if (tag_starts(p + j, len - j, "html"))
                return set(out, &F_HTML, 0, 0);
            i = skip_doctype(p, len, i + 9);
        } else
            break;
    }
    if (tag_starts(p + i, len - i, "<svg"))
        return sniff_svg_root(p, len, i + 4, out);
    size_t prefixed = svg_prefixed_root(p, len, i);
    if (prefixed)
        return sniff_svg_root(p, len, prefixed, out);
    for (size_t k = 0; k < sizeof html_tags / sizeof html_tags[0]; k++)
        if (tag_starts(p + i, len - i, html_tags[k]))
            return set(out, &F_HTML, 0, 0);
    return false;
}

/* ---- plain text ---- */

static bool sniff_text(const unsigned char *p, size_t len, bool complete, sniff_result_t *out)
{
    size_t start = starts(p, len, "\xef\xbb\xbf", 3) ? 3 : 0;
    if (len <= start)
        return false;
    size_t end = len;
    if (!complete) { /* a sequence cut by the end of the head is not an error */
        size_t k = len, back = 0;
        while (k > start && back < 3 && (p[k - 1] & 0xc0) == 0x80)
            k--, back++;
        if (k > start && p[k - 1] >= 0xc0) {
            unsigned c = p[k - 1];
            size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            if (len - (k - 1) < need)
                end = k - 1;
        }
    }
    if (!text_utf8_valid((const char *)p + start, end - start))
        return false;
    for (size_t i = start; i < end; i++) {
        unsigned char c = p[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f)
            return false;
        if (c == 0xc2 && i + 1 < end && p[i + 1] <= 0x9f) /* C1 controls U+0080..U+009F */
            return false;
    }
    return set(out, &F_TEXT, 0, 0);
}

bool sniff_detect(const unsigned char *head, size_t len, bool complete, sniff_result_t *out)
{
    memset(out, 0, sizeof *out);
    if (!head)
        return false;
    if (len > SNIFF_HEAD_MAX) {
        len = SNIFF_HEAD_MAX;
        complete = false;
    }
    if (sniff_png(head, len, out) || sniff_gif(head, len, out) || sniff_jpeg(head, len, out) ||
        sniff_webp(head, len, out) || sniff_mp4(head, len, out) || sniff_webm(head, len, out))
        return true;
    if (starts(head, len, "%PDF-", 5))
        return set(out, &F_PDF, 0, 0);
    if (starts(head, len, "PK\x03\x04", 4) || starts(head, len, "PK\x05\x06", 4))
        return set(out, &F_ZIP, 0, 0);
    return sniff_markup(head, len, out) || sniff_text(head, len, complete, out);
}

bool sniff_type_allows(const char *declared, const sniff_result_t *s)
{
    if (!declared || !s || !s->creative_type)
        return false;
    if (strcmp(declared, "email") == 0)
        return strcmp(s->creative_type, "html") == 0 || strcmp(s->creative_type, "text") == 0;
    static const char *const same[] = {"image", "html", "text", "video", "document", "archive"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (strcmp(declared, same[i]) == 0)
            return strcmp(s->creative_type, declared) == 0;
    return false;
}
