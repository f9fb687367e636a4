/*
 * Update operators (db/operators.h). The rules and messages follow utopia-php/database's Operator
 * validator; the arithmetic follows what its MariaDB adapter computes in SQL (Appwrite's default
 * engine), here done on the jansson values inside the write's transaction:
 *
 *   - a numeric bound (increment's and multiply's max, decrement's and divide's min, power's max)
 *     leaves the value unchanged when the result would cross it, rather than clamping;
 *   - a missing number counts as 0, a missing array as [], a missing string as "" for
 *     stringConcat; a missing date stays missing;
 *   - an integer attribute stores the rounded result of divide and power.
 */
#include "db/operators.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/str.h"
#include "core/timeutil.h"

#define DAY_MS 86400000LL

typedef enum method {
    M_INCREMENT,
    M_DECREMENT,
    M_MULTIPLY,
    M_DIVIDE,
    M_MODULO,
    M_POWER,
    M_ARRAY_APPEND,
    M_ARRAY_PREPEND,
    M_ARRAY_INSERT,
    M_ARRAY_REMOVE,
    M_ARRAY_UNIQUE,
    M_ARRAY_INTERSECT,
    M_ARRAY_DIFF,
    M_ARRAY_FILTER,
    M_STRING_CONCAT,
    M_STRING_REPLACE,
    M_TOGGLE,
    M_DATE_ADD_DAYS,
    M_DATE_SUB_DAYS,
    M_DATE_SET_NOW,
    M__COUNT
} method_t;

static const char *const method_names[M__COUNT] = {
    [M_INCREMENT] = "increment",
    [M_DECREMENT] = "decrement",
    [M_MULTIPLY] = "multiply",
    [M_DIVIDE] = "divide",
    [M_MODULO] = "modulo",
    [M_POWER] = "power",
    [M_ARRAY_APPEND] = "arrayAppend",
    [M_ARRAY_PREPEND] = "arrayPrepend",
    [M_ARRAY_INSERT] = "arrayInsert",
    [M_ARRAY_REMOVE] = "arrayRemove",
    [M_ARRAY_UNIQUE] = "arrayUnique",
    [M_ARRAY_INTERSECT] = "arrayIntersect",
    [M_ARRAY_DIFF] = "arrayDiff",
    [M_ARRAY_FILTER] = "arrayFilter",
    [M_STRING_CONCAT] = "stringConcat",
    [M_STRING_REPLACE] = "stringReplace",
    [M_TOGGLE] = "toggle",
    [M_DATE_ADD_DAYS] = "dateAddDays",
    [M_DATE_SUB_DAYS] = "dateSubDays",
    [M_DATE_SET_NOW] = "dateSetNow",
};

static const char *const filter_conditions[] = {
    "equal",    "notEqual",      "greaterThan", "greaterThanEqual",
    "lessThan", "lessThanEqual", "isNull",      "isNotNull",
};
#define NCONDITIONS (sizeof(filter_conditions) / sizeof(filter_conditions[0]))

static int method_of(const char *name)
{
    for (int m = 0; m < M__COUNT; m++) {
        if (strcmp(method_names[m], name) == 0)
            return m;
    }
    return -1;
}

