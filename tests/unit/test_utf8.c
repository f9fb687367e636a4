/* Unit tests for core/utf8: sequence lengths, validation and code point counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"

static size_t seq(const char *s, size_t left)
{
    return cw_utf8_seq_len((const unsigned char *)s, left);
}

static void test_seq_len(void **state)
{
    assert_int_equal(seq("a", 1), 1);
    assert_int_equal(seq("\0", 1), 1);
    assert_int_equal(seq("\x7f", 1), 1);
    assert_int_equal(seq("\xc2\x80", 2), 2);
    assert_int_equal(seq("\xdf\xbf", 2), 2);
    assert_int_equal(seq("\xe0\xa0\x80", 3), 3);
    assert_int_equal(seq("\xef\xbf\xbf", 3), 3);
    assert_int_equal(seq("\xed\x9f\xbf", 3), 3); /* U+D7FF, just below the surrogates */
    assert_int_equal(seq("\xee\x80\x80", 3), 3); /* U+E000, just above */
    assert_int_equal(seq("\xf0\x90\x80\x80", 4), 4);
    assert_int_equal(seq("\xf4\x8f\xbf\xbf", 4), 4);
}

static void test_seq_invalid(void **state)
{
    assert_int_equal(seq("\x80", 1), 0); /* lone continuation */
    assert_int_equal(seq("\xbf", 1), 0);
    assert_int_equal(seq("\xc0\x80", 2), 0); /* overlong */
    assert_int_equal(seq("\xc1\xbf", 2), 0);
    assert_int_equal(seq("\xe0\x9f\xbf", 3), 0);
    assert_int_equal(seq("\xf0\x8f\xbf\xbf", 4), 0);
    assert_int_equal(seq("\xed\xa0\x80", 3), 0); /* surrogates */
    assert_int_equal(seq("\xed\xbf\xbf", 3), 0);
    assert_int_equal(seq("\xf4\x90\x80\x80", 4), 0); /* past U+10FFFF */
    assert_int_equal(seq("\xf5\x80\x80\x80", 4), 0);
    assert_int_equal(seq("\xff", 1), 0);
    assert_int_equal(seq("\xfe", 1), 0);
    assert_int_equal(seq("\xc3(", 2), 0); /* bad continuation */
    assert_int_equal(seq("\xe2\x82(", 3), 0);
    assert_int_equal(seq("\xf0\x9f\x98(", 4), 0);
    /* Truncated: the bytes after `left` are not looked at. */
    assert_int_equal(seq("\xc3\xa9", 1), 0);
    assert_int_equal(seq("\xe2\x82\xac", 2), 0);
    assert_int_equal(seq("\xf0\x9f\x98\x80", 3), 0);
}

static void test_valid(void **state)
{
    assert_true(cw_utf8_valid("", 0));
    assert_true(cw_utf8_valid(NULL, 0));
    assert_true(cw_utf8_valid("hello", 5));
    assert_true(cw_utf8_valid("a\0b", 3));
    assert_true(cw_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
    assert_false(cw_utf8_valid("\xc3\xa9\xe2\x82", 4));
    assert_false(cw_utf8_valid("abc\xff", 4));
    assert_false(cw_utf8_valid("\xed\xa0\x80\xed\xb0\x80", 6)); /* CESU-8 surrogate pair */
    /* Every single byte on its own. */
    for (int c = 0; c < 256; c++) {
        char b = (char)c;
        assert_int_equal(cw_utf8_valid(&b, 1), c < 0x80);
    }
}

/* Checks cw_utf8_seq_len against a decoder written from the definition, for every 2- and
 * 3-byte prefix and a sample of 4-byte ones. */
static void test_exhaustive(void **state)
{
    unsigned char b[4];
    for (unsigned c0 = 0xc0; c0 < 0x100; c0++) {
        for (unsigned c1 = 0; c1 < 0x100; c1++) {
            for (unsigned c2 = 0; c2 < 0x100; c2 += (c0 >= 0xe0 ? 1 : 0x100)) {
                b[0] = (unsigned char)c0;
                b[1] = (unsigned char)c1;
                b[2] = (unsigned char)c2;
                b[3] = 0x80;
                size_t n = c0 < 0xe0 ? 2 : c0 < 0xf0 ? 3 : 4;
                uint32_t cp = c0 < 0xe0 ? c0 & 0x1f : c0 < 0xf0 ? c0 & 0x0f : c0 & 0x07;
                int ok = c0 < 0xf8;
                for (size_t k = 1; k < n; k++) {
                    ok = ok && (b[k] & 0xc0) == 0x80;
                    cp = (cp << 6) | (b[k] & 0x3f);
                }
                static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
                ok = ok && cp >= min[n] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
                assert_int_equal(cw_utf8_seq_len(b, 4), ok ? n : 0);
            }
        }
    }
}

static void test_count(void **state)
{
    assert_int_equal(cw_utf8_count("", 0), 0);
    assert_int_equal(cw_utf8_count("abc", 3), 3);
    assert_int_equal(cw_utf8_count("\xc3\xa9t\xc3\xa9", 5), 3);
    assert_int_equal(cw_utf8_count("\xf0\x9f\x98\x80", 4), 1);
    /* Invalid bytes count one each. */
    assert_int_equal(cw_utf8_count("\xff\xfe", 2), 2);
    assert_int_equal(cw_utf8_count("\xe2\x82", 2), 2);
    assert_int_equal(cw_utf8_count("a\xc3", 2), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seq_len), cmocka_unit_test(test_seq_invalid),
        cmocka_unit_test(test_valid),   cmocka_unit_test(test_exhaustive),
        cmocka_unit_test(test_count),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
