#include "services/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/mfa.h"
#include "auth/scopes.h"
#include "auth/session.h"
#include "auth/session_cache.h"
#include "auth/session_cookie.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/console_meta.h"
#include "db/internal.h"
#include "events/events.h"
#include "http/cors.h"
#include "services/abuse.h"
#include "services/audits.h"
#include "services/console_auth.h"
#include "services/events_api.h"
#include "services/project.h"
#include "services/routes.h"
#include "workers/webhooks.h"

/* Hosts allowed as browser origins before any platform is registered: the local console. */
#define DEFAULT_ORIGIN_HOSTS "localhost, 127.0.0.1"

/* What all threads share: the configuration, and the hub that pools their document writes into
 * group commits (it locks itself). Made by cw_api_init, freed by cw_api_destroy. */
typedef struct api_shared {
    const cw_config_t *cfg;
    cw_db_hub_t *db_hub;
    cw_queue_t *queue;
    cw_abuse_t *abuse;
    cw_project_t *console_project;
    cw_events_t *events;
    cw_webhooks_t *webhooks;
    cw_queue_t *events_queue; /* the events thread's background connection of queue */
} api_shared_t;

/* Rate-limit counters kept in process; each is a few dozen bytes. */
#define ABUSE_COUNTERS_MAX 65536

static void *thread_init(void *data, int index)
{
    const api_shared_t *shared = data;
    const cw_config_t *cfg = shared->cfg;
    cw_thread_t *t = cw_calloc(1, sizeof(*t));
    t->cfg = cfg;
    t->db_hub = shared->db_hub;
    t->queue = shared->queue;
    t->abuse = shared->abuse;
    t->console_project = shared->console_project;
    t->events = shared->events;
    t->webhooks = shared->webhooks;
    t->index = index;
    t->sessions = cw_session_cache_new();
    if (cw_console_open(cfg->data_dir, &t->console) != CW_OK)
        cw_log(CW_LOG_ERROR, "msg=\"thread cannot open the console store\" thread=%d", index);
    return t;
}

static void thread_dispose(void *p)
{
    cw_thread_t *t = p;
    if (t == NULL)
        return;
    for (size_t i = 0; i < CW_THREAD_DBS; i++) {
        if (t->dbs[i].db != NULL)
            cw_db_close(t->dbs[i].db);
    }
    cw_console_close(t->console);
    cw_session_cache_free(t->sessions);
    free(t);
}

int cw_thread_db(cw_thread_t *t, const cw_project_t *project, cw_db_t **out, cw_db_error_t *err)
{
    cw_thread_db_t *slot = &t->dbs[0];
    for (size_t i = 0; i < CW_THREAD_DBS; i++) {
        cw_thread_db_t *d = &t->dbs[i];
        if (d->db != NULL && strcmp(d->project_id, project->id) == 0) {
            if (d->project_created_at == project->created_at) {
                d->last_use = ++t->db_uses;
                *out = d->db;
                return 0;
            }
            slot = d; /* the project was deleted and made again: its old store is gone */
            break;
        }
        if (d->db == NULL || (slot->db != NULL && d->last_use < slot->last_use))
            slot = d;
    }
    if (slot->db != NULL) {
        cw_db_close(slot->db);
        slot->db = NULL;
        slot->project_id[0] = '\0';
    }
    if (cw_db_open(t->cfg->data_dir, project->id, &slot->db, err) != 0) {
        slot->db = NULL;
        return -1;
    }
    cw_db_hub_join(slot->db, t->db_hub);
    snprintf(slot->project_id, sizeof(slot->project_id), "%s", project->id);
    slot->project_created_at = project->created_at;
    slot->last_use = ++t->db_uses;
    *out = slot->db;
    return 0;
}

/* Whether a browser origin may call: the server's own list, or a web platform of the project
 * (NULL: none known yet). */
static bool origin_allowed(const cw_config_t *cfg, const cw_project_t *project, cw_str_t origin)
{
    cw_str_t host = cw_cors_origin_host(origin);
    return cw_cors_host_matches(host, DEFAULT_ORIGIN_HOSTS) ||
           cw_cors_host_matches(host, cfg->cors_origins) ||
           cw_project_platform_web_allows(project, host);
}

