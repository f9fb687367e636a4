/*
 * The project's own data (users, sessions, tokens, identities, targets, teams, memberships,
 * authenticators, challenges, audits, webhooks) as collections of the document database, as
 * Appwrite keeps them: same queries, cursors, counts and unique indexes as user data, none of
 * it reachable through the Databases or TablesDB APIs. The collections live in a reserved database whose ID fails
 * the public ID rule (database.c lets only this layer address it and hides it from lists); they
 * are made on first use, all in one transaction.
 *
 * Every call acts as an API key (no permission checks: the services decide who may do what) and
 * runs its writes on the caller's connection rather than in a group commit. Documents come back
 * as new jansson objects the caller decrefs: $id, $sequence, $createdAt, $updatedAt,
 * $permissions and the attributes, JSON-valued attributes (prefs, hashOptions, …) decoded.
 * Errors are the database's (document_not_found, document_already_exists,
 * document_unique_constraint_violation, …): services turn them into their own types.
 *
 * Threads: as cw_db_t, the thread that holds the connection.
 */
#ifndef CW_DB_INTERNAL_H
#define CW_DB_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "db/database.h"

/* The reserved database: the leading underscore keeps it out of every public route. */
#define CW_DB_INTERNAL_DATABASE "_internal"

/* Makes the internal collections unless they exist. Cheap once done (one cached lookup). Every
 * other call here runs it first. Returns 0, or -1 with err filled. */
int cw_db_internal_ensure(cw_db_t *db, cw_db_error_t *err);

/* coll: "users", "sessions", "tokens", "identities", "targets", "teams", "memberships",
 * "authenticators", "challenges", "audits" or "webhooks". A collection added after the store
 * was made is made by the first create or find that misses it. id may be "unique()". permissions NULL: none. */
int cw_db_internal_create(cw_db_t *db, const char *coll, const char *id, json_t *data,
                          json_t *permissions, json_t **out, cw_db_error_t *err);
int cw_db_internal_get(cw_db_t *db, const char *coll, const char *id, json_t **out,
                       cw_db_error_t *err);
/* Sets the attributes data holds; the others stay. */
int cw_db_internal_update(cw_db_t *db, const char *coll, const char *id, json_t *data, json_t **out,
                          cw_db_error_t *err);
int cw_db_internal_delete(cw_db_t *db, const char *coll, const char *id, cw_db_error_t *err);
/* queries: an array of query JSON strings (as the API takes them) or NULL; search: fulltext over
 * the collection's `search` attribute, or NULL. Without a limit query the first 25. *out =
 * {"total": n, "documents": [...]}; with_total false leaves total 0. */
int cw_db_internal_find(cw_db_t *db, const char *coll, json_t *queries, const char *search,
                        bool with_total, json_t **out, cw_db_error_t *err);
/* Deletes every document the queries match (all of them: no limit applies). *deleted may be
 * NULL. */
int cw_db_internal_delete_where(cw_db_t *db, const char *coll, json_t *queries, size_t *deleted,
                                cw_db_error_t *err);

/* Several calls as one transaction: as cw_db_batch_begin/commit/rollback. */
int cw_db_internal_begin(cw_db_t *db, cw_db_error_t *err);
int cw_db_internal_commit(cw_db_t *db, cw_db_error_t *err);
void cw_db_internal_rollback(cw_db_t *db);

/* A query string built from a method, an attribute and one value (a new reference). */
json_t *cw_db_internal_query(const char *method, const char *attribute, json_t *value);

/* For database.c's side of the layer: between enter and leave the connection may address the
 * reserved database, and its writes run on it. Calls nest. */
void cw__db_internal_enter(cw_db_t *db);
void cw__db_internal_leave(cw_db_t *db);

#endif
