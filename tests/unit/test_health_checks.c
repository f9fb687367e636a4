/* Unit tests for services/health_checks: the storage round trip (and that it leaves nothing
 * behind), the certificate domain parameter, failed-queue names and queue sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/status.h"
#include "services/health_checks.h"

/* Number of entries in dir, "." and ".." aside. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

static void test_storage_roundtrip(void **state)
{
    char tmp[] = "/tmp/cwrite-health-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char sub[64];
    snprintf(sub, sizeof(sub), "%s/storage", tmp);
    /* The folder is made when missing, and nothing is left in it. */
    assert_int_equal(cw_health_storage_roundtrip(sub), CW_OK);
    assert_int_equal(cw_health_storage_roundtrip(sub), CW_OK);
    assert_int_equal(count_entries(sub), 0);
    assert_int_equal(cw_health_storage_roundtrip(tmp), CW_OK);
    assert_int_equal(count_entries(tmp), 1); /* storage/ */

    /* A folder that cannot exist: its parent is a file. */
    char file[64], bad[80];
    snprintf(file, sizeof(file), "%s/file", tmp);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(bad, sizeof(bad), "%s/sub", file);
    assert_int_equal(cw_health_storage_roundtrip(bad), CW_EIO);

    unlink(file);
    rmdir(sub);
    rmdir(tmp);
}

static void domain_ok(const char *d, const char *want_host, int want_port)
{
    char host[CW_NET_HOST_MAX];
    int port = 0;
    int rc = cw_health_domain_parse(cw_str(d), host, &port);
    if (rc != CW_OK)
        print_error("domain \"%s\" was rejected\n", d);
    assert_int_equal(rc, CW_OK);
    assert_string_equal(host, want_host);
    assert_int_equal(port, want_port);
}

static void domain_bad(const char *d)
{
    char host[CW_NET_HOST_MAX];
    int port = 0;
    int rc = cw_health_domain_parse(cw_str(d), host, &port);
    if (rc != CW_EINVAL)
        print_error("domain \"%s\" was accepted\n", d);
    assert_int_equal(rc, CW_EINVAL);
}

static void test_domain_parse(void **state)
{
    domain_ok("example.com", "example.com", 443);
    domain_ok("localhost:8443", "localhost", 8443);
    domain_ok("https://example.com", "example.com", 443);
    domain_ok("http://example.com/path?q=1#f", "example.com", 443);
    domain_ok("HTTPS://user:pw@example.com:9443/", "example.com", 9443);
    domain_ok("https://[::1]:4443/x", "::1", 4443);
    domain_bad("");
    domain_bad("example.com/path");
    domain_bad("ftp://example.com");
    domain_bad("https://");
    domain_bad("https:///path");
    domain_bad("exa mple.com");
    domain_bad("example.com:99999");
}

static void test_failed_queues(void **state)
{
    assert_string_equal(cw_health_failed_queue_find(cw_str("v1-database")), "v1-database");
    assert_string_equal(cw_health_failed_queue_find(cw_str("V1-Stats-Usage")), "v1-stats-usage");
    assert_null(cw_health_failed_queue_find(cw_str("v1-mail")));
    assert_null(cw_health_failed_queue_find(cw_str("")));
    /* The message's list names every queue, in order. */
    char joined[512] = "";
    for (const char *const *q = cw_health_failed_queues; *q != NULL; q++) {
        if (q != cw_health_failed_queues)
            strcat(joined, ", ");
        strcat(joined, *q);
    }
    assert_string_equal(joined, cw_health_failed_queues_text);
}

static void test_queue_size(void **state)
{
    char tmp[] = "/tmp/cwrite-hq-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    cw_queue_t *q;
    assert_int_equal(cw_queue_open(tmp, NULL, &q), CW_OK);
    int64_t size = -1;
    assert_int_equal(cw_health_queue_size(q, cw_str("v1-mails"), false, &size), CW_OK);
    assert_int_equal(size, 0);
    assert_int_equal(cw_queue_enqueue(q, "mails", "p", "{}", NULL), CW_OK);
    assert_int_equal(cw_health_queue_size(q, cw_str("v1-mails"), false, &size), CW_OK);
    assert_int_equal(size, 1);
    size = -1;
    assert_int_equal(cw_health_queue_size(q, cw_str("v1-mails"), true, &size), CW_OK);
    assert_int_equal(size, 0);
    assert_int_equal(cw_health_queue_size(q, cw_str("database_db_main"), false, &size), CW_OK);
    assert_int_equal(size, 0);
    assert_int_equal(cw_health_queue_size(NULL, cw_str("v1-mails"), false, &size), CW_EIO);
    cw_queue_close(q);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(cw_health_cache_ping(), CW_OK);
    assert_int_equal(cw_health_pubsub_ping(), CW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storage_roundtrip),
        cmocka_unit_test(test_domain_parse),
        cmocka_unit_test(test_failed_queues),
        cmocka_unit_test(test_queue_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
