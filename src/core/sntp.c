#include "core/sntp.h"

#include <errno.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/net.h"
#include "core/status.h"
#include "core/timeutil.h"

#define SNTP_VERSION 4
#define SNTP_MODE_CLIENT 3
#define SNTP_MODE_SERVER 4
#define SNTP_LI_ALARM 3
#define OFF_ORIGINATE 24
#define OFF_TRANSMIT 40

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void cw_sntp_request_build(uint8_t pkt[CW_SNTP_PACKET_LEN], const uint8_t nonce[8])
{
    memset(pkt, 0, CW_SNTP_PACKET_LEN);
    pkt[0] = SNTP_VERSION << 3 | SNTP_MODE_CLIENT;
    memcpy(pkt + OFF_TRANSMIT, nonce, 8);
}

int cw_sntp_reply_parse(const uint8_t *pkt, size_t len, const uint8_t nonce[8], int64_t *unix_us)
{
    if (len < CW_SNTP_PACKET_LEN)
        return CW_EINVAL;
    if (memcmp(pkt + OFF_ORIGINATE, nonce, 8) != 0)
        return CW_ENOTFOUND;
    int li = pkt[0] >> 6, vn = (pkt[0] >> 3) & 7, mode = pkt[0] & 7, stratum = pkt[1];
    if (mode != SNTP_MODE_SERVER || vn < 1 || vn > SNTP_VERSION)
        return CW_EINVAL;
    /* Stratum 0 is a kiss-o'-death ("go away"); an alarm leap indicator means the server's own
     * clock is not synchronised. Neither carries a time to trust (RFC 4330, section 5). */
    if (li == SNTP_LI_ALARM || stratum == 0 || stratum > 15)
        return CW_EINVAL;
    uint64_t secs = be32(pkt + OFF_TRANSMIT);
    uint64_t frac = be32(pkt + OFF_TRANSMIT + 4);
    if (secs == 0 && frac == 0)
        return CW_EINVAL;
    /* Timestamps are 32-bit seconds since 1900 and wrap in 2036. As RFC 4330 section 3 suggests,
     * a clear top bit means the next era (2036-2104), so the answer stays right after the wrap. */
    if ((secs & 0x80000000u) == 0)
        secs += (uint64_t)1 << 32;
    *unix_us = ((int64_t)secs - CW_SNTP_UNIX_OFFSET) * 1000000 + (int64_t)((frac * 1000000) >> 32);
    return CW_OK;
}

int cw_sntp_query(const char *server, int timeout_ms, int64_t *unix_us, int *sys_err)
{
    char host[CW_NET_HOST_MAX];
    int port;
    int fd = -1;
    uint8_t nonce[8], pkt[CW_SNTP_PACKET_LEN];
    *sys_err = 0;
    int rc = cw_net_hostport_parse(cw_str(server), CW_SNTP_PORT, host, &port);
    if (rc != CW_OK)
        goto out;
    rc = cw_net_udp_connect(host, port, &fd, sys_err);
    if (rc != CW_OK)
        goto out;
    /* A random transmit timestamp, rather than the local time, so that only the server that saw
     * the request can produce a matching reply. */
    if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
        rc = CW_EIO;
        goto out;
    }
    cw_sntp_request_build(pkt, nonce);
    if (send(fd, pkt, sizeof(pkt), 0) != (ssize_t)sizeof(pkt)) {
        *sys_err = errno;
        rc = CW_EIO;
        goto out;
    }
    int64_t deadline = cw_time_mono_us() + (int64_t)timeout_ms * 1000;
    for (;;) {
        int64_t left_ms = (deadline - cw_time_mono_us()) / 1000;
        if (left_ms <= 0) {
            *sys_err = ETIMEDOUT;
            rc = CW_EIO;
            goto out;
        }
        rc = cw_net_wait_readable(fd, (int)left_ms, sys_err);
        if (rc != CW_OK)
            goto out;
        uint8_t reply[128];
        ssize_t n = recv(fd, reply, sizeof(reply), 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            *sys_err = errno;
            rc = CW_EIO;
            goto out;
        }
        rc = cw_sntp_reply_parse(reply, (size_t)n, nonce, unix_us);
        if (rc != CW_ENOTFOUND)
            goto out;
        cw_log(CW_LOG_DEBUG, "sntp: ignored a datagram that answers no request of ours server=%s",
               server);
    }
out:
    if (fd >= 0)
        close(fd);
    return rc;
}
