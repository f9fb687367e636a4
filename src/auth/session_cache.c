#include "auth/session_cache.h"

#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "core/alloc.h"

/* Slots of a thread's cache, direct-mapped: a colliding session takes the slot over. */
#define SLOTS 512

typedef struct entry {
    char *project_id;
    int64_t project_created_at;
    char *user_id;
    char secret_hash[CW_SESSION_HASH_LEN + 1];
    uint64_t generation; /* 0: empty */
    int64_t filled_at;
    json_t *user, *session;
    char **roles; /* NULL-terminated */
} entry_t;

struct cw_session_cache {
    entry_t slots[SLOTS];
};

static void entry_clear(entry_t *e)
{
    free(e->project_id);
    free(e->user_id);
    json_decref(e->user);
    json_decref(e->session);
    for (char **r = e->roles; r != NULL && *r != NULL; r++)
        free(*r);
    free(e->roles);
    *e = (entry_t){0};
}

static size_t slot_of(const cw_session_key_t *k)
{
    /* The secret's hash is already uniform: its first hex digits pick the slot. */
    size_t h = 0;
    for (int i = 0; i < 6; i++) {
        char ch = k->secret_hash[i];
        h = h * 16 + (size_t)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
    }
    return h % SLOTS;
}

static bool same_key(const entry_t *e, const cw_session_key_t *k)
{
    return e->generation != 0 && e->project_created_at == k->project_created_at &&
           strcmp(e->secret_hash, k->secret_hash) == 0 && strcmp(e->user_id, k->user_id) == 0 &&
           strcmp(e->project_id, k->project_id) == 0;
}

cw_session_cache_t *cw_session_cache_new(void)
{
    return cw_calloc(1, sizeof(cw_session_cache_t));
}

void cw_session_cache_free(cw_session_cache_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < SLOTS; i++)
        entry_clear(&c->slots[i]);
    free(c);
}

bool cw_session_cache_get(cw_session_cache_t *c, const cw_session_key_t *k, uint64_t generation,
                          int64_t now_ms, cw_arena_t *arena, json_t **user, json_t **session,
                          const char *const **roles)
{
    if (c == NULL || generation == 0 || strlen(k->secret_hash) != CW_SESSION_HASH_LEN)
        return false;
    entry_t *e = &c->slots[slot_of(k)];
    if (!same_key(e, k))
        return false;
    if (e->generation != generation || now_ms - e->filled_at > CW_SESSION_CACHE_TTL_MS ||
        now_ms < e->filled_at || cw_session_expired(e->session, now_ms)) {
        entry_clear(e);
        return false;
    }
    size_t n = 0;
    while (e->roles[n] != NULL)
        n++;
    const char **r = cw_arena_alloc(arena, (n + 1) * sizeof(*r));
    for (size_t i = 0; i < n; i++)
        r[i] = cw_arena_strndup(arena, e->roles[i], strlen(e->roles[i]));
    r[n] = NULL;
    *roles = r;
    *user = json_deep_copy(e->user);
    *session = json_deep_copy(e->session);
    return true;
}

void cw_session_cache_put(cw_session_cache_t *c, const cw_session_key_t *k, uint64_t generation,
                          int64_t now_ms, const json_t *user, const json_t *session,
                          const char *const *roles)
{
    if (c == NULL || generation == 0 || strlen(k->secret_hash) != CW_SESSION_HASH_LEN ||
        user == NULL || session == NULL)
        return;
    entry_t *e = &c->slots[slot_of(k)];
    entry_clear(e);
    size_t n = 0;
    while (roles[n] != NULL)
        n++;
    e->roles = cw_malloc((n + 1) * sizeof(*e->roles));
    for (size_t i = 0; i < n; i++)
        e->roles[i] = cw_strdup(roles[i]);
    e->roles[n] = NULL;
    e->project_id = cw_strdup(k->project_id);
    e->project_created_at = k->project_created_at;
    e->user_id = cw_strdup(k->user_id);
    memcpy(e->secret_hash, k->secret_hash, sizeof(e->secret_hash));
    e->generation = generation;
    e->filled_at = now_ms;
    e->user = json_deep_copy(user);
    e->session = json_deep_copy(session);
}
