#include "db/console.h"
#include "db/console_internal.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"

#define KEY_TOUCH_INTERVAL_MS (24LL * 3600 * 1000)

#define PROJECT_COLUMNS                                                                            \
    "id, name, created_at, updated_at, auths, smtp, services, protocols, labels, platforms, "      \
    "oauth2, templates, variables"

enum {
    ST_PROJECT_GET,
    ST_KEY_FIND,
    ST_KEY_TOUCH,
    ST__COUNT,
};

static const char *const statements[ST__COUNT] = {
    [ST_PROJECT_GET] = "SELECT " PROJECT_COLUMNS " FROM projects WHERE id = ?1",
    [ST_KEY_FIND] = ("SELECT id, project_id, name, scopes, expire, created_at, updated_at, "
                     "accessed_at FROM keys WHERE secret_hash = ?1 AND project_id = ?2"),
    [ST_KEY_TOUCH] = "UPDATE keys SET accessed_at = ?1 WHERE id = ?2",
};

#define CACHE_MAX 256

typedef struct cached_key {
    char *secret; /* the client's bytes, compared in full */
    size_t secret_len;
    cw_key_t key;
} cached_key_t;

struct cw_console {
    sqlite3 *db;
    sqlite3_stmt *st[ST__COUNT];
    _Atomic uint64_t *gen; /* shared generation counter (mapped file), NULL if unavailable */
    uint64_t seen_gen;
    cw_project_t *projects[CACHE_MAX];
    size_t nprojects;
    cached_key_t *keys[CACHE_MAX];
    size_t nkeys;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS projects ("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, auths TEXT NOT NULL DEFAULT '{}',"
    " smtp TEXT NOT NULL DEFAULT '{}', services TEXT NOT NULL DEFAULT '{}',"
    " protocols TEXT NOT NULL DEFAULT '{}', labels TEXT NOT NULL DEFAULT '[]',"
    " platforms TEXT NOT NULL DEFAULT '[]', oauth2 TEXT NOT NULL DEFAULT '{}',"
    " templates TEXT NOT NULL DEFAULT '{}', variables TEXT NOT NULL DEFAULT '[]');"
    "CREATE TABLE IF NOT EXISTS keys ("
    " id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL,"
    " expire INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, accessed_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS keys_project ON keys(project_id, created_at);";

/* Maps <data>/console.gen, creating it on first use. Without it (an odd file system), the cache
 * is simply never used. */
static void map_generation(cw_console_t *c, const char *data_dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/console.gen", data_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size < (off_t)sizeof(uint64_t) &&
        ftruncate(fd, sizeof(uint64_t)) != 0) {
        close(fd);
        return;
    }
    void *p = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p != MAP_FAILED) {
        c->gen = p;
        c->seen_gen = atomic_load(c->gen);
    }
}

/* After a committed change: every connection, in any process, drops its cache. */
static void bump_generation(cw_console_t *c)
{
    if (c->gen != NULL)
        atomic_fetch_add(c->gen, 1);
}

static int fail(cw_console_t *c, const char *what)
{
    cw_log(CW_LOG_ERROR, "db=console op=%s error=\"%s\"", what, sqlite3_errmsg(c->db));
    return CW_EIO;
}

/* Each settings column and whether it holds an array (else an object). */
static const struct {
    const char *name;
    bool array;
} setting_columns[] = {
    [CW_PROJECT_AUTHS] = {"auths", false},        [CW_PROJECT_SMTP] = {"smtp", false},
    [CW_PROJECT_SERVICES] = {"services", false},  [CW_PROJECT_PROTOCOLS] = {"protocols", false},
    [CW_PROJECT_LABELS] = {"labels", true},       [CW_PROJECT_PLATFORMS] = {"platforms", true},
    [CW_PROJECT_OAUTH2] = {"oauth2", false},      [CW_PROJECT_TEMPLATES] = {"templates", false},
    [CW_PROJECT_VARIABLES] = {"variables", true},
};
#define NSETTINGS (sizeof(setting_columns) / sizeof(setting_columns[0]))

