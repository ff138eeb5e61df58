/*
 * main.c — the trackgen command: `serve` (FastCGI worker), `migrate`, `keys`, `version`.
 * Reads the configuration from the environment (util/config.h) and hands over to the module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/keys.h"
#include "db/migrate.h"
#include "http/server.h"
#include "util/config.h"
#include "util/log.h"

static const char *env(const char *name)
{
    return getenv(name);
}

static int usage(FILE *f)
{
    fputs("usage: trackgen serve                 run the FastCGI worker (TRACKGEN_LISTEN, TRACKGEN_THREADS, ...)\n"
          "       trackgen migrate [--dir DIR]   apply sql/migrations (default DIR: sql/migrations)\n"
          "       trackgen keys create --admin | --partner ID [--name NAME]\n"
          "       trackgen version\n"
          "Configuration is read from TRACKGEN_* environment variables; see README.md.\n",
          f);
    return f == stdout ? 0 : 2;
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

    config_t cfg;
    char err[512];
    bool serve = strcmp(cmd, "serve") == 0;
    if (config_load(&cfg, env, serve, err, sizeof err) < 0) {
        fprintf(stderr, "trackgen: configuration error: %s\n", err);
        return 2;
    }
    log_set_level(cfg.log_level);
    int rc;
    if (serve) {
        rc = server_run(&cfg);
    } else if (strcmp(cmd, "migrate") == 0) {
        if (argc == 2)
            rc = migrate_run(cfg.database_url, "sql/migrations");
        else if (argc == 4 && strcmp(argv[2], "--dir") == 0)
            rc = migrate_run(cfg.database_url, argv[3]);
        else
            rc = usage(stderr);
    } else if (strcmp(cmd, "keys") == 0) {
        rc = cli_keys(cfg.database_url, argc - 2, argv + 2);
    } else {
        rc = usage(stderr);
    }
    config_free(&cfg);
    return rc;
}
