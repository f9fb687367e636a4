/*
 * The document database over an adapter (db/adapter.h). Like Appwrite, metadata is kept as
 * documents of internal collections stored the same way as user data:
 *
 *   databases            one document per database
 *   database_<seq>       one per database: its collections (their permissions are the
 *                        collection's permissions)
 *   attributes, indexes  one document per attribute / index, $id "<dbseq>_<collseq>_<key>"
 *   database_<dbseq>_collection_<collseq>   the documents of a collection
 *
 * so lists of databases, collections, attributes and indexes get the same queries, cursors and
 * counts as documents. What is Appwrite's lives here: validation (db/structure.c), defaults, error
 * types of each family, permissions, and the models. What is SQL lives in the adapter.
 *
 * Caches, all per connection (a cw_db_t is one thread's): databases and collection schemas,
 * dropped when the store's metadata version moves; and a direct-mapped cache of documents by ID,
 * dropped whenever another connection commits (the adapter says so) and entry by entry on our own
 * writes.
 */
#include "db/database.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "db/adapter.h"
#include "db/internal.h"
#include "db/permission.h"
#include "db/query.h"
#include "db/relationships.h"
#include "db/spatial.h"
#include "db/operators.h"
#include "db/structure.h"
#include "db/transactions.h"

#define LIMIT_COUNT 5000 /* APP_LIMIT_COUNT: totals stop counting here */
#define LIST_DEFAULT 25  /* APP_LIMIT_LIST_DEFAULT */
#define ID_MAX 36        /* the SQL adapters' getMaxUIDLength */
#define NAME_MAX_LEN 128
#define ATTR_LIMIT 1017      /* MariaDB's columns per table, as Appwrite counts them */
#define SYSTEM_ATTRS 7       /* Database::INTERNAL_ATTRIBUTES */
#define ROW_WIDTH_MAX 65535  /* MariaDB's row size, as Appwrite estimates it */
#define ROW_WIDTH_BASE 1067  /* the system columns' share */
#define INDEX_LIMIT (64 - 6) /* MariaDB's indexes per table less Appwrite's own */
#define INDEX_LENGTH_MAX 768 /* getMaxIndexLength */
#define STRING_SIZE_MAX 1073741824LL
#define VARCHAR_SIZE_MAX 16381
#define ENUM_ELEMENTS_MAX 100
#define ELEMENT_LEN_MAX 255
#define DOC_SLOTS 4096
#define COLL_CACHE_MAX 256

typedef struct coll_entry {
    int64_t db_seq;
    char *id;
    cw_collection_t *c;
} coll_entry_t;

typedef struct doc_slot {
    int64_t db_seq, coll_seq;
    char *id;
    json_t *doc; /* stored form */
} doc_slot_t;

struct cw_db {
    cw_dba_t *a;
    cw_collection_t *m_databases;
    cw_collection_t *m_collections; /* table switched to database_<seq> per use */
    cw_collection_t *m_attributes;
    cw_collection_t *m_indexes;
    char coll_table[48];
    int64_t meta_version;
    bool meta_dirty;
    json_t *dbs; /* database ID -> stored document */
    coll_entry_t colls[COLL_CACHE_MAX];
    size_t ncolls;
    doc_slot_t *docs;
    char *store_key; /* data_dir/project_id: which connections may commit together */
    cw_db_hub_t *hub;
    struct gc_group *group;
    int batch; /* open cw_db_batch_begin calls: writes run here, not in a group commit */
    /* Open cw__db_internal_enter calls: only then is the reserved database of the project's own
     * data (db/internal.c) reachable, and writes run on this connection. */
    int internal;
    /* relationships.c: the nested work under way. */
    cw_rel_state_t rel;
};

/* Family words and error types --------------------------------------------------------------- */

typedef struct family {
    const char *collection, *Collection, *document, *Document, *attribute, *attributes;
    const char *collection_param, *document_param, *collection_key, *security;
    cw_err_t coll_not_found, coll_exists, doc_not_found, doc_exists, doc_invalid, doc_unique,
        doc_missing_payload, attr_not_found, attr_exists, attr_limit, attr_default_unsupported,
        attr_value_invalid, attr_type_invalid, attr_resize, attr_unknown, attr_not_available,
        attr_type_unsupported, index_not_found, index_exists, index_limit, index_invalid;
} family_t;

static const family_t families[] = {
    [CW_DB_FAMILY_COLLECTIONS] = {"collection",
                                  "Collection",
                                  "document",
                                  "Document",
                                  "attribute",
                                  "attributes",
                                  "collectionId",
                                  "documentId",
                                  "$collectionId",
                                  "documentSecurity",
                                  CW_ERR_COLLECTION_NOT_FOUND,
                                  CW_ERR_COLLECTION_ALREADY_EXISTS,
                                  CW_ERR_DOCUMENT_NOT_FOUND,
                                  CW_ERR_DOCUMENT_ALREADY_EXISTS,
                                  CW_ERR_DOCUMENT_INVALID_STRUCTURE,
                                  CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION,
                                  CW_ERR_DOCUMENT_MISSING_PAYLOAD,
                                  CW_ERR_ATTRIBUTE_NOT_FOUND,
                                  CW_ERR_ATTRIBUTE_ALREADY_EXISTS,
                                  CW_ERR_ATTRIBUTE_LIMIT_EXCEEDED,
                                  CW_ERR_ATTRIBUTE_DEFAULT_UNSUPPORTED,
                                  CW_ERR_ATTRIBUTE_VALUE_INVALID,
                                  CW_ERR_ATTRIBUTE_TYPE_INVALID,
                                  CW_ERR_ATTRIBUTE_INVALID_RESIZE,
                                  CW_ERR_ATTRIBUTE_UNKNOWN,
                                  CW_ERR_ATTRIBUTE_NOT_AVAILABLE,
                                  CW_ERR_ATTRIBUTE_TYPE_NOT_SUPPORTED,
                                  CW_ERR_INDEX_NOT_FOUND,
                                  CW_ERR_INDEX_ALREADY_EXISTS,
                                  CW_ERR_INDEX_LIMIT_EXCEEDED,
                                  CW_ERR_INDEX_INVALID},
    [CW_DB_FAMILY_TABLES] = {"table",
                             "Table",
                             "row",
                             "Row",
                             "column",
                             "columns",
                             "tableId",
                             "rowId",
                             "$tableId",
                             "rowSecurity",
                             CW_ERR_TABLE_NOT_FOUND,
                             CW_ERR_TABLE_ALREADY_EXISTS,
                             CW_ERR_ROW_NOT_FOUND,
                             CW_ERR_ROW_ALREADY_EXISTS,
                             CW_ERR_ROW_INVALID_STRUCTURE,
                             CW_ERR_ROW_UNIQUE_CONSTRAINT_VIOLATION,
                             CW_ERR_ROW_MISSING_PAYLOAD,
                             CW_ERR_COLUMN_NOT_FOUND,
                             CW_ERR_COLUMN_ALREADY_EXISTS,
                             CW_ERR_COLUMN_LIMIT_EXCEEDED,
                             CW_ERR_COLUMN_DEFAULT_UNSUPPORTED,
                             CW_ERR_COLUMN_VALUE_INVALID,
                             CW_ERR_COLUMN_TYPE_INVALID,
                             CW_ERR_COLUMN_INVALID_RESIZE,
                             CW_ERR_COLUMN_UNKNOWN,
                             CW_ERR_COLUMN_NOT_AVAILABLE,
                             CW_ERR_COLUMN_TYPE_NOT_SUPPORTED,
                             CW_ERR_COLUMN_INDEX_NOT_FOUND,
                             CW_ERR_COLUMN_INDEX_ALREADY_EXISTS,
                             CW_ERR_COLUMN_INDEX_LIMIT_EXCEEDED,
                             CW_ERR_COLUMN_INDEX_INVALID},
};

static const family_t *fam_of(cw_db_family_t fam)
{
    return &families[fam == CW_DB_FAMILY_TABLES ? CW_DB_FAMILY_TABLES : CW_DB_FAMILY_COLLECTIONS];
}

