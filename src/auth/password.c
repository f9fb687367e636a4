#include "auth/password.h"

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/status.h"

#define ARGON2_SALT_LEN 16 /* what PHP's password_hash uses */
#define ARGON2_HASH_LEN 32
/* The longest stored hash string read; real ones are under 200 bytes. */
#define STORED_MAX 1024

/* Firebase's fixed scrypt parameters, as Appwrite applies them to every scryptMod user. */
#define FIREBASE_N 16384
#define FIREBASE_R 8
#define FIREBASE_P 1
#define FIREBASE_DK_LEN 64

static const char itoa64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static const char *const algo_names[] = {
    [CW_PASSWORD_ARGON2] = "argon2",
    [CW_PASSWORD_BCRYPT] = "bcrypt",
    [CW_PASSWORD_MD5] = "md5",
    [CW_PASSWORD_SHA] = "sha",
    [CW_PASSWORD_PHPASS] = "phpass",
    [CW_PASSWORD_SCRYPT] = "scrypt",
    [CW_PASSWORD_SCRYPT_MOD] = "scryptMod",
};

static const char *const sha_names[] = {
    [CW_PASSWORD_SHA1] = "sha1",
    [CW_PASSWORD_SHA224] = "sha224",
    [CW_PASSWORD_SHA256] = "sha256",
    [CW_PASSWORD_SHA384] = "sha384",
    [CW_PASSWORD_SHA512_224] = "sha512/224",
    [CW_PASSWORD_SHA512_256] = "sha512/256",
    [CW_PASSWORD_SHA512] = "sha512",
    [CW_PASSWORD_SHA3_224] = "sha3-224",
    [CW_PASSWORD_SHA3_256] = "sha3-256",
    [CW_PASSWORD_SHA3_384] = "sha3-384",
    [CW_PASSWORD_SHA3_512] = "sha3-512",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- names ---------------------------------------------------------------------------------- */

const char *cw_password_algo_name(cw_password_algo_t algo)
{
    return (unsigned)algo < COUNT(algo_names) ? algo_names[algo] : "";
}

int cw_password_algo_parse(cw_str_t name, cw_password_algo_t *out)
{
    for (size_t i = 0; i < COUNT(algo_names); i++) {
        if (cw_str_eq_cstr(name, algo_names[i])) {
            *out = (cw_password_algo_t)i;
            return 0;
        }
    }
    return CW_EINVAL;
}

const char *cw_password_sha_name(cw_password_sha_t version)
{
    return (unsigned)version < COUNT(sha_names) ? sha_names[version] : "";
}

int cw_password_sha_parse(cw_str_t name, cw_password_sha_t *out)
{
    for (size_t i = 0; i < COUNT(sha_names); i++) {
        if (cw_str_eq_cstr(name, sha_names[i])) {
            *out = (cw_password_sha_t)i;
            return 0;
        }
    }
    return CW_EINVAL;
}

/* ---- small helpers -------------------------------------------------------------------------- */

static void random_bytes(void *out, size_t n)
{
    if (RAND_bytes(out, (int)n) != 1) {
        cw_log(CW_LOG_ERROR, "msg=\"random generator failed\"");
        abort();
    }
}

static void hex_encode(char *dst, const unsigned char *src, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = hex[src[i] >> 4];
        dst[2 * i + 1] = hex[src[i] & 15];
    }
    dst[2 * n] = '\0';
}

/* Equal lengths and equal bytes, the bytes compared in constant time (as PHP's hash_equals: the
 * length is no secret). */
static bool ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

/* A NUL-terminated copy of a password for the C-string interfaces (crypt). Refuses passwords with
 * a NUL inside: crypt would see only what precedes it. */
static char *password_cstr(cw_str_t pw)
{
    if (pw.len > 0 && memchr(pw.ptr, '\0', pw.len) != NULL)
        return NULL;
    char *s = cw_malloc(pw.len + 1);
    if (pw.len > 0)
        memcpy(s, pw.ptr, pw.len);
    s[pw.len] = '\0';
    return s;
}

