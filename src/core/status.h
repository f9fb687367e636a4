/* Return codes shared by all layers: 0 is success, failures are negative (as in libuv). */
#ifndef CW_CORE_STATUS_H
#define CW_CORE_STATUS_H

enum {
    CW_OK = 0,
    CW_ENOTFOUND = -2,
    CW_EIO = -5,
    CW_EEXIST = -17,
    CW_EINVAL = -22,
    CW_EBUSY = -16,
};

const char *cw_strerror(int rc);

#endif