/* A store made before the settings columns existed gains them, empty: its projects then read as
 * Appwrite's projects that predate a setting. Safe to run in several processes at once: a column
 * another process just added is skipped ("duplicate column"). */
static int migrate(cw_console_t *c)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        sqlite3_stmt *st;
        bool present = false;
        if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM pragma_table_info('projects') WHERE name = ?1",
                               -1, &st, NULL) != SQLITE_OK)
            return fail(c, "migrate");
        sqlite3_bind_text(st, 1, setting_columns[i].name, -1, SQLITE_STATIC);
        present = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        if (present)
            continue;
        char sql[128];
        snprintf(sql, sizeof(sql), "ALTER TABLE projects ADD COLUMN %s TEXT NOT NULL DEFAULT '%s'",
                 setting_columns[i].name, setting_columns[i].array ? "[]" : "{}");
        char *err = NULL;
        if (sqlite3_exec(c->db, sql, NULL, NULL, &err) != SQLITE_OK &&
            (err == NULL || strstr(err, "duplicate column") == NULL)) {
            cw_log(CW_LOG_ERROR, "db=console op=migrate error=\"%s\"", err ? err : "?");
            sqlite3_free(err);
            return CW_EIO;
        }
        sqlite3_free(err);
        cw_log(CW_LOG_INFO, "db=console msg=\"column added\" column=%s", setting_columns[i].name);
    }
    return CW_OK;
}

int cw_console_open(const char *data_dir, cw_console_t **out)
{
    if (mkdir(data_dir, 0750) != 0 && errno != EEXIST) {
        cw_log(CW_LOG_ERROR, "db=console msg=\"cannot create data folder\" path=%s error=\"%s\"",
               data_dir, strerror(errno));
        return CW_EIO;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/console.db", data_dir);
    cw_console_t *c = cw_calloc(1, sizeof(*c));
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        int rc = fail(c, "open");
        cw_console_close(c);
        return rc;
    }
    sqlite3_busy_timeout(c->db, 5000);
    char *err = NULL;
    if (sqlite3_exec(c->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                     NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(c->db, schema, NULL, NULL, &err) != SQLITE_OK) {
        cw_log(CW_LOG_ERROR, "db=console op=schema error=\"%s\"", err ? err : "?");
        sqlite3_free(err);
        cw_console_close(c);
        return CW_EIO;
    }
    if (migrate(c) != CW_OK || cw__console_meta_schema(c->db) != CW_OK) {
        cw_console_close(c);
        return CW_EIO;
    }
    for (int i = 0; i < ST__COUNT; i++) {
        if (sqlite3_prepare_v3(c->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i],
                               NULL) != SQLITE_OK) {
            int rc = fail(c, "prepare");
            cw_console_close(c);
            return rc;
        }
    }
    map_generation(c, data_dir);
    *out = c;
    return CW_OK;
}

static void cache_clear(cw_console_t *c)
{
    for (size_t i = 0; i < c->nprojects; i++) {
        cw_project_clear(c->projects[i]);
        free(c->projects[i]);
    }
    for (size_t i = 0; i < c->nkeys; i++) {
        cw_key_clear(&c->keys[i]->key);
        free(c->keys[i]->secret);
        free(c->keys[i]);
    }
    c->nprojects = c->nkeys = 0;
}

void cw_console_close(cw_console_t *c)
{
    if (c == NULL)
        return;
    cache_clear(c);
    if (c->gen != NULL)
        munmap((void *)c->gen, sizeof(uint64_t));
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c);
}

int cw_console_ping(cw_console_t *c)
{
    return sqlite3_exec(c->db, "SELECT 1", NULL, NULL, NULL) == SQLITE_OK ? CW_OK : fail(c, "ping");
}

static void copy_id(char *dst, size_t cap, const unsigned char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? (const char *)src : "");
}

/* A settings column as its kind (object or array); anything else (a hand-edited store) reads as
 * an empty one. */
static json_t *read_setting(sqlite3_stmt *st, int col, cw_project_setting_t which)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    json_t *v = text != NULL ? json_loads(text, 0, NULL) : NULL;
    bool array = setting_columns[which].array;
    if (array ? !json_is_array(v) : !json_is_object(v)) {
        json_decref(v);
        v = array ? json_array() : json_object();
    }
    return v;
}