/* The project named by the `project` query parameter, else the X-Appwrite-Project header. */
static cw_str_t requested_project(cw_req_t *req)
{
    cw_str_t q = req->query;
    size_t i = 0;
    while (i < q.len) {
        const char *amp = memchr(q.ptr + i, '&', q.len - i);
        size_t end = amp != NULL ? (size_t)(amp - q.ptr) : q.len;
        if (end - i > 8 && memcmp(q.ptr + i, "project=", 8) == 0) {
            size_t n = end - i - 8;
            char *v = cw_arena_alloc(&req->arena, n + 1);
            size_t len = cw_url_decode(q.ptr + i + 8, n, v, 1);
            return (cw_str_t){v, len};
        }
        i = end + 1;
    }
    return cw_req_header(req, "x-appwrite-project");
}

static bool has_scope(cw_auth_t *auth, const char *scope, size_t len)
{
    char one[64];
    if (len >= sizeof(one))
        return false;
    memcpy(one, scope, len);
    one[len] = '\0';
    if (auth->scopes != NULL && auth->role != CW_ROLE_KEYS)
        return cw_scope_in(auth->scopes, one);
    switch (auth->role) {
    case CW_ROLE_KEYS:
        return cw_key_has_scope(auth->key, one) || cw_scope_in(cw_scopes_key_implicit, one);
    case CW_ROLE_USERS:
        return cw_scope_in(cw_scopes_users, one);
    default:
        return cw_scope_in(cw_scopes_guests, one);
    }
}

/* A route names one scope or several separated by commas; any one of them is enough. */
static bool has_any_scope(cw_auth_t *auth, const char *scopes)
{
    const char *p = scopes;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (has_scope(auth, p, len))
            return true;
        p += len + (comma != NULL);
    }
    return false;
}

static void scope_error(cw_ctx_t *ctx, cw_auth_t *auth)
{
    const char *role = auth->role == CW_ROLE_KEYS ? "applications" : auth->role == CW_ROLE_USERS ? "users" : "guests";
    cw_buf_t msg = CW_BUF_INIT;
    if (auth->role == CW_ROLE_KEYS)
        cw_buf_printf(&msg, "app.%.*s@service.localhost", (int)auth->project_id.len, auth->project_id.ptr);
    else if (json_is_string(json_object_get(auth->user, "email")))
        cw_buf_append_str(&msg, json_string_value(json_object_get(auth->user, "email")));
    else
        cw_buf_append_str(&msg, "User");
    cw_buf_printf(&msg, " (role: %s) missing scopes ([", role);
    for (const char *p = ctx->route->scope; *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        cw_buf_printf(&msg, "%s\"%.*s\"", p == ctx->route->scope ? "" : ",", (int)len, p);
        p += len + (comma != NULL);
    }
    cw_buf_append_str(&msg, "])");
    cw_res_error(ctx->res, CW_ERR_GENERAL_UNAUTHORIZED_SCOPE, "%s", msg.ptr);
    cw_buf_free(&msg);
}

/* Appwrite decodes an ephemeral key with a one-day max age; its own `exp` ends it sooner. */
#define EPHEMERAL_KEY_MAX_AGE 86400

/* An ephemeral key (POST /v1/project/keys/ephemeral): a JWT of {projectId, scopes} under the
 * server key. One for another project leaves the request a guest's; one that does not verify
 * counts as expired, as in Appwrite. Returns 0, or -1 with the error written. */
static int ephemeral_key(cw_ctx_t *ctx, cw_auth_t *auth, cw_str_t token)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    json_t *claims = NULL;
    bool valid = token.len <= CW_JWT_MAX_LEN &&
                 cw_jwt_decode(cw_str(t->cfg->openssl_key), token, cw_time_now_ms() / 1000,
                               EPHEMERAL_KEY_MAX_AGE, &claims, NULL) == 0;
    const char *pid = json_string_value(json_object_get(claims, "projectId"));
    if (valid && (!auth->has_project || pid == NULL || !cw_str_eq_cstr(auth->project_id, pid))) {
        json_decref(claims);
        return 0;
    }
    cw_key_t *k = cw_arena_alloc(&ctx->req->arena, sizeof(*k));
    memset(k, 0, sizeof(*k));
    snprintf(k->project_id, sizeof(k->project_id), "%.*s", (int)auth->project_id.len,
             auth->project_id.ptr);
    k->name = "Ephemeral Key";
    const json_t *scopes = json_object_get(claims, "scopes");
    k->scopes = cw_arena_alloc(&ctx->req->arena, (json_array_size(scopes) + 1) * sizeof(char *));
    for (size_t i = 0; i < json_array_size(scopes); i++) {
        const json_t *sc = json_array_get(scopes, i);
        if (json_is_string(sc))
            k->scopes[k->nscopes++] =
                cw_arena_strndup(&ctx->req->arena, json_string_value(sc), json_string_length(sc));
    }
    k->scopes[k->nscopes] = NULL;
    json_decref(claims);
    auth->key = k;
    auth->has_key = true;
    auth->role = CW_ROLE_KEYS;
    if (!valid) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_KEY_EXPIRED,
                     "The API key has expired. Create a new key for this project.");
        return -1;
    }
    return 0;
}

