/*
 * The Account service's multi-factor routes: turning MFA on and off, the TOTP authenticator
 * (create, verify, delete), challenges (TOTP, e-mail, phone, recovery code) and their
 * completion, the factors a user can use, and recovery codes. Which sessions may reach which
 * route (short of factors, or without a recent challenge) is decided in the middleware from the
 * route flags (services/api.c); the domain is auth/mfa.h and auth/totp.h. Routes run on the
 * worker pool (SQLite).
 *
 * Where a route updates "the session", it is the one the request came with, a JWT's included
 * (Appwrite has none for a JWT and fails with a 500 there).
 */
#include <openssl/crypto.h>
#include <string.h>

#include "auth/mfa.h"
#include "auth/session.h"
#include "auth/totp.h"
#include "core/id.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "db/internal.h"
#include "http/args.h"
#include "services/account.h"
#include "services/api.h"
#include "services/internal_api.h"
#include "services/mail_api.h"
#include "services/policy.h"
#include "services/routes.h"

#define OTP_MAX 256
#define CHALLENGE_TOKEN_BYTES 128 /* 256 hex digits, as Appwrite's token proof */

/* Parameters ---------------------------------------------------------------------------------- */

/* Matches s against names as Appwrite's (case-insensitive) WhiteList does, and gives back the
 * name as spelled here, so "recoverycode" (the SDKs' enum) and "recoveryCode" are one factor.
 * `shown` is the list as Appwrite's message prints it. 0, or -1 with the 400 written. */
static int arg_one_of(cw_ctx_t *ctx, const char *name, const char *const *names, const char *shown,
                      const char **out)
{
    cw_str_t s;
    if (cw_arg_str(ctx, name, true, 0, &s) != 0)
        return -1;
    for (const char *const *n = names; *n != NULL; n++) {
        if (cw_str_case_eq_cstr(s, *n)) {
            *out = *n;
            return 0;
        }
    }
    cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                 "Invalid `%s` param: Value must be one of (%s)", name, shown);
    return -1;
}

static int arg_type(cw_ctx_t *ctx)
{
    static const char *const types[] = {CW_MFA_TOTP, NULL};
    const char *type;
    return arg_one_of(ctx, "type", types, "totp", &type);
}

/* Store and models ---------------------------------------------------------------------------- */

static json_t *owner_perms(const char *uid)
{
    json_t *p = json_array();
    static const char *const actions[] = {"read", "update", "delete"};
    for (size_t i = 0; i < 3; i++)
        json_array_append_new(p, json_sprintf("%s(\"user:%s\")", actions[i], uid));
    return p;
}

/* The signed-in user's TOTP authenticator into *out (NULL: none); -1 with the error written. */
static int find_totp(cw_ctx_t *ctx, cw_db_t *db, json_t **out)
{
    cw_db_error_t err = {0};
    if (cw_mfa_totp_find(db, cw_ctx_auth(ctx)->user, out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return -1;
    }
    return 0;
}

/* Sets the request's session's factors (and mfaUpdatedAt unless NULL); *out gets the updated
 * document when out is given. No session: nothing to do. 0, or -1 with the error written. */
static int update_session(cw_ctx_t *ctx, cw_db_t *db, json_t *factors, const char *mfa_updated_at,
                          json_t **out)
{
    const json_t *session = cw_ctx_auth(ctx)->session;
    const char *sid = json_string_value(json_object_get(session, "$id"));
    json_t *updated = NULL;
    cw_db_error_t err = {0};
    if (sid == NULL) {
        json_decref(factors);
        return 0;
    }
    json_t *data = json_object();
    json_object_set_new(data, "factors", factors);
    if (mfa_updated_at != NULL)
        json_object_set_new(data, "mfaUpdatedAt", json_string(mfa_updated_at));
    int rc = cw_db_internal_update(db, "sessions", sid, data, &updated, &err);
    json_decref(data);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_SESSION_NOT_FOUND, 0);
        return -1;
    }
    if (out != NULL)
        *out = updated;
    else
        json_decref(updated);
    return 0;
}

/* Sets the user's recovery codes to a new set and answers them; releases nothing of the
 * caller's. */
