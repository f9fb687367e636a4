#include "db/console_meta.h"

#include <openssl/sha.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/console_internal.h"

/* As an API key's accessedAt: written at most once a day. */
#define DEV_KEY_TOUCH_INTERVAL_MS (24LL * 3600 * 1000)

static const char meta_schema[] =
    "CREATE TABLE IF NOT EXISTS project_meta ("
    " project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,"
    " team_id TEXT NOT NULL DEFAULT '', info TEXT NOT NULL DEFAULT '{}');"
    "CREATE TABLE IF NOT EXISTS dev_keys ("
    " id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE, expire INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " accessed_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS dev_keys_project ON dev_keys(project_id, created_at);";

int cw__console_meta_schema(sqlite3 *db)
{
    char *err = NULL;
    if (sqlite3_exec(db, meta_schema, NULL, NULL, &err) != SQLITE_OK) {
        cw_log(CW_LOG_ERROR, "db=console op=meta_schema error=\"%s\"", err ? err : "?");
        sqlite3_free(err);
        return CW_EIO;
    }
    return CW_OK;
}

static int fail(sqlite3 *db, const char *what)
{
    cw_log(CW_LOG_ERROR, "db=console op=%s error=\"%s\"", what, sqlite3_errmsg(db));
    return CW_EIO;
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *what)
{
    return sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK ? CW_OK : fail(db, what);
}

static bool project_exists(sqlite3 *db, const char *project_id)
{
    sqlite3_stmt *st;
    if (prepare(db, "SELECT 1 FROM projects WHERE id = ?1", &st, "project_exists") != CW_OK)
        return false;
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

int cw_console_project_team_get(cw_console_t *c, const char *project_id,
                                char team_id[CW_CONSOLE_ID_SIZE])
{
    sqlite3 *db = cw__console_sqlite(c);
    sqlite3_stmt *st;
    if (prepare(db,
                "SELECT coalesce(m.team_id, '') FROM projects p LEFT JOIN project_meta m ON "
                "m.project_id = p.id WHERE p.id = ?1",
                &st, "project_team_get") != CW_OK)
        return CW_EIO;
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(team_id, CW_CONSOLE_ID_SIZE, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return CW_OK;
    return rc == SQLITE_DONE ? CW_ENOTFOUND : fail(db, "project_team_get");
}

/* Writes one column of the project's meta row, making the row on first use. */
static int meta_set(cw_console_t *c, const char *project_id, const char *column, const char *value)
{
    sqlite3 *db = cw__console_sqlite(c);
    if (!project_exists(db, project_id))
        return CW_ENOTFOUND;
    char sql[160];
    snprintf(sql, sizeof(sql),
             "INSERT INTO project_meta (project_id, %s) VALUES (?1, ?2) "
             "ON CONFLICT(project_id) DO UPDATE SET %s = excluded.%s",
             column, column, column);
    sqlite3_stmt *st;
    if (prepare(db, sql, &st, "project_meta_set") != CW_OK)
        return CW_EIO;
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rc == SQLITE_CONSTRAINT ? CW_ENOTFOUND : fail(db, "project_meta_set");
    return CW_OK;
}

static int touch_project(sqlite3 *db, const char *project_id, const char *name)
{
    sqlite3_stmt *st;
    if (prepare(db, "UPDATE projects SET name = coalesce(?1, name), updated_at = ?2 WHERE id = ?3",
                &st, "project_touch") != CW_OK)
        return CW_EIO;
    if (name != NULL)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, cw_time_now_ms());
    sqlite3_bind_text(st, 3, project_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, "project_touch");
    return sqlite3_changes(db) > 0 ? CW_OK : CW_ENOTFOUND;
}

int cw_console_project_team_set(cw_console_t *c, const char *project_id, const char *team_id)
{
    int rc = meta_set(c, project_id, "team_id", team_id);
    if (rc == CW_OK)
        rc = touch_project(cw__console_sqlite(c), project_id, NULL);
    if (rc == CW_OK)
        cw__console_changed(c);
    return rc;
}

int cw_console_project_info_get(cw_console_t *c, const char *project_id, json_t **out)
{
    sqlite3 *db = cw__console_sqlite(c);
    sqlite3_stmt *st;
    *out = NULL;
    if (prepare(db, "SELECT info FROM project_meta WHERE project_id = ?1", &st,
                "project_info_get") != CW_OK)
        return CW_EIO;
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(db, "project_info_get");
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = json_object();
    }
    return CW_OK;
}

