/* The project's custom e-mail templates (/v1/project/templates/email…), kept per template and
 * locale under "email.<templateId>-<locale>" as Appwrite keeps them. The mail code uses a custom
 * template when the project sends through its own SMTP server (services/mail_api.c); otherwise
 * the built-in ones of share/mail apply, and they are what a template without a custom subject
 * or message shows. */
#include <string.h>

#include "core/status.h"
#include "http/args.h"
#include "services/api.h"
#include "services/project_internal.h"
#include "workers/mail_template.h"

#define SUBJECT_MAX 255
#define MESSAGE_MAX 10485760
#define SENDER_NAME_MAX 255

static const char *const template_ids[] = {
    "verification", "magicSession", "recovery",   "invitation",
    "mfaChallenge", "sessionAlert", "otpSession", NULL,
};

/* The locales a template may be written in (Appwrite's locale codes). */
static const char *const locales[] = {
    "af",    "ar-ae", "ar-bh", "ar-dz", "ar-eg", "ar-iq", "ar-jo", "ar-kw", "ar-lb", "ar-ly",
    "ar-ma", "ar-om", "ar-qa", "ar-sa", "ar-sy", "ar-tn", "ar-ye", "as",    "az",    "be",
    "bg",    "bh",    "bn",    "bs",    "ca",    "cs",    "cy",    "da",    "de",    "de-at",
    "de-ch", "de-li", "de-lu", "el",    "en",    "en-au", "en-bz", "en-ca", "en-gb", "en-ie",
    "en-jm", "en-nz", "en-tt", "en-us", "en-za", "eo",    "es",    "es-ar", "es-bo", "es-cl",
    "es-co", "es-cr", "es-do", "es-ec", "es-gt", "es-hn", "es-mx", "es-ni", "es-pa", "es-pe",
    "es-pr", "es-py", "es-sv", "es-uy", "es-ve", "et",    "eu",    "fa",    "fi",    "fo",
    "fr",    "fr-be", "fr-ca", "fr-ch", "fr-lu", "ga",    "gd",    "he",    "hi",    "hr",
    "hu",    "id",    "is",    "it",    "it-ch", "ja",    "ji",    "ko",    "ku",    "lt",
    "lv",    "mk",    "ml",    "ms",    "mt",    "nb",    "ne",    "nl",    "nl-be", "nn",
    "no",    "pa",    "pl",    "pt",    "pt-br", "rm",    "ro",    "ro-md", "ru",    "ru-md",
    "sb",    "sk",    "sl",    "sq",    "sr",    "sv",    "sv-fi", "th",    "tn",    "tr",
    "ts",    "ua",    "ur",    "ve",    "vi",    "xh",    "zh-cn", "zh-hk", "zh-sg", "zh-tw",
    "zu",    NULL,
};

static const char *const fields[] = {"subject",      "message",     "senderName", "senderEmail",
                                     "replyToEmail", "replyToName", NULL};

/* The model of one template: the stored custom one, with the built-in subject and message where
 * none is set. */
static json_t *template_model(const cw_project_t *p, const char *id, const char *locale)
{
    char key[96];
    snprintf(key, sizeof(key), "email.%s-%s", id, locale);
    const json_t *custom = json_object_get(p->templates, key);
    json_t *m = json_pack("{s:s, s:s}", "templateId", id, "locale", locale);
    for (const char *const *f = fields; *f != NULL; f++) {
        const json_t *v = json_object_get(custom, *f);
        if (json_is_string(v)) {
            json_object_set(m, *f, (json_t *)v);
            continue;
        }
        cw_str_t builtin = CW_STR_LIT("");
        if (strcmp(*f, "subject") == 0)
            cw_mail_template_source(id, "subject", &builtin);
        else if (strcmp(*f, "message") == 0)
            cw_mail_template_source(id, "html", &builtin);
        while (builtin.len > 0 && builtin.ptr[builtin.len - 1] == '\n')
            builtin.len--;
        json_object_set_new(m, *f, json_stringn(builtin.ptr, builtin.len));
    }
    return m;
}

static int arg_locale(cw_ctx_t *ctx, const char **out)
{
    cw_str_t l;
    int r = cw_arg_enum(ctx, "locale", false, locales, &l);
    if (r < 0)
        return -1;
    json_t *v = cw_arg_json(ctx, "locale");
    if (r == 1 || (json_is_string(v) && json_string_length(v) == 0))
        *out = "en"; /* _APP_LOCALE's default */
    else
        *out = cw_arena_strndup(&ctx->req->arena, l.ptr, l.len);
    return 0;
}

