/* Unit tests for workers/mail_template: substitution, escaping, sections and every template. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "workers/mail_template.h"

static char *expand(const char *tmpl, const char *vars_json, cw_mail_part_t part)
{
    json_t *vars = json_loads(vars_json, 0, NULL);
    assert_non_null(vars);
    cw_buf_t b = CW_BUF_INIT;
    cw_mail_template_expand(cw_str(tmpl), vars, part, &b);
    json_decref(vars);
    cw_buf_append_char(&b, '\0');
    return cw_buf_steal(&b, NULL);
}

static void check(const char *tmpl, const char *vars, cw_mail_part_t part, const char *want)
{
    char *got = expand(tmpl, vars, part);
    assert_string_equal(got, want);
    free(got);
}

static void test_expand(void **state)
{
    const char *v = "{\"a\":\"x<y>&\\\"'\",\"n\":42,\"e\":\"\",\"nl\":\"one\\r\\ntwo\"}";
    check("{{a}}", v, CW_MAIL_PART_TEXT, "x<y>&\"'");
    check("{{a}}", v, CW_MAIL_PART_HTML, "x&lt;y&gt;&amp;&quot;&#39;");
    check("[{{n}}] [{{missing}}]", v, CW_MAIL_PART_TEXT, "[42] []");
    check("{{nl}}", v, CW_MAIL_PART_SUBJECT, "one  two");
    check("{{nl}}", v, CW_MAIL_PART_TEXT, "one\r\ntwo");
    check("a{{#n}}+{{n}}{{/n}}b", v, CW_MAIL_PART_TEXT, "a+42b");
    check("a{{#e}}+{{/e}}b", v, CW_MAIL_PART_TEXT, "ab");
    check("a{{^e}}none{{/e}}b{{^n}}x{{/n}}", v, CW_MAIL_PART_TEXT, "anoneb");
    check("{{#missing}}never{{/missing}}", v, CW_MAIL_PART_TEXT, "");
    check("{{#missing}}unclosed", v, CW_MAIL_PART_TEXT, "");
    check("open {{ no close", v, CW_MAIL_PART_TEXT, "open {{ no close");
    check("{", v, CW_MAIL_PART_TEXT, "{");
    /* A value is never expanded again. */
    check("{{t}}", "{\"t\":\"{{a}}\"}", CW_MAIL_PART_TEXT, "{{a}}");
}

static void test_render_all(void **state)
{
    static const char *const names[] = {"verification", "recovery",   "magicSession",
                                        "otpSession",   "invitation", "mfaChallenge",
                                        "sessionAlert", NULL};
    json_t *vars =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "project", "Shop & Co", "user", "Ada", "url",
                  "https://app.test/x?a=1&b=2", "otp", "123456", "team", "<Blue>", "owner", "Bob");
    for (const char *const *n = names; *n != NULL; n++) {
        char *subject, *text, *html;
        assert_int_equal(cw_mail_template_render(*n, vars, &subject, &text, &html), CW_OK);
        assert_non_null(strstr(subject, "Shop & Co"));
        assert_null(strchr(subject, '\n'));
        assert_non_null(strstr(text, "Ada"));
        assert_non_null(strstr(html, "Shop &amp; Co"));
        assert_null(strstr(html, "{{"));
        assert_null(strstr(text, "{{"));
        assert_non_null(strstr(html, "<title>"));
        free(subject);
        free(text);
        free(html);
    }
    char *subject, *text, *html;
    assert_int_equal(cw_mail_template_render("invitation", vars, &subject, &text, &html), CW_OK);
    assert_non_null(strstr(text, "https://app.test/x?a=1&b=2"));
    assert_non_null(strstr(html, "href=\"https://app.test/x?a=1&amp;b=2\""));
    assert_non_null(strstr(html, "&lt;Blue&gt;"));
    assert_non_null(strstr(text, "Bob has invited you"));
    assert_string_equal(subject, "You are invited to join <Blue> on Shop & Co");
    free(subject);
    free(text);
    free(html);
    assert_int_equal(cw_mail_template_render("nope", vars, &subject, &text, &html), CW_ENOTFOUND);
    assert_false(cw_mail_template_exists("layout"));
    json_decref(vars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_render_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
