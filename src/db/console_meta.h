/*
 * What the console API keeps about a project beside its settings (db/console.h), in the same
 * store: the organisation (a team of the console project) that owns it, its descriptive fields
 * (description, logo, url, legal*), and its dev keys. A project made by `cwrite projects create`
 * has no organisation until one is given to it. Deleting a project deletes all of this with it.
 *
 * Same threads as cw_console_t: one connection, one thread. Returned strings and objects belong
 * to the caller (cw_dev_key_t: cw_dev_key_clear; json_t: json_decref).
 */
#ifndef CW_DB_CONSOLE_META_H
#define CW_DB_CONSOLE_META_H

#include <jansson.h>
#include <stdint.h>

#include "db/console.h"

/* The console's own project: it is no row of the projects table (its settings come from the
 * server's configuration), and no project may take its ID. */
#define CW_CONSOLE_PROJECT_ID "console"

/* IDs are at most 36 characters. */
#define CW_CONSOLE_ID_SIZE 40

/* The organisation of a project, "" when it has none. CW_ENOTFOUND when there is no project. */
int cw_console_project_team_get(cw_console_t *c, const char *project_id,
                                char team_id[CW_CONSOLE_ID_SIZE]);
/* Gives the project to an organisation ("" takes it away). CW_ENOTFOUND without the project. */
int cw_console_project_team_set(cw_console_t *c, const char *project_id, const char *team_id);
/* The descriptive fields as stored ({} when none was set): description, logo, url, legalName,
 * legalCountry, legalState, legalCity, legalAddress, legalTaxId. *out is a new reference. */
int cw_console_project_info_get(cw_console_t *c, const char *project_id, json_t **out);
/* Renames the project (name NULL keeps it) and replaces its descriptive fields (info NULL keeps
 * them; else an object). CW_ENOTFOUND without the project. */
int cw_console_project_update(cw_console_t *c, const char *project_id, const char *name,
                              const json_t *info);

/* A dev key: lets a client of the project pass the rate limits and the browser-origin check
 * while developing. Its secret is shown once, when it is made; only a hash is kept. */
typedef struct cw_dev_key {
    char id[CW_CONSOLE_ID_SIZE];
    char project_id[CW_CONSOLE_ID_SIZE];
    char *name;
    int64_t expire; /* ms */
    int64_t created_at;
    int64_t updated_at;
    int64_t accessed_at; /* 0: never used */
} cw_dev_key_t;

#define CW_DEV_KEY_SECRET_LEN 256

/* secret_out receives the new secret (CW_DEV_KEY_SECRET_LEN hex characters and a NUL).
 * CW_ENOTFOUND when the project is gone. */
int cw_console_dev_key_create(cw_console_t *c, const char *project_id, const char *name,
                              int64_t expire, cw_dev_key_t *out, char *secret_out);
int cw_console_dev_key_get(cw_console_t *c, const char *project_id, const char *key_id,
                           cw_dev_key_t *out);
int cw_console_dev_key_update(cw_console_t *c, const char *project_id, const char *key_id,
                              const char *name, int64_t expire);
int cw_console_dev_key_delete(cw_console_t *c, const char *project_id, const char *key_id);
/* In creation order; stops when cb returns non-zero. */
int cw_console_dev_key_each(cw_console_t *c, const char *project_id,
                            int (*cb)(const cw_dev_key_t *k, void *arg), void *arg);
/* The project's unexpired dev key with this secret (CW_ENOTFOUND when none), its accessedAt
 * refreshed at most once a day. */
int cw_console_dev_key_use(cw_console_t *c, cw_str_t project_id, cw_str_t secret, int64_t now,
                           cw_dev_key_t *out);
void cw_dev_key_clear(cw_dev_key_t *k);

#endif
