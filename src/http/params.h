/*
 * Readers of client bytes: the query string (and form bodies) with PHP-style nested names
 * (`a=1`, `a[]=1`, `a[0]=1`, `a[b][c]=1`), and the Cookie header. Results are jansson values
 * owned by the caller, or slices into the caller's bytes; no global state, any thread.
 */
#ifndef CW_HTTP_PARAMS_H
#define CW_HTTP_PARAMS_H

#include <jansson.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/str.h"

#define CW_PARAMS_MAX_DEPTH 8
#define CW_PARAMS_MAX_COUNT 1000

/* Percent-decodes s into out (which must hold s.len bytes); '+' becomes a space when plus is set.
 * Returns the decoded length. Malformed escapes are kept as they are, as PHP does. */
size_t cw_url_decode(const char *s, size_t len, char *out, int plus);

/* Parses a query string or form body into the object `into` (created by the caller). Values are
 * strings; later keys override earlier ones. Returns 0, or -1 when a name or value is not valid
 * UTF-8 after decoding (*bad_name then names the parameter, allocated from arena). */
int cw_params_parse_query(const char *s, size_t len, json_t *into, cw_arena_t *arena,
                          const char **bad_name);

typedef struct cw_cookie {
    cw_str_t name;
    cw_str_t value;
} cw_cookie_t;

/* Splits a Cookie header into at most max name=value pairs (slices into s, whitespace trimmed,
 * values not decoded). Pairs without '=' or with an empty name are skipped. Returns the count. */
size_t cw_cookies_parse(const char *s, size_t len, cw_cookie_t *out, size_t max);

#endif
