/*
 * A thread's cache of verified sessions: for a session cookie already checked, the user, the
 * session and the roles, so that a signed-in request skips the three reads that find them. An
 * entry serves only while the project's auth generation (cw_db_auth_generation: every change to
 * its users, sessions or memberships in this process moves it) is the one it was filled under,
 * its session has not expired, and it is younger than CW_SESSION_CACHE_TTL_MS (changes made by
 * other processes are not counted, so entries also age out). Hits hand out copies: the request
 * may change them freely.
 *
 * Threads: one cache per thread, used by that thread only.
 */
#ifndef CW_AUTH_SESSION_CACHE_H
#define CW_AUTH_SESSION_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"

#define CW_SESSION_CACHE_TTL_MS 30000

typedef struct cw_session_cache cw_session_cache_t;

/* What names an entry: the project (and when its store was made, so a project deleted and made
 * again starts afresh), the user and the hash of the session's secret. */
typedef struct cw_session_key {
    const char *project_id;
    int64_t project_created_at;
    const char *user_id;
    const char *secret_hash;
} cw_session_key_t;

cw_session_cache_t *cw_session_cache_new(void);
void cw_session_cache_free(cw_session_cache_t *c);

/* On a hit, true with *user and *session new references (copies) and *roles copied into arena. */
bool cw_session_cache_get(cw_session_cache_t *c, const cw_session_key_t *k, uint64_t generation,
                          int64_t now_ms, cw_arena_t *arena, json_t **user, json_t **session,
                          const char *const **roles);
/* Keeps copies of user, session and roles (NULL-terminated) under k, as of generation (read
 * before the data was). Generation 0 keeps nothing. */
void cw_session_cache_put(cw_session_cache_t *c, const cw_session_key_t *k, uint64_t generation,
                          int64_t now_ms, const json_t *user, const json_t *session,
                          const char *const *roles);

#endif
