/* The project's platforms (/v1/project/platforms…): the apps allowed to talk to it. A web
 * platform's hostname is an allowed browser origin (CORS) and redirect host; the others name an
 * app (bundle ID, application ID, package) for the redirect schemes of native apps. */
#include <string.h>

#include "core/status.h"
#include "core/timeutil.h"
#include "http/args.h"
#include "services/api.h"
#include "http/cors.h"
#include "services/project.h"
#include "services/internal_api.h"
#include "services/project_internal.h"

#define PLATFORM_NAME_MAX 128
#define PLATFORM_KEY_MAX 256
#define HOSTNAME_MAX 256

/* Each platform type and the parameter (and model field) that holds its key. */
static const struct {
    const char *type, *field;
} types[] = {
    {"web", "hostname"},          {"apple", "bundleIdentifier"},
    {"android", "applicationId"}, {"windows", "packageIdentifierName"},
    {"linux", "packageName"},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* The platform types of Appwrite's older API (`type` of POST /projects/{id}/platforms). */
static const struct {
    const char *old, *type;
} legacy_types[] = {
    {"web", "web"},
    {"flutter-web", "web"},
    {"unity", "web"},
    {"flutter-macos", "apple"},
    {"flutter-ios", "apple"},
    {"react-native-ios", "apple"},
    {"apple-ios", "apple"},
    {"apple-macos", "apple"},
    {"apple-watchos", "apple"},
    {"apple-tvos", "apple"},
    {"flutter-android", "android"},
    {"android", "android"},
    {"react-native-android", "android"},
    {"flutter-linux", "linux"},
    {"flutter-windows", "windows"},
};

static int type_index(const char *type)
{
    for (size_t i = 0; i < NTYPES; i++) {
        if (type != NULL && strcmp(types[i].type, type) == 0)
            return (int)i;
    }
    return -1;
}

json_t *cw__project_platform_model(const json_t *stored)
{
    const char *type = json_string_value(json_object_get(stored, "type"));
    int t = type_index(type);
    json_t *m = json_pack("{s:O, s:O, s:O, s:O, s:s}", "$id", json_object_get(stored, "$id"),
                          "$createdAt", json_object_get(stored, "$createdAt"), "$updatedAt",
                          json_object_get(stored, "$updatedAt"), "name",
                          json_object_get(stored, "name"), "type", type != NULL ? type : "web");
    const char *value = json_string_value(json_object_get(stored, t <= 0 ? "hostname" : "key"));
    json_object_set_new(m, types[t < 0 ? 0 : t].field, json_string(value != NULL ? value : ""));
    return m;
}

json_t *cw__project_platform_in_format(cw_ctx_t *ctx, json_t *m)
{
    if (!cw_svc_format_before(ctx, 1, 9, 0))
        return m;
    const char *key = "";
    for (size_t i = 1; i < NTYPES; i++) {
        const char *v = json_string_value(json_object_get(m, types[i].field));
        if (v != NULL && v[0] != '\0' && key[0] == '\0')
            key = v;
    }
    json_object_set_new(m, "key", json_string(key));
    for (size_t i = 1; i < NTYPES; i++)
        json_object_del(m, types[i].field);
    json_object_set_new(m, "store", json_string(""));
    if (json_object_get(m, "hostname") == NULL)
        json_object_set_new(m, "hostname", json_string(""));
    return m;
}

static bool valid_hostname(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > HOSTNAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_' || c == '*';
        if (!ok)
            return false;
    }
    return true;
}

typedef struct platform_edit {
    cw_ctx_t *ctx;
    const char *id, *name, *type, *key, *hostname;
    bool create, remove;
    bool check_type; /* an update through a typed path: the stored type must match */
    json_t *result;
} platform_edit_t;

