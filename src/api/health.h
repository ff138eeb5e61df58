/*
 * health.h — GET /healthz (the process is alive; no database) and GET /readyz (ready to serve:
 * the database is reachable and its schema is at the version this build expects, the offer cache
 * is loaded and the hit spool takes durable writes — otherwise clicks would be answered 503).
 */
#ifndef TRACKGEN_HEALTH_H
#define TRACKGEN_HEALTH_H

#include "http/request.h"

int health_live(request_t *r);
int health_ready(request_t *r);

#endif
