/*
 * A response being built by a handler: status, headers and a body buffer. It is plain memory, so
 * it may be filled on a worker thread and sent by the loop thread that owns the connection. The
 * body is owned by the response (or borrowed, for static bytes); cw_res_destroy releases it.
 */
#ifndef CW_HTTP_RESPONSE_H
#define CW_HTTP_RESPONSE_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/jsonw.h"

#define CW_RES_MAX_HEADERS 24

typedef struct cw_res {
    int status;
    const char *content_type; /* static string */
    cw_str_t header_names[CW_RES_MAX_HEADERS];
    cw_str_t header_values[CW_RES_MAX_HEADERS];
    size_t nheaders;
    cw_buf_t body;
    cw_str_t static_body; /* used instead of body when set; the bytes outlive the response */
    cw_jw_t jw;
    cw_err_t error;   /* set when the response is an error */
    bool has_error;
    bool html_errors; /* errors as a page for a browser (routes a browser is sent to) */
    cw_arena_t *arena; /* the request's, for header copies */
} cw_res_t;

#define CW_CONTENT_TYPE_JSON "application/json; charset=UTF-8"

void cw_res_init(cw_res_t *res, cw_arena_t *arena);
void cw_res_destroy(cw_res_t *res);
/* Starts a JSON body with this status and returns the writer for it. */
cw_jw_t *cw_res_json(cw_res_t *res, int status);
/* Replies with bytes that outlive the response (cached or static). */
void cw_res_static(cw_res_t *res, int status, const char *content_type, const char *bytes, size_t len);
void cw_res_empty(cw_res_t *res, int status);
/* Replaces whatever was written with Appwrite's error JSON (a small HTML page saying the same
 * when html_errors is set). fmt may be NULL for the table's default message. */
void cw_res_error(cw_res_t *res, cw_err_t err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cw_res_header(cw_res_t *res, const char *name, cw_str_t value);
cw_str_t cw_res_body(const cw_res_t *res);

#endif
