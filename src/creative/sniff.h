/*
 * sniff.h — what a file really is, from its magic bytes (never from its name or a declared type),
 * and its pixel dimensions where the format says them early: the upload path of creatives decides
 * the content type, extension and creative type of every stored file here, and whether it is active
 * content (SVG, HTML) that may only be served as a sandboxed attachment. Pure: no I/O, no allocation.
 */
#ifndef TRACKGEN_SNIFF_H
#define TRACKGEN_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

#define SNIFF_HEAD_MAX (256 * 1024) /* how much of the start of a file sniff_detect needs at most */

typedef struct {
    const char *content_type;  /* static: "image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml",
                                  "text/html; charset=utf-8", "application/zip", "video/mp4", "video/webm",
                                  "application/pdf", "text/plain; charset=utf-8"; NULL = not recognised */
    const char *extension;     /* static, without dot: "png", "jpg", "gif", "webp", "svg", "html", "zip", "mp4",
                                  "webm", "pdf", "txt" */
    const char *creative_type; /* static: which creative type the format belongs to: "image" (png jpeg gif webp
                                  svg), "html" (html), "video" (mp4 webm), "document" (pdf), "archive" (zip),
                                  "text" (plain text) */
    int width, height;         /* pixels, 0 when the format does not tell (or not in the head) */
    bool active_content;       /* svg and html: must only ever be served as an attachment with CSP sandbox */
} sniff_result_t;

/* Decides the format of a file from its first len bytes (head, the caller's; complete = head is the
 * whole file). Never trusts names or declared types. Returns true when recognised (out filled), false
 * otherwise (out zeroed). Reads at most SNIFF_HEAD_MAX bytes of head.
 *   PNG, GIF, JPEG, WebP (RIFF/WEBP with a VP8, VP8L or VP8X chunk), PDF (%PDF-), ZIP (PK\3\4 or the
 *   empty archive PK\5\6), MP4 (an ftyp box at offset 4; HEIF/AVIF image brands are not video and not
 *   recognised), WebM (EBML header; a DocType other than "webm", e.g. Matroska, is not recognised);
 *   SVG (root element <svg or <prefix:svg after an optional BOM, whitespace, XML declaration, processing instructions,
 *   comments and a non-HTML DOCTYPE); HTML (<!doctype html, or a common HTML element first, after the
 *   same prolog — an SVG is never HTML); text (non-empty, valid UTF-8 with an optional BOM, no NUL and
 *   no control character but tab, CR, LF, FF; a sequence cut by the end of an incomplete head is fine).
 * Dimensions: PNG IHDR, GIF logical screen, JPEG SOFn, WebP VP8/VP8L/VP8X, SVG width/height (px or
 * unitless) else viewBox, rounded; 0 when absent, out of range (> 1000000) or beyond the head. */
bool sniff_detect(const unsigned char *head, size_t len, bool complete, sniff_result_t *out);

/* Whether a creative of type `declared` ("image", "html", "email", "text", "video", "document",
 * "archive") may hold a file of the sniffed kind s: image<-image, html<-html, email<-html or text,
 * text<-text, video<-video, document<-document, archive<-archive. False for an unknown declared type
 * or an unrecognised s. */
bool sniff_type_allows(const char *declared, const sniff_result_t *s);

#endif
