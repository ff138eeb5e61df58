/*
 * server.h — the FastCGI worker: N threads, each with its own request arena and database
 * connection, accepting requests from nginx on one listening socket.
 *
 * The socket is either opened here from cfg->listen (a lone `trackgen serve`) or inherited from
 * the supervisor (`serve --workers N`, see supervisor.h), which may let a successor accept from
 * the same socket while this worker stops: stopping never shuts the socket down, it only stops
 * this process's threads from accepting.
 *
 * Shutdown: SIGTERM or SIGINT stops accepting new requests; requests in flight finish and are
 * answered; then the threads exit and server_run returns 0.
 */
#ifndef TRACKGEN_SERVER_H
#define TRACKGEN_SERVER_H

#include "http/app.h"
#include "util/config.h"

/* Serves app (borrowed for the run). listen_fd: an inherited listening socket, or -1 to open cfg->listen (and remove a
 * unix socket file at exit). ready_fd: -1, or a pipe written to (one byte, then closed) once the worker accepts
 * requests. Returns the process exit status. */
int server_run(const config_t *cfg, const app_t *app, int listen_fd, int ready_fd);

/* Opens a FastCGI listening socket on a unix path (a stale socket file is replaced, mode 0666:
 * the directory controls access) or host:port. Returns the fd, or -1 with errno set. */
int server_listen(const char *listen);

#endif
