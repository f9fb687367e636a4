/*
 * Database transactions (db/transactions.h). Two internal collections hold them, written through
 * the adapter like the layer's metadata:
 *
 *   transactions       status, operations, expiresAt; $permissions give the user who opened it
 *                      read, update and delete
 *   transaction_logs   one document per staged operation, in staging order ($sequence):
 *                      transactionInternalId, action, the database's and collection's IDs and
 *                      internal sequences, documentId, and data (the operation's data as JSON)
 *
 * Operations are applied through the document database's own calls (cw_db_document_create, …,
 * cw_db_documents_delete), so a committed operation is validated, permission-checked and written
 * exactly as the route would have done it; a batch (cw_db_batch_*) makes all of them one
 * transaction. The same replay inside a batch that is rolled back gives the transaction's view
 * of the data for reads and for the checks made while staging.
 *
 * A conflict is what Appwrite calls one: a staged update, upsert, delete, increment or decrement
 * (single or bulk) meets a document whose $updatedAt is later than the time it was staged, unless
 * an earlier operation of the same transaction is what changed it; and a create meeting a taken ID
 * or a unique value.
 */
#include "db/transactions.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/status.h"
#include "core/timeutil.h"

#define PURGE_AFTER_MS (24LL * 3600 * 1000) /* expired transactions are kept a day */
#define PURGE_BATCH 100
#define CONFLICT_SCAN 100 /* documents a bulk operation's conflict check looks at */
#define DATA_MAX 5000000  /* Appwrite's size of a staged operation's data */

static int fail(cw_db_error_t *err, cw_err_t type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(cw_db_error_t *err, cw_err_t type, const char *fmt, ...)
{
    err->type = type;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -1;
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int64_t jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_string(v))
        return strtoll(json_string_value(v), NULL, 10);
    return 0;
}

static void now_iso(char out[CW_TIME_ISO_LEN])
{
    cw_time_format(cw_time_now_ms(), out);
}

static int64_t iso_ms(const char *s)
{
    int64_t ms = 0;
    if (s == NULL || cw_time_parse(cw_str(s), &ms) != 0)
        return 0;
    return ms;
}

/* The signed-in user of a request without a key: its user_id, or its "user:ID" role. */
static const char *actor_user(const cw_db_actor_t *actor, char *buf, size_t size)
{
    if (actor->is_key)
        return NULL;
    if (actor->user_id != NULL && actor->user_id[0] != '\0')
        return actor->user_id;
    for (const char *const *r = actor->roles; r != NULL && *r != NULL; r++) {
        if (strncmp(*r, "user:", 5) == 0 && strchr(*r, '/') == NULL && (*r)[5] != '\0') {
            snprintf(buf, size, "%s", *r + 5);
            return buf;
        }
    }
    return NULL;
}

/* read, update and delete for the user, as Appwrite gives a user what it makes. */
static json_t *user_permissions(const cw_db_actor_t *actor)
{
    char ubuf[64];
    const char *user = actor_user(actor, ubuf, sizeof(ubuf));
    json_t *perms = json_array();
    static const char *const types[] = {"read", "update", "delete"};
    for (size_t i = 0; user != NULL && i < 3; i++) {
        char p[128];
        snprintf(p, sizeof(p), "%s(\"user:%s\")", types[i], user);
        json_array_append_new(perms, json_string(p));
    }
    return perms;
}

static const char *const key_roles[] = {"any", NULL};
static const cw_db_actor_t key_actor = {.is_key = true, .roles = key_roles};

/* The internal collections --------------------------------------------------------------------- */

typedef struct tattr {
    const char *key;
    const char *type;
    cw_attr_type_t kind;
    int64_t size;
} tattr_t;

static const tattr_t txn_attrs[] = {
    {"status", "string", CW_ATTR_STRING, 16},
    {"operations", "integer", CW_ATTR_INTEGER, 8},
    {"expiresAt", "datetime", CW_ATTR_DATETIME, 0},
};

