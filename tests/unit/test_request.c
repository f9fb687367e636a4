/* Unit tests for http/request: parameters from the query, JSON and form bodies; header, cookie and
 * path parameter lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/request.h"

/* A request with an optional content type, query and body (lengths given so bodies may hold
 * NUL bytes). */
static void req_make(cw_req_t *req, const char *ct, const char *query, const char *body,
                     size_t body_len)
{
    cw_req_init(req);
    req->headers = cw_arena_alloc(&req->arena, sizeof(cw_header_t) * 2);
    if (ct != NULL) {
        req->headers[0] = (cw_header_t){CW_STR_LIT("content-type"), cw_str(ct)};
        req->nheaders = 1;
    }
    req->query = cw_str(query);
    req->body = (cw_str_t){body, body_len};
}

/* Parses and returns the result code; *json gets the params as compact JSON (caller frees). */
static cw_body_result_t parse(const char *ct, const char *query, const char *body, size_t body_len,
                              char **json, const char **bad)
{
    cw_req_t req;
    req_make(&req, ct, query, body, body_len);
    const char *b = NULL;
    cw_body_result_t rc = cw_req_parse_params(&req, &b);
    assert_true(json_is_object(req.params));
    *json = json_dumps(req.params, JSON_COMPACT);
    if (bad != NULL)
        *bad = b != NULL ? strdup(b) : NULL; /* the name lives in the request's arena */
    cw_req_destroy(&req);
    return rc;
}

static void check(const char *ct, const char *query, const char *body, cw_body_result_t want_rc,
                  const char *want_json)
{
    char *json;
    cw_body_result_t rc = parse(ct, query, body, body ? strlen(body) : 0, &json, NULL);
    if (rc != want_rc || strcmp(json, want_json) != 0)
        print_error("ct=%s query=%s body=%s: rc=%d %s\n", ct ? ct : "-", query ? query : "-",
                    body ? body : "-", (int)rc, json);
    assert_int_equal(rc, want_rc);
    assert_string_equal(json, want_json);
    free(json);
}

static void test_nothing(void **state)
{
    check(NULL, NULL, NULL, CW_BODY_OK, "{}");
    check("application/json", "", "", CW_BODY_OK, "{}");
}

static void test_query(void **state)
{
    check(NULL, "a=1&b[]=2", NULL, CW_BODY_OK, "{\"a\":\"1\",\"b\":[\"2\"]}");
    check("application/json", "queries[0]=x&queries[1]=y", NULL, CW_BODY_OK,
          "{\"queries\":[\"x\",\"y\"]}");
}

static void test_json_body(void **state)
{
    check("application/json", NULL, "{\"a\":1,\"b\":[true,null],\"c\":{\"d\":1.5}}", CW_BODY_OK,
          "{\"a\":1,\"b\":[true,null],\"c\":{\"d\":1.5}}");
    check("application/json; charset=utf-8", NULL, "{\"a\":\"x\"}", CW_BODY_OK, "{\"a\":\"x\"}");
    check("Application/JSON", NULL, "{\"a\":\"x\"}", CW_BODY_OK, "{\"a\":\"x\"}");
    check("application/json ;charset=utf-8", NULL, "{\"a\":\"x\"}", CW_BODY_OK, "{\"a\":\"x\"}");
    /* No content type at all: read as JSON, as Appwrite's SDKs always send JSON. */
    check(NULL, NULL, "{\"a\":\"x\"}", CW_BODY_OK, "{\"a\":\"x\"}");
    /* The body wins over the query, key by key. */
    check("application/json", "a=q&b=q", "{\"a\":\"body\"}", CW_BODY_OK,
          "{\"a\":\"body\",\"b\":\"q\"}");
    /* Repeated keys: the last one wins, as in PHP's json_decode. */
    check("application/json", NULL, "{\"a\":1,\"a\":2}", CW_BODY_OK, "{\"a\":2}");
    check("application/json", NULL, " \t\r\n{}\n", CW_BODY_OK, "{}");
    check("application/json", NULL, "{\"\xc3\xa9\":\"\\u00e9\"}", CW_BODY_OK,
          "{\"\xc3\xa9\":\"\xc3\xa9\"}");
}

static void test_json_whitespace_only(void **state)
{
    check("application/json", NULL, " ", CW_BODY_OK, "{}");
    check("application/json", NULL, "\r\n\t ", CW_BODY_OK, "{}");
    check(NULL, "a=1", "  ", CW_BODY_OK, "{\"a\":\"1\"}");
}

static void test_json_nul_body(void **state)
{
    /* A NUL byte is not whitespace: "\0" used to pass as an empty body. */
    char *json;
    assert_int_equal(parse("application/json", NULL, "\0", 1, &json, NULL), CW_BODY_BAD_JSON);
    free(json);
    assert_int_equal(parse("application/json", NULL, " \0 ", 3, &json, NULL), CW_BODY_BAD_JSON);
    free(json);
    assert_int_equal(parse("application/json", NULL, "{}\0", 3, &json, NULL), CW_BODY_BAD_JSON);
    free(json);
}

