/* Unit tests for db/query: parsing queries[] into a tree, grouping, and schema validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/status.h"
#include "core/utf8.h"
#include "db/query.h"

/* A collection with one attribute of every kind the rules tell apart. */
static const cw_query_attr_t attrs[] = {
    {.key = CW_STR_LIT("name"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("age"), .type = CW_QUERY_ATTR_INTEGER},
    {.key = CW_STR_LIT("views"), .type = CW_QUERY_ATTR_INTEGER, .int64 = true},
    {.key = CW_STR_LIT("score"), .type = CW_QUERY_ATTR_FLOAT},
    {.key = CW_STR_LIT("active"), .type = CW_QUERY_ATTR_BOOLEAN},
    {.key = CW_STR_LIT("born"), .type = CW_QUERY_ATTR_DATETIME},
    {.key = CW_STR_LIT("tags"), .type = CW_QUERY_ATTR_STRING, .array = true},
    {.key = CW_STR_LIT("nums"), .type = CW_QUERY_ATTR_INTEGER, .array = true},
    {.key = CW_STR_LIT("secret"), .type = CW_QUERY_ATTR_STRING, .encrypted = true},
    {.key = CW_STR_LIT("author"),
     .type = CW_QUERY_ATTR_RELATIONSHIP,
     .relation = CW_QUERY_REL_MANY_TO_ONE},
    {.key = CW_STR_LIT("books"),
     .type = CW_QUERY_ATTR_RELATIONSHIP,
     .relation = CW_QUERY_REL_ONE_TO_MANY},
    {.key = CW_STR_LIT("loc"), .type = CW_QUERY_ATTR_POINT},
    {.key = CW_STR_LIT("route"), .type = CW_QUERY_ATTR_LINESTRING},
    {.key = CW_STR_LIT("area"), .type = CW_QUERY_ATTR_POLYGON},
    {.key = CW_STR_LIT("a.b"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("t\xc3\xadtulo"), .type = CW_QUERY_ATTR_STRING},
};
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

/* Builds a queries[] array from C strings, NULL-terminated. */
static json_t *qs(const char *first, ...)
{
    json_t *a = json_array();
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
        json_array_append_new(a, json_string(s));
    va_end(ap);
    return a;
}

typedef struct result {
    int rc;
    cw_query_error_t err;
} result_t;

/* Parses and validates one queries[] array against schema s (NULL: the default schema). */
static result_t run(json_t *queries, const cw_query_schema_t *s, cw_query_list_t *keep)
{
    cw_query_schema_t def;
    cw_query_schema_init(&def, attrs, NATTRS);
    cw_arena_t arena = CW_ARENA_INIT;
    cw_query_list_t l;
    result_t r;
    memset(&r.err, 0, sizeof(r.err));
    r.rc = cw_query_list_parse(queries, &arena, &l, &r.err);
    if (r.rc == 0)
        r.rc = cw_query_list_validate(&l, s != NULL ? s : &def, &r.err);
    if (r.rc != 0)
        assert_true(cw_utf8_valid(r.err.message, strlen(r.err.message)));
    if (keep != NULL && r.rc == 0) {
        keep->limit = l.limit;
        keep->offset = l.offset;
        keep->cursor_dir = l.cursor_dir;
        keep->n = l.n;
    }
    cw_query_list_release(&l);
    cw_arena_destroy(&arena);
    json_decref(queries);
    return r;
}

static void ok1(const char *q)
{
    result_t r = run(qs(q, NULL), NULL, NULL);
    if (r.rc != 0)
        fail_msg("%s refused: %s", q, r.err.message);
}

/* Asserts one query is refused as general_query_invalid with `part` in the message. */
static void bad1(const char *q, const char *part)
{
    result_t r = run(qs(q, NULL), NULL, NULL);
    if (r.rc != CW_EINVAL)
        fail_msg("%s accepted", q);
    assert_int_equal(r.err.type, CW_ERR_GENERAL_QUERY_INVALID);
    assert_int_equal(r.err.index, 0);
    if (part != NULL && strstr(r.err.message, part) == NULL)
        fail_msg("%s: message \"%s\" lacks \"%s\"", q, r.err.message, part);
}

static void test_methods(void **state)
{
    for (int m = 0; m < CW_QUERY__COUNT; m++) {
        const char *name = cw_query_method_name((cw_query_method_t)m);
        cw_query_method_t found;
        assert_int_equal(cw_query_method_find(cw_str(name), &found), 0);
        assert_int_equal(found, m);
    }
    assert_string_equal(cw_query_method_name(CW_QUERY_GREATER_THAN_EQUAL), "greaterThanEqual");
    assert_string_equal(cw_query_method_name(CW_QUERY__COUNT), "?");
    cw_query_method_t m;
    assert_int_equal(cw_query_method_find(CW_STR_LIT("Equal"), &m), CW_ENOTFOUND);
    assert_int_equal(cw_query_method_find(CW_STR_LIT("vectorDot"), &m), CW_ENOTFOUND);
    assert_int_equal(cw_query_method_find(CW_STR_LIT(""), &m), CW_ENOTFOUND);
    assert_int_equal(cw_query_method_find(CW_STR_LIT("equal "), &m), CW_ENOTFOUND);

    assert_int_equal(cw_query_method_kind(CW_QUERY_EQUAL), CW_QUERY_KIND_FILTER);
    assert_int_equal(cw_query_method_kind(CW_QUERY_AND), CW_QUERY_KIND_FILTER);
    assert_int_equal(cw_query_method_kind(CW_QUERY_TOUCHES), CW_QUERY_KIND_FILTER);
    assert_int_equal(cw_query_method_kind(CW_QUERY_SELECT), CW_QUERY_KIND_SELECT);
    assert_int_equal(cw_query_method_kind(CW_QUERY_ORDER_RANDOM), CW_QUERY_KIND_ORDER);
    assert_int_equal(cw_query_method_kind(CW_QUERY_LIMIT), CW_QUERY_KIND_LIMIT);
    assert_int_equal(cw_query_method_kind(CW_QUERY_OFFSET), CW_QUERY_KIND_OFFSET);
    assert_int_equal(cw_query_method_kind(CW_QUERY_CURSOR_BEFORE), CW_QUERY_KIND_CURSOR);
    assert_true(cw_query_method_is_logical(CW_QUERY_ELEM_MATCH));
    assert_false(cw_query_method_is_logical(CW_QUERY_CONTAINS_ALL));
    assert_true(cw_query_method_is_spatial(CW_QUERY_CROSSES));
    assert_true(cw_query_method_is_spatial(CW_QUERY_NOT_TOUCHES));
    assert_false(cw_query_method_is_spatial(CW_QUERY_ELEM_MATCH));
}

/* Every method parses from its wire form into the right node. */
static void test_parse_every_method(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    for (int m = 0; m < CW_QUERY__COUNT; m++) {
        char text[256];
        bool logical = cw_query_method_is_logical((cw_query_method_t)m);
        snprintf(text, sizeof(text), "{\"method\":\"%s\",\"attribute\":\"name\",\"values\":%s}",
                 cw_query_method_name((cw_query_method_t)m),
                 logical ? "[{\"method\":\"isNull\",\"attribute\":\"a\"},"
                           "{\"method\":\"equal\",\"attribute\":\"b\",\"values\":[1]}]"
                         : "[\"x\", 2, true, null, [1,2], {\"k\":1}]");
        json_t *root = NULL;
        cw_query_t *q = NULL;
        cw_query_error_t err;
        int rc = cw_query_parse(cw_str(text), &arena, &root, &q, &err);
        if (rc != 0)
            fail_msg("%s: %s", text, err.message);
        assert_int_equal(q->method, m);
        assert_int_equal(q->attribute.len, 4);
        assert_memory_equal(q->attribute.ptr, "name", 4);
        if (logical) {
            assert_int_equal(q->nchildren, 2);
            assert_int_equal(q->children[0]->method, CW_QUERY_IS_NULL);
            assert_int_equal(q->children[1]->method, CW_QUERY_EQUAL);
            assert_int_equal(q->children[1]->attribute.len, 1);
            assert_int_equal(json_integer_value(cw_query_value(q->children[1], 0)), 1);
        } else {
            assert_int_equal(q->nchildren, 0);
            assert_int_equal(cw_query_nvalues(q), 6);
            assert_string_equal(json_string_value(cw_query_value(q, 0)), "x");
            assert_true(json_is_null(cw_query_value(q, 3)));
            assert_null(cw_query_value(q, 6));
        }
        json_decref(root);
    }
    cw_arena_destroy(&arena);
}

static void parse_bad(const char *text, const char *part)
{
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *root = NULL;
    cw_query_t *q = NULL;
    cw_query_error_t err;
    memset(&err, 0, sizeof(err));
    if (cw_query_parse(cw_str(text), &arena, &root, &q, &err) == 0)
        fail_msg("%s parsed", text);
    assert_null(root);
    assert_int_equal(err.type, CW_ERR_GENERAL_QUERY_INVALID);
    assert_true(cw_utf8_valid(err.message, strlen(err.message)));
    if (part != NULL && strstr(err.message, part) == NULL)
        fail_msg("%s: message \"%s\" lacks \"%s\"", text, err.message, part);
    cw_arena_destroy(&arena);
}

static void test_parse_malformed(void **state)
{
    parse_bad("", "not valid JSON");
    parse_bad("{", "not valid JSON");
    parse_bad("{\"method\":\"equal\",}", "not valid JSON");
    parse_bad("{\"method\":\"equal\"} x", "not valid JSON");
    parse_bad("{'method':'equal'}", "not valid JSON");
    parse_bad("equal(\"name\", [\"x\"])", "not valid JSON"); /* the pre-1.5 syntax */
    parse_bad("{\"method\":\"equal\",\"values\":[1e999]}", "not valid JSON");
    parse_bad("{\"method\":\"equal\",\"values\":[99999999999999999999]}", "not valid JSON");
    parse_bad("{\"method\":\"\xff\"}", "not valid JSON");
    parse_bad("\"equal\"", "JSON object");
    parse_bad("42", "JSON object");
    parse_bad("null", "JSON object");
    parse_bad("[\"equal\",\"name\"]", "JSON object");
    parse_bad("{}", "unknown method \"\"");
    parse_bad("{\"method\":null}", "unknown method");
    parse_bad("{\"method\":1}", "method must be a string");
    parse_bad("{\"method\":[\"equal\"]}", "method must be a string");
    parse_bad("{\"method\":\"Equal\"}", "unknown method \"Equal\"");
    parse_bad("{\"method\":\"vectorDot\",\"attribute\":\"v\",\"values\":[[1]]}", "vectorDot");
    parse_bad("{\"method\":\"equal\",\"attribute\":5}", "attribute must be a string");
    parse_bad("{\"method\":\"equal\",\"attribute\":{}}", "attribute must be a string");
    parse_bad("{\"method\":\"equal\",\"values\":\"x\"}", "values must be an array");
    parse_bad("{\"method\":\"equal\",\"values\":{\"0\":\"x\"}}", "values must be an array");
    parse_bad("{\"method\":\"and\",\"values\":[\"x\"]}", "nested query must be a JSON object");
    parse_bad("{\"method\":\"or\",\"values\":[[]]}", "nested query must be a JSON object");
    parse_bad("{\"method\":\"and\",\"values\":[{\"method\":\"nope\"}]}", "unknown method \"nope\"");
    /* Long garbage shows up cut in the message. */
    char big[400];
    memset(big, 'm', sizeof(big));
    memcpy(big, "{\"method\":\"", 11);
    memcpy(big + sizeof(big) - 3, "\"}", 3);
    parse_bad(big, "...");
}

static void test_parse_defaults(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *root;
    cw_query_t *q;
    cw_query_error_t err;
    /* Missing and null members mean "none", as PHP's ?? does. */
    assert_int_equal(cw_query_parse(CW_STR_LIT("{\"method\":\"isNull\",\"attribute\":null,"
                                               "\"values\":null,\"extra\":[1]}"),
                                    &arena, &root, &q, &err),
                     0);
    assert_int_equal(q->attribute.len, 0);
    assert_null(q->values);
    assert_int_equal(cw_query_nvalues(q), 0);
    assert_null(cw_query_value(q, 0));
    json_decref(root);
    /* orderAsc and orderDesc without an attribute order by $sequence. */
    assert_int_equal(
        cw_query_parse(CW_STR_LIT("{\"method\":\"orderDesc\"}"), &arena, &root, &q, &err), 0);
    assert_int_equal(q->attribute.len, 9);
    assert_memory_equal(q->attribute.ptr, "$sequence", 9);
    json_decref(root);
    assert_int_equal(
        cw_query_parse(CW_STR_LIT("{\"method\":\"orderRandom\"}"), &arena, &root, &q, &err), 0);
    assert_int_equal(q->attribute.len, 0);
    json_decref(root);
    /* A later duplicate member wins, as in PHP. */
    assert_int_equal(cw_query_parse(CW_STR_LIT("{\"method\":\"equal\",\"method\":\"limit\"}"),
                                    &arena, &root, &q, &err),
                     0);
    assert_int_equal(q->method, CW_QUERY_LIMIT);
    json_decref(root);
    /* Logical queries without values have no children. */
    assert_int_equal(cw_query_parse(CW_STR_LIT("{\"method\":\"or\"}"), &arena, &root, &q, &err), 0);
    assert_int_equal(q->nchildren, 0);
    json_decref(root);
    /* Unicode and \u0000 in attribute names and values are kept as they are. */
    assert_int_equal(cw_query_parse(CW_STR_LIT("{\"method\":\"equal\",\"attribute\":\"t\\u00edtulo"
                                               "\",\"values\":[\"\\ud83d\\ude00\",\"a\\u0000b\"]}"),
                                    &arena, &root, &q, &err),
                     0);
    assert_int_equal(q->attribute.len, 7);
    assert_memory_equal(q->attribute.ptr, "t\xc3\xadtulo", 7);
    assert_string_equal(json_string_value(cw_query_value(q, 0)), "\xf0\x9f\x98\x80");
    assert_int_equal(json_string_length(cw_query_value(q, 1)), 3);
    json_decref(root);
    /* The parser reads only its slice. */
    const char *text = "{\"method\":\"isNull\"}{{{{";
    assert_int_equal(cw_query_parse((cw_str_t){text, 19}, &arena, &root, &q, &err), 0);
    json_decref(root);
    /* From an already decoded object. */
    json_error_t je;
    json_t *obj = json_loads("{\"method\":\"equal\",\"attribute\":\"x\",\"values\":[1]}", 0, &je);
    assert_int_equal(cw_query_parse_json(obj, &arena, &q, &err), 0);
    assert_int_equal(q->method, CW_QUERY_EQUAL);
    json_decref(obj);
    cw_arena_destroy(&arena);
}

/* Builds and(and(...(isNull))) with `levels` queries in all. */
static char *nested(int levels)
{
    size_t cap = (size_t)levels * 64 + 64;
    char *s = malloc(cap);
    size_t o = 0;
    for (int i = 1; i < levels; i++)
        o += (size_t)snprintf(s + o, cap - o, "{\"method\":\"%s\",\"values\":[",
                              i % 2 ? "and" : "or");
    o += (size_t)snprintf(s + o, cap - o, "{\"method\":\"isNull\",\"attribute\":\"name\"}");
    for (int i = 1; i < levels; i++)
        o += (size_t)snprintf(s + o, cap - o, "]}");
    return s;
}

static void test_depth(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    json_t *root;
    cw_query_t *q;
    cw_query_error_t err;
    char *s = nested(CW_QUERY_MAX_DEPTH);
    assert_int_equal(cw_query_parse(cw_str(s), &arena, &root, &q, &err), 0);
    int depth = 1;
    while (q->nchildren == 1) {
        q = q->children[0];
        depth++;
    }
    assert_int_equal(depth, CW_QUERY_MAX_DEPTH);
    assert_int_equal(q->method, CW_QUERY_IS_NULL);
    json_decref(root);
    free(s);
    s = nested(CW_QUERY_MAX_DEPTH + 1);
    assert_int_equal(cw_query_parse(cw_str(s), &arena, &root, &q, &err), CW_EINVAL);
    assert_non_null(strstr(err.message, "deeper"));
    free(s);
    /* Far deeper than jansson's own limit is refused by jansson, without trouble. */
    s = nested(3000);
    assert_int_equal(cw_query_parse(cw_str(s), &arena, &root, &q, &err), CW_EINVAL);
    free(s);
    cw_arena_destroy(&arena);
}

static void test_list_param(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_query_list_t l;
    cw_query_error_t err;
    assert_int_equal(cw_query_list_parse(NULL, &arena, &l, &err), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(l.limit, -1);
    cw_query_list_release(&l);
    json_t *j = json_null();
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), 0);
    j = json_array();
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), 0);
    assert_int_equal(l.n, 0);
    cw_query_list_release(&l);
    json_decref(j);

    j = json_string("{\"method\":\"limit\",\"values\":[1]}");
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), CW_EINVAL);
    assert_int_equal(err.type, CW_ERR_GENERAL_ARGUMENT_INVALID);
    assert_non_null(strstr(err.message, "Invalid `queries` param"));
    json_decref(j);

    j = qs("{\"method\":\"isNull\",\"attribute\":\"name\"}", NULL);
    json_array_append_new(j, json_integer(5));
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), CW_EINVAL);
    assert_int_equal(err.type, CW_ERR_GENERAL_ARGUMENT_INVALID);
    assert_int_equal(err.index, 1);
    json_decref(j);

    j = json_array();
    for (int i = 0; i < CW_QUERY_MAX_ITEMS; i++)
        json_array_append_new(j, json_string("{\"method\":\"isNull\",\"attribute\":\"name\"}"));
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), 0);
    assert_int_equal(l.n, CW_QUERY_MAX_ITEMS);
    assert_int_equal(l.nfilters, CW_QUERY_MAX_ITEMS);
    cw_query_list_release(&l);
    cw_query_list_release(&l); /* twice is harmless */
    json_array_append_new(j, json_string("{\"method\":\"isNull\",\"attribute\":\"name\"}"));
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), CW_EINVAL);
    assert_int_equal(err.type, CW_ERR_GENERAL_ARGUMENT_INVALID);
    assert_non_null(strstr(err.message, "100"));
    json_decref(j);

    /* 4096 characters is the most, counted in characters, not bytes. */
    char *s = malloc(3 * CW_QUERY_MAX_LENGTH + 64);
    size_t o = (size_t)sprintf(s, "{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[\"");
    size_t fill = CW_QUERY_MAX_LENGTH - o - 3;
    for (size_t i = 0; i < fill; i++) {
        memcpy(s + o, "\xc3\xa9", 2);
        o += 2;
    }
    memcpy(s + o, "\"]}", 4);
    assert_int_equal(cw_utf8_count(s, strlen(s)), CW_QUERY_MAX_LENGTH);
    j = qs(s, NULL);
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), 0);
    cw_query_list_release(&l);
    json_decref(j);
    memmove(s + 1, s, strlen(s) + 1);
    s[0] = ' ';
    j = qs(s, NULL);
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), CW_EINVAL);
    assert_int_equal(err.type, CW_ERR_GENERAL_ARGUMENT_INVALID);
    assert_non_null(strstr(err.message, "4096"));
    json_decref(j);
    free(s);

    /* A bad query after good ones: its index, and nothing left to release. */
    j = qs("{\"method\":\"isNull\",\"attribute\":\"name\"}",
           "{\"method\":\"limit\",\"values\":[5]}", "{\"method\":\"bogus\"}", NULL);
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), CW_EINVAL);
    assert_int_equal(err.type, CW_ERR_GENERAL_QUERY_INVALID);
    assert_int_equal(err.index, 2);
    assert_non_null(strstr(err.message, "queries[2]"));
    assert_null(l._owner);
    assert_int_equal(l.n, 0);
    json_decref(j);
    cw_arena_destroy(&arena);
}

