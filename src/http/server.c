#define H2O_USE_EPOLL 1
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <h2o.h>
#include <h2o/http2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "http/pool.h"

typedef struct loop loop_t;

typedef struct server {
    const cw_config_t *cfg;
    const cw_app_t *app;
    h2o_globalconf_t globalconf;
    SSL_CTX *ssl_ctx;
    cw_pool_t *pool;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int nloops;
    loop_t *loops;
} server_t;

struct loop {
    server_t *srv;
    int index;
    pthread_t tid;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_multithread_receiver_t done; /* jobs back from workers */
    h2o_socket_t *listener;
    int listen_fd;
    void *thread;
    size_t inflight; /* jobs on the pool; loop thread only */
    int ready;       /* 1 once listening, -1 when the loop failed to start */
    /* The last content type this loop looked up in h2o's mime map, and the answer. */
    char mime_type[64];
    size_t mime_type_len;
    h2o_mime_attributes_t *mime_attr;
};

/* A request's trip through the pool. The loop thread owns `req`; a worker only touches creq,
 * cres and `cancelled`. */
typedef struct job job_t;

/* Lives in the h2o request's pool: when h2o frees the request (client gone, stream reset), its
 * dispose tells the job, so nobody touches the freed request. */
typedef struct job_ref {
    job_t *job;
} job_ref_t;

struct job {
    cw_pool_job_t pool_job;
    h2o_multithread_message_t msg;
    loop_t *loop;
    h2o_req_t *req;
    job_ref_t *ref;
    atomic_int cancelled;
    cw_req_t creq;
    cw_res_t cres;
    cw_ctx_t cctx;
};

static atomic_int stopping;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stopping, 1);
}

static const char *status_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

static void job_free(job_t *job)
{
    cw_res_destroy(&job->cres);
    cw_req_destroy(&job->creq);
    free(job);
}

static void on_ref_dispose(void *p)
{
    job_ref_t *ref = p;
    if (ref->job != NULL) {
        atomic_store(&ref->job->cancelled, 1);
        ref->job->req = NULL;
        ref->job->ref = NULL;
    }
}

/* inet_ntop(AF_INET) as glibc writes it, without the sprintf it costs per request (7% of a
 * small request's instructions under callgrind). out holds at least 16 bytes. */
static void format_ipv4(const struct in_addr *addr, char *out)
{
    const unsigned char *b = (const unsigned char *)&addr->s_addr;
    char *p = out;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = i < 3 ? '.' : '\0';
    }
}

/* Copies what the handler needs out of h2o's request, so the copy can outlive it. */
static void copy_request(job_t *job, h2o_req_t *req)
{
    cw_req_t *c = &job->creq;
    cw_arena_t *a = &c->arena;
    c->method = cw_arena_str_dup(a, (cw_str_t){req->method.base, req->method.len});
    size_t path_len = req->path_normalized.len;
    c->path = cw_arena_str_dup(a, (cw_str_t){req->path_normalized.base, path_len});
    if (req->query_at != SIZE_MAX)
        c->query = cw_arena_str_dup(a, (cw_str_t){req->path.base + req->query_at + 1,
                                                  req->path.len - req->query_at - 1});
    c->nheaders = req->headers.size;
    /* h2o keeps Host (HTTP/1) and :authority (HTTP/2) out of the header list; the services read
     * it as "host" (cookie domains, same-site checks), so it goes back in as one. */
    c->headers = cw_arena_alloc(a, sizeof(cw_header_t) * (c->nheaders + 1));
    for (size_t i = 0; i < req->headers.size; i++) {
        h2o_header_t *h = &req->headers.entries[i];
        c->headers[i].name = cw_arena_str_dup(a, (cw_str_t){h->name->base, h->name->len});
        c->headers[i].value = cw_arena_str_dup(a, (cw_str_t){h->value.base, h->value.len});
    }
    if (req->authority.len > 0 && h2o_find_header(&req->headers, H2O_TOKEN_HOST, -1) == -1) {
        c->headers[c->nheaders].name = CW_STR_LIT("host");
        c->headers[c->nheaders].value =
            cw_arena_str_dup(a, (cw_str_t){req->authority.base, req->authority.len});
        c->nheaders++;
    }
    if (req->entity.base != NULL)
        c->body = cw_arena_str_dup(a, (cw_str_t){req->entity.base, req->entity.len});
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    char ip[INET6_ADDRSTRLEN] = "";
    if (sl != 0 && ss.ss_family == AF_INET)
        format_ipv4(&((struct sockaddr_in *)&ss)->sin_addr, ip);
    else if (sl != 0 && ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof(ip));
    c->ip = cw_arena_str_dup(a, cw_str(ip));
    c->authority = cw_arena_str_dup(a, (cw_str_t){req->authority.base, req->authority.len});
    c->secure = req->scheme == &H2O_URL_SCHEME_HTTPS;
}

