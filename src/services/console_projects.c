/*
 * Appwrite's `projects` service for console users (the spec's tag "projects"): projects of an
 * organisation, their dev keys, the project's organisation, and schedules (which need functions,
 * messaging or sites, none of which cwrite has). Projects and keys live in the console store
 * (db/console.h, db/console_meta.h), shared with `cwrite projects|keys`. Who may act: see
 * services/console_auth.h. Handlers run on the worker pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/scopes.h"
#include "core/id.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/console_meta.h"
#include "db/internal.h"
#include "http/args.h"
#include "services/api.h"
#include "services/console_auth.h"
#include "services/console_model.h"
#include "services/routes.h"

#define OFF CW_ROUTE_OFFLOAD
#define PROJECT "/v1/projects/{projectId}"

static const char id_rule[] = "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, "
                              "0-9, period, hyphen, and underscore. Can't start with a special "
                              "char";

/* The `projects` group: only the console project has it (403 general_access_forbidden). */
static int need_console(cw_ctx_t *ctx)
{
    if (cw_console_is(cw_ctx_auth(ctx)))
        return 0;
    cw_res_error(ctx->res, CW_ERR_GENERAL_ACCESS_FORBIDDEN, NULL);
    return -1;
}

static int server_error(cw_ctx_t *ctx, const char *what)
{
    cw_log(CW_LOG_ERROR, "msg=\"%s\"", what);
    cw_res_error(ctx->res, CW_ERR_GENERAL_SERVER_ERROR, NULL);
    return -1;
}

/* A UID parameter (path or body). */
static int arg_uid(cw_ctx_t *ctx, const char *name, const char **out)
{
    if (cw_arg_text(ctx, name, true, 0, out) != 0)
        return -1;
    if (!cw_id_valid(cw_str(*out), CW_ID_MAX_LEN))
        return cw_arg_invalid(ctx, name, id_rule);
    return 0;
}

/* The project of the route, for a console user allowed on it. */
static int route_project(cw_ctx_t *ctx, const cw_project_t **p)
{
    const char *id;
    if (need_console(ctx) != 0 || arg_uid(ctx, "projectId", &id) != 0)
        return -1;
    return cw_console_target_project(ctx, id, p);
}

static void reply_project(cw_ctx_t *ctx, int status, const char *project_id)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    const cw_project_t *p;
    /* Read back through a fresh cache: the change just made bumped the generation. */
    cw_console_refresh(t->console);
    if (cw_console_project_find(t->console, cw_str(project_id), &p) != CW_OK) {
        server_error(ctx, "project vanished");
        return;
    }
    cw_console_project_model(cw_res_json(ctx->res, status), t->console, p);
}

/* The descriptive fields of POST and PATCH, merged over the stored ones. */
static const char *const info_fields[] = {"description",  "logo",       "url",       "legalName",
                                          "legalCountry", "legalState", "legalCity", "legalAddress",
                                          "legalTaxId",   NULL};
static const size_t info_max[] = {256, 256, 256, 256, 256, 256, 256, 256, 256};