static int fail(cw_db_error_t *err, cw_err_t type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(cw_db_error_t *err, cw_err_t type, const char *fmt, ...)
{
    if (err != NULL) {
        err->type = type;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The rule of utopia's Key, UID and CustomId validators, in our words. */
#define KEY_RULE                                                                                   \
    "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, "     \
    "and underscore. Can't start with a special char"

static bool id_ok(const char *id)
{
    return id != NULL && cw_id_valid(cw_str(id), ID_MAX);
}

/* The reserved database of db/internal.c, while the internal layer has the connection. */
static bool id_internal(const cw_db_t *db, const char *id)
{
    return db->internal > 0 && id != NULL && strcmp(id, CW_DB_INTERNAL_DATABASE) == 0;
}

static int check_uid(const char *param, const char *id, cw_db_error_t *err)
{
    if (id_ok(id))
        return 0;
    return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, "Invalid `%s` param: %s", param, KEY_RULE);
}

/* A new resource's ID: "unique()" makes one. */
static int custom_id(const char *param, const char *id, char out[CW_ID_MAX_LEN + 1],
                     cw_db_error_t *err)
{
    if (id != NULL && strcmp(id, "unique()") == 0) {
        cw_id_unique(out);
        return 0;
    }
    if (check_uid(param, id, err) != 0)
        return -1;
    snprintf(out, CW_ID_MAX_LEN + 1, "%s", id);
    return 0;
}

static int check_name(const char *name, cw_db_error_t *err)
{
    size_t n = name != NULL ? cw_utf8_count(name, strlen(name)) : 0;
    if (name == NULL || n < 1 || n > NAME_MAX_LEN)
        return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID,
                    "Invalid `name` param: Value must be a valid string and at least 1 chars and "
                    "no longer than %d chars",
                    NAME_MAX_LEN);
    return 0;
}

/* Small JSON helpers ----------------------------------------------------------------------------
 */

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

static int64_t jseq(const json_t *doc)
{
    const char *s = json_string_value(json_object_get(doc, "$sequence"));
    return s != NULL ? strtoll(s, NULL, 10) : 0;
}

static bool jbool(const json_t *o, const char *key, bool fallback)
{
    const json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

static void now_iso(char out[CW_TIME_ISO_LEN])
{
    cw_time_format(cw_time_now_ms(), out);
}

/* Internal collections ---------------------------------------------------------------------- */

typedef struct mattr {
    const char *key;
    const char *type;
    int64_t size;
    bool array;
} mattr_t;

typedef struct mindex {
    const char *key;
    cw_index_type_t type;
    const char *attr;
} mindex_t;

static const mattr_t databases_attrs[] = {
    {"name", "string", 256, false},
    {"enabled", "boolean", 0, false},
    {"type", "string", 128, false},
    {"search", "string", 16384, false},
};
static const mindex_t databases_indexes[] = {{"_fulltext_search", CW_INDEX_FULLTEXT, "search"},
                                             {"_key_name", CW_INDEX_KEY, "name"}};

static const mattr_t collections_attrs[] = {
    {"databaseInternalId", "integer", 8, false},
    {"databaseId", "string", 255, false},
    {"name", "string", 256, false},
    {"enabled", "boolean", 0, false},
    {"documentSecurity", "boolean", 0, false},
    {"search", "string", 16384, false},
};
static const mindex_t collections_indexes[] = {{"_fulltext_search", CW_INDEX_FULLTEXT, "search"},
                                               {"_key_name", CW_INDEX_KEY, "name"}};

static const mattr_t attributes_attrs[] = {
    {"databaseInternalId", "integer", 8, false},
    {"databaseId", "string", 255, false},
    {"collectionInternalId", "integer", 8, false},
    {"collectionId", "string", 255, false},
    {"key", "string", 255, false},
    {"type", "string", 256, false},
    {"status", "string", 16, false},
    {"error", "string", 2048, false},
    {"size", "integer", 8, false},
    {"required", "boolean", 0, false},
    {"signed", "boolean", 0, false},
    {"array", "boolean", 0, false},
    {"format", "string", 64, false},
    {"formatOptions", "string", 16384, false},
    {"filters", "string", 64, true},
    {"default", "string", 16384, false},
    {"options", "string", 16384, false},
};
static const mindex_t attributes_indexes[] = {
    {"_key_collection", CW_INDEX_KEY, "collectionInternalId"}};

static const mattr_t indexes_attrs[] = {
    {"databaseInternalId", "integer", 8, false},
    {"databaseId", "string", 255, false},
    {"collectionInternalId", "integer", 8, false},
    {"collectionId", "string", 255, false},
    {"key", "string", 255, false},
    {"type", "string", 16, false},
    {"status", "string", 16, false},
    {"error", "string", 2048, false},
    {"attributes", "string", 255, true},
    {"lengths", "integer", 8, true},
    {"orders", "string", 4, true},
};
static const mindex_t indexes_indexes[] = {
    {"_key_collection", CW_INDEX_KEY, "collectionInternalId"}};

static cw_attr_type_t attr_type_of(const char *api)
{
    if (strcmp(api, "integer") == 0 || strcmp(api, "bigint") == 0)
        return CW_ATTR_INTEGER;
    if (strcmp(api, "double") == 0)
        return CW_ATTR_FLOAT;
    if (strcmp(api, "boolean") == 0)
        return CW_ATTR_BOOLEAN;
    if (strcmp(api, "datetime") == 0)
        return CW_ATTR_DATETIME;
    if (strcmp(api, "relationship") == 0)
        return CW_ATTR_RELATIONSHIP;
    if (strcmp(api, "point") == 0)
        return CW_ATTR_POINT;
    if (strcmp(api, "linestring") == 0)
        return CW_ATTR_LINE;
    if (strcmp(api, "polygon") == 0)
        return CW_ATTR_POLYGON;
    return CW_ATTR_STRING;
}

static bool size_in_bytes(const char *api)
{
    return strcmp(api, "text") == 0 || strcmp(api, "mediumtext") == 0 ||
           strcmp(api, "longtext") == 0;
}

static cw_collection_t *meta_build(const char *table, const mattr_t *attrs, size_t nattrs,
                                   const mindex_t *idx, size_t nidx)
{
    cw_collection_t *c = cw_calloc(1, sizeof(*c));
    c->id = cw_strdup(table);
    c->table = cw_strdup(table);
    c->name = cw_strdup(table);
    c->enabled = true;
    c->permissions = json_array();
    c->attrs = cw_calloc(nattrs, sizeof(*c->attrs));
    c->nattrs = nattrs;
    for (size_t i = 0; i < nattrs; i++) {
        cw_attr_t *a = &c->attrs[i];
        a->key = cw_strdup(attrs[i].key);
        a->api_type = cw_strdup(attrs[i].type);
        a->type = attr_type_of(attrs[i].type);
        a->size = attrs[i].size;
        a->array = attrs[i].array;
        a->is_signed = true;
        a->status = cw_strdup("available");
        a->error = cw_strdup("");
    }
    c->indexes = cw_calloc(nidx, sizeof(*c->indexes));
    c->nindexes = nidx;
    for (size_t i = 0; i < nidx; i++) {
        cw_index_t *x = &c->indexes[i];
        x->key = cw_strdup(idx[i].key);
        x->type = idx[i].type;
        x->nattrs = 1;
        x->attrs = cw_calloc(1, sizeof(char *));
        x->attrs[0] = cw_strdup(idx[i].attr);
        x->orders = cw_calloc(1, sizeof(char *));
        x->lengths = cw_calloc(1, sizeof(int64_t));
        x->status = cw_strdup("available");
        x->error = cw_strdup("");
    }
    return c;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* An invariant of this layer; stays on in release builds. */
#define CW_DB_ASSERT(x)                                                                            \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            cw_log(CW_LOG_ERROR, "db=database msg=\"assertion failed\" what=\"%s\"", #x);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The metadata collection of one database, whose table is database_<seq>. */
static cw_collection_t *meta_colls(cw_db_t *db, int64_t db_seq)
{
    snprintf(db->coll_table, sizeof(db->coll_table), "database_%" PRId64, db_seq);
    db->m_collections->table = db->coll_table;
    return db->m_collections;
}

/* Caches ----------------------------------------------------------------------------------------
 */

static void meta_cache_clear(cw_db_t *db)
{
    json_object_clear(db->dbs);
    for (size_t i = 0; i < db->ncolls; i++) {
        free(db->colls[i].id);
        cw_collection_free(db->colls[i].c);
    }
    db->ncolls = 0;
}

static void doc_cache_clear(cw_db_t *db)
{
    for (size_t i = 0; i < DOC_SLOTS; i++) {
        if (db->docs[i].doc != NULL) {
            json_decref(db->docs[i].doc);
            free(db->docs[i].id);
            db->docs[i] = (doc_slot_t){0};
        }
    }
}

static size_t doc_slot_of(const cw_collection_t *c, const char *id)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)c->seq ^ ((uint64_t)c->database_seq << 32);
    for (const char *p = id; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (size_t)(h % DOC_SLOTS);
}

static bool doc_slot_is(const doc_slot_t *s, const cw_collection_t *c, const char *id)
{
    return s->doc != NULL && s->coll_seq == c->seq && s->db_seq == c->database_seq &&
           strcmp(s->id, id) == 0;
}

static json_t *doc_cache_get(cw_db_t *db, const cw_collection_t *c, const char *id)
{
    doc_slot_t *s = &db->docs[doc_slot_of(c, id)];
    return doc_slot_is(s, c, id) ? s->doc : NULL;
}

static void doc_cache_put(cw_db_t *db, const cw_collection_t *c, const char *id, json_t *doc)
{
    doc_slot_t *s = &db->docs[doc_slot_of(c, id)];
    if (s->doc != NULL) {
        json_decref(s->doc);
        free(s->id);
    }
    *s = (doc_slot_t){c->database_seq, c->seq, cw_strdup(id), json_incref(doc)};
}

static void doc_cache_drop(cw_db_t *db, const cw_collection_t *c, const char *id)
{
    doc_slot_t *s = &db->docs[doc_slot_of(c, id)];
    if (doc_slot_is(s, c, id)) {
        json_decref(s->doc);
        free(s->id);
        *s = (doc_slot_t){0};
    }
}

/* Brings the caches up to date with the store; called first by every public function. */
static int sync_caches(cw_db_t *db, cw_db_error_t *err)
{
    /* Nested calls of relationship work run inside the outer call, whose callers still hold
     * what the caches gave them. */
    if (cw__rel_busy(&db->rel))
        return 0;
    if (db->meta_dirty) {
        meta_cache_clear(db);
        doc_cache_clear(db);
        db->meta_dirty = false;
    }
    if (!db->a->ops->changed_elsewhere(db->a))
        return 0;
    doc_cache_clear(db);
    int64_t v;
    if (db->a->ops->meta_version(db->a, &v, err) != CW_OK)
        return -1;
    if (v != db->meta_version) {
        meta_cache_clear(db);
        db->meta_version = v;
    }
    return 0;
}

/* Transactions ------------------------------------------------------------------------------ */

static int tx_begin(cw_db_t *db, cw_db_error_t *err)
{
    return db->a->ops->begin(db->a, err) == CW_OK ? 0 : -1;
}

static void tx_rollback(cw_db_t *db)
{
    db->a->ops->rollback(db->a);
}

/* Commits a transaction that changed metadata: the version moves with it, and our own caches
 * are rebuilt on the next call. */
static int tx_commit_meta(cw_db_t *db, cw_db_error_t *err)
{
    int64_t v;
    db->meta_dirty = true;
    if (db->a->ops->meta_bump(db->a, &v, err) != CW_OK) {
        tx_rollback(db);
        return -1;
    }
    if (db->a->ops->commit(db->a, err) != CW_OK)
        return -1;
    db->meta_version = v;
    return 0;
}

static int tx_commit(cw_db_t *db, cw_db_error_t *err)
{
    return db->a->ops->commit(db->a, err) == CW_OK ? 0 : -1;
}

/* Open and close ---------------------------------------------------------------------------- */

int cw_db_open(const char *data_dir, const char *project_id, cw_db_t **out, cw_db_error_t *err)
{
    cw_db_t *db = cw_calloc(1, sizeof(*db));
    int rc = -1;
    *out = NULL;
    if (!id_ok(project_id) && strcmp(project_id != NULL ? project_id : "", "console") != 0) {
        fail(err, CW_ERR_PROJECT_NOT_FOUND, "Project not found.");
        goto fail;
    }
    if (cw_dba_sqlite_open(data_dir, project_id, &db->a, err) != CW_OK)
        goto fail;
    db->m_databases = meta_build("databases", databases_attrs, NELEM(databases_attrs),
                                 databases_indexes, NELEM(databases_indexes));
    db->m_collections = meta_build("database_0", collections_attrs, NELEM(collections_attrs),
                                   collections_indexes, NELEM(collections_indexes));
    db->m_attributes = meta_build("attributes", attributes_attrs, NELEM(attributes_attrs),
                                  attributes_indexes, NELEM(attributes_indexes));
    db->m_indexes = meta_build("indexes", indexes_attrs, NELEM(indexes_attrs), indexes_indexes,
                               NELEM(indexes_indexes));
    /* m_collections->table always points into coll_table from here on. */
    free(db->m_collections->table);
    db->m_collections->table = db->coll_table;
    db->dbs = json_object();
    db->docs = cw_calloc(DOC_SLOTS, sizeof(*db->docs));
    {
        size_t n = strlen(data_dir) + strlen(project_id) + 2;
        db->store_key = cw_malloc(n);
        snprintf(db->store_key, n, "%s/%s", data_dir, project_id);
    }
    db->meta_version = -1;
    if (tx_begin(db, err) != 0)
        goto fail;
    if (db->a->ops->collection_create(db->a, db->m_databases, err) != CW_OK ||
        db->a->ops->collection_create(db->a, db->m_attributes, err) != CW_OK ||
        db->a->ops->collection_create(db->a, db->m_indexes, err) != CW_OK) {
        tx_rollback(db);
        goto fail;
    }
    if (tx_commit(db, err) != 0)
        goto fail;
    *out = db;
    rc = 0;
    return rc;
fail:
    cw_db_close(db);
    return rc;
}

static void hub_leave(cw_db_t *db);

void cw_db_close(cw_db_t *db)
{
    if (db == NULL)
        return;
    hub_leave(db);
    cw__rel_state_clear(&db->rel);
    free(db->store_key);
    if (db->docs != NULL) {
        doc_cache_clear(db);
        free(db->docs);
    }
    if (db->dbs != NULL) {
        meta_cache_clear(db);
        json_decref(db->dbs);
    }
    if (db->m_collections != NULL)
        db->m_collections->table = NULL;
    cw_collection_free(db->m_databases);
    cw_collection_free(db->m_collections);
    cw_collection_free(db->m_attributes);
    cw_collection_free(db->m_indexes);
    if (db->a != NULL)
        db->a->ops->close(db->a);
    free(db);
}

/* Group commit ------------------------------------------------------------------------------ */

#define GROUP_BATCH_MAX 64

typedef int gc_fn(cw_db_t *db, void *arg, json_t **out, cw_db_error_t *err);

typedef struct gc_job {
    struct gc_job *next;
    gc_fn *fn;
    void *arg;
    json_t *out;
    cw_db_error_t err;
    int rc;
    bool done;
} gc_job_t;

typedef struct gc_group {
    struct gc_group *next;
    char *key;
    int refs;
    _Atomic uint64_t auth_gen; /* cw_db_auth_generation */
    bool leading;
    pthread_cond_t cond;
    gc_job_t *head, *tail;
} gc_group_t;

struct cw_db_hub {
    pthread_mutex_t mu;
    gc_group_t *groups;
};

cw_db_hub_t *cw_db_hub_new(void)
{
    cw_db_hub_t *hub = cw_calloc(1, sizeof(*hub));
    pthread_mutex_init(&hub->mu, NULL);
    return hub;
}

void cw_db_hub_free(cw_db_hub_t *hub)
{
    if (hub == NULL)
        return;
    gc_group_t *g = hub->groups;
    while (g != NULL) {
        gc_group_t *next = g->next;
        CW_DB_ASSERT(g->refs == 0);
        pthread_cond_destroy(&g->cond);
        free(g->key);
        free(g);
        g = next;
    }
    pthread_mutex_destroy(&hub->mu);
    free(hub);
}

void cw_db_hub_join(cw_db_t *db, cw_db_hub_t *hub)
{
    if (db == NULL || hub == NULL || db->hub != NULL)
        return;
    pthread_mutex_lock(&hub->mu);
    gc_group_t *g = hub->groups;
    while (g != NULL && strcmp(g->key, db->store_key) != 0)
        g = g->next;
    if (g == NULL) {
        g = cw_calloc(1, sizeof(*g));
        g->key = cw_strdup(db->store_key);
        atomic_init(&g->auth_gen, 1);
        pthread_cond_init(&g->cond, NULL);
        g->next = hub->groups;
        hub->groups = g;
    }
    g->refs++;
    pthread_mutex_unlock(&hub->mu);
    db->hub = hub;
    db->group = g;
}

uint64_t cw_db_auth_generation(const cw_db_t *db)
{
    return db->group != NULL ? atomic_load(&db->group->auth_gen) : 0;
}

void cw_db_auth_changed(cw_db_t *db)
{
    if (db->group != NULL)
        atomic_fetch_add(&db->group->auth_gen, 1);
}

static void hub_leave(cw_db_t *db)
{
    if (db->hub == NULL)
        return;
    pthread_mutex_lock(&db->hub->mu);
    db->group->refs--;
    pthread_mutex_unlock(&db->hub->mu);
    db->hub = NULL;
    db->group = NULL;
}

/* Runs a batch of writes in one transaction on this connection: each write opens its own
 * savepoint inside; the commit decides for all that succeeded. */
static void group_run_batch(cw_db_t *db, gc_job_t *batch)
{
    cw_db_error_t berr = {0};
    bool ok = sync_caches(db, &berr) == 0 && tx_begin(db, &berr) == 0;
    for (gc_job_t *j = batch; j != NULL; j = j->next) {
        if (ok) {
            j->rc = j->fn(db, j->arg, &j->out, &j->err);
        } else {
            j->rc = -1;
            j->err = berr;
        }
    }
    if (ok && tx_commit(db, &berr) != 0) {
        for (gc_job_t *j = batch; j != NULL; j = j->next) {
            if (j->rc == 0) {
                json_decref(j->out);
                j->out = NULL;
                j->rc = -1;
                j->err = berr;
            }
        }
        /* What this connection cached during the batch may describe writes that are gone. */
        db->meta_dirty = true;
        db->meta_version = -1;
    }
}

/* Runs one document write: alone when the connection has no hub, otherwise queued with the
 * writes other connections bring meanwhile, led by whichever thread finds no leader. */
static int group_write(cw_db_t *db, gc_fn *fn, void *arg, json_t **out, cw_db_error_t *err)
{
    if (db->group == NULL || db->batch > 0 || db->internal > 0)
        return fn(db, arg, out, err);
    gc_group_t *g = db->group;
    gc_job_t job = {.fn = fn, .arg = arg};
    pthread_mutex_lock(&db->hub->mu);
    if (g->tail != NULL)
        g->tail->next = &job;
    else
        g->head = &job;
    g->tail = &job;
    while (!job.done) {
        if (g->leading) {
            pthread_cond_wait(&g->cond, &db->hub->mu);
            continue;
        }
        g->leading = true;
        gc_job_t *batch = g->head, *last = batch;
        for (int n = 1; n < GROUP_BATCH_MAX && last->next != NULL; n++)
            last = last->next;
        g->head = last->next;
        if (g->head == NULL)
            g->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&db->hub->mu);
        group_run_batch(db, batch);
        pthread_mutex_lock(&db->hub->mu);
        for (gc_job_t *j = batch, *next; j != NULL; j = next) {
            next = j->next;
            j->done = true;
        }
        g->leading = false;
        pthread_cond_broadcast(&g->cond);
    }
    pthread_mutex_unlock(&db->hub->mu);
    if (out != NULL)
        *out = job.out;
    else
        json_decref(job.out);
    if (job.rc != 0 && err != NULL)
        *err = job.err;
    return job.rc;
}

/* Queries built here ------------------------------------------------------------------------- */

/* Filters the layer adds itself (e.g. collectionInternalId = N); nodes and values live until
 * qb_free. */
typedef struct qb {
    cw_arena_t arena;
    json_t *hold;
} qb_t;

static void qb_init(qb_t *q)
{
    q->arena = CW_ARENA_INIT;
    q->hold = json_array();
}

static void qb_free(qb_t *q)
{
    cw_arena_destroy(&q->arena);
    json_decref(q->hold);
}

static cw_query_t *qb_node(qb_t *q, cw_query_method_t m, const char *attr, json_t *values)
{
    cw_query_t *n = cw_arena_alloc(&q->arena, sizeof(*n));
    memset(n, 0, sizeof(*n));
    n->method = m;
    n->attribute = cw_str(cw_arena_strndup(&q->arena, attr, strlen(attr)));
    if (values != NULL) {
        json_array_append_new(q->hold, values);
        n->values = values;
    }
    return n;
}

static cw_query_t *qb_eq_int(qb_t *q, const char *attr, int64_t v)
{
    json_t *vals = json_array();
    json_array_append_new(vals, json_integer(v));
    return qb_node(q, CW_QUERY_EQUAL, attr, vals);
}

static cw_query_t *qb_eq_str(qb_t *q, const char *attr, const char *v)
{
    json_t *vals = json_array();
    json_array_append_new(vals, json_string(v));
    return qb_node(q, CW_QUERY_EQUAL, attr, vals);
}

/* All documents of an internal collection matching the filters, in creation order. */
static int meta_find(cw_db_t *db, const cw_collection_t *c, cw_query_t **filters, size_t n,
                     json_t **out, cw_db_error_t *err)
{
    static const cw_dba_order_t by_seq = {"$sequence", false};
    cw_dba_find_t f = {.filters = (const cw_query_t *const *)filters,
                       .nfilters = n,
                       .orders = &by_seq,
                       .norders = 1,
                       .limit = -1};
    return db->a->ops->doc_find(db->a, c, &f, out, err) == CW_OK ? 0 : -1;
}

/* Databases: lookups and models ------------------------------------------------------------- */

/* The stored document of a database (borrowed from the cache), or database_not_found. */
static int database_find(cw_db_t *db, const char *id, const json_t **out, cw_db_error_t *err)
{
    /* The reserved ID fails the public rule, so only the internal layer reaches it, even when
     * it is cached. */
    bool inner = id_internal(db, id);
    if (!inner && !id_ok(id))
        return fail(err, CW_ERR_DATABASE_NOT_FOUND, "Database with ID '%s' could not be found.",
                    id != NULL ? id : "");
    json_t *doc = json_object_get(db->dbs, id);
    if (doc == NULL) {
        int rc = db->a->ops->doc_get(db->a, db->m_databases, id, &doc, err);
        if (rc == CW_ENOTFOUND)
            return fail(err, CW_ERR_DATABASE_NOT_FOUND, "Database with ID '%s' could not be found.",
                        id);
        if (rc != CW_OK)
            return -1;
        json_object_set_new(db->dbs, id, doc);
    }
    *out = doc;
    return 0;
}

static json_t *database_model(const json_t *doc)
{
    json_t *m = json_object();
    json_object_set(m, "$id", json_object_get(doc, "$id"));
    json_object_set(m, "name", json_object_get(doc, "name"));
    json_object_set(m, "$createdAt", json_object_get(doc, "$createdAt"));
    json_object_set(m, "$updatedAt", json_object_get(doc, "$updatedAt"));
    json_object_set_new(m, "enabled", json_boolean(jbool(doc, "enabled", true)));
    const char *type = jstr(doc, "type");
    json_object_set_new(m, "type", json_string(type[0] != '\0' ? type : "legacy"));
    return m;
}

/* Attributes: metadata <-> cw_attr_t <-> model --------------------------------------------------
 */

static json_t *json_parse_text(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return NULL;
    json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
    if (v != NULL && json_is_null(v)) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static char *json_text(const json_t *v)
{
    if (v == NULL)
        return cw_strdup("null");
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return s != NULL ? s : cw_strdup("null");
}

static int64_t iso_ms(const char *s)
{
    int64_t ms = 0;
    if (s != NULL)
        cw_time_parse(cw_str(s), &ms);
    return ms;
}

static void attr_from_doc(const json_t *doc, cw_attr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->key = cw_strdup(jstr(doc, "key"));
    a->api_type = cw_strdup(jstr(doc, "type"));
    a->type = attr_type_of(a->api_type);
    a->size_bytes = size_in_bytes(a->api_type);
    const char *fmt = jstr(doc, "format");
    a->format = strcmp(fmt, "email") == 0  ? CW_FORMAT_EMAIL
                : strcmp(fmt, "enum") == 0 ? CW_FORMAT_ENUM
                : strcmp(fmt, "ip") == 0   ? CW_FORMAT_IP
                : strcmp(fmt, "url") == 0  ? CW_FORMAT_URL
                                           : CW_FORMAT_NONE;
    a->size = json_integer_value(json_object_get(doc, "size"));
    a->required = jbool(doc, "required", false);
    a->array = jbool(doc, "array", false);
    a->is_signed = jbool(doc, "signed", true);
    json_t *opts = json_parse_text(jstr(doc, "formatOptions"));
    if (opts != NULL) {
        json_t *mn = json_object_get(opts, "min"), *mx = json_object_get(opts, "max");
        if (a->type == CW_ATTR_INTEGER) {
            a->has_min = json_is_integer(mn);
            a->has_max = json_is_integer(mx);
            a->min_int = json_integer_value(mn);
            a->max_int = json_integer_value(mx);
        } else if (a->type == CW_ATTR_FLOAT) {
            a->has_min = json_is_number(mn);
            a->has_max = json_is_number(mx);
            a->min = json_number_value(mn);
            a->max = json_number_value(mx);
        }
        json_t *el = json_object_get(opts, "elements");
        if (json_is_array(el))
            a->elements = json_incref(el);
        json_decref(opts);
    }
    a->default_value = json_parse_text(jstr(doc, "default"));
    a->options = json_parse_text(jstr(doc, "options"));
    a->status = cw_strdup(jstr(doc, "status"));
    a->error = cw_strdup(jstr(doc, "error"));
    a->created_at = iso_ms(jstr(doc, "$createdAt"));
    a->updated_at = iso_ms(jstr(doc, "$updatedAt"));
}

static const char *format_name(cw_attr_format_t f)
{
    switch (f) {
    case CW_FORMAT_EMAIL:
        return "email";
    case CW_FORMAT_ENUM:
        return "enum";
    case CW_FORMAT_IP:
        return "ip";
    case CW_FORMAT_URL:
        return "url";
    default:
        return "";
    }
}

static json_t *format_options_json(const cw_attr_t *a)
{
    json_t *o = json_object();
    if (a->type == CW_ATTR_INTEGER) {
        json_object_set_new(o, "min", json_integer(a->min_int));
        json_object_set_new(o, "max", json_integer(a->max_int));
    } else if (a->type == CW_ATTR_FLOAT) {
        json_object_set_new(o, "min", json_real(a->min));
        json_object_set_new(o, "max", json_real(a->max));
    } else if (a->format == CW_FORMAT_ENUM) {
        json_object_set(o, "elements", a->elements != NULL ? a->elements : json_array());
    }
    return o;
}

static void set_time(json_t *o, const char *key, int64_t ms)
{
    char iso[CW_TIME_ISO_LEN];
    cw_time_format(ms, iso);
    json_object_set_new(o, key, json_string(iso));
}

static json_t *attr_model(cw_db_family_t fam, const cw_attr_t *a)
{
    json_t *m = json_object();
    json_object_set_new(m, "key", json_string(a->key));
    json_object_set_new(m, "type", json_string(a->api_type));
    json_object_set_new(m, "status", json_string(a->status != NULL ? a->status : "available"));
    json_object_set_new(m, "error", json_string(a->error != NULL ? a->error : ""));
    json_object_set_new(m, "required", json_boolean(a->required));
    json_object_set_new(m, "array", json_boolean(a->array));
    set_time(m, "$createdAt", a->created_at);
    set_time(m, "$updatedAt", a->updated_at);
    json_t *def = a->default_value != NULL ? json_incref(a->default_value) : json_null();
    switch (a->type) {
    case CW_ATTR_STRING:
        if (a->format == CW_FORMAT_ENUM) {
            json_object_set(m, "elements", a->elements != NULL ? a->elements : json_array());
            json_object_set_new(m, "format", json_string("enum"));
        } else if (a->format != CW_FORMAT_NONE) {
            json_object_set_new(m, "format", json_string(format_name(a->format)));
        } else {
            if (strcmp(a->api_type, "string") == 0 || strcmp(a->api_type, "varchar") == 0)
                json_object_set_new(m, "size", json_integer(a->size));
        }
        json_object_set_new(m, "default", def);
        if (a->format == CW_FORMAT_NONE)
            json_object_set_new(m, "encrypt", json_false());
        break;
    case CW_ATTR_INTEGER:
        json_object_set_new(m, "min", json_integer(a->min_int));
        json_object_set_new(m, "max", json_integer(a->max_int));
        json_object_set_new(m, "default", def);
        break;
    case CW_ATTR_FLOAT:
        json_object_set_new(m, "min", json_real(a->min));
        json_object_set_new(m, "max", json_real(a->max));
        json_object_set_new(m, "default", def);
        break;
    case CW_ATTR_DATETIME:
        json_object_set_new(m, "format", json_string("datetime"));
        json_object_set_new(m, "default", def);
        break;
    case CW_ATTR_RELATIONSHIP: {
        const json_t *o = a->options;
        json_object_set(m, fam == CW_DB_FAMILY_TABLES ? "relatedTable" : "relatedCollection",
                        json_object_get(o, "relatedCollection") != NULL
                            ? json_object_get(o, "relatedCollection")
                            : json_string(""));
        json_object_set_new(m, "relationType", json_string(jstr(o, "relationType")));
        json_object_set_new(m, "twoWay", json_boolean(jbool(o, "twoWay", false)));
        json_object_set_new(m, "twoWayKey", json_string(jstr(o, "twoWayKey")));
        json_object_set_new(m, "onDelete", json_string(jstr(o, "onDelete")));
        json_object_set_new(m, "side", json_string(jstr(o, "side")));
        json_decref(def);
        break;
    }
    default:
        json_object_set_new(m, "default", def);
        break;
    }
    return m;
}

static json_t *attr_doc(const cw_collection_t *c, const cw_attr_t *a, const char *now)
{
    json_t *d = json_object();
    char id[160];
    snprintf(id, sizeof(id), "%" PRId64 "_%" PRId64 "_%s", c->database_seq, c->seq, a->key);
    json_object_set_new(d, "$id", json_string(id));
    json_object_set_new(d, "$createdAt", json_string(now));
    json_object_set_new(d, "$updatedAt", json_string(now));
    json_object_set_new(d, "$permissions", json_array());
    json_object_set_new(d, "databaseInternalId", json_integer(c->database_seq));
    json_object_set_new(d, "databaseId", json_string(c->database_id));
    json_object_set_new(d, "collectionInternalId", json_integer(c->seq));
    json_object_set_new(d, "collectionId", json_string(c->id));
    json_object_set_new(d, "key", json_string(a->key));
    json_object_set_new(d, "type", json_string(a->api_type));
    json_object_set_new(d, "status", json_string(a->status != NULL ? a->status : "available"));
    json_object_set_new(d, "error", json_string(a->error != NULL ? a->error : ""));
    json_object_set_new(d, "size", json_integer(a->size));
    json_object_set_new(d, "required", json_boolean(a->required));
    json_object_set_new(d, "signed", json_boolean(a->is_signed));
    json_object_set_new(d, "array", json_boolean(a->array));
    json_object_set_new(d, "format", json_string(format_name(a->format)));
    json_t *fo = format_options_json(a);
    char *fot = json_text(fo);
    json_object_set_new(d, "formatOptions", json_string(fot));
    free(fot);
    json_decref(fo);
    json_t *filters = json_array();
    if (a->type == CW_ATTR_DATETIME)
        json_array_append_new(filters, json_string("datetime"));
    json_object_set_new(d, "filters", filters);
    char *def = json_text(a->default_value);
    json_object_set_new(d, "default", json_string(def));
    free(def);
    char *opts = json_text(a->options);
    json_object_set_new(d, "options", json_string(opts));
    free(opts);
    return d;
}

/* Lists --------------------------------------------------------------------------------------- */

typedef struct list_spec {
    const cw_collection_t *c;
    const cw_query_attr_t *qattrs; /* what queries may name */
    size_t nqattrs;
    bool allow_select;
    cw_query_t **extra; /* filters of our own, anded with the caller's */
    size_t nextra;
    const char *cursor_key;  /* NULL: the cursor is a document $id; else this attribute's value */
    const char *cursor_word; /* "Document", "Row", "Database", … for messages */
    const char *search;      /* the `search` parameter: fulltext over the "search" attribute */
    const char *rename_from, *rename_to; /* rowSecurity is stored as documentSecurity */
    bool unlimited;                      /* without a limit query: every match, not the first 25 */
    bool filter_roles;
    const char *const *roles;
    size_t nroles;
    const char *action; /* the permission filter_roles checks; NULL: "read" */
    bool with_total;
    /* Documents: filters and selections through relationships are resolved as this actor. */
    const cw_db_actor_t *rel_actor;
    cw_db_family_t rel_fam;
} list_spec_t;

static void rename_attr(cw_query_t *q, const list_spec_t *ls)
{
    if (ls->rename_from != NULL && cw_str_eq_cstr(q->attribute, ls->rename_from))
        q->attribute = cw_str(ls->rename_to);
    for (size_t i = 0; i < q->nchildren; i++)
        rename_attr(q->children[i], ls);
}

static int fulltext_cb(void *ud, cw_str_t attribute)
{
    const cw_collection_t *c = ud;
    for (size_t i = 0; i < c->nindexes; i++) {
        const cw_index_t *x = &c->indexes[i];
        if (x->type == CW_INDEX_FULLTEXT && x->nattrs == 1 &&
            cw_str_eq_cstr(attribute, x->attrs[0]) &&
            (x->status == NULL || strcmp(x->status, "available") == 0))
            return 1;
    }
    return 0;
}

static const char *cursor_attr_name(const char *a)
{
    return a;
}

static int run_list(cw_db_t *db, const list_spec_t *ls, json_t *queries, json_t **docs_out,
                    int64_t *total_out, cw_db_error_t *err)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_query_list_t ql;
    cw_query_error_t qerr;
    cw_query_schema_t schema;
    qb_t qb;
    json_t *cursor_doc = NULL, *docs = NULL, *found = NULL;
    cw_query_t **filters = NULL;
    cw_dba_order_t *orders = NULL;
    const char **select = NULL;
    int rc = -1;
    bool parsed = false;
    qb_init(&qb);
    memset(&ql, 0, sizeof(ql));
    if (cw_query_list_parse(queries, &arena, &ql, &qerr) != 0) {
        fail(err, qerr.type, "%s", qerr.message);
        goto out;
    }
    parsed = true;
    cw_query_schema_init(&schema, ls->qattrs, ls->nqattrs);
    schema.fulltext = fulltext_cb;
    schema.fulltext_ud = (void *)ls->c;
    if (cw_query_list_validate(&ql, &schema, &qerr) != 0) {
        fail(err, qerr.type, "%s", qerr.message);
        goto out;
    }
    if (!ls->allow_select && ql.nselects > 0) {
        fail(err, CW_ERR_GENERAL_QUERY_INVALID,
             "Invalid query: Select queries are not allowed here.");
        goto out;
    }
    for (size_t i = 0; i < ql.n; i++)
        rename_attr(ql.all[i], ls);

    size_t nf = 0;
    filters = cw_calloc(ql.nfilters + ls->nextra + 1, sizeof(*filters));
    for (size_t i = 0; i < ql.nfilters; i++)
        filters[nf++] = ql.filters[i];
    for (size_t i = 0; i < ls->nextra; i++)
        filters[nf++] = ls->extra[i];
    if (ls->search != NULL && ls->search[0] != '\0') {
        json_t *vals = json_array();
        json_array_append_new(vals, json_string(ls->search));
        filters[nf++] = qb_node(&qb, CW_QUERY_SEARCH, "search", vals);
    }
    if (ls->rel_actor != NULL) {
        bool none = false;
        if (cw__rel_filters(db, ls->rel_fam, ls->rel_actor, ls->c, filters, &nf, &arena, qb.hold,
                            &none, err) != 0)
            goto out;
        if (none) {
            *docs_out = json_array();
            *total_out = 0;
            rc = 0;
            goto out;
        }
    }

    /* Orders as given, then utopia's tie-break on $sequence: in the direction of a leading
     * $createdAt or $updatedAt, ascending otherwise, unless $id or $sequence already orders. */
    size_t no = 0;
    bool unique_order = false;
    orders = cw_calloc(ql.norders + 1, sizeof(*orders));
    for (size_t i = 0; i < ql.norders; i++) {
        const cw_query_t *o = ql.orders[i];
        if (o->method == CW_QUERY_ORDER_RANDOM) {
            orders[no++] = (cw_dba_order_t){"$random", false};
            continue;
        }
        const char *attr = cw_arena_strndup(&arena, o->attribute.ptr, o->attribute.len);
        if (attr[0] == '\0')
            attr = "$sequence";
        orders[no++] = (cw_dba_order_t){attr, o->method == CW_QUERY_ORDER_DESC};
        if (strcmp(attr, "$id") == 0 || strcmp(attr, "$sequence") == 0)
            unique_order = true;
    }
    if (!unique_order) {
        bool lead_time = no > 0 && (strcmp(orders[0].attr, "$createdAt") == 0 ||
                                    strcmp(orders[0].attr, "$updatedAt") == 0);
        orders[no] = (cw_dba_order_t){"$sequence", lead_time ? orders[0].desc : false};
        no++;
    }

    if (ql.cursor_dir != CW_QUERY_DIR_NONE) {
        char *cid = cw_arena_strndup(&arena, ql.cursor_id.ptr, ql.cursor_id.len);
        int grc;
        if (ls->cursor_key == NULL) {
            grc = id_ok(cid) ? db->a->ops->doc_get(db->a, ls->c, cid, &cursor_doc, err)
                             : CW_ENOTFOUND;
        } else {
            cw_query_t **cf = cw_calloc(ls->nextra + 1, sizeof(*cf));
            for (size_t i = 0; i < ls->nextra; i++)
                cf[i] = ls->extra[i];
            cf[ls->nextra] = qb_eq_str(&qb, ls->cursor_key, cid);
            grc = meta_find(db, ls->c, cf, ls->nextra + 1, &found, err) == 0 ? CW_OK : CW_EIO;
            free(cf);
            if (grc == CW_OK) {
                if (json_array_size(found) == 0)
                    grc = CW_ENOTFOUND;
                else
                    cursor_doc = json_incref(json_array_get(found, 0));
            }
        }
        if (grc == CW_ENOTFOUND) {
            fail(err, CW_ERR_GENERAL_CURSOR_NOT_FOUND, "%s '%s' for the 'cursor' value not found.",
                 ls->cursor_word, cid);
            goto out;
        }
        if (grc != CW_OK)
            goto out;
        for (size_t i = 0; i < no; i++) {
            if (strcmp(orders[i].attr, "$random") == 0)
                continue;
            const json_t *v = json_object_get(cursor_doc, cursor_attr_name(orders[i].attr));
            if (v == NULL || json_is_null(v)) {
                fail(err, CW_ERR_DATABASE_QUERY_ORDER_NULL,
                     "The order attribute '%s' had a null value. Cursor pagination requires all "
                     "order attribute values to be non-null.",
                     orders[i].attr);
                goto out;
            }
        }
    }

    size_t nsel = 0;
    if (ql.nselects > 0) {
        size_t cap = 0;
        for (size_t i = 0; i < ql.nselects; i++)
            cap += cw_query_nvalues(ql.selects[i]);
        select = cw_calloc(cap + 1, sizeof(*select));
        for (size_t i = 0; i < ql.nselects; i++) {
            for (size_t k = 0; k < cw_query_nvalues(ql.selects[i]); k++) {
                const char *v = json_string_value(cw_query_value(ql.selects[i], k));
                if (v != NULL)
                    select[nsel++] = v;
            }
        }
        if (ls->rel_actor != NULL)
            nsel = cw_rel_select_plain(ls->c, select, nsel);
    }

    cw_dba_find_t f = {
        .filters = (const cw_query_t *const *)filters,
        .nfilters = nf,
        .orders = orders,
        .norders = no,
        .limit = ql.limit >= 0   ? ql.limit
                 : ls->unlimited ? -1
                                 : LIST_DEFAULT,
        .offset = ql.offset > 0 ? ql.offset : 0,
        .cursor = cursor_doc,
        .cursor_before = ql.cursor_dir == CW_QUERY_DIR_BEFORE,
        .roles = ls->filter_roles ? ls->roles : NULL,
        .nroles = ls->nroles,
        .action = ls->action != NULL ? ls->action : "read",
        .select = select,
        .nselect = nsel,
    };
    if (db->a->ops->doc_find(db->a, ls->c, &f, &docs, err) != CW_OK)
        goto out;
    int64_t total = 0;
    if (ls->with_total &&
        db->a->ops->doc_count(db->a, ls->c, &f, LIMIT_COUNT, &total, err) != CW_OK)
        goto out;
    *docs_out = docs;
    docs = NULL;
    *total_out = total;
    rc = 0;
out:
    json_decref(docs);
    json_decref(found);
    json_decref(cursor_doc);
    free(filters);
    free(orders);
    free(select);
    if (parsed)
        cw_query_list_release(&ql);
    qb_free(&qb);
    cw_arena_destroy(&arena);
    return rc;
}

static json_t *list_model(const char *plural, json_t *items, int64_t total)
{
    json_t *m = json_object();
    json_object_set_new(m, "total", json_integer(total));
    json_object_set_new(m, plural, items);
    return m;
}

/* Databases ------------------------------------------------------------------------------------ */

int cw_db_database_create(cw_db_t *db, const char *id, const char *name, bool enabled,
                          const char *type, json_t **out, cw_db_error_t *err)
{
    char did[CW_ID_MAX_LEN + 1], now[CW_TIME_ISO_LEN];
    json_t *doc = NULL, *stored = NULL;
    int64_t seq = 0;
    int rc = -1;
    if (id_internal(db, id))
        snprintf(did, sizeof(did), "%s", id);
    else if (custom_id("databaseId", id, did, err) != 0)
        return -1;
    if (sync_caches(db, err) != 0 || check_name(name, err) != 0)
        return -1;
    if (type == NULL || type[0] == '\0')
        type = "legacy";
    now_iso(now);
    doc = json_object();
    json_object_set_new(doc, "$id", json_string(did));
    json_object_set_new(doc, "$createdAt", json_string(now));
    json_object_set_new(doc, "$updatedAt", json_string(now));
    json_object_set_new(doc, "$permissions", json_array());
    json_object_set_new(doc, "name", json_string(name));
    json_object_set_new(doc, "enabled", json_boolean(enabled));
    json_object_set_new(doc, "type", json_string(type));
    char search[CW_ID_MAX_LEN + 512];
    snprintf(search, sizeof(search), "%s %s", did, name);
    json_object_set_new(doc, "search", json_string(search));
    if (tx_begin(db, err) != 0)
        goto out;
    int arc = db->a->ops->doc_insert(db->a, db->m_databases, doc, &seq, err);
    if (arc == CW_EEXIST) {
        tx_rollback(db);
        fail(err, CW_ERR_DATABASE_ALREADY_EXISTS,
             "Database with ID '%s' already exists. Choose another ID or let the server make one "
             "with ID.unique().",
             did);
        goto out;
    }
    if (arc != CW_OK || db->a->ops->collection_create(db->a, meta_colls(db, seq), err) != CW_OK) {
        tx_rollback(db);
        goto out;
    }
    if (tx_commit_meta(db, err) != 0)
        goto out;
    char seqs[32];
    snprintf(seqs, sizeof(seqs), "%" PRId64, seq);
    json_object_set_new(doc, "$sequence", json_string(seqs));
    *out = database_model(doc);
    rc = 0;
out:
    json_decref(stored);
    json_decref(doc);
    return rc;
}

int cw_db_database_get(cw_db_t *db, const char *id, json_t **out, cw_db_error_t *err)
{
    const json_t *doc;
    if (sync_caches(db, err) != 0 || database_find(db, id, &doc, err) != 0)
        return -1;
    *out = database_model(doc);
    return 0;
}

int cw_db_database_update(cw_db_t *db, const char *id, const char *name, int enabled, json_t **out,
                          cw_db_error_t *err)
{
    const json_t *cur;
    char now[CW_TIME_ISO_LEN];
    int rc = -1;
    if (sync_caches(db, err) != 0 || check_name(name, err) != 0 ||
        database_find(db, id, &cur, err) != 0)
        return -1;
    json_t *doc = json_deep_copy(cur);
    now_iso(now);
    json_object_set_new(doc, "name", json_string(name));
    if (enabled >= 0)
        json_object_set_new(doc, "enabled", json_boolean(enabled != 0));
    json_object_set_new(doc, "$updatedAt", json_string(now));
    char search[CW_ID_MAX_LEN + 512];
    snprintf(search, sizeof(search), "%s %s", id, name);
    json_object_set_new(doc, "search", json_string(search));
    if (tx_begin(db, err) != 0)
        goto out;
    if (db->a->ops->doc_update(db->a, db->m_databases, jseq(doc), doc, false, err) != CW_OK) {
        tx_rollback(db);
        goto out;
    }
    if (tx_commit_meta(db, err) != 0)
        goto out;
    *out = database_model(doc);
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

static cw_collection_t *collection_from_doc(const json_t *dbdoc, const json_t *cdoc);
static int collection_fill(cw_db_t *db, cw_collection_t *c, cw_db_error_t *err);

/* Drops a collection's table and its attribute and index metadata (inside a transaction). */
static int collection_purge(cw_db_t *db, const cw_collection_t *c, cw_db_error_t *err)
{
    qb_t qb;
    json_t *docs = NULL;
    int rc = -1;
    qb_init(&qb);
    cw_query_t *f[] = {qb_eq_int(&qb, "databaseInternalId", c->database_seq),
                       qb_eq_int(&qb, "collectionInternalId", c->seq)};
    if (db->a->ops->collection_drop(db->a, c, err) != CW_OK)
        goto out;
    const cw_collection_t *metas[] = {db->m_attributes, db->m_indexes};
    for (size_t m = 0; m < 2; m++) {
        if (meta_find(db, metas[m], f, 2, &docs, err) != 0)
            goto out;
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d)
        {
            if (db->a->ops->doc_delete(db->a, metas[m], jseq(d), err) != CW_OK)
                goto out;
        }
        json_decref(docs);
        docs = NULL;
    }
    rc = 0;
out:
    json_decref(docs);
    qb_free(&qb);
    return rc;
}

int cw_db_database_delete(cw_db_t *db, const char *id, cw_db_error_t *err)
{
    const json_t *cur;
    json_t *colls = NULL, *dbdoc = NULL;
    int rc = -1;
    if (sync_caches(db, err) != 0 || database_find(db, id, &cur, err) != 0)
        return -1;
    dbdoc = json_incref((json_t *)cur);
    int64_t seq = jseq(dbdoc);
    if (tx_begin(db, err) != 0)
        goto out;
    if (cw__rel_database_drop(db, dbdoc, err) != 0) {
        tx_rollback(db);
        goto out;
    }
    cw_collection_t *mc = meta_colls(db, seq);
    if (meta_find(db, mc, NULL, 0, &colls, err) != 0) {
        tx_rollback(db);
        goto out;
    }
    size_t i;
    json_t *cd;
    json_array_foreach(colls, i, cd)
    {
        cw_collection_t *c = collection_from_doc(dbdoc, cd);
        /* With its indexes, so their own tables (fulltext, spatial) go too. */
        int prc = collection_fill(db, c, err) != 0 ? -1 : collection_purge(db, c, err);
        cw_collection_free(c);
        if (prc != 0) {
            tx_rollback(db);
            goto out;
        }
    }
    mc = meta_colls(db, seq);
    if (db->a->ops->collection_drop(db->a, mc, err) != CW_OK ||
        db->a->ops->doc_delete(db->a, db->m_databases, seq, err) != CW_OK) {
        tx_rollback(db);
        goto out;
    }
    if (tx_commit_meta(db, err) != 0)
        goto out;
    rc = 0;
out:
    json_decref(colls);
    json_decref(dbdoc);
    return rc;
}

static const cw_query_attr_t q_databases[] = {
    {.key = CW_STR_LIT("name"), .type = CW_QUERY_ATTR_STRING},
};

int cw_db_database_list(cw_db_t *db, json_t *queries, const char *search, bool with_total,
                        json_t **out, cw_db_error_t *err)
{
    json_t *docs = NULL;
    int64_t total = 0;
    qb_t qb;
    if (sync_caches(db, err) != 0)
        return -1;
    /* The reserved database of the project's own data is nobody's to see. */
    qb_init(&qb);
    json_t *hidden = json_array();
    json_array_append_new(hidden, json_string(CW_DB_INTERNAL_DATABASE));
    cw_query_t *extra[] = {qb_node(&qb, CW_QUERY_NOT_EQUAL, "$id", hidden)};
    list_spec_t ls = {.c = db->m_databases,
                      .qattrs = q_databases,
                      .nqattrs = NELEM(q_databases),
                      .extra = extra,
                      .nextra = 1,
                      .cursor_word = "Database",
                      .search = search,
                      .with_total = with_total};
    int lrc = run_list(db, &ls, queries, &docs, &total, err);
    qb_free(&qb);
    if (lrc != 0)
        return -1;
    json_t *items = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        json_array_append_new(items, database_model(d));
    }
    json_decref(docs);
    *out = list_model("databases", items, total);
    return 0;
}