static void password_cstr_free(char *s)
{
    if (s != NULL) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static const char *bytes_or_empty(cw_str_t s)
{
    return s.ptr != NULL ? s.ptr : "";
}

/* Copies a string option into a fixed buffer; refuses NULs and overlong values. */
static int option_copy(char *dst, cw_str_t v)
{
    if (v.len > CW_PASSWORD_OPTION_MAX || (v.len > 0 && memchr(v.ptr, '\0', v.len) != NULL))
        return CW_EINVAL;
    if (v.len > 0)
        memcpy(dst, v.ptr, v.len);
    dst[v.len] = '\0';
    return 0;
}

/* The value of c in the standard base64 alphabet, or -1. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Base64 as PHP's base64_decode reads it without `strict`: bytes outside the alphabet (padding
 * included) are skipped, and bits that do not fill a byte at the end are dropped. Appwrite reads
 * Firebase's salts and keys this way. out must hold strlen(s) * 3 / 4 + 1 bytes. */
static size_t php_b64_decode_lenient(const char *s, unsigned char *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (; *s != '\0'; s++) {
        int v = b64_value((unsigned char)*s);
        if (v < 0)
            continue;
        acc = (acc << 6 | (uint32_t)v) & 0xfff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return o;
}

/* The form utopia's setters accept for Firebase's salt and keys: ^[A-Za-z0-9+/]+={0,2}$. */
static bool b64_form(const char *s)
{
    size_t n = strlen(s), body = 0, pad = 0;
    while (body < n && b64_value((unsigned char)s[body]) >= 0)
        body++;
    while (body + pad < n && s[body + pad] == '=')
        pad++;
    return body > 0 && pad <= 2 && body + pad == n;
}

static bool is_pow2(int64_t v)
{
    return v > 1 && (v & (v - 1)) == 0;
}

/* PHP's microtime() followed by the process ID, utopia's seed for phpass salts. */
static void phpass_random_state(char *out, size_t cap)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    snprintf(out, cap, "%.8f %lld%ld", (double)tv.tv_usec / 1e6, (long long)tv.tv_sec,
             (long)getpid());
}

/* ---- descriptors ---------------------------------------------------------------------------- */

void cw_password_desc_init(cw_password_desc_t *d, cw_password_algo_t algo)
{
    unsigned char rnd[32];
    memset(d, 0, sizeof(*d));
    d->algo = algo;
    switch (algo) {
    case CW_PASSWORD_ARGON2:
        d->argon2.memory_cost = 65536;
        d->argon2.time_cost = 4;
        d->argon2.threads = 3;
        break;
    case CW_PASSWORD_BCRYPT:
        d->bcrypt.cost = 8;
        break;
    case CW_PASSWORD_MD5:
        break;
    case CW_PASSWORD_SHA:
        d->sha.version = CW_PASSWORD_SHA256;
        break;
    case CW_PASSWORD_PHPASS:
        d->phpass.iteration_count_log2 = 8;
        d->phpass.portable_hashes = false;
        phpass_random_state(d->phpass.random_state, sizeof(d->phpass.random_state));
        break;
    case CW_PASSWORD_SCRYPT:
        d->scrypt.cost_cpu = 8;
        d->scrypt.cost_memory = 14;
        d->scrypt.cost_parallel = 1;
        d->scrypt.length = 64;
        random_bytes(rnd, 16);
        hex_encode(d->scrypt.salt, rnd, 16);
        break;
    case CW_PASSWORD_SCRYPT_MOD:
        random_bytes(rnd, 16);
        d->scrypt_mod.salt[cw__b64_encode_raw(d->scrypt_mod.salt, rnd, 16, false)] = '\0';
        random_bytes(rnd, 16);
        d->scrypt_mod
            .salt_separator[cw__b64_encode_raw(d->scrypt_mod.salt_separator, rnd, 16, false)] =
            '\0';
        random_bytes(rnd, 32);
        d->scrypt_mod.signer_key[cw__b64_encode_raw(d->scrypt_mod.signer_key, rnd, 32, false)] =
            '\0';
        break;
    }
    OPENSSL_cleanse(rnd, sizeof(rnd));
}

void cw_password_desc_default(cw_password_desc_t *d)
{
    memset(d, 0, sizeof(*d));
    d->algo = CW_PASSWORD_ARGON2;
    d->argon2.memory_cost = CW_PASSWORD_ARGON2_MEMORY;
    d->argon2.time_cost = CW_PASSWORD_ARGON2_TIME;
    d->argon2.threads = CW_PASSWORD_ARGON2_THREADS;
}

bool cw_password_needs_rehash(const cw_password_desc_t *d)
{
    return d->algo != CW_PASSWORD_ARGON2;
}

static int argon2_params_ok(int64_t m, int64_t t, int64_t p)
{
    return t >= 1 && t <= CW_PASSWORD_ARGON2_MAX_TIME && p >= 1 &&
           p <= CW_PASSWORD_ARGON2_MAX_THREADS && m >= 8 * p && m <= CW_PASSWORD_ARGON2_MAX_MEMORY;
}

static int scrypt_params_ok(int64_t n, int64_t r, int64_t p, int64_t len)
{
    if (!is_pow2(n) || r < 1 || r > CW_PASSWORD_SCRYPT_MAX_R || p < 1 ||
        p > CW_PASSWORD_SCRYPT_MAX_P || len < 16 || len > CW_PASSWORD_SCRYPT_MAX_LENGTH)
        return 0;
    /* scrypt's big array is 128 * r * N bytes. */
    return (uint64_t)n <= CW_PASSWORD_SCRYPT_MAX_MEMORY / 128 / (uint64_t)r;
}

int cw_password_desc_check(const cw_password_desc_t *d)
{
    switch (d->algo) {
    case CW_PASSWORD_ARGON2:
        return argon2_params_ok(d->argon2.memory_cost, d->argon2.time_cost, d->argon2.threads)
                   ? 0
                   : CW_EINVAL;
    case CW_PASSWORD_BCRYPT:
        return d->bcrypt.cost >= 4 && d->bcrypt.cost <= 31 ? 0 : CW_EINVAL;
    case CW_PASSWORD_MD5:
        return 0;
    case CW_PASSWORD_SHA:
        return (unsigned)d->sha.version < COUNT(sha_names) ? 0 : CW_EINVAL;
    case CW_PASSWORD_PHPASS:
        return d->phpass.iteration_count_log2 >= 4 && d->phpass.iteration_count_log2 <= 31
                   ? 0
                   : CW_EINVAL;
    case CW_PASSWORD_SCRYPT:
        if (d->scrypt.salt[0] == '\0' || strcmp(d->scrypt.salt, "0") == 0)
            return CW_EINVAL;
        return scrypt_params_ok(d->scrypt.cost_cpu, d->scrypt.cost_memory, d->scrypt.cost_parallel,
                                d->scrypt.length)
                   ? 0
                   : CW_EINVAL;
    case CW_PASSWORD_SCRYPT_MOD:
        if (strcmp(d->scrypt_mod.salt, "0") == 0 || strcmp(d->scrypt_mod.signer_key, "0") == 0)
            return CW_EINVAL;
        return b64_form(d->scrypt_mod.salt) && b64_form(d->scrypt_mod.salt_separator) &&
                       b64_form(d->scrypt_mod.signer_key)
                   ? 0
                   : CW_EINVAL;
    }
    return CW_EINVAL;
}

/* Reads an optional integer member: 0 when absent or read, CW_EINVAL when of another type. */
static int opt_int(const json_t *o, const char *key, int64_t *v)
{
    const json_t *j = json_object_get(o, key);
    if (j == NULL)
        return 0;
    if (!json_is_integer(j))
        return CW_EINVAL;
    *v = (int64_t)json_integer_value(j);
    return 0;
}

static int opt_bool(const json_t *o, const char *key, bool *v)
{
    const json_t *j = json_object_get(o, key);
    if (j == NULL)
        return 0;
    if (!json_is_boolean(j))
        return CW_EINVAL;
    *v = json_is_true(j);
    return 0;
}

static int opt_str(const json_t *o, const char *key, char *dst)
{
    const json_t *j = json_object_get(o, key);
    if (j == NULL)
        return 0;
    if (!json_is_string(j))
        return CW_EINVAL;
    return option_copy(dst, (cw_str_t){json_string_value(j), json_string_length(j)});
}

int cw_password_desc_parse(cw_str_t hash, const json_t *options, cw_password_desc_t *out)
{
    cw_password_algo_t algo;
    int rc = CW_EINVAL;
    if (cw_password_algo_parse(hash, &algo) != 0)
        return CW_EINVAL;
    /* As Appwrite does: the algorithm's defaults, then whatever the stored options say. */
    cw_password_desc_init(out, algo);
    if (options == NULL || json_is_null(options) ||
        (json_is_array(options) && json_array_size(options) == 0))
        return 0;
    if (!json_is_object(options))
        return CW_EINVAL;
    switch (algo) {
    case CW_PASSWORD_ARGON2:
        rc = opt_int(options, "memory_cost", &out->argon2.memory_cost);
        rc = rc ? rc : opt_int(options, "time_cost", &out->argon2.time_cost);
        rc = rc ? rc : opt_int(options, "threads", &out->argon2.threads);
        break;
    case CW_PASSWORD_BCRYPT:
        rc = opt_int(options, "cost", &out->bcrypt.cost);
        break;
    case CW_PASSWORD_MD5:
        rc = 0;
        break;
    case CW_PASSWORD_SHA: {
        const json_t *v = json_object_get(options, "version");
        rc = 0;
        if (v != NULL)
            rc =
                json_is_string(v)
                    ? cw_password_sha_parse((cw_str_t){json_string_value(v), json_string_length(v)},
                                            &out->sha.version)
                    : CW_EINVAL;
        break;
    }
    case CW_PASSWORD_PHPASS:
        rc = opt_int(options, "iteration_count_log2", &out->phpass.iteration_count_log2);
        rc = rc ? rc : opt_bool(options, "portable_hashes", &out->phpass.portable_hashes);
        rc = rc ? rc : opt_str(options, "random_state", out->phpass.random_state);
        break;
    case CW_PASSWORD_SCRYPT:
        rc = opt_int(options, "costCpu", &out->scrypt.cost_cpu);
        rc = rc ? rc : opt_int(options, "costMemory", &out->scrypt.cost_memory);
        rc = rc ? rc : opt_int(options, "costParallel", &out->scrypt.cost_parallel);
        rc = rc ? rc : opt_int(options, "length", &out->scrypt.length);
        rc = rc ? rc : opt_str(options, "salt", out->scrypt.salt);
        break;
    case CW_PASSWORD_SCRYPT_MOD:
        rc = opt_str(options, "salt", out->scrypt_mod.salt);
        rc = rc ? rc : opt_str(options, "saltSeparator", out->scrypt_mod.salt_separator);
        rc = rc ? rc : opt_str(options, "signerKey", out->scrypt_mod.signer_key);
        break;
    }
    return rc;
}

json_t *cw_password_desc_options(const cw_password_desc_t *d)
{
    json_t *o = json_object();
    /* Keys in the order utopia's constructors first set them, which is the order PHP keeps. SHA
     * alone has no `type`: utopia's Sha never sets one. */
    if (d->algo != CW_PASSWORD_SHA)
        json_object_set_new(o, "type", json_string(cw_password_algo_name(d->algo)));
    switch (d->algo) {
    case CW_PASSWORD_ARGON2:
        json_object_set_new(o, "memory_cost", json_integer(d->argon2.memory_cost));
        json_object_set_new(o, "time_cost", json_integer(d->argon2.time_cost));
        json_object_set_new(o, "threads", json_integer(d->argon2.threads));
        break;
    case CW_PASSWORD_BCRYPT:
        json_object_set_new(o, "cost", json_integer(d->bcrypt.cost));
        break;
    case CW_PASSWORD_MD5:
        break;
    case CW_PASSWORD_SHA:
        json_object_set_new(o, "version", json_string(cw_password_sha_name(d->sha.version)));
        break;
    case CW_PASSWORD_PHPASS:
        json_object_set_new(o, "iteration_count_log2",
                            json_integer(d->phpass.iteration_count_log2));
        json_object_set_new(o, "portable_hashes", json_boolean(d->phpass.portable_hashes));
        json_object_set_new(o, "random_state", json_string(d->phpass.random_state));
        break;
    case CW_PASSWORD_SCRYPT:
        json_object_set_new(o, "costCpu", json_integer(d->scrypt.cost_cpu));
        json_object_set_new(o, "costMemory", json_integer(d->scrypt.cost_memory));
        json_object_set_new(o, "costParallel", json_integer(d->scrypt.cost_parallel));
        json_object_set_new(o, "length", json_integer(d->scrypt.length));
        json_object_set_new(o, "salt", json_string(d->scrypt.salt));
        break;
    case CW_PASSWORD_SCRYPT_MOD:
        json_object_set_new(o, "salt", json_string(d->scrypt_mod.salt));
        json_object_set_new(o, "saltSeparator", json_string(d->scrypt_mod.salt_separator));
        json_object_set_new(o, "signerKey", json_string(d->scrypt_mod.signer_key));
        break;
    }
    return o;
}

/* ---- argon2 --------------------------------------------------------------------------------- */

/* Reads "<name>=<digits>" at *p, moving *p past it. */
static int phc_param(const char **p, const char *end, char name, int64_t *v)
{
    const char *s = *p;
    if (end - s < 3 || s[0] != name || s[1] != '=' || s[2] < '0' || s[2] > '9')
        return CW_EINVAL;
    int64_t n = 0;
    for (s += 2; s < end && *s >= '0' && *s <= '9'; s++) {
        n = n * 10 + (*s - '0');
        if (n > UINT32_MAX)
            return CW_EINVAL;
    }
    *v = n;
    *p = s;
    return 0;
}

/* Finds the type and the costs of a PHC argon2 string ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so
 * that a stored hash cannot make a verification take more than the limits allow. */
static int argon2_phc_header(cw_str_t s, argon2_type *type, int64_t *m, int64_t *t, int64_t *p)
{
    const char *c = s.ptr, *end = s.ptr + s.len;
    if (s.len > 10 && memcmp(c, "$argon2id$", 10) == 0) {
        *type = Argon2_id;
        c += 10;
    } else if (s.len > 9 && memcmp(c, "$argon2i$", 9) == 0) {
        *type = Argon2_i;
        c += 9;
    } else {
        return CW_EINVAL;
    }
    if (end - c > 2 && c[0] == 'v' && c[1] == '=') {
        while (c < end && *c != '$')
            c++;
        if (c == end)
            return CW_EINVAL;
        c++;
    }
    if (phc_param(&c, end, 'm', m) != 0 || c == end || *c++ != ',' ||
        phc_param(&c, end, 't', t) != 0 || c == end || *c++ != ',' ||
        phc_param(&c, end, 'p', p) != 0 || c == end || *c != '$')
        return CW_EINVAL;
    return 0;
}

static int argon2_verify_phc(cw_str_t stored, cw_str_t pw, bool *match)
{
    argon2_type type;
    int64_t m, t, p;
    char encoded[STORED_MAX + 1];
    if (stored.len > STORED_MAX || memchr(stored.ptr, '\0', stored.len) != NULL ||
        argon2_phc_header(stored, &type, &m, &t, &p) != 0 || !argon2_params_ok(m, t, p))
        return CW_EINVAL;
    memcpy(encoded, stored.ptr, stored.len);
    encoded[stored.len] = '\0';
    /* argon2_verify recomputes with the string's own parameters and compares in constant time. */
    int rc = argon2_verify(encoded, bytes_or_empty(pw), pw.len, type);
    if (rc == ARGON2_OK || rc == ARGON2_VERIFY_MISMATCH) {
        *match = rc == ARGON2_OK;
        return 0;
    }
    return CW_EINVAL;
}

/* argon2id with a given salt, in the PHC form PHP writes ($argon2id$v=19$m=…,t=…,p=…$…$…). */
static int argon2_hash_salted(const cw_password_desc_t *d, cw_str_t pw, const unsigned char *salt,
                              size_t salt_len, cw_buf_t *out)
{
    if (!argon2_params_ok(d->argon2.memory_cost, d->argon2.time_cost, d->argon2.threads) ||
        pw.len > UINT32_MAX)
        return CW_EINVAL;
    uint32_t t = (uint32_t)d->argon2.time_cost, m = (uint32_t)d->argon2.memory_cost,
             p = (uint32_t)d->argon2.threads;
    size_t len = argon2_encodedlen(t, m, p, (uint32_t)salt_len, ARGON2_HASH_LEN, Argon2_id);
    cw_buf_reserve(out, len);
    int rc = argon2id_hash_encoded(t, m, p, bytes_or_empty(pw), pw.len, salt, salt_len,
                                   ARGON2_HASH_LEN, out->ptr + out->len, len);
    if (rc != ARGON2_OK) {
        out->ptr[out->len] = '\0';
        return CW_EINVAL;
    }
    out->len += strlen(out->ptr + out->len);
    return 0;
}

/* ---- crypt(3): bcrypt and the other families PHP's password_verify falls back to ------------ */

static bool crypt_family(cw_str_t s)
{
    static const char *const prefixes[] = {"$2a$", "$2b$", "$2x$", "$2y$", "$1$", "$5$", "$6$"};
    for (size_t i = 0; i < COUNT(prefixes); i++) {
        size_t n = strlen(prefixes[i]);
        if (s.len > n && memcmp(s.ptr, prefixes[i], n) == 0)
            return true;
    }
    return false;
}

/* crypt(pw, setting) into out; CW_EINVAL when crypt refuses the setting. */
static int crypt_run(const char *pw, const char *setting, cw_buf_t *out)
{
    struct crypt_data *data = cw_calloc(1, sizeof(*data));
    int rc = CW_EINVAL;
    const char *h = crypt_r(pw, setting, data);
    /* A failure is NULL or a token starting with '*', never a valid hash. */
    if (h != NULL && h[0] != '*' && h[0] != '\0') {
        cw_buf_append_str(out, h);
        rc = 0;
    }
    OPENSSL_cleanse(data, sizeof(*data));
    free(data);
    return rc;
}

static int crypt_verify(cw_str_t stored, cw_str_t pw, bool *match)
{
    char setting[STORED_MAX + 1];
    cw_buf_t got = CW_BUF_INIT;
    char *pws = NULL;
    int rc = CW_EINVAL;
    if (stored.len > STORED_MAX || memchr(stored.ptr, '\0', stored.len) != NULL)
        goto out;
    memcpy(setting, stored.ptr, stored.len);
    setting[stored.len] = '\0';
    pws = password_cstr(pw);
    if (pws == NULL) {
        *match = false;
        rc = 0;
        goto out;
    }
    rc = crypt_run(pws, setting, &got);
    if (rc == 0)
        *match = ct_equal(got.ptr, got.len, stored.ptr, stored.len);
out:
    password_cstr_free(pws);
    cw_buf_free(&got);
    return rc;
}

/* PHP's password_verify, which Appwrite uses for both argon2 and bcrypt users: whichever of its
 * formats the stored string is in decides, whatever the user's `hash` says. */
static int php_password_verify(cw_str_t stored, cw_str_t pw, bool *match)
{
    if (stored.len >= 8 && memcmp(stored.ptr, "$argon2", 7) == 0)
        return argon2_verify_phc(stored, pw, match);
    if (crypt_family(stored))
        return crypt_verify(stored, pw, match);
    return CW_EINVAL;
}

static int bcrypt_hash(const char *prefix, int64_t cost, cw_str_t pw, cw_buf_t *out)
{
    unsigned char rnd[16];
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    char *pws = NULL;
    int rc = CW_EINVAL;
    if (cost < 4 || cost > 31)
        goto out;
    pws = password_cstr(pw);
    if (pws == NULL)
        goto out;
    random_bytes(rnd, sizeof(rnd));
    if (crypt_gensalt_rn(prefix, (unsigned long)cost, (const char *)rnd, sizeof(rnd), setting,
                         sizeof(setting)) == NULL)
        goto out;
    rc = crypt_run(pws, setting, out);
out:
    password_cstr_free(pws);
    return rc;
}

/* ---- md5 and sha ---------------------------------------------------------------------------- */

static const EVP_MD *sha_md(cw_password_sha_t v)
{
    switch (v) {
    case CW_PASSWORD_SHA1:
        return EVP_sha1();
    case CW_PASSWORD_SHA224:
        return EVP_sha224();
    case CW_PASSWORD_SHA256:
        return EVP_sha256();
    case CW_PASSWORD_SHA384:
        return EVP_sha384();
    case CW_PASSWORD_SHA512_224:
        return EVP_sha512_224();
    case CW_PASSWORD_SHA512_256:
        return EVP_sha512_256();
    case CW_PASSWORD_SHA512:
        return EVP_sha512();
    case CW_PASSWORD_SHA3_224:
        return EVP_sha3_224();
    case CW_PASSWORD_SHA3_256:
        return EVP_sha3_256();
    case CW_PASSWORD_SHA3_384:
        return EVP_sha3_384();
    case CW_PASSWORD_SHA3_512:
        return EVP_sha3_512();
    }
    return NULL;
}

/* The lowercase hex digest PHP's hash()/md5() return. */
static int digest_hex(const EVP_MD *md, cw_str_t pw, char hex[2 * EVP_MAX_MD_SIZE + 1])
{
    unsigned char bin[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (md == NULL || EVP_Digest(bytes_or_empty(pw), pw.len, bin, &n, md, NULL) != 1)
        return CW_EINVAL;
    hex_encode(hex, bin, n);
    return 0;
}

/* ---- phpass --------------------------------------------------------------------------------- */

/* phpass's base64: itoa64, little-endian groups of three bytes, no padding. */
static size_t phpass_encode64(char *dst, const unsigned char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        size_t k = n - i < 3 ? n - i : 3;
        uint32_t v = src[i];
        if (k > 1)
            v |= (uint32_t)src[i + 1] << 8;
        if (k > 2)
            v |= (uint32_t)src[i + 2] << 16;
        for (size_t j = 0; j <= k; j++)
            dst[o++] = itoa64[(v >> (6 * j)) & 63];
    }
    return o;
}

/* phpass's portable hash ("$P$" or phpBB's "$H$"): 2^count rounds of md5(previous || password)
 * over md5(salt || password), appended to the 12-character setting. The result is 34 characters;
 * CW_EINVAL when the setting is not one. */
static int phpass_portable(cw_str_t setting, cw_str_t pw, char out[35])
{
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    EVP_MD_CTX *ctx = NULL;
    EVP_MD *md = NULL;
    int rc = CW_EINVAL;
    if (setting.len < 12 || setting.ptr[0] != '$' ||
        (setting.ptr[1] != 'P' && setting.ptr[1] != 'H') || setting.ptr[2] != '$')
        goto out;
    const char *at = setting.ptr[3] != '\0' ? strchr(itoa64, setting.ptr[3]) : NULL;
    int count_log2 = at == NULL ? -1 : (int)(at - itoa64);
    if (count_log2 < 7 || count_log2 > 30)
        goto out;
    for (size_t i = 4; i < 12; i++) {
        if (setting.ptr[i] == '\0')
            goto out;
    }
    ctx = EVP_MD_CTX_new();
    md = EVP_MD_fetch(NULL, "MD5", NULL);
    if (ctx == NULL || md == NULL)
        goto out;
    const char *p = bytes_or_empty(pw);
    if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, setting.ptr + 4, 8) != 1 ||
        EVP_DigestUpdate(ctx, p, pw.len) != 1 || EVP_DigestFinal_ex(ctx, h, &hl) != 1)
        goto out;
    for (uint64_t n = (uint64_t)1 << count_log2; n > 0; n--) {
        if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, h, 16) != 1 ||
            EVP_DigestUpdate(ctx, p, pw.len) != 1 || EVP_DigestFinal_ex(ctx, h, &hl) != 1)
            goto out;
    }
    memcpy(out, setting.ptr, 12);
    out[12 + phpass_encode64(out + 12, h, 16)] = '\0';
    rc = 0;
