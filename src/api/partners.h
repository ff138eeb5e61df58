/*
 * partners.h — /v1/partners (admins): the publishers, affiliates and influencers of the network.
 * DELETE suspends: a suspended partner's keys stop working, its history stays.
 */
#ifndef TRACKGEN_PARTNERS_H
#define TRACKGEN_PARTNERS_H

#include "http/request.h"

int partners_list(request_t *r);
int partners_get(request_t *r);
int partners_create(request_t *r);
int partners_update(request_t *r);
int partners_suspend(request_t *r);
/* The partner as JSON (new reference) or NULL with the problem set; used by /v1/me. */
json_t *partners_json(request_t *r, const char *id);

#endif
