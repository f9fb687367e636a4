#include "core/utf8.h"

#include <stdbool.h>
#include <string.h>

size_t cw_utf8_seq_len(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        if (left >= 2 && (p[1] & 0xc0) == 0x80)
            return 2;
        return 0;
    }
    if (c >= 0xe0 && c <= 0xef) {
        if (left < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if (c == 0xe0 && p[1] < 0xa0)
            return 0; /* overlong */
        if (c == 0xed && p[1] >= 0xa0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (left < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        if (c == 0xf0 && p[1] < 0x90)
            return 0;
        if (c == 0xf4 && p[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

int cw_utf8_valid(const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < len) {
        size_t n = cw_utf8_seq_len(s + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

size_t cw_utf8_count(const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, count = 0;
    while (i < len) {
        size_t n = cw_utf8_seq_len(s + i, len - i);
        i += n == 0 ? 1 : n;
        count++;
    }
    return count;
}

const char *cw_utf8_printable(char *dst, size_t max, cw_str_t s)
{
    size_t i = 0, o = 0;
    while (i < s.len) {
        const unsigned char *p = (const unsigned char *)s.ptr + i;
        size_t n = cw_utf8_seq_len(p, s.len - i);
        bool bad = n == 0 || (n == 1 && (p[0] < 0x20 || p[0] == 0x7f));
        size_t out_n = bad ? 1 : n;
        if (o + out_n > max) {
            memcpy(dst + o, "...", 4);
            return dst;
        }
        if (bad)
            dst[o] = '?';
        else
            memcpy(dst + o, p, n);
        o += out_n;
        i += n == 0 ? 1 : n;
    }
    dst[o] = '\0';
    return dst;
}
