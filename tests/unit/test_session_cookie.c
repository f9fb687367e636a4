/* Unit tests for auth/session_cookie: the a_session_<project> value and X-Fallback-Cookies.
 *
 * The expected cookie values are base64 of PHP-compact JSON, computed with python3 (json.dumps
 * with separators (",", ":") and base64.b64encode).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/jwt.h"
#include "auth/session_cookie.h"
#include "core/status.h"

/* 256 hex digits, the shape of Appwrite's session secrets. */
#define SECRET64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SECRET SECRET64 SECRET64 SECRET64 SECRET64

static const char cookie_user1[] =
    "eyJpZCI6InVzZXItMSIsInNlY3JldCI6IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2"
    "RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIz"
    "NDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OW"
    "FiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYi"
    "fQ==";

static const char cookie_id20[] =
    "eyJpZCI6IjY2NTVhYTBiMDAxZDJmM2M5ZTQxIiwic2VjcmV0IjoiMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZW"
    "YwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1"
    "Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYm"
    "NkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEy"
    "MzQ1Njc4OWFiY2RlZiJ9";

/* base64 of arbitrary JSON text, for the refusals. */
static void b64_of(cw_buf_t *out, const char *json)
{
    cw_buf_reset(out);
    cw__b64_encode(out, json, strlen(json), false);
}

static void test_name(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_session_cookie_name(CW_STR_LIT("6655aa0b001d2f3c9e41"), &b);
    assert_string_equal(b.ptr, "a_session_6655aa0b001d2f3c9e41");
    cw_buf_reset(&b);
    cw_session_cookie_name(CW_STR_LIT("console"), &b);
    assert_string_equal(b.ptr, "a_session_console");
    cw_buf_free(&b);
}

static void test_encode(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    assert_int_equal(cw_session_cookie_encode(CW_STR_LIT("user-1"), CW_STR_LIT(SECRET), &b), 0);
    assert_string_equal(b.ptr, cookie_user1);
    cw_buf_reset(&b);
    assert_int_equal(
        cw_session_cookie_encode(CW_STR_LIT("6655aa0b001d2f3c9e41"), CW_STR_LIT(SECRET), &b), 0);
    assert_string_equal(b.ptr, cookie_id20);
    cw_buf_reset(&b);
    /* What it refuses to write, it would refuse to read. */
    assert_int_equal(cw_session_cookie_encode(CW_STR_LIT("_u"), CW_STR_LIT("ab"), &b), CW_EINVAL);
    assert_int_equal(cw_session_cookie_encode(CW_STR_LIT("u"), CW_STR_LIT(""), &b), CW_EINVAL);
    assert_int_equal(cw_session_cookie_encode(CW_STR_LIT("u"), CW_STR_LIT("a\"b"), &b), CW_EINVAL);
    assert_int_equal(cw_session_cookie_encode(CW_STR_LIT(""), CW_STR_LIT("ab"), &b), CW_EINVAL);
    assert_int_equal(cw_session_cookie_encode(CW_STR_LIT("u"), CW_STR_LIT(SECRET SECRET "0"), &b),
                     CW_EINVAL);
    assert_int_equal(b.len, 0);
    cw_buf_free(&b);
}

