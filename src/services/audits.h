/*
 * The audit log of a project, as Appwrite keeps it: which routes leave an entry (the audits.event
 * and audits.resource labels of its route definitions, for the Account, Users and Teams
 * services), recording one after a successful write, and answering the Log list model from the
 * entries of a user or a resource. Entries are documents of the internal "audits" collection.
 * Called on the handler's thread (the worker pool).
 */
#ifndef CW_SERVICES_AUDITS_H
#define CW_SERVICES_AUDITS_H

#include "db/database.h"
#include "http/router.h"

/* After the handler: records the route's entry when it succeeded and has one. Failures are
 * logged, never answered: the response stands. */
void cw_audit_record(cw_ctx_t *ctx);

/* Answers the Log list of the entries whose attr ("userInternalId" or "resource") is value,
 * newest first, honouring the request's `queries` (limit and offset only) and `total`. */
void cw_audit_reply_logs(cw_ctx_t *ctx, cw_db_t *db, const char *attr, const char *value);

#endif
