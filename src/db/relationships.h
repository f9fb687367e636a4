/*
 * Relationship attributes of the document database, as Appwrite 1.9 has them on its SQL
 * adapters: oneToOne, oneToMany, manyToOne and manyToMany, one-way or two-way, with onDelete
 * restrict, cascade or setNull; nested writes (an object, an ID or an array of them in the
 * relationship key creates, updates or links related documents in the same transaction);
 * related documents read through `select` ("author.*", "books.title"); and filters through them
 * ("author.name").
 *
 * Storage, in Appwrite's layout: the side that owns the link has a column holding the related
 * document's ID (the parent of oneToOne, and its child when two-way; the child of oneToMany; the
 * parent of manyToOne), indexed (unique for oneToOne); manyToMany keeps a junction table
 * database_<db>_junction_<parent>_<child> with one column per key. Metadata: each side the API
 * shows is an attribute document (side parent or child); the child of a one-way relationship is
 * not stored but made when a schema is loaded (hidden: it never appears in the API's schema), as
 * utopia keeps it in its internal metadata.
 *
 * This module is part of db/database.c's layer: database.c calls the cw__rel_* hooks below at the
 * points where relationships matter, and provides the cw__db_* functions declared at the end so
 * this file can reach what database.c keeps private. Everything runs inside the caller's
 * transaction on the caller's connection; the threading rules are database.h's. JSON handed out is
 * a new reference the caller decrefs.
 */
#ifndef CW_DB_RELATIONSHIPS_H
#define CW_DB_RELATIONSHIPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/id.h"
#include "db/adapter.h"
#include "db/database.h"
#include "db/query.h"
#include "db/schema.h"

#define CW_REL_MAX_DEPTH 3 /* utopia's Database::RELATION_MAX_DEPTH */

typedef enum cw_rel_type {
    CW_REL_ONE_TO_ONE,
    CW_REL_ONE_TO_MANY,
    CW_REL_MANY_TO_ONE,
    CW_REL_MANY_TO_MANY,
} cw_rel_type_t;

typedef enum cw_rel_on_delete {
    CW_REL_RESTRICT,
    CW_REL_CASCADE,
    CW_REL_SET_NULL,
} cw_rel_on_delete_t;

/* One side of a relationship, read from an attribute's options. The strings are borrowed from the
 * attribute. */
typedef struct cw_rel {
    const cw_attr_t *attr;
    const char *key;
    const char *related; /* the related collection's ID */
    cw_rel_type_t type;
    bool two_way;
    const char *two_way_key; /* the key of the other side */
    cw_rel_on_delete_t on_delete;
    bool child;  /* the child side */
    bool hidden; /* the child of a one-way relationship: internal, never in the API's schema */
} cw_rel_t;

/* Fills r from a relationship attribute; false when a is not one. */
bool cw_rel_of(const cw_attr_t *a, cw_rel_t *r);
bool cw_rel_has_column(const cw_rel_t *r);
/* Whether the side's value is a list of documents (oneToMany parent, manyToOne child,
 * manyToMany) rather than one document. */
bool cw_rel_is_list(const cw_rel_t *r);
bool cw_rel_attr_hidden(const cw_attr_t *a);
/* Parses the API's names ("oneToMany", "setNull", …); -1 when unknown. */
int cw_rel_type_parse(const char *s);
int cw_rel_on_delete_parse(const char *s);
const char *cw_rel_type_name(cw_rel_type_t t);
const char *cw_rel_on_delete_name(cw_rel_on_delete_t d);

/* The selection a document model is built with once the dotted paths are taken out, as utopia
 * rewrites select queries: "k.x" keeps k when k's value is stored on this side and is dropped
 * otherwise; when nothing is left, everything ("*") is selected. Rewrites sel in place (it has
 * room for n + 1 entries; the strings stay borrowed) and returns the new count. */
size_t cw_rel_select_plain(const cw_collection_t *c, const char **sel, size_t n);

/* Per-connection state of the nested work under way (database.c keeps one in each cw_db_t). */
#define CW_REL_STACK_MAX 16

typedef struct cw_rel_frame {
    char collection[CW_ID_MAX_LEN + 1];
    char key[CW_ID_MAX_LEN + 1];
    char related[CW_ID_MAX_LEN + 1];
    char two_way_key[CW_ID_MAX_LEN + 1];
    char document[CW_ID_MAX_LEN + 1];
    bool child;
} cw_rel_frame_t;

typedef struct cw_rel_state {
    int depth;      /* relationship work under way: the caches must not move under the callers */
    size_t nwrites; /* collections whose documents' relationships are being written, outermost
                       first (utopia's relationshipWriteStack) */
    char writes[CW_REL_STACK_MAX][CW_ID_MAX_LEN + 1];
    char write_docs[CW_REL_STACK_MAX][CW_ID_MAX_LEN + 1]; /* the document of each */
    size_t ndeletes; /* relationships being cascaded (utopia's relationshipDeleteStack) */
    cw_rel_frame_t deletes[CW_REL_STACK_MAX];
    cw_collection_t **parked; /* schemas loaded while the cache could not make room */
    size_t nparked;
} cw_rel_state_t;

bool cw__rel_busy(const cw_rel_state_t *s);
/* Keeps a schema alive until the outermost relationship work ends. */
void cw__rel_park(cw_rel_state_t *s, cw_collection_t *c);
void cw__rel_state_clear(cw_rel_state_t *s);

/* Hooks called by database.c ----------------------------------------------------------------- */

/* Appends to c the hidden child sides of one-way relationships other collections (or c) point at
 * it with. */
int cw__rel_schema_fill(cw_db_t *db, cw_collection_t *c, cw_db_error_t *err);