static int say(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int say(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* PHP's gettype() of a decoded JSON value, which utopia's messages quote. */
static const char *php_type(const json_t *v)
{
    if (v == NULL || json_is_null(v))
        return "NULL";
    if (json_is_boolean(v))
        return "boolean";
    if (json_is_integer(v))
        return "integer";
    if (json_is_real(v))
        return "double";
    if (json_is_string(v))
        return "string";
    return "array";
}

int cw_operator_parse(const json_t *v, json_t **out, char *msg, size_t size)
{
    json_t *obj = NULL;
    *out = NULL;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            i++;
        /* Most strings are plain values: only something that opens an object is decoded. */
        if (i == n || s[i] != '{')
            return 0;
        obj = json_loadb(s, n, 0, NULL);
        if (!json_is_object(obj)) {
            json_decref(obj);
            return 0;
        }
    } else if (json_is_object(v)) {
        obj = json_incref((json_t *)v);
    } else {
        return 0;
    }
    const json_t *m = json_object_get(obj, "method");
    if (!json_is_string(m) || method_of(json_string_value(m)) < 0) {
        json_decref(obj);
        return 0;
    }
    const json_t *attr = json_object_get(obj, "attribute");
    if (attr != NULL && !json_is_null(attr) && !json_is_string(attr)) {
        say(msg, size, "Invalid operator attribute. Must be a string, got %s", php_type(attr));
        json_decref(obj);
        return -1;
    }
    const json_t *values = json_object_get(obj, "values");
    if (values == NULL || json_is_null(values)) {
        json_object_set_new(obj, "values", json_array());
    } else if (!json_is_array(values)) {
        say(msg, size, "Invalid operator values. Must be an array, got %s", php_type(values));
        json_decref(obj);
        return -1;
    }
    *out = obj;
    return 1;
}

/* Numbers ------------------------------------------------------------------------------------ */

static double num(const json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : 0;
}

/* The integers an operator may leave in an attribute: utopia checks integer attributes against
 * 32 bits whatever their size; bigints get their 64. */
static void int_range(const cw_attr_t *a, int64_t *lo, int64_t *hi)
{
    bool wide = a->api_type != NULL && strcmp(a->api_type, "bigint") == 0;
    *lo = wide ? INT64_MIN : INT32_MIN;
    *hi = wide ? INT64_MAX : INT32_MAX;
}

/* Whether a numeric result crosses the operator's bound, in which case the value stays. */
static bool crosses(method_t m, double r, double bound)
{
    switch (m) {
    case M_INCREMENT:
    case M_MULTIPLY:
    case M_POWER:
        return r > bound;
    case M_DECREMENT:
    case M_DIVIDE:
        return r < bound;
    default:
        return false;
    }
}

/* x ** y where it is a real number; false for 0 to a negative power and a negative base to a
 * fractional one, which leave the value as it is. */
static bool power_of(double x, double y, double *out)
{
    if ((x == 0 && y < 0) || (x < 0 && floor(y) != y))
        return false;
    *out = pow(x, y);
    return true;
}

static int apply_numeric(method_t m, const cw_attr_t *a, const json_t *values, const json_t *cur,
                         json_t **result, char *msg, size_t size)
{
    const char *name = method_names[m];
    if ((a->type != CW_ATTR_INTEGER && a->type != CW_ATTR_FLOAT) || a->array)
        return say(msg, size, "Cannot apply %s operator to non-numeric field '%s'", name, a->key);
    const json_t *v = json_array_get(values, 0);
    if (!json_is_number(v))
        return say(msg, size, "Cannot apply %s operator: value must be numeric, got %s", name,
                   php_type(v));
    double vd = json_number_value(v);
    if ((m == M_DIVIDE || m == M_MODULO) && vd == 0)
        return say(msg, size, "Cannot apply %s operator: %s by zero", name,
                   m == M_DIVIDE ? "division" : "modulo");
    const json_t *bound = json_array_get(values, 1);
    bool bounded = bound != NULL && !json_is_null(bound);
    if (bounded && !json_is_number(bound))
        return say(msg, size, "Cannot apply %s operator: max/min limit must be numeric, got %s",
                   name, php_type(bound));
    /* Modulo takes no bound. */
    if (m == M_MODULO)
        bounded = false;

    if (a->type == CW_ATTR_FLOAT) {
        double c = num(cur), r = c;
        switch (m) {
        case M_INCREMENT:
            r = c + vd;
            break;
        case M_DECREMENT:
            r = c - vd;
            break;
        case M_MULTIPLY:
            r = c * vd;
            break;
        case M_DIVIDE:
            r = c / vd;
            break;
        case M_MODULO:
            r = fmod(c, vd);
            break;
        default:
            if (!power_of(c, vd, &r))
                r = c;
            break;
        }
        if (bounded && crosses(m, r, json_number_value(bound)))
            r = c;
        if (!isfinite(r))
            return say(msg, size, "Cannot apply %s operator: would overflow maximum value of %s",
                       name, "1.7976931348623E+308");
        *result = json_real(r);
        return 0;
    }

    /* Integers: exact while both sides are integers and nothing overflows, through doubles
     * otherwise (a fractional operand, divide, power), rounded as MariaDB stores them. */
    int64_t lo, hi;
    int_range(a, &lo, &hi);
    int64_t c = json_is_integer(cur) ? json_integer_value(cur) : (int64_t)llround(num(cur));
    int64_t r = c;
    double rd = (double)c;
    bool exact = json_is_integer(v);
    if (exact) {
        bool over = false;
        int64_t vi = json_integer_value(v);
        switch (m) {
        case M_INCREMENT:
            over = __builtin_add_overflow(c, vi, &r);
            break;
        case M_DECREMENT:
            over = __builtin_sub_overflow(c, vi, &r);
            break;
        case M_MULTIPLY:
            over = __builtin_mul_overflow(c, vi, &r);
            break;
        case M_MODULO:
            r = vi == -1 ? 0 : c % vi;
            break;
        default:
            exact = false;
            break;
        }
        rd = (double)r;
        /* An overflowing result is worked out again in doubles, to be refused below (or kept
         * back by a bound). */
        if (over)
            exact = false;
    }
    if (!exact) {
        switch (m) {
        case M_INCREMENT:
            rd = (double)c + vd;
            break;
        case M_DECREMENT:
            rd = (double)c - vd;
            break;
        case M_MULTIPLY:
            rd = (double)c * vd;
            break;
        case M_DIVIDE:
            rd = (double)c / vd;
            break;
        case M_MODULO:
            rd = fmod((double)c, vd);
            break;
        default:
            if (!power_of((double)c, vd, &rd))
                rd = (double)c;
            break;
        }
        rd = round(rd);
    }
    if (bounded && crosses(m, exact ? (double)r : rd, json_number_value(bound))) {
        *result = json_integer(c);
        return 0;
    }
    bool above = false, below = false;
    if (!exact) {
        /* 2^63 is the first double past INT64_MAX; NaN cannot come out of the cases above. */
        if (rd >= 9223372036854775808.0)
            above = true;
        else if (rd < -9223372036854775808.0)
            below = true;
        else
            r = (int64_t)rd;
    }
    if (above || (!below && r > hi))
        return say(msg, size, "Cannot apply %s operator: would overflow maximum value of %" PRId64,
                   name, hi);
    if (below || r < lo)
        return say(msg, size, "Cannot apply %s operator: would underflow minimum value of %" PRId64,
                   name, lo);
    *result = json_integer(r);
    return 0;
}

/* Arrays ------------------------------------------------------------------------------------- */

/* Two elements are the same when they are equal JSON, numbers compared by value (1 and 1.0). */
static bool same(const json_t *x, const json_t *y)
{
    if (json_is_number(x) && json_is_number(y))
        return json_number_value(x) == json_number_value(y);
    return json_equal(x, y);
}

static bool contains(const json_t *list, const json_t *v)
{
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        if (same(e, v))
            return true;
    }
    return false;
}

