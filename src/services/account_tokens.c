/*
 * The Account routes built on one-time tokens (auth/token.h): e-mail and phone verification,
 * password recovery, magic-URL and e-mail OTP sign-in (a user is made on the fly for an unknown
 * e-mail), phone sign-in, and signing in with any token's secret (also those the Users API
 * makes). Tokens reach users by mail (services/mail_api.h); links go only to redirect URLs the
 * project allows (services/redirect_api.h). The phone number of the account is here too.
 *
 * The project's auth settings apply as Appwrite applies them (services/policy.h): magic URL,
 * e-mail OTP and phone sign-in can be turned off, a user made on the fly counts against the users
 * limit, and a recovery's new password meets the dictionary and history policies and may end the
 * user's sessions.
 *
 * SMS needs an outside provider, which this server does not have: the routes that would send one
 * answer 503 general_phone_disabled, as Appwrite does without _APP_SMS_PROVIDER. The project's
 * mock numbers need no SMS, so they work here without a provider, signing in with their fixed
 * code (Appwrite asks for a provider even then). Routes run on the worker pool (SQLite, argon2).
 */
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/session.h"
#include "auth/session_cookie.h"
#include "auth/token.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/url.h"
#include "core/validate.h"
#include "db/internal.h"
#include "http/args.h"
#include "services/account.h"
#include "services/api.h"
#include "services/internal_api.h"
#include "services/mail_api.h"
#include "services/policy.h"
#include "services/redirect_api.h"
#include "services/routes.h"

/* Parameters ---------------------------------------------------------------------------------- */

/* A user ID that must name one (utopia's UID validator: no "unique()"). */
static int arg_uid(cw_ctx_t *ctx, const char *name, const char **out)
{
    if (cw_arg_text(ctx, name, true, 0, out) != 0)
        return -1;
    if (!cw_id_valid(cw_str(*out), CW_ID_MAX_LEN))
        return cw_arg_invalid(
            ctx, name,
            "UID must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, and underscore. "
            "Can't start with a leading underscore");
    return 0;
}

static int arg_secret(cw_ctx_t *ctx, const char **out)
{
    return cw_arg_text(ctx, "secret", true, CW_TOKEN_SECRET_MAX, out);
}

static int arg_phone(cw_ctx_t *ctx, const char **out)
{
    if (cw_arg_text(ctx, "phone", true, 0, out) != 0)
        return -1;
    if (!cw_valid_phone(*out))
        return cw_arg_invalid(
            ctx, "phone",
            "Phone number must start with a '+' can have a maximum of fifteen digits.");
    return 0;
}

/* The request ----------------------------------------------------------------------------------
 */

static const char *request_ua(cw_ctx_t *ctx)
{
    cw_str_t ua = cw_req_header(ctx->req, "user-agent");
    return ua.len > 0 ? cw_arena_strndup(&ctx->req->arena, ua.ptr, ua.len) : NULL;
}

static const char *request_ip(cw_ctx_t *ctx)
{
    return cw_arena_strndup(&ctx->req->arena, ctx->req->ip.ptr, ctx->req->ip.len);
}

/* A token's secret is shown to API keys only (Appwrite's sensitive rule). */
static const char *shown(cw_ctx_t *ctx, const char *secret)
{
    return cw_ctx_auth(ctx)->has_key ? secret : NULL;
}

/* SMS is never configured here: Appwrite's answer without _APP_SMS_PROVIDER. */
static int sms_ready(cw_ctx_t *ctx)
{
    cw_res_error(ctx->res, CW_ERR_GENERAL_PHONE_DISABLED, "Phone provider not configured");
    return -1;
}

/* The fixed code of phone when it is one of the project's mock numbers, else NULL. */
static const char *mock_code(cw_ctx_t *ctx, const char *phone)
{
    const cw_project_auth_t *a = cw_policy(ctx);
    for (size_t i = 0; phone != NULL && i < a->nmock_numbers; i++) {
        if (strcmp(a->mock_numbers[i].phone, phone) == 0)
            return a->mock_numbers[i].otp;
    }
    return NULL;
}

/* Users and tokens ----------------------------------------------------------------------------- */