/* Permissions --------------------------------------------------------------------------------- */

/* Parses a `permissions` parameter for the scope and aggregates it; *out is a new array of
 * permission strings, or NULL when the parameter was not given. With roles set, fills *list too
 * for the held-roles check. */
static int perms_parse(const json_t *value, cw_perm_scope_t scope, cw_arena_t *arena, json_t **out,
                       cw_perm_list_t *list, cw_db_error_t *err)
{
    cw_perm_list_t l;
    cw_perm_error_t perr;
    *out = NULL;
    if (cw_perm_list_parse(value, scope, arena, &l, &perr) != 0)
        return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, "Invalid `permissions` param: %s",
                    perr.message);
    if (list != NULL)
        *list = l;
    if (!l.given)
        return 0;
    json_t *arr = json_array();
    char buf[256];
    for (size_t i = 0; i < l.n; i++) {
        size_t n = cw_perm_format(&l.items[i], buf, sizeof(buf));
        if (n >= sizeof(buf)) {
            cw_str_t s = cw_perm_to_str(&l.items[i], arena);
            json_array_append_new(arr, json_stringn(s.ptr, s.len));
        } else {
            json_array_append_new(arr, json_string(buf));
        }
    }
    *out = arr;
    return 0;
}

static bool actor_has_role(const cw_db_actor_t *actor, const char *role, size_t len)
{
    if (len == 3 && memcmp(role, "any", 3) == 0)
        return true;
    for (const char *const *r = actor->roles; r != NULL && *r != NULL; r++) {
        if (strlen(*r) == len && memcmp(*r, role, len) == 0)
            return true;
    }
    return false;
}

/* True when one of the permission strings gives `action` to a role the actor holds. */
static bool perms_allow(const json_t *perms, const char *action, const cw_db_actor_t *actor)
{
    size_t i, alen = strlen(action);
    const json_t *p;
    json_array_foreach(perms, i, p)
    {
        const char *s = json_string_value(p);
        if (s == NULL)
            continue;
        size_t n = json_string_length(p);
        const char *open = memchr(s, '(', n);
        if (open == NULL || (size_t)(open - s) != alen || memcmp(s, action, alen) != 0)
            continue;
        if (n < alen + 4 || open[1] != '"' || s[n - 1] != ')' || s[n - 2] != '"')
            continue;
        if (actor_has_role(actor, open + 2, n - alen - 4))
            return true;
    }
    return false;
}

/* The roles a non-key actor brings to a permission filter: its own, with `any` always there. */
static size_t actor_roles(const cw_db_actor_t *actor, const char **out, size_t cap)
{
    size_t n = 0;
    out[n++] = "any";
    for (const char *const *r = actor->roles; r != NULL && *r != NULL && n < cap; r++) {
        if (strcmp(*r, "any") != 0)
            out[n++] = *r;
    }
    return n;
}

/* The same in a new array the caller frees, as long as the actor's roles are (a user in many
 * teams holds hundreds). */
static const char **actor_roles_new(const cw_db_actor_t *actor, size_t *n)
{
    size_t cap = 1;
    for (const char *const *r = actor->roles; r != NULL && *r != NULL; r++)
        cap++;
    const char **out = cw_calloc(cap, sizeof(*out));
    *n = actor_roles(actor, out, cap);
    return out;
}

static int unauthorized(const cw_db_actor_t *actor, const char *action, cw_db_error_t *err)
{
    char roles[256];
    size_t o = 0;
    const char *list[64];
    size_t n = actor_roles(actor, list, NELEM(list));
    roles[0] = '\0';
    for (size_t i = 0; i < n && o < sizeof(roles); i++)
        o += (size_t)snprintf(roles + o, sizeof(roles) - o, "%s%s", i ? ", " : "", list[i]);
    return fail(err, CW_ERR_USER_UNAUTHORIZED,
                "No permission to %s: the request holds the roles (%s), none of which is granted "
                "\"%s\".",
                action, roles, action);
}

/* Collections: loading and models ---------------------------------------------------------------
 */

static cw_collection_t *collection_from_doc(const json_t *dbdoc, const json_t *cdoc)
{
    cw_collection_t *c = cw_calloc(1, sizeof(*c));
    c->seq = jseq(cdoc);
    c->database_seq = jseq(dbdoc);
    c->database_id = cw_strdup(jstr(dbdoc, "$id"));
    c->id = cw_strdup(jstr(cdoc, "$id"));
    char table[96];
    snprintf(table, sizeof(table), "database_%" PRId64 "_collection_%" PRId64, c->database_seq,
             c->seq);
    c->table = cw_strdup(table);
    c->name = cw_strdup(jstr(cdoc, "name"));
    c->enabled = jbool(cdoc, "enabled", true);
    c->document_security = jbool(cdoc, "documentSecurity", false);
    json_t *perms = json_object_get(cdoc, "$permissions");
    c->permissions = perms != NULL ? json_deep_copy(perms) : json_array();
    c->created_at = iso_ms(jstr(cdoc, "$createdAt"));
    c->updated_at = iso_ms(jstr(cdoc, "$updatedAt"));
    return c;
}

static void index_from_doc(const json_t *doc, cw_index_t *x)
{
    memset(x, 0, sizeof(*x));
    x->key = cw_strdup(jstr(doc, "key"));
    const char *type = jstr(doc, "type");
    x->type = strcmp(type, "unique") == 0     ? CW_INDEX_UNIQUE
              : strcmp(type, "fulltext") == 0 ? CW_INDEX_FULLTEXT
              : strcmp(type, "spatial") == 0  ? CW_INDEX_SPATIAL
                                              : CW_INDEX_KEY;
    const json_t *attrs = json_object_get(doc, "attributes");
    const json_t *orders = json_object_get(doc, "orders");
    const json_t *lengths = json_object_get(doc, "lengths");
    x->nattrs = json_array_size(attrs);
    x->attrs = cw_calloc(x->nattrs + 1, sizeof(char *));
    x->orders = cw_calloc(x->nattrs + 1, sizeof(char *));
    x->lengths = cw_calloc(x->nattrs + 1, sizeof(int64_t));
    for (size_t i = 0; i < x->nattrs; i++) {
        x->attrs[i] = cw_strdup(json_string_value(json_array_get(attrs, i)) != NULL
                                    ? json_string_value(json_array_get(attrs, i))
                                    : "");
        const char *o = json_string_value(json_array_get(orders, i));
        x->orders[i] = o != NULL ? cw_strdup(o) : NULL;
        x->lengths[i] = json_integer_value(json_array_get(lengths, i));
    }
    x->status = cw_strdup(jstr(doc, "status"));
    x->error = cw_strdup(jstr(doc, "error"));
    x->created_at = iso_ms(jstr(doc, "$createdAt"));
    x->updated_at = iso_ms(jstr(doc, "$updatedAt"));
}

static const char *index_type_name(cw_index_type_t t)
{
    switch (t) {
    case CW_INDEX_UNIQUE:
        return "unique";
    case CW_INDEX_FULLTEXT:
        return "fulltext";
    case CW_INDEX_SPATIAL:
        return "spatial";
    default:
        return "key";
    }
}

