/*
 * fuzz_multipart.c — libFuzzer harness for the streaming multipart/form-data parser
 * (src/http/multipart.c). The first byte picks a Content-Type (plain, quoted, long boundary), the
 * next two a split point, the rest is the body. Fed whole, split in two at that point, and (when
 * short) one byte at a time, the parser must give the same parts, bytes, result and reason; parts
 * begin and end in turn, at most 16 of them, with a non-empty UTF-8 name, and no empty data piece.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.h"
#include "util/buf.h"
#include "util/text.h"

typedef struct {
    buf_t t;
    int open, parts;
} rec_t;

static int on_begin(void *ctx, const char *name, const char *filename, const char *type)
{
    rec_t *r = ctx;
    assert(!r->open && ++r->parts <= MULTIPART_PARTS_MAX);
    assert(*name && text_utf8_valid(name, strlen(name)) && !text_has_control(name, strlen(name), false));
    if (filename)
        assert(text_utf8_valid(filename, strlen(filename)) && !text_has_control(filename, strlen(filename), false));
    r->open = 1;
    buf_printf(&r->t, "[%s|%s|%s]", name, filename ? filename : "-", type ? type : "-");
    return 0;
}

static int on_data(void *ctx, const void *p, size_t n)
{
    rec_t *r = ctx;
    assert(r->open && n > 0);
    buf_append(&r->t, p, n);
    return 0;
}

static int on_end(void *ctx)
{
    rec_t *r = ctx;
    assert(r->open);
    r->open = 0;
    buf_append_str(&r->t, "[end]");
    return 0;
}

static const multipart_callbacks_t cbs = {on_begin, on_data, on_end};

/* Feeds body in pieces that end at the given offsets (then the rest); the result and reason. */
static int run(const char *ctype, const uint8_t *body, size_t n, size_t step, size_t split, rec_t *r, const char **why)
{
    buf_init(&r->t, 1 << 24);
    r->open = r->parts = 0;
    multipart_t *m = multipart_new(ctype, &cbs, r, why);
    assert(m);
    int rc = 0;
    if (step)
        for (size_t i = 0; i < n && rc == 0; i += step)
            rc = multipart_feed(m, body + i, n - i < step ? n - i : step, why);
    else {
        rc = multipart_feed(m, body, split, why);
        if (rc == 0)
            rc = multipart_feed(m, body + split, n - split, why);
    }
    if (rc == 0)
        rc = multipart_finish(m, why);
    multipart_free(m);
    if (rc)
        assert(*why && **why);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ctypes[] = {
        "multipart/form-data; boundary=q",
        "multipart/form-data; boundary=\"a b:c\"",
        "multipart/form-data; boundary=----WebKitFormBoundaryX3aZ",
        "multipart/form-data; boundary=--",
    };
    if (size < 3)
        return 0;
    const char *ctype = ctypes[data[0] % 4];
    const uint8_t *body = data + 3;
    size_t n = size - 3, split = n ? ((size_t)data[1] << 8 | data[2]) % (n + 1) : 0;
    rec_t whole, two, bytes;
    const char *w1 = NULL, *w2 = NULL, *w3 = NULL;
    int rc1 = run(ctype, body, n, n ? n : 1, 0, &whole, &w1);
    int rc2 = run(ctype, body, n, 0, split, &two, &w2);
    assert(rc1 == rc2 && (rc1 == 0 || strcmp(w1, w2) == 0));
    assert(whole.t.len == two.t.len && memcmp(buf_ptr(&whole.t), buf_ptr(&two.t), whole.t.len) == 0);
    if (n <= 1024) {
        int rc3 = run(ctype, body, n, 1, 0, &bytes, &w3);
        assert(rc1 == rc3 && (rc1 == 0 || strcmp(w1, w3) == 0));
        assert(whole.t.len == bytes.t.len && memcmp(buf_ptr(&whole.t), buf_ptr(&bytes.t), whole.t.len) == 0);
        buf_free(&bytes.t);
    }
    if (rc1 == 0)
        assert(!whole.open);
    buf_free(&whole.t);
    buf_free(&two.t);
    return 0;
}