static const tattr_t log_attrs[] = {
    {"transactionInternalId", "integer", CW_ATTR_INTEGER, 8},
    {"action", "string", CW_ATTR_STRING, 32},
    {"databaseInternalId", "integer", CW_ATTR_INTEGER, 8},
    {"databaseId", "string", CW_ATTR_STRING, 255},
    {"collectionInternalId", "integer", CW_ATTR_INTEGER, 8},
    {"collectionId", "string", CW_ATTR_STRING, 255},
    {"documentId", "string", CW_ATTR_STRING, 255},
    {"data", "string", CW_ATTR_STRING, DATA_MAX},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static cw_collection_t *build(const char *table, const tattr_t *attrs, size_t n,
                              const char *index_key, const char *index_attr)
{
    cw_collection_t *c = cw_calloc(1, sizeof(*c));
    c->id = cw_strdup(table);
    c->table = cw_strdup(table);
    c->name = cw_strdup(table);
    c->enabled = true;
    c->permissions = json_array();
    c->attrs = cw_calloc(n, sizeof(*c->attrs));
    c->nattrs = n;
    for (size_t i = 0; i < n; i++) {
        cw_attr_t *a = &c->attrs[i];
        a->key = cw_strdup(attrs[i].key);
        a->api_type = cw_strdup(attrs[i].type);
        a->type = attrs[i].kind;
        a->size = attrs[i].size;
        a->is_signed = true;
        a->status = cw_strdup("available");
        a->error = cw_strdup("");
    }
    c->indexes = cw_calloc(1, sizeof(*c->indexes));
    c->nindexes = 1;
    cw_index_t *x = &c->indexes[0];
    x->key = cw_strdup(index_key);
    x->type = CW_INDEX_KEY;
    x->nattrs = 1;
    x->attrs = cw_calloc(1, sizeof(char *));
    x->attrs[0] = cw_strdup(index_attr);
    x->orders = cw_calloc(1, sizeof(char *));
    x->lengths = cw_calloc(1, sizeof(int64_t));
    x->status = cw_strdup("available");
    x->error = cw_strdup("");
    return c;
}

typedef struct store {
    cw_db_t *db;
    cw_dba_t *a;
    cw_collection_t *txns, *logs;
} store_t;

static void store_close(store_t *s)
{
    cw_collection_free(s->txns);
    cw_collection_free(s->logs);
    s->txns = s->logs = NULL;
}

/* Describes the two collections and makes their tables on first use. */
static int store_open(cw_db_t *db, store_t *s, cw_db_error_t *err)
{
    s->db = db;
    s->a = cw__db_txn_adapter(db);
    s->txns = build("transactions", txn_attrs, NELEM(txn_attrs), "_key_expiresAt", "expiresAt");
    s->logs = build("transaction_logs", log_attrs, NELEM(log_attrs), "_key_transaction",
                    "transactionInternalId");
    if (s->a->ops->begin(s->a, err) != CW_OK)
        goto fail;
    if (s->a->ops->collection_create(s->a, s->txns, err) != CW_OK ||
        s->a->ops->collection_create(s->a, s->logs, err) != CW_OK) {
        s->a->ops->rollback(s->a);
        goto fail;
    }
    if (s->a->ops->commit(s->a, err) != CW_OK)
        goto fail;
    return 0;
fail:
    store_close(s);
    return -1;
}

/* An equality filter the layer builds itself; values are owned by *vals. */
static void filter_eq_int(cw_query_t *q, json_t **vals, const char *attr, int64_t v)
{
    memset(q, 0, sizeof(*q));
    *vals = json_array();
    json_array_append_new(*vals, json_integer(v));
    q->method = CW_QUERY_EQUAL;
    q->attribute = cw_str(attr);
    q->values = *vals;
}

/* Transactions --------------------------------------------------------------------------------- */

static json_t *txn_model(const json_t *doc)
{
    json_t *m = json_object();
    json_object_set(m, "$id", json_object_get(doc, "$id"));
    json_object_set(m, "$createdAt", json_object_get(doc, "$createdAt"));
    json_object_set(m, "$updatedAt", json_object_get(doc, "$updatedAt"));
    const char *status = jstr(doc, "status");
    json_object_set_new(m, "status", json_string(status != NULL ? status : "pending"));
    json_object_set_new(m, "operations", json_integer(jint(doc, "operations")));
    json_object_set(m, "expiresAt", json_object_get(doc, "expiresAt"));
    return m;
}

/* The stored transaction, if the actor may see it (API keys see all; others need its read
 * permission, so a transaction made without a user is the keys' alone). */
static int txn_load(store_t *s, const cw_db_actor_t *actor, const char *id, json_t **out,
                    cw_db_error_t *err)
{
    *out = NULL;
    int rc = CW_ENOTFOUND;
    if (id != NULL && cw_id_valid(cw_str(id), CW_ID_MAX_LEN))
        rc = s->a->ops->doc_get(s->a, s->txns, id, out, err);
    if (rc == CW_OK && !actor->is_key &&
        !cw__db_txn_allows(json_object_get(*out, "$permissions"), "read", actor)) {
        json_decref(*out);
        *out = NULL;
        rc = CW_ENOTFOUND;
    }
    if (rc == CW_ENOTFOUND)
        return fail(err, CW_ERR_TRANSACTION_NOT_FOUND,
                    "Transaction with ID '%s' could not be found.", id != NULL ? id : "");
    return rc == CW_OK ? 0 : -1;
}

typedef enum use {
    USE_FINISH,      /* commit, rollback */
    USE_STAGE_ROUTE, /* a single write route */
    USE_STAGE_OTHER, /* createOperations, bulk routes, increment and decrement */
} use_t;

/* Whether the transaction still takes operations, a commit or a rollback. */
static int txn_usable(const json_t *txn, use_t use, cw_db_error_t *err)
{
    const char *status = jstr(txn, "status");
    if (status == NULL || strcmp(status, "pending") != 0) {
        if (use == USE_STAGE_OTHER)
            return fail(err, CW_ERR_GENERAL_BAD_REQUEST,
                        "The transaction is %s: it takes no more operations.",
                        status != NULL ? status : "finished");
        return fail(err, CW_ERR_TRANSACTION_NOT_READY,
                    "The transaction is %s, not pending: it cannot be %s.",
                    status != NULL ? status : "finished",
                    use == USE_FINISH ? "committed or rolled back" : "used for more operations");
    }
    if (cw_time_now_ms() > iso_ms(jstr(txn, "expiresAt")))
        return fail(err, CW_ERR_TRANSACTION_EXPIRED,
                    "The transaction expired at %s. Start a new one.", jstr(txn, "expiresAt"));
    return 0;
}

static int txn_save(store_t *s, json_t *txn, cw_db_error_t *err)
{
    char now[CW_TIME_ISO_LEN];
    now_iso(now);
    json_object_set_new(txn, "$updatedAt", json_string(now));
    return s->a->ops->doc_update(s->a, s->txns, jint(txn, "$sequence"), txn, false, err) == CW_OK
               ? 0
               : -1;
}

/* The stored operations of a transaction, in staging order (*out, a new array). */
static int logs_of(store_t *s, int64_t txn_seq, json_t **out, cw_db_error_t *err)
{
    cw_query_t q;
    json_t *vals;
    filter_eq_int(&q, &vals, "transactionInternalId", txn_seq);
    const cw_query_t *filters[1] = {&q};
    static const cw_dba_order_t by_seq = {"$sequence", false};
    cw_dba_find_t f = {
        .filters = filters, .nfilters = 1, .orders = &by_seq, .norders = 1, .limit = -1};
    int rc = s->a->ops->doc_find(s->a, s->logs, &f, out, err);
    json_decref(vals);
    return rc == CW_OK ? 0 : -1;
}

static int logs_drop(store_t *s, int64_t txn_seq, cw_db_error_t *err)
{
    json_t *logs = NULL, *log;
    size_t i;
    if (logs_of(s, txn_seq, &logs, err) != 0)
        return -1;
    json_array_foreach(logs, i, log)
    {
        if (s->a->ops->doc_delete(s->a, s->logs, jint(log, "$sequence"), err) != CW_OK) {
            json_decref(logs);
            return -1;
        }
    }
    json_decref(logs);
    return 0;
}

/* A stored operation as the appliers take it: action, databaseId, collectionId, their internal
 * sequences, documentId, data (decoded) and stagedAt. */
static json_t *op_of_log(const json_t *log)
{
    json_t *op = json_object();
    static const char *const keys[] = {
        "action",    "databaseId", "collectionId", "databaseInternalId", "collectionInternalId",
        "documentId"};
    for (size_t i = 0; i < NELEM(keys); i++) {
        json_t *v = json_object_get(log, keys[i]);
        if (v != NULL && !json_is_null(v))
            json_object_set(op, keys[i], v);
    }
    const char *text = jstr(log, "data");
    json_t *data = text != NULL ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(op, "data", data != NULL ? data : json_object());
    json_object_set(op, "stagedAt", json_object_get(log, "$createdAt"));
    return op;
}

/* Deletes transactions that expired more than a day ago, with their operations (Appwrite's
 * maintenance does the same on its schedule). */
static int purge_expired(store_t *s, cw_db_error_t *err)
{
    char cutoff[CW_TIME_ISO_LEN];
    cw_time_format(cw_time_now_ms() - PURGE_AFTER_MS, cutoff);
    cw_query_t q;
    memset(&q, 0, sizeof(q));
    json_t *vals = json_array(), *old = NULL, *txn;
    json_array_append_new(vals, json_string(cutoff));
    q.method = CW_QUERY_LESS_THAN;
    q.attribute = cw_str("expiresAt");
    q.values = vals;
    const cw_query_t *filters[1] = {&q};
    static const cw_dba_order_t by_seq = {"$sequence", false};
    cw_dba_find_t f = {
        .filters = filters, .nfilters = 1, .orders = &by_seq, .norders = 1, .limit = PURGE_BATCH};
    int rc = s->a->ops->doc_find(s->a, s->txns, &f, &old, err) == CW_OK ? 0 : -1;
    size_t i;
    json_array_foreach(old, i, txn)
    {
        if (rc == 0 && (logs_drop(s, jint(txn, "$sequence"), err) != 0 ||
                        s->a->ops->doc_delete(s->a, s->txns, jint(txn, "$sequence"), err) != CW_OK))
            rc = -1;
    }
    json_decref(old);
    json_decref(vals);
    return rc;
}

int cw_db_transaction_create(cw_db_t *db, const cw_db_actor_t *actor, int64_t ttl_seconds,
                             json_t **out, cw_db_error_t *err)
{
    store_t s;
    json_t *doc = NULL;
    int rc = -1;
    if (ttl_seconds < CW_TXN_TTL_MIN || ttl_seconds > CW_TXN_TTL_MAX)
        return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID,
                    "Invalid `ttl` param: Value must be a valid range between %d and %d",
                    CW_TXN_TTL_MIN, CW_TXN_TTL_MAX);
    if (store_open(db, &s, err) != 0)
        return -1;
    char id[CW_ID_LEN + 1], now[CW_TIME_ISO_LEN], expires[CW_TIME_ISO_LEN];
    int64_t now_ms = cw_time_now_ms();
    cw_id_unique(id);
    cw_time_format(now_ms, now);
    cw_time_format(now_ms + ttl_seconds * 1000, expires);
    doc = json_object();
    json_object_set_new(doc, "$id", json_string(id));
    json_object_set_new(doc, "$createdAt", json_string(now));
    json_object_set_new(doc, "$updatedAt", json_string(now));
    json_object_set_new(doc, "$permissions", user_permissions(actor));
    json_object_set_new(doc, "status", json_string("pending"));
    json_object_set_new(doc, "operations", json_integer(0));
    json_object_set_new(doc, "expiresAt", json_string(expires));
    if (cw_db_batch_begin(db, err) != 0)
        goto out;
    int64_t seq;
    if (purge_expired(&s, err) != 0 || s.a->ops->doc_insert(s.a, s.txns, doc, &seq, err) != CW_OK) {
        cw_db_batch_rollback(db);
        goto out;
    }
    if (cw_db_batch_commit(db, err) != 0)
        goto out;
    *out = txn_model(doc);
    rc = 0;
out:
    json_decref(doc);
    store_close(&s);
    return rc;
}

