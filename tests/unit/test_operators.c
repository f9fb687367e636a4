/* Unit tests for db/operators: which values are operators, each method's result on the value an
 * attribute holds (bounds keep the value, missing values start at 0, [] or ""), and the refusals
 * with utopia's messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/operators.h"

static const char now[] = "2026-01-02T03:04:05.678+00:00";

static cw_attr_t attr(const char *key, cw_attr_type_t type, bool array, int64_t size)
{
    cw_attr_t a;
    memset(&a, 0, sizeof(a));
    a.key = (char *)key;
    a.type = type;
    a.array = array;
    a.size = size;
    return a;
}

/* Parses op (an operator's JSON text) and applies it to cur (JSON text, or NULL); returns the
 * result as compact JSON text (static buffer), or "!" followed by the message on refusal. */
static const char *run(const char *op, const cw_attr_t *a, const char *cur)
{
    static char out[1024];
    json_t *text = json_string(op), *parsed = NULL, *current = NULL, *result = NULL;
    char msg[400];
    int rc = cw_operator_parse(text, &parsed, msg, sizeof(msg));
    assert_int_equal(rc, 1);
    if (cur != NULL)
        current = json_loads(cur, JSON_DECODE_ANY, NULL);
    if (cw_operator_apply(parsed, a, current, now, &result, msg, sizeof(msg)) != 0) {
        snprintf(out, sizeof(out), "!%s", msg);
    } else {
        char *dump = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(out, sizeof(out), "%s", dump);
        free(dump);
    }
    json_decref(result);
    json_decref(current);
    json_decref(parsed);
    json_decref(text);
    return out;
}

static void test_parse(void **state)
{
    json_t *op = NULL;
    char msg[256];
    json_t *v = json_string("{\"method\":\"increment\",\"values\":[1]}");
    assert_int_equal(cw_operator_parse(v, &op, msg, sizeof(msg)), 1);
    assert_string_equal(json_string_value(json_object_get(op, "method")), "increment");
    json_decref(op);
    json_decref(v);

    /* Ordinary values: plain strings, JSON that names no method, numbers. */
    const char *plain[] = {"hello", "{\"method\":\"nope\",\"values\":[]}", "{not json", "[1,2]",
                           "{\"values\":[1]}"};
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        v = json_string(plain[i]);
        assert_int_equal(cw_operator_parse(v, &op, msg, sizeof(msg)), 0);
        assert_null(op);
        json_decref(v);
    }
    v = json_integer(5);
    assert_int_equal(cw_operator_parse(v, &op, msg, sizeof(msg)), 0);
    json_decref(v);

    /* An object is taken as it is, and missing values mean none. */
    v = json_pack("{s:s}", "method", "toggle");
    assert_int_equal(cw_operator_parse(v, &op, msg, sizeof(msg)), 1);
    assert_true(json_is_array(json_object_get(op, "values")));
    json_decref(op);
    json_decref(v);

    /* Malformed operators. */
    v = json_string("{\"method\":\"increment\",\"values\":5}");
    assert_int_equal(cw_operator_parse(v, &op, msg, sizeof(msg)), -1);
    assert_string_equal(msg, "Invalid operator values. Must be an array, got integer");
    json_decref(v);
    v = json_string("{\"method\":\"increment\",\"attribute\":[],\"values\":[1]}");
    assert_int_equal(cw_operator_parse(v, &op, msg, sizeof(msg)), -1);
    assert_string_equal(msg, "Invalid operator attribute. Must be a string, got array");
    json_decref(v);
}

