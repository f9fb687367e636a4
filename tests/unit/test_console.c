/* Unit tests for db/console's project settings and db/project_auth: a new project gets
 * Appwrite's auths defaults, a settings change is stored, parsed and seen through another
 * connection's cache after a refresh, an older store gains the columns (its projects reading as
 * Appwrite's pre-setting fallbacks), and odd stored values are survived. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/status.h"
#include "db/console.h"

typedef struct fixture {
    char dir[64];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-console-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char path[128];
    static const char *const files[] = {"console.db", "console.db-wal", "console.db-shm",
                                        "console.gen"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_new_project_defaults(void **state)
{
    fixture_t *f = *state;
    cw_console_t *c;
    cw_project_t p = {0};
    assert_int_equal(cw_console_open(f->dir, &c), CW_OK);
    assert_int_equal(cw_console_project_create(c, "p1", "One"), CW_OK);
    assert_int_equal(cw_console_project_get(c, cw_str("p1"), &p), CW_OK);
    const cw_project_auth_t *a = &p.auth;
    assert_int_equal(a->limit, 0);
    assert_int_equal(a->duration, 31536000);
    assert_int_equal(a->max_sessions, 10);
    assert_int_equal(a->password_history, 0);
    assert_false(a->password_dictionary);
    assert_false(a->personal_data_check);
    assert_false(a->session_alerts);
    assert_true(a->invalidate_sessions);
    assert_false(a->memberships_user_name);
    assert_false(a->memberships_user_email);
    assert_false(a->memberships_mfa);
    for (int m = 0; m < CW_AUTH__COUNT; m++)
        assert_true(a->methods[m]);
    assert_int_equal(a->nmock_numbers, 0);
    /* The stored object keeps what the struct does not parse. */
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(p.auths, "passwordStrength"), "min")),
        8);
    assert_true(json_is_object(p.smtp) && json_object_size(p.smtp) == 0);
    assert_true(cw_project_service_enabled(&p, "teams"));
    cw_project_clear(&p);
    cw_console_close(c);
}

static void test_setting_set_and_refresh(void **state)
{
    fixture_t *f = *state;
    cw_console_t *server, *cli;
    const cw_project_t *cached;
    assert_int_equal(cw_console_open(f->dir, &server), CW_OK);
    assert_int_equal(cw_console_open(f->dir, &cli), CW_OK);
    assert_int_equal(cw_console_project_create(cli, "p1", "One"), CW_OK);
    cw_console_refresh(server);
    assert_int_equal(cw_console_project_find(server, cw_str("p1"), &cached), CW_OK);
    assert_int_equal(cached->auth.limit, 0);

    json_t *auths = cw_project_auth_defaults();
    json_object_set_new(auths, "limit", json_integer(3));
    json_object_set_new(auths, "duration", json_integer(120));
    json_object_set_new(auths, "maxSessions", json_integer(2));
    json_object_set_new(auths, "passwordHistory", json_integer(5));
    json_object_set_new(auths, "passwordDictionary", json_true());
    json_object_set_new(auths, "membershipsUserEmail", json_true());
    json_object_set_new(auths, "JWT", json_false());
    json_object_set_new(auths, "usersAuthMagicURL", json_false());
    json_object_set_new(
        auths, "mockNumbers",
        json_pack("[{s:s, s:s}, {s:s}]", "phone", "+15550001111", "otp", "123456", "phone", "+1"));
    assert_int_equal(cw_console_project_setting_set(cli, "p1", CW_PROJECT_AUTHS, auths), CW_OK);
    json_decref(auths);
    json_t *smtp = json_pack("{s:b, s:s, s:i}", "enabled", 1, "host", "mail.test", "port", 25);
    assert_int_equal(cw_console_project_setting_set(cli, "p1", CW_PROJECT_SMTP, smtp), CW_OK);
    json_decref(smtp);
    json_t *svc = json_pack("{s:b}", "teams", 0);
    assert_int_equal(cw_console_project_setting_set(cli, "p1", CW_PROJECT_SERVICES, svc), CW_OK);
    json_decref(svc);

    /* The server's cache holds the old record until the next refresh. */
    assert_int_equal(cw_console_project_find(server, cw_str("p1"), &cached), CW_OK);
    assert_int_equal(cached->auth.limit, 0);
    cw_console_refresh(server);
    assert_int_equal(cw_console_project_find(server, cw_str("p1"), &cached), CW_OK);
    const cw_project_auth_t *a = &cached->auth;
    assert_int_equal(a->limit, 3);
    assert_int_equal(a->duration, 120);
    assert_int_equal(a->max_sessions, 2);
    assert_int_equal(a->password_history, 5);
    assert_true(a->password_dictionary);
    assert_true(a->memberships_user_email);
    assert_false(a->memberships_user_name);
    assert_false(a->methods[CW_AUTH_JWT]);
    assert_false(a->methods[CW_AUTH_MAGIC_URL]);
    assert_true(a->methods[CW_AUTH_EMAIL_PASSWORD]);
    assert_int_equal(a->nmock_numbers, 1); /* the entry without an otp is skipped */
    assert_string_equal(a->mock_numbers[0].phone, "+15550001111");
    assert_string_equal(a->mock_numbers[0].otp, "123456");
    assert_string_equal(json_string_value(json_object_get(cached->smtp, "host")), "mail.test");
    assert_false(cw_project_service_enabled(cached, "teams"));
    assert_true(cw_project_service_enabled(cached, "users"));

    json_t *not_object = json_array();
    assert_int_equal(cw_console_project_setting_set(cli, "p1", CW_PROJECT_AUTHS, not_object),
                     CW_EINVAL);
    json_decref(not_object);
    json_t *empty = json_object();
    assert_int_equal(cw_console_project_setting_set(cli, "nope", CW_PROJECT_SMTP, empty),
                     CW_ENOTFOUND);
    json_decref(empty);
    cw_console_close(server);
    cw_console_close(cli);
}

