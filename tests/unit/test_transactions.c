/* Unit tests for db/transactions (included, to reach its store) and what it stands on in
 * db/database: batches (commit, rollback, nesting, caches, a hub), a collection made with its
 * schema in one transaction, update operators through the document calls, and transactions —
 * staging, reads through them, commit, rollback, conflicts, expiry and the purge of old ones —
 * on SQLite in a scratch folder. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Before cmocka.h, whose fail() macro would rename the module's own fail(). */
#include "db/transactions.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

typedef struct fixture {
    char dir[64];
    cw_db_t *db;
} fixture_t;

static const cw_db_actor_t KEY = {.is_key = true, .roles = key_roles};
static const char *const guest_roles[] = {"any", "guests", NULL};
static const cw_db_actor_t GUEST = {.is_key = false, .roles = guest_roles};
static const char *const ann_roles[] = {"any", "users", "user:ann", NULL};
static const cw_db_actor_t ANN = {.is_key = false, .roles = ann_roles, .user_id = "ann"};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
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

/* A database "db" with a collection "c" (anyone may read and write) of name, n, tags and a
 * unique code. */
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-txn-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    cw_db_error_t err = {0};
    assert_int_equal(cw_db_open(f->dir, "proj1", &f->db, &err), 0);
    json_t *out = NULL;
    EXPECT_OK(cw_db_database_create(f->db, "db", "Main", true, "legacy", &out, err_));
    json_decref(out);
    json_t *perms = J("[\"read(\\\"any\\\")\",\"create(\\\"any\\\")\",\"update(\\\"any\\\")\","
                      "\"delete(\\\"any\\\")\"]");
    json_t *attrs = J("[{\"key\":\"name\",\"type\":\"string\",\"size\":20,\"required\":false},"
                      "{\"key\":\"n\",\"type\":\"integer\",\"required\":false,\"default\":10},"
                      "{\"key\":\"tags\",\"type\":\"string\",\"size\":10,\"required\":false,"
                      "\"array\":true},"
                      "{\"key\":\"code\",\"type\":\"string\",\"size\":10,\"required\":false}]");
    json_t *indexes = J("[{\"key\":\"u\",\"type\":\"unique\",\"attributes\":[\"code\"]}]");
    EXPECT_OK(cw_db_collection_create_with(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "C", perms,
                                           false, true, attrs, indexes, &out, err_));
    assert_int_equal(json_array_size(json_object_get(out, "attributes")), 4);
    assert_int_equal(json_array_size(json_object_get(out, "indexes")), 1);
    json_decref(out);
    json_decref(perms);
    json_decref(attrs);
    json_decref(indexes);
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

static void put(cw_db_t *db, const char *id, const char *data)
{
    json_t *d = J(data), *out = NULL;
    EXPECT_OK(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", id, d, NULL,
                                    &out, err_));
    json_decref(out);
    json_decref(d);
}

