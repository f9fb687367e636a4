#include "auth/session.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/internal.h"

#define KEY_FILE "openssl-key"
#define KEY_BYTES 32

static void die(const char *what)
{
    cw_log(CW_LOG_ERROR, "msg=\"session: %s\"", what);
    abort();
}

static void hex(const unsigned char *bin, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bin[i] >> 4];
        out[2 * i + 1] = digits[bin[i] & 15];
    }
    out[2 * n] = '\0';
}

void cw_session_secret_new(char out[CW_SESSION_SECRET_LEN + 1])
{
    cw_random_hex(out, CW_SESSION_SECRET_LEN / 2);
}

void cw_session_secret_hash(cw_str_t secret, char out[CW_SESSION_HASH_LEN + 1])
{
    unsigned char md[32];
    unsigned int n = 0;
    static const char empty[1] = "";
    if (EVP_Digest(secret.len > 0 ? secret.ptr : empty, secret.len, md, &n, EVP_sha256(), NULL) !=
            1 ||
        n != sizeof(md))
        die("SHA-256 failed");
    hex(md, sizeof(md), out);
}

bool cw_session_expired(const json_t *session, int64_t now_ms)
{
    const json_t *e = json_object_get(session, "expire");
    int64_t expire;
    if (!json_is_string(e) ||
        cw_time_parse((cw_str_t){json_string_value(e), json_string_length(e)}, &expire) != 0)
        return true;
    return expire < now_ms;
}

/* The user, or CW_ENOTFOUND for an ID that is not one or names nobody. */
static int load_user(cw_db_t *db, cw_str_t user_id, json_t **user, cw_db_error_t *err)
{
    char id[CW_ID_MAX_LEN + 1];
    *user = NULL;
    if (!cw_id_valid(user_id, CW_ID_MAX_LEN))
        return CW_ENOTFOUND;
    memcpy(id, user_id.ptr, user_id.len);
    id[user_id.len] = '\0';
    if (cw_db_internal_get(db, "users", id, user, err) != 0)
        return err->type == CW_ERR_DOCUMENT_NOT_FOUND ? CW_ENOTFOUND : -1;
    return 0;
}

/* The first unexpired session matching both queries on attr1 and attr2. */
static int find_session(cw_db_t *db, const char *user_id, const char *attr, const char *value,
                        int64_t now_ms, json_t **session, cw_db_error_t *err)
{
    json_t *q = json_array(), *found = NULL;
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(user_id)));
    json_array_append_new(q, cw_db_internal_query("equal", attr, json_string(value)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, "sessions", q, NULL, false, &found, err);
    json_decref(q);
    *session = NULL;
    if (rc != 0)
        return -1;
    json_t *s = json_array_get(json_object_get(found, "documents"), 0);
    if (s != NULL && !cw_session_expired(s, now_ms) &&
        json_is_string(json_object_get(s, "provider")))
        *session = json_incref(s);
    json_decref(found);
    return *session != NULL ? 0 : CW_ENOTFOUND;
}

int cw_session_verify(cw_db_t *db, cw_str_t user_id, cw_str_t secret, int64_t now_ms,
                      json_t **user, json_t **session, cw_db_error_t *err)
{
    char hash[CW_SESSION_HASH_LEN + 1];
    *session = NULL;
    int rc = load_user(db, user_id, user, err);
    if (rc != 0)
        return rc;
    cw_session_secret_hash(secret, hash);
    rc = find_session(db, json_string_value(json_object_get(*user, "$id")), "secret", hash, now_ms,
                      session, err);
    if (rc != 0) {
        json_decref(*user);
        *user = NULL;
    }
    return rc;
}

int cw_session_active(cw_db_t *db, cw_str_t user_id, cw_str_t session_id, int64_t now_ms,
                      json_t **user, json_t **session, cw_db_error_t *err)
{
    *session = NULL;
    int rc = load_user(db, user_id, user, err);
    if (rc != 0 || session_id.len == 0)
        return rc;
    char sid[CW_ID_MAX_LEN + 1];
    if (!cw_id_valid(session_id, CW_ID_MAX_LEN)) {
        rc = CW_ENOTFOUND;
    } else {
        memcpy(sid, session_id.ptr, session_id.len);
        sid[session_id.len] = '\0';
        rc = find_session(db, json_string_value(json_object_get(*user, "$id")), "$id", sid,
                          now_ms, session, err);
    }
    if (rc != 0) {
        json_decref(*user);
        *user = NULL;
    }
    return rc;
}

