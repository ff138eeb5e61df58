/*
 * report.h — the flex report over clicks and impressions (GET /v1/reports/hits): counts grouped by
 * time (cut in an IANA time zone), offer, URL, Source ID, Sub1–Sub5, outcome, kind and (admins)
 * partner, with filters, totals, sort and signed cursors; JSON, or CSV streamed batch by batch.
 *
 * The numbers come from the rollups the shipper maintains in the same transaction as the hits
 * (sql/migrations/0008_reports.sql), so they equal the stored hits exactly and outlive the hit
 * partitions that retention drops. The parameters are read by report/report_params.h.
 */
#ifndef TRACKGEN_REPORT_H
#define TRACKGEN_REPORT_H

#include "http/request.h"

/* Rows of a CSV report fetched per database round trip. */
#define REPORT_CSV_BATCH 2000
/* The longest range a report may span. */
#define REPORT_RANGE_MAX_DAYS 400

/* The query parameters of each route (NULL-terminated), for the route table. */
extern const char *const REPORT_QUERY[];
extern const char *const REPORT_EXPORT_QUERY[];

/* GET /v1/reports/hits: JSON {data, totals, range, next_cursor}, or CSV (format=csv or
 * Accept: text/csv, every group). */
int report_hits(request_t *r);
/* GET /v1/reports/hits/export: the same report, every group, as CSV (a key or a signed URL). */
int report_hits_export(request_t *r);
/* GET /v1/reports/hits/export-url: {url, expires_at}, a signed URL of the export. */
int report_hits_export_url(request_t *r);

#endif