/* Appwrite's optional services, by the first segment of the path (/v1/<service>/…). A service
 * the project turned off answers general_service_disabled, and a REST protocol turned off
 * general_api_disabled, to every caller but an API key. Returns 0, or -1 with the error
 * written. */
static int check_service(cw_ctx_t *ctx, const cw_auth_t *auth)
{
    /* API keys and console members in admin mode are privileged, as in Appwrite. */
    if (!auth->has_project || auth->has_key || auth->admin)
        return 0;
    const cw_project_t *p = auth->project;
    if (json_is_false(json_object_get(p->protocols, "rest"))) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_API_DISABLED, NULL);
        return -1;
    }
    if (json_object_size(p->services) == 0)
        return 0;
    cw_str_t path = ctx->req->path;
    if (path.len < 5 || memcmp(path.ptr, "/v1/", 4) != 0)
        return 0;
    const char *start = path.ptr + 4, *end = memchr(start, '/', path.len - 4);
    size_t n = end != NULL ? (size_t)(end - start) : path.len - 4;
    char service[32];
    if (n == 0 || n >= sizeof(service))
        return 0;
    for (size_t i = 0; i < n; i++)
        service[i] = (char)(start[i] >= 'A' && start[i] <= 'Z' ? start[i] - 'A' + 'a' : start[i]);
    service[n] = '\0';
    if (!cw_project_service_enabled(p, service)) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVICE_DISABLED, NULL);
        return -1;
    }
    return 0;
}

/* Resolves the project and the API key. Returns 0, or -1 with the error written. */
static int authenticate(cw_ctx_t *ctx, cw_auth_t *auth)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_req_t *req = ctx->req;
    if (t->console == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return -1;
    }
    cw_console_refresh(t->console);
    cw_str_t pid = requested_project(req);
    bool named = pid.len > 0;
    auth->project_id = named ? pid : CW_STR_LIT(CW_CONSOLE_PROJECT);
    if (cw_str_eq_cstr(auth->project_id, CW_CONSOLE_PROJECT)) {
        /* The console is a project too: its users, sessions and teams (organisations). */
        auth->project = t->console_project;
        auth->has_project = true;
    } else {
        int rc = cw_console_project_find(t->console, auth->project_id, &auth->project);
        if (rc == CW_ENOTFOUND) {
            cw_res_error(ctx->res, CW_ERR_PROJECT_NOT_FOUND,
                         "Project with the requested ID could not be found. Check the value of the "
                         "X-Appwrite-Project header.");
            return -1;
        }
        if (rc != CW_OK) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
            return -1;
        }
        auth->has_project = true;
    }

    cw_str_t key = cw_req_header(req, "x-appwrite-key");
    cw_str_t origin = cw_req_header(req, "origin");
    cw_str_t dev_key = cw_req_header(req, "x-appwrite-dev-key");
    if (dev_key.len > 0 && auth->has_project && !cw_console_is(auth)) {
        cw_dev_key_t dk;
        if (cw_console_dev_key_use(t->console, auth->project_id, dev_key, cw_time_now_ms(), &dk) ==
            CW_OK) {
            auth->has_dev_key = true;
            cw_dev_key_clear(&dk);
        }
    }
    if (key.len == 0 && !auth->has_dev_key && origin.len > 0 && !origin_allowed(t->cfg, auth->project, origin)) {
        cw_str_t host = cw_cors_origin_host(origin);
        cw_res_error(ctx->res, CW_ERR_GENERAL_UNKNOWN_ORIGIN,
                     "Invalid Origin. Register your new client (%.*s) as a new Web platform on "
                     "your project console dashboard",
                     (int)host.len, host.ptr);
        return -1;
    }
    auth->role = CW_ROLE_GUESTS;
    if (key.len == 0)
        return 0;

    const char *us = memchr(key.ptr, '_', key.len);
    cw_str_t type = us != NULL ? (cw_str_t){key.ptr, (size_t)(us - key.ptr)} : CW_STR_LIT("standard");
    if (cw_str_eq_cstr(type, "ephemeral") || cw_str_eq_cstr(type, "dynamic"))
        return ephemeral_key(ctx, auth, (cw_str_t){us + 1, key.len - (size_t)(us + 1 - key.ptr)});
    if (!cw_str_eq_cstr(type, "standard") && !cw_str_eq_cstr(type, "account") &&
        !cw_str_eq_cstr(type, "organization"))
        return 0; /* a key kind we do not issue: the request goes on as a guest */
    if (!named) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_ID_MISSING,
                     "An API key needs the project: send the X-Appwrite-Project header with your "
                     "project ID.");
        return -1;
    }
    int rc = auth->has_project ? cw_console_key_lookup(t->console, auth->project_id, key, &auth->key)
                               : CW_ENOTFOUND;
    if (rc == CW_ENOTFOUND) {
        cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED,
                     "The current user is not authorized to perform the requested action.");
        return -1;
    }
    if (rc != CW_OK) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return -1;
    }
    auth->has_key = true;
    auth->role = CW_ROLE_KEYS;
    if (auth->key->expire != 0 && auth->key->expire < cw_time_now_ms()) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_KEY_EXPIRED,
                     "The API key has expired. Create a new key for this project.");
        return -1;
    }
    cw_console_key_touch(t->console, (cw_key_t *)auth->key);
    return 0;
}