static void store_recovery_codes(cw_ctx_t *ctx, cw_db_t *db, const char *uid, int status)
{
    json_t *codes = cw_mfa_recovery_codes_new(), *out = NULL;
    cw_db_error_t err = {0};
    json_t *data = json_object();
    json_object_set(data, "mfaRecoveryCodes", codes);
    int rc = cw_db_internal_update(db, "users", uid, data, &out, &err);
    json_decref(data);
    json_decref(out);
    if (rc != 0) {
        json_decref(codes);
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return;
    }
    json_t *m = json_object();
    json_object_set_new(m, "recoveryCodes", codes);
    cw_svc_reply(ctx, status, m);
}

/* MFA on and off --------------------------------------------------------------------------------
 */

/* PATCH /account/mfa. Turning it on credits the request's session with every second factor the
 * user already has, so the session that turns MFA on is not locked out by it. */
static void on_update_mfa(cw_ctx_t *ctx)
{
    cw_db_t *db;
    bool mfa;
    json_t *user = NULL, *totp = NULL;
    cw_db_error_t err = {0};
    if (cw_arg_bool(ctx, "mfa", true, &mfa) != 0 || cw_account_signed_in(ctx, &db) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    json_t *data = json_pack("{s:b}", "mfa", mfa);
    int rc = cw_db_internal_update(db, "users", cw_account_user_id(auth), data, &user, &err);
    json_decref(data);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return;
    }
    if (mfa && auth->session != NULL) {
        if (find_totp(ctx, db, &totp) != 0) {
            json_decref(user);
            return;
        }
        json_t *model = cw_mfa_factors_model(user, cw_mfa_authenticator_verified(totp), false);
        json_decref(totp);
        json_t *factors = json_incref(json_object_get(auth->session, "factors"));
        static const char *const order[] = {CW_MFA_TOTP, CW_MFA_EMAIL, CW_MFA_PHONE, NULL};
        for (const char *const *f = order; *f != NULL; f++) {
            if (json_is_true(json_object_get(model, *f))) {
                json_t *more = cw_mfa_factors_add(factors, *f);
                json_decref(factors);
                factors = more;
            }
        }
        json_decref(model);
        if (!json_is_array(factors)) {
            json_decref(factors);
            factors = json_array();
        }
        if (update_session(ctx, db, factors, NULL, NULL) != 0) {
            json_decref(user);
            return;
        }
    }
    cw_account_reply(ctx, db, 200, user);
}

/* Authenticators ------------------------------------------------------------------------------ */

