/*
 * coupon_import.h — POST /v1/coupons/import: coupon codes in bulk from a CSV file (admin only).
 *
 * The body is text/csv (UTF-8 with or without BOM, CRLF or LF, RFC 4180 quoting), read piece by
 * piece through util/csv_read.h, never whole. Its header row names the columns, in any order and
 * any case: `code` and `offer_id` (which `?offer_id=` may supply for every row instead), and
 * optionally `partner_id`, `description`, `starts_at`, `ends_at`, `status`; any other column is an
 * error. Every record is checked as it arrives and sent, good or bad, to a temporary table by COPY
 * inside one transaction; there the database checks what needs it (offers and partners exist, the
 * partner may run the offer, no code twice per offer ignoring case — in the file or already
 * stored). All or nothing: any bad row makes it a 422 listing the first 100 problems in line order,
 * each with its line, column and reason, plus the totals, and nothing is stored. `?dry_run=true`
 * checks everything and stores nothing. A body that is not CSV at all (a quote never closed, text
 * after a closing quote) is a 400 naming the line.
 */
#ifndef TRACKGEN_COUPON_IMPORT_H
#define TRACKGEN_COUPON_IMPORT_H

#include "http/request.h"

extern const char *const COUPON_IMPORT_QUERY[]; /* dry_run, offer_id */

int coupon_import(request_t *r);

#endif
