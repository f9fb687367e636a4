/* Unit tests for auth/jwt: the strict base64 codec, and HS256 tokens as Appwrite issues them.
 *
 * Where the expected values come from:
 * - RFC 7515 appendix A.1: the HS256 example token and its key.
 * - The account token: built with python3 (hmac, base64, json with PHP's compact separators)
 *   from key "cwrite-unit-test-key", {"typ":"JWT","alg":"HS256"} and {"userId":
 *   "6655aa0b001d2f3c9e41","sessionId":"6655aa0c0012f4b1a7c3","exp":1700000900}, and read back
 *   with python3's joserfc.
 * Tokens for the refusals are signed here with OpenSSL's HMAC directly, not through jwt.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/jwt.h"
#include "core/status.h"

#define KEY CW_STR_LIT("cwrite-unit-test-key")

static const char account_token[] =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."
    "eyJ1c2VySWQiOiI2NjU1YWEwYjAwMWQyZjNjOWU0MSIsInNlc3Npb25JZCI6IjY2NTVhYTBjMDAxMmY0YjFhN2MzIiwi"
    "ZXhwIjoxNzAwMDAwOTAwfQ.yEftTMKTQTDqvAH7Kx4fh8A_Q-YF5pIxWFWTR_vrtN4";

/* header.payload.signature from raw JSON texts, signed with key. */
static void sign(cw_buf_t *out, const char *header, const char *payload, cw_str_t key)
{
    unsigned char mac[32];
    unsigned int n = 0;
    cw_buf_reset(out);
    cw__b64_encode(out, header, strlen(header), true);
    cw_buf_append_char(out, '.');
    cw__b64_encode(out, payload, strlen(payload), true);
    assert_non_null(HMAC(EVP_sha256(), key.ptr, (int)key.len, (const unsigned char *)out->ptr,
                         out->len, mac, &n));
    cw_buf_append_char(out, '.');
    cw__b64_encode(out, mac, n, true);
}

static cw_jwt_error_t decode_err(const char *token, int64_t now)
{
    cw_jwt_error_t why = CW_JWT_OK;
    json_t *payload = (json_t *)1;
    int rc = cw_jwt_decode(KEY, cw_str(token), now, 3600, &payload, &why);
    assert_null(payload);
    assert_int_equal(rc, why == CW_JWT_OK ? 0 : CW_EINVAL);
    assert_int_not_equal(why, CW_JWT_OK);
    return why;
}

