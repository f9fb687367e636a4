#include "auth/jwt.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/status.h"

/* 32 bytes of HMAC-SHA256 in unpadded base64url. */
#define SIG_B64_LEN 43

/* The header Appwrite's library writes: `typ` first, then the enforced `alg`. */
static const char header_json[] = "{\"typ\":\"JWT\",\"alg\":\"HS256\"}";

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t cw__b64_encode_raw(char *dst, const void *src, size_t len, bool url)
{
    const unsigned char *s = src;
    const char *abc = url ? b64_url : b64_std;
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        dst[o++] = abc[v >> 18];
        dst[o++] = abc[(v >> 12) & 63];
        dst[o++] = abc[(v >> 6) & 63];
        dst[o++] = abc[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        dst[o++] = abc[v >> 18];
        dst[o++] = abc[(v >> 12) & 63];
        if (!url) {
            dst[o++] = '=';
            dst[o++] = '=';
        }
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        dst[o++] = abc[v >> 18];
        dst[o++] = abc[(v >> 12) & 63];
        dst[o++] = abc[(v >> 6) & 63];
        if (!url)
            dst[o++] = '=';
    }
    return o;
}

void cw__b64_encode(cw_buf_t *out, const void *src, size_t len, bool url)
{
    cw_buf_reserve(out, CW__B64_ENCODED_LEN(len));
    out->len += cw__b64_encode_raw(out->ptr + out->len, src, len, url);
    out->ptr[out->len] = '\0';
}

/* The 6-bit value of c in the chosen alphabet, or -1. */
static int b64_value(unsigned char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

int cw__b64_decode(cw_str_t in, bool url, unsigned char *out, size_t cap, size_t *out_len)
{
    const unsigned char *p = (const unsigned char *)in.ptr;
    size_t n = in.len;
    if (n > 0 && p == NULL)
        return CW_EINVAL;
    if (!url) {
        size_t pad = 0;
        while (n > 0 && pad < 2 && p[n - 1] == '=') {
            n--;
            pad++;
        }
        if (pad > 0 && (n + pad) % 4 != 0)
            return CW_EINVAL;
    }
    if (n % 4 == 1)
        return CW_EINVAL;
    size_t need = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
    if (need > cap)
        return CW_EINVAL;
    size_t o = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        int a = b64_value(p[i], url), b = b64_value(p[i + 1], url);
        int c = b64_value(p[i + 2], url), d = b64_value(p[i + 3], url);
        if ((a | b | c | d) < 0)
            return CW_EINVAL;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        out[o++] = (unsigned char)(v >> 16);
        out[o++] = (unsigned char)(v >> 8);
        out[o++] = (unsigned char)v;
    }
    if (n - i == 2) {
        int a = b64_value(p[i], url), b = b64_value(p[i + 1], url);
        /* The last character's low four bits fall outside the byte: they must be zero. */
        if ((a | b) < 0 || (b & 15) != 0)
            return CW_EINVAL;
        out[o++] = (unsigned char)(a << 2 | b >> 4);
    } else if (n - i == 3) {
        int a = b64_value(p[i], url), b = b64_value(p[i + 1], url), c = b64_value(p[i + 2], url);
        if ((a | b | c) < 0 || (c & 3) != 0)
            return CW_EINVAL;
        uint32_t v = (uint32_t)a << 12 | (uint32_t)b << 6 | (uint32_t)c;
        out[o++] = (unsigned char)(v >> 10);
        out[o++] = (unsigned char)(v >> 2);
    }
    *out_len = o;
    return 0;
}

const char *cw_jwt_error_message(cw_jwt_error_t e)
{
    switch (e) {
    case CW_JWT_OK:
        return "";
    case CW_JWT_SEGMENTS:
        return "Invalid token: Incomplete segments";
    case CW_JWT_MALFORMED:
        return "Invalid token: Malformed";
    case CW_JWT_JSON:
        return "JSON failed: Syntax error";
    case CW_JWT_ALG_MISSING:
        return "Invalid token: Missing header algo";
    case CW_JWT_ALG_UNSUPPORTED:
        return "Invalid token: Unsupported header algo";
    case CW_JWT_KID_UNKNOWN:
        return "Invalid token: Unknown key ID";
    case CW_JWT_SIGNATURE:
        return "Invalid token: Signature failed";
    case CW_JWT_CLAIMS:
        return "Invalid token: Invalid claims";
    case CW_JWT_EXPIRED:
        return "Invalid token: Expired";
    case CW_JWT_NOT_YET:
        return "Invalid token: Not now";
    }
    return "Invalid token";
}

