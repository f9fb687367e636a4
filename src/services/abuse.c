#include "services/abuse.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "services/api.h"

#define DEFAULT_KEY "url:{url},ip:{ip}"
#define DEFAULT_PERIOD 3600
#define WRITE_RATE 60   /* APP_LIMIT_WRITE_RATE_DEFAULT */
#define WRITE_PERIOD 60 /* APP_LIMIT_WRITE_RATE_PERIOD_DEFAULT */
#define KEYS_MAX 2

/* One limited route. path is ours ("{param}"); url is Appwrite's own path (":param"), the one its
 * {url} names: an alias shares the counters of the route it stands for. keys NULL: DEFAULT_KEY;
 * period 0: DEFAULT_PERIOD; reset: a status that starts the counts again (0: none). */
typedef struct rule {
    const char *method, *path, *url;
    int limit, period;
    const char *keys[KEYS_MAX];
    int reset;
} rule_t;

#define EMAIL_OR_IP                                                                                \
    {                                                                                              \
        "url:{url},email:{param-email}", "url:{url},ip:{ip}"                                       \
    }
#define WRITE_KEY                                                                                  \
    {                                                                                              \
        "ip:{ip},method:{method},url:{url},userId:{userId}"                                        \
    }
#define DB "/v1/databases/{databaseId}/collections/{collectionId}/documents"
#define DB_URL "/v1/databases/:databaseId/collections/:collectionId/documents"
#define TDB "/v1/tablesdb/{databaseId}/tables/{tableId}/rows"
#define TDB_URL "/v1/tablesdb/:databaseId/tables/:tableId/rows"

