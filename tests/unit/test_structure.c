/* Unit tests for db/structure: the value rules (formats, sizes, ranges, dates) and whole
 * documents against a collection, with the messages Appwrite's Structure validator gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/structure.h"

static bool email(const char *s)
{
    return cw_structure_email_valid(s, strlen(s));
}

static bool url(const char *s)
{
    return cw_structure_url_valid(s, strlen(s));
}

static bool ip(const char *s)
{
    return cw_structure_ip_valid(s, strlen(s));
}

static void test_email(void **state)
{
    assert_true(email("ann@example.com"));
    assert_true(email("Ann.Lee+tag@mail.example.co.uk"));
    assert_true(email(" ann@example.com "));
    assert_true(email("\"odd name\"@example.com"));
    assert_true(email("ann@[10.0.0.1]"));
    assert_true(email("ann@xn--bcher-kva.example"));
    assert_false(email(""));
    assert_false(email("ann"));
    assert_false(email("ann@"));
    assert_false(email("@example.com"));
    assert_false(email("ann@localhost"));   /* PHP wants a dotted domain */
    assert_false(email("ann@example.123")); /* and a top level starting with a letter */
    assert_false(email("a..b@example.com"));
    assert_false(email(".ann@example.com"));
    assert_false(email("ann@-example.com"));
    assert_false(email("ann@@example.com"));
    assert_false(email("änn@example.com"));
    char longlocal[80];
    memset(longlocal, 'a', 65);
    snprintf(longlocal + 65, sizeof(longlocal) - 65, "@x.io");
    assert_false(email(longlocal));
}

static void test_url(void **state)
{
    assert_true(url("https://example.com"));
    assert_true(url("http://user:pw@example.com:8080/a/b?c=d#e"));
    assert_true(url("https://[::1]:443/"));
    assert_true(url("ftp://files.example.com/x"));
    assert_true(url("mailto:ann@example.com"));
    assert_true(url("https://example.com./"));
    assert_false(url(""));
    assert_false(url("example.com"));
    assert_false(url("https://"));
    assert_false(url("https://exa mple.com"));
    assert_false(url("https://-bad.com"));
    assert_false(url("https://example.com:80a"));
    assert_false(url("http:/example.com"));
    assert_false(url("https://exämple.com"));
}

static void test_ip(void **state)
{
    assert_true(ip("127.0.0.1"));
    assert_true(ip("::1"));
    assert_true(ip("2001:db8::ff00:42:8329"));
    assert_true(ip("::ffff:192.0.2.1"));
    assert_false(ip("256.0.0.1"));
    assert_false(ip("1.2.3"));
    assert_false(ip("01.2.3.4"));
    assert_false(ip(""));
    assert_false(ip("example.com"));
}

static void test_datetime(void **state)
{
    int64_t ms;
    assert_true(cw_structure_datetime_valid("2020-01-01", 10, &ms));
    assert_true(ms == 1577836800000LL);
    assert_true(cw_structure_datetime_valid("1000-01-01T00:00:00Z", 20, NULL));
    assert_true(cw_structure_datetime_valid("9999-12-31T23:59:59+00:00", 25, NULL));
    assert_false(cw_structure_datetime_valid("0999-12-31", 10, NULL));
    assert_false(cw_structure_datetime_valid("9999-12-31T23:59:59.500Z", 24, NULL));
    assert_false(cw_structure_datetime_valid("yesterday", 9, NULL));
    assert_false(cw_structure_datetime_valid("", 0, NULL));
    assert_false(cw_structure_datetime_valid("2020-02-30", 10, NULL));
}

static void test_numbers(void **state)
{
    char buf[512];
    cw_structure_int_format(0, buf, sizeof(buf));
    assert_string_equal(buf, "0");
    cw_structure_int_format(1234567, buf, sizeof(buf));
    assert_string_equal(buf, "1,234,567");
    cw_structure_int_format(INT64_MIN, buf, sizeof(buf));
    assert_string_equal(buf, "-9,223,372,036,854,775,808");
    cw_structure_number_format(-1.5, buf, sizeof(buf));
    assert_string_equal(buf, "-2");
    cw_structure_number_format(999.4, buf, sizeof(buf));
    assert_string_equal(buf, "999");
    cw_structure_number_format(DBL_MAX, buf, sizeof(buf));
    assert_true(strncmp(buf, "179,769,313,486,231,57", 22) == 0);
}

