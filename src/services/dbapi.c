#include "services/dbapi.h"

#include <stdio.h>
#include <string.h>

#include "core/id.h"
#include "core/utf8.h"
#include "db/permission.h"
#include "db/transactions.h"
#include "http/args.h"
#include "models/json.h"
#include "services/api.h"
#include "services/events_api.h"

/* Appwrite's limits on parameters (APP_LIMIT_ARRAY_PARAMS_SIZE, APP_LIMIT_ARRAY_ELEMENT_SIZE,
 * APP_LIMIT_DATABASE_BATCH, APP_DATABASE_ATTRIBUTE_STRING_MAX_LENGTH, …). */
#define ARRAY_MAX 100
#define QUERY_MAX_LEN 4096
#define BATCH_MAX 100
#define NAME_MAX_LEN 128
#define SEARCH_MAX_LEN 256
#define ELEMENT_MAX_LEN 255
#define STRING_SIZE_MAX 1073741824
#define VARCHAR_SIZE_MAX 16381
#define LIST_TTL_MAX 86400

/* IDs and keys share one rule (utopia's Key and UID validators). */
static const char id_rule[] = "Value must be 1 to 36 characters of a-z, A-Z, 0-9, period, hyphen "
                              "and underscore, and must not start with a period, hyphen or "
                              "underscore";
static const char int64_rule[] = "Value must be a valid signed 64-bit integer between "
                                 "-9,223,372,036,854,775,808 and 9,223,372,036,854,775,807";

/* What differs between the two route families. */
typedef struct family {
    const char *db_type;       /* the `type` a database created here gets */
    const char *collection_id; /* parameter names */
    const char *document_id;
    const char *attribute; /* the path parameter of increment and decrement */
    const char *security;
    const char *attributes; /* inline definitions at collection create */
    const char *documents;  /* bulk parameter and list key */
    const char *related_id;
    const char *document_word; /* for messages */
    cw_err_t missing_data;
    cw_err_t missing_payload;
} family_t;

static const family_t families[] = {
    [CW_DB_FAMILY_COLLECTIONS] = {"legacy", "collectionId", "documentId", "attribute",
                                  "documentSecurity", "attributes", "documents",
                                  "relatedCollectionId", "document", CW_ERR_DOCUMENT_MISSING_DATA,
                                  CW_ERR_DOCUMENT_MISSING_PAYLOAD},
    [CW_DB_FAMILY_TABLES] = {"tablesdb", "tableId", "rowId", "column", "rowSecurity", "columns",
                             "rows", "relatedTableId", "row", CW_ERR_ROW_MISSING_DATA,
                             CW_ERR_ROW_MISSING_PAYLOAD},
};

/* Parameters --------------------------------------------------------------------------------- */

typedef enum id_kind {
    ID_UID,    /* an existing resource's ID */
    ID_KEY,    /* an attribute or index key */
    ID_CUSTOM, /* a new resource's ID: a key, or "unique()" for a generated one */
} id_kind_t;

static const char *dup_str(cw_ctx_t *ctx, cw_str_t s)
{
    return cw_arena_strndup(&ctx->req->arena, s.ptr, s.len);
}

/* A body or query parameter; NULL when absent or null. */
static json_t *param(cw_ctx_t *ctx, const char *name)
{
    json_t *v = ctx->req->params != NULL ? json_object_get(ctx->req->params, name) : NULL;
    return json_is_null(v) ? NULL : v;
}

static int invalid(cw_ctx_t *ctx, const char *name, const char *rule)
{
    cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID, "Invalid `%s` param: %s", name, rule);
    return -1;
}

/* A parameter that must be sent, though null is a value it may take. */
static int need_given(cw_ctx_t *ctx, const char *name)
{
    if (ctx->req->params != NULL && json_object_get(ctx->req->params, name) != NULL)
        return 0;
    cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                 "Param \"%s\" is required but was not given.", name);
    return -1;
}

/* *out is NULL when the parameter is absent and optional. */
static int arg_id(cw_ctx_t *ctx, const char *name, id_kind_t kind, bool required, const char **out)
{
    cw_str_t s;
    *out = NULL;
    int rc = cw_arg_str(ctx, name, required, 0, &s);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (kind == ID_CUSTOM && cw_str_eq_cstr(s, "unique()")) {
        char id[CW_ID_LEN + 1];
        cw_id_unique(id);
        *out = dup_str(ctx, cw_str(id));
        return 0;
    }
    if (!cw_id_valid(s, CW_ID_MAX_LEN) || memchr(s.ptr, '\0', s.len) != NULL)
        return invalid(ctx, name, id_rule);
    *out = dup_str(ctx, s);
    return 0;
}

/* A key that may also name one of the internal attributes an index can cover. */
static bool key_valid(const json_t *v, bool internal)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    if (internal &&
        (strcmp(s, "$id") == 0 || strcmp(s, "$createdAt") == 0 || strcmp(s, "$updatedAt") == 0))
        return true;
    return cw_id_valid((cw_str_t){s, json_string_length(v)}, CW_ID_MAX_LEN) &&
           strlen(s) == json_string_length(v);
}

static int arg_text(cw_ctx_t *ctx, const char *name, bool required, size_t max, const char **out)
{
    cw_str_t s;
    *out = NULL;
    int rc = cw_arg_str(ctx, name, required, max, &s);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    *out = dup_str(ctx, s);
    return 0;
}

static int arg_flag(cw_ctx_t *ctx, const char *name, bool fallback, bool *out)
{
    *out = fallback;
    return cw_arg_bool(ctx, name, false, out) < 0 ? -1 : 0;
}

/* One of a list; Appwrite's non-strict lists ignore case, and *out is then the list's spelling. */
static int arg_choice(cw_ctx_t *ctx, const char *name, bool required, const char *const *list,
                      bool ignore_case, const char **out)
{
    cw_str_t s;
    *out = NULL;
    int rc = cw_arg_str(ctx, name, required, 0, &s);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    for (const char *const *c = list; *c != NULL; c++) {
        if (ignore_case ? cw_str_case_eq_cstr(s, *c) : cw_str_eq_cstr(s, *c)) {
            *out = *c;
            return 0;
        }
    }
    char rule[256];
    size_t n = (size_t)snprintf(rule, sizeof(rule), "Value must be one of (");
    for (const char *const *c = list; *c != NULL && n < sizeof(rule); c++)
        n += (size_t)snprintf(rule + n, sizeof(rule) - n, "%s%s", c == list ? "" : ", ", *c);
    if (n < sizeof(rule))
        snprintf(rule + n, sizeof(rule) - n, ")");
    return invalid(ctx, name, rule);
}

/* `queries`: at most 100 strings of at most 4096 characters each; the database parses them.
 * *out is borrowed from the request, NULL when absent. */
static int arg_queries(cw_ctx_t *ctx, const char *name, json_t **out)
{
    static const char rule[] = "Value must a valid array no longer than 100 items and Value must "
                               "be a valid string and no longer than 4096 chars";
    json_t *v = param(ctx, name);
    size_t i;
    json_t *q;
    *out = NULL;
    if (v == NULL)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > ARRAY_MAX)
        return invalid(ctx, name, rule);
    json_array_foreach(v, i, q)
    {
        if (!json_is_string(q) ||
            cw_utf8_count(json_string_value(q), json_string_length(q)) > QUERY_MAX_LEN)
            return invalid(ctx, name, rule);
    }
    *out = v;
    return 0;
}

/* `permissions`: null or absent (NULL: the default applies), else at most 100 permission strings
 * valid for the scope. *out is borrowed; the database aggregates it. */
static int arg_permissions(cw_ctx_t *ctx, cw_perm_scope_t scope, json_t **out)
{
    json_t *v = param(ctx, "permissions");
    cw_perm_list_t list;
    cw_perm_error_t err;
    *out = NULL;
    if (v == NULL)
        return 0;
    if (cw_perm_list_parse(v, scope, &ctx->req->arena, &list, &err) != 0)
        return invalid(ctx, "permissions", err.message);
    *out = v;
    return 0;
}

