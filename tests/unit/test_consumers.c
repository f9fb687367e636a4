/* Unit tests for workers/consumers: the --consumers values, and starting and stopping the
 * consumers they name on a real queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "workers/consumers.c"

static void test_valid(void **state)
{
    assert_true(cw_consumers_valid(NULL));
    assert_true(cw_consumers_valid("all"));
    assert_true(cw_consumers_valid("none"));
    assert_true(cw_consumers_valid("webhooks"));
    assert_true(cw_consumers_valid("mails,webhooks"));
    assert_true(cw_consumers_valid("mails, webhooks"));
    assert_false(cw_consumers_valid(""));
    assert_false(cw_consumers_valid(","));
    assert_false(cw_consumers_valid("mail"));
    assert_false(cw_consumers_valid("webhooks,bogus"));
    assert_false(cw_consumers_valid("none,webhooks"));
    assert_true(cw_consumers_none("none"));
    assert_false(cw_consumers_none("all"));
    assert_false(cw_consumers_none(NULL));
}

static void test_names(void **state)
{
    assert_true(names("all", "mails"));
    assert_true(names(NULL, "webhooks"));
    assert_true(names("webhooks", "webhooks"));
    assert_false(names("webhooks", "mails"));
    assert_true(names("mails,webhooks", "mails"));
    assert_false(names("mailsx", "mails"));
}

static void test_start_stop(void **state)
{
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/cwrite-consumers-XXXXXX");
    assert_non_null(mkdtemp(dir));
    cw_config_t cfg;
    cw_config_init(&cfg);
    free(cfg.data_dir);
    cfg.data_dir = cw_strdup(dir);
    cw_queue_t *q = NULL;
    assert_int_equal(cw_queue_open(dir, NULL, &q), CW_OK);
    const char *lists[] = {"none", "webhooks", "all"};
    for (size_t i = 0; i < 3; i++) {
        free(cfg.consumers);
        cfg.consumers = cw_strdup(lists[i]);
        cw_consumers_t *c = NULL;
        assert_int_equal(cw_consumers_start(&cfg, q, &c), CW_OK);
        assert_non_null(c);
        assert_true((c->q == NULL) == (i == 0));
        assert_true((c->webhooks != NULL) == (i > 0));
        assert_true((c->mails != NULL) == (i == 2));
        cw_consumers_stop(c);
    }
    cw_consumers_stop(NULL);
    cw_queue_close(q);
    cw_config_free(&cfg);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_start_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