static const rule_t rules[] = {
    {"POST", "/v1/account", "/v1/account", 10, 0, {NULL}, 0},
    {"PATCH", "/v1/account/password", "/v1/account/password", 10, 0, {NULL}, 0},
    {"DELETE", "/v1/account/sessions", "/v1/account/sessions", 100, 0, {NULL}, 0},
    {"DELETE",
     "/v1/account/sessions/{sessionId}",
     "/v1/account/sessions/:sessionId",
     100,
     0,
     {NULL},
     0},
    {"PATCH",
     "/v1/account/sessions/{sessionId}",
     "/v1/account/sessions/:sessionId",
     10,
     0,
     {NULL},
     0},
    {"POST",
     "/v1/account/sessions/email",
     "/v1/account/sessions/email",
     10,
     0,
     {"url:{url},email:{param-email}"},
     201},
    {"POST",
     "/v1/account/sessions",
     "/v1/account/sessions/email",
     10,
     0,
     {"url:{url},email:{param-email}"},
     201},
    {"POST",
     "/v1/account/sessions/anonymous",
     "/v1/account/sessions/anonymous",
     50,
     0,
     {"ip:{ip}"},
     0},
    {"POST",
     "/v1/account/sessions/token",
     "/v1/account/sessions/token",
     10,
     0,
     {"ip:{ip},userId:{param-userId}"},
     201},
    {"GET",
     "/v1/account/sessions/oauth2/{provider}",
     "/v1/account/sessions/oauth2/:provider",
     50,
     0,
     {"ip:{ip}"},
     0},
    {"GET",
     "/v1/account/sessions/oauth2/{provider}/redirect",
     "/v1/account/sessions/oauth2/:provider/redirect",
     50,
     0,
     {"ip:{ip}"},
     0},
    {"GET",
     "/v1/account/tokens/oauth2/{provider}",
     "/v1/account/tokens/oauth2/:provider",
     50,
     0,
     {"ip:{ip}"},
     0},
    {"POST", "/v1/account/tokens/magic-url", "/v1/account/tokens/magic-url", 60, 0, EMAIL_OR_IP, 0},
    {"POST", "/v1/account/sessions/magic-url", "/v1/account/tokens/magic-url", 60, 0, EMAIL_OR_IP,
     0},
    {"PUT",
     "/v1/account/sessions/magic-url",
     "/v1/account/sessions/magic-url",
     10,
     0,
     {"ip:{ip},userId:{param-userId}"},
     201},
    {"POST", "/v1/account/tokens/email", "/v1/account/tokens/email", 10, 0, EMAIL_OR_IP, 0},
    {"PUT",
     "/v1/account/sessions/phone",
     "/v1/account/sessions/phone",
     10,
     0,
     {"ip:{ip},userId:{param-userId}"},
     0},
    {"POST",
     "/v1/account/tokens/phone",
     "/v1/account/tokens/phone",
     10,
     0,
     {"url:{url},phone:{param-phone}", "url:{url},ip:{ip}"},
     0},
    {"POST",
     "/v1/account/sessions/phone",
     "/v1/account/tokens/phone",
     10,
     0,
     {"url:{url},phone:{param-phone}", "url:{url},ip:{ip}"},
     0},
    {"POST",
     "/v1/account/jwts",
     "/v1/account/jwts",
     2 * WRITE_RATE,
     WRITE_PERIOD,
     {"url:{url},userId:{userId}"},
     0},
    {"POST",
     "/v1/account/jwt",
     "/v1/account/jwts",
     2 * WRITE_RATE,
     WRITE_PERIOD,
     {"url:{url},userId:{userId}"},
     0},
    {"POST", "/v1/account/recovery", "/v1/account/recovery", 10, 0, EMAIL_OR_IP, 0},
    {"PUT",
     "/v1/account/recovery",
     "/v1/account/recovery",
     10,
     0,
     {"url:{url},userId:{param-userId}"},
     0},
    {"POST",
     "/v1/account/verifications/email",
     "/v1/account/verifications/email",
     10,
     0,
     {"url:{url},userId:{userId}"},
     0},
    {"POST",
     "/v1/account/verification",
     "/v1/account/verifications/email",
     10,
     0,
     {"url:{url},userId:{userId}"},
     0},
    {"PUT",
     "/v1/account/verifications/email",
     "/v1/account/verifications/email",
     10,
     0,
     {"url:{url},userId:{param-userId}"},
     0},
    {"PUT",
     "/v1/account/verification",
     "/v1/account/verifications/email",
     10,
     0,
     {"url:{url},userId:{param-userId}"},
     0},
    {"POST",
     "/v1/account/verifications/phone",
     "/v1/account/verifications/phone",
     10,
     0,
     {"url:{url},userId:{userId}", "url:{url},ip:{ip}"},
     0},
    {"POST",
     "/v1/account/verification/phone",
     "/v1/account/verifications/phone",
     10,
     0,
     {"url:{url},userId:{userId}", "url:{url},ip:{ip}"},
     0},
    {"PUT",
     "/v1/account/verifications/phone",
     "/v1/account/verifications/phone",
     10,
     0,
     {"userId:{param-userId}"},
     0},
    {"PUT",
     "/v1/account/verification/phone",
     "/v1/account/verifications/phone",
     10,
     0,
     {"userId:{param-userId}"},
     0},
    {"POST",
     "/v1/account/mfa/challenges",
     "/v1/account/mfa/challenges",
     10,
     0,
     {"url:{url},userId:{userId}"},
     0},
    {"POST",
     "/v1/account/mfa/challenge",
     "/v1/account/mfa/challenges",
     10,
     0,
     {"url:{url},userId:{userId}"},
     0},
    {"PUT",
     "/v1/account/mfa/challenges",
     "/v1/account/mfa/challenges",
     10,
     0,
     {"url:{url},challengeId:{param-challengeId}"},
     0},
    {"PUT",
     "/v1/account/mfa/challenge",
     "/v1/account/mfa/challenges",
     10,
     0,
     {"url:{url},challengeId:{param-challengeId}"},
     0},
    {"POST", "/v1/teams/{teamId}/memberships", "/v1/teams/:teamId/memberships", 10, 0, {NULL}, 0},
    {"POST", DB, DB_URL, 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PUT", DB, DB_URL, 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PATCH", DB, DB_URL, 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"DELETE", DB, DB_URL, WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PUT", DB "/{documentId}", DB_URL "/:documentId", 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PATCH", DB "/{documentId}", DB_URL "/:documentId", 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY,
     0},
    {"DELETE", DB "/{documentId}", DB_URL "/:documentId", WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PATCH", DB "/{documentId}/{attribute}/increment", DB_URL "/:documentId/:attribute/increment",
     2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PATCH", DB "/{documentId}/{attribute}/decrement", DB_URL "/:documentId/:attribute/decrement",
     2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"POST", TDB, TDB_URL, 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PUT", TDB, TDB_URL, 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PATCH", TDB, TDB_URL, 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"DELETE", TDB, TDB_URL, WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PUT", TDB "/{rowId}", TDB_URL "/:rowId", 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PATCH", TDB "/{rowId}", TDB_URL "/:rowId", 2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"DELETE", TDB "/{rowId}", TDB_URL "/:rowId", WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PATCH", TDB "/{rowId}/{column}/increment", TDB_URL "/:rowId/:column/increment",
     2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PATCH", TDB "/{rowId}/{column}/decrement", TDB_URL "/:rowId/:column/decrement",
     2 * WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"POST",
     "/v1/storage/buckets/{bucketId}/files",
     "/v1/storage/buckets/:bucketId/files",
     WRITE_RATE,
     WRITE_PERIOD,
     {"ip:{ip},method:{method},url:{url},userId:{userId},chunkId:{chunkId}"},
     0},
    {"DELETE", "/v1/storage/buckets/{bucketId}/files/{fileId}",
     "/v1/storage/buckets/:bucketId/files/:fileId", WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"POST", "/v1/tokens/buckets/{bucketId}/files/{fileId}",
     "/v1/tokens/buckets/:bucketId/files/:fileId", WRITE_RATE, WRITE_PERIOD, WRITE_KEY, 0},
    {"PATCH", "/v1/tokens/{tokenId}", "/v1/tokens/:tokenId", WRITE_RATE, WRITE_PERIOD, WRITE_KEY,
     0},
    {"DELETE", "/v1/tokens/{tokenId}", "/v1/tokens/:tokenId", WRITE_RATE, WRITE_PERIOD, WRITE_KEY,
     0},
    {"GET", "/v1/avatars/screenshots", "/v1/avatars/screenshots", 60, 0, {NULL}, 0},
    {"GET", "/v1/graphql", "/v1/graphql", 60, 60, {NULL}, 0},
    {"POST", "/v1/graphql", "/v1/graphql", 60, 60, {NULL}, 0},
    {"POST", "/v1/graphql/mutation", "/v1/graphql/mutation", 60, 60, {NULL}, 0},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

struct cw_abuse {
    bool enabled;
    cw_ratelimit_t *store;
    const rule_t *sorted[NRULES]; /* by path, then method: looked up by bsearch */
};

static int rule_cmp(const char *path_a, const char *method_a, const rule_t *b)
{
    int c = strcmp(path_a, b->path);
    return c != 0 ? c : strcmp(method_a, b->method);
}

static int sort_cmp(const void *a, const void *b)
{
    const rule_t *ra = *(const rule_t *const *)a, *rb = *(const rule_t *const *)b;
    return rule_cmp(ra->path, ra->method, rb);
}

cw_abuse_t *cw_abuse_new(bool enabled, cw_ratelimit_t *store)
{
    cw_abuse_t *a = cw_calloc(1, sizeof(*a));
    a->enabled = enabled;
    a->store = store;
    for (size_t i = 0; i < NRULES; i++)
        a->sorted[i] = &rules[i];
    qsort(a->sorted, NRULES, sizeof(a->sorted[0]), sort_cmp);
    return a;
}

void cw_abuse_free(cw_abuse_t *a)
{
    if (a == NULL)
        return;
    cw_ratelimit_free(a->store);
    free(a);
}

static const rule_t *rule_find(const cw_abuse_t *a, const cw_route_t *route)
{
    size_t lo = 0, hi = NRULES;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = rule_cmp(route->path, route->method, a->sorted[mid]);
        if (c == 0)
            return a->sorted[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* A request parameter as Appwrite puts it into a key: strings as they are, numbers in decimal,
 * true as "1", arrays and objects as JSON. Empty values (PHP's empty(): "", "0", 0, false, null,
 * []) name no placeholder, which then stays in the key as written. */
static bool param_text(const json_t *v, cw_buf_t *out)
{
    if (v == NULL)
        return false;
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n == 0 || (n == 1 && s[0] == '0'))
            return false;
        cw_buf_append(out, s, n);
        return true;
    }
    case JSON_INTEGER:
        if (json_integer_value(v) == 0)
            return false;
        cw_buf_printf(out, "%lld", (long long)json_integer_value(v));
        return true;
    case JSON_REAL:
        if (json_real_value(v) == 0)
            return false;
        cw_buf_printf(out, "%.17g", json_real_value(v));
        return true;
    case JSON_TRUE:
        cw_buf_append_str(out, "1");
        return true;
    case JSON_ARRAY:
    case JSON_OBJECT: {
        if (json_is_array(v) ? json_array_size(v) == 0 : json_object_size(v) == 0)
            return false;
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (s == NULL)
            return false;
        cw_buf_append_str(out, s);
        free(s);
        return true;
    }
    default:
        return false;
    }
}

