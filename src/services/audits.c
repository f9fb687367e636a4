#include "services/audits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/internal.h"
#include "http/args.h"
#include "services/api.h"
#include "services/internal_api.h"
#include "services/locale_geo.h"

#define LIMIT_DEFAULT 25
#define QUERIES_MAX 100

/* One audited route: the event and Appwrite's template of the resource ("{namespace.key}" with
 * the namespaces response, request and user). Appwrite records only when the template renders
 * to something new, so a template none of whose values exist (a prefs answer has no $id, an API
 * key has no user) records nothing. Routes whose template has no placeholder at all (push
 * targets: "target/response.$id") never record, and are left out. */
typedef struct audit_rule {
    const char *method, *path, *event, *resource;
} audit_rule_t;

#define USER "/v1/users/{userId}"
#define TEAM "/v1/teams/{teamId}"
#define MEMBERSHIP TEAM "/memberships/{membershipId}"
#define R_ID "user/{response.$id}"
#define R_UID "user/{response.userId}"

static const audit_rule_t rules[] = {
    {"POST", "/v1/account", "user.create", R_ID},
    {"DELETE", "/v1/account", "user.delete", "user/{user.$id}"},
    {"DELETE", "/v1/account/sessions", "session.delete", "user/{user.$id}"},
    {"DELETE", "/v1/account/sessions/{sessionId}", "session.delete", "user/{user.$id}"},
    {"PATCH", "/v1/account/sessions/{sessionId}", "session.update", R_UID},
    {"POST", "/v1/account/sessions", "session.create", R_UID},
    {"POST", "/v1/account/sessions/email", "session.create", R_UID},
    {"POST", "/v1/account/sessions/anonymous", "session.create", R_UID},
    {"POST", "/v1/account/sessions/token", "session.create", R_UID},
    {"POST", "/v1/account/tokens/magic-url", "session.create", R_UID},
    {"POST", "/v1/account/sessions/magic-url", "session.create", R_UID},
    {"POST", "/v1/account/tokens/email", "session.create", R_UID},
    {"PUT", "/v1/account/sessions/magic-url", "session.create", R_UID},
    {"PUT", "/v1/account/sessions/phone", "session.create", R_UID},
    {"POST", "/v1/account/tokens/phone", "session.create", R_UID},
    {"POST", "/v1/account/sessions/phone", "session.create", R_UID},
    {"PATCH", "/v1/account/name", "user.update", R_ID},
    {"PATCH", "/v1/account/password", "user.update", R_ID},
    {"PATCH", "/v1/account/email", "user.update", R_ID},
    {"PATCH", "/v1/account/phone", "user.update", R_ID},
    {"PATCH", "/v1/account/prefs", "user.update", R_ID},
    {"PATCH", "/v1/account/status", "user.update", R_ID},
    {"POST", "/v1/account/recovery", "recovery.create", R_UID},
    {"PUT", "/v1/account/recovery", "recovery.update", R_UID},
    {"POST", "/v1/account/verifications/email", "verification.create", R_UID},
    {"POST", "/v1/account/verification", "verification.create", R_UID},
    {"PUT", "/v1/account/verifications/email", "verification.update", R_UID},
    {"PUT", "/v1/account/verification", "verification.update", R_UID},
    {"POST", "/v1/account/verifications/phone", "verification.create", R_UID},
    {"POST", "/v1/account/verification/phone", "verification.create", R_UID},
    {"PUT", "/v1/account/verifications/phone", "verification.update", R_UID},
    {"PUT", "/v1/account/verification/phone", "verification.update", R_UID},
    {"DELETE", "/v1/account/targets/{targetId}/push", "target.delete", "target/{request.targetId}"},
    {"DELETE", "/v1/account/identities/{identityId}", "identity.delete",
     "identity/{request.$identityId}"},
    {"PATCH", "/v1/account/mfa", "user.update", R_ID},
    {"POST", "/v1/account/mfa/authenticators/{type}", "user.update", R_ID},
    {"PUT", "/v1/account/mfa/authenticators/{type}", "user.update", R_ID},
    {"DELETE", "/v1/account/mfa/authenticators/{type}", "user.update", "user/{user.$id}"},
    {"POST", "/v1/account/mfa/challenges", "challenge.create", R_UID},
    {"POST", "/v1/account/mfa/challenge", "challenge.create", R_UID},
    {"PUT", "/v1/account/mfa/challenges", "challenges.update", R_UID},
    {"PUT", "/v1/account/mfa/challenge", "challenges.update", R_UID},
    {"POST", "/v1/account/mfa/recovery-codes", "user.update", R_ID},
    {"PATCH", "/v1/account/mfa/recovery-codes", "user.update", R_ID},
    {"POST", "/v1/users", "user.create", R_ID},
    {"POST", "/v1/users/argon2", "user.create", R_ID},
    {"POST", "/v1/users/bcrypt", "user.create", R_ID},
    {"POST", "/v1/users/md5", "user.create", R_ID},
    {"POST", "/v1/users/phpass", "user.create", R_ID},
    {"POST", "/v1/users/scrypt", "user.create", R_ID},
    {"POST", "/v1/users/scrypt-modified", "user.create", R_ID},
    {"POST", "/v1/users/sha", "user.create", R_ID},
    {"DELETE", "/v1/users/identities/{identityId}", "identity.delete",
     "identity/{request.$identityId}"},
    {"DELETE", USER, "user.delete", "user/{request.userId}"},
    {"PATCH", USER "/email", "user.update", R_ID},
    {"PATCH", USER "/impersonator", "user.update", R_ID},
    {"PUT", USER "/labels", "user.update", R_ID},
    {"PATCH", USER "/mfa", "user.update", R_ID},
    {"DELETE", USER "/mfa/authenticators/{type}", "user.update", "user/{request.userId}"},
    {"PUT", USER "/mfa/recovery-codes", "user.update", R_ID},
    {"PATCH", USER "/mfa/recovery-codes", "user.update", R_ID},
    {"PATCH", USER "/name", "user.update", R_ID},
    {"PATCH", USER "/password", "user.update", R_ID},
    {"PATCH", USER "/phone", "user.update", R_ID},
    {"PATCH", USER "/status", "user.update", R_ID},
    {"DELETE", USER "/sessions", "session.delete", "user/{user.$id}"},
    {"POST", USER "/sessions", "session.create", "user/{request.userId}"},
    {"DELETE", USER "/sessions/{sessionId}", "session.delete", "user/{request.userId}"},
    {"PATCH", USER "/targets/{targetId}", "target.update", "target/{response.$id}"},
    {"DELETE", USER "/targets/{targetId}", "target.delete", "target/{request.$targetId}"},
    {"POST", USER "/tokens", "tokens.create", "user/{request.userId}"},
    {"PATCH", USER "/verification", "verification.update", "user/{request.userId}"},
    {"PATCH", USER "/verification/phone", "verification.update", R_ID},
    {"POST", "/v1/teams", "team.create", "team/{response.$id}"},
    {"PUT", TEAM, "team.update", "team/{response.$id}"},
    {"DELETE", TEAM, "team.delete", "team/{request.teamId}"},
    {"PUT", TEAM "/prefs", "team.update", "team/{response.$id}"},
    {"POST", TEAM "/memberships", "membership.create", "team/{request.teamId}"},
    {"PATCH", MEMBERSHIP, "membership.update", "team/{request.teamId}"},
    {"DELETE", MEMBERSHIP, "membership.delete", "team/{request.teamId}"},
    {"PATCH", MEMBERSHIP "/status", "membership.update", "team/{request.teamId}"},
};

