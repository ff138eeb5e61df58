/*
 * test_zip_stream.c — the streamed ZIP writer (src/util/zip_stream.c): archives written through the
 * callback into memory and into a file, read back with libarchive (every entry's bytes and name,
 * non-ASCII included), and checked by `unzip -t`, `zipinfo` and Python's zipfile (testzip, CRCs,
 * the UTF-8 flag, each entry's SHA-256); deflate vs store per entry; errors: a refusing output,
 * too many or too few bytes, calls out of order; and memory that stays flat while 200 MiB stream.
 */
#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "test_tmpdir.h"
#include "test_util.h"
#include "util/zip_stream.h"

typedef struct {
    unsigned char *p;
    size_t len, cap;
    size_t calls;
    size_t fail_after; /* refuse once this many bytes went through (0: never) */
} membuf_t;

static int to_memory(void *ctx, const void *p, size_t n)
{
    membuf_t *m = ctx;
    m->calls++;
    if (m->fail_after && m->len + n > m->fail_after)
        return -1;
    if (m->len + n > m->cap) {
        m->cap = (m->len + n) * 2;
        m->p = realloc(m->p, m->cap);
        assert_non_null(m->p);
    }
    memcpy(m->p + m->len, p, n);
    m->len += n;
    return 0;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char d[32];
    unsigned int len;
    EVP_Digest(p, n, d, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

typedef struct {
    const char *name;
    const char *data; /* NULL: generated (see fill) */
    size_t size;
    bool declare_size;
    bool compress;
} entry_t;

/* Deterministic content: text-like (compressible) for even seeds, noise for odd ones. */
static void fill(unsigned char *p, size_t n, unsigned seed, size_t offset)
{
    uint32_t x = seed * 2654435761u + (uint32_t)offset;
    for (size_t i = 0; i < n; i++) {
        if (seed % 2 == 0) {
            p[i] = (unsigned char)("creative line, tracking link {tracking_link}\n"[(offset + i) % 45]);
        } else {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            p[i] = (unsigned char)x;
        }
    }
}

/* Writes the entries (generated content in 64 KiB pieces) and finishes the archive; their
 * SHA-256s go to shas. */
static void write_archive(zip_stream_t *z, const entry_t *e, size_t n, char (*shas)[65])
{
    static unsigned char chunk[65536];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(zip_stream_entry_begin(z, e[i].name, e[i].declare_size ? (int64_t)e[i].size : -1, 1700000000,
                                                e[i].compress),
                         0);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        for (size_t off = 0; off < e[i].size; off += sizeof chunk) {
            size_t k = e[i].size - off < sizeof chunk ? e[i].size - off : sizeof chunk;
            const void *p = chunk;
            if (e[i].data)
                p = e[i].data + off;
            else
                fill(chunk, k, (unsigned)i, off);
            EVP_DigestUpdate(md, p, k);
            if (zip_stream_entry_write(z, p, k) != 0)
                fail_msg("%s: %s", e[i].name, zip_stream_error(z));
        }
        unsigned char d[32];
        unsigned int dl;
        EVP_DigestFinal_ex(md, d, &dl);
        EVP_MD_CTX_free(md);
        for (int j = 0; j < 32; j++)
            snprintf(shas[i] + 2 * j, 3, "%02x", d[j]);
        assert_int_equal(zip_stream_entry_end(z), 0);
    }
    if (zip_stream_finish(z) != 0)
        fail_msg("finish: %s", zip_stream_error(z));
    assert_string_equal(zip_stream_error(z), "");
}

/* Reads the archive back with libarchive (from memory, or from path if p is NULL): the same names
 * in the same order, each entry's bytes with the expected SHA-256. */
static void verify_with_libarchive(const void *p, size_t len, const char *path, const entry_t *e, size_t n,
                                   char (*shas)[65])
{
    /* the reader needs a UTF-8 locale to hand out UTF-8 names (the writer, under test, runs in
     * the C locale as the server does); this thread only */
    locale_t utf8 = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
    assert_non_null(utf8);
    locale_t old = uselocale(utf8);
    struct archive *a = archive_read_new();
    archive_read_support_format_zip_seekable(a);
    int rc = p ? archive_read_open_memory(a, p, len) : archive_read_open_filename(a, path, 65536);
    assert_int_equal(rc, ARCHIVE_OK);
    struct archive_entry *ae;
    size_t i = 0;
    static unsigned char chunk[65536];
    while ((rc = archive_read_next_header(a, &ae)) != ARCHIVE_EOF) {
        if (rc != ARCHIVE_OK)
            fail_msg("entry %zu: %d %s", i, rc, archive_error_string(a));
        assert_true(i < n);
        const char *name = archive_entry_pathname_utf8(ae);
        assert_non_null(name);
        assert_string_equal(name, e[i].name);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        la_ssize_t k;
        size_t total = 0;
        while ((k = archive_read_data(a, chunk, sizeof chunk)) > 0) {
            EVP_DigestUpdate(md, chunk, (size_t)k);
            total += (size_t)k;
        }
        assert_int_equal(k, 0);
        unsigned char d[32];
        unsigned int dl;
        EVP_DigestFinal_ex(md, d, &dl);
        EVP_MD_CTX_free(md);
        char hex[65];
        for (int j = 0; j < 32; j++)
            snprintf(hex + 2 * j, 3, "%02x", d[j]);
        assert_int_equal(total, e[i].size);
        assert_string_equal(hex, shas[i]);
        i++;
    }
    assert_int_equal(i, n);
    archive_read_free(a);
    uselocale(old);
    freelocale(utf8);
}

/* The local header of the entry named name: its general purpose flags and method. */
static bool local_header(const membuf_t *m, const char *name, unsigned *flags, unsigned *method)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + 30 + nl <= m->len; i++) {
        const unsigned char *h = m->p + i;
        if (memcmp(h, "PK\3\4", 4) != 0 || (size_t)(h[26] | h[27] << 8) != nl || memcmp(h + 30, name, nl) != 0)
            continue;
        *flags = h[6] | h[7] << 8;
        *method = h[8] | h[9] << 8;
        return true;
    }
    return false;
}