/* The host name of the request (its authority without the port). */
static cw_str_t host_name(const cw_req_t *req)
{
    cw_str_t h = req->authority;
    if (h.len == 0)
        return CW_STR_NULL;
    if (h.ptr[0] == '[') {
        const char *end = memchr(h.ptr, ']', h.len);
        return end != NULL ? (cw_str_t){h.ptr, (size_t)(end - h.ptr) + 1} : h;
    }
    const char *colon = memchr(h.ptr, ':', h.len);
    return colon != NULL ? (cw_str_t){h.ptr, (size_t)(colon - h.ptr)} : h;
}

long long cw_abuse_chunk_id(cw_str_t range)
{
    char buf[96], *p, *end_p;
    if (range.len < 6 || range.len >= sizeof(buf) || memcmp(range.ptr, "bytes ", 6) != 0)
        return 0;
    memcpy(buf, range.ptr, range.len);
    buf[range.len] = '\0';
    errno = 0;
    long long start = strtoll(buf + 6, &p, 10);
    if (p == buf + 6 || *p != '-')
        return 0;
    long long end = strtoll(p + 1, &end_p, 10);
    if (end_p == p + 1 || *end_p != '/' || errno != 0 || start < 0 || end < start ||
        end == LLONG_MAX)
        return 0;
    return start / (end + 1 - start);
}

