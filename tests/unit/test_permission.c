/* Unit tests for db/permission: permission and role strings, aggregation, role sets, grants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/status.h"
#include "core/utf8.h"
#include "db/permission.h"

#define DOC_TYPES                                                                                  \
    (CW_PERM_BIT(CW_PERM_READ) | CW_PERM_BIT(CW_PERM_UPDATE) | CW_PERM_BIT(CW_PERM_DELETE) |       \
     CW_PERM_BIT(CW_PERM_WRITE))
#define ALL_TYPES (DOC_TYPES | CW_PERM_BIT(CW_PERM_CREATE))

/* Parses s (copied into a buffer with no NUL after it, so a parser reading past the slice trips
 * ASan) and returns the status. */
static int parse(const char *s, unsigned allowed, cw_perm_t *p, cw_perm_error_t *err)
{
    size_t n = strlen(s);
    char *copy = malloc(n == 0 ? 1 : n);
    memcpy(copy, s, n);
    int rc = cw_perm_parse((cw_str_t){copy, n}, allowed, p, err);
    /* Slices in *p point into copy; tests that need them use parse_keep. */
    free(copy);
    return rc;
}

static void assert_ok(const char *s, unsigned allowed)
{
    cw_perm_t p;
    cw_perm_error_t err;
    int rc = parse(s, allowed, &p, &err);
    if (rc != 0)
        fail_msg("\"%s\" refused: %s", s, err.message);
}

/* Asserts that s is refused and that the message holds `part` and is valid UTF-8. */
static void assert_bad(const char *s, unsigned allowed, const char *part)
{
    cw_perm_t p;
    cw_perm_error_t err;
    memset(&err, 0, sizeof(err));
    int rc = parse(s, allowed, &p, &err);
    if (rc != CW_EINVAL)
        fail_msg("\"%s\" accepted", s);
    assert_true(cw_utf8_valid(err.message, strlen(err.message)));
    if (part != NULL && strstr(err.message, part) == NULL)
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", s, err.message, part);
}

static void assert_str(cw_str_t got, const char *want)
{
    assert_int_equal(got.len, strlen(want));
    if (got.len != 0)
        assert_memory_equal(got.ptr, want, got.len);
}

static void test_type_names(void **state)
{
    assert_string_equal(cw_perm_type_name(CW_PERM_CREATE), "create");
    assert_string_equal(cw_perm_type_name(CW_PERM_READ), "read");
    assert_string_equal(cw_perm_type_name(CW_PERM_UPDATE), "update");
    assert_string_equal(cw_perm_type_name(CW_PERM_DELETE), "delete");
    assert_string_equal(cw_perm_type_name(CW_PERM_WRITE), "write");
    assert_string_equal(cw_perm_type_name((cw_perm_type_t)99), "?");
}

static void test_parse_fields(void **state)
{
    const char *s = "read(\"user:abc/verified\")";
    cw_perm_t p;
    cw_perm_error_t err;
    assert_int_equal(cw_perm_parse(cw_str(s), ALL_TYPES, &p, &err), 0);
    assert_int_equal(p.type, CW_PERM_READ);
    assert_int_equal(p.role.kind, CW_PERM_ROLE_USER);
    assert_str(p.role.text, "user:abc/verified");
    assert_str(p.role.id, "abc");
    assert_str(p.role.dimension, "verified");

    s = "delete(\"team:t1/owner\")";
    assert_int_equal(cw_perm_parse(cw_str(s), ALL_TYPES, &p, &err), 0);
    assert_int_equal(p.type, CW_PERM_DELETE);
    assert_int_equal(p.role.kind, CW_PERM_ROLE_TEAM);
    assert_str(p.role.id, "t1");
    assert_str(p.role.dimension, "owner");

    s = "create(\"any\")";
    assert_int_equal(cw_perm_parse(cw_str(s), ALL_TYPES, &p, &err), 0);
    assert_int_equal(p.type, CW_PERM_CREATE);
    assert_int_equal(p.role.kind, CW_PERM_ROLE_ANY);
    assert_int_equal(p.role.id.len, 0);
    assert_int_equal(p.role.dimension.len, 0);

    s = "write(\"users/unverified\")";
    assert_int_equal(cw_perm_parse(cw_str(s), ALL_TYPES, &p, &err), 0);
    assert_int_equal(p.type, CW_PERM_WRITE);
    assert_int_equal(p.role.kind, CW_PERM_ROLE_USERS);
    assert_str(p.role.dimension, "unverified");

    s = "update(\"label:vip\")";
    assert_int_equal(cw_perm_parse(cw_str(s), ALL_TYPES, &p, &err), 0);
    assert_int_equal(p.role.kind, CW_PERM_ROLE_LABEL);
    assert_str(p.role.id, "vip");

    s = "read(\"member:m-1\")";
    assert_int_equal(cw_perm_parse(cw_str(s), ALL_TYPES, &p, &err), 0);
    assert_int_equal(p.role.kind, CW_PERM_ROLE_MEMBER);
    assert_str(p.role.id, "m-1");

    s = "read(\"guests\")";
    assert_int_equal(cw_perm_parse(cw_str(s), ALL_TYPES, &p, &err), 0);
    assert_int_equal(p.role.kind, CW_PERM_ROLE_GUESTS);
}