/* HMAC-SHA256 of data under key, written as unpadded base64url with a NUL. */
static int jwt_sign(cw_str_t key, const char *data, size_t len, char sig[SIG_B64_LEN + 1])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (key.len == 0 || key.len > INT_MAX)
        return CW_EINVAL;
    if (HMAC(EVP_sha256(), key.ptr, (int)key.len, (const unsigned char *)data, len, mac,
             &mac_len) == NULL ||
        mac_len != 32)
        return CW_EINVAL;
    size_t n = cw__b64_encode_raw(sig, mac, mac_len, true);
    sig[n] = '\0';
    OPENSSL_cleanse(mac, sizeof(mac));
    return n == SIG_B64_LEN ? 0 : CW_EINVAL;
}

/* Appends header.payload.signature for the payload JSON text. */
static int jwt_assemble(cw_str_t key, const char *payload, size_t len, cw_buf_t *out)
{
    size_t start = out->len;
    char sig[SIG_B64_LEN + 1];
    cw__b64_encode(out, header_json, sizeof(header_json) - 1, true);
    cw_buf_append_char(out, '.');
    cw__b64_encode(out, payload, len, true);
    if (jwt_sign(key, out->ptr + start, out->len - start, sig) != 0) {
        out->len = start;
        out->ptr[start] = '\0';
        return CW_EINVAL;
    }
    cw_buf_append_char(out, '.');
    cw_buf_append(out, sig, SIG_B64_LEN);
    return 0;
}

int cw_jwt_encode(cw_str_t key, const json_t *payload, int64_t now, int64_t max_age, cw_buf_t *out)
{
    int rc = CW_EINVAL;
    json_t *claims = NULL;
    char *text = NULL;
    if (key.len == 0 || !json_is_object(payload) || max_age < 1)
        goto out;
    claims = json_deep_copy(payload);
    if (claims == NULL)
        goto out;
    if (json_object_get(claims, "iat") == NULL && json_object_get(claims, "exp") == NULL) {
        if (now > INT64_MAX - max_age)
            goto out;
        json_object_set_new(claims, "exp", json_integer(now + max_age));
    }
    /* Compact, ASCII-only, slashes as they are: PHP's json_encode with JSON_UNESCAPED_SLASHES. */
    text = json_dumps(claims, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (text == NULL)
        goto out;
    rc = jwt_assemble(key, text, strlen(text), out);
out:
    free(text);
    json_decref(claims);
    return rc;
}

/* Decodes one base64url segment and parses it as a JSON object. */
static cw_jwt_error_t jwt_segment_json(cw_str_t seg, json_t **obj)
{
    unsigned char stack[512];
    unsigned char *bytes = stack;
    size_t cap = seg.len / 4 * 3 + 3, len = 0;
    cw_jwt_error_t why = CW_JWT_MALFORMED;
    *obj = NULL;
    if (cap > sizeof(stack))
        bytes = cw_malloc(cap);
    if (cw__b64_decode(seg, true, bytes, cap, &len) != 0)
        goto out;
    why = CW_JWT_JSON;
    *obj = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES, NULL);
    if (*obj == NULL)
        goto out;
    if (!json_is_object(*obj)) {
        json_decref(*obj);
        *obj = NULL;
        goto out;
    }
    why = CW_JWT_OK;
out:
    if (bytes != stack)
        free(bytes);
    return why;
}

/* Reads an optional integer claim: 1 when there, 0 when absent, -1 when of another type. */
static int jwt_claim_int(const json_t *claims, const char *name, int64_t *v)
{
    const json_t *j = json_object_get(claims, name);
    if (j == NULL)
        return 0;
    if (!json_is_integer(j))
        return -1;
    *v = (int64_t)json_integer_value(j);
    return 1;
}

static cw_jwt_error_t jwt_check_times(const json_t *claims, int64_t now, int64_t max_age)
{
    int64_t exp = 0, iat = 0, nbf = 0, limit;
    int has_exp = jwt_claim_int(claims, "exp", &exp);
    int has_iat = jwt_claim_int(claims, "iat", &iat);
    int has_nbf = jwt_claim_int(claims, "nbf", &nbf);
    /* Every token this server signs carries exp; one without would never expire. */
    if (has_exp != 1 || has_iat < 0 || has_nbf < 0)
        return CW_JWT_CLAIMS;
    if (now >= exp)
        return CW_JWT_EXPIRED;
    if (has_iat == 1 && (__builtin_add_overflow(iat, max_age, &limit) || now >= limit))
        return CW_JWT_EXPIRED;
    if (has_nbf == 1 && now < nbf)
        return CW_JWT_NOT_YET;
    return CW_JWT_OK;
}

static cw_jwt_error_t jwt_check_header(const json_t *header)
{
    const json_t *alg = json_object_get(header, "alg");
    if (alg == NULL || (json_is_string(alg) && json_string_length(alg) == 0))
        return CW_JWT_ALG_MISSING;
    if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256") != 0 ||
        json_string_length(alg) != 5)
        return CW_JWT_ALG_UNSUPPORTED;
    if (json_object_get(header, "kid") != NULL)
        return CW_JWT_KID_UNKNOWN;
    /* Extensions that must be understood: this reader understands none. */
    if (json_object_get(header, "crit") != NULL)
        return CW_JWT_MALFORMED;
    return CW_JWT_OK;
}

