/*
 * fuzz_sniff.c — libFuzzer harness for file type sniffing (src/creative/sniff.c): any bytes as a file
 * head, complete and not. A recognised file has all its names, dimensions both set or both 0 and
 * within range, active content exactly for SVG and HTML, a creative type that may hold it; and only
 * plain text may depend on whether the head is the whole file.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "creative/sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sniff_result_t whole, head;
    bool a = sniff_detect(data, size, true, &whole);
    bool b = sniff_detect(data, size, false, &head);
    if (a) {
        assert(whole.content_type && whole.extension && whole.creative_type);
        assert((whole.width == 0) == (whole.height == 0));
        assert(whole.width >= 0 && whole.width <= 1000000 && whole.height >= 0 && whole.height <= 1000000);
        bool markup = strcmp(whole.extension, "svg") == 0 || strcmp(whole.extension, "html") == 0;
        assert(whole.active_content == markup);
        assert(sniff_type_allows(whole.creative_type, &whole));
        assert(b); /* a complete file recognised is recognised as a head too */
    }
    if (a && strcmp(whole.extension, "txt") != 0)
        assert(head.content_type == whole.content_type && head.width == whole.width && head.height == whole.height);
    if (b && !a)
        assert(strcmp(head.extension, "txt") == 0);
    if (!b)
        assert(head.content_type == NULL && head.width == 0);
    return 0;
}
