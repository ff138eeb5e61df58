/*
 * test_config.c — configuration from the environment (src/util/config.c), read through a fake
 * getenv over a table: defaults, good values, an error naming the variable for every bad value,
 * the secret (required or not), the trailing slash of TRACKGEN_PUBLIC_URL, CORS origin lists,
 * the rate limits, the signed-URL lifetime.
 */
#include "test_util.h"
#include "util/config.h"

#define SECRET32 "0123456789abcdef0123456789abcdef"

/* The fake environment: up to 15 (name, value) pairs, ended by a NULL name. */
static const char *fake_env[24][2];

static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; i < N_ELEMS(fake_env) && fake_env[i][0]; i++)
        if (strcmp(fake_env[i][0], name) == 0)
            return fake_env[i][1];
    return NULL;
}

static void env_clear(void)
{
    memset(fake_env, 0, sizeof fake_env);
}

static void env_set(const char *name, const char *value)
{
    size_t i = 0;
    while (fake_env[i][0])
        i++;
    assert_true(i + 1 < N_ELEMS(fake_env));
    fake_env[i][0] = name;
    fake_env[i][1] = value;
}

static void env_only(const char *name, const char *value)
{
    env_clear();
    env_set(name, value);
}

static void assert_config_empty(const config_t *c)
{
    assert_null(c->database_url);
    assert_null(c->listen);
    assert_null(c->public_url);
    assert_null(c->secret);
    assert_null(c->cors_origins);
    assert_null(c->spool_dir);
    assert_null(c->blob_dir);
    assert_null(c->fallback_url);
}

static void test_config_defaults_with_an_empty_environment(void **state)
{
    (void)state;
    env_clear();
    config_t c;
    char err[256] = "";
    assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), 0);
    assert_string_equal(err, ""); /* untouched on success */
    assert_string_equal(c.database_url, "dbname=trackgen");
    assert_string_equal(c.listen, "127.0.0.1:9000");
    assert_int_equal(c.threads, 32);
    assert_string_equal(c.public_url, "http://127.0.0.1:8080");
    assert_int_equal(c.log_level, LOG_INFO);
    assert_null(c.secret);
    assert_int_equal(c.max_body, 1048576);
    assert_int_equal(c.max_csv_body, 33554432);
    assert_int_equal(c.max_upload, 67108864);
    assert_int_equal(c.heavy_requests, 8); /* a quarter of the 32 threads */
    assert_string_equal(c.cors_origins, "*");
    assert_string_equal(c.spool_dir, "spool");
    assert_string_equal(c.blob_dir, "/var/lib/trackgen/blobs");
    assert_null(c.fallback_url);
    assert_int_equal(c.rate_limit, 6000);
    assert_int_equal(c.clicks_rate_limit, 600);
    assert_int_equal(c.download_ttl, 3600);
    assert_int_equal(c.hits_retention_days, 400);
    config_free(&c);
    assert_config_empty(&c);
}

/* An empty value means "unset": the default applies. */
static void test_config_empty_values_fall_back_to_defaults(void **state)
{
    (void)state;
    static const char *const names[] = {
        "TRACKGEN_THREADS",      "TRACKGEN_LISTEN",       "TRACKGEN_PUBLIC_URL",        "TRACKGEN_LOG_LEVEL",
        "TRACKGEN_MAX_BODY",     "TRACKGEN_CORS_ORIGINS", "TRACKGEN_FALLBACK_URL",      "TRACKGEN_SPOOL_DIR",
        "TRACKGEN_DATABASE_URL", "TRACKGEN_RATE_LIMIT",   "TRACKGEN_CLICKS_RATE_LIMIT", "TRACKGEN_DOWNLOAD_TTL",
        "TRACKGEN_MAX_CSV_BODY", "TRACKGEN_MAX_UPLOAD",   "TRACKGEN_HEAVY_REQUESTS",    "TRACKGEN_BLOB_DIR"};
    env_clear();
    for (size_t i = 0; i < N_ELEMS(names); i++)
        env_set(names[i], "");
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), 0);
    assert_int_equal(c.threads, 32);
    assert_string_equal(c.listen, "127.0.0.1:9000");
    assert_string_equal(c.cors_origins, "*");
    assert_null(c.fallback_url);
    assert_int_equal(c.rate_limit, 6000);
    assert_int_equal(c.clicks_rate_limit, 600);
    assert_int_equal(c.download_ttl, 3600);
    assert_string_equal(c.blob_dir, "/var/lib/trackgen/blobs");
    config_free(&c);
}

