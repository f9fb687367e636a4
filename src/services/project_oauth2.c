/* The project's OAuth2 provider settings (/v1/project/oauth2…), stored as Appwrite keeps them in
 * `oAuthProviders`: "<provider>Appid", "<provider>Secret" and "<provider>Enabled". Providers
 * that take more than an ID and a secret keep a JSON object in the secret (GitLab's endpoint,
 * Apple's key and team IDs, …). Secrets are write-only: every answer shows them empty.
 *
 * Appwrite tries the credentials against the provider before enabling it; cwrite makes no
 * outbound call for that (sign-in through OAuth2 is not served yet), so a provider with an ID
 * and a secret is enabled as if the check passed. */
#include <string.h>

#include "core/status.h"
#include "core/url.h"
#include "http/args.h"
#include "services/api.h"
#include "services/project_internal.h"

enum extra_kind { TEXT, URL, PROMPT, INTEGER };

typedef struct extra {
    const char *param, *key; /* request / model field, and its key in the secret object */
    enum extra_kind kind;
    bool hidden; /* write-only, like the secret */
} extra_t;

typedef struct provider {
    const char *id, *name;
    const char *id_param, *secret_param; /* secret_param NULL: the extras are the secret */
    const extra_t *extras;
    size_t nextras;
} provider_t;

static const extra_t endpoint_auth0[] = {{"endpoint", "auth0Domain", TEXT, false}};
static const extra_t endpoint_authentik[] = {{"endpoint", "authentikDomain", TEXT, false}};
static const extra_t endpoint_fusion[] = {{"endpoint", "fusionAuthDomain", TEXT, false}};
static const extra_t endpoint_gitlab[] = {{"endpoint", "endpoint", URL, false}};
static const extra_t google[] = {{"prompt", "prompt", PROMPT, false}};
static const extra_t keycloak[] = {{"endpoint", "keycloakDomain", TEXT, false},
                                   {"realmName", "keycloakRealm", TEXT, false}};
static const extra_t microsoft[] = {{"tenant", "tenantID", TEXT, false}};
static const extra_t okta[] = {{"domain", "oktaDomain", TEXT, false},
                               {"authorizationServerId", "authorizationServerId", TEXT, false}};
static const extra_t oidc[] = {
    {"wellKnownURL", "wellKnownEndpoint", URL, false},
    {"authorizationURL", "authorizationEndpoint", URL, false},
    {"tokenURL", "tokenEndpoint", URL, false},
    {"userInfoURL", "userInfoEndpoint", URL, false},
    {"prompt", "prompt", PROMPT, false},
    {"maxAge", "maxAge", INTEGER, false},
};
static const extra_t apple[] = {{"keyId", "keyID", TEXT, false},
                                {"teamId", "teamID", TEXT, false},
                                {"p8File", "p8", TEXT, true}};

#define PLAIN(id, name, idp, secp)                                                                 \
    {                                                                                              \
        id, name, idp, secp, NULL, 0                                                               \
    }
#define WITH(id, name, idp, secp, ex)                                                              \
    {                                                                                              \
        id, name, idp, secp, ex, sizeof(ex) / sizeof(ex[0])                                        \
    }