static void test_numeric(void **state)
{
    cw_attr_t i = attr("count", CW_ATTR_INTEGER, false, 4);
    cw_attr_t big = attr("big", CW_ATTR_INTEGER, false, 8);
    big.api_type = (char *)"bigint";
    cw_attr_t f = attr("score", CW_ATTR_FLOAT, false, 0);

    assert_string_equal(run("{\"method\":\"increment\",\"values\":[1]}", &i, "5"), "6");
    assert_string_equal(run("{\"method\":\"increment\",\"values\":[3]}", &i, NULL), "3");
    assert_string_equal(run("{\"method\":\"increment\",\"values\":[5,10]}", &i, "5"), "10");
    assert_string_equal(run("{\"method\":\"increment\",\"values\":[6,10]}", &i, "5"), "5");
    assert_string_equal(run("{\"method\":\"decrement\",\"values\":[2]}", &i, "5"), "3");
    assert_string_equal(run("{\"method\":\"decrement\",\"values\":[10,0]}", &i, "5"), "5");
    assert_string_equal(run("{\"method\":\"multiply\",\"values\":[3]}", &i, "5"), "15");
    assert_string_equal(run("{\"method\":\"multiply\",\"values\":[10,40]}", &i, "5"), "5");
    assert_string_equal(run("{\"method\":\"divide\",\"values\":[2]}", &i, "10"), "5");
    assert_string_equal(run("{\"method\":\"divide\",\"values\":[2]}", &i, "7"), "4");
    assert_string_equal(run("{\"method\":\"divide\",\"values\":[10,2]}", &i, "10"), "10");
    assert_string_equal(run("{\"method\":\"modulo\",\"values\":[3]}", &i, "10"), "1");
    assert_string_equal(run("{\"method\":\"modulo\",\"values\":[3]}", &i, "-10"), "-1");
    assert_string_equal(run("{\"method\":\"power\",\"values\":[2]}", &i, "5"), "25");
    assert_string_equal(run("{\"method\":\"power\",\"values\":[3,100]}", &i, "5"), "5");
    assert_string_equal(run("{\"method\":\"power\",\"values\":[-1]}", &i, "0"), "0");

    assert_string_equal(run("{\"method\":\"increment\",\"values\":[0.5]}", &f, "1.25"), "1.75");
    assert_string_equal(run("{\"method\":\"divide\",\"values\":[4]}", &f, "1"), "0.25");
    assert_string_equal(run("{\"method\":\"decrement\",\"values\":[0.5,0]}", &f, "0.25"), "0.25");
    assert_string_equal(run("{\"method\":\"modulo\",\"values\":[2]}", &f, "5.5"), "1.5");

    /* Integers stay within what the attribute holds. */
    assert_string_equal(run("{\"method\":\"increment\",\"values\":[1]}", &i, "2147483647"),
                        "!Cannot apply increment operator: would overflow maximum value of "
                        "2147483647");
    assert_string_equal(run("{\"method\":\"decrement\",\"values\":[1]}", &i, "-2147483648"),
                        "!Cannot apply decrement operator: would underflow minimum value of "
                        "-2147483648");
    assert_string_equal(run("{\"method\":\"increment\",\"values\":[1]}", &big, "2147483647"),
                        "2147483648");
    /* An integer stored in 8 bytes is still held to 32 bits, as utopia checks it. */
    cw_attr_t wide = attr("wide", CW_ATTR_INTEGER, false, 8);
    assert_string_equal(run("{\"method\":\"increment\",\"values\":[1]}", &wide, "2147483647"),
                        "!Cannot apply increment operator: would overflow maximum value of "
                        "2147483647");
    assert_string_equal(
        run("{\"method\":\"increment\",\"values\":[1]}", &big, "9223372036854775807"),
        "!Cannot apply increment operator: would overflow maximum value of 9223372036854775807");
    assert_string_equal(
        run("{\"method\":\"multiply\",\"values\":[2,100]}", &big, "9223372036854775807"),
        "9223372036854775807");

    /* Refusals. */
    cw_attr_t s = attr("name", CW_ATTR_STRING, false, 10);
    assert_string_equal(run("{\"method\":\"increment\",\"values\":[1]}", &s, "\"x\""),
                        "!Cannot apply increment operator to non-numeric field 'name'");
    assert_string_equal(run("{\"method\":\"increment\",\"values\":[\"1\"]}", &i, "1"),
                        "!Cannot apply increment operator: value must be numeric, got string");
    assert_string_equal(run("{\"method\":\"multiply\",\"values\":[]}", &i, "1"),
                        "!Cannot apply multiply operator: value must be numeric, got NULL");
    assert_string_equal(run("{\"method\":\"divide\",\"values\":[0]}", &i, "1"),
                        "!Cannot apply divide operator: division by zero");
    assert_string_equal(run("{\"method\":\"modulo\",\"values\":[0]}", &i, "1"),
                        "!Cannot apply modulo operator: modulo by zero");
    assert_string_equal(run("{\"method\":\"increment\",\"values\":[1,\"9\"]}", &i, "1"),
                        "!Cannot apply increment operator: max/min limit must be numeric, got "
                        "string");
}

