/* The project service (/v1/project/…, with Appwrite's /v1/projects/{projectId}/… aliases): the
 * Project model, labels, auth methods, services and protocols, SMTP and its test mail, mock
 * phones and variables, and the helpers the other project_*.c files share. Keys, platforms,
 * policies, OAuth2 providers and templates live in files of their own; the route table of all of
 * them is here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "db/database.h"
#include "db/query.h"
#include "http/args.h"
#include "models/json.h"
#include "services/api.h"
#include "services/console_auth.h"
#include "services/internal_api.h"
#include "services/mail_api.h"
#include "services/project_internal.h"
#include "services/routes.h"
#include "workers/mails.h"

/* Appwrite's optional services (app/config/services.php), in its order. */
static const char *const services[] = {
    "account",   "avatars", "databases", "tablesdb",   "locale",    "health",
    "project",   "storage", "teams",     "users",      "vcs",       "sites",
    "functions", "proxy",   "graphql",   "migrations", "messaging", NULL,
};
static const char *const protocols[] = {"rest", "graphql", "websocket", NULL};

#define LABELS_MAX 1000 /* APP_LIMIT_ARRAY_LABELS_SIZE */
#define LABEL_LEN_MAX 36
#define VARIABLE_KEY_MAX 255
#define VARIABLE_VALUE_MAX 8192
#define SMTP_TEST_EMAILS_MAX 10

/* ---- shared helpers ---- */

int cw__project_target(cw_ctx_t *ctx, const cw_project_t **out)
{
    cw_str_t alias = cw_req_path_param(ctx->req, "projectId");
    if (alias.ptr != NULL) {
        char *id = cw_arena_strndup(&ctx->req->arena, alias.ptr, alias.len);
        return cw_console_target_project(ctx, id, out);
    }
    cw_auth_t *auth = cw_ctx_auth(ctx);
    if (!auth->has_project) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_NOT_FOUND, NULL);
        return -1;
    }
    *out = auth->project;
    return 0;
}

void cw__project_store_error(cw_ctx_t *ctx, int rc, cw_err_t not_found)
{
    if (rc == CW_ENOTFOUND)
        cw_res_error(ctx->res, not_found, NULL);
    else
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
}

int cw__project_edit(cw_ctx_t *ctx, const cw_project_t *p, cw_project_setting_t which,
                     cw_setting_edit_cb edit, void *arg)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    int rc = cw_console_project_setting_edit(t->console, p->id, which, edit, arg);
    if (rc == CW_OK)
        return 0;
    if (!ctx->res->has_error)
        cw__project_store_error(ctx, rc, CW_ERR_PROJECT_NOT_FOUND);
    return -1;
}

void cw__project_json(cw_ctx_t *ctx, int status, json_t *model)
{
    cw_model_json(cw_res_json(ctx->res, status), model);
    json_decref(model);
}

const char *cw__project_time(cw_ctx_t *ctx, int64_t ms)
{
    char *out = cw_arena_alloc(&ctx->req->arena, CW_TIME_ISO_LEN);
    cw_time_format(ms, out);
    return out;
}

static const char id_rule[] = "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, "
                              "0-9, period, hyphen, and underscore. Can't start with a special "
                              "char";

int cw__project_arg_id(cw_ctx_t *ctx, const char *name, bool custom, const char **out)
{
    cw_str_t s;
    if (cw_arg_str(ctx, name, true, 0, &s) != 0)
        return -1;
    if (custom && cw_str_eq_cstr(s, "unique()")) {
        char id[CW_ID_LEN + 1];
        cw_id_unique(id);
        *out = cw_arena_strndup(&ctx->req->arena, id, strlen(id));
        return 0;
    }
    if (!cw_id_valid(s, CW_ID_MAX_LEN) || memchr(s.ptr, '\0', s.len) != NULL)
        return cw_arg_invalid(ctx, name, id_rule);
    *out = cw_arena_strndup(&ctx->req->arena, s.ptr, s.len);
    return 0;
}

int cw__project_arg_email(cw_ctx_t *ctx, const char *name, bool required, bool allow_empty,
                          const char **out)
{
    if (cw_arg_text(ctx, name, required, 0, out) != 0)
        return -1;
    if (*out == NULL || (allow_empty && (*out)[0] == '\0'))
        return 0;
    if (!cw_valid_email(*out))
        return cw_arg_invalid(ctx, name, "Value must be a valid email address");
    for (char *p = (char *)*out; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return 0;
}

bool cw__project_arg_absent(cw_ctx_t *ctx, const char *name)
{
    return cw_arg_json(ctx, name) == NULL;
}

/* Whether item passes one filter query (equal / notEqual on a field of the model). */
static bool filter_passes(const json_t *item, const cw_query_t *q)
{
    char attr[64];
    snprintf(attr, sizeof(attr), "%.*s", (int)q->attribute.len, q->attribute.ptr);
    const json_t *v = json_object_get(item, attr);
    bool any = false;
    for (size_t i = 0; i < cw_query_nvalues(q); i++) {
        if (v != NULL && json_equal((json_t *)v, cw_query_value(q, i)))
            any = true;
    }
    return q->method == CW_QUERY_EQUAL ? any : !any;
}

void cw__project_list(cw_ctx_t *ctx, json_t *items, const char *plural, const char *id_field)
{
    cw_query_list_t list;
    cw_query_error_t err;
    bool total = true;
    json_t *out = NULL;
    if (cw_arg_bool(ctx, "total", false, &total) < 0)
        goto out;
    if (cw_query_list_parse(cw_arg_json(ctx, "queries"), &ctx->req->arena, &list, &err) != 0) {
        cw_res_error(ctx->res, err.type, "%s", err.message);
        goto out;
    }
    json_t *kept = json_array();
    for (size_t i = 0; i < list.nfilters; i++) {
        cw_query_method_t m = list.filters[i]->method;
        if (m != CW_QUERY_EQUAL && m != CW_QUERY_NOT_EQUAL) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_QUERY_INVALID,
                         "Invalid query: Query method not allowed: %s", cw_query_method_name(m));
            json_decref(kept);
            cw_query_list_release(&list);
            goto out;
        }
    }
    size_t idx;
    json_t *item;
    json_array_foreach(items, idx, item)
    {
        bool pass = true;
        for (size_t i = 0; i < list.nfilters && pass; i++)
            pass = filter_passes(item, list.filters[i]);
        if (pass)
            json_array_append(kept, item);
    }
    size_t n = json_array_size(kept), start = 0, end = n;
    if (list.cursor_query != NULL) {
        const char *cursor = json_string_value(cw_query_value(list.cursor_query, 0));
        size_t at = n;
        for (size_t i = 0; cursor != NULL && i < n; i++) {
            const char *id = json_string_value(json_object_get(json_array_get(kept, i), id_field));
            if (id != NULL && strcmp(id, cursor) == 0)
                at = i;
        }
        if (at == n) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_CURSOR_NOT_FOUND,
                         "Document with the requested ID '%s' could not be found.",
                         cursor != NULL ? cursor : "");
            json_decref(kept);
            cw_query_list_release(&list);
            goto out;
        }
        if (list.cursor_query->method == CW_QUERY_CURSOR_AFTER)
            start = at + 1;
        else
            end = at;
    }
    int64_t offset = 0, limit = -1;
    if (list.offset_query != NULL && json_is_integer(cw_query_value(list.offset_query, 0)))
        offset = json_integer_value(cw_query_value(list.offset_query, 0));
    if (list.limit_query != NULL && json_is_integer(cw_query_value(list.limit_query, 0)))
        limit = json_integer_value(cw_query_value(list.limit_query, 0));
    if (list.cursor_query != NULL && list.cursor_query->method == CW_QUERY_CURSOR_BEFORE &&
        limit >= 0 && end - start > (size_t)limit)
        start = end - (size_t)limit;
    if (offset > 0)
        start = start + (size_t)offset < end ? start + (size_t)offset : end;
    if (limit >= 0 && end - start > (size_t)limit)
        end = start + (size_t)limit;
    json_t *page = json_array();
    for (size_t i = start; i < end; i++)
        json_array_append(page, json_array_get(kept, i));
    out = json_object();
    json_object_set_new(out, "total", json_integer(total ? (json_int_t)json_array_size(kept) : 0));
    json_object_set_new(out, plural, page);
    json_decref(kept);
    cw_query_list_release(&list);
    cw__project_json(ctx, 200, out);
