/*
 * blob_store_fs.c — the filesystem blob store (blob_store.h): blob <hex> lives at
 * <root>/<hex[0..2]>/<hex[2..4]>/<hex>, uploads are written in <root>/tmp.
 *
 * Durability and atomicity: an upload is an O_TMPFILE (or a randomly named file in tmp/ where the
 * filesystem has no O_TMPFILE); commit fsyncs it, links it under its final name (never replacing
 * an existing one) and fsyncs the directory, so a blob name always means complete, durable bytes.
 * Files are 0644 and directories 0755 whatever the umask, for nginx's worker user.
 *
 * Identical uploads and gc: when the final name exists, the upload takes a shared flock on the
 * existing blob, checks it is still linked and restarts its age (futimens); gc removes a blob only
 * under an exclusive flock after checking age and references (blob_delete_unused). So a blob gc
 * removes was neither re-uploaded during the check nor within the grace period before it.
 * Every call here is thread-safe: the store holds only immutable directory descriptors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/blob_store_impl.h"
#include "util/rand.h"

#define FILE_MODE 0644
#define DIR_MODE 0755
#define TMP_DIR "tmp"
#define TMP_PREFIX "up-"
#define REL_MAX (6 + BLOB_HEX_LEN + 1)
#define COMMIT_ATTEMPTS 4 /* link races with gc's removal of the same name */

typedef struct {
    blob_store_t base;
    int dir_fd; /* the root */
    int tmp_fd; /* <root>/tmp */
} fs_store_t;

typedef struct {
    blob_writer_t base;
    int fd;
    char tmp_name[40]; /* "" for an O_TMPFILE */
} fs_writer_t;

static fs_store_t *fs(blob_store_t *s)
{
    return (fs_store_t *)s;
}

static void rel_path(const char *hex, char out[REL_MAX])
{
    blob_relative_path(hex, out, REL_MAX);
}

static int64_t age_of(const struct stat *st)
{
    int64_t age = (int64_t)time(NULL) - (int64_t)st->st_mtime;
    return age > 0 ? age : 0;
}

/* mkdirat that leaves an existing directory alone and gives a new one DIR_MODE whatever the umask.
 * 1 created, 0 existed, -1 error. */
static int make_dir(int at, const char *name)
{
    if (mkdirat(at, name, DIR_MODE) < 0)
        return errno == EEXIST ? 0 : -1;
    return fchmodat(at, name, DIR_MODE, 0) < 0 ? -1 : 1;
}

/* mkdir -p for the root, component by component. */
static int make_dirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (make_dir(AT_FDCWD, buf) < 0)
                return -1;
            *p = c;
            if (c == '\0')
                return 0;
        }
    }
}

