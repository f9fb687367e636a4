/*
 * Fixed-window hit counters, as rate limits count: a key's hits within the window of `period`
 * seconds that holds `now` (windows start at multiples of the period, as Appwrite's TimeLimit
 * counts them). A counter lives for one period after its last write and is then gone.
 *
 * A store is a small interface (count, hit, set) so that a shared backend (Redis: GET, INCR +
 * EXPIRE, SET + EXPIRE on "key__window") can replace the in-process one without touching its
 * callers. The in-process store is a hash table bounded in entries: an expired counter is dropped
 * when met, and when the table is full the least recently used one goes. It locks itself: any
 * thread may call it.
 */
#ifndef CW_CORE_RATELIMIT_H
#define CW_CORE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

typedef struct cw_ratelimit cw_ratelimit_t;

/* What a backend implements; window is the start of the window in seconds. Each returns 0, or
 * a negative CW_E* code (the caller then lets the request through). */
typedef struct cw_ratelimit_ops {
    int (*count)(cw_ratelimit_t *rl, cw_str_t key, int64_t window, int64_t now, int64_t *out);
    int (*hit)(cw_ratelimit_t *rl, cw_str_t key, int64_t window, int64_t ttl, int64_t now);
    int (*set)(cw_ratelimit_t *rl, cw_str_t key, int64_t window, int64_t ttl, int64_t now,
               int64_t value);
    void (*destroy)(cw_ratelimit_t *rl);
} cw_ratelimit_ops_t;

struct cw_ratelimit {
    const cw_ratelimit_ops_t *ops;
};

/* The in-process store, holding at most capacity counters (at least 1). Freed by
 * cw_ratelimit_free. */
cw_ratelimit_t *cw_ratelimit_memory_new(size_t capacity);
void cw_ratelimit_free(cw_ratelimit_t *rl);

/* The start of the window of period seconds that holds now. */
static inline int64_t cw_ratelimit_window(int64_t now, int64_t period)
{
    return period > 0 ? now - now % period : now;
}

/* One check of a limit, as Appwrite's TimeLimit::check does: the hits so far in this window
 * (*count, before this one), then either one more hit (*limited false) or, at the limit, none
 * (*limited true). A limit of 0 means none: nothing is counted. */
int cw_ratelimit_check(cw_ratelimit_t *rl, cw_str_t key, int64_t limit, int64_t period, int64_t now,
                       int64_t *count, bool *limited);
/* The hits so far in this window, without counting one. */
int cw_ratelimit_peek(cw_ratelimit_t *rl, cw_str_t key, int64_t period, int64_t now,
                      int64_t *count);
/* Starts this window's count of key again at zero. */
int cw_ratelimit_reset(cw_ratelimit_t *rl, cw_str_t key, int64_t period, int64_t now);

#endif