static void test_b64(void **state)
{
    unsigned char in[64], out[64];
    size_t n;
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof(in); len++) {
        for (int url = 0; url <= 1; url++) {
            cw_buf_t b = CW_BUF_INIT;
            cw__b64_encode(&b, in, len, url);
            if (url) {
                assert_null(memchr(b.ptr == NULL ? "" : b.ptr, '=', b.len));
                assert_int_equal(b.len, (len * 4 + 2) / 3);
            } else {
                assert_int_equal(b.len, CW__B64_ENCODED_LEN(len));
            }
            assert_int_equal(cw__b64_decode(cw_buf_str(&b), url, out, sizeof(out), &n), 0);
            assert_int_equal(n, len);
            assert_memory_equal(out, in, len);
            /* Too small an output is refused, not overrun. */
            if (len > 0)
                assert_int_equal(cw__b64_decode(cw_buf_str(&b), url, out, len - 1, &n), CW_EINVAL);
            cw_buf_free(&b);
        }
    }
    assert_int_equal(cw__b64_decode(CW_STR_LIT("+/+/"), false, out, sizeof(out), &n), 0);
    assert_int_equal(cw__b64_decode(CW_STR_LIT("-_-_"), true, out, sizeof(out), &n), 0);
    assert_memory_equal(out, "\xfb\xff\xbf", 3);
    /* Standard base64: padding is optional, but must be right when there. */
    assert_int_equal(cw__b64_decode(CW_STR_LIT("QQ=="), false, out, sizeof(out), &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(cw__b64_decode(CW_STR_LIT("QQ"), false, out, sizeof(out), &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(cw__b64_decode(CW_STR_LIT("QUI="), false, out, sizeof(out), &n), 0);
    assert_int_equal(n, 2);
    static const char *const bad_std[] = {
        "QQ=",  "QQ===", "Q===",  "QUI==",  "QQ==QQ==", "Q",     "QUJDR",
        "QR==", "QUJ=",  "QU I=", "QUI=\n", "-_-_",     "QUJD\0"};
    for (size_t i = 0; i < sizeof(bad_std) / sizeof(bad_std[0]); i++) {
        size_t len = strlen(bad_std[i]) + (i == sizeof(bad_std) / sizeof(bad_std[0]) - 1);
        assert_int_equal(cw__b64_decode((cw_str_t){bad_std[i], len}, false, out, sizeof(out), &n),
                         CW_EINVAL);
    }
    static const char *const bad_url[] = {"QQ==", "QQ=", "+/+/", "QR", "QUJ", "Q", " QUI"};
    for (size_t i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++)
        assert_int_equal(cw__b64_decode(cw_str(bad_url[i]), true, out, sizeof(out), &n), CW_EINVAL);
    assert_int_equal(cw__b64_decode(CW_STR_NULL, true, out, sizeof(out), &n), 0);
    assert_int_equal(n, 0);
}

static void test_account_encode(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    assert_int_equal(cw_jwt_account_encode(KEY, CW_STR_LIT("6655aa0b001d2f3c9e41"),
                                           CW_STR_LIT("6655aa0c0012f4b1a7c3"), 1700000000, 900, &b),
                     0);
    assert_string_equal(b.ptr, account_token);
    cw_buf_reset(&b);
    /* Invalid IDs, no key, no duration. */
    assert_int_equal(cw_jwt_account_encode(KEY, CW_STR_LIT("_x"), CW_STR_LIT("s"), 1, 900, &b),
                     CW_EINVAL);
    assert_int_equal(cw_jwt_account_encode(KEY, CW_STR_LIT("u"), CW_STR_LIT("_s"), 1, 900, &b),
                     CW_EINVAL);
    /* No session: a JWT bound to none, as users.createJWT makes for a user without sessions. */
    assert_int_equal(cw_jwt_account_encode(KEY, CW_STR_LIT("u"), CW_STR_LIT(""), 1, 900, &b), 0);
    assert_non_null(strstr(b.ptr, ".eyJ1c2VySWQiOiJ1Iiwic2Vzc2lvbklkIjoiIiwiZXhwIjo5MDF9."));
    cw_buf_reset(&b);
    assert_int_equal(
        cw_jwt_account_encode(CW_STR_LIT(""), CW_STR_LIT("u"), CW_STR_LIT("s"), 1, 900, &b),
        CW_EINVAL);
    assert_int_equal(cw_jwt_account_encode(KEY, CW_STR_LIT("u"), CW_STR_LIT("s"), 1, 0, &b),
                     CW_EINVAL);
    assert_int_equal(b.len, 0);
    cw_buf_free(&b);
}

static void test_account_decode(void **state)
{
    cw_jwt_account_t acc;
    cw_jwt_error_t why;
    assert_int_equal(cw_jwt_account_decode(KEY, cw_str(account_token), 1700000000, &acc, &why), 0);
    assert_int_equal(why, CW_JWT_OK);
    assert_string_equal(acc.user_id, "6655aa0b001d2f3c9e41");
    assert_string_equal(acc.session_id, "6655aa0c0012f4b1a7c3");
    assert_int_equal(cw_jwt_account_decode(KEY, cw_str(account_token), 1700000899, &acc, &why), 0);
    /* Expired at exp itself. */
    assert_int_equal(cw_jwt_account_decode(KEY, cw_str(account_token), 1700000900, &acc, &why),
                     CW_EINVAL);
    assert_int_equal(why, CW_JWT_EXPIRED);
    assert_string_equal(acc.user_id, "");
    assert_int_equal(cw_jwt_account_decode(CW_STR_LIT("another-key"), cw_str(account_token),
                                           1700000000, &acc, &why),
                     CW_EINVAL);
    assert_int_equal(why, CW_JWT_SIGNATURE);

    /* Round trip, a slice of a longer string. */
    cw_buf_t b = CW_BUF_INIT;
    assert_int_equal(cw_jwt_account_encode(KEY, CW_STR_LIT("u.1"), CW_STR_LIT("s-2"), 100, 60, &b),
                     0);
    cw_buf_append_str(&b, "trailing");
    assert_int_equal(cw_jwt_account_decode(KEY, (cw_str_t){b.ptr, b.len - 8}, 159, &acc, &why), 0);
    assert_string_equal(acc.user_id, "u.1");
    assert_string_equal(acc.session_id, "s-2");

    /* Claims: absent IDs are empty; wrong types or invalid IDs are refused. */
    const char *hdr = "{\"typ\":\"JWT\",\"alg\":\"HS256\"}";
    sign(&b, hdr, "{\"exp\":200}", KEY);
    assert_int_equal(cw_jwt_account_decode(KEY, cw_buf_str(&b), 100, &acc, &why), 0);
    assert_string_equal(acc.user_id, "");
    assert_string_equal(acc.session_id, "");
    static const char *const bad[] = {
        "{\"userId\":5,\"sessionId\":\"s\",\"exp\":200}",
        "{\"userId\":\"u\",\"sessionId\":null,\"exp\":200}",
        "{\"userId\":\"_u\",\"sessionId\":\"s\",\"exp\":200}",
        "{\"userId\":\"u\",\"sessionId\":\"s/1\",\"exp\":200}",
        "{\"userId\":\"u234567890123456789012345678901234567\",\"sessionId\":\"s\",\"exp\":200}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sign(&b, hdr, bad[i], KEY);
        assert_int_equal(cw_jwt_account_decode(KEY, cw_buf_str(&b), 100, &acc, &why), CW_EINVAL);
        assert_int_equal(why, CW_JWT_CLAIMS);
        assert_string_equal(acc.user_id, "");
    }
    cw_buf_free(&b);
}

static void test_rfc7515(void **state)
{
    static const char token[] =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cn"
        "VlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    static const char jwk_k[] =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    unsigned char key[64];
    size_t key_len;
    assert_int_equal(cw__b64_decode(CW_STR_LIT(jwk_k), true, key, sizeof(key), &key_len), 0);
    assert_int_equal(key_len, 64);
    cw_str_t k = {(const char *)key, key_len};
    json_t *payload = NULL;
    cw_jwt_error_t why;
    assert_int_equal(cw_jwt_decode(k, CW_STR_LIT(token), 1300819379, 3600, &payload, &why), 0);
    assert_string_equal(json_string_value(json_object_get(payload, "iss")), "joe");
    assert_true(json_is_true(json_object_get(payload, "http://example.com/is_root")));
    json_decref(payload);
    assert_int_equal(cw_jwt_decode(k, CW_STR_LIT(token), 1300819380, 3600, NULL, &why), CW_EINVAL);
    assert_int_equal(why, CW_JWT_EXPIRED);
}

static void test_encode_generic(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    json_t *in = json_pack("{s:s, s:[s,s]}", "projectId", "p1", "scopes", "users.read", "a/b");
    assert_int_equal(cw_jwt_encode(KEY, in, 1000, 86400, &b), 0);
    /* The caller's payload is not touched. */
    assert_null(json_object_get(in, "exp"));
    json_t *out = NULL;
    cw_jwt_error_t why;
    assert_int_equal(cw_jwt_decode(KEY, cw_buf_str(&b), 1000, 86400, &out, &why), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "exp")), 87400);
    assert_string_equal(json_string_value(json_object_get(out, "projectId")), "p1");
    assert_string_equal(json_string_value(json_array_get(json_object_get(out, "scopes"), 1)),
                        "a/b");
    json_decref(out);
    assert_int_equal(cw_jwt_decode(KEY, cw_buf_str(&b), 87400, 86400, NULL, &why), CW_EINVAL);
    assert_int_equal(why, CW_JWT_EXPIRED);
    /* An exp of the caller's is kept. */
    cw_buf_reset(&b);
    json_object_set_new(in, "exp", json_integer(5000));
    assert_int_equal(cw_jwt_encode(KEY, in, 1000, 60, &b), 0);
    assert_int_equal(cw_jwt_decode(KEY, cw_buf_str(&b), 4999, 60, &out, &why), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "exp")), 5000);
    json_decref(out);
    /* Refusals. */
    assert_int_equal(cw_jwt_encode(CW_STR_LIT(""), in, 1000, 60, &b), CW_EINVAL);
    assert_int_equal(cw_jwt_encode(KEY, in, 1000, 0, &b), CW_EINVAL);
    json_t *arr = json_array();
    assert_int_equal(cw_jwt_encode(KEY, arr, 1000, 60, &b), CW_EINVAL);
    assert_int_equal(cw_jwt_encode(KEY, NULL, 1000, 60, &b), CW_EINVAL);
    json_decref(arr);
    json_decref(in);
    cw_buf_free(&b);
}