/* The user userId, or -1 with 404 user_not_found (or a database error) written. */
static int load_user(cw_ctx_t *ctx, cw_db_t *db, const char *user_id, json_t **user)
{
    cw_db_error_t err = {0};
    if (cw_db_internal_get(db, "users", user_id, user, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return -1;
    }
    return 0;
}

/* The first document of coll where attr equals value (NULL when none), or -1 with the error
 * written. */
static int find_one(cw_ctx_t *ctx, cw_db_t *db, const char *coll, const char *attr,
                    const char *value, json_t **out)
{
    json_t *q = json_array(), *found = NULL;
    cw_db_error_t err = {0};
    json_array_append_new(q, cw_db_internal_query("equal", attr, json_string(value)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, coll, q, NULL, false, &found, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return -1;
    }
    *out = json_incref(json_array_get(json_object_get(found, "documents"), 0));
    json_decref(found);
    return 0;
}

/* The user's unexpired token of type with this secret, or -1 with 401 user_invalid_token. */
static int verified_token(cw_ctx_t *ctx, cw_db_t *db, const char *user_id, int type,
                          const char *secret, json_t **token)
{
    cw_db_error_t err = {0};
    int rc = cw_token_find(db, user_id, type, cw_str(secret), cw_time_now_ms(), token, &err);
    if (rc == CW_ENOTFOUND)
        cw_res_error(ctx->res, CW_ERR_USER_INVALID_TOKEN, NULL);
    else if (rc != 0)
        cw_svc_fail_db(ctx, &err, 0, 0);
    return rc == 0 ? 0 : -1;
}

/* Stores a token for user; -1 with the error written. */
static int new_token(cw_ctx_t *ctx, cw_db_t *db, const json_t *user, int type, const char *secret,
                     int64_t life_s, json_t **token)
{
    cw_db_error_t err = {0};
    if (cw_token_create(db, user, type, secret, life_s, request_ua(ctx), request_ip(ctx), token,
                        &err) != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return -1;
    }
    return 0;
}

/* Queues the mail of a new token; when that fails the token goes too, as no one can use it. */
static int mail_token(cw_ctx_t *ctx, cw_db_t *db, json_t *token, const char *tmpl, const char *to,
                      const char *name, json_t *vars)
{
    int rc = cw_svc_mail(ctx, tmpl, to, name, vars);
    if (rc != 0) {
        cw_db_error_t err = {0};
        if (cw_db_internal_delete(db, "tokens", json_string_value(json_object_get(token, "$id")),
                                  &err) != 0)
            cw_log(CW_LOG_WARN, "msg=\"unmailed token not deleted\" error=\"%s\"", err.message);
    }
    json_decref(vars);
    return rc;
}

/* The link a mail carries: url with userId, secret, expire (and more) in its query, as Appwrite
 * builds it. The string lives in the request's arena. */
static const char *token_link(cw_ctx_t *ctx, const char *url, const char *const *pairs)
{
    cw_url_t u;
    cw_buf_t b = CW_BUF_INIT;
    if (cw_url_parse(cw_str(url), &u) != 0)
        memset(&u, 0, sizeof(u));
    cw_url_build(&u, pairs, &b);
    const char *link = cw_arena_strndup(&ctx->req->arena, b.ptr != NULL ? b.ptr : "", b.len);
    cw_buf_free(&b);
    return link;
}

/* Deletes a used token and sets the user's attributes in data (may be NULL), as one write;
 * end_sessions: the user's sessions go too. */
static int consume_token(cw_ctx_t *ctx, cw_db_t *db, const json_t *token, const char *user_id,
                         json_t *data, bool end_sessions)
{
    cw_db_error_t err = {0};
    json_t *out = NULL;
    int rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_delete(db, "tokens", json_string_value(json_object_get(token, "$id")),
                                   &err);
    if (rc == 0 && data != NULL)
        rc = cw_db_internal_update(db, "users", user_id, data, &out, &err);
    if (rc == 0 && end_sessions)
        rc = cw_policy_sessions_end(db, user_id, NULL, &err);
    json_decref(out);
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    if (rc != 0)
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_INVALID_TOKEN, 0);
    return rc;
}

/* Verification ---------------------------------------------------------------------------------
 */

static void on_create_email_verification(cw_ctx_t *ctx)
{
    const char *url;
    cw_db_t *db;
    json_t *token = NULL;
    if (cw_svc_arg_redirect(ctx, "url", true, &url) != 0 || cw_account_signed_in(ctx, &db) != 0 ||
        cw_svc_mail_ready(ctx) != 0)
        return;
    const json_t *user = cw_ctx_auth(ctx)->user;
    const char *email = json_string_value(json_object_get(user, "email"));
    const char *name = json_string_value(json_object_get(user, "name"));
    if (email == NULL || email[0] == '\0') {
        cw_res_error(ctx->res, CW_ERR_USER_EMAIL_NOT_FOUND, NULL);
        return;
    }
    if (json_is_true(json_object_get(user, "emailVerification"))) {
        cw_res_error(ctx->res, CW_ERR_USER_EMAIL_ALREADY_VERIFIED, NULL);
        return;
    }
    char secret[CW_TOKEN_LEN_LONG + 1];
    cw_token_secret_new(secret, CW_TOKEN_LEN_LONG);
    if (new_token(ctx, db, user, CW_TOKEN_VERIFICATION, secret, CW_TOKEN_LIFE_CONFIRM, &token) != 0)
        return;
    const char *uid = cw_account_user_id(cw_ctx_auth(ctx));
    const char *expire = json_string_value(json_object_get(token, "expire"));
    const char *pairs[] = {"userId", uid, "secret", secret, "expire", expire, NULL};
    json_t *vars = json_pack("{s:s}", "url", token_link(ctx, url, pairs));
    if (mail_token(ctx, db, token, "verification", email, name, vars) == 0)
        cw_svc_reply(ctx, 201, cw_token_model(token, shown(ctx, secret), NULL));
    json_decref(token);
}

/* Confirms a verification token of type: sets the user's flag, deletes the token, answers it
 * (its stored secret shown to API keys, as Appwrite answers the stored document). */
static void confirm_verification(cw_ctx_t *ctx, int type, const char *flag)
{
    const char *uid, *secret;
    cw_db_t *db;
    json_t *user = NULL, *token = NULL;
    if (arg_uid(ctx, "userId", &uid) != 0 || arg_secret(ctx, &secret) != 0 ||
        cw_svc_open_internal(ctx, &db) != 0 || load_user(ctx, db, uid, &user) != 0)
        return;
    json_decref(user);
    if (verified_token(ctx, db, uid, type, secret, &token) != 0)
        return;
    json_t *data = json_pack("{s:b}", flag, 1);
    int rc = consume_token(ctx, db, token, uid, data, false);
    json_decref(data);
    if (rc == 0) {
        const char *stored = json_string_value(json_object_get(token, "secret"));
        cw_svc_reply(ctx, 200, cw_token_model(token, shown(ctx, stored), NULL));
    }
    json_decref(token);
}

static void on_update_email_verification(cw_ctx_t *ctx)
{
    confirm_verification(ctx, CW_TOKEN_VERIFICATION, "emailVerification");
}

/* Phone verification: as phone tokens, only a mock number gets a code here (its fixed one). */
static void on_create_phone_verification(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *token = NULL;
    if (cw_policy_method_allowed(ctx, CW_AUTH_PHONE) != 0 || cw_account_signed_in(ctx, &db) != 0)
        return;
    const json_t *user = cw_ctx_auth(ctx)->user;
    const char *phone = json_string_value(json_object_get(user, "phone"));
    const char *code = mock_code(ctx, phone);
    if (code == NULL) {
        sms_ready(ctx);
        return;
    }
    if (json_is_true(json_object_get(user, "phoneVerification"))) {
        cw_res_error(ctx->res, CW_ERR_USER_PHONE_ALREADY_VERIFIED, NULL);
        return;
    }
    if (new_token(ctx, db, user, CW_TOKEN_PHONE, code, CW_TOKEN_LIFE_CONFIRM, &token) != 0)
        return;
    cw_svc_reply(ctx, 201, cw_token_model(token, shown(ctx, code), NULL));
    json_decref(token);
}

static void on_update_phone_verification(cw_ctx_t *ctx)
{
    confirm_verification(ctx, CW_TOKEN_PHONE, "phoneVerification");
}

/* Recovery -------------------------------------------------------------------------------------
 */

static void on_create_recovery(cw_ctx_t *ctx)
{
    const char *email, *url;
    cw_db_t *db;
    json_t *user = NULL, *token = NULL;
    if (cw_account_arg_email(ctx, &email) != 0 ||
        cw_svc_arg_redirect(ctx, "url", true, &url) != 0 || cw_svc_mail_ready(ctx) != 0 ||
        cw_svc_open_internal(ctx, &db) != 0 ||
        find_one(ctx, db, "users", "email", email, &user) != 0)
        return;
    if (user == NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_NOT_FOUND, NULL);
        return;
    }
    if (json_is_false(json_object_get(user, "status"))) {
        json_decref(user);
        cw_res_error(ctx->res, CW_ERR_USER_BLOCKED, NULL);
        return;
    }
    char secret[CW_TOKEN_LEN_LONG + 1];
    cw_token_secret_new(secret, CW_TOKEN_LEN_LONG);
    if (new_token(ctx, db, user, CW_TOKEN_RECOVERY, secret, CW_TOKEN_LIFE_RECOVERY, &token) != 0) {
        json_decref(user);
        return;
    }
    const char *uid = json_string_value(json_object_get(user, "$id"));
    const char *expire = json_string_value(json_object_get(token, "expire"));
    const char *pairs[] = {"userId", uid, "secret", secret, "expire", expire, NULL};
    json_t *vars = json_pack("{s:s}", "url", token_link(ctx, url, pairs));
    if (mail_token(ctx, db, token, "recovery", json_string_value(json_object_get(user, "email")),
                   json_string_value(json_object_get(user, "name")), vars) == 0)
        cw_svc_reply(ctx, 201, cw_token_model(token, shown(ctx, secret), NULL));
    json_decref(token);
    json_decref(user);
}

