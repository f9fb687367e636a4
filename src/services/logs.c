/*
 * The audit-log routes: GET /v1/account/logs (the signed-in user's), /v1/users/{userId}/logs
 * (a user's, for a key) and /v1/teams/{teamId}/logs (what happened to a team). A user's logs are
 * the entries they made; a team's those whose resource is the team. Run on the worker pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/internal.h"
#include "services/account.h"
#include "services/api.h"
#include "services/audits.h"
#include "services/internal_api.h"
#include "services/routes.h"

/* A user's $sequence as the audit entries hold it. */
static void sequence_text(const json_t *user, char out[24])
{
    const json_t *s = json_object_get(user, "$sequence");
    snprintf(out, 24, "%lld",
             json_is_integer(s)  ? (long long)json_integer_value(s)
             : json_is_string(s) ? atoll(json_string_value(s))
                                 : 0LL);
}

static void on_account_logs(cw_ctx_t *ctx)
{
    cw_db_t *db;
    char seq[24];
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    sequence_text(cw_ctx_auth(ctx)->user, seq);
    cw_audit_reply_logs(ctx, db, "userInternalId", seq);
}

/* The document of coll named by the path parameter, or not_found written. */
static int load(cw_ctx_t *ctx, const char *coll, const char *param, cw_err_t not_found,
                cw_db_t **db, json_t **out)
{
    cw_db_error_t err = {0};
    cw_str_t id = cw_req_path_param(ctx->req, param);
    char *sid = cw_arena_strndup(&ctx->req->arena, id.ptr, id.len);
    *out = NULL;
    if (cw_svc_open_internal(ctx, db) != 0)
        return -1;
    if (cw_db_internal_get(*db, coll, sid, out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, not_found, 0);
        return -1;
    }
    return 0;
}

static void on_user_logs(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *user;
    char seq[24];
    if (load(ctx, "users", "userId", CW_ERR_USER_NOT_FOUND, &db, &user) != 0)
        return;
    sequence_text(user, seq);
    json_decref(user);
    cw_audit_reply_logs(ctx, db, "userInternalId", seq);
}

static void on_team_logs(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *team;
    char resource[64];
    if (load(ctx, "teams", "teamId", CW_ERR_TEAM_NOT_FOUND, &db, &team) != 0)
        return;
    snprintf(resource, sizeof(resource), "team/%s",
             json_string_value(json_object_get(team, "$id")));
    json_decref(team);
    cw_audit_reply_logs(ctx, db, "resource", resource);
}

#define OFF CW_ROUTE_OFFLOAD

const cw_route_t cw_logs_routes[] = {
    {"GET", "/v1/account/logs", "account", on_account_logs, OFF},
    {"GET", "/v1/users/{userId}/logs", "users.read", on_user_logs, OFF},
    {"GET", "/v1/teams/{teamId}/logs", "teams.read", on_team_logs, OFF},
};
const size_t cw_logs_routes_count = sizeof(cw_logs_routes) / sizeof(cw_logs_routes[0]);