/* A JSON object, sent as one or as a string holding one (an empty array counts as an empty
 * object, as PHP cannot tell them apart). *out is a new reference, NULL when absent. */
static int arg_object(cw_ctx_t *ctx, const char *name, json_t **out)
{
    json_t *v = param(ctx, name);
    *out = NULL;
    if (v == NULL)
        return 0;
    if (json_is_string(v)) {
        v = json_loadb(json_string_value(v), json_string_length(v), JSON_DECODE_ANY, NULL);
        if (!json_is_object(v)) {
            json_decref(v);
            return invalid(ctx, name, "Value must be a valid object");
        }
        *out = v;
        return 0;
    }
    if (json_is_array(v) && json_array_size(v) == 0) {
        *out = json_object();
        return 0;
    }
    if (!json_is_object(v))
        return invalid(ctx, name, "Value must be a valid object");
    *out = json_incref(v);
    return 0;
}

/* An array of at most max objects. *out is borrowed, NULL when absent. */
static int arg_objects(cw_ctx_t *ctx, const char *name, bool required, size_t max, json_t **out)
{
    char rule[128];
    json_t *v = param(ctx, name);
    size_t i;
    json_t *o;
    *out = NULL;
    if (v == NULL)
        return required ? need_given(ctx, name) : 0;
    snprintf(rule, sizeof(rule),
             "Value must a valid array no longer than %zu items and Value "
             "must be a valid object",
             max);
    if (!json_is_array(v) || json_array_size(v) > max)
        return invalid(ctx, name, rule);
    json_array_foreach(v, i, o)
    {
        if (!json_is_object(o))
            return invalid(ctx, name, rule);
    }
    *out = v;
    return 0;
}

/* A number, or a string that reads as one. *out is a new reference, NULL when absent. */
static int arg_number(cw_ctx_t *ctx, const char *name, json_t **out)
{
    json_t *v = param(ctx, name);
    *out = NULL;
    if (v == NULL)
        return 0;
    if (json_is_number(v)) {
        *out = json_incref(v);
        return 0;
    }
    if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) < 64) {
        json_t *n = json_loads(json_string_value(v), JSON_DECODE_ANY, NULL);
        if (json_is_number(n)) {
            *out = n;
            return 0;
        }
        json_decref(n);
    }
    return invalid(ctx, name, "Value must be a valid number");
}

/* `transactionId` of a document route: *out is NULL when absent (the write happens now), else the
 * transaction to stage the write in, or to read through. */
static int arg_transaction(cw_ctx_t *ctx, const char **out)
{
    return arg_id(ctx, "transactionId", ID_UID, false, out) < 0 ? -1 : 0;
}

/* The database ------------------------------------------------------------------------------ */

/* Databases live in a project: a request that named none, or the console, cannot reach them. */
static int need_project(cw_ctx_t *ctx)
{
    const cw_auth_t *auth = cw_ctx_auth(ctx);
    if (auth->has_project && !cw_str_eq_cstr(auth->project_id, CW_CONSOLE_PROJECT))
        return 0;
    if (cw_req_header(ctx->req, "x-appwrite-project").len == 0)
        cw_res_error(ctx->res, CW_ERR_GENERAL_ACCESS_FORBIDDEN,
                     "No project was given: set the project ID on your SDK client (the "
                     "X-Appwrite-Project header).");
    else
        cw_res_error(ctx->res, CW_ERR_GENERAL_ACCESS_FORBIDDEN,
                     "This endpoint is not available for the console project: use the ID of "
                     "one of your projects.");
    return -1;
}

static void fail(cw_ctx_t *ctx, const cw_db_error_t *err)
{
    if (err->message[0] != '\0')
        cw_res_error(ctx->res, err->type, "%s", err->message);
    else
        cw_res_error(ctx->res, err->type, NULL);
}

static int open_db(cw_ctx_t *ctx, cw_db_t **db)
{
    cw_db_error_t err = {0};
    if (cw_thread_db(cw_ctx_thread(ctx), cw_ctx_auth(ctx)->project, db, &err) != 0) {
        fail(ctx, &err);
        return -1;
    }
    return 0;
}

/* An API key bypasses permissions; anyone else acts with the roles the middleware resolved (a
 * guest's, or a signed-in user's). */
static cw_db_actor_t actor_of(cw_ctx_t *ctx)
{
    static const char *const key_roles[] = {"any", NULL};
    static const char *const guest_roles[] = {"any", "guests", NULL};
    const cw_auth_t *auth = cw_ctx_auth(ctx);
    if (auth->has_key)
        return (cw_db_actor_t){.is_key = true, .roles = key_roles};
    const char *user_id =
        auth->user != NULL ? json_string_value(json_object_get(auth->user, "$id")) : NULL;
    return (cw_db_actor_t){.is_key = false,
                           .roles = auth->roles != NULL ? auth->roles : guest_roles,
                           .user_id = user_id};
}

/* Writes the model and releases it. */
static void reply(cw_ctx_t *ctx, int status, json_t *model)
{
    cw_jw_t *w = cw_res_json(ctx->res, status);
    cw_model_json(w, model);
    json_decref(model);
}

/* Answers a call's result: the model with status, or the error. */
static void finish(cw_ctx_t *ctx, int rc, int status, json_t *model, const cw_db_error_t *err)
{
    if (rc != 0) {
        json_decref(model);
        fail(ctx, err);
    } else if (status == 204) {
        json_decref(model);
        cw_res_empty(ctx->res, 204);
    } else {
        reply(ctx, status, model);
    }
}

/* Databases --------------------------------------------------------------------------------- */

void cw_dbapi_database_list(cw_ctx_t *ctx, cw_db_family_t fam)
{
    json_t *queries, *out = NULL;
    const char *search;
    bool total;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_queries(ctx, "queries", &queries) < 0 ||
        arg_text(ctx, "search", false, SEARCH_MAX_LEN, &search) < 0 ||
        arg_flag(ctx, "total", true, &total) < 0 || open_db(ctx, &db) < 0)
        return;
    if (search != NULL && search[0] == '\0')
        search = NULL;
    int rc = cw_db_database_list(db, queries, search, total, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

void cw_dbapi_database_create(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *id, *name;
    bool enabled;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_CUSTOM, true, &id) < 0 ||
        arg_text(ctx, "name", true, NAME_MAX_LEN, &name) < 0 ||
        arg_flag(ctx, "enabled", true, &enabled) < 0 || open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_database_create(db, id, name, enabled, families[fam].db_type, &out, &err);
    finish(ctx, rc, 201, out, &err);
}

void cw_dbapi_database_get(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *id;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &id) < 0 ||
        open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_database_get(db, id, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

void cw_dbapi_database_update(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *id, *name;
    bool enabled;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    /* As in Appwrite, an empty or absent name keeps the old one, and `enabled` left out means
     * true. */
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &id) < 0 ||
        arg_text(ctx, "name", false, NAME_MAX_LEN, &name) < 0 ||
        arg_flag(ctx, "enabled", true, &enabled) < 0 || open_db(ctx, &db) < 0)
        return;
    /* The database takes the name to set, so keeping it means reading it first. */
    json_t *cur = NULL;
    int rc = 0;
    if (name == NULL || name[0] == '\0') {
        rc = cw_db_database_get(db, id, &cur, &err);
        name = json_string_value(json_object_get(cur, "name"));
    }
    if (rc == 0)
        rc = cw_db_database_update(db, id, name, enabled, &out, &err);
    json_decref(cur);
    finish(ctx, rc, 200, out, &err);
}

void cw_dbapi_database_delete(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *id;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &id) < 0 ||
        open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_database_delete(db, id, &err);
    finish(ctx, rc, 204, NULL, &err);
}

/* Collections ------------------------------------------------------------------------------- */