/* Items an integer array takes must fit its integers. */
static int check_items(const char *name, const cw_attr_t *a, const json_t *items, char *msg,
                       size_t size)
{
    int64_t lo, hi;
    size_t i;
    const json_t *e;
    if (a->type != CW_ATTR_INTEGER)
        return 0;
    int_range(a, &lo, &hi);
    json_array_foreach(items, i, e)
    {
        if (json_is_number(e) &&
            (json_number_value(e) > (double)hi || json_number_value(e) < (double)lo))
            return say(msg, size,
                       "Cannot apply %s operator: array items must be between %" PRId64
                       " and %" PRId64,
                       name, lo, hi);
    }
    return 0;
}

/* A number as MariaDB's CAST(... AS DECIMAL) reads an array element: strings by their leading
 * number, booleans as 0 and 1. */
static double as_number(const json_t *e)
{
    if (json_is_number(e))
        return json_number_value(e);
    if (json_is_true(e))
        return 1;
    if (json_is_string(e))
        return strtod(json_string_value(e), NULL);
    return 0;
}

static bool keep_filtered(const char *cond, const json_t *e, const json_t *v)
{
    if (strcmp(cond, "isNull") == 0)
        return json_is_null(e);
    if (strcmp(cond, "isNotNull") == 0)
        return !json_is_null(e);
    /* NULL compares to nothing in SQL. */
    if (json_is_null(e) || v == NULL || json_is_null(v))
        return false;
    if (strcmp(cond, "equal") == 0)
        return same(e, v);
    if (strcmp(cond, "notEqual") == 0)
        return !same(e, v);
    double x = as_number(e), y = as_number(v);
    if (strcmp(cond, "greaterThan") == 0)
        return x > y;
    if (strcmp(cond, "greaterThanEqual") == 0)
        return x >= y;
    if (strcmp(cond, "lessThan") == 0)
        return x < y;
    return x <= y;
}

