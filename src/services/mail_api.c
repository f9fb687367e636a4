#include "services/mail_api.h"

#include <stdio.h>
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

/* The project's custom template for tmpl in the request's locale (only used with its own SMTP
 * server, as in Appwrite), or NULL. */
static const json_t *custom_template(cw_ctx_t *ctx, const char *tmpl)
{
    cw_auth_t *auth = cw_ctx_auth(ctx);
    if (project_smtp(ctx) == NULL)
        return NULL;
    char key[128];
    snprintf(key, sizeof(key), "email.%s-%.*s", tmpl,
             auth->locale.len > 0 && auth->locale.len < 16 ? (int)auth->locale.len : 2,
             auth->locale.len > 0 && auth->locale.len < 16 ? auth->locale.ptr : "en");
    return json_object_get(auth->project->templates, key);
}

/* Renders a custom template: its subject and message where set, the built-in parts elsewhere. */
static int render_custom(const json_t *custom, const char *tmpl, const json_t *vars, char **subject,
                         char **text, char **html)
{
    if (cw_mail_template_render(tmpl, vars, subject, text, html) != CW_OK)
        return -1;
    const char *s = json_string_value(json_object_get(custom, "subject"));
    const char *m = json_string_value(json_object_get(custom, "message"));
    if (s != NULL && s[0] != '\0') {
        cw_buf_t b = CW_BUF_INIT;
        cw_mail_template_expand(cw_str(s), vars, CW_MAIL_PART_SUBJECT, &b);
        cw_buf_append_char(&b, '\0');
        free(*subject);
        *subject = cw_buf_steal(&b, NULL);
    }
    if (m != NULL && m[0] != '\0') {
        cw_buf_t b = CW_BUF_INIT;
        cw_mail_template_expand(cw_str(m), vars, CW_MAIL_PART_HTML, &b);
        cw_buf_append_char(&b, '\0');
        free(*html);
        *html = cw_buf_steal(&b, NULL);
        b = CW_BUF_INIT;
        cw_mail_template_expand(cw_str(m), vars, CW_MAIL_PART_TEXT, &b);
        cw_buf_append_char(&b, '\0');
        free(*text);
        *text = cw_buf_steal(&b, NULL);
    }
    return 0;
}

/* Renders and queues the mail; writes nothing to the response. smtp: the server to send through
 * (NULL: the project's own when it has one, else the server's; a project's custom template then
 * applies). CW_OK, CW_ENOTFOUND (no such template) or CW_EIO (not queued). */
static int queue_mail(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                      const json_t *vars, const json_t *smtp)
{
    const json_t *custom = smtp == NULL ? custom_template(ctx, tmpl) : NULL;
    if (smtp == NULL)
        smtp = project_smtp(ctx);
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
    if ((custom != NULL ? render_custom(custom, tmpl, all, &subject, &text, &html)
                        : cw_mail_template_render(tmpl, all, &subject, &text, &html)) != CW_OK) {
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
    if (smtp != NULL) {
        /* The worker sends through this server; a custom template's sender fields win. */
        json_t *server = smtp_override(t->cfg, smtp);
        static const char *const senders[] = {"senderName", "senderEmail", "replyToEmail",
                                              "replyToName", NULL};
        for (const char *const *k = senders; custom != NULL && *k != NULL; k++) {
            const char *v = json_string_value(json_object_get(custom, *k));
            if (v != NULL && v[0] != '\0')
                json_object_set_new(server, *k, json_string(v));
        }
        json_object_set_new(job, "smtp", server);
    }
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
    return cw_svc_mail_with(ctx, tmpl, to_email, to_name, vars, NULL);
}

int cw_svc_mail_with(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                     const json_t *vars, const json_t *smtp)
{
    if (smtp == NULL && cw_svc_mail_ready(ctx) != 0)
        return -1;
    if (queue_mail(ctx, tmpl, to_email, to_name, vars, smtp) != CW_OK) {
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
    return queue_mail(ctx, tmpl, to_email, to_name, vars, NULL) == CW_OK ? 0 : -1;
}
