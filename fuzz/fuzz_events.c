/* libFuzzer target: Appwrite's event-name validator (cw_events_name_valid, which sees the
 * `events` of a webhook as the client sent them) and the name generator it pairs with. The input
 * is a name; when it validates, it is also used as a pattern whose bracketed parts are filled.
 * Checks that every generated name is a NUL-terminated string inside the buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cw_events_name_valid((const char *)data, size) || memchr(data, '\0', size) != NULL)
        return 0;
    char *pattern = malloc(size + 1);
    memcpy(pattern, data, size);
    pattern[size] = '\0';
    cw_event_param_t params[] = {{"databaseId", "db"}, {"collectionId", "c"}, {"documentId", "d"}};
    cw_buf_t names = CW_BUF_INIT;
    size_t count = 0;
    if (cw_events_generate(pattern, params, 3, &names, &count) == 0) {
        size_t off = 0;
        for (size_t i = 0; i < count; i++) {
            const char *end = memchr(names.ptr + off, '\0', names.len - off);
            if (end == NULL)
                abort();
            off = (size_t)(end - names.ptr) + 1;
        }
    }
    cw_buf_free(&names);
    free(pattern);
    return 0;
}