/* Appwrite's providers, in its order (app/config/oAuthProviders.php). */
static const provider_t providers[] = {
    PLAIN("amazon", "Amazon", "clientId", "clientSecret"),
    WITH("apple", "Apple", "serviceId", NULL, apple),
    PLAIN("appwrite", "Appwrite", "clientId", "clientSecret"),
    WITH("auth0", "Auth0", "clientId", "clientSecret", endpoint_auth0),
    WITH("authentik", "Authentik", "clientId", "clientSecret", endpoint_authentik),
    PLAIN("autodesk", "Autodesk", "clientId", "clientSecret"),
    PLAIN("bitbucket", "BitBucket", "key", "secret"),
    PLAIN("bitly", "Bitly", "clientId", "clientSecret"),
    PLAIN("box", "Box", "clientId", "clientSecret"),
    PLAIN("dailymotion", "Dailymotion", "apiKey", "apiSecret"),
    PLAIN("discord", "Discord", "clientId", "clientSecret"),
    PLAIN("disqus", "Disqus", "publicKey", "secretKey"),
    PLAIN("dropbox", "Dropbox", "appKey", "appSecret"),
    PLAIN("etsy", "Etsy", "keyString", "sharedSecret"),
    PLAIN("facebook", "Facebook", "appId", "appSecret"),
    PLAIN("figma", "Figma", "clientId", "clientSecret"),
    WITH("fusionauth", "FusionAuth", "clientId", "clientSecret", endpoint_fusion),
    PLAIN("github", "GitHub", "clientId", "clientSecret"),
    WITH("gitlab", "GitLab", "applicationId", "secret", endpoint_gitlab),
    WITH("google", "Google", "clientId", "clientSecret", google),
    WITH("keycloak", "Keycloak", "clientId", "clientSecret", keycloak),
    PLAIN("kick", "Kick", "clientId", "clientSecret"),
    PLAIN("linkedin", "LinkedIn", "clientId", "primaryClientSecret"),
    WITH("microsoft", "Microsoft", "applicationId", "applicationSecret", microsoft),
    PLAIN("notion", "Notion", "oauthClientId", "oauthClientSecret"),
    WITH("oidc", "OpenID Connect", "clientId", "clientSecret", oidc),
    WITH("okta", "Okta", "clientId", "clientSecret", okta),
    PLAIN("paypal", "PayPal", "clientId", "secretKey"),
    PLAIN("paypalSandbox", "PayPal Sandbox", "clientId", "secretKey"),
    PLAIN("podio", "Podio", "clientId", "clientSecret"),
    PLAIN("salesforce", "Salesforce", "customerKey", "customerSecret"),
    PLAIN("slack", "Slack", "clientId", "clientSecret"),
    PLAIN("spotify", "Spotify", "clientId", "clientSecret"),
    PLAIN("stripe", "Stripe", "clientId", "apiSecretKey"),
    PLAIN("tradeshift", "Tradeshift", "oauth2ClientId", "oauth2ClientSecret"),
    PLAIN("tradeshiftBox", "Tradeshift Sandbox", "oauth2ClientId", "oauth2ClientSecret"),
    PLAIN("twitch", "Twitch", "clientId", "clientSecret"),
    PLAIN("wordpress", "WordPress", "clientId", "clientSecret"),
    PLAIN("x", "X", "customerKey", "secretKey"),
    PLAIN("yahoo", "Yahoo", "clientId", "clientSecret"),
    PLAIN("yandex", "Yandex", "clientId", "clientSecret"),
    PLAIN("zoho", "Zoho", "clientId", "clientSecret"),
    PLAIN("zoom", "Zoom", "clientId", "clientSecret"),
};
#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

static const provider_t *provider_find(cw_str_t id)
{
    for (size_t i = 0; i < NPROVIDERS; i++) {
        if (cw_str_eq_cstr(id, providers[i].id))
            return &providers[i];
    }
    return NULL;
}

static const char *stored_str(const json_t *map, const provider_t *pr, const char *suffix)
{
    char key[64];
    snprintf(key, sizeof(key), "%s%s", pr->id, suffix);
    const char *s = json_string_value(json_object_get(map, key));
    return s != NULL ? s : "";
}

static bool stored_enabled(const json_t *map, const provider_t *pr)
{
    char key[64];
    snprintf(key, sizeof(key), "%sEnabled", pr->id);
    return json_is_true(json_object_get(map, key));
}

/* The secret object of a provider with extras ({} when unset or not JSON). */
static json_t *stored_blob(const json_t *map, const provider_t *pr)
{
    json_t *b = json_loads(stored_str(map, pr, "Secret"), 0, NULL);
    if (!json_is_object(b)) {
        json_decref(b);
        b = json_object();
    }
    return b;
}

static json_t *read_model(const json_t *map, const provider_t *pr)
{
    json_t *m = json_pack("{s:s, s:b, s:s}", "$id", pr->id, "enabled", stored_enabled(map, pr),
                          pr->id_param, stored_str(map, pr, "Appid"));
    if (pr->secret_param != NULL)
        json_object_set_new(m, pr->secret_param, json_string(""));
    if (pr->nextras == 0)
        return m;
    json_t *blob = stored_blob(map, pr);
    for (size_t i = 0; i < pr->nextras; i++) {
        const extra_t *x = &pr->extras[i];
        json_t *v = json_object_get(blob, x->key);
        if (x->hidden || (v == NULL && x->kind == TEXT) || (v == NULL && x->kind == URL))
            json_object_set_new(m, x->param, json_string(""));
        else if (v == NULL && x->kind == PROMPT)
            json_object_set_new(m, x->param,
                                strcmp(pr->id, "google") == 0 ? json_pack("[s]", "consent")
                                                              : json_array());
        else if (v == NULL)
            json_object_set_new(m, x->param, json_null());
        else
            json_object_set(m, x->param, v);
    }
    json_decref(blob);
    return m;
}