static json_t *read_object(sqlite3_stmt *st, int col)
{
    return read_setting(st, col, CW_PROJECT_AUTHS);
}

static void read_project(sqlite3_stmt *st, cw_project_t *p)
{
    copy_id(p->id, sizeof(p->id), sqlite3_column_text(st, 0));
    p->name = cw_strdup((const char *)sqlite3_column_text(st, 1));
    p->created_at = sqlite3_column_int64(st, 2);
    p->updated_at = sqlite3_column_int64(st, 3);
    p->auths = read_object(st, 4);
    p->smtp = read_object(st, 5);
    p->services = read_object(st, 6);
    p->protocols = read_object(st, 7);
    p->labels = read_setting(st, 8, CW_PROJECT_LABELS);
    p->platforms = read_setting(st, 9, CW_PROJECT_PLATFORMS);
    p->oauth2 = read_setting(st, 10, CW_PROJECT_OAUTH2);
    p->templates = read_setting(st, 11, CW_PROJECT_TEMPLATES);
    p->variables = read_setting(st, 12, CW_PROJECT_VARIABLES);
    cw_project_auth_parse(p->auths, &p->auth);
}

void cw_project_clear(cw_project_t *p)
{
    free(p->name);
    p->name = NULL;
    cw_project_auth_clear(&p->auth);
    json_decref(p->auths);
    json_decref(p->smtp);
    json_decref(p->services);
    json_decref(p->protocols);
    json_decref(p->labels);
    json_decref(p->platforms);
    json_decref(p->oauth2);
    json_decref(p->templates);
    json_decref(p->variables);
    p->auths = p->smtp = p->services = p->protocols = NULL;
    p->labels = p->platforms = p->oauth2 = p->templates = p->variables = NULL;
}

bool cw_project_service_enabled(const cw_project_t *p, const char *service)
{
    return !json_is_false(json_object_get(p->services, service));
}

int cw_console_project_get(cw_console_t *c, cw_str_t id, cw_project_t *out)
{
    sqlite3_stmt *st = c->st[ST_PROJECT_GET];
    sqlite3_bind_text(st, 1, id.ptr, (int)id.len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_project(st, out);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_ROW)
        return CW_OK;
    return rc == SQLITE_DONE ? CW_ENOTFOUND : fail(c, "project_get");
}

int cw_console_project_create(cw_console_t *c, const char *id, const char *name)
{
    sqlite3_stmt *st;
    if (strcmp(id, CW_CONSOLE_PROJECT_ID) == 0)
        return CW_EEXIST; /* the console's own project is no row of this table */
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO projects (id, name, created_at, updated_at, auths) "
                           "VALUES (?1, ?2, ?3, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(c, "project_create");
    int64_t now = cw_time_now_ms();
    json_t *defaults = cw_project_auth_defaults();
    char *auths = json_dumps(defaults, JSON_COMPACT);
    json_decref(defaults);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_text(st, 4, auths, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(auths);
    if (rc == SQLITE_DONE) {
        bump_generation(c);
        return CW_OK;
    }
    if (rc == SQLITE_CONSTRAINT)
        return CW_EEXIST;
    return fail(c, "project_create");
}

int cw_console_project_setting_set(cw_console_t *c, const char *id, cw_project_setting_t which,
                                   const json_t *value)
{
    if ((unsigned)which >= NSETTINGS ||
        (setting_columns[which].array ? !json_is_array(value) : !json_is_object(value)))
        return CW_EINVAL;
    char sql[96];
    snprintf(sql, sizeof(sql), "UPDATE projects SET %s = ?1, updated_at = ?2 WHERE id = ?3",
             setting_columns[which].name);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(c, "project_setting_set");
    char *text = json_dumps(value, JSON_COMPACT);
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, cw_time_now_ms());
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(text);
    if (rc != SQLITE_DONE)
        return fail(c, "project_setting_set");
    if (sqlite3_changes(c->db) == 0)
        return CW_ENOTFOUND;
    bump_generation(c);
    return CW_OK;
}

