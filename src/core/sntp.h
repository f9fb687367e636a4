/*
 * A Simple Network Time Protocol client (RFC 4330): one request, one reply, the server's transmit
 * time. cw_sntp_query blocks (name lookup, waiting for the reply), so it runs on worker threads
 * only; the packet functions are pure and run anywhere. Nothing is allocated.
 */
#ifndef CW_CORE_SNTP_H
#define CW_CORE_SNTP_H

#include <stddef.h>
#include <stdint.h>

#define CW_SNTP_PACKET_LEN 48
#define CW_SNTP_PORT 123
/* Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
#define CW_SNTP_UNIX_OFFSET 2208988800LL

/* Writes a client request (version 4, mode 3) whose transmit timestamp is nonce; a reply must echo
 * it as its originate timestamp. */
void cw_sntp_request_build(uint8_t pkt[CW_SNTP_PACKET_LEN], const uint8_t nonce[8]);

/* Reads the server's transmit time from a reply, in µs since the Unix epoch. Returns 0;
 * CW_ENOTFOUND when the reply does not answer the request with this nonce (a stray datagram); or
 * CW_EINVAL when it is short, not a server reply, unsynchronised, a kiss-o'-death or has no time.
 */
int cw_sntp_reply_parse(const uint8_t *pkt, size_t len, const uint8_t nonce[8], int64_t *unix_us);

/* Asks server ("host" or "host:port", port 123 by default) for the time, waiting at most
 * timeout_ms for the reply. Returns 0 with *unix_us; CW_EINVAL for a bad server string or reply;
 * CW_ENOTFOUND when the name does not resolve; CW_EIO on a socket error or timeout, with
 * *sys_err set (ETIMEDOUT when no reply came in time). */
int cw_sntp_query(const char *server, int timeout_ms, int64_t *unix_us, int *sys_err);

#endif
