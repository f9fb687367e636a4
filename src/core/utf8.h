/* UTF-8 validation for client bytes. Pure functions; any thread. */
#ifndef CW_CORE_UTF8_H
#define CW_CORE_UTF8_H

#include <stddef.h>

#include "core/str.h"

/* Returns the length of the valid UTF-8 sequence at p (1-4), or 0 if the bytes there are not
 * valid UTF-8 (overlong forms, surrogates and code points past U+10FFFF are invalid). */
size_t cw_utf8_seq_len(const unsigned char *p, size_t left);
int cw_utf8_valid(const char *p, size_t len);
/* Number of code points, as Appwrite counts string lengths; invalid bytes count one each. */
size_t cw_utf8_count(const char *p, size_t len);

/* Client bytes made safe to show in a message: at most max bytes, cut at a character boundary and
 * marked "...", invalid UTF-8 and control bytes shown as '?'. dst holds max + 4 bytes. */
const char *cw_utf8_printable(char *dst, size_t max, cw_str_t s);

#endif
