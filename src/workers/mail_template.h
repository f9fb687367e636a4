/*
 * The mail templates of share/mail (embedded at build time): for each name a subject
 * (NAME.subject), a text part (NAME.txt) and an HTML part (NAME.html, set inside layout.html).
 *
 * Templates hold {{var}} (replaced by the variable, HTML-escaped in the HTML part, with line
 * breaks turned into spaces in the subject), {{#var}}…{{/var}} (kept when var is non-empty) and
 * {{^var}}…{{/var}} (kept when var is empty or missing). Variables are a JSON object of strings
 * (numbers are written out; anything else counts as empty). Any thread; the strings returned are
 * the caller's to free().
 */
#ifndef CW_WORKERS_MAIL_TEMPLATE_H
#define CW_WORKERS_MAIL_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/str.h"

typedef enum cw_mail_part {
    CW_MAIL_PART_TEXT,
    CW_MAIL_PART_HTML,
    CW_MAIL_PART_SUBJECT,
} cw_mail_part_t;

/* Whether name is one of the templates ("verification", "recovery", "magicSession",
 * "otpSession", "invitation", "mfaChallenge", "sessionAlert", "smtpTest"). */
bool cw_mail_template_exists(const char *name);

/* Renders the three parts of template name. 0, or CW_ENOTFOUND for an unknown name. */
int cw_mail_template_render(const char *name, const json_t *vars, char **subject, char **text,
                            char **html);

/* The unexpanded text of one part of template name (ext: "subject", "txt" or "html"), borrowed
 * from the embedded files. 0, or CW_ENOTFOUND. */
int cw_mail_template_source(const char *name, const char *ext, cw_str_t *out);

/* Appends tmpl with vars substituted as part asks. */
void cw_mail_template_expand(cw_str_t tmpl, const json_t *vars, cw_mail_part_t part, cw_buf_t *out);

#endif
