/*
 * qr_options.c — QR image options from the query string and Accept (see qr_options.h).
 */
#include "qr/qr_options.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

bool qr_parse_colour(const char *s, qr_rgb_t *out)
{
    if (*s == '#')
        s++;
    size_t n = strlen(s);
    if (n != 3 && n != 6)
        return false;
    int d[6];
    for (size_t i = 0; i < n; i++)
        if ((d[i] = text_hex_digit(s[i])) < 0)
            return false;
    if (n == 3) /* "f80" is "ff8800" */
        *out = (qr_rgb_t){(uint8_t)(d[0] * 17), (uint8_t)(d[1] * 17), (uint8_t)(d[2] * 17)};
    else
        *out = (qr_rgb_t){(uint8_t)(d[0] * 16 + d[1]), (uint8_t)(d[2] * 16 + d[3]), (uint8_t)(d[4] * 16 + d[5])};
    return true;
}

/* WCAG 2 relative luminance of an sRGB colour. */
static double luminance(qr_rgb_t c)
{
    const double ch[3] = {c.r / 255.0, c.g / 255.0, c.b / 255.0};
    double lin[3];
    for (int i = 0; i < 3; i++)
        lin[i] = ch[i] <= 0.04045 ? ch[i] / 12.92 : pow((ch[i] + 0.055) / 1.055, 2.4);
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

double qr_contrast_ratio(qr_rgb_t a, qr_rgb_t b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static int parse_colour_param(const query_t *q, const char *name, qr_rgb_t def, qr_rgb_t *out, problem_t *p)
{
    const char *v = query_get(q, name, NULL);
    *out = def;
    if (v && !qr_parse_colour(v, out))
        return problem_field(p, "query", name, "must be a hex colour: RRGGBB or RGB, optionally after '#'");
    return 0;
}

static int parse_ecc(const query_t *q, char *ecc, problem_t *p)
{
    const char *v = query_get(q, "ecc", NULL);
    *ecc = 'M';
    if (!v)
        return 0;
    char c = (char)toupper((unsigned char)v[0]);
    if (v[0] == '\0' || v[1] != '\0' || !strchr("LMQH", c))
        return problem_field(p, "query", "ecc", "must be one of L, M, Q, H");
    *ecc = c;
    return 0;
}

static int parse_download(const query_t *q, bool *download, problem_t *p)
{
    const char *v = query_get(q, "download", NULL);
    *download = false;
    if (!v)
        return 0;
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
        *download = true;
    else if (strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
        return problem_field(p, "query", "download", "must be 1, 0, true or false");
    return 0;
}

int qr_options_parse(const query_t *q, qr_options_t *o, problem_t *p)
{
    memset(o, 0, sizeof *o);
    int64_t size = QR_SIZE_DEFAULT, margin = QR_MARGIN_DEFAULT;
    int bad = 0;
    bad |= query_int(q, "size", QR_SIZE_MIN, QR_SIZE_MAX, QR_SIZE_DEFAULT, &size, p);
    bad |= query_int(q, "margin", 0, QR_MARGIN_MAX, QR_MARGIN_DEFAULT, &margin, p);
    bad |= parse_ecc(q, &o->ecc, p);
    int bad_fg = parse_colour_param(q, "fg", (qr_rgb_t){0, 0, 0}, &o->fg, p);
    int bad_bg = parse_colour_param(q, "bg", (qr_rgb_t){255, 255, 255}, &o->bg, p);
    bad |= bad_fg | bad_bg | parse_download(q, &o->download, p);
    o->size = (int)size;
    o->margin = (int)margin;
    if (!bad_fg && !bad_bg) {
        double ratio = qr_contrast_ratio(o->fg, o->bg);
        if (luminance(o->fg) > luminance(o->bg))
            bad |= problem_field(p, "query", "fg",
                                 "must be darker than bg: many scanners cannot read light-on-dark codes");
        else if (ratio < QR_CONTRAST_MIN)
            bad |= problem_field(p, "query", "fg",
                                 "has too little contrast with bg to scan reliably (%.2f:1; at least %.0f:1 needed)",
                                 floor(ratio * 100) / 100, QR_CONTRAST_MIN);
    }
    return bad ? -1 : 0;
}

int qr_options_parse_format(const query_t *q, qr_options_t *o, problem_t *p)
{
    const char *v = query_get(q, "format", NULL);
    if (!v)
        return 0;
    if (strcmp(v, "png") == 0)
        o->format = QR_FORMAT_PNG;
    else if (strcmp(v, "svg") == 0)
        o->format = QR_FORMAT_SVG;
    else
        return problem_field(p, "query", "format", "must be png or svg");
    return 0;
}

/* The q value of one Accept element's parameters ("; q=0.5"); 1 when absent, -1 if malformed. */
static double accept_q(const char *params, size_t len)
{
    double q = 1.0;
    for (size_t i = 0; i < len; i++) {
        if (params[i] != ';')
            continue;
        size_t j = i + 1;
        while (j < len && params[j] == ' ')
            j++;
        if (j + 1 < len && (params[j] == 'q' || params[j] == 'Q') && params[j + 1] == '=') {
            char num[8] = "";
            size_t k = 0;
            for (j += 2; j < len && k < sizeof num - 1 && (isdigit((unsigned char)params[j]) || params[j] == '.'); j++)
                num[k++] = params[j];
            char *end;
            q = strtod(num, &end);
            if (k == 0 || *end != '\0' || q < 0 || q > 1)
                return -1;
        }
    }
    return q;
}

static bool media_is(const char *s, size_t len, const char *type)
{
    return strlen(type) == len && strncasecmp(s, type, len) == 0;
}

/* How specifically an Accept media range names `exact` (an image type): 2 exactly, 1 by the
 * image wildcard range, 0 by the any-type wildcard, -1 not at all. */
static int specificity(const char *range, size_t len, const char *exact)
{
    return media_is(range, len, exact) ? 2 : media_is(range, len, "image/*") ? 1 : media_is(range, len, "*/*") ? 0 : -1;
}

/* The most specific range naming a type decides its q (RFC 9110 §12.5.1). */
typedef struct {
    int spec; /* -1: not named yet */
    double q;
} preference_t;

static void consider(preference_t *pref, int spec, double q)
{
    if (spec > pref->spec || (spec == pref->spec && spec >= 0 && q > pref->q))
        *pref = (preference_t){spec, q};
}

qr_format_t qr_format_from_accept(const char *accept)
{
    if (!accept || strspn(accept, " \t") == strlen(accept))
        return QR_FORMAT_PNG;
    preference_t png = {-1, 0}, svg = {-1, 0};
    for (const char *p = accept; *p;) {
        size_t len = strcspn(p, ",");
        const char *elem = p;
        p += len;
        if (*p == ',')
            p++;
        while (len && (*elem == ' ' || *elem == '\t'))
            elem++, len--;
        size_t type_len = strcspn(elem, ";,");
        if (type_len > len)
            type_len = len;
        while (type_len && (elem[type_len - 1] == ' ' || elem[type_len - 1] == '\t'))
            type_len--;
        double q = accept_q(elem + type_len, len - type_len);
        if (q < 0)
            continue; /* a malformed element is ignored, not fatal */
        consider(&png, specificity(elem, type_len, "image/png"), q);
        consider(&svg, specificity(elem, type_len, "image/svg+xml"), q);
    }
    if (svg.q > 0 && svg.q > png.q)
        return QR_FORMAT_SVG;
    if (png.q > 0)
        return QR_FORMAT_PNG;
    return QR_FORMAT_NONE;
}
