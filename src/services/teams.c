/*
 * The Teams service: teams, their prefs, and memberships with roles, over the project's internal
 * collections (db/internal.h). Routes run on the worker pool (SQLite; argon2 for the users an
 * invitation by email creates).
 *
 * An API key acts as Appwrite's server mode: a team it creates has no owner membership, and a
 * membership it creates is confirmed at once, with no invitation sent. A team's `total` is the
 * number of its confirmed memberships; it is counted again, in the same transaction, after every
 * change of a membership, which gives Appwrite's numbers without an increment that could be lost.
 *
 * A signed-in user who creates a team becomes its owner. A signed-in owner invites by mail: the
 * membership waits unconfirmed, and the link mailed (through the mail queue) carries the secret
 * that updateMembershipStatus takes, which also signs a guest invitee in.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/session.h"
#include "auth/session_cookie.h"
#include "core/log.h"
#include "core/id.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "db/internal.h"
#include "core/validate.h"
#include "http/args.h"
#include "models/json.h"
#include "models/membership.h"
#include "services/api.h"
#include "services/account.h"
#include "services/internal_api.h"
#include "services/mail_api.h"
#include "services/policy.h"
#include "services/redirect_api.h"
#include "services/routes.h"

#define NAME_MAX_LEN 128
#define SEARCH_MAX_LEN 256
#define SECRET_MAX_LEN 256
#define ROLES_MAX 100      /* APP_LIMIT_ARRAY_PARAMS_SIZE */
#define TEAM_ROLE_MAX 36   /* createTeam's roles: utopia's Key */
#define MEMBER_ROLE_MAX 81 /* membership roles: Key(81), room for "project-<id>-<role>" */
#define PREFS_MAX 65535
#define SECRET_BYTES 128 /* an invitation secret is 256 hex digits, as Appwrite's tokens */

static const char *const team_query_attrs[] = {"name", "total", NULL};
static const char *const membership_query_attrs[] = {"userId",  "teamId", "invited", "joined",
                                                     "confirm", "roles",  NULL};

/* Request helpers -------------------------------------------------------------------------- */

static const char id_rule[] = "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, "
                              "0-9, period, hyphen, and underscore. Can't start with a special "
                              "char";

static bool is_key(cw_ctx_t *ctx)
{
    return cw_ctx_auth(ctx)->role == CW_ROLE_KEYS;
}

/* Whether the caller may `action` a team or membership by its permissions, as Appwrite's
 * authorization decides for a signed-in user or a guest (API keys: always). */
static bool caller_may(cw_ctx_t *ctx, const json_t *doc, const char *action)
{
    const cw_auth_t *auth = cw_ctx_auth(ctx);
    size_t i, alen = strlen(action);
    const json_t *p;
    if (is_key(ctx))
        return true;
    json_array_foreach(json_object_get(doc, "$permissions"), i, p)
    {
        const char *v = json_string_value(p);
        size_t n = v != NULL ? strlen(v) : 0;
        if (n < alen + 4 || strncmp(v, action, alen) != 0 || v[alen] != '(' || v[alen + 1] != '"' ||
            v[n - 2] != '"' || v[n - 1] != ')')
            continue;
        cw_str_t role = {v + alen + 2, n - alen - 4};
        if (cw_str_eq_cstr(role, "any"))
            return true;
        for (const char *const *r = auth->roles; r != NULL && *r != NULL; r++) {
            if (cw_str_eq_cstr(role, *r))
                return true;
        }
    }
    return false;
}

/* Answers user_unauthorized unless the caller may `action` doc. Returns 0, or -1. */
static int need_permission(cw_ctx_t *ctx, const json_t *doc, const char *action)
{
    if (caller_may(ctx, doc, action))
        return 0;
    cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED, NULL);
    return -1;
}

/* An ID from the path or the body; custom: "unique()" makes one. *out NULL when absent and
 * optional. */
static int arg_id(cw_ctx_t *ctx, const char *name, bool required, bool custom, const char **out)
{
    cw_str_t s;
    *out = NULL;
    int rc = cw_arg_str(ctx, name, required, 0, &s);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (!required && s.len == 0)
        return 0;
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

/* Optional; "" counts as absent (*out NULL). Lower-cased, as Appwrite stores emails. */
static int arg_email(cw_ctx_t *ctx, const char **out)
{
    if (cw_arg_text(ctx, "email", false, 0, out) != 0)
        return -1;
    if (*out == NULL || (*out)[0] == '\0') {
        *out = NULL;
        return 0;
    }
    if (!cw_valid_email(*out))
        return cw_arg_invalid(ctx, "email", "Value must be a valid email address");
    for (char *p = (char *)*out; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return 0;
}

static int arg_phone(cw_ctx_t *ctx, const char **out)
{
    if (cw_arg_text(ctx, "phone", false, 0, out) != 0)
        return -1;
    if (*out == NULL || (*out)[0] == '\0') {
        *out = NULL;
        return 0;
    }
    if (!cw_valid_phone(*out))
        return cw_arg_invalid(
            ctx, "phone",
            "Phone number must start with a '+' can have a maximum of fifteen digits.");
    return 0;
}

/* An array of at most 100 Keys of up to max chars. *out a new array (the default when absent and
 * fallback is given), duplicates kept as Appwrite keeps them. */
static int arg_roles(cw_ctx_t *ctx, bool required, size_t max, const char *fallback, json_t **out)
{
    char rule[256];
    json_t *v = cw_arg_json(ctx, "roles");
    size_t i;
    json_t *r;
    *out = NULL;
    snprintf(rule, sizeof(rule),
             "Value must a valid array no longer than %d items and Parameter must contain at most "
             "%zu chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't "
             "start with a special char",
             ROLES_MAX, max);
    if (v == NULL) {
        if (required) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "Param \"roles\" is required but was not given.");
            return -1;
        }
        *out = json_array();
        if (fallback != NULL)
            json_array_append_new(*out, json_string(fallback));
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) > ROLES_MAX)
        return cw_arg_invalid(ctx, "roles", rule);
    json_array_foreach(v, i, r)
    {
        if (!json_is_string(r) ||
            !cw_id_valid((cw_str_t){json_string_value(r), json_string_length(r)}, max))
            return cw_arg_invalid(ctx, "roles", rule);
    }
    *out = json_copy(v);
    return 0;
}