static void test_decode(void **state)
{
    cw_session_cookie_t c;
    assert_int_equal(cw_session_cookie_decode(cw_str(cookie_user1), &c), 0);
    assert_string_equal(c.id, "user-1");
    assert_string_equal(c.secret, SECRET);
    assert_int_equal(cw_session_cookie_decode(cw_str(cookie_id20), &c), 0);
    assert_string_equal(c.id, "6655aa0b001d2f3c9e41");
    /* PHP reads base64 without its padding too. */
    assert_int_equal(
        cw_session_cookie_decode((cw_str_t){cookie_user1, strlen(cookie_user1) - 2}, &c), 0);
    assert_string_equal(c.id, "user-1");
    /* A slice: what follows is not read. */
    char longer[sizeof(cookie_id20) + 8];
    snprintf(longer, sizeof(longer), "%s; x=1", cookie_id20);
    assert_int_equal(cw_session_cookie_decode((cw_str_t){longer, strlen(cookie_id20)}, &c), 0);

    /* Round trip at the bounds. */
    cw_buf_t b = CW_BUF_INIT;
    assert_int_equal(cw_session_cookie_encode(CW_STR_LIT("abcdefghijklmnopqrstuvwxyz0123456789"),
                                              CW_STR_LIT(SECRET SECRET), &b),
                     0);
    assert_true(b.len <= CW_SESSION_COOKIE_MAX);
    assert_int_equal(cw_session_cookie_decode(cw_buf_str(&b), &c), 0);
    assert_string_equal(c.id, "abcdefghijklmnopqrstuvwxyz0123456789");
    assert_string_equal(c.secret, SECRET SECRET);
    cw_buf_free(&b);
}

static void test_decode_refusals(void **state)
{
    cw_session_cookie_t c;
    cw_buf_t b = CW_BUF_INIT;
    /* The encoding: empty, padding alone, a lone digit, whitespace, a wrong amount of padding. */
    static const char *const raw[] = {"",
                                      "=",
                                      "eyJ",
                                      "e",
                                      " eyJpZCI6InUiLCJzZWNyZXQiOiJzIn0=",
                                      "eyJpZCI6InUiLCJzZWNyZXQiOiJzIn0=\n",
                                      "eyJpZCI6InUiLCJzZWNyZXQiOiJzIn0==",
                                      "eyJpZCI6InUiLCJzZWNyZXQiOiJzIn1="};
    for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
        assert_int_equal(cw_session_cookie_decode(cw_str(raw[i]), &c), CW_EINVAL);
        assert_string_equal(c.id, "");
        assert_string_equal(c.secret, "");
    }
    /* Unpadded is fine (PHP reads it). */
    assert_int_equal(cw_session_cookie_decode(CW_STR_LIT("eyJpZCI6InUiLCJzZWNyZXQiOiJzIn0"), &c),
                     0);
    assert_string_equal(c.id, "u");
    assert_string_equal(c.secret, "s");
    /* The JSON. */
    static const char *const json[] = {
        "{\"id\":\"u\"}",
        "{\"secret\":\"s\"}",
        "{\"id\":\"u\",\"secret\":\"s\",\"x\":1}",
        "{\"id\":\"u\",\"secret\":\"s\",\"id\":\"v\"}",
        "{\"id\":1,\"secret\":\"s\"}",
        "{\"id\":\"u\",\"secret\":[\"s\"]}",
        "{\"id\":\"\",\"secret\":\"s\"}",
        "{\"id\":\"u\",\"secret\":\"\"}",
        "{\"id\":\"_u\",\"secret\":\"s\"}",
        "{\"id\":\"u\",\"secret\":\"s-1\"}",
        "{\"id\":\"u\",\"secret\":\"s\\u0000\"}",
        "{\"id\":\"u234567890123456789012345678901234567\",\"secret\":\"s\"}",
        "[\"u\",\"s\"]",
        "\"u\"",
        "{\"id\":\"u\",\"secret\":\"s\"",
        "{\"id\":\"u\",\"secret\":\"s\"} x",
        "",
    };
    for (size_t i = 0; i < sizeof(json) / sizeof(json[0]); i++) {
        b64_of(&b, json[i]);
        assert_int_equal(cw_session_cookie_decode(cw_buf_str(&b), &c), CW_EINVAL);
    }
    /* Whitespace between tokens is JSON, and fine. */
    b64_of(&b, " { \"secret\" : \"s\" , \"id\" : \"u\" } ");
    assert_int_equal(cw_session_cookie_decode(cw_buf_str(&b), &c), 0);
    /* Secrets over the bound, and values over the size limit. */
    b64_of(&b, "{\"id\":\"u\",\"secret\":\"" SECRET SECRET "a\"}");
    assert_int_equal(cw_session_cookie_decode(cw_buf_str(&b), &c), CW_EINVAL);
    char *big = malloc(CW_SESSION_COOKIE_MAX + 4);
    memset(big, 'A', CW_SESSION_COOKIE_MAX + 4);
    assert_int_equal(cw_session_cookie_decode((cw_str_t){big, CW_SESSION_COOKIE_MAX + 4}, &c),
                     CW_EINVAL);
    free(big);
    cw_buf_free(&b);
}

