/* Unit tests for events/events: Appwrite's event names and wildcards (the counts and members
 * of Appwrite's own generateEvents tests), the event-name validator, and the emitter's fan-out
 * and drain on stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <unistd.h>

#include "events/events.c"

static bool contains(const cw_buf_t *names, size_t n, const char *want)
{
    const char *p = names->ptr;
    for (size_t i = 0; i < n; i++, p += strlen(p) + 1) {
        if (strcmp(p, want) == 0)
            return true;
    }
    return false;
}

static void test_generate_users(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    size_t n = 0;
    cw_event_param_t p[] = {{"userId", "torsten"}};
    assert_int_equal(cw_events_generate("users.[userId].create", p, 1, &b, &n), CW_OK);
    assert_int_equal(n, 4);
    assert_string_equal(b.ptr, "users.torsten.create");
    assert_true(contains(&b, n, "users.*.create"));
    assert_true(contains(&b, n, "users.torsten"));
    assert_true(contains(&b, n, "users.*"));
    cw_buf_reset(&b);
    assert_int_equal(cw_events_generate("users.[userId].update.email", p, 1, &b, &n), CW_OK);
    assert_int_equal(n, 6);
    assert_true(contains(&b, n, "users.*.update.email"));
    assert_true(contains(&b, n, "users.torsten.update"));
    cw_buf_free(&b);
}

static void test_generate_nested(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    size_t n = 0;
    cw_event_param_t p[] = {{"tableId", "chapters"}, {"rowId", "prolog"}};
    assert_int_equal(cw_events_generate("tables.[tableId].rows.[rowId].create", p, 2, &b, &n),
                     CW_OK);
    assert_int_equal(n, 10);
    assert_true(contains(&b, n, "tables.*.rows.prolog"));
    assert_true(contains(&b, n, "tables.chapters"));
    cw_buf_reset(&b);
    assert_int_equal(cw_events_generate("tables.[tableId].rows.[rowId].create", p, 1, &b, &n),
                     CW_EINVAL);
    cw_event_param_t d[] = {
        {"databaseId", "chaptersDB"}, {"tableId", "chapters"}, {"rowId", "prolog"}};
    cw_buf_reset(&b);
    assert_int_equal(
        cw_events_generate("databases.[databaseId].tables.[tableId].rows.[rowId].create", d, 3, &b,
                           &n),
        CW_OK);
    assert_int_equal(n, 42);
    assert_string_equal(b.ptr, "databases.chaptersDB.tables.chapters.rows.prolog.create");
    assert_true(contains(&b, n, "databases.*.tables.*.rows.prolog.create"));
    assert_true(contains(&b, n, "databases.chaptersDB.tables.*.rows.*"));
    assert_true(contains(&b, n, "databases.*.collections.*.documents.*.create"));
    assert_true(contains(&b, n, "databases.chaptersDB.collections.chapters.documents.prolog"));
    cw_buf_free(&b);
}

static void test_generate_mirror_segments(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    size_t n = 0;
    cw_event_param_t d[] = {
        {"databaseId", "factory-db"}, {"tableId", "rows-archive"}, {"rowId", "row-123"}};
    assert_int_equal(
        cw_events_generate("databases.[databaseId].tables.[tableId].rows.[rowId].update", d, 3, &b,
                           &n),
        CW_OK);
    assert_true(
        contains(&b, n, "databases.factory-db.collections.rows-archive.documents.row-123.update"));
    assert_false(contains(
        &b, n, "databases.factory-db.collections.documents-archive.documents.row-123.update"));
    cw_buf_free(&b);
}

static void test_valid(void **state)
{
    static const char *const good[] = {"users.*",
                                       "users.*.create",
                                       "users.*.update.email",
                                       "users.*.sessions.*.create",
                                       "databases.*",
                                       "databases.*.collections.*.documents.*.create",
                                       "databases.db1.collections.c1.documents.d1",
                                       "databases.*.tables.*.rows.*.update",
                                       "teams.*.memberships.*.update.status",
                                       "buckets.*.files.*.create",
                                       NULL};
    static const char *const bad[] = {"users",
                                      "nothing.*",
                                      "users.*.sessions.*.update",
                                      "users.*.update.nothing",
                                      "databases.*.collections.*.documents.*.upsert",
                                      "a.b.c.d.e.f.g.h",
                                      "users.",
                                      ".*",
                                      "",
                                      NULL};
    for (const char *const *g = good; *g != NULL; g++) {
        if (!cw_events_name_valid(*g, strlen(*g)))
            fail_msg("expected valid: %s", *g);
    }
    for (const char *const *x = bad; *x != NULL; x++) {
        if (cw_events_name_valid(*x, strlen(*x)))
            fail_msg("expected invalid: %s", *x);
    }
}

typedef struct counter {
    int events, flushes;
    char first[128];
} counter_t;

static void on_event(const cw_event_t *ev, void *data)
{
    counter_t *c = data;
    if (c->events++ == 0)
        snprintf(c->first, sizeof(c->first), "%s", ev->names[0]);
}

static void on_flush(void *data)
{
    ((counter_t *)data)->flushes++;
}

typedef struct test_job {
    cw_event_job_t base;
    int n;
} test_job_t;

static void expand(cw_event_job_t *job, cw_events_t *e)
{
    const char *names[] = {"users.u1.create", "users.*.create"};
    json_t *payload = json_object();
    cw_event_t ev = {"p1", "", names, 2, payload, "{}", NULL, NULL, 0};
    for (int i = 0; i < ((test_job_t *)job)->n; i++)
        cw_events_publish(e, &ev);
    json_decref(payload);
}

static void destroy(cw_event_job_t *job)
{
    free(job);
}

static void test_emitter_drains(void **state)
{
    counter_t c = {0};
    cw_events_t *e = cw_events_new();
    cw_events_subscriber_t s = {"test", on_event, on_flush, &c, NULL};
    cw_events_subscribe(e, &s);
    assert_true(cw_events_has_subscribers(e));
    assert_int_equal(cw_events_start(e), CW_OK);
    for (int i = 0; i < 100; i++) {
        test_job_t *j = cw_malloc(sizeof(*j));
        j->base.expand = expand;
        j->base.destroy = destroy;
        j->n = 2;
        cw_events_emit(e, &j->base);
    }
    cw_events_stop(e);
    assert_int_equal(c.events, 200);
    assert_true(c.flushes >= 1);
    assert_string_equal(c.first, "users.u1.create");
}

/* The namer gives what the generator gives, byte for byte, whatever the values: plain ones
 * through its templates, others (dots, brackets, keys or mirror words inside) through the
 * generator. */
