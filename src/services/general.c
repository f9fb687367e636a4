/* Routes outside any service: the ping Appwrite's SDKs and console use to test a connection. */
#include "services/routes.h"

static void on_ping(cw_ctx_t *ctx)
{
    static const char pong[] = "Pong!";
    cw_res_static(ctx->res, 200, "text/plain; charset=UTF-8", pong, sizeof(pong) - 1);
}

const cw_route_t cw_general_routes[] = {
    {"GET", "/v1/ping", "global", on_ping, 0},
};
const size_t cw_general_routes_count = sizeof(cw_general_routes) / sizeof(cw_general_routes[0]);
