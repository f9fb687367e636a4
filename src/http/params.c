#include "http/params.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t cw_url_decode(const char *s, size_t len, char *out, int plus)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (c == '+' && plus) {
            out[o++] = ' ';
        } else {
            out[o++] = c;
        }
    }
    return o;
}

/* A bracket key that selects a list element: empty (append) or a decimal index. */
static int key_is_index(const char *key, size_t klen)
{
    if (klen > 9)
        return 0;
    for (size_t i = 0; i < klen; i++) {
        if (key[i] < '0' || key[i] > '9')
            return 0;
    }
    return 1;
}

static json_t *container_get(json_t *cur, const char *key, size_t klen)
{
    if (json_is_object(cur))
        return json_object_getn(cur, key, klen);
    if (klen == 0 || !key_is_index(key, klen))
        return NULL;
    return json_array_get(cur, strtoul(key, NULL, 10));
}

/* Stores val (stolen) under key: an object member, or a list element (set by index or appended,
 * as a list has no holes). */
static void container_put(json_t *cur, const char *key, size_t klen, json_t *val)
{
    if (json_is_object(cur)) {
        json_object_setn_new(cur, key, klen, val);
        return;
    }
    size_t idx = klen > 0 && key_is_index(key, klen) ? strtoul(key, NULL, 10) : SIZE_MAX;
    if (idx < json_array_size(cur))
        json_array_set_new(cur, idx, val);
    else
        json_array_append_new(cur, val);
}

static void set_nested(json_t *root, const char *name, size_t nlen, const char *value, size_t vlen)
{
    /* Split "a[b][c]" into "a", "b", "c". PHP ignores what follows the last bracket pair. */
    const char *parts[CW_PARAMS_MAX_DEPTH + 1];
    size_t lens[CW_PARAMS_MAX_DEPTH + 1];
    size_t nparts = 1;
    const char *open = memchr(name, '[', nlen);
    parts[0] = name;
    lens[0] = open != NULL && open != name ? (size_t)(open - name) : nlen;
    if (open != NULL && open != name) {
        const char *p = open, *end = name + nlen;
        while (p < end && *p == '[' && nparts <= CW_PARAMS_MAX_DEPTH) {
            const char *close = memchr(p, ']', (size_t)(end - p));
            if (close == NULL)
                break;
            parts[nparts] = p + 1;
            lens[nparts] = (size_t)(close - p - 1);
            nparts++;
            p = close + 1;
        }
        if (nparts == 1)
            lens[0] = nlen; /* "a[" with no closing bracket: a plain name */
    }

    json_t *cur = root;
    for (size_t i = 0; i + 1 < nparts; i++) {
        json_t *child = container_get(cur, parts[i], lens[i]);
        if (!json_is_object(child) && !json_is_array(child)) {
            child = key_is_index(parts[i + 1], lens[i + 1]) ? json_array() : json_object();
            container_put(cur, parts[i], lens[i], child);
        }
        cur = child;
    }
    container_put(cur, parts[nparts - 1], lens[nparts - 1], json_stringn(value, vlen));
}

int cw_params_parse_query(const char *s, size_t len, json_t *into, cw_arena_t *arena,
                          const char **bad_name)
{
    size_t count = 0;
    size_t i = 0;
    while (i < len && count < CW_PARAMS_MAX_COUNT) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp != NULL ? (size_t)(amp - s) : len;
        const char *pair = s + i;
        size_t plen = end - i;
        i = end + 1;
        if (plen == 0)
            continue;
        const char *eq = memchr(pair, '=', plen);
        size_t rawn = eq != NULL ? (size_t)(eq - pair) : plen;
        const char *rawv = eq != NULL ? eq + 1 : pair + plen;
        size_t rawvl = eq != NULL ? plen - rawn - 1 : 0;
        char *name = cw_arena_alloc(arena, rawn + 1);
        char *value = cw_arena_alloc(arena, rawvl + 1);
        size_t nl = cw_url_decode(pair, rawn, name, 1);
        size_t vl = cw_url_decode(rawv, rawvl, value, 1);
        name[nl] = '\0';
        value[vl] = '\0';
        if (nl == 0)
            continue;
        if (!cw_utf8_valid(name, nl) || !cw_utf8_valid(value, vl)) {
            if (bad_name != NULL)
                *bad_name = cw_utf8_valid(name, nl) ? name : "";
            return -1;
        }
        set_nested(into, name, nl, value, vl);
        count++;
    }
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

size_t cw_cookies_parse(const char *s, size_t len, cw_cookie_t *out, size_t max)
{
    size_t n = 0, i = 0;
    while (i < len && n < max) {
        const char *semi = memchr(s + i, ';', len - i);
        size_t end = semi != NULL ? (size_t)(semi - s) : len;
        size_t a = i, b = end;
        i = end + 1;
        const char *eq = memchr(s + a, '=', b - a);
        if (eq == NULL)
            continue;
        size_t na = a, nb = (size_t)(eq - s), va = nb + 1, vb = b;
        while (na < nb && is_space(s[na]))
            na++;
        while (nb > na && is_space(s[nb - 1]))
            nb--;
        while (va < vb && is_space(s[va]))
            va++;
        while (vb > va && is_space(s[vb - 1]))
            vb--;
        if (nb == na)
            continue;
        if (vb - va >= 2 && s[va] == '"' && s[vb - 1] == '"') {
            va++;
            vb--;
        }
        out[n].name = (cw_str_t){s + na, nb - na};
        out[n].value = (cw_str_t){s + va, vb - va};
        n++;
    }
    return n;
}