static void on_create_authenticator(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *old = NULL, *created = NULL;
    cw_db_error_t err = {0};
    if (arg_type(ctx) != 0 || cw_account_signed_in(ctx, &db) != 0 || find_totp(ctx, db, &old) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    const json_t *user = auth->user;
    const char *uid = cw_account_user_id(auth);
    if (cw_mfa_authenticator_verified(old)) {
        json_decref(old);
        cw_res_error(ctx->res, CW_ERR_USER_AUTHENTICATOR_ALREADY_VERIFIED, NULL);
        return;
    }
    /* An authenticator never verified is replaced, as Appwrite does. */
    if (old != NULL &&
        cw_db_internal_delete(db, "authenticators", json_string_value(json_object_get(old, "$id")),
                              &err) != 0) {
        json_decref(old);
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_decref(old);
    char secret[CW_TOTP_SECRET_LEN + 1];
    cw_totp_secret_new(secret);
    json_t *data = json_pack("{s:s, s:O, s:s, s:b, s:{s:s}}", "userId", uid, "userInternalId",
                             json_object_get(user, "$sequence"), "type", CW_MFA_TOTP, "verified", 0,
                             "data", "secret", secret);
    json_t *perms = owner_perms(uid);
    int rc = cw_db_internal_create(db, "authenticators", "unique()", data, perms, &created, &err);
    json_decref(data);
    json_decref(perms);
    json_decref(created);
    if (rc != 0) {
        OPENSSL_cleanse(secret, sizeof(secret));
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    /* The label is the user's e-mail; a user without one (Appwrite fails there) gets their ID. */
    const char *label = json_string_value(json_object_get(user, "email"));
    if (label == NULL || label[0] == '\0')
        label = uid;
    cw_buf_t uri = CW_BUF_INIT;
    cw_totp_uri(auth->project->name, label, secret, &uri);
    json_t *m = json_object();
    json_object_set_new(m, "secret", json_string(secret));
    json_object_set_new(m, "uri", json_stringn(uri.ptr, uri.len));
    OPENSSL_cleanse(secret, sizeof(secret));
    cw_buf_free(&uri);
    cw_svc_reply(ctx, 200, m);
}

/* Verifies the authenticator with a first code: it then counts as a factor, and the request's
 * session is credited with it. Answers the Account model. */
static void on_verify_authenticator(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *otp;
    json_t *totp = NULL, *out = NULL;
    cw_db_error_t err = {0};
    if (arg_type(ctx) != 0 || cw_arg_text(ctx, "otp", true, OTP_MAX, &otp) != 0 ||
        cw_account_signed_in(ctx, &db) != 0 || find_totp(ctx, db, &totp) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    if (totp == NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_AUTHENTICATOR_NOT_FOUND, NULL);
        return;
    }
    if (cw_mfa_authenticator_verified(totp)) {
        json_decref(totp);
        cw_res_error(ctx->res, CW_ERR_USER_AUTHENTICATOR_ALREADY_VERIFIED, NULL);
        return;
    }
    const char *secret = cw_mfa_authenticator_secret(totp);
    if (secret == NULL ||
        !cw_totp_verify(cw_str(secret), cw_str(otp), cw_time_now_ms() / 1000, CW_TOTP_WINDOW)) {
        json_decref(totp);
        cw_res_error(ctx->res, CW_ERR_USER_INVALID_TOKEN, NULL);
        return;
    }
    json_t *data = json_pack("{s:b}", "verified", 1);
    int rc = cw_db_internal_update(
        db, "authenticators", json_string_value(json_object_get(totp, "$id")), data, &out, &err);
    json_decref(data);
    json_decref(out);
    json_decref(totp);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_AUTHENTICATOR_NOT_FOUND, 0);
        return;
    }
    if (update_session(ctx, db,
                       cw_mfa_factors_add(json_object_get(auth->session, "factors"), CW_MFA_TOTP),
                       NULL, NULL) != 0)
        return;
    cw_account_reply(ctx, db, 200, json_incref(auth->user));
}

/* Needs a recent challenge (CW_ROUTE_MFA_FRESH). */
static void on_delete_authenticator(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *totp = NULL;
    cw_db_error_t err = {0};
    if (arg_type(ctx) != 0 || cw_account_signed_in(ctx, &db) != 0 || find_totp(ctx, db, &totp) != 0)
        return;
    if (totp == NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_AUTHENTICATOR_NOT_FOUND, NULL);
        return;
    }
    int rc = cw_db_internal_delete(db, "authenticators",
                                   json_string_value(json_object_get(totp, "$id")), &err);
    json_decref(totp);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_AUTHENTICATOR_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

/* Challenges ---------------------------------------------------------------------------------- */

static json_t *challenge_model(const json_t *c)
{
    json_t *m = json_object();
    static const char *const keys[] = {"$id", "$createdAt", "userId", "expire", NULL};
    for (const char *const *k = keys; *k != NULL; k++) {
        const json_t *v = json_object_get(c, *k);
        json_object_set_new(m, *k, json_string(json_is_string(v) ? json_string_value(v) : ""));
    }
    return m;
}

/* Sends the code of an e-mail challenge; Appwrite's checks, in its order. 0, or -1 with the
 * error written. */
static int send_email_code(cw_ctx_t *ctx, const json_t *user, const char *code)
{
    const char *email = json_string_value(json_object_get(user, "email"));
    if (cw_svc_mail_ready(ctx) != 0)
        return -1;
    if (email == NULL || email[0] == '\0') {
        cw_res_error(ctx->res, CW_ERR_USER_EMAIL_NOT_FOUND, NULL);
        return -1;
    }
    if (!json_is_true(json_object_get(user, "emailVerification"))) {
        cw_res_error(ctx->res, CW_ERR_USER_EMAIL_NOT_VERIFIED, NULL);
        return -1;
    }
    json_t *vars = json_pack("{s:s}", "otp", code);
    int rc = cw_svc_mail(ctx, "mfaChallenge", email,
                         json_string_value(json_object_get(user, "name")), vars);
    json_decref(vars);
    return rc;
}

/* The project's MFA factors policy: 501 user_auth_method_unsupported for a factor it turned
 * off, when a challenge is made and when one is answered (so turning a factor off also voids
 * the challenges already out), as Appwrite checks. */
static int factor_allowed(cw_ctx_t *ctx, const char *factor)
{
    if (cw_policy_mfa_factor_on(ctx, factor))
        return 0;
    cw_res_error(ctx->res, CW_ERR_USER_AUTH_METHOD_UNSUPPORTED,
                 "The requested factor is disabled by the MFA factors policy");
    return -1;
}

/* POST /account/mfa/challenges: a challenge for one factor, valid for an hour. E-mail sends a
 * six-digit code; TOTP and recovery-code challenges are answered with the authenticator's code
 * or one of the recovery codes. */
static void on_create_challenge(cw_ctx_t *ctx)
{
    static const char *const factors[] = {CW_MFA_EMAIL, CW_MFA_PHONE, CW_MFA_TOTP,
                                          CW_MFA_RECOVERY_CODE, NULL};
    cw_db_t *db;
    const char *factor;
    json_t *created = NULL;
    cw_db_error_t err = {0};
    if (arg_one_of(ctx, "factor", factors, "email, phone, totp, recoverycode", &factor) != 0 ||
        cw_account_signed_in(ctx, &db) != 0 || factor_allowed(ctx, factor) != 0)
        return;
    /* No SMS provider can be configured here: Appwrite's answer without one. */
    if (strcmp(factor, CW_MFA_PHONE) == 0) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_PHONE_DISABLED, "Phone provider not configured");
        return;
    }
    cw_auth_t *auth = cw_ctx_auth(ctx);
    const json_t *user = auth->user;
    const char *uid = cw_account_user_id(auth);
    char code[CW_MFA_CODE_LEN + 1], token[2 * CHALLENGE_TOKEN_BYTES + 1], expire[CW_TIME_ISO_LEN];
    cw_mfa_code_new(code);
    cw_random_hex(token, CHALLENGE_TOKEN_BYTES);
    cw_time_format(cw_time_now_ms() + (int64_t)CW_MFA_CHALLENGE_DURATION * 1000, expire);
    json_t *data = json_pack("{s:s, s:O, s:s, s:s, s:s, s:s}", "userId", uid, "userInternalId",
                             json_object_get(user, "$sequence"), "type", factor, "token", token,
                             "code", code, "expire", expire);
    json_t *perms = owner_perms(uid);
    int rc = cw_db_internal_create(db, "challenges", "unique()", data, perms, &created, &err);
    json_decref(data);
    json_decref(perms);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    if (strcmp(factor, CW_MFA_EMAIL) == 0 && send_email_code(ctx, user, code) != 0) {
        /* Unlike Appwrite, a challenge whose code never left is not kept. */
        if (cw_db_internal_delete(db, "challenges",
                                  json_string_value(json_object_get(created, "$id")), &err) != 0)
            cw_log(CW_LOG_WARN, "msg=\"unsent challenge not removed\" error=\"%s\"", err.message);
        json_decref(created);
        return;
    }
    cw_svc_reply(ctx, 201, challenge_model(created));
    json_decref(created);
}

