/*
 * What the console store's modules share (console.c and console_meta.c): the connection of a
 * store and the call that tells every process a change was committed. Same thread rules as
 * cw_console_t.
 */
#ifndef CW_DB_CONSOLE_INTERNAL_H
#define CW_DB_CONSOLE_INTERNAL_H

#include <sqlite3.h>

#include "db/console.h"
#include "db/console_meta.h"

sqlite3 *cw__console_sqlite(cw_console_t *c);
/* Bumps the generation counter, so every connection drops its cache. */
void cw__console_changed(cw_console_t *c);
/* Makes console_meta.c's tables unless they exist; run by cw_console_open. */
int cw__console_meta_schema(sqlite3 *db);

#endif