static const audit_rule_t *rule_find(const cw_route_t *route)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (strcmp(rules[i].path, route->path) == 0 && strcmp(rules[i].method, route->method) == 0)
            return &rules[i];
    }
    return NULL;
}

/* A value as Appwrite's renderer writes it: strings as they are, other scalars as text, arrays
 * and objects as JSON. False when there is none. */
static bool value_text(const json_t *v, cw_buf_t *out)
{
    if (v == NULL || json_is_null(v))
        return false;
    if (json_is_string(v)) {
        cw_buf_append(out, json_string_value(v), json_string_length(v));
        return true;
    }
    if (json_is_true(v) || json_is_false(v)) {
        cw_buf_append_str(out, json_is_true(v) ? "1" : "");
        return true;
    }
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s == NULL)
        return false;
    cw_buf_append_str(out, s);
    free(s);
    return true;
}

/* Renders template; false when nothing in it could be filled (Appwrite then records nothing). */
static bool render(cw_ctx_t *ctx, const char *template, const json_t *response, cw_buf_t *out)
{
    cw_auth_t *auth = cw_ctx_auth(ctx);
    bool changed = false;
    const char *p = template;
    while (*p != '\0') {
        const char *open = strchr(p, '{'), *close = open != NULL ? strchr(open, '}') : NULL;
        if (open == NULL || close == NULL) {
            cw_buf_append_str(out, p);
            break;
        }
        cw_buf_append(out, p, (size_t)(open - p));
        const char *dot = memchr(open, '.', (size_t)(close - open));
        char key[64];
        size_t before = out->len;
        bool filled = false;
        if (dot != NULL && (size_t)(close - dot - 1) < sizeof(key)) {
            memcpy(key, dot + 1, (size_t)(close - dot - 1));
            key[close - dot - 1] = '\0';
            cw_str_t ns = {open + 1, (size_t)(dot - open - 1)};
            if (cw_str_eq_cstr(ns, "request")) {
                cw_str_t pv = cw_req_path_param(ctx->req, key);
                if (pv.len > 0) {
                    cw_buf_append(out, pv.ptr, pv.len);
                    filled = true;
                } else {
                    filled = value_text(json_object_get(ctx->req->params, key), out);
                }
            } else if (cw_str_eq_cstr(ns, "user")) {
                filled = value_text(json_object_get(auth->user, key), out);
            } else {
                filled = value_text(json_object_get(response, key), out);
            }
        }
        if (!filled) {
            out->len = before;
            cw_buf_append(out, open, (size_t)(close - open + 1));
        }
        changed = changed || filled;
        p = close + 1;
    }
    return changed;
}

