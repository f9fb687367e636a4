/*
 * The Account service (client side), in five files that share services/account.h:
 *   account.c         sign-up, email/password and anonymous sessions (with the session alert),
 *                     the signed-in user's sessions, JWTs, name, password, email, prefs, status;
 *   account_tokens.c  one-time tokens: e-mail and phone verification, password recovery, magic
 *                     URL, e-mail OTP and phone tokens, sessions from any token, the phone number;
 *   account_mfa.c     MFA: TOTP authenticators, challenges, factors and recovery codes;
 *   account_extra.c   deleting the account, identities and push targets;
 *   account_oauth2.c  the OAuth2 sign-in routes, answering as Appwrite without a provider.
 * The user comes from the middleware (ctx->auth: cookie, X-Appwrite-Session, X-Fallback-Cookies
 * or X-Appwrite-JWT); sessions are documents of the project's internal collections
 * (auth/session.h); the project's auth settings apply through services/policy.h. Routes run on
 * the worker pool (SQLite, argon2).
 *
 * The account's logs are served by services/logs.c. Not here yet: signing in through an OAuth2
 * provider, and the identities that would make.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/jwt.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/session_cookie.h"
#include "core/id.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "db/internal.h"
#include "core/validate.h"
#include "http/args.h"
#include "models/json.h"
#include "models/user.h"
#include "services/account.h"
#include "services/api.h"
#include "services/console_auth.h"
#include "services/internal_api.h"
#include "services/mail_api.h"
#include "services/policy.h"
#include "services/routes.h"

#define NAME_MAX_LEN 128
#define PASSWORD_MIN 8
#define PASSWORD_MAX 256
#define PREFS_MAX 65535
#define TARGETS_PER_USER 100
#define SAMESITE "None" /* Appwrite's cookieSamesite */

/* Parameters ---------------------------------------------------------------------------------- */

int cw_account_arg_user_id(cw_ctx_t *ctx, const char **out)
{
    const char *s;
    if (cw_arg_text(ctx, "userId", true, 0, &s) != 0)
        return -1;
    if (strcmp(s, "unique()") == 0) {
        char id[CW_ID_LEN + 1];
        cw_id_unique(id);
        *out = cw_arena_strndup(&ctx->req->arena, id, strlen(id));
        return 0;
    }
    if (!cw_id_valid(cw_str(s), CW_ID_MAX_LEN))
        return cw_arg_invalid(
            ctx, "userId",
            "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, "
            "period, hyphen, and underscore. Can't start with a special char");
    *out = s;
    return 0;
}

/* The e-mail, lowercased as Appwrite stores it. */
int cw_account_arg_email(cw_ctx_t *ctx, const char **out)
{
    if (cw_arg_text(ctx, "email", true, 0, out) != 0)
        return -1;
    if (!cw_valid_email(*out))
        return cw_arg_invalid(ctx, "email", "Value must be a valid email address");
    for (char *p = (char *)*out; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return 0;
}

/* A new password (8 to 256 characters), or one to check (any length up to 256: Appwrite's
 * Password validator on sign-in takes 8 or more, so shorter ones fail the same way). */
int cw_account_arg_password(cw_ctx_t *ctx, const char *name, bool required, const char **out)
{
    if (cw_arg_text(ctx, name, required, 0, out) != 0)
        return -1;
    if (*out == NULL)
        return 0;
    size_t n = cw_utf8_count(*out, strlen(*out));
    if (n < PASSWORD_MIN || n > PASSWORD_MAX)
        return cw_arg_invalid(ctx, name, "Password must be between 8 and 256 characters long.");
    return 0;
}

/* Store and models ---------------------------------------------------------------------------- */

/* Answers the Account model of user (with its targets) and releases user. */
void cw_account_reply(cw_ctx_t *ctx, cw_db_t *db, int status, json_t *user)
{
    json_t *q = json_array(), *found = NULL;
    cw_db_error_t err = {0};
    json_array_append_new(
        q, cw_db_internal_query("equal", "userId", json_incref(json_object_get(user, "$id"))));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(TARGETS_PER_USER)));
    int rc = cw_db_internal_find(db, "targets", q, NULL, false, &found, &err);
    json_decref(q);
    if (rc != 0) {
        json_decref(user);
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    cw_svc_reply(ctx, status, cw_model_user(user, json_object_get(found, "documents"), false));
    json_decref(found);
    json_decref(user);
}

const char *cw_account_user_id(const cw_auth_t *auth)
{
    return json_string_value(json_object_get(auth->user, "$id"));
}

/* The signed-in user and the store, or the error written. Every `account` route has one: the
 * scope check lets nobody else in, but a route must not trust that alone. */
int cw_account_signed_in(cw_ctx_t *ctx, cw_db_t **db)
{
    if (cw_ctx_auth(ctx)->user == NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_NOT_FOUND, NULL);
        return -1;
    }
    return cw_svc_open_internal(ctx, db);
}

/* The session the request came with through a cookie or X-Appwrite-Session, as Appwrite's
 * "current" means it (a JWT's session is not current). NULL when there is none. */
const char *cw_account_current_session_id(const cw_auth_t *auth)
{
    if (auth->session == NULL || auth->via_jwt)
        return NULL;
    return json_string_value(json_object_get(auth->session, "$id"));
}

/* Cookies -----------------------------------------------------------------------------------------
 */