json_t *cw__project_oauth2_providers(const cw_project_t *p)
{
    json_t *out = json_array();
    for (size_t i = 0; i < NPROVIDERS; i++) {
        const provider_t *pr = &providers[i];
        json_array_append_new(out,
                              json_pack("{s:s, s:s, s:s, s:s, s:b}", "key", pr->id, "name",
                                        pr->name, "appId", stored_str(p->oauth2, pr, "Appid"),
                                        "secret", "", "enabled", stored_enabled(p->oauth2, pr)));
    }
    return out;
}

void cw__project_oauth2_list(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (cw__project_target(ctx, &p) != 0)
        return;
    json_t *all = json_array();
    for (size_t i = 0; i < NPROVIDERS; i++)
        json_array_append_new(all, read_model(p->oauth2, &providers[i]));
    cw__project_list(ctx, all, "providers", "$id");
}

static const provider_t *path_provider(cw_ctx_t *ctx)
{
    const provider_t *pr = provider_find(cw_req_path_param(ctx->req, "provider"));
    if (pr == NULL)
        cw_res_error(ctx->res, CW_ERR_PROJECT_PROVIDER_UNSUPPORTED, NULL);
    return pr;
}

void cw__project_oauth2_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const provider_t *pr;
    if (cw__project_target(ctx, &p) != 0 || (pr = path_provider(ctx)) == NULL)
        return;
    cw__project_json(ctx, 200, read_model(p->oauth2, pr));
}

typedef struct oauth_edit {
    cw_ctx_t *ctx;
    const provider_t *pr;
    const char *appid;  /* NULL: unchanged */
    const char *secret; /* NULL: unchanged */
    json_t *extras;     /* the extras given, by secret-object key */
    int enabled;        /* -1: not given */
    json_t *result;
} oauth_edit_t;

static int edit_oauth2(json_t *map, void *arg)
{
    oauth_edit_t *e = arg;
    const provider_t *pr = e->pr;
    char kid[64], ksecret[64], kenabled[64];
    snprintf(kid, sizeof(kid), "%sAppid", pr->id);
    snprintf(ksecret, sizeof(ksecret), "%sSecret", pr->id);
    snprintf(kenabled, sizeof(kenabled), "%sEnabled", pr->id);
    if (e->appid != NULL)
        json_object_set_new(map, kid, json_string(e->appid));
    if (pr->nextras > 0 && (e->secret != NULL || json_object_size(e->extras) > 0)) {
        json_t *blob = stored_blob(map, pr);
        if (e->secret != NULL)
            json_object_set_new(blob, "clientSecret", json_string(e->secret));
        json_object_update(blob, e->extras);
        char *text = json_dumps(blob, JSON_COMPACT);
        json_object_set_new(map, ksecret, json_string(text));
        free(text);
        json_decref(blob);
    } else if (e->secret != NULL) {
        json_object_set_new(map, ksecret, json_string(e->secret));
    }
    if (e->enabled >= 0)
        json_object_set_new(map, kenabled, json_boolean(e->enabled));
    if (e->enabled != 0) {
        bool ready =
            stored_str(map, pr, "Appid")[0] != '\0' && stored_str(map, pr, "Secret")[0] != '\0';
        if (!ready && e->enabled == 1) {
            cw_res_error(e->ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "Could not enable OAuth2 provider: Client ID and Client Secret are "
                         "required when enabling OAuth2 provider.");
            return CW_EINVAL;
        }
        if (ready)
            json_object_set_new(map, kenabled, json_true());
    }
    e->result = read_model(map, pr);
    return CW_OK;
}

/* An optional, nullable text of at most max characters. */
static int opt_text(cw_ctx_t *ctx, const char *name, size_t max, const char **out)
{
    *out = NULL;
    if (cw__project_arg_absent(ctx, name))
        return 0;
    return cw_arg_text(ctx, name, false, max, out);
}

