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

/* The project's own SMTP server when it is turned on, else NULL (the server's _APP_SMTP_*). */
static const json_t *project_smtp(cw_ctx_t *ctx)
{
    cw_auth_t *auth = cw_ctx_auth(ctx);
    if (!auth->has_project || !json_is_true(json_object_get(auth->project->smtp, "enabled")))
        return NULL;
    return auth->project->smtp;
}

int cw_svc_mail_ready(cw_ctx_t *ctx)
{
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    if ((cfg->smtp_host != NULL && cfg->smtp_host[0] != '\0') || project_smtp(ctx) != NULL)
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
    int rc = -1;
    if ((custom != NULL ? render_custom(custom, tmpl, all, &subject, &text, &html)
                        : cw_mail_template_render(tmpl, all, &subject, &text, &html)) != CW_OK) {
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
    if (smtp != NULL) {
        /* The worker sends through this server; a custom template's sender fields win. */
        json_t *server = json_deep_copy(smtp);
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