static int apply_array(method_t m, const cw_attr_t *a, const json_t *values, const json_t *cur,
                       json_t **result, char *msg, size_t size)
{
    const char *name = method_names[m];
    size_t n = json_array_size(values), i;
    const json_t *e;
    if (!a->array) {
        if (m == M_ARRAY_INTERSECT || m == M_ARRAY_DIFF)
            return say(msg, size, "Cannot use %s operator on non-array attribute '%s'", name,
                       a->key);
        return say(msg, size, "Cannot apply %s operator to non-array field '%s'", name, a->key);
    }
    if (m == M_ARRAY_APPEND || m == M_ARRAY_PREPEND || m == M_ARRAY_INTERSECT ||
        m == M_ARRAY_DIFF || m == M_ARRAY_REMOVE) {
        const json_t *first = json_array_get(values, 0);
        size_t count = json_is_array(first) ? json_array_size(first) : n;
        if (count > CW_OPERATOR_ARRAY_MAX)
            return say(msg, size,
                       "Array size %zu exceeds maximum allowed size of %d for array operations",
                       count, CW_OPERATOR_ARRAY_MAX);
    }
    json_t *out = json_array();
    const json_t *have = json_is_array(cur) ? cur : NULL;
    switch (m) {
    case M_ARRAY_APPEND:
    case M_ARRAY_PREPEND:
        if (check_items(name, a, values, msg, size) != 0)
            goto fail;
        if (m == M_ARRAY_PREPEND)
            json_array_extend(out, (json_t *)values);
        if (have != NULL)
            json_array_extend(out, (json_t *)have);
        if (m == M_ARRAY_APPEND)
            json_array_extend(out, (json_t *)values);
        break;
    case M_ARRAY_INSERT: {
        if (n != 2) {
            say(msg, size, "Cannot apply %s operator: requires exactly 2 values (index and value)",
                name);
            goto fail;
        }
        const json_t *at = json_array_get(values, 0);
        if (!json_is_integer(at) || json_integer_value(at) < 0) {
            say(msg, size, "Cannot apply %s operator: index must be a non-negative integer", name);
            goto fail;
        }
        json_t *one = json_array();
        json_array_append(one, json_array_get(values, 1));
        int bad = check_items(name, a, one, msg, size);
        json_decref(one);
        if (bad != 0)
            goto fail;
        size_t len = json_array_size(have);
        if ((uint64_t)json_integer_value(at) > len) {
            say(msg, size,
                "Cannot apply %s operator: index %" PRId64 " is out of bounds for array of length "
                "%zu",
                name, (int64_t)json_integer_value(at), len);
            goto fail;
        }
        if (have != NULL)
            json_array_extend(out, (json_t *)have);
        json_array_insert(out, (size_t)json_integer_value(at), json_array_get(values, 1));
        break;
    }
    case M_ARRAY_REMOVE: {
        if (n == 0) {
            say(msg, size, "Cannot apply %s operator: requires a value to remove", name);
            goto fail;
        }
        const json_t *gone = json_array_get(values, 0);
        json_array_foreach(have, i, e)
        {
            if (json_is_array(gone) ? !contains(gone, e) : !same(e, gone))
                json_array_append(out, (json_t *)e);
        }
        break;
    }
    case M_ARRAY_UNIQUE:
        json_array_foreach(have, i, e)
        {
            if (!contains(out, e))
                json_array_append(out, (json_t *)e);
        }
        break;
    case M_ARRAY_INTERSECT:
    case M_ARRAY_DIFF:
        if (m == M_ARRAY_INTERSECT && n == 0) {
            say(msg, size, "%s operator requires a non-empty array value", name);
            goto fail;
        }
        json_array_foreach(have, i, e)
        {
            if (contains(values, e) == (m == M_ARRAY_INTERSECT))
                json_array_append(out, (json_t *)e);
        }
        break;
    default: { /* M_ARRAY_FILTER */
        if (n < 1 || n > 2) {
            say(msg, size,
                "Cannot apply %s operator: requires 1 or 2 values (condition and optional "
                "comparison value)",
                name);
            goto fail;
        }
        const json_t *cv = json_array_get(values, 0);
        if (!json_is_string(cv)) {
            say(msg, size, "Cannot apply %s operator: condition must be a string", name);
            goto fail;
        }
        const char *cond = json_string_value(cv);
        bool known = false;
        for (size_t k = 0; k < NCONDITIONS && !known; k++)
            known = strcmp(cond, filter_conditions[k]) == 0;
        if (!known) {
            cw_buf_t all = CW_BUF_INIT;
            for (size_t k = 0; k < NCONDITIONS; k++)
                cw_buf_printf(&all, "%s%s", k > 0 ? ", " : "", filter_conditions[k]);
            say(msg, size, "Invalid array filter condition '%s'. Must be one of: %s", cond,
                all.ptr);
            cw_buf_free(&all);
            goto fail;
        }
        const json_t *v = json_array_get(values, 1);
        json_array_foreach(have, i, e)
        {
            if (keep_filtered(cond, e, v))
                json_array_append(out, (json_t *)e);
        }
        break;
    }
    }
    *result = out;
    return 0;
fail:
    json_decref(out);
    return -1;
}

