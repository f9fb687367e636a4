#include "core/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/status.h"
#include "core/timeutil.h"

static int parse_port(cw_str_t s, int *port)
{
    int v = 0;
    if (s.len == 0 || s.len > 5)
        return CW_EINVAL;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return CW_EINVAL;
        v = v * 10 + (s.ptr[i] - '0');
    }
    if (v < 1 || v > 65535)
        return CW_EINVAL;
    *port = v;
    return CW_OK;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

static int is_v6_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
           c == '.';
}

static int copy_host(cw_str_t h, int (*ok)(char), char host[CW_NET_HOST_MAX])
{
    if (h.len == 0 || h.len >= CW_NET_HOST_MAX)
        return CW_EINVAL;
    for (size_t i = 0; i < h.len; i++) {
        if (!ok(h.ptr[i]))
            return CW_EINVAL;
    }
    memcpy(host, h.ptr, h.len);
    host[h.len] = '\0';
    return CW_OK;
}

int cw_net_hostport_parse(cw_str_t s, int default_port, char host[CW_NET_HOST_MAX], int *port)
{
    cw_str_t h = s, p = CW_STR_NULL;
    int (*ok)(char) = is_name_char;
    if (s.len > 0 && s.ptr[0] == '[') {
        const char *close = memchr(s.ptr, ']', s.len);
        if (close == NULL)
            return CW_EINVAL;
        h = (cw_str_t){s.ptr + 1, (size_t)(close - s.ptr - 1)};
        size_t rest = s.len - (size_t)(close - s.ptr) - 1;
        if (rest > 0) {
            if (close[1] != ':')
                return CW_EINVAL;
            p = (cw_str_t){close + 2, rest - 1};
            if (p.len == 0)
                return CW_EINVAL;
        }
        ok = is_v6_char;
    } else {
        const char *colon = memchr(s.ptr, ':', s.len);
        if (colon != NULL) {
            h = (cw_str_t){s.ptr, (size_t)(colon - s.ptr)};
            p = (cw_str_t){colon + 1, s.len - h.len - 1};
            if (p.len == 0 || memchr(p.ptr, ':', p.len) != NULL)
                return CW_EINVAL; /* an IPv6 literal needs brackets */
        }
    }
    int rc = copy_host(h, ok, host);
    if (rc != CW_OK)
        return rc;
    if (ok == is_v6_char && !cw_net_host_is_ip(host))
        return CW_EINVAL;
    if (p.ptr == NULL) {
        *port = default_port;
        return CW_OK;
    }
    return parse_port(p, port);
}

int cw_net_host_is_ip(const char *host)
{
    unsigned char addr[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

static int resolve(const char *host, int port, int socktype, struct addrinfo **res)
{
    char service[8];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICSERV;
    return getaddrinfo(host, service, &hints, res) == 0 ? CW_OK : CW_ENOTFOUND;
}

static void set_timeouts(int fd, int timeout_ms)
{
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Polls fd for events until the monotonic deadline (µs). Returns the revents, 0 on timeout or -1
 * on a poll error (errno set). */
static int poll_until(int fd, short events, int64_t deadline_us)
{
    for (;;) {
        int64_t left_us = deadline_us - cw_time_mono_us();
        if (left_us <= 0)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        int n = poll(&pfd, 1, (int)((left_us + 999) / 1000));
        if (n > 0)
            return pfd.revents;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

/* One non-blocking connect attempt; returns 0 or an errno value. */
static int connect_one(const struct addrinfo *ai, int64_t deadline_us, int *fd_out)
{
    int err = 0;
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return errno;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            err = errno;
            goto fail;
        }
        int rev = poll_until(fd, POLLOUT, deadline_us);
        if (rev <= 0) {
            err = rev == 0 ? ETIMEDOUT : errno;
            goto fail;
        }
        socklen_t len = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err != 0)
            goto fail;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        err = errno;
        goto fail;
    }
    *fd_out = fd;
    return 0;
fail:
    close(fd);
    return err;
}

int cw_net_tcp_connect(const char *host, int port, int timeout_ms, int *fd_out, int *sys_err)
{
    struct addrinfo *res = NULL;
    int64_t deadline = cw_time_mono_us() + (int64_t)timeout_ms * 1000;
    int rc = CW_EIO;
    *sys_err = 0;
    if (resolve(host, port, SOCK_STREAM, &res) != CW_OK) {
        rc = CW_ENOTFOUND;
        goto out;
    }
    *sys_err = ECONNREFUSED;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = -1;
        int err = connect_one(ai, deadline, &fd);
        if (err == 0) {
            set_timeouts(fd, timeout_ms);
            *fd_out = fd;
            *sys_err = 0;
            rc = CW_OK;
            goto out;
        }
        *sys_err = err;
        if (err == ETIMEDOUT)
            break;
    }
out:
    if (res != NULL)
        freeaddrinfo(res);
    return rc;
}

int cw_net_udp_connect(const char *host, int port, int *fd_out, int *sys_err)
{
    struct addrinfo *res = NULL;
    int rc = CW_EIO;
    int fd = -1;
    *sys_err = 0;
    if (resolve(host, port, SOCK_DGRAM, &res) != CW_OK) {
        rc = CW_ENOTFOUND;
        goto out;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        *sys_err = errno;
        if (fd >= 0)
            close(fd);
        goto out;
    }
    *fd_out = fd;
    rc = CW_OK;
out:
    if (res != NULL)
        freeaddrinfo(res);
    return rc;
}

int cw_net_wait_readable(int fd, int timeout_ms, int *sys_err)
{
    int rev = poll_until(fd, POLLIN, cw_time_mono_us() + (int64_t)timeout_ms * 1000);
    if (rev > 0)
        return CW_OK;
    *sys_err = rev == 0 ? ETIMEDOUT : errno;
    return CW_EIO;
}
