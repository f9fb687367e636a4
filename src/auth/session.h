/*
 * Sessions of a project's users, as Appwrite keeps them: a random secret of 256 hex digits given
 * to the client once (in the session cookie), of which the sessions collection stores only the
 * SHA-256; an expiry; and the roles a signed-in request holds (user:ID, users, the verified or
 * unverified pair, label:X, and team:T, team:T/ROLE, member:M for each confirmed membership).
 * Also the server key that signs account JWTs (_APP_OPENSSL_KEY_V1), kept in the data folder when
 * the operator gives none.
 *
 * Documents come back as new jansson references the caller decrefs; role lists live in the
 * caller's arena. Threads: as cw_db_t for the calls that take one (they block on SQLite: call them
 * from the worker pool); the others are pure and may run anywhere. Secrets are never logged.
 */
#ifndef CW_AUTH_SESSION_H
#define CW_AUTH_SESSION_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/str.h"
#include "db/database.h"

#define CW_SESSION_SECRET_LEN 256
#define CW_SESSION_HASH_LEN 64 /* hex SHA-256 */
/* Appwrite's defaults: auths.duration (TOKEN_EXPIRATION_LOGIN_LONG) and auths.maxSessions. */
#define CW_SESSION_DURATION_DEFAULT 31536000
#define CW_SESSION_LIMIT_DEFAULT 10
/* How many memberships of a user give roles (Appwrite's subquery limit). */
#define CW_SESSION_MEMBERSHIPS_MAX 1000

/* A new secret: CW_SESSION_SECRET_LEN random hex digits and a NUL. */
void cw_session_secret_new(char out[CW_SESSION_SECRET_LEN + 1]);
/* The stored form of a secret: lowercase hex SHA-256 and a NUL. */
void cw_session_secret_hash(cw_str_t secret, char out[CW_SESSION_HASH_LEN + 1]);

/* The user user_id and the live session of theirs whose secret is `secret`. Returns 0 with both
 * documents, CW_ENOTFOUND when there is no such user or no such unexpired session (the request is
 * then a guest's), or -1 with err filled. */
int cw_session_verify(cw_db_t *db, cw_str_t user_id, cw_str_t secret, int64_t now_ms,
                      json_t **user, json_t **session, cw_db_error_t *err);

/* The user user_id and, unless session_id is empty, their unexpired session session_id (*session
 * NULL otherwise): what an account JWT names. Same returns as cw_session_verify. */
int cw_session_active(cw_db_t *db, cw_str_t user_id, cw_str_t session_id, int64_t now_ms,
                      json_t **user, json_t **session, cw_db_error_t *err);

/* Whether a session document has expired at now_ms (a missing or broken expiry counts as
 * expired). */
bool cw_session_expired(const json_t *session, int64_t now_ms);

/* The roles of a signed-in user, "any" first, NULL-terminated, in arena. Reads the user's
 * confirmed memberships. Returns 0, or -1 with err filled. */
int cw_session_roles(cw_db_t *db, const json_t *user, cw_arena_t *arena, const char *const **out,
                     cw_db_error_t *err);

/* What a new session records besides its user. */
typedef struct cw_session_spec {
    const char *provider;     /* "email", "anonymous", "server", "token", … */
    const char *provider_uid; /* the e-mail for "email", else "" */
    const char *factor;       /* the one factor passed: "password", "anonymous", "email", … */
    const char *user_agent;   /* may be NULL: "UNKNOWN" */
    const char *ip;
    int64_t duration;         /* seconds */
} cw_session_spec_t;

/* Makes a session for user with a new secret, written to secret (NUL-terminated); only its hash
 * is stored. Returns 0 with *session (a new reference), or -1 with err filled. */
int cw_session_create(cw_db_t *db, const json_t *user, const cw_session_spec_t *spec,
                      char secret[CW_SESSION_SECRET_LEN + 1], json_t **session, cw_db_error_t *err);

/* Deletes the oldest sessions of user_id beyond limit (0: no limit), as Appwrite does after a
 * session is made. Returns 0, or -1 with err filled. */
int cw_session_enforce_limit(cw_db_t *db, const char *user_id, int64_t limit, cw_db_error_t *err);

/* The Session model of a session document (a new reference): `current` as given, `secret` as
 * given (NULL: ""), countryName from the code ("Unknown" for an unknown one). */
json_t *cw_session_model(const json_t *session, bool current, const char *secret);

/* The key of account JWTs: configured (non-empty `configured`), else read from the file
 * "openssl-key" of data_dir, else made (64 random hex digits) and written there with mode 0600 so
 * that JWTs outlive a restart. *out is malloc'd; the caller frees it. Returns 0, or CW_EIO. */
int cw_session_server_key(const char *configured, const char *data_dir, char **out);

#endif
