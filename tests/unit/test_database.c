/* Unit tests for db/database through its public API, on SQLite in a scratch folder: metadata
 * with both families' errors, every attribute type, documents valid and invalid, unique indexes,
 * each query method, cursors both ways, permission filtering, atomicity, caches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/database.h"

typedef struct fixture {
    char dir[64];
    cw_db_t *db;
} fixture_t;

static const char *const key_roles[] = {"any", NULL};
static const cw_db_actor_t KEY = {.is_key = true, .roles = key_roles};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-db-XXXXXX");
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

/* Checks a failed call's error type and prints the message when it is not the expected one. */
#define EXPECT_ERR(call, want)                                                                     \
    do {                                                                                           \
        cw_db_error_t e_ = {0};                                                                    \
        cw_db_error_t *err_ = &e_;                                                                 \
        (void)err_;                                                                                \
        int rc_ = (call);                                                                          \
        if (rc_ == 0 || e_.type != (want))                                                         \
            print_error("%s:%d: rc=%d type=%d (want %d) message=%s\n", __FILE__, __LINE__, rc_,    \
                        (int)e_.type, (int)(want), e_.message);                                    \
        assert_int_not_equal(rc_, 0);                                                              \
        assert_int_equal(e_.type, (want));                                                         \
    } while (0)

#define EXPECT_OK(call)                                                                            \
    do {                                                                                           \
        cw_db_error_t e_ = {0};                                                                    \
        cw_db_error_t *err_ = &e_;                                                                 \
        (void)err_;                                                                                \
        int rc_ = (call);                                                                          \
        if (rc_ != 0)                                                                              \
            print_error("%s:%d: type=%d message=%s\n", __FILE__, __LINE__, (int)e_.type,           \
                        e_.message);                                                               \
        assert_int_equal(rc_, 0);                                                                  \
    } while (0)

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (v == NULL)
        fail_msg("bad JSON in test: %s (%s)", text, je.text);
    return v;
}

/* A queries[] parameter from query JSON texts. */
static json_t *Q(int n, ...)
{
    json_t *a = json_array();
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(va_arg(ap, const char *)));
    va_end(ap);
    return a;
}

static void make_db(cw_db_t *db, const char *id)
{
    json_t *out = NULL;
    EXPECT_OK(cw_db_database_create(db, id, "Main", true, "legacy", &out, err_));
    json_decref(out);
}

static void make_coll(cw_db_t *db, cw_db_family_t fam, const char *dbid, const char *id,
                      const char *perms, bool docsec)
{
    json_t *out = NULL, *p = perms != NULL ? J(perms) : NULL;
    EXPECT_OK(cw_db_collection_create(db, fam, dbid, id, "Things", p, docsec, true, &out, err_));
    json_decref(out);
    json_decref(p);
}

static void make_attr(cw_db_t *db, cw_db_family_t fam, const char *dbid, const char *cid,
                      const char *spec)
{
    json_t *s = J(spec), *out = NULL;
    EXPECT_OK(cw_db_attribute_create(db, fam, dbid, cid, s, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "status")), "available");
    json_decref(out);
    json_decref(s);
}

static void make_index(cw_db_t *db, const char *dbid, const char *cid, const char *key,
                       const char *type, const char *attrs)
{
    json_t *a = J(attrs), *out = NULL;
    EXPECT_OK(cw_db_index_create(db, CW_DB_FAMILY_COLLECTIONS, dbid, cid, key, type, a, NULL, NULL,
                                 &out, err_));
    json_decref(out);
    json_decref(a);
}

static json_t *make_doc(cw_db_t *db, const char *cid, const char *id, const char *data,
                        const char *perms)
{
    json_t *d = J(data), *p = perms != NULL ? J(perms) : NULL, *out = NULL;
    EXPECT_OK(
        cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", cid, id, d, p, &out, err_));
    json_decref(d);
    json_decref(p);
    return out;
}

/* The $ids of a list, joined with commas, for compact assertions. */
static void ids_of(json_t *list, const char *plural, char *buf, size_t size)
{
    size_t i, o = 0;
    json_t *d;
    buf[0] = '\0';
    json_array_foreach(json_object_get(list, plural), i, d)
    {
        o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? "," : "",
                              json_string_value(json_object_get(d, "$id")));
    }
}

static void expect_list(cw_db_t *db, const cw_db_actor_t *actor, const char *cid, json_t *queries,
                        const char *want_ids, int64_t want_total)
{
    json_t *out = NULL;
    char ids[1024];
    EXPECT_OK(cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, actor, "db", cid, queries, true,
                                  &out, err_));
    ids_of(out, "documents", ids, sizeof(ids));
    if (strcmp(ids, want_ids) != 0 ||
        json_integer_value(json_object_get(out, "total")) != want_total) {
        char *q = json_dumps(queries, JSON_COMPACT);
        print_error("queries %s: got [%s] total %lld, want [%s] total %lld\n", q, ids,
                    (long long)json_integer_value(json_object_get(out, "total")), want_ids,
                    (long long)want_total);
        free(q);
    }
    assert_string_equal(ids, want_ids);
    assert_int_equal(json_integer_value(json_object_get(out, "total")), want_total);
    json_decref(out);
    json_decref(queries);
}

/* Databases ------------------------------------------------------------------------------- */