/* The attributes of a new password (hash, its options, the time), or NULL with a 500 written. */
static json_t *new_password_data(cw_ctx_t *ctx, const char *password)
{
    cw_password_desc_t d;
    cw_buf_t hashed = CW_BUF_INIT;
    char now[CW_TIME_ISO_LEN];
    cw_password_desc_default(&d);
    if (cw_password_hash(&d, cw_str(password), &hashed) != 0) {
        cw_buf_free(&hashed);
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return NULL;
    }
    cw_time_format(cw_time_now_ms(), now);
    json_t *data = json_object();
    json_object_set_new(data, "password", json_stringn(hashed.ptr, hashed.len));
    json_object_set_new(data, "hash", json_string(cw_password_algo_name(d.algo)));
    json_object_set_new(data, "hashOptions", cw_password_desc_options(&d));
    json_object_set_new(data, "passwordUpdate", json_string(now));
    cw_buf_free(&hashed);
    return data;
}

/* The new password meets the project's dictionary (a parameter rule) and history policies;
 * Appwrite applies no personal-data check here. With invalidateSessions every session of the
 * user ends, in the same write. */
static void on_update_recovery(cw_ctx_t *ctx)
{
    const char *uid, *secret, *password;
    cw_db_t *db;
    json_t *user = NULL, *token = NULL, *data = NULL, *history = NULL;
    if (arg_uid(ctx, "userId", &uid) != 0 || arg_secret(ctx, &secret) != 0 ||
        cw_policy_arg_new_password(ctx, "password", true, false, &password) != 0 ||
        cw_svc_open_internal(ctx, &db) != 0 || load_user(ctx, db, uid, &user) != 0)
        return;
    if (verified_token(ctx, db, uid, CW_TOKEN_RECOVERY, secret, &token) != 0)
        goto out;
    data = new_password_data(ctx, password);
    if (data == NULL)
        goto out;
    const json_t *hashed = json_object_get(data, "password");
    if (cw_policy_password_history(
            ctx, user, password, (cw_str_t){json_string_value(hashed), json_string_length(hashed)},
            &history) != 0)
        goto out;
    if (history != NULL)
        json_object_set_new(data, "passwordHistory", history);
    /* The mail reached the user, so the address is theirs (Appwrite). */
    json_object_set_new(data, "emailVerification", json_true());
    if (consume_token(ctx, db, token, uid, data, cw_policy(ctx)->invalidate_sessions) == 0) {
        const char *stored = json_string_value(json_object_get(token, "secret"));
        cw_svc_reply(ctx, 200, cw_token_model(token, shown(ctx, stored), NULL));
    }
out:
    json_decref(data);
    json_decref(token);
    json_decref(user);
}