static int read_info(cw_ctx_t *ctx, json_t *info)
{
    for (size_t i = 0; info_fields[i] != NULL; i++) {
        const char *v = NULL;
        if (cw_arg_text(ctx, info_fields[i], false, info_max[i], &v) != 0)
            return -1;
        if (v != NULL && strcmp(info_fields[i], "url") == 0 && v[0] != '\0' &&
            strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
            return cw_arg_invalid(ctx, "url", "Value must be a valid URL");
        if (v != NULL)
            json_object_set_new(info, info_fields[i], json_string(v));
    }
    return 0;
}

/* Projects --------------------------------------------------------------------------------------
 */

static void on_create(cw_ctx_t *ctx)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_auth_t *auth = cw_ctx_auth(ctx);
    const char *id, *name, *team_id, *region = NULL;
    json_t *roles = NULL, *info = json_object(), *team = NULL;
    if (need_console(ctx) != 0 || cw_arg_text(ctx, "projectId", true, 0, &id) != 0 ||
        cw_arg_text(ctx, "name", true, 128, &name) != 0 || arg_uid(ctx, "teamId", &team_id) != 0)
        goto out;
    /* Appwrite resolves the organisation from teamId before its scope check: a member acts with
     * their role's scopes, anyone else as a plain user (who lacks projects.write). */
    const char *uid = json_string_value(json_object_get(auth->user, "$id"));
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (cw_thread_db(t, t->console_project, &db, &err) != 0 ||
        cw_db_internal_get(db, "teams", team_id, &team, &err) != 0) {
        if (err.type != CW_ERR_DOCUMENT_NOT_FOUND) {
            server_error(ctx, err.message);
            goto out;
        }
    }
    if (team != NULL && uid != NULL) {
        if (cw_console_member_roles(ctx, uid, team_id, &roles) != 0)
            goto out;
        if (json_array_size(roles) == 0) {
            cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED, NULL);
            goto out;
        }
    }
    const char *const *scopes =
        roles != NULL ? cw_console_roles_scopes(&ctx->req->arena, roles, NULL) : NULL;
    if (scopes == NULL || !cw_scope_in(scopes, "projects.write")) {
        cw_console_scope_error(ctx, "projects.write");
        goto out;
    }
    static const char *const regions[] = {"default", NULL};
    cw_str_t rg;
    if (cw_arg_enum(ctx, "region", false, regions, &rg) < 0 || read_info(ctx, info) != 0)
        goto out;
    (void)region;
    char fresh[CW_ID_LEN + 1];
    if (strcmp(id, "unique()") == 0) {
        cw_id_unique(fresh);
        id = fresh;
    } else if (strcmp(id, CW_CONSOLE_PROJECT_ID) == 0) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_RESERVED_PROJECT, "'console' is a reserved project.");
        goto out;
    } else if (!cw_id_valid(cw_str(id), CW_ID_MAX_LEN)) {
        cw_arg_invalid(ctx, "projectId",
                       "Parameter must contain at most 36 chars. Valid chars are a-z, and "
                       "hyphen. Can't start with a special char.");
        goto out;
    }
    int rc = cw_console_project_create(t->console, id, name);
    if (rc == CW_EEXIST) {
        cw_res_error(ctx->res, CW_ERR_PROJECT_ALREADY_EXISTS, NULL);
        goto out;
    }
    if (rc != CW_OK || cw_console_project_team_set(t->console, id, team_id) != CW_OK ||
        cw_console_project_update(t->console, id, NULL, info) != CW_OK) {
        server_error(ctx, "project create failed");
        goto out;
    }
    reply_project(ctx, 201, id);
out:
    json_decref(team);
    json_decref(roles);
    json_decref(info);
}

static void on_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (route_project(ctx, &p) != 0)
        return;
    cw_console_project_model(cw_res_json(ctx->res, 200), cw_ctx_thread(ctx)->console, p);
}

static void on_update(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *name;
    json_t *info = NULL;
    if (route_project(ctx, &p) != 0 || cw_arg_text(ctx, "name", true, 128, &name) != 0)
        return;
    char id[CW_CONSOLE_ID_SIZE];
    snprintf(id, sizeof(id), "%s", p->id);
    if (cw_console_project_info_get(cw_ctx_thread(ctx)->console, id, &info) != CW_OK) {
        server_error(ctx, "project info read failed");
        return;
    }
    if (read_info(ctx, info) == 0) {
        if (cw_console_project_update(cw_ctx_thread(ctx)->console, id, name, info) != CW_OK)
            server_error(ctx, "project update failed");
        else
            reply_project(ctx, 200, id);
    }
    json_decref(info);
}