static void test_bad_json(void **state)
{
    static const char *const bodies[] = {
        "{",
        "}",
        "{\"a\"}",
        "{\"a\":}",
        "{'a':1}",
        "{\"a\":1,}",
        "[1,2]",
        "[]",
        "null",
        "\"x\"",
        "1",
        "true",
        "{} {}",
        "{}x",
        "nope",
        "{\"a\":\"\xff\"}",
        "{\"a\":\"\xc3\"}",
        "{\"a\":NaN}",
        "{\"a\":01}",
        "{\"a\":\"\\ud800\"}",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        char *json;
        cw_body_result_t rc =
            parse("application/json", "q=1", bodies[i], strlen(bodies[i]), &json, NULL);
        if (rc != CW_BODY_BAD_JSON)
            print_error("body %s: rc=%d\n", bodies[i], (int)rc);
        assert_int_equal(rc, CW_BODY_BAD_JSON);
        free(json);
    }
}

static void test_form_body(void **state)
{
    const char *form = "application/x-www-form-urlencoded";
    check(form, NULL, "a=1&b=x+y&c[]=1&c[]=2", CW_BODY_OK,
          "{\"a\":\"1\",\"b\":\"x y\",\"c\":[\"1\",\"2\"]}");
    check("application/x-www-form-urlencoded; charset=UTF-8", "a=q&z=q", "a=b", CW_BODY_OK,
          "{\"a\":\"b\",\"z\":\"q\"}");
    check(form, NULL, "&&", CW_BODY_OK, "{}");
    /* A form body is not JSON. */
    check(form, NULL, "{\"a\":1}", CW_BODY_OK, "{\"{\\\"a\\\":1}\":\"\"}");
}

static void test_bad_utf8(void **state)
{
    char *json;
    const char *bad;
    cw_body_result_t rc =
        parse("application/x-www-form-urlencoded", NULL, "ok=1&name=%ff", 13, &json, &bad);
    assert_int_equal(rc, CW_BODY_BAD_UTF8);
    assert_string_equal(bad, "name");
    free((char *)bad);
    free(json);
    /* In the query too, whatever the body. */
    cw_req_t req;
    req_make(&req, "application/json", "x[y]=%c3%28", "{}", 2);
    bad = NULL;
    assert_int_equal(cw_req_parse_params(&req, &bad), CW_BODY_BAD_UTF8);
    assert_string_equal(bad, "x[y]");
    cw_req_destroy(&req);
}

static void test_other_types(void **state)
{
    /* Bodies of other types are left to the routes that read them. */
    check("multipart/form-data; boundary=x", "a=1", "--x\r\n", CW_BODY_OK, "{\"a\":\"1\"}");
    check("text/plain", NULL, "{\"a\":1}", CW_BODY_OK, "{}");
    check("application/jsonx", NULL, "{\"a\":1}", CW_BODY_OK, "{}");
    check("application/js", NULL, "{\"a\":1}", CW_BODY_OK, "{}");
}

static void test_headers_and_cookies(void **state)
{
    cw_req_t req;
    cw_req_init(&req);
    cw_header_t h[] = {
        {CW_STR_LIT("content-type"), CW_STR_LIT("text/plain")},
        {CW_STR_LIT("cookie"), CW_STR_LIT("a=1; a_session_p=\"s3cr3t\"; =x; b")},
    };
    req.headers = h;
    req.nheaders = 2;
    assert_true(cw_str_eq_cstr(cw_req_header(&req, "content-type"), "text/plain"));
    assert_null(cw_req_header(&req, "x-missing").ptr);
    assert_null(cw_req_header(&req, "content").ptr);
    assert_true(cw_str_eq_cstr(cw_req_cookie(&req, CW_STR_LIT("a")), "1"));
    assert_true(cw_str_eq_cstr(cw_req_cookie(&req, CW_STR_LIT("a_session_p")), "s3cr3t"));
    assert_null(cw_req_cookie(&req, CW_STR_LIT("b")).ptr);
    assert_null(cw_req_cookie(&req, CW_STR_LIT("")).ptr);
    assert_int_equal(req.ncookies, 2);
    req.headers = NULL;
    req.nheaders = 0;
    cw_req_destroy(&req);

    /* No Cookie header: no cookies, and no crash. */
    cw_req_init(&req);
    assert_null(cw_req_cookie(&req, CW_STR_LIT("a")).ptr);
    assert_int_equal(req.ncookies, 0);
    cw_req_destroy(&req);
}

static void test_path_params(void **state)
{
    cw_req_t req;
    cw_req_init(&req);
    req.path_names[0] = CW_STR_LIT("userId");
    req.path_values[0] = CW_STR_LIT("u1");
    req.path_names[1] = CW_STR_LIT("sessionId");
    req.path_values[1] = CW_STR_LIT("");
    req.npath = 2;
    assert_true(cw_str_eq_cstr(cw_req_path_param(&req, "userId"), "u1"));
    assert_non_null(cw_req_path_param(&req, "sessionId").ptr);
    assert_int_equal(cw_req_path_param(&req, "sessionId").len, 0);
    assert_null(cw_req_path_param(&req, "user").ptr);
    cw_req_destroy(&req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing),       cmocka_unit_test(test_query),
        cmocka_unit_test(test_json_body),     cmocka_unit_test(test_json_whitespace_only),
        cmocka_unit_test(test_json_nul_body), cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_form_body),     cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_other_types),   cmocka_unit_test(test_headers_and_cookies),
        cmocka_unit_test(test_path_params),
    };
    return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
