/* Unit tests for queue/queue: enqueue, claim, ack, fail with backoff, dead jobs, leases, release,
 * and jobs surviving a reopen. The file under test is included to drive its clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <unistd.h>

#include "queue/queue.c"

typedef struct fixture {
    char dir[64];
    cw_queue_t *q;
    cw_queue_opts_t opts;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-queue-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    cw_queue_opts_default(&f->opts);
    f->opts.max_attempts = 3;
    f->opts.backoff_ms = 1000;
    f->opts.backoff_max_ms = 3000;
    f->opts.lease_ms = 60000;
    f->opts.poll_ms = 50;
    assert_int_equal(cw_queue_open(f->dir, &f->opts, &f->q), CW_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    cw_queue_close(f->q);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int64_t count(cw_queue_t *q, const char *name, bool dead)
{
    int64_t n = -1;
    assert_int_equal(cw_queue_count(q, name, dead, &n), CW_OK);
    return n;
}

static void test_enqueue_claim_ack(void **state)
{
    fixture_t *f = *state;
    int64_t id1, id2;
    assert_int_equal(cw_queue_enqueue(f->q, "mails", "p1", "{\"n\":1}", &id1), CW_OK);
    assert_int_equal(cw_queue_enqueue(f->q, "mails", "p2", "{\"n\":2}", &id2), CW_OK);
    assert_int_equal(cw_queue_enqueue(f->q, "webhooks", "p1", "{}", NULL), CW_OK);
    assert_true(id2 > id1);
    assert_int_equal(count(f->q, "mails", false), 2);
    assert_int_equal(count(f->q, "webhooks", false), 1);

    cw_job_t job;
    assert_int_equal(cw_queue_claim(f->q, "mails", &job), CW_OK);
    assert_int_equal(job.id, id1);
    assert_string_equal(job.project, "p1");
    assert_string_equal(job.payload, "{\"n\":1}");
    assert_string_equal(job.queue, "mails");
    assert_int_equal(job.attempts, 1);
    /* Leased: the next claim takes the second job, then none is left. */
    cw_job_t job2;
    assert_int_equal(cw_queue_claim(f->q, "mails", &job2), CW_OK);
    assert_int_equal(job2.id, id2);
    cw_job_t none;
    assert_int_equal(cw_queue_claim(f->q, "mails", &none), CW_ENOTFOUND);
    assert_int_equal(count(f->q, "mails", false), 2); /* leased jobs still count */

    assert_int_equal(cw_queue_ack(f->q, &job), CW_OK);
    assert_int_equal(cw_queue_ack(f->q, &job), CW_ENOTFOUND);
    assert_int_equal(cw_queue_ack(f->q, &job2), CW_OK);
    assert_int_equal(count(f->q, "mails", false), 0);
    assert_int_equal(count(f->q, "webhooks", false), 1);
    cw_queue_job_clear(&job);
    cw_queue_job_clear(&job2);
}

static void test_backoff_and_dead(void **state)
{
    fixture_t *f = *state;
    int64_t t0 = cw_time_now_ms();
    assert_int_equal(enqueue_at(f->q, "mails", "p", "{}", t0, NULL), CW_OK);
    cw_job_t job;
    bool dead = true;
    assert_int_equal(claim_at(f->q, "mails", t0, &job), CW_OK);
    assert_int_equal(fail_at(f->q, &job, "connection refused", t0, &dead), CW_OK);
    assert_false(dead);
    cw_queue_job_clear(&job);
    /* Due again after 1 s, not before. */
    assert_int_equal(claim_at(f->q, "mails", t0 + 999, &job), CW_ENOTFOUND);
    assert_int_equal(claim_at(f->q, "mails", t0 + 1000, &job), CW_OK);
    assert_int_equal(job.attempts, 2);
    assert_int_equal(fail_at(f->q, &job, "again", t0 + 1000, &dead), CW_OK);
    assert_false(dead);
    cw_queue_job_clear(&job);
    /* Then after 2 s. */
    assert_int_equal(claim_at(f->q, "mails", t0 + 2999, &job), CW_ENOTFOUND);
    assert_int_equal(claim_at(f->q, "mails", t0 + 3000, &job), CW_OK);
    assert_int_equal(job.attempts, 3);
    assert_int_equal(fail_at(f->q, &job, "for the last time", t0 + 3000, &dead), CW_OK);
    assert_true(dead);
    cw_queue_job_clear(&job);
    assert_int_equal(claim_at(f->q, "mails", t0 + 1000000, &job), CW_ENOTFOUND);
    assert_int_equal(count(f->q, "mails", false), 0);
    assert_int_equal(count(f->q, "mails", true), 1);
    assert_int_equal(count(f->q, "webhooks", true), 0);
}

