/* The project's policies (/v1/project/policies…): views of, and changes to, the auth settings
 * (`auths`) that the account, users and teams services enforce. */
#include <string.h>

#include "core/status.h"
#include "http/args.h"
#include "services/api.h"
#include "services/internal_api.h"
#include "services/project_internal.h"

#define PASSWORD_MIN_LOW 8
#define PASSWORD_MIN_HIGH 256

static const char *const policy_ids[] = {
    "password-dictionary", "password-history",   "password-strength",    "password-personal-data",
    "session-alert",       "session-duration",   "session-invalidation", "session-limit",
    "user-limit",          "membership-privacy", "mfa-factors",          NULL,
};

/* The older paths (/v1/projects/{projectId}/auth/<name>) and the policy each changes. */
static const struct {
    const char *suffix, *policy;
} aliases[] = {
    {"/auth/memberships-privacy", "membership-privacy"},
    {"/auth/password-dictionary", "password-dictionary"},
    {"/auth/password-history", "password-history"},
    {"/auth/personal-data", "password-personal-data"},
    {"/auth/session-alerts", "session-alert"},
    {"/auth/duration", "session-duration"},
    {"/auth/session-invalidation", "session-invalidation"},
    {"/auth/max-sessions", "session-limit"},
    {"/auth/limit", "user-limit"},
};

static bool auth_bool(const json_t *auths, const char *key, bool fallback)
{
    const json_t *v = json_object_get(auths, key);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

static json_t *strength_model(const json_t *auths)
{
    const json_t *s = json_object_get(auths, "passwordStrength");
    const json_t *min = json_object_get(s, "min");
    return json_pack(
        "{s:s, s:I, s:b, s:b, s:b, s:b}", "$id", "password-strength", "min",
        (json_int_t)(json_is_integer(min) ? json_integer_value(min) : PASSWORD_MIN_LOW),
        "uppercase", auth_bool(s, "uppercase", false), "lowercase",
        auth_bool(s, "lowercase", false), "number", auth_bool(s, "number", false), "symbols",
        auth_bool(s, "symbols", false));
}

/* One policy's model, from what the project enforces. */
static json_t *policy_model(const cw_project_t *p, const char *id)
{
    const cw_project_auth_t *a = &p->auth;
    if (strcmp(id, "password-dictionary") == 0)
        return json_pack("{s:s, s:b}", "$id", id, "enabled", a->password_dictionary);
    if (strcmp(id, "password-history") == 0)
        return json_pack("{s:s, s:I}", "$id", id, "total", (json_int_t)a->password_history);
    if (strcmp(id, "password-strength") == 0)
        return strength_model(p->auths);
    if (strcmp(id, "password-personal-data") == 0)
        return json_pack("{s:s, s:b}", "$id", id, "enabled", a->personal_data_check);
    if (strcmp(id, "session-alert") == 0)
        return json_pack("{s:s, s:b}", "$id", id, "enabled", a->session_alerts);
    if (strcmp(id, "session-duration") == 0)
        return json_pack("{s:s, s:I}", "$id", id, "duration", (json_int_t)a->duration);
    if (strcmp(id, "session-invalidation") == 0)
        return json_pack("{s:s, s:b}", "$id", id, "enabled", a->invalidate_sessions);
    if (strcmp(id, "session-limit") == 0)
        return json_pack("{s:s, s:I}", "$id", id, "total", (json_int_t)a->max_sessions);
    if (strcmp(id, "user-limit") == 0)
        return json_pack("{s:s, s:I}", "$id", id, "total", (json_int_t)a->limit);
    if (strcmp(id, "membership-privacy") == 0)
        return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:b}", "$id", id, "userId",
                         a->memberships_user_id, "userEmail", a->memberships_user_email,
                         "userPhone", a->memberships_user_phone, "userName",
                         a->memberships_user_name, "userMFA", a->memberships_mfa, "userAccessedAt",
                         auth_bool(p->auths, "membershipsUserAccessedAt", false));
    const json_t *f = json_object_get(p->auths, "mfaFactors");
    return json_pack("{s:s, s:b, s:b, s:b, s:b}", "$id", "mfa-factors", "totp",
                     auth_bool(f, "totp", true), "email", auth_bool(f, "email", true), "phone",
                     auth_bool(f, "phone", true), "custom", auth_bool(f, "custom", false));
}

