#include "http/request.h"

#include <string.h>

void cw_req_init(cw_req_t *req)
{
    memset(req, 0, sizeof(*req));
    req->arena = CW_ARENA_INIT;
}

void cw_req_destroy(cw_req_t *req)
{
    if (req->params != NULL)
        json_decref(req->params);
    cw_arena_destroy(&req->arena);
    memset(req, 0, sizeof(*req));
}

cw_str_t cw_req_header(const cw_req_t *req, const char *lname)
{
    for (size_t i = 0; i < req->nheaders; i++) {
        if (cw_str_eq_cstr(req->headers[i].name, lname))
            return req->headers[i].value;
    }
    return CW_STR_NULL;
}

cw_str_t cw_req_cookie(const cw_req_t *req, cw_str_t name)
{
    if (req->cookies == NULL) {
        cw_req_t *r = (cw_req_t *)req; /* parsed lazily: most requests carry no cookies we read */
        cw_str_t h = cw_req_header(req, "cookie");
        r->cookies = cw_arena_alloc(&r->arena, sizeof(cw_cookie_t) * CW_REQ_MAX_COOKIES);
        r->ncookies = h.ptr == NULL ? 0 : cw_cookies_parse(h.ptr, h.len, r->cookies, CW_REQ_MAX_COOKIES);
    }
    for (size_t i = 0; i < req->ncookies; i++) {
        if (cw_str_eq(req->cookies[i].name, name))
            return req->cookies[i].value;
    }
    return CW_STR_NULL;
}

cw_str_t cw_req_path_param(const cw_req_t *req, const char *name)
{
    for (size_t i = 0; i < req->npath; i++) {
        if (cw_str_eq_cstr(req->path_names[i], name))
            return req->path_values[i];
    }
    return CW_STR_NULL;
}

static int has_content_type(cw_str_t ct, const char *want)
{
    size_t n = strlen(want);
    if (ct.len < n || strncasecmp(ct.ptr, want, n) != 0)
        return 0;
    return ct.len == n || ct.ptr[n] == ';' || ct.ptr[n] == ' ';
}

/* JSON's whitespace. Not strchr(): it would find a NUL byte of the body in its own terminator. */
static int is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

cw_body_result_t cw_req_parse_params(cw_req_t *req, const char **bad)
{
    req->params = json_object();
    if (req->query.len > 0 &&
        cw_params_parse_query(req->query.ptr, req->query.len, req->params, &req->arena, bad) < 0)
        return CW_BODY_BAD_UTF8;
    if (req->body.len == 0)
        return CW_BODY_OK;
    cw_str_t ct = cw_req_header(req, "content-type");
    if (has_content_type(ct, "application/json") || ct.len == 0) {
        /* Whitespace alone is no body at all, as PHP's json_decode of "" would leave it. */
        size_t i = 0;
        while (i < req->body.len && is_json_space(req->body.ptr[i]))
            i++;
        if (i == req->body.len)
            return CW_BODY_OK;
        json_error_t err;
        json_t *body = json_loadb(req->body.ptr, req->body.len, 0, &err);
        if (body == NULL || !json_is_object(body)) {
            json_decref(body);
            return CW_BODY_BAD_JSON;
        }
        json_object_update(req->params, body);
        json_decref(body);
        return CW_BODY_OK;
    }
    if (has_content_type(ct, "application/x-www-form-urlencoded")) {
        json_t *form = json_object();
        int rc = cw_params_parse_query(req->body.ptr, req->body.len, form, &req->arena, bad);
        json_object_update(req->params, form);
        json_decref(form);
        return rc < 0 ? CW_BODY_BAD_UTF8 : CW_BODY_OK;
    }
    if (has_content_type(ct, "multipart/form-data"))
        return CW_BODY_OK; /* read by the routes that take uploads */
    return CW_BODY_OK;
}
