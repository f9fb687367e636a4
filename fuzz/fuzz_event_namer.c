/* libFuzzer target: the event namer (cw_events_names, names from cached templates) against the
 * generator it stands in for (cw_events_generate). The values come from clients (IDs in paths
 * and bodies), so any bytes are tried. The first input byte picks a route's pattern and keys, the
 * rest, split at '\n', are the values. Aborts when the two differ in result, count or bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *pattern;
    const char *keys[6];
} routes[] = {
    {"databases.[databaseId].collections.[collectionId].documents.[documentId].create",
     {"databaseId", "collectionId", "tableId", "documentId", "rowId", NULL}},
    {"databases.[databaseId].tables.[tableId].rows.[rowId].upsert",
     {"databaseId", "collectionId", "tableId", "documentId", "rowId", NULL}},
    {"databases.[databaseId].collections.[collectionId].attributes.[attributeId].update",
     {"databaseId", "collectionId", "tableId", "attributeId", "columnId", NULL}},
    {"users.[userId].sessions.[sessionId].create", {"userId", "sessionId", NULL}},
    {"users.[userId].update.prefs", {"userId", NULL}},
    {"teams.[teamId].memberships.[membershipId].update.status", {"teamId", "membershipId", NULL}},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cw_events_namer_t *namer; /* kept across inputs, as the emitter keeps it */
    if (namer == NULL)
        namer = cw_events_namer_new();
    if (size < 1 || memchr(data, '\0', size) != NULL)
        return 0;
    size_t r = data[0] % (sizeof(routes) / sizeof(routes[0]));
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    cw_event_param_t params[6];
    size_t n = 0;
    char *p = text;
    for (; routes[r].keys[n] != NULL; n++) {
        char *nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        params[n] = (cw_event_param_t){routes[r].keys[n], p};
        p = nl != NULL ? nl + 1 : p + strlen(p);
    }
    cw_buf_t a = CW_BUF_INIT, b = CW_BUF_INIT;
    size_t na = 0, nb = 0;
    int ra = cw_events_generate(routes[r].pattern, params, n, &a, &na);
    int rb = cw_events_names(namer, routes[r].pattern, params, n, &b, &nb);
    if (ra != rb || (ra == 0 && (na != nb || a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)))
        abort();
    cw_buf_free(&a);
    cw_buf_free(&b);
    free(text);
    return 0;
}
