/*
 * What a storage engine must provide to the document database (db/database.c): transactions,
 * tables for collections with a column per attribute, indexes, and documents stored, fetched,
 * filtered, ordered, counted and permission-filtered. Everything Appwrite-specific (validation,
 * defaults, error types, models, permission rules) stays above this line, so PostgreSQL or
 * MariaDB can be added by writing another adapter and nothing else.
 *
 * Documents cross the interface as jansson objects in their stored form: "$id", "$createdAt",
 * "$updatedAt" (normalised ISO dates, text order = time order), "$permissions" (array of
 * permission strings, already aggregated), one key per attribute (arrays as JSON arrays, dates
 * normalised). Documents coming back also carry "$sequence" as a string. Objects handed in are
 * borrowed; objects handed out are new references the caller decrefs.
 *
 * Threads: a cw_dba_t is one connection; one thread at a time uses it.
 */
#ifndef CW_DB_ADAPTER_H
#define CW_DB_ADAPTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/database.h"
#include "db/query.h"
#include "db/schema.h"

/* Return codes beyond core/status.h for what an adapter may refuse. */
enum {
    CW_DBA_EUNIQUE = -1001,  /* a unique index would hold two equal values */
    CW_DBA_ETOOBIG = -1002,  /* existing values do not fit a smaller size */
    CW_DBA_ENOTNULL = -1003, /* existing rows hold null where a value is now required */
};

typedef struct cw_dba cw_dba_t;

typedef struct cw_dba_order {
    const char *attr; /* an attribute key, or $id, $sequence, $createdAt, $updatedAt */
    bool desc;
} cw_dba_order_t;

/* A read over one collection, already validated and resolved by the database layer. */
typedef struct cw_dba_find {
    const cw_query_t *const *filters; /* each a filter or logical query (and, or) */
    size_t nfilters;
    const cw_dba_order_t *orders; /* the tie-break on $sequence included */
    size_t norders;
    int64_t limit; /* < 0: no limit */
    int64_t offset;
    const json_t *cursor; /* the cursor document in stored form, or NULL */
    bool cursor_before;
    /* Permission filter: when roles is non-NULL, only documents whose permissions give `action`
     * ("read", "update", …) to one of the roles are seen. */
    const char *const *roles;
    size_t nroles;
    const char *action;
    /* Attributes to fetch (NULL: all). System fields always come back. */
    const char *const *select;
    size_t nselect;
} cw_dba_find_t;

typedef struct cw_dba_ops {
    const char *name;
    void (*close)(cw_dba_t *a);

    /* A write transaction; reads outside one see the last committed state. Nested begin is an
     * error. */
    int (*begin)(cw_dba_t *a, cw_db_error_t *err);
    int (*commit)(cw_dba_t *a, cw_db_error_t *err);
    void (*rollback)(cw_dba_t *a);
    /* True when another connection has committed since the previous call: caches built from
     * this store must be dropped. */
    bool (*changed_elsewhere)(cw_dba_t *a);
    /* A counter the database layer bumps, inside the write transaction, whenever it changes
     * metadata (databases, collections, attributes, indexes), so every connection can tell when
     * its cached schemas went stale. */
    int (*meta_version)(cw_dba_t *a, int64_t *out, cw_db_error_t *err);
    int (*meta_bump)(cw_dba_t *a, int64_t *out, cw_db_error_t *err);

    /* DDL, inside the caller's transaction. c->table names the storage. */
    int (*collection_create)(cw_dba_t *a, const cw_collection_t *c, cw_db_error_t *err);
    int (*collection_drop)(cw_dba_t *a, const cw_collection_t *c, cw_db_error_t *err);
    /* Adds a column for attr (c does not hold it yet) and fills existing rows with its default.
     * A relationship side without a column (cw_attr_has_column) adds nothing. */
    int (*attribute_add)(cw_dba_t *a, const cw_collection_t *c, const cw_attr_t *attr,
                         cw_db_error_t *err);
    int (*attribute_drop)(cw_dba_t *a, const cw_collection_t *c, const char *key,
                          cw_db_error_t *err);
    int (*attribute_rename)(cw_dba_t *a, const cw_collection_t *c, const char *key,
                            const char *new_key, cw_db_error_t *err);
    /* Checks existing rows against a changed attribute (c holds the old one): CW_DBA_ETOOBIG
     * when a value is longer than attr->size. */
    int (*attribute_check)(cw_dba_t *a, const cw_collection_t *c, const cw_attr_t *attr,
                           cw_db_error_t *err);
    /* CW_DBA_EUNIQUE when a unique index cannot be built over the existing rows. */
    int (*index_create)(cw_dba_t *a, const cw_collection_t *c, const cw_index_t *idx,
                        cw_db_error_t *err);
    int (*index_drop)(cw_dba_t *a, const cw_collection_t *c, const cw_index_t *idx,
                      cw_db_error_t *err);

    /* Documents. insert: CW_EEXIST when the $id is taken, CW_DBA_EUNIQUE on a unique index. */
    int (*doc_insert)(cw_dba_t *a, const cw_collection_t *c, const json_t *doc, int64_t *seq,
                      cw_db_error_t *err);
    /* CW_ENOTFOUND when there is none. */
    int (*doc_get)(cw_dba_t *a, const cw_collection_t *c, const char *id, json_t **out,
                   cw_db_error_t *err);
    /* Replaces the stored document with this sequence (all attributes, permissions when
     * perms_changed). CW_DBA_EUNIQUE on a unique index. */
    int (*doc_update)(cw_dba_t *a, const cw_collection_t *c, int64_t seq, const json_t *doc,
                      bool perms_changed, cw_db_error_t *err);
    int (*doc_delete)(cw_dba_t *a, const cw_collection_t *c, int64_t seq, cw_db_error_t *err);
    /* *out: a new array of documents. */
    int (*doc_find)(cw_dba_t *a, const cw_collection_t *c, const cw_dba_find_t *f, json_t **out,
                    cw_db_error_t *err);
    /* Counts what f's filters and permissions match (orders, cursor, limit and offset ignored),
     * stopping at max when max > 0. */
    int (*doc_count)(cw_dba_t *a, const cw_collection_t *c, const cw_dba_find_t *f, int64_t max,
                     int64_t *out, cw_db_error_t *err);
} cw_dba_ops_t;

struct cw_dba {
    const cw_dba_ops_t *ops;
};

/* The SQLite adapter: one file <data_dir>/projects/<project_id>.db (created on first use). */
/* Deletes a project's store files (the project is gone; open connections keep the old inode). */
int cw_dba_sqlite_remove(const char *data_dir, const char *project_id);
int cw_dba_sqlite_open(const char *data_dir, const char *project_id, cw_dba_t **out,
                       cw_db_error_t *err);

#endif
