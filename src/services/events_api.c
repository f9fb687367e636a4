#include "services/events_api.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "events/events.h"
#include "services/api.h"

#define PARAMS_MAX 6

/* One route's event. params lists the placeholders in the order Appwrite's action sets them,
 * each "key=source", sources tried left to right ('|'): "p:name" a path parameter, "r:key" a
 * field of the payload, "u" the acting user's ID. Keys no placeholder uses still count: they
 * shape the order of the wildcards, as in Appwrite. bulk names the array of a bulk answer whose
 * every element is an event of its own. A path ending in '*' covers every route under it. */
typedef struct event_rule {
    const char *method, *path, *pattern, *params, *bulk;
} event_rule_t;

#define DB "/v1/databases/{databaseId}"
#define COLL DB "/collections/{collectionId}"
#define TDB "/v1/tablesdb/{databaseId}"
#define TABLE TDB "/tables/{tableId}"
#define USER "/v1/users/{userId}"
#define TEAM "/v1/teams/{teamId}"
#define MEMBERSHIP TEAM "/memberships/{membershipId}"

#define E_DB "databases.[databaseId]"
#define E_COLL E_DB ".collections.[collectionId]"
#define E_TABLE E_DB ".tables.[tableId]"
#define E_DOC E_COLL ".documents.[documentId]"
#define E_ROW E_TABLE ".rows.[rowId]"
#define E_USER "users.[userId]"
#define E_TEAM "teams.[teamId]"
#define E_MEMBER E_TEAM ".memberships.[membershipId]"

#define P_DB "databaseId=p:databaseId"
#define P_COLL P_DB " collectionId=p:collectionId tableId=p:collectionId"
#define P_TABLE P_DB " collectionId=p:tableId tableId=p:tableId"
#define P_DOC_NEW P_COLL " documentId=r:$id rowId=r:$id"
#define P_DOC P_COLL " documentId=p:documentId rowId=p:documentId"
#define P_ROW_NEW P_TABLE " documentId=r:$id rowId=r:$id"
#define P_ROW P_TABLE " documentId=p:rowId rowId=p:rowId"
#define P_SELF "userId=u|r:$id"
#define P_SESSION "userId=r:userId|u sessionId=r:$id"
#define P_TOKEN "userId=r:userId|u tokenId=r:$id"

