/*
 * creative_upload.h — creatives with their files: POST /v1/creatives (JSON, or multipart/form-data
 * with a `metadata` part and a `file` part) and PUT /v1/creatives/{creative_id}/file (the raw file).
 *
 * Files are streamed into the blob store while they are hashed, never held whole (only the first
 * SNIFF_HEAD_MAX bytes are kept, to decide the type from the magic bytes); the type must suit the
 * creative's (422 naming `file` otherwise); images get a thumbnail. A refused or failed upload
 * stores nothing: the upload is abandoned before it is committed. Should the database fail after
 * the commit, the blob is named by no row and `trackgen gc` removes it once its grace has passed.
 */
#ifndef TRACKGEN_CREATIVE_UPLOAD_H
#define TRACKGEN_CREATIVE_UPLOAD_H

#include "http/request.h"

extern const char *const CREATIVE_FILE_PUT_QUERY[];

int creatives_create(request_t *r);
int creative_file_put(request_t *r);

#endif
