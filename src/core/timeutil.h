/* Clock readings and Appwrite's date format. Pure functions; any thread. */
#ifndef CW_CORE_TIMEUTIL_H
#define CW_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

#define CW_TIME_ISO_LEN 30 /* "2026-08-21T12:42:57.123+00:00" plus NUL */

int64_t cw_time_now_ms(void);     /* wall clock, ms since the epoch */
int64_t cw_time_now_us(void);     /* wall clock, µs since the epoch */
int64_t cw_time_mono_us(void);    /* monotonic clock, µs */
/* Formats ms since the epoch as Appwrite does: UTC, milliseconds, "+00:00". */
void cw_time_format(int64_t ms, char out[CW_TIME_ISO_LEN]);
/* Parses an ISO-8601 date or date-time (with optional fraction and offset; no offset means UTC)
 * into ms since the epoch. Returns 0, or -1 when s is not such a date. */
int cw_time_parse(cw_str_t s, int64_t *ms);

#endif