out:
    json_decref(items);
}

/* ---- the Project model ---- */

static json_t *mock_numbers_model(const json_t *auths)
{
    json_t *out = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(auths, "mockNumbers"), i, m)
    {
        const char *created = json_string_value(json_object_get(m, "$createdAt"));
        const char *updated = json_string_value(json_object_get(m, "$updatedAt"));
        json_array_append_new(out, json_pack("{s:s?, s:s?, s:s, s:s}", "number",
                                             json_string_value(json_object_get(m, "phone")), "otp",
                                             json_string_value(json_object_get(m, "otp")),
                                             "$createdAt", created != NULL ? created : "",
                                             "$updatedAt", updated != NULL ? updated : ""));
    }
    return out;
}

static const char *smtp_str(const cw_project_t *p, const char *key)
{
    const char *s = json_string_value(json_object_get(p->smtp, key));
    return s != NULL ? s : "";
}

static bool auth_bool(const cw_project_t *p, const char *key, bool fallback)
{
    const json_t *v = json_object_get(p->auths, key);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

/* "tablesdb" → "Tablesdb", as Appwrite names the serviceStatusFor* fields. */
static void capitalised(const char *prefix, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s", prefix, name);
    size_t at = strlen(prefix);
    if (out[at] >= 'a' && out[at] <= 'z')
        out[at] = (char)(out[at] - 'a' + 'A');
}

/* The model as an older client asked for it (X-Appwrite-Response-Format), through Appwrite's
 * response filters: before 1.9.5 no arrays of methods, services and protocols (V26); before
 * 1.9.2 the reply-to address as smtpReplyTo and no membership-privacy fields of 1.9.2 (V23);
 * before 1.9.1 no protocol switches (V22); before 1.9.0 the platforms in their older model
 * (V21). */
static void in_format(cw_ctx_t *ctx, json_t *m)
{
    if (cw_svc_format_before(ctx, 1, 9, 5)) {
        json_object_del(m, "authMethods");
        json_object_del(m, "services");
        json_object_del(m, "protocols");
        size_t i;
        json_t *n;
        json_array_foreach(json_object_get(m, "authMockNumbers"), i, n)
        {
            json_object_set(n, "phone", json_object_get(n, "number"));
            json_object_del(n, "number");
            json_object_del(n, "$createdAt");
            json_object_del(n, "$updatedAt");
        }
    }
    if (cw_svc_format_before(ctx, 1, 9, 2)) {
        json_object_del(m, "authMembershipsUserId");
        json_object_del(m, "authMembershipsUserPhone");
        json_object_set(m, "smtpReplyTo", json_object_get(m, "smtpReplyToEmail"));
        json_object_del(m, "smtpReplyToEmail");
        json_object_del(m, "smtpReplyToName");
    }
    if (cw_svc_format_before(ctx, 1, 9, 1)) {
        for (const char *const *s = protocols; *s != NULL; s++) {
            char field[48];
            capitalised("protocolStatusFor", *s, field, sizeof(field));
            json_object_del(m, field);
        }
    }
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(m, "platforms"), i, v)
        cw__project_platform_in_format(ctx, v);
}