void cw_dbapi_collection_list(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *search;
    json_t *queries, *out = NULL;
    bool total;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_queries(ctx, "queries", &queries) < 0 ||
        arg_text(ctx, "search", false, SEARCH_MAX_LEN, &search) < 0 ||
        arg_flag(ctx, "total", true, &total) < 0 || open_db(ctx, &db) < 0)
        return;
    if (search != NULL && search[0] == '\0')
        search = NULL;
    int rc = cw_db_collection_list(db, fam, dbid, queries, search, total, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

/* The inline attribute definitions of a collection create, as new specs for the database: each an
 * object with a valid key and one of the database's type names (utopia's: "double" for float,
 * "linestring" for line, and "string" with a `format` for email, enum, ip and url), renamed to the
 * route type the database takes. Relationships need their own route, as in Appwrite. The rest of
 * each definition is the database's to check. *out is a new array. */
static int inline_attributes(cw_ctx_t *ctx, const char *name, json_t *defs, json_t **out)
{
    static const char *const types[][2] = {
        {"string", "string"},     {"varchar", "varchar"},
        {"text", "text"},         {"mediumtext", "mediumtext"},
        {"longtext", "longtext"}, {"integer", "integer"},
        {"bigint", "bigint"},     {"double", "float"},
        {"boolean", "boolean"},   {"datetime", "datetime"},
        {"point", "point"},       {"linestring", "line"},
        {"polygon", "polygon"},   {"email", "email"},
        {"enum", "enum"},         {"ip", "ip"},
        {"url", "url"},
    };
    static const char *const formats[] = {"email", "enum", "ip", "url"};
    size_t i;
    json_t *d;
    json_t *specs = json_array();
    json_array_foreach(defs, i, d)
    {
        json_t *key = json_object_get(d, "key"), *type = json_object_get(d, "type");
        const char *route = NULL, *format = json_string_value(json_object_get(d, "format"));
        if (!key_valid(key, false)) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "Invalid `%s` param: the key of item %zu is invalid: %s", name, i,
                         id_rule);
            goto fail;
        }
        for (size_t t = 0; json_is_string(type) && t < sizeof(types) / sizeof(types[0]); t++) {
            if (strcmp(json_string_value(type), types[t][0]) == 0)
                route = types[t][1];
        }
        if (route == NULL) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "Invalid `%s` param: `%s` has no valid type (relationships need their own "
                         "route).",
                         name, json_string_value(key));
            goto fail;
        }
        for (size_t f = 0; format != NULL && f < sizeof(formats) / sizeof(formats[0]); f++) {
            if (strcmp(format, formats[f]) == 0 &&
                (strcmp(route, "string") == 0 || strcmp(route, "varchar") == 0))
                route = formats[f];
        }
        json_t *spec = json_copy(d);
        json_object_set_new(spec, "type", json_string(route));
        json_object_del(spec, "format");
        json_array_append_new(specs, spec);
    }
    *out = specs;
    return 0;
fail:
    json_decref(specs);
    return -1;
}

static int check_inline_indexes(cw_ctx_t *ctx, json_t *defs)
{
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        if (!json_is_string(json_object_get(d, "key")) ||
            !json_is_string(json_object_get(d, "type")) ||
            !json_is_array(json_object_get(d, "attributes"))) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "Invalid `indexes` param: item %zu needs a string `key` and `type` and an "
                         "`attributes` array.",
                         i);
            return -1;
        }
    }
    return 0;
}

void cw_dbapi_collection_create(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const family_t *f = &families[fam];
    const char *dbid, *id, *name;
    json_t *perms, *attrs, *indexes, *specs = NULL, *out = NULL;
    bool security, enabled;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, f->collection_id, ID_CUSTOM, true, &id) < 0 ||
        arg_text(ctx, "name", true, NAME_MAX_LEN, &name) < 0 ||
        arg_permissions(ctx, CW_PERM_SCOPE_COLLECTION, &perms) < 0 ||
        arg_flag(ctx, f->security, false, &security) < 0 ||
        arg_flag(ctx, "enabled", true, &enabled) < 0 ||
        arg_objects(ctx, f->attributes, false, ARRAY_MAX, &attrs) < 0 ||
        arg_objects(ctx, "indexes", false, ARRAY_MAX, &indexes) < 0 ||
        (attrs != NULL && inline_attributes(ctx, f->attributes, attrs, &specs) < 0) ||
        (indexes != NULL && check_inline_indexes(ctx, indexes) < 0) || open_db(ctx, &db) < 0)
        goto out;
    /* The collection, its attributes and its indexes are made in one transaction: a failing
     * definition leaves nothing behind. */
    int rc = cw_db_collection_create_with(db, fam, dbid, id, name, perms, security, enabled, specs,
                                          indexes, &out, &err);
    finish(ctx, rc, 201, out, &err);
out:
    json_decref(specs);
}

void cw_dbapi_collection_get(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *id;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &id) < 0 || open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_collection_get(db, fam, dbid, id, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

void cw_dbapi_collection_update(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const family_t *f = &families[fam];
    const char *dbid, *id, *name;
    json_t *perms, *out = NULL;
    bool security, enabled, purge;
    cw_db_t *db;
    cw_db_error_t err = {0};
    /* As in Appwrite: an empty name and absent permissions keep theirs; the security flag and
     * `enabled` left out mean false and true. `purge` drops list caches, which we do not keep. */
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, f->collection_id, ID_UID, true, &id) < 0 ||
        arg_text(ctx, "name", false, NAME_MAX_LEN, &name) < 0 ||
        arg_permissions(ctx, CW_PERM_SCOPE_COLLECTION, &perms) < 0 ||
        arg_flag(ctx, f->security, false, &security) < 0 ||
        arg_flag(ctx, "enabled", true, &enabled) < 0 || arg_flag(ctx, "purge", false, &purge) < 0 ||
        open_db(ctx, &db) < 0)
        return;
    json_t *cur = NULL;
    int rc = 0;
    if (name == NULL || name[0] == '\0') {
        rc = cw_db_collection_get(db, fam, dbid, id, &cur, &err);
        name = json_string_value(json_object_get(cur, "name"));
    }
    if (rc == 0)
        rc = cw_db_collection_update(db, fam, dbid, id, name, perms, security, enabled, &out, &err);
    json_decref(cur);
    finish(ctx, rc, 200, out, &err);
}

void cw_dbapi_collection_delete(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *id;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &id) < 0 || open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_collection_delete(db, fam, dbid, id, &err);
    finish(ctx, rc, 204, NULL, &err);
}

/* Attributes -------------------------------------------------------------------------------- */

typedef enum value_kind { V_STRING, V_INTEGER, V_FLOAT, V_BOOLEAN, V_SPATIAL } value_kind_t;

/* The parameters each attribute route takes besides key, required and default. */
typedef struct attr_route {
    const char *type;
    value_kind_t kind;
    const char *spatial; /* the geometry's name in messages */
    int64_t size_max;    /* takes `size` up to this; 0: none */
    bool array, encrypt, range, elements;
} attr_route_t;

static const attr_route_t attr_routes[] = {
    {"string", V_STRING, NULL, STRING_SIZE_MAX, true, true, false, false},
    {"varchar", V_STRING, NULL, VARCHAR_SIZE_MAX, true, true, false, false},
    {"text", V_STRING, NULL, 0, true, true, false, false},
    {"mediumtext", V_STRING, NULL, 0, true, true, false, false},
    {"longtext", V_STRING, NULL, 0, true, true, false, false},
    {"email", V_STRING, NULL, 0, true, false, false, false},
    {"enum", V_STRING, NULL, 0, true, false, false, true},
    {"ip", V_STRING, NULL, 0, true, false, false, false},
    {"url", V_STRING, NULL, 0, true, false, false, false},
    {"datetime", V_STRING, NULL, 0, true, false, false, false},
    {"integer", V_INTEGER, NULL, 0, true, false, true, false},
    {"bigint", V_INTEGER, NULL, 0, true, false, true, false},
    {"float", V_FLOAT, NULL, 0, true, false, true, false},
    {"boolean", V_BOOLEAN, NULL, 0, true, false, false, false},
    {"point", V_SPATIAL, "point", 0, false, false, false, false},
    {"line", V_SPATIAL, "linestring", 0, false, false, false, false},
    {"polygon", V_SPATIAL, "polygon", 0, false, false, false, false},
};