static const char *const guest_roles[] = {"any", "guests", NULL};

/* The session cookie value of a request, in Appwrite's order: the cookie, its legacy twin, the
 * X-Appwrite-Session header, then X-Fallback-Cookies. The first place that holds a value that
 * decodes wins. Returns true with *out filled. */
bool cw_api_session_credentials(cw_req_t *req, cw_str_t project_id, cw_session_cookie_t *out)
{
    cw_buf_t name = CW_BUF_INIT;
    bool found = false;
    cw_session_cookie_name(project_id, &name);
    cw_str_t v = cw_req_cookie(req, cw_buf_str(&name));
    if (v.len == 0) {
        cw_buf_t legacy = CW_BUF_INIT;
        cw_buf_printf(&legacy, "%.*s_legacy", (int)name.len, name.ptr);
        v = cw_req_cookie(req, cw_buf_str(&legacy));
        cw_buf_free(&legacy);
    }
    if (v.len > 0 && v.len <= 3 * CW_SESSION_COOKIE_MAX) {
        /* We write cookies percent-encoded, as PHP's setcookie does; a '+' is kept as itself. */
        char *d = cw_arena_alloc(&req->arena, v.len + 1);
        size_t n = cw_url_decode(v.ptr, v.len, d, 0);
        found = cw_session_cookie_decode((cw_str_t){d, n}, out) == 0;
    }
    if (!found) {
        v = cw_req_header(req, "x-appwrite-session");
        found = v.len > 0 && cw_session_cookie_decode(v, out) == 0;
    }
    if (!found) {
        v = cw_req_header(req, "x-fallback-cookies");
        found = v.len > 0 && v.len <= CW_SESSION_FALLBACK_MAX &&
                cw_session_fallback_decode(v, cw_buf_str(&name), out) == 0;
    }
    cw_buf_free(&name);
    return found;
}

/* Appwrite's APP_USER_ACCESS: a user's accessedAt moves at most once a day, so a signed-in
 * request writes nothing on most days. */
#define USER_ACCESS_INTERVAL_MS (24LL * 60 * 60 * 1000)

/* Refreshes the signed-in user's accessedAt when it is a day old (or was never set), keeping
 * auth->user current. Returns 0, or -1 with err filled. */