/* Sign-in tokens -------------------------------------------------------------------------------
 */

/* Gives a new user the target of their e-mail or phone ("email", "sms"). Another user's target
 * with this identifier keeps the new user without one (Appwrite). */
static void add_target(cw_db_t *db, const json_t *user, const char *type, const char *identifier)
{
    const char *user_id = json_string_value(json_object_get(user, "$id"));
    char perm[80];
    cw_db_error_t err = {0};
    json_t *tp = json_array(), *tout = NULL;
    static const char *const actions[] = {"read", "update", "delete"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(perm, sizeof(perm), "%s(\"user:%s\")", actions[i], user_id);
        json_array_append_new(tp, json_string(perm));
    }
    json_t *td = json_pack("{s:s, s:O, s:s, s:s, s:b}", "userId", user_id, "userInternalId",
                           json_object_get(user, "$sequence"), "providerType", type, "identifier",
                           identifier, "expired", 0);
    if (cw_db_internal_create(db, "targets", "unique()", td, tp, &tout, &err) != 0)
        cw_log(CW_LOG_INFO, "msg=\"%s target not made\" error=\"%s\"", type, err.message);
    json_decref(td);
    json_decref(tp);
    json_decref(tout);
}

/* Stores a new user made on the fly; -1 with the error written. */
static int create_user(cw_ctx_t *ctx, cw_db_t *db, const char *user_id, json_t *data, json_t **user)
{
    cw_db_error_t err = {0};
    json_t *perms = cw_account_user_perms(user_id);
    int rc = cw_db_internal_create(db, "users", user_id, data, perms, user, &err);
    json_decref(perms);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, CW_ERR_USER_ALREADY_EXISTS);
        return -1;
    }
    return 0;
}

