/* libFuzzer target: the query string and form body parser (cw_params_parse_query) and the
 * percent-decoder under it. Checks that what comes out is what the header promises: an object
 * of strings, lists and objects, every string valid UTF-8, nesting within CW_PARAMS_MAX_DEPTH. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "http/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks a parsed value; depth counts the containers above it. */
static void check_value(json_t *v, int depth)
{
    if (depth > CW_PARAMS_MAX_DEPTH + 1)
        abort();
    if (json_is_string(v)) {
        if (!cw_utf8_valid(json_string_value(v), json_string_length(v)))
            abort();
    } else if (json_is_array(v)) {
        if (json_array_size(v) == 0)
            abort(); /* lists are only made to hold a value */
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) check_value(item, depth + 1);
    } else if (json_is_object(v)) {
        const char *key;
        size_t klen;
        json_t *item;
        void *tmp;
        json_object_keylen_foreach_safe(v, tmp, key, klen, item)
        {
            if (!cw_utf8_valid(key, klen))
                abort();
            check_value(item, depth + 1);
        }
    } else {
        abort(); /* the parser makes nothing else */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    cw_arena_t arena = CW_ARENA_INIT;

    /* The decoder never grows its input and never reads past len. */
    char *out = malloc(size + 1);
    size_t n = cw_url_decode(s, size, out, 1);
    if (n > size)
        abort();
    size_t n2 = cw_url_decode(s, size, out, 0);
    if (n2 != n)
        abort(); /* '+' handling changes bytes, never the length */
    free(out);

    json_t *obj = json_object();
    const char *bad = NULL;
    int rc = cw_params_parse_query(s, size, obj, &arena, &bad);
    if (rc == 0) {
        const char *key;
        size_t klen;
        json_t *v;
        void *tmp;
        if (json_object_size(obj) > CW_PARAMS_MAX_COUNT)
            abort();
        json_object_keylen_foreach_safe(obj, tmp, key, klen, v)
        {
            if (klen == 0 || !cw_utf8_valid(key, klen))
                abort();
            check_value(v, 1);
        }
        /* Everything in it is valid UTF-8, so jansson must be able to write it out. */
        char *dump = json_dumps(obj, JSON_COMPACT);
        if (dump == NULL)
            abort();
        free(dump);
    } else if (rc != -1 || bad == NULL || !cw_utf8_valid(bad, strlen(bad))) {
        abort();
    }
    json_decref(obj);
    cw_arena_destroy(&arena);
    return 0;
}