static const event_rule_t rules[] = {
    /* Databases */
    {"POST", "/v1/databases", E_DB ".create", "databaseId=r:$id", NULL},
    {"PUT", DB, E_DB ".update", P_DB, NULL},
    {"DELETE", DB, E_DB ".delete", P_DB, NULL},
    {"POST", DB "/collections", E_COLL ".create", P_DB " collectionId=r:$id tableId=r:$id", NULL},
    {"PUT", COLL, E_COLL ".update", P_COLL, NULL},
    {"DELETE", COLL, E_COLL ".delete", P_COLL, NULL},
    {"POST", COLL "/attributes/*", E_COLL ".attributes.[attributeId].create",
     P_COLL " attributeId=r:key columnId=r:key", NULL},
    {"PATCH", COLL "/attributes/*", E_COLL ".attributes.[attributeId].update",
     P_COLL " attributeId=p:key columnId=p:key", NULL},
    /* Appwrite labels a removal "update" (the attribute goes to "deleting" first). */
    {"DELETE", COLL "/attributes/{key}", E_COLL ".attributes.[attributeId].update",
     P_COLL " attributeId=p:key columnId=p:key", NULL},
    {"POST", COLL "/indexes", E_COLL ".indexes.[indexId].create", P_COLL " indexId=r:key", NULL},
    {"DELETE", COLL "/indexes/{key}", E_COLL ".indexes.[indexId].update", P_COLL " indexId=p:key",
     NULL},
    {"POST", COLL "/documents", E_DOC ".create", P_DOC_NEW, "documents"},
    {"PUT", COLL "/documents", E_DOC ".upsert", P_DOC_NEW, "documents"},
    {"PATCH", COLL "/documents", E_DOC ".update", P_DOC_NEW, "documents"},
    {"DELETE", COLL "/documents", E_DOC ".delete", P_DOC_NEW, "documents"},
    {"PUT", COLL "/documents/{documentId}", E_DOC ".upsert", P_DOC, NULL},
    {"PATCH", COLL "/documents/{documentId}", E_DOC ".update", P_DOC, NULL},
    {"DELETE", COLL "/documents/{documentId}", E_DOC ".delete", P_DOC, NULL},
    {"PATCH", COLL "/documents/{documentId}/{attribute}/increment", E_DOC ".update", P_DOC, NULL},
    {"PATCH", COLL "/documents/{documentId}/{attribute}/decrement", E_DOC ".update", P_DOC, NULL},
    /* TablesDB: rows are created under the collections' name, as Appwrite's shared action does;
     * the mirror adds the tables' one. */
    {"POST", "/v1/tablesdb", E_DB ".create", "databaseId=r:$id", NULL},
    {"PUT", TDB, E_DB ".update", P_DB, NULL},
    {"DELETE", TDB, E_DB ".delete", P_DB, NULL},
    {"POST", TDB "/tables", E_TABLE ".create", P_DB " collectionId=r:$id tableId=r:$id", NULL},
    {"PUT", TABLE, E_TABLE ".update", P_TABLE, NULL},
    {"DELETE", TABLE, E_TABLE ".delete", P_TABLE, NULL},
    {"POST", TABLE "/columns/*", E_TABLE ".columns.[columnId].create",
     P_TABLE " attributeId=r:key columnId=r:key", NULL},
    {"PATCH", TABLE "/columns/*", E_TABLE ".columns.[columnId].update",
     P_TABLE " attributeId=p:key columnId=p:key", NULL},
    {"DELETE", TABLE "/columns/{key}", E_TABLE ".columns.[columnId].update",
     P_TABLE " attributeId=p:key columnId=p:key", NULL},
    {"POST", TABLE "/indexes", E_TABLE ".indexes.[indexId].create", P_TABLE " indexId=r:key", NULL},
    {"DELETE", TABLE "/indexes/{key}", E_TABLE ".indexes.[indexId].update",
     P_TABLE " indexId=p:key", NULL},
    {"POST", TABLE "/rows", E_DOC ".create", P_ROW_NEW, "rows"},
    {"PUT", TABLE "/rows", E_DOC ".upsert", P_ROW_NEW, "rows"},
    {"PATCH", TABLE "/rows", E_DOC ".update", P_ROW_NEW, "rows"},
    {"DELETE", TABLE "/rows", E_DOC ".delete", P_ROW_NEW, "rows"},
    {"PUT", TABLE "/rows/{rowId}", E_ROW ".upsert", P_ROW, NULL},
    {"PATCH", TABLE "/rows/{rowId}", E_ROW ".update", P_ROW, NULL},
    {"DELETE", TABLE "/rows/{rowId}", E_ROW ".delete", P_ROW, NULL},
    {"PATCH", TABLE "/rows/{rowId}/{column}/increment", E_ROW ".update", P_ROW, NULL},
    {"PATCH", TABLE "/rows/{rowId}/{column}/decrement", E_ROW ".update", P_ROW, NULL},
    /* Account */
    {"POST", "/v1/account", E_USER ".create", "userId=r:$id", NULL},
    {"PATCH", "/v1/account/name", E_USER ".update.name", P_SELF, NULL},
    {"PATCH", "/v1/account/password", E_USER ".update.password", P_SELF, NULL},
    {"PATCH", "/v1/account/email", E_USER ".update.email", P_SELF, NULL},
    {"PATCH", "/v1/account/phone", E_USER ".update.phone", P_SELF, NULL},
    {"PATCH", "/v1/account/prefs", E_USER ".update.prefs", P_SELF, NULL},
    {"PATCH", "/v1/account/status", E_USER ".update.status", P_SELF, NULL},
    {"PATCH", "/v1/account/mfa", E_USER ".update.mfa", P_SELF, NULL},
    {"POST", "/v1/account/mfa/authenticators/{type}", E_USER ".update.mfa", "userId=u", NULL},
    {"PUT", "/v1/account/mfa/authenticators/{type}", E_USER ".update.mfa", "userId=u", NULL},
    {"DELETE", "/v1/account/mfa/authenticators/{type}", E_USER ".delete.mfa", "userId=u", NULL},
    {"POST", "/v1/account/mfa/recovery-codes", E_USER ".update.mfa", "userId=u", NULL},
    {"PATCH", "/v1/account/mfa/recovery-codes", E_USER ".update.mfa", "userId=u", NULL},
    {"POST", "/v1/account/mfa/challenges", E_USER ".challenges.[challengeId].create",
     "userId=r:userId|u challengeId=r:$id", NULL},
    {"POST", "/v1/account/mfa/challenge", E_USER ".challenges.[challengeId].create",
     "userId=r:userId|u challengeId=r:$id", NULL},
    {"PUT", "/v1/account/mfa/challenges", E_USER ".sessions.[sessionId].create", P_SESSION, NULL},
    {"PUT", "/v1/account/mfa/challenge", E_USER ".sessions.[sessionId].create", P_SESSION, NULL},
    {"POST", "/v1/account/sessions", E_USER ".sessions.[sessionId].create", P_SESSION, NULL},
    {"POST", "/v1/account/sessions/email", E_USER ".sessions.[sessionId].create", P_SESSION, NULL},
    {"POST", "/v1/account/sessions/anonymous", E_USER ".sessions.[sessionId].create", P_SESSION,
     NULL},
    {"POST", "/v1/account/sessions/token", E_USER ".sessions.[sessionId].create", P_SESSION, NULL},
    {"PUT", "/v1/account/sessions/magic-url", E_USER ".sessions.[sessionId].create", P_SESSION,
     NULL},
    {"PUT", "/v1/account/sessions/phone", E_USER ".sessions.[sessionId].create", P_SESSION, NULL},
    {"PATCH", "/v1/account/sessions/{sessionId}", E_USER ".sessions.[sessionId].update", P_SESSION,
     NULL},
    {"DELETE", "/v1/account/sessions/{sessionId}", E_USER ".sessions.[sessionId].delete",
     "userId=u sessionId=p:sessionId", NULL},
    {"POST", "/v1/account/tokens/email", E_USER ".tokens.[tokenId].create", P_TOKEN, NULL},
    {"POST", "/v1/account/tokens/magic-url", E_USER ".tokens.[tokenId].create", P_TOKEN, NULL},
    {"POST", "/v1/account/tokens/phone", E_USER ".tokens.[tokenId].create", P_TOKEN, NULL},
    {"POST", "/v1/account/recovery", E_USER ".recovery.[tokenId].create", P_TOKEN, NULL},
    {"PUT", "/v1/account/recovery", E_USER ".recovery.[tokenId].update", P_TOKEN, NULL},
    {"POST", "/v1/account/verifications/email", E_USER ".verification.[tokenId].create", P_TOKEN,
     NULL},
    {"POST", "/v1/account/verification", E_USER ".verification.[tokenId].create", P_TOKEN, NULL},
    {"PUT", "/v1/account/verifications/email", E_USER ".verification.[tokenId].update", P_TOKEN,
     NULL},
    {"PUT", "/v1/account/verification", E_USER ".verification.[tokenId].update", P_TOKEN, NULL},
    {"POST", "/v1/account/verifications/phone", E_USER ".verification.[tokenId].create", P_TOKEN,
     NULL},
    {"POST", "/v1/account/verification/phone", E_USER ".verification.[tokenId].create", P_TOKEN,
     NULL},
    {"PUT", "/v1/account/verifications/phone", E_USER ".verification.[tokenId].update", P_TOKEN,
     NULL},
    {"PUT", "/v1/account/verification/phone", E_USER ".verification.[tokenId].update", P_TOKEN,
     NULL},
    {"POST", "/v1/account/targets/push", E_USER ".targets.[targetId].create",
     "userId=u targetId=r:$id", NULL},
    {"PUT", "/v1/account/targets/{targetId}/push", E_USER ".targets.[targetId].update",
     "userId=u targetId=p:targetId", NULL},
    {"DELETE", "/v1/account/targets/{targetId}/push", E_USER ".targets.[targetId].delete",
     "userId=u targetId=p:targetId", NULL},
    {"DELETE", "/v1/account/identities/{identityId}", E_USER ".identities.[identityId].delete",
     "userId=u identityId=p:identityId", NULL},
    /* Users */
    {"POST", "/v1/users", E_USER ".create", "userId=r:$id", NULL},
    {"POST", "/v1/users/argon2", E_USER ".create", "userId=r:$id", NULL},
    {"POST", "/v1/users/bcrypt", E_USER ".create", "userId=r:$id", NULL},
    {"POST", "/v1/users/md5", E_USER ".create", "userId=r:$id", NULL},
    {"POST", "/v1/users/phpass", E_USER ".create", "userId=r:$id", NULL},
    {"POST", "/v1/users/scrypt", E_USER ".create", "userId=r:$id", NULL},
    {"POST", "/v1/users/scrypt-modified", E_USER ".create", "userId=r:$id", NULL},
    {"POST", "/v1/users/sha", E_USER ".create", "userId=r:$id", NULL},
    {"DELETE", USER, E_USER ".delete", "userId=p:userId", NULL},
    {"PATCH", USER "/email", E_USER ".update.email", "userId=p:userId", NULL},
    {"PATCH", USER "/name", E_USER ".update.name", "userId=p:userId", NULL},
    {"PATCH", USER "/password", E_USER ".update.password", "userId=p:userId", NULL},
    {"PATCH", USER "/phone", E_USER ".update.phone", "userId=p:userId", NULL},
    {"PATCH", USER "/prefs", E_USER ".update.prefs", "userId=p:userId", NULL},
    {"PATCH", USER "/status", E_USER ".update.status", "userId=p:userId", NULL},
    {"PUT", USER "/labels", E_USER ".update.labels", "userId=p:userId", NULL},
    {"PATCH", USER "/verification", E_USER ".update.verification", "userId=p:userId", NULL},
    {"PATCH", USER "/verification/phone", E_USER ".update.verification", "userId=p:userId", NULL},
    {"PATCH", USER "/impersonator", E_USER ".update.impersonator", "userId=p:userId", NULL},
    {"PATCH", USER "/mfa", E_USER ".update.mfa", "userId=p:userId", NULL},
    {"DELETE", USER "/mfa/authenticators/{type}", E_USER ".delete.mfa", "userId=p:userId", NULL},
    {"PUT", USER "/mfa/recovery-codes", E_USER ".create.mfa.recovery-codes", "userId=p:userId",
     NULL},
    {"PATCH", USER "/mfa/recovery-codes", E_USER ".update.mfa.recovery-codes", "userId=p:userId",
     NULL},
    {"POST", USER "/sessions", E_USER ".sessions.[sessionId].create",
     "userId=p:userId sessionId=r:$id", NULL},
    {"DELETE", USER "/sessions", E_USER ".sessions.delete", "userId=p:userId", NULL},
    {"DELETE", USER "/sessions/{sessionId}", E_USER ".sessions.[sessionId].delete",
     "userId=p:userId sessionId=p:sessionId", NULL},
    {"POST", USER "/targets", E_USER ".targets.[targetId].create", "userId=p:userId targetId=r:$id",
     NULL},
    {"PATCH", USER "/targets/{targetId}", E_USER ".targets.[targetId].update",
     "userId=p:userId targetId=p:targetId", NULL},
    {"DELETE", USER "/targets/{targetId}", E_USER ".targets.[targetId].delete",
     "userId=p:userId targetId=p:targetId", NULL},
    {"POST", USER "/tokens", E_USER ".tokens.[tokenId].create", "userId=p:userId tokenId=r:$id",
     NULL},
    /* Teams */
    {"POST", "/v1/teams", E_TEAM ".create", "teamId=r:$id", NULL},
    {"PUT", TEAM, E_TEAM ".update", "teamId=p:teamId", NULL},
    {"DELETE", TEAM, E_TEAM ".delete", "teamId=p:teamId", NULL},
    {"PUT", TEAM "/prefs", E_TEAM ".update.prefs", "teamId=p:teamId", NULL},
    {"POST", TEAM "/memberships", E_MEMBER ".create", "teamId=p:teamId membershipId=r:$id", NULL},
    {"PATCH", MEMBERSHIP, E_MEMBER ".update", "teamId=p:teamId membershipId=p:membershipId", NULL},
    {"DELETE", MEMBERSHIP, E_MEMBER ".delete", "teamId=p:teamId membershipId=p:membershipId", NULL},
    {"PATCH", MEMBERSHIP "/status", E_MEMBER ".update.status",
     "teamId=p:teamId membershipId=p:membershipId", NULL},
};

