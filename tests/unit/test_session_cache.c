/* Unit tests for auth/session_cache: hits only under the same generation, key and time, and
 * copies handed out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/session_cache.h"

#define HASH "00c0ffee0123456789abcdef0123456789abcdef0123456789abcdef01234567"
#define NOW 1780000000000LL /* 2026-05-28 */

static const char *const roles[] = {"any", "user:u1", "users", "team:t1", NULL};

static json_t *session(int64_t expire_ms)
{
    /* An expiry as the sessions collection stores it. */
    return json_pack("{s:s,s:s}", "$id", "s1", "expire",
                     expire_ms > NOW ? "2027-01-15T08:00:00.000+00:00"
                                     : "2020-01-01T00:00:00.000+00:00");
}

static void test_hit_and_miss(void **state)
{
    (void)state;
    cw_session_cache_t *c = cw_session_cache_new();
    cw_arena_t arena = CW_ARENA_INIT;
    cw_session_key_t k = {"p1", 1, "u1", HASH};
    json_t *user = json_pack("{s:s,s:b}", "$id", "u1", "status", 1), *s = session(NOW + 1000);
    json_t *u2 = NULL, *s2 = NULL;
    const char *const *r = NULL;

    assert_false(cw_session_cache_get(c, &k, 7, NOW, &arena, &u2, &s2, &r));
    cw_session_cache_put(c, &k, 7, NOW, user, s, roles);
    assert_true(cw_session_cache_get(c, &k, 7, NOW + 10, &arena, &u2, &s2, &r));
    assert_string_equal(r[1], "user:u1");
    assert_null(r[4]);
    assert_true(json_equal(u2, user));
    assert_ptr_not_equal(u2, user); /* a copy: the request may change it */
    json_object_set_new(u2, "status", json_false());
    json_decref(u2);
    json_decref(s2);

    /* Another user, project or store generation of the project: no. */
    cw_session_key_t other = {"p1", 1, "u2", HASH};
    assert_false(cw_session_cache_get(c, &other, 7, NOW, &arena, &u2, &s2, &r));
    cw_session_key_t remade = {"p1", 2, "u1", HASH};
    assert_false(cw_session_cache_get(c, &remade, 7, NOW, &arena, &u2, &s2, &r));
    /* The hit above did not change what is kept. */
    assert_true(cw_session_cache_get(c, &k, 7, NOW, &arena, &u2, &s2, &r));
    assert_true(json_is_true(json_object_get(u2, "status")));
    json_decref(u2);
    json_decref(s2);

    /* A change to users, sessions or memberships moved the generation: dropped. */
    assert_false(cw_session_cache_get(c, &k, 8, NOW, &arena, &u2, &s2, &r));
    assert_false(cw_session_cache_get(c, &k, 7, NOW, &arena, &u2, &s2, &r));

    /* Entries age out; generation 0 (no hub) keeps nothing. */
    cw_session_cache_put(c, &k, 9, NOW, user, s, roles);
    assert_false(
        cw_session_cache_get(c, &k, 9, NOW + CW_SESSION_CACHE_TTL_MS + 1, &arena, &u2, &s2, &r));
    cw_session_cache_put(c, &k, 0, NOW, user, s, roles);
    assert_false(cw_session_cache_get(c, &k, 0, NOW, &arena, &u2, &s2, &r));

    /* An expired session is never served. */
    json_t *old = session(0);
    cw_session_cache_put(c, &k, 10, NOW, user, old, roles);
    assert_false(cw_session_cache_get(c, &k, 10, NOW, &arena, &u2, &s2, &r));

    json_decref(old);
    json_decref(user);
    json_decref(s);
    cw_arena_destroy(&arena);
    cw_session_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_and_miss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