static int arg_flag(cw_ctx_t *ctx, const char *name, bool fallback, bool *out)
{
    *out = fallback;
    return cw_arg_bool(ctx, name, false, out) < 0 ? -1 : 0;
}

/* Prefs as utopia's Assoc takes them: an object, or its JSON text; [] is the empty object. *out
 * a new reference. */
static int arg_prefs(cw_ctx_t *ctx, json_t **out)
{
    json_t *v = cw_arg_json(ctx, "prefs");
    *out = NULL;
    if (v == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Param \"prefs\" is required but was not given.");
        return -1;
    }
    json_t *prefs = json_is_string(v) ? json_loads(json_string_value(v), 0, NULL)
                    : json_is_array(v) && json_array_size(v) == 0 ? json_object()
                                                                  : json_incref(v);
    char *text = json_is_object(prefs) ? json_dumps(prefs, JSON_COMPACT) : NULL;
    size_t len = text != NULL ? strlen(text) : 0;
    free(text);
    if (!json_is_object(prefs) || len > PREFS_MAX) {
        json_decref(prefs);
        return cw_arg_invalid(ctx, "prefs", "Value must be a valid object");
    }
    *out = prefs;
    return 0;
}

static const char *str_of(const json_t *doc, const char *key)
{
    const char *s = json_string_value(json_object_get(doc, key));
    return s != NULL ? s : "";
}

/* The first document coll holds where attr equals value, or NULL (*out a new reference). */
static int find_one(cw_db_t *db, const char *coll, const char *attr, json_t *value, json_t **out,
                    cw_db_error_t *err)
{
    json_t *q = json_array(), *found = NULL;
    json_array_append_new(q, cw_db_internal_query("equal", attr, value));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, coll, q, NULL, false, &found, err);
    json_decref(q);
    *out = rc == 0 ? json_incref(json_array_get(json_object_get(found, "documents"), 0)) : NULL;
    json_decref(found);
    return rc;
}

/* Models and loads --------------------------------------------------------------------------- */

static json_t *team_model(const json_t *t)
{
    json_t *m = json_object();
    json_object_set_new(m, "$id", json_string(str_of(t, "$id")));
    json_object_set_new(m, "$createdAt", json_string(str_of(t, "$createdAt")));
    json_object_set_new(m, "$updatedAt", json_string(str_of(t, "$updatedAt")));
    json_object_set_new(m, "name", json_string(str_of(t, "name")));
    const json_t *total = json_object_get(t, "total");
    json_object_set_new(m, "total",
                        json_integer(json_is_integer(total) ? json_integer_value(total) : 0));
    const json_t *prefs = json_object_get(t, "prefs");
    json_object_set_new(m, "prefs", json_is_object(prefs) ? json_deep_copy(prefs) : json_object());
    return m;
}

/* The team of the route's teamId, or the 404 written. */
static int load_team(cw_ctx_t *ctx, cw_db_t **db, json_t **team)
{
    const char *id;
    cw_db_error_t err = {0};
    *team = NULL;
    if (arg_id(ctx, "teamId", true, false, &id) != 0 || cw_svc_open_internal(ctx, db) != 0)
        return -1;
    if (cw_db_internal_get(*db, "teams", id, team, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_TEAM_NOT_FOUND, 0);
        return -1;
    }
    /* A team the caller may not read is not there for them (read("team:T")). */
    if (!caller_may(ctx, *team, "read")) {
        json_decref(*team);
        *team = NULL;
        cw_res_error(ctx->res, CW_ERR_TEAM_NOT_FOUND, NULL);
        return -1;
    }
    return 0;
}

/* The membership of the route's membershipId, which must belong to team. */
static int load_membership(cw_ctx_t *ctx, cw_db_t *db, const json_t *team, cw_err_t not_found,
                           json_t **out)
{
    const char *id;
    cw_db_error_t err = {0};
    *out = NULL;
    if (arg_id(ctx, "membershipId", true, false, &id) != 0)
        return -1;
    if (cw_db_internal_get(db, "memberships", id, out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, not_found, 0);
        return -1;
    }
    if (str_of(*out, "userId")[0] == '\0') {
        json_decref(*out);
        *out = NULL;
        cw_res_error(ctx->res, not_found, NULL);
        return -1;
    }
    if (team != NULL &&
        !json_equal(json_object_get(*out, "teamInternalId"), json_object_get(team, "$sequence"))) {
        json_decref(*out);
        *out = NULL;
        cw_res_error(ctx->res, CW_ERR_TEAM_MEMBERSHIP_MISMATCH, NULL);
        return -1;
    }
    return 0;
}

/* The membership's user, or NULL when it is gone. */
static json_t *member_user(cw_db_t *db, const json_t *membership)
{
    json_t *user = NULL;
    cw_db_error_t err = {0};
    if (cw_db_internal_get(db, "users", str_of(membership, "userId"), &user, &err) != 0)
        return NULL;
    return user;
}

/* Appwrite shows mfa only when the user turned it on and has a factor to use: a verified email
 * or phone, or a verified TOTP authenticator. */
static bool member_mfa(cw_db_t *db, const json_t *user)
{
    if (!json_is_true(json_object_get(user, "mfa")))
        return false;
    if ((str_of(user, "email")[0] != '\0' &&
         json_is_true(json_object_get(user, "emailVerification"))) ||
        (str_of(user, "phone")[0] != '\0' &&
         json_is_true(json_object_get(user, "phoneVerification"))))
        return true;
    json_t *q = json_array(), *found = NULL;
    cw_db_error_t err = {0};
    json_array_append_new(
        q, cw_db_internal_query("equal", "userId", json_string(str_of(user, "$id"))));
    json_array_append_new(q, cw_db_internal_query("equal", "type", json_string("totp")));
    json_array_append_new(q, cw_db_internal_query("equal", "verified", json_true()));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    bool on = cw_db_internal_find(db, "authenticators", q, NULL, false, &found, &err) == 0 &&
              json_array_size(json_object_get(found, "documents")) > 0;
    json_decref(found);
    json_decref(q);
    return on;
}

/* The membership as getMembership and listMemberships show it. A caller other than an API key
 * sees the member's fields the project's membership privacy lets through; the others are empty. */
