/*
 * The internal collections over the public document API of database.c: the calls run inside
 * cw__db_internal_enter/leave, which is what lets them address the reserved database. The
 * schemas follow Appwrite's (app/config/collections), less the attributes Appwrite fills by
 * subqueries at read time (a user's sessions, tokens, memberships, targets, …): services ask for
 * those themselves. Index keys drop Appwrite's leading underscore, which our key rule refuses.
 */
#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define KEY 255 /* Database::LENGTH_KEY */
#define INTERNAL_NAME "cwrite internal 1"
#define INDEX_LENGTH 768

typedef struct iattr {
    const char *key, *type;
    long size;
    bool array;
} iattr_t;

typedef struct iindex {
    const char *key, *type;
    const char *attrs[4];
} iindex_t;

typedef struct icoll {
    const char *id;
    const iattr_t *attrs;
    size_t nattrs;
    const iindex_t *indexes;
    size_t nindexes;
    const char *const *json_keys; /* stored as JSON text, given and returned as values */
} icoll_t;

static const iattr_t users_attrs[] = {
    {"name", "string", 256, false},
    {"email", "string", 320, false},
    {"phone", "string", 16, false},
    {"status", "boolean", 0, false},
    {"labels", "string", 128, true},
    {"passwordHistory", "string", 16384, true},
    {"password", "string", 16384, false},
    {"hash", "string", 256, false},
    {"hashOptions", "string", 65535, false},
    {"passwordUpdate", "datetime", 0, false},
    {"prefs", "string", 65535, false},
    {"registration", "datetime", 0, false},
    {"emailVerification", "boolean", 0, false},
    {"phoneVerification", "boolean", 0, false},
    {"reset", "boolean", 0, false},
    {"mfa", "boolean", 0, false},
    {"mfaRecoveryCodes", "string", 256, true},
    {"search", "string", 16384, false},
    {"accessedAt", "datetime", 0, false},
    {"emailCanonical", "string", 320, false},
    {"emailIsFree", "boolean", 0, false},
    {"emailIsDisposable", "boolean", 0, false},
    {"emailIsCorporate", "boolean", 0, false},
    {"emailIsCanonical", "boolean", 0, false},
    {"impersonator", "boolean", 0, false},
};
static const iindex_t users_indexes[] = {
    {"key_name", "key", {"name"}},
    {"key_email", "unique", {"email"}},
    {"key_phone", "unique", {"phone"}},
    {"key_status", "key", {"status"}},
    {"key_passwordUpdate", "key", {"passwordUpdate"}},
    {"key_registration", "key", {"registration"}},
    {"key_emailVerification", "key", {"emailVerification"}},
    {"key_phoneVerification", "key", {"phoneVerification"}},
    {"key_search", "fulltext", {"search"}},
    {"key_impersonator", "key", {"impersonator"}},
};
static const char *const users_json[] = {"hashOptions", "prefs", NULL};

static const iattr_t tokens_attrs[] = {
    {"userInternalId", "string", KEY, false},
    {"userId", "string", KEY, false},
    {"type", "integer", 0, false},
    {"secret", "string", 512, false},
    {"expire", "datetime", 0, false},
    {"userAgent", "string", 16384, false},
    {"ip", "string", 45, false},
};
static const iindex_t tokens_indexes[] = {
    {"key_user", "key", {"userInternalId"}},
    {"key_type_expire", "key", {"type", "expire"}},
};

static const iattr_t authenticators_attrs[] = {
    {"userInternalId", "string", KEY, false}, {"userId", "string", KEY, false},
    {"type", "string", KEY, false},           {"verified", "boolean", 0, false},
    {"data", "string", 65535, false},
};
static const iindex_t authenticators_indexes[] = {
    {"key_userInternalId", "key", {"userInternalId"}},
};
static const char *const authenticators_json[] = {"data", NULL};

static const iattr_t challenges_attrs[] = {
    {"userInternalId", "string", KEY, false}, {"userId", "string", KEY, false},
    {"type", "string", KEY, false},           {"token", "string", 512, false},
    {"code", "string", 512, false},           {"expire", "datetime", 0, false},
};
static const iindex_t challenges_indexes[] = {
    {"key_user", "key", {"userInternalId"}},
    {"key_expire", "key", {"expire"}},
};