out:
    OPENSSL_cleanse(h, sizeof(h));
    EVP_MD_free(md);
    EVP_MD_CTX_free(ctx);
    return rc;
}

static int phpass_verify(cw_str_t stored, cw_str_t pw, bool *match)
{
    char got[35];
    if (stored.len >= 3 && stored.ptr[0] == '$' && (stored.ptr[1] == 'P' || stored.ptr[1] == 'H') &&
        stored.ptr[2] == '$') {
        if (phpass_portable(stored, pw, got) != 0)
            return CW_EINVAL;
        *match = ct_equal(got, strlen(got), stored.ptr, stored.len);
        return 0;
    }
    /* phpass's non-portable hashes are bcrypt, which it checks with crypt(). */
    if (crypt_family(stored))
        return crypt_verify(stored, pw, match);
    return CW_EINVAL;
}

static int phpass_hash(const cw_password_desc_t *d, cw_str_t pw, cw_buf_t *out)
{
    int64_t log2 = d->phpass.iteration_count_log2;
    /* utopia's choice: bcrypt with the count as its cost unless portable hashes are asked for
     * (or the count is no bcrypt cost), then the portable MD5 form. */
    if (!d->phpass.portable_hashes && log2 >= 4 && log2 <= 31)
        return bcrypt_hash("$2a$", log2, pw, out);
    if (log2 < 0 || log2 > 31)
        return CW_EINVAL;
    unsigned char rnd[6];
    char setting[13], got[35];
    memcpy(setting, "$P$", 3);
    setting[3] = itoa64[log2 + 5 < 30 ? log2 + 5 : 30];
    random_bytes(rnd, sizeof(rnd));
    phpass_encode64(setting + 4, rnd, sizeof(rnd));
    setting[12] = '\0';
    if (phpass_portable((cw_str_t){setting, 12}, pw, got) != 0)
        return CW_EINVAL;
    cw_buf_append_str(out, got);
    return 0;
}

