/*
 * supervisor.h — `trackgen serve --workers N`: a master process that keeps N worker processes
 * (`trackgen serve`, see server.h) running, the way nginx, php-fpm and unicorn do.
 *
 * - The master opens one listening socket per slot (slot.h: run/trackgen.sock -> trackgen-1.sock
 *   ... or port, port+1, ...) and keeps it for its whole life; worker k inherits slot k's socket
 *   (TRACKGEN_LISTEN_FD) and reports readiness through a pipe (TRACKGEN_READY_FD). nginx lists
 *   one upstream per slot, so a request of a killed worker is retried on another slot, and
 *   connections made while a slot's worker restarts wait in its backlog instead of failing.
 * - A worker that dies is restarted at once, then with growing delay while it keeps dying
 *   quickly (slot.h).
 * - SIGHUP: re-reads TRACKGEN_ENV_FILE (if set) over the master's environment, validates the
 *   configuration (a bad one keeps the running workers and logs why), then for each slot in turn
 *   starts a new worker from the binary path resolved at start (a rebuilt binary is picked up)
 *   on the same socket, waits until it is ready, and only then stops the old one (SIGTERM: it
 *   finishes its requests in flight). Both accept from the socket meanwhile: nothing is dropped.
 * - SIGTERM/SIGINT: SIGTERM to every worker, wait for them, remove the sockets and pid files, exit 0.
 * - Workers get SIGTERM if the master dies (PR_SET_PDEATHSIG).
 * - With a pid file path P, the master writes P and each ready worker k writes slot_path(P, k).
 */
#ifndef TRACKGEN_SUPERVISOR_H
#define TRACKGEN_SUPERVISOR_H

#define SUPERVISOR_MAX_WORKERS 64

/* Reads and validates the configuration (the environment with TRACKGEN_ENV_FILE over it), then
 * supervises `workers` (1..SUPERVISOR_MAX_WORKERS) workers until SIGTERM or SIGINT.
 * pid_file: NULL or the master's pid file path. Returns the exit status. */
int supervisor_run(int workers, const char *pid_file);

#endif