/* The request's host name, without a port, in arena; "" when unknown. */
static cw_str_t request_host(cw_req_t *req)
{
    cw_str_t h = cw_req_header(req, "host");
    if (h.len == 0)
        h = cw_req_header(req, ":authority");
    if (h.len > 0 && h.ptr[0] == '[') {
        const char *end = memchr(h.ptr, ']', h.len);
        return end != NULL ? (cw_str_t){h.ptr, (size_t)(end - h.ptr) + 1} : h;
    }
    const char *colon = h.len > 0 ? memchr(h.ptr, ':', h.len) : NULL;
    if (colon != NULL)
        h.len = (size_t)(colon - h.ptr);
    return h;
}

static bool host_is_ip(cw_str_t h)
{
    if (h.len > 0 && h.ptr[0] == '[')
        return true;
    for (size_t i = 0; i < h.len; i++) {
        if (!((h.ptr[i] >= '0' && h.ptr[i] <= '9') || h.ptr[i] == '.'))
            return false;
    }
    return h.len > 0;
}

/* The registrable domain of a host, approximated as its last two labels (Appwrite consults the
 * public suffix list); empty for IP addresses and single labels such as localhost. */
static cw_str_t registrable(cw_str_t h)
{
    if (host_is_ip(h))
        return CW_STR_NULL;
    size_t dots = 0, i = h.len;
    while (i > 0) {
        if (h.ptr[i - 1] == '.' && ++dots == 2)
            break;
        i--;
    }
    if (dots == 0)
        return CW_STR_NULL;
    return (cw_str_t){h.ptr + i, h.len - i};
}

/* Appwrite's domainVerification: the Origin (or Referer) and the API host share a registrable
 * domain. When they do not, the client may not keep our cookie and gets X-Fallback-Cookies. */
static bool same_site(cw_req_t *req)
{
    cw_str_t origin = cw_req_header(req, "origin");
    if (origin.len == 0)
        origin = cw_req_header(req, "referer");
    const char *p = origin.len > 0 ? memchr(origin.ptr, ':', origin.len) : NULL;
    if (p == NULL || (size_t)(origin.ptr + origin.len - p) < 3 || p[1] != '/' || p[2] != '/')
        return false;
    cw_str_t host = {p + 3, (size_t)(origin.ptr + origin.len - p - 3)};
    for (size_t i = 0; i < host.len; i++) {
        if (host.ptr[i] == '/' || host.ptr[i] == ':') {
            host.len = i;
            break;
        }
    }
    cw_str_t a = registrable(host), b = registrable(request_host(req));
    return a.len > 0 && a.len == b.len && strncasecmp(a.ptr, b.ptr, a.len) == 0;
}

static bool cookie_safe(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

/* One Set-Cookie as PHP's setcookie writes it: the value percent-encoded, expires and Max-Age,
 * path /, domain .<host> (none for localhost and IP addresses), Secure on TLS, HttpOnly.
 * expire_s 0: the cookie is removed. */
static void set_cookie(cw_ctx_t *ctx, cw_str_t name, cw_str_t value, int64_t expire_s,
                       const char *samesite)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    cw_req_t *req = ctx->req;
    int64_t now = cw_time_now_ms() / 1000;
    bool remove = expire_s == 0;
    /* A removal says "deleted", expiring at the epoch's first second, as PHP's setcookie (and
     * Swoole's, which Appwrite runs on) writes any cookie with an empty value. */
    int64_t at = remove ? 1 : expire_s;
    time_t t = (time_t)at;
    struct tm tm;
    gmtime_r(&t, &tm);
    cw_buf_t c = CW_BUF_INIT;
    cw_buf_printf(&c, "%.*s=", (int)name.len, name.ptr);
    if (remove) {
        cw_buf_append_str(&c, "deleted");
    } else {
        for (size_t i = 0; i < value.len; i++) {
            if (cookie_safe(value.ptr[i]))
                cw_buf_printf(&c, "%c", value.ptr[i]);
            else
                cw_buf_printf(&c, "%%%02X", (unsigned char)value.ptr[i]);
        }
    }
    cw_buf_printf(&c, "; expires=%s, %02d-%s-%04d %02d:%02d:%02d GMT; Max-Age=%lld; path=/",
                  days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, (long long)(remove ? 0 : at - now));
    cw_str_t host = request_host(req);
    if (host.len > 0 && !host_is_ip(host) && !cw_str_eq_cstr(host, "localhost"))
        cw_buf_printf(&c, "; domain=.%.*s", (int)host.len, host.ptr);
    if (req->secure)
        cw_buf_append_str(&c, "; secure");
    cw_buf_append_str(&c, "; HttpOnly");
    if (samesite != NULL)
        cw_buf_printf(&c, "; SameSite=%s", samesite);
    cw_res_header(ctx->res, "set-cookie", cw_buf_str(&c));
    cw_buf_free(&c);
}

/* The session cookies (value NULL: their removal) and, for a client on another site, the
 * X-Fallback-Cookies header. */
void cw_account_send_cookies(cw_ctx_t *ctx, cw_str_t value, int64_t expire_s)
{
    cw_auth_t *auth = cw_ctx_auth(ctx);
    cw_buf_t name = CW_BUF_INIT, legacy = CW_BUF_INIT;
    cw_session_cookie_name(auth->project_id, &name);
    cw_buf_printf(&legacy, "%.*s_legacy", (int)name.len, name.ptr);
    if (!same_site(ctx->req)) {
        cw_buf_t fb = CW_BUF_INIT;
        cw_session_fallback_encode(cw_buf_str(&name), value, &fb);
        cw_res_header(ctx->res, "x-fallback-cookies", cw_buf_str(&fb));
        cw_buf_free(&fb);
    }
    set_cookie(ctx, cw_buf_str(&legacy), value, value.ptr != NULL ? expire_s : 0, NULL);
    set_cookie(ctx, cw_buf_str(&name), value, value.ptr != NULL ? expire_s : 0, SAMESITE);
    cw_buf_free(&legacy);
    cw_buf_free(&name);
}