static void host_of(cw_ctx_t *ctx, cw_buf_t *out)
{
    cw_str_t h = ctx->req->authority;
    const char *colon = h.len > 0 && h.ptr[0] != '[' ? memchr(h.ptr, ':', h.len) : NULL;
    cw_buf_append(out, h.ptr, colon != NULL ? (size_t)(colon - h.ptr) : h.len);
}

void cw_audit_record(cw_ctx_t *ctx)
{
    cw_auth_t *auth = cw_ctx_auth(ctx);
    int status = ctx->res->status;
    if (!auth->has_project || ctx->res->has_error || status < 200 || status >= 400)
        return;
    const audit_rule_t *rule = rule_find(ctx->route);
    if (rule == NULL)
        return;
    cw_str_t body = cw_res_body(ctx->res);
    json_t *response = body.len > 0 ? json_loadb(body.ptr, body.len, 0, NULL) : NULL;
    cw_buf_t resource = CW_BUF_INIT, email = CW_BUF_INIT;
    json_t *actor = NULL, *data = NULL, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (!render(ctx, rule->resource, response, &resource))
        goto out;
    if (cw_thread_db(cw_ctx_thread(ctx), auth->project, &db, &err) != 0)
        goto fail;
    /* The actor, as Appwrite's audit context has it: the signed-in user; the key; or, for a
     * guest, the user the request made or signed in (account and session creation set the
     * request's user), else a guest. */
    const char *type = "user", *name = "", *uid = "", *internal = "";
    char seq[24];
    if (auth->user != NULL) {
        actor = json_incref(auth->user);
    } else if (!auth->has_key && strncmp(resource.ptr, "user/", 5) == 0) {
        cw_db_error_t gerr = {0};
        if (cw_db_internal_get(db, "users", resource.ptr + 5, &actor, &gerr) != 0)
            actor = NULL;
    }
    if (actor != NULL) {
        const json_t *s = json_object_get(actor, "$sequence");
        snprintf(seq, sizeof(seq), "%lld",
                 json_is_integer(s)  ? (long long)json_integer_value(s)
                 : json_is_string(s) ? atoll(json_string_value(s))
                                     : 0LL);
        internal = seq;
        uid = json_string_value(json_object_get(actor, "$id"));
        /* A user who changed their own name or e-mail is named as they are now. */
        const json_t *shown = actor;
        const char *rid = json_string_value(json_object_get(response, "$id"));
        if (uid != NULL && rid != NULL && strcmp(uid, rid) == 0 &&
            json_is_string(json_object_get(response, "email")))
            shown = response;
        name = json_string_value(json_object_get(shown, "name"));
        const char *e = json_string_value(json_object_get(shown, "email"));
        cw_buf_append_str(&email, e != NULL ? e : "");
    } else if (auth->has_key) {
        type = "keyProject";
        uid = auth->key->id;
        name = auth->key->name;
        cw_buf_printf(&email, "app.%s@service.", auth->project->id);
        host_of(ctx, &email);
    } else {
        type = "guest";
        name = "Guest";
        cw_buf_printf(&email, "guest.%s@service.", auth->project->id);
        host_of(ctx, &email);
    }
    cw_str_t mode = cw_req_header(ctx->req, "x-appwrite-mode");
    cw_str_t ua = cw_req_header(ctx->req, "user-agent");
    char now[CW_TIME_ISO_LEN];
    cw_time_format(cw_time_now_ms(), now);
    data = json_object();
    json_object_set_new(data, "userId", json_string(uid != NULL ? uid : ""));
    json_object_set_new(data, "userName", json_string(name != NULL ? name : ""));
    json_object_set_new(data, "userEmail", json_string(email.ptr != NULL ? email.ptr : ""));
    json_object_set_new(data, "userType", json_string(type));
    json_object_set_new(data, "mode",
                        mode.len > 0 ? json_stringn(mode.ptr, mode.len) : json_string("default"));
    json_t *doc = json_object();
    json_object_set_new(doc, "userInternalId", json_string(internal));
    json_object_set_new(doc, "event", json_string(rule->event));
    json_object_set_new(doc, "resource", json_stringn(resource.ptr, resource.len));
    json_object_set_new(doc, "userAgent", json_stringn(ua.ptr != NULL ? ua.ptr : "", ua.len));
    json_object_set_new(
        doc, "ip",
        json_stringn(ctx->req->ip.ptr != NULL ? ctx->req->ip.ptr : "", ctx->req->ip.len));
    json_object_set_new(doc, "time", json_string(now));
    json_object_set(doc, "data", data);
    int rc = cw_db_internal_create(db, "audits", "unique()", doc, NULL, &out, &err);
    json_decref(doc);
    if (rc != 0)
        goto fail;
    goto out;
fail:
    cw_log(CW_LOG_WARN, "msg=\"audit entry not recorded\" project=%s event=%s error=\"%s\"",
           auth->project->id, rule->event, err.message);
out:
    json_decref(out);
    json_decref(data);
    json_decref(actor);
    json_decref(response);
    cw_buf_free(&resource);
    cw_buf_free(&email);
}

