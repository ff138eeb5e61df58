/*
 * test_spool.c — the durable spool (src/track/spool.c) under a failing disk: a batch answered
 * "not recorded" leaves nothing behind that a shipper could ship, and readiness says so.
 *
 * The disk failure is RLIMIT_FSIZE (with SIGXFSZ ignored, as the spool arranges): a write that
 * crosses the limit writes part of the batch, then fails with EFBIG — the same short write as a
 * disk filling up mid-batch.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "test_util.h"
#include "track/spool.h"
#include "util/buf.h"

/* Everything a shipper could read: the bytes of every segment (in no particular order; the tests
 * only ask which lines are there). */
static void spool_contents(const char *dir, buf_t *out)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "hits-", 5) != 0)
            continue;
        assert_non_null(strstr(e->d_name, ".log")); /* no temporary or unknown name left */
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char chunk[4096];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
            assert_int_equal(buf_append(out, chunk, k), BUF_OK);
        fclose(f);
    }
    closedir(d);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.')
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static void set_fsize(rlim_t limit)
{
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
    rl.rlim_cur = limit;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void test_spool_failed_batch_leaves_no_line_to_ship_and_readiness_says_why(void **state)
{
    (void)state;
    char dir[] = "/tmp/trackgen-test-spool.XXXXXX";
    assert_non_null(mkdtemp(dir));
    spool_t *s = spool_start(dir);
    assert_non_null(s);
    char why[512] = "";
    assert_true(spool_healthy(s, why, sizeof why));

    const char first[] = "first-1\nfirst-2\n";
    assert_int_equal(spool_append(s, first, sizeof first - 1), 0);

    /* 20 lines of 40 bytes in one batch; the limit lets ~2.5 of them through. */
    buf_t big;
    buf_init(&big, 4096);
    for (int i = 0; i < 20; i++)
        buf_printf(&big, "refused-%02d-%030d\n", i, 0);
    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    set_fsize(sizeof first - 1 + 100);
    int rc = spool_append(s, buf_ptr(&big), big.len);
    bool healthy = spool_healthy(s, why, sizeof why);
    set_fsize(saved.rlim_cur);
    assert_int_equal(rc, -1);
    assert_false(healthy);
    assert_non_null(strstr(why, dir));
    assert_non_null(strstr(why, "too large"));

    buf_t seen;
    buf_init(&seen, 1 << 20);
    spool_contents(dir, &seen);
    assert_null(strstr(buf_ptr(&seen), "refused-")); /* answered 503: must not be shipped */
    assert_non_null(strstr(buf_ptr(&seen), "first-1\nfirst-2\n"));

    /* The disk takes writes again: the next probe (at most one a second) clears the failure. */
    usleep(1100 * 1000);
    assert_true(spool_healthy(s, why, sizeof why));
    const char last[] = "last-1\n";
    assert_int_equal(spool_append(s, last, sizeof last - 1), 0);
    spool_stop(s);

    buf_clear(&seen);
    spool_contents(dir, &seen);
    assert_int_equal(seen.len, sizeof first - 1 + sizeof last - 1);
    assert_non_null(strstr(buf_ptr(&seen), "last-1\n"));
    assert_null(strstr(buf_ptr(&seen), "refused-"));
    buf_free(&seen);
    buf_free(&big);
    remove_dir(dir);
}

static void test_spool_durable_line_is_in_a_shippable_segment_after_stop(void **state)
{
    (void)state;
    char dir[] = "/tmp/trackgen-test-spool.XXXXXX";
    assert_non_null(mkdtemp(dir));
    spool_t *s = spool_start(dir);
    assert_non_null(s);
    const char line[] = "one\n";
    assert_int_equal(spool_append(s, line, sizeof line - 1), 0);
    spool_stop(s);
    buf_t seen;
    buf_init(&seen, 1 << 20);
    spool_contents(dir, &seen);
    assert_string_equal(buf_ptr(&seen), "one\n");
    buf_free(&seen);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spool_failed_batch_leaves_no_line_to_ship_and_readiness_says_why),
        cmocka_unit_test(test_spool_durable_line_is_in_a_shippable_segment_after_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
