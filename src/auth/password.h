/*
 * Passwords as Appwrite keeps them: a hash string (the user's `password`) and a descriptor (its
 * `hash` name and `hashOptions` object). New passwords get argon2id with Appwrite's parameters
 * (7168 KiB, 5 passes, 1 thread) in the PHC form PHP's password_hash writes. Stored ones are
 * verified with the algorithm they were imported with: argon2 and bcrypt (any format PHP's
 * password_verify reads: $argon2id$/$argon2i$ with their own parameters, $2a$/$2b$/$2x$/$2y$,
 * $1$/$5$/$6$), md5, sha (eleven variants), phpass ($P$/$H$, or bcrypt), scrypt (php-scrypt's:
 * N, r, p as given, hex) and scryptMod (Firebase's). Hex and base64 results are compared as
 * strings, in constant time, as Appwrite's hash_equals does.
 *
 * Pure functions: any thread, no shared state. The caller owns every buffer, descriptor and
 * json_t it gets. Hashing is slow on purpose (argon2 tens of milliseconds, scrypt more): call it
 * from the worker pool, never from an event loop. Passwords and hashes are secrets: never log
 * them.
 */
#ifndef CW_AUTH_PASSWORD_H
#define CW_AUTH_PASSWORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/str.h"

/* The parameters of new passwords: Appwrite's overrides of utopia's defaults (65536/4/3). */
#define CW_PASSWORD_ARGON2_MEMORY 7168 /* KiB */
#define CW_PASSWORD_ARGON2_TIME 5
#define CW_PASSWORD_ARGON2_THREADS 1

/* Bounds on what a stored hash or an import may cost one verification. Appwrite sets none; these
 * keep one login from taking a worker for minutes or the machine's memory. */
#define CW_PASSWORD_ARGON2_MAX_MEMORY 1048576 /* KiB: 1 GiB */
#define CW_PASSWORD_ARGON2_MAX_TIME 64
#define CW_PASSWORD_ARGON2_MAX_THREADS 64
#define CW_PASSWORD_SCRYPT_MAX_MEMORY ((uint64_t)1 << 30) /* bytes of 128 * r * N */
#define CW_PASSWORD_SCRYPT_MAX_R 1024
#define CW_PASSWORD_SCRYPT_MAX_P 64
#define CW_PASSWORD_SCRYPT_MAX_LENGTH 1024 /* bytes of derived key */
/* The longest password hashed or verified; the service allows 256 characters. */
#define CW_PASSWORD_MAX_LEN 4096
/* The longest string option (salts, keys): Appwrite takes 128 characters, up to 4 bytes each. */
#define CW_PASSWORD_OPTION_MAX 512

typedef enum cw_password_algo {
    CW_PASSWORD_ARGON2,
    CW_PASSWORD_BCRYPT,
    CW_PASSWORD_MD5,
    CW_PASSWORD_SHA,
    CW_PASSWORD_PHPASS,
    CW_PASSWORD_SCRYPT,
    CW_PASSWORD_SCRYPT_MOD,
} cw_password_algo_t;

/* The `passwordVersion` values of POST /users/sha. */
typedef enum cw_password_sha {
    CW_PASSWORD_SHA1,
    CW_PASSWORD_SHA224,
    CW_PASSWORD_SHA256,
    CW_PASSWORD_SHA384,
    CW_PASSWORD_SHA512_224,
    CW_PASSWORD_SHA512_256,
    CW_PASSWORD_SHA512,
    CW_PASSWORD_SHA3_224,
    CW_PASSWORD_SHA3_256,
    CW_PASSWORD_SHA3_384,
    CW_PASSWORD_SHA3_512,
} cw_password_sha_t;

/* An algorithm and its options, field for field what `hashOptions` holds. Numbers are kept as
 * stored and checked when used. Strings are NUL-terminated. */
