/*
 * Which routes emit which of Appwrite's events (the `event` label of its route definitions, and
 * the events its actions set, for the Account, Users, Teams, Databases and TablesDB services),
 * and handing a successful write to the emitter: the request only copies the route's path
 * parameters, the acting user and the response; naming the event, its wildcards and payload is
 * left to the emitter's thread. Called on the handler's thread after the handler.
 */
#ifndef CW_SERVICES_EVENTS_API_H
#define CW_SERVICES_EVENTS_API_H

#include <jansson.h>
#include <stdbool.h>

#include "http/router.h"

/* After the handler: emits the route's event when it succeeded and has one. */
void cw_event_record(cw_ctx_t *ctx);
/* After a transaction's commit: the events of its single-document operations, as
 * cw_db_transaction_commit_changes lists them (tables: TablesDB's names first). */
void cw_event_record_changes(cw_ctx_t *ctx, bool tables, const json_t *changes);

#endif
