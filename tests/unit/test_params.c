/* Unit tests for http/params: query strings and form bodies with PHP-style names, percent
 * decoding, and the Cookie header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "http/params.h"

/* Parses q and returns the result as compact JSON (caller frees), with *rc and *bad set. */
static char *parse_full(const char *q, size_t len, int *rc, const char **bad, cw_arena_t *arena)
{
    json_t *obj = json_object();
    *bad = NULL;
    *rc = cw_params_parse_query(q, len, obj, arena, bad);
    char *out = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    return out;
}

/* Asserts that q parses without error to the JSON text want. */
static void check(const char *q, const char *want)
{
    cw_arena_t arena = CW_ARENA_INIT;
    int rc;
    const char *bad;
    char *got = parse_full(q, strlen(q), &rc, &bad, &arena);
    if (rc != 0 || strcmp(got, want) != 0)
        print_error("query \"%s\": got %s (rc=%d), want %s\n", q, got, rc, want);
    assert_int_equal(rc, 0);
    assert_string_equal(got, want);
    free(got);
    cw_arena_destroy(&arena);
}

/* Asserts that q is refused as not UTF-8, naming bad_want. */
static void check_bad(const char *q, const char *bad_want)
{
    cw_arena_t arena = CW_ARENA_INIT;
    int rc;
    const char *bad;
    char *got = parse_full(q, strlen(q), &rc, &bad, &arena);
    assert_int_equal(rc, -1);
    assert_non_null(bad);
    assert_string_equal(bad, bad_want);
    free(got);
    cw_arena_destroy(&arena);
}

static void test_empty(void **state)
{
    check("", "{}");
    check("&", "{}");
    check("&&&", "{}");
    check("=", "{}");
    check("=x", "{}");
    check("=x&=y&", "{}");
    /* A NULL pointer with no bytes is an empty query, not a crash. */
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *obj = json_object();
    assert_int_equal(cw_params_parse_query(NULL, 0, obj, &arena, NULL), 0);
    assert_int_equal(json_object_size(obj), 0);
    json_decref(obj);
    cw_arena_destroy(&arena);
}

static void test_simple(void **state)
{
    check("a=1", "{\"a\":\"1\"}");
    check("a=1&b=2", "{\"a\":\"1\",\"b\":\"2\"}");
    check("a", "{\"a\":\"\"}");
    check("a=", "{\"a\":\"\"}");
    check("a&b=", "{\"a\":\"\",\"b\":\"\"}");
    check("a=b=c", "{\"a\":\"b=c\"}");
    check("&a=1&&b=2&", "{\"a\":\"1\",\"b\":\"2\"}");
    /* Only '&' separates pairs, as in PHP. */
    check("a=1;b=2", "{\"a\":\"1;b=2\"}");
}

static void test_repeated_last_wins(void **state)
{
    check("a=1&a=2", "{\"a\":\"2\"}");
    check("a=1&b=2&a=3", "{\"a\":\"3\",\"b\":\"2\"}");
    /* A plain value replaces a list, and a list replaces a plain value. */
    check("a[]=1&a=2", "{\"a\":\"2\"}");
    check("a=1&a[]=2", "{\"a\":[\"2\"]}");
    check("a=1&a[b]=2", "{\"a\":{\"b\":\"2\"}}");
    check("a[b]=1&a=2", "{\"a\":\"2\"}");
}

static void test_plus_and_percent(void **state)
{
    check("a=x+y", "{\"a\":\"x y\"}");
    check("a+b=c", "{\"a b\":\"c\"}");
    check("+=+", "{\" \":\" \"}");
    check("a=%2B", "{\"a\":\"+\"}");
    check("a=%41%4a%4A", "{\"a\":\"AJJ\"}");
    check("a=%26%3D", "{\"a\":\"&=\"}");
    check("%61=1", "{\"a\":\"1\"}");
    /* Malformed escapes are kept as they are. */
    check("a=%zz", "{\"a\":\"%zz\"}");
    check("a=%4", "{\"a\":\"%4\"}");
    check("a=%", "{\"a\":\"%\"}");
    check("a=%%41", "{\"a\":\"%A\"}");
    check("a=%4g", "{\"a\":\"%4g\"}");
    check("a=%g4", "{\"a\":\"%g4\"}");
    check("a%=1", "{\"a%\":\"1\"}");
    /* Unicode through escapes. */
    check("a=%C3%A9", "{\"a\":\"\xc3\xa9\"}");
    check("%E2%82%AC=%F0%9F%98%80", "{\"\xe2\x82\xac\":\"\xf0\x9f\x98\x80\"}");
}

