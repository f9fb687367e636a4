/* Unit tests for http/cors: the host of an Origin, host patterns, and the headers written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/cors.h"

static void check_host(const char *origin, const char *want)
{
    cw_str_t h = cw_cors_origin_host(cw_str(origin));
    if (want == NULL) {
        assert_null(h.ptr);
        assert_int_equal(h.len, 0);
        return;
    }
    if (!cw_str_eq_cstr(h, want))
        print_error("origin %s: host %.*s, want %s\n", origin, (int)h.len, h.ptr, want);
    assert_true(cw_str_eq_cstr(h, want));
}

static void test_origin_host(void **state)
{
    check_host("https://app.example.com:443", "app.example.com");
    check_host("https://app.example.com", "app.example.com");
    check_host("http://localhost:3000", "localhost");
    check_host("http://localhost", "localhost");
    check_host("https://a.com/path?q=1", "a.com");
    check_host("localhost:3000", "localhost");
    check_host("example.com", "example.com");
    check_host("http://[::1]:8080", "::1");
    check_host("http://[::1]", "::1");
    check_host("[::1]", "::1");
    check_host("http://[::1", NULL);
    check_host("http://", "");
    check_host("", "");
    check_host("null", "null");
    check_host("://x", "x");
    check_host("a:", "a");
    check_host("file:///etc", "");
    check_host("capacitor://localhost", "localhost");
    check_host("exp://192.168.1.5:19000", "192.168.1.5");
    /* Only the first "://" splits. */
    check_host("http://a://b", "a");
    /* A slice: bytes after len are not looked at. */
    cw_str_t h = cw_cors_origin_host((cw_str_t){"https://abc.def", 11});
    assert_true(cw_str_eq_cstr(h, "abc"));
    h = cw_cors_origin_host((cw_str_t){"https://[::1]", 11});
    assert_null(h.ptr);
    h = cw_cors_origin_host((cw_str_t){"ht", 2});
    assert_true(cw_str_eq_cstr(h, "ht"));
    h = cw_cors_origin_host(CW_STR_NULL);
    assert_int_equal(h.len, 0);
}

static void test_host_matches(void **state)
{
    assert_true(cw_cors_host_matches(CW_STR_LIT("anything.io"), "*"));
    assert_true(cw_cors_host_matches(CW_STR_LIT("x.org"), "x.org"));
    assert_true(cw_cors_host_matches(CW_STR_LIT("X.ORG"), "x.org"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("x.org"), "y.org"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("x.or"), "x.org"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("x.orgg"), "x.org"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("a.x.org"), "x.org"));
    /* A wildcard matches subdomains at any depth, not the domain itself nor a lookalike. */
    assert_true(cw_cors_host_matches(CW_STR_LIT("a.example.com"), "*.example.com"));
    assert_true(cw_cors_host_matches(CW_STR_LIT("a.b.example.com"), "*.example.com"));
    assert_true(cw_cors_host_matches(CW_STR_LIT("A.EXAMPLE.COM"), "*.example.com"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("example.com"), "*.example.com"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("badexample.com"), "*.example.com"));
    assert_false(cw_cors_host_matches(CW_STR_LIT(".example.com"), "*.example.com"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("a.example.com.evil.io"), "*.example.com"));
    /* Lists, with spaces and empty entries. */
    assert_true(cw_cors_host_matches(CW_STR_LIT("b.io"), "a.io,b.io"));
    assert_true(cw_cors_host_matches(CW_STR_LIT("b.io"), " a.io , b.io "));
    assert_true(cw_cors_host_matches(CW_STR_LIT("x.example.com"), "localhost, *.example.com"));
    assert_true(cw_cors_host_matches(CW_STR_LIT("b.io"), ",,b.io,,"));
    assert_true(cw_cors_host_matches(CW_STR_LIT("q.io"), "a.io, *"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("c.io"), "a.io,b.io,"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("c.io"), ", ,"));
    assert_false(cw_cors_host_matches(CW_STR_LIT("c.io"), ""));
    assert_false(cw_cors_host_matches(CW_STR_LIT("c.io"), NULL));
    /* No host never matches, not even "*". */
    assert_false(cw_cors_host_matches(CW_STR_LIT(""), "*"));
    assert_false(cw_cors_host_matches(CW_STR_NULL, "*"));
    /* "*." and "**" are plain names. */
    assert_false(cw_cors_host_matches(CW_STR_LIT("a.io"), "*."));
    assert_true(cw_cors_host_matches(CW_STR_LIT("*."), "*."));
    assert_false(cw_cors_host_matches(CW_STR_LIT("a.io"), "**"));
    /* Bytes in the host that a pattern cannot hold do not match. */
    assert_false(cw_cors_host_matches((cw_str_t){"x.org\0", 6}, "x.org"));
    assert_false(cw_cors_host_matches((cw_str_t){"a\0.example.com", 14}, "a.example.com"));
    /* A slice. */
    assert_true(cw_cors_host_matches((cw_str_t){"x.orgEXTRA", 5}, "x.org"));
}

static cw_str_t header(const cw_res_t *res, const char *name)
{
    for (size_t i = 0; i < res->nheaders; i++) {
        if (cw_str_eq_cstr(res->header_names[i], name))
            return res->header_values[i];
    }
    return CW_STR_NULL;
}

static void test_headers(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_res_t res;
    cw_res_init(&res, &arena);
    cw_cors_headers(&res, CW_STR_LIT("  HTTPS://App.Example.com \t"), true);
    assert_true(
        cw_str_eq_cstr(header(&res, "access-control-allow-origin"), "https://app.example.com"));
    assert_true(cw_str_eq_cstr(header(&res, "access-control-allow-credentials"), "true"));
    assert_true(cw_str_eq_cstr(header(&res, "access-control-allow-methods"),
                               "GET, POST, PUT, PATCH, DELETE"));
    assert_true(cw_str_eq_cstr(header(&res, "access-control-expose-headers"),
                               "X-Appwrite-Session, X-Fallback-Cookies"));
    cw_str_t allow = header(&res, "access-control-allow-headers");
    assert_non_null(memmem(allow.ptr, allow.len, "X-Appwrite-Project", 18));
    cw_res_destroy(&res);

    /* Not allowed, or no origin: no allow-origin header. */
    cw_res_init(&res, &arena);
    cw_cors_headers(&res, CW_STR_LIT("https://evil.io"), false);
    assert_null(header(&res, "access-control-allow-origin").ptr);
    assert_non_null(header(&res, "access-control-allow-methods").ptr);
    cw_res_destroy(&res);
    cw_res_init(&res, &arena);
    cw_cors_headers(&res, CW_STR_NULL, true);
    assert_null(header(&res, "access-control-allow-origin").ptr);
    cw_res_destroy(&res);

    /* A long origin is cut, not overflowed. */
    char big[2000];
    memset(big, 'a', sizeof(big));
    cw_res_init(&res, &arena);
    cw_cors_headers(&res, (cw_str_t){big, sizeof(big)}, true);
    assert_int_equal(header(&res, "access-control-allow-origin").len, 511);
    cw_res_destroy(&res);
    cw_arena_destroy(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_origin_host),
        cmocka_unit_test(test_host_matches),
        cmocka_unit_test(test_headers),
    };
    return cmocka_run_group_tests_name("cors", tests, NULL, NULL);
}
