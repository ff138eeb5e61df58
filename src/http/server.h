/*
 * server.h — the FastCGI worker: N threads, each with its own request arena and database
 * connection, accepting requests from nginx on one listening socket.
 *
 * Shutdown: SIGTERM or SIGINT stops accepting new requests; requests in flight finish and are
 * answered; then the threads exit and server_run returns 0.
 */
#ifndef TRACKGEN_SERVER_H
#define TRACKGEN_SERVER_H

#include "util/config.h"

int server_run(const config_t *cfg);

#endif