static const entry_t SMALL[] = {
    {"readme.txt", "hello, archive\n", 15, true, true},
    {"bannières/été 2026 — 名前.html", "<p>{tracking_link}</p>\n", 23, true, true},
    {"image.png", "\x89PNG\r\n\x1a\n not really", 19, true, false},
    {"empty.txt", "", 0, true, true},
    {"unknown-size.csv", "id,name\n1,a\n2,b\n", 16, false, true},
    {"unknown-size.bin", "\x01\x02\x03", 3, false, false},
};

static void test_zip_stream_small_archive_in_memory_reads_back(void **state)
{
    (void)state;
    membuf_t m = {0};
    zip_stream_t *z = zip_stream_new(to_memory, &m);
    assert_non_null(z);
    char shas[N_ELEMS(SMALL)][65];
    write_archive(z, SMALL, N_ELEMS(SMALL), shas);
    zip_stream_free(z);
    for (size_t i = 0; i < N_ELEMS(SMALL); i++) {
        char want[65];
        sha256_hex(SMALL[i].data, SMALL[i].size, want);
        assert_string_equal(shas[i], want);
    }
    verify_with_libarchive(m.p, m.len, NULL, SMALL, N_ELEMS(SMALL), shas);
    for (size_t i = 0; i < N_ELEMS(SMALL); i++) {
        unsigned flags = 0, method = 0;
        if (!local_header(&m, SMALL[i].name, &flags, &method))
            fail_msg("no local header for %s", SMALL[i].name);
        assert_int_equal(method, SMALL[i].compress ? 8 : 0);
        bool ascii = true;
        for (const char *p = SMALL[i].name; *p; p++)
            ascii &= (unsigned char)*p < 0x80;
        if (!ascii && !(flags & 0x800))
            fail_msg("%s: UTF-8 flag not set", SMALL[i].name);
    }
    /* the end of central directory record closes the stream */
    assert_true(m.len > 22);
    assert_memory_equal(m.p + m.len - 22, "PK\5\6", 4);
    free(m.p);
}