static json_t *index_doc(const cw_collection_t *c, const cw_index_t *x, json_t *orders_given,
                         const char *now)
{
    json_t *d = json_object();
    char id[160];
    snprintf(id, sizeof(id), "%" PRId64 "_%" PRId64 "_%s", c->database_seq, c->seq, x->key);
    json_object_set_new(d, "$id", json_string(id));
    json_object_set_new(d, "$createdAt", json_string(now));
    json_object_set_new(d, "$updatedAt", json_string(now));
    json_object_set_new(d, "$permissions", json_array());
    json_object_set_new(d, "databaseInternalId", json_integer(c->database_seq));
    json_object_set_new(d, "databaseId", json_string(c->database_id));
    json_object_set_new(d, "collectionInternalId", json_integer(c->seq));
    json_object_set_new(d, "collectionId", json_string(c->id));
    json_object_set_new(d, "key", json_string(x->key));
    json_object_set_new(d, "type", json_string(index_type_name(x->type)));
    json_object_set_new(d, "status", json_string(x->status != NULL ? x->status : "available"));
    json_object_set_new(d, "error", json_string(x->error != NULL ? x->error : ""));
    json_t *attrs = json_array(), *lengths = json_array();
    for (size_t i = 0; i < x->nattrs; i++) {
        json_array_append_new(attrs, json_string(x->attrs[i]));
        json_array_append_new(lengths,
                              x->lengths[i] != 0 ? json_integer(x->lengths[i]) : json_null());
    }
    json_object_set_new(d, "attributes", attrs);
    json_object_set_new(d, "lengths", lengths);
    if (orders_given != NULL) {
        json_object_set(d, "orders", orders_given);
    } else {
        json_t *orders = json_array();
        for (size_t i = 0; i < x->nattrs; i++) {
            if (x->orders != NULL && x->orders[i] != NULL)
                json_array_append_new(orders, json_string(x->orders[i]));
        }
        json_object_set_new(d, "orders", orders);
    }
    return d;
}

static json_t *index_model(cw_db_family_t fam, const cw_collection_t *c, const cw_index_t *x)
{
    json_t *m = json_object();
    char id[160];
    snprintf(id, sizeof(id), "%" PRId64 "_%" PRId64 "_%s", c->database_seq, c->seq, x->key);
    json_object_set_new(m, "$id", json_string(id));
    set_time(m, "$createdAt", x->created_at);
    set_time(m, "$updatedAt", x->updated_at);
    json_object_set_new(m, "key", json_string(x->key));
    json_object_set_new(m, "type", json_string(index_type_name(x->type)));
    json_object_set_new(m, "status", json_string(x->status != NULL ? x->status : "available"));
    json_object_set_new(m, "error", json_string(x->error != NULL ? x->error : ""));
    json_t *attrs = json_array(), *lengths = json_array(), *orders = json_array();
    for (size_t i = 0; i < x->nattrs; i++) {
        json_array_append_new(attrs, json_string(x->attrs[i]));
        json_array_append_new(lengths,
                              x->lengths[i] != 0 ? json_integer(x->lengths[i]) : json_null());
        if (x->orders != NULL && x->orders[i] != NULL)
            json_array_append_new(orders, json_string(x->orders[i]));
    }
    json_object_set_new(m, fam == CW_DB_FAMILY_TABLES ? "columns" : "attributes", attrs);
    json_object_set_new(m, "lengths", lengths);
    json_object_set_new(m, "orders", orders);
    return m;
}

/* Appwrite's estimate of a row's width on MariaDB (SQL::getAttributeWidth), which bounds how many
 * and how large attributes a collection may have. */
static int64_t attr_width(const cw_attr_t *a)
{
    if (a->array)
        return 20;
    switch (a->type) {
    case CW_ATTR_STRING:
        if (strcmp(a->api_type, "text") == 0 || strcmp(a->api_type, "mediumtext") == 0 ||
            strcmp(a->api_type, "longtext") == 0)
            return 20;
        if (strcmp(a->api_type, "string") == 0 && a->size > VARCHAR_SIZE_MAX)
            return 20;
        return a->size > 255 ? a->size * 4 + 2 : a->size * 4 + 1;
    case CW_ATTR_INTEGER:
        return a->size >= 8 ? 8 : 4;
    case CW_ATTR_FLOAT:
        return 8;
    case CW_ATTR_BOOLEAN:
        return 1;
    case CW_ATTR_DATETIME:
        return 7;
    case CW_ATTR_RELATIONSHIP:
        return 255 * 4 + 1;
    case CW_ATTR_POINT:
        return 25;
    default:
        return 20;
    }
}

static int64_t collection_width(const cw_collection_t *c)
{
    int64_t w = ROW_WIDTH_BASE;
    for (size_t i = 0; i < c->nattrs; i++)
        w += attr_width(&c->attrs[i]);
    return w;
}

static json_t *collection_model(cw_db_family_t fam, const cw_collection_t *c)
{
    const family_t *F = fam_of(fam);
    json_t *m = json_object();
    json_object_set_new(m, "$id", json_string(c->id));
    set_time(m, "$createdAt", c->created_at);
    set_time(m, "$updatedAt", c->updated_at);
    json_object_set(m, "$permissions", c->permissions);
    json_object_set_new(m, "databaseId", json_string(c->database_id));
    json_object_set_new(m, "name", json_string(c->name));
    json_object_set_new(m, "enabled", json_boolean(c->enabled));
    json_object_set_new(m, F->security, json_boolean(c->document_security));
    json_t *attrs = json_array(), *indexes = json_array();
    for (size_t i = 0; i < c->nattrs; i++) {
        if (!cw_rel_attr_hidden(&c->attrs[i]))
            json_array_append_new(attrs, attr_model(fam, &c->attrs[i]));
    }
    for (size_t i = 0; i < c->nindexes; i++)
        json_array_append_new(indexes, index_model(fam, c, &c->indexes[i]));
    json_object_set_new(m, F->attributes, attrs);
    json_object_set_new(m, "indexes", indexes);
    json_object_set_new(m, "bytesMax", json_integer(ROW_WIDTH_MAX));
    json_object_set_new(m, "bytesUsed", json_integer(collection_width(c)));
    return m;
}

/* Reads a collection's attributes and indexes into c. */
static int collection_fill(cw_db_t *db, cw_collection_t *c, cw_db_error_t *err)
{
    qb_t qb;
    json_t *docs = NULL;
    int rc = -1;
    qb_init(&qb);
    cw_query_t *f[] = {qb_eq_int(&qb, "databaseInternalId", c->database_seq),
                       qb_eq_int(&qb, "collectionInternalId", c->seq)};
    if (meta_find(db, db->m_attributes, f, 2, &docs, err) != 0)
        goto out;
    c->nattrs = json_array_size(docs);
    c->attrs = cw_calloc(c->nattrs + 1, sizeof(*c->attrs));
    for (size_t i = 0; i < c->nattrs; i++)
        attr_from_doc(json_array_get(docs, i), &c->attrs[i]);
    json_decref(docs);
    docs = NULL;
    if (meta_find(db, db->m_indexes, f, 2, &docs, err) != 0)
        goto out;
    c->nindexes = json_array_size(docs);
    c->indexes = cw_calloc(c->nindexes + 1, sizeof(*c->indexes));
    for (size_t i = 0; i < c->nindexes; i++)
        index_from_doc(json_array_get(docs, i), &c->indexes[i]);
    if (cw__rel_schema_fill(db, c, err) != 0)
        goto out;
    rc = 0;
out:
    json_decref(docs);
    qb_free(&qb);
    return rc;
}

/* The schema of a collection (owned by the cache: valid until the next public call), or the
 * family's collection_not_found. */
static int collection_find(cw_db_t *db, cw_db_family_t fam, const json_t *dbdoc, const char *id,
                           const cw_collection_t **out, cw_db_error_t *err)
{
    int64_t db_seq = jseq(dbdoc);
    const family_t *F = fam_of(fam);
    for (size_t i = 0; i < db->ncolls; i++) {
        if (db->colls[i].db_seq == db_seq && strcmp(db->colls[i].id, id) == 0) {
            *out = db->colls[i].c;
            return 0;
        }
    }
    if (!id_ok(id))
        return fail(err, F->coll_not_found, "%s with ID '%s' could not be found.", F->Collection,
                    id != NULL ? id : "");
    json_t *cdoc = NULL;
    int rc = db->a->ops->doc_get(db->a, meta_colls(db, db_seq), id, &cdoc, err);
    if (rc == CW_ENOTFOUND)
        return fail(err, F->coll_not_found, "%s with ID '%s' could not be found.", F->Collection,
                    id);
    if (rc != CW_OK)
        return -1;
    cw_collection_t *c = collection_from_doc(dbdoc, cdoc);
    json_decref(cdoc);
    if (collection_fill(db, c, err) != 0) {
        cw_collection_free(c);
        return -1;
    }
    if (db->ncolls == COLL_CACHE_MAX && cw__rel_busy(&db->rel)) {
        /* Relationship work holds schemas up the stack: this one lives apart until it ends. */
        cw__rel_park(&db->rel, c);
        *out = c;
        return 0;
    }
    if (db->ncolls == COLL_CACHE_MAX) {
        /* Rare enough that dropping every schema is simpler than choosing a victim. The
         * databases stay: callers hold their documents. */
        for (size_t i = 0; i < db->ncolls; i++) {
            free(db->colls[i].id);
            cw_collection_free(db->colls[i].c);
        }
        db->ncolls = 0;
    }
    db->colls[db->ncolls++] = (coll_entry_t){db_seq, cw_strdup(id), c};
    *out = c;
    return 0;
}

/* Database and collection of a call, with the 404s in Appwrite's order. */
static int resolve(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                   const char *collection_id, const json_t **dbdoc, const cw_collection_t **c,
                   cw_db_error_t *err)
{
    if (sync_caches(db, err) != 0 || database_find(db, database_id, dbdoc, err) != 0)
        return -1;
    if (c == NULL)
        return 0;
    return collection_find(db, fam, *dbdoc, collection_id, c, err);
}

/* The stored document of a collection in its database's metadata. */
static json_t *collection_doc(const cw_collection_t *c)
{
    json_t *d = json_object();
    char iso[CW_TIME_ISO_LEN];
    json_object_set_new(d, "$id", json_string(c->id));
    cw_time_format(c->created_at, iso);
    json_object_set_new(d, "$createdAt", json_string(iso));
    cw_time_format(c->updated_at, iso);
    json_object_set_new(d, "$updatedAt", json_string(iso));
    json_object_set(d, "$permissions", c->permissions);
    json_object_set_new(d, "databaseInternalId", json_integer(c->database_seq));
    json_object_set_new(d, "databaseId", json_string(c->database_id));
    json_object_set_new(d, "name", json_string(c->name));
    json_object_set_new(d, "enabled", json_boolean(c->enabled));
    json_object_set_new(d, "documentSecurity", json_boolean(c->document_security));
    char search[CW_ID_MAX_LEN + 512];
    snprintf(search, sizeof(search), "%s %s", c->id, c->name);
    json_object_set_new(d, "search", json_string(search));
    return d;
}

/* Collections ---------------------------------------------------------------------------------- */

int cw_db_collection_create(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                            const char *id, const char *name, json_t *permissions,
                            bool document_security, bool enabled, json_t **out, cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    char cid[CW_ID_MAX_LEN + 1];
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *perms = NULL, *doc = NULL;
    cw_collection_t *c = NULL;
    int rc = -1;
    if (custom_id(F->collection_param, id, cid, err) != 0 || check_name(name, err) != 0 ||
        perms_parse(permissions, CW_PERM_SCOPE_COLLECTION, &arena, &perms, NULL, err) != 0 ||
        resolve(db, fam, database_id, NULL, &dbdoc, NULL, err) != 0)
        goto out;
    c = cw_calloc(1, sizeof(*c));
    c->database_seq = jseq(dbdoc);
    c->database_id = cw_strdup(jstr(dbdoc, "$id"));
    c->id = cw_strdup(cid);
    c->name = cw_strdup(name);
    c->enabled = enabled;
    c->document_security = document_security;
    c->permissions = perms != NULL ? json_incref(perms) : json_array();
    c->created_at = c->updated_at = cw_time_now_ms();
    doc = collection_doc(c);
    if (tx_begin(db, err) != 0)
        goto out;
    int arc = db->a->ops->doc_insert(db->a, meta_colls(db, c->database_seq), doc, &c->seq, err);
    if (arc == CW_EEXIST) {
        tx_rollback(db);
        fail(err, F->coll_exists,
             "A %s with ID '%s' already exists. Choose another ID or let the server make one with "
             "ID.unique().",
             F->collection, cid);
        goto out;
    }
    char table[96];
    snprintf(table, sizeof(table), "database_%" PRId64 "_collection_%" PRId64, c->database_seq,
             c->seq);
    c->table = cw_strdup(table);
    if (arc != CW_OK || db->a->ops->collection_create(db->a, c, err) != CW_OK) {
        tx_rollback(db);
        goto out;
    }
    if (tx_commit_meta(db, err) != 0)
        goto out;
    *out = collection_model(fam, c);
    rc = 0;
out:
    cw_collection_free(c);
    json_decref(doc);
    json_decref(perms);
    cw_arena_destroy(&arena);
    return rc;
}

int cw_db_collection_get(cw_db_t *db, cw_db_family_t fam, const char *database_id, const char *id,
                         json_t **out, cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    if (resolve(db, fam, database_id, id, &dbdoc, &c, err) != 0)
        return -1;
    *out = collection_model(fam, c);
    return 0;
}

int cw_db_collection_update(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                            const char *id, const char *name, json_t *permissions,
                            int document_security, int enabled, json_t **out, cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *cur;
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *perms = NULL, *doc = NULL, *model = NULL;
    int rc = -1;
    if (check_name(name, err) != 0 ||
        perms_parse(permissions, CW_PERM_SCOPE_COLLECTION, &arena, &perms, NULL, err) != 0 ||
        resolve(db, fam, database_id, id, &dbdoc, &cur, err) != 0)
        goto out;
    /* Work on a copy: the cached schema goes stale with the commit. */
    cw_collection_t tmp = *cur;
    tmp.name = (char *)name;
    if (perms != NULL)
        tmp.permissions = perms;
    if (document_security >= 0)
        tmp.document_security = document_security != 0;
    if (enabled >= 0)
        tmp.enabled = enabled != 0;
    tmp.updated_at = cw_time_now_ms();
    doc = collection_doc(&tmp);
    model = collection_model(fam, &tmp);
    if (tx_begin(db, err) != 0)
        goto out;
    if (db->a->ops->doc_update(db->a, meta_colls(db, cur->database_seq), cur->seq, doc,
                               perms != NULL, err) != CW_OK) {
        tx_rollback(db);
        goto out;
    }
    if (tx_commit_meta(db, err) != 0)
        goto out;
    *out = model;
    model = NULL;
    rc = 0;
out:
    json_decref(model);
    json_decref(doc);
    json_decref(perms);
    cw_arena_destroy(&arena);
    return rc;
}

int cw_db_collection_delete(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                            const char *id, cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    if (resolve(db, fam, database_id, id, &dbdoc, &c, err) != 0 || tx_begin(db, err) != 0)
        return -1;
    /* Its relationships go first, both sides: the other collections lose theirs too. */
    if (cw__rel_collection_drop(db, fam, c, err) != 0 || collection_purge(db, c, err) != 0 ||
        db->a->ops->doc_delete(db->a, meta_colls(db, c->database_seq), c->seq, err) != CW_OK) {
        tx_rollback(db);
        return -1;
    }
    return tx_commit_meta(db, err);
}

static const cw_query_attr_t q_collections[] = {
    {.key = CW_STR_LIT("name"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("enabled"), .type = CW_QUERY_ATTR_BOOLEAN},
    {.key = CW_STR_LIT("documentSecurity"), .type = CW_QUERY_ATTR_BOOLEAN},
};
static const cw_query_attr_t q_tables[] = {
    {.key = CW_STR_LIT("name"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("enabled"), .type = CW_QUERY_ATTR_BOOLEAN},
    {.key = CW_STR_LIT("rowSecurity"), .type = CW_QUERY_ATTR_BOOLEAN},
};

int cw_db_collection_list(cw_db_t *db, cw_db_family_t fam, const char *database_id, json_t *queries,
                          const char *search, bool with_total, json_t **out, cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    json_t *docs = NULL, *items = NULL;
    int64_t total = 0;
    int rc = -1;
    if (resolve(db, fam, database_id, NULL, &dbdoc, NULL, err) != 0)
        return -1;
    json_t *dbref = json_incref((json_t *)dbdoc);
    list_spec_t ls = {.c = meta_colls(db, jseq(dbdoc)),
                      .qattrs = fam == CW_DB_FAMILY_TABLES ? q_tables : q_collections,
                      .nqattrs = NELEM(q_collections),
                      .cursor_word = F->Collection,
                      .search = search,
                      .rename_from = fam == CW_DB_FAMILY_TABLES ? "rowSecurity" : NULL,
                      .rename_to = "documentSecurity",
                      .with_total = with_total};
    if (run_list(db, &ls, queries, &docs, &total, err) != 0)
        goto out;
    items = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        const cw_collection_t *c;
        if (collection_find(db, fam, dbref, jstr(d, "$id"), &c, err) != 0)
            goto out;
        json_array_append_new(items, collection_model(fam, c));
    }
    *out = list_model(fam == CW_DB_FAMILY_TABLES ? "tables" : "collections", items, total);
    items = NULL;
    rc = 0;
out:
    json_decref(items);
    json_decref(docs);
    json_decref(dbref);
    return rc;
}

/* Attributes --------------------------------------------------------------------------------- */

typedef struct attr_route {
    const char *route;  /* the route's type */
    const char *stored; /* the type Appwrite stores and reports */
    cw_attr_format_t format;
    int64_t size;     /* fixed size; 0: from the `size` parameter */
    int64_t size_max; /* bound of the `size` parameter */
} attr_route_t;

static const attr_route_t attr_routes[] = {
    {"string", "string", CW_FORMAT_NONE, 0, STRING_SIZE_MAX},
    {"varchar", "varchar", CW_FORMAT_NONE, 0, VARCHAR_SIZE_MAX},
    {"text", "text", CW_FORMAT_NONE, 65535, 0},
    {"mediumtext", "mediumtext", CW_FORMAT_NONE, 16777215, 0},
    {"longtext", "longtext", CW_FORMAT_NONE, 2147483647, 0},
    {"email", "string", CW_FORMAT_EMAIL, 254, 0},
    {"enum", "string", CW_FORMAT_ENUM, 255, 0},
    {"ip", "string", CW_FORMAT_IP, 39, 0},
    {"url", "string", CW_FORMAT_URL, 2000, 0},
    {"integer", "integer", CW_FORMAT_NONE, 0, 0},
    {"bigint", "bigint", CW_FORMAT_NONE, 8, 0},
    {"float", "double", CW_FORMAT_NONE, 0, 0},
    {"double", "double", CW_FORMAT_NONE, 0, 0},
    {"boolean", "boolean", CW_FORMAT_NONE, 0, 0},
    {"datetime", "datetime", CW_FORMAT_NONE, 0, 0},
    {"point", "point", CW_FORMAT_NONE, 0, 0},
    {"line", "linestring", CW_FORMAT_NONE, 0, 0},
    {"polygon", "polygon", CW_FORMAT_NONE, 0, 0},
};

static const attr_route_t *attr_route_find(const char *type)
{
    for (size_t i = 0; type != NULL && i < NELEM(attr_routes); i++) {
        if (strcmp(attr_routes[i].route, type) == 0)
            return &attr_routes[i];
    }
    return NULL;
}

static const cw_attr_t *attr_find_nocase(const cw_collection_t *c, const char *key,
                                         const char *except)
{
    for (size_t i = 0; i < c->nattrs; i++) {
        if (strcasecmp(c->attrs[i].key, key) == 0 &&
            (except == NULL || strcmp(c->attrs[i].key, except) != 0))
            return &c->attrs[i];
    }
    return NULL;
}

static int bad_param(cw_db_error_t *err, const char *param, const char *rule)
{
    return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, "Invalid `%s` param: %s", param, rule);
}

/* Enum elements: 1..100 strings of 1..255 characters (the route's rule), each non-empty. */
static int check_elements(const json_t *el, cw_db_error_t *err)
{
    static const char rule[] =
        "Value must a valid array no longer than 100 items and Value must "
        "be a valid string and at least 1 chars and no longer than 255 chars";
    if (!json_is_array(el) || json_array_size(el) > ENUM_ELEMENTS_MAX)
        return bad_param(err, "elements", rule);
    size_t i;
    const json_t *e;
    json_array_foreach(el, i, e)
    {
        size_t n =
            json_is_string(e) ? cw_utf8_count(json_string_value(e), json_string_length(e)) : 0;
        if (!json_is_string(e) || n < 1 || n > ELEMENT_LEN_MAX)
            return bad_param(err, "elements", rule);
    }
    return 0;
}

/* Fills the bounds of an integer or float attribute from the parameters, defaulting to the
 * widest range, and checks min <= max and the default against them. */
