/*
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) as Appwrite's authenticators use
 * them: HMAC-SHA1, 6 digits, 30-second steps from the Unix epoch; secrets of 64 random bytes in
 * unpadded upper-case base32 (RFC 4648); the otpauth:// provisioning URI that authenticator apps
 * scan.
 *
 * Everything here is pure (no I/O but the system's random source) and may run on any thread.
 * Outputs go to caller-provided arrays or cw_buf_t buffers the caller owns.
 */
#ifndef CW_AUTH_TOTP_H
#define CW_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/str.h"

#define CW_TOTP_DIGITS 6
#define CW_TOTP_PERIOD 30
#define CW_TOTP_SECRET_BYTES 64
/* 64 bytes are 512 bits: 103 base32 characters once the padding is dropped. */
#define CW_TOTP_SECRET_LEN ((CW_TOTP_SECRET_BYTES * 8 + 4) / 5)
/* Appwrite compares the code of the current step only: no earlier or later step passes. */
#define CW_TOTP_WINDOW 0

/* RFC 4648 base32 of n bytes, upper case, without '=' padding, appended to out. */
void cw_base32_encode(const uint8_t *in, size_t n, cw_buf_t *out);
/* Decodes base32 (either case; trailing '=' padding allowed, none inside) into out, which holds
 * at most cap bytes. Leftover bits of the last character must be zero, so that every value has
 * one spelling. Returns 0 with *n set, or -1 for a character outside the alphabet, misplaced
 * padding, leftover bits or an output longer than cap. */
int cw_base32_decode(cw_str_t in, uint8_t *out, size_t cap, size_t *n);

/* The HOTP value of key at counter, reduced to `digits` decimal digits (1..9), as a number. */
uint32_t cw_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits);
/* The CW_TOTP_DIGITS-digit code of key at Unix time t_s (seconds), zero-padded, with a NUL. */
void cw_totp_code(const uint8_t *key, size_t key_len, int64_t t_s, char out[CW_TOTP_DIGITS + 1]);

/* A new secret: CW_TOTP_SECRET_BYTES random bytes in base32, with a NUL. */
void cw_totp_secret_new(char out[CW_TOTP_SECRET_LEN + 1]);
/* Whether otp is the code of the base32 secret at now_s or within `window` steps either side.
 * A secret that does not decode never matches. The comparison takes the same time whatever
 * the digits. */
bool cw_totp_verify(cw_str_t secret_b32, cw_str_t otp, int64_t now_s, int window);

/* The provisioning URI as Appwrite's library writes it:
 * otpauth://totp/<issuer ":" label, percent-encoded>?issuer=<issuer>&secret=<secret>, without
 * issuer (in either place) when it is empty. Appended to out. */
void cw_totp_uri(const char *issuer, const char *label, const char *secret, cw_buf_t *out);

#endif
