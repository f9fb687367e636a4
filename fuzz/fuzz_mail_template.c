/* libFuzzer target: the mail template expander (cw_mail_template_expand) with any template and a
 * variable holding client bytes. The input is split at the first NUL: the template before it, the
 * value of "v" after. Checks that the HTML part never lets a raw '<' of the value through and
 * that the subject never holds a line break the template did not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workers/mail_template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t tlen = nul != NULL ? (size_t)(nul - data) : size;
    char *tmpl = malloc(tlen + 1);
    if (tlen > 0)
        memcpy(tmpl, data, tlen);
    size_t vlen = nul != NULL ? size - tlen - 1 : 0;
    json_t *vars = json_object();
    json_t *v = json_stringn_nocheck(nul != NULL ? (const char *)nul + 1 : "", vlen);
    json_object_set_new(vars, "v", v);
    json_object_set_new(vars, "e", json_string(""));
    cw_mail_part_t parts[] = {CW_MAIL_PART_TEXT, CW_MAIL_PART_HTML, CW_MAIL_PART_SUBJECT};
    for (size_t p = 0; p < 3; p++) {
        cw_buf_t out = CW_BUF_INIT;
        cw_mail_template_expand((cw_str_t){tmpl, tlen}, vars, parts[p], &out);
        bool tmpl_lt = memchr(tmpl, '<', tlen) != NULL;
        bool tmpl_nl = memchr(tmpl, '\n', tlen) != NULL || memchr(tmpl, '\r', tlen) != NULL;
        if (parts[p] == CW_MAIL_PART_HTML && !tmpl_lt && out.len > 0 &&
            memchr(out.ptr, '<', out.len))
            abort();
        if (parts[p] == CW_MAIL_PART_SUBJECT && !tmpl_nl && out.len > 0 &&
            (memchr(out.ptr, '\n', out.len) || memchr(out.ptr, '\r', out.len)))
            abort();
        cw_buf_free(&out);
    }
    json_decref(vars);
    free(tmpl);
    return 0;
}
