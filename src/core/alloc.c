#include "core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die_oom(size_t n)
{
    fprintf(stderr, "level=fatal msg=\"out of memory\" bytes=%zu\n", n);
    abort();
}

void *cw_malloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    if (p == NULL)
        die_oom(n);
    return p;
}

void *cw_calloc(size_t count, size_t n)
{
    void *p = calloc(count == 0 ? 1 : count, n == 0 ? 1 : n);
    if (p == NULL)
        die_oom(count * n);
    return p;
}

void *cw_realloc(void *p, size_t n)
{
    void *q = realloc(p, n == 0 ? 1 : n);
    if (q == NULL)
        die_oom(n);
    return q;
}

char *cw_strndup(const char *s, size_t n)
{
    char *d = cw_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *cw_strdup(const char *s)
{
    return cw_strndup(s, strlen(s));
}
