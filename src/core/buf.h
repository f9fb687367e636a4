/*
 * A growable byte buffer. The buffer owns its memory; cw_buf_free releases it. Not thread-safe:
 * one owner at a time. The bytes are kept NUL-terminated for convenience, not for correctness.
 */
#ifndef CW_CORE_BUF_H
#define CW_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/str.h"

typedef struct cw_buf {
    char *ptr;
    size_t len;
    size_t cap;
} cw_buf_t;

#define CW_BUF_INIT ((cw_buf_t){NULL, 0, 0})

void cw_buf_reserve(cw_buf_t *b, size_t extra);
void cw_buf_append(cw_buf_t *b, const void *p, size_t n);
void cw_buf_append_str(cw_buf_t *b, const char *s);
/* Appends s with the five characters that mean something in HTML written as entities. */
void cw_buf_append_html(cw_buf_t *b, cw_str_t s);
void cw_buf_append_char(cw_buf_t *b, char c);
void cw_buf_printf(cw_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cw_buf_vprintf(cw_buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void cw_buf_reset(cw_buf_t *b);
void cw_buf_free(cw_buf_t *b);
/* Hands the bytes to the caller (free() them) and leaves the buffer empty. */
char *cw_buf_steal(cw_buf_t *b, size_t *len);

static inline cw_str_t cw_buf_str(const cw_buf_t *b)
{
    return (cw_str_t){b->ptr, b->len};
}

#endif
