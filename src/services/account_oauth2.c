/*
 * The OAuth2 sign-in routes of the Account service (GET /v1/account/sessions/oauth2/{provider}
 * and /v1/account/tokens/oauth2/{provider}). A browser is sent to them, so their errors are pages,
 * not JSON. cwrite talks to no OAuth2 provider yet: a provider the project has not enabled and
 * configured (the project's oAuthProviders settings) answers 412 project_provider_disabled, as
 * Appwrite does; one that is enabled answers project_provider_unsupported, as Appwrite does for a
 * provider it has no client for.
 */
#include <stdio.h>
#include <string.h>

#include "http/args.h"
#include "services/api.h"
#include "services/redirect_api.h"
#include "services/routes.h"

#define SCOPES_MAX 100     /* APP_LIMIT_ARRAY_PARAMS_SIZE */
#define SCOPE_MAX_LEN 4096 /* APP_LIMIT_ARRAY_ELEMENT_SIZE */

/* The providers Appwrite knows (the spec's OAuthProvider, and its test doubles). */
static const char *const providers[] = {"amazon",
                                        "apple",
                                        "auth0",
                                        "authentik",
                                        "autodesk",
                                        "bitbucket",
                                        "bitly",
                                        "box",
                                        "dailymotion",
                                        "discord",
                                        "disqus",
                                        "dropbox",
                                        "etsy",
                                        "facebook",
                                        "figma",
                                        "fusionauth",
                                        "github",
                                        "gitlab",
                                        "google",
                                        "keycloak",
                                        "kick",
                                        "linkedin",
                                        "microsoft",
                                        "notion",
                                        "oidc",
                                        "okta",
                                        "paypal",
                                        "paypalSandbox",
                                        "podio",
                                        "salesforce",
                                        "slack",
                                        "spotify",
                                        "stripe",
                                        "tradeshift",
                                        "tradeshiftBox",
                                        "twitch",
                                        "wordpress",
                                        "x",
                                        "yahoo",
                                        "yammer",
                                        "yandex",
                                        "zoho",
                                        "zoom",
                                        "mock",
                                        "mock-unverified",
                                        NULL};

/* Whether every element of the optional array parameter name is a string of at most max bytes,
 * with at most count elements; -1 with the 400 written otherwise. */
static int arg_string_list(cw_ctx_t *ctx, const char *name, size_t count, size_t max)
{
    json_t *v = cw_arg_json(ctx, name);
    if (v == NULL)
        return 0;
    size_t i;
    json_t *e;
    bool ok = json_is_array(v) && json_array_size(v) <= count;
    json_array_foreach(v, i, e)
    {
        if (ok && (!json_is_string(e) || json_string_length(e) > max))
            ok = false;
    }
    if (!ok)
        return cw_arg_invalid(ctx, name,
                              "Value must a valid array no longer than 100 items and "
                              "Value must be a valid string and at most 4096 chars");
    return 0;
}

static void on_oauth2(cw_ctx_t *ctx)
{
    const char *success, *failure;
    cw_str_t provider = cw_req_path_param(ctx->req, "provider");
    bool known = false;
    for (size_t i = 0; providers[i] != NULL; i++)
        known = known || cw_str_eq_cstr(provider, providers[i]);
    if (!known) {
        cw_arg_invalid(ctx, "provider",
                       "Value must be one of (amazon, apple, auth0, authentik, "
                       "autodesk, bitbucket, bitly, box, dailymotion, discord, "
                       "disqus, dropbox, etsy, facebook, figma, fusionauth, "
                       "github, gitlab, google, keycloak, kick, linkedin, "
                       "microsoft, notion, oidc, okta, paypal, paypalSandbox, "
                       "podio, salesforce, slack, spotify, stripe, tradeshift, "
                       "tradeshiftBox, twitch, wordpress, x, yahoo, yammer, "
                       "yandex, zoho, zoom, mock, mock-unverified)");
        return;
    }
    if (cw_svc_arg_redirect(ctx, "success", false, &success) != 0 ||
        cw_svc_arg_redirect(ctx, "failure", false, &failure) != 0 ||
        arg_string_list(ctx, "scopes", SCOPES_MAX, SCOPE_MAX_LEN) != 0)
        return;
    const json_t *settings =
        cw_ctx_auth(ctx)->has_project ? cw_ctx_auth(ctx)->project->oauth2 : NULL;
    char key[64];
    snprintf(key, sizeof(key), "%.*sEnabled", (int)provider.len, provider.ptr);
    if (!json_is_true(json_object_get(settings, key))) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_PROVIDER_DISABLED,
                     "This provider is disabled. Please enable the provider from your Appwrite "
                     "console to continue.");
        return;
    }
    snprintf(key, sizeof(key), "%.*sAppid", (int)provider.len, provider.ptr);
    const char *app_id = json_string_value(json_object_get(settings, key));
    snprintf(key, sizeof(key), "%.*sSecret", (int)provider.len, provider.ptr);
    const json_t *secret = json_object_get(settings, key);
    if (app_id == NULL || app_id[0] == '\0' || secret == NULL ||
        (json_is_string(secret) && json_string_length(secret) == 0)) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_PROVIDER_DISABLED,
                     "This provider is disabled. Please configure the provider app ID and app "
                     "secret key from your Appwrite console to continue.");
        return;
    }
    /* Enabled and configured, but cwrite has no client for any provider yet. */
    cw_res_error(ctx->res, CW_ERR_PROJECT_PROVIDER_UNSUPPORTED, NULL);
}

const cw_route_t cw_account_oauth2_routes[] = {
    {"GET", "/v1/account/sessions/oauth2/{provider}", "sessions.write", on_oauth2,
     CW_ROUTE_HTML_ERRORS},
    {"GET", "/v1/account/tokens/oauth2/{provider}", "sessions.write", on_oauth2,
     CW_ROUTE_HTML_ERRORS},
};
const size_t cw_account_oauth2_routes_count =
    sizeof(cw_account_oauth2_routes) / sizeof(cw_account_oauth2_routes[0]);