int cw_db_transaction_get(cw_db_t *db, const cw_db_actor_t *actor, const char *id, json_t **out,
                          cw_db_error_t *err)
{
    store_t s;
    json_t *txn = NULL;
    if (store_open(db, &s, err) != 0)
        return -1;
    int rc = txn_load(&s, actor, id, &txn, err);
    if (rc == 0)
        *out = txn_model(txn);
    json_decref(txn);
    store_close(&s);
    return rc;
}

static const cw_query_attr_t txn_query_attrs[] = {
    {.key = CW_STR_LIT("status"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("expiresAt"), .type = CW_QUERY_ATTR_DATETIME},
};

int cw_db_transaction_list(cw_db_t *db, const cw_db_actor_t *actor, json_t *queries, json_t **out,
                           cw_db_error_t *err)
{
    store_t s;
    json_t *docs = NULL, *doc;
    int64_t total = 0;
    const char **roles = NULL;
    size_t nroles = 0;
    if (store_open(db, &s, err) != 0)
        return -1;
    if (!actor->is_key)
        roles = cw__db_actor_roles(actor, &nroles);
    int rc = cw__db_txn_list(db, s.txns, txn_query_attrs, NELEM(txn_query_attrs), "Transaction",
                             roles, nroles, queries, true, &docs, &total, err);
    free(roles);
    if (rc == 0) {
        json_t *items = json_array();
        size_t i;
        json_array_foreach(docs, i, doc)
        {
            json_array_append_new(items, txn_model(doc));
        }
        *out = json_object();
        json_object_set_new(*out, "total", json_integer(total));
        json_object_set_new(*out, "transactions", items);
    }
    json_decref(docs);
    store_close(&s);
    return rc;
}

int cw_db_transaction_delete(cw_db_t *db, const cw_db_actor_t *actor, const char *id,
                             cw_db_error_t *err)
{
    store_t s;
    json_t *txn = NULL;
    int rc = -1;
    if (store_open(db, &s, err) != 0)
        return -1;
    if (cw_db_batch_begin(db, err) != 0)
        goto out;
    if (txn_load(&s, actor, id, &txn, err) != 0)
        goto undo;
    if (!actor->is_key &&
        !cw__db_txn_allows(json_object_get(txn, "$permissions"), "delete", actor)) {
        fail(err, CW_ERR_USER_UNAUTHORIZED, "No permission to delete this transaction.");
        goto undo;
    }
    if (logs_drop(&s, jint(txn, "$sequence"), err) != 0 ||
        s.a->ops->doc_delete(s.a, s.txns, jint(txn, "$sequence"), err) != CW_OK)
        goto undo;
    rc = cw_db_batch_commit(db, err);
    goto out;
undo:
    cw_db_batch_rollback(db);
out:
    json_decref(txn);
    store_close(&s);
    return rc;
}

/* Applying operations -------------------------------------------------------------------------- */

static bool is_bulk(const char *action)
{
    return strncmp(action, "bulk", 4) == 0;
}

typedef struct applier {
    cw_db_t *db;
    cw_db_family_t fam;
    const cw_db_actor_t *actor;
    bool strict;     /* a commit: conflicts are looked for and failures are final */
    json_t *touched; /* "<db seq>/<collection seq>/<id>" of what earlier operations wrote */
} applier_t;

static void touched_key(const json_t *op, const char *id, char *out, size_t size)
{
    snprintf(out, size, "%" PRId64 "/%" PRId64 "/%s", jint(op, "databaseInternalId"),
             jint(op, "collectionInternalId"), id != NULL ? id : "");
}

static void touch(applier_t *ap, const json_t *op, const char *id)
{
    char key[160];
    touched_key(op, id, key, sizeof(key));
    json_object_set_new(ap->touched, key, json_true());
}

static void touch_all(applier_t *ap, const json_t *op, const json_t *list)
{
    const char *k;
    const json_t *v, *d;
    size_t i;
    json_object_foreach((json_t *)list, k, v)
    {
        if (!json_is_array(v))
            continue;
        json_array_foreach(v, i, d)
        {
            touch(ap, op, jstr(d, "$id"));
        }
    }
}

static bool touched(const applier_t *ap, const json_t *op, const char *id)
{
    char key[160];
    touched_key(op, id, key, sizeof(key));
    return json_object_get(ap->touched, key) != NULL;
}

static int conflict(cw_db_error_t *err, const char *id)
{
    return fail(err, CW_ERR_TRANSACTION_CONFLICT,
                "The transaction conflicts with a later write: '%s' changed after the operation "
                "was staged.",
                id);
}

/* A staged operation on one document meets it changed since, by someone else. */
static int check_one(applier_t *ap, const json_t *op, const char *id, cw_db_error_t *err)
{
    const char *staged = jstr(op, "stagedAt");
    json_t *cur = NULL;
    cw_db_error_t ignored;
    if (!ap->strict || staged == NULL || id == NULL || touched(ap, op, id))
        return 0;
    if (cw_db_document_get(ap->db, ap->fam, &key_actor, jstr(op, "databaseId"),
                           jstr(op, "collectionId"), id, NULL, &cur, &ignored) != 0)
        return 0; /* missing: the operation itself says so */
    const char *updated = jstr(cur, "$updatedAt");
    bool later = updated != NULL && iso_ms(updated) > iso_ms(staged);
    json_decref(cur);
    return later ? conflict(err, id) : 0;
}

/* Whether bulk queries choose their own window (limit, offset, a cursor). */
static bool windowed(const json_t *queries)
{
    size_t i;
    const json_t *q;
    json_array_foreach(queries, i, q)
    {
        json_t *parsed = json_is_string(q) ? json_loads(json_string_value(q), 0, NULL) : NULL;
        const char *m = jstr(parsed, "method");
        bool w = m != NULL && (strcmp(m, "limit") == 0 || strcmp(m, "offset") == 0 ||
                               strcmp(m, "cursorAfter") == 0 || strcmp(m, "cursorBefore") == 0);
        json_decref(parsed);
        if (w)
            return true;
    }
    return false;
}

/* A staged bulk update or delete meets documents it selects changed since. Queries with a window
 * of their own are looked at as given; otherwise only the documents changed since are fetched. */
static int check_bulk(applier_t *ap, const json_t *op, const json_t *queries, cw_db_error_t *err)
{
    const char *staged = jstr(op, "stagedAt");
    if (!ap->strict || staged == NULL)
        return 0;
    json_t *q = json_is_array(queries) ? json_deep_copy(queries) : json_array();
    if (!windowed(q)) {
        char buf[160];
        snprintf(buf, sizeof(buf),
                 "{\"method\":\"greaterThan\",\"attribute\":\"$updatedAt\",\"values\":[\"%s\"]}",
                 staged);
        json_array_append_new(q, json_string(buf));
        snprintf(buf, sizeof(buf), "{\"method\":\"limit\",\"values\":[%d]}", CONFLICT_SCAN);
        json_array_append_new(q, json_string(buf));
    }
    json_t *list = NULL, *d;
    cw_db_error_t ignored;
    int rc = 0;
    if (cw_db_document_list(ap->db, ap->fam, &key_actor, jstr(op, "databaseId"),
                            jstr(op, "collectionId"), q, false, &list, &ignored) == 0) {
        json_t *docs = json_object_get(list, ap->fam == CW_DB_FAMILY_TABLES ? "rows" : "documents");
        size_t i;
        json_array_foreach(docs, i, d)
        {
            const char *id = jstr(d, "$id");
            if (!touched(ap, op, id) && iso_ms(jstr(d, "$updatedAt")) > iso_ms(staged)) {
                rc = conflict(err, id);
                break;
            }
        }
    }
    json_decref(list);
    json_decref(q);
    return rc;
}

/* The failure of a committed operation as Appwrite reports it from a commit. */
static void map_commit_error(cw_db_error_t *err)
{
    switch (err->type) {
    case CW_ERR_DOCUMENT_NOT_FOUND:
    case CW_ERR_ROW_NOT_FOUND:
        err->type = CW_ERR_DOCUMENT_NOT_FOUND;
        break;
    case CW_ERR_DOCUMENT_ALREADY_EXISTS:
    case CW_ERR_ROW_ALREADY_EXISTS:
    case CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION:
    case CW_ERR_ROW_UNIQUE_CONSTRAINT_VIOLATION:
    case CW_ERR_DOCUMENT_UPDATE_CONFLICT:
    case CW_ERR_ROW_UPDATE_CONFLICT:
        err->type = CW_ERR_TRANSACTION_CONFLICT;
        break;
    case CW_ERR_ROW_INVALID_STRUCTURE:
        err->type = CW_ERR_DOCUMENT_INVALID_STRUCTURE;
        break;
    case CW_ERR_COLUMN_LIMIT_EXCEEDED:
        err->type = CW_ERR_ATTRIBUTE_LIMIT_EXCEEDED;
        break;
    case CW_ERR_DATABASE_TIMEOUT:
        err->type = CW_ERR_TRANSACTION_FAILED;
        break;
    default:
        break;
    }
}

/* A document's data and its "$permissions" (NULL when not given) out of an operation's data. */
static json_t *split_data(const json_t *data, json_t **perms)
{
    json_t *d = json_is_object(data) ? json_deep_copy(data) : json_object();
    *perms = json_incref(json_object_get(d, "$permissions"));
    json_object_del(d, "$permissions");
    json_object_del(d, "$id");
    return d;
}

/* Applies one operation on ap's connection (inside the caller's batch). *out: what the document
 * call answered (NULL for a delete). */
static int apply_op(applier_t *ap, const json_t *op, json_t **out, cw_db_error_t *err)
{
    const char *action = jstr(op, "action"), *dbid = jstr(op, "databaseId");
    const char *cid = jstr(op, "collectionId"), *id = jstr(op, "documentId");
    const json_t *data = json_object_get(op, "data");
    cw_db_t *db = ap->db;
    json_t *d = NULL, *perms = NULL;
    int rc = -1;
    *out = NULL;
    if (ap->strict) {
        /* The collection must still be the one the operation was staged for. */
        const cw_collection_t *c;
        if (cw__db_txn_target(db, ap->fam, &key_actor, dbid, cid, &c, err) != 0)
            return -1;
        if (c->database_seq != jint(op, "databaseInternalId") ||
            c->seq != jint(op, "collectionInternalId"))
            return fail(err, CW_ERR_COLLECTION_NOT_FOUND,
                        "Collection with ID '%s' could not be found: it was deleted after the "
                        "operation was staged.",
                        cid);
    }
    if (strcmp(action, "create") == 0) {
        d = split_data(data, &perms);
        const char *did = id != NULL ? id : jstr(data, "$id");
        rc = cw_db_document_create(db, ap->fam, ap->actor, dbid, cid,
                                   did != NULL ? did : "unique()", d, perms, out, err);
        if (rc == 0)
            touch(ap, op, jstr(*out, "$id"));
    } else if (strcmp(action, "update") == 0 || strcmp(action, "upsert") == 0) {
        if (check_one(ap, op, id, err) != 0)
            return -1;
        d = split_data(data, &perms);
        rc = strcmp(action, "update") == 0
                 ? cw_db_document_update(db, ap->fam, ap->actor, dbid, cid, id, d, perms, out, err)
                 : cw_db_document_upsert(db, ap->fam, ap->actor, dbid, cid, id, d, perms, out, err);
        if (rc == 0)
            touch(ap, op, id);
    } else if (strcmp(action, "delete") == 0) {
        if (check_one(ap, op, id, err) != 0)
            return -1;
        rc = cw_db_document_delete(db, ap->fam, ap->actor, dbid, cid, id, err);
        if (rc == 0)
            touch(ap, op, id);
    } else if (strcmp(action, "increment") == 0 || strcmp(action, "decrement") == 0) {
        bool up = action[0] == 'i';
        json_t *cur = NULL;
        cw_db_error_t ignored;
        if (cw_db_document_get(db, ap->fam, &key_actor, dbid, cid, id, NULL, &cur, &ignored) != 0)
            return fail(err,
                        ap->fam == CW_DB_FAMILY_TABLES ? CW_ERR_ROW_NOT_FOUND
                                                       : CW_ERR_DOCUMENT_NOT_FOUND,
                        "%s with ID '%s' could not be found.",
                        ap->fam == CW_DB_FAMILY_TABLES ? "Row" : "Document", id != NULL ? id : "");
        json_decref(cur);
        if (check_one(ap, op, id, err) != 0)
            return -1;
        const char *attr = jstr(data, "attribute");
        if (attr == NULL)
            attr = jstr(data, "column");
        const json_t *value = json_object_get(data, "value");
        double by = json_is_number(value) ? json_number_value(value) : 1;
        json_t *limit = json_object_get(data, up ? "max" : "min");
        rc = cw_db_document_increment(db, ap->fam, ap->actor, dbid, cid, id, attr, up ? by : -by,
                                      json_is_null(limit) ? NULL : limit, out, err);
        if (rc == 0)
            touch(ap, op, id);
    } else if (strcmp(action, "bulkCreate") == 0 || strcmp(action, "bulkUpsert") == 0) {
        bool upsert = strcmp(action, "bulkUpsert") == 0;
        size_t i;
        const json_t *item;
        json_array_foreach(upsert ? data : NULL, i, item)
        {
            if (check_one(ap, op, jstr(item, "$id"), err) != 0)
                return -1;
        }
        rc = upsert ? cw_db_documents_upsert(db, ap->fam, ap->actor, dbid, cid, (json_t *)data, out,
                                             err)
                    : cw_db_documents_create(db, ap->fam, ap->actor, dbid, cid, (json_t *)data, out,
                                             err);
        if (rc == 0)
            touch_all(ap, op, *out);
    } else if (strcmp(action, "bulkUpdate") == 0 || strcmp(action, "bulkDelete") == 0) {
        bool update = strcmp(action, "bulkUpdate") == 0;
        json_t *queries = json_object_get(data, "queries");
        if (check_bulk(ap, op, queries, err) != 0)
            return -1;
        rc = update ? cw_db_documents_update(db, ap->fam, ap->actor, dbid, cid,
                                             json_object_get(data, "data"), queries, out, err)
                    : cw_db_documents_delete(db, ap->fam, ap->actor, dbid, cid, queries, out, err);
        if (rc == 0)
            touch_all(ap, op, *out);
    } else {
        rc = fail(err, CW_ERR_GENERAL_BAD_REQUEST, "Unknown operation \"%s\".", action);
    }
    json_decref(d);
    json_decref(perms);
    return rc;
}

/* Replays stored operations as an API key would, skipping any that fails now: the transaction's
 * view of the data, inside the caller's batch. */
static void replay(cw_db_t *db, cw_db_family_t fam, const json_t *logs, applier_t *ap)
{
    size_t i;
    const json_t *log;
    *ap = (applier_t){.db = db, .fam = fam, .actor = &key_actor, .touched = json_object()};
    json_array_foreach(logs, i, log)
    {
        json_t *op = op_of_log(log), *out = NULL;
        cw_db_error_t ignored;
        apply_op(ap, op, &out, &ignored);
        json_decref(out);
        json_decref(op);
    }
}

/* Commit and rollback -------------------------------------------------------------------------- */

/* Marks a transaction failed and drops its operations, in a transaction of its own. */
static void mark_failed(store_t *s, const char *id)
{
    json_t *txn = NULL;
    cw_db_error_t ignored;
    if (cw_db_batch_begin(s->db, &ignored) != 0)
        return;
    if (s->a->ops->doc_get(s->a, s->txns, id, &txn, &ignored) == CW_OK) {
        json_object_set_new(txn, "status", json_string("failed"));
        if (txn_save(s, txn, &ignored) != 0 ||
            logs_drop(s, jint(txn, "$sequence"), &ignored) != 0) {
            cw_db_batch_rollback(s->db);
            json_decref(txn);
            return;
        }
    }
    json_decref(txn);
    cw_db_batch_commit(s->db, &ignored);
}

/* What Appwrite emits for an applied operation (its commit's events), appended to changes: the
 * document written, or for a delete what was staged with it (nothing when nothing was). */
static void note_change(json_t *changes, const json_t *op, const json_t *res)
{
    const char *action = jstr(op, "action"), *kind = NULL;
    json_t *doc = NULL;
    if (strcmp(action, "create") == 0) {
        kind = "create";
    } else if (strcmp(action, "update") == 0 || strcmp(action, "upsert") == 0 ||
               strcmp(action, "increment") == 0 || strcmp(action, "decrement") == 0) {
        kind = "update";
    } else if (strcmp(action, "delete") == 0) {
        const json_t *data = json_object_get(op, "data");
        const char *id = jstr(op, "documentId");
        if (id == NULL || json_object_size(data) == 0)
            return;
        doc = json_deep_copy(data);
        json_object_set_new(doc, "$id", json_string(id));
        kind = "delete";
    }
    if (kind == NULL)
        return; /* bulk operations: Appwrite names no document */
    if (doc == NULL) {
        if (!json_is_object(res))
            return;
        doc = json_incref((json_t *)res);
    }
    json_array_append_new(changes, json_pack("{s:s,s:O,s:O,s:o}", "action", kind, "databaseId",
                                             json_object_get(op, "databaseId"), "collectionId",
                                             json_object_get(op, "collectionId"), "document", doc));
}

int cw_db_transaction_commit(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                             const char *id, json_t **out, cw_db_error_t *err)
{
    return cw_db_transaction_commit_changes(db, fam, actor, id, out, NULL, err);
}

int cw_db_transaction_commit_changes(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                                     const char *id, json_t **out, json_t **changes,
                                     cw_db_error_t *err)
{
    store_t s;
    json_t *txn = NULL, *logs = NULL, *log, *noted = changes != NULL ? json_array() : NULL;
    applier_t ap = {.db = db, .fam = fam, .actor = actor, .strict = true, .touched = json_object()};
    bool failed = false;
    int rc = -1;
    if (store_open(db, &s, err) != 0)
        goto done;
    if (cw_db_batch_begin(db, err) != 0)
        goto out;
    if (txn_load(&s, actor, id, &txn, err) != 0 || txn_usable(txn, USE_FINISH, err) != 0 ||
        logs_of(&s, jint(txn, "$sequence"), &logs, err) != 0)
        goto undo;
    size_t i;
    json_array_foreach(logs, i, log)
    {
        json_t *op = op_of_log(log), *res = NULL;
        int arc = apply_op(&ap, op, &res, err);
        if (arc == 0 && noted != NULL)
            note_change(noted, op, res);
        json_decref(res);
        json_decref(op);
        if (arc != 0) {
            map_commit_error(err);
            failed = true;
            goto undo;
        }
    }
    json_object_set_new(txn, "status", json_string("committed"));
    if (txn_save(&s, txn, err) != 0 || logs_drop(&s, jint(txn, "$sequence"), err) != 0)
        goto undo;
    if (cw_db_batch_commit(db, err) != 0) {
        /* Nothing was written: the transaction is failed, as its writes could not land. */
        err->type = CW_ERR_TRANSACTION_FAILED;
        failed = true;
        goto out;
    }
    *out = txn_model(txn);
    if (changes != NULL) {
        *changes = noted;
        noted = NULL;
    }
    rc = 0;
    goto out;
undo:
    cw_db_batch_rollback(db);
out:
    if (failed)
        mark_failed(&s, id);
    store_close(&s);
done:
    json_decref(noted);
    json_decref(ap.touched);
    json_decref(logs);
    json_decref(txn);
    return rc;
}

int cw_db_transaction_rollback(cw_db_t *db, const cw_db_actor_t *actor, const char *id,
                               json_t **out, cw_db_error_t *err)
{
    store_t s;
    json_t *txn = NULL;
    int rc = -1;
    if (store_open(db, &s, err) != 0)
        return -1;
    if (cw_db_batch_begin(db, err) != 0)
        goto out;
    if (txn_load(&s, actor, id, &txn, err) != 0 || txn_usable(txn, USE_FINISH, err) != 0) {
        cw_db_batch_rollback(db);
        goto out;
    }
    json_object_set_new(txn, "status", json_string("failed"));
    if (txn_save(&s, txn, err) != 0 || logs_drop(&s, jint(txn, "$sequence"), err) != 0) {
        cw_db_batch_rollback(db);
        goto out;
    }
    if (cw_db_batch_commit(db, err) != 0)
        goto out;
    *out = txn_model(txn);
    rc = 0;
out:
    json_decref(txn);
    store_close(&s);
    return rc;
}

/* Staging -------------------------------------------------------------------------------------- */

static const char *const actions[] = {"create",     "update",    "upsert",     "delete",
                                      "increment",  "decrement", "bulkCreate", "bulkUpdate",
                                      "bulkUpsert", "bulkDelete"};

static bool needs_document(const char *action)
{
    return !is_bulk(action);
}

static int bad_operation(cw_db_error_t *err, size_t index, const char *why)
{
    return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID,
                "Invalid `operations` param: operation %zu is not valid: %s", index, why);
}