static void test_grouping(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_query_list_t l;
    cw_query_error_t err;
    json_t *j = qs("{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[\"x\"]}",
                   "{\"method\":\"limit\",\"values\":[10]}",
                   "{\"method\":\"orderDesc\",\"attribute\":\"age\"}",
                   "{\"method\":\"select\",\"values\":[\"name\"]}",
                   "{\"method\":\"cursorBefore\",\"values\":[\"doc1\"]}",
                   "{\"method\":\"offset\",\"values\":[3]}",
                   "{\"method\":\"or\",\"values\":[{\"method\":\"isNull\",\"attribute\":\"age\"},"
                   "{\"method\":\"greaterThan\",\"attribute\":\"age\",\"values\":[5]}]}",
                   "{\"method\":\"limit\",\"values\":[20]}", "{\"method\":\"orderRandom\"}",
                   "{\"method\":\"cursorAfter\",\"values\":[\"doc2\"]}",
                   "{\"method\":\"offset\",\"values\":[9]}", "{\"method\":\"orderAsc\"}", NULL);
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), 0);
    json_decref(j); /* the list holds what it needs */
    assert_int_equal(l.n, 12);
    for (size_t i = 0; i < l.n; i++)
        assert_int_equal(l.all[i]->index, i);
    assert_int_equal(l.nfilters, 2);
    assert_int_equal(l.filters[0]->method, CW_QUERY_EQUAL);
    assert_int_equal(l.filters[1]->method, CW_QUERY_OR);
    assert_int_equal(l.filters[1]->children[1]->index, 6);
    assert_int_equal(l.nselects, 1);
    assert_int_equal(l.norders, 3);
    assert_int_equal(l.orders[0]->method, CW_QUERY_ORDER_DESC);
    assert_int_equal(l.orders[1]->method, CW_QUERY_ORDER_RANDOM);
    assert_int_equal(l.orders[2]->method, CW_QUERY_ORDER_ASC);
    assert_ptr_equal(l.limit_query, l.all[1]);
    assert_ptr_equal(l.offset_query, l.all[5]);
    assert_ptr_equal(l.cursor_query, l.all[4]);
    assert_int_equal(l.limit, -1); /* not before validation */

    cw_query_schema_t s;
    cw_query_schema_init(&s, attrs, NATTRS);
    assert_int_equal(cw_query_list_validate(&l, &s, &err), 0);
    assert_int_equal(l.limit, 10);
    assert_int_equal(l.offset, 3);
    assert_int_equal(l.cursor_dir, CW_QUERY_DIR_BEFORE);
    assert_int_equal(l.cursor_id.len, 4);
    assert_memory_equal(l.cursor_id.ptr, "doc1", 4);
    assert_string_equal(json_string_value(cw_query_value(l.filters[0], 0)), "x");
    cw_query_list_release(&l);

    /* Nothing given: no limit, offset 0, no cursor. */
    j = qs("{\"method\":\"isNull\",\"attribute\":\"name\"}", NULL);
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), 0);
    assert_int_equal(cw_query_list_validate(&l, &s, &err), 0);
    assert_int_equal(l.limit, -1);
    assert_int_equal(l.offset, 0);
    assert_int_equal(l.cursor_dir, CW_QUERY_DIR_NONE);
    assert_int_equal(l.cursor_id.len, 0);
    cw_query_list_release(&l);
    json_decref(j);
    cw_arena_destroy(&arena);
}