/* Sign-up -----------------------------------------------------------------------------------------
 */

json_t *cw_account_user_perms(const char *id)
{
    char buf[64];
    json_t *p = json_array();
    json_array_append_new(p, json_string("read(\"any\")"));
    snprintf(buf, sizeof(buf), "update(\"user:%s\")", id);
    json_array_append_new(p, json_string(buf));
    snprintf(buf, sizeof(buf), "delete(\"user:%s\")", id);
    json_array_append_new(p, json_string(buf));
    return p;
}

json_t *cw_account_search_text(const char *id, const char *email, const char *name)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s %s %s", id, email != NULL ? email : "",
             name != NULL ? name : "");
    return json_string(buf);
}

/* A new user document's attributes. email and password may be NULL (anonymous). */
json_t *cw_account_new_user_data(const char *id, const char *email, const char *password,
                                 const char *name, cw_res_t *res)
{
    cw_password_desc_t d;
    cw_buf_t hashed = CW_BUF_INIT;
    char now[CW_TIME_ISO_LEN];
    cw_password_desc_default(&d);
    if (password != NULL && cw_password_hash(&d, cw_str(password), &hashed) != 0) {
        cw_res_error(res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return NULL;
    }
    cw_time_format(cw_time_now_ms(), now);
    json_t *data = json_object();
    json_object_set_new(data, "email", email != NULL ? json_string(email) : json_null());
    json_object_set_new(data, "emailVerification", json_false());
    json_object_set_new(data, "phone", json_null());
    json_object_set_new(data, "phoneVerification", json_false());
    json_object_set_new(data, "status", json_true());
    json_object_set_new(data, "labels", json_array());
    json_object_set_new(data, "passwordHistory", json_array());
    json_object_set_new(data, "password",
                        password != NULL ? json_stringn(hashed.ptr, hashed.len) : json_null());
    json_object_set_new(data, "passwordUpdate", password != NULL ? json_string(now) : json_null());
    json_object_set_new(data, "hash", json_string(cw_password_algo_name(d.algo)));
    json_object_set_new(data, "hashOptions", cw_password_desc_options(&d));
    json_object_set_new(data, "registration", json_string(now));
    json_object_set_new(data, "reset", json_false());
    json_object_set_new(data, "mfa", json_false());
    json_object_set_new(data, "name", json_string(name != NULL ? name : ""));
    json_object_set_new(data, "prefs", json_object());
    json_object_set_new(data, "search", cw_account_search_text(id, email, name));
    json_object_set_new(data, "accessedAt", json_string(now));
    json_object_set_new(data, "impersonator", json_false());
    cw_buf_free(&hashed);
    return data;
}

static void on_create(cw_ctx_t *ctx)
{
    const char *id = NULL, *email = NULL, *password = NULL, *name = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_t *user = NULL, *found = NULL;
    if (cw_policy_method_allowed(ctx, CW_AUTH_EMAIL_PASSWORD) != 0 ||
        cw_account_arg_user_id(ctx, &id) != 0 || cw_account_arg_email(ctx, &email) != 0 ||
        cw_policy_arg_new_password(ctx, "password", true, false, &password) != 0 ||
        cw_arg_text(ctx, "name", false, NAME_MAX_LEN, &name) != 0 ||
        cw_console_signup_check(ctx, email) != 0 || cw_svc_open_internal(ctx, &db) != 0 ||
        cw_policy_user_limit(ctx, db, NULL) != 0)
        return;
    /* An e-mail an OAuth identity holds gets a bare 400, so as not to tell who has an account. */
    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "providerEmail", json_string(email)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, "identities", q, NULL, false, &found, &err);
    json_decref(q);
    size_t n = json_array_size(json_object_get(found, "documents"));
    json_decref(found);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    if (n > 0) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST, NULL);
        return;
    }
    /* Appwrite checks the userId as given: "unique()" rather than the ID it becomes. */
    const char *given_id = NULL;
    cw_arg_text(ctx, "userId", true, 0, &given_id);
    if (cw_policy_password_personal(ctx, password, given_id, email, name, NULL) != 0)
        return;
    json_t *data = cw_account_new_user_data(id, email, password, name, ctx->res);
    if (data == NULL)
        return;
    json_object_set_new(
        data, "passwordHistory",
        cw_policy_first_history(ctx, json_string_value(json_object_get(data, "password"))));
    json_t *perms = cw_account_user_perms(id);
    rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_create(db, "users", id, data, perms, &user, &err);
    if (rc == 0) {
        /* An e-mail another user's target holds keeps the user, without a target (Appwrite). */
        json_t *tq = json_array(), *taken = NULL;
        json_array_append_new(tq, cw_db_internal_query("equal", "identifier", json_string(email)));
        json_array_append_new(tq, cw_db_internal_query("limit", NULL, json_integer(1)));
        rc = cw_db_internal_find(db, "targets", tq, NULL, false, &taken, &err);
        json_decref(tq);
        if (rc == 0 && json_array_size(json_object_get(taken, "documents")) == 0) {
            char perm[80];
            json_t *tp = json_array(), *tout = NULL;
            static const char *const actions[] = {"read", "update", "delete"};
            for (size_t i = 0; i < 3; i++) {
                snprintf(perm, sizeof(perm), "%s(\"user:%s\")", actions[i], id);
                json_array_append_new(tp, json_string(perm));
            }
            json_t *td = json_pack("{s:s, s:O, s:s, s:s, s:b}", "userId", id, "userInternalId",
                                   json_object_get(user, "$sequence"), "providerType", "email",
                                   "identifier", email, "expired", 0);
            rc = cw_db_internal_create(db, "targets", "unique()", td, tp, &tout, &err);
            json_decref(td);
            json_decref(tp);
            json_decref(tout);
        }
        json_decref(taken);
    }
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    json_decref(data);
    json_decref(perms);
    if (rc != 0) {
        json_decref(user);
        cw_svc_fail_db(ctx, &err, 0, CW_ERR_USER_ALREADY_EXISTS);
        return;
    }
    cw_account_reply(ctx, db, 201, user);
}