static void test_parse_good(void **state)
{
    static const char *const good[] = {
        "read(\"any\")",
        "read(\"guests\")",
        "read(\"users\")",
        "read(\"users/verified\")",
        "read(\"users/unverified\")",
        "read(\"user:abc\")",
        "read(\"user:abc/verified\")",
        "read(\"user:abc/unverified\")",
        "read(\"user:A.b_c-9\")",
        "read(\"user:123456789012345678901234567890123456\")", /* 36 */
        "read(\"team:abc\")",
        "read(\"team:abc/owner\")",
        "read(\"team:abc/a.b-c_d\")",
        "read(\"member:abc\")",
        "read(\"label:abc123\")",
        "read(\"label:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\")", /* 36 */
        "update(\"any\")",
        "delete(\"any\")",
        "write(\"any\")",
        "read(\"user:0a\")",
        "read(\"team:x/0a\")",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_ok(good[i], DOC_TYPES);
    assert_ok("create(\"any\")", ALL_TYPES);

    /* A team dimension of 81 characters is the longest. */
    char buf[128];
    snprintf(buf, sizeof(buf), "read(\"team:t/%081d\")", 0);
    buf[13] = 'a';
    assert_ok(buf, DOC_TYPES);
    snprintf(buf, sizeof(buf), "read(\"team:t/%082d\")", 0);
    buf[13] = 'a';
    assert_bad(buf, DOC_TYPES, "team role");
}

static void test_parse_shape(void **state)
{
    /* Spaces anywhere are not part of the grammar. */
    assert_bad(" read(\"any\")", DOC_TYPES, "not allowed");
    assert_bad("read (\"any\")", DOC_TYPES, "unknown type");
    assert_bad("read( \"any\")", DOC_TYPES, "form");
    assert_bad("read(\" any\")", DOC_TYPES, "Unknown role");
    assert_bad("read(\"any \")", DOC_TYPES, "Unknown role");
    assert_bad("read(\"any\" )", DOC_TYPES, "does not end");
    assert_bad("read(\"any\") ", DOC_TYPES, "does not end");
    /* Quotes and parentheses. */
    assert_bad("read(any)", DOC_TYPES, "form");
    assert_bad("read('any')", DOC_TYPES, "form");
    assert_bad("read(\"any)", DOC_TYPES, "does not end");
    assert_bad("read(any\")", DOC_TYPES, "form");
    assert_bad("read(\"any\"", DOC_TYPES, "does not end");
    assert_bad("read(\"any", DOC_TYPES, "does not end"); /* utopia would take this one */
    assert_bad("read(\"", DOC_TYPES, "does not end");
    assert_bad("read(\"\")", DOC_TYPES, "Unknown role");
    assert_bad("read(\"\"any\")", DOC_TYPES, "Unknown role");
    assert_bad("read(\"any\")\")", DOC_TYPES, "Unknown role");
    assert_bad("read(\"a(\"ny\")", DOC_TYPES, "more than one");
    assert_bad("read", DOC_TYPES, "form");
    assert_bad("", DOC_TYPES, "not allowed");
    /* Trailing garbage. */
    assert_bad("read(\"any\")x", DOC_TYPES, "does not end");
    assert_bad("read(\"any\");read(\"any\")", DOC_TYPES, "more than one");
    assert_bad("read(\"any\")garbage\")", DOC_TYPES, "Unknown role");
    /* Types. */
    assert_bad("READ(\"any\")", DOC_TYPES, "not allowed");
    assert_bad("reads(\"any\")", DOC_TYPES, "unknown type");
    assert_bad("readwrite(\"any\")", DOC_TYPES, "unknown type");
    assert_bad("execute(\"any\")", ALL_TYPES, "not allowed");
    assert_bad("create(\"any\")", DOC_TYPES, "read, update, delete, write");
    assert_bad("read(\"any\")", CW_PERM_BIT(CW_PERM_CREATE), "must be one of: create");
}

static void test_parse_legacy(void **state)
{
    assert_bad("*", ALL_TYPES, "\"any\"");
    assert_bad("role:all", ALL_TYPES, "role:");
    assert_bad("read(\"role:all\")", ALL_TYPES, "role:");
    assert_bad("read(\"role:member\")", ALL_TYPES, "role:");
    assert_bad("read(\"*\")", ALL_TYPES, "Unknown role");
}

static void test_parse_roles(void **state)
{
    /* Roles without an ID or a dimension. */
    assert_bad("read(\"any:x\")", DOC_TYPES, "takes no ID");
    assert_bad("read(\"any:\")", DOC_TYPES, "takes no ID");
    assert_bad("read(\"guests:x\")", DOC_TYPES, "takes no ID");
    assert_bad("read(\"users:x\")", DOC_TYPES, "takes no ID");
    assert_bad("read(\"any/verified\")", DOC_TYPES, "takes no dimension");
    assert_bad("read(\"guests/x\")", DOC_TYPES, "takes no dimension");
    assert_bad("read(\"member:m/x\")", DOC_TYPES, "takes no dimension");
    assert_bad("read(\"label:vip/x\")", DOC_TYPES, "takes no dimension");
    /* Roles that need an ID. */
    assert_bad("read(\"user\")", DOC_TYPES, "needs an ID");
    assert_bad("read(\"user:\")", DOC_TYPES, "needs an ID");
    assert_bad("read(\"user:/verified\")", DOC_TYPES, "needs an ID");
    assert_bad("read(\"team\")", DOC_TYPES, "needs an ID");
    assert_bad("read(\"team/owner\")", DOC_TYPES, "needs an ID");
    assert_bad("read(\"member\")", DOC_TYPES, "needs an ID");
    assert_bad("read(\"label\")", DOC_TYPES, "needs an ID");
    /* PHP's empty("0") is true, so utopia takes the ID "0" for no ID. */
    assert_bad("read(\"user:0\")", DOC_TYPES, "needs an ID");
    assert_bad("read(\"team:t/0\")", DOC_TYPES, "empty dimension");
    /* ID rules: utopia's Key, 36 characters. */
    assert_bad("read(\"user:1234567890123456789012345678901234567\")", DOC_TYPES, "not valid");
    assert_bad("read(\"user:_abc\")", DOC_TYPES, "not valid");
    assert_bad("read(\"user:.abc\")", DOC_TYPES, "not valid");
    assert_bad("read(\"user:-abc\")", DOC_TYPES, "not valid");
    assert_bad("read(\"user:a b\")", DOC_TYPES, "not valid");
    assert_bad("read(\"user:a:b\")", DOC_TYPES, "not valid");
    assert_bad("read(\"user:$id\")", DOC_TYPES, "not valid");
    assert_bad("read(\"user:\xc3\xa9t\xc3\xa9\")", DOC_TYPES, "not valid");
    assert_bad("read(\"team:a\\\"b\")", DOC_TYPES, "not valid");
    /* Labels: letters and digits only. */
    assert_bad("read(\"label:a-b\")", DOC_TYPES, "Label");
    assert_bad("read(\"label:a.b\")", DOC_TYPES, "Label");
    assert_bad("read(\"label:ABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890\")", DOC_TYPES, "Label");
    /* Dimensions. */
    assert_bad("read(\"user:abc/admin\")", DOC_TYPES, "verified");
    assert_bad("read(\"users/admin\")", DOC_TYPES, "verified");
    assert_bad("read(\"users/\")", DOC_TYPES, "empty dimension");
    assert_bad("read(\"team:t/\")", DOC_TYPES, "empty dimension");
    assert_bad("read(\"team:t/a/b\")", DOC_TYPES, "more than one dimension");
    assert_bad("read(\"users/verified/x\")", DOC_TYPES, "more than one dimension");
    assert_bad("read(\"team:t/_x\")", DOC_TYPES, "team role");
    assert_bad("read(\"team/x:y\")", DOC_TYPES, NULL);
    /* Unknown roles. */
    assert_bad("read(\"admin\")", DOC_TYPES, "Unknown role \"admin\"");
    assert_bad("read(\"Users\")", DOC_TYPES, "Unknown role");
    assert_bad("read(\"teams:x\")", DOC_TYPES, "Unknown role \"teams\"");
}

/* Client bytes in messages are shown printable and valid UTF-8, and cut when long. */
static void test_messages(void **state)
{
    assert_bad("read(\"\xff\xfe\x01\")", DOC_TYPES, "\"??\?\"");
    assert_bad("read(\"\xe2\x82\")", DOC_TYPES, NULL);
    assert_bad("read(\"\xc3\xa9\")", DOC_TYPES, "\"\xc3\xa9\"");
    char big[600];
    memset(big, 'x', sizeof(big));
    memcpy(big, "read(\"", 6);
    memcpy(big + sizeof(big) - 3, "\")", 3);
    assert_bad(big, DOC_TYPES, "...");

    /* The longest messages, with the most quoted, still fit whole. */
    char emoji[200] = "read(\"user:";
    for (int i = 0; i < 30; i++)
        strcat(emoji, "\xf0\x9f\x98\x80");
    strcat(emoji, "\")");
    cw_perm_t p;
    cw_perm_error_t err;
    assert_int_equal(cw_perm_parse(cw_str(emoji), DOC_TYPES, &p, &err), CW_EINVAL);
    assert_non_null(strstr(err.message, "...\" of role \"user\""));
    assert_non_null(strstr(err.message, "the last three."));
    char unknown[220] = "reads";
    strcat(unknown, emoji + 4);
    assert_int_equal(cw_perm_parse(cw_str(unknown), DOC_TYPES, &p, &err), CW_EINVAL);
    assert_non_null(strstr(err.message, "and write."));

    /* A NUL inside the slice is just a byte. */
    const char with_nul[] = "read(\"any\0\")";
    assert_int_equal(cw_perm_parse((cw_str_t){with_nul, sizeof(with_nul) - 1}, DOC_TYPES, &p, &err),
                     CW_EINVAL);
    assert_non_null(strstr(err.message, "any?"));
    /* The parser reads only the slice: here the bytes past it would complete the permission. */
    const char *s = "read(\"any\")";
    assert_int_equal(cw_perm_parse((cw_str_t){s, strlen(s) - 1}, DOC_TYPES, &p, &err), CW_EINVAL);
    assert_int_equal(cw_perm_parse((cw_str_t){s, strlen(s)}, DOC_TYPES, &p, &err), 0);
    assert_int_equal(cw_perm_parse(CW_STR_NULL, DOC_TYPES, &p, &err), CW_EINVAL);
    assert_int_equal(cw_perm_parse(CW_STR_NULL, DOC_TYPES, &p, NULL), CW_EINVAL);
}

static void test_role_parse(void **state)
{
    cw_perm_role_t r;
    cw_perm_error_t err;
    assert_int_equal(cw_perm_role_parse(cw_str("team:t/owner"), &r, &err), 0);
    assert_int_equal(r.kind, CW_PERM_ROLE_TEAM);
    assert_str(r.id, "t");
    assert_str(r.dimension, "owner");
    assert_int_equal(cw_perm_role_parse(cw_str("any"), &r, &err), 0);
    assert_int_equal(cw_perm_role_parse(cw_str("*"), &r, &err), CW_EINVAL);
    assert_non_null(strstr(err.message, "\"any\""));
    assert_int_equal(cw_perm_role_parse(cw_str("role:all"), &r, &err), CW_EINVAL);
    assert_non_null(strstr(err.message, "role:"));
    assert_int_equal(cw_perm_role_parse(cw_str("read(\"any\")"), &r, &err), CW_EINVAL);
    assert_int_equal(cw_perm_role_parse(cw_str(""), &r, &err), CW_EINVAL);
}

static cw_perm_t perm(cw_perm_type_t t, const char *role)
{
    cw_perm_t p;
    cw_perm_error_t err;
    assert_int_equal(cw_perm_role_parse(cw_str(role), &p.role, &err), 0);
    p.type = t;
    return p;
}

static void assert_perms(const cw_perm_t *p, size_t n, const char *const *want, size_t nwant)
{
    char buf[128];
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++) {
        cw_perm_format(&p[i], buf, sizeof(buf));
        assert_string_equal(buf, want[i]);
    }
}

