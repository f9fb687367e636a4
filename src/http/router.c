#include "http/router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#define MAX_SEGMENTS 16

typedef struct compiled {
    const cw_route_t *route;
    size_t nseg;
    cw_str_t seg[MAX_SEGMENTS]; /* a parameter segment keeps its braces */
} compiled_t;

struct cw_router {
    compiled_t *items;
    size_t n, cap;
};

static size_t split(cw_str_t path, cw_str_t *out, size_t max)
{
    size_t n = 0, i = 0;
    while (i < path.len) {
        while (i < path.len && path.ptr[i] == '/')
            i++;
        if (i == path.len)
            break;
        size_t start = i;
        while (i < path.len && path.ptr[i] != '/')
            i++;
        if (n == max)
            return max + 1;
        out[n++] = (cw_str_t){path.ptr + start, i - start};
    }
    return n;
}

static int is_param(cw_str_t s)
{
    return s.len >= 2 && s.ptr[0] == '{' && s.ptr[s.len - 1] == '}';
}

cw_router_t *cw_router_new(void)
{
    return cw_calloc(1, sizeof(cw_router_t));
}

void cw_router_free(cw_router_t *r)
{
    if (r == NULL)
        return;
    free(r->items);
    free(r);
}

void cw_router_add(cw_router_t *r, const cw_route_t *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 64;
            r->items = cw_realloc(r->items, r->cap * sizeof(compiled_t));
        }
        compiled_t *c = &r->items[r->n++];
        c->route = &routes[i];
        c->nseg = split(cw_str(routes[i].path), c->seg, MAX_SEGMENTS);
    }
}

size_t cw_router_count(const cw_router_t *r)
{
    return r->n;
}

const cw_route_t *cw_router_match(const cw_router_t *r, cw_str_t method, cw_str_t path, cw_req_t *req)
{
    cw_str_t seg[MAX_SEGMENTS];
    size_t nseg = split(path, seg, MAX_SEGMENTS);
    if (nseg > MAX_SEGMENTS)
        return NULL;
    const compiled_t *best = NULL;
    uint32_t best_score = 0;
    for (size_t i = 0; i < r->n; i++) {
        const compiled_t *c = &r->items[i];
        if (c->nseg != nseg || !cw_str_eq_cstr(method, c->route->method))
            continue;
        /* Score: one bit per static segment, leftmost most significant, so the most specific
         * route wins. */
        uint32_t score = 1;
        size_t k;
        for (k = 0; k < nseg; k++) {
            score <<= 1;
            if (is_param(c->seg[k]))
                continue;
            if (!cw_str_eq(c->seg[k], seg[k]))
                break;
            score |= 1;
        }
        if (k == nseg && score > best_score) {
            best = c;
            best_score = score;
        }
    }
    if (best == NULL)
        return NULL;
    req->npath = 0;
    for (size_t k = 0; k < nseg && req->npath < CW_REQ_MAX_PATH_PARAMS; k++) {
        if (!is_param(best->seg[k]))
            continue;
        req->path_names[req->npath] = (cw_str_t){best->seg[k].ptr + 1, best->seg[k].len - 2};
        req->path_values[req->npath] = seg[k];
        req->npath++;
    }
    return best->route;
}
