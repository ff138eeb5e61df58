/*
 * api_keys.h — /v1/api-keys (admins): create (the secret is returned once), list, read, revoke.
 * The `trackgen keys create` command inserts with the same statement.
 */
#ifndef TRACKGEN_API_KEYS_H
#define TRACKGEN_API_KEYS_H

#include "http/request.h"

/* The key as the API shows it (never the hash). */
#define API_KEY_COLUMNS                                                                                                \
    "k.id, k.prefix, k.role, k.partner_id, k.name, api_ts(k.created_at) AS created_at,\n"                              \
    "       api_ts(k.revoked_at) AS revoked_at, api_ts(k.last_used_at) AS last_used_at, k.rate_limit"

/* INSERT of a key: $1 prefix, $2 SHA-256 hash in hex, $3 role, $4 partner_id, $5 name,
 * $6 rate_limit (NULL: the server's default).
 * Returns the key's columns as the API shows them. */
#define API_KEYS_INSERT_SQL                                                                                            \
    "WITH k AS (\n"                                                                                                    \
    "  INSERT INTO api_keys (prefix, key_hash, role, partner_id, name, rate_limit)\n"                                  \
    "  VALUES ($1, decode($2, 'hex'), $3, $4, $5, $6)\n"                                                               \
    "  RETURNING *)\n"                                                                                                 \
    "SELECT " API_KEY_COLUMNS "\n"                                                                                     \
    "  FROM k"

int api_keys_list(request_t *r);
int api_keys_get(request_t *r);
int api_keys_create(request_t *r);
int api_keys_revoke(request_t *r);
/* The key's public fields {id, prefix, name} as JSON (new reference), or NULL with a problem; for /v1/me. */
json_t *api_keys_summary_json(request_t *r, int64_t key_id);

#endif