static void test_filter_types(void **state)
{
    ok1("{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[\"x\",\"\xc3\xa9\"]}");
    bad1("{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[1]}", "not a valid string");
    bad1("{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[null]}", "value 0 of equal");
    ok1("{\"method\":\"equal\",\"attribute\":\"age\",\"values\":[1,-2147483648,2147483647]}");
    bad1("{\"method\":\"equal\",\"attribute\":\"age\",\"values\":[\"1\"]}", "valid integer");
    bad1("{\"method\":\"equal\",\"attribute\":\"age\",\"values\":[1.5]}", "valid integer");
    bad1("{\"method\":\"equal\",\"attribute\":\"age\",\"values\":[1.0]}", "valid integer");
    bad1("{\"method\":\"equal\",\"attribute\":\"age\",\"values\":[1, 2147483648]}", "value 1");
    bad1("{\"method\":\"lessThan\",\"attribute\":\"age\",\"values\":[-2147483649]}", NULL);
    ok1("{\"method\":\"equal\",\"attribute\":\"views\",\"values\":[9223372036854775807]}");
    ok1("{\"method\":\"greaterThan\",\"attribute\":\"score\",\"values\":[1]}");
    ok1("{\"method\":\"greaterThan\",\"attribute\":\"score\",\"values\":[1.5e3]}");
    bad1("{\"method\":\"greaterThan\",\"attribute\":\"score\",\"values\":[\"1.5\"]}", "number");
    ok1("{\"method\":\"equal\",\"attribute\":\"active\",\"values\":[true,false]}");
    bad1("{\"method\":\"equal\",\"attribute\":\"active\",\"values\":[1]}", "boolean");
    bad1("{\"method\":\"equal\",\"attribute\":\"active\",\"values\":[\"true\"]}", "boolean");
    ok1("{\"method\":\"lessThan\",\"attribute\":\"born\",\"values\":[\"2024-05-01T10:00:00.000+02:"
        "00\"]}");
    ok1("{\"method\":\"between\",\"attribute\":\"born\",\"values\":[\"2024-01-01\",\"9999-12-31T23:"
        "59:59Z\"]}");
    bad1("{\"method\":\"lessThan\",\"attribute\":\"born\",\"values\":[\"yesterday\"]}", "date");
    bad1("{\"method\":\"lessThan\",\"attribute\":\"born\",\"values\":[\"\"]}", "date");
    bad1("{\"method\":\"lessThan\",\"attribute\":\"born\",\"values\":[\"0999-12-31\"]}", "date");
    bad1("{\"method\":\"lessThan\",\"attribute\":\"born\",\"values\":[\"2024-02-30\"]}", "date");
    bad1("{\"method\":\"lessThan\",\"attribute\":\"born\",\"values\":[20240101]}", "date");
    /* System attributes. */
    ok1("{\"method\":\"equal\",\"attribute\":\"$id\",\"values\":[\"abc\"]}");
    ok1("{\"method\":\"greaterThan\",\"attribute\":\"$createdAt\",\"values\":[\"2020-01-01\"]}");
    ok1("{\"method\":\"lessThanEqual\",\"attribute\":\"$updatedAt\",\"values\":[\"2020-01-01\"]}");
    ok1("{\"method\":\"greaterThan\",\"attribute\":\"$sequence\",\"values\":[\"5\"]}");
    ok1("{\"method\":\"equal\",\"attribute\":\"$sequence\",\"values\":[5, \" 6 \", \"+7\"]}");
    bad1("{\"method\":\"equal\",\"attribute\":\"$sequence\",\"values\":[0]}", "sequence");
    bad1("{\"method\":\"equal\",\"attribute\":\"$sequence\",\"values\":[\"0\"]}", "sequence");
    bad1("{\"method\":\"equal\",\"attribute\":\"$sequence\",\"values\":[\"abc\"]}", "sequence");
    bad1("{\"method\":\"equal\",\"attribute\":\"$sequence\",\"values\":[\"1.5\"]}", "sequence");
    bad1("{\"method\":\"equal\",\"attribute\":\"$sequence\",\"values\":[\"99999999999999999999\"]}",
         "sequence");
    bad1("{\"method\":\"equal\",\"attribute\":\"$sequence\",\"values\":[2.0]}", "sequence");
    bad1("{\"method\":\"equal\",\"attribute\":\"$permissions\",\"values\":[\"x\"]}", "schema");
    bad1("{\"method\":\"equal\",\"attribute\":\"$tenant\",\"values\":[1]}", "schema");
    /* Unknown, encrypted, unicode attributes. */
    bad1("{\"method\":\"equal\",\"attribute\":\"nope\",\"values\":[\"x\"]}",
         "attribute \"nope\" is not in the schema");
    bad1("{\"method\":\"equal\",\"attribute\":\"\",\"values\":[\"x\"]}", "not in the schema");
    bad1("{\"method\":\"equal\",\"attribute\":\"Name\",\"values\":[\"x\"]}", "not in the schema");
    bad1("{\"method\":\"equal\",\"attribute\":\"secret\",\"values\":[\"x\"]}", "encrypted");
    ok1("{\"method\":\"equal\",\"attribute\":\"t\\u00edtulo\",\"values\":[\"x\"]}");
    bad1("{\"method\":\"equal\",\"attribute\":\"na\\u0000me\",\"values\":[\"x\"]}", "\"na?me\"");
    ok1("{\"method\":\"equal\",\"attribute\":\"a.b\",\"values\":[\"x\"]}");
}

