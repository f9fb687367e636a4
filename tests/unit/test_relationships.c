/* Unit tests for db/relationships through the document database's public API, on SQLite in a
 * scratch folder: the schema of both sides (and the hidden child of one-way relationships), each
 * relationship type with nested creates and updates, onDelete restrict, cascade and setNull from
 * either side, `select` of related documents, filters through relationships, renames, drops,
 * permissions on related documents, atomicity and the population depth. */
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

#include "db/database.h"
#include "db/relationships.h"

typedef struct fixture {
    char dir[64];
    cw_db_t *db;
} fixture_t;

static const char *const key_roles[] = {"any", NULL};
static const cw_db_actor_t KEY = {.is_key = true, .roles = key_roles};
static const char *const user_roles[] = {"any", "users", "user:u1", NULL};
static const cw_db_actor_t USER = {.is_key = false, .roles = user_roles, .user_id = "u1"};

static const cw_db_family_t COLL = CW_DB_FAMILY_COLLECTIONS;
static const cw_db_family_t TABLE = CW_DB_FAMILY_TABLES;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-rel-XXXXXX");
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

static void make_db(cw_db_t *db)
{
    json_t *out = NULL;
    EXPECT_OK(cw_db_database_create(db, "main", "Main", true, "legacy", &out, err_));
    json_decref(out);
}

#define OPEN_PERMS                                                                                 \
    "[\"create(\\\"any\\\")\",\"read(\\\"any\\\")\",\"update(\\\"any\\\")\",\"delete(\\\"any\\\")" \
    "\"]"

static void make_coll(cw_db_t *db, cw_db_family_t fam, const char *id, const char *perms,
                      bool docsec)
{
    json_t *out = NULL, *p = J(perms != NULL ? perms : "[]");
    EXPECT_OK(cw_db_collection_create(db, fam, "main", id, id, p, docsec, true, &out, err_));
    json_decref(out);
    json_decref(p);
}

static void make_str(cw_db_t *db, cw_db_family_t fam, const char *coll, const char *key)
{
    char spec[160];
    snprintf(spec, sizeof(spec), "{\"type\":\"string\",\"key\":\"%s\",\"size\":64}", key);
    json_t *s = J(spec), *out = NULL;
    EXPECT_OK(cw_db_attribute_create(db, fam, "main", coll, s, &out, err_));
    json_decref(out);
    json_decref(s);
}

static json_t *rel_spec(const char *related, const char *type, bool two_way, const char *key,
                        const char *two_way_key, const char *on_delete)
{
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string("relationship"));
    json_object_set_new(s, "relatedCollection", json_string(related));
    json_object_set_new(s, "relationType", json_string(type));
    json_object_set_new(s, "twoWay", json_boolean(two_way));
    json_object_set_new(s, "key", json_string(key));
    json_object_set_new(s, "twoWayKey",
                        two_way_key != NULL ? json_string(two_way_key) : json_null());
    json_object_set_new(s, "onDelete", json_string(on_delete));
    return s;
}

static void make_rel(cw_db_t *db, cw_db_family_t fam, const char *coll, const char *related,
                     const char *type, bool two_way, const char *key, const char *two_way_key,
                     const char *on_delete)
{
    json_t *s = rel_spec(related, type, two_way, key, two_way_key, on_delete), *out = NULL;
    EXPECT_OK(cw_db_attribute_create(db, fam, "main", coll, s, &out, err_));
    json_decref(out);
    json_decref(s);
}

static json_t *create_as(cw_db_t *db, const cw_db_actor_t *actor, const char *coll, const char *id,
                         const char *data)
{
    json_t *d = J(data), *out = NULL;
    EXPECT_OK(cw_db_document_create(db, COLL, actor, "main", coll, id, d, NULL, &out, err_));
    json_decref(d);
    return out;
}

static void create(cw_db_t *db, const char *coll, const char *id, const char *data)
{
    json_decref(create_as(db, &KEY, coll, id, data));
}

static void update(cw_db_t *db, const char *coll, const char *id, const char *data)
{
    json_t *d = J(data), *out = NULL;
    EXPECT_OK(cw_db_document_update(db, COLL, &KEY, "main", coll, id, d, NULL, &out, err_));
    json_decref(out);
    json_decref(d);
}

/* The document's model; queries: NULL or a queries[] parameter (taken). */
static json_t *get(cw_db_t *db, const char *coll, const char *id, json_t *queries)
{
    json_t *out = NULL;
    EXPECT_OK(cw_db_document_get(db, COLL, &KEY, "main", coll, id, queries, &out, err_));
    json_decref(queries);
    return out;
}

static bool exists(cw_db_t *db, const char *coll, const char *id)
{
    json_t *out = NULL;
    cw_db_error_t err = {0};
    int rc = cw_db_document_get(db, COLL, &KEY, "main", coll, id, NULL, &out, &err);
    json_decref(out);
    if (rc != 0)
        assert_int_equal(err.type, CW_ERR_DOCUMENT_NOT_FOUND);
    return rc == 0;
}

static void del(cw_db_t *db, const char *coll, const char *id)
{
    EXPECT_OK(cw_db_document_delete(db, COLL, &KEY, "main", coll, id, err_));
}

/* The IDs of a list's documents, comma-separated, in order. */
static void list_ids(cw_db_t *db, const char *coll, json_t *queries, char *out, size_t size)
{
    json_t *res = NULL;
    EXPECT_OK(cw_db_document_list(db, COLL, &KEY, "main", coll, queries, true, &res, err_));
    json_decref(queries);
    size_t i, o = 0;
    json_t *d;
    out[0] = '\0';
    json_array_foreach(json_object_get(res, "documents"), i, d)
    {
        o += (size_t)snprintf(out + o, size - o, "%s%s", i ? "," : "",
                              json_string_value(json_object_get(d, "$id")));
    }
    json_decref(res);
}

/* The $id values of an array of models, comma-separated. */
static void ids_of(const json_t *arr, char *out, size_t size)
{
    size_t i, o = 0;
    json_t *d;
    out[0] = '\0';
    json_array_foreach(arr, i, d)
    {
        o += (size_t)snprintf(out + o, size - o, "%s%s", i ? "," : "",
                              json_string_value(json_object_get(d, "$id")));
    }
}