static void test_config_good_values_are_taken(void **state)
{
    (void)state;
    env_clear();
    env_set("TRACKGEN_DATABASE_URL", "postgresql://tg@db/trackgen");
    env_set("TRACKGEN_LISTEN", "/run/trackgen/fcgi.sock");
    env_set("TRACKGEN_THREADS", "1024");
    env_set("TRACKGEN_PUBLIC_URL", "https://t.example.com/base");
    env_set("TRACKGEN_LOG_LEVEL", "warn");
    env_set("TRACKGEN_SECRET", SECRET32);
    env_set("TRACKGEN_MAX_BODY", "67108864");
    env_set("TRACKGEN_CORS_ORIGINS", "https://app.example.com,http://localhost:5173");
    env_set("TRACKGEN_SPOOL_DIR", "/var/spool/trackgen");
    env_set("TRACKGEN_BLOB_DIR", "/srv/trackgen/blobs");
    env_set("TRACKGEN_FALLBACK_URL", "https://www.example.com/");
    env_set("TRACKGEN_RATE_LIMIT", "120");
    env_set("TRACKGEN_CLICKS_RATE_LIMIT", "0");
    env_set("TRACKGEN_DOWNLOAD_TTL", "900");
    env_set("TRACKGEN_MAX_CSV_BODY", "1073741824");
    env_set("TRACKGEN_MAX_UPLOAD", "4294967296");
    env_set("TRACKGEN_HEAVY_REQUESTS", "1023");
    env_set("TRACKGEN_HITS_RETENTION_DAYS", "30");
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, fake_getenv, true, err, sizeof err), 0);
    assert_int_equal(c.rate_limit, 120);
    assert_int_equal(c.clicks_rate_limit, 0);
    assert_int_equal(c.download_ttl, 900);
    assert_int_equal(c.hits_retention_days, 30);
    assert_string_equal(c.database_url, "postgresql://tg@db/trackgen");
    assert_string_equal(c.listen, "/run/trackgen/fcgi.sock");
    assert_int_equal(c.threads, 1024);
    assert_string_equal(c.public_url, "https://t.example.com/base");
    assert_int_equal(c.log_level, LOG_WARN);
    assert_string_equal(c.secret, SECRET32);
    assert_int_equal(c.max_body, 67108864);
    assert_int_equal(c.max_csv_body, 1073741824);
    assert_int_equal(c.max_upload, 4294967296);
    assert_int_equal(c.heavy_requests, 1023);
    assert_string_equal(c.cors_origins, "https://app.example.com,http://localhost:5173");
    assert_string_equal(c.spool_dir, "/var/spool/trackgen");
    assert_string_equal(c.blob_dir, "/srv/trackgen/blobs");
    assert_string_equal(c.fallback_url, "https://www.example.com/");
    config_free(&c);
}