/* The user with email, or a new one made with user_id within the project's users limit (email
 * tokens also get an e-mail target). An e-mail an OAuth identity holds is refused with
 * taken_err. -1 with the error written. */
static int user_for_email(cw_ctx_t *ctx, cw_db_t *db, const char *user_id, const char *email,
                          bool with_target, cw_err_t taken_err, json_t **user)
{
    json_t *identity = NULL;
    if (find_one(ctx, db, "users", "email", email, user) != 0)
        return -1;
    if (*user != NULL)
        return 0;
    if (cw_policy_user_limit(ctx, db, NULL) != 0 ||
        find_one(ctx, db, "identities", "providerEmail", email, &identity) != 0)
        return -1;
    if (identity != NULL) {
        json_decref(identity);
        cw_res_error(ctx->res, taken_err, NULL);
        return -1;
    }
    json_t *data = cw_account_new_user_data(user_id, email, NULL, NULL, ctx->res);
    if (data == NULL)
        return -1;
    int rc = create_user(ctx, db, user_id, data, user);
    json_decref(data);
    if (rc != 0)
        return -1;
    if (with_target)
        add_target(db, *user, "email", email);
    return 0;
}

/* The user with phone, or a new one made with user_id within the users limit, with an SMS
 * target. -1 with the error written. */
static int user_for_phone(cw_ctx_t *ctx, cw_db_t *db, const char *user_id, const char *phone,
                          json_t **user)
{
    if (find_one(ctx, db, "users", "phone", phone, user) != 0)
        return -1;
    if (*user != NULL)
        return 0;
    if (cw_policy_user_limit(ctx, db, NULL) != 0)
        return -1;
    json_t *data = cw_account_new_user_data(user_id, NULL, NULL, NULL, ctx->res);
    if (data == NULL)
        return -1;
    char search[128];
    snprintf(search, sizeof(search), "%s %s", user_id, phone);
    json_object_set_new(data, "phone", json_string(phone));
    json_object_set_new(data, "search", json_string(search));
    int rc = create_user(ctx, db, user_id, data, user);
    json_decref(data);
    if (rc != 0)
        return -1;
    add_target(db, *user, "sms", phone);
    return 0;
}

/* The phrase parameter: 0 with phrase[0] == '\0' when off, a new phrase when on. */
static int arg_phrase(cw_ctx_t *ctx, char phrase[CW_TOKEN_PHRASE_MAX])
{
    bool on = false;
    phrase[0] = '\0';
    if (cw_arg_bool(ctx, "phrase", false, &on) < 0)
        return -1;
    if (on)
        cw_token_phrase_new(phrase);
    return 0;
}

/* Where a magic URL leads when the client names no page: the console's magic-URL page on the
 * host the request came to, as Appwrite points it at its console. */
static const char *default_magic_url(cw_ctx_t *ctx)
{
    cw_str_t host = cw_req_header(ctx->req, "host");
    if (host.len == 0)
        host = cw_req_header(ctx->req, ":authority");
    cw_buf_t b = CW_BUF_INIT;
    cw_buf_printf(&b, "%s://%.*s/console/auth/magic-url", ctx->req->secure ? "https" : "http",
                  (int)host.len, host.ptr != NULL ? host.ptr : "");
    const char *s = cw_arena_strndup(&ctx->req->arena, b.ptr, b.len);
    cw_buf_free(&b);
    return s;
}

