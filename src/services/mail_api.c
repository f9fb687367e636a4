#include "services/mail_api.h"

#include "http/response.h"

/* Placeholder until the mail worker lands: no project can send mail yet. */
int cw_svc_mail_ready(cw_ctx_t *ctx)
{
    cw_res_error(ctx->res, CW_ERR_GENERAL_SMTP_DISABLED, "SMTP disabled");
    return -1;
}

int cw_svc_mail(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                const json_t *vars)
{
    return cw_svc_mail_ready(ctx);
}
