/*
 * report_params.h — the parameters of the flex report (GET /v1/reports/hits) read from a query:
 * group_by, sort, the filters on every dimension, from/to, timezone and format, checked and turned
 * into the report's spec (the JSON object sql/migrations/0008_reports.sql's report_hits takes).
 *
 * Names are the report's dimensions (hour, date, week, month, offer_id, offer_url_id, source_id,
 * sub1..sub5, outcome, kind, partner_id) and metrics (clicks, unique_clicks, impressions, bot_hits,
 * fallback_clicks, fallback_<reason>, ctr). Every problem names its parameter (in = "query"):
 * unknown names and malformed values are 400s. Pure: no I/O; strings borrowed from the query or
 * allocated in the arena.
 */
#ifndef TRACKGEN_REPORT_PARAMS_H
#define TRACKGEN_REPORT_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/query.h"
#include "util/arena.h"
#include "util/problem.h"

#define REPORT_DIMS_MAX 15
#define REPORT_IDS_MAX 100
#define REPORT_TZ_MAX 64

/* One end of the range: a local date ("YYYY-MM-DD", the day's start in the zone; `to` inclusive)
 * or an instant. Neither when absent. */
typedef struct {
    const char *date; /* NUL-terminated in the arena, or NULL */
    bool has_micros;
    int64_t micros; /* microseconds since the epoch */
} report_time_t;

typedef struct {
    const char *group[REPORT_DIMS_MAX]; /* dimension names, in the order given (static strings) */
    int ngroup;
    json_t *filters; /* {name: [ids…] | [words…] | "text"}; new reference, owned by the caller */
    json_t *sort;    /* [[key, descending], …]; new reference, owned by the caller */
    const char *tz;  /* IANA name (syntax checked only), default "UTC" */
    report_time_t from, to;
    bool csv; /* format=csv */
} report_params_t;

/* Reads the report's parameters from q. Admins may group and filter by partner_id; for a partner
 * key a partner_id filter must be its own (the caller checks that). Returns 0, or -1 with every
 * bad parameter recorded in p; on -1 nothing needs freeing. */
int report_params_parse(const query_t *q, arena_t *a, bool admin, report_params_t *out, problem_t *p);
/* Frees what report_params_parse made. */
void report_params_free(report_params_t *rp);

/* True if name is a dimension / a metric of the report. */
bool report_is_dimension(const char *name);
bool report_is_metric(const char *name);
/* The metrics in the order rows carry them (NULL-terminated). */
extern const char *const REPORT_METRICS[];

/* True if s (len bytes) has the shape of an IANA zone name ("Asia/Kolkata", "UTC", "Etc/GMT+5"):
 * ASCII letters, digits, '_', '-', '+', parts separated by single '/', starting with a letter,
 * no "." anywhere, at most REPORT_TZ_MAX bytes. */
bool report_tz_name_valid(const char *s, size_t len);
/* True if s (len bytes) is a calendar date "YYYY-MM-DD" (years 1970..9999). */
bool report_date_valid(const char *s, size_t len);

#endif
