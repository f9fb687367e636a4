/*
 * Relationship attributes: schema (create, update, delete, both sides), storage (columns and
 * junction tables), nested writes, onDelete, population of related documents for `select`, and
 * filters through relationships. The behaviour follows utopia-php/database 7.2.6 as Appwrite 1.9
 * runs it (Database::createRelationship, updateRelationship, deleteRelationship,
 * createDocumentRelationships, updateDocumentRelationships, deleteDocumentRelationships,
 * populateDocumentsRelationships, convertRelationshipQueries); where this file deliberately does
 * otherwise, the comment at that place says so.
 */
#include "db/relationships.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/status.h"
#include "core/str.h"
#include "core/timeutil.h"

#define IN_CHUNK 500 /* IDs per IN (...) filter */

/* Options -------------------------------------------------------------------------------------- */

static const char *const type_names[] = {"oneToOne", "oneToMany", "manyToOne", "manyToMany"};
static const char *const on_delete_names[] = {"restrict", "cascade", "setNull"};

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

static int64_t jseq(const json_t *doc)
{
    const char *s = json_string_value(json_object_get(doc, "$sequence"));
    return s != NULL ? strtoll(s, NULL, 10) : 0;
}

int cw_rel_type_parse(const char *s)
{
    for (size_t i = 0; s != NULL && i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (strcmp(s, type_names[i]) == 0)
            return (int)i;
    }
    return -1;
}

int cw_rel_on_delete_parse(const char *s)
{
    for (size_t i = 0; s != NULL && i < sizeof(on_delete_names) / sizeof(on_delete_names[0]); i++) {
        if (strcmp(s, on_delete_names[i]) == 0)
            return (int)i;
    }
    return -1;
}

const char *cw_rel_type_name(cw_rel_type_t t)
{
    return type_names[t];
}

const char *cw_rel_on_delete_name(cw_rel_on_delete_t d)
{
    return on_delete_names[d];
}

bool cw_rel_of(const cw_attr_t *a, cw_rel_t *r)
{
    if (a == NULL || a->type != CW_ATTR_RELATIONSHIP)
        return false;
    const json_t *o = a->options;
    int t = cw_rel_type_parse(jstr(o, "relationType"));
    int d = cw_rel_on_delete_parse(jstr(o, "onDelete"));
    *r = (cw_rel_t){
        .attr = a,
        .key = a->key,
        .related = jstr(o, "relatedCollection"),
        .type = t < 0 ? CW_REL_ONE_TO_ONE : (cw_rel_type_t)t,
        .two_way = json_is_true(json_object_get(o, "twoWay")),
        .two_way_key = jstr(o, "twoWayKey"),
        .on_delete = d < 0 ? CW_REL_RESTRICT : (cw_rel_on_delete_t)d,
        .child = strcmp(jstr(o, "side"), "child") == 0,
        .hidden = json_is_true(json_object_get(o, "_hidden")),
    };
    return true;
}

bool cw_rel_has_column(const cw_rel_t *r)
{
    switch (r->type) {
    case CW_REL_ONE_TO_ONE:
        return !r->child || r->two_way;
    case CW_REL_ONE_TO_MANY:
        return r->child;
    case CW_REL_MANY_TO_ONE:
        return !r->child;
    default:
        return false;
    }
}

bool cw_rel_is_list(const cw_rel_t *r)
{
    return (r->type == CW_REL_ONE_TO_MANY && !r->child) ||
           (r->type == CW_REL_MANY_TO_ONE && r->child) || r->type == CW_REL_MANY_TO_MANY;
}

bool cw_rel_attr_hidden(const cw_attr_t *a)
{
    return a != NULL && a->type == CW_ATTR_RELATIONSHIP &&
           json_is_true(json_object_get(a->options, "_hidden"));
}

static bool has_relationships(const cw_collection_t *c)
{
    for (size_t i = 0; i < c->nattrs; i++) {
        if (c->attrs[i].type == CW_ATTR_RELATIONSHIP)
            return true;
    }
    return false;
}

/* The relationship attribute named by the part of path before its first '.', when path is not an
 * attribute of its own (keys may hold periods). */
static const cw_attr_t *dotted_head(const cw_collection_t *c, const char *path, size_t len,
                                    const char **rest)
{
    char key[CW_ID_MAX_LEN + 1];
    const char *dot = memchr(path, '.', len);
    if (dot == NULL || (size_t)(dot - path) > CW_ID_MAX_LEN)
        return NULL;
    for (size_t i = 0; i < c->nattrs; i++) {
        if (strlen(c->attrs[i].key) == len && memcmp(c->attrs[i].key, path, len) == 0)
            return NULL;
    }
    memcpy(key, path, (size_t)(dot - path));
    key[dot - path] = '\0';
    const cw_attr_t *a = cw_collection_attr(c, key);
    if (a == NULL || a->type != CW_ATTR_RELATIONSHIP)
        return NULL;
    if (rest != NULL)
        *rest = dot + 1;
    return a;
}

size_t cw_rel_select_plain(const cw_collection_t *c, const char **sel, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rest;
        const cw_attr_t *a = dotted_head(c, sel[i], strlen(sel[i]), &rest);
        if (a == NULL) {
            sel[o++] = sel[i];
            continue;
        }
        cw_rel_t r;
        cw_rel_of(a, &r);
        if (!cw_rel_has_column(&r))
            continue;
        bool dup = false;
        for (size_t k = 0; k < o && !dup; k++)
            dup = strcmp(sel[k], a->key) == 0;
        if (!dup)
            sel[o++] = a->key;
    }
    if (o == 0)
        sel[o++] = "*";
    return o;
}

/* Errors ------------------------------------------------------------------------------------- */