static const iattr_t sessions_attrs[] = {
    {"userInternalId", "string", KEY, false},
    {"userId", "string", KEY, false},
    {"provider", "string", 128, false},
    {"providerUid", "string", 2048, false},
    {"providerAccessToken", "string", 16384, false},
    {"providerAccessTokenExpiry", "datetime", 0, false},
    {"providerRefreshToken", "string", 16384, false},
    {"secret", "string", 512, false},
    {"userAgent", "string", 16384, false},
    {"ip", "string", 45, false},
    {"countryCode", "string", 2, false},
    {"osCode", "string", 256, false},
    {"osName", "string", 256, false},
    {"osVersion", "string", 256, false},
    {"clientType", "string", 256, false},
    {"clientCode", "string", 256, false},
    {"clientName", "string", 256, false},
    {"clientVersion", "string", 256, false},
    {"clientEngine", "string", 256, false},
    {"clientEngineVersion", "string", 256, false},
    {"deviceName", "string", 256, false},
    {"deviceBrand", "string", 256, false},
    {"deviceModel", "string", 256, false},
    {"factors", "string", 256, true},
    {"expire", "datetime", 0, false},
    {"mfaUpdatedAt", "datetime", 0, false},
};
static const iindex_t sessions_indexes[] = {
    {"key_provider_providerUid", "key", {"provider", "providerUid"}},
    {"key_user", "key", {"userInternalId"}},
    {"key_userId", "key", {"userId"}}, /* every signed-in request finds its session by user */
};

static const iattr_t identities_attrs[] = {
    {"userInternalId", "string", KEY, false},
    {"userId", "string", KEY, false},
    {"provider", "string", 128, false},
    {"providerUid", "string", 2048, false},
    {"providerEmail", "string", 320, false},
    {"providerAccessToken", "string", 16384, false},
    {"providerAccessTokenExpiry", "datetime", 0, false},
    {"providerRefreshToken", "string", 16384, false},
    {"secrets", "string", 16384, false},
    {"scopes", "string", KEY, true},
    {"expire", "datetime", 0, false},
};
static const iindex_t identities_indexes[] = {
    {"key_user_provider_providerUid", "unique", {"userInternalId", "provider", "providerUid"}},
    {"key_provider_providerUid", "unique", {"provider", "providerUid"}},
    {"key_userId", "key", {"userId"}},
    {"key_userInternalId", "key", {"userInternalId"}},
    {"key_provider", "key", {"provider"}},
    {"key_providerUid", "key", {"providerUid"}},
    {"key_providerEmail", "key", {"providerEmail"}},
    {"key_providerAccessTokenExpiry", "key", {"providerAccessTokenExpiry"}},
};
static const char *const identities_json[] = {"secrets", NULL};

static const iattr_t teams_attrs[] = {
    {"name", "string", 128, false},     {"total", "integer", 0, false},
    {"search", "string", 16384, false}, {"prefs", "string", 65535, false},
    {"labels", "string", 128, true},
};
static const iindex_t teams_indexes[] = {
    {"key_search", "fulltext", {"search"}},
    {"key_name", "key", {"name"}},
    {"key_total", "key", {"total"}},
};
static const char *const teams_json[] = {"prefs", NULL};

static const iattr_t memberships_attrs[] = {
    {"userInternalId", "string", KEY, false}, {"userId", "string", KEY, false},
    {"teamInternalId", "string", KEY, false}, {"teamId", "string", KEY, false},
    {"roles", "string", 128, true},           {"invited", "datetime", 0, false},
    {"joined", "datetime", 0, false},         {"confirm", "boolean", 0, false},
    {"secret", "string", 256, false},         {"search", "string", 16384, false},
};
static const iindex_t memberships_indexes[] = {
    {"key_unique", "unique", {"teamInternalId", "userInternalId"}},
    {"key_user", "key", {"userInternalId"}},
    {"key_team", "key", {"teamInternalId"}},
    {"key_search", "fulltext", {"search"}},
    {"key_userId", "key", {"userId"}},
    {"key_teamId", "key", {"teamId"}},
    {"key_invited", "key", {"invited"}},
    {"key_joined", "key", {"joined"}},
    {"key_confirm", "key", {"confirm"}},
    {"key_team_confirm", "key", {"teamInternalId", "confirm"}},
};