static void on_create_magic_url_token(cw_ctx_t *ctx)
{
    const char *uid, *email, *url;
    char phrase[CW_TOKEN_PHRASE_MAX];
    cw_db_t *db;
    json_t *user = NULL, *token = NULL;
    if (cw_policy_method_allowed(ctx, CW_AUTH_MAGIC_URL) != 0 ||
        cw_account_arg_user_id(ctx, &uid) != 0 || cw_account_arg_email(ctx, &email) != 0 ||
        cw_svc_arg_redirect(ctx, "url", false, &url) != 0 || arg_phrase(ctx, phrase) != 0 ||
        cw_svc_mail_ready(ctx) != 0 || cw_svc_open_internal(ctx, &db) != 0 ||
        user_for_email(ctx, db, uid, email, false, CW_ERR_USER_EMAIL_ALREADY_EXISTS, &user) != 0)
        return;
    char secret[CW_TOKEN_LEN_MAGIC_URL + 1];
    cw_token_secret_new(secret, CW_TOKEN_LEN_MAGIC_URL);
    if (new_token(ctx, db, user, CW_TOKEN_MAGIC_URL, secret, CW_TOKEN_LIFE_CONFIRM, &token) != 0) {
        json_decref(user);
        return;
    }
    const char *id = json_string_value(json_object_get(user, "$id"));
    const char *expire = json_string_value(json_object_get(token, "expire"));
    char project[sizeof(((cw_project_t *)0)->id)];
    cw_str_t pid = cw_ctx_auth(ctx)->project_id;
    snprintf(project, sizeof(project), "%.*s", (int)pid.len, pid.ptr);
    const char *pairs[] = {"userId", id,        "secret", secret, "expire",
                           expire,   "project", project,  NULL};
    json_t *vars = json_pack("{s:s, s:s}", "url",
                             token_link(ctx, url != NULL ? url : default_magic_url(ctx), pairs),
                             "phrase", phrase);
    if (mail_token(ctx, db, token, "magicSession", email,
                   json_string_value(json_object_get(user, "name")), vars) == 0)
        cw_svc_reply(ctx, 201,
                     cw_token_model(token, shown(ctx, secret), phrase[0] != '\0' ? phrase : NULL));
    json_decref(token);
    json_decref(user);
}

static void on_create_email_token(cw_ctx_t *ctx)
{
    const char *uid, *email;
    char phrase[CW_TOKEN_PHRASE_MAX];
    cw_db_t *db;
    json_t *user = NULL, *token = NULL;
    if (cw_policy_method_allowed(ctx, CW_AUTH_EMAIL_OTP) != 0 ||
        cw_account_arg_user_id(ctx, &uid) != 0 || cw_account_arg_email(ctx, &email) != 0 ||
        arg_phrase(ctx, phrase) != 0 || cw_svc_mail_ready(ctx) != 0 ||
        cw_svc_open_internal(ctx, &db) != 0 ||
        user_for_email(ctx, db, uid, email, true, CW_ERR_GENERAL_BAD_REQUEST, &user) != 0)
        return;
    char code[CW_TOKEN_LEN_CODE + 1];
    cw_token_code_new(code, CW_TOKEN_LEN_CODE);
    if (new_token(ctx, db, user, CW_TOKEN_EMAIL, code, CW_TOKEN_LIFE_OTP, &token) != 0) {
        json_decref(user);
        return;
    }
    json_t *vars = json_pack("{s:s, s:s}", "otp", code, "phrase", phrase);
    if (mail_token(ctx, db, token, "otpSession", email,
                   json_string_value(json_object_get(user, "name")), vars) == 0)
        cw_svc_reply(ctx, 201,
                     cw_token_model(token, shown(ctx, code), phrase[0] != '\0' ? phrase : NULL));
    json_decref(token);
    json_decref(user);
}

/* A phone token: the user with the number, or a new one. Only a mock number gets one here (its
 * fixed code, nothing sent); any other number needs the SMS provider this server lacks. The key
 * sees the secret as Appwrite encodes it for clients: a session-cookie value of user and code. */