static int attr_bounds(const family_t *F, cw_attr_t *a, const json_t *min, const json_t *max,
                       bool keep, cw_db_error_t *err)
{
    if (a->type == CW_ATTR_INTEGER) {
        if ((min != NULL && !json_is_integer(min)) || (max != NULL && !json_is_integer(max)))
            return bad_param(err, min != NULL && !json_is_integer(min) ? "min" : "max",
                             "Value must be a valid signed 64-bit integer between "
                             "-9,223,372,036,854,775,808 and 9,223,372,036,854,775,807");
        if (min != NULL)
            a->min_int = json_integer_value(min);
        else if (!keep)
            a->min_int = INT64_MIN;
        if (max != NULL)
            a->max_int = json_integer_value(max);
        else if (!keep)
            a->max_int = INT64_MAX;
        a->has_min = a->has_max = true;
        if (a->min_int > a->max_int)
            return fail(err, F->attr_value_invalid,
                        "Minimum value must be lesser than maximum value");
        if (a->default_value != NULL && (!json_is_integer(a->default_value) ||
                                         json_integer_value(a->default_value) < a->min_int ||
                                         json_integer_value(a->default_value) > a->max_int)) {
            char smin[48], smax[48];
            cw_structure_int_format(a->min_int, smin, sizeof(smin));
            cw_structure_int_format(a->max_int, smax, sizeof(smax));
            return fail(err, F->attr_value_invalid, "Value must be a valid range between %s and %s",
                        smin, smax);
        }
        return 0;
    }
    if ((min != NULL && !json_is_number(min)) || (max != NULL && !json_is_number(max)))
        return bad_param(err, min != NULL && !json_is_number(min) ? "min" : "max",
                         "Value must be a valid float");
    if (min != NULL)
        a->min = json_number_value(min);
    else if (!keep)
        a->min = -DBL_MAX;
    if (max != NULL)
        a->max = json_number_value(max);
    else if (!keep)
        a->max = DBL_MAX;
    a->has_min = a->has_max = true;
    if (a->min > a->max)
        return fail(err, F->attr_value_invalid, "Minimum value must be lesser than maximum value");
    if (a->default_value != NULL) {
        double d = json_number_value(a->default_value);
        if (!json_is_number(a->default_value) || d < a->min || d > a->max) {
            char smin[400], smax[400];
            cw_structure_number_format(a->min, smin, sizeof(smin));
            cw_structure_number_format(a->max, smax, sizeof(smax));
            return fail(err, F->attr_value_invalid, "Value must be a valid range between %s and %s",
                        smin, smax);
        }
        if (json_is_integer(a->default_value)) {
            /* A float attribute keeps its default as a float. */
            json_t *r = json_real(d);
            json_decref(a->default_value);
            a->default_value = r;
        }
    }
    return 0;
}

/* Checks a default value against the attribute's type and format, as the routes' parameter
 * validators and actions do. */
static int attr_check_default(const family_t *F, const cw_attr_t *a, cw_db_error_t *err)
{
    const json_t *v = a->default_value;
    if (v == NULL)
        return 0;
    switch (a->type) {
    case CW_ATTR_STRING:
        if (!json_is_string(v))
            return bad_param(err, "default", "Value must be a valid string");
        switch (a->format) {
        case CW_FORMAT_EMAIL:
            if (!cw_structure_email_valid(json_string_value(v), json_string_length(v)))
                return bad_param(err, "default", "Value must be a valid email address");
            return 0;
        case CW_FORMAT_IP:
            if (!cw_structure_ip_valid(json_string_value(v), json_string_length(v)))
                return bad_param(err, "default", "Value must be a valid IP address");
            return 0;
        case CW_FORMAT_URL:
            if (!cw_structure_url_valid(json_string_value(v), json_string_length(v)))
                return bad_param(err, "default", "Value must be a valid URL");
            return 0;
        case CW_FORMAT_ENUM: {
            size_t i;
            const json_t *e;
            json_array_foreach(a->elements, i, e)
            {
                if (json_equal(e, v))
                    return 0;
            }
            return fail(err, F->attr_value_invalid, "Default value not found in elements");
        }
        default:
            break;
        }
        if (!a->size_bytes &&
            (int64_t)cw_utf8_count(json_string_value(v), json_string_length(v)) > a->size)
            return fail(err, F->attr_value_invalid,
                        "Value must be a valid string and no longer than %" PRId64 " chars",
                        a->size);
        if (a->size_bytes && (int64_t)json_string_length(v) > a->size)
            return fail(err, F->attr_value_invalid,
                        "Value must be a valid string no longer than %" PRId64 " bytes", a->size);
        return 0;
    case CW_ATTR_BOOLEAN:
        return json_is_boolean(v) ? 0 : bad_param(err, "default", "Value must be a valid boolean");
    case CW_ATTR_DATETIME:
        if (!json_is_string(v) ||
            !cw_structure_datetime_valid(json_string_value(v), json_string_length(v), NULL))
            return bad_param(err, "default",
                             "Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 "
                             "23:59:59.");
        return 0;
    case CW_ATTR_POINT:
    case CW_ATTR_LINE:
    case CW_ATTR_POLYGON: {
        char rule[320];
        if (!cw_spatial_valid(cw_spatial_attr_type(a), v, rule, sizeof(rule)))
            return bad_param(err, "default", rule);
        return 0;
    }
    default:
        return 0;
    }
}

/* A geometry default is kept in the form documents store geometries in. */
static void attr_normalize_default(cw_attr_t *a)
{
    cw_geo_type_t t = cw_spatial_attr_type(a);
    if (t == CW_GEO_NONE || a->default_value == NULL)
        return;
    json_t *n = cw_spatial_normalize(t, a->default_value);
    json_decref(a->default_value);
    a->default_value = n;
}

/* MariaDB, which Appwrite's rules follow, keeps no null in a spatial index, so a geometry under
 * one must stay required. */
static int spatial_index_needs_required(const family_t *F, const cw_collection_t *c,
                                        const char *key, cw_db_error_t *err)
{
    for (size_t i = 0; i < c->nindexes; i++) {
        const cw_index_t *x = &c->indexes[i];
        for (size_t k = 0; x->type == CW_INDEX_SPATIAL && k < x->nattrs; k++) {
            if (strcasecmp(x->attrs[k], key) == 0)
                return fail(err, F->index_invalid,
                            "Spatial indexes do not allow null values. Mark the attribute \"%s\" "
                            "as required or create the index on a column with no null values.",
                            key);
        }
    }
    return 0;
}

static const json_t *spec_get(const json_t *spec, const char *key)
{
    const json_t *v = json_object_get(spec, key);
    return json_is_null(v) ? NULL : v;
}

static int attr_find(const family_t *F, const cw_collection_t *c, const char *key,
                     const cw_attr_t **out, cw_db_error_t *err)
{
    const cw_attr_t *a = key != NULL ? cw_collection_attr(c, key) : NULL;
    if (a == NULL || cw_rel_attr_hidden(a))
        return fail(err, F->attr_not_found, "%s with the key '%s' could not be found.",
                    F == &families[CW_DB_FAMILY_TABLES] ? "Column" : "Attribute",
                    key != NULL ? key : "");
    *out = a;
    return 0;
}

int cw_db_attribute_create(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                           const char *collection_id, json_t *spec, json_t **out,
                           cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const char *type = json_string_value(json_object_get(spec, "type"));
    const char *key = json_string_value(json_object_get(spec, "key"));
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    cw_attr_t a;
    json_t *doc = NULL;
    char now[CW_TIME_ISO_LEN];
    int rc = -1;
    memset(&a, 0, sizeof(a));
    if (type != NULL && strcmp(type, "relationship") == 0)
        return cw__rel_attribute_create(db, fam, database_id, collection_id, spec, out, err);
    const attr_route_t *r = attr_route_find(type);
    if (r == NULL) {
        fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, "Unknown %s type \"%s\".", F->attribute,
             type != NULL ? type : "");
        goto out;
    }
    if (!id_ok(key)) {
        bad_param(err, "key", KEY_RULE);
        goto out;
    }
    if (jbool(spec, "encrypt", false)) {
        fail(err, CW_ERR_GENERAL_NOT_IMPLEMENTED,
             "Encrypted %ss are not supported by this server yet.", F->attribute);
        goto out;
    }
    a.key = cw_strdup(key);
    a.api_type = cw_strdup(r->stored);
    a.type = attr_type_of(r->stored);
    a.size_bytes = size_in_bytes(r->stored);
    a.format = r->format;
    a.required = jbool(spec, "required", false);
    a.array = jbool(spec, "array", false);
    a.is_signed = true;
    a.status = cw_strdup("available");
    a.error = cw_strdup("");
    const json_t *def = spec_get(spec, "default");
    a.default_value = def != NULL ? json_deep_copy(def) : NULL;
    if (r->size_max > 0) {
        const json_t *size = spec_get(spec, "size");
        if (!json_is_integer(size) || json_integer_value(size) < 1 ||
            json_integer_value(size) > r->size_max) {
            char rule[128], smax[48];
            cw_structure_int_format(r->size_max, smax, sizeof(smax));
            snprintf(rule, sizeof(rule), "Value must be a valid range between 1 and %s", smax);
            bad_param(err, "size", rule);
            goto out;
        }
        a.size = json_integer_value(size);
    } else {
        a.size = r->size;
    }
    if (a.format == CW_FORMAT_ENUM) {
        const json_t *el = spec_get(spec, "elements");
        if (check_elements(el, err) != 0)
            goto out;
        a.elements = json_deep_copy(el);
    }
    if (a.array && cw_spatial_attr_type(&a) != CW_GEO_NONE) {
        fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, "Spatial %ss cannot be arrays.", F->attribute);
        goto out;
    }
    if (attr_check_default(F, &a, err) != 0)
        goto out;
    attr_normalize_default(&a);
    if (a.type == CW_ATTR_INTEGER || a.type == CW_ATTR_FLOAT) {
        if (attr_bounds(F, &a, spec_get(spec, "min"), spec_get(spec, "max"), false, err) != 0)
            goto out;
        if (a.type == CW_ATTR_INTEGER && r->size == 0)
            a.size = a.max_int > 2147483647LL ? 8 : 4;
    }
    if (resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0)
        goto out;
    if (a.required && a.default_value != NULL) {
        fail(err, F->attr_default_unsupported, "Cannot set a default value for a required %s.",
             F->attribute);
        goto out;
    }
    if (a.array && a.default_value != NULL) {
        fail(err, F->attr_default_unsupported, "Cannot set a default value for array %ss.",
             F->attribute);
        goto out;
    }
    if (a.required && cw_spatial_attr_type(&a) != CW_GEO_NONE) {
        /* As on MariaDB, where a required geometry column is NOT NULL and has no default to
         * give the rows already there. */
        cw_dba_find_t all = {.limit = -1};
        int64_t n = 0;
        if (db->a->ops->doc_count(db->a, c, &all, 1, &n, err) != CW_OK)
            goto out;
        if (n > 0) {
            fail(err, F->doc_invalid, "%s",
                 "Failed to add required spatial column: existing rows present. Make the column "
                 "optional.");
            goto out;
        }
    }
    if (attr_find_nocase(c, key, NULL) != NULL) {
        fail(err, F->attr_exists, "%s with the key '%s' already exists.",
             fam == CW_DB_FAMILY_TABLES ? "Column" : "Attribute", key);
        goto out;
    }
    if (c->nattrs + 1 + SYSTEM_ATTRS > ATTR_LIMIT ||
        collection_width(c) + attr_width(&a) >= ROW_WIDTH_MAX) {
        fail(err, F->attr_limit, "The maximum number or size of %s for %s '%s' has been reached.",
             F->attributes, F->collection, c->id);
        goto out;
    }
    now_iso(now);
    a.created_at = a.updated_at = iso_ms(now);
    doc = attr_doc(c, &a, now);
    if (tx_begin(db, err) != 0)
        goto out;
    int64_t seq;
    int arc = db->a->ops->doc_insert(db->a, db->m_attributes, doc, &seq, err);
    if (arc == CW_EEXIST) {
        tx_rollback(db);
        fail(err, F->attr_exists, "%s with the key '%s' already exists.",
             fam == CW_DB_FAMILY_TABLES ? "Column" : "Attribute", key);
        goto out;
    }
    if (arc != CW_OK || db->a->ops->attribute_add(db->a, c, &a, err) != CW_OK) {
        tx_rollback(db);
        goto out;
    }
    if (tx_commit_meta(db, err) != 0)
        goto out;
    *out = attr_model(fam, &a);
    rc = 0;
out:
    json_decref(doc);
    cw_attr_clear(&a);
    return rc;
}

int cw_db_attribute_get(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                        const char *collection_id, const char *key, json_t **out,
                        cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    const cw_attr_t *a = NULL;
    if (resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0 ||
        attr_find(fam_of(fam), c, key, &a, err) != 0)
        return -1;
    *out = attr_model(fam, a);
    return 0;
}

static void attr_copy(cw_attr_t *dst, const cw_attr_t *src)
{
    *dst = *src;
    dst->key = cw_strdup(src->key);
    dst->api_type = cw_strdup(src->api_type);
    dst->status = cw_strdup(src->status != NULL ? src->status : "available");
    dst->error = cw_strdup(src->error != NULL ? src->error : "");
    dst->default_value = src->default_value != NULL ? json_deep_copy(src->default_value) : NULL;
    dst->elements = src->elements != NULL ? json_deep_copy(src->elements) : NULL;
    dst->options = src->options != NULL ? json_deep_copy(src->options) : NULL;
}

/* Rewrites the index metadata naming `key` (renamed to new_key, or removed when new_key is NULL)
 * and their SQL indexes, inside the caller's transaction. An index left without attributes goes. */
