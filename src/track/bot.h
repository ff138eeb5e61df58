/*
 * bot.h — tells link checkers, crawlers and link-preview fetchers from people. Their hits are
 * still answered and recorded, but flagged is_bot so reports can leave them out. Pure.
 */
#ifndef TRACKGEN_BOT_H
#define TRACKGEN_BOT_H

#include <stdbool.h>

/* True for HEAD requests, a missing user agent, or a known bot/preview agent. */
bool bot_detect(const char *method, const char *user_agent);

#endif