static bool path_matches(const char *rule, const char *path)
{
    size_t n = strlen(rule);
    if (n > 0 && rule[n - 1] == '*')
        return strncmp(rule, path, n - 1) == 0;
    return strcmp(rule, path) == 0;
}

static const event_rule_t *rule_find(const cw_route_t *route)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (strcmp(rules[i].method, route->method) == 0 && path_matches(rules[i].path, route->path))
            return &rules[i];
    }
    return NULL;
}

/* What a request leaves for the emitter: copies, since the request is gone by then. */
typedef struct route_job {
    cw_event_job_t base;
    const event_rule_t *rule;
    char *project;
    char *user_id;
    cw_buf_t path; /* "name\0value\0" per path parameter */
    size_t npath;
    char *body;
    size_t body_len;
} route_job_t;

static const char *path_value(const route_job_t *j, const char *name, size_t len)
{
    const char *p = j->path.ptr;
    for (size_t i = 0; i < j->npath; i++) {
        const char *v = p + strlen(p) + 1;
        if (strlen(p) == len && memcmp(p, name, len) == 0)
            return v;
        p = v + strlen(v) + 1;
    }
    return NULL;
}

/* Fills params from the rule's sources; the values live in store. False when one has none. */
static bool resolve(const route_job_t *j, const json_t *payload, cw_event_param_t *params,
                    size_t *n, char keys[][32], cw_buf_t *store, size_t *offsets)
{
    const char *p = j->rule->params;
    *n = 0;
    cw_buf_reset(store);
    while (*p != '\0' && *n < PARAMS_MAX) {
        while (*p == ' ')
            p++;
        const char *eq = strchr(p, '='), *end = strchr(p, ' ');
        if (end == NULL)
            end = p + strlen(p);
        if (eq == NULL || eq > end || (size_t)(eq - p) >= sizeof(keys[0]))
            return false;
        memcpy(keys[*n], p, (size_t)(eq - p));
        keys[*n][eq - p] = '\0';
        const char *value = NULL;
        for (const char *s = eq + 1; s < end && value == NULL;) {
            const char *bar = memchr(s, '|', (size_t)(end - s));
            const char *alt_end = bar != NULL ? bar : end;
            size_t len = (size_t)(alt_end - s);
            if (len == 1 && s[0] == 'u') {
                value = j->user_id[0] != '\0' ? j->user_id : NULL;
            } else if (len > 2 && s[0] == 'p' && s[1] == ':') {
                value = path_value(j, s + 2, len - 2);
            } else if (len > 2 && s[0] == 'r' && s[1] == ':') {
                char key[64];
                if (len - 2 < sizeof(key)) {
                    memcpy(key, s + 2, len - 2);
                    key[len - 2] = '\0';
                    value = json_string_value(json_object_get(payload, key));
                }
            }
            s = alt_end + (bar != NULL);
        }
        if (value == NULL || value[0] == '\0')
            return false;
        offsets[*n] = store->len;
        cw_buf_append(store, value, strlen(value) + 1);
        params[*n].key = keys[*n];
        (*n)++;
        p = end;
    }
    for (size_t i = 0; i < *n; i++)
        params[i].value = store->ptr + offsets[i];
    return true;
}

