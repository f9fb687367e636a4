/* Unit tests for auth/totp: HOTP and TOTP against the RFC 4226 and RFC 6238 vectors, base32
 * against RFC 4648, secrets and the provisioning URI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/totp.h"

/* The SHA-1 key of both RFCs' appendices. */
static const uint8_t rfc_key[] = "12345678901234567890";
#define RFC_KEY_LEN 20

static void test_hotp_rfc4226(void **state)
{
    static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(cw_hotp(rfc_key, RFC_KEY_LEN, c, 6), want[c]);
}

static void test_totp_rfc6238(void **state)
{
    /* RFC 6238 Appendix B, SHA-1 rows: 8 digits there, and the last 6 of them here. */
    static const struct {
        int64_t t;
        uint32_t eight;
        const char *six;
    } rows[] = {
        {59, 94287082, "287082"},         {1111111109, 7081804, "081804"},
        {1111111111, 14050471, "050471"}, {1234567890, 89005924, "005924"},
        {2000000000, 69279037, "279037"}, {20000000000, 65353130, "353130"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char code[CW_TOTP_DIGITS + 1];
        assert_int_equal(cw_hotp(rfc_key, RFC_KEY_LEN, (uint64_t)rows[i].t / 30, 8), rows[i].eight);
        cw_totp_code(rfc_key, RFC_KEY_LEN, rows[i].t, code);
        assert_string_equal(code, rows[i].six);
    }
}

static void test_base32_rfc4648(void **state)
{
    static const struct {
        const char *plain, *enc;
    } rows[] = {
        {"", ""},
        {"f", "MY"},
        {"fo", "MZXQ"},
        {"foo", "MZXW6"},
        {"foob", "MZXW6YQ"},
        {"fooba", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        cw_buf_t b = CW_BUF_INIT;
        uint8_t out[16];
        size_t n = 99;
        cw_base32_encode((const uint8_t *)rows[i].plain, strlen(rows[i].plain), &b);
        assert_int_equal(b.len, strlen(rows[i].enc));
        assert_memory_equal(b.len > 0 ? b.ptr : "", rows[i].enc, b.len);
        cw_buf_free(&b);
        assert_int_equal(cw_base32_decode(cw_str(rows[i].enc), out, sizeof(out), &n), 0);
        assert_int_equal(n, strlen(rows[i].plain));
        assert_memory_equal(out, rows[i].plain, n);
    }
    uint8_t out[16];
    size_t n = 0;
    /* Padding, lower case. */
    assert_int_equal(cw_base32_decode(cw_str("mzxw6yq="), out, sizeof(out), &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "foob", 4);
    /* Refusals: alphabet, padding inside, leftover bits, an impossible length, room. */
    assert_int_equal(cw_base32_decode(cw_str("MZXW1"), out, sizeof(out), &n), -1);
    assert_int_equal(cw_base32_decode(cw_str("MZ=XW"), out, sizeof(out), &n), -1);
    assert_int_equal(cw_base32_decode(cw_str("MZ"), out, sizeof(out), &n), -1);
    assert_int_equal(cw_base32_decode(cw_str("MZXW6YR"), out, sizeof(out), &n), -1);
    assert_int_equal(cw_base32_decode(cw_str("M"), out, sizeof(out), &n), -1);
    assert_int_equal(cw_base32_decode(cw_str("MZXW6YTBOI"), out, 5, &n), -1);
    assert_int_equal(cw_base32_decode((cw_str_t){"MZ\0XW", 5}, out, sizeof(out), &n), -1);
}

static void test_secret(void **state)
{
    char a[CW_TOTP_SECRET_LEN + 1], b[CW_TOTP_SECRET_LEN + 1];
    uint8_t raw[CW_TOTP_SECRET_BYTES];
    size_t n = 0;
    cw_totp_secret_new(a);
    cw_totp_secret_new(b);
    assert_int_equal(strlen(a), 103);
    assert_string_not_equal(a, b);
    for (const char *p = a; *p != '\0'; p++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", *p));
    assert_int_equal(cw_base32_decode(cw_str(a), raw, sizeof(raw), &n), 0);
    assert_int_equal(n, CW_TOTP_SECRET_BYTES);
}

static void test_verify(void **state)
{
    cw_buf_t s = CW_BUF_INIT;
    cw_base32_encode(rfc_key, RFC_KEY_LEN, &s);
    cw_str_t secret = cw_buf_str(&s);
    /* 59 s is in step 1; 60 s starts step 2. */
    assert_true(cw_totp_verify(secret, cw_str("287082"), 59, 0));
    assert_true(cw_totp_verify(secret, cw_str("287082"), 30, 0));
    assert_false(cw_totp_verify(secret, cw_str("287082"), 60, 0));
    assert_true(cw_totp_verify(secret, cw_str("287082"), 60, 1));
    assert_false(cw_totp_verify(secret, cw_str("287082"), 29, 0));
    assert_false(cw_totp_verify(secret, cw_str("28708"), 59, 0));
    assert_false(cw_totp_verify(secret, cw_str("2870820"), 59, 0));
    assert_false(cw_totp_verify(secret, cw_str(" 87082"), 59, 0));
    assert_false(cw_totp_verify(cw_str("not base32!"), cw_str("287082"), 59, 0));
    /* The lower-case spelling of a secret is the same secret. */
    char lower[64];
    for (size_t i = 0; i < s.len; i++)
        lower[i] = (char)(s.ptr[i] >= 'A' && s.ptr[i] <= 'Z' ? s.ptr[i] + 32 : s.ptr[i]);
    assert_true(cw_totp_verify((cw_str_t){lower, s.len}, cw_str("287082"), 59, 0));
    cw_buf_free(&s);
}

static void test_uri(void **state)
{
    cw_buf_t u = CW_BUF_INIT;
    /* The library's own expected URI for these inputs. */
    cw_totp_uri("My Project", "alice@foo.bar", "JDDK4U6G3BJLEZ7Y", &u);
    assert_string_equal(u.ptr, "otpauth://totp/My%20Project%3Aalice%40foo.bar?issuer=My%20Project"
                               "&secret=JDDK4U6G3BJLEZ7Y");
    cw_buf_reset(&u);
    cw_totp_uri("", "My Test - Auth", "JDDK4U6G3BJLEQ", &u);
    assert_string_equal(u.ptr, "otpauth://totp/My%20Test%20-%20Auth?secret=JDDK4U6G3BJLEQ");
    cw_buf_reset(&u);
    cw_totp_uri("A&B~c/é", "x+y@z", "AA", &u);
    assert_string_equal(u.ptr, "otpauth://totp/A%26B~c%2F%C3%A9%3Ax%2By%40z?issuer=A%26B~c%2F%C3%A9"
                               "&secret=AA");
    cw_buf_free(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hotp_rfc4226),   cmocka_unit_test(test_totp_rfc6238),
        cmocka_unit_test(test_base32_rfc4648), cmocka_unit_test(test_secret),
        cmocka_unit_test(test_verify),         cmocka_unit_test(test_uri),
    };
    return cmocka_run_group_tests_name("totp", tests, NULL, NULL);
}