static json_t *membership_read_model(cw_ctx_t *ctx, cw_db_t *db, const json_t *membership,
                                     const json_t *team)
{
    const cw_project_auth_t *p = cw_policy(ctx);
    bool all = is_key(ctx);
    bool show_mfa = all || p->memberships_mfa;
    json_t *user = member_user(db, membership);
    json_t *m = cw_model_membership(membership, str_of(team, "name"), user, true,
                                    show_mfa && user != NULL && member_mfa(db, user));
    json_decref(user);
    if (!all && !p->memberships_user_name)
        json_object_set_new(m, "userName", json_string(""));
    if (!all && !p->memberships_user_email)
        json_object_set_new(m, "userEmail", json_string(""));
    if (!all && !p->memberships_user_id)
        json_object_set_new(m, "userId", json_string(""));
    if (!all && !p->memberships_user_phone)
        json_object_set_new(m, "userPhone", json_string(""));
    return m;
}

/* Sets the team's total to its number of confirmed memberships. */
static int team_recount(cw_db_t *db, const json_t *team, cw_db_error_t *err)
{
    json_t *q = json_array(), *found = NULL, *out = NULL;
    json_array_append_new(q,
                          cw_db_internal_query("equal", "teamInternalId",
                                               json_deep_copy(json_object_get(team, "$sequence"))));
    json_array_append_new(q, cw_db_internal_query("equal", "confirm", json_true()));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, "memberships", q, NULL, true, &found, err);
    json_decref(q);
    if (rc == 0) {
        json_t *data = json_pack("{s:O}", "total", json_object_get(found, "total"));
        rc = cw_db_internal_update(db, "teams", str_of(team, "$id"), data, &out, err);
        json_decref(data);
        json_decref(out);
    }
    json_decref(found);
    return rc;
}

static json_t *team_search(const char *id, const char *name)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s %s", id, name);
    return json_string(buf);
}

/* Teams --------------------------------------------------------------------------------------- */

/* The membership a signed-in user gets in the team they create, as Appwrite makes it. */
static json_t *owner_membership_perms(const char *user_id, const char *team_id)
{
    char p[6][128];
    snprintf(p[0], sizeof(p[0]), "read(\"user:%s\")", user_id);
    snprintf(p[1], sizeof(p[1]), "read(\"team:%s\")", team_id);
    snprintf(p[2], sizeof(p[2]), "update(\"user:%s\")", user_id);
    snprintf(p[3], sizeof(p[3]), "update(\"team:%s/owner\")", team_id);
    snprintf(p[4], sizeof(p[4]), "delete(\"user:%s\")", user_id);
    snprintf(p[5], sizeof(p[5]), "delete(\"team:%s/owner\")", team_id);
    return json_pack("[s,s,s,s,s,s]", p[0], p[1], p[2], p[3], p[4], p[5]);
}

static bool has_owner(const json_t *roles)
{
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r)
    {
        if (json_is_string(r) && strcmp(json_string_value(r), "owner") == 0)
            return true;
    }
    return false;
}

/* A key makes an empty team (Appwrite's server mode); a signed-in user makes it with their own
 * membership, confirmed, with the given roles and "owner", in one transaction. */
static void on_create(cw_ctx_t *ctx)
{
    const char *id, *name;
    json_t *roles, *team = NULL, *membership = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (arg_id(ctx, "teamId", true, true, &id) != 0 ||
        cw_arg_text(ctx, "name", true, NAME_MAX_LEN, &name) != 0 ||
        arg_roles(ctx, false, TEAM_ROLE_MAX, "owner", &roles) != 0)
        return;
    const json_t *user = cw_ctx_auth(ctx)->user;
    bool as_user = !is_key(ctx);
    if (as_user && user == NULL) {
        json_decref(roles);
        cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED, NULL);
        return;
    }
    if (cw_svc_open_internal(ctx, &db) != 0) {
        json_decref(roles);
        return;
    }
    char perm[3][128];
    snprintf(perm[0], sizeof(perm[0]), "read(\"team:%s\")", id);
    snprintf(perm[1], sizeof(perm[1]), "update(\"team:%s/owner\")", id);
    snprintf(perm[2], sizeof(perm[2]), "delete(\"team:%s/owner\")", id);
    json_t *perms = json_pack("[s,s,s]", perm[0], perm[1], perm[2]);
    json_t *data = json_pack("{s:s, s:i, s:{}, s:[], s:o}", "name", name, "total", as_user ? 1 : 0,
                             "prefs", "labels", "search", team_search(id, name));
    int rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_create(db, "teams", id, data, perms, &team, &err);
    json_decref(data);
    json_decref(perms);
    if (rc == 0 && as_user) {
        if (!has_owner(roles))
            json_array_append_new(roles, json_string("owner"));
        const char *uid = str_of(user, "$id");
        char mid[CW_ID_LEN + 1], search[128], now[CW_TIME_ISO_LEN];
        cw_id_unique(mid);
        cw_time_format(cw_time_now_ms(), now);
        snprintf(search, sizeof(search), "%s %s", mid, uid);
        json_t *mdata = json_pack("{s:s, s:O, s:s, s:O, s:O, s:s, s:s, s:b, s:s, s:s}", "userId",
                                  uid, "userInternalId", json_object_get(user, "$sequence"),
                                  "teamId", str_of(team, "$id"), "teamInternalId",
                                  json_object_get(team, "$sequence"), "roles", roles, "invited",
                                  now, "joined", now, "confirm", 1, "secret", "", "search", search);
        json_t *mperms = owner_membership_perms(uid, str_of(team, "$id"));
        rc = cw_db_internal_create(db, "memberships", mid, mdata, mperms, &membership, &err);
        json_decref(mdata);
        json_decref(mperms);
    }
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    json_decref(roles);
    json_decref(membership);
    if (rc != 0) {
        json_decref(team);
        cw_svc_fail_db(ctx, &err, 0, CW_ERR_TEAM_ALREADY_EXISTS);
        return;
    }
    cw_svc_reply(ctx, 201, team_model(team));
    json_decref(team);
}

