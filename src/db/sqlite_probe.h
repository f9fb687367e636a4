/*
 * A health probe of the embedded database engine as project databases use it: in a scratch SQLite
 * file (WAL, like every project database) under a folder, create a table, write a row, read it
 * back, then close and remove every file of it. Blocking disk work: worker threads only. Nothing
 * stays allocated or on disk.
 */
#ifndef CW_DB_SQLITE_PROBE_H
#define CW_DB_SQLITE_PROBE_H

/* Returns 0 when the round trip succeeded, CW_EIO when any step failed (logged). */
int cw_sqlite_probe_run(const char *dir);

#endif
