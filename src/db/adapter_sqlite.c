/*
 * The SQLite adapter. One file per project in WAL mode with synchronous=FULL, so a committed
 * write survives a crash or a power cut. Each collection is a table:
 *
 *   _id INTEGER PRIMARY KEY AUTOINCREMENT   $sequence (never reused)
 *   _uid TEXT (unique index)                $id
 *   _createdAt, _updatedAt TEXT             normalised ISO dates, so text order is time order
 *   _permissions TEXT                       the JSON array of permission strings
 *   "<key>" ...                             one column per attribute; arrays as JSON text,
 *                                           points, lines, polygons as SpatiaLite BLOBs, a
 *                                           relationship as the related document's ID (only
 *                                           on the sides that store one)
 *
 * with a side table <table>_perms (_document, _type, _permission) indexed on (type, role,
 * document) so listings filter by permission in SQL, one contentless FTS5 table per fulltext
 * index and one R*Tree of bounding boxes per spatial index, each kept in sync by triggers.
 * Values reach SQL only as bound parameters; identifiers are attribute keys ([A-Za-z0-9._-],
 * checked above) and always quoted. Statements are prepared once per connection and cached by
 * their text.
 */
#include <errno.h>
#include <unistd.h>
#include <math.h>
#include <regex.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/adapter.h"
#include "db/spatial.h"

#define STMT_SLOTS 512
#define BUSY_TIMEOUT_MS 5000

typedef struct stmt_slot {
    char *sql;
    uint64_t hash;
    sqlite3_stmt *st;
} stmt_slot_t;

typedef struct sq {
    cw_dba_t base;
    sqlite3 *db;
    stmt_slot_t slots[STMT_SLOTS];
    size_t nslots;
    int64_t data_version;
    int depth; /* open transactions: the outermost is BEGIN, the others savepoints */
} sq_t;

/* Errors ------------------------------------------------------------------------------------ */

static int sq_fail(sq_t *s, cw_db_error_t *err, const char *what)
{
    cw_log(CW_LOG_ERROR, "db=sqlite op=%s error=\"%s\"", what, sqlite3_errmsg(s->db));
    if (err != NULL) {
        err->type = CW_ERR_GENERAL_SERVER_ERROR;
        snprintf(err->message, sizeof(err->message), "Server Error");
    }
    return CW_EIO;
}

/* Statement cache --------------------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void stmt_cache_clear(sq_t *s)
{
    for (size_t i = 0; i < STMT_SLOTS; i++) {
        if (s->slots[i].st != NULL) {
            sqlite3_finalize(s->slots[i].st);
            free(s->slots[i].sql);
        }
        s->slots[i] = (stmt_slot_t){0};
    }
    s->nslots = 0;
}

/* Returns the cached statement for this SQL text, preparing it on first use. The statement is
 * reset and unbound; give it back with stmt_done. */
static sqlite3_stmt *stmt_get(sq_t *s, const char *sql, cw_db_error_t *err)
{
    uint64_t h = hash_str(sql);
    size_t i = h % STMT_SLOTS;
    while (s->slots[i].st != NULL) {
        if (s->slots[i].hash == h && strcmp(s->slots[i].sql, sql) == 0)
            return s->slots[i].st;
        i = (i + 1) % STMT_SLOTS;
    }
    /* A full table is emptied rather than managed: statements are cheap to prepare again and
     * the working set of a project is small. */
    if (s->nslots >= STMT_SLOTS * 3 / 4) {
        stmt_cache_clear(s);
        i = h % STMT_SLOTS;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        cw_log(CW_LOG_ERROR, "db=sqlite op=prepare error=\"%s\"", sqlite3_errmsg(s->db));
        if (err != NULL) {
            err->type = CW_ERR_GENERAL_SERVER_ERROR;
            snprintf(err->message, sizeof(err->message), "Server Error");
        }
        return NULL;
    }
    s->slots[i] = (stmt_slot_t){cw_strdup(sql), h, st};
    s->nslots++;
    return st;
}

static void stmt_done(sqlite3_stmt *st)
{
    if (st != NULL) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

static int exec_sql(sq_t *s, const char *sql, cw_db_error_t *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        cw_log(CW_LOG_ERROR, "db=sqlite op=exec error=\"%s\"", msg != NULL ? msg : "?");
        sqlite3_free(msg);
        if (err != NULL) {
            err->type = CW_ERR_GENERAL_SERVER_ERROR;
            snprintf(err->message, sizeof(err->message), "Server Error");
        }
        return CW_EIO;
    }
    return CW_OK;
}

/* REGEXP for the regex query: POSIX extended syntax, the compiled pattern kept with the
 * statement while the pattern argument stays the same. */
static void regex_free(void *p)
{
    regfree(p);
    free(p);
}

static void fn_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *text = (const char *)sqlite3_value_text(argv[1]);
    if (text == NULL || sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    regex_t *re = sqlite3_get_auxdata(ctx, 0);
    if (re == NULL) {
        const char *pattern = (const char *)sqlite3_value_text(argv[0]);
        re = cw_malloc(sizeof(*re));
        if (regcomp(re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
            free(re);
            sqlite3_result_int(ctx, 0);
            return;
        }
        sqlite3_set_auxdata(ctx, 0, re, regex_free);
        re = sqlite3_get_auxdata(ctx, 0);
        if (re == NULL) {
            sqlite3_result_int(ctx, 0);
            return;
        }
    }
    sqlite3_result_int(ctx, regexec(re, text, 0, NULL, 0) == 0);
}

/* Open and close -------------------------------------------------------------------------- */

static const cw_dba_ops_t sq_ops;

int cw_dba_sqlite_open(const char *data_dir, const char *project_id, cw_dba_t **out,
                       cw_db_error_t *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/projects", data_dir);
    if ((mkdir(data_dir, 0750) != 0 && errno != EEXIST) ||
        (mkdir(path, 0750) != 0 && errno != EEXIST)) {
        cw_log(CW_LOG_ERROR, "db=sqlite msg=\"cannot create data folder\" path=%s error=\"%s\"",
               path, strerror(errno));
        err->type = CW_ERR_GENERAL_SERVER_ERROR;
        snprintf(err->message, sizeof(err->message), "Server Error");
        return CW_EIO;
    }
    snprintf(path, sizeof(path), "%s/projects/%s.db", data_dir, project_id);
    sq_t *s = cw_calloc(1, sizeof(*s));
    s->base.ops = &sq_ops;
    s->data_version = -1;
    int rc = CW_OK;
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = sq_fail(s, err, "open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    rc = exec_sql(s,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                  "PRAGMA temp_store=MEMORY;",
                  err);
    if (rc != CW_OK)
        goto fail;
    rc = exec_sql(s,
                  "CREATE TABLE IF NOT EXISTS _cw_state (name TEXT PRIMARY KEY, value INTEGER NOT "
                  "NULL); INSERT OR IGNORE INTO _cw_state VALUES ('meta_version', 0);",
                  err);
    if (rc != CW_OK)
        goto fail;
    sqlite3_create_function(s->db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_regexp,
                            NULL, NULL);
    /* The geometry functions spatial queries and spatial indexes' triggers call. */
    if (cw_spatial_sqlite_register(s->db) != SQLITE_OK) {
        rc = sq_fail(s, err, "spatial_functions");
        goto fail;
    }
    *out = &s->base;
    return CW_OK;
fail:
    if (s->db != NULL)
        sqlite3_close(s->db);
    free(s);
    return rc;
}

static void sq_close(cw_dba_t *a)
{
    sq_t *s = (sq_t *)a;
    if (s == NULL)
        return;
    if (s->depth > 0)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    stmt_cache_clear(s);
    sqlite3_close(s->db);
    free(s);
}

/* Transactions ------------------------------------------------------------------------------ */

static int step_once(sq_t *s, const char *sql, cw_db_error_t *err)
{
    sqlite3_stmt *st = stmt_get(s, sql, err);
    if (st == NULL)
        return SQLITE_ERROR;
    int rc = sqlite3_step(st);
    stmt_done(st);
    return rc;
}

static int sq_begin(cw_dba_t *a, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    char sql[32];
    if (s->depth > 0) {
        /* A write inside a group commit: its own savepoint, so it can fail alone. */
        snprintf(sql, sizeof(sql), "SAVEPOINT s%d", s->depth);
        if (step_once(s, sql, err) != SQLITE_DONE)
            return sq_fail(s, err, "savepoint");
        s->depth++;
        return CW_OK;
    }
    int rc = step_once(s, "BEGIN IMMEDIATE", err);
    if (rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_BUSY) {
            err->type = CW_ERR_DATABASE_TIMEOUT;
            snprintf(err->message, sizeof(err->message), "%s",
                     "The database was busy for too long. Try again.");
            return CW_EBUSY;
        }
        return sq_fail(s, err, "begin");
    }
    s->depth = 1;
    return CW_OK;
}

static void rollback_all(sq_t *s)
{
    /* Statements of the failed call may still be mid-step; reset them all so ROLLBACK can
     * release every lock. */
    sqlite3_stmt *st = NULL;
    while ((st = sqlite3_next_stmt(s->db, st)) != NULL)
        sqlite3_reset(st);
    if (sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
        cw_log(CW_LOG_ERROR, "db=sqlite op=rollback error=\"%s\"", sqlite3_errmsg(s->db));
    s->depth = 0;
}

static int sq_commit(cw_dba_t *a, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    char sql[32];
    if (s->depth > 1) {
        s->depth--;
        snprintf(sql, sizeof(sql), "RELEASE s%d", s->depth);
        if (step_once(s, sql, err) != SQLITE_DONE)
            return sq_fail(s, err, "release");
        return CW_OK;
    }
    if (step_once(s, "COMMIT", err) != SQLITE_DONE) {
        int r = sq_fail(s, err, "commit");
        rollback_all(s);
        return r;
    }
    s->depth = 0;
    return CW_OK;
}

static void sq_rollback(cw_dba_t *a)
{
    sq_t *s = (sq_t *)a;
    char sql[48];
    if (s->depth == 0)
        return;
    if (s->depth > 1) {
        s->depth--;
        sqlite3_stmt *st = NULL;
        while ((st = sqlite3_next_stmt(s->db, st)) != NULL)
            sqlite3_reset(st);
        snprintf(sql, sizeof(sql), "ROLLBACK TO s%d; RELEASE s%d", s->depth, s->depth);
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            cw_log(CW_LOG_ERROR, "db=sqlite op=rollback_to error=\"%s\"", sqlite3_errmsg(s->db));
        return;
    }
    rollback_all(s);
}

static bool sq_changed_elsewhere(cw_dba_t *a)
{
    sq_t *s = (sq_t *)a;
    sqlite3_stmt *st = stmt_get(s, "PRAGMA data_version", NULL);
    if (st == NULL)
        return true;
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    stmt_done(st);
    bool changed = v != s->data_version;
    s->data_version = v;
    return changed;
}

static int sq_meta_version(cw_dba_t *a, int64_t *out, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    sqlite3_stmt *st = stmt_get(s, "SELECT value FROM _cw_state WHERE name = 'meta_version'", err);
    if (st == NULL)
        return CW_EIO;
    int rc = CW_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = sq_fail(s, err, "meta_version");
    stmt_done(st);
    return rc;
}

static int sq_meta_bump(cw_dba_t *a, int64_t *out, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    sqlite3_stmt *st = stmt_get(
        s, "UPDATE _cw_state SET value = value + 1 WHERE name = 'meta_version' RETURNING value",
        err);
    if (st == NULL)
        return CW_EIO;
    int rc = CW_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = sq_fail(s, err, "meta_bump");
    stmt_done(st);
    return rc;
}

/* Names ------------------------------------------------------------------------------------- */

/* Appends a quoted identifier. Keys are [A-Za-z0-9._-$] by the time they get here; a double
 * quote is doubled anyway so no name can ever close the quotes. */
static void q_ident(cw_buf_t *b, const char *name)
{
    cw_buf_append_char(b, '"');
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '"')
            cw_buf_append_char(b, '"');
        cw_buf_append_char(b, *p);
    }
    cw_buf_append_char(b, '"');
}

