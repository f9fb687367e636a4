/*
 * The document database: what the Databases and TablesDB services (and later users, teams,
 * files, …) are built on. Per project one store (SQLite file <data>/projects/<id>.db today, any
 * adapter later); databases, collections, attributes and indexes are metadata kept by this layer;
 * each collection is a real table of its adapter with a real column per attribute.
 *
 * Documents are jansson objects with the system keys $id, $sequence (string), $createdAt,
 * $updatedAt, $permissions, plus one key per attribute. Every call that writes runs in one
 * transaction: it either happens whole or leaves nothing behind. Errors come back as a cw_err_t
 * (Appwrite's type) plus a message in cw_db_error_t, ready for cw_res_error.
 *
 * Threads: a cw_db_t is one connection to one project's store and belongs to one thread at a
 * time (the worker that serves the request). Open it with cw_db_open and keep it open between
 * requests (the services keep one per thread and project): it caches the schemas of the
 * collections it has used and the documents it has read by ID, and drops what went stale when
 * another connection, in this process or another, commits.
 */
#ifndef CW_DB_DATABASE_H
#define CW_DB_DATABASE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/str.h"
#include "db/schema.h"

typedef struct cw_db cw_db_t;

typedef struct cw_db_error {
    cw_err_t type;
    char message[512];
} cw_db_error_t;

/* Who is asking: API keys bypass permissions (as in Appwrite); others carry their roles
 * ("any", "guests", "user:ID", "team:T/owner", …). */
typedef struct cw_db_actor {
    bool is_key;
    const char *const *roles; /* NULL-terminated */
    /* The signed-in user, or NULL (then taken from a "user:ID" role if there is one): a document
     * it creates without permissions gets read, update and delete for it, as in Appwrite. */
    const char *user_id;
} cw_db_actor_t;

/* "databases" speaks of collections, documents and attributes; "tablesdb" of tables, rows and
 * columns: same operations, other error types and field names. */
typedef enum cw_db_family { CW_DB_FAMILY_COLLECTIONS, CW_DB_FAMILY_TABLES } cw_db_family_t;

int cw_db_open(const char *data_dir, const char *project_id, cw_db_t **out, cw_db_error_t *err);
void cw_db_close(cw_db_t *db);
/* Removes a deleted project's store from the data folder. */
int cw_db_remove(const char *data_dir, const char *project_id);

/* Group commit. A write is durable when answered (WAL, synchronous=FULL: one fsync per commit),
 * which alone would cap document writes at the disk's fsync rate. Connections of one process that
 * join the same hub pool the document writes (create, update, upsert, delete, increment) that
 * arrive together for one project: one thread leads, runs them in one transaction, each in its
 * own savepoint so one failing leaves the others whole, commits once, and only then are they all
 * answered. A connection outside a hub commits each write alone.
 * The hub is made once (any thread), shared by all threads, and freed after every connection that
 * joined it is closed. */
typedef struct cw_db_hub cw_db_hub_t;
cw_db_hub_t *cw_db_hub_new(void);
void cw_db_hub_free(cw_db_hub_t *hub);
void cw_db_hub_join(cw_db_t *db, cw_db_hub_t *hub);

/* A counter of this process's changes to a project's users, sessions and memberships (what a
 * signed-in request's user, session and roles are read from), shared by every connection of the
 * project in the hub. A cache of verified sessions reads it before reading the data and keeps an
 * entry only while it has not moved. 0 for a connection outside a hub: cache nothing then.
 * Changes made by other processes are not counted (a cache must also age its entries). */
uint64_t cw_db_auth_generation(const cw_db_t *db);
/* Moves the counter: call after such a change is committed (internal.c does). */
void cw_db_auth_changed(cw_db_t *db);

/* Several calls as one transaction. Between begin and commit, every call on this connection runs
 * inside one transaction (each write of its own in a savepoint, so a failed call undoes only
 * itself): commit makes all of them durable at once, rollback undoes all of them. Document writes
 * run on this connection meanwhile rather than joining a group commit. Batches nest. A reader on
 * another connection sees none of the batch until it commits. Returns 0, or -1 with err filled
 * (commit: nothing was written). */
int cw_db_batch_begin(cw_db_t *db, cw_db_error_t *err);
int cw_db_batch_commit(cw_db_t *db, cw_db_error_t *err);
void cw_db_batch_rollback(cw_db_t *db);

/* Databases ------------------------------------------------------------------------------- */
/* Each returns 0, or -1 with err filled. Results are new jansson objects the caller decrefs,
 * shaped as the API's models (database: $id, name, $createdAt, $updatedAt, enabled, type). */
int cw_db_database_create(cw_db_t *db, const char *id, const char *name, bool enabled,
                          const char *type, json_t **out, cw_db_error_t *err);
int cw_db_database_get(cw_db_t *db, const char *id, json_t **out, cw_db_error_t *err);
int cw_db_database_update(cw_db_t *db, const char *id, const char *name, int enabled /* -1 keep */,
                          json_t **out, cw_db_error_t *err);
int cw_db_database_delete(cw_db_t *db, const char *id, cw_db_error_t *err);
/* queries: the raw `queries` parameter (array of JSON strings) or NULL; search may be NULL.
 * *out = {"total": n, "databases": [...]}; with_total false leaves total 0 (Appwrite's
 * total=false). */
int cw_db_database_list(cw_db_t *db, json_t *queries, const char *search, bool with_total,
                        json_t **out, cw_db_error_t *err);

/* Collections (tables) ------------------------------------------------------------------- */
/* Model: $id, $createdAt, $updatedAt, $permissions, databaseId, name, enabled, documentSecurity
 * (rowSecurity for tables), attributes (columns), indexes, bytesMax, bytesUsed. */
