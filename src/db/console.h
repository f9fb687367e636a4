/*
 * The console store: projects and their API keys, in SQLite (WAL) at <data>/console.db, shared by
 * the server and the `cwrite projects|keys` commands. A cw_console_t is one connection: open one
 * per thread and use it on that thread only. Strings in returned records are owned by the record;
 * free them with the *_clear calls.
 *
 * Reads for requests go through a per-connection cache (cw_console_project_find,
 * cw_console_key_lookup). Every change bumps a generation counter in <data>/console.gen, a small
 * file all processes map; cw_console_refresh drops the cache when the counter moved, so a project
 * or key changed by the command is seen by the server's next request.
 *
 * Besides its name, a project keeps Appwrite's settings objects as JSON: `auths` (parsed into
 * cw_project_t.auth, see db/project_auth.h), `smtp`, `services` and `protocols`. A store made by an
 * older cwrite gains their columns on open; its projects read as Appwrite's projects that predate
 * a setting (the fallbacks of project_auth.h).
 */
#ifndef CW_DB_CONSOLE_H
#define CW_DB_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/str.h"
#include "db/project_auth.h"

typedef struct cw_console cw_console_t;

typedef struct cw_project {
    char id[40];
    char *name;
    int64_t created_at; /* ms */
    int64_t updated_at;
    /* The auth settings, parsed: what account, users and teams enforce (limits, session length
     * and count, password policies, membership privacy, methods[] on/off, mock numbers). */
    cw_project_auth_t auth;
    /* The stored settings objects, owned by the record and read-only (never NULL once read):
     * auths: Appwrite's `auths` as stored (keys auth does not parse, e.g. passwordStrength);
     * smtp: {enabled, senderName, senderEmail, replyTo, host, port, username, password, secure}
     *       ({} until set: the server's own _APP_SMTP_* apply);
     * services: {"<service>": false, …} for each service turned off ({}: all on);
     * protocols: {"rest"|"graphql"|"websocket": false, …} likewise;
     * labels: ["vip", …];
     * platforms: [{"$id", "$createdAt", "$updatedAt", "name", "type", "key", "hostname"}, …]
     *   (type: web, apple, android, windows, linux; a web platform's hostname is an allowed
     *   origin and redirect host);
     * oauth2: Appwrite's oAuthProviders, {"<provider>Appid", "<provider>Secret",
     *   "<provider>Enabled", …};
     * templates: {"email.<type>-<locale>": {"subject", "message", "senderName", …}, …};
     * variables: [{"$id", "$createdAt", "$updatedAt", "key", "value", "secret"}, …]. */
    json_t *auths;
    json_t *smtp;
    json_t *services;
    json_t *protocols;
    json_t *labels;
    json_t *platforms;
    json_t *oauth2;
    json_t *templates;
    json_t *variables;
} cw_project_t;

/* The settings columns of a project. */
typedef enum cw_project_setting {
    CW_PROJECT_AUTHS,
    CW_PROJECT_SMTP,
    CW_PROJECT_SERVICES,
    CW_PROJECT_PROTOCOLS,
    CW_PROJECT_LABELS,    /* an array */
    CW_PROJECT_PLATFORMS, /* an array */
    CW_PROJECT_OAUTH2,
    CW_PROJECT_TEMPLATES,
    CW_PROJECT_VARIABLES, /* an array */
} cw_project_setting_t;

/* Changes a settings value in place; returns 0 to save it, or a negative code that
 * cw_console_project_setting_edit returns without saving. */
typedef int (*cw_setting_edit_cb)(json_t *value, void *arg);

typedef struct cw_key {
    char id[40];
    char project_id[40];
    char *name;
    char **scopes; /* NULL-terminated */
    size_t nscopes;
    int64_t expire;     /* ms; 0 = never */
    int64_t created_at; /* ms */
    int64_t updated_at;
    int64_t accessed_at; /* ms; 0 = never used */
} cw_key_t;

#define CW_KEY_PREFIX "standard_"
/* Ephemeral keys: this prefix and a JWT of {projectId, scopes}, stored nowhere. */
#define CW_KEY_EPHEMERAL_PREFIX "ephemeral_"

