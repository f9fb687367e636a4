#include "auth/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void cw_base32_encode(const uint8_t *in, size_t n, cw_buf_t *out)
{
    uint32_t acc = 0;
    int bits = 0;
    cw_buf_reserve(out, (n * 8 + 4) / 5 + 1);
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            cw_buf_append_char(out, alphabet[(acc >> bits) & 31]);
        }
    }
    if (bits > 0)
        cw_buf_append_char(out, alphabet[(acc << (5 - bits)) & 31]);
}

static int b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

int cw_base32_decode(cw_str_t in, uint8_t *out, size_t cap, size_t *n)
{
    size_t len = in.len;
    while (len > 0 && in.ptr[len - 1] == '=')
        len--;
    uint32_t acc = 0;
    int bits = 0;
    size_t at = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b32_value(in.ptr[i]);
        if (v < 0)
            return -1;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (at == cap)
                return -1;
            out[at++] = (uint8_t)(acc >> bits);
        }
    }
    /* A valid encoding leaves fewer than 5 bits over, all of them zero. */
    if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
        return -1;
    *n = at;
    return 0;
}

uint32_t cw_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits)
{
    static const uint8_t empty[1] = {0};
    uint8_t msg[8], md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    if (HMAC(EVP_sha1(), key_len > 0 ? key : empty, (int)key_len, msg, sizeof(msg), md, &md_len) ==
            NULL ||
        md_len != 20) {
        cw_log(CW_LOG_ERROR, "msg=\"totp: HMAC-SHA1 failed\"");
        abort();
    }
    /* RFC 4226 §5.3: dynamic truncation. */
    int off = md[19] & 0x0f;
    uint32_t bin = ((uint32_t)(md[off] & 0x7f) << 24) | ((uint32_t)md[off + 1] << 16) |
                   ((uint32_t)md[off + 2] << 8) | (uint32_t)md[off + 3];
    uint32_t mod = 1;
    for (int i = 0; i < digits && i < 9; i++)
        mod *= 10;
    return bin % mod;
}

static void format_code(uint32_t v, char out[CW_TOTP_DIGITS + 1])
{
    for (int i = CW_TOTP_DIGITS - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    out[CW_TOTP_DIGITS] = '\0';
}

void cw_totp_code(const uint8_t *key, size_t key_len, int64_t t_s, char out[CW_TOTP_DIGITS + 1])
{
    uint64_t step = t_s > 0 ? (uint64_t)t_s / CW_TOTP_PERIOD : 0;
    format_code(cw_hotp(key, key_len, step, CW_TOTP_DIGITS), out);
}

void cw_totp_secret_new(char out[CW_TOTP_SECRET_LEN + 1])
{
    uint8_t raw[CW_TOTP_SECRET_BYTES];
    cw_buf_t b = CW_BUF_INIT;
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        cw_log(CW_LOG_ERROR, "msg=\"totp: random generator failed\"");
        abort();
    }
    cw_base32_encode(raw, sizeof(raw), &b);
    memcpy(out, b.ptr, CW_TOTP_SECRET_LEN);
    out[CW_TOTP_SECRET_LEN] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(b.ptr, b.len);
    cw_buf_free(&b);
}

bool cw_totp_verify(cw_str_t secret_b32, cw_str_t otp, int64_t now_s, int window)
{
    /* Secrets longer than this are none of ours; refusing them bounds the stack buffer. */
    uint8_t key[256];
    size_t key_len = 0;
    bool match = false;
    if (otp.len != CW_TOTP_DIGITS || cw_base32_decode(secret_b32, key, sizeof(key), &key_len) != 0)
        return false;
    for (int d = -window; d <= window; d++) {
        char code[CW_TOTP_DIGITS + 1];
        int64_t t = now_s + (int64_t)d * CW_TOTP_PERIOD;
        if (t < 0)
            continue;
        cw_totp_code(key, key_len, t, code);
        match |= CRYPTO_memcmp(code, otp.ptr, CW_TOTP_DIGITS) == 0;
    }
    OPENSSL_cleanse(key, sizeof(key));
    return match;
}

/* RFC 3986 percent-encoding: everything but the unreserved characters, as PHP's rawurlencode
 * (and http_build_query once Appwrite's library has turned '+' back into %20). */
static void percent_encode(const char *s, cw_buf_t *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            cw_buf_append_char(out, (char)c);
        } else {
            cw_buf_append_char(out, '%');
            cw_buf_append_char(out, hex[c >> 4]);
            cw_buf_append_char(out, hex[c & 15]);
        }
    }
}

void cw_totp_uri(const char *issuer, const char *label, const char *secret, cw_buf_t *out)
{
    bool has_issuer = issuer != NULL && issuer[0] != '\0';
    cw_buf_t name = CW_BUF_INIT;
    if (has_issuer) {
        cw_buf_append_str(&name, issuer);
        cw_buf_append_char(&name, ':');
    }
    cw_buf_append_str(&name, label != NULL ? label : "");
    cw_buf_append_str(out, "otpauth://totp/");
    percent_encode(name.ptr != NULL ? name.ptr : "", out);
    cw_buf_append_char(out, '?');
    /* The parameters in key order, as the library sorts them. */
    if (has_issuer) {
        cw_buf_append_str(out, "issuer=");
        percent_encode(issuer, out);
        cw_buf_append_char(out, '&');
    }
    cw_buf_append_str(out, "secret=");
    percent_encode(secret, out);
    cw_buf_free(&name);
}