static int touch_user(cw_db_t *db, cw_auth_t *auth, int64_t now, cw_db_error_t *err)
{
    const json_t *at = json_object_get(auth->user, "accessedAt");
    int64_t last;
    if (json_is_string(at) && json_string_length(at) > 0 &&
        cw_time_parse((cw_str_t){json_string_value(at), json_string_length(at)}, &last) == 0 &&
        last > now - USER_ACCESS_INTERVAL_MS)
        return 0;
    char iso[CW_TIME_ISO_LEN];
    json_t *updated = NULL;
    cw_time_format(now, iso);
    json_t *data = json_pack("{s:s}", "accessedAt", iso);
    int rc = cw_db_internal_update(
        db, "users", json_string_value(json_object_get(auth->user, "$id")), data, &updated, err);
    json_decref(data);
    if (rc != 0)
        return err->type == CW_ERR_DOCUMENT_NOT_FOUND ? 0 : -1;
    json_decref(auth->user);
    auth->user = updated;
    return 0;
}

/* Finds the signed-in user of a request (app/init/resources/request.php `user`): a session
 * credential first; then X-Appwrite-JWT, refused next to a valid session (403
 * user_jwt_and_cookie_set) and when it does not verify (401 user_jwt_invalid). A credential that
 * names no live session leaves the request a guest's. Blocks on the project's store. Returns 0,
 * or -1 with the error written. */
static int resolve_user(cw_ctx_t *ctx, cw_auth_t *auth)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_req_t *req = ctx->req;
    cw_db_t *db;
    cw_db_error_t err = {0};
    cw_session_cookie_t cookie;
    int64_t now = cw_time_now_ms();
    cw_str_t jwt = cw_req_header(req, "x-appwrite-jwt");
    bool has_cookie = cw_api_session_credentials(req, auth->project_id, &cookie);
    if (!has_cookie && jwt.len == 0)
        return 0;
    if (cw_thread_db(t, auth->project, &db, &err) != 0 || cw_db_internal_ensure(db, &err) != 0)
        goto fail_db;
    int rc = 0;
    bool cached = false;
    /* Read before the data, so a change committed meanwhile leaves nothing stale cached. */
    uint64_t gen = cw_db_auth_generation(db);
    char hash[CW_SESSION_HASH_LEN + 1];
    cw_session_key_t ck = {auth->project->id, auth->project->created_at, cookie.id, hash};
    if (has_cookie) {
        cw_session_secret_hash(cw_str(cookie.secret), hash);
        cached = cw_session_cache_get(t->sessions, &ck, gen, now, &req->arena, &auth->user,
                                      &auth->session, &auth->roles);
        if (!cached) {
            rc = cw_session_verify(db, cw_str(cookie.id), cw_str(cookie.secret), now,
                                   &auth->user, &auth->session, &err);
            if (rc != 0 && rc != CW_ENOTFOUND)
                goto fail_db;
        }
    }
    if (jwt.len > 0) {
        if (auth->user != NULL) {
            cw_res_error(ctx->res, CW_ERR_USER_JWT_AND_COOKIE_SET, NULL);
            return -1;
        }
        cw_jwt_account_t claims;
        cw_jwt_error_t why = CW_JWT_OK;
        if (jwt.len > CW_JWT_MAX_LEN ||
            cw_jwt_account_decode(cw_str(t->cfg->openssl_key), jwt, now / 1000, &claims, &why) !=
                0) {
            cw_res_error(ctx->res, CW_ERR_USER_JWT_INVALID, "Failed to verify JWT. %s",
                         cw_jwt_error_message(why));
            return -1;
        }
        if (claims.user_id[0] != '\0') {
            rc = cw_session_active(db, cw_str(claims.user_id), cw_str(claims.session_id), now,
                                   &auth->user, &auth->session, &err);
            if (rc != 0 && rc != CW_ENOTFOUND)
                goto fail_db;
            auth->via_jwt = auth->user != NULL;
        }
    }
    if (auth->user != NULL && !cached) {
        if (cw_session_roles(db, auth->user, &req->arena, &auth->roles, &err) != 0)
            goto fail_db;
        if (has_cookie && !auth->via_jwt)
            cw_session_cache_put(t->sessions, &ck, gen, now, auth->user, auth->session,
                                 auth->roles);
    }
    if (auth->user != NULL && !auth->has_key && touch_user(db, auth, now, &err) != 0)
        goto fail_db;
    return 0;
fail_db:
    cw_log(CW_LOG_ERROR, "msg=\"session lookup failed\" project=%s error=\"%s\"", auth->project->id,
           err.message);
    cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
    return -1;
}

