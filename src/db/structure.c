#include "db/structure.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "db/spatial.h"

#define MAX_INT32 2147483647LL
#define MAX_TEXT_BYTES 65535LL
#define MAX_MEDIUMTEXT_BYTES 16777215LL
#define MAX_LONGTEXT_BYTES 4294967295LL

/* Numbers for messages -------------------------------------------------------------------- */

static void group_digits(const char *digits, bool neg, char *out, size_t size)
{
    size_t n = strlen(digits), o = 0;
    char tmp[512];
    if (neg && o < sizeof(tmp) - 1)
        tmp[o++] = '-';
    for (size_t i = 0; i < n && o < sizeof(tmp) - 2; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            tmp[o++] = ',';
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    snprintf(out, size, "%s", tmp);
}

void cw_structure_int_format(int64_t v, char *out, size_t size)
{
    char digits[32];
    /* Magnitude as unsigned so INT64_MIN has one. */
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(digits, sizeof(digits), "%llu", (unsigned long long)m);
    group_digits(digits, v < 0, out, size);
}

void cw_structure_number_format(double v, char *out, size_t size)
{
    if (isinf(v)) {
        snprintf(out, size, "%s", v < 0 ? "-inf" : "inf");
        return;
    }
    char digits[400];
    double r = round(fabs(v));
    snprintf(digits, sizeof(digits), "%.0f", r);
    group_digits(digits, v < 0 && r != 0, out, size);
}

/* Formats ----------------------------------------------------------------------------------- */

static bool email_atext(unsigned char c)
{
    return isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

static bool hostname_valid(const char *s, size_t n, bool need_dot)
{
    if (n == 0 || n > 253)
        return false;
    size_t labels = 0, i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && s[i] != '.')
            i++;
        size_t len = i - start;
        if (len == 0 || len > 63)
            return false;
        if (!isalnum((unsigned char)s[start]) || !isalnum((unsigned char)s[i - 1]))
            return false;
        for (size_t k = start; k < i; k++) {
            if (!isalnum((unsigned char)s[k]) && s[k] != '-')
                return false;
        }
        labels++;
        if (i < n)
            i++; /* the dot */
        if (i == n && s[n - 1] == '.')
            return false;
    }
    return !need_dot || labels >= 2;
}

bool cw_structure_ip_valid(const char *s, size_t n)
{
    char buf[64];
    unsigned char addr[16];
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

bool cw_structure_email_valid(const char *s, size_t n)
{
    /* PHP trims and lowercases first; then FILTER_VALIDATE_EMAIL: ASCII only, at most 254
     * characters, a local part of at most 64, a domain of dotted labels whose last starts with
     * a letter, or an address literal. */
    while (n > 0 && isspace((unsigned char)s[0])) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n > 254)
        return false;
    const char *at = NULL;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i] < 0x20)
            return false;
    }
    /* The local part may be quoted; the @ that separates is the last one outside quotes. */
    size_t i = 0;
    if (s[0] == '"') {
        i = 1;
        while (i < n && s[i] != '"') {
            if (s[i] == '\\')
                i++;
            i++;
        }
        if (i >= n)
            return false;
        i++;
        if (i >= n || s[i] != '@')
            return false;
        at = s + i;
    } else {
        for (i = 0; i < n; i++) {
            if (s[i] == '@') {
                at = s + i;
                break;
            }
        }
        if (at == NULL)
            return false;
        size_t ll = (size_t)(at - s);
        if (ll == 0 || s[0] == '.' || s[ll - 1] == '.')
            return false;
        for (size_t k = 0; k < ll; k++) {
            if (s[k] == '.') {
                if (s[k + 1] == '.')
                    return false;
                continue;
            }
            if (!email_atext((unsigned char)s[k]))
                return false;
        }
    }
    size_t local_len = (size_t)(at - s);
    if (local_len == 0 || local_len > 64)
        return false;
    const char *d = at + 1;
    size_t dn = n - local_len - 1;
    if (dn == 0)
        return false;
    if (d[0] == '[') {
        if (d[dn - 1] != ']')
            return false;
        const char *lit = d + 1;
        size_t ln = dn - 2;
        if (ln > 5 && strncasecmp(lit, "IPv6:", 5) == 0) {
            char buf[64];
            unsigned char addr[16];
            if (ln - 5 >= sizeof(buf))
                return false;
            memcpy(buf, lit + 5, ln - 5);
            buf[ln - 5] = '\0';
            return inet_pton(AF_INET6, buf, addr) == 1;
        }
        char buf[32];
        unsigned char addr[4];
        if (ln >= sizeof(buf))
            return false;
        memcpy(buf, lit, ln);
        buf[ln] = '\0';
        return inet_pton(AF_INET, buf, addr) == 1;
    }
    if (!hostname_valid(d, dn, true))
        return false;
    const char *tld = d + dn;
    while (tld > d && tld[-1] != '.')
        tld--;
    return isalpha((unsigned char)tld[0]) || strncasecmp(tld, "xn--", 4) == 0;
}