static void publish_one(route_job_t *j, cw_events_t *e, const json_t *payload, const char *text)
{
    cw_event_param_t params[PARAMS_MAX];
    char keys[PARAMS_MAX][32];
    size_t offsets[PARAMS_MAX], n = 0, count = 0;
    cw_buf_t store = CW_BUF_INIT, names = CW_BUF_INIT;
    if (!resolve(j, payload, params, &n, keys, &store, offsets) ||
        cw_events_names(cw_events_namer(e), j->rule->pattern, params, n, &names, &count) != 0) {
        cw_log(CW_LOG_DEBUG, "msg=\"event skipped: a parameter has no value\" event=%s",
               j->rule->pattern);
        goto out;
    }
    const char **list = cw_calloc(count, sizeof(*list));
    const char *p = names.ptr;
    for (size_t i = 0; i < count; i++, p += strlen(p) + 1)
        list[i] = p;
    cw_event_t ev = {j->project, j->user_id,       list,   count, payload,
                     text,       j->rule->pattern, params, n};
    cw_events_publish(e, &ev);
    free(list);
out:
    cw_buf_free(&store);
    cw_buf_free(&names);
}

static void expand(cw_event_job_t *job, cw_events_t *e)
{
    route_job_t *j = (route_job_t *)job;
    if (!cw_events_wanted(e, j->project))
        return; /* no webhook (or other subscriber) of the project listens */
    json_t *payload = j->body_len > 0 ? json_loadb(j->body, j->body_len, 0, NULL) : NULL;
    if (payload == NULL)
        payload = json_object(); /* a removal answers nothing */
    const json_t *items = j->rule->bulk != NULL ? json_object_get(payload, j->rule->bulk) : NULL;
    if (json_is_array(items)) {
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item)
        {
            char *text = json_dumps(item, JSON_COMPACT);
            publish_one(j, e, item, text != NULL ? text : "{}");
            free(text);
        }
    } else if (j->body_len > 0) {
        char *text = cw_malloc(j->body_len + 1);
        memcpy(text, j->body, j->body_len);
        text[j->body_len] = '\0';
        publish_one(j, e, payload, text);
        free(text);
    } else {
        publish_one(j, e, payload, "{}");
    }
    json_decref(payload);
}

