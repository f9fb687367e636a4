/* Unit tests for db/internal: the collections are made once and in one go, documents go through
 * create/get/update/delete/find with JSON attributes round-tripping, the unique indexes hold,
 * search and queries work, and nothing of it shows through the public database API. */
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

#include "db/internal.h"

typedef struct fixture {
    char dir[64];
    cw_db_t *db;
} fixture_t;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-internal-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    cw_db_error_t err = {0};
    assert_int_equal(cw_db_open(f->dir, "proj1", &f->db, &err), 0);
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

#define EXPECT_OK(call)                                                                            \
    do {                                                                                           \
        cw_db_error_t e_ = {0};                                                                    \
        cw_db_error_t *err = &e_;                                                                  \
        int rc_ = (call);                                                                          \
        if (rc_ != 0)                                                                              \
            print_error("%s:%d: type=%d message=%s\n", __FILE__, __LINE__, (int)e_.type,           \
                        e_.message);                                                               \
        assert_int_equal(rc_, 0);                                                                  \
    } while (0)

#define EXPECT_ERR(call, want)                                                                     \
    do {                                                                                           \
        cw_db_error_t e_ = {0};                                                                    \
        cw_db_error_t *err = &e_;                                                                  \
        int rc_ = (call);                                                                          \
        if (rc_ == 0 || e_.type != (want))                                                         \
            print_error("%s:%d: rc=%d type=%d (want %d) message=%s\n", __FILE__, __LINE__, rc_,    \
                        (int)e_.type, (int)(want), e_.message);                                    \
        assert_int_not_equal(rc_, 0);                                                              \
        assert_int_equal(e_.type, (want));                                                         \
    } while (0)

static json_t *J(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    if (v == NULL)
        fail_msg("bad JSON in test: %s", e.text);
    return v;
}

static void make_user(cw_db_t *db, const char *id, const char *email, const char *phone,
                      const char *name)
{
    char text[512];
    snprintf(text, sizeof(text),
             "{\"email\":%s%s%s,\"phone\":%s%s%s,\"name\":\"%s\",\"status\":true,"
             "\"labels\":[],\"prefs\":{},\"hashOptions\":{\"type\":\"argon2\"},"
             "\"search\":\"%s %s %s\"}",
             email ? "\"" : "", email ? email : "null", email ? "\"" : "", phone ? "\"" : "",
             phone ? phone : "null", phone ? "\"" : "", name, id, email ? email : "", name);
    json_t *data = J(text), *out = NULL;
    EXPECT_OK(cw_db_internal_create(db, "users", id, data, NULL, &out, err));
    json_decref(data);
    json_decref(out);
}

static void test_ensure_once_and_hidden(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    EXPECT_OK(cw_db_internal_ensure(f->db, err));
    EXPECT_OK(cw_db_internal_ensure(f->db, err));
    /* Not listed, not reachable by ID through the public API. */
    EXPECT_OK(cw_db_database_list(f->db, NULL, NULL, true, &out, err));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 0);
    assert_int_equal(json_array_size(json_object_get(out, "databases")), 0);
    json_decref(out);
    out = NULL;
    EXPECT_ERR(cw_db_database_get(f->db, CW_DB_INTERNAL_DATABASE, &out, err),
               CW_ERR_DATABASE_NOT_FOUND);
    EXPECT_ERR(cw_db_collection_get(f->db, CW_DB_FAMILY_COLLECTIONS, CW_DB_INTERNAL_DATABASE,
                                    "users", &out, err),
               CW_ERR_DATABASE_NOT_FOUND);
    EXPECT_ERR(cw_db_database_delete(f->db, CW_DB_INTERNAL_DATABASE, err),
               CW_ERR_DATABASE_NOT_FOUND);
    EXPECT_ERR(cw_db_database_create(f->db, CW_DB_INTERNAL_DATABASE, "x", true, NULL, &out, err),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    /* A public database made after it is listed alone. */
    EXPECT_OK(cw_db_database_create(f->db, "db1", "one", true, NULL, &out, err));
    json_decref(out);
    EXPECT_OK(cw_db_database_list(f->db, NULL, NULL, true, &out, err));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    json_decref(out);
}

static void test_documents(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    make_user(f->db, "u1", "a@example.com", "+15550001", "Alice");
    EXPECT_OK(cw_db_internal_get(f->db, "users", "u1", &out, err));
    assert_string_equal(json_string_value(json_object_get(out, "email")), "a@example.com");
    assert_true(json_is_object(json_object_get(out, "prefs")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "hashOptions"), "type")), "argon2");
    assert_null(json_object_get(out, "$databaseId"));
    assert_null(json_object_get(out, "$collectionId"));
    json_decref(out);

    json_t *data = J("{\"name\":\"Alicia\",\"prefs\":{\"theme\":\"dark\"}}");
    EXPECT_OK(cw_db_internal_update(f->db, "users", "u1", data, &out, err));
    json_decref(data);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Alicia");
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "prefs"), "theme")),
                        "dark");
    assert_string_equal(json_string_value(json_object_get(out, "email")), "a@example.com");
    json_decref(out);

    EXPECT_ERR(cw_db_internal_get(f->db, "users", "nope", &out, err), CW_ERR_DOCUMENT_NOT_FOUND);
    EXPECT_ERR(cw_db_internal_get(f->db, "nothing", "u1", &out, err), CW_ERR_COLLECTION_NOT_FOUND);
    EXPECT_OK(cw_db_internal_delete(f->db, "users", "u1", err));
    EXPECT_ERR(cw_db_internal_get(f->db, "users", "u1", &out, err), CW_ERR_DOCUMENT_NOT_FOUND);
}