/* ---- scrypt --------------------------------------------------------------------------------- */

/* OpenSSL's bound on what scrypt may allocate: the big array (at most the limit, checked above)
 * plus the 128 * r * (p + 2) bytes of its other buffers. */
static uint64_t scrypt_maxmem(int64_t r, int64_t p)
{
    return CW_PASSWORD_SCRYPT_MAX_MEMORY + 128 * (uint64_t)r * ((uint64_t)p + 2);
}

static int scrypt_raw(cw_str_t pw, const unsigned char *salt, size_t salt_len, int64_t n, int64_t r,
                      int64_t p, unsigned char *key, size_t key_len)
{
    if (!scrypt_params_ok(n, r, p, (int64_t)key_len))
        return CW_EINVAL;
    if (EVP_PBE_scrypt(bytes_or_empty(pw), pw.len, salt, salt_len, (uint64_t)n, (uint64_t)r,
                       (uint64_t)p, scrypt_maxmem(r, p), key, key_len) != 1)
        return CW_EINVAL;
    return 0;
}

/* php-scrypt's scrypt(): N, r and p as given, the salt's bytes as they are, lowercase hex of
 * `length` bytes. */
static int scrypt_hex(const cw_password_desc_t *d, cw_str_t pw, cw_buf_t *out)
{
    const char *salt = d->scrypt.salt;
    int64_t len = d->scrypt.length;
    if (len < 16 || len > CW_PASSWORD_SCRYPT_MAX_LENGTH)
        return CW_EINVAL;
    unsigned char *key = cw_malloc((size_t)len);
    int rc = scrypt_raw(pw, (const unsigned char *)salt, strlen(salt), d->scrypt.cost_cpu,
                        d->scrypt.cost_memory, d->scrypt.cost_parallel, key, (size_t)len);
    if (rc == 0) {
        cw_buf_reserve(out, 2 * (size_t)len);
        hex_encode(out->ptr + out->len, key, (size_t)len);
        out->len += 2 * (size_t)len;
    }
    OPENSSL_cleanse(key, (size_t)len);
    free(key);
    return rc;
}

