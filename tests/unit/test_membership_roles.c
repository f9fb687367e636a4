/* Unit tests for auth/membership_roles: a user's confirmed memberships give team:T, team:T/ROLE
 * and member:M; unconfirmed invitations, other users' memberships and a user with none give
 * nothing beyond `any`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/membership_roles.h"
#include "db/internal.h"

typedef struct fixture {
    char dir[64];
    cw_db_t *db;
} fixture_t;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void add_membership(cw_db_t *db, const char *id, const char *user, const char *team,
                           bool confirm, const char *roles_json)
{
    cw_db_error_t err = {0};
    json_t *out = NULL;
    json_t *data =
        json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:s}", "userId", user, "userInternalId", user,
                  "teamId", team, "teamInternalId", team, "roles", json_loads(roles_json, 0, NULL),
                  "confirm", confirm, "secret", "");
    assert_int_equal(cw_db_internal_create(db, "memberships", id, data, NULL, &out, &err), 0);
    json_decref(data);
    json_decref(out);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-mroles-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    cw_db_error_t err = {0};
    assert_int_equal(cw_db_open(f->dir, "proj1", &f->db, &err), 0);
    assert_int_equal(cw_db_internal_ensure(f->db, &err), 0);
    add_membership(f->db, "m1", "ann", "red", true, "[\"owner\", \"editor\"]");
    add_membership(f->db, "m2", "ann", "blue", true, "[]");
    add_membership(f->db, "m3", "ann", "green", false, "[\"owner\"]");
    add_membership(f->db, "m4", "ben", "red", true, "[\"viewer\"]");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    cw_db_close(f->db);
    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static bool has(const cw_roles_t *r, const char *role)
{
    return cw_roles_has(r, cw_str(role));
}

static void test_confirmed_memberships(void **state)
{
    fixture_t *f = *state;
    cw_arena_t arena = CW_ARENA_INIT;
    cw_roles_t roles;
    cw_db_error_t err = {0};
    cw_roles_init(&roles, &arena);
    assert_int_equal(cw_teams_roles(f->db, cw_str("ann"), &roles, &err), 0);
    assert_true(has(&roles, "team:red"));
    assert_true(has(&roles, "team:red/owner"));
    assert_true(has(&roles, "team:red/editor"));
    assert_true(has(&roles, "member:m1"));
    assert_true(has(&roles, "team:blue"));
    assert_true(has(&roles, "member:m2"));
    /* An invitation not yet accepted gives nothing; nor do other users' memberships. */
    assert_false(has(&roles, "team:green"));
    assert_false(has(&roles, "team:green/owner"));
    assert_false(has(&roles, "member:m3"));
    assert_false(has(&roles, "team:red/viewer"));
    assert_false(has(&roles, "member:m4"));
    assert_int_equal(roles.n, 7); /* any + the six above */
    cw_arena_destroy(&arena);
}

static void test_no_memberships(void **state)
{
    fixture_t *f = *state;
    cw_arena_t arena = CW_ARENA_INIT;
    cw_roles_t roles;
    cw_db_error_t err = {0};
    cw_roles_init(&roles, &arena);
    assert_int_equal(cw_teams_roles(f->db, cw_str("nobody"), &roles, &err), 0);
    assert_int_equal(roles.n, 1);
    assert_true(has(&roles, "any"));
    cw_arena_destroy(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_confirmed_memberships, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_memberships, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