json_t *cw__project_model(cw_ctx_t *ctx, const cw_project_t *p)
{
    const cw_project_auth_t *a = &p->auth;
    json_t *m = json_object();
    json_object_set_new(m, "$id", json_string(p->id));
    json_object_set_new(m, "$createdAt", json_string(cw__project_time(ctx, p->created_at)));
    json_object_set_new(m, "$updatedAt", json_string(cw__project_time(ctx, p->updated_at)));
    json_object_set_new(m, "name", json_string(p->name != NULL ? p->name : ""));
    static const char *const blanks[] = {"description",  "teamId",       "logo",       "url",
                                         "legalName",    "legalCountry", "legalState", "legalCity",
                                         "legalAddress", "legalTaxId",   NULL};
    for (const char *const *b = blanks; *b != NULL; b++)
        json_object_set_new(m, *b, json_string(""));
    json_object_set_new(m, "authDuration", json_integer(a->duration));
    json_object_set_new(m, "authLimit", json_integer(a->limit));
    json_object_set_new(m, "authSessionsLimit", json_integer(a->max_sessions));
    json_object_set_new(m, "authPasswordHistory", json_integer(a->password_history));
    json_object_set_new(m, "authPasswordDictionary", json_boolean(a->password_dictionary));
    json_object_set_new(m, "authPersonalDataCheck", json_boolean(a->personal_data_check));
    json_object_set_new(m, "authDisposableEmails",
                        json_boolean(auth_bool(p, "disposableEmails", false)));
    json_object_set_new(m, "authCanonicalEmails",
                        json_boolean(auth_bool(p, "canonicalEmails", false)));
    json_object_set_new(m, "authFreeEmails", json_boolean(auth_bool(p, "freeEmails", false)));
    json_object_set_new(m, "authMockNumbers", mock_numbers_model(p->auths));
    json_object_set_new(m, "authSessionAlerts", json_boolean(a->session_alerts));
    json_object_set_new(m, "authMembershipsUserName", json_boolean(a->memberships_user_name));
    json_object_set_new(m, "authMembershipsUserEmail", json_boolean(a->memberships_user_email));
    json_object_set_new(m, "authMembershipsMfa", json_boolean(a->memberships_mfa));
    json_object_set_new(m, "authMembershipsUserId", json_boolean(a->memberships_user_id));
    json_object_set_new(m, "authMembershipsUserPhone", json_boolean(a->memberships_user_phone));
    json_object_set_new(m, "authInvalidateSessions", json_boolean(a->invalidate_sessions));
    json_object_set_new(m, "oAuthProviders", cw__project_oauth2_providers(p));
    json_t *platforms = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(p->platforms, i, v)
        json_array_append_new(platforms, cw__project_platform_model(v));
    json_object_set_new(m, "platforms", platforms);
    /* Webhooks are the webhooks service's; dev keys are not made by cwrite. */
    json_object_set_new(m, "webhooks", json_array());
    json_object_set_new(m, "keys", cw__project_keys_models(ctx, p));
    json_object_set_new(m, "devKeys", json_array());
    json_object_set_new(m, "smtpEnabled",
                        json_boolean(json_is_true(json_object_get(p->smtp, "enabled"))));
    json_object_set_new(m, "smtpSenderName", json_string(smtp_str(p, "senderName")));
    json_object_set_new(m, "smtpSenderEmail", json_string(smtp_str(p, "senderEmail")));
    json_object_set_new(m, "smtpReplyToName", json_string(smtp_str(p, "replyToName")));
    const char *reply = smtp_str(p, "replyToEmail");
    json_object_set_new(m, "smtpReplyToEmail",
                        json_string(reply[0] ? reply : smtp_str(p, "replyTo")));
    json_object_set_new(m, "smtpHost", json_string(smtp_str(p, "host")));
    const json_t *port = json_object_get(p->smtp, "port");
    json_object_set_new(m, "smtpPort",
                        json_integer(json_is_integer(port) ? json_integer_value(port) : 0));
    json_object_set_new(m, "smtpUsername", json_string(smtp_str(p, "username")));
    json_object_set_new(m, "smtpPassword", json_string("")); /* write-only, as in Appwrite */
    json_object_set_new(m, "smtpSecure", json_string(smtp_str(p, "secure")));
    json_object_set_new(m, "pingCount", json_integer(0));
    json_object_set_new(m, "pingedAt", json_string(""));
    json_object_set_new(m, "labels", json_deep_copy(p->labels));
    json_object_set_new(m, "status", json_string("active"));
    json_t *methods = json_array();
    for (int k = 0; k < CW_AUTH__COUNT; k++) {
        char field[48];
        capitalised("auth", cw_auth_method_key(k), field, sizeof(field));
        json_object_set_new(m, field, json_boolean(a->methods[k]));
        json_array_append_new(methods, json_pack("{s:s, s:b}", "$id", cw_auth_method_name(k),
                                                 "enabled", a->methods[k]));
    }
    json_t *svc = json_array();
    for (const char *const *s = services; *s != NULL; s++) {
        char field[48];
        capitalised("serviceStatusFor", *s, field, sizeof(field));
        bool on = cw_project_service_enabled(p, *s);
        json_object_set_new(m, field, json_boolean(on));
        json_array_append_new(svc, json_pack("{s:s, s:b}", "$id", *s, "enabled", on));
    }
    json_t *proto = json_array();
    for (const char *const *s = protocols; *s != NULL; s++) {
        char field[48];
        capitalised("protocolStatusFor", *s, field, sizeof(field));
        bool on = !json_is_false(json_object_get(p->protocols, *s));
        json_object_set_new(m, field, json_boolean(on));
        json_array_append_new(proto, json_pack("{s:s, s:b}", "$id", *s, "enabled", on));
    }
    /* The arrays of the newer (2.0) model, which the current SDKs read. */
    json_object_set_new(m, "authMethods", methods);
    json_object_set_new(m, "services", svc);
    json_object_set_new(m, "protocols", proto);
    in_format(ctx, m);
    return m;
}

void cw__project_respond(cw_ctx_t *ctx, const char *id)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_project_t p = {0};
    int rc = cw_console_project_get(t->console, cw_str(id), &p);
    if (rc != CW_OK) {
        cw__project_store_error(ctx, rc, CW_ERR_PROJECT_NOT_FOUND);
        return;
    }
    cw__project_json(ctx, 200, cw__project_model(ctx, &p));
    cw_project_clear(&p);
}

/* ---- GET / DELETE /v1/project, labels ---- */

static void on_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) == 0)
        cw__project_json(ctx, 200, cw__project_model(ctx, p));
}

static void on_delete(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    cw_thread_t *t = cw_ctx_thread(ctx);
    char id[sizeof(p->id)];
    snprintf(id, sizeof(id), "%s", p->id);
    int rc = cw_console_project_delete(t->console, id);
    if (rc != CW_OK) {
        cw__project_store_error(ctx, rc, CW_ERR_PROJECT_NOT_FOUND);
        return;
    }
    /* Appwrite deletes the project's data in its deletes worker; the files go now. */
    if (cw_db_remove(t->cfg->data_dir, id) != 0)
        cw_log(CW_LOG_WARN,
               "msg=\"project deleted, its database files not all removed\" project=%s", id);
    cw_res_empty(ctx->res, 204);
}

static int set_value(json_t *value, void *arg)
{
    json_t *src = arg;
    if (json_is_array(value))
        json_array_clear(value);
    else
        json_object_clear(value);
    if (json_is_array(value))
        json_array_extend(value, src);
    else
        json_object_update(value, src);
    return CW_OK;
}