static void test_namer_matches_generator(void **state)
{
    static const struct {
        const char *pattern;
        const char *keys[6];
    } cases[] = {
        {"databases.[databaseId].collections.[collectionId].documents.[documentId].create",
         {"databaseId", "collectionId", "tableId", "documentId", "rowId", NULL}},
        {"databases.[databaseId].tables.[tableId].rows.[rowId].update",
         {"databaseId", "collectionId", "tableId", "documentId", "rowId", NULL}},
        {"databases.[databaseId].collections.[collectionId].attributes.[attributeId].create",
         {"databaseId", "collectionId", "tableId", "attributeId", "columnId", NULL}},
        {"databases.[databaseId].collections.[collectionId].update",
         {"databaseId", "collectionId", "tableId", NULL}},
        {"databases.[databaseId].create", {"databaseId", NULL}},
        {"users.[userId].sessions.[sessionId].create", {"userId", "sessionId", NULL}},
        {"users.[userId].update.name", {"userId", NULL}},
        {"teams.[teamId].memberships.[membershipId].update.status",
         {"teamId", "membershipId", NULL}},
        {"tablesdb.[databaseId].tables.[tableId].rows.[rowId].create",
         {"databaseId", "tableId", "rowId", NULL}},
        {"users.[userId].sessions.[missingId].create", {"userId", NULL}},
    };
    static const char *const values[] = {
        "db1",         "c1",  "docs",  "d1",        "6a68c7660497ea96804e",
        "x_y-z",       "u1",  "bench", "tables",    "rows",
        "rowId",       "a.b", "[x]",   "*",         "collectionIdX",
        "mydocuments", "c1",  "T",     "databases", "0",
    };
    const size_t nvalues = sizeof(values) / sizeof(values[0]);
    cw_events_namer_t *nm = cw_events_namer_new();
    unsigned seed = 7;
    for (size_t round = 0; round < 400; round++) {
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
            cw_event_param_t params[6];
            size_t n = 0;
            for (; cases[c].keys[n] != NULL; n++) {
                seed = seed * 1103515245u + 12345u;
                /* Mostly plain values, repeated ones often, now and then a tricky one. */
                size_t pick = round % 3 == 0 ? (seed >> 16) % nvalues : (seed >> 16) % 8;
                params[n] = (cw_event_param_t){cases[c].keys[n], values[pick]};
            }
            cw_buf_t a = CW_BUF_INIT, b = CW_BUF_INIT;
            size_t na = 0, nb = 0;
            int ra = cw_events_generate(cases[c].pattern, params, n, &a, &na);
            int rb = cw_events_names(nm, cases[c].pattern, params, n, &b, &nb);
            assert_int_equal(ra, rb);
            if (ra == CW_OK) {
                assert_int_equal(na, nb);
                assert_int_equal(a.len, b.len);
                assert_memory_equal(a.ptr, b.ptr, a.len);
            }
            cw_buf_free(&a);
            cw_buf_free(&b);
        }
    }
    cw_events_namer_free(nm);
}