static int collect_dead(const cw_dead_job_t *d, void *arg)
{
    char *out = arg;
    snprintf(out, 128, "%s|%s|%d", d->project, d->error, d->attempts);
    return 0;
}

static void test_dead_list(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(cw_queue_enqueue(f->q, "mails", "proj", "{}", NULL), CW_OK);
    for (int i = 0; i < 3; i++) {
        cw_job_t job;
        assert_int_equal(claim_at(f->q, "mails", cw_time_now_ms() + 10000000LL * i, &job), CW_OK);
        assert_int_equal(fail_at(f->q, &job, "boom", cw_time_now_ms(), NULL), CW_OK);
        cw_queue_job_clear(&job);
    }
    char seen[128] = "";
    assert_int_equal(cw_queue_dead_each(f->q, "mails", collect_dead, seen), CW_OK);
    assert_string_equal(seen, "proj|boom|3");
}

static void test_backoff_cap(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(backoff_for(&f->opts, 1), 1000);
    assert_int_equal(backoff_for(&f->opts, 2), 2000);
    assert_int_equal(backoff_for(&f->opts, 3), 3000);
    assert_int_equal(backoff_for(&f->opts, 60), 3000);
    cw_queue_opts_t d;
    cw_queue_opts_default(&d);
    assert_int_equal(backoff_for(&d, 1), 5000);
    assert_int_equal(backoff_for(&d, 3), 20000);
    assert_int_equal(backoff_for(&d, 10), 600000);
}

static void test_lease_expiry(void **state)
{
    fixture_t *f = *state;
    int64_t t0 = cw_time_now_ms();
    assert_int_equal(enqueue_at(f->q, "mails", "p", "{}", t0, NULL), CW_OK);
    cw_job_t crashed, again;
    assert_int_equal(claim_at(f->q, "mails", t0, &crashed), CW_OK);
    /* The consumer never answers: once the lease runs out another one gets the job. */
    assert_int_equal(claim_at(f->q, "mails", t0 + 59999, &again), CW_ENOTFOUND);
    assert_int_equal(claim_at(f->q, "mails", t0 + 60000, &again), CW_OK);
    assert_int_equal(again.attempts, 2);
    /* The first claim's ack and fail no longer apply. */
    assert_int_equal(cw_queue_ack(f->q, &crashed), CW_ENOTFOUND);
    assert_int_equal(cw_queue_fail(f->q, &crashed, "late", NULL), CW_ENOTFOUND);
    assert_int_equal(cw_queue_ack(f->q, &again), CW_OK);
    cw_queue_job_clear(&crashed);
    cw_queue_job_clear(&again);
}

static void test_release(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(cw_queue_enqueue(f->q, "mails", "p", "{}", NULL), CW_OK);
    cw_job_t job;
    assert_int_equal(cw_queue_claim(f->q, "mails", &job), CW_OK);
    assert_int_equal(cw_queue_release(f->q, &job), CW_OK);
    cw_queue_job_clear(&job);
    assert_int_equal(cw_queue_claim(f->q, "mails", &job), CW_OK);
    assert_int_equal(job.attempts, 1); /* the released attempt did not count */
    assert_int_equal(cw_queue_ack(f->q, &job), CW_OK);
    cw_queue_job_clear(&job);
}