/* The document's attribute as JSON text, or "-" when there is no such document. */
static const char *field(cw_db_t *db, const char *id, const char *key)
{
    static char buf[256];
    json_t *out = NULL;
    cw_db_error_t err = {0};
    if (cw_db_document_get(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", id, NULL, &out, &err) !=
        0)
        return "-";
    char *t = json_dumps(json_object_get(out, key), JSON_COMPACT | JSON_ENCODE_ANY);
    snprintf(buf, sizeof(buf), "%s", t != NULL ? t : "null");
    free(t);
    json_decref(out);
    return buf;
}

static int64_t count(cw_db_t *db)
{
    json_t *out = NULL;
    EXPECT_OK(
        cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", NULL, true, &out, err_));
    int64_t n = json_integer_value(json_object_get(out, "total"));
    json_decref(out);
    return n;
}

/* Batches -------------------------------------------------------------------------------------- */

static void test_batch(void **state)
{
    fixture_t *f = *state;
    cw_db_error_t err = {0};
    assert_int_equal(cw_db_batch_begin(f->db, &err), 0);
    put(f->db, "a", "{\"name\":\"A\"}");
    put(f->db, "b", "{\"name\":\"B\"}");
    /* Read inside: cached, then undone with the batch. */
    assert_string_equal(field(f->db, "a", "name"), "\"A\"");
    cw_db_batch_rollback(f->db);
    assert_string_equal(field(f->db, "a", "name"), "-");
    assert_int_equal(count(f->db), 0);

    /* A failing call inside undoes itself only; the batch commits the rest. Batches nest. */
    assert_int_equal(cw_db_batch_begin(f->db, &err), 0);
    put(f->db, "a", "{\"name\":\"A\",\"code\":\"x\"}");
    json_t *d = J("{\"code\":\"x\"}"), *out = NULL;
    EXPECT_ERR(cw_db_document_create(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "dup", d,
                                     NULL, &out, err_),
               CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION);
    json_decref(d);
    assert_int_equal(cw_db_batch_begin(f->db, &err), 0);
    put(f->db, "inner", "{}");
    cw_db_batch_rollback(f->db);
    put(f->db, "b", "{}");
    assert_int_equal(cw_db_batch_commit(f->db, &err), 0);
    assert_int_equal(count(f->db), 2);
    assert_string_equal(field(f->db, "inner", "name"), "-");

    /* With a hub joined, a batch's writes still run here (a queued write would wait for the lock
     * this connection holds). */
    cw_db_hub_t *hub = cw_db_hub_new();
    cw_db_hub_join(f->db, hub);
    assert_int_equal(cw_db_batch_begin(f->db, &err), 0);
    put(f->db, "h", "{}");
    assert_int_equal(cw_db_batch_commit(f->db, &err), 0);
    assert_int_equal(count(f->db), 3);
    cw_db_close(f->db);
    f->db = NULL;
    cw_db_hub_free(hub);
    assert_int_equal(cw_db_open(f->dir, "proj1", &f->db, &err), 0);
    assert_int_equal(count(f->db), 3);
}

static void test_collection_with_schema(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    /* The index names an attribute that is not there: nothing is made, not even the attribute. */
    json_t *attrs = J("[{\"key\":\"a\",\"type\":\"string\",\"size\":5,\"required\":false}]");
    json_t *bad = J("[{\"key\":\"i\",\"type\":\"key\",\"attributes\":[\"missing\"]}]");
    EXPECT_ERR(cw_db_collection_create_with(f->db, CW_DB_FAMILY_TABLES, "db", "t", "T", NULL, false,
                                            true, attrs, bad, &out, err_),
               CW_ERR_COLUMN_UNKNOWN);
    EXPECT_ERR(cw_db_collection_get(f->db, CW_DB_FAMILY_TABLES, "db", "t", &out, err_),
               CW_ERR_TABLE_NOT_FOUND);
    json_t *attrs2 = J("[{\"key\":\"a\",\"type\":\"integer\",\"required\":true}]");
    EXPECT_OK(cw_db_collection_create_with(f->db, CW_DB_FAMILY_TABLES, "db", "t", "T", NULL, false,
                                           true, attrs2, NULL, &out, err_));
    json_t *col = json_array_get(json_object_get(out, "columns"), 0);
    assert_string_equal(json_string_value(json_object_get(col, "type")), "integer");
    json_decref(out);
    /* "unique()" makes an ID, used by the attributes too. */
    EXPECT_OK(cw_db_collection_create_with(f->db, CW_DB_FAMILY_COLLECTIONS, "db", "unique()", "U",
                                           NULL, false, true, attrs, NULL, &out, err_));
    assert_int_equal(strlen(json_string_value(json_object_get(out, "$id"))), CW_ID_LEN);
    json_decref(out);
    json_decref(attrs);
    json_decref(attrs2);
    json_decref(bad);
}

static void test_operators(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *d;
    put(f->db, "a", "{\"name\":\"A\",\"n\":1,\"tags\":[\"x\"]}");
    d = J("{\"n\":\"{\\\"method\\\":\\\"increment\\\",\\\"values\\\":[4]}\","
          "\"tags\":\"{\\\"method\\\":\\\"arrayAppend\\\",\\\"values\\\":[\\\"y\\\"]}\"}");
    EXPECT_OK(cw_db_document_update(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "a", d, NULL,
                                    &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "n")), 5);
    json_decref(out);
    assert_string_equal(field(f->db, "a", "tags"), "[\"x\",\"y\"]");
    /* An upsert that creates starts from the default (10). */
    EXPECT_OK(cw_db_document_upsert(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "new", d,
                                    NULL, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "n")), 14);
    json_decref(out);
    json_decref(d);
    /* A create keeps the text as it is. */
    d = J("{\"name\":\"{\\\"method\\\":\\\"toggle\\\"}\"}");
    EXPECT_OK(cw_db_document_create(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "raw", d,
                                    NULL, &out, err_));
    json_decref(out);
    EXPECT_ERR(cw_db_document_update(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "a", d, NULL,
                                     &out, err_),
               CW_ERR_DOCUMENT_INVALID_STRUCTURE);
    json_decref(d);
    d = J("{\"n\":\"{\\\"method\\\":\\\"increment\\\",\\\"values\\\":7}\"}");
    EXPECT_ERR(cw_db_document_update(f->db, CW_DB_FAMILY_TABLES, &KEY, "db", "c", "a", d, NULL,
                                     &out, err_),
               CW_ERR_GENERAL_BAD_REQUEST);
    json_decref(d);
    /* Bulk: each document from its own value. */
    d = J("{\"n\":\"{\\\"method\\\":\\\"multiply\\\",\\\"values\\\":[2]}\"}");
    EXPECT_OK(cw_db_documents_update(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", d, NULL,
                                     &out, err_));
    json_decref(out);
    json_decref(d);
    assert_string_equal(field(f->db, "a", "n"), "10");
    assert_string_equal(field(f->db, "new", "n"), "28");
}

