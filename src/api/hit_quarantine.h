/*
 * hit_quarantine.h — GET /v1/hit-quarantine (admin): the hits PostgreSQL refused for their data,
 * set aside row by row by the shipper (src/track/shipper.c) while the rest of their segment was
 * shipped. Each carries its spool row (COPY text, to repair and load again), the SQLSTATE and the
 * error. Oldest first, cursor-paginated.
 */
#ifndef TRACKGEN_HIT_QUARANTINE_H
#define TRACKGEN_HIT_QUARANTINE_H

#include "http/request.h"

int hit_quarantine_list(request_t *r);

#endif
