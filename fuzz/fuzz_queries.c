/* libFuzzer target: queries as clients send them. The input is parsed as one query
 * (cw_query_parse). Then it goes in as the `queries` parameter, parsed (cw_query_list_parse) and
 * validated (cw_query_list_validate) against a collection with every kind of attribute, for lists
 * and for single-document reads: as itself when it is JSON (an array is the list, anything else a
 * wrong parameter), and as a one-element list holding it. Checks what the header promises: trees
 * within CW_QUERY_MAX_DEPTH with children only under and/or/elemMatch, grouping consistent with
 * the methods, limit, offset and cursor within their rules after validation, Appwrite's two error
 * types only, and printable UTF-8 messages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/id.h"
#include "core/utf8.h"
#include "db/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const cw_query_attr_t attrs[] = {
    {.key = CW_STR_LIT("name"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("title"), .type = CW_QUERY_ATTR_STRING},
    {.key = CW_STR_LIT("age"), .type = CW_QUERY_ATTR_INTEGER},
    {.key = CW_STR_LIT("views"), .type = CW_QUERY_ATTR_INTEGER, .int64 = true},
    {.key = CW_STR_LIT("score"), .type = CW_QUERY_ATTR_FLOAT},
    {.key = CW_STR_LIT("active"), .type = CW_QUERY_ATTR_BOOLEAN},
    {.key = CW_STR_LIT("born"), .type = CW_QUERY_ATTR_DATETIME},
    {.key = CW_STR_LIT("tags"), .type = CW_QUERY_ATTR_STRING, .array = true},
    {.key = CW_STR_LIT("secret"), .type = CW_QUERY_ATTR_STRING, .encrypted = true},
    {.key = CW_STR_LIT("author"),
     .type = CW_QUERY_ATTR_RELATIONSHIP,
     .relation = CW_QUERY_REL_MANY_TO_ONE},
    {.key = CW_STR_LIT("books"),
     .type = CW_QUERY_ATTR_RELATIONSHIP,
     .relation = CW_QUERY_REL_ONE_TO_MANY},
    {.key = CW_STR_LIT("loc"), .type = CW_QUERY_ATTR_POINT},
    {.key = CW_STR_LIT("route"), .type = CW_QUERY_ATTR_LINESTRING},
    {.key = CW_STR_LIT("area"), .type = CW_QUERY_ATTR_POLYGON},
};

static int fulltext(void *ud, cw_str_t attribute)
{
    return cw_str_eq_cstr(attribute, "name");
}

static void check_error(const cw_query_error_t *err, bool param_errors_allowed)
{
    size_t n = strlen(err->message);
    if (n == 0 || !cw_utf8_valid(err->message, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)err->message[i] < 0x20)
            abort();
    }
    if (err->type != CW_ERR_GENERAL_QUERY_INVALID &&
        !(param_errors_allowed && err->type == CW_ERR_GENERAL_ARGUMENT_INVALID))
        abort();
}

/* Returns the depth of the tree under q, checking its shape on the way. */
static int check_tree(const cw_query_t *q, size_t index)
{
    if ((unsigned)q->method >= CW_QUERY__COUNT || q->index != index)
        abort();
    if (q->nchildren != 0 && !cw_query_method_is_logical(q->method))
        abort();
    if (cw_query_method_is_logical(q->method) && q->nchildren != cw_query_nvalues(q))
        abort();
    if ((q->method == CW_QUERY_ORDER_ASC || q->method == CW_QUERY_ORDER_DESC) &&
        q->attribute.len == 0)
        abort();
    int depth = 0;
    for (size_t i = 0; i < q->nchildren; i++) {
        int d = check_tree(q->children[i], index);
        if (d > depth)
            depth = d;
    }
    if (depth + 1 > CW_QUERY_MAX_DEPTH)
        abort();
    return depth + 1;
}