bool cw_structure_url_valid(const char *s, size_t n)
{
    /* FILTER_VALIDATE_URL: printable ASCII from RFC 3986's sets only, a scheme, and a host
     * (a valid hostname or [IPv6] for http and https) unless the scheme is mailto, news or
     * file. */
    static const char extra[] = "$-_.+!*'(),{}|\\^~[]`<>#%\";/?:@&=";
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && strchr(extra, c) == NULL)
            return false;
    }
    size_t i = 0;
    if (!isalpha((unsigned char)s[0]))
        return false;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i >= n || s[i] != ':')
        return false;
    cw_str_t scheme = {s, i};
    i++;
    bool hostless_ok = cw_str_case_eq_cstr(scheme, "mailto") ||
                       cw_str_case_eq_cstr(scheme, "news") || cw_str_case_eq_cstr(scheme, "file");
    if (n - i < 2 || s[i] != '/' || s[i + 1] != '/')
        return hostless_ok && i < n;
    i += 2;
    size_t auth = i;
    while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    const char *a = s + auth;
    size_t an = i - auth;
    /* userinfo */
    for (size_t k = an; k > 0; k--) {
        if (a[k - 1] == '@') {
            a += k;
            an -= k;
            break;
        }
    }
    if (an == 0)
        return hostless_ok;
    const char *host = a;
    size_t hn = an;
    if (a[0] == '[') {
        const char *close = memchr(a, ']', an);
        if (close == NULL)
            return false;
        hn = (size_t)(close - a) + 1;
        if (hn < an) {
            if (a[hn] != ':')
                return false;
            for (size_t k = hn + 1; k < an; k++) {
                if (!isdigit((unsigned char)a[k]))
                    return false;
            }
        }
        char buf[64];
        unsigned char addr[16];
        if (hn - 2 >= sizeof(buf))
            return false;
        memcpy(buf, a + 1, hn - 2);
        buf[hn - 2] = '\0';
        return inet_pton(AF_INET6, buf, addr) == 1;
    }
    const char *colon = memchr(a, ':', an);
    if (colon != NULL) {
        hn = (size_t)(colon - a);
        for (const char *p = colon + 1; p < a + an; p++) {
            if (!isdigit((unsigned char)*p))
                return false;
        }
    }
    if (hn == 0)
        return false;
    if (cw_str_case_eq_cstr(scheme, "http") || cw_str_case_eq_cstr(scheme, "https")) {
        /* A trailing dot names the root and is allowed. */
        if (hn > 1 && host[hn - 1] == '.')
            hn--;
        return hostname_valid(host, hn, false);
    }
    return true;
}