/* Whether otp is one of the user's recovery codes; a code that matches is used up. 1, 0, or -1
 * with the error written. */
static int use_recovery_code(cw_ctx_t *ctx, cw_db_t *db, const char *otp)
{
    const json_t *user = cw_ctx_auth(ctx)->user;
    const json_t *codes = json_object_get(user, "mfaRecoveryCodes");
    json_t *rest = json_array(), *out = NULL;
    cw_db_error_t err = {0};
    size_t i, n = strlen(otp);
    json_t *c;
    bool found = false;
    json_array_foreach(codes, i, c)
    {
        bool same = json_is_string(c) && json_string_length(c) == n &&
                    CRYPTO_memcmp(json_string_value(c), otp, n) == 0;
        if (same)
            found = true;
        else
            json_array_append(rest, c);
    }
    if (!found) {
        json_decref(rest);
        return 0;
    }
    json_t *data = json_object();
    json_object_set_new(data, "mfaRecoveryCodes", rest);
    int rc =
        cw_db_internal_update(db, "users", cw_account_user_id(cw_ctx_auth(ctx)), data, &out, &err);
    json_decref(data);
    json_decref(out);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return -1;
    }
    return 1;
}

/* Whether otp answers the challenge c. 1, 0, or -1 with the error written. */
static int challenge_passed(cw_ctx_t *ctx, cw_db_t *db, const json_t *c, const char *otp)
{
    const char *type = json_string_value(json_object_get(c, "type"));
    if (type == NULL)
        return 0;
    if (strcmp(type, CW_MFA_TOTP) == 0) {
        json_t *totp = NULL;
        if (find_totp(ctx, db, &totp) != 0)
            return -1;
        /* Appwrite takes the authenticator verified or not (and fails with none). */
        const char *secret = cw_mfa_authenticator_secret(totp);
        bool ok = secret != NULL && cw_totp_verify(cw_str(secret), cw_str(otp),
                                                   cw_time_now_ms() / 1000, CW_TOTP_WINDOW);
        json_decref(totp);
        return ok;
    }
    if (strcmp(type, CW_MFA_EMAIL) == 0 || strcmp(type, CW_MFA_PHONE) == 0) {
        const json_t *code = json_object_get(c, "code");
        size_t n = strlen(otp);
        return json_is_string(code) && json_string_length(code) == n &&
               CRYPTO_memcmp(json_string_value(code), otp, n) == 0;
    }
    if (strcmp(type, CW_MFA_RECOVERY_CODE) == 0)
        return use_recovery_code(ctx, db, otp);
    return 0;
}