static void on_labels(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    json_t *labels = cw_arg_json(ctx, "labels");
    if (labels == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Param \"labels\" is required but was not given.");
        return;
    }
    char rule[160];
    snprintf(rule, sizeof(rule),
             "Value must a valid array no longer than %d items and Value must be a valid string "
             "and at least 1 chars and no longer than %d chars",
             LABELS_MAX, LABEL_LEN_MAX);
    if (!json_is_array(labels) || json_array_size(labels) > LABELS_MAX) {
        cw_arg_invalid(ctx, "labels", rule);
        return;
    }
    json_t *unique = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(labels, i, l)
    {
        const char *s = json_string_value(l);
        size_t n = s != NULL ? json_string_length(l) : 0;
        bool ok = s != NULL && n >= 1 && n <= LABEL_LEN_MAX;
        for (size_t k = 0; ok && k < n; k++) {
            char c = s[k];
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        }
        if (!ok) {
            json_decref(unique);
            cw_arg_invalid(ctx, "labels", rule);
            return;
        }
        bool seen = false;
        size_t k;
        json_t *u;
        json_array_foreach(unique, k, u) seen = seen || strcmp(json_string_value(u), s) == 0;
        if (!seen)
            json_array_append(unique, l);
    }
    int rc = cw__project_edit(ctx, p, CW_PROJECT_LABELS, set_value, unique);
    json_decref(unique);
    if (rc == 0)
        cw__project_respond(ctx, p->id);
}

/* ---- auth methods, services, protocols ---- */

typedef struct flag_edit {
    const char *key;
    bool on;
} flag_edit_t;

static int set_flag(json_t *value, void *arg)
{
    flag_edit_t *f = arg;
    json_object_set_new(value, f->key, json_boolean(f->on));
    return CW_OK;
}

/* PATCH …/{name}: one switch of a settings object, the name checked against list (or, for auth
 * methods, the method names). */
static void update_switch(cw_ctx_t *ctx, const char *param, cw_project_setting_t which,
                          const char *const *list)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    cw_str_t name;
    bool on;
    static const char *const methods[] = {"email-password", "magic-url", "email-otp", "anonymous",
                                          "invites",        "jwt",       "phone",     NULL};
    if (cw_arg_enum(ctx, param, true, list != NULL ? list : methods, &name) != 0 ||
        cw_arg_bool(ctx, "enabled", true, &on) != 0)
        return;
    flag_edit_t f = {.on = on};
    if (list == NULL)
        f.key = cw_auth_method_key(cw_auth_method_find(name));
    else
        f.key = cw_arena_strndup(&ctx->req->arena, name.ptr, name.len);
    if (cw__project_edit(ctx, p, which, set_flag, &f) == 0)
        cw__project_respond(ctx, p->id);
}

static void on_auth_method(cw_ctx_t *ctx)
{
    /* Appwrite's request filter V23: before 1.9.2 the switch is `status`. */
    json_t *params = ctx->req->params;
    json_t *status = json_object_get(params, "status");
    if (json_is_object(params) && status != NULL && cw_svc_format_before(ctx, 1, 9, 2)) {
        json_object_set(params, "enabled", status);
        json_object_del(params, "status");
    }
    update_switch(ctx, "methodId", CW_PROJECT_AUTHS, NULL);
}

static void on_service(cw_ctx_t *ctx)
{
    /* The older alias (PATCH /v1/projects/{projectId}/service) names it in the body as
     * `service` and the switch as `status`. */
    json_t *params = ctx->req->params;
    if (cw_req_path_param(ctx->req, "serviceId").ptr == NULL && json_is_object(params)) {
        if (json_object_get(params, "serviceId") == NULL && json_object_get(params, "service"))
            json_object_set(params, "serviceId", json_object_get(params, "service"));
        if (json_object_get(params, "enabled") == NULL && json_object_get(params, "status"))
            json_object_set(params, "enabled", json_object_get(params, "status"));
    }
    update_switch(ctx, "serviceId", CW_PROJECT_SERVICES, services);
}

static void on_protocol(cw_ctx_t *ctx)
{
    json_t *params = ctx->req->params;
    if (cw_req_path_param(ctx->req, "protocolId").ptr == NULL && json_is_object(params)) {
        if (json_object_get(params, "protocolId") == NULL && json_object_get(params, "api"))
            json_object_set(params, "protocolId", json_object_get(params, "api"));
        if (json_object_get(params, "enabled") == NULL && json_object_get(params, "status"))
            json_object_set(params, "enabled", json_object_get(params, "status"));
    }
    update_switch(ctx, "protocolId", CW_PROJECT_PROTOCOLS, protocols);
}

/* ---- SMTP ---- */

/* Checks the settings the change leads to (from the cached project; the write below applies
 * the same change to what is stored) and decides `enabled`. As Appwrite: an enabled server needs
 * host, port and sender; it is tried (greeting, STARTTLS, login) unless the caller turns SMTP
 * off, and one that answers enables a change made without `enabled`. The try happens outside the
 * store's write transaction, which it could otherwise hold for seconds. Returns 0, or -1 with the
 * error written. */
