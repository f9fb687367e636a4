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
