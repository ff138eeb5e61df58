/*
 * creative_code.c — placeholders of creative bodies filled with a partner's links (see creative_code.h).
 */
#include "creative/creative_code.h"

#include <string.h>

#define TRACKING_LINK "{tracking_link}"
#define IMPRESSION_PIXEL "{impression_pixel}"

bool creative_code_wants_pixel(const char *tmpl)
{
    return tmpl && strstr(tmpl, IMPRESSION_PIXEL) != NULL;
}

int creative_code_html_escape(const char *s, buf_t *out)
{
    int rc = BUF_OK;
    for (; *s && rc == BUF_OK; s++) {
        switch (*s) {
        case '&': rc = buf_append_str(out, "&amp;"); break;
        case '<': rc = buf_append_str(out, "&lt;"); break;
        case '>': rc = buf_append_str(out, "&gt;"); break;
        case '"': rc = buf_append_str(out, "&quot;"); break;
        case '\'': rc = buf_append_str(out, "&#39;"); break;
        default: rc = buf_append_char(out, *s); break;
        }
    }
    return rc;
}

static int append_url(const char *url, bool html, buf_t *out)
{
    if (!url)
        return BUF_OK;
    return html ? creative_code_html_escape(url, out) : buf_append_str(out, url);
}

static int append_pixel(const char *url, bool html, buf_t *out)
{
    if (!url || !html)
        return append_url(url, html, out);
    int rc = buf_append_str(out, "<img src=\"");
    rc = rc == BUF_OK ? creative_code_html_escape(url, out) : rc;
    return rc == BUF_OK ? buf_append_str(out, "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">") : rc;
}

int creative_code_fill(const char *tmpl, const char *link, const char *pixel_url, bool html, buf_t *out)
{
    int rc = BUF_OK;
    const char *p = tmpl;
    while (rc == BUF_OK && *p) {
        const char *brace = strchr(p, '{');
        if (!brace) {
            rc = buf_append_str(out, p);
            break;
        }
        rc = buf_append(out, p, (size_t)(brace - p));
        if (rc != BUF_OK)
            break;
        if (strncmp(brace, TRACKING_LINK, sizeof TRACKING_LINK - 1) == 0) {
            rc = append_url(link, html, out);
            p = brace + sizeof TRACKING_LINK - 1;
        } else if (strncmp(brace, IMPRESSION_PIXEL, sizeof IMPRESSION_PIXEL - 1) == 0) {
            rc = append_pixel(pixel_url, html, out);
            p = brace + sizeof IMPRESSION_PIXEL - 1;
        } else {
            rc = buf_append_char(out, '{');
            p = brace + 1;
        }
    }
    return rc; /* on an error the buffer has emptied itself (util/buf.h): never a cut body */
}
