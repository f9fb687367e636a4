#include "http/response.h"

#include <stdarg.h>
#include <string.h>

void cw_res_init(cw_res_t *res, cw_arena_t *arena)
{
    memset(res, 0, sizeof(*res));
    res->status = 200;
    res->arena = arena;
}

void cw_res_destroy(cw_res_t *res)
{
    cw_buf_free(&res->body);
}

cw_jw_t *cw_res_json(cw_res_t *res, int status)
{
    res->status = status;
    res->content_type = CW_CONTENT_TYPE_JSON;
    res->static_body = CW_STR_NULL;
    cw_buf_reset(&res->body);
    cw_jw_init(&res->jw, &res->body);
    return &res->jw;
}

void cw_res_static(cw_res_t *res, int status, const char *content_type, const char *bytes,
                   size_t len)
{
    res->status = status;
    res->content_type = content_type;
    cw_buf_reset(&res->body);
    res->static_body = (cw_str_t){bytes, len};
}

void cw_res_empty(cw_res_t *res, int status)
{
    res->status = status;
    res->content_type = NULL;
    cw_buf_reset(&res->body);
    res->static_body = CW_STR_NULL;
}

/* The error as a page: what a browser shows when a redirect route fails. */
static void error_page(cw_res_t *res, int status, const char *type, cw_str_t msg)
{
    cw_buf_reset(&res->body);
    res->content_type = "text/html; charset=UTF-8";
    res->status = status;
    cw_buf_printf(&res->body,
                  "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
                  "<title>Error %d</title></head>\n<body>\n<h1>Error %d</h1>\n<p>",
                  status, status);
    cw_buf_append_html(&res->body, msg);
    cw_buf_printf(&res->body, "</p>\n<p><code>%s</code></p>\n</body>\n</html>\n", type);
}

void cw_res_error(cw_res_t *res, cw_err_t err, const char *fmt, ...)
{
    const cw_error_def_t *def = cw_error_def(err);
    int status = cw_error_http_status(err);
    cw_jw_t *w = cw_res_json(res, status);
    res->has_error = true;
    res->error = err;
    cw_buf_t msg = CW_BUF_INIT;
    if (status == 500 && def->code != 500) {
        cw_buf_append_str(&msg, "Server Error");
    } else if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        cw_buf_vprintf(&msg, fmt, ap);
        va_end(ap);
    } else {
        cw_buf_append_str(&msg, def->message);
    }
    if (res->html_errors) {
        error_page(res, status, def->type, cw_buf_str(&msg));
        cw_buf_free(&msg);
        return;
    }
    cw_jw_obj_open(w);
    cw_jw_key(w, "message");
    cw_jw_str(w, msg.ptr, msg.len);
    cw_jw_kv_int(w, "code", status);
    cw_jw_kv_cstr(w, "type", def->type);
    cw_jw_kv_cstr(w, "version", CW_APPWRITE_VERSION);
    cw_jw_obj_close(w);
    cw_buf_free(&msg);
}

void cw_res_header(cw_res_t *res, const char *name, cw_str_t value)
{
    if (res->nheaders == CW_RES_MAX_HEADERS)
        return;
    res->header_names[res->nheaders] = cw_str(name);
    res->header_values[res->nheaders] = cw_arena_str_dup(res->arena, value);
    res->nheaders++;
}

cw_str_t cw_res_body(const cw_res_t *res)
{
    if (res->static_body.ptr != NULL)
        return res->static_body;
    return cw_buf_str(&res->body);
}