/* Transactions --------------------------------------------------------------------------------- */

static char *new_txn(cw_db_t *db, const cw_db_actor_t *actor)
{
    json_t *out = NULL;
    EXPECT_OK(cw_db_transaction_create(db, actor, CW_TXN_TTL_DEFAULT, &out, err_));
    char *id = strdup(json_string_value(json_object_get(out, "$id")));
    json_decref(out);
    return id;
}

static void stage_one(cw_db_t *db, const char *txid, const char *op)
{
    json_t *o = J(op), *out = NULL;
    EXPECT_OK(cw_db_transaction_stage(db, CW_DB_FAMILY_COLLECTIONS, &KEY, txid, o, &out, err_));
    json_decref(out);
    json_decref(o);
}

static const char *status_of(cw_db_t *db, const char *txid)
{
    static char buf[32];
    json_t *out = NULL;
    EXPECT_OK(cw_db_transaction_get(db, &KEY, txid, &out, err_));
    snprintf(buf, sizeof(buf), "%s", json_string_value(json_object_get(out, "status")));
    json_decref(out);
    return buf;
}

static void test_commit_and_views(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    put(f->db, "a", "{\"name\":\"A\",\"n\":1}");
    char *t = new_txn(f->db, &KEY);
    stage_one(f->db, t,
              "{\"action\":\"create\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
              "\"b\",\"data\":{\"name\":\"B\"}}");
    stage_one(f->db, t,
              "{\"action\":\"update\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
              "\"a\",\"data\":{\"n\":\"{\\\"method\\\":\\\"increment\\\",\\\"values\\\":[2]}\"}}");
    stage_one(
        f->db, t,
        "{\"action\":\"increment\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
        "\"b\",\"data\":{\"attribute\":\"n\",\"value\":5}}");
    assert_string_equal(field(f->db, "b", "name"), "-");
    assert_string_equal(field(f->db, "a", "n"), "1");

    /* Through the transaction. */
    EXPECT_OK(cw_db_transaction_document_get(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, t, "db", "c",
                                             "b", NULL, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "n")), 15);
    json_decref(out);
    EXPECT_OK(cw_db_transaction_document_list(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, t, "db", "c",
                                              NULL, true, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
    json_decref(out);
    /* ...and not outside it, caches included. */
    assert_string_equal(field(f->db, "b", "name"), "-");

    EXPECT_OK(cw_db_transaction_commit(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, t, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "status")), "committed");
    assert_int_equal(json_integer_value(json_object_get(out, "operations")), 3);
    json_decref(out);
    assert_string_equal(field(f->db, "a", "n"), "3");
    assert_string_equal(field(f->db, "b", "n"), "15");
    EXPECT_ERR(cw_db_transaction_commit(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, t, &out, err_),
               CW_ERR_TRANSACTION_NOT_READY);
    free(t);

    /* A rollback drops them; the transaction is failed. */
    t = new_txn(f->db, &KEY);
    stage_one(f->db, t,
              "{\"action\":\"delete\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
              "\"a\"}");
    EXPECT_OK(cw_db_transaction_rollback(f->db, &KEY, t, &out, err_));
    json_decref(out);
    assert_string_equal(status_of(f->db, t), "failed");
    assert_string_equal(field(f->db, "a", "n"), "3");
    free(t);
}

