/*
 * Routes: each service declares one table of (method, path pattern, scope, handler, flags); the
 * router matches a request's method and decoded path against all tables. Built on the main thread
 * before the server starts, then read-only, so any thread may match.
 */
#ifndef CW_HTTP_ROUTER_H
#define CW_HTTP_ROUTER_H

#include <stddef.h>

#include "http/request.h"
#include "http/response.h"

typedef struct cw_ctx cw_ctx_t;
typedef void (*cw_handler_cb)(cw_ctx_t *ctx);

enum {
    CW_ROUTE_OFFLOAD = 1 << 0,   /* may block: runs on the worker pool */
    CW_ROUTE_NO_AUTH = 1 << 1,   /* answers without a project or credentials */
    CW_ROUTE_MFA_OPEN = 1 << 2,  /* open to a session still short of factors (Appwrite's `mfa`) */
    CW_ROUTE_MFA_FRESH = 1 << 3, /* needs a challenge passed in the last 30 min (`mfaProtected`) */
    CW_ROUTE_HTML_ERRORS = 1 << 4, /* a browser is sent here: errors are pages (Appwrite's `error`) */
};

typedef struct cw_route {
    const char *method;
    const char *path;  /* "/v1/health/queue/failed/{name}" */
    const char *scope; /* NULL: none needed; "a,b": either one */
    cw_handler_cb handler;
    unsigned flags;
} cw_route_t;

/* What a handler works with. `thread` is the per-thread state the application made for the
 * thread running the handler; `auth` is what the application's middleware resolved. */
struct cw_ctx {
    cw_req_t *req;
    cw_res_t *res;
    const cw_route_t *route;
    void *thread;
    void *auth;
};

typedef struct cw_router cw_router_t;

cw_router_t *cw_router_new(void);
void cw_router_free(cw_router_t *r);
/* Adds a table; the routes must outlive the router. */
void cw_router_add(cw_router_t *r, const cw_route_t *routes, size_t n);
/* Finds the route for method and path, filling req's path parameters (slices into path, which must
 * outlive them). Static segments win over parameters. NULL when nothing matches. */
const cw_route_t *cw_router_match(const cw_router_t *r, cw_str_t method, cw_str_t path, cw_req_t *req);
size_t cw_router_count(const cw_router_t *r);

#endif
