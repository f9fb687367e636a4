/*
 * URLs a client gives (the `url` of recovery, verification and magic-URL mails): split into their
 * parts as PHP's parse_url splits them, and rebuilt with extra query parameters as Appwrite builds
 * the link it mails (the old query decoded and merged, then form-encoded again). Slices point into
 * the caller's input; pure functions, any thread.
 */
#ifndef CW_CORE_URL_H
#define CW_CORE_URL_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/str.h"

typedef struct cw_url {
    cw_str_t scheme; /* without ':' */
    cw_str_t user, pass;
    cw_str_t host; /* as written; an IPv6 address keeps its brackets */
    cw_str_t port; /* digits only */
    cw_str_t path;
    cw_str_t query;    /* without '?' */
    cw_str_t fragment; /* without '#' */
    bool has_scheme, has_user, has_pass, has_host, has_port, has_query, has_fragment;
} cw_url_t;

/* Splits s. Returns 0, or -1 where parse_url gives up (an empty host after "//", a port that is
 * not a number up to 65535); *u is then cleared. */
int cw_url_parse(cw_str_t s, cw_url_t *u);

/* The scheme of s as Appwrite's Origin validator reads it: parse_url's, else a leading
 * "letters:" (empty when there is none). */
cw_str_t cw_url_scheme(cw_str_t s);

/* Writes u back as a URL with the NULL-terminated key/value pairs merged into its query: an old
 * parameter of the same name is replaced where it stood, new ones follow; the whole query is
 * form-encoded (space as '+'). Parameters written with brackets stay plain names. */
void cw_url_build(const cw_url_t *u, const char *const *pairs, cw_buf_t *out);

/* Form-encodes s as PHP's urlencode: letters, digits and "-_." stay, space becomes '+', the rest
 * %XX. */
void cw_url_encode(cw_str_t s, cw_buf_t *out);

#endif
