/*
 * A document's values checked against its collection's attributes, with the rules of utopia's
 * Structure validator as Appwrite 1.9 runs it on SQL: required attributes present, no unknown
 * keys, each value of its type, size, range and format (email, enum, IP, URL), geometries by
 * utopia's Spatial rules (db/spatial.h), arrays element by element. Also the value rules on their
 * own, for attribute defaults. Pure functions; any thread.
 * Messages are written into caller buffers; nothing is kept (a WKT value is parsed into a
 * geometry freed before the call returns).
 */
#ifndef CW_DB_STRUCTURE_H
#define CW_DB_STRUCTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/schema.h"

/* The datetime range of document values: MariaDB's, which Appwrite's SQL adapters enforce. */
#define CW_STRUCTURE_MIN_DATE_MS (-30610224000000LL) /* 1000-01-01T00:00:00.000 */
#define CW_STRUCTURE_MAX_DATE_MS (253402300799000LL) /* 9999-12-31T23:59:59.000 */

/* Checks one value (an element, for array attributes) against the attribute's type and format.
 * Returns true when valid; otherwise writes the rule it breaks ("Value must be ...") into rule and
 * sets *is_format when the format (not the type) refused it, as Appwrite's message says which. */
bool cw_structure_value_valid(const cw_attr_t *a, const json_t *v, char *rule, size_t size,
                              bool *is_format);

/* Checks a whole document: the system keys ($id, $createdAt, $updatedAt, $permissions; others
 * starting with '$' are unknown) and one key per attribute. Returns 0, or -1 with the reason in
 * msg ("Invalid document structure: ..."). */
int cw_structure_validate(const cw_collection_t *c, const json_t *doc, char *msg, size_t size);

/* The string formats, as PHP's filter_var checks them. */
bool cw_structure_email_valid(const char *s, size_t n);
bool cw_structure_url_valid(const char *s, size_t n);
bool cw_structure_ip_valid(const char *s, size_t n);

/* Appwrite's datetime values: a date or date-time whose year has four digits, within the range
 * above. *ms receives the instant. */
bool cw_structure_datetime_valid(const char *s, size_t n, int64_t *ms);

/* PHP's number_format($v): rounded to an integer, thousands separated by commas. */
void cw_structure_number_format(double v, char *out, size_t size);
void cw_structure_int_format(int64_t v, char *out, size_t size);

#endif
