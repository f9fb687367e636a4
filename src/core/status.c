#include "core/status.h"

const char *cw_strerror(int rc)
{
    switch (rc) {
    case CW_OK: return "ok";
    case CW_ENOTFOUND: return "not found";
    case CW_EIO: return "input/output error";
    case CW_EEXIST: return "already exists";
    case CW_EINVAL: return "invalid argument";
    case CW_EBUSY: return "busy";
    default: return "unknown error";
    }
}