/* A console.db as an older cwrite wrote it: no settings columns. */
static void test_migrates_old_store(void **state)
{
    fixture_t *f = *state;
    char path[128];
    sqlite3 *db;
    snprintf(path, sizeof(path), "%s/console.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at "
                     "INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
                     "INSERT INTO projects VALUES ('old', 'Old', 1, 1);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    cw_console_t *c;
    cw_project_t p = {0};
    assert_int_equal(cw_console_open(f->dir, &c), CW_OK);
    assert_int_equal(cw_console_project_get(c, cw_str("old"), &p), CW_OK);
    assert_string_equal(p.name, "Old");
    /* Appwrite's fallbacks for a project that predates the settings. */
    assert_int_equal(p.auth.duration, 31536000);
    assert_int_equal(p.auth.max_sessions, 10);
    assert_false(p.auth.invalidate_sessions);
    assert_true(p.auth.memberships_user_name);
    assert_true(p.auth.memberships_mfa);
    assert_true(p.auth.methods[CW_AUTH_ANONYMOUS]);
    assert_int_equal(json_object_size(p.auths), 0);
    /* The array settings read as empty arrays, the object ones as empty objects. */
    assert_true(json_is_array(p.platforms) && json_array_size(p.platforms) == 0);
    assert_true(json_is_array(p.labels) && json_is_array(p.variables));
    assert_true(json_is_object(p.oauth2) && json_is_object(p.templates));
    cw_project_clear(&p);
    json_t *v = json_pack("{s:i}", "limit", 7);
    assert_int_equal(cw_console_project_setting_set(c, "old", CW_PROJECT_AUTHS, v), CW_OK);
    json_decref(v);
    cw_console_close(c);

    /* Opening again finds the columns there and changes nothing. */
    assert_int_equal(cw_console_open(f->dir, &c), CW_OK);
    assert_int_equal(cw_console_project_get(c, cw_str("old"), &p), CW_OK);
    assert_int_equal(p.auth.limit, 7);
    cw_project_clear(&p);
    cw_console_close(c);
}

static int add_platform(json_t *list, void *arg)
{
    json_array_append_new(list, json_pack("{s:s, s:s}", "$id", (const char *)arg, "type", "web"));
    return CW_OK;
}

static int refuse(json_t *value, void *arg)
{
    json_array_clear(value);
    return CW_EINVAL;
}

static void test_setting_edit(void **state)
{
    fixture_t *f = *state;
    cw_console_t *c;
    cw_project_t p = {0};
    assert_int_equal(cw_console_open(f->dir, &c), CW_OK);
    assert_int_equal(cw_console_project_create(c, "e", "E"), CW_OK);
    assert_int_equal(
        cw_console_project_setting_edit(c, "e", CW_PROJECT_PLATFORMS, add_platform, "a"), CW_OK);
    assert_int_equal(
        cw_console_project_setting_edit(c, "e", CW_PROJECT_PLATFORMS, add_platform, "b"), CW_OK);
    /* An edit that refuses saves nothing and its code comes back. */
    assert_int_equal(cw_console_project_setting_edit(c, "e", CW_PROJECT_PLATFORMS, refuse, NULL),
                     CW_EINVAL);
    assert_int_equal(
        cw_console_project_setting_edit(c, "nope", CW_PROJECT_PLATFORMS, add_platform, "x"),
        CW_ENOTFOUND);
    assert_int_equal(cw_console_project_get(c, cw_str("e"), &p), CW_OK);
    assert_int_equal(json_array_size(p.platforms), 2);
    cw_project_clear(&p);
    /* An array setting refuses an object and the other way round. */
    json_t *obj = json_object();
    assert_int_equal(cw_console_project_setting_set(c, "e", CW_PROJECT_LABELS, obj), CW_EINVAL);
    json_decref(obj);
    cw_console_close(c);
}

static void test_keys_by_id(void **state)
{
    fixture_t *f = *state;
    cw_console_t *c;
    char secret[CW_KEY_SECRET_LEN + 1], spare[CW_KEY_SECRET_LEN + 1];
    const char *scopes[] = {"users.read", NULL};
    const char *scopes2[] = {"locale.read", "teams.read", NULL};
    cw_key_t k = {0};
    assert_int_equal(cw_console_open(f->dir, &c), CW_OK);
    assert_int_equal(cw_console_project_create(c, "k", "K"), CW_OK);
    assert_int_equal(cw_console_key_create_id(c, "k", "mine", "one", scopes, 0, NULL, secret),
                     CW_OK);
    assert_int_equal(cw_console_key_create_id(c, "k", "mine", "two", scopes, 0, NULL, spare),
                     CW_EEXIST);
    assert_int_equal(cw_console_key_create_id(c, "gone", "other", "x", scopes, 0, NULL, spare),
                     CW_ENOTFOUND);
    assert_int_equal(cw_console_key_update(c, "k", "mine", "renamed", scopes2, 42), CW_OK);
    assert_int_equal(cw_console_key_update(c, "k", "nope", "x", scopes2, 0), CW_ENOTFOUND);
    assert_int_equal(cw_console_key_get(c, "k", "mine", &k), CW_OK);
    assert_string_equal(k.name, "renamed");
    assert_int_equal(k.nscopes, 2);
    assert_string_equal(k.scopes[1], "teams.read");
    assert_int_equal(k.expire, 42);
    cw_key_clear(&k);
    /* The secret still finds the changed key. */
    assert_int_equal(cw_console_key_find(c, cw_str("k"), cw_str(secret), &k), CW_OK);
    assert_string_equal(k.id, "mine");
    cw_key_clear(&k);
    assert_int_equal(cw_console_key_get(c, "other-project", "mine", &k), CW_ENOTFOUND);
    cw_console_close(c);
}

static void test_parse_odd_values(void **state)
{
    (void)state;
    cw_project_auth_t a;
    cw_project_auth_parse(NULL, &a);
    assert_int_equal(a.duration, CW_AUTH_DURATION_DEFAULT);
    assert_true(a.methods[CW_AUTH_PHONE]);
    cw_project_auth_clear(&a);
    json_t *o =
        json_pack("{s:i, s:i, s:s, s:s, s:i, s:i}", "limit", -4, "duration", 0,
                  "passwordDictionary", "yes", "phone", "off", "maxSessions", -1, "mockNumbers", 3);
    cw_project_auth_parse(o, &a);
    assert_int_equal(a.limit, 0);
    assert_int_equal(a.duration, CW_AUTH_DURATION_DEFAULT);
    assert_int_equal(a.max_sessions, 0);
    assert_false(a.password_dictionary);
    assert_true(a.methods[CW_AUTH_PHONE]); /* only an explicit false turns a method off */
    assert_int_equal(a.nmock_numbers, 0);
    cw_project_auth_clear(&a);
    json_decref(o);
}

static void test_method_names(void **state)
{
    (void)state;
    assert_int_equal(cw_auth_method_find(cw_str("email-password")), CW_AUTH_EMAIL_PASSWORD);
    assert_int_equal(cw_auth_method_find(cw_str("usersAuthMagicURL")), CW_AUTH_MAGIC_URL);
    assert_int_equal(cw_auth_method_find(cw_str("jwt")), CW_AUTH_JWT);
    assert_int_equal(cw_auth_method_find(cw_str("oauth")), -1);
    assert_string_equal(cw_auth_method_key(CW_AUTH_EMAIL_OTP), "emailOtp");
    assert_string_equal(cw_auth_method_name(CW_AUTH_INVITES), "invites");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_project_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setting_set_and_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrates_old_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setting_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_by_id, setup, teardown),
        cmocka_unit_test(test_parse_odd_values),
        cmocka_unit_test(test_method_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
