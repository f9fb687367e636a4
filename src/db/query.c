#include "db/query.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/id.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/utf8.h"

static const char *const method_names[CW_QUERY__COUNT] = {
    [CW_QUERY_EQUAL] = "equal",
    [CW_QUERY_NOT_EQUAL] = "notEqual",
    [CW_QUERY_LESS_THAN] = "lessThan",
    [CW_QUERY_LESS_THAN_EQUAL] = "lessThanEqual",
    [CW_QUERY_GREATER_THAN] = "greaterThan",
    [CW_QUERY_GREATER_THAN_EQUAL] = "greaterThanEqual",
    [CW_QUERY_CONTAINS] = "contains",
    [CW_QUERY_CONTAINS_ANY] = "containsAny",
    [CW_QUERY_CONTAINS_ALL] = "containsAll",
    [CW_QUERY_NOT_CONTAINS] = "notContains",
    [CW_QUERY_SEARCH] = "search",
    [CW_QUERY_NOT_SEARCH] = "notSearch",
    [CW_QUERY_IS_NULL] = "isNull",
    [CW_QUERY_IS_NOT_NULL] = "isNotNull",
    [CW_QUERY_BETWEEN] = "between",
    [CW_QUERY_NOT_BETWEEN] = "notBetween",
    [CW_QUERY_STARTS_WITH] = "startsWith",
    [CW_QUERY_NOT_STARTS_WITH] = "notStartsWith",
    [CW_QUERY_ENDS_WITH] = "endsWith",
    [CW_QUERY_NOT_ENDS_WITH] = "notEndsWith",
    [CW_QUERY_REGEX] = "regex",
    [CW_QUERY_EXISTS] = "exists",
    [CW_QUERY_NOT_EXISTS] = "notExists",
    [CW_QUERY_SELECT] = "select",
    [CW_QUERY_ORDER_ASC] = "orderAsc",
    [CW_QUERY_ORDER_DESC] = "orderDesc",
    [CW_QUERY_ORDER_RANDOM] = "orderRandom",
    [CW_QUERY_LIMIT] = "limit",
    [CW_QUERY_OFFSET] = "offset",
    [CW_QUERY_CURSOR_AFTER] = "cursorAfter",
    [CW_QUERY_CURSOR_BEFORE] = "cursorBefore",
    [CW_QUERY_AND] = "and",
    [CW_QUERY_OR] = "or",
    [CW_QUERY_ELEM_MATCH] = "elemMatch",
    [CW_QUERY_CROSSES] = "crosses",
    [CW_QUERY_NOT_CROSSES] = "notCrosses",
    [CW_QUERY_DISTANCE_EQUAL] = "distanceEqual",
    [CW_QUERY_DISTANCE_NOT_EQUAL] = "distanceNotEqual",
    [CW_QUERY_DISTANCE_GREATER_THAN] = "distanceGreaterThan",
    [CW_QUERY_DISTANCE_LESS_THAN] = "distanceLessThan",
    [CW_QUERY_INTERSECTS] = "intersects",
    [CW_QUERY_NOT_INTERSECTS] = "notIntersects",
    [CW_QUERY_OVERLAPS] = "overlaps",
    [CW_QUERY_NOT_OVERLAPS] = "notOverlaps",
    [CW_QUERY_TOUCHES] = "touches",
    [CW_QUERY_NOT_TOUCHES] = "notTouches",
};

#define QUOTE_MAX 80

const char *cw_query_method_name(cw_query_method_t m)
{
    return (unsigned)m < CW_QUERY__COUNT ? method_names[m] : "?";
}

int cw_query_method_find(cw_str_t name, cw_query_method_t *out)
{
    for (int m = 0; m < CW_QUERY__COUNT; m++) {
        if (cw_str_eq_cstr(name, method_names[m])) {
            *out = (cw_query_method_t)m;
            return 0;
        }
    }
    return CW_ENOTFOUND;
}

cw_query_kind_t cw_query_method_kind(cw_query_method_t m)
{
    switch (m) {
    case CW_QUERY_SELECT:
        return CW_QUERY_KIND_SELECT;
    case CW_QUERY_ORDER_ASC:
    case CW_QUERY_ORDER_DESC:
    case CW_QUERY_ORDER_RANDOM:
        return CW_QUERY_KIND_ORDER;
    case CW_QUERY_LIMIT:
        return CW_QUERY_KIND_LIMIT;
    case CW_QUERY_OFFSET:
        return CW_QUERY_KIND_OFFSET;
    case CW_QUERY_CURSOR_AFTER:
    case CW_QUERY_CURSOR_BEFORE:
        return CW_QUERY_KIND_CURSOR;
    default:
        return CW_QUERY_KIND_FILTER;
    }
}

