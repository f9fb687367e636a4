/*
 * Account routes beside the core of account.c: deleting the account, the user's identities and
 * push targets. They act on the signed-in user only (a session or a JWT) and run on the worker
 * pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/id.h"
#include "core/utf8.h"
#include "db/internal.h"
#include "http/args.h"
#include "models/json.h"
#include "models/user.h"
#include "services/account.h"
#include "services/api.h"
#include "services/internal_api.h"
#include "services/routes.h"

#define IDENTIFIER_MAX 255 /* Database::LENGTH_KEY */

static const char id_rule[] = "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, "
                              "0-9, period, hyphen, and underscore. Can't start with a special "
                              "char";

static const char *const identity_query_attrs[] = {
    "userId", "provider", "providerUid", "providerEmail", "providerAccessTokenExpiry", NULL};

/* An ID parameter; custom: "unique()" makes one. */
static int arg_id(cw_ctx_t *ctx, const char *name, bool custom, const char **out)
{
    cw_str_t s;
    if (cw_arg_str(ctx, name, true, 0, &s) != 0)
        return -1;
    if (custom && cw_str_eq_cstr(s, "unique()")) {
        char id[CW_ID_LEN + 1];
        cw_id_unique(id);
        *out = cw_arena_strndup(&ctx->req->arena, id, strlen(id));
        return 0;
    }
    if (!cw_id_valid(s, CW_ID_MAX_LEN) || memchr(s.ptr, '\0', s.len) != NULL)
        return cw_arg_invalid(ctx, name, id_rule);
    *out = cw_arena_strndup(&ctx->req->arena, s.ptr, s.len);
    return 0;
}

/* A string field of the signed-in user ("" when absent). */
static const char *user_field(cw_ctx_t *ctx, const char *key)
{
    const char *v = json_string_value(json_object_get(cw_ctx_auth(ctx)->user, key));
    return v != NULL ? v : "";
}

/* A $sequence as the internal collections keep it in userInternalId and the like. */
static json_t *sequence_of(const json_t *doc)
{
    const json_t *s = json_object_get(doc, "$sequence");
    if (json_is_string(s))
        return json_incref((json_t *)s);
    if (json_is_integer(s))
        return json_sprintf("%lld", (long long)json_integer_value(s));
    return json_string("");
}

/* Account ---------------------------------------------------------------------------------- */

/* DELETE /v1/account: the user and everything of theirs (cw_svc_user_delete). No cookie is
 * touched: 204 and nothing more. */
