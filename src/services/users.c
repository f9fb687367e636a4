/*
 * The Users service (server side, API keys): users and their password imports, status, labels,
 * verification flags, prefs, targets, tokens, and the lists of what other services own for a
 * user (sessions, memberships, identities). Everything is a document of the project's internal
 * collections (db/internal.h); a user's targets are read along with it, as Appwrite's subquery
 * does. Routes run on the worker pool (SQLite, password hashing).
 *
 * MFA: a user's TOTP authenticator, factors and recovery codes (auth/mfa.h). Logs: the audit
 * entries of the user (services/audits.h).
 *
 * What needs features that do not exist yet answers general_not_implemented: usage. Creating a
 * session for a user (auth/session.h) makes one with the provider "server" and shows its secret
 * to the key.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/mfa.h"
#include "auth/jwt.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/session_cookie.h"
#include "auth/token.h"
#include "core/id.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "db/internal.h"
#include "core/validate.h"
#include "http/args.h"
#include "models/json.h"
#include "models/user.h"
#include "models/membership.h"
#include "services/api.h"
#include "services/internal_api.h"
#include "services/policy.h"
#include "services/routes.h"

#define NAME_MAX_LEN 128
#define SEARCH_MAX_LEN 256
#define LABELS_MAX 1000 /* APP_LIMIT_ARRAY_LABELS_SIZE */
#define LABEL_MAX_LEN 36
#define PREFS_MAX 65535
#define TOKEN_EXPIRE_DEFAULT 900
#define TOKEN_EXPIRE_MAX 31536000
#define TARGETS_PER_USER 100

static const char *const user_query_attrs[] = {"name",
                                               "email",
                                               "phone",
                                               "status",
                                               "passwordUpdate",
                                               "registration",
                                               "emailVerification",
                                               "phoneVerification",
                                               "labels",
                                               "impersonator",
                                               "accessedAt",
                                               NULL};
static const char *const target_query_attrs[] = {"userId", "providerId", "identifier",
                                                 "providerType", NULL};
static const char *const identity_query_attrs[] = {
    "userId", "provider", "providerUid", "providerEmail", "providerAccessTokenExpiry", NULL};
static const char *const membership_query_attrs[] = {"userId",  "teamId", "invited", "joined",
                                                     "confirm", "roles",  NULL};

/* Request helpers -------------------------------------------------------------------------- */

static const char *dup_str(cw_ctx_t *ctx, cw_str_t s)
{
    return cw_arena_strndup(&ctx->req->arena, s.ptr, s.len);
}

static const char id_rule[] = "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, "
                              "0-9, period, hyphen, and underscore. Can't start with a special "
                              "char";

/* An ID from the path or the body; custom: "unique()" makes one. */
static int arg_id(cw_ctx_t *ctx, const char *name, bool custom, const char **out)
{
    cw_str_t s;
    if (cw_arg_str(ctx, name, true, 0, &s) != 0)
        return -1;
    if (custom && cw_str_eq_cstr(s, "unique()")) {
        char id[CW_ID_LEN + 1];
        cw_id_unique(id);
        *out = dup_str(ctx, cw_str(id));
        return 0;
    }
    if (!cw_id_valid(s, CW_ID_MAX_LEN) || memchr(s.ptr, '\0', s.len) != NULL)
        return cw_arg_invalid(ctx, name, id_rule);
    *out = dup_str(ctx, s);
    return 0;
}

static int arg_email(cw_ctx_t *ctx, const char *name, bool required, bool allow_empty,
                     const char **out)
{
    if (cw_arg_text(ctx, name, required, 0, out) != 0)
        return -1;
    if (*out == NULL || (allow_empty && (*out)[0] == '\0'))
        return 0;
    if (!cw_valid_email(*out))
        return cw_arg_invalid(ctx, name, "Value must be a valid email address");
    char *lower = (char *)*out;
    for (char *p = lower; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return 0;
}

static int arg_phone(cw_ctx_t *ctx, const char *name, bool required, bool allow_empty,
                     const char **out)
{
    if (cw_arg_text(ctx, name, required, 0, out) != 0)
        return -1;
    if (*out == NULL || (allow_empty && (*out)[0] == '\0'))
        return 0;
    if (!cw_valid_phone(*out))
        return cw_arg_invalid(
            ctx, name, "Phone number must start with a '+' can have a maximum of fifteen digits.");
    return 0;
}

/* A plain-text password: length and, with the project's policy, the dictionary. */
static int arg_password(cw_ctx_t *ctx, bool required, bool allow_empty, const char **out)
{
    return cw_policy_arg_new_password(ctx, "password", required, allow_empty, out);
}

static int arg_flag(cw_ctx_t *ctx, const char *name, bool required, bool fallback, bool *out)
{
    *out = fallback;
    return cw_arg_bool(ctx, name, required, out) < 0 ? -1 : 0;
}

static void now_iso(char out[CW_TIME_ISO_LEN])
{
    cw_time_format(cw_time_now_ms(), out);
}

static json_t *query1(const char *method, const char *attr, json_t *value)
{
    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query(method, attr, value));
    return q;
}

/* Models ------------------------------------------------------------------------------------ */

/* The targets of a user (a new array; empty when there are none). */
static int user_targets(cw_db_t *db, const char *user_id, json_t **out, cw_db_error_t *err)
{
    json_t *q = query1("equal", "userId", json_string(user_id)), *found = NULL;
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(TARGETS_PER_USER)));
    int rc = cw_db_internal_find(db, "targets", q, NULL, false, &found, err);
    json_decref(q);
    if (rc != 0)
        return -1;
    *out = json_incref(json_object_get(found, "documents"));
    json_decref(found);
    return 0;
}

/* Answers a user document with its targets, and releases it. */
static void reply_user(cw_ctx_t *ctx, cw_db_t *db, int status, json_t *user)
{
    json_t *targets = NULL;
    cw_db_error_t err = {0};
    if (user_targets(db, json_string_value(json_object_get(user, "$id")), &targets, &err) != 0) {
        json_decref(user);
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    cw_svc_reply(ctx, status, cw_model_user(user, targets, true));
    json_decref(targets);
    json_decref(user);
}

/* The user of the route's userId, or the 404 written. */
static int load_user(cw_ctx_t *ctx, cw_db_t **db, const char **id, json_t **user)
{
    cw_db_error_t err = {0};
    *user = NULL;
    if (arg_id(ctx, "userId", false, id) != 0 || cw_svc_open_internal(ctx, db) != 0)
        return -1;
    if (cw_db_internal_get(*db, "users", *id, user, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return -1;
    }
    return 0;
}

static json_t *search_text(const char *id, const char *email, const char *phone, const char *name)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s %s %s %s", id, email != NULL ? email : "",
             phone != NULL ? phone : "", name != NULL ? name : "");
    return json_string(buf);
}

