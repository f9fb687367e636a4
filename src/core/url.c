#include "core/url.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool all_digits(cw_str_t s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (!is_digit(s.ptr[i]))
            return false;
    }
    return true;
}

/* The length of a leading "scheme:" name (letters, digits, + . -, starting with a letter), 0
 * when s does not start with one followed by ':'. */
static size_t scheme_len(cw_str_t s)
{
    size_t i = 0;
    if (s.len == 0 || !is_alpha(s.ptr[0]))
        return 0;
    while (i < s.len && (is_alpha(s.ptr[i]) || is_digit(s.ptr[i]) || s.ptr[i] == '+' ||
                         s.ptr[i] == '.' || s.ptr[i] == '-'))
        i++;
    return i < s.len && s.ptr[i] == ':' ? i : 0;
}

static size_t span_until(cw_str_t s, size_t from, const char *stops)
{
    size_t i = from;
    while (i < s.len && strchr(stops, s.ptr[i]) == NULL)
        i++;
    return i;
}

static bool port_ok(cw_str_t p)
{
    if (p.len == 0 || p.len > 5 || !all_digits(p))
        return false;
    long v = 0;
    for (size_t i = 0; i < p.len; i++)
        v = v * 10 + (p.ptr[i] - '0');
    return v <= 65535;
}

/* user[:pass]@host[:port] */
static int parse_authority(cw_str_t a, cw_url_t *u)
{
    const char *at = NULL;
    for (size_t i = a.len; i > 0; i--) {
        if (a.ptr[i - 1] == '@') {
            at = a.ptr + i - 1;
            break;
        }
    }
    if (at != NULL) {
        cw_str_t info = {a.ptr, (size_t)(at - a.ptr)};
        const char *colon = memchr(info.ptr, ':', info.len);
        u->has_user = true;
        if (colon != NULL) {
            u->user = (cw_str_t){info.ptr, (size_t)(colon - info.ptr)};
            u->pass = (cw_str_t){colon + 1, info.len - (size_t)(colon - info.ptr) - 1};
            u->has_pass = true;
        } else {
            u->user = info;
        }
        a = (cw_str_t){at + 1, a.len - info.len - 1};
    }
    cw_str_t host = a, port = CW_STR_NULL;
    bool has_port = false;
    if (a.len > 0 && a.ptr[0] == '[') {
        const char *end = memchr(a.ptr, ']', a.len);
        if (end == NULL)
            return -1;
        host = (cw_str_t){a.ptr, (size_t)(end - a.ptr) + 1};
        if (host.len < a.len) {
            if (a.ptr[host.len] != ':')
                return -1;
            port = (cw_str_t){a.ptr + host.len + 1, a.len - host.len - 1};
            has_port = true;
        }
    } else {
        const char *colon = NULL;
        for (size_t i = a.len; i > 0; i--) {
            if (a.ptr[i - 1] == ':') {
                colon = a.ptr + i - 1;
                break;
            }
        }
        if (colon != NULL) {
            host = (cw_str_t){a.ptr, (size_t)(colon - a.ptr)};
            port = (cw_str_t){colon + 1, a.len - host.len - 1};
            has_port = true;
        }
    }
    /* "host:" has no port; anything else after the colon must be one. */
    if (has_port && port.len > 0) {
        if (!port_ok(port))
            return -1;
        u->port = port;
        u->has_port = true;
    }
    if (host.len == 0)
        return -1;
    u->host = host;
    u->has_host = true;
    return 0;
}

