/*
 * JSON Web Tokens as Appwrite issues them: HS256 under the server key (_APP_OPENSSL_KEY_V1), a
 * header {"typ":"JWT","alg":"HS256"}, and an `exp` claim set to now + max age unless the payload
 * brings `iat` or `exp` of its own. The account JWTs of POST /account/jwts carry {userId,
 * sessionId, exp} and come back in X-Appwrite-JWT; ephemeral API keys use the generic calls.
 *
 * Decoding is strict where Appwrite's library is lenient: exactly three segments of unpadded,
 * canonical base64url, a JSON object for header and payload, `alg` exactly "HS256" (so "none" and
 * every other algorithm are refused), no `kid` or `crit`, an integer `exp`. The signature is
 * compared in constant time, and the payload is parsed only once the signature holds.
 *
 * Pure functions of their arguments: any thread. Output goes into the caller's buffer, or into a
 * json_t the caller then owns (json_decref). Also home of the base64 codec the other files of
 * auth/ share (cw__b64_*).
 */
#ifndef CW_AUTH_JWT_H
#define CW_AUTH_JWT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/id.h"
#include "core/str.h"

/* The longest token read; an account JWT is about 200 bytes, an ephemeral key a few KiB. */
#define CW_JWT_MAX_LEN 16384
/* POST /account/jwts: the default and largest `duration`, in seconds. */
#define CW_JWT_ACCOUNT_DURATION 900
#define CW_JWT_ACCOUNT_DURATION_MAX 3600
/* The max age X-Appwrite-JWT is decoded with; it bounds tokens that carry `iat`. */
#define CW_JWT_ACCOUNT_MAX_AGE 3600

/* Why a token was refused. cw_jwt_error_message gives the text Appwrite's library uses. */
typedef enum cw_jwt_error {
    CW_JWT_OK = 0,
    CW_JWT_SEGMENTS,        /* not three dot-separated segments */
    CW_JWT_MALFORMED,       /* bad base64url, too long, or a `crit` header */
    CW_JWT_JSON,            /* the header or payload is not a JSON object */
    CW_JWT_ALG_MISSING,     /* no `alg` in the header */
    CW_JWT_ALG_UNSUPPORTED, /* an `alg` other than HS256, "none" included */
    CW_JWT_KID_UNKNOWN,     /* a `kid` header: we hold one key and name none */
    CW_JWT_SIGNATURE,       /* the signature does not match */
    CW_JWT_CLAIMS,          /* `exp` missing, or a time or account claim of the wrong type */
    CW_JWT_EXPIRED,         /* now >= exp, or now >= iat + max age */
    CW_JWT_NOT_YET,         /* now < nbf */
} cw_jwt_error_t;

/* The claims of an account JWT. An empty user_id is a token for nobody: the caller treats the
 * request as a guest's, as Appwrite does. */
typedef struct cw_jwt_account {
    char user_id[CW_ID_MAX_LEN + 1];
    char session_id[CW_ID_MAX_LEN + 1];
} cw_jwt_account_t;

/* What follows "Failed to verify JWT. " in Appwrite's user_jwt_invalid message. Static. */
const char *cw_jwt_error_message(cw_jwt_error_t e);

/* Appends a token for payload (a JSON object, not modified) signed with key. Adds exp = now +
 * max_age when the payload has neither `iat` nor `exp`. Returns 0, or CW_EINVAL for an empty key,
 * a payload that is not an object, or max_age < 1. */
int cw_jwt_encode(cw_str_t key, const json_t *payload, int64_t now, int64_t max_age, cw_buf_t *out);

/* Verifies token against key at time now (Unix seconds). On success returns 0 and, when payload
 * is not NULL, a new reference to the payload object. Otherwise returns CW_EINVAL and says why in
 * *why (when why is not NULL). */
int cw_jwt_decode(cw_str_t key, cw_str_t token, int64_t now, int64_t max_age, json_t **payload,
                  cw_jwt_error_t *why);

/* The token of POST /account/jwts: {"userId":…,"sessionId":…,"exp":now+duration}. user_id must
 * be a valid ID, session_id one or empty (a JWT bound to no session, as users.createJWT makes for
 * a user without one). Returns 0, or CW_EINVAL. */
int cw_jwt_account_encode(cw_str_t key, cw_str_t user_id, cw_str_t session_id, int64_t now,
                          int64_t duration, cw_buf_t *out);

/* Decodes an X-Appwrite-JWT value (max age CW_JWT_ACCOUNT_MAX_AGE) into *out. userId and
 * sessionId, when present, must be strings that are empty or valid IDs (CW_JWT_CLAIMS otherwise);
 * absent ones come back empty. Returns 0, or CW_EINVAL with the reason in *why. */
int cw_jwt_account_decode(cw_str_t key, cw_str_t token, int64_t now, cw_jwt_account_t *out,
                          cw_jwt_error_t *why);

/* Internal to auth/: base64 (RFC 4648). The URL alphabet is written without padding and read
 * only without it; the standard one is written with padding and read with or without it, but a
 * padding that is there must be right. Decoding refuses any other byte (whitespace included) and
 * non-zero bits after the last byte, so each byte string has exactly one accepted form. */
#define CW__B64_ENCODED_LEN(n) (((n) + 2) / 3 * 4)
size_t cw__b64_encode_raw(char *dst, const void *src, size_t len, bool url);
void cw__b64_encode(cw_buf_t *out, const void *src, size_t len, bool url);
/* Decodes into out (cap bytes). Returns 0 with *out_len, or CW_EINVAL (bad input or too long). */
int cw__b64_decode(cw_str_t in, bool url, unsigned char *out, size_t cap, size_t *out_len);

#endif
