/*
 * test_envfile.c — TRACKGEN_ENV_FILE parsing and environment overlays (src/util/envfile.c):
 * comments, blanks, spaces and quotes, a repeated key, an error naming the line for every bad
 * line, reading a file, and an overlay that replaces keys and keeps the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_util.h"
#include "util/envfile.h"

static void parse_ok(const char *text, envlist_t *l)
{
    char err[128] = "";
    *l = (envlist_t){0};
    assert_int_equal(envfile_parse(text, strlen(text), l, err, sizeof err), 0);
}

static void test_envfile_pairs_comments_spaces_and_quotes(void **state)
{
    (void)state;
    envlist_t l;
    parse_ok("# trackgen\n\nTRACKGEN_THREADS=8\r\n  TRACKGEN_LOG_LEVEL = debug  \n"
             "A=\"two words\"\nB='x=y'\nC=\nD=\"unbalanced\nE=a#b\n_F1=1",
             &l);
    char *expect[] = {"TRACKGEN_THREADS=8",
                      "TRACKGEN_LOG_LEVEL=debug",
                      "A=two words",
                      "B=x=y",
                      "C=",
                      "D=\"unbalanced",
                      "E=a#b",
                      "_F1=1"};
    assert_int_equal(l.n, N_ELEMS(expect));
    for (size_t i = 0; i < N_ELEMS(expect); i++)
        assert_string_equal(l.vars[i], expect[i]);
    envlist_free(&l);
    assert_int_equal(l.n, 0);
    envlist_free(&l); /* twice is harmless */
}

static void test_envfile_a_repeated_key_keeps_the_last_value(void **state)
{
    (void)state;
    envlist_t l;
    parse_ok("K=1\nJ=2\nK=3\n", &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.vars[0], "K=3");
    assert_string_equal(l.vars[1], "J=2");
    envlist_free(&l);
}

static void test_envfile_bad_lines_are_named(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *err;
    } cases[] = {
        {"A=1\nnot a pair\n", "line 2 is not KEY=VALUE"},
        {"export A=1\n", "line 1 is not KEY=VALUE"},
        {"=1\n", "line 1 is not KEY=VALUE"},
        {"1A=1\n", "line 1 is not KEY=VALUE"},
        {"A-B=1\n", "line 1 is not KEY=VALUE"},
        {"\n\n\nA\n", "line 4 is not KEY=VALUE"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        envlist_t l = {0};
        char err[128] = "";
        assert_int_equal(envfile_parse(cases[i].text, strlen(cases[i].text), &l, err, sizeof err), -1);
        assert_string_equal(err, cases[i].err);
        envlist_free(&l);
    }
    envlist_t l = {0};
    char err[128] = "";
    assert_int_equal(envfile_parse("A=1\nB\0=2\n", 9, &l, err, sizeof err), -1); /* a NUL inside */
    assert_string_equal(err, "line 2 is not KEY=VALUE");
    envlist_free(&l);
}

static void test_envfile_load_reads_a_file_and_names_it_on_error(void **state)
{
    (void)state;
    char path[] = "/tmp/test_envfile.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "TRACKGEN_MAX_BODY=2048\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    envlist_t l = {0};
    char err[256] = "";
    assert_int_equal(envfile_load(path, &l, err, sizeof err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.vars[0], "TRACKGEN_MAX_BODY=2048");
    envlist_free(&l);
    unlink(path);
    assert_int_equal(envfile_load(path, &l, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file"));
}

static void test_envfile_load_refuses_a_file_over_the_cap(void **state)
{
    (void)state;
    char path[] = "/tmp/test_envfile.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char *big = malloc(ENVFILE_MAX_BYTES + 1);
    memset(big, '#', ENVFILE_MAX_BYTES + 1);
    assert_int_equal(write(fd, big, ENVFILE_MAX_BYTES + 1), ENVFILE_MAX_BYTES + 1);
    free(big);
    close(fd);
    envlist_t l = {0};
    char err[256] = "";
    assert_int_equal(envfile_load(path, &l, err, sizeof err), -1);
    assert_non_null(strstr(err, "larger than"));
    unlink(path);
}

static void test_envfile_overlay_replaces_keys_and_keeps_the_rest(void **state)
{
    (void)state;
    char *base[] = {"PATH=/bin", "TRACKGEN_THREADS=4", "TRACKGEN_THREADS_X=1", "ODD", NULL};
    envlist_t over = {0};
    assert_int_equal(envlist_set(&over, "TRACKGEN_THREADS", "8"), 0);
    assert_int_equal(envlist_set(&over, "NEW", "v"), 0);
    assert_int_equal(envlist_set(&over, "NEW", "w"), 0); /* replaced, not added */
    char **env = envfile_overlay(base, &over);
    assert_non_null(env);
    char *expect[] = {"PATH=/bin", "TRACKGEN_THREADS_X=1", "ODD", "TRACKGEN_THREADS=8", "NEW=w"};
    size_t n = 0;
    while (env[n])
        n++;
    assert_int_equal(n, N_ELEMS(expect));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(env[i], expect[i]);
    assert_string_equal(envfile_get(env, "TRACKGEN_THREADS"), "8");
    assert_string_equal(envfile_get(env, "TRACKGEN_THREADS_X"), "1");
    assert_null(envfile_get(env, "TRACKGEN"));
    assert_null(envfile_get(env, "MISSING"));
    free(env);
    envlist_free(&over);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envfile_pairs_comments_spaces_and_quotes),
        cmocka_unit_test(test_envfile_a_repeated_key_keeps_the_last_value),
        cmocka_unit_test(test_envfile_bad_lines_are_named),
        cmocka_unit_test(test_envfile_load_reads_a_file_and_names_it_on_error),
        cmocka_unit_test(test_envfile_load_refuses_a_file_over_the_cap),
        cmocka_unit_test(test_envfile_overlay_replaces_keys_and_keeps_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