bool cw_structure_datetime_valid(const char *s, size_t n, int64_t *ms)
{
    int64_t t;
    if (n == 0 || (n == 1 && s[0] == '0'))
        return false;
    if (cw_time_parse((cw_str_t){s, n}, &t) != 0)
        return false;
    /* The first free-standing group of four digits is the year; it must lie in the range (PHP
     * would otherwise let a year overflow into the next). */
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (year < 1000 || year > 9999)
        return false;
    if (t < CW_STRUCTURE_MIN_DATE_MS || t > CW_STRUCTURE_MAX_DATE_MS)
        return false;
    if (ms != NULL)
        *ms = t;
    return true;
}

/* Values ------------------------------------------------------------------------------------ */

static bool fail_rule(char *rule, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail_rule(char *rule, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, size, fmt, ap);
    va_end(ap);
    return false;
}

static bool string_valid(const cw_attr_t *a, const json_t *v, char *rule, size_t size)
{
    if (a->size_bytes) {
        int64_t max = a->size;
        int64_t cap = strcmp(a->api_type, "text") == 0         ? MAX_TEXT_BYTES
                      : strcmp(a->api_type, "mediumtext") == 0 ? MAX_MEDIUMTEXT_BYTES
                                                               : MAX_LONGTEXT_BYTES;
        if (!json_is_string(v) || (int64_t)json_string_length(v) > max)
            return fail_rule(rule, size, "Value must be a valid string no longer than %lld bytes",
                             (long long)max);
        if ((int64_t)json_string_length(v) > cap)
            return fail_rule(rule, size, "Value must be a valid string no longer than %lld bytes",
                             (long long)cap);
        return true;
    }
    if (!json_is_string(v) ||
        (int64_t)cw_utf8_count(json_string_value(v), json_string_length(v)) > a->size) {
        if (a->size == 0)
            return fail_rule(rule, size, "Value must be a valid string");
        return fail_rule(rule, size, "Value must be a valid string and no longer than %lld chars",
                         (long long)a->size);
    }
    return true;
}

static bool integer_valid(const cw_attr_t *a, const json_t *v, char *rule, size_t size,
                          bool *is_format)
{
    bool wide = a->size >= 8;
    int64_t lo = wide ? INT64_MIN : -MAX_INT32 - 1, hi = wide ? INT64_MAX : MAX_INT32;
    char smin[48], smax[48];
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        cw_structure_int_format(lo, smin, sizeof(smin));
        cw_structure_int_format(hi, smax, sizeof(smax));
        return fail_rule(rule, size,
                         "Value must be a valid signed %d-bit integer between %s and %s",
                         wide ? 64 : 32, smin, smax);
    }
    int64_t x = json_integer_value(v);
    /* utopia's size range is symmetric: -max..max. */
    int64_t rmax = wide ? INT64_MAX : MAX_INT32, rmin = -rmax;
    if (x < rmin || x > rmax) {
        cw_structure_int_format(rmin, smin, sizeof(smin));
        cw_structure_int_format(rmax, smax, sizeof(smax));
        return fail_rule(rule, size, "Value must be a valid range between %s and %s", smin, smax);
    }
    if ((a->has_min && x < a->min_int) || (a->has_max && x > a->max_int)) {
        *is_format = true;
        cw_structure_int_format(a->has_min ? a->min_int : INT64_MIN, smin, sizeof(smin));
        cw_structure_int_format(a->has_max ? a->max_int : INT64_MAX, smax, sizeof(smax));
        return fail_rule(rule, size, "Value must be a valid range between %s and %s", smin, smax);
    }
    return true;
}