static void on_update_team(cw_ctx_t *ctx)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    const cw_project_t *p;
    const char *team_id;
    json_t *team = NULL, *roles = NULL;
    char current[CW_CONSOLE_ID_SIZE], id[CW_CONSOLE_ID_SIZE];
    if (route_project(ctx, &p) != 0 || arg_uid(ctx, "teamId", &team_id) != 0)
        return;
    snprintf(id, sizeof(id), "%s", p->id);
    cw_db_t *db;
    cw_db_error_t err = {0};
    if (cw_thread_db(t, t->console_project, &db, &err) != 0 ||
        cw_db_internal_get(db, "teams", team_id, &team, &err) != 0) {
        if (err.type == CW_ERR_DOCUMENT_NOT_FOUND)
            cw_res_error(ctx->res, CW_ERR_TEAM_NOT_FOUND, NULL);
        else
            server_error(ctx, err.message);
        return;
    }
    json_decref(team);
    if (cw_console_project_team_get(t->console, id, current) != CW_OK) {
        server_error(ctx, "project team read failed");
        return;
    }
    /* A project nobody owns yet (made by `cwrite projects create` or the first `cwrite serve`)
     * goes only to an organisation the caller owns. */
    if (current[0] == '\0') {
        const char *uid = json_string_value(json_object_get(cw_ctx_auth(ctx)->user, "$id"));
        if (cw_console_member_roles(ctx, uid, team_id, &roles) != 0)
            return;
        bool owner = false;
        size_t i;
        json_t *r;
        json_array_foreach(roles, i, r) owner =
            owner || (json_is_string(r) && strcmp(json_string_value(r), "owner") == 0);
        json_decref(roles);
        if (!owner) {
            cw_res_error(ctx->res, CW_ERR_USER_UNAUTHORIZED, NULL);
            return;
        }
    }
    if (cw_console_project_team_set(t->console, id, team_id) != CW_OK) {
        server_error(ctx, "project team update failed");
        return;
    }
    reply_project(ctx, 200, id);
}

/* The projects a console user sees: those of organisations where they are an owner or a
 * developer (or hold a project role on that project), as Appwrite's project permissions give,
 * and the ones no organisation owns yet. */
typedef struct list_item {
    char id[sizeof(((cw_project_t *)0)->id)];
    char team[CW_CONSOLE_ID_SIZE];
    const char *name; /* in the request's arena */
    int64_t created_at, updated_at;
    size_t seq; /* place in the store's order (creation), the last tie-break */
} list_item_t;

/* An order query: the attribute it sorts on and its direction. */
typedef enum list_key { BY_ID, BY_NAME, BY_TEAM, BY_CREATED, BY_UPDATED } list_key_t;
typedef struct list_order {
    list_key_t key;
    bool desc;
} list_order_t;

#define LIST_MAX_ORDERS 8

typedef struct list_state {
    json_t *memberships; /* the user's confirmed memberships */
    const char *team_filter;
    const char *name_filter;
    const char *search;
    int64_t offset, limit;
    list_order_t orders[LIST_MAX_ORDERS];
    size_t norders;
    list_item_t *items; /* the matches, in the request's arena */
    size_t nitems, cap;
    cw_arena_t *arena;
    cw_console_t *console;
    bool failed;
} list_state_t;

static bool may_read(const json_t *memberships, const char *team_id, const char *project_id)
{
    size_t i, j;
    const json_t *m, *r;
    if (team_id[0] == '\0')
        return true;
    json_array_foreach(memberships, i, m)
    {
        if (!json_is_string(json_object_get(m, "teamId")) ||
            strcmp(json_string_value(json_object_get(m, "teamId")), team_id) != 0)
            continue;
        json_array_foreach(json_object_get(m, "roles"), j, r)
        {
            const char *role = json_string_value(r);
            if (role == NULL)
                continue;
            if (strcmp(role, "owner") == 0 || strcmp(role, "developer") == 0)
                return true;
            char own[96], dev[96];
            snprintf(own, sizeof(own), "project-%s-owner", project_id);
            snprintf(dev, sizeof(dev), "project-%s-developer", project_id);
            if (strcmp(role, own) == 0 || strcmp(role, dev) == 0)
                return true;
        }
    }
    return false;
}

