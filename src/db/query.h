/*
 * Queries as Appwrite clients send them: each element of the `queries` parameter is a JSON string
 * such as {"method":"equal","attribute":"name","values":["x"]}. This module parses them into a
 * tree of cw_query_t (cw_query_list_parse), groups them as a database needs them (filters,
 * selections, orders, limit, offset, cursor), and checks them against a collection's attributes
 * (cw_query_list_validate) with the rules of utopia-php/database 7.2.6 as Appwrite 1.9 runs it on
 * its SQL adapters. It knows nothing of HTTP or SQL: turning the tree into SQL is the adapter's
 * job.
 *
 * Ownership: nodes and group arrays come from the caller's arena. Attribute names and values are
 * borrowed from the decoded JSON, which the list holds a reference to until
 * cw_query_list_release (values are jansson values: walk them, never keep them past the release).
 * Any thread; nothing is shared.
 *
 * Errors, as Appwrite 1.9 reports them (400 in both cases):
 *   - the parameter itself is wrong (not an array of strings, more than CW_QUERY_MAX_ITEMS, a
 * string longer than CW_QUERY_MAX_LENGTH characters): `general_argument_invalid`, as utopia's
 *     framework answers any parameter its validator refuses ("Invalid `queries` param: ...");
 *   - a query does not parse or does not fit the collection: `general_query_invalid`, which the
 *     list routes throw for utopia's Query exceptions (Query::parseQueries, the Cursor validator
 *     and the Documents validator run inside Database::find).
 * cw_query_error_t carries the type and a complete message in our own words; the HTTP layer writes
 * cw_res_error(res, err.type, "%s", err.message). A cursor naming a document that does not exist
 * (`general_cursor_not_found`) is for the database to find out.
 */
#ifndef CW_DB_QUERY_H
#define CW_DB_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error_codes.h"
#include "core/str.h"

#define CW_QUERY_MAX_ITEMS 100 /* queries[] elements (Appwrite's array param limit) */
#define CW_QUERY_MAX_LENGTH                                                                        \
    4096 /* characters in one queries[] element (Appwrite's element limit) */
/* Levels of and/or/elemMatch nesting, counting the top query as 1. utopia has no limit of its own
 * beyond PHP's JSON depth; this one keeps the recursion bounded and is far above real use. */
#define CW_QUERY_MAX_DEPTH 10
#define CW_QUERY_MAX_VALUES 500 /* values in one filter: Appwrite's APP_DATABASE_QUERY_MAX_VALUES  \
                                 */
#define CW_QUERY_MSG_MAX 320

/* Every method of utopia-php/database 7.2.6 except the vector ones. */
typedef enum cw_query_method {
    CW_QUERY_EQUAL,
    CW_QUERY_NOT_EQUAL,
    CW_QUERY_LESS_THAN,
    CW_QUERY_LESS_THAN_EQUAL,
    CW_QUERY_GREATER_THAN,
    CW_QUERY_GREATER_THAN_EQUAL,
    CW_QUERY_CONTAINS,
    CW_QUERY_CONTAINS_ANY,
    CW_QUERY_CONTAINS_ALL,
    CW_QUERY_NOT_CONTAINS,
    CW_QUERY_SEARCH,
    CW_QUERY_NOT_SEARCH,
    CW_QUERY_IS_NULL,
    CW_QUERY_IS_NOT_NULL,
    CW_QUERY_BETWEEN,
    CW_QUERY_NOT_BETWEEN,
    CW_QUERY_STARTS_WITH,
    CW_QUERY_NOT_STARTS_WITH,
    CW_QUERY_ENDS_WITH,
    CW_QUERY_NOT_ENDS_WITH,
    CW_QUERY_REGEX,
    CW_QUERY_EXISTS,
    CW_QUERY_NOT_EXISTS,
    CW_QUERY_SELECT,
    CW_QUERY_ORDER_ASC,
    CW_QUERY_ORDER_DESC,
    CW_QUERY_ORDER_RANDOM,
    CW_QUERY_LIMIT,
    CW_QUERY_OFFSET,
    CW_QUERY_CURSOR_AFTER,
    CW_QUERY_CURSOR_BEFORE,
    CW_QUERY_AND,
    CW_QUERY_OR,
    CW_QUERY_ELEM_MATCH,
    CW_QUERY_CROSSES,
    CW_QUERY_NOT_CROSSES,
    CW_QUERY_DISTANCE_EQUAL,
    CW_QUERY_DISTANCE_NOT_EQUAL,
    CW_QUERY_DISTANCE_GREATER_THAN,
    CW_QUERY_DISTANCE_LESS_THAN,
    CW_QUERY_INTERSECTS,
    CW_QUERY_NOT_INTERSECTS,
    CW_QUERY_OVERLAPS,
    CW_QUERY_NOT_OVERLAPS,
    CW_QUERY_TOUCHES,
    CW_QUERY_NOT_TOUCHES,
    CW_QUERY__COUNT
} cw_query_method_t;

