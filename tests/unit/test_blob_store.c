/*
 * test_blob_store.c — the filesystem blob store (src/store/blob_store*.c): blobs named by their
 * SHA-256, modes nginx can read whatever the umask, identical uploads stored once, nothing left by
 * an aborted or failed upload, no partial blob visible before commit, listing, removal, sweeping
 * temporaries, gc's removal racing an identical upload, and a gc pass (blob_gc.c) with the
 * references it is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "store/blob_gc.h"
#include "store/blob_store.h"
#include "test_blob_fixture.h"

#define HELLO_SHA "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Stores p[0..n) in pieces of at most chunk bytes; returns 0 and the name, or -1. */
static int put(blob_store_t *s, const void *p, size_t n, size_t chunk, char hex[BLOB_HEX_LEN + 1], uint64_t *size)
{
    char err[256];
    blob_writer_t *w = blob_put_begin(s, err, sizeof err);
    assert_non_null(w);
    for (size_t off = 0; off < n; off += chunk)
        assert_int_equal(blob_put_write(w, (const char *)p + off, n - off < chunk ? n - off : chunk), 0);
    return blob_put_commit(w, hex, size, err, sizeof err);
}

static void age_file(const char *path, time_t age)
{
    struct timespec ts[2] = {{.tv_sec = time(NULL) - age}, {.tv_sec = time(NULL) - age}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void set_age(const char *root, const char *hex, time_t age)
{
    char rel[2 * BLOB_HEX_LEN], path[512];
    assert_int_equal(blob_relative_path(hex, rel, sizeof rel), 0);
    snprintf(path, sizeof path, "%s/%s", root, rel);
    age_file(path, age);
}

/* An empty temporary <root>/tmp/up-<tag> as a crashed upload leaves it, age seconds old. */
static void make_tmp(const fixture_t *f, const char *tag, time_t age, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "%s/tmp/up-%s", f->root, tag);
    fclose(fopen(path, "w"));
    age_file(path, age);
}

static void test_blob_put_names_by_sha256_with_readable_modes(void **state)
{
    fixture_t *f = *state;
    mode_t old = umask(077); /* the service's umask must not make blobs unreadable to nginx */
    char hex[BLOB_HEX_LEN + 1];
    uint64_t size = 0;
    assert_int_equal(put(f->store, "hello", 5, 2, hex, &size), 0);
    umask(old);
    assert_string_equal(hex, HELLO_SHA);
    assert_int_equal(size, 5);

    char rel[2 * BLOB_HEX_LEN], path[512];
    assert_int_equal(blob_relative_path(hex, rel, sizeof rel), 0);
    assert_string_equal(rel, "2c/f2/" HELLO_SHA);
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", f->root, rel);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    snprintf(path, sizeof path, "%s/2c/f2", f->root);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    snprintf(path, sizeof path, "%s/2c", f->root);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);

    uint64_t got = 0;
    assert_true(blob_stat(f->store, hex, &got));
    assert_int_equal(got, 5);
    int fd = blob_open(f->store, hex);
    assert_true(fd >= 0);
    char buf[16];
    assert_int_equal(read(fd, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    close(fd);
}

static void test_blob_empty_upload_is_a_blob(void **state)
{
    fixture_t *f = *state;
    char hex[BLOB_HEX_LEN + 1];
    uint64_t size = 99;
    assert_int_equal(put(f->store, "", 0, 1, hex, &size), 0);
    assert_string_equal(hex, EMPTY_SHA);
    assert_int_equal(size, 0);
    assert_true(blob_stat(f->store, hex, NULL));
}

static void test_blob_identical_uploads_are_stored_once(void **state)
{
    fixture_t *f = *state;
    static char big[300000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7 + i / 1000);
    char a[BLOB_HEX_LEN + 1], b[BLOB_HEX_LEN + 1];
    uint64_t sa, sb;
    assert_int_equal(put(f->store, big, sizeof big, 65536, a, &sa), 0);
    assert_int_equal(put(f->store, big, sizeof big, 1000, b, &sb), 0);
    assert_string_equal(a, b);
    assert_int_equal(sa, sizeof big);
    assert_int_equal(count_blobs(f->store), 1);
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s/tmp", f->root);
    assert_int_equal(count_entries(tmp), 0);
}

/* Before commit nothing is visible under any name; after abort nothing remains anywhere. */
static void test_blob_abort_leaves_nothing_and_nothing_shows_before_commit(void **state)
{
    fixture_t *f = *state;
    char err[256];
    blob_writer_t *w = blob_put_begin(f->store, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(blob_put_write(w, "hello", 5), 0);
    assert_int_equal(blob_writer_size(w), 5);
    assert_false(blob_stat(f->store, HELLO_SHA, NULL));
    assert_int_equal(count_blobs(f->store), 0);
    blob_put_abort(w);
    blob_put_abort(NULL);
    assert_store_empty(f);
    assert_int_equal(count_entries(f->root), 1); /* only tmp/ */
    errno = 0;
    assert_int_equal(blob_open(f->store, HELLO_SHA), -1);
    assert_int_equal(errno, ENOENT);
}

/* A write that fails (here RLIMIT_FSIZE: EFBIG, as a full disk would give ENOSPC) fails the upload
 * with a reason; commit refuses and nothing remains. */
static void test_blob_failed_write_refuses_commit_and_leaves_nothing(void **state)
{
    fixture_t *f = *state;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, rl;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    rl = old;
    rl.rlim_cur = 100000;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
    char err[256] = "";
    blob_writer_t *w = blob_put_begin(f->store, err, sizeof err);
    assert_non_null(w);
    static char chunk[65536];
    assert_int_equal(blob_put_write(w, chunk, sizeof chunk), 0);
    int rc = blob_put_write(w, chunk, sizeof chunk);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(blob_writer_error(w), "cannot write"));
    assert_int_equal(blob_put_write(w, "x", 1), -1); /* stays failed */
    char hex[BLOB_HEX_LEN + 1] = "";
    uint64_t size;
    assert_int_equal(blob_put_commit(w, hex, &size, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot write"));
    assert_string_equal(hex, "");
    assert_store_empty(f);
}

static void test_blob_names_must_be_64_lowercase_hex(void **state)
{
    fixture_t *f = *state;
    static const char *const bad[] = {
        "",
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982",   /* 63 */
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98240", /* 65 */
        "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
        "../f24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g",
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982 ",
    };
    char out[2 * BLOB_HEX_LEN];
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        if (blob_relative_path(bad[i], out, sizeof out) != -1)
            fail_msg("accepted '%s'", bad[i]);
        errno = 0;
        assert_int_equal(blob_open(f->store, bad[i]), -1);
        assert_int_equal(errno, EINVAL);
        assert_false(blob_stat(f->store, bad[i], NULL));
        assert_int_equal(blob_delete(f->store, bad[i]), -1);
    }
    assert_int_equal(blob_relative_path(NULL, out, sizeof out), -1);
    assert_int_equal(blob_relative_path(HELLO_SHA, out, 6 + BLOB_HEX_LEN), -1); /* no room for NUL */
    assert_int_equal(blob_relative_path(HELLO_SHA, out, 6 + BLOB_HEX_LEN + 1), 0);
}

typedef struct {
    int seen;
    int stop_after;
    char first[BLOB_HEX_LEN + 1];
} each_ctx_t;

static int each_stop(const char *hex, int64_t age, void *ctx)
{
    each_ctx_t *c = ctx;
    assert_true(age >= 0);
    if (c->seen++ == 0)
        snprintf(c->first, sizeof c->first, "%s", hex);
    return c->seen >= c->stop_after;
}

/* blob_each sees blobs only (not temporaries, not stray files) and stops when asked. */
static void test_blob_each_lists_blobs_only_and_stops(void **state)
{
    fixture_t *f = *state;
    char hex[BLOB_HEX_LEN + 1];
    uint64_t size;
    char data[8];
    for (int i = 0; i < 5; i++) {
        snprintf(data, sizeof data, "blob%d", i);
        assert_int_equal(put(f->store, data, strlen(data), 3, hex, &size), 0);
    }
    char err[256];
    blob_writer_t *pending = blob_put_begin(f->store, err, sizeof err);
    assert_int_equal(blob_put_write(pending, "pending", 7), 0);
    char path[512];
    make_tmp(f, "0123456789abcdef", 0, path, sizeof path); /* a crashed upload */
    snprintf(path, sizeof path, "%s/README", f->root);
    fclose(fopen(path, "w"));
    assert_int_equal(count_blobs(f->store), 5);
    each_ctx_t c = {.stop_after = 2};
    assert_int_equal(blob_each(f->store, each_stop, &c), 0);
    assert_int_equal(c.seen, 2);
    assert_true(blob_stat(f->store, c.first, NULL));
    blob_put_abort(pending);
}

static void test_blob_delete_removes_and_absent_is_fine(void **state)
{
    fixture_t *f = *state;
    char hex[BLOB_HEX_LEN + 1];
    uint64_t size;
    assert_int_equal(put(f->store, "hello", 5, 5, hex, &size), 0);
    assert_int_equal(blob_delete(f->store, hex), 0);
    assert_false(blob_stat(f->store, hex, NULL));
    assert_int_equal(blob_delete(f->store, hex), 0);
    assert_int_equal(count_blobs(f->store), 0);
}

static int answer(const char *hex, void *ctx)
{
    (void)hex;
    return *(int *)ctx;
}

/* gc's removal: a young blob is kept whatever the answer; an old one goes only when unused says so;
 * re-uploading an old unreferenced blob restarts its age, so it is protected again. */
static void test_blob_delete_unused_respects_age_and_answer(void **state)
{
    fixture_t *f = *state;
    char hex[BLOB_HEX_LEN + 1];
    uint64_t size;
    assert_int_equal(put(f->store, "hello", 5, 5, hex, &size), 0);
    int yes = 1, no = 0, unknown = -1;
    assert_int_equal(blob_delete_unused(f->store, hex, 3600, answer, &yes), 0); /* young */
    set_age(f->root, hex, 7200);
    assert_int_equal(blob_delete_unused(f->store, hex, 3600, answer, &no), 0);
    assert_int_equal(blob_delete_unused(f->store, hex, 3600, answer, &unknown), -1);
    assert_true(blob_stat(f->store, hex, NULL));
    assert_int_equal(put(f->store, "hello", 5, 1, hex, &size), 0); /* identical upload: age restarts */
    assert_int_equal(blob_delete_unused(f->store, hex, 3600, answer, &yes), 0);
    set_age(f->root, hex, 7200);
    assert_int_equal(blob_delete_unused(f->store, hex, 3600, answer, &yes), 1);
    assert_false(blob_stat(f->store, hex, NULL));
    assert_int_equal(blob_delete_unused(f->store, hex, 3600, answer, &yes), 0); /* absent */
}

typedef struct {
    fixture_t *f;
    pthread_barrier_t *go;
    int rc;
} race_t;

/* gc's reference check takes a while (a database round trip): the window an upload could slip into. */
static int slow_yes(const char *hex, void *ctx)
{
    (void)hex, (void)ctx;
    usleep(500);
    return 1;
}

static void *race_upload(void *arg)
{
    race_t *r = arg;
    char hex[BLOB_HEX_LEN + 1], err[256];
    uint64_t size;
    blob_writer_t *w = blob_put_begin(r->f->store, err, sizeof err);
    assert_int_equal(blob_put_write(w, "hello", 5), 0);
    pthread_barrier_wait(r->go);
    r->rc = blob_put_commit(w, hex, &size, err, sizeof err);
    return NULL;
}

/* An identical upload committing while gc removes the old unreferenced copy: whichever wins, the
 * upload's blob exists once both are done (gc either saw the refreshed age or removed the old copy
 * before the upload linked its own). */
static void test_blob_gc_racing_an_identical_upload_never_loses_it(void **state)
{
    fixture_t *f = *state;
    char hex[BLOB_HEX_LEN + 1];
    uint64_t size;
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    int removed = 0;
    for (int i = 0; i < 300; i++) {
        if (!blob_stat(f->store, HELLO_SHA, NULL))
            assert_int_equal(put(f->store, "hello", 5, 5, hex, &size), 0);
        set_age(f->root, HELLO_SHA, 7200);
        race_t r = {.f = f, .go = &go};
        pthread_t t;
        pthread_create(&t, NULL, race_upload, &r);
        pthread_barrier_wait(&go);
        usleep((useconds_t)(rand() % 1000)); /* either may come first */
        int rc = blob_delete_unused(f->store, HELLO_SHA, 3600, slow_yes, NULL);
        pthread_join(t, NULL);
        assert_int_equal(r.rc, 0);
        assert_true(rc == 0 || rc == 1);
        removed += rc;
        if (!blob_stat(f->store, HELLO_SHA, NULL))
            fail_msg("iteration %d: the committed upload's blob is gone (gc returned %d)", i, rc);
    }
    pthread_barrier_destroy(&go);
    print_message("gc removed the old copy first in %d of 300 races\n", removed);
}

static void test_blob_sweep_tmp_removes_only_old_temporaries(void **state)
{
    fixture_t *f = *state;
    char old_path[512], young_path[512];
    make_tmp(f, "00000000000000aa", 7200, old_path, sizeof old_path);
    make_tmp(f, "00000000000000bb", 0, young_path, sizeof young_path);
    char err[256];
    blob_writer_t *w = blob_put_begin(f->store, err, sizeof err); /* in progress */
    assert_int_equal(blob_put_write(w, "x", 1), 0);
    assert_int_equal(blob_sweep_tmp(f->store, 3600), 1);
    assert_int_equal(access(old_path, F_OK), -1);
    assert_int_equal(access(young_path, F_OK), 0);
    char hex[BLOB_HEX_LEN + 1];
    uint64_t size;
    assert_int_equal(blob_put_commit(w, hex, &size, err, sizeof err), 0); /* unaffected */
    assert_true(blob_stat(f->store, hex, NULL));
}

static void test_blob_store_open_fails_cleanly_on_a_file(void **state)
{
    fixture_t *f = *state;
    char path[512], err[256] = "";
    snprintf(path, sizeof path, "%s/file", f->dir);
    fclose(fopen(path, "w"));
    assert_null(blob_store_open_fs(path, err, sizeof err));
    assert_non_null(strstr(err, path));
    snprintf(path, sizeof path, "%s/file/sub", f->dir);
    assert_null(blob_store_open_fs(path, err, sizeof err));
    assert_null(blob_store_open_fs("", err, sizeof err));
    blob_store_close(NULL);
}

typedef struct {
    blob_store_t *store;
    char hex[BLOB_HEX_LEN + 1];
    int rc;
} same_t;

static void *upload_same(void *arg)
{
    same_t *a = arg;
    static char data[200000];
    memset(data, 'z', sizeof data);
    uint64_t size;
    a->rc = put(a->store, data, sizeof data, 4096, a->hex, &size);
    return NULL;
}

/* The store is shared by threads: eight identical uploads at once give one blob. */
static void test_blob_concurrent_identical_uploads(void **state)
{
    fixture_t *f = *state;
    same_t a[8];
    pthread_t t[8];
    for (int i = 0; i < 8; i++) {
        a[i] = (same_t){.store = f->store};
        pthread_create(&t[i], NULL, upload_same, &a[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(a[i].rc, 0);
        assert_string_equal(a[i].hex, a[0].hex);
    }
    assert_int_equal(count_blobs(f->store), 1);
}

typedef struct {
    const char *named[4]; /* blobs a row names */
    bool fail;            /* the database is down */
    int asked;
    char removed[4][BLOB_HEX_LEN + 1];
    int nremoved;
} refs_t;

static int refs_unused(const char *hex, void *ctx)
{
    refs_t *r = ctx;
    r->asked++;
    if (r->fail)
        return -1;
    for (size_t i = 0; i < N_ELEMS(r->named); i++)
        if (r->named[i] && strcmp(r->named[i], hex) == 0)
            return 0;
    return 1;
}

static void refs_removed(const char *hex, uint64_t size, void *ctx)
{
    refs_t *r = ctx;
    (void)size;
    snprintf(r->removed[r->nremoved++], BLOB_HEX_LEN + 1, "%s", hex);
}

/* Four blobs (named + old, unnamed + old, unnamed + young, named + young) and two temporaries
 * (old, young): a dry run reports and removes nothing; a pass removes exactly the unnamed old
 * blob and the old temporary, and never asks about young blobs. */
static void test_blob_gc_removes_only_old_unnamed_blobs(void **state)
{
    fixture_t *f = *state;
    char hex[4][BLOB_HEX_LEN + 1];
    uint64_t size;
    static const char *const data[] = {"named-old", "unnamed-old!", "unnamed-young", "named-young"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(put(f->store, data[i], strlen(data[i]), 4, hex[i], &size), 0);
    set_age(f->root, hex[0], 7200);
    set_age(f->root, hex[1], 7200);
    char old_tmp[512], young_tmp[512];
    make_tmp(f, "00000000000000cc", 7200, old_tmp, sizeof old_tmp);
    make_tmp(f, "00000000000000dd", 0, young_tmp, sizeof young_tmp);

    refs_t refs = {.named = {hex[0], hex[3]}};
    blob_gc_t gc = {
        .grace_seconds = 3600, .dry_run = true, .unused = refs_unused, .removed = refs_removed, .ctx = &refs};
    blob_gc_report_t r;
    char err[256] = "";
    assert_int_equal(blob_gc(f->store, &gc, &r, err, sizeof err), 0);
    assert_int_equal(r.removed, 1);
    assert_int_equal(r.removed_bytes, strlen(data[1]));
    assert_int_equal(r.referenced, 1);
    assert_int_equal(r.referenced_bytes, strlen(data[0]));
    assert_int_equal(r.young, 2);
    assert_int_equal(r.young_bytes, strlen(data[2]) + strlen(data[3]));
    assert_int_equal(r.tmp_removed, 0);
    assert_int_equal(refs.asked, 2); /* young blobs are not even asked about */
    assert_int_equal(refs.nremoved, 1);
    assert_string_equal(refs.removed[0], hex[1]);
    assert_int_equal(count_blobs(f->store), 4);
    assert_int_equal(access(old_tmp, F_OK), 0);

    gc.dry_run = false;
    refs.asked = refs.nremoved = 0;
    assert_int_equal(blob_gc(f->store, &gc, &r, err, sizeof err), 0);
    assert_int_equal(r.removed, 1);
    assert_int_equal(r.referenced, 1);
    assert_int_equal(r.young, 2);
    assert_int_equal(r.tmp_removed, 1);
    assert_string_equal(refs.removed[0], hex[1]);
    assert_false(blob_stat(f->store, hex[1], NULL));
    assert_true(blob_stat(f->store, hex[0], NULL));
    assert_true(blob_stat(f->store, hex[2], NULL));
    assert_true(blob_stat(f->store, hex[3], NULL));
    assert_int_equal(access(old_tmp, F_OK), -1);
    assert_int_equal(access(young_tmp, F_OK), 0);
}

/* When the references cannot be checked (database down), nothing is removed and the pass fails. */
static void test_blob_gc_without_answers_removes_nothing(void **state)
{
    fixture_t *f = *state;
    char hex[BLOB_HEX_LEN + 1];
    uint64_t size;
    assert_int_equal(put(f->store, "orphan", 6, 6, hex, &size), 0);
    set_age(f->root, hex, 7200);
    refs_t refs = {.fail = true};
    blob_gc_t gc = {.grace_seconds = 3600, .unused = refs_unused, .ctx = &refs};
    blob_gc_report_t r;
    char err[256] = "";
    assert_int_equal(blob_gc(f->store, &gc, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "could not tell"));
    assert_true(blob_stat(f->store, hex, NULL));
    assert_int_equal(r.removed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_blob_put_names_by_sha256_with_readable_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_empty_upload_is_a_blob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_identical_uploads_are_stored_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_abort_leaves_nothing_and_nothing_shows_before_commit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_blob_failed_write_refuses_commit_and_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_names_must_be_64_lowercase_hex, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_each_lists_blobs_only_and_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_delete_removes_and_absent_is_fine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_delete_unused_respects_age_and_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_gc_racing_an_identical_upload_never_loses_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_sweep_tmp_removes_only_old_temporaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_store_open_fails_cleanly_on_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_concurrent_identical_uploads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_gc_removes_only_old_unnamed_blobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_gc_without_answers_removes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