static void test_aggregate(void **state)
{
    cw_perm_t in[] = {
        perm(CW_PERM_READ, "any"),      perm(CW_PERM_WRITE, "user:a"),
        perm(CW_PERM_UPDATE, "user:a"), perm(CW_PERM_DELETE, "team:t"),
        perm(CW_PERM_WRITE, "team:t"),  perm(CW_PERM_READ, "any"),
    };
    cw_perm_t out[18];
    size_t n = cw_perm_aggregate(in, 6, CW_PERM_SCOPE_DOCUMENT, out);
    static const char *const doc[] = {
        "read(\"any\")",      "update(\"user:a\")", "delete(\"user:a\")",
        "delete(\"team:t\")", "update(\"team:t\")",
    };
    assert_perms(out, n, doc, 5);

    n = cw_perm_aggregate(in, 6, CW_PERM_SCOPE_COLLECTION, out);
    static const char *const col[] = {
        "read(\"any\")",      "create(\"user:a\")", "update(\"user:a\")", "delete(\"user:a\")",
        "delete(\"team:t\")", "create(\"team:t\")", "update(\"team:t\")",
    };
    assert_perms(out, n, col, 7);
    assert_int_equal(cw_perm_aggregate(in, 0, CW_PERM_SCOPE_DOCUMENT, out), 0);
}