static bool nonempty_string(const json_t *v)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return true;
    }
    return false;
}

/* One createOperations item in fam's wire form checked and turned into the form staging takes:
 * {action, databaseId, collectionId, documentId?, data}. */
static int op_from_wire(cw_db_family_t fam, const json_t *in, size_t index, json_t **out,
                        cw_db_error_t *err)
{
    const char *ckey = fam == CW_DB_FAMILY_TABLES ? "tableId" : "collectionId";
    const char *dkey = fam == CW_DB_FAMILY_TABLES ? "rowId" : "documentId";
    const char *akey = fam == CW_DB_FAMILY_TABLES ? "column" : "attribute";
    char why[160];
    *out = NULL;
    if (!json_is_object(in))
        return bad_operation(err, index, "it must be an object.");
    const char *required[] = {"databaseId", "action", ckey};
    for (size_t i = 0; i < NELEM(required); i++) {
        if (!nonempty_string(json_object_get(in, required[i]))) {
            snprintf(why, sizeof(why), "\"%s\" must be a non-empty string.", required[i]);
            return bad_operation(err, index, why);
        }
    }
    const char *action = jstr(in, "action");
    bool known = false;
    for (size_t i = 0; i < NELEM(actions) && !known; i++)
        known = strcmp(action, actions[i]) == 0;
    if (!known)
        return bad_operation(err, index,
                             "\"action\" must be one of create, update, upsert, delete, "
                             "increment, decrement, bulkCreate, bulkUpdate, bulkUpsert, "
                             "bulkDelete.");
    const json_t *doc = json_object_get(in, dkey);
    if ((needs_document(action) || doc != NULL) && !nonempty_string(doc)) {
        snprintf(why, sizeof(why), "\"%s\" must be a non-empty string for \"%s\".", dkey, action);
        return bad_operation(err, index, why);
    }
    const json_t *data = json_object_get(in, "data");
    bool is_list = json_is_array(data), is_map = json_is_object(data);
    if (strcmp(action, "delete") != 0 && data == NULL)
        return bad_operation(err, index, "\"data\" is missing.");
    if (data != NULL && !is_list && !is_map)
        return bad_operation(err, index, "\"data\" must be an object or an array.");
    json_t *norm = NULL;
    if (strcmp(action, "bulkCreate") == 0 || strcmp(action, "bulkUpsert") == 0) {
        size_t i;
        const json_t *item;
        if (!is_list && json_object_size(data) > 0)
            return bad_operation(err, index, "\"data\" must be an array of documents.");
        json_array_foreach(is_list ? data : NULL, i, item)
        {
            if (!json_is_object(item))
                return bad_operation(err, index, "each document of \"data\" must be an object.");
        }
        norm = is_list ? json_deep_copy(data) : json_array();
    } else if (strcmp(action, "bulkUpdate") == 0 || strcmp(action, "bulkDelete") == 0) {
        if (!is_map || !json_is_array(json_object_get(data, "queries")))
            return bad_operation(err, index, "\"data.queries\" must be an array.");
        const json_t *dd = json_object_get(data, "data");
        if (strcmp(action, "bulkUpdate") == 0 && !json_is_object(dd) &&
            !(json_is_array(dd) && json_array_size(dd) == 0))
            return bad_operation(err, index, "\"data.data\" must be an object.");
        norm = json_deep_copy(data);
        if (json_is_array(dd))
            json_object_set_new(norm, "data", json_object());
    } else {
        if (is_list && json_array_size(data) > 0)
            return bad_operation(err, index, "\"data\" must be an object.");
        norm = is_map ? json_deep_copy(data) : json_object();
        if (strcmp(action, "increment") == 0 || strcmp(action, "decrement") == 0) {
            const json_t *value = json_object_get(norm, "value");
            if (!json_is_string(json_object_get(norm, akey)) &&
                !json_is_string(
                    json_object_get(norm, fam == CW_DB_FAMILY_TABLES ? "attribute" : "column"))) {
                json_decref(norm);
                snprintf(why, sizeof(why), "\"data.%s\" is required for \"%s\".", akey, action);
                return bad_operation(err, index, why);
            }
            if (value != NULL && !json_is_number(value)) {
                json_decref(norm);
                return bad_operation(err, index, "\"data.value\" must be a number.");
            }
        }
    }
    json_t *op = json_object();
    json_object_set_new(op, "action", json_string(action));
    json_object_set(op, "databaseId", json_object_get(in, "databaseId"));
    json_object_set(op, "collectionId", json_object_get(in, ckey));
    if (doc != NULL)
        json_object_set(op, "documentId", (json_t *)doc);
    json_object_set_new(op, "data", norm);
    *out = op;
    return 0;
}