static const iattr_t targets_attrs[] = {
    {"userId", "string", KEY, false},
    {"userInternalId", "string", KEY, false},
    {"sessionId", "string", KEY, false},
    {"sessionInternalId", "string", KEY, false},
    {"providerType", "string", KEY, false},
    {"providerId", "string", KEY, false},
    {"providerInternalId", "string", KEY, false},
    {"identifier", "string", KEY, false},
    {"name", "string", KEY, false},
    {"expired", "boolean", 0, false},
};
static const iindex_t targets_indexes[] = {
    {"key_userId", "key", {"userId"}},
    {"key_userInternalId", "key", {"userInternalId"}},
    {"key_providerId", "key", {"providerId"}},
    {"key_providerInternalId", "key", {"providerInternalId"}},
    {"key_identifier", "unique", {"identifier"}},
    {"key_expired", "key", {"expired"}},
    {"key_session_internal_id", "key", {"sessionInternalId"}},
};

/* What happened to whom (the audit log Appwrite keeps per project): userInternalId is the
 * actor's $sequence ("" for API keys and guests), data holds the actor's ID, name, e-mail and
 * type and the request's mode. */
static const iattr_t audits_attrs[] = {
    {"userInternalId", "string", KEY, false},
    {"event", "string", KEY, false},
    {"resource", "string", KEY, false},
    {"userAgent", "string", 16384, false},
    {"ip", "string", 45, false},
    {"location", "string", 45, false},
    {"time", "datetime", 0, false},
    {"data", "string", 65535, false},
};
static const iindex_t audits_indexes[] = {
    {"key_userInternalId", "key", {"userInternalId"}},
    {"key_resource", "key", {"resource"}},
    {"key_event", "key", {"event"}},
    {"key_time", "key", {"time"}},
};
static const char *const audits_json[] = {"data", NULL};

/* The project's webhooks (Appwrite keeps them with the project in its console database; here
 * they live with the project's data, so a project's deletion takes them along). */
static const iattr_t webhooks_attrs[] = {
    {"name", "string", 128, false},          {"url", "string", 16384, false},
    {"httpUser", "string", 256, false},      {"httpPass", "string", 256, false},
    {"security", "boolean", 0, false},       {"events", "string", KEY, true},
    {"signatureKey", "string", 2048, false}, {"enabled", "boolean", 0, false},
    {"logs", "string", 1000000, false},      {"attempts", "integer", 0, false},
};
static const iindex_t webhooks_indexes[] = {
    {"key_enabled", "key", {"enabled"}},
};

#define COLL(name, json)                                                                           \
    {                                                                                              \
#name, name##_attrs, NELEM(name##_attrs), name##_indexes, NELEM(name##_indexes), json      \
    }

static const icoll_t colls[] = {
    COLL(users, users_json), COLL(tokens, NULL),      COLL(authenticators, authenticators_json),
    COLL(challenges, NULL),  COLL(sessions, NULL),    COLL(identities, identities_json),
    COLL(teams, teams_json), COLL(memberships, NULL), COLL(targets, NULL),
    COLL(audits, audits_json), COLL(webhooks, NULL),
};

static const cw_db_actor_t key_actor = {.is_key = true,
                                        .roles = (const char *const[]){"any", NULL}};

static int fail(cw_db_error_t *err, cw_err_t type, const char *msg)
{
    if (err != NULL) {
        err->type = type;
        snprintf(err->message, sizeof(err->message), "%s", msg);
    }
    return -1;
}

static const icoll_t *coll_find(const char *id)
{
    for (size_t i = 0; id != NULL && i < NELEM(colls); i++) {
        if (strcmp(colls[i].id, id) == 0)
            return &colls[i];
    }
    return NULL;
}

static bool is_json_key(const icoll_t *c, const char *key)
{
    for (const char *const *k = c->json_keys; k != NULL && *k != NULL; k++) {
        if (strcmp(*k, key) == 0)
            return true;
    }
    return false;
}

static json_t *attrs_spec(const icoll_t *c)
{
    json_t *a = json_array();
    for (size_t i = 0; i < c->nattrs; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "key", json_string(c->attrs[i].key));
        json_object_set_new(s, "type", json_string(c->attrs[i].type));
        if (strcmp(c->attrs[i].type, "string") == 0)
            json_object_set_new(s, "size", json_integer(c->attrs[i].size));
        json_object_set_new(s, "required", json_false());
        json_object_set_new(s, "array", json_boolean(c->attrs[i].array));
        json_array_append_new(a, s);
    }
    return a;
}