static void test_url_decode(void **state)
{
    char out[32];
    size_t n = cw_url_decode("a+b%20c", 7, out, 0);
    assert_int_equal(n, 7 - 2);
    assert_memory_equal(out, "a+b c", n);
    n = cw_url_decode("a+b%20c", 7, out, 1);
    assert_memory_equal(out, "a b c", n);
    n = cw_url_decode("%", 1, out, 1);
    assert_int_equal(n, 1);
    assert_memory_equal(out, "%", 1);
    n = cw_url_decode("%4", 2, out, 1);
    assert_int_equal(n, 2);
    n = cw_url_decode("%41", 3, out, 1);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 'A');
    /* The decoder must not read past len, even when a valid escape follows in memory. */
    n = cw_url_decode("%41", 2, out, 1);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "%4", 2);
    n = cw_url_decode("%00", 3, out, 1);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], '\0');
    assert_int_equal(cw_url_decode("", 0, out, 1), 0);
}

static void test_lists(void **state)
{
    check("queries[]=x&queries[]=y", "{\"queries\":[\"x\",\"y\"]}");
    check("queries[0]=x&queries[1]=y", "{\"queries\":[\"x\",\"y\"]}");
    check("queries%5B%5D=x&queries%5B%5D=y", "{\"queries\":[\"x\",\"y\"]}");
    check("a[0]=x&a[0]=y", "{\"a\":[\"y\"]}");
    /* A list has no holes: an index past the end appends. */
    check("a[5]=x", "{\"a\":[\"x\"]}");
    check("a[0]=x&a[7]=y", "{\"a\":[\"x\",\"y\"]}");
    check("a[][]=1", "{\"a\":[[\"1\"]]}");
    check("a[][b]=1&a[][b]=2", "{\"a\":[{\"b\":\"1\"},{\"b\":\"2\"}]}");
    check("a[0][b]=1&a[0][c]=2", "{\"a\":[{\"b\":\"1\",\"c\":\"2\"}]}");
    /* Ten digits are a name, not an index. */
    check("a[1234567890]=x", "{\"a\":{\"1234567890\":\"x\"}}");
    check("a[x1]=x", "{\"a\":{\"x1\":\"x\"}}");
    check("a[-1]=x", "{\"a\":{\"-1\":\"x\"}}");
}

static void test_nested(void **state)
{
    check("a[b][c]=1", "{\"a\":{\"b\":{\"c\":\"1\"}}}");
    check("a[b][c]=1&a[b][d]=2", "{\"a\":{\"b\":{\"c\":\"1\",\"d\":\"2\"}}}");
    check("a[b]=1&a[c][]=2", "{\"a\":{\"b\":\"1\",\"c\":[\"2\"]}}");
    /* PHP ignores what follows the last bracket pair. */
    check("a[b]c=1", "{\"a\":{\"b\":\"1\"}}");
    check("a[b]]=1", "{\"a\":{\"b\":\"1\"}}");
    check("a[b][=1", "{\"a\":{\"b\":\"1\"}}");
    check("a[b]x[c]=1", "{\"a\":{\"b\":\"1\"}}");
    check("a[]x=1", "{\"a\":[\"1\"]}");
    check("a[[b]]=1", "{\"a\":{\"[b\":\"1\"}}");
    check("prefs[theme]=dark&prefs[size]=2", "{\"prefs\":{\"theme\":\"dark\",\"size\":\"2\"}}");
}