static int fail(cw_db_error_t *err, cw_err_t type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(cw_db_error_t *err, cw_err_t type, const char *fmt, ...)
{
    if (err != NULL) {
        err->type = type;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return -1;
}

static cw_err_t fe(cw_db_family_t fam, cw_err_t collections, cw_err_t tables)
{
    return fam == CW_DB_FAMILY_TABLES ? tables : collections;
}

static const char *word_attr(cw_db_family_t fam)
{
    return fam == CW_DB_FAMILY_TABLES ? "Column" : "Attribute";
}

static int invalid_value(cw_db_error_t *err, const char *what)
{
    return fail(err, CW_ERR_RELATIONSHIP_VALUE_INVALID, "Invalid relationship value. %s", what);
}

static bool id_ok(const char *id)
{
    return id != NULL && cw_id_valid(cw_str(id), CW_ID_MAX_LEN);
}

#define ID_RULE                                                                                    \
    "Value must be 1 to 36 characters of a-z, A-Z, 0-9, period, hyphen and underscore, and must "  \
    "not start with a period, hyphen or underscore"

/* State ---------------------------------------------------------------------------------------- */

bool cw__rel_busy(const cw_rel_state_t *s)
{
    return s->depth > 0;
}

void cw__rel_park(cw_rel_state_t *s, cw_collection_t *c)
{
    s->parked = cw_realloc(s->parked, (s->nparked + 1) * sizeof(*s->parked));
    s->parked[s->nparked++] = c;
}

void cw__rel_state_clear(cw_rel_state_t *s)
{
    for (size_t i = 0; i < s->nparked; i++)
        cw_collection_free(s->parked[i]);
    free(s->parked);
    s->parked = NULL;
    s->nparked = 0;
}

/* While relationship work is under way, nested calls must not drop cached schemas the callers up
 * the stack still hold (see sync_caches and collection_find in database.c). */
static void enter(cw_db_t *db)
{
    cw__db_rel_state(db)->depth++;
}

static void leave(cw_db_t *db)
{
    cw_rel_state_t *s = cw__db_rel_state(db);
    if (--s->depth == 0)
        cw__rel_state_clear(s);
}

/* Queries built here --------------------------------------------------------------------------- */

typedef struct lq {
    cw_arena_t arena;
    json_t *hold;
} lq_t;

static void lq_init(lq_t *q)
{
    q->arena = CW_ARENA_INIT;
    q->hold = json_array();
}

static void lq_free(lq_t *q)
{
    cw_arena_destroy(&q->arena);
    json_decref(q->hold);
}

static cw_query_t *node(cw_arena_t *arena, json_t *hold, cw_query_method_t m, const char *attr,
                        json_t *values)
{
    cw_query_t *q = cw_arena_alloc(arena, sizeof(*q));
    memset(q, 0, sizeof(*q));
    q->method = m;
    q->attribute = cw_str(cw_arena_strndup(arena, attr, strlen(attr)));
    json_array_append_new(hold, values);
    q->values = values;
    return q;
}

/* attr = any of values (an array, stolen). */
static cw_query_t *lq_in(lq_t *q, const char *attr, json_t *values)
{
    return node(&q->arena, q->hold, CW_QUERY_EQUAL, attr, values);
}

static cw_query_t *lq_eq(lq_t *q, const char *attr, const char *value)
{
    json_t *v = json_array();
    json_array_append_new(v, json_string(value));
    return lq_in(q, attr, v);
}

static cw_query_t *lq_eq_int(lq_t *q, const char *attr, int64_t value)
{
    json_t *v = json_array();
    json_array_append_new(v, json_integer(value));
    return lq_in(q, attr, v);
}

/* Raw access to the store (no permissions) ------------------------------------------------------
 */

/* 0 found, 1 missing, -1 error. */
static int raw_get(cw_db_t *db, const cw_collection_t *c, const char *id, json_t **out,
                   cw_db_error_t *err)
{
    cw_dba_t *a = cw__db_adapter(db);
    *out = NULL;
    if (!id_ok(id))
        return 1;
    int rc = a->ops->doc_get(a, c, id, out, err);
    if (rc == CW_ENOTFOUND)
        return 1;
    return rc == CW_OK ? 0 : -1;
}

/* Documents of c matching every filter, in creation order; roles non-NULL: only those the roles
 * may read. */
static int raw_find(cw_db_t *db, const cw_collection_t *c, cw_query_t **f, size_t n,
                    const char *const *roles, size_t nroles, json_t **out, cw_db_error_t *err)
{
    static const cw_dba_order_t by_seq = {"$sequence", false};
    cw_dba_t *a = cw__db_adapter(db);
    cw_dba_find_t fd = {.filters = (const cw_query_t *const *)f,
                        .nfilters = n,
                        .orders = &by_seq,
                        .norders = 1,
                        .limit = -1,
                        .roles = roles,
                        .nroles = nroles,
                        .action = "read"};
    return a->ops->doc_find(a, c, &fd, out, err) == CW_OK ? 0 : -1;
}

/* The documents of c whose attr is one of ids (an array of strings), appended to out; other
 * filters may be added. Chunked so no statement binds too many values. */
static int raw_find_in(cw_db_t *db, const cw_collection_t *c, const char *attr, const json_t *ids,
                       cw_query_t *extra, const char *const *roles, size_t nroles, json_t *out,
                       cw_db_error_t *err)
{
    size_t n = json_array_size(ids);
    for (size_t at = 0; at < n; at += IN_CHUNK) {
        lq_t q;
        lq_init(&q);
        json_t *chunk = json_array(), *found = NULL;
        for (size_t i = at; i < n && i < at + IN_CHUNK; i++)
            json_array_append(chunk, json_array_get(ids, i));
        cw_query_t *f[2] = {lq_in(&q, attr, chunk), extra};
        int rc = raw_find(db, c, f, extra != NULL ? 2 : 1, roles, nroles, &found, err);
        lq_free(&q);
        if (rc != 0)
            return -1;
        json_array_extend(out, found);
        json_decref(found);
    }
    return 0;
}

static void add_unique(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (strcmp(json_string_value(v), s) == 0)
            return;
    }
    json_array_append_new(arr, json_string(s));
}

static void now_iso(char out[CW_TIME_ISO_LEN])
{
    cw_time_format(cw_time_now_ms(), out);
}

/* Relationship attributes and storage --------------------------------------------------------- */

static json_t *rel_options(const char *related, cw_rel_type_t type, bool two_way,
                           const char *two_way_key, cw_rel_on_delete_t on_delete, bool child)
{
    json_t *o = json_object();
    json_object_set_new(o, "relatedCollection", json_string(related));
    json_object_set_new(o, "relationType", json_string(cw_rel_type_name(type)));
    json_object_set_new(o, "twoWay", json_boolean(two_way));
    json_object_set_new(o, "twoWayKey", json_string(two_way_key));
    json_object_set_new(o, "onDelete", json_string(cw_rel_on_delete_name(on_delete)));
    json_object_set_new(o, "side", json_string(child ? "child" : "parent"));
    return o;
}

/* options is stolen. */
static void rel_attr_init(cw_attr_t *a, const char *key, json_t *options, int64_t now_ms)
{
    memset(a, 0, sizeof(*a));
    a->key = cw_strdup(key);
    a->api_type = cw_strdup("relationship");
    a->type = CW_ATTR_RELATIONSHIP;
    a->is_signed = true;
    a->options = options;
    a->status = cw_strdup("available");
    a->error = cw_strdup("");
    a->created_at = a->updated_at = now_ms;
}

static void meta_id(char *out, size_t size, const cw_collection_t *c, const char *key)
{
    snprintf(out, size, "%" PRId64 "_%" PRId64 "_%s", c->database_seq, c->seq, key);
}

/* The internal index utopia puts on a relationship column (unique for oneToOne). The strings
 * live in the caller's buffers. */
typedef struct rel_index {
    cw_index_t x;
    char name[CW_ID_MAX_LEN + 8];
    char *attrs[1];
    char *orders[1];
    int64_t lengths[1];
} rel_index_t;

static void rel_index_init(rel_index_t *ri, const char *key, bool unique)
{
    memset(ri, 0, sizeof(*ri));
    snprintf(ri->name, sizeof(ri->name), "_index_%s", key);
    ri->attrs[0] = (char *)key;
    ri->x.key = ri->name;
    ri->x.type = unique ? CW_INDEX_UNIQUE : CW_INDEX_KEY;
    ri->x.nattrs = 1;
    ri->x.attrs = ri->attrs;
    ri->x.orders = ri->orders;
    ri->x.lengths = ri->lengths;
    ri->x.status = (char *)"available";
    ri->x.error = (char *)"";
}

static int column_add(cw_db_t *db, const cw_collection_t *c, const cw_attr_t *a, bool unique,
                      cw_db_error_t *err)
{
    cw_dba_t *ad = cw__db_adapter(db);
    rel_index_t ri;
    rel_index_init(&ri, a->key, unique);
    if (ad->ops->attribute_add(ad, c, a, err) != CW_OK ||
        ad->ops->index_create(ad, c, &ri.x, err) != CW_OK)
        return -1;
    return 0;
}

static int column_drop(cw_db_t *db, const cw_collection_t *c, const char *key, bool unique,
                       cw_db_error_t *err)
{
    cw_dba_t *ad = cw__db_adapter(db);
    rel_index_t ri;
    rel_index_init(&ri, key, unique);
    /* SQLite will not drop a column an index covers. */
    if (ad->ops->index_drop(ad, c, &ri.x, err) != CW_OK ||
        ad->ops->attribute_drop(ad, c, key, err) != CW_OK)
        return -1;
    return 0;
}

static int column_rename(cw_db_t *db, const cw_collection_t *c, const char *key,
                         const char *new_key, bool unique, cw_db_error_t *err)
{
    cw_dba_t *ad = cw__db_adapter(db);
    rel_index_t ri;
    rel_index_init(&ri, key, unique);
    if (ad->ops->index_drop(ad, c, &ri.x, err) != CW_OK ||
        ad->ops->attribute_rename(ad, c, key, new_key, err) != CW_OK)
        return -1;
    rel_index_init(&ri, new_key, unique);
    return ad->ops->index_create(ad, c, &ri.x, err) == CW_OK ? 0 : -1;
}

/* The junction table of a manyToMany relationship between parent and child: one row per link,
 * a column named after each key (the parent's key holds child IDs, the child's key parent IDs). */
static cw_collection_t *junction_build(int64_t db_seq, const char *db_id, int64_t parent_seq,
                                       int64_t child_seq, const char *parent_key,
                                       const char *child_key)
{
    cw_collection_t *j = cw_calloc(1, sizeof(*j));
    char table[96];
    snprintf(table, sizeof(table), "database_%" PRId64 "_junction_%" PRId64 "_%" PRId64, db_seq,
             parent_seq, child_seq);
    j->database_seq = db_seq;
    j->database_id = cw_strdup(db_id);
    j->id = cw_strdup(table);
    j->table = cw_strdup(table);
    j->name = cw_strdup(table);
    j->enabled = true;
    j->permissions = json_array();
    const char *keys[2] = {parent_key, child_key};
    j->nattrs = 2;
    j->attrs = cw_calloc(2, sizeof(*j->attrs));
    j->nindexes = 2;
    j->indexes = cw_calloc(2, sizeof(*j->indexes));
    for (size_t i = 0; i < 2; i++) {
        cw_attr_t *a = &j->attrs[i];
        a->key = cw_strdup(keys[i]);
        a->api_type = cw_strdup("string");
        a->type = CW_ATTR_STRING;
        a->size = 255;
        a->required = true;
        a->is_signed = true;
        a->status = cw_strdup("available");
        a->error = cw_strdup("");
        cw_index_t *x = &j->indexes[i];
        char name[CW_ID_MAX_LEN + 8];
        snprintf(name, sizeof(name), "_index_%s", keys[i]);
        x->key = cw_strdup(name);
        x->type = CW_INDEX_KEY;
        x->nattrs = 1;
        x->attrs = cw_calloc(1, sizeof(char *));
        x->attrs[0] = cw_strdup(keys[i]);
        x->orders = cw_calloc(1, sizeof(char *));
        x->lengths = cw_calloc(1, sizeof(int64_t));
        x->status = cw_strdup("available");
        x->error = cw_strdup("");
    }
    return j;
}

/* The junction of relationship r seen from collection c (related collection rc). */
static cw_collection_t *junction_of(const cw_collection_t *c, const cw_rel_t *r,
                                    const cw_collection_t *rc)
{
    if (!r->child)
        return junction_build(c->database_seq, c->database_id, c->seq, rc->seq, r->key,
                              r->two_way_key);
    return junction_build(c->database_seq, c->database_id, rc->seq, c->seq, r->two_way_key, r->key);
}

/* The two sides of a relationship: parent p with its attribute's key, child ch with its key.
 * Either collection may be NULL when it is gone. */
typedef struct sides {
    const cw_collection_t *p, *ch;
    const char *pk, *ck;
} sides_t;

static sides_t sides_of(const cw_collection_t *c, const cw_rel_t *r, const cw_collection_t *rc)
{
    if (!r->child)
        return (sides_t){c, rc, r->key, r->two_way_key};
    return (sides_t){rc, c, r->two_way_key, r->key};
}

/* Columns, indexes or junction table of a new relationship. pa and ca: the parent's and the
 * child's attributes (ca made even when one-way, since oneToMany stores its link on the child). */
static int storage_create(cw_db_t *db, cw_rel_type_t type, bool two_way, const cw_collection_t *p,
                          const cw_attr_t *pa, const cw_collection_t *ch, const cw_attr_t *ca,
                          cw_db_error_t *err)
{
    switch (type) {
    case CW_REL_ONE_TO_ONE:
        if (column_add(db, p, pa, true, err) != 0)
            return -1;
        return two_way ? column_add(db, ch, ca, true, err) : 0;
    case CW_REL_ONE_TO_MANY:
        return column_add(db, ch, ca, false, err);
    case CW_REL_MANY_TO_ONE:
        return column_add(db, p, pa, false, err);
    case CW_REL_MANY_TO_MANY: {
        cw_dba_t *ad = cw__db_adapter(db);
        cw_collection_t *j =
            junction_build(p->database_seq, p->database_id, p->seq, ch->seq, pa->key, ca->key);
        int rc = ad->ops->collection_create(ad, j, err) == CW_OK ? 0 : -1;
        cw_collection_free(j);
        return rc;
    }
    }
    return 0;
}

static int meta_delete(cw_db_t *db, const cw_collection_t *c, const char *key, cw_db_error_t *err)
{
    const cw_collection_t *m = cw__db_meta_attributes(db);
    cw_dba_t *ad = cw__db_adapter(db);
    char id[160];
    json_t *doc;
    meta_id(id, sizeof(id), c, key);
    int g = raw_get(db, m, id, &doc, err);
    if (g < 0)
        return -1;
    if (g > 0)
        return 0;
    int rc = ad->ops->doc_delete(ad, m, jseq(doc), err) == CW_OK ? 0 : -1;
    json_decref(doc);
    return rc;
}

/* Removes a relationship, both sides: columns, junction, metadata. */
static int rel_drop(cw_db_t *db, const cw_collection_t *c, const cw_rel_t *r,
                    const cw_collection_t *rc, cw_db_error_t *err)
{
    sides_t s = sides_of(c, r, rc);
    int ok = 0;
    switch (r->type) {
    case CW_REL_ONE_TO_ONE:
        if (s.p != NULL)
            ok |= column_drop(db, s.p, s.pk, true, err);
        if (r->two_way && s.ch != NULL && ok == 0)
            ok |= column_drop(db, s.ch, s.ck, true, err);
        break;
    case CW_REL_ONE_TO_MANY:
        if (s.ch != NULL)
            ok |= column_drop(db, s.ch, s.ck, false, err);
        break;
    case CW_REL_MANY_TO_ONE:
        if (s.p != NULL)
            ok |= column_drop(db, s.p, s.pk, false, err);
        break;
    case CW_REL_MANY_TO_MANY:
        if (s.p != NULL && s.ch != NULL) {
            cw_dba_t *ad = cw__db_adapter(db);
            cw_collection_t *j = junction_of(c, r, rc);
            ok |= ad->ops->collection_drop(ad, j, err) == CW_OK ? 0 : -1;
            cw_collection_free(j);
        }
        break;
    }
    if (ok != 0)
        return -1;
    if (s.p != NULL && meta_delete(db, s.p, s.pk, err) != 0)
        return -1;
    if (r->two_way && s.ch != NULL && meta_delete(db, s.ch, s.ck, err) != 0)
        return -1;
    return 0;
}

/* The collection r points at, seen from c's database. Call with the relationship state entered. */
static int related_of(cw_db_t *db, cw_db_family_t fam, const cw_collection_t *c, const cw_rel_t *r,
                      const cw_collection_t **rc, cw_db_error_t *err)
{
    const json_t *dbdoc;
    if (cw__db_resolve(db, fam, c->database_id, NULL, &dbdoc, NULL, err) != 0)
        return -1;
    return cw__db_collection_find(db, fam, dbdoc, r->related, rc, err);
}

/* Schema ------------------------------------------------------------------------------------------
 */

int cw__rel_schema_fill(cw_db_t *db, cw_collection_t *c, cw_db_error_t *err)
{
    lq_t q;
    json_t *docs = NULL;
    int rc = -1;
    lq_init(&q);
    cw_query_t *f[] = {lq_eq_int(&q, "databaseInternalId", c->database_seq),
                       lq_eq(&q, "type", "relationship")};
    if (raw_find(db, cw__db_meta_attributes(db), f, 2, NULL, 0, &docs, err) != 0)
        goto out;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        cw_attr_t pa;
        cw_rel_t r;
        cw__db_attr_from_doc(d, &pa);
        if (cw_rel_of(&pa, &r) && !r.child && !r.two_way && strcmp(r.related, c->id) == 0) {
            json_t *o =
                rel_options(jstr(d, "collectionId"), r.type, false, pa.key, r.on_delete, true);
            json_object_set_new(o, "_hidden", json_true());
            c->attrs = cw_realloc(c->attrs, (c->nattrs + 2) * sizeof(*c->attrs));
            cw_attr_t *a = &c->attrs[c->nattrs++];
            rel_attr_init(a, r.two_way_key, o, pa.created_at);
            a->updated_at = pa.updated_at;
            memset(&c->attrs[c->nattrs], 0, sizeof(*c->attrs));
        }
        cw_attr_clear(&pa);
    }
    rc = 0;
out:
    json_decref(docs);
    lq_free(&q);
    return rc;
}

