#include "services/health_checks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/id.h"
#include "core/log.h"
#include "core/net.h"
#include "core/status.h"

#define PROBE_BYTES 32 /* random bytes, written as twice as many hex digits */

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads up to cap bytes (to the end of the file); returns the count or -1. */
static ssize_t read_all(int fd, char *p, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t r = read(fd, p + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int cw_health_storage_roundtrip(const char *dir)
{
    char path[4096], want[2 * PROBE_BYTES + 1], got[sizeof(want)], rnd[17];
    const char *step = "mkdir";
    int fd = -1, rc = CW_EIO;
    bool created = false;
    cw_random_hex(rnd, 8);
    cw_random_hex(want, PROBE_BYTES);
    if ((size_t)snprintf(path, sizeof(path), "%s/.health-%s", dir, rnd) >= sizeof(path)) {
        errno = ENAMETOOLONG;
        goto fail;
    }
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        goto fail;
    step = "create";
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        goto fail;
    created = true;
    step = "write";
    if (write_all(fd, want, sizeof(want) - 1) != 0)
        goto fail;
    int closed = close(fd);
    fd = -1;
    if (closed != 0)
        goto fail;
    step = "read";
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        goto fail;
    ssize_t n = read_all(fd, got, sizeof(got));
    if (n < 0)
        goto fail;
    step = "compare";
    if ((size_t)n != sizeof(want) - 1 || memcmp(got, want, (size_t)n) != 0) {
        errno = EIO;
        goto fail;
    }
    rc = CW_OK;
    goto out;
fail:
    cw_log(CW_LOG_ERROR, "health=storage step=%s path=%s error=\"%s\"", step, path,
           strerror(errno));
out:
    if (fd >= 0)
        close(fd);
    if (created && unlink(path) != 0) {
        cw_log(CW_LOG_ERROR, "health=storage step=remove path=%s error=\"%s\"", path,
               strerror(errno));
        rc = CW_EIO;
    }
    return rc;
}

int cw_health_cache_ping(void)
{
    return CW_OK;
}

int cw_health_pubsub_ping(void)
{
    return CW_OK;
}

const char *const cw_health_failed_queues[] = {
    "v1-database",     "v1-deletes",
    "v1-audits",       "v1-mails",
    "v1-functions",    "v1-stats-resources",
    "v1-stats-usage",  "v1-webhooks",
    "v1-certificates", "v1-builds",
    "v1-screenshots",  "v1-messaging",
    "v1-migrations",   NULL,
};

const char cw_health_failed_queues_text[] =
    "v1-database, v1-deletes, v1-audits, v1-mails, v1-functions, v1-stats-resources, "
    "v1-stats-usage, v1-webhooks, v1-certificates, v1-builds, v1-screenshots, v1-messaging, "
    "v1-migrations";

const char *cw_health_failed_queue_find(cw_str_t name)
{
    for (const char *const *q = cw_health_failed_queues; *q != NULL; q++) {
        if (cw_str_case_eq_cstr(name, *q))
            return *q;
    }
    return NULL;
}

int cw_health_domain_parse(cw_str_t domain, char host[CW_NET_HOST_MAX], int *port)
{
    cw_str_t auth = domain;
    for (size_t i = 0; i + 2 < domain.len; i++) {
        if (memcmp(domain.ptr + i, "://", 3) != 0)
            continue;
        cw_str_t scheme = {domain.ptr, i};
        if (!cw_str_case_eq_cstr(scheme, "https") && !cw_str_case_eq_cstr(scheme, "http"))
            return CW_EINVAL;
        auth = (cw_str_t){domain.ptr + i + 3, domain.len - i - 3};
        size_t end = 0;
        while (end < auth.len && auth.ptr[end] != '/' && auth.ptr[end] != '?' &&
               auth.ptr[end] != '#')
            end++;
        auth.len = end;
        const char *at = memchr(auth.ptr, '@', auth.len);
        if (at != NULL)
            auth = (cw_str_t){at + 1, auth.len - (size_t)(at + 1 - auth.ptr)};
        break;
    }
    return cw_net_hostport_parse(auth, 443, host, port);
}

int cw_health_queue_size(cw_queue_t *q, cw_str_t queue, bool failed, int64_t *size)
{
    *size = 0;
    if (q == NULL)
        return CW_EIO;
    char name[64];
    if (queue.len <= 3 || queue.len >= sizeof(name) + 3 || memcmp(queue.ptr, "v1-", 3) != 0)
        return CW_OK;
    memcpy(name, queue.ptr + 3, queue.len - 3);
    name[queue.len - 3] = '\0';
    return cw_queue_count(q, name, failed, size) == CW_OK ? CW_OK : CW_EIO;
}