static void test_databases(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    EXPECT_OK(cw_db_database_create(f->db, "db1", "First", true, "legacy", &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "$id")), "db1");
    assert_string_equal(json_string_value(json_object_get(out, "type")), "legacy");
    assert_true(json_is_true(json_object_get(out, "enabled")));
    assert_int_equal(strlen(json_string_value(json_object_get(out, "$createdAt"))), 29);
    json_decref(out);
    EXPECT_ERR(cw_db_database_create(f->db, "db1", "Again", true, "legacy", &out, err_),
               CW_ERR_DATABASE_ALREADY_EXISTS);
    EXPECT_ERR(cw_db_database_create(f->db, "_bad", "Bad", true, "legacy", &out, err_),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    EXPECT_ERR(cw_db_database_create(f->db, "db9", "", true, "legacy", &out, err_),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    EXPECT_OK(cw_db_database_create(f->db, "unique()", "Second", false, "tablesdb", &out, err_));
    assert_int_equal(strlen(json_string_value(json_object_get(out, "$id"))), 20);
    json_decref(out);

    EXPECT_ERR(cw_db_database_get(f->db, "nope", &out, err_), CW_ERR_DATABASE_NOT_FOUND);
    EXPECT_OK(cw_db_database_update(f->db, "db1", "Renamed", 0, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Renamed");
    assert_true(json_is_false(json_object_get(out, "enabled")));
    json_decref(out);
    EXPECT_OK(cw_db_database_get(f->db, "db1", &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Renamed");
    json_decref(out);

    EXPECT_OK(cw_db_database_list(f->db, NULL, NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    json_decref(out);
    json_t *q = Q(1, "{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[\"Renamed\"]}");
    EXPECT_OK(cw_db_database_list(f->db, q, NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    json_decref(out);
    json_decref(q);
    EXPECT_OK(cw_db_database_list(f->db, NULL, "Second", true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    json_decref(out);
    q = Q(1, "{\"method\":\"equal\",\"attribute\":\"nope\",\"values\":[\"x\"]}");
    EXPECT_ERR(cw_db_database_list(f->db, q, NULL, true, &out, err_), CW_ERR_GENERAL_QUERY_INVALID);
    json_decref(q);

    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db1", "c1", NULL, false);
    EXPECT_OK(cw_db_database_delete(f->db, "db1", err_));
    EXPECT_ERR(cw_db_database_get(f->db, "db1", &out, err_), CW_ERR_DATABASE_NOT_FOUND);
    EXPECT_ERR(cw_db_database_delete(f->db, "db1", err_), CW_ERR_DATABASE_NOT_FOUND);
}

/* Collections and tables --------------------------------------------------------------------- */

static void test_collections(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *perms = J("[\"read(\\\"any\\\")\", \"write(\\\"users\\\")\"]");
    make_db(f->db, "db");
    EXPECT_OK(cw_db_collection_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "books", "Books",
                                      perms, true, true, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "databaseId")), "db");
    assert_true(json_is_true(json_object_get(out, "documentSecurity")));
    /* write expands to create, update, delete. */
    assert_int_equal(json_array_size(json_object_get(out, "$permissions")), 4);
    assert_int_equal(json_array_size(json_object_get(out, "attributes")), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "bytesMax")), 65535);
    json_decref(out);
    json_decref(perms);
    EXPECT_ERR(cw_db_collection_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "books", "B", NULL,
                                       false, true, &out, err_),
               CW_ERR_COLLECTION_ALREADY_EXISTS);
    EXPECT_ERR(cw_db_collection_create(f->db, CW_DB_FAMILY_TABLES, "db", "books", "B", NULL, false,
                                       true, &out, err_),
               CW_ERR_TABLE_ALREADY_EXISTS);
    EXPECT_ERR(cw_db_collection_create(f->db, CW_DB_FAMILY_COLLECTIONS, "nodb", "x", "B", NULL,
                                       false, true, &out, err_),
               CW_ERR_DATABASE_NOT_FOUND);
    perms = J("[\"fly(\\\"any\\\")\"]");
    EXPECT_ERR(cw_db_collection_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "x", "B", perms,
                                       false, true, &out, err_),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    json_decref(perms);

    EXPECT_ERR(cw_db_collection_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "nope", &out, err_),
               CW_ERR_COLLECTION_NOT_FOUND);
    EXPECT_ERR(cw_db_collection_get(f->db, CW_DB_FAMILY_TABLES, "db", "nope", &out, err_),
               CW_ERR_TABLE_NOT_FOUND);
    EXPECT_OK(cw_db_collection_get(f->db, CW_DB_FAMILY_TABLES, "db", "books", &out, err_));
    assert_true(json_is_true(json_object_get(out, "rowSecurity")));
    assert_non_null(json_object_get(out, "columns"));
    json_decref(out);

    EXPECT_OK(cw_db_collection_update(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "books", "Novels",
                                      NULL, 0, -1, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Novels");
    assert_true(json_is_false(json_object_get(out, "documentSecurity")));
    assert_int_equal(json_array_size(json_object_get(out, "$permissions")), 4);
    json_decref(out);

    make_coll(f->db, CW_DB_FAMILY_TABLES, "db", "films", NULL, false);
    json_t *q = Q(1, "{\"method\":\"equal\",\"attribute\":\"rowSecurity\",\"values\":[false]}");
    EXPECT_OK(cw_db_collection_list(f->db, CW_DB_FAMILY_TABLES, "db", q, NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    assert_int_equal(json_array_size(json_object_get(out, "tables")), 2);
    json_decref(out);
    json_decref(q);
    EXPECT_OK(cw_db_collection_list(f->db, CW_DB_FAMILY_COLLECTIONS, "db", NULL, "novels", false,
                                    &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 0);
    assert_int_equal(json_array_size(json_object_get(out, "collections")), 1);
    json_decref(out);

    EXPECT_OK(cw_db_collection_delete(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "books", err_));
    EXPECT_ERR(cw_db_collection_delete(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "books", err_),
               CW_ERR_COLLECTION_NOT_FOUND);
    /* The ID is free again, with a new table. */
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "books", NULL, false);
}

/* Attributes of every type ------------------------------------------------------------------- */

static void all_attributes(cw_db_t *db)
{
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"string\",\"key\":\"name\",\"size\":10,\"required\":true}");
    make_attr(
        db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
        "{\"type\":\"varchar\",\"key\":\"code\",\"size\":5,\"required\":false,\"default\":\"ab\"}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"text\",\"key\":\"body\",\"required\":false}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"email\",\"key\":\"mail\",\"required\":false}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"enum\",\"key\":\"kind\",\"elements\":[\"a\",\"b\"],\"required\":false,"
              "\"default\":\"a\"}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"ip\",\"key\":\"ip\",\"required\":false}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"url\",\"key\":\"site\",\"required\":false}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"integer\",\"key\":\"age\",\"required\":false,\"min\":0,\"max\":150}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"float\",\"key\":\"score\",\"required\":false}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"boolean\",\"key\":\"ok\",\"required\":false,\"default\":true}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"datetime\",\"key\":\"when\",\"required\":false}");
    make_attr(
        db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
        "{\"type\":\"string\",\"key\":\"tags\",\"size\":20,\"required\":false,\"array\":true}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"integer\",\"key\":\"nums\",\"required\":false,\"array\":true}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"bigint\",\"key\":\"big\",\"required\":false,\"default\":5}");
}

static void test_attributes(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *s;
    make_db(f->db, "db");
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", NULL, false);
    all_attributes(f->db);

    EXPECT_OK(cw_db_attribute_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "age", &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "type")), "integer");
    assert_int_equal(json_integer_value(json_object_get(out, "max")), 150);
    json_decref(out);
    EXPECT_OK(cw_db_attribute_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "score", &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "type")), "double");
    json_decref(out);
    EXPECT_OK(cw_db_attribute_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "mail", &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "type")), "string");
    assert_string_equal(json_string_value(json_object_get(out, "format")), "email");
    json_decref(out);
    EXPECT_ERR(cw_db_attribute_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "nope", &out, err_),
               CW_ERR_ATTRIBUTE_NOT_FOUND);
    EXPECT_ERR(cw_db_attribute_get(f->db, CW_DB_FAMILY_TABLES, "db", "c", "nope", &out, err_),
               CW_ERR_COLUMN_NOT_FOUND);

    /* Refusals, with the family's types. */
    s = J("{\"type\":\"string\",\"key\":\"NAME\",\"size\":5,\"required\":false}");
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_ATTRIBUTE_ALREADY_EXISTS);
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_TABLES, "db", "c", s, &out, err_),
               CW_ERR_COLUMN_ALREADY_EXISTS);
    json_decref(s);
    s = J("{\"type\":\"string\",\"key\":\"x\",\"size\":5,\"required\":true,\"default\":\"a\"}");
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_ATTRIBUTE_DEFAULT_UNSUPPORTED);
    json_decref(s);
    s = J("{\"type\":\"string\",\"key\":\"x\",\"size\":5,\"array\":true,\"default\":\"a\"}");
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_TABLES, "db", "c", s, &out, err_),
               CW_ERR_COLUMN_DEFAULT_UNSUPPORTED);
    json_decref(s);
    s = J("{\"type\":\"string\",\"key\":\"x\",\"size\":2,\"default\":\"abc\"}");
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_ATTRIBUTE_VALUE_INVALID);
    json_decref(s);
    s = J("{\"type\":\"integer\",\"key\":\"x\",\"min\":5,\"max\":1}");
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_ATTRIBUTE_VALUE_INVALID);
    json_decref(s);
    s = J("{\"type\":\"enum\",\"key\":\"x\",\"elements\":[\"a\"],\"default\":\"z\"}");
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_ATTRIBUTE_VALUE_INVALID);
    json_decref(s);
    s = J("{\"type\":\"email\",\"key\":\"x\",\"default\":\"not-an-email\"}");
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    json_decref(s);
    s = J("{\"type\":\"point\",\"key\":\"x\",\"array\":true}"); /* geometries: test_spatial.c */
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    json_decref(s);
    s = J("{\"type\":\"string\",\"key\":\"x\",\"size\":5}");
    EXPECT_ERR(cw_db_attribute_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "nope", s, &out, err_),
               CW_ERR_COLLECTION_NOT_FOUND);
    json_decref(s);

    /* Lists of attributes take queries and cursors by key. */
    json_t *q = Q(1, "{\"method\":\"equal\",\"attribute\":\"type\",\"values\":[\"integer\"]}");
    EXPECT_OK(
        cw_db_attribute_list(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", q, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    json_decref(out);
    json_decref(q);
    q = Q(2, "{\"method\":\"cursorAfter\",\"values\":[\"ok\"]}",
          "{\"method\":\"limit\",\"values\":[2]}");
    EXPECT_OK(cw_db_attribute_list(f->db, CW_DB_FAMILY_TABLES, "db", "c", q, true, &out, err_));
    assert_int_equal(json_array_size(json_object_get(out, "columns")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(out, "columns"), 0), "key")),
                        "when");
    json_decref(out);
    json_decref(q);

    /* Update: size, default, rename. */
    s = J("{\"type\":\"string\",\"required\":false,\"default\":\"zz\",\"size\":20,\"newKey\":"
          "\"title\"}");
    EXPECT_OK(
        cw_db_attribute_update(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "name", s, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "key")), "title");
    assert_int_equal(json_integer_value(json_object_get(out, "size")), 20);
    json_decref(out);
    json_decref(s);
    s = J("{\"type\":\"integer\",\"required\":false,\"default\":null}");
    EXPECT_ERR(
        cw_db_attribute_update(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "title", s, &out, err_),
        CW_ERR_ATTRIBUTE_TYPE_INVALID);
    json_decref(s);

    EXPECT_OK(cw_db_attribute_delete(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "ip", err_));
    EXPECT_ERR(cw_db_attribute_delete(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "ip", err_),
               CW_ERR_ATTRIBUTE_NOT_FOUND);
    EXPECT_OK(cw_db_collection_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", &out, err_));
    assert_int_equal(json_array_size(json_object_get(out, "attributes")), 13);
    json_decref(out);
}