/* Rewrites the user's `search` after a change of email, phone or name. */
static void search_refresh(json_t *data, const json_t *user)
{
    const char *keys[] = {"email", "phone", "name"};
    const char *vals[3];
    for (int i = 0; i < 3; i++) {
        const json_t *v = json_object_get(data, keys[i]);
        if (v == NULL)
            v = json_object_get(user, keys[i]);
        vals[i] = json_string_value(v);
    }
    json_object_set_new(
        data, "search",
        search_text(json_string_value(json_object_get(user, "$id")), vals[0], vals[1], vals[2]));
}

static json_t *user_perms(const char *id)
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

static json_t *target_perms(const char *user_id)
{
    char buf[64];
    json_t *p = json_array();
    const char *actions[] = {"read", "update", "delete"};
    for (int i = 0; i < 3; i++) {
        snprintf(buf, sizeof(buf), "%s(\"user:%s\")", actions[i], user_id);
        json_array_append_new(p, json_string(buf));
    }
    return p;
}

/* Whether a target already holds identifier. -1 on error. */
static int target_taken(cw_db_t *db, const char *identifier, cw_db_error_t *err)
{
    json_t *q = query1("equal", "identifier", json_string(identifier)), *found = NULL;
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, "targets", q, NULL, false, &found, err);
    json_decref(q);
    if (rc != 0)
        return -1;
    int taken = json_array_size(json_object_get(found, "documents")) > 0;
    json_decref(found);
    return taken;
}

static int target_add(cw_db_t *db, const json_t *user, const char *type, const char *identifier,
                      cw_db_error_t *err)
{
    const char *uid = json_string_value(json_object_get(user, "$id"));
    json_t *data = json_pack("{s:s, s:O, s:s, s:s, s:b}", "userId", uid, "userInternalId",
                             json_object_get(user, "$sequence"), "providerType", type, "identifier",
                             identifier, "expired", 0);
    json_t *perms = target_perms(uid), *out = NULL;
    int rc = cw_db_internal_create(db, "targets", "unique()", data, perms, &out, err);
    json_decref(data);
    json_decref(perms);
    json_decref(out);
    return rc;
}

/* The target of user with identifier, or NULL (a new reference). */
static json_t *target_of(cw_db_t *db, const char *user_id, const char *identifier)
{
    json_t *targets = NULL, *hit = NULL;
    cw_db_error_t err = {0};
    if (identifier == NULL || user_targets(db, user_id, &targets, &err) != 0)
        return NULL;
    size_t i;
    json_t *t;
    json_array_foreach(targets, i, t)
    {
        const char *ident = json_string_value(json_object_get(t, "identifier"));
        if (hit == NULL && ident != NULL && strcmp(ident, identifier) == 0)
            hit = json_incref(t);
    }
    json_decref(targets);
    return hit;
}

/* Users: create and the imports ------------------------------------------------------------ */

/* desc NULL: password is plain text (argon2 with the default parameters); else password is a
 * hash under desc. */
static void create_user(cw_ctx_t *ctx, const cw_password_desc_t *desc, bool email_required)
{
    const char *id, *email, *phone = NULL, *password, *name;
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_t *user = NULL;
    if (arg_id(ctx, "userId", true, &id) != 0 ||
        arg_email(ctx, "email", email_required, false, &email) != 0 ||
        (desc == NULL && arg_phone(ctx, "phone", false, false, &phone) != 0))
        return;
    if (desc == NULL ? arg_password(ctx, false, true, &password) != 0
                     : cw_arg_text(ctx, "password", true, 0, &password) != 0)
        return;
    if (cw_arg_text(ctx, "name", false, NAME_MAX_LEN, &name) != 0 ||
        cw_svc_open_internal(ctx, &db) != 0)
        return;
    if (email != NULL) {
        json_t *q = query1("equal", "providerEmail", json_string(email)), *found = NULL;
        int rc = cw_db_internal_find(db, "identities", q, NULL, false, &found, &err);
        json_decref(q);
        size_t n = json_array_size(json_object_get(found, "documents"));
        json_decref(found);
        if (rc != 0) {
            cw_svc_fail_db(ctx, &err, 0, 0);
            return;
        }
        if (n > 0) {
            cw_res_error(ctx->res, CW_ERR_USER_EMAIL_ALREADY_EXISTS, NULL);
            return;
        }
    }
    /* Appwrite runs the check on whatever password came, an imported hash included. */
    if (password != NULL && password[0] != '\0' &&
        cw_policy_password_personal(ctx, password, id, email, name, phone) != 0)
        return;
    cw_password_desc_t d;
    cw_buf_t hashed = CW_BUF_INIT;
    bool has_password = password != NULL && password[0] != '\0';
    if (desc != NULL) {
        d = *desc;
    } else {
        cw_password_desc_default(&d);
        if (has_password && cw_password_hash(&d, cw_str(password), &hashed) != 0) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
            return;
        }
    }
    char now[CW_TIME_ISO_LEN];
    now_iso(now);
    json_t *data = json_object();
    json_object_set_new(data, "email", email != NULL ? json_string(email) : json_null());
    json_object_set_new(data, "emailVerification", json_false());
    json_object_set_new(data, "phone", phone != NULL ? json_string(phone) : json_null());
    json_object_set_new(data, "phoneVerification", json_false());
    json_object_set_new(data, "status", json_true());
    json_object_set_new(data, "labels", json_array());
    /* The history starts with the stored hash, an imported one as given (Appwrite). */
    const char *stored_hash = NULL;
    if (has_password)
        stored_hash = desc != NULL ? password : hashed.ptr;
    json_object_set_new(data, "passwordHistory", cw_policy_first_history(ctx, stored_hash));
    if (has_password)
        json_object_set_new(data, "password",
                            desc != NULL ? json_string(password)
                                         : json_stringn(hashed.ptr, hashed.len));
    else
        json_object_set_new(data, "password", json_null());
    json_object_set_new(data, "passwordUpdate", has_password ? json_string(now) : json_null());
    json_object_set_new(data, "hash", json_string(cw_password_algo_name(d.algo)));
    json_object_set_new(data, "hashOptions", cw_password_desc_options(&d));
    json_object_set_new(data, "registration", json_string(now));
    json_object_set_new(data, "reset", json_false());
    json_object_set_new(data, "mfa", json_false());
    json_object_set_new(data, "name", json_string(name != NULL ? name : ""));
    json_object_set_new(data, "prefs", json_object());
    json_object_set_new(data, "search", search_text(id, email, phone, name));
    json_object_set_new(data, "impersonator", json_false());
    cw_buf_free(&hashed);
    json_t *perms = user_perms(id);
    int rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_create(db, "users", id, data, perms, &user, &err);
    /* An identifier another user's target holds is no reason to refuse the user (Appwrite
     * keeps the user and attaches nothing). */
    if (rc == 0 && email != NULL && target_taken(db, email, &err) == 0)
        rc = target_add(db, user, "email", email, &err);
    if (rc == 0 && phone != NULL && target_taken(db, phone, &err) == 0)
        rc = target_add(db, user, "sms", phone, &err);
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
    reply_user(ctx, db, 201, user);
}

