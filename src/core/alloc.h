/*
 * Allocation that never returns NULL: on failure it logs and aborts, so callers need no checks.
 * Thread-safe; what it returns is owned by the caller and released with free().
 */
#ifndef CW_CORE_ALLOC_H
#define CW_CORE_ALLOC_H

#include <stddef.h>

void *cw_malloc(size_t n);
void *cw_calloc(size_t count, size_t n);
void *cw_realloc(void *p, size_t n);
char *cw_strdup(const char *s);
char *cw_strndup(const char *s, size_t n);

#endif