/* Appwrite's MFA gates, after the blocked-user check and before the parameters: a session
 * (from a cookie or X-Appwrite-Session; a JWT's is not checked, as in Appwrite) with fewer
 * factors than the user needs may use only CW_ROUTE_MFA_OPEN routes; CW_ROUTE_MFA_FRESH routes
 * need a challenge passed in the last 30 minutes. The first gate holds for a console session
 * acting in admin mode too. Returns 0, or -1 with the error written. */
static int check_mfa(cw_ctx_t *ctx, cw_auth_t *auth)
{
    unsigned flags = ctx->route->flags;
    if (auth->admin_needs_factors && !(flags & CW_ROUTE_MFA_OPEN)) {
        cw_res_error(ctx->res, CW_ERR_USER_MORE_FACTORS_REQUIRED, NULL);
        return -1;
    }
    if (auth->user == NULL)
        return 0;
    size_t have = json_array_size(json_object_get(auth->session, "factors"));
    if (auth->session != NULL && !auth->via_jwt && !(flags & CW_ROUTE_MFA_OPEN) && have < 2 &&
        json_is_true(json_object_get(auth->user, "mfa"))) {
        cw_db_t *db;
        cw_db_error_t err = {0};
        int need = 1;
        if (cw_thread_db(cw_ctx_thread(ctx), auth->project, &db, &err) != 0 ||
            cw_mfa_factors_required(db, auth->user, &need, &err) != 0) {
            cw_log(CW_LOG_ERROR, "msg=\"mfa check failed\" project=%s error=\"%s\"",
                   auth->project->id, err.message);
            cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
            return -1;
        }
        if (have < (size_t)need) {
            cw_res_error(ctx->res, CW_ERR_USER_MORE_FACTORS_REQUIRED, NULL);
            return -1;
        }
    }
    if ((flags & CW_ROUTE_MFA_FRESH) && !cw_mfa_session_fresh(auth->session, cw_time_now_ms())) {
        cw_res_error(ctx->res, CW_ERR_USER_CHALLENGE_REQUIRED, NULL);
        return -1;
    }
    return 0;
}

/* Whether a request carries something that may name a signed-in user. Appwrite refuses a blocked
 * user on every route, so such a request resolves its user (which blocks on the project's store)
 * even on a route that otherwise runs on the loop. */
static bool carries_credentials(cw_req_t *req)
{
    cw_str_t cookie = cw_req_header(req, "cookie");
    return cw_req_header(req, "x-appwrite-session").len > 0 ||
           cw_req_header(req, "x-appwrite-jwt").len > 0 ||
           cw_req_header(req, "x-fallback-cookies").len > 0 ||
           (cookie.len > 0 && memmem(cookie.ptr, cookie.len, "a_session_", 10) != NULL);
}

static bool must_offload(cw_ctx_t *ctx)
{
    /* A dev key is looked up in the console store. */
    return carries_credentials(ctx->req) || cw_req_header(ctx->req, "x-appwrite-dev-key").len > 0;
}

static int read_params(cw_ctx_t *ctx)
{
    cw_req_t *req = ctx->req;
    /* As Appwrite does: GET takes its parameters from the query string, the other methods from
     * the body only. */
    bool from_query = cw_str_eq_cstr(req->method, "GET") || cw_str_eq_cstr(req->method, "HEAD");
    cw_str_t query = req->query;
    if (!from_query)
        req->query = CW_STR_NULL;
    const char *bad = NULL;
    cw_body_result_t r = cw_req_parse_params(req, &bad);
    req->query = query;
    if (from_query && r == CW_BODY_OK && req->body.len > 0) {
        /* A GET body is read (so a broken one is refused) but its values are not parameters. */
        json_decref(req->params);
        req->params = json_object();
        cw_params_parse_query(req->query.ptr, req->query.len, req->params, &req->arena, &bad);
    }
    switch (r) {
    case CW_BODY_OK:
    case CW_BODY_UNSUPPORTED:
        return 0;
    case CW_BODY_BAD_JSON:
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "The request body is not a valid JSON object.");
        return -1;
    case CW_BODY_BAD_UTF8:
        if (bad != NULL && bad[0] != '\0')
            cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "Invalid `%s` param: Value must be valid UTF-8", bad);
        else
            cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "A parameter name is not valid UTF-8.");
        return -1;
    }
    return 0;
}