static void test_arrays(void **state)
{
    cw_attr_t t = attr("tags", CW_ATTR_STRING, true, 10);
    cw_attr_t n = attr("nums", CW_ATTR_INTEGER, true, 4);
    cw_attr_t one = attr("name", CW_ATTR_STRING, false, 10);

    assert_string_equal(
        run("{\"method\":\"arrayAppend\",\"values\":[\"c\",\"d\"]}", &t, "[\"a\",\"b\"]"),
        "[\"a\",\"b\",\"c\",\"d\"]");
    assert_string_equal(run("{\"method\":\"arrayAppend\",\"values\":[\"x\"]}", &t, NULL),
                        "[\"x\"]");
    assert_string_equal(run("{\"method\":\"arrayPrepend\",\"values\":[\"z\"]}", &t, "[\"a\"]"),
                        "[\"z\",\"a\"]");
    assert_string_equal(run("{\"method\":\"arrayInsert\",\"values\":[1,99]}", &n, "[1,2,3]"),
                        "[1,99,2,3]");
    assert_string_equal(run("{\"method\":\"arrayInsert\",\"values\":[3,4]}", &n, "[1,2,3]"),
                        "[1,2,3,4]");
    assert_string_equal(run("{\"method\":\"arrayInsert\",\"values\":[5,4]}", &n, "[1,2,3]"),
                        "!Cannot apply arrayInsert operator: index 5 is out of bounds for array "
                        "of length 3");
    assert_string_equal(run("{\"method\":\"arrayInsert\",\"values\":[-1,4]}", &n, "[]"),
                        "!Cannot apply arrayInsert operator: index must be a non-negative integer");
    assert_string_equal(run("{\"method\":\"arrayInsert\",\"values\":[0]}", &n, "[]"),
                        "!Cannot apply arrayInsert operator: requires exactly 2 values (index and "
                        "value)");
    assert_string_equal(run("{\"method\":\"arrayRemove\",\"values\":[2]}", &n, "[1,2,3,2]"),
                        "[1,3]");
    assert_string_equal(run("{\"method\":\"arrayRemove\",\"values\":[[1,3]]}", &n, "[1,2,3]"),
                        "[2]");
    assert_string_equal(run("{\"method\":\"arrayRemove\",\"values\":[]}", &n, "[1]"),
                        "!Cannot apply arrayRemove operator: requires a value to remove");
    assert_string_equal(
        run("{\"method\":\"arrayUnique\",\"values\":[]}", &t, "[\"a\",\"b\",\"a\",\"c\",\"b\"]"),
        "[\"a\",\"b\",\"c\"]");
    assert_string_equal(run("{\"method\":\"arrayIntersect\",\"values\":[\"b\",\"c\",\"e\"]}", &t,
                            "[\"a\",\"b\",\"c\",\"d\"]"),
                        "[\"b\",\"c\"]");
    assert_string_equal(run("{\"method\":\"arrayIntersect\",\"values\":[]}", &t, "[\"a\"]"),
                        "!arrayIntersect operator requires a non-empty array value");
    assert_string_equal(
        run("{\"method\":\"arrayDiff\",\"values\":[\"y\",\"z\"]}", &t, "[\"x\",\"y\",\"z\",\"w\"]"),
        "[\"x\",\"w\"]");
    assert_string_equal(
        run("{\"method\":\"arrayFilter\",\"values\":[\"greaterThan\",5]}", &n, "[1,6,3,9]"),
        "[6,9]");
    assert_string_equal(
        run("{\"method\":\"arrayFilter\",\"values\":[\"equal\",\"a\"]}", &t, "[\"a\",\"b\",\"a\"]"),
        "[\"a\",\"a\"]");
    assert_string_equal(
        run("{\"method\":\"arrayFilter\",\"values\":[\"isNotNull\"]}", &t, "[\"a\",null]"),
        "[\"a\"]");
    assert_string_equal(run("{\"method\":\"arrayFilter\",\"values\":[\"around\",1]}", &n, "[1]"),
                        "!Invalid array filter condition 'around'. Must be one of: equal, "
                        "notEqual, greaterThan, greaterThanEqual, lessThan, lessThanEqual, "
                        "isNull, isNotNull");
    assert_string_equal(run("{\"method\":\"arrayFilter\",\"values\":[5]}", &n, "[1]"),
                        "!Cannot apply arrayFilter operator: condition must be a string");
    assert_string_equal(run("{\"method\":\"arrayAppend\",\"values\":[\"x\"]}", &one, "\"a\""),
                        "!Cannot apply arrayAppend operator to non-array field 'name'");
    assert_string_equal(run("{\"method\":\"arrayDiff\",\"values\":[\"x\"]}", &one, "\"a\""),
                        "!Cannot use arrayDiff operator on non-array attribute 'name'");
    assert_string_equal(run("{\"method\":\"arrayAppend\",\"values\":[3000000000]}", &n, "[]"),
                        "!Cannot apply arrayAppend operator: array items must be between "
                        "-2147483648 and 2147483647");

    /* Lists past the cap are refused before anything is done. */
    json_t *op = json_pack("{s:s,s:[]}", "method", "arrayAppend", "values"), *r = NULL;
    for (int k = 0; k <= CW_OPERATOR_ARRAY_MAX; k++)
        json_array_append_new(json_object_get(op, "values"), json_string("v"));
    char msg[256];
    assert_int_equal(cw_operator_apply(op, &t, NULL, now, &r, msg, sizeof(msg)), -1);
    assert_string_equal(msg, "Array size 10001 exceeds maximum allowed size of 10000 for array "
                             "operations");
    json_decref(op);
}

