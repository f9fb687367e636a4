#include "auth/session_cookie.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <string.h>

#include "auth/jwt.h"
#include "core/jsonw.h"
#include "core/status.h"

/* The largest JSON a cookie may hold: {"id":"…","secret":"…"} at its bounds, plus spare room for
 * whitespace a foreign writer might put in. */
#define COOKIE_JSON_MAX (CW_SESSION_COOKIE_MAX / 4 * 3)

static int secret_valid(cw_str_t s)
{
    if (s.len == 0 || s.len > CW_SESSION_SECRET_MAX)
        return 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return 0;
    }
    return 1;
}

void cw_session_cookie_name(cw_str_t project_id, cw_buf_t *out)
{
    cw_buf_append_str(out, "a_session_");
    cw_buf_append(out, project_id.ptr, project_id.len);
}

int cw_session_cookie_encode(cw_str_t user_id, cw_str_t secret, cw_buf_t *out)
{
    if (!cw_id_valid(user_id, CW_ID_MAX_LEN) || !secret_valid(secret))
        return CW_EINVAL;
    /* Neither part needs escaping, so this is byte for byte what PHP's json_encode writes. */
    cw_buf_t json = CW_BUF_INIT;
    cw_buf_append_str(&json, "{\"id\":\"");
    cw_buf_append(&json, user_id.ptr, user_id.len);
    cw_buf_append_str(&json, "\",\"secret\":\"");
    cw_buf_append(&json, secret.ptr, secret.len);
    cw_buf_append_str(&json, "\"}");
    cw__b64_encode(out, json.ptr, json.len, false);
    OPENSSL_cleanse(json.ptr, json.len);
    cw_buf_free(&json);
    return 0;
}

/* Copies member name of obj, a string that valid() accepts, into dst (NUL-terminated). */
static int copy_member(const json_t *obj, const char *name, int (*valid)(cw_str_t), char *dst)
{
    const json_t *j = json_object_get(obj, name);
    if (!json_is_string(j))
        return CW_EINVAL;
    cw_str_t v = {json_string_value(j), json_string_length(j)};
    if (!valid(v))
        return CW_EINVAL;
    memcpy(dst, v.ptr, v.len);
    dst[v.len] = '\0';
    return 0;
}

static int id_valid(cw_str_t s)
{
    return cw_id_valid(s, CW_ID_MAX_LEN);
}

int cw_session_cookie_decode(cw_str_t value, cw_session_cookie_t *out)
{
    unsigned char json[COOKIE_JSON_MAX];
    size_t len = 0;
    json_t *obj = NULL;
    int rc = CW_EINVAL;
    out->id[0] = '\0';
    out->secret[0] = '\0';
    if (value.len == 0 || value.len > CW_SESSION_COOKIE_MAX)
        goto out;
    if (cw__b64_decode(value, false, json, sizeof(json), &len) != 0)
        goto out;
    obj = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(obj) || json_object_size(obj) != 2)
        goto out;
    if (copy_member(obj, "id", id_valid, out->id) != 0 ||
        copy_member(obj, "secret", secret_valid, out->secret) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0) {
        out->id[0] = '\0';
        OPENSSL_cleanse(out->secret, sizeof(out->secret));
    }
    OPENSSL_cleanse(json, sizeof(json));
    json_decref(obj);
    return rc;
}

void cw_session_fallback_encode(cw_str_t cookie_name, cw_str_t value, cw_buf_t *out)
{
    if (value.ptr == NULL) {
        cw_buf_append_str(out, "[]");
        return;
    }
    cw_buf_append_char(out, '{');
    cw_json_escape(out, cookie_name.ptr, cookie_name.len);
    cw_buf_append_char(out, ':');
    cw_json_escape(out, value.ptr, value.len);
    cw_buf_append_char(out, '}');
}

int cw_session_fallback_decode(cw_str_t header, cw_str_t cookie_name, cw_session_cookie_t *out)
{
    json_t *obj = NULL;
    int rc = CW_EINVAL;
    const json_t *val;
    out->id[0] = '\0';
    out->secret[0] = '\0';
    if (header.len == 0 || header.len > CW_SESSION_FALLBACK_MAX || cookie_name.len == 0)
        goto out;
    obj = json_loadb(header.ptr, header.len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(obj))
        goto out;
    val = json_object_getn(obj, cookie_name.ptr, cookie_name.len);
    if (!json_is_string(val))
        goto out;
    rc = cw_session_cookie_decode((cw_str_t){json_string_value(val), json_string_length(val)}, out);
out:
    json_decref(obj);
    return rc;
}