/* More patterns than the cache holds: the oldest give way, the names stay right. */
static void test_namer_cache_full(void **state)
{
    cw_events_namer_t *nm = cw_events_namer_new();
    char pattern[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < TEMPLATES_MAX + 10; i++) {
            snprintf(pattern, sizeof(pattern), "users.[userId].update.x%d", i);
            cw_event_param_t p[] = {{"userId", round ? "u2" : "u1"}};
            cw_buf_t a = CW_BUF_INIT, b = CW_BUF_INIT;
            size_t na = 0, nb = 0;
            assert_int_equal(cw_events_generate(pattern, p, 1, &a, &na), CW_OK);
            assert_int_equal(cw_events_names(nm, pattern, p, 1, &b, &nb), CW_OK);
            assert_int_equal(na, nb);
            assert_memory_equal(a.ptr, b.ptr, a.len);
            cw_buf_free(&a);
            cw_buf_free(&b);
        }
    }
    cw_events_namer_free(nm);
}

/* Events are flushed a moment after they came, without waiting for more or for the stop. */
static void test_emitter_flushes_after_linger(void **state)
{
    counter_t c = {0};
    cw_events_t *e = cw_events_new();
    cw_events_subscriber_t s = {"test", on_event, on_flush, &c, NULL};
    cw_events_subscribe(e, &s);
    assert_int_equal(cw_events_start(e), CW_OK);
    test_job_t *j = cw_malloc(sizeof(*j));
    j->base.expand = expand;
    j->base.destroy = destroy;
    j->n = 1;
    cw_events_emit(e, &j->base);
    for (int i = 0; i < 200 && __atomic_load_n(&c.flushes, __ATOMIC_SEQ_CST) == 0; i++)
        usleep(10000);
    assert_int_equal(__atomic_load_n(&c.flushes, __ATOMIC_SEQ_CST), 1);
    assert_int_equal(__atomic_load_n(&c.events, __ATOMIC_SEQ_CST), 1);
    cw_events_stop(e);
    assert_int_equal(c.flushes, 1); /* nothing new to flush at the stop */
}

static bool wants_p1(const char *project, void *data)
{
    return strcmp(project, "p1") == 0;
}

static void test_wanted(void **state)
{
    counter_t c = {0};
    cw_events_t *e = cw_events_new();
    assert_false(cw_events_wanted(e, "p1"));
    cw_events_subscriber_t s = {"test", on_event, on_flush, &c, wants_p1};
    cw_events_subscribe(e, &s);
    assert_true(cw_events_wanted(e, "p1"));
    assert_false(cw_events_wanted(e, "p2"));
    const char *names[] = {"users.u1.create"};
    cw_event_t ev = {"p2", "", names, 1, NULL, "{}", NULL, NULL, 0};
    cw_events_publish(e, &ev);
    assert_int_equal(c.events, 0);
    ev.project = "p1";
    cw_events_publish(e, &ev);
    assert_int_equal(c.events, 1);
    cw_events_stop(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_users),
        cmocka_unit_test(test_generate_nested),
        cmocka_unit_test(test_generate_mirror_segments),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_emitter_drains),
        cmocka_unit_test(test_namer_matches_generator),
        cmocka_unit_test(test_namer_cache_full),
        cmocka_unit_test(test_wanted),
        cmocka_unit_test(test_emitter_flushes_after_linger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