static void test_zip_stream_empty_archive_is_valid(void **state)
{
    (void)state;
    membuf_t m = {0};
    zip_stream_t *z = zip_stream_new(to_memory, &m);
    assert_int_equal(zip_stream_finish(z), 0);
    zip_stream_free(z);
    assert_int_equal(m.len, 22);
    assert_memory_equal(m.p, "PK\5\6", 4);
    free(m.p);
}

/* The output refusing bytes (a client gone) fails the call with a reason, and nothing more is
 * written, even by zip_stream_free. */
static void test_zip_stream_output_refusing_fails_cleanly(void **state)
{
    (void)state;
    membuf_t m = {.fail_after = 100};
    zip_stream_t *z = zip_stream_new(to_memory, &m);
    static unsigned char noise[200000];
    fill(noise, sizeof noise, 1, 0);
    assert_int_equal(zip_stream_entry_begin(z, "a.bin", sizeof noise, 0, false), 0);
    int rc = 0;
    for (size_t off = 0; rc == 0 && off < sizeof noise; off += 1000)
        rc = zip_stream_entry_write(z, noise + off, 1000);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(zip_stream_error(z), "a.bin"));
    assert_int_equal(zip_stream_entry_end(z), -1);
    assert_int_equal(zip_stream_finish(z), -1);
    size_t calls = m.calls;
    zip_stream_free(z);
    assert_int_equal(m.calls, calls);
    assert_true(m.len <= 100);
    free(m.p);
}

static void test_zip_stream_declared_size_is_enforced(void **state)
{
    (void)state;
    membuf_t m = {0};
    zip_stream_t *z = zip_stream_new(to_memory, &m);
    assert_int_equal(zip_stream_entry_begin(z, "a.txt", 4, 0, true), 0);
    assert_int_equal(zip_stream_entry_write(z, "abc", 3), 0);
    assert_int_equal(zip_stream_entry_write(z, "de", 2), -1);
    assert_non_null(strstr(zip_stream_error(z), "more than the 4 bytes declared"));
    zip_stream_free(z);

    z = zip_stream_new(to_memory, &m);
    assert_int_equal(zip_stream_entry_begin(z, "b.txt", 4, 0, false), 0);
    assert_int_equal(zip_stream_entry_write(z, "abc", 3), 0);
    assert_int_equal(zip_stream_entry_end(z), -1);
    assert_non_null(strstr(zip_stream_error(z), "3 bytes written, 4 declared"));
    assert_int_equal(zip_stream_finish(z), -1);
    zip_stream_free(z);
    free(m.p);
}

static void test_zip_stream_calls_out_of_order_fail(void **state)
{
    (void)state;
    membuf_t m = {0};
    zip_stream_t *z = zip_stream_new(to_memory, &m);
    assert_int_equal(zip_stream_entry_write(z, "x", 1), -1);
    assert_non_null(strstr(zip_stream_error(z), "no entry is open"));
    zip_stream_free(z);
    z = zip_stream_new(to_memory, &m);
    assert_int_equal(zip_stream_entry_begin(z, "a", 1, 0, false), 0);
    assert_int_equal(zip_stream_entry_begin(z, "b", 1, 0, false), -1);
    zip_stream_free(z);
    z = zip_stream_new(to_memory, &m);
    assert_int_equal(zip_stream_entry_begin(z, "", 1, 0, false), -1);
    zip_stream_free(z);
    z = zip_stream_new(to_memory, &m);
    assert_int_equal(zip_stream_finish(z), 0);
    assert_int_equal(zip_stream_finish(z), -1);
    assert_int_equal(zip_stream_entry_begin(z, "late", 1, 0, false), -1);
    zip_stream_free(z);
    zip_stream_free(NULL);
    free(m.p);
}

