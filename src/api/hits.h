/*
 * hits.h — GET /v1/hits: recent clicks and impressions, newest first, so a user can watch a
 * click arrive. Partners see only their own hits; admins see all and may filter by partner_id.
 * Hits appear once the shipper has moved them from the spool (normally well under a second).
 */
#ifndef TRACKGEN_HITS_H
#define TRACKGEN_HITS_H

#include "http/request.h"

int hits_list(request_t *r);

#endif