static const attr_route_t *attr_route(const char *type)
{
    for (size_t i = 0; i < sizeof(attr_routes) / sizeof(attr_routes[0]); i++) {
        if (strcmp(attr_routes[i].type, type) == 0)
            return &attr_routes[i];
    }
    return NULL;
}

/* Checks the JSON type of a value of the route's kind; formats (email, URL, IP, date, geometry)
 * are the database's to check, as it checks the documents' values. */
static int check_value(cw_ctx_t *ctx, const char *name, const attr_route_t *r, const json_t *v)
{
    char rule[96];
    switch (r->kind) {
    case V_STRING:
        return json_is_string(v) ? 0 : invalid(ctx, name, "Value must be a valid string");
    case V_INTEGER:
        return json_is_integer(v) ? 0 : invalid(ctx, name, int64_rule);
    case V_FLOAT:
        return json_is_number(v) ? 0 : invalid(ctx, name, "Value must be a valid float");
    case V_BOOLEAN:
        return json_is_boolean(v) ? 0 : invalid(ctx, name, "Value must be a valid boolean");
    case V_SPATIAL:
        if (json_is_array(v) || json_is_string(v))
            return 0;
        snprintf(rule, sizeof(rule),
                 "Value must be a valid %s: Spatial value must be array or WKT string", r->spatial);
        return invalid(ctx, name, rule);
    }
    return -1;
}

/* Copies an optional typed parameter into spec; absent or null adds nothing unless keep_null. */
static int spec_value(cw_ctx_t *ctx, json_t *spec, const char *name, const attr_route_t *r,
                      bool keep_null)
{
    json_t *v = param(ctx, name);
    if (v == NULL) {
        if (keep_null)
            json_object_set_new(spec, name, json_null());
        return 0;
    }
    if (check_value(ctx, name, r, v) < 0)
        return -1;
    json_object_set(spec, name, v);
    return 0;
}

static int spec_size(cw_ctx_t *ctx, json_t *spec, const attr_route_t *r, bool required)
{
    int64_t size;
    int rc = cw_arg_int(ctx, "size", required, 1, r->size_max, &size);
    if (rc == 0)
        json_object_set_new(spec, "size", json_integer(size));
    return rc < 0 ? -1 : 0;
}

static int spec_elements(cw_ctx_t *ctx, json_t *spec)
{
    static const char rule[] = "Value must a valid array no longer than 100 items and Value must "
                               "be a valid string and no longer than 255 chars";
    json_t *v = param(ctx, "elements");
    size_t i;
    json_t *e;
    if (v == NULL)
        return need_given(ctx, "elements") < 0 ? -1 : invalid(ctx, "elements", rule);
    if (!json_is_array(v) || json_array_size(v) > ARRAY_MAX)
        return invalid(ctx, "elements", rule);
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e) ||
            cw_utf8_count(json_string_value(e), json_string_length(e)) > ELEMENT_MAX_LEN)
            return invalid(ctx, "elements", rule);
    }
    json_object_set(spec, "elements", v);
    return 0;
}

static int spec_flag(cw_ctx_t *ctx, json_t *spec, const char *name, bool required, bool fallback)
{
    bool b = fallback;
    int rc = cw_arg_bool(ctx, name, required, &b);
    if (rc < 0)
        return -1;
    json_object_set_new(spec, name, json_boolean(b));
    return 0;
}

static int spec_key(cw_ctx_t *ctx, json_t *spec, const char *name, bool required)
{
    const char *key;
    if (arg_id(ctx, name, ID_KEY, required, &key) < 0)
        return -1;
    json_object_set_new(spec, name, key != NULL ? json_string(key) : json_null());
    return 0;
}

/* The create parameters of an attribute route, in Appwrite's order of validation. */
static int create_spec(cw_ctx_t *ctx, const attr_route_t *r, json_t *spec)
{
    if (spec_key(ctx, spec, "key", true) < 0 ||
        (r->size_max > 0 && spec_size(ctx, spec, r, true) < 0) ||
        (r->elements && spec_elements(ctx, spec) < 0) ||
        spec_flag(ctx, spec, "required", true, false) < 0 ||
        (r->range && (spec_value(ctx, spec, "min", r, false) < 0 ||
                      spec_value(ctx, spec, "max", r, false) < 0)) ||
        spec_value(ctx, spec, "default", r, true) < 0 ||
        (r->array && spec_flag(ctx, spec, "array", false, false) < 0) ||
        (r->encrypt && spec_flag(ctx, spec, "encrypt", false, false) < 0))
        return -1;
    return 0;
}

/* The update parameters. `default` must be sent (null clears it), except for geometries. */
static int update_spec(cw_ctx_t *ctx, const attr_route_t *r, json_t *spec)
{
    if ((r->elements && spec_elements(ctx, spec) < 0) ||
        spec_flag(ctx, spec, "required", true, false) < 0 ||
        (r->range && (spec_value(ctx, spec, "min", r, false) < 0 ||
                      spec_value(ctx, spec, "max", r, false) < 0)) ||
        (r->kind != V_SPATIAL && need_given(ctx, "default") < 0) ||
        spec_value(ctx, spec, "default", r, true) < 0 ||
        (r->size_max > 0 && spec_size(ctx, spec, r, false) < 0) ||
        spec_key(ctx, spec, "newKey", false) < 0)
        return -1;
    return 0;
}

static const char *const relation_types[] = {"oneToOne", "manyToOne", "manyToMany", "oneToMany",
                                             NULL};
static const char *const on_delete_modes[] = {"cascade", "restrict", "setNull", NULL};

/* The relationship route's parameters, named as the attribute model names them:
 * relatedCollection, relationType, twoWay, key, twoWayKey, onDelete. */
static int relationship_spec(cw_ctx_t *ctx, cw_db_family_t fam, json_t *spec)
{
    const char *related, *relation, *key, *two_way_key, *on_delete;
    bool two_way;
    if (arg_id(ctx, families[fam].related_id, ID_UID, true, &related) < 0 ||
        arg_choice(ctx, "type", true, relation_types, false, &relation) < 0 ||
        arg_flag(ctx, "twoWay", false, &two_way) < 0 ||
        arg_id(ctx, "key", ID_KEY, false, &key) < 0 ||
        arg_id(ctx, "twoWayKey", ID_KEY, false, &two_way_key) < 0 ||
        arg_choice(ctx, "onDelete", false, on_delete_modes, false, &on_delete) < 0)
        return -1;
    json_object_set_new(spec, "relatedCollection", json_string(related));
    json_object_set_new(spec, "relationType", json_string(relation));
    json_object_set_new(spec, "twoWay", json_boolean(two_way));
    /* Appwrite names the attribute after the related collection unless told otherwise; the
     * two-way key is left to the database, which must know whether it was given. */
    json_object_set_new(spec, "key", json_string(key != NULL ? key : related));
    json_object_set_new(spec, "twoWayKey",
                        two_way_key != NULL ? json_string(two_way_key) : json_null());
    json_object_set_new(spec, "onDelete", json_string(on_delete != NULL ? on_delete : "restrict"));
    return 0;
}

void cw_dbapi_attribute_list(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *cid;
    json_t *queries, *out = NULL;
    bool total;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &cid) < 0 ||
        arg_queries(ctx, "queries", &queries) < 0 || arg_flag(ctx, "total", true, &total) < 0 ||
        open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_attribute_list(db, fam, dbid, cid, queries, total, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

void cw_dbapi_attribute_create(cw_ctx_t *ctx, cw_db_family_t fam, const char *type)
{
    const char *dbid, *cid;
    json_t *spec = json_object(), *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_object_set_new(spec, "type", json_string(type));
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &cid) < 0)
        goto out;
    if (strcmp(type, "relationship") == 0) {
        if (relationship_spec(ctx, fam, spec) < 0)
            goto out;
    } else {
        const attr_route_t *r = attr_route(type);
        if (r == NULL) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
            goto out;
        }
        if (create_spec(ctx, r, spec) < 0)
            goto out;
    }
    if (open_db(ctx, &db) < 0)
        goto out;
    int rc = cw_db_attribute_create(db, fam, dbid, cid, spec, &out, &err);
    finish(ctx, rc, 202, out, &err);