/* Where a query goes when grouped; and, or and elemMatch are filters. */
typedef enum cw_query_kind {
    CW_QUERY_KIND_FILTER,
    CW_QUERY_KIND_SELECT,
    CW_QUERY_KIND_ORDER,
    CW_QUERY_KIND_LIMIT,
    CW_QUERY_KIND_OFFSET,
    CW_QUERY_KIND_CURSOR,
} cw_query_kind_t;

typedef struct cw_query cw_query_t;
struct cw_query {
    cw_query_method_t method;
    cw_str_t attribute;    /* empty when none; "$sequence" for orderAsc/orderDesc without one */
    json_t *values;        /* the "values" array, borrowed; NULL when absent or null */
    cw_query_t **children; /* and, or, elemMatch: the nested queries, in order */
    size_t nchildren;
    size_t index; /* the queries[] element this node belongs to */
};

static inline size_t cw_query_nvalues(const cw_query_t *q)
{
    return q->values == NULL ? 0 : json_array_size(q->values);
}

static inline json_t *cw_query_value(const cw_query_t *q, size_t i)
{
    return q->values == NULL ? NULL : json_array_get(q->values, i);
}

typedef struct cw_query_error {
    cw_err_t type; /* CW_ERR_GENERAL_ARGUMENT_INVALID or CW_ERR_GENERAL_QUERY_INVALID */
    size_t index;  /* the offending queries[] element */
    char message[CW_QUERY_MSG_MAX];
} cw_query_error_t;

const char *cw_query_method_name(cw_query_method_t m);
/* Exact, case-sensitive match; returns 0 or CW_ENOTFOUND. */
int cw_query_method_find(cw_str_t name, cw_query_method_t *out);
cw_query_kind_t cw_query_method_kind(cw_query_method_t m);
bool cw_query_method_is_logical(cw_query_method_t m); /* and, or, elemMatch */
bool cw_query_method_is_spatial(cw_query_method_t m); /* crosses ... notTouches */

/* Parses one query from its JSON text. On success *root holds the decoded JSON that *out borrows
 * from (the caller json_decref()s it after the last use of *out). */
int cw_query_parse(cw_str_t text, cw_arena_t *arena, json_t **root, cw_query_t **out,
                   cw_query_error_t *err);
/* The same from a decoded JSON object, which *out borrows from. */
int cw_query_parse_json(json_t *obj, cw_arena_t *arena, cw_query_t **out, cw_query_error_t *err);

typedef enum cw_query_cursor_dir {
    CW_QUERY_DIR_NONE,
    CW_QUERY_DIR_AFTER,  /* cursorAfter: the page after the cursor document */
    CW_QUERY_DIR_BEFORE, /* cursorBefore: the page before it */
} cw_query_cursor_dir_t;

