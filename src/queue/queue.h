/*
 * Durable jobs: one SQLite store, <data>/queue.db (WAL, synchronous=FULL; NORMAL on a background
 * connection, see cw_queue_open_background), shared by every project and every process on the
 * data folder (`cwrite serve`, `cwrite worker`). A job belongs to a named queue ("mails",
 * "webhooks", …) and a project, and carries a JSON payload.
 *
 * A consumer claims the next due job, which leases it: should the consumer die, the job becomes due
 * again when the lease runs out. It then acks the job (deleted), fails it (retried after an
 * exponential backoff, or kept as dead with its last error once it used all its attempts), or
 * releases it untouched (on shutdown). Delivery is at least once.
 *
 * One cw_queue_t per process (and its background connections); all its functions may be called from
 * any thread (a mutex guards the connection). Enqueuing wakes this process's waiting consumers at
 * once; other processes' jobs and retries are seen by polling. Jobs returned belong to the caller
 * (cw_queue_job_clear).
 */
#ifndef CW_QUEUE_QUEUE_H
#define CW_QUEUE_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

typedef struct cw_queue cw_queue_t;

typedef struct cw_queue_opts {
    int max_attempts;       /* claims before a failing job is dead */
    int64_t backoff_ms;     /* wait after the first failure; doubled after each next one */
    int64_t backoff_max_ms; /* longest wait between attempts */
    int64_t lease_ms;       /* how long a claimed job stays with its consumer */
    int64_t poll_ms;        /* longest sleep of a waiting consumer */
} cw_queue_opts_t;

#define CW_QUEUE_ATTEMPTS 10
#define CW_QUEUE_BACKOFF_MS 5000
#define CW_QUEUE_BACKOFF_MAX_MS 600000
#define CW_QUEUE_LEASE_MS 120000
#define CW_QUEUE_POLL_MS 1000

typedef struct cw_job {
    int64_t id;
    char *queue;
    char *project;
    char *payload;
    int attempts;   /* claims so far, this one included */
    char lease[33]; /* the claim's token: ack, fail and release only touch this claim */
} cw_job_t;

/* The defaults above. */
void cw_queue_opts_default(cw_queue_opts_t *o);
/* The defaults, with the attempts, backoff and poll interval of the configuration. */
void cw_queue_opts_from_config(const cw_config_t *cfg, cw_queue_opts_t *o);

/* Opens (creating when missing) dir/queue.db; opts NULL takes the defaults. 0 or CW_EIO. */
int cw_queue_open(const char *dir, const cw_queue_opts_t *opts, cw_queue_t **out);
/* A second connection to q's store for background threads (the events thread, consumers): its
 * commits do not wait for the disk (synchronous=NORMAL: they survive a crash of the process, not
 * always a power loss), and its enqueues and waits share q's wake-ups. Close it before q. 0 or
 * CW_EIO. */
int cw_queue_open_background(cw_queue_t *q, cw_queue_t **out);
void cw_queue_close(cw_queue_t *q);

/* Stores a job due now and returns once it is on disk (*id may be NULL). 0 or CW_EIO. */
int cw_queue_enqueue(cw_queue_t *q, const char *queue, const char *project, const char *payload,
                     int64_t *id);

/* Stores several jobs due now in one transaction (one disk sync): all or none. 0 or CW_EIO. */
typedef struct cw_queue_item {
    const char *queue, *project, *payload;
} cw_queue_item_t;
int cw_queue_enqueue_many(cw_queue_t *q, const cw_queue_item_t *items, size_t n);

/* Claims the oldest due job of queue: 0 with job filled, CW_ENOTFOUND when none is due, CW_EIO. */
int cw_queue_claim(cw_queue_t *q, const char *queue, cw_job_t *job);

/* Claims up to max of the oldest due jobs of queue in one transaction, under one lease: *n of them
 * in jobs (0 when none is due). 0 or CW_EIO. */
int cw_queue_claim_many(cw_queue_t *q, const char *queue, cw_job_t *jobs, size_t max, size_t *n);

/* Like cw_queue_claim_many, but sleeps until a job is due or *stop is set (then CW_ENOTFOUND). */
int cw_queue_wait_many(cw_queue_t *q, const char *queue, cw_job_t *jobs, size_t max, size_t *n,
                       const atomic_int *stop);

/* Like cw_queue_claim, but sleeps until a job is due or *stop is set (then CW_ENOTFOUND). Whoever
 * sets *stop calls cw_queue_wake. */
int cw_queue_wait(cw_queue_t *q, const char *queue, cw_job_t *job, const atomic_int *stop);

/* Wakes every consumer waiting in cw_queue_wait. */
void cw_queue_wake(cw_queue_t *q);

/* Done: the job is deleted. 0, or CW_ENOTFOUND when the lease was lost to another consumer. */
int cw_queue_ack(cw_queue_t *q, const cw_job_t *job);

/* Acks n jobs in one transaction; *acked counts those whose lease was still held. 0 or CW_EIO
 * (then none is acked). */
int cw_queue_ack_many(cw_queue_t *q, const cw_job_t *jobs, size_t n, size_t *acked);

/* Failed with error: due again after the backoff, or dead (*dead true, may be NULL) when this was
 * its last attempt. 0, CW_ENOTFOUND (lease lost) or CW_EIO. */
int cw_queue_fail(cw_queue_t *q, const cw_job_t *job, const char *error, bool *dead);

/* cw_queue_fail that also replaces the job's payload (what is left to do). */
int cw_queue_fail_payload(cw_queue_t *q, const cw_job_t *job, const char *payload,
                          const char *error, bool *dead);

/* Gives the job back untried (due now, the attempt not counted). 0, CW_ENOTFOUND or CW_EIO. */
int cw_queue_release(cw_queue_t *q, const cw_job_t *job);

void cw_queue_job_clear(cw_job_t *job);

/* Jobs of queue waiting or leased (dead false), or dead (dead true). 0 or CW_EIO. */
int cw_queue_count(cw_queue_t *q, const char *queue, bool dead, int64_t *n);

typedef struct cw_dead_job {
    int64_t id;
    const char *project;
    const char *payload;
    const char *error;
    int attempts;
    int64_t created_ms;
    int64_t failed_ms;
} cw_dead_job_t;

/* Calls cb for each dead job of queue, oldest first, until it returns non-zero. The strings are
 * valid during the call only, and cb must not call the queue. 0 or CW_EIO. */
typedef int (*cw_dead_job_cb)(const cw_dead_job_t *job, void *arg);
int cw_queue_dead_each(cw_queue_t *q, const char *queue, cw_dead_job_cb cb, void *arg);

#endif
