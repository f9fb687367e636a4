#include "services/console_model.h"

#include <string.h>

#include "core/timeutil.h"
#include "db/console_meta.h"

static void kv_time(cw_jw_t *w, const char *k, int64_t ms)
{
    char iso[CW_TIME_ISO_LEN];
    cw_time_format(ms, iso);
    cw_jw_kv_cstr(w, k, iso);
}

static void kv_json_str(cw_jw_t *w, const char *k, const json_t *obj, const char *field)
{
    const char *v = json_string_value(json_object_get(obj, field));
    cw_jw_kv_cstr(w, k, v != NULL ? v : "");
}

static void kv_json_bool(cw_jw_t *w, const char *k, const json_t *obj, const char *field)
{
    cw_jw_kv_bool(w, k, json_is_true(json_object_get(obj, field)));
}

static int write_key(const cw_key_t *k, void *arg)
{
    cw_jw_t *w = arg;
    cw_jw_obj_open(w);
    cw_jw_kv_cstr(w, "$id", k->id);
    kv_time(w, "$createdAt", k->created_at);
    kv_time(w, "$updatedAt", k->updated_at);
    cw_jw_kv_cstr(w, "name", k->name);
    if (k->expire != 0)
        kv_time(w, "expire", k->expire);
    else
        cw_jw_kv_cstr(w, "expire", "");
    cw_jw_key(w, "scopes");
    cw_jw_arr_open(w);
    for (size_t i = 0; i < k->nscopes; i++)
        cw_jw_cstr(w, k->scopes[i]);
    cw_jw_arr_close(w);
    cw_jw_kv_cstr(w, "secret", "");
    if (k->accessed_at != 0)
        kv_time(w, "accessedAt", k->accessed_at);
    else
        cw_jw_kv_cstr(w, "accessedAt", "");
    cw_jw_key(w, "sdks");
    cw_jw_arr_open(w);
    cw_jw_arr_close(w);
    cw_jw_obj_close(w);
    return 0;
}

static int write_dev_key(const cw_dev_key_t *k, void *arg)
{
    cw_jw_t *w = arg;
    cw_jw_obj_open(w);
    cw_jw_kv_cstr(w, "$id", k->id);
    kv_time(w, "$createdAt", k->created_at);
    kv_time(w, "$updatedAt", k->updated_at);
    cw_jw_kv_cstr(w, "name", k->name);
    kv_time(w, "expire", k->expire);
    cw_jw_kv_cstr(w, "secret", "");
    if (k->accessed_at != 0)
        kv_time(w, "accessedAt", k->accessed_at);
    else
        cw_jw_kv_cstr(w, "accessedAt", "");
    cw_jw_key(w, "sdks");
    cw_jw_arr_open(w);
    cw_jw_arr_close(w);
    cw_jw_obj_close(w);
    return 0;
}

/* The services the model reports, as Appwrite's serviceStatusFor<Name> (key: the stored id). */
static const struct {
    const char *field, *id;
} services[] = {
    {"serviceStatusForAccount", "account"},
    {"serviceStatusForAvatars", "avatars"},
    {"serviceStatusForDatabases", "databases"},
    {"serviceStatusForTablesdb", "tablesdb"},
    {"serviceStatusForLocale", "locale"},
    {"serviceStatusForHealth", "health"},
    {"serviceStatusForProject", "project"},
    {"serviceStatusForStorage", "storage"},
    {"serviceStatusForTeams", "teams"},
    {"serviceStatusForUsers", "users"},
    {"serviceStatusForVcs", "vcs"},
    {"serviceStatusForSites", "sites"},
    {"serviceStatusForFunctions", "functions"},
    {"serviceStatusForProxy", "proxy"},
    {"serviceStatusForGraphql", "graphql"},
    {"serviceStatusForMigrations", "migrations"},
    {"serviceStatusForMessaging", "messaging"},
};

static const struct {
    const char *field;
    cw_auth_method_t m;
} methods[] = {
    {"authEmailPassword", CW_AUTH_EMAIL_PASSWORD},
    {"authUsersAuthMagicURL", CW_AUTH_MAGIC_URL},
    {"authEmailOtp", CW_AUTH_EMAIL_OTP},
    {"authAnonymous", CW_AUTH_ANONYMOUS},
    {"authInvites", CW_AUTH_INVITES},
    {"authJWT", CW_AUTH_JWT},
    {"authPhone", CW_AUTH_PHONE},
};