static void on_delete_account(cw_ctx_t *ctx)
{
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    if (cw_svc_user_delete(db, user_field(ctx, "$id"), &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

/* Identities ------------------------------------------------------------------------------- */

static json_t *identity_model(const json_t *d)
{
    static const char *const keys[] = {"$id",
                                       "$createdAt",
                                       "$updatedAt",
                                       "userId",
                                       "provider",
                                       "providerUid",
                                       "providerEmail",
                                       "providerAccessToken",
                                       "providerAccessTokenExpiry",
                                       "providerRefreshToken",
                                       NULL};
    json_t *m = json_object();
    for (const char *const *k = keys; *k != NULL; k++)
        cw_model_put_str(m, d, *k);
    return m;
}

static void on_list_identities(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *queries, *out = NULL;
    bool total = true;
    cw_db_error_t err = {0};
    if (cw_svc_arg_queries(ctx, identity_query_attrs, &queries) != 0 ||
        cw_arg_bool(ctx, "total", false, &total) < 0 || cw_account_signed_in(ctx, &db) != 0)
        return;
    json_t *q = queries != NULL ? json_copy(queries) : json_array();
    json_array_append_new(
        q, cw_db_internal_query("equal", "userId", json_string(user_field(ctx, "$id"))));
    int rc = cw_db_internal_find(db, "identities", q, NULL, total, &out, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *list = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(out, "documents"), i, d)
    {
        json_array_append_new(list, identity_model(d));
    }
    json_t *m = json_object();
    json_object_set(m, "total", json_object_get(out, "total"));
    json_object_set_new(m, "identities", list);
    json_decref(out);
    cw_svc_reply(ctx, 200, m);
}

/* The document of coll named by the route's id_param that is the signed-in user's, or not_found
 * written (someone else's is not found either). */
static int load_own(cw_ctx_t *ctx, cw_db_t *db, const char *coll, const char *id_param,
                    cw_err_t not_found, json_t **out)
{
    const char *id;
    cw_db_error_t err = {0};
    *out = NULL;
    if (arg_id(ctx, id_param, false, &id) != 0)
        return -1;
    if (cw_db_internal_get(db, coll, id, out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, not_found, 0);
        return -1;
    }
    const char *owner = json_string_value(json_object_get(*out, "userId"));
    if (owner == NULL || strcmp(owner, user_field(ctx, "$id")) != 0) {
        json_decref(*out);
        *out = NULL;
        cw_res_error(ctx->res, not_found, NULL);
        return -1;
    }
    return 0;
}

static void on_delete_identity(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *identity;
    cw_db_error_t err = {0};
    if (cw_account_signed_in(ctx, &db) != 0 ||
        load_own(ctx, db, "identities", "identityId", CW_ERR_USER_IDENTITY_NOT_FOUND, &identity) !=
            0)
        return;
    int rc = cw_db_internal_delete(db, "identities",
                                   json_string_value(json_object_get(identity, "$id")), &err);
    json_decref(identity);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_IDENTITY_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

/* Push targets ----------------------------------------------------------------------------- */

/* Appwrite names a push target "{deviceBrand} {deviceModel}" from the user agent; cwrite reads
 * no user agents, so both parts are empty. */
#define DEVICE_NAME " "

static void on_create_push_target(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id, *identifier, *provider = NULL;
    json_t *out = NULL, *existing = NULL;
    cw_db_error_t err = {0};
    if (arg_id(ctx, "targetId", true, &id) != 0 ||
        cw_arg_text(ctx, "identifier", true, IDENTIFIER_MAX, &identifier) != 0)
        return;
    if (cw_arg_json(ctx, "providerId") != NULL) {
        if (arg_id(ctx, "providerId", false, &provider) != 0)
            return;
    }
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    if (cw_db_internal_get(db, "targets", id, &existing, &err) == 0) {
        json_decref(existing);
        cw_res_error(ctx->res, CW_ERR_USER_TARGET_ALREADY_EXISTS, NULL);
        return;
    }
    cw_auth_t *auth = cw_ctx_auth(ctx);
    const char *uid = user_field(ctx, "$id");
    const char *session_id = cw_account_current_session_id(auth);
    json_t *data = json_object();
    json_object_set_new(data, "userId", json_string(uid));
    json_object_set_new(data, "userInternalId", sequence_of(auth->user));
    json_object_set_new(data, "sessionId", json_string(session_id != NULL ? session_id : ""));
    json_object_set_new(data, "sessionInternalId",
                        session_id != NULL ? sequence_of(auth->session) : json_string(""));
    json_object_set_new(data, "providerType", json_string("push"));
    json_object_set_new(data, "providerId", provider != NULL ? json_string(provider) : json_null());
    json_object_set_new(data, "providerInternalId", json_null());
    json_object_set_new(data, "identifier", json_string(identifier));
    json_object_set_new(data, "name", json_string(DEVICE_NAME));
    json_object_set_new(data, "expired", json_false());
    json_t *perms = json_array();
    static const char *const actions[] = {"read", "update", "delete"};
    for (size_t i = 0; i < 3; i++)
        json_array_append_new(perms, json_sprintf("%s(\"user:%s\")", actions[i], uid));
    int rc = cw_db_internal_create(db, "targets", id, data, perms, &out, &err);
    json_decref(data);
    json_decref(perms);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, CW_ERR_USER_TARGET_ALREADY_EXISTS);
        return;
    }
    cw_svc_reply(ctx, 201, cw_model_target(out));
    json_decref(out);
}

static void on_update_push_target(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *identifier;
    json_t *target, *out = NULL;
    cw_db_error_t err = {0};
    if (cw_arg_text(ctx, "identifier", true, IDENTIFIER_MAX, &identifier) != 0 ||
        cw_account_signed_in(ctx, &db) != 0 ||
        load_own(ctx, db, "targets", "targetId", CW_ERR_USER_TARGET_NOT_FOUND, &target) != 0)
        return;
    json_t *data = json_object();
    if (identifier[0] != '\0') {
        json_object_set_new(data, "identifier", json_string(identifier));
        json_object_set_new(data, "expired", json_false());
    }
    json_object_set_new(data, "name", json_string(DEVICE_NAME));
    int rc = cw_db_internal_update(db, "targets", json_string_value(json_object_get(target, "$id")),
                                   data, &out, &err);
    json_decref(data);
    json_decref(target);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_TARGET_NOT_FOUND, CW_ERR_USER_TARGET_ALREADY_EXISTS);
        return;
    }
    cw_svc_reply(ctx, 200, cw_model_target(out));
    json_decref(out);
}

static void on_delete_push_target(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *target;
    cw_db_error_t err = {0};
    if (cw_account_signed_in(ctx, &db) != 0 ||
        load_own(ctx, db, "targets", "targetId", CW_ERR_USER_TARGET_NOT_FOUND, &target) != 0)
        return;
    int rc = cw_db_internal_delete(db, "targets", json_string_value(json_object_get(target, "$id")),
                                   &err);
    json_decref(target);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_TARGET_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

#define OFF CW_ROUTE_OFFLOAD

const cw_route_t cw_account_extra_routes[] = {
    {"DELETE", "/v1/account", "account", on_delete_account, OFF},
    {"GET", "/v1/account/identities", "account", on_list_identities, OFF},
    {"DELETE", "/v1/account/identities/{identityId}", "account", on_delete_identity, OFF},
    {"POST", "/v1/account/targets/push", "targets.write", on_create_push_target, OFF},
    {"PUT", "/v1/account/targets/{targetId}/push", "targets.write", on_update_push_target, OFF},
    {"DELETE", "/v1/account/targets/{targetId}/push", "targets.write", on_delete_push_target, OFF},
};
const size_t cw_account_extra_routes_count =
    sizeof(cw_account_extra_routes) / sizeof(cw_account_extra_routes[0]);