static void dispatch(cw_ctx_t *ctx)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_req_t *req = ctx->req;
    cw_auth_t *auth = cw_arena_alloc(&req->arena, sizeof(*auth));
    memset(auth, 0, sizeof(*auth));
    ctx->auth = auth;

    cw_str_t origin = cw_req_header(req, "origin");
    bool preflight = cw_str_eq_cstr(req->method, "OPTIONS");
    const cw_project_t *origin_project = NULL;
    if (!preflight && origin.len > 0 && t->console != NULL) {
        /* The project's web platforms allow origins too (authenticate finds it again, cached). */
        cw_str_t pid = requested_project(req);
        cw_console_refresh(t->console);
        if (pid.len > 0 && !cw_str_eq_cstr(pid, CW_CONSOLE_PROJECT))
            cw_console_project_find(t->console, pid, &origin_project);
    }
    cw_cors_headers(ctx->res, origin, preflight || origin_allowed(t->cfg, origin_project, origin));
    cw_res_header(ctx->res, "x-content-type-options", CW_STR_LIT("nosniff"));
    if (preflight) {
        cw_res_empty(ctx->res, 204);
        return;
    }
    if (ctx->route == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ROUTE_NOT_FOUND,
                     "Route not found. Check the endpoint and that the API route exists for this "
                     "SDK version.");
        goto out;
    }
    ctx->res->html_errors = (ctx->route->flags & CW_ROUTE_HTML_ERRORS) != 0;
    auth->roles = guest_roles;
    if (authenticate(ctx, auth) < 0)
        goto out;
    if (cw_console_admin_mode(req) && cw_console_admin_resolve(ctx, auth) < 0)
        goto out;
    /* Sessions live in the project's store: routes that may block look for them, and so does any
     * request with a credential (must_offload sent it to the worker pool). */
    if (auth->has_project && ((ctx->route->flags & CW_ROUTE_OFFLOAD) || carries_credentials(req)) &&
        resolve_user(ctx, auth) < 0)
        goto out;
    if (auth->has_key) {
        json_decref(auth->user);
        json_decref(auth->session);
        auth->user = auth->session = NULL;
        auth->via_jwt = false;
        auth->roles = guest_roles;
    } else if (auth->user != NULL) {
        auth->role = CW_ROLE_USERS;
    } else {
        auth->roles = guest_roles;
    }
    if (cw_console_org_scopes(ctx, auth) < 0)
        goto out;
    if (check_service(ctx, auth) < 0)
        goto out;
    if (ctx->route->scope != NULL && !has_any_scope(auth, ctx->route->scope)) {
        scope_error(ctx, auth);
        goto out;
    }
    if (auth->user != NULL && json_is_false(json_object_get(auth->user, "status"))) {
        cw_res_error(ctx->res, CW_ERR_USER_BLOCKED, NULL);
        goto out;
    }
    if (check_mfa(ctx, auth) < 0)
        goto out;
    if (read_params(ctx) < 0)
        goto out;
    cw_str_t locale = cw_req_header(req, "x-appwrite-locale");
    json_t *lp = json_object_get(req->params, "locale");
    if (json_is_string(lp))
        locale = (cw_str_t){json_string_value(lp), json_string_length(lp)};
    auth->locale = locale;
    const char *user_id = json_string_value(json_object_get(auth->user, "$id"));
    if (user_id != NULL)
        user_id = cw_arena_strndup(&req->arena, user_id, strlen(user_id));
    if (cw_abuse_check(t->abuse, ctx, user_id, auth->has_key || auth->has_dev_key) < 0)
        goto out;
    ctx->route->handler(ctx);
    cw_abuse_after(t->abuse, ctx, user_id);
    if (ctx->route->flags & CW_ROUTE_OFFLOAD) {
        cw_audit_record(ctx);
        cw_event_record(ctx);
    }
out:
    json_decref(auth->user);
    json_decref(auth->session);
    auth->user = auth->session = NULL;
    if (ctx->res->has_error) {
        cw_res_header(ctx->res, "cache-control", CW_STR_LIT("no-cache, no-store, must-revalidate"));
        cw_res_header(ctx->res, "expires", CW_STR_LIT("0"));
        cw_res_header(ctx->res, "pragma", CW_STR_LIT("no-cache"));
    }
}

