/*
 * A client of ClamAV's daemon (clamd) over TCP, one command per connection with the
 * NUL-terminated ("z") form of its protocol. Blocking, so worker threads only. Replies are copied
 * into the caller's buffer; nothing stays allocated.
 */
#ifndef CW_STORAGE_CLAMD_H
#define CW_STORAGE_CLAMD_H

#include <stddef.h>

/* Sends PING; returns 0 when clamd answers PONG, CW_EINVAL for any other answer, CW_ENOTFOUND
 * when host does not resolve, or CW_EIO (with *sys_err) when it cannot be reached in time. */
int cw_clamd_ping(const char *host, int port, int timeout_ms, int *sys_err);

/* Sends VERSION and copies the answer ("ClamAV 1.0.7/27300/…", no trailing newline) into out
 * (cap bytes, NUL-terminated, cut if longer). Same returns as cw_clamd_ping. */
int cw_clamd_version(const char *host, int port, int timeout_ms, char *out, size_t cap,
                     int *sys_err);

#endif