static void destroy(cw_event_job_t *job)
{
    route_job_t *j = (route_job_t *)job;
    free(j->project);
    free(j->user_id);
    cw_buf_free(&j->path);
    free(j->body);
    free(j);
}

void cw_event_record(cw_ctx_t *ctx)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_auth_t *auth = cw_ctx_auth(ctx);
    int status = ctx->res->status;
    if (!cw_events_has_subscribers(t->events) || !auth->has_project || ctx->res->has_error ||
        status < 200 || status >= 300)
        return;
    const event_rule_t *rule = rule_find(ctx->route);
    if (rule == NULL)
        return;
    route_job_t *j = cw_calloc(1, sizeof(*j));
    j->base.expand = expand;
    j->base.destroy = destroy;
    j->rule = rule;
    j->project = cw_strdup(auth->project->id);
    const char *uid = json_string_value(json_object_get(auth->user, "$id"));
    j->user_id = cw_strdup(uid != NULL ? uid : "");
    for (size_t i = 0; i < ctx->req->npath; i++) {
        cw_buf_append(&j->path, ctx->req->path_names[i].ptr, ctx->req->path_names[i].len);
        cw_buf_append_char(&j->path, '\0');
        cw_buf_append(&j->path, ctx->req->path_values[i].ptr, ctx->req->path_values[i].len);
        cw_buf_append_char(&j->path, '\0');
        j->npath++;
    }
    cw_str_t body = cw_res_body(ctx->res);
    if (body.len > 0) {
        j->body = cw_malloc(body.len);
        memcpy(j->body, body.ptr, body.len);
        j->body_len = body.len;
    }
    cw_events_emit(t->events, &j->base);
}