/* Boundary values that must be accepted, one variable at a time. */
static void test_config_boundary_values_are_accepted(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"TRACKGEN_THREADS", "1"},
        {"TRACKGEN_THREADS", "1024"},
        {"TRACKGEN_LISTEN", ":9000"},
        {"TRACKGEN_LISTEN", "0.0.0.0:65535"},
        {"TRACKGEN_LISTEN", "[::1]:1"},
        {"TRACKGEN_LISTEN", "./fcgi.sock"},
        {"TRACKGEN_PUBLIC_URL", "http://localhost"},
        {"TRACKGEN_LOG_LEVEL", "debug"},
        {"TRACKGEN_LOG_LEVEL", "error"},
        {"TRACKGEN_MAX_BODY", "1024"},
        {"TRACKGEN_MAX_BODY", "67108864"},
        {"TRACKGEN_MAX_CSV_BODY", "1024"},
        {"TRACKGEN_MAX_CSV_BODY", "1073741824"},
        {"TRACKGEN_MAX_UPLOAD", "1024"},
        {"TRACKGEN_MAX_UPLOAD", "4294967296"},
        {"TRACKGEN_HEAVY_REQUESTS", "1"},
        {"TRACKGEN_HEAVY_REQUESTS", "31"},
        {"TRACKGEN_SECRET", SECRET32},
        {"TRACKGEN_CORS_ORIGINS", "*"},
        {"TRACKGEN_CORS_ORIGINS", "http://a.com"},
        {"TRACKGEN_CORS_ORIGINS", "https://a.com:8443,http://b.com"},
        {"TRACKGEN_FALLBACK_URL", "http://x.example/?q=1"},
        {"TRACKGEN_RATE_LIMIT", "0"},
        {"TRACKGEN_RATE_LIMIT", "1"},
        {"TRACKGEN_RATE_LIMIT", "100000"},
        {"TRACKGEN_CLICKS_RATE_LIMIT", "0"},
        {"TRACKGEN_CLICKS_RATE_LIMIT", "100000"},
        {"TRACKGEN_DOWNLOAD_TTL", "60"},
        {"TRACKGEN_DOWNLOAD_TTL", "604800"},
        {"TRACKGEN_HITS_RETENTION_DAYS", "1"},
        {"TRACKGEN_HITS_RETENTION_DAYS", "36500"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        env_only(cases[i][0], cases[i][1]);
        config_t c;
        char err[256] = "";
        if (config_load(&c, fake_getenv, false, err, sizeof err) != 0)
            fail_msg("%s=%s refused: %s", cases[i][0], cases[i][1], err);
        config_free(&c);
    }
}

/* Every bad value fails with a one-line message that starts with the variable's name, and the
 * config holds nothing to free. */