static void access_log(loop_t *lp, job_t *job, size_t bytes)
{
    if (!lp->srv->cfg->access_log)
        return;
    const char *project = lp->srv->app->log_project != NULL ? lp->srv->app->log_project(&job->cctx) : NULL;
    char ts[CW_TIME_ISO_LEN];
    cw_time_format(cw_time_now_ms(), ts);
    char line[1024];
    int n = snprintf(line, sizeof(line), "%s %.*s %.*s %d %zu %lldus project=%s ip=%.*s\n", ts,
                     (int)job->creq.method.len, job->creq.method.ptr,
                     (int)(job->creq.path.len > 512 ? 512 : job->creq.path.len), job->creq.path.ptr,
                     job->cres.status, bytes,
                     (long long)(cw_time_mono_us() - job->creq.start_us),
                     project != NULL ? project : "-", (int)job->creq.ip.len, job->creq.ip.ptr);
    if (n > 0) {
        ssize_t w = write(STDOUT_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        (void)w;
    }
}

/* h2o_start_response looks the content type up in the mime map (a hash of the type, then of the
 * type without its parameters) for every response, to decide on compression. Nearly all our
 * responses have the same JSON type, so each loop remembers the last answer; the map is
 * configuration and does not change while we run. */
static void set_mime_attr(loop_t *lp, h2o_req_t *req, const char *type, size_t len)
{
    if (len == lp->mime_type_len && len != 0 && memcmp(type, lp->mime_type, len) == 0) {
        req->res.mime_attr = lp->mime_attr;
        return;
    }
    h2o_req_fill_mime_attributes(req);
    if (len < sizeof(lp->mime_type)) {
        memcpy(lp->mime_type, type, len);
        lp->mime_type_len = len;
        lp->mime_attr = req->res.mime_attr;
    }
}

static void send_response(loop_t *lp, job_t *job)
{
    static h2o_generator_t generator = {NULL, NULL};
    h2o_req_t *req = job->req;
    cw_res_t *res = &job->cres;
    cw_str_t body = cw_res_body(res);

    req->res.status = res->status;
    req->res.reason = status_reason(res->status);
    /* One allocation for all the headers instead of the vector doubling as they come. */
    h2o_vector_reserve(&req->pool, &req->res.headers, req->res.headers.size + res->nheaders + 1);
    if (res->content_type != NULL) {
        size_t type_len = strlen(res->content_type);
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                       res->content_type, type_len);
        set_mime_attr(lp, req, res->content_type, type_len);
    }
    for (size_t i = 0; i < res->nheaders; i++) {
        cw_str_t v = res->header_values[i];
        char *vcopy = h2o_mem_alloc_pool(&req->pool, v.len + 1);
        memcpy(vcopy, v.ptr, v.len);
        h2o_add_header_by_str(&req->pool, &req->res.headers, res->header_names[i].ptr,
                              res->header_names[i].len, 1, NULL, vcopy, v.len);
    }
    if (atomic_load(&stopping))
        req->http1_is_persistent = 0;
    h2o_iovec_t iov = {NULL, 0};
    if (body.len > 0) {
        if (res->static_body.ptr != NULL) {
            iov = h2o_iovec_init(body.ptr, body.len);
        } else {
            iov.base = h2o_mem_alloc_pool(&req->pool, body.len);
            memcpy(iov.base, body.ptr, body.len);
            iov.len = body.len;
        }
    }
    req->res.content_length = body.len;
    access_log(lp, job, body.len);
    h2o_start_response(req, &generator);
    h2o_send(req, &iov, iov.len ? 1 : 0, H2O_SEND_STATE_FINAL);
}

