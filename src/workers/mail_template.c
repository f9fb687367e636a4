#include "workers/mail_template.h"

#include <stdio.h>
#include <string.h>

#include "core/embed.h"
#include "core/status.h"

#define NAME_MAX_LEN 64

static const char *const templates[] = {
    "verification", "recovery",     "magicSession", "otpSession", "invitation",
    "mfaChallenge", "sessionAlert", "smtpTest",     NULL,
};

bool cw_mail_template_exists(const char *name)
{
    for (const char *const *t = templates; *t != NULL; t++) {
        if (strcmp(*t, name) == 0)
            return true;
    }
    return false;
}

/* The value of a variable as text, or an empty slice. */
static cw_str_t var_value(const json_t *vars, cw_str_t key, char num[32])
{
    char name[NAME_MAX_LEN + 1];
    if (key.len > NAME_MAX_LEN || !json_is_object(vars))
        return CW_STR_LIT("");
    memcpy(name, key.ptr, key.len);
    name[key.len] = '\0';
    const json_t *v = json_object_get(vars, name);
    if (json_is_string(v))
        return (cw_str_t){json_string_value(v), json_string_length(v)};
    if (json_is_integer(v)) {
        snprintf(num, 32, "%lld", (long long)json_integer_value(v));
        return cw_str(num);
    }
    if (json_is_real(v)) {
        snprintf(num, 32, "%g", json_real_value(v));
        return cw_str(num);
    }
    return CW_STR_LIT("");
}

static void append_value(cw_buf_t *out, cw_str_t v, cw_mail_part_t part)
{
    if (part == CW_MAIL_PART_HTML) {
        cw_buf_append_html(out, v);
        return;
    }
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        /* A subject is one header line: a client's line break must not start another. */
        if (part == CW_MAIL_PART_SUBJECT && (c == '\r' || c == '\n' || c == '\0'))
            c = ' ';
        cw_buf_append_char(out, c);
    }
}

/* Where "{{/key}}" starts in tmpl from pos, or tmpl.len. */
static size_t find_close(cw_str_t tmpl, size_t pos, cw_str_t key)
{
    for (size_t i = pos; i + key.len + 5 <= tmpl.len; i++) {
        if (memcmp(tmpl.ptr + i, "{{/", 3) == 0 &&
            memcmp(tmpl.ptr + i + 3, key.ptr, key.len) == 0 &&
            memcmp(tmpl.ptr + i + 3 + key.len, "}}", 2) == 0)
            return i;
    }
    return tmpl.len;
}

void cw_mail_template_expand(cw_str_t tmpl, const json_t *vars, cw_mail_part_t part, cw_buf_t *out)
{
    size_t i = 0;
    while (i < tmpl.len) {
        const char *open = NULL;
        if (i + 1 < tmpl.len)
            open = memmem(tmpl.ptr + i, tmpl.len - i, "{{", 2);
        if (open == NULL) {
            cw_buf_append(out, tmpl.ptr + i, tmpl.len - i);
            break;
        }
        size_t start = (size_t)(open - tmpl.ptr);
        cw_buf_append(out, tmpl.ptr + i, start - i);
        const char *close = memmem(open + 2, tmpl.len - start - 2, "}}", 2);
        if (close == NULL) {
            cw_buf_append(out, open, tmpl.len - start);
            break;
        }
        cw_str_t tag = {open + 2, (size_t)(close - open - 2)};
        size_t after = (size_t)(close - tmpl.ptr) + 2;
        char num[32];
        if (tag.len > 0 && (tag.ptr[0] == '#' || tag.ptr[0] == '^')) {
            cw_str_t key = {tag.ptr + 1, tag.len - 1};
            bool set = var_value(vars, key, num).len > 0;
            /* Kept: go on inside (its closing tag prints nothing). Dropped: skip past it. */
            if (set != (tag.ptr[0] == '#')) {
                size_t end = find_close(tmpl, after, key);
                after = end < tmpl.len ? end + key.len + 5 : tmpl.len;
            }
        } else if (tag.len > 0 && tag.ptr[0] == '/') {
            /* The end of a kept section. */
        } else {
            append_value(out, var_value(vars, tag, num), part);
        }
        i = after;
    }
}

static int load(const char *name, const char *ext, cw_str_t *out)
{
    char file[NAME_MAX_LEN + 16];
    snprintf(file, sizeof(file), "%s.%s", name, ext);
    return cw_embed_find_in(cw_embedded_mail, cw_str(file), out);
}

int cw_mail_template_source(const char *name, const char *ext, cw_str_t *out)
{
    if (!cw_mail_template_exists(name))
        return CW_ENOTFOUND;
    return load(name, ext, out);
}

static char *trimmed(cw_buf_t *b)
{
    while (b->len > 0 && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == ' '))
        b->len--;
    cw_buf_append_char(b, '\0');
    return cw_buf_steal(b, NULL);
}

int cw_mail_template_render(const char *name, const json_t *vars, char **subject, char **text,
                            char **html)
{
    *subject = *text = *html = NULL;
    cw_str_t s, t, h, layout;
    if (!cw_mail_template_exists(name) || load(name, "subject", &s) != CW_OK ||
        load(name, "txt", &t) != CW_OK || load(name, "html", &h) != CW_OK ||
        cw_embed_find_in(cw_embedded_mail, CW_STR_LIT("layout.html"), &layout) != CW_OK)
        return CW_ENOTFOUND;
    cw_buf_t b = CW_BUF_INIT;
    cw_mail_template_expand(s, vars, CW_MAIL_PART_SUBJECT, &b);
    *subject = trimmed(&b);
    b = CW_BUF_INIT;
    cw_mail_template_expand(t, vars, CW_MAIL_PART_TEXT, &b);
    cw_buf_append_char(&b, '\n');
    *text = trimmed(&b);
    /* The body goes into the layout as it is (already escaped), the rest of it escaped. */
    b = CW_BUF_INIT;
    cw_mail_template_expand(h, vars, CW_MAIL_PART_HTML, &b);
    cw_buf_append_char(&b, '\0');
    json_t *outer = json_is_object(vars) ? json_copy((json_t *)vars) : json_object();
    json_object_set_new(outer, "subject", json_string(*subject));
    json_object_del(outer, "body");
    const char *marker = memmem(layout.ptr, layout.len, "{{body}}", 8);
    cw_buf_t page = CW_BUF_INIT;
    size_t head = marker != NULL ? (size_t)(marker - layout.ptr) : layout.len;
    cw_mail_template_expand((cw_str_t){layout.ptr, head}, outer, CW_MAIL_PART_HTML, &page);
    cw_buf_append(&page, b.ptr, b.len - 1);
    if (marker != NULL)
        cw_mail_template_expand((cw_str_t){marker + 8, layout.len - head - 8}, outer,
                                CW_MAIL_PART_HTML, &page);
    json_decref(outer);
    cw_buf_free(&b);
    *html = trimmed(&page);
    return CW_OK;
}
