/*
 * Appwrite's error table: every error type with its HTTP code. The table is generated from the API
 * spec (scripts/gen-errors.mjs) and read-only, so any thread may use it.
 */
#ifndef CW_CORE_ERROR_H
#define CW_CORE_ERROR_H

#include "core/error_codes.h"
#include "core/str.h"

typedef struct cw_error_def {
    const char *type;
    int code;
    const char *message; /* a default, used when the call site has nothing better to say */
} cw_error_def_t;

extern const cw_error_def_t cw_error_defs[CW_ERR__COUNT];

/* Version reported in error bodies and /health/version: the Appwrite release we follow. */
#define CW_APPWRITE_VERSION "1.9.5"

static inline const cw_error_def_t *cw_error_def(cw_err_t e)
{
    return &cw_error_defs[(int)e >= 0 && e < CW_ERR__COUNT ? e : CW_ERR_GENERAL_UNKNOWN];
}

/* The HTTP status Appwrite answers with: the error's code when it is an HTTP error status it
 * passes through, 500 otherwise. */
int cw_error_http_status(cw_err_t e);

/* Finds an error by its type string; returns -1 when there is none. */
int cw_error_find(cw_str_t type);

#endif
