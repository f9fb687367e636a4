#include "core/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

void cw_jw_init(cw_jw_t *w, cw_buf_t *buf)
{
    w->buf = buf;
    w->depth = 0;
    w->has_items = 0;
    w->after_key = false;
}

/* Emits the separator a new value needs at the current depth. */
static void before_value(cw_jw_t *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    uint64_t bit = (uint64_t)1 << (w->depth & 63);
    if (w->depth > 0 && (w->has_items & bit))
        cw_buf_append_char(w->buf, ',');
    w->has_items |= bit;
}

static void open_container(cw_jw_t *w, char c)
{
    before_value(w);
    cw_buf_append_char(w->buf, c);
    w->depth++;
    w->has_items &= ~((uint64_t)1 << (w->depth & 63));
}

static void close_container(cw_jw_t *w, char c)
{
    w->depth--;
    cw_buf_append_char(w->buf, c);
}

void cw_jw_obj_open(cw_jw_t *w)
{
    open_container(w, '{');
}
void cw_jw_obj_close(cw_jw_t *w)
{
    close_container(w, '}');
}
void cw_jw_arr_open(cw_jw_t *w)
{
    open_container(w, '[');
}
void cw_jw_arr_close(cw_jw_t *w)
{
    close_container(w, ']');
}

void cw_json_escape(cw_buf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    cw_buf_reserve(b, len + 2);
    cw_buf_append_char(b, '"');
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        /* Copy the longest run of bytes that need no escaping in one go. */
        while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\' &&
               p[run] != '/')
            run++;
        if (run > i) {
            cw_buf_append(b, p + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = p[i];
        char esc[8];
        switch (c) {
        case '"': cw_buf_append(b, "\\\"", 2); i++; continue;
        case '\\': cw_buf_append(b, "\\\\", 2); i++; continue;
        case '/': cw_buf_append(b, "\\/", 2); i++; continue;
        case '\b': cw_buf_append(b, "\\b", 2); i++; continue;
        case '\f': cw_buf_append(b, "\\f", 2); i++; continue;
        case '\n': cw_buf_append(b, "\\n", 2); i++; continue;
        case '\r': cw_buf_append(b, "\\r", 2); i++; continue;
        case '\t': cw_buf_append(b, "\\t", 2); i++; continue;
        default: break;
        }
        if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            cw_buf_append(b, esc, 6);
            i++;
            continue;
        }
        size_t n = cw_utf8_seq_len(p + i, len - i);
        if (n == 0) {
            cw_buf_append(b, "\xef\xbf\xbd", 3);
            i++;
        } else if (n == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
            cw_buf_append(b, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
            i += 3;
        } else {
            cw_buf_append(b, p + i, n);
            i += n;
        }
    }
    cw_buf_append_char(b, '"');
}

void cw_jw_key(cw_jw_t *w, const char *key)
{
    before_value(w);
    cw_json_escape(w->buf, key, strlen(key));
    cw_buf_append_char(w->buf, ':');
    w->after_key = true;
}

void cw_jw_str(cw_jw_t *w, const char *s, size_t len)
{
    before_value(w);
    cw_json_escape(w->buf, s, len);
}

void cw_jw_cstr(cw_jw_t *w, const char *s)
{
    if (s == NULL)
        cw_jw_null(w);
    else
        cw_jw_str(w, s, strlen(s));
}

void cw_jw_int(cw_jw_t *w, int64_t v)
{
    before_value(w);
    cw_buf_printf(w->buf, "%" PRId64, v);
}

void cw_jw_double(cw_jw_t *w, double v)
{
    before_value(w);
    if (!isfinite(v)) {
        cw_buf_append(w->buf, "0", 1); /* JSON has no NaN or infinity; PHP fails, we write 0 */
        return;
    }
    /* Shortest form that reads back to the same double, like PHP's serialize_precision -1. */
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    cw_buf_append_str(w->buf, tmp);
    if (strpbrk(tmp, ".eEn") == NULL)
        cw_buf_append(w->buf, ".0", 2);
}

void cw_jw_bool(cw_jw_t *w, bool v)
{
    before_value(w);
    if (v)
        cw_buf_append(w->buf, "true", 4);
    else
        cw_buf_append(w->buf, "false", 5);
}

void cw_jw_null(cw_jw_t *w)
{
    before_value(w);
    cw_buf_append(w->buf, "null", 4);
}

void cw_jw_raw(cw_jw_t *w, const char *json, size_t len)
{
    before_value(w);
    cw_buf_append(w->buf, json, len);
}
