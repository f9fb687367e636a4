/* Unit tests for core/net: HOST[:PORT] parsing and connecting with a deadline, on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/net.h"
#include "core/status.h"

static void parses(const char *s, int def, const char *want_host, int want_port)
{
    char host[CW_NET_HOST_MAX];
    int port = -1;
    int rc = cw_net_hostport_parse(cw_str(s), def, host, &port);
    if (rc != CW_OK)
        print_error("\"%s\" did not parse\n", s);
    assert_int_equal(rc, CW_OK);
    assert_string_equal(host, want_host);
    assert_int_equal(port, want_port);
}

static void rejects(const char *s)
{
    char host[CW_NET_HOST_MAX];
    int port = -1;
    int rc = cw_net_hostport_parse(cw_str(s), 443, host, &port);
    if (rc != CW_EINVAL)
        print_error("\"%s\" parsed, but should not\n", s);
    assert_int_equal(rc, CW_EINVAL);
}

static void test_hostport_parse(void **state)
{
    parses("example.com", 443, "example.com", 443);
    parses("example.com:8443", 443, "example.com", 8443);
    parses("127.0.0.1:123", 123, "127.0.0.1", 123);
    parses("time_server-1.lan", 123, "time_server-1.lan", 123);
    parses("[::1]", 443, "::1", 443);
    parses("[::1]:65535", 443, "::1", 65535);
    parses("[::ffff:127.0.0.1]:1", 443, "::ffff:127.0.0.1", 1);
    rejects("");
    rejects(":443");
    rejects("host:");
    rejects("host:0");
    rejects("host:65536");
    rejects("host:12a");
    rejects("host:-1");
    rejects("::1");
    rejects("[::1");
    rejects("[::1]x");
    rejects("[::1]:");
    rejects("[example.com]:443");
    rejects("exa mple.com");
    rejects("example.com/path");
    rejects("user@example.com");
    char long_host[300];
    memset(long_host, 'a', sizeof(long_host) - 1);
    long_host[sizeof(long_host) - 1] = '\0';
    rejects(long_host);
}

static void test_host_is_ip(void **state)
{
    assert_true(cw_net_host_is_ip("127.0.0.1"));
    assert_true(cw_net_host_is_ip("::1"));
    assert_false(cw_net_host_is_ip("localhost"));
    assert_false(cw_net_host_is_ip("1.2.3"));
}

/* A listening loopback socket on a free port; returns its fd and sets *port. */
static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 4), 0);
    socklen_t len = sizeof(a);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_tcp_connect(void **state)
{
    int port, fd = -1, err = -1;
    int lfd = listen_loopback(&port);
    assert_int_equal(cw_net_tcp_connect("127.0.0.1", port, 1000, &fd, &err), CW_OK);
    assert_int_equal(err, 0);
    assert_true(fd >= 0);
    close(fd);
    /* "localhost" may resolve to ::1 first, where nothing listens; the next address must be
     * tried. */
    fd = -1;
    assert_int_equal(cw_net_tcp_connect("localhost", port, 1000, &fd, &err), CW_OK);
    close(fd);
    close(lfd);
    /* The port is free again: the connection is refused at once. */
    fd = -1;
    assert_int_equal(cw_net_tcp_connect("127.0.0.1", port, 1000, &fd, &err), CW_EIO);
    assert_int_equal(err, ECONNREFUSED);
    assert_int_equal(fd, -1);
}

static void test_udp_wait_timeout(void **state)
{
    /* A bound UDP socket that never answers: waiting for a reply times out. */
    int srv = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(srv, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(srv, (struct sockaddr *)&a, &len);
    int fd = -1, err = 0;
    assert_int_equal(cw_net_udp_connect("127.0.0.1", ntohs(a.sin_port), &fd, &err), CW_OK);
    assert_int_equal(cw_net_wait_readable(fd, 50, &err), CW_EIO);
    assert_int_equal(err, ETIMEDOUT);
    assert_int_equal(send(fd, "x", 1, 0), 1);
    char b[4];
    assert_int_equal(recv(srv, b, sizeof(b), 0), 1);
    close(fd);
    close(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostport_parse),
        cmocka_unit_test(test_host_is_ip),
        cmocka_unit_test(test_tcp_connect),
        cmocka_unit_test(test_udp_wait_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
