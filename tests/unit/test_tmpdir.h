/*
 * test_tmpdir.h — a scratch directory for tests that write files (blob store, ZIP, thumbnails):
 * made under $TMPDIR (or /tmp), removed with everything in it at the end of the test.
 */
#ifndef TRACKGEN_TEST_TMPDIR_H
#define TRACKGEN_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Fills dir (size >= 256) with a new directory's path; fails the test if it cannot. */
static inline void tmpdir_make(char *dir, size_t size, const char *tag)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, size, "%s/trackgen-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    if (!mkdtemp(dir)) {
        perror(dir);
        abort();
    }
}

static inline int tmpdir_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* rm -rf dir. */
static inline void tmpdir_remove(const char *dir)
{
    nftw(dir, tmpdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
