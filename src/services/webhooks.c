/* The Webhooks service (/v1/webhooks): a project's webhooks, stored in its internal "webhooks"
 * collection under Appwrite's attribute names (httpUser, httpPass, security, signatureKey) and
 * answered as the Webhook model (authUsername, authPassword, tls, secret). The older paths
 * /v1/projects/{projectId}/webhooks… reach the same webhooks of the project the console resolver
 * allows; a client asking for a response format before 1.9.1 sends and gets the older names,
 * as Appwrite's request and response filters give them. Delivery is workers/webhooks.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/id.h"
#include "core/utf8.h"
#include "db/internal.h"
#include "events/events.h"
#include "services/console_auth.h"
#include "http/args.h"
#include "services/api.h"
#include "services/internal_api.h"
#include "services/routes.h"
#include "workers/webhooks.h"

#define NAME_MAX_LEN 128
#define AUTH_MAX_LEN 256
#define SECRET_MIN_LEN 8
#define SECRET_MAX_LEN 256
#define EVENTS_MAX 100 /* APP_LIMIT_ARRAY_PARAMS_SIZE */
#define QUERIES_MAX 100
#define QUERY_MAX_LEN 4096
#define URL_MAX_LEN 16384

static const char id_rule[] = "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, "
                              "0-9, period, hyphen, and underscore. Can't start with a special "
                              "char";
static const char uid_rule[] = "UID must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, "
                               "and underscore. Can't start with a leading underscore";
static const char url_rule[] = "1. Value must be a valid URL with following schemes (http, https) "
                               "\n2. Value must be a public domain \n";
static const char secret_rule[] = "Value must be a valid string and at least 8 chars and no "
                                  "longer than 256 chars";

static const char *str_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

/* The Webhook model of a stored webhook; the secret only when with_secret (creation and
 * rotation), as Appwrite. */
static json_t *webhook_model_new(const json_t *d, bool with_secret)
{
    const json_t *events = json_object_get(d, "events");
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:b, s:s, s:s, s:s, s:b, s:s, s:I}", "$id",
                     str_of(d, "$id"), "$createdAt", str_of(d, "$createdAt"), "$updatedAt",
                     str_of(d, "$updatedAt"), "name", str_of(d, "name"), "url", str_of(d, "url"),
                     "events", json_is_array(events) ? events : json_array(), "tls",
                     json_is_true(json_object_get(d, "security")), "authUsername",
                     str_of(d, "httpUser"), "authPassword", str_of(d, "httpPass"), "secret",
                     with_secret ? str_of(d, "signatureKey") : "", "enabled",
                     json_is_true(json_object_get(d, "enabled")), "logs", str_of(d, "logs"),
                     "attempts", json_integer_value(json_object_get(d, "attempts")));
}

/* Whether the client speaks the webhook names before 1.9.1 (security, httpUser, httpPass,
 * signatureKey). */
static bool old_names(cw_ctx_t *ctx)
{
    return cw_svc_format_before(ctx, 1, 9, 1);
}

static void rename_field(json_t *o, const char *from, const char *to)
{
    json_t *v = json_object_get(o, from);
    if (v == NULL)
        return;
    json_object_set(o, to, v);
    json_object_del(o, from);
}

/* The model in the names the client asked for (Appwrite's response filter V22). */
static json_t *webhook_model(cw_ctx_t *ctx, const json_t *d, bool with_secret)
{
    json_t *m = webhook_model_new(d, with_secret);
    if (old_names(ctx)) {
        rename_field(m, "tls", "security");
        rename_field(m, "authUsername", "httpUser");
        rename_field(m, "authPassword", "httpPass");
        rename_field(m, "secret", "signatureKey");
    }
    return m;
}

/* The older parameter names under the current ones (Appwrite's request filters V21 and V22): a
 * client before 1.9.0 sends no webhookId (a unique one is made), one before 1.9.1 names the
 * switches security, httpUser and httpPass. */
static void old_params(cw_ctx_t *ctx, bool create)
{
    json_t *params = ctx->req->params;
    if (!json_is_object(params) || !old_names(ctx))
        return;
    if (create && cw_svc_format_before(ctx, 1, 9, 0) &&
        json_object_get(params, "webhookId") == NULL)
        json_object_set_new(params, "webhookId", json_string("unique()"));
    rename_field(params, "security", "tls");
    rename_field(params, "httpUser", "authUsername");
    rename_field(params, "httpPass", "authPassword");
}