static int edit_platforms(json_t *list, void *arg)
{
    platform_edit_t *e = arg;
    size_t i, at = (size_t)-1;
    json_t *p;
    json_array_foreach(list, i, p)
    {
        const char *id = json_string_value(json_object_get(p, "$id"));
        if (id != NULL && strcmp(id, e->id) == 0)
            at = i;
    }
    const char *now = cw__project_time(e->ctx, cw_time_now_ms());
    if (e->create) {
        if (at != (size_t)-1) {
            cw_res_error(e->ctx->res, CW_ERR_PLATFORM_ALREADY_EXISTS, NULL);
            return CW_EINVAL;
        }
        p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "$id", e->id, "$createdAt", now,
                      "$updatedAt", now, "name", e->name, "type", e->type, "key",
                      e->key != NULL ? e->key : "", "hostname",
                      e->hostname != NULL ? e->hostname : "");
        json_array_append_new(list, p);
        e->result = cw__project_platform_model(p);
        return CW_OK;
    }
    if (at == (size_t)-1) {
        cw_res_error(e->ctx->res, CW_ERR_PLATFORM_NOT_FOUND, NULL);
        return CW_EINVAL;
    }
    p = json_array_get(list, at);
    if (e->remove)
        return json_array_remove(list, at) == 0 ? CW_OK : CW_EIO;
    const char *stored = json_string_value(json_object_get(p, "type"));
    if (e->check_type && (stored == NULL || strcmp(stored, e->type) != 0)) {
        cw_res_error(e->ctx->res, CW_ERR_PLATFORM_METHOD_UNSUPPORTED, NULL);
        return CW_EINVAL;
    }
    json_object_set_new(p, "name", json_string(e->name));
    if (e->key != NULL)
        json_object_set_new(p, "key", json_string(e->key));
    if (e->hostname != NULL)
        json_object_set_new(p, "hostname", json_string(e->hostname));
    json_object_set_new(p, "$updatedAt", json_string(now));
    e->result = cw__project_platform_model(p);
    return CW_OK;
}

/* The name, and the key or hostname of type (from the typed parameter, or on the older paths
 * from `key` and `hostname`). */
static int platform_args(cw_ctx_t *ctx, platform_edit_t *e, bool typed)
{
    if (cw_arg_text(ctx, "name", true, PLATFORM_NAME_MAX, &e->name) != 0)
        return -1;
    if (e->name[0] == '\0')
        return cw_arg_invalid(ctx, "name",
                              "Value must be a valid string and at least 1 chars and "
                              "no longer than 128 chars");
    int t = type_index(e->type);
    if (!typed || t == 0) {
        if (cw_arg_text(ctx, "hostname", false, HOSTNAME_MAX, &e->hostname) != 0)
            return -1;
        if (e->hostname != NULL && e->hostname[0] != '\0' && !valid_hostname(e->hostname))
            return cw_arg_invalid(ctx, "hostname",
                                  "Value must be a valid hostname without path, port and "
                                  "protocol.");
    }
    const char *param = typed && t > 0 ? types[t].field : "key";
    if (typed && t == 0)
        return 0;
    if (cw_arg_text(ctx, param, typed, PLATFORM_KEY_MAX, &e->key) != 0)
        return -1;
    if (typed && e->key[0] == '\0')
        return cw_arg_invalid(ctx, param,
                              "Value must be a valid string and at least 1 chars and "
                              "no longer than 256 chars");
    return 0;
}

/* The {type} of a typed path, or -1 after answering 404 as for a route that does not exist. */
static int path_type(cw_ctx_t *ctx, const char **out)
{
    cw_str_t t = cw_req_path_param(ctx->req, "type");
    *out = cw_arena_strndup(&ctx->req->arena, t.ptr, t.len);
    if (type_index(*out) < 0) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ROUTE_NOT_FOUND,
                     "Route not found. Check the endpoint and that the API route exists for this "
                     "SDK version.");
        return -1;
    }
    return 0;
}

