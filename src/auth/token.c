#include "auth/token.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "core/id.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/internal.h"
#include "models/json.h"

static void random_bytes(unsigned char *out, size_t n)
{
    if (RAND_bytes(out, (int)n) != 1) {
        cw_log(CW_LOG_ERROR, "msg=\"token: random generator failed\"");
        abort();
    }
}

void cw_token_secret_new(char *out, size_t len)
{
    char hex[CW_TOKEN_SECRET_MAX + 2];
    if (len > CW_TOKEN_SECRET_MAX)
        len = CW_TOKEN_SECRET_MAX;
    /* As Appwrite's Token proof: hex of ceil(len/2) random bytes, cut to len digits. */
    cw_random_hex(hex, (len + 1) / 2);
    memcpy(out, hex, len);
    out[len] = '\0';
}

void cw_token_code_new(char *out, size_t len)
{
    size_t i = 0;
    unsigned char b[32];
    while (i < len) {
        random_bytes(b, sizeof(b));
        /* Bytes from 250 up are dropped so that every digit is equally likely. */
        for (size_t j = 0; j < sizeof(b) && i < len; j++) {
            if (b[j] < 250)
                out[i++] = (char)('0' + b[j] % 10);
        }
    }
    out[len] = '\0';
}

/* Our own word lists; what matters is the "Adjective noun" form a user compares by eye. */
static const char *const adjectives[] = {
    "Agile",    "Amber",   "Ancient",  "Bold",   "Brave",   "Bright", "Calm",  "Candid",
    "Cheerful", "Clever",  "Cosmic",   "Crisp",  "Curious", "Daring", "Eager", "Early",
    "Fair",     "Fancy",   "Fearless", "Gentle", "Golden",  "Grand",  "Happy", "Honest",
    "Humble",   "Jolly",   "Kind",     "Lively", "Loyal",   "Lucky",  "Merry", "Mighty",
    "Modest",   "Noble",   "Patient",  "Polite", "Proud",   "Quick",  "Quiet", "Rapid",
    "Silver",   "Sincere", "Steady",   "Sunny",  "Swift",   "Tidy",   "Vivid", "Witty",
};
static const char *const nouns[] = {
    "anchor",  "badger",  "beacon", "bison",  "canyon",  "cedar",   "comet",  "coral",
    "falcon",  "fern",    "fjord",  "forest", "garden",  "glacier", "harbor", "heron",
    "island",  "lantern", "lemur",  "lotus",  "maple",   "meadow",  "meteor", "otter",
    "panda",   "pebble",  "pepper", "pine",   "planet",  "puffin",  "quartz", "raven",
    "reef",    "river",   "saddle", "salmon", "sparrow", "spruce",  "summit", "teapot",
    "thistle", "tiger",   "tulip",  "valley", "walnut",  "willow",  "yak",    "zebra",
};

static size_t random_index(size_t n)
{
    unsigned char b[4];
    uint32_t limit = UINT32_MAX - UINT32_MAX % (uint32_t)n, v;
    do {
        random_bytes(b, sizeof(b));
        v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    } while (v >= limit);
    return v % n;
}

void cw_token_phrase_new(char out[CW_TOKEN_PHRASE_MAX])
{
    snprintf(out, CW_TOKEN_PHRASE_MAX, "%s %s",
             adjectives[random_index(sizeof(adjectives) / sizeof(adjectives[0]))],
             nouns[random_index(sizeof(nouns) / sizeof(nouns[0]))]);
}

int cw_token_create(cw_db_t *db, const json_t *user, int type, const char *secret, int64_t life_s,
                    const char *user_agent, const char *ip, json_t **out, cw_db_error_t *err)
{
    char hash[CW_SESSION_HASH_LEN + 1], expire[CW_TIME_ISO_LEN], perm[80];
    const char *uid = json_string_value(json_object_get(user, "$id"));
    const json_t *seq = json_object_get(user, "$sequence");
    cw_session_secret_hash(cw_str(secret), hash);
    cw_time_format(cw_time_now_ms() + life_s * 1000, expire);
    json_t *data = json_object();
    json_object_set_new(data, "userId", json_string(uid));
    json_object_set_new(data, "userInternalId",
                        json_is_string(seq) ? json_incref((json_t *)seq)
                        : json_is_integer(seq)
                            ? json_sprintf("%lld", (long long)json_integer_value(seq))
                            : json_string(""));
    json_object_set_new(data, "type", json_integer(type));
    json_object_set_new(data, "secret", json_string(hash));
    json_object_set_new(data, "expire", json_string(expire));
    json_object_set_new(
        data, "userAgent",
        json_string(user_agent != NULL && user_agent[0] != '\0' ? user_agent : "UNKNOWN"));
    json_object_set_new(data, "ip", json_string(ip != NULL ? ip : ""));
    json_t *perms = json_array();
    static const char *const actions[] = {"read", "update", "delete"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(perm, sizeof(perm), "%s(\"user:%s\")", actions[i], uid);
        json_array_append_new(perms, json_string(perm));
    }
    int rc = cw_db_internal_create(db, "tokens", "unique()", data, perms, out, err);
    json_decref(data);
    json_decref(perms);
    return rc;
}

int cw_token_find(cw_db_t *db, const char *user_id, int type, cw_str_t secret, int64_t now_ms,
                  json_t **out, cw_db_error_t *err)
{
    char hash[CW_SESSION_HASH_LEN + 1];
    json_t *q = json_array(), *found = NULL;
    *out = NULL;
    cw_session_secret_hash(secret, hash);
    json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(user_id)));
    json_array_append_new(q, cw_db_internal_query("equal", "secret", json_string(hash)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(100)));
    int rc = cw_db_internal_find(db, "tokens", q, NULL, false, &found, err);
    json_decref(q);
    if (rc != 0)
        return -1;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(found, "documents"), i, t)
    {
        const json_t *ty = json_object_get(t, "type");
        if (!json_is_integer(ty) || (type != CW_TOKEN_ANY && json_integer_value(ty) != type))
            continue;
        /* The expiry check is the session's: a token is good up to and at its expiry. */
        if (cw_session_expired(t, now_ms))
            continue;
        *out = json_incref(t);
        break;
    }
    json_decref(found);
    return *out != NULL ? 0 : CW_ENOTFOUND;
}

json_t *cw_token_model(const json_t *token, const char *secret, const char *phrase)
{
    json_t *m = json_object();
    cw_model_put_str(m, token, "$id");
    cw_model_put_str(m, token, "$createdAt");
    cw_model_put_str(m, token, "userId");
    json_object_set_new(m, "secret", json_string(secret != NULL ? secret : ""));
    cw_model_put_str(m, token, "expire");
    json_object_set_new(m, "phrase", json_string(phrase != NULL ? phrase : ""));
    return m;
}
