/* Unit tests for core/error and the generated table: type lookup and the HTTP statuses Appwrite
 * passes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"

/* The codes Appwrite answers with as they are; every other code becomes 500. */
static int passes_through(int code)
{
    static const int pass[] = {400, 401, 402, 403, 404, 405, 408, 409,
                               410, 412, 416, 422, 429, 451, 501, 503};
    for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
        if (pass[i] == code)
            return 1;
    }
    return 0;
}

static void test_table_complete(void **state)
{
    for (int i = 0; i < CW_ERR__COUNT; i++) {
        const cw_error_def_t *d = &cw_error_defs[i];
        if (d->type == NULL)
            print_error("error %d has no entry\n", i);
        assert_non_null(d->type);
        assert_non_null(d->message);
        assert_true(strlen(d->type) > 0);
        assert_true(d->code >= 100);
        /* Types are unique: lookup finds each at its own index. */
        assert_int_equal(cw_error_find(cw_str(d->type)), i);
    }
}

static void test_find(void **state)
{
    assert_int_equal(cw_error_find(CW_STR_LIT("general_unknown")), CW_ERR_GENERAL_UNKNOWN);
    assert_int_equal(cw_error_find(CW_STR_LIT("general_argument_invalid")),
                     CW_ERR_GENERAL_ARGUMENT_INVALID);
    assert_int_equal(cw_error_find(CW_STR_LIT("user_not_found")), CW_ERR_USER_NOT_FOUND);
    assert_int_equal(cw_error_find(CW_STR_LIT("password_recently_used")),
                     CW_ERR_USER_PASSWORD_RECENTLY_USED);
    assert_int_equal(cw_error_find(CW_STR_LIT("nope")), -1);
    assert_int_equal(cw_error_find(CW_STR_LIT("")), -1);
    assert_int_equal(cw_error_find(CW_STR_NULL), -1);
    assert_int_equal(cw_error_find(CW_STR_LIT("general")), -1);
    assert_int_equal(cw_error_find(CW_STR_LIT("general_unknownx")), -1);
    assert_int_equal(cw_error_find(CW_STR_LIT("GENERAL_UNKNOWN")), -1);
    /* A slice: the bytes after len are not part of the type. */
    assert_int_equal(cw_error_find((cw_str_t){"user_not_foundXYZ", 14}), CW_ERR_USER_NOT_FOUND);
    assert_int_equal(cw_error_find((cw_str_t){"user_not_found\0", 15}), -1);
}

static void test_status_passthrough(void **state)
{
    for (int i = 0; i < CW_ERR__COUNT; i++) {
        int code = cw_error_defs[i].code;
        int want = passes_through(code) ? code : 500;
        if (cw_error_http_status((cw_err_t)i) != want)
            print_error("%s: code %d gave %d\n", cw_error_defs[i].type, code,
                        cw_error_http_status((cw_err_t)i));
        assert_int_equal(cw_error_http_status((cw_err_t)i), want);
    }
    assert_int_equal(cw_error_http_status(CW_ERR_GENERAL_ARGUMENT_INVALID), 400);
    assert_int_equal(cw_error_http_status(CW_ERR_GENERAL_ROUTE_NOT_FOUND), 404);
    assert_int_equal(cw_error_http_status(CW_ERR_GENERAL_NOT_IMPLEMENTED), 405);
    assert_int_equal(cw_error_http_status(CW_ERR_GENERAL_RATE_LIMIT_EXCEEDED), 429);
    assert_int_equal(cw_error_http_status(CW_ERR_GENERAL_REGION_ACCESS_DENIED), 451);
    assert_int_equal(cw_error_http_status(CW_ERR_GENERAL_SMTP_DISABLED), 503);
    /* 426 and the WebSocket close codes are not HTTP statuses Appwrite sends. */
    assert_int_equal(cw_error_defs[CW_ERR_GENERAL_PROTOCOL_UNSUPPORTED].code, 426);
    assert_int_equal(cw_error_http_status(CW_ERR_GENERAL_PROTOCOL_UNSUPPORTED), 500);
    assert_int_equal(cw_error_http_status(CW_ERR_REALTIME_MESSAGE_FORMAT_INVALID), 500);
    assert_int_equal(cw_error_http_status(CW_ERR_REALTIME_POLICY_VIOLATION), 500);
    assert_int_equal(cw_error_http_status(CW_ERR_GENERAL_UNKNOWN), 500);
}

static void test_out_of_range(void **state)
{
    /* A value outside the enum falls back to general_unknown instead of reading past the table. */
    assert_ptr_equal(cw_error_def((cw_err_t)CW_ERR__COUNT), &cw_error_defs[CW_ERR_GENERAL_UNKNOWN]);
    assert_ptr_equal(cw_error_def((cw_err_t)-1), &cw_error_defs[CW_ERR_GENERAL_UNKNOWN]);
    assert_ptr_equal(cw_error_def((cw_err_t)100000), &cw_error_defs[CW_ERR_GENERAL_UNKNOWN]);
    assert_int_equal(cw_error_http_status((cw_err_t)-5), 500);
    assert_ptr_equal(cw_error_def(CW_ERR_USER_NOT_FOUND), &cw_error_defs[CW_ERR_USER_NOT_FOUND]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_status_passthrough),
        cmocka_unit_test(test_out_of_range),
    };
    return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
