/* Unit tests for db/sqlite_probe: the scratch database round trip leaves no file behind. */
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
#include "db/sqlite_probe.h"

static void test_probe(void **state)
{
    char tmp[] = "/tmp/cwrite-probe-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    assert_int_equal(cw_sqlite_probe_run(tmp), CW_OK);
    assert_int_equal(cw_sqlite_probe_run(tmp), CW_OK);
    DIR *d = opendir(tmp);
    assert_non_null(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            fail_msg("left behind: %s", e->d_name);
    }
    closedir(d);
    char missing[64];
    snprintf(missing, sizeof(missing), "%s/missing", tmp);
    assert_int_equal(cw_sqlite_probe_run(missing), CW_EIO);
    rmdir(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
