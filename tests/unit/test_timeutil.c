/* Unit tests for core/timeutil: Appwrite's date format and ISO-8601 parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/timeutil.h"

static void check_format(int64_t ms, const char *want)
{
    char out[CW_TIME_ISO_LEN];
    memset(out, 'x', sizeof(out));
    cw_time_format(ms, out);
    assert_string_equal(out, want);
}

static void check_parse(const char *s, int64_t want)
{
    int64_t ms = -42;
    int rc = cw_time_parse(cw_str(s), &ms);
    if (rc != 0 || ms != want)
        print_error("parse %s: rc=%d ms=%lld, want %lld\n", s, rc, (long long)ms, (long long)want);
    assert_int_equal(rc, 0);
    assert_true(ms == want);
}

static void check_bad(const char *s)
{
    int64_t ms = -42;
    if (cw_time_parse(cw_str(s), &ms) != -1)
        print_error("parse %s: accepted as %lld\n", s, (long long)ms);
    assert_int_equal(cw_time_parse(cw_str(s), &ms), -1);
}

static void test_format(void **state)
{
    check_format(0, "1970-01-01T00:00:00.000+00:00");
    check_format(1, "1970-01-01T00:00:00.001+00:00");
    check_format(-1, "1969-12-31T23:59:59.999+00:00");
    check_format(-1000, "1969-12-31T23:59:59.000+00:00");
    check_format(-1001, "1969-12-31T23:59:58.999+00:00");
    check_format(951782400000, "2000-02-29T00:00:00.000+00:00");
    check_format(1787316177123, "2026-08-21T12:42:57.123+00:00");
    check_format(253402300799999, "9999-12-31T23:59:59.999+00:00");
    check_format(-62167219200000, "0000-01-01T00:00:00.000+00:00");
    assert_int_equal(strlen("2026-08-21T12:42:57.123+00:00") + 1, CW_TIME_ISO_LEN);
}

static void test_format_out_of_range(void **state)
{
    /* Past year 9999 or before year 0 the date is clamped: four digits, never garbage, and no
     * overflow at the extremes. */
    check_format(253402300800000, "9999-12-31T23:59:59.999+00:00");
    check_format(INT64_MAX, "9999-12-31T23:59:59.999+00:00");
    check_format(-62167219200001, "0000-01-01T00:00:00.000+00:00");
    check_format(INT64_MIN, "0000-01-01T00:00:00.000+00:00");
    check_format(INT64_MIN + 500, "0000-01-01T00:00:00.000+00:00");
}

static void test_parse(void **state)
{
    check_parse("1970-01-01", 0);
    check_parse("1970-01-01T00:00", 0);
    check_parse("1970-01-01T00:00:00", 0);
    check_parse("1970-01-01 00:00:00", 0);
    check_parse("1970-01-01T00:00:00Z", 0);
    check_parse("1970-01-01T00:00:00.000+00:00", 0);
    check_parse("1970-01-01T00:00:00.001", 1);
    check_parse("1970-01-01T00:00:00.1", 100);
    check_parse("1970-01-01T00:00:00.12", 120);
    check_parse("1970-01-01T00:00:00.123456789", 123);
    check_parse("2026-08-21T12:42:57.123+00:00", 1787316177123);
    check_parse("2026-08-21T14:42:57.123+02:00", 1787316177123);
    check_parse("2026-08-21T07:12:57.123-05:30", 1787316177123);
    check_parse("2026-08-21T12:42Z", 1787316120000);
    check_parse("2026-08-21T12:42+00:00", 1787316120000);
    check_parse("1969-12-31T23:59:59.999Z", -1);
    check_parse("2000-02-29", 951782400000);
    check_parse("2400-02-29", 13574563200000);
    check_parse("0000-01-01", -62167219200000);
    check_parse("0000-02-29", -62162121600000);
    check_parse("9999-12-31T23:59:59.999Z", 253402300799999);
    check_parse("2016-12-31T23:59:60Z", 1483228800000); /* a leap second */
}

static void test_parse_bad(void **state)
{
    check_bad("");
    check_bad("2026");
    check_bad("2026-08");
    check_bad("2026-8-21");
    check_bad("2026/08/21");
    check_bad("20260821");
    check_bad("2026-08-21T");
    check_bad("2026-08-21T12");
    check_bad("2026-08-21T12:4");
    check_bad("2026-08-21T12:42:");
    check_bad("2026-08-21T12:42:5");
    check_bad("2026-08-21T12:42:57.");
    check_bad("2026-08-21T12:42:57.x");
    check_bad("2026-08-21T12:42:57+");
    check_bad("2026-08-21T12:42:57+01");
    check_bad("2026-08-21T12:42:57+0100");
    check_bad("2026-08-21T12:42:57ZZ");
    check_bad("2026-08-21T12:42:57 ");
    check_bad(" 2026-08-21");
    check_bad("2026-08-21Z");
    check_bad("2026-08-21x");
    check_bad("2026-00-21");
    check_bad("2026-13-21");
    check_bad("2026-08-00");
    check_bad("2026-08-32");
    check_bad("2026-04-31");
    check_bad("2026-02-29");
    check_bad("1900-02-29");
    check_bad("2026-08-21T24:00");
    check_bad("2026-08-21T12:60");
    check_bad("2026-08-21T12:42:61");
    check_bad("-026-08-21");
    check_bad("+2026-08-21");
    check_bad("2026-08-21T1:42");
    check_bad("2026-08-21T12:42:57.123+00:00x");
}

static void test_parse_slice(void **state)
{
    /* The parser reads exactly len bytes: neither stopping at a NUL nor reading past the end. */
    int64_t ms;
    assert_int_equal(cw_time_parse((cw_str_t){"1970-01-01T00:00:00Zjunk", 20}, &ms), 0);
    assert_true(ms == 0);
    assert_int_equal(cw_time_parse((cw_str_t){"1970-01-01\0", 11}, &ms), -1);
    assert_int_equal(cw_time_parse((cw_str_t){"1970-01-01T00:00:00.5", 20}, &ms), -1);
    assert_int_equal(cw_time_parse((cw_str_t){"1970-01-01T00:00", 13}, &ms), -1);
    assert_int_equal(cw_time_parse(CW_STR_NULL, &ms), -1);
}

static void test_round_trip(void **state)
{
    /* Every formatted date parses back to the same instant. */
    for (int64_t ms = -62167219200000; ms < 253402300799999; ms += 987654321987) {
        char out[CW_TIME_ISO_LEN];
        cw_time_format(ms, out);
        int64_t back;
        assert_int_equal(cw_time_parse(cw_str(out), &back), 0);
        if (back != ms)
            print_error("%lld -> %s -> %lld\n", (long long)ms, out, (long long)back);
        assert_true(back == ms);
    }
}

static void test_clocks(void **state)
{
    int64_t ms = cw_time_now_ms();
    int64_t us = cw_time_now_us();
    assert_true(ms > 1600000000000LL);
    assert_true(us / 1000 >= ms);
    assert_true(us / 1000 - ms < 5000);
    int64_t m1 = cw_time_mono_us();
    int64_t m2 = cw_time_mono_us();
    assert_true(m2 >= m1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),      cmocka_unit_test(test_format_out_of_range),
        cmocka_unit_test(test_parse),       cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_slice), cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_clocks),
    };
    return cmocka_run_group_tests_name("timeutil", tests, NULL, NULL);
}