static json_t *jarr(const char *json)
{
    json_error_t e;
    json_t *j = json_loads(json, JSON_DECODE_ANY, &e);
    assert_non_null(j);
    return j;
}

static void test_list_parse(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_perm_list_t l;
    cw_perm_error_t err;

    assert_int_equal(cw_perm_list_parse(NULL, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), 0);
    assert_false(l.given);
    assert_int_equal(l.n, 0);
    json_t *j = json_null();
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), 0);
    assert_false(l.given);

    j = jarr("[]");
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), 0);
    assert_true(l.given);
    assert_int_equal(l.n, 0);
    json_decref(j);

    j = jarr("[\"read(\\\"any\\\")\", \"write(\\\"user:u1\\\")\", \"read(\\\"any\\\")\"]");
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), 0);
    static const char *const want[] = {"read(\"any\")", "update(\"user:u1\")",
                                       "delete(\"user:u1\")"};
    assert_perms(l.items, l.n, want, 3);
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_COLLECTION, &arena, &l, &err), 0);
    assert_int_equal(l.n, 4);
    json_decref(j);

    j = jarr("[\"read(\\\"any\\\")\", \"create(\\\"any\\\")\"]");
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), CW_EINVAL);
    assert_int_equal(err.index, 1);
    assert_non_null(strstr(err.message, "not allowed"));
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_COLLECTION, &arena, &l, &err), 0);
    json_decref(j);

    j = jarr("[\"read(\\\"any\\\")\", 5]");
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), CW_EINVAL);
    assert_int_equal(err.index, 1);
    assert_non_null(strstr(err.message, "string"));
    json_decref(j);

    j = jarr("\"read(\\\"any\\\")\"");
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), CW_EINVAL);
    assert_non_null(strstr(err.message, "array"));
    json_decref(j);
    j = jarr("{\"a\": \"read(\\\"any\\\")\"}");
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), CW_EINVAL);
    json_decref(j);

    /* 100 is the most; duplicates count before they are dropped, as in Appwrite. */
    j = json_array();
    for (int i = 0; i < 100; i++)
        json_array_append_new(j, json_string("read(\"any\")"));
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), 0);
    assert_int_equal(l.n, 1);
    json_array_append_new(j, json_string("read(\"any\")"));
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), CW_EINVAL);
    assert_non_null(strstr(err.message, "100"));
    json_decref(j);

    /* 100 distinct writes on a collection become 300 permissions. */
    j = json_array();
    for (int i = 0; i < 100; i++) {
        char s[64];
        snprintf(s, sizeof(s), "write(\"user:u%d\")", i);
        json_array_append_new(j, json_string(s));
    }
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_COLLECTION, &arena, &l, &err), 0);
    assert_int_equal(l.n, 300);
    json_decref(j);

    /* A permission string holding \u0000 is refused, not cut short. */
    json_error_t e;
    j = json_loads("[\"read(\\\"any\\u0000\\\")\"]", JSON_ALLOW_NUL, &e);
    assert_non_null(j);
    assert_int_equal(cw_perm_list_parse(j, CW_PERM_SCOPE_DOCUMENT, &arena, &l, &err), CW_EINVAL);
    json_decref(j);
    cw_arena_destroy(&arena);
}

