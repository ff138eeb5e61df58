/*
 * fuzz_file_name.c — libFuzzer harness for safe file names (src/util/file_name.c) and ZIP entry
 * names (src/util/zip_name.c): any bytes as a user-supplied name. The result is never empty, at most
 * FILE_NAME_MAX bytes of valid UTF-8 without path separators, controls, Windows-illegal characters or
 * dots/spaces at its ends; sanitising it again changes nothing; its Content-Disposition is printable
 * ASCII with exactly the two quotes of filename="…"; a ZIP entry name given twice comes back unique.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/file_name.h"
#include "util/text.h"
#include "util/zip_name.h"

static void check_safe(const char *s)
{
    size_t n = strlen(s);
    assert(n > 0 && n <= FILE_NAME_MAX);
    assert(text_utf8_valid(s, n));
    assert(!text_has_control(s, n, false));
    assert(!strpbrk(s, "/\\<>:\"|?*"));
    assert(s[0] != '.' && s[0] != ' ' && s[n - 1] != '.' && s[n - 1] != ' ');
    assert(!strstr(s, "\xe2\x80\xae") && !strstr(s, "\xef\xbb\xbf")); /* U+202E, U+FEFF */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[FILE_NAME_MAX + 1], again[FILE_NAME_MAX + 1];
    file_name_sanitize((const char *)data, size, "fallback.bin", out);
    check_safe(out);
    file_name_sanitize(out, strlen(out), "other", again);
    assert(strcmp(out, again) == 0);

    buf_t b;
    buf_init(&b, 4096);
    assert(file_name_disposition(out, &b) == BUF_OK);
    const char *d = buf_ptr(&b);
    assert(strncmp(d, "attachment; filename=\"", 22) == 0);
    int quotes = 0;
    for (const char *p = d; *p; p++) {
        assert(*p >= 0x20 && *p < 0x7f);
        quotes += *p == '"';
    }
    assert(quotes == 2);
    buf_free(&b);

    /* the input as a directory and as a name (NUL-terminated: cut at its first NUL) */
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    zip_names_t *z = zip_names_new();
    char e1[ZIP_NAME_MAX + 1], e2[ZIP_NAME_MAX + 1], e3[ZIP_NAME_MAX + 1];
    assert(zip_names_unique(z, s, s, e1) == 0 && zip_names_unique(z, s, s, e2) == 0 &&
           zip_names_unique(z, NULL, s, e3) == 0);
    assert(strcasecmp(e1, e2) != 0 && strcasecmp(e1, e3) != 0 && strcasecmp(e2, e3) != 0);
    char *slash = strchr(e2, '/');
    assert(*s ? slash && !strchr(slash + 1, '/') : !slash);
    if (slash) {
        *slash = '\0';
        check_safe(e2);
        check_safe(slash + 1);
    }
    check_safe(e3);
    zip_names_free(z);
    free(s);
    return 0;
}