/* Sessions ----------------------------------------------------------------------------------------
 */

/* Makes a session for user, sets the cookies and applies the session limit; the session (a new
 * reference) or NULL with the error written. cookie receives the cookie value. */
json_t *cw_account_open_session(cw_ctx_t *ctx, cw_db_t *db, const json_t *user,
                                const char *provider, const char *provider_uid, const char *factor,
                                cw_buf_t *cookie)
{
    char secret[CW_SESSION_SECRET_LEN + 1];
    cw_db_error_t err = {0};
    json_t *session = NULL;
    cw_str_t ua = cw_req_header(ctx->req, "user-agent");
    cw_session_spec_t spec = {
        .provider = provider,
        .provider_uid = provider_uid,
        .factor = factor,
        .user_agent = ua.len > 0 ? cw_arena_strndup(&ctx->req->arena, ua.ptr, ua.len) : NULL,
        .ip = cw_arena_strndup(&ctx->req->arena, ctx->req->ip.ptr, ctx->req->ip.len),
        .duration = cw_policy(ctx)->duration,
    };
    const char *uid = json_string_value(json_object_get(user, "$id"));
    if (cw_session_create(db, user, &spec, secret, &session, &err) != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return NULL;
    }
    cw_session_cookie_encode(cw_str(uid), cw_str(secret), cookie);
    int64_t expire_ms = 0;
    const json_t *e = json_object_get(session, "expire");
    if (cw_time_parse((cw_str_t){json_string_value(e), json_string_length(e)}, &expire_ms) != 0)
        expire_ms = cw_time_now_ms() + spec.duration * 1000;
    cw_account_send_cookies(ctx, cw_buf_str(cookie), expire_ms / 1000);
    /* As Appwrite's shutdown hook: the session stands even if trimming old ones fails. */
    if (cw_session_enforce_limit(db, uid, cw_policy(ctx)->max_sessions, &err) != 0)
        cw_log(CW_LOG_WARN, "msg=\"session limit not applied\" error=\"%s\"", err.message);
    return session;
}

/* Appwrite's session alert (its mails listener of SessionCreated): with the project's
 * sessionAlerts on, a user with an e-mail hears of each new session but their first. A session
 * made from a mailed secret (magic URL, e-mail OTP) gets none: the mail proved the mailbox. Best
 * effort, as in Appwrite: the session stands whatever becomes of the mail. */
static void session_alert(cw_ctx_t *ctx, cw_db_t *db, const json_t *user, const json_t *session)
{
    const char *email = json_string_value(json_object_get(user, "email"));
    const char *provider = json_string_value(json_object_get(session, "provider"));
    const json_t *factors = json_object_get(session, "factors");
    if (!cw_policy(ctx)->session_alerts || email == NULL || email[0] == '\0')
        return;
    if (provider != NULL &&
        (strcmp(provider, "magic-url") == 0 || strcmp(provider, "token") == 0)) {
        size_t i;
        json_t *f;
        json_array_foreach(factors, i, f)
        {
            if (json_is_string(f) && strcmp(json_string_value(f), "email") == 0)
                return;
        }
    }
    json_t *q = json_array(), *found = NULL;
    cw_db_error_t err = {0};
    json_array_append_new(
        q, cw_db_internal_query("equal", "userId", json_incref(json_object_get(user, "$id"))));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(2)));
    int rc = cw_db_internal_find(db, "sessions", q, NULL, false, &found, &err);
    json_decref(q);
    size_t n = json_array_size(json_object_get(found, "documents"));
    json_decref(found);
    if (rc != 0 || n < 2)
        return;
    json_t *m = cw_session_model(session, true, NULL);
    const char *client = json_string_value(json_object_get(m, "clientName"));
    const char *agent = json_string_value(json_object_get(session, "userAgent"));
    /* Appwrite's device line: the client's name, else the user agent. */
    const char *device = client != NULL && client[0] != '\0' ? client
                         : agent != NULL && agent[0] != '\0' ? agent
                                                             : "UNKNOWN";
    char date[64];
    time_t now = (time_t)(cw_time_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%B %d, %Y %H:%M:%S UTC", &tm);
    json_t *vars =
        json_pack("{s:s, s:s, s:O, s:O}", "date", date, "device", device, "ip",
                  json_object_get(m, "ip"), "country", json_object_get(m, "countryName"));
    if (vars == NULL ||
        cw_svc_mail_quiet(ctx, "sessionAlert", email,
                          json_string_value(json_object_get(user, "name")), vars) != 0)
        cw_log(CW_LOG_INFO, "msg=\"session alert not queued\"");
    json_decref(vars);
    json_decref(m);
}

/* As cw_account_open_session, answering the Session model (201), and sending the session alert.
 * The model's secret is the cookie value, shown to API keys only. */
void cw_account_start_session(cw_ctx_t *ctx, cw_db_t *db, const json_t *user, const char *provider,
                              const char *provider_uid, const char *factor)
{
    cw_buf_t value = CW_BUF_INIT;
    json_t *session =
        cw_account_open_session(ctx, db, user, provider, provider_uid, factor, &value);
    if (session != NULL) {
        cw_svc_reply(ctx, 201,
                     cw_session_model(session, true, cw_ctx_auth(ctx)->has_key ? value.ptr : NULL));
        session_alert(ctx, db, user, session);
    }
    json_decref(session);
    cw_buf_free(&value);
}

