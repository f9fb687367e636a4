/* The Health service: real checks of the parts cwrite runs on, each with its ping time. */
#include "services/routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/net.h"
#include "core/sntp.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/tlsprobe.h"
#include "db/sqlite_probe.h"
#include "http/args.h"
#include "services/api.h"
#include "services/health_checks.h"
#include "storage/clamd.h"

#define CLAMD_TIMEOUT_MS 3000
#define SNTP_TIMEOUT_MS 3000
#define TLS_TIMEOUT_MS 5000
#define TIME_GAP_MAX_S 60 /* a larger gap with the time server fails the check, as in Appwrite */
#define QUEUE_THRESHOLD_DEFAULT 5000
#define QUEUE_PREFIX "/v1/health/queue/"

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

/* Milliseconds since start (a cw_time_mono_us reading), rounded as Appwrite rounds its pings. */
static int64_t ping_ms(int64_t start_us)
{
    return (cw_time_mono_us() - start_us + 500) / 1000;
}

/* A failed check: the detail goes to the log, and to the client only in development, since in
 * production Appwrite answers every 500 with "Server Error". */
static void __attribute__((format(printf, 2, 3))) check_failed(cw_ctx_t *ctx, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    cw_log(CW_LOG_WARN, "health: check failed route=%s detail=\"%s\"", ctx->route->path, detail);
    const char *env = cw_ctx_thread(ctx)->cfg->env;
    bool dev = env != NULL && strcmp(env, "development") == 0;
    cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, "%s", dev ? detail : "Server Error");
}

static void write_status(cw_jw_t *w, const char *name, int64_t ping)
{
    cw_jw_obj_open(w);
    cw_jw_kv_cstr(w, "name", name);
    cw_jw_kv_int(w, "ping", ping);
    cw_jw_kv_cstr(w, "status", "pass");
    cw_jw_obj_close(w);
}

typedef struct status_item {
    const char *name;
    int64_t ping;
} status_item_t;

static void write_status_list(cw_ctx_t *ctx, const status_item_t *items, size_t n)
{
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_kv_int(w, "total", (int64_t)n);
    cw_jw_key(w, "statuses");
    cw_jw_arr_open(w);
    for (size_t i = 0; i < n; i++)
        write_status(w, items[i].name, items[i].ping);
    cw_jw_arr_close(w);
    cw_jw_obj_close(w);
}

/* The console store answers a query on this thread's connection; the project databases'
 * engine creates, writes and reads a scratch database in the data folder, as a new project's
 * database would be. Named as Appwrite names its pools, with the engine in parentheses. */
static void on_db(cw_ctx_t *ctx)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    status_item_t items[2] = {{"Console.DB (sqlite)", 0}, {"Projects.DB (sqlite)", 0}};
    int64_t start = cw_time_mono_us();
    if (t->console == NULL || cw_console_ping(t->console) != CW_OK) {
        check_failed(ctx, "the console store did not answer a query");
        return;
    }
    items[0].ping = ping_ms(start);
    start = cw_time_mono_us();
    if (cw_sqlite_probe_run(t->cfg->data_dir) != CW_OK) {
        check_failed(ctx, "a project database could not be created and read");
        return;
    }
    items[1].ping = ping_ms(start);
    write_status_list(ctx, items, 2);
}

static void on_cache(cw_ctx_t *ctx)
{
    int64_t start = cw_time_mono_us();
    if (cw_health_cache_ping() != CW_OK) {
        check_failed(ctx, "the %s cache did not answer", CW_HEALTH_CACHE_BACKEND);
        return;
    }
    status_item_t item = {"Cache (" CW_HEALTH_CACHE_BACKEND ")", ping_ms(start)};
    write_status_list(ctx, &item, 1);
}

static void on_pubsub(cw_ctx_t *ctx)
{
    int64_t start = cw_time_mono_us();
    if (cw_health_pubsub_ping() != CW_OK) {
        check_failed(ctx, "the %s pub/sub did not answer", CW_HEALTH_PUBSUB_BACKEND);
        return;
    }
    status_item_t item = {"PubSub (" CW_HEALTH_PUBSUB_BACKEND ")", ping_ms(start)};
    write_status_list(ctx, &item, 1);
}

/* The model's name is left empty, as Appwrite leaves it for both storage checks. */
static void reply_storage(cw_ctx_t *ctx, int64_t start)
{
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    write_status(w, "", ping_ms(start));
}

/* The files device: a round trip of a small file in <data>/storage, where uploads live. */
static void on_storage(cw_ctx_t *ctx)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/storage", cw_ctx_thread(ctx)->cfg->data_dir);
    int64_t start = cw_time_mono_us();
    if (cw_health_storage_roundtrip(dir) != CW_OK) {
        check_failed(ctx, "the files folder failed a write and read back");
        return;
    }
    reply_storage(ctx, start);
}

