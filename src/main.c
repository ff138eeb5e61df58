/*
 * main.c — the trackgen command: `serve` (FastCGI worker, or with --workers the supervisor of
 * several), `migrate`, `keys`, `gc`, `version`. Reads the configuration from the environment
 * (util/config.h) and hands over to the module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "cli/gc.h"
#include "cli/keys.h"
#include "db/migrate.h"
#include "http/server.h"
#include "http/slot.h"
#include "http/supervisor.h"
#include "util/config.h"
#include "util/log.h"

static const char *env(const char *name)
{
    return getenv(name);
}

static int usage(FILE *f)
{
    fputs("usage: trackgen serve                 run one FastCGI worker (TRACKGEN_LISTEN, TRACKGEN_THREADS, ...)\n"
          "       trackgen serve --workers N [--pid-file PATH]\n"
          "                                      supervise N workers, one socket each (SIGHUP: replace them)\n"
          "       trackgen migrate [--dir DIR]   apply sql/migrations (default DIR: sql/migrations)\n"
          "       trackgen keys create --admin | --partner ID [--name NAME]\n"
          "       trackgen gc [--grace SECONDS] [--dry-run]\n"
          "                                      remove blobs no creative names (TRACKGEN_BLOB_DIR)\n"
          "       trackgen version\n"
          "Configuration is read from TRACKGEN_* environment variables; see README.md.\n",
          f);
    return f == stdout ? 0 : 2;
}

/* `serve --workers N [--pid-file PATH]`: the supervisor. Returns -1 if argv is not that form. */
static int serve_supervised(int argc, char **argv)
{
    long workers = 0;
    const char *pid_file = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        char *end;
        if (strcmp(argv[i], "--workers") == 0 && workers == 0) {
            workers = strtol(argv[i + 1], &end, 10);
            if (*argv[i + 1] < '0' || *argv[i + 1] > '9' || *end || workers < 1 || workers > SUPERVISOR_MAX_WORKERS) {
                fprintf(stderr, "trackgen: --workers: '%s' is not a whole number from 1 to %d\n", argv[i + 1],
                        SUPERVISOR_MAX_WORKERS);
                return 2;
            }
        } else if (strcmp(argv[i], "--pid-file") == 0 && !pid_file && *argv[i + 1]) {
            pid_file = argv[i + 1];
        } else {
            return -1;
        }
    }
    if (workers == 0 || argc % 2 != 0)
        return -1;
    return supervisor_run((int)workers, pid_file);
}

/* The fds a supervisor hands to its worker (slot.h); -1 when absent, -2 (after a message) if bad. */
static int inherited_fd(const char *name)
{
    int fd = slot_env_fd(getenv(name));
    if (fd == -2)
        fprintf(stderr, "trackgen: configuration error: %s: '%s' is not a file descriptor number\n", name,
                getenv(name));
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0) {
        printf("trackgen %s (schema %s)\n", TRACKGEN_VERSION, migrate_expected_version());
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0)
        return usage(stdout);

    bool serve = strcmp(cmd, "serve") == 0;
    if (serve && argc > 2) {
        int rc = serve_supervised(argc, argv);
        return rc >= 0 ? rc : usage(stderr);
    }
    int listen_fd = serve ? inherited_fd("TRACKGEN_LISTEN_FD") : -1;
    int ready_fd = serve ? inherited_fd("TRACKGEN_READY_FD") : -1;
    if (listen_fd == -2 || ready_fd == -2)
        return 2;
    config_t cfg;
    char err[512];
    if (config_load(&cfg, env, serve, err, sizeof err) < 0) {
        fprintf(stderr, "trackgen: configuration error: %s\n", err);
        return 2;
    }
    log_set_level(cfg.log_level);
    int rc;
    if (serve) {
        rc = server_run(&cfg, trackgen_app(), listen_fd, ready_fd);
    } else if (strcmp(cmd, "migrate") == 0) {
        if (argc == 2)
            rc = migrate_run(cfg.database_url, "sql/migrations");
        else if (argc == 4 && strcmp(argv[2], "--dir") == 0)
            rc = migrate_run(cfg.database_url, argv[3]);
        else
            rc = usage(stderr);
    } else if (strcmp(cmd, "keys") == 0) {
        rc = cli_keys(cfg.database_url, argc - 2, argv + 2);
    } else if (strcmp(cmd, "gc") == 0) {
        rc = cli_gc(cfg.database_url, cfg.blob_dir, argc - 2, argv + 2);
    } else {
        rc = usage(stderr);
    }
    config_free(&cfg);
    return rc;
}
