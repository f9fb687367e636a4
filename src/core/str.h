/*
 * Byte slices: a pointer and a length, never relying on a NUL terminator. A slice borrows its
 * bytes; whoever made them owns them.
 */
#ifndef CW_CORE_STR_H
#define CW_CORE_STR_H

#include <stddef.h>
#include <string.h>
#include <strings.h>

typedef struct cw_str {
    const char *ptr;
    size_t len;
} cw_str_t;

#define CW_STR_LIT(s) ((cw_str_t){(s), sizeof(s) - 1})
#define CW_STR_NULL ((cw_str_t){NULL, 0})

static inline cw_str_t cw_str(const char *s)
{
    return (cw_str_t){s, s == NULL ? 0 : strlen(s)};
}

static inline int cw_str_eq(cw_str_t a, cw_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline int cw_str_eq_cstr(cw_str_t a, const char *b)
{
    return cw_str_eq(a, cw_str(b));
}

static inline int cw_str_case_eq_cstr(cw_str_t a, const char *b)
{
    size_t n = strlen(b);
    return a.len == n && (n == 0 || strncasecmp(a.ptr, b, n) == 0);
}

#endif