static void on_list(cw_ctx_t *ctx)
{
    json_t *queries, *out = NULL;
    const char *search;
    bool total;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (cw_svc_arg_queries(ctx, team_query_attrs, &queries) != 0 ||
        cw_arg_text(ctx, "search", false, SEARCH_MAX_LEN, &search) != 0 ||
        arg_flag(ctx, "total", true, &total) != 0 || cw_svc_open_internal(ctx, &db) != 0)
        return;
    if (search != NULL && search[0] == '\0')
        search = NULL;
    /* Teams are readable by their members only (read("team:T")): a caller without a key sees
     * those its team:T roles name, and the total counts only them. */
    json_t *q = queries != NULL ? json_copy(queries) : json_array();
    if (!is_key(ctx)) {
        json_t *mine = json_array();
        for (const char *const *r = cw_ctx_auth(ctx)->roles; r != NULL && *r != NULL; r++) {
            if (strncmp(*r, "team:", 5) == 0 && strchr(*r, '/') == NULL)
                json_array_append_new(mine, json_string(*r + 5));
        }
        if (json_array_size(mine) == 0)
            json_array_append_new(mine, json_string("")); /* matches no team */
        json_t *eq =
            json_pack("{s:s, s:s, s:o}", "method", "equal", "attribute", "$id", "values", mine);
        char *text = json_dumps(eq, JSON_COMPACT);
        json_array_append_new(q, json_string(text));
        free(text);
        json_decref(eq);
    }
    int frc = cw_db_internal_find(db, "teams", q, search, total, &out, &err);
    json_decref(q);
    if (frc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *teams = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(out, "documents"), i, t)
    {
        json_array_append_new(teams, team_model(t));
    }
    json_t *m = json_pack("{s:O, s:o}", "total", json_object_get(out, "total"), "teams", teams);
    json_decref(out);
    cw_svc_reply(ctx, 200, m);
}

static void on_get(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *team;
    if (load_team(ctx, &db, &team) != 0)
        return;
    cw_svc_reply(ctx, 200, team_model(team));
    json_decref(team);
}

static void on_update_name(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *name;
    json_t *team, *out = NULL;
    cw_db_error_t err = {0};
    if (cw_arg_text(ctx, "name", true, NAME_MAX_LEN, &name) != 0 || load_team(ctx, &db, &team) != 0)
        return;
    if (need_permission(ctx, team, "update") != 0) {
        json_decref(team);
        return;
    }
    json_t *data =
        json_pack("{s:s, s:o}", "name", name, "search", team_search(str_of(team, "$id"), name));
    int rc = cw_db_internal_update(db, "teams", str_of(team, "$id"), data, &out, &err);
    json_decref(data);
    json_decref(team);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_TEAM_NOT_FOUND, 0);
        return;
    }
    cw_svc_reply(ctx, 200, team_model(out));
    json_decref(out);
}