static int smtp_decide(cw_ctx_t *ctx, const cw_project_t *p, json_t *changes, bool enabled_given)
{
    json_t *smtp = json_deep_copy(p->smtp);
    int rc = -1;
    json_object_update(smtp, changes);
    if (json_is_true(json_object_get(smtp, "enabled"))) {
        static const char *const required[] = {"host", "port", "senderEmail", NULL};
        for (const char *const *k = required; *k != NULL; k++) {
            const json_t *v = json_object_get(smtp, *k);
            if (v == NULL || (json_is_string(v) && json_string_length(v) == 0) ||
                (json_is_integer(v) && json_integer_value(v) == 0)) {
                cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                             "Param \"%s\" is not optional.", *k);
                goto out;
            }
        }
    }
    const char *sender = json_string_value(json_object_get(smtp, "senderEmail"));
    if ((!enabled_given || json_is_true(json_object_get(smtp, "enabled"))) && sender != NULL &&
        sender[0] != '\0') {
        char why[256] = "";
        int check = cw_mail_smtp_check(smtp, why, sizeof(why));
        if (check == CW_OK && !enabled_given)
            json_object_set_new(changes, "enabled", json_true());
        if (check != CW_OK && json_is_true(json_object_get(smtp, "enabled"))) {
            cw_res_error(ctx->res, CW_ERR_PROJECT_SMTP_CONFIG_INVALID, "%s", why);
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(smtp);
    return rc;
}

static int edit_smtp(json_t *smtp, void *arg)
{
    json_object_update(smtp, (json_t *)arg);
    if (json_object_get(smtp, "replyToEmail") == NULL) {
        const char *old = json_string_value(json_object_get(smtp, "replyTo"));
        json_object_set_new(smtp, "replyToEmail", json_string(old != NULL ? old : ""));
    }
    return CW_OK;
}

static void on_smtp(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    /* Appwrite's request filter V23: before 1.9.2 the reply-to address is `replyTo`. */
    json_t *params = ctx->req->params;
    json_t *old_reply = json_object_get(params, "replyTo");
    if (json_is_object(params) && old_reply != NULL && cw_svc_format_before(ctx, 1, 9, 2)) {
        json_object_set(params, "replyToEmail", old_reply);
        json_object_del(params, "replyTo");
    }
    json_t *changes = json_object();
    static const char *const texts[] = {"host",       "username",    "password",
                                        "senderName", "replyToName", NULL};
    static const char *const emails[] = {"senderEmail", "replyToEmail", NULL};
    for (const char *const *k = texts; *k != NULL; k++) {
        const char *v;
        if (cw_arg_text(ctx, *k, false, 256, &v) != 0)
            goto out;
        if (v != NULL && strcmp(*k, "host") == 0 && v[0] != '\0' &&
            (strpbrk(v, " /:@?#") != NULL || strlen(v) > 253)) {
            cw_arg_invalid(ctx, "host",
                           "Value must be a valid hostname without path, port and "
                           "protocol.");
            goto out;
        }
        if (v != NULL)
            json_object_set_new(changes, *k, json_string(v));
    }
    for (const char *const *k = emails; *k != NULL; k++) {
        const char *v;
        if (cw__project_arg_email(ctx, *k, false, true, &v) != 0)
            goto out;
        if (v != NULL)
            json_object_set_new(changes, *k, json_string(v));
    }
    int64_t port;
    int r = cw_arg_int(ctx, "port", false, INT32_MIN, INT32_MAX, &port);
    if (r < 0)
        goto out;
    if (r == 0)
        json_object_set_new(changes, "port", json_integer(port));
    static const char *const secure[] = {"tls", "ssl", NULL};
    cw_str_t sec;
    json_t *sv = cw_arg_json(ctx, "secure");
    if (json_is_string(sv) && json_string_length(sv) == 0) {
        json_object_set_new(changes, "secure", json_string(""));
    } else {
        r = cw_arg_enum(ctx, "secure", false, secure, &sec);
        if (r < 0)
            goto out;
        if (r == 0)
            json_object_set_new(changes, "secure", json_stringn(sec.ptr, sec.len));
    }
    bool on;
    r = cw_arg_bool(ctx, "enabled", false, &on);
    if (r < 0)
        goto out;
    if (r == 0)
        json_object_set_new(changes, "enabled", json_boolean(on));
    if (smtp_decide(ctx, p, changes, r == 0) == 0 &&
        cw__project_edit(ctx, p, CW_PROJECT_SMTP, edit_smtp, changes) == 0)
        cw__project_respond(ctx, p->id);
out:
    json_decref(changes);
}

static void on_smtp_test(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    json_t *emails = cw_arg_json(ctx, "emails");
    if (emails == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Param \"emails\" is required but was not given.");
        return;
    }
    char rule[128];
    snprintf(rule, sizeof(rule),
             "Value must a valid array no longer than %d items and Value must be a valid email "
             "address",
             SMTP_TEST_EMAILS_MAX);
    if (!json_is_array(emails) || json_array_size(emails) > SMTP_TEST_EMAILS_MAX) {
        cw_arg_invalid(ctx, "emails", rule);
        return;
    }
    size_t i;
    json_t *e;
    json_array_foreach(emails, i, e)
    {
        if (!json_is_string(e) || !cw_valid_email(json_string_value(e))) {
            cw_arg_invalid(ctx, "emails", rule);
            return;
        }
    }
    /* The older callers send the server inline (host, port, …); it is then used as given. */
    const char *host;
    if (cw_arg_text(ctx, "host", false, 256, &host) != 0)
        return;
    json_t *smtp;
    if (host != NULL && host[0] != '\0') {
        smtp = json_object();
        static const char *const keys[] = {"host",       "username",    "password", "secure",
                                           "senderName", "senderEmail", "replyTo",  NULL};
        for (const char *const *k = keys; *k != NULL; k++) {
            const char *v;
            if (cw_arg_text(ctx, *k, false, 256, &v) != 0) {
                json_decref(smtp);
                return;
            }
            json_object_set_new(smtp, strcmp(*k, "replyTo") == 0 ? "replyToEmail" : *k,
                                json_string(v != NULL ? v : ""));
        }
        int64_t port = 0;
        if (cw_arg_int(ctx, "port", false, 0, 65535, &port) < 0) {
            json_decref(smtp);
            return;
        }
        json_object_set_new(smtp, "port", json_integer(port));
    } else {
        if (!json_is_true(json_object_get(p->smtp, "enabled"))) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "SMTP must be enabled on the project to send a test email.");
            return;
        }
        smtp = json_deep_copy(p->smtp);
    }
    static const struct {
        const char *key, *what;
    } needed[] = {{"senderEmail", "sender email"}, {"host", "host"}, {"port", "port"}};
    for (size_t k = 0; k < sizeof(needed) / sizeof(needed[0]); k++) {
        const json_t *v = json_object_get(smtp, needed[k].key);
        if (v == NULL || (json_is_string(v) && json_string_length(v) == 0) ||
            (json_is_integer(v) && json_integer_value(v) == 0)) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "SMTP %s must be configured on the project to send a test email.",
                         needed[k].what);
            json_decref(smtp);
            return;
        }
    }
    const char *sender = json_string_value(json_object_get(smtp, "senderEmail"));
    const char *sender_name = json_string_value(json_object_get(smtp, "senderName"));
    const char *reply = json_string_value(json_object_get(smtp, "replyToEmail"));
    const char *reply_name = json_string_value(json_object_get(smtp, "replyToName"));
    char from[600], reply_to[600];
    snprintf(from, sizeof(from), "%s (%s)", sender_name ? sender_name : "", sender);
    snprintf(reply_to, sizeof(reply_to), "%s (%s)",
             reply_name && reply_name[0] ? reply_name : (sender_name ? sender_name : ""),
             reply && reply[0] ? reply : sender);
    json_t *vars = json_pack("{s:s, s:s}", "from", from, "replyTo", reply_to);
    int rc = 0;
    json_array_foreach(emails, i, e)
    {
        rc = cw_svc_mail_with(ctx, "smtpTest", json_string_value(e), NULL, vars, smtp);
        if (rc != 0)
            break;
    }
    json_decref(vars);
    json_decref(smtp);
    if (rc == 0)
        cw_res_empty(ctx->res, 204);
}

/* ---- mock phones (auths.mockNumbers) ---- */