static void test_strings_booleans_dates(void **state)
{
    cw_attr_t s = attr("title", CW_ATTR_STRING, false, 12);
    cw_attr_t b = attr("active", CW_ATTR_BOOLEAN, false, 0);
    cw_attr_t d = attr("since", CW_ATTR_DATETIME, false, 0);

    assert_string_equal(run("{\"method\":\"stringConcat\",\"values\":[\" two\"]}", &s, "\"one\""),
                        "\"one two\"");
    assert_string_equal(run("{\"method\":\"stringConcat\",\"values\":[\"x\"]}", &s, NULL), "\"x\"");
    assert_string_equal(
        run("{\"method\":\"stringConcat\",\"values\":[\"-too-long\"]}", &s, "\"abcdef\""),
        "!Cannot apply stringConcat operator: result would exceed maximum length "
        "of 12 characters");
    assert_string_equal(run("{\"method\":\"stringConcat\",\"values\":[1]}", &s, "\"a\""),
                        "!Cannot apply stringConcat operator: requires a string value");
    assert_string_equal(
        run("{\"method\":\"stringReplace\",\"values\":[\"o\",\"0\"]}", &s, "\"foo boo\""),
        "\"f00 b00\"");
    assert_string_equal(run("{\"method\":\"stringReplace\",\"values\":[\"o\",\"0\"]}", &s, NULL),
                        "null");
    assert_string_equal(run("{\"method\":\"stringReplace\",\"values\":[\"o\"]}", &s, "\"a\""),
                        "!Cannot apply stringReplace operator: requires exactly 2 string values "
                        "(search and replace)");
    assert_string_equal(run("{\"method\":\"stringConcat\",\"values\":[\"x\"]}", &b, "true"),
                        "!Cannot apply stringConcat operator to non-string field 'active'");

    assert_string_equal(run("{\"method\":\"toggle\",\"values\":[]}", &b, "true"), "false");
    assert_string_equal(run("{\"method\":\"toggle\",\"values\":[]}", &b, "false"), "true");
    assert_string_equal(run("{\"method\":\"toggle\",\"values\":[]}", &b, NULL), "true");
    assert_string_equal(run("{\"method\":\"toggle\",\"values\":[]}", &s, "\"a\""),
                        "!Cannot apply toggle operator to non-boolean field 'title'");

    assert_string_equal(
        run("{\"method\":\"dateAddDays\",\"values\":[2]}", &d, "\"2026-01-30T10:00:00.000+00:00\""),
        "\"2026-02-01T10:00:00.000+00:00\"");
    assert_string_equal(run("{\"method\":\"dateSubDays\",\"values\":[31]}", &d,
                            "\"2026-02-01T10:00:00.000+00:00\""),
                        "\"2026-01-01T10:00:00.000+00:00\"");
    assert_string_equal(run("{\"method\":\"dateAddDays\",\"values\":[1]}", &d, NULL), "null");
    assert_string_equal(run("{\"method\":\"dateSetNow\",\"values\":[]}", &d, NULL),
                        "\"2026-01-02T03:04:05.678+00:00\"");
    assert_string_equal(run("{\"method\":\"dateAddDays\",\"values\":[1.5]}", &d, NULL),
                        "!Cannot apply dateAddDays operator: requires an integer number of days");
    assert_string_equal(run("{\"method\":\"dateSetNow\",\"values\":[]}", &s, NULL),
                        "!Cannot apply dateSetNow operator to non-datetime field 'title'");
}