/* Session-creating routes refuse a request that is already signed in (Appwrite's `session`
 * group). */
int cw_account_not_signed_in(cw_ctx_t *ctx)
{
    if (cw_ctx_auth(ctx)->user != NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_SESSION_ALREADY_EXISTS, NULL);
        return -1;
    }
    return 0;
}

static void on_create_email_session(cw_ctx_t *ctx)
{
    const char *email, *password;
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_t *found = NULL;
    if (cw_policy_method_allowed(ctx, CW_AUTH_EMAIL_PASSWORD) != 0 ||
        cw_account_arg_email(ctx, &email) != 0 ||
        cw_account_arg_password(ctx, "password", true, &password) != 0 ||
        cw_account_not_signed_in(ctx) != 0 || cw_svc_open_internal(ctx, &db) != 0)
        return;
    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "email", json_string(email)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, "users", q, NULL, false, &found, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *user = json_incref(json_array_get(json_object_get(found, "documents"), 0));
    json_decref(found);
    cw_password_desc_t d;
    bool match = false;
    const json_t *stored = json_object_get(user, "password");
    const json_t *hash = json_object_get(user, "hash");
    if (user != NULL && json_is_string(json_object_get(user, "passwordUpdate")) &&
        json_string_length(json_object_get(user, "passwordUpdate")) > 0 && json_is_string(stored) &&
        json_is_string(hash) &&
        cw_password_desc_parse((cw_str_t){json_string_value(hash), json_string_length(hash)},
                               json_object_get(user, "hashOptions"), &d) == 0)
        cw_password_verify(&d, cw_str(password),
                           (cw_str_t){json_string_value(stored), json_string_length(stored)},
                           &match);
    if (!match) {
        json_decref(user);
        cw_res_error(ctx->res, CW_ERR_USER_INVALID_CREDENTIALS, NULL);
        return;
    }
    if (json_is_false(json_object_get(user, "status"))) {
        json_decref(user);
        cw_res_error(ctx->res, CW_ERR_USER_BLOCKED, NULL);
        return;
    }
    const char *uid = json_string_value(json_object_get(user, "$id"));
    /* Appwrite re-hashes every algorithm but argon2; an argon2 hash keeps its parameters. */
    if (cw_password_needs_rehash(&d)) {
        cw_password_desc_t nd;
        cw_buf_t hashed = CW_BUF_INIT;
        cw_password_desc_default(&nd);
        json_t *out = NULL;
        if (cw_password_hash(&nd, cw_str(password), &hashed) == 0) {
            json_t *data = json_object();
            json_object_set_new(data, "password", json_stringn(hashed.ptr, hashed.len));
            json_object_set_new(data, "hash", json_string(cw_password_algo_name(nd.algo)));
            json_object_set_new(data, "hashOptions", cw_password_desc_options(&nd));
            if (cw_db_internal_update(db, "users", uid, data, &out, &err) != 0)
                cw_log(CW_LOG_WARN, "msg=\"password re-hash not saved\" error=\"%s\"", err.message);
            json_decref(data);
            json_decref(out);
        }
        cw_buf_free(&hashed);
    }
    cw_account_start_session(ctx, db, user, "email", email, "password");
    json_decref(user);
}

static void on_create_anonymous_session(cw_ctx_t *ctx)
{
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_t *user = NULL;
    char id[CW_ID_LEN + 1];
    if (cw_policy_method_allowed(ctx, CW_AUTH_ANONYMOUS) != 0)
        return;
    if (cw_console_is(cw_ctx_auth(ctx))) {
        cw_res_error(ctx->res, CW_ERR_USER_ANONYMOUS_CONSOLE_PROHIBITED,
                     "Failed to create anonymous user");
        return;
    }
    if (cw_account_not_signed_in(ctx) != 0 || cw_svc_open_internal(ctx, &db) != 0 ||
        cw_policy_user_limit(ctx, db, NULL) != 0)
        return;
    cw_id_unique(id);
    json_t *data = cw_account_new_user_data(id, NULL, NULL, NULL, ctx->res);
    if (data == NULL)
        return;
    json_t *perms = cw_account_user_perms(id);
    int rc = cw_db_internal_create(db, "users", id, data, perms, &user, &err);
    json_decref(data);
    json_decref(perms);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, CW_ERR_USER_ALREADY_EXISTS);
        return;
    }
    cw_account_start_session(ctx, db, user, "anonymous", "", "anonymous");
    json_decref(user);
}

/* All sessions of the signed-in user, oldest first (a new reference), or NULL with the error
 * written. */
static json_t *user_sessions(cw_ctx_t *ctx, cw_db_t *db)
{
    json_t *q = json_array(), *found = NULL;
    cw_db_error_t err = {0};
    json_array_append_new(
        q,
        cw_db_internal_query("equal", "userId", json_string(cw_account_user_id(cw_ctx_auth(ctx)))));
    json_array_append_new(q, cw_db_internal_query("orderAsc", "$sequence", NULL));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1000)));
    int rc = cw_db_internal_find(db, "sessions", q, NULL, false, &found, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return NULL;
    }
    json_t *docs = json_incref(json_object_get(found, "documents"));
    json_decref(found);
    return docs;
}

static void on_list_sessions(cw_ctx_t *ctx)
{
    cw_db_t *db;
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    json_t *docs = user_sessions(ctx, db);
    if (docs == NULL)
        return;
    const char *current = cw_account_current_session_id(auth);
    json_t *list = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(docs, i, s)
    {
        const char *sid = json_string_value(json_object_get(s, "$id"));
        json_array_append_new(
            list,
            cw_session_model(s, current != NULL && sid != NULL && strcmp(current, sid) == 0, NULL));
    }
    json_t *m = json_object();
    json_object_set_new(m, "total", json_integer((json_int_t)json_array_size(docs)));
    json_object_set_new(m, "sessions", list);
    json_decref(docs);
    cw_svc_reply(ctx, 200, m);
}