static int attr_exists(cw_db_family_t fam, const char *key, cw_db_error_t *err)
{
    return fail(err, fe(fam, CW_ERR_ATTRIBUTE_ALREADY_EXISTS, CW_ERR_COLUMN_ALREADY_EXISTS),
                "%s with the key '%s' already exists.", word_attr(fam), key);
}

static int attr_limit(cw_db_family_t fam, const cw_collection_t *c, cw_db_error_t *err)
{
    return fail(err, fe(fam, CW_ERR_ATTRIBUTE_LIMIT_EXCEEDED, CW_ERR_COLUMN_LIMIT_EXCEEDED),
                "The maximum number or size of %s for %s '%s' has been reached.",
                fam == CW_DB_FAMILY_TABLES ? "columns" : "attributes",
                fam == CW_DB_FAMILY_TABLES ? "table" : "collection", c->id);
}

static int bad_param(cw_db_error_t *err, const char *param, const char *rule)
{
    return fail(err, CW_ERR_GENERAL_ARGUMENT_INVALID, "Invalid `%s` param: %s", param, rule);
}

static int insert_meta(cw_db_t *db, cw_db_family_t fam, const cw_collection_t *c,
                       const cw_attr_t *a, const char *now, cw_db_error_t *err)
{
    cw_dba_t *ad = cw__db_adapter(db);
    json_t *doc = cw__db_attr_doc(c, a, now);
    int64_t seq;
    int rc = ad->ops->doc_insert(ad, cw__db_meta_attributes(db), doc, &seq, err);
    json_decref(doc);
    if (rc == CW_EEXIST)
        return attr_exists(fam, a->key, err);
    return rc == CW_OK ? 0 : -1;
}

int cw__rel_attribute_create(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                             const char *collection_id, json_t *spec, json_t **out,
                             cw_db_error_t *err)
{
    const bool tables = fam == CW_DB_FAMILY_TABLES;
    const char *related_id = jstr(spec, "relatedCollection");
    const char *key = jstr(spec, "key");
    const char *two_way_key = json_string_value(json_object_get(spec, "twoWayKey"));
    const char *od = json_string_value(json_object_get(spec, "onDelete"));
    bool two_way = json_is_true(json_object_get(spec, "twoWay"));
    bool two_way_given = two_way_key != NULL;
    int type = cw_rel_type_parse(jstr(spec, "relationType"));
    int on_delete = od != NULL ? cw_rel_on_delete_parse(od) : CW_REL_RESTRICT;
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL, *rc = NULL;
    cw_attr_t pa, ca;
    bool entered = false, in_tx = false;
    char now[CW_TIME_ISO_LEN];
    int ret = -1;
    memset(&pa, 0, sizeof(pa));
    memset(&ca, 0, sizeof(ca));
    if (!id_ok(related_id))
        return bad_param(err, tables ? "relatedTableId" : "relatedCollectionId", ID_RULE);
    if (type < 0)
        return bad_param(err, "type",
                         "Value must be one of (oneToOne, manyToOne, manyToMany, "
                         "oneToMany)");
    if (on_delete < 0)
        return bad_param(err, "onDelete", "Value must be one of (cascade, restrict, setNull)");
    if (key[0] == '\0')
        key = related_id;
    if (!id_ok(key))
        return bad_param(err, "key", ID_RULE);
    if (two_way_key == NULL)
        two_way_key = collection_id != NULL ? collection_id : "";
    if (!id_ok(two_way_key))
        return bad_param(err, "twoWayKey", ID_RULE);
    if (cw__db_resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0)
        return -1;
    enter(db);
    entered = true;
    if (cw__db_collection_find(db, fam, dbdoc, related_id, &rc, err) != 0) {
        fail(err, fe(fam, CW_ERR_COLLECTION_NOT_FOUND, CW_ERR_TABLE_NOT_FOUND),
             "The related %s was not found.", tables ? "table" : "collection");
        goto out;
    }
    /* Appwrite's checks against the relationships already there, then utopia's on every
     * attribute of either side. */
    for (size_t i = 0; i < c->nattrs; i++) {
        cw_rel_t r;
        if (!cw_rel_of(&c->attrs[i], &r) || r.hidden)
            continue;
        if (strcasecmp(r.key, key) == 0) {
            attr_exists(fam, key, err);
            goto out;
        }
        if (strcasecmp(r.two_way_key, two_way_key) == 0 && strcmp(r.related, rc->id) == 0) {
            attr_exists(fam, two_way_given ? two_way_key : key, err);
            goto out;
        }
        if (type == CW_REL_MANY_TO_MANY && r.type == CW_REL_MANY_TO_MANY &&
            strcmp(r.related, rc->id) == 0) {
            fail(err, fe(fam, CW_ERR_ATTRIBUTE_ALREADY_EXISTS, CW_ERR_COLUMN_ALREADY_EXISTS),
                 "Creating more than one \"manyToMany\" relationship on the same %s is currently "
                 "not permitted.",
                 tables ? "table" : "collection");
            goto out;
        }
    }
    int64_t now_ms = cw_time_now_ms();
    cw_time_format(now_ms, now);
    rel_attr_init(&pa, key,
                  rel_options(rc->id, (cw_rel_type_t)type, two_way, two_way_key,
                              (cw_rel_on_delete_t)on_delete, false),
                  now_ms);
    rel_attr_init(
        &ca, two_way_key,
        rel_options(c->id, (cw_rel_type_t)type, two_way, key, (cw_rel_on_delete_t)on_delete, true),
        now_ms);
    if (cw__db_attr_find_nocase(c, key, NULL) != NULL) {
        attr_exists(fam, key, err);
        goto out;
    }
    if (!cw__db_attr_fits(c, &pa)) {
        attr_limit(fam, c, err);
        goto out;
    }
    if (cw__db_attr_find_nocase(rc, two_way_key, NULL) != NULL ||
        (rc == c && strcasecmp(key, two_way_key) == 0)) {
        attr_exists(fam, two_way_key, err);
        goto out;
    }
    if (!cw__db_attr_fits(rc, &ca)) {
        attr_limit(fam, rc, err);
        goto out;
    }
    if (cw__db_tx_begin(db, err) != 0)
        goto out;
    in_tx = true;
    if (insert_meta(db, fam, c, &pa, now, err) != 0 ||
        (two_way && insert_meta(db, fam, rc, &ca, now, err) != 0) ||
        storage_create(db, (cw_rel_type_t)type, two_way, c, &pa, rc, &ca, err) != 0)
        goto out;
    in_tx = false;
    if (cw__db_tx_commit_meta(db, err) != 0)
        goto out;
    *out = cw__db_attr_model(fam, &pa);
    ret = 0;
out:
    if (in_tx)
        cw__db_tx_rollback(db);
    if (entered)
        leave(db);
    cw_attr_clear(&pa);
    cw_attr_clear(&ca);
    return ret;
}

/* The metadata document of attribute key of c rewritten by edit (which may rename it). */
typedef void attr_edit_fn(cw_attr_t *a, void *arg);

static int meta_rewrite(cw_db_t *db, const cw_collection_t *c, const char *key, attr_edit_fn *edit,
                        void *arg, cw_attr_t *result, cw_db_error_t *err)
{
    const cw_collection_t *m = cw__db_meta_attributes(db);
    cw_dba_t *ad = cw__db_adapter(db);
    char id[160], now[CW_TIME_ISO_LEN], created[CW_TIME_ISO_LEN];
    json_t *old = NULL, *doc = NULL;
    cw_attr_t a;
    meta_id(id, sizeof(id), c, key);
    int g = raw_get(db, m, id, &old, err);
    if (g != 0)
        return g < 0 ? -1 : 0;
    cw__db_attr_from_doc(old, &a);
    edit(&a, arg);
    now_iso(now);
    int64_t ms = 0;
    cw_time_parse(cw_str(now), &ms);
    a.updated_at = ms;
    cw_time_format(a.created_at, created);
    doc = cw__db_attr_doc(c, &a, now);
    json_object_set_new(doc, "$createdAt", json_string(created));
    int rc = ad->ops->doc_update(ad, m, jseq(old), doc, false, err);
    json_decref(doc);
    json_decref(old);
    if (rc != CW_OK) {
        if (rc == CW_EEXIST)
            fail(err, CW_ERR_ATTRIBUTE_ALREADY_EXISTS,
                 "Attribute with the key '%s' already exists.", a.key);
        cw_attr_clear(&a);
        return -1;
    }
    if (result != NULL)
        *result = a;
    else
        cw_attr_clear(&a);
    return 0;
}

typedef struct rel_edit {
    const char *new_key;       /* this side's new key, or NULL */
    const char *new_other_key; /* the other side's new twoWayKey, or NULL */
    const char *on_delete;     /* or NULL */
} rel_edit_t;

static void apply_edit(cw_attr_t *a, void *arg)
{
    const rel_edit_t *e = arg;
    if (e->new_key != NULL) {
        free(a->key);
        a->key = cw_strdup(e->new_key);
    }
    if (a->options == NULL)
        a->options = json_object();
    if (e->new_other_key != NULL)
        json_object_set_new(a->options, "twoWayKey", json_string(e->new_other_key));
    if (e->on_delete != NULL)
        json_object_set_new(a->options, "onDelete", json_string(e->on_delete));
}

static const cw_attr_t *visible_attr(const cw_collection_t *c, const char *key)
{
    const cw_attr_t *a = key != NULL ? cw_collection_attr(c, key) : NULL;
    return a != NULL && !cw_rel_attr_hidden(a) ? a : NULL;
}

