/*
 * creatives.h — /v1/creatives: the seed's "Get Creative Asset(s)". Admins create creatives (JSON
 * here; with a file as multipart/form-data or PUT …/file, creative_upload.h), read, list, merge-
 * patch, archive them, and grant private ones to chosen partners. Partners list and read the
 * creatives of the offers they may run (api/creative_view.h), each with its tracking link inserted
 * and signed URLs for its file and thumbnail (creative_files.h serves them).
 */
#ifndef TRACKGEN_CREATIVES_H
#define TRACKGEN_CREATIVES_H

#include <libpq-fe.h>

#include "api/validate.h"
#include "http/request.h"

extern const char *const CREATIVE_TYPES[]; /* the creative types, NULL-terminated */
extern const char *const CREATIVE_LIST_QUERY[];
extern const char *const CREATIVE_GET_QUERY[];

int creatives_list(request_t *r);
int creatives_get(request_t *r);
int creatives_update(request_t *r);
int creatives_archive(request_t *r);
int creative_access_list(request_t *r);
int creative_access_grant(request_t *r);
int creative_access_revoke(request_t *r);

/* The writable fields of a creative (POST, PATCH, the multipart `metadata` part). */
enum {
    CREATIVE_F_OFFER_ID,
    CREATIVE_F_OFFER_URL_ID,
    CREATIVE_F_NAME,
    CREATIVE_F_TYPE,
    CREATIVE_F_STATUS,
    CREATIVE_F_VISIBILITY,
    CREATIVE_F_DESCRIPTION,
    CREATIVE_F_HTML_CODE,
    CREATIVE_F_TEXT_BODY,
    CREATIVE_F_EMAIL_SUBJECTS,
    CREATIVE_F_EMAIL_FROM_LINES,
    CREATIVE_F_COUNT
};
extern const field_spec_t CREATIVE_FIELDS[CREATIVE_F_COUNT];

/* A stored file for a new creative or a replaced one (creative_upload.c fills it). */
typedef struct {
    const char *sha256, *size, *content_type, *name, *width, *height; /* SQL parameters (width/height may be NULL) */
    const char *thumbnail_sha256, *thumbnail_content_type;            /* NULL when there is none */
} creative_file_t;

/* Inserts a creative from validated fields v and an optional file (NULL: none) and answers 201 with
 * it and its Location. Returns 0 or -1 (problem recorded: a constraint names its field). */
int creatives_insert(request_t *r, const field_value_t *v, const creative_file_t *file);
/* The creative (id as SQL text) as one CREATIVE_COLUMNS row (api/creative_view.h) if the caller may
 * see it; NULL with 404 (or 503) recorded otherwise. The result lives in the arena. */
PGresult *creatives_fetch(request_t *r, const char *id);
/* Answers the creative (id as SQL text) as the caller sees it, with status. Returns 0 or -1. */
int creatives_respond(request_t *r, const char *id, int status);

#endif
