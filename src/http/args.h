/*
 * Typed access to a request's parameters (path, then query and body), validated as Appwrite's
 * routes validate them. On a bad or missing value the getter writes the 400 error into ctx->res
 * and returns -1; the handler just returns. Same thread as the handler.
 */
#ifndef CW_HTTP_ARGS_H
#define CW_HTTP_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "http/router.h"

/* Each returns 0 with *out set, 1 when the parameter is absent and optional (*out untouched), or
 * -1 after writing the error. */
int cw_arg_str(cw_ctx_t *ctx, const char *name, bool required, size_t max_len, cw_str_t *out);
int cw_arg_int(cw_ctx_t *ctx, const char *name, bool required, int64_t min, int64_t max, int64_t *out);
int cw_arg_bool(cw_ctx_t *ctx, const char *name, bool required, bool *out);
/* A string that must be one of the NULL-terminated list. */
int cw_arg_enum(cw_ctx_t *ctx, const char *name, bool required, const char *const *values, cw_str_t *out);

/* The raw JSON of a parameter (query or body), NULL when absent or null. */
json_t *cw_arg_json(cw_ctx_t *ctx, const char *name);
/* Writes "Invalid `name` param: rule" as a 400 general_argument_invalid; returns -1. */
int cw_arg_invalid(cw_ctx_t *ctx, const char *name, const char *rule);
/* A string copied into the request's arena (no NUL bytes allowed); *out NULL when absent and
 * optional. Returns 0 or -1 after writing the error. */
int cw_arg_text(cw_ctx_t *ctx, const char *name, bool required, size_t max, const char **out);

#endif