static int list_one(const cw_project_t *p, void *arg)
{
    list_state_t *s = arg;
    char team[CW_CONSOLE_ID_SIZE];
    if (cw_console_project_team_get(s->console, p->id, team) != CW_OK) {
        s->failed = true;
        return 1;
    }
    if (!may_read(s->memberships, team, p->id))
        return 0;
    if (s->team_filter != NULL && strcmp(team, s->team_filter) != 0)
        return 0;
    if (s->name_filter != NULL && strcmp(p->name, s->name_filter) != 0)
        return 0;
    if (s->search != NULL && s->search[0] != '\0' && strstr(p->id, s->search) == NULL &&
        strcasestr(p->name, s->search) == NULL)
        return 0;
    if (s->nitems == s->cap) {
        size_t cap = s->cap != 0 ? s->cap * 2 : 32;
        list_item_t *grown = cw_arena_alloc(s->arena, cap * sizeof(*grown));
        if (s->nitems != 0)
            memcpy(grown, s->items, s->nitems * sizeof(*grown));
        s->items = grown;
        s->cap = cap;
    }
    list_item_t *it = &s->items[s->nitems++];
    snprintf(it->id, sizeof(it->id), "%s", p->id);
    snprintf(it->team, sizeof(it->team), "%s", team);
    it->name = cw_arena_strndup(s->arena, p->name, strlen(p->name));
    it->created_at = p->created_at;
    it->updated_at = p->updated_at;
    it->seq = s->nitems - 1;
    return 0;
}

