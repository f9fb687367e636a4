/*
 * The project's auth settings (db/project_auth.h) applied to a request, as Appwrite's account,
 * users and teams routes apply them: sign-in methods turned off, the users limit, the password
 * policies and ending sessions on a password change. Each check returns 0, or -1 with Appwrite's
 * error written to the response. API keys pass the checks Appwrite lets them pass (methods,
 * invitation limit); cwrite has no console users, Appwrite's other privileged callers. Called on
 * the handler's thread.
 */
#ifndef CW_SERVICES_POLICY_H
#define CW_SERVICES_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "db/database.h"
#include "db/project_auth.h"
#include "http/router.h"

/* The request project's parsed settings (the fallbacks when it has none). Borrowed: valid for
 * the request. */
const cw_project_auth_t *cw_policy(cw_ctx_t *ctx);

/* Appwrite's `auth` route group: 501 user_auth_method_unsupported when the project turned m off,
 * unless an API key calls. Appwrite checks before the parameters, so call it first. */
int cw_policy_method_allowed(cw_ctx_t *ctx, cw_auth_method_t m);

/* With a users limit, 400 user_count_exceeded once the project has that many users. message NULL:
 * the error's own text. */
int cw_policy_user_limit(cw_ctx_t *ctx, cw_db_t *db, const char *message);

/* A new password parameter: 8 to 256 characters (allow_empty: "" passes) and, with the dictionary
 * policy, not a common password; 400 general_argument_invalid with Appwrite's texts. *out NULL
 * when absent and optional. */
int cw_policy_arg_new_password(cw_ctx_t *ctx, const char *name, bool required, bool allow_empty,
                               const char **out);

/* With the personal-data policy, 400 password_personal_data when password holds the user's ID,
 * e-mail, name or phone (any may be NULL). */
int cw_policy_password_personal(cw_ctx_t *ctx, const char *password, const char *user_id,
                                const char *email, const char *name, const char *phone);

/* With the history policy, 400 password_recently_used when password is one of the user's last
 * ones; otherwise *history is the user's new passwordHistory holding new_hash (a new reference),
 * or NULL when the policy is off and the history stays as it is. */
int cw_policy_password_history(cw_ctx_t *ctx, const json_t *user, const char *password,
                               cw_str_t new_hash, json_t **history);

/* The passwordHistory a new user starts with: [hash] with the history policy, else []. */
json_t *cw_policy_first_history(cw_ctx_t *ctx, const char *hash);

/* Whether the project's MFA factors policy (auths.mfaFactors) leaves factor on: "totp", "email"
 * and "phone" unless turned off; recovery codes always. */
bool cw_policy_mfa_factor_on(cw_ctx_t *ctx, const char *factor);

/* Ends the sessions of user_id but keep (NULL: all of them). Returns 0, or -1 with err filled. */
int cw_policy_sessions_end(cw_db_t *db, const char *user_id, const char *keep, cw_db_error_t *err);

#endif