static void test_format(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_perm_t p = perm(CW_PERM_UPDATE, "team:t/owner");
    char buf[8];
    assert_int_equal(cw_perm_format(&p, buf, sizeof(buf)), strlen("update(\"team:t/owner\")"));
    assert_string_equal(buf, "update(");
    cw_str_t s = cw_perm_to_str(&p, &arena);
    assert_str(s, "update(\"team:t/owner\")");
    assert_int_equal(s.ptr[s.len], '\0');
    cw_arena_destroy(&arena);
}

static void test_roles(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_roles_t r;
    cw_roles_init(&r, &arena);
    assert_int_equal(r.n, 1);
    assert_true(cw_roles_has(&r, CW_STR_LIT("any")));
    assert_false(cw_roles_has(&r, CW_STR_LIT("guests")));
    cw_roles_add_guest(&r);
    assert_true(cw_roles_has(&r, CW_STR_LIT("guests")));
    cw_roles_add_guest(&r);
    assert_int_equal(r.n, 2);

    cw_roles_init(&r, &arena);
    cw_roles_add_user(&r, CW_STR_LIT("u1"), true);
    cw_str_t joined = cw_roles_join(&r, &arena);
    assert_str(joined, "any, user:u1, users, user:u1/verified, users/verified");

    cw_roles_init(&r, &arena);
    cw_roles_add_user(&r, CW_STR_LIT("u1"), false);
    const cw_str_t team_roles[] = {CW_STR_LIT("owner"), CW_STR_LIT("dev")};
    cw_roles_add_membership(&r, CW_STR_LIT("t1"), CW_STR_LIT("m1"), team_roles, 2);
    cw_roles_add_label(&r, CW_STR_LIT("vip"));
    joined = cw_roles_join(&r, &arena);
    assert_str(joined, "any, user:u1, users, user:u1/unverified, users/unverified, team:t1, "
                       "member:m1, team:t1/owner, team:t1/dev, label:vip");
    assert_true(cw_roles_has(&r, CW_STR_LIT("team:t1/dev")));
    assert_false(cw_roles_has(&r, CW_STR_LIT("team:t1/admin")));
    assert_false(cw_roles_has(&r, CW_STR_LIT("users/verified")));

    /* Many roles: the set grows and stays a set. */
    cw_roles_init(&r, &arena);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 200; i++) {
            char s[32];
            snprintf(s, sizeof(s), "team:t%d", i);
            cw_roles_add(&r, cw_str(s));
        }
    }
    assert_int_equal(r.n, 201);
    assert_true(cw_roles_has(&r, CW_STR_LIT("team:t199")));
    /* Roles are copied: the caller's buffer can go. */
    char tmp[16] = "label:x";
    cw_roles_add(&r, cw_str(tmp));
    memset(tmp, 0, sizeof(tmp));
    assert_true(cw_roles_has(&r, CW_STR_LIT("label:x")));

    cw_roles_t empty = {0};
    assert_str(cw_roles_join(&empty, &arena), "");
    cw_arena_destroy(&arena);
}