static void on_create(cw_ctx_t *ctx)
{
    create_user(ctx, NULL, false);
}

static void create_import(cw_ctx_t *ctx, cw_password_algo_t algo)
{
    cw_password_desc_t d;
    cw_password_desc_init(&d, algo);
    create_user(ctx, &d, true);
}

static void on_create_argon2(cw_ctx_t *ctx)
{
    create_import(ctx, CW_PASSWORD_ARGON2);
}

static void on_create_bcrypt(cw_ctx_t *ctx)
{
    create_import(ctx, CW_PASSWORD_BCRYPT);
}

static void on_create_md5(cw_ctx_t *ctx)
{
    create_import(ctx, CW_PASSWORD_MD5);
}

static void on_create_phpass(cw_ctx_t *ctx)
{
    create_import(ctx, CW_PASSWORD_PHPASS);
}

static int arg_option(cw_ctx_t *ctx, const char *name, char *out, size_t size)
{
    const char *v;
    if (cw_arg_text(ctx, name, true, 128, &v) != 0)
        return -1;
    if (strlen(v) >= size)
        return cw_arg_invalid(ctx, name,
                              "Value must be a valid string and no longer than 128 chars");
    snprintf(out, size, "%s", v);
    return 0;
}

static void on_create_scrypt(cw_ctx_t *ctx)
{
    cw_password_desc_t d;
    int64_t cpu, mem, par, len;
    cw_password_desc_init(&d, CW_PASSWORD_SCRYPT);
    if (arg_option(ctx, "passwordSalt", d.scrypt.salt, sizeof(d.scrypt.salt)) != 0 ||
        cw_arg_int(ctx, "passwordCpu", true, 0, INT64_MAX, &cpu) != 0 ||
        cw_arg_int(ctx, "passwordMemory", true, 0, INT64_MAX, &mem) != 0 ||
        cw_arg_int(ctx, "passwordParallel", true, 0, INT64_MAX, &par) != 0 ||
        cw_arg_int(ctx, "passwordLength", true, 0, INT64_MAX, &len) != 0)
        return;
    d.scrypt.cost_cpu = cpu;
    d.scrypt.cost_memory = mem;
    d.scrypt.cost_parallel = par;
    d.scrypt.length = len;
    create_user(ctx, &d, true);
}

static void on_create_scrypt_modified(cw_ctx_t *ctx)
{
    cw_password_desc_t d;
    cw_password_desc_init(&d, CW_PASSWORD_SCRYPT_MOD);
    if (arg_option(ctx, "passwordSalt", d.scrypt_mod.salt, sizeof(d.scrypt_mod.salt)) != 0 ||
        arg_option(ctx, "passwordSaltSeparator", d.scrypt_mod.salt_separator,
                   sizeof(d.scrypt_mod.salt_separator)) != 0 ||
        arg_option(ctx, "passwordSignerKey", d.scrypt_mod.signer_key,
                   sizeof(d.scrypt_mod.signer_key)) != 0)
        return;
    create_user(ctx, &d, true);
}

static void on_create_sha(cw_ctx_t *ctx)
{
    static const char *const versions[] = {"sha1",       "sha224",     "sha256",   "sha384",
                                           "sha512/224", "sha512/256", "sha512",   "sha3-224",
                                           "sha3-256",   "sha3-384",   "sha3-512", NULL};
    cw_password_desc_t d;
    cw_str_t v;
    cw_password_desc_init(&d, CW_PASSWORD_SHA);
    int rc = cw_arg_enum(ctx, "passwordVersion", false, versions, &v);
    if (rc < 0)
        return;
    if (rc == 0 && cw_password_sha_parse(v, &d.sha.version) != 0) {
        cw_arg_invalid(ctx, "passwordVersion", "Value must be one of the allowed values");
        return;
    }
    create_user(ctx, &d, true);
}

/* Users: read, list, delete ----------------------------------------------------------------- */

static void on_get(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user;
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    reply_user(ctx, db, 200, user);
}

