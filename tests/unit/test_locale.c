/* Unit tests of the Locale service: the built-in data, translation file choice, the phone order,
 * the client address, and the cached answers. Includes the module to reach its static parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "services/locale.c"

typedef struct fixture {
    cw_config_t cfg;
    cw_thread_t thread;
    cw_auth_t auth;
    cw_header_t headers[2];
    cw_req_t req;
    cw_res_t res;
    cw_ctx_t ctx;
} fixture_t;

static void fixture_init(fixture_t *f, const char *locale)
{
    memset(f, 0, sizeof(*f));
    f->cfg.locale = "en";
    f->thread.cfg = &f->cfg;
    f->auth.locale = cw_str(locale);
    cw_req_init(&f->req);
    f->req.ip = CW_STR_LIT("127.0.0.1");
    f->req.headers = f->headers;
    cw_res_init(&f->res, &f->req.arena);
    f->ctx = (cw_ctx_t){.req = &f->req, .res = &f->res, .thread = &f->thread, .auth = &f->auth};
}

static void fixture_destroy(fixture_t *f)
{
    cw_res_destroy(&f->res);
    f->req.headers = NULL;
    cw_req_destroy(&f->req);
}

static void header_add(fixture_t *f, const char *name, const char *value)
{
    f->headers[f->req.nheaders++] = (cw_header_t){cw_str(name), cw_str(value)};
}

/* The body a handler answered with, static or written. */
static cw_str_t run(fixture_t *f, cw_handler_cb handler)
{
    handler(&f->ctx);
    assert_int_equal(f->res.status, 200);
    return f->res.static_body.ptr != NULL ? f->res.static_body : cw_buf_str(&f->res.body);
}

static void test_embed_find(void **state)
{
    cw_str_t bytes;
    assert_int_equal(cw_embed_find(CW_STR_LIT("codes.json"), &bytes), CW_OK);
    assert_true(bytes.len > 100);
    assert_int_equal(bytes.ptr[0], '[');
    assert_int_equal(cw_embed_find(CW_STR_LIT("translations/de.json"), &bytes), CW_OK);
    assert_int_equal(cw_embed_find(CW_STR_LIT("translations/xx.json"), &bytes), CW_ENOTFOUND);
    assert_null(bytes.ptr);
}

static const char *file_of(const locale_data_t *d, const char *code)
{
    long i = code_index(d, cw_str(code));
    return i < 0 ? NULL : d->files[d->code_file[i]];
}

static void test_data_counts(void **state)
{
    const locale_data_t *d = data_get();
    assert_int_equal(d->ncodes, 131);
    assert_int_equal(d->ncountries, 197);
    assert_int_equal(d->ncontinents, 7);
    assert_int_equal(d->neu, 27);
    assert_int_equal(d->nphones, 196);
    assert_string_equal(d->files[0], "en");
}

static void test_translation_file_choice(void **state)
{
    const locale_data_t *d = data_get();
    assert_string_equal(file_of(d, "de"), "de");
    assert_string_equal(file_of(d, "de-at"), "de");
    assert_string_equal(file_of(d, "ar-ae"), "ar");
    assert_string_equal(file_of(d, "zh-cn"), "zh-cn");
    assert_string_equal(file_of(d, "pt-br"), "pt-br");
    assert_string_equal(file_of(d, "pt"), "en"); /* no pt.json, and "pt" is all it has */
    assert_string_equal(file_of(d, "en-gb"), "en");
    assert_null(file_of(d, "uk")); /* a file exists, but uk is not a locale code */
    assert_null(file_of(d, "DE"));
    assert_null(file_of(d, ""));
}

static void test_phone_order(void **state)
{
    const locale_data_t *d = data_get();
    /* Canada comes first: +1 ties with the United States and phones.json lists it first. */
    assert_string_equal(d->phones[0].cc, "CA");
    assert_string_equal(d->phones[1].cc, "US");
    for (size_t i = 1; i < d->nphones; i++)
        assert_true(strtol(d->phones[i - 1].dial, NULL, 10) <= strtol(d->phones[i].dial, NULL, 10));

    phone_t a = {"AF", "93", 0}, b = {"AG", "1268", 1}, c = {"XX", "093", 2};
    assert_true(phone_cmp(&a, &b) < 0);
    assert_true(phone_cmp(&b, &a) > 0);
    assert_true(phone_cmp(&a, &c) < 0); /* equal as numbers: file order decides */
    assert_true(phone_cmp(&c, &a) > 0);
}

