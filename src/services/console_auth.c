#include "services/console_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/mfa.h"
#include "auth/scopes.h"
#include "auth/session.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/console_meta.h"
#include "db/internal.h"
#include "db/project_auth.h"

/* Console sign-up per Appwrite's app/config/console.php: with _APP_CONSOLE_WHITELIST_ROOT on (its
 * default) the console takes one account, and later ones come by invitation. Members see every
 * membership field of their organisations. */
cw_project_t *cw_console_project_new(const cw_config_t *cfg)
{
    cw_project_t *p = cw_calloc(1, sizeof(*p));
    snprintf(p->id, sizeof(p->id), "%s", CW_CONSOLE_PROJECT_ID);
    p->name = cw_strdup("Console");
    bool root_only =
        cfg->console_whitelist_root == NULL || strcmp(cfg->console_whitelist_root, "enabled") == 0;
    p->auths = json_pack("{s:I, s:I, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "limit",
                         (json_int_t)(root_only ? 1 : 0), "duration",
                         (json_int_t)CW_AUTH_DURATION_DEFAULT, "membershipsUserName", 1,
                         "membershipsUserEmail", 1, "membershipsMfa", 1, "membershipsUserId", 1,
                         "membershipsUserPhone", 1, "invalidateSessions", 1, "sessionAlerts", 0);
    p->smtp = json_object();
    p->services = json_object();
    p->protocols = json_object();
    cw_project_auth_parse(p->auths, &p->auth);
    return p;
}

void cw_console_project_free(cw_project_t *p)
{
    if (p == NULL)
        return;
    cw_project_clear(p);
    free(p);
}

bool cw_console_is(const cw_auth_t *auth)
{
    return auth->project != NULL && strcmp(auth->project->id, CW_CONSOLE_PROJECT_ID) == 0;
}

/* Whether item is on a comma-separated list, blanks around items ignored, letters' case too. */
static bool on_list(const char *list, const char *item, size_t item_len)
{
    const char *p = list;
    while (p != NULL && *p != '\0') {
        const char *comma = strchr(p, ',');
        const char *end = comma != NULL ? comma : p + strlen(p);
        const char *s = p;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        const char *e = end;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - s) == item_len && strncasecmp(s, item, item_len) == 0)
            return true;
        p = comma != NULL ? comma + 1 : NULL;
    }
    return false;
}

/* Appwrite's EmailWhitelist: an exact address, or "*@domain" for every address of the domain. */
static bool email_whitelisted(const char *list, const char *email)
{
    if (on_list(list, email, strlen(email)))
        return true;
    const char *at = strrchr(email, '@');
    if (at == NULL)
        return false;
    char pattern[300];
    int n = snprintf(pattern, sizeof(pattern), "*%s", at);
    return n > 0 && (size_t)n < sizeof(pattern) && on_list(list, pattern, (size_t)n);
}

int cw_console_signup_check(cw_ctx_t *ctx, const char *email)
{
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    if (!cw_console_is(cw_ctx_auth(ctx)))
        return 0;
    const char *emails = cfg->console_whitelist_emails;
    if (emails != NULL && emails[0] != '\0' && !email_whitelisted(emails, email)) {
        cw_res_error(ctx->res, CW_ERR_USER_EMAIL_NOT_WHITELISTED, NULL);
        return -1;
    }
    const char *ips = cfg->console_whitelist_ips;
    cw_str_t ip = ctx->req->ip;
    if (ips != NULL && ips[0] != '\0' && (ip.len == 0 || !on_list(ips, ip.ptr, ip.len))) {
        cw_res_error(ctx->res, CW_ERR_USER_IP_NOT_WHITELISTED, NULL);
        return -1;
    }
    return 0;
}

/* The value of the `mode` query parameter, else of X-Appwrite-Mode. */
bool cw_console_admin_mode(cw_req_t *req)
{
    cw_str_t q = req->query;
    size_t i = 0;
    while (i < q.len) {
        const char *amp = memchr(q.ptr + i, '&', q.len - i);
        size_t end = amp != NULL ? (size_t)(amp - q.ptr) : q.len;
        if (end - i >= 5 && memcmp(q.ptr + i, "mode=", 5) == 0)
            return end - i == 10 && memcmp(q.ptr + i + 5, "admin", 5) == 0;
        i = end + 1;
    }
    return cw_str_eq_cstr(cw_req_header(req, "x-appwrite-mode"), "admin");
}

