/*
 * qr_options.h — what a QR image request may ask for (size, margin, error correction, colours,
 * download, format), read from the query string and the Accept header. Pure: no I/O.
 *
 * Defaults: 300 px, 4 modules of quiet zone, ECC M, black on white, PNG. Every bad value is
 * recorded in the problem naming its query parameter (in = "query").
 */
#ifndef TRACKGEN_QR_OPTIONS_H
#define TRACKGEN_QR_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "http/query.h"
#include "util/problem.h"

#define QR_SIZE_MIN 64
#define QR_SIZE_MAX 2048
#define QR_SIZE_DEFAULT 300
#define QR_MARGIN_MAX 16
#define QR_MARGIN_DEFAULT 4
#define QR_CONTRAST_MIN 3.0 /* WCAG contrast ratio below which scanners start to fail */

typedef enum { QR_FORMAT_NONE = 0, QR_FORMAT_PNG, QR_FORMAT_SVG } qr_format_t;

typedef struct {
    uint8_t r, g, b;
} qr_rgb_t;

typedef struct {
    int size;        /* the image's edge in pixels, exactly (modules as large as fit, the rest quiet zone) */
    int margin;      /* quiet zone, in modules */
    char ecc;        /* 'L', 'M', 'Q' or 'H' */
    qr_rgb_t fg, bg; /* dark modules, background */
    bool download;   /* answer with Content-Disposition: attachment */
    qr_format_t format;
} qr_options_t;

/* Reads size, margin, ecc, fg, bg and download from q into o (defaults for absent ones; format is
 * left QR_FORMAT_NONE). Returns 0, or -1 with every bad parameter recorded in p. */
int qr_options_parse(const query_t *q, qr_options_t *o, problem_t *p);
/* Reads the optional `format` parameter (png|svg). Returns 0 (o->format unchanged when absent)
 * or -1 with the problem recorded. */
int qr_options_parse_format(const query_t *q, qr_options_t *o, problem_t *p);
/* The format an Accept header prefers: PNG unless image/svg+xml has a strictly higher q;
 * PNG for a missing or empty header; QR_FORMAT_NONE when it accepts neither. */
qr_format_t qr_format_from_accept(const char *accept);
/* Parses "RRGGBB" or "RGB", with an optional leading '#'. Returns false if it is neither. */
bool qr_parse_colour(const char *s, qr_rgb_t *out);
/* The WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white). */
double qr_contrast_ratio(qr_rgb_t a, qr_rgb_t b);

#endif
