/*
 * The shape of a collection as the document database sees it: attributes (typed, sized, maybe
 * arrays) and indexes. Loaded from the metadata collections, kept by the database layer, handed
 * read-only to the adapter and the validators. A cw_collection_t owns all its strings; free it
 * with cw_collection_free. Not shared between threads unless treated as read-only.
 */
#ifndef CW_DB_SCHEMA_H
#define CW_DB_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cw_attr_type {
    CW_ATTR_STRING, /* also varchar, text, mediumtext, longtext, email, enum, ip, url */
    CW_ATTR_INTEGER,
    CW_ATTR_FLOAT,
    CW_ATTR_BOOLEAN,
    CW_ATTR_DATETIME,
    CW_ATTR_RELATIONSHIP,
    CW_ATTR_POINT,
    CW_ATTR_LINE,
    CW_ATTR_POLYGON,
} cw_attr_type_t;

/* The string formats Appwrite layers on top of CW_ATTR_STRING. */
typedef enum cw_attr_format {
    CW_FORMAT_NONE,
    CW_FORMAT_EMAIL,
    CW_FORMAT_ENUM,
    CW_FORMAT_IP,
    CW_FORMAT_URL,
} cw_attr_format_t;

typedef struct cw_attr {
    char *key;
    cw_attr_type_t type;
    char *api_type; /* the type the API reports: "string", "varchar", "text", "integer",
                       "double", "boolean", "datetime", … (email, enum, ip and url are
                       "string" with a format) */
    cw_attr_format_t format;
    int64_t size;    /* strings: max length in characters (bytes when size_bytes) */
    bool size_bytes; /* text, mediumtext, longtext: Appwrite counts their size in bytes */
    bool required;
    bool array;
    bool is_signed;
    bool has_min, has_max;
    double min, max;          /* float bounds */
    int64_t min_int, max_int; /* integer bounds, exact */
    json_t *default_value;    /* NULL when none */
    json_t *elements;         /* enum: array of strings */
    json_t *options;          /* relationship options, as stored */
    char *status;             /* available, processing, deleting, stuck, failed */
    char *error;
    int64_t created_at, updated_at; /* ms */
} cw_attr_t;

typedef enum cw_index_type {
    CW_INDEX_KEY,
    CW_INDEX_UNIQUE,
    CW_INDEX_FULLTEXT,
    CW_INDEX_SPATIAL,
} cw_index_type_t;

typedef struct cw_index {
    char *key;
    cw_index_type_t type;
    size_t nattrs;
    char **attrs;
    char **orders;    /* "ASC", "DESC" or NULL per attribute */
    int64_t *lengths; /* per attribute; 0 stands for the API's null (the whole value) */
    char *status;
    char *error;
    int64_t created_at, updated_at;
} cw_index_t;

typedef struct cw_collection {
    int64_t seq;          /* the collection's internal sequence, unique in its database */
    int64_t database_seq; /* its database's internal sequence */
    char *database_id;
    char *id;    /* the collection's ID in its database */
    char *table; /* the adapter's name for its storage, unique in the project */
    char *name;
    bool enabled;
    bool document_security;
    json_t *permissions; /* array of permission strings */
    size_t nattrs;
    cw_attr_t *attrs;
    size_t nindexes;
    cw_index_t *indexes;
    int64_t created_at, updated_at;
} cw_collection_t;

const cw_attr_t *cw_collection_attr(const cw_collection_t *c, const char *key);
const cw_index_t *cw_collection_index(const cw_collection_t *c, const char *key);
void cw_attr_clear(cw_attr_t *a);
void cw_index_clear(cw_index_t *i);
void cw_collection_free(cw_collection_t *c);

/* Whether the attribute has a column of its own in its collection's storage: every attribute but
 * the relationship sides that store nothing (the list side of oneToMany and manyToOne, both sides
 * of manyToMany, the child of a one-way oneToOne), as Appwrite lays relationships out on SQL. */
bool cw_attr_has_column(const cw_attr_t *a);

#endif
