/* Unit tests for http/router: matching by method and path, path parameters, and static segments
 * winning over parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"

static void on_any(cw_ctx_t *ctx)
{
}

static const cw_route_t routes[] = {
    {"GET", "/v1/health", NULL, on_any, 0},
    {"GET", "/v1/users/{userId}", NULL, on_any, 0},
    {"PATCH", "/v1/users/{userId}/name", NULL, on_any, 0},
    {"GET", "/v1/account/sessions/{sessionId}", NULL, on_any, 0},
    {"GET", "/v1/account/sessions/current", NULL, on_any, 0},
    {"GET", "/v1/databases/{databaseId}/collections/{collectionId}/documents/{documentId}", NULL,
     on_any, 0},
    {"GET", "/a/{x}/c", NULL, on_any, 0},
    {"GET", "/a/b/{y}", NULL, on_any, 0},
    {"GET", "/", NULL, on_any, 0},
    {"GET", "/p/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", NULL, on_any, 0},
    {"GET", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", NULL, on_any, 0},
    {"GET", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", NULL, on_any, 0},
    {"GET", "/e/{}", NULL, on_any, 0},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const cw_route_t *match(const cw_router_t *r, const char *method, const char *path,
                               cw_req_t *req)
{
    cw_req_init(req);
    return cw_router_match(r, cw_str(method), cw_str(path), req);
}

static int setup(void **state)
{
    cw_router_t *r = cw_router_new();
    cw_router_add(r, routes, NROUTES);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    cw_router_free(*state);
    return 0;
}

static void test_count(void **state)
{
    assert_int_equal(cw_router_count(*state), NROUTES);
    cw_router_t *empty = cw_router_new();
    cw_req_t req;
    assert_int_equal(cw_router_count(empty), 0);
    assert_null(match(empty, "GET", "/v1/health", &req));
    cw_router_free(empty);
    cw_router_free(NULL);
}

static void test_static(void **state)
{
    cw_req_t req;
    assert_ptr_equal(match(*state, "GET", "/v1/health", &req), &routes[0]);
    assert_int_equal(req.npath, 0);
    /* Repeated and trailing slashes do not make segments. */
    assert_ptr_equal(match(*state, "GET", "/v1/health/", &req), &routes[0]);
    assert_ptr_equal(match(*state, "GET", "//v1//health", &req), &routes[0]);
    assert_ptr_equal(match(*state, "GET", "/", &req), &routes[8]);
    assert_ptr_equal(match(*state, "GET", "", &req), &routes[8]);
    assert_null(match(*state, "GET", "/v1/healthz", &req));
    assert_null(match(*state, "GET", "/v1/Health", &req));
    assert_null(match(*state, "GET", "/v1", &req));
    assert_null(match(*state, "GET", "/v1/health/x", &req));
}

static void test_method(void **state)
{
    cw_req_t req;
    assert_null(match(*state, "POST", "/v1/health", &req));
    assert_null(match(*state, "get", "/v1/health", &req));
    assert_null(match(*state, "", "/v1/health", &req));
    assert_ptr_equal(match(*state, "PATCH", "/v1/users/u1/name", &req), &routes[2]);
    assert_null(match(*state, "GET", "/v1/users/u1/name", &req));
}

static void test_params(void **state)
{
    cw_req_t req;
    assert_ptr_equal(match(*state, "GET", "/v1/users/u1", &req), &routes[1]);
    assert_int_equal(req.npath, 1);
    assert_true(cw_str_eq_cstr(req.path_names[0], "userId"));
    assert_true(cw_str_eq_cstr(req.path_values[0], "u1"));
    assert_true(cw_str_eq_cstr(cw_req_path_param(&req, "userId"), "u1"));

    const char *path = "/v1/databases/db/collections/col/documents/doc";
    assert_ptr_equal(match(*state, "GET", path, &req), &routes[5]);
    assert_int_equal(req.npath, 3);
    assert_true(cw_str_eq_cstr(cw_req_path_param(&req, "databaseId"), "db"));
    assert_true(cw_str_eq_cstr(cw_req_path_param(&req, "collectionId"), "col"));
    assert_true(cw_str_eq_cstr(cw_req_path_param(&req, "documentId"), "doc"));
    /* Values are slices of the path. */
    assert_ptr_equal(cw_req_path_param(&req, "documentId").ptr, path + strlen(path) - 3);

    /* A segment holding a brace is just a value. */
    assert_ptr_equal(match(*state, "GET", "/v1/users/{userId}", &req), &routes[1]);
    assert_true(cw_str_eq_cstr(req.path_values[0], "{userId}"));
    /* "{}" is a parameter with an empty name. */
    assert_ptr_equal(match(*state, "GET", "/e/v", &req), &routes[12]);
    assert_int_equal(req.npath, 1);
    assert_int_equal(req.path_names[0].len, 0);
}