static void run_dispatch(job_t *job, void *thread)
{
    job->cctx.thread = thread;
    job->loop->srv->app->dispatch(&job->cctx);
}

/* Worker thread: run the handler unless the client already left, then post the job home. */
static void on_pool_job(cw_pool_job_t *pj, void *thread)
{
    job_t *job = H2O_STRUCT_FROM_MEMBER(job_t, pool_job, pj);
    if (!atomic_load(&job->cancelled))
        run_dispatch(job, thread);
    h2o_multithread_send_message(&job->loop->done, &job->msg);
}

/* Loop thread: respond for each finished job whose client is still there. */
static void on_jobs_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    loop_t *lp = H2O_STRUCT_FROM_MEMBER(loop_t, done, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *msg =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&msg->link);
        job_t *job = H2O_STRUCT_FROM_MEMBER(job_t, msg, msg);
        lp->inflight--;
        if (job->ref != NULL)
            job->ref->job = NULL;
        if (job->req != NULL)
            send_response(lp, job);
        job_free(job);
    }
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    loop_t *lp = H2O_STRUCT_FROM_MEMBER(loop_t, ctx, req->conn->ctx);
    server_t *srv = lp->srv;
    job_t *job = cw_calloc(1, sizeof(*job));
    cw_req_init(&job->creq);
    job->creq.start_us = cw_time_mono_us();
    cw_res_init(&job->cres, &job->creq.arena);
    job->loop = lp;
    job->req = req;
    copy_request(job, req);
    job->cctx.req = &job->creq;
    job->cctx.res = &job->cres;
    job->cctx.route = cw_router_match(srv->app->router, job->creq.method, job->creq.path, &job->creq);

    if (job->cctx.route == NULL || cw_str_eq_cstr(job->creq.method, "OPTIONS") ||
        (!(job->cctx.route->flags & CW_ROUTE_OFFLOAD) &&
         (srv->app->must_offload == NULL || !srv->app->must_offload(&job->cctx)))) {
        run_dispatch(job, lp->thread);
        send_response(lp, job);
        job_free(job);
        return 0;
    }

    job->ref = h2o_mem_alloc_shared(&req->pool, sizeof(job_ref_t), on_ref_dispose);
    job->ref->job = job;
    job->pool_job.run = on_pool_job;
    if (cw_pool_submit(srv->pool, &job->pool_job) < 0) {
        job->ref->job = NULL;
        cw_jw_t *w = cw_res_json(&job->cres, 503);
        cw_jw_obj_open(w);
        cw_jw_kv_cstr(w, "message", "The server is too busy to take this request now; try again shortly.");
        cw_jw_kv_int(w, "code", 503);
        cw_jw_kv_cstr(w, "type", "general_server_error");
        cw_jw_kv_cstr(w, "version", CW_APPWRITE_VERSION);
        cw_jw_obj_close(w);
        cw_res_header(&job->cres, "retry-after", CW_STR_LIT("1"));
        send_response(lp, job);
        job_free(job);
        return 0;
    }
    lp->inflight++;
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err != NULL)
        return;
    loop_t *lp = listener->data;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (sock == NULL)
        return;
    h2o_accept(&lp->accept_ctx, sock);
}

static int open_listener(server_t *srv)
{
    int fd = socket(srv->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)&srv->addr, srv->addrlen) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int connections_open(loop_t *lp)
{
    return !h2o_linklist_is_empty(&lp->ctx.http1._conns) ||
           !h2o_linklist_is_empty(&lp->ctx.http2._conns);
}