static void q_ident2(cw_buf_t *b, const char *a, const char *suffix)
{
    cw_buf_append_char(b, '"');
    for (const char *p = a; *p != '\0'; p++) {
        if (*p == '"')
            cw_buf_append_char(b, '"');
        cw_buf_append_char(b, *p);
    }
    for (const char *p = suffix; *p != '\0'; p++) {
        if (*p == '"')
            cw_buf_append_char(b, '"');
        cw_buf_append_char(b, *p);
    }
    cw_buf_append_char(b, '"');
}

/* The column of a system attribute, or NULL for an attribute of the collection. */
static const char *system_column(const char *key)
{
    if (strcmp(key, "$id") == 0)
        return "_uid";
    if (strcmp(key, "$sequence") == 0)
        return "_id";
    if (strcmp(key, "$createdAt") == 0)
        return "_createdAt";
    if (strcmp(key, "$updatedAt") == 0)
        return "_updatedAt";
    if (strcmp(key, "$permissions") == 0)
        return "_permissions";
    return NULL;
}

static void q_column(cw_buf_t *b, const char *key)
{
    const char *sys = system_column(key);
    if (sys != NULL)
        cw_buf_append_str(b, sys);
    else
        q_ident(b, key);
}

static const char *column_type(const cw_attr_t *a)
{
    if (a->array)
        return "TEXT";
    switch (a->type) {
    case CW_ATTR_INTEGER:
    case CW_ATTR_BOOLEAN:
        return "INTEGER";
    case CW_ATTR_FLOAT:
        return "REAL";
    case CW_ATTR_POINT:
    case CW_ATTR_LINE:
    case CW_ATTR_POLYGON:
        return "BLOB"; /* SpatiaLite geometry */
    default:
        return "TEXT";
    }
}

/* Binding ----------------------------------------------------------------------------------- */

typedef enum { B_NULL, B_INT, B_REAL, B_TEXT, B_BLOB } bkind_t;

typedef struct bval {
    bkind_t kind;
    int64_t i;
    double d;
    const char *s;
    size_t len;
} bval_t;

typedef struct binds {
    bval_t *v;
    size_t n, cap;
    cw_arena_t arena;
} binds_t;

static int bind_push(binds_t *b, bval_t v)
{
    if (b->n == b->cap) {
        b->cap = b->cap == 0 ? 16 : b->cap * 2;
        b->v = cw_realloc(b->v, b->cap * sizeof(*b->v));
    }
    b->v[b->n++] = v;
    return (int)b->n; /* the ?N of this value */
}

static void binds_free(binds_t *b)
{
    free(b->v);
    cw_arena_destroy(&b->arena);
    *b = (binds_t){0};
}

static int binds_apply(sqlite3_stmt *st, const binds_t *b)
{
    for (size_t i = 0; i < b->n; i++) {
        const bval_t *v = &b->v[i];
        int rc;
        switch (v->kind) {
        case B_INT:
            rc = sqlite3_bind_int64(st, (int)i + 1, v->i);
            break;
        case B_REAL:
            rc = sqlite3_bind_double(st, (int)i + 1, v->d);
            break;
        case B_TEXT:
            rc = sqlite3_bind_text(st, (int)i + 1, v->s, (int)v->len, SQLITE_STATIC);
            break;
        case B_BLOB:
            rc = sqlite3_bind_blob(st, (int)i + 1, v->s, (int)v->len, SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(st, (int)i + 1);
            break;
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

/* The kind of value an attribute holds, for binding query values and stored values. */
typedef enum { VK_STRING, VK_INT, VK_FLOAT, VK_BOOL, VK_DATE, VK_SEQ } vkind_t;

static vkind_t attr_vkind(const cw_attr_t *a)
{
    switch (a->type) {
    case CW_ATTR_INTEGER:
        return VK_INT;
    case CW_ATTR_FLOAT:
        return VK_FLOAT;
    case CW_ATTR_BOOLEAN:
        return VK_BOOL;
    case CW_ATTR_DATETIME:
        return VK_DATE;
    default:
        return VK_STRING;
    }
}

/* A scalar JSON value as a bound value of kind k. Dates are normalised so they compare as
 * stored; a date that does not parse is compared as given. */
static bval_t json_bval(binds_t *b, const json_t *v, vkind_t k)
{
    bval_t r = {.kind = B_NULL};
    if (v == NULL || json_is_null(v))
        return r;
    if (json_is_boolean(v)) {
        r.kind = B_INT;
        r.i = json_is_true(v) ? 1 : 0;
    } else if (json_is_integer(v)) {
        if (k == VK_FLOAT) {
            r.kind = B_REAL;
            r.d = (double)json_integer_value(v);
        } else {
            r.kind = B_INT;
            r.i = json_integer_value(v);
        }
    } else if (json_is_real(v)) {
        r.kind = B_REAL;
        r.d = json_real_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        int64_t ms;
        if (k == VK_DATE && cw_time_parse((cw_str_t){s, len}, &ms) == 0) {
            char *out = cw_arena_alloc(&b->arena, CW_TIME_ISO_LEN);
            cw_time_format(ms, out);
            r.kind = B_TEXT;
            r.s = out;
            r.len = strlen(out);
        } else if (k == VK_SEQ) {
            char *end = NULL;
            char *tmp = cw_arena_strndup(&b->arena, s, len);
            long long n = strtoll(tmp, &end, 10);
            if (len > 0 && end != NULL && *end == '\0') {
                r.kind = B_INT;
                r.i = n;
            } else {
                r.kind = B_TEXT;
                r.s = s;
                r.len = len;
            }
        } else {
            r.kind = B_TEXT;
            r.s = s;
            r.len = len;
        }
    } else {
        /* Arrays and objects are compared as their JSON text. */
        char *txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        r.kind = B_TEXT;
        r.s =
            cw_arena_strndup(&b->arena, txt != NULL ? txt : "null", txt != NULL ? strlen(txt) : 4);
        r.len = strlen(r.s);
        free(txt);
    }
    return r;
}

static int bind_json(binds_t *b, const json_t *v, vkind_t k)
{
    return bind_push(b, json_bval(b, v, k));
}

static int bind_text(binds_t *b, const char *s, size_t len)
{
    return bind_push(b, (bval_t){.kind = B_TEXT, .s = s, .len = len});
}

static int bind_int(binds_t *b, int64_t i)
{
    return bind_push(b, (bval_t){.kind = B_INT, .i = i});
}

/* A geometry as a SpatiaLite BLOB kept in the binds' arena; NULL when it is not one. */
static bval_t geo_bval(binds_t *b, cw_geo_type_t t, const json_t *v)
{
    unsigned char *blob = NULL;
    size_t len = 0;
    if (cw_spatial_blob(t, v, &blob, &len) != 0) {
        cw_log(CW_LOG_ERROR, "db=sqlite msg=\"geometry not in its stored form\" type=%s",
               cw_spatial_type_name(t));
        return (bval_t){.kind = B_NULL};
    }
    char *copy = cw_arena_alloc(&b->arena, len);
    memcpy(copy, blob, len);
    free(blob);
    return (bval_t){.kind = B_BLOB, .s = copy, .len = len};
}

/* A stored attribute value as a bound value: arrays as JSON text, booleans as 0/1, geometries
 * as SpatiaLite BLOBs. */
static bval_t stored_bval(binds_t *b, const cw_attr_t *a, const json_t *v)
{
    if (v == NULL || json_is_null(v))
        return (bval_t){.kind = B_NULL};
    if (cw_spatial_attr_type(a) != CW_GEO_NONE)
        return geo_bval(b, cw_spatial_attr_type(a), v);
    if (a->array || json_is_array(v) || json_is_object(v)) {
        char *txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        bval_t r = {.kind = B_TEXT};
        r.s = cw_arena_strndup(&b->arena, txt != NULL ? txt : "[]", txt != NULL ? strlen(txt) : 2);
        r.len = strlen(r.s);
        free(txt);
        return r;
    }
    return json_bval(b, v, attr_vkind(a));
}

/* Reading rows ------------------------------------------------------------------------------ */

/* Every read selects _id, _uid, _createdAt, _updatedAt, _permissions, then the attributes. */
#define SYS_COLS "_id, _uid, _createdAt, _updatedAt, _permissions"
#define NSYS 5

static json_t *column_json(sqlite3_stmt *st, int col, const cw_attr_t *a)
{
    int t = sqlite3_column_type(st, col);
    if (t == SQLITE_NULL)
        return a->array ? json_array() : json_null();
    if (a->array) {
        const char *txt = (const char *)sqlite3_column_text(st, col);
        json_t *v = json_loadb(txt, (size_t)sqlite3_column_bytes(st, col), JSON_DECODE_ANY, NULL);
        if (v == NULL || !json_is_array(v)) {
            json_decref(v);
            return json_array();
        }
        return v;
    }
    switch (a->type) {
    case CW_ATTR_INTEGER:
        if (t == SQLITE_FLOAT)
            return json_integer((json_int_t)sqlite3_column_double(st, col));
        return json_integer(sqlite3_column_int64(st, col));
    case CW_ATTR_FLOAT:
        return json_real(sqlite3_column_double(st, col));
    case CW_ATTR_BOOLEAN:
        return json_boolean(sqlite3_column_int64(st, col) != 0);
    case CW_ATTR_POINT:
    case CW_ATTR_LINE:
    case CW_ATTR_POLYGON: {
        json_t *g =
            cw_spatial_json(sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col));
        return g != NULL ? g : json_null();
    }
    default:
        return json_stringn((const char *)sqlite3_column_text(st, col),
                            (size_t)sqlite3_column_bytes(st, col));
    }
}

static json_t *row_to_doc(sqlite3_stmt *st, const cw_collection_t *c, const cw_attr_t *const *cols,
                          size_t ncols)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "$id",
                        json_stringn((const char *)sqlite3_column_text(st, 1),
                                     (size_t)sqlite3_column_bytes(st, 1)));
    char seq[32];
    snprintf(seq, sizeof(seq), "%lld", (long long)sqlite3_column_int64(st, 0));
    json_object_set_new(doc, "$sequence", json_string(seq));
    const char *ca = (const char *)sqlite3_column_text(st, 2);
    const char *ua = (const char *)sqlite3_column_text(st, 3);
    json_object_set_new(doc, "$createdAt", ca != NULL ? json_string(ca) : json_null());
    json_object_set_new(doc, "$updatedAt", ua != NULL ? json_string(ua) : json_null());
    json_t *perms = NULL;
    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        perms = json_loadb((const char *)sqlite3_column_text(st, 4),
                           (size_t)sqlite3_column_bytes(st, 4), 0, NULL);
    if (perms == NULL || !json_is_array(perms)) {
        json_decref(perms);
        perms = json_array();
    }
    json_object_set_new(doc, "$permissions", perms);
    for (size_t i = 0; i < ncols; i++)
        json_object_set_new(doc, cols[i]->key, column_json(st, NSYS + (int)i, cols[i]));
    (void)c;
    return doc;
}

/* The attributes a read returns, in collection order. */
static size_t select_cols(const cw_collection_t *c, const char *const *select, size_t nselect,
                          const cw_attr_t **cols)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nattrs; i++) {
        const cw_attr_t *a = &c->attrs[i];
        if (!cw_attr_has_column(a))
            continue;
        bool want = select == NULL;
        for (size_t k = 0; !want && k < nselect; k++)
            want = strcmp(select[k], a->key) == 0 || strcmp(select[k], "*") == 0;
        if (want)
            cols[n++] = a;
    }
    return n;
}