/* The store of the project a route acts on: the request's own on /v1/webhooks, the one named by
 * the path on the older /v1/projects/{projectId}/webhooks, for whoever may act on it. */
static int open_store(cw_ctx_t *ctx, cw_db_t **db)
{
    cw_str_t alias = cw_req_path_param(ctx->req, "projectId");
    if (alias.ptr == NULL)
        return cw_svc_open_internal(ctx, db);
    const cw_project_t *p;
    char *id = cw_arena_strndup(&ctx->req->arena, alias.ptr, alias.len);
    if (cw_console_target_project(ctx, id, &p) != 0)
        return -1;
    return cw_svc_open_internal_of(ctx, p, db);
}

/* `webhookId` of the path: Appwrite's UID validator. */
static int arg_path_id(cw_ctx_t *ctx, const char **out)
{
    cw_str_t s = cw_req_path_param(ctx->req, "webhookId");
    if (!cw_id_valid(s, CW_ID_MAX_LEN) || s.ptr[0] == '_')
        return cw_arg_invalid(ctx, "webhookId", uid_rule);
    *out = cw_arena_strndup(&ctx->req->arena, s.ptr, s.len);
    return 0;
}

/* A URL with an http or https scheme and a host, as utopia's URL validator takes it. */
static int arg_url(cw_ctx_t *ctx, const char **out)
{
    if (cw_arg_text(ctx, "url", true, URL_MAX_LEN, out) != 0)
        return -1;
    const char *u = *out;
    size_t skip = strncmp(u, "http://", 7) == 0 ? 7 : strncmp(u, "https://", 8) == 0 ? 8 : 0;
    bool ok = skip > 0 && u[skip] != '\0' && u[skip] != '/' && u[skip] != '?' && u[skip] != '#';
    for (const char *p = u; ok && *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            ok = false;
    }
    return ok ? 0 : cw_arg_invalid(ctx, "url", url_rule);
}

/* `events`: at most 100 names, each one Appwrite's Event validator accepts. *out borrowed. */
static int arg_events(cw_ctx_t *ctx, json_t **out)
{
    static const char rule[] = "Value must a valid array no longer than 100 items and Event is "
                               "not valid.";
    json_t *v = cw_arg_json(ctx, "events");
    size_t i;
    json_t *e;
    if (v == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Param \"events\" is not optional.");
        return -1;
    }
    if (!json_is_array(v) || json_array_size(v) > EVENTS_MAX)
        return cw_arg_invalid(ctx, "events", rule);
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e) ||
            !cw_events_name_valid(json_string_value(e), json_string_length(e)))
            return cw_arg_invalid(ctx, "events", rule);
    }
    *out = v;
    return 0;
}

static int arg_secret(cw_ctx_t *ctx, char *generated, const char **out)
{
    json_t *v = cw_arg_json(ctx, "secret");
    if (v == NULL) { /* absent or null: a fresh key, 64 random bytes in hex as Appwrite */
        cw_random_hex(generated, 64);
        *out = generated;
        return 0;
    }
    if (!json_is_string(v) || memchr(json_string_value(v), '\0', json_string_length(v)) != NULL)
        return cw_arg_invalid(ctx, "secret", secret_rule);
    size_t n = cw_utf8_count(json_string_value(v), json_string_length(v));
    if (n < SECRET_MIN_LEN || n > SECRET_MAX_LEN)
        return cw_arg_invalid(ctx, "secret", secret_rule);
    *out = json_string_value(v);
    return 0;
}

static int arg_flag(cw_ctx_t *ctx, const char *name, bool fallback, bool *out)
{
    *out = fallback;
    return cw_arg_bool(ctx, name, false, out) < 0 ? -1 : 0;
}

static void changed(cw_ctx_t *ctx)
{
    cw_webhooks_changed(cw_ctx_thread(ctx)->webhooks);
}

/* The fields create and update share. *data a new object on success. */
static int read_fields(cw_ctx_t *ctx, json_t **data)
{
    const char *name, *url, *user = NULL, *pass = NULL;
    json_t *events = NULL;
    bool enabled, tls;
    if (cw_arg_text(ctx, "name", true, NAME_MAX_LEN, &name) != 0 || arg_url(ctx, &url) != 0 ||
        arg_events(ctx, &events) != 0 || arg_flag(ctx, "enabled", true, &enabled) != 0 ||
        arg_flag(ctx, "tls", false, &tls) != 0 ||
        cw_arg_text(ctx, "authUsername", false, AUTH_MAX_LEN, &user) != 0 ||
        cw_arg_text(ctx, "authPassword", false, AUTH_MAX_LEN, &pass) != 0)
        return -1;
    *data = json_pack("{s:s, s:s, s:O, s:b, s:s, s:s, s:b}", "name", name, "url", url, "events",
                      events, "security", tls, "httpUser", user != NULL ? user : "", "httpPass",
                      pass != NULL ? pass : "", "enabled", enabled);
    return 0;
}