static void test_ip_valid(void **state)
{
    assert_true(cw_locale_geo_ip_valid(CW_STR_LIT("192.0.2.1")));
    assert_true(cw_locale_geo_ip_valid(CW_STR_LIT("::1")));
    assert_true(cw_locale_geo_ip_valid(CW_STR_LIT("::ffff:192.0.2.1")));
    assert_false(cw_locale_geo_ip_valid(CW_STR_LIT("")));
    assert_false(cw_locale_geo_ip_valid(CW_STR_LIT("192.0.2.1 ")));
    assert_false(cw_locale_geo_ip_valid(CW_STR_LIT("192.0.2")));
    assert_false(cw_locale_geo_ip_valid(CW_STR_LIT("256.0.0.1")));
    assert_false(cw_locale_geo_ip_valid(CW_STR_LIT("fe80::1%eth0")));
    assert_false(cw_locale_geo_ip_valid((cw_str_t){"1.2.3.4\0", 8}));
}

static void test_client_ip(void **state)
{
    fixture_t f;
    fixture_init(&f, "");
    cw_str_t ip = client_ip(&f.req);
    assert_true(cw_str_eq_cstr(ip, "127.0.0.1"));
    header_add(&f, "x-forwarded-for", "\t203.0.113.5 ,10.0.0.1");
    ip = client_ip(&f.req);
    assert_true(cw_str_eq_cstr(ip, "203.0.113.5"));
    f.headers[0].value = cw_str("bogus, 203.0.113.5");
    ip = client_ip(&f.req);
    assert_true(cw_str_eq_cstr(ip, "127.0.0.1"));
    fixture_destroy(&f);
}

static void test_get_unknown(void **state)
{
    fixture_t f;
    fixture_init(&f, "de");
    cw_str_t body = run(&f, on_get);
    const char *want = "{\"ip\":\"127.0.0.1\",\"countryCode\":\"--\",\"country\":\"Unbekannt\","
                       "\"continentCode\":\"--\",\"continent\":\"Unbekannt\",\"eu\":false,"
                       "\"currency\":\"\"}";
    assert_true(cw_str_eq_cstr(body, want));
    fixture_destroy(&f);
}

static void test_lists_cached(void **state)
{
    fixture_t a, b;
    fixture_init(&a, "fr");
    fixture_init(&b, "fr-ca");
    cw_str_t x = run(&a, on_countries);
    cw_str_t y = run(&b, on_countries);
    /* fr and fr-ca read the same file, so they share one answer, built once. */
    assert_ptr_equal(x.ptr, y.ptr);
    assert_true(x.len > 1000);
    assert_memory_equal(x.ptr, "{\"total\":197,\"countries\":[{\"name\":", 33);
    fixture_destroy(&a);
    fixture_destroy(&b);
}

static void test_unknown_locale_falls_back(void **state)
{
    fixture_t en, xx, def;
    fixture_init(&en, "en");
    fixture_init(&xx, "xx");
    fixture_init(&def, "xx");
    def.cfg.locale = "de";
    cw_str_t a = run(&en, on_continents);
    cw_str_t b = run(&xx, on_continents);
    cw_str_t c = run(&def, on_continents);
    assert_ptr_equal(a.ptr, b.ptr);
    assert_memory_equal(c.ptr, "{\"total\":7,\"continents\":[{\"name\":\"Afrika\"", 40);
    fixture_destroy(&en);
    fixture_destroy(&xx);
    fixture_destroy(&def);
}

static void test_static_lists(void **state)
{
    fixture_t f;
    fixture_init(&f, "");
    cw_str_t codes = run(&f, on_codes);
    assert_memory_equal(codes.ptr, "{\"total\":131,\"localeCodes\":[{\"code\":\"af\"", 40);
    cw_str_t cur = run(&f, on_currencies);
    assert_memory_equal(cur.ptr, "{\"total\":117,\"currencies\":[{\"symbol\":\"$\"", 40);
    assert_non_null(memmem(cur.ptr, cur.len, "\"rounding\":0.05,", 16));
    cw_str_t lang = run(&f, on_languages);
    assert_memory_equal(lang.ptr, "{\"total\":186,\"languages\":[{\"name\":\"Afar\"", 40);
    fixture_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embed_find),
        cmocka_unit_test(test_data_counts),
        cmocka_unit_test(test_translation_file_choice),
        cmocka_unit_test(test_phone_order),
        cmocka_unit_test(test_ip_valid),
        cmocka_unit_test(test_client_ip),
        cmocka_unit_test(test_get_unknown),
        cmocka_unit_test(test_lists_cached),
        cmocka_unit_test(test_unknown_locale_falls_back),
        cmocka_unit_test(test_static_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