void cw__project_policies_list(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    json_t *all = json_array();
    for (const char *const *id = policy_ids; *id != NULL; id++)
        json_array_append_new(all, policy_model(p, *id));
    cw__project_list(ctx, all, "policies", "$id");
}

void cw__project_policies_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    cw_str_t id;
    if (cw__project_target(ctx, &p) != 0 ||
        cw_arg_enum(ctx, "policyId", true, policy_ids, &id) != 0)
        return;
    cw__project_json(ctx, 200, policy_model(p, cw_arena_strndup(&ctx->req->arena, id.ptr, id.len)));
}

/* The changes one policy update makes to auths, gathered before the write. */
typedef struct policy_edit {
    json_t *set;      /* keys of auths to replace */
    json_t *strength; /* keys of auths.passwordStrength to replace, or NULL */
    json_t *factors;  /* keys of auths.mfaFactors to replace, or NULL */
} policy_edit_t;

static int edit_auths(json_t *auths, void *arg)
{
    policy_edit_t *e = arg;
    json_object_update(auths, e->set);
    const char *nested[] = {"passwordStrength", "mfaFactors"};
    json_t *changes[] = {e->strength, e->factors};
    for (int i = 0; i < 2; i++) {
        if (changes[i] == NULL)
            continue;
        json_t *obj = json_object_get(auths, nested[i]);
        if (!json_is_object(obj)) {
            obj = json_object();
            json_object_set_new(auths, nested[i], obj);
        }
        json_object_update(obj, changes[i]);
    }
    return CW_OK;
}

/* Optional booleans name → key of dst. Returns 0 or -1 after the error. */
static int take_bools(cw_ctx_t *ctx, const char *const (*map)[2], size_t n, json_t *dst)
{
    for (size_t i = 0; i < n; i++) {
        bool v;
        int r = cw_arg_bool(ctx, map[i][0], false, &v);
        if (r < 0)
            return -1;
        if (r == 0)
            json_object_set_new(dst, map[i][1], json_boolean(v));
    }
    return 0;
}

/* A required boolean `enabled` into key. */
static int take_enabled(cw_ctx_t *ctx, const char *key, json_t *dst)
{
    bool v;
    if (cw_arg_bool(ctx, "enabled", true, &v) != 0)
        return -1;
    json_object_set_new(dst, key, json_boolean(v));
    return 0;
}

/* A `total` in [min, max]; nullable ones read null as 0. */
static int take_total(cw_ctx_t *ctx, const char *name, const char *key, int64_t min, int64_t max,
                      bool nullable, json_t *dst)
{
    int64_t v = 0;
    if (nullable && cw__project_arg_absent(ctx, name) &&
        json_object_get(ctx->req->params, name) != NULL) {
        json_object_set_new(dst, key, json_integer(0));
        return 0;
    }
    if (cw_arg_int(ctx, name, true, min, max, &v) != 0)
        return -1;
    json_object_set_new(dst, key, json_integer(v));
    return 0;
}

static const char *policy_of_request(cw_ctx_t *ctx)
{
    cw_str_t id = cw_req_path_param(ctx->req, "policyId");
    if (id.ptr != NULL)
        return cw_arena_strndup(&ctx->req->arena, id.ptr, id.len);
    cw_str_t path = ctx->req->path;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        size_t n = strlen(aliases[i].suffix);
        if (path.len >= n && memcmp(path.ptr + path.len - n, aliases[i].suffix, n) == 0)
            return aliases[i].policy;
    }
    return "";
}

static void rename_param(json_t *params, const char *from, const char *to)
{
    json_t *v = json_object_get(params, from);
    if (v == NULL)
        return;
    json_object_set(params, to, v);
    json_object_del(params, from);
}

/* The parameters of a client before 1.9.2 under the current names (Appwrite's request filter
 * V23): the limits were `limit` (0 for none), the session alerts `alerts`, the membership MFA
 * switch `mfa`. */
static void old_params(cw_ctx_t *ctx, const char *id)
{
    json_t *params = ctx->req->params;
    if (!json_is_object(params) || !cw_svc_format_before(ctx, 1, 9, 2))
        return;
    if (strcmp(id, "user-limit") == 0 || strcmp(id, "password-history") == 0 ||
        strcmp(id, "session-limit") == 0) {
        json_t *limit = json_object_get(params, "limit");
        if (limit != NULL) {
            json_object_set_new(params, "total",
                                json_is_integer(limit) && json_integer_value(limit) == 0
                                    ? json_null()
                                    : json_incref(limit));
            json_object_del(params, "limit");
        }
    } else if (strcmp(id, "session-alert") == 0) {
        rename_param(params, "alerts", "enabled");
    } else if (strcmp(id, "membership-privacy") == 0) {
        json_object_set_new(params, "userId", json_false());
        json_object_set_new(params, "userPhone", json_false());
        rename_param(params, "mfa", "userMFA");
    }
}

