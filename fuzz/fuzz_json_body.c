/* libFuzzer target: request bodies (cw_req_parse_params) read once as JSON and once as a form,
 * then written back with the streaming JSON writer. The writer's output must parse with jansson
 * and, where it could hold everything, give back the same value. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes v with the writer, at any depth jansson parsed. Returns 0 when the output holds v exactly,
 * 1 when it had to leave something out: keys with a NUL byte, which the writer's C-string keys
 * cannot carry. */
static int write_value(cw_jw_t *w, json_t *v)
{
    int lossy = 0;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        size_t klen;
        json_t *item;
        cw_jw_obj_open(w);
        json_object_keylen_foreach(v, key, klen, item)
        {
            if (strlen(key) != klen)
                lossy = 1;
            cw_jw_key(w, key);
            lossy |= write_value(w, item);
        }
        cw_jw_obj_close(w);
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        cw_jw_arr_open(w);
        json_array_foreach(v, i, item) lossy |= write_value(w, item);
        cw_jw_arr_close(w);
        break;
    }
    case JSON_STRING:
        cw_jw_str(w, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        cw_jw_int(w, json_integer_value(v));
        break;
    case JSON_REAL:
        cw_jw_double(w, json_real_value(v));
        break;
    case JSON_TRUE:
        cw_jw_bool(w, true);
        break;
    case JSON_FALSE:
        cw_jw_bool(w, false);
        break;
    case JSON_NULL:
        cw_jw_null(w);
        break;
    }
    return lossy;
}

/* jansson's json_equal compares reals with ==, so -0.0 equals 0.0; the sign must survive too. */
static int same_signs(json_t *a, json_t *b)
{
    if (json_is_real(a))
        return json_is_real(b) && signbit(json_real_value(a)) == signbit(json_real_value(b));
    if (json_is_array(a)) {
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (!same_signs(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        }
    } else if (json_is_object(a)) {
        const char *key;
        size_t klen;
        json_t *item;
        json_object_keylen_foreach(a, key, klen, item)
        {
            if (!same_signs(item, json_object_getn(b, key, klen)))
                return 0;
        }
    }
    return 1;
}

static void round_trip(json_t *params)
{
    cw_buf_t buf = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &buf);
    int lossy = write_value(&w, params);
    if (w.depth != 0)
        abort();
    json_error_t err;
    /* Form values may hold NUL bytes, written as \u0000, which clients read. */
    json_t *back = json_loadb(buf.ptr, buf.len, JSON_ALLOW_NUL, &err);
    if (back == NULL)
        abort(); /* the writer made something that is not JSON */
    if (!lossy && (!json_equal(params, back) || !same_signs(params, back)))
        abort(); /* ...or JSON that means something else */
    json_decref(back);
    cw_buf_free(&buf);
}

static void parse_as(const char *content_type, const uint8_t *data, size_t size)
{
    cw_req_t req;
    cw_req_init(&req);
    cw_header_t h = {CW_STR_LIT("content-type"), cw_str(content_type)};
    req.headers = &h;
    req.nheaders = 1;
    /* An exact-size copy, so ASan sees any read past the end. */
    char *body = malloc(size + 1);
    if (size > 0)
        memcpy(body, data, size);
    req.body = (cw_str_t){body, size};
    const char *bad = NULL;
    cw_body_result_t rc = cw_req_parse_params(&req, &bad);
    if (!json_is_object(req.params))
        abort();
    if (rc == CW_BODY_BAD_UTF8 && bad == NULL)
        abort();
    if (rc == CW_BODY_OK)
        round_trip(req.params);
    req.headers = NULL;
    req.nheaders = 0;
    cw_req_destroy(&req);
    free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_as("application/json", data, size);
    parse_as("application/x-www-form-urlencoded", data, size);
    return 0;
}
