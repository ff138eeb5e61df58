/*
 * shared_counter.c — a counter in an mmap'd file, shared by a host's processes (see shared_counter.h).
 *
 * The file is 8 bytes, the counter in native byte order. A new file is grown to 8 bytes under an
 * flock, so two processes opening it at once never map a short file; growing fills with zeros,
 * and an existing counter is never shrunk or rewritten.
 */
#include "util/shared_counter.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct shared_counter {
    _Atomic uint64_t *value; /* in the mapping */
};

_Static_assert(sizeof(_Atomic uint64_t) == 8, "the file layout is 8 bytes");

/* Under the file lock: a file shorter than the counter (new) is grown to its size. */
static int sized(int fd)
{
    struct stat st;
    if (flock(fd, LOCK_EX) < 0)
        return -1;
    int rc = fstat(fd, &st) == 0 && (st.st_size >= 8 || ftruncate(fd, 8) == 0) ? 0 : -1;
    flock(fd, LOCK_UN);
    return rc;
}

shared_counter_t *shared_counter_open(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    void *map = sized(fd) == 0 ? mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd); /* the mapping stays */
    if (map == MAP_FAILED)
        return NULL;
    shared_counter_t *c = malloc(sizeof *c);
    if (!c) {
        munmap(map, 8);
        return NULL;
    }
    c->value = map;
    return c;
}

void shared_counter_close(shared_counter_t *c)
{
    if (!c)
        return;
    munmap((void *)c->value, 8);
    free(c);
}

uint64_t shared_counter_get(const shared_counter_t *c)
{
    return c ? atomic_load(c->value) : 0;
}

uint64_t shared_counter_bump(shared_counter_t *c)
{
    return c ? atomic_fetch_add(c->value, 1) + 1 : 0;
}
