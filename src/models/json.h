/*
 * Writes a jansson value through the JSON writer, so a handler can answer with what the document
 * database returns: objects keep their keys in insertion order (jansson keeps that order), strings
 * are escaped as PHP's json_encode does, integers stay integers and floats keep a fraction
 * (5.0, not 5). The value is only read; the caller keeps its reference. Any thread, one writer.
 */
#ifndef CW_MODELS_JSON_H
#define CW_MODELS_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "core/jsonw.h"

/* NULL writes null. */
void cw_model_json(cw_jw_t *w, const json_t *value);

/* Sets m[key] to doc's string at key ("" when it has none), or to its boolean (fallback when it
 * has none): how the models of internal documents fill their fields. */
void cw_model_put_str(json_t *m, const json_t *doc, const char *key);
void cw_model_put_bool(json_t *m, const json_t *doc, const char *key, bool fallback);

#endif