int cw_jwt_decode(cw_str_t key, cw_str_t token, int64_t now, int64_t max_age, json_t **payload,
                  cw_jwt_error_t *why)
{
    cw_jwt_error_t err = CW_JWT_MALFORMED;
    json_t *header = NULL, *claims = NULL;
    const char *end, *d1, *d2;
    char sig[SIG_B64_LEN + 1];
    cw_str_t h, p, s;
    if (payload != NULL)
        *payload = NULL;
    if (key.len == 0 || max_age < 1 || token.len == 0 || token.ptr == NULL ||
        token.len > CW_JWT_MAX_LEN)
        goto out;
    end = token.ptr + token.len;
    d1 = memchr(token.ptr, '.', token.len);
    d2 = d1 == NULL ? NULL : memchr(d1 + 1, '.', (size_t)(end - d1 - 1));
    err = CW_JWT_SEGMENTS;
    if (d2 == NULL || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) != NULL)
        goto out;
    h = (cw_str_t){token.ptr, (size_t)(d1 - token.ptr)};
    p = (cw_str_t){d1 + 1, (size_t)(d2 - d1 - 1)};
    s = (cw_str_t){d2 + 1, (size_t)(end - d2 - 1)};

    err = jwt_segment_json(h, &header);
    if (err != CW_JWT_OK)
        goto out;
    err = jwt_check_header(header);
    if (err != CW_JWT_OK)
        goto out;
    /* Compare the text of the signature: there is one canonical spelling of the 32 bytes. */
    err = CW_JWT_SIGNATURE;
    if (jwt_sign(key, token.ptr, (size_t)(d2 - token.ptr), sig) != 0 || s.len != SIG_B64_LEN ||
        CRYPTO_memcmp(sig, s.ptr, SIG_B64_LEN) != 0)
        goto out;
    err = jwt_segment_json(p, &claims);
    if (err != CW_JWT_OK)
        goto out;
    err = jwt_check_times(claims, now, max_age);
    if (err != CW_JWT_OK)
        goto out;
    if (payload != NULL) {
        *payload = claims;
        claims = NULL;
    }
out:
    json_decref(header);
    json_decref(claims);
    if (why != NULL)
        *why = err;
    return err == CW_JWT_OK ? 0 : CW_EINVAL;
}

int cw_jwt_account_encode(cw_str_t key, cw_str_t user_id, cw_str_t session_id, int64_t now,
                          int64_t duration, cw_buf_t *out)
{
    if (!cw_id_valid(user_id, CW_ID_MAX_LEN) ||
        (session_id.len > 0 && !cw_id_valid(session_id, CW_ID_MAX_LEN)) || key.len == 0 ||
        duration < 1 || now > INT64_MAX - duration)
        return CW_EINVAL;
    /* The IDs need no escaping ([A-Za-z0-9._-]), so the payload is written as PHP writes it. */
    cw_buf_t text = CW_BUF_INIT;
    cw_buf_printf(&text, "{\"userId\":\"%.*s\",\"sessionId\":\"%.*s\",\"exp\":%lld}",
                  (int)user_id.len, user_id.ptr, (int)session_id.len, session_id.ptr,
                  (long long)(now + duration));
    int rc = jwt_assemble(key, text.ptr, text.len, out);
    cw_buf_free(&text);
    return rc;
}

/* Copies an optional ID claim; absent gives "". */
static int jwt_claim_id(const json_t *claims, const char *name, char out[CW_ID_MAX_LEN + 1])
{
    const json_t *j = json_object_get(claims, name);
    out[0] = '\0';
    if (j == NULL)
        return 0;
    if (!json_is_string(j))
        return CW_EINVAL;
    cw_str_t v = {json_string_value(j), json_string_length(j)};
    if (v.len == 0)
        return 0;
    if (!cw_id_valid(v, CW_ID_MAX_LEN))
        return CW_EINVAL;
    memcpy(out, v.ptr, v.len);
    out[v.len] = '\0';
    return 0;
}

int cw_jwt_account_decode(cw_str_t key, cw_str_t token, int64_t now, cw_jwt_account_t *out,
                          cw_jwt_error_t *why)
{
    json_t *claims = NULL;
    cw_jwt_error_t err = CW_JWT_OK;
    out->user_id[0] = '\0';
    out->session_id[0] = '\0';
    if (cw_jwt_decode(key, token, now, CW_JWT_ACCOUNT_MAX_AGE, &claims, &err) != 0)
        goto out;
    if (jwt_claim_id(claims, "userId", out->user_id) != 0 ||
        jwt_claim_id(claims, "sessionId", out->session_id) != 0) {
        out->user_id[0] = '\0';
        out->session_id[0] = '\0';
        err = CW_JWT_CLAIMS;
    }
out:
    json_decref(claims);
    if (why != NULL)
        *why = err;
    return err == CW_JWT_OK ? 0 : CW_EINVAL;
}