static void test_survives_reopen(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(cw_queue_enqueue(f->q, "mails", "p", "{\"keep\":true}", NULL), CW_OK);
    cw_job_t leased;
    assert_int_equal(cw_queue_enqueue(f->q, "mails", "p", "{\"leased\":true}", NULL), CW_OK);
    cw_queue_close(f->q);
    assert_int_equal(cw_queue_open(f->dir, &f->opts, &f->q), CW_OK);
    assert_int_equal(count(f->q, "mails", false), 2);
    cw_job_t job;
    assert_int_equal(cw_queue_claim(f->q, "mails", &job), CW_OK);
    assert_string_equal(job.payload, "{\"keep\":true}");
    assert_int_equal(cw_queue_claim(f->q, "mails", &leased), CW_OK);
    /* A process that stops with a leased job: after a restart it comes back with the lease. */
    cw_queue_close(f->q);
    assert_int_equal(cw_queue_open(f->dir, &f->opts, &f->q), CW_OK);
    cw_job_t back;
    assert_int_equal(claim_at(f->q, "mails", cw_time_now_ms() + f->opts.lease_ms, &back), CW_OK);
    assert_int_equal(back.attempts, 2);
    cw_queue_job_clear(&job);
    cw_queue_job_clear(&leased);
    cw_queue_job_clear(&back);
}

typedef struct waiter {
    cw_queue_t *q;
    atomic_int stop;
    int rc;
    cw_job_t job;
} waiter_t;

static void *wait_thread(void *arg)
{
    waiter_t *w = arg;
    w->rc = cw_queue_wait(w->q, "mails", &w->job, &w->stop);
    return NULL;
}

static void test_wait_wakes(void **state)
{
    fixture_t *f = *state;
    /* A long poll interval: only the wakeup can make this fast. */
    cw_queue_close(f->q);
    f->opts.poll_ms = 60000;
    assert_int_equal(cw_queue_open(f->dir, &f->opts, &f->q), CW_OK);
    waiter_t w = {.q = f->q};
    pthread_t th;
    pthread_create(&th, NULL, wait_thread, &w);
    usleep(50000);
    int64_t start = cw_time_mono_us();
    assert_int_equal(cw_queue_enqueue(f->q, "mails", "p", "{}", NULL), CW_OK);
    pthread_join(th, NULL);
    assert_int_equal(w.rc, CW_OK);
    assert_true(cw_time_mono_us() - start < 5000000);
    assert_int_equal(cw_queue_ack(f->q, &w.job), CW_OK);
    cw_queue_job_clear(&w.job);

    /* Stopping a waiter. */
    waiter_t s = {.q = f->q};
    pthread_create(&th, NULL, wait_thread, &s);
    usleep(50000);
    atomic_store(&s.stop, 1);
    cw_queue_wake(f->q);
    pthread_join(th, NULL);
    assert_int_equal(s.rc, CW_ENOTFOUND);
}

static void test_wait_sees_retry(void **state)
{
    fixture_t *f = *state;
    cw_queue_close(f->q);
    f->opts.poll_ms = 60000;
    f->opts.backoff_ms = 100;
    assert_int_equal(cw_queue_open(f->dir, &f->opts, &f->q), CW_OK);
    assert_int_equal(cw_queue_enqueue(f->q, "mails", "p", "{}", NULL), CW_OK);
    cw_job_t job;
    assert_int_equal(cw_queue_claim(f->q, "mails", &job), CW_OK);
    assert_int_equal(cw_queue_fail(f->q, &job, "x", NULL), CW_OK);
    cw_queue_job_clear(&job);
    /* The waiter sleeps until the retry is due, not the whole poll interval. */
    waiter_t w = {.q = f->q};
    int64_t start = cw_time_mono_us();
    wait_thread(&w);
    assert_int_equal(w.rc, CW_OK);
    assert_true(cw_time_mono_us() - start < 5000000);
    assert_int_equal(w.job.attempts, 2);
    assert_int_equal(cw_queue_ack(f->q, &w.job), CW_OK);
    cw_queue_job_clear(&w.job);
}

