/*
 * app.h — trackgen as the HTTP layer sees it (http/app.h): the route table, API-key
 * authentication, a database connection per worker thread, and the tracking services (spool,
 * shipper, offer cache) per process. Used by main for `trackgen serve`.
 */
#ifndef TRACKGEN_API_APP_H
#define TRACKGEN_API_APP_H

#include "http/app.h"

/* The application; a static object, valid for the life of the process. */
const app_t *trackgen_app(void);

#endif
