/* Identifiers as Appwrite makes and checks them, and random secrets. Any thread. */
#ifndef CW_CORE_ID_H
#define CW_CORE_ID_H

#include <stddef.h>

#include "core/str.h"

#define CW_ID_LEN 20
#define CW_ID_MAX_LEN 36

/* A new unique ID: 13 hex digits of time (seconds and microseconds) and 7 random ones. */
void cw_id_unique(char out[CW_ID_LEN + 1]);
/* 1 when s is a valid custom ID: 1..max chars of [A-Za-z0-9._-], not starting with . _ or -. */
int cw_id_valid(cw_str_t s, size_t max);
/* Fills out with n random bytes written as 2n lowercase hex digits and a NUL. */
void cw_random_hex(char *out, size_t n);

#endif
