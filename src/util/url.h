/*
 * url.h — validation of the destination URLs an admin stores (offers, offer URLs, fallbacks).
 *
 * These URLs are the only places a click can ever be redirected to, so the rules are strict:
 * absolute http/https, a plain host (name, IPv4 or [IPv6]) with an optional port, no userinfo,
 * printable ASCII only (no spaces, backslashes, quotes or angle brackets), at most URL_MAX_LEN.
 * `{macro}` braces are allowed anywhere after the authority.
 */
#ifndef TRACKGEN_URL_H
#define TRACKGEN_URL_H

#include <stddef.h>

#define URL_MAX_LEN 2048

typedef enum {
    URL_OK = 0,
    URL_EMPTY,
    URL_TOO_LONG,
    URL_BAD_SCHEME,
    URL_USERINFO,
    URL_BAD_HOST,
    URL_BAD_PORT,
    URL_BAD_CHAR,
} url_status_t;

url_status_t url_check(const char *s, size_t len);
/* A short reason for a status, fit for a problem+json `reason` ("must be an absolute http or https URL"). */
const char *url_status_reason(url_status_t st);

#endif