static void append_projection(cw_buf_t *b, const cw_attr_t *const *cols, size_t ncols)
{
    cw_buf_append_str(b, SYS_COLS);
    for (size_t i = 0; i < ncols; i++) {
        cw_buf_append_str(b, ", ");
        q_ident(b, cols[i]->key);
    }
}

/* DDL --------------------------------------------------------------------------------------- */

static void index_name(cw_buf_t *b, const cw_collection_t *c, const cw_index_t *idx)
{
    cw_buf_append_char(b, '"');
    cw_buf_append_str(b, c->table);
    cw_buf_append_str(b, "_i_");
    for (const char *p = idx->key; *p != '\0'; p++) {
        if (*p == '"')
            cw_buf_append_char(b, '"');
        cw_buf_append_char(b, *p);
    }
    cw_buf_append_char(b, '"');
}

static void fts_name(cw_buf_t *b, const cw_collection_t *c, const cw_index_t *idx,
                     const char *suffix)
{
    cw_buf_append_char(b, '"');
    cw_buf_append_str(b, c->table);
    cw_buf_append_str(b, "_ft_");
    for (const char *p = idx->key; *p != '\0'; p++) {
        if (*p == '"')
            cw_buf_append_char(b, '"');
        cw_buf_append_char(b, *p);
    }
    cw_buf_append_str(b, suffix);
    cw_buf_append_char(b, '"');
}

static void fts_values(cw_buf_t *b, const cw_index_t *idx, const char *row)
{
    for (size_t i = 0; i < idx->nattrs; i++) {
        cw_buf_printf(b, ", %s.", row);
        q_column(b, idx->attrs[i]);
    }
}

/* A spatial index is an R*Tree of the bounding boxes of its one geometry attribute, keyed by
 * _id and kept by triggers; a spatial query narrows its scan with it before SpatiaLite tests the
 * geometries themselves. */
static void sp_name(cw_buf_t *b, const cw_collection_t *c, const cw_index_t *idx,
                    const char *suffix)
{
    cw_buf_append_char(b, '"');
    cw_buf_append_str(b, c->table);
    cw_buf_append_str(b, "_sp_");
    for (const char *p = idx->key; *p != '\0'; p++) {
        if (*p == '"')
            cw_buf_append_char(b, '"');
        cw_buf_append_char(b, *p);
    }
    cw_buf_append_str(b, suffix);
    cw_buf_append_char(b, '"');
}

/* INSERT INTO <rtree> SELECT <row>._id and the box of <row>.<attribute>, when it has one; row is
 * "new" in a trigger, or NULL to read the whole table. */
static void sp_fill(cw_buf_t *b, const cw_collection_t *c, const cw_index_t *idx, const char *row)
{
    static const int order[] = {0, 2, 1, 3}; /* R*Tree columns: min x, max x, min y, max y */
    const char *pre = row != NULL ? row : "";
    const char *dot = row != NULL ? "." : "";
    cw_buf_append_str(b, "INSERT INTO ");
    sp_name(b, c, idx, "");
    cw_buf_printf(b, " SELECT %s%s_id", pre, dot);
    for (size_t i = 0; i < 4; i++) {
        cw_buf_printf(b, ", cw_geo_mbr(%s%s", pre, dot);
        q_ident(b, idx->attrs[0]);
        cw_buf_printf(b, ", %d)", order[i]);
    }
    if (row == NULL) {
        cw_buf_append_str(b, " FROM ");
        q_ident(b, c->table);
    }
    cw_buf_printf(b, " WHERE cw_geo_mbr(%s%s", pre, dot);
    q_ident(b, idx->attrs[0]);
    cw_buf_append_str(b, ", 0) IS NOT NULL;");
}

