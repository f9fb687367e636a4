/* Unit tests for core/jsonw: the streaming writer must produce what PHP's json_encode produces for
 * Appwrite (unescaped Unicode, "\/", U+2028/9 escaped, U+FFFD for invalid UTF-8, doubles with the
 * shortest digits and ".0" on integral values). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>

#include "core/jsonw.h"

static void check_escape_n(const char *s, size_t len, const char *want)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_json_escape(&b, s, len);
    if (strcmp(b.ptr, want) != 0)
        print_error("escape: got %s, want %s\n", b.ptr, want);
    assert_string_equal(b.ptr, want);
    assert_int_equal(b.len, strlen(want));
    cw_buf_free(&b);
}

static void check_escape(const char *s, const char *want)
{
    check_escape_n(s, strlen(s), want);
}

static void check_double(double v, const char *want)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &b);
    cw_jw_double(&w, v);
    if (strcmp(b.ptr, want) != 0)
        print_error("double %.17g: got %s, want %s\n", v, b.ptr, want);
    assert_string_equal(b.ptr, want);
    cw_buf_free(&b);
}

static void test_containers(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &b);
    cw_jw_obj_open(&w);
    cw_jw_obj_close(&w);
    assert_string_equal(b.ptr, "{}");

    cw_buf_reset(&b);
    cw_jw_init(&w, &b);
    cw_jw_arr_open(&w);
    cw_jw_arr_close(&w);
    assert_string_equal(b.ptr, "[]");

    cw_buf_reset(&b);
    cw_jw_init(&w, &b);
    cw_jw_obj_open(&w);
    cw_jw_kv_cstr(&w, "a", "x");
    cw_jw_kv_int(&w, "b", -5);
    cw_jw_kv_bool(&w, "c", true);
    cw_jw_kv_bool(&w, "d", false);
    cw_jw_kv_cstr(&w, "e", NULL);
    cw_jw_kv_double(&w, "f", 1.5);
    cw_jw_key(&w, "g");
    cw_jw_arr_open(&w);
    cw_jw_int(&w, 1);
    cw_jw_obj_open(&w);
    cw_jw_obj_close(&w);
    cw_jw_arr_open(&w);
    cw_jw_arr_close(&w);
    cw_jw_null(&w);
    cw_jw_raw(&w, "{\"r\":1}", 7);
    cw_jw_arr_close(&w);
    cw_jw_key(&w, "h");
    cw_jw_obj_open(&w);
    cw_jw_kv_int(&w, "i", 0);
    cw_jw_obj_close(&w);
    cw_jw_kv_int(&w, "j", 1);
    cw_jw_obj_close(&w);
    assert_string_equal(b.ptr, "{\"a\":\"x\",\"b\":-5,\"c\":true,\"d\":false,\"e\":null,\"f\":1.5,"
                               "\"g\":[1,{},[],null,{\"r\":1}],\"h\":{\"i\":0},\"j\":1}");
    cw_buf_free(&b);
}

static void test_ints(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &b);
    cw_jw_arr_open(&w);
    cw_jw_int(&w, 0);
    cw_jw_int(&w, INT64_MAX);
    cw_jw_int(&w, INT64_MIN);
    cw_jw_arr_close(&w);
    assert_string_equal(b.ptr, "[0,9223372036854775807,-9223372036854775808]");
    cw_buf_free(&b);
}

static void test_keys_escaped(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &b);
    cw_jw_obj_open(&w);
    cw_jw_kv_cstr(&w, "a/\"b\"", "");
    cw_jw_obj_close(&w);
    assert_string_equal(b.ptr, "{\"a\\/\\\"b\\\"\":\"\"}");
    cw_buf_free(&b);
}

static void test_escape_ascii(void **state)
{
    check_escape("", "\"\"");
    check_escape("abc", "\"abc\"");
    check_escape("a/b", "\"a\\/b\"");
    check_escape("https://x.io/", "\"https:\\/\\/x.io\\/\"");
    check_escape("\"\\", "\"\\\"\\\\\"");
    check_escape("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
    check_escape("\x01\x1f\x1e\x0b", "\"\\u0001\\u001f\\u001e\\u000b\"");
    /* DEL is not escaped by PHP. */
    check_escape("\x7f", "\"\x7f\"");
    check_escape_n("a\0b", 3, "\"a\\u0000b\"");
}

