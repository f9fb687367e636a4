/*
 * Fetches the certificate a TLS server presents and reads the fields the Health service reports.
 * The handshake does not verify the chain: the point is to look at the certificate, even a
 * self-signed or expired one. Blocking (name lookup, connect, handshake), so worker threads only.
 * The result is plain memory owned by the caller; nothing stays allocated. OpenSSL writes to the
 * socket without MSG_NOSIGNAL, so the process must ignore SIGPIPE (the server does).
 */
#ifndef CW_CORE_TLSPROBE_H
#define CW_CORE_TLSPROBE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cw_tlsprobe_cert {
    char name[512];          /* the subject on one line, "/CN=example.com" */
    char subject_cn[256];    /* the subject's commonName, "" when it has none */
    char issuer_org[256];    /* the issuer's organizationName, "" when it has none */
    int64_t valid_from;      /* Unix seconds */
    int64_t valid_to;        /* Unix seconds */
    char signature_type[64]; /* short name of the signature algorithm, "RSA-SHA256" */
} cw_tlsprobe_cert_t;

/* Connects to host:port, sends SNI (unless host is an IP address), completes the handshake
 * within timeout_ms (connect and each read or write) and fills out from the leaf certificate.
 * Returns 0; CW_ENOTFOUND when the name does not resolve; CW_EIO when the connection or the
 * handshake failed. On failure, why (whylen bytes) says what went wrong in one line. */
int cw_tlsprobe_fetch(const char *host, int port, int timeout_ms, cw_tlsprobe_cert_t *out,
                      char *why, size_t whylen);

/* Fills out from a PEM certificate in memory (for tests and for certificates cwrite holds).
 * Returns 0, or CW_EINVAL when pem is not a certificate. */
int cw_tlsprobe_cert_from_pem(const char *pem, size_t len, cw_tlsprobe_cert_t *out);

#endif