typedef struct mock_edit {
    cw_ctx_t *ctx;
    const char *number;
    const char *otp; /* NULL: delete */
    bool create;
    json_t *result; /* the entry after the change */
} mock_edit_t;

static int edit_mock(json_t *auths, void *arg)
{
    mock_edit_t *e = arg;
    json_t *list = json_object_get(auths, "mockNumbers");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(auths, "mockNumbers", list);
    }
    size_t i, at = (size_t)-1;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        const char *phone = json_string_value(json_object_get(m, "phone"));
        if (phone != NULL && strcmp(phone, e->number) == 0)
            at = i;
    }
    const char *now = cw__project_time(e->ctx, cw_time_now_ms());
    if (e->create) {
        if (at != (size_t)-1) {
            cw_res_error(e->ctx->res, CW_ERR_MOCK_NUMBER_ALREADY_EXISTS, NULL);
            return CW_EINVAL;
        }
        if (json_array_size(list) >= CW_AUTH_MOCK_NUMBERS_MAX) {
            cw_res_error(e->ctx->res, CW_ERR_MOCK_NUMBER_LIMIT_EXCEEDED, NULL);
            return CW_EINVAL;
        }
        m = json_pack("{s:s, s:s, s:s, s:s}", "phone", e->number, "otp", e->otp, "$createdAt", now,
                      "$updatedAt", now);
        json_array_append_new(list, m);
    } else {
        if (at == (size_t)-1) {
            cw_res_error(e->ctx->res, CW_ERR_MOCK_NUMBER_NOT_FOUND, NULL);
            return CW_EINVAL;
        }
        m = json_array_get(list, at);
        if (e->otp == NULL) {
            json_array_remove(list, at);
            return CW_OK;
        }
        json_object_set_new(m, "otp", json_string(e->otp));
        json_object_set_new(m, "$updatedAt", json_string(now));
    }
    json_t *wrap = json_pack("{s:[O]}", "mockNumbers", m);
    json_t *models = mock_numbers_model(wrap);
    e->result = json_incref(json_array_get(models, 0));
    json_decref(models);
    json_decref(wrap);
    return CW_OK;
}

static int arg_number(cw_ctx_t *ctx, const char **out)
{
    if (cw_arg_text(ctx, "number", true, 0, out) != 0)
        return -1;
    if (!cw_valid_phone(*out))
        return cw_arg_invalid(ctx, "number",
                              "Phone number must start with a '+' can have a maximum of fifteen "
                              "digits.");
    return 0;
}

static int arg_otp(cw_ctx_t *ctx, const char **out)
{
    if (cw_arg_text(ctx, "otp", true, 0, out) != 0)
        return -1;
    if (strlen(*out) != 6 || strspn(*out, "0123456789") != 6)
        return cw_arg_invalid(ctx, "otp", "Value must be a valid string and exactly 6 chars");
    return 0;
}

static void mock_change(cw_ctx_t *ctx, bool create, bool remove)
{
    const cw_project_t *p;
    mock_edit_t e = {.ctx = ctx, .create = create};
    if (cw__project_target(ctx, &p) != 0 || arg_number(ctx, &e.number) != 0 ||
        (!remove && arg_otp(ctx, &e.otp) != 0))
        return;
    if (cw__project_edit(ctx, p, CW_PROJECT_AUTHS, edit_mock, &e) != 0)
        return;
    if (remove) {
        cw_res_empty(ctx->res, 204);
        return;
    }
    cw__project_json(ctx, create ? 201 : 200, e.result);
}

static void on_mock_create(cw_ctx_t *ctx)
{
    mock_change(ctx, true, false);
}

static void on_mock_update(cw_ctx_t *ctx)
{
    mock_change(ctx, false, false);
}

static void on_mock_delete(cw_ctx_t *ctx)
{
    mock_change(ctx, false, true);
}

static int replace_mocks(json_t *auths, void *arg)
{
    json_object_set(auths, "mockNumbers", (json_t *)arg);
    return CW_OK;
}

/* The older PATCH /v1/projects/{projectId}/auth/mock-numbers: the whole list at once. */
static void on_mock_replace(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    json_t *numbers = cw_arg_json(ctx, "numbers");
    static const char rule[] = "Value must a valid array no longer than 10 items and Phone "
                               "number must start with a '+' can have a maximum of fifteen digits "
                               "and the OTP must be 6 digits";
    if (!json_is_array(numbers) || json_array_size(numbers) > CW_AUTH_MOCK_NUMBERS_MAX) {
        cw_arg_invalid(ctx, "numbers", rule);
        return;
    }
    json_t *list = json_array();
    const char *now = cw__project_time(ctx, cw_time_now_ms());
    size_t i, k;
    json_t *n, *seen;
    json_array_foreach(numbers, i, n)
    {
        const char *phone = json_string_value(json_object_get(n, "phone"));
        const char *otp = json_string_value(json_object_get(n, "otp"));
        if (phone == NULL || otp == NULL || !cw_valid_phone(phone) || strlen(otp) != 6 ||
            strspn(otp, "0123456789") != 6) {
            json_decref(list);
            cw_arg_invalid(ctx, "numbers", rule);
            return;
        }
        json_array_foreach(list, k, seen)
        {
            if (strcmp(json_string_value(json_object_get(seen, "phone")), phone) == 0) {
                json_decref(list);
                cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST,
                             "Duplicate phone numbers are not allowed.");
                return;
            }
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "phone", phone, "otp", otp,
                                              "$createdAt", now, "$updatedAt", now));
    }
    int rc = cw__project_edit(ctx, p, CW_PROJECT_AUTHS, replace_mocks, list);
    json_decref(list);
    if (rc == 0)
        cw__project_respond(ctx, p->id);
}

static void on_mock_list(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) == 0)
        cw__project_list(ctx, mock_numbers_model(p->auths), "mockNumbers", "number");
}

static void on_mock_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *number;
    if (cw__project_target(ctx, &p) != 0 || arg_number(ctx, &number) != 0)
        return;
    json_t *all = mock_numbers_model(p->auths);
    size_t i;
    json_t *m;
    json_array_foreach(all, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "number")), number) == 0) {
            cw__project_json(ctx, 200, json_incref(m));
            json_decref(all);
            return;
        }
    }
    json_decref(all);
    cw_res_error(ctx->res, CW_ERR_MOCK_NUMBER_NOT_FOUND, NULL);
}

/* ---- variables ---- */

