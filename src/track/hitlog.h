/*
 * hitlog.h — one hit (a click or an impression) and its spool line.
 *
 * A spool line is "<crc32 as 8 hex>\t<row in PostgreSQL COPY text format>\n". The row's columns
 * are HITLOG_COLUMNS, in that order; the shipper COPYs rows as they are. The checksum lets a
 * reader tell a complete line from one torn by a crash. Pure: no I/O.
 */
#ifndef TRACKGEN_HITLOG_H
#define TRACKGEN_HITLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "track/link_url.h"
#include "util/buf.h"

/* The columns, each name prefixed by t (e.g. "i." for a table alias, "" for none). */
#define HITLOG_COLUMNS_OF(t)                                                                                           \
    t "transaction_id, " t "kind, " t "hit_at, " t "partner_id, " t "offer_id, " t "offer_url_id, " t "source_id, " t  \
      "sub1, " t "sub2, " t "sub3, " t "sub4, " t "sub5, " t "ip, " t "user_agent, " t "referer, " t "outcome, " t     \
      "is_bot"
#define HITLOG_COLUMNS HITLOG_COLUMNS_OF("")

#define HITLOG_LINE_MAX (16 * 1024)

typedef struct {
    char transaction_id[33]; /* 32 lowercase hex */
    const char *kind;        /* "click" or "impression" */
    int64_t hit_at_ms;       /* Unix time in milliseconds */
    int64_t partner_id;
    int64_t offer_id;
    int64_t offer_url_id; /* 0 = none */
    link_params_t params; /* source_id, sub1..sub5 as the link carried them (NULL = none) */
    const char *ip;       /* NULL = none; likewise below */
    const char *user_agent;
    const char *referer;
    const char *outcome; /* "redirected", "fallback_paused", … */
    bool is_bot;
} hit_t;

/* Appends the hit's spool line to out. Returns 0, or -1 if the line would exceed HITLOG_LINE_MAX
 * (the caller truncates long free-text fields first, so this means a bug). */
int hitlog_format(const hit_t *h, buf_t *out);

/* Checks one line (without its '\n'): returns true and the COPY row (pointer into line, length)
 * when the checksum matches. */
bool hitlog_line_valid(const char *line, size_t len, const char **row, size_t *row_len);

#endif