static void test_zip_stream_worth_compressing_by_content_type(void **state)
{
    (void)state;
    static const struct {
        const char *ct;
        bool yes;
    } cases[] = {
        {"text/plain", true},
        {"text/html; charset=utf-8", true},
        {"TEXT/CSV", true},
        {"text/csv;charset=UTF-8", true},
        {"application/json", true},
        {"application/problem+json", true},
        {"application/xml", true},
        {"image/svg+xml", true},
        {"application/javascript", true},
        {"image/bmp", true},
        {"image/png", false},
        {"image/jpeg", false},
        {"image/gif", false},
        {"image/webp", false},
        {"video/mp4", false},
        {"video/webm", false},
        {"application/zip", false},
        {"application/pdf", false},
        {"application/octet-stream", false},
        {"text/", false},
        {"", false},
        {"application/jsonx", false},
        {"application/json-seq", false},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++)
        if (zip_stream_worth_compressing(cases[i].ct) != cases[i].yes)
            fail_msg("'%s': want %d", cases[i].ct, cases[i].yes);
    assert_false(zip_stream_worth_compressing(NULL));
}

static int to_file(void *ctx, const void *p, size_t n)
{
    return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

/* Runs cmd, returns its exit status and its stdout (up to cap bytes) in out. */
static int run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char PY_CHECK[] =
    "import hashlib, sys, zipfile\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "assert z.testzip() is None\n"
    "for i in z.infolist():\n"
    "    h = hashlib.sha256()\n"
    "    with z.open(i) as f:\n"
    "        for b in iter(lambda: f.read(1 << 20), b''):\n"
    "            h.update(b)\n"
    "    print(i.filename, i.flag_bits & 0x800 and 1 or 0, i.compress_type, i.file_size, h.hexdigest(), sep='\\t')\n";

/* 3 entries of 8 MiB (deflated text, stored noise, stored noise) and one of unknown size, into a
 * file, checked by libarchive, unzip -t, zipinfo and Python's zipfile. */
static void test_zip_stream_large_archive_passes_unzip_zipinfo_and_python(void **state)
{
    (void)state;
    static const entry_t big[] = {
        {"créatifs/texte-8MiB.txt", NULL, 8u << 20, true, true},
        {"bruit 1.png", NULL, 8u << 20, true, false},
        {"δεδομένα/bruit 2.webp", NULL, 8u << 20, true, false},
        {"inconnu.html", NULL, 5u << 20, false, true},
    };
    char dir[256], path[300];
    tmpdir_make(dir, sizeof dir, "zip");
    snprintf(path, sizeof path, "%s/all.zip", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    zip_stream_t *z = zip_stream_new(to_file, f);
    char shas[N_ELEMS(big)][65];
    write_archive(z, big, N_ELEMS(big), shas);
    zip_stream_free(z);
    assert_int_equal(fclose(f), 0);

    verify_with_libarchive(NULL, 0, path, big, N_ELEMS(big), shas);

    char cmd[1024];
    static char out[65536];
    snprintf(cmd, sizeof cmd, "unzip -tqq '%s' 2>&1", path);
    if (run(cmd, out, sizeof out) != 0)
        fail_msg("unzip -t: %s", out);
    snprintf(cmd, sizeof cmd, "LC_ALL=C.UTF-8 zipinfo -1 '%s' 2>&1", path);
    if (run(cmd, out, sizeof out) != 0)
        fail_msg("zipinfo: %s", out);
    for (size_t i = 0; i < N_ELEMS(big); i++)
        if (!strstr(out, big[i].name))
            fail_msg("zipinfo does not list %s:\n%s", big[i].name, out);

    char py[300];
    snprintf(py, sizeof py, "%s/check.py", dir);
    f = fopen(py, "w");
    fputs(PY_CHECK, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "PYTHONIOENCODING=utf-8 python3 '%s' '%s' 2>&1", py, path);
    if (run(cmd, out, sizeof out) != 0)
        fail_msg("python zipfile: %s", out);
    char *line = out;
    for (size_t i = 0; i < N_ELEMS(big); i++) {
        char want[1024];
        bool ascii = true;
        for (const char *p = big[i].name; *p; p++)
            ascii &= (unsigned char)*p < 0x80;
        snprintf(want, sizeof want, "%s\t%d\t%d\t%zu\t%s\n", big[i].name, ascii ? 0 : 1, big[i].compress ? 8 : 0,
                 big[i].size, shas[i]);
        if (strncmp(line, want, strlen(want)) != 0)
            fail_msg("python zipfile line %zu:\n got %.300s\nwant %s", i, line, want);
        line += strlen(want);
    }
    tmpdir_remove(dir);
}

typedef struct {
    uint64_t bytes;
} counter_t;

static int to_counter(void *ctx, const void *p, size_t n)
{
    (void)p;
    ((counter_t *)ctx)->bytes += n;
    return 0;
}

static long status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, strlen(field)) == 0)
            v = strtol(line + strlen(field), NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static double seconds_since(const struct timeval *t0)
{
    struct timeval t1;
    gettimeofday(&t1, NULL);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_usec - t0->tv_usec) / 1e6;
}