int cw_console_project_update(cw_console_t *c, const char *project_id, const char *name,
                              const json_t *info)
{
    sqlite3 *db = cw__console_sqlite(c);
    if (info != NULL && !json_is_object(info))
        return CW_EINVAL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "project_update");
    int rc = touch_project(db, project_id, name);
    if (rc == CW_OK && info != NULL) {
        char *text = json_dumps(info, JSON_COMPACT);
        rc = meta_set(c, project_id, "info", text);
        free(text);
    }
    if (rc == CW_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(db, "project_update");
    if (rc != CW_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    cw__console_changed(c);
    return CW_OK;
}

/* Dev keys ------------------------------------------------------------------------------------ */

#define DEV_KEY_COLUMNS "id, project_id, name, expire, created_at, updated_at, accessed_at"

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

static void read_dev_key(sqlite3_stmt *st, cw_dev_key_t *k)
{
    memset(k, 0, sizeof(*k));
    snprintf(k->id, sizeof(k->id), "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(k->project_id, sizeof(k->project_id), "%s", (const char *)sqlite3_column_text(st, 1));
    k->name = cw_strdup((const char *)sqlite3_column_text(st, 2));
    k->expire = sqlite3_column_int64(st, 3);
    k->created_at = sqlite3_column_int64(st, 4);
    k->updated_at = sqlite3_column_int64(st, 5);
    k->accessed_at = sqlite3_column_int64(st, 6);
}

void cw_dev_key_clear(cw_dev_key_t *k)
{
    free(k->name);
    k->name = NULL;
}

int cw_console_dev_key_create(cw_console_t *c, const char *project_id, const char *name,
                              int64_t expire, cw_dev_key_t *out, char *secret_out)
{
    sqlite3 *db = cw__console_sqlite(c);
    char hash[65];
    cw_dev_key_t k = {0};
    cw_id_unique(k.id);
    snprintf(k.project_id, sizeof(k.project_id), "%s", project_id);
    k.expire = expire;
    k.created_at = k.updated_at = cw_time_now_ms();
    cw_random_hex(secret_out, CW_DEV_KEY_SECRET_LEN / 2);
    secret_out[CW_DEV_KEY_SECRET_LEN] = '\0';
    hash_secret(secret_out, CW_DEV_KEY_SECRET_LEN, hash);
    sqlite3_stmt *st;
    if (prepare(db,
                "INSERT INTO dev_keys (id, project_id, name, secret_hash, expire, created_at, "
                "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                &st, "dev_key_create") != CW_OK)
        return CW_EIO;
    sqlite3_bind_text(st, 1, k.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, project_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, expire);
    sqlite3_bind_int64(st, 6, k.created_at);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT)
        return CW_ENOTFOUND; /* the project is gone */
    if (rc != SQLITE_DONE)
        return fail(db, "dev_key_create");
    cw__console_changed(c);
    if (out != NULL) {
        k.name = cw_strdup(name);
        *out = k;
    }
    return CW_OK;
}

int cw_console_dev_key_get(cw_console_t *c, const char *project_id, const char *key_id,
                           cw_dev_key_t *out)
{
    sqlite3 *db = cw__console_sqlite(c);
    sqlite3_stmt *st;
    if (prepare(db, "SELECT " DEV_KEY_COLUMNS " FROM dev_keys WHERE project_id = ?1 AND id = ?2",
                &st, "dev_key_get") != CW_OK)
        return CW_EIO;
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_dev_key(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return CW_OK;
    return rc == SQLITE_DONE ? CW_ENOTFOUND : fail(db, "dev_key_get");
}

int cw_console_dev_key_update(cw_console_t *c, const char *project_id, const char *key_id,
                              const char *name, int64_t expire)
{
    sqlite3 *db = cw__console_sqlite(c);
    sqlite3_stmt *st;
    if (prepare(db,
                "UPDATE dev_keys SET name = ?1, expire = ?2, updated_at = ?3 WHERE project_id = "
                "?4 AND id = ?5",
                &st, "dev_key_update") != CW_OK)
        return CW_EIO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, expire);
    sqlite3_bind_int64(st, 3, cw_time_now_ms());
    sqlite3_bind_text(st, 4, project_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, "dev_key_update");
    if (sqlite3_changes(db) == 0)
        return CW_ENOTFOUND;
    cw__console_changed(c);
    return CW_OK;
}

int cw_console_dev_key_delete(cw_console_t *c, const char *project_id, const char *key_id)
{
    sqlite3 *db = cw__console_sqlite(c);
    sqlite3_stmt *st;
    if (prepare(db, "DELETE FROM dev_keys WHERE project_id = ?1 AND id = ?2", &st,
                "dev_key_delete") != CW_OK)
        return CW_EIO;
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, "dev_key_delete");
    if (sqlite3_changes(db) == 0)
        return CW_ENOTFOUND;
    cw__console_changed(c);
    return CW_OK;
}

int cw_console_dev_key_each(cw_console_t *c, const char *project_id,
                            int (*cb)(const cw_dev_key_t *k, void *arg), void *arg)
{
    sqlite3 *db = cw__console_sqlite(c);
    sqlite3_stmt *st;
    if (prepare(db,
                "SELECT " DEV_KEY_COLUMNS
                " FROM dev_keys WHERE project_id = ?1 ORDER BY created_at, id",
                &st, "dev_key_each") != CW_OK)
        return CW_EIO;
    sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cw_dev_key_t k;
        read_dev_key(st, &k);
        int stop = cb(&k, arg);
        cw_dev_key_clear(&k);
        if (stop)
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CW_OK : fail(db, "dev_key_each");
}

int cw_console_dev_key_use(cw_console_t *c, cw_str_t project_id, cw_str_t secret, int64_t now,
                           cw_dev_key_t *out)
{
    sqlite3 *db = cw__console_sqlite(c);
    char hash[65];
    hash_secret(secret.ptr, secret.len, hash);
    sqlite3_stmt *st;
    if (prepare(db,
                "SELECT " DEV_KEY_COLUMNS
                " FROM dev_keys WHERE secret_hash = ?1 AND project_id = ?2",
                &st, "dev_key_use") != CW_OK)
        return CW_EIO;
    sqlite3_bind_text(st, 1, hash, 64, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, project_id.ptr, (int)project_id.len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_dev_key(st, out);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? CW_ENOTFOUND : fail(db, "dev_key_use");
    if (out->expire != 0 && out->expire < now) {
        cw_dev_key_clear(out);
        return CW_ENOTFOUND;
    }
    if (now - out->accessed_at >= DEV_KEY_TOUCH_INTERVAL_MS &&
        prepare(db, "UPDATE dev_keys SET accessed_at = ?1 WHERE id = ?2", &st, "dev_key_touch") ==
            CW_OK) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_text(st, 2, out->id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE)
            out->accessed_at = now;
        sqlite3_finalize(st);
    }
    return CW_OK;
}
