/*
 * Webhooks: the events subscriber that turns each event matching a project's webhooks into
 * durable jobs of the "webhooks" queue, and the worker that delivers them.
 *
 * A job per event: {"webhookIds": ["…", …], "userId": "…",
 * "event": {"pattern": "users.[userId].create", "params": [["userId", "…"], …]}, "payload": {…}},
 * naming every webhook the event matched; the worker makes the event's names again from its
 * pattern and params (a tenth of their size to store). The payload goes last. Jobs with the names
 * listed ("events": ["…", …]) or one "webhookId" are read too. A webhook that fails is retried
 * alone: the job keeps only the webhooks still to do.
 * Delivery is a POST of the payload as JSON with Appwrite's X-Appwrite-Webhook-* headers, the
 * signature (base64 HMAC-SHA1 of URL and body under the webhook's key), basic auth and TLS
 * verification per the webhook. A failed delivery counts against the webhook (attempts, logs)
 * and is retried with the queue's backoff; after webhook-max-failed-attempts consecutive failures
 * the webhook is disabled and its jobs dropped; a success resets the count.
 *
 * The worker claims and acks jobs in batches, reads each webhook once a batch, and keeps one
 * libcurl handle per thread, so deliveries to a receiver reuse its connection.
 *
 * The subscriber runs on the emitter's thread and keeps its own cache of each project's
 * webhooks: cw_webhooks_changed (any thread) drops it after a write through the API; changes
 * made by another process are seen within a few seconds. The worker is started and stopped on
 * one thread, like the mail worker; the config and queue must outlive both.
 */
#ifndef CW_WORKERS_WEBHOOKS_H
#define CW_WORKERS_WEBHOOKS_H

#include "core/config.h"
#include "events/events.h"
#include "queue/queue.h"

#define CW_WEBHOOK_QUEUE "webhooks"

typedef struct cw_webhooks cw_webhooks_t;

cw_webhooks_t *cw_webhooks_new(const cw_config_t *cfg, cw_queue_t *q);
/* Registers the subscriber with the emitter (before cw_events_start). */
void cw_webhooks_subscribe(cw_webhooks_t *w, cw_events_t *e);
/* A project's webhooks changed: match against the stored ones from the next event on. */
void cw_webhooks_changed(cw_webhooks_t *w);
/* After the emitter stopped. NULL is accepted. */
void cw_webhooks_free(cw_webhooks_t *w);

typedef struct cw_webhook_worker cw_webhook_worker_t;

/* Starts threads consumers (at least one). 0, or CW_EIO when no thread could start. */
int cw_webhook_worker_start(const cw_config_t *cfg, cw_queue_t *q, int threads,
                            cw_webhook_worker_t **out);
/* Stops the consumers (a delivery in progress is abandoned and its job released). NULL is
 * accepted. */
void cw_webhook_worker_stop(cw_webhook_worker_t *w);

#endif
