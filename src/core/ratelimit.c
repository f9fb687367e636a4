#include "core/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

typedef struct entry {
    struct entry *next;          /* in its bucket */
    struct entry *older, *newer; /* the recency list */
    uint64_t hash;
    int64_t window, expires, count;
    size_t len;
    char key[];
} entry_t;

typedef struct memory {
    cw_ratelimit_t base;
    pthread_mutex_t lock;
    entry_t **buckets;
    size_t nbuckets, size, capacity;
    entry_t *newest, *oldest;
} memory_t;

static uint64_t hash_of(cw_str_t key, int64_t window)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < key.len; i++) {
        h ^= (unsigned char)key.ptr[i];
        h *= 1099511628211ULL;
    }
    h ^= (uint64_t)window;
    h *= 1099511628211ULL;
    return h;
}

static void list_unlink(memory_t *m, entry_t *e)
{
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        m->oldest = e->newer;
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        m->newest = e->older;
    e->older = e->newer = NULL;
}

static void list_push(memory_t *m, entry_t *e)
{
    e->older = m->newest;
    e->newer = NULL;
    if (m->newest != NULL)
        m->newest->newer = e;
    m->newest = e;
    if (m->oldest == NULL)
        m->oldest = e;
}

static void remove_entry(memory_t *m, entry_t *e)
{
    entry_t **at = &m->buckets[e->hash & (m->nbuckets - 1)];
    while (*at != e)
        at = &(*at)->next;
    *at = e->next;
    list_unlink(m, e);
    m->size--;
    free(e);
}

/* The live entry of key in window, or NULL; an expired one met on the way is dropped. */
static entry_t *lookup(memory_t *m, cw_str_t key, int64_t window, int64_t now, uint64_t h)
{
    for (entry_t *e = m->buckets[h & (m->nbuckets - 1)]; e != NULL; e = e->next) {
        if (e->hash != h || e->window != window || e->len != key.len ||
            memcmp(e->key, key.ptr, key.len) != 0)
            continue;
        if (e->expires <= now) {
            remove_entry(m, e);
            return NULL;
        }
        list_unlink(m, e);
        list_push(m, e);
        return e;
    }
    return NULL;
}

static entry_t *lookup_or_add(memory_t *m, cw_str_t key, int64_t window, int64_t now)
{
    uint64_t h = hash_of(key, window);
    entry_t *e = lookup(m, key, window, now, h);
    if (e != NULL)
        return e;
    if (m->size >= m->capacity)
        remove_entry(m, m->oldest);
    e = cw_calloc(1, sizeof(*e) + key.len);
    e->hash = h;
    e->window = window;
    e->len = key.len;
    memcpy(e->key, key.ptr, key.len);
    entry_t **bucket = &m->buckets[h & (m->nbuckets - 1)];
    e->next = *bucket;
    *bucket = e;
    list_push(m, e);
    m->size++;
    return e;
}

static int mem_count(cw_ratelimit_t *rl, cw_str_t key, int64_t window, int64_t now, int64_t *out)
{
    memory_t *m = (memory_t *)rl;
    pthread_mutex_lock(&m->lock);
    entry_t *e = lookup(m, key, window, now, hash_of(key, window));
    *out = e != NULL ? e->count : 0;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static int mem_hit(cw_ratelimit_t *rl, cw_str_t key, int64_t window, int64_t ttl, int64_t now)
{
    memory_t *m = (memory_t *)rl;
    pthread_mutex_lock(&m->lock);
    entry_t *e = lookup_or_add(m, key, window, now);
    e->count++;
    e->expires = now + ttl;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static int mem_set(cw_ratelimit_t *rl, cw_str_t key, int64_t window, int64_t ttl, int64_t now,
                   int64_t value)
{
    memory_t *m = (memory_t *)rl;
    pthread_mutex_lock(&m->lock);
    entry_t *e = lookup_or_add(m, key, window, now);
    e->count = value;
    e->expires = now + ttl;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static void mem_destroy(cw_ratelimit_t *rl)
{
    memory_t *m = (memory_t *)rl;
    entry_t *e = m->oldest;
    while (e != NULL) {
        entry_t *next = e->newer;
        free(e);
        e = next;
    }
    pthread_mutex_destroy(&m->lock);
    free(m->buckets);
    free(m);
}

static const cw_ratelimit_ops_t memory_ops = {mem_count, mem_hit, mem_set, mem_destroy};

cw_ratelimit_t *cw_ratelimit_memory_new(size_t capacity)
{
    memory_t *m = cw_calloc(1, sizeof(*m));
    m->base.ops = &memory_ops;
    m->capacity = capacity > 0 ? capacity : 1;
    m->nbuckets = 16;
    while (m->nbuckets < m->capacity)
        m->nbuckets <<= 1;
    m->buckets = cw_calloc(m->nbuckets, sizeof(*m->buckets));
    pthread_mutex_init(&m->lock, NULL);
    return &m->base;
}

void cw_ratelimit_free(cw_ratelimit_t *rl)
{
    if (rl != NULL)
        rl->ops->destroy(rl);
}

int cw_ratelimit_check(cw_ratelimit_t *rl, cw_str_t key, int64_t limit, int64_t period, int64_t now,
                       int64_t *count, bool *limited)
{
    *count = 0;
    *limited = false;
    if (limit <= 0)
        return 0;
    int64_t window = cw_ratelimit_window(now, period);
    int rc = rl->ops->count(rl, key, window, now, count);
    if (rc != 0)
        return rc;
    if (*count >= limit) {
        *limited = true;
        return 0;
    }
    return rl->ops->hit(rl, key, window, period, now);
}

int cw_ratelimit_peek(cw_ratelimit_t *rl, cw_str_t key, int64_t period, int64_t now, int64_t *count)
{
    return rl->ops->count(rl, key, cw_ratelimit_window(now, period), now, count);
}

int cw_ratelimit_reset(cw_ratelimit_t *rl, cw_str_t key, int64_t period, int64_t now)
{
    return rl->ops->set(rl, key, cw_ratelimit_window(now, period), period, now, 0);
}
