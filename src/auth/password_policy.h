/*
 * The password policies a project can turn on (db/project_auth.h), as Appwrite applies them:
 * the dictionary of the 10k most common passwords, the personal-data check and the history of a
 * user's earlier password hashes. Pure functions, any thread. The dictionary is built into the
 * binary (share/security) and indexed on first use.
 */
#ifndef CW_AUTH_PASSWORD_POLICY_H
#define CW_AUTH_PASSWORD_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/password.h"
#include "core/str.h"

/* Whether password is one of the dictionary's, exactly (case and all). */
bool cw_password_in_dictionary(cw_str_t password);

/* Whether password, compared in ASCII lowercase, contains the user's ID, e-mail, the e-mail's
 * part before '@', name, or phone (with or without its '+'). NULL or empty data is skipped, and
 * so is "0" (PHP's truthiness, which Appwrite's check inherits). */
bool cw_password_has_personal_data(cw_str_t password, const char *user_id, const char *email,
                                   const char *name, const char *phone);

/* Whether password matches one of the hashes in history (a JSON array of strings), each checked
 * under desc, the user's current algorithm, as Appwrite does. */
bool cw_password_in_history(const json_t *history, const cw_password_desc_t *desc,
                            cw_str_t password);

/* history with hash appended, keeping its last `limit` entries (a new reference). */
json_t *cw_password_history_push(const json_t *history, cw_str_t hash, int64_t limit);

#endif