/* Documents ------------------------------------------------------------------------------------ */

static void expect_invalid(cw_db_t *db, const char *data)
{
    json_t *d = J(data), *out = NULL;
    EXPECT_ERR(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "unique()", d,
                                     NULL, &out, err_),
               CW_ERR_DOCUMENT_INVALID_STRUCTURE);
    EXPECT_ERR(cw_db_document_create(db, CW_DB_FAMILY_TABLES, &KEY, "db", "c", "unique()", d, NULL,
                                     &out, err_),
               CW_ERR_ROW_INVALID_STRUCTURE);
    json_decref(d);
}

static void test_documents(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *d;
    make_db(f->db, "db");
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", NULL, false);
    all_attributes(f->db);

    out = make_doc(f->db, "c", "d1",
                   "{\"name\":\"Ann\",\"mail\":\"ann@example.com\",\"ip\":\"10.0.0.1\","
                   "\"site\":\"https://example.com/x\",\"age\":30,\"score\":1.5,"
                   "\"when\":\"2020-01-01T10:00:00+02:00\",\"tags\":[\"x\",\"y\"],\"nums\":[1,2]}",
                   NULL);
    assert_string_equal(json_string_value(json_object_get(out, "$id")), "d1");
    assert_string_equal(json_string_value(json_object_get(out, "$sequence")), "1");
    assert_string_equal(json_string_value(json_object_get(out, "$collectionId")), "c");
    assert_string_equal(json_string_value(json_object_get(out, "$databaseId")), "db");
    assert_string_equal(json_string_value(json_object_get(out, "when")),
                        "2020-01-01T08:00:00.000+00:00");
    assert_string_equal(json_string_value(json_object_get(out, "code")), "ab"); /* default */
    assert_string_equal(json_string_value(json_object_get(out, "kind")), "a");
    assert_true(json_is_true(json_object_get(out, "ok")));
    assert_true(json_is_null(json_object_get(out, "body")));
    assert_int_equal(json_integer_value(json_object_get(out, "big")), 5);
    assert_int_equal(json_array_size(json_object_get(out, "$permissions")), 0);
    json_decref(out);

    EXPECT_OK(
        cw_db_document_get(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "c", "d1", NULL, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "$tableId")), "c");
    assert_int_equal(json_integer_value(json_object_get(out, "age")), 30);
    assert_true(json_real_value(json_object_get(out, "score")) == 1.5);
    assert_int_equal(json_array_size(json_object_get(out, "tags")), 2);
    json_decref(out);
    json_t *q = Q(1, "{\"method\":\"select\",\"values\":[\"name\"]}");
    EXPECT_OK(
        cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d1", q, &out, err_));
    assert_non_null(json_object_get(out, "name"));
    assert_null(json_object_get(out, "age"));
    assert_non_null(json_object_get(out, "$id"));
    json_decref(out);
    json_decref(q);

    /* Invalid documents. */
    expect_invalid(f->db, "{\"age\":1}");                             /* missing required */
    expect_invalid(f->db, "{\"name\":\"a\",\"nope\":1}");             /* unknown */
    expect_invalid(f->db, "{\"name\":\"a\",\"$foo\":1}");             /* unknown system */
    expect_invalid(f->db, "{\"name\":\"abcdefghijk\"}");              /* too long */
    expect_invalid(f->db, "{\"name\":\"a\",\"age\":151}");            /* range */
    expect_invalid(f->db, "{\"name\":\"a\",\"age\":1.5}");            /* not an integer */
    expect_invalid(f->db, "{\"name\":\"a\",\"mail\":\"nope\"}");      /* email */
    expect_invalid(f->db, "{\"name\":\"a\",\"kind\":\"c\"}");         /* enum */
    expect_invalid(f->db, "{\"name\":\"a\",\"ip\":\"300.1.1.1\"}");   /* ip */
    expect_invalid(f->db, "{\"name\":\"a\",\"site\":\"no url\"}");    /* url */
    expect_invalid(f->db, "{\"name\":\"a\",\"ok\":\"yes\"}");         /* boolean */
    expect_invalid(f->db, "{\"name\":\"a\",\"when\":\"yesterday\"}"); /* datetime */
    expect_invalid(f->db, "{\"name\":\"a\",\"tags\":\"x\"}");         /* not an array */
    expect_invalid(f->db, "{\"name\":\"a\",\"tags\":[\"x\",1]}");     /* element type */
    expect_invalid(f->db, "{\"name\":\"a\",\"score\":\"1\"}");        /* float */

    /* IDs. */
    d = J("{\"name\":\"x\"}");
    EXPECT_ERR(cw_db_document_create(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d1", d,
                                     NULL, &out, err_),
               CW_ERR_DOCUMENT_ALREADY_EXISTS);
    EXPECT_ERR(cw_db_document_create(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "c", "d1", d, NULL,
                                     &out, err_),
               CW_ERR_ROW_ALREADY_EXISTS);
    EXPECT_ERR(cw_db_document_create(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "-bad", d,
                                     NULL, &out, err_),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    EXPECT_OK(cw_db_document_create(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "unique()", d,
                                    NULL, &out, err_));
    assert_int_equal(strlen(json_string_value(json_object_get(out, "$id"))), 20);
    json_decref(out);
    json_decref(d);
    EXPECT_ERR(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "nope", NULL,
                                  &out, err_),
               CW_ERR_DOCUMENT_NOT_FOUND);
    EXPECT_ERR(
        cw_db_document_get(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "c", "nope", NULL, &out, err_),
        CW_ERR_ROW_NOT_FOUND);

    /* API keys may set the dates; read-only keys are dropped. */
    d = J("{\"name\":\"old\",\"$createdAt\":\"2001-02-03T04:05:06.789Z\",\"$sequence\":\"99\","
          "\"$databaseId\":\"zzz\",\"$collectionId\":\"zzz\"}");
    EXPECT_OK(cw_db_document_create(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "old", d,
                                    NULL, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "$createdAt")),
                        "2001-02-03T04:05:06.789+00:00");
    assert_string_equal(json_string_value(json_object_get(out, "$databaseId")), "db");
    assert_string_not_equal(json_string_value(json_object_get(out, "$sequence")), "99");
    json_decref(out);
    json_decref(d);

    /* Update merges; nothing sent is refused; the cache follows. */
    d = J("{\"age\":31,\"tags\":[]}");
    EXPECT_OK(cw_db_document_update(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d1", d, NULL,
                                    &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "age")), 31);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Ann");
    json_decref(out);
    json_decref(d);
    EXPECT_OK(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d1", NULL, &out,
                                 err_));
    assert_int_equal(json_integer_value(json_object_get(out, "age")), 31);
    assert_int_equal(json_array_size(json_object_get(out, "tags")), 0);
    json_decref(out);
    d = J("{}");
    EXPECT_ERR(cw_db_document_update(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d1", d,
                                     NULL, &out, err_),
               CW_ERR_DOCUMENT_MISSING_PAYLOAD);
    json_t *none = J("[]");
    EXPECT_ERR(cw_db_document_update(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "c", "nope", d, none,
                                     &out, err_),
               CW_ERR_ROW_NOT_FOUND);
    json_decref(none);
    json_decref(d);
    d = J("{\"age\":200}");
    EXPECT_ERR(cw_db_document_update(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d1", d,
                                     NULL, &out, err_),
               CW_ERR_DOCUMENT_INVALID_STRUCTURE);
    json_decref(d);

    /* Upsert creates, then updates. */
    d = J("{\"name\":\"Up\"}");
    EXPECT_OK(cw_db_document_upsert(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up", d, NULL,
                                    &out, err_));
    json_decref(out);
    json_decref(d);
    d = J("{\"age\":5}");
    EXPECT_OK(cw_db_document_upsert(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up", d, NULL,
                                    &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Up");
    assert_int_equal(json_integer_value(json_object_get(out, "age")), 5);
    json_decref(out);
    json_decref(d);

    /* Increment and decrement, bounded. */
    EXPECT_OK(cw_db_document_increment(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up",
                                       "age", 2, NULL, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "age")), 7);
    json_decref(out);
    json_t *lim = json_integer(8);
    EXPECT_ERR(cw_db_document_increment(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up",
                                        "age", 2, lim, &out, err_),
               CW_ERR_ATTRIBUTE_LIMIT_EXCEEDED);
    json_decref(lim);
    lim = json_integer(0);
    EXPECT_OK(cw_db_document_increment(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up",
                                       "age", -7, lim, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "age")), 0);
    json_decref(out);
    EXPECT_ERR(cw_db_document_increment(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up",
                                        "age", -1, lim, &out, err_),
               CW_ERR_ATTRIBUTE_LIMIT_EXCEEDED);
    json_decref(lim);
    EXPECT_ERR(cw_db_document_increment(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up",
                                        "name", 1, NULL, &out, err_),
               CW_ERR_ATTRIBUTE_TYPE_INVALID);
    EXPECT_ERR(cw_db_document_increment(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "c", "up", "nope",
                                        1, NULL, &out, err_),
               CW_ERR_COLUMN_NOT_FOUND);

    EXPECT_OK(cw_db_document_delete(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up", err_));
    EXPECT_ERR(cw_db_document_delete(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up", err_),
               CW_ERR_DOCUMENT_NOT_FOUND);
    EXPECT_ERR(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "up", NULL,
                                  &out, err_),
               CW_ERR_DOCUMENT_NOT_FOUND);
}

/* Unique indexes and atomicity ------------------------------------------------------------------
 */

static int64_t count_docs(cw_db_t *db, const char *cid)
{
    json_t *out = NULL;
    EXPECT_OK(
        cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", cid, NULL, true, &out, err_));
    int64_t n = json_integer_value(json_object_get(out, "total"));
    json_decref(out);
    return n;
}

static void test_unique(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *d, *a;
    make_db(f->db, "db");
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", NULL, false);
    make_attr(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"email\",\"key\":\"mail\",\"required\":true}");
    make_attr(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"string\",\"key\":\"team\",\"size\":10,\"required\":false}");
    make_index(f->db, "db", "c", "mail_u", "unique", "[\"mail\"]");
    json_decref(make_doc(f->db, "c", "a", "{\"mail\":\"a@example.com\",\"team\":\"x\"}", NULL));

    d = J("{\"mail\":\"a@example.com\"}");
    EXPECT_ERR(cw_db_document_create(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "b", d, NULL,
                                     &out, err_),
               CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION);
    EXPECT_ERR(cw_db_document_create(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "c", "b", d, NULL,
                                     &out, err_),
               CW_ERR_ROW_UNIQUE_CONSTRAINT_VIOLATION);
    json_decref(d);
    /* Nothing of the failed writes stays. */
    assert_int_equal(count_docs(f->db, "c"), 1);
    EXPECT_ERR(
        cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "b", NULL, &out, err_),
        CW_ERR_DOCUMENT_NOT_FOUND);

    json_decref(make_doc(f->db, "c", "b", "{\"mail\":\"b@example.com\",\"team\":\"x\"}", NULL));
    d = J("{\"mail\":\"a@example.com\"}");
    EXPECT_ERR(cw_db_document_update(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "b", d, NULL,
                                     &out, err_),
               CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION);
    json_decref(d);
    EXPECT_OK(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "b", NULL, &out,
                                 err_));
    assert_string_equal(json_string_value(json_object_get(out, "mail")), "b@example.com");
    json_decref(out);

    /* A unique index over equal values cannot be built: it is recorded as failed, and no SQL
     * index limits later writes. */
    a = J("[\"team\"]");
    EXPECT_OK(cw_db_index_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "team_u", "unique", a,
                                 NULL, NULL, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "status")), "failed");
    assert_true(strlen(json_string_value(json_object_get(out, "error"))) > 0);
    json_decref(out);
    json_decref(make_doc(f->db, "c", "c3", "{\"mail\":\"c@example.com\",\"team\":\"x\"}", NULL));
    EXPECT_ERR(cw_db_index_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "team_u", "key", a,
                                  NULL, NULL, &out, err_),
               CW_ERR_INDEX_ALREADY_EXISTS);
    EXPECT_OK(cw_db_index_delete(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "team_u", err_));
    EXPECT_ERR(cw_db_index_get(f->db, CW_DB_FAMILY_TABLES, "db", "c", "team_u", &out, err_),
               CW_ERR_COLUMN_INDEX_NOT_FOUND);
    json_decref(a);

    /* Index validation. */
    a = J("[\"nope\"]");
    EXPECT_ERR(cw_db_index_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "i1", "key", a, NULL,
                                  NULL, &out, err_),
               CW_ERR_ATTRIBUTE_UNKNOWN);
    EXPECT_ERR(cw_db_index_create(f->db, CW_DB_FAMILY_TABLES, "db", "c", "i1", "key", a, NULL, NULL,
                                  &out, err_),
               CW_ERR_COLUMN_UNKNOWN);
    json_decref(a);
    a = J("[\"mail\",\"mail\"]");
    EXPECT_ERR(cw_db_index_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "i1", "key", a, NULL,
                                  NULL, &out, err_),
               CW_ERR_INDEX_INVALID);
    json_decref(a);
    a = J("[\"mail\"]");
    EXPECT_ERR(cw_db_index_create(f->db, CW_DB_FAMILY_TABLES, "db", "c", "primary", "key", a, NULL,
                                  NULL, &out, err_),
               CW_ERR_COLUMN_INDEX_INVALID);
    json_decref(a);
    a = J("[\"$createdAt\",\"team\"]");
    json_t *orders = J("[\"DESC\"]");
    EXPECT_OK(cw_db_index_create(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "by_time", "key", a,
                                 orders, NULL, &out, err_));
    json_decref(out);
    json_decref(a);
    json_decref(orders);
    EXPECT_OK(cw_db_index_list(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    json_decref(out);
    /* Deleting an attribute drops it from its indexes. */
    EXPECT_OK(cw_db_attribute_delete(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "team", err_));
    EXPECT_OK(cw_db_index_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "by_time", &out, err_));
    assert_int_equal(json_array_size(json_object_get(out, "attributes")), 1);
    json_decref(out);
}