/* Every local folder cwrite writes to: the data folder (databases) and its storage folder. */
static void on_storage_local(cw_ctx_t *ctx)
{
    const char *data = cw_ctx_thread(ctx)->cfg->data_dir;
    char files[4096];
    snprintf(files, sizeof(files), "%s/storage", data);
    int64_t start = cw_time_mono_us();
    if (cw_health_storage_roundtrip(data) != CW_OK) {
        check_failed(ctx, "the data folder failed a write and read back");
        return;
    }
    if (cw_health_storage_roundtrip(files) != CW_OK) {
        check_failed(ctx, "the files folder failed a write and read back");
        return;
    }
    reply_storage(ctx, start);
}

/* "disabled" unless antivirus is enabled; then "online" with clamd's version when it answers PING
 * and VERSION, or "offline" when it does not (the statuses of the spec's enum: Appwrite's code
 * answers pass or fail, or a 500 when clamd is unreachable). */
static void on_antivirus(cw_ctx_t *ctx)
{
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    char version[256] = "";
    const char *status = "disabled";
    if (cfg->antivirus != NULL && strcmp(cfg->antivirus, "enabled") == 0) {
        int sys_err = 0;
        int rc = cw_clamd_ping(cfg->clamd_host, cfg->clamd_port, CLAMD_TIMEOUT_MS, &sys_err);
        if (rc == CW_OK)
            rc = cw_clamd_version(cfg->clamd_host, cfg->clamd_port, CLAMD_TIMEOUT_MS, version,
                                  sizeof(version), &sys_err);
        status = rc == CW_OK ? "online" : "offline";
        if (rc != CW_OK) {
            version[0] = '\0';
            cw_log(CW_LOG_WARN, "health: clamd unreachable host=%s port=%d error=\"%s\"",
                   cfg->clamd_host, cfg->clamd_port,
                   sys_err != 0 ? strerror(sys_err) : cw_strerror(rc));
        }
    }
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_kv_cstr(w, "version", version);
    cw_jw_kv_cstr(w, "status", status);
    cw_jw_obj_close(w);
}

/*
 * The server's clock against an SNTP server's (--ntp-server), in Unix seconds as Appwrite reports
 * them (the spec says the diff is in milliseconds; Appwrite sends seconds). With no server
 * configured there is nothing to compare with: cwrite never asks a public server on its own, so
 * remoteTime is the local time and diff is 0. A gap over 60 s, or no answer in time, is a 500.
 */
static void on_time(cw_ctx_t *ctx)
{
    const char *server = cw_ctx_thread(ctx)->cfg->ntp_server;
    int64_t remote = 0;
    bool ask = server != NULL && server[0] != '\0';
    if (ask) {
        int64_t remote_us = 0;
        int sys_err = 0;
        int rc = cw_sntp_query(server, SNTP_TIMEOUT_MS, &remote_us, &sys_err);
        if (rc != CW_OK) {
            check_failed(ctx, "Time server %s did not answer: %s", server,
                         sys_err != 0 ? strerror(sys_err) : cw_strerror(rc));
            return;
        }
        remote = remote_us / 1000000;
    }
    int64_t local = cw_time_now_us() / 1000000;
    if (!ask)
        remote = local;
    int64_t diff = remote - local;
    if (diff > TIME_GAP_MAX_S || diff < -TIME_GAP_MAX_S) {
        check_failed(ctx, "Server time is %lld s off the time server's", (long long)diff);
        return;
    }
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_kv_int(w, "remoteTime", remote);
    cw_jw_kv_int(w, "localTime", local);
    cw_jw_kv_int(w, "diff", diff);
    cw_jw_obj_close(w);
}

/*
 * The certificate a TLS server presents for domain (HOST[:PORT] or a URL; port 443 by default).
 * validFrom and validTo are Unix seconds written as strings, the spec's type: Appwrite sends
 * numbers, but SDKs that read the model as typed (Kotlin, Swift) expect strings. Unlike Appwrite,
 * private and loopback hosts are accepted, since a self-hosted server often checks its own.
 */
static void on_certificate(cw_ctx_t *ctx)
{
    cw_str_t domain;
    char host[CW_NET_HOST_MAX], why[256];
    int port;
    if (cw_arg_str(ctx, "domain", true, 2048, &domain) != 0)
        return;
    if (cw_health_domain_parse(domain, host, &port) != CW_OK) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Invalid `domain` param: Value must be a valid domain, optionally with a "
                     "port, or a URL");
        return;
    }
    cw_tlsprobe_cert_t cert;
    if (cw_tlsprobe_fetch(host, port, TLS_TIMEOUT_MS, &cert, why, sizeof(why)) != CW_OK) {
        cw_res_error(ctx->res, CW_ERR_HEALTH_INVALID_HOST, "Cannot connect to %s port %d: %s", host,
                     port, why);
        return;
    }
    if (cert.valid_to < cw_time_now_us() / 1000000) {
        cw_res_error(ctx->res, CW_ERR_HEALTH_CERTIFICATE_EXPIRED,
                     "The certificate of %s has expired; it is no longer valid.", host);
        return;
    }
    char from[24], to[24];
    snprintf(from, sizeof(from), "%lld", (long long)cert.valid_from);
    snprintf(to, sizeof(to), "%lld", (long long)cert.valid_to);
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_kv_cstr(w, "name", cert.name);
    cw_jw_kv_cstr(w, "subjectSN", cert.subject_cn);
    cw_jw_kv_cstr(w, "issuerOrganisation", cert.issuer_org);
    cw_jw_kv_cstr(w, "validFrom", from);
    cw_jw_kv_cstr(w, "validTo", to);
    cw_jw_kv_cstr(w, "signatureTypeSN", cert.signature_type);
    cw_jw_obj_close(w);
}

