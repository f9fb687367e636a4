/*
 * Update operators: values of a document update or upsert that say how to change an attribute
 * rather than what to set it to, as node-appwrite's `Operator` helper sends them — a JSON string
 * such as {"method":"increment","values":[1,10]} in place of the value (an object of that shape is
 * taken too). The methods are utopia-php/database's: increment, decrement, multiply, divide,
 * modulo, power, arrayAppend, arrayPrepend, arrayInsert, arrayRemove, arrayUnique,
 * arrayIntersect, arrayDiff, arrayFilter, stringConcat, stringReplace, toggle, dateAddDays,
 * dateSubDays and dateSetNow. They are checked against the attribute with utopia's rules and
 * messages, and applied to the value the document holds inside the write's own transaction, so
 * two concurrent increments both count.
 *
 * The database layer calls these: cw_operator_extract when a write arrives (a malformed operator
 * is Appwrite's 400 general_bad_request), cw_operator_apply_all on the merged document before it
 * is validated and stored (an operator that does not fit is document_invalid_structure, as utopia's
 * Structure validator reports it). Results are new jansson values; inputs are borrowed. Pure
 * functions, any thread.
 */
#ifndef CW_DB_OPERATORS_H
#define CW_DB_OPERATORS_H

#include <jansson.h>
#include <stddef.h>

#include "db/schema.h"

/* The biggest list an array operator takes (utopia's MAX_ARRAY_OPERATOR_SIZE). */
#define CW_OPERATOR_ARRAY_MAX 10000

/* Whether v is an operator: a string holding JSON, or an object, whose "method" names one of the
 * methods. Returns 1 with *out a new reference to the decoded object, 0 when v is an ordinary value
 * (*out NULL), or -1 with the reason in msg when it names a method but is malformed (values that
 * are not an array, an attribute that is not a string). */
int cw_operator_parse(const json_t *v, json_t **out, char *msg, size_t size);

/* Applies a parsed operator to an attribute whose value is current (NULL or null: none). now is
 * the ISO date dateSetNow writes. Returns 0 with *result a new reference (the current value again
 * when a bound keeps it unchanged), or -1 with utopia's reason in msg ("Cannot apply increment
 * operator to non-numeric field 'name'", …). */
int cw_operator_apply(const json_t *op, const cw_attr_t *a, const json_t *current, const char *now,
                      json_t **result, char *msg, size_t size);

/* The operators among data's values on keys that are attributes of c (system keys and
 * relationships are left alone, and so are unknown keys, which validation refuses later).
 * *out: a new object of key -> decoded operator, or NULL when there is none. Returns 0, or -1 with
 * 'Invalid operator for attribute "key": …' in msg. */
int cw_operator_extract(const cw_collection_t *c, const json_t *data, json_t **out, char *msg,
                        size_t size);

/* Replaces the value of each key of ops in doc by the operator's result over current's value for
 * that key (current NULL: a document being created, whose values start at the attributes'
 * defaults). Returns 0, or -1 with "Invalid document structure: …" in msg. */
int cw_operator_apply_all(const cw_collection_t *c, const json_t *ops, const json_t *current,
                          json_t *doc, const char *now, char *msg, size_t size);

#endif
