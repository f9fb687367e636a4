#include "models/membership.h"

static void put_str(json_t *m, const char *key, const json_t *v)
{
    json_object_set_new(m, key, json_string(json_is_string(v) ? json_string_value(v) : ""));
}

json_t *cw_model_membership(const json_t *membership, const char *team_name, const json_t *user,
                            bool with_phone, bool mfa)
{
    json_t *m = json_object();
    put_str(m, "$id", json_object_get(membership, "$id"));
    put_str(m, "$createdAt", json_object_get(membership, "$createdAt"));
    put_str(m, "$updatedAt", json_object_get(membership, "$updatedAt"));
    put_str(m, "userId", json_object_get(membership, "userId"));
    put_str(m, "userName", json_object_get(user, "name"));
    put_str(m, "userEmail", json_object_get(user, "email"));
    put_str(m, "userPhone", with_phone ? json_object_get(user, "phone") : NULL);
    put_str(m, "teamId", json_object_get(membership, "teamId"));
    json_object_set_new(m, "teamName", json_string(team_name != NULL ? team_name : ""));
    put_str(m, "invited", json_object_get(membership, "invited"));
    put_str(m, "joined", json_object_get(membership, "joined"));
    json_object_set_new(m, "confirm",
                        json_boolean(json_is_true(json_object_get(membership, "confirm"))));
    json_object_set_new(m, "mfa", json_boolean(with_phone && mfa));
    const json_t *roles = json_object_get(membership, "roles");
    json_object_set_new(m, "roles", json_is_array(roles) ? json_deep_copy(roles) : json_array());
    return m;
}