/* The threshold parameter: Appwrite's signed 32-bit integer, 5000 by default. */
static int read_threshold(cw_ctx_t *ctx, int64_t *threshold)
{
    *threshold = QUEUE_THRESHOLD_DEFAULT;
    return cw_arg_int(ctx, "threshold", false, INT32_MIN, INT32_MAX, threshold) < 0 ? -1 : 0;
}

static void reply_queue(cw_ctx_t *ctx, cw_str_t queue, bool failed, int64_t threshold)
{
    int64_t size = 0;
    if (cw_health_queue_size(cw_ctx_thread(ctx)->queue, queue, failed, &size) != CW_OK) {
        check_failed(ctx, "the size of queue %.*s is unknown", (int)queue.len, queue.ptr);
        return;
    }
    if (size >= threshold) {
        cw_res_error(ctx->res, CW_ERR_HEALTH_QUEUE_SIZE_EXCEEDED,
                     "%s of queue %.*s reached the threshold: %lld, threshold %lld.",
                     failed ? "Failed jobs" : "Jobs", (int)queue.len, queue.ptr, (long long)size,
                     (long long)threshold);
        return;
    }
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_kv_int(w, "size", size);
    cw_jw_obj_close(w);
}

/* /health/queue/<name>: the queue is Appwrite's "v1-<name>", except databases, whose queue is
 * named by the `name` parameter. */
static void on_queue(cw_ctx_t *ctx)
{
    char named[64];
    cw_str_t queue;
    int64_t threshold;
    const char *tail = ctx->route->path + strlen(QUEUE_PREFIX);
    if (strcmp(tail, "databases") == 0) {
        queue = CW_STR_LIT(CW_HEALTH_DATABASE_QUEUE);
        if (cw_arg_str(ctx, "name", false, 256, &queue) < 0)
            return;
    } else {
        snprintf(named, sizeof(named), "v1-%s", tail);
        queue = cw_str(named);
    }
    if (read_threshold(ctx, &threshold) < 0)
        return;
    reply_queue(ctx, queue, false, threshold);
}

static void on_queue_failed(cw_ctx_t *ctx)
{
    cw_str_t name;
    int64_t threshold;
    if (cw_arg_str(ctx, "name", true, 0, &name) < 0)
        return;
    const char *queue = cw_health_failed_queue_find(name);
    if (queue == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Invalid `name` param: Value must be one of (%s)",
                     cw_health_failed_queues_text);
        return;
    }
    if (read_threshold(ctx, &threshold) < 0)
        return;
    reply_queue(ctx, cw_str(queue), true, threshold);
}

/* Every check that reaches a disk, a socket or SQLite runs on the worker pool. Cache, pub/sub and
 * queue sizes are in-process today, but their networked backends will not be. */
#define CHECK CW_ROUTE_OFFLOAD

const cw_route_t cw_health_routes[] = {
    {"GET", "/v1/health", "health.read", on_http, 0},
    {"GET", "/v1/health/version", "public", on_version, 0},
    {"GET", "/v1/health/db", "health.read", on_db, CHECK},
    {"GET", "/v1/health/cache", "health.read", on_cache, CHECK},
    {"GET", "/v1/health/pubsub", "health.read", on_pubsub, CHECK},
    {"GET", "/v1/health/storage", "health.read", on_storage, CHECK},
    {"GET", "/v1/health/storage/local", "health.read", on_storage_local, CHECK},
    {"GET", "/v1/health/anti-virus", "health.read", on_antivirus, CHECK},
    {"GET", "/v1/health/time", "health.read", on_time, CHECK},
    {"GET", "/v1/health/certificate", "health.read", on_certificate, CHECK},
    {"GET", QUEUE_PREFIX "audits", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "builds", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "certificates", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "databases", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "deletes", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "functions", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "logs", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "mails", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "messaging", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "migrations", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "stats-resources", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "stats-usage", "health.read", on_queue, CHECK},
    {"GET", QUEUE_PREFIX "webhooks", "health.read", on_queue, CHECK},
    {"GET", "/v1/health/queue/failed/{name}", "health.read", on_queue_failed, CHECK},
};
const size_t cw_health_routes_count = sizeof(cw_health_routes) / sizeof(cw_health_routes[0]);