static void test_filter_counts(void **state)
{
    static const char *const one[] = {
        "notEqual",  "lessThan",   "lessThanEqual", "greaterThan", "greaterThanEqual", "search",
        "notSearch", "startsWith", "notStartsWith", "endsWith",    "notEndsWith",      "regex",
    };
    char q[256];
    for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
        snprintf(q, sizeof(q), "{\"method\":\"%s\",\"attribute\":\"name\",\"values\":[\"x\"]}",
                 one[i]);
        ok1(q);
        snprintf(q, sizeof(q),
                 "{\"method\":\"%s\",\"attribute\":\"name\",\"values\":[\"x\",\"y\"]}", one[i]);
        bad1(q, "exactly one value");
        snprintf(q, sizeof(q), "{\"method\":\"%s\",\"attribute\":\"name\"}", one[i]);
        bad1(q, "exactly one value");
    }
    static const char *const some[] = {"equal", "contains", "containsAny", "containsAll",
                                       "notContains"};
    for (size_t i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
        snprintf(q, sizeof(q),
                 "{\"method\":\"%s\",\"attribute\":\"name\",\"values\":[\"x\",\"y\"]}", some[i]);
        ok1(q);
        snprintf(q, sizeof(q), "{\"method\":\"%s\",\"attribute\":\"name\",\"values\":[]}", some[i]);
        bad1(q, "at least one value");
        snprintf(q, sizeof(q), "{\"method\":\"%s\",\"attribute\":\"name\",\"values\":[[]]}",
                 some[i]);
        bad1(q, "at least one value");
        snprintf(q, sizeof(q), "{\"method\":\"%s\",\"attribute\":\"name\",\"values\":[{}]}",
                 some[i]);
        bad1(q, "at least one value");
    }
    ok1("{\"method\":\"between\",\"attribute\":\"age\",\"values\":[1,5]}");
    ok1("{\"method\":\"notBetween\",\"attribute\":\"age\",\"values\":[1,5]}");
    bad1("{\"method\":\"between\",\"attribute\":\"age\",\"values\":[1]}", "exactly two values");
    bad1("{\"method\":\"notBetween\",\"attribute\":\"age\",\"values\":[1,2,3]}", "exactly two");
    bad1("{\"method\":\"between\",\"attribute\":\"age\",\"values\":[1,\"5\"]}", "value 1");
    ok1("{\"method\":\"isNull\",\"attribute\":\"age\"}");
    ok1("{\"method\":\"isNotNull\",\"attribute\":\"age\",\"values\":[]}");
    bad1("{\"method\":\"isNull\",\"attribute\":\"nope\"}", "not in the schema");
    /* Values per filter: 500 at most. */
    json_t *vals = json_array();
    for (int i = 0; i < CW_QUERY_MAX_VALUES; i++)
        json_array_append_new(vals, json_integer(i));
    json_t *obj =
        json_pack("{s:s, s:s, s:o}", "method", "equal", "attribute", "age", "values", vals);
    char *text = json_dumps(obj, JSON_COMPACT);
    ok1(text);
    free(text);
    json_array_append_new(vals, json_integer(1));
    text = json_dumps(obj, JSON_COMPACT);
    bad1(text, "at most 500");
    free(text);
    json_decref(obj);
    /* Another schema may set another bound. */
    cw_query_schema_t s;
    cw_query_schema_init(&s, attrs, NATTRS);
    s.max_values = 2;
    result_t r =
        run(qs("{\"method\":\"equal\",\"attribute\":\"age\",\"values\":[1,2,3]}", NULL), &s, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
}

