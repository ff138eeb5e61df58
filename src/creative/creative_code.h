/*
 * creative_code.h — a creative's HTML, e-mail or text body with the partner's tracking link in
 * it. Two placeholders are filled: `{tracking_link}` (the click's redirect URL) and
 * `{impression_pixel}` (HTML: a 1×1 <img> of the impression URL; text: the impression URL).
 * In HTML the URLs are HTML-escaped (`&` → `&amp;`, quotes, `<`, `>`), so they are right inside
 * an attribute and can never close it; in text they are inserted as they are. Anything else,
 * other `{names}` included, is left untouched. Pure.
 */
#ifndef TRACKGEN_CREATIVE_CODE_H
#define TRACKGEN_CREATIVE_CODE_H

#include <stdbool.h>

#include "util/buf.h"

/* Whether tmpl holds `{impression_pixel}` (the caller then needs an impression URL). */
bool creative_code_wants_pixel(const char *tmpl);
/* Appends tmpl with the placeholders filled to out: link and pixel_url (NULL = left empty).
 * Returns BUF_OK, or the buffer's error (out is then emptied). */
int creative_code_fill(const char *tmpl, const char *link, const char *pixel_url, bool html, buf_t *out);
/* Appends s HTML-escaped (& < > " ') to out. Returns BUF_OK or the buffer's error. */
int creative_code_html_escape(const char *s, buf_t *out);

#endif