static int indexes_follow(cw_db_t *db, const cw_collection_t *c, const char *key,
                          const char *new_key, cw_db_error_t *err)
{
    char now[CW_TIME_ISO_LEN];
    now_iso(now);
    for (size_t i = 0; i < c->nindexes; i++) {
        const cw_index_t *x = &c->indexes[i];
        bool uses = false;
        for (size_t k = 0; k < x->nattrs; k++)
            uses = uses || strcmp(x->attrs[k], key) == 0;
        if (!uses)
            continue;
        char id[160];
        snprintf(id, sizeof(id), "%" PRId64 "_%" PRId64 "_%s", c->database_seq, c->seq, x->key);
        json_t *old = NULL;
        if (db->a->ops->doc_get(db->a, db->m_indexes, id, &old, err) != CW_OK)
            return -1;
        int64_t seq = jseq(old);
        json_decref(old);
        bool available = x->status == NULL || strcmp(x->status, "available") == 0;
        if (new_key == NULL) {
            /* SQLite will not drop a column an index still covers. */
            if (available && db->a->ops->index_drop(db->a, c, x, err) != CW_OK)
                return -1;
        }
        cw_index_t nx = *x;
        nx.attrs = cw_calloc(x->nattrs + 1, sizeof(char *));
        nx.orders = cw_calloc(x->nattrs + 1, sizeof(char *));
        nx.lengths = cw_calloc(x->nattrs + 1, sizeof(int64_t));
        nx.nattrs = 0;
        for (size_t k = 0; k < x->nattrs; k++) {
            if (strcmp(x->attrs[k], key) == 0 && new_key == NULL)
                continue;
            nx.attrs[nx.nattrs] = strcmp(x->attrs[k], key) == 0 ? (char *)new_key : x->attrs[k];
            nx.orders[nx.nattrs] = x->orders != NULL ? x->orders[k] : NULL;
            nx.lengths[nx.nattrs] = x->lengths[k];
            nx.nattrs++;
        }
        int rc = 0;
        if (nx.nattrs == 0) {
            rc = db->a->ops->doc_delete(db->a, db->m_indexes, seq, err) == CW_OK ? 0 : -1;
        } else {
            json_t *d = index_doc(c, &nx, NULL, now);
            char ca[CW_TIME_ISO_LEN];
            cw_time_format(x->created_at, ca);
            json_object_set_new(d, "$createdAt", json_string(ca));
            rc = db->a->ops->doc_update(db->a, db->m_indexes, seq, d, false, err) == CW_OK ? 0 : -1;
            json_decref(d);
        }
        free(nx.attrs);
        free(nx.orders);
        free(nx.lengths);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* After a column is gone, the indexes that still have attributes are built again over what is
 * left of them. */
static int indexes_rebuild_after_drop(cw_db_t *db, const cw_collection_t *c, const char *key,
                                      cw_db_error_t *err)
{
    for (size_t i = 0; i < c->nindexes; i++) {
        const cw_index_t *x = &c->indexes[i];
        bool uses = false;
        for (size_t k = 0; k < x->nattrs; k++)
            uses = uses || strcmp(x->attrs[k], key) == 0;
        if (!uses || x->nattrs < 2 || (x->status != NULL && strcmp(x->status, "available") != 0))
            continue;
        cw_index_t nx = *x;
        nx.attrs = cw_calloc(x->nattrs, sizeof(char *));
        nx.orders = cw_calloc(x->nattrs, sizeof(char *));
        nx.lengths = cw_calloc(x->nattrs, sizeof(int64_t));
        nx.nattrs = 0;
        for (size_t k = 0; k < x->nattrs; k++) {
            if (strcmp(x->attrs[k], key) == 0)
                continue;
            nx.attrs[nx.nattrs] = x->attrs[k];
            nx.orders[nx.nattrs] = x->orders != NULL ? x->orders[k] : NULL;
            nx.nattrs++;
        }
        int rc = db->a->ops->index_create(db->a, c, &nx, err);
        free(nx.attrs);
        free(nx.orders);
        free(nx.lengths);
        if (rc != CW_OK && rc != CW_DBA_EUNIQUE)
            return -1;
    }
    return 0;
}

int cw_db_attribute_update(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                           const char *collection_id, const char *key, json_t *spec, json_t **out,
                           cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const char *type = json_string_value(json_object_get(spec, "type"));
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    const cw_attr_t *cur = NULL;
    cw_attr_t a;
    json_t *doc = NULL;
    char now[CW_TIME_ISO_LEN];
    int rc = -1;
    bool copied = false;
    if (type != NULL && strcmp(type, "relationship") == 0)
        return cw__rel_attribute_update(db, fam, database_id, collection_id, key, spec, out, err);
    if (resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0 ||
        attr_find(F, c, key, &cur, err) != 0)
        return -1;
    if (cur->status != NULL && strcmp(cur->status, "available") != 0)
        return fail(err, F->attr_not_available, "The %s '%s' is not available yet.", F->attribute,
                    key);
    const attr_route_t *r = attr_route_find(type);
    if (r == NULL || strcmp(r->stored, cur->api_type) != 0 ||
        (r->format != CW_FORMAT_NONE && r->format != cur->format))
        return fail(err, F->attr_type_invalid, "The %s '%s' is not of type %s.", F->attribute, key,
                    type != NULL ? type : "");
    attr_copy(&a, cur);
    copied = true;
    a.required = jbool(spec, "required", cur->required);
    json_decref(a.default_value);
    const json_t *def = spec_get(spec, "default");
    a.default_value = def != NULL ? json_deep_copy(def) : NULL;
    if (a.required && a.default_value != NULL) {
        fail(err, F->attr_default_unsupported, "Cannot set a default value for a required %s.",
             F->attribute);
        goto out;
    }
    if (a.array && a.default_value != NULL) {
        fail(err, F->attr_default_unsupported, "Cannot set a default value for array %ss.",
             F->attribute);
        goto out;
    }
    const json_t *size = spec_get(spec, "size");
    if (size != NULL && r->size_max > 0) {
        if (!json_is_integer(size) || json_integer_value(size) < 1 ||
            json_integer_value(size) > r->size_max) {
            char rule[128], smax[48];
            cw_structure_int_format(r->size_max, smax, sizeof(smax));
            snprintf(rule, sizeof(rule), "Value must be a valid range between 1 and %s", smax);
            bad_param(err, "size", rule);
            goto out;
        }
        a.size = json_integer_value(size);
    }
    if (a.format == CW_FORMAT_ENUM) {
        const json_t *el = spec_get(spec, "elements");
        if (el != NULL) {
            if (!json_is_array(el) || json_array_size(el) == 0) {
                fail(err, F->attr_value_invalid, "Enum elements must not be empty");
                goto out;
            }
            if (check_elements(el, err) != 0)
                goto out;
            json_decref(a.elements);
            a.elements = json_deep_copy(el);
        }
    }
    if (attr_check_default(F, &a, err) != 0)
        goto out;
    attr_normalize_default(&a);
    if (a.type == CW_ATTR_INTEGER || a.type == CW_ATTR_FLOAT) {
        if (attr_bounds(F, &a, spec_get(spec, "min"), spec_get(spec, "max"), true, err) != 0)
            goto out;
    }
    const char *new_key = json_string_value(spec_get(spec, "newKey"));
    if (new_key != NULL && strcmp(new_key, key) == 0)
        new_key = NULL;
    if (new_key != NULL) {
        if (!id_ok(new_key)) {
            bad_param(err, "newKey", KEY_RULE);
            goto out;
        }
        if (attr_find_nocase(c, new_key, key) != NULL) {
            fail(err, F->attr_exists, "%s with the key '%s' already exists.",
                 fam == CW_DB_FAMILY_TABLES ? "Column" : "Attribute", new_key);
            goto out;
        }
        free(a.key);
        a.key = cw_strdup(new_key);
    }
    if (collection_width(c) - attr_width(cur) + attr_width(&a) >= ROW_WIDTH_MAX) {
        fail(err, F->attr_limit, "The maximum number or size of %s for %s '%s' has been reached.",
             F->attributes, F->collection, c->id);
        goto out;
    }
    if (!a.required && cw_spatial_attr_type(&a) != CW_GEO_NONE &&
        spatial_index_needs_required(F, c, key, err) != 0)
        goto out;
    now_iso(now);
    a.updated_at = iso_ms(now);
    char created[CW_TIME_ISO_LEN];
    cw_time_format(cur->created_at, created);
    doc = attr_doc(c, &a, now);
    json_object_set_new(doc, "$createdAt", json_string(created));
    char old_id[160];
    snprintf(old_id, sizeof(old_id), "%" PRId64 "_%" PRId64 "_%s", c->database_seq, c->seq, key);
    if (tx_begin(db, err) != 0)
        goto out;
    json_t *old = NULL;
    int arc = db->a->ops->doc_get(db->a, db->m_attributes, old_id, &old, err);
    int64_t seq = arc == CW_OK ? jseq(old) : 0;
    json_decref(old);
    if (arc != CW_OK)
        goto fail_tx;
    if (a.size < cur->size) {
        arc = db->a->ops->attribute_check(db->a, c, &a, err);
        if (arc == CW_DBA_ETOOBIG) {
            tx_rollback(db);
            fail(
                err, F->attr_resize,
                "Existing data is too large for the new size: shorten the values, then try again.");
            goto out;
        }
        if (arc != CW_OK)
            goto fail_tx;
    }
    if (new_key != NULL && (db->a->ops->attribute_rename(db->a, c, key, new_key, err) != CW_OK ||
                            indexes_follow(db, c, key, new_key, err) != 0))
        goto fail_tx;
    arc = db->a->ops->doc_update(db->a, db->m_attributes, seq, doc, false, err);
    if (arc == CW_EEXIST) {
        tx_rollback(db);
        fail(err, F->attr_exists, "%s with the key '%s' already exists.",
             fam == CW_DB_FAMILY_TABLES ? "Column" : "Attribute", a.key);
        goto out;
    }
    if (arc != CW_OK)
        goto fail_tx;
    if (tx_commit_meta(db, err) != 0)
        goto out;
    *out = attr_model(fam, &a);
    rc = 0;
    goto out;
fail_tx:
    tx_rollback(db);
out:
    json_decref(doc);
    if (copied)
        cw_attr_clear(&a);
    return rc;
}

int cw_db_attribute_delete(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                           const char *collection_id, const char *key, cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    const cw_attr_t *a = NULL;
    if (resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0 ||
        attr_find(F, c, key, &a, err) != 0)
        return -1;
    if (a->type == CW_ATTR_RELATIONSHIP)
        return cw__rel_attribute_delete(db, fam, database_id, collection_id, key, err);
    char id[160];
    snprintf(id, sizeof(id), "%" PRId64 "_%" PRId64 "_%s", c->database_seq, c->seq, key);
    if (tx_begin(db, err) != 0)
        return -1;
    json_t *old = NULL;
    if (db->a->ops->doc_get(db->a, db->m_attributes, id, &old, err) != CW_OK)
        goto fail_tx;
    int64_t seq = jseq(old);
    json_decref(old);
    if (indexes_follow(db, c, key, NULL, err) != 0 ||
        db->a->ops->attribute_drop(db->a, c, key, err) != CW_OK ||
        indexes_rebuild_after_drop(db, c, key, err) != 0 ||
        db->a->ops->doc_delete(db->a, db->m_attributes, seq, err) != CW_OK)
        goto fail_tx;
    return tx_commit_meta(db, err);
fail_tx:
    tx_rollback(db);
    return -1;
}

static const cw_query_attr_t q_attributes[] = {
    {.key = CW_STR_LIT("key"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("type"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("size"), .type = CW_QUERY_ATTR_INTEGER, .int64 = true},
    {.key = CW_STR_LIT("required"), .type = CW_QUERY_ATTR_BOOLEAN},
    {.key = CW_STR_LIT("array"), .type = CW_QUERY_ATTR_BOOLEAN},
    {.key = CW_STR_LIT("status"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("error"), .type = CW_QUERY_ATTR_STRING},
};

int cw_db_attribute_list(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                         const char *collection_id, json_t *queries, bool with_total, json_t **out,
                         cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    json_t *docs = NULL;
    int64_t total = 0;
    qb_t qb;
    if (resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0)
        return -1;
    qb_init(&qb);
    cw_query_t *f[] = {qb_eq_int(&qb, "databaseInternalId", c->database_seq),
                       qb_eq_int(&qb, "collectionInternalId", c->seq)};
    list_spec_t ls = {.c = db->m_attributes,
                      .qattrs = q_attributes,
                      .nqattrs = NELEM(q_attributes),
                      .extra = f,
                      .nextra = 2,
                      .cursor_key = "key",
                      .cursor_word = fam == CW_DB_FAMILY_TABLES ? "Column" : "Attribute",
                      .with_total = with_total};
    int rc = run_list(db, &ls, queries, &docs, &total, err);
    qb_free(&qb);
    if (rc != 0)
        return -1;
    json_t *items = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        cw_attr_t a;
        attr_from_doc(d, &a);
        json_array_append_new(items, attr_model(fam, &a));
        cw_attr_clear(&a);
    }
    json_decref(docs);
    *out = list_model(F->attributes, items, total);
    return 0;
}

/* Indexes ------------------------------------------------------------------------------------ */

static int index_find(const family_t *F, const cw_collection_t *c, const char *key,
                      const cw_index_t **out, cw_db_error_t *err)
{
    const cw_index_t *x = key != NULL ? cw_collection_index(c, key) : NULL;
    if (x == NULL)
        return fail(err, F->index_not_found, "Index with the key '%s' could not be found.",
                    key != NULL ? key : "");
    *out = x;
    return 0;
}

/* The system attributes an index may cover, as Appwrite adds them for the check. */
typedef struct idx_attr {
    const char *key;
    cw_attr_type_t type;
    int64_t size;
    bool array;
    const cw_attr_t *attr;
} idx_attr_t;

static bool idx_attr_lookup(const cw_collection_t *c, const char *key, bool nocase, idx_attr_t *out)
{
    static const struct {
        const char *key;
        cw_attr_type_t type;
        int64_t size;
    } sys[] = {{"$id", CW_ATTR_STRING, 255},
               {"$createdAt", CW_ATTR_DATETIME, 0},
               {"$updatedAt", CW_ATTR_DATETIME, 0}};
    for (size_t i = 0; i < NELEM(sys); i++) {
        if (nocase ? strcasecmp(sys[i].key, key) == 0 : strcmp(sys[i].key, key) == 0) {
            *out = (idx_attr_t){sys[i].key, sys[i].type, sys[i].size, false, NULL};
            return true;
        }
    }
    const cw_attr_t *a = nocase ? attr_find_nocase(c, key, NULL) : cw_collection_attr(c, key);
    if (a == NULL)
        return false;
    *out = (idx_attr_t){a->key, a->type, a->size, a->array, a};
    return true;
}

/* utopia's rules for spatial indexes as MariaDB takes them (null values not allowed, orders
 * allowed), and against other indexes on geometries. */
static int index_check_spatial(const family_t *F, const cw_collection_t *c, const cw_index_t *x,
                               cw_db_error_t *err)
{
    if (x->type == CW_INDEX_SPATIAL) {
        if (x->nattrs != 1)
            return fail(err, F->index_invalid, "%s",
                        "Spatial index must have exactly one attribute");
        idx_attr_t ia;
        idx_attr_lookup(c, x->attrs[0], true, &ia);
        bool geo = ia.attr != NULL && cw_spatial_attr_type(ia.attr) != CW_GEO_NONE;
        if (!geo)
            return fail(err, F->index_invalid,
                        "Spatial index can only be created on spatial attributes (point, "
                        "linestring, polygon). Attribute \"%s\" is of type \"%s\"",
                        x->attrs[0],
                        ia.attr != NULL             ? ia.attr->api_type
                        : ia.type == CW_ATTR_STRING ? "string"
                                                    : "datetime");
        if (!ia.attr->required)
            return fail(err, F->index_invalid,
                        "Spatial indexes do not allow null values. Mark the attribute \"%s\" as "
                        "required or create the index on a column with no null values.",
                        x->attrs[0]);
        return 0;
    }
    for (size_t i = 0; i < x->nattrs; i++) {
        idx_attr_t ia;
        idx_attr_lookup(c, x->attrs[i], true, &ia);
        if (ia.attr != NULL && cw_spatial_attr_type(ia.attr) != CW_GEO_NONE)
            return fail(err, F->index_invalid,
                        "Cannot create %s index on spatial attribute \"%s\". Spatial attributes "
                        "require spatial indexes.",
                        index_type_name(x->type), x->attrs[i]);
    }
    return 0;
}

int cw_db_index_create(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                       const char *collection_id, const char *key, const char *type,
                       json_t *attributes, json_t *orders, json_t *lengths, json_t **out,
                       cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    cw_index_t x;
    json_t *doc = NULL;
    char now[CW_TIME_ISO_LEN];
    int rc = -1;
    memset(&x, 0, sizeof(x));
    if (!id_ok(key))
        return bad_param(err, "key", KEY_RULE);
    if (type == NULL || (strcmp(type, "key") != 0 && strcmp(type, "unique") != 0 &&
                         strcmp(type, "fulltext") != 0 && strcmp(type, "spatial") != 0))
        return bad_param(err, "type", "Value must be one of (key, fulltext, unique, spatial)");
    if (!json_is_array(attributes) || json_array_size(attributes) > 100)
        return bad_param(err, F->attributes, "Value must a valid array no longer than 100 items");
    if (resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0)
        return -1;
    if (c->nindexes >= INDEX_LIMIT)
        return fail(err, F->index_limit,
                    "The maximum number of indexes for %s '%s' has been reached.", F->collection,
                    c->id);
    size_t n = json_array_size(attributes);
    x.key = cw_strdup(key);
    x.type = strcmp(type, "unique") == 0     ? CW_INDEX_UNIQUE
             : strcmp(type, "fulltext") == 0 ? CW_INDEX_FULLTEXT
             : strcmp(type, "spatial") == 0  ? CW_INDEX_SPATIAL
                                             : CW_INDEX_KEY;
    x.nattrs = n;
    x.attrs = cw_calloc(n + 1, sizeof(char *));
    x.orders = cw_calloc(n + 1, sizeof(char *));
    x.lengths = cw_calloc(n + 1, sizeof(int64_t));
    x.status = cw_strdup("available");
    x.error = cw_strdup("");
    for (size_t i = 0; i < n; i++) {
        const char *ak = json_string_value(json_array_get(attributes, i));
        x.attrs[i] = cw_strdup(ak != NULL ? ak : "");
        const char *o = json_string_value(json_array_get(orders, i));
        x.orders[i] = o != NULL ? cw_strdup(o) : NULL;
        const json_t *l = json_array_get(lengths, i);
        x.lengths[i] = json_is_integer(l) ? json_integer_value(l) : 0;
    }
    /* Appwrite's own checks first: each attribute known (exactly), not a relationship,
     * available, not an array. */
    for (size_t i = 0; i < n; i++) {
        idx_attr_t ia;
        if (!idx_attr_lookup(c, x.attrs[i], false, &ia)) {
            fail(err, F->attr_unknown,
                 "The %s '%s' required for the index could not be found. Please confirm all your "
                 "%s are in the available state.",
                 F->attribute, x.attrs[i], F->attributes);
            goto out;
        }
        if (ia.type == CW_ATTR_RELATIONSHIP) {
            fail(err, F->attr_type_invalid, "Cannot create an index for a relationship %s: %s",
                 F->attribute, ia.key);
            goto out;
        }
        if (ia.attr != NULL && ia.attr->status != NULL &&
            strcmp(ia.attr->status, "available") != 0) {
            fail(err, F->attr_not_available, "The %s '%s' is not available yet.", F->attribute,
                 ia.key);
            goto out;
        }
        if (ia.array) {
            fail(err, F->index_invalid,
                 "Creating indexes on array attributes is not currently supported.");
            goto out;
        }
    }
    /* Then utopia's Index validator, in its order. */
    if (n == 0) {
        fail(err, F->index_invalid, "No attributes provided for index");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < i; k++) {
            if (strcasecmp(x.attrs[i], x.attrs[k]) == 0) {
                fail(err, F->index_invalid, "Duplicate attributes provided");
                goto out;
            }
        }
    }
    if (x.type == CW_INDEX_FULLTEXT) {
        for (size_t i = 0; i < n; i++) {
            idx_attr_t ia;
            idx_attr_lookup(c, x.attrs[i], true, &ia);
            if (ia.type != CW_ATTR_STRING) {
                fail(err, F->index_invalid,
                     "Attribute \"%s\" cannot be part of a fulltext index, must be of type string",
                     ia.key);
                goto out;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        idx_attr_t ia;
        idx_attr_lookup(c, x.attrs[i], true, &ia);
        if (ia.type != CW_ATTR_STRING && x.lengths[i] != 0) {
            fail(err, F->index_invalid, "Cannot set a length on \"%s\" attributes",
                 ia.attr != NULL ? ia.attr->api_type : "datetime");
            goto out;
        }
    }
    if (x.type != CW_INDEX_FULLTEXT) {
        if (json_array_size(lengths) > n) {
            fail(err, F->index_invalid,
                 "Invalid index lengths. Count of lengths must be equal or less than the number of "
                 "attributes.");
            goto out;
        }
        int64_t total = 0;
        for (size_t i = 0; i < n; i++) {
            idx_attr_t ia;
            idx_attr_lookup(c, x.attrs[i], true, &ia);
            int64_t size, len;
            if (ia.type == CW_ATTR_STRING) {
                size = ia.size;
                len = x.lengths[i] != 0 ? x.lengths[i] : size;
            } else {
                size = len = ia.type == CW_ATTR_FLOAT ? 2 : 1;
            }
            if (len < 0) {
                fail(err, F->index_invalid, "Negative index length provided for %s", x.attrs[i]);
                goto out;
            }
            if (len > size) {
                fail(err, F->index_invalid,
                     "Index length %" PRId64 " is larger than the size for %s: %" PRId64 "\"", len,
                     x.attrs[i], size);
                goto out;
            }
            total += len;
        }
        if (total > INDEX_LENGTH_MAX) {
            fail(err, F->index_invalid, "Index length is longer than the maximum: %d",
                 INDEX_LENGTH_MAX);
            goto out;
        }
    }
    static const char *const reserved[] = {"primary", "_created_at", "_updated_at", "_tenant_id"};
    for (size_t i = 0; i < NELEM(reserved); i++) {
        if (strcasecmp(key, reserved[i]) == 0) {
            fail(err, F->index_invalid, "Index key name is reserved");
            goto out;
        }
    }
    if (index_check_spatial(F, c, &x, err) != 0)
        goto out;
    for (size_t i = 0; i < c->nindexes; i++) {
        if (strcasecmp(c->indexes[i].key, key) == 0) {
            fail(err, F->index_exists, "Index with the key '%s' already exists.", key);
            goto out;
        }
    }
    now_iso(now);
    x.created_at = x.updated_at = iso_ms(now);
    if (tx_begin(db, err) != 0)
        goto out;
    /* The SQL index first: a unique index over duplicate values fails here, and the index is
     * then recorded as failed with the reason, as Appwrite's worker records it. */
    int arc = db->a->ops->index_create(db->a, c, &x, err);
    if (arc == CW_DBA_EUNIQUE) {
        free(x.status);
        free(x.error);
        x.status = cw_strdup("failed");
        x.error = cw_strdup("Cannot create the unique index: existing documents hold equal values "
                            "for its attributes.");
    } else if (arc != CW_OK) {
        tx_rollback(db);
        goto out;
    }
    doc = index_doc(c, &x, orders != NULL ? orders : NULL, now);
    if (orders == NULL)
        json_object_set_new(doc, "orders", json_array());
    int64_t seq;
    arc = db->a->ops->doc_insert(db->a, db->m_indexes, doc, &seq, err);
    if (arc == CW_EEXIST) {
        tx_rollback(db);
        fail(err, F->index_exists, "Index with the key '%s' already exists.", key);
        goto out;
    }
    if (arc != CW_OK) {
        tx_rollback(db);
        goto out;
    }
    if (tx_commit_meta(db, err) != 0)
        goto out;
    *out = index_model(fam, c, &x);
    rc = 0;
out:
    json_decref(doc);
    cw_index_clear(&x);
    return rc;
}

int cw_db_index_get(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                    const char *collection_id, const char *key, json_t **out, cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    const cw_index_t *x = NULL;
    if (resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0 ||
        index_find(fam_of(fam), c, key, &x, err) != 0)
        return -1;
    *out = index_model(fam, c, x);
    return 0;
}

int cw_db_index_delete(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                       const char *collection_id, const char *key, cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    const cw_index_t *x = NULL;
    if (resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0 ||
        index_find(fam_of(fam), c, key, &x, err) != 0)
        return -1;
    char id[160];
    snprintf(id, sizeof(id), "%" PRId64 "_%" PRId64 "_%s", c->database_seq, c->seq, key);
    if (tx_begin(db, err) != 0)
        return -1;
    json_t *old = NULL;
    if (db->a->ops->doc_get(db->a, db->m_indexes, id, &old, err) != CW_OK)
        goto fail_tx;
    int64_t seq = jseq(old);
    json_decref(old);
    if (db->a->ops->index_drop(db->a, c, x, err) != CW_OK ||
        db->a->ops->doc_delete(db->a, db->m_indexes, seq, err) != CW_OK)
        goto fail_tx;
    return tx_commit_meta(db, err);
fail_tx:
    tx_rollback(db);
    return -1;
}

static const cw_query_attr_t q_indexes[] = {
    {.key = CW_STR_LIT("key"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("type"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("status"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("attributes"), .type = CW_QUERY_ATTR_STRING, .array = true},
    {.key = CW_STR_LIT("error"), .type = CW_QUERY_ATTR_STRING},
};

int cw_db_index_list(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                     const char *collection_id, json_t *queries, bool with_total, json_t **out,
                     cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    json_t *docs = NULL;
    int64_t total = 0;
    qb_t qb;
    if (resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0)
        return -1;
    qb_init(&qb);
    cw_query_t *f[] = {qb_eq_int(&qb, "databaseInternalId", c->database_seq),
                       qb_eq_int(&qb, "collectionInternalId", c->seq)};
    list_spec_t ls = {.c = db->m_indexes,
                      .qattrs = q_indexes,
                      .nqattrs = NELEM(q_indexes),
                      .extra = f,
                      .nextra = 2,
                      .cursor_key = "key",
                      .cursor_word = "Index",
                      .rename_from = fam == CW_DB_FAMILY_TABLES ? "columns" : NULL,
                      .rename_to = "attributes",
                      .with_total = with_total};
    int rc = run_list(db, &ls, queries, &docs, &total, err);
    qb_free(&qb);
    if (rc != 0)
        return -1;
    json_t *items = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        cw_index_t x;
        index_from_doc(d, &x);
        json_array_append_new(items, index_model(fam, c, &x));
        cw_index_clear(&x);
    }
    json_decref(docs);
    *out = list_model("indexes", items, total);
    return 0;
}

/* Documents ------------------------------------------------------------------------------------ */

static json_t *doc_model(cw_db_family_t fam, const cw_collection_t *c, const json_t *s,
                         const char *const *select, size_t nselect)
{
    const family_t *F = fam_of(fam);
    json_t *m = json_object();
    json_object_set(m, "$id", json_object_get(s, "$id"));
    const json_t *seq = json_object_get(s, "$sequence");
    json_object_set_new(m, "$sequence", seq != NULL ? json_incref((json_t *)seq) : json_string(""));
    json_object_set_new(m, F->collection_key, json_string(c->id));
    json_object_set_new(m, "$databaseId", json_string(c->database_id));
    json_object_set(m, "$createdAt", json_object_get(s, "$createdAt"));
    json_object_set(m, "$updatedAt", json_object_get(s, "$updatedAt"));
    const json_t *perms = json_object_get(s, "$permissions");
    json_object_set_new(m, "$permissions",
                        perms != NULL ? json_incref((json_t *)perms) : json_array());
    for (size_t i = 0; i < c->nattrs; i++) {
        const cw_attr_t *a = &c->attrs[i];
        /* A relationship shows the related ID its column holds; the sides without a column
         * only show when populated (relationships.c). */
        if (a->type == CW_ATTR_RELATIONSHIP && !cw_attr_has_column(a))
            continue;
        if (select != NULL) {
            bool want = false;
            for (size_t k = 0; k < nselect && !want; k++)
                want = strcmp(select[k], a->key) == 0 || strcmp(select[k], "*") == 0;
            if (!want)
                continue;
        }
        const json_t *v = json_object_get(s, a->key);
        if (v == NULL || json_is_null(v))
            json_object_set_new(m, a->key, a->array ? json_array() : json_null());
        else
            json_object_set(m, a->key, (json_t *)v);
    }
    return m;
}

/* The database and collection of a document call. Disabled ones are not found unless an API key
 * asks. */
static int doc_target(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const char *database_id, const char *collection_id, const json_t **dbdoc,
                      const cw_collection_t **c, cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    if (sync_caches(db, err) != 0 || database_find(db, database_id, dbdoc, err) != 0)
        return -1;
    if (!actor->is_key && !jbool(*dbdoc, "enabled", true))
        return fail(err, CW_ERR_DATABASE_NOT_FOUND, "Database with ID '%s' could not be found.",
                    database_id);
    if (collection_find(db, fam, *dbdoc, collection_id, c, err) != 0)
        return -1;
    if (!actor->is_key && !(*c)->enabled)
        return fail(err, F->coll_not_found, "%s with ID '%s' could not be found.", F->Collection,
                    collection_id);
    return 0;
}

static const char *actor_user(const cw_db_actor_t *actor, char *buf, size_t size)
{
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

/* The permissions a written document gets: the parameter aggregated for documents, or (NULL
 * given, on create) read, update and delete for the signed-in user. A caller without a key may
 * only grant roles it holds. *out is NULL when an update keeps the stored ones. */
static int doc_perms(const cw_db_actor_t *actor, const json_t *permissions, bool create,
                     json_t **out, cw_db_error_t *err)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_perm_list_t list;
    int rc = -1;
    *out = NULL;
    if (perms_parse(permissions, CW_PERM_SCOPE_DOCUMENT, &arena, out, &list, err) != 0)
        goto done;
    if (*out == NULL && create) {
        char ubuf[64];
        const char *user = actor->is_key ? NULL : actor_user(actor, ubuf, sizeof(ubuf));
        *out = json_array();
        if (user != NULL) {
            static const char *const types[] = {"read", "update", "delete"};
            for (size_t i = 0; i < 3; i++) {
                char p[128];
                snprintf(p, sizeof(p), "%s(\"user:%s\")", types[i], user);
                json_array_append_new(*out, json_string(p));
            }
        }
        rc = 0;
        goto done;
    }
    if (*out != NULL && !actor->is_key) {
        cw_roles_t roles;
        cw_roles_init(&roles, &arena);
        for (const char *const *r = actor->roles; r != NULL && *r != NULL; r++)
            cw_roles_add(&roles, cw_str(*r));
        size_t bad;
        if (cw_perm_check_held(list.items, list.n, &roles, &bad) != 0) {
            cw_str_t held = cw_roles_join(&roles, &arena);
            char pbuf[256];
            cw_perm_format(&list.items[bad], pbuf, sizeof(pbuf));
            fail(err, CW_ERR_USER_UNAUTHORIZED,
                 "Permissions must be one of: (%.*s); %s names another role.", (int)held.len,
                 held.ptr, pbuf);
            json_decref(*out);
            *out = NULL;
            goto done;
        }
    }
    rc = 0;
done:
    cw_arena_destroy(&arena);
    return rc;
}

/* Keys a client may not write: the server's own, and the dates unless an API key writes. */
static void strip_readonly(const family_t *F, json_t *doc, bool privileged)
{
    json_object_del(doc, "$sequence");
    json_object_del(doc, "$databaseId");
    json_object_del(doc, F->collection_key);
    if (!privileged) {
        json_object_del(doc, "$createdAt");
        json_object_del(doc, "$updatedAt");
    }
}

static json_t *normalize_date(const json_t *v)
{
    int64_t ms;
    if (json_is_string(v) &&
        cw_time_parse((cw_str_t){json_string_value(v), json_string_length(v)}, &ms) == 0) {
        char iso[CW_TIME_ISO_LEN];
        cw_time_format(ms, iso);
        return json_string(iso);
    }
    return NULL;
}

/* utopia's encode step: defaults where the value is missing or null, dates normalised to UTC
 * with milliseconds (values that are not dates are left for the validator to refuse). */
static void encode_doc(const cw_collection_t *c, json_t *doc)
{
    for (size_t i = 0; i < c->nattrs; i++) {
        const cw_attr_t *a = &c->attrs[i];
        json_t *v = json_object_get(doc, a->key);
        if ((v == NULL || json_is_null(v)) && a->default_value != NULL) {
            json_object_set_new(doc, a->key, json_deep_copy(a->default_value));
            v = json_object_get(doc, a->key);
        }
        if (cw_spatial_attr_type(a) != CW_GEO_NONE && v != NULL && !json_is_null(v)) {
            /* Like utopia's spatial filters: a valid geometry takes its stored form (reals, WKT
             * parsed), an invalid one stays as given for the validator to name its fault. */
            json_t *n = cw_spatial_normalize(cw_spatial_attr_type(a), v);
            if (n != NULL)
                json_object_set_new(doc, a->key, n);
            continue;
        }
        if (a->type == CW_ATTR_FLOAT && v != NULL) {
            /* A float attribute holds floats: 2 reads back as 2.0, as Appwrite casts it. */
            if (json_is_integer(v)) {
                json_object_set_new(doc, a->key, json_real((double)json_integer_value(v)));
            } else if (json_is_array(v)) {
                size_t k;
                json_t *e;
                json_array_foreach(v, k, e)
                {
                    if (json_is_integer(e))
                        json_array_set_new(v, k, json_real((double)json_integer_value(e)));
                }
            }
            continue;
        }
        if (a->type != CW_ATTR_DATETIME || v == NULL)
            continue;
        if (a->array && json_is_array(v)) {
            size_t k;
            json_t *e;
            json_array_foreach(v, k, e)
            {
                json_t *n = normalize_date(e);
                if (n != NULL)
                    json_array_set_new(v, k, n);
            }
        } else {
            json_t *n = normalize_date(v);
            if (n != NULL)
                json_object_set_new(doc, a->key, n);
        }
    }
    static const char *const dates[] = {"$createdAt", "$updatedAt"};
    for (size_t i = 0; i < 2; i++) {
        json_t *n = normalize_date(json_object_get(doc, dates[i]));
        if (n != NULL)
            json_object_set_new(doc, dates[i], n);
    }
}

/* A date given by an API key, or now. */
static void set_date(json_t *doc, const char *key, const json_t *given, const char *now)
{
    if (json_is_string(given) && json_string_length(given) > 0)
        json_object_set(doc, key, (json_t *)given);
    else
        json_object_set_new(doc, key, json_string(now));
}

static bool perm_sets_equal(const json_t *a, const json_t *b)
{
    if (json_array_size(a) != json_array_size(b))
        return false;
    size_t i, k;
    const json_t *x, *y;
    json_array_foreach(a, i, x)
    {
        bool found = false;
        json_array_foreach(b, k, y)
        {
            if (json_equal(x, y)) {
                found = true;
                break;
            }
        }
        if (!found)
            return false;
    }
    return true;
}

static bool can(const cw_db_actor_t *actor, const cw_collection_t *c, const json_t *doc,
                const char *action)
{
    if (actor->is_key)
        return true;
    if (perms_allow(c->permissions, action, actor))
        return true;
    return c->document_security && doc != NULL &&
           perms_allow(json_object_get(doc, "$permissions"), action, actor);
}

typedef enum { W_CREATE, W_UPDATE, W_UPSERT } wmode_t;

static int doc_write(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                     const char *database_id, const char *collection_id, const char *id,
                     json_t *data, json_t *permissions, wmode_t mode, json_t **out,
                     cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    json_t *perms = NULL, *old = NULL, *doc = NULL, *ops = NULL;
    json_t *model = NULL;
    char did[CW_ID_MAX_LEN + 1], now[CW_TIME_ISO_LEN], msg[512];
    int rc = -1;
    bool in_tx = false;
    if (data != NULL && !json_is_null(data) && !json_is_object(data))
        return bad_param(err, "data", "Value must be a valid object");
    if (data != NULL && json_is_null(data))
        data = NULL;
    if (mode == W_UPDATE && (data == NULL || json_object_size(data) == 0) &&
        (permissions == NULL || json_is_null(permissions)))
        return fail(err, F->doc_missing_payload,
                    "The %s data and permissions are missing: give data or permissions to update.",
                    F->document);
    if (mode == W_CREATE) {
        if (custom_id(F->document_param, id, did, err) != 0)
            return -1;
    } else {
        if (check_uid(F->document_param, id, err) != 0)
            return -1;
        snprintf(did, sizeof(did), "%s", id);
    }
    if (doc_target(db, fam, actor, database_id, collection_id, &dbdoc, &c, err) != 0)
        return -1;
    if (tx_begin(db, err) != 0)
        return -1;
    in_tx = true;
    /* Update operators in the data of an update or upsert (db/operators.h); a create stores such
     * values as they are, as Appwrite does. */
    if (mode != W_CREATE && cw_operator_extract(c, data, &ops, msg, sizeof(msg)) != 0) {
        fail(err, CW_ERR_GENERAL_BAD_REQUEST, "%s", msg);
        goto out;
    }
    bool exists = false;
    if (mode != W_CREATE) {
        int grc = db->a->ops->doc_get(db->a, c, did, &old, err);
        if (grc == CW_OK)
            exists = true;
        else if (grc != CW_ENOTFOUND)
            goto out;
        if (!exists && mode == W_UPDATE) {
            fail(err, F->doc_not_found, "%s with ID '%s' could not be found.", F->Document, did);
            goto out;
        }
    }
    bool creating = !exists;
    if (doc_perms(actor, permissions, creating, &perms, err) != 0)
        goto out;
    now_iso(now);
    doc = creating ? json_object() : json_deep_copy(old);
    json_t *given = data != NULL ? json_deep_copy(data) : json_object();
    strip_readonly(F, given, actor->is_key);
    json_object_del(given, "$id");
    json_object_del(given, "$permissions");
    bool changed = creating;
    const char *k;
    json_t *v;
    json_object_foreach(given, k, v)
    {
        if (strcmp(k, "$createdAt") == 0 || strcmp(k, "$updatedAt") == 0)
            continue;
        if (!creating && !json_equal(v, json_object_get(old, k)))
            changed = true;
        json_object_set(doc, k, v);
    }
    json_object_set_new(doc, "$id", json_string(did));
    if (perms != NULL) {
        if (!creating && !perm_sets_equal(perms, json_object_get(old, "$permissions")))
            changed = true;
        json_object_set(doc, "$permissions", perms);
    }
    bool perms_changed = perms != NULL;
    if (creating) {
        set_date(doc, "$createdAt", json_object_get(given, "$createdAt"), now);
        set_date(doc, "$updatedAt", json_object_get(given, "$updatedAt"), now);
    } else {
        const json_t *ca = json_object_get(given, "$createdAt");
        if (json_is_string(ca) && json_string_length(ca) > 0) {
            if (!json_equal(ca, json_object_get(old, "$createdAt")))
                changed = true;
            json_object_set(doc, "$createdAt", (json_t *)ca);
        }
        if (changed)
            set_date(doc, "$updatedAt", json_object_get(given, "$updatedAt"), now);
    }
    json_decref(given);
    /* Permissions: create needs the collection's create; an update that changes something needs
     * update (collection, or the document's with document security); one that changes nothing
     * needs read. */
    if (creating && !actor->is_key && !perms_allow(c->permissions, "create", actor)) {
        unauthorized(actor, "create", err);
        goto out;
    }
    if (!creating && !can(actor, c, old, changed ? "update" : "read")) {
        unauthorized(actor, changed ? "update" : "read", err);
        goto out;
    }
    if (ops != NULL &&
        cw_operator_apply_all(c, ops, creating ? NULL : old, doc, now, msg, sizeof(msg)) != 0) {
        fail(err, F->doc_invalid, "%s", msg);
        goto out;
    }
    encode_doc(c, doc);
    if (cw_structure_validate(c, doc, msg, sizeof(msg)) != 0) {
        fail(err, F->doc_invalid, "%s", msg);
        goto out;
    }
    /* Related documents created, updated, linked and unlinked; doc keeps what its columns hold. */
    if (cw__rel_write(db, fam, actor, c, doc, creating ? NULL : old, err) != 0)
        goto out;
    if (creating) {
        int64_t seq;
        int irc = db->a->ops->doc_insert(db->a, c, doc, &seq, err);
        if (irc == CW_EEXIST) {
            fail(err, F->doc_exists,
                 "%s with ID '%s' already exists. Choose another ID or let the server make one "
                 "with ID.unique().",
                 F->Document, did);
            goto out;
        }
        if (irc == CW_DBA_EUNIQUE) {
            fail(err, F->doc_unique,
                 "%s violates a unique %s constraint: another %s holds the same value(s).",
                 F->Document, F->attribute, F->document);
            goto out;
        }
        if (irc != CW_OK)
            goto out;
        char seqs[32];
        snprintf(seqs, sizeof(seqs), "%" PRId64, seq);
        json_object_set_new(doc, "$sequence", json_string(seqs));
    } else if (changed) {
        int urc = db->a->ops->doc_update(db->a, c, jseq(old), doc, perms_changed, err);
        if (urc == CW_DBA_EUNIQUE) {
            fail(err, F->doc_unique,
                 "%s violates a unique %s constraint: another %s holds the same value(s).",
                 F->Document, F->attribute, F->document);
            goto out;
        }
        if (urc != CW_OK)
            goto out;
    }
    /* The answer carries the related documents, read before the commit: failing to read them
     * leaves nothing written. */
    model = doc_model(fam, c, doc, NULL, 0);
    if (cw__rel_populate_write(db, fam, actor, c, doc, model, err) != 0)
        goto out;
    in_tx = false;
    doc_cache_drop(db, c, did);
    if (tx_commit(db, err) != 0)
        goto out;
    *out = model;
    model = NULL;
    rc = 0;
out:
    if (in_tx)
        tx_rollback(db);
    json_decref(model);
    json_decref(ops);
    json_decref(doc);
    json_decref(old);
    json_decref(perms);
    return rc;
}

typedef struct write_args {
    cw_db_family_t fam;
    const cw_db_actor_t *actor;
    const char *database_id, *collection_id, *id;
    json_t *data, *permissions;
    wmode_t mode;
    const char *attribute;
    double by;
    json_t *limit;
} write_args_t;

static int write_job(cw_db_t *db, void *arg, json_t **out, cw_db_error_t *err)
{
    write_args_t *w = arg;
    return doc_write(db, w->fam, w->actor, w->database_id, w->collection_id, w->id, w->data,
                     w->permissions, w->mode, out, err);
}

static int write_grouped(cw_db_t *db, write_args_t *w, json_t **out, cw_db_error_t *err)
{
    return group_write(db, write_job, w, out, err);
}

int cw_db_document_create(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                          const char *database_id, const char *collection_id, const char *id,
                          json_t *data, json_t *permissions, json_t **out, cw_db_error_t *err)
{
    write_args_t w = {.fam = fam,
                      .actor = actor,
                      .database_id = database_id,
                      .collection_id = collection_id,
                      .id = id,
                      .data = data,
                      .permissions = permissions,
                      .mode = W_CREATE};
    return write_grouped(db, &w, out, err);
}

int cw_db_document_update(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                          const char *database_id, const char *collection_id, const char *id,
                          json_t *data, json_t *permissions, json_t **out, cw_db_error_t *err)
{
    write_args_t w = {.fam = fam,
                      .actor = actor,
                      .database_id = database_id,
                      .collection_id = collection_id,
                      .id = id,
                      .data = data,
                      .permissions = permissions,
                      .mode = W_UPDATE};
    return write_grouped(db, &w, out, err);
}

int cw_db_document_upsert(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                          const char *database_id, const char *collection_id, const char *id,
                          json_t *data, json_t *permissions, json_t **out, cw_db_error_t *err)
{
    write_args_t w = {.fam = fam,
                      .actor = actor,
                      .database_id = database_id,
                      .collection_id = collection_id,
                      .id = id,
                      .data = data,
                      .permissions = permissions,
                      .mode = W_UPSERT};
    return write_grouped(db, &w, out, err);
}

/* The attributes a query may name, from a collection's schema. */
static cw_query_attr_t *query_attrs(const cw_collection_t *c, size_t *n)
{
    cw_query_attr_t *q = cw_calloc(c->nattrs + 1, sizeof(*q));
    size_t k = 0;
    for (size_t i = 0; i < c->nattrs; i++) {
        const cw_attr_t *a = &c->attrs[i];
        cw_query_attr_type_t t;
        switch (a->type) {
        case CW_ATTR_INTEGER:
            t = CW_QUERY_ATTR_INTEGER;
            break;
        case CW_ATTR_FLOAT:
            t = CW_QUERY_ATTR_FLOAT;
            break;
        case CW_ATTR_BOOLEAN:
            t = CW_QUERY_ATTR_BOOLEAN;
            break;
        case CW_ATTR_DATETIME:
            t = CW_QUERY_ATTR_DATETIME;
            break;
        case CW_ATTR_RELATIONSHIP:
            t = CW_QUERY_ATTR_RELATIONSHIP;
            break;
        case CW_ATTR_POINT:
            t = CW_QUERY_ATTR_POINT;
            break;
        case CW_ATTR_LINE:
            t = CW_QUERY_ATTR_LINESTRING;
            break;
        case CW_ATTR_POLYGON:
            t = CW_QUERY_ATTR_POLYGON;
            break;
        default:
            t = CW_QUERY_ATTR_STRING;
            break;
        }
        q[k++] = (cw_query_attr_t){
            .key = cw_str(a->key), .type = t, .array = a->array, .int64 = a->size >= 8};
        cw__rel_query_attr(a, &q[k - 1]);
    }
    *n = k;
    return q;
}

int cw_db_document_get(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                       const char *database_id, const char *collection_id, const char *id,
                       json_t *queries, json_t **out, cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    json_t *stored = NULL;
    const char **select = NULL;
    size_t nsel = 0;
    cw_arena_t arena = CW_ARENA_INIT;
    cw_query_list_t ql;
    bool parsed = false;
    int rc = -1;
    if (check_uid(F->document_param, id, err) != 0 ||
        doc_target(db, fam, actor, database_id, collection_id, &dbdoc, &c, err) != 0)
        goto out;
    if (queries != NULL && !json_is_null(queries) && json_array_size(queries) > 0) {
        cw_query_error_t qerr;
        cw_query_schema_t schema;
        size_t nq;
        cw_query_attr_t *qa = query_attrs(c, &nq);
        memset(&ql, 0, sizeof(ql));
        int prc = cw_query_list_parse(queries, &arena, &ql, &qerr);
        if (prc == 0) {
            parsed = true;
            cw_query_schema_init(&schema, qa, nq);
            schema.select_only = true;
            prc = cw_query_list_validate(&ql, &schema, &qerr);
        }
        free(qa);
        if (prc != 0) {
            fail(err, qerr.type, "%s", qerr.message);
            goto out;
        }
        if (ql.nselects > 0) {
            size_t cap = 0;
            for (size_t i = 0; i < ql.nselects; i++)
                cap += cw_query_nvalues(ql.selects[i]);
            select = cw_calloc(cap + 1, sizeof(*select));
            for (size_t i = 0; i < ql.nselects; i++) {
                for (size_t k = 0; k < cw_query_nvalues(ql.selects[i]); k++) {
                    const char *v = json_string_value(cw_query_value(ql.selects[i], k));
                    if (v != NULL)
                        select[nsel++] = v;
                }
            }
        }
    }
    stored = doc_cache_get(db, c, id);
    if (stored != NULL) {
        json_incref(stored);
    } else {
        int grc = db->a->ops->doc_get(db->a, c, id, &stored, err);
        if (grc == CW_ENOTFOUND) {
            fail(err, F->doc_not_found, "%s with ID '%s' could not be found.", F->Document, id);
            goto out;
        }
        if (grc != CW_OK)
            goto out;
        doc_cache_put(db, c, id, stored);
    }
    if (!can(actor, c, stored, "read")) {
        fail(err, F->doc_not_found, "%s with ID '%s' could not be found.", F->Document, id);
        goto out;
    }
    /* Related documents come when selected ("author.*", "books.title"). */
    if (cw__rel_read_model(db, fam, actor, c, stored, select, nsel, out, err) != 0)
        goto out;
    rc = 0;
out:
    json_decref(stored);
    free(select);
    if (parsed)
        cw_query_list_release(&ql);
    cw_arena_destroy(&arena);
    return rc;
}

static int doc_delete(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const char *database_id, const char *collection_id, const char *id,
                      json_t **deleted, cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    json_t *old = NULL;
    int rc = -1;
    if (check_uid(F->document_param, id, err) != 0 ||
        doc_target(db, fam, actor, database_id, collection_id, &dbdoc, &c, err) != 0 ||
        tx_begin(db, err) != 0)
        return -1;
    int grc = db->a->ops->doc_get(db->a, c, id, &old, err);
    if (grc == CW_ENOTFOUND) {
        fail(err, F->doc_not_found, "%s with ID '%s' could not be found.", F->Document, id);
        goto out;
    }
    if (grc != CW_OK)
        goto out;
    if (!can(actor, c, old, "delete")) {
        unauthorized(actor, "delete", err);
        goto out;
    }
    /* onDelete of its relationships: restrict, cascade, setNull. */
    if (cw__rel_delete(db, fam, actor, c, old, err) != 0)
        goto out;
    if (db->a->ops->doc_delete(db->a, c, jseq(old), err) != CW_OK)
        goto out;
    doc_cache_drop(db, c, id);
    if (tx_commit(db, err) != 0) {
        json_decref(old);
        return -1;
    }
    if (deleted != NULL)
        *deleted = doc_model(fam, c, old, NULL, 0);
    json_decref(old);
    return 0;
out:
    tx_rollback(db);
    json_decref(old);
    return rc;
}

static int delete_job(cw_db_t *db, void *arg, json_t **out, cw_db_error_t *err)
{
    write_args_t *w = arg;
    return doc_delete(db, w->fam, w->actor, w->database_id, w->collection_id, w->id, NULL, err);
}

int cw_db_document_delete(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                          const char *database_id, const char *collection_id, const char *id,
                          cw_db_error_t *err)
{
    write_args_t w = {.fam = fam,
                      .actor = actor,
                      .database_id = database_id,
                      .collection_id = collection_id,
                      .id = id,
                      .data = NULL,
                      .permissions = NULL,
                      .mode = W_UPDATE};
    return group_write(db, delete_job, &w, NULL, err);
}

int cw_db_document_list(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                        const char *database_id, const char *collection_id, json_t *queries,
                        bool with_total, json_t **out, cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    json_t *docs = NULL;
    int64_t total = 0;
    const char **roles = NULL;
    size_t nroles = 0;
    bool filter = false;
    if (doc_target(db, fam, actor, database_id, collection_id, &dbdoc, &c, err) != 0)
        return -1;
    /* Who sees what: API keys everything; otherwise the collection's read permission shows
     * everything, and with document security a document's own read permission shows it. */
    if (!actor->is_key && !perms_allow(c->permissions, "read", actor)) {
        if (!c->document_security)
            return unauthorized(actor, "read", err);
        filter = true;
        roles = actor_roles_new(actor, &nroles);
    }
    size_t nq;
    cw_query_attr_t *qa = query_attrs(c, &nq);
    list_spec_t ls = {.c = c,
                      .qattrs = qa,
                      .nqattrs = nq,
                      .allow_select = true,
                      .cursor_word = F->Document,
                      .filter_roles = filter,
                      .roles = roles,
                      .nroles = nroles,
                      .with_total = with_total,
                      .rel_actor = actor,
                      .rel_fam = fam};
    /* The selection decides the model's attributes too, so parse it once more here. */
    int rc = run_list(db, &ls, queries, &docs, &total, err);
    free(qa);
    free(roles);
    if (rc != 0)
        return -1;
    json_t *items = json_array();
    size_t i;
    json_t *d;
    /* The documents read are ours alone: they become the models in place (a read with select
     * lacks the attributes not chosen, as it should). */
    json_t *coll_id = json_string(c->id), *db_id = json_string(c->database_id);
    json_array_foreach(docs, i, d)
    {
        json_object_set(d, F->collection_key, coll_id);
        json_object_set(d, "$databaseId", db_id);
        json_array_append(items, d);
    }
    json_decref(coll_id);
    json_decref(db_id);
    json_decref(docs);
    /* Related documents come when selected ("author.*", "books.title"). */
    if (cw__rel_read_list(db, fam, actor, c, queries, items, err) != 0) {
        json_decref(items);
        return -1;
    }
    *out = list_model(fam == CW_DB_FAMILY_TABLES ? "rows" : "documents", items, total);
    return 0;
}

static int doc_increment(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                         const char *database_id, const char *collection_id, const char *id,
                         const char *attribute, double by, json_t *limit, json_t **out,
                         cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const char *ns = fam == CW_DB_FAMILY_TABLES ? "tablesDB" : "databases";
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    const cw_attr_t *a;
    json_t *old = NULL, *doc = NULL;
    char now[CW_TIME_ISO_LEN];
    int rc = -1;
    bool in_tx = false;
    if (!isfinite(by) || by == 0)
        return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID,
                    "Value must be numeric and greater than 0");
    if (limit != NULL && !json_is_null(limit) && !json_is_number(limit))
        return bad_param(err, by > 0 ? "max" : "min", "Value must be a valid number");
    if (check_uid(F->document_param, id, err) != 0 ||
        doc_target(db, fam, actor, database_id, collection_id, &dbdoc, &c, err) != 0)
        return -1;
    a = attribute != NULL ? cw_collection_attr(c, attribute) : NULL;
    if (a == NULL)
        return fail(err, F->attr_not_found, "%s with the key '%s' could not be found.",
                    fam == CW_DB_FAMILY_TABLES ? "Column" : "Attribute",
                    attribute != NULL ? attribute : "");
    if ((a->type != CW_ATTR_INTEGER && a->type != CW_ATTR_FLOAT) || a->array)
        return fail(err, F->attr_type_invalid, "%s \"%s\" is not a number", ns, attribute);
    if (tx_begin(db, err) != 0)
        return -1;
    in_tx = true;
    int grc = db->a->ops->doc_get(db->a, c, id, &old, err);
    if (grc == CW_ENOTFOUND) {
        /* Appwrite reports a missing document here as a missing attribute. */
        fail(err, F->attr_not_found, "%s with ID '%s' could not be found.", F->Document, id);
        goto out;
    }
    if (grc != CW_OK)
        goto out;
    if (!can(actor, c, old, "update")) {
        unauthorized(actor, "update", err);
        goto out;
    }
    const json_t *curv = json_object_get(old, attribute);
    double cur = json_is_number(curv) ? json_number_value(curv) : 0;
    if (limit != NULL && json_is_number(limit)) {
        double lim = json_number_value(limit);
        if ((by > 0 && cur + by > lim) || (by < 0 && cur + by < lim)) {
            char sl[64];
            if (json_is_integer(limit))
                snprintf(sl, sizeof(sl), "%" PRId64, (int64_t)json_integer_value(limit));
            else
                snprintf(sl, sizeof(sl), "%.17g", lim);
            fail(err, F->attr_limit, "%s \"%s\" has reached the %s value of %s", ns, attribute,
                 by > 0 ? "maximum" : "minimum", sl);
            goto out;
        }
    }
    doc = json_deep_copy(old);
    if (a->type == CW_ATTR_INTEGER) {
        int64_t base = json_is_integer(curv) ? json_integer_value(curv) : (int64_t)cur;
        int64_t step = (int64_t)by;
        int64_t next;
        if (__builtin_add_overflow(base, step, &next)) {
            fail(err, F->attr_limit, "%s \"%s\" has reached the %s value of %s", ns, attribute,
                 by > 0 ? "maximum" : "minimum",
                 by > 0 ? "9223372036854775807" : "-9223372036854775808");
            goto out;
        }
        json_object_set_new(doc, attribute, json_integer(next));
    } else {
        json_object_set_new(doc, attribute, json_real(cur + by));
    }
    now_iso(now);
    json_object_set_new(doc, "$updatedAt", json_string(now));
    if (db->a->ops->doc_update(db->a, c, jseq(old), doc, false, err) != CW_OK)
        goto out;
    doc_cache_drop(db, c, id);
    in_tx = false;
    if (tx_commit(db, err) != 0)
        goto out;
    *out = doc_model(fam, c, doc, NULL, 0);
    rc = 0;
out:
    if (in_tx)
        tx_rollback(db);
    json_decref(doc);
    json_decref(old);
    return rc;
}

static int increment_job(cw_db_t *db, void *arg, json_t **out, cw_db_error_t *err)
{
    write_args_t *w = arg;
    return doc_increment(db, w->fam, w->actor, w->database_id, w->collection_id, w->id,
                         w->attribute, w->by, w->limit, out, err);
}

int cw_db_document_increment(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                             const char *database_id, const char *collection_id, const char *id,
                             const char *attribute, double by, json_t *limit, json_t **out,
                             cw_db_error_t *err)
{
    write_args_t w = {.fam = fam,
                      .actor = actor,
                      .database_id = database_id,
                      .collection_id = collection_id,
                      .id = id,
                      .mode = W_UPDATE,
                      .attribute = attribute,
                      .by = by,
                      .limit = limit};
    return group_write(db, increment_job, &w, out, err);
}

/* Bulk writes ---------------------------------------------------------------------------------- */

static const char *docs_plural(cw_db_family_t fam)
{
    return fam == CW_DB_FAMILY_TABLES ? "rows" : "documents";
}

static int bulk_items(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const char *database_id, const char *collection_id, json_t *items,
                      wmode_t mode, json_t **out, cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    if (!json_is_array(items))
        return bad_param(err, docs_plural(fam), "Value must a valid array");
    if (doc_target(db, fam, actor, database_id, collection_id, &dbdoc, &c, err) != 0 ||
        tx_begin(db, err) != 0)
        return -1;
    json_t *done = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (!json_is_object(item)) {
            fail(err, CW_ERR_GENERAL_BAD_REQUEST, "Each %s must be an object.", F->document);
            goto fail;
        }
        const json_t *idv = json_object_get(item, "$id");
        char id[CW_ID_MAX_LEN + 1];
        if (idv == NULL || json_is_null(idv)) {
            cw_id_unique(id);
        } else if (!json_is_string(idv) || json_string_length(idv) > CW_ID_MAX_LEN + 8) {
            fail(err, CW_ERR_GENERAL_BAD_REQUEST, "%s", KEY_RULE);
            goto fail;
        } else if (mode == W_CREATE || strcmp(json_string_value(idv), "unique()") != 0) {
            snprintf(id, sizeof(id), "%s", json_string_value(idv));
            if (strcmp(id, "unique()") != 0 && !id_ok(id)) {
                fail(err, CW_ERR_GENERAL_BAD_REQUEST, "%s", KEY_RULE);
                goto fail;
            }
        } else {
            cw_id_unique(id);
        }
        json_t *data = json_deep_copy(item), *perms = json_object_get(item, "$permissions"), *doc;
        json_object_del(data, "$id");
        json_object_del(data, "$permissions");
        int rc =
            doc_write(db, fam, actor, database_id, collection_id, id, data, perms, mode, &doc, err);
        json_decref(data);
        if (rc != 0) {
            if (err->type == CW_ERR_GENERAL_ARGUMENT_INVALID)
                err->type = CW_ERR_GENERAL_BAD_REQUEST;
            goto fail;
        }
        json_array_append_new(done, doc);
    }
    if (tx_commit(db, err) != 0) {
        json_decref(done);
        return -1;
    }
    *out = list_model(docs_plural(fam), done, (int64_t)json_array_size(done));
    return 0;
fail:
    tx_rollback(db);
    json_decref(done);
    return -1;
}

int cw_db_documents_create(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const char *database_id, const char *collection_id, json_t *items,
                           json_t **out, cw_db_error_t *err)
{
    return bulk_items(db, fam, actor, database_id, collection_id, items, W_CREATE, out, err);
}

int cw_db_documents_upsert(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const char *database_id, const char *collection_id, json_t *items,
                           json_t **out, cw_db_error_t *err)
{
    return bulk_items(db, fam, actor, database_id, collection_id, items, W_UPSERT, out, err);
}

/* The IDs of every document the queries match that the actor may `action` ("update",
 * "delete"), for the bulk update and delete, as utopia's find(forPermission) picks them: all
 * matches with the collection's permission, else with document security those whose own
 * permissions grant it, else user_unauthorized. Queries never reach documents outside that set,
 * so their answer tells nothing of them. */
static int bulk_match(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const cw_collection_t *c, json_t *queries, const char *action, json_t **ids,
                      cw_db_error_t *err)
{
    size_t nq, nroles = 0;
    json_t *docs = NULL;
    int64_t total;
    const char **roles = NULL;
    bool filter = false;
    if (!actor->is_key && !perms_allow(c->permissions, action, actor)) {
        if (!c->document_security)
            return unauthorized(actor, action, err);
        filter = true;
        roles = actor_roles_new(actor, &nroles);
    }
    cw_query_attr_t *qa = query_attrs(c, &nq);
    list_spec_t ls = {.c = c,
                      .qattrs = qa,
                      .nqattrs = nq,
                      .cursor_word = fam_of(fam)->Document,
                      .unlimited = true,
                      .filter_roles = filter,
                      .roles = roles,
                      .nroles = nroles,
                      .action = action};
    int rc = run_list(db, &ls, queries, &docs, &total, err);
    free(qa);
    free(roles);
    if (rc != 0)
        return -1;
    *ids = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        json_array_append(*ids, json_object_get(d, "$id"));
    }
    json_decref(docs);
    return 0;
}

int cw_db_documents_update(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const char *database_id, const char *collection_id, json_t *data,
                           json_t *queries, json_t **out, cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    json_t *ids = NULL, *done = NULL, *body = NULL;
    int rc = -1;
    if (data != NULL && !json_is_null(data) && !json_is_object(data))
        return bad_param(err, "data", "Value must be a valid object");
    if (doc_target(db, fam, actor, database_id, collection_id, &dbdoc, &c, err) != 0 ||
        bulk_match(db, fam, actor, c, queries, "update", &ids, err) != 0)
        return -1;
    body = data != NULL && json_is_object(data) ? json_deep_copy(data) : json_object();
    json_t *perms = json_incref(json_object_get(body, "$permissions"));
    json_object_del(body, "$permissions");
    json_object_del(body, "$id");
    if (json_object_size(body) == 0 && perms == NULL) {
        const family_t *F = fam_of(fam);
        fail(err, F->doc_missing_payload,
             "The %s data and permissions are missing: give data or permissions to update.",
             F->document);
        goto out;
    }
    if (tx_begin(db, err) != 0)
        goto out;
    done = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        json_t *doc;
        json_t *d = json_deep_copy(body);
        int wrc = doc_write(db, fam, actor, database_id, collection_id, json_string_value(id), d,
                            perms, W_UPDATE, &doc, err);
        json_decref(d);
        if (wrc != 0) {
            tx_rollback(db);
            goto out;
        }
        json_array_append_new(done, doc);
    }
    if (tx_commit(db, err) != 0)
        goto out;
    *out = list_model(docs_plural(fam), done, (int64_t)json_array_size(done));
    done = NULL;
    rc = 0;
out:
    json_decref(perms);
    json_decref(done);
    json_decref(body);
    json_decref(ids);
    return rc;
}

int cw_db_documents_delete(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const char *database_id, const char *collection_id, json_t *queries,
                           json_t **out, cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL;
    json_t *ids = NULL, *done = NULL;
    int rc = -1;
    if (doc_target(db, fam, actor, database_id, collection_id, &dbdoc, &c, err) != 0 ||
        bulk_match(db, fam, actor, c, queries, "delete", &ids, err) != 0 || tx_begin(db, err) != 0)
        goto out;
    done = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        json_t *doc = NULL;
        if (doc_delete(db, fam, actor, database_id, collection_id, json_string_value(id), &doc,
                       err) != 0) {
            tx_rollback(db);
            goto out;
        }
        json_array_append_new(done, doc);
    }
    if (tx_commit(db, err) != 0)
        goto out;
    *out = list_model(docs_plural(fam), done, (int64_t)json_array_size(done));
    done = NULL;
    rc = 0;
out:
    json_decref(done);
    json_decref(ids);
    return rc;
}

/* Several calls as one transaction ------------------------------------------------------------ */

int cw_db_batch_begin(cw_db_t *db, cw_db_error_t *err)
{
    if (sync_caches(db, err) != 0 || tx_begin(db, err) != 0)
        return -1;
    db->batch++;
    return 0;
}

int cw_db_batch_commit(cw_db_t *db, cw_db_error_t *err)
{
    CW_DB_ASSERT(db->batch > 0);
    db->batch--;
    if (tx_commit(db, err) == 0)
        return 0;
    /* A failed outermost commit rolled everything back: what the calls cached is stale. */
    db->meta_dirty = true;
    db->meta_version = -1;
    return -1;
}

void cw_db_batch_rollback(cw_db_t *db)
{
    CW_DB_ASSERT(db->batch > 0);
    db->batch--;
    tx_rollback(db);
    /* The calls of the batch may have cached documents and schemas that are now undone, and
     * moved the metadata version we remember: rebuild everything on the next call. */
    db->meta_dirty = true;
    db->meta_version = -1;
}

/* Collections with their schema ---------------------------------------------------------------- */

int cw_db_collection_create_with(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                                 const char *id, const char *name, json_t *permissions,
                                 bool document_security, bool enabled, json_t *attributes,
                                 json_t *indexes, json_t **out, cw_db_error_t *err)
{
    const family_t *F = fam_of(fam);
    char cid[CW_ID_MAX_LEN + 1];
    json_t *made = NULL;
    size_t i;
    json_t *d;
    if (custom_id(F->collection_param, id, cid, err) != 0)
        return -1;
    if (attributes != NULL && !json_is_array(attributes))
        return bad_param(err, F->attributes, "Value must a valid array");
    if (indexes != NULL && !json_is_array(indexes))
        return bad_param(err, "indexes", "Value must a valid array");
    if (cw_db_batch_begin(db, err) != 0)
        return -1;
    if (cw_db_collection_create(db, fam, database_id, cid, name, permissions, document_security,
                                enabled, &made, err) != 0)
        goto fail;
    json_array_foreach(attributes, i, d)
    {
        json_decref(made);
        made = NULL;
        if (cw_db_attribute_create(db, fam, database_id, cid, d, &made, err) != 0)
            goto fail;
    }
    json_array_foreach(indexes, i, d)
    {
        json_decref(made);
        made = NULL;
        if (cw_db_index_create(
                db, fam, database_id, cid, json_string_value(json_object_get(d, "key")),
                json_string_value(json_object_get(d, "type")), json_object_get(d, "attributes"),
                json_object_get(d, "orders"), json_object_get(d, "lengths"), &made, err) != 0)
            goto fail;
    }
    json_decref(made);
    made = NULL;
    if (cw_db_collection_get(db, fam, database_id, cid, &made, err) != 0)
        goto fail;
    if (cw_db_batch_commit(db, err) != 0)
        goto fail_done;
    *out = made;
    return 0;
fail:
    cw_db_batch_rollback(db);
fail_done:
    json_decref(made);
    return -1;
}

/* What db/transactions.c borrows from this file (declared in db/transactions.h) ------------ */

cw_dba_t *cw__db_txn_adapter(cw_db_t *db)
{
    return db->a;
}

int cw__db_txn_target(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const char *database_id, const char *collection_id,
                      const cw_collection_t **out, cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    return doc_target(db, fam, actor, database_id, collection_id, &dbdoc, out, err);
}

int cw__db_txn_list(cw_db_t *db, const cw_collection_t *c, const cw_query_attr_t *qattrs,
                    size_t nqattrs, const char *cursor_word, const char *const *roles,
                    size_t nroles, json_t *queries, bool with_total, json_t **docs, int64_t *total,
                    cw_db_error_t *err)
{
    list_spec_t ls = {.c = c,
                      .qattrs = qattrs,
                      .nqattrs = nqattrs,
                      .cursor_word = cursor_word,
                      .filter_roles = roles != NULL,
                      .roles = roles,
                      .nroles = nroles,
                      .with_total = with_total};
    if (sync_caches(db, err) != 0)
        return -1;
    return run_list(db, &ls, queries, docs, total, err);
}

bool cw__db_txn_allows(const json_t *perms, const char *action, const cw_db_actor_t *actor)
{
    return perms_allow(perms, action, actor);
}

int cw_db_remove(const char *data_dir, const char *project_id)
{
    return cw_dba_sqlite_remove(data_dir, project_id);
}

/* For relationships.c ------------------------------------------------------------------------- */

cw_rel_state_t *cw__db_rel_state(cw_db_t *db)
{
    return &db->rel;
}

cw_dba_t *cw__db_adapter(cw_db_t *db)
{
    return db->a;
}

const cw_collection_t *cw__db_meta_attributes(cw_db_t *db)
{
    return db->m_attributes;
}

int cw__db_resolve(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                   const char *collection_id, const json_t **dbdoc, const cw_collection_t **c,
                   cw_db_error_t *err)
{
    return resolve(db, fam, database_id, collection_id, dbdoc, c, err);
}

int cw__db_collection_find(cw_db_t *db, cw_db_family_t fam, const json_t *dbdoc, const char *id,
                           const cw_collection_t **out, cw_db_error_t *err)
{
    return collection_find(db, fam, dbdoc, id, out, err);
}

int cw__db_tx_begin(cw_db_t *db, cw_db_error_t *err)
{
    return tx_begin(db, err);
}

void cw__db_tx_rollback(cw_db_t *db)
{
    tx_rollback(db);
}

int cw__db_tx_commit_meta(cw_db_t *db, cw_db_error_t *err)
{
    return tx_commit_meta(db, err);
}

json_t *cw__db_attr_doc(const cw_collection_t *c, const cw_attr_t *a, const char *now)
{
    return attr_doc(c, a, now);
}

json_t *cw__db_attr_model(cw_db_family_t fam, const cw_attr_t *a)
{
    return attr_model(fam, a);
}

void cw__db_attr_from_doc(const json_t *doc, cw_attr_t *a)
{
    attr_from_doc(doc, a);
}

const cw_attr_t *cw__db_attr_find_nocase(const cw_collection_t *c, const char *key,
                                         const char *except)
{
    return attr_find_nocase(c, key, except);
}

bool cw__db_attr_fits(const cw_collection_t *c, const cw_attr_t *a)
{
    return c->nattrs + 1 + SYSTEM_ATTRS <= ATTR_LIMIT &&
           collection_width(c) + attr_width(a) < ROW_WIDTH_MAX;
}

int cw__db_doc_write(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                     const char *database_id, const char *collection_id, const char *id,
                     json_t *data, json_t *permissions, bool create, cw_db_error_t *err)
{
    json_t *out = NULL;
    int rc = doc_write(db, fam, actor, database_id, collection_id, id, data, permissions,
                       create ? W_CREATE : W_UPDATE, &out, err);
    json_decref(out);
    return rc;
}

int cw__db_doc_delete(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const char *database_id, const char *collection_id, const char *id,
                      cw_db_error_t *err)
{
    return doc_delete(db, fam, actor, database_id, collection_id, id, NULL, err);
}

void cw__db_doc_cache_drop(cw_db_t *db, const cw_collection_t *c, const char *id)
{
    doc_cache_drop(db, c, id);
}

bool cw__db_can(const cw_db_actor_t *actor, const cw_collection_t *c, const json_t *doc,
                const char *action)
{
    return can(actor, c, doc, action);
}

bool cw__db_perms_allow(const json_t *perms, const char *action, const cw_db_actor_t *actor)
{
    return perms_allow(perms, action, actor);
}

const char **cw__db_actor_roles(const cw_db_actor_t *actor, size_t *n)
{
    return actor_roles_new(actor, n);
}

int cw__db_unauthorized(const cw_db_actor_t *actor, const char *action, cw_db_error_t *err)
{
    return unauthorized(actor, action, err);
}

json_t *cw__db_doc_model(cw_db_family_t fam, const cw_collection_t *c, const json_t *stored,
                         const char *const *select, size_t nselect)
{
    return doc_model(fam, c, stored, select, nselect);
}

int cw__db_find(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                const cw_collection_t *c, json_t *queries, json_t **out, bool *denied,
                cw_db_error_t *err)
{
    const char **roles = NULL;
    size_t nroles = 0, nq;
    bool filter = false;
    int64_t total = 0;
    *out = NULL;
    *denied = false;
    if (!actor->is_key && !perms_allow(c->permissions, "read", actor)) {
        if (!c->document_security) {
            *denied = true;
            return 0;
        }
        filter = true;
        roles = actor_roles_new(actor, &nroles);
    }
    cw_query_attr_t *qa = query_attrs(c, &nq);
    list_spec_t ls = {.c = c,
                      .qattrs = qa,
                      .nqattrs = nq,
                      .allow_select = true,
                      .cursor_word = fam_of(fam)->Document,
                      .unlimited = true,
                      .filter_roles = filter,
                      .roles = roles,
                      .nroles = nroles,
                      .rel_actor = actor,
                      .rel_fam = fam};
    int rc = run_list(db, &ls, queries, out, &total, err);
    free(qa);
    free(roles);
    return rc;
}

/* For db/internal.c --------------------------------------------------------------------------- */

void cw__db_internal_enter(cw_db_t *db)
{
    db->internal++;
}

void cw__db_internal_leave(cw_db_t *db)
{
    CW_DB_ASSERT(db->internal > 0);
    db->internal--;
}
