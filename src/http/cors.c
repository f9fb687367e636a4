#include "http/cors.h"

#include <ctype.h>
#include <string.h>

static const char allow_headers[] =
    "Accept, Origin, Cookie, Set-Cookie, Content-Type, Content-Range, X-Appwrite-Project, "
    "X-Appwrite-Key, X-Appwrite-Dev-Key, X-Appwrite-Locale, X-Appwrite-Mode, X-Appwrite-JWT, "
    "X-Appwrite-Organization, X-Appwrite-Response-Format, X-Appwrite-Timeout, X-Appwrite-ID, "
    "X-Appwrite-Timestamp, X-Appwrite-Session, X-Appwrite-Platform, "
    "X-Appwrite-Impersonate-User-Id, X-Appwrite-Impersonate-User-Email, "
    "X-Appwrite-Impersonate-User-Phone, X-SDK-Version, X-SDK-Name, X-SDK-Language, "
    "X-SDK-Platform, X-SDK-GraphQL, X-SDK-Profile, Range, Cache-Control, Expires, Pragma, "
    "X-Fallback-Cookies, X-Requested-With, X-Forwarded-For, X-Forwarded-User-Agent";

cw_str_t cw_cors_origin_host(cw_str_t origin)
{
    const char *p = origin.ptr, *end = origin.ptr + origin.len;
    const char *scheme = origin.len >= 3 ? memmem(p, origin.len, "://", 3) : NULL;
    if (scheme != NULL)
        p = scheme + 3;
    const char *h = p;
    if (p < end && *p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        return close != NULL ? (cw_str_t){p + 1, (size_t)(close - p - 1)} : CW_STR_NULL;
    }
    while (p < end && *p != ':' && *p != '/')
        p++;
    return (cw_str_t){h, (size_t)(p - h)};
}

static bool host_eq(cw_str_t host, const char *pat, size_t plen)
{
    return host.len == plen && strncasecmp(host.ptr, pat, plen) == 0;
}

bool cw_cors_host_matches(cw_str_t host, const char *patterns)
{
    if (patterns == NULL || host.len == 0)
        return false;
    const char *p = patterns;
    while (*p != '\0') {
        while (*p == ',' || *p == ' ')
            p++;
        const char *start = p;
        while (*p != '\0' && *p != ',')
            p++;
        size_t len = (size_t)(p - start);
        while (len > 0 && start[len - 1] == ' ')
            len--;
        if (len == 0)
            continue;
        if (len == 1 && start[0] == '*')
            return true;
        if (len > 2 && start[0] == '*' && start[1] == '.') {
            /* "*.example.com" matches any subdomain, not example.com itself */
            size_t slen = len - 1; /* ".example.com" */
            if (host.len > slen && strncasecmp(host.ptr + host.len - slen, start + 1, slen) == 0)
                return true;
            continue;
        }
        if (host_eq(host, start, len))
            return true;
    }
    return false;
}

void cw_cors_headers(cw_res_t *res, cw_str_t origin, bool allow_origin)
{
    cw_res_header(res, "access-control-allow-methods", CW_STR_LIT("GET, POST, PUT, PATCH, DELETE"));
    cw_res_header(res, "access-control-allow-headers", CW_STR_LIT(allow_headers));
    cw_res_header(res, "access-control-expose-headers", CW_STR_LIT("X-Appwrite-Session, X-Fallback-Cookies"));
    cw_res_header(res, "access-control-allow-credentials", CW_STR_LIT("true"));
    cw_res_header(res, "access-control-max-age", CW_STR_LIT("86400"));
    if (allow_origin && origin.len > 0) {
        /* Appwrite echoes the origin lowercased and trimmed. */
        size_t a = 0, b = origin.len;
        while (a < b && isspace((unsigned char)origin.ptr[a]))
            a++;
        while (b > a && isspace((unsigned char)origin.ptr[b - 1]))
            b--;
        char tmp[512];
        size_t n = b - a < sizeof(tmp) ? b - a : sizeof(tmp) - 1;
        for (size_t i = 0; i < n; i++)
            tmp[i] = (char)tolower((unsigned char)origin.ptr[a + i]);
        cw_res_header(res, "access-control-allow-origin", (cw_str_t){tmp, n});
    }
}
