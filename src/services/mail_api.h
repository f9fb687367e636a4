/*
 * Mail from the services: whether the request's project can send mail (its own SMTP server or
 * the server's), and queuing one from a template for the mail worker. Called on the handler's
 * thread.
 */
#ifndef CW_SERVICES_MAIL_API_H
#define CW_SERVICES_MAIL_API_H

#include <jansson.h>

#include "http/router.h"

/* 0 when mail can be sent for the request's project (its own SMTP settings, enabled, or
 * _APP_SMTP_HOST); -1 with 503 general_smtp_disabled written otherwise, as Appwrite answers. A
 * queued mail carries the project's settings (server, sender, reply-to) for the worker. */
int cw_svc_mail_ready(cw_ctx_t *ctx);

/* Queues a mail to to_email (to_name may be NULL) from the template tmpl: "verification",
 * "recovery", "magicSession", "otpSession", "invitation", "mfaChallenge" or "sessionAlert". vars
 * (borrowed) fills it: "url", "otp", "team", "user", "redirect", … The project's name and the
 * request's locale are added here. 0 once durably queued, or -1 with the error written. */
int cw_svc_mail(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                const json_t *vars);
/* The same through the SMTP server smtp ({host, port, …}, as the worker reads it) when it is
 * not NULL; with NULL, the project's own server when it has one turned on (and its custom
 * template for tmpl and the request's locale), else the server's _APP_SMTP_*. */
int cw_svc_mail_with(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                     const json_t *vars, const json_t *smtp);

/* The same for a mail the request does not wait on (a session alert): nothing is written to the
 * response; -1 when mail is off or the mail could not be queued. */
int cw_svc_mail_quiet(cw_ctx_t *ctx, const char *tmpl, const char *to_email, const char *to_name,
                      const json_t *vars);

#endif
