#include "services/internal_api.h"

#include "db/internal.h"
#include "models/json.h"
#include "services/api.h"

int cw_svc_open_internal(cw_ctx_t *ctx, cw_db_t **db)
{
    cw_db_error_t err = {0};
    if (!cw_ctx_auth(ctx)->has_project) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ACCESS_FORBIDDEN,
                     "No project was given: set the project ID on your SDK client (the "
                     "X-Appwrite-Project header).");
        return -1;
    }
    if (cw_thread_db(cw_ctx_thread(ctx), cw_ctx_auth(ctx)->project, db, &err) != 0 ||
        cw_db_internal_ensure(*db, &err) != 0) {
        cw_res_error(ctx->res, err.type, "%s", err.message);
        return -1;
    }
    return 0;
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