static json_t *variable_model(const cw_project_t *p, const json_t *v)
{
    json_t *m = json_deep_copy(v);
    /* A secret's value is never read back, as in Appwrite. */
    if (json_is_true(json_object_get(m, "secret")))
        json_object_set_new(m, "value", json_string(""));
    json_object_set_new(m, "resourceType", json_string("project"));
    json_object_set_new(m, "resourceId", json_string(""));
    return m;
}

typedef struct var_edit {
    cw_ctx_t *ctx;
    const char *id;
    const char *key, *value;
    int secret; /* -1: not given */
    int op;     /* 0 create, 1 update, 2 delete */
    json_t *result;
} var_edit_t;

static int edit_variable(json_t *vars, void *arg)
{
    var_edit_t *e = arg;
    size_t i, at = (size_t)-1;
    json_t *v;
    json_array_foreach(vars, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "$id")) ?: "", e->id) == 0)
            at = i;
        else if (e->key != NULL && e->op != 2 &&
                 strcmp(json_string_value(json_object_get(v, "key")) ?: "", e->key) == 0) {
            cw_res_error(e->ctx->res, CW_ERR_VARIABLE_ALREADY_EXISTS, NULL);
            return CW_EINVAL;
        }
    }
    const char *now = cw__project_time(e->ctx, cw_time_now_ms());
    if (e->op == 0) {
        if (at != (size_t)-1) {
            cw_res_error(e->ctx->res, CW_ERR_VARIABLE_ALREADY_EXISTS, NULL);
            return CW_EINVAL;
        }
        v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "$id", e->id, "$createdAt", now,
                      "$updatedAt", now, "key", e->key, "value", e->value, "secret",
                      e->secret == 1);
        json_array_append_new(vars, v);
        e->result = json_incref(v);
        return CW_OK;
    }
    if (at == (size_t)-1) {
        cw_res_error(e->ctx->res, CW_ERR_VARIABLE_NOT_FOUND, NULL);
        return CW_EINVAL;
    }
    v = json_array_get(vars, at);
    if (e->op == 2)
        return json_array_remove(vars, at) == 0 ? CW_OK : CW_EIO;
    if (e->secret == 0 && json_is_true(json_object_get(v, "secret"))) {
        cw_res_error(e->ctx->res, CW_ERR_VARIABLE_CANNOT_UNSET_SECRET, NULL);
        return CW_EINVAL;
    }
    if (e->key != NULL)
        json_object_set_new(v, "key", json_string(e->key));
    if (e->value != NULL)
        json_object_set_new(v, "value", json_string(e->value));
    if (e->secret >= 0)
        json_object_set_new(v, "secret", json_boolean(e->secret));
    json_object_set_new(v, "$updatedAt", json_string(now));
    e->result = json_incref(v);
    return CW_OK;
}

static void variable_change(cw_ctx_t *ctx, int op)
{
    const cw_project_t *p;
    var_edit_t e = {.ctx = ctx, .op = op, .secret = -1};
    if (cw__project_target(ctx, &p) != 0 ||
        cw__project_arg_id(ctx, "variableId", op == 0, &e.id) != 0)
        return;
    if (op != 2) {
        bool secret;
        int r;
        if (cw_arg_text(ctx, "key", op == 0, VARIABLE_KEY_MAX, &e.key) != 0 ||
            cw_arg_text(ctx, "value", op == 0, VARIABLE_VALUE_MAX, &e.value) != 0 ||
            (r = cw_arg_bool(ctx, "secret", false, &secret)) < 0)
            return;
        if (r == 0)
            e.secret = secret;
        if (e.key != NULL && e.key[0] == '\0') {
            cw_arg_invalid(ctx, "key",
                           "Value must be a valid string and at least 1 chars and no "
                           "longer than 255 chars");
            return;
        }
    }
    if (cw__project_edit(ctx, p, CW_PROJECT_VARIABLES, edit_variable, &e) != 0)
        return;
    if (op == 2) {
        cw_res_empty(ctx->res, 204);
        return;
    }
    cw__project_json(ctx, op == 0 ? 201 : 200, variable_model(p, e.result));
    json_decref(e.result);
}

static void on_var_create(cw_ctx_t *ctx)
{
    variable_change(ctx, 0);
}

static void on_var_update(cw_ctx_t *ctx)
{
    variable_change(ctx, 1);
}

static void on_var_delete(cw_ctx_t *ctx)
{
    variable_change(ctx, 2);
}

static void on_var_list(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    json_t *all = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(p->variables, i, v) json_array_append_new(all, variable_model(p, v));
    cw__project_list(ctx, all, "variables", "$id");
}

static void on_var_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id;
    if (cw__project_target(ctx, &p) != 0 || cw__project_arg_id(ctx, "variableId", false, &id) != 0)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(p->variables, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "$id")) ?: "", id) == 0) {
            cw__project_json(ctx, 200, variable_model(p, v));
            return;
        }
    }
    cw_res_error(ctx->res, CW_ERR_VARIABLE_NOT_FOUND, NULL);
}

/* ---- routes ---- */

#define OFF CW_ROUTE_OFFLOAD
/* The aliases are for console members: the middleware grants a member the scopes of their role
 * in the project's organisation, and cw_console_target_project checks the membership. */
#define ALIAS(m, path, scope, h)                                                                   \
    {                                                                                              \
        m, "/v1/projects/{projectId}" path, scope, h, OFF                                          \
    }