/* A column added to a table that holds rows: existing rows get the default. */
static void test_column_on_rows(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    make_db(f->db, "db");
    make_coll(f->db, CW_DB_FAMILY_TABLES, "db", "t", NULL, false);
    make_attr(f->db, CW_DB_FAMILY_TABLES, "db", "t",
              "{\"type\":\"string\",\"key\":\"name\",\"size\":10,\"required\":false}");
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof(id), "r%d", i);
        json_decref(make_doc(f->db, "t", id, "{\"name\":\"x\"}", NULL));
    }
    make_attr(f->db, CW_DB_FAMILY_TABLES, "db", "t",
              "{\"type\":\"integer\",\"key\":\"stock\",\"required\":false,\"default\":7}");
    make_attr(f->db, CW_DB_FAMILY_TABLES, "db", "t",
              "{\"type\":\"datetime\",\"key\":\"seen\",\"required\":false,"
              "\"default\":\"2021-05-06T07:08:09+01:00\"}");
    EXPECT_OK(
        cw_db_document_get(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", "r1", NULL, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "stock")), 7);
    assert_string_equal(json_string_value(json_object_get(out, "seen")),
                        "2021-05-06T06:08:09.000+00:00");
    json_decref(out);
    json_t *q = Q(1, "{\"method\":\"equal\",\"attribute\":\"stock\",\"values\":[7]}");
    EXPECT_OK(
        cw_db_document_list(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", q, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 3);
    assert_int_equal(json_array_size(json_object_get(out, "rows")), 3);
    json_decref(out);
    json_decref(q);
}

/* Queries -------------------------------------------------------------------------------------- */

static void seed_people(cw_db_t *db)
{
    make_db(db, "db");
    make_coll(db, CW_DB_FAMILY_COLLECTIONS, "db", "p", NULL, false);
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "p",
              "{\"type\":\"string\",\"key\":\"name\",\"size\":50,\"required\":false}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "p",
              "{\"type\":\"integer\",\"key\":\"age\",\"required\":false}");
    make_attr(
        db, CW_DB_FAMILY_COLLECTIONS, "db", "p",
        "{\"type\":\"string\",\"key\":\"tags\",\"size\":20,\"required\":false,\"array\":true}");
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "p",
              "{\"type\":\"datetime\",\"key\":\"born\",\"required\":false}");
    make_index(db, "db", "p", "ft", "fulltext", "[\"name\"]");
    make_index(db, "db", "p", "age_i", "key", "[\"age\"]");
    json_decref(make_doc(db, "p", "ann",
                         "{\"name\":\"Ann Smith\",\"age\":30,\"tags\":[\"a\",\"b\"],"
                         "\"born\":\"1990-01-01\"}",
                         NULL));
    json_decref(make_doc(db, "p", "bob",
                         "{\"name\":\"Bob Stone\",\"age\":25,\"tags\":[\"b\"],"
                         "\"born\":\"1995-06-01\"}",
                         NULL));
    json_decref(
        make_doc(db, "p", "cat", "{\"name\":\"Cat 50%_off\",\"age\":40,\"tags\":[]}", NULL));
    json_decref(make_doc(db, "p", "dan", "{\"name\":\"Dan Smithers\"}", NULL));
    json_decref(
        make_doc(db, "p", "eve", "{\"name\":\"Eve\",\"age\":25,\"tags\":[\"c\",\"a\"]}", NULL));
}

#define F1(m, a, v) "{\"method\":\"" m "\",\"attribute\":\"" a "\",\"values\":" v "}"

static void test_queries(void **state)
{
    fixture_t *f = *state;
    cw_db_t *db = f->db;
    seed_people(db);
    expect_list(db, &KEY, "p", NULL, "ann,bob,cat,dan,eve", 5);
    expect_list(db, &KEY, "p", Q(1, F1("equal", "age", "[25]")), "bob,eve", 2);
    expect_list(db, &KEY, "p", Q(1, F1("equal", "age", "[25,40]")), "bob,cat,eve", 3);
    expect_list(db, &KEY, "p", Q(1, F1("notEqual", "age", "[25]")), "ann,cat", 2);
    expect_list(db, &KEY, "p", Q(1, F1("lessThan", "age", "[30]")), "bob,eve", 2);
    expect_list(db, &KEY, "p", Q(1, F1("lessThanEqual", "age", "[30]")), "ann,bob,eve", 3);
    expect_list(db, &KEY, "p", Q(1, F1("greaterThan", "age", "[30]")), "cat", 1);
    expect_list(db, &KEY, "p", Q(1, F1("greaterThanEqual", "age", "[30]")), "ann,cat", 2);
    expect_list(db, &KEY, "p", Q(1, F1("between", "age", "[26,40]")), "ann,cat", 2);
    expect_list(db, &KEY, "p", Q(1, F1("notBetween", "age", "[26,40]")), "bob,eve", 2);
    expect_list(db, &KEY, "p", Q(1, F1("isNull", "age", "[]")), "dan", 1);
    expect_list(db, &KEY, "p", Q(1, F1("isNotNull", "born", "[]")), "ann,bob", 2);
    expect_list(db, &KEY, "p", Q(1, F1("startsWith", "name", "[\"Dan\"]")), "dan", 1);
    expect_list(db, &KEY, "p", Q(1, F1("notStartsWith", "name", "[\"D\"]")), "ann,bob,cat,eve", 4);
    expect_list(db, &KEY, "p", Q(1, F1("endsWith", "name", "[\"Stone\"]")), "bob", 1);
    expect_list(db, &KEY, "p", Q(1, F1("notEndsWith", "name", "[\"e\"]")), "ann,cat,dan", 3);
    /* LIKE wildcards in values are literal. */
    expect_list(db, &KEY, "p", Q(1, F1("contains", "name", "[\"50%_\"]")), "cat", 1);
    expect_list(db, &KEY, "p", Q(1, F1("contains", "name", "[\"%\"]")), "cat", 1);
    expect_list(db, &KEY, "p", Q(1, F1("contains", "tags", "[\"a\"]")), "ann,eve", 2);
    expect_list(db, &KEY, "p", Q(1, F1("containsAny", "tags", "[\"c\",\"b\"]")), "ann,bob,eve", 3);
    expect_list(db, &KEY, "p", Q(1, F1("containsAll", "tags", "[\"a\",\"b\"]")), "ann", 1);
    expect_list(db, &KEY, "p", Q(1, F1("notContains", "tags", "[\"a\"]")), "bob,cat", 2);
    expect_list(db, &KEY, "p", Q(1, F1("search", "name", "[\"smith\"]")), "ann,dan", 2);
    expect_list(db, &KEY, "p", Q(1, F1("search", "name", "[\"\\\"ann smith\\\"\"]")), "ann", 1);
    expect_list(db, &KEY, "p", Q(1, F1("notSearch", "name", "[\"smith\"]")), "bob,cat,eve", 3);
    expect_list(db, &KEY, "p", Q(1, F1("regex", "name", "[\"^[AB]\"]")), "ann,bob", 2);
    expect_list(db, &KEY, "p", Q(1, F1("lessThan", "born", "[\"1992-01-01T00:00:00+00:00\"]")),
                "ann", 1);
    expect_list(db, &KEY, "p", Q(1, F1("greaterThan", "$createdAt", "[\"2000-01-01\"]")),
                "ann,bob,cat,dan,eve", 5);
    expect_list(db, &KEY, "p", Q(1, F1("equal", "$id", "[\"cat\"]")), "cat", 1);
    expect_list(db, &KEY, "p",
                Q(1, "{\"method\":\"or\",\"values\":[" F1("equal", "age", "[40]") "," F1(
                         "equal", "name", "[\"Eve\"]") "]}"),
                "cat,eve", 2);
    expect_list(db, &KEY, "p",
                Q(1, "{\"method\":\"and\",\"values\":[" F1("equal", "age", "[25]") "," F1(
                         "contains", "tags", "[\"b\"]") "]}"),
                "bob", 1);
    /* Orders, limit, offset; total ignores limit and offset. */
    expect_list(db, &KEY, "p",
                Q(2, "{\"method\":\"orderDesc\",\"attribute\":\"age\"}",
                  "{\"method\":\"limit\",\"values\":[2]}"),
                "cat,ann", 5);
    expect_list(db, &KEY, "p",
                Q(3, "{\"method\":\"orderAsc\",\"attribute\":\"age\"}",
                  "{\"method\":\"limit\",\"values\":[2]}",
                  "{\"method\":\"offset\",\"values\":[1]}"),
                "bob,eve", 5);
    expect_list(db, &KEY, "p", Q(1, "{\"method\":\"orderDesc\"}"), "eve,dan,cat,bob,ann", 5);

    /* Select keeps the system keys and the chosen attributes only. */
    json_t *out = NULL;
    json_t *q =
        Q(2, "{\"method\":\"select\",\"values\":[\"age\"]}", F1("equal", "$id", "[\"ann\"]"));
    EXPECT_OK(
        cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "p", q, false, &out, err_));
    json_t *d0 = json_array_get(json_object_get(out, "documents"), 0);
    assert_int_equal(json_integer_value(json_object_get(d0, "age")), 30);
    assert_null(json_object_get(d0, "name"));
    assert_non_null(json_object_get(d0, "$createdAt"));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 0); /* total=false */
    json_decref(out);
    json_decref(q);

    /* Errors from the query module and the database. */
    q = Q(1, F1("equal", "nope", "[1]"));
    EXPECT_ERR(
        cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "p", q, true, &out, err_),
        CW_ERR_GENERAL_QUERY_INVALID);
    json_decref(q);
    q = Q(1, "{\"method\":\"cursorAfter\",\"values\":[\"ghost\"]}");
    EXPECT_ERR(
        cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "p", q, true, &out, err_),
        CW_ERR_GENERAL_CURSOR_NOT_FOUND);
    json_decref(q);
    q = Q(2, "{\"method\":\"orderAsc\",\"attribute\":\"age\"}",
          "{\"method\":\"cursorAfter\",\"values\":[\"dan\"]}");
    EXPECT_ERR(
        cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "p", q, true, &out, err_),
        CW_ERR_DATABASE_QUERY_ORDER_NULL);
    json_decref(q);
}