bool cw_query_method_is_logical(cw_query_method_t m)
{
    return m == CW_QUERY_AND || m == CW_QUERY_OR || m == CW_QUERY_ELEM_MATCH;
}

bool cw_query_method_is_spatial(cw_query_method_t m)
{
    return m >= CW_QUERY_CROSSES && m <= CW_QUERY_NOT_TOUCHES;
}

/* Client bytes shown in a message: at most QUOTE_MAX bytes, cut at a character boundary and
 * marked, with invalid UTF-8 and control bytes shown as '?' so the message stays printable. */
static const char *quote(char dst[QUOTE_MAX + 4], cw_str_t s)
{
    return cw_utf8_printable(dst, QUOTE_MAX, s);
}

static int fail(cw_query_error_t *err, cw_err_t type, size_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(cw_query_error_t *err, cw_err_t type, size_t index, const char *fmt, ...)
{
    if (err != NULL) {
        err->type = type;
        err->index = index;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        /* Cut short, the message may end inside a character: drop what is left of it. */
        if (n < 0)
            err->message[0] = '\0';
        size_t len = strlen(err->message);
        while (len > 0 && !cw_utf8_valid(err->message, len))
            err->message[--len] = '\0';
    }
    return CW_EINVAL;
}

#define QFAIL(err, index, fmt, ...)                                                                \
    fail(err, CW_ERR_GENERAL_QUERY_INVALID, index, "Invalid query at queries[%zu]: " fmt, index,   \
         __VA_ARGS__)

static cw_str_t json_str(const json_t *v)
{
    return (cw_str_t){json_string_value(v), json_string_length(v)};
}

/* Parsing: utopia's Query::parse and Query::parseQuery. */

static int parse_node(json_t *obj, cw_arena_t *arena, int depth, size_t index, cw_query_t **out,
                      cw_query_error_t *err)
{
    char q[QUOTE_MAX + 4];
    if (!json_is_object(obj))
        return QFAIL(err, index, "%s",
                     depth == 1 ? "a query must be a JSON object"
                                : "a nested query must be a JSON object");

    /* Like PHP's `?? ''`, a null member counts as a missing one. */
    json_t *method_v = json_object_get(obj, "method");
    json_t *attr_v = json_object_get(obj, "attribute");
    json_t *values_v = json_object_get(obj, "values");
    if (method_v != NULL && !json_is_null(method_v) && !json_is_string(method_v))
        return QFAIL(err, index, "%s", "the method must be a string");
    cw_str_t mname = json_is_string(method_v) ? json_str(method_v) : CW_STR_LIT("");
    cw_query_method_t method;
    if (cw_query_method_find(mname, &method) != 0)
        return QFAIL(err, index, "unknown method \"%s\"", quote(q, mname));
    if (attr_v != NULL && !json_is_null(attr_v) && !json_is_string(attr_v))
        return QFAIL(err, index, "%s", "the attribute must be a string");
    if (values_v != NULL && json_is_null(values_v))
        values_v = NULL;
    if (values_v != NULL && !json_is_array(values_v))
        return QFAIL(err, index, "%s", "the values must be an array");

    cw_query_t *node = cw_arena_alloc(arena, sizeof(*node));
    *node = (cw_query_t){method, CW_STR_LIT(""), values_v, NULL, 0, index};
    if (json_is_string(attr_v))
        node->attribute = json_str(attr_v);
    /* utopia's Query constructor orders by the internal sequence when no attribute is named. */
    if (node->attribute.len == 0 && (method == CW_QUERY_ORDER_ASC || method == CW_QUERY_ORDER_DESC))
        node->attribute = CW_STR_LIT("$sequence");

    if (cw_query_method_is_logical(method) && values_v != NULL) {
        size_t n = json_array_size(values_v);
        if (n != 0 && depth >= CW_QUERY_MAX_DEPTH)
            return QFAIL(err, index, "queries nest deeper than %d levels", CW_QUERY_MAX_DEPTH);
        node->children = cw_arena_alloc(arena, (n == 0 ? 1 : n) * sizeof(*node->children));
        for (size_t i = 0; i < n; i++) {
            int rc = parse_node(json_array_get(values_v, i), arena, depth + 1, index,
                                &node->children[i], err);
            if (rc != 0)
                return rc;
        }
        node->nchildren = n;
    }
    *out = node;
    return 0;
}

int cw_query_parse_json(json_t *obj, cw_arena_t *arena, cw_query_t **out, cw_query_error_t *err)
{
    return parse_node(obj, arena, 1, 0, out, err);
}

static int parse_text(cw_str_t text, size_t index, cw_arena_t *arena, json_t **root,
                      cw_query_t **out, cw_query_error_t *err)
{
    char q[QUOTE_MAX + 4];
    json_error_t jerr;
    /* PHP's json_decode takes any JSON value and strings holding \u0000; so does this, and a
     * root that is not an object is then refused with a clearer message. */
    json_t *j = json_loadb(text.len == 0 ? "" : text.ptr, text.len,
                           JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (j == NULL)
        return QFAIL(err, index, "not valid JSON (%s)", quote(q, cw_str(jerr.text)));
    int rc = parse_node(j, arena, 1, index, out, err);
    if (rc != 0) {
        json_decref(j);
        return rc;
    }
    *root = j;
    return 0;
}

int cw_query_parse(cw_str_t text, cw_arena_t *arena, json_t **root, cw_query_t **out,
                   cw_query_error_t *err)
{
    return parse_text(text, 0, arena, root, out, err);
}

int cw_query_list_parse(const json_t *queries, cw_arena_t *arena, cw_query_list_t *out,
                        cw_query_error_t *err)
{
    *out = (cw_query_list_t){.limit = -1};
    if (queries == NULL || json_is_null(queries))
        return 0;

    /* The parameter's own checks, utopia's ArrayList(Text(4096), 100) on the route. */
    if (!json_is_array(queries))
        return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, 0,
                    "Invalid `queries` param: expected an array of query strings");
    size_t n = json_array_size(queries);
    if (n > CW_QUERY_MAX_ITEMS)
        return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, 0,
                    "Invalid `queries` param: at most %d queries may be given, not %zu",
                    CW_QUERY_MAX_ITEMS, n);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(queries, i);
        if (!json_is_string(v))
            return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, i,
                        "Invalid `queries` param: queries[%zu] is not a string", i);
        if (cw_utf8_count(json_string_value(v), json_string_length(v)) > CW_QUERY_MAX_LENGTH)
            return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, i,
                        "Invalid `queries` param: queries[%zu] is longer than %d characters", i,
                        CW_QUERY_MAX_LENGTH);
    }
    if (n == 0)
        return 0;

    cw_query_t **arrays = cw_arena_alloc(arena, 4 * n * sizeof(*arrays));
    out->all = arrays;
    out->filters = arrays + n;
    out->selects = arrays + 2 * n;
    out->orders = arrays + 3 * n;
    out->_owner = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *root;
        cw_query_t *node;
        int rc = parse_text(json_str(json_array_get(queries, i)), i, arena, &root, &node, err);
        if (rc != 0) {
            cw_query_list_release(out);
            *out = (cw_query_list_t){.limit = -1};
            return rc;
        }
        json_array_append_new(out->_owner, root);
        out->all[out->n++] = node;
        /* utopia's Query::groupByType. */
        switch (cw_query_method_kind(node->method)) {
        case CW_QUERY_KIND_FILTER:
            out->filters[out->nfilters++] = node;
            break;
        case CW_QUERY_KIND_SELECT:
            out->selects[out->nselects++] = node;
            break;
        case CW_QUERY_KIND_ORDER:
            out->orders[out->norders++] = node;
            break;
        case CW_QUERY_KIND_LIMIT:
            if (out->limit_query == NULL)
                out->limit_query = node;
            break;
        case CW_QUERY_KIND_OFFSET:
            if (out->offset_query == NULL)
                out->offset_query = node;
            break;
        case CW_QUERY_KIND_CURSOR:
            if (out->cursor_query == NULL)
                out->cursor_query = node;
            break;
        }
    }
    return 0;
}

