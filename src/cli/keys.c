/*
 * keys.c — the `keys` subcommand (see keys.h). Uses the same INSERT as POST /v1/api-keys.
 */
#include "cli/keys.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_keys.h"
#include "api/apikey_format.h"

static int usage(void)
{
    fputs("usage: trackgen keys create --admin [--name NAME]\n"
          "       trackgen keys create --partner PARTNER_ID [--name NAME]\n",
          stderr);
    return 2;
}

int cli_keys(const char *conninfo, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "create") != 0)
        return usage();
    const char *role = NULL, *partner = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--admin") == 0 && !role) {
            role = "admin";
        } else if (strcmp(argv[i], "--partner") == 0 && !role && i + 1 < argc) {
            role = "partner";
            partner = argv[++i];
            char *end;
            if (strtoll(partner, &end, 10) < 1 || *end) {
                fprintf(stderr, "trackgen keys: --partner needs a partner id, got '%s'\n", partner);
                return 2;
            }
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else {
            return usage();
        }
    }
    if (!role)
        return usage();

    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "trackgen keys: cannot connect: %s", PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    apikey_t key;
    apikey_generate(&key);
    const char *params[] = {key.prefix, key.hash_hex, role, partner, name, NULL};
    PGresult *res = PQexecParams(c, API_KEYS_INSERT_SQL, 6, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        if (constraint && strcmp(constraint, "api_keys_partner_id_fkey") == 0)
            fprintf(stderr, "trackgen keys: no partner with id %s\n", partner);
        else
            fprintf(stderr, "trackgen keys: %s", PQerrorMessage(c));
        rc = 1;
    } else {
        fprintf(stderr, "created %s key %s (id %s); the key is shown only now:\n", role, key.prefix,
                PQgetvalue(res, 0, 0));
        printf("%s\n", key.key);
    }
    PQclear(res);
    PQfinish(c);
    return rc;
}
