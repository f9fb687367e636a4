/* Unit tests for core/ratelimit: fixed windows, the limit, resets, expiry and the bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/ratelimit.h"

static void test_counts_to_the_limit(void **state)
{
    cw_ratelimit_t *rl = cw_ratelimit_memory_new(16);
    int64_t count;
    bool limited;
    for (int64_t i = 0; i < 3; i++) {
        assert_int_equal(cw_ratelimit_check(rl, cw_str("k"), 3, 60, 1000, &count, &limited), 0);
        assert_int_equal(count, i);
        assert_false(limited);
    }
    assert_int_equal(cw_ratelimit_check(rl, cw_str("k"), 3, 60, 1001, &count, &limited), 0);
    assert_int_equal(count, 3);
    assert_true(limited);
    /* A refused request is not counted. */
    assert_int_equal(cw_ratelimit_peek(rl, cw_str("k"), 60, 1002, &count), 0);
    assert_int_equal(count, 3);
    /* Another key has its own count. */
    assert_int_equal(cw_ratelimit_check(rl, cw_str("k2"), 3, 60, 1002, &count, &limited), 0);
    assert_int_equal(count, 0);
    assert_false(limited);
    cw_ratelimit_free(rl);
}

static void test_fixed_windows(void **state)
{
    cw_ratelimit_t *rl = cw_ratelimit_memory_new(16);
    int64_t count;
    bool limited;
    assert_int_equal(cw_ratelimit_window(1019, 60), 960);
    /* 1019 and 1020 lie in different windows of 60 s: the count starts again. */
    cw_ratelimit_check(rl, cw_str("k"), 1, 60, 1019, &count, &limited);
    assert_false(limited);
    cw_ratelimit_check(rl, cw_str("k"), 1, 60, 1019, &count, &limited);
    assert_true(limited);
    cw_ratelimit_check(rl, cw_str("k"), 1, 60, 1020, &count, &limited);
    assert_false(limited);
    assert_int_equal(count, 0);
    cw_ratelimit_free(rl);
}

static void test_zero_limit_counts_nothing(void **state)
{
    cw_ratelimit_t *rl = cw_ratelimit_memory_new(4);
    int64_t count;
    bool limited;
    for (int i = 0; i < 10; i++) {
        cw_ratelimit_check(rl, cw_str("k"), 0, 60, 100, &count, &limited);
        assert_false(limited);
    }
    cw_ratelimit_peek(rl, cw_str("k"), 60, 100, &count);
    assert_int_equal(count, 0);
    cw_ratelimit_free(rl);
}

static void test_reset(void **state)
{
    cw_ratelimit_t *rl = cw_ratelimit_memory_new(4);
    int64_t count;
    bool limited;
    cw_ratelimit_check(rl, cw_str("k"), 2, 3600, 7200, &count, &limited);
    cw_ratelimit_check(rl, cw_str("k"), 2, 3600, 7200, &count, &limited);
    cw_ratelimit_check(rl, cw_str("k"), 2, 3600, 7200, &count, &limited);
    assert_true(limited);
    assert_int_equal(cw_ratelimit_reset(rl, cw_str("k"), 3600, 7201), 0);
    cw_ratelimit_check(rl, cw_str("k"), 2, 3600, 7202, &count, &limited);
    assert_false(limited);
    assert_int_equal(count, 0);
    cw_ratelimit_free(rl);
}

static void test_expiry(void **state)
{
    cw_ratelimit_t *rl = cw_ratelimit_memory_new(4);
    int64_t count;
    bool limited;
    /* A counter is gone one period after its last write, even when asked for by its window. */
    cw_ratelimit_check(rl, cw_str("k"), 5, 10, 100, &count, &limited);
    assert_int_equal(cw_ratelimit_peek(rl, cw_str("k"), 10, 105, &count), 0);
    assert_int_equal(count, 1);
    assert_int_equal(rl->ops->count(rl, cw_str("k"), 100, 110, &count), 0);
    assert_int_equal(count, 0);
    cw_ratelimit_free(rl);
}

static void test_bounded_lru(void **state)
{
    cw_ratelimit_t *rl = cw_ratelimit_memory_new(3);
    int64_t count;
    bool limited;
    char key[16];
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        cw_ratelimit_check(rl, cw_str(key), 10, 60, 60, &count, &limited);
    }
    /* k0 used again: k1 is now the least recently used and goes for k3. */
    cw_ratelimit_check(rl, cw_str("k0"), 10, 60, 60, &count, &limited);
    cw_ratelimit_check(rl, cw_str("k3"), 10, 60, 60, &count, &limited);
    cw_ratelimit_peek(rl, cw_str("k0"), 60, 60, &count);
    assert_int_equal(count, 2);
    cw_ratelimit_peek(rl, cw_str("k1"), 60, 60, &count);
    assert_int_equal(count, 0);
    cw_ratelimit_peek(rl, cw_str("k2"), 60, 60, &count);
    assert_int_equal(count, 1);
    /* Many more keys than room: the table stays bounded and sound. */
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "m%d", i);
        cw_ratelimit_check(rl, cw_str(key), 10, 60, 60, &count, &limited);
    }
    cw_ratelimit_peek(rl, cw_str("m999"), 60, 60, &count);
    assert_int_equal(count, 1);
    cw_ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_to_the_limit),
        cmocka_unit_test(test_fixed_windows),
        cmocka_unit_test(test_zero_limit_counts_nothing),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_bounded_lru),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