static void test_failures_and_conflicts(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    put(f->db, "a", "{\"name\":\"A\",\"code\":\"taken\"}");

    /* A later operation fails: none lands, and the error is the commit's. */
    char *t = new_txn(f->db, &KEY);
    stage_one(f->db, t,
              "{\"action\":\"create\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
              "\"ok\",\"data\":{}}");
    stage_one(f->db, t,
              "{\"action\":\"create\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
              "\"dup\",\"data\":{\"code\":\"taken\"}}");
    EXPECT_ERR(cw_db_transaction_commit(f->db, CW_DB_FAMILY_TABLES, &KEY, t, &out, err_),
               CW_ERR_TRANSACTION_CONFLICT);
    assert_string_equal(field(f->db, "ok", "name"), "-");
    assert_string_equal(status_of(f->db, t), "failed");
    free(t);

    t = new_txn(f->db, &KEY);
    stage_one(f->db, t,
              "{\"action\":\"update\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
              "\"a\",\"data\":{\"n\":\"many\"}}");
    EXPECT_ERR(cw_db_transaction_commit(f->db, CW_DB_FAMILY_TABLES, &KEY, t, &out, err_),
               CW_ERR_DOCUMENT_INVALID_STRUCTURE);
    free(t);

    /* Changed by someone else after staging. */
    t = new_txn(f->db, &KEY);
    stage_one(f->db, t,
              "{\"action\":\"update\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
              "\"a\",\"data\":{\"name\":\"Mine\"}}");
    usleep(3000);
    json_t *d = J("{\"name\":\"Theirs\"}");
    EXPECT_OK(cw_db_document_update(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "a", d, NULL,
                                    &out, err_));
    json_decref(out);
    json_decref(d);
    EXPECT_ERR(cw_db_transaction_commit(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, t, &out, err_),
               CW_ERR_TRANSACTION_CONFLICT);
    assert_string_equal(field(f->db, "a", "name"), "\"Theirs\"");
    free(t);

    /* The document is deleted meanwhile: not found. */
    t = new_txn(f->db, &KEY);
    stage_one(f->db, t,
              "{\"action\":\"update\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
              "\"a\",\"data\":{\"name\":\"Mine\"}}");
    EXPECT_OK(cw_db_document_delete(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "a", err_));
    EXPECT_ERR(cw_db_transaction_commit(f->db, CW_DB_FAMILY_TABLES, &KEY, t, &out, err_),
               CW_ERR_DOCUMENT_NOT_FOUND);
    free(t);
}