static void test_cursors(void **state)
{
    fixture_t *f = *state;
    cw_db_t *db = f->db;
    seed_people(db);
    /* Default order ($sequence): both directions. */
    expect_list(db, &KEY, "p",
                Q(2, "{\"method\":\"cursorAfter\",\"values\":[\"bob\"]}",
                  "{\"method\":\"limit\",\"values\":[2]}"),
                "cat,dan", 5);
    expect_list(db, &KEY, "p",
                Q(2, "{\"method\":\"cursorBefore\",\"values\":[\"dan\"]}",
                  "{\"method\":\"limit\",\"values\":[2]}"),
                "bob,cat", 5);
    /* By a non-unique attribute: ties broken by $sequence, pages neither skip nor repeat. */
    const char *asc = "{\"method\":\"orderAsc\",\"attribute\":\"age\"}";
    const char *ne = F1("isNotNull", "age", "[]");
    expect_list(db, &KEY, "p", Q(3, asc, ne, "{\"method\":\"limit\",\"values\":[2]}"), "bob,eve",
                4);
    expect_list(db, &KEY, "p",
                Q(4, asc, ne, "{\"method\":\"limit\",\"values\":[2]}",
                  "{\"method\":\"cursorAfter\",\"values\":[\"bob\"]}"),
                "eve,ann", 4);
    expect_list(db, &KEY, "p",
                Q(4, asc, ne, "{\"method\":\"limit\",\"values\":[2]}",
                  "{\"method\":\"cursorAfter\",\"values\":[\"ann\"]}"),
                "cat", 4);
    expect_list(db, &KEY, "p",
                Q(4, asc, ne, "{\"method\":\"limit\",\"values\":[2]}",
                  "{\"method\":\"cursorBefore\",\"values\":[\"cat\"]}"),
                "eve,ann", 4);
    expect_list(db, &KEY, "p",
                Q(4, "{\"method\":\"orderDesc\",\"attribute\":\"age\"}", ne,
                  "{\"method\":\"limit\",\"values\":[2]}",
                  "{\"method\":\"cursorAfter\",\"values\":[\"ann\"]}"),
                "bob,eve", 4);
    expect_list(db, &KEY, "p",
                Q(4, "{\"method\":\"orderDesc\",\"attribute\":\"age\"}", ne,
                  "{\"method\":\"limit\",\"values\":[1]}",
                  "{\"method\":\"cursorBefore\",\"values\":[\"bob\"]}"),
                "ann", 4);
}