static void test_filter_arrays(void **state)
{
    ok1("{\"method\":\"contains\",\"attribute\":\"name\",\"values\":[\"x\"]}");
    ok1("{\"method\":\"contains\",\"attribute\":\"tags\",\"values\":[\"x\"]}");
    ok1("{\"method\":\"containsAll\",\"attribute\":\"tags\",\"values\":[\"x\",\"y\"]}");
    ok1("{\"method\":\"containsAny\",\"attribute\":\"nums\",\"values\":[1,2]}");
    ok1("{\"method\":\"notContains\",\"attribute\":\"nums\",\"values\":[1]}");
    bad1("{\"method\":\"contains\",\"attribute\":\"nums\",\"values\":[\"1\"]}", "valid integer");
    bad1("{\"method\":\"contains\",\"attribute\":\"age\",\"values\":[1]}", "array or string");
    bad1("{\"method\":\"notContains\",\"attribute\":\"active\",\"values\":[true]}",
         "array or string");
    ok1("{\"method\":\"isNull\",\"attribute\":\"tags\"}");
    ok1("{\"method\":\"isNotNull\",\"attribute\":\"tags\"}");
    bad1("{\"method\":\"equal\",\"attribute\":\"tags\",\"values\":[\"x\"]}", "array attribute");
    bad1("{\"method\":\"search\",\"attribute\":\"tags\",\"values\":[\"x\"]}", "array attribute");
    bad1("{\"method\":\"lessThan\",\"attribute\":\"nums\",\"values\":[1]}", "array attribute");
}

