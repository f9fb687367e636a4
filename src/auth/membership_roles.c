#include "auth/membership_roles.h"

#include <jansson.h>

#include "db/internal.h"

#define ROLES_PER_MEMBERSHIP 100 /* APP_LIMIT_ARRAY_PARAMS_SIZE bounds a membership's roles */

static cw_str_t json_str(const json_t *v)
{
    return (cw_str_t){json_string_value(v), json_string_length(v)};
}

int cw_teams_roles(cw_db_t *db, cw_str_t user_id, cw_roles_t *roles, cw_db_error_t *err)
{
    int rc = -1;
    json_t *q = json_array(), *found = NULL;
    json_array_append_new(
        q, cw_db_internal_query("equal", "userId", json_stringn(user_id.ptr, user_id.len)));
    json_array_append_new(q, cw_db_internal_query("equal", "confirm", json_true()));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(CW_TEAMS_ROLES_MAX)));
    if (cw_db_internal_find(db, "memberships", q, NULL, false, &found, err) != 0)
        goto out;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(found, "documents"), i, m)
    {
        cw_str_t team_roles[ROLES_PER_MEMBERSHIP];
        size_t n = 0, k;
        json_t *r;
        json_array_foreach(json_object_get(m, "roles"), k, r)
        {
            if (json_is_string(r) && n < ROLES_PER_MEMBERSHIP)
                team_roles[n++] = json_str(r);
        }
        const json_t *team = json_object_get(m, "teamId"), *id = json_object_get(m, "$id");
        if (!json_is_string(team) || !json_is_string(id))
            continue;
        cw_roles_add_membership(roles, json_str(team), json_str(id), team_roles, n);
    }
    rc = 0;
out:
    json_decref(found);
    json_decref(q);
    return rc;
}