/* Permissions ------------------------------------------------------------------------------------
 */

static void test_permissions(void **state)
{
    fixture_t *f = *state;
    cw_db_t *db = f->db;
    json_t *out = NULL, *d, *p;
    static const char *const alice_roles[] = {"any", "users", "user:alice", NULL};
    static const char *const bob_roles[] = {"any", "users", "user:bob", NULL};
    static const char *const guest_roles[] = {"any", "guests", NULL};
    const cw_db_actor_t alice = {.roles = alice_roles};
    const cw_db_actor_t bob = {.roles = bob_roles};
    const cw_db_actor_t guest = {.roles = guest_roles};
    make_db(db, "db");
    /* Document security: users may create; each document says who reads it. */
    make_coll(db, CW_DB_FAMILY_COLLECTIONS, "db", "notes", "[\"create(\\\"users\\\")\"]", true);
    make_attr(db, CW_DB_FAMILY_COLLECTIONS, "db", "notes",
              "{\"type\":\"string\",\"key\":\"text\",\"size\":50,\"required\":false}");

    d = J("{\"text\":\"mine\"}");
    EXPECT_OK(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &alice, "db", "notes", "n1", d,
                                    NULL, &out, err_));
    /* No permissions given: the creator gets read, update and delete. */
    assert_int_equal(json_array_size(json_object_get(out, "$permissions")), 3);
    json_decref(out);
    p = J("[\"read(\\\"any\\\")\"]");
    EXPECT_OK(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &alice, "db", "notes", "n2", d, p,
                                    &out, err_));
    json_decref(out);
    json_decref(p);
    EXPECT_OK(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &bob, "db", "notes", "n3", d,
                                    NULL, &out, err_));
    json_decref(out);
    /* Granting a role one does not hold is refused; guests may not create here. */
    p = J("[\"read(\\\"user:bob\\\")\"]");
    EXPECT_ERR(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &alice, "db", "notes", "n4", d,
                                     p, &out, err_),
               CW_ERR_USER_UNAUTHORIZED);
    json_decref(p);
    EXPECT_ERR(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &guest, "db", "notes", "n4", d,
                                     NULL, &out, err_),
               CW_ERR_USER_UNAUTHORIZED);
    json_decref(d);

    /* Lists count only what each may read. */
    expect_list(db, &alice, "notes", NULL, "n1,n2", 2);
    expect_list(db, &bob, "notes", NULL, "n2,n3", 2);
    expect_list(db, &guest, "notes", NULL, "n2", 1);
    expect_list(db, &KEY, "notes", NULL, "n1,n2,n3", 3);
    expect_list(db, &bob, "notes", Q(1, "{\"method\":\"limit\",\"values\":[1]}"), "n2", 2);
    EXPECT_ERR(cw_db_document_get(db, CW_DB_FAMILY_COLLECTIONS, &bob, "db", "notes", "n1", NULL,
                                  &out, err_),
               CW_ERR_DOCUMENT_NOT_FOUND);
    EXPECT_OK(cw_db_document_get(db, CW_DB_FAMILY_COLLECTIONS, &bob, "db", "notes", "n2", NULL,
                                 &out, err_));
    json_decref(out);
    /* Updates and deletes need the document's permission. */
    d = J("{\"text\":\"hacked\"}");
    EXPECT_ERR(cw_db_document_update(db, CW_DB_FAMILY_COLLECTIONS, &bob, "db", "notes", "n1", d,
                                     NULL, &out, err_),
               CW_ERR_USER_UNAUTHORIZED);
    EXPECT_OK(cw_db_document_update(db, CW_DB_FAMILY_COLLECTIONS, &alice, "db", "notes", "n1", d,
                                    NULL, &out, err_));
    json_decref(out);
    json_decref(d);
    EXPECT_ERR(cw_db_document_delete(db, CW_DB_FAMILY_COLLECTIONS, &bob, "db", "notes", "n1", err_),
               CW_ERR_USER_UNAUTHORIZED);
    EXPECT_OK(
        cw_db_document_delete(db, CW_DB_FAMILY_COLLECTIONS, &alice, "db", "notes", "n1", err_));

    /* Without document security only the collection's permissions count. */
    make_coll(db, CW_DB_FAMILY_COLLECTIONS, "db", "open", "[\"read(\\\"any\\\")\"]", false);
    make_coll(db, CW_DB_FAMILY_COLLECTIONS, "db", "closed", "[]", false);
    json_decref(make_doc(db, "open", "o1", "{}", "[]"));
    json_decref(make_doc(db, "closed", "x1", "{}", "[\"read(\\\"any\\\")\"]"));
    expect_list(db, &guest, "open", NULL, "o1", 1);
    EXPECT_ERR(cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &guest, "db", "closed", NULL, true,
                                   &out, err_),
               CW_ERR_USER_UNAUTHORIZED);
    EXPECT_ERR(cw_db_document_get(db, CW_DB_FAMILY_COLLECTIONS, &guest, "db", "closed", "x1", NULL,
                                  &out, err_),
               CW_ERR_DOCUMENT_NOT_FOUND);

    /* A disabled collection is not there for users, still is for keys. */
    EXPECT_OK(cw_db_collection_update(db, CW_DB_FAMILY_COLLECTIONS, "db", "open", "Open", NULL, -1,
                                      0, &out, err_));
    json_decref(out);
    EXPECT_ERR(cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &guest, "db", "open", NULL, true,
                                   &out, err_),
               CW_ERR_COLLECTION_NOT_FOUND);
    expect_list(db, &KEY, "open", NULL, "o1", 1);
}

