/*
 * zip_name.c — unique, sanitised entry names for one ZIP archive (see zip_name.h). The names given
 * out live in an open-addressing hash set keyed by their ASCII-lower-cased bytes; each also remembers
 * the next " (k)" to try when it is asked for again, so n copies of one name cost O(n), not O(n²).
 */
#include "util/zip_name.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;     /* lower-cased entry name (malloc'd, owned by the set); NULL = free slot */
    unsigned next; /* the next suffix number to try when this name is asked for again */
} zip_slot_t;

struct zip_names {
    zip_slot_t *slots;
    size_t cap; /* power of two */
    size_t n;
};

zip_names_t *zip_names_new(void)
{
    zip_names_t *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->cap = 64;
    z->slots = calloc(z->cap, sizeof *z->slots);
    if (!z->slots) {
        free(z);
        return NULL;
    }
    return z;
}

void zip_names_free(zip_names_t *z)
{
    if (!z)
        return;
    for (size_t i = 0; i < z->cap; i++)
        free(z->slots[i].key);
    free(z->slots);
    free(z);
}

static void fold(const char *s, char *out)
{
    for (; *s; s++, out++)
        *out = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
    *out = '\0';
}

static uint64_t hash(const char *s) /* FNV-1a */
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot holding key, or the free slot where it would go. */
static zip_slot_t *lookup(zip_slot_t *slots, size_t cap, const char *key)
{
    size_t i = (size_t)hash(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int grow(zip_names_t *z)
{
    size_t cap = z->cap * 2;
    zip_slot_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < z->cap; i++)
        if (z->slots[i].key)
            *lookup(slots, cap, z->slots[i].key) = z->slots[i];
    free(z->slots);
    z->slots = slots;
    z->cap = cap;
    return 0;
}

/* Adds key (already folded) with its next suffix; -1 when out of memory. */
static int add(zip_names_t *z, const char *key)
{
    if ((z->n + 1) * 2 > z->cap && grow(z) != 0)
        return -1;
    zip_slot_t *s = lookup(z->slots, z->cap, key);
    s->key = strdup(key);
    if (!s->key)
        return -1;
    s->next = 2;
    z->n++;
    return 0;
}

/* name with " (k)" before its extension, within FILE_NAME_MAX bytes, into out. */
static void with_suffix(const char *name, unsigned k, char *out)
{
    char suffix[16];
    size_t slen = (size_t)snprintf(suffix, sizeof suffix, " (%u)", k);
    size_t len = strlen(name);
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        dot = name + len;
    size_t ext = len - (size_t)(dot - name);
    size_t stem = (size_t)(dot - name);
    if (stem + slen + ext > FILE_NAME_MAX) {
        size_t room = FILE_NAME_MAX > slen + ext ? FILE_NAME_MAX - slen - ext : 0;
        stem = room;
        while (stem > 0 && ((unsigned char)name[stem] & 0xc0) == 0x80)
            stem--;
        if (stem == 0) /* an extension too long to keep: the suffix goes at the end of a cut name */
            ext = 0, stem = FILE_NAME_MAX - slen, dot = name + len;
        while (stem > 0 && ((unsigned char)name[stem] & 0xc0) == 0x80)
            stem--;
    }
    memcpy(out, name, stem);
    memcpy(out + stem, suffix, slen);
    memcpy(out + stem + slen, dot, ext);
    out[stem + slen + ext] = '\0';
}

int zip_names_unique(zip_names_t *z, const char *dir, const char *name, char *out)
{
    char d[FILE_NAME_MAX + 1] = "", f[FILE_NAME_MAX + 1], cand[FILE_NAME_MAX + 1];
    char full[ZIP_NAME_MAX + 1], key[ZIP_NAME_MAX + 1];
    if (dir && *dir)
        file_name_sanitize(dir, strlen(dir), "folder", d);
    file_name_sanitize(name ? name : "", name ? strlen(name) : 0, "file", f);
    const char *sep = *d ? "/" : "";
    snprintf(full, sizeof full, "%s%s%s", d, sep, f);
    fold(full, key);
    zip_slot_t *base = lookup(z->slots, z->cap, key);
    if (base->key) {
        for (unsigned k = base->next;; k++) {
            with_suffix(f, k, cand);
            snprintf(full, sizeof full, "%s%s%s", d, sep, cand);
            fold(full, key);
            if (!lookup(z->slots, z->cap, key)->key) {
                base->next = k + 1; /* base stays valid: nothing was added since the lookup */
                break;
            }
        }
    }
    if (add(z, key) != 0)
        return -1;
    memcpy(out, full, strlen(full) + 1);
    return 0;
}
