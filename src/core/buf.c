#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

void cw_buf_reserve(cw_buf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap < 256 ? 256 : b->cap;
    while (cap < need)
        cap *= 2;
    b->ptr = cw_realloc(b->ptr, cap);
    b->cap = cap;
}

void cw_buf_append(cw_buf_t *b, const void *p, size_t n)
{
    cw_buf_reserve(b, n);
    if (n != 0)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void cw_buf_append_str(cw_buf_t *b, const char *s)
{
    cw_buf_append(b, s, strlen(s));
}

void cw_buf_append_char(cw_buf_t *b, char c)
{
    cw_buf_reserve(b, 1);
    b->ptr[b->len++] = c;
    b->ptr[b->len] = '\0';
}

void cw_buf_vprintf(cw_buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    cw_buf_reserve(b, 64);
    int n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        cw_buf_reserve(b, (size_t)n);
        vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap2);
    }
    va_end(ap2);
    if (n > 0)
        b->len += (size_t)n;
}

void cw_buf_printf(cw_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cw_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void cw_buf_reset(cw_buf_t *b)
{
    b->len = 0;
    if (b->ptr != NULL)
        b->ptr[0] = '\0';
}

void cw_buf_free(cw_buf_t *b)
{
    free(b->ptr);
    *b = CW_BUF_INIT;
}

char *cw_buf_steal(cw_buf_t *b, size_t *len)
{
    if (b->ptr == NULL)
        cw_buf_reserve(b, 0), b->ptr[0] = '\0';
    char *p = b->ptr;
    if (len != NULL)
        *len = b->len;
    *b = CW_BUF_INIT;
    return p;
}

void cw_buf_append_html(cw_buf_t *b, cw_str_t s)
{
    for (size_t i = 0; i < s.len; i++) {
        switch (s.ptr[i]) {
        case '&':
            cw_buf_append_str(b, "&amp;");
            break;
        case '<':
            cw_buf_append_str(b, "&lt;");
            break;
        case '>':
            cw_buf_append_str(b, "&gt;");
            break;
        case '"':
            cw_buf_append_str(b, "&quot;");
            break;
        case '\'':
            cw_buf_append_str(b, "&#39;");
            break;
        default:
            cw_buf_append_char(b, s.ptr[i]);
        }
    }
}
