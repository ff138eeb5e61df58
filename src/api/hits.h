/*
 * hits.h — GET /v1/hits: recent clicks and impressions, newest first, so a user can watch a
 * click arrive. Partners see only their own hits; admins see all and may filter by partner_id.
 * Hits appear once the shipper has moved them from the spool (normally well under a second).
 * GET /v1/hits/export streams all of them as CSV.
 */
#ifndef TRACKGEN_HITS_H
#define TRACKGEN_HITS_H

#include "http/request.h"

/* Rows per database round trip of an export. */
#define HITS_EXPORT_BATCH 1000

int hits_list(request_t *r);
/* GET /v1/hits/export: every hit the same filters select (no paging), newest first, as one CSV
 * file streamed batch by batch (memory bounded by one batch, however many hits), with a header
 * row naming the columns. A heavy route (http/app.h ROUTE_HEAVY). */
int hits_export(request_t *r);
/* GET /v1/hits/export-url: the same filters, answered with a signed, expiring URL of the export
 * (api/signed_link.h) that a browser can follow without a key. */
int hits_export_url(request_t *r);

#endif
