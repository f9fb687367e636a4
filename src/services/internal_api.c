#include "services/internal_api.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "db/internal.h"
#include "http/args.h"
#include "models/json.h"
#include "services/api.h"

int cw_svc_open_internal(cw_ctx_t *ctx, cw_db_t **db)
{
    if (!cw_ctx_auth(ctx)->has_project) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ACCESS_FORBIDDEN,
                     "No project was given: set the project ID on your SDK client (the "
                     "X-Appwrite-Project header).");
        return -1;
    }
    return cw_svc_open_internal_of(ctx, cw_ctx_auth(ctx)->project, db);
}

int cw_svc_open_internal_of(cw_ctx_t *ctx, const cw_project_t *project, cw_db_t **db)
{
    cw_db_error_t err = {0};
    if (cw_thread_db(cw_ctx_thread(ctx), project, db, &err) != 0 ||
        cw_db_internal_ensure(*db, &err) != 0) {
        cw_res_error(ctx->res, err.type, "%s", err.message);
        return -1;
    }
    return 0;
}

bool cw_svc_format_before(cw_ctx_t *ctx, int major, int minor, int patch)
{
    cw_str_t v = cw_req_header(ctx->req, "x-appwrite-response-format");
    char buf[32];
    int got[3] = {0, 0, 0};
    if (v.len == 0 || v.len >= sizeof(buf))
        return false;
    memcpy(buf, v.ptr, v.len);
    buf[v.len] = '\0';
    if (sscanf(buf, "%d.%d.%d", &got[0], &got[1], &got[2]) < 1)
        return false;
    int want[3] = {major, minor, patch};
    for (int i = 0; i < 3; i++) {
        if (got[i] != want[i])
            return got[i] < want[i];
    }
    return false;
}

void cw_svc_fail_db(cw_ctx_t *ctx, const cw_db_error_t *err, cw_err_t not_found, cw_err_t dup)
{
    if (not_found != 0 && err->type == CW_ERR_DOCUMENT_NOT_FOUND)
        cw_res_error(ctx->res, not_found, NULL);
    else if (dup != 0 && (err->type == CW_ERR_DOCUMENT_ALREADY_EXISTS ||
                          err->type == CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION))
        cw_res_error(ctx->res, dup, NULL);
    else if (err->message[0] != '\0')
        cw_res_error(ctx->res, err->type, "%s", err->message);
    else
        cw_res_error(ctx->res, err->type, NULL);
}

void cw_svc_reply(cw_ctx_t *ctx, int status, json_t *model)
{
    cw_jw_t *w = cw_res_json(ctx->res, status);
    cw_model_json(w, model);
    json_decref(model);
}

/* Takes a user off their teams: a confirmed member counted in a team's total is taken off it. */
static int leave_teams(cw_db_t *db, const char *user_id, cw_db_error_t *err)
{
    json_t *q = json_array(), *found = NULL;
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(user_id)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(5000)));
    int rc = cw_db_internal_find(db, "memberships", q, NULL, false, &found, err);
    json_decref(q);
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(found, "documents"), i, m)
    {
        const char *team_id = json_string_value(json_object_get(m, "teamId"));
        json_t *team = NULL, *out = NULL;
        cw_db_error_t terr = {0};
        if (rc != 0 || !json_is_true(json_object_get(m, "confirm")) || team_id == NULL ||
            cw_db_internal_get(db, "teams", team_id, &team, &terr) != 0)
            continue;
        json_int_t total = json_integer_value(json_object_get(team, "total"));
        json_t *data = json_pack("{s:I}", "total", (json_int_t)(total > 0 ? total - 1 : 0));
        rc = cw_db_internal_update(db, "teams", team_id, data, &out, err);
        json_decref(data);
        json_decref(out);
        json_decref(team);
    }
    json_decref(found);
    return rc;
}

int cw_svc_user_delete(cw_db_t *db, const char *user_id, cw_db_error_t *err)
{
    static const char *const owned[] = {"sessions", "memberships",    "tokens",    "identities",
                                        "targets",  "authenticators", "challenges"};
    int rc = cw_db_internal_begin(db, err);
    if (rc == 0)
        rc = leave_teams(db, user_id, err);
    if (rc == 0)
        rc = cw_db_internal_delete(db, "users", user_id, err);
    for (size_t i = 0; rc == 0 && i < sizeof(owned) / sizeof(owned[0]); i++) {
        json_t *q = json_array();
        json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(user_id)));
        rc = cw_db_internal_delete_where(db, owned[i], q, NULL, err);
        json_decref(q);
    }
    if (rc == 0)
        rc = cw_db_internal_commit(db, err);
    else
        cw_db_internal_rollback(db);
    return rc;
}

#define QUERIES_MAX 100
#define QUERY_MAX_LEN 4096

static bool query_attr_allowed(const char *attr, const char *const *allowed)
{
    static const char *const system[] = {"$id", "$createdAt", "$updatedAt", "$sequence", NULL};
    if (attr == NULL || attr[0] == '\0')
        return true;
    for (const char *const *a = system; *a != NULL; a++)
        if (strcmp(*a, attr) == 0)
            return true;
    for (const char *const *a = allowed; *a != NULL; a++)
        if (strcmp(*a, attr) == 0)
            return true;
    return false;
}

int cw_svc_arg_queries(cw_ctx_t *ctx, const char *const *allowed, json_t **out)
{
    static const char rule[] = "Value must a valid array no longer than 100 items and Value must "
                               "be a valid string and no longer than 4096 chars";
    json_t *v = cw_arg_json(ctx, "queries");
    size_t i;
    json_t *q;
    *out = NULL;
    if (v == NULL)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > QUERIES_MAX)
        return cw_arg_invalid(ctx, "queries", rule);
    json_array_foreach(v, i, q)
    {
        if (!json_is_string(q) ||
            cw_utf8_count(json_string_value(q), json_string_length(q)) > QUERY_MAX_LEN)
            return cw_arg_invalid(ctx, "queries", rule);
        json_t *parsed = json_loads(json_string_value(q), 0, NULL);
        const char *attr = json_string_value(json_object_get(parsed, "attribute"));
        if (!query_attr_allowed(attr, allowed)) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_QUERY_INVALID,
                         "Invalid query: Attribute not found in schema: %s", attr);
            json_decref(parsed);
            return -1;
        }
        json_decref(parsed);
    }
    *out = v;
    return 0;
}
