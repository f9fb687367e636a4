/* Unit tests for auth/password_policy: the embedded dictionary, the personal-data check as
 * Appwrite's validator matches (lowercase, e-mail local part, phone with and without '+', PHP's
 * "0"), and the history's check and trimming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "auth/password_policy.h"
#include "core/buf.h"

static void test_dictionary(void **state)
{
    (void)state;
    assert_true(cw_password_in_dictionary(cw_str("password")));
    assert_true(cw_password_in_dictionary(cw_str("12345678")));
    assert_true(cw_password_in_dictionary(cw_str("qwerty")));
    assert_false(cw_password_in_dictionary(cw_str("Password"))); /* case counts */
    assert_false(cw_password_in_dictionary(cw_str("password ")));
    assert_false(cw_password_in_dictionary(cw_str("")));
    assert_false(cw_password_in_dictionary(cw_str("x7Gq!v0_zP3m")));
}

static void test_personal_data(void **state)
{
    (void)state;
    cw_str_t pw = cw_str("MyUser42Secret");
    assert_true(cw_password_has_personal_data(pw, "user42", NULL, NULL, NULL));
    assert_false(cw_password_has_personal_data(pw, "other", NULL, NULL, NULL));
    assert_true(cw_password_has_personal_data(cw_str("xxJane@Example.comxx"), NULL,
                                              "jane@example.com", NULL, NULL));
    assert_true(
        cw_password_has_personal_data(cw_str("janeSecret1"), NULL, "jane@example.com", NULL, NULL));
    assert_true(cw_password_has_personal_data(cw_str("hello-ALICE!"), NULL, NULL, "Alice", NULL));
    assert_true(
        cw_password_has_personal_data(cw_str("pw15550001111"), NULL, NULL, NULL, "+15550001111"));
    assert_true(
        cw_password_has_personal_data(cw_str("pw+15550001111"), NULL, NULL, NULL, "+15550001111"));
    assert_false(
        cw_password_has_personal_data(cw_str("pw1555000111"), NULL, NULL, NULL, "+15550001111"));
    /* "" and "0" are skipped, as PHP's truthiness skips them. */
    assert_false(cw_password_has_personal_data(cw_str("abc0defgh"), "0", "", "0", NULL));
}

static void test_history(void **state)
{
    (void)state;
    cw_password_desc_t d;
    cw_buf_t h1 = CW_BUF_INIT, h2 = CW_BUF_INIT;
    cw_password_desc_default(&d);
    assert_int_equal(cw_password_hash(&d, cw_str("first-password"), &h1), 0);
    assert_int_equal(cw_password_hash(&d, cw_str("second-password"), &h2), 0);
    json_t *history = cw_password_history_push(NULL, cw_buf_str(&h1), 2);
    assert_int_equal(json_array_size(history), 1);
    json_t *two = cw_password_history_push(history, cw_buf_str(&h2), 2);
    assert_int_equal(json_array_size(two), 2);
    assert_true(cw_password_in_history(two, &d, cw_str("first-password")));
    assert_true(cw_password_in_history(two, &d, cw_str("second-password")));
    assert_false(cw_password_in_history(two, &d, cw_str("third-password")));
    /* A limit of 2 drops the oldest. */
    json_t *three = cw_password_history_push(two, cw_str("not-a-hash"), 2);
    assert_int_equal(json_array_size(three), 2);
    assert_false(cw_password_in_history(three, &d, cw_str("first-password")));
    assert_true(cw_password_in_history(three, &d, cw_str("second-password")));
    json_decref(history);
    json_decref(two);
    json_decref(three);
    cw_buf_free(&h1);
    cw_buf_free(&h2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dictionary),
        cmocka_unit_test(test_personal_data),
        cmocka_unit_test(test_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