/* `queries` of a logs route: limit and offset only, as Appwrite's validator allows. */
static int arg_paging(cw_ctx_t *ctx, int64_t *limit, int64_t *offset)
{
    json_t *v = cw_arg_json(ctx, "queries");
    size_t i;
    json_t *q;
    *limit = LIMIT_DEFAULT;
    *offset = 0;
    if (v == NULL)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > QUERIES_MAX)
        return cw_arg_invalid(ctx, "queries",
                              "Value must a valid array no longer than 100 items and Value must "
                              "be a valid string and no longer than 4096 chars");
    json_array_foreach(v, i, q)
    {
        json_t *parsed = json_is_string(q) ? json_loads(json_string_value(q), 0, NULL) : NULL;
        const char *method = json_string_value(json_object_get(parsed, "method"));
        json_t *val = json_array_get(json_object_get(parsed, "values"), 0);
        int rc = 0;
        if (method == NULL) {
            rc = cw_arg_invalid(ctx, "queries", "Invalid query: Invalid query");
        } else if (strcmp(method, "limit") == 0) {
            if (!json_is_integer(val) || json_integer_value(val) < 1)
                rc = cw_arg_invalid(ctx, "queries",
                                    "Invalid query: Invalid limit: Value must be a valid range "
                                    "between 1 and 9,223,372,036,854,775,807");
            else
                *limit = json_integer_value(val);
        } else if (strcmp(method, "offset") == 0) {
            if (!json_is_integer(val) || json_integer_value(val) < 0)
                rc = cw_arg_invalid(ctx, "queries",
                                    "Invalid query: Invalid offset: Value must be a valid range "
                                    "between 0 and 9,223,372,036,854,775,807");
            else
                *offset = json_integer_value(val);
        } else {
            cw_buf_t msg = CW_BUF_INIT;
            cw_buf_printf(&msg, "Invalid query method: %s", method);
            rc = cw_arg_invalid(ctx, "queries", msg.ptr);
            cw_buf_free(&msg);
        }
        json_decref(parsed);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static void put(json_t *m, const char *key, const json_t *from, const char *fkey)
{
    const char *v = json_string_value(json_object_get(from, fkey));
    json_object_set_new(m, key, json_string(v != NULL ? v : ""));
}

/* The Log model of an entry. The client, OS and device fields stay empty: cwrite reads no user
 * agents. The country comes from the GeoIP database when one is configured. */
static json_t *log_model(cw_ctx_t *ctx, const json_t *entry)
{
    static const char *const blank[] = {"osCode",
                                        "osName",
                                        "osVersion",
                                        "clientType",
                                        "clientCode",
                                        "clientName",
                                        "clientVersion",
                                        "clientEngine",
                                        "clientEngineVersion",
                                        "deviceName",
                                        "deviceBrand",
                                        "deviceModel",
                                        NULL};
    const json_t *data = json_object_get(entry, "data");
    json_t *m = json_object();
    put(m, "event", entry, "event");
    put(m, "userId", data, "userId");
    put(m, "userEmail", data, "userEmail");
    put(m, "userName", data, "userName");
    put(m, "mode", data, "mode");
    put(m, "userType", data, "userType");
    put(m, "ip", entry, "ip");
    put(m, "time", entry, "time");
    for (const char *const *k = blank; *k != NULL; k++)
        json_object_set_new(m, *k, json_string(""));
    const char *ip = json_string_value(json_object_get(entry, "ip"));
    cw_locale_geo_t geo;
    char code[8] = "--";
    if (ip != NULL &&
        cw_locale_geo_lookup(cw_ctx_thread(ctx)->cfg->geoip_db, cw_str(ip), &geo) == CW_OK &&
        strlen(geo.country) == 2) {
        code[0] = (char)(geo.country[0] | 0x20);
        code[1] = (char)(geo.country[1] | 0x20);
        code[2] = '\0';
    }
    json_object_set_new(m, "countryCode", json_string(code));
    json_object_set_new(m, "countryName", json_string("Unknown"));
    return m;
}

void cw_audit_reply_logs(cw_ctx_t *ctx, cw_db_t *db, const char *attr, const char *value)
{
    int64_t limit, offset;
    bool total = true;
    json_t *out = NULL;
    cw_db_error_t err = {0};
    if (arg_paging(ctx, &limit, &offset) != 0 || cw_arg_bool(ctx, "total", false, &total) < 0)
        return;
    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query("equal", attr, json_string(value)));
    json_array_append_new(q, cw_db_internal_query("orderDesc", "$sequence", NULL));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(limit)));
    json_array_append_new(q, cw_db_internal_query("offset", NULL, json_integer(offset)));
    int rc = cw_db_internal_find(db, "audits", q, NULL, total, &out, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *logs = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(out, "documents"), i, d)
    {
        json_array_append_new(logs, log_model(ctx, d));
    }
    json_t *m = json_object();
    json_object_set(m, "total", json_object_get(out, "total"));
    json_object_set_new(m, "logs", logs);
    json_decref(out);
    cw_svc_reply(ctx, 200, m);
}
