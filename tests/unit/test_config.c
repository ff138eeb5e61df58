/*
 * test_config.c — configuration from the environment (src/util/config.c): defaults, and an error
 * naming the variable for every bad value.
 */
#include "test_util.h"

#include "util/config.h"

static const char *fake_env[16][2];

static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; i < N_ELEMS(fake_env) && fake_env[i][0]; i++)
        if (strcmp(fake_env[i][0], name) == 0)
            return fake_env[i][1];
    return NULL;
}

static void set_env(const char *name, const char *value)
{
    memset(fake_env, 0, sizeof fake_env);
    fake_env[0][0] = name;
    fake_env[0][1] = value;
}

static void test_config_defaults_with_empty_environment(void **state)
{
    (void)state;
    memset(fake_env, 0, sizeof fake_env);
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), 0);
    assert_string_equal(c.database_url, "dbname=trackgen");
    assert_string_equal(c.listen, "127.0.0.1:9000");
    assert_int_equal(c.threads, 32);
    assert_string_equal(c.public_url, "http://127.0.0.1:8080");
    assert_int_equal(c.log_level, LOG_INFO);
    assert_null(c.secret);
    assert_int_equal(c.max_body, 1048576);
    assert_string_equal(c.cors_origins, "*");
    assert_string_equal(c.spool_dir, "spool");
    assert_null(c.fallback_url);
    config_free(&c);
}

static void test_config_every_bad_value_names_its_variable(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"TRACKGEN_THREADS", "0"},
        {"TRACKGEN_THREADS", "abc"},
        {"TRACKGEN_THREADS", "1025"},
        {"TRACKGEN_LISTEN", "nocolon"},
        {"TRACKGEN_LISTEN", "host:99999"},
        {"TRACKGEN_PUBLIC_URL", "ftp://x.example"},
        {"TRACKGEN_PUBLIC_URL", "http://x.example/?q=1"},
        {"TRACKGEN_LOG_LEVEL", "loud"},
        {"TRACKGEN_SECRET", "short"},
        {"TRACKGEN_MAX_BODY", "12"},
        {"TRACKGEN_MAX_BODY", "99999999999"},
        {"TRACKGEN_CORS_ORIGINS", "http://a.example/path"},
        {"TRACKGEN_CORS_ORIGINS", "http://a.example,"},
        {"TRACKGEN_CORS_ORIGINS", "a.example"},
        {"TRACKGEN_FALLBACK_URL", "javascript:alert(1)"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        set_env(cases[i][0], cases[i][1]);
        config_t c;
        char err[256] = "";
        assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), -1);
        assert_non_null(strstr(err, cases[i][0]));
    }
}

static void test_config_secret_required_only_when_asked(void **state)
{
    (void)state;
    memset(fake_env, 0, sizeof fake_env);
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, fake_getenv, true, err, sizeof err), -1);
    assert_non_null(strstr(err, "TRACKGEN_SECRET"));
    set_env("TRACKGEN_SECRET", "0123456789abcdef0123456789abcdef");
    assert_int_equal(config_load(&c, fake_getenv, true, err, sizeof err), 0);
    assert_string_equal(c.secret, "0123456789abcdef0123456789abcdef");
    config_free(&c);
}

static void test_config_public_url_loses_trailing_slashes(void **state)
{
    (void)state;
    set_env("TRACKGEN_PUBLIC_URL", "https://t.example.com//");
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), 0);
    assert_string_equal(c.public_url, "https://t.example.com");
    config_free(&c);
}

static void test_config_origin_lists(void **state)
{
    (void)state;
    set_env("TRACKGEN_CORS_ORIGINS", "https://app.example,http://localhost:5173");
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), 0);
    assert_true(config_origin_allowed(&c, "https://app.example", 19));
    assert_true(config_origin_allowed(&c, "http://localhost:5173", 21));
    assert_false(config_origin_allowed(&c, "https://app.example.evil", 24));
    assert_false(config_origin_allowed(&c, "https://app.exampl", 18));
    config_free(&c);
    set_env("TRACKGEN_CORS_ORIGINS", "*");
    assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), 0);
    assert_true(config_origin_allowed(&c, "https://anything.example", 24));
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults_with_empty_environment),
        cmocka_unit_test(test_config_every_bad_value_names_its_variable),
        cmocka_unit_test(test_config_secret_required_only_when_asked),
        cmocka_unit_test(test_config_public_url_loses_trailing_slashes),
        cmocka_unit_test(test_config_origin_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
