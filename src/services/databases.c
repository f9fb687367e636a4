/*
 * The Databases service: Appwrite's legacy /v1/databases API of databases, collections,
 * attributes, indexes and documents (with bulk writes, increment and decrement). Each route maps
 * onto the shared implementation in dbapi.c with the collections family. Besides the 1.9.3 spec's
 * routes it serves what Appwrite 1.9.6 adds: bigint attributes and the older path of the
 * relationship update.
 */
#include "services/dbapi.h"
#include "services/routes.h"

#define FAM CW_DB_FAMILY_COLLECTIONS

/* One handler per operation, each calling the shared implementation with this family. */
#define HANDLER(name, call)                                                                        \
    static void on_##name(cw_ctx_t *ctx)                                                           \
    {                                                                                              \
        call(ctx, FAM);                                                                            \
    }
#define ATTRIBUTE_HANDLERS(type)                                                                   \
    static void on_create_##type(cw_ctx_t *ctx)                                                    \
    {                                                                                              \
        cw_dbapi_attribute_create(ctx, FAM, #type);                                                \
    }                                                                                              \
    static void on_update_##type(cw_ctx_t *ctx)                                                    \
    {                                                                                              \
        cw_dbapi_attribute_update(ctx, FAM, #type);                                                \
    }

HANDLER(database_list, cw_dbapi_database_list)
HANDLER(database_create, cw_dbapi_database_create)
HANDLER(database_get, cw_dbapi_database_get)
HANDLER(database_update, cw_dbapi_database_update)
HANDLER(database_delete, cw_dbapi_database_delete)
HANDLER(collection_list, cw_dbapi_collection_list)
HANDLER(collection_create, cw_dbapi_collection_create)
HANDLER(collection_get, cw_dbapi_collection_get)
HANDLER(collection_update, cw_dbapi_collection_update)
HANDLER(collection_delete, cw_dbapi_collection_delete)
HANDLER(attribute_list, cw_dbapi_attribute_list)
HANDLER(attribute_get, cw_dbapi_attribute_get)
HANDLER(attribute_delete, cw_dbapi_attribute_delete)
HANDLER(index_list, cw_dbapi_index_list)
HANDLER(index_create, cw_dbapi_index_create)
HANDLER(index_get, cw_dbapi_index_get)
HANDLER(index_delete, cw_dbapi_index_delete)
HANDLER(document_list, cw_dbapi_document_list)
HANDLER(document_create, cw_dbapi_document_create)
HANDLER(document_get, cw_dbapi_document_get)
HANDLER(document_update, cw_dbapi_document_update)
HANDLER(document_upsert, cw_dbapi_document_upsert)
HANDLER(document_delete, cw_dbapi_document_delete)
HANDLER(documents_upsert, cw_dbapi_documents_upsert)
HANDLER(documents_update, cw_dbapi_documents_update)
HANDLER(documents_delete, cw_dbapi_documents_delete)
HANDLER(transaction_list, cw_dbapi_transaction_list)
HANDLER(transaction_create, cw_dbapi_transaction_create)
HANDLER(transaction_get, cw_dbapi_transaction_get)
HANDLER(transaction_update, cw_dbapi_transaction_update)
HANDLER(transaction_delete, cw_dbapi_transaction_delete)
HANDLER(transaction_operations, cw_dbapi_transaction_operations_create)

static void on_document_increment(cw_ctx_t *ctx)
{
    cw_dbapi_document_increment(ctx, FAM, true);
}

static void on_document_decrement(cw_ctx_t *ctx)
{
    cw_dbapi_document_increment(ctx, FAM, false);
}

ATTRIBUTE_HANDLERS(string)
ATTRIBUTE_HANDLERS(varchar)
ATTRIBUTE_HANDLERS(text)
ATTRIBUTE_HANDLERS(mediumtext)
ATTRIBUTE_HANDLERS(longtext)
ATTRIBUTE_HANDLERS(email)
ATTRIBUTE_HANDLERS(enum)
ATTRIBUTE_HANDLERS(ip)
ATTRIBUTE_HANDLERS(url)
ATTRIBUTE_HANDLERS(datetime)
ATTRIBUTE_HANDLERS(integer)
ATTRIBUTE_HANDLERS(bigint)
ATTRIBUTE_HANDLERS(float)
ATTRIBUTE_HANDLERS(boolean)
ATTRIBUTE_HANDLERS(point)
ATTRIBUTE_HANDLERS(line)
ATTRIBUTE_HANDLERS(polygon)
ATTRIBUTE_HANDLERS(relationship)

#define DB "/v1/databases/{databaseId}"
#define COLLECTION DB "/collections/{collectionId}"
#define ATTRIBUTES COLLECTION "/attributes"
#define DOCUMENT COLLECTION "/documents/{documentId}"
#define TRANSACTIONS "/v1/databases/transactions"
#define OFF CW_ROUTE_OFFLOAD

/* Scopes as the spec lists them; tablesDB routes accept any one of several. */
#define DATABASES_READ "databases.read"
#define DATABASES_WRITE "databases.write"
#define TRANSACTIONS_READ "rows.read"
#define TRANSACTIONS_WRITE "documents.write"
#define COLLECTIONS_READ "collections.read"
#define COLLECTIONS_WRITE "collections.write"
#define ATTRIBUTES_READ "collections.read"
#define ATTRIBUTES_WRITE "collections.write"
#define INDEXES_READ "collections.read"
#define INDEXES_WRITE "collections.write"
#define DOCUMENTS_READ "documents.read"
#define DOCUMENTS_WRITE "documents.write"

const cw_route_t cw_databases_routes[] = {
    {"GET", "/v1/databases", DATABASES_READ, on_database_list, OFF},
    {"POST", "/v1/databases", DATABASES_WRITE, on_database_create, OFF},
    {"GET", TRANSACTIONS, TRANSACTIONS_READ, on_transaction_list, OFF},
    {"POST", TRANSACTIONS, TRANSACTIONS_WRITE, on_transaction_create, OFF},
    {"GET", TRANSACTIONS "/{transactionId}", TRANSACTIONS_READ, on_transaction_get, OFF},
    {"PATCH", TRANSACTIONS "/{transactionId}", TRANSACTIONS_WRITE, on_transaction_update, OFF},
    {"DELETE", TRANSACTIONS "/{transactionId}", TRANSACTIONS_WRITE, on_transaction_delete, OFF},
    {"POST", TRANSACTIONS "/{transactionId}/operations", TRANSACTIONS_WRITE,
     on_transaction_operations, OFF},
    {"GET", DB, DATABASES_READ, on_database_get, OFF},
    {"PUT", DB, DATABASES_WRITE, on_database_update, OFF},
    {"DELETE", DB, DATABASES_WRITE, on_database_delete, OFF},
    {"GET", DB "/collections", COLLECTIONS_READ, on_collection_list, OFF},
    {"POST", DB "/collections", COLLECTIONS_WRITE, on_collection_create, OFF},
    {"GET", COLLECTION, COLLECTIONS_READ, on_collection_get, OFF},
    {"PUT", COLLECTION, COLLECTIONS_WRITE, on_collection_update, OFF},
    {"DELETE", COLLECTION, COLLECTIONS_WRITE, on_collection_delete, OFF},
    {"GET", ATTRIBUTES, ATTRIBUTES_READ, on_attribute_list, OFF},
    {"POST", ATTRIBUTES "/bigint", ATTRIBUTES_WRITE, on_create_bigint, OFF},
    {"PATCH", ATTRIBUTES "/bigint/{key}", ATTRIBUTES_WRITE, on_update_bigint, OFF},
    {"POST", ATTRIBUTES "/boolean", ATTRIBUTES_WRITE, on_create_boolean, OFF},
    {"PATCH", ATTRIBUTES "/boolean/{key}", ATTRIBUTES_WRITE, on_update_boolean, OFF},
    {"POST", ATTRIBUTES "/datetime", ATTRIBUTES_WRITE, on_create_datetime, OFF},
    {"PATCH", ATTRIBUTES "/datetime/{key}", ATTRIBUTES_WRITE, on_update_datetime, OFF},
    {"POST", ATTRIBUTES "/email", ATTRIBUTES_WRITE, on_create_email, OFF},
    {"PATCH", ATTRIBUTES "/email/{key}", ATTRIBUTES_WRITE, on_update_email, OFF},
    {"POST", ATTRIBUTES "/enum", ATTRIBUTES_WRITE, on_create_enum, OFF},
    {"PATCH", ATTRIBUTES "/enum/{key}", ATTRIBUTES_WRITE, on_update_enum, OFF},
    {"POST", ATTRIBUTES "/float", ATTRIBUTES_WRITE, on_create_float, OFF},
    {"PATCH", ATTRIBUTES "/float/{key}", ATTRIBUTES_WRITE, on_update_float, OFF},
    {"POST", ATTRIBUTES "/integer", ATTRIBUTES_WRITE, on_create_integer, OFF},
    {"PATCH", ATTRIBUTES "/integer/{key}", ATTRIBUTES_WRITE, on_update_integer, OFF},
    {"POST", ATTRIBUTES "/ip", ATTRIBUTES_WRITE, on_create_ip, OFF},
    {"PATCH", ATTRIBUTES "/ip/{key}", ATTRIBUTES_WRITE, on_update_ip, OFF},
    {"POST", ATTRIBUTES "/line", ATTRIBUTES_WRITE, on_create_line, OFF},
    {"PATCH", ATTRIBUTES "/line/{key}", ATTRIBUTES_WRITE, on_update_line, OFF},
    {"POST", ATTRIBUTES "/longtext", ATTRIBUTES_WRITE, on_create_longtext, OFF},
    {"PATCH", ATTRIBUTES "/longtext/{key}", ATTRIBUTES_WRITE, on_update_longtext, OFF},
    {"POST", ATTRIBUTES "/mediumtext", ATTRIBUTES_WRITE, on_create_mediumtext, OFF},
    {"PATCH", ATTRIBUTES "/mediumtext/{key}", ATTRIBUTES_WRITE, on_update_mediumtext, OFF},
    {"POST", ATTRIBUTES "/point", ATTRIBUTES_WRITE, on_create_point, OFF},
    {"PATCH", ATTRIBUTES "/point/{key}", ATTRIBUTES_WRITE, on_update_point, OFF},
    {"POST", ATTRIBUTES "/polygon", ATTRIBUTES_WRITE, on_create_polygon, OFF},
    {"PATCH", ATTRIBUTES "/polygon/{key}", ATTRIBUTES_WRITE, on_update_polygon, OFF},
    {"POST", ATTRIBUTES "/relationship", ATTRIBUTES_WRITE, on_create_relationship, OFF},
    {"PATCH", ATTRIBUTES "/relationship/{key}", ATTRIBUTES_WRITE, on_update_relationship, OFF},
    {"PATCH", ATTRIBUTES "/{key}/relationship", ATTRIBUTES_WRITE, on_update_relationship, OFF},
    {"POST", ATTRIBUTES "/string", ATTRIBUTES_WRITE, on_create_string, OFF},
    {"PATCH", ATTRIBUTES "/string/{key}", ATTRIBUTES_WRITE, on_update_string, OFF},
    {"POST", ATTRIBUTES "/text", ATTRIBUTES_WRITE, on_create_text, OFF},
    {"PATCH", ATTRIBUTES "/text/{key}", ATTRIBUTES_WRITE, on_update_text, OFF},
    {"POST", ATTRIBUTES "/url", ATTRIBUTES_WRITE, on_create_url, OFF},
    {"PATCH", ATTRIBUTES "/url/{key}", ATTRIBUTES_WRITE, on_update_url, OFF},
    {"POST", ATTRIBUTES "/varchar", ATTRIBUTES_WRITE, on_create_varchar, OFF},
    {"PATCH", ATTRIBUTES "/varchar/{key}", ATTRIBUTES_WRITE, on_update_varchar, OFF},
    {"GET", ATTRIBUTES "/{key}", ATTRIBUTES_READ, on_attribute_get, OFF},
    {"DELETE", ATTRIBUTES "/{key}", ATTRIBUTES_WRITE, on_attribute_delete, OFF},
    {"GET", COLLECTION "/indexes", INDEXES_READ, on_index_list, OFF},
    {"POST", COLLECTION "/indexes", INDEXES_WRITE, on_index_create, OFF},
    {"GET", COLLECTION "/indexes/{key}", INDEXES_READ, on_index_get, OFF},
    {"DELETE", COLLECTION "/indexes/{key}", INDEXES_WRITE, on_index_delete, OFF},
    {"GET", COLLECTION "/documents", DOCUMENTS_READ, on_document_list, OFF},
    {"POST", COLLECTION "/documents", DOCUMENTS_WRITE, on_document_create, OFF},
    {"PUT", COLLECTION "/documents", DOCUMENTS_WRITE, on_documents_upsert, OFF},
    {"PATCH", COLLECTION "/documents", DOCUMENTS_WRITE, on_documents_update, OFF},
    {"DELETE", COLLECTION "/documents", DOCUMENTS_WRITE, on_documents_delete, OFF},
    {"GET", DOCUMENT, DOCUMENTS_READ, on_document_get, OFF},
    {"PUT", DOCUMENT, DOCUMENTS_WRITE, on_document_upsert, OFF},
    {"PATCH", DOCUMENT, DOCUMENTS_WRITE, on_document_update, OFF},
    {"DELETE", DOCUMENT, DOCUMENTS_WRITE, on_document_delete, OFF},
    {"PATCH", DOCUMENT "/{attribute}/increment", DOCUMENTS_WRITE, on_document_increment, OFF},
    {"PATCH", DOCUMENT "/{attribute}/decrement", DOCUMENTS_WRITE, on_document_decrement, OFF},
};
const size_t cw_databases_routes_count =
    sizeof(cw_databases_routes) / sizeof(cw_databases_routes[0]);