static void test_collection(void **state)
{
    cw_attr_t attrs[3] = {attr("count", CW_ATTR_INTEGER, false, 4),
                          attr("tags", CW_ATTR_STRING, true, 10),
                          attr("name", CW_ATTR_STRING, false, 10)};
    attrs[0].default_value = json_integer(10);
    cw_collection_t c;
    memset(&c, 0, sizeof(c));
    c.attrs = attrs;
    c.nattrs = 3;
    char msg[512];
    json_t *ops = NULL;

    json_t *data =
        json_pack("{s:s,s:s,s:s,s:s,s:s}", "count", "{\"method\":\"increment\",\"values\":[5]}",
                  "tags", "{\"method\":\"arrayAppend\",\"values\":[\"new\"]}", "name", "plain",
                  "$id", "{\"method\":\"toggle\"}", "unknown", "{\"method\":\"toggle\"}");
    assert_int_equal(cw_operator_extract(&c, data, &ops, msg, sizeof(msg)), 0);
    assert_non_null(ops);
    assert_int_equal(json_object_size(ops), 2); /* count and tags; not $id, name or unknown */

    /* An update works on the stored values; a new document on the defaults. */
    json_t *old = json_pack("{s:i,s:[s]}", "count", 1, "tags", "old");
    json_t *doc = json_deep_copy(data);
    assert_int_equal(cw_operator_apply_all(&c, ops, old, doc, now, msg, sizeof(msg)), 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "count")), 6);
    assert_int_equal(json_array_size(json_object_get(doc, "tags")), 2);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "plain");
    json_decref(doc);
    doc = json_deep_copy(data);
    assert_int_equal(cw_operator_apply_all(&c, ops, NULL, doc, now, msg, sizeof(msg)), 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "count")), 15);
    json_decref(doc);
    json_decref(old);
    json_decref(ops);
    json_decref(data);

    /* A malformed operator names its attribute; a misfit says it is the structure. */
    data = json_pack("{s:s}", "count", "{\"method\":\"increment\",\"values\":{}}");
    assert_int_equal(cw_operator_extract(&c, data, &ops, msg, sizeof(msg)), -1);
    assert_string_equal(msg, "Invalid operator for attribute \"count\": Invalid operator values. "
                             "Must be an array, got array");
    json_decref(data);
    data = json_pack("{s:s}", "name", "{\"method\":\"increment\",\"values\":[1]}");
    assert_int_equal(cw_operator_extract(&c, data, &ops, msg, sizeof(msg)), 0);
    doc = json_deep_copy(data);
    assert_int_equal(cw_operator_apply_all(&c, ops, NULL, doc, now, msg, sizeof(msg)), -1);
    assert_string_equal(msg, "Invalid document structure: Cannot apply increment operator to "
                             "non-numeric field 'name'");
    json_decref(doc);
    json_decref(ops);
    json_decref(data);
    json_decref(attrs[0].default_value);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),      cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_arrays),     cmocka_unit_test(test_strings_booleans_dates),
        cmocka_unit_test(test_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