/* The events of a committed transaction's operations (Appwrite's commit sets them itself): one
 * rule per family and action, the document's ID from the payload. */
static const event_rule_t commit_rules[2][3] = {
    {{"", "", E_DOC ".create", P_DOC_NEW, NULL},
     {"", "", E_DOC ".update", P_DOC_NEW, NULL},
     {"", "", E_DOC ".delete", P_DOC_NEW, NULL}},
    {{"", "", E_ROW ".create", P_DOC_NEW, NULL},
     {"", "", E_ROW ".update", P_DOC_NEW, NULL},
     {"", "", E_ROW ".delete", P_DOC_NEW, NULL}},
};

void cw_event_record_changes(cw_ctx_t *ctx, bool tables, const json_t *changes)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_auth_t *auth = cw_ctx_auth(ctx);
    if (!cw_events_has_subscribers(t->events) || !auth->has_project)
        return;
    const char *uid = json_string_value(json_object_get(auth->user, "$id"));
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c)
    {
        const char *action = json_string_value(json_object_get(c, "action"));
        const char *dbid = json_string_value(json_object_get(c, "databaseId"));
        const char *cid = json_string_value(json_object_get(c, "collectionId"));
        json_t *doc = json_object_get(c, "document");
        int k = action == NULL                  ? -1
                : strcmp(action, "create") == 0 ? 0
                : strcmp(action, "update") == 0 ? 1
                : strcmp(action, "delete") == 0 ? 2
                                                : -1;
        if (k < 0 || dbid == NULL || cid == NULL || !json_is_object(doc))
            continue;
        route_job_t *j = cw_calloc(1, sizeof(*j));
        j->base.expand = expand;
        j->base.destroy = destroy;
        j->rule = &commit_rules[tables ? 1 : 0][k];
        j->project = cw_strdup(auth->project->id);
        j->user_id = cw_strdup(uid != NULL ? uid : "");
        const char *const pairs[] = {"databaseId", dbid, "collectionId", cid};
        for (size_t p = 0; p < 4; p++)
            cw_buf_append(&j->path, pairs[p], strlen(pairs[p]) + 1); /* with its NUL */
        j->npath = 2;
        json_t *payload = json_copy(doc);
        json_object_set_new(payload, "$collectionId", json_string(cid));
        json_object_set_new(payload, "$tableId", json_string(cid));
        char *text = json_dumps(payload, JSON_COMPACT);
        json_decref(payload);
        if (text != NULL) {
            j->body_len = strlen(text);
            j->body = text;
        }
        cw_events_emit(t->events, &j->base);
    }
}