static long attr_size(const icoll_t *c, const char *key)
{
    for (size_t i = 0; i < c->nattrs; i++) {
        if (strcmp(c->attrs[i].key, key) == 0)
            return strcmp(c->attrs[i].type, "string") == 0 ? c->attrs[i].size : 1;
    }
    return 1;
}

/* The database bounds an index at INDEX_LENGTH (MariaDB's key length, as Appwrite counts it):
 * over long strings Appwrite's indexes cover a prefix of the widest one. SQLite indexes whole
 * values either way. NULL when the whole values fit. */
static json_t *index_lengths(const icoll_t *c, const iindex_t *x)
{
    long sizes[NELEM(x->attrs)] = {0}, total = 0;
    size_t n = 0, widest = 0;
    for (; n < NELEM(x->attrs) && x->attrs[n] != NULL; n++) {
        sizes[n] = attr_size(c, x->attrs[n]);
        total += sizes[n];
        if (sizes[n] > sizes[widest])
            widest = n;
    }
    if (total <= INDEX_LENGTH)
        return NULL;
    sizes[widest] -= total - INDEX_LENGTH;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(sizes[i]));
    return a;
}

static json_t *indexes_spec(const icoll_t *c)
{
    json_t *a = json_array();
    for (size_t i = 0; i < c->nindexes; i++) {
        json_t *s = json_object(), *attrs = json_array();
        for (size_t k = 0; k < NELEM(c->indexes[i].attrs) && c->indexes[i].attrs[k] != NULL; k++)
            json_array_append_new(attrs, json_string(c->indexes[i].attrs[k]));
        json_object_set_new(s, "key", json_string(c->indexes[i].key));
        json_object_set_new(s, "type", json_string(c->indexes[i].type));
        json_object_set_new(s, "attributes", attrs);
        json_t *lengths = index_lengths(c, &c->indexes[i]);
        if (strcmp(c->indexes[i].type, "fulltext") != 0 && lengths != NULL)
            json_object_set_new(s, "lengths", lengths);
        else
            json_decref(lengths);
        json_array_append_new(a, s);
    }
    return a;
}

static int collection_create(cw_db_t *db, const icoll_t *c, cw_db_error_t *err)
{
    json_t *attrs = attrs_spec(c), *indexes = indexes_spec(c), *perms = json_array(), *got = NULL;
    int rc =
        cw_db_collection_create_with(db, CW_DB_FAMILY_COLLECTIONS, CW_DB_INTERNAL_DATABASE, c->id,
                                     c->id, perms, false, true, attrs, indexes, &got, err);
    json_decref(perms);
    json_decref(attrs);
    json_decref(indexes);
    json_decref(got);
    return rc;
}

/* A store made by an older version lacks the collections added since: the first call that
 * misses one makes it (inside enter/leave). Returns true when the call should be tried again. */
static bool made_missing(cw_db_t *db, const icoll_t *c, int rc, const cw_db_error_t *err)
{
    if (rc == 0 || err == NULL || err->type != CW_ERR_COLLECTION_NOT_FOUND)
        return false;
    cw_db_error_t cerr = {0};
    return collection_create(db, c, &cerr) == 0 || cerr.type == CW_ERR_COLLECTION_ALREADY_EXISTS;
}

/* Runs inside enter/leave. */
static int ensure_in(cw_db_t *db, cw_db_error_t *err)
{
    json_t *got = NULL;
    cw_db_error_t gerr = {0};
    if (cw_db_database_get(db, CW_DB_INTERNAL_DATABASE, &got, &gerr) == 0) {
        json_decref(got);
        return 0;
    }
    if (gerr.type != CW_ERR_DATABASE_NOT_FOUND) {
        *err = gerr;
        return -1;
    }
    if (cw_db_batch_begin(db, err) != 0)
        return -1;
    if (cw_db_database_create(db, CW_DB_INTERNAL_DATABASE, INTERNAL_NAME, true, "legacy", &got,
                              err) != 0)
        goto fail;
    json_decref(got);
    got = NULL;
    for (size_t i = 0; i < NELEM(colls); i++) {
        if (collection_create(db, &colls[i], err) != 0)
            goto fail;
    }
    if (cw_db_batch_commit(db, err) != 0)
        goto lost;
    return 0;
fail:
    cw_db_batch_rollback(db);
lost:
    /* Another connection may have made them meanwhile: then they are there. */
    if (cw_db_database_get(db, CW_DB_INTERNAL_DATABASE, &got, &gerr) == 0) {
        json_decref(got);
        return 0;
    }
    return -1;
}

