/* Unit tests for core/tlsprobe: the fields read from a certificate made in the test, and the probe
 * against a TLS server thread on loopback (SNI, no SNI for addresses, a non-TLS peer, a refusal).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/status.h"
#include "core/tlsprobe.h"

#define NOT_BEFORE 1700000000LL
#define NOT_AFTER 4102444800LL /* 2100-01-01: written as a GeneralizedTime */

static EVP_PKEY *key;
static X509 *cert;

static void add_entry(X509_NAME *n, const char *field, const char *value)
{
    X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (const unsigned char *)value, -1, -1, 0);
}

static int setup(void **state)
{
    key = EVP_EC_gen("P-256");
    assert_non_null(key);
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
    ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)NOT_BEFORE);
    ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)NOT_AFTER);
    X509_set_pubkey(cert, key);
    X509_NAME *subject = X509_get_subject_name(cert);
    add_entry(subject, "O", "Probe Subject Org");
    add_entry(subject, "CN", "probe.test");
    X509_NAME *issuer = X509_NAME_new();
    add_entry(issuer, "O", "Probe Issuer Org");
    add_entry(issuer, "CN", "Probe CA");
    X509_set_issuer_name(cert, issuer);
    X509_NAME_free(issuer);
    assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
    return 0;
}

static int teardown(void **state)
{
    X509_free(cert);
    EVP_PKEY_free(key);
    return 0;
}

static void check_fields(const cw_tlsprobe_cert_t *c)
{
    assert_string_equal(c->name, "/O=Probe Subject Org/CN=probe.test");
    assert_string_equal(c->subject_cn, "probe.test");
    assert_string_equal(c->issuer_org, "Probe Issuer Org");
    assert_int_equal(c->valid_from, NOT_BEFORE);
    assert_int_equal(c->valid_to, NOT_AFTER);
    assert_string_equal(c->signature_type, "ecdsa-with-SHA256");
}

static void test_from_pem(void **state)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char *pem;
    long len = BIO_get_mem_data(bio, &pem);
    cw_tlsprobe_cert_t c;
    assert_int_equal(cw_tlsprobe_cert_from_pem(pem, (size_t)len, &c), CW_OK);
    check_fields(&c);
    BIO_free(bio);
    assert_int_equal(cw_tlsprobe_cert_from_pem("not a certificate", 17, &c), CW_EINVAL);
}

typedef struct server {
    int fd;
    int port;
    int tls; /* 0: answer in plain text and close */
    char sni[256];
} server_t;

static void *serve(void *arg)
{
    server_t *s = arg;
    int c = accept(s->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    if (!s->tls) {
        static const char junk[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
        send(c, junk, sizeof(junk) - 1, MSG_NOSIGNAL);
        close(c);
        return NULL;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx, cert);
    SSL_CTX_use_PrivateKey(ctx, key);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, c);
    if (SSL_accept(ssl) == 1) {
        const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        snprintf(s->sni, sizeof(s->sni), "%s", sni != NULL ? sni : "");
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(c);
    return NULL;
}

static void server_start(server_t *s, pthread_t *th)
{
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->fd, 4), 0);
    socklen_t len = sizeof(a);
    getsockname(s->fd, (struct sockaddr *)&a, &len);
    s->port = ntohs(a.sin_port);
    pthread_create(th, NULL, serve, s);
}

static void test_fetch(void **state)
{
    const char *hosts[] = {"localhost", "127.0.0.1"};
    const char *want_sni[] = {"localhost", ""};
    for (int i = 0; i < 2; i++) {
        server_t s = {.tls = 1, .sni = "unset"};
        pthread_t th;
        server_start(&s, &th);
        cw_tlsprobe_cert_t c;
        char why[256] = "";
        int rc = cw_tlsprobe_fetch(hosts[i], s.port, 2000, &c, why, sizeof(why));
        if (rc != CW_OK)
            print_error("fetch from %s failed: %s\n", hosts[i], why);
        assert_int_equal(rc, CW_OK);
        pthread_join(th, NULL);
        close(s.fd);
        check_fields(&c);
        assert_string_equal(s.sni, want_sni[i]);
    }
}

static void test_fetch_fails(void **state)
{
    server_t s = {.tls = 0};
    pthread_t th;
    server_start(&s, &th);
    cw_tlsprobe_cert_t c;
    char why[256] = "";
    assert_int_equal(cw_tlsprobe_fetch("127.0.0.1", s.port, 2000, &c, why, sizeof(why)), CW_EIO);
    pthread_join(th, NULL);
    close(s.fd);
    assert_non_null(strstr(why, "TLS handshake failed"));
    /* The port is free again: the connection is refused. */
    assert_int_equal(cw_tlsprobe_fetch("127.0.0.1", s.port, 2000, &c, why, sizeof(why)), CW_EIO);
    assert_non_null(strstr(why, "Connection refused"));
}

int main(void)
{
    /* Either side may write to a socket the other has closed; the server ignores SIGPIPE too. */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_pem),
        cmocka_unit_test(test_fetch),
        cmocka_unit_test(test_fetch_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