void cw_query_list_release(cw_query_list_t *list)
{
    if (list->_owner != NULL)
        json_decref(list->_owner);
    list->_owner = NULL;
}

/* Validation: utopia's Queries/Documents validator and its Query/{Cursor, Limit, Offset, Order,
 * Select, Filter} validators, IndexedQueries (fulltext) and Database::validateSelections. */

#define DATE_MIN_MS (-30610224000000LL) /* 1000-01-01T00:00:00Z */
#define DATE_MAX_MS (253402300799000LL) /* 9999-12-31T23:59:59Z */

void cw_query_schema_init(cw_query_schema_t *s, const cw_query_attr_t *attrs, size_t nattrs)
{
    *s = (cw_query_schema_t){
        .attrs = attrs,
        .nattrs = nattrs,
        .max_values = CW_QUERY_MAX_VALUES,
        .max_limit = INT64_MAX,
        .max_offset = INT64_MAX,
        .min_date_ms = DATE_MIN_MS,
        .max_date_ms = DATE_MAX_MS,
    };
}

/* The system attributes the Documents validator adds to every collection. */
static const cw_query_attr_t system_attrs[] = {
    {.key = CW_STR_LIT("$id"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("$sequence"), .type = CW_QUERY_ATTR_SEQUENCE},
    {.key = CW_STR_LIT("$createdAt"), .type = CW_QUERY_ATTR_DATETIME},
    {.key = CW_STR_LIT("$updatedAt"), .type = CW_QUERY_ATTR_DATETIME},
};

static const cw_query_attr_t *lookup(const cw_query_schema_t *s, cw_str_t key)
{
    if (key.len != 0 && key.ptr[0] == '$') {
        for (size_t i = 0; i < sizeof(system_attrs) / sizeof(system_attrs[0]); i++) {
            if (cw_str_eq(system_attrs[i].key, key))
                return &system_attrs[i];
        }
        return NULL;
    }
    for (size_t i = 0; i < s->nattrs; i++) {
        if (cw_str_eq(s->attrs[i].key, key))
            return &s->attrs[i];
    }
    return NULL;
}

/* The part of a dotted path before the first '.', or NULL-length when there is no dot. */
static bool split_head(cw_str_t path, cw_str_t *head)
{
    const char *dot = path.len == 0 ? NULL : memchr(path.ptr, '.', path.len);
    if (dot == NULL)
        return false;
    *head = (cw_str_t){path.ptr, (size_t)(dot - path.ptr)};
    return true;
}

/* PHP's `$v + 0` is an int: a JSON integer, or a string of optional blanks, a sign, decimal
 * digits and blanks that fits in 64 bits (a longer one turns into a float in PHP). */
static bool php_int(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    const char *p = json_string_value(v), *end = p + json_string_length(v);
    while (p < end && strchr(" \t\n\r\v\f", *p) != NULL && *p != '\0')
        p++;
    bool neg = p < end && *p == '-';
    if (p < end && (*p == '-' || *p == '+'))
        p++;
    if (p == end || *p < '0' || *p > '9')
        return false;
    uint64_t x = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    while (p < end && *p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p++ - '0');
        if (x > (limit - d) / 10)
            return false;
        x = x * 10 + d;
    }
    while (p < end && strchr(" \t\n\r\v\f", *p) != NULL && *p != '\0')
        p++;
    if (p != end)
        return false;
    *out = neg ? (int64_t)(0 - x) : (int64_t)x;
    return true;
}