void cw_abuse_key_fill(const char *template, const cw_abuse_vars_t *vars, const json_t *params,
                       cw_buf_t *out)
{
    const char *p = template;
    while (*p != '\0') {
        const char *open = strchr(p, '{');
        const char *close = open != NULL ? strchr(open, '}') : NULL;
        if (open == NULL || close == NULL) {
            cw_buf_append_str(out, p);
            return;
        }
        cw_buf_append(out, p, (size_t)(open - p));
        cw_str_t name = {open + 1, (size_t)(close - open - 1)};
        size_t before = out->len;
        bool known = true;
        if (cw_str_eq_cstr(name, "projectId")) {
            cw_buf_append(out, vars->project_id.ptr, vars->project_id.len);
        } else if (cw_str_eq_cstr(name, "userId")) {
            cw_buf_append(out, vars->user_id.ptr, vars->user_id.len);
        } else if (cw_str_eq_cstr(name, "userAgent")) {
            cw_buf_append(out, vars->user_agent.ptr, vars->user_agent.len);
        } else if (cw_str_eq_cstr(name, "ip")) {
            cw_buf_append(out, vars->ip.ptr, vars->ip.len);
        } else if (cw_str_eq_cstr(name, "url")) {
            cw_buf_append(out, vars->host.ptr, vars->host.len);
            cw_buf_append(out, vars->path.ptr, vars->path.len);
        } else if (cw_str_eq_cstr(name, "method")) {
            cw_buf_append(out, vars->method.ptr, vars->method.len);
        } else if (cw_str_eq_cstr(name, "chunkId")) {
            cw_buf_printf(out, "%lld", vars->chunk_id);
        } else if (name.len > 6 && memcmp(name.ptr, "param-", 6) == 0) {
            char pname[128];
            known = name.len - 6 < sizeof(pname);
            if (known) {
                memcpy(pname, name.ptr + 6, name.len - 6);
                pname[name.len - 6] = '\0';
                known = param_text(json_object_get(params, pname), out);
            }
        } else {
            known = false;
        }
        if (!known) {
            out->len = before;
            cw_buf_append(out, open, (size_t)(close - open + 1));
        }
        p = close + 1;
    }
}