static void on_create_phone_token(cw_ctx_t *ctx)
{
    const char *uid, *phone, *code;
    cw_db_t *db;
    json_t *user = NULL, *token = NULL;
    if (cw_policy_method_allowed(ctx, CW_AUTH_PHONE) != 0 ||
        cw_account_arg_user_id(ctx, &uid) != 0 || arg_phone(ctx, &phone) != 0)
        return;
    code = mock_code(ctx, phone);
    if (code == NULL) {
        sms_ready(ctx);
        return;
    }
    if (cw_svc_open_internal(ctx, &db) != 0 || user_for_phone(ctx, db, uid, phone, &user) != 0)
        return;
    if (new_token(ctx, db, user, CW_TOKEN_PHONE, code, CW_TOKEN_LIFE_OTP, &token) == 0) {
        cw_buf_t encoded = CW_BUF_INIT;
        const char *id = json_string_value(json_object_get(user, "$id"));
        if (cw_ctx_auth(ctx)->has_key)
            cw_session_cookie_encode(cw_str(id), cw_str(code), &encoded);
        cw_svc_reply(ctx, 201, cw_token_model(token, encoded.ptr, NULL));
        cw_buf_free(&encoded);
    }
    json_decref(token);
    json_decref(user);
}

/* Signing in with a token ----------------------------------------------------------------------
 */

/* What a session made from a token of each type records, and the user flag it sets. Recovery
 * and verification secrets sign nobody in, nor do OAuth2 tokens: those come as a signed JWT
 * naming their provider, which this server does not make yet. */
typedef struct sign_in {
    int type;
    const char *provider, *factor, *flag;
} sign_in_t;

static const sign_in_t sign_ins[] = {
    {CW_TOKEN_MAGIC_URL, "magic-url", "email", "emailVerification"},
    {CW_TOKEN_EMAIL, "token", "email", "emailVerification"},
    {CW_TOKEN_PHONE, "phone", "phone", "phoneVerification"},
    {CW_TOKEN_GENERIC, "token", "token", NULL},
};

/* Any sign-in token's secret becomes a session; the token is used up, and a token that went by
 * mail or SMS proves that address or number. */