static int open_dir(int at, const char *name)
{
    return openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int fsync_dir(int at, const char *name)
{
    int fd = open_dir(at, name);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void fs_close(blob_store_t *s)
{
    close(fs(s)->dir_fd);
    close(fs(s)->tmp_fd);
    free(s);
}

static blob_writer_t *fs_put_begin(blob_store_t *s, char *err, size_t errlen)
{
    fs_writer_t *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->fd = openat(fs(s)->tmp_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, FILE_MODE);
    if (w->fd < 0 && errno != ENOSPC && errno != EDQUOT && errno != EMFILE && errno != ENFILE) {
        /* no O_TMPFILE on this filesystem: a named temporary */
        char rnd[17];
        rand_hex(rnd, 8);
        snprintf(w->tmp_name, sizeof w->tmp_name, TMP_PREFIX "%s", rnd);
        w->fd = openat(fs(s)->tmp_fd, w->tmp_name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, FILE_MODE);
    }
    if (w->fd < 0 || fchmod(w->fd, FILE_MODE) < 0) {
        snprintf(err, errlen, "cannot create a temporary file in the blob store: %s", strerror(errno));
        if (w->fd >= 0) {
            close(w->fd);
            if (w->tmp_name[0])
                unlinkat(fs(s)->tmp_fd, w->tmp_name, 0);
        }
        free(w);
        return NULL;
    }
    return &w->base;
}

static int fs_put_write(blob_writer_t *bw, const void *p, size_t n)
{
    fs_writer_t *w = (fs_writer_t *)bw;
    if (write_all(w->fd, p, n) < 0)
        return blob_writer_fail(bw, "cannot write to the blob store: %s", strerror(errno));
    return 0;
}

/* An upload found its blob already stored: keep that one, if it is still linked, with its age
 * restarted. 1 done, 0 it was removed meanwhile (link again), -1 error. */
static int refresh_existing(int leaf_fd, const char *hex)
{
    int fd = openat(leaf_fd, hex, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    int rc;
    while ((rc = flock(fd, LOCK_SH)) < 0 && errno == EINTR)
        ;
    struct stat st;
    if (rc == 0)
        rc = fstat(fd, &st) < 0 ? -1 : st.st_nlink == 0 ? 0 : futimens(fd, NULL) < 0 ? -1 : 1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* Links the writer's file as leaf_fd/hex. 0, or -1 with errno. */
static int link_final(fs_store_t *s, fs_writer_t *w, int leaf_fd, const char *hex)
{
    for (int attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
        int rc;
        if (w->tmp_name[0]) {
            rc = linkat(s->tmp_fd, w->tmp_name, leaf_fd, hex, 0);
        } else {
            char proc[64];
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", w->fd);
            rc = linkat(AT_FDCWD, proc, leaf_fd, hex, AT_SYMLINK_FOLLOW);
            if (rc < 0 && errno == ENOENT) /* no /proc mounted: needs CAP_DAC_READ_SEARCH */
                rc = linkat(w->fd, "", leaf_fd, hex, AT_EMPTY_PATH);
        }
        if (rc == 0)
            return fsync(leaf_fd);
        if (errno != EEXIST)
            return -1;
        rc = refresh_existing(leaf_fd, hex);
        if (rc != 0)
            return rc > 0 ? 0 : -1;
    }
    errno = EAGAIN;
    return -1;
}

static int fs_put_commit(blob_writer_t *bw, const char *hex, char *err, size_t errlen)
{
    fs_writer_t *w = (fs_writer_t *)bw;
    fs_store_t *s = fs(bw->store);
    char sub[6];
    snprintf(sub, sizeof sub, "%.2s/%.2s", hex, hex + 2);
    int leaf_fd = -1, made;
    const char *step = "fsync";
    if (fsync(w->fd) < 0)
        goto fail;
    step = "mkdir";
    sub[2] = '\0';
    if ((made = make_dir(s->dir_fd, sub)) < 0 || (made && fsync(s->dir_fd) < 0))
        goto fail;
    sub[2] = '/';
    if ((made = make_dir(s->dir_fd, sub)) < 0)
        goto fail;
    sub[2] = '\0';
    if (made && fsync_dir(s->dir_fd, sub) < 0)
        goto fail;
    sub[2] = '/';
    if ((leaf_fd = open_dir(s->dir_fd, sub)) < 0)
        goto fail;
    step = "link";
    if (link_final(s, w, leaf_fd, hex) < 0)
        goto fail;
    close(leaf_fd);
    return 0;
fail:
    snprintf(err, errlen, "cannot store the blob (%s): %s", step, strerror(errno));
    if (leaf_fd >= 0)
        close(leaf_fd);
    return -1;
}

static void fs_put_free(blob_writer_t *bw)
{
    fs_writer_t *w = (fs_writer_t *)bw;
    close(w->fd);
    if (w->tmp_name[0])
        unlinkat(fs(bw->store)->tmp_fd, w->tmp_name, 0);
    free(w);
}

static int fs_open(blob_store_t *s, const char *hex)
{
    char rel[REL_MAX];
    rel_path(hex, rel);
    return openat(fs(s)->dir_fd, rel, O_RDONLY | O_CLOEXEC);
}

static bool fs_stat(blob_store_t *s, const char *hex, uint64_t *size)
{
    char rel[REL_MAX];
    rel_path(hex, rel);
    struct stat st;
    if (fstatat(fs(s)->dir_fd, rel, &st, 0) < 0 || !S_ISREG(st.st_mode))
        return false;
    if (size)
        *size = (uint64_t)st.st_size;
    return true;
}

static bool is_hex2(const char *name)
{
    char probe[BLOB_HEX_LEN + 1];
    if (strlen(name) != 2)
        return false;
    memset(probe, '0', BLOB_HEX_LEN);
    probe[0] = name[0], probe[1] = name[1], probe[BLOB_HEX_LEN] = '\0';
    return blob_hex_valid(probe);
}

/* Opens directory at/name as a DIR stream (owning its fd). */
static DIR *open_dir_stream(int at, const char *name)
{
    int fd = open_dir(at, name);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (!d)
        close(fd);
    return d;
}

typedef int (*each_fn)(const char *hex, int64_t age_seconds, void *ctx);

/* The blobs of one leaf directory ("ab/cd"). 0 go on, 1 fn stopped, -1 error. */
static int each_leaf(int leaf_fd, const char *prefix, each_fn fn, void *ctx)
{
    DIR *d = open_dir_stream(leaf_fd, ".");
    if (!d)
        return -1;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        struct stat st;
        if (!blob_hex_valid(e->d_name) || memcmp(e->d_name, prefix, 4) != 0 ||
            fstatat(leaf_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (fn(e->d_name, age_of(&st), ctx) != 0)
            rc = 1;
    }
    closedir(d);
    return rc;
}

static int fs_each(blob_store_t *s, each_fn fn, void *ctx)
{
    DIR *top = open_dir_stream(fs(s)->dir_fd, ".");
    if (!top)
        return -1;
    int rc = 0;
    for (struct dirent *a; rc == 0 && (a = readdir(top));) {
        if (!is_hex2(a->d_name))
            continue;
        int a_fd = open_dir(fs(s)->dir_fd, a->d_name);
        DIR *mid = a_fd < 0 ? NULL : open_dir_stream(a_fd, ".");
        if (!mid) {
            if (a_fd >= 0)
                close(a_fd);
            rc = errno == ENOTDIR ? 0 : -1;
            continue;
        }
        for (struct dirent *b; rc == 0 && (b = readdir(mid));) {
            if (!is_hex2(b->d_name))
                continue;
            int leaf_fd = open_dir(a_fd, b->d_name);
            if (leaf_fd < 0) {
                rc = errno == ENOTDIR ? 0 : -1;
                continue;
            }
            char prefix[4] = {a->d_name[0], a->d_name[1], b->d_name[0], b->d_name[1]};
            rc = each_leaf(leaf_fd, prefix, fn, ctx);
            close(leaf_fd);
        }
        closedir(mid);
        close(a_fd);
    }
    closedir(top);
    return rc < 0 ? -1 : 0;
}

static int fs_remove(blob_store_t *s, const char *hex)
{
    char rel[REL_MAX];
    rel_path(hex, rel);
    return unlinkat(fs(s)->dir_fd, rel, 0) < 0 && errno != ENOENT ? -1 : 0;
}

static int fs_remove_unused(blob_store_t *s, const char *hex, int64_t min_age_seconds,
                            int (*unused)(const char *hex, void *ctx), void *ctx)
{
    char rel[REL_MAX];
    rel_path(hex, rel);
    int fd = openat(fs(s)->dir_fd, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    int rc;
    while ((rc = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
        ;
    struct stat st;
    if (rc == 0 && fstat(fd, &st) < 0)
        rc = -1;
    if (rc == 0 && st.st_nlink > 0 && age_of(&st) >= min_age_seconds) {
        rc = unused(hex, ctx);
        if (rc == 1 && unlinkat(fs(s)->dir_fd, rel, 0) < 0)
            rc = errno == ENOENT ? 0 : -1;
    }
    close(fd); /* releases the lock */
    return rc;
}

static int fs_sweep_tmp(blob_store_t *s, int64_t max_age_seconds)
{
    DIR *d = open_dir_stream(fs(s)->tmp_fd, ".");
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0 ||
            fstatat(fs(s)->tmp_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
            age_of(&st) < max_age_seconds)
            continue;
        if (unlinkat(fs(s)->tmp_fd, e->d_name, 0) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static const blob_store_ops_t FS_OPS = {
    .close = fs_close,
    .put_begin = fs_put_begin,
    .put_write = fs_put_write,
    .put_commit = fs_put_commit,
    .put_free = fs_put_free,
    .open = fs_open,
    .stat = fs_stat,
    .each = fs_each,
    .remove = fs_remove,
    .remove_unused = fs_remove_unused,
    .sweep_tmp = fs_sweep_tmp,
};

blob_store_t *blob_store_open_fs(const char *dir, char *err, size_t errlen)
{
    if (!dir || !*dir) {
        snprintf(err, errlen, "no blob directory given");
        return NULL;
    }
    fs_store_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->base.ops = &FS_OPS;
    s->tmp_fd = -1;
    if (make_dirs(dir) < 0 || (s->dir_fd = open_dir(AT_FDCWD, dir)) < 0) {
        snprintf(err, errlen, "cannot create or open the blob directory %s: %s", dir, strerror(errno));
        free(s);
        return NULL;
    }
    if (make_dir(s->dir_fd, TMP_DIR) < 0 || (s->tmp_fd = open_dir(s->dir_fd, TMP_DIR)) < 0) {
        snprintf(err, errlen, "cannot create or open %s/%s: %s", dir, TMP_DIR, strerror(errno));
        close(s->dir_fd);
        free(s);
        return NULL;
    }
    return &s->base;
}