static const char *docs_plural(cw_db_family_t fam)
{
    return fam == CW_DB_FAMILY_TABLES ? "rows" : "documents";
}

/* What a route answers for a staged single write when the dry run could not make the document:
 * the document as the transaction sees it (if any) with the data over it. */
static json_t *mock_document(cw_db_family_t fam, const json_t *op, const json_t *before)
{
    json_t *m = before != NULL ? json_deep_copy(before) : json_object();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(op, "data"), k, v)
    {
        if (k[0] != '$' || strcmp(k, "$permissions") == 0)
            json_object_set(m, k, v);
    }
    json_object_set(m, "$id", json_object_get(op, "documentId"));
    json_object_set(m, fam == CW_DB_FAMILY_TABLES ? "$tableId" : "$collectionId",
                    json_object_get(op, "collectionId"));
    json_object_set(m, "$databaseId", json_object_get(op, "databaseId"));
    static const char *const system[] = {"$sequence", "$createdAt", "$updatedAt"};
    for (size_t i = 0; i < NELEM(system); i++) {
        if (json_object_get(m, system[i]) == NULL)
            json_object_set_new(m, system[i], json_string(""));
    }
    if (json_object_get(m, "$permissions") == NULL)
        json_object_set_new(m, "$permissions", json_array());
    return m;
}