void cw_console_project_model(cw_jw_t *w, cw_console_t *c, const cw_project_t *p)
{
    char team[CW_CONSOLE_ID_SIZE] = "";
    json_t *info = NULL;
    const cw_project_auth_t *a = &p->auth;
    cw_console_project_team_get(c, p->id, team);
    if (cw_console_project_info_get(c, p->id, &info) != 0)
        info = json_object();
    cw_jw_obj_open(w);
    cw_jw_kv_cstr(w, "$id", p->id);
    kv_time(w, "$createdAt", p->created_at);
    kv_time(w, "$updatedAt", p->updated_at);
    cw_jw_kv_cstr(w, "name", p->name);
    kv_json_str(w, "description", info, "description");
    cw_jw_kv_cstr(w, "teamId", team);
    static const char *const info_fields[] = {"logo",         "url",        "legalName",
                                              "legalCountry", "legalState", "legalCity",
                                              "legalAddress", "legalTaxId", NULL};
    for (const char *const *f = info_fields; *f != NULL; f++)
        kv_json_str(w, *f, info, *f);
    cw_jw_kv_int(w, "authDuration", a->duration);
    cw_jw_kv_int(w, "authLimit", a->limit);
    cw_jw_kv_int(w, "authSessionsLimit", a->max_sessions);
    cw_jw_kv_int(w, "authPasswordHistory", a->password_history);
    cw_jw_kv_bool(w, "authPasswordDictionary", a->password_dictionary);
    cw_jw_kv_bool(w, "authPersonalDataCheck", a->personal_data_check);
    kv_json_bool(w, "authDisposableEmails", p->auths, "disposableEmails");
    kv_json_bool(w, "authCanonicalEmails", p->auths, "canonicalEmails");
    kv_json_bool(w, "authFreeEmails", p->auths, "freeEmails");
    cw_jw_key(w, "authMockNumbers");
    cw_jw_arr_open(w);
    for (size_t i = 0; i < a->nmock_numbers; i++) {
        cw_jw_obj_open(w);
        /* Only the older formats have this field (Appwrite's filter V26 builds it), with these
         * two keys. */
        cw_jw_kv_cstr(w, "phone", a->mock_numbers[i].phone);
        cw_jw_kv_cstr(w, "otp", a->mock_numbers[i].otp);
        cw_jw_obj_close(w);
    }
    cw_jw_arr_close(w);
    cw_jw_kv_bool(w, "authSessionAlerts", a->session_alerts);
    cw_jw_kv_bool(w, "authMembershipsUserName", a->memberships_user_name);
    cw_jw_kv_bool(w, "authMembershipsUserEmail", a->memberships_user_email);
    cw_jw_kv_bool(w, "authMembershipsMfa", a->memberships_mfa);
    cw_jw_kv_bool(w, "authMembershipsUserId", a->memberships_user_id);
    cw_jw_kv_bool(w, "authMembershipsUserPhone", a->memberships_user_phone);
    cw_jw_kv_bool(w, "authInvalidateSessions", a->invalidate_sessions);
    /* cwrite has no OAuth2 sign-in yet: no provider is configured. */
    cw_jw_key(w, "oAuthProviders");
    cw_jw_arr_open(w);
    cw_jw_arr_close(w);
    cw_jw_key(w, "platforms");
    cw_jw_arr_open(w);
    cw_jw_arr_close(w);
    cw_jw_key(w, "webhooks");
    cw_jw_arr_open(w);
    cw_jw_arr_close(w);
    cw_jw_key(w, "keys");
    cw_jw_arr_open(w);
    cw_console_key_each(c, p->id, write_key, w);
    cw_jw_arr_close(w);
    cw_jw_key(w, "devKeys");
    cw_jw_arr_open(w);
    cw_console_dev_key_each(c, p->id, write_dev_key, w);
    cw_jw_arr_close(w);
    kv_json_bool(w, "smtpEnabled", p->smtp, "enabled");
    kv_json_str(w, "smtpSenderName", p->smtp, "senderName");
    kv_json_str(w, "smtpSenderEmail", p->smtp, "senderEmail");
    kv_json_str(w, "smtpReplyToName", p->smtp, "replyToName");
    kv_json_str(w, "smtpReplyToEmail", p->smtp, "replyToEmail");
    kv_json_str(w, "smtpHost", p->smtp, "host");
    const json_t *port = json_object_get(p->smtp, "port");
    cw_jw_key(w, "smtpPort");
    if (json_is_integer(port))
        cw_jw_int(w, json_integer_value(port));
    else
        cw_jw_cstr(w, "");
    kv_json_str(w, "smtpUsername", p->smtp, "username");
    /* Appwrite writes the password back; it is a secret, so cwrite does not. */
    cw_jw_kv_cstr(w, "smtpPassword", "");
    kv_json_str(w, "smtpSecure", p->smtp, "secure");
    cw_jw_kv_int(w, "pingCount", 0);
    cw_jw_kv_cstr(w, "pingedAt", "");
    cw_jw_key(w, "labels");
    cw_jw_arr_open(w);
    cw_jw_arr_close(w);
    cw_jw_kv_cstr(w, "status", "active");
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        cw_jw_kv_bool(w, methods[i].field, a->methods[methods[i].m]);
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        cw_jw_kv_bool(w, services[i].field, cw_project_service_enabled(p, services[i].id));
    cw_jw_kv_bool(w, "protocolStatusForRest",
                  !json_is_false(json_object_get(p->protocols, "rest")));
    cw_jw_kv_bool(w, "protocolStatusForGraphql",
                  !json_is_false(json_object_get(p->protocols, "graphql")));
    cw_jw_kv_bool(w, "protocolStatusForWebsocket",
                  !json_is_false(json_object_get(p->protocols, "websocket")));
    cw_jw_obj_close(w);
    json_decref(info);
}
