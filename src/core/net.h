/*
 * Small blocking network helpers for the probes that talk to other servers (clamd, SNTP, TLS
 * certificate checks): parsing HOST[:PORT], and connecting a socket with a deadline. They resolve
 * names with getaddrinfo and wait on sockets, so they run on worker threads only, never on an
 * event loop. A returned descriptor belongs to the caller, who closes it.
 */
#ifndef CW_CORE_NET_H
#define CW_CORE_NET_H

#include <stddef.h>

#include "core/str.h"

#define CW_NET_HOST_MAX 256

/* Splits "host", "host:port", "[v6]" or "[v6]:port" into host (NUL-terminated, brackets removed)
 * and port (default_port when none is given). The host must be a name of letters, digits, '-',
 * '_' and '.', or an IPv6 literal in brackets. Returns 0, or CW_EINVAL. */
int cw_net_hostport_parse(cw_str_t s, int default_port, char host[CW_NET_HOST_MAX], int *port);

/* 1 when host is a numeric IPv4 or IPv6 address (no name lookup needed, and no TLS SNI). */
int cw_net_host_is_ip(const char *host);

/* Connects a TCP socket to host:port, trying each address the name resolves to, within timeout_ms
 * in all. The socket is returned blocking, with send and receive timeouts of timeout_ms.
 * Returns 0 with *fd_out, CW_ENOTFOUND when the name does not resolve, or CW_EIO when no address
 * accepted the connection; *sys_err then holds the errno of the last attempt (ETIMEDOUT when time
 * ran out), or 0 for a name that did not resolve. */
int cw_net_tcp_connect(const char *host, int port, int timeout_ms, int *fd_out, int *sys_err);

/* Makes a UDP socket connected to host:port (the first address the name resolves to), so that
 * send/recv exchange datagrams with that peer only. Same returns as cw_net_tcp_connect. */
int cw_net_udp_connect(const char *host, int port, int *fd_out, int *sys_err);

/* Waits until fd is readable, at most timeout_ms. Returns 0, or CW_EIO with *sys_err set
 * (ETIMEDOUT when time ran out). */
int cw_net_wait_readable(int fd, int timeout_ms, int *sys_err);

#endif
