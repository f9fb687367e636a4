/*
 * The mail worker: threads that take jobs of the "mails" queue and send them over SMTP (libcurl),
 * as multipart/alternative text and HTML. A job's payload (made by services/mail_api.c):
 *
 *   {"to": "ada@example.com", "name": "Ada", "subject": "…", "text": "…", "html": "…",
 *    "template": "invitation",
 *    "smtp": {"host", "port", "secure", "username", "password",      (optional: the project's own
 *             "senderEmail", "senderName", "replyToEmail", "replyToName"}  server, else
 * _APP_SMTP_*)}
 *
 * A mail that cannot be sent now (server down, refused) is failed and so retried with the queue's
 * backoff; on stop, a send in progress is cut short and its job given back untried. Started and
 * stopped on one thread (the main one); the config and queue must outlive the worker.
 */
#ifndef CW_WORKERS_MAILS_H
#define CW_WORKERS_MAILS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>

#include "core/config.h"
#include "queue/queue.h"

#define CW_MAIL_QUEUE "mails"

typedef struct cw_mail_worker cw_mail_worker_t;

/* Starts threads consumers (at least one). 0, or CW_EIO when no thread could start. */
int cw_mail_worker_start(const cw_config_t *cfg, cw_queue_t *q, int threads,
                         cw_mail_worker_t **out);
/* Stops the threads (a send in progress is abandoned and its job released), waits for them and
 * frees the worker. NULL is accepted. */
void cw_mail_worker_stop(cw_mail_worker_t *w);

/* Sends the mail of payload now with cfg's server, or the payload's own smtp. 0, or CW_EIO with a
 * reason in err (CW_EINVAL for a payload that can never be sent). stop (may be NULL) cuts the
 * transfer short when set. */
int cw_mail_send(const cw_config_t *cfg, const json_t *payload, const atomic_int *stop, char *err,
                 size_t err_len);

/* Tries a project's SMTP settings ({host, port, secure, username, password}): connects, greets,
 * upgrades with STARTTLS when secure is "tls", and logs in when a username is set, then hangs
 * up. 0, or CW_EIO / CW_EINVAL with the reason in err. Blocks up to a few seconds; any thread. */
int cw_mail_smtp_check(const json_t *smtp, char *err, size_t err_len);

#endif