static void on_list(cw_ctx_t *ctx)
{
    json_t *queries, *out = NULL, *targets = NULL;
    const char *search;
    bool total;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (cw_svc_arg_queries(ctx, user_query_attrs, &queries) != 0 ||
        cw_arg_text(ctx, "search", false, SEARCH_MAX_LEN, &search) != 0 ||
        arg_flag(ctx, "total", false, true, &total) != 0 || cw_svc_open_internal(ctx, &db) != 0)
        return;
    if (cw_db_internal_find(db, "users", queries, search, total, &out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *docs = json_object_get(out, "documents"), *users = json_array();
    size_t i;
    json_t *u;
    json_array_foreach(docs, i, u)
    {
        if (user_targets(db, json_string_value(json_object_get(u, "$id")), &targets, &err) != 0) {
            json_decref(users);
            json_decref(out);
            cw_svc_fail_db(ctx, &err, 0, 0);
            return;
        }
        json_array_append_new(users, cw_model_user(u, targets, true));
        json_decref(targets);
    }
    json_t *m = json_object();
    json_object_set(m, "total", json_object_get(out, "total"));
    json_object_set_new(m, "users", users);
    json_decref(out);
    cw_svc_reply(ctx, 200, m);
}

/* The user goes with what Appwrite's delete worker removes for them (cw_svc_user_delete). */
static void on_delete(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user;
    cw_db_error_t err = {0};
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    json_decref(user);
    if (cw_svc_user_delete(db, id, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

/* Users: updates ----------------------------------------------------------------------------- */

/* Applies data to the loaded user and answers it; dup: the type of a unique clash. */
static void update_user(cw_ctx_t *ctx, cw_db_t *db, const char *id, json_t *data, cw_err_t dup)
{
    json_t *out = NULL;
    cw_db_error_t err = {0};
    int rc = cw_db_internal_update(db, "users", id, data, &out, &err);
    json_decref(data);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, dup);
        return;
    }
    reply_user(ctx, db, 200, out);
}

static void on_update_name(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id, *name;
    json_t *user;
    if (cw_arg_text(ctx, "name", true, NAME_MAX_LEN, &name) != 0 ||
        load_user(ctx, &db, &id, &user) != 0)
        return;
    json_t *data = json_pack("{s:s}", "name", name);
    search_refresh(data, user);
    json_decref(user);
    update_user(ctx, db, id, data, 0);
}

static void on_update_email(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id, *email;
    json_t *user;
    cw_db_error_t err = {0};
    if (arg_email(ctx, "email", true, true, &email) != 0 || load_user(ctx, &db, &id, &user) != 0)
        return;
    if (email[0] != '\0') {
        json_t *q = query1("equal", "providerEmail", json_string(email)), *found = NULL;
        json_array_append_new(q, cw_db_internal_query("notEqual", "userId", json_string(id)));
        int rc = cw_db_internal_find(db, "identities", q, NULL, false, &found, &err);
        json_decref(q);
        size_t n = json_array_size(json_object_get(found, "documents"));
        json_decref(found);
        int taken = rc == 0 ? target_taken(db, email, &err) : -1;
        if (rc != 0 || taken < 0) {
            json_decref(user);
            cw_svc_fail_db(ctx, &err, 0, 0);
            return;
        }
        if (n > 0 || taken) {
            json_decref(user);
            cw_res_error(
                ctx->res,
                n > 0 ? CW_ERR_USER_EMAIL_ALREADY_EXISTS : CW_ERR_USER_TARGET_ALREADY_EXISTS, NULL);
            return;
        }
    }
    const char *old = json_string_value(json_object_get(user, "email"));
    json_t *old_target = target_of(db, id, old);
    json_t *data =
        json_pack("{s:o, s:b}", "email", email[0] != '\0' ? json_string(email) : json_null(),
                  "emailVerification", 0);
    search_refresh(data, user);
    json_t *out = NULL;
    int rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_update(db, "users", id, data, &out, &err);
    if (rc == 0 && old_target != NULL) {
        const char *tid = json_string_value(json_object_get(old_target, "$id"));
        if (email[0] != '\0') {
            json_t *td = json_pack("{s:s}", "identifier", email), *tout = NULL;
            rc = cw_db_internal_update(db, "targets", tid, td, &tout, &err);
            json_decref(td);
            json_decref(tout);
        } else {
            rc = cw_db_internal_delete(db, "targets", tid, &err);
        }
    } else if (rc == 0 && email[0] != '\0') {
        rc = target_add(db, user, "email", email, &err);
    }
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    json_decref(old_target);
    json_decref(data);
    json_decref(user);
    if (rc != 0) {
        json_decref(out);
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, CW_ERR_USER_EMAIL_ALREADY_EXISTS);
        return;
    }
    reply_user(ctx, db, 200, out);
}

static void on_update_phone(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id, *number;
    json_t *user;
    cw_db_error_t err = {0};
    if (arg_phone(ctx, "number", true, true, &number) != 0 || load_user(ctx, &db, &id, &user) != 0)
        return;
    if (number[0] != '\0') {
        int taken = target_taken(db, number, &err);
        if (taken != 0) {
            json_decref(user);
            if (taken < 0)
                cw_svc_fail_db(ctx, &err, 0, 0);
            else
                cw_res_error(ctx->res, CW_ERR_USER_TARGET_ALREADY_EXISTS, NULL);
            return;
        }
    }
    const char *old = json_string_value(json_object_get(user, "phone"));
    json_t *old_target = target_of(db, id, old);
    json_t *data =
        json_pack("{s:o, s:b}", "phone", number[0] != '\0' ? json_string(number) : json_null(),
                  "phoneVerification", 0);
    search_refresh(data, user);
    json_t *out = NULL;
    int rc = cw_db_internal_begin(db, &err);
    if (rc == 0)
        rc = cw_db_internal_update(db, "users", id, data, &out, &err);
    if (rc == 0 && old_target != NULL) {
        const char *tid = json_string_value(json_object_get(old_target, "$id"));
        if (number[0] != '\0') {
            json_t *td = json_pack("{s:s}", "identifier", number), *tout = NULL;
            rc = cw_db_internal_update(db, "targets", tid, td, &tout, &err);
            json_decref(td);
            json_decref(tout);
        } else {
            rc = cw_db_internal_delete(db, "targets", tid, &err);
        }
    } else if (rc == 0 && number[0] != '\0') {
        rc = target_add(db, user, "sms", number, &err);
    }
    if (rc == 0)
        rc = cw_db_internal_commit(db, &err);
    else
        cw_db_internal_rollback(db);
    json_decref(old_target);
    json_decref(data);
    json_decref(user);
    if (rc != 0) {
        json_decref(out);
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, CW_ERR_USER_PHONE_ALREADY_EXISTS);
        return;
    }
    reply_user(ctx, db, 200, out);
}

static void on_update_password(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id, *password;
    json_t *user;
    char now[CW_TIME_ISO_LEN];
    if (arg_password(ctx, true, true, &password) != 0 || load_user(ctx, &db, &id, &user) != 0)
        return;
    if (cw_policy_password_personal(ctx, password, id,
                                    json_string_value(json_object_get(user, "email")),
                                    json_string_value(json_object_get(user, "name")),
                                    json_string_value(json_object_get(user, "phone"))) != 0) {
        json_decref(user);
        return;
    }
    now_iso(now);
    json_t *data = json_object();
    json_object_set_new(data, "passwordUpdate", json_string(now));
    if (password[0] == '\0') {
        json_object_set_new(data, "password", json_string(""));
    } else {
        cw_password_desc_t d;
        cw_buf_t hashed = CW_BUF_INIT;
        json_t *history = NULL;
        cw_password_desc_default(&d);
        if (cw_password_hash(&d, cw_str(password), &hashed) != 0) {
            json_decref(data);
            json_decref(user);
            cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
            return;
        }
        if (cw_policy_password_history(ctx, user, password, cw_buf_str(&hashed), &history) != 0) {
            cw_buf_free(&hashed);
            json_decref(data);
            json_decref(user);
            return;
        }
        json_object_set_new(data, "password", json_stringn(hashed.ptr, hashed.len));
        json_object_set_new(data, "hash", json_string(cw_password_algo_name(d.algo)));
        json_object_set_new(data, "hashOptions", cw_password_desc_options(&d));
        if (history != NULL)
            json_object_set_new(data, "passwordHistory", history);
        cw_buf_free(&hashed);
    }
    json_decref(user);
    /* With the policy on, every session of the user ends (Appwrite, after the update). */
    cw_db_error_t err = {0};
    if (cw_policy(ctx)->invalidate_sessions && cw_policy_sessions_end(db, id, NULL, &err) != 0) {
        json_decref(data);
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    update_user(ctx, db, id, data, 0);
}

/* A route that sets one boolean attribute of the user from the same-named parameter. */
static void update_flag(cw_ctx_t *ctx, const char *name)
{
    cw_db_t *db;
    const char *id;
    json_t *user;
    bool v;
    if (arg_flag(ctx, name, true, false, &v) != 0 || load_user(ctx, &db, &id, &user) != 0)
        return;
    json_decref(user);
    update_user(ctx, db, id, json_pack("{s:b}", name, v), 0);
}

static void on_update_status(cw_ctx_t *ctx)
{
    update_flag(ctx, "status");
}

static void on_update_email_verification(cw_ctx_t *ctx)
{
    update_flag(ctx, "emailVerification");
}

static void on_update_phone_verification(cw_ctx_t *ctx)
{
    update_flag(ctx, "phoneVerification");
}

static void on_update_mfa(cw_ctx_t *ctx)
{
    update_flag(ctx, "mfa");
}

/* MFA ------------------------------------------------------------------------------------------ */

/* The {type} of an authenticator route: "totp", in any case, as Appwrite's WhiteList takes it. */
static int arg_mfa_type(cw_ctx_t *ctx)
{
    cw_str_t type;
    if (cw_arg_str(ctx, "type", true, 0, &type) != 0)
        return -1;
    if (!cw_str_case_eq_cstr(type, CW_MFA_TOTP))
        return cw_arg_invalid(ctx, "type", "Value must be one of (totp)");
    return 0;
}

/* The user's TOTP authenticator into *out (NULL: none); -1 with the error written. */
static int mfa_totp(cw_ctx_t *ctx, cw_db_t *db, const json_t *user, json_t **out)
{
    cw_db_error_t err = {0};
    if (cw_mfa_totp_find(db, user, out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return -1;
    }
    return 0;
}

static void on_delete_mfa_authenticator(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user, *totp = NULL;
    cw_db_error_t err = {0};
    if (arg_mfa_type(ctx) != 0 || load_user(ctx, &db, &id, &user) != 0)
        return;
    int rc = mfa_totp(ctx, db, user, &totp);
    json_decref(user);
    if (rc != 0)
        return;
    if (totp == NULL) {
        cw_res_error(ctx->res, CW_ERR_USER_AUTHENTICATOR_NOT_FOUND, NULL);
        return;
    }
    rc = cw_db_internal_delete(db, "authenticators",
                               json_string_value(json_object_get(totp, "$id")), &err);
    json_decref(totp);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_AUTHENTICATOR_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

/* As Appwrite's Users answer, the model never tells of recovery codes (recoveryCode false). */
static void on_list_mfa_factors(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user, *totp = NULL;
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    if (mfa_totp(ctx, db, user, &totp) == 0)
        cw_svc_reply(ctx, 200,
                     cw_mfa_factors_model(user, cw_mfa_authenticator_verified(totp), false));
    json_decref(totp);
    json_decref(user);
}

static void on_get_mfa_recovery_codes(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user;
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    const json_t *codes = json_object_get(user, "mfaRecoveryCodes");
    if (json_array_size(codes) == 0)
        cw_res_error(ctx->res, CW_ERR_USER_RECOVERY_CODES_NOT_FOUND, NULL);
    else
        cw_svc_reply(ctx, 200, json_pack("{s:O}", "recoveryCodes", codes));
    json_decref(user);
}

/* PATCH makes the first set (exists: 409), PUT replaces one (none: 404). Both answer 200: the
 * spec gives PATCH 201, but Appwrite's handler never sets it. */
static void mfa_recovery_codes_store(cw_ctx_t *ctx, bool replace)
{
    cw_db_t *db;
    const char *id;
    json_t *user, *out = NULL;
    cw_db_error_t err = {0};
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    bool has = json_array_size(json_object_get(user, "mfaRecoveryCodes")) > 0;
    json_decref(user);
    if (has != replace) {
        cw_res_error(ctx->res,
                     replace ? CW_ERR_USER_RECOVERY_CODES_NOT_FOUND
                             : CW_ERR_USER_RECOVERY_CODES_ALREADY_EXISTS,
                     NULL);
        return;
    }
    json_t *codes = cw_mfa_recovery_codes_new();
    json_t *data = json_pack("{s:O}", "mfaRecoveryCodes", codes);
    int rc = cw_db_internal_update(db, "users", id, data, &out, &err);
    json_decref(data);
    json_decref(out);
    if (rc != 0) {
        json_decref(codes);
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return;
    }
    cw_svc_reply(ctx, 200, json_pack("{s:o}", "recoveryCodes", codes));
}

static void on_create_mfa_recovery_codes(cw_ctx_t *ctx)
{
    mfa_recovery_codes_store(ctx, false);
}

static void on_update_mfa_recovery_codes(cw_ctx_t *ctx)
{
    mfa_recovery_codes_store(ctx, true);
}

static void on_update_impersonator(cw_ctx_t *ctx)
{
    update_flag(ctx, "impersonator");
}

static void on_update_labels(cw_ctx_t *ctx)
{
    static const char rule[] = "Value must a valid array no longer than 1000 items and Value must "
                               "be a valid string and no longer than 36 chars, and only contain "
                               "a-z, A-Z and 0-9";
    cw_db_t *db;
    const char *id;
    json_t *user, *v = cw_arg_json(ctx, "labels");
    size_t i;
    json_t *l;
    if (v == NULL) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Param \"labels\" is required but was not given.");
        return;
    }
    if (!json_is_array(v) || json_array_size(v) > LABELS_MAX) {
        cw_arg_invalid(ctx, "labels", rule);
        return;
    }
    json_t *labels = json_array();
    json_array_foreach(v, i, l)
    {
        const char *s = json_string_value(l);
        size_t n = json_is_string(l) ? json_string_length(l) : 0;
        bool ok = s != NULL && n >= 1 && n <= LABEL_MAX_LEN;
        for (size_t k = 0; ok && k < n; k++)
            ok = (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
                 (s[k] >= '0' && s[k] <= '9');
        if (!ok) {
            json_decref(labels);
            cw_arg_invalid(ctx, "labels", rule);
            return;
        }
        bool seen = false;
        size_t k;
        json_t *e;
        json_array_foreach(labels, k, e)
        {
            seen = seen || json_equal(e, l);
        }
        if (!seen)
            json_array_append(labels, l);
    }
    if (load_user(ctx, &db, &id, &user) != 0) {
        json_decref(labels);
        return;
    }
    json_decref(user);
    json_t *data = json_object();
    json_object_set_new(data, "labels", labels);
    update_user(ctx, db, id, data, 0);
}

static void on_get_prefs(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user;
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    const json_t *prefs = json_object_get(user, "prefs");
    cw_svc_reply(ctx, 200, json_is_object(prefs) ? json_deep_copy(prefs) : json_object());
    json_decref(user);
}

static void on_update_prefs(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user, *out = NULL, *v = cw_arg_json(ctx, "prefs");
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
    if (load_user(ctx, &db, &id, &user) != 0) {
        json_decref(prefs);
        return;
    }
    json_decref(user);
    json_t *data = json_object();
    json_object_set_new(data, "prefs", prefs);
    int rc = cw_db_internal_update(db, "users", id, data, &out, &err);
    json_decref(data);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_NOT_FOUND, 0);
        return;
    }
    json_t *p = json_incref(json_object_get(out, "prefs"));
    json_decref(out);
    if (!json_is_object(p)) {
        json_decref(p);
        p = json_object();
    }
    cw_svc_reply(ctx, 200, p);
}

/* What other services own for a user ------------------------------------------------------- */

/* Answers {"total": n, "<plural>": [...]} over coll's documents of the user, each through
 * model (NULL: as stored). */
static void list_owned(cw_ctx_t *ctx, const char *coll, const char *plural,
                       const char *const *allowed, bool with_search,
                       json_t *(*model)(const json_t *))
{
    cw_db_t *db;
    const char *id, *search = NULL;
    json_t *user, *queries = NULL, *out = NULL;
    bool total;
    cw_db_error_t err = {0};
    if ((allowed != NULL && cw_svc_arg_queries(ctx, allowed, &queries) != 0) ||
        (with_search && cw_arg_text(ctx, "search", false, SEARCH_MAX_LEN, &search) != 0) ||
        arg_flag(ctx, "total", false, true, &total) != 0 || load_user(ctx, &db, &id, &user) != 0)
        return;
    json_decref(user);
    json_t *q = queries != NULL ? json_copy(queries) : json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(id)));
    int rc = cw_db_internal_find(db, coll, q, search, total, &out, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *items = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(out, "documents"), i, d)
    {
        json_array_append_new(items, model != NULL ? model(d) : json_incref(d));
    }
    json_t *m = json_object();
    json_object_set(m, "total", json_object_get(out, "total"));
    json_object_set_new(m, plural, items);
    json_decref(out);
    cw_svc_reply(ctx, 200, m);
}

