#include "core/arena.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#define CHUNK_SIZE 4096

struct cw_arena_chunk {
    cw_arena_chunk_t *next;
    max_align_t data[];
};

void *cw_arena_alloc(cw_arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n > a->left) {
        size_t size = n > CHUNK_SIZE / 2 ? n : CHUNK_SIZE;
        cw_arena_chunk_t *c = cw_malloc(sizeof(*c) + size);
        c->next = a->head;
        a->head = c;
        if (n > CHUNK_SIZE / 2)
            return c->data; /* a big block of its own; keep filling the current chunk */
        a->cur = (char *)c->data;
        a->left = size;
    }
    void *p = a->cur;
    a->cur += n;
    a->left -= n;
    return p;
}

char *cw_arena_strndup(cw_arena_t *a, const char *s, size_t n)
{
    char *d = cw_arena_alloc(a, n + 1);
    if (n != 0)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

cw_str_t cw_arena_str_dup(cw_arena_t *a, cw_str_t s)
{
    return (cw_str_t){cw_arena_strndup(a, s.ptr, s.len), s.len};
}

void cw_arena_destroy(cw_arena_t *a)
{
    cw_arena_chunk_t *c = a->head;
    while (c != NULL) {
        cw_arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    *a = CW_ARENA_INIT;
}
