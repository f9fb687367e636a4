/* Unit tests for storage/clamd: PING and VERSION against a stand-in for clamd on loopback that
 * speaks the NUL-terminated form of its protocol, and an unreachable daemon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/status.h"
#include "storage/clamd.h"

#define VERSION_REPLY "ClamAV 1.0.7/27300/Mon Jan  5 09:00:00 2026"

typedef struct fake {
    int fd;
    int port;
    int connections;  /* how many to serve */
    const char *pong; /* the answer to zPING */
} fake_t;

static void *serve(void *arg)
{
    fake_t *f = arg;
    for (int i = 0; i < f->connections; i++) {
        int c = accept(f->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char cmd[64];
        size_t len = 0;
        while (len < sizeof(cmd)) {
            ssize_t r = recv(c, cmd + len, sizeof(cmd) - len, 0);
            if (r <= 0)
                break;
            len += (size_t)r;
            if (memchr(cmd, '\0', len) != NULL)
                break;
        }
        const char *reply = "UNKNOWN COMMAND";
        if (len > 0 && strcmp(cmd, "zPING") == 0)
            reply = f->pong;
        else if (len > 0 && strcmp(cmd, "zVERSION") == 0)
            reply = VERSION_REPLY;
        send(c, reply, strlen(reply) + 1, MSG_NOSIGNAL);
        close(c);
    }
    return NULL;
}

static void fake_open(fake_t *f)
{
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(f->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(f->fd, 4), 0);
    socklen_t len = sizeof(a);
    getsockname(f->fd, (struct sockaddr *)&a, &len);
    f->port = ntohs(a.sin_port);
}

static void test_ping_and_version(void **state)
{
    fake_t f = {.connections = 2, .pong = "PONG"};
    fake_open(&f);
    pthread_t th;
    pthread_create(&th, NULL, serve, &f);
    int err = -1;
    assert_int_equal(cw_clamd_ping("127.0.0.1", f.port, 1000, &err), CW_OK);
    char version[128];
    assert_int_equal(cw_clamd_version("127.0.0.1", f.port, 1000, version, sizeof(version), &err),
                     CW_OK);
    assert_string_equal(version, VERSION_REPLY);
    pthread_join(th, NULL);
    close(f.fd);
}

static void test_short_buffer(void **state)
{
    fake_t f = {.connections = 1, .pong = "PONG"};
    fake_open(&f);
    pthread_t th;
    pthread_create(&th, NULL, serve, &f);
    int err = -1;
    char version[7];
    assert_int_equal(cw_clamd_version("127.0.0.1", f.port, 1000, version, sizeof(version), &err),
                     CW_OK);
    assert_string_equal(version, "ClamAV");
    pthread_join(th, NULL);
    close(f.fd);
}

static void test_wrong_answer(void **state)
{
    fake_t f = {.connections = 1, .pong = "NOT A PONG"};
    fake_open(&f);
    pthread_t th;
    pthread_create(&th, NULL, serve, &f);
    int err = -1;
    assert_int_equal(cw_clamd_ping("127.0.0.1", f.port, 1000, &err), CW_EINVAL);
    pthread_join(th, NULL);
    close(f.fd);
}

static void test_unreachable(void **state)
{
    fake_t f = {0};
    fake_open(&f);
    close(f.fd); /* the port is free now: nothing listens */
    int err = 0;
    assert_int_equal(cw_clamd_ping("127.0.0.1", f.port, 1000, &err), CW_EIO);
    assert_int_equal(err, ECONNREFUSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_and_version),
        cmocka_unit_test(test_short_buffer),
        cmocka_unit_test(test_wrong_answer),
        cmocka_unit_test(test_unreachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