out:
    json_decref(spec);
}

void cw_dbapi_attribute_update(cw_ctx_t *ctx, cw_db_family_t fam, const char *type)
{
    const char *dbid, *cid, *key, *on_delete;
    json_t *spec = json_object(), *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_object_set_new(spec, "type", json_string(type));
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &cid) < 0 ||
        arg_id(ctx, "key", ID_KEY, true, &key) < 0)
        goto out;
    if (strcmp(type, "relationship") == 0) {
        if (arg_choice(ctx, "onDelete", false, on_delete_modes, false, &on_delete) < 0 ||
            spec_key(ctx, spec, "newKey", false) < 0)
            goto out;
        json_object_set_new(spec, "onDelete",
                            on_delete != NULL ? json_string(on_delete) : json_null());
    } else {
        const attr_route_t *r = attr_route(type);
        if (r == NULL) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
            goto out;
        }
        if (update_spec(ctx, r, spec) < 0)
            goto out;
    }
    if (open_db(ctx, &db) < 0)
        goto out;
    int rc = cw_db_attribute_update(db, fam, dbid, cid, key, spec, &out, &err);
    finish(ctx, rc, 200, out, &err);
out:
    json_decref(spec);
}

void cw_dbapi_attribute_get(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *cid, *key;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &cid) < 0 ||
        arg_id(ctx, "key", ID_KEY, true, &key) < 0 || open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_attribute_get(db, fam, dbid, cid, key, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

void cw_dbapi_attribute_delete(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *cid, *key;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &cid) < 0 ||
        arg_id(ctx, "key", ID_KEY, true, &key) < 0 || open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_attribute_delete(db, fam, dbid, cid, key, &err);
    finish(ctx, rc, 204, NULL, &err);
}

/* Indexes ----------------------------------------------------------------------------------- */

void cw_dbapi_index_list(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *cid;
    json_t *queries, *out = NULL;
    bool total;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &cid) < 0 ||
        arg_queries(ctx, "queries", &queries) < 0 || arg_flag(ctx, "total", true, &total) < 0 ||
        open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_index_list(db, fam, dbid, cid, queries, total, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

/* The attributes an index covers: 1..100 keys, internal ones allowed. *out is borrowed. */
static int arg_index_attributes(cw_ctx_t *ctx, const char *name, json_t **out)
{
    char rule[sizeof(id_rule) + 64];
    json_t *v = param(ctx, name);
    size_t i;
    json_t *k;
    *out = NULL;
    if (v == NULL)
        return need_given(ctx, name) < 0 ? -1 : invalid(ctx, name, "Value must a valid array");
    snprintf(rule, sizeof(rule), "Value must a valid array no longer than 100 items and %s",
             id_rule);
    if (!json_is_array(v) || json_array_size(v) > ARRAY_MAX)
        return invalid(ctx, name, rule);
    json_array_foreach(v, i, k)
    {
        if (!key_valid(k, true))
            return invalid(ctx, name, rule);
    }
    *out = v;
    return 0;
}

/* Orders as "ASC" or "DESC" whatever their case. *out is a new reference, NULL when absent. */
static int arg_index_orders(cw_ctx_t *ctx, json_t **out)
{
    static const char rule[] = "Value must a valid array no longer than 100 items and Value must "
                               "be one of (asc, desc)";
    json_t *v = param(ctx, "orders");
    size_t i;
    json_t *o;
    *out = NULL;
    if (v == NULL)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > ARRAY_MAX)
        return invalid(ctx, "orders", rule);
    json_t *norm = json_array();
    json_array_foreach(v, i, o)
    {
        cw_str_t s = {json_string_value(o), json_string_length(o)};
        if (json_is_string(o) && cw_str_case_eq_cstr(s, "asc")) {
            json_array_append_new(norm, json_string("ASC"));
        } else if (json_is_string(o) && cw_str_case_eq_cstr(s, "desc")) {
            json_array_append_new(norm, json_string("DESC"));
        } else {
            json_decref(norm);
            return invalid(ctx, "orders", rule);
        }
    }
    *out = norm;
    return 0;
}

static int arg_index_lengths(cw_ctx_t *ctx, json_t **out)
{
    static const char rule[] = "Value must a valid array no longer than 100 items and Value must "
                               "be a valid integer";
    json_t *v = param(ctx, "lengths");
    size_t i;
    json_t *l;
    *out = NULL;
    if (v == NULL)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > ARRAY_MAX)
        return invalid(ctx, "lengths", rule);
    json_array_foreach(v, i, l)
    {
        if (!json_is_null(l) && !json_is_integer(l))
            return invalid(ctx, "lengths", rule);
    }
    *out = v;
    return 0;
}

void cw_dbapi_index_create(cw_ctx_t *ctx, cw_db_family_t fam)
{
    static const char *const types[] = {"key", "fulltext", "unique", "spatial", NULL};
    const char *dbid, *cid, *key, *type;
    json_t *attrs, *orders = NULL, *lengths, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &cid) < 0 ||
        arg_id(ctx, "key", ID_KEY, true, &key) < 0 ||
        arg_choice(ctx, "type", true, types, true, &type) < 0 ||
        arg_index_attributes(ctx, families[fam].attributes, &attrs) < 0 ||
        arg_index_orders(ctx, &orders) < 0 || arg_index_lengths(ctx, &lengths) < 0 ||
        open_db(ctx, &db) < 0)
        goto out;
    int rc = cw_db_index_create(db, fam, dbid, cid, key, type, attrs, orders, lengths, &out, &err);
    finish(ctx, rc, 202, out, &err);
out:
    json_decref(orders);
}

void cw_dbapi_index_get(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *cid, *key;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &cid) < 0 ||
        arg_id(ctx, "key", ID_KEY, true, &key) < 0 || open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_index_get(db, fam, dbid, cid, key, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

void cw_dbapi_index_delete(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *cid, *key;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, &cid) < 0 ||
        arg_id(ctx, "key", ID_KEY, true, &key) < 0 || open_db(ctx, &db) < 0)
        return;
    int rc = cw_db_index_delete(db, fam, dbid, cid, key, &err);
    finish(ctx, rc, 204, NULL, &err);
}

/* Documents --------------------------------------------------------------------------------- */

/* The path of every document route: database, collection and (with doc) the document. */
static int document_path(cw_ctx_t *ctx, cw_db_family_t fam, bool doc, const char **dbid,
                         const char **cid, const char **did)
{
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, dbid) < 0 ||
        arg_id(ctx, families[fam].collection_id, ID_UID, true, cid) < 0)
        return -1;
    if (doc && arg_id(ctx, families[fam].document_id, ID_UID, true, did) < 0)
        return -1;
    return 0;
}

/* Whether the client asked for a response format older than 1.8 (X-Appwrite-Response-Format). */
static bool format_before_1_8(cw_ctx_t *ctx)
{
    cw_str_t v = cw_req_header(ctx->req, "x-appwrite-response-format");
    char buf[32];
    int major = 0, minor = 0;
    if (v.len == 0 || v.len >= sizeof(buf))
        return false;
    memcpy(buf, v.ptr, v.len);
    buf[v.len] = '\0';
    if (sscanf(buf, "%d.%d", &major, &minor) < 1)
        return false;
    return major < 1 || (major == 1 && minor < 8);
}

/* "key.*" for every available relationship of a collection, and of the collections they lead
 * to, three levels down, none visited twice on a path (Appwrite's request filter V20). */
