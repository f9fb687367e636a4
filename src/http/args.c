#include "http/args.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

/* Finds the raw value: a path parameter is a string; others come from the decoded params. */
static int lookup(cw_ctx_t *ctx, const char *name, cw_str_t *path_value, json_t **value)
{
    cw_str_t p = cw_req_path_param(ctx->req, name);
    if (p.ptr != NULL) {
        *path_value = p;
        *value = NULL;
        return 1;
    }
    *value = ctx->req->params != NULL ? json_object_get(ctx->req->params, name) : NULL;
    return *value != NULL && !json_is_null(*value);
}

static int missing(cw_ctx_t *ctx, const char *name, bool required)
{
    if (!required)
        return 1;
    cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID, "Param \"%s\" is required but was not given.", name);
    return -1;
}

int cw_arg_str(cw_ctx_t *ctx, const char *name, bool required, size_t max_len, cw_str_t *out)
{
    cw_str_t pv;
    json_t *v;
    if (!lookup(ctx, name, &pv, &v))
        return missing(ctx, name, required);
    if (v != NULL) {
        if (!json_is_string(v)) {
            cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                         "Invalid `%s` param: Value must be a valid string", name);
            return -1;
        }
        pv = (cw_str_t){json_string_value(v), json_string_length(v)};
    }
    if (max_len > 0 && cw_utf8_count(pv.ptr, pv.len) > max_len) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Invalid `%s` param: Value must be a valid string and no longer than %zu chars",
                     name, max_len);
        return -1;
    }
    *out = pv;
    return 0;
}

static int parse_int(cw_str_t s, int64_t *out)
{
    char tmp[32];
    if (s.len == 0 || s.len >= sizeof(tmp))
        return -1;
    memcpy(tmp, s.ptr, s.len);
    tmp[s.len] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    /* end must reach len, not just a NUL: "5%00" is not the integer 5. */
    if (errno != 0 || end != tmp + s.len)
        return -1;
    *out = v;
    return 0;
}

int cw_arg_int(cw_ctx_t *ctx, const char *name, bool required, int64_t min, int64_t max, int64_t *out)
{
    cw_str_t pv;
    json_t *v;
    int64_t n = 0;
    if (!lookup(ctx, name, &pv, &v))
        return missing(ctx, name, required);
    int ok;
    if (v == NULL)
        ok = parse_int(pv, &n) == 0;
    else if (json_is_integer(v))
        ok = (n = json_integer_value(v), 1);
    else if (json_is_string(v))
        ok = parse_int((cw_str_t){json_string_value(v), json_string_length(v)}, &n) == 0;
    else
        ok = 0;
    if (!ok || n < min || n > max) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                     "Invalid `%s` param: Value must be a valid integer between %" PRId64
                     " and %" PRId64,
                     name, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

int cw_arg_bool(cw_ctx_t *ctx, const char *name, bool required, bool *out)
{
    cw_str_t pv;
    json_t *v;
    if (!lookup(ctx, name, &pv, &v))
        return missing(ctx, name, required);
    if (v != NULL && json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (v != NULL && json_is_string(v))
        pv = (cw_str_t){json_string_value(v), json_string_length(v)};
    if (v == NULL || json_is_string(v)) {
        if (cw_str_eq_cstr(pv, "true") || cw_str_eq_cstr(pv, "1")) {
            *out = true;
            return 0;
        }
        if (cw_str_eq_cstr(pv, "false") || cw_str_eq_cstr(pv, "0")) {
            *out = false;
            return 0;
        }
    }
    cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                 "Invalid `%s` param: Value must be a valid boolean", name);
    return -1;
}

int cw_arg_enum(cw_ctx_t *ctx, const char *name, bool required, const char *const *values, cw_str_t *out)
{
    cw_str_t s;
    int rc = cw_arg_str(ctx, name, required, 0, &s);
    if (rc != 0)
        return rc;
    for (const char *const *v = values; *v != NULL; v++) {
        if (cw_str_eq_cstr(s, *v)) {
            *out = s;
            return 0;
        }
    }
    cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID,
                 "Invalid `%s` param: Value must be one of the allowed values", name);
    return -1;
}

json_t *cw_arg_json(cw_ctx_t *ctx, const char *name)
{
    json_t *v = ctx->req->params != NULL ? json_object_get(ctx->req->params, name) : NULL;
    return json_is_null(v) ? NULL : v;
}

int cw_arg_invalid(cw_ctx_t *ctx, const char *name, const char *rule)
{
    cw_res_error(ctx->res, CW_ERR_GENERAL_ARGUMENT_INVALID, "Invalid `%s` param: %s", name, rule);
    return -1;
}

int cw_arg_text(cw_ctx_t *ctx, const char *name, bool required, size_t max, const char **out)
{
    cw_str_t s;
    *out = NULL;
    int rc = cw_arg_str(ctx, name, required, max, &s);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (memchr(s.ptr, '\0', s.len) != NULL)
        return cw_arg_invalid(ctx, name, "Value must be a valid string");
    *out = cw_arena_strndup(&ctx->req->arena, s.ptr, s.len);
    return 0;
}