static int create_spatial_sql(sq_t *s, const cw_collection_t *c, const cw_index_t *idx,
                              bool if_not_exists, cw_db_error_t *err)
{
    const char *ine = if_not_exists ? "IF NOT EXISTS " : "";
    cw_buf_t b = CW_BUF_INIT;
    if (idx->nattrs != 1)
        return sq_fail(s, err, "spatial_index_attributes");
    cw_buf_printf(&b, "CREATE VIRTUAL TABLE %s", ine);
    sp_name(&b, c, idx, "");
    cw_buf_append_str(&b, " USING rtree(id, minx, maxx, miny, maxy);");
    cw_buf_printf(&b, "CREATE TRIGGER %s", ine);
    sp_name(&b, c, idx, "_ai");
    cw_buf_append_str(&b, " AFTER INSERT ON ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " BEGIN ");
    sp_fill(&b, c, idx, "new");
    cw_buf_append_str(&b, " END;");
    cw_buf_printf(&b, "CREATE TRIGGER %s", ine);
    sp_name(&b, c, idx, "_ad");
    cw_buf_append_str(&b, " AFTER DELETE ON ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " BEGIN DELETE FROM ");
    sp_name(&b, c, idx, "");
    cw_buf_append_str(&b, " WHERE id = old._id; END;");
    cw_buf_printf(&b, "CREATE TRIGGER %s", ine);
    sp_name(&b, c, idx, "_au");
    cw_buf_append_str(&b, " AFTER UPDATE OF ");
    q_ident(&b, idx->attrs[0]);
    cw_buf_append_str(&b, " ON ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " BEGIN DELETE FROM ");
    sp_name(&b, c, idx, "");
    cw_buf_append_str(&b, " WHERE id = old._id; ");
    sp_fill(&b, c, idx, "new");
    cw_buf_append_str(&b, " END;");
    if (!if_not_exists)
        sp_fill(&b, c, idx, NULL); /* the rows already there */
    int rc = exec_sql(s, b.ptr, err);
    cw_buf_free(&b);
    return rc;
}

static int create_index_sql(sq_t *s, const cw_collection_t *c, const cw_index_t *idx,
                            bool if_not_exists, cw_db_error_t *err)
{
    cw_buf_t b = CW_BUF_INIT;
    int rc = CW_OK;
    if (idx->type == CW_INDEX_SPATIAL) {
        rc = create_spatial_sql(s, c, idx, if_not_exists, err);
        goto out;
    }
    if (idx->type == CW_INDEX_FULLTEXT) {
        /* A contentless FTS5 table with columns c0..cN, one per indexed attribute, filled and
         * kept current by triggers; queries name the column as c<i>. */
        cw_buf_append_str(&b, "CREATE VIRTUAL TABLE ");
        if (if_not_exists)
            cw_buf_append_str(&b, "IF NOT EXISTS ");
        fts_name(&b, c, idx, "");
        cw_buf_append_str(&b, " USING fts5(");
        for (size_t i = 0; i < idx->nattrs; i++)
            cw_buf_printf(&b, "%sc%zu", i ? ", " : "", i);
        cw_buf_append_str(&b, ", content='');");
        const char *ine = if_not_exists ? "IF NOT EXISTS " : "";
        /* insert */
        cw_buf_printf(&b, "CREATE TRIGGER %s", ine);
        fts_name(&b, c, idx, "_ai");
        cw_buf_append_str(&b, " AFTER INSERT ON ");
        q_ident(&b, c->table);
        cw_buf_append_str(&b, " BEGIN INSERT INTO ");
        fts_name(&b, c, idx, "");
        cw_buf_append_str(&b, "(rowid");
        for (size_t i = 0; i < idx->nattrs; i++)
            cw_buf_printf(&b, ", c%zu", i);
        cw_buf_append_str(&b, ") VALUES (new._id");
        fts_values(&b, idx, "new");
        cw_buf_append_str(&b, "); END;");
        /* delete */
        cw_buf_printf(&b, "CREATE TRIGGER %s", ine);
        fts_name(&b, c, idx, "_ad");
        cw_buf_append_str(&b, " AFTER DELETE ON ");
        q_ident(&b, c->table);
        cw_buf_append_str(&b, " BEGIN INSERT INTO ");
        fts_name(&b, c, idx, "");
        cw_buf_append_char(&b, '(');
        fts_name(&b, c, idx, "");
        cw_buf_append_str(&b, ", rowid");
        for (size_t i = 0; i < idx->nattrs; i++)
            cw_buf_printf(&b, ", c%zu", i);
        cw_buf_append_str(&b, ") VALUES ('delete', old._id");
        fts_values(&b, idx, "old");
        cw_buf_append_str(&b, "); END;");
        /* update */
        cw_buf_printf(&b, "CREATE TRIGGER %s", ine);
        fts_name(&b, c, idx, "_au");
        cw_buf_append_str(&b, " AFTER UPDATE ON ");
        q_ident(&b, c->table);
        cw_buf_append_str(&b, " BEGIN INSERT INTO ");
        fts_name(&b, c, idx, "");
        cw_buf_append_char(&b, '(');
        fts_name(&b, c, idx, "");
        cw_buf_append_str(&b, ", rowid");
        for (size_t i = 0; i < idx->nattrs; i++)
            cw_buf_printf(&b, ", c%zu", i);
        cw_buf_append_str(&b, ") VALUES ('delete', old._id");
        fts_values(&b, idx, "old");
        cw_buf_append_str(&b, "); INSERT INTO ");
        fts_name(&b, c, idx, "");
        cw_buf_append_str(&b, "(rowid");
        for (size_t i = 0; i < idx->nattrs; i++)
            cw_buf_printf(&b, ", c%zu", i);
        cw_buf_append_str(&b, ") VALUES (new._id");
        fts_values(&b, idx, "new");
        cw_buf_append_str(&b, "); END;");
        if (!if_not_exists) {
            /* Rows already there go in once. */
            cw_buf_append_str(&b, "INSERT INTO ");
            fts_name(&b, c, idx, "");
            cw_buf_append_str(&b, "(rowid");
            for (size_t i = 0; i < idx->nattrs; i++)
                cw_buf_printf(&b, ", c%zu", i);
            cw_buf_append_str(&b, ") SELECT _id");
            for (size_t i = 0; i < idx->nattrs; i++) {
                cw_buf_append_str(&b, ", ");
                q_column(&b, idx->attrs[i]);
            }
            cw_buf_append_str(&b, " FROM ");
            q_ident(&b, c->table);
            cw_buf_append_char(&b, ';');
        }
        rc = exec_sql(s, b.ptr, err);
        goto out;
    }
    cw_buf_append_str(&b, idx->type == CW_INDEX_UNIQUE ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (if_not_exists)
        cw_buf_append_str(&b, "IF NOT EXISTS ");
    index_name(&b, c, idx);
    cw_buf_append_str(&b, " ON ");
    q_ident(&b, c->table);
    cw_buf_append_char(&b, '(');
    for (size_t i = 0; i < idx->nattrs; i++) {
        if (i > 0)
            cw_buf_append_str(&b, ", ");
        q_column(&b, idx->attrs[i]);
        if (idx->orders != NULL && idx->orders[i] != NULL && strcmp(idx->orders[i], "DESC") == 0)
            cw_buf_append_str(&b, " DESC");
    }
    cw_buf_append_char(&b, ')');
    {
        char *msg = NULL;
        int src = sqlite3_exec(s->db, b.ptr, NULL, NULL, &msg);
        if (src != SQLITE_OK) {
            int ext = sqlite3_extended_errcode(s->db);
            if (ext == SQLITE_CONSTRAINT_UNIQUE || (src & 0xff) == SQLITE_CONSTRAINT) {
                sqlite3_free(msg);
                if (err != NULL) {
                    err->type = CW_ERR_GENERAL_SERVER_ERROR;
                    snprintf(err->message, sizeof(err->message), "Existing values are not unique.");
                }
                rc = CW_DBA_EUNIQUE;
                goto out;
            }
            cw_log(CW_LOG_ERROR, "db=sqlite op=index_create error=\"%s\"", msg != NULL ? msg : "?");
            sqlite3_free(msg);
            if (err != NULL) {
                err->type = CW_ERR_GENERAL_SERVER_ERROR;
                snprintf(err->message, sizeof(err->message), "Server Error");
            }
            rc = CW_EIO;
        }
    }
out:
    cw_buf_free(&b);
    return rc;
}

static int sq_collection_create(cw_dba_t *a, const cw_collection_t *c, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    cw_buf_append_str(&b, "CREATE TABLE IF NOT EXISTS ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b,
                      " (_id INTEGER PRIMARY KEY AUTOINCREMENT, _uid TEXT NOT NULL,"
                      " _createdAt TEXT, _updatedAt TEXT, _permissions TEXT NOT NULL DEFAULT '[]'");
    for (size_t i = 0; i < c->nattrs; i++) {
        if (!cw_attr_has_column(&c->attrs[i]))
            continue;
        cw_buf_append_str(&b, ", ");
        q_ident(&b, c->attrs[i].key);
        cw_buf_printf(&b, " %s", column_type(&c->attrs[i]));
    }
    cw_buf_append_str(&b, ");CREATE UNIQUE INDEX IF NOT EXISTS ");
    q_ident2(&b, c->table, "__uid");
    cw_buf_append_str(&b, " ON ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, "(_uid);CREATE INDEX IF NOT EXISTS ");
    q_ident2(&b, c->table, "__createdAt");
    cw_buf_append_str(&b, " ON ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, "(_createdAt);CREATE INDEX IF NOT EXISTS ");
    q_ident2(&b, c->table, "__updatedAt");
    cw_buf_append_str(&b, " ON ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, "(_updatedAt);CREATE TABLE IF NOT EXISTS ");
    q_ident2(&b, c->table, "_perms");
    cw_buf_append_str(&b, " (_document INTEGER NOT NULL REFERENCES ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, "(_id) ON DELETE CASCADE, _type TEXT NOT NULL, _permission TEXT NOT NULL,"
                          " PRIMARY KEY (_document, _type, _permission)) WITHOUT ROWID;"
                          "CREATE INDEX IF NOT EXISTS ");
    q_ident2(&b, c->table, "_perms_lookup");
    cw_buf_append_str(&b, " ON ");
    q_ident2(&b, c->table, "_perms");
    cw_buf_append_str(&b, "(_type, _permission, _document);");
    int rc = exec_sql(s, b.ptr, err);
    cw_buf_free(&b);
    for (size_t i = 0; rc == CW_OK && i < c->nindexes; i++)
        rc = create_index_sql(s, c, &c->indexes[i], true, err);
    return rc;
}

static int sq_collection_drop(cw_dba_t *a, const cw_collection_t *c, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    for (size_t i = 0; i < c->nindexes; i++) {
        if (c->indexes[i].type == CW_INDEX_SPATIAL) {
            cw_buf_append_str(&b, "DROP TABLE IF EXISTS ");
            sp_name(&b, c, &c->indexes[i], "");
            cw_buf_append_char(&b, ';');
        }
        if (c->indexes[i].type != CW_INDEX_FULLTEXT)
            continue;
        cw_buf_append_str(&b, "DROP TABLE IF EXISTS ");
        fts_name(&b, c, &c->indexes[i], "");
        cw_buf_append_char(&b, ';');
    }
    cw_buf_append_str(&b, "DROP TABLE IF EXISTS ");
    q_ident2(&b, c->table, "_perms");
    cw_buf_append_str(&b, ";DROP TABLE IF EXISTS ");
    q_ident(&b, c->table);
    cw_buf_append_char(&b, ';');
    /* Cached statements may name the table; they would only fail later. */
    stmt_cache_clear(s);
    int rc = exec_sql(s, b.ptr, err);
    cw_buf_free(&b);
    return rc;
}

static int sq_attribute_add(cw_dba_t *a, const cw_collection_t *c, const cw_attr_t *attr,
                            cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    /* Relationship sides that store nothing have no column (a manyToMany's links live in its
     * junction table, which the database layer creates as a collection of its own). */
    if (!cw_attr_has_column(attr))
        return CW_OK;
    cw_buf_t b = CW_BUF_INIT;
    binds_t bd = {0};
    int rc;
    cw_buf_append_str(&b, "ALTER TABLE ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " ADD COLUMN ");
    q_ident(&b, attr->key);
    cw_buf_printf(&b, " %s", column_type(attr));
    rc = exec_sql(s, b.ptr, err);
    if (rc != CW_OK || attr->default_value == NULL || json_is_null(attr->default_value))
        goto out;
    /* The default reaches existing rows through a bound UPDATE rather than a DEFAULT clause,
     * which would need the value spelled out in SQL. */
    cw_buf_reset(&b);
    cw_buf_append_str(&b, "UPDATE ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " SET ");
    q_ident(&b, attr->key);
    cw_buf_append_str(&b, " = ?1");
    bind_push(&bd, stored_bval(&bd, attr, attr->default_value));
    {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, b.ptr, -1, &st, NULL) != SQLITE_OK) {
            rc = sq_fail(s, err, "attribute_default");
            goto out;
        }
        binds_apply(st, &bd);
        int src = sqlite3_step(st);
        sqlite3_finalize(st);
        if (src != SQLITE_DONE)
            rc = sq_fail(s, err, "attribute_default");
    }
out:
    binds_free(&bd);
    cw_buf_free(&b);
    return rc;
}

static int sq_attribute_drop(cw_dba_t *a, const cw_collection_t *c, const char *key,
                             cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    cw_buf_append_str(&b, "ALTER TABLE ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " DROP COLUMN ");
    q_ident(&b, key);
    stmt_cache_clear(s);
    int rc = exec_sql(s, b.ptr, err);
    cw_buf_free(&b);
    return rc;
}

static int sq_attribute_rename(cw_dba_t *a, const cw_collection_t *c, const char *key,
                               const char *new_key, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    cw_buf_append_str(&b, "ALTER TABLE ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " RENAME COLUMN ");
    q_ident(&b, key);
    cw_buf_append_str(&b, " TO ");
    q_ident(&b, new_key);
    stmt_cache_clear(s);
    int rc = exec_sql(s, b.ptr, err);
    cw_buf_free(&b);
    return rc;
}

static int sq_attribute_check(cw_dba_t *a, const cw_collection_t *c, const cw_attr_t *attr,
                              cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    if (attr->type != CW_ATTR_STRING || attr->array)
        return CW_OK;
    cw_buf_t b = CW_BUF_INIT;
    cw_buf_append_str(&b, "SELECT 1 FROM ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, attr->size_bytes ? " WHERE length(CAST(" : " WHERE length(");
    q_ident(&b, attr->key);
    cw_buf_append_str(&b, attr->size_bytes ? " AS BLOB)) > ?1 LIMIT 1" : ") > ?1 LIMIT 1");
    sqlite3_stmt *st = NULL;
    int rc = CW_OK;
    if (sqlite3_prepare_v2(s->db, b.ptr, -1, &st, NULL) != SQLITE_OK) {
        rc = sq_fail(s, err, "attribute_check");
        goto out;
    }
    sqlite3_bind_int64(st, 1, attr->size);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        rc = CW_DBA_ETOOBIG;
    else if (src != SQLITE_DONE)
        rc = sq_fail(s, err, "attribute_check");
out:
    sqlite3_finalize(st);
    cw_buf_free(&b);
    return rc;
}

static int sq_index_create(cw_dba_t *a, const cw_collection_t *c, const cw_index_t *idx,
                           cw_db_error_t *err)
{
    return create_index_sql((sq_t *)a, c, idx, false, err);
}

static int sq_index_drop(cw_dba_t *a, const cw_collection_t *c, const cw_index_t *idx,
                         cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    if (idx->type == CW_INDEX_FULLTEXT) {
        static const char *const trig[] = {"_ai", "_ad", "_au"};
        for (size_t i = 0; i < 3; i++) {
            cw_buf_append_str(&b, "DROP TRIGGER IF EXISTS ");
            fts_name(&b, c, idx, trig[i]);
            cw_buf_append_char(&b, ';');
        }
        cw_buf_append_str(&b, "DROP TABLE IF EXISTS ");
        fts_name(&b, c, idx, "");
    } else if (idx->type == CW_INDEX_SPATIAL) {
        static const char *const trig[] = {"_ai", "_ad", "_au"};
        for (size_t i = 0; i < 3; i++) {
            cw_buf_append_str(&b, "DROP TRIGGER IF EXISTS ");
            sp_name(&b, c, idx, trig[i]);
            cw_buf_append_char(&b, ';');
        }
        cw_buf_append_str(&b, "DROP TABLE IF EXISTS ");
        sp_name(&b, c, idx, "");
    } else {
        cw_buf_append_str(&b, "DROP INDEX IF EXISTS ");
        index_name(&b, c, idx);
    }
    stmt_cache_clear(s);
    int rc = exec_sql(s, b.ptr, err);
    cw_buf_free(&b);
    return rc;
}

/* Documents --------------------------------------------------------------------------------- */

/* Splits `type("role")` into its parts; false when the string is not of that shape. */
static bool perm_split(const char *p, size_t len, cw_str_t *type, cw_str_t *role)
{
    const char *open = memchr(p, '(', len);
    if (open == NULL || len < (size_t)(open - p) + 4 || open[1] != '"' || p[len - 1] != ')' ||
        p[len - 2] != '"')
        return false;
    *type = (cw_str_t){p, (size_t)(open - p)};
    *role = (cw_str_t){open + 2, len - (size_t)(open - p) - 4};
    return true;
}

static int write_perms(sq_t *s, const cw_collection_t *c, int64_t seq, const json_t *perms,
                       bool replace, cw_db_error_t *err)
{
    cw_buf_t b = CW_BUF_INIT;
    int rc = CW_OK;
    sqlite3_stmt *st;
    if (replace) {
        cw_buf_append_str(&b, "DELETE FROM ");
        q_ident2(&b, c->table, "_perms");
        cw_buf_append_str(&b, " WHERE _document = ?1");
        st = stmt_get(s, b.ptr, err);
        if (st == NULL) {
            rc = CW_EIO;
            goto out;
        }
        sqlite3_bind_int64(st, 1, seq);
        int src = sqlite3_step(st);
        stmt_done(st);
        if (src != SQLITE_DONE) {
            rc = sq_fail(s, err, "perms_delete");
            goto out;
        }
        cw_buf_reset(&b);
    }
    if (json_array_size(perms) == 0)
        goto out;
    cw_buf_append_str(&b, "INSERT OR IGNORE INTO ");
    q_ident2(&b, c->table, "_perms");
    cw_buf_append_str(&b, " (_document, _type, _permission) VALUES (?1, ?2, ?3)");
    st = stmt_get(s, b.ptr, err);
    if (st == NULL) {
        rc = CW_EIO;
        goto out;
    }
    size_t i;
    json_t *p;
    json_array_foreach(perms, i, p)
    {
        cw_str_t type, role;
        if (!json_is_string(p) ||
            !perm_split(json_string_value(p), json_string_length(p), &type, &role))
            continue;
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_text(st, 2, type.ptr, (int)type.len, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, role.ptr, (int)role.len, SQLITE_STATIC);
        int src = sqlite3_step(st);
        sqlite3_reset(st);
        if (src != SQLITE_DONE) {
            stmt_done(st);
            rc = sq_fail(s, err, "perms_insert");
            goto out;
        }
    }
    stmt_done(st);
out:
    cw_buf_free(&b);
    return rc;
}

static int constraint_code(sq_t *s, int src)
{
    if ((src & 0xff) != SQLITE_CONSTRAINT)
        return 0;
    const char *msg = sqlite3_errmsg(s->db);
    /* "UNIQUE constraint failed: <table>._uid" is the $id; any other is an index of ours. */
    const char *uid = strstr(msg, "._uid");
    if (uid != NULL && (uid[5] == '\0' || uid[5] == ','))
        return CW_EEXIST;
    return CW_DBA_EUNIQUE;
}

static void bind_doc_values(binds_t *bd, const cw_collection_t *c, const json_t *doc)
{
    const json_t *perms = json_object_get(doc, "$permissions");
    char *ptxt = json_dumps(perms != NULL ? perms : json_array(), JSON_COMPACT);
    bind_text(bd, json_string_value(json_object_get(doc, "$id")),
              json_string_length(json_object_get(doc, "$id")));
    const json_t *ca = json_object_get(doc, "$createdAt");
    const json_t *ua = json_object_get(doc, "$updatedAt");
    bind_push(bd, json_bval(bd, ca, VK_DATE));
    bind_push(bd, json_bval(bd, ua, VK_DATE));
    char *pcopy =
        cw_arena_strndup(&bd->arena, ptxt != NULL ? ptxt : "[]", ptxt != NULL ? strlen(ptxt) : 2);
    free(ptxt);
    bind_text(bd, pcopy, strlen(pcopy));
    for (size_t i = 0; i < c->nattrs; i++) {
        if (!cw_attr_has_column(&c->attrs[i]))
            continue;
        bind_push(bd, stored_bval(bd, &c->attrs[i], json_object_get(doc, c->attrs[i].key)));
    }
}

static int sq_doc_insert(cw_dba_t *a, const cw_collection_t *c, const json_t *doc, int64_t *seq,
                         cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    binds_t bd = {0};
    int rc = CW_OK;
    cw_buf_append_str(&b, "INSERT INTO ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " (_uid, _createdAt, _updatedAt, _permissions");
    size_t n = 4;
    for (size_t i = 0; i < c->nattrs; i++) {
        if (!cw_attr_has_column(&c->attrs[i]))
            continue;
        cw_buf_append_str(&b, ", ");
        q_ident(&b, c->attrs[i].key);
        n++;
    }
    cw_buf_append_str(&b, ") VALUES (");
    for (size_t i = 0; i < n; i++)
        cw_buf_printf(&b, "%s?%zu", i ? ", " : "", i + 1);
    cw_buf_append_char(&b, ')');
    sqlite3_stmt *st = stmt_get(s, b.ptr, err);
    if (st == NULL) {
        rc = CW_EIO;
        goto out;
    }
    bind_doc_values(&bd, c, doc);
    binds_apply(st, &bd);
    int src = sqlite3_step(st);
    if (src != SQLITE_DONE) {
        rc = constraint_code(s, src);
        if (rc == 0)
            rc = sq_fail(s, err, "doc_insert");
        stmt_done(st);
        goto out;
    }
    stmt_done(st);
    *seq = sqlite3_last_insert_rowid(s->db);
    rc = write_perms(s, c, *seq, json_object_get(doc, "$permissions"), false, err);
out:
    binds_free(&bd);
    cw_buf_free(&b);
    return rc;
}

static int sq_doc_get(cw_dba_t *a, const cw_collection_t *c, const char *id, json_t **out,
                      cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    const cw_attr_t *cols_fixed[64];
    const cw_attr_t **cols = c->nattrs <= 64 ? cols_fixed : cw_malloc(c->nattrs * sizeof(*cols));
    size_t ncols = select_cols(c, NULL, 0, cols);
    cw_buf_t b = CW_BUF_INIT;
    int rc = CW_OK;
    cw_buf_append_str(&b, "SELECT ");
    append_projection(&b, cols, ncols);
    cw_buf_append_str(&b, " FROM ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " WHERE _uid = ?1");
    sqlite3_stmt *st = stmt_get(s, b.ptr, err);
    if (st == NULL) {
        rc = CW_EIO;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *out = row_to_doc(st, c, cols, ncols);
    else if (src == SQLITE_DONE)
        rc = CW_ENOTFOUND;
    else
        rc = sq_fail(s, err, "doc_get");
    stmt_done(st);
out:
    if (cols != cols_fixed)
        free(cols);
    cw_buf_free(&b);
    return rc;
}

static int sq_doc_update(cw_dba_t *a, const cw_collection_t *c, int64_t seq, const json_t *doc,
                         bool perms_changed, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    binds_t bd = {0};
    int rc = CW_OK;
    cw_buf_append_str(&b, "UPDATE ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " SET _uid = ?1, _createdAt = ?2, _updatedAt = ?3, _permissions = ?4");
    size_t n = 4;
    for (size_t i = 0; i < c->nattrs; i++) {
        if (!cw_attr_has_column(&c->attrs[i]))
            continue;
        cw_buf_append_str(&b, ", ");
        q_ident(&b, c->attrs[i].key);
        cw_buf_printf(&b, " = ?%zu", ++n);
    }
    cw_buf_printf(&b, " WHERE _id = ?%zu", n + 1);
    sqlite3_stmt *st = stmt_get(s, b.ptr, err);
    if (st == NULL) {
        rc = CW_EIO;
        goto out;
    }
    bind_doc_values(&bd, c, doc);
    bind_int(&bd, seq);
    binds_apply(st, &bd);
    int src = sqlite3_step(st);
    if (src != SQLITE_DONE) {
        rc = constraint_code(s, src);
        if (rc == 0)
            rc = sq_fail(s, err, "doc_update");
        stmt_done(st);
        goto out;
    }
    stmt_done(st);
    if (perms_changed)
        rc = write_perms(s, c, seq, json_object_get(doc, "$permissions"), true, err);
out:
    binds_free(&bd);
    cw_buf_free(&b);
    return rc;
}

static int sq_doc_delete(cw_dba_t *a, const cw_collection_t *c, int64_t seq, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    cw_buf_append_str(&b, "DELETE FROM ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " WHERE _id = ?1");
    int rc = CW_OK;
    sqlite3_stmt *st = stmt_get(s, b.ptr, err);
    if (st == NULL) {
        rc = CW_EIO;
        goto out;
    }
    sqlite3_bind_int64(st, 1, seq);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sq_fail(s, err, "doc_delete");
    stmt_done(st);
out:
    cw_buf_free(&b);
    return rc;
}

/* Queries to SQL ------------------------------------------------------------------------------ */

typedef struct qctx {
    sq_t *s;
    const cw_collection_t *c;
    cw_buf_t *sql;
    binds_t *bd;
    cw_db_error_t *err;
} qctx_t;

/* What a query attribute names: a column and the kind of its values. */
typedef struct qattr {
    const char *key;
    const cw_attr_t *attr; /* NULL for system attributes */
    vkind_t kind;
    bool array;
} qattr_t;

static int qattr_find(const qctx_t *q, cw_str_t name, qattr_t *out)
{
    char key[256];
    if (name.len == 0 || name.len >= sizeof(key))
        goto bad;
    memcpy(key, name.ptr, name.len);
    key[name.len] = '\0';
    *out = (qattr_t){0};
    if (strcmp(key, "$id") == 0) {
        *out = (qattr_t){"$id", NULL, VK_STRING, false};
        return CW_OK;
    }
    if (strcmp(key, "$sequence") == 0) {
        *out = (qattr_t){"$sequence", NULL, VK_SEQ, false};
        return CW_OK;
    }
    if (strcmp(key, "$createdAt") == 0 || strcmp(key, "$updatedAt") == 0) {
        *out = (qattr_t){strcmp(key, "$createdAt") == 0 ? "$createdAt" : "$updatedAt", NULL,
                         VK_DATE, false};
        return CW_OK;
    }
    for (size_t i = 0; i < q->c->nattrs; i++) {
        const cw_attr_t *a = &q->c->attrs[i];
        if (strcmp(a->key, key) == 0) {
            *out = (qattr_t){a->key, a, attr_vkind(a), a->array};
            return CW_OK;
        }
    }
bad:
    q->err->type = CW_ERR_GENERAL_QUERY_INVALID;
    snprintf(q->err->message, sizeof(q->err->message), "Attribute not found in schema: %.*s",
             (int)(name.len > 64 ? 64 : name.len), name.ptr);
    return CW_EINVAL;
}

/* LIKE pattern with % and _ (and the escape itself) escaped by a backslash. */
static const char *like_pattern(binds_t *bd, const json_t *v, bool lead, bool trail, size_t *len)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    char *out = cw_arena_alloc(&bd->arena, 2 * n + 3);
    size_t o = 0;
    if (lead)
        out[o++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
            out[o++] = '\\';
        out[o++] = s[i];
    }
    if (trail)
        out[o++] = '%';
    out[o] = '\0';
    *len = o;
    return out;
}

/* An FTS5 expression for a search term, as utopia builds MariaDB's boolean-mode one: the
 * reserved characters become spaces; a term in double quotes is a phrase, otherwise each word may
 * match and the last one as a prefix. NULL when nothing is left to search for. */
static const char *fts_expr(binds_t *bd, const json_t *v, size_t col, size_t *len)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    bool exact = n >= 2 && s[0] == '"' && s[n - 1] == '"';
    cw_buf_t words = CW_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (strchr("@+-*)(<>~\"", ch) != NULL || ch == ' ' || ch == '\t' || ch == '\n' ||
            ch == '\r')
            ch = ' ';
        if (ch == ' ' && (words.len == 0 || words.ptr[words.len - 1] == ' '))
            continue;
        cw_buf_append_char(&words, ch);
    }
    while (words.len > 0 && words.ptr[words.len - 1] == ' ')
        words.len--;
    if (words.len == 0) {
        cw_buf_free(&words);
        return NULL;
    }
    words.ptr[words.len] = '\0';
    cw_buf_t e = CW_BUF_INIT;
    cw_buf_printf(&e, "c%zu : (", col);
    if (exact) {
        cw_buf_append_char(&e, '"');
        cw_buf_append(&e, words.ptr, words.len);
        cw_buf_append_char(&e, '"');
    } else {
        const char *p = words.ptr;
        bool first = true;
        while (*p != '\0') {
            const char *sp = strchr(p, ' ');
            size_t wl = sp != NULL ? (size_t)(sp - p) : strlen(p);
            if (!first)
                cw_buf_append_str(&e, " OR ");
            first = false;
            cw_buf_append_char(&e, '"');
            for (size_t i = 0; i < wl; i++) {
                if (p[i] == '"')
                    cw_buf_append_char(&e, '"');
                cw_buf_append_char(&e, p[i]);
            }
            cw_buf_append_char(&e, '"');
            if (sp == NULL)
                cw_buf_append_str(&e, " *");
            p += wl;
            if (*p == ' ')
                p++;
        }
    }
    cw_buf_append_char(&e, ')');
    const char *out = cw_arena_strndup(&bd->arena, e.ptr, e.len);
    *len = e.len;
    cw_buf_free(&e);
    cw_buf_free(&words);
    return out;
}

static int compile_filter(qctx_t *q, const cw_query_t *f);

static int compile_logical(qctx_t *q, const cw_query_t *f, const char *sep)
{
    if (f->nchildren == 0) {
        cw_buf_append_str(q->sql, "1");
        return CW_OK;
    }
    cw_buf_append_char(q->sql, '(');
    for (size_t i = 0; i < f->nchildren; i++) {
        if (i > 0)
            cw_buf_append_str(q->sql, sep);
        int rc = compile_filter(q, f->children[i]);
        if (rc != CW_OK)
            return rc;
    }
    cw_buf_append_char(q->sql, ')');
    return CW_OK;
}

static const cw_index_t *fulltext_for(const cw_collection_t *c, const char *key, size_t *col)
{
    const cw_index_t *best = NULL;
    for (size_t i = 0; i < c->nindexes; i++) {
        const cw_index_t *idx = &c->indexes[i];
        if (idx->type != CW_INDEX_FULLTEXT)
            continue;
        for (size_t k = 0; k < idx->nattrs; k++) {
            if (strcmp(idx->attrs[k], key) == 0 && (best == NULL || idx->nattrs < best->nattrs)) {
                best = idx;
                *col = k;
            }
        }
    }
    return best;
}

static int query_fail(qctx_t *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int query_fail(qctx_t *q, const char *fmt, ...)
{
    q->err->type = CW_ERR_GENERAL_QUERY_INVALID;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->err->message, sizeof(q->err->message), fmt, ap);
    va_end(ap);
    return CW_EINVAL;
}

/* The available spatial index over exactly this attribute, if there is one. */
static const cw_index_t *spatial_index_for(const cw_collection_t *c, const char *key)
{
    for (size_t i = 0; i < c->nindexes; i++) {
        const cw_index_t *idx = &c->indexes[i];
        if (idx->type == CW_INDEX_SPATIAL && idx->nattrs == 1 && strcmp(idx->attrs[0], key) == 0 &&
            (idx->status == NULL || idx->status[0] == '\0' ||
             strcmp(idx->status, "available") == 0))
            return idx;
    }
    return NULL;
}

/* "_id IN (the R*Tree's rows whose box meets this one) AND ": a conservative first cut, so only
 * the geometries near the query's are tested. box: min x, min y, max x, max y; an infinite side
 * is left open. */
static void spatial_narrow(qctx_t *q, const cw_index_t *idx, const double box[4])
{
    cw_buf_t *b = q->sql;
    static const char *const cond[] = {"maxx >=", "maxy >=", "minx <=", "miny <="};
    cw_buf_append_str(b, "_id IN (SELECT id FROM ");
    sp_name(b, q->c, idx, "");
    cw_buf_append_str(b, " WHERE 1");
    for (size_t i = 0; i < 4; i++) {
        if (isinf(box[i]) || isnan(box[i]))
            continue;
        cw_buf_printf(b, " AND %s ?%d", cond[i],
                      bind_push(q->bd, (bval_t){.kind = B_REAL, .d = box[i]}));
    }
    cw_buf_append_str(b, ") AND ");
}

/* The box holding every point within d meters (great circle) of the point (x, y), or false
 * when it would be the whole sphere. Latitudes move by d / R at most; longitudes by
 * asin(sin(d / R) / cos(y)) unless a pole is that close, widened by a hair for rounding. */
static bool sphere_box(double x, double y, double d, double box[4])
{
    const double deg = 180.0 / M_PI, margin = 1e-9;
    double ang = d / CW_SPATIAL_EARTH_RADIUS;
    if (!(ang >= 0) || ang >= M_PI / 2)
        return false;
    double dlat = ang * deg * (1 + 1e-9) + margin;
    box[1] = y - dlat;
    box[3] = y + dlat;
    box[0] = -INFINITY;
    box[2] = INFINITY;
    if (box[1] > -90 && box[3] < 90) {
        double s = sin(ang) / cos(y / deg);
        if (s < 1) {
            double dlon = asin(s) * deg * (1 + 1e-9) + margin;
            if (x - dlon >= -180 && x + dlon <= 180) {
                box[0] = x - dlon;
                box[2] = x + dlon;
            }
        }
    }
    return true;
}

/* A query on a point, linestring or polygon attribute, as utopia's MariaDB adapter compiles it:
 * the spatial methods, equal and contains as geometry equality and containment, the null
 * tests; anything else is refused. The geometry is bound as a SpatiaLite BLOB. */
static int compile_spatial(qctx_t *q, const cw_query_t *f, const qattr_t *qa)
{
    cw_buf_t *b = q->sql;
    const char *fn = NULL, *op = NULL;
    bool neg, distance;
    switch (f->method) {
    case CW_QUERY_IS_NULL:
    case CW_QUERY_NOT_EXISTS:
    case CW_QUERY_IS_NOT_NULL:
    case CW_QUERY_EXISTS:
        cw_buf_append_char(b, '(');
        q_column(b, qa->key);
        cw_buf_append_str(b, f->method == CW_QUERY_IS_NULL || f->method == CW_QUERY_NOT_EXISTS
                                 ? " IS NULL)"
                                 : " IS NOT NULL)");
        return CW_OK;
    case CW_QUERY_EQUAL:
    case CW_QUERY_NOT_EQUAL:
        fn = "cw_geo_equals";
        break;
    case CW_QUERY_CONTAINS:
    case CW_QUERY_NOT_CONTAINS:
        fn = "cw_geo_contains";
        break;
    case CW_QUERY_INTERSECTS:
    case CW_QUERY_NOT_INTERSECTS:
        fn = "cw_geo_intersects";
        break;
    case CW_QUERY_CROSSES:
    case CW_QUERY_NOT_CROSSES:
        fn = "cw_geo_crosses";
        break;
    case CW_QUERY_OVERLAPS:
    case CW_QUERY_NOT_OVERLAPS:
        fn = "cw_geo_overlaps";
        break;
    case CW_QUERY_TOUCHES:
    case CW_QUERY_NOT_TOUCHES:
        fn = "cw_geo_touches";
        break;
    case CW_QUERY_DISTANCE_EQUAL:
        op = "=";
        break;
    case CW_QUERY_DISTANCE_NOT_EQUAL:
        op = "!=";
        break;
    case CW_QUERY_DISTANCE_GREATER_THAN:
        op = ">";
        break;
    case CW_QUERY_DISTANCE_LESS_THAN:
        op = "<";
        break;
    default:
        return query_fail(q, "Query method %s cannot be used on the %s attribute \"%s\".",
                          cw_query_method_name(f->method),
                          cw_spatial_type_name(cw_spatial_attr_type(qa->attr)), qa->key);
    }
    distance = op != NULL;
    neg = f->method == CW_QUERY_NOT_EQUAL || f->method == CW_QUERY_NOT_CONTAINS ||
          f->method == CW_QUERY_NOT_INTERSECTS || f->method == CW_QUERY_NOT_CROSSES ||
          f->method == CW_QUERY_NOT_OVERLAPS || f->method == CW_QUERY_NOT_TOUCHES;
    /* Distances take one value, [geometry, distance, meters]; the others their geometry. */
    const json_t *v0 = cw_query_value(f, 0);
    const json_t *geo = distance ? json_array_get(v0, 0) : v0;
    const json_t *dist = distance ? json_array_get(v0, 1) : NULL;
    bool meters = distance && json_is_true(json_array_get(v0, 2));
    if (distance && !json_is_number(dist))
        return query_fail(q, "The distance of %s must be a number.",
                          cw_query_method_name(f->method));
    unsigned char *blob = NULL;
    size_t len = 0;
    cw_geo_type_t gt;
    char msg[200];
    if (cw_spatial_query_blob(geo, &blob, &len, &gt, msg, sizeof(msg)) != 0)
        return query_fail(q, "%s", msg);
    cw_geo_type_t at = cw_spatial_attr_type(qa->attr);
    if (meters && (gt != CW_GEO_POINT || at != CW_GEO_POINT)) {
        free(blob);
        return query_fail(q, "Distance in meters is not supported between %s and %s",
                          cw_spatial_type_name(at), cw_spatial_type_name(gt));
    }
    double box[4];
    bool narrow = false;
    const cw_index_t *idx = spatial_index_for(q->c, qa->key);
    if (idx != NULL && !neg && cw_spatial_blob_mbr(blob, len, box) == 0) {
        if (!distance) {
            narrow = true;
        } else if (f->method == CW_QUERY_DISTANCE_LESS_THAN ||
                   f->method == CW_QUERY_DISTANCE_EQUAL) {
            double d = json_number_value(dist);
            if (meters) {
                narrow = sphere_box(box[0], box[1], d, box);
            } else if (d >= 0) {
                narrow = true;
                box[0] -= d;
                box[1] -= d;
                box[2] += d;
                box[3] += d;
            }
        }
    }
    char *copy = cw_arena_alloc(&q->bd->arena, len);
    memcpy(copy, blob, len);
    free(blob);
    int pg = bind_push(q->bd, (bval_t){.kind = B_BLOB, .s = copy, .len = len});
    cw_buf_append_char(b, '(');
    if (narrow)
        spatial_narrow(q, idx, box);
    if (distance) {
        cw_buf_append_str(b, meters ? "cw_geo_distance_sphere(" : "cw_geo_distance(");
        q_column(b, qa->key);
        cw_buf_printf(b, ", ?%d) %s ?%d)", pg, op,
                      bind_push(q->bd, (bval_t){.kind = B_REAL, .d = json_number_value(dist)}));
        return CW_OK;
    }
    cw_buf_printf(b, "%s%s(", neg ? "NOT " : "", fn);
    q_column(b, qa->key);
    cw_buf_printf(b, ", ?%d))", pg);
    return CW_OK;
}

static int compile_filter(qctx_t *q, const cw_query_t *f)
{
    cw_buf_t *b = q->sql;
    size_t nv = cw_query_nvalues(f);
    switch (f->method) {
    case CW_QUERY_AND:
        return compile_logical(q, f, " AND ");
    case CW_QUERY_OR:
        return compile_logical(q, f, " OR ");
    default:
        break;
    }
    qattr_t qa;
    int rc = qattr_find(q, f->attribute, &qa);
    if (rc != CW_OK)
        return rc;
    if (qa.attr != NULL && cw_spatial_attr_type(qa.attr) != CW_GEO_NONE)
        return compile_spatial(q, f, &qa);
    switch (f->method) {
    case CW_QUERY_EQUAL:
    case CW_QUERY_NOT_EQUAL:
    case CW_QUERY_LESS_THAN:
    case CW_QUERY_LESS_THAN_EQUAL:
    case CW_QUERY_GREATER_THAN:
    case CW_QUERY_GREATER_THAN_EQUAL: {
        static const char *const ops[] = {
            [CW_QUERY_EQUAL] = "=",        [CW_QUERY_NOT_EQUAL] = "!=",
            [CW_QUERY_LESS_THAN] = "<",    [CW_QUERY_LESS_THAN_EQUAL] = "<=",
            [CW_QUERY_GREATER_THAN] = ">", [CW_QUERY_GREATER_THAN_EQUAL] = ">=",
        };
        if (nv == 0) {
            cw_buf_append_str(b, "0");
            return CW_OK;
        }
        if (f->method == CW_QUERY_EQUAL && nv > 1) {
            q_column(b, qa.key);
            cw_buf_append_str(b, " IN (");
            for (size_t i = 0; i < nv; i++)
                cw_buf_printf(b, "%s?%d", i ? ", " : "",
                              bind_json(q->bd, cw_query_value(f, i), qa.kind));
            cw_buf_append_char(b, ')');
            return CW_OK;
        }
        cw_buf_append_char(b, '(');
        for (size_t i = 0; i < nv; i++) {
            if (i > 0)
                cw_buf_append_str(b, " OR ");
            q_column(b, qa.key);
            cw_buf_printf(b, " %s ?%d", ops[f->method],
                          bind_json(q->bd, cw_query_value(f, i), qa.kind));
        }
        cw_buf_append_char(b, ')');
        return CW_OK;
    }
    case CW_QUERY_BETWEEN:
    case CW_QUERY_NOT_BETWEEN: {
        int p0 = bind_json(q->bd, cw_query_value(f, 0), qa.kind);
        int p1 = bind_json(q->bd, cw_query_value(f, 1), qa.kind);
        cw_buf_append_char(b, '(');
        q_column(b, qa.key);
        cw_buf_printf(b, "%s BETWEEN ?%d AND ?%d)", f->method == CW_QUERY_NOT_BETWEEN ? " NOT" : "",
                      p0, p1);
        return CW_OK;
    }
    case CW_QUERY_IS_NULL:
    case CW_QUERY_NOT_EXISTS:
        cw_buf_append_char(b, '(');
        q_column(b, qa.key);
        cw_buf_append_str(b, " IS NULL)");
        return CW_OK;
    case CW_QUERY_IS_NOT_NULL:
    case CW_QUERY_EXISTS:
        cw_buf_append_char(b, '(');
        q_column(b, qa.key);
        cw_buf_append_str(b, " IS NOT NULL)");
        return CW_OK;
    case CW_QUERY_CONTAINS:
    case CW_QUERY_CONTAINS_ANY:
    case CW_QUERY_CONTAINS_ALL:
    case CW_QUERY_NOT_CONTAINS:
        if (qa.array) {
            /* Exact element match through json_each; containsAll needs every value. */
            bool all = f->method == CW_QUERY_CONTAINS_ALL;
            bool neg = f->method == CW_QUERY_NOT_CONTAINS;
            if (nv == 0) {
                cw_buf_append_str(b, all || neg ? "1" : "0");
                return CW_OK;
            }
            cw_buf_append_char(b, '(');
            if (neg) {
                q_column(b, qa.key);
                cw_buf_append_str(b, " IS NOT NULL AND NOT ");
            }
            size_t groups = all ? nv : 1;
            for (size_t g = 0; g < groups; g++) {
                if (g > 0)
                    cw_buf_append_str(b, " AND ");
                cw_buf_append_str(b, "EXISTS (SELECT 1 FROM json_each(");
                q_column(b, qa.key);
                cw_buf_append_str(b, ") WHERE value IN (");
                if (all) {
                    cw_buf_printf(b, "?%d", bind_json(q->bd, cw_query_value(f, g), qa.kind));
                } else {
                    for (size_t i = 0; i < nv; i++)
                        cw_buf_printf(b, "%s?%d", i ? ", " : "",
                                      bind_json(q->bd, cw_query_value(f, i), qa.kind));
                }
                cw_buf_append_str(b, "))");
            }
            cw_buf_append_char(b, ')');
            return CW_OK;
        }
        /* substring matches on a string */
        __attribute__((fallthrough));
    case CW_QUERY_STARTS_WITH:
    case CW_QUERY_NOT_STARTS_WITH:
    case CW_QUERY_ENDS_WITH:
    case CW_QUERY_NOT_ENDS_WITH: {
        bool neg = f->method == CW_QUERY_NOT_CONTAINS || f->method == CW_QUERY_NOT_STARTS_WITH ||
                   f->method == CW_QUERY_NOT_ENDS_WITH;
        bool lead = f->method != CW_QUERY_STARTS_WITH && f->method != CW_QUERY_NOT_STARTS_WITH;
        bool trail = f->method != CW_QUERY_ENDS_WITH && f->method != CW_QUERY_NOT_ENDS_WITH;
        const char *sep = neg || f->method == CW_QUERY_CONTAINS_ALL ? " AND " : " OR ";
        if (nv == 0) {
            cw_buf_append_str(b, neg ? "1" : "0");
            return CW_OK;
        }
        cw_buf_append_char(b, '(');
        for (size_t i = 0; i < nv; i++) {
            size_t len;
            const char *pat = like_pattern(q->bd, cw_query_value(f, i), lead, trail, &len);
            if (i > 0)
                cw_buf_append_str(b, sep);
            q_column(b, qa.key);
            cw_buf_printf(b, "%s LIKE ?%d ESCAPE '\\'", neg ? " NOT" : "",
                          bind_text(q->bd, pat, len));
        }
        cw_buf_append_char(b, ')');
        return CW_OK;
    }
    case CW_QUERY_REGEX:
        cw_buf_append_char(b, '(');
        q_column(b, qa.key);
        cw_buf_printf(b, " REGEXP ?%d)", bind_json(q->bd, cw_query_value(f, 0), VK_STRING));
        return CW_OK;
    case CW_QUERY_SEARCH:
    case CW_QUERY_NOT_SEARCH: {
        size_t col = 0;
        const cw_index_t *idx = qa.attr != NULL ? fulltext_for(q->c, qa.key, &col) : NULL;
        if (idx == NULL) {
            q->err->type = CW_ERR_GENERAL_QUERY_INVALID;
            snprintf(q->err->message, sizeof(q->err->message),
                     "Searching by attribute \"%s\" requires a fulltext index.", qa.key);
            return CW_EINVAL;
        }
        size_t len;
        const char *expr = fts_expr(q->bd, cw_query_value(f, 0), col, &len);
        if (expr == NULL) {
            cw_buf_append_str(b, f->method == CW_QUERY_NOT_SEARCH ? "1" : "0");
            return CW_OK;
        }
        cw_buf_append_str(b, f->method == CW_QUERY_NOT_SEARCH ? "(_id NOT IN (SELECT rowid FROM "
                                                              : "(_id IN (SELECT rowid FROM ");
        fts_name(b, q->c, idx, "");
        cw_buf_append_str(b, " WHERE ");
        fts_name(b, q->c, idx, "");
        cw_buf_printf(b, " MATCH ?%d))", bind_text(q->bd, expr, len));
        return CW_OK;
    }
    default:
        q->err->type = CW_ERR_GENERAL_QUERY_INVALID;
        snprintf(q->err->message, sizeof(q->err->message),
                 "Query method %s is not supported by this database.",
                 cw_query_method_name(f->method));
        return CW_EINVAL;
    }
}

/* "_type = ? AND _permission IN (roles)", bound in q. probe: the caller looks up one document's
 * permissions, so the roles are checked on its few rows ("+" keeps SQLite from seeking once per
 * role instead). */
static void perms_match(qctx_t *q, const cw_dba_find_t *f, cw_buf_t *b, bool probe)
{
    cw_buf_printf(b, "_type = ?%d AND %s_permission IN (",
                  bind_text(q->bd, f->action, strlen(f->action)), probe ? "+" : "");
    if (f->nroles == 0)
        cw_buf_append_str(b, "NULL");
    for (size_t i = 0; i < f->nroles; i++)
        cw_buf_printf(b, "%s?%d", i ? ", " : "",
                      bind_text(q->bd, f->roles[i], strlen(f->roles[i])));
    cw_buf_append_char(b, ')');
}

/* Past this many permission rows for the caller's roles, reading rows in the query's order and
 * probing the permissions of each beats collecting every readable row first. */
#define PERMS_WIDE 1000

/* Whether the caller's roles reach many documents. Two plans answer the permission filter: drive
 * from the roles' permission rows (every readable document is gathered and sorted: cheap for a
 * user who sees few documents, slow for one who sees thousands) or walk the rows in order and
 * probe each (cheap when most rows are readable, slow when few are). Counting the roles' rows up
 * to a bound picks the plan for this caller; on error the first plan is kept. */
static bool perms_wide(qctx_t *q, const cw_dba_find_t *f)
{
    cw_buf_t b = CW_BUF_INIT;
    binds_t bd = {0};
    qctx_t pq = {q->s, q->c, &b, &bd, NULL};
    bool wide = false;
    cw_buf_append_str(&b, "SELECT COUNT(*) FROM (SELECT 1 FROM ");
    q_ident2(&b, q->c->table, "_perms");
    cw_buf_append_str(&b, " WHERE ");
    perms_match(&pq, f, &b, false);
    cw_buf_printf(&b, " LIMIT %d)", PERMS_WIDE);
    sqlite3_stmt *st = stmt_get(q->s, b.ptr, NULL);
    if (st != NULL && binds_apply(st, &bd) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        wide = sqlite3_column_int64(st, 0) >= PERMS_WIDE;
    stmt_done(st);
    binds_free(&bd);
    cw_buf_free(&b);
    return wide;
}

/* WHERE clause (without the keyword) for filters and permissions; "1" when there is none. */
static int compile_where(qctx_t *q, const cw_dba_find_t *f)
{
    cw_buf_t *b = q->sql;
    bool any = false;
    for (size_t i = 0; i < f->nfilters; i++) {
        if (any)
            cw_buf_append_str(b, " AND ");
        int rc = compile_filter(q, f->filters[i]);
        if (rc != CW_OK)
            return rc;
        any = true;
    }
    if (f->roles != NULL) {
        if (any)
            cw_buf_append_str(b, " AND ");
        bool wide = perms_wide(q, f);
        if (wide) {
            cw_buf_append_str(b, "EXISTS (SELECT 1 FROM ");
            q_ident2(b, q->c->table, "_perms");
            cw_buf_append_str(b, " AS p WHERE p._document = ");
            q_ident(b, q->c->table);
            cw_buf_append_str(b, "._id AND ");
        } else {
            cw_buf_append_str(b, "_id IN (SELECT _document FROM ");
            q_ident2(b, q->c->table, "_perms");
            cw_buf_append_str(b, " WHERE ");
        }
        perms_match(q, f, b, wide);
        cw_buf_append_str(b, ")");
        any = true;
    }
    if (!any)
        cw_buf_append_str(b, "1");
    return CW_OK;
}

/* The cursor condition: rows strictly after (or before) the cursor in the order, as
 * (a > x) OR (a = x AND b > y) OR ... with each comparison in its column's direction. */
static int compile_cursor(qctx_t *q, const cw_dba_find_t *f)
{
    cw_buf_t *b = q->sql;
    cw_buf_append_str(b, " AND (");
    for (size_t i = 0; i < f->norders; i++) {
        if (i > 0)
            cw_buf_append_str(b, " OR ");
        cw_buf_append_char(b, '(');
        for (size_t k = 0; k <= i; k++) {
            const cw_dba_order_t *o = &f->orders[k];
            qattr_t qa;
            int rc = qattr_find(q, cw_str(o->attr), &qa);
            if (rc != CW_OK)
                return rc;
            const json_t *v = json_object_get(f->cursor, o->attr);
            vkind_t kind = qa.kind;
            if (strcmp(o->attr, "$sequence") == 0)
                kind = VK_SEQ;
            bool desc = o->desc != f->cursor_before;
            if (k > 0)
                cw_buf_append_str(b, " AND ");
            q_column(b, qa.key);
            const char *op = k < i ? "=" : (desc ? "<" : ">");
            cw_buf_printf(b, " %s ?%d", op, bind_json(q->bd, v, kind));
        }
        cw_buf_append_char(b, ')');
    }
    cw_buf_append_char(b, ')');
    return CW_OK;
}

static int sq_doc_find(cw_dba_t *a, const cw_collection_t *c, const cw_dba_find_t *f, json_t **out,
                       cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    binds_t bd = {0};
    qctx_t q = {s, c, &b, &bd, err};
    const cw_attr_t *cols_fixed[64];
    const cw_attr_t **cols = c->nattrs <= 64 ? cols_fixed : cw_malloc(c->nattrs * sizeof(*cols));
    size_t ncols = select_cols(c, f->select, f->nselect, cols);
    json_t *list = NULL;
    sqlite3_stmt *st = NULL;
    int rc;
    cw_buf_append_str(&b, "SELECT ");
    append_projection(&b, cols, ncols);
    cw_buf_append_str(&b, " FROM ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " WHERE ");
    rc = compile_where(&q, f);
    if (rc != CW_OK)
        goto out;
    if (f->cursor != NULL) {
        rc = compile_cursor(&q, f);
        if (rc != CW_OK)
            goto out;
    }
    if (f->norders > 0)
        cw_buf_append_str(&b, " ORDER BY ");
    for (size_t i = 0; i < f->norders; i++) {
        if (i > 0)
            cw_buf_append_str(&b, ", ");
        if (strcmp(f->orders[i].attr, "$random") == 0) {
            cw_buf_append_str(&b, "RANDOM()");
            continue;
        }
        q_column(&b, f->orders[i].attr);
        cw_buf_append_str(&b, f->orders[i].desc != f->cursor_before ? " DESC" : " ASC");
    }
    if (f->limit >= 0 || f->offset > 0)
        cw_buf_printf(&b, " LIMIT ?%d OFFSET ?%d", bind_int(&bd, f->limit >= 0 ? f->limit : -1),
                      bind_int(&bd, f->offset));
    st = stmt_get(s, b.ptr, err);
    if (st == NULL) {
        rc = CW_EIO;
        goto out;
    }
    if (binds_apply(st, &bd) != SQLITE_OK) {
        rc = sq_fail(s, err, "doc_find_bind");
        goto out;
    }
    list = json_array();
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(list, row_to_doc(st, c, cols, ncols));
    if (src != SQLITE_DONE) {
        rc = sq_fail(s, err, "doc_find");
        goto out;
    }
    if (f->cursor_before) {
        /* Read backwards from the cursor; hand the page back in the requested order. */
        size_t n = json_array_size(list);
        json_t *rev = json_array();
        for (size_t i = n; i > 0; i--)
            json_array_append(rev, json_array_get(list, i - 1));
        json_decref(list);
        list = rev;
    }
    *out = list;
    list = NULL;
out:
    stmt_done(st);
    json_decref(list);
    if (cols != cols_fixed)
        free(cols);
    binds_free(&bd);
    cw_buf_free(&b);
    return rc;
}

static int sq_doc_count(cw_dba_t *a, const cw_collection_t *c, const cw_dba_find_t *f, int64_t max,
                        int64_t *out, cw_db_error_t *err)
{
    sq_t *s = (sq_t *)a;
    cw_buf_t b = CW_BUF_INIT;
    binds_t bd = {0};
    qctx_t q = {s, c, &b, &bd, err};
    sqlite3_stmt *st = NULL;
    int rc;
    cw_buf_append_str(&b, "SELECT COUNT(*) FROM (SELECT 1 FROM ");
    q_ident(&b, c->table);
    cw_buf_append_str(&b, " WHERE ");
    rc = compile_where(&q, f);
    if (rc != CW_OK)
        goto out;
    cw_buf_printf(&b, " LIMIT ?%d)", bind_int(&bd, max > 0 ? max : -1));
    st = stmt_get(s, b.ptr, err);
    if (st == NULL) {
        rc = CW_EIO;
        goto out;
    }
    binds_apply(st, &bd);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = sq_fail(s, err, "doc_count");
        goto out;
    }
    *out = sqlite3_column_int64(st, 0);
out:
    stmt_done(st);
    binds_free(&bd);
    cw_buf_free(&b);
    return rc;
}

static const cw_dba_ops_t sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .changed_elsewhere = sq_changed_elsewhere,
    .meta_version = sq_meta_version,
    .meta_bump = sq_meta_bump,
    .collection_create = sq_collection_create,
    .collection_drop = sq_collection_drop,
    .attribute_add = sq_attribute_add,
    .attribute_drop = sq_attribute_drop,
    .attribute_rename = sq_attribute_rename,
    .attribute_check = sq_attribute_check,
    .index_create = sq_index_create,
    .index_drop = sq_index_drop,
    .doc_insert = sq_doc_insert,
    .doc_get = sq_doc_get,
    .doc_update = sq_doc_update,
    .doc_delete = sq_doc_delete,
    .doc_find = sq_doc_find,
    .doc_count = sq_doc_count,
};

int cw_dba_sqlite_remove(const char *data_dir, const char *project_id)
{
    static const char *const suffixes[] = {".db", ".db-wal", ".db-shm"};
    int rc = CW_OK;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/projects/%s%s", data_dir, project_id, suffixes[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            rc = CW_EIO;
    }
    return rc;
}