static void relationship_selects(cw_db_t *db, const char *dbid, const char *cid, const char *prefix,
                                 int depth, const char **visited, size_t nvisited, json_t *keys)
{
    json_t *col = NULL, *attr;
    cw_db_error_t err;
    size_t i;
    if (depth > 3 || nvisited >= 4 ||
        cw_db_collection_get(db, CW_DB_FAMILY_COLLECTIONS, dbid, cid, &col, &err) != 0)
        return;
    visited[nvisited++] = cid;
    json_array_foreach(json_object_get(col, "attributes"), i, attr)
    {
        const char *type = json_string_value(json_object_get(attr, "type"));
        const char *status = json_string_value(json_object_get(attr, "status"));
        const char *key = json_string_value(json_object_get(attr, "key"));
        const char *related = json_string_value(json_object_get(attr, "relatedCollection"));
        bool seen = false;
        if (type == NULL || strcmp(type, "relationship") != 0 || status == NULL ||
            strcmp(status, "available") != 0 || key == NULL || related == NULL)
            continue;
        for (size_t k = 0; k < nvisited && !seen; k++)
            seen = strcmp(visited[k], related) == 0;
        if (seen)
            continue;
        char full[512], sel[520];
        snprintf(full, sizeof(full), "%s%s%s", prefix, prefix[0] != '\0' ? "." : "", key);
        snprintf(sel, sizeof(sel), "%s.*", full);
        json_array_append_new(keys, json_string(sel));
        relationship_selects(db, dbid, related, full, depth + 1, visited, nvisited, keys);
    }
    json_decref(col);
}

/* Clients asking for a response format before 1.8 got every related document by default:
 * Appwrite keeps that for them by selecting "*" and every relationship when the queries select
 * nothing or "*". A new queries array, or NULL when nothing changes. */
static json_t *legacy_selects(cw_ctx_t *ctx, cw_db_t *db, cw_db_family_t fam, const char *dbid,
                              const char *cid, json_t *queries)
{
    if (fam != CW_DB_FAMILY_COLLECTIONS || !format_before_1_8(ctx))
        return NULL;
    bool selects = false, star = false;
    size_t i;
    json_t *q, *out, *keys = json_array(), *values;
    const char *visited[4];
    json_array_foreach(queries, i, q)
    {
        json_t *p = json_loadb(json_string_value(q), json_string_length(q), 0, NULL);
        const char *m = json_string_value(json_object_get(p, "method"));
        if (m != NULL && strcmp(m, "select") == 0) {
            selects = true;
            size_t k;
            json_t *v;
            json_array_foreach(json_object_get(p, "values"), k, v)
            {
                star = star || (json_is_string(v) && strcmp(json_string_value(v), "*") == 0);
            }
        }
        json_decref(p);
    }
    if (selects && !star)
        goto none;
    relationship_selects(db, dbid, cid, "", 1, visited, 0, keys);
    if (json_array_size(keys) == 0)
        goto none;
    out = json_array();
    json_array_foreach(queries, i, q)
    {
        json_t *p = json_loadb(json_string_value(q), json_string_length(q), 0, NULL);
        const char *m = json_string_value(json_object_get(p, "method"));
        if (m == NULL || strcmp(m, "select") != 0)
            json_array_append(out, q);
        json_decref(p);
    }
    values = json_array();
    json_array_append_new(values, json_string("*"));
    json_array_extend(values, keys);
    json_t *sel = json_pack("{s:s, s:o}", "method", "select", "values", values);
    char *txt = json_dumps(sel, JSON_COMPACT);
    json_array_append_new(out, json_string(txt));
    free(txt);
    json_decref(sel);
    json_decref(keys);
    return out;
none:
    json_decref(keys);
    return NULL;
}

void cw_dbapi_document_list(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *cid, *txid;
    json_t *queries, *out = NULL;
    bool total;
    int64_t ttl;
    cw_db_t *db;
    cw_db_error_t err = {0};
    /* `ttl` asks Appwrite to cache the list; we answer from the database every time. */
    if (document_path(ctx, fam, false, &dbid, &cid, NULL) < 0 ||
        arg_queries(ctx, "queries", &queries) < 0 || arg_transaction(ctx, &txid) < 0 ||
        arg_flag(ctx, "total", true, &total) < 0 ||
        cw_arg_int(ctx, "ttl", false, 0, LIST_TTL_MAX, &ttl) < 0 || open_db(ctx, &db) < 0)
        return;
    cw_db_actor_t actor = actor_of(ctx);
    json_t *legacy = legacy_selects(ctx, db, fam, dbid, cid, queries);
    if (legacy != NULL)
        queries = legacy;
    int rc = txid != NULL
                 ? cw_db_transaction_document_list(db, fam, &actor, txid, dbid, cid, queries, total,
                                                   &out, &err)
                 : cw_db_document_list(db, fam, &actor, dbid, cid, queries, total, &out, &err);
    json_decref(legacy);
    finish(ctx, rc, 200, out, &err);
}

/* The `$id` of a bulk item: absent or "unique()" makes a new one. NULL when it is not a string. */
static const char *item_id(cw_ctx_t *ctx, json_t *item)
{
    json_t *v = json_object_get(item, "$id");
    if (v == NULL || json_is_null(v) ||
        (json_is_string(v) && strcmp(json_string_value(v), "unique()") == 0)) {
        char id[CW_ID_LEN + 1];
        cw_id_unique(id);
        return dup_str(ctx, cw_str(id));
    }
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Permissions inside a bulk item (`$permissions`) or bulk update data: NULL when absent; a bad
 * one is a 400 general_bad_request, as Appwrite answers there. *out is borrowed. */
static int item_permissions(cw_ctx_t *ctx, json_t *item, json_t **out)
{
    json_t *v = json_object_get(item, "$permissions");
    cw_perm_list_t list;
    cw_perm_error_t err;
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (cw_perm_list_parse(v, CW_PERM_SCOPE_DOCUMENT, &ctx->req->arena, &list, &err) != 0) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST, "%s", err.message);
        return -1;
    }
    *out = v;
    return 0;
}

/* Checks every item of a bulk create or upsert before anything is written. */
static int check_items(cw_ctx_t *ctx, json_t *items)
{
    size_t i;
    json_t *item, *perms;
    json_array_foreach(items, i, item)
    {
        if (item_id(ctx, item) == NULL) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST,
                         "The `$id` of item %zu must be a string.", i);
            return -1;
        }
        if (item_permissions(ctx, item, &perms) < 0)
            return -1;
    }
    return 0;
}

/* Appwrite refuses bulk writes on collections with relationships. Answers the collection's 404s
 * on the way. Returns 0, or -1 with the error written. */
static int check_bulk_target(cw_ctx_t *ctx, cw_db_t *db, cw_db_family_t fam, const char *dbid,
                             const char *cid, const char *what)
{
    json_t *col = NULL, *attr;
    size_t i;
    cw_db_error_t err = {0};
    /* Appwrite's bulk update, upsert and delete read the database's metadata with the caller's
     * roles, which never hold its read permission: whoever is not an API key finds no database.
     * Checked before anything else of the database is looked at. */
    if (!cw_ctx_auth(ctx)->has_key) {
        cw_res_error(ctx->res, CW_ERR_DATABASE_NOT_FOUND,
                     "Database with the requested ID '%s' could not be found.", dbid);
        return -1;
    }
    if (cw_db_collection_get(db, fam, dbid, cid, &col, &err) != 0) {
        fail(ctx, &err);
        return -1;
    }
    json_array_foreach(json_object_get(col, families[fam].attributes), i, attr)
    {
        const char *type = json_string_value(json_object_get(attr, "type"));
        if (type != NULL && strcmp(type, "relationship") == 0) {
            json_decref(col);
            cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST,
                         "Bulk %s is not supported on %s with relationship %s.", what,
                         fam == CW_DB_FAMILY_TABLES ? "tables" : "collections",
                         fam == CW_DB_FAMILY_TABLES ? "columns" : "attributes");
            return -1;
        }
    }
    json_decref(col);
    return 0;
}

/* data with the `permissions` parameter put in as "$permissions", as a staged write keeps them.
 * A new reference. */
static json_t *with_permissions(json_t *data, json_t *perms)
{
    json_t *d = data != NULL ? json_deep_copy(data) : json_object();
    if (perms != NULL)
        json_object_set(d, "$permissions", perms);
    return d;
}

/* Stages a route's write in transaction txid instead of making it (db/transactions.h): action on
 * the path's database and collection, the document did (NULL for bulk writes), data (taken).
 * Answers status with the document the commit would write (or 204 for a delete). */
