/*
 * The Databases and TablesDB APIs over the document database (db/database.h): one handler per
 * operation, shared by both route families. The family picks the parameter names (collectionId or
 * tableId, documentSecurity or rowSecurity, …), the model keys and the error types; databases.c
 * and tablesdb.c are only route tables calling these with their family.
 *
 * Each handler validates its parameters as Appwrite does (400 general_argument_invalid), opens the
 * project's store through the thread's cache and writes the model or the error into ctx->res.
 * Every route using them must be CW_ROUTE_OFFLOAD: they block on SQLite. Nothing outlives the
 * request.
 */
#ifndef CW_SERVICES_DBAPI_H
#define CW_SERVICES_DBAPI_H

#include <stdbool.h>

#include "db/database.h"
#include "http/router.h"

void cw_dbapi_database_list(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_database_create(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_database_get(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_database_update(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_database_delete(cw_ctx_t *ctx, cw_db_family_t fam);

void cw_dbapi_collection_list(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_collection_create(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_collection_get(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_collection_update(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_collection_delete(cw_ctx_t *ctx, cw_db_family_t fam);

/* type: the route's attribute type ("string", "varchar", …, "relationship", "polygon"). */
void cw_dbapi_attribute_list(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_attribute_create(cw_ctx_t *ctx, cw_db_family_t fam, const char *type);
void cw_dbapi_attribute_update(cw_ctx_t *ctx, cw_db_family_t fam, const char *type);
void cw_dbapi_attribute_get(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_attribute_delete(cw_ctx_t *ctx, cw_db_family_t fam);

void cw_dbapi_index_list(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_index_create(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_index_get(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_index_delete(cw_ctx_t *ctx, cw_db_family_t fam);

/* Create takes `data` (one document) or `documents` / `rows` (several). */
void cw_dbapi_document_list(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_document_create(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_document_get(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_document_update(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_document_upsert(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_document_delete(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_documents_upsert(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_documents_update(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_documents_delete(cw_ctx_t *ctx, cw_db_family_t fam);
/* up: increment (bounded by `max`), else decrement (bounded by `min`). */
void cw_dbapi_document_increment(cw_ctx_t *ctx, cw_db_family_t fam, bool up);

/* Transactions (db/transactions.h). The document routes above take `transactionId`: a write is
 * then staged in the transaction rather than made, and a read sees what the transaction has
 * staged. update commits or rolls back. */
void cw_dbapi_transaction_list(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_transaction_create(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_transaction_get(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_transaction_update(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_transaction_delete(cw_ctx_t *ctx, cw_db_family_t fam);
void cw_dbapi_transaction_operations_create(cw_ctx_t *ctx, cw_db_family_t fam);

#endif