/* The permission filter picks its plan by how many documents the caller's roles reach (past a
 * thousand it probes each row): both plans give the same answers. */
static void test_permissions_wide(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *items = json_array();
    static const char *const wide_roles[] = {"any", "users", "user:wide", NULL};
    static const char *const narrow_roles[] = {"any", "users", "user:narrow", NULL};
    const cw_db_actor_t wide = {.roles = wide_roles};
    const cw_db_actor_t narrow = {.roles = narrow_roles};
    make_db(f->db, "db");
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "many", "[]", true);
    make_attr(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "many",
              "{\"type\":\"integer\",\"key\":\"n\",\"required\":true}");
    /* 2400 documents: "wide" reads two in three, "narrow" every hundredth. */
    for (int i = 0; i < 2400; i++) {
        char id[16], perm[64];
        snprintf(id, sizeof(id), "d%04d", i);
        snprintf(perm, sizeof(perm), "read(\"user:%s\")",
                 i % 100 == 0 ? "narrow"
                 : i % 3 != 0 ? "wide"
                              : "other");
        json_array_append_new(
            items, json_pack("{s:s,s:i,s:[s]}", "$id", id, "n", i % 7, "$permissions", perm));
        if (json_array_size(items) == 100) {
            EXPECT_OK(cw_db_documents_create(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "many",
                                             items, &out, err_));
            json_decref(out);
            json_array_clear(items);
        }
    }
    json_decref(items);
    json_t *q = Q(2, "{\"method\":\"equal\",\"attribute\":\"n\",\"values\":[3]}",
                  "{\"method\":\"limit\",\"values\":[5]}");
    EXPECT_OK(cw_db_document_list(f->db, CW_DB_FAMILY_COLLECTIONS, &wide, "db", "many", q, true,
                                  &out, err_));
    /* n = 3 holds i = 3, 10, 17, …: 343 of 2400; wide reads those with i % 3 != 0 (and i % 100
     * != 0): count them here the same way. */
    int want = 0, want_narrow = 0;
    for (int i = 0; i < 2400; i++) {
        if (i % 7 == 3 && i % 100 != 0 && i % 3 != 0)
            want++;
        if (i % 7 == 3 && i % 100 == 0)
            want_narrow++;
    }
    assert_int_equal(json_integer_value(json_object_get(out, "total")), want);
    assert_int_equal(json_array_size(json_object_get(out, "documents")), 5);
    json_decref(out);
    EXPECT_OK(cw_db_document_list(f->db, CW_DB_FAMILY_COLLECTIONS, &narrow, "db", "many", q, true,
                                  &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), want_narrow);
    json_decref(out);
    json_decref(q);
    EXPECT_ERR(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &wide, "db", "many", "d0000",
                                  NULL, &out, err_),
               CW_ERR_DOCUMENT_NOT_FOUND);
    EXPECT_OK(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &wide, "db", "many", "d0001",
                                 NULL, &out, err_));
    json_decref(out);
}

/* Two connections to one project: a write through one is seen by the other at once, whatever
 * either had cached. */
static void test_two_connections(void **state)
{
    fixture_t *f = *state;
    cw_db_t *other = NULL;
    json_t *out = NULL, *d;
    make_db(f->db, "db");
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", NULL, false);
    make_attr(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"integer\",\"key\":\"n\",\"required\":false}");
    json_decref(make_doc(f->db, "c", "d", "{\"n\":1}", NULL));
    EXPECT_OK(cw_db_open(f->dir, "proj1", &other, err_));
    EXPECT_OK(cw_db_document_get(other, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d", NULL, &out,
                                 err_));
    json_decref(out);
    EXPECT_OK(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d", NULL, &out,
                                 err_));
    json_decref(out);
    d = J("{\"n\":2}");
    EXPECT_OK(cw_db_document_update(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d", d, NULL,
                                    &out, err_));
    json_decref(out);
    json_decref(d);
    EXPECT_OK(cw_db_document_get(other, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d", NULL, &out,
                                 err_));
    assert_int_equal(json_integer_value(json_object_get(out, "n")), 2);
    json_decref(out);
    /* Schema changes travel too. */
    make_attr(
        f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
        "{\"type\":\"string\",\"key\":\"s\",\"size\":5,\"required\":false,\"default\":\"hi\"}");
    EXPECT_OK(cw_db_document_get(other, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "d", NULL, &out,
                                 err_));
    assert_string_equal(json_string_value(json_object_get(out, "s")), "hi");
    json_decref(out);
    cw_db_close(other);
}

/* Collections of two databases share internal sequences: their schemas, documents and cached
 * documents must never mix. */
