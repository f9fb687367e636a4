/* Unit tests for http/args: typed parameter getters and the 400 errors they write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/args.h"

typedef struct fixture {
    cw_req_t req;
    cw_res_t res;
    cw_ctx_t ctx;
} fixture_t;

/* A context whose params are the JSON text params_json and whose one path parameter is
 * path_name=path_value (when path_name is set). */
static fixture_t *fixture_new(const char *params_json, const char *path_name,
                              const char *path_value)
{
    fixture_t *f = calloc(1, sizeof(*f));
    cw_req_init(&f->req);
    cw_res_init(&f->res, &f->req.arena);
    json_error_t err;
    f->req.params = json_loads(params_json, JSON_ALLOW_NUL, &err);
    assert_non_null(f->req.params);
    if (path_name != NULL) {
        f->req.path_names[0] = cw_str(path_name);
        f->req.path_values[0] = cw_str(path_value);
        f->req.npath = 1;
    }
    f->ctx = (cw_ctx_t){.req = &f->req, .res = &f->res};
    return f;
}

static void fixture_free(fixture_t *f)
{
    cw_res_destroy(&f->res);
    cw_req_destroy(&f->req);
    free(f);
}

/* Asserts the response is Appwrite's 400 general_argument_invalid with this message. */
static void assert_error(fixture_t *f, const char *message)
{
    assert_true(f->res.has_error);
    assert_int_equal(f->res.status, 400);
    assert_int_equal(f->res.error, CW_ERR_GENERAL_ARGUMENT_INVALID);
    cw_str_t body = cw_res_body(&f->res);
    json_error_t err;
    json_t *j = json_loadb(body.ptr, body.len, 0, &err);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "message")), message);
    assert_int_equal(json_integer_value(json_object_get(j, "code")), 400);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "general_argument_invalid");
    assert_non_null(json_object_get(j, "version"));
    json_decref(j);
}

static void test_str(void **state)
{
    fixture_t *f =
        fixture_new("{\"name\":\"\xc3\xa9t\xc3\xa9\",\"n\":5,\"z\":null,\"e\":\"\"}", NULL, NULL);
    cw_str_t s = CW_STR_NULL;
    assert_int_equal(cw_arg_str(&f->ctx, "name", true, 0, &s), 0);
    assert_true(cw_str_eq_cstr(s, "\xc3\xa9t\xc3\xa9"));
    /* The limit counts code points, not bytes. */
    assert_int_equal(cw_arg_str(&f->ctx, "name", true, 3, &s), 0);
    assert_int_equal(cw_arg_str(&f->ctx, "e", true, 3, &s), 0);
    assert_int_equal(s.len, 0);
    /* Absent and optional: 1, and *out untouched. */
    s = CW_STR_LIT("keep");
    assert_int_equal(cw_arg_str(&f->ctx, "missing", false, 0, &s), 1);
    assert_true(cw_str_eq_cstr(s, "keep"));
    /* null counts as absent. */
    assert_int_equal(cw_arg_str(&f->ctx, "z", false, 0, &s), 1);
    assert_false(f->res.has_error);
    assert_int_equal(cw_arg_str(&f->ctx, "name", true, 2, &s), -1);
    assert_error(f,
                 "Invalid `name` param: Value must be a valid string and no longer than 2 chars");
    fixture_free(f);

    f = fixture_new("{\"n\":5}", NULL, NULL);
    assert_int_equal(cw_arg_str(&f->ctx, "n", true, 0, &s), -1);
    assert_error(f, "Invalid `n` param: Value must be a valid string");
    fixture_free(f);

    f = fixture_new("{}", NULL, NULL);
    assert_int_equal(cw_arg_str(&f->ctx, "userId", true, 0, &s), -1);
    assert_error(f, "Param \"userId\" is required but was not given.");
    fixture_free(f);

    f = fixture_new("{\"z\":null}", NULL, NULL);
    assert_int_equal(cw_arg_str(&f->ctx, "z", true, 0, &s), -1);
    assert_error(f, "Param \"z\" is required but was not given.");
    fixture_free(f);
}

static void test_path_first(void **state)
{
    fixture_t *f = fixture_new("{\"userId\":\"fromBody\"}", "userId", "fromPath");
    cw_str_t s;
    assert_int_equal(cw_arg_str(&f->ctx, "userId", true, 0, &s), 0);
    assert_true(cw_str_eq_cstr(s, "fromPath"));
    assert_int_equal(cw_arg_str(&f->ctx, "userId", true, 3, &s), -1);
    fixture_free(f);

    /* No params object at all (the body was never parsed). */
    f = fixture_new("{}", "id", "7");
    json_decref(f->req.params);
    f->req.params = NULL;
    int64_t n;
    assert_int_equal(cw_arg_int(&f->ctx, "id", true, 0, 10, &n), 0);
    assert_true(n == 7);
    assert_int_equal(cw_arg_int(&f->ctx, "other", false, 0, 10, &n), 1);
    fixture_free(f);
}

