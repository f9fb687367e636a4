#include "db/sqlite_probe.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/id.h"
#include "core/log.h"
#include "core/status.h"

int cw_sqlite_probe_run(const char *dir)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char rnd[17], path[4096], extra[4200];
    int rc = CW_EIO;
    cw_random_hex(rnd, 8);
    if ((size_t)snprintf(path, sizeof(path), "%s/.health-%s.db", dir, rnd) >= sizeof(path))
        return CW_EIO;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL;"
                     "CREATE TABLE probe (v TEXT NOT NULL);"
                     "INSERT INTO probe (v) VALUES ('cwrite');",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_prepare_v2(db, "SELECT v FROM probe", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        goto fail;
    const unsigned char *v = sqlite3_column_text(st, 0);
    if (v == NULL || strcmp((const char *)v, "cwrite") != 0)
        goto fail;
    rc = CW_OK;
    goto out;
fail:
    cw_log(CW_LOG_ERROR, "db=probe msg=\"project database round trip failed\" error=\"%s\"",
           db != NULL ? sqlite3_errmsg(db) : "cannot open");
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    unlink(path);
    snprintf(extra, sizeof(extra), "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof(extra), "%s-shm", path);
    unlink(extra);
    return rc;
}