static const char *log_project(cw_ctx_t *ctx)
{
    cw_auth_t *auth = cw_ctx_auth(ctx);
    if (auth == NULL || auth->project_id.len == 0)
        return NULL;
    return auth->has_project ? auth->project->id : CW_CONSOLE_PROJECT;
}

void cw_api_init(cw_app_t *app, const cw_config_t *cfg)
{
    cw_router_t *r = cw_router_new();
    cw_router_add(r, cw_general_routes, cw_general_routes_count);
    cw_router_add(r, cw_health_routes, cw_health_routes_count);
    cw_router_add(r, cw_locale_routes, cw_locale_routes_count);
    cw_router_add(r, cw_databases_routes, cw_databases_routes_count);
    cw_router_add(r, cw_tablesdb_routes, cw_tablesdb_routes_count);
    cw_router_add(r, cw_users_routes, cw_users_routes_count);
    cw_router_add(r, cw_account_routes, cw_account_routes_count);
    cw_router_add(r, cw_account_mfa_routes, cw_account_mfa_routes_count);
    cw_router_add(r, cw_account_tokens_routes, cw_account_tokens_routes_count);
    cw_router_add(r, cw_account_oauth2_routes, cw_account_oauth2_routes_count);
    cw_router_add(r, cw_teams_routes, cw_teams_routes_count);
    cw_router_add(r, cw_account_extra_routes, cw_account_extra_routes_count);
    cw_router_add(r, cw_logs_routes, cw_logs_routes_count);
    cw_router_add(r, cw_console_projects_routes, cw_console_projects_routes_count);
    cw_router_add(r, cw_console_routes, cw_console_routes_count);
    cw_router_add(r, cw_webhooks_routes, cw_webhooks_routes_count);
    cw_router_add(r, cw_project_routes, cw_project_routes_count);
    memset(app, 0, sizeof(*app));
    app->router = r;
    app->thread_init = thread_init;
    app->thread_dispose = thread_dispose;
    app->dispatch = dispatch;
    app->log_project = log_project;
    app->must_offload = must_offload;
    api_shared_t *shared = cw_calloc(1, sizeof(*shared));
    shared->cfg = cfg;
    shared->console_project = cw_console_project_new(cfg);
    shared->db_hub = cw_db_hub_new();
    cw_queue_opts_t qo;
    cw_queue_opts_from_config(cfg, &qo);
    if (cw_queue_open(cfg->data_dir, &qo, &shared->queue) != CW_OK)
        cw_log(CW_LOG_ERROR, "msg=\"cannot open the job queue: mail is unavailable\"");
    shared->abuse = cw_abuse_new(cfg->abuse == NULL || strcmp(cfg->abuse, "disabled") != 0,
                                 cw_ratelimit_memory_new(ABUSE_COUNTERS_MAX));
    /* Events leave through the emitter's own thread; webhooks subscribe when there is a queue
     * to hold their deliveries. */
    shared->events = cw_events_new();
    if (shared->queue != NULL &&
        cw_queue_open_background(shared->queue, &shared->events_queue) == CW_OK) {
        shared->webhooks = cw_webhooks_new(cfg, shared->events_queue);
        cw_webhooks_subscribe(shared->webhooks, shared->events);
    }
    if (cw_events_start(shared->events) != CW_OK)
        cw_log(CW_LOG_ERROR, "msg=\"cannot start the events emitter: events are off\"");
    app->data = shared;
}

cw_queue_t *cw_api_queue(const cw_app_t *app)
{
    return ((const api_shared_t *)app->data)->queue;
}

void cw_api_destroy(cw_app_t *app)
{
    api_shared_t *shared = app->data;
    cw_router_free((cw_router_t *)app->router);
    app->router = NULL;
    /* The server has stopped and every thread closed its stores: the hub may go. */
    cw_db_hub_free(shared->db_hub);
    /* What the emitter still holds goes to the queue before the queue closes. */
    cw_events_stop(shared->events);
    cw_webhooks_free(shared->webhooks);
    cw_queue_close(shared->events_queue);
    cw_queue_close(shared->queue);
    cw_abuse_free(shared->abuse);
    cw_console_project_free(shared->console_project);
    free(shared);
    app->data = NULL;
}
