/* Unit tests for workers/webhooks: the job's shape as the subscriber writes it and the worker
 * reads it (the payload's text sliced out, the names made again from pattern and params or
 * read from an older job's list, the payload left after a partial failure). The file under test
 * is included to reach its static functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "workers/webhooks.c"

static void test_payload_slice(void **state)
{
    const char *job =
        "{\"webhookIds\":[\"a\",\"b\"],\"userId\":\"\",\"event\":{\"pattern\":\"x\","
        "\"params\":[]},\"payload\":{\"$id\":\"d1\",\"payload\":\"x,\\\"payload\\\":1\"}}";
    size_t head = 0, len = 0;
    const char *body = NULL;
    assert_true(payload_slice(job, &head, &body, &len));
    assert_int_equal(len, strlen("{\"$id\":\"d1\",\"payload\":\"x,\\\"payload\\\":1\"}"));
    assert_memory_equal(body, "{\"$id\":\"d1\",", 11);
    assert_int_equal(body[len - 1], '}');
    assert_memory_equal(job + head, ",\"payload\":", 11);
    /* Not shaped so: no payload key, or not last. */
    assert_false(payload_slice("{\"webhookId\":\"a\"}", &head, &body, &len));
    assert_false(payload_slice("{\"payload\":{},\"x\":1", &head, &body, &len));
    assert_false(payload_slice("{\"a\":1,\"payload\":\"text\"}", &head, &body, &len));
}

static void test_event_names(void **state)
{
    consumer_t c = {0};
    c.namer = cw_events_namer_new();
    /* Made again from pattern and params: the generator's names, comma-separated. */
    json_t *meta = json_loads("{\"event\":{\"pattern\":\"users.[userId].update.name\","
                              "\"params\":[[\"userId\",\"u1\"]]}}",
                              0, NULL);
    cw_buf_t out = CW_BUF_INIT;
    event_names(&c, meta, &out);
    cw_buf_t want = CW_BUF_INIT;
    size_t count = 0;
    cw_event_param_t p[] = {{"userId", "u1"}};
    assert_int_equal(cw_events_generate("users.[userId].update.name", p, 1, &want, &count), 0);
    cw_buf_t joined = CW_BUF_INIT;
    const char *w = want.ptr;
    for (size_t i = 0; i < count; i++, w += strlen(w) + 1) {
        if (i > 0)
            cw_buf_append_char(&joined, ',');
        cw_buf_append_str(&joined, w);
    }
    cw_buf_append_char(&joined, '\0');
    assert_string_equal(out.ptr, joined.ptr);
    assert_int_equal(strncmp(out.ptr, "users.u1.update,", 16), 0);
    json_decref(meta);
    /* An older job lists them. */
    cw_buf_reset(&out);
    meta = json_loads("{\"events\":[\"users.u1.create\",\"users.*.create\"]}", 0, NULL);
    event_names(&c, meta, &out);
    assert_string_equal(out.ptr, "users.u1.create,users.*.create");
    json_decref(meta);
    /* Broken: no names, said in the log. */
    cw_buf_reset(&out);
    meta = json_loads("{\"event\":{\"pattern\":\"users.[userId].create\",\"params\":[[1,2]]}}", 0,
                      NULL);
    event_names(&c, meta, &out);
    assert_string_equal(out.ptr, "");
    json_decref(meta);
    cw_buf_free(&out);
    cw_buf_free(&want);
    cw_buf_free(&joined);
    cw_events_namer_free(c.namer);
}

static void test_payload_for(void **state)
{
    cw_job_t job = {0};
    job.payload =
        "{\"webhookIds\":[\"a\",\"b\",\"c\"],\"userId\":\"u\",\"event\":{\"pattern\":\"p\","
        "\"params\":[]},\"payload\":{\"$id\":\"d1\"}}";
    json_t *left = json_pack("[s]", "b");
    char *rest = payload_for(&job, left);
    assert_non_null(rest);
    assert_string_equal(rest,
                        "{\"webhookIds\":[\"b\"],\"userId\":\"u\",\"event\":{\"pattern\":\"p\","
                        "\"params\":[]},\"payload\":{\"$id\":\"d1\"}}");
    size_t head, len;
    const char *body;
    assert_true(payload_slice(rest, &head, &body, &len));
    free(rest);
    json_decref(left);
    /* Failed before any webhook was tried: unchanged. */
    assert_null(payload_for(&job, NULL));
    /* All left: the payload stays as it is. */
    left = json_pack("[s,s,s]", "a", "b", "c");
    assert_null(payload_for(&job, left));
    json_decref(left);
    /* An older job naming one webhook, failed: unchanged. */
    job.payload = "{\"webhookId\":\"a\",\"events\":[],\"payload\":{}}";
    left = json_pack("[s]", "a");
    assert_null(payload_for(&job, left));
    json_decref(left);
}

static void test_json_string(void **state)
{
    cw_buf_t b = CW_BUF_INIT;
    append_json_string(&b, "databases.*.collections.c1");
    append_json_string(&b, "a\"b\\c\n");
    append_json_string(&b, "caf\xc3\xa9");
    append_json_string(&b, NULL);
    cw_buf_append_char(&b, '\0');
    assert_string_equal(b.ptr,
                        "\"databases.*.collections.c1\"\"a\\\"b\\\\c\\n\"\"caf\xc3\xa9\"\"\"");
    cw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload_slice),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_payload_for),
        cmocka_unit_test(test_json_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