static void test_claim_ack_many(void **state)
{
    fixture_t *f = *state;
    cw_queue_item_t items[5];
    char payloads[5][24];
    for (int i = 0; i < 5; i++) {
        snprintf(payloads[i], sizeof(payloads[i]), "{\"n\":%d}", i);
        items[i] = (cw_queue_item_t){"webhooks", "p", payloads[i]};
    }
    assert_int_equal(cw_queue_enqueue_many(f->q, items, 5), CW_OK);
    assert_int_equal(cw_queue_enqueue(f->q, "mails", "p", "{}", NULL), CW_OK);

    /* Oldest first, at most max, one lease for the batch; the rest stays due. */
    cw_job_t jobs[3], more[3];
    size_t n = 0, m = 0, acked = 0;
    assert_int_equal(cw_queue_claim_many(f->q, "webhooks", jobs, 3, &n), CW_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(jobs[i].payload, payloads[i]);
        assert_string_equal(jobs[i].queue, "webhooks");
        assert_int_equal(jobs[i].attempts, 1);
        assert_string_equal(jobs[i].lease, jobs[0].lease);
    }
    assert_int_equal(cw_queue_claim_many(f->q, "webhooks", more, 3, &m), CW_OK);
    assert_int_equal(m, 2);
    assert_string_equal(more[0].payload, payloads[3]);
    assert_string_not_equal(more[0].lease, jobs[0].lease);
    cw_job_t none[2];
    assert_int_equal(cw_queue_claim_many(f->q, "webhooks", none, 2, &n), CW_OK);
    assert_int_equal(n, 0);

    /* Acked together; a job whose lease was lost is not counted and stays. */
    assert_int_equal(cw_queue_ack_many(f->q, jobs, 3, &acked), CW_OK);
    assert_int_equal(acked, 3);
    assert_int_equal(cw_queue_ack_many(f->q, jobs, 3, &acked), CW_OK);
    assert_int_equal(acked, 0);
    cw_job_t stale = more[1];
    snprintf(stale.lease, sizeof(stale.lease), "%s", "0123456789abcdef0123456789abcdef");
    cw_job_t mixed[2] = {more[0], stale};
    assert_int_equal(cw_queue_ack_many(f->q, mixed, 2, &acked), CW_OK);
    assert_int_equal(acked, 1);
    assert_int_equal(count(f->q, "webhooks", false), 1);
    assert_int_equal(cw_queue_ack_many(f->q, &more[1], 1, &acked), CW_OK);
    assert_int_equal(acked, 1);
    assert_int_equal(count(f->q, "webhooks", false), 0);
    assert_int_equal(count(f->q, "mails", false), 1);
    for (size_t i = 0; i < 3; i++)
        cw_queue_job_clear(&jobs[i]);
    for (size_t i = 0; i < 2; i++)
        cw_queue_job_clear(&more[i]);
}

static void test_claim_many_expired_lease(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(cw_queue_enqueue(f->q, "webhooks", "p", "{\"a\":1}", NULL), CW_OK);
    assert_int_equal(cw_queue_enqueue(f->q, "webhooks", "p", "{\"b\":1}", NULL), CW_OK);
    int64_t t0 = cw_time_now_ms();
    cw_job_t jobs[4], again[4];
    size_t n = 0, m = 0, acked = 0;
    assert_int_equal(claim_many_at(f->q, "webhooks", t0, jobs, 4, &n), CW_OK);
    assert_int_equal(n, 2);
    /* A consumer that died: both come back once the lease ran out, as a new claim. */
    assert_int_equal(claim_many_at(f->q, "webhooks", t0 + f->opts.lease_ms - 1, again, 4, &m),
                     CW_OK);
    assert_int_equal(m, 0);
    assert_int_equal(claim_many_at(f->q, "webhooks", t0 + f->opts.lease_ms, again, 4, &m), CW_OK);
    assert_int_equal(m, 2);
    assert_int_equal(again[0].attempts, 2);
    /* The old claim cannot ack them any more. */
    assert_int_equal(cw_queue_ack_many(f->q, jobs, 2, &acked), CW_OK);
    assert_int_equal(acked, 0);
    assert_int_equal(cw_queue_ack_many(f->q, again, 2, &acked), CW_OK);
    assert_int_equal(acked, 2);
    for (size_t i = 0; i < 2; i++) {
        cw_queue_job_clear(&jobs[i]);
        cw_queue_job_clear(&again[i]);
    }
}

