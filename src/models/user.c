#include "models/user.h"

#include "models/json.h"

json_t *cw_model_target(const json_t *t)
{
    static const char *const head[] = {"$id", "$createdAt", "$updatedAt", "name", "userId", NULL};
    json_t *m = json_object();
    for (const char *const *k = head; *k != NULL; k++)
        cw_model_put_str(m, t, *k);
    const json_t *p = json_object_get(t, "providerId");
    json_object_set_new(m, "providerId",
                        json_is_string(p) && json_string_length(p) > 0 ? json_incref((json_t *)p)
                                                                       : json_null());
    cw_model_put_str(m, t, "providerType");
    cw_model_put_str(m, t, "identifier");
    cw_model_put_bool(m, t, "expired", false);
    return m;
}

json_t *cw_model_user(const json_t *u, const json_t *targets, bool with_password)
{
    json_t *m = json_object();
    cw_model_put_str(m, u, "$id");
    cw_model_put_str(m, u, "$createdAt");
    cw_model_put_str(m, u, "$updatedAt");
    cw_model_put_str(m, u, "name");
    if (with_password) {
        cw_model_put_str(m, u, "password");
        cw_model_put_str(m, u, "hash");
        const json_t *ho = json_object_get(u, "hashOptions");
        json_object_set_new(m, "hashOptions",
                            json_is_object(ho) ? json_deep_copy(ho) : json_object());
    }
    cw_model_put_str(m, u, "registration");
    cw_model_put_bool(m, u, "status", true);
    const json_t *labels = json_object_get(u, "labels");
    json_object_set_new(m, "labels", json_is_array(labels) ? json_deep_copy(labels) : json_array());
    cw_model_put_str(m, u, "passwordUpdate");
    cw_model_put_str(m, u, "email");
    cw_model_put_str(m, u, "phone");
    cw_model_put_bool(m, u, "emailVerification", false);
    cw_model_put_bool(m, u, "phoneVerification", false);
    cw_model_put_bool(m, u, "mfa", false);
    const json_t *prefs = json_object_get(u, "prefs");
    json_object_set_new(m, "prefs", json_is_object(prefs) ? json_deep_copy(prefs) : json_object());
    json_t *tl = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(targets, i, t)
    {
        json_array_append_new(tl, cw_model_target(t));
    }
    json_object_set_new(m, "targets", tl);
    cw_model_put_str(m, u, "accessedAt");
    cw_model_put_bool(m, u, "impersonator", false);
    return m;
}