static int take_extra(cw_ctx_t *ctx, const extra_t *x, json_t *dst)
{
    if (cw__project_arg_absent(ctx, x->param))
        return 0;
    const char *s;
    switch (x->kind) {
    case TEXT:
        if (cw_arg_text(ctx, x->param, false, strcmp(x->param, "p8File") == 0 ? 4096 : 256, &s) !=
            0)
            return -1;
        json_object_set_new(dst, x->key, json_string(s));
        return 0;
    case URL: {
        if (cw_arg_text(ctx, x->param, false, 0, &s) != 0)
            return -1;
        cw_url_t u;
        if (s[0] != '\0' && cw_url_parse(cw_str(s), &u) != 0)
            return cw_arg_invalid(ctx, x->param, "Value must be a valid URL");
        json_object_set_new(dst, x->key, json_string(s));
        return 0;
    }
    case INTEGER: {
        int64_t n;
        if (cw_arg_int(ctx, x->param, false, 0, INT32_MAX, &n) != 0)
            return -1;
        json_object_set_new(dst, x->key, json_integer(n));
        return 0;
    }
    case PROMPT: {
        json_t *v = cw_arg_json(ctx, x->param);
        static const char rule[] = "Value must a valid array no longer than 3 items and Value "
                                   "must be one of (none, consent, select_account)";
        if (!json_is_array(v) || json_array_size(v) > 3)
            return cw_arg_invalid(ctx, x->param, rule);
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            const char *t = json_string_value(item);
            if (t == NULL || (strcmp(t, "none") != 0 && strcmp(t, "consent") != 0 &&
                              strcmp(t, "select_account") != 0))
                return cw_arg_invalid(ctx, x->param, rule);
        }
        json_object_set(dst, x->key, v);
        return 0;
    }
    }
    return 0;
}

void cw__project_oauth2_update(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    oauth_edit_t e = {.ctx = ctx, .enabled = -1, .extras = json_object()};
    bool on;
    int r;
    if (cw__project_target(ctx, &p) != 0)
        goto out;
    if (cw_req_path_param(ctx->req, "provider").ptr == NULL) {
        /* The older PATCH /v1/projects/{projectId}/oauth2: provider, appId, secret, enabled. */
        cw_str_t id;
        if (cw_arg_str(ctx, "provider", true, 0, &id) != 0)
            goto out;
        if ((e.pr = provider_find(id)) == NULL) {
            cw_arg_invalid(ctx, "provider", "Value must be one of the allowed values");
            goto out;
        }
        if (opt_text(ctx, "appId", 256, &e.appid) != 0 ||
            opt_text(ctx, "secret", 512, &e.secret) != 0 ||
            (r = cw_arg_bool(ctx, "enabled", false, &on)) < 0)
            goto out;
        if (r == 0)
            e.enabled = on;
        if (e.pr->nextras > 0 && e.secret != NULL) {
            /* That API sent the whole secret object as the secret. */
            json_t *blob = json_loads(e.secret, 0, NULL);
            if (json_is_object(blob)) {
                json_object_update(e.extras, blob);
                e.secret = NULL;
            }
            json_decref(blob);
        }
    } else {
        if ((e.pr = path_provider(ctx)) == NULL)
            goto out;
        if (opt_text(ctx, e.pr->id_param, 256, &e.appid) != 0)
            goto out;
        if (e.pr->secret_param != NULL && opt_text(ctx, e.pr->secret_param, 512, &e.secret) != 0)
            goto out;
        for (size_t i = 0; i < e.pr->nextras; i++) {
            if (take_extra(ctx, &e.pr->extras[i], e.extras) != 0)
                goto out;
        }
        if (!cw__project_arg_absent(ctx, "enabled")) {
            if (cw_arg_bool(ctx, "enabled", true, &on) != 0)
                goto out;
            e.enabled = on;
        }
    }
    if (cw__project_edit(ctx, p, CW_PROJECT_OAUTH2, edit_oauth2, &e) != 0)
        goto out;
    if (cw_req_path_param(ctx->req, "provider").ptr == NULL) {
        json_decref(e.result); /* the older path answers with the Project model */
        cw__project_respond(ctx, p->id);
        goto out;
    }
    cw__project_json(ctx, 200, e.result);
out:
    json_decref(e.extras);
}