/* The relationship routes' domain: spec as cw_db_attribute_create / _update take it. */
int cw__rel_attribute_create(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                             const char *collection_id, json_t *spec, json_t **out,
                             cw_db_error_t *err);
int cw__rel_attribute_update(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                             const char *collection_id, const char *key, json_t *spec, json_t **out,
                             cw_db_error_t *err);
int cw__rel_attribute_delete(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                             const char *collection_id, const char *key, cw_db_error_t *err);

/* Inside the caller's transaction: removes every relationship c takes part in (both sides, their
 * columns, junction tables), before c itself goes. */
int cw__rel_collection_drop(cw_db_t *db, cw_db_family_t fam, const cw_collection_t *c,
                            cw_db_error_t *err);
/* Inside the caller's transaction: drops the junction tables of a database that goes. */
int cw__rel_database_drop(cw_db_t *db, const json_t *dbdoc, cw_db_error_t *err);

/* A document write, inside its transaction, after validation and before the row is written: the
 * relationship values in doc (stored form, old's values merged in; old NULL on create) are
 * carried out (related documents created, updated, linked, unlinked) and doc is left holding only
 * what its own columns store. */
int cw__rel_write(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                  const cw_collection_t *c, json_t *doc, const json_t *old, cw_db_error_t *err);
/* The model of a written document (create, update, upsert): every relationship populated, as
 * Appwrite answers writes. Does nothing for the nested writes of a relationship. */
int cw__rel_populate_write(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const cw_collection_t *c, const json_t *stored, json_t *model,
                           cw_db_error_t *err);
/* A document delete, inside its transaction, before the row goes: onDelete of every relationship
 * (document_delete_restricted / row_delete_restricted, cascade, setNull). */
int cw__rel_delete(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                   const cw_collection_t *c, const json_t *old, cw_db_error_t *err);

/* getDocument: the model of stored with the selection (NULL: none), related documents populated
 * for the dotted selections. */
int cw__rel_read_model(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                       const cw_collection_t *c, const json_t *stored, const char **select,
                       size_t nselect, json_t **out, cw_db_error_t *err);
/* listDocuments: populates the models (which are also the stored documents read) for the dotted
 * selections among the queries. */
int cw__rel_read_list(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const cw_collection_t *c, const json_t *queries, json_t *models,
                      cw_db_error_t *err);

/* A list's top-level filters on dotted paths ("author.name") replaced by filters on this
 * collection's own values, found by querying the related collections as the actor. filters is
 * rewritten in place (*n never grows); new nodes live in arena, their values in hold. *none is set
 * when no document can match. */
int cw__rel_filters(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                    const cw_collection_t *c, cw_query_t **filters, size_t *n, cw_arena_t *arena,
                    json_t *hold, bool *none, cw_db_error_t *err);

/* What the query validator needs to know of a relationship attribute. */
void cw__rel_query_attr(const cw_attr_t *a, cw_query_attr_t *q);

/* Provided by database.c for this module --------------------------------------------------------
 */

cw_rel_state_t *cw__db_rel_state(cw_db_t *db);
cw_dba_t *cw__db_adapter(cw_db_t *db);
const cw_collection_t *cw__db_meta_attributes(cw_db_t *db);
int cw__db_resolve(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                   const char *collection_id, const json_t **dbdoc, const cw_collection_t **c,
                   cw_db_error_t *err);
int cw__db_collection_find(cw_db_t *db, cw_db_family_t fam, const json_t *dbdoc, const char *id,
                           const cw_collection_t **out, cw_db_error_t *err);
int cw__db_tx_begin(cw_db_t *db, cw_db_error_t *err);
void cw__db_tx_rollback(cw_db_t *db);
int cw__db_tx_commit_meta(cw_db_t *db, cw_db_error_t *err);
json_t *cw__db_attr_doc(const cw_collection_t *c, const cw_attr_t *a, const char *now);
json_t *cw__db_attr_model(cw_db_family_t fam, const cw_attr_t *a);
void cw__db_attr_from_doc(const json_t *doc, cw_attr_t *a);
const cw_attr_t *cw__db_attr_find_nocase(const cw_collection_t *c, const char *key,
                                         const char *except);
/* Whether c has room for one more attribute a (count and row width). */
bool cw__db_attr_fits(const cw_collection_t *c, const cw_attr_t *a);
/* A document write or delete as the public calls make them (own savepoint, permissions,
 * validation, relationships). create: a new document (id given), else an update. */
int cw__db_doc_write(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                     const char *database_id, const char *collection_id, const char *id,
                     json_t *data, json_t *permissions, bool create, cw_db_error_t *err);
int cw__db_doc_delete(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const char *database_id, const char *collection_id, const char *id,
                      cw_db_error_t *err);
void cw__db_doc_cache_drop(cw_db_t *db, const cw_collection_t *c, const char *id);
bool cw__db_can(const cw_db_actor_t *actor, const cw_collection_t *c, const json_t *doc,
                const char *action);
bool cw__db_perms_allow(const json_t *perms, const char *action, const cw_db_actor_t *actor);
const char **cw__db_actor_roles(const cw_db_actor_t *actor, size_t *n); /* caller frees */
int cw__db_unauthorized(const cw_db_actor_t *actor, const char *action, cw_db_error_t *err);
json_t *cw__db_doc_model(cw_db_family_t fam, const cw_collection_t *c, const json_t *stored,
                         const char *const *select, size_t nselect);
/* Every document of c the queries (a queries[] parameter) match and the actor may read, as a list
 * route reads them (validated against c, dotted filters resolved), without limit unless the
 * queries set one. *denied (and no error) when the actor may read nothing of c. */
int cw__db_find(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                const cw_collection_t *c, json_t *queries, json_t **out, bool *denied,
                cw_db_error_t *err);

#endif