/* PUT /account/mfa/challenges: completes a challenge. The request's session gains the factor and
 * mfaUpdatedAt; the answer is that Session model (`current` false and no secret, as Appwrite's
 * answer here). */
static void on_complete_challenge(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *cid, *otp;
    json_t *c = NULL, *session = NULL;
    cw_db_error_t err = {0};
    int64_t expire = 0;
    if (cw_arg_text(ctx, "challengeId", true, OTP_MAX, &cid) != 0 ||
        cw_arg_text(ctx, "otp", true, OTP_MAX, &otp) != 0 || cw_account_signed_in(ctx, &db) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    /* A JWT without a session has nothing to credit the factor to. */
    if (auth->session == NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_SESSION_NOT_FOUND, NULL);
        return;
    }
    if (cw_id_valid(cw_str(cid), CW_ID_MAX_LEN) &&
        cw_db_internal_get(db, "challenges", cid, &c, &err) != 0 &&
        err.type != CW_ERR_DOCUMENT_NOT_FOUND) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    /* Another user's challenge is as unknown as a missing one (Appwrite's read permission). */
    const char *owner = json_string_value(json_object_get(c, "userId"));
    const json_t *e = json_object_get(c, "expire");
    if (c == NULL || owner == NULL || strcmp(owner, cw_account_user_id(auth)) != 0 ||
        !json_is_string(e) ||
        cw_time_parse((cw_str_t){json_string_value(e), json_string_length(e)}, &expire) != 0 ||
        expire < cw_time_now_ms()) {
        json_decref(c);
        cw_res_error(ctx->res, CW_ERR_USER_INVALID_TOKEN, NULL);
        return;
    }
    if (factor_allowed(ctx, json_string_value(json_object_get(c, "type"))) != 0) {
        json_decref(c);
        return;
    }
    int passed = challenge_passed(ctx, db, c, otp);
    if (passed <= 0) {
        json_decref(c);
        if (passed == 0)
            cw_res_error(ctx->res, CW_ERR_USER_INVALID_TOKEN, NULL);
        return;
    }
    char type[32];
    snprintf(type, sizeof(type), "%s", json_string_value(json_object_get(c, "type")));
    int rc = cw_db_internal_delete(db, "challenges", cid, &err);
    json_decref(c);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    char now[CW_TIME_ISO_LEN];
    cw_time_format(cw_time_now_ms(), now);
    if (update_session(ctx, db, cw_mfa_factors_add(json_object_get(auth->session, "factors"), type),
                       now, &session) != 0)
        return;
    cw_svc_reply(ctx, 200, cw_session_model(session, false, NULL));
    json_decref(session);
}