typedef struct cw_query_list {
    cw_query_t **all; /* every query, in the order given */
    size_t n;
    cw_query_t **filters; /* top-level filters; together they form an implicit and */
    size_t nfilters;
    cw_query_t **selects;
    size_t nselects;
    cw_query_t **orders; /* orderAsc, orderDesc, orderRandom in the order given */
    size_t norders;
    /* As utopia's Query::groupByType, the first limit, offset and cursor win; later ones are only
     * validated. */
    cw_query_t *limit_query;
    cw_query_t *offset_query;
    cw_query_t *cursor_query;
    /* Filled by cw_query_list_validate. */
    int64_t limit; /* -1 when not given: the caller applies its default (25) */
    int64_t offset;
    cw_query_cursor_dir_t cursor_dir;
    cw_str_t cursor_id;
    json_t *_owner;
} cw_query_list_t;

/* Parses the `queries` parameter: NULL or JSON null (not given: an empty list), or an array of
 * strings. On failure nothing is left to release; on success call cw_query_list_release. */
int cw_query_list_parse(const json_t *queries, cw_arena_t *arena, cw_query_list_t *out,
                        cw_query_error_t *err);
/* Drops the list's hold on the decoded JSON; safe on a list that failed or was released. */
void cw_query_list_release(cw_query_list_t *list);

/* A collection's attribute, as much of it as the query rules need. */
typedef enum cw_query_attr_type {
    CW_QUERY_ATTR_STRING, /* also varchar, text, mediumtext, longtext, and email/enum/url/ip */
    CW_QUERY_ATTR_INTEGER,
    CW_QUERY_ATTR_FLOAT,
    CW_QUERY_ATTR_BOOLEAN,
    CW_QUERY_ATTR_DATETIME,
    CW_QUERY_ATTR_RELATIONSHIP,
    CW_QUERY_ATTR_POINT,
    CW_QUERY_ATTR_LINESTRING,
    CW_QUERY_ATTR_POLYGON,
    CW_QUERY_ATTR_SEQUENCE, /* the system attribute $sequence */
} cw_query_attr_type_t;

typedef enum cw_query_relation {
    CW_QUERY_REL_ONE_TO_ONE,
    CW_QUERY_REL_ONE_TO_MANY,
    CW_QUERY_REL_MANY_TO_ONE,
    CW_QUERY_REL_MANY_TO_MANY,
} cw_query_relation_t;

typedef struct cw_query_attr {
    cw_str_t key;
    cw_query_attr_type_t type;
    bool array;
    bool encrypted; /* a string attribute stored encrypted: it cannot be queried */
    bool int64;     /* an integer stored in 8 bytes; otherwise values must fit in 32 bits */
    /* Relationship attributes only. */
    cw_query_relation_t relation;
    bool two_way;
    bool child_side; /* this attribute is the child side of the relationship */
} cw_query_attr_t;

/* Returns nonzero when the collection has a fulltext index on exactly this one attribute. */
typedef int cw_query_fulltext_cb(void *ud, cw_str_t attribute);

typedef struct cw_query_schema {
    const cw_query_attr_t *attrs; /* the collection's own; $id, $sequence, $createdAt and
                                   * $updatedAt are always there too */
    size_t nattrs;
    size_t max_values;   /* CW_QUERY_MAX_VALUES */
    int64_t max_limit;   /* utopia sets no bound: INT64_MAX */
    int64_t max_offset;  /* likewise */
    int64_t min_date_ms; /* datetime values: the adapter's range, by default MariaDB's */
    int64_t max_date_ms; /* 1000-01-01 to 9999-12-31 23:59:59 */
    bool select_only;    /* getDocument and getRow take select queries and nothing else */
    /* NULL: search and notSearch are not checked against the indexes here. */
    cw_query_fulltext_cb *fulltext;
    void *fulltext_ud;
} cw_query_schema_t;

/* Fills s with the defaults above for these attributes. */
void cw_query_schema_init(cw_query_schema_t *s, const cw_query_attr_t *attrs, size_t nattrs);

/* Checks every query against the schema, in Appwrite's order: the first cursor, then each query
 * (nested ones before the query holding them), then the fulltext indexes, then relationship
 * selections; then fills limit, offset and the cursor. */
int cw_query_list_validate(cw_query_list_t *list, const cw_query_schema_t *schema,
                           cw_query_error_t *err);

#endif