static void test_escape_unicode(void **state)
{
    /* Unicode goes out as it is (JSON_UNESCAPED_UNICODE)... */
    check_escape("\xc3\xa9", "\"\xc3\xa9\"");
    check_escape("\xe2\x82\xac", "\"\xe2\x82\xac\"");
    check_escape("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
    check_escape("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");
    check_escape("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");
    /* ...except the line and paragraph separators, which JavaScript cannot hold in a string. */
    check_escape("\xe2\x80\xa8", "\"\\u2028\"");
    check_escape("a\xe2\x80\xa9z", "\"a\\u2029z\"");
    check_escape("\xe2\x80\xa7", "\"\xe2\x80\xa7\"");
}

#define FFFD "\xef\xbf\xbd"

static void test_escape_invalid_utf8(void **state)
{
    check_escape("\xff", "\"" FFFD "\"");
    check_escape("a\xff"
                 "b",
                 "\"a" FFFD "b\"");
    check_escape("\x80", "\"" FFFD "\"");
    check_escape("\xc0\x80", "\"" FFFD FFFD "\"");
    check_escape("\xc3", "\"" FFFD "\"");
    check_escape("\xc3(", "\"" FFFD "(\"");
    /* One U+FFFD for a started sequence, as PHP's decoder counts: truncated sequences... */
    check_escape("\xe2\x82", "\"" FFFD "\"");
    check_escape("\xe2\x82(", "\"" FFFD "(\"");
    check_escape("\xf0\x9f\x98", "\"" FFFD "\"");
    check_escape("\xf0\x9f\x98z", "\"" FFFD "z\"");
    /* ...overlong forms, surrogates and code points past U+10FFFF... */
    check_escape("\xe0\x80\xaf", "\"" FFFD "\"");
    check_escape("\xed\xa0\x80", "\"" FFFD "\"");
    check_escape("\xf4\x90\x80\x80", "\"" FFFD "\"");
    check_escape("\xf0\x80\x80\xaf", "\"" FFFD "\"");
    /* ...and a byte that is neither a continuation nor a lead byte is swallowed with them. */
    check_escape("\xc3\xff", "\"" FFFD "\"");
    check_escape("\xe2\xff\x80", "\"" FFFD "\"");
    check_escape("\xe2\xc3\xa9", "\"" FFFD "\xc3\xa9\"");
    check_escape("\xe2\x82\xc3\xa9", "\"" FFFD "\xc3\xa9\"");
    check_escape("\xf0\x9f\xff\xff", "\"" FFFD "\"");
    check_escape("\xf5\x80", "\"" FFFD FFFD "\"");
    /* A valid character after the bad bytes survives. */
    check_escape("\xe2\x82\xe2\x82\xac", "\"" FFFD "\xe2\x82\xac\"");
}

static void test_doubles(void **state)
{
    check_double(0.0, "0.0");
    check_double(-0.0, "-0.0");
    check_double(1.0, "1.0");
    check_double(-1.0, "-1.0");
    check_double(100.0, "100.0");
    check_double(1.5, "1.5");
    check_double(0.1, "0.1");
    check_double(0.1 + 0.2, "0.30000000000000004");
    check_double(1.0 / 3.0, "0.3333333333333333");
    check_double(2.0 / 3.0, "0.6666666666666666");
    check_double(123456.789, "123456.789");
    check_double(-273.15, "-273.15");
    check_double(9007199254740993.0, "9007199254740992.0");
    /* Fixed notation from 1e-4 to below 1e17, as php_gcvt lays it out. */
    check_double(0.001, "0.001");
    check_double(0.0001, "0.0001");
    check_double(0.00012, "0.00012");
    check_double(1e15, "1000000000000000.0");
    check_double(1e16, "10000000000000000.0");
    check_double(12345678901234567.0, "12345678901234568.0");
    /* Exponent form outside it: one digit, a point, and no padding in the exponent. */
    check_double(1e17, "1.0e+17");
    check_double(1e25, "1.0e+25");
    check_double(1.5e300, "1.5e+300");
    check_double(-2.5e-7, "-2.5e-7");
    check_double(0.00001, "1.0e-5");
    check_double(1.2345e-10, "1.2345e-10");
    check_double(1.7976931348623157e308, "1.7976931348623157e+308");
    check_double(2.2250738585072014e-308, "2.2250738585072014e-308");
    check_double(5e-324, "5.0e-324");
    check_double(-5e-324, "-5.0e-324");
    check_double(1e-323, "1.0e-323");
    check_double(123456789012345680000.0, "1.2345678901234568e+20");
    /* JSON has no NaN or infinity. */
    check_double(NAN, "0");
    check_double(INFINITY, "0");
    check_double(-INFINITY, "0");
}

/* Every double written reads back to itself, through jansson as a client would read it. */
static void test_doubles_round_trip(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    cw_buf_t b = CW_BUF_INIT;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        uint64_t bits = x;
        if (i % 4 == 0)
            bits &= 0x800fffffffffffffULL; /* subnormals */
        memcpy(&v, &bits, sizeof(v));
        if (i % 4 == 1)
            v = (double)(int64_t)(x >> 20) / 1000.0; /* short decimals */
        if (!isfinite(v))
            continue;
        cw_buf_reset(&b);
        cw_jw_t w;
        cw_jw_init(&w, &b);
        cw_jw_arr_open(&w);
        cw_jw_double(&w, v);
        cw_jw_arr_close(&w);
        json_error_t err;
        json_t *arr = json_loadb(b.ptr, b.len, 0, &err);
        if (arr == NULL || !json_is_real(json_array_get(arr, 0)) ||
            json_real_value(json_array_get(arr, 0)) != v)
            print_error("%.17g written as %s\n", v, b.ptr);
        assert_non_null(arr);
        assert_true(json_real_value(json_array_get(arr, 0)) == v);
        assert_true(signbit(json_real_value(json_array_get(arr, 0))) == signbit(v));
        json_decref(arr);
    }
    cw_buf_free(&b);
}