/* A collection with one attribute of each kind the validator knows. */
static cw_collection_t *sample(void)
{
    cw_collection_t *c = calloc(1, sizeof(*c));
    c->id = strdup("c");
    c->permissions = json_array();
    c->nattrs = 9;
    c->attrs = calloc(c->nattrs, sizeof(*c->attrs));
    struct {
        const char *key, *api;
        cw_attr_type_t type;
        cw_attr_format_t fmt;
        int64_t size;
        bool required, array;
    } defs[] = {
        {"name", "string", CW_ATTR_STRING, CW_FORMAT_NONE, 5, true, false},
        {"body", "text", CW_ATTR_STRING, CW_FORMAT_NONE, 6, false, false},
        {"mail", "string", CW_ATTR_STRING, CW_FORMAT_EMAIL, 254, false, false},
        {"kind", "string", CW_ATTR_STRING, CW_FORMAT_ENUM, 255, false, false},
        {"n", "integer", CW_ATTR_INTEGER, CW_FORMAT_NONE, 4, false, false},
        {"f", "double", CW_ATTR_FLOAT, CW_FORMAT_NONE, 0, false, false},
        {"b", "boolean", CW_ATTR_BOOLEAN, CW_FORMAT_NONE, 0, false, false},
        {"d", "datetime", CW_ATTR_DATETIME, CW_FORMAT_NONE, 0, false, false},
        {"tags", "string", CW_ATTR_STRING, CW_FORMAT_NONE, 3, false, true},
    };
    for (size_t i = 0; i < c->nattrs; i++) {
        cw_attr_t *a = &c->attrs[i];
        a->key = strdup(defs[i].key);
        a->api_type = strdup(defs[i].api);
        a->type = defs[i].type;
        a->format = defs[i].fmt;
        a->size = defs[i].size;
        a->size_bytes = strcmp(defs[i].api, "text") == 0;
        a->required = defs[i].required;
        a->array = defs[i].array;
    }
    c->attrs[3].elements = json_pack("[ss]", "x", "y");
    c->attrs[4].has_min = c->attrs[4].has_max = true;
    c->attrs[4].min_int = -10;
    c->attrs[4].max_int = 10;
    c->attrs[5].has_min = c->attrs[5].has_max = true;
    c->attrs[5].min = 0;
    c->attrs[5].max = 1;
    return c;
}

static void expect(const cw_collection_t *c, const char *doc, const char *want)
{
    char msg[512];
    json_t *d = json_loads(doc, 0, NULL);
    assert_non_null(d);
    int rc = cw_structure_validate(c, d, msg, sizeof(msg));
    json_decref(d);
    if (want == NULL) {
        if (rc != 0)
            print_error("%s: %s\n", doc, msg);
        assert_int_equal(rc, 0);
        return;
    }
    assert_int_equal(rc, -1);
    if (strstr(msg, want) == NULL)
        print_error("%s: got \"%s\", want it to contain \"%s\"\n", doc, msg, want);
    assert_non_null(strstr(msg, want));
}

static void test_documents(void **state)
{
    cw_collection_t *c = sample();
    expect(c, "{\"$id\":\"a\",\"$permissions\":[],\"name\":\"abc\"}", NULL);
    expect(c, "{\"name\":\"héllo\"}", NULL); /* five characters, six bytes */
    expect(c, "{\"name\":\"abc\",\"body\":\"éééé\"}", "no longer than 6 bytes");
    expect(c, "{}", "Missing required attribute \"name\"");
    expect(c, "{\"name\":null}", "Missing required attribute \"name\"");
    expect(c, "{\"name\":\"a\",\"x\":1}", "Unknown attribute: \"x\"");
    expect(c, "{\"name\":\"a\",\"$x\":1}", "Unknown attribute: \"$x\"");
    expect(c, "{\"name\":\"abcdef\"}",
           "Attribute \"name\" has invalid type. Value must be a valid "
           "string and no longer than 5 chars");
    expect(c, "{\"name\":\"a\",\"mail\":\"no\"}",
           "Attribute \"mail\" has invalid format. Value "
           "must be a valid email address");
    expect(c, "{\"name\":\"a\",\"kind\":\"z\"}", "Value must be one of (x, y)");
    expect(c, "{\"name\":\"a\",\"kind\":\"x\",\"mail\":null}", NULL);
    expect(c, "{\"name\":\"a\",\"n\":11}",
           "has invalid format. Value must be a valid range between "
           "-10 and 10");
    expect(c, "{\"name\":\"a\",\"n\":3000000000}", "signed 32-bit integer");
    expect(c, "{\"name\":\"a\",\"n\":\"1\"}", "signed 32-bit integer");
    expect(c, "{\"name\":\"a\",\"f\":1}", NULL);
    expect(c, "{\"name\":\"a\",\"f\":1.5}", "between 0 and 1");
    expect(c, "{\"name\":\"a\",\"f\":true}", "Value must be a valid float");
    expect(c, "{\"name\":\"a\",\"b\":0}", "Value must be a valid boolean");
    expect(c, "{\"name\":\"a\",\"d\":\"2020-01-01T00:00:00.000+00:00\"}", NULL);
    expect(c, "{\"name\":\"a\",\"d\":\"soon\"}", "Value must be valid date");
    expect(c, "{\"name\":\"a\",\"tags\":[\"ab\",null]}", NULL);
    expect(c, "{\"name\":\"a\",\"tags\":[]}", NULL);
    expect(c, "{\"name\":\"a\",\"tags\":\"ab\"}", "Attribute \"tags\" must be an array");
    expect(c, "{\"name\":\"a\",\"tags\":[\"abcd\"]}", "Attribute \"tags['0']\" has invalid type");
    expect(c, "{\"name\":\"a\",\"$createdAt\":\"nope\"}", "\"$createdAt\" has invalid type");
    expect(c, "{\"name\":\"a\",\"$permissions\":[1]}", "$permissions");
    cw_collection_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email),   cmocka_unit_test(test_url),
        cmocka_unit_test(test_ip),      cmocka_unit_test(test_datetime),
        cmocka_unit_test(test_numbers), cmocka_unit_test(test_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