static void test_fallback(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_session_fallback_encode(CW_STR_LIT("a_session_p1"), CW_STR_LIT("ab/cd+=="), &b);
    assert_string_equal(b.ptr, "{\"a_session_p1\":\"ab\\/cd+==\"}");
    cw_buf_reset(&b);
    cw_session_fallback_encode(CW_STR_LIT("a_session_p1"), CW_STR_NULL, &b);
    assert_string_equal(b.ptr, "[]");
    cw_buf_reset(&b);

    cw_session_cookie_t c;
    cw_session_fallback_encode(CW_STR_LIT("a_session_p1"), cw_str(cookie_user1), &b);
    assert_int_equal(cw_session_fallback_decode(cw_buf_str(&b), CW_STR_LIT("a_session_p1"), &c), 0);
    assert_string_equal(c.id, "user-1");
    assert_string_equal(c.secret, SECRET);
    /* The name as a slice of a longer string. */
    assert_int_equal(
        cw_session_fallback_decode(cw_buf_str(&b), (cw_str_t){"a_session_p1_legacy", 12}, &c), 0);
    /* Another project's cookie beside it, and escaped slashes in a value. */
    cw_buf_reset(&b);
    cw_buf_printf(&b, "{\"a_session_p0\":\"x\",\"a_session_p1\":\"%s\"}", cookie_id20);
    assert_int_equal(cw_session_fallback_decode(cw_buf_str(&b), CW_STR_LIT("a_session_p1"), &c), 0);
    assert_string_equal(c.id, "6655aa0b001d2f3c9e41");
    assert_int_equal(cw_session_fallback_decode(cw_buf_str(&b), CW_STR_LIT("a_session_p0"), &c),
                     CW_EINVAL);
    assert_int_equal(cw_session_fallback_decode(cw_buf_str(&b), CW_STR_LIT("a_session_p"), &c),
                     CW_EINVAL);
    assert_int_equal(cw_session_fallback_decode(cw_buf_str(&b), CW_STR_LIT(""), &c), CW_EINVAL);

    static const char *const bad[] = {
        "",
        "[]",
        "null",
        "\"a_session_p1\"",
        "{\"a_session_p1\":1}",
        "{\"a_session_p1\":null}",
        "{\"a_session_p1\":[\"eyJ\"]}",
        "{\"a_session_p1\":\"\"}",
        "{\"a_session_p1\":\"x\",\"a_session_p1\":\"y\"}",
        "{\"a_session_p1\":",
        "{}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cw_session_fallback_decode(cw_str(bad[i]), CW_STR_LIT("a_session_p1"), &c),
                         CW_EINVAL);
        assert_string_equal(c.id, "");
    }
    char *big = malloc(CW_SESSION_FALLBACK_MAX + 1);
    memset(big, ' ', CW_SESSION_FALLBACK_MAX + 1);
    memcpy(big, "{}", 2);
    assert_int_equal(cw_session_fallback_decode((cw_str_t){big, CW_SESSION_FALLBACK_MAX + 1},
                                                CW_STR_LIT("a_session_p1"), &c),
                     CW_EINVAL);
    free(big);
    cw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name),     cmocka_unit_test(test_encode),
        cmocka_unit_test(test_decode),   cmocka_unit_test(test_decode_refusals),
        cmocka_unit_test(test_fallback),
    };
    return cmocka_run_group_tests_name("session_cookie", tests, NULL, NULL);
}
