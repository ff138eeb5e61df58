/*
 * envfile.c — KEY=VALUE files and overlaid environments (see envfile.h).
 */
#include "util/envfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Length of the key at the start of "KEY=..." (0 if none). */
static size_t key_length(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
                       (i > 0 && s[i] >= '0' && s[i] <= '9')))
        i++;
    return i;
}

static ssize_t find_key(const envlist_t *list, const char *key, size_t klen)
{
    for (size_t i = 0; i < list->n; i++)
        if (strncmp(list->vars[i], key, klen) == 0 && list->vars[i][klen] == '=')
            return (ssize_t)i;
    return -1;
}

static int set_slice(envlist_t *list, const char *key, size_t klen, const char *value, size_t vlen)
{
    char *var = malloc(klen + vlen + 2);
    if (!var)
        return -1;
    memcpy(var, key, klen);
    var[klen] = '=';
    memcpy(var + klen + 1, value, vlen);
    var[klen + vlen + 1] = '\0';
    ssize_t at = find_key(list, key, klen);
    if (at >= 0) {
        free(list->vars[at]);
        list->vars[at] = var;
        return 0;
    }
    char **grown = realloc(list->vars, (list->n + 1) * sizeof *grown);
    if (!grown) {
        free(var);
        return -1;
    }
    list->vars = grown;
    list->vars[list->n++] = var;
    return 0;
}

int envlist_set(envlist_t *list, const char *key, const char *value)
{
    return set_slice(list, key, strlen(key), value, strlen(value));
}

void envlist_free(envlist_t *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++)
        free(list->vars[i]);
    free(list->vars);
    list->vars = NULL;
    list->n = 0;
}

/* One line without its newline: 0 (a pair was added or the line is empty/comment), -1 bad. */
static int parse_line(envlist_t *out, const char *s, size_t len)
{
    while (len > 0 && is_space(*s))
        s++, len--;
    while (len > 0 && is_space(s[len - 1]))
        len--;
    if (len == 0 || *s == '#')
        return 0;
    if (memchr(s, '\0', len))
        return -1;
    size_t klen = key_length(s, len);
    size_t eq = klen;
    while (eq < len && is_space(s[eq]))
        eq++;
    if (klen == 0 || eq >= len || s[eq] != '=')
        return -1;
    const char *v = s + eq + 1;
    size_t vlen = len - eq - 1;
    while (vlen > 0 && is_space(*v))
        v++, vlen--;
    if (vlen >= 2 && (*v == '"' || *v == '\'') && v[vlen - 1] == *v) {
        v++;
        vlen -= 2;
    }
    return set_slice(out, s, klen, v, vlen) == 0 ? 0 : -2;
}

int envfile_parse(const char *text, size_t len, envlist_t *out, char *err, size_t errlen)
{
    size_t line = 1;
    for (const char *p = text, *end = text + len; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        int rc = parse_line(out, p, n);
        if (rc == -1) {
            snprintf(err, errlen, "line %zu is not KEY=VALUE", line);
            return -1;
        }
        if (rc == -2) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        p += n + 1;
    }
    return 0;
}

int envfile_load(const char *path, envlist_t *out, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *text = malloc(ENVFILE_MAX_BYTES + 1);
    size_t len = 0;
    ssize_t r = 0;
    while (text && len <= ENVFILE_MAX_BYTES && (r = read(fd, text + len, ENVFILE_MAX_BYTES + 1 - len)) > 0)
        len += (size_t)r;
    int saved = errno;
    close(fd);
    int rc = -1;
    char why[200];
    if (!text)
        snprintf(err, errlen, "%s: out of memory", path);
    else if (r < 0)
        snprintf(err, errlen, "%s: %s", path, strerror(saved));
    else if (len > ENVFILE_MAX_BYTES)
        snprintf(err, errlen, "%s: larger than %d bytes", path, ENVFILE_MAX_BYTES);
    else if (envfile_parse(text, len, out, why, sizeof why) < 0)
        snprintf(err, errlen, "%s: %s", path, why);
    else
        rc = 0;
    free(text);
    return rc;
}

char **envfile_overlay(char *const *base, const envlist_t *over)
{
    size_t nbase = 0;
    while (base && base[nbase])
        nbase++;
    char **env = malloc((nbase + over->n + 1) * sizeof *env);
    if (!env)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < nbase; i++) {
        const char *eq = strchr(base[i], '=');
        if (!eq || find_key(over, base[i], (size_t)(eq - base[i])) < 0)
            env[n++] = base[i];
    }
    for (size_t i = 0; i < over->n; i++)
        env[n++] = over->vars[i];
    env[n] = NULL;
    return env;
}

const char *envfile_get(char *const *env, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
            return env[i] + len + 1;
    return NULL;
}