static void test_odd_brackets(void **state)
{
    /* An opening bracket with no closing one leaves a plain name. */
    check("a[=x", "{\"a[\":\"x\"}");
    check("a[b=x", "{\"a[b\":\"x\"}");
    check("a]=x", "{\"a]\":\"x\"}");
    check("a]b[=x", "{\"a]b[\":\"x\"}");
    /* A name that starts with a bracket has no base to nest under: it is kept as it is. */
    check("[]=x", "{\"[]\":\"x\"}");
    check("[a]=x", "{\"[a]\":\"x\"}");
    check("[=x", "{\"[\":\"x\"}");
    check("]=x", "{\"]\":\"x\"}");
}

static void test_mixing(void **state)
{
    /* Once a list, names are appended; once an object, an empty name is a key. Both keep every
     * value and never crash. */
    check("a[]=1&a[x]=2", "{\"a\":[\"1\",\"2\"]}");
    check("a[x]=1&a[]=2", "{\"a\":{\"x\":\"1\",\"\":\"2\"}}");
    check("a[0]=1&a[x][y]=2", "{\"a\":[\"1\",{\"y\":\"2\"}]}");
    check("a[x]=1&a[0]=2", "{\"a\":{\"x\":\"1\",\"0\":\"2\"}}");
    /* A string in the way is replaced by a container. */
    check("a[b]=1&a[b][c]=2", "{\"a\":{\"b\":{\"c\":\"2\"}}}");
    check("a[0]=1&a[0][]=2", "{\"a\":[[\"2\"]]}");
}

static void test_depth(void **state)
{
    /* CW_PARAMS_MAX_DEPTH bracket pairs nest; further ones are ignored. */
    check("a[b][c][d][e][f][g][h][i]=1",
          "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":\"1\"}}}}}}}}}");
    check("a[b][c][d][e][f][g][h][i][j]=1",
          "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":\"1\"}}}}}}}}}");
    /* A thousand brackets is no trouble either. */
    cw_buf_t q = CW_BUF_INIT;
    cw_buf_append_str(&q, "a");
    for (int i = 0; i < 1000; i++)
        cw_buf_append_str(&q, "[]");
    cw_buf_append_str(&q, "=v");
    check(q.ptr, "{\"a\":[[[[[[[[\"v\"]]]]]]]]}");
    cw_buf_free(&q);
}

static void test_nul_bytes(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *obj = json_object();
    const char *q = "a%00b=c%00d&e=%00";
    assert_int_equal(cw_params_parse_query(q, strlen(q), obj, &arena, NULL), 0);
    assert_int_equal(json_object_size(obj), 2);
    json_t *v = json_object_getn(obj, "a\0b", 3);
    assert_non_null(v);
    assert_int_equal(json_string_length(v), 3);
    assert_memory_equal(json_string_value(v), "c\0d", 3);
    v = json_object_get(obj, "e");
    assert_int_equal(json_string_length(v), 1);
    /* A raw NUL inside the bytes is data too: the parser never stops at one. */
    json_object_clear(obj);
    static const char raw[] = "x=1\0&y=2";
    assert_int_equal(cw_params_parse_query(raw, sizeof(raw) - 1, obj, &arena, NULL), 0);
    assert_int_equal(json_string_length(json_object_get(obj, "x")), 2);
    assert_string_equal(json_string_value(json_object_get(obj, "y")), "2");
    json_decref(obj);
    cw_arena_destroy(&arena);
}

static void test_invalid_utf8(void **state)
{
    check_bad("a=%ff", "a");
    check_bad("a=%c3", "a");
    check_bad("a=%c3%28", "a");
    check_bad("a=%c0%80", "a");       /* overlong NUL */
    check_bad("a=%ed%a0%80", "a");    /* surrogate */
    check_bad("a=%f4%90%80%80", "a"); /* past U+10FFFF */
    check_bad("ok=1&a[b]=%ff", "a[b]");
    /* A name that is not UTF-8 cannot be named back: the name is empty. */
    check_bad("%ff=1", "");
    check_bad("%ff=%ff", "");
    /* Raw bytes are checked the same way as escaped ones. */
    check_bad("a=\xff", "a");
    /* bad_name may be NULL. */
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *obj = json_object();
    assert_int_equal(cw_params_parse_query("a=%ff", 5, obj, &arena, NULL), -1);
    json_decref(obj);
    cw_arena_destroy(&arena);
}