int cw__rel_attribute_update(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                             const char *collection_id, const char *key, json_t *spec, json_t **out,
                             cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL, *rc = NULL;
    const cw_attr_t *a;
    cw_rel_t r;
    cw_attr_t result;
    bool entered = false, in_tx = false, have_result = false;
    int ret = -1;
    memset(&result, 0, sizeof(result));
    const char *od = json_string_value(json_object_get(spec, "onDelete"));
    const char *new_key = json_string_value(json_object_get(spec, "newKey"));
    if (od != NULL && cw_rel_on_delete_parse(od) < 0)
        return bad_param(err, "onDelete", "Value must be one of (cascade, restrict, setNull)");
    if (cw__db_resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0)
        return -1;
    a = visible_attr(c, key);
    if (a == NULL)
        return fail(err, fe(fam, CW_ERR_ATTRIBUTE_NOT_FOUND, CW_ERR_COLUMN_NOT_FOUND),
                    "%s with the key '%s' could not be found.", word_attr(fam),
                    key != NULL ? key : "");
    if (a->status != NULL && strcmp(a->status, "available") != 0)
        return fail(err, fe(fam, CW_ERR_ATTRIBUTE_NOT_AVAILABLE, CW_ERR_COLUMN_NOT_AVAILABLE),
                    "The %s '%s' is not available yet.",
                    fam == CW_DB_FAMILY_TABLES ? "column" : "attribute", key);
    if (!cw_rel_of(a, &r))
        return fail(err, fe(fam, CW_ERR_ATTRIBUTE_TYPE_INVALID, CW_ERR_COLUMN_TYPE_INVALID),
                    "The %s '%s' is not of type relationship.",
                    fam == CW_DB_FAMILY_TABLES ? "column" : "attribute", key);
    if (new_key != NULL && strcmp(new_key, key) == 0)
        new_key = NULL;
    if (new_key != NULL) {
        if (!id_ok(new_key))
            return bad_param(err, "newKey", ID_RULE);
        if (cw__db_attr_find_nocase(c, new_key, key) != NULL)
            return attr_exists(fam, new_key, err);
    }
    enter(db);
    entered = true;
    if (related_of(db, fam, c, &r, &rc, err) != 0)
        goto out;
    if (cw__db_tx_begin(db, err) != 0)
        goto out;
    in_tx = true;
    if (new_key != NULL) {
        if (cw_rel_has_column(&r) &&
            column_rename(db, c, key, new_key, r.type == CW_REL_ONE_TO_ONE, err) != 0)
            goto out;
        if (r.type == CW_REL_MANY_TO_MANY) {
            cw_dba_t *ad = cw__db_adapter(db);
            cw_collection_t *j = junction_of(c, &r, rc);
            int jrc = ad->ops->attribute_rename(ad, j, key, new_key, err);
            cw_collection_free(j);
            if (jrc != CW_OK)
                goto out;
        }
    }
    rel_edit_t mine = {new_key, NULL, od}, other = {NULL, new_key, od};
    if (meta_rewrite(db, c, key, apply_edit, &mine, &result, err) != 0)
        goto out;
    have_result = true;
    if (r.two_way && meta_rewrite(db, rc, r.two_way_key, apply_edit, &other, NULL, err) != 0)
        goto out;
    in_tx = false;
    if (cw__db_tx_commit_meta(db, err) != 0)
        goto out;
    *out = cw__db_attr_model(fam, &result);
    ret = 0;
out:
    if (in_tx)
        cw__db_tx_rollback(db);
    if (entered)
        leave(db);
    if (have_result)
        cw_attr_clear(&result);
    return ret;
}

int cw__rel_attribute_delete(cw_db_t *db, cw_db_family_t fam, const char *database_id,
                             const char *collection_id, const char *key, cw_db_error_t *err)
{
    const json_t *dbdoc = NULL;
    const cw_collection_t *c = NULL, *rc = NULL;
    cw_rel_t r;
    int ret = -1;
    if (cw__db_resolve(db, fam, database_id, collection_id, &dbdoc, &c, err) != 0)
        return -1;
    const cw_attr_t *a = visible_attr(c, key);
    if (a == NULL || !cw_rel_of(a, &r))
        return fail(err, fe(fam, CW_ERR_ATTRIBUTE_NOT_FOUND, CW_ERR_COLUMN_NOT_FOUND),
                    "%s with the key '%s' could not be found.", word_attr(fam),
                    key != NULL ? key : "");
    enter(db);
    cw_db_error_t ignored;
    if (cw__db_collection_find(db, fam, dbdoc, r.related, &rc, &ignored) != 0)
        rc = NULL;
    if (cw__db_tx_begin(db, err) != 0)
        goto out;
    if (rel_drop(db, c, &r, rc, err) != 0) {
        cw__db_tx_rollback(db);
        goto out;
    }
    ret = cw__db_tx_commit_meta(db, err);
out:
    leave(db);
    return ret;
}

int cw__rel_collection_drop(cw_db_t *db, cw_db_family_t fam, const cw_collection_t *c,
                            cw_db_error_t *err)
{
    if (!has_relationships(c))
        return 0;
    const json_t *dbdoc;
    int ret = -1;
    /* Each relationship once, by its parent side: a self-relationship lists both sides here. */
    int64_t *seen_seq = cw_calloc(c->nattrs + 1, sizeof(int64_t));
    const char **seen_key = cw_calloc(c->nattrs + 1, sizeof(char *));
    size_t nseen = 0;
    enter(db);
    if (cw__db_resolve(db, fam, c->database_id, NULL, &dbdoc, NULL, err) != 0)
        goto out;
    for (size_t i = 0; i < c->nattrs; i++) {
        cw_rel_t r;
        const cw_collection_t *rc = NULL;
        cw_db_error_t ignored;
        if (!cw_rel_of(&c->attrs[i], &r))
            continue;
        if (cw__db_collection_find(db, fam, dbdoc, r.related, &rc, &ignored) != 0)
            rc = NULL;
        sides_t s = sides_of(c, &r, rc);
        int64_t pseq = s.p != NULL ? s.p->seq : -1;
        bool dup = false;
        for (size_t k = 0; k < nseen && !dup; k++)
            dup = seen_seq[k] == pseq && strcmp(seen_key[k], s.pk) == 0;
        if (dup)
            continue;
        seen_seq[nseen] = pseq;
        seen_key[nseen++] = s.pk;
        if (rel_drop(db, c, &r, rc, err) != 0)
            goto out;
    }
    ret = 0;
out:
    leave(db);
    free(seen_seq);
    free(seen_key);
    return ret;
}

int cw__rel_database_drop(cw_db_t *db, const json_t *dbdoc, cw_db_error_t *err)
{
    lq_t q;
    json_t *docs = NULL;
    int ret = -1;
    int64_t dbseq = jseq(dbdoc);
    lq_init(&q);
    enter(db);
    cw_query_t *f[] = {lq_eq_int(&q, "databaseInternalId", dbseq),
                       lq_eq(&q, "type", "relationship")};
    if (raw_find(db, cw__db_meta_attributes(db), f, 2, NULL, 0, &docs, err) != 0)
        goto out;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        cw_attr_t pa;
        cw_rel_t r;
        const cw_collection_t *rc = NULL;
        cw_db_error_t ignored;
        cw__db_attr_from_doc(d, &pa);
        if (cw_rel_of(&pa, &r) && r.type == CW_REL_MANY_TO_MANY && !r.child &&
            cw__db_collection_find(db, CW_DB_FAMILY_COLLECTIONS, dbdoc, r.related, &rc, &ignored) ==
                0) {
            cw_dba_t *ad = cw__db_adapter(db);
            cw_collection_t *j =
                junction_build(dbseq, jstr(dbdoc, "$id"),
                               json_integer_value(json_object_get(d, "collectionInternalId")),
                               rc->seq, r.key, r.two_way_key);
            int jrc = ad->ops->collection_drop(ad, j, err);
            cw_collection_free(j);
            if (jrc != CW_OK) {
                cw_attr_clear(&pa);
                goto out;
            }
        }
        cw_attr_clear(&pa);
    }
    ret = 0;
out:
    leave(db);
    json_decref(docs);
    lq_free(&q);
    return ret;
}

void cw__rel_query_attr(const cw_attr_t *a, cw_query_attr_t *q)
{
    cw_rel_t r;
    if (!cw_rel_of(a, &r))
        return;
    static const cw_query_relation_t map[] = {
        [CW_REL_ONE_TO_ONE] = CW_QUERY_REL_ONE_TO_ONE,
        [CW_REL_ONE_TO_MANY] = CW_QUERY_REL_ONE_TO_MANY,
        [CW_REL_MANY_TO_ONE] = CW_QUERY_REL_MANY_TO_ONE,
        [CW_REL_MANY_TO_MANY] = CW_QUERY_REL_MANY_TO_MANY,
    };
    q->relation = map[r.type];
    q->two_way = r.two_way;
    q->child_side = r.child;
}

/* Document writes -------------------------------------------------------------------------------
 */

typedef struct wctx {
    cw_db_t *db;
    cw_db_family_t fam;
    const cw_db_actor_t *actor;
    cw_rel_state_t *s;
} wctx_t;

/* Whether rc holds a document with this ID that the actor may read (utopia reads related
 * documents as the actor: one it may not read counts as missing). */
static int readable(wctx_t *w, const cw_collection_t *rc, const char *id, bool *yes,
                    cw_db_error_t *err)
{
    json_t *doc;
    *yes = false;
    int g = raw_get(w->db, rc, id, &doc, err);
    if (g < 0)
        return -1;
    if (g == 0) {
        *yes = cw__db_can(w->actor, rc, doc, "read");
        json_decref(doc);
    }
    return 0;
}

/* Whether the document is being written further up the stack (a parent whose nested documents
 * link back to it before it is stored). */
static bool being_written(const wctx_t *w, const cw_collection_t *rc, const char *id)
{
    for (size_t i = 0; i < w->s->nwrites && i < CW_REL_STACK_MAX; i++) {
        if (strcmp(w->s->writes[i], rc->id) == 0 && strcmp(w->s->write_docs[i], id) == 0)
            return true;
    }
    return false;
}

/* What the adapter refused without saying why (it fills err only for its own failures). */
static int store_fail(cw_db_family_t fam, int rc, cw_db_error_t *err)
{
    if (rc == CW_DBA_EUNIQUE)
        return fail(err,
                    fe(fam, CW_ERR_DOCUMENT_UNIQUE_CONSTRAINT_VIOLATION,
                       CW_ERR_ROW_UNIQUE_CONSTRAINT_VIOLATION),
                    "%s violates a unique %s constraint: another %s holds the same value(s).",
                    fam == CW_DB_FAMILY_TABLES ? "Row" : "Document",
                    fam == CW_DB_FAMILY_TABLES ? "column" : "attribute",
                    fam == CW_DB_FAMILY_TABLES ? "row" : "document");
    if (rc == CW_EEXIST)
        return fail(err, CW_ERR_GENERAL_SERVER_ERROR, "Server Error");
    return -1;
}

/* Sets one column of a related document as utopia's updateDocument with relationships skipped
 * does: as the actor (update permission) unless as_actor is false, the date moved when the value
 * changes. A document that is not there is skipped. */
static int set_column(wctx_t *w, const cw_collection_t *rc, const char *id, const char *key,
                      const char *value, bool as_actor, cw_db_error_t *err)
{
    cw_dba_t *ad = cw__db_adapter(w->db);
    json_t *doc;
    int g = raw_get(w->db, rc, id, &doc, err);
    if (g != 0)
        return g < 0 ? -1 : 0;
    const char *cur = json_string_value(json_object_get(doc, key));
    int ret = 0;
    if ((cur == NULL && value == NULL) || (cur != NULL && value != NULL && strcmp(cur, value) == 0))
        goto out;
    if (as_actor && !cw__db_can(w->actor, rc, doc, "update")) {
        ret = cw__db_unauthorized(w->actor, "update", err);
        goto out;
    }
    char now[CW_TIME_ISO_LEN];
    now_iso(now);
    json_object_set_new(doc, key, value != NULL ? json_string(value) : json_null());
    json_object_set_new(doc, "$updatedAt", json_string(now));
    int urc = ad->ops->doc_update(ad, rc, jseq(doc), doc, false, err);
    if (urc != CW_OK) {
        ret = store_fail(w->fam, urc, err);
        goto out;
    }
    cw__db_doc_cache_drop(w->db, rc, id);
out:
    json_decref(doc);
    return ret;
}

/* The related IDs of a list side, as stored: the documents of rc pointing back at doc_id, or the
 * junction rows of doc_id. */
static int list_ids(wctx_t *w, const cw_collection_t *c, const cw_rel_t *r,
                    const cw_collection_t *rc, const char *doc_id, json_t **out, cw_db_error_t *err)
{
    lq_t q;
    json_t *docs = NULL, *ids = json_array();
    int ret = -1;
    lq_init(&q);
    cw_query_t *f[] = {lq_eq(&q, r->two_way_key, doc_id)};
    if (r->type == CW_REL_MANY_TO_MANY) {
        cw_collection_t *j = junction_of(c, r, rc);
        int frc = raw_find(w->db, j, f, 1, NULL, 0, &docs, err);
        cw_collection_free(j);
        if (frc != 0)
            goto out;
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d)
        {
            const char *id = json_string_value(json_object_get(d, r->key));
            if (id != NULL)
                add_unique(ids, id);
        }
    } else {
        if (raw_find(w->db, rc, f, 1, NULL, 0, &docs, err) != 0)
            goto out;
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d)
        {
            add_unique(ids, jstr(d, "$id"));
        }
    }
    *out = ids;
    ids = NULL;
    ret = 0;
