#include "models/json.h"

void cw_model_json(cw_jw_t *w, const json_t *value)
{
    const char *key;
    json_t *item;
    size_t i;

    if (value == NULL) {
        cw_jw_null(w);
        return;
    }
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        cw_jw_obj_open(w);
        json_object_foreach((json_t *)value, key, item)
        {
            cw_jw_key(w, key);
            cw_model_json(w, item);
        }
        cw_jw_obj_close(w);
        break;
    case JSON_ARRAY:
        cw_jw_arr_open(w);
        json_array_foreach(value, i, item)
        {
            cw_model_json(w, item);
        }
        cw_jw_arr_close(w);
        break;
    case JSON_STRING:
        cw_jw_str(w, json_string_value(value), json_string_length(value));
        break;
    case JSON_INTEGER:
        cw_jw_int(w, (int64_t)json_integer_value(value));
        break;
    case JSON_REAL:
        cw_jw_double(w, json_real_value(value));
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
}

void cw_model_put_str(json_t *m, const json_t *doc, const char *key)
{
    const json_t *v = json_object_get(doc, key);
    json_object_set_new(m, key, json_string(json_is_string(v) ? json_string_value(v) : ""));
}

void cw_model_put_bool(json_t *m, const json_t *doc, const char *key, bool fallback)
{
    const json_t *v = json_object_get(doc, key);
    json_object_set_new(m, key, json_boolean(json_is_boolean(v) ? json_is_true(v) : fallback));
}