/* 200 MiB (40 MiB of it deflated text, the rest stored noise) through the callback: the peak
 * resident memory grows by less than 16 MiB (VmHWM reset through clear_refs first). */
static void test_zip_stream_memory_stays_flat_over_200_mib(void **state)
{
    (void)state;
    static unsigned char text[1 << 20], noise[1 << 20];
    fill(text, sizeof text, 0, 0); /* the test's own buffers, touched before the measure starts */
    fill(noise, sizeof noise, 1, 0);
    FILE *cr = fopen("/proc/self/clear_refs", "w");
    if (!cr || fputs("5", cr) < 0 || fclose(cr) != 0)
        skip();
    long before = status_kib("VmHWM:");
    counter_t c = {0};
    zip_stream_t *z = zip_stream_new(to_counter, &c);
    struct timeval t0;
    gettimeofday(&t0, NULL);
    double deflate_secs = 0;
    uint64_t total = 0;
    for (int e = 0; e < 5; e++) {
        struct timeval te;
        gettimeofday(&te, NULL);
        char name[32];
        snprintf(name, sizeof name, "part-%d.%s", e, e == 0 ? "txt" : "bin");
        assert_int_equal(zip_stream_entry_begin(z, name, e == 4 ? -1 : 40 << 20, 0, e == 0), 0);
        for (int i = 0; i < 40; i++)
            assert_int_equal(zip_stream_entry_write(z, e == 0 ? text : noise, 1 << 20), 0);
        total += 40 << 20;
        assert_int_equal(zip_stream_entry_end(z), 0);
        if (e == 0)
            deflate_secs = seconds_since(&te);
    }
    assert_int_equal(zip_stream_finish(z), 0);
    double secs = seconds_since(&t0);
    zip_stream_free(z);
    long after = status_kib("VmHWM:");
    print_message("zip_stream: %.0f MiB in, %.1f MiB out in %.2f s (%.0f MB/s; the 40 MiB deflated at %.0f MB/s, "
                  "the 160 MiB stored at %.0f MB/s); peak RSS growth %ld KiB\n",
                  (double)total / (1 << 20), (double)c.bytes / (1 << 20), secs, (double)total / 1e6 / secs,
                  (40 << 20) / 1e6 / deflate_secs, (160 << 20) / 1e6 / (secs - deflate_secs), after - before);
    assert_true(c.bytes > 160u << 20);
    assert_true(after - before < 16 * 1024);
}

typedef struct {
    uint64_t bytes;
    unsigned char tail[1 << 16]; /* the last bytes written */
    size_t tail_len;
} tail_t;

static int keep_tail(void *ctx, const void *p, size_t n)
{
    tail_t *t = ctx;
    t->bytes += n;
    if (n >= sizeof t->tail) {
        memcpy(t->tail, (const unsigned char *)p + n - sizeof t->tail, sizeof t->tail);
        t->tail_len = sizeof t->tail;
        return 0;
    }
    size_t keep = t->tail_len + n > sizeof t->tail ? sizeof t->tail - n : t->tail_len;
    memmove(t->tail, t->tail + t->tail_len - keep, keep);
    memcpy(t->tail + keep, p, n);
    t->tail_len = keep + n;
    return 0;
}

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* An entry over 4 GiB and an entry starting past 4 GiB need ZIP64: the archive ends with a ZIP64
 * end of central directory record and its locator, the big entry's central header carries its
 * real size in a ZIP64 extra field, and the second entry's its real offset. (Streamed, never kept:
 * only the last 64 KiB are looked at.) */
