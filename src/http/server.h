/*
 * The HTTP server: h2o event loops, one per thread with its own SO_REUSEPORT listener, HTTP/1.1
 * and HTTP/2 (h2c, and TLS with ALPN when a certificate is configured). Each request is copied
 * into a cw_req_t, matched against the router and handed to the application's dispatch callback,
 * on the loop thread or, for routes flagged CW_ROUTE_OFFLOAD, on the worker pool; the response
 * is sent by the loop thread that owns the connection. A client that leaves while its request is
 * on a worker is detected and the job is dropped without touching freed memory.
 *
 * cw_server_run blocks on the calling thread until SIGINT or SIGTERM, then stops accepting,
 * finishes in-flight requests (bounded by the configured grace) and returns.
 */
#ifndef CW_HTTP_SERVER_H
#define CW_HTTP_SERVER_H

#include "core/config.h"
#include "http/router.h"

typedef struct cw_app {
    const cw_router_t *router;
    /* Makes the per-thread state handed to dispatch as ctx->thread; called on the thread itself. */
    void *(*thread_init)(void *data, int index);
    void (*thread_dispose)(void *thread);
    /* Runs the middleware and the handler (ctx->route may be NULL: no route matched). */
    void (*dispatch)(cw_ctx_t *ctx);
    /* Whether a request to a route without CW_ROUTE_OFFLOAD must still run on the worker pool
     * because its middleware will block (NULL: never). Called on the loop; must not block. */
    bool (*must_offload)(cw_ctx_t *ctx);
    /* Project ID for the access log line, or NULL. */
    const char *(*log_project)(cw_ctx_t *ctx);
    void *data;
} cw_app_t;

int cw_server_run(const cw_config_t *cfg, const cw_app_t *app);

#endif