/* prefix + a, then "/" + b when b is given, in arena. */
static const char *role_of(cw_arena_t *arena, const char *prefix, const char *a, const char *b)
{
    cw_buf_t s = CW_BUF_INIT;
    cw_buf_printf(&s, "%s%s%s%s", prefix, a, b != NULL ? "/" : "", b != NULL ? b : "");
    char *r = cw_arena_strndup(arena, s.ptr, s.len);
    cw_buf_free(&s);
    return r;
}

int cw_session_roles(cw_db_t *db, const json_t *user, cw_arena_t *arena, const char *const **out,
                     cw_db_error_t *err)
{
    const char *id = json_string_value(json_object_get(user, "$id"));
    json_t *q = json_array(), *found = NULL;
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(id)));
    json_array_append_new(q, cw_db_internal_query("equal", "confirm", json_true()));
    json_array_append_new(q,
                          cw_db_internal_query("limit", NULL, json_integer(CW_SESSION_MEMBERSHIPS_MAX)));
    int rc = cw_db_internal_find(db, "memberships", q, NULL, false, &found, err);
    json_decref(q);
    if (rc != 0)
        return -1;
    const json_t *labels = json_object_get(user, "labels");
    const json_t *members = json_object_get(found, "documents");
    size_t n = 5 + json_array_size(labels);
    size_t i, k;
    json_t *m, *r;
    json_array_foreach(members, i, m)
    {
        n += 2 + json_array_size(json_object_get(m, "roles"));
    }
    const char **roles = cw_arena_alloc(arena, (n + 1) * sizeof(*roles));
    size_t at = 0;
    bool verified = json_is_true(json_object_get(user, "emailVerification")) ||
                    json_is_true(json_object_get(user, "phoneVerification"));
    const char *dim = verified ? "verified" : "unverified";
    roles[at++] = "any";
    roles[at++] = role_of(arena, "user:", id, NULL);
    roles[at++] = "users";
    roles[at++] = role_of(arena, "user:", id, dim);
    roles[at++] = verified ? "users/verified" : "users/unverified";
    json_array_foreach(members, i, m)
    {
        const char *team = json_string_value(json_object_get(m, "teamId"));
        const char *mid = json_string_value(json_object_get(m, "$id"));
        if (team == NULL || mid == NULL)
            continue;
        roles[at++] = role_of(arena, "team:", team, NULL);
        roles[at++] = role_of(arena, "member:", mid, NULL);
        json_array_foreach(json_object_get(m, "roles"), k, r)
        {
            if (json_is_string(r))
                roles[at++] = role_of(arena, "team:", team, json_string_value(r));
        }
    }
    json_array_foreach(labels, i, r)
    {
        if (json_is_string(r))
            roles[at++] = role_of(arena, "label:", json_string_value(r), NULL);
    }
    if (at > n)
        die("role count overflow");
    roles[at] = NULL;
    json_decref(found);
    *out = roles;
    return 0;
}

int cw_session_create(cw_db_t *db, const json_t *user, const cw_session_spec_t *spec,
                      char secret[CW_SESSION_SECRET_LEN + 1], json_t **session, cw_db_error_t *err)
{
    static const char *const blank[] = {
        "osCode",        "osName",       "osVersion",   "clientType",  "clientCode",
        "clientName",    "clientVersion", "clientEngine", "clientEngineVersion", "deviceName",
        "deviceBrand",   "deviceModel",  NULL};
    char hash[CW_SESSION_HASH_LEN + 1], expire[CW_TIME_ISO_LEN], perm[80];
    const char *uid = json_string_value(json_object_get(user, "$id"));
    cw_session_secret_new(secret);
    cw_session_secret_hash(cw_str(secret), hash);
    cw_time_format(cw_time_now_ms() + spec->duration * 1000, expire);
    json_t *data = json_object();
    json_object_set_new(data, "userId", json_string(uid));
    const json_t *seq = json_object_get(user, "$sequence");
    json_object_set_new(data, "userInternalId",
                        json_is_string(seq) ? json_incref((json_t *)seq)
                        : json_is_integer(seq)
                            ? json_sprintf("%lld", (long long)json_integer_value(seq))
                            : json_string(""));
    json_object_set_new(data, "provider", json_string(spec->provider));
    json_object_set_new(data, "providerUid",
                        json_string(spec->provider_uid != NULL ? spec->provider_uid : ""));
    json_object_set_new(data, "secret", json_string(hash));
    json_object_set_new(data, "userAgent",
                        json_string(spec->user_agent != NULL && spec->user_agent[0] != '\0'
                                        ? spec->user_agent
                                        : "UNKNOWN"));
    json_object_set_new(data, "ip", json_string(spec->ip != NULL ? spec->ip : ""));
    json_object_set_new(data, "countryCode", json_string("--"));
    for (const char *const *k = blank; *k != NULL; k++)
        json_object_set_new(data, *k, json_string(""));
    json_t *factors = json_array();
    json_array_append_new(factors, json_string(spec->factor));
    json_object_set_new(data, "factors", factors);
    json_object_set_new(data, "expire", json_string(expire));
    json_t *perms = json_array();
    static const char *const actions[] = {"read", "update", "delete"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(perm, sizeof(perm), "%s(\"user:%s\")", actions[i], uid);
        json_array_append_new(perms, json_string(perm));
    }
    int rc = cw_db_internal_create(db, "sessions", "unique()", data, perms, session, err);
    json_decref(data);
    json_decref(perms);
    return rc;
}