static void on_create(cw_ctx_t *ctx)
{
    cw_str_t sid;
    const char *id, *secret;
    char idbuf[CW_ID_LEN + 1], generated[129];
    json_t *data = NULL, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    old_params(ctx, true);
    if (cw_arg_str(ctx, "webhookId", true, 0, &sid) != 0)
        return;
    if (cw_str_eq_cstr(sid, "unique()")) {
        cw_id_unique(idbuf);
        id = idbuf;
    } else if (!cw_id_valid(sid, CW_ID_MAX_LEN) || memchr(sid.ptr, '\0', sid.len) != NULL) {
        cw_arg_invalid(ctx, "webhookId", id_rule);
        return;
    } else {
        id = cw_arena_strndup(&ctx->req->arena, sid.ptr, sid.len);
    }
    if (read_fields(ctx, &data) != 0)
        return;
    if (arg_secret(ctx, generated, &secret) != 0 || open_store(ctx, &db) != 0)
        goto out;
    json_object_set_new(data, "signatureKey", json_string(secret));
    json_object_set_new(data, "logs", json_string(""));
    json_object_set_new(data, "attempts", json_integer(0));
    if (cw_db_internal_create(db, "webhooks", id, data, NULL, &out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_WEBHOOK_NOT_FOUND, CW_ERR_WEBHOOK_ALREADY_EXISTS);
        goto out;
    }
    changed(ctx);
    cw_svc_reply(ctx, 201, webhook_model(ctx, out, true));
out:
    json_decref(data);
    json_decref(out);
}

static const char *const query_attrs[] = {"name",    "url",  "authUsername", "tls", "events",
                                          "enabled", "logs", "attempts",     NULL};

/* `queries`, checked against the attributes Appwrite allows and renamed to the stored ones.
 * *out a new array, NULL when absent. */
static int arg_queries(cw_ctx_t *ctx, json_t **out)
{
    static const char rule[] = "Value must a valid array no longer than 100 items and Value must "
                               "be a valid string and no longer than 4096 chars";
    json_t *v = cw_arg_json(ctx, "queries");
    size_t i;
    json_t *q;
    *out = NULL;
    if (v == NULL)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > QUERIES_MAX)
        return cw_arg_invalid(ctx, "queries", rule);
    json_t *list = json_array();
    json_array_foreach(v, i, q)
    {
        if (!json_is_string(q) ||
            cw_utf8_count(json_string_value(q), json_string_length(q)) > QUERY_MAX_LEN) {
            json_decref(list);
            return cw_arg_invalid(ctx, "queries", rule);
        }
        json_t *parsed = json_loads(json_string_value(q), 0, NULL);
        const char *attr = json_string_value(json_object_get(parsed, "attribute"));
        bool ok = true;
        if (attr != NULL && attr[0] != '\0' && strcmp(attr, "$id") != 0 &&
            strcmp(attr, "$createdAt") != 0 && strcmp(attr, "$updatedAt") != 0 &&
            strcmp(attr, "$sequence") != 0) {
            ok = false;
            for (const char *const *a = query_attrs; *a != NULL; a++)
                ok = ok || strcmp(*a, attr) == 0;
        }
        if (!ok) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_QUERY_INVALID,
                         "Invalid query: Attribute not found in schema: %s", attr);
            json_decref(parsed);
            json_decref(list);
            return -1;
        }
        const char *stored = attr == NULL                        ? NULL
                             : strcmp(attr, "authUsername") == 0 ? "httpUser"
                             : strcmp(attr, "tls") == 0          ? "security"
                                                                 : NULL;
        if (stored != NULL && json_is_object(parsed)) {
            json_object_set_new(parsed, "attribute", json_string(stored));
            char *text = json_dumps(parsed, JSON_COMPACT);
            json_array_append_new(list, json_string(text));
            free(text);
        } else {
            json_array_append(list, q);
        }
        json_decref(parsed);
    }
    *out = list;
    return 0;
}