static void stage_write(cw_ctx_t *ctx, cw_db_family_t fam, const char *txid, const char *action,
                        const char *dbid, const char *cid, const char *did, json_t *data,
                        int status)
{
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_t *out = NULL, *op = json_object();
    json_object_set_new(op, "action", json_string(action));
    json_object_set_new(op, "databaseId", json_string(dbid));
    json_object_set_new(op, "collectionId", json_string(cid));
    if (did != NULL)
        json_object_set_new(op, "documentId", json_string(did));
    json_object_set_new(op, "data", data != NULL ? data : json_object());
    if (open_db(ctx, &db) == 0) {
        cw_db_actor_t actor = actor_of(ctx);
        int rc = cw_db_transaction_stage(db, fam, &actor, txid, op, &out, &err);
        finish(ctx, rc, status, out, &err);
    }
    json_decref(op);
}

/* Creates several documents in one transaction: all of them, or none when one fails. */
static void create_documents(cw_ctx_t *ctx, cw_db_family_t fam, const char *dbid, const char *cid,
                             json_t *items, const char *txid)
{
    cw_db_t *db;
    cw_db_error_t err = {0};
    cw_db_actor_t actor = actor_of(ctx);
    json_t *out = NULL;
    /* Only API keys may write in bulk (Appwrite also lets privileged console users). */
    if (!actor.is_key) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_UNAUTHORIZED_SCOPE,
                     "Creating several %ss at once needs an API key.", families[fam].document_word);
        return;
    }
    if (check_items(ctx, items) < 0 || open_db(ctx, &db) < 0 ||
        check_bulk_target(ctx, db, fam, dbid, cid, "create") < 0)
        return;
    /* Appwrite answers a staged bulk create with 200, and how many it would make. */
    if (txid != NULL) {
        stage_write(ctx, fam, txid, "bulkCreate", dbid, cid, NULL, json_deep_copy(items), 200);
        return;
    }
    int rc = cw_db_documents_create(db, fam, &actor, dbid, cid, items, &out, &err);
    finish(ctx, rc, 201, out, &err);
}

void cw_dbapi_document_create(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const family_t *f = &families[fam];
    const char *dbid, *cid, *id, *txid;
    json_t *data = NULL, *perms, *items, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, f->document_id, ID_CUSTOM, false, &id) < 0 ||
        arg_id(ctx, f->collection_id, ID_UID, true, &cid) < 0 ||
        arg_object(ctx, "data", &data) < 0 ||
        arg_permissions(ctx, CW_PERM_SCOPE_DOCUMENT, &perms) < 0 ||
        arg_objects(ctx, f->documents, false, BATCH_MAX, &items) < 0 ||
        arg_transaction(ctx, &txid) < 0)
        goto out;
    bool has_data = json_object_size(data) > 0, has_items = json_array_size(items) > 0;
    if (!has_data && !has_items) {
        cw_res_error(ctx->res, f->missing_data,
                     "No %s data was sent: give `data` for one %s or `%s` for several.",
                     f->document_word, f->document_word, f->documents);
        goto out;
    }
    if (has_data && has_items) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST, "Send either `data` or `%s`, not both.",
                     f->documents);
        goto out;
    }
    if (has_items) {
        if (id != NULL) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST,
                         "Param \"%s\" cannot be used when creating several %ss: give each its "
                         "own \"$id\".",
                         f->document_id, f->document_word);
            goto out;
        }
        if (json_array_size(perms) > 0) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST,
                         "Param \"permissions\" cannot be used when creating several %ss: give "
                         "each its own \"$permissions\".",
                         f->document_word);
            goto out;
        }
        create_documents(ctx, fam, dbid, cid, items, txid);
        goto out;
    }
    if (id == NULL) {
        cw_res_error(ctx->res, f->missing_data, "Param \"%s\" is required to create one %s.",
                     f->document_id, f->document_word);
        goto out;
    }
    if (txid != NULL) {
        stage_write(ctx, fam, txid, "create", dbid, cid, id, with_permissions(data, perms), 201);
        goto out;
    }
    if (open_db(ctx, &db) < 0)
        goto out;
    cw_db_actor_t actor = actor_of(ctx);
    int rc = cw_db_document_create(db, fam, &actor, dbid, cid, id, data, perms, &out, &err);
    finish(ctx, rc, 201, out, &err);
out:
    json_decref(data);
}

void cw_dbapi_document_get(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *cid, *did, *txid;
    json_t *queries, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (document_path(ctx, fam, true, &dbid, &cid, &did) < 0 ||
        arg_queries(ctx, "queries", &queries) < 0 || arg_transaction(ctx, &txid) < 0 ||
        open_db(ctx, &db) < 0)
        return;
    cw_db_actor_t actor = actor_of(ctx);
    json_t *legacy = legacy_selects(ctx, db, fam, dbid, cid, queries);
    if (legacy != NULL)
        queries = legacy;
    int rc = txid != NULL
                 ? cw_db_transaction_document_get(db, fam, &actor, txid, dbid, cid, did, queries,
                                                  &out, &err)
                 : cw_db_document_get(db, fam, &actor, dbid, cid, did, queries, &out, &err);
    json_decref(legacy);
    finish(ctx, rc, 200, out, &err);
}

/* Update and upsert of one document: data or permissions must be there. */
static void write_document(cw_ctx_t *ctx, cw_db_family_t fam, bool upsert)
{
    const family_t *f = &families[fam];
    const char *dbid, *cid, *did, *txid;
    json_t *data = NULL, *perms, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "databaseId", ID_UID, true, &dbid) < 0 ||
        arg_id(ctx, f->collection_id, ID_UID, true, &cid) < 0 ||
        arg_id(ctx, f->document_id, upsert ? ID_CUSTOM : ID_UID, true, &did) < 0 ||
        arg_object(ctx, "data", &data) < 0 ||
        arg_permissions(ctx, CW_PERM_SCOPE_DOCUMENT, &perms) < 0 || arg_transaction(ctx, &txid) < 0)
        goto out;
    if (json_object_size(data) == 0 && perms == NULL) {
        cw_res_error(ctx->res, f->missing_payload,
                     "Nothing to write: give the %s's `data`, its `permissions`, or both.",
                     f->document_word);
        goto out;
    }
    if (data == NULL)
        data = json_object();
    /* Staged, an upsert is answered with 201 and an update with 200, as in Appwrite. */
    if (txid != NULL) {
        stage_write(ctx, fam, txid, upsert ? "upsert" : "update", dbid, cid, did,
                    with_permissions(data, perms), upsert ? 201 : 200);
        goto out;
    }
    if (open_db(ctx, &db) < 0)
        goto out;
    cw_db_actor_t actor = actor_of(ctx);
    int rc = upsert
                 ? cw_db_document_upsert(db, fam, &actor, dbid, cid, did, data, perms, &out, &err)
                 : cw_db_document_update(db, fam, &actor, dbid, cid, did, data, perms, &out, &err);
    /* Appwrite answers an upsert with 200 whether it created or updated. */
    finish(ctx, rc, 200, out, &err);
out:
    json_decref(data);
}

void cw_dbapi_document_update(cw_ctx_t *ctx, cw_db_family_t fam)
{
    write_document(ctx, fam, false);
}

void cw_dbapi_document_upsert(cw_ctx_t *ctx, cw_db_family_t fam)
{
    write_document(ctx, fam, true);
}

void cw_dbapi_document_delete(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *dbid, *cid, *did, *txid;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (document_path(ctx, fam, true, &dbid, &cid, &did) < 0 || arg_transaction(ctx, &txid) < 0)
        return;
    if (txid != NULL) {
        stage_write(ctx, fam, txid, "delete", dbid, cid, did, NULL, 204);
        return;
    }
    if (open_db(ctx, &db) < 0)
        return;
    cw_db_actor_t actor = actor_of(ctx);
    int rc = cw_db_document_delete(db, fam, &actor, dbid, cid, did, &err);
    finish(ctx, rc, 204, NULL, &err);
}

