/*
 * The console project and who may act on a project through it. In Appwrite the console is
 * itself a project ("console"): operators sign up there (cookie a_session_console), their
 * organisations are teams of that project, and a project belongs to one organisation. A member
 * acts on the project with the scopes of their team role (Appwrite's app/config/roles.php):
 * through the console's /v1/projects/{projectId}… routes, or by calling the project's own APIs
 * with X-Appwrite-Project: <id> and X-Appwrite-Mode: admin.
 *
 * The console project's record is built from the configuration (_APP_CONSOLE_WHITELIST_*), not
 * stored; its users, sessions and teams live in its own store like any project's. Everything here
 * runs on the handler's thread; the functions that take a ctx write Appwrite's error and return
 * -1 when they refuse.
 */
#ifndef CW_SERVICES_CONSOLE_AUTH_H
#define CW_SERVICES_CONSOLE_AUTH_H

#include <jansson.h>
#include <stdbool.h>

#include "core/config.h"
#include "db/console.h"
#include "http/router.h"
#include "services/api.h"

/* The console project's record (owned by the caller: cw_console_project_free). */
cw_project_t *cw_console_project_new(const cw_config_t *cfg);
void cw_console_project_free(cw_project_t *p);

/* Whether the request's project is the console. */
bool cw_console_is(const cw_auth_t *auth);

/* Console sign-up (account create): the e-mail and address whitelists, 401
 * user_email_not_whitelisted / user_ip_not_whitelisted; other projects pass. */
int cw_console_signup_check(cw_ctx_t *ctx, const char *email);

/* Whether the request asks for admin mode (X-Appwrite-Mode or the `mode` parameter). */
bool cw_console_admin_mode(cw_req_t *req);

/* The middleware's step for X-Appwrite-Mode: admin on a project's API. With a console session
 * (cookie a_session_console, X-Appwrite-Session or X-Fallback-Cookies) of a confirmed member of
 * the project's organisation, the request acts like an API key of the project holding the
 * scopes of the member's role (document permissions do not apply, as in Appwrite); a console
 * user outside the organisation gets 401 user_unauthorized. Without a console session nothing
 * changes (the request stays a guest's). On the console project: 400 general_bad_request. */
int cw_console_admin_resolve(cw_ctx_t *ctx, cw_auth_t *auth);

/* The middleware's step for a signed-in console user on the console project's routes under
 * /v1/projects/{projectId}: the scopes become those of the user's role in the organisation that
 * owns that project (401 user_unauthorized for a user outside it), as Appwrite resolves them. */
int cw_console_org_scopes(cw_ctx_t *ctx, cw_auth_t *auth);

/* The project a console request acts on: the request's own project when it already acts on it
 * (its API key, or admin mode), else project_id for a console user who belongs to its
 * organisation. 404 project_not_found when there is no such project, 401 user_unauthorized when
 * the user is not a member (Appwrite's answers), 401 general_unauthorized_scope without a console
 * user. *out is borrowed from the thread's console cache, valid for the request. */
int cw_console_target_project(cw_ctx_t *ctx, const char *project_id, const cw_project_t **out);

/* The confirmed roles of a console user in a team (a new reference; [] when not a member).
 * Blocks on the console project's store. Returns 0, or -1 with the error written. */
int cw_console_member_roles(cw_ctx_t *ctx, const char *user_id, const char *team_id,
                            json_t **roles);

/* The scopes a member with these roles holds on project_id (arena-allocated, NULL-terminated);
 * NULL when no role gives any (the member has only project roles of other projects). */
const char *const *cw_console_roles_scopes(cw_arena_t *arena, const json_t *roles,
                                           const char *project_id);

/* Appwrite's 401 general_unauthorized_scope for a missing scope, naming the caller. */
void cw_console_scope_error(cw_ctx_t *ctx, const char *scope);

#endif
