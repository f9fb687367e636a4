/*
 * Multi-factor authentication as Appwrite keeps it: a user's TOTP authenticator (a document of
 * the `authenticators` collection holding {"secret": base32} in `data`, verified once a first
 * code is shown), recovery codes (the user's `mfaRecoveryCodes`, plain, as Appwrite stores
 * them), challenges (documents of `challenges` with a six-digit code), the factors a session has
 * passed (its `factors` and `mfaUpdatedAt`) and how many it needs.
 *
 * Documents come back as new jansson references the caller decrefs. Threads: as cw_db_t for the
 * calls that take one (they block on SQLite); the others are pure and may run anywhere.
 */
#ifndef CW_AUTH_MFA_H
#define CW_AUTH_MFA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/database.h"

/* Factor names, as sessions, challenges and the MfaFactors model spell them. */
#define CW_MFA_TOTP "totp"
#define CW_MFA_EMAIL "email"
#define CW_MFA_PHONE "phone"
#define CW_MFA_RECOVERY_CODE "recoveryCode"

#define CW_MFA_CODE_LEN 6              /* digits of an e-mail or SMS challenge */
#define CW_MFA_RECOVERY_CODES 6        /* codes in a set */
#define CW_MFA_RECOVERY_CODE_LEN 10    /* hex digits of each */
#define CW_MFA_CHALLENGE_DURATION 3600 /* s: TOKEN_EXPIRATION_CONFIRM */
#define CW_MFA_RECENT_DURATION 1800    /* s: how long a completed challenge counts as fresh */

/* The user's TOTP authenticator, verified or not: 0 with *out (NULL when there is none), or -1
 * with err filled. */
int cw_mfa_totp_find(cw_db_t *db, const json_t *user, json_t **out, cw_db_error_t *err);
/* Whether an authenticator document (may be NULL) is verified. */
bool cw_mfa_authenticator_verified(const json_t *authenticator);
/* The base32 secret an authenticator document holds, or NULL. */
const char *cw_mfa_authenticator_secret(const json_t *authenticator);

/* A new set of recovery codes: an array of CW_MFA_RECOVERY_CODES random hex strings. */
json_t *cw_mfa_recovery_codes_new(void);
/* A challenge code: CW_MFA_CODE_LEN random decimal digits and a NUL. */
void cw_mfa_code_new(char out[CW_MFA_CODE_LEN + 1]);

/* The MfaFactors model for user. totp_verified: the user has a verified TOTP authenticator;
 * with_recovery: whether the model tells of recovery codes (the Users service's never does, as
 * in Appwrite). */
json_t *cw_mfa_factors_model(const json_t *user, bool totp_verified, bool with_recovery);

/* How many factors a session of user needs: 2 when the user has MFA on and a second factor to
 * give (a verified e-mail or phone, or a verified authenticator), else 1. Reads the
 * authenticators only when the answer depends on them. 0, or -1 with err filled. */
int cw_mfa_factors_required(cw_db_t *db, const json_t *user, int *out, cw_db_error_t *err);

/* factors (an array, may be NULL) with `factor` appended unless already there (a new array). */
json_t *cw_mfa_factors_add(const json_t *factors, const char *factor);

/* Whether the session completed a challenge in the last CW_MFA_RECENT_DURATION seconds. */
bool cw_mfa_session_fresh(const json_t *session, int64_t now_ms);

#endif
