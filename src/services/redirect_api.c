#include "services/redirect_api.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/url.h"
#include "core/utf8.h"
#include "http/args.h"
#include "http/cors.h"
#include "services/api.h"
#include "services/project.h"

/* Appwrite's _APP_DOMAIN default; the loopback spellings count only through it. */
#define DEFAULT_REDIRECT_HOST "localhost"

static const struct {
    const char *scheme, *platform;
} platforms[] = {
    {"http", "Web"},
    {"https", "Web"},
    {"chrome-extension", "Web (Chrome Extension)"},
    {"moz-extension", "Web (Firefox Extension)"},
    {"safari-web-extension", "Web (Safari Extension)"},
    {"ms-browser-extension", "Web (Edge Extension)"},
    {"tauri", "Web (Tauri)"},
    {"appwrite-ios", "iOS"},
    {"appwrite-macos", "macOS"},
    {"appwrite-watchos", "watchOS"},
    {"appwrite-tvos", "tvOS"},
    {"appwrite-android", "Android"},
    {"appwrite-windows", "Windows"},
    {"appwrite-linux", "Linux"},
};
#define WEB_SCHEMES 7 /* the first entries above: checked by host */

static int scheme_index(cw_str_t scheme)
{
    for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
        if (cw_str_eq_cstr(scheme, platforms[i].scheme))
            return (int)i;
    }
    return -1;
}

/* The project's platforms: a web platform's hostname, or a native app's identifier as a
 * scheme. */
static bool project_platform_allows(const cw_auth_t *auth, cw_str_t host, cw_str_t scheme)
{
    if (!auth->has_project)
        return false;
    return host.len > 0 ? cw_project_platform_web_allows(auth->project, host)
                        : cw_project_platform_scheme_allows(auth->project, scheme);
}

static bool host_allowed(cw_ctx_t *ctx, cw_str_t host)
{
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    const cw_auth_t *auth = cw_ctx_auth(ctx);
    /* utopia's Hostname validator refuses a host with ':' (so a bare IPv6 address). */
    if (host.len == 0 || memchr(host.ptr, ':', host.len) == NULL) {
        if (host.len > 0 && (cw_cors_host_matches(host, DEFAULT_REDIRECT_HOST) ||
                             cw_cors_host_matches(host, cfg->cors_origins) ||
                             project_platform_allows(auth, host, CW_STR_NULL)))
            return true;
    }
    /* Loopback spellings pass because "localhost" is always on the list (Appwrite: when it is). */
    if (cw_str_eq_cstr(host, "127.0.0.1") || cw_str_eq_cstr(host, "[::1]"))
        return true;
    return false;
}

static bool scheme_allowed(cw_ctx_t *ctx, cw_str_t scheme)
{
    const cw_auth_t *auth = cw_ctx_auth(ctx);
    if (scheme.len == 0 || !auth->has_project)
        return false;
    if (cw_str_eq_cstr(scheme, "exp"))
        return true;
    static const char prefix[] = "appwrite-callback-";
    size_t pl = sizeof(prefix) - 1;
    if (scheme.len == pl + auth->project_id.len && memcmp(scheme.ptr, prefix, pl) == 0 &&
        memcmp(scheme.ptr + pl, auth->project_id.ptr, auth->project_id.len) == 0)
        return true;
    return project_platform_allows(auth, CW_STR_NULL, scheme);
}

int cw_svc_arg_redirect(cw_ctx_t *ctx, const char *name, bool required, const char **out)
{
    if (cw_arg_text(ctx, name, required, 0, out) != 0)
        return -1;
    if (*out == NULL || (!required && (*out)[0] == '\0')) {
        *out = NULL;
        return 0;
    }
    cw_str_t s = cw_str(*out);
    cw_url_t u;
    cw_str_t scheme = cw_url_scheme(s);
    cw_buf_t host = CW_BUF_INIT;
    if (cw_url_parse(s, &u) == 0) {
        for (size_t i = 0; i < u.host.len; i++) {
            char c = u.host.ptr[i];
            cw_buf_append_char(&host, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
        }
    }
    int idx = scheme_index(scheme);
    bool ok = idx >= 0 && idx < WEB_SCHEMES ? host_allowed(ctx, cw_buf_str(&host))
                                            : scheme_allowed(ctx, scheme);
    int rc = 0;
    if (!ok) {
        cw_buf_t rule = CW_BUF_INIT;
        if (host.len == 0 && scheme.len == 0) {
            cw_buf_append_str(&rule, "Invalid URI.");
        } else {
            cw_buf_append_str(&rule, "Invalid URI. Register your new client ");
            char shown[256 + 4];
            if (host.len > 0)
                cw_buf_printf(&rule, "(%s)", cw_utf8_printable(shown, 256, cw_buf_str(&host)));
            cw_buf_printf(&rule, " as a new %s platform on your project console dashboard",
                          idx >= 0 ? platforms[idx].platform : "");
        }
        cw_buf_append_char(&rule, '\0');
        rc = cw_arg_invalid(ctx, name, rule.ptr);
        cw_buf_free(&rule);
    }
    cw_buf_free(&host);
    return rc;
}
