/*
 * Appwrite's abuse limits: which routes are limited (the abuse-limit, abuse-time, abuse-key and
 * abuse-reset labels of its route definitions), the counter keys built from a request, the 429
 * general_rate_limit_exceeded past a limit and the X-RateLimit-* headers. The counters live in a
 * cw_ratelimit_t store. Made once at start, before the server runs; then any thread may call.
 */
#ifndef CW_SERVICES_ABUSE_H
#define CW_SERVICES_ABUSE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/ratelimit.h"
#include "http/router.h"

typedef struct cw_abuse cw_abuse_t;

/* What a key template's placeholders stand for: {projectId}, {userId}, {userAgent}, {ip},
 * {url} (host, then Appwrite's route path), {method}, {chunkId}; {param-NAME} comes from the
 * request's parameters. */
typedef struct cw_abuse_vars {
    cw_str_t project_id, user_id, user_agent, ip, host, path, method;
    long long chunk_id;
} cw_abuse_vars_t;

/* Appends template to out with its placeholders filled, as Appwrite's TimeLimit::parseKey does
 * it; a placeholder without a value (an empty or absent parameter, an unknown name) stays as
 * written. params: a JSON object or NULL. */
void cw_abuse_key_fill(const char *template, const cw_abuse_vars_t *vars, const json_t *params,
                       cw_buf_t *out);
/* The upload chunk a Content-Range "bytes START-END/SIZE" names (START / chunk length), 0
 * without a valid one. */
long long cw_abuse_chunk_id(cw_str_t range);

/* enabled false (_APP_OPTIONS_ABUSE=disabled) counts nothing and refuses nothing; the headers
 * are still sent, as Appwrite sends them. The abuse state takes ownership of store. */
cw_abuse_t *cw_abuse_new(bool enabled, cw_ratelimit_t *store);
void cw_abuse_free(cw_abuse_t *a);

/* Before the handler, once the caller and the parameters are known. exempt: a request that is
 * not limited (an API key). Returns 0, or -1 with the 429 written; adds the headers of a limited
 * route either way. */
int cw_abuse_check(cw_abuse_t *a, cw_ctx_t *ctx, const char *user_id, bool exempt);
/* After the handler: a route that forgives on success (a session made) starts its counts
 * again. */
void cw_abuse_after(cw_abuse_t *a, cw_ctx_t *ctx, const char *user_id);

#endif