static void test_max_depth(void **state)
{
    /* CW_JW_MAX_DEPTH nested containers, each with a sibling after the inner one, stay valid. */
    cw_buf_t b = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &b);
    for (int d = 0; d < CW_JW_MAX_DEPTH; d++) {
        cw_jw_arr_open(&w);
        cw_jw_int(&w, d);
    }
    for (int d = 0; d < CW_JW_MAX_DEPTH; d++) {
        cw_jw_arr_close(&w);
        if (d + 1 < CW_JW_MAX_DEPTH)
            cw_jw_int(&w, d);
    }
    assert_int_equal(w.depth, 0);
    json_error_t err;
    json_t *v = json_loadb(b.ptr, b.len, 0, &err);
    if (v == NULL)
        print_error("%s: %s\n", err.text, b.ptr);
    assert_non_null(v);
    json_t *cur = v;
    for (int d = 1; d < CW_JW_MAX_DEPTH; d++) {
        assert_int_equal(json_array_size(cur), 3);
        cur = json_array_get(cur, 1);
    }
    json_decref(v);
    cw_buf_free(&b);
}

static void test_deeper_than_max(void **state)
{
    /* Past 64 levels the writer used to reuse the bits of shallower levels: commas went missing
     * or doubled, and [[...[0,[...],1]...]] came out as invalid JSON. */
    enum { DEPTH = 300 };
    cw_buf_t b = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &b);
    for (int d = 0; d < DEPTH; d++) {
        if (d % 2 == 0) {
            cw_jw_arr_open(&w);
            cw_jw_int(&w, d);
        } else {
            cw_jw_obj_open(&w);
            cw_jw_kv_int(&w, "k", d);
            cw_jw_key(&w, "v");
        }
    }
    cw_jw_obj_open(&w);
    cw_jw_obj_close(&w);
    for (int d = DEPTH; d-- > 0;) {
        if (d % 2 == 0) {
            cw_jw_int(&w, -d);
            cw_jw_arr_close(&w);
        } else {
            cw_jw_kv_int(&w, "z", -d);
            cw_jw_obj_close(&w);
        }
    }
    assert_int_equal(w.depth, 0);
    json_error_t err;
    json_t *v = json_loadb(b.ptr, b.len, 0, &err);
    if (v == NULL)
        print_error("%s at %d\n", err.text, err.position);
    assert_non_null(v);
    json_t *cur = v;
    for (int d = 0; d < DEPTH; d++) {
        if (d % 2 == 0) {
            assert_int_equal(json_array_size(cur), 3);
            assert_int_equal(json_integer_value(json_array_get(cur, 0)), d);
            assert_int_equal(json_integer_value(json_array_get(cur, 2)), -d);
            cur = json_array_get(cur, 1);
        } else {
            assert_int_equal(json_object_size(cur), 3);
            assert_int_equal(json_integer_value(json_object_get(cur, "z")), -d);
            cur = json_object_get(cur, "v");
        }
    }
    assert_true(json_is_object(cur));
    json_decref(v);
    cw_buf_free(&b);
}

static void test_appends_to_buffer(void **state)
{
    /* The writer borrows the buffer and appends after what is there. */
    cw_buf_t b = CW_BUF_INIT;
    cw_buf_append_str(&b, "x=");
    cw_jw_t w;
    cw_jw_init(&w, &b);
    cw_jw_obj_open(&w);
    cw_jw_kv_int(&w, "a", 1);
    cw_jw_obj_close(&w);
    assert_string_equal(b.ptr, "x={\"a\":1}");
    cw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_containers),        cmocka_unit_test(test_ints),
        cmocka_unit_test(test_keys_escaped),      cmocka_unit_test(test_escape_ascii),
        cmocka_unit_test(test_escape_unicode),    cmocka_unit_test(test_escape_invalid_utf8),
        cmocka_unit_test(test_doubles),           cmocka_unit_test(test_doubles_round_trip),
        cmocka_unit_test(test_max_depth),         cmocka_unit_test(test_deeper_than_max),
        cmocka_unit_test(test_appends_to_buffer),
    };
    return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