static void test_unique(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    make_user(f->db, "u1", "a@example.com", "+15550001", "A");
    make_user(f->db, "u2", NULL, NULL, "B");
    make_user(f->db, "u3", NULL, NULL, "C"); /* many users without email or phone */
    json_t *dup_email = J("{\"email\":\"a@example.com\"}");
    json_t *dup_phone = J("{\"phone\":\"+15550001\"}");
    EXPECT_ERR(cw_db_internal_create(f->db, "users", "u4", dup_email, NULL, &out, err),
               CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION);
    EXPECT_ERR(cw_db_internal_update(f->db, "users", "u2", dup_phone, &out, err),
               CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION);
    json_t *other = J("{\"name\":\"X\"}");
    EXPECT_ERR(cw_db_internal_create(f->db, "users", "u1", other, NULL, &out, err),
               CW_ERR_DOCUMENT_ALREADY_EXISTS);
    json_decref(other);
    json_decref(dup_email);
    json_decref(dup_phone);
}

static void test_find(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    make_user(f->db, "u1", "alice@example.com", NULL, "Alice");
    make_user(f->db, "u2", "bob@example.com", NULL, "Bob");
    make_user(f->db, "u3", NULL, "+15550003", "Carol");
    EXPECT_OK(cw_db_internal_find(f->db, "users", NULL, NULL, true, &out, err));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 3);
    json_decref(out);

    EXPECT_OK(cw_db_internal_find(f->db, "users", NULL, "Bob", true, &out, err));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(out, "documents"), 0), "$id")),
                        "u2");
    json_decref(out);

    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "name", json_string("Carol")));
    EXPECT_OK(cw_db_internal_find(f->db, "users", q, NULL, false, &out, err));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 0);
    assert_int_equal(json_array_size(json_object_get(out, "documents")), 1);
    json_decref(out);
    json_decref(q);

    q = json_array();
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    json_array_append_new(q, cw_db_internal_query("cursorAfter", NULL, json_string("u1")));
    EXPECT_OK(cw_db_internal_find(f->db, "users", q, NULL, true, &out, err));
    assert_int_equal(json_array_size(json_object_get(out, "documents")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(out, "documents"), 0), "$id")),
                        "u2");
    json_decref(out);
    json_decref(q);
}

static void test_delete_where_and_batch(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    size_t n = 0;
    for (int i = 0; i < 3; i++) {
        char id[16], ident[32];
        snprintf(id, sizeof(id), "t%d", i);
        snprintf(ident, sizeof(ident), "t%d@example.com", i);
        json_t *data = json_pack("{s:s, s:s, s:s, s:b}", "userId", i < 2 ? "u1" : "u2",
                                 "providerType", "email", "identifier", ident, "expired", 0);
        EXPECT_OK(cw_db_internal_create(f->db, "targets", id, data, NULL, &out, err));
        json_decref(data);
        json_decref(out);
    }
    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string("u1")));
    EXPECT_OK(cw_db_internal_delete_where(f->db, "targets", q, &n, err));
    json_decref(q);
    assert_int_equal(n, 2);

    /* A batch rolled back leaves nothing. */
    EXPECT_OK(cw_db_internal_begin(f->db, err));
    json_t *data = J("{\"name\":\"T\",\"total\":0,\"prefs\":{}}");
    EXPECT_OK(cw_db_internal_create(f->db, "teams", "team1", data, NULL, &out, err));
    json_decref(out);
    cw_db_internal_rollback(f->db);
    EXPECT_ERR(cw_db_internal_get(f->db, "teams", "team1", &out, err), CW_ERR_DOCUMENT_NOT_FOUND);
    EXPECT_OK(cw_db_internal_begin(f->db, err));
    EXPECT_OK(cw_db_internal_create(f->db, "teams", "team1", data, NULL, &out, err));
    json_decref(out);
    EXPECT_OK(cw_db_internal_commit(f->db, err));
    EXPECT_OK(cw_db_internal_get(f->db, "teams", "team1", &out, err));
    json_decref(out);
    json_decref(data);
}

/* A second connection to the same store sees the collections another one made. */
static void test_two_connections(void **state)
{
    fixture_t *f = *state;
    cw_db_t *other = NULL;
    json_t *out = NULL;
    make_user(f->db, "u1", "a@example.com", NULL, "A");
    EXPECT_OK(cw_db_open(f->dir, "proj1", &other, err));
    EXPECT_OK(cw_db_internal_get(other, "users", "u1", &out, err));
    json_decref(out);
    cw_db_close(other);
}

/* A store made before a collection was added lacks it: the first create or find makes it. */
static void test_collection_added_later(void **state)
{
    fixture_t *f = *state;
    cw_db_error_t err = {0};
    json_t *out = NULL;
    assert_int_equal(cw_db_internal_ensure(f->db, &err), 0);
    cw__db_internal_enter(f->db);
    assert_int_equal(cw_db_collection_delete(f->db, CW_DB_FAMILY_COLLECTIONS,
                                             CW_DB_INTERNAL_DATABASE, "audits", &err),
                     0);
    cw__db_internal_leave(f->db);
    assert_int_equal(cw_db_internal_find(f->db, "audits", NULL, NULL, true, &out, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 0);
    json_decref(out);
    json_t *data = json_pack("{s:s, s:s}", "event", "user.create", "resource", "user/a");
    assert_int_equal(cw_db_internal_create(f->db, "audits", "unique()", data, NULL, &out, &err), 0);
    json_decref(data);
    assert_string_equal(json_string_value(json_object_get(out, "event")), "user.create");
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ensure_once_and_hidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_where_and_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collection_added_later, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
