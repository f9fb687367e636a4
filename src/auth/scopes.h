/*
 * Appwrite's permission scopes: the full list an API key may hold, and the scopes a request gets
 * without a key (guests, users). Static data; any thread.
 */
#ifndef CW_AUTH_SCOPES_H
#define CW_AUTH_SCOPES_H

#include <stdbool.h>

#include "core/str.h"

/* Every scope a project API key can be given, NULL-terminated. */
extern const char *const cw_scopes_all[];
/* Scopes every key holds on top of its own. */
extern const char *const cw_scopes_key_implicit[];
extern const char *const cw_scopes_guests[];
extern const char *const cw_scopes_users[];
/* What a console user's team role gives on the projects of the organisation (Appwrite's
 * app/config/roles.php): "admin" and "developer" hold cw_scopes_admins, "owner" those and
 * cw_scopes_users; any other role only teams.read and projects.read. */
extern const char *const cw_scopes_admins[];

bool cw_scope_known(cw_str_t scope);
bool cw_scope_in(const char *const *list, const char *scope);

#endif
