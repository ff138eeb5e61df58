/*
 * me.c — the caller's identity (see me.h).
 */
#include "api/me.h"

#include "api/api_keys.h"
#include "api/partners.h"
#include "api/resource.h"
#include "http/response.h"

int me_get(request_t *r)
{
    json_t *key = api_keys_summary_json(r, r->who.key_id);
    if (!key)
        return -1;
    json_t *partner = json_null();
    if (r->who.role == ROLE_PARTNER) {
        json_decref(partner);
        partner = partners_json(r, id_param(r, r->who.partner_id));
        if (!partner) {
            json_decref(key);
            return -1;
        }
    }
    json_t *me = json_object();
    json_object_set_new(me, "role", json_string(r->who.role == ROLE_ADMIN ? "admin" : "partner"));
    json_object_set_new(me, "key", key);         /* steals key */
    json_object_set_new(me, "partner", partner); /* steals partner */
    return resp_json_etag(r, me);
}