static void test_grants(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_roles_t guest, user;
    cw_roles_init(&guest, &arena);
    cw_roles_add_guest(&guest);
    cw_roles_init(&user, &arena);
    cw_roles_add_user(&user, CW_STR_LIT("u1"), true);

    cw_perm_t perms[] = {
        perm(CW_PERM_READ, "any"),
        perm(CW_PERM_UPDATE, "user:u1"),
        perm(CW_PERM_DELETE, "users/unverified"),
    };
    assert_true(cw_perm_grants(perms, 3, CW_PERM_READ, &guest));
    assert_false(cw_perm_grants(perms, 3, CW_PERM_UPDATE, &guest));
    assert_true(cw_perm_grants(perms, 3, CW_PERM_UPDATE, &user));
    assert_false(cw_perm_grants(perms, 3, CW_PERM_DELETE, &user));
    assert_false(cw_perm_grants(perms, 3, CW_PERM_CREATE, &user));
    assert_false(cw_perm_grants(perms, 0, CW_PERM_READ, &user));

    /* An unaggregated write stands for create, update and delete, not read. */
    cw_perm_t w[] = {perm(CW_PERM_WRITE, "users")};
    assert_true(cw_perm_grants(w, 1, CW_PERM_CREATE, &user));
    assert_true(cw_perm_grants(w, 1, CW_PERM_UPDATE, &user));
    assert_true(cw_perm_grants(w, 1, CW_PERM_DELETE, &user));
    assert_false(cw_perm_grants(w, 1, CW_PERM_READ, &user));
    assert_false(cw_perm_grants(w, 1, CW_PERM_UPDATE, &guest));
    cw_arena_destroy(&arena);
}