/* Firebase's scrypt: scrypt(password, salt || separator, 2^14, 8, 1, 64), then the signer key
 * encrypted with AES-256-CTR under the first 32 bytes of that and a zero counter, in base64. */
static int scrypt_mod_b64(const cw_password_desc_t *d, cw_str_t pw, cw_buf_t *out)
{
    unsigned char salt[2 * (CW_PASSWORD_OPTION_MAX * 3 / 4 + 1)];
    unsigned char signer[CW_PASSWORD_OPTION_MAX * 3 / 4 + 1];
    unsigned char cipher[sizeof(signer) + 16];
    unsigned char dk[FIREBASE_DK_LEN];
    static const unsigned char iv[16] = {0};
    EVP_CIPHER_CTX *ctx = NULL;
    int n1 = 0, n2 = 0, rc = CW_EINVAL;
    size_t salt_len = php_b64_decode_lenient(d->scrypt_mod.salt, salt);
    salt_len += php_b64_decode_lenient(d->scrypt_mod.salt_separator, salt + salt_len);
    size_t signer_len = php_b64_decode_lenient(d->scrypt_mod.signer_key, signer);
    if (scrypt_raw(pw, salt, salt_len, FIREBASE_N, FIREBASE_R, FIREBASE_P, dk, sizeof(dk)) != 0)
        goto out;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL || EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, dk, iv) != 1 ||
        EVP_EncryptUpdate(ctx, cipher, &n1, signer, (int)signer_len) != 1 ||
        EVP_EncryptFinal_ex(ctx, cipher + n1, &n2) != 1)
        goto out;
    cw__b64_encode(out, cipher, (size_t)(n1 + n2), false);
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(dk, sizeof(dk));
    return rc;
}