static void test_refusals(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    const char *hdr = "{\"typ\":\"JWT\",\"alg\":\"HS256\"}";
    const char *claims = "{\"userId\":\"u\",\"sessionId\":\"s\",\"exp\":2000}";

    /* The algorithm: only HS256, never "none", whatever the signature. */
    assert_int_equal(decode_err("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VySWQiOiI2NjU1YWEwYjAwMW"
                                "QyZjNjOWU0MSIsInNlc3Npb25JZCI6IjY2NTVhYTBjMDAxMmY0YjFhN2MzIiwiZXh"
                                "wIjoxNzAwMDAwOTAwfQ.",
                                1000),
                     CW_JWT_ALG_UNSUPPORTED);
    static const char *const headers[] = {
        "{\"alg\":\"none\"}",  "{\"alg\":\"HS512\"}",   "{\"alg\":\"hs256\"}",
        "{\"alg\":\"RS256\"}", "{\"alg\":[\"HS256\"]}", "{\"alg\":\"HS256 \"}",
    };
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        sign(&b, headers[i], claims, KEY);
        assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_ALG_UNSUPPORTED);
    }
    sign(&b, "{\"typ\":\"JWT\"}", claims, KEY);
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_ALG_MISSING);
    sign(&b, "{\"alg\":\"\"}", claims, KEY);
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_ALG_MISSING);
    sign(&b, "{\"alg\":\"HS256\",\"kid\":\"k1\"}", claims, KEY);
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_KID_UNKNOWN);
    sign(&b, "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", claims, KEY);
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_MALFORMED);
    sign(&b, "{\"alg\":\"HS256\",\"alg\":\"HS256\"}", claims, KEY);
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_JSON);
    sign(&b, "[\"HS256\"]", claims, KEY);
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_JSON);
    sign(&b, "{\"alg\":\"HS256\"", claims, KEY);
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_JSON);
    /* An extra header member that means nothing to us is fine. */
    sign(&b, "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"x\":1}", claims, KEY);
    assert_int_equal(cw_jwt_decode(KEY, cw_buf_str(&b), 1000, 3600, NULL, NULL), 0);

    /* The payload, checked only once signed. */
    static const struct {
        const char *payload;
        cw_jwt_error_t why;
    } payloads[] = {
        {"{\"exp\":999}", CW_JWT_EXPIRED},
        {"{\"exp\":1000}", CW_JWT_EXPIRED},
        {"{\"userId\":\"u\"}", CW_JWT_CLAIMS},
        {"{\"exp\":\"2000\"}", CW_JWT_CLAIMS},
        {"{\"exp\":2000.5}", CW_JWT_CLAIMS},
        {"{\"exp\":2000,\"iat\":\"1\"}", CW_JWT_CLAIMS},
        {"{\"exp\":2000,\"nbf\":null}", CW_JWT_CLAIMS},
        {"{\"exp\":2000,\"iat\":-2600}", CW_JWT_EXPIRED},
        {"{\"exp\":2000,\"iat\":9223372036854775807}", CW_JWT_EXPIRED},
        {"{\"exp\":2000,\"nbf\":1001}", CW_JWT_NOT_YET},
        {"[2000]", CW_JWT_JSON},
        {"{\"exp\":2000,\"exp\":3000}", CW_JWT_JSON},
        {"{\"exp\":2000", CW_JWT_JSON},
        {"", CW_JWT_JSON},
    };
    for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
        sign(&b, hdr, payloads[i].payload, KEY);
        assert_int_equal(decode_err(b.ptr, 1000), payloads[i].why);
    }
    sign(&b, hdr, "{\"exp\":2000,\"iat\":-2599,\"nbf\":1000}", KEY);
    assert_int_equal(cw_jwt_decode(KEY, cw_buf_str(&b), 1000, 3600, NULL, NULL), 0);

    /* Segments and their encoding. */
    sign(&b, hdr, claims, KEY);
    char *good = strdup(b.ptr);
    size_t n = strlen(good);
    assert_int_equal(cw_jwt_decode(KEY, cw_str(good), 1000, 3600, NULL, NULL), 0);
    assert_int_equal(decode_err("", 1000), CW_JWT_MALFORMED);
    assert_int_equal(decode_err("abc", 1000), CW_JWT_SEGMENTS);
    assert_int_equal(decode_err("a.b", 1000), CW_JWT_SEGMENTS);
    cw_buf_reset(&b);
    cw_buf_append_str(&b, good);
    cw_buf_append_str(&b, ".x");
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_SEGMENTS);
    /* Padding, a tampered payload, a tampered or padded signature, a non-canonical one. */
    cw_buf_reset(&b);
    const char *dot = strchr(good, '.');
    cw_buf_append(&b, good, (size_t)(dot - good));
    cw_buf_append_str(&b, "=");
    cw_buf_append_str(&b, dot);
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_MALFORMED);
    char *t = strdup(good);
    t[strlen(t) - 50] ^= 1;
    assert_int_equal(decode_err(t, 1000), CW_JWT_SIGNATURE);
    strcpy(t, good);
    t[n - 1] = t[n - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(decode_err(t, 1000), CW_JWT_SIGNATURE);
    cw_buf_reset(&b);
    cw_buf_append_str(&b, good);
    cw_buf_append_str(&b, "=");
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_SIGNATURE);
    cw_buf_reset(&b);
    cw_buf_append(&b, good, n - 1);
    assert_int_equal(decode_err(b.ptr, 1000), CW_JWT_SIGNATURE);
    free(t);
    /* A header in the standard alphabet (where it differs) is not base64url. */
    sign(&b, "{\"alg\":\"HS256\",\"x\":\"\xfb\xff\"}", claims, KEY);
    t = strdup(b.ptr);
    int changed = 0;
    for (char *c = t; *c != '.'; c++) {
        if (*c == '-' || *c == '_') {
            *c = *c == '-' ? '+' : '/';
            changed++;
        }
    }
    assert_true(changed > 0);
    assert_int_equal(decode_err(t, 1000), CW_JWT_MALFORMED);
    free(t);

    /* Size and key. */
    char *big = malloc(CW_JWT_MAX_LEN + 2);
    memset(big, 'a', CW_JWT_MAX_LEN + 1);
    big[CW_JWT_MAX_LEN + 1] = '\0';
    assert_int_equal(decode_err(big, 1000), CW_JWT_MALFORMED);
    free(big);
    cw_jwt_error_t why;
    assert_int_equal(cw_jwt_decode(CW_STR_LIT(""), cw_str(good), 1000, 3600, NULL, &why),
                     CW_EINVAL);
    assert_int_equal(cw_jwt_decode(KEY, cw_str(good), 1000, 0, NULL, &why), CW_EINVAL);
    free(good);
    cw_buf_free(&b);
}

static void test_messages(void **state)
{
    assert_string_equal(cw_jwt_error_message(CW_JWT_EXPIRED), "Invalid token: Expired");
    assert_string_equal(cw_jwt_error_message(CW_JWT_SIGNATURE), "Invalid token: Signature failed");
    assert_string_equal(cw_jwt_error_message(CW_JWT_SEGMENTS),
                        "Invalid token: Incomplete segments");
    for (int e = CW_JWT_OK; e <= CW_JWT_NOT_YET; e++)
        assert_non_null(cw_jwt_error_message((cw_jwt_error_t)e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64),
        cmocka_unit_test(test_account_encode),
        cmocka_unit_test(test_account_decode),
        cmocka_unit_test(test_rfc7515),
        cmocka_unit_test(test_encode_generic),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests_name("jwt", tests, NULL, NULL);
}