/* Opens (and on first use creates) the store under data_dir. Returns 0 or a CW_E* code. */
int cw_console_open(const char *data_dir, cw_console_t **out);
void cw_console_close(cw_console_t *c);
/* A trivial query, for health checks. */
int cw_console_ping(cw_console_t *c);

int cw_console_project_get(cw_console_t *c, cw_str_t id, cw_project_t *out);

/* Drops the cache if the store changed since the last call. Call once per request, before the
 * lookups: the records they return stay valid until the next refresh. */
void cw_console_refresh(cw_console_t *c);
/* Cached lookups; *out is borrowed from the cache (see cw_console_refresh). */
int cw_console_project_find(cw_console_t *c, cw_str_t id, const cw_project_t **out);
int cw_console_key_lookup(cw_console_t *c, cw_str_t project_id, cw_str_t secret, const cw_key_t **out);
/* Makes a project with Appwrite's new-project settings (cw_project_auth_defaults, all services
 * and protocols on, no custom SMTP). */
int cw_console_project_create(cw_console_t *c, const char *id, const char *name);
/* Replaces one settings value of a project (a JSON object, or an array for the array settings)
 * and bumps the generation, so servers apply it from their next request. CW_ENOTFOUND when there
 * is no such project, CW_EINVAL when value is not of the setting's kind. */
int cw_console_project_setting_set(cw_console_t *c, const char *id, cw_project_setting_t which,
                                   const json_t *value);
/* Reads one settings value, lets edit change it and saves it, all in one write transaction, so
 * concurrent edits (from any process) never lose one another. Returns 0, CW_ENOTFOUND (no such
 * project), a storage error, or edit's own non-zero return (nothing saved). */
int cw_console_project_setting_edit(cw_console_t *c, const char *id, cw_project_setting_t which,
                                    cw_setting_edit_cb edit, void *arg);
/* Whether a service (Appwrite's serviceId: "account", "teams", …) is on for the project. */
bool cw_project_service_enabled(const cw_project_t *p, const char *service);
/* Deletes a project and its keys; CW_ENOTFOUND when there is none. */
int cw_console_project_delete(cw_console_t *c, const char *id);
/* Calls cb for each project in creation order; stops early when cb returns non-zero. */
int cw_console_project_each(cw_console_t *c, int (*cb)(const cw_project_t *p, void *arg), void *arg);
void cw_project_clear(cw_project_t *p);

/* Makes a key with a fresh secret; the secret (shown once, stored only as a hash) is written to
 * secret_out, which must hold CW_KEY_SECRET_LEN + 1 bytes. expire 0 = never. */
#define CW_KEY_SECRET_LEN (sizeof(CW_KEY_PREFIX) - 1 + 256)
int cw_console_key_create(cw_console_t *c, const char *project_id, const char *name,
                          const char *const *scopes, int64_t expire, cw_key_t *key_out,
                          char *secret_out);
/* The same with a chosen ID (NULL: a fresh unique one); CW_EEXIST when the ID is taken,
 * CW_ENOTFOUND when the project is gone. */
int cw_console_key_create_id(cw_console_t *c, const char *project_id, const char *key_id,
                             const char *name, const char *const *scopes, int64_t expire,
                             cw_key_t *key_out, char *secret_out);
/* The project's key with this ID (not the secret, which is stored only as a hash). */
int cw_console_key_get(cw_console_t *c, const char *project_id, const char *key_id, cw_key_t *out);
/* Replaces a key's name, scopes (NULL-terminated) and expiry (0 = never); CW_ENOTFOUND. */
int cw_console_key_update(cw_console_t *c, const char *project_id, const char *key_id,
                          const char *name, const char *const *scopes, int64_t expire);
/* Finds the project's key with this secret. */
int cw_console_key_find(cw_console_t *c, cw_str_t project_id, cw_str_t secret, cw_key_t *out);
int cw_console_key_delete(cw_console_t *c, const char *project_id, const char *key_id);
int cw_console_key_each(cw_console_t *c, const char *project_id,
                        int (*cb)(const cw_key_t *k, void *arg), void *arg);
/* Records that a key was used now, at most once a day as Appwrite does. */
int cw_console_key_touch(cw_console_t *c, cw_key_t *key);
bool cw_key_has_scope(const cw_key_t *k, const char *scope);
void cw_key_clear(cw_key_t *k);

#endif
