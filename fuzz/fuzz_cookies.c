/* libFuzzer target: the Cookie header splitter (cw_cookies_parse). Checks the promises of its
 * header: slices inside the input, names non-empty and trimmed, no separator inside a pair, the
 * count within max, and the same pairs whatever max is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static void check_slice(cw_str_t s, const char *base, size_t size)
{
    if (s.len > size || s.ptr < base || s.ptr + s.len > base + size)
        abort();
    if (memchr(s.ptr, ';', s.len) != NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan sees any read past the end. */
    char *s = malloc(size + 1);
    if (size > 0)
        memcpy(s, data, size);
    enum { MAX = 64 };
    cw_cookie_t all[MAX], few[3];
    size_t n = cw_cookies_parse(s, size, all, MAX);
    if (n > MAX)
        abort();
    for (size_t i = 0; i < n; i++) {
        cw_str_t name = all[i].name, value = all[i].value;
        check_slice(name, s, size);
        check_slice(value, s, size);
        if (name.len == 0 || memchr(name.ptr, '=', name.len) != NULL)
            abort();
        if (is_space(name.ptr[0]) || is_space(name.ptr[name.len - 1]))
            abort();
        /* Trimmed, unless the spaces were inside quotes that were taken off. */
        int quoted = value.ptr > s && value.ptr[-1] == '"' && value.ptr + value.len < s + size &&
                     value.ptr[value.len] == '"';
        if (value.len > 0 && !quoted &&
            (is_space(value.ptr[0]) || is_space(value.ptr[value.len - 1])))
            abort();
        /* The value follows its name. */
        if (value.ptr < name.ptr + name.len)
            abort();
        if (i > 0 && name.ptr <= all[i - 1].value.ptr)
            abort();
    }
    /* A smaller max gives the first pairs of the same split. */
    size_t m = cw_cookies_parse(s, size, few, 3);
    if (m != (n < 3 ? n : 3))
        abort();
    for (size_t i = 0; i < m; i++) {
        if (few[i].name.ptr != all[i].name.ptr || few[i].name.len != all[i].name.len ||
            few[i].value.ptr != all[i].value.ptr || few[i].value.len != all[i].value.len)
            abort();
    }
    if (cw_cookies_parse(s, size, all, 0) != 0)
        abort();
    free(s);
    return 0;
}