int cw_url_parse(cw_str_t s, cw_url_t *u)
{
    memset(u, 0, sizeof(*u));
    size_t i = 0, n = scheme_len(s);
    if (n > 0) {
        cw_str_t rest = {s.ptr + n + 1, s.len - n - 1};
        size_t d = span_until(rest, 0, "/?#");
        /* "localhost:3000/x": parse_url reads a number after the colon as a port, not a scheme. */
        if (d > 0 && all_digits((cw_str_t){rest.ptr, d})) {
            n = 0;
        } else {
            u->scheme = (cw_str_t){s.ptr, n};
            u->has_scheme = true;
            i = n + 1;
        }
    }
    if (s.len - i >= 2 && s.ptr[i] == '/' && s.ptr[i + 1] == '/') {
        size_t end = span_until(s, i + 2, "/?#");
        if (parse_authority((cw_str_t){s.ptr + i + 2, end - i - 2}, u) != 0)
            goto fail;
        i = end;
    } else if (!u->has_scheme) {
        /* "host:port[/path]" without a scheme. */
        size_t end = span_until(s, i, "/?#");
        const char *colon = memchr(s.ptr + i, ':', end - i);
        if (colon != NULL && (size_t)(colon - s.ptr) > i &&
            all_digits((cw_str_t){colon + 1, (size_t)(s.ptr + end - colon - 1)})) {
            if (parse_authority((cw_str_t){s.ptr + i, end - i}, u) != 0)
                goto fail;
            i = end;
        }
    }
    size_t path_end = span_until(s, i, "?#");
    if (path_end > i) {
        u->path = (cw_str_t){s.ptr + i, path_end - i};
    }
    i = path_end;
    if (i < s.len && s.ptr[i] == '?') {
        size_t q_end = span_until(s, i + 1, "#");
        u->query = (cw_str_t){s.ptr + i + 1, q_end - i - 1};
        u->has_query = true;
        i = q_end;
    }
    if (i < s.len && s.ptr[i] == '#') {
        u->fragment = (cw_str_t){s.ptr + i + 1, s.len - i - 1};
        u->has_fragment = true;
    }
    return 0;
fail:
    memset(u, 0, sizeof(*u));
    return -1;
}

cw_str_t cw_url_scheme(cw_str_t s)
{
    cw_url_t u;
    if (cw_url_parse(s, &u) == 0)
        return u.scheme;
    size_t n = scheme_len(s);
    return n > 0 ? (cw_str_t){s.ptr, n} : CW_STR_NULL;
}

void cw_url_encode(cw_str_t s, cw_buf_t *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.') {
            cw_buf_append_char(out, c);
        } else if (c == ' ') {
            cw_buf_append_char(out, '+');
        } else {
            unsigned char b = (unsigned char)c;
            char esc[3] = {'%', hex[b >> 4], hex[b & 15]};
            cw_buf_append(out, esc, 3);
        }
    }
}

static int hex_val(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* PHP's urldecode: '+' is a space, %XX a byte, a broken escape stays as written. */
static void url_decode(cw_str_t s, cw_buf_t *out)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '+') {
            cw_buf_append_char(out, ' ');
        } else if (c == '%' && i + 2 < s.len && hex_val(s.ptr[i + 1]) >= 0 &&
                   hex_val(s.ptr[i + 2]) >= 0) {
            cw_buf_append_char(out, (char)(hex_val(s.ptr[i + 1]) * 16 + hex_val(s.ptr[i + 2])));
            i += 2;
        } else {
            cw_buf_append_char(out, c);
        }
    }
}

typedef struct qpair {
    cw_buf_t key, value;
} qpair_t;

/* parse_str's view of a query: decoded names (leading spaces dropped, '.' and ' ' made '_'
 * before any '['), empty names skipped, a repeated name keeping its first place and last
 * value. */
