#include "services/mail_api.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/status.h"
#include "http/response.h"
#include "services/api.h"
#include "workers/mail_template.h"
#include "workers/mails.h"

static const char *smtp_str(const json_t *smtp, const char *key)
{
    const char *v = json_string_value(json_object_get(smtp, key));
    return v != NULL ? v : "";
}

/* The project's own SMTP settings when it turned them on (Appwrite's smtp.enabled), else NULL. */
static const json_t *project_smtp(cw_ctx_t *ctx)
{
    const cw_auth_t *auth = cw_ctx_auth(ctx);
    const json_t *smtp = auth->has_project && auth->project != NULL ? auth->project->smtp : NULL;
    if (!json_is_true(json_object_get(smtp, "enabled")) || smtp_str(smtp, "host")[0] == '\0')
        return NULL;
    return smtp;
}

/* The smtp override of a job, as Appwrite's routes build it from the project's settings: the
 * sender falls back to the server's, the reply-to (also the older key replyTo) to the sender, as
 * Appwrite's mail worker resolves it. A new reference. */
static json_t *smtp_override(const cw_config_t *cfg, const json_t *smtp)
{
    const char *sender_email = smtp_str(smtp, "senderEmail");
    const char *sender_name = smtp_str(smtp, "senderName");
    if (sender_email[0] == '\0')
        sender_email = cfg->email_address != NULL ? cfg->email_address : "";
    if (sender_name[0] == '\0')
        sender_name = cfg->email_name != NULL ? cfg->email_name : "";
    const char *reply_email = smtp_str(smtp, "replyToEmail");
    if (reply_email[0] == '\0')
        reply_email = smtp_str(smtp, "replyTo");
    const char *reply_name = smtp_str(smtp, "replyToName");
    if (reply_email[0] == '\0')
        reply_email = sender_email;
    if (reply_name[0] == '\0')
        reply_name = sender_name;
    json_t *port = json_object_get(smtp, "port");
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "host",
                     smtp_str(smtp, "host"), "port",
                     port != NULL ? json_incref(port) : json_integer(25), "username",
                     smtp_str(smtp, "username"), "password", smtp_str(smtp, "password"), "secure",
                     smtp_str(smtp, "secure"), "senderEmail", sender_email, "senderName",
                     sender_name, "replyToEmail", reply_email, "replyToName", reply_name);
}

/* A project with its own SMTP server sends mail even when the server has none (Appwrite's routes
 * want _APP_SMTP_HOST either way, though its worker sends through the project's server alone). */
int cw_svc_mail_ready(cw_ctx_t *ctx)
{
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    if (project_smtp(ctx) != NULL || (cfg->smtp_host != NULL && cfg->smtp_host[0] != '\0'))
        return 0;
    cw_res_error(ctx->res, CW_ERR_GENERAL_SMTP_DISABLED, "SMTP disabled");
    return -1;
}

/* Renders and queues the mail; writes nothing to the response. CW_OK, CW_ENOTFOUND (no such
 * template) or CW_EIO (not queued). */
static int queue_mail(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                      const json_t *vars)
{
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
    int rc = CW_EIO;
    if (cw_mail_template_render(tmpl, all, &subject, &text, &html) != CW_OK) {
        cw_log(CW_LOG_ERROR, "mails: unknown template=%s", tmpl);
        rc = CW_ENOTFOUND;
        goto out;
    }
    /* Rendered now, in the request's project and words; the worker only sends. */
    json_t *job = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "to", to_email, "name",
                            to_name != NULL ? to_name : "", "subject", subject, "text", text,
                            "html", html, "template", tmpl);
    if (job == NULL)
        goto out;
    const json_t *smtp = project_smtp(ctx);
    if (smtp != NULL)
        json_object_set_new(job, "smtp", smtp_override(t->cfg, smtp));
    payload = json_dumps(job, JSON_COMPACT);
    json_decref(job);
    if (payload != NULL && t->queue != NULL &&
        cw_queue_enqueue(t->queue, CW_MAIL_QUEUE, project_id, payload, NULL) == CW_OK)
        rc = CW_OK;
out:
    free(payload);
    free(subject);
    free(text);
    free(html);
    json_decref(all);
    return rc;
}

int cw_svc_mail(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                const json_t *vars)
{
    if (cw_svc_mail_ready(ctx) != 0)
        return -1;
    if (queue_mail(ctx, tmpl, to_email, to_name, vars) != CW_OK) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, "Server Error");
        return -1;
    }
    return 0;
}

int cw_svc_mail_quiet(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                      const json_t *vars)
{
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    if (project_smtp(ctx) == NULL && (cfg->smtp_host == NULL || cfg->smtp_host[0] == '\0'))
        return -1;
    return queue_mail(ctx, tmpl, to_email, to_name, vars) == CW_OK ? 0 : -1;
}