/* Factors and recovery codes ----------------------------------------------------------------- */

static void on_list_factors(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *totp = NULL;
    if (cw_account_signed_in(ctx, &db) != 0 || find_totp(ctx, db, &totp) != 0)
        return;
    bool verified = cw_mfa_authenticator_verified(totp);
    json_decref(totp);
    json_t *m = cw_mfa_factors_model(cw_ctx_auth(ctx)->user, verified, true);
    /* A factor the policy turned off is not offered. */
    static const char *const policed[] = {CW_MFA_TOTP, CW_MFA_EMAIL, CW_MFA_PHONE, NULL};
    for (const char *const *f = policed; *f != NULL; f++) {
        if (!cw_policy_mfa_factor_on(ctx, *f))
            json_object_set_new(m, *f, json_false());
    }
    cw_svc_reply(ctx, 200, m);
}

/* Recovery codes are made once; after that they are read or replaced only with a recent
 * challenge (CW_ROUTE_MFA_FRESH on those routes). */
static void on_create_recovery_codes(cw_ctx_t *ctx)
{
    cw_db_t *db;
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    if (json_array_size(json_object_get(auth->user, "mfaRecoveryCodes")) > 0) {
        cw_res_error(ctx->res, CW_ERR_USER_RECOVERY_CODES_ALREADY_EXISTS, NULL);
        return;
    }
    store_recovery_codes(ctx, db, cw_account_user_id(auth), 201);
}

static void on_get_recovery_codes(cw_ctx_t *ctx)
{
    cw_db_t *db;
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    const json_t *codes = json_object_get(cw_ctx_auth(ctx)->user, "mfaRecoveryCodes");
    if (json_array_size(codes) == 0) {
        cw_res_error(ctx->res, CW_ERR_USER_RECOVERY_CODES_NOT_FOUND, NULL);
        return;
    }
    cw_svc_reply(ctx, 200, json_pack("{s:O}", "recoveryCodes", codes));
}

static void on_update_recovery_codes(cw_ctx_t *ctx)
{
    cw_db_t *db;
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    if (json_array_size(json_object_get(auth->user, "mfaRecoveryCodes")) == 0) {
        cw_res_error(ctx->res, CW_ERR_USER_RECOVERY_CODES_NOT_FOUND, NULL);
        return;
    }
    store_recovery_codes(ctx, db, cw_account_user_id(auth), 200);
}

#define OFF CW_ROUTE_OFFLOAD
#define OPEN CW_ROUTE_MFA_OPEN
#define FRESH CW_ROUTE_MFA_FRESH
#define AUTHENTICATOR "/v1/account/mfa/authenticators/{type}"

const cw_route_t cw_account_mfa_routes[] = {
    {"PATCH", "/v1/account/mfa", "account", on_update_mfa, OFF},
    {"POST", AUTHENTICATOR, "account", on_create_authenticator, OFF},
    {"PUT", AUTHENTICATOR, "account", on_verify_authenticator, OFF},
    {"DELETE", AUTHENTICATOR, "account", on_delete_authenticator, OFF | FRESH},
    {"POST", "/v1/account/mfa/challenges", "account", on_create_challenge, OFF | OPEN},
    {"PUT", "/v1/account/mfa/challenges", "account", on_complete_challenge, OFF | OPEN},
    /* The singular paths are Appwrite's older aliases. */
    {"POST", "/v1/account/mfa/challenge", "account", on_create_challenge, OFF | OPEN},
    {"PUT", "/v1/account/mfa/challenge", "account", on_complete_challenge, OFF | OPEN},
    {"GET", "/v1/account/mfa/factors", "account", on_list_factors, OFF | OPEN},
    {"POST", "/v1/account/mfa/recovery-codes", "account", on_create_recovery_codes, OFF},
    {"GET", "/v1/account/mfa/recovery-codes", "account", on_get_recovery_codes, OFF | FRESH},
    {"PATCH", "/v1/account/mfa/recovery-codes", "account", on_update_recovery_codes, OFF | FRESH},
};
const size_t cw_account_mfa_routes_count =
    sizeof(cw_account_mfa_routes) / sizeof(cw_account_mfa_routes[0]);