static void test_staging_rules(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL, *ops;
    put(f->db, "a", "{\"name\":\"A\"}");
    char *t = new_txn(f->db, &KEY);
#define OPS_ERR(text, want)                                                                        \
    do {                                                                                           \
        ops = J(text);                                                                             \
        EXPECT_ERR(cw_db_transaction_operations_create(f->db, CW_DB_FAMILY_TABLES, &KEY, t, ops,   \
                                                       &out, err_),                                \
                   want);                                                                          \
        json_decref(ops);                                                                          \
    } while (0)
    OPS_ERR("[]", CW_ERR_GENERAL_BAD_REQUEST);
    OPS_ERR("[5]", CW_ERR_GENERAL_ARGUMENT_INVALID);
    OPS_ERR("[{\"action\":\"create\",\"databaseId\":\"db\",\"rowId\":\"x\",\"data\":{}}]",
            CW_ERR_GENERAL_ARGUMENT_INVALID);
    OPS_ERR("[{\"action\":\"create\",\"databaseId\":\"db\",\"tableId\":\"c\",\"data\":{}}]",
            CW_ERR_GENERAL_ARGUMENT_INVALID);
    OPS_ERR("[{\"action\":\"increment\",\"databaseId\":\"db\",\"tableId\":\"c\",\"rowId\":\"a\","
            "\"data\":{\"value\":\"x\",\"column\":\"n\"}}]",
            CW_ERR_GENERAL_ARGUMENT_INVALID);
    OPS_ERR("[{\"action\":\"bulkDelete\",\"databaseId\":\"db\",\"tableId\":\"c\",\"data\":{}}]",
            CW_ERR_GENERAL_ARGUMENT_INVALID);
    OPS_ERR("[{\"action\":\"delete\",\"databaseId\":\"db\",\"tableId\":\"c\",\"rowId\":\"zz\"}]",
            CW_ERR_DOCUMENT_NOT_FOUND);
    OPS_ERR("[{\"action\":\"delete\",\"databaseId\":\"db\",\"tableId\":\"no\",\"rowId\":\"a\"}]",
            CW_ERR_COLLECTION_NOT_FOUND);
    ops = J("[{\"action\":\"create\",\"databaseId\":\"db\",\"tableId\":\"c\",\"rowId\":\"n\","
            "\"data\":{}},{\"action\":\"delete\",\"databaseId\":\"db\",\"tableId\":\"c\","
            "\"rowId\":\"n\"}]");
    EXPECT_OK(
        cw_db_transaction_operations_create(f->db, CW_DB_FAMILY_TABLES, &KEY, t, ops, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "operations")), 2);
    json_decref(out);
    json_decref(ops);

    /* Bulk writes are for keys; a guest may not see a key's transaction. */
    char *g = new_txn(f->db, &GUEST);
    ops = J("[{\"action\":\"bulkDelete\",\"databaseId\":\"db\",\"tableId\":\"c\",\"data\":"
            "{\"queries\":[]}}]");
    EXPECT_ERR(
        cw_db_transaction_operations_create(f->db, CW_DB_FAMILY_TABLES, &GUEST, t, ops, &out, err_),
        CW_ERR_TRANSACTION_NOT_FOUND);
    json_decref(ops);
    free(g);

    /* A user's transaction is theirs; a create staged by them gets their permissions. */
    char *u = new_txn(f->db, &ANN);
    EXPECT_OK(cw_db_transaction_get(f->db, &ANN, u, &out, err_));
    json_decref(out);
    EXPECT_ERR(cw_db_transaction_get(f->db, &GUEST, u, &out, err_), CW_ERR_TRANSACTION_NOT_FOUND);
    json_t *op = J("{\"action\":\"create\",\"databaseId\":\"db\",\"collectionId\":\"c\","
                   "\"documentId\":\"mine\",\"data\":{\"name\":\"M\"}}");
    EXPECT_OK(cw_db_transaction_stage(f->db, CW_DB_FAMILY_COLLECTIONS, &ANN, u, op, &out, err_));
    assert_string_equal(json_string_value(json_object_get(out, "$sequence")), "");
    json_decref(out);
    json_decref(op);
    EXPECT_OK(cw_db_transaction_commit(f->db, CW_DB_FAMILY_COLLECTIONS, &ANN, u, &out, err_));
    json_decref(out);
    assert_string_equal(field(f->db, "mine", "$permissions"),
                        "[\"read(\\\"user:ann\\\")\",\"update(\\\"user:ann\\\")\","
                        "\"delete(\\\"user:ann\\\")\"]");
    free(u);

    /* The limit. */
    char *big = new_txn(f->db, &KEY);
    json_t *many = json_array();
    for (int i = 0; i < CW_TXN_OPERATIONS_MAX; i++) {
        char text[160];
        snprintf(text, sizeof(text),
                 "{\"action\":\"create\",\"databaseId\":\"db\",\"tableId\":\"c\",\"rowId\":"
                 "\"m%d\",\"data\":{}}",
                 i);
        json_array_append_new(many, J(text));
    }
    EXPECT_OK(cw_db_transaction_operations_create(f->db, CW_DB_FAMILY_TABLES, &KEY, big, many, &out,
                                                  err_));
    json_decref(out);
    json_decref(many);
    free(t);
    t = big;
    OPS_ERR("[{\"action\":\"delete\",\"databaseId\":\"db\",\"tableId\":\"c\",\"rowId\":\"a\"}]",
            CW_ERR_TRANSACTION_LIMIT_EXCEEDED);