static void test_filter_relationships(void **state)
{
    ok1("{\"method\":\"equal\",\"attribute\":\"author\",\"values\":[\"a1\"]}");
    bad1("{\"method\":\"equal\",\"attribute\":\"author\",\"values\":[1]}", "document ID");
    char q[512];
    char id[300];
    memset(id, 'x', 256);
    id[256] = '\0';
    snprintf(q, sizeof(q), "{\"method\":\"equal\",\"attribute\":\"author\",\"values\":[\"%s\"]}",
             id);
    bad1(q, "document ID");
    id[255] = '\0';
    snprintf(q, sizeof(q), "{\"method\":\"equal\",\"attribute\":\"author\",\"values\":[\"%s\"]}",
             id);
    ok1(q);
    /* A condition on the related collection is checked there. */
    ok1("{\"method\":\"equal\",\"attribute\":\"author.name\",\"values\":[1]}");
    ok1("{\"method\":\"equal\",\"attribute\":\"author.x.y\",\"values\":[\"z\"]}");
    bad1("{\"method\":\"equal\",\"attribute\":\"name.first\",\"values\":[\"x\"]}", "dotted");
    bad1("{\"method\":\"equal\",\"attribute\":\"nope.first\",\"values\":[\"x\"]}",
         "attribute \"nope\" is not in the schema");
    /* The parent side of one-to-many stores nothing to query. */
    bad1("{\"method\":\"equal\",\"attribute\":\"books\",\"values\":[\"b1\"]}", "not stored");
    ok1("{\"method\":\"equal\",\"attribute\":\"books.title\",\"values\":[\"b1\"]}");

    static const struct {
        cw_query_relation_t rel;
        bool two_way, child, virtual;
    } cases[] = {
        {CW_QUERY_REL_ONE_TO_ONE, false, false, false},
        {CW_QUERY_REL_ONE_TO_ONE, false, true, true},
        {CW_QUERY_REL_ONE_TO_ONE, true, true, false},
        {CW_QUERY_REL_ONE_TO_MANY, false, false, true},
        {CW_QUERY_REL_ONE_TO_MANY, true, true, false},
        {CW_QUERY_REL_MANY_TO_ONE, false, false, false},
        {CW_QUERY_REL_MANY_TO_ONE, true, true, true},
        {CW_QUERY_REL_MANY_TO_MANY, true, false, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cw_query_attr_t a = {.key = CW_STR_LIT("rel"),
                             .type = CW_QUERY_ATTR_RELATIONSHIP,
                             .relation = cases[i].rel,
                             .two_way = cases[i].two_way,
                             .child_side = cases[i].child};
        cw_query_schema_t s;
        cw_query_schema_init(&s, &a, 1);
        result_t r = run(
            qs("{\"method\":\"equal\",\"attribute\":\"rel\",\"values\":[\"x\"]}", NULL), &s, NULL);
        assert_int_equal(r.rc, cases[i].virtual ? CW_EINVAL : 0);
    }
}

static void test_filter_spatial(void **state)
{
    static const char *const spatial[] = {"crosses",  "notCrosses",  "intersects", "notIntersects",
                                          "overlaps", "notOverlaps", "touches",    "notTouches"};
    char q[256];
    for (size_t i = 0; i < sizeof(spatial) / sizeof(spatial[0]); i++) {
        snprintf(q, sizeof(q),
                 "{\"method\":\"%s\",\"attribute\":\"area\",\"values\":[[[0,0],[1,1]]]}",
                 spatial[i]);
        ok1(q);
        snprintf(q, sizeof(q), "{\"method\":\"%s\",\"attribute\":\"name\",\"values\":[[1,2]]}",
                 spatial[i]);
        bad1(q, "point, linestring or polygon");
        snprintf(q, sizeof(q), "{\"method\":\"%s\",\"attribute\":\"loc\",\"values\":[]}",
                 spatial[i]);
        bad1(q, "at least one value");
        snprintf(q, sizeof(q),
                 "{\"method\":\"%s\",\"attribute\":\"loc\",\"values\":[\"POINT(1 2)\"]}",
                 spatial[i]);
        bad1(q, "valid point");
    }
    static const char *const distance[] = {"distanceEqual", "distanceNotEqual",
                                           "distanceGreaterThan", "distanceLessThan"};
    for (size_t i = 0; i < sizeof(distance) / sizeof(distance[0]); i++) {
        snprintf(q, sizeof(q),
                 "{\"method\":\"%s\",\"attribute\":\"loc\",\"values\":[[[1,2],10,true]]}",
                 distance[i]);
        ok1(q);
        snprintf(q, sizeof(q), "{\"method\":\"%s\",\"attribute\":\"loc\",\"values\":[[[1,2],10]]}",
                 distance[i]);
        bad1(q, "[geometry, distance, inMeters]");
        snprintf(q, sizeof(q),
                 "{\"method\":\"%s\",\"attribute\":\"loc\",\"values\":[[1,2],10,true]}",
                 distance[i]);
        bad1(q, "single value");
        snprintf(q, sizeof(q),
                 "{\"method\":\"%s\",\"attribute\":\"age\",\"values\":[[[1,2],10,true]]}",
                 distance[i]);
        bad1(q, "point, linestring or polygon");
    }
    /* Plain filters work on spatial attributes with geometry values. */
    ok1("{\"method\":\"equal\",\"attribute\":\"route\",\"values\":[[[0,0],[1,1]]]}");
    ok1("{\"method\":\"contains\",\"attribute\":\"area\",\"values\":[[0,0]]}");
    bad1("{\"method\":\"equal\",\"attribute\":\"loc\",\"values\":[5]}", "valid point");
}

static void test_filter_logical(void **state)
{
    ok1("{\"method\":\"and\",\"values\":[{\"method\":\"equal\",\"attribute\":\"name\",\"values\":["
        "\"x\"]},"
        "{\"method\":\"or\",\"values\":[{\"method\":\"isNull\",\"attribute\":\"age\"},"
        "{\"method\":\"lessThan\",\"attribute\":\"age\",\"values\":[3]}]}]}");
    bad1("{\"method\":\"and\",\"values\":[{\"method\":\"isNull\",\"attribute\":\"age\"}]}",
         "at least two");
    bad1("{\"method\":\"or\",\"values\":[]}", "at least two");
    bad1("{\"method\":\"or\"}", "at least two");
    bad1("{\"method\":\"and\",\"values\":[{\"method\":\"isNull\",\"attribute\":\"age\"},"
         "{\"method\":\"limit\",\"values\":[1]}]}",
         "only hold filters, not limit");
    bad1("{\"method\":\"or\",\"values\":[{\"method\":\"isNull\",\"attribute\":\"age\"},"
         "{\"method\":\"select\",\"values\":[\"name\"]}]}",
         "not select");
    /* A nested query's own fault is reported first, as utopia checks nested queries first. */
    bad1("{\"method\":\"and\",\"values\":[{\"method\":\"isNull\",\"attribute\":\"nope\"},"
         "{\"method\":\"limit\",\"values\":[0]}]}",
         "\"nope\"");
    bad1("{\"method\":\"or\",\"values\":[{\"method\":\"isNull\",\"attribute\":\"age\"},"
         "{\"method\":\"limit\",\"values\":[0]}]}",
         "limit takes");
    bad1("{\"method\":\"elemMatch\",\"attribute\":\"tags\",\"values\":[{\"method\":\"equal\","
         "\"attribute\":\"name\",\"values\":[\"x\"]}]}",
         "elemMatch is not supported");
    bad1("{\"method\":\"elemMatch\",\"attribute\":\"tags\",\"values\":[{\"method\":\"equal\","
         "\"attribute\":\"x\",\"values\":[1]}]}",
         "\"x\" is not in the schema");
    /* exists and notExists name attributes that schemas always have: utopia takes them only on
     * schemaless adapters, where the attribute is empty; on ours they fail the schema check. */
    bad1("{\"method\":\"exists\",\"values\":[\"name\"]}", "not in the schema");
    bad1("{\"method\":\"notExists\",\"values\":[]}", "at least one value");
    ok1("{\"method\":\"exists\",\"attribute\":\"name\",\"values\":[\"name\"]}");
}

static int fulltext_on_name(void *ud, cw_str_t attribute)
{
    (*(int *)ud)++;
    return cw_str_eq_cstr(attribute, "name");
}

static void test_search(void **state)
{
    cw_query_schema_t s;
    cw_query_schema_init(&s, attrs, NATTRS);
    int calls = 0;
    /* Without a hook, fulltext indexes are the database's business. */
    result_t r = run(qs("{\"method\":\"search\",\"attribute\":\"tags\",\"values\":[\"x\"]}", NULL),
                     &s, NULL);
    assert_int_equal(r.rc, CW_EINVAL); /* tags is an array: refused before any index check */
    r = run(qs("{\"method\":\"search\",\"attribute\":\"t\\u00edtulo\",\"values\":[\"x\"]}", NULL),
            &s, NULL);
    assert_int_equal(r.rc, 0);

    s.fulltext = fulltext_on_name;
    s.fulltext_ud = &calls;
    r = run(qs("{\"method\":\"search\",\"attribute\":\"name\",\"values\":[\"x\"]}", NULL), &s,
            NULL);
    assert_int_equal(r.rc, 0);
    assert_int_equal(calls, 1);
    r = run(qs("{\"method\":\"isNull\",\"attribute\":\"name\"}",
               "{\"method\":\"notSearch\",\"attribute\":\"t\\u00edtulo\",\"values\":[\"x\"]}",
               NULL),
            &s, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
    assert_int_equal(r.err.index, 1);
    assert_non_null(strstr(r.err.message, "fulltext"));
    /* Nested searches are checked too. */
    r = run(qs("{\"method\":\"or\",\"values\":[{\"method\":\"isNull\",\"attribute\":\"age\"},"
               "{\"method\":\"search\",\"attribute\":\"a.b\",\"values\":[\"x\"]}]}",
               NULL),
            &s, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
    assert_non_null(strstr(r.err.message, "\"a.b\""));
    /* Structural faults anywhere come before missing indexes. */
    r = run(qs("{\"method\":\"search\",\"attribute\":\"a.b\",\"values\":[\"x\"]}",
               "{\"method\":\"isNull\",\"attribute\":\"nope\"}", NULL),
            &s, NULL);
    assert_int_equal(r.err.index, 1);
}

static void test_order(void **state)
{
    ok1("{\"method\":\"orderAsc\",\"attribute\":\"name\"}");
    ok1("{\"method\":\"orderDesc\",\"attribute\":\"$createdAt\"}");
    ok1("{\"method\":\"orderAsc\"}");
    ok1("{\"method\":\"orderDesc\",\"attribute\":\"\"}");
    ok1("{\"method\":\"orderAsc\",\"attribute\":\"a.b\"}");
    ok1("{\"method\":\"orderRandom\"}");
    ok1("{\"method\":\"orderRandom\",\"attribute\":\"whatever\",\"values\":[1]}");
    bad1("{\"method\":\"orderAsc\",\"attribute\":\"nope\"}", "not in the schema");
    bad1("{\"method\":\"orderDesc\",\"attribute\":\"author.name\"}", "nested");
    bad1("{\"method\":\"orderDesc\",\"attribute\":\"nope.name\"}", "not in the schema");
}

static void test_select(void **state)
{
    ok1("{\"method\":\"select\",\"values\":[\"name\",\"age\"]}");
    ok1("{\"method\":\"select\",\"values\":[\"$id\",\"$sequence\",\"$createdAt\",\"$updatedAt\","
        "\"$permissions\",\"$collection\"]}");
    ok1("{\"method\":\"select\",\"values\":[\"*\"]}");
    ok1("{\"method\":\"select\",\"values\":[\"author.*\",\"books.title\"]}");
    ok1("{\"method\":\"select\",\"values\":[\"a.b\"]}");
    bad1("{\"method\":\"select\",\"values\":[]}", "at least one");
    bad1("{\"method\":\"select\"}", "at least one");
    bad1("{\"method\":\"select\",\"values\":[\"name\",1]}", "value 1");
    bad1("{\"method\":\"select\",\"values\":[[\"name\"]]}", "value 0");
    bad1("{\"method\":\"select\",\"values\":[\"name\",\"age\",\"name\"]}", "twice");
    bad1("{\"method\":\"select\",\"values\":[\"nope\"]}", "\"nope\"");
    bad1("{\"method\":\"select\",\"values\":[\"$tenant\"]}", "$tenant");
    bad1("{\"method\":\"select\",\"values\":[\"name.first\"]}", "name.first");
    /* A relationship comes with "*" or through a path, not by its name alone. */
    bad1("{\"method\":\"select\",\"values\":[\"author\"]}", "author.*");
    ok1("{\"method\":\"select\",\"values\":[\"author\",\"*\"]}");
    result_t r = run(qs("{\"method\":\"select\",\"values\":[\"name\"]}",
                        "{\"method\":\"select\",\"values\":[\"books\"]}", NULL),
                     NULL, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
    assert_int_equal(r.err.index, 1);
    r = run(qs("{\"method\":\"select\",\"values\":[\"books\"]}",
               "{\"method\":\"select\",\"values\":[\"*\"]}", NULL),
            NULL, NULL);
    assert_int_equal(r.rc, 0);
}

/* The longest messages, with the most quoted, still fit whole. */
static void test_long_messages(void **state)
{
    char key[101];
    memset(key, 'k', 100);
    key[100] = '\0';
    cw_query_attr_t a = {.key = {key, 100},
                         .type = CW_QUERY_ATTR_RELATIONSHIP,
                         .relation = CW_QUERY_REL_MANY_TO_ONE};
    cw_query_schema_t s;
    cw_query_schema_init(&s, &a, 1);
    char q[256];
    snprintf(q, sizeof(q), "{\"method\":\"select\",\"values\":[\"%s\"]}", key);
    result_t r = run(qs(q, NULL), &s, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
    assert_non_null(strstr(r.err.message, "...\" by itself; select \""));
    assert_non_null(strstr(r.err.message, "or add \"*\""));
    r = run(qs("{\"method\":\"cursorBefore\",\"values\":[\"-\"]}", NULL), &s, NULL);
    assert_non_null(strstr(r.err.message, "the last three"));
    snprintf(q, sizeof(q),
             "{\"method\":\"distanceNotEqual\",\"attribute\":\"%s\",\"values\":[[[1,2],1,true]]}",
             key);
    r = run(qs(q, NULL), &s, NULL);
    assert_non_null(strstr(r.err.message, "is of type document ID"));
}

static void test_select_only(void **state)
{
    cw_query_schema_t s;
    cw_query_schema_init(&s, attrs, NATTRS);
    s.select_only = true;
    result_t r = run(qs("{\"method\":\"select\",\"values\":[\"name\"]}", NULL), &s, NULL);
    assert_int_equal(r.rc, 0);
    r = run(qs("{\"method\":\"select\",\"values\":[\"name\"]}",
               "{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[\"x\"]}", NULL),
            &s, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
    assert_int_equal(r.err.index, 1);
    assert_non_null(strstr(r.err.message, "only select"));
    r = run(qs("{\"method\":\"cursorAfter\",\"values\":[1]}", NULL), &s, NULL);
    assert_non_null(strstr(r.err.message, "only select"));
    r = run(qs("{\"method\":\"limit\",\"values\":[1]}", NULL), &s, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
}

static void test_limit_offset(void **state)
{
    cw_query_list_t got;
    result_t r = run(qs("{\"method\":\"limit\",\"values\":[25]}", NULL), NULL, &got);
    assert_int_equal(r.rc, 0);
    assert_int_equal(got.limit, 25);
    r = run(qs("{\"method\":\"limit\",\"values\":[\"40\"]}",
               "{\"method\":\"offset\",\"values\":[0]}", NULL),
            NULL, &got);
    assert_int_equal(r.rc, 0);
    assert_int_equal(got.limit, 40);
    assert_int_equal(got.offset, 0);
    r = run(qs("{\"method\":\"offset\",\"values\":[\" 7\"]}", NULL), NULL, &got);
    assert_int_equal(r.rc, 0);
    assert_int_equal(got.offset, 7);
    assert_int_equal(got.limit, -1);
    r = run(qs("{\"method\":\"limit\",\"values\":[9223372036854775807]}", NULL), NULL, &got);
    assert_int_equal(r.rc, 0);
    assert_true(got.limit == INT64_MAX);

    bad1("{\"method\":\"limit\",\"values\":[0]}", "limit takes one whole number from 1");
    bad1("{\"method\":\"limit\",\"values\":[-1]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[1.5]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[2.0]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[\"1e2\"]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[\"ten\"]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[\"\"]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[\"-\"]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[\"9223372036854775808\"]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[true]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[null]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[[5]]}", "limit");
    bad1("{\"method\":\"limit\",\"values\":[]}", "limit");
    bad1("{\"method\":\"limit\"}", "limit");
    bad1("{\"method\":\"offset\",\"values\":[-1]}", "offset takes one whole number from 0");
    bad1("{\"method\":\"offset\",\"values\":[\"-9223372036854775808\"]}", "offset");
    bad1("{\"method\":\"offset\"}", "offset");
    /* Extra values are ignored, as utopia reads only the first. */
    ok1("{\"method\":\"limit\",\"values\":[5,\"junk\"]}");
    /* Only the first limit counts, but every one must be valid. */
    r = run(
        qs("{\"method\":\"limit\",\"values\":[5]}", "{\"method\":\"limit\",\"values\":[6]}", NULL),
        NULL, &got);
    assert_int_equal(got.limit, 5);
    r = run(
        qs("{\"method\":\"limit\",\"values\":[5]}", "{\"method\":\"limit\",\"values\":[0]}", NULL),
        NULL, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
    assert_int_equal(r.err.index, 1);

    cw_query_schema_t s;
    cw_query_schema_init(&s, attrs, NATTRS);
    s.max_limit = 5000;
    s.max_offset = 10;
    r = run(qs("{\"method\":\"limit\",\"values\":[5000]}", NULL), &s, NULL);
    assert_int_equal(r.rc, 0);
    r = run(qs("{\"method\":\"limit\",\"values\":[5001]}", NULL), &s, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
    assert_non_null(strstr(r.err.message, "5000"));
    r = run(qs("{\"method\":\"offset\",\"values\":[11]}", NULL), &s, NULL);
    assert_int_equal(r.rc, CW_EINVAL);
}

static void test_cursor(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_query_list_t l;
    cw_query_error_t err;
    cw_query_schema_t s;
    cw_query_schema_init(&s, attrs, NATTRS);
    json_t *j = qs("{\"method\":\"cursorAfter\",\"values\":[\"abc-1\"]}",
                   "{\"method\":\"cursorBefore\",\"values\":[\"zzz\"]}", NULL);
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), 0);
    assert_int_equal(cw_query_list_validate(&l, &s, &err), 0);
    assert_int_equal(l.cursor_dir, CW_QUERY_DIR_AFTER);
    assert_int_equal(l.cursor_id.len, 5);
    assert_memory_equal(l.cursor_id.ptr, "abc-1", 5);
    cw_query_list_release(&l);
    json_decref(j);
    cw_arena_destroy(&arena);

    ok1("{\"method\":\"cursorBefore\",\"values\":[\"123456789012345678901234567890123456\"]}");
    bad1("{\"method\":\"cursorBefore\",\"values\":[\"1234567890123456789012345678901234567\"]}",
         "document ID");
    bad1("{\"method\":\"cursorAfter\",\"values\":[5]}", "cursorAfter takes a document ID");
    bad1("{\"method\":\"cursorAfter\",\"values\":[\"\"]}", "document ID");
    bad1("{\"method\":\"cursorAfter\",\"values\":[\"_x\"]}", "document ID");
    bad1("{\"method\":\"cursorAfter\",\"values\":[\"$id\"]}", "document ID");
    bad1("{\"method\":\"cursorAfter\",\"values\":[\"a b\"]}", "document ID");
    bad1("{\"method\":\"cursorAfter\",\"values\":[]}", "document ID");
    bad1("{\"method\":\"cursorAfter\"}", "document ID");
    /* Appwrite checks the first cursor before anything else. */
    result_t r = run(qs("{\"method\":\"equal\",\"attribute\":\"nope\",\"values\":[1]}",
                        "{\"method\":\"cursorAfter\",\"values\":[7]}", NULL),
                     NULL, NULL);
    assert_int_equal(r.err.index, 1);
    /* A second cursor is checked in its turn. */
    r = run(qs("{\"method\":\"cursorAfter\",\"values\":[\"ok\"]}",
               "{\"method\":\"equal\",\"attribute\":\"nope\",\"values\":[1]}",
               "{\"method\":\"cursorAfter\",\"values\":[7]}", NULL),
            NULL, NULL);
    assert_int_equal(r.err.index, 1);
}

/* The list owns what its nodes borrow, even when the caller's queries[] is gone. */
static void test_ownership(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_query_list_t l;
    cw_query_error_t err;
    json_t *j = qs("{\"method\":\"equal\",\"attribute\":\"name\",\"values\":[\"kept\"]}", NULL);
    assert_int_equal(cw_query_list_parse(j, &arena, &l, &err), 0);
    json_decref(j);
    assert_memory_equal(l.filters[0]->attribute.ptr, "name", 4);
    assert_string_equal(json_string_value(cw_query_value(l.filters[0], 0)), "kept");
    cw_query_list_release(&l);
    cw_arena_destroy(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_parse_every_method),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_parse_defaults),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_list_param),
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_filter_types),
        cmocka_unit_test(test_filter_counts),
        cmocka_unit_test(test_filter_arrays),
        cmocka_unit_test(test_filter_relationships),
        cmocka_unit_test(test_filter_spatial),
        cmocka_unit_test(test_filter_logical),
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_long_messages),
        cmocka_unit_test(test_select_only),
        cmocka_unit_test(test_limit_offset),
        cmocka_unit_test(test_cursor),
        cmocka_unit_test(test_ownership),
    };
    return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}