/* utopia's Filter treats [] and {} (both PHP arrays) as "no value" in first place. */
static bool values_empty(const cw_query_t *q)
{
    json_t *v0 = cw_query_value(q, 0);
    if (v0 == NULL)
        return true;
    return (json_is_array(v0) && json_array_size(v0) == 0) ||
           (json_is_object(v0) && json_object_size(v0) == 0);
}

static const char *type_name(cw_query_attr_type_t t)
{
    switch (t) {
    case CW_QUERY_ATTR_STRING:
        return "string";
    case CW_QUERY_ATTR_INTEGER:
        return "integer";
    case CW_QUERY_ATTR_FLOAT:
        return "number";
    case CW_QUERY_ATTR_BOOLEAN:
        return "boolean";
    case CW_QUERY_ATTR_DATETIME:
        return "date";
    case CW_QUERY_ATTR_RELATIONSHIP:
        return "document ID";
    case CW_QUERY_ATTR_POINT:
        return "point";
    case CW_QUERY_ATTR_LINESTRING:
        return "linestring";
    case CW_QUERY_ATTR_POLYGON:
        return "polygon";
    case CW_QUERY_ATTR_SEQUENCE:
        return "sequence number";
    }
    return "?";
}

static bool is_spatial_type(cw_query_attr_type_t t)
{
    return t == CW_QUERY_ATTR_POINT || t == CW_QUERY_ATTR_LINESTRING || t == CW_QUERY_ATTR_POLYGON;
}