#undef OPS_ERR
    free(t);
}

/* Moves a transaction's expiry, as time passing would. */
static void expire(cw_db_t *db, const char *id, int64_t ms_ago)
{
    store_t s;
    cw_db_error_t err = {0};
    json_t *txn = NULL;
    char when[CW_TIME_ISO_LEN];
    assert_int_equal(store_open(db, &s, &err), 0);
    assert_int_equal(s.a->ops->doc_get(s.a, s.txns, id, &txn, &err), CW_OK);
    cw_time_format(cw_time_now_ms() - ms_ago, when);
    json_object_set_new(txn, "expiresAt", json_string(when));
    assert_int_equal(s.a->ops->doc_update(s.a, s.txns, jint(txn, "$sequence"), txn, false, &err),
                     CW_OK);
    json_decref(txn);
    store_close(&s);
}

static void test_expiry_and_purge(void **state)
{
    fixture_t *f = *state;
    json_t *out = NULL;
    char *t = new_txn(f->db, &KEY);
    stage_one(f->db, t,
              "{\"action\":\"create\",\"databaseId\":\"db\",\"collectionId\":\"c\",\"documentId\":"
              "\"late\",\"data\":{}}");
    expire(f->db, t, 1000);
    EXPECT_ERR(cw_db_transaction_commit(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, t, &out, err_),
               CW_ERR_TRANSACTION_EXPIRED);
    EXPECT_ERR(cw_db_transaction_rollback(f->db, &KEY, t, &out, err_), CW_ERR_TRANSACTION_EXPIRED);
    json_t *op = J("{\"action\":\"delete\",\"databaseId\":\"db\",\"collectionId\":\"c\","
                   "\"documentId\":\"late\"}");
    EXPECT_ERR(cw_db_transaction_stage(f->db, CW_DB_FAMILY_COLLECTIONS, &KEY, t, op, &out, err_),
               CW_ERR_TRANSACTION_EXPIRED);
    json_decref(op);
    assert_string_equal(status_of(f->db, t), "pending");
    assert_string_equal(field(f->db, "late", "name"), "-");

    /* A day after it expired, the next new transaction takes it away with its operations. */
    expire(f->db, t, PURGE_AFTER_MS + 1000);
    char *next = new_txn(f->db, &KEY);
    EXPECT_ERR(cw_db_transaction_get(f->db, &KEY, t, &out, err_), CW_ERR_TRANSACTION_NOT_FOUND);
    store_t s;
    cw_db_error_t err = {0};
    json_t *logs = NULL;
    assert_int_equal(store_open(f->db, &s, &err), 0);
    cw_dba_find_t all = {.limit = -1};
    assert_int_equal(s.a->ops->doc_find(s.a, s.logs, &all, &logs, &err), CW_OK);
    assert_int_equal(json_array_size(logs), 0);
    json_decref(logs);
    store_close(&s);
    EXPECT_OK(cw_db_transaction_list(f->db, &KEY, NULL, &out, err_));
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    json_decref(out);
    free(next);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collection_with_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_and_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_and_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staging_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_and_purge, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
