/* The project's API keys (/v1/project/keys…): the same records `cwrite keys` manages, and the
 * ephemeral keys, short-lived JWTs that carry their scopes and are stored nowhere. */
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/scopes.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "http/args.h"
#include "services/api.h"
#include "services/internal_api.h"
#include "services/project_internal.h"

#define KEY_NAME_MAX 128
#define KEY_SCOPES_MAX 100 /* APP_LIMIT_ARRAY_SCOPES_SIZE */
#define EPHEMERAL_DURATION_MAX 3600

static json_t *key_model(cw_ctx_t *ctx, const cw_key_t *k, const char *secret)
{
    json_t *scopes = json_array();
    for (size_t i = 0; i < k->nscopes; i++)
        json_array_append_new(scopes, json_string(k->scopes[i]));
    /* Only the hash of a secret is kept, so it is shown once: when the key is made. */
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:[]}", "$id", k->id, "$createdAt",
                     cw__project_time(ctx, k->created_at), "$updatedAt",
                     cw__project_time(ctx, k->updated_at), "name", k->name != NULL ? k->name : "",
                     "expire", k->expire != 0 ? cw__project_time(ctx, k->expire) : "", "scopes",
                     scopes, "secret", secret != NULL ? secret : "", "accessedAt",
                     k->accessed_at != 0 ? cw__project_time(ctx, k->accessed_at) : "", "sdks");
}

typedef struct collect {
    cw_ctx_t *ctx;
    json_t *out;
} collect_t;

static int collect_key(const cw_key_t *k, void *arg)
{
    collect_t *c = arg;
    json_array_append_new(c->out, key_model(c->ctx, k, NULL));
    return 0;
}

json_t *cw__project_keys_models(cw_ctx_t *ctx, const cw_project_t *p)
{
    collect_t c = {ctx, json_array()};
    cw_console_key_each(cw_ctx_thread(ctx)->console, p->id, collect_key, &c);
    return c.out;
}

/* `scopes`: an array of known scopes, NULL-terminated into the arena. */
static int arg_scopes(cw_ctx_t *ctx, const char ***out)
{
    json_t *v = cw_arg_json(ctx, "scopes");
    static const char rule[] = "Value must a valid array no longer than 100 items and Value must "
                               "be one of the allowed values";
    if (v == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Param \"scopes\" is required but was not given.");
        return -1;
    }
    if (!json_is_array(v) || json_array_size(v) > KEY_SCOPES_MAX)
        return cw_arg_invalid(ctx, "scopes", rule);
    size_t n = json_array_size(v);
    const char **scopes = cw_arena_alloc(&ctx->req->arena, (n + 1) * sizeof(char *));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(v, i);
        if (!json_is_string(s) || !cw_scope_known(cw_str(json_string_value(s))))
            return cw_arg_invalid(ctx, "scopes", rule);
        bool dup = false;
        for (size_t k = 0; k < m; k++)
            dup = dup || strcmp(scopes[k], json_string_value(s)) == 0;
        if (!dup)
            scopes[m++] = json_string_value(s);
    }
    scopes[m] = NULL;
    *out = scopes;
    return 0;
}

/* `expire`: an ISO-8601 time, or null / absent for never (0). */
static int arg_expire(cw_ctx_t *ctx, int64_t *out)
{
    json_t *v = cw_arg_json(ctx, "expire");
    *out = 0;
    if (v == NULL)
        return 0;
    if (!json_is_string(v) ||
        cw_time_parse((cw_str_t){json_string_value(v), json_string_length(v)}, out) != 0)
        return cw_arg_invalid(ctx, "expire", "Value must be valid date in ISO 8601 format.");
    return 0;
}

static int arg_name(cw_ctx_t *ctx, const char **out)
{
    return cw_arg_text(ctx, "name", true, KEY_NAME_MAX, out);
}

void cw__project_keys_list(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) == 0)
        cw__project_list(ctx, cw__project_keys_models(ctx, p), "keys", "$id");
}