void cw__project_policies_update(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id = policy_of_request(ctx);
    policy_edit_t e = {.set = json_object()};
    int rc = -1;
    bool strength = false;
    if (cw__project_target(ctx, &p) != 0)
        goto out;
    old_params(ctx, id);
    if (strcmp(id, "password-dictionary") == 0) {
        rc = take_enabled(ctx, "passwordDictionary", e.set);
    } else if (strcmp(id, "password-history") == 0) {
        rc = take_total(ctx, "total", "passwordHistory", 1, CW_AUTH_PASSWORD_HISTORY_MAX, true,
                        e.set);
    } else if (strcmp(id, "password-personal-data") == 0) {
        rc = take_enabled(ctx, "personalDataCheck", e.set);
    } else if (strcmp(id, "session-alert") == 0) {
        rc = take_enabled(ctx, "sessionAlerts", e.set);
    } else if (strcmp(id, "session-duration") == 0) {
        rc = take_total(ctx, "duration", "duration", CW_AUTH_DURATION_MIN, CW_AUTH_DURATION_MAX,
                        false, e.set);
    } else if (strcmp(id, "session-invalidation") == 0) {
        rc = take_enabled(ctx, "invalidateSessions", e.set);
    } else if (strcmp(id, "session-limit") == 0) {
        rc = take_total(ctx, "total", "maxSessions", 1, CW_AUTH_SESSIONS_MAX, false, e.set);
    } else if (strcmp(id, "user-limit") == 0) {
        rc = take_total(ctx, "total", "limit", 0, CW_AUTH_USERS_MAX, true, e.set);
    } else if (strcmp(id, "membership-privacy") == 0) {
        static const char *const map[][2] = {
            {"userId", "membershipsUserId"},       {"userEmail", "membershipsUserEmail"},
            {"userPhone", "membershipsUserPhone"}, {"userName", "membershipsUserName"},
            {"userMFA", "membershipsMfa"},         {"userAccessedAt", "membershipsUserAccessedAt"},
        };
        rc = take_bools(ctx, map, sizeof(map) / sizeof(map[0]), e.set);
    } else if (strcmp(id, "password-strength") == 0) {
        static const char *const map[][2] = {{"uppercase", "uppercase"},
                                             {"lowercase", "lowercase"},
                                             {"number", "number"},
                                             {"symbols", "symbols"}};
        e.strength = json_object();
        strength = true;
        int64_t min;
        int r = cw_arg_int(ctx, "min", false, PASSWORD_MIN_LOW, PASSWORD_MIN_HIGH, &min);
        if (r == 0)
            json_object_set_new(e.strength, "min", json_integer(min));
        rc = r < 0 ? -1 : take_bools(ctx, map, sizeof(map) / sizeof(map[0]), e.strength);
    } else if (strcmp(id, "mfa-factors") == 0) {
        static const char *const map[][2] = {
            {"totp", "totp"}, {"email", "email"}, {"phone", "phone"}, {"custom", "custom"}};
        e.factors = json_object();
        rc = take_bools(ctx, map, sizeof(map) / sizeof(map[0]), e.factors);
    } else {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ROUTE_NOT_FOUND,
                     "Route not found. Check the endpoint and that the API route exists for this "
                     "SDK version.");
        goto out;
    }
    if (rc != 0 || cw__project_edit(ctx, p, CW_PROJECT_AUTHS, edit_auths, &e) != 0)
        goto out;
    if (!strength) {
        cw__project_respond(ctx, p->id);
        goto out;
    }
    cw_project_t fresh = {0};
    if (cw_console_project_get(cw_ctx_thread(ctx)->console, cw_str(p->id), &fresh) != CW_OK) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        goto out;
    }
    cw__project_json(ctx, 200, strength_model(fresh.auths));
    cw_project_clear(&fresh);
out:
    json_decref(e.set);
    json_decref(e.strength);
    json_decref(e.factors);
}