static void on_delete(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *team;
    cw_db_error_t err = {0};
    if (load_team(ctx, &db, &team) != 0)
        return;
    if (need_permission(ctx, team, "delete") != 0) {
        json_decref(team);
        return;
    }
    /* Appwrite removes the memberships at once (not on its deletes queue), so they go in the
     * same transaction as the team. */
    json_t *q = json_array();
    json_array_append_new(q,
                          cw_db_internal_query("equal", "teamInternalId",
                                               json_deep_copy(json_object_get(team, "$sequence"))));
    int rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_delete(db, "teams", str_of(team, "$id"), &err);
    if (rc == 0)
        rc = cw_db_internal_delete_where(db, "memberships", q, NULL, &err);
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    json_decref(q);
    json_decref(team);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_TEAM_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

static void on_get_prefs(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *team;
    if (load_team(ctx, &db, &team) != 0)
        return;
    const json_t *prefs = json_object_get(team, "prefs");
    cw_svc_reply(ctx, 200, json_is_object(prefs) ? json_deep_copy(prefs) : json_object());
    json_decref(team);
}

static void on_update_prefs(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *team, *prefs, *out = NULL;
    cw_db_error_t err = {0};
    if (arg_prefs(ctx, &prefs) != 0)
        return;
    if (load_team(ctx, &db, &team) != 0 || need_permission(ctx, team, "update") != 0) {
        json_decref(team);
        json_decref(prefs);
        return;
    }
    json_t *data = json_pack("{s:O}", "prefs", prefs);
    int rc = cw_db_internal_update(db, "teams", str_of(team, "$id"), data, &out, &err);
    json_decref(data);
    json_decref(team);
    json_decref(out);
    if (rc != 0) {
        json_decref(prefs);
        cw_svc_fail_db(ctx, &err, CW_ERR_TEAM_NOT_FOUND, 0);
        return;
    }
    cw_svc_reply(ctx, 200, prefs);
}

/* Memberships ---------------------------------------------------------------------------------- */

static void on_list_memberships(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *search;
    json_t *team, *queries, *out = NULL;
    bool total;
    cw_db_error_t err = {0};
    if (load_team(ctx, &db, &team) != 0)
        return;
    if (cw_svc_arg_queries(ctx, membership_query_attrs, &queries) != 0 ||
        cw_arg_text(ctx, "search", false, SEARCH_MAX_LEN, &search) != 0 ||
        arg_flag(ctx, "total", true, &total) != 0) {
        json_decref(team);
        return;
    }
    if (search != NULL && search[0] == '\0')
        search = NULL;
    json_t *q = queries != NULL ? json_copy(queries) : json_array();
    json_array_append_new(q,
                          cw_db_internal_query("equal", "teamInternalId",
                                               json_deep_copy(json_object_get(team, "$sequence"))));
    int rc = cw_db_internal_find(db, "memberships", q, search, total, &out, &err);
    json_decref(q);
    if (rc != 0) {
        json_decref(team);
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *items = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(out, "documents"), i, d)
    {
        if (str_of(d, "userId")[0] != '\0')
            json_array_append_new(items, membership_read_model(ctx, db, d, team));
    }
    json_t *m =
        json_pack("{s:O, s:o}", "total", json_object_get(out, "total"), "memberships", items);
    json_decref(out);
    json_decref(team);
    cw_svc_reply(ctx, 200, m);
}

static void on_get_membership(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *team, *membership;
    if (load_team(ctx, &db, &team) != 0)
        return;
    if (load_membership(ctx, db, team, CW_ERR_MEMBERSHIP_NOT_FOUND, &membership) == 0) {
        cw_svc_reply(ctx, 200, membership_read_model(ctx, db, membership, team));
        json_decref(membership);
    }
    json_decref(team);
}

/* A random secret (256 hex digits) into secret, its SHA-256 in hex into hash: Appwrite keeps
 * only the hash of an invitation's secret. */
static int new_secret(char secret[2 * SECRET_BYTES + 1], char hash[2 * 32 + 1])
{
    unsigned char rnd[SECRET_BYTES];
    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return -1;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(secret + 2 * i, 3, "%02x", rnd[i]);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(secret, 2 * SECRET_BYTES, digest, &n, EVP_sha256(), NULL) != 1 || n != 32)
        return -1;
    for (unsigned int i = 0; i < n; i++)
        snprintf(hash + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

static bool secret_matches(const char *secret, const char *stored)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    if (EVP_Digest(secret, strlen(secret), digest, &n, EVP_sha256(), NULL) != 1)
        return false;
    for (unsigned int i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    hex[2 * n] = '\0';
    return strlen(stored) == 2 * n && CRYPTO_memcmp(hex, stored, 2 * n) == 0;
}

/* The user an invitation by email or phone makes when nobody has them, as Appwrite makes them: a
 * random argon2 password nobody knows, no password date, email unverified. */
static json_t *invitee_data(const char *id, const char *email, const char *phone, const char *name,
                            const cw_buf_t *hashed, const cw_password_desc_t *d)
{
    char now[CW_TIME_ISO_LEN], search[1024];
    cw_time_format(cw_time_now_ms(), now);
    snprintf(search, sizeof(search), "%s %s %s %s", id, email != NULL ? email : "",
             phone != NULL ? phone : "", name);
    json_t *data = json_object();
    json_object_set_new(data, "email", email != NULL ? json_string(email) : json_null());
    json_object_set_new(data, "emailVerification", json_false());
    json_object_set_new(data, "phone", phone != NULL ? json_string(phone) : json_null());
    json_object_set_new(data, "phoneVerification", json_false());
    json_object_set_new(data, "status", json_true());
    json_object_set_new(data, "labels", json_array());
    json_object_set_new(data, "passwordHistory", json_array());
    json_object_set_new(data, "password", json_stringn(hashed->ptr, hashed->len));
    json_object_set_new(data, "passwordUpdate", json_null());
    json_object_set_new(data, "hash", json_string(cw_password_algo_name(d->algo)));
    json_object_set_new(data, "hashOptions", cw_password_desc_options(d));
    json_object_set_new(data, "registration", json_string(now));
    json_object_set_new(data, "reset", json_false());
    json_object_set_new(data, "mfa", json_false());
    json_object_set_new(data, "name", json_string(name));
    json_object_set_new(data, "prefs", json_object());
    json_object_set_new(data, "search", json_string(search));
    json_object_set_new(data, "impersonator", json_false());
    return data;
}

static json_t *user_perms(const char *id)
{
    char p[3][64];
    snprintf(p[0], sizeof(p[0]), "read(\"user:%s\")", id);
    snprintf(p[1], sizeof(p[1]), "update(\"user:%s\")", id);
    snprintf(p[2], sizeof(p[2]), "delete(\"user:%s\")", id);
    return json_pack("[s,s,s,s]", "read(\"any\")", p[0], p[1], p[2]);
}

static json_t *membership_perms(const char *user_id, const char *team_id)
{
    char p[4][128];
    snprintf(p[0], sizeof(p[0]), "update(\"user:%s\")", user_id);
    snprintf(p[1], sizeof(p[1]), "update(\"team:%s/owner\")", team_id);
    snprintf(p[2], sizeof(p[2]), "delete(\"user:%s\")", user_id);
    snprintf(p[3], sizeof(p[3]), "delete(\"team:%s/owner\")", team_id);
    return json_pack("[s,s,s,s,s]", "read(\"any\")", p[0], p[1], p[2], p[3]);
}

/* Finds the invitee by userId, email or phone, checking the ones given agree (*out NULL: nobody
 * yet). Returns -1 with the error written. */
static int find_invitee(cw_ctx_t *ctx, cw_db_t *db, const char *user_id, const char **email,
                        const char **phone, const char **name, json_t **out)
{
    cw_db_error_t err = {0};
    *out = NULL;
    if (user_id != NULL) {
        if (cw_db_internal_get(db, "users", user_id, out, &err) != 0) {
            if (err.type == CW_ERR_DOCUMENT_NOT_FOUND)
                cw_res_error(ctx->res, CW_ERR_USER_NOT_FOUND,
                             "User with given userId doesn't exist.");
            else
                cw_svc_fail_db(ctx, &err, 0, 0);
            return -1;
        }
        if ((*email != NULL && strcmp(str_of(*out, "email"), *email) != 0) ||
            (*phone != NULL && strcmp(str_of(*out, "phone"), *phone) != 0)) {
            cw_res_error(ctx->res, CW_ERR_USER_ALREADY_EXISTS, "Given userId and %s doesn't match",
                         *email != NULL && strcmp(str_of(*out, "email"), *email) != 0 ? "email"
                                                                                      : "phone");
            json_decref(*out);
            *out = NULL;
            return -1;
        }
        *email = str_of(*out, "email")[0] != '\0' ? str_of(*out, "email") : NULL;
        *phone = str_of(*out, "phone")[0] != '\0' ? str_of(*out, "phone") : NULL;
        if (str_of(*out, "name")[0] != '\0')
            *name = str_of(*out, "name");
        return 0;
    }
    bool by_email = *email != NULL;
    if (find_one(db, "users", by_email ? "email" : "phone", json_string(by_email ? *email : *phone),
                 out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return -1;
    }
    if (*out != NULL && by_email && *phone != NULL && strcmp(str_of(*out, "phone"), *phone) != 0) {
        cw_res_error(ctx->res, CW_ERR_USER_ALREADY_EXISTS, "Given email and phone doesn't match");
        json_decref(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* Whether the request holds role (roles from the signed-in user's memberships). */
static bool has_role(cw_ctx_t *ctx, const char *role)
{
    const char *const *r = cw_ctx_auth(ctx)->roles;
    for (; r != NULL && *r != NULL; r++) {
        if (strcmp(*r, role) == 0)
            return true;
    }
    return false;
}

/* Appends s as PHP's urlencode writes a query value (space as '+'), which Appwrite's links use. */
static void append_query_value(cw_buf_t *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.')
            cw_buf_append_char(b, (char)c);
        else if (c == ' ')
            cw_buf_append_char(b, '+');
        else
            cw_buf_printf(b, "%%%02X", c);
    }
}

/* The invitation link: url with membershipId, userId, secret, teamId and teamName added to its
 * query, before any fragment, as Appwrite builds it. */
static char *invitation_url(const char *url, const char *membership_id, const char *user_id,
                            const char *secret, const char *team_id, const char *team_name)
{
    const char *hash = strchr(url, '#');
    size_t head = hash != NULL ? (size_t)(hash - url) : strlen(url);
    cw_buf_t b = CW_BUF_INIT;
    cw_buf_append(&b, url, head);
    const char *q = memchr(url, '?', head);
    if (q == NULL)
        cw_buf_append_char(&b, '?');
    else if (q + 1 < url + head && url[head - 1] != '&')
        cw_buf_append_char(&b, '&');
    const char *keys[] = {"membershipId", "userId", "secret", "teamId", "teamName"};
    const char *vals[] = {membership_id, user_id, secret, team_id, team_name};
    for (size_t i = 0; i < 5; i++) {
        cw_buf_printf(&b, "%s%s=", i > 0 ? "&" : "", keys[i]);
        append_query_value(&b, vals[i]);
    }
    if (hash != NULL)
        cw_buf_append_str(&b, hash);
    cw_buf_append_char(&b, '\0');
    return cw_buf_steal(&b, NULL);
}

/* A key (Appwrite's server mode) adds the member at once. A signed-in owner invites: the
 * membership waits unconfirmed with the hash of a secret, and the secret travels in a link
 * mailed to the invitee, which updateMembershipStatus takes. */
static void on_create_membership(cw_ctx_t *ctx)
{
    const char *team_id, *email, *user_id, *phone, *url, *name;
    json_t *roles = NULL, *team = NULL, *invitee = NULL, *membership = NULL, *out = NULL;
    cw_db_t *db;
    cw_db_error_t err = {0};
    cw_buf_t hashed = CW_BUF_INIT;
    cw_password_desc_t desc;
    char *link = NULL;
    int rc;
    if (cw_policy_method_allowed(ctx, CW_AUTH_INVITES) != 0 ||
        arg_id(ctx, "teamId", true, false, &team_id) != 0 || arg_email(ctx, &email) != 0 ||
        arg_id(ctx, "userId", false, false, &user_id) != 0 || arg_phone(ctx, &phone) != 0 ||
        arg_roles(ctx, true, MEMBER_ROLE_MAX, NULL, &roles) != 0 ||
        cw_svc_arg_redirect(ctx, "url", false, &url) != 0 ||
        cw_arg_text(ctx, "name", false, NAME_MAX_LEN, &name) != 0)
        goto out;
    bool server = is_key(ctx);
    if (!server && (url == NULL || url[0] == '\0')) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID, "URL is required");
        goto out;
    }
    if (user_id == NULL && email == NULL && phone == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "At least one of userId, email, or phone is required");
        goto out;
    }
    /* As Appwrite: an invitation by a user needs mail, whoever it goes to; a key sends none. */
    if (!server && cw_svc_mail_ready(ctx) != 0)
        goto out;
    if (name == NULL || name[0] == '\0')
        name = email != NULL ? email : "";
    if (load_team(ctx, &db, &team) != 0 ||
        find_invitee(ctx, db, user_id, &email, &phone, &name, &invitee) != 0)
        goto out;
    /* Appwrite checks this after making a new invitee; checking first leaves no stray user. */
    char owner_role[128];
    snprintf(owner_role, sizeof(owner_role), "team:%s/owner", str_of(team, "$id"));
    if (!server && !has_role(ctx, owner_role)) {
        cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED,
                     "User is not allowed to send invitations for this team");
        goto out;
    }
    /* cwrite sends no SMS: an invitation by phone alone cannot reach anyone. */
    if (!server && email == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_PHONE_DISABLED, "Phone provider not configured");
        goto out;
    }
    char new_id[CW_ID_LEN + 1];
    /* A new user by invitation counts against the users limit, except for an API key and in
     * the console, whose invitations are how operators join once sign-up is closed. */
    if (invitee == NULL && !is_key(ctx) &&
        !cw_str_eq_cstr(cw_ctx_auth(ctx)->project_id, CW_CONSOLE_PROJECT) &&
        cw_policy_user_limit(ctx, db,
                             "Project registration is restricted. Contact your administrator for "
                             "more information.") != 0)
        goto out;
    if (invitee == NULL) {
        if (email != NULL) {
            json_t *identity = NULL;
            rc = find_one(db, "identities", "providerEmail", json_string(email), &identity, &err);
            json_decref(identity);
            if (rc != 0 || identity != NULL) {
                if (rc != 0)
                    cw_svc_fail_db(ctx, &err, 0, 0);
                else
                    cw_res_error(ctx->res, CW_ERR_USER_EMAIL_ALREADY_EXISTS, NULL);
                goto out;
            }
        }
        char pw[2 * SECRET_BYTES + 1], pw_hash[65];
        cw_password_desc_default(&desc);
        if (new_secret(pw, pw_hash) != 0 || cw_password_hash(&desc, cw_str(pw), &hashed) != 0) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
            goto out;
        }
        cw_id_unique(new_id);
    }
    char secret[2 * SECRET_BYTES + 1], secret_hash[65], now[CW_TIME_ISO_LEN];
    if (new_secret(secret, secret_hash) != 0) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        goto out;
    }
    cw_time_format(cw_time_now_ms(), now);
    rc = cw_db_internal_begin(db, &err);
    cw_err_t dup = CW_ERR_USER_ALREADY_EXISTS;
    if (rc == 0 && invitee == NULL) {
        json_t *data = invitee_data(new_id, email, phone, name, &hashed, &desc);
        json_t *perms = user_perms(new_id);
        rc = cw_db_internal_create(db, "users", new_id, data, perms, &invitee, &err);
        json_decref(data);
        json_decref(perms);
    }
    json_t *existing = NULL;
    if (rc == 0) {
        json_t *q = json_array(), *found = NULL;
        json_array_append_new(
            q, cw_db_internal_query("equal", "userInternalId",
                                    json_deep_copy(json_object_get(invitee, "$sequence"))));
        json_array_append_new(
            q, cw_db_internal_query("equal", "teamInternalId",
                                    json_deep_copy(json_object_get(team, "$sequence"))));
        json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
        rc = cw_db_internal_find(db, "memberships", q, NULL, false, &found, &err);
        existing =
            rc == 0 ? json_incref(json_array_get(json_object_get(found, "documents"), 0)) : NULL;
        json_decref(found);
        json_decref(q);
    }
    if (rc == 0 && existing != NULL && json_is_true(json_object_get(existing, "confirm"))) {
        cw_db_internal_rollback(db);
        json_decref(existing);
        cw_res_error(ctx->res, CW_ERR_MEMBERSHIP_ALREADY_CONFIRMED, NULL);
        goto out;
    }
    if (rc == 0 && existing != NULL) {
        /* An invitation still open: a key confirms it now; a new invitation renews its secret. */
        json_t *data = server ? json_pack("{s:s, s:s, s:s, s:b}", "secret", secret_hash, "invited",
                                          now, "joined", now, "confirm", 1)
                              : json_pack("{s:s, s:s}", "secret", secret_hash, "invited", now);
        rc = cw_db_internal_update(db, "memberships", str_of(existing, "$id"), data, &membership,
                                   &err);
        json_decref(data);
    } else if (rc == 0) {
        char mid[CW_ID_LEN + 1], search[128];
        cw_id_unique(mid);
        snprintf(search, sizeof(search), "%s %s", mid, str_of(invitee, "$id"));
        json_t *data = json_pack(
            "{s:s, s:O, s:s, s:O, s:O, s:s, s:o, s:b, s:s, s:s}", "userId", str_of(invitee, "$id"),
            "userInternalId", json_object_get(invitee, "$sequence"), "teamId", str_of(team, "$id"),
            "teamInternalId", json_object_get(team, "$sequence"), "roles", roles, "invited", now,
            "joined", server ? json_string(now) : json_null(), "confirm", server, "secret",
            secret_hash, "search", search);
        json_t *perms = membership_perms(str_of(invitee, "$id"), str_of(team, "$id"));
        rc = cw_db_internal_create(db, "memberships", mid, data, perms, &membership, &err);
        json_decref(data);
        json_decref(perms);
        dup = CW_ERR_MEMBERSHIP_ALREADY_CONFIRMED;
    }
    json_decref(existing);
    if (rc == 0)
        rc = team_recount(db, team, &err);
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, dup);
        goto out;
    }
    if (!server) {
        link = invitation_url(url, str_of(membership, "$id"), str_of(invitee, "$id"), secret,
                              str_of(team, "$id"), str_of(team, "name"));
        const json_t *inviter = cw_ctx_auth(ctx)->user;
        json_t *vars = json_pack("{s:s, s:s, s:s, s:s}", "url", link, "team", str_of(team, "name"),
                                 "user", name, "owner", str_of(inviter, "name"));
        rc = vars != NULL ? cw_svc_mail(ctx, "invitation", email, str_of(invitee, "name"), vars)
                          : -1;
        json_decref(vars);
        if (rc != 0) {
            if (vars == NULL)
                cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
            goto out;
        }
    }
    cw_svc_reply(ctx, 201,
                 cw_model_membership(membership, str_of(team, "name"), invitee, false, false));
