/*
 * What the services built on the project's internal collections (account, users, teams) share:
 * opening the store with those collections ready, answering with a model, and mapping the
 * database's errors to the service's own types. Called on the handler's thread.
 */
#ifndef CW_SERVICES_INTERNAL_API_H
#define CW_SERVICES_INTERNAL_API_H

#include <jansson.h>
#include <stdbool.h>

#include "db/console.h"
#include "db/database.h"
#include "http/router.h"

/* The request's project store with its internal collections; 0, or -1 with the error written. */
int cw_svc_open_internal(cw_ctx_t *ctx, cw_db_t **db);
/* The same for a project other than the request's (one the console resolver allowed). */
int cw_svc_open_internal_of(cw_ctx_t *ctx, const cw_project_t *project, cw_db_t **db);
/* Whether the client asked (X-Appwrite-Response-Format) for a format older than
 * major.minor.patch; Appwrite's request and response filters turn on by this test. */
bool cw_svc_format_before(cw_ctx_t *ctx, int major, int minor, int patch);
/* Writes a database error; not_found and dup replace the document-level types (0: keep). */
void cw_svc_fail_db(cw_ctx_t *ctx, const cw_db_error_t *err, cw_err_t not_found, cw_err_t dup);
/* Deletes user_id with what Appwrite's delete worker removes for a user, in one transaction:
 * sessions, memberships (a confirmed one also leaves its team's total), tokens, identities and
 * targets, and the MFA authenticators and challenges nothing else would reach. Used by DELETE
 * /account and DELETE /users/{userId}. 0, or -1 with err filled (CW_ERR_DOCUMENT_NOT_FOUND when
 * there is no such user). */
int cw_svc_user_delete(cw_db_t *db, const char *user_id, cw_db_error_t *err);
/* Answers with model as JSON and drops the caller's reference to it. */
void cw_svc_reply(cw_ctx_t *ctx, int status, json_t *model);

/* The `queries` parameter of a list of internal documents: at most 100 strings of at most 4096
 * characters; filters and orders may only name the system attributes ($id, $createdAt,
 * $updatedAt, $sequence) and those of allowed (NULL-terminated). 0 with *out borrowed (NULL when
 * absent), or -1 with the error written (400 general_argument_invalid or general_query_invalid). */
int cw_svc_arg_queries(cw_ctx_t *ctx, const char *const *allowed, json_t **out);

#endif