static bool float_valid(const cw_attr_t *a, const json_t *v, char *rule, size_t size,
                        bool *is_format)
{
    if (!json_is_number(v))
        return fail_rule(rule, size, "Value must be a valid float");
    double x = json_number_value(v);
    char smin[400], smax[400];
    if (isnan(x) || x < -DBL_MAX || x > DBL_MAX) {
        cw_structure_number_format(-DBL_MAX, smin, sizeof(smin));
        cw_structure_number_format(DBL_MAX, smax, sizeof(smax));
        return fail_rule(rule, size, "Value must be a valid range between %s and %s", smin, smax);
    }
    if ((a->has_min && x < a->min) || (a->has_max && x > a->max)) {
        *is_format = true;
        cw_structure_number_format(a->has_min ? a->min : -DBL_MAX, smin, sizeof(smin));
        cw_structure_number_format(a->has_max ? a->max : DBL_MAX, smax, sizeof(smax));
        return fail_rule(rule, size, "Value must be a valid range between %s and %s", smin, smax);
    }
    return true;
}

static bool format_valid(const cw_attr_t *a, const json_t *v, char *rule, size_t size)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    switch (a->format) {
    case CW_FORMAT_EMAIL:
        return cw_structure_email_valid(s, n)
                   ? true
                   : fail_rule(rule, size, "Value must be a valid email address");
    case CW_FORMAT_IP:
        return cw_structure_ip_valid(s, n)
                   ? true
                   : fail_rule(rule, size, "Value must be a valid IP address");
    case CW_FORMAT_URL:
        return cw_structure_url_valid(s, n) ? true
                                            : fail_rule(rule, size, "Value must be a valid URL");
    case CW_FORMAT_ENUM: {
        size_t i;
        json_t *e;
        json_array_foreach(a->elements, i, e)
        {
            if (json_equal(e, v))
                return true;
        }
        /* "Value must be one of (a, b, c)" */
        size_t o = (size_t)snprintf(rule, size, "Value must be one of (");
        json_array_foreach(a->elements, i, e)
        {
            if (o < size)
                o += (size_t)snprintf(rule + o, size - o, "%s%s", i ? ", " : "",
                                      json_is_string(e) ? json_string_value(e) : "");
        }
        if (o < size)
            snprintf(rule + o, size - o, ")");
        return false;
    }
    default:
        return true;
    }
}

bool cw_structure_value_valid(const cw_attr_t *a, const json_t *v, char *rule, size_t size,
                              bool *is_format)
{
    bool fmt = false;
    bool ok;
    switch (a->type) {
    case CW_ATTR_STRING:
        ok = string_valid(a, v, rule, size);
        if (ok && a->format != CW_FORMAT_NONE) {
            fmt = true;
            ok = format_valid(a, v, rule, size);
        }
        /* With a format Appwrite's message speaks of the format whichever check refused. */
        if (a->format != CW_FORMAT_NONE)
            fmt = true;
        break;
    case CW_ATTR_INTEGER:
        ok = integer_valid(a, v, rule, size, &fmt);
        fmt = true; /* integers always carry the intRange format */
        break;
    case CW_ATTR_FLOAT:
        ok = float_valid(a, v, rule, size, &fmt);
        fmt = true;
        break;
    case CW_ATTR_BOOLEAN:
        ok = json_is_boolean(v) ? true : fail_rule(rule, size, "Value must be a valid boolean");
        break;
    case CW_ATTR_DATETIME:
        ok = json_is_string(v) &&
             cw_structure_datetime_valid(json_string_value(v), json_string_length(v), NULL);
        if (!ok)
            fail_rule(rule, size,
                      "Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 "
                      "23:59:59.");
        break;
    case CW_ATTR_RELATIONSHIP:
        ok = true;
        break;
    case CW_ATTR_POINT:
    case CW_ATTR_LINE:
    case CW_ATTR_POLYGON:
        ok = cw_spatial_valid(cw_spatial_attr_type(a), v, rule, size);
        break;
    default:
        ok = fail_rule(rule, size, "Unknown attribute type \"%s\"", a->api_type);
        break;
    }
    if (is_format != NULL)
        *is_format = fmt;
    return ok;
}

/* Documents --------------------------------------------------------------------------------- */

