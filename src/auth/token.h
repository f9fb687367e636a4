/*
 * One-time tokens of a project's users, as Appwrite keeps them in the tokens collection: a type,
 * a secret of which only the SHA-256 is stored, an expiry, and the client that asked. The secret
 * is a hex string (recovery, verification, magic URL, the Users API's tokens) or a code of
 * digits (e-mail and phone OTP); it goes to the user once (by mail, SMS or to an API key) and a
 * token is deleted when used. Also the optional security phrase shown next to a token.
 *
 * Documents come back as new jansson references the caller decrefs. Threads: as cw_db_t for the
 * calls that take one (SQLite: the worker pool); the others are pure and may run anywhere.
 * Secrets are never logged.
 */
#ifndef CW_AUTH_TOKEN_H
#define CW_AUTH_TOKEN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"
#include "db/database.h"

/* Appwrite's TOKEN_TYPE_* values, stored in the `type` attribute. */
enum {
    CW_TOKEN_ANY = 0, /* for cw_token_find: whatever the type */
    CW_TOKEN_VERIFICATION = 2,
    CW_TOKEN_RECOVERY = 3,
    CW_TOKEN_INVITE = 4,
    CW_TOKEN_MAGIC_URL = 5,
    CW_TOKEN_PHONE = 6,
    CW_TOKEN_OAUTH2 = 7,
    CW_TOKEN_GENERIC = 8,
    CW_TOKEN_EMAIL = 9,
};

/* Lifetimes in seconds (Appwrite's TOKEN_EXPIRATION_*): recovery; confirm (e-mail and phone
 * verification, magic URL); OTP (e-mail and phone sign-in codes). */
#define CW_TOKEN_LIFE_RECOVERY 3600
#define CW_TOKEN_LIFE_CONFIRM 3600
#define CW_TOKEN_LIFE_OTP 900

/* Secret lengths (TOKEN_LENGTH_*): hex digits, or digits of a code. */
#define CW_TOKEN_LEN_LONG 256 /* verification, recovery */
#define CW_TOKEN_LEN_MAGIC_URL 64
#define CW_TOKEN_LEN_CODE 6
#define CW_TOKEN_SECRET_MAX 256

/* A security phrase: "Adjective noun", at most this many bytes with the NUL. */
#define CW_TOKEN_PHRASE_MAX 48

/* len random lowercase hex digits and a NUL (len <= CW_TOKEN_SECRET_MAX). */
void cw_token_secret_new(char *out, size_t len);
/* len random decimal digits, each equally likely, and a NUL. */
void cw_token_code_new(char *out, size_t len);
/* A random phrase of an adjective and a noun. */
void cw_token_phrase_new(char out[CW_TOKEN_PHRASE_MAX]);

/* Stores a token of type for user whose secret is `secret` (only its hash is kept), expiring
 * life_s seconds from now, readable and changeable by the user only. user_agent NULL: "UNKNOWN".
 * Returns 0 with *out, or -1 with err filled. */
int cw_token_create(cw_db_t *db, const json_t *user, int type, const char *secret, int64_t life_s,
                    const char *user_agent, const char *ip, json_t **out, cw_db_error_t *err);

/* The user's unexpired token of type (CW_TOKEN_ANY: any) whose secret is `secret`. Returns 0 with
 * *out, CW_ENOTFOUND when there is none, or -1 with err filled. */
int cw_token_find(cw_db_t *db, const char *user_id, int type, cw_str_t secret, int64_t now_ms,
                  json_t **out, cw_db_error_t *err);

/* The Token model of a token document: secret as given (NULL: ""), phrase as given (NULL: ""). */
json_t *cw_token_model(const json_t *token, const char *secret, const char *phrase);

#endif
