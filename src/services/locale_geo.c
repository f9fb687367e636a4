#include "services/locale_geo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "core/log.h"
#include "core/status.h"

/* The process-wide database. It is opened once, under the mutex, and `ready` publishes the
 * outcome; after that the handle is only read, which libmaxminddb allows from any thread. */
static pthread_mutex_t geo_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int geo_state; /* 0: not tried yet, 1: open, -1: none or failed */
static MMDB_s geo_db;

/* Text form of an address into sockaddr form; false when s is not exactly one address. */
static bool ip_parse(cw_str_t s, struct sockaddr_storage *ss)
{
    char tmp[INET6_ADDRSTRLEN];
    if (s.len == 0 || s.len >= sizeof(tmp) || memchr(s.ptr, '\0', s.len) != NULL)
        return false;
    memcpy(tmp, s.ptr, s.len);
    tmp[s.len] = '\0';
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    if (inet_pton(AF_INET, tmp, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        return true;
    }
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET6, tmp, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        return true;
    }
    return false;
}

bool cw_locale_geo_ip_valid(cw_str_t ip)
{
    struct sockaddr_storage ss;
    return ip_parse(ip, &ss);
}

static int geo_open(const char *path)
{
    int state = atomic_load_explicit(&geo_state, memory_order_acquire);
    if (state != 0)
        return state;
    pthread_mutex_lock(&geo_lock);
    state = atomic_load_explicit(&geo_state, memory_order_relaxed);
    if (state == 0) {
        state = -1;
        if (path != NULL && path[0] != '\0') {
            int rc = MMDB_open(path, MMDB_MODE_MMAP, &geo_db);
            if (rc == MMDB_SUCCESS) {
                state = 1;
                cw_log(CW_LOG_INFO, "msg=\"geoip database opened\" path=%s type=%s", path,
                       geo_db.metadata.database_type);
            } else {
                int err = errno;
                cw_log(CW_LOG_WARN,
                       "msg=\"geoip database cannot be opened; GET /v1/locale answers unknown\" "
                       "path=%s error=\"%s%s%s\"",
                       path, MMDB_strerror(rc), rc == MMDB_IO_ERROR ? ": " : "",
                       rc == MMDB_IO_ERROR ? strerror(err) : "");
            }
        }
        atomic_store_explicit(&geo_state, state, memory_order_release);
    }
    pthread_mutex_unlock(&geo_lock);
    return state;
}

/* Copies the string at entry[k1][k2] into out; "" when it is absent, not a string or too long. */
static void entry_string(MMDB_entry_s *entry, char *out, size_t cap, const char *k1, const char *k2)
{
    MMDB_entry_data_s data;
    out[0] = '\0';
    if (MMDB_get_value(entry, &data, k1, k2, NULL) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size >= cap)
        return;
    memcpy(out, data.utf8_string, data.data_size);
    out[data.data_size] = '\0';
}

int cw_locale_geo_lookup(const char *db_path, cw_str_t ip, cw_locale_geo_t *out)
{
    memset(out, 0, sizeof(*out));
    struct sockaddr_storage ss;
    if (!ip_parse(ip, &ss))
        return CW_ENOTFOUND;
    if (geo_open(db_path) != 1)
        return CW_ENOTFOUND;
    int mmdb_err = MMDB_SUCCESS;
    /* An IPv6 address in an IPv4-only database is an error here, and simply unknown to us. */
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&geo_db, (const struct sockaddr *)&ss, &mmdb_err);
    if (mmdb_err != MMDB_SUCCESS || !r.found_entry)
        return CW_ENOTFOUND;
    entry_string(&r.entry, out->country, sizeof(out->country), "country", "iso_code");
    entry_string(&r.entry, out->continent, sizeof(out->continent), "continent", "code");
    return CW_OK;
}