/* Roles and scopes ---------------------------------------------------------------------------- */

static const char *const base_scopes[] = {"teams.read", "projects.read", NULL};

static void add_scopes(const char **set, size_t *n, size_t cap, const char *const *list)
{
    for (; *list != NULL; list++) {
        bool seen = false;
        for (size_t i = 0; i < *n && !seen; i++)
            seen = strcmp(set[i], *list) == 0;
        if (!seen && *n < cap)
            set[(*n)++] = *list;
    }
}

/* The scopes of one role (Appwrite's roles.php); NULL for a role that gives none. */
static const char *const *role_scopes(const char *role, size_t len, bool *owner)
{
    *owner = len == 5 && memcmp(role, "owner", 5) == 0;
    if (*owner || (len == 9 && memcmp(role, "developer", 9) == 0) ||
        (len == 5 && memcmp(role, "admin", 5) == 0))
        return cw_scopes_admins;
    return NULL;
}

const char *const *cw_console_roles_scopes(cw_arena_t *arena, const json_t *roles,
                                           const char *project_id)
{
    size_t cap = 256, n = 0;
    const char **set = cw_arena_alloc(arena, (cap + 1) * sizeof(*set));
    bool any = false;
    size_t i;
    const json_t *r;
    add_scopes(set, &n, cap, base_scopes);
    json_array_foreach(roles, i, r)
    {
        const char *role = json_string_value(r);
        if (role == NULL)
            continue;
        size_t len = strlen(role);
        /* "project-<projectId>-<role>" counts on that project only. */
        if (strncmp(role, "project-", 8) == 0) {
            size_t pl = project_id != NULL ? strlen(project_id) : 0;
            if (pl == 0 || strncmp(role + 8, project_id, pl) != 0 || role[8 + pl] != '-')
                continue;
            const char *dash = strrchr(role, '-');
            len = strlen(dash + 1);
            role = dash + 1;
        }
        any = true;
        bool owner;
        const char *const *list = role_scopes(role, len, &owner);
        if (list != NULL)
            add_scopes(set, &n, cap, list);
        if (owner)
            add_scopes(set, &n, cap, cw_scopes_users);
    }
    set[n] = NULL;
    return any ? set : NULL;
}

void cw_console_scope_error(cw_ctx_t *ctx, const char *scope)
{
    const cw_auth_t *auth = cw_ctx_auth(ctx);
    const char *email = json_string_value(json_object_get(auth->user, "email"));
    cw_res_error(ctx->res, CW_ERR_GENERAL_UNAUTHORIZED_SCOPE,
                 "%s (role: %s) missing scopes ([\"%s\"])", email != NULL ? email : "User",
                 auth->user != NULL ? "users" : "guests", scope);
}

/* Membership ------------------------------------------------------------------------------------
 */

static int server_error(cw_ctx_t *ctx, const char *what, const cw_db_error_t *err)
{
    cw_log(CW_LOG_ERROR, "msg=\"%s\" error=\"%s\"", what, err != NULL ? err->message : "");
    cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
    return -1;
}

static int console_db(cw_ctx_t *ctx, cw_db_t **db)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_db_error_t err = {0};
    if (cw_thread_db(t, t->console_project, db, &err) != 0 || cw_db_internal_ensure(*db, &err) != 0)
        return server_error(ctx, "console store unavailable", &err);
    return 0;
}

int cw_console_member_roles(cw_ctx_t *ctx, const char *user_id, const char *team_id, json_t **roles)
{
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_t *found = NULL;
    *roles = json_array();
    if (user_id == NULL || team_id == NULL || team_id[0] == '\0')
        return 0;
    if (console_db(ctx, &db) != 0)
        return -1;
    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(user_id)));
    json_array_append_new(q, cw_db_internal_query("equal", "teamId", json_string(team_id)));
    json_array_append_new(q, cw_db_internal_query("equal", "confirm", json_true()));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, "memberships", q, NULL, false, &found, &err);
    json_decref(q);
    if (rc != 0) {
        json_decref(found);
        return server_error(ctx, "membership lookup failed", &err);
    }
    json_t *m = json_array_get(json_object_get(found, "documents"), 0);
    json_t *r = json_object_get(m, "roles");
    if (json_is_array(r))
        json_array_extend(*roles, r);
    json_decref(found);
    return 0;
}