static json_t *listed_session(const json_t *s)
{
    return cw_session_model(s, false, NULL);
}

static void on_list_sessions(cw_ctx_t *ctx)
{
    list_owned(ctx, "sessions", "sessions", NULL, false, listed_session);
}

/* A session made by the server for a user (provider "server"); the model's secret is the value
 * a client hands back in X-Appwrite-Session or the cookie. */
static void on_create_session(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user, *session = NULL;
    cw_db_error_t err = {0};
    char secret[CW_SESSION_SECRET_LEN + 1];
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    cw_str_t ua = cw_req_header(ctx->req, "user-agent");
    cw_session_spec_t spec = {
        .provider = "server",
        .provider_uid = "",
        .factor = "server",
        .user_agent = ua.len > 0 ? dup_str(ctx, ua) : NULL,
        .ip = dup_str(ctx, ctx->req->ip),
        .duration = cw_policy(ctx)->duration,
    };
    int rc = cw_session_create(db, user, &spec, secret, &session, &err);
    json_decref(user);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    cw_buf_t value = CW_BUF_INIT;
    cw_session_cookie_encode(cw_str(id), cw_str(secret), &value);
    cw_svc_reply(ctx, 201, cw_session_model(session, false, value.ptr));
    cw_buf_free(&value);
    json_decref(session);
}

