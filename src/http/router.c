#include "http/router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#define MAX_SEGMENTS 16

typedef struct compiled {
    const cw_route_t *route;
    size_t nseg;
    uint32_t service; /* hash of the second segment ("/v1/<service>/…"), 0 for a parameter */
    cw_str_t seg[MAX_SEGMENTS]; /* a parameter segment keeps its braces */
} compiled_t;

/* Routes are grouped by segment count, and within a group most are told apart by an integer
 * compare of the service segment's hash, so a match costs few string compares however many
 * services there are. */
typedef struct bucket {
    compiled_t *items;
    size_t n, cap;
} bucket_t;

struct cw_router {
    bucket_t buckets[MAX_SEGMENTS + 1];
    size_t count;
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

static uint32_t hash_segment(cw_str_t s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < s.len; i++)
        h = (h ^ (unsigned char)s.ptr[i]) * 16777619u;
    return h | 1; /* never 0, which stands for "any" */
}

cw_router_t *cw_router_new(void)
{
    return cw_calloc(1, sizeof(cw_router_t));
}

void cw_router_free(cw_router_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i <= MAX_SEGMENTS; i++)
        free(r->buckets[i].items);
    free(r);
}

void cw_router_add(cw_router_t *r, const cw_route_t *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        compiled_t c = {.route = &routes[i]};
        c.nseg = split(cw_str(routes[i].path), c.seg, MAX_SEGMENTS);
        r->count++;
        if (c.nseg > MAX_SEGMENTS)
            continue; /* too deep to match anything */
        c.service = c.nseg > 1 && !is_param(c.seg[1]) ? hash_segment(c.seg[1]) : 0;
        bucket_t *b = &r->buckets[c.nseg];
        if (b->n == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 16;
            b->items = cw_realloc(b->items, b->cap * sizeof(compiled_t));
        }
        b->items[b->n++] = c;
    }
}

size_t cw_router_count(const cw_router_t *r)
{
    return r->count;
}

const cw_route_t *cw_router_match(const cw_router_t *r, cw_str_t method, cw_str_t path, cw_req_t *req)
{
    cw_str_t seg[MAX_SEGMENTS];
    size_t nseg = split(path, seg, MAX_SEGMENTS);
    if (nseg > MAX_SEGMENTS)
        return NULL;
    const compiled_t *best = NULL;
    uint32_t best_score = 0;
    const bucket_t *b = &r->buckets[nseg];
    uint32_t service = nseg > 1 ? hash_segment(seg[1]) : 0;
    for (size_t i = 0; i < b->n; i++) {
        const compiled_t *c = &b->items[i];
        if ((c->service != 0 && c->service != service) || !cw_str_eq_cstr(method, c->route->method))
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
