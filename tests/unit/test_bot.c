/*
 * test_bot.c — bot and link-preview detection (src/track/bot.c).
 */
#include "test_util.h"
#include "track/bot.h"

static void test_bot_table(void **state)
{
    (void)state;
    static const struct {
        const char *method, *ua;
        bool bot;
    } cases[] = {
        {"GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36", false},
        {"GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148", false},
        {"HEAD", "Mozilla/5.0 (Windows NT 10.0)", true},
        {"GET", NULL, true},
        {"GET", "", true},
        {"GET", "Googlebot/2.1 (+http://www.google.com/bot.html)", true},
        {"GET", "facebookexternalhit/1.1", true},
        {"GET", "Slackbot-LinkExpanding 1.0", true},
        {"GET", "WhatsApp/2.23.20.0", true},
        {"GET", "Mozilla/5.0 (compatible; Discordbot/2.0)", true},
        {"GET", "TelegramBot (like TwitterBot)", true},
        {"GET", "Mozilla/5.0 HeadlessChrome/120", true},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++)
        if (bot_detect(cases[i].method, cases[i].ua) != cases[i].bot)
            fail_msg("%s %s", cases[i].method, cases[i].ua ? cases[i].ua : "(none)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bot_table)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
