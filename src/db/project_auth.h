/*
 * A project's auth settings, Appwrite's `auths` object: the user limit, session length and count,
 * the password policies, membership privacy, mock phone numbers and which sign-in methods are on.
 * The console store keeps the object as JSON with the project and parses it once into
 * cw_project_auth_t when it caches the project, so requests read plain fields.
 *
 * A key missing from the stored object means what Appwrite's code falls back to when a project
 * predates the setting (membership fields shown, sessions kept on a password change, every
 * method on); a project made now gets Appwrite's new-project defaults written in full
 * (cw_project_auth_defaults). Pure functions, any thread; what they return is the caller's.
 */
#ifndef CW_DB_PROJECT_AUTH_H
#define CW_DB_PROJECT_AUTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

/* The sign-in methods a project can turn off (Appwrite's app/config/auth.php). */
typedef enum cw_auth_method {
    CW_AUTH_EMAIL_PASSWORD, /* POST /account, email/password sessions */
    CW_AUTH_MAGIC_URL,      /* magic URL tokens */
    CW_AUTH_EMAIL_OTP,      /* email OTP tokens */
    CW_AUTH_ANONYMOUS,      /* anonymous sessions */
    CW_AUTH_INVITES,        /* team invitations by a signed-in member */
    CW_AUTH_JWT,            /* POST /account/jwts */
    CW_AUTH_PHONE,          /* phone tokens and phone verification */
    CW_AUTH__COUNT,
} cw_auth_method_t;

/* Appwrite's limits on the settings (APP_LIMIT_*, the policy routes' ranges). */
#define CW_AUTH_USERS_MAX 10000
#define CW_AUTH_DURATION_MIN 60
#define CW_AUTH_DURATION_MAX 31536000
#define CW_AUTH_DURATION_DEFAULT 31536000 /* TOKEN_EXPIRATION_LOGIN_LONG, one year */
#define CW_AUTH_SESSIONS_MAX 100
#define CW_AUTH_SESSIONS_DEFAULT 10
#define CW_AUTH_PASSWORD_HISTORY_MAX 20
#define CW_AUTH_MOCK_NUMBERS_MAX 10

typedef struct cw_mock_number {
    char *phone; /* E.164, "+1655…" */
    char *otp;   /* the code that signs it in, no message sent */
} cw_mock_number_t;

typedef struct cw_project_auth {
    int64_t limit;            /* most users the project may have; 0: no limit */
    int64_t duration;         /* seconds a new or refreshed session lives */
    int64_t max_sessions;     /* sessions kept per user, oldest dropped first; 0: no limit */
    int64_t password_history; /* earlier passwords a user may not reuse; 0: off */
    bool password_dictionary; /* refuse the 10k most common passwords */
    bool personal_data_check; /* refuse passwords holding the user's ID, name, e-mail or phone */
    bool session_alerts;      /* mail the user on each new session */
    bool invalidate_sessions; /* a password change ends the user's other sessions */
    /* Membership fields a non-privileged caller (not an API key) sees; hidden ones are empty. */
    bool memberships_user_name;
    bool memberships_user_email;
    bool memberships_mfa;
    bool memberships_user_id;
    bool memberships_user_phone;
    bool methods[CW_AUTH__COUNT]; /* indexed by cw_auth_method_t; true: on */
    cw_mock_number_t *mock_numbers;
    size_t nmock_numbers;
} cw_project_auth_t;

/* A method's name as the CLI and Appwrite's routes spell it ("email-password", "magic-url", …)
 * and its key in the auths object ("emailPassword", "usersAuthMagicURL", …). */
const char *cw_auth_method_name(cw_auth_method_t m);
const char *cw_auth_method_key(cw_auth_method_t m);
/* The method of a name or key; -1 when there is none. */
int cw_auth_method_find(cw_str_t name);

/* Appwrite's auths object for a new project (a new reference). */
json_t *cw_project_auth_defaults(void);
/* Fills out from a stored auths object (NULL or not an object: all fallbacks). Release with
 * cw_project_auth_clear. */
void cw_project_auth_parse(const json_t *auths, cw_project_auth_t *out);
void cw_project_auth_clear(cw_project_auth_t *a);

#endif
