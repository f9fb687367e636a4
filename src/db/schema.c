#include "db/schema.h"

#include <stdlib.h>
#include <string.h>

const cw_attr_t *cw_collection_attr(const cw_collection_t *c, const char *key)
{
    for (size_t i = 0; i < c->nattrs; i++) {
        if (strcmp(c->attrs[i].key, key) == 0)
            return &c->attrs[i];
    }
    return NULL;
}

const cw_index_t *cw_collection_index(const cw_collection_t *c, const char *key)
{
    for (size_t i = 0; i < c->nindexes; i++) {
        if (strcmp(c->indexes[i].key, key) == 0)
            return &c->indexes[i];
    }
    return NULL;
}

void cw_attr_clear(cw_attr_t *a)
{
    free(a->key);
    free(a->api_type);
    free(a->status);
    free(a->error);
    json_decref(a->default_value);
    json_decref(a->elements);
    json_decref(a->options);
    memset(a, 0, sizeof(*a));
}

void cw_index_clear(cw_index_t *i)
{
    for (size_t k = 0; k < i->nattrs; k++) {
        free(i->attrs[k]);
        if (i->orders != NULL)
            free(i->orders[k]);
    }
    free(i->attrs);
    free(i->orders);
    free(i->lengths);
    free(i->key);
    free(i->status);
    free(i->error);
    memset(i, 0, sizeof(*i));
}

void cw_collection_free(cw_collection_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nattrs; i++)
        cw_attr_clear(&c->attrs[i]);
    for (size_t i = 0; i < c->nindexes; i++)
        cw_index_clear(&c->indexes[i]);
    free(c->attrs);
    free(c->indexes);
    free(c->database_id);
    free(c->id);
    free(c->table);
    free(c->name);
    json_decref(c->permissions);
    free(c);
}

bool cw_attr_has_column(const cw_attr_t *a)
{
    if (a->type != CW_ATTR_RELATIONSHIP)
        return true;
    const char *type = json_string_value(json_object_get(a->options, "relationType"));
    const char *side = json_string_value(json_object_get(a->options, "side"));
    bool child = side != NULL && strcmp(side, "child") == 0;
    if (type == NULL)
        return false;
    if (strcmp(type, "oneToOne") == 0)
        return !child || json_is_true(json_object_get(a->options, "twoWay"));
    if (strcmp(type, "oneToMany") == 0)
        return child;
    if (strcmp(type, "manyToOne") == 0)
        return !child;
    return false;
}