/* One filter value against the attribute's type, as utopia picks a validator per type. */
static bool value_fits(const cw_query_schema_t *s, const cw_query_attr_t *a, const json_t *v)
{
    int64_t i;
    switch (a->type) {
    case CW_QUERY_ATTR_STRING:
        return json_is_string(v);
    case CW_QUERY_ATTR_INTEGER:
        if (!json_is_integer(v))
            return false;
        i = json_integer_value(v);
        return a->int64 || (i >= INT32_MIN && i <= INT32_MAX);
    case CW_QUERY_ATTR_FLOAT:
        return json_is_number(v);
    case CW_QUERY_ATTR_BOOLEAN:
        return json_is_boolean(v);
    case CW_QUERY_ATTR_DATETIME: {
        int64_t ms;
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            cw_time_parse(json_str(v), &ms) != 0)
            return false;
        return ms >= s->min_date_ms && ms <= s->max_date_ms;
    }
    case CW_QUERY_ATTR_RELATIONSHIP:
        /* A related document's ID, at most 255 characters as utopia's Text(255). */
        return json_is_string(v) &&
               cw_utf8_count(json_string_value(v), json_string_length(v)) <= 255;
    case CW_QUERY_ATTR_POINT:
    case CW_QUERY_ATTR_LINESTRING:
    case CW_QUERY_ATTR_POLYGON:
        /* Geometry is coordinates in arrays; utopia checks no deeper here, nor does this. */
        return json_is_array(v);
    case CW_QUERY_ATTR_SEQUENCE:
        /* utopia's Sequence validator for the primary key on integer IDs: 1 and up, given as a
         * number or as a string of digits. */
        return php_int(v, &i) && i >= 1;
    }
    return false;
}

/* utopia refuses queries on the side of a relationship that stores nothing. */
static bool relation_virtual(const cw_query_attr_t *a)
{
    switch (a->relation) {
    case CW_QUERY_REL_ONE_TO_ONE:
        return !a->two_way && a->child_side;
    case CW_QUERY_REL_ONE_TO_MANY:
        return !a->child_side;
    case CW_QUERY_REL_MANY_TO_ONE:
        return a->child_side;
    case CW_QUERY_REL_MANY_TO_MANY:
        return true;
    }
    return false;
}

static bool is_contains(cw_query_method_t m)
{
    return m == CW_QUERY_CONTAINS || m == CW_QUERY_CONTAINS_ANY || m == CW_QUERY_CONTAINS_ALL ||
           m == CW_QUERY_NOT_CONTAINS;
}

/* utopia's Filter::isValidAttributeAndValues. One deliberate difference: a dotted path
 * ("author.name") is taken only through a relationship attribute; utopia lets one through on any
 * attribute and leaves the adapter to fail on it. */
static int check_attr_values(const cw_query_t *q, const cw_query_schema_t *s, cw_query_error_t *err)
{
    char qa[QUOTE_MAX + 4];
    const char *mn = cw_query_method_name(q->method);
    cw_str_t key = q->attribute, head;
    const cw_query_attr_t *a = lookup(s, key);
    if (a != NULL && a->encrypted)
        return QFAIL(err, q->index, "attribute \"%s\" is encrypted and cannot be queried",
                     quote(qa, key));
    bool dotted = false;
    if (a == NULL && split_head(key, &head)) {
        a = lookup(s, head);
        dotted = true;
        if (a != NULL && a->type != CW_QUERY_ATTR_RELATIONSHIP)
            return QFAIL(err, q->index,
                         "attribute \"%s\" is not in the schema (only relationship attributes "
                         "take a dotted path)",
                         quote(qa, key));
    }
    if (a == NULL)
        return QFAIL(err, q->index, "attribute \"%s\" is not in the schema",
                     quote(qa, dotted ? head : key));

    /* exists and notExists only name attributes; values are not checked. */
    if (q->method == CW_QUERY_EXISTS || q->method == CW_QUERY_NOT_EXISTS)
        return 0;
    /* A condition on a related document's attribute is checked against that collection. */
    if (dotted)
        return 0;

    size_t nv = cw_query_nvalues(q);
    if (nv > s->max_values)
        return QFAIL(err, q->index,
                     "%s on attribute \"%s\" has %zu values; at most %zu are allowed", mn,
                     quote(qa, key), nv, s->max_values);
    if (cw_query_method_is_spatial(q->method) && !is_spatial_type(a->type))
        return QFAIL(err, q->index,
                     "%s needs a point, linestring or polygon attribute; \"%s\" is of type %s", mn,
                     quote(qa, key), type_name(a->type));
    for (size_t i = 0; i < nv; i++) {
        if (!value_fits(s, a, cw_query_value(q, i)))
            return QFAIL(err, q->index, "value %zu of %s is not a valid %s for attribute \"%s\"", i,
                         mn, type_name(a->type), quote(qa, key));
    }
    if (a->type == CW_QUERY_ATTR_RELATIONSHIP && relation_virtual(a))
        return QFAIL(err, q->index,
                     "relationship attribute \"%s\" is not stored on this side and cannot be "
                     "queried",
                     quote(qa, key));
    if (!a->array && is_contains(q->method) && a->type != CW_QUERY_ATTR_STRING &&
        !is_spatial_type(a->type))
        return QFAIL(err, q->index, "%s needs an array or string attribute; \"%s\" is a single %s",
                     mn, quote(qa, key), type_name(a->type));
    if (a->array && !is_contains(q->method) && q->method != CW_QUERY_IS_NULL &&
        q->method != CW_QUERY_IS_NOT_NULL && q->method != CW_QUERY_EXISTS &&
        q->method != CW_QUERY_NOT_EXISTS)
        return QFAIL(err, q->index, "%s cannot be used on array attribute \"%s\"", mn,
                     quote(qa, key));
    return 0;
}

