/*
 * A streaming JSON writer: values go straight into a cw_buf_t, with no tree in between. Output
 * matches PHP's json_encode as Appwrite uses it (unescaped Unicode, "\/" for "/", U+2028/9
 * escaped, invalid UTF-8 replaced with U+FFFD). The writer borrows the buffer; one thread.
 */
#ifndef CW_CORE_JSONW_H
#define CW_CORE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define CW_JW_MAX_DEPTH 64

typedef struct cw_jw {
    cw_buf_t *buf;
    int depth;
    uint64_t has_items; /* bit d set: the container at depth d already has an item */
    bool after_key;
} cw_jw_t;

void cw_jw_init(cw_jw_t *w, cw_buf_t *buf);
void cw_jw_obj_open(cw_jw_t *w);
void cw_jw_obj_close(cw_jw_t *w);
void cw_jw_arr_open(cw_jw_t *w);
void cw_jw_arr_close(cw_jw_t *w);
void cw_jw_key(cw_jw_t *w, const char *key);
void cw_jw_str(cw_jw_t *w, const char *s, size_t len);
void cw_jw_cstr(cw_jw_t *w, const char *s); /* NULL writes null */
void cw_jw_int(cw_jw_t *w, int64_t v);
void cw_jw_double(cw_jw_t *w, double v);
void cw_jw_bool(cw_jw_t *w, bool v);
void cw_jw_null(cw_jw_t *w);
/* Writes bytes that already are one JSON value. */
void cw_jw_raw(cw_jw_t *w, const char *json, size_t len);

/* Escapes s as a JSON string, quotes included, onto buf. */
void cw_json_escape(cw_buf_t *buf, const char *s, size_t len);

static inline void cw_jw_kv_cstr(cw_jw_t *w, const char *k, const char *v)
{
    cw_jw_key(w, k);
    cw_jw_cstr(w, v);
}
static inline void cw_jw_kv_int(cw_jw_t *w, const char *k, int64_t v)
{
    cw_jw_key(w, k);
    cw_jw_int(w, v);
}
static inline void cw_jw_kv_double(cw_jw_t *w, const char *k, double v)
{
    cw_jw_key(w, k);
    cw_jw_double(w, v);
}
static inline void cw_jw_kv_bool(cw_jw_t *w, const char *k, bool v)
{
    cw_jw_key(w, k);
    cw_jw_bool(w, v);
}

#endif