static void test_int(void **state)
{
    fixture_t *f = fixture_new("{\"a\":25,\"b\":\"25\",\"c\":\"-3\",\"big\":9223372036854775807,"
                               "\"r\":2.0,\"t\":true,\"x\":\"2x\",\"e\":\"\",\"h\":\"0x10\","
                               "\"o\":\"99999999999999999999\",\"arr\":[1]}",
                               NULL, NULL);
    int64_t n = 0;
    assert_int_equal(cw_arg_int(&f->ctx, "a", true, 0, 100, &n), 0);
    assert_true(n == 25);
    assert_int_equal(cw_arg_int(&f->ctx, "b", true, 0, 100, &n), 0);
    assert_true(n == 25);
    assert_int_equal(cw_arg_int(&f->ctx, "c", true, -5, 5, &n), 0);
    assert_true(n == -3);
    assert_int_equal(cw_arg_int(&f->ctx, "big", true, INT64_MIN, INT64_MAX, &n), 0);
    assert_true(n == INT64_MAX);
    assert_int_equal(cw_arg_int(&f->ctx, "none", false, 0, 1, &n), 1);
    static const char *const bad[] = {"r", "t", "x", "e", "h", "o", "arr"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f->res.has_error = false;
        assert_int_equal(cw_arg_int(&f->ctx, bad[i], true, INT64_MIN, INT64_MAX, &n), -1);
        assert_true(f->res.has_error);
    }
    assert_int_equal(cw_arg_int(&f->ctx, "a", true, 0, 24, &n), -1);
    assert_error(f, "Invalid `a` param: Value must be a valid integer between 0 and 24");
    assert_int_equal(cw_arg_int(&f->ctx, "a", true, 26, 30, &n), -1);
    assert_int_equal(cw_arg_int(&f->ctx, "c", true, 0, 30, &n), -1);
    assert_error(f, "Invalid `c` param: Value must be a valid integer between 0 and 30");
    fixture_free(f);
}

static void test_int_nul(void **state)
{
    /* "5" followed by a NUL byte (a query's "limit=5%00") is not the integer 5. */
    fixture_t *f = fixture_new("{\"limit\":\"5\\u0000\",\"l2\":\"5\\u00001\"}", NULL, NULL);
    int64_t n = 0;
    assert_int_equal(json_string_length(json_object_get(f->req.params, "limit")), 2);
    assert_int_equal(cw_arg_int(&f->ctx, "limit", true, 0, 100, &n), -1);
    assert_int_equal(cw_arg_int(&f->ctx, "l2", true, 0, 100, &n), -1);
    fixture_free(f);
    /* And in a path parameter. */
    f = fixture_new("{}", "id", "");
    f->req.path_values[0] = (cw_str_t){"5\0", 2};
    assert_int_equal(cw_arg_int(&f->ctx, "id", true, 0, 100, &n), -1);
    f->req.path_values[0] = (cw_str_t){"5\0", 1};
    assert_int_equal(cw_arg_int(&f->ctx, "id", true, 0, 100, &n), 0);
    assert_true(n == 5);
    fixture_free(f);
}

static void test_int_long_string(void **state)
{
    /* Longer than any integer: refused without copying past the scratch buffer. */
    fixture_t *f =
        fixture_new("{\"a\":\"0000000000000000000000000000000000000000001\"}", NULL, NULL);
    int64_t n;
    assert_int_equal(cw_arg_int(&f->ctx, "a", true, 0, 10, &n), -1);
    fixture_free(f);
}

static void test_bool(void **state)
{
    fixture_t *f = fixture_new("{\"t\":true,\"f\":false,\"st\":\"true\",\"sf\":\"false\","
                               "\"s1\":\"1\",\"s0\":\"0\",\"up\":\"TRUE\",\"i\":1,\"y\":\"yes\","
                               "\"e\":\"\",\"n\":null}",
                               NULL, NULL);
    bool b = false;
    assert_int_equal(cw_arg_bool(&f->ctx, "t", true, &b), 0);
    assert_true(b);
    assert_int_equal(cw_arg_bool(&f->ctx, "f", true, &b), 0);
    assert_false(b);
    assert_int_equal(cw_arg_bool(&f->ctx, "st", true, &b), 0);
    assert_true(b);
    assert_int_equal(cw_arg_bool(&f->ctx, "sf", true, &b), 0);
    assert_false(b);
    assert_int_equal(cw_arg_bool(&f->ctx, "s1", true, &b), 0);
    assert_true(b);
    assert_int_equal(cw_arg_bool(&f->ctx, "s0", true, &b), 0);
    assert_false(b);
    assert_int_equal(cw_arg_bool(&f->ctx, "n", false, &b), 1);
    static const char *const bad[] = {"up", "i", "y", "e"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(cw_arg_bool(&f->ctx, bad[i], true, &b), -1);
    assert_error(f, "Invalid `e` param: Value must be a valid boolean");
    fixture_free(f);

    f = fixture_new("{}", "flag", "true");
    assert_int_equal(cw_arg_bool(&f->ctx, "flag", true, &b), 0);
    assert_true(b);
    fixture_free(f);
}

static void test_enum(void **state)
{
    static const char *const values[] = {"asc", "desc", NULL};
    fixture_t *f = fixture_new("{\"o\":\"desc\",\"p\":\"DESC\",\"q\":\"des\",\"r\":1}", NULL, NULL);
    cw_str_t s = CW_STR_NULL;
    assert_int_equal(cw_arg_enum(&f->ctx, "o", true, values, &s), 0);
    assert_true(cw_str_eq_cstr(s, "desc"));
    assert_int_equal(cw_arg_enum(&f->ctx, "missing", false, values, &s), 1);
    assert_int_equal(cw_arg_enum(&f->ctx, "q", true, values, &s), -1);
    assert_int_equal(cw_arg_enum(&f->ctx, "r", true, values, &s), -1);
    assert_int_equal(cw_arg_enum(&f->ctx, "p", true, values, &s), -1);
    assert_error(f, "Invalid `p` param: Value must be one of the allowed values");
    assert_int_equal(cw_arg_enum(&f->ctx, "missing", true, values, &s), -1);
    assert_error(f, "Param \"missing\" is required but was not given.");
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str),
        cmocka_unit_test(test_path_first),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_int_nul),
        cmocka_unit_test(test_int_long_string),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_enum),
    };
    return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
