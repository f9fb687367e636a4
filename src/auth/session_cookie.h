/*
 * The session cookie as Appwrite writes it: `a_session_<projectId>` (and its `_legacy` twin) whose
 * value is base64 of the JSON {"id":"<userId>","secret":"<session secret>"}. The same value comes
 * back in the X-Appwrite-Session header, and inside X-Fallback-Cookies, a JSON object
 * {"a_session_<projectId>":"<value>"} for clients that cannot keep cookies.
 *
 * Decoding is strict and bounded: canonical base64 (padding optional, as PHP reads it), a JSON
 * object with exactly the string members `id` (a valid ID) and `secret` (1 to
 * CW_SESSION_SECRET_MAX letters and digits), nothing else. Any failure means "no session here",
 * and the caller goes on to the next place a session may be.
 *
 * Pure functions: any thread. Results go into the caller's buffer or struct; nothing is allocated
 * that outlives a call. The values are secrets: never log them.
 */
#ifndef CW_AUTH_SESSION_COOKIE_H
#define CW_AUTH_SESSION_COOKIE_H

#include "core/buf.h"
#include "core/id.h"
#include "core/str.h"

/* Appwrite's secrets are 256 hex digits; older or foreign ones may be shorter. */
#define CW_SESSION_SECRET_MAX 512
/* The longest cookie value read: base64 of the largest JSON accepted, with room to spare. */
#define CW_SESSION_COOKIE_MAX 1024
/* The longest X-Fallback-Cookies header read. */
#define CW_SESSION_FALLBACK_MAX 8192

typedef struct cw_session_cookie {
    char id[CW_ID_MAX_LEN + 1];
    char secret[CW_SESSION_SECRET_MAX + 1];
} cw_session_cookie_t;

/* Appends the cookie name of a project, "a_session_<projectId>" (console: "a_session_console"). */
void cw_session_cookie_name(cw_str_t project_id, cw_buf_t *out);

/* Appends the cookie value for a session. Returns 0, or CW_EINVAL when user_id is not a valid ID
 * or secret is not 1 to CW_SESSION_SECRET_MAX letters and digits. */
int cw_session_cookie_encode(cw_str_t user_id, cw_str_t secret, cw_buf_t *out);

/* Reads a cookie (or X-Appwrite-Session) value. Returns 0 with *out filled, or CW_EINVAL. */
int cw_session_cookie_decode(cw_str_t value, cw_session_cookie_t *out);

/* Appends the X-Fallback-Cookies header value: {"<cookie_name>":"<value>"} as PHP's json_encode
 * writes it ("/" as "\/"), or [] when value.ptr is NULL (what Appwrite sends on sign-out). */
void cw_session_fallback_encode(cw_str_t cookie_name, cw_str_t value, cw_buf_t *out);

/* Finds cookie_name in an X-Fallback-Cookies header and decodes its value. Returns 0 with *out, or
 * CW_EINVAL when the header is not a JSON object, has no such string member, or its value does
 * not decode. */
int cw_session_fallback_decode(cw_str_t header, cw_str_t cookie_name, cw_session_cookie_t *out);

#endif