/* utopia's Filter::isValid: how many values each method takes, then the attribute and values. */
static int check_filter(const cw_query_t *q, const cw_query_schema_t *s, cw_query_error_t *err)
{
    const char *mn = cw_query_method_name(q->method);
    size_t nv = cw_query_nvalues(q);
    switch (q->method) {
    case CW_QUERY_EQUAL:
    case CW_QUERY_CONTAINS:
    case CW_QUERY_CONTAINS_ANY:
    case CW_QUERY_CONTAINS_ALL:
    case CW_QUERY_NOT_CONTAINS:
    case CW_QUERY_EXISTS:
    case CW_QUERY_NOT_EXISTS:
        if (values_empty(q))
            return QFAIL(err, q->index, "%s needs at least one value", mn);
        return check_attr_values(q, s, err);
    case CW_QUERY_DISTANCE_EQUAL:
    case CW_QUERY_DISTANCE_NOT_EQUAL:
    case CW_QUERY_DISTANCE_GREATER_THAN:
    case CW_QUERY_DISTANCE_LESS_THAN: {
        json_t *v0 = cw_query_value(q, 0);
        if (nv != 1 || !json_is_array(v0) || json_array_size(v0) != 3)
            return QFAIL(err, q->index, "%s takes a single value [geometry, distance, inMeters]",
                         mn);
        return check_attr_values(q, s, err);
    }
    case CW_QUERY_NOT_EQUAL:
    case CW_QUERY_LESS_THAN:
    case CW_QUERY_LESS_THAN_EQUAL:
    case CW_QUERY_GREATER_THAN:
    case CW_QUERY_GREATER_THAN_EQUAL:
    case CW_QUERY_SEARCH:
    case CW_QUERY_NOT_SEARCH:
    case CW_QUERY_STARTS_WITH:
    case CW_QUERY_NOT_STARTS_WITH:
    case CW_QUERY_ENDS_WITH:
    case CW_QUERY_NOT_ENDS_WITH:
    case CW_QUERY_REGEX:
        if (nv != 1)
            return QFAIL(err, q->index, "%s takes exactly one value, not %zu", mn, nv);
        return check_attr_values(q, s, err);
    case CW_QUERY_BETWEEN:
    case CW_QUERY_NOT_BETWEEN:
        if (nv != 2)
            return QFAIL(err, q->index, "%s takes exactly two values, not %zu", mn, nv);
        return check_attr_values(q, s, err);
    case CW_QUERY_IS_NULL:
    case CW_QUERY_IS_NOT_NULL:
        return check_attr_values(q, s, err);
    case CW_QUERY_AND:
    case CW_QUERY_OR:
        for (size_t i = 0; i < q->nchildren; i++) {
            if (cw_query_method_kind(q->children[i]->method) != CW_QUERY_KIND_FILTER)
                return QFAIL(err, q->index, "%s may only hold filters, not %s", mn,
                             cw_query_method_name(q->children[i]->method));
        }
        if (q->nchildren < 2)
            return QFAIL(err, q->index, "%s needs at least two queries", mn);
        return 0;
    case CW_QUERY_ELEM_MATCH:
        /* utopia only takes elemMatch on schemaless adapters; ours have schemas. */
        return QFAIL(err, q->index, "%s", "elemMatch is not supported by this database");
    default:
        if (cw_query_method_is_spatial(q->method)) {
            if (values_empty(q))
                return QFAIL(err, q->index, "%s needs at least one value", mn);
            return check_attr_values(q, s, err);
        }
        return QFAIL(err, q->index, "%s is not a filter", mn);
    }
}

