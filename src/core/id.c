#include "core/id.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"

void cw_random_hex(char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char bytes[256];
    size_t done = 0;
    while (done < n) {
        size_t chunk = n - done < sizeof(bytes) ? n - done : sizeof(bytes);
        if (RAND_bytes(bytes, (int)chunk) != 1) {
            cw_log(CW_LOG_ERROR, "msg=\"random generator failed\"");
            abort();
        }
        for (size_t i = 0; i < chunk; i++) {
            out[2 * (done + i)] = hex[bytes[i] >> 4];
            out[2 * (done + i) + 1] = hex[bytes[i] & 15];
        }
        done += chunk;
    }
    out[2 * n] = '\0';
}

void cw_id_unique(char out[CW_ID_LEN + 1])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char rnd[9];
    cw_random_hex(rnd, 4);
    snprintf(out, CW_ID_LEN + 1, "%08lx%05lx%.7s", (unsigned long)ts.tv_sec & 0xffffffffUL,
             (unsigned long)(ts.tv_nsec / 1000), rnd);
}

int cw_id_valid(cw_str_t s, size_t max)
{
    if (s.len == 0 || s.len > max)
        return 0;
    if (s.ptr[0] == '_' || s.ptr[0] == '.' || s.ptr[0] == '-')
        return 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}
