/*
 * Which project a console route acts on. The project service's routes serve two paths: their own
 * (/v1/project/…, the project named by X-Appwrite-Project, authorised by the middleware through
 * the route's scope) and Appwrite's older aliases (/v1/projects/{projectId}/…), which a console
 * user calls on a project of their organisation. The aliases are registered without a scope:
 * this resolver alone decides whether the caller may act on that project, and which project it
 * is. Handler's thread.
 */
#ifndef CW_SERVICES_CONSOLE_AUTH_H
#define CW_SERVICES_CONSOLE_AUTH_H

#include "db/console.h"
#include "http/router.h"

/* The project project_id names, if the caller may manage it: 0 with *out borrowed from the
 * thread's console cache (valid for the request), or -1 with the error written (401
 * general_unauthorized_scope, 404 project_not_found, …). */
int cw_console_target_project(cw_ctx_t *ctx, const char *project_id, const cw_project_t **out);

#endif