int cw_console_project_setting_edit(cw_console_t *c, const char *id, cw_project_setting_t which,
                                    cw_setting_edit_cb edit, void *arg)
{
    if ((unsigned)which >= NSETTINGS)
        return CW_EINVAL;
    /* BEGIN IMMEDIATE takes the write lock before the read, so two edits of one setting (two
     * threads, or the server and the command) never lose each other's change. */
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(c, "project_setting_edit");
    char sql[128];
    sqlite3_stmt *st = NULL;
    json_t *value = NULL;
    char *text = NULL;
    int rc;
    snprintf(sql, sizeof(sql), "SELECT %s FROM projects WHERE id = ?1",
             setting_columns[which].name);
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = fail(c, "project_setting_edit");
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s != SQLITE_ROW) {
        rc = s == SQLITE_DONE ? CW_ENOTFOUND : fail(c, "project_setting_edit");
        goto out;
    }
    value = read_setting(st, 0, which);
    sqlite3_finalize(st);
    st = NULL;
    rc = edit(value, arg);
    if (rc != CW_OK)
        goto out;
    snprintf(sql, sizeof(sql), "UPDATE projects SET %s = ?1, updated_at = ?2 WHERE id = ?3",
             setting_columns[which].name);
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = fail(c, "project_setting_edit");
        goto out;
    }
    text = json_dumps(value, JSON_COMPACT);
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, cw_time_now_ms());
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = fail(c, "project_setting_edit");
        goto out;
    }
    rc = CW_OK;
out:
    sqlite3_finalize(st);
    if (rc == CW_OK && sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(c, "project_setting_edit");
    if (rc != CW_OK)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    else
        bump_generation(c);
    free(text);
    json_decref(value);
    return rc;
}

int cw_console_project_delete(cw_console_t *c, const char *id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "DELETE FROM projects WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return fail(c, "project_delete");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(c, "project_delete");
    if (sqlite3_changes(c->db) == 0)
        return CW_ENOTFOUND;
    bump_generation(c);
    return CW_OK;
}

int cw_console_project_each(cw_console_t *c, int (*cb)(const cw_project_t *p, void *arg), void *arg)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "SELECT " PROJECT_COLUMNS " FROM projects ORDER BY created_at, id",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(c, "project_each");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cw_project_t p = {0};
        read_project(st, &p);
        int stop = cb(&p, arg);
        cw_project_clear(&p);
        if (stop)
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CW_OK : fail(c, "project_each");
}

static void hash_secret(const char *secret, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    static const char hex[] = "0123456789abcdef";
    SHA256((const unsigned char *)secret, len, md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

static void read_key(sqlite3_stmt *st, cw_key_t *k)
{
    copy_id(k->id, sizeof(k->id), sqlite3_column_text(st, 0));
    copy_id(k->project_id, sizeof(k->project_id), sqlite3_column_text(st, 1));
    k->name = cw_strdup((const char *)sqlite3_column_text(st, 2));
    json_t *arr = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    k->scopes = cw_calloc(n + 1, sizeof(char *));
    k->nscopes = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s != NULL)
            k->scopes[k->nscopes++] = cw_strdup(s);
    }
    json_decref(arr);
    k->expire = sqlite3_column_int64(st, 4);
    k->created_at = sqlite3_column_int64(st, 5);
    k->updated_at = sqlite3_column_int64(st, 6);
    k->accessed_at = sqlite3_column_int64(st, 7);
}

void cw_key_clear(cw_key_t *k)
{
    free(k->name);
    if (k->scopes != NULL) {
        for (size_t i = 0; i < k->nscopes; i++)
            free(k->scopes[i]);
        free(k->scopes);
    }
    k->name = NULL;
    k->scopes = NULL;
    k->nscopes = 0;
}

bool cw_key_has_scope(const cw_key_t *k, const char *scope)
{
    for (size_t i = 0; i < k->nscopes; i++) {
        if (strcmp(k->scopes[i], scope) == 0)
            return true;
    }
    return false;
}

