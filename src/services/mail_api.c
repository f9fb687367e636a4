#include "services/mail_api.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/status.h"
#include "http/response.h"
#include "services/api.h"
#include "workers/mail_template.h"
#include "workers/mails.h"

/* Projects have no SMTP settings of their own yet (the Projects API will store them); until then
 * only the server's _APP_SMTP_HOST enables mail. */
int cw_svc_mail_ready(cw_ctx_t *ctx)
{
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    if (cfg->smtp_host != NULL && cfg->smtp_host[0] != '\0')
        return 0;
    cw_res_error(ctx->res, CW_ERR_GENERAL_SMTP_DISABLED, "SMTP disabled");
    return -1;
}

int cw_svc_mail(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                const json_t *vars)
{
    if (cw_svc_mail_ready(ctx) != 0)
        return -1;
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_auth_t *auth = cw_ctx_auth(ctx);
    const char *project_id = auth->has_project ? auth->project->id : CW_CONSOLE_PROJECT;
    json_t *all = json_is_object(vars) ? json_copy((json_t *)vars) : json_object();
    if (json_object_get(all, "project") == NULL)
        json_object_set_new(all, "project",
                            json_string(auth->has_project && auth->project->name
                                            ? auth->project->name
                                            : "Console"));
    if (json_object_get(all, "url") == NULL && json_object_get(all, "redirect") != NULL)
        json_object_set(all, "url", json_object_get(all, "redirect"));
    if (json_object_get(all, "user") == NULL && to_name != NULL)
        json_object_set_new(all, "user", json_string(to_name));
    char *subject = NULL, *text = NULL, *html = NULL;
    char *payload = NULL;
    int rc = -1;
    if (cw_mail_template_render(tmpl, all, &subject, &text, &html) != CW_OK) {
        cw_log(CW_LOG_ERROR, "mails: unknown template=%s", tmpl);
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, "Server Error");
        goto out;
    }
    /* Rendered now, in the request's project and words; the worker only sends. */
    json_t *job = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "to", to_email, "name",
                            to_name != NULL ? to_name : "", "subject", subject, "text", text,
                            "html", html, "template", tmpl);
    if (job == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, "Server Error");
        goto out;
    }
    payload = json_dumps(job, JSON_COMPACT);
    json_decref(job);
    if (t->queue == NULL ||
        cw_queue_enqueue(t->queue, CW_MAIL_QUEUE, project_id, payload, NULL) != CW_OK) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, "Server Error");
        goto out;
    }
    rc = 0;
out:
    free(payload);
    free(subject);
    free(text);
    free(html);
    json_decref(all);
    return rc;
}
