/*
 * Appwrite's `console` service (the spec's tag "console"): the server's variables as the console
 * app reads them, the scopes an API key may hold, the OAuth2 providers that can be configured,
 * and whether a custom domain may be used. Answers describe cwrite: no functions, sites, VCS,
 * custom domains or OAuth2 providers yet. Static answers; any thread.
 */
#include <string.h>

#include "auth/scopes.h"
#include "core/config.h"
#include "http/args.h"
#include "services/api.h"
#include "services/console_auth.h"
#include "services/routes.h"

/* The `console` group: only the console project has it. */
static int need_console(cw_ctx_t *ctx)
{
    if (cw_console_is(cw_ctx_auth(ctx)))
        return 0;
    cw_res_error(ctx->res, CW_ERR_GENERAL_ACCESS_FORBIDDEN, NULL);
    return -1;
}

static void on_variables(cw_ctx_t *ctx)
{
    if (need_console(ctx) != 0)
        return;
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_kv_cstr(w, "_APP_DOMAIN_TARGET_CNAME", "");
    cw_jw_kv_cstr(w, "_APP_DOMAIN_TARGET_A", "");
    cw_jw_kv_int(w, "_APP_COMPUTE_BUILD_TIMEOUT", 0);
    cw_jw_kv_cstr(w, "_APP_DOMAIN_TARGET_AAAA", "");
    cw_jw_kv_cstr(w, "_APP_DOMAIN_TARGET_CAA", "");
    /* The largest body the server takes is the largest file it could take. */
    cw_jw_kv_int(w, "_APP_STORAGE_LIMIT", cfg->max_body);
    cw_jw_kv_int(w, "_APP_COMPUTE_SIZE_LIMIT", 0);
    cw_jw_kv_cstr(w, "_APP_USAGE_STATS", "disabled");
    cw_jw_kv_bool(w, "_APP_VCS_ENABLED", false);
    cw_jw_kv_bool(w, "_APP_DOMAIN_ENABLED", false);
    cw_jw_kv_bool(w, "_APP_ASSISTANT_ENABLED", false);
    cw_jw_kv_cstr(w, "_APP_DOMAIN_SITES", "");
    cw_jw_kv_cstr(w, "_APP_DOMAIN_FUNCTIONS", "");
    cw_jw_kv_cstr(w, "_APP_OPTIONS_FORCE_HTTPS", cfg->tls_cert != NULL ? "enabled" : "disabled");
    cw_jw_kv_cstr(w, "_APP_DOMAINS_NAMESERVERS", "");
    cw_jw_kv_cstr(w, "_APP_DB_ADAPTER", "sqlite");
    /* What cwrite's document database supports, as Appwrite asks its adapter. */
    cw_jw_kv_bool(w, "supportForRelationships", true);
    cw_jw_kv_bool(w, "supportForOperators", true);
    cw_jw_kv_bool(w, "supportForSpatials", true);
    cw_jw_kv_bool(w, "supportForSpatialIndexNull", true);
    cw_jw_kv_bool(w, "supportForFulltextWildcard", true);
    cw_jw_kv_bool(w, "supportForMultipleFulltextIndexes", true);
    cw_jw_kv_bool(w, "supportForAttributeResizing", true);
    cw_jw_kv_bool(w, "supportForSchemas", false);
    cw_jw_kv_int(w, "maxIndexLength", 768);
    cw_jw_kv_bool(w, "supportForIntegerIds", true);
    cw_jw_obj_close(w);
}

