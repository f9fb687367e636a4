/* libFuzzer target: the base32 codec and the one-time-code check of auth/totp, which see the
 * `otp` parameter of the MFA routes. Each input is used two ways:
 *   1. as base32: what decodes re-encodes to the input, upper-cased and without its padding
 *      (one spelling per byte string);
 *   2. as "secret\notp": whatever verifies is six digits equal to the code computed here.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1700000000

static void as_base32(const char *s, size_t size)
{
    uint8_t *out = malloc(size + 1);
    size_t n = 0;
    if (cw_base32_decode((cw_str_t){s, size}, out, size, &n) == 0) {
        cw_buf_t again = CW_BUF_INIT;
        cw_base32_encode(out, n, &again);
        size_t body = size;
        while (body > 0 && s[body - 1] == '=')
            body--;
        if (again.len != body)
            abort();
        for (size_t i = 0; i < body; i++) {
            char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
            if (again.ptr[i] != c)
                abort();
        }
        cw_buf_free(&again);
    }
    free(out);
}

static void as_secret_and_otp(const char *s, size_t size)
{
    const char *nl = memchr(s, '\n', size);
    if (nl == NULL)
        return;
    cw_str_t secret = {s, (size_t)(nl - s)};
    cw_str_t otp = {nl + 1, size - secret.len - 1};
    if (!cw_totp_verify(secret, otp, NOW, 1))
        return;
    uint8_t key[256];
    size_t n = 0;
    if (otp.len != CW_TOTP_DIGITS || cw_base32_decode(secret, key, sizeof(key), &n) != 0)
        abort();
    int hits = 0;
    for (int d = -1; d <= 1; d++) {
        char code[CW_TOTP_DIGITS + 1];
        cw_totp_code(key, n, NOW + d * CW_TOTP_PERIOD, code);
        hits += memcmp(code, otp.ptr, CW_TOTP_DIGITS) == 0;
    }
    if (hits == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan sees any read past the end. */
    char *s = malloc(size + 1);
    if (size > 0)
        memcpy(s, data, size);
    as_base32(s, size);
    as_secret_and_otp(s, size);
    free(s);
    return 0;
}
