/*
 * What the files of the Account service share (account.c and the routes split from it): its
 * parameters, the signed-in checks, the Account model, new users and starting a session with its
 * cookies. Called on the handler's thread (the worker pool).
 */
#ifndef CW_SERVICES_ACCOUNT_H
#define CW_SERVICES_ACCOUNT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "db/database.h"
#include "http/router.h"
#include "services/api.h"

/* Parameters: 0, or -1 with the 400 written. The user ID turns "unique()" into a new ID; the
 * e-mail comes back lowercased; a password has 8 to 256 characters (optional unless required). */
int cw_account_arg_user_id(cw_ctx_t *ctx, const char **out);
int cw_account_arg_email(cw_ctx_t *ctx, const char **out);
int cw_account_arg_password(cw_ctx_t *ctx, const char *name, bool required, const char **out);

/* The signed-in user's ID (NULL for a guest). */
const char *cw_account_user_id(const cw_auth_t *auth);
/* The signed-in user and the store, or -1 with 401 user_not_found written. */
int cw_account_signed_in(cw_ctx_t *ctx, cw_db_t **db);
/* 0 for a guest; -1 with 401 user_session_already_exists for a signed-in request. */
int cw_account_not_signed_in(cw_ctx_t *ctx);
/* The session of a cookie or X-Appwrite-Session (not a JWT's), or NULL. */
const char *cw_account_current_session_id(const cw_auth_t *auth);

/* Answers the Account model of user (with its targets) and releases user. */
void cw_account_reply(cw_ctx_t *ctx, cw_db_t *db, int status, json_t *user);
/* Whether password is the user's (a user who never set one passes, as Appwrite). */
bool cw_account_password_matches(const json_t *user, const char *password);

/* A new user's permissions, search text and attributes; email and password may be NULL. The
 * data is NULL (a 500 written to res) when hashing fails. */
json_t *cw_account_user_perms(const char *id);
json_t *cw_account_search_text(const char *id, const char *email, const char *name);
json_t *cw_account_new_user_data(const char *id, const char *email, const char *password,
                                 const char *name, cw_res_t *res);

/* Makes a session for user lasting the project's session length (auths.duration), sets the
 * cookies (and X-Fallback-Cookies for another site) and trims the user's sessions to the
 * project's limit (auths.maxSessions). Returns the session (a new reference) with its cookie
 * value in cookie, or NULL with the error written. provider: "email", "anonymous", "magic-url",
 * "token", …; factor: "password", "email", "phone", …. */
json_t *cw_account_open_session(cw_ctx_t *ctx, cw_db_t *db, const json_t *user,
                                const char *provider, const char *provider_uid, const char *factor,
                                cw_buf_t *cookie);
/* The same, answering the Session model with 201; then, with the project's sessionAlerts on,
 * mails the user of the new session as Appwrite does (not for their first session, nor for one
 * made from a mailed magic URL or e-mail OTP). */
void cw_account_start_session(cw_ctx_t *ctx, cw_db_t *db, const json_t *user, const char *provider,
                              const char *provider_uid, const char *factor);
/* The session cookies for value (value.ptr NULL: their removal), expiring at expire_s. */
void cw_account_send_cookies(cw_ctx_t *ctx, cw_str_t value, int64_t expire_s);

#endif
