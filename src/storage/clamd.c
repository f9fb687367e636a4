#include "storage/clamd.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/net.h"
#include "core/status.h"

/* Sends one "z" command and reads the reply up to its NUL (or the end of the stream) into out. */
static int command(const char *host, int port, int timeout_ms, const char *cmd, char *out,
                   size_t cap, int *sys_err)
{
    int fd = -1;
    size_t len = 0;
    int rc = CW_EINVAL;
    if (cap == 0)
        goto out;
    out[0] = '\0';
    rc = cw_net_tcp_connect(host, port, timeout_ms, &fd, sys_err);
    if (rc != CW_OK)
        goto out;
    rc = CW_EIO;
    size_t n = strlen(cmd) + 1; /* the NUL ends the command */
    for (size_t sent = 0; sent < n;) {
        ssize_t w = send(fd, cmd + sent, n - sent, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            *sys_err = w < 0 ? errno : EPIPE;
            goto out;
        }
        sent += (size_t)w;
    }
    for (;;) {
        char chunk[256];
        ssize_t r = recv(fd, chunk, sizeof(chunk), 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *sys_err = errno == EAGAIN ? ETIMEDOUT : errno;
            goto out;
        }
        const char *nul = memchr(chunk, '\0', (size_t)r);
        size_t take = nul != NULL ? (size_t)(nul - chunk) : (size_t)r;
        if (take > cap - 1 - len)
            take = cap - 1 - len;
        memcpy(out + len, chunk, take);
        len += take;
        if (r == 0 || nul != NULL || len == cap - 1)
            break;
    }
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        len--;
    out[len] = '\0';
    rc = len > 0 ? CW_OK : CW_EINVAL;
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int cw_clamd_ping(const char *host, int port, int timeout_ms, int *sys_err)
{
    char reply[16];
    int rc = command(host, port, timeout_ms, "zPING", reply, sizeof(reply), sys_err);
    if (rc == CW_OK && strcmp(reply, "PONG") != 0)
        rc = CW_EINVAL;
    return rc;
}

int cw_clamd_version(const char *host, int port, int timeout_ms, char *out, size_t cap,
                     int *sys_err)
{
    return command(host, port, timeout_ms, "zVERSION", out, cap, sys_err);
}
