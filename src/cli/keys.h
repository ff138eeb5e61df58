/*
 * keys.h — `trackgen keys create --admin | --partner ID [--name N]`: makes an API key from the
 * command line (for bootstrapping the first admin key) and prints it once on stdout.
 */
#ifndef TRACKGEN_CLI_KEYS_H
#define TRACKGEN_CLI_KEYS_H

int cli_keys(const char *conninfo, int argc, char **argv);

#endif