/* A user's memberships with their team's name and the user's name and email, as Appwrite fills
 * them here (no phone, mfa false). */
static void on_list_memberships(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id, *search = NULL;
    json_t *user, *queries = NULL, *out = NULL;
    bool total;
    cw_db_error_t err = {0};
    if (cw_svc_arg_queries(ctx, membership_query_attrs, &queries) != 0 ||
        cw_arg_text(ctx, "search", false, SEARCH_MAX_LEN, &search) != 0 ||
        arg_flag(ctx, "total", false, true, &total) != 0 || load_user(ctx, &db, &id, &user) != 0)
        return;
    json_t *q = queries != NULL ? json_copy(queries) : json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(id)));
    int rc = cw_db_internal_find(db, "memberships", q, search, total, &out, &err);
    json_decref(q);
    if (rc != 0) {
        json_decref(user);
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *items = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(out, "documents"), i, d)
    {
        json_t *team = NULL;
        cw_db_error_t terr = {0};
        const char *team_id = json_string_value(json_object_get(d, "teamId"));
        if (team_id == NULL || cw_db_internal_get(db, "teams", team_id, &team, &terr) != 0)
            team = NULL;
        json_array_append_new(
            items, cw_model_membership(d, json_string_value(json_object_get(team, "name")), user,
                                       false, false));
        json_decref(team);
    }
    json_t *m = json_object();
    json_object_set(m, "total", json_object_get(out, "total"));
    json_object_set_new(m, "memberships", items);
    json_decref(out);
    json_decref(user);
    cw_svc_reply(ctx, 200, m);
}

static void on_list_targets(cw_ctx_t *ctx)
{
    list_owned(ctx, "targets", "targets", target_query_attrs, false, cw_model_target);
}

static void on_delete_sessions(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user;
    cw_db_error_t err = {0};
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    json_decref(user);
    json_t *q = query1("equal", "userId", json_string(id));
    int rc = cw_db_internal_delete_where(db, "sessions", q, NULL, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

/* The document of coll with the route's idParam that belongs to the loaded user, or the
 * not_found error written. */
static int load_owned(cw_ctx_t *ctx, cw_db_t *db, const char *user_id, const char *coll,
                      const char *id_param, cw_err_t not_found, json_t **out)
{
    const char *oid;
    cw_db_error_t err = {0};
    *out = NULL;
    if (arg_id(ctx, id_param, false, &oid) != 0)
        return -1;
    if (cw_db_internal_get(db, coll, oid, out, &err) != 0) {
        cw_svc_fail_db(ctx, &err, not_found, 0);
        return -1;
    }
    const char *owner = json_string_value(json_object_get(*out, "userId"));
    if (owner == NULL || strcmp(owner, user_id) != 0) {
        json_decref(*out);
        *out = NULL;
        cw_res_error(ctx->res, not_found, NULL);
        return -1;
    }
    return 0;
}

static void on_delete_session(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user, *session;
    cw_db_error_t err = {0};
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    json_decref(user);
    if (load_owned(ctx, db, id, "sessions", "sessionId", CW_ERR_USER_SESSION_NOT_FOUND, &session) !=
        0)
        return;
    int rc = cw_db_internal_delete(db, "sessions",
                                   json_string_value(json_object_get(session, "$id")), &err);
    json_decref(session);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_SESSION_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

static void on_list_identities(cw_ctx_t *ctx)
{
    json_t *queries, *out = NULL;
    const char *search;
    bool total;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (cw_svc_arg_queries(ctx, identity_query_attrs, &queries) != 0 ||
        cw_arg_text(ctx, "search", false, SEARCH_MAX_LEN, &search) != 0 ||
        arg_flag(ctx, "total", false, true, &total) != 0 || cw_svc_open_internal(ctx, &db) != 0)
        return;
    /* Identities carry no search text: Appwrite's search there matches nothing but an empty
     * term, so it is applied as a filter on the provider's e-mail. */
    json_t *q = queries != NULL ? json_copy(queries) : json_array();
    if (search != NULL && search[0] != '\0')
        json_array_append_new(q,
                              cw_db_internal_query("equal", "providerEmail", json_string(search)));
    int rc = cw_db_internal_find(db, "identities", q, NULL, total, &out, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *m = json_object();
    json_object_set(m, "total", json_object_get(out, "total"));
    json_object_set(m, "identities", json_object_get(out, "documents"));
    json_decref(out);
    cw_svc_reply(ctx, 200, m);
}

static void on_delete_identity(cw_ctx_t *ctx)
{
    const char *id;
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (arg_id(ctx, "identityId", false, &id) != 0 || cw_svc_open_internal(ctx, &db) != 0)
        return;
    if (cw_db_internal_delete(db, "identities", id, &err) != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_IDENTITY_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

/* Targets ------------------------------------------------------------------------------------ */

static int check_identifier(cw_ctx_t *ctx, const char *type, const char *identifier)
{
    if (strcmp(type, "email") == 0 && !cw_valid_email(identifier)) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_INVALID_EMAIL, NULL);
        return -1;
    }
    if (strcmp(type, "sms") == 0 && !cw_valid_phone(identifier)) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_INVALID_PHONE, NULL);
        return -1;
    }
    return 0;
}

static void on_create_target(cw_ctx_t *ctx)
{
    static const char *const types[] = {"email", "sms", "push", NULL};
    cw_db_t *db;
    const char *id, *tid, *identifier, *provider = NULL, *name;
    cw_str_t type;
    json_t *user, *out = NULL;
    cw_db_error_t err = {0};
    if (arg_id(ctx, "targetId", true, &tid) != 0 ||
        cw_arg_enum(ctx, "providerType", true, types, &type) != 0 ||
        cw_arg_text(ctx, "identifier", true, 255, &identifier) != 0 ||
        (cw_arg_json(ctx, "providerId") != NULL &&
         arg_id(ctx, "providerId", false, &provider) != 0) ||
        cw_arg_text(ctx, "name", false, NAME_MAX_LEN, &name) != 0)
        return;
    const char *ptype = dup_str(ctx, type);
    if (check_identifier(ctx, ptype, identifier) != 0 || load_user(ctx, &db, &id, &user) != 0)
        return;
    json_t *data = json_pack(
        "{s:s, s:O, s:s, s:s, s:o, s:o, s:b}", "userId", id, "userInternalId",
        json_object_get(user, "$sequence"), "providerType", ptype, "identifier", identifier,
        "providerId", provider != NULL ? json_string(provider) : json_null(), "name",
        name != NULL && name[0] != '\0' ? json_string(name) : json_null(), "expired", 0);
    json_decref(user);
    json_t *perms = target_perms(id);
    int rc = cw_db_internal_create(db, "targets", tid, data, perms, &out, &err);
    json_decref(data);
    json_decref(perms);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, CW_ERR_USER_TARGET_ALREADY_EXISTS);
        return;
    }
    cw_svc_reply(ctx, 201, cw_model_target(out));
    json_decref(out);
}