void cw__project_platforms_create(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    platform_edit_t e = {.ctx = ctx, .create = true};
    bool typed = cw_req_path_param(ctx->req, "type").ptr != NULL;
    if (typed && path_type(ctx, &e.type) != 0)
        return;
    /* Appwrite's request filter V21: a client before 1.9.0 sends no platformId. */
    json_t *params = ctx->req->params;
    if (json_is_object(params) && cw_svc_format_before(ctx, 1, 9, 0) &&
        json_object_get(params, "platformId") == NULL)
        json_object_set_new(params, "platformId", json_string("unique()"));
    if (cw__project_target(ctx, &p) != 0 || cw__project_arg_id(ctx, "platformId", true, &e.id) != 0)
        return;
    if (!typed) {
        const char *old;
        if (cw_arg_text(ctx, "type", true, 256, &old) != 0)
            return;
        for (size_t i = 0; i < sizeof(legacy_types) / sizeof(legacy_types[0]); i++) {
            if (strcmp(legacy_types[i].old, old) == 0)
                e.type = legacy_types[i].type;
        }
        if (e.type == NULL) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST,
                         "Param \"type\" is invalid: Value must be one of the allowed values");
            return;
        }
    }
    if (platform_args(ctx, &e, typed) != 0)
        return;
    if (cw__project_edit(ctx, p, CW_PROJECT_PLATFORMS, edit_platforms, &e) == 0)
        cw__project_json(ctx, 201, cw__project_platform_in_format(ctx, e.result));
}

void cw__project_platforms_update(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    platform_edit_t e = {.ctx = ctx};
    bool typed = cw_req_path_param(ctx->req, "type").ptr != NULL;
    if (typed && path_type(ctx, &e.type) != 0)
        return;
    e.check_type = typed;
    if (cw__project_target(ctx, &p) != 0 ||
        cw__project_arg_id(ctx, "platformId", false, &e.id) != 0 ||
        platform_args(ctx, &e, typed) != 0)
        return;
    if (typed && type_index(e.type) == 0 && e.hostname == NULL)
        e.hostname = "";
    if (cw__project_edit(ctx, p, CW_PROJECT_PLATFORMS, edit_platforms, &e) == 0)
        cw__project_json(ctx, 200, cw__project_platform_in_format(ctx, e.result));
}

void cw__project_platforms_delete(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    platform_edit_t e = {.ctx = ctx, .remove = true};
    if (cw__project_target(ctx, &p) != 0 ||
        cw__project_arg_id(ctx, "platformId", false, &e.id) != 0)
        return;
    if (cw__project_edit(ctx, p, CW_PROJECT_PLATFORMS, edit_platforms, &e) == 0)
        cw_res_empty(ctx->res, 204);
}

void cw__project_platforms_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id;
    if (cw__project_target(ctx, &p) != 0 || cw__project_arg_id(ctx, "platformId", false, &id) != 0)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(p->platforms, i, v)
    {
        const char *pid = json_string_value(json_object_get(v, "$id"));
        if (pid != NULL && strcmp(pid, id) == 0) {
            cw__project_json(ctx, 200,
                             cw__project_platform_in_format(ctx, cw__project_platform_model(v)));
            return;
        }
    }
    cw_res_error(ctx->res, CW_ERR_PLATFORM_NOT_FOUND, NULL);
}

void cw__project_platforms_list(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    json_t *all = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(p->platforms, i, v) json_array_append_new(
        all, cw__project_platform_in_format(ctx, cw__project_platform_model(v)));
    cw__project_list(ctx, all, "platforms", "$id");
}

bool cw_project_platform_web_allows(const cw_project_t *p, cw_str_t host)
{
    size_t i;
    json_t *v;
    if (p == NULL || host.len == 0)
        return false;
    json_array_foreach(p->platforms, i, v)
    {
        const char *type = json_string_value(json_object_get(v, "type"));
        const char *h = json_string_value(json_object_get(v, "hostname"));
        if (type != NULL && strcmp(type, "web") == 0 && h != NULL && h[0] != '\0' &&
            cw_cors_host_matches(host, h))
            return true;
    }
    return false;
}

bool cw_project_platform_scheme_allows(const cw_project_t *p, cw_str_t scheme)
{
    size_t i;
    json_t *v;
    if (p == NULL || scheme.len == 0)
        return false;
    /* A native app's callback scheme is appwrite-callback-<projectId> (checked by the caller);
     * Appwrite also lets an app's own key through as a scheme. */
    json_array_foreach(p->platforms, i, v)
    {
        const char *type = json_string_value(json_object_get(v, "type"));
        const char *key = json_string_value(json_object_get(v, "key"));
        if (type != NULL && strcmp(type, "web") != 0 && key != NULL && key[0] != '\0' &&
            cw_str_eq_cstr(scheme, key))
            return true;
    }
    return false;
}