/* The team of a project ("" when it has none or there is no such project). */
static int project_team(cw_ctx_t *ctx, const char *project_id, char team[CW_CONSOLE_ID_SIZE],
                        bool *exists)
{
    int rc = cw_console_project_team_get(cw_ctx_thread(ctx)->console, project_id, team);
    *exists = rc == CW_OK;
    if (rc == CW_ENOTFOUND) {
        team[0] = '\0';
        return 0;
    }
    return rc == CW_OK ? 0 : server_error(ctx, "project team lookup failed", NULL);
}

/* Admin mode --------------------------------------------------------------------------------------
 */

/* The console user of a request's console session, or NULL, and whether that session lacks a
 * factor the user needs. */
static int console_user(cw_ctx_t *ctx, json_t **user, bool *short_of_factors)
{
    cw_session_cookie_t cookie;
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_t *session = NULL;
    int need = 1;
    *user = NULL;
    *short_of_factors = false;
    if (!cw_api_session_credentials(ctx->req, CW_STR_LIT(CW_CONSOLE_PROJECT_ID), &cookie))
        return 0;
    if (console_db(ctx, &db) != 0)
        return -1;
    int rc = cw_session_verify(db, cw_str(cookie.id), cw_str(cookie.secret), cw_time_now_ms(), user,
                               &session, &err);
    if (rc != 0 && rc != CW_ENOTFOUND) {
        json_decref(session);
        return server_error(ctx, "console session lookup failed", &err);
    }
    if (*user != NULL && json_is_false(json_object_get(*user, "status"))) {
        json_decref(session);
        json_decref(*user);
        *user = NULL;
        cw_res_error(ctx->res, CW_ERR_USER_BLOCKED, NULL);
        return -1;
    }
    /* A session that passed the password alone must not administer projects when its user has a
     * second factor to give: Appwrite gates admin mode like any route of the user's project. */
    if (*user != NULL && cw_mfa_factors_required(db, *user, &need, &err) != 0) {
        json_decref(session);
        json_decref(*user);
        *user = NULL;
        return server_error(ctx, "console mfa check failed", &err);
    }
    *short_of_factors = json_array_size(json_object_get(session, "factors")) < (size_t)need;
    json_decref(session);
    return 0;
}

int cw_console_admin_resolve(cw_ctx_t *ctx, cw_auth_t *auth)
{
    json_t *user = NULL, *roles = NULL;
    char team[CW_CONSOLE_ID_SIZE];
    bool exists;
    int rc = -1;
    if (cw_console_is(auth)) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST,
                     "Admin mode is not allowed for console project");
        return -1;
    }
    if (!auth->has_project || auth->has_key)
        return 0;
    bool short_of_factors;
    if (console_user(ctx, &user, &short_of_factors) != 0)
        return -1;
    if (user == NULL)
        return 0; /* no console session: a guest of the project, as Appwrite leaves it */
    const char *uid = json_string_value(json_object_get(user, "$id"));
    if (project_team(ctx, auth->project->id, team, &exists) != 0 ||
        cw_console_member_roles(ctx, uid, team, &roles) != 0)
        goto out;
    const char *const *scopes = cw_console_roles_scopes(&ctx->req->arena, roles, auth->project->id);
    if (json_array_size(roles) == 0) {
        cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED, NULL);
        goto out;
    }
    if (scopes == NULL) {
        /* A member whose roles are all about other projects cannot see this one. */
        cw_res_error(ctx->res, CW_ERR_PROJECT_NOT_FOUND, NULL);
        goto out;
    }
    /* The member acts as a key of the project holding the role's scopes. */
    cw_key_t *key = cw_arena_alloc(&ctx->req->arena, sizeof(*key));
    memset(key, 0, sizeof(*key));
    snprintf(key->id, sizeof(key->id), "%s", uid);
    snprintf(key->project_id, sizeof(key->project_id), "%s", auth->project->id);
    const char *name = json_string_value(json_object_get(user, "name"));
    key->name = cw_arena_strndup(&ctx->req->arena, name != NULL ? name : "",
                                 name != NULL ? strlen(name) : 0);
    key->scopes = (char **)scopes;
    while (scopes[key->nscopes] != NULL)
        key->nscopes++;
    auth->key = key;
    auth->has_key = true;
    auth->role = CW_ROLE_KEYS;
    auth->admin = true;
    auth->admin_needs_factors = short_of_factors;
    rc = 0;