int cw_session_enforce_limit(cw_db_t *db, const char *user_id, int64_t limit, cw_db_error_t *err)
{
    if (limit <= 0)
        return 0;
    json_t *q = json_array(), *found = NULL;
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(user_id)));
    json_array_append_new(q, cw_db_internal_query("orderDesc", "$sequence", NULL));
    json_array_append_new(q, cw_db_internal_query("offset", NULL, json_integer(limit)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1000)));
    int rc = cw_db_internal_find(db, "sessions", q, NULL, false, &found, err);
    json_decref(q);
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(found, "documents"), i, d)
    {
        if (rc == 0)
            rc = cw_db_internal_delete(db, "sessions", json_string_value(json_object_get(d, "$id")),
                                       err);
    }
    json_decref(found);
    return rc == 0 ? 0 : -1;
}

static void put_str(json_t *m, const json_t *doc, const char *key)
{
    const json_t *v = json_object_get(doc, key);
    json_object_set_new(m, key, json_string(json_is_string(v) ? json_string_value(v) : ""));
}

json_t *cw_session_model(const json_t *session, bool current, const char *secret)
{
    static const char *const head[] = {"$id", "$createdAt", "$updatedAt", "userId", "expire",
                                       "provider", "providerUid", "providerAccessToken",
                                       "providerAccessTokenExpiry", "providerRefreshToken", "ip",
                                       "osCode", "osName", "osVersion", "clientType", "clientCode",
                                       "clientName", "clientVersion", "clientEngine",
                                       "clientEngineVersion", "deviceName", "deviceBrand",
                                       "deviceModel", "countryCode", NULL};
    json_t *m = json_object();
    for (const char *const *k = head; *k != NULL; k++)
        put_str(m, session, *k);
    /* Sessions carry no country until the server has a GeoIP lookup of its own for them. */
    json_object_set_new(m, "countryName", json_string("Unknown"));
    json_object_set_new(m, "current", json_boolean(current));
    const json_t *f = json_object_get(session, "factors");
    json_object_set_new(m, "factors", json_is_array(f) ? json_deep_copy(f) : json_array());
    json_object_set_new(m, "secret", json_string(secret != NULL ? secret : ""));
    put_str(m, session, "mfaUpdatedAt");
    return m;
}

static int read_key(const char *path, char **out)
{
    char buf[512];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return errno == ENOENT ? CW_ENOTFOUND : CW_EIO;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    if (n == 0)
        return CW_EIO;
    buf[n] = '\0';
    *out = cw_strdup(buf);
    return 0;
}

int cw_session_server_key(const char *configured, const char *data_dir, char **out)
{
    *out = NULL;
    if (configured != NULL && configured[0] != '\0') {
        *out = cw_strdup(configured);
        return 0;
    }
    cw_buf_t path = CW_BUF_INIT;
    cw_buf_printf(&path, "%s/%s", data_dir, KEY_FILE);
    int rc = read_key(path.ptr, out);
    if (rc == CW_ENOTFOUND) {
        char key[2 * KEY_BYTES + 2];
        cw_random_hex(key, KEY_BYTES);
        /* O_EXCL: two servers starting on one folder keep the key of the first. */
        int fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            size_t len = strlen(key);
            key[len] = '\n';
            bool ok = write(fd, key, len + 1) == (ssize_t)(len + 1) && fsync(fd) == 0;
            close(fd);
            rc = ok ? read_key(path.ptr, out) : CW_EIO;
        } else {
            rc = errno == EEXIST ? read_key(path.ptr, out) : CW_EIO;
        }
    }
    if (rc != 0) {
        cw_log(CW_LOG_ERROR, "msg=\"cannot read or make the JWT key\" file=%s", path.ptr);
        rc = CW_EIO;
    }
    cw_buf_free(&path);
    return rc;
}
