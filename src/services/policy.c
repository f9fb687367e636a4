#include "services/policy.h"

#include <string.h>

#include "auth/password.h"
#include "auth/password_policy.h"
#include "core/utf8.h"
#include "db/internal.h"
#include "http/args.h"
#include "services/api.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 256

/* What Appwrite's code reads for a project with no auths object at all. */
static const cw_project_auth_t fallback = {
    .duration = CW_AUTH_DURATION_DEFAULT,
    .max_sessions = CW_AUTH_SESSIONS_DEFAULT,
    .memberships_user_name = true,
    .memberships_user_email = true,
    .memberships_mfa = true,
    .memberships_user_id = true,
    .memberships_user_phone = true,
    .methods = {true, true, true, true, true, true, true},
};

const cw_project_auth_t *cw_policy(cw_ctx_t *ctx)
{
    const cw_project_t *p = cw_ctx_auth(ctx)->project;
    return p != NULL ? &p->auth : &fallback;
}

/* Appwrite's messages, one per method (app/controllers/shared/api/auth.php). */
static const char *const method_disabled[CW_AUTH__COUNT] = {
    [CW_AUTH_EMAIL_PASSWORD] = "Email / Password authentication is disabled for this project",
    [CW_AUTH_MAGIC_URL] = "Magic URL authentication is disabled for this project",
    [CW_AUTH_EMAIL_OTP] = "Email OTP authentication is disabled for this project",
    [CW_AUTH_ANONYMOUS] = "Anonymous authentication is disabled for this project",
    [CW_AUTH_INVITES] = "Invites authentication is disabled for this project",
    [CW_AUTH_JWT] = "JWT authentication is disabled for this project",
    [CW_AUTH_PHONE] = "Phone authentication is disabled for this project",
};

int cw_policy_method_allowed(cw_ctx_t *ctx, cw_auth_method_t m)
{
    if (cw_ctx_auth(ctx)->role == CW_ROLE_KEYS || cw_policy(ctx)->methods[m])
        return 0;
    cw_res_error(ctx->res, CW_ERR_USER_AUTH_METHOD_UNSUPPORTED, "%s", method_disabled[m]);
    return -1;
}

int cw_policy_user_limit(cw_ctx_t *ctx, cw_db_t *db, const char *message)
{
    int64_t limit = cw_policy(ctx)->limit;
    if (limit == 0)
        return 0;
    /* Whether a limit-th user exists: exact past the 5000 at which list totals stop counting. */
    json_t *q = json_array(), *found = NULL;
    cw_db_error_t err = {0};
    json_array_append_new(q, cw_db_internal_query("offset", NULL, json_integer(limit - 1)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, "users", q, NULL, false, &found, &err);
    json_decref(q);
    size_t n = json_array_size(json_object_get(found, "documents"));
    json_decref(found);
    if (rc != 0) {
        cw_res_error(ctx->res, err.type, "%s", err.message);
        return -1;
    }
    if (n == 0)
        return 0;
    if (cw_str_eq_cstr(cw_ctx_auth(ctx)->project_id, CW_CONSOLE_PROJECT))
        cw_res_error(ctx->res, CW_ERR_USER_CONSOLE_COUNT_EXCEEDED, NULL);
    else if (message != NULL)
        cw_res_error(ctx->res, CW_ERR_USER_COUNT_EXCEEDED, "%s", message);
    else
        cw_res_error(ctx->res, CW_ERR_USER_COUNT_EXCEEDED, NULL);
    return -1;
}

int cw_policy_arg_new_password(cw_ctx_t *ctx, const char *name, bool required, bool allow_empty,
                               const char **out)
{
    if (cw_arg_text(ctx, name, required, 0, out) != 0)
        return -1;
    if (*out == NULL || (allow_empty && (*out)[0] == '\0'))
        return 0;
    size_t len = strlen(*out), n = cw_utf8_count(*out, len);
    if (n < PASSWORD_MIN || n > PASSWORD_MAX)
        return cw_arg_invalid(ctx, name, "Password must be between 8 and 256 characters long.");
    /* Appwrite's PasswordDictionary validator, with its own wording (265 included). */
    if (cw_policy(ctx)->password_dictionary && cw_password_in_dictionary((cw_str_t){*out, len}))
        return cw_arg_invalid(ctx, name,
                              "Password must be between 8 and 265 characters long, and should "
                              "not be one of the commonly used password.");
    return 0;
}

int cw_policy_password_personal(cw_ctx_t *ctx, const char *password, const char *user_id,
                                const char *email, const char *name, const char *phone)
{
    if (!cw_policy(ctx)->personal_data_check || password == NULL ||
        !cw_password_has_personal_data(cw_str(password), user_id, email, name, phone))
        return 0;
    cw_res_error(ctx->res, CW_ERR_USER_PASSWORD_PERSONAL_DATA, NULL);
    return -1;
}

int cw_policy_password_history(cw_ctx_t *ctx, const json_t *user, const char *password,
                               cw_str_t new_hash, json_t **history)
{
    int64_t limit = cw_policy(ctx)->password_history;
    *history = NULL;
    if (limit <= 0)
        return 0;
    const json_t *old = json_object_get(user, "passwordHistory");
    const json_t *hash = json_object_get(user, "hash");
    cw_password_desc_t d;
    /* Appwrite checks the history under the user's current algorithm. */
    if (json_is_string(hash) &&
        cw_password_desc_parse((cw_str_t){json_string_value(hash), json_string_length(hash)},
                               json_object_get(user, "hashOptions"), &d) == 0 &&
        cw_password_in_history(old, &d, cw_str(password))) {
        cw_res_error(ctx->res, CW_ERR_USER_PASSWORD_RECENTLY_USED, NULL);
        return -1;
    }
    *history = cw_password_history_push(json_is_array(old) ? old : NULL, new_hash, limit);
    return 0;
}

json_t *cw_policy_first_history(cw_ctx_t *ctx, const char *hash)
{
    json_t *h = json_array();
    if (hash != NULL && cw_policy(ctx)->password_history > 0)
        json_array_append_new(h, json_string(hash));
    return h;
}

bool cw_policy_mfa_factor_on(cw_ctx_t *ctx, const char *factor)
{
    const cw_project_t *p = cw_ctx_auth(ctx)->project;
    const json_t *factors = json_object_get(p != NULL ? p->auths : NULL, "mfaFactors");
    const json_t *on = json_object_get(factors, factor);
    /* A factor the object does not name is on, as Appwrite reads it (recovery codes never are). */
    return !json_is_boolean(on) || json_is_true(on);
}

int cw_policy_sessions_end(cw_db_t *db, const char *user_id, const char *keep, cw_db_error_t *err)
{
    json_t *q = json_array();
    size_t n = 0;
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(user_id)));
    if (keep != NULL)
        json_array_append_new(q, cw_db_internal_query("notEqual", "$id", json_string(keep)));
    int rc = cw_db_internal_delete_where(db, "sessions", q, &n, err);
    json_decref(q);
    return rc;
}