/* templateId from the path (or the older paths' {type}) or the body. */
static int arg_template(cw_ctx_t *ctx, const char **out)
{
    cw_str_t t = cw_req_path_param(ctx->req, "type");
    json_t *body_type = cw_arg_json(ctx, "type");
    if (t.ptr == NULL && json_is_string(body_type) && cw_arg_json(ctx, "templateId") == NULL)
        t = (cw_str_t){json_string_value(body_type), json_string_length(body_type)};
    if (t.ptr != NULL && json_is_object(ctx->req->params))
        json_object_set_new(ctx->req->params, "templateId", json_stringn(t.ptr, t.len));
    cw_str_t id;
    if (cw_arg_enum(ctx, "templateId", true, template_ids, &id) != 0)
        return -1;
    *out = cw_arena_strndup(&ctx->req->arena, id.ptr, id.len);
    return 0;
}

void cw__project_templates_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id, *locale;
    if (cw__project_target(ctx, &p) != 0 || arg_template(ctx, &id) != 0 ||
        arg_locale(ctx, &locale) != 0)
        return;
    cw__project_json(ctx, 200, template_model(p, id, locale));
}

void cw__project_templates_list(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    json_t *all = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(p->templates, key, v)
    {
        if (strncmp(key, "email.", 6) != 0)
            continue;
        const char *dash = strchr(key + 6, '-');
        if (dash == NULL)
            continue;
        char id[64];
        snprintf(id, sizeof(id), "%.*s", (int)(dash - key - 6), key + 6);
        json_array_append_new(all, template_model(p, id, dash + 1));
    }
    cw__project_list(ctx, all, "templates", "templateId");
}

typedef struct template_edit {
    cw_ctx_t *ctx;
    const char *key;
    json_t *changes;
} template_edit_t;

static int edit_templates(json_t *templates, void *arg)
{
    template_edit_t *e = arg;
    json_t *t = json_object_get(templates, e->key);
    if (!json_is_object(t)) {
        t = json_object();
        json_object_set_new(templates, e->key, t);
    }
    json_object_update(t, e->changes);
    return CW_OK;
}

void cw__project_templates_update(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id, *locale;
    json_t *changes = json_object();
    if (cw__project_target(ctx, &p) != 0 || arg_template(ctx, &id) != 0 ||
        arg_locale(ctx, &locale) != 0)
        goto out;
    static const struct {
        const char *name;
        size_t max;
        bool email;
    } params[] = {
        {"subject", SUBJECT_MAX, false},
        {"message", MESSAGE_MAX, false},
        {"senderName", SENDER_NAME_MAX, false},
        {"senderEmail", 0, true},
        {"replyToEmail", 0, true},
        {"replyToName", SENDER_NAME_MAX, false},
    };
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        const char *v;
        int r = params[i].email ? cw__project_arg_email(ctx, params[i].name, false, true, &v)
                                : cw_arg_text(ctx, params[i].name, false, params[i].max, &v);
        if (r != 0)
            goto out;
        if (v != NULL)
            json_object_set_new(changes, params[i].name, json_string(v));
    }
    if (!json_is_true(json_object_get(p->smtp, "enabled"))) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "SMTP must be enabled on the project to configure custom email templates.");
        goto out;
    }
    char key[96];
    snprintf(key, sizeof(key), "email.%s-%s", id, locale);
    template_edit_t e = {.ctx = ctx, .key = key, .changes = changes};
    if (cw__project_edit(ctx, p, CW_PROJECT_TEMPLATES, edit_templates, &e) != 0)
        goto out;
    cw_project_t fresh = {0};
    if (cw_console_project_get(cw_ctx_thread(ctx)->console, cw_str(p->id), &fresh) != CW_OK) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        goto out;
    }
    cw__project_json(ctx, 200, template_model(&fresh, id, locale));
    cw_project_clear(&fresh);
out:
    json_decref(changes);
}

static int remove_template(json_t *templates, void *arg)
{
    json_object_del(templates, (const char *)arg);
    return CW_OK;
}

/* The older DELETE /v1/projects/{projectId}/templates/email[/{type}/{locale}]: back to the
 * built-in template. */
void cw__project_templates_delete(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id, *locale;
    if (cw__project_target(ctx, &p) != 0 || arg_template(ctx, &id) != 0 ||
        arg_locale(ctx, &locale) != 0)
        return;
    char key[96];
    snprintf(key, sizeof(key), "email.%s-%s", id, locale);
    if (cw__project_edit(ctx, p, CW_PROJECT_TEMPLATES, remove_template, key) == 0)
        cw_res_empty(ctx->res, 204);
}
