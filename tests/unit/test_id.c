/* Unit tests for core/id: unique IDs, custom ID validation and random hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/id.h"

static int all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    }
    return 1;
}

static void test_unique_shape(void **state)
{
    char id[CW_ID_LEN + 1];
    time_t before = time(NULL);
    cw_id_unique(id);
    time_t after = time(NULL);
    assert_int_equal(strlen(id), CW_ID_LEN);
    assert_true(all_hex(id, CW_ID_LEN));
    assert_true(cw_id_valid(cw_str(id), CW_ID_MAX_LEN));
    /* The first 8 digits are the time in seconds, as PHP's uniqid() writes it. */
    char secs[9];
    memcpy(secs, id, 8);
    secs[8] = '\0';
    unsigned long t = strtoul(secs, NULL, 16);
    assert_true(t >= ((unsigned long)before & 0xffffffffUL));
    assert_true(t <= ((unsigned long)after & 0xffffffffUL));
    /* The next 5 are microseconds, below 1000000. */
    char usec[6];
    memcpy(usec, id + 8, 5);
    usec[5] = '\0';
    assert_true(strtoul(usec, NULL, 16) < 1000000);
}

static void test_unique_distinct(void **state)
{
    enum { N = 2000 };
    static char ids[N][CW_ID_LEN + 1];
    for (int i = 0; i < N; i++)
        cw_id_unique(ids[i]);
    for (int i = 0; i < N; i++) {
        for (int j = i + 1; j < N; j++)
            assert_string_not_equal(ids[i], ids[j]);
    }
}

static void test_valid(void **state)
{
    assert_true(cw_id_valid(CW_STR_LIT("a"), 36));
    assert_true(cw_id_valid(CW_STR_LIT("A.b_c-9"), 36));
    assert_true(cw_id_valid(CW_STR_LIT("0"), 36));
    assert_true(cw_id_valid(CW_STR_LIT("abcdefghijklmnopqrstuvwxyz0123456789"), 36));
    assert_false(cw_id_valid(CW_STR_LIT("abcdefghijklmnopqrstuvwxyz0123456789a"), 36));
    assert_true(cw_id_valid(CW_STR_LIT("ab"), 2));
    assert_false(cw_id_valid(CW_STR_LIT("abc"), 2));
    assert_false(cw_id_valid(CW_STR_LIT(""), 36));
    assert_false(cw_id_valid(CW_STR_NULL, 36));
    assert_false(cw_id_valid(CW_STR_LIT("_a"), 36));
    assert_false(cw_id_valid(CW_STR_LIT(".a"), 36));
    assert_false(cw_id_valid(CW_STR_LIT("-a"), 36));
    assert_true(cw_id_valid(CW_STR_LIT("a_"), 36));
    assert_false(cw_id_valid(CW_STR_LIT("a b"), 36));
    assert_false(cw_id_valid(CW_STR_LIT("a/b"), 36));
    assert_false(cw_id_valid(CW_STR_LIT("a\xc3\xa9"), 36));
    assert_false(cw_id_valid((cw_str_t){"a\0b", 3}, 36));
    assert_false(cw_id_valid(CW_STR_LIT("unique()"), 36));
    /* A slice: what follows len is not looked at. */
    assert_true(cw_id_valid((cw_str_t){"ab!", 2}, 36));
}

static void test_random_hex(void **state)
{
    char out[2 * 600 + 1];
    memset(out, 'x', sizeof(out));
    cw_random_hex(out, 0);
    assert_string_equal(out, "");
    cw_random_hex(out, 1);
    assert_int_equal(strlen(out), 2);
    assert_true(all_hex(out, 2));
    /* More than one chunk of the generator. */
    cw_random_hex(out, 600);
    assert_int_equal(strlen(out), 1200);
    assert_true(all_hex(out, 1200));
    char other[2 * 32 + 1];
    cw_random_hex(other, 32);
    cw_random_hex(out, 32);
    assert_string_not_equal(out, other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unique_shape),
        cmocka_unit_test(test_unique_distinct),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_random_hex),
    };
    return cmocka_run_group_tests_name("id", tests, NULL, NULL);
}