out:
    json_decref(roles);
    json_decref(user);
    return rc;
}

int cw_console_org_scopes(cw_ctx_t *ctx, cw_auth_t *auth)
{
    char team[CW_CONSOLE_ID_SIZE];
    bool exists;
    json_t *roles = NULL;
    if (!cw_console_is(auth) || auth->user == NULL || auth->has_key ||
        strncmp(ctx->route->path, "/v1/projects/{projectId}", 24) != 0)
        return 0;
    cw_str_t pid = cw_req_path_param(ctx->req, "projectId");
    const char *project_id = cw_arena_strndup(&ctx->req->arena, pid.ptr, pid.len);
    if (project_team(ctx, project_id, team, &exists) != 0)
        return -1;
    if (team[0] == '\0') {
        /* No such project (its route answers project_not_found), or one no organisation owns
         * yet: an owner may give it to an organisation of theirs (PATCH …/team checks that). */
        if (exists && strcmp(ctx->route->method, "PATCH") == 0 &&
            strcmp(ctx->route->path, "/v1/projects/{projectId}/team") == 0) {
            static const char *const claim[] = {"teams.read", "projects.read", "projects.write",
                                                NULL};
            auth->scopes = claim;
        }
        return 0;
    }
    const char *uid = json_string_value(json_object_get(auth->user, "$id"));
    if (cw_console_member_roles(ctx, uid, team, &roles) != 0)
        return -1;
    int rc = 0;
    if (json_array_size(roles) == 0) {
        cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED, NULL);
        rc = -1;
    } else {
        const char *const *scopes = cw_console_roles_scopes(&ctx->req->arena, roles, project_id);
        auth->scopes = scopes != NULL ? scopes : base_scopes;
    }
    json_decref(roles);
    return rc;
}

int cw_console_target_project(cw_ctx_t *ctx, const char *project_id, const cw_project_t **out)
{
    cw_auth_t *auth = cw_ctx_auth(ctx);
    cw_thread_t *t = cw_ctx_thread(ctx);
    char team[CW_CONSOLE_ID_SIZE];
    bool exists;
    json_t *roles = NULL;
    if (auth->has_project && auth->has_key && !cw_console_is(auth) &&
        strcmp(auth->project->id, project_id) == 0) {
        *out = auth->project;
        return 0;
    }
    if (!cw_console_is(auth) || auth->user == NULL) {
        if (auth->user == NULL && !auth->has_key) {
            cw_console_scope_error(ctx,
                                   ctx->route->scope != NULL ? ctx->route->scope : "projects.read");
            return -1;
        }
        cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED, NULL);
        return -1;
    }
    const cw_project_t *p = NULL;
    int rc = cw_console_project_find(t->console, cw_str(project_id), &p);
    if (rc == CW_ENOTFOUND) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_NOT_FOUND, NULL);
        return -1;
    }
    if (rc != CW_OK || project_team(ctx, project_id, team, &exists) != 0)
        return rc != CW_OK ? server_error(ctx, "project lookup failed", NULL) : -1;
    if (team[0] == '\0') {
        /* Nobody's yet: every console user sees it, so that one may claim it. */
        *out = p;
        return 0;
    }
    const char *uid = json_string_value(json_object_get(auth->user, "$id"));
    if (cw_console_member_roles(ctx, uid, team, &roles) != 0)
        return -1;
    size_t nroles = json_array_size(roles);
    const char *const *scopes = cw_console_roles_scopes(&ctx->req->arena, roles, project_id);
    json_decref(roles);
    if (nroles == 0) {
        cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED, NULL);
        return -1;
    }
    if (scopes == NULL) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_NOT_FOUND, NULL);
        return -1;
    }
    *out = p;
    return 0;
}