/* A scope's category, by the service it is about (Appwrite groups them so in the console). */
static const char *scope_category(const char *scope)
{
    static const struct {
        const char *prefix, *category;
    } map[] = {
        {"project.", "Project"},
        {"keys.", "Project"},
        {"platforms.", "Project"},
        {"mocks.", "Project"},
        {"policies.", "Project"},
        {"templates.", "Project"},
        {"oauth2.", "Project"},
        {"webhooks.", "Project"},
        {"users.", "Auth"},
        {"sessions.", "Auth"},
        {"teams.", "Auth"},
        {"databases.", "Databases"},
        {"tables.", "Databases"},
        {"columns.", "Databases"},
        {"indexes.", "Databases"},
        {"rows.", "Databases"},
        {"collections.", "Databases"},
        {"attributes.", "Databases"},
        {"documents.", "Databases"},
        {"embeddings.", "Databases"},
        {"buckets.", "Storage"},
        {"files.", "Storage"},
        {"tokens.", "Storage"},
        {"functions.", "Functions"},
        {"executions.", "Functions"},
        {"execution.", "Functions"},
        {"sites.", "Sites"},
        {"log.", "Sites"},
        {"providers.", "Messaging"},
        {"topics.", "Messaging"},
        {"subscribers.", "Messaging"},
        {"targets.", "Messaging"},
        {"messages.", "Messaging"},
        {"rules.", "Proxy"},
        {"insights.", "Advisor"},
        {"reports.", "Advisor"},
        {"presences.", "Presences"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strncmp(scope, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].category;
    }
    return "Other";
}

/* Old names Appwrite still accepts but lists as deprecated. */
static bool scope_deprecated(const char *scope)
{
    static const char *const prefixes[] = {
        "policies.", "oauth2.", "collections.", "attributes.", "documents.", "execution.", NULL};
    for (const char *const *p = prefixes; *p != NULL; p++) {
        if (strncmp(scope, *p, strlen(*p)) == 0)
            return true;
    }
    return false;
}

static void on_project_scopes(cw_ctx_t *ctx)
{
    if (need_console(ctx) != 0)
        return;
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    size_t n = 0;
    while (cw_scopes_all[n] != NULL)
        n++;
    cw_jw_obj_open(w);
    cw_jw_kv_int(w, "total", (int64_t)n);
    cw_jw_key(w, "scopes");
    cw_jw_arr_open(w);
    for (size_t i = 0; i < n; i++) {
        const char *s = cw_scopes_all[i];
        const char *dot = strrchr(s, '.');
        char desc[160];
        bool read = dot != NULL && strcmp(dot, ".read") == 0;
        snprintf(desc, sizeof(desc), "%s %.*s.", read ? "Lets the key read" : "Lets the key change",
                 dot != NULL ? (int)(dot - s) : (int)strlen(s), s);
        cw_jw_obj_open(w);
        cw_jw_kv_cstr(w, "$id", s);
        cw_jw_kv_cstr(w, "description", desc);
        cw_jw_kv_cstr(w, "category", scope_category(s));
        cw_jw_kv_bool(w, "deprecated", scope_deprecated(s));
        cw_jw_obj_close(w);
    }
    cw_jw_arr_close(w);
    cw_jw_obj_close(w);
}

/* cwrite signs in with no OAuth2 provider yet, so none can be configured. */
static void on_oauth2_providers(cw_ctx_t *ctx)
{
    if (need_console(ctx) != 0)
        return;
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_kv_int(w, "total", 0);
    cw_jw_key(w, "oAuth2Providers");
    cw_jw_arr_open(w);
    cw_jw_arr_close(w);
    cw_jw_obj_close(w);
}

/* Whether a domain may become a custom domain of a project: cwrite serves none, so any valid name
 * is free; the server's own names are not. */
static void on_resource(cw_ctx_t *ctx)
{
    static const char *const types[] = {"rules", NULL};
    const char *value;
    cw_str_t type;
    if (need_console(ctx) != 0 || cw_arg_text(ctx, "value", true, 256, &value) != 0 ||
        cw_arg_enum(ctx, "type", true, types, &type) < 0)
        return;
    if (strncmp(value, "http://", 7) == 0 || strncmp(value, "https://", 8) == 0) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Domain may not start with http:// or https://.");
        return;
    }
    cw_str_t host = cw_req_header(ctx->req, "host");
    const char *colon = memchr(host.ptr, ':', host.len);
    size_t hl = colon != NULL ? (size_t)(colon - host.ptr) : host.len;
    bool has_dot = strchr(value, '.') != NULL;
    if (!has_dot || strcmp(value, "localhost") == 0 ||
        (hl == strlen(value) && memcmp(host.ptr, value, hl) == 0)) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "This domain name is not allowed. Please use a different domain.");
        return;
    }
    cw_res_empty(ctx->res, 204);
}

const cw_route_t cw_console_routes[] = {
    {"GET", "/v1/console/variables", "projects.read", on_variables, 0},
    {"GET", "/v1/console/scopes/project", "public", on_project_scopes, 0},
    {"GET", "/v1/console/oauth2-providers", "public", on_oauth2_providers, 0},
    {"GET", "/v1/console/resources", "rules.read", on_resource, 0},
};
const size_t cw_console_routes_count = sizeof(cw_console_routes) / sizeof(cw_console_routes[0]);
