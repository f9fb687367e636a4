/* libFuzzer target: the session cookie reader (cw_session_cookie_decode) and X-Fallback-Cookies
 * (cw_session_fallback_decode). Each input is used as a cookie value, as the JSON inside one (the
 * target encodes it in base64, so the fuzzer reaches the JSON checks), and as a fallback header.
 * Whatever is accepted holds a valid ID and a secret of letters and digits within bounds, and
 * survives encode, wrap in a fallback header, decode unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/session_cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char name_bytes[] = "a_session_p1";
#define NAME ((cw_str_t){name_bytes, sizeof(name_bytes) - 1})

static void check_accepted(const cw_session_cookie_t *c)
{
    size_t sl = strlen(c->secret);
    if (!cw_id_valid(cw_str(c->id), CW_ID_MAX_LEN) || sl == 0 || sl > CW_SESSION_SECRET_MAX)
        abort();
    for (size_t i = 0; i < sl; i++) {
        char ch = c->secret[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            abort();
    }
    /* Round trip through the cookie and the fallback header. */
    cw_buf_t value = CW_BUF_INIT, header = CW_BUF_INIT;
    if (cw_session_cookie_encode(cw_str(c->id), cw_str(c->secret), &value) != 0 ||
        value.len > CW_SESSION_COOKIE_MAX)
        abort();
    cw_session_fallback_encode(NAME, cw_buf_str(&value), &header);
    cw_session_cookie_t back;
    if (cw_session_fallback_decode(cw_buf_str(&header), NAME, &back) != 0 ||
        strcmp(back.id, c->id) != 0 || strcmp(back.secret, c->secret) != 0)
        abort();
    cw_buf_free(&value);
    cw_buf_free(&header);
}

static void check(int rc, const cw_session_cookie_t *c)
{
    if (rc == 0)
        check_accepted(c);
    else if (c->id[0] != '\0' || c->secret[0] != '\0')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan sees any read past the end. */
    char *s = malloc(size + 1);
    if (size > 0)
        memcpy(s, data, size);
    cw_session_cookie_t c;
    check(cw_session_cookie_decode((cw_str_t){s, size}, &c), &c);

    cw_buf_t b64 = CW_BUF_INIT;
    cw__b64_encode(&b64, s, size, false);
    int rc = cw_session_cookie_decode(cw_buf_str(&b64), &c);
    check(rc, &c);
    if (rc == 0) {
        /* The JSON held exactly these two members. */
        json_t *o = json_loadb(s, size, 0, NULL);
        if (json_object_size(o) != 2 ||
            strcmp(json_string_value(json_object_get(o, "id")), c.id) != 0 ||
            strcmp(json_string_value(json_object_get(o, "secret")), c.secret) != 0)
            abort();
        json_decref(o);
    }
    cw_buf_free(&b64);

    check(cw_session_fallback_decode((cw_str_t){s, size}, NAME, &c), &c);
    free(s);
    return 0;
}