int cw_console_key_create(cw_console_t *c, const char *project_id, const char *name,
                          const char *const *scopes, int64_t expire, cw_key_t *key_out,
                          char *secret_out)
{
    return cw_console_key_create_id(c, project_id, NULL, name, scopes, expire, key_out, secret_out);
}

static char *scopes_dump(const char *const *scopes)
{
    json_t *arr = json_array();
    for (const char *const *s = scopes; *s != NULL; s++)
        json_array_append_new(arr, json_string(*s));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return text;
}

int cw_console_key_create_id(cw_console_t *c, const char *project_id, const char *key_id,
                             const char *name, const char *const *scopes, int64_t expire,
                             cw_key_t *key_out, char *secret_out)
{
    char id[CW_ID_MAX_LEN + 1];
    if (key_id != NULL)
        snprintf(id, sizeof(id), "%s", key_id);
    else
        cw_id_unique(id);
    memcpy(secret_out, CW_KEY_PREFIX, sizeof(CW_KEY_PREFIX) - 1);
    cw_random_hex(secret_out + sizeof(CW_KEY_PREFIX) - 1, 128);
    char hash[65];
    hash_secret(secret_out, strlen(secret_out), hash);
    char *scopes_json = scopes_dump(scopes);

    sqlite3_stmt *st;
    int rc = CW_EIO;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO keys (id, project_id, name, secret_hash, scopes, expire, "
                           "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = fail(c, "key_create");
        goto out;
    }
    int64_t now = cw_time_now_ms();
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, project_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, scopes_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, expire);
    sqlite3_bind_int64(st, 7, now);
    int s = sqlite3_step(st);
    int ext = sqlite3_extended_errcode(c->db);
    sqlite3_finalize(st);
    if (s == SQLITE_CONSTRAINT) {
        /* A taken ID, or else the project is gone (the foreign key). */
        rc = ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE ? CW_EEXIST
                                                                                    : CW_ENOTFOUND;
        goto out;
    }
    if (s != SQLITE_DONE) {
        rc = fail(c, "key_create");
        goto out;
    }
    bump_generation(c);
    if (key_out != NULL) {
        memset(key_out, 0, sizeof(*key_out));
        snprintf(key_out->id, sizeof(key_out->id), "%s", id);
        snprintf(key_out->project_id, sizeof(key_out->project_id), "%s", project_id);
        key_out->name = cw_strdup(name);
        size_t n = 0;
        while (scopes[n] != NULL)
            n++;
        key_out->scopes = cw_calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
            key_out->scopes[i] = cw_strdup(scopes[i]);
        key_out->nscopes = n;
        key_out->expire = expire;
        key_out->created_at = key_out->updated_at = now;
    }
    rc = CW_OK;
out:
    free(scopes_json);
    return rc;
}

int cw_console_key_find(cw_console_t *c, cw_str_t project_id, cw_str_t secret, cw_key_t *out)
{
    char hash[65];
    hash_secret(secret.ptr, secret.len, hash);
    sqlite3_stmt *st = c->st[ST_KEY_FIND];
    sqlite3_bind_text(st, 1, hash, 64, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, project_id.ptr, (int)project_id.len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_key(st, out);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_ROW)
        return CW_OK;
    return rc == SQLITE_DONE ? CW_ENOTFOUND : fail(c, "key_find");
}

int cw_console_key_get(cw_console_t *c, const char *project_id, const char *key_id, cw_key_t *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT id, project_id, name, scopes, expire, created_at, updated_at, "
                           "accessed_at FROM keys WHERE project_id = ?1 AND id = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(c, "key_get");
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_key(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return CW_OK;
    return rc == SQLITE_DONE ? CW_ENOTFOUND : fail(c, "key_get");
}

int cw_console_key_update(cw_console_t *c, const char *project_id, const char *key_id,
                          const char *name, const char *const *scopes, int64_t expire)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "UPDATE keys SET name = ?1, scopes = ?2, expire = ?3, updated_at = ?4 "
                           "WHERE project_id = ?5 AND id = ?6",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(c, "key_update");
    char *scopes_json = scopes_dump(scopes);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, scopes_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, expire);
    sqlite3_bind_int64(st, 4, cw_time_now_ms());
    sqlite3_bind_text(st, 5, project_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(scopes_json);
    if (rc != SQLITE_DONE)
        return fail(c, "key_update");
    if (sqlite3_changes(c->db) == 0)
        return CW_ENOTFOUND;
    bump_generation(c);
    return CW_OK;
}