static void on_list(cw_ctx_t *ctx)
{
    json_t *queries = NULL, *out = NULL;
    bool total;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (arg_queries(ctx, &queries) != 0)
        return;
    if (arg_flag(ctx, "total", true, &total) != 0 || open_store(ctx, &db) != 0)
        goto out;
    if (cw_db_internal_find(db, "webhooks", queries, NULL, total, &out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        goto out;
    }
    json_t *list = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(out, "documents"), i, d)
    {
        json_array_append_new(list, webhook_model(ctx, d, false));
    }
    json_t *m = json_object();
    json_object_set(m, "total", json_object_get(out, "total"));
    json_object_set_new(m, "webhooks", list);
    cw_svc_reply(ctx, 200, m);
out:
    json_decref(queries);
    json_decref(out);
}

static void on_get(cw_ctx_t *ctx)
{
    const char *id;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (arg_path_id(ctx, &id) != 0 || open_store(ctx, &db) != 0)
        return;
    if (cw_db_internal_get(db, "webhooks", id, &out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_WEBHOOK_NOT_FOUND, 0);
        return;
    }
    cw_svc_reply(ctx, 200, webhook_model(ctx, out, false));
    json_decref(out);
}

static void on_update(cw_ctx_t *ctx)
{
    const char *id;
    json_t *data = NULL, *out = NULL, *found = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    old_params(ctx, false);
    if (arg_path_id(ctx, &id) != 0 || read_fields(ctx, &data) != 0)
        return;
    if (open_store(ctx, &db) != 0)
        goto out;
    if (cw_db_internal_get(db, "webhooks", id, &found, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_WEBHOOK_NOT_FOUND, 0);
        goto out;
    }
    /* Turning a webhook on (again) forgets its failures, as Appwrite does. */
    if (json_is_true(json_object_get(data, "enabled")))
        json_object_set_new(data, "attempts", json_integer(0));
    if (cw_db_internal_update(db, "webhooks", id, data, &out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_WEBHOOK_NOT_FOUND, 0);
        goto out;
    }
    changed(ctx);
    cw_svc_reply(ctx, 200, webhook_model(ctx, out, false));
out:
    json_decref(found);
    json_decref(data);
    json_decref(out);
}

static void on_update_secret(cw_ctx_t *ctx)
{
    const char *id, *secret;
    char generated[129];
    json_t *data = NULL, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (arg_path_id(ctx, &id) != 0 || arg_secret(ctx, generated, &secret) != 0 ||
        open_store(ctx, &db) != 0)
        return;
    data = json_pack("{s:s}", "signatureKey", secret);
    if (cw_db_internal_update(db, "webhooks", id, data, &out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_WEBHOOK_NOT_FOUND, 0);
        goto out;
    }
    changed(ctx);
    cw_svc_reply(ctx, 200, webhook_model(ctx, out, true));
out:
    json_decref(data);
    json_decref(out);
}

static void on_delete(cw_ctx_t *ctx)
{
    const char *id;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (arg_path_id(ctx, &id) != 0 || open_store(ctx, &db) != 0)
        return;
    if (cw_db_internal_delete(db, "webhooks", id, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_WEBHOOK_NOT_FOUND, 0);
        return;
    }
    changed(ctx);
    cw_res_empty(ctx->res, 204);
}

#define WEBHOOK "/v1/webhooks/{webhookId}"
#define OLD "/v1/projects/{projectId}/webhooks"
#define OFF CW_ROUTE_OFFLOAD

const cw_route_t cw_webhooks_routes[] = {
    {"GET", "/v1/webhooks", "webhooks.read", on_list, OFF},
    {"POST", "/v1/webhooks", "webhooks.write", on_create, OFF},
    {"GET", WEBHOOK, "webhooks.read", on_get, OFF},
    {"PUT", WEBHOOK, "webhooks.write", on_update, OFF},
    {"DELETE", WEBHOOK, "webhooks.write", on_delete, OFF},
    {"PATCH", WEBHOOK "/secret", "webhooks.write", on_update_secret, OFF},
    {"GET", OLD, "webhooks.read", on_list, OFF},
    {"POST", OLD, "webhooks.write", on_create, OFF},
    {"GET", OLD "/{webhookId}", "webhooks.read", on_get, OFF},
    {"PUT", OLD "/{webhookId}", "webhooks.write", on_update, OFF},
    {"DELETE", OLD "/{webhookId}", "webhooks.write", on_delete, OFF},
    {"PATCH", OLD "/{webhookId}/signature", "webhooks.write", on_update_secret, OFF},
};
const size_t cw_webhooks_routes_count = sizeof(cw_webhooks_routes) / sizeof(cw_webhooks_routes[0]);
