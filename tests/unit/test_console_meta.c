/* Unit tests for db/console_meta: a project's organisation and descriptive fields, dev keys (made,
 * found by their secret only while unexpired, changed, deleted), everything gone with the project,
 * and the console's own ID refused as a project. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/status.h"
#include "core/timeutil.h"
#include "db/console.h"
#include "db/console_meta.h"

typedef struct fixture {
    char dir[64];
    cw_console_t *c;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-meta-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(cw_console_open(f->dir, &f->c), CW_OK);
    assert_int_equal(cw_console_project_create(f->c, "p1", "One"), CW_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char path[128];
    static const char *const files[] = {"console.db", "console.db-wal", "console.db-shm",
                                        "console.gen"};
    cw_console_close(f->c);
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_console_id_reserved(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(cw_console_project_create(f->c, CW_CONSOLE_PROJECT_ID, "X"), CW_EEXIST);
}

static void test_team_and_info(void **state)
{
    fixture_t *f = *state;
    char team[CW_CONSOLE_ID_SIZE];
    json_t *info = NULL;
    assert_int_equal(cw_console_project_team_get(f->c, "p1", team), CW_OK);
    assert_string_equal(team, "");
    assert_int_equal(cw_console_project_team_get(f->c, "nope", team), CW_ENOTFOUND);
    assert_int_equal(cw_console_project_team_set(f->c, "nope", "t1"), CW_ENOTFOUND);
    assert_int_equal(cw_console_project_team_set(f->c, "p1", "t1"), CW_OK);
    assert_int_equal(cw_console_project_team_get(f->c, "p1", team), CW_OK);
    assert_string_equal(team, "t1");

    json_t *in = json_pack("{s:s}", "description", "hello");
    assert_int_equal(cw_console_project_update(f->c, "p1", "Renamed", in), CW_OK);
    json_decref(in);
    assert_int_equal(cw_console_project_info_get(f->c, "p1", &info), CW_OK);
    assert_string_equal(json_string_value(json_object_get(info, "description")), "hello");
    json_decref(info);
    cw_project_t p = {0};
    assert_int_equal(cw_console_project_get(f->c, cw_str("p1"), &p), CW_OK);
    assert_string_equal(p.name, "Renamed");
    cw_project_clear(&p);
    /* The team survives an update of the other fields. */
    assert_int_equal(cw_console_project_team_get(f->c, "p1", team), CW_OK);
    assert_string_equal(team, "t1");
    assert_int_equal(cw_console_project_update(f->c, "nope", "X", NULL), CW_ENOTFOUND);
}

static int count_key(const cw_dev_key_t *k, void *arg)
{
    (void)k;
    (*(int *)arg)++;
    return 0;
}

static void test_dev_keys(void **state)
{
    fixture_t *f = *state;
    cw_dev_key_t k, found;
    char secret[CW_DEV_KEY_SECRET_LEN + 1];
    int64_t now = cw_time_now_ms();
    assert_int_equal(cw_console_dev_key_create(f->c, "nope", "x", now + 1000, NULL, secret),
                     CW_ENOTFOUND);
    assert_int_equal(cw_console_dev_key_create(f->c, "p1", "laptop", now + 60000, &k, secret),
                     CW_OK);
    assert_int_equal(strlen(secret), CW_DEV_KEY_SECRET_LEN);
    assert_int_equal(cw_console_dev_key_use(f->c, cw_str("p1"), cw_str(secret), now, &found),
                     CW_OK);
    assert_string_equal(found.id, k.id);
    assert_true(found.accessed_at == now);
    cw_dev_key_clear(&found);
    /* Another project, a wrong secret, or past its expiry: no key. */
    assert_int_equal(cw_console_dev_key_use(f->c, cw_str("p2"), cw_str(secret), now, &found),
                     CW_ENOTFOUND);
    assert_int_equal(cw_console_dev_key_use(f->c, cw_str("p1"), cw_str("abc"), now, &found),
                     CW_ENOTFOUND);
    assert_int_equal(
        cw_console_dev_key_use(f->c, cw_str("p1"), cw_str(secret), now + 120000, &found),
        CW_ENOTFOUND);
    assert_int_equal(cw_console_dev_key_update(f->c, "p1", k.id, "desk", now + 240000), CW_OK);
    assert_int_equal(cw_console_dev_key_get(f->c, "p1", k.id, &found), CW_OK);
    assert_string_equal(found.name, "desk");
    cw_dev_key_clear(&found);
    assert_int_equal(cw_console_dev_key_get(f->c, "p2", k.id, &found), CW_ENOTFOUND);
    int n = 0;
    assert_int_equal(cw_console_dev_key_each(f->c, "p1", count_key, &n), CW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cw_console_dev_key_delete(f->c, "p1", k.id), CW_OK);
    assert_int_equal(cw_console_dev_key_delete(f->c, "p1", k.id), CW_ENOTFOUND);
    cw_dev_key_clear(&k);
}

static void test_gone_with_project(void **state)
{
    fixture_t *f = *state;
    cw_dev_key_t k;
    char secret[CW_DEV_KEY_SECRET_LEN + 1], team[CW_CONSOLE_ID_SIZE];
    assert_int_equal(cw_console_project_team_set(f->c, "p1", "t1"), CW_OK);
    assert_int_equal(
        cw_console_dev_key_create(f->c, "p1", "k", cw_time_now_ms() + 60000, &k, secret), CW_OK);
    assert_int_equal(cw_console_project_delete(f->c, "p1"), CW_OK);
    assert_int_equal(cw_console_project_create(f->c, "p1", "Again"), CW_OK);
    assert_int_equal(cw_console_project_team_get(f->c, "p1", team), CW_OK);
    assert_string_equal(team, "");
    assert_int_equal(cw_console_dev_key_get(f->c, "p1", k.id, &k), CW_ENOTFOUND);
    cw_dev_key_clear(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_console_id_reserved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_team_and_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dev_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone_with_project, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