static const char *sget(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Schema --------------------------------------------------------------------------------------- */

static void test_schema_two_way(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *s;
    make_db(f->db);
    make_coll(f->db, COLL, "authors", NULL, false);
    make_coll(f->db, COLL, "books", NULL, false);
    make_str(f->db, COLL, "books", "title");
    make_rel(f->db, COLL, "authors", "books", "oneToMany", true, "books", "author", "cascade");

    EXPECT_OK(cw_db_attribute_get(f->db, COLL, "main", "authors", "books", &out, err_));
    assert_string_equal(sget(out, "type"), "relationship");
    assert_string_equal(sget(out, "relatedCollection"), "books");
    assert_string_equal(sget(out, "relationType"), "oneToMany");
    assert_true(json_is_true(json_object_get(out, "twoWay")));
    assert_string_equal(sget(out, "twoWayKey"), "author");
    assert_string_equal(sget(out, "onDelete"), "cascade");
    assert_string_equal(sget(out, "side"), "parent");
    assert_string_equal(sget(out, "status"), "available");
    assert_true(json_is_false(json_object_get(out, "required")));
    json_decref(out);
    EXPECT_OK(cw_db_attribute_get(f->db, COLL, "main", "books", "author", &out, err_));
    assert_string_equal(sget(out, "relatedCollection"), "authors");
    assert_string_equal(sget(out, "twoWayKey"), "books");
    assert_string_equal(sget(out, "side"), "child");
    json_decref(out);
    EXPECT_OK(cw_db_attribute_list(f->db, COLL, "main", "books", NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    json_decref(out);
    EXPECT_OK(cw_db_collection_get(f->db, COLL, "main", "books", &out, err_));
    assert_int_equal(json_array_size(json_object_get(out, "attributes")), 2);
    json_decref(out);

    /* The errors of the route, in Appwrite's order. */
    s = rel_spec("nope", "oneToOne", false, "x", NULL, "restrict");
    EXPECT_ERR(cw_db_attribute_create(f->db, COLL, "main", "authors", s, &out, err_),
               CW_ERR_COLLECTION_NOT_FOUND);
    json_decref(s);
    s = rel_spec("books", "oneToOne", false, "books", "other", "restrict");
    EXPECT_ERR(cw_db_attribute_create(f->db, COLL, "main", "authors", s, &out, err_),
               CW_ERR_ATTRIBUTE_ALREADY_EXISTS);
    json_decref(s);
    s = rel_spec("books", "sideways", false, "x", NULL, "restrict");
    EXPECT_ERR(cw_db_attribute_create(f->db, COLL, "main", "authors", s, &out, err_),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    json_decref(s);
    s = rel_spec("books", "oneToOne", true, "x", "title", "restrict");
    EXPECT_ERR(cw_db_attribute_create(f->db, COLL, "main", "authors", s, &out, err_),
               CW_ERR_ATTRIBUTE_ALREADY_EXISTS);
    json_decref(s);
    make_rel(f->db, COLL, "authors", "books", "manyToMany", false, "favs", "fans", "restrict");
    s = rel_spec("books", "manyToMany", false, "favs2", "fans2", "restrict");
    EXPECT_ERR(cw_db_attribute_create(f->db, COLL, "main", "authors", s, &out, err_),
               CW_ERR_ATTRIBUTE_ALREADY_EXISTS);
    json_decref(s);
    /* Not a relationship: the update route of another type refuses it. */
    s = J("{\"type\":\"relationship\",\"onDelete\":\"restrict\"}");
    EXPECT_ERR(cw_db_attribute_update(f->db, COLL, "main", "books", "title", s, &out, err_),
               CW_ERR_ATTRIBUTE_TYPE_INVALID);
    json_decref(s);

    /* The tables family: its own words and error types. */
    make_coll(f->db, TABLE, "teams", NULL, false);
    make_coll(f->db, TABLE, "players", NULL, false);
    s = rel_spec("teams", "manyToOne", true, "team", "players", "setNull");
    EXPECT_OK(cw_db_attribute_create(f->db, TABLE, "main", "players", s, &out, err_));
    assert_string_equal(sget(out, "relatedTable"), "teams");
    assert_null(json_object_get(out, "relatedCollection"));
    json_decref(out);
    json_decref(s);
    s = rel_spec("nope", "oneToOne", false, "x", NULL, "restrict");
    EXPECT_ERR(cw_db_attribute_create(f->db, TABLE, "main", "players", s, &out, err_),
               CW_ERR_TABLE_NOT_FOUND);
    json_decref(s);
    EXPECT_ERR(cw_db_attribute_get(f->db, TABLE, "main", "players", "nope", &out, err_),
               CW_ERR_COLUMN_NOT_FOUND);
}

static void test_one_way_hidden_child(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *s;
    make_db(f->db);
    make_coll(f->db, COLL, "authors", NULL, false);
    make_coll(f->db, COLL, "books", NULL, false);
    make_str(f->db, COLL, "books", "title");
    make_rel(f->db, COLL, "authors", "books", "oneToMany", false, "books", NULL, "restrict");
    /* The child side is utopia's internal attribute: not in the API's schema... */
    EXPECT_OK(cw_db_attribute_list(f->db, COLL, "main", "books", NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    json_decref(out);
    EXPECT_ERR(cw_db_attribute_get(f->db, COLL, "main", "books", "authors", &out, err_),
               CW_ERR_ATTRIBUTE_NOT_FOUND);
    EXPECT_OK(cw_db_collection_get(f->db, COLL, "main", "books", &out, err_));
    assert_int_equal(json_array_size(json_object_get(out, "attributes")), 1);
    json_decref(out);
    /* ...but its key (the collection's ID by default) is taken. */
    s = J("{\"type\":\"string\",\"key\":\"authors\",\"size\":5}");
    EXPECT_ERR(cw_db_attribute_create(f->db, COLL, "main", "books", s, &out, err_),
               CW_ERR_ATTRIBUTE_ALREADY_EXISTS);
    json_decref(s);

    out =
        create_as(f->db, &KEY, "authors", "a1", "{\"books\":[{\"$id\":\"b1\",\"title\":\"One\"}]}");
    /* Populating everything (a write's answer) takes the one-way child's link out... */
    assert_null(json_object_get(json_array_get(json_object_get(out, "books"), 0), "authors"));
    json_decref(out);
    /* As on Appwrite's SQL adapters, the column holding the link shows on the child. */
    out = get(f->db, "books", "b1", NULL);
    assert_string_equal(sget(out, "authors"), "a1");
    json_decref(out);
    out =
        get(f->db, "authors", "a1", Q(1, "{\"method\":\"select\",\"values\":[\"*\",\"books.*\"]}"));
    json_t *books = json_object_get(out, "books");
    assert_int_equal(json_array_size(books), 1);
    assert_string_equal(sget(json_array_get(books, 0), "title"), "One");
    /* ...while a selection populates only what it names: the column's value stays, as utopia
     * leaves it. */
    assert_string_equal(sget(json_array_get(books, 0), "authors"), "a1");
    json_decref(out);
    /* Restrict holds from the parent even one-way. */
    EXPECT_ERR(cw_db_document_delete(f->db, COLL, &KEY, "main", "authors", "a1", err_),
               CW_ERR_DOCUMENT_DELETE_RESTRICTED);

    /* Deleting the relationship removes the hidden side and its column. */
    EXPECT_OK(cw_db_attribute_delete(f->db, COLL, "main", "authors", "books", err_));
    out = get(f->db, "books", "b1", NULL);
    assert_null(json_object_get(out, "authors"));
    json_decref(out);
    del(f->db, "authors", "a1");
    make_str(f->db, COLL, "books", "authors");
}

/* Documents ---------------------------------------------------------------------------------- */

static void library(cw_db_t *db, const char *on_delete)
{
    make_db(db);
    make_coll(db, COLL, "authors", NULL, false);
    make_coll(db, COLL, "books", NULL, false);
    make_str(db, COLL, "authors", "name");
    make_str(db, COLL, "books", "title");
    make_rel(db, COLL, "authors", "books", "oneToMany", true, "books", "author", on_delete);
}

static void test_one_to_many_nested_and_select(void **state)
{
    fixture_t *f = *state;
    json_t *out, *books, *b;
    char ids[256];
    library(f->db, "restrict");
    out = create_as(f->db, &KEY, "authors", "tolkien",
                    "{\"name\":\"Tolkien\",\"books\":[{\"$id\":\"hobbit\",\"title\":\"The "
                    "Hobbit\"},{\"$id\":\"lotr\",\"title\":\"LOTR\"}]}");
    /* A write answers with its related documents, their back-references left out. */
    books = json_object_get(out, "books");
    ids_of(books, ids, sizeof(ids));
    assert_string_equal(ids, "hobbit,lotr");
    assert_string_equal(sget(json_array_get(books, 0), "title"), "The Hobbit");
    assert_string_equal(sget(json_array_get(books, 0), "$collectionId"), "books");
    assert_null(json_object_get(json_array_get(books, 0), "author"));
    json_decref(out);

    /* Reads without a selection of related documents do not carry them. */
    out = get(f->db, "authors", "tolkien", NULL);
    assert_null(json_object_get(out, "books"));
    json_decref(out);
    out = get(f->db, "books", "hobbit", NULL);
    assert_string_equal(sget(out, "author"), "tolkien");
    json_decref(out);

    out = get(f->db, "authors", "tolkien",
              Q(1, "{\"method\":\"select\",\"values\":[\"name\",\"books.title\"]}"));
    assert_string_equal(sget(out, "name"), "Tolkien");
    books = json_object_get(out, "books");
    assert_int_equal(json_array_size(books), 2);
    b = json_array_get(books, 1);
    assert_string_equal(sget(b, "title"), "LOTR");
    assert_string_equal(sget(b, "$databaseId"), "main");
    assert_non_null(json_object_get(b, "$sequence"));
    assert_null(json_object_get(b, "author"));
    json_decref(out);
    /* Only dotted selections: the document itself comes whole. */
    out = get(f->db, "authors", "tolkien",
              Q(1, "{\"method\":\"select\",\"values\":[\"books.$id\"]}"));
    assert_string_equal(sget(out, "name"), "Tolkien");
    assert_int_equal(json_array_size(json_object_get(out, "books")), 2);
    assert_null(json_object_get(json_array_get(json_object_get(out, "books"), 0), "title"));
    json_decref(out);
    out = get(f->db, "books", "hobbit",
              Q(1, "{\"method\":\"select\",\"values\":[\"*\",\"author.name\"]}"));
    assert_string_equal(sget(json_object_get(out, "author"), "name"), "Tolkien");
    assert_null(json_object_get(json_object_get(out, "author"), "books"));
    json_decref(out);
    /* A selection naming what the related collection lacks. */
    json_t *bad = Q(1, "{\"method\":\"select\",\"values\":[\"author.nope\"]}");
    EXPECT_ERR(cw_db_document_get(f->db, COLL, &KEY, "main", "books", "hobbit", bad, &out, err_),
               CW_ERR_GENERAL_QUERY_INVALID);
    json_decref(bad);

    /* Lists populate the same way. */
    json_t *res = NULL, *q = Q(1, "{\"method\":\"select\",\"values\":[\"title\",\"author.*\"]}");
    EXPECT_OK(cw_db_document_list(f->db, COLL, &KEY, "main", "books", q, true, &res, err_));
    json_decref(q);
    json_t *docs = json_object_get(res, "documents");
    assert_int_equal(json_array_size(docs), 2);
    assert_string_equal(sget(json_object_get(json_array_get(docs, 1), "author"), "name"),
                        "Tolkien");
    json_decref(res);

    /* Linking by ID, from either side. */
    create(f->db, "books", "silmarillion", "{\"title\":\"S\"}");
    create(f->db, "authors", "christopher", "{\"name\":\"C\",\"books\":[\"silmarillion\"]}");
    out = get(f->db, "books", "silmarillion", NULL);
    assert_string_equal(sget(out, "author"), "christopher");
    json_decref(out);
    create(f->db, "books", "unfinished", "{\"title\":\"U\",\"author\":\"christopher\"}");

    /* An update replaces the list: what is left out is unlinked. */
    update(f->db, "authors", "tolkien", "{\"books\":[\"lotr\",{\"$id\":\"new\",\"title\":\"N\"}]}");
    out = get(f->db, "books", "hobbit", NULL);
    assert_true(json_is_null(json_object_get(out, "author")));
    json_decref(out);
    out = get(f->db, "books", "new", NULL);
    assert_string_equal(sget(out, "author"), "tolkien");
    json_decref(out);
    /* An existing document given as an object is updated, and keeps its link. */
    update(f->db, "authors", "tolkien",
           "{\"books\":[{\"$id\":\"lotr\",\"title\":\"The LOTR\"},\"new\"]}");
    out = get(f->db, "books", "lotr", NULL);
    assert_string_equal(sget(out, "title"), "The LOTR");
    assert_string_equal(sget(out, "author"), "tolkien");
    json_decref(out);

    /* Values of the wrong shape. */
    json_t *d = J("{\"books\":\"hobbit\"}");
    EXPECT_ERR(
        cw_db_document_update(f->db, COLL, &KEY, "main", "authors", "tolkien", d, NULL, &out, err_),
        CW_ERR_RELATIONSHIP_VALUE_INVALID);
    json_decref(d);
    d = J("{\"books\":[5]}");
    EXPECT_ERR(
        cw_db_document_create(f->db, COLL, &KEY, "main", "authors", "x", d, NULL, &out, err_),
        CW_ERR_RELATIONSHIP_VALUE_INVALID);
    json_decref(d);
    d = J("{\"author\":[\"tolkien\"]}");
    EXPECT_ERR(cw_db_document_create(f->db, COLL, &KEY, "main", "books", "x", d, NULL, &out, err_),
               CW_ERR_RELATIONSHIP_VALUE_INVALID);
    json_decref(d);
    d = J("{\"books\":[{\"$id\":\"-bad\"}]}");
    EXPECT_ERR(
        cw_db_document_create(f->db, COLL, &KEY, "main", "authors", "x", d, NULL, &out, err_),
        CW_ERR_RELATIONSHIP_VALUE_INVALID);
    json_decref(d);
    assert_false(exists(f->db, "authors", "x"));
    list_ids(f->db, "books", NULL, ids, sizeof(ids));
    assert_string_equal(ids, "hobbit,lotr,silmarillion,unfinished,new");
}

static void test_one_to_many_on_delete(void **state)
{
    fixture_t *f = *state;
    json_t *out, *s;
    library(f->db, "restrict");
    create(f->db, "authors", "a", "{\"books\":[{\"$id\":\"b1\"},{\"$id\":\"b2\"}]}");
    create(f->db, "authors", "lonely", "{\"name\":\"L\"}");
    EXPECT_ERR(cw_db_document_delete(f->db, COLL, &KEY, "main", "authors", "a", err_),
               CW_ERR_DOCUMENT_DELETE_RESTRICTED);
    assert_true(exists(f->db, "books", "b1"));
    del(f->db, "authors", "lonely");
    /* The child side restricts nothing. */
    del(f->db, "books", "b2");

    s = J("{\"type\":\"relationship\",\"onDelete\":\"setNull\"}");
    EXPECT_OK(cw_db_attribute_update(f->db, COLL, "main", "authors", "books", s, &out, err_));
    assert_string_equal(sget(out, "onDelete"), "setNull");
    json_decref(out);
    json_decref(s);
    /* Both sides follow. */
    EXPECT_OK(cw_db_attribute_get(f->db, COLL, "main", "books", "author", &out, err_));
    assert_string_equal(sget(out, "onDelete"), "setNull");
    json_decref(out);
    del(f->db, "authors", "a");
    out =
        get(f->db, "books", "b1", Q(1, "{\"method\":\"select\",\"values\":[\"*\",\"author.*\"]}"));
    assert_true(json_is_null(json_object_get(out, "author")));
    json_decref(out);

    s = J("{\"type\":\"relationship\",\"onDelete\":\"cascade\"}");
    EXPECT_OK(cw_db_attribute_update(f->db, COLL, "main", "books", "author", s, &out, err_));
    json_decref(out);
    json_decref(s);
    create(f->db, "authors", "c", "{\"books\":[\"b1\",{\"$id\":\"b3\"}]}");
    del(f->db, "authors", "c");
    assert_false(exists(f->db, "books", "b1"));
    assert_false(exists(f->db, "books", "b3"));
}

static void test_many_to_one(void **state)
{
    fixture_t *f = *state;
    json_t *out, *s;
    char ids[128];
    make_db(f->db);
    make_coll(f->db, COLL, "teams", NULL, false);
    make_coll(f->db, COLL, "players", NULL, false);
    make_str(f->db, COLL, "teams", "name");
    make_str(f->db, COLL, "players", "name");
    make_rel(f->db, COLL, "players", "teams", "manyToOne", true, "team", "players", "restrict");
    create(f->db, "teams", "reds", "{\"name\":\"Reds\"}");
    create(f->db, "players", "ann", "{\"name\":\"Ann\",\"team\":\"reds\"}");
    create(f->db, "players", "bo",
           "{\"name\":\"Bo\",\"team\":{\"$id\":\"blues\",\"name\":\"Blues\"}}");
    out = get(f->db, "teams", "reds",
              Q(1, "{\"method\":\"select\",\"values\":[\"*\",\"players.name\"]}"));
    ids_of(json_object_get(out, "players"), ids, sizeof(ids));
    assert_string_equal(ids, "ann");
    json_decref(out);
    /* The parent's side is one document. */
    out = get(f->db, "players", "bo", Q(1, "{\"method\":\"select\",\"values\":[\"team.name\"]}"));
    assert_string_equal(sget(json_object_get(out, "team"), "name"), "Blues");
    assert_null(json_object_get(out, "name"));
    json_decref(out);

    /* Restrict from the child side: a team players point at stays. */
    EXPECT_ERR(cw_db_document_delete(f->db, COLL, &KEY, "main", "teams", "reds", err_),
               CW_ERR_DOCUMENT_DELETE_RESTRICTED);
    /* Linking from the child side by ID, and unlinking by leaving out. */
    update(f->db, "teams", "blues", "{\"players\":[\"bo\",\"ann\"]}");
    out = get(f->db, "players", "ann", NULL);
    assert_string_equal(sget(out, "team"), "blues");
    json_decref(out);
    update(f->db, "teams", "blues", "{\"players\":[\"ann\"]}");
    out = get(f->db, "players", "bo", NULL);
    assert_true(json_is_null(json_object_get(out, "team")));
    json_decref(out);
    del(f->db, "teams", "reds");

    s = J("{\"type\":\"relationship\",\"onDelete\":\"setNull\"}");
    EXPECT_OK(cw_db_attribute_update(f->db, COLL, "main", "players", "team", s, &out, err_));
    json_decref(out);
    json_decref(s);
    del(f->db, "teams", "blues");
    out = get(f->db, "players", "ann", NULL);
    assert_true(json_is_null(json_object_get(out, "team")));
    json_decref(out);

    s = J("{\"type\":\"relationship\",\"onDelete\":\"cascade\"}");
    EXPECT_OK(cw_db_attribute_update(f->db, COLL, "main", "players", "team", s, &out, err_));
    json_decref(out);
    json_decref(s);
    create(f->db, "teams", "greens", "{\"players\":[\"ann\",\"bo\"]}");
    del(f->db, "teams", "greens");
    assert_false(exists(f->db, "players", "ann"));
    assert_false(exists(f->db, "players", "bo"));

    /* A link to a document that is not there: kept on create, as utopia does; cleared on
     * update. */
    create(f->db, "players", "cy", "{\"team\":\"ghost\"}");
    out = get(f->db, "players", "cy", NULL);
    assert_string_equal(sget(out, "team"), "ghost");
    json_decref(out);
    update(f->db, "players", "cy", "{\"team\":\"ghost2\"}");
    out = get(f->db, "players", "cy", NULL);
    assert_true(json_is_null(json_object_get(out, "team")));
    json_decref(out);

    /* One-way: restrict still guards the parent's targets. */
    make_coll(f->db, COLL, "leagues", NULL, false);
    make_rel(f->db, COLL, "players", "leagues", "manyToOne", false, "league", NULL, "restrict");
    create(f->db, "leagues", "l1", "{}");
    update(f->db, "players", "cy", "{\"league\":\"l1\"}");
    EXPECT_ERR(cw_db_document_delete(f->db, COLL, &KEY, "main", "leagues", "l1", err_),
               CW_ERR_DOCUMENT_DELETE_RESTRICTED);
}

static void test_one_to_one(void **state)
{
    fixture_t *f = *state;
    json_t *out, *d;
    char ids[64];
    make_db(f->db);
    make_coll(f->db, COLL, "persons", NULL, false);
    make_coll(f->db, COLL, "libraries", NULL, false);
    make_str(f->db, COLL, "libraries", "name");
    make_rel(f->db, COLL, "persons", "libraries", "oneToOne", true, "library", "person", "cascade");
    out = create_as(f->db, &KEY, "persons", "p1", "{\"library\":{\"$id\":\"l1\",\"name\":\"L1\"}}");
    assert_string_equal(sget(json_object_get(out, "library"), "name"), "L1");
    json_decref(out);
    out = get(f->db, "libraries", "l1", NULL);
    assert_string_equal(sget(out, "person"), "p1");
    json_decref(out);
    /* One each: a second parent cannot take the same child. */
    d = J("{\"library\":\"l1\"}");
    EXPECT_ERR(
        cw_db_document_create(f->db, COLL, &KEY, "main", "persons", "p2", d, NULL, &out, err_),
        CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION);
    json_decref(d);
    out = get(f->db, "libraries", "l1", NULL);
    assert_string_equal(sget(out, "person"), "p1");
    json_decref(out);

    /* Moving the link frees the old child. */
    create(f->db, "libraries", "l2", "{\"name\":\"L2\"}");
    update(f->db, "persons", "p1", "{\"library\":\"l2\"}");
    out = get(f->db, "libraries", "l1", NULL);
    assert_true(json_is_null(json_object_get(out, "person")));
    json_decref(out);
    out = get(f->db, "libraries", "l2", NULL);
    assert_string_equal(sget(out, "person"), "p1");
    json_decref(out);

    /* Filters through the relationship. */
    list_ids(f->db, "persons",
             Q(1, "{\"method\":\"equal\",\"attribute\":\"library.name\",\"values\":[\"L2\"]}"), ids,
             sizeof(ids));
    assert_string_equal(ids, "p1");
    list_ids(f->db, "libraries",
             Q(1, "{\"method\":\"equal\",\"attribute\":\"person.$id\",\"values\":[\"p1\"]}"), ids,
             sizeof(ids));
    assert_string_equal(ids, "l2");
    list_ids(f->db, "persons",
             Q(1, "{\"method\":\"equal\",\"attribute\":\"library.name\",\"values\":[\"L1\"]}"), ids,
             sizeof(ids));
    assert_string_equal(ids, "");
    list_ids(f->db, "persons",
             Q(1, "{\"method\":\"equal\",\"attribute\":\"library\",\"values\":[\"l2\"]}"), ids,
             sizeof(ids));
    assert_string_equal(ids, "p1");

    /* null unlinks both sides. */
    update(f->db, "persons", "p1", "{\"library\":null}");
    out = get(f->db, "libraries", "l2", NULL);
    assert_true(json_is_null(json_object_get(out, "person")));
    json_decref(out);

    /* Cascade works from the child side too. */
    update(f->db, "persons", "p1", "{\"library\":\"l2\"}");
    del(f->db, "libraries", "l2");
    assert_false(exists(f->db, "persons", "p1"));
    /* And from the parent side. */
    create(f->db, "persons", "p3", "{\"library\":{\"$id\":\"l3\"}}");
    del(f->db, "persons", "p3");
    assert_false(exists(f->db, "libraries", "l3"));

    /* One-way: the child side takes no value. */
    make_coll(f->db, COLL, "cards", NULL, false);
    make_rel(f->db, COLL, "persons", "cards", "oneToOne", false, "card", "holder", "setNull");
    create(f->db, "persons", "p4", "{\"card\":{\"$id\":\"c4\"}}");
    d = J("{\"holder\":\"p4\"}");
    EXPECT_ERR(cw_db_document_create(f->db, COLL, &KEY, "main", "cards", "c5", d, NULL, &out, err_),
               CW_ERR_RELATIONSHIP_VALUE_INVALID);
    json_decref(d);
    /* setNull from the one-way child clears the parent's column. */
    del(f->db, "cards", "c4");
    out = get(f->db, "persons", "p4", NULL);
    assert_true(json_is_null(json_object_get(out, "card")));
    json_decref(out);
}

static void test_many_to_many(void **state)
{
    fixture_t *f = *state;
    json_t *out, *s;
    char ids[128];
    make_db(f->db);
    make_coll(f->db, COLL, "sports", NULL, false);
    make_coll(f->db, COLL, "players", NULL, false);
    make_str(f->db, COLL, "sports", "name");
    make_str(f->db, COLL, "players", "name");
    make_rel(f->db, COLL, "sports", "players", "manyToMany", true, "players", "sports", "setNull");
    create(
        f->db, "sports", "s1",
        "{\"name\":\"S1\",\"players\":[{\"$id\":\"x1\",\"name\":\"X1\"},{\"$id\":\"x2\",\"name\":"
        "\"X2\"}]}");
    create(f->db, "sports", "s2", "{\"name\":\"S2\",\"players\":[\"x1\"]}");
    out = get(f->db, "players", "x1",
              Q(1, "{\"method\":\"select\",\"values\":[\"*\",\"sports.name\"]}"));
    ids_of(json_object_get(out, "sports"), ids, sizeof(ids));
    assert_string_equal(ids, "s1,s2");
    assert_string_equal(sget(json_array_get(json_object_get(out, "sports"), 1), "name"), "S2");
    json_decref(out);
    /* No column on either side. */
    out = get(f->db, "sports", "s1", NULL);
    assert_null(json_object_get(out, "players"));
    json_decref(out);

    update(f->db, "sports", "s1", "{\"players\":[\"x2\"]}");
    out = get(f->db, "players", "x1", Q(1, "{\"method\":\"select\",\"values\":[\"sports.$id\"]}"));
    ids_of(json_object_get(out, "sports"), ids, sizeof(ids));
    assert_string_equal(ids, "s2");
    json_decref(out);
    /* From the child side. */
    update(f->db, "players", "x2", "{\"sports\":[\"s1\",\"s2\"]}");
    out = get(f->db, "sports", "s2", Q(1, "{\"method\":\"select\",\"values\":[\"players.$id\"]}"));
    ids_of(json_object_get(out, "players"), ids, sizeof(ids));
    assert_string_equal(ids, "x1,x2");
    json_decref(out);

    list_ids(f->db, "sports",
             Q(1, "{\"method\":\"equal\",\"attribute\":\"players.name\",\"values\":[\"X1\"]}"), ids,
             sizeof(ids));
    assert_string_equal(ids, "s2");
    list_ids(f->db, "players",
             Q(1, "{\"method\":\"containsAll\",\"attribute\":\"sports.name\",\"values\":[\"S1\","
                  "\"S2\"]}"),
             ids, sizeof(ids));
    assert_string_equal(ids, "x2");

    /* setNull: the links go, the documents stay. */
    del(f->db, "sports", "s2");
    out = get(f->db, "players", "x1", Q(1, "{\"method\":\"select\",\"values\":[\"sports.$id\"]}"));
    assert_int_equal(json_array_size(json_object_get(out, "sports")), 0);
    json_decref(out);

    s = J("{\"type\":\"relationship\",\"onDelete\":\"restrict\"}");
    EXPECT_OK(cw_db_attribute_update(f->db, COLL, "main", "sports", "players", s, &out, err_));
    json_decref(out);
    json_decref(s);
    EXPECT_ERR(cw_db_document_delete(f->db, COLL, &KEY, "main", "sports", "s1", err_),
               CW_ERR_DOCUMENT_DELETE_RESTRICTED);
    /* The child side restricts nothing; a link to a document gone no longer counts. */
    del(f->db, "players", "x2");
    del(f->db, "sports", "s1");

    s = J("{\"type\":\"relationship\",\"onDelete\":\"cascade\"}");
    EXPECT_OK(cw_db_attribute_update(f->db, COLL, "main", "sports", "players", s, &out, err_));
    json_decref(out);
    json_decref(s);
    create(f->db, "sports", "s3", "{\"players\":[\"x1\",{\"$id\":\"x3\"}]}");
    del(f->db, "sports", "s3");
    assert_false(exists(f->db, "players", "x1"));
    assert_false(exists(f->db, "players", "x3"));

    /* Deleting the relationship removes both sides and the junction; it can be made again, with
     * none of the old links. */
    create(f->db, "sports", "s5", "{\"players\":[{\"$id\":\"x5\"}]}");
    EXPECT_OK(cw_db_attribute_delete(f->db, COLL, "main", "players", "sports", err_));
    EXPECT_ERR(cw_db_attribute_get(f->db, COLL, "main", "sports", "players", &out, err_),
               CW_ERR_ATTRIBUTE_NOT_FOUND);
    make_rel(f->db, COLL, "sports", "players", "manyToMany", true, "players", "sports", "setNull");
    create(f->db, "sports", "s4", "{\"players\":[{\"$id\":\"x4\"}]}");
    out = get(f->db, "players", "x4", Q(1, "{\"method\":\"select\",\"values\":[\"sports.$id\"]}"));
    ids_of(json_object_get(out, "sports"), ids, sizeof(ids));
    assert_string_equal(ids, "s4");
    json_decref(out);
    out = get(f->db, "players", "x5", Q(1, "{\"method\":\"select\",\"values\":[\"sports.$id\"]}"));
    assert_int_equal(json_array_size(json_object_get(out, "sports")), 0);
    json_decref(out);
}

static void test_filters(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    char ids[128];
    library(f->db, "restrict");
    create(f->db, "authors", "a1",
           "{\"name\":\"One\",\"books\":[{\"$id\":\"b1\",\"title\":\"A\"},{\"$id\":\"b2\","
           "\"title\":\"B\"}]}");
    create(f->db, "authors", "a2",
           "{\"name\":\"Two\",\"books\":[{\"$id\":\"b3\",\"title\":\"A\"}]}");
    list_ids(f->db, "authors",
             Q(1, "{\"method\":\"equal\",\"attribute\":\"books.title\",\"values\":[\"A\"]}"), ids,
             sizeof(ids));
    assert_string_equal(ids, "a1,a2");
    list_ids(f->db, "authors",
             Q(2, "{\"method\":\"equal\",\"attribute\":\"books.title\",\"values\":[\"A\"]}",
               "{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[\"Two\"]}"),
             ids, sizeof(ids));
    assert_string_equal(ids, "a2");
    list_ids(f->db, "authors",
             Q(1, "{\"method\":\"containsAll\",\"attribute\":\"books.title\",\"values\":[\"A\","
                  "\"B\"]}"),
             ids, sizeof(ids));
    assert_string_equal(ids, "a1");
    list_ids(f->db, "books",
             Q(1, "{\"method\":\"startsWith\",\"attribute\":\"author.name\",\"values\":[\"Tw\"]}"),
             ids, sizeof(ids));
    assert_string_equal(ids, "b3");
    list_ids(f->db, "books",
             Q(1, "{\"method\":\"equal\",\"attribute\":\"author.name\",\"values\":[\"None\"]}"),
             ids, sizeof(ids));
    assert_string_equal(ids, "");
    /* Two paths deep. */
    list_ids(f->db, "books",
             Q(1, "{\"method\":\"equal\",\"attribute\":\"author.books.$id\",\"values\":[\"b2\"]}"),
             ids, sizeof(ids));
    assert_string_equal(ids, "b1,b2");
    json_t *q = Q(2, "{\"method\":\"equal\",\"attribute\":\"books.title\",\"values\":[\"A\"]}",
                  "{\"method\":\"equal\",\"attribute\":\"books.title\",\"values\":[\"B\"]}");
    EXPECT_ERR(cw_db_document_list(f->db, COLL, &KEY, "main", "authors", q, true, &out, err_),
               CW_ERR_GENERAL_QUERY_INVALID);
    json_decref(q);
    q = Q(1, "{\"method\":\"equal\",\"attribute\":\"books.nope\",\"values\":[\"A\"]}");
    EXPECT_ERR(cw_db_document_list(f->db, COLL, &KEY, "main", "authors", q, true, &out, err_),
               CW_ERR_GENERAL_QUERY_INVALID);
    json_decref(q);
    q = Q(1,
          "{\"method\":\"or\",\"values\":[{\"method\":\"equal\",\"attribute\":\"books.title\","
          "\"values\":[\"A\"]},{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[\"x\"]}]}");
    EXPECT_ERR(cw_db_document_list(f->db, COLL, &KEY, "main", "authors", q, true, &out, err_),
               CW_ERR_GENERAL_QUERY_INVALID);
    json_decref(q);
    /* The list side stores nothing to compare directly. */
    q = Q(1, "{\"method\":\"equal\",\"attribute\":\"books\",\"values\":[\"b1\"]}");
    EXPECT_ERR(cw_db_document_list(f->db, COLL, &KEY, "main", "authors", q, true, &out, err_),
               CW_ERR_GENERAL_QUERY_INVALID);
    json_decref(q);
}

static void test_rename_and_drop(void **state)
{
    fixture_t *f = *state;
    json_t *out, *s;
    make_db(f->db);
    make_coll(f->db, COLL, "teams", NULL, false);
    make_coll(f->db, COLL, "players", NULL, false);
    make_str(f->db, COLL, "teams", "name");
    make_rel(f->db, COLL, "players", "teams", "manyToOne", true, "team", "players", "restrict");
    create(f->db, "players", "ann", "{\"team\":{\"$id\":\"reds\",\"name\":\"Reds\"}}");
    s = J("{\"type\":\"relationship\",\"newKey\":\"club\",\"onDelete\":null}");
    EXPECT_OK(cw_db_attribute_update(f->db, COLL, "main", "players", "team", s, &out, err_));
    assert_string_equal(sget(out, "key"), "club");
    assert_string_equal(sget(out, "onDelete"), "restrict");
    json_decref(out);
    json_decref(s);
    EXPECT_OK(cw_db_attribute_get(f->db, COLL, "main", "teams", "players", &out, err_));
    assert_string_equal(sget(out, "twoWayKey"), "club");
    json_decref(out);
    out = get(f->db, "players", "ann", Q(1, "{\"method\":\"select\",\"values\":[\"club.name\"]}"));
    assert_string_equal(sget(json_object_get(out, "club"), "name"), "Reds");
    json_decref(out);
    EXPECT_ERR(cw_db_document_delete(f->db, COLL, &KEY, "main", "teams", "reds", err_),
               CW_ERR_DOCUMENT_DELETE_RESTRICTED);
    s = J("{\"type\":\"relationship\",\"newKey\":\"club\"}");
    EXPECT_ERR(cw_db_attribute_update(f->db, COLL, "main", "teams", "name", s, &out, err_),
               CW_ERR_ATTRIBUTE_TYPE_INVALID);
    json_decref(s);
    s = J("{\"type\":\"relationship\",\"newKey\":\"name\"}");
    EXPECT_ERR(cw_db_attribute_update(f->db, COLL, "main", "teams", "players", s, &out, err_),
               CW_ERR_ATTRIBUTE_ALREADY_EXISTS);
    json_decref(s);

    /* A collection that goes takes its relationships along, both sides. */
    EXPECT_OK(cw_db_collection_delete(f->db, COLL, "main", "teams", err_));
    EXPECT_ERR(cw_db_attribute_get(f->db, COLL, "main", "players", "club", &out, err_),
               CW_ERR_ATTRIBUTE_NOT_FOUND);
    out = get(f->db, "players", "ann", NULL);
    assert_null(json_object_get(out, "club"));
    json_decref(out);

    /* A database that goes takes its junction tables along. */
    make_coll(f->db, COLL, "tags", NULL, false);
    make_rel(f->db, COLL, "players", "tags", "manyToMany", false, "tags", NULL, "setNull");
    update(f->db, "players", "ann", "{\"tags\":[{\"$id\":\"t1\"}]}");
    EXPECT_OK(cw_db_database_delete(f->db, "main", err_));
    make_db(f->db);
    make_coll(f->db, COLL, "players", NULL, false);
    make_coll(f->db, COLL, "tags", NULL, false);
    make_rel(f->db, COLL, "players", "tags", "manyToMany", false, "tags", NULL, "setNull");
}

static void test_permissions(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *d;
    make_db(f->db);
    make_coll(f->db, COLL, "parents", OPEN_PERMS, false);
    make_coll(f->db, COLL, "kids", "[\"read(\\\"any\\\")\"]", false);
    make_str(f->db, COLL, "kids", "name");
    make_rel(f->db, COLL, "parents", "kids", "oneToMany", true, "kids", "parent", "cascade");
    /* A nested create needs create on the related collection; nothing is left behind. */
    d = J("{\"kids\":[{\"$id\":\"k1\"}]}");
    EXPECT_ERR(
        cw_db_document_create(f->db, COLL, &USER, "main", "parents", "p1", d, NULL, &out, err_),
        CW_ERR_USER_UNAUTHORIZED);
    json_decref(d);
    assert_false(exists(f->db, "parents", "p1"));
    json_t *p = J("[\"create(\\\"users\\\")\",\"read(\\\"any\\\")\"]");
    EXPECT_OK(cw_db_collection_update(f->db, COLL, "main", "kids", "kids", p, -1, -1, &out, err_));
    json_decref(out);
    json_decref(p);
    out = create_as(f->db, &USER, "parents", "p1", "{\"kids\":[{\"$id\":\"k1\",\"name\":\"K\"}]}");
    json_decref(out);
    /* A nested document without permissions takes its parent's. */
    out = get(f->db, "kids", "k1", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "$permissions")), 3);
    json_decref(out);
    /* Cascade deletes need delete on the related documents. */
    EXPECT_ERR(cw_db_document_delete(f->db, COLL, &USER, "main", "parents", "p1", err_),
               CW_ERR_USER_UNAUTHORIZED);
    assert_true(exists(f->db, "parents", "p1"));
    /* Reading related documents needs read on their collection... */
    p = J("[]");
    EXPECT_OK(cw_db_collection_update(f->db, COLL, "main", "kids", "kids", p, -1, -1, &out, err_));
    json_decref(out);
    json_decref(p);
    json_t *q = Q(1, "{\"method\":\"select\",\"values\":[\"*\",\"kids.*\"]}");
    EXPECT_ERR(cw_db_document_get(f->db, COLL, &USER, "main", "parents", "p1", q, &out, err_),
               CW_ERR_USER_UNAUTHORIZED);
    json_decref(q);
    /* ...or, with document security, on each document: the others are left out. */
    EXPECT_OK(
        cw_db_collection_update(f->db, COLL, "main", "kids", "kids", NULL, 1, -1, &out, err_));
    json_decref(out);
    create(f->db, "kids", "k2", "{\"parent\":\"p1\"}");
    q = Q(1, "{\"method\":\"select\",\"values\":[\"*\",\"kids.*\"]}");
    EXPECT_OK(cw_db_document_get(f->db, COLL, &USER, "main", "parents", "p1", q, &out, err_));
    json_decref(q);
    char ids[64];
    ids_of(json_object_get(out, "kids"), ids, sizeof(ids));
    assert_string_equal(ids, "k1");
    json_decref(out);
    /* Filters see what the actor may read. */
    q = Q(1, "{\"method\":\"equal\",\"attribute\":\"kids.$id\",\"values\":[\"k2\"]}");
    EXPECT_OK(cw_db_document_list(f->db, COLL, &USER, "main", "parents", q, true, &out, err_));
    assert_int_equal(json_array_size(json_object_get(out, "documents")), 0);
    json_decref(out);
    json_decref(q);
}

static void test_atomic(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *d;
    char ids[64];
    library(f->db, "restrict");
    d = J("{\"name\":\"A\",\"books\":[{\"$id\":\"b1\",\"title\":\"ok\"},{\"$id\":\"b2\","
          "\"nope\":1}]}");
    EXPECT_ERR(
        cw_db_document_create(f->db, COLL, &KEY, "main", "authors", "a1", d, NULL, &out, err_),
        CW_ERR_DOCUMENT_INVALID_STRUCTURE);
    json_decref(d);
    assert_false(exists(f->db, "authors", "a1"));
    list_ids(f->db, "books", NULL, ids, sizeof(ids));
    assert_string_equal(ids, "");
    /* A cascade that fails half way leaves everything as it was. */
    create(f->db, "authors", "a2", "{\"books\":[{\"$id\":\"b3\"}]}");
    d = J("{\"type\":\"relationship\",\"onDelete\":\"cascade\"}");
    EXPECT_OK(cw_db_attribute_update(f->db, COLL, "main", "authors", "books", d, &out, err_));
    json_decref(out);
    json_decref(d);
    make_coll(f->db, COLL, "shelves", NULL, false);
    make_rel(f->db, COLL, "books", "shelves", "oneToOne", false, "shelf", NULL, "restrict");
    update(f->db, "books", "b3", "{\"shelf\":{\"$id\":\"s1\"}}");
    EXPECT_ERR(cw_db_document_delete(f->db, COLL, &KEY, "main", "authors", "a2", err_),
               CW_ERR_DOCUMENT_DELETE_RESTRICTED);
    assert_true(exists(f->db, "authors", "a2"));
    assert_true(exists(f->db, "books", "b3"));
}

static void test_depth(void **state)
{
    fixture_t *f = *state;
    json_t *out, *b, *c;
    make_db(f->db);
    const char *names[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) {
        make_coll(f->db, COLL, names[i], NULL, false);
        make_str(f->db, COLL, names[i], "name");
    }
    make_rel(f->db, COLL, "a", "b", "manyToOne", false, "b", NULL, "setNull");
    make_rel(f->db, COLL, "b", "c", "manyToOne", false, "c", NULL, "setNull");
    make_rel(f->db, COLL, "c", "d", "manyToOne", false, "d", NULL, "setNull");
    /* Writes nest two levels; past them only the way back is followed. */
    out = create_as(f->db, &KEY, "a", "a1",
                    "{\"b\":{\"$id\":\"b1\",\"c\":{\"$id\":\"c1\",\"d\":{\"$id\":\"d1\"}}}}");
    b = json_object_get(out, "b");
    c = json_object_get(b, "c");
    assert_string_equal(sget(c, "$id"), "c1");
    /* Reads stop at the third level: its relationships are taken out. */
    assert_null(json_object_get(c, "d"));
    json_decref(out);
    assert_false(exists(f->db, "d", "d1"));
    create(f->db, "d", "d2", "{}");
    update(f->db, "c", "c1", "{\"d\":\"d2\"}");
    out = get(f->db, "a", "a1",
              Q(1, "{\"method\":\"select\",\"values\":[\"b.c.d.name\",\"b.c.name\",\"b.name\"]}"));
    c = json_object_get(json_object_get(out, "b"), "c");
    assert_non_null(c);
    assert_null(json_object_get(c, "d"));
    json_decref(out);
    out = get(f->db, "b", "b1", Q(1, "{\"method\":\"select\",\"values\":[\"c.d.$id\"]}"));
    assert_string_equal(sget(json_object_get(json_object_get(out, "c"), "d"), "$id"), "d2");
    json_decref(out);
}

static void test_self_relationship(void **state)
{
    fixture_t *f = *state;
    json_t *out;
    char ids[64];
    make_db(f->db);
    make_coll(f->db, COLL, "people", NULL, false);
    make_rel(f->db, COLL, "people", "people", "manyToOne", true, "boss", "reports", "cascade");
    make_rel(f->db, COLL, "people", "people", "manyToMany", false, "friends", "friendOf",
             "setNull");
    create(f->db, "people", "ceo", "{}");
    create(f->db, "people", "mgr", "{\"boss\":\"ceo\",\"friends\":[\"ceo\"]}");
    create(f->db, "people", "dev", "{\"boss\":{\"$id\":\"mgr\"},\"friends\":[\"mgr\",\"ceo\"]}");
    out = get(f->db, "people", "ceo", Q(1, "{\"method\":\"select\",\"values\":[\"reports.$id\"]}"));
    ids_of(json_object_get(out, "reports"), ids, sizeof(ids));
    assert_string_equal(ids, "mgr");
    json_decref(out);
    list_ids(f->db, "people",
             Q(1, "{\"method\":\"equal\",\"attribute\":\"friends.$id\",\"values\":[\"ceo\"]}"), ids,
             sizeof(ids));
    assert_string_equal(ids, "mgr,dev");
    /* The cascade follows the chain down, not back up. */
    del(f->db, "people", "ceo");
    assert_false(exists(f->db, "people", "mgr"));
    assert_false(exists(f->db, "people", "dev"));
    create(f->db, "people", "solo", "{\"friends\":[{\"$id\":\"pal\"}]}");
    EXPECT_OK(cw_db_collection_delete(f->db, COLL, "main", "people", err_));
    make_coll(f->db, COLL, "people", NULL, false);
    EXPECT_OK(cw_db_attribute_list(f->db, COLL, "main", "people", NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 0);
    json_decref(out);
}

static void test_select_plain(void **state)
{
    cw_attr_t attrs[2] = {0};
    attrs[0].key = (char *)"title";
    attrs[0].type = CW_ATTR_STRING;
    attrs[1].key = (char *)"author";
    attrs[1].type = CW_ATTR_RELATIONSHIP;
    attrs[1].options = J("{\"relatedCollection\":\"authors\",\"relationType\":\"oneToMany\","
                         "\"twoWay\":true,\"twoWayKey\":\"books\",\"onDelete\":\"restrict\","
                         "\"side\":\"child\"}");
    cw_collection_t c = {.id = (char *)"books", .nattrs = 2, .attrs = attrs};
    /* A stored side keeps its key for a dotted path... */
    assert_true(cw_attr_has_column(&attrs[1]));
    const char *sel[4] = {"author.name", "author.books.title", "title"};
    size_t n = cw_rel_select_plain(&c, sel, 3);
    assert_int_equal(n, 2);
    assert_string_equal(sel[0], "author");
    assert_string_equal(sel[1], "title");
    /* ...a side that stores nothing drops it, and nothing left selects everything. */
    json_decref(attrs[1].options);
    attrs[1].options = J("{\"relationType\":\"oneToMany\",\"side\":\"parent\"}");
    assert_false(cw_attr_has_column(&attrs[1]));
    const char *sel2[2] = {"author.name"};
    n = cw_rel_select_plain(&c, sel2, 1);
    assert_int_equal(n, 1);
    assert_string_equal(sel2[0], "*");
    /* A key holding a period is an attribute of its own, not a path. */
    attrs[0].key = (char *)"author.name";
    const char *sel3[2] = {"author.name"};
    n = cw_rel_select_plain(&c, sel3, 1);
    assert_int_equal(n, 1);
    assert_string_equal(sel3[0], "author.name");
    json_decref(attrs[1].options);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_two_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_way_hidden_child, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_to_many_nested_and_select, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_to_many_on_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_to_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_to_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_to_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rename_and_drop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_relationship, setup, teardown),
        cmocka_unit_test(test_select_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
