#include "core/error.h"

int cw_error_http_status(cw_err_t e)
{
    switch (cw_error_def(e)->code) {
    case 400: case 401: case 402: case 403: case 404: case 405: case 408: case 409:
    case 410: case 412: case 416: case 422: case 429: case 451: case 501: case 503:
        return cw_error_def(e)->code;
    default:
        return 500;
    }
}

int cw_error_find(cw_str_t type)
{
    for (int i = 0; i < CW_ERR__COUNT; i++) {
        if (cw_str_eq_cstr(type, cw_error_defs[i].type))
            return i;
    }
    return -1;
}