static size_t query_split(cw_str_t q, qpair_t **out)
{
    size_t n = 0, cap = 0;
    qpair_t *pairs = NULL;
    size_t i = 0;
    while (i <= q.len && q.len > 0) {
        size_t end = i;
        while (end < q.len && q.ptr[end] != '&')
            end++;
        cw_str_t seg = {q.ptr + i, end - i};
        i = end + 1;
        if (seg.len == 0)
            continue;
        const char *eq = memchr(seg.ptr, '=', seg.len);
        cw_str_t k = {seg.ptr, eq != NULL ? (size_t)(eq - seg.ptr) : seg.len};
        cw_str_t v = eq != NULL ? (cw_str_t){eq + 1, seg.len - k.len - 1} : CW_STR_NULL;
        cw_buf_t key = CW_BUF_INIT, value = CW_BUF_INIT;
        url_decode(k, &key);
        size_t skip = 0;
        while (skip < key.len && key.ptr[skip] == ' ')
            skip++;
        if (skip > 0) {
            memmove(key.ptr, key.ptr + skip, key.len - skip);
            key.len -= skip;
        }
        for (size_t j = 0; j < key.len && key.ptr[j] != '['; j++) {
            if (key.ptr[j] == '.' || key.ptr[j] == ' ')
                key.ptr[j] = '_';
        }
        if (key.len == 0) {
            cw_buf_free(&key);
            continue;
        }
        url_decode(v, &value);
        size_t at = n;
        for (size_t j = 0; j < n; j++) {
            if (pairs[j].key.len == key.len && memcmp(pairs[j].key.ptr, key.ptr, key.len) == 0) {
                at = j;
                break;
            }
        }
        if (at < n) {
            cw_buf_free(&key);
            cw_buf_free(&pairs[at].value);
            pairs[at].value = value;
            continue;
        }
        if (n == cap) {
            cap = cap == 0 ? 8 : cap * 2;
            pairs = cw_realloc(pairs, cap * sizeof(*pairs));
        }
        pairs[n].key = key;
        pairs[n].value = value;
        n++;
    }
    *out = pairs;
    return n;
}

void cw_url_build(const cw_url_t *u, const char *const *pairs, cw_buf_t *out)
{
    if (u->has_scheme) {
        cw_buf_append(out, u->scheme.ptr, u->scheme.len);
        cw_buf_append_str(out, "://");
    }
    if (u->has_user || u->has_pass) {
        cw_buf_append(out, u->user.ptr, u->user.len);
        if (u->has_pass) {
            cw_buf_append_char(out, ':');
            cw_buf_append(out, u->pass.ptr, u->pass.len);
        }
        if (u->user.len > 0 || u->has_pass)
            cw_buf_append_char(out, '@');
    }
    cw_buf_append(out, u->host.ptr, u->host.len);
    if (u->has_port) {
        cw_buf_append_char(out, ':');
        cw_buf_append(out, u->port.ptr, u->port.len);
    }
    cw_buf_append(out, u->path.ptr, u->path.len);

    qpair_t *old = NULL;
    size_t n = query_split(u->query, &old);
    bool first = true;
    cw_buf_t q = CW_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const char *value = NULL;
        for (const char *const *p = pairs; p != NULL && p[0] != NULL; p += 2) {
            if (strlen(p[0]) == old[i].key.len && memcmp(p[0], old[i].key.ptr, old[i].key.len) == 0)
                value = p[1];
        }
        if (!first)
            cw_buf_append_char(&q, '&');
        first = false;
        cw_url_encode(cw_buf_str(&old[i].key), &q);
        cw_buf_append_char(&q, '=');
        cw_url_encode(value != NULL ? cw_str(value) : cw_buf_str(&old[i].value), &q);
    }
    for (const char *const *p = pairs; p != NULL && p[0] != NULL; p += 2) {
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen =
                strlen(p[0]) == old[i].key.len && memcmp(p[0], old[i].key.ptr, old[i].key.len) == 0;
        for (const char *const *e = pairs; e < p && !seen; e += 2)
            seen = strcmp(e[0], p[0]) == 0;
        if (seen)
            continue;
        if (!first)
            cw_buf_append_char(&q, '&');
        first = false;
        cw_url_encode(cw_str(p[0]), &q);
        cw_buf_append_char(&q, '=');
        cw_url_encode(cw_str(p[1]), &q);
    }
    if (q.len > 0) {
        cw_buf_append_char(out, '?');
        cw_buf_append(out, q.ptr, q.len);
    }
    cw_buf_free(&q);
    for (size_t i = 0; i < n; i++) {
        cw_buf_free(&old[i].key);
        cw_buf_free(&old[i].value);
    }
    free(old);
    if (u->has_fragment) {
        cw_buf_append_char(out, '#');
        cw_buf_append(out, u->fragment.ptr, u->fragment.len);
    }
}