static void test_config_every_bad_value_names_its_variable(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"TRACKGEN_THREADS", "0"},
        {"TRACKGEN_THREADS", "abc"},
        {"TRACKGEN_THREADS", "1025"},
        {"TRACKGEN_THREADS", "-1"},
        {"TRACKGEN_THREADS", "4x"},
        {"TRACKGEN_THREADS", " 8"},
        {"TRACKGEN_THREADS", "+8"},
        {"TRACKGEN_LISTEN", "host: 80"},
        {"TRACKGEN_LISTEN", "host:+80"},
        {"TRACKGEN_THREADS", "99999999999999999999999"},
        {"TRACKGEN_LISTEN", "nocolon"},
        {"TRACKGEN_LISTEN", "host:"},
        {"TRACKGEN_LISTEN", "host:0"},
        {"TRACKGEN_LISTEN", "host:65536"},
        {"TRACKGEN_LISTEN", "host:http"},
        {"TRACKGEN_PUBLIC_URL", "ftp://x"},
        {"TRACKGEN_PUBLIC_URL", "http://x/?q"},
        {"TRACKGEN_PUBLIC_URL", "http://x/#top"},
        {"TRACKGEN_PUBLIC_URL", "http://x/{partner_id}"},
        {"TRACKGEN_PUBLIC_URL", "javascript:alert(1)"},
        {"TRACKGEN_PUBLIC_URL", "x.example.com"},
        {"TRACKGEN_PUBLIC_URL", "/"},
        {"TRACKGEN_LOG_LEVEL", "loud"},
        {"TRACKGEN_LOG_LEVEL", "INFO"},
        {"TRACKGEN_SECRET", "short"},
        {"TRACKGEN_SECRET", "0123456789abcdef0123456789abcde"}, /* 31 characters */
        {"TRACKGEN_MAX_BODY", "12"},
        {"TRACKGEN_MAX_BODY", "1023"},
        {"TRACKGEN_MAX_BODY", "67108865"},
        {"TRACKGEN_MAX_BODY", "1M"},
        {"TRACKGEN_MAX_BODY", " 2048"},
        {"TRACKGEN_MAX_CSV_BODY", "1023"},
        {"TRACKGEN_MAX_CSV_BODY", "1073741825"},
        {"TRACKGEN_MAX_CSV_BODY", "32MiB"},
        {"TRACKGEN_MAX_UPLOAD", "1023"},
        {"TRACKGEN_MAX_UPLOAD", "4294967297"},
        {"TRACKGEN_MAX_UPLOAD", "-1"},
        {"TRACKGEN_HEAVY_REQUESTS", "0"},
        {"TRACKGEN_HEAVY_REQUESTS", "32"}, /* all 32 threads: none left for clicks */
        {"TRACKGEN_HEAVY_REQUESTS", "1025"},
        {"TRACKGEN_HEAVY_REQUESTS", "four"},
        {"TRACKGEN_CORS_ORIGINS", "http://a.com/path"},
        {"TRACKGEN_CORS_ORIGINS", "http://a.com/"},
        {"TRACKGEN_CORS_ORIGINS", "http://a.com,"},
        {"TRACKGEN_CORS_ORIGINS", ",http://a.com"},
        {"TRACKGEN_CORS_ORIGINS", "http://a.com,,http://b.com"},
        {"TRACKGEN_CORS_ORIGINS", "http://a.com, http://b.com"},
        {"TRACKGEN_CORS_ORIGINS", "a.com"},
        {"TRACKGEN_CORS_ORIGINS", "http://"},
        {"TRACKGEN_CORS_ORIGINS", "*,http://a.com"},
        {"TRACKGEN_FALLBACK_URL", "javascript:alert(1)"},
        {"TRACKGEN_FALLBACK_URL", "https://x.example/{partner_id}"},
        {"TRACKGEN_RATE_LIMIT", "-1"},
        {"TRACKGEN_RATE_LIMIT", "100001"},
        {"TRACKGEN_RATE_LIMIT", "60/min"},
        {"TRACKGEN_RATE_LIMIT", " 60"},
        {"TRACKGEN_RATE_LIMIT", "off"},
        {"TRACKGEN_CLICKS_RATE_LIMIT", "-5"},
        {"TRACKGEN_CLICKS_RATE_LIMIT", "1e3"},
        {"TRACKGEN_CLICKS_RATE_LIMIT", "99999999999999999999"},
        {"TRACKGEN_DOWNLOAD_TTL", "59"},
        {"TRACKGEN_DOWNLOAD_TTL", "604801"},
        {"TRACKGEN_DOWNLOAD_TTL", "0"},
        {"TRACKGEN_DOWNLOAD_TTL", "-3600"},
        {"TRACKGEN_DOWNLOAD_TTL", "1h"},
        {"TRACKGEN_DOWNLOAD_TTL", "3600s"},
        {"TRACKGEN_DOWNLOAD_TTL", " 3600"},
        {"TRACKGEN_DOWNLOAD_TTL", "+3600"},
        {"TRACKGEN_DOWNLOAD_TTL", "99999999999999999999"},
        {"TRACKGEN_HITS_RETENTION_DAYS", "0"},
        {"TRACKGEN_HITS_RETENTION_DAYS", "36501"},
        {"TRACKGEN_HITS_RETENTION_DAYS", "400d"},
        {"TRACKGEN_HITS_RETENTION_DAYS", "-1"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        env_only(cases[i][0], cases[i][1]);
        config_t c;
        memset(&c, 0x5a, sizeof c);
        char err[256] = "";
        if (config_load(&c, fake_getenv, false, err, sizeof err) != -1)
            fail_msg("%s=%s was accepted", cases[i][0], cases[i][1]);
        size_t n = strlen(cases[i][0]);
        if (strncmp(err, cases[i][0], n) != 0 || err[n] != ':')
            fail_msg("%s=%s: message does not start with the variable: %s", cases[i][0], cases[i][1], err);
        assert_null(strchr(err, '\n'));
        assert_config_empty(&c);
    }
}

static void test_config_error_message_respects_its_buffer_size(void **state)
{
    (void)state;
    env_only("TRACKGEN_THREADS", "a-very-long-bad-value-that-would-not-fit-in-the-buffer");
    config_t c;
    char err[12];
    memset(err, 'X', sizeof err);
    assert_int_equal(config_load(&c, fake_getenv, false, err, 8), -1);
    assert_string_equal(err, "TRACKGE");
    assert_int_equal(err[8], 'X'); /* nothing written past errlen */
}

static void test_config_secret_required_or_optional(void **state)
{
    (void)state;
    static const struct {
        const char *secret; /* NULL: unset */
        bool required;
        int rc;
    } cases[] = {
        {NULL, false, 0},     {NULL, true, -1},    {"", false, 0},          {"", true, -1},
        {SECRET32, false, 0}, {SECRET32, true, 0}, {"tooshort", false, -1}, {"tooshort", true, -1},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        env_clear();
        if (cases[i].secret)
            env_set("TRACKGEN_SECRET", cases[i].secret);
        config_t c;
        char err[256] = "";
        int rc = config_load(&c, fake_getenv, cases[i].required, err, sizeof err);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d, want %d (%s)", i, rc, cases[i].rc, err);
        if (rc == 0) {
            if (cases[i].secret && *cases[i].secret)
                assert_string_equal(c.secret, cases[i].secret);
            else
                assert_null(c.secret);
            config_free(&c);
        } else {
            assert_int_equal(strncmp(err, "TRACKGEN_SECRET:", 16), 0);
        }
    }
}

