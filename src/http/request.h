/*
 * A request as handlers see it: a self-contained copy of what the client sent (so it can travel to
 * a worker thread after the connection is gone), with its parameters decoded once. Everything in it
 * lives in req->arena, or in req->params (jansson), and dies with cw_req_destroy. One thread at a
 * time.
 */
#ifndef CW_HTTP_REQUEST_H
#define CW_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/str.h"
#include "http/params.h"

typedef struct cw_header {
    cw_str_t name; /* lowercase */
    cw_str_t value;
} cw_header_t;

#define CW_REQ_MAX_PATH_PARAMS 8
#define CW_REQ_MAX_COOKIES 64

typedef struct cw_req {
    cw_arena_t arena;
    cw_str_t method;
    cw_str_t path;  /* percent-decoded, without the query */
    cw_str_t query; /* raw */
    cw_header_t *headers;
    size_t nheaders;
    cw_str_t body;
    cw_str_t ip;
    cw_str_t authority; /* the Host header (HTTP/1) or :authority (HTTP/2), may be empty */
    bool secure; /* arrived over TLS */
    json_t *params; /* query and body parameters, body winning; an object */
    cw_str_t path_names[CW_REQ_MAX_PATH_PARAMS];
    cw_str_t path_values[CW_REQ_MAX_PATH_PARAMS];
    size_t npath;
    cw_cookie_t *cookies;
    size_t ncookies;
    int64_t start_us; /* monotonic, when the request arrived */
} cw_req_t;

typedef enum cw_body_result {
    CW_BODY_OK = 0,
    CW_BODY_BAD_JSON,   /* not parseable, or not an object */
    CW_BODY_BAD_UTF8,   /* a form parameter that is not UTF-8 */
    CW_BODY_UNSUPPORTED /* a content type we do not read */
} cw_body_result_t;

void cw_req_init(cw_req_t *req);
void cw_req_destroy(cw_req_t *req);
/* Finds a header by lowercase name; returns CW_STR_NULL when absent. */
cw_str_t cw_req_header(const cw_req_t *req, const char *lname);
cw_str_t cw_req_cookie(const cw_req_t *req, cw_str_t name);
/* Decodes the query string and the body into req->params. *bad names the offending parameter
 * for CW_BODY_BAD_UTF8. */
cw_body_result_t cw_req_parse_params(cw_req_t *req, const char **bad);
/* A path parameter by name, or CW_STR_NULL. */
cw_str_t cw_req_path_param(const cw_req_t *req, const char *name);

#endif
