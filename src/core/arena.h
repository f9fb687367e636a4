/*
 * A bump allocator for one request: many small allocations, one release. Not thread-safe; the
 * request that owns it is on one thread at a time. Memory lives until cw_arena_destroy.
 */
#ifndef CW_CORE_ARENA_H
#define CW_CORE_ARENA_H

#include <stddef.h>

#include "core/str.h"

typedef struct cw_arena_chunk cw_arena_chunk_t;

typedef struct cw_arena {
    cw_arena_chunk_t *head;
    char *cur;
    size_t left;
} cw_arena_t;

#define CW_ARENA_INIT ((cw_arena_t){NULL, NULL, 0})

void *cw_arena_alloc(cw_arena_t *a, size_t n);
char *cw_arena_strndup(cw_arena_t *a, const char *s, size_t n);
cw_str_t cw_arena_str_dup(cw_arena_t *a, cw_str_t s);
void cw_arena_destroy(cw_arena_t *a);

#endif