/* Strings, booleans, dates -------------------------------------------------------------------- */

static json_t *replace_all(const char *s, size_t n, const char *from, size_t nfrom, const char *to,
                           size_t nto)
{
    if (nfrom == 0)
        return json_stringn(s, n);
    cw_buf_t b = CW_BUF_INIT;
    size_t i = 0;
    while (i < n) {
        if (i + nfrom <= n && memcmp(s + i, from, nfrom) == 0) {
            cw_buf_append(&b, to, nto);
            i += nfrom;
        } else {
            cw_buf_append(&b, s + i, 1);
            i++;
        }
    }
    json_t *r = json_stringn(b.ptr != NULL ? b.ptr : "", b.len);
    cw_buf_free(&b);
    return r;
}

static int apply_string(method_t m, const cw_attr_t *a, const json_t *values, const json_t *cur,
                        json_t **result, char *msg, size_t size)
{
    const char *name = method_names[m];
    if (a->type != CW_ATTR_STRING || a->array)
        return say(msg, size, "Cannot apply %s operator to non-string field '%s'", name, a->key);
    if (m == M_STRING_CONCAT) {
        const json_t *v = json_array_get(values, 0);
        if (!json_is_string(v))
            return say(msg, size, "Cannot apply %s operator: requires a string value", name);
        size_t have = json_is_string(cur) ? json_string_length(cur) : 0;
        if (a->size > 0 && (int64_t)(have + json_string_length(v)) > a->size)
            return say(msg, size,
                       "Cannot apply %s operator: result would exceed maximum length of %" PRId64
                       " characters",
                       name, a->size);
        cw_buf_t b = CW_BUF_INIT;
        if (have > 0)
            cw_buf_append(&b, json_string_value(cur), have);
        cw_buf_append(&b, json_string_value(v), json_string_length(v));
        *result = json_stringn(b.ptr != NULL ? b.ptr : "", b.len);
        cw_buf_free(&b);
        return 0;
    }
    const json_t *from = json_array_get(values, 0), *to = json_array_get(values, 1);
    if (json_array_size(values) != 2 || !json_is_string(from) || !json_is_string(to))
        return say(msg, size,
                   "Cannot apply %s operator: requires exactly 2 string values (search and "
                   "replace)",
                   name);
    if (!json_is_string(cur)) {
        *result = json_null();
        return 0;
    }
    *result = replace_all(json_string_value(cur), json_string_length(cur), json_string_value(from),
                          json_string_length(from), json_string_value(to), json_string_length(to));
    return 0;
}

