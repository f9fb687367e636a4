#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t cw_time_now_ms(void)
{
    return cw_time_now_us() / 1000;
}

int64_t cw_time_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t cw_time_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The instants a four-digit year can show: 0000-01-01T00:00:00.000 to 9999-12-31T23:59:59.999. */
#define MIN_ISO_MS (-62167219200000LL)
#define MAX_ISO_MS (253402300799999LL)

void cw_time_format(int64_t ms, char out[CW_TIME_ISO_LEN])
{
    /* Clamped so the year has four digits and gmtime_r cannot fail (and ms - 999 cannot
     * overflow). */
    if (ms < MIN_ISO_MS)
        ms = MIN_ISO_MS;
    if (ms > MAX_ISO_MS)
        ms = MAX_ISO_MS;
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int millis = (int)(ms - secs * 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    memcpy(out, tmp, CW_TIME_ISO_LEN - 1);
    out[CW_TIME_ISO_LEN - 1] = '\0';
}

static int digits(const char *p, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int cw_time_parse(cw_str_t s, int64_t *ms)
{
    const char *p = s.ptr;
    size_t n = s.len;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (n < 10 || digits(p, 4, &y) || p[4] != '-' || digits(p + 5, 2, &mo) || p[7] != '-' ||
        digits(p + 8, 2, &d))
        return -1;
    size_t i = 10;
    if (i < n && (p[i] == 'T' || p[i] == ' ')) {
        if (n < i + 6 || digits(p + i + 1, 2, &h) || p[i + 3] != ':' || digits(p + i + 4, 2, &mi))
            return -1;
        i += 6;
        if (i < n && p[i] == ':') {
            if (n < i + 3 || digits(p + i + 1, 2, &sec))
                return -1;
            i += 3;
            if (i < n && p[i] == '.') {
                i++;
                int scale = 100, nd = 0;
                while (i < n && p[i] >= '0' && p[i] <= '9') {
                    if (nd++ < 3) {
                        frac += (p[i] - '0') * scale;
                        scale /= 10;
                    }
                    i++;
                }
                if (nd == 0)
                    return -1;
            }
        }
        if (i < n && p[i] == 'Z') {
            i++;
        } else if (i < n && (p[i] == '+' || p[i] == '-')) {
            int oh, om;
            int sign = p[i] == '-' ? -1 : 1;
            if (n < i + 6 || digits(p + i + 1, 2, &oh) || p[i + 3] != ':' ||
                digits(p + i + 4, 2, &om))
                return -1;
            off = sign * (oh * 60 + om);
            i += 6;
        }
    }
    if (i != n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > mdays[mo - 1])
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return -1;
    int64_t days = days_from_civil(y, mo, d);
    *ms = ((days * 86400 + h * 3600 + mi * 60 + sec) - (int64_t)off * 60) * 1000 + frac;
    return 0;
}