static void on_create_session(cw_ctx_t *ctx)
{
    const char *uid, *secret;
    cw_db_t *db;
    json_t *user = NULL, *token = NULL;
    cw_db_error_t err = {0};
    if (cw_account_not_signed_in(ctx) != 0 || cw_account_arg_user_id(ctx, &uid) != 0 ||
        arg_secret(ctx, &secret) != 0 || cw_svc_open_internal(ctx, &db) != 0)
        return;
    if (cw_db_internal_get(db, "users", uid, &user, &err) != 0) {
        if (err.type == CW_ERR_DOCUMENT_NOT_FOUND)
            cw_res_error(ctx->res, CW_ERR_USER_INVALID_TOKEN, NULL);
        else
            cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    if (verified_token(ctx, db, uid, CW_TOKEN_ANY, secret, &token) != 0) {
        json_decref(user);
        return;
    }
    const sign_in_t *how = NULL;
    json_int_t type = json_integer_value(json_object_get(token, "type"));
    for (size_t i = 0; i < sizeof(sign_ins) / sizeof(sign_ins[0]); i++) {
        if (sign_ins[i].type == type)
            how = &sign_ins[i];
    }
    if (how == NULL) {
        json_decref(token);
        json_decref(user);
        cw_res_error(ctx->res, CW_ERR_USER_INVALID_TOKEN, NULL);
        return;
    }
    const char *flag = how->flag;
    json_t *data = flag != NULL ? json_pack("{s:b}", flag, 1) : NULL;
    int rc = consume_token(ctx, db, token, uid, data, false);
    json_decref(data);
    json_decref(token);
    if (rc == 0)
        cw_account_start_session(ctx, db, user, how->provider, "", how->factor);
    json_decref(user);
}

/* The account's phone ---------------------------------------------------------------------------
 */

static void on_update_phone(cw_ctx_t *ctx)
{
    const char *phone, *password;
    cw_db_t *db;
    json_t *taken = NULL, *out = NULL;
    cw_db_error_t err = {0};
    if (arg_phone(ctx, &phone) != 0 ||
        cw_account_arg_password(ctx, "password", true, &password) != 0 ||
        cw_account_signed_in(ctx, &db) != 0)
        return;
    const json_t *user = cw_ctx_auth(ctx)->user;
    const char *uid = cw_account_user_id(cw_ctx_auth(ctx));
    if (!cw_account_password_matches(user, password)) {
        cw_res_error(ctx->res, CW_ERR_USER_INVALID_CREDENTIALS, NULL);
        return;
    }
    if (find_one(ctx, db, "targets", "identifier", phone, &taken) != 0)
        return;
    if (taken != NULL) {
        json_decref(taken);
        cw_res_error(ctx->res, CW_ERR_USER_TARGET_ALREADY_EXISTS, NULL);
        return;
    }
    json_t *data = json_pack("{s:s, s:b}", "phone", phone, "phoneVerification", 0);
    /* A user without a password (anonymous, magic URL) gets the one given. */
    const json_t *pu = json_object_get(user, "passwordUpdate");
    if (!json_is_string(pu) || json_string_length(pu) == 0) {
        json_t *pw = new_password_data(ctx, password);
        if (pw == NULL) {
            json_decref(data);
            return;
        }
        json_object_update(data, pw);
        json_decref(pw);
    }
    /* The SMS target of the old number follows the new one. */
    const char *old = json_string_value(json_object_get(user, "phone"));
    json_t *old_target = NULL;
    if (old != NULL && old[0] != '\0') {
        json_t *q = json_array(), *found = NULL;
        json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(uid)));
        json_array_append_new(q, cw_db_internal_query("equal", "identifier", json_string(old)));
        json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
        if (cw_db_internal_find(db, "targets", q, NULL, false, &found, &err) == 0)
            old_target = json_incref(json_array_get(json_object_get(found, "documents"), 0));
        json_decref(found);
        json_decref(q);
    }
    int rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_update(db, "users", uid, data, &out, &err);
    if (rc == 0 && old_target != NULL) {
        json_t *td = json_pack("{s:s}", "identifier", phone), *tout = NULL;
        rc = cw_db_internal_update(
            db, "targets", json_string_value(json_object_get(old_target, "$id")), td, &tout, &err);
        json_decref(td);
        json_decref(tout);
    }
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    json_decref(old_target);
    json_decref(data);
    if (rc != 0) {
        json_decref(out);
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, CW_ERR_USER_PHONE_ALREADY_EXISTS);
        return;
    }
    cw_account_reply(ctx, db, 200, out);
}

#define OFF CW_ROUTE_OFFLOAD

const cw_route_t cw_account_tokens_routes[] = {
    {"PATCH", "/v1/account/phone", "account", on_update_phone, OFF},
    {"POST", "/v1/account/recovery", "sessions.write", on_create_recovery, OFF},
    {"PUT", "/v1/account/recovery", "sessions.write", on_update_recovery, OFF},
    {"PUT", "/v1/account/sessions/magic-url", "sessions.write", on_create_session, OFF},
    {"POST", "/v1/account/sessions/magic-url", "sessions.write", on_create_magic_url_token, OFF},
    {"PUT", "/v1/account/sessions/phone", "sessions.write", on_create_session, OFF},
    {"POST", "/v1/account/sessions/phone", "sessions.write", on_create_phone_token, OFF},
    {"POST", "/v1/account/sessions/token", "sessions.write", on_create_session, OFF},
    {"POST", "/v1/account/tokens/email", "sessions.write", on_create_email_token, OFF},
    {"POST", "/v1/account/tokens/magic-url", "sessions.write", on_create_magic_url_token, OFF},
    {"POST", "/v1/account/tokens/phone", "sessions.write", on_create_phone_token, OFF},
    {"POST", "/v1/account/verification", "account", on_create_email_verification, OFF},
    {"PUT", "/v1/account/verification", "public", on_update_email_verification, OFF},
    {"POST", "/v1/account/verification/phone", "account", on_create_phone_verification, OFF},
    {"PUT", "/v1/account/verification/phone", "public", on_update_phone_verification, OFF},
    {"POST", "/v1/account/verifications/email", "account", on_create_email_verification, OFF},
    {"PUT", "/v1/account/verifications/email", "public", on_update_email_verification, OFF},
    {"POST", "/v1/account/verifications/phone", "account", on_create_phone_verification, OFF},
    {"PUT", "/v1/account/verifications/phone", "public", on_update_phone_verification, OFF},
};
const size_t cw_account_tokens_routes_count =
    sizeof(cw_account_tokens_routes) / sizeof(cw_account_tokens_routes[0]);
