/* Unit tests for auth/token: secrets, codes and phrases of the right form; tokens stored with
 * only the hash of their secret, found by secret and type, and never once expired. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/session.h"
#include "auth/token.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/internal.h"

typedef struct fixture {
    char dir[64];
    cw_db_t *db;
    json_t *user;
} fixture_t;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-token-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    cw_db_error_t err = {0};
    assert_int_equal(cw_db_open(f->dir, "proj1", &f->db, &err), 0);
    json_t *data = json_pack("{s:s, s:b}", "email", "t@example.com", "status", 1);
    assert_int_equal(cw_db_internal_create(f->db, "users", "u1", data, NULL, &f->user, &err), 0);
    json_decref(data);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    json_decref(f->user);
    cw_db_close(f->db);
    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static void test_secret_forms(void **state)
{
    char s[CW_TOKEN_SECRET_MAX + 1], t[CW_TOKEN_SECRET_MAX + 1];
    cw_token_secret_new(s, CW_TOKEN_LEN_MAGIC_URL);
    assert_int_equal(strlen(s), 64);
    for (size_t i = 0; i < strlen(s); i++)
        assert_true(isxdigit((unsigned char)s[i]) && !isupper((unsigned char)s[i]));
    cw_token_secret_new(t, CW_TOKEN_LEN_MAGIC_URL);
    assert_string_not_equal(s, t);
    cw_token_secret_new(s, CW_TOKEN_LEN_LONG);
    assert_int_equal(strlen(s), 256);
    cw_token_secret_new(s, 7); /* odd lengths are cut, as Appwrite's proof cuts them */
    assert_int_equal(strlen(s), 7);
}

static void test_code_digits(void **state)
{
    char code[CW_TOKEN_LEN_CODE + 1];
    int seen[10] = {0};
    for (int round = 0; round < 200; round++) {
        cw_token_code_new(code, CW_TOKEN_LEN_CODE);
        assert_int_equal(strlen(code), 6);
        for (size_t i = 0; i < 6; i++) {
            assert_true(code[i] >= '0' && code[i] <= '9');
            seen[code[i] - '0']++;
        }
    }
    for (int d = 0; d < 10; d++)
        assert_true(seen[d] > 0); /* 1200 digits: each shows up */
}

static void test_phrase_form(void **state)
{
    char p[CW_TOKEN_PHRASE_MAX];
    cw_token_phrase_new(p);
    const char *space = strchr(p, ' ');
    assert_non_null(space);
    assert_true(isupper((unsigned char)p[0]));
    assert_true(islower((unsigned char)space[1]));
    assert_null(strchr(space + 1, ' '));
}

static void test_create_and_find(void **state)
{
    fixture_t *f = *state;
    cw_db_error_t err = {0};
    json_t *tok = NULL, *found = NULL;
    char hash[CW_SESSION_HASH_LEN + 1];
    assert_int_equal(cw_token_create(f->db, f->user, CW_TOKEN_RECOVERY, "s3cret", 3600, NULL,
                                     "127.0.0.1", &tok, &err),
                     0);
    /* Only the hash is stored. */
    cw_session_secret_hash(cw_str("s3cret"), hash);
    assert_string_equal(json_string_value(json_object_get(tok, "secret")), hash);
    assert_string_equal(json_string_value(json_object_get(tok, "userAgent")), "UNKNOWN");
    assert_int_equal(json_integer_value(json_object_get(tok, "type")), CW_TOKEN_RECOVERY);
    assert_int_equal(json_array_size(json_object_get(tok, "$permissions")), 3);

    int64_t now = cw_time_now_ms();
    assert_int_equal(
        cw_token_find(f->db, "u1", CW_TOKEN_RECOVERY, cw_str("s3cret"), now, &found, &err), 0);
    assert_string_equal(json_string_value(json_object_get(found, "$id")),
                        json_string_value(json_object_get(tok, "$id")));
    json_decref(found);
    assert_int_equal(cw_token_find(f->db, "u1", CW_TOKEN_ANY, cw_str("s3cret"), now, &found, &err),
                     0);
    json_decref(found);
    /* Wrong type, wrong secret, another user, or past the expiry: none. */
    assert_int_equal(
        cw_token_find(f->db, "u1", CW_TOKEN_VERIFICATION, cw_str("s3cret"), now, &found, &err),
        CW_ENOTFOUND);
    assert_int_equal(cw_token_find(f->db, "u1", CW_TOKEN_ANY, cw_str("s3cre"), now, &found, &err),
                     CW_ENOTFOUND);
    assert_int_equal(cw_token_find(f->db, "u2", CW_TOKEN_ANY, cw_str("s3cret"), now, &found, &err),
                     CW_ENOTFOUND);
    assert_int_equal(
        cw_token_find(f->db, "u1", CW_TOKEN_ANY, cw_str("s3cret"), now + 3601 * 1000, &found, &err),
        CW_ENOTFOUND);
    assert_null(found);

    json_t *m = cw_token_model(tok, NULL, "Calm otter");
    assert_string_equal(json_string_value(json_object_get(m, "secret")), "");
    assert_string_equal(json_string_value(json_object_get(m, "phrase")), "Calm otter");
    assert_string_equal(json_string_value(json_object_get(m, "userId")), "u1");
    assert_int_equal(json_object_size(m), 6);
    json_decref(m);
    json_decref(tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_forms),
        cmocka_unit_test(test_code_digits),
        cmocka_unit_test(test_phrase_form),
        cmocka_unit_test_setup_teardown(test_create_and_find, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