static int apply_date(method_t m, const cw_attr_t *a, const json_t *values, const json_t *cur,
                      const char *now, json_t **result, char *msg, size_t size)
{
    const char *name = method_names[m];
    if (a->type != CW_ATTR_DATETIME || a->array)
        return say(msg, size, "Cannot apply %s operator to non-datetime field '%s'", name, a->key);
    if (m == M_DATE_SET_NOW) {
        *result = json_string(now);
        return 0;
    }
    const json_t *days = json_array_get(values, 0);
    if (!json_is_integer(days))
        return say(msg, size, "Cannot apply %s operator: requires an integer number of days", name);
    int64_t ms, d = json_integer_value(days);
    if (!json_is_string(cur) ||
        cw_time_parse((cw_str_t){json_string_value(cur), json_string_length(cur)}, &ms) != 0) {
        /* No date to move: it stays as it is (a null date stays null). */
        *result = cur != NULL ? json_incref((json_t *)cur) : json_null();
        return 0;
    }
    int64_t shift;
    if (d > INT64_MAX / DAY_MS || d < -(INT64_MAX / DAY_MS) ||
        __builtin_mul_overflow(d, DAY_MS, &shift) ||
        __builtin_add_overflow(ms, m == M_DATE_ADD_DAYS ? shift : -shift, &ms))
        return say(msg, size, "Cannot apply %s operator: the date would be out of range", name);
    char iso[CW_TIME_ISO_LEN];
    cw_time_format(ms, iso);
    *result = json_string(iso);
    return 0;
}

int cw_operator_apply(const json_t *op, const cw_attr_t *a, const json_t *current, const char *now,
                      json_t **result, char *msg, size_t size)
{
    const char *mname = json_string_value(json_object_get(op, "method"));
    int m = mname != NULL ? method_of(mname) : -1;
    const json_t *values = json_object_get(op, "values");
    *result = NULL;
    if (m < 0)
        return say(msg, size, "Invalid operator method: %s", mname != NULL ? mname : "");
    if (!json_is_array(values))
        return say(msg, size, "Invalid operator values. Must be an array, got %s",
                   php_type(values));
    if (current != NULL && json_is_null(current))
        current = NULL;
    switch ((method_t)m) {
    case M_INCREMENT:
    case M_DECREMENT:
    case M_MULTIPLY:
    case M_DIVIDE:
    case M_MODULO:
    case M_POWER:
        return apply_numeric((method_t)m, a, values, current, result, msg, size);
    case M_STRING_CONCAT:
    case M_STRING_REPLACE:
        return apply_string((method_t)m, a, values, current, result, msg, size);
    case M_TOGGLE:
        if (a->type != CW_ATTR_BOOLEAN || a->array)
            return say(msg, size, "Cannot apply %s operator to non-boolean field '%s'", mname,
                       a->key);
        *result = json_boolean(!json_is_true(current));
        return 0;
    case M_DATE_ADD_DAYS:
    case M_DATE_SUB_DAYS:
    case M_DATE_SET_NOW:
        return apply_date((method_t)m, a, values, current, now, result, msg, size);
    default:
        return apply_array((method_t)m, a, values, current, result, msg, size);
    }
}

int cw_operator_extract(const cw_collection_t *c, const json_t *data, json_t **out, char *msg,
                        size_t size)
{
    const char *k;
    const json_t *v;
    json_t *ops = NULL;
    *out = NULL;
    if (!json_is_object(data))
        return 0;
    json_object_foreach((json_t *)data, k, v)
    {
        if (k[0] == '$')
            continue;
        const cw_attr_t *a = cw_collection_attr(c, k);
        if (a != NULL && a->type == CW_ATTR_RELATIONSHIP)
            continue;
        json_t *op = NULL;
        char why[256];
        int rc = cw_operator_parse(v, &op, why, sizeof(why));
        if (rc < 0) {
            json_decref(ops);
            return say(msg, size, "Invalid operator for attribute \"%s\": %s", k, why);
        }
        /* An operator on a key that is no attribute stays as it was sent, and the structure check
         * refuses it as an unknown attribute. */
        if (rc == 0 || a == NULL) {
            json_decref(op);
            continue;
        }
        if (ops == NULL)
            ops = json_object();
        json_object_set_new(ops, k, op);
    }
    *out = ops;
    return 0;
}

int cw_operator_apply_all(const cw_collection_t *c, const json_t *ops, const json_t *current,
                          json_t *doc, const char *now, char *msg, size_t size)
{
    const char *k;
    const json_t *op;
    json_object_foreach((json_t *)ops, k, op)
    {
        const cw_attr_t *a = cw_collection_attr(c, k);
        if (a == NULL)
            continue;
        const json_t *cur = current != NULL ? json_object_get(current, k) : a->default_value;
        json_t *r = NULL;
        char why[400];
        if (cw_operator_apply(op, a, cur, now, &r, why, sizeof(why)) != 0)
            return say(msg, size, "Invalid document structure: %s", why);
        json_object_set_new(doc, k, r);
    }
    return 0;
}