/* The transaction n more operations are staged in, if it takes them. */
static int txn_open_for(store_t *s, const cw_db_actor_t *actor, const char *id, use_t use, size_t n,
                        json_t **txn, cw_db_error_t *err)
{
    if (txn_load(s, actor, id, txn, err) != 0 || txn_usable(*txn, use, err) != 0)
        return -1;
    int64_t have = jint(*txn, "operations");
    if (have + (int64_t)n > CW_TXN_OPERATIONS_MAX)
        return fail(err, CW_ERR_TRANSACTION_LIMIT_EXCEEDED,
                    "The transaction holds %" PRId64
                    " operations; %zu more would pass the limit of %d.",
                    have, n, CW_TXN_OPERATIONS_MAX);
    return 0;
}

/* Stages normalised operations (ops, owned by the caller, are changed: generated IDs and default
 * permissions are filled in). results: for a route, receives what it answers. */
static int stage(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor, const char *id,
                 json_t *ops, bool route, json_t **result, json_t **txn_out, cw_db_error_t *err)
{
    store_t s;
    json_t *txn = NULL, *logs = NULL, *created = NULL, *op;
    applier_t ap = {0};
    bool outer = false, inner = false;
    size_t n = json_array_size(ops), i;
    int rc = -1;
    if (store_open(db, &s, err) != 0)
        return -1;
    if (cw_db_batch_begin(db, err) != 0)
        goto out;
    outer = true;
    const char *first = jstr(json_array_get(ops, 0), "action");
    use_t use = route && first != NULL && !is_bulk(first) && strcmp(first, "increment") != 0 &&
                        strcmp(first, "decrement") != 0
                    ? USE_STAGE_ROUTE
                    : USE_STAGE_OTHER;
    /* createOperations looks at the transaction first; a route at its path first (its 404s come
     * before the transaction's), as in Appwrite. */
    if (!route && txn_open_for(&s, actor, id, use, n, &txn, err) != 0)
        goto out;

    /* Where each operation goes, with the 404s of its route (or Appwrite's collection_not_found
     * for createOperations), and who may stage bulk writes. */
    json_array_foreach(ops, i, op)
    {
        const char *action = jstr(op, "action");
        const cw_collection_t *c;
        if (is_bulk(action) && !actor->is_key) {
            fail(err, CW_ERR_USER_UNAUTHORIZED,
                 "Bulk operations in a transaction need an API key.");
            goto out;
        }
        if (cw__db_txn_target(db, fam, actor, jstr(op, "databaseId"), jstr(op, "collectionId"), &c,
                              err) != 0) {
            if (!route && (err->type == CW_ERR_TABLE_NOT_FOUND))
                err->type = CW_ERR_COLLECTION_NOT_FOUND;
            goto out;
        }
        json_object_set_new(op, "databaseInternalId", json_integer(c->database_seq));
        json_object_set_new(op, "collectionInternalId", json_integer(c->seq));
        for (size_t k = 0; is_bulk(action) && k < c->nattrs; k++) {
            if (c->attrs[k].type == CW_ATTR_RELATIONSHIP) {
                fail(err, CW_ERR_GENERAL_BAD_REQUEST,
                     "Bulk operations are not supported on %s with relationship %s.",
                     fam == CW_DB_FAMILY_TABLES ? "tables" : "collections",
                     fam == CW_DB_FAMILY_TABLES ? "columns" : "attributes");
                goto out;
            }
        }
        /* IDs to be made are made now, so every replay and the commit agree on them. */
        const char *did = jstr(op, "documentId");
        char gen[CW_ID_LEN + 1];
        if (did != NULL && strcmp(did, "unique()") == 0 && strcmp(action, "create") == 0) {
            cw_id_unique(gen);
            json_object_set_new(op, "documentId", json_string(gen));
        }
        if (strcmp(action, "bulkCreate") == 0 || strcmp(action, "bulkUpsert") == 0) {
            size_t k;
            json_t *item;
            json_array_foreach(json_object_get(op, "data"), k, item)
            {
                const json_t *iid = json_object_get(item, "$id");
                if (iid == NULL || json_is_null(iid) ||
                    (json_is_string(iid) && strcmp(json_string_value(iid), "unique()") == 0)) {
                    cw_id_unique(gen);
                    json_object_set_new(item, "$id", json_string(gen));
                }
            }
        }
    }

    if (route && txn_open_for(&s, actor, id, use, n, &txn, err) != 0)
        goto out;
    int64_t have = jint(txn, "operations");

    /* The dry run: the transaction's view, then each new operation on it, as the caller, so
     * staging refuses what the caller may not do and what needs a document that is not there.
     * Everything else (structure, unique values) is the commit's to find, as in Appwrite. */
    if (logs_of(&s, jint(txn, "$sequence"), &logs, err) != 0 || cw_db_batch_begin(db, err) != 0)
        goto out;
    inner = true;
    replay(db, fam, logs, &ap);
    ap.actor = actor;
    created = json_object();
    json_array_foreach(ops, i, op)
    {
        const char *action = jstr(op, "action"), *did = jstr(op, "documentId");
        json_t *before = NULL, *res = NULL, *data = json_object_get(op, "data");
        cw_db_error_t ignored, aerr = {0};
        char key[160];
        touched_key(op, did, key, sizeof(key));
        if (!is_bulk(action) && strcmp(action, "create") != 0) {
            bool exists =
                cw_db_document_get(db, fam, &key_actor, jstr(op, "databaseId"),
                                   jstr(op, "collectionId"), did, NULL, &before, &ignored) == 0;
            if (!exists && strcmp(action, "upsert") != 0 && json_object_get(created, key) == NULL) {
                fail(err,
                     route && fam == CW_DB_FAMILY_TABLES ? CW_ERR_ROW_NOT_FOUND
                                                         : CW_ERR_DOCUMENT_NOT_FOUND,
                     "%s with ID '%s' could not be found.",
                     route && fam == CW_DB_FAMILY_TABLES ? "Row" : "Document", did);
                goto out;
            }
            if (!exists && strcmp(action, "upsert") == 0 && json_is_object(data) &&
                json_object_get(data, "$permissions") == NULL)
                json_object_set_new(data, "$permissions", user_permissions(actor));
        }
        if (strcmp(action, "create") == 0 && json_is_object(data) &&
            json_object_get(data, "$permissions") == NULL)
            json_object_set_new(data, "$permissions", user_permissions(actor));
        if (strcmp(action, "create") == 0)
            json_object_set_new(created, key, json_true());
        int arc = apply_op(&ap, op, &res, &aerr);
        if (arc != 0 && aerr.type == CW_ERR_USER_UNAUTHORIZED) {
            json_decref(before);
            *err = aerr;
            goto out;
        }
        if (route && result != NULL) {
            if (is_bulk(action)) {
                *result = json_object();
                bool counted =
                    strcmp(action, "bulkCreate") == 0 || strcmp(action, "bulkUpsert") == 0;
                json_object_set_new(*result, "total",
                                    json_integer(counted ? (json_int_t)json_array_size(data) : 0));
                json_object_set_new(*result, docs_plural(fam), json_array());
            } else if (strcmp(action, "delete") != 0) {
                *result =
                    arc == 0 && res != NULL ? json_incref(res) : mock_document(fam, op, before);
                if (strcmp(action, "create") == 0) {
                    /* Not written yet: no sequence, no dates. */
                    json_object_set_new(*result, "$sequence", json_string(""));
                    json_object_set_new(*result, "$createdAt", json_string(""));
                    json_object_set_new(*result, "$updatedAt", json_string(""));
                }
            }
        }
        json_decref(res);
        json_decref(before);
    }
    cw_db_batch_rollback(db);
    inner = false;

    /* Stage them, and count them, in the same transaction. */
    char now[CW_TIME_ISO_LEN];
    now_iso(now);
    json_array_foreach(ops, i, op)
    {
        char lid[CW_ID_LEN + 1];
        cw_id_unique(lid);
        char *text = json_dumps(json_object_get(op, "data"), JSON_COMPACT | JSON_ENCODE_ANY);
        if (text == NULL || strlen(text) > DATA_MAX) {
            free(text);
            fail(err, CW_ERR_GENERAL_BAD_REQUEST, "The data of operation %zu is too large.", i);
            goto out;
        }
        json_t *log = json_object();
        json_object_set_new(log, "$id", json_string(lid));
        json_object_set_new(log, "$createdAt", json_string(now));
        json_object_set_new(log, "$updatedAt", json_string(now));
        json_object_set_new(log, "$permissions", json_array());
        json_object_set_new(log, "transactionInternalId", json_integer(jint(txn, "$sequence")));
        json_object_set(log, "action", json_object_get(op, "action"));
        json_object_set(log, "databaseInternalId", json_object_get(op, "databaseInternalId"));
        json_object_set(log, "databaseId", json_object_get(op, "databaseId"));
        json_object_set(log, "collectionInternalId", json_object_get(op, "collectionInternalId"));
        json_object_set(log, "collectionId", json_object_get(op, "collectionId"));
        json_t *did = json_object_get(op, "documentId");
        json_object_set_new(log, "documentId", did != NULL ? json_incref(did) : json_null());
        json_object_set_new(log, "data", json_string(text));
        free(text);
        int64_t seq;
        int irc = s.a->ops->doc_insert(s.a, s.logs, log, &seq, err);
        json_decref(log);
        if (irc != CW_OK)
            goto out;
    }
    json_object_set_new(txn, "operations", json_integer(have + (int64_t)n));
    if (txn_save(&s, txn, err) != 0)
        goto out;
    outer = false;
    if (cw_db_batch_commit(db, err) != 0)
        goto out;
    if (txn_out != NULL)
        *txn_out = txn_model(txn);
    rc = 0;
out:
    if (inner)
        cw_db_batch_rollback(db);
    if (outer)
        cw_db_batch_rollback(db);
    if (rc != 0 && result != NULL) {
        json_decref(*result);
        *result = NULL;
    }
    json_decref(ap.touched);
    json_decref(created);
    json_decref(logs);
    json_decref(txn);
    store_close(&s);
    return rc;
}

