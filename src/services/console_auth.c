#include "services/console_auth.h"

#include "http/response.h"

/* Console accounts do not exist yet, so no caller may manage a project through the aliases. */
int cw_console_target_project(cw_ctx_t *ctx, const char *project_id, const cw_project_t **out)
{
    *out = NULL;
    cw_res_error(ctx->res, CW_ERR_GENERAL_UNAUTHORIZED_SCOPE,
                 "User (role: guests) missing scopes ([\"projects.write\"])");
    return -1;
}
