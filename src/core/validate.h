/* Format checks Appwrite applies to user-facing values. Pure functions; any thread. */
#ifndef CW_CORE_VALIDATE_H
#define CW_CORE_VALIDATE_H

#include <stdbool.h>

#define CW_EMAIL_MAX 254

/* utopia's Email validator, in substance: one @, a local part and a dotted domain, no spaces or
 * specials, at most CW_EMAIL_MAX bytes. */
bool cw_valid_email(const char *s);
/* Appwrite's Phone validator: + then 1 to 15 digits, the first not 0. */
bool cw_valid_phone(const char *s);

#endif
