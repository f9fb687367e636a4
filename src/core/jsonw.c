#include "core/jsonw.h"

#include <float.h>
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
    if (w->depth >= 64) {
        /* Deeper than the bitmask reaches (client JSON such as prefs may nest further): the
         * container has an item unless its opening bracket is the last byte written. */
        char last = w->buf->ptr[w->buf->len - 1];
        if (last != '{' && last != '[')
            cw_buf_append_char(w->buf, ',');
        return;
    }
    uint64_t bit = (uint64_t)1 << w->depth;
    if (w->depth > 0 && (w->has_items & bit))
        cw_buf_append_char(w->buf, ',');
    w->has_items |= bit;
}

static void open_container(cw_jw_t *w, char c)
{
    before_value(w);
    cw_buf_append_char(w->buf, c);
    w->depth++;
    if (w->depth < 64)
        w->has_items &= ~((uint64_t)1 << w->depth);
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

/* How many bytes one U+FFFD replaces at an invalid sequence, as PHP's decoder counts them: a
 * started sequence is dropped whole, up to the first byte that is missing or could start a valid
 * sequence of its own (php_next_utf8_char, UTR #36 strategy 2). */
static size_t invalid_len(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    if (c < 0xc2 || c > 0xf4)
        return 1;
    size_t n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    for (size_t k = 1; k < n; k++) {
        if (k >= left || p[k] < 0x80 || (p[k] >= 0xc2 && p[k] <= 0xf4))
            return k;
    }
    return n;
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
            i += invalid_len(p + i, len - i);
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

/* Formats v as PHP's json_encode does with serialize_precision -1 and JSON_PRESERVE_ZERO_FRACTION:
 * the shortest digits that read back to v, laid out like php_gcvt (fixed notation unless the
 * exponent is below -4 or above 16, then "1.5e+25" / "1.0e-5"), and ".0" on integral values. */
static void format_double(double v, char *out, size_t cap)
{
    /* %.*e gives d.ddde±x; for normal numbers 15 digits always read back when a 15-digit form
     * exists, and then trailing zeros leave the shortest. Subnormals have fewer digits. */
    char e[40];
    int prec = fabs(v) < DBL_MIN ? 1 : 15;
    for (; prec <= 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    const char *p = e;
    int neg = *p == '-';
    if (neg)
        p++;
    char digits[20];
    size_t nd = 0;
    for (; *p != 'e'; p++) {
        if (*p != '.')
            digits[nd++] = *p;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int decpt = atoi(p + 1) + 1; /* v = 0.d1d2... * 10^decpt, as zend_dtoa reports it */
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (decpt < -3 || decpt > 17) {
        out[o++] = digits[0];
        out[o++] = '.';
        if (nd == 1)
            out[o++] = '0';
        for (size_t i = 1; i < nd; i++)
            out[o++] = digits[i];
        snprintf(out + o, cap - o, "e%c%d", decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
        return;
    }
    if (decpt <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = decpt; i < 0; i++)
            out[o++] = '0';
        for (size_t i = 0; i < nd; i++)
            out[o++] = digits[i];
    } else {
        for (int i = 0; i < decpt; i++)
            out[o++] = (size_t)i < nd ? digits[i] : '0';
        out[o++] = '.';
        if ((size_t)decpt >= nd)
            out[o++] = '0';
        for (size_t i = (size_t)decpt; i < nd; i++)
            out[o++] = digits[i];
    }
    out[o] = '\0';
}

void cw_jw_double(cw_jw_t *w, double v)
{
    before_value(w);
    if (!isfinite(v)) {
        cw_buf_append(w->buf, "0", 1); /* JSON has no NaN or infinity; PHP fails, we write 0 */
        return;
    }
    char tmp[40];
    format_double(v, tmp, sizeof(tmp));
    cw_buf_append_str(w->buf, tmp);
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
