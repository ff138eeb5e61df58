/*
 * test_blob_fixture.h — a blob store in a scratch directory, for the tests of the store and of what
 * writes into it (thumbnails): cmocka setup/teardown, and counting what the store holds.
 */
#ifndef TRACKGEN_TEST_BLOB_FIXTURE_H
#define TRACKGEN_TEST_BLOB_FIXTURE_H

#include <dirent.h>

#include "store/blob_store.h"
#include "test_tmpdir.h"
#include "test_util.h"

typedef struct {
    char dir[256];  /* the scratch directory, removed at teardown */
    char root[300]; /* the store's root: <dir>/a/b (made with its parents) */
    blob_store_t *store;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    tmpdir_make(f->dir, sizeof f->dir, "blobs");
    snprintf(f->root, sizeof f->root, "%s/a/b", f->dir);
    char err[256];
    f->store = blob_store_open_fs(f->root, err, sizeof err);
    if (!f->store)
        fail_msg("open: %s", err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    blob_store_close(f->store);
    tmpdir_remove(f->dir);
    free(f);
    return 0;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int count_blob(const char *hex, int64_t age, void *ctx)
{
    (void)hex;
    assert_true(age >= 0);
    (*(int *)ctx)++;
    return 0;
}

static int count_blobs(blob_store_t *s)
{
    int n = 0;
    assert_int_equal(blob_each(s, count_blob, &n), 0);
    return n;
}

/* Nothing stored and no temporary left: what every failed upload must leave. */
static void assert_store_empty(const fixture_t *f)
{
    assert_int_equal(count_blobs(f->store), 0);
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s/tmp", f->root);
    assert_int_equal(count_entries(tmp), 0);
}

#endif