int cw_db_internal_ensure(cw_db_t *db, cw_db_error_t *err)
{
    cw__db_internal_enter(db);
    int rc = ensure_in(db, err);
    cw__db_internal_leave(db);
    return rc;
}

/* The stored form of data: JSON-valued attributes as text. A new reference. */
static json_t *encode(const icoll_t *c, json_t *data)
{
    json_t *d = json_copy(data);
    const char *key;
    json_t *v;
    json_object_foreach(data, key, v)
    {
        if (is_json_key(c, key) && !json_is_null(v) && !json_is_string(v)) {
            char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            json_object_set_new(d, key, json_string(text != NULL ? text : "{}"));
            free(text);
        }
    }
    return d;
}

static void decode(const icoll_t *c, json_t *doc)
{
    json_object_del(doc, "$collectionId");
    json_object_del(doc, "$databaseId");
    for (const char *const *k = c->json_keys; k != NULL && *k != NULL; k++) {
        json_t *v = json_object_get(doc, *k);
        if (!json_is_string(v))
            continue;
        json_t *parsed = json_loads(json_string_value(v), JSON_DECODE_ANY, NULL);
        json_object_set_new(doc, *k, parsed != NULL ? parsed : json_object());
    }
}

static void decode_list(const icoll_t *c, json_t *list)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(list, "documents"), i, d)
    {
        decode(c, d);
    }
}

/* The collection of a call, with the collections made; then the caller's call runs inside
 * enter/leave. */
static int begin_call(cw_db_t *db, const char *coll, const icoll_t **c, cw_db_error_t *err)
{
    *c = coll_find(coll);
    if (*c == NULL)
        return fail(err, CW_ERR_COLLECTION_NOT_FOUND, "Unknown internal collection.");
    cw__db_internal_enter(db);
    if (ensure_in(db, err) != 0) {
        cw__db_internal_leave(db);
        return -1;
    }
    return 0;
}

/* Whether a write to coll changes what a signed-in request is resolved from (the user, the
 * session, the memberships that give roles): caches of verified sessions must drop it. */
static void note_auth_change(cw_db_t *db, const char *coll)
{
    if (strcmp(coll, "users") == 0 || strcmp(coll, "sessions") == 0 ||
        strcmp(coll, "memberships") == 0)
        cw_db_auth_changed(db);
}

int cw_db_internal_create(cw_db_t *db, const char *coll, const char *id, json_t *data,
                          json_t *permissions, json_t **out, cw_db_error_t *err)
{
    const icoll_t *c;
    if (begin_call(db, coll, &c, err) != 0)
        return -1;
    json_t *d = encode(c, data),
           *perms = permissions != NULL ? json_incref(permissions) : json_array();
    int rc = cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &key_actor,
                                   CW_DB_INTERNAL_DATABASE, coll, id, d, perms, out, err);
    if (made_missing(db, c, rc, err))
        rc = cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &key_actor,
                                   CW_DB_INTERNAL_DATABASE, coll, id, d, perms, out, err);
    json_decref(d);
    json_decref(perms);
    cw__db_internal_leave(db);
    if (rc == 0) {
        decode(c, *out);
        note_auth_change(db, coll);
    }
    return rc;
}

int cw_db_internal_get(cw_db_t *db, const char *coll, const char *id, json_t **out,
                       cw_db_error_t *err)
{
    const icoll_t *c;
    if (begin_call(db, coll, &c, err) != 0)
        return -1;
    int rc = cw_db_document_get(db, CW_DB_FAMILY_COLLECTIONS, &key_actor, CW_DB_INTERNAL_DATABASE,
                                coll, id, NULL, out, err);
    cw__db_internal_leave(db);
    if (rc == 0)
        decode(c, *out);
    return rc;
}