static int cmp_int(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

/* The order queries in turn; ties keep the store's order (creation), as Appwrite's sequence. */
static int cmp_items(const void *pa, const void *pb, void *arg)
{
    const list_state_t *s = arg;
    const list_item_t *a = pa, *b = pb;
    for (size_t i = 0; i < s->norders; i++) {
        const list_order_t *o = &s->orders[i];
        int c = 0;
        switch (o->key) {
        case BY_ID:
            c = strcmp(a->id, b->id);
            break;
        case BY_NAME:
            c = strcmp(a->name, b->name);
            break;
        case BY_TEAM:
            c = strcmp(a->team, b->team);
            break;
        case BY_CREATED:
            c = cmp_int(a->created_at, b->created_at);
            break;
        case BY_UPDATED:
            c = cmp_int(a->updated_at, b->updated_at);
            break;
        }
        if (c != 0)
            return o->desc ? -c : c;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The attribute an order query may sort projects on: Appwrite's allowed attributes that cwrite
 * keeps, and the internal ones. */
static bool order_key(const char *attr, list_key_t *out)
{
    static const struct {
        const char *name;
        list_key_t key;
    } keys[] = {{"$id", BY_ID},
                {"name", BY_NAME},
                {"teamId", BY_TEAM},
                {"$createdAt", BY_CREATED},
                {"$updatedAt", BY_UPDATED},
                {"$sequence", BY_CREATED}};
    for (size_t i = 0; attr != NULL && i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(attr, keys[i].name) == 0) {
            *out = keys[i].key;
            return true;
        }
    }
    return false;
}

/* Reads the queries Appwrite's list takes that cwrite applies: limit, offset, equal on teamId or
 * name, and orderAsc/orderDesc (the CLI's `init project` lists by orderDesc("$id")). */
static int read_queries(cw_ctx_t *ctx, list_state_t *s)
{
    json_t *queries = cw_arg_json(ctx, "queries");
    size_t i;
    json_t *q;
    if (queries == NULL)
        return 0;
    if (!json_is_array(queries))
        return cw_arg_invalid(ctx, "queries", "Value must be a valid array");
    json_array_foreach(queries, i, q)
    {
        json_t *parsed = json_is_string(q) ? json_loads(json_string_value(q), 0, NULL) : NULL;
        const char *method = json_string_value(json_object_get(parsed, "method"));
        const char *attr = json_string_value(json_object_get(parsed, "attribute"));
        json_t *v = json_array_get(json_object_get(parsed, "values"), 0);
        bool asc = method != NULL && strcmp(method, "orderAsc") == 0;
        bool desc = method != NULL && strcmp(method, "orderDesc") == 0;
        list_key_t key;
        int rc = 0;
        if (method != NULL && strcmp(method, "limit") == 0 && json_is_integer(v) &&
            json_integer_value(v) >= 0)
            s->limit = json_integer_value(v);
        else if (method != NULL && strcmp(method, "offset") == 0 && json_is_integer(v) &&
                 json_integer_value(v) >= 0)
            s->offset = json_integer_value(v);
        else if (method != NULL && strcmp(method, "equal") == 0 && attr != NULL &&
                 json_is_string(v) && strcmp(attr, "teamId") == 0)
            s->team_filter =
                cw_arena_strndup(&ctx->req->arena, json_string_value(v), json_string_length(v));
        else if (method != NULL && strcmp(method, "equal") == 0 && attr != NULL &&
                 json_is_string(v) && strcmp(attr, "name") == 0)
            s->name_filter =
                cw_arena_strndup(&ctx->req->arena, json_string_value(v), json_string_length(v));
        else if ((asc || desc) && order_key(attr, &key) && s->norders < LIST_MAX_ORDERS)
            s->orders[s->norders++] = (list_order_t){key, desc};
        else {
            cw_res_error(ctx->res, CW_ERR_GENERAL_QUERY_INVALID,
                         "Invalid query: this query is not supported on projects");
            rc = -1;
        }
        json_decref(parsed);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static void on_list(cw_ctx_t *ctx)
{
    cw_thread_t *t = cw_ctx_thread(ctx);
    cw_auth_t *auth = cw_ctx_auth(ctx);
    list_state_t s = {.limit = 25, .console = t->console, .arena = &ctx->req->arena};
    bool count = true;
    if (need_console(ctx) != 0 || cw_arg_text(ctx, "search", false, 256, &s.search) != 0 ||
        read_queries(ctx, &s) != 0 || cw_arg_bool(ctx, "total", false, &count) < 0)
        return;
    const char *uid = json_string_value(json_object_get(auth->user, "$id"));
    cw_db_t *db;
    cw_db_error_t err = {0};
    json_t *found = NULL;
    if (uid != NULL) {
        json_t *q = json_array();
        json_array_append_new(q, cw_db_internal_query("equal", "userId", json_string(uid)));
        json_array_append_new(q, cw_db_internal_query("equal", "confirm", json_true()));
        json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(5000)));
        int rc = cw_thread_db(t, t->console_project, &db, &err) != 0
                     ? -1
                     : cw_db_internal_find(db, "memberships", q, NULL, false, &found, &err);
        json_decref(q);
        if (rc != 0) {
            json_decref(found);
            server_error(ctx, err.message);
            return;
        }
    }
    s.memberships = json_object_get(found, "documents");
    if (uid != NULL)
        cw_console_project_each(t->console, list_one, &s);
    json_decref(found);
    if (s.failed) {
        server_error(ctx, "project list failed");
        return;
    }
    if (s.norders != 0 && s.nitems > 1)
        qsort_r(s.items, s.nitems, sizeof(*s.items), cmp_items, &s);
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_key(w, "projects");
    cw_jw_arr_open(w);
    int64_t end = s.limit > INT64_MAX - s.offset ? INT64_MAX : s.offset + s.limit;
    for (int64_t n = s.offset; n < (int64_t)s.nitems && n < end; n++) {
        const cw_project_t *p;
        if (cw_console_project_find(t->console, cw_str(s.items[n].id), &p) == CW_OK)
            cw_console_project_model(w, t->console, p);
    }
    cw_jw_arr_close(w);
    cw_jw_kv_int(w, "total", count ? (int64_t)s.nitems : 0);
    cw_jw_obj_close(w);
}

/* Dev keys ----------------------------------------------------------------------------------------
 */

static void write_dev_key(cw_jw_t *w, const cw_dev_key_t *k, const char *secret)
{
    char iso[CW_TIME_ISO_LEN];
    cw_jw_obj_open(w);
    cw_jw_kv_cstr(w, "$id", k->id);
    cw_time_format(k->created_at, iso);
    cw_jw_kv_cstr(w, "$createdAt", iso);
    cw_time_format(k->updated_at, iso);
    cw_jw_kv_cstr(w, "$updatedAt", iso);
    cw_jw_kv_cstr(w, "name", k->name);
    cw_time_format(k->expire, iso);
    cw_jw_kv_cstr(w, "expire", iso);
    /* The secret is shown when the key is made; only its hash is kept. */
    cw_jw_kv_cstr(w, "secret", secret != NULL ? secret : "");
    if (k->accessed_at != 0)
        cw_time_format(k->accessed_at, iso);
    cw_jw_kv_cstr(w, "accessedAt", k->accessed_at != 0 ? iso : "");
    cw_jw_key(w, "sdks");
    cw_jw_arr_open(w);
    cw_jw_arr_close(w);
    cw_jw_obj_close(w);
}

static int arg_expire(cw_ctx_t *ctx, int64_t *out)
{
    const char *v;
    if (cw_arg_text(ctx, "expire", true, 0, &v) != 0)
        return -1;
    if (cw_time_parse(cw_str(v), out) != 0)
        return cw_arg_invalid(ctx, "expire", "Value must be valid date.");
    return 0;
}

static int dev_key_fail(cw_ctx_t *ctx, int rc)
{
    if (rc == CW_ENOTFOUND)
        cw_res_error(ctx->res, CW_ERR_KEY_NOT_FOUND, NULL);
    else
        server_error(ctx, "dev key store failed");
    return -1;
}

static void on_dev_key_create(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *name;
    int64_t expire;
    if (route_project(ctx, &p) != 0 || cw_arg_text(ctx, "name", true, 128, &name) != 0 ||
        arg_expire(ctx, &expire) != 0)
        return;
    cw_dev_key_t k;
    char secret[CW_DEV_KEY_SECRET_LEN + 1];
    int rc =
        cw_console_dev_key_create(cw_ctx_thread(ctx)->console, p->id, name, expire, &k, secret);
    if (rc != CW_OK) {
        if (rc == CW_ENOTFOUND)
            cw_res_error(ctx->res, CW_ERR_PROJECT_NOT_FOUND, NULL);
        else
            server_error(ctx, "dev key create failed");
        return;
    }
    write_dev_key(cw_res_json(ctx->res, 201), &k, secret);
    cw_dev_key_clear(&k);
}

static int list_dev_key(const cw_dev_key_t *k, void *arg)
{
    int64_t *n = ((int64_t **)arg)[1];
    write_dev_key(((cw_jw_t **)arg)[0], k, NULL);
    (*n)++;
    return 0;
}

static void on_dev_key_list(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (route_project(ctx, &p) != 0)
        return;
    json_t *queries = cw_arg_json(ctx, "queries");
    if (queries != NULL && json_array_size(queries) > 0) {
        cw_res_error(ctx->res, CW_ERR_GENERAL_QUERY_INVALID,
                     "Invalid query: this query is not supported on dev keys");
        return;
    }
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    int64_t n = 0;
    void *arg[2] = {w, &n};
    cw_jw_obj_open(w);
    cw_jw_key(w, "devKeys");
    cw_jw_arr_open(w);
    int rc = cw_console_dev_key_each(cw_ctx_thread(ctx)->console, p->id, list_dev_key, arg);
    cw_jw_arr_close(w);
    cw_jw_kv_int(w, "total", n);
    cw_jw_obj_close(w);
    if (rc != CW_OK)
        server_error(ctx, "dev key list failed");
}

static void on_dev_key_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *key_id;
    if (route_project(ctx, &p) != 0 || arg_uid(ctx, "keyId", &key_id) != 0)
        return;
    cw_dev_key_t k;
    int rc = cw_console_dev_key_get(cw_ctx_thread(ctx)->console, p->id, key_id, &k);
    if (rc != CW_OK) {
        dev_key_fail(ctx, rc);
        return;
    }
    write_dev_key(cw_res_json(ctx->res, 200), &k, NULL);
    cw_dev_key_clear(&k);
}

static void on_dev_key_update(cw_ctx_t *ctx)
{
    cw_console_t *c = cw_ctx_thread(ctx)->console;
    const cw_project_t *p;
    const char *key_id, *name;
    int64_t expire;
    if (route_project(ctx, &p) != 0 || arg_uid(ctx, "keyId", &key_id) != 0 ||
        cw_arg_text(ctx, "name", true, 128, &name) != 0 || arg_expire(ctx, &expire) != 0)
        return;
    cw_dev_key_t k;
    int rc = cw_console_dev_key_update(c, p->id, key_id, name, expire);
    if (rc == CW_OK)
        rc = cw_console_dev_key_get(c, p->id, key_id, &k);
    if (rc != CW_OK) {
        dev_key_fail(ctx, rc);
        return;
    }
    write_dev_key(cw_res_json(ctx->res, 200), &k, NULL);
    cw_dev_key_clear(&k);
}

static void on_dev_key_delete(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *key_id;
    if (route_project(ctx, &p) != 0 || arg_uid(ctx, "keyId", &key_id) != 0)
        return;
    int rc = cw_console_dev_key_delete(cw_ctx_thread(ctx)->console, p->id, key_id);
    if (rc != CW_OK) {
        dev_key_fail(ctx, rc);
        return;
    }
    cw_res_empty(ctx->res, 204);
}

/* Schedules --------------------------------------------------------------------------------------
 */

/* Schedules run functions, executions or messages; cwrite has none of them, so there is never a
 * schedule and never a resource to schedule. */
static void on_schedule_list(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    if (route_project(ctx, &p) != 0)
        return;
    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_kv_int(w, "total", 0);
    cw_jw_key(w, "schedules");
    cw_jw_arr_open(w);
    cw_jw_arr_close(w);
    cw_jw_obj_close(w);
}

static void on_schedule_get(cw_ctx_t *ctx)
{
    const cw_project_t *p;
    const char *id;
    if (route_project(ctx, &p) != 0 || arg_uid(ctx, "scheduleId", &id) != 0)
        return;
    cw_res_error(ctx->res, CW_ERR_SCHEDULE_NOT_FOUND, NULL);
}

static void on_schedule_create(cw_ctx_t *ctx)
{
    static const char *const types[] = {"function", "execution", "message", NULL};
    const cw_project_t *p;
    const char *resource_id, *schedule;
    cw_str_t type;
    if (route_project(ctx, &p) != 0 || cw_arg_enum(ctx, "resourceType", true, types, &type) < 0 ||
        arg_uid(ctx, "resourceId", &resource_id) != 0 ||
        cw_arg_text(ctx, "schedule", true, 0, &schedule) != 0)
        return;
    if (cw_str_eq_cstr(type, "message"))
        cw_res_error(ctx->res, CW_ERR_MESSAGE_NOT_FOUND, NULL);
    else if (cw_str_eq_cstr(type, "execution"))
        cw_res_error(ctx->res, CW_ERR_EXECUTION_NOT_FOUND, NULL);
    else
        cw_res_error(ctx->res, CW_ERR_FUNCTION_NOT_FOUND, NULL);
}

const cw_route_t cw_console_projects_routes[] = {
    {"GET", "/v1/projects", "projects.read", on_list, OFF},
    /* The scope is checked by the handler, against the organisation named in the body. */
    {"POST", "/v1/projects", NULL, on_create, OFF},
    {"GET", PROJECT, "projects.read", on_get, OFF},
    {"PATCH", PROJECT, "projects.write", on_update, OFF},
    {"PATCH", PROJECT "/team", "projects.write", on_update_team, OFF},
    {"GET", PROJECT "/dev-keys", "devKeys.read", on_dev_key_list, OFF},
    {"POST", PROJECT "/dev-keys", "devKeys.write", on_dev_key_create, OFF},
    {"GET", PROJECT "/dev-keys/{keyId}", "devKeys.read", on_dev_key_get, OFF},
    {"PUT", PROJECT "/dev-keys/{keyId}", "devKeys.write", on_dev_key_update, OFF},
    {"DELETE", PROJECT "/dev-keys/{keyId}", "devKeys.write", on_dev_key_delete, OFF},
    {"GET", PROJECT "/schedules", "schedules.read", on_schedule_list, OFF},
    {"POST", PROJECT "/schedules", "schedules.write", on_schedule_create, OFF},
    {"GET", PROJECT "/schedules/{scheduleId}", "schedules.read", on_schedule_get, OFF},
};
const size_t cw_console_projects_routes_count =
    sizeof(cw_console_projects_routes) / sizeof(cw_console_projects_routes[0]);