static void on_get_target(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user, *t;
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    json_decref(user);
    if (load_owned(ctx, db, id, "targets", "targetId", CW_ERR_USER_TARGET_NOT_FOUND, &t) != 0)
        return;
    cw_svc_reply(ctx, 200, cw_model_target(t));
    json_decref(t);
}

static void on_update_target(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id, *identifier, *provider = NULL, *name;
    json_t *user, *t, *out = NULL;
    cw_db_error_t err = {0};
    if (cw_arg_text(ctx, "identifier", false, 255, &identifier) != 0 ||
        (cw_arg_json(ctx, "providerId") != NULL &&
         arg_id(ctx, "providerId", false, &provider) != 0) ||
        cw_arg_text(ctx, "name", false, NAME_MAX_LEN, &name) != 0 ||
        load_user(ctx, &db, &id, &user) != 0)
        return;
    json_decref(user);
    if (load_owned(ctx, db, id, "targets", "targetId", CW_ERR_USER_TARGET_NOT_FOUND, &t) != 0)
        return;
    json_t *data = json_object();
    if (identifier != NULL && identifier[0] != '\0') {
        if (check_identifier(ctx, json_string_value(json_object_get(t, "providerType")),
                             identifier) != 0) {
            json_decref(data);
            json_decref(t);
            return;
        }
        json_object_set_new(data, "identifier", json_string(identifier));
        json_object_set_new(data, "expired", json_false());
    }
    if (provider != NULL) {
        /* There are no messaging providers yet: any named one is unknown. */
        json_decref(data);
        json_decref(t);
        cw_res_error(ctx->res, CW_ERR_PROVIDER_NOT_FOUND, NULL);
        return;
    }
    if (name != NULL && name[0] != '\0')
        json_object_set_new(data, "name", json_string(name));
    int rc = cw_db_internal_update(db, "targets", json_string_value(json_object_get(t, "$id")),
                                   data, &out, &err);
    json_decref(data);
    json_decref(t);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_TARGET_NOT_FOUND, CW_ERR_USER_TARGET_ALREADY_EXISTS);
        return;
    }
    cw_svc_reply(ctx, 200, cw_model_target(out));
    json_decref(out);
}

static void on_delete_target(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id;
    json_t *user, *t;
    cw_db_error_t err = {0};
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    json_decref(user);
    if (load_owned(ctx, db, id, "targets", "targetId", CW_ERR_USER_TARGET_NOT_FOUND, &t) != 0)
        return;
    int rc =
        cw_db_internal_delete(db, "targets", json_string_value(json_object_get(t, "$id")), &err);
    json_decref(t);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, CW_ERR_USER_TARGET_NOT_FOUND, 0);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

/* Tokens and JWTs ---------------------------------------------------------------------------- */