/* utopia's Order validator. */
static int check_order(const cw_query_t *q, const cw_query_schema_t *s, cw_query_error_t *err)
{
    char qa[QUOTE_MAX + 4];
    cw_str_t head;
    if (q->method == CW_QUERY_ORDER_RANDOM)
        return 0; /* no attribute to check; any given is ignored */
    if (lookup(s, q->attribute) != NULL)
        return 0;
    if (split_head(q->attribute, &head) && lookup(s, head) != NULL)
        return QFAIL(err, q->index, "cannot order by the nested attribute \"%s\"",
                     quote(qa, q->attribute));
    return QFAIL(err, q->index, "attribute \"%s\" is not in the schema", quote(qa, q->attribute));
}

/* Internal attributes anyone may select (utopia's Database::INTERNAL_ATTRIBUTES, less $tenant,
 * which belongs to shared tables and no client). */
static bool select_internal(cw_str_t key)
{
    static const char *const names[] = {"$id",        "$sequence",    "$createdAt",
                                        "$updatedAt", "$permissions", "$collection"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (cw_str_eq_cstr(key, names[i]))
            return true;
    }
    return false;
}

/* utopia's Select validator. As for filters, a dotted path must go through a relationship. */
static int check_select(const cw_query_t *q, const cw_query_schema_t *s, cw_query_error_t *err)
{
    char qa[QUOTE_MAX + 4];
    size_t nv = cw_query_nvalues(q);
    if (nv == 0)
        return QFAIL(err, q->index, "%s", "select needs at least one attribute");
    for (size_t i = 0; i < nv; i++) {
        if (!json_is_string(cw_query_value(q, i)))
            return QFAIL(err, q->index, "value %zu of select is not an attribute name", i);
    }
    for (size_t i = 0; i < nv; i++) {
        cw_str_t a = json_str(cw_query_value(q, i));
        for (size_t j = 0; j < i; j++) {
            if (cw_str_eq(a, json_str(cw_query_value(q, j))))
                return QFAIL(err, q->index, "select names \"%s\" twice", quote(qa, a));
        }
    }
    for (size_t i = 0; i < nv; i++) {
        cw_str_t key = json_str(cw_query_value(q, i)), head;
        if (cw_str_eq_cstr(key, "*") || select_internal(key) || lookup(s, key) != NULL)
            continue;
        if (split_head(key, &head)) {
            const cw_query_attr_t *a = lookup(s, head);
            if (a != NULL && a->type == CW_QUERY_ATTR_RELATIONSHIP)
                continue;
            if (select_internal(head))
                continue;
        }
        return QFAIL(err, q->index, "cannot select \"%s\": it is not in the schema",
                     quote(qa, key));
    }
    return 0;
}

/* utopia's Database::validateSelections: a relationship attribute is selected by a dotted path
 * ("author.*"), or comes along with "*"; named bare, it is refused. */
static int check_relationship_selects(const cw_query_list_t *l, const cw_query_schema_t *s,
                                      cw_query_error_t *err)
{
    char qa[QUOTE_MAX + 4];
    for (size_t i = 0; i < l->nselects; i++) {
        for (size_t j = 0; j < cw_query_nvalues(l->selects[i]); j++) {
            if (cw_str_eq_cstr(json_str(cw_query_value(l->selects[i], j)), "*"))
                return 0;
        }
    }
    for (size_t i = 0; i < l->nselects; i++) {
        const cw_query_t *q = l->selects[i];
        for (size_t j = 0; j < cw_query_nvalues(q); j++) {
            cw_str_t key = json_str(cw_query_value(q, j));
            const cw_query_attr_t *a = lookup(s, key);
            if (a != NULL && a->type == CW_QUERY_ATTR_RELATIONSHIP)
                return QFAIL(err, q->index,
                             "cannot select relationship attribute \"%s\" by itself; select "
                             "\"%s.*\" or add \"*\"",
                             quote(qa, key), quote(qa, key));
        }
    }
    return 0;
}

