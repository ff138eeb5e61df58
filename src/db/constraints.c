/*
 * constraints.c — which API field each database constraint guards, so a unique or foreign-key
 * violation becomes a problem+json naming the field. Keep in step with sql/migrations.
 */
#include <stddef.h>
#include <string.h>

#include "db/db.h"

static const db_constraint_t constraints[] = {
    {"offers_name_key", "name", "an offer with this name already exists"},
    {"partners_name_key", "name", "a partner with this name already exists"},
    {"offer_urls_offer_id_name_key", "name", "this offer already has a URL with this name"},
    {"api_keys_partner_id_fkey", "partner_id", "no such partner"},
    {"api_keys_role_partner_check", "partner_id", "is required for partner keys and not allowed for admin keys"},
    {"offer_partner_access_partner_id_fkey", "partner_id", "no such partner"},
    {"creatives_offer_id_fkey", "offer_id", "no such offer"},
    {"creatives_offer_url_id_fkey", "offer_url_id", "is not a URL of this offer"},
    {"creatives_html_code_type", "html_code", "is only for html and email creatives"},
    {"creatives_text_body_type", "text_body", "is only for text and email creatives"},
    {"creatives_email_lines_type", "email_subjects", "subjects and from lines are only for email creatives"},
    {"creatives_html_needs_code", "html_code", "is required for an html creative without a file"},
    {"creatives_text_needs_body", "text_body", "is required for a text creative without a file"},
    {"creatives_email_needs_body", "html_code", "an email creative needs html_code, text_body or a file"},
    {"creative_partner_access_partner_id_fkey", "partner_id", "no such partner"},
    {"coupons_offer_code_key", "code", "this offer already has this code (codes are unique per offer, ignoring case)"},
    {"coupons_offer_id_fkey", "offer_id", "no such offer"},
    {"coupons_partner_id_fkey", "partner_id", "no such partner"},
    {"coupons_dates_check", "ends_at", "must be after starts_at"},
};

const db_constraint_t *db_constraint_field(const char *constraint)
{
    for (size_t i = 0; i < sizeof constraints / sizeof constraints[0]; i++)
        if (strcmp(constraints[i].constraint, constraint) == 0)
            return &constraints[i];
    return NULL;
}