static void test_static_wins(void **state)
{
    cw_req_t req;
    /* Added after the parameter route, and still preferred. */
    assert_ptr_equal(match(*state, "GET", "/v1/account/sessions/current", &req), &routes[4]);
    assert_int_equal(req.npath, 0);
    assert_ptr_equal(match(*state, "GET", "/v1/account/sessions/s1", &req), &routes[3]);
    assert_true(cw_str_eq_cstr(cw_req_path_param(&req, "sessionId"), "s1"));
    /* The leftmost static segment counts most. */
    assert_ptr_equal(match(*state, "GET", "/a/b/c", &req), &routes[7]);
    assert_true(cw_str_eq_cstr(cw_req_path_param(&req, "y"), "c"));
    assert_ptr_equal(match(*state, "GET", "/a/z/c", &req), &routes[6]);
    assert_ptr_equal(match(*state, "GET", "/a/b/z", &req), &routes[7]);

    /* Same tables added the other way round give the same answers. */
    cw_router_t *r = cw_router_new();
    for (size_t i = NROUTES; i-- > 0;)
        cw_router_add(r, &routes[i], 1);
    assert_ptr_equal(match(r, "GET", "/v1/account/sessions/current", &req), &routes[4]);
    assert_ptr_equal(match(r, "GET", "/a/b/c", &req), &routes[7]);
    cw_router_free(r);
}

static void test_limits(void **state)
{
    cw_req_t req;
    /* Nine parameters: the route matches, the first CW_REQ_MAX_PATH_PARAMS are kept. */
    assert_ptr_equal(match(*state, "GET", "/p/1/2/3/4/5/6/7/8/9", &req), &routes[9]);
    assert_int_equal(req.npath, CW_REQ_MAX_PATH_PARAMS);
    assert_true(cw_str_eq_cstr(cw_req_path_param(&req, "h"), "8"));
    assert_null(cw_req_path_param(&req, "i").ptr);
    /* Sixteen segments match; a route or a path with more never does. */
    assert_ptr_equal(match(*state, "GET", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", &req),
                     &routes[11]);
    assert_null(match(*state, "GET", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", &req));
    assert_null(match(*state, "GET", "/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a", &req));
}

static void test_many_routes(void **state)
{
    /* Growing past the first allocation keeps earlier routes matchable. */
    static cw_route_t many[300];
    static char paths[300][32];
    cw_router_t *r = cw_router_new();
    for (int i = 0; i < 300; i++) {
        snprintf(paths[i], sizeof(paths[i]), "/r/%d/{id}", i);
        many[i] = (cw_route_t){"GET", paths[i], NULL, on_any, 0};
    }
    cw_router_add(r, many, 300);
    assert_int_equal(cw_router_count(r), 300);
    cw_req_t req;
    assert_ptr_equal(match(r, "GET", "/r/0/x", &req), &many[0]);
    assert_ptr_equal(match(r, "GET", "/r/299/x", &req), &many[299]);
    assert_null(match(r, "GET", "/r/300/x", &req));
    cw_router_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count),       cmocka_unit_test(test_static),
        cmocka_unit_test(test_method),      cmocka_unit_test(test_params),
        cmocka_unit_test(test_static_wins), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_many_routes),
    };
    return cmocka_run_group_tests_name("router", tests, setup, teardown);
}
