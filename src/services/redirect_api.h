/*
 * The redirect URLs clients give (`url` of recovery, verification, magic URL and team
 * invitations), checked as Appwrite's Redirect validator checks them, so that a mailed link can
 * only send a user back to the project's own apps. Called on the handler's thread.
 */
#ifndef CW_SERVICES_REDIRECT_API_H
#define CW_SERVICES_REDIRECT_API_H

#include <stdbool.h>

#include "http/router.h"

/* The parameter `name` as a redirect URL: a web URL (http, https, browser extensions, tauri)
 * whose host is allowed, or a URL of a scheme the project may use (exp,
 * appwrite-callback-<projectId>). Allowed hosts: localhost (with 127.0.0.1 and [::1]), those of
 * the server's allowed origins, and the project's platforms. 0 with *out (NULL when optional and
 * absent or empty), or -1 with 400 general_argument_invalid written. */
int cw_svc_arg_redirect(cw_ctx_t *ctx, const char *name, bool required, const char **out);

#endif