const cw_route_t cw_project_routes[] = {
    {"GET", "/v1/project", "project.read", on_get, OFF},
    {"DELETE", "/v1/project", "project.write", on_delete, OFF},
    {"PUT", "/v1/project/labels", "project.write", on_labels, OFF},
    {"PATCH", "/v1/project/auth-methods/{methodId}", "project.write", on_auth_method, OFF},
    {"PATCH", "/v1/project/services/{serviceId}", "project.write", on_service, OFF},
    {"PATCH", "/v1/project/services/{serviceId}/status", "project.write", on_service, OFF},
    {"PATCH", "/v1/project/protocols/{protocolId}", "project.write", on_protocol, OFF},
    {"PATCH", "/v1/project/protocols/{protocolId}/status", "project.write", on_protocol, OFF},
    {"PATCH", "/v1/project/smtp", "project.write", on_smtp, OFF},
    {"POST", "/v1/project/smtp/tests", "project.write", on_smtp_test, OFF},

    {"GET", "/v1/project/keys", "keys.read", cw__project_keys_list, OFF},
    {"POST", "/v1/project/keys", "keys.write", cw__project_keys_create, OFF},
    {"POST", "/v1/project/keys/ephemeral", "keys.write", cw__project_keys_ephemeral, OFF},
    {"GET", "/v1/project/keys/{keyId}", "keys.read", cw__project_keys_get, OFF},
    {"PUT", "/v1/project/keys/{keyId}", "keys.write", cw__project_keys_update, OFF},
    {"DELETE", "/v1/project/keys/{keyId}", "keys.write", cw__project_keys_delete, OFF},

    {"GET", "/v1/project/platforms", "platforms.read", cw__project_platforms_list, OFF},
    {"POST", "/v1/project/platforms/{type}", "platforms.write", cw__project_platforms_create, OFF},
    {"PUT", "/v1/project/platforms/{type}/{platformId}", "platforms.write",
     cw__project_platforms_update, OFF},
    {"GET", "/v1/project/platforms/{platformId}", "platforms.read", cw__project_platforms_get, OFF},
    {"DELETE", "/v1/project/platforms/{platformId}", "platforms.write",
     cw__project_platforms_delete, OFF},

    {"GET", "/v1/project/policies", "policies.read,project.policies.read",
     cw__project_policies_list, OFF},
    {"GET", "/v1/project/policies/{policyId}", "policies.read,project.policies.read",
     cw__project_policies_get, OFF},
    {"PATCH", "/v1/project/policies/{policyId}", "policies.write,project.policies.write",
     cw__project_policies_update, OFF},

    {"GET", "/v1/project/mock-phones", "mocks.read", on_mock_list, OFF},
    {"POST", "/v1/project/mock-phones", "mocks.write", on_mock_create, OFF},
    {"GET", "/v1/project/mock-phones/{number}", "mocks.read", on_mock_get, OFF},
    {"PUT", "/v1/project/mock-phones/{number}", "mocks.write", on_mock_update, OFF},
    {"DELETE", "/v1/project/mock-phones/{number}", "mocks.write", on_mock_delete, OFF},

    {"GET", "/v1/project/oauth2", "oauth2.read,project.oauth2.read", cw__project_oauth2_list, OFF},
    {"GET", "/v1/project/oauth2/{provider}", "oauth2.read,project.oauth2.read",
     cw__project_oauth2_get, OFF},
    {"PATCH", "/v1/project/oauth2/{provider}", "oauth2.write,project.oauth2.write",
     cw__project_oauth2_update, OFF},

    {"GET", "/v1/project/templates/email", "templates.read", cw__project_templates_list, OFF},
    {"PATCH", "/v1/project/templates/email", "templates.write", cw__project_templates_update, OFF},
    {"GET", "/v1/project/templates/email/{templateId}", "templates.read", cw__project_templates_get,
     OFF},

    {"GET", "/v1/project/variables", "project.read", on_var_list, OFF},
    {"POST", "/v1/project/variables", "project.write", on_var_create, OFF},
    {"GET", "/v1/project/variables/{variableId}", "project.read", on_var_get, OFF},
    {"PUT", "/v1/project/variables/{variableId}", "project.write", on_var_update, OFF},
    {"DELETE", "/v1/project/variables/{variableId}", "project.write", on_var_delete, OFF},

    /* Appwrite's older paths for the same operations (GET /v1/projects/{projectId} is the
     * projects service's). */
    ALIAS("DELETE", "", "projects.write", on_delete),
    ALIAS("PUT", "/labels", "project.write", on_labels),
    ALIAS("PATCH", "/auth/{methodId}", "project.write", on_auth_method),
    ALIAS("PATCH", "/service", "project.write", on_service),
    ALIAS("PATCH", "/api", "project.write", on_protocol),
    ALIAS("PATCH", "/smtp", "project.write", on_smtp),
    ALIAS("POST", "/smtp/tests", "project.write", on_smtp_test),
    ALIAS("GET", "/keys", "keys.read", cw__project_keys_list),
    ALIAS("POST", "/keys", "keys.write", cw__project_keys_create),
    ALIAS("POST", "/jwts", "keys.write", cw__project_keys_ephemeral),
    ALIAS("GET", "/keys/{keyId}", "keys.read", cw__project_keys_get),
    ALIAS("PUT", "/keys/{keyId}", "keys.write", cw__project_keys_update),
    ALIAS("DELETE", "/keys/{keyId}", "keys.write", cw__project_keys_delete),
    ALIAS("GET", "/platforms", "platforms.read", cw__project_platforms_list),
    ALIAS("POST", "/platforms", "platforms.write", cw__project_platforms_create),
    ALIAS("GET", "/platforms/{platformId}", "platforms.read", cw__project_platforms_get),
    ALIAS("PUT", "/platforms/{platformId}", "platforms.write", cw__project_platforms_update),
    ALIAS("DELETE", "/platforms/{platformId}", "platforms.write", cw__project_platforms_delete),
    ALIAS("PATCH", "/auth/memberships-privacy", "policies.write,project.policies.write", cw__project_policies_update),
    ALIAS("PATCH", "/auth/password-dictionary", "policies.write,project.policies.write", cw__project_policies_update),
    ALIAS("PATCH", "/auth/password-history", "policies.write,project.policies.write", cw__project_policies_update),
    ALIAS("PATCH", "/auth/personal-data", "policies.write,project.policies.write", cw__project_policies_update),
    ALIAS("PATCH", "/auth/session-alerts", "policies.write,project.policies.write", cw__project_policies_update),
    ALIAS("PATCH", "/auth/duration", "policies.write,project.policies.write", cw__project_policies_update),
    ALIAS("PATCH", "/auth/session-invalidation", "policies.write,project.policies.write", cw__project_policies_update),
    ALIAS("PATCH", "/auth/max-sessions", "policies.write,project.policies.write", cw__project_policies_update),
    ALIAS("PATCH", "/auth/limit", "policies.write,project.policies.write", cw__project_policies_update),
    ALIAS("PATCH", "/auth/mock-numbers", "mocks.write", on_mock_replace),
    ALIAS("PATCH", "/oauth2", "oauth2.write,project.oauth2.write", cw__project_oauth2_update),
    ALIAS("GET", "/templates/email/{templateId}/{locale}", "templates.read", cw__project_templates_get),
    ALIAS("PATCH", "/templates/email", "templates.write", cw__project_templates_update),
    ALIAS("PATCH", "/templates/email/{templateId}/{locale}", "templates.write", cw__project_templates_update),
    ALIAS("DELETE", "/templates/email", "templates.write", cw__project_templates_delete),
    ALIAS("DELETE", "/templates/email/{type}/{locale}", "templates.write", cw__project_templates_delete),
};
const size_t cw_project_routes_count = sizeof(cw_project_routes) / sizeof(cw_project_routes[0]);