/* ---- hash and verify ------------------------------------------------------------------------ */

int cw_password_hash(const cw_password_desc_t *d, cw_str_t password, cw_buf_t *out)
{
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    unsigned char salt[ARGON2_SALT_LEN];
    size_t start = out->len;
    int rc = CW_EINVAL;
    if (password.len > CW_PASSWORD_MAX_LEN)
        return CW_EINVAL;
    switch (d->algo) {
    case CW_PASSWORD_ARGON2:
        random_bytes(salt, sizeof(salt));
        rc = argon2_hash_salted(d, password, salt, sizeof(salt), out);
        break;
    case CW_PASSWORD_BCRYPT:
        rc = bcrypt_hash("$2y$", d->bcrypt.cost, password, out);
        break;
    case CW_PASSWORD_MD5:
        rc = digest_hex(EVP_md5(), password, hex);
        if (rc == 0)
            cw_buf_append_str(out, hex);
        break;
    case CW_PASSWORD_SHA:
        rc = digest_hex(sha_md(d->sha.version), password, hex);
        if (rc == 0)
            cw_buf_append_str(out, hex);
        break;
    case CW_PASSWORD_PHPASS:
        rc = phpass_hash(d, password, out);
        break;
    case CW_PASSWORD_SCRYPT:
        rc = scrypt_hex(d, password, out);
        break;
    case CW_PASSWORD_SCRYPT_MOD:
        rc = scrypt_mod_b64(d, password, out);
        break;
    }
    if (rc != 0 && out->ptr != NULL) {
        out->len = start;
        out->ptr[start] = '\0';
    }
    return rc;
}

