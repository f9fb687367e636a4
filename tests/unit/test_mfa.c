/* Unit tests for the pure parts of auth/mfa: codes, recovery codes, the factors model, adding a
 * factor to a session's list, and what counts as a recent challenge. The parts that read the
 * store run in tests/e2e/mfa.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/mfa.h"
#include "core/timeutil.h"

static void test_code(void **state)
{
    int seen[10] = {0};
    for (int i = 0; i < 200; i++) {
        char c[CW_MFA_CODE_LEN + 1];
        cw_mfa_code_new(c);
        assert_int_equal(strlen(c), CW_MFA_CODE_LEN);
        for (int k = 0; k < CW_MFA_CODE_LEN; k++) {
            assert_true(c[k] >= '0' && c[k] <= '9');
            seen[c[k] - '0']++;
        }
    }
    /* 1200 digits: each of the ten shows up (a loose check that none is missing). */
    for (int d = 0; d < 10; d++)
        assert_true(seen[d] > 40);
}

static void test_recovery_codes(void **state)
{
    json_t *a = cw_mfa_recovery_codes_new(), *b = cw_mfa_recovery_codes_new();
    assert_int_equal(json_array_size(a), CW_MFA_RECOVERY_CODES);
    size_t i;
    json_t *c;
    json_array_foreach(a, i, c)
    {
        const char *s = json_string_value(c);
        assert_int_equal(strlen(s), CW_MFA_RECOVERY_CODE_LEN);
        assert_int_equal(strspn(s, "0123456789abcdef"), CW_MFA_RECOVERY_CODE_LEN);
    }
    assert_false(json_equal(a, b));
    json_decref(a);
    json_decref(b);
}

static void test_factors_model(void **state)
{
    json_t *u = json_pack("{s:s, s:b, s:s, s:b, s:[s]}", "email", "a@b.c", "emailVerification", 1,
                          "phone", "", "phoneVerification", 1, "mfaRecoveryCodes", "x");
    json_t *m = cw_mfa_factors_model(u, true, true);
    json_t *want =
        json_pack("{s:b, s:b, s:b, s:b}", "totp", 1, "phone", 0, "email", 1, "recoveryCode", 1);
    assert_true(json_equal(m, want));
    json_decref(m);
    m = cw_mfa_factors_model(u, false, false);
    assert_true(json_is_false(json_object_get(m, "recoveryCode")));
    assert_true(json_is_false(json_object_get(m, "totp")));
    json_decref(m);
    json_decref(want);
    json_decref(u);
}

static void test_required_without_store(void **state)
{
    int need = 0;
    cw_db_error_t err = {0};
    /* MFA off, or on with a verified e-mail or phone: the store is not read (db NULL). */
    json_t *u = json_pack("{s:b}", "mfa", 0);
    assert_int_equal(cw_mfa_factors_required(NULL, u, &need, &err), 0);
    assert_int_equal(need, 1);
    json_decref(u);
    u = json_pack("{s:b, s:b}", "mfa", 1, "phoneVerification", 1);
    assert_int_equal(cw_mfa_factors_required(NULL, u, &need, &err), 0);
    assert_int_equal(need, 2);
    json_decref(u);
}

static void test_factors_add(void **state)
{
    json_t *f = json_pack("[s]", "password");
    json_t *g = cw_mfa_factors_add(f, "totp");
    json_t *h = cw_mfa_factors_add(g, "totp");
    json_t *want = json_pack("[s, s]", "password", "totp");
    assert_true(json_equal(g, want));
    assert_true(json_equal(h, want));
    json_t *n = cw_mfa_factors_add(NULL, "email");
    assert_int_equal(json_array_size(n), 1);
    json_decref(f);
    json_decref(g);
    json_decref(h);
    json_decref(n);
    json_decref(want);
}

static void test_fresh(void **state)
{
    char at[CW_TIME_ISO_LEN];
    int64_t now = cw_time_now_ms();
    cw_time_format(now - 1799 * 1000, at);
    json_t *s = json_pack("{s:s}", "mfaUpdatedAt", at);
    assert_true(cw_mfa_session_fresh(s, now));
    assert_false(cw_mfa_session_fresh(s, now + 2000));
    json_decref(s);
    s = json_pack("{s:s}", "mfaUpdatedAt", "");
    assert_false(cw_mfa_session_fresh(s, now));
    json_decref(s);
    assert_false(cw_mfa_session_fresh(NULL, now));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code),          cmocka_unit_test(test_recovery_codes),
        cmocka_unit_test(test_factors_model), cmocka_unit_test(test_required_without_store),
        cmocka_unit_test(test_factors_add),   cmocka_unit_test(test_fresh),
    };
    return cmocka_run_group_tests_name("mfa", tests, NULL, NULL);
}