/* utopia's Limit and Offset validators: an integer (a numeric string will do) within range. */
static int check_count(const cw_query_t *q, int64_t min, int64_t max, int64_t *out,
                       cw_query_error_t *err)
{
    const char *mn = cw_query_method_name(q->method);
    int64_t v;
    if (!php_int(cw_query_value(q, 0), &v) || v < min || v > max)
        return QFAIL(err, q->index, "%s takes one whole number from %lld to %lld", mn,
                     (long long)min, (long long)max);
    *out = v;
    return 0;
}

/* utopia's Cursor validator: the value is a document ID (UID rules, at most 36 characters). */
static int check_cursor(const cw_query_t *q, cw_query_error_t *err)
{
    json_t *v = cw_query_value(q, 0);
    if (!json_is_string(v) || !cw_id_valid(json_str(v), CW_ID_MAX_LEN))
        return QFAIL(err, q->index,
                     "%s takes a document ID: 1 to %d characters from a-z, A-Z, 0-9, period, "
                     "hyphen and underscore, not starting with one of the last three",
                     cw_query_method_name(q->method), CW_ID_MAX_LEN);
    return 0;
}

/* utopia's Queries::isValid: nested queries first, then the query by its kind. */
static int check_node(const cw_query_t *q, const cw_query_schema_t *s, cw_query_error_t *err)
{
    for (size_t i = 0; i < q->nchildren; i++) {
        int rc = check_node(q->children[i], s, err);
        if (rc != 0)
            return rc;
    }
    cw_query_kind_t kind = cw_query_method_kind(q->method);
    int64_t unused;
    if (s->select_only && kind != CW_QUERY_KIND_SELECT)
        return QFAIL(err, q->index, "%s is not allowed here; only select is",
                     cw_query_method_name(q->method));
    switch (kind) {
    case CW_QUERY_KIND_SELECT:
        return check_select(q, s, err);
    case CW_QUERY_KIND_ORDER:
        return check_order(q, s, err);
    case CW_QUERY_KIND_LIMIT:
        return check_count(q, 1, s->max_limit, &unused, err);
    case CW_QUERY_KIND_OFFSET:
        return check_count(q, 0, s->max_offset, &unused, err);
    case CW_QUERY_KIND_CURSOR:
        return check_cursor(q, err);
    case CW_QUERY_KIND_FILTER:
        return check_filter(q, s, err);
    }
    return 0;
}

/* utopia's IndexedQueries: search and notSearch, at any depth, need a fulltext index on exactly
 * their attribute. */
static int check_fulltext(const cw_query_t *q, const cw_query_schema_t *s, cw_query_error_t *err)
{
    char qa[QUOTE_MAX + 4];
    for (size_t i = 0; i < q->nchildren; i++) {
        int rc = check_fulltext(q->children[i], s, err);
        if (rc != 0)
            return rc;
    }
    if ((q->method == CW_QUERY_SEARCH || q->method == CW_QUERY_NOT_SEARCH) &&
        !s->fulltext(s->fulltext_ud, q->attribute))
        return QFAIL(err, q->index, "searching attribute \"%s\" needs a fulltext index on it",
                     quote(qa, q->attribute));
    return 0;
}

int cw_query_list_validate(cw_query_list_t *l, const cw_query_schema_t *s, cw_query_error_t *err)
{
    int rc;
    /* The list routes check the first cursor before handing the queries to the database. */
    if (!s->select_only && l->cursor_query != NULL) {
        rc = check_cursor(l->cursor_query, err);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < l->n; i++) {
        rc = check_node(l->all[i], s, err);
        if (rc != 0)
            return rc;
    }
    if (s->fulltext != NULL) {
        for (size_t i = 0; i < l->nfilters; i++) {
            rc = check_fulltext(l->filters[i], s, err);
            if (rc != 0)
                return rc;
        }
    }
    rc = check_relationship_selects(l, s, err);
    if (rc != 0)
        return rc;

    l->limit = -1;
    l->offset = 0;
    l->cursor_dir = CW_QUERY_DIR_NONE;
    l->cursor_id = CW_STR_NULL;
    if (l->limit_query != NULL)
        check_count(l->limit_query, 1, s->max_limit, &l->limit, err);
    if (l->offset_query != NULL)
        check_count(l->offset_query, 0, s->max_offset, &l->offset, err);
    if (l->cursor_query != NULL) {
        l->cursor_dir = l->cursor_query->method == CW_QUERY_CURSOR_AFTER ? CW_QUERY_DIR_AFTER
                                                                         : CW_QUERY_DIR_BEFORE;
        l->cursor_id = json_str(cw_query_value(l->cursor_query, 0));
    }
    return 0;
}