int cw_db_transaction_operations_create(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                                        const char *id, json_t *operations, json_t **out,
                                        cw_db_error_t *err)
{
    json_t *ops = json_array(), *item;
    size_t i;
    int rc = -1;
    if (!json_is_array(operations) || json_array_size(operations) == 0) {
        fail(err, CW_ERR_GENERAL_BAD_REQUEST, "Give at least one operation.");
        goto out;
    }
    json_array_foreach(operations, i, item)
    {
        json_t *op;
        if (op_from_wire(fam, item, i, &op, err) != 0)
            goto out;
        json_array_append_new(ops, op);
    }
    rc = stage(db, fam, actor, id, ops, false, NULL, out, err);
out:
    json_decref(ops);
    return rc;
}

int cw_db_transaction_stage(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                            const char *id, json_t *op, json_t **result, cw_db_error_t *err)
{
    json_t *ops = json_array(), *copy = json_deep_copy(op);
    if (!json_is_object(json_object_get(copy, "data")) &&
        !json_is_array(json_object_get(copy, "data")))
        json_object_set_new(copy, "data", json_object());
    json_array_append_new(ops, copy);
    *result = NULL;
    int rc = stage(db, fam, actor, id, ops, true, result, NULL, err);
    json_decref(ops);
    return rc;
}

