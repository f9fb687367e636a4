/*
 * CORS as Appwrite answers it: the same allow/expose headers on every response, and the request's
 * Origin echoed in Access-Control-Allow-Origin only when its host is allowed. Pure functions; any
 * thread.
 */
#ifndef CW_HTTP_CORS_H
#define CW_HTTP_CORS_H

#include <stdbool.h>

#include "core/str.h"
#include "http/response.h"

/* The host of an origin ("https://app.example.com:443" -> "app.example.com"). */
cw_str_t cw_cors_origin_host(cw_str_t origin);
/* Whether host matches a comma-separated list of host patterns ("*", "*.example.com", "x.org"). */
bool cw_cors_host_matches(cw_str_t host, const char *patterns);
/* Adds the CORS headers; allow_origin says whether to echo the origin. */
void cw_cors_headers(cw_res_t *res, cw_str_t origin, bool allow_origin);

#endif
