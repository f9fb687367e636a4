/*
 * The job consumers a process runs, as --consumers (CWRITE_CONSUMERS) chooses: "all" (the mail
 * and webhook workers), "none" (an API node whose jobs wait durably in the queue for a
 * `cwrite worker` on the same data), or a comma-separated list of queue names ("webhooks").
 *
 * The consumers use their own background connection of the queue (cw_queue_open_background).
 * Started and stopped on one thread (the main one); the config and queue must outlive them.
 */
#ifndef CW_WORKERS_CONSUMERS_H
#define CW_WORKERS_CONSUMERS_H

#include <stdbool.h>

#include "core/config.h"
#include "queue/queue.h"

typedef struct cw_consumers cw_consumers_t;

/* Whether list is a valid --consumers value: "all", "none" or known queue names. */
bool cw_consumers_valid(const char *list);
/* Whether list asks for no consumer at all. */
bool cw_consumers_none(const char *list);
/* Starts the consumers cfg->consumers names (none: *out is an empty set). 0, or CW_EIO when one
 * could not start (those started are stopped again). */
int cw_consumers_start(const cw_config_t *cfg, cw_queue_t *q, cw_consumers_t **out);
/* Stops them (a job in progress goes back to the queue). NULL is accepted. */
void cw_consumers_stop(cw_consumers_t *c);

#endif