out:
    json_decref(ids);
    json_decref(docs);
    lq_free(&q);
    return ret;
}

static int junction_link(wctx_t *w, const cw_collection_t *c, const cw_rel_t *r,
                         const cw_collection_t *rc, const char *doc_id, const char *related_id,
                         cw_db_error_t *err)
{
    cw_dba_t *ad = cw__db_adapter(w->db);
    cw_collection_t *j = junction_of(c, r, rc);
    char id[CW_ID_LEN + 1], now[CW_TIME_ISO_LEN];
    cw_id_unique(id);
    now_iso(now);
    json_t *row = json_object();
    json_object_set_new(row, "$id", json_string(id));
    json_object_set_new(row, "$createdAt", json_string(now));
    json_object_set_new(row, "$updatedAt", json_string(now));
    json_object_set_new(row, "$permissions", json_array());
    json_object_set_new(row, r->key, json_string(related_id));
    json_object_set_new(row, r->two_way_key, json_string(doc_id));
    int64_t seq;
    int rc2 = ad->ops->doc_insert(ad, j, row, &seq, err);
    json_decref(row);
    cw_collection_free(j);
    return rc2 == CW_OK ? 0 : store_fail(w->fam, rc2, err);
}

/* Deletes the junction rows of doc_id (only those to related_id when given). */
static int junction_unlink(wctx_t *w, const cw_collection_t *c, const cw_rel_t *r,
                           const cw_collection_t *rc, const char *doc_id, const char *related_id,
                           cw_db_error_t *err)
{
    cw_dba_t *ad = cw__db_adapter(w->db);
    cw_collection_t *j = junction_of(c, r, rc);
    lq_t q;
    json_t *rows = NULL;
    int ret = -1;
    lq_init(&q);
    cw_query_t *f[] = {lq_eq(&q, r->two_way_key, doc_id),
                       related_id != NULL ? lq_eq(&q, r->key, related_id) : NULL};
    if (raw_find(w->db, j, f, related_id != NULL ? 2 : 1, NULL, 0, &rows, err) != 0)
        goto out;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (ad->ops->doc_delete(ad, j, jseq(row), err) != CW_OK)
            goto out;
    }
    ret = 0;
out:
    json_decref(rows);
    lq_free(&q);
    cw_collection_free(j);
    return ret;
}

/* One element of a relationship value: a document ID, or a nested document (whose $id, when it
 * has one, must be a valid ID or "unique()"), as Appwrite's validateRelationship takes them. */
static int item_check(const json_t *v, cw_db_error_t *err)
{
    if (json_is_string(v)) {
        if (!id_ok(json_string_value(v)))
            return invalid_value(err, ID_RULE);
        return 0;
    }
    if (json_is_object(v)) {
        const json_t *idv = json_object_get(v, "$id");
        if (idv == NULL || json_is_null(idv))
            return 0;
        if (!json_is_string(idv))
            return invalid_value(err, "Relationship $id must be a string.");
        if (strcmp(json_string_value(idv), "unique()") != 0 && !id_ok(json_string_value(idv)))
            return invalid_value(err, ID_RULE);
        return 0;
    }
    return invalid_value(err, "Must be either a document, document ID, or an array of documents "
                              "or document IDs.");
}

/* The ID a nested document is written under: its own, or a new one. */
static void item_id(const json_t *v, char out[CW_ID_MAX_LEN + 1])
{
    const char *id = json_is_string(v) ? json_string_value(v) : jstr(v, "$id");
    if (id[0] == '\0' || strcmp(id, "unique()") == 0)
        cw_id_unique(out);
    else
        snprintf(out, CW_ID_MAX_LEN + 1, "%s", id);
}

/* A nested document: created in rc when the actor cannot see one with its ID (with the parent's
 * permissions unless it names its own), otherwise updated with what it holds. back_key, when not
 * NULL, is set to back_id first (the link from its side). */
static int nested_doc(wctx_t *w, const cw_collection_t *rc, const json_t *obj, const char *id,
                      const char *back_key, const char *back_id, const json_t *parent_perms,
                      cw_db_error_t *err)
{
    json_t *data = json_deep_copy(obj);
    json_t *perms = json_object_get(data, "$permissions");
    bool exists;
    int ret = -1;
    perms = perms != NULL && !json_is_null(perms) ? json_incref(perms) : NULL;
    json_object_del(data, "$id");
    json_object_del(data, "$permissions");
    if (back_key != NULL)
        json_object_set_new(data, back_key, json_string(back_id));
    if (readable(w, rc, id, &exists, err) != 0)
        goto out;
    if (!exists) {
        ret = cw__db_doc_write(w->db, w->fam, w->actor, rc->database_id, rc->id, id, data,
                               perms != NULL ? perms : (json_t *)parent_perms, true, err);
    } else if (json_object_size(data) > 0 || perms != NULL) {
        ret = cw__db_doc_write(w->db, w->fam, w->actor, rc->database_id, rc->id, id, data, perms,
                               false, err);
    } else {
        ret = 0;
    }
out:
    json_decref(perms);
    json_decref(data);
    return ret;
}

/* A related document linked by ID from a new document (utopia's relateDocumentsById). */
static int link_by_id(wctx_t *w, const cw_collection_t *c, const cw_rel_t *r,
                      const cw_collection_t *rc, const char *doc_id, const char *related_id,
                      cw_db_error_t *err)
{
    bool exists;
    if (readable(w, rc, related_id, &exists, err) != 0)
        return -1;
    if (!exists)
        return 0;
    switch (r->type) {
    case CW_REL_ONE_TO_ONE:
        return r->two_way ? set_column(w, rc, related_id, r->two_way_key, doc_id, true, err) : 0;
    case CW_REL_ONE_TO_MANY:
        return !r->child ? set_column(w, rc, related_id, r->two_way_key, doc_id, true, err) : 0;
    case CW_REL_MANY_TO_ONE:
        return r->child ? set_column(w, rc, related_id, r->two_way_key, doc_id, true, err) : 0;
    case CW_REL_MANY_TO_MANY:
        return junction_link(w, c, r, rc, doc_id, related_id, err);
    }
    return 0;
}

/* The back-reference a nested document gets (utopia's relateDocuments): the key on its side
 * that stores the link, or NULL when the link is stored here or in a junction. */
static const char *back_key_of(const cw_rel_t *r)
{
    if ((r->type == CW_REL_ONE_TO_ONE && r->two_way) ||
        (r->type == CW_REL_ONE_TO_MANY && !r->child) || (r->type == CW_REL_MANY_TO_ONE && r->child))
        return r->two_way_key;
    return NULL;
}

static bool in_ids(const json_t *ids, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (strcmp(json_string_value(v), id) == 0)
            return true;
    }
    return false;
}

/* A list side's value: every element linked (created or updated when a document), and on update
 * the links no longer listed removed. */
static int write_list(wctx_t *w, const cw_collection_t *c, const cw_rel_t *r,
                      const cw_collection_t *rc, const json_t *doc, const json_t *value,
                      bool creating, cw_db_error_t *err)
{
    const char *doc_id = jstr(doc, "$id");
    const json_t *perms = json_object_get(doc, "$permissions");
    json_t *old_ids = NULL, *new_ids = json_array();
    int ret = -1;
    size_t i;
    json_t *v;
    json_array_foreach(value, i, v)
    {
        if (item_check(v, err) != 0)
            goto out;
        char id[CW_ID_MAX_LEN + 1];
        item_id(v, id);
        json_array_append_new(new_ids, json_string(id));
    }
    if (!creating) {
        if (list_ids(w, c, r, rc, doc_id, &old_ids, err) != 0)
            goto out;
        json_array_foreach(old_ids, i, v)
        {
            const char *old = json_string_value(v);
            if (in_ids(new_ids, old))
                continue;
            /* Unlinking needs no permission on the related document (utopia skips it). */
            int urc = r->type == CW_REL_MANY_TO_MANY
                          ? junction_unlink(w, c, r, rc, doc_id, old, err)
                          : set_column(w, rc, old, r->two_way_key, NULL, false, err);
            if (urc != 0)
                goto out;
        }
    }
    json_array_foreach(value, i, v)
    {
        const char *id = json_string_value(json_array_get(new_ids, i));
        bool known = old_ids != NULL && in_ids(old_ids, id);
        if (json_is_string(v)) {
            if (r->type == CW_REL_MANY_TO_MANY && known)
                continue;
            if (link_by_id(w, c, r, rc, doc_id, id, err) != 0)
                goto out;
            continue;
        }
        if (nested_doc(w, rc, v, id, back_key_of(r), doc_id, perms, err) != 0)
            goto out;
        if (r->type == CW_REL_MANY_TO_MANY && !known &&
            junction_link(w, c, r, rc, doc_id, id, err) != 0)
            goto out;
    }
    ret = 0;
out:
    json_decref(old_ids);
    json_decref(new_ids);
    return ret;
}

/* A side stored in a column of doc: an ID, a nested document or null. Leaves doc[key] holding the
 * ID (or null). */
static int write_single(wctx_t *w, const cw_collection_t *c, const cw_rel_t *r,
                        const cw_collection_t *rc, json_t *doc, const json_t *old,
                        const json_t *value, bool creating, cw_db_error_t *err)
{
    const char *doc_id = jstr(doc, "$id");
    const char *old_id = old != NULL ? json_string_value(json_object_get(old, r->key)) : NULL;
    bool one_two = r->type == CW_REL_ONE_TO_ONE && r->two_way;
    char id[CW_ID_MAX_LEN + 1];
    if (json_is_null(value)) {
        if (!creating && one_two && old_id != NULL &&
            set_column(w, rc, old_id, r->two_way_key, NULL, true, err) != 0)
            return -1;
        return 0;
    }
    if (item_check(value, err) != 0)
        return -1;
    item_id(value, id);
    /* utopia leaves the document the link pointed at before with its back-reference, which the
     * unique index on that side then refuses to give to the new one: the old link is cleared
     * here first. */
    if (!creating && one_two && old_id != NULL && strcmp(old_id, id) != 0 &&
        set_column(w, rc, old_id, r->two_way_key, NULL, false, err) != 0)
        return -1;
    if (json_is_object(value)) {
        if (nested_doc(w, rc, value, id, one_two ? r->two_way_key : NULL, doc_id,
                       json_object_get(doc, "$permissions"), err) != 0)
            return -1;
    } else if (creating) {
        /* A new document keeps the ID it was given, even of a document that is not there (as
         * utopia does). */
        if (link_by_id(w, c, r, rc, doc_id, id, err) != 0)
            return -1;
    } else {
        bool exists;
        if (readable(w, rc, id, &exists, err) != 0)
            return -1;
        if (!exists && !being_written(w, rc, id)) {
            json_object_set_new(doc, r->key, json_null());
            return 0;
        }
        if (one_two && set_column(w, rc, id, r->two_way_key, doc_id, true, err) != 0)
            return -1;
    }
    json_object_set_new(doc, r->key, json_string(id));
    return 0;
}