static void on_create_token(cw_ctx_t *ctx)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    cw_db_t *db;
    const char *id;
    json_t *user, *out = NULL;
    int64_t length = 6, expire = TOKEN_EXPIRE_DEFAULT;
    cw_db_error_t err = {0};
    if (cw_arg_int(ctx, "length", false, 4, 128, &length) < 0 ||
        cw_arg_int(ctx, "expire", false, 60, TOKEN_EXPIRE_MAX, &expire) < 0 ||
        load_user(ctx, &db, &id, &user) != 0)
        return;
    unsigned char rnd[128], digest[EVP_MAX_MD_SIZE];
    char secret[129], hex[2 * EVP_MAX_MD_SIZE + 1], exp[CW_TIME_ISO_LEN];
    unsigned int dlen = 0;
    if (RAND_bytes(rnd, (int)length) != 1) {
        json_decref(user);
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return;
    }
    for (int64_t i = 0; i < length; i++)
        secret[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
    secret[length] = '\0';
    /* Stored as its SHA-256, as Appwrite stores token secrets. */
    if (EVP_Digest(secret, (size_t)length, digest, &dlen, EVP_sha256(), NULL) != 1) {
        json_decref(user);
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return;
    }
    for (unsigned int i = 0; i < dlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    cw_time_format(cw_time_now_ms() + expire * 1000, exp);
    cw_str_t ua = cw_req_header(ctx->req, "user-agent");
    json_t *data = json_pack("{s:s, s:O, s:i, s:s, s:s, s:s%, s:s%}", "userId", id,
                             "userInternalId", json_object_get(user, "$sequence"), "type",
                             CW_TOKEN_GENERIC, "secret", hex, "expire", exp, "userAgent",
                             ua.ptr != NULL ? ua.ptr : "UNKNOWN", ua.ptr != NULL ? ua.len : 7, "ip",
                             ctx->req->ip.ptr != NULL ? ctx->req->ip.ptr : "",
                             ctx->req->ip.ptr != NULL ? ctx->req->ip.len : 0);
    json_decref(user);
    int rc = cw_db_internal_create(db, "tokens", "unique()", data, NULL, &out, &err);
    json_decref(data);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    json_t *m = cw_token_model(out, secret, NULL);
    json_decref(out);
    cw_svc_reply(ctx, 201, m);
}

/* POST /users/{userId}/jwts: a JWT acting as the user through one of their sessions, "recent"
 * (the default) being the newest. As in Appwrite, a user without sessions, or a sessionId that is
 * not theirs, gets a JWT bound to no session; one bound to a session dies with it. */
static void on_create_jwt(cw_ctx_t *ctx)
{
    cw_db_t *db;
    const char *id, *sid = "recent";
    json_t *user, *found = NULL;
    cw_db_error_t err = {0};
    int64_t duration = CW_JWT_ACCOUNT_DURATION;
    if (cw_arg_int(ctx, "duration", false, 0, CW_JWT_ACCOUNT_DURATION_MAX, &duration) < 0)
        return;
    if (json_object_get(ctx->req->params, "sessionId") != NULL &&
        arg_id(ctx, "sessionId", false, &sid) != 0)
        return;
    if (load_user(ctx, &db, &id, &user) != 0)
        return;
    json_decref(user);
    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(id)));
    if (strcmp(sid, "recent") == 0)
        json_array_append_new(q, cw_db_internal_query("orderDesc", "$sequence", NULL));
    else
        json_array_append_new(q, cw_db_internal_query("equal", "$id", json_string(sid)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, "sessions", q, NULL, false, &found, &err);
    json_decref(q);
    if (rc != 0) {
        cw_svc_fail_db(ctx, &err, 0, 0);
        return;
    }
    const json_t *session = json_array_get(json_object_get(found, "documents"), 0);
    const char *bound = session != NULL ? json_string_value(json_object_get(session, "$id")) : NULL;
    cw_buf_t jwt = CW_BUF_INIT;
    /* As account.createJWT: a zero duration gets the default rather than no expiry at all. */
    rc = cw_jwt_account_encode(cw_str(cw_ctx_thread(ctx)->cfg->openssl_key), cw_str(id),
                               cw_str(bound != NULL ? bound : ""), cw_time_now_ms() / 1000,
                               duration > 0 ? duration : CW_JWT_ACCOUNT_DURATION, &jwt);
    json_decref(found);
    if (rc != 0) {
        cw_buf_free(&jwt);
        cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
        return;
    }
    json_t *m = json_object();
    json_object_set_new(m, "jwt", json_stringn(jwt.ptr, jwt.len));
    cw_buf_free(&jwt);
    cw_svc_reply(ctx, 201, m);
}

static void on_not_implemented(cw_ctx_t *ctx)
{
    cw_res_error(ctx->res, CW_ERR_GENERAL_NOT_IMPLEMENTED,
                 "This feature is not available on this server yet.");
}

#define USER "/v1/users/{userId}"
#define OFF CW_ROUTE_OFFLOAD

const cw_route_t cw_users_routes[] = {
    {"GET", "/v1/users", "users.read", on_list, OFF},
    {"POST", "/v1/users", "users.write", on_create, OFF},
    {"POST", "/v1/users/argon2", "users.write", on_create_argon2, OFF},
    {"POST", "/v1/users/bcrypt", "users.write", on_create_bcrypt, OFF},
    {"POST", "/v1/users/md5", "users.write", on_create_md5, OFF},
    {"POST", "/v1/users/phpass", "users.write", on_create_phpass, OFF},
    {"POST", "/v1/users/scrypt", "users.write", on_create_scrypt, OFF},
    {"POST", "/v1/users/scrypt-modified", "users.write", on_create_scrypt_modified, OFF},
    {"POST", "/v1/users/sha", "users.write", on_create_sha, OFF},
    {"GET", "/v1/users/identities", "users.read", on_list_identities, OFF},
    {"DELETE", "/v1/users/identities/{identityId}", "users.write", on_delete_identity, OFF},
    {"GET", "/v1/users/usage", "users.read", on_not_implemented, OFF},
    {"GET", USER, "users.read", on_get, OFF},
    {"DELETE", USER, "users.write", on_delete, OFF},
    {"PATCH", USER "/email", "users.write", on_update_email, OFF},
    {"PATCH", USER "/impersonator", "users.write", on_update_impersonator, OFF},
    {"POST", USER "/jwts", "users.write", on_create_jwt, OFF},
    {"PUT", USER "/labels", "users.write", on_update_labels, OFF},
    {"GET", USER "/memberships", "users.read", on_list_memberships, OFF},
    {"PATCH", USER "/mfa", "users.write", on_update_mfa, OFF},
    {"DELETE", USER "/mfa/authenticators/{type}", "users.write", on_delete_mfa_authenticator, OFF},
    {"GET", USER "/mfa/factors", "users.read", on_list_mfa_factors, OFF},
    {"GET", USER "/mfa/recovery-codes", "users.read", on_get_mfa_recovery_codes, OFF},
    {"PUT", USER "/mfa/recovery-codes", "users.write", on_update_mfa_recovery_codes, OFF},
    {"PATCH", USER "/mfa/recovery-codes", "users.write", on_create_mfa_recovery_codes, OFF},
    {"PATCH", USER "/name", "users.write", on_update_name, OFF},
    {"PATCH", USER "/password", "users.write", on_update_password, OFF},
    {"PATCH", USER "/phone", "users.write", on_update_phone, OFF},
    {"GET", USER "/prefs", "users.read", on_get_prefs, OFF},
    {"PATCH", USER "/prefs", "users.write", on_update_prefs, OFF},
    {"GET", USER "/sessions", "users.read", on_list_sessions, OFF},
    {"POST", USER "/sessions", "users.write", on_create_session, OFF},
    {"DELETE", USER "/sessions", "users.write", on_delete_sessions, OFF},
    {"DELETE", USER "/sessions/{sessionId}", "users.write", on_delete_session, OFF},
    {"PATCH", USER "/status", "users.write", on_update_status, OFF},
    {"GET", USER "/targets", "targets.read", on_list_targets, OFF},
    {"POST", USER "/targets", "targets.write", on_create_target, OFF},
    {"GET", USER "/targets/{targetId}", "targets.read", on_get_target, OFF},
    {"PATCH", USER "/targets/{targetId}", "targets.write", on_update_target, OFF},
    {"DELETE", USER "/targets/{targetId}", "targets.write", on_delete_target, OFF},
    {"POST", USER "/tokens", "users.write", on_create_token, OFF},
    {"PATCH", USER "/verification", "users.write", on_update_email_verification, OFF},
    {"PATCH", USER "/verification/phone", "users.write", on_update_phone_verification, OFF},
};
const size_t cw_users_routes_count = sizeof(cw_users_routes) / sizeof(cw_users_routes[0]);
