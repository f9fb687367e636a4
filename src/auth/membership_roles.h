/*
 * The roles a signed-in user holds through teams: for each confirmed membership team:T,
 * member:M and team:T/ROLE for each of its roles (Appwrite's User::getRoles). Reads the
 * project's internal memberships collection; invitations not yet accepted give nothing.
 *
 * The roles are copied into the set's arena; nothing returned needs freeing. Threads: the
 * thread that holds db (a worker, since it reads SQLite).
 */
#ifndef CW_AUTH_MEMBERSHIP_ROLES_H
#define CW_AUTH_MEMBERSHIP_ROLES_H

#include "core/str.h"
#include "db/database.h"
#include "db/permission.h"

/* At most this many memberships count for one user, as Appwrite's subquery limit. */
#define CW_TEAMS_ROLES_MAX 1000

/* Adds the team roles of user_id to roles. Returns 0, or -1 with err filled (roles may then
 * hold some of them). */
int cw_teams_roles(cw_db_t *db, cw_str_t user_id, cw_roles_t *roles, cw_db_error_t *err);

#endif