/* Checks a value against the shape its side takes, with utopia's messages. */
static int shape_check(const cw_rel_t *r, const json_t *v, bool creating, cw_db_error_t *err)
{
    bool list = cw_rel_is_list(r);
    if (json_is_array(v)) {
        if (list)
            return 0;
        if (!creating && r->type == CW_REL_ONE_TO_ONE && !r->two_way && !r->child)
            return invalid_value(err, "Must be either a document, document ID or null. Array "
                                      "given.");
        if (r->type == CW_REL_ONE_TO_ONE && !r->two_way && r->child)
            return invalid_value(err, "Cannot set a value from the child side of a oneToOne "
                                      "relationship when twoWay is false.");
        return invalid_value(err, "Must be either a document ID or a document, array given.");
    }
    if (json_is_object(v) || json_is_string(v)) {
        if (r->type == CW_REL_ONE_TO_ONE && !r->two_way && r->child)
            return invalid_value(err, "Cannot set a value from the child side of a oneToOne "
                                      "relationship when twoWay is false.");
        if (list) {
            return invalid_value(err, json_is_object(v)
                                          ? "Must be either an array of documents or document "
                                            "IDs, document given."
                                          : "Must be either an array of documents or document "
                                            "IDs, document ID given.");
        }
        return 0;
    }
    if (json_is_null(v)) {
        if (!creating && list && r->type != CW_REL_MANY_TO_MANY)
            return invalid_value(err, "Must be either an array of documents or document IDs, NULL "
                                      "given.");
        return 0;
    }
    return invalid_value(err, "Must be either a document, document ID, or an array of documents "
                              "or document IDs.");
}

int cw__rel_write(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                  const cw_collection_t *c, json_t *doc, const json_t *old, cw_db_error_t *err)
{
    if (!has_relationships(c))
        return 0;
    cw_rel_state_t *s = cw__db_rel_state(db);
    wctx_t w = {db, fam, actor, s};
    bool creating = old == NULL;
    size_t depth = s->nwrites;
    int ret = -1;
    enter(db);
    if (depth < CW_REL_STACK_MAX) {
        snprintf(s->writes[depth], sizeof(s->writes[depth]), "%s", c->id);
        snprintf(s->write_docs[depth], sizeof(s->write_docs[depth]), "%s", jstr(doc, "$id"));
    }
    s->nwrites++;
    for (size_t i = 0; i < c->nattrs; i++) {
        cw_rel_t r;
        const cw_collection_t *rc = NULL;
        if (!cw_rel_of(&c->attrs[i], &r))
            continue;
        json_t *v = json_object_get(doc, r.key);
        if (v == NULL)
            continue;
        if (!creating && cw_rel_has_column(&r) && json_equal(v, json_object_get(old, r.key)))
            continue;
        /* Past the depth utopia writes to, only the way back is followed; other values are left
         * as they were. */
        bool too_deep = depth >= CW_REL_STACK_MAX || (depth >= CW_REL_MAX_DEPTH - 1 &&
                                                      strcmp(s->writes[depth - 1], r.related) != 0);
        if (too_deep) {
            const json_t *was = old != NULL ? json_object_get(old, r.key) : NULL;
            if (cw_rel_has_column(&r) && was != NULL)
                json_object_set(doc, r.key, (json_t *)was);
            else
                json_object_del(doc, r.key);
            continue;
        }
        json_incref(v);
        int wrc = shape_check(&r, v, creating, err);
        if (wrc == 0)
            wrc = related_of(db, fam, c, &r, &rc, err);
        if (wrc == 0) {
            if (cw_rel_is_list(&r)) {
                if (!json_is_null(v))
                    wrc = write_list(&w, c, &r, rc, doc, v, creating, err);
                json_object_del(doc, r.key);
            } else if (!cw_rel_has_column(&r)) {
                json_object_del(doc, r.key);
            } else {
                wrc = write_single(&w, c, &r, rc, doc, old, v, creating, err);
            }
        }
        json_decref(v);
        if (wrc != 0)
            goto out;
    }
    ret = 0;
out:
    s->nwrites--;
    leave(db);
    return ret;
}

/* Deletes ---------------------------------------------------------------------------------------
 */

static void frame_of(cw_rel_frame_t *f, const cw_collection_t *c, const cw_rel_t *r,
                     const char *doc_id)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->collection, sizeof(f->collection), "%s", c->id);
    snprintf(f->key, sizeof(f->key), "%s", r->key);
    snprintf(f->related, sizeof(f->related), "%s", r->related);
    snprintf(f->two_way_key, sizeof(f->two_way_key), "%s", r->two_way_key);
    snprintf(f->document, sizeof(f->document), "%s", doc_id);
    f->child = r->child;
}

/* utopia's guard against cascading back and forth: a relationship already being cascaded (the
 * same one, its other side, or one that links the same collections the other way) is not
 * followed again. */
static bool cascade_loops(const cw_rel_state_t *s, const cw_rel_frame_t *cur)
{
    for (size_t i = 0; i < s->ndeletes && i < CW_REL_STACK_MAX; i++) {
        const cw_rel_frame_t *e = &s->deletes[i];
        bool other_side = e->child != cur->child;
        bool reflexive = memcmp(e, cur, sizeof(*e)) == 0;
        bool symmetric = strcmp(e->key, cur->two_way_key) == 0 &&
                         strcmp(e->two_way_key, cur->key) == 0 &&
                         strcmp(e->related, cur->collection) == 0 &&
                         strcmp(e->collection, cur->related) == 0 && other_side;
        bool transitive =
            (strcmp(e->key, cur->two_way_key) == 0 && strcmp(e->collection, cur->related) == 0 &&
             other_side) ||
            (strcmp(e->two_way_key, cur->key) == 0 && strcmp(e->related, cur->collection) == 0 &&
             other_side) ||
            (strcmp(e->key, cur->key) == 0 && strcmp(e->two_way_key, cur->two_way_key) != 0 &&
             strcmp(e->related, cur->related) == 0 && other_side) ||
            (strcmp(e->key, cur->key) != 0 && strcmp(e->two_way_key, cur->two_way_key) == 0 &&
             strcmp(e->related, cur->related) == 0 && other_side);
        if (reflexive || symmetric || transitive)
            return true;
    }
    return false;
}

/* The documents of rc whose key holds doc_id, as IDs. */
static int pointing_at(wctx_t *w, const cw_collection_t *rc, const char *key, const char *doc_id,
                       json_t **out, cw_db_error_t *err)
{
    lq_t q;
    json_t *docs = NULL;
    lq_init(&q);
    cw_query_t *f[] = {lq_eq(&q, key, doc_id)};
    int rc2 = raw_find(w->db, rc, f, 1, NULL, 0, &docs, err);
    lq_free(&q);
    if (rc2 != 0)
        return -1;
    *out = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        json_array_append(*out, json_object_get(d, "$id"));
    }
    json_decref(docs);
    return 0;
}

/* Whether any of ids (strings) is a document of rc. */
static int any_exists(wctx_t *w, const cw_collection_t *rc, const json_t *ids, bool *yes,
                      cw_db_error_t *err)
{
    json_t *found = json_array();
    int rc2 = raw_find_in(w->db, rc, "$id", ids, NULL, NULL, 0, found, err);
    *yes = json_array_size(found) > 0;
    json_decref(found);
    return rc2;
}

static int delete_restricted(cw_db_family_t fam, cw_db_error_t *err)
{
    return fam == CW_DB_FAMILY_TABLES
               ? fail(err, CW_ERR_ROW_DELETE_RESTRICTED,
                      "Row cannot be deleted because it is referenced by another row.")
               : fail(err, CW_ERR_DOCUMENT_DELETE_RESTRICTED,
                      "Document cannot be deleted because it is referenced by another document.");
}

static int delete_related(wctx_t *w, const cw_collection_t *rc, const char *id, cw_db_error_t *err)
{
    json_t *doc;
    int g = raw_get(w->db, rc, id, &doc, err);
    if (g != 0)
        return g < 0 ? -1 : 0;
    json_decref(doc);
    return cw__db_doc_delete(w->db, w->fam, w->actor, rc->database_id, rc->id, id, err);
}

static int on_delete_one(wctx_t *w, const cw_collection_t *c, const cw_rel_t *r,
                         const cw_collection_t *rc, const json_t *doc, cw_db_error_t *err)
{
    const char *doc_id = jstr(doc, "$id");
    const char *value =
        cw_rel_has_column(r) ? json_string_value(json_object_get(doc, r->key)) : NULL;
    json_t *ids = NULL;
    int ret = -1;
    switch (r->on_delete) {
    case CW_REL_RESTRICT:
        if (!r->child && r->type != CW_REL_MANY_TO_ONE) {
            bool has = false;
            if (r->type == CW_REL_ONE_TO_ONE) {
                if (value != NULL) {
                    ids = json_array();
                    json_array_append_new(ids, json_string(value));
                }
            } else if (list_ids(w, c, r, rc, doc_id, &ids, err) != 0) {
                goto out;
            }
            if (ids != NULL && any_exists(w, rc, ids, &has, err) != 0)
                goto out;
            if (has) {
                delete_restricted(w->fam, err);
                goto out;
            }
        }
        if (r->type == CW_REL_ONE_TO_ONE && r->child && !r->two_way) {
            if (pointing_at(w, rc, r->two_way_key, doc_id, &ids, err) != 0)
                goto out;
            for (size_t i = 0; i < json_array_size(ids); i++) {
                if (set_column(w, rc, json_string_value(json_array_get(ids, i)), r->two_way_key,
                               NULL, false, err) != 0)
                    goto out;
            }
        }
        if (r->type == CW_REL_MANY_TO_ONE && r->child) {
            if (pointing_at(w, rc, r->two_way_key, doc_id, &ids, err) != 0)
                goto out;
            if (json_array_size(ids) > 0) {
                delete_restricted(w->fam, err);
                goto out;
            }
        }
        break;
    case CW_REL_SET_NULL:
        switch (r->type) {
        case CW_REL_ONE_TO_ONE:
            if (!r->two_way && !r->child)
                break;
            if (!r->two_way) {
                if (pointing_at(w, rc, r->two_way_key, doc_id, &ids, err) != 0)
                    goto out;
            } else if (value != NULL) {
                ids = json_array();
                json_array_append_new(ids, json_string(value));
            }
            for (size_t i = 0; i < json_array_size(ids); i++) {
                if (set_column(w, rc, json_string_value(json_array_get(ids, i)), r->two_way_key,
                               NULL, false, err) != 0)
                    goto out;
            }
            break;
        case CW_REL_ONE_TO_MANY:
        case CW_REL_MANY_TO_ONE:
            if ((r->type == CW_REL_ONE_TO_MANY) == r->child)
                break;
            if (pointing_at(w, rc, r->two_way_key, doc_id, &ids, err) != 0)
                goto out;
            for (size_t i = 0; i < json_array_size(ids); i++) {
                if (set_column(w, rc, json_string_value(json_array_get(ids, i)), r->two_way_key,
                               NULL, false, err) != 0)
                    goto out;
            }
            break;
        case CW_REL_MANY_TO_MANY:
            if (junction_unlink(w, c, r, rc, doc_id, NULL, err) != 0)
                goto out;
            break;
        }
        break;
    case CW_REL_CASCADE: {
        cw_rel_frame_t f;
        frame_of(&f, c, r, doc_id);
        if (cascade_loops(w->s, &f))
            break;
        switch (r->type) {
        case CW_REL_ONE_TO_ONE:
            ids = json_array();
            if (value != NULL)
                json_array_append_new(ids, json_string(value));
            break;
        case CW_REL_ONE_TO_MANY:
        case CW_REL_MANY_TO_ONE:
            if ((r->type == CW_REL_ONE_TO_MANY) == r->child)
                break;
            if (pointing_at(w, rc, r->two_way_key, doc_id, &ids, err) != 0)
                goto out;
            break;
        case CW_REL_MANY_TO_MANY:
            if (list_ids(w, c, r, rc, doc_id, &ids, err) != 0)
                goto out;
            if (junction_unlink(w, c, r, rc, doc_id, NULL, err) != 0)
                goto out;
            /* Only the parent side takes its related documents along. */
            if (r->child) {
                json_decref(ids);
                ids = NULL;
            }
            break;
        }
        if (json_array_size(ids) == 0)
            break;
        if (w->s->ndeletes >= CW_REL_STACK_MAX) {
            fail(err, CW_ERR_GENERAL_SERVER_ERROR, "Relationship cascades nest too deeply.");
            goto out;
        }
        w->s->deletes[w->s->ndeletes++] = f;
        int drc = 0;
        for (size_t i = 0; drc == 0 && i < json_array_size(ids); i++)
            drc = delete_related(w, rc, json_string_value(json_array_get(ids, i)), err);
        w->s->ndeletes--;
        if (drc != 0)
            goto out;
        break;
    }
    }
    ret = 0;
out:
    json_decref(ids);
    return ret;
}

