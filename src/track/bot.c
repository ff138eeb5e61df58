/*
 * bot.c — bot and link-preview detection by user agent (see bot.h).
 */
#include "track/bot.h"

#include <string.h>
#include <strings.h>

/* Case-insensitive substrings of the user agents of crawlers and link-preview fetchers. */
static const char *const BOT_MARKERS[] = {
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "facebookcatalog",
    "embedly",
    "preview",
    "whatsapp",
    "skypeuripreview",
    "bitlybot",
    "vkshare",
    "pinterest",
    "redditbot",
    "quora link",
    "outbrain",
    "nuzzel",
    "w3c_validator",
    "headlesschrome",
    "lighthouse",
    "pingdom",
    "uptimerobot",
    "monitor",
    "scanner",
    NULL,
};

bool bot_detect(const char *method, const char *user_agent)
{
    if (method && strcmp(method, "HEAD") == 0)
        return true;
    if (!user_agent || !*user_agent)
        return true;
    for (const char *const *m = BOT_MARKERS; *m; m++)
        if (strcasestr(user_agent, *m))
            return true;
    return false;
}