void cw__project_keys_create(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id, *name, **scopes;
    int64_t expire;
    if (cw__project_target(ctx, &p) != 0)
        return;
    /* A key cannot mint a lasting key (Appwrite: only a signed-in console user may). */
    if (cw_ctx_auth(ctx)->has_key) {
        cw_res_error(ctx->res, CW_ERR_KEY_CREATION_DENIED, NULL);
        return;
    }
    /* Appwrite's request filters: a client before 1.9.0 sends no keyId (one is made). */
    json_t *params = ctx->req->params;
    if (json_is_object(params) && cw_svc_format_before(ctx, 1, 9, 0) &&
        json_object_get(params, "keyId") == NULL)
        json_object_set_new(params, "keyId", json_string("unique()"));
    if (cw__project_arg_id(ctx, "keyId", true, &id) != 0 || arg_name(ctx, &name) != 0 ||
        arg_scopes(ctx, &scopes) != 0 || arg_expire(ctx, &expire) != 0)
        return;
    char secret[CW_KEY_SECRET_LEN + 1];
    cw_key_t key = {0};
    int rc = cw_console_key_create_id(cw_ctx_thread(ctx)->console, p->id, id, name, scopes, expire,
                                      &key, secret);
    if (rc == CW_EEXIST) {
        cw_res_error(ctx->res, CW_ERR_KEY_ALREADY_EXISTS, NULL);
        return;
    }
    if (rc != CW_OK) {
        cw__project_store_error(ctx, rc, CW_ERR_PROJECT_NOT_FOUND);
        return;
    }
    cw__project_json(ctx, 201, key_model(ctx, &key, secret));
    cw_key_clear(&key);
}

void cw__project_keys_ephemeral(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char **scopes;
    int64_t duration;
    if (cw__project_target(ctx, &p) != 0 || arg_scopes(ctx, &scopes) != 0 ||
        cw_arg_int(ctx, "duration", true, 1, EPHEMERAL_DURATION_MAX, &duration) != 0)
        return;
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    json_t *list = json_array();
    for (const char **s = scopes; *s != NULL; s++)
        json_array_append_new(list, json_string(*s));
    json_t *claims = json_pack("{s:s, s:o}", "projectId", p->id, "scopes", list);
    int64_t now = cw_time_now_ms();
    cw_buf_t token = CW_BUF_INIT;
    cw_buf_append_str(&token, CW_KEY_EPHEMERAL_PREFIX);
    int rc = cw_jwt_encode(cw_str(cfg->openssl_key), claims, now / 1000, duration, &token);
    json_decref(claims);
    if (rc != 0) {
        cw_buf_free(&token);
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return;
    }
    cw_buf_append_char(&token, '\0');
    char id[CW_ID_LEN + 1];
    cw_id_unique(id);
    cw_key_t key = {.created_at = now,
                    .updated_at = now,
                    .expire = now + duration * 1000,
                    .scopes = (char **)scopes,
                    .name = ""};
    snprintf(key.id, sizeof(key.id), "%s", id);
    while (key.scopes[key.nscopes] != NULL)
        key.nscopes++;
    cw__project_json(ctx, 201, key_model(ctx, &key, token.ptr));
    cw_buf_free(&token);
}

static int arg_key_id(cw_ctx_t *ctx, const char **id)
{
    return cw__project_arg_id(ctx, "keyId", false, id);
}

void cw__project_keys_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id;
    if (cw__project_target(ctx, &p) != 0 || arg_key_id(ctx, &id) != 0)
        return;
    cw_key_t key = {0};
    int rc = cw_console_key_get(cw_ctx_thread(ctx)->console, p->id, id, &key);
    if (rc != CW_OK) {
        cw__project_store_error(ctx, rc, CW_ERR_KEY_NOT_FOUND);
        return;
    }
    cw__project_json(ctx, 200, key_model(ctx, &key, NULL));
    cw_key_clear(&key);
}

void cw__project_keys_update(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id, *name, **scopes;
    int64_t expire;
    if (cw__project_target(ctx, &p) != 0 || arg_key_id(ctx, &id) != 0 ||
        arg_name(ctx, &name) != 0 || arg_scopes(ctx, &scopes) != 0 || arg_expire(ctx, &expire) != 0)
        return;
    cw_console_t *c = cw_ctx_thread(ctx)->console;
    int rc = cw_console_key_update(c, p->id, id, name, scopes, expire);
    cw_key_t key = {0};
    if (rc == CW_OK)
        rc = cw_console_key_get(c, p->id, id, &key);
    if (rc != CW_OK) {
        cw__project_store_error(ctx, rc, CW_ERR_KEY_NOT_FOUND);
        return;
    }
    cw__project_json(ctx, 200, key_model(ctx, &key, NULL));
    cw_key_clear(&key);
}

void cw__project_keys_delete(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id;
    if (cw__project_target(ctx, &p) != 0 || arg_key_id(ctx, &id) != 0)
        return;
    int rc = cw_console_key_delete(cw_ctx_thread(ctx)->console, p->id, id);
    if (rc != CW_OK) {
        cw__project_store_error(ctx, rc, CW_ERR_KEY_NOT_FOUND);
        return;
    }
    cw_res_empty(ctx->res, 204);
}