int cw__rel_delete(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                   const cw_collection_t *c, const json_t *old, cw_db_error_t *err)
{
    if (!has_relationships(c))
        return 0;
    wctx_t w = {db, fam, actor, cw__db_rel_state(db)};
    int ret = -1;
    enter(db);
    for (size_t i = 0; i < c->nattrs; i++) {
        cw_rel_t r;
        const cw_collection_t *rc = NULL;
        cw_db_error_t ignored;
        if (!cw_rel_of(&c->attrs[i], &r))
            continue;
        if (related_of(db, fam, c, &r, &rc, &ignored) != 0)
            continue;
        if (on_delete_one(&w, c, &r, rc, old, err) != 0)
            goto out;
    }
    ret = 0;
out:
    leave(db);
    return ret;
}

/* Reads: populating related documents ---------------------------------------------------------- */

/* The selections under k: "k.x" gives "x", "k.*" and "k." give "*". NULL when none names k. */
static json_t *nested_selects(const json_t *sels, const char *k)
{
    json_t *out = NULL;
    size_t kl = strlen(k), i;
    json_t *v;
    json_array_foreach(sels, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL || strncmp(s, k, kl) != 0 || s[kl] != '.')
            continue;
        if (out == NULL)
            out = json_array();
        const char *rest = s + kl + 1;
        json_array_append_new(out, json_string(rest[0] != '\0' ? rest : "*"));
    }
    return out;
}

static bool select_internal(const char *s)
{
    static const char *const names[] = {"$id",        "$sequence",  "$collection",
                                        "$createdAt", "$updatedAt", "$permissions"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i]) == 0)
            return true;
    }
    return false;
}

/* The plain selection a related document's model is made with; refuses the names its collection
 * does not have, as the related find would. *out: a new array of borrowed strings (NULL for all),
 * *n its length. */
static int plain_of(const cw_collection_t *rc, const json_t *nested, const char ***out, size_t *n,
                    cw_db_error_t *err)
{
    *out = NULL;
    *n = 0;
    if (nested == NULL)
        return 0;
    size_t cnt = json_array_size(nested), i;
    json_t *v;
    json_array_foreach(nested, i, v)
    {
        const char *s = json_string_value(v);
        const cw_attr_t *a;
        if (strcmp(s, "*") == 0 || select_internal(s) || strchr(s, '.') != NULL)
            continue;
        a = cw_collection_attr(rc, s);
        if (a == NULL || a->type == CW_ATTR_RELATIONSHIP)
            return fail(err, CW_ERR_GENERAL_QUERY_INVALID,
                        "Invalid query: Cannot select attributes: %s", s);
    }
    const char **sel = cw_calloc(cnt + 1, sizeof(*sel));
    json_array_foreach(nested, i, v)
    {
        sel[i] = json_string_value(v);
    }
    *n = cw_rel_select_plain(rc, sel, cnt);
    *out = sel;
    return 0;
}

/* The documents of rc the actor may read among those the filter names: all of them for keys and
 * readers of the collection, the readable ones with document security, none otherwise (an
 * authorization error, as utopia's find throws). */
static int fetch_readable(wctx_t *w, const cw_collection_t *rc, const char *attr, const json_t *ids,
                          json_t *out, cw_db_error_t *err)
{
    const char **roles = NULL;
    size_t nroles = 0;
    if (!w->actor->is_key && !cw__db_perms_allow(rc->permissions, "read", w->actor)) {
        if (!rc->document_security)
            return cw__db_unauthorized(w->actor, "read", err);
        roles = cw__db_actor_roles(w->actor, &nroles);
    }
    int r = raw_find_in(w->db, rc, attr, ids, NULL, roles, nroles, out, err);
    free(roles);
    return r;
}

static int populate(wctx_t *w, const cw_collection_t *c, json_t *stored, json_t *models,
                    const json_t *sels, int depth, const char *skip_key, cw_db_error_t *err);

/* Models of the related documents read (one per document, shared by every parent that names
 * it), keyed by ID. */
static json_t *models_of(wctx_t *w, const cw_collection_t *rc, const json_t *docs, const char **sel,
                         size_t nsel, json_t *rmodels)
{
    json_t *byid = json_object();
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        json_t *m = cw__db_doc_model(w->fam, rc, d, sel, nsel);
        json_object_set(byid, jstr(d, "$id"), m);
        json_array_append_new(rmodels, m);
    }
    return byid;
}

static int populate_one(wctx_t *w, const cw_collection_t *c, const cw_rel_t *r, json_t *stored,
                        json_t *models, const json_t *sels, const json_t *nested, int depth,
                        cw_db_error_t *err)
{
    const cw_collection_t *rc = NULL;
    json_t *rstored = json_array(), *rmodels = json_array(), *byid = NULL, *ids = json_array();
    json_t *values = json_array(), *rows = NULL;
    const char **sel = NULL;
    size_t nsel = 0, n = json_array_size(models), i;
    int ret = -1;
    if (related_of(w->db, w->fam, c, r, &rc, err) != 0)
        goto out;
    if (plain_of(rc, nested, &sel, &nsel, err) != 0)
        goto out;
    if (!cw_rel_is_list(r)) {
        if (r->type == CW_REL_ONE_TO_MANY && !r->two_way) {
            for (i = 0; i < n; i++)
                json_object_del(json_array_get(models, i), r->key);
            ret = 0;
            goto out;
        }
        /* Read every ID first: in a list the models are the stored documents. */
        for (i = 0; i < n; i++) {
            const json_t *v = json_object_get(json_array_get(stored, i), r->key);
            json_array_append(values, v != NULL ? (json_t *)v : json_null());
            if (json_is_string(v))
                add_unique(ids, json_string_value(v));
        }
        if (json_array_size(ids) > 0 && fetch_readable(w, rc, "$id", ids, rstored, err) != 0)
            goto out;
        byid = models_of(w, rc, rstored, sel, nsel, rmodels);
        for (i = 0; i < n; i++) {
            const char *id = json_string_value(json_array_get(values, i));
            if (id == NULL)
                continue;
            /* utopia gives an empty document for a link to one that is gone; null says the same
             * in the models. */
            json_t *m = json_object_get(byid, id);
            json_object_set(json_array_get(models, i), r->key, m != NULL ? m : json_null());
        }
    } else {
        if ((r->type == CW_REL_MANY_TO_ONE || r->type == CW_REL_MANY_TO_MANY) && r->child &&
            !r->two_way) {
            if (r->type == CW_REL_MANY_TO_ONE) {
                for (i = 0; i < n; i++)
                    json_object_del(json_array_get(models, i), r->key);
            }
            ret = 0;
            goto out;
        }
        for (i = 0; i < n; i++)
            add_unique(ids, jstr(json_array_get(models, i), "$id"));
        json_t *lists = json_object(); /* document ID -> array of related IDs */
        if (r->type == CW_REL_MANY_TO_MANY) {
            cw_collection_t *j = junction_of(c, r, rc);
            json_t *linked = json_array();
            rows = json_array();
            int jrc = raw_find_in(w->db, j, r->two_way_key, ids, NULL, NULL, 0, rows, err);
            cw_collection_free(j);
            if (jrc == 0) {
                size_t k;
                json_t *row;
                json_array_foreach(rows, k, row)
                {
                    const char *owner = jstr(row, r->two_way_key), *rid = jstr(row, r->key);
                    json_t *l = json_object_get(lists, owner);
                    if (l == NULL) {
                        l = json_array();
                        json_object_set_new(lists, owner, l);
                    }
                    json_array_append_new(l, json_string(rid));
                    add_unique(linked, rid);
                }
                if (json_array_size(linked) > 0)
                    jrc = fetch_readable(w, rc, "$id", linked, rstored, err);
            }
            json_decref(linked);
            if (jrc != 0) {
                json_decref(lists);
                goto out;
            }
            byid = models_of(w, rc, rstored, sel, nsel, rmodels);
        } else {
            if (fetch_readable(w, rc, r->two_way_key, ids, rstored, err) != 0) {
                json_decref(lists);
                goto out;
            }
            byid = models_of(w, rc, rstored, sel, nsel, rmodels);
            size_t k;
            json_t *d;
            json_array_foreach(rstored, k, d)
            {
                const char *owner = json_string_value(json_object_get(d, r->two_way_key));
                if (owner == NULL)
                    continue;
                json_t *l = json_object_get(lists, owner);
                if (l == NULL) {
                    l = json_array();
                    json_object_set_new(lists, owner, l);
                }
                json_array_append_new(l, json_string(jstr(d, "$id")));
            }
        }
        for (i = 0; i < n; i++) {
            json_t *m = json_array_get(models, i), *list = json_array();
            const json_t *l = json_object_get(lists, jstr(m, "$id"));
            size_t k;
            json_t *rid;
            json_array_foreach(l, k, rid)
            {
                json_t *rm = json_object_get(byid, json_string_value(rid));
                if (rm != NULL)
                    json_array_append(list, rm);
            }
            json_object_set_new(m, r->key, list);
        }
        json_decref(lists);
    }
    if (json_array_size(rstored) > 0 &&
        populate(w, rc, rstored, rmodels, sels != NULL ? nested : NULL, depth + 1,
                 r->two_way ? r->two_way_key : NULL, err) != 0)
        goto out;
    if (r->two_way) {
        /* Back-references are never given, so no document nests itself. */
        for (i = 0; i < json_array_size(rmodels); i++)
            json_object_del(json_array_get(rmodels, i), r->two_way_key);
    }
    ret = 0;
out:
    free(sel);
    json_decref(rows);
    json_decref(values);
    json_decref(ids);
    json_decref(byid);
    json_decref(rstored);
    json_decref(rmodels);
    return ret;
}

/* utopia's populateDocumentsRelationships: every relationship (or, with selections, the
 * selected ones) of the documents filled with its related documents, down to CW_REL_MAX_DEPTH;
 * at the last level the relationship keys are taken out. */