static void test_max_count(void **state)
{
    cw_buf_t q = CW_BUF_INIT;
    for (int i = 0; i < CW_PARAMS_MAX_COUNT + 500; i++)
        cw_buf_printf(&q, "%sp%d=%d", i ? "&" : "", i, i);
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *obj = json_object();
    assert_int_equal(cw_params_parse_query(q.ptr, q.len, obj, &arena, NULL), 0);
    assert_int_equal(json_object_size(obj), CW_PARAMS_MAX_COUNT);
    assert_non_null(json_object_get(obj, "p999"));
    assert_null(json_object_get(obj, "p1000"));
    /* Empty pairs and nameless ones do not count. */
    json_object_clear(obj);
    cw_buf_reset(&q);
    for (int i = 0; i < CW_PARAMS_MAX_COUNT; i++)
        cw_buf_append_str(&q, "&=x&");
    cw_buf_append_str(&q, "last=1");
    assert_int_equal(cw_params_parse_query(q.ptr, q.len, obj, &arena, NULL), 0);
    assert_non_null(json_object_get(obj, "last"));
    json_decref(obj);
    cw_arena_destroy(&arena);
    cw_buf_free(&q);
}

static void test_long_input(void **state)
{
    size_t n = 1 << 20;
    char *q = cw_malloc(n + 3);
    memcpy(q, "a=", 2);
    memset(q + 2, 'x', n);
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *obj = json_object();
    assert_int_equal(cw_params_parse_query(q, n + 2, obj, &arena, NULL), 0);
    assert_int_equal(json_string_length(json_object_get(obj, "a")), n);
    /* A long name as well. */
    memset(q, 'k', n);
    memcpy(q + n, "=1", 2);
    json_object_clear(obj);
    assert_int_equal(cw_params_parse_query(q, n + 2, obj, &arena, NULL), 0);
    assert_int_equal(json_object_size(obj), 1);
    json_decref(obj);
    cw_arena_destroy(&arena);
    free(q);
}

/* Splits h and checks the pairs against want, "name=value" each. */
static void check_cookies(const char *h, size_t max, const char *const *want, size_t nwant)
{
    cw_cookie_t out[128];
    assert_true(max <= 128);
    size_t n = cw_cookies_parse(h, strlen(h), out, max);
    if (n != nwant)
        print_error("cookies \"%s\": %zu pairs, want %zu\n", h, n, nwant);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++) {
        char got[256];
        snprintf(got, sizeof(got), "%.*s=%.*s", (int)out[i].name.len, out[i].name.ptr,
                 (int)out[i].value.len, out[i].value.ptr);
        assert_string_equal(got, want[i]);
    }
}

#define CHECK_COOKIES(h, ...)                                                                      \
    do {                                                                                           \
        static const char *const w_[] = {__VA_ARGS__};                                             \
        check_cookies((h), 128, w_, sizeof(w_) / sizeof(w_[0]));                                   \
    } while (0)

static void test_cookies_basic(void **state)
{
    cw_cookie_t out[4];
    assert_int_equal(cw_cookies_parse("", 0, out, 4), 0);
    assert_int_equal(cw_cookies_parse(NULL, 0, out, 4), 0);
    assert_int_equal(cw_cookies_parse(";;;", 3, out, 4), 0);
    assert_int_equal(cw_cookies_parse(" ; ; ", 5, out, 4), 0);
    assert_int_equal(cw_cookies_parse("a=1", 3, out, 0), 0);
    CHECK_COOKIES("a=1", "a=1");
    CHECK_COOKIES("a=1; b=2", "a=1", "b=2");
    CHECK_COOKIES("a=1;b=2;", "a=1", "b=2");
    CHECK_COOKIES("a=", "a=");
    CHECK_COOKIES("a=b=c", "a=b=c");
    CHECK_COOKIES("a=1; a=2", "a=1", "a=2");
    CHECK_COOKIES("a_session_x=abc%3D%3D", "a_session_x=abc%3D%3D");
}