out:
    free(link);
    cw_buf_free(&hashed);
    json_decref(out);
    json_decref(membership);
    json_decref(invitee);
    json_decref(team);
    json_decref(roles);
}

/* Appwrite refuses to demote or remove the last owner only on its console project, and only when
 * that owner asks it for their own membership (membership_downgrade_prohibited,
 * membership_deletion_prohibited). cwrite serves no console project, and a key is never that
 * owner, so no project team has the rule: a key may demote or remove any owner, as Appwrite's
 * server mode may. */

static void on_update_membership(cw_ctx_t *ctx)
{
    cw_db_t *db;
    json_t *team = NULL, *membership = NULL, *roles = NULL, *user = NULL, *out = NULL;
    cw_db_error_t err = {0};
    if (arg_roles(ctx, true, MEMBER_ROLE_MAX, NULL, &roles) != 0 ||
        load_team(ctx, &db, &team) != 0 ||
        load_membership(ctx, db, team, CW_ERR_MEMBERSHIP_NOT_FOUND, &membership) != 0)
        goto out;
    user = member_user(db, membership);
    if (user == NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_NOT_FOUND, NULL);
        goto out;
    }
    /* TODO(accounts): a signed-in caller needs team:T/owner (user_unauthorized otherwise). */
    if (!is_key(ctx)) {
        cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED, "User is not allowed to modify roles");
        goto out;
    }
    json_t *data = json_pack("{s:O}", "roles", roles);
    int rc = cw_db_internal_update(db, "memberships", str_of(membership, "$id"), data, &out, &err);
    json_decref(data);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_MEMBERSHIP_NOT_FOUND, 0);
        goto out;
    }
    cw_svc_reply(ctx, 200, cw_model_membership(out, str_of(team, "name"), user, false, false));