/* The session of the route's sessionId ("current": the request's own) among the user's, or
 * the 404 written. */
static json_t *route_session(cw_ctx_t *ctx, cw_db_t *db)
{
    cw_auth_t *auth = cw_ctx_auth(ctx);
    cw_str_t sid = cw_req_path_param(ctx->req, "sessionId");
    const char *want = NULL;
    if (cw_str_eq_cstr(sid, "current"))
        want = cw_account_current_session_id(auth);
    else if (cw_id_valid(sid, CW_ID_MAX_LEN))
        want = cw_arena_strndup(&ctx->req->arena, sid.ptr, sid.len);
    else {
        cw_arg_invalid(
            ctx, "sessionId",
            "UID must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, and underscore. "
            "Can't start with a leading underscore");
        return NULL;
    }
    json_t *session = NULL;
    cw_db_error_t err = {0};
    if (want != NULL && cw_db_internal_get(db, "sessions", want, &session, &err) != 0 &&
        err.type != CW_ERR_DOCUMENT_NOT_FOUND) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return NULL;
    }
    const char *owner = json_string_value(json_object_get(session, "userId"));
    if (session == NULL || owner == NULL || strcmp(owner, cw_account_user_id(auth)) != 0) {
        json_decref(session);
        cw_res_error(ctx->res, CW_ERR_USER_SESSION_NOT_FOUND, NULL);
        return NULL;
    }
    return session;
}

static bool is_current(const cw_auth_t *auth, const json_t *session)
{
    const char *current = cw_account_current_session_id(auth);
    const char *sid = json_string_value(json_object_get(session, "$id"));
    return current != NULL && sid != NULL && strcmp(current, sid) == 0;
}

static void on_get_session(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *session;
    if (cw_account_signed_in(ctx, &db) != 0 || (session = route_session(ctx, db)) == NULL)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    cw_svc_reply(ctx, 200, cw_session_model(session, is_current(auth, session), NULL));
    json_decref(session);
}

static void on_update_session(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *session, *out = NULL;
    cw_db_error_t err = {0};
    char expire[CW_TIME_ISO_LEN];
    if (cw_account_signed_in(ctx, &db) != 0 || (session = route_session(ctx, db)) == NULL)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    cw_time_format(cw_time_now_ms() + cw_policy(ctx)->duration * 1000, expire);
    json_t *data = json_pack("{s:s}", "expire", expire);
    int rc = cw_db_internal_update(
        db, "sessions", json_string_value(json_object_get(session, "$id")), data, &out, &err);
    json_decref(data);
    bool current = is_current(auth, session);
    json_decref(session);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_SESSION_NOT_FOUND, 0);
        return;
    }
    cw_svc_reply(ctx, 200, cw_session_model(out, current, NULL));
    json_decref(out);
}

static void on_delete_session(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *session;
    cw_db_error_t err = {0};
    if (cw_account_signed_in(ctx, &db) != 0 || (session = route_session(ctx, db)) == NULL)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    bool current = is_current(auth, session);
    int rc = cw_db_internal_delete(db, "sessions",
                                   json_string_value(json_object_get(session, "$id")), &err);
    json_decref(session);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_SESSION_NOT_FOUND, 0);
        return;
    }
    if (current)
        cw_account_send_cookies(ctx, CW_STR_NULL, 0);
    cw_res_empty(ctx->res, 204);
}

static void on_delete_sessions(cw_ctx_t *ctx)
{
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    json_t *q = json_array();
    json_array_append_new(
        q, cw_db_internal_query("equal", "userId", json_string(cw_account_user_id(auth))));
    size_t n = 0;
    int rc = cw_db_internal_delete_where(db, "sessions", q, &n, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    if (cw_account_current_session_id(auth) != NULL)
        cw_account_send_cookies(ctx, CW_STR_NULL, 0);
    cw_res_empty(ctx->res, 204);
}

static void on_create_jwt(cw_ctx_t *ctx)
{
    cw_db_t *db;
    int64_t duration = CW_JWT_ACCOUNT_DURATION;
    if (cw_policy_method_allowed(ctx, CW_AUTH_JWT) != 0 ||
        cw_arg_int(ctx, "duration", false, 0, CW_JWT_ACCOUNT_DURATION_MAX, &duration) < 0 ||
        cw_account_signed_in(ctx, &db) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    if (cw_req_header(ctx->req, "x-appwrite-jwt").len > 0) {
        cw_res_error(ctx->res, CW_ERR_USER_JWT_CREATION_DENIED, NULL);
        return;
    }
    const char *sid = cw_account_current_session_id(auth);
    if (sid == NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_SESSION_NOT_FOUND, NULL);
        return;
    }
    cw_buf_t jwt = CW_BUF_INIT;
    /* Appwrite's library gives a zero duration no exp at all; ours always sets one. */
    if (cw_jwt_account_encode(cw_str(cw_ctx_thread(ctx)->cfg->openssl_key),
                              cw_str(cw_account_user_id(auth)), cw_str(sid),
                              cw_time_now_ms() / 1000,
                              duration > 0 ? duration : CW_JWT_ACCOUNT_DURATION, &jwt) != 0) {
        cw_buf_free(&jwt);
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return;
    }
    json_t *m = json_object();
    json_object_set_new(m, "jwt", json_stringn(jwt.ptr, jwt.len));
    cw_buf_free(&jwt);
    cw_svc_reply(ctx, 201, m);
}

/* The account ---------------------------------------------------------------------------------- */

static void on_get(cw_ctx_t *ctx)
{
    cw_db_t *db;
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    cw_account_reply(ctx, db, 200, json_incref(cw_ctx_auth(ctx)->user));
}

/* Applies data to the signed-in user and answers the account; releases data. */
static void update_account(cw_ctx_t *ctx, cw_db_t *db, json_t *data, cw_err_t dup)
{
    json_t *out = NULL;
    cw_db_error_t err = {0};
    int rc =
        cw_db_internal_update(db, "users", cw_account_user_id(cw_ctx_auth(ctx)), data, &out, &err);
    json_decref(data);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, dup);
        return;
    }
    cw_account_reply(ctx, db, 200, out);
}

