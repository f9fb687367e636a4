/* Unit tests for core/sntp: the request, reply checks, the 2036 era, and a query answered by a
 * responder thread on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sntp.h"
#include "core/status.h"

static const uint8_t nonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A good server reply to the request with nonce: version 4, mode 4, stratum 2. */
static void make_reply(uint8_t pkt[CW_SNTP_PACKET_LEN], uint32_t secs, uint32_t frac)
{
    memset(pkt, 0, CW_SNTP_PACKET_LEN);
    pkt[0] = 4 << 3 | 4;
    pkt[1] = 2;
    memcpy(pkt + 24, nonce, 8);
    put32(pkt + 40, secs);
    put32(pkt + 44, frac);
}

static void test_request(void **state)
{
    uint8_t pkt[CW_SNTP_PACKET_LEN];
    cw_sntp_request_build(pkt, nonce);
    assert_int_equal(pkt[0], 0x23); /* LI 0, version 4, mode 3 (client) */
    assert_memory_equal(pkt + 40, nonce, 8);
    for (int i = 1; i < 40; i++)
        assert_int_equal(pkt[i], 0);
}

static void test_reply(void **state)
{
    uint8_t pkt[CW_SNTP_PACKET_LEN];
    int64_t us = 0;
    /* 2024-01-01T00:00:00Z plus half a second. */
    make_reply(pkt, (uint32_t)(1704067200 + CW_SNTP_UNIX_OFFSET), 0x80000000u);
    assert_int_equal(cw_sntp_reply_parse(pkt, sizeof(pkt), nonce, &us), CW_OK);
    assert_int_equal(us, 1704067200LL * 1000000 + 500000);
    /* Version 3 servers are fine. */
    pkt[0] = 3 << 3 | 4;
    assert_int_equal(cw_sntp_reply_parse(pkt, sizeof(pkt), nonce, &us), CW_OK);
}

static void test_reply_era(void **state)
{
    uint8_t pkt[CW_SNTP_PACKET_LEN];
    int64_t us = 0;
    /* 2040-01-01T00:00:00Z lies past the 2036 wrap: seconds count from 0 again. */
    int64_t t = 2208988800LL;
    make_reply(pkt, (uint32_t)((t + CW_SNTP_UNIX_OFFSET) & 0xffffffffu), 0);
    assert_int_equal(cw_sntp_reply_parse(pkt, sizeof(pkt), nonce, &us), CW_OK);
    assert_int_equal(us, t * 1000000);
}

static void test_reply_rejects(void **state)
{
    uint8_t pkt[CW_SNTP_PACKET_LEN];
    int64_t us = 0;
    uint32_t secs = (uint32_t)(1704067200 + CW_SNTP_UNIX_OFFSET);
    uint8_t other[8] = {9};

    make_reply(pkt, secs, 0);
    assert_int_equal(cw_sntp_reply_parse(pkt, sizeof(pkt) - 1, nonce, &us), CW_EINVAL);
    assert_int_equal(cw_sntp_reply_parse(pkt, sizeof(pkt), other, &us), CW_ENOTFOUND);

    make_reply(pkt, secs, 0);
    pkt[0] = 4 << 3 | 3; /* a client request, not a reply */
    assert_int_equal(cw_sntp_reply_parse(pkt, sizeof(pkt), nonce, &us), CW_EINVAL);

    make_reply(pkt, secs, 0);
    pkt[1] = 0; /* kiss-o'-death */
    assert_int_equal(cw_sntp_reply_parse(pkt, sizeof(pkt), nonce, &us), CW_EINVAL);

    make_reply(pkt, secs, 0);
    pkt[0] |= 3 << 6; /* leap indicator: clock not synchronised */
    assert_int_equal(cw_sntp_reply_parse(pkt, sizeof(pkt), nonce, &us), CW_EINVAL);

    make_reply(pkt, 0, 0); /* no transmit time */
    assert_int_equal(cw_sntp_reply_parse(pkt, sizeof(pkt), nonce, &us), CW_EINVAL);
}

typedef struct responder {
    int fd;
    int port;
    int stray_first; /* send a reply with a wrong originate timestamp before the real one */
    int64_t unix_s;
} responder_t;

static void *respond(void *arg)
{
    responder_t *r = arg;
    uint8_t req[CW_SNTP_PACKET_LEN], rep[CW_SNTP_PACKET_LEN];
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    ssize_t n = recvfrom(r->fd, req, sizeof(req), 0, (struct sockaddr *)&from, &flen);
    if (n != CW_SNTP_PACKET_LEN)
        return NULL;
    memset(rep, 0, sizeof(rep));
    rep[0] = 4 << 3 | 4;
    rep[1] = 1;
    put32(rep + 40, (uint32_t)(r->unix_s + CW_SNTP_UNIX_OFFSET));
    if (r->stray_first) {
        memset(rep + 24, 0xee, 8);
        sendto(r->fd, rep, sizeof(rep), 0, (struct sockaddr *)&from, flen);
    }
    memcpy(rep + 24, req + 40, 8);
    sendto(r->fd, rep, sizeof(rep), 0, (struct sockaddr *)&from, flen);
    return NULL;
}

static void responder_open(responder_t *r)
{
    r->fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(r->fd, (struct sockaddr *)&a, &len);
    r->port = ntohs(a.sin_port);
}

static void test_query(void **state)
{
    for (int stray = 0; stray < 2; stray++) {
        responder_t r = {.stray_first = stray, .unix_s = 1900000000};
        responder_open(&r);
        pthread_t th;
        pthread_create(&th, NULL, respond, &r);
        char server[64];
        snprintf(server, sizeof(server), "127.0.0.1:%d", r.port);
        int64_t us = 0;
        int err = -1;
        assert_int_equal(cw_sntp_query(server, 2000, &us, &err), CW_OK);
        assert_int_equal(us, 1900000000LL * 1000000);
        pthread_join(th, NULL);
        close(r.fd);
    }
}

static void test_query_fails(void **state)
{
    responder_t r = {0};
    responder_open(&r);
    char server[64];
    snprintf(server, sizeof(server), "127.0.0.1:%d", r.port);
    int64_t us = 0;
    int err = 0;
    /* Nobody answers in time. */
    assert_int_equal(cw_sntp_query(server, 100, &us, &err), CW_EIO);
    assert_int_equal(err, ETIMEDOUT);
    close(r.fd);
    /* Nothing listens on the port any more: the refusal comes back at once. */
    err = 0;
    assert_int_equal(cw_sntp_query(server, 2000, &us, &err), CW_EIO);
    assert_int_equal(err, ECONNREFUSED);
    assert_int_equal(cw_sntp_query("bad host", 100, &us, &err), CW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request),   cmocka_unit_test(test_reply),
        cmocka_unit_test(test_reply_era), cmocka_unit_test(test_reply_rejects),
        cmocka_unit_test(test_query),     cmocka_unit_test(test_query_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