out:
    json_decref(out);
    json_decref(user);
    json_decref(membership);
    json_decref(team);
    json_decref(roles);
}

/* Accepting an invitation without a session signs the invitee in, as Appwrite does: an email
 * session with its cookies (and X-Fallback-Cookies for another site), though the answer is the
 * membership. Returns -1 with the error written. */
static int sign_in_invitee(cw_ctx_t *ctx, cw_db_t *db, const json_t *user)
{
    cw_buf_t value = CW_BUF_INIT;
    json_t *session =
        cw_account_open_session(ctx, db, user, "email", str_of(user, "email"), "email", &value);
    cw_buf_free(&value);
    if (session == NULL)
        return -1;
    json_decref(session);
    return 0;
}

static void on_update_membership_status(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *user_id, *secret, *team_id;
    json_t *team = NULL, *membership = NULL, *user = NULL, *out = NULL, *uout = NULL;
    cw_db_error_t err = {0};
    if (arg_id(ctx, "teamId", true, false, &team_id) != 0 ||
        arg_id(ctx, "userId", true, false, &user_id) != 0 ||
        cw_arg_text(ctx, "secret", true, SECRET_MAX_LEN, &secret) != 0 ||
        cw_svc_open_internal(ctx, &db) != 0 ||
        load_membership(ctx, db, NULL, CW_ERR_MEMBERSHIP_NOT_FOUND, &membership) != 0)
        goto out;
    if (cw_db_internal_get(db, "teams", team_id, &team, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_TEAM_NOT_FOUND, 0);
        goto out;
    }
    if (!json_equal(json_object_get(membership, "teamInternalId"),
                    json_object_get(team, "$sequence"))) {
        cw_res_error(ctx->res, CW_ERR_TEAM_MEMBERSHIP_MISMATCH, NULL);
        goto out;
    }
    if (!secret_matches(secret, str_of(membership, "secret"))) {
        cw_res_error(ctx->res, CW_ERR_TEAM_INVALID_SECRET, NULL);
        goto out;
    }
    /* A signed-in caller must be the invitee; otherwise the invitee is signed in below. */
    const json_t *signed_in = cw_ctx_auth(ctx)->user;
    if (strcmp(user_id, str_of(membership, "userId")) != 0) {
        cw_res_error(ctx->res, CW_ERR_TEAM_INVITE_MISMATCH,
                     "Invite does not belong to current user (%s)", str_of(signed_in, "email"));
        goto out;
    }
    user = signed_in != NULL ? json_incref((json_t *)signed_in) : member_user(db, membership);
    if (user == NULL || !json_equal(json_object_get(membership, "userInternalId"),
                                    json_object_get(user, "$sequence"))) {
        cw_res_error(ctx->res, CW_ERR_TEAM_INVITE_MISMATCH,
                     "Invite does not belong to current user (%s)", str_of(user, "email"));
        goto out;
    }
    if (json_is_true(json_object_get(membership, "confirm"))) {
        cw_res_error(ctx->res, CW_ERR_MEMBERSHIP_ALREADY_CONFIRMED, NULL);
        goto out;
    }
    char now[CW_TIME_ISO_LEN];
    cw_time_format(cw_time_now_ms(), now);
    json_t *udata = json_pack("{s:b}", "emailVerification", 1);
    json_t *mdata = json_pack("{s:s, s:b}", "joined", now, "confirm", 1);
    int rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_update(db, "users", str_of(user, "$id"), udata, &uout, &err);
    if (rc == 0)
        rc = cw_db_internal_update(db, "memberships", str_of(membership, "$id"), mdata, &out, &err);
    if (rc == 0)
        rc = team_recount(db, team, &err);
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    json_decref(udata);
    json_decref(mdata);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_MEMBERSHIP_NOT_FOUND, 0);
        goto out;
    }
    if (signed_in == NULL && sign_in_invitee(ctx, db, uout) != 0)
        goto out;
    cw_svc_reply(ctx, 200, cw_model_membership(out, str_of(team, "name"), uout, false, false));