/* Runs on the loop's own thread, as h2o wants: its sockets and buffers point into that thread's
 * allocators. Only when no job is still out on the pool (it would post to the receiver) and no
 * connection is left; otherwise the loop is left as it is, for the process exit to reclaim. */
static void loop_dispose(loop_t *lp)
{
    if (lp->inflight > 0 || connections_open(lp))
        return;
    h2o_multithread_unregister_receiver(lp->ctx.queue, &lp->done);
    h2o_loop_t *loop = lp->ctx.loop;
    h2o_multithread_queue_t *queue = lp->ctx.queue;
    h2o_context_dispose(&lp->ctx);
    /* Closing the context's sockets is deferred to the next turn of the loop. */
    h2o_evloop_run(loop, 0);
    h2o_evloop_destroy(loop);
    /* h2o 2.2.5's evloop h2o_multithread_destroy_queue closes the queue but never frees it. */
    free(queue);
}

static void *loop_main(void *arg)
{
    loop_t *lp = arg;
    server_t *srv = lp->srv;
    h2o_context_init(&lp->ctx, h2o_evloop_create(), &srv->globalconf);
    lp->accept_ctx.ctx = &lp->ctx;
    lp->accept_ctx.hosts = srv->globalconf.hosts;
    lp->accept_ctx.ssl_ctx = srv->ssl_ctx;
    h2o_multithread_register_receiver(lp->ctx.queue, &lp->done, on_jobs_done);
    lp->thread = srv->app->thread_init != NULL ? srv->app->thread_init(srv->app->data, lp->index) : NULL;

    lp->listen_fd = open_listener(srv);
    if (lp->listen_fd < 0) {
        cw_log(CW_LOG_ERROR, "msg=\"cannot listen\" listen=%s error=\"%s\"", srv->cfg->listen,
               strerror(errno));
        __atomic_store_n(&lp->ready, -1, __ATOMIC_RELEASE);
        goto out;
    }
    lp->listener = h2o_evloop_socket_create(lp->ctx.loop, lp->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    lp->listener->data = lp;
    h2o_socket_read_start(lp->listener, on_accept);
    __atomic_store_n(&lp->ready, 1, __ATOMIC_RELEASE);

    while (!atomic_load(&stopping))
        h2o_evloop_run(lp->ctx.loop, 200);

    /* Stop accepting, let in-flight requests finish, close idle connections quickly. */
    h2o_socket_read_stop(lp->listener);
    h2o_socket_close(lp->listener);
    lp->listener = NULL;
    h2o_context_request_shutdown(&lp->ctx);
    lp->ctx.http1.req_timeout.timeout = 100;
    lp->ctx.http2.idle_timeout.timeout = 100;
    int64_t deadline = cw_time_mono_us() + (int64_t)srv->cfg->shutdown_grace * 1000000;
    while (cw_time_mono_us() < deadline &&
           (lp->inflight > 0 || connections_open(lp) ||
            h2o_timeout_is_linked(&lp->ctx.http2._graceful_shutdown_timeout)))
        h2o_evloop_run(lp->ctx.loop, 50);
    if (lp->inflight > 0 || connections_open(lp))
        cw_log(CW_LOG_WARN, "msg=\"stopping with requests still open\" loop=%d inflight=%zu",
               lp->index, lp->inflight);
out:
    loop_dispose(lp);
    if (srv->app->thread_dispose != NULL)
        srv->app->thread_dispose(lp->thread);
    return NULL;
}


static int parse_listen(server_t *srv, const char *listen)
{
    const char *colon = strrchr(listen, ':');
    if (colon == NULL)
        return -1;
    char host[256];
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof(host))
        return -1;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    char *h = host;
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        h = host + 1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    if (getaddrinfo(h[0] ? h : NULL, colon + 1, &hints, &res) != 0 || res == NULL)
        return -1;
    memcpy(&srv->addr, res->ai_addr, res->ai_addrlen);
    srv->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int setup_tls(server_t *srv)
{
    const cw_config_t *cfg = srv->cfg;
    if (cfg->tls_cert == NULL && cfg->tls_key == NULL)
        return 0;
    if (cfg->tls_cert == NULL || cfg->tls_key == NULL) {
        cw_log(CW_LOG_ERROR, "msg=\"--tls-cert and --tls-key go together\"");
        return -1;
    }
    srv->ssl_ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(srv->ssl_ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(srv->ssl_ctx, cfg->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(srv->ssl_ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
        char err[256];
        ERR_error_string_n(ERR_get_error(), err, sizeof(err));
        cw_log(CW_LOG_ERROR, "msg=\"cannot load TLS certificate or key\" error=\"%s\"", err);
        return -1;
    }
    h2o_ssl_register_alpn_protocols(srv->ssl_ctx, h2o_http2_alpn_protocols);
    return 0;
}

int cw_server_run(const cw_config_t *cfg, const cw_app_t *app)
{
    server_t srv = {.cfg = cfg, .app = app};
    int rc = -1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    srv.nloops = cfg->threads > 0 ? cfg->threads : (int)(ncpu > 0 ? ncpu : 1);
    int nworkers = cfg->workers > 0 ? cfg->workers : (int)(ncpu > 0 ? ncpu : 1);

    if (parse_listen(&srv, cfg->listen) < 0) {
        cw_log(CW_LOG_ERROR, "msg=\"bad listen address, want HOST:PORT\" listen=%s", cfg->listen);
        return -1;
    }
    if (setup_tls(&srv) < 0)
        goto out_tls;

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    h2o_config_init(&srv.globalconf);
    srv.globalconf.max_request_entity_size = (size_t)cfg->max_body;
    srv.globalconf.http1.req_timeout = 60000;
    srv.globalconf.server_name = h2o_iovec_init(H2O_STRLIT("cwrite"));
    h2o_hostconf_t *host = h2o_config_register_host(&srv.globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
    h2o_compress_args_t ca = {.min_size = 1024, .gzip = {.quality = 1}, .brotli = {.quality = -1}};
    h2o_compress_register(pathconf, &ca);

    /* SO_REUSEPORT would let us share a port with another server of the same user; a plain
     * bind first makes "address in use" an error, as it should be. */
    int probe = socket(srv.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0 || bind(probe, (struct sockaddr *)&srv.addr, srv.addrlen) != 0) {
        cw_log(CW_LOG_ERROR, "msg=\"cannot listen\" listen=%s error=\"%s\"", cfg->listen, strerror(errno));
        if (probe >= 0)
            close(probe);
        h2o_config_dispose(&srv.globalconf);
        goto out_tls;
    }
    close(probe);

    srv.pool = cw_pool_start(nworkers, (size_t)cfg->queue_max, app->thread_init, app->thread_dispose, app->data);
    srv.loops = cw_calloc((size_t)srv.nloops, sizeof(loop_t));
    for (int i = 0; i < srv.nloops; i++) {
        srv.loops[i].srv = &srv;
        srv.loops[i].index = i;
        pthread_create(&srv.loops[i].tid, NULL, loop_main, &srv.loops[i]);
    }
    int failed = 0;
    for (int i = 0; i < srv.nloops; i++) {
        while (__atomic_load_n(&srv.loops[i].ready, __ATOMIC_ACQUIRE) == 0)
            usleep(1000);
        failed |= srv.loops[i].ready < 0;
    }
    if (failed) {
        atomic_store(&stopping, 1);
    } else {
        cw_log(CW_LOG_INFO, "msg=\"listening\" address=%s%s loops=%d workers=%d", cfg->listen,
               srv.ssl_ctx != NULL ? " tls=on" : "", srv.nloops, nworkers);
        rc = 0;
    }
    for (int i = 0; i < srv.nloops; i++)
        pthread_join(srv.loops[i].tid, NULL);
    cw_pool_stop(srv.pool);
    free(srv.loops);
    h2o_config_dispose(&srv.globalconf);
    if (rc == 0)
        cw_log(CW_LOG_INFO, "msg=\"stopped\"");
out_tls:
    if (srv.ssl_ctx != NULL)
        SSL_CTX_free(srv.ssl_ctx);
    return rc;
}
