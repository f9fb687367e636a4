/*
 * Country of an IP address, from a MaxMind DB country database (GeoLite2-Country, DB-IP country
 * lite, or any file with the same `country.iso_code` and `continent.code` fields). The database is
 * opened on the first lookup and kept mapped for the life of the process; lookups read the mapped
 * file only, so they never block and any thread may call them.
 */
#ifndef CW_SERVICES_LOCALE_GEO_H
#define CW_SERVICES_LOCALE_GEO_H

#include <stdbool.h>

#include "core/str.h"

/* What the database says about one address. Either code may be empty: a record need not carry
 * both. */
typedef struct cw_locale_geo {
    char country[8];   /* ISO 3166-1 alpha-2 as stored, "DE" */
    char continent[8]; /* "EU" */
} cw_locale_geo_t;

/* True when ip is one IPv4 or IPv6 address in text form, nothing around it. */
bool cw_locale_geo_ip_valid(cw_str_t ip);

/* Looks ip up in the database at db_path (NULL or "" means none). The first call opens the file
 * and logs a warning when it cannot; later calls reuse what the first one opened, whatever path
 * they pass. Returns CW_OK with *out filled when the database has a record for the address,
 * CW_ENOTFOUND when it has none, when ip is not an address, or when there is no database. */
int cw_locale_geo_lookup(const char *db_path, cw_str_t ip, cw_locale_geo_t *out);

#endif