static void test_check_held(void **state)
{
    cw_arena_t arena = CW_ARENA_INIT;
    cw_roles_t user;
    cw_roles_init(&user, &arena);
    cw_roles_add_user(&user, CW_STR_LIT("u1"), false);

    cw_perm_t ok[] = {perm(CW_PERM_READ, "any"), perm(CW_PERM_UPDATE, "user:u1"),
                      perm(CW_PERM_DELETE, "users/unverified")};
    size_t bad = 99;
    assert_int_equal(cw_perm_check_held(ok, 3, &user, &bad), 0);
    assert_int_equal(bad, 99);
    assert_int_equal(cw_perm_check_held(ok, 0, &user, &bad), 0);

    /* Appwrite looks type by type (create, read, update, delete), so the read of user:u2 is
     * found before the earlier update of team:t. */
    cw_perm_t mixed[] = {perm(CW_PERM_UPDATE, "team:t"), perm(CW_PERM_READ, "any"),
                         perm(CW_PERM_READ, "user:u2")};
    assert_int_equal(cw_perm_check_held(mixed, 3, &user, &bad), CW_ENOTFOUND);
    assert_int_equal(bad, 2);
    cw_perm_t create[] = {perm(CW_PERM_DELETE, "users/verified"), perm(CW_PERM_CREATE, "guests")};
    assert_int_equal(cw_perm_check_held(create, 2, &user, &bad), CW_ENOTFOUND);
    assert_int_equal(bad, 1);
    cw_arena_destroy(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),   cmocka_unit_test(test_parse_fields),
        cmocka_unit_test(test_parse_good),   cmocka_unit_test(test_parse_shape),
        cmocka_unit_test(test_parse_legacy), cmocka_unit_test(test_parse_roles),
        cmocka_unit_test(test_messages),     cmocka_unit_test(test_role_parse),
        cmocka_unit_test(test_aggregate),    cmocka_unit_test(test_list_parse),
        cmocka_unit_test(test_format),       cmocka_unit_test(test_roles),
        cmocka_unit_test(test_grants),       cmocka_unit_test(test_check_held),
    };
    return cmocka_run_group_tests_name("permission", tests, NULL, NULL);
}