int cw_password_verify(const cw_password_desc_t *d, cw_str_t password, cw_str_t stored, bool *match)
{
    cw_buf_t got = CW_BUF_INIT;
    int rc = CW_EINVAL;
    *match = false;
    if (stored.len == 0 || stored.ptr == NULL || stored.len > STORED_MAX ||
        password.len > CW_PASSWORD_MAX_LEN)
        goto out;
    switch (d->algo) {
    case CW_PASSWORD_ARGON2:
    case CW_PASSWORD_BCRYPT:
        rc = php_password_verify(stored, password, match);
        break;
    case CW_PASSWORD_PHPASS:
        rc = phpass_verify(stored, password, match);
        break;
    case CW_PASSWORD_MD5:
    case CW_PASSWORD_SHA:
    case CW_PASSWORD_SCRYPT:
    case CW_PASSWORD_SCRYPT_MOD:
        /* Recompute and compare the strings, as utopia's hash_equals($hash, hash($value)). */
        rc = cw_password_hash(d, password, &got);
        if (rc == 0)
            *match = ct_equal(got.ptr, got.len, stored.ptr, stored.len);
        break;
    }
    if (rc != 0)
        *match = false;
out:
    if (got.ptr != NULL)
        OPENSSL_cleanse(got.ptr, got.len);
    cw_buf_free(&got);
    return rc;
}
