/*
 * test_spool.c — the durable spool (src/track/spool.c) under a failing disk: a batch answered
 * "not recorded" leaves nothing behind that a shipper could ship, and readiness says so.
 *
 * The disk failure is RLIMIT_FSIZE (with SIGXFSZ ignored, as the spool arranges): a write that
 * crosses the limit writes part of the batch, then fails with EFBIG — the same short write as a
 * disk filling up mid-batch.
 *
 * And the group commit itself (leader/follower): lines appended by many threads at once are each
 * answered exactly once, durable, before the last appender returns; an idle segment is closed
 * (unlocked for the shipper) without another append.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
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

#define APPENDERS 8
#define LINES_EACH 500

typedef struct {
    spool_t *spool;
    int thread;
    atomic_int *answers; /* per line: how often its completion ran with durable = true */
    atomic_int *refused; /* how often any completion ran with durable = false */
} appender_t;

typedef struct {
    atomic_int *answer;
    atomic_int *refused;
} line_done_t;

static void line_done(void *ctx, bool durable)
{
    line_done_t *d = ctx;
    if (durable)
        atomic_fetch_add(d->answer, 1);
    else
        atomic_fetch_add(d->refused, 1);
    free(d); /* the completion owns its context */
}

static void *append_lines(void *arg)
{
    appender_t *a = arg;
    for (int i = 0; i < LINES_EACH; i++) {
        char line[32];
        int n = snprintf(line, sizeof line, "t%d-%d\n", a->thread, i);
        line_done_t *d = malloc(sizeof *d);
        assert_non_null(d);
        *d = (line_done_t){&a->answers[a->thread * LINES_EACH + i], a->refused};
        spool_append_async(a->spool, line, (size_t)n, line_done, d);
        if (i % 25 == a->thread) /* spread out: lines also arrive while a batch is being synced */
            usleep(300);
    }
    return NULL;
}

static void test_spool_lines_of_many_threads_are_each_answered_once_durable(void **state)
{
    (void)state;
    char dir[] = "/tmp/trackgen-test-spool.XXXXXX";
    assert_non_null(mkdtemp(dir));
    spool_t *s = spool_start(dir);
    assert_non_null(s);
    static atomic_int answers[APPENDERS * LINES_EACH];
    atomic_int refused = 0;
    pthread_t threads[APPENDERS];
    appender_t args[APPENDERS];
    for (int t = 0; t < APPENDERS; t++) {
        args[t] = (appender_t){s, t, answers, &refused};
        assert_int_equal(pthread_create(&threads[t], NULL, append_lines, &args[t]), 0);
    }
    for (int t = 0; t < APPENDERS; t++)
        pthread_join(threads[t], NULL);
    /* The thread that wrote the last batch answered it before returning: nothing is left over. */
    for (int i = 0; i < APPENDERS * LINES_EACH; i++)
        assert_int_equal(atomic_load(&answers[i]), 1);
    assert_int_equal(atomic_load(&refused), 0);
    spool_stop(s);

    buf_t seen;
    buf_init(&seen, 1 << 22);
    spool_contents(dir, &seen);
    int lines = 0;
    for (size_t i = 0; i < seen.len; i++)
        lines += buf_ptr(&seen)[i] == '\n';
    assert_int_equal(lines, APPENDERS * LINES_EACH); /* each once: no line lost, none written twice */
    for (int t = 0; t < APPENDERS; t += 3) {
        char want[32];
        snprintf(want, sizeof want, "t%d-%d\n", t, LINES_EACH - 1);
        assert_non_null(strstr(buf_ptr(&seen), want));
    }
    buf_free(&seen);
    remove_dir(dir);
}

/* A line appended while the writing thread answers its batch (here: by the batch's own
 * completion, on that thread) is written and answered by that thread before it returns, with no
 * further append. */
typedef struct {
    spool_t *spool;
    atomic_int second_answers;
} chained_t;

static void second_done(void *ctx, bool durable)
{
    chained_t *c = ctx;
    if (durable)
        atomic_fetch_add(&c->second_answers, 1);
}

static void first_done(void *ctx, bool durable)
{
    chained_t *c = ctx;
    assert_true(durable);
    const char line[] = "second\n";
    spool_append_async(c->spool, line, sizeof line - 1, second_done, c);
}

static void test_spool_line_appended_while_a_batch_is_answered_is_written_too(void **state)
{
    (void)state;
    char dir[] = "/tmp/trackgen-test-spool.XXXXXX";
    assert_non_null(mkdtemp(dir));
    chained_t c = {.spool = spool_start(dir)};
    assert_non_null(c.spool);
    const char line[] = "first\n";
    spool_append_async(c.spool, line, sizeof line - 1, first_done, &c);
    assert_int_equal(atomic_load(&c.second_answers), 1);
    spool_stop(c.spool);
    buf_t seen;
    buf_init(&seen, 1 << 20);
    spool_contents(dir, &seen);
    assert_non_null(strstr(buf_ptr(&seen), "second\n"));
    buf_free(&seen);
    remove_dir(dir);
}

/* The segment a single line went into: its path. */
static void only_segment(const char *dir, char *path, size_t size)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "hits-", 5) == 0 && ++found)
            snprintf(path, size, "%s/%s", dir, e->d_name);
    closedir(d);
    assert_int_equal(found, 1);
}

static void test_spool_idle_segment_is_unlocked_for_the_shipper_without_another_append(void **state)
{
    (void)state;
    char dir[] = "/tmp/trackgen-test-spool.XXXXXX";
    assert_non_null(mkdtemp(dir));
    spool_t *s = spool_start(dir);
    assert_non_null(s);
    const char line[] = "idle\n";
    assert_int_equal(spool_append(s, line, sizeof line - 1), 0);
    char path[512];
    only_segment(dir, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1); /* still open for writing */
    bool unlocked = false;
    for (int i = 0; i < 100 && !unlocked; i++) { /* closed ~200 ms after it opened */
        usleep(20 * 1000);
        unlocked = flock(fd, LOCK_EX | LOCK_NB) == 0;
    }
    assert_true(unlocked);
    close(fd);
    spool_stop(s);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spool_failed_batch_leaves_no_line_to_ship_and_readiness_says_why),
        cmocka_unit_test(test_spool_durable_line_is_in_a_shippable_segment_after_stop),
        cmocka_unit_test(test_spool_lines_of_many_threads_are_each_answered_once_durable),
        cmocka_unit_test(test_spool_line_appended_while_a_batch_is_answered_is_written_too),
        cmocka_unit_test(test_spool_idle_segment_is_unlocked_for_the_shipper_without_another_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