static void test_two_databases(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *d;
    make_db(f->db, "db");
    make_db(f->db, "db2");
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", NULL, false);
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db2", "c", NULL, false);
    make_attr(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"integer\",\"key\":\"n\",\"required\":false}");
    make_attr(f->db, CW_DB_FAMILY_COLLECTIONS, "db2", "c",
              "{\"type\":\"string\",\"key\":\"s\",\"size\":5,\"required\":false}");
    EXPECT_OK(cw_db_collection_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db2", "c", &out, err_));
    assert_int_equal(json_array_size(json_object_get(out, "attributes")), 1);
    json_decref(out);
    json_decref(make_doc(f->db, "c", "x", "{\"n\":1}", NULL));
    d = J("{\"s\":\"two\"}");
    EXPECT_OK(cw_db_document_create(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db2", "c", "x", d, NULL,
                                    &out, err_));
    json_decref(out);
    json_decref(d);
    for (int i = 0; i < 2; i++) {
        EXPECT_OK(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "x", NULL,
                                     &out, err_));
        assert_int_equal(json_integer_value(json_object_get(out, "n")), 1);
        json_decref(out);
        EXPECT_OK(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db2", "c", "x", NULL,
                                     &out, err_));
        assert_string_equal(json_string_value(json_object_get(out, "s")), "two");
        assert_string_equal(json_string_value(json_object_get(out, "$databaseId")), "db2");
        json_decref(out);
    }
    EXPECT_OK(
        cw_db_attribute_list(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    json_decref(out);
    EXPECT_OK(cw_db_database_delete(f->db, "db2", err_));
    EXPECT_OK(cw_db_collection_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", &out, err_));
    assert_int_equal(json_array_size(json_object_get(out, "attributes")), 1);
    json_decref(out);
}

/* Bulk forms: all or nothing. */
static void test_bulk(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *items, *q, *d;
    make_db(f->db, "db");
    make_coll(f->db, CW_DB_FAMILY_TABLES, "db", "t", NULL, false);
    make_attr(f->db, CW_DB_FAMILY_TABLES, "db", "t",
              "{\"type\":\"integer\",\"key\":\"n\",\"required\":true}");
    items = J("[{\"$id\":\"a\",\"n\":1},{\"n\":2},{\"$id\":\"unique()\",\"n\":3,"
              "\"$permissions\":[\"read(\\\"any\\\")\"]}]");
    EXPECT_OK(
        cw_db_documents_create(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", items, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 3);
    assert_int_equal(json_array_size(json_object_get(out, "rows")), 3);
    json_decref(out);
    json_decref(items);
    /* One bad item (a taken ID, then a missing required value) and none is written. */
    items = J("[{\"$id\":\"b\",\"n\":4},{\"$id\":\"a\",\"n\":5}]");
    EXPECT_ERR(
        cw_db_documents_create(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", items, &out, err_),
        CW_ERR_ROW_ALREADY_EXISTS);
    json_decref(items);
    items = J("[{\"$id\":\"b\",\"n\":4},{\"$id\":\"c\"}]");
    EXPECT_ERR(
        cw_db_documents_create(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", items, &out, err_),
        CW_ERR_ROW_INVALID_STRUCTURE);
    json_decref(items);
    EXPECT_ERR(
        cw_db_document_get(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", "b", NULL, &out, err_),
        CW_ERR_ROW_NOT_FOUND);
    /* Upsert: one new, one changed. */
    items = J("[{\"$id\":\"a\",\"n\":10},{\"$id\":\"z\",\"n\":26}]");
    EXPECT_OK(
        cw_db_documents_upsert(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", items, &out, err_));
    json_decref(out);
    json_decref(items);
    /* Update what the queries match. */
    q = Q(1, "{\"method\":\"greaterThan\",\"attribute\":\"n\",\"values\":[5]}");
    d = J("{\"n\":7}");
    EXPECT_OK(
        cw_db_documents_update(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", d, q, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    json_decref(out);
    json_decref(d);
    json_decref(q);
    q = Q(1, "{\"method\":\"equal\",\"attribute\":\"n\",\"values\":[7]}");
    EXPECT_OK(
        cw_db_document_list(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", q, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    json_decref(out);
    /* And delete them. */
    EXPECT_OK(cw_db_documents_delete(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", q, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    json_decref(out);
    json_decref(q);
    EXPECT_OK(
        cw_db_document_list(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "t", NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    json_decref(out);
}

/* Keys may hold dots and hyphens: every SQL name built from them stays quoted. */
static void test_odd_keys(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *d;
    make_db(f->db, "db");
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "a.b-c", NULL, false);
    make_attr(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "a.b-c",
              "{\"type\":\"string\",\"key\":\"my.key-1\",\"size\":20,\"required\":false}");
    make_attr(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "a.b-c",
              "{\"type\":\"integer\",\"key\":\"select\",\"required\":false}");
    make_index(f->db, "db", "a.b-c", "i.x-1", "key", "[\"my.key-1\",\"select\"]");
    make_index(f->db, "db", "a.b-c", "f.t", "fulltext", "[\"my.key-1\"]");
    json_decref(
        make_doc(f->db, "a.b-c", "d.1", "{\"my.key-1\":\"hello world\",\"select\":1}", NULL));
    json_decref(make_doc(f->db, "a.b-c", "d-2", "{\"my.key-1\":\"other\",\"select\":2}", NULL));
    expect_list(f->db, &KEY, "a.b-c",
                Q(1, "{\"method\":\"search\",\"attribute\":\"my.key-1\",\"values\":[\"hello\"]}"),
                "d.1", 1);
    expect_list(f->db, &KEY, "a.b-c",
                Q(2, "{\"method\":\"orderDesc\",\"attribute\":\"select\"}",
                  "{\"method\":\"greaterThan\",\"attribute\":\"select\",\"values\":[0]}"),
                "d-2,d.1", 2);
    d = J("{\"type\":\"string\",\"required\":false,\"default\":null,\"newKey\":\"renamed.k\"}");
    EXPECT_OK(cw_db_attribute_update(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "a.b-c", "my.key-1", d,
                                     &out, err_));
    json_decref(out);
    json_decref(d);
    expect_list(f->db, &KEY, "a.b-c",
                Q(1, "{\"method\":\"search\",\"attribute\":\"renamed.k\",\"values\":[\"world\"]}"),
                "d.1", 1);
    EXPECT_OK(
        cw_db_attribute_delete(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "a.b-c", "renamed.k", err_));
    EXPECT_OK(cw_db_collection_get(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "a.b-c", &out, err_));
    /* The fulltext index went with its only attribute; the key index kept "select". */
    assert_int_equal(json_array_size(json_object_get(out, "indexes")), 1);
    json_decref(out);
    EXPECT_OK(cw_db_collection_delete(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "a.b-c", err_));
}

/* Group commit: threads with their own connections share a hub; every write is answered after
 * a shared commit, a failing one (a taken ID) fails alone, and nothing is lost or doubled. */
typedef struct gc_arg {
    const char *dir;
    cw_db_hub_t *hub;
    int thread;
    int ok, failed;
} gc_arg_t;

#define GC_THREADS 6
#define GC_WRITES 40

static void *gc_worker(void *p)
{
    gc_arg_t *a = p;
    cw_db_t *db = NULL;
    cw_db_error_t err = {0};
    if (cw_db_open(a->dir, "proj1", &db, &err) != 0)
        return NULL;
    cw_db_hub_join(db, a->hub);
    for (int i = 0; i < GC_WRITES; i++) {
        char id[32], data[64];
        /* Every fifth write reuses an ID another thread also writes: one of them must fail. */
        if (i % 5 == 0)
            snprintf(id, sizeof(id), "shared%d", i);
        else
            snprintf(id, sizeof(id), "t%d_%d", a->thread, i);
        snprintf(data, sizeof(data), "{\"n\":%d}", i);
        json_t *d = json_loads(data, 0, NULL), *out = NULL;
        if (cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", id, d, NULL, &out,
                                  &err) == 0) {
            a->ok++;
            json_decref(out);
        } else if (err.type == CW_ERR_DOCUMENT_ALREADY_EXISTS) {
            a->failed++;
        }
        json_decref(d);
    }
    /* Updates and increments go through the group as well. */
    json_t *out = NULL;
    char id[32];
    snprintf(id, sizeof(id), "t%d_1", a->thread);
    if (cw_db_document_increment(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", id, "n", 10, NULL,
                                 &out, &err) == 0)
        json_decref(out);
    cw_db_close(db);
    return NULL;
}

static void test_group_commit(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    make_db(f->db, "db");
    make_coll(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", NULL, false);
    make_attr(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c",
              "{\"type\":\"integer\",\"key\":\"n\",\"required\":false}");
    cw_db_hub_t *hub = cw_db_hub_new();
    cw_db_hub_join(f->db, hub);
    pthread_t th[GC_THREADS];
    gc_arg_t args[GC_THREADS];
    for (int i = 0; i < GC_THREADS; i++) {
        args[i] = (gc_arg_t){f->dir, hub, i, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, gc_worker, &args[i]), 0);
    }
    int ok = 0, failed = 0;
    for (int i = 0; i < GC_THREADS; i++) {
        pthread_join(th[i], NULL);
        ok += args[i].ok;
        failed += args[i].failed;
    }
    int shared = GC_WRITES / 5;
    assert_int_equal(ok + failed, GC_THREADS * GC_WRITES);
    assert_int_equal(failed, (GC_THREADS - 1) * shared);
    assert_int_equal(count_docs(f->db, "c"), ok);
    EXPECT_OK(cw_db_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "t3_1", NULL,
                                 &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "n")), 11);
    json_decref(out);
    /* The joined fixture connection writes through the hub too. */
    json_decref(make_doc(f->db, "c", "last", "{\"n\":1}", NULL));
    cw_db_close(f->db);
    f->db = NULL;
    cw_db_hub_free(hub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_databases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_column_on_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permissions_wide, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_databases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