static void test_zip_stream_zip64_past_4_gib(void **state)
{
    (void)state;
    static tail_t t;
    memset(&t, 0, sizeof t);
    zip_stream_t *z = zip_stream_new(keep_tail, &t);
    static unsigned char zeros[1 << 20];
    const uint64_t big = (4ull << 30) + 1;
    assert_int_equal(zip_stream_entry_begin(z, "big.bin", (int64_t)big, 1700000000, false), 0);
    for (uint64_t off = 0; off < big; off += sizeof zeros)
        assert_int_equal(zip_stream_entry_write(z, zeros, big - off < sizeof zeros ? big - off : sizeof zeros), 0);
    assert_int_equal(zip_stream_entry_end(z), 0);
    assert_int_equal(zip_stream_entry_begin(z, "after.txt", 5, 1700000000, true), 0);
    assert_int_equal(zip_stream_entry_write(z, "after", 5), 0);
    assert_int_equal(zip_stream_entry_end(z), 0);
    if (zip_stream_finish(z) != 0)
        fail_msg("%s", zip_stream_error(z));
    zip_stream_free(z);
    assert_true(t.bytes > big);

    /* end of central directory (22 bytes), before it the ZIP64 locator (20), before that the
     * ZIP64 end of central directory record (56) */
    const unsigned char *end = t.tail + t.tail_len;
    assert_memory_equal(end - 22, "PK\5\6", 4);
    assert_memory_equal(end - 42, "PK\6\7", 4);
    const unsigned char *eocd64 = end - 42 - 56;
    assert_memory_equal(eocd64, "PK\6\6", 4);
    assert_int_equal(le(eocd64 + 32, 8), 2); /* entries */
    uint64_t cd_size = le(eocd64 + 40, 8), cd_offset = le(eocd64 + 48, 8);
    assert_true(cd_offset > big);
    assert_int_equal(cd_offset + cd_size, t.bytes - 56 - 20 - 22);
    const unsigned char *cd = eocd64 - cd_size; /* within the tail: the directory is small */
    assert_true(cd >= t.tail);
    /* each central header: its ZIP64 extra (id 1) holds what did not fit in 32 bits */
    uint64_t seen_size = 0, seen_offset = 0;
    for (int i = 0; i < 2; i++) {
        assert_memory_equal(cd, "PK\1\2", 4);
        size_t name_len = le(cd + 28, 2), extra_len = le(cd + 30, 2), comment_len = le(cd + 32, 2);
        const unsigned char *x = cd + 46 + name_len, *x_end = x + extra_len;
        uint32_t usize32 = (uint32_t)le(cd + 24, 4), offset32 = (uint32_t)le(cd + 42, 4);
        for (; x + 4 <= x_end; x += 4 + le(x + 2, 2)) {
            if (le(x, 2) != 1)
                continue;
            const unsigned char *v = x + 4;
            if (usize32 == 0xffffffff) {
                seen_size = le(v, 8);
                v += 8;
            }
            if ((uint32_t)le(cd + 20, 4) == 0xffffffff)
                v += 8;
            if (offset32 == 0xffffffff)
                seen_offset = le(v, 8);
        }
        cd += 46 + name_len + extra_len + comment_len;
    }
    assert_int_equal(seen_size, big);
    assert_true(seen_offset > big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_stream_small_archive_in_memory_reads_back),
        cmocka_unit_test(test_zip_stream_empty_archive_is_valid),
        cmocka_unit_test(test_zip_stream_output_refusing_fails_cleanly),
        cmocka_unit_test(test_zip_stream_declared_size_is_enforced),
        cmocka_unit_test(test_zip_stream_calls_out_of_order_fail),
        cmocka_unit_test(test_zip_stream_worth_compressing_by_content_type),
        cmocka_unit_test(test_zip_stream_large_archive_passes_unzip_zipinfo_and_python),
        cmocka_unit_test(test_zip_stream_memory_stays_flat_over_200_mib),
        cmocka_unit_test(test_zip_stream_zip64_past_4_gib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