void cw_dbapi_documents_upsert(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const family_t *f = &families[fam];
    const char *dbid, *cid, *txid;
    json_t *items, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (document_path(ctx, fam, false, &dbid, &cid, NULL) < 0 ||
        arg_objects(ctx, f->documents, true, BATCH_MAX, &items) < 0 ||
        arg_transaction(ctx, &txid) < 0 || check_items(ctx, items) < 0 || open_db(ctx, &db) < 0 ||
        check_bulk_target(ctx, db, fam, dbid, cid, "upsert") < 0)
        return;
    if (txid != NULL) {
        stage_write(ctx, fam, txid, "bulkUpsert", dbid, cid, NULL, json_deep_copy(items), 200);
        return;
    }
    /* One transaction: every document is written, or none. */
    cw_db_actor_t actor = actor_of(ctx);
    int rc = cw_db_documents_upsert(db, fam, &actor, dbid, cid, items, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

/* Bulk update (data) or delete (data NULL) of what the queries select (every match unless the
 * queries hold a limit), in one transaction: all of them change, or none. */
static void change_documents(cw_ctx_t *ctx, cw_db_family_t fam, bool update)
{
    const family_t *f = &families[fam];
    const char *dbid, *cid, *txid;
    json_t *data = NULL, *queries, *perms = NULL, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (document_path(ctx, fam, false, &dbid, &cid, NULL) < 0 ||
        (update && arg_object(ctx, "data", &data) < 0) ||
        arg_queries(ctx, "queries", &queries) < 0 || arg_transaction(ctx, &txid) < 0)
        goto out;
    if (update && json_object_size(data) == 0) {
        cw_res_error(ctx->res, f->missing_payload, "Nothing to write: `data` is empty.");
        goto out;
    }
    /* A bad `$permissions` inside the data is a 400 general_bad_request, as in Appwrite; the
     * database takes the data with it. */
    if (update && item_permissions(ctx, data, &perms) < 0)
        goto out;
    if (open_db(ctx, &db) < 0 ||
        check_bulk_target(ctx, db, fam, dbid, cid, update ? "update" : "delete") < 0)
        goto out;
    if (txid != NULL) {
        json_t *staged = json_object();
        json_object_set_new(staged, "queries",
                            queries != NULL ? json_deep_copy(queries) : json_array());
        if (update)
            json_object_set(staged, "data", data);
        stage_write(ctx, fam, txid, update ? "bulkUpdate" : "bulkDelete", dbid, cid, NULL, staged,
                    200);
        goto out;
    }
    cw_db_actor_t actor = actor_of(ctx);
    int rc = update ? cw_db_documents_update(db, fam, &actor, dbid, cid, data, queries, &out, &err)
                    : cw_db_documents_delete(db, fam, &actor, dbid, cid, queries, &out, &err);
    finish(ctx, rc, 200, out, &err);
out:
    json_decref(data);
}

void cw_dbapi_documents_update(cw_ctx_t *ctx, cw_db_family_t fam)
{
    change_documents(ctx, fam, true);
}

void cw_dbapi_documents_delete(cw_ctx_t *ctx, cw_db_family_t fam)
{
    change_documents(ctx, fam, false);
}

void cw_dbapi_document_increment(cw_ctx_t *ctx, cw_db_family_t fam, bool up)
{
    const char *dbid, *cid, *did, *attr, *txid;
    json_t *value = NULL, *limit = NULL, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (document_path(ctx, fam, true, &dbid, &cid, &did) < 0 ||
        arg_id(ctx, families[fam].attribute, ID_KEY, true, &attr) < 0 ||
        arg_number(ctx, "value", &value) < 0 || arg_number(ctx, up ? "max" : "min", &limit) < 0 ||
        arg_transaction(ctx, &txid) < 0)
        goto out;
    double by = value != NULL ? json_number_value(value) : 1;
    if (!(by > 0)) {
        invalid(ctx, "value", "Value must be a number greater than 0");
        goto out;
    }
    if (txid != NULL) {
        json_t *staged = json_object();
        json_object_set_new(staged, families[fam].attribute, json_string(attr));
        json_object_set_new(staged, "value", value != NULL ? json_incref(value) : json_integer(1));
        if (limit != NULL)
            json_object_set(staged, up ? "max" : "min", limit);
        stage_write(ctx, fam, txid, up ? "increment" : "decrement", dbid, cid, did, staged, 200);
        goto out;
    }
    if (open_db(ctx, &db) < 0)
        goto out;
    cw_db_actor_t actor = actor_of(ctx);
    int rc = cw_db_document_increment(db, fam, &actor, dbid, cid, did, attr, up ? by : -by, limit,
                                      &out, &err);
    finish(ctx, rc, 200, out, &err);
out:
    json_decref(limit);
    json_decref(value);
}

/* Transactions -------------------------------------------------------------------------------- */

void cw_dbapi_transaction_list(cw_ctx_t *ctx, cw_db_family_t fam)
{
    json_t *queries, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_queries(ctx, "queries", &queries) < 0 || open_db(ctx, &db) < 0)
        return;
    cw_db_actor_t actor = actor_of(ctx);
    int rc = cw_db_transaction_list(db, &actor, queries, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

void cw_dbapi_transaction_create(cw_ctx_t *ctx, cw_db_family_t fam)
{
    int64_t ttl = CW_TXN_TTL_DEFAULT;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 ||
        cw_arg_int(ctx, "ttl", false, CW_TXN_TTL_MIN, CW_TXN_TTL_MAX, &ttl) < 0 ||
        open_db(ctx, &db) < 0)
        return;
    cw_db_actor_t actor = actor_of(ctx);
    int rc = cw_db_transaction_create(db, &actor, ttl, &out, &err);
    finish(ctx, rc, 201, out, &err);
}

void cw_dbapi_transaction_get(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *id;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "transactionId", ID_UID, true, &id) < 0 ||
        open_db(ctx, &db) < 0)
        return;
    cw_db_actor_t actor = actor_of(ctx);
    int rc = cw_db_transaction_get(db, &actor, id, &out, &err);
    finish(ctx, rc, 200, out, &err);
}

/* Commit or rollback, exactly one of them. */
void cw_dbapi_transaction_update(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *id;
    bool commit, rollback;
    json_t *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "transactionId", ID_UID, true, &id) < 0 ||
        arg_flag(ctx, "commit", false, &commit) < 0 ||
        arg_flag(ctx, "rollback", false, &rollback) < 0)
        return;
    if (commit == rollback) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST,
                     commit ? "Give `commit` or `rollback`, not both."
                            : "Give `commit: true` or `rollback: true`.");
        return;
    }
    if (open_db(ctx, &db) < 0)
        return;
    cw_db_actor_t actor = actor_of(ctx);
    json_t *changes = NULL;
    int rc = commit ? cw_db_transaction_commit_changes(db, fam, &actor, id, &out, &changes, &err)
                    : cw_db_transaction_rollback(db, &actor, id, &out, &err);
    finish(ctx, rc, 200, out, &err);
    if (rc == 0 && changes != NULL)
        cw_event_record_changes(ctx, fam == CW_DB_FAMILY_TABLES, changes);
    json_decref(changes);
}

void cw_dbapi_transaction_delete(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *id;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "transactionId", ID_UID, true, &id) < 0 ||
        open_db(ctx, &db) < 0)
        return;
    cw_db_actor_t actor = actor_of(ctx);
    int rc = cw_db_transaction_delete(db, &actor, id, &err);
    finish(ctx, rc, 204, NULL, &err);
}

void cw_dbapi_transaction_operations_create(cw_ctx_t *ctx, cw_db_family_t fam)
{
    const char *id;
    json_t *ops = NULL, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (need_project(ctx) < 0 || arg_id(ctx, "transactionId", ID_UID, true, &id) < 0)
        return;
    ops = param(ctx, "operations");
    if (ops != NULL && !json_is_array(ops)) {
        invalid(ctx, "operations", "Value must a valid array");
        return;
    }
    if (open_db(ctx, &db) < 0)
        return;
    cw_db_actor_t actor = actor_of(ctx);
    int rc = cw_db_transaction_operations_create(db, fam, &actor, id, ops, &out, &err);
    finish(ctx, rc, 201, out, &err);
}