static void test_cookies_spaces(void **state)
{
    CHECK_COOKIES("  a  =  1  ;   b=2  ", "a=1", "b=2");
    CHECK_COOKIES("\ta\t=\t1\t", "a=1");
    CHECK_COOKIES("a=1 2", "a=1 2");
    CHECK_COOKIES("a b=1", "a b=1");
}

static void test_cookies_quotes(void **state)
{
    CHECK_COOKIES("a=\"x y\"", "a=x y");
    CHECK_COOKIES("a=\"\"", "a=");
    CHECK_COOKIES("a=\"", "a=\"");
    CHECK_COOKIES("a=\"x", "a=\"x");
    CHECK_COOKIES("a=x\"", "a=x\"");
    CHECK_COOKIES("a= \"x\" ", "a=x");
    CHECK_COOKIES("a=\"\"\"", "a=\"");
}

static void test_cookies_skipped(void **state)
{
    /* No '=' or an empty name: skipped, and the pairs around them still count. */
    CHECK_COOKIES("=x; b=1", "b=1");
    CHECK_COOKIES(" =x; b=1", "b=1");
    CHECK_COOKIES("foo; b=1", "b=1");
    CHECK_COOKIES("foo;bar;b=1;baz", "b=1");
    CHECK_COOKIES("=; b=1", "b=1");
    cw_cookie_t out[2];
    assert_int_equal(cw_cookies_parse("a;b;c", 5, out, 2), 0);
}

static void test_cookies_max(void **state)
{
    cw_buf_t h = CW_BUF_INIT;
    for (int i = 0; i < 200; i++)
        cw_buf_printf(&h, "c%d=%d; ", i, i);
    cw_cookie_t out[64];
    size_t n = cw_cookies_parse(h.ptr, h.len, out, 64);
    assert_int_equal(n, 64);
    assert_true(cw_str_eq_cstr(out[63].name, "c63"));
    assert_true(cw_str_eq_cstr(out[63].value, "63"));
    /* Exactly max pairs: all of them. */
    n = cw_cookies_parse("a=1;b=2", 7, out, 2);
    assert_int_equal(n, 2);
    cw_buf_free(&h);
}

static void test_cookies_binary(void **state)
{
    /* Slices carry their length: NUL bytes and high bytes pass through. */
    static const char h[] = "a=\0x; \xff=\xfe";
    cw_cookie_t out[4];
    size_t n = cw_cookies_parse(h, sizeof(h) - 1, out, 4);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].value.len, 2);
    assert_memory_equal(out[0].value.ptr, "\0x", 2);
    assert_int_equal(out[1].name.len, 1);
    assert_int_equal((unsigned char)out[1].name.ptr[0], 0xff);
    /* The parser stays within len even when the bytes after it would continue the header. */
    n = cw_cookies_parse("a=1; b=2", 3, out, 4);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].value.len, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_repeated_last_wins),
        cmocka_unit_test(test_plus_and_percent),
        cmocka_unit_test(test_url_decode),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_nested),
        cmocka_unit_test(test_odd_brackets),
        cmocka_unit_test(test_mixing),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_max_count),
        cmocka_unit_test(test_long_input),
        cmocka_unit_test(test_cookies_basic),
        cmocka_unit_test(test_cookies_spaces),
        cmocka_unit_test(test_cookies_quotes),
        cmocka_unit_test(test_cookies_skipped),
        cmocka_unit_test(test_cookies_max),
        cmocka_unit_test(test_cookies_binary),
    };
    return cmocka_run_group_tests_name("params", tests, NULL, NULL);
}