static json_t *refreshed_search(const json_t *user, const char *email, const char *name)
{
    const char *id = json_string_value(json_object_get(user, "$id"));
    if (email == NULL)
        email = json_string_value(json_object_get(user, "email"));
    if (name == NULL)
        name = json_string_value(json_object_get(user, "name"));
    return cw_account_search_text(id, email, name);
}

static void on_update_name(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *name;
    if (cw_arg_text(ctx, "name", true, NAME_MAX_LEN, &name) != 0 ||
        cw_account_signed_in(ctx, &db) != 0)
        return;
    json_t *data = json_pack("{s:s}", "name", name);
    json_object_set_new(data, "search", refreshed_search(cw_ctx_auth(ctx)->user, NULL, name));
    update_account(ctx, db, data, 0);
}

/* Whether password is the signed-in user's; a user who never set one passes (Appwrite). */
bool cw_account_password_matches(const json_t *user, const char *password)
{
    const json_t *pu = json_object_get(user, "passwordUpdate");
    if (!json_is_string(pu) || json_string_length(pu) == 0)
        return true;
    const json_t *stored = json_object_get(user, "password");
    const json_t *hash = json_object_get(user, "hash");
    cw_password_desc_t d;
    bool match = false;
    if (password != NULL && json_is_string(stored) && json_is_string(hash) &&
        cw_password_desc_parse((cw_str_t){json_string_value(hash), json_string_length(hash)},
                               json_object_get(user, "hashOptions"), &d) == 0)
        cw_password_verify(&d, cw_str(password),
                           (cw_str_t){json_string_value(stored), json_string_length(stored)},
                           &match);
    return match;
}

static void on_update_password(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *password, *old;
    if (cw_policy_arg_new_password(ctx, "password", true, false, &password) != 0 ||
        cw_arg_text(ctx, "oldPassword", false, PASSWORD_MAX, &old) != 0 ||
        cw_account_signed_in(ctx, &db) != 0)
        return;
    cw_auth_t *auth = cw_ctx_auth(ctx);
    const json_t *user = auth->user;
    if (!cw_account_password_matches(user, old != NULL ? old : "")) {
        cw_res_error(ctx->res, CW_ERR_USER_INVALID_CREDENTIALS, NULL);
        return;
    }
    cw_password_desc_t d;
    cw_buf_t hashed = CW_BUF_INIT;
    char now[CW_TIME_ISO_LEN];
    json_t *history = NULL;
    cw_password_desc_default(&d);
    if (cw_password_hash(&d, cw_str(password), &hashed) != 0) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return;
    }
    /* Appwrite's order: the history, then personal data. */
    if (cw_policy_password_history(ctx, user, password, cw_buf_str(&hashed), &history) != 0 ||
        cw_policy_password_personal(ctx, password, cw_account_user_id(auth),
                                    json_string_value(json_object_get(user, "email")),
                                    json_string_value(json_object_get(user, "name")),
                                    json_string_value(json_object_get(user, "phone"))) != 0) {
        json_decref(history);
        cw_buf_free(&hashed);
        return;
    }
    cw_time_format(cw_time_now_ms(), now);
    json_t *data = json_object();
    json_object_set_new(data, "password", json_stringn(hashed.ptr, hashed.len));
    json_object_set_new(data, "hash", json_string(cw_password_algo_name(d.algo)));
    json_object_set_new(data, "hashOptions", cw_password_desc_options(&d));
    json_object_set_new(data, "passwordUpdate", json_string(now));
    if (history != NULL)
        json_object_set_new(data, "passwordHistory", history);
    cw_buf_free(&hashed);
    /* Only a request signed in with a session keeps it; through a JWT nothing is ended (Appwrite
     * finds no current session then). */
    const char *current = cw_account_current_session_id(auth);
    cw_db_error_t err = {0};
    if (cw_policy(ctx)->invalidate_sessions && current != NULL &&
        cw_policy_sessions_end(db, cw_account_user_id(auth), current, &err) != 0) {
        json_decref(data);
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    update_account(ctx, db, data, 0);
}