/* Fills the placeholders of template for this request into out. */
static void build_key(cw_ctx_t *ctx, const rule_t *rule, const char *template, const char *user_id,
                      cw_buf_t *out)
{
    cw_req_t *req = ctx->req;
    cw_abuse_vars_t vars = {
        .project_id = cw_ctx_auth(ctx)->project_id,
        .user_id = cw_str(user_id != NULL ? user_id : ""),
        .user_agent = cw_req_header(req, "user-agent"),
        .ip = req->ip,
        .host = host_name(req),
        .path = cw_str(rule->url),
        .method = req->method,
        .chunk_id = cw_abuse_chunk_id(cw_req_header(req, "content-range")),
    };
    cw_abuse_key_fill(template, &vars, req->params, out);
}

static void add_header(cw_res_t *res, const char *name, long long v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%lld", v);
    cw_res_header(res, name, (cw_str_t){num, (size_t)n});
}

int cw_abuse_check(cw_abuse_t *a, cw_ctx_t *ctx, const char *user_id, bool exempt)
{
    const rule_t *rule = rule_find(a, ctx->route);
    if (rule == NULL)
        return 0;
    int64_t now = cw_time_now_ms() / 1000;
    int64_t period = rule->period > 0 ? rule->period : DEFAULT_PERIOD;
    int64_t closest = -1;
    bool limited = false;
    for (size_t i = 0; i < KEYS_MAX && !limited; i++) {
        const char *template = rule->keys[i] != NULL ? rule->keys[i] : i == 0 ? DEFAULT_KEY : NULL;
        if (template == NULL)
            break;
        cw_buf_t key = CW_BUF_INIT;
        build_key(ctx, rule, template, user_id, &key);
        int64_t count = 0;
        int rc = cw_ratelimit_peek(a->store, cw_buf_str(&key), period, now, &count);
        if (rc == 0) {
            /* What is left after this request, as Appwrite's TimeLimit::remaining counts. */
            int64_t remaining = rule->limit - (count + 1);
            if (remaining < 0)
                remaining = 0;
            if (closest < 0 || remaining < closest)
                closest = remaining;
        }
        if (rc == 0 && a->enabled && !exempt)
            rc = cw_ratelimit_check(a->store, cw_buf_str(&key), rule->limit, period, now, &count,
                                    &limited);
        if (rc != 0)
            cw_log(CW_LOG_WARN, "msg=\"abuse counter unavailable\" error=%d", rc);
        cw_buf_free(&key);
    }
    if (closest >= 0) {
        add_header(ctx->res, "x-ratelimit-limit", rule->limit);
        add_header(ctx->res, "x-ratelimit-remaining", closest);
        add_header(ctx->res, "x-ratelimit-reset", cw_ratelimit_window(now, period) + period);
    }
    if (limited) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_RATE_LIMIT_EXCEEDED, NULL);
        return -1;
    }
    return 0;
}

void cw_abuse_after(cw_abuse_t *a, cw_ctx_t *ctx, const char *user_id)
{
    if (!a->enabled)
        return;
    const rule_t *rule = rule_find(a, ctx->route);
    if (rule == NULL || rule->reset == 0 || ctx->res->status != rule->reset)
        return;
    int64_t now = cw_time_now_ms() / 1000;
    int64_t period = rule->period > 0 ? rule->period : DEFAULT_PERIOD;
    for (size_t i = 0; i < KEYS_MAX; i++) {
        const char *template = rule->keys[i] != NULL ? rule->keys[i] : i == 0 ? DEFAULT_KEY : NULL;
        if (template == NULL)
            break;
        cw_buf_t key = CW_BUF_INIT;
        build_key(ctx, rule, template, user_id, &key);
        cw_ratelimit_reset(a->store, cw_buf_str(&key), period, now);
        cw_buf_free(&key);
    }
}
