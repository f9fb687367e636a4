/*
 * What the project service offers the rest of the server: whether a project's platforms allow a
 * browser origin or an app's redirect scheme. Pure functions of the cached project; any thread.
 */
#ifndef CW_SERVICES_PROJECT_H
#define CW_SERVICES_PROJECT_H

#include <stdbool.h>

#include "core/str.h"
#include "db/console.h"

/* Whether host (lowercase, no port) is the hostname of one of p's web platforms (a hostname may
 * be "*" or "*.example.com"). */
bool cw_project_platform_web_allows(const cw_project_t *p, cw_str_t host);
/* Whether scheme is the identifier of one of p's native app platforms. */
bool cw_project_platform_scheme_allows(const cw_project_t *p, cw_str_t scheme);

#endif
