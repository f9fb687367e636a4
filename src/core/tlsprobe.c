#include "core/tlsprobe.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/net.h"
#include "core/status.h"

static void name_entry(const X509_NAME *name, int nid, char *out, size_t cap)
{
    out[0] = '\0';
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0)
        return;
    const ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n < 0)
        return;
    size_t len = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
    memcpy(out, utf8, len);
    out[len] = '\0';
    OPENSSL_free(utf8);
}

static int64_t asn1_time_unix(const ASN1_TIME *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm);
}

static void read_cert(X509 *cert, cw_tlsprobe_cert_t *out)
{
    memset(out, 0, sizeof(*out));
    const X509_NAME *subject = X509_get_subject_name(cert);
    if (X509_NAME_oneline(subject, out->name, sizeof(out->name)) == NULL)
        out->name[0] = '\0';
    name_entry(subject, NID_commonName, out->subject_cn, sizeof(out->subject_cn));
    name_entry(X509_get_issuer_name(cert), NID_organizationName, out->issuer_org,
               sizeof(out->issuer_org));
    out->valid_from = asn1_time_unix(X509_get0_notBefore(cert));
    out->valid_to = asn1_time_unix(X509_get0_notAfter(cert));
    const char *sn = OBJ_nid2sn(X509_get_signature_nid(cert));
    snprintf(out->signature_type, sizeof(out->signature_type), "%s",
             sn != NULL && strcmp(sn, "UNDEF") != 0 ? sn : "");
}

int cw_tlsprobe_cert_from_pem(const char *pem, size_t len, cw_tlsprobe_cert_t *out)
{
    int rc = CW_EINVAL;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    X509 *cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    if (cert != NULL) {
        read_cert(cert, out);
        X509_free(cert);
        rc = CW_OK;
    }
    BIO_free(bio);
    ERR_clear_error();
    return rc;
}

static void tls_why(char *why, size_t whylen, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
    snprintf(why, whylen, "(0) %s%s%s", what, reason != NULL ? ": " : "",
             reason != NULL ? reason : "");
}

int cw_tlsprobe_fetch(const char *host, int port, int timeout_ms, cw_tlsprobe_cert_t *out,
                      char *why, size_t whylen)
{
    SSL_CTX *sctx = NULL;
    SSL *ssl = NULL;
    X509 *cert = NULL;
    int fd = -1, sys_err = 0;
    snprintf(why, whylen, "(0) unknown error");
    ERR_clear_error();
    int rc = cw_net_tcp_connect(host, port, timeout_ms, &fd, &sys_err);
    if (rc == CW_ENOTFOUND) {
        snprintf(why, whylen, "(0) no address found for %s", host);
        goto out;
    }
    if (rc != CW_OK) {
        snprintf(why, whylen, "(%d) %s", sys_err, strerror(sys_err));
        goto out;
    }
    rc = CW_EIO;
    sctx = SSL_CTX_new(TLS_client_method());
    if (sctx == NULL) {
        tls_why(why, whylen, "cannot make a TLS context");
        goto out;
    }
    SSL_CTX_set_verify(sctx, SSL_VERIFY_NONE, NULL);
    ssl = SSL_new(sctx);
    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
        tls_why(why, whylen, "cannot make a TLS connection");
        goto out;
    }
    /* RFC 6066 allows only host names in SNI, never addresses. */
    if (!cw_net_host_is_ip(host) && SSL_set_tlsext_host_name(ssl, host) != 1) {
        tls_why(why, whylen, "cannot set the server name");
        goto out;
    }
    if (SSL_connect(ssl) != 1) {
        tls_why(why, whylen, "TLS handshake failed");
        goto out;
    }
    cert = SSL_get1_peer_certificate(ssl);
    if (cert == NULL) {
        snprintf(why, whylen, "(0) the server sent no certificate");
        goto out;
    }
    read_cert(cert, out);
    rc = CW_OK;
    SSL_shutdown(ssl);
out:
    X509_free(cert);
    SSL_free(ssl);
    SSL_CTX_free(sctx);
    if (fd >= 0)
        close(fd);
    ERR_clear_error();
    return rc;
}
