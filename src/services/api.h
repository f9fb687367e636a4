/*
 * The application behind the HTTP server: per-thread state (a console store connection), the
 * middleware every request passes (CORS, project, API key, origin, session or JWT, scope, blocked
 * user, parameters) and the route tables of all services. Built once on the main thread;
 * dispatch runs on loop and worker threads, each with its own cw_thread_t.
 */
#ifndef CW_SERVICES_API_H
#define CW_SERVICES_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/session_cookie.h"
#include "core/config.h"
#include "core/id.h"
#include "db/console.h"
#include "db/database.h"
#include "http/server.h"
#include "queue/queue.h"

/* Project stores a thread keeps open between requests; the least recently used is closed first. */
#define CW_THREAD_DBS 4

typedef struct cw_thread_db {
    char project_id[sizeof(((cw_project_t *)0)->id)];
    int64_t project_created_at; /* tells a project deleted and made again from the old one */
    cw_db_t *db; /* NULL: a free slot */
    uint64_t last_use;
} cw_thread_db_t;

typedef struct cw_thread {
    const cw_config_t *cfg;
    cw_console_t *console;
    int index;
    cw_thread_db_t dbs[CW_THREAD_DBS];
    uint64_t db_uses;
    cw_db_hub_t *db_hub; /* shared by all threads; every store opened joins it */
    struct cw_session_cache *sessions; /* this thread's verified sessions (auth/session_cache.h) */
    cw_queue_t *queue;   /* the job queue, shared by all threads; NULL when it failed to open */
    struct cw_abuse *abuse; /* shared by all threads: the rate limits and their counters */
    const cw_project_t *console_project; /* the console's own project, shared, read-only */
    struct cw_events *events; /* shared: the emitter writes are announced to */
    struct cw_webhooks *webhooks; /* shared: told when a project's webhooks change */
} cw_thread_t;

typedef enum cw_role { CW_ROLE_GUESTS, CW_ROLE_USERS, CW_ROLE_KEYS } cw_role_t;

/* What the middleware resolved for a request (ctx->auth). */
typedef struct cw_auth {
    cw_str_t project_id; /* "console" when the request named none */
    const cw_project_t *project; /* borrowed from the thread's console cache */
    bool has_project;
    const cw_key_t *key;
    bool has_key;
    cw_role_t role;
    cw_str_t locale; /* X-Appwrite-Locale or the locale parameter, may be empty */
    /* The signed-in user and the session the request came with (from a cookie, X-Appwrite-Session,
     * X-Fallback-Cookies or a JWT), or NULL. Resolved only on offloaded routes of a project, and
     * dropped when an API key is given (the key acts, as in Appwrite). The middleware owns both
     * references and releases them when the handler returns; a handler that replaces one must
     * keep that rule. */
    json_t *user;
    json_t *session;
    bool via_jwt; /* the session came from X-Appwrite-JWT */
    /* The roles the document database checks permissions against: "any" and "guests", or those
     * of the user (cw_session_roles). NULL-terminated, in the request's arena. */
    const char *const *roles;
    /* A console user's scopes on the console project's /v1/projects/{projectId}… routes: those
     * of their role in the project's organisation (services/console_auth.h); NULL otherwise. */
    const char *const *scopes;
    bool admin;       /* X-Appwrite-Mode: admin by a member: `key` holds the member's scopes */
    /* Admin mode with a console session short of the factors its user needs (MFA): the
     * middleware answers user_more_factors_required after the scope check, as Appwrite does. */
    bool admin_needs_factors;
    bool has_dev_key; /* a valid X-Appwrite-Dev-Key: no rate limits, no origin check */
} cw_auth_t;

#define CW_CONSOLE_PROJECT "console"

/* Fills app with the router of every service and the callbacks; cfg must outlive it. */
void cw_api_init(cw_app_t *app, const cw_config_t *cfg);
void cw_api_destroy(cw_app_t *app);
/* The job queue cw_api_init opened in the data folder (NULL if it could not), for the workers. */
cw_queue_t *cw_api_queue(const cw_app_t *app);

/* The store of a project for this thread, opened on first use and kept for later requests. It
 * belongs to the thread: use it within the request, never keep it. Returns 0, or -1 with err
 * filled. */
int cw_thread_db(cw_thread_t *t, const cw_project_t *project, cw_db_t **out, cw_db_error_t *err);

/* The session credential of a request for project_id's cookie (a_session_<id>), in Appwrite's
 * order: the cookie, its legacy twin, X-Appwrite-Session, X-Fallback-Cookies. */
bool cw_api_session_credentials(cw_req_t *req, cw_str_t project_id, cw_session_cookie_t *out);

static inline cw_thread_t *cw_ctx_thread(cw_ctx_t *ctx)
{
    return (cw_thread_t *)ctx->thread;
}

static inline cw_auth_t *cw_ctx_auth(cw_ctx_t *ctx)
{
    return (cw_auth_t *)ctx->auth;
}

#endif