static void test_fail_payload(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(cw_queue_enqueue(f->q, "webhooks", "p", "{\"hooks\":[1,2]}", NULL), CW_OK);
    cw_job_t job;
    int64_t t0 = cw_time_now_ms();
    assert_int_equal(claim_at(f->q, "webhooks", t0, &job), CW_OK);
    bool dead = true;
    assert_int_equal(cw_queue_fail_payload(f->q, &job, "{\"hooks\":[2]}", "one failed", &dead),
                     CW_OK);
    assert_false(dead);
    cw_queue_job_clear(&job);
    assert_int_equal(claim_at(f->q, "webhooks", t0 + 1000000, &job), CW_OK);
    assert_string_equal(job.payload, "{\"hooks\":[2]}");
    assert_int_equal(job.attempts, 2);
    cw_queue_job_clear(&job);
}

typedef struct many_waiter {
    cw_queue_t *q;
    atomic_int stop;
    int rc;
    size_t n;
    cw_job_t jobs[4];
} many_waiter_t;

static void *wait_many_thread(void *arg)
{
    many_waiter_t *w = arg;
    w->rc = cw_queue_wait_many(w->q, "webhooks", w->jobs, 4, &w->n, &w->stop);
    return NULL;
}

static void test_background_connection(void **state)
{
    fixture_t *f = *state;
    cw_queue_close(f->q);
    f->opts.poll_ms = 60000;
    assert_int_equal(cw_queue_open(f->dir, &f->opts, &f->q), CW_OK);
    cw_queue_t *bg = NULL;
    assert_int_equal(cw_queue_open_background(f->q, &bg), CW_OK);
    /* It syncs less: NORMAL (1) where the main connection has FULL (2). */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(bg->db, "PRAGMA synchronous", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(f->q->db, "PRAGMA synchronous", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    sqlite3_finalize(st);

    /* A consumer waiting on the background connection wakes at an enqueue on the main one. */
    many_waiter_t w = {.q = bg};
    pthread_t th;
    pthread_create(&th, NULL, wait_many_thread, &w);
    usleep(50000);
    int64_t start = cw_time_mono_us();
    assert_int_equal(cw_queue_enqueue(f->q, "webhooks", "p", "{}", NULL), CW_OK);
    pthread_join(th, NULL);
    assert_int_equal(w.rc, CW_OK);
    assert_int_equal(w.n, 1);
    assert_true(cw_time_mono_us() - start < 5000000);
    size_t acked = 0;
    assert_int_equal(cw_queue_ack_many(bg, w.jobs, w.n, &acked), CW_OK);
    assert_int_equal(acked, 1);
    cw_queue_job_clear(&w.jobs[0]);
    /* What the background connection writes, the main one reads, and after a reopen too. */
    assert_int_equal(cw_queue_enqueue(bg, "webhooks", "p", "{\"bg\":1}", NULL), CW_OK);
    assert_int_equal(count(f->q, "webhooks", false), 1);
    cw_queue_close(bg);
    cw_queue_close(f->q);
    assert_int_equal(cw_queue_open(f->dir, &f->opts, &f->q), CW_OK);
    assert_int_equal(count(f->q, "webhooks", false), 1);
}

static void test_open_fails(void **state)
{
    cw_queue_t *q;
    assert_int_equal(cw_queue_open("/proc/cwrite-no-such/dir", NULL, &q), CW_EIO);
    assert_null(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enqueue_claim_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff_and_dead, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lease_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_survives_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_wakes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_sees_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_ack_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_many_expired_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_background_connection, setup, teardown),
        cmocka_unit_test(test_open_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
