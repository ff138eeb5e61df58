/*
 * envfile.h — KEY=VALUE files (TRACKGEN_ENV_FILE) and environments built from them.
 *
 * The supervisor (http/supervisor.c) reads the file at start and again on SIGHUP and lays it over
 * its own environment for the worker processes it starts, so a reload picks up changed
 * configuration. The format is the common subset of systemd's EnvironmentFile= and shell
 * assignments: one KEY=VALUE per line, KEY of [A-Za-z_][A-Za-z0-9_]*, blank lines and lines
 * starting with # ignored, spaces around KEY and VALUE ignored, one pair of matching single or
 * double quotes around VALUE removed; no escapes, no variable expansion. Any other line is an
 * error naming its line number.
 *
 * An environment here is a NULL-terminated array of "KEY=VALUE" strings, as environ.
 */
#ifndef TRACKGEN_ENVFILE_H
#define TRACKGEN_ENVFILE_H

#include <stddef.h>

/* The largest file read (larger is an error). */
#define ENVFILE_MAX_BYTES (64 * 1024)

typedef struct {
    char **vars; /* "KEY=VALUE" strings, owned (malloc) */
    size_t n;
} envlist_t;

/* Parses text (len bytes) into out (which the caller frees with envlist_free, also on error).
 * A key given twice keeps its last value. Returns 0, or -1 with a message in err. */
int envfile_parse(const char *text, size_t len, envlist_t *out, char *err, size_t errlen);

/* Reads and parses the file at path. Returns 0, or -1 with a message naming the file in err. */
int envfile_load(const char *path, envlist_t *out, char *err, size_t errlen);

/* Adds or replaces KEY=VALUE in list (copied). Returns 0 or -1 (out of memory). */
int envlist_set(envlist_t *list, const char *key, const char *value);

void envlist_free(envlist_t *list);

/* A new environment: base without the keys that over sets, then over's entries. The array is
 * malloc'd (free it with free()); its strings are borrowed from base and over, which must outlive
 * it. Returns NULL when out of memory. */
char **envfile_overlay(char *const *base, const envlist_t *over);

/* The value of name in env, or NULL. */
const char *envfile_get(char *const *env, const char *name);

#endif
