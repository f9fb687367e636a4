#include "auth/scopes.h"

#include <string.h>

/* The scopes of a project key, in the order Appwrite lists them (deprecated aliases included). */
const char *const cw_scopes_all[] = {
    "project.read", "project.write", "keys.read", "keys.write", "platforms.read",
    "platforms.write", "mocks.read", "mocks.write", "policies.read", "policies.write",
    "project.policies.read", "project.policies.write", "templates.read", "templates.write",
    "oauth2.read", "oauth2.write", "users.read", "users.write", "sessions.read",
    "sessions.write", "teams.read", "teams.write", "databases.read", "databases.write",
    "tables.read", "tables.write", "columns.read", "columns.write", "indexes.read",
    "indexes.write", "rows.read", "rows.write", "collections.read", "collections.write",
    "attributes.read", "attributes.write", "documents.read", "documents.write", "buckets.read",
    "buckets.write", "files.read", "files.write", "tokens.read", "tokens.write",
    "functions.read", "functions.write", "executions.read", "executions.write",
    "execution.read", "execution.write", "sites.read", "sites.write", "log.read", "log.write",
    "providers.read", "providers.write", "topics.read", "topics.write", "subscribers.read",
    "subscribers.write", "targets.read", "targets.write", "messages.read", "messages.write",
    "rules.read", "rules.write", "webhooks.read", "webhooks.write", "locale.read",
    "avatars.read", "health.read", "assistant.read", "migrations.read", "migrations.write",
    "schedules.read", "schedules.write", "vcs.read", "vcs.write", "insights.read",
    "insights.write", "reports.read", "reports.write", "presences.read", "presences.write", NULL,
};

const char *const cw_scopes_key_implicit[] = {
    "global", "health.read", "graphql", NULL,
};

/* What a request without a key holds, before and after signing in. */
const char *const cw_scopes_guests[] = {
    "global", "public", "home", "console", "graphql", "sessions.write", "documents.read",
    "documents.write", "rows.read", "rows.write", "files.read", "files.write", "locale.read",
    "avatars.read", "executions.write", NULL,
};

const char *const cw_scopes_users[] = {
    "global", "public", "home", "console", "graphql", "sessions.write", "documents.read",
    "documents.write", "rows.read", "rows.write", "files.read", "files.write", "locale.read",
    "avatars.read", "executions.write", "account", "teams.read", "teams.write",
    "presences.read", "presences.write", "projects.read", "executions.read", "targets.read",
    "targets.write", "subscribers.read", "subscribers.write", "assistant.read", "rules.read", NULL,
};

const char *const cw_scopes_admins[] = {
    "global", "graphql", "sessions.write", "teams.read", "teams.write", "documents.read",
    "documents.write", "rows.read", "rows.write", "embeddings.write", "files.read", "files.write",
    "buckets.read", "buckets.write", "users.read", "users.write", "presences.read",
    "presences.write", "databases.read", "databases.write", "collections.read",
    "collections.write", "tables.read", "tables.write", "platforms.read", "platforms.write",
    "mocks.read", "mocks.write", "project.policies.read", "project.policies.write",
    "project.oauth2.read", "project.oauth2.write", "templates.read", "templates.write",
    "projects.write", "keys.read", "keys.write", "devKeys.read", "devKeys.write", "webhooks.read",
    "webhooks.write", "project.read", "project.write", "locale.read", "avatars.read",
    "health.read", "functions.read", "functions.write", "sites.read", "sites.write", "log.read",
    "log.write", "executions.read", "executions.write", "rules.read", "rules.write",
    "migrations.read", "migrations.write", "vcs.read", "vcs.write", "targets.read",
    "targets.write", "providers.write", "providers.read", "messages.write", "messages.read",
    "topics.write", "topics.read", "subscribers.write", "subscribers.read", "tokens.read",
    "tokens.write", "schedules.read", "schedules.write", "stages.read", "stages.write",
    "insights.read", "insights.write", "reports.read", "reports.write", NULL,
};

bool cw_scope_in(const char *const *list, const char *scope)
{
    for (; *list != NULL; list++) {
        if (strcmp(*list, scope) == 0)
            return true;
    }
    return false;
}

bool cw_scope_known(cw_str_t scope)
{
    for (const char *const *s = cw_scopes_all; *s != NULL; s++) {
        if (cw_str_eq_cstr(scope, *s))
            return true;
    }
    return false;
}