static void test_config_public_url_trailing_slashes_are_stripped(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"https://t.example.com/", "https://t.example.com"},
        {"https://t.example.com//", "https://t.example.com"},
        {"https://t.example.com", "https://t.example.com"},
        {"https://t.example.com/base/", "https://t.example.com/base"},
        {"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        env_only("TRACKGEN_PUBLIC_URL", cases[i][0]);
        config_t c;
        char err[256];
        assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), 0);
        assert_string_equal(c.public_url, cases[i][1]);
        config_free(&c);
    }
}

static void test_config_origin_allowed_for_lists_and_star(void **state)
{
    (void)state;
    static const struct {
        const char *list;
        const char *origin;
        bool allowed;
    } cases[] = {
        {"https://app.example,http://localhost:5173", "https://app.example", true},
        {"https://app.example,http://localhost:5173", "http://localhost:5173", true},
        {"https://app.example,http://localhost:5173", "http://localhost:517", false},
        {"https://app.example,http://localhost:5173", "https://app.example.evil", false},
        {"https://app.example,http://localhost:5173", "https://app.exampl", false},
        {"https://app.example,http://localhost:5173", "http://app.example", false},
        {"https://app.example,http://localhost:5173", "https://APP.example", false},
        {"https://app.example,http://localhost:5173", "https://app.example,http://localhost:5173", false},
        {"https://app.example,http://localhost:5173", "", false},
        {"https://a.example,https://b.example,https://c.example", "https://b.example", true},
        {"https://a.example,https://b.example,https://c.example", "https://c.example", true},
        {"https://a.example", "null", false},
        {"*", "https://anything.example", true},
        {"*", "null", true},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        env_only("TRACKGEN_CORS_ORIGINS", cases[i].list);
        config_t c;
        char err[256];
        assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), 0);
        bool got = config_origin_allowed(&c, cases[i].origin, strlen(cases[i].origin));
        if (got != cases[i].allowed)
            fail_msg("list %s, origin '%s': got %d", cases[i].list, cases[i].origin, got);
        config_free(&c);
    }
}

/* The origin is a (pointer, length) slice: bytes after len do not count. */
static void test_config_origin_allowed_reads_only_the_slice(void **state)
{
    (void)state;
    env_only("TRACKGEN_CORS_ORIGINS", "https://a.example");
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, fake_getenv, false, err, sizeof err), 0);
    const char header[] = "https://a.example.evil";
    assert_true(config_origin_allowed(&c, header, 17));
    assert_false(config_origin_allowed(&c, header, 18));
    config_free(&c);
}

static void test_config_free_after_success_clears_and_accepts_null(void **state)
{
    (void)state;
    env_clear();
    env_set("TRACKGEN_SECRET", SECRET32);
    env_set("TRACKGEN_FALLBACK_URL", "https://f.example/");
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, fake_getenv, true, err, sizeof err), 0);
    config_free(&c);
    assert_config_empty(&c);
    config_free(&c); /* a second free is harmless */
    config_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults_with_an_empty_environment),
        cmocka_unit_test(test_config_empty_values_fall_back_to_defaults),
        cmocka_unit_test(test_config_good_values_are_taken),
        cmocka_unit_test(test_config_boundary_values_are_accepted),
        cmocka_unit_test(test_config_every_bad_value_names_its_variable),
        cmocka_unit_test(test_config_error_message_respects_its_buffer_size),
        cmocka_unit_test(test_config_secret_required_or_optional),
        cmocka_unit_test(test_config_public_url_trailing_slashes_are_stripped),
        cmocka_unit_test(test_config_origin_allowed_for_lists_and_star),
        cmocka_unit_test(test_config_origin_allowed_reads_only_the_slice),
        cmocka_unit_test(test_config_free_after_success_clears_and_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
