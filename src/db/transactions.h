/*
 * Appwrite's database transactions, for the Databases and TablesDB services alike: a client opens
 * a transaction (with a time to live), stages writes in it — createOperations, or a document or
 * row route given a `transactionId` — reads through it (its own staged writes visible to it and to
 * nobody else), then commits it, which applies every staged write in one SQLite transaction (all
 * of them, or none), or rolls it back. A staged write whose document changed after it was staged
 * makes the commit fail with transaction_conflict, as does a duplicate ID or unique value.
 *
 * Transactions and their staged operations are documents of two internal collections of the
 * project's store (tables "transactions" and "transaction_logs"), so they survive a restart; the
 * operations of a finished transaction are deleted with the commit or rollback, and a
 * transaction is purged a day after it expired.
 *
 * Staging checks what Appwrite checks then (the transaction is pending, not expired, not full; the
 * database, collection and, for updates and deletes, the document exist as the transaction sees
 * them; the caller may write there) and defers the rest (structure, unique values) to the commit.
 * Reads and checks "as the transaction sees them" replay its operations inside a batch that is
 * rolled back afterwards (db/database.h's cw_db_batch_*).
 *
 * Every call returns 0, or -1 with err filled with Appwrite's error type. Results are new jansson
 * objects the caller decrefs; inputs are borrowed. Threads: those of the cw_db_t.
 */
#ifndef CW_DB_TRANSACTIONS_H
#define CW_DB_TRANSACTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/adapter.h"
#include "db/database.h"
#include "db/query.h"
#include "db/schema.h"

/* Appwrite's bounds: APP_DATABASE_TXN_TTL_MIN/MAX/DEFAULT and APP_LIMIT_DATABASE_TRANSACTION. */
#define CW_TXN_TTL_MIN 60
#define CW_TXN_TTL_MAX 3600
#define CW_TXN_TTL_DEFAULT 300
#define CW_TXN_OPERATIONS_MAX 100

/* The transaction model: $id, $createdAt, $updatedAt, status (pending, committed, failed),
 * operations (how many are staged), expiresAt. A transaction made by a signed-in user may be read,
 * used and deleted by that user (and API keys) only; one made by an API key, by API keys only. */
int cw_db_transaction_create(cw_db_t *db, const cw_db_actor_t *actor, int64_t ttl_seconds,
                             json_t **out, cw_db_error_t *err);
int cw_db_transaction_get(cw_db_t *db, const cw_db_actor_t *actor, const char *id, json_t **out,
                          cw_db_error_t *err);
/* queries: the raw `queries` parameter or NULL (on status and expiresAt). *out = {"total",
 * "transactions"}. */
int cw_db_transaction_list(cw_db_t *db, const cw_db_actor_t *actor, json_t *queries, json_t **out,
                           cw_db_error_t *err);
int cw_db_transaction_delete(cw_db_t *db, const cw_db_actor_t *actor, const char *id,
                             cw_db_error_t *err);
/* Applies the staged operations as the actor, with fam's names in messages. On failure nothing of
 * them is written and the transaction is marked failed. *out: the transaction, now committed. */
int cw_db_transaction_commit(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                             const char *id, json_t **out, cw_db_error_t *err);
/* The same; *changes (when changes is not NULL, and only on success) lists what Appwrite emits
 * events for after a commit, one per single-document operation (bulk ones have none): objects
 * {"action": "create"|"update"|"delete", "databaseId", "collectionId", "document"}. A new
 * reference. */
int cw_db_transaction_commit_changes(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                                     const char *id, json_t **out, json_t **changes,
                                     cw_db_error_t *err);
/* Drops the staged operations; the transaction is then failed, as Appwrite marks it. */
int cw_db_transaction_rollback(cw_db_t *db, const cw_db_actor_t *actor, const char *id,
                               json_t **out, cw_db_error_t *err);

/* createOperations: operations in fam's wire form, each {action, databaseId, collectionId |
 * tableId, documentId | rowId, data}, action one of create, update, upsert, delete, increment,
 * decrement, bulkCreate, bulkUpdate, bulkUpsert, bulkDelete. *out: the transaction. */
int cw_db_transaction_operations_create(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                                        const char *id, json_t *operations, json_t **out,
                                        cw_db_error_t *err);

/* A write route given a transactionId: op is {action, databaseId, collectionId, documentId?,
 * data} (collectionId and documentId whatever the family). *result is what the route answers
 * instead of the written document: the document as the commit would write it (creates have empty
 * $sequence, $createdAt and $updatedAt), {"total", "documents" | "rows": []} for bulk writes, NULL
 * for a delete. */
int cw_db_transaction_stage(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                            const char *id, json_t *op, json_t **result, cw_db_error_t *err);

/* Reads through a transaction: cw_db_document_get and cw_db_document_list as they would answer
 * once it commits. */
int cw_db_transaction_document_get(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                                   const char *id, const char *database_id,
                                   const char *collection_id, const char *document_id,
                                   json_t *queries, json_t **out, cw_db_error_t *err);
int cw_db_transaction_document_list(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                                    const char *id, const char *database_id,
                                    const char *collection_id, json_t *queries, bool with_total,
                                    json_t **out, cw_db_error_t *err);

/* What db/database.c lends this module (defined there; nobody else calls them). ------------ */

/* The connection's adapter. */
cw_dba_t *cw__db_txn_adapter(cw_db_t *db);
/* The collection of a document call, with the document routes' 404s (disabled ones hidden from
 * actors without a key). Borrowed from the connection's cache: valid until the next call on db. */
int cw__db_txn_target(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const char *database_id, const char *collection_id,
                      const cw_collection_t **out, cw_db_error_t *err);
/* A list over one of the layer's collections with the queries the list routes take: what they
 * may name (qattrs), the cursor's word in messages, and, when roles is non-NULL, only what one of
 * the roles may read. *docs: the stored documents; *total counted when with_total. */
int cw__db_txn_list(cw_db_t *db, const cw_collection_t *c, const cw_query_attr_t *qattrs,
                    size_t nqattrs, const char *cursor_word, const char *const *roles,
                    size_t nroles, json_t *queries, bool with_total, json_t **docs, int64_t *total,
                    cw_db_error_t *err);
/* Whether one of the permission strings gives action to a role the actor holds. */
bool cw__db_txn_allows(const json_t *perms, const char *action, const cw_db_actor_t *actor);
/* The actor's roles for a permission filter, "any" first, in a new array the caller frees. */
const char **cw__db_actor_roles(const cw_db_actor_t *actor, size_t *n);

#endif
