/* libFuzzer target: the JWT reader (cw_jwt_decode, cw_jwt_account_decode) and the strict base64
 * codec under it. Each input is used four ways:
 *   1. as a token: whatever is accepted has three segments, an HS256 header, an integer exp after
 *      now, and a signature that an independent HMAC agrees with;
 *   2. as "header\npayload" JSON texts that the target signs itself, so the fuzzer reaches the
 *      header and claim checks the signature otherwise stands in front of: accepted means the
 *      header says alg HS256 with no kid or crit, and the claims hold an integer exp after now;
 *   3. as two IDs for an account token: if they encode, they decode back unchanged;
 *   4. as base64 in either alphabet: what decodes re-encodes to the same text (one spelling per
 *      byte string).
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1700000000
static const char key_bytes[] = "fuzz-key";
#define KEY ((cw_str_t){key_bytes, sizeof(key_bytes) - 1})

static size_t count_char(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

/* The claims of an accepted token: an object whose exp is an integer after now. */
static void check_claims(const json_t *claims)
{
    if (!json_is_object(claims))
        abort();
    const json_t *exp = json_object_get(claims, "exp");
    if (!json_is_integer(exp) || json_integer_value(exp) <= NOW)
        abort();
}

static void check_header_text(const char *text, size_t len)
{
    json_t *h = json_loadb(text, len, 0, NULL);
    const json_t *alg = json_object_get(h, "alg");
    if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256") != 0 ||
        json_object_get(h, "kid") != NULL || json_object_get(h, "crit") != NULL)
        abort();
    json_decref(h);
}

static void as_token(const char *s, size_t size)
{
    json_t *claims = NULL;
    cw_jwt_error_t why = CW_JWT_OK;
    int rc = cw_jwt_decode(KEY, (cw_str_t){s, size}, NOW, 3600, &claims, &why);
    if ((rc == 0) != (why == CW_JWT_OK) || (rc == 0) != (claims != NULL))
        abort();
    if (rc != 0)
        return;
    if (count_char(s, size, '.') != 2)
        abort();
    check_claims(claims);
    json_decref(claims);
    /* The signature, recomputed here over header.payload. */
    const char *last = memrchr(s, '.', size);
    unsigned char mac[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), KEY.ptr, (int)KEY.len, (const unsigned char *)s, (size_t)(last - s), mac,
         &n);
    char sig[64];
    size_t sl = cw__b64_encode_raw(sig, mac, n, true);
    if (sl != size - (size_t)(last - s) - 1 || memcmp(sig, last + 1, sl) != 0)
        abort();
    cw_jwt_account_t acc;
    if (cw_jwt_account_decode(KEY, (cw_str_t){s, size}, NOW, &acc, &why) == 0 &&
        (strlen(acc.user_id) > CW_ID_MAX_LEN || strlen(acc.session_id) > CW_ID_MAX_LEN))
        abort();
}

static void as_signed_texts(const char *s, size_t size)
{
    const char *nl = memchr(s, '\n', size);
    if (nl == NULL)
        return;
    size_t hl = (size_t)(nl - s), pl = size - hl - 1;
    cw_buf_t tok = CW_BUF_INIT;
    cw__b64_encode(&tok, s, hl, true);
    cw_buf_append_char(&tok, '.');
    cw__b64_encode(&tok, nl + 1, pl, true);
    unsigned char mac[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), KEY.ptr, (int)KEY.len, (const unsigned char *)tok.ptr, tok.len, mac, &n);
    cw_buf_append_char(&tok, '.');
    cw__b64_encode(&tok, mac, n, true);
    json_t *claims = NULL;
    if (cw_jwt_decode(KEY, cw_buf_str(&tok), NOW, 3600, &claims, NULL) == 0) {
        if (tok.len > CW_JWT_MAX_LEN)
            abort();
        check_header_text(s, hl);
        check_claims(claims);
        json_t *again = json_loadb(nl + 1, pl, 0, NULL);
        if (!json_equal(again, claims))
            abort();
        json_decref(again);
    }
    json_decref(claims);
    cw_buf_free(&tok);
}

static void as_ids(const char *s, size_t size)
{
    if (size < 1)
        return;
    size_t split = (unsigned char)s[0] % size;
    cw_str_t user = {s + 1, split > 0 ? split - 1 : 0};
    cw_str_t session = {s + 1 + user.len, size - 1 - user.len};
    cw_buf_t tok = CW_BUF_INIT;
    if (cw_jwt_account_encode(KEY, user, session, NOW, 900, &tok) == 0) {
        cw_jwt_account_t acc;
        if (cw_jwt_account_decode(KEY, cw_buf_str(&tok), NOW, &acc, NULL) != 0 ||
            !cw_str_eq_cstr(user, acc.user_id) || !cw_str_eq_cstr(session, acc.session_id))
            abort();
        /* One second too late, it has expired. */
        if (cw_jwt_account_decode(KEY, cw_buf_str(&tok), NOW + 900, &acc, NULL) == 0)
            abort();
    }
    cw_buf_free(&tok);
}

static void as_base64(const char *s, size_t size)
{
    unsigned char *out = malloc(size + 1);
    size_t n = 0;
    for (int url = 0; url <= 1; url++) {
        if (cw__b64_decode((cw_str_t){s, size}, url, out, size, &n) != 0)
            continue;
        cw_buf_t again = CW_BUF_INIT;
        cw__b64_encode(&again, out, n, url);
        size_t body = size;
        while (!url && body > 0 && s[body - 1] == '=')
            body--;
        size_t abody = again.len;
        while (!url && abody > 0 && again.ptr[abody - 1] == '=')
            abody--;
        if (body != abody || (body > 0 && memcmp(again.ptr, s, body) != 0))
            abort();
        cw_buf_free(&again);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan sees any read past the end. */
    char *s = malloc(size + 1);
    if (size > 0)
        memcpy(s, data, size);
    as_token(s, size);
    as_signed_texts(s, size);
    as_ids(s, size);
    as_base64(s, size);
    free(s);
    return 0;
}
