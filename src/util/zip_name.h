/*
 * zip_name.h — unique entry names inside one ZIP archive (Download All): every client-supplied
 * directory and file name is sanitised with file_name_sanitize, and a name already given out in the
 * same archive (compared case-insensitively, as Windows and macOS extract) gets " (2)", " (3)", ...
 * before its extension. Pure: no I/O.
 */
#ifndef TRACKGEN_ZIP_NAME_H
#define TRACKGEN_ZIP_NAME_H

#include "util/file_name.h"

#define ZIP_NAME_MAX (2 * FILE_NAME_MAX + 1) /* "dir/name", without the NUL */

typedef struct zip_names zip_names_t;

/* A new, empty set of names for one archive, or NULL when out of memory. Free with zip_names_free. */
zip_names_t *zip_names_new(void);
/* Frees the set and every name it holds; NULL-safe. */
void zip_names_free(zip_names_t *z);
/* The entry name for dir/name: dir (NULL or "" for none) and name are each sanitised with
 * file_name_sanitize (fallbacks "folder" and "file"), joined with '/', and made unique among the
 * names this set gave out so far. Case folding is ASCII only ("Banner.PNG" = "banner.png"). The
 * suffix " (k)" goes before the file name's extension, the stem cut (on a character boundary) so
 * the name stays within FILE_NAME_MAX bytes. Writes a NUL-terminated name into out (the caller's,
 * size >= ZIP_NAME_MAX + 1 = 2 * FILE_NAME_MAX + 2). Returns 0, or -1 when out of memory (no name
 * was added then). Not detected: a file at the top named like a folder of the same archive ("x" and
 * "x/a.png"); callers put either every entry in a folder or none. */
int zip_names_unique(zip_names_t *z, const char *dir, const char *name, char *out);

#endif
