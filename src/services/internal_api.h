/*
 * What the services built on the project's internal collections (account, users, teams) share:
 * opening the store with those collections ready, answering with a model, and mapping the
 * database's errors to the service's own types. Called on the handler's thread.
 */
#ifndef CW_SERVICES_INTERNAL_API_H
#define CW_SERVICES_INTERNAL_API_H

#include <jansson.h>

#include "db/database.h"
#include "http/router.h"

/* The request's project store with its internal collections; 0, or -1 with the error written. */
int cw_svc_open_internal(cw_ctx_t *ctx, cw_db_t **db);
/* Writes a database error; not_found and dup replace the document-level types (0: keep). */
void cw_svc_fail_db(cw_ctx_t *ctx, const cw_db_error_t *err, cw_err_t not_found, cw_err_t dup);
/* Answers with model as JSON and drops the caller's reference to it. */
void cw_svc_reply(cw_ctx_t *ctx, int status, json_t *model);

#endif
