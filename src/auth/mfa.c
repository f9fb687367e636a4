#include "auth/mfa.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "core/id.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "db/internal.h"

int cw_mfa_totp_find(cw_db_t *db, const json_t *user, json_t **out, cw_db_error_t *err)
{
    const json_t *seq = json_object_get(user, "$sequence");
    json_t *q = json_array(), *found = NULL;
    *out = NULL;
    json_array_append_new(q, cw_db_internal_query("equal", "userInternalId",
                                                  json_is_string(seq) ? json_incref((json_t *)seq)
                                                                      : json_string("")));
    json_array_append_new(q, cw_db_internal_query("equal", "type", json_string(CW_MFA_TOTP)));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(1)));
    int rc = cw_db_internal_find(db, "authenticators", q, NULL, false, &found, err);
    json_decref(q);
    if (rc != 0)
        return -1;
    json_t *a = json_array_get(json_object_get(found, "documents"), 0);
    if (a != NULL)
        *out = json_incref(a);
    json_decref(found);
    return 0;
}

bool cw_mfa_authenticator_verified(const json_t *authenticator)
{
    return json_is_true(json_object_get(authenticator, "verified"));
}

const char *cw_mfa_authenticator_secret(const json_t *authenticator)
{
    return json_string_value(json_object_get(json_object_get(authenticator, "data"), "secret"));
}

json_t *cw_mfa_recovery_codes_new(void)
{
    json_t *codes = json_array();
    for (int i = 0; i < CW_MFA_RECOVERY_CODES; i++) {
        char hex[CW_MFA_RECOVERY_CODE_LEN + 1];
        cw_random_hex(hex, CW_MFA_RECOVERY_CODE_LEN / 2);
        json_array_append_new(codes, json_string(hex));
    }
    return codes;
}

void cw_mfa_code_new(char out[CW_MFA_CODE_LEN + 1])
{
    int at = 0;
    while (at < CW_MFA_CODE_LEN) {
        unsigned char b[16];
        if (RAND_bytes(b, sizeof(b)) != 1) {
            cw_log(CW_LOG_ERROR, "msg=\"mfa: random generator failed\"");
            abort();
        }
        /* Bytes from 250 up would favour the low digits. */
        for (size_t i = 0; i < sizeof(b) && at < CW_MFA_CODE_LEN; i++) {
            if (b[i] < 250)
                out[at++] = (char)('0' + b[i] % 10);
        }
    }
    out[CW_MFA_CODE_LEN] = '\0';
}

static bool has_text(const json_t *user, const char *key)
{
    const json_t *v = json_object_get(user, key);
    return json_is_string(v) && json_string_length(v) > 0;
}

json_t *cw_mfa_factors_model(const json_t *user, bool totp_verified, bool with_recovery)
{
    json_t *m = json_object();
    json_object_set_new(m, CW_MFA_TOTP, json_boolean(totp_verified));
    json_object_set_new(m, CW_MFA_PHONE,
                        json_boolean(has_text(user, "phone") &&
                                     json_is_true(json_object_get(user, "phoneVerification"))));
    json_object_set_new(m, CW_MFA_EMAIL,
                        json_boolean(has_text(user, "email") &&
                                     json_is_true(json_object_get(user, "emailVerification"))));
    json_object_set_new(m, CW_MFA_RECOVERY_CODE,
                        json_boolean(with_recovery && json_array_size(json_object_get(
                                                          user, "mfaRecoveryCodes")) > 0));
    return m;
}

int cw_mfa_factors_required(cw_db_t *db, const json_t *user, int *out, cw_db_error_t *err)
{
    *out = 1;
    if (!json_is_true(json_object_get(user, "mfa")))
        return 0;
    /* Appwrite counts the verification flags alone here, with or without an address. */
    if (json_is_true(json_object_get(user, "emailVerification")) ||
        json_is_true(json_object_get(user, "phoneVerification"))) {
        *out = 2;
        return 0;
    }
    json_t *a = NULL;
    if (cw_mfa_totp_find(db, user, &a, err) != 0)
        return -1;
    if (cw_mfa_authenticator_verified(a))
        *out = 2;
    json_decref(a);
    return 0;
}

json_t *cw_mfa_factors_add(const json_t *factors, const char *factor)
{
    json_t *out = json_array();
    size_t i;
    json_t *f;
    bool seen = false;
    json_array_foreach(factors, i, f)
    {
        if (!json_is_string(f))
            continue;
        seen |= strcmp(json_string_value(f), factor) == 0;
        json_array_append(out, f);
    }
    if (!seen)
        json_array_append_new(out, json_string(factor));
    return out;
}

bool cw_mfa_session_fresh(const json_t *session, int64_t now_ms)
{
    const json_t *at = json_object_get(session, "mfaUpdatedAt");
    int64_t ms;
    if (!json_is_string(at) || json_string_length(at) == 0 ||
        cw_time_parse((cw_str_t){json_string_value(at), json_string_length(at)}, &ms) != 0)
        return false;
    return ms + (int64_t)CW_MFA_RECENT_DURATION * 1000 >= now_ms;
}