typedef struct cw_password_desc {
    cw_password_algo_t algo;
    union {
        struct {
            int64_t memory_cost, time_cost, threads; /* KiB, passes, lanes */
        } argon2;
        struct {
            int64_t cost;
        } bcrypt;
        struct {
            cw_password_sha_t version;
        } sha;
        struct {
            int64_t iteration_count_log2;
            bool portable_hashes;
            char random_state[CW_PASSWORD_OPTION_MAX + 1];
        } phpass;
        struct {
            int64_t cost_cpu;      /* N itself, a power of two (not its log) */
            int64_t cost_memory;   /* r */
            int64_t cost_parallel; /* p */
            int64_t length;        /* bytes of key; the hash is twice as many hex digits */
            char salt[CW_PASSWORD_OPTION_MAX + 1]; /* used as bytes, not decoded */
        } scrypt;
        struct {
            /* base64, as Firebase exports them */
            char salt[CW_PASSWORD_OPTION_MAX + 1];
            char salt_separator[CW_PASSWORD_OPTION_MAX + 1];
            char signer_key[CW_PASSWORD_OPTION_MAX + 1];
        } scrypt_mod;
    };
} cw_password_desc_t;

/* The `hash` names: "argon2", "bcrypt", "md5", "sha", "phpass", "scrypt", "scryptMod". Static. */
const char *cw_password_algo_name(cw_password_algo_t algo);
int cw_password_algo_parse(cw_str_t name, cw_password_algo_t *out);
/* "sha1", "sha224", "sha256", "sha384", "sha512/224", "sha512/256", "sha512", "sha3-224", …. */
const char *cw_password_sha_name(cw_password_sha_t version);
int cw_password_sha_parse(cw_str_t name, cw_password_sha_t *out);

/* What Appwrite starts an algorithm with before an import sets its parameters: argon2
 * 65536/4/3, bcrypt cost 8, sha256, phpass 2^8 non-portable with a time-and-pid random state,
 * scrypt N=8 r=14 p=1 length 64 with a random hex salt, scryptMod with random base64 salts and
 * key. */
void cw_password_desc_init(cw_password_desc_t *d, cw_password_algo_t algo);
/* The descriptor of new passwords: argon2 with CW_PASSWORD_ARGON2_*. */
void cw_password_desc_default(cw_password_desc_t *d);
/* true when a user's password should be re-hashed with the default at their next sign-in (what
 * Appwrite does for every algorithm but argon2). */
bool cw_password_needs_rehash(const cw_password_desc_t *d);
/* Checks an import's parameters as Appwrite's setters do (bcrypt cost 4..31; scrypt N a power of
 * two above 1, r and p at least 1, length at least 16, a salt other than "" and "0"; scryptMod
 * salts and key in base64 form), and against the CW_PASSWORD_*_MAX bounds. 0, or CW_EINVAL. */
int cw_password_desc_check(const cw_password_desc_t *d);

/* Reads a user's `hash` and `hashOptions` (NULL, JSON null or [] for none). Absent options take
 * the values of cw_password_desc_init, as in Appwrite (so a scrypt user without a salt gets a
 * random one and never matches). CW_EINVAL for an unknown name, options that are not an object,
 * a member of the wrong type, an unknown sha version or a string over CW_PASSWORD_OPTION_MAX. */
int cw_password_desc_parse(cw_str_t hash, const json_t *options, cw_password_desc_t *out);
/* The `hashOptions` object of d, keys in Appwrite's order (sha has only `version`). New
 * reference. */
json_t *cw_password_desc_options(const cw_password_desc_t *d);

/* Appends the hash of password under d: a PHC string for argon2 (random 16-byte salt, 32-byte
 * hash), $2y$ for bcrypt, hex for md5, sha and scrypt, $P$ (or $2a$ unless portable) for phpass,
 * base64 for scryptMod. Returns 0, or CW_EINVAL for parameters out of bounds. */
int cw_password_hash(const cw_password_desc_t *d, cw_str_t password, cw_buf_t *out);

/* Checks password against the stored hash. Returns 0 with *match, or CW_EINVAL (and *match
 * false) when the stored hash is not in a form the algorithm reads or its parameters are out of
 * bounds. Either way a false *match means "invalid credentials". */
int cw_password_verify(const cw_password_desc_t *d, cw_str_t password, cw_str_t stored,
                       bool *match);

#endif