int cw_console_key_touch(cw_console_t *c, cw_key_t *key)
{
    int64_t now = cw_time_now_ms();
    if (now - key->accessed_at < KEY_TOUCH_INTERVAL_MS)
        return CW_OK;
    key->accessed_at = now; /* the cached copy too, so the next request does not write again */
    sqlite3_stmt *st = c->st[ST_KEY_TOUCH];
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, key->id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? CW_OK : fail(c, "key_touch");
}

int cw_console_key_delete(cw_console_t *c, const char *project_id, const char *key_id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "DELETE FROM keys WHERE project_id = ?1 AND id = ?2", -1, &st,
                           NULL) != SQLITE_OK)
        return fail(c, "key_delete");
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(c, "key_delete");
    if (sqlite3_changes(c->db) == 0)
        return CW_ENOTFOUND;
    bump_generation(c);
    return CW_OK;
}

int cw_console_key_each(cw_console_t *c, const char *project_id,
                        int (*cb)(const cw_key_t *k, void *arg), void *arg)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT id, project_id, name, scopes, expire, created_at, updated_at, "
                           "accessed_at FROM keys WHERE project_id = ?1 ORDER BY created_at, id",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(c, "key_each");
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cw_key_t k = {0};
        read_key(st, &k);
        int stop = cb(&k, arg);
        cw_key_clear(&k);
        if (stop)
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CW_OK : fail(c, "key_each");
}

sqlite3 *cw__console_sqlite(cw_console_t *c)
{
    return c->db;
}

void cw__console_changed(cw_console_t *c)
{
    bump_generation(c);
}

void cw_console_refresh(cw_console_t *c)
{
    uint64_t now = c->gen != NULL ? atomic_load(c->gen) : c->seen_gen + 1;
    if (now != c->seen_gen || c->nprojects >= CACHE_MAX - 2 || c->nkeys >= CACHE_MAX - 1) {
        cache_clear(c);
        c->seen_gen = now;
    }
}

int cw_console_project_find(cw_console_t *c, cw_str_t id, const cw_project_t **out)
{
    for (size_t i = 0; i < c->nprojects; i++) {
        if (cw_str_eq_cstr(id, c->projects[i]->id)) {
            *out = c->projects[i];
            return CW_OK;
        }
    }
    /* cw_console_refresh leaves room for two more projects and one more key, which is all one
     * request adds (an admin request looks up the project it names and the one it acts on),
     * so nothing borrowed is freed before the next refresh. */
    cw_project_t *p = cw_calloc(1, sizeof(*p));
    int rc = cw_console_project_get(c, id, p);
    if (rc != CW_OK) {
        free(p);
        return rc;
    }
    c->projects[c->nprojects++] = p;
    *out = p;
    return CW_OK;
}

int cw_console_key_lookup(cw_console_t *c, cw_str_t project_id, cw_str_t secret, const cw_key_t **out)
{
    for (size_t i = 0; i < c->nkeys; i++) {
        cached_key_t *k = c->keys[i];
        if (k->secret_len == secret.len && memcmp(k->secret, secret.ptr, secret.len) == 0 &&
            cw_str_eq_cstr(project_id, k->key.project_id)) {
            *out = &k->key;
            return CW_OK;
        }
    }
    cached_key_t *k = cw_calloc(1, sizeof(*k));
    int rc = cw_console_key_find(c, project_id, secret, &k->key);
    if (rc != CW_OK) {
        free(k);
        return rc;
    }
    k->secret = cw_strndup(secret.ptr, secret.len);
    k->secret_len = secret.len;
    c->keys[c->nkeys++] = k;
    *out = &k->key;
    return CW_OK;
}