static void check_list(cw_query_list_t *l, bool select_only)
{
    size_t counted = 0;
    for (size_t i = 0; i < l->n; i++) {
        check_tree(l->all[i], i);
        cw_query_kind_t k = cw_query_method_kind(l->all[i]->method);
        if (k == CW_QUERY_KIND_FILTER || k == CW_QUERY_KIND_SELECT || k == CW_QUERY_KIND_ORDER)
            counted++;
    }
    if (counted != l->nfilters + l->nselects + l->norders)
        abort();
    for (size_t i = 0; i < l->nfilters; i++) {
        if (cw_query_method_kind(l->filters[i]->method) != CW_QUERY_KIND_FILTER)
            abort();
    }
    for (size_t i = 0; i < l->nselects; i++) {
        if (l->selects[i]->method != CW_QUERY_SELECT)
            abort();
    }
    if (l->limit_query != NULL && l->limit_query->method != CW_QUERY_LIMIT)
        abort();
    if (l->offset_query != NULL && l->offset_query->method != CW_QUERY_OFFSET)
        abort();
    if (l->cursor_query != NULL &&
        cw_query_method_kind(l->cursor_query->method) != CW_QUERY_KIND_CURSOR)
        abort();

    cw_query_schema_t s;
    cw_query_schema_init(&s, attrs, sizeof(attrs) / sizeof(attrs[0]));
    s.select_only = select_only;
    s.fulltext = fulltext;
    cw_query_error_t err;
    err.message[0] = '\0';
    if (cw_query_list_validate(l, &s, &err) != 0) {
        check_error(&err, false);
        if (err.index >= l->n)
            abort();
        return;
    }
    if (select_only && l->nselects != l->n)
        abort();
    if ((l->limit_query == NULL) != (l->limit == -1) || (l->limit != -1 && l->limit < 1))
        abort();
    if (l->offset < 0 || (l->offset_query == NULL && l->offset != 0))
        abort();
    if ((l->cursor_query == NULL) != (l->cursor_dir == CW_QUERY_DIR_NONE))
        abort();
    if (l->cursor_query != NULL && !cw_id_valid(l->cursor_id, CW_ID_MAX_LEN))
        abort();
}

static void one_param(const json_t *queries, cw_arena_t *arena)
{
    for (int select_only = 0; select_only <= 1; select_only++) {
        cw_query_list_t l;
        cw_query_error_t err;
        err.message[0] = '\0';
        if (cw_query_list_parse(queries, arena, &l, &err) != 0) {
            check_error(&err, true);
            if (l._owner != NULL || l.n != 0)
                abort();
            return;
        }
        if (l.n > CW_QUERY_MAX_ITEMS)
            abort();
        check_list(&l, select_only);
        cw_query_list_release(&l);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_arena_t arena = CW_ARENA_INIT;
    /* A private copy, so reading one byte past the slice is caught. */
    char *copy = malloc(size == 0 ? 1 : size);
    if (size != 0)
        memcpy(copy, data, size);
    cw_str_t text = {copy, size};

    json_t *root = NULL;
    cw_query_t *q = NULL;
    cw_query_error_t err;
    err.message[0] = '\0';
    if (cw_query_parse(text, &arena, &root, &q, &err) == 0) {
        check_tree(q, 0);
        json_decref(root);
    } else {
        check_error(&err, false);
    }

    /* As the parameter: a JSON array is the list itself; any other JSON value is a wrong
     * parameter, and the input also goes in as a one-element list. */
    json_error_t jerr;
    json_t *param = json_loadb(copy, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (param != NULL && !json_is_array(param)) {
        one_param(param, &arena);
        json_decref(param);
        param = NULL;
    }
    if (param == NULL && cw_utf8_valid(copy, size)) {
        param = json_array();
        json_array_append_new(param, json_stringn(copy, size));
    }
    if (param != NULL) {
        one_param(param, &arena);
        json_decref(param);
    }
    free(copy);
    cw_arena_destroy(&arena);
    return 0;
}
