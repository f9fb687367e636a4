#include "db/project_auth.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

static const struct {
    const char *name;
    const char *key;
} methods[CW_AUTH__COUNT] = {
    [CW_AUTH_EMAIL_PASSWORD] = {"email-password", "emailPassword"},
    [CW_AUTH_MAGIC_URL] = {"magic-url", "usersAuthMagicURL"},
    [CW_AUTH_EMAIL_OTP] = {"email-otp", "emailOtp"},
    [CW_AUTH_ANONYMOUS] = {"anonymous", "anonymous"},
    [CW_AUTH_INVITES] = {"invites", "invites"},
    [CW_AUTH_JWT] = {"jwt", "JWT"},
    [CW_AUTH_PHONE] = {"phone", "phone"},
};

const char *cw_auth_method_name(cw_auth_method_t m)
{
    return (unsigned)m < CW_AUTH__COUNT ? methods[m].name : "";
}

const char *cw_auth_method_key(cw_auth_method_t m)
{
    return (unsigned)m < CW_AUTH__COUNT ? methods[m].key : "";
}

int cw_auth_method_find(cw_str_t name)
{
    for (int i = 0; i < CW_AUTH__COUNT; i++) {
        if (cw_str_eq_cstr(name, methods[i].name) || cw_str_eq_cstr(name, methods[i].key))
            return i;
    }
    return -1;
}

json_t *cw_project_auth_defaults(void)
{
    json_t *a = json_pack(
        "{s:i, s:i, s:{s:i, s:b, s:b, s:b, s:b}, s:i, s:b, s:i, s:b, s:b, s:b, s:b, s:b, s:[], "
        "s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:{s:b, s:b, s:b, s:b}}",
        "limit", 0, "maxSessions", CW_AUTH_SESSIONS_DEFAULT, "passwordStrength", "min", 8,
        "uppercase", 0, "lowercase", 0, "number", 0, "symbols", 0, "passwordHistory", 0,
        "passwordDictionary", 0, "duration", CW_AUTH_DURATION_DEFAULT, "personalDataCheck", 0,
        "disposableEmails", 0, "canonicalEmails", 0, "freeEmails", 0, "corporateEmails", 0,
        "mockNumbers", "sessionAlerts", 0, "membershipsUserName", 0, "membershipsUserEmail", 0,
        "membershipsMfa", 0, "membershipsUserId", 0, "membershipsUserPhone", 0,
        "invalidateSessions", 1, "mfaFactors", "totp", 1, "email", 1, "phone", 1, "custom", 0);
    for (int i = 0; i < CW_AUTH__COUNT; i++)
        json_object_set_new(a, methods[i].key, json_true());
    return a;
}

static int64_t int_of(const json_t *o, const char *key, int64_t fallback)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}

static bool bool_of(const json_t *o, const char *key, bool fallback)
{
    const json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

void cw_project_auth_parse(const json_t *auths, cw_project_auth_t *out)
{
    const json_t *a = json_is_object(auths) ? auths : NULL;
    memset(out, 0, sizeof(*out));
    /* The fallbacks are those of the Appwrite code that reads each key (`?? x`). */
    out->limit = int_of(a, "limit", 0);
    out->duration = int_of(a, "duration", CW_AUTH_DURATION_DEFAULT);
    out->max_sessions = int_of(a, "maxSessions", CW_AUTH_SESSIONS_DEFAULT);
    out->password_history = int_of(a, "passwordHistory", 0);
    out->password_dictionary = bool_of(a, "passwordDictionary", false);
    out->personal_data_check = bool_of(a, "personalDataCheck", false);
    out->session_alerts = bool_of(a, "sessionAlerts", false);
    out->invalidate_sessions = bool_of(a, "invalidateSessions", false);
    out->memberships_user_name = bool_of(a, "membershipsUserName", true);
    out->memberships_user_email = bool_of(a, "membershipsUserEmail", true);
    out->memberships_mfa = bool_of(a, "membershipsMfa", true);
    out->memberships_user_id = bool_of(a, "membershipsUserId", true);
    out->memberships_user_phone = bool_of(a, "membershipsUserPhone", true);
    if (out->limit < 0)
        out->limit = 0;
    if (out->duration <= 0)
        out->duration = CW_AUTH_DURATION_DEFAULT;
    if (out->max_sessions < 0)
        out->max_sessions = 0;
    if (out->password_history < 0)
        out->password_history = 0;
    /* Appwrite turns a method off only on an explicit false. */
    for (int i = 0; i < CW_AUTH__COUNT; i++)
        out->methods[i] = !json_is_false(json_object_get(a, methods[i].key));
    const json_t *mocks = json_object_get(a, "mockNumbers");
    size_t n = json_is_array(mocks) ? json_array_size(mocks) : 0;
    if (n > 0)
        out->mock_numbers = cw_calloc(n, sizeof(cw_mock_number_t));
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(mocks, i);
        const char *phone = json_string_value(json_object_get(m, "phone"));
        const char *otp = json_string_value(json_object_get(m, "otp"));
        if (phone == NULL || otp == NULL)
            continue;
        cw_mock_number_t *dst = &out->mock_numbers[out->nmock_numbers++];
        dst->phone = cw_strdup(phone);
        dst->otp = cw_strdup(otp);
    }
}

void cw_project_auth_clear(cw_project_auth_t *a)
{
    for (size_t i = 0; i < a->nmock_numbers; i++) {
        free(a->mock_numbers[i].phone);
        free(a->mock_numbers[i].otp);
    }
    free(a->mock_numbers);
    a->mock_numbers = NULL;
    a->nmock_numbers = 0;
}