static void on_update_email(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *email, *password;
    cw_db_error_t err = {0};
    json_t *found = NULL;
    if (cw_account_arg_email(ctx, &email) != 0 ||
        cw_arg_text(ctx, "password", true, PASSWORD_MAX, &password) != 0 ||
        cw_account_signed_in(ctx, &db) != 0)
        return;
    const json_t *user = cw_ctx_auth(ctx)->user;
    if (!cw_account_password_matches(user, password)) {
        cw_res_error(ctx->res, CW_ERR_USER_INVALID_CREDENTIALS, NULL);
        return;
    }
    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "providerEmail", json_string(email)));
    json_array_append_new(q,
                          cw_db_internal_query("notEqual", "userId",
                                               json_string(cw_account_user_id(cw_ctx_auth(ctx)))));
    int rc = cw_db_internal_find(db, "identities", q, NULL, false, &found, &err);
    json_decref(q);
    size_t n = json_array_size(json_object_get(found, "documents"));
    json_decref(found);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    if (n > 0) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_BAD_REQUEST, NULL);
        return;
    }
    json_t *data = json_pack("{s:s, s:b}", "email", email, "emailVerification", 0);
    json_object_set_new(data, "search", refreshed_search(user, email, NULL));
    /* A user without a password (anonymous) gets the one given, so they can sign in later. */
    const json_t *pu = json_object_get(user, "passwordUpdate");
    if (!json_is_string(pu) || json_string_length(pu) == 0) {
        cw_password_desc_t d;
        cw_buf_t hashed = CW_BUF_INIT;
        char now[CW_TIME_ISO_LEN];
        cw_password_desc_default(&d);
        if (cw_password_hash(&d, cw_str(password), &hashed) != 0) {
            json_decref(data);
            cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
            return;
        }
        cw_time_format(cw_time_now_ms(), now);
        json_object_set_new(data, "password", json_stringn(hashed.ptr, hashed.len));
        json_object_set_new(data, "hash", json_string(cw_password_algo_name(d.algo)));
        json_object_set_new(data, "hashOptions", cw_password_desc_options(&d));
        json_object_set_new(data, "passwordUpdate", json_string(now));
        cw_buf_free(&hashed);
    }
    /* Appwrite answers a duplicate e-mail with a bare 400 too. */
    update_account(ctx, db, data, CW_ERR_GENERAL_BAD_REQUEST);
}

static void on_get_prefs(cw_ctx_t *ctx)
{
    cw_db_t *db;
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    const json_t *prefs = json_object_get(cw_ctx_auth(ctx)->user, "prefs");
    cw_svc_reply(ctx, 200, json_is_object(prefs) ? json_deep_copy(prefs) : json_object());
}

static void on_update_prefs(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *v = cw_arg_json(ctx, "prefs"), *out = NULL;
    cw_db_error_t err = {0};
    if (v == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Param \"prefs\" is required but was not given.");
        return;
    }
    json_t *prefs = json_is_string(v) ? json_loads(json_string_value(v), 0, NULL)
                    : json_is_array(v) && json_array_size(v) == 0 ? json_object()
                                                                  : json_incref(v);
    char *text = json_is_object(prefs) ? json_dumps(prefs, JSON_COMPACT) : NULL;
    size_t len = text != NULL ? strlen(text) : 0;
    free(text);
    if (!json_is_object(prefs) || len > PREFS_MAX) {
        json_decref(prefs);
        cw_arg_invalid(ctx, "prefs", "Value must be a valid object");
        return;
    }
    if (cw_account_signed_in(ctx, &db) != 0) {
        json_decref(prefs);
        return;
    }
    json_t *data = json_object();
    json_object_set_new(data, "prefs", prefs);
    int rc =
        cw_db_internal_update(db, "users", cw_account_user_id(cw_ctx_auth(ctx)), data, &out, &err);
    json_decref(data);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return;
    }
    cw_account_reply(ctx, db, 200, out);
}

/* Blocks the signed-in user. As in Appwrite, the sessions stay (a blocked user is refused with
 * any of them) and only this client's cookies are removed. */
static void on_update_status(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *out = NULL;
    cw_db_error_t err = {0};
    if (cw_account_signed_in(ctx, &db) != 0)
        return;
    json_t *data = json_pack("{s:b}", "status", 0);
    int rc =
        cw_db_internal_update(db, "users", cw_account_user_id(cw_ctx_auth(ctx)), data, &out, &err);
    json_decref(data);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return;
    }
    cw_account_send_cookies(ctx, CW_STR_NULL, 0);
    cw_account_reply(ctx, db, 200, out);
}

#define OFF CW_ROUTE_OFFLOAD

const cw_route_t cw_account_routes[] = {
    {"GET", "/v1/account", "account", on_get, OFF},
    {"POST", "/v1/account", "sessions.write", on_create, OFF},
    {"PATCH", "/v1/account/email", "account", on_update_email, OFF},
    {"POST", "/v1/account/jwts", "account", on_create_jwt, OFF},
    {"POST", "/v1/account/jwt", "account", on_create_jwt, OFF},
    {"PATCH", "/v1/account/name", "account", on_update_name, OFF},
    {"PATCH", "/v1/account/password", "account", on_update_password, OFF},
    {"GET", "/v1/account/prefs", "account", on_get_prefs, OFF},
    {"PATCH", "/v1/account/prefs", "account", on_update_prefs, OFF},
    {"GET", "/v1/account/sessions", "account", on_list_sessions, OFF},
    {"DELETE", "/v1/account/sessions", "account", on_delete_sessions, OFF},
    {"POST", "/v1/account/sessions", "sessions.write", on_create_email_session, OFF},
    {"POST", "/v1/account/sessions/email", "sessions.write", on_create_email_session, OFF},
    {"POST", "/v1/account/sessions/anonymous", "sessions.write", on_create_anonymous_session, OFF},
    {"GET", "/v1/account/sessions/{sessionId}", "account", on_get_session, OFF},
    {"PATCH", "/v1/account/sessions/{sessionId}", "account", on_update_session, OFF},
    /* Signing out stays open to a session still short of factors (Appwrite's `mfa` group). */
    {"DELETE", "/v1/account/sessions/{sessionId}", "account", on_delete_session,
     OFF | CW_ROUTE_MFA_OPEN},
    {"PATCH", "/v1/account/status", "account", on_update_status, OFF},
};
const size_t cw_account_routes_count = sizeof(cw_account_routes) / sizeof(cw_account_routes[0]);