static int populate(wctx_t *w, const cw_collection_t *c, json_t *stored, json_t *models,
                    const json_t *sels, int depth, const char *skip_key, cw_db_error_t *err)
{
    for (size_t i = 0; i < c->nattrs; i++) {
        cw_rel_t r;
        if (!cw_rel_of(&c->attrs[i], &r))
            continue;
        if (skip_key != NULL && strcmp(r.key, skip_key) == 0)
            continue;
        json_t *nested = NULL;
        if (sels != NULL) {
            nested = nested_selects(sels, r.key);
            if (nested == NULL)
                continue;
        }
        int rc;
        if (depth + 1 >= CW_REL_MAX_DEPTH) {
            for (size_t k = 0; k < json_array_size(models); k++)
                json_object_del(json_array_get(models, k), r.key);
            rc = 0;
        } else {
            rc = populate_one(w, c, &r, stored, models, sels, nested, depth, err);
        }
        json_decref(nested);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static bool selects_related(const cw_collection_t *c, const json_t *sels)
{
    size_t i;
    json_t *v;
    json_array_foreach(sels, i, v)
    {
        const char *s = json_string_value(v);
        if (s != NULL && dotted_head(c, s, strlen(s), NULL) != NULL)
            return true;
    }
    return false;
}

int cw__rel_populate_write(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const cw_collection_t *c, const json_t *stored, json_t *model,
                           cw_db_error_t *err)
{
    cw_rel_state_t *s = cw__db_rel_state(db);
    if (s->nwrites > 0 || !has_relationships(c))
        return 0;
    wctx_t w = {db, fam, actor, s};
    json_t *st = json_array(), *ms = json_array();
    json_array_append(st, (json_t *)stored);
    json_array_append(ms, model);
    enter(db);
    int rc = populate(&w, c, st, ms, NULL, 0, NULL, err);
    leave(db);
    json_decref(st);
    json_decref(ms);
    return rc;
}

int cw__rel_read_model(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                       const cw_collection_t *c, const json_t *stored, const char **select,
                       size_t nselect, json_t **out, cw_db_error_t *err)
{
    if (select == NULL || !has_relationships(c)) {
        *out = cw__db_doc_model(fam, c, stored, select, select != NULL ? nselect : 0);
        return 0;
    }
    json_t *sels = json_array();
    for (size_t i = 0; i < nselect; i++)
        json_array_append_new(sels, json_string(select[i]));
    const char **plain = cw_calloc(nselect + 1, sizeof(*plain));
    memcpy(plain, select, nselect * sizeof(*plain));
    size_t nplain = cw_rel_select_plain(c, plain, nselect);
    json_t *model = cw__db_doc_model(fam, c, stored, plain, nplain);
    free(plain);
    int rc = 0;
    if (selects_related(c, sels)) {
        wctx_t w = {db, fam, actor, cw__db_rel_state(db)};
        json_t *st = json_array(), *ms = json_array();
        json_array_append(st, (json_t *)stored);
        json_array_append(ms, model);
        enter(db);
        rc = populate(&w, c, st, ms, sels, 0, NULL, err);
        leave(db);
        json_decref(st);
        json_decref(ms);
    }
    json_decref(sels);
    if (rc != 0) {
        json_decref(model);
        return -1;
    }
    *out = model;
    return 0;
}

/* The values of the select queries among queries[], or NULL when there is none. */
static json_t *selects_of(const json_t *queries)
{
    json_t *out = NULL;
    size_t i;
    json_t *q;
    json_array_foreach(queries, i, q)
    {
        json_t *p = json_loadb(json_string_value(q), json_string_length(q), 0, NULL);
        if (strcmp(jstr(p, "method"), "select") == 0) {
            if (out == NULL)
                out = json_array();
            size_t k;
            json_t *v;
            json_array_foreach(json_object_get(p, "values"), k, v)
            {
                if (json_is_string(v))
                    json_array_append(out, v);
            }
        }
        json_decref(p);
    }
    return out;
}

int cw__rel_read_list(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                      const cw_collection_t *c, const json_t *queries, json_t *models,
                      cw_db_error_t *err)
{
    if (!has_relationships(c) || json_array_size(models) == 0)
        return 0;
    json_t *sels = selects_of(queries);
    int rc = 0;
    if (sels != NULL && selects_related(c, sels)) {
        wctx_t w = {db, fam, actor, cw__db_rel_state(db)};
        enter(db);
        rc = populate(&w, c, models, models, sels, 0, NULL, err);
        leave(db);
    }
    json_decref(sels);
    return rc;
}

/* Filters through relationships ---------------------------------------------------------------- */

/* The documents of rc the nested queries (filters on rc's own attributes) match, as the actor
 * reads them. *none when nothing can match (including when the actor may read nothing of rc, as
 * utopia's resolution swallows that error). */
static int related_matches(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                           const cw_collection_t *rc, json_t *queries, json_t **docs, bool *none,
                           cw_db_error_t *err)
{
    bool denied = false;
    *docs = NULL;
    if (cw__db_find(db, fam, actor, rc, queries, docs, &denied, err) != 0)
        return -1;
    if (denied || json_array_size(*docs) == 0) {
        json_decref(*docs);
        *docs = NULL;
        *none = true;
    }
    return 0;
}

/* Turns the related documents found into a condition on c: the attribute to compare and the IDs
 * it may hold (utopia's resolveRelationshipGroupToIds). */
static int resolve_ids(cw_db_t *db, const cw_collection_t *c, const cw_rel_t *r,
                       const cw_collection_t *rc, const json_t *docs, const char **attr,
                       json_t **ids, cw_db_error_t *err)
{
    json_t *out = json_array();
    size_t i;
    json_t *d;
    if (r->type == CW_REL_MANY_TO_MANY) {
        json_t *matched = json_array(), *rows = json_array();
        json_array_foreach(docs, i, d)
        {
            add_unique(matched, jstr(d, "$id"));
        }
        cw_collection_t *j = junction_of(c, r, rc);
        int jrc = raw_find_in(db, j, r->key, matched, NULL, NULL, 0, rows, err);
        cw_collection_free(j);
        json_array_foreach(rows, i, d)
        {
            add_unique(out, jstr(d, r->two_way_key));
        }
        json_decref(matched);
        json_decref(rows);
        if (jrc != 0) {
            json_decref(out);
            return -1;
        }
        *attr = "$id";
    } else if (cw_rel_is_list(r)) {
        json_array_foreach(docs, i, d)
        {
            const char *owner = json_string_value(json_object_get(d, r->two_way_key));
            if (owner != NULL)
                add_unique(out, owner);
        }
        *attr = "$id";
    } else if (cw_rel_has_column(r)) {
        json_array_foreach(docs, i, d)
        {
            add_unique(out, jstr(d, "$id"));
        }
        *attr = r->key;
    } else {
        /* The child of a one-way oneToOne stores nothing to compare: utopia's query fails there
         * and it answers no match. */
        *attr = "$id";
    }
    *ids = out;
    return 0;
}

/* One nested query as a queries[] element: the same method and values on the rest of the path. */
static json_t *nested_query(const cw_query_t *q, const char *rest, const json_t *values)
{
    json_t *o = json_object();
    json_object_set_new(o, "method", json_string(cw_query_method_name(q->method)));
    json_object_set_new(o, "attribute", json_string(rest));
    if (values != NULL)
        json_object_set(o, "values", (json_t *)values);
    char *txt = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    json_t *s = json_string(txt != NULL ? txt : "{}");
    free(txt);
    return s;
}

static bool has_dotted(const cw_collection_t *c, const cw_query_t *q)
{
    if (q->nchildren > 0) {
        for (size_t i = 0; i < q->nchildren; i++) {
            if (has_dotted(c, q->children[i]))
                return true;
        }
        return false;
    }
    return q->attribute.len > 0 && dotted_head(c, q->attribute.ptr, q->attribute.len, NULL);
}

int cw__rel_filters(cw_db_t *db, cw_db_family_t fam, const cw_db_actor_t *actor,
                    const cw_collection_t *c, cw_query_t **filters, size_t *n, cw_arena_t *arena,
                    json_t *hold, bool *none, cw_db_error_t *err)
{
    size_t count = *n;
    bool any = false;
    *none = false;
    for (size_t i = 0; i < count; i++) {
        if (!has_dotted(c, filters[i]))
            continue;
        if (filters[i]->nchildren > 0 || cw_query_method_is_logical(filters[i]->method))
            return fail(err, CW_ERR_GENERAL_QUERY_INVALID,
                        "Invalid query: queries on related documents cannot be nested in and or "
                        "or.");
        any = true;
    }
    if (!any)
        return 0;
    cw_query_t **out = cw_calloc(count + 1, sizeof(*out));
    bool *done = cw_calloc(count + 1, sizeof(*done));
    size_t no = 0;
    int ret = -1;
    enter(db);
    for (size_t i = 0; i < count && !*none; i++) {
        const cw_query_t *q = filters[i];
        const char *rest;
        const cw_attr_t *a;
        if (done[i])
            continue;
        a = q->attribute.len > 0 ? dotted_head(c, q->attribute.ptr, q->attribute.len, &rest) : NULL;
        if (a == NULL) {
            out[no++] = filters[i];
            done[i] = true;
            continue;
        }
        cw_rel_t r;
        const cw_collection_t *rc = NULL;
        cw_rel_of(a, &r);
        if (related_of(db, fam, c, &r, &rc, err) != 0)
            goto out;
        const char *attr = NULL;
        json_t *ids = NULL;
        if (q->method == CW_QUERY_CONTAINS_ALL) {
            /* Each value on its own, then the documents every value leads to. */
            done[i] = true;
            size_t restlen = q->attribute.len - (size_t)(rest - q->attribute.ptr);
            char *rs = cw_arena_strndup(arena, rest, restlen);
            for (size_t k = 0; k < cw_query_nvalues(q) && !*none; k++) {
                json_t *queries = json_array(), *vals = json_array(), *docs = NULL, *got = NULL;
                json_array_append(vals, cw_query_value(q, k));
                cw_query_t eq = {.method = CW_QUERY_EQUAL};
                json_array_append_new(queries, nested_query(&eq, rs, vals));
                json_decref(vals);
                int mrc = related_matches(db, fam, actor, rc, queries, &docs, none, err);
                json_decref(queries);
                if (mrc == 0 && !*none)
                    mrc = resolve_ids(db, c, &r, rc, docs, &attr, &got, err);
                json_decref(docs);
                if (mrc != 0) {
                    json_decref(ids);
                    goto out;
                }
                if (*none)
                    break;
                if (ids == NULL) {
                    ids = got;
                } else {
                    json_t *both = json_array();
                    size_t m;
                    json_t *v;
                    json_array_foreach(ids, m, v)
                    {
                        if (in_ids(got, json_string_value(v)))
                            json_array_append(both, v);
                    }
                    json_decref(ids);
                    json_decref(got);
                    ids = both;
                }
                if (json_array_size(ids) == 0)
                    *none = true;
            }
        } else {
            /* Every dotted filter through the same relationship, together: they must hold for
             * the same related document. */
            json_t *queries = json_array(), *docs = NULL, *equals = json_array();
            for (size_t k = i; k < count; k++) {
                const cw_query_t *o = filters[k];
                const char *orest;
                if (done[k] || o->method == CW_QUERY_CONTAINS_ALL || o->attribute.len == 0 ||
                    dotted_head(c, o->attribute.ptr, o->attribute.len, &orest) != a)
                    continue;
                done[k] = true;
                size_t rl = o->attribute.len - (size_t)(orest - o->attribute.ptr);
                char *rs = cw_arena_strndup(arena, orest, rl);
                if (o->method == CW_QUERY_EQUAL) {
                    if (in_ids(equals, rs)) {
                        json_decref(queries);
                        json_decref(equals);
                        fail(err, CW_ERR_GENERAL_QUERY_INVALID,
                             "Invalid query: Multiple equal queries on '%s.%s' will never match "
                             "a single document. Use Query::containsAll() to match across "
                             "different related documents.",
                             a->key, rs);
                        goto out;
                    }
                    json_array_append_new(equals, json_string(rs));
                }
                json_array_append_new(queries, nested_query(o, rs, o->values));
            }
            json_decref(equals);
            int mrc = related_matches(db, fam, actor, rc, queries, &docs, none, err);
            json_decref(queries);
            if (mrc == 0 && !*none)
                mrc = resolve_ids(db, c, &r, rc, docs, &attr, &ids, err);
            json_decref(docs);
            if (mrc != 0)
                goto out;
            if (!*none && json_array_size(ids) == 0)
                *none = true;
        }
        if (!*none && ids != NULL) {
            out[no++] = node(arena, hold, CW_QUERY_EQUAL, attr, ids);
            ids = NULL;
        }
        json_decref(ids);
    }
    if (!*none) {
        memcpy(filters, out, no * sizeof(*out));
        *n = no;
    }
    ret = 0;
out:
    leave(db);
    free(out);
    free(done);
    return ret;
}