static int fail_msg(char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_msg(char *msg, size_t size, const char *fmt, ...)
{
    int o = snprintf(msg, size, "Invalid document structure: ");
    va_list ap;
    va_start(ap, fmt);
    if (o >= 0 && (size_t)o < size)
        vsnprintf(msg + o, size - (size_t)o, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_system_key(const char *k)
{
    return strcmp(k, "$id") == 0 || strcmp(k, "$createdAt") == 0 || strcmp(k, "$updatedAt") == 0 ||
           strcmp(k, "$permissions") == 0 || strcmp(k, "$sequence") == 0 ||
           strcmp(k, "$collection") == 0 || strcmp(k, "$tenant") == 0;
}

static int check_system(const char *key, const json_t *v, char *msg, size_t size)
{
    if (strcmp(key, "$id") == 0) {
        if (!json_is_string(v) || cw_utf8_count(json_string_value(v), json_string_length(v)) > 255)
            return fail_msg(msg, size,
                            "Attribute \"$id\" has invalid type. Value must be a valid string and "
                            "no longer than 255 chars");
    } else if (strcmp(key, "$createdAt") == 0 || strcmp(key, "$updatedAt") == 0) {
        if (!json_is_null(v) &&
            (!json_is_string(v) ||
             !cw_structure_datetime_valid(json_string_value(v), json_string_length(v), NULL)))
            return fail_msg(msg, size,
                            "Attribute \"%s\" has invalid type. Value must be valid date between "
                            "1000-01-01 00:00:00 and 9999-12-31 23:59:59.",
                            key);
    } else if (strcmp(key, "$permissions") == 0) {
        size_t i;
        json_t *p;
        if (!json_is_null(v) && !json_is_array(v))
            return fail_msg(msg, size, "Attribute \"$permissions\" must be an array");
        json_array_foreach(v, i, p)
        {
            if (!json_is_string(p))
                return fail_msg(msg, size,
                                "Attribute \"$permissions['%zu']\" has invalid type. Value must be "
                                "a valid string and no longer than 67000 chars",
                                i);
        }
    }
    return 0;
}

int cw_structure_validate(const cw_collection_t *c, const json_t *doc, char *msg, size_t size)
{
    /* Required attributes first, in the collection's order. */
    for (size_t i = 0; i < c->nattrs; i++) {
        const cw_attr_t *a = &c->attrs[i];
        const json_t *v = json_object_get(doc, a->key);
        if (a->required && (v == NULL || json_is_null(v)))
            return fail_msg(msg, size, "Missing required attribute \"%s\"", a->key);
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)doc, key, v)
    {
        if (key[0] == '$' ? !is_system_key(key) : cw_collection_attr(c, key) == NULL)
            return fail_msg(msg, size, "Unknown attribute: \"%s\"", key);
    }
    char rule[512];
    json_object_foreach((json_t *)doc, key, v)
    {
        if (key[0] == '$') {
            if (check_system(key, v, msg, size) != 0)
                return -1;
            continue;
        }
        const cw_attr_t *a = cw_collection_attr(c, key);
        if (!a->required && json_is_null(v))
            continue;
        if (a->type == CW_ATTR_RELATIONSHIP)
            continue;
        bool is_format = false;
        if (a->array) {
            if (!a->required && (json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0)))
                continue;
            if (!json_is_array(v))
                return fail_msg(msg, size, "Attribute \"%s\" must be an array", key);
            size_t i;
            const json_t *e;
            json_array_foreach(v, i, e)
            {
                if (!a->required && json_is_null(e))
                    continue;
                if (!cw_structure_value_valid(a, e, rule, sizeof(rule), &is_format))
                    return fail_msg(msg, size, "Attribute \"%s['%zu']\" has invalid %s. %s", key, i,
                                    is_format ? "format" : "type", rule);
            }
            continue;
        }
        if (!cw_structure_value_valid(a, v, rule, sizeof(rule), &is_format))
            return fail_msg(msg, size, "Attribute \"%s\" has invalid %s. %s", key,
                            is_format ? "format" : "type", rule);
    }
    return 0;
}