int cw_db_internal_update(cw_db_t *db, const char *coll, const char *id, json_t *data, json_t **out,
                          cw_db_error_t *err)
{
    const icoll_t *c;
    if (begin_call(db, coll, &c, err) != 0)
        return -1;
    json_t *d = encode(c, data);
    int rc = cw_db_document_update(db, CW_DB_FAMILY_COLLECTIONS, &key_actor,
                                   CW_DB_INTERNAL_DATABASE, coll, id, d, NULL, out, err);
    json_decref(d);
    cw__db_internal_leave(db);
    if (rc == 0) {
        decode(c, *out);
        note_auth_change(db, coll);
    }
    return rc;
}

int cw_db_internal_delete(cw_db_t *db, const char *coll, const char *id, cw_db_error_t *err)
{
    const icoll_t *c;
    if (begin_call(db, coll, &c, err) != 0)
        return -1;
    int rc = cw_db_document_delete(db, CW_DB_FAMILY_COLLECTIONS, &key_actor,
                                   CW_DB_INTERNAL_DATABASE, coll, id, err);
    cw__db_internal_leave(db);
    if (rc == 0)
        note_auth_change(db, coll);
    return rc;
}

json_t *cw_db_internal_query(const char *method, const char *attribute, json_t *value)
{
    json_t *q = json_object(), *values = json_array();
    json_object_set_new(q, "method", json_string(method));
    if (attribute != NULL)
        json_object_set_new(q, "attribute", json_string(attribute));
    if (value != NULL)
        json_array_append_new(values, value);
    json_object_set_new(q, "values", values);
    char *s = json_dumps(q, JSON_COMPACT);
    json_decref(q);
    json_t *r = json_string(s);
    free(s);
    return r;
}

int cw_db_internal_find(cw_db_t *db, const char *coll, json_t *queries, const char *search,
                        bool with_total, json_t **out, cw_db_error_t *err)
{
    const icoll_t *c;
    if (begin_call(db, coll, &c, err) != 0)
        return -1;
    json_t *q = queries != NULL ? json_copy(queries) : json_array();
    if (search != NULL && search[0] != '\0')
        json_array_append_new(q, cw_db_internal_query("search", "search", json_string(search)));
    int rc = cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &key_actor, CW_DB_INTERNAL_DATABASE,
                                 coll, q, with_total, out, err);
    if (made_missing(db, c, rc, err))
        rc = cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &key_actor, CW_DB_INTERNAL_DATABASE,
                                 coll, q, with_total, out, err);
    json_decref(q);
    cw__db_internal_leave(db);
    if (rc == 0)
        decode_list(c, *out);
    return rc;
}

int cw_db_internal_delete_where(cw_db_t *db, const char *coll, json_t *queries, size_t *deleted,
                                cw_db_error_t *err)
{
    const icoll_t *c;
    json_t *res = NULL;
    if (begin_call(db, coll, &c, err) != 0)
        return -1;
    json_t *q = queries != NULL ? json_incref(queries) : json_array();
    int rc = cw_db_documents_delete(db, CW_DB_FAMILY_COLLECTIONS, &key_actor,
                                    CW_DB_INTERNAL_DATABASE, coll, q, &res, err);
    json_decref(q);
    cw__db_internal_leave(db);
    if (rc == 0)
        note_auth_change(db, coll);
    if (rc == 0 && deleted != NULL)
        *deleted = (size_t)json_integer_value(json_object_get(res, "total"));
    json_decref(res);
    return rc;
}

int cw_db_internal_begin(cw_db_t *db, cw_db_error_t *err)
{
    cw__db_internal_enter(db);
    int rc = ensure_in(db, err);
    if (rc == 0)
        rc = cw_db_batch_begin(db, err);
    cw__db_internal_leave(db);
    return rc;
}

int cw_db_internal_commit(cw_db_t *db, cw_db_error_t *err)
{
    int rc = cw_db_batch_commit(db, err);
    /* The writes inside moved the counter before they were visible; move it again now that they
     * are, so nothing read in between stays cached. */
    if (rc == 0)
        cw_db_auth_changed(db);
    return rc;
}

void cw_db_internal_rollback(cw_db_t *db)
{
    cw_db_batch_rollback(db);
}