out:
    json_decref(uout);
    json_decref(out);
    json_decref(user);
    json_decref(membership);
    json_decref(team);
}

static void on_delete_membership(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *team_id;
    json_t *team = NULL, *membership = NULL, *user = NULL;
    cw_db_error_t err = {0};
    if (arg_id(ctx, "teamId", true, false, &team_id) != 0 || cw_svc_open_internal(ctx, &db) != 0 ||
        load_membership(ctx, db, NULL, CW_ERR_TEAM_INVITE_NOT_FOUND, &membership) != 0)
        goto out;
    user = member_user(db, membership);
    if (user == NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_NOT_FOUND, NULL);
        goto out;
    }
    if (cw_db_internal_get(db, "teams", team_id, &team, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_TEAM_NOT_FOUND, 0);
        goto out;
    }
    if (!caller_may(ctx, team, "read")) {
        cw_res_error(ctx->res, CW_ERR_TEAM_NOT_FOUND, NULL);
        goto out;
    }
    if (!json_equal(json_object_get(membership, "teamInternalId"),
                    json_object_get(team, "$sequence"))) {
        cw_res_error(ctx->res, CW_ERR_TEAM_MEMBERSHIP_MISMATCH, NULL);
        goto out;
    }
    /* The member may leave; the team's owners may remove anyone (delete("user:U"),
     * delete("team:T/owner")). */
    if (need_permission(ctx, membership, "delete") != 0)
        goto out;
    int rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_delete(db, "memberships", str_of(membership, "$id"), &err);
    if (rc == 0)
        rc = team_recount(db, team, &err);
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_TEAM_INVITE_NOT_FOUND, 0);
        goto out;
    }
    cw_res_empty(ctx->res, 204);
out:
    json_decref(user);
    json_decref(membership);
    json_decref(team);
}

#define TEAM "/v1/teams/{teamId}"
#define MEMBERSHIP TEAM "/memberships/{membershipId}"
#define OFF CW_ROUTE_OFFLOAD

const cw_route_t cw_teams_routes[] = {
    {"GET", "/v1/teams", "teams.read", on_list, OFF},
    {"POST", "/v1/teams", "teams.write", on_create, OFF},
    {"GET", TEAM, "teams.read", on_get, OFF},
    {"PUT", TEAM, "teams.write", on_update_name, OFF},
    {"DELETE", TEAM, "teams.write", on_delete, OFF},
    {"GET", TEAM "/memberships", "teams.read", on_list_memberships, OFF},
    {"POST", TEAM "/memberships", "teams.write", on_create_membership, OFF},
    {"GET", MEMBERSHIP, "teams.read", on_get_membership, OFF},
    {"PATCH", MEMBERSHIP, "teams.write", on_update_membership, OFF},
    {"DELETE", MEMBERSHIP, "teams.write", on_delete_membership, OFF},
    {"PATCH", MEMBERSHIP "/status", NULL, on_update_membership_status, OFF},
    {"GET", TEAM "/prefs", "teams.read", on_get_prefs, OFF},
    {"PUT", TEAM "/prefs", "teams.write", on_update_prefs, OFF},
};
const size_t cw_teams_routes_count = sizeof(cw_teams_routes) / sizeof(cw_teams_routes[0]);