/* Reads ---------------------------------------------------------------------------------------- */

/* Opens a batch holding the transaction's view of the data; the caller reads, then rolls it
 * back. As in Appwrite, the transaction ID is all it takes (the read itself is still the
 * caller's, with its permissions), and one that is missing or finished shows what is committed. */
static int view_open(cw_db_t *db, cw_db_family_t fam, const char *id, cw_db_error_t *err)
{
    store_t s;
    json_t *txn = NULL, *logs = NULL;
    applier_t ap = {0};
    cw_db_error_t ignored;
    if (store_open(db, &s, err) != 0)
        return -1;
    int rc = cw_db_batch_begin(db, err);
    if (rc == 0 && txn_load(&s, &key_actor, id, &txn, &ignored) == 0 &&
        strcmp(jstr(txn, "status") != NULL ? jstr(txn, "status") : "", "pending") == 0) {
        if (logs_of(&s, jint(txn, "$sequence"), &logs, err) != 0) {
            cw_db_batch_rollback(db);
            rc = -1;
        } else {
            replay(db, fam, logs, &ap);
        }
    }
    json_decref(ap.touched);
    json_decref(logs);
    json_decref(txn);
    store_close(&s);
    return rc;
}

int cw_db_transaction_document_get(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                                   const char *id, const char *database_id,
                                   const char *collection_id, const char *document_id,
                                   json_t *queries, json_t **out, cw_db_error_t *err)
{
    if (view_open(db, fam, id, err) != 0)
        return -1;
    int rc = cw_db_document_get(db, fam, actor, database_id, collection_id, document_id, queries,
                                out, err);
    cw_db_batch_rollback(db);
    return rc;
}

int cw_db_transaction_document_list(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                                    const char *id, const char *database_id,
                                    const char *collection_id, json_t *queries, bool with_total,
                                    json_t **out, cw_db_error_t *err)
{
    if (view_open(db, fam, id, err) != 0)
        return -1;
    int rc = cw_db_document_list(db, fam, actor, database_id, collection_id, queries, with_total,
                                 out, err);
    cw_db_batch_rollback(db);
    return rc;
}
