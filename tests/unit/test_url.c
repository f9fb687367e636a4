/* Unit tests for core/url: URLs split as PHP's parse_url splits them, and the mailed links built
 * as Appwrite builds them (the old query decoded, merged and form-encoded again). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/url.h"

#define assert_slice(s, want)                                                                      \
    do {                                                                                           \
        cw_str_t s_ = (s);                                                                         \
        assert_int_equal(s_.len, strlen(want));                                                    \
        assert_memory_equal(s_.ptr != NULL ? s_.ptr : "", want, strlen(want));                     \
    } while (0)

/* u rebuilt with pairs, compared with want. */
static void expect_build(const char *url, const char *const *pairs, const char *want)
{
    cw_url_t u;
    cw_buf_t b = CW_BUF_INIT;
    assert_int_equal(cw_url_parse(cw_str(url), &u), 0);
    cw_url_build(&u, pairs, &b);
    cw_buf_append_char(&b, '\0');
    assert_string_equal(b.ptr, want);
    cw_buf_free(&b);
}

static void test_parse_full(void **state)
{
    cw_url_t u;
    assert_int_equal(
        cw_url_parse(cw_str("https://u:p@App.example.com:8443/reset?x=1&y=2#frag"), &u), 0);
    assert_slice(u.scheme, "https");
    assert_slice(u.user, "u");
    assert_slice(u.pass, "p");
    assert_slice(u.host, "App.example.com");
    assert_slice(u.port, "8443");
    assert_slice(u.path, "/reset");
    assert_slice(u.query, "x=1&y=2");
    assert_slice(u.fragment, "frag");
    assert_true(u.has_query && u.has_fragment && u.has_port && u.has_user && u.has_pass);
}

static void test_parse_hosts(void **state)
{
    cw_url_t u;
    assert_int_equal(cw_url_parse(cw_str("http://[::1]:3000/cb"), &u), 0);
    assert_slice(u.host, "[::1]");
    assert_slice(u.port, "3000");
    assert_slice(u.path, "/cb");

    assert_int_equal(cw_url_parse(cw_str("appwrite-callback-p1://auth"), &u), 0);
    assert_slice(u.scheme, "appwrite-callback-p1");
    assert_slice(u.host, "auth");
    assert_false(u.has_port);

    /* A number after the colon is a port, not a scheme. */
    assert_int_equal(cw_url_parse(cw_str("localhost:3000/x"), &u), 0);
    assert_false(u.has_scheme);
    assert_slice(u.host, "localhost");
    assert_slice(u.port, "3000");
    assert_slice(u.path, "/x");

    assert_int_equal(cw_url_parse(cw_str("mailto:me@example.org"), &u), 0);
    assert_slice(u.scheme, "mailto");
    assert_false(u.has_host);
    assert_slice(u.path, "me@example.org");

    assert_int_equal(cw_url_parse(cw_str("/relative/path?a=1"), &u), 0);
    assert_false(u.has_scheme || u.has_host);
    assert_slice(u.path, "/relative/path");

    assert_int_equal(cw_url_parse(cw_str("http://host:/p"), &u), 0);
    assert_false(u.has_port);
}

static void test_parse_failures(void **state)
{
    cw_url_t u;
    assert_int_equal(cw_url_parse(cw_str("http://"), &u), -1);
    assert_int_equal(cw_url_parse(cw_str("http:///path"), &u), -1);
    assert_int_equal(cw_url_parse(cw_str("http://host:99999/"), &u), -1);
    assert_int_equal(cw_url_parse(cw_str("http://host:80a/"), &u), -1);
    assert_int_equal(cw_url_parse(cw_str("http://[::1/"), &u), -1);
    assert_false(u.has_scheme);
}

static void test_scheme(void **state)
{
    assert_slice(cw_url_scheme(cw_str("https://a.b")), "https");
    /* parse_url fails here; the validator then reads the scheme from the text. */
    assert_slice(cw_url_scheme(cw_str("http:///x")), "http");
    assert_slice(cw_url_scheme(cw_str("exp://192.168.0.2:8081")), "exp");
    assert_int_equal(cw_url_scheme(cw_str("localhost:3000")).len, 0);
    assert_int_equal(cw_url_scheme(cw_str("no scheme")).len, 0);
    assert_int_equal(cw_url_scheme(cw_str("")).len, 0);
}

static void test_build_link(void **state)
{
    const char *pairs[] = {
        "userId", "u1", "secret", "abc", "expire", "2026-01-01T00:00:00.000+00:00", NULL};
    expect_build("https://app.example.com:8443/reset?x=1&y=two#frag", pairs,
                 "https://app.example.com:8443/reset?x=1&y=two&userId=u1&secret=abc"
                 "&expire=2026-01-01T00%3A00%3A00.000%2B00%3A00#frag");
    expect_build("http://localhost:3000", pairs,
                 "http://localhost:3000?userId=u1&secret=abc"
                 "&expire=2026-01-01T00%3A00%3A00.000%2B00%3A00");
}

static void test_build_merges(void **state)
{
    const char *pairs[] = {"secret", "new", "userId", "u", NULL};
    /* A parameter of the same name is replaced where it stood. */
    expect_build("http://localhost/?secret=old&a=b", pairs,
                 "http://localhost/?secret=new&a=b&userId=u");
    /* The old query is decoded and encoded again: '+' and %20 are spaces, '~' is escaped. */
    expect_build("http://localhost/p?q=a%20b+c&e=%7E&e=last", pairs,
                 "http://localhost/p?q=a+b+c&e=last&secret=new&userId=u");
    /* Names: '.' and ' ' become '_', empty names and empty segments go. */
    expect_build("http://x/?a.b=1&&=2& c=3&flag", NULL, "http://x/?a_b=1&c=3&flag=");
    /* Credentials, an empty query and an empty fragment come back as they were. */
    expect_build("https://u:p@h/x?#", pairs, "https://u:p@h/x?secret=new&userId=u#");
    expect_build("http://h/x?", NULL, "http://h/x");
    /* Appwrite writes "://" after any scheme. */
    expect_build("mailto:me@example.org", pairs, "mailto://me@example.org?secret=new&userId=u");
}

static void test_encode(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_url_encode(cw_str("aZ09-_. ~*'/\xc3\xa9"), &b);
    cw_buf_append_char(&b, '\0');
    assert_string_equal(b.ptr, "aZ09-_.+%7E%2A%27%2F%C3%A9");
    cw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_full),     cmocka_unit_test(test_parse_hosts),
        cmocka_unit_test(test_parse_failures), cmocka_unit_test(test_scheme),
        cmocka_unit_test(test_build_link),     cmocka_unit_test(test_build_merges),
        cmocka_unit_test(test_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