int cw_db_collection_create(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                            const char *id, const char *name, json_t *permissions,
                            bool document_security, bool enabled, json_t **out, cw_db_error_t *err);
/* The same with its attributes (an array of specs as cw_db_attribute_create takes them) and
 * indexes (an array of {key, type, attributes, orders?, lengths?}) made in the same transaction:
 * the collection exists with all of them, or not at either. Either array may be NULL. */
int cw_db_collection_create_with(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                                 const char *id, const char *name, json_t *permissions,
                                 bool document_security, bool enabled, json_t *attributes,
                                 json_t *indexes, json_t **out, cw_db_error_t *err);
int cw_db_collection_get(cw_db_t *db, cw_db_family_t fam, const char *database_id, const char *id,
                         json_t **out, cw_db_error_t *err);
int cw_db_collection_update(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                            const char *id, const char *name, json_t *permissions /* NULL keep */,
                            int document_security /* -1 keep */, int enabled /* -1 keep */,
                            json_t **out, cw_db_error_t *err);
int cw_db_collection_delete(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                            const char *id, cw_db_error_t *err);
int cw_db_collection_list(cw_db_t *db, cw_db_family_t fam, const char *database_id, json_t *queries,
                          const char *search, bool with_total, json_t **out, cw_db_error_t *err);

/* Attributes (columns) ------------------------------------------------------------------- */
/* spec: the create/update parameters as the API takes them, plus "type" (the route's type:
 * string, varchar, text, mediumtext, longtext, integer, float, boolean, datetime, email, enum,
 * ip, url, relationship, point, line, polygon). Out: the attribute model (202 on create). */
int cw_db_attribute_create(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                           const char *collection_id, json_t *spec, json_t **out,
                           cw_db_error_t *err);
int cw_db_attribute_update(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                           const char *collection_id, const char *key, json_t *spec, json_t **out,
                           cw_db_error_t *err);
int cw_db_attribute_get(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                        const char *collection_id, const char *key, json_t **out,
                        cw_db_error_t *err);
int cw_db_attribute_delete(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                           const char *collection_id, const char *key, cw_db_error_t *err);
int cw_db_attribute_list(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                         const char *collection_id, json_t *queries, bool with_total, json_t **out,
                         cw_db_error_t *err);

/* Indexes ---------------------------------------------------------------------------------- */
int cw_db_index_create(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                       const char *collection_id, const char *key, const char *type,
                       json_t *attributes, json_t *orders, json_t *lengths, json_t **out,
                       cw_db_error_t *err);
int cw_db_index_get(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                    const char *collection_id, const char *key, json_t **out, cw_db_error_t *err);
int cw_db_index_delete(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                       const char *collection_id, const char *key, cw_db_error_t *err);
int cw_db_index_list(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                     const char *collection_id, json_t *queries, bool with_total, json_t **out,
                     cw_db_error_t *err);

/* Documents (rows) ----------------------------------------------------------------------- */
/* Document model: $id, $sequence, $collectionId ($tableId), $databaseId, $createdAt,
 * $updatedAt, $permissions, then the attributes. id may be "unique()". permissions NULL: the
 * default Appwrite applies. */
int cw_db_document_create(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                          const char *database_id, const char *collection_id, const char *id,
                          json_t *data, json_t *permissions, json_t **out, cw_db_error_t *err);
int cw_db_document_get(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                       const char *database_id, const char *collection_id, const char *id,
                       json_t *queries, json_t **out, cw_db_error_t *err);
int cw_db_document_update(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                          const char *database_id, const char *collection_id, const char *id,
                          json_t *data, json_t *permissions, json_t **out, cw_db_error_t *err);
int cw_db_document_upsert(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                          const char *database_id, const char *collection_id, const char *id,
                          json_t *data, json_t *permissions, json_t **out, cw_db_error_t *err);
int cw_db_document_delete(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                          const char *database_id, const char *collection_id, const char *id,
                          cw_db_error_t *err);
int cw_db_document_list(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                        const char *database_id, const char *collection_id, json_t *queries,
                        bool with_total, json_t **out, cw_db_error_t *err);
/* Bulk forms, all or nothing in one transaction (Appwrite allows them to API keys only; the
 * caller checks). items: an array of objects, each a document's data plus an optional "$id"
 * (absent, null or "unique()": a new one) and "$permissions". *out = {"total": n, "documents" |
 * "rows": [...]}, the documents as written (deleted ones as they were). */
int cw_db_documents_create(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const char *database_id, const char *collection_id, json_t *items,
                           json_t **out, cw_db_error_t *err);
int cw_db_documents_upsert(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const char *database_id, const char *collection_id, json_t *items,
                           json_t **out, cw_db_error_t *err);
/* data (with an optional "$permissions") goes to every document the queries match: all of them
 * unless the queries hold a limit. */
int cw_db_documents_update(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const char *database_id, const char *collection_id, json_t *data,
                           json_t *queries, json_t **out, cw_db_error_t *err);
int cw_db_documents_delete(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const char *database_id, const char *collection_id, json_t *queries,
                           json_t **out, cw_db_error_t *err);

/* by > 0 increments, by < 0 decrements (the decrement route passes -value); 0 is refused.
 * limit: the bound not to cross, a maximum when incrementing, a minimum when decrementing (NULL:
 * none). */
int cw_db_document_increment(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                             const char *database_id, const char *collection_id, const char *id,
                             const char *attribute, double by, json_t *limit, json_t **out,
                             cw_db_error_t *err);

#endif
